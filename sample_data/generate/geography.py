"""1. Geography: a hexagon per area inside a wobbly ellipse, districts, deprivation, and the
areas' boundaries."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from .county import County
from .write import write_text

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


def to_deciles(score: np.ndarray, shares: list[float]) -> np.ndarray:
    """Rank the scores (lowest = most deprived) and cut them into deciles with the given shares."""
    n = len(score)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(score, kind="stable")] = np.arange(n)
    cum = np.cumsum(shares) / np.sum(shares)
    return (np.searchsorted(cum, (rank + 0.5) / n) + 1).astype(np.int32)


def build_geography(cy: County) -> None:
    rng = cy.rng("geography")
    n = 600 * cy.site_scale
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
    write_text(cy.out / "boundaries.geojson",
                json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")) + "\n")
    cy.row_counts["boundaries.geojson"] = len(features)
