"""`make serve`: several copies of the dashboard behind nginx, so that a meeting does not queue.

    python -m scrutiny.serve --port 8080 --processes 2      # what `make serve PORT=8080 PROCESSES=2` runs

One Streamlit process runs every page script of every person in one Python interpreter, so 20
people clicking at once queue for it. This starts PROCESSES copies of the dashboard (one per
processor core unless told otherwise), each on its own port on 127.0.0.1, and Debian's nginx in
front on HOST:PORT. nginx:

- keeps each browser on one process with a routing cookie (a hash of it picks the process; not
  the browser's address, since a council's staff often all reach the server from one address),
  because a Streamlit session lives in the memory of the process that started it;
- passes the websocket upgrade Streamlit's pages talk over;
- stops sending people to a process that refuses connections (a passive health check) and sends
  them to another: the people on it see Streamlit's "connecting" notice and carry on there.

This program checks each process's /_stcore/health every few seconds and says in its output when
one stops answering or has stopped. It restarts none: run it under systemd (deploy/dashboard.service)
to have the whole service restarted when the last process has gone. It runs in the foreground
and stops everything it started on Ctrl-C or SIGTERM.

Processes share only files: the extract (which each opens read-only) and the summaries worked out
from it that are kept on disk. Sessions are not shared, so a process that stops loses the choices
of the people on it. nginx runs unprivileged from a folder of its own (its configuration, pid and
log files), written afresh at every start; nothing is needed in /etc or /var.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = REPO_ROOT / "dashboard.py"
ROUTE_COOKIE = "dashboard_route"
STARTUP_SECONDS = 120
HEALTH_EVERY_SECONDS = 5.0
STOP_SECONDS = 15

NGINX_MISSING = (
    "make serve needs nginx, the web server that shares people out between the dashboard's processes, "
    "and it is not installed here. On Debian or Ubuntu install it with:  sudo apt-get install nginx  "
    "(the project's CI does this itself). Nothing has been started: make serve does not fall back to one "
    "process. To run one process on this computer instead, use make run."
)


def nginx_binary() -> str | None:
    """nginx from NGINX, the PATH, or Debian's place for it (/usr/sbin is not on every user's PATH)."""
    named = os.environ.get("NGINX")
    if named:
        return named if shutil.which(named) else None
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def nginx_config(run_dir: Path, host: str, port: int, backend_ports: list[int]) -> str:
    """nginx's configuration for one run: everything it writes stays inside run_dir."""
    run = run_dir.resolve()
    servers = "\n".join(
        # max_fails=1: one refused connection and nginx leaves the process alone for 10 s, then tries it again.
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in backend_ports
    )
    return f"""# Written by `make serve` (scrutiny/serve.py) at every start; changes here are lost.
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    server_tokens off;
    client_body_temp_path {run}/temp/client_body;
    proxy_temp_path {run}/temp/proxy;
    fastcgi_temp_path {run}/temp/fastcgi;
    uwsgi_temp_path {run}/temp/uwsgi;
    scgi_temp_path {run}/temp/scgi;

    # Which process served each request, for the logs (and the tests).
    log_format routed '$remote_addr [$time_local] "$request" $status $upstream_addr route=$route_key';
    access_log {run}/nginx-access.log routed;

    # A browser without the routing cookie yet gets a new random one (this request's id), which
    # picks its process; every later request carries it, so the same process answers.
    map $cookie_{ROUTE_COOKIE} $route_key {{
        ""      $request_id;
        default $cookie_{ROUTE_COOKIE};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}

    upstream dashboard {{
        # Consistent hashing: when a process stops, only its own people move to another.
        hash $route_key consistent;
{servers}
    }}

    server {{
        listen {host}:{port};
        server_name _;
        client_max_body_size 10m;

        location / {{
            proxy_pass http://dashboard;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            # A page's websocket stays open for the whole meeting.
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            proxy_connect_timeout 5s;
            # A process that refuses the connection: the request goes to the next one.
            proxy_next_upstream error timeout;
            add_header Set-Cookie "{ROUTE_COOKIE}=$route_key; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


def _die_with_parent() -> None:
    """In a child, before it runs: Linux stops it if this program is killed outright (SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Backend:
    number: int
    port: int
    process: subprocess.Popen
    log: Path
    healthy: bool = False
    said_stopped: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=3) as response:
                return response.read().strip() == b"ok"
        except OSError:
            return False


