"""What every step shares: the county built so far, its random streams, the progress bar."""

from __future__ import annotations

import math
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

AUTHORITY_NAME = "Wealdshire County Council"
AUTHORITY = "Wealdshire"  # its code in the outcomes table


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def logit(p):
    return math.log(p / (1 - p))


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
    # Areas and sites multiply by this instead of by scale when given (a national shape: thousands
    # of sites, each reaching fewer children than a county's).
    sites: int | None = None

    @property
    def site_scale(self) -> int:
        return self.sites or self.scale

    def rng(self, name: str) -> np.random.Generator:
        if self.sites:
            return np.random.default_rng([self.seed, zlib.crc32(name.encode()), self.scale, self.sites])
        return np.random.default_rng([self.seed, zlib.crc32(name.encode()), self.scale])
