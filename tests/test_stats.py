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


def test_fingertips_funnel_limits_match_phe_indicator_methods():
    # PHEindicatormethods' own test output for phe_funnels (testdata_funnel_prop_outputs.csv), around
    # an average of 80.642448%: population, lower 95%, upper 95%, lower 99.8%, upper 99.8% (per cent).
    published = [(10, 56.154344, 100, 42.03259, 100), (50, 69.691035, 91.593861, 63.375595, 97.909301),
                 (102, 72.974925, 88.309971, 68.553233, 92.731663), (1008, 78.203374, 83.081521, 76.796814, 84.488082)]
    for n, low95, high95, low998, high998 in published:
        lower, upper = stats.fingertips_funnel_limits(0.80642448, [n], stats.Z95)
        assert (lower[0] * 100, upper[0] * 100) == (pytest.approx(low95, abs=1e-5), pytest.approx(high95, abs=1e-5))
        lower, upper = stats.fingertips_funnel_limits(0.80642448, [n], stats.Z998)
        assert (lower[0] * 100, upper[0] * 100) == (pytest.approx(low998, abs=1e-5), pytest.approx(high998, abs=1e-5))


@pytest.mark.parametrize("coverage", [0.95, 0.998])
@pytest.mark.parametrize("target", [0.9, 0.5, 0.07])
def test_exact_funnel_limits_agree_with_binomial_tails_at_every_count(target, coverage):
    # A whole count is below the lower limit exactly when scipy's binomial gives it, or anything
    # lower, less than the tail's chance; above the upper limit exactly when it, or anything
    # higher, is that rare. Checked for every count of every area of 10 to 30 children.
    tail = (1 - coverage) / 2
    for n in range(10, 31):
        lower, upper = stats.exact_funnel_limits(target, [n], coverage)
        for x in range(n + 1):
            assert (x / n < lower[0]) == (scipy_stats.binom.cdf(x, n, target) < tail), (n, x)
            assert (x / n > upper[0]) == (scipy_stats.binom.sf(x - 1, n, target) < tail), (n, x)


def test_exact_funnel_limits_interpolate_as_spiegelhalter_describes():
    # 90% target, 10 children, 99.8%: F(4) = 0.000147, F(5) = 0.001635 under binomial(10, 0.9), so
    # r = 5 and alpha = (0.001635 - 0.001) / (0.001635 - 0.000147) = 0.4267: limit (5 - 0.4267) / 10.
    lower, upper = stats.exact_funnel_limits(0.9, [10], 0.998)
    f4, f5 = scipy_stats.binom.cdf([4, 5], 10, 0.9)
    assert lower[0] == pytest.approx((5 - (f5 - 0.001) / (f5 - f4)) / 10, rel=1e-9)
    assert lower[0] == pytest.approx(0.4573, abs=1e-4)
    # 6 of 10 has a 1.3% chance of 6 or fewer: inside the exact 99.8% limits, where the Fingertips
    # limit (0.9 - 3.09 x sqrt(0.09 / 10) = 60.7%) would have drawn it below.
    assert 0.6 > lower[0]
    assert 0.6 < stats.fingertips_funnel_limits(0.9, [10], stats.Z998)[0][0]
    assert 0.6 < stats.exact_funnel_limits(0.9, [10], 0.95)[0][0]
    assert math.isnan(stats.exact_funnel_limits(0.9, [0], 0.95)[0][0])


def _scipy_exact_spearman_p(x, y) -> float:
    """scipy's permutation test over every pairing (n_resamples=inf enumerates them all)."""
    x_ranks = scipy_stats.rankdata(x)

    def rho(v, axis=-1):
        v_ranks = scipy_stats.rankdata(v, axis=axis)
        a = x_ranks - x_ranks.mean()
        b = v_ranks - v_ranks.mean(axis=axis, keepdims=True)
        return (b * a).sum(axis=axis) / np.sqrt((a ** 2).sum() * (b ** 2).sum(axis=axis))

    return scipy_stats.permutation_test((y,), rho, permutation_type="pairings", n_resamples=math.inf,
                                        vectorized=True).pvalue


