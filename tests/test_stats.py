"""The statistics module against published worked examples and hand-worked edges."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from scrutiny import stats


@pytest.mark.parametrize(
    "successes, trials, lower, upper",
    [
        # Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        # 7 of 9 by hand: p = 0.77778, z^2 = 3.84146, denominator 1 + z^2/9 = 1.426829,
        # centre = (0.77778 + 3.84146/18) / 1.426829 = 0.694682,
        # half = 1.959964 * sqrt(0.77778*0.22222/9 + 3.84146/324) / 1.426829 = 0.242090 -> 0.4526 to 0.9368.
        (7, 9, 0.4526, 0.9368),
        # 0 of 10: the interval still has width (0 to 0.2775), unlike a bare 0%.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_known_values(successes, trials, lower, upper):
    got_lower, got_upper = stats.wilson_interval(successes, trials)
    assert got_lower == pytest.approx(lower, abs=1e-4)
    assert got_upper == pytest.approx(upper, abs=1e-4)


def test_wilson_interval_is_vectorised_and_nan_for_no_trials():
    lower, upper = stats.wilson_interval(np.array([7, 0]), np.array([9, 0]))
    assert lower[0] == pytest.approx(0.4526, abs=1e-4)
    assert math.isnan(lower[1]) and math.isnan(upper[1])


def test_newcombe_hybrid_worked_example():
    # Newcombe (1998), method 10, example (a): 56/70 - 48/80 = 0.2000, 95% CI 0.0524 to 0.3339.
    d = stats.newcombe_difference(56, 70, 48, 80)
    assert (round(d.estimate, 4), round(d.lower, 4), round(d.upper, 4)) == (0.2, 0.0524, 0.3339)


def test_newcombe_arrays_match_scalar():
    est, lower, upper = stats.newcombe_arrays([56, 9], [70, 10], [48, 3], [80, 10])
    assert (round(est[0], 4), round(lower[0], 4), round(upper[0], 4)) == (0.2, 0.0524, 0.3339)
    single = stats.newcombe_difference(9, 10, 3, 10)
    assert lower[1] == pytest.approx(single.lower) and upper[1] == pytest.approx(single.upper)


@pytest.mark.parametrize(
    "polarity, expected",
    [
        # higher is better: reference 300/400 = 75% minus focus 40/80 = 50% -> +25 points.
        ("higher_is_better", 0.25),
        # lower is better (e.g. obesity): focus 50% minus reference 75% -> -25 points, focus better off.
        ("lower_is_better", -0.25),
    ],
)
def test_gap_is_signed_so_positive_means_focus_worse(polarity, expected):
    assert stats.gap(40, 80, 300, 400, polarity).estimate == pytest.approx(expected)


@pytest.mark.parametrize(
    "lower, upper, verdict",
    [(-0.05, -0.0001, "narrowing"), (-0.05, 0.0, "no clear change"), (0.0, 0.05, "no clear change"),
     (0.0001, 0.05, "widening"), (-0.02, 0.02, "no clear change")],
)
def test_gap_verdict_only_when_interval_clear(lower, upper, verdict):
    assert stats.gap_verdict(stats.Difference((lower + upper) / 2, lower, upper)) == verdict


def test_change_between_square_and_add():
    later = stats.Difference(0.10, 0.05, 0.16)
    earlier = stats.Difference(0.20, 0.14, 0.25)
    change = stats.change_between(later, earlier)
    # -0.10 - sqrt(0.05^2 + 0.05^2) = -0.1707; -0.10 + sqrt(0.06^2 + 0.06^2) = -0.0151.
    assert (round(change.estimate, 4), round(change.lower, 4), round(change.upper, 4)) == (-0.1, -0.1707, -0.0151)


@pytest.mark.parametrize(
    "lower, upper, rating",
    [
        (0.40, 0.6499, "below 65%"),
        (0.50, 0.65, "not different from 65%"),   # touching the line is not below it
        (0.65, 0.80, "not different from 65%"),
        (0.6501, 0.80, "65%+ (good)"),
        (0.70, 0.85, "not different from 85%"),
        (0.85, 0.95, "not different from 85%"),
        (0.8501, 0.95, "85%+ (outstanding)"),
        (0.30, 0.90, "not different from 65%"),   # a very wide interval claims nothing
    ],
)
def test_threshold_rating_edges(lower, upper, rating):
    assert stats.threshold_rating(lower, upper) == rating


def test_threshold_rating_custom_thresholds():
    assert stats.threshold_rating(0.55, 0.58, good=0.5, outstanding=0.7) == "50%+ (good)"


@pytest.mark.parametrize(
    "lower, upper, benchmark, polarity, verdict",
    [
        (0.60, 0.70, 0.55, "higher_is_better", "better"),
        (0.60, 0.70, 0.55, "lower_is_better", "worse"),
        (0.60, 0.70, 0.65, "higher_is_better", "similar"),
        (0.40, 0.50, 0.55, "lower_is_better", "better"),
    ],
)
def test_compare_with_benchmark_respects_polarity(lower, upper, benchmark, polarity, verdict):
    assert stats.compare_with_benchmark(lower, upper, benchmark, polarity) == verdict


def test_funnel_limits_by_hand():
    # target 0.5, n = 100: 0.5 +/- 1.96 * 0.05 = 0.402 to 0.598; 3.09 * 0.05 -> 0.3455 to 0.6545.
    lower, upper = stats.funnel_limits(0.5, [100], stats.Z95)
    assert (round(lower[0], 3), round(upper[0], 3)) == (0.402, 0.598)
    lower, upper = stats.funnel_limits(0.5, [100], stats.Z998)
    assert (round(lower[0], 4), round(upper[0], 4)) == (0.3455, 0.6545)


def test_spearman_matches_scipy_with_fisher_interval():
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    y = [2, 1, 4, 3, 6, 5, 8, 7]
    result = stats.spearman(x, y)
    assert result.rho == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    # rho = 1 - 6 * 8 / (8 * 63) = 0.90476; atanh(rho) = 1.49787; se = sqrt(1.06 / 5) = 0.46043
    # -> tanh(1.49787 -/+ 1.95996 * 0.46043) = tanh(0.59544) to tanh(2.40030) = 0.534 to 0.984.
    assert (round(result.lower, 3), round(result.upper, 3)) == (0.534, 0.984)


def test_spearman_needs_four_points():
    assert stats.spearman([1, 2, 3], [3, 2, 1]) is None


@pytest.mark.parametrize("count, shown", [(0, "0"), (1, "c"), (4, "c"), (5, "5"), (1234, "1,234")])
def test_show_count_suppresses_one_to_four(count, shown):
    assert stats.show_count(count, 5) == shown


@pytest.mark.parametrize(
    "numerator, denominator, hidden",
    [(0, 100, False), (3, 100, True), (5, 100, False), (4, 4, True), (0, 4, True), (6, 6, False)],
)
def test_rate_suppression(numerator, denominator, hidden):
    assert bool(stats.rate_suppressed(numerator, denominator, 5)) is hidden


def test_add_rate_removes_suppressed_values_from_the_numbers():
    frame = pd.DataFrame({"reached": [7, 3], "population": [9, 50]})
    out = stats.add_rate(frame, "reached", "population", "reach", threshold=5)
    assert out.reach_pct[0] == pytest.approx(7 / 9)
    assert out.reach_lower[0] == pytest.approx(0.4526, abs=1e-4)
    # 3 of 50: the numerator is small, so the rate and its interval are gone, not just hidden.
    assert math.isnan(out.reach_pct[1]) and math.isnan(out.reach_upper[1]) and out.reach_suppressed[1]
