"""`make load`, second part: the same people through `make serve` with one process and with two.

    python -m benchmarks.serve_load                 # burst and meeting loads, 1 and 2 processes
    python -m benchmarks.serve_load --no-readme

Starts `python -m scrutiny.serve` (nginx in front, everything on 127.0.0.1) with one dashboard
process, then with two, on the sample county (DASHBOARD_DATA_DIR), and drives each with
benchmarks.load's sessions over Streamlit's websocket protocol:

- a burst: 20 people clicking without pause, all starting at once (every page twice, with
  different filters), the worst moment of a meeting;
- a meeting: 100 people each starting within the first 5 s and waiting 2 to 8 s between clicks.

Both setups go through nginx, so the difference is the number of processes alone. nginx shares
the sessions out as it does browsers (a hash of each new connection's routing key), so the split
between processes is not exactly even; the table says how it fell. Before the measured runs every
process gets one warm-up visit to every page directly on its own port. It reports p50, p95, max
and failures per setup and load, the processor time per page run summed over the processes, and
each process's peak memory, and writes them between the serve-load markers in README.md. Target:
the two-process burst p95 at most 0.6 times the one-process burst p95 measured in the same run,
with 0 failures. Every loop is bounded; traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.load import (Outcome, Pace, Plan, dashboard_plan, peak_memory_mb, percentile, processor_seconds,
                             session, summary)
from scrutiny import serve

STARTUP_SECONDS = 180
TARGET_RATIO = 0.6
LOADS = {
    # name: (people, rounds, pace)
    "burst": (20, 2, Pace(0.0, (0.0, 0.0))),
    "meeting": (100, 2, Pace(5.0, (2.0, 8.0))),
}


def start_service(processes: int, run_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, dict]:
    port = serve.free_port()
    output = run_dir.with_suffix(".out")
    with output.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrutiny.serve", "--port", str(port), "--processes", str(processes),
             "--run-dir", str(run_dir)],
            cwd=serve.REPO_ROOT, env=dict(os.environ, **env), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve stopped while starting:\n{output.read_text()}")
        if "Serving the dashboard" in output.read_text():
            return process, json.loads((run_dir / "processes.json").read_text())
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"make serve did not start within {STARTUP_SECONDS} s:\n{output.read_text()}")


def stop_service(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def routed_counts(run_dir: Path, ports: list[int], since: int) -> list[int]:
    """How many websocket sessions nginx sent to each process (its log, from line `since` on)."""
    lines = (run_dir / "nginx-access.log").read_text().splitlines()[since:]
    streams = [line for line in lines if "/_stcore/stream" in line]
    return [sum(1 for line in streams if f"127.0.0.1:{port} " in line) for port in ports]


def measure(processes: int, plan: Plan, env: dict[str, str]) -> dict:
    """Each load against `make serve` with this many processes: outcomes, wall time, processor and memory."""
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder) / "run"
        service, state = start_service(processes, run_dir, env)
        try:
            pids = [p["pid"] for p in state["processes"]]
            ports = [p["port"] for p in state["processes"]]
            # One warm-up visit to every page on each process, on its own port (see Plan.warm_up).
            for port in ports:
                asyncio.run(session("warm-up", f"http://127.0.0.1:{port}", Plan(plan.pages, [plan.warm_up]), 1, 0, []))
            for name, (people, rounds, pace) in LOADS.items():
                log_from = len((run_dir / "nginx-access.log").read_text().splitlines())
                out: list[Outcome] = []
                processor = sum(processor_seconds(pid) for pid in pids)
                started = time.perf_counter()

                async def everyone():
                    await asyncio.gather(*(session(name, state["url"], plan, rounds, seed, out, pace)
                                           for seed in range(1, people + 1)))

                asyncio.run(everyone())
                wall = time.perf_counter() - started
                time.sleep(1)  # nginx logs a websocket once it has closed
                results[name] = {
                    **summary(out, wall), "people": people,
                    "processor_ms": 1000 * (sum(processor_seconds(pid) for pid in pids) - processor) / max(len(out), 1),
                    "split": routed_counts(run_dir, ports, log_from),
                    "failed": [o for o in out if o.failure],
                }
            for result in results.values():
                result["peak_mb"] = [peak_memory_mb(pid) for pid in pids]
        finally:
            stop_service(service)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    if serve.nginx_binary() is None:
        print(serve.NGINX_MISSING, file=sys.stderr)
        return 2

    data = os.environ.get("DASHBOARD_DATA_DIR") or str(serve.REPO_ROOT / "sample_data")
    os.environ["DASHBOARD_DATA_DIR"] = data
    env = {"DASHBOARD_DATA_DIR": data, "DASHBOARD_DEBUG": ""}
    plan = dashboard_plan()
    measured = {}
    for processes in (1, 2):
        print(f"make serve with {processes} process{'es' if processes > 1 else ''}: "
              + ", ".join(f"{n} ({people} people)" for n, (people, _, _) in LOADS.items()) + " ...", flush=True)
        measured[processes] = measure(processes, plan, env)

    from benchmarks.readme import table, write_block

    rows, failures = [], []
    for processes, results in measured.items():
        for name, r in results.items():
            failures += r["failed"]
            rows.append([
                f"{processes} process{'es' if processes > 1 else ''}", f"{name}, {r['people']} people", r["runs"],
                r["failures"], f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['max']:.2f}", f"{r['wall']:.0f}",
                f"{r['processor_ms']:.0f}", " + ".join(str(n) for n in r["split"]),
                " and ".join(f"{mb:,.0f}" for mb in r["peak_mb"]),
            ])
    one, two = measured[1]["burst"], measured[2]["burst"]
    ratio = two["p95"] / one["p95"] if one["p95"] else float("inf")
    met = ratio <= TARGET_RATIO and not failures
    load = os.getloadavg()[0]
    markdown = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} with `make load` through `make serve` (nginx in front, on "
        f"{os.cpu_count()} cores; load average {load:.1f} at the end), extract `{Path(data).name}`. Burst: "
        f"{LOADS['burst'][0]} people clicking without pause, all at once; meeting: {LOADS['meeting'][0]} people "
        "starting within 5 s and waiting 2 to 8 s between clicks; each visits every page twice with different "
        "filters. Seconds per page run, from rerun request to script finished.",
        "",
        table(["Served by", "Load", "Page runs", "Failures", "p50", "p95", "max", "Wall time",
               "Processor time per page run, all processes (ms)", "Sessions per process", "Peak memory per process (MB)"],
              rows),
        "",
        f"Target: with two processes the burst p95 at most {TARGET_RATIO} times the one-process figure, with 0 "
        f"failures. Here: {two['p95']:.2f} s against {one['p95']:.2f} s, {ratio:.2f} times, "
        f"{len(failures)} failures ({'met' if met else 'not met'}).",
    ] + (["", "Failures: " + "; ".join(f"{o.app} {o.page}: {o.failure}" for o in failures[:10])] if failures else []))
    print(markdown)
    if not args.no_readme:
        print("\nWritten to README.md." if write_block("serve-load", markdown) else "\nREADME.md has no serve-load markers.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
