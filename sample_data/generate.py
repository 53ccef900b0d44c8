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
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

AUTHORITY_NAME = "Wealdshire County Council"
AUTHORITY = "Wealdshire"
EXTRACTED_ON = "2025-06-30"
YEARS = list(range(2017, 2025))  # financial years 2017-18 .. 2024-25
GLD_YEARS = [2017, 2018, 2021, 2022, 2023, 2024]  # no EYFSP collection in 2019-20 and 2020-21

# --------------------------------------------------------------------------------------
# Types: the contract's DuckDB types as Arrow types.
# --------------------------------------------------------------------------------------
S, I32, F64, DATE, LIST = pa.string(), pa.int32(), pa.float64(), pa.date32(), pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "centres": pa.schema([("centre_id", S), ("centre_name", S), ("site_type", S), ("cluster", S), ("lead_agency", S),
                          ("district", S), ("opened_on", DATE), ("closed_on", DATE), ("latitude", F64), ("longitude", F64)]),
    "areas": pa.schema([("area_code", S), ("area_name", S), ("centre_id", S), ("district", S),
                        ("imd_decile", I32), ("idaci_decile", I32)]),
    "population": pa.schema([("area_code", S), ("year", I32), ("target_group", S), ("children", I32)]),
    "children": pa.schema([("child_id", S), ("family_id", S), ("area_code", S), ("registered_centre_id", S),
                           ("registered_on", DATE), ("birth_month", DATE), ("target_groups", LIST)]),
    "attendances": pa.schema([("child_id", S), ("centre_id", S), ("attended_on", DATE), ("activity", S), ("tier", S)]),
    "footfall": pa.schema([("centre_id", S), ("month", DATE), ("visits", I32), ("new_registrations", I32), ("sessions", I32)]),
    "outcomes": pa.schema([("indicator", S), ("geography_level", S), ("geography_code", S), ("year", I32),
                           ("group_type", S), ("group", S), ("numerator", I32), ("denominator", I32)]),
    "indicators": pa.schema([("indicator", S), ("title", S), ("domain", S), ("polarity", S), ("gap_group_type", S),
                             ("gap_focus_group", S), ("gap_reference_group", S), ("comparability_break_year", I32), ("source", S)]),
    "benchmarks": pa.schema([("indicator", S), ("geography", S), ("year", I32), ("group_type", S), ("group", S),
                             ("value", F64), ("lower_ci", F64), ("upper_ci", F64), ("source", S)]),
    "feedback": pa.schema([("response_id", S), ("consultation", S), ("collected_on", DATE), ("respondent_type", S),
                           ("site_type", S), ("centre_id", S), ("comment", S), ("themes", LIST), ("sentiment", S)]),
    "service_changes": pa.schema([("changed_on", DATE), ("title", S), ("detail", S), ("centre_id", S)]),
}

# --------------------------------------------------------------------------------------
# Dates as integer days since 1970-01-01, months as integer months since 1970-01.
# --------------------------------------------------------------------------------------


def day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def month_index(year: int, month: int) -> int:
    return (year - 1970) * 12 + month - 1


def month_to_day(m) -> np.ndarray:
    return np.asarray(m, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def day_to_month(d) -> np.ndarray:
    return np.asarray(d, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


FIVE_YEARS = 1826
LAST_DAY = day("2025-03-31")
FIRST_MONTH = month_index(2017, 4)
N_MONTHS = 96  # April 2017 .. March 2025
RECOMMISSIONED = day("2021-04-01")
CLOSED_ON = day("2021-03-31")
BIRTHS_FROM = month_index(2012, 5)  # the oldest children under five at some point in 2017-18
BIRTHS_TO = month_index(2025, 3)


def fy_bounds(year: int) -> tuple[int, int]:
    return day(f"{year}-04-01"), day(f"{year + 1}-03-31")


def under_five_window(year: int) -> tuple[int, int]:
    """Birth months (inclusive) of children under five at some point in financial year ``year``.

    The dashboard's rule: birth_month <= 31 March and birth_month + 5 years > 1 April.
    """
    return month_index(year - 5, 5), month_index(year + 1, 3)


# --------------------------------------------------------------------------------------
# The fictional county.
# --------------------------------------------------------------------------------------

KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(52.3))
LON0, LAT0 = -0.8, 52.3
HALF_W, HALF_H = 0.4 * KM_PER_DEG_LON, 0.3 * KM_PER_DEG_LAT


@dataclass(frozen=True)
class District:
    name: str
    seed: tuple[float, float]  # position in the unit ellipse
    share: float  # share of the county's areas
    deprivation: float  # offset of the latent affluence score (negative = more deprived)
    urban: float  # strength of the deprived town centre
    minority: float  # share of families from minority ethnic groups in an average area
    town: str  # name of the main library


DISTRICTS = [
    District("Wealdbridge", (0.02, 0.05), 0.22, -0.55, 1.0, 0.26, "Wealdbridge Central"),
    District("Ashcombe", (0.58, 0.48), 0.15, -0.30, 0.8, 0.22, "Ashcombe"),
    District("St Aldric's", (0.58, -0.52), 0.12, -0.80, 0.6, 0.07, "St Aldric's"),
    District("Kingsmere & Vale", (-0.58, 0.46), 0.14, 0.05, 0.4, 0.10, "Kingsmere"),
    District("Hollinford", (-0.62, -0.46), 0.13, 0.25, 0.4, 0.07, "Hollinford"),
    District("Brackenhurst", (-0.05, 0.82), 0.12, 0.75, 0.1, 0.05, "Brackenhurst"),
    District("Oakley Downs", (0.02, -0.84), 0.12, 0.85, 0.1, 0.04, "Oakley"),
]
GAP_NARROWS, GAP_WIDENS = "St Aldric's", "Ashcombe"
RURAL = ("Brackenhurst", "Oakley Downs", "Hollinford")

LEAD_AGENCIES = [
    "Wealdshire Council Early Years", "Action for Children", "Barnardo's", "Family Action", "Spurgeons",
    "The Children's Society", "Ormiston Families", "Home-Start Wealdshire", "Oakfield Learning Trust",
    "St Aldric's Church of England Academy Trust", "Kingsmere & Vale Community Partnership",
    "Hollinford Nursery School Federation",
]
LIBRARY_AGENCY = "Wealdshire Libraries"

GROUPS = ["lone_parent", "teenage_parent", "workless_household", "minority_ethnic", "disabled_child",
          "child_protection_plan", "child_in_need", "troubled_family", "eligible_two_year_old"]
G = {g: i for i, g in enumerate(GROUPS)}
POPULATION_GROUPS = ["all"] + GROUPS
VULNERABLE = [G[g] for g in GROUPS if g != "minority_ethnic"]

PLACE_PREFIXES = ["Ash", "Alder", "Bram", "Brook", "Bur", "Clay", "Cold", "Crow", "Elm", "Fair", "Fern", "Har",
                  "Hazel", "Holm", "Kel", "Lang", "Lark", "Lin", "Mar", "Mill", "Nor", "Oak", "Pen", "Quen", "Red",
                  "Rook", "Sand", "Shep", "Stan", "Sut", "Thorn", "Wat", "Whit", "Wil", "Wood", "Yar", "Bex", "Caster",
                  "Dun", "Eden", "Ford", "Glen", "Hart", "Ivy", "Kings", "Lox", "Mead", "Nether"]
PLACE_SUFFIXES = ["bury", "by", "combe", "den", "field", "ford", "gate", "ham", "hill", "hurst", "leigh", "ley",
                  "mere", "stead", "ton", "well", "wick", "worth", "thorpe", "brook", "cote", "dale"]
PLACE_QUALIFIERS = ["", " Green", " Park", " Vale", " Heath", " Common", " End", " Cross", " Meadows", " Fields"]

# (name, tier, youngest month, oldest month, site kinds: c = centre, l = library, o = outreach, weight)
ACTIVITIES = [
    ("Stay and play", "universal", 0, 60, "co", 10.0),
    ("Rhymetime", "universal", 0, 48, "cl", 6.0),
    ("Bookstart", "universal", 0, 60, "l", 3.0),
    ("Story time", "universal", 18, 60, "l", 4.0),
    ("Baby massage", "universal", 0, 8, "c", 6.0),
    ("Health visitor clinic", "universal", 0, 30, "c", 6.0),
    ("Messy play", "universal", 12, 60, "co", 4.0),
    ("Breastfeeding support", "targeted", 0, 8, "c", 6.0),
    ("Parenting programme", "targeted", 0, 60, "co", 4.0),
    ("Speech and language group", "targeted", 18, 60, "cl", 5.0),
    ("Young parents group", "targeted", 0, 60, "c", 2.0),
    ("Early learning for two-year-olds", "targeted", 24, 41, "c", 4.0),
    ("One-to-one family support", "specialist", 0, 60, "co", 6.0),
    ("Perinatal mental health support", "specialist", 0, 11, "c", 3.0),
    ("Speech and language therapy", "specialist", 18, 60, "c", 3.0),
]
TIERS = ["universal", "targeted", "specialist"]
AGE_BANDS = np.array([0, 9, 12, 18, 24, 42, 48], dtype=np.int64)  # lower bounds in months


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def logit(p):
    return math.log(p / (1 - p))


# --------------------------------------------------------------------------------------
# Writing.
# --------------------------------------------------------------------------------------


def s_arr(values, mask=None) -> pa.Array:
    return pa.array(values, type=S, mask=mask)


def i_arr(values, mask=None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32), type=I32, mask=mask)


def f_arr(values, mask=None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), type=F64, mask=mask)


def d_arr(days, mask=None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), type=DATE, mask=mask)


def list_arr(offsets: np.ndarray, values: pa.Array, mask=None) -> pa.Array:
    arr = pa.ListArray.from_arrays(pa.array(np.asarray(offsets, dtype=np.int32)), values,
                                   mask=None if mask is None else pa.array(mask))
    return arr.cast(LIST)


def write_table(name: str, arrays: dict, out: Path, level: int = 9, path: Path | None = None) -> pa.Table:
    schema = SCHEMAS[name]
    table = pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema)
    target = path or out / f"{name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a dashboard reading the folder never sees half a file.
    partial = target.with_name(target.name + ".partial")
    pq.write_table(table, partial, compression="zstd", compression_level=level, use_dictionary=True,
                   write_statistics=True, row_group_size=1 << 20)
    os.replace(partial, target)
    return table


# --------------------------------------------------------------------------------------
# Small helpers.
# --------------------------------------------------------------------------------------


def kmeans(xy: np.ndarray, k: int, rng: np.random.Generator, iters: int = 25) -> np.ndarray:
    """Labels 0..k-1 for the points, every label used; farthest-point start then Lloyd."""
    n = len(xy)
    if k >= n:
        return np.arange(n)
    px, py = np.ascontiguousarray(xy[:, 0], dtype=float), np.ascontiguousarray(xy[:, 1], dtype=float)
    first = int(rng.integers(n))
    seeds = [first]
    dist = (px - px[first]) ** 2 + (py - py[first]) ** 2
    for _ in range(1, k):
        j = int(np.argmax(dist))
        seeds.append(j)
        np.minimum(dist, (px - px[j]) ** 2 + (py - py[j]) ** 2, out=dist)
    cx, cy_ = px[seeds].copy(), py[seeds].copy()

    def nearest() -> np.ndarray:
        return ((px[:, None] - cx[None, :]) ** 2 + (py[:, None] - cy_[None, :]) ** 2).argmin(1)

    for _ in range(iters):
        lab = nearest()
        counts = np.bincount(lab, minlength=k)
        has = counts > 0
        cx[has] = np.bincount(lab, weights=px, minlength=k)[has] / counts[has]
        cy_[has] = np.bincount(lab, weights=py, minlength=k)[has] / counts[has]
    lab = nearest()
    # Every label must be used: give an empty label the point nearest its centre from a label with spare points.
    for _ in range(k):
        counts = np.bincount(lab, minlength=k)
        empty = np.flatnonzero(counts == 0)
        if len(empty) == 0:
            break
        j = empty[0]
        d = (px - cx[j]) ** 2 + (py - cy_[j]) ** 2
        d[counts[lab] <= 1] = np.inf
        lab[int(np.argmin(d))] = j
    return lab


def largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    raw = w / w.sum() * total
    out = np.maximum(np.floor(raw).astype(int), minimum)
    while out.sum() < total:
        out[int(np.argmax(raw - out))] += 1
    while out.sum() > total:
        out[int(np.argmax(out - raw))] -= 1
    return out


def to_deciles(score: np.ndarray, shares: list[float]) -> np.ndarray:
    """Rank the scores (lowest = most deprived) and cut them into deciles with the given shares."""
    n = len(score)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(score, kind="stable")] = np.arange(n)
    cum = np.cumsum(shares) / np.sum(shares)
    return (np.searchsorted(cum, (rank + 0.5) / n) + 1).astype(np.int32)


def place_names(rng: np.random.Generator, reserved: set[str]) -> list[str]:
    combos = [p + s for p in PLACE_PREFIXES for s in PLACE_SUFFIXES
              if p.lower()[-2:] != s[:2] and not (p.lower().endswith(s) or s.startswith(p.lower()))]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    names = []
    for q in PLACE_QUALIFIERS:
        names.extend(c + q for c in combos if c + q not in reserved)
    return names


