"""Building the 10-times county's extract from its CSV export: time and peak memory.

    python -m benchmarks.import_csv              # measure, print and write the figures into README.md
    python -m benchmarks.import_csv --no-readme  # print only

The county is generated once into bench_data/scale_10/ (as `make bench` does) and written as
Wealdshire's own CSV export (python -m sample_data.export) into bench_data/scale_10_export/,
once. Each measured run is a fresh process running `python -m scrutiny.build_extract` with the
shipped mapping (mappings/wealdshire.yaml, child IDs hashed), reading every file, converting and
checking every value, writing the parquet extract and running the dashboard's validation on it.
Peak memory is the process's maximum resident set size. Target: under 60 s and under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.run import BENCH_DATA, REPO, county

SECONDS_TARGET = 60
MEMORY_TARGET_MB = 2048
RUNS = 2


def exported(scale: int) -> Path:
    folder = BENCH_DATA / f"scale_{scale}_export"
    done = folder / ".complete"
    if not done.is_file():
        from sample_data.export import export

        shutil.rmtree(folder, ignore_errors=True)
        print(f"Writing the {scale}-times county's CSV export into {folder.relative_to(REPO)} (once) ...", flush=True)
        export(county(scale), folder)
        done.write_text("")
    return folder


def _measure(source: Path, out: Path) -> dict:
    """Inside a fresh process: one build, timed, and this process's peak memory."""
    from scrutiny.build_extract import build
    from scrutiny.mapping import load_mapping

    started = time.perf_counter()
    result = build(source, out, load_mapping(REPO / "mappings" / "wealdshire.yaml"), salt="benchmark")
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
            "written": result.written,
            "errors": [p.message for p in result.errors], "rows": result.tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_csv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print("IMPORT-JSON " + json.dumps(_measure(*args.measure)), flush=True)
        return 0

    source = exported(args.scale)
    size_mb = sum(p.stat().st_size for p in source.iterdir() if p.is_file()) / 1024 / 1024
    runs = []
    for run in range(RUNS):
        out = BENCH_DATA / f"scale_{args.scale}_imported"
        shutil.rmtree(out, ignore_errors=True)
        print(f"Importing the {args.scale}-times export (run {run + 1} of {RUNS}) ...", flush=True)
        done = subprocess.run([sys.executable, "-m", "benchmarks.import_csv", "--measure", str(source), str(out)],
                              cwd=REPO, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
        found = [line for line in done.stdout.splitlines() if line.startswith("IMPORT-JSON ")]
        if done.returncode != 0 or not found:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
            return 1
        measured = json.loads(found[-1][len("IMPORT-JSON "):])
        if not measured["written"]:
            print("The import found errors:\n" + "\n".join(measured["errors"]), file=sys.stderr)
            return 1
        runs.append(measured)
    best = min(runs, key=lambda r: r["seconds"])
    peak = max(r["peak_mb"] for r in runs)
    rows = best["rows"]
    met = best["seconds"] < SECONDS_TARGET and peak < MEMORY_TARGET_MB
    load = os.getloadavg()[0]
    each = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    markdown = (
        f"Measured {date.today():%Y-%m-%d} with `python -m benchmarks.import_csv` (part of `make bench`) on "
        f"{os.cpu_count()} cores (load average {load:.1f} at the end), Python {platform.python_version()}: the "
        f"{args.scale}-times county's CSV export ({len([p for p in source.iterdir() if p.suffix == '.csv'])} files, "
        f"{size_mb:,.0f} MB; {rows.get('children', 0):,} children, {rows.get('attendances', 0):,} attendances) "
        f"imported with `mappings/wealdshire.yaml`, child IDs hashed, every value checked, the extract written and "
        f"validated: **{best['seconds']:.1f} s** (best of {RUNS}; {each}), "
        f"{best['cpu']:.0f} s of processor time (both cores together), "
        f"peak memory **{peak:,.0f} MB**. Target: under {SECONDS_TARGET} s and {MEMORY_TARGET_MB:,} MB. "
        + ("Met." if met else "Not met.")
    )
    print(markdown)
    if not args.no_readme:
        from benchmarks.readme import write_block

        print("Written to README.md." if write_block("import", markdown) else "README.md has no import markers.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
