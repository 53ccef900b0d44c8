"""The statistics behind every figure, in one tested place.

- Wilson score interval for a proportion (Wilson 1927; the method Public
  Health England's Fingertips uses).
- Newcombe's hybrid score interval for a difference of two proportions
  (Newcombe 1998, method 10), used for gaps.
- The square-and-add (MOVER) interval for a change in a gap between years.
- Ratings against a threshold that only claim a difference when the whole
  interval is on one side (the Fingertips convention).
- Exact binomial funnel plot limits (Spiegelhalter 2005) and Spearman's rank
  correlation with its exact permutation p-value and interval.
- Rates per 1,000 (or any multiplier) with Byar's interval, exact Poisson below
  10 events (the PHEindicatormethods / Fingertips method).
- Many comparisons: p-values from intervals, how many calls chance alone would
  make, and Benjamini-Hochberg's false discovery rate.
- Small-number suppression.

Proportions are fractions (0-1) inside this module; pages show per cent.
"""

from __future__ import annotations

import itertools
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

HIGHER_IS_BETTER, LOWER_IS_BETTER = "higher_is_better", "lower_is_better"
# Reach and footfall carry no polarity column in the extract: for both, more is better. Stated here
# once; an outcome indicator's polarity comes from the indicators table.
REACH_POLARITY = HIGHER_IS_BETTER
FOOTFALL_POLARITY = HIGHER_IS_BETTER

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

FUNNEL_COVERAGES = (0.95, 0.998)