def pseudonym(prefix: str, n: int, mult: int, add: int) -> pa.Array:
    """n distinct, random-looking codes (a letter and 8 hex digits): an affine bijection of 0..n-1 modulo 2**32."""
    v = (np.arange(n, dtype=np.uint64) * np.uint64(mult) + np.uint64(add)) % np.uint64(1 << 32)
    hex_digits = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    shifts = np.arange(28, -1, -4, dtype=np.uint64)
    buf = np.empty((n, 9), dtype=np.uint8)
    buf[:, 0] = ord(prefix)
    buf[:, 1:] = hex_digits[((v[:, None] >> shifts) & np.uint64(15)).astype(np.intp)]
    return pa.array(buf.view("S9").ravel(), type=pa.binary()).cast(S)


class Progress:
    def __init__(self, enabled: bool, total: int):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", desc="Wealdshire", file=sys.stderr)

    def step(self, label: str, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label)
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class County:
    """Everything generated so far, shared between the steps."""

    seed: int
    scale: int
    out: Path
    level: int
    progress: Progress
    t: dict = field(default_factory=dict)
    row_counts: dict = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode()), self.scale])


# --------------------------------------------------------------------------------------
# 1. Geography: a hexagon per area inside a wobbly ellipse, districts, deprivation.
# --------------------------------------------------------------------------------------


def build_geography(cy: County) -> None:
    rng = cy.rng("geography")
    n = 600 * cy.scale
    s = math.sqrt(math.pi * HALF_W * HALF_H / n / (1.5 * math.sqrt(3)))
    dx, dy = math.sqrt(3) * s, 1.5 * s
    cols, rows = int(2.8 * HALF_W / dx) + 4, int(2.8 * HALF_H / dy) + 4
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    r, c = r.ravel(), c.ravel()
    x = (c - cols / 2) * dx + (r % 2) * dx / 2
    y = (r - rows / 2) * dy
    ex, ey = x / HALF_W, y / HALF_H
    theta = np.arctan2(ey, ex)
    ph = rng.uniform(0, 2 * math.pi, 3)
    wobble = 1 + 0.08 * np.sin(3 * theta + ph[0]) + 0.05 * np.sin(5 * theta + ph[1]) + 0.03 * np.sin(9 * theta + ph[2])
    keep = np.sort(np.argsort(np.hypot(ex, ey) / wobble, kind="stable")[:n])
    x, y = x[keep], y[keep]

    # Districts: a power diagram whose weights are nudged until each district has its share of areas.
    seeds = np.array([[d.seed[0] * HALF_W, d.seed[1] * HALF_H] for d in DISTRICTS])
    target = np.array([d.share for d in DISTRICTS])
    target = target / target.sum()
    w = np.zeros(len(DISTRICTS))
    d2 = ((x[:, None] - seeds[None, :, 0]) ** 2 + (y[:, None] - seeds[None, :, 1]) ** 2)
    for _ in range(400):
        lab = (d2 - w).argmin(1)
        share = np.bincount(lab, minlength=len(DISTRICTS)) / n
        if np.abs(share - target).max() < 0.004:
            break
        w += (target - share) * 300.0
    district = (d2 - w).argmin(1)

    # Latent affluence: district offset, a deprived town centre, a smooth field and noise.
    off = np.array([d.deprivation for d in DISTRICTS])[district]
    urban = np.array([d.urban for d in DISTRICTS])[district]
    dist_town = np.sqrt(d2[np.arange(n), district])
    k = 24
    ang, wl, phs = rng.uniform(0, 2 * math.pi, k), rng.uniform(8, 30, k), rng.uniform(0, 2 * math.pi, k)
    smooth = np.cos(2 * math.pi * (np.outer(x, np.cos(ang)) + np.outer(y, np.sin(ang))) / wl + phs).sum(1) / math.sqrt(k / 2)
    z = off - 1.1 * urban * np.exp(-dist_town ** 2 / (2 * 6.0 ** 2)) + 0.45 * smooth + rng.normal(0, 0.45, n)
    imd = to_deciles(z, [0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.12, 0.12, 0.13])
    zi = z + rng.normal(0, 0.35, n)
    idaci = to_deciles(zi, [0.07, 0.08, 0.08, 0.09, 0.10, 0.11, 0.11, 0.12, 0.12, 0.12])
    idaci_null = rng.random(n) < 0.03
    minority = np.clip(np.array([d.minority for d in DISTRICTS])[district] * np.exp(-0.45 * z + 0.8 * urban *
                       np.exp(-dist_town ** 2 / (2 * 5.0 ** 2))) * rng.lognormal(0, 0.3, n), 0.01, 0.7)
    cy.t.update(n_areas=n, x=x, y=y, hex=s, district=district, z=(z - z.mean()) / z.std(), imd=imd, idaci=idaci,
                idaci_null=idaci_null, minority=minority)


# --------------------------------------------------------------------------------------
# 2. Sites: children's centres with reach areas, clusters, lead agencies, libraries, outreach.
# --------------------------------------------------------------------------------------