def test_spearman_matches_scipy_with_exact_p_and_bonett_wright_interval():
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    y = [2, 1, 4, 3, 6, 5, 8, 7]
    result = stats.spearman(x, y)
    assert result.rho == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    # rho = 1 - 6 * 8 / (8 * 63) = 0.90476; atanh(rho) = 1.49787;
    # Bonett-Wright se = sqrt((1 + 0.90476^2 / 2) / 5) = 0.53090
    # -> tanh(1.49787 -/+ 1.95996 * 0.53090) = tanh(0.45731) to tanh(2.53842) = 0.428 to 0.988.
    assert (round(result.lower, 3), round(result.upper, 3)) == (0.428, 0.988)
    assert result.p_value == pytest.approx(_scipy_exact_spearman_p(x, y))


@pytest.mark.parametrize("x, y", [
    ([1, 2, 3, 4], [1, 2, 3, 4]),
    ([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]),
    ([3, 1, 4, 1, 5, 9, 2], [2, 7, 1, 8, 2, 8, 1]),   # ties on both sides
    ([10, 20, 30, 40, 50, 60], [1, 3, 2, 5, 4, 6]),
])
def test_spearman_exact_p_matches_scipy_permutation_test(x, y):
    assert stats.spearman(x, y).p_value == pytest.approx(_scipy_exact_spearman_p(x, y))


def test_spearman_with_four_sites_in_perfect_order_is_not_a_clear_link():
    # 4 sites, rho = 1: only 2 of the 24 orderings are as extreme, p = 0.083. The interval keeps
    # its width: rho is moved to 1 - 6 / 60 = 0.9, se = sqrt(1.405 / 1) = 1.18533,
    # tanh(1.47222 -/+ 2.32320) = -0.692 to 0.999.
    result = stats.spearman([1, 2, 3, 4], [10, 20, 30, 40])
    assert result.rho == pytest.approx(1.0)
    assert result.p_value == pytest.approx(2 / 24)
    assert (round(result.lower, 3), round(result.upper, 3)) == (-0.692, 0.999)
    assert not result.enough_sites and not result.clear
    five = stats.spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])
    assert five.p_value == pytest.approx(2 / 120) and five.clear


def test_spearman_needs_three_points_with_spread():
    assert stats.spearman([1, 2], [2, 1]) is None
    assert stats.spearman([1, 2, 3], [4, 4, 4]) is None
    three = stats.spearman([1, 2, 3], [3, 2, 1])
    assert (three.lower, three.upper) == (-1.0, 1.0) and not three.clear


def test_spearman_above_eight_sites_uses_scipy_t_approximation():
    x = list(range(12))
    y = [0, 2, 1, 3, 5, 4, 6, 8, 7, 9, 11, 10]
    assert stats.spearman(x, y).p_value == pytest.approx(scipy_stats.spearmanr(x, y).pvalue)


# --- Rates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("events, confidence", [(65, 0.95), (1045, 0.95), (65, 0.998), (10, 0.998), (1045, 0.998)])
def test_byar_limits_follow_phe_indicator_methods(events, confidence):
    # PHEindicatormethods' byars_lower / byars_upper (its documented examples byars_lower(65) and
    # byars_lower(65, 99.8), and the counts of its tests): O(1 - 1/(9O) - z/(3 sqrt O))^3 and
    # (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3. Checked against the exact Poisson limits from
    # scipy's chi-squared quantiles too, which Byar's approximates within 2% from 10 events.
    z = scipy_stats.norm.ppf(confidence + (1 - confidence) / 2)
    rate, lower, upper = stats.rate_interval(events, 100_000, multiplier=100_000, z=z)
    assert rate == events
    assert lower == pytest.approx(events * (1 - 1 / (9 * events) - z / (3 * math.sqrt(events))) ** 3, rel=1e-12)
    assert upper == pytest.approx((events + 1) * (1 - 1 / (9 * (events + 1)) + z / (3 * math.sqrt(events + 1))) ** 3, rel=1e-12)
    alpha = 1 - confidence
    assert lower == pytest.approx(scipy_stats.chi2.ppf(alpha / 2, 2 * events) / 2, rel=0.02)
    assert upper == pytest.approx(scipy_stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2, rel=0.02)


def test_byar_65_events_by_hand():
    # 65 events, z = 1.959964: 65 x (1 - 1/585 - 1.959964 / (3 x 8.062258))^3 = 65 x 0.917256^3 = 50.163;
    # 66 x (1 - 1/594 + 1.959964 / (3 x 8.124038))^3 = 66 x 1.078734^3 = 82.849 (per 100,000 of 100,000).
    rate, lower, upper = stats.rate_interval(65, 100_000, multiplier=100_000)
    assert (round(lower, 3), round(upper, 3)) == (50.163, 82.849)