def _exact_lower_limit(target: float, n: np.ndarray, tail: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile: r is the smallest count whose cumulative
    probability reaches `tail`, and the limit is (r - alpha) / n with
    alpha = (F(r) - tail) / (F(r) - F(r - 1))."""
    r = scipy_stats.binom.ppf(tail, n, target)
    at_r = scipy_stats.binom.cdf(r, n, target)
    below_r = scipy_stats.binom.cdf(r - 1, n, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at_r > below_r, (at_r - tail) / (at_r - below_r), 0.0)
    return np.clip((r - alpha) / n, 0, 1)


def exact_funnel_limits(target: float, denominators, coverage: float):
    """Exact binomial control limits around a target proportion, as fractions, for each denominator.

    Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Statistics in
    Medicine 24:1185-1202: binomial quantiles, interpolated between whole counts so the lines are
    smooth. The upper limit mirrors the lower one (1 minus the lower limit around 1 - target), so
    on both sides a whole count lies outside a limit exactly when chance alone gives that count or
    one further out less often than the tail allows (2.5% for 95% limits, 0.1% for 99.8%): at a 90%
    target, 6 of 10 (chance of 6 or fewer 1.3%) is outside the 95% limits but not the 99.8% ones.
    NaN where the denominator is not positive.
    """
    n = np.asarray(denominators, dtype=float)
    whole = np.where(n > 0, np.round(n), 1)
    tail = (1 - coverage) / 2
    lower = _exact_lower_limit(target, whole, tail)
    upper = 1 - _exact_lower_limit(1 - target, whole, tail)
    return np.where(n > 0, lower, np.nan), np.where(n > 0, upper, np.nan)


def exact_poisson_funnel_limits(target_rate: float, denominators, coverage: float):
    """Exact Poisson control limits around a target rate (events per child), per child, for each
    denominator: the count of events expected is target_rate x n. Interpolated between whole counts
    as exact_funnel_limits is (Spiegelhalter 2005), so a whole count is outside a limit exactly when
    chance alone gives it, or one further out, less often than the tail allows."""
    n = np.asarray(denominators, dtype=float)
    whole = np.where(n > 0, np.round(n), 1)
    mu = target_rate * whole
    tail = (1 - coverage) / 2
    poisson = scipy_stats.poisson
    r = poisson.ppf(tail, mu)
    at_r, below_r = poisson.cdf(r, mu), poisson.cdf(r - 1, mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at_r > below_r, (at_r - tail) / (at_r - below_r), 0.0)
        lower = np.clip((r - alpha) / whole, 0, None)
    # The mirror image on the upper side: r_up is the largest count with P(X >= count) >= tail.
    q = poisson.ppf(1 - tail, mu)
    r_up = np.where(poisson.cdf(q, mu) > 1 - tail, q, q + 1)
    at, beyond = poisson.sf(r_up - 1, mu), poisson.sf(r_up, mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha_up = np.where(at > beyond, (at - tail) / (at - beyond), 0.0)
        upper = (r_up + alpha_up) / whole
    return np.where(n > 0, lower, np.nan), np.where(n > 0, upper, np.nan)


def fingertips_funnel_limits(target: float, denominators, z: float):
    """The Fingertips method's limits (PHEindicatormethods' phe_funnels): the proportions whose
    Wilson score interval just reaches the target, which on the proportion scale is
    target +/- z * sqrt(target * (1 - target) / n). Kept to say where the exact limits differ."""
    n = np.asarray(denominators, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(target * (1 - target) / n)
    return np.clip(target - half, 0, 1), np.clip(target + half, 0, 1)


# --- Correlation -----------------------------------------------------------------------------

# Below this many sites no rank correlation can be told from chance: with 4 sites even a perfect
# ordering happens by chance 2 times in 24 (exact p = 0.083), so no link could ever be shown.
# From 5 sites a perfect ordering can be (p = 2/120 = 0.017).
MIN_SITES_FOR_CORRELATION = 5
# Up to this many sites the p-value counts every ordering of the sites (8! = 40,320, a few
# hundredths of a second); above it, the t approximation, which is close from about 9 sites on.
EXACT_PERMUTATION_UP_TO = 8


@dataclass(frozen=True)
class Correlation:
    rho: float
    lower: float
    upper: float
    n: int
    p_value: float = float("nan")

    @property
    def enough_sites(self) -> bool:
        return self.n >= MIN_SITES_FOR_CORRELATION

    @property
    def clear(self) -> bool:
        """A link is claimed only with enough sites, p below 0.05 and the whole interval on one side of 0."""
        return self.enough_sites and self.p_value < 0.05 and (self.lower > 0 or self.upper < 0)


def spearman_exact_p(x, y) -> float:
    """Two-sided permutation p-value of Spearman's rho, counting every ordering of y against x:
    twice the smaller tail, at most 1 (as scipy.stats.permutation_test reports it)."""
    rx = scipy_stats.rankdata(np.asarray(x, dtype=float))
    ry = scipy_stats.rankdata(np.asarray(y, dtype=float))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    scale = math.sqrt(float((rx ** 2).sum() * (ry ** 2).sum()))
    observed = float(rx @ ry) / scale
    orders = np.array(list(itertools.permutations(range(len(ry)))), dtype=np.intp)
    every = (ry[orders] @ rx) / scale
    tolerance = 1e-12
    greater = float(np.mean(every >= observed - tolerance))
    less = float(np.mean(every <= observed + tolerance))
    return min(1.0, 2 * min(greater, less))


def spearman(x, y, z: float = Z95) -> Correlation | None:
    """Spearman's rho with a p-value and a 95% interval; None with fewer than 3 sites or no spread.

    p: exact (every ordering counted) up to EXACT_PERMUTATION_UP_TO sites, else scipy's t
    approximation. Interval: Fisher's z with Bonett and Wright's (2000) standard error
    sqrt((1 + rho^2 / 2) / (n - 3)); a rho of exactly +/-1 is first moved half a step towards
    0 (to the midpoint between 1 and the next value rho can take, 1 - 12 / (n^3 - n)), so the
    interval keeps its width instead of collapsing to a point. With 3 sites the interval is -1 to 1.
    """
    frame = pd.DataFrame({"x": x, "y": y}).dropna()
    n = len(frame)
    if n < 3 or frame["x"].nunique() < 2 or frame["y"].nunique() < 2:
        return None
    result = scipy_stats.spearmanr(frame["x"], frame["y"])
    rho = float(result.statistic)
    p_value = spearman_exact_p(frame["x"], frame["y"]) if n <= EXACT_PERMUTATION_UP_TO else float(result.pvalue)
    if n <= 3:
        return Correlation(rho, -1.0, 1.0, n, p_value)
    largest = 1 - 6 / (n ** 3 - n)
    r = max(-largest, min(largest, rho))
    se = math.sqrt((1 + r ** 2 / 2) / (n - 3))
    fisher = math.atanh(r)
    return Correlation(rho, math.tanh(fisher - z * se), math.tanh(fisher + z * se), n, p_value)


# --- Rates (events per 1,000 children, say) ---------------------------------------------------

EXACT_POISSON_BELOW = 10


def rate_interval(events, denominator, multiplier: float = 1000, z: float = Z95):
    """A rate (events / denominator x multiplier) and its interval, on scalars or arrays.

    Byar's approximation to the Poisson limits (Breslow and Day 1987) from 10 events, the exact
    Poisson limits (chi-squared quantiles, Armitage and Berry 2002) below 10, as PHEindicatormethods'
    phe_rate does for Fingertips. An event count can exceed its denominator (A&E attendances per
    child). NaN where the denominator is not positive. Returns (rate, lower, upper).
    """
    o = np.asarray(events, dtype=float)
    d = np.asarray(denominator, dtype=float)
    coverage = 2 * scipy_stats.norm.cdf(z) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(o > 0, o, 1)
        byar_lower = safe * (1 - 1 / (9 * safe) - z / (3 * np.sqrt(safe))) ** 3
        byar_upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
        exact_lower = np.where(o > 0, scipy_stats.chi2.ppf((1 - coverage) / 2, 2 * safe) / 2, 0.0)
        exact_upper = scipy_stats.chi2.ppf(1 - (1 - coverage) / 2, 2 * o + 2) / 2
        small = o < EXACT_POISSON_BELOW
        valid = d > 0
        rate = np.where(valid, o / d * multiplier, np.nan)
        lower = np.where(valid, np.where(small, exact_lower, byar_lower) / d * multiplier, np.nan)
        upper = np.where(valid, np.where(small, exact_upper, byar_upper) / d * multiplier, np.nan)
    if rate.ndim == 0:
        return float(rate), float(lower), float(upper)
    return rate, lower, upper


def rate_difference(events1, denominator1, events2, denominator2, multiplier: float = 1000, z: float = Z95) -> Difference:
    """rate1 - rate2 with the square-and-add (MOVER) interval built from each rate's own interval
    (Newcombe's approach for proportions, applied to rates as in Zou and Donner 2008)."""
    r1, l1, u1 = rate_interval(events1, denominator1, multiplier, z)
    r2, l2, u2 = rate_interval(events2, denominator2, multiplier, z)
    d = r1 - r2
    return Difference(d, d - math.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2), d + math.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2))


