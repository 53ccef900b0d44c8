"""`make serve`: a real nginx in front of two dashboard processes on loopback (scrutiny/serve.py).

Everything listens on 127.0.0.1 only, and every loop is bounded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scrutiny import serve

NGINX = serve.nginx_binary()
needs_nginx = pytest.mark.skipif(
    NGINX is None and os.environ.get("CI") != "true",
    reason="nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)",
)


def test_config_routes_by_cookie_passes_websockets_and_stays_in_its_folder(tmp_path):
    text = serve.nginx_config(tmp_path, "127.0.0.1", 8080, [9001, 9002])
    assert "hash $route_key consistent;" in text and "ip_hash" not in text
    assert "server 127.0.0.1:9001 max_fails=1" in text and "server 127.0.0.1:9002 max_fails=1" in text
    assert "listen 127.0.0.1:8080;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert 'Set-Cookie "dashboard_route=$route_key; Path=/; HttpOnly; SameSite=Lax" always' in text
    # Every file nginx writes is inside the run folder: nothing in /var or /etc is needed.
    for word in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path",
                 "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"):
        lines = [line.strip() for line in text.splitlines() if line.strip().startswith(word + " ")]
        assert lines and all(line.split()[1].startswith(str(tmp_path.resolve())) for line in lines), word
    if NGINX:
        (tmp_path / "temp").mkdir()
        (tmp_path / "nginx.conf").write_text(text)
        checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                  "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_without_nginx_it_says_how_to_install_it_and_starts_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny.serve", "--processes", "2", "--run-dir", str(tmp_path / "run")],
        env=dict(os.environ, NGINX=str(tmp_path / "no-nginx-here")), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "sudo apt-get install nginx" in result.stderr and "does not fall back to one process" in result.stderr
    assert not (tmp_path / "run").exists(), "nothing was started or written"


# --- A real nginx and two processes --------------------------------------------------------------

class Served:
    def __init__(self, process: subprocess.Popen, run_dir: Path, output: Path, url: str):
        self.process, self.run_dir, self.output, self.url = process, run_dir, output, url
        self.state = json.loads((run_dir / "processes.json").read_text())

    @property
    def ports(self) -> list[int]:
        return [p["port"] for p in self.state["processes"]]

    def pids(self) -> list[int]:
        nginx = self.state["nginx"]
        workers = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(int(p.name)) == nginx]
        return [nginx, *workers, *(p["pid"] for p in self.state["processes"])]

    def log_lines(self) -> list[str]:
        return (self.run_dir / "nginx-access.log").read_text().splitlines()

    def routed(self, path: str, cookie: str | None = None) -> tuple[int, dict, bytes, int]:
        """A GET through nginx, and the port of the process that answered it (from nginx's log, which
        gets its line just after the answer is sent)."""
        before = len(self.log_lines())
        status, headers, body = get(self.url + path, cookie)
        for _ in range(100):
            lines = self.log_lines()
            if len(lines) > before:
                return status, headers, body, upstream_port(lines[before])
            time.sleep(0.05)
        raise AssertionError(f"nginx logged no line for {path}")

    def cookie_for(self, port: int) -> str:
        """A routing cookie that nginx sends to the process on port (found by asking, at most 200 tries)."""
        for _ in range(200):
            cookie = secrets.token_hex(16)
            if self.routed("/_stcore/health", cookie)[3] == port:
                return cookie
        raise AssertionError(f"no cookie routed to port {port} in 200 tries")


def run_apart(coroutine) -> None:
    """asyncio.run in a thread of its own: the browser tests' Playwright session keeps an event
    loop running on the main thread for the whole test run, and asyncio.run refuses to start there."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def upstream_port(log_line: str) -> int:
    """The port in a line of nginx's log ('... 200 127.0.0.1:PORT route=...')."""
    return int(log_line.split()[-2].rsplit(":", 1)[1])


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"{serve.ROUTE_COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def start_served(run_dir: Path, data_dir: Path, processes: int = 2, port: int | None = None,
                 extra: list[str] = ()) -> Served:
    port = port or serve.free_port()
    output = run_dir.parent / f"{run_dir.name}.out"
    env = dict(os.environ, DASHBOARD_DATA_DIR=str(data_dir), DASHBOARD_DEBUG="1")
    with output.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrutiny.serve", "--port", str(port), "--processes", str(processes),
             "--run-dir", str(run_dir), *extra],
            cwd=serve.REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + serve.STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make serve stopped:\n{output.read_text()}")
        if "Serving the dashboard" in output.read_text():
            return Served(process, run_dir, output, f"http://127.0.0.1:{port}")
        time.sleep(0.3)
    process.kill()
    raise AssertionError(f"make serve did not start:\n{output.read_text()}")


def stop_served(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        served.process.wait(timeout=60)


async def page_runs(url: str, cookie: str, pages: list[str], failures: list[str], done: list[float]) -> None:
    """One websocket session through nginx with the routing cookie: each page in turn, to script finished."""
    import websockets

    from benchmarks.load import one_run

    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      additional_headers={"Cookie": f"{serve.ROUTE_COOKIE}={cookie}"}) as ws:
            for page in pages:
                started = time.monotonic()
                try:
                    failure = await one_run(ws, page, {})
                except (asyncio.TimeoutError, websockets.ConnectionClosed) as error:
                    failures.append(f"{page}: {type(error).__name__}")
                    return
                if failure:
                    failures.append(f"{page}: {failure}")
                done.append(time.monotonic() - started)
    except OSError as error:
        failures.append(f"could not connect: {error}")


