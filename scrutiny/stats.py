"""The statistics behind every figure, in one tested place.

- Wilson score interval for a proportion (Wilson 1927; the method Public
  Health England's Fingertips uses).
- Newcombe's hybrid score interval for a difference of two proportions
  (Newcombe 1998, method 10), used for gaps.
- The square-and-add (MOVER) interval for a change in a gap between years.
- Ratings against a threshold that only claim a difference when the whole
  interval is on one side (the Fingertips convention).
- Funnel plot control limits and Spearman's rank correlation with its
  interval.
- Small-number suppression.

Proportions are fractions (0-1) inside this module; pages show per cent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

Z95 = 1.959963984540054
Z998 = 3.090232306167813
SUPPRESSED = "c"


# --- Intervals -------------------------------------------------------------------------------

def wilson_interval(successes, trials, z: float = Z95):
    """Wilson score interval; works on scalars and arrays. NaN where trials is 0."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
        lower = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        upper = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


@dataclass(frozen=True)
class Difference:
    estimate: float
    lower: float
    upper: float


def newcombe_difference(x1, n1, x2, n2, z: float = Z95) -> Difference:
    """p1 - p2 with Newcombe's hybrid Wilson score interval (method 10)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    return Difference(
        d,
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def newcombe_arrays(x1, n1, x2, n2, z: float = Z95):
    """Vectorised Newcombe: arrays of estimate, lower, upper (NaN where a denominator is 0)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    return d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def change_between(later: Difference, earlier: Difference) -> Difference:
    """later - earlier for two independent estimates with intervals (square-and-add, MOVER)."""
    d = later.estimate - earlier.estimate
    return Difference(
        d,
        d - math.sqrt((later.estimate - later.lower) ** 2 + (earlier.upper - earlier.estimate) ** 2),
        d + math.sqrt((later.upper - later.estimate) ** 2 + (earlier.estimate - earlier.lower) ** 2),
    )


# --- Gaps ------------------------------------------------------------------------------------

def gap(focus_x, focus_n, reference_x, reference_n, polarity: str = "higher_is_better", z: float = Z95) -> Difference:
    """The gap in proportion terms, signed so that a positive gap means the focus group is worse off.

    For a higher-is-better indicator that is reference % minus focus %; for a
    lower-is-better one (obesity, tooth decay) it is focus % minus reference %.
    """
    if polarity == "lower_is_better":
        return newcombe_difference(focus_x, focus_n, reference_x, reference_n, z)
    return newcombe_difference(reference_x, reference_n, focus_x, focus_n, z)


NARROWING, WIDENING, NO_CLEAR_CHANGE = "narrowing", "widening", "no clear change"


def gap_verdict(change: Difference) -> str:
    """Only says narrowing or widening when the whole interval of the change is on one side of 0."""
    if change.upper < 0:
        return NARROWING
    if change.lower > 0:
        return WIDENING
    return NO_CLEAR_CHANGE


BETTER, SIMILAR, WORSE = "better", "similar", "worse"


def compare_with_benchmark(lower: float, upper: float, benchmark: float, polarity: str) -> str:
    """Better / similar / worse than a benchmark value, judged on the local interval (all fractions)."""
    if lower > benchmark:
        higher = True
    elif upper < benchmark:
        higher = False
    else:
        return SIMILAR
    return BETTER if higher == (polarity == "higher_is_better") else WORSE


# --- Thresholds (Ofsted reach) -----------------------------------------------------------------

GOOD_THRESHOLD = 0.65
OUTSTANDING_THRESHOLD = 0.85

# Attendances in a year that count as sustained engagement, unless the Reach page's setting says
# otherwise. Reach itself (one attendance or more) does not depend on it.
SUSTAINED_MIN = 3


