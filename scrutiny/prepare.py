"""Prepares an extract's summaries ahead of time, so that the first visitor does not wait for them.

    python -m scrutiny.prepare EXTRACT_FOLDER [--cache-dir FOLDER]

Run it after each new extract arrives (after the nightly copy, say). It counts the per-child
summaries (queries/derived/) into the cache folder (DASHBOARD_CACHE_DIR, by default the user's
cache folder) with a progress bar; every copy of the dashboard that opens the same version of
the extract then reads them from there. When the summaries are already prepared it says so and
does nothing more. Run at the same time as a starting dashboard, one builds and the other waits.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from scrutiny import summaries
from scrutiny.extract import DATA_DIR_VARIABLE, open_extract


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.prepare", description=__doc__.split("\n\n")[0])
    parser.add_argument("extract", type=Path, help="the extract's folder (as DASHBOARD_DATA_DIR would name it)")
    parser.add_argument("--cache-dir", type=Path, help=f"where to keep the summaries (default: {summaries.cache_dir()})")
    args = parser.parse_args(argv)

    folder = args.extract.expanduser()
    if not folder.is_dir():
        print(f"{folder} is not a folder: give the folder that holds the extract's parquet files.", file=sys.stderr)
        return 2
    if args.cache_dir:
        os.environ[summaries.CACHE_DIR_VARIABLE] = str(args.cache_dir)

    names = summaries.build_order(summaries.sources())
    started = time.perf_counter()
    with tqdm(total=len(names) + 1, unit="step", desc="Preparing", file=sys.stderr) as bar:
        counted: list[str] = []

        def counting(name: str) -> None:
            if counted:
                bar.update(1)  # the one before is done
            counted.append(name)
            bar.set_description(f"Counting {name}")

        extract = open_extract(folder, progress=counting)
        bar.update(len(names) - bar.n)
        # The validation report is kept beside the summaries too, so the first visitor does not wait for it.
        bar.set_description("Checking against the data contract")
        os.environ[DATA_DIR_VARIABLE] = str(folder)
        from scrutiny import queries

        problems = queries.problems()
        bar.update(1)
    try:
        made = extract.summaries
        for name, why in sorted(made.failed.items()):
            print(f"The {name} summary could not be made ({why}); pages that need it say so.", file=sys.stderr)
        if made.note:
            print(made.note, file=sys.stderr)
            return 1
        seconds = time.perf_counter() - started
        errors = sum(p.is_error for p in problems)
        checked = (f"{errors} problem{'s' if errors != 1 else ''} and {len(problems) - errors} "
                   f"warning{'s' if len(problems) - errors != 1 else ''} against the data contract (see About the data)")
        if made.built:
            print(f"Prepared the summaries of {folder} in {seconds:.1f} s: {made.path}; {checked}.")
        else:
            print(f"Already prepared ({made.path}); {checked}.")
        return 0
    finally:
        extract.connection.close()


if __name__ == "__main__":
    sys.exit(main())