def say(text: str) -> None:
    print(f"[serve {time.strftime('%H:%M:%S')}] {text}", flush=True)


def last_lines(path: Path, count: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-count:])
    except OSError:
        return ""


class Service:
    def __init__(self, host: str, port: int, processes: int, run_dir: Path, nginx: str,
                 streamlit_args: list[str]) -> None:
        self.host, self.port, self.count = host, port, processes
        self.run_dir, self.nginx = run_dir, nginx
        self.streamlit_args = streamlit_args
        self.backends: list[Backend] = []
        self.proxy: subprocess.Popen | None = None
        self.stopping = False

    # --- starting -----------------------------------------------------------------------------

    def start_backends(self) -> None:
        # One secret for every process: a cookie one process signs (Streamlit's XSRF token, and the
        # sign-in cookie) is then good on another when nginx moves someone after a failure.
        cookie_secret = secrets.token_hex(32)
        env = dict(os.environ, PYTHONUNBUFFERED="1", STREAMLIT_SERVER_COOKIE_SECRET=cookie_secret)
        for number in range(1, self.count + 1):
            port = free_port()
            log = self.run_dir / f"process-{number}.log"
            command = [
                sys.executable, "-m", "streamlit", "run", str(DASHBOARD),
                "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                *self.streamlit_args,
            ]
            with log.open("w") as out:
                process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            self.backends.append(Backend(number, port, process, log))
        deadline = time.monotonic() + STARTUP_SECONDS
        waiting = list(self.backends)
        while waiting and not self.stopping:
            for backend in list(waiting):
                if backend.process.poll() is not None:
                    raise SystemExit(
                        f"Dashboard process {backend.number} stopped while starting (exit code "
                        f"{backend.process.returncode}). The end of its log:\n{last_lines(backend.log)}")
                if backend.answers():
                    backend.healthy = True
                    waiting.remove(backend)
            if waiting and time.monotonic() > deadline:
                raise SystemExit(f"{len(waiting)} dashboard process(es) did not answer within {STARTUP_SECONDS} s. "
                                 f"The end of the first one's log:\n{last_lines(waiting[0].log)}")
            time.sleep(0.3)

    def start_proxy(self) -> None:
        (self.run_dir / "temp").mkdir(exist_ok=True)
        config = self.run_dir / "nginx.conf"
        config.write_text(nginx_config(self.run_dir, self.host, self.port, [b.port for b in self.backends]))
        base = [self.nginx, "-p", str(self.run_dir), "-c", str(config), "-e", str(self.run_dir / "nginx-error.log")]
        checked = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise SystemExit(f"nginx refused the configuration it was given ({config}):\n{checked.stderr.strip()}")
        self.proxy = subprocess.Popen(base, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proxy.poll() is not None:
                raise SystemExit(
                    f"nginx stopped at once (exit code {self.proxy.returncode}); is port {self.port} on {self.host} "
                    f"already in use? Its log:\n{last_lines(self.run_dir / 'nginx-error.log')}")
            try:
                with socket.create_connection((self.host if self.host not in ("0.0.0.0", "") else "127.0.0.1",
                                               self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"nginx did not listen on {self.host}:{self.port} within 20 s.")

    def write_state(self) -> None:
        """processes.json in the run folder: what is running where (the tests and `make load` read it)."""
        state = {
            "url": f"http://{self.host}:{self.port}",
            "nginx": self.proxy.pid if self.proxy else None,
            "processes": [{"number": b.number, "pid": b.process.pid, "port": b.port} for b in self.backends],
        }
        (self.run_dir / "processes.json").write_text(json.dumps(state, indent=2))

    # --- running --------------------------------------------------------------------------------

    def watch(self) -> int:
        """Until asked to stop: says when a process stops answering or has stopped. Returns the exit code."""
        next_check = 0.0
        while not self.stopping:
            if self.proxy and self.proxy.poll() is not None:
                say(f"nginx stopped (exit code {self.proxy.returncode}); stopping the dashboard processes. "
                    f"nginx's log:\n{last_lines(self.run_dir / 'nginx-error.log')}")
                return 4
            alive = [b for b in self.backends if b.process.poll() is None]
            for backend in self.backends:
                if backend.process.poll() is not None and not backend.said_stopped:
                    backend.said_stopped = True
                    say(f"Dashboard process {backend.number} (pid {backend.process.pid}, port {backend.port}) stopped "
                        f"with exit code {backend.process.returncode}. nginx sends its people to the "
                        f"{len(alive)} still running; it is not restarted. The end of its log:\n"
                        f"{last_lines(backend.log)}")
            if not alive:
                say("Every dashboard process has stopped: stopping nginx.")
                return 3
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + HEALTH_EVERY_SECONDS
                for backend in alive:
                    answers = backend.answers()
                    if answers != backend.healthy:
                        backend.healthy = answers
                        say(f"Dashboard process {backend.number} (port {backend.port}) "
                            + ("answers its health check again." if answers else
                               "does not answer its health check (busy, or stuck)."))
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        """Stops nginx first (no new requests), then every dashboard process; kills what lingers."""
        running = ([self.proxy] if self.proxy else []) + [b.process for b in self.backends]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def default_processes() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="address nginx listens on (default 127.0.0.1: this computer only; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=8501, help="port nginx listens on (default 8501)")
    parser.add_argument("--processes", type=int, default=None,
                        help="dashboard processes to start (default: one per processor core)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="folder for nginx's configuration, pid and logs and each process's log "
                             "(default: a new temporary folder, removed at the end)")
    # Anything else (such as --secrets.files PATH) is passed to each `streamlit run`.
    args, streamlit_args = parser.parse_known_args(argv)
    processes = args.processes or default_processes()
    if processes < 1:
        parser.error("--processes must be at least 1")

    nginx = nginx_binary()
    if nginx is None:
        print(NGINX_MISSING, file=sys.stderr)
        return 2

    # Sign-in asked for but unable to work: say so now, and serve nothing rather than serve unprotected.
    from scrutiny import access

    problem = access.startup_problem(access.secrets_files(streamlit_args, REPO_ROOT))
    if problem:
        print(problem, file=sys.stderr)
        return 2

    own_dir = args.run_dir is None
    run_dir = Path(tempfile.mkdtemp(prefix="dashboard-serve-")) if own_dir else args.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    # nginx's workers drop to an unprivileged user when started as root: they must reach its temp folders.
    run_dir.chmod(0o755)
    service = Service(args.host, args.port, processes, run_dir, nginx, streamlit_args)

    def ask_to_stop(signum, frame):
        service.stopping = True

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, ask_to_stop)

    code = 0
    try:
        say(f"Starting {processes} dashboard process{'es' if processes > 1 else ''} "
            f"(logs and nginx's configuration in {run_dir})...")
        service.start_backends()
        if not service.stopping:
            service.start_proxy()
            service.write_state()
            say(f"Serving the dashboard on http://{args.host}:{args.port} with {processes} "
                f"process{'es' if processes > 1 else ''} behind nginx. Ctrl-C stops everything.")
            code = service.watch()
    except SystemExit as problem:
        if isinstance(problem.code, str):
            say(problem.code)
            code = 1
        else:
            code = problem.code or 0
    finally:
        service.stop()
        say("Stopped nginx and every dashboard process.")
        if own_dir:
            shutil.rmtree(run_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