def threshold_rating(lower: float, upper: float, good: float = GOOD_THRESHOLD, outstanding: float = OUTSTANDING_THRESHOLD) -> str:
    """Rate reach against the thresholds, claiming a side only when the whole interval is on it.

    An interval that touches a threshold is "not different from" it.
    """
    if lower is None or upper is None or (isinstance(lower, float) and math.isnan(lower)):
        return "no data"
    if upper < good:
        return f"below {good:.0%}"
    if lower > outstanding:
        return f"{outstanding:.0%}+ (outstanding)"
    if lower > good and upper >= outstanding:
        return f"not different from {outstanding:.0%}"
    if lower > good:
        return f"{good:.0%}+ (good)"
    return f"not different from {good:.0%}"


RATING_ORDER = ("below", "not different from 65", "65%+", "not different from 85", "85%+")


# --- Funnel plots ----------------------------------------------------------------------------

def funnel_limits(target: float, denominators, z: float):
    """Control limits around a target proportion for each denominator (normal approximation to the binomial)."""
    n = np.asarray(denominators, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(target * (1 - target) / n)
    return np.clip(target - half, 0, 1), np.clip(target + half, 0, 1)


# --- Correlation -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Correlation:
    rho: float
    lower: float
    upper: float
    n: int


def spearman(x, y, z: float = Z95) -> Correlation | None:
    """Spearman's rho with a Fisher-z interval (standard error sqrt(1.06 / (n - 3)), Fieller et al. 1957)."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna()
    n = len(frame)
    if n < 4 or frame["x"].nunique() < 2 or frame["y"].nunique() < 2:
        return None
    rho = float(scipy_stats.spearmanr(frame["x"], frame["y"]).statistic)
    if abs(rho) >= 1:
        return Correlation(rho, rho, rho, n)
    fisher = math.atanh(rho)
    se = math.sqrt(1.06 / (n - 3))
    return Correlation(rho, math.tanh(fisher - z * se), math.tanh(fisher + z * se), n)


# --- Suppression -----------------------------------------------------------------------------

def is_small(count, threshold: int):
    """True for a count from 1 to threshold - 1; zero is not disclosive and stays 0."""
    c = np.asarray(count, dtype=float)
    return (c >= 1) & (c < threshold)


def rate_suppressed(numerator, denominator, threshold: int):
    """A percentage is hidden when its numerator is small or its denominator is below the threshold."""
    d = np.asarray(denominator, dtype=float)
    return is_small(numerator, threshold) | (d < threshold) | np.isnan(d)


def show_count(count, threshold: int):
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return ""
    return SUPPRESSED if is_small(count, threshold) else f"{int(count):,}"


def show_percent(value: float | None, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value * 100:.{decimals}f}%"


def show_interval(lower: float | None, upper: float | None, decimals: int = 0) -> str:
    if lower is None or upper is None or math.isnan(lower) or math.isnan(upper):
        return ""
    return f"{lower * 100:.{decimals}f}-{upper * 100:.{decimals}f}%"


def add_rate(frame: pd.DataFrame, numerator: str, denominator: str, prefix: str, threshold: int) -> pd.DataFrame:
    """Adds <prefix>_pct, _lower, _upper (fractions, NaN when suppressed) and _suppressed.

    Suppressed rates are removed from the numbers themselves, not just hidden
    in the display, so no chart or download can leak them.
    """
    out = frame.copy()
    num = out[numerator].astype(float).to_numpy()
    den = out[denominator].astype(float).to_numpy()
    lower, upper = wilson_interval(num, den)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(den > 0, num / den, np.nan)
    hidden = rate_suppressed(num, den, threshold)
    out[f"{prefix}_pct"] = np.where(hidden, np.nan, pct)
    out[f"{prefix}_lower"] = np.where(hidden, np.nan, lower)
    out[f"{prefix}_upper"] = np.where(hidden, np.nan, upper)
    out[f"{prefix}_suppressed"] = hidden
    return out


def suppress_counts(frame: pd.DataFrame, columns: list[str], threshold: int) -> pd.DataFrame:
    """Counts as display text: 1 to threshold-1 become "c", zero stays 0."""
    out = frame.copy()
    for column in columns:
        out[column] = [show_count(v, threshold) for v in out[column]]
    return out