def rate_difference_arrays(events1, denominator1, events2, denominator2, z: float = Z95):
    """Vectorised rate_difference per child (multiplier 1): arrays of estimate, lower, upper."""
    r1, l1, u1 = (np.atleast_1d(v) for v in rate_interval(events1, denominator1, 1, z))
    r2, l2, u2 = (np.atleast_1d(v) for v in rate_interval(events2, denominator2, 1, z))
    d = r1 - r2
    return d, d - np.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2), d + np.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2)


def add_event_rate(frame: pd.DataFrame, events: str, denominator: str, prefix: str, threshold: int) -> pd.DataFrame:
    """add_rate for a rate indicator: <prefix>_pct is events per child (a fraction that may exceed
    1; pages multiply it by the indicator's multiplier) with Byar's / the exact Poisson interval.
    Hidden on the same rule as a percentage: a small event count or a small denominator."""
    num = frame[events].astype(float).to_numpy()
    den = frame[denominator].astype(float).to_numpy()
    rate, lower, upper = (np.atleast_1d(v) for v in rate_interval(num, den, 1))
    return _with_rate(frame, prefix, rate, lower, upper, rate_suppressed(num, den, threshold))


# --- Many comparisons ------------------------------------------------------------------------

def p_from_interval(estimate, lower, upper, null: float = 0.0, z: float = Z95):
    """Two-sided p-value recovered from an estimate and its 95% interval (Altman and Bland 2011,
    BMJ 343:d2090), taking the standard error from the half of the interval that faces the null,
    so p < 0.05 exactly when the whole interval is on one side of it. Works on arrays."""
    e, lo, hi = (np.asarray(v, dtype=float) for v in (estimate, lower, upper))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(e >= null, e - lo, hi - e)
        score = np.where(half > 0, np.abs(e - null) * z / half, np.where(e == null, 0.0, np.inf))
        p = 2 * scipy_stats.norm.sf(score)
    return float(p) if p.ndim == 0 else p