def test_rate_below_ten_events_uses_exact_poisson_as_phe_rate_does():
    # phe_rate's documented example has areas of 10,000 with 9, 8 and 7 events (exact method) and
    # an area of 100 with 6,500 events: a numerator far above its denominator is a valid rate.
    rate, lower, upper = stats.rate_interval([9, 8, 7, 6500], [10_000, 10_000, 10_000, 100], multiplier=100_000)
    for i, events in enumerate([9, 8, 7]):
        assert lower[i] == pytest.approx(scipy_stats.chi2.ppf(0.025, 2 * events) / 2 * 10)
        assert upper[i] == pytest.approx(scipy_stats.chi2.ppf(0.975, 2 * events + 2) / 2 * 10)
    assert rate[3] == 6_500_000
    # 3 events among 1,000 children: 3.0 per 1,000, exact 95% limits 0.619 to 8.767 (Poisson 0.6187 to 8.7673).
    rate, lower, upper = stats.rate_interval(3, 1000, multiplier=1000)
    assert (rate, round(lower, 3), round(upper, 3)) == (3.0, 0.619, 8.767)
    rate, lower, upper = stats.rate_interval(0, 1000)
    assert (rate, lower, round(upper, 3)) == (0.0, 0.0, 3.689)
    assert math.isnan(stats.rate_interval(3, 0)[0])


def test_rate_difference_squares_and_adds_each_rates_interval():
    d = stats.rate_difference(30, 1000, 10, 1000)
    r1, l1, u1 = stats.rate_interval(30, 1000)
    r2, l2, u2 = stats.rate_interval(10, 1000)
    assert d.estimate == pytest.approx(20.0)
    assert d.lower == pytest.approx(20 - math.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2))
    assert d.upper == pytest.approx(20 + math.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2))
    assert d.lower > 0


# --- Many comparisons --------------------------------------------------------------------------

def test_benjamini_hochberg_matches_statsmodels():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 0.01, 15), rng.uniform(0, 1, 85)])
    expected_reject, expected_adjusted, _, _ = multitest.multipletests(p, alpha=0.05, method="fdr_bh")
    reject, adjusted = stats.benjamini_hochberg(p, 0.05)
    assert (reject == expected_reject).all()
    assert adjusted == pytest.approx(expected_adjusted)


def test_benjamini_hochberg_needs_only_the_small_p_values_and_the_number_of_tests():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.array([0.0001, 0.004, 0.019, 0.03, 0.2, 0.5, 0.7, 0.9])
    full, _, _, _ = multitest.multipletests(p, alpha=0.05, method="fdr_bh")
    small, _ = stats.benjamini_hochberg(p[p < 0.05], 0.05, tests=len(p))
    assert list(small) == list(full[:4])
    # By hand: m = 8, thresholds 0.00625, 0.0125, 0.01875, 0.025: the first two pass, 0.019 > 0.01875.
    assert list(small) == [True, True, False, False]
    assert stats.benjamini_hochberg([], 0.05)[0].size == 0


def test_p_from_interval_is_below_005_exactly_when_the_interval_excludes_zero():
    # Altman and Bland (2011): estimate 10, interval 2 to 18, se = 8 / 1.96 = 4.08, z = 2.45, p = 0.014.
    assert stats.p_from_interval(10, 2, 18) == pytest.approx(2 * scipy_stats.norm.sf(1.959964 * 10 / 8), rel=1e-6)
    assert stats.p_from_interval(10, 0, 18) == pytest.approx(0.05, rel=1e-6)
    assert stats.p_from_interval(-5, -12, -0.1) < 0.05 < stats.p_from_interval(-5, -12, 0.1)


def test_p_against_threshold_agrees_with_the_wilson_interval():
    for reached, population in [(50, 100), (55, 100), (56, 100), (600, 1000), (3, 10)]:
        lower, upper = stats.wilson_interval(reached, population)
        assert (stats.p_against_threshold(reached, population, 0.65) < 0.05) == (upper < 0.65 or lower > 0.65)


def test_expected_by_chance_and_detectable_change():
    # 554 figures rated: 554 x 2.5% = 13.85 called clearly below by chance alone if all were on the line.
    assert stats.expected_by_chance(554) == pytest.approx(13.85)
    # A change with interval -0.06 to +0.10: se = 0.16 / 3.92 = 0.040816; x (1.96 + 0.84) = 0.1144.
    assert stats.detectable_change(-0.06, 0.10) == pytest.approx(0.16 / (2 * 1.959964) * (1.959964 + 0.841621), rel=1e-6)


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