@pytest.fixture(scope="module")
def served(tiny_dir, tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed")
    run = start_served(tmp_path_factory.mktemp("serve") / "run", tiny_dir)
    yield run
    stop_served(run)


@needs_nginx
def test_each_browser_stays_on_one_process_by_its_cookie(served):
    status, headers, body, first = served.routed("/")
    assert status == 200 and b"<noscript>" in body
    # A new browser is given a routing cookie; with it, every request goes to the same process.
    cookie = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    for path in ("/_stcore/health", "/_stcore/host-config", "/", "/reach"):
        assert served.routed(path, cookie)[3] == first, path
    # Different browsers are shared out over both processes (twenty new cookies land on both).
    used = {served.routed("/_stcore/health", secrets.token_hex(16))[3] for _ in range(20)}
    assert used == set(served.ports)


@needs_nginx
def test_a_websocket_session_through_nginx_runs_every_page(served):
    failures, done = [], []
    # Every page, shared between the two processes.
    shares = (["", "reach", "gap", "footfall"], ["feedback", "evidence", "data"])
    for port, pages in zip(served.ports, shares):
        run_apart(page_runs(served.url, served.cookie_for(port), pages, failures, done))
    assert failures == [] and len(done) == 7
    for _ in range(100):  # nginx logs a websocket when it closes
        streams = [line for line in served.log_lines() if "/_stcore/stream" in line]
        if len(streams) >= 2:
            break
        time.sleep(0.05)
    # 101: the upgrade passed through to each process.
    assert {line.split()[-3] for line in streams} == {"101"}
    assert {upstream_port(line) for line in streams} == set(served.ports)


@needs_nginx
def test_killing_one_process_mid_run_fails_no_one_on_the_other(tiny_dir, tmp_path):
    run = start_served(tmp_path / "run", tiny_dir)
    try:
        first, second = run.state["processes"]
        on_first, on_second = run.cookie_for(first["port"]), run.cookie_for(second["port"])
        pages = ["reach", "gap", "data", ""] * 2
        survivors_failures, survivors_done, victims_failures, victims_done = [], [], [], []

        async def meeting():
            async def kill_when_under_way():
                # Once the sessions on both processes have page runs behind them, kill the first process.
                for _ in range(600):
                    if len(survivors_done) >= 2 and len(victims_done) >= 2:
                        break
                    await asyncio.sleep(0.1)
                os.kill(first["pid"], signal.SIGKILL)

            await asyncio.gather(
                *(page_runs(run.url, on_second, pages, survivors_failures, survivors_done) for _ in range(3)),
                # The session on the first process has far more to do than it can before the kill.
                page_runs(run.url, on_first, pages * 20, victims_failures, victims_done),
                kill_when_under_way(),
            )

        run_apart(meeting())
        assert not _alive(first["pid"])
        assert survivors_failures == [] and len(survivors_done) == 3 * len(pages)
        # The session on the killed process lost its connection (a browser shows Streamlit's
        # reconnecting notice) ...
        assert victims_failures and len(victims_done) < len(pages)
        # ... and reconnecting with the same cookie, nginx sends it to the living process, where it works.
        again_failures, again_done = [], []
        run_apart(page_runs(run.url, on_first, ["reach", ""], again_failures, again_done))
        assert again_failures == [] and len(again_done) == 2
        for _ in range(100):  # nginx logs a websocket when it closes
            streams = [line for line in run.log_lines() if "/_stcore/stream" in line and f"route={on_first}" in line]
            if streams and upstream_port(streams[-1]) == second["port"]:
                break
            time.sleep(0.05)
        assert upstream_port(streams[-1]) == second["port"]
        for _ in range(50):
            if "Dashboard process 1" in run.output.read_text():
                break
            time.sleep(0.2)
        said = run.output.read_text()
        assert f"Dashboard process 1 (pid {first['pid']}, port {first['port']}) stopped" in said
        assert run.process.poll() is None, "the service carries on with the process still running"

        # SIGTERM (what Ctrl-C and systemd send) stops nginx and every process it started.
        pids = run.pids()
        run.process.send_signal(signal.SIGTERM)
        assert run.process.wait(timeout=60) == 0
        assert [pid for pid in pids if _alive(pid)] == []
        assert "Stopped nginx and every dashboard process." in run.output.read_text()
    finally:
        stop_served(run)


def test_make_run_listens_on_this_computer_only_unless_asked():
    def dry_run(*args: str) -> str:
        return subprocess.run(["make", "-n", "run", *args], cwd=serve.REPO_ROOT, capture_output=True, text=True,
                              timeout=60).stdout

    assert "--server.address 127.0.0.1 " in dry_run()
    assert "--server.address 0.0.0.0 " in dry_run("HOST=0.0.0.0")
    served = subprocess.run(["make", "-n", "serve", "PORT=8080", "PROCESSES=2"], cwd=serve.REPO_ROOT,
                            capture_output=True, text=True, timeout=60).stdout
    assert "-m scrutiny.serve --host 127.0.0.1 --port 8080 --processes 2" in served
