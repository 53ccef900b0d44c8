"""`make load`: a meeting's worth of people over Streamlit's own websocket protocol, no browser.

    python -m benchmarks.load                      # 20, 50 and 100 people, each visiting every page twice
    python -m benchmarks.load --sessions 5 --rounds 1 --no-readme
    python -m benchmarks.load --url http://127.0.0.1:8080 --sessions 100   # a server already running (make serve)

Each person (a websocket session) starts at a random moment within the first 5 s
(--spread) and waits 2 to 8 s (--think) between clicks, as people in a meeting do.

It starts the dashboard on the sample county (DASHBOARD_DATA_DIR, default
sample_data/) and, in the same run, a trivial six-page Streamlit app
(benchmarks/trivial_app/app.py, the framework's floor on this machine) and six
pages that each draw a title and 30 sentences (sentences.py beside it: what
Streamlit charges for each element a page draws). Before the
measured run, one session visits every page once with filters the sessions never
ask for (what a server pays once: imports, the extract's checks). Each session
opens /_stcore/stream (subprotocol "streamlit"), then for every page in a
shuffled order, several times with different filters, sends BackMsg.rerun_script
with the page name and a query string and waits for the ForwardMsg
script_finished. A run fails when it times out, finishes with a compile error,
or draws an exception element or the dashboard's "could not be drawn" sentence.
It reports p50, p95, max, failures and the server's processor time per page run
(which, with every session clicking at once, sets the queue), and writes them between the load markers
in README.md. Traffic goes only to 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e import server as streamlit_server
from tests.e2e.registry import REPO_ROOT, registered_pages

TRIVIAL_APP = Path(__file__).resolve().parent / "trivial_app" / "app.py"
SENTENCES_APP = TRIVIAL_APP.with_name("sentences.py")
RUN_TIMEOUT = 120  # seconds one page run may take before it counts as a failure
POLITE_ERROR = "could not be drawn"


@dataclass
class Outcome:
    app: str
    page: str
    seconds: float
    failure: str = ""


@dataclass
class Plan:
    pages: list[str]  # page names as the browser sends them ("" for the home page)
    queries: list[dict] = field(default_factory=lambda: [{}])
    # Filters for the warm-up visit to every page, outside the measured ones: it pays what a
    # server pays once (imports, the extract's checks, each page's first drawing), not the
    # first visit to any filter combination the sessions then ask for.
    warm_up: dict = field(default_factory=dict)


def dashboard_plan() -> Plan:
    """Every registered page, with filters the sample county has (periods and districts)."""
    from scrutiny import queries

    years = queries.run("financial_years")
    options = queries.run("filter_options")
    all_periods = list(years.label)
    all_districts = list(options[options["filter"] == "district"]["value"])
    periods, districts = all_periods[:3], all_districts[:4]
    combos = [{}] + [{"period": p} for p in periods] + [{"district": d} for d in districts]
    combos += [{"period": p, "district": d} for p, d in zip(periods, districts)]
    pages = ["" if p.default else p.url_path for p in registered_pages()]
    warm_up = {"period": all_periods[-1], "district": all_districts[-1]} if len(all_periods) > 3 and len(all_districts) > 4 else {}
    return Plan(pages, combos, warm_up)


TRIVIAL = "trivial six-page app"
SENTENCES = "six pages of 30 sentences"


def trivial_plan() -> Plan:
    return Plan([""] + [f"page_{n}" for n in range(2, 7)], [{}])


async def one_run(ws, page: str, query: dict) -> str:
    """Sends rerun_script and reads until script_finished; returns a failure text or ""."""
    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = urlencode(query)
    await ws.send(message.SerializeToString())
    failure = ""
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout=RUN_TIMEOUT)
        if isinstance(raw, str):
            continue
        forward = ForwardMsg.FromString(raw)
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            if element.WhichOneof("type") == "exception":
                failure = failure or f"exception: {element.exception.message[:120]}"
            elif element.WhichOneof("type") == "alert" and POLITE_ERROR in element.alert.body:
                failure = failure or "the page could not be drawn"
        elif kind == "page_not_found":
            failure = failure or "page not found"
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
            if status == "FINISHED_EARLY_FOR_RERUN":
                continue
            if status == "FINISHED_WITH_COMPILE_ERROR":
                failure = failure or "compile error"
            return failure


@dataclass
class Pace:
    """How people click: each starts within `spread` seconds and waits `think` seconds between clicks."""
    spread: float = 0.0
    think: tuple[float, float] = (0.0, 0.0)


async def session(app: str, base: str, plan: Plan, rounds: int, seed: int, out: list[Outcome],
                  pace: Pace = Pace()) -> None:
    rng = random.Random(seed)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    await asyncio.sleep(rng.uniform(0, pace.spread))
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
            first = True
            for _ in range(rounds):
                pages = plan.pages[:]
                rng.shuffle(pages)
                for page in pages:
                    if not first:
                        await asyncio.sleep(rng.uniform(*pace.think))
                    first = False
                    query = rng.choice(plan.queries)
                    started = time.perf_counter()
                    try:
                        failure = await one_run(ws, page, query)
                    except (asyncio.TimeoutError, websockets.ConnectionClosed) as error:
                        failure = f"{type(error).__name__}"
                    out.append(Outcome(app, page or "(home)", time.perf_counter() - started, failure))
    except OSError as error:
        out.append(Outcome(app, "(connect)", 0.0, f"could not connect: {error}"))


def processor_seconds(pid: int) -> float:
    """The server process's user and system processor time so far (Linux's /proc), or nan."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_memory_mb(pid: int) -> float:
    """The server process's peak resident memory (Linux's VmHWM), or nan where /proc has no such line."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def drive(app: str, script: Path | None, plan: Plan, sessions: int, rounds: int, env: dict[str, str],
          pace: Pace = Pace(), url: str | None = None) -> tuple[list[Outcome], float, float, float]:
    """The outcomes of the measured runs, their wall time, the server's processor seconds for them and its peak memory.

    With a url, the sessions go to a server already running there (make serve, say); its processor
    time and memory are then not known here (nan).
    """
    with tempfile.TemporaryDirectory() as folder:
        if url:
            process, base = None, url.rstrip("/")
        else:
            process, base = streamlit_server.start(script, Path(folder) / "server.log", env=env)
        try:
            # One warm-up visit to every page (see Plan.warm_up), so that the first sessions do not
            # pay alone for what a server pays once.
            warm: list[Outcome] = []
            asyncio.run(session(app, base, Plan(plan.pages, [plan.warm_up]), 1, 0, warm))
            out: list[Outcome] = []
            started = time.perf_counter()
            processor = processor_seconds(process.pid) if process else float("nan")

            async def everyone():
                await asyncio.gather(*(session(app, base, plan, rounds, seed, out, pace)
                                       for seed in range(1, sessions + 1)))

            asyncio.run(everyone())
            return (out, time.perf_counter() - started,
                    processor_seconds(process.pid) - processor if process else float("nan"),
                    peak_memory_mb(process.pid) if process else float("nan"))
        finally:
            if process:
                streamlit_server.stop(process)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(outcomes: list[Outcome], wall: float) -> dict:
    times = [o.seconds for o in outcomes if not o.failure]
    return {
        "runs": len(outcomes), "failures": sum(1 for o in outcomes if o.failure),
        "p50": statistics.median(times) if times else float("nan"),
        "p95": percentile(times, 0.95), "max": max(times) if times else float("nan"), "wall": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 50, 100], help="people at once (one run each)")
    parser.add_argument("--rounds", type=int, default=2, help="times each session visits every page")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0], metavar=("FROM", "TO"),
                        help="seconds between one person's clicks (default 2 to 8)")
    parser.add_argument("--spread", type=float, default=5.0, help="seconds over which the people start (default 5)")
    parser.add_argument("--url", help="drive a server already running there (make serve) instead of starting one")
    parser.add_argument("--no-floor", action="store_true", help="leave out the trivial apps")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)

    data = os.environ.get("DASHBOARD_DATA_DIR") or str(REPO_ROOT / "sample_data")
    os.environ["DASHBOARD_DATA_DIR"] = data
    env = {"DASHBOARD_DATA_DIR": data, "DASHBOARD_DEBUG": ""}
    pace = Pace(args.spread, tuple(args.think))
    served = f"through {args.url}" if args.url else "on one Streamlit process"
    results = {}
    per_page: dict[str, list[float]] = {}
    failures: list[Outcome] = []
    runs = [(f"dashboard, {n} people", REPO_ROOT / "dashboard.py", dashboard_plan(), n, args.url) for n in args.sessions]
    if not args.no_floor:
        # The framework's floor, at the first number of people, on one process of its own.
        runs += [(f"{TRIVIAL}, {args.sessions[0]} people", TRIVIAL_APP, trivial_plan(), args.sessions[0], None),
                 (f"{SENTENCES}, {args.sessions[0]} people", SENTENCES_APP, trivial_plan(), args.sessions[0], None)]
    for app, script, plan, sessions, url in runs:
        print(f"Driving {sessions} sessions x {args.rounds} rounds x {len(plan.pages)} pages against the {app} ...", flush=True)
        outcomes, wall, processor, peak_mb = drive(app, script, plan, sessions, args.rounds, env, pace, url)
        results[app] = {**summary(outcomes, wall), "processor_ms": 1000 * processor / max(len(outcomes), 1), "peak_mb": peak_mb}
        failures += [o for o in outcomes if o.failure]
        if app.startswith("dashboard") and sessions == max(args.sessions):
            for o in outcomes:
                if not o.failure:
                    per_page.setdefault(o.page, []).append(o.seconds)

    from benchmarks.readme import table, write_block

    def known(value: float, form: str) -> str:
        return "–" if value != value else format(value, form)

    load = os.getloadavg()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with `make load` {served}: each person a websocket session that starts "
        f"within the first {args.spread:g} s and visits every page {args.rounds} times, with different filters, "
        f"waiting {args.think[0]:g} to {args.think[1]:g} s between clicks; {os.cpu_count()} cores (load average "
        f"{load:.1f} at the end: above {os.cpu_count()} means other work shared the machine), extract "
        f"`{Path(data).name}`. Seconds per page run, from rerun request to script finished.",
        "",
        table(["App", "Page runs", "Failures", "p50", "p95", "max", "Wall time", "Server processor time per page run (ms)",
               "Server peak memory (MB)"],
              [[name, r["runs"], r["failures"], f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['max']:.2f}", f"{r['wall']:.0f}",
                known(r["processor_ms"], ".0f"), known(r["peak_mb"], ",.0f")] for name, r in results.items()]),
        "",
        f"Dashboard pages with {max(args.sessions)} people:",
        "",
        table(["Dashboard page", "p50", "p95", "max"],
              [[page, f"{statistics.median(t):.2f}", f"{percentile(t, 0.95):.2f}", f"{max(t):.2f}"] for page, t in sorted(per_page.items())]),
    ]
    if failures:
        lines += ["", "Failures: " + "; ".join(f"{o.app} {o.page}: {o.failure}" for o in failures[:10])]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_readme:
        print("\nWritten to README.md." if write_block("load", markdown) else "\nREADME.md has no load markers.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
