"""Generate the fictional Wealdshire County Council extract.

Run from the repository root::

    python -m sample_data.generate                 # scale 1 into sample_data/
    python -m sample_data.generate --scale 10      # into bench_data/scale_10/
    python -m sample_data.generate --out DIR --scale 2 --seed 7

Everything is drawn from numpy's random Generator seeded with ``--seed``, so a
run with the same options writes the same bytes. ``--scale N`` multiplies the
areas, centres, libraries and children by about N (the years stay the same);
attendances are written in parts so memory stays modest at large scales.

The county, its people and its figures are invented. England GLD benchmarks are
the published DfE figures; every other benchmark is labelled illustrative or
fictional in its source column.

The steps live beside this file, one module each: calendar (dates), geography, sites,
people, attendances (and footfall), outcomes, feedback (its text is in comments.yaml),
write (types, parquet and text files); county holds what the steps share.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .attendances import write_attendances, write_footfall
from .county import County, Progress
from .feedback import write_feedback
from .geography import build_geography, write_boundaries
from .outcomes import write_outcomes
from .people import build_people, write_children, write_population
from .sites import build_sites, write_centres_areas, write_service_changes
from .write import write_extract_json

SAMPLE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SAMPLE_DIR.parent


def generate(out: Path, scale: int = 1, seed: int = 2026, progress: bool = False, level: int | None = None,
             sites: int | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    level = level if level is not None else (9 if scale <= 2 else 3)
    bar = Progress(progress, 12 + scale)  # the attendance step corrects the total once it knows the parts
    cy = County(seed=seed, scale=scale, out=out, level=level, progress=bar, sites=sites)
    steps = [
        ("geography", build_geography), ("sites", build_sites), ("centres and areas", write_centres_areas),
        ("people", build_people), ("children", write_children), ("population", write_population),
        ("attendances", write_attendances), ("footfall", write_footfall), ("outcomes", write_outcomes),
        ("feedback", write_feedback), ("service changes", write_service_changes), ("boundaries", write_boundaries),
        ("extract.json", write_extract_json),
    ]
    for label, fn in steps:
        fn(cy)
        if fn is not write_attendances:
            bar.step(label)
    bar.close()
    return cy.row_counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write (default sample_data/, or bench_data/scale_N/ when --scale N > 1)")
    parser.add_argument("--scale", type=int, default=1, help="multiply areas, centres and children by about N")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--sites", type=int, default=None,
                        help="multiply areas and sites by N instead of by --scale (a national shape)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    if args.sites is not None and args.sites < 1:
        parser.error("--sites must be 1 or more")
    default = f"scale_{args.scale}" + (f"_sites_{args.sites}" if args.sites else "")
    out = args.out or (SAMPLE_DIR if args.scale == 1 and not args.sites else REPO_DIR / "bench_data" / default)
    started = time.perf_counter()
    counts = generate(out, scale=args.scale, seed=args.seed, progress=args.scale > 1, sites=args.sites)
    took = time.perf_counter() - started
    width = max(len(k) for k in counts)
    for name, n in counts.items():
        print(f"{name:<{width}}  {n:>12,}")
    print(f"Wrote {out} in {took:.1f} s")
    return 0