def p_against_threshold(successes, trials, threshold: float):
    """Two-sided score test p-value of a proportion against a fixed threshold (such as 65% reach):
    the test the Wilson interval inverts, so p < 0.05 exactly when the Wilson interval excludes it."""
    x, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (x / n - threshold) / np.sqrt(threshold * (1 - threshold) / n)
        p = np.where(n > 0, 2 * scipy_stats.norm.sf(np.abs(score)), np.nan)
    return float(p) if p.ndim == 0 else p


def expected_by_chance(rated: int, tail: float = 0.025) -> float:
    """How many of `rated` figures a one-sided call at 95% (the whole interval on one side) would
    make by chance alone if every figure were truly on the line: rated x 2.5%."""
    return rated * tail


def benjamini_hochberg(p_values, q: float = 0.05, tests: int | None = None):
    """Benjamini and Hochberg's (1995) step-up procedure: which p-values are discoveries with the
    false discovery rate at q, and the adjusted p-values (as statsmodels' multipletests 'fdr_bh').

    `tests` is the number of hypotheses tested when only some p-values are given: those left out
    must all be at least as large as every one given (with q = 0.05, p-values of 0.05 or more can
    never be discoveries, so only the smaller ones need be passed).
    """
    p = np.asarray(p_values, dtype=float)
    if len(p) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    m = len(p) if tests is None else max(int(tests), len(p))
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, len(p) + 1)
    adjusted_sorted = np.minimum(1, np.minimum.accumulate(ranked[::-1])[::-1])
    adjusted = np.empty_like(adjusted_sorted)
    adjusted[order] = adjusted_sorted
    return adjusted <= q, adjusted


POWER_80_Z = 0.8416212335729143


def detectable_change(lower: float, upper: float, z: float = Z95) -> float:
    """The smallest true change that figures this precise would detect 80% of the time at the
    5% level: (1.96 + 0.84) x the standard error read from the 95% interval's width."""
    return (z + POWER_80_Z) * (upper - lower) / (2 * z)


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
    num = frame[numerator].astype(float).to_numpy()
    den = frame[denominator].astype(float).to_numpy()
    lower, upper = wilson_interval(num, den)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(den > 0, num / den, np.nan)
    return _with_rate(frame, prefix, pct, lower, upper, rate_suppressed(num, den, threshold))


def _with_rate(frame: pd.DataFrame, prefix: str, value, lower, upper, hidden) -> pd.DataFrame:
    """The four columns add_rate and add_event_rate both add, with a hidden figure removed from the
    numbers themselves (NaN), not just from the display."""
    out = frame.copy()
    out[f"{prefix}_pct"] = np.where(hidden, np.nan, value)
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