def build_sites(cy: County) -> None:
    t, rng, scale = cy.t, cy.rng("sites"), cy.scale
    x, y, district, z = t["x"], t["y"], t["district"], t["z"]
    nd = len(DISTRICTS)
    cells_d = np.bincount(district, minlength=nd)
    dep = np.array([d.deprivation for d in DISTRICTS])
    n_cc = 60 * scale
    cc_d = largest_remainder(cells_d * (1 + 0.35 * np.clip(-dep, -0.6, 1.0)), n_cc)
    area_centre = np.empty(t["n_areas"], dtype=np.int64)
    centre_district, centre_xy, centre_cluster = [], [], []
    cluster_district, n_clusters = [], 0
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        xy = np.c_[x[cells], y[cells]]
        lab = kmeans(xy, int(cc_d[d]), rng)
        base = len(centre_district)
        # Number centres within a district from north-west to south-east, so codes read sensibly.
        cen = np.array([xy[lab == j].mean(0) for j in range(cc_d[d])])
        order = np.lexsort((cen[:, 0], -np.round(cen[:, 1] / 6)))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        area_centre[cells] = base + rank[lab]
        for j in order:
            members = cells[lab == j]
            # The centre sits in the most deprived area near the middle of its reach area.
            mid = xy[lab == j].mean(0)
            score = np.hypot(x[members] - mid[0], y[members] - mid[1]) / t["hex"] + 0.8 * z[members]
            home = members[int(np.argmin(score))]
            centre_xy.append((x[home] + rng.uniform(-0.3, 0.3) * t["hex"], y[home] + rng.uniform(-0.3, 0.3) * t["hex"]))
            centre_district.append(d)
        k_cl = max(1, int(round(cc_d[d] / 3)))
        cl = kmeans(np.array(centre_xy[base:]), k_cl, rng)
        centre_cluster.extend(n_clusters + cl)
        cluster_district.extend([d] * k_cl)
        n_clusters += k_cl
    centre_district = np.array(centre_district)
    centre_xy = np.array(centre_xy)
    centre_cluster = np.array(centre_cluster)
    cluster_district = np.array(cluster_district)

    # Cluster names: a compass point within small districts, numbers within large ones.
    cluster_names = []
    for d in range(nd):
        ids = np.flatnonzero(cluster_district == d)
        name = DISTRICTS[d].name
        if len(ids) == 1:
            cluster_names.append(name)
            continue
        mids = np.array([centre_xy[centre_cluster == c].mean(0) for c in ids])
        centre_d = mids.mean(0)
        labels = []
        if len(ids) <= 6:
            central = int(np.argmin(np.hypot(*(mids - centre_d).T))) if len(ids) >= 3 else -1
            for i, m in enumerate(mids):
                if i == central:
                    labels.append("Central")
                    continue
                a = math.degrees(math.atan2(m[1] - centre_d[1], m[0] - centre_d[0])) % 360
                labels.append(["East", "North East", "North", "North West", "West", "South West", "South",
                               "South East"][int(((a + 22.5) % 360) // 45)])
            seen: dict[str, int] = {}
            for i, lab in enumerate(labels):
                seen[lab] = seen.get(lab, 0) + 1
                if seen[lab] > 1:
                    labels[i] = f"{lab} {seen[lab]}"
        else:
            labels = [f"Cluster {i + 1}" for i in range(len(ids))]
        cluster_names.extend(f"{name} {lab}" for lab in labels)

    reserved = {d.name for d in DISTRICTS} | {d.town for d in DISTRICTS}
    places = place_names(rng, reserved)
    n_lib = 30 * scale
    n_out = 2 * scale
    if len(places) < n_cc + n_lib:
        places += [f"{p} {i}" for i, p in enumerate(places[: n_cc + n_lib - len(places)], start=2)]

    # Lead agencies: the council runs a few clusters; the rest are spread over the charities and trusts.
    agency_of_cluster = np.empty(n_clusters, dtype=np.int64)
    perm = rng.permutation(n_clusters)
    for i, c in enumerate(perm):
        agency_of_cluster[c] = i % len(LEAD_AGENCIES)

    # Statuses: closures in the 2021 re-commissioning, two late openings, family hubs from 2023.
    n_closed, n_late, n_hubs = 6 * scale, 2 * scale, 12 * scale
    reach_z = np.bincount(area_centre, weights=z, minlength=n_cc) / np.bincount(area_centre, minlength=n_cc)
    cluster_size = np.bincount(centre_cluster, minlength=n_clusters)
    # Closures fall mostly in better-off areas, at most one per cluster, never a cluster's only centre.
    closed: list[int] = []
    order = np.argsort(-(reach_z + rng.normal(0, 0.6, n_cc)), kind="stable")
    used_clusters: set[int] = set()
    for c in order:
        cl = centre_cluster[c]
        if cluster_size[cl] >= 2 and cl not in used_clusters:
            closed.append(int(c))
            used_clusters.add(cl)
        if len(closed) == n_closed - scale:
            break
    # ...and one in a deprived area, which is what story 5 is partly about.
    for c in np.argsort(reach_z + rng.normal(0, 0.3, n_cc), kind="stable"):
        cl = centre_cluster[c]
        if cluster_size[cl] >= 2 and cl not in used_clusters and len(closed) < n_closed:
            closed.append(int(c))
            used_clusters.add(cl)
    closed_set = set(closed)
    others = [c for c in rng.permutation(n_cc) if c not in closed_set]
    late = [int(c) for c in others[:n_late]]
    late_set = set(late)
    open_ = [c for c in range(n_cc) if c not in closed_set]
    # Story 5: clusters (mostly in poorer areas) whose lead agency changed in the re-commissioning.
    agency_change_clusters: list[int] = []
    cluster_z = np.bincount(centre_cluster, weights=reach_z, minlength=n_clusters) / cluster_size
    for cl in np.argsort(cluster_z + rng.normal(0, 0.5, n_clusters), kind="stable"):
        members = np.flatnonzero(centre_cluster == cl)
        if len(members) >= 3 and not any(m in closed_set or m in late_set for m in members):
            agency_change_clusters.append(int(cl))
        if len(agency_change_clusters) == 2 * scale:
            break
    R = {int(c) for c in range(n_cc) if centre_cluster[c] in set(agency_change_clusters)}
    # Hubs: the most deprived open centres, one per cluster, none in the clusters that changed hands.
    hubs: list[int] = []
    hub_clusters: set[int] = set()
    for c in sorted(open_, key=lambda c: reach_z[c]):
        if c in late_set or c in R or centre_cluster[c] in hub_clusters:
            continue
        hubs.append(c)
        hub_clusters.add(centre_cluster[c])
        if len(hubs) == n_hubs:
            break
    hub_set = set(hubs)

    opened = rng.integers(day("2004-06-01"), day("2011-03-31"), n_cc)
    opened_null = rng.random(n_cc) < 0.1
    late_dates = [day("2019-09-02"), day("2022-05-03")]
    for i, c in enumerate(late):
        opened[c] = late_dates[i % 2]
        opened_null[c] = False
    open_day = np.where(opened_null, -10 ** 6, opened)
    close_day = np.full(n_cc, 10 ** 6)
    close_day[closed] = CLOSED_ON
    hub_day = np.full(n_cc, 10 ** 6)
    # Conversions on the first Monday of a month between October 2023 and June 2024.
    firsts = month_to_day(np.sort(rng.integers(month_index(2023, 10), month_index(2024, 7), n_hubs)))
    hub_dates = firsts + (7 - (firsts + 3) % 7) % 7
    for i, c in enumerate(rng.permutation(np.array(hubs, dtype=np.int64))):
        hub_day[c] = hub_dates[i]

    # A closed or late centre's children go to the nearest continuing centre in the same district.
    continuing = np.array([(c not in closed_set) and (c not in late_set) for c in range(n_cc)])
    fallback = np.arange(n_cc)
    for c in range(n_cc):
        if not continuing[c]:
            cand = np.flatnonzero(continuing & (centre_district == centre_district[c]))
            dd = np.hypot(*(centre_xy[cand] - centre_xy[c]).T)
            fallback[c] = cand[int(np.argmin(dd))]

    # Story sets (disjoint, among continuing centres).
    avail = [c for c in range(n_cc) if continuing[c]]
    avail = [c for c in avail if c not in R]
    minority_c = (np.bincount(area_centre, weights=t["minority"], minlength=n_cc)
                  / np.bincount(area_centre, minlength=n_cc))
    Q = sorted([c for c in avail if c not in hub_set], key=lambda c: reach_z[c])[: scale]
    avail = [c for c in avail if c not in Q]
    H = sorted(avail, key=lambda c: (reach_z[c] - 0.8 * (c in hub_set)))[: 4 * scale]
    avail = [c for c in avail if c not in H]
    L = sorted(avail, key=lambda c: -minority_c[c])[: 6 * scale]
    avail = [c for c in avail if c not in L]
    B = sorted(avail, key=lambda c: -reach_z[c])[: 3 * scale]

    # Libraries: a few per district, biggest towns first; outreach: a family bus and a travellers' service.
    lib_d = largest_remainder(cells_d, n_lib)
    lib_district, lib_xy, lib_names = [], [], []
    name_i = n_cc
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        xy = np.c_[x[cells], y[cells]]
        lab = kmeans(xy, int(lib_d[d]), rng)
        sizes = np.bincount(lab, minlength=lib_d[d])
        # The central library sits nearest the district's town centre.
        town = np.array(DISTRICTS[d].seed) * [HALF_W, HALF_H]
        mids = np.array([xy[lab == j].mean(0) for j in range(lib_d[d])])
        first = int(np.argmin(np.hypot(*(mids - town).T)))
        for j in [first] + [j for j in np.argsort(-sizes, kind="stable") if j != first]:
            members = cells[lab == j]
            mid = mids[j] if j != first else town
            home = members[int(np.argmin(np.hypot(x[members] - mid[0], y[members] - mid[1])))]
            lib_xy.append((x[home] + rng.uniform(-0.3, 0.3) * t["hex"], y[home] + rng.uniform(-0.3, 0.3) * t["hex"]))
            lib_district.append(d)
            if j == first and not any(n.startswith(DISTRICTS[d].town + " Library") for n in lib_names):
                lib_names.append(f"{DISTRICTS[d].town} Library")
            else:
                lib_names.append(f"{places[name_i]} Library")
                name_i += 1
    lib_district = np.array(lib_district)
    lib_xy = np.array(lib_xy)
    out_names = (["Wealdshire Family Bus", "Traveller and Boater Families Outreach"] * scale)[:n_out]
    out_names = [nm if i < 2 else f"{nm} {i // 2 + 1}" for i, nm in enumerate(out_names)]
    out_district = np.array([DISTRICTS.index(next(d for d in DISTRICTS if d.name == nm)) for nm in
                             (["Oakley Downs", "Kingsmere & Vale"] * scale)[:n_out]])

    width = max(3, len(str(max(n_cc, n_lib, n_out))))
    ids = ([f"CC{i + 1:0{width}d}" for i in range(n_cc)] + [f"LIB{i + 1:0{width}d}" for i in range(n_lib)]
           + [f"OUT{i + 1:0{width}d}" for i in range(n_out)])
    cc_names = [places[c] + (" Family Hub" if c in hub_set else " Children's Centre") for c in range(n_cc)]
    n_sites = n_cc + n_lib + n_out
    kind = np.array([0] * n_cc + [1] * n_lib + [2] * n_out, dtype=np.int8)  # 0 centre, 1 library, 2 outreach
    site_district = np.r_[centre_district, lib_district, out_district]
    site_xy = np.r_[centre_xy, lib_xy, np.full((n_out, 2), np.nan)]
    full_open = np.r_[open_day, np.full(n_lib, -10 ** 6), np.full(n_out, day("2016-05-03"))]
    full_close = np.r_[close_day, np.full(n_lib + n_out, 10 ** 6)]
    full_fallback = np.r_[fallback, np.arange(n_cc, n_sites)]
    site_cluster = np.r_[centre_cluster, np.full(n_lib + n_out, -1)]

    # Each area's nearest library (its children's library visits go there).
    area_lib = np.empty(t["n_areas"], dtype=np.int64)
    for d in range(nd):
        cells = np.flatnonzero(district == d)
        libs = np.flatnonzero(lib_district == d)
        dd = np.hypot(x[cells, None] - lib_xy[None, libs, 0], y[cells, None] - lib_xy[None, libs, 1])
        area_lib[cells] = n_cc + libs[dd.argmin(1)]

    t.update(n_cc=n_cc, n_lib=n_lib, n_out=n_out, n_sites=n_sites, site_ids=ids, kind=kind,
             area_centre=area_centre, centre_district=centre_district, centre_cluster=centre_cluster,
             cluster_names=cluster_names, agency_of_cluster=agency_of_cluster, site_district=site_district,
             site_xy=site_xy, open_day=full_open, close_day=full_close, fallback=full_fallback, hub_day=hub_day,
             closed=sorted(closed), late=late, hubs=sorted(hubs), R=sorted(R), Q=Q, H=sorted(H), L=sorted(L),
             B=sorted(B), agency_change_clusters=agency_change_clusters, site_cluster=site_cluster,
             area_lib=area_lib, reach_z=reach_z, site_names=cc_names + lib_names + out_names,
             opened_null=np.r_[opened_null, np.ones(n_lib, bool), np.zeros(n_out, bool)],
             centre_places=[places[c] for c in range(n_cc)])

    # Story flags per centre, used by the models below.
    flags = {}
    for key in ("R", "Q", "H", "L", "B"):
        f = np.zeros(n_sites, dtype=bool)
        f[t[key]] = True
        flags[key] = f
    f = np.zeros(n_sites, dtype=bool)
    f[closed] = True
    flags["closed"] = f
    t["flag"] = flags


def effective_site(cy: County, site: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The site itself when open on the day, else its fallback."""
    t = cy.t
    ok = (when >= t["open_day"][site]) & (when <= t["close_day"][site])
    return np.where(ok, site, t["fallback"][site])


def cluster_mate(cy: County, centre: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A centre drawn (by the uniform numbers u) from the same cluster as each given centre."""
    t = cy.t
    if "cluster_members" not in t:
        cl = t["centre_cluster"]
        order = np.argsort(cl, kind="stable")
        size = np.bincount(cl)
        t["cluster_members"] = (order, np.r_[0, np.cumsum(size)[:-1]], size)
    order, start, size = t["cluster_members"]
    cl = t["centre_cluster"][centre]
    return order[start[cl] + (u * size[cl]).astype(np.int64)]


def write_centres_areas(cy: County) -> None:
    t = cy.t
    n_cc, n_sites = t["n_cc"], t["n_sites"]
    site_type = np.array(["children_centre"] * n_cc + ["library"] * t["n_lib"] + ["outreach"] * t["n_out"], dtype=object)
    site_type[t["hubs"]] = "family_hub"
    cluster = [t["cluster_names"][c] for c in t["centre_cluster"]] + [None] * (n_sites - n_cc)
    agency = ([LEAD_AGENCIES[t["agency_of_cluster"][c]] for c in t["centre_cluster"]] + [LIBRARY_AGENCY] * t["n_lib"]
              + [LEAD_AGENCIES[0]] * t["n_out"])
    lon = LON0 + t["site_xy"][:, 0] / KM_PER_DEG_LON
    lat = LAT0 + t["site_xy"][:, 1] / KM_PER_DEG_LAT
    nan = np.isnan(lon)
    opened_mask = t["opened_null"] | (t["open_day"] < -10 ** 5)
    closed_mask = t["close_day"] > 10 ** 5
    write_table("centres", {
        "centre_id": s_arr(t["site_ids"]), "centre_name": s_arr(t["site_names"]), "site_type": s_arr(site_type.tolist()),
        "cluster": s_arr(cluster), "lead_agency": s_arr(agency),
        "district": s_arr([DISTRICTS[d].name for d in t["site_district"]]),
        "opened_on": d_arr(np.where(opened_mask, 0, t["open_day"]), mask=opened_mask),
        "closed_on": d_arr(np.where(closed_mask, 0, t["close_day"]), mask=closed_mask),
        "latitude": f_arr(np.round(np.where(nan, 0, lat), 5), mask=nan),
        "longitude": f_arr(np.round(np.where(nan, 0, lon), 5), mask=nan),
    }, cy.out, cy.level)
    cy.row_counts["centres"] = n_sites

    # Areas: codes run district by district, reach area by reach area, like LSOA codes within a district.
    n = t["n_areas"]
    order = np.lexsort((t["y"] * -1, t["x"], t["area_centre"], t["district"]))
    code_of = np.empty(n, dtype=np.int64)
    code_of[order] = np.arange(n)
    t["area_codes"] = [f"E01{900001 + code_of[a]:06d}" for a in range(n)]
    names = [None] * n
    counters = np.zeros(len(DISTRICTS), dtype=int)
    for a in order:
        d = t["district"][a]
        i = counters[d]
        counters[d] += 1
        names[a] = f"{DISTRICTS[d].name} {i // 4 + 1:03d}{'ABCD'[i % 4]}"
    rng = cy.rng("area-names")
    for a in np.flatnonzero(rng.random(n) < 0.01):
        names[a] = None
    t["area_names"] = names
    idaci = t["idaci"]
    write_table("areas", {
        "area_code": s_arr([t["area_codes"][a] for a in order]),
        "area_name": s_arr([names[a] for a in order]),
        "centre_id": s_arr([t["site_ids"][t["area_centre"][a]] for a in order]),
        "district": s_arr([DISTRICTS[t["district"][a]].name for a in order]),
        "imd_decile": i_arr(t["imd"][order]),
        "idaci_decile": i_arr(np.where(t["idaci_null"], 0, idaci)[order], mask=t["idaci_null"][order]),
    }, cy.out, cy.level)
    cy.row_counts["areas"] = n
    t["area_order"] = order


# --------------------------------------------------------------------------------------
# 3. People: families, every under-five in the county, who registers and when.
# --------------------------------------------------------------------------------------


def build_people(cy: County) -> None:
    t, rng = cy.t, cy.rng("people")
    n_areas, z = t["n_areas"], t["z"]
    # About 45,000 children are under five at some point in a year (71 birth months); births fall ~1.5% a year.
    births_per_month = 640.0 * cy.scale
    weight = np.exp(-0.18 * z) * rng.lognormal(0, 0.2, n_areas)
    fam_births = births_per_month * weight / weight.sum()  # per area per month, at the 2015 level
    span_from, span_to = month_index(2003, 1), BIRTHS_TO
    months = span_to - span_from + 1
    kids_p = np.array([0.45, 0.37, 0.13, 0.05])
    mean_kids = float((np.arange(1, 5) * kids_p).sum())
    n_fam = rng.poisson(fam_births * months / mean_kids * 1.06)
    fam_area = np.repeat(np.arange(n_areas), n_fam)
    F = len(fam_area)
    first = span_from + rng.integers(0, months, F)
    trend = 1 - 0.015 * ((first - month_index(2015, 1)) / 12)
    keep_f = rng.random(F) < np.clip(trend, 0.5, 1.06) / 1.06
    fam_area, first = fam_area[keep_f], first[keep_f]
    F = len(fam_area)
    kids = rng.choice(np.arange(1, 5), size=F, p=kids_p)
    gaps = np.c_[np.zeros(F, dtype=np.int64), np.round(14 + rng.gamma(2.2, 9.0, (F, 3))).astype(np.int64)].cumsum(1)
    child_fam = np.repeat(np.arange(F), kids)
    order_in_fam = np.arange(len(child_fam)) - np.repeat(np.cumsum(kids) - kids, kids)
    bm = first[child_fam] + gaps[child_fam, order_in_fam]
    keep = (bm >= BIRTHS_FROM) & (bm <= BIRTHS_TO)
    child_fam, order_in_fam, bm = child_fam[keep], order_in_fam[keep], bm[keep]
    del gaps, keep
    n = len(bm)
    area = fam_area[child_fam]

    # Family circumstances.
    u = z[fam_area] + rng.normal(0, 0.9, F)
    fam = {
        "fsm": rng.random(F) < logistic(-2.25 - 1.1 * u),
        "workless": rng.random(F) < logistic(-2.95 - 1.1 * u),
        "lone": rng.random(F) < logistic(-1.85 - 0.75 * u),
        "teen": rng.random(F) < logistic(-3.6 - 0.8 * u),
        "minority": rng.random(F) < 0.65 * t["minority"][fam_area],
        "troubled": rng.random(F) < logistic(-3.85 - 1.0 * u),
        "elig2": rng.random(F) < logistic(-2.75 - 1.1 * u),
        "re": rng.normal(0, 0.85, F),
        "u": u,
    }
    fam["fsm"] |= fam["workless"] & (rng.random(F) < 0.7)
    fam["elig2"] |= fam["workless"] & (rng.random(F) < 0.8)
    flags = np.zeros((n, len(GROUPS)), dtype=bool)
    cf = child_fam
    flags[:, G["lone_parent"]] = fam["lone"][cf]
    flags[:, G["teenage_parent"]] = fam["teen"][cf] & ((bm - first[cf]) < 24)
    flags[:, G["workless_household"]] = fam["workless"][cf]
    flags[:, G["minority_ethnic"]] = fam["minority"][cf]
    flags[:, G["disabled_child"]] = rng.random(n) < logistic(-3.25 - 0.2 * fam["u"][cf])
    flags[:, G["troubled_family"]] = fam["troubled"][cf]
    flags[:, G["eligible_two_year_old"]] = fam["elig2"][cf]
    fam_risk = rng.normal(0, 1.0, F)
    cin = rng.random(n) < logistic(-4.4 - 0.9 * fam["u"][cf] + 1.6 * fam["troubled"][cf] + 0.8 * fam_risk[cf])
    cpp = cin & (rng.random(n) < logistic(-2.2 + 0.7 * fam_risk[cf] + 0.8 * fam["troubled"][cf]))
    flags[:, G["child_in_need"]] = cin
    flags[:, G["child_protection_plan"]] = cpp
    fsm = fam["fsm"][cf]
    birth_day = month_to_day(bm) + rng.integers(0, 28, n)

    # Registration: a candidate date after the birth, taken up with a probability that depends on the centre,
    # the family and its circumstances, the stories, and whether the date falls after the re-commissioning.
    flag = t["flag"]
    home = t["area_centre"][area]
    u1 = rng.random(n)
    delay = np.where(u1 < 0.62, rng.integers(10, 110, n), np.where(u1 < 0.9, rng.integers(110, 700, n),
                                                                       rng.integers(700, 1650, n)))
    vul = flags[:, VULNERABLE].any(1)
    vul2 = flags[:, G["child_protection_plan"]] | flags[:, G["child_in_need"]]
    # Vulnerable families are usually found early (midwife and health visitor referrals).
    delay = np.where(vul2 | (vul & (rng.random(n) < 0.5)), (delay * 0.45).astype(np.int64), delay)
    cand = birth_day + delay
    centre_base = rng.normal(1.05, 0.3, t["n_sites"])
    centre_base[flag["B"]] += 0.45
    beta = np.zeros(len(GROUPS))
    for g, b in {"lone_parent": 0.15, "teenage_parent": 0.25, "workless_household": 0.2, "minority_ethnic": -0.35,
                 "disabled_child": 0.45, "child_protection_plan": 1.6, "child_in_need": 1.0, "troubled_family": 0.5,
                 "eligible_two_year_old": 0.35}.items():
        beta[G[g]] = b
    x = centre_base[home] + fam["re"][cf] + flags @ beta
    post = cand >= RECOMMISSIONED
    x += np.where(flag["H"][home] & vul, 2.2, 0) + np.where(flag["Q"][home] & vul, 2.6, 0)
    x += np.where(flag["L"][home] & flags[:, G["minority_ethnic"]], -1.3, 0)
    x += np.where(flag["L"][home] & flags[:, G["teenage_parent"]], -1.5, 0)
    x += np.where(flag["B"][home] & vul, -1.1, 0)
    x += np.where(flag["R"][home] & vul & post, -1.6, 0) + np.where(flag["R"][home] & post, -0.2, 0)
    x += np.where(flag["closed"][home] & post, -0.9, 0) + np.where(flag["closed"][home] & vul & post, -0.6, 0)
    x += np.where(cand >= t["hub_day"][np.minimum(home, t["n_cc"] - 1)], 0.3, 0)
    registered = (rng.random(n) < logistic(x)) & (cand <= LAST_DAY) & (cand < birth_day + FIVE_YEARS)
    # Weekend registrations move to the Monday.
    dow = (cand + 3) % 7
    cand = np.where(dow >= 5, cand + (7 - dow), cand)
    registered &= cand <= LAST_DAY
    # Most register at their reach-area centre (or its fallback when closed or not yet open), some elsewhere.
    elsewhere = rng.random(n) < 0.07
    choice = np.where(elsewhere, cluster_mate(cy, home, rng.random(n)), home)
    reg_centre = effective_site(cy, choice, cand)

    i32 = lambda a: a.astype(np.int32)  # noqa: E731  (halves what large scales keep in memory)
    t.update(n_people=n, p_area=i32(area), p_fam=i32(child_fam), p_bm=i32(bm), p_birth=i32(birth_day), p_flags=flags,
             p_fsm=fsm, p_reg=registered, p_reg_day=i32(cand), p_reg_centre=i32(reg_centre), n_fam=F)


def write_children(cy: County) -> None:
    """Registered children, plus a handful living outside the county who use a border centre."""
    t, rng = cy.t, cy.rng("children")
    reg = np.flatnonzero(t["p_reg"])
    # Outsiders: about 0.25% extra, registered at centres in the districts on the county edge.
    n_out = int(round(len(reg) * 0.0025))
    n_cc = t["n_cc"]
    edge = np.flatnonzero(np.isin(t["centre_district"], [1, 2, 3, 4]) & ~t["flag"]["closed"][:n_cc])
    o_bm = rng.integers(month_index(2013, 1), month_index(2024, 10), n_out)
    o_birth = month_to_day(o_bm) + rng.integers(0, 28, n_out)
    o_reg = np.minimum(o_birth + rng.integers(20, 500, n_out), LAST_DAY)
    o_centre = effective_site(cy, edge[rng.integers(0, len(edge), n_out)], o_reg)
    o_flags = np.zeros((n_out, len(GROUPS)), dtype=bool)
    o_flags[:, G["minority_ethnic"]] = rng.random(n_out) < 0.15
    o_flags[:, G["lone_parent"]] = rng.random(n_out) < 0.15

    area = np.r_[t["p_area"][reg], np.full(n_out, -1)]
    centre = np.r_[t["p_reg_centre"][reg], o_centre]
    bm = np.r_[t["p_bm"][reg], o_bm]
    birth = np.r_[t["p_birth"][reg], o_birth]
    reg_day = np.r_[t["p_reg_day"][reg], o_reg]
    flags = np.r_[t["p_flags"][reg], o_flags]
    fam = np.r_[t["p_fam"][reg], t["n_fam"] + np.arange(n_out)]
    person = np.r_[reg, np.full(n_out, -1)]
    n = len(area)
    # Sort for compression and for the attendance chunks: centre, area, birth month.
    area_rank = np.full(n, -1, dtype=np.int64)
    inside = area >= 0
    code_of = np.empty(t["n_areas"], dtype=np.int64)
    code_of[t["area_order"]] = np.arange(t["n_areas"])
    area_rank[inside] = code_of[area[inside]]
    order = np.lexsort((reg_day, bm, area_rank, centre))
    area, centre, bm, birth, reg_day, flags, fam, person = (a[order] for a in (area, centre, bm, birth, reg_day, flags, fam, person))
    child_ids = pseudonym("C", n, 2654435761, 0x5EED2026 + cy.seed)
    # Family codes: one per family, shared by siblings; ~4% unrecorded.
    ufam, fam_inv = np.unique(fam, return_inverse=True)
    fam_null = rng.random(n) < 0.04
    fam_codes = pc.take(pseudonym("F", len(ufam), 2246822519, 0x0FA31 + cy.seed), pa.array(fam_inv, mask=fam_null))
    _, cols = np.nonzero(flags)
    offsets = np.r_[0, np.cumsum(flags.sum(1))]
    groups = pc.take(pa.array(GROUPS, type=S), pa.array(cols))
    write_table("children", {
        "child_id": child_ids,
        "family_id": fam_codes,
        "area_code": pc.take(pa.array(t["area_codes"], type=S), pa.array(np.maximum(area, 0), mask=area < 0)),
        "registered_centre_id": pc.take(pa.array(t["site_ids"], type=S), pa.array(centre)),
        "registered_on": d_arr(reg_day),
        "birth_month": d_arr(month_to_day(bm)),
        "target_groups": list_arr(offsets, groups),
    }, cy.out, cy.level)
    cy.row_counts["children"] = n
    t.update(c_area=area.astype(np.int32), c_centre=centre.astype(np.int32), c_bm=bm.astype(np.int32),
             c_birth=birth.astype(np.int32), c_reg=reg_day.astype(np.int32), c_flags=flags,
             c_person=person.astype(np.int32), c_ids=child_ids)


def write_population(cy: County) -> None:
    """Under-fives by area, year and group, counted with the dashboard's rule (under five at some point)."""
    t = cy.t
    n_areas = t["n_areas"]
    area, bm, flags = t["p_area"], t["p_bm"], t["p_flags"]
    order = t["area_order"]
    codes, years, groups, counts = [], [], [], []
    for year in YEARS:
        lo, hi = under_five_window(year)
        m = (bm >= lo) & (bm <= hi)
        for gi in range(len(POPULATION_GROUPS)):
            sel = m if gi == 0 else m & flags[:, gi - 1]
            cnt = np.bincount(area[sel], minlength=n_areas)
            codes.append(order)
            years.append(np.full(n_areas, year))
            groups.append(np.full(n_areas, gi))
            counts.append(cnt[order])
    code_i, year, group, cnt = (np.concatenate(v) for v in (codes, years, groups, counts))
    s = np.lexsort((group, year, _rank(order)[code_i]))
    write_table("population", {
        "area_code": pc.take(pa.array(t["area_codes"], type=S), pa.array(code_i[s])),
        "year": i_arr(year[s]),
        "target_group": pc.take(pa.array(POPULATION_GROUPS, type=S), pa.array(group[s])),
        "children": i_arr(cnt[s]),
    }, cy.out, cy.level)
    cy.row_counts["population"] = len(s)


def _rank(order: np.ndarray) -> np.ndarray:
    r = np.empty_like(order)
    r[order] = np.arange(len(order))
    return r


# --------------------------------------------------------------------------------------
# 4. Attendances, in parts, with the monthly counts footfall needs.
# --------------------------------------------------------------------------------------


def _activity_tables():
    """For each (site kind, tier, age band): eligible activity indices and probabilities."""
    kinds = "clo"
    table = {}
    for k, kc in enumerate(kinds):
        for ti, tier in enumerate(TIERS):
            for b, lo in enumerate(AGE_BANDS):
                idx = [i for i, a in enumerate(ACTIVITIES)
                       if a[1] == tier and kc in a[4] and a[2] <= lo and a[3] > lo]
                if idx:
                    w = np.array([ACTIVITIES[i][5] for i in idx])
                    table[(k, ti, b)] = (np.array(idx), w / w.sum())
    return table


def write_attendances(cy: County) -> None:
    t = cy.t
    n = len(t["c_area"])
    flag = t["flag"]
    n_sites, n_cc = t["n_sites"], t["n_cc"]
    folder = cy.out / "attendances"
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 100_000 if cy.scale <= 4 else 40_000  # about 2.8 or 1.1 million attendances a part
    n_chunks = max(1, math.ceil(n / chunk))
    # Parts left from a larger run would be read as part of this one.
    for old in folder.glob("part-*.parquet"):
        if old.stem.split("-")[-1].isdigit() and int(old.stem.split("-")[-1]) >= n_chunks:
            old.unlink()
    if cy.progress.bar is not None:
        cy.progress.bar.total = 12 + n_chunks
        cy.progress.bar.refresh()
    site_month = np.zeros(n_sites * N_MONTHS, dtype=np.int64)
    ever_seen = np.zeros(n, dtype=bool)
    act_tables = _activity_tables()
    act_names = pa.array([a[0] for a in ACTIVITIES], type=S)
    tier_of_act = pa.array([a[1] for a in ACTIVITIES], type=S)
    site_ids = pa.array(t["site_ids"], type=S)
    rural = np.isin(t["site_district"], [i for i, d in enumerate(DISTRICTS) if d.name in RURAL])
    out_sites = np.arange(n_cc + t["n_lib"], n_sites)
    total = 0
    vul_all = t["c_flags"][:, VULNERABLE].any(1)
    vul2_all = t["c_flags"][:, G["child_protection_plan"]] | t["c_flags"][:, G["child_in_need"]]
    # The fixed per-centre effects come from their own stream so chunking never changes them.
    crng = cy.rng("attendance-centres")
    seen_base = crng.normal(0.15, 0.3, n_sites)
    intensity = crng.lognormal(0, 0.15, n_sites)
    intensity[flag["B"]] *= 1.35
    intensity[flag["Q"]] *= 0.65
    for ci in range(n_chunks):
        rng = np.random.default_rng([cy.seed, 7, cy.scale, ci])
        lo_c, hi_c = ci * chunk, min(n, (ci + 1) * chunk)
        idx = np.arange(lo_c, hi_c)
        birth, reg_day, centre = t["c_birth"][idx], t["c_reg"][idx], t["c_centre"][idx]
        area = t["c_area"][idx]
        home = np.where(area >= 0, t["area_centre"][np.maximum(area, 0)], centre)
        vul, vul2 = vul_all[idx], vul2_all[idx]
        minority = t["c_flags"][idx, G["minority_ethnic"]]
        # Child-years.
        cy_child, cy_year, cy_start, cy_end = [], [], [], []
        for year in YEARS:
            s, e = fy_bounds(year)
            a = np.maximum(s, np.maximum(reg_day, birth))
            b = np.minimum(e, birth + FIVE_YEARS - 1)
            ok = b >= a
            cy_child.append(np.flatnonzero(ok))
            cy_year.append(np.full(ok.sum(), year))
            cy_start.append(a[ok])
            cy_end.append(b[ok])
        k = np.concatenate(cy_child)
        yr = np.concatenate(cy_year)
        a = np.concatenate(cy_start)
        b = np.concatenate(cy_end)
        expo = (b - a + 1) / 365.0
        age_mid = ((a + b) / 2 - birth[k]) / 365.25
        post = yr >= 2021
        hk = home[k]
        v, v2 = vul[k], vul2[k]
        xs = (0.55 + seen_base[hk] + 0.5 * v + 0.9 * v2 - 0.5 * (age_mid > 3.2) + 0.6 * np.log(np.clip(expo, 0.05, 1))
              + np.where(flag["H"][hk] & v, 2.6, 0) + np.where(flag["Q"][hk] & v, 3.0, 0)
              + np.where(flag["B"][hk] & v, -0.9, 0) + np.where(flag["L"][hk] & minority[k], -0.8, 0)
              + np.where(flag["R"][hk] & v & post, -1.4, 0) + np.where(flag["closed"][hk] & post, -0.7, 0)
              + np.where(b >= t["hub_day"][np.minimum(hk, n_cc - 1)], 0.3, 0))
        seen = rng.random(len(k)) < logistic(xs)
        lam = (10.0 + 5.0 * v + 8.0 * v2) * expo * intensity[hk] * np.where(age_mid < 1, 1.5, 1.0)
        cnt = np.where(seen, 1 + rng.poisson(lam), 0)
        rows = int(cnt.sum())
        rk = np.repeat(k, cnt)
        day_ = np.repeat(a, cnt) + (rng.random(rows) * np.repeat(b - a + 1, cnt)).astype(np.int64)
        # Lockdown: almost nothing face to face from April to June 2020, thin until March 2021.
        covid = ((day_ >= day("2020-03-23")) & (day_ < day("2020-07-01")) & (rng.random(rows) < 0.85)) | \
                ((day_ >= day("2020-07-01")) & (day_ < day("2021-04-01")) & (rng.random(rows) < 0.4))
        keep = ~covid
        rk, day_ = rk[keep], day_[keep]
        rows = len(rk)
        # Site: the registered centre (or its fallback), sometimes the local library, another centre or the bus.
        r = rng.random(rows)
        libp = np.where(vul2[rk], 0.04, np.where(vul[rk], 0.08, 0.16)) * np.where(day_ >= day("2022-10-01"), 1.4, 1.0)
        child_area = area[rk]
        lib_site = np.where(child_area >= 0, t["area_lib"][np.maximum(child_area, 0)], -1)
        lib_site = np.where(lib_site >= 0, lib_site, n_cc + (centre[rk] % t["n_lib"]))
        site = effective_site(cy, centre[rk], day_)
        to_lib = r < libp
        to_other = (r >= libp) & (r < libp + 0.05)
        if to_other.any():
            # Another centre in the same cluster.
            sel = np.flatnonzero(to_other)
            site[sel] = effective_site(cy, cluster_mate(cy, centre[rk][sel], rng.random(len(sel))), day_[sel])
        site = np.where(to_lib, lib_site, site)
        # The family bus visits rural villages; the travellers' outreach sees a few minority ethnic families.
        bus_sites, trav_sites = out_sites[0::2], out_sites[1::2]
        bus = (r >= 0.985) & rural[centre[rk]]
        site = np.where(bus, bus_sites[centre[rk] % len(bus_sites)], site)
        if len(trav_sites):
            trav = (r >= 0.99) & ~rural[centre[rk]] & minority[rk]
            site = np.where(trav, trav_sites[centre[rk] % len(trav_sites)], site)
        kind = t["kind"][site]
        # Weekdays at centres; libraries also run Saturday sessions.
        dow = (day_ + 3) % 7
        lo_b = np.maximum(t["c_reg"][idx][rk], t["c_birth"][idx][rk])
        shift = np.where(dow == 6, 1, np.where((dow == 5) & (kind != 1), 2, 0))
        moved = day_ + shift
        too_late = (moved > LAST_DAY) | (moved >= birth[rk] + FIVE_YEARS)
        back = day_ - np.where(dow == 6, 2, 1)
        day_ = np.where(shift == 0, day_, np.where(~too_late, moved, np.where(back >= lo_b, back, day_)))
        # Tier by need, then an activity that suits the site and the child's age.
        tier_p = np.where(vul2[rk][:, None], [0.42, 0.30, 0.28],
                          np.where(vul[rk][:, None], [0.62, 0.30, 0.08], [0.86, 0.125, 0.015]))
        tier_p = np.where(minority[rk][:, None] & ~vul[rk][:, None], [0.78, 0.2, 0.02], tier_p)
        ru = rng.random(rows)
        tier = (ru > tier_p[:, 0]).astype(np.int64) + (ru > tier_p[:, 0] + tier_p[:, 1])
        tier = np.where(kind == 1, np.where(tier >= 1, (rng.random(rows) < 0.3).astype(np.int64), 0), tier)
        age_m = (day_ - birth[rk]) // 30
        band = np.searchsorted(AGE_BANDS, age_m, side="right") - 1
        act = np.full(rows, -1, dtype=np.int64)
        key = (kind.astype(np.int64) * 3 + tier) * len(AGE_BANDS) + band
        for kv in np.unique(key):
            sel = np.flatnonzero(key == kv)
            kk, rem = divmod(int(kv), len(AGE_BANDS))
            kind_i, tier_i = divmod(kk, 3)
            entry = act_tables.get((kind_i, tier_i, rem)) or act_tables.get((kind_i, 0, rem))
            act[sel] = entry[0][rng.choice(len(entry[0]), size=len(sel), p=entry[1])]
        # Young parents group: only for teenage parents; others get the parenting programme instead.
        teen = t["c_flags"][idx, G["teenage_parent"]][rk]
        yp = [i for i, a_ in enumerate(ACTIVITIES) if a_[0] == "Young parents group"][0]
        pp = [i for i, a_ in enumerate(ACTIVITIES) if a_[0] == "Parenting programme"][0]
        act = np.where((act == yp) & ~teen, pp, act)
        order = np.lexsort((act, day_, rk))
        rk, site, day_, act = rk[order], site[order], day_[order], act[order]
        ever_seen[lo_c + np.unique(rk)] = True
        site_month += np.bincount(site * N_MONTHS + (day_to_month(day_) - FIRST_MONTH), minlength=n_sites * N_MONTHS)
        write_table("attendances", {
            "child_id": pc.take(t["c_ids"], pa.array(lo_c + rk)),
            "centre_id": pc.take(site_ids, pa.array(site)),
            "attended_on": d_arr(day_),
            "activity": pc.take(act_names, pa.array(act)),
            "tier": pc.take(tier_of_act, pa.array(act)),
        }, cy.out, cy.level, path=folder / f"part-{ci}.parquet")
        total += rows
        cy.progress.step("attendances")
    cy.row_counts["attendances"] = total
    t.update(site_month=site_month.reshape(n_sites, N_MONTHS), ever_seen=ever_seen)


def write_footfall(cy: County) -> None:
    t, rng = cy.t, cy.rng("footfall")
    n_sites, n_cc = t["n_sites"], t["n_cc"]
    flag, kind = t["flag"], t["kind"]
    att = t["site_month"]
    months = FIRST_MONTH + np.arange(N_MONTHS)
    month_day = month_to_day(months)
    cal = months % 12  # 0 = January
    season = np.array([1.0, 1.05, 1.05, 1.0, 1.0, 0.95, 0.8, 0.7, 1.0, 1.05, 1.05, 0.8])[cal]
    covid = np.where((month_day >= day("2020-04-01")) & (month_day < day("2020-07-01")), 0.08,
                     np.where((month_day >= day("2020-07-01")) & (month_day < day("2021-04-01")), 0.55, 1.0))
    # New registrations by the centre registered with.
    reg_m = day_to_month(t["c_reg"]) - FIRST_MONTH
    ok = (reg_m >= 0) & (reg_m < N_MONTHS)
    new_reg = np.bincount(t["c_centre"][ok] * N_MONTHS + reg_m[ok], minlength=n_sites * N_MONTHS).reshape(n_sites, N_MONTHS)
    mult = rng.uniform(1.4, 1.9, n_sites)
    mult[flag["B"]] = rng.uniform(3.6, 4.2, int(flag["B"].sum()))
    mult[flag["Q"]] = 1.05
    dropin = rng.uniform(20, 60, n_sites)
    dropin[flag["B"]] = rng.uniform(260, 340, int(flag["B"].sum()))
    dropin[flag["Q"]] = 8
    lib_base = rng.uniform(700, 2600, n_sites)
    group_size = rng.uniform(7, 10, n_sites)
    rows = []
    for s in range(n_sites):
        first_ok = month_day >= month_to_day(day_to_month(t["open_day"][s]))
        last_ok = month_day <= t["close_day"][s]
        ms = np.flatnonzero(first_ok & last_ok)
        if len(ms) == 0:
            continue
        a = att[s, ms]
        hub_boost = np.where(month_day[ms] >= t["hub_day"][min(s, n_cc - 1)], 1.25, 1.0) if s < n_cc else 1.0
        noise = rng.lognormal(0, 0.08, len(ms))
        if kind[s] == 1:
            lib_boost = np.where(month_day[ms] >= day("2022-10-01"), 1.2, 1.0)
            visits = a * 2.2 + rng.poisson(lib_base[s] * season[ms] * covid[ms] * lib_boost)
            nr = np.full(len(ms), -1)
            sess = rng.poisson(np.maximum(a / 12 + 6 * season[ms] * covid[ms] * lib_boost, 0.1))
        else:
            visits = np.round(a * mult[s] * noise * hub_boost) + rng.poisson(dropin[s] * season[ms] * covid[ms])
            nr = new_reg[s, ms] if kind[s] == 0 else np.full(len(ms), -1)
            sess = np.round(a / group_size[s] * rng.lognormal(0, 0.1, len(ms))).astype(np.int64)
        sess_null = (rng.random(len(ms)) < 0.01) | (kind[s] == 2) & (rng.random(len(ms)) < 0.2)
        rows.append((np.full(len(ms), s), months[ms], visits.astype(np.int64), nr, np.where(sess_null, -1, sess)))
    s_, m_, v_, nr_, se_ = (np.concatenate(c) for c in zip(*rows))
    write_table("footfall", {
        "centre_id": pc.take(pa.array(t["site_ids"], type=S), pa.array(s_)),
        "month": d_arr(month_to_day(m_)),
        "visits": i_arr(v_),
        "new_registrations": i_arr(np.maximum(nr_, 0), mask=nr_ < 0),
        "sessions": i_arr(np.maximum(se_, 0), mask=se_ < 0),
    }, cy.out, cy.level)
    cy.row_counts["footfall"] = len(s_)


# --------------------------------------------------------------------------------------
# 5. Outcomes, indicators and benchmarks.
# --------------------------------------------------------------------------------------

INDICATORS = [
    # indicator, title, domain, polarity, gap type, focus, reference, break year, source
    ("gld", "Good level of development at the end of reception", "attainment", "higher_is_better",
     "fsm_status", "fsm", "non_fsm", 2021, "DfE Early years foundation stage profile results; sample values are fictional"),
    ("asq_communication", "Children at or above the expected level in communication at 2 to 2\u00bd years",
     "wellbeing", "higher_is_better", "fsm_status", "fsm", "non_fsm", None,
     "OHID Child development outcomes at 2 to 2\u00bd years (ASQ-3); sample values are fictional"),
    ("breastfeeding_6_8wk", "Babies totally or partially breastfed at 6 to 8 weeks", "wellbeing", "higher_is_better",
     "idaci_quintile", "1", "5", None, "OHID Breastfeeding at 6 to 8 weeks after birth; sample values are fictional"),
    ("obesity_reception", "Reception children living with obesity", "wellbeing", "lower_is_better",
     "fsm_status", "fsm", "non_fsm", None, "NHS England National Child Measurement Programme; sample values are fictional"),
    ("tooth_decay_5", "Five-year-olds with visually obvious tooth decay", "wellbeing", "lower_is_better",
     "idaci_quintile", "1", "5", None,
     "OHID National Dental Epidemiology Programme, oral health survey of 5-year-olds; sample values are fictional"),
    ("injury_admissions_0_4", "Hospital admissions for injuries in children aged 0 to 4 (admissions per child)",
     "wellbeing", "lower_is_better", "idaci_quintile", "1", "5", None,
     "NHS England Hospital Episode Statistics, admissions for unintentional and deliberate injuries; sample values are fictional"),
]

# Local GLD base rates (per cent) by academic year: (non-FSM, FSM).
GLD_BASE = {2017: (74.0, 55.0), 2018: (74.5, 55.5), 2021: (69.5, 48.0), 2022: (71.0, 50.0), 2023: (71.5, 50.5),
            2024: (72.0, 51.0)}

ENGLAND_GLD = {  # DfE, EYFSP results: (all, FSM, non-FSM) by first year of the academic year
    2016: (70.7, 56.0, 73.0), 2017: (71.5, 56.6, 73.8), 2018: (71.8, 57.0, 74.0),
    2021: (65.2, 49.1, 69.5), 2022: (67.2, 51.6, 71.5), 2023: (67.7, 51.5, 72.0),
}
ENGLAND_ILLUSTRATIVE = {
    "asq_communication": [85.6, 85.9, 85.4, 84.2, 83.6, 84.0, 84.4, 84.8],
    "breastfeeding_6_8wk": [46.2, 46.9, 47.6, 48.0, 49.2, 49.3, 49.6, 50.1],
    "obesity_reception": [9.5, 9.7, 9.9, 14.4, 10.1, 9.2, 9.6, 9.5],
    "tooth_decay_5": [23.3, 23.4, 23.4, 23.6, 23.7, 23.5, 22.4, 22.2],
    "injury_admissions_0_4": [1.26, 1.22, 1.18, 0.96, 1.05, 1.08, 1.06, 1.04],
}


def _yearly(year: int, lo: int, hi: int) -> float:
    return (year - lo) / (hi - lo)


def write_outcomes(cy: County) -> None:
    t, rng = cy.t, cy.rng("outcomes")
    n_cc = t["n_cc"]
    area, bm, fsm = t["p_area"], t["p_bm"], t["p_fsm"]
    flags = t["p_flags"]
    za = t["z"][area]
    cen = t["area_centre"][area]
    dist = t["district"][area]
    idaci = np.where(t["idaci_null"], t["imd"], t["idaci"])
    quint = ((idaci[area] + 1) // 2).astype(np.int64)  # 1 = most deprived fifth
    # Was the child seen at a centre (registered and attended)? A small boost to development.
    seen = np.zeros(t["n_people"], dtype=bool)
    person = t["c_person"]
    ok = person >= 0
    seen[person[ok][t["ever_seen"][ok]]] = True
    centre_re = rng.normal(0, 0.12, t["n_sites"])
    centre_re[t["flag"]["Q"]] += 0.25
    dn = {d.name: i for i, d in enumerate(DISTRICTS)}
    minority = flags[:, G["minority_ethnic"]]

    def birth_window(first_year: int, first_month: int, months: int = 12):
        lo = month_index(first_year, first_month)
        return (bm >= lo) & (bm < lo + months)

    ind_names = [r[0] for r in INDICATORS]
    levels = ["centre", "district", "authority"]
    group_types = ["all", "fsm_status", "idaci_quintile"]
    group_names = ["all", "fsm", "non_fsm", "1", "2", "3", "4", "5"]
    geo_names = list(t["site_ids"][:n_cc]) + [d.name for d in DISTRICTS] + [AUTHORITY]
    parts: list[np.ndarray] = []  # each: indicator, level, geo, year, group type, group, numerator, denominator

    def add(ind: str, year: int, sel: np.ndarray, num: np.ndarray):
        c, f, q, x = cen[sel], fsm[sel].astype(np.int64), quint[sel], num[sel].astype(np.int64)
        d = t["centre_district"][c]
        specs = [(0, np.zeros(len(c), dtype=np.int64), 0, 1), (1, 1 - f, 1, 2), (2, q - 1, 3, 5)]
        for gt, gi, g_off, ng in specs:
            for li, unit, n_units, geo_off in ((0, c, n_cc, 0), (1, d, len(DISTRICTS), n_cc),
                                               (2, np.zeros(len(c), dtype=np.int64), 1, n_cc + len(DISTRICTS))):
                keyv = unit * ng + gi
                den = np.bincount(keyv, minlength=n_units * ng)
                nm = np.bincount(keyv, weights=x, minlength=n_units * ng).round().astype(np.int64)
                kk = np.flatnonzero(den > 0)
                u_, g_ = np.divmod(kk, ng)
                m = len(kk)
                parts.append(np.c_[np.full(m, ind_names.index(ind)), np.full(m, li), geo_off + u_, np.full(m, year),
                                   np.full(m, gt), g_off + g_, nm[kk], den[kk]])

    n = t["n_people"]
    for year in YEARS:
        # Reception-year cohort of academic year `year`: born September year-5 to August year-4.
        recep = birth_window(year - 5, 9)
        if year in GLD_YEARS:
            non, fs = GLD_BASE[year]
            base = np.where(fsm, logit(fs / 100), logit(non / 100))
            adj = np.zeros(n)
            f_ = _yearly(year, 2017, 2024)
            adj += np.where((dist == dn[GAP_NARROWS]) & fsm, -0.45 + 0.95 * f_, 0)
            adj += np.where((dist == dn[GAP_WIDENS]) & fsm, 0.2 - 0.42 * f_, 0)
            adj += np.where((dist == dn[GAP_WIDENS]) & ~fsm, -0.05 + 0.2 * f_, 0)
            x = base + adj + 0.22 * za + centre_re[cen] + 0.12 * seen - 0.25 * minority * (year < 2021)
            assessed = recep & (rng.random(n) < 0.985)
            add("gld", year, assessed, rng.random(n) < logistic(x))
        # NCMP obesity in reception (a jump in the pandemic year), oral health survey of five-year-olds.
        x = logit(0.092) - 0.2 * za + 0.3 * fsm + 0.45 * (year == 2020) + 0.15 * (year == 2021) + centre_re[cen] * 0.5
        measured = recep & (rng.random(n) < 0.95)
        add("obesity_reception", year, measured, rng.random(n) < logistic(x))
        x = logit(0.21) - 0.38 * za + 0.35 * fsm + 0.3 * minority - 0.03 * (year - 2017)
        sampled = recep & (rng.random(n) < 0.22)
        add("tooth_decay_5", year, sampled, rng.random(n) < logistic(x))
        # ASQ-3 at 2-2.5 years in the financial year: born October year-3 to September year-2.
        x = logit(0.87) + 0.2 * za - 0.55 * fsm - 0.3 * (year in (2020, 2021, 2022)) + 0.15 * seen
        reviewed = birth_window(year - 3, 10) & (rng.random(n) < 0.86)
        add("asq_communication", year, reviewed, rng.random(n) < logistic(x))
        # Breastfeeding at 6-8 weeks: babies born in the financial year with a known status.
        x = logit(0.47) + 0.35 * za - 0.35 * fsm + 0.7 * minority + 0.03 * (year - 2017)
        known = birth_window(year, 4) & (rng.random(n) < 0.93)
        add("breastfeeding_6_8wk", year, known, rng.random(n) < logistic(x))
        # Injury admissions: admissions during the year among under-fives (counted with the dashboard's rule).
        lo, hi = under_five_window(year)
        u5 = (bm >= lo) & (bm <= hi)
        rate = 0.0105 * np.exp(-0.3 * za + 0.3 * fsm) * (0.78 if year == 2020 else 1.0)
        add("injury_admissions_0_4", year, u5, rng.poisson(rate))
    allrows = np.concatenate(parts)
    order = np.lexsort(tuple(allrows[:, i] for i in (5, 4, 3, 2, 1, 0)))
    allrows = allrows[order]
    take = lambda names, col: pc.take(pa.array(names, type=S), pa.array(allrows[:, col]))  # noqa: E731
    write_table("outcomes", {
        "indicator": take(ind_names, 0), "geography_level": take(levels, 1), "geography_code": take(geo_names, 2),
        "year": i_arr(allrows[:, 3]), "group_type": take(group_types, 4), "group": take(group_names, 5),
        "numerator": i_arr(allrows[:, 6]), "denominator": i_arr(allrows[:, 7]),
    }, cy.out, cy.level)
    cy.row_counts["outcomes"] = len(allrows)

    write_table("indicators", {
        "indicator": s_arr([r[0] for r in INDICATORS]), "title": s_arr([r[1] for r in INDICATORS]),
        "domain": s_arr([r[2] for r in INDICATORS]), "polarity": s_arr([r[3] for r in INDICATORS]),
        "gap_group_type": s_arr([r[4] for r in INDICATORS]), "gap_focus_group": s_arr([r[5] for r in INDICATORS]),
        "gap_reference_group": s_arr([r[6] for r in INDICATORS]),
        "comparability_break_year": pa.array([r[7] for r in INDICATORS], type=I32),
        "source": s_arr([r[8] for r in INDICATORS]),
    }, cy.out, cy.level)
    cy.row_counts["indicators"] = len(INDICATORS)

    # Benchmarks.
    b = {k: [] for k in ("indicator", "geography", "year", "gt", "group", "value", "lo", "hi", "source")}

    def bench(ind, geo, year, gt, grp, value, ci, source):
        b["indicator"].append(ind)
        b["geography"].append(geo)
        b["year"].append(year)
        b["gt"].append(gt)
        b["group"].append(grp)
        b["value"].append(round(float(value), 1) if ind != "injury_admissions_0_4" else round(float(value), 2))
        b["lo"].append(None if ci is None else round(max(0.0, value - ci), 2))
        b["hi"].append(None if ci is None else round(min(100.0, value + ci), 2))
        b["source"].append(source)

    dfe = "DfE, Early years foundation stage profile results, England"
    for year, (al, fs, nf) in ENGLAND_GLD.items():
        bench("gld", "England", year, "all", "all", al, None, dfe)
        bench("gld", "England", year, "fsm_status", "fsm", fs, None, dfe)
        bench("gld", "England", year, "fsm_status", "non_fsm", nf, None, dfe)
    illus = "Illustrative England values for the sample extract, not official statistics"
    for ind, values in ENGLAND_ILLUSTRATIVE.items():
        for year, v in zip(YEARS, values):
            bench(ind, "England", year, "all", "all", v, None, illus)
    fict = "Fictional statistical neighbour average for the sample extract"
    srng = cy.rng("benchmarks")
    for year in GLD_YEARS:
        if year in ENGLAND_GLD:
            al, fs, nf = ENGLAND_GLD[year]
        else:
            al, fs, nf = 68.3, 52.0, 72.6  # 2024-25: no published figure in the extract; neighbours only
        shift = srng.normal(0.8, 0.4)
        bench("gld", "Statistical neighbours", year, "all", "all", al + shift, 1.1, fict)
        bench("gld", "Statistical neighbours", year, "fsm_status", "fsm", fs - 1.5 + shift, 2.4, fict)
        bench("gld", "Statistical neighbours", year, "fsm_status", "non_fsm", nf + 0.5 + shift, 1.2, fict)
    neighbour_factor = {ind: srng.normal(1.03 if ind == "breastfeeding_6_8wk" else 0.97, 0.015)
                        for ind in ENGLAND_ILLUSTRATIVE}
    for ind, values in ENGLAND_ILLUSTRATIVE.items():
        for year, v in zip(YEARS, values):
            factor = neighbour_factor[ind] * srng.normal(1.0, 0.006)
            bench(ind, "Statistical neighbours", year, "all", "all", v * factor, 0.1 if ind == "injury_admissions_0_4" else 1.3, fict)
    lo_mask = np.array([v is None for v in b["lo"]])
    write_table("benchmarks", {
        "indicator": s_arr(b["indicator"]), "geography": s_arr(b["geography"]), "year": i_arr(b["year"]),
        "group_type": s_arr(b["gt"]), "group": s_arr(b["group"]), "value": f_arr(b["value"]),
        "lower_ci": f_arr([0.0 if v is None else v for v in b["lo"]], mask=lo_mask),
        "upper_ci": f_arr([0.0 if v is None else v for v in b["hi"]], mask=lo_mask),
        "source": s_arr(b["source"]),
    }, cy.out, cy.level)
    cy.row_counts["benchmarks"] = len(b["indicator"])


# --------------------------------------------------------------------------------------
# 6. Consultation feedback from templates.
# --------------------------------------------------------------------------------------

# theme -> voice -> polarity -> sentences. Voices: parent (parents, carers, most volunteers and others), staff
# (staff and partners). Placeholders: {site} {place} {child} {activity} {other_place}.
BANK: dict[str, dict[str, dict[str, list[str]]]] = {
    "access": {
        "parent": {
            "pos": ["It's easy to get to {site} and you can just turn up with the buggy.",
                    "Being able to drop in without booking made all the difference when my {child} was tiny.",
                    "There is step-free access and room for a double buggy, which is rare."],
            "neg": ["It's not easy to get a place any more, everything has to be booked online.",
                    "Sessions are always full by the time I try to book.",
                    "You now have to be referred to get anything, which puts a lot of families off.",
                    "I couldn't get a place on {activity} for months.",
                    "Please don't close {site}, it's the only place in {place} where families can go."],
            "neu": ["It would help if some sessions were drop-in rather than booked."],
        },
        "staff": {
            "pos": ["Outreach sessions in village halls have brought in families we never used to see."],
            "neg": ["Families who most need us can't get past the online booking system.",
                    "Since the referral-only model came in, self-referrals from the estates have dropped."],
            "neu": ["We need a simple way for families to refer themselves."],
        },
    },
    "building_facilities": {
        "parent": {
            "pos": ["The rooms are bright, clean and warm, and the garden is lovely.",
                    "{site} has a great outdoor area and loads of toys.",
                    "There's a quiet room for feeding which I really appreciated."],
            "neg": ["The building is tired and freezing in winter.",
                    "The toilets and baby change were often not clean.",
                    "There's nowhere to park and the car park is always full.",
                    "The play room has been closed for weeks because the roof leaks."],
            "neu": ["A covered area to leave buggies would be useful."],
        },
        "staff": {
            "pos": ["The refurbished hub building finally gives us private rooms for confidential conversations."],
            "neg": ["We have no private room, so difficult conversations happen in the corridor.",
                    "The building is not fit for purpose and repairs take months."],
            "neu": [],
        },
    },
    "continuity_of_care": {
        "parent": {
            "pos": ["Seeing the same family worker every time meant I didn't have to repeat my story.",
                    "The same health visitor has known us since my {child} was born, which built real trust.",
                    "Phone calls from our family worker during lockdown were a lifeline."],
            "neg": ["I've had four different workers in a year and had to tell my story every time.",
                    "When our family worker left nobody told us and the support just stopped.",
                    "Since the new provider took over we lost the staff we knew."],
            "neu": [],
        },
        "staff": {
            "pos": ["Keeping the same key worker from pregnancy to age two has really helped engagement."],
            "neg": ["Families lose trust when their worker keeps changing.",
                    "Cases are handed between teams so often that families give up on us."],
            "neu": [],
        },
    },
    "public_involvement": {
        "parent": {
            "pos": ["I'm glad parents were asked before anything was decided.",
                    "The parents' forum at {site} actually changes things."],
            "neg": ["The consultation felt like the decision had already been made.",
                    "Nobody asked parents before the sessions at {site} were cut.",
                    "The meetings are in the daytime so working parents can't take part."],
            "neu": ["Please publish what you change because of this consultation."],
        },
        "staff": {
            "pos": ["The parent champions have shaped the new timetable."],
            "neg": ["Parents' views are collected but rarely acted on."],
            "neu": ["A standing parents' panel for each cluster would help."],
        },
    },
    "quality_of_care": {
        "parent": {
            "pos": ["The care my {child} received was excellent.",
                    "They spotted that my {child} wasn't talking much and got us help quickly.",
                    "The health visitor clinic is thorough and reassuring."],
            "neg": ["The advice we got about weaning was not helpful and felt rushed.",
                    "I felt my worries about my {child}'s development were brushed aside.",
                    "The groups are too big for anyone to notice if a child is struggling."],
            "neu": [],
        },
        "staff": {
            "pos": ["The quality of practice in the team is high and families tell us so."],
            "neg": ["We can't give families the time they need, so quality suffers."],
            "neu": [],
        },
    },
    "quality_of_staffing": {
        "parent": {
            "pos": ["The staff are warm, friendly and really know what they're doing.",
                    "The staff were so helpful when I was struggling after the birth.",
                    "Our family worker was brilliant with my {child}."],
            "neg": ["The staff were not helpful when I asked about nursery funding.",
                    "Some staff didn't seem to have any training in children with additional needs.",
                    "There aren't enough staff, so sessions get cancelled at short notice."],
            "neu": [],
        },
        "staff": {
            "pos": ["The team is skilled and committed despite the pressure.",
                    "Training in perinatal mental health has made a real difference to our practice."],
            "neg": ["We are short-staffed and rely on agency workers.",
                    "Staff morale is very low after the restructure.",
                    "We have lost experienced practitioners and haven't replaced them.",
                    "Caseloads are too high to do proper family support."],
            "neu": ["A career pathway for early years practitioners would help us keep good staff."],
        },
    },
    "quality_of_treatment": {
        "parent": {
            "pos": ["I was always treated with respect and never judged.",
                    "They treated me like a person, not a case."],
            "neg": ["I was spoken to like I was a bad parent.",
                    "The receptionist was rude to my partner.",
                    "I didn't feel welcome as a dad."],
            "neu": [],
        },
        "staff": {
            "pos": ["Families say they feel respected here."],
            "neg": ["Some families have told us they felt judged at their first visit."],
            "neu": [],
        },
    },
    "service_organisation": {
        "parent": {
            "pos": ["Having the clinics in the hub means everything is in one place.",
                    "The family hub feels like a one-stop shop.",
                    "The booking system is simple and sessions run on time."],
            "neg": ["The timetable changes every term and nobody tells you.",
                    "Sessions get cancelled without warning.",
                    "Renaming the centre a family hub hasn't changed anything for us."],
            "neu": [],
        },
        "staff": {
            "pos": ["The family hub model gives us a clearer referral pathway.",
                    "Having one front door for early help has made things simpler."],
            "neg": ["The contract counts footfall, not whether we reach the families who need us.",
                    "We spend more time on data entry than with families.",
                    "The cluster model stretches managers across too many sites.",
                    "Short-term funding makes it impossible to plan beyond next March."],
            "neu": ["Contracts should run for at least five years."],
        },
    },
    "stigma": {
        "parent": {
            "pos": ["Nobody makes you feel like you're there because you can't cope.",
                    "It's a place for every family, so there's no shame in going."],
            "neg": ["Some parents won't go because they think it's only for families with a social worker.",
                    "I was worried people would think social services were involved with us.",
                    "People see you going in and assume you're in trouble."],
            "neu": [],
        },
        "staff": {
            "pos": ["Running universal sessions alongside targeted ones means nobody stands out."],
            "neg": ["Some families still see us as social services and stay away."],
            "neu": [],
        },
    },
    "peer_support": {
        "parent": {
            "pos": ["I met other mums at {activity} and we still meet up every week.",
                    "The dads' group gave me people to talk to who understood.",
                    "Meeting other parents kept me sane when I was on my own with a newborn."],
            "neg": ["Without the groups I have no one to talk to and feel very isolated.",
                    "Since the group stopped I haven't seen any of the other parents.",
                    "During lockdown everything moved online and we felt completely alone."],
            "neu": [],
        },
        "staff": {
            "pos": ["As a peer supporter I see how much parents gain from talking to each other."],
            "neg": ["Volunteers get very little support or training."],
            "neu": [],
        },
    },
    "information_advice": {
        "parent": {
            "pos": ["They helped me sort out childcare funding and benefits.",
                    "The advice on sleep and feeding was practical and easy to follow.",
                    "They pointed us to the food bank and debt advice when we needed it."],
            "neg": ["I didn't know the centre existed until my {child} was nearly two.",
                    "The website is out of date and nobody answers the phone.",
                    "Information about what's on is hard to find, especially if English isn't your first language."],
            "neu": ["A simple weekly timetable on social media would help."],
        },
        "staff": {
            "pos": ["The new directory of services has made signposting much easier."],
            "neg": ["We don't have up-to-date information to give families about other services."],
            "neu": [],
        },
    },
    "joined_up_working": {
        "parent": {
            "pos": ["The health visitors, midwives and family workers all talk to each other.",
                    "Having the midwife and speech therapist in the same building works really well."],
            "neg": ["I had to tell the same story to the health visitor, the GP and the centre.",
                    "Referrals from the centre to speech and language therapy take months."],
            "neu": [],
        },
        "staff": {
            "pos": ["Co-locating with health visitors has improved referrals.",
                    "The weekly multi-agency meeting means families don't fall through the gaps."],
            "neg": ["We can't see health visiting records, so we duplicate assessments.",
                    "Information sharing with social care is still too slow.",
                    "Partners are not invited to planning meetings.",
                    "Health, schools and the centres work in silos."],
            "neu": ["A shared case record across health and early help would save everyone time."],
        },
    },
    "opening_hours_travel": {
        "parent": {
            "pos": ["The Saturday session means my partner can come too.",
                    "It's a short walk from home, which matters when you don't drive."],
            "neg": ["The nearest centre is now two buses away and the fares add up.",
                    "It's only open in the daytime, so working parents miss out.",
                    "Since the changes I have to travel to {other_place}, which takes over an hour.",
                    "There's no bus from our village on a Friday."],
            "neu": ["Evening or weekend sessions would help working families."],
        },
        "staff": {
            "pos": ["The family bus reaches villages with no public transport."],
            "neg": ["Families in the villages can't get to us without a car."],
            "neu": [],
        },
    },
    "cost": {
        "parent": {
            "pos": ["Everything being free is a lifeline when money is tight.",
                    "Free activities mean we can do something fun every week."],
            "neg": ["The new charge for {activity} means we can't go any more.",
                    "Parking costs four pounds, which is a lot for a one-hour session.",
                    "With bus fares and the cost of living it's too expensive to get there."],
            "neu": [],
        },
        "staff": {
            "pos": [],
            "neg": ["Charging for universal sessions has pushed out the families on the lowest incomes."],
            "neu": [],
        },
    },
    "activities_for_children": {
        "parent": {
            "pos": ["My {child} loves {activity}, it's the highlight of our week.",
                    "{activity} at {site} is brilliant and the songs are great.",
                    "The messy play sessions are fantastic and I don't have to clean up!",
                    "The online Rhymetime during lockdown kept us going."],
            "neg": ["There's nothing for children over two on a weekday.",
                    "{activity} was cut and there's nothing to replace it.",
                    "The activities are the same every week and my {child} is bored."],
            "neu": ["More sessions for toddlers in the school holidays, please."],
        },
        "staff": {
            "pos": ["The new speech and language groups are popular and full every week."],
            "neg": ["We've had to cut sessions that families valued."],
            "neu": [],
        },
    },
    "being_listened_to": {
        "parent": {
            "pos": ["When I said I was struggling they listened and acted straight away.",
                    "They took my worries seriously."],
            "neg": ["I raised concerns several times and nobody listened.",
                    "It feels like our views don't matter to the council.",
                    "I told them I was struggling and they just gave me a leaflet."],
            "neu": [],
        },
        "staff": {
            "pos": ["Managers listened when we raised concerns about the timetable."],
            "neg": ["Frontline staff were not consulted about the changes.",
                    "Our concerns about the new contract were ignored."],
            "neu": [],
        },
    },
}
THEMES = list(BANK)
THEME_WEIGHTS = {
    "parent_carer": {"access": 1.3, "building_facilities": 0.7, "continuity_of_care": 0.6, "public_involvement": 0.4,
                     "quality_of_care": 1.0, "quality_of_staffing": 1.0, "quality_of_treatment": 0.6,
                     "service_organisation": 0.4, "stigma": 1.5, "peer_support": 2.0, "information_advice": 1.1,
                     "joined_up_working": 0.3, "opening_hours_travel": 2.0, "cost": 1.5, "activities_for_children": 2.0,
                     "being_listened_to": 0.8},
    "staff": {"access": 0.6, "building_facilities": 0.9, "continuity_of_care": 1.2, "public_involvement": 0.4,
              "quality_of_care": 0.6, "quality_of_staffing": 2.6, "quality_of_treatment": 0.3,
              "service_organisation": 2.6, "stigma": 0.4, "peer_support": 0.3, "information_advice": 0.6,
              "joined_up_working": 2.6, "opening_hours_travel": 0.4, "cost": 0.3, "activities_for_children": 0.5,
              "being_listened_to": 1.1},
    "volunteer": {"access": 0.8, "building_facilities": 0.6, "continuity_of_care": 0.5, "public_involvement": 0.8,
                  "quality_of_care": 0.6, "quality_of_staffing": 1.0, "quality_of_treatment": 0.5,
                  "service_organisation": 0.6, "stigma": 0.9, "peer_support": 2.2, "information_advice": 0.8,
                  "joined_up_working": 0.5, "opening_hours_travel": 0.8, "cost": 0.8, "activities_for_children": 1.5,
                  "being_listened_to": 1.0},
    "partner": {"access": 0.8, "building_facilities": 0.4, "continuity_of_care": 1.0, "public_involvement": 1.0,
                "quality_of_care": 0.6, "quality_of_staffing": 1.0, "quality_of_treatment": 0.3,
                "service_organisation": 1.8, "stigma": 0.5, "peer_support": 0.4, "information_advice": 1.4,
                "joined_up_working": 2.6, "opening_hours_travel": 0.6, "cost": 0.4, "activities_for_children": 0.4,
                "being_listened_to": 0.6},
    "other": {"access": 1.2, "building_facilities": 0.8, "continuity_of_care": 0.4, "public_involvement": 1.6,
              "quality_of_care": 0.6, "quality_of_staffing": 0.6, "quality_of_treatment": 0.4,
              "service_organisation": 0.8, "stigma": 0.8, "peer_support": 0.8, "information_advice": 1.0,
              "joined_up_working": 0.6, "opening_hours_travel": 1.2, "cost": 1.0, "activities_for_children": 1.0,
              "being_listened_to": 1.0},
}
# Share of positive sentences by theme (the rest negative or, now and then, a suggestion).
POSITIVE_SHARE = {"access": 0.35, "building_facilities": 0.5, "continuity_of_care": 0.45, "public_involvement": 0.3,
                  "quality_of_care": 0.65, "quality_of_staffing": 0.6, "quality_of_treatment": 0.6,
                  "service_organisation": 0.35, "stigma": 0.3, "peer_support": 0.7, "information_advice": 0.55,
                  "joined_up_working": 0.4, "opening_hours_travel": 0.3, "cost": 0.4, "activities_for_children": 0.75,
                  "being_listened_to": 0.4}
OPENERS = {
    "parent_carer": ["As a mum of two, ", "As a first-time dad, ", "I'm a single parent and ", "Honestly, ",
                     "We moved to {place} last year and ", "", "", "", "", ""],
    "staff": ["As a family support worker, ", "Speaking as a practitioner, ", "From the front line: ", "", "", ""],
    "volunteer": ["I've volunteered at {site} for three years. ", "As a Home-Start volunteer, ", "", ""],
    "partner": ["As a health visitor working with the centres, ", "From the school's point of view, ",
                "Speaking for the midwifery team, ", "", ""],
    "other": ["As a grandparent who looks after my grandson, ", "As a local councillor, ", "As a childminder, ", "", ""],
}
CLOSERS = ["", "", "", "", " Thank you.", " Keep up the good work!", " Please keep it open.",
           " I hope someone reads this.", " Thanks to all the staff."]
CHILD_WORDS = ["son", "daughter", "little one", "twins", "youngest", "toddler", "baby"]
FIRST_NAMES = ["Sarah", "Emma", "Aisha", "Chloe", "Priya", "Jade", "Hannah", "Tom", "Daniel", "Kerry", "Zofia",
               "Leanne", "Gemma", "Mohammed", "Lucy", "Amira", "Becky", "Craig"]
LAST_NAMES = ["Jones", "Smith", "Patel", "Williams", "Brown", "Khan", "Taylor", "Novak", "Evans", "Hughes", "Begum",
              "Wright", "Clarke", "Walker"]
CONSULTATIONS = [
    ("Early help review 2020", day("2020-09-01"), day("2020-11-30"), 0.45),
    ("Family hubs consultation 2024", day("2024-01-08"), day("2024-03-29"), 0.55),
]


def _pii(rng: np.random.Generator, site: str) -> str:
    first, last = FIRST_NAMES[rng.integers(len(FIRST_NAMES))], LAST_NAMES[rng.integers(len(LAST_NAMES))]
    kind = int(rng.integers(5))
    if kind == 0:
        return f"My name is {first} {last} and I'm happy to talk about this."
    if kind == 1:
        return f"You can email me at {first.lower()}.{last.lower()}{int(rng.integers(10, 99))}@example.com."
    if kind == 2:
        num = f"07700 900{int(rng.integers(0, 1000)):03d}" if rng.random() < 0.7 else f"01632 960{int(rng.integers(0, 1000)):03d}"
        return f"Please call me on {num}."
    if kind == 3:
        pc_ = f"WE{int(rng.integers(1, 20))} {int(rng.integers(1, 10))}{'ABDEFGHJLNPQRSTUWXYZ'[rng.integers(20)]}" \
              f"{'ABDEFGHJLNPQRSTUWXYZ'[rng.integers(20)]}"
        return f"We live at {pc_} and {site} is the nearest centre."
    return f"I'm {first} {last}, my number is 07700 900{int(rng.integers(0, 1000)):03d} if you need more detail."


def _tidy(sentence: str) -> str:
    sentence = (sentence.replace("my twins's", "my twins'").replace("my twins loves", "my twins love")
                .replace("my twins wasn't", "my twins weren't").replace("my twins is", "my twins are")
                .replace("my twins was", "my twins were"))
    return sentence[0].upper() + sentence[1:]


def write_feedback(cy: County) -> None:
    t, rng = cy.t, cy.rng("feedback")
    n_total = 1000 * cy.scale
    n_cc, n_lib = t["n_cc"], t["n_lib"]
    kind = t["kind"]
    resp_types = ["parent_carer", "staff", "volunteer", "partner", "other"]
    resp_p = [0.70, 0.12, 0.06, 0.07, 0.05]
    acts_centre = ["Stay and play", "Rhymetime", "Baby massage", "Messy play", "the parenting course",
                   "the speech and language group", "the young parents group", "the breastfeeding group"]
    acts_lib = ["Rhymetime", "Story time", "Bookstart", "the Saturday rhyme session"]
    rows = {k: [] for k in ("id", "consultation", "on", "rt", "st", "centre", "comment", "themes", "sentiment")}
    i = 0
    for name, start, end, share in CONSULTATIONS:
        n_c = int(round(n_total * share))
        when = start + rng.integers(0, end - start + 1, n_c)
        when = np.where((when + 3) % 7 == 6, when - 1, when)
        for j in range(n_c):
            rt = resp_types[rng.choice(5, p=resp_p)]
            voice = "staff" if rt in ("staff", "partner") or (rt == "volunteer" and rng.random() < 0.4) else "parent"
            # The site the comment is about.
            p_null = {"parent_carer": 0.12, "staff": 0.15, "volunteer": 0.2, "partner": 0.55, "other": 0.6}[rt]
            r = rng.random()
            site = -1
            if r >= p_null:
                if rng.random() < (0.25 if rt != "staff" else 0.1):
                    site = n_cc + int(rng.integers(n_lib))
                else:
                    open_now = np.flatnonzero((t["open_day"][:n_cc] <= when[j]) & (t["close_day"][:n_cc] >= when[j]))
                    site = int(open_now[rng.integers(len(open_now))])
            if site < 0:
                site_type = "library" if rng.random() < 0.08 else None
                site_name = {"library": "the library"}.get(site_type, "the children's centre")
                place = DISTRICTS[int(rng.integers(len(DISTRICTS)))].name
            elif kind[site] == 1:
                site_type, site_name = "library", t["site_names"][site]
                place = DISTRICTS[t["site_district"][site]].name
            else:
                hub = when[j] >= t["hub_day"][site]
                site_type = "family_hub" if hub else "children_centre"
                site_name = t["site_names"][site] if hub else t["centre_places"][site] + " Children's Centre"
                place = t["centre_places"][site]
            weights = np.array([THEME_WEIGHTS[rt][th] for th in THEMES])
            if site_type == "library":
                weights[THEMES.index("activities_for_children")] *= 2
            if name.startswith("Family hubs"):
                weights[THEMES.index("service_organisation")] *= 1.5
            n_sent = int(rng.choice([1, 2, 3], p=[0.4, 0.42, 0.18]))
            chosen = rng.choice(len(THEMES), size=n_sent, replace=False, p=weights / weights.sum())
            activities = acts_lib if site_type == "library" else acts_centre
            subs = {"site": site_name, "place": place, "child": CHILD_WORDS[int(rng.integers(len(CHILD_WORDS)))],
                    "activity": activities[int(rng.integers(len(activities)))],
                    "other_place": t["centre_places"][int(rng.integers(n_cc))]}
            sentences, pols, themes = [], [], []
            for th_i in chosen:
                th = THEMES[th_i]
                bank = BANK[th][voice]
                p_pos = POSITIVE_SHARE[th] * (0.85 if name.startswith("Early help") and th in ("access", "peer_support") else 1.0)
                if voice == "staff":
                    p_pos *= 0.7
                pol = "neu" if (rng.random() < 0.08 and bank["neu"]) else ("pos" if rng.random() < p_pos else "neg")
                if not bank[pol]:
                    pol = "neg" if bank["neg"] else "pos"
                choices = bank[pol]
                if name.startswith("Early help"):
                    choices = [x for x in choices if "hub" not in x.lower() and "renaming" not in x.lower()] or choices
                else:
                    choices = [x for x in choices if "lockdown" not in x.lower()] or choices
                sentences.append(choices[int(rng.integers(len(choices)))])
                pols.append(pol)
                themes.append(th)
            filled = [_tidy(x.format(**subs)) for x in sentences]
            text = " ".join(filled)
            opener = OPENERS[rt][int(rng.integers(len(OPENERS[rt])))].format(**subs)
            if opener:
                first_word = sentences[0].split()[0]
                keep_case = (sentences[0].startswith("{site}") or first_word in ("I", "I'm", "I've", "I'd")
                             or (sentences[0].startswith("{activity}") and not text.startswith("The ")))
                if opener.endswith((", ", " and ", ": ")) and not keep_case:
                    text = opener + text[0].lower() + text[1:]
                else:
                    text = opener + text
            text += CLOSERS[int(rng.integers(len(CLOSERS)))]
            if rng.random() < 0.025:
                text = text + " " + _pii(rng, site_name)
            # The 2020 review was coded by analysts; a small pilot coded part of the 2024 consultation.
            coded = name.startswith("Early help") or rng.random() < 0.1
            if coded:
                core = [p for p in pols if p != "neu"]
                if not core:
                    sentiment = "neutral"
                elif all(p == "pos" for p in core):
                    sentiment = "positive"
                elif all(p == "neg" for p in core):
                    sentiment = "negative"
                else:
                    sentiment = "mixed"
            rows["id"].append(f"R{i + 1:0{max(5, len(str(n_total)))}d}")
            rows["consultation"].append(name)
            rows["on"].append(int(when[j]))
            rows["rt"].append(rt)
            rows["st"].append(site_type)
            rows["centre"].append(t["site_ids"][site] if site >= 0 else None)
            rows["comment"].append(text)
            rows["themes"].append(themes if coded else None)
            rows["sentiment"].append(sentiment if coded else None)
            i += 1
    write_table("feedback", {
        "response_id": s_arr(rows["id"]), "consultation": s_arr(rows["consultation"]),
        "collected_on": d_arr(rows["on"]), "respondent_type": s_arr(rows["rt"]), "site_type": s_arr(rows["st"]),
        "centre_id": s_arr(rows["centre"]), "comment": s_arr(rows["comment"]),
        "themes": pa.array(rows["themes"], type=LIST), "sentiment": s_arr(rows["sentiment"]),
    }, cy.out, cy.level)
    cy.row_counts["feedback"] = i


# --------------------------------------------------------------------------------------
# 7. Service changes, boundaries and extract.json.
# --------------------------------------------------------------------------------------


def write_service_changes(cy: County) -> None:
    t = cy.t
    ids, names = t["site_ids"], t["site_names"]
    rows: list[tuple[int, str, str | None, str | None]] = []
    places = t["centre_places"]
    for c in t["late"]:
        rows.append((int(t["open_day"][c]), f"{places[c]} Children's Centre opens",
                     f"New centre serving {DISTRICTS[t['centre_district'][c]].name}; families in its reach area "
                     f"were registered at {names[t['fallback'][c]]} before it opened.", ids[c]))
    rows.append((day("2020-03-23"), "Centres close to drop-in sessions (COVID-19)",
                 "Face-to-face groups stopped; family support continued by phone and video.", None))
    rows.append((day("2020-07-06"), "Phased reopening with booked sessions",
                 "Small booked groups only; drop-ins did not return until April 2021.", None))
    for c in t["closed"]:
        rows.append((CLOSED_ON, f"{places[c]} Children's Centre closes",
                     f"Closed in the 2021 re-commissioning. Its reach area is served from {names[t['fallback'][c]]}.",
                     ids[c]))
    n_cl = len(t["cluster_names"])
    rows.append((RECOMMISSIONED, "Children's centre services re-commissioned",
                 f"New five-year contracts for {n_cl} clusters; {len(t['closed'])} centres closed and the "
                 "offer moved towards booked and targeted sessions.", None))
    old_agency = {}
    for cl in t["agency_change_clusters"]:
        new = LEAD_AGENCIES[t["agency_of_cluster"][cl]]
        prev = LEAD_AGENCIES[(t["agency_of_cluster"][cl] + 3) % len(LEAD_AGENCIES)]
        old_agency[cl] = prev
        for c in np.flatnonzero(t["centre_cluster"] == cl):
            rows.append((RECOMMISSIONED, f"New lead agency at {names[c]}",
                         f"{t['cluster_names'][cl]} cluster moved from {prev} to {new}.", ids[c]))
    rows.append((day("2022-10-01"), "Library under-fives offer expanded",
                 "Rhymetime and Bookstart sessions at every library, with Saturday sessions at the larger libraries.",
                 None))
    rows.append((day("2023-09-01"), "Family hubs programme launched",
                 f"{len(t['hubs'])} children's centres to become family hubs by summer 2024.", None))
    for c in sorted(t["hubs"], key=lambda c: t["hub_day"][c]):
        rows.append((int(t["hub_day"][c]), f"{places[c]} becomes a family hub",
                     "Health visiting, infant feeding and perinatal mental health support moved on site.", ids[c]))
    rows.append((day("2024-04-01"), "Start for Life offer published",
                 "One published offer for families from pregnancy to age two.", None))
    rows.sort(key=lambda r: (r[0], r[3] or "", r[1]))
    write_table("service_changes", {
        "changed_on": d_arr([r[0] for r in rows]), "title": s_arr([r[1] for r in rows]),
        "detail": s_arr([r[2] for r in rows]), "centre_id": s_arr([r[3] for r in rows]),
    }, cy.out, cy.level)
    cy.row_counts["service_changes"] = len(rows)


def write_boundaries(cy: County) -> None:
    t = cy.t
    s = t["hex"]
    ang = np.radians(30 + 60 * np.arange(7))
    features = []
    for a in t["area_order"]:
        xs = t["x"][a] + s * np.cos(ang)
        ys = t["y"][a] + s * np.sin(ang)
        ring = [[round(LON0 + px / KM_PER_DEG_LON, 4), round(LAT0 + py / KM_PER_DEG_LAT, 4)] for px, py in zip(xs, ys)]
        ring[-1] = ring[0]
        features.append({"type": "Feature", "properties": {"area_code": t["area_codes"][a]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    _write_text(cy.out / "boundaries.geojson",
                json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")) + "\n")
    cy.row_counts["boundaries.geojson"] = len(features)


def write_extract_json(cy: County) -> None:
    info = {
        "authority": AUTHORITY_NAME,
        "extracted_on": EXTRACTED_ON,
        "suppression_threshold": 5,
        "notes": ("Fictional county generated by sample_data/generate.py "
                  f"(seed {cy.seed}, scale {cy.scale}): invented places, centres, children and figures, not real people. "
                  "England GLD benchmarks are the published DfE figures; other benchmarks are illustrative or fictional."),
    }
    _write_text(cy.out / "extract.json", json.dumps(info, indent=2) + "\n")


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# --------------------------------------------------------------------------------------
# Main.
# --------------------------------------------------------------------------------------


def generate(out: Path, scale: int = 1, seed: int = 2026, progress: bool = False, level: int | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    level = level if level is not None else (9 if scale <= 2 else 3)
    bar = Progress(progress, 12 + scale)  # the attendance step corrects the total once it knows the parts
    cy = County(seed=seed, scale=scale, out=out, level=level, progress=bar)
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
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    out = args.out or (PACKAGE_DIR if args.scale == 1 else REPO_DIR / "bench_data" / f"scale_{args.scale}")
    started = time.perf_counter()
    counts = generate(out, scale=args.scale, seed=args.seed, progress=args.scale > 1)
    took = time.perf_counter() - started
    width = max(len(k) for k in counts)
    for name, n in counts.items():
        print(f"{name:<{width}}  {n:>12,}")
    print(f"Wrote {out} in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
