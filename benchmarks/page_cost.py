"""Processor time of a warm page run, page by page, and where it goes.

    python -m benchmarks.page_cost                  # every page on the sample county, 10 warm runs each
    python -m benchmarks.page_cost --profile        # and a profile of the warm runs (pyinstrument)

A warm run is a page run again with the same choices, once its figures are worked out: what
every click costs a server while a meeting looks at the same figures. Under load the server's
processor time per page run sets the queue (see `make load`). Each page runs in Streamlit's
AppTest in this process; the processor time counts every thread (the page script, DuckDB's).

With --profile, each page's warm runs are sampled and the time inside some libraries is added
up (including what they call): plotly (building and serialising figures), pandas' display
formatting, Streamlit (marshalling elements, its caches), DuckDB and the dashboard's own code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Where a frame's file lives -> the name it is counted under. The first that matches wins.
LIBRARIES = [
    ("plotly", "/plotly/"),
    ("pandas display formatting", "/pandas/io/formats/"),
    ("pandas", "/pandas/"),
    ("Streamlit caches", "/streamlit/runtime/caching/"),
    ("Streamlit", "/streamlit/"),
    ("DuckDB", "/duckdb/"),
    ("pyarrow", "/pyarrow/"),
]


def library_of(path: str | None) -> str | None:
    path = (path or "").replace("\\", "/")
    for name, part in LIBRARIES:
        if part in path:
            return name
    return None


# Counted wherever they are first entered (inside Streamlit too: st.plotly_chart serialises the figure).
ANYWHERE = {"plotly", "pandas display formatting", "pyarrow"}


def _ours(path: str | None) -> bool:
    path = (path or "").replace("\\", "/")
    return path.startswith(str(REPO).replace("\\", "/")) and "/site-packages/" not in path and "/benchmarks/" not in path


def time_inside(root) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds inside each library (including what it calls, not counting it twice when it calls itself),
    and seconds inside each library call made straight from the dashboard's own code.

    Streamlit, pandas and DuckDB count only when the dashboard's code calls them (Streamlit runs
    the page script itself); plotly, pandas' display formatting and pyarrow count wherever entered.
    """
    totals: dict[str, float] = {}
    calls: dict[str, float] = {}
    own: dict[str, float] = {}

    def walk(frame, inside: frozenset, caller_is_ours: bool) -> None:
        name = library_of(frame.file_path)
        if name and name not in inside and (caller_is_ours or name in ANYWHERE):
            totals[name] = totals.get(name, 0.0) + frame.time
            inside = inside | {name}
        if name and caller_is_ours:
            key = f"{frame.function} ({name})"
            calls[key] = calls.get(key, 0.0) + frame.time
        ours = _ours(frame.file_path)
        where = f"{frame.function} ({(frame.file_path_short or '').split('site-packages/')[-1]})"
        own[where] = own.get(where, 0.0) + frame.total_self_time
        if ours:
            totals["the dashboard's own code"] = totals.get("the dashboard's own code", 0.0) + frame.total_self_time
        for child in frame.children:
            walk(child, inside, ours)

    walk(root, frozenset(), False)
    calls.update({f"self: {k}": v for k, v in own.items()})
    return totals, calls


def serve_like() -> None:
    """AppTest compiles the scripts afresh on every run (a new ScriptCache each time); a server
    compiles each once. One cache for every run, so that a warm run costs what it costs a server."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def measure(runs: int, profile: bool) -> list[dict]:
    os.environ.setdefault("DASHBOARD_DATA_DIR", str(REPO / "sample_data"))
    from streamlit.testing.v1 import AppTest

    from tests.e2e.registry import registered_pages

    serve_like()
    # AppTest runs each page script in a thread of its own: the profiler is started inside it.
    sessions: list = []
    profiling = {"on": False}
    if profile:
        from pyinstrument import Profiler
        from streamlit.testing.v1.local_script_runner import LocalScriptRunner

        run_thread = LocalScriptRunner._run_script_thread

        def profiled(self):
            if not profiling["on"]:
                return run_thread(self)
            profiler = Profiler(interval=0.0005)
            profiler.start()
            try:
                return run_thread(self)
            finally:
                sessions.append(profiler.stop())

        LocalScriptRunner._run_script_thread = profiled

    results = []
    for page in registered_pages():
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=600)
        at.run()
        at.switch_page(page.script)
        at.run()  # works its figures out
        at.run()  # and draws once more, so drawn sections are kept
        sessions.clear()
        profiling["on"] = profile
        started_cpu, started = time.process_time(), time.perf_counter()
        for _ in range(runs):
            at.run()
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
        profiling["on"] = False
        result = {"page": page.url_path, "cpu_ms": 1000 * cpu / runs, "wall_ms": 1000 * wall / runs,
                  "exceptions": [e.message[:200] for e in at.exception]}
        if sessions:
            from pyinstrument.renderers import ConsoleRenderer
            from pyinstrument.session import Session

            combined = sessions[0]
            for more in sessions[1:]:
                combined = Session.combine(combined, more)
            root = combined.root_frame()
            result["profile_s"] = root.time if root else 0.0
            result["inside"], result["calls"] = time_inside(root) if root else ({}, {})
            result["text"] = ConsoleRenderer(unicode=False, color=False, show_all=False).render(combined)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.page_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="warm runs per page (default 10)")
    parser.add_argument("--profile", action="store_true", help="sample the warm runs with pyinstrument")
    parser.add_argument("--tree", type=str, default="", help="print the profile tree of this page (with --profile)")
    args = parser.parse_args(argv)

    from benchmarks.readme import table

    results = measure(args.runs, args.profile)
    rows = [[r["page"], f"{r['cpu_ms']:.0f}", f"{r['wall_ms']:.0f}"] for r in results]
    average = sum(r["cpu_ms"] for r in results) / len(results)
    rows.append(["average", f"{average:.0f}", f"{sum(r['wall_ms'] for r in results) / len(results):.0f}"])
    print(table(["Page", "Processor time per warm run (ms)", "Wall time per warm run (ms)"], rows))
    if args.profile:
        names = [name for name, _ in LIBRARIES] + ["the dashboard's own code"]
        share_rows = []
        for r in results:
            whole = r["profile_s"] or float("nan")
            share_rows.append([r["page"]] + [f"{100 * r['inside'].get(n, 0.0) / whole:.0f}%" for n in names])
        print()
        print(table(["Page (share of the warm run's time inside ...)"] + names, share_rows))
        calls: dict[str, float] = {}
        for r in results:
            for key, seconds in r["calls"].items():
                calls[key] = calls.get(key, 0.0) + seconds / args.runs
        heaviest = sorted(((k, v) for k, v in calls.items() if not k.startswith("self: ")), key=lambda kv: -kv[1])[:15]
        print()
        print(table(["Functions with the most time of their own, all pages", "ms per warm run of every page"],
                    [[key[len("self: "):], f"{1000 * seconds:.1f}"] for key, seconds in
                     sorted(((k, v) for k, v in calls.items() if k.startswith("self: ")), key=lambda kv: -kv[1])[:20]]))
        print()
        print(table(["Heaviest library calls from the dashboard's code, all pages", "ms per warm run of every page"],
                    [[key, f"{1000 * seconds:.1f}"] for key, seconds in heaviest]))
        for r in results:
            if r["page"] == args.tree:
                print(r["text"])
    for r in results:
        if r["exceptions"]:
            print(f"{r['page']} raised: {r['exceptions'][0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
