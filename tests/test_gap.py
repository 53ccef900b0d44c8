"""The gap figures (scrutiny/topics/gap/) against hand-worked values on the tiny extract and small variants.

The tiny extract's good level of development (gld, higher is better, break 2021) for
Testshire, by free school meals (focus fsm, reference non_fsm):

    year   fsm        non_fsm     gap = non_fsm % - fsm %
    2018   30/60 50%  280/400 70%  20.0 points  (before the break)
    2021   36/80 45%  288/400 72%  27.0
    2022   40/80 50%  300/400 75%  25.0
    2023   45/80 56.25% 290/400 72.5% 16.25

Obesity in reception (lower is better, no break): fsm 16/100 then 12/100, non_fsm 40/500 (8%)
both years, so the gap (fsm % - non_fsm %) is 8.0 then 4.0 points.
"""

import math

import pandas as pd
import pytest

from scrutiny import format, stats
from scrutiny.topics.gap import figures as gap_figures, sentences as gap_sentences, tables as gap_tables
from scrutiny.contract import TABLES
from scrutiny.stats import Difference
from tests import tiny_extract

OUTCOME_COLUMNS = TABLES["outcomes"].column_names


def outcomes_with(rows):
    """The tiny extract's outcomes plus rows (indicator, level, code, year, group_type, group, numerator, denominator)."""
    base = tiny_extract.tables()["outcomes"]
    return pd.concat([base, pd.DataFrame(rows, columns=OUTCOME_COLUMNS)], ignore_index=True)


def only_outcomes(rows):
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def overview_row(indicator="gld", level="authority", code="Testshire", year=None):
    frame = gap_figures.indicator_overview(level, code, year)
    return frame[frame["indicator"] == indicator].iloc[0]


# --- The gap and its interval ------------------------------------------------------------------

def test_gap_reproduces_newcombes_worked_example(make_extract):
    # Newcombe (1998), example (f): 56/70 against 48/80 -> difference 0.2000, 95% CI 0.0524 to 0.3339.
    # As a gap: the reference group (non_fsm) 56/70 = 80%, the focus group (fsm) 48/80 = 60%.
    make_extract(outcomes=only_outcomes([
        ("gld", "authority", "Testshire", 2023, "fsm_status", "fsm", 48, 80),
        ("gld", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 56, 70),
    ]))
    row = overview_row()
    assert row["gap"] == pytest.approx(0.2000, abs=1e-4)
    assert row["gap_lower"] == pytest.approx(0.0524, abs=1e-4)
    assert row["gap_upper"] == pytest.approx(0.3339, abs=1e-4)


def test_latest_gap_on_the_tiny_extract(tiny):
    # 2023: 72.5% - 56.25% = 16.25 points. Wilson 45/80: 45.34% to 66.59%; 290/400: 67.93% to 76.65%.
    # Newcombe lower = 0.1625 - sqrt((0.725 - 0.6793)^2 + (0.6659 - 0.5625)^2) = 0.1625 - 0.1130 = 0.0495
    #          upper = 0.1625 + sqrt((0.7665 - 0.725)^2 + (0.5625 - 0.4534)^2) = 0.1625 + 0.1167 = 0.2792
    row = overview_row()
    assert row["year"] == 2023
    assert (row["focus_pct"], row["reference_pct"]) == (0.5625, 0.725)
    assert row["gap"] == pytest.approx(0.1625)
    assert row["gap_lower"] == pytest.approx(0.0495, abs=1e-4)
    assert row["gap_upper"] == pytest.approx(0.2792, abs=1e-4)


@pytest.mark.parametrize(
    "year, gap, previous_year, change, lower, upper, verdict",
    [
        # 2023 against 2022: 16.25 - 25.0 = -8.75 points. Square-and-add (MOVER) with 2022's
        # interval 13.40 to 36.42: lower = -8.75 - sqrt(11.30^2 + 11.42^2) = -24.82, upper = -8.75 + sqrt(11.67^2 + 11.60^2) = 7.70.
        (2023, 0.1625, 2022, -0.0875, -0.2482, 0.0770, "no clear change"),
        # 2022 against 2021 (27.0 points, interval 15.19 to 38.23): -2.0 points,
        # lower = -2.0 - sqrt(11.60^2 + 11.23^2) = -18.14, upper = -2.0 + sqrt(11.42^2 + 11.81^2) = 14.43.
        (2022, 0.25, 2021, -0.02, -0.1814, 0.1443, "no clear change"),
    ],
)
def test_change_since_previous_year(tiny, year, gap, previous_year, change, lower, upper, verdict):
    trend = gap_figures.gap_trend("gld")
    row = trend[trend["year"] == year].iloc[0]
    assert row["gap"] == pytest.approx(gap)
    assert row["previous_year"] == previous_year
    assert row["change_previous"] == pytest.approx(change)
    assert row["change_previous_lower"] == pytest.approx(lower, abs=1e-4)
    assert row["change_previous_upper"] == pytest.approx(upper, abs=1e-4)
    assert row["verdict_previous"] == verdict


def test_change_since_first_comparable_year(tiny):
    # 2023 against 2021, the first year after the break: 16.25 - 27.0 = -10.75 points.
    row = overview_row()
    assert row["first_year"] == 2021
    assert row["change_first"] == pytest.approx(-0.1075)
    assert row["verdict_first"] == "no clear change"


# --- The verdict at its edges ------------------------------------------------------------------

@pytest.mark.parametrize(
    "change, verdict",
    [
        (Difference(-0.05, -0.10, -0.0001), "narrowing"),
        (Difference(-0.05, -0.10, 0.0), "no clear change"),      # an interval touching 0 is not clear
        (Difference(0.05, 0.0, 0.10), "no clear change"),
        (Difference(0.05, 0.0001, 0.10), "widening"),
        (Difference(0.0, -0.02, 0.02), "no clear change"),
    ],
)
def test_verdict_needs_the_whole_interval_on_one_side(change, verdict):
    assert stats.gap_verdict(change) == verdict


def test_a_clear_narrowing_is_called_narrowing(make_extract):
    # fsm 400/1000 -> 600/1000, non_fsm 800/1000 both years: the gap falls from 40 to 20 points.
    # Each gap's Newcombe half-width is about 3.9 points, so the change's interval is about
    # -20 +/- 5.5: -25.5 to -14.4, wholly below zero.
    make_extract(outcomes=only_outcomes([
        ("gld", "authority", "Testshire", 2022, "fsm_status", "fsm", 400, 1000),
        ("gld", "authority", "Testshire", 2022, "fsm_status", "non_fsm", 800, 1000),
        ("gld", "authority", "Testshire", 2023, "fsm_status", "fsm", 600, 1000),
        ("gld", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 800, 1000),
    ]))
    row = overview_row()
    assert row["change_previous"] == pytest.approx(-0.20)
    assert row["change_previous_lower"] == pytest.approx(-0.2550, abs=1e-4)
    assert row["change_previous_upper"] == pytest.approx(-0.1442, abs=1e-4)
    assert row["verdict_previous"] == "narrowing"
    assert "clearly narrowed" in gap_sentences.overview_sentence(gap_figures.indicator_overview(), gap_figures.authority())


# --- The comparability break -------------------------------------------------------------------

def test_no_change_is_computed_across_the_break(tiny):
    # 2021 is the break year: 2018 is the only earlier year and is not comparable with it.
    trend = gap_figures.gap_trend("gld")
    first_after = trend[trend["year"] == 2021].iloc[0]
    assert math.isnan(first_after["previous_year"]) and math.isnan(first_after["change_previous"])
    assert first_after["verdict_previous"] == ""
    assert list(trend["segment"]) == [0, 1, 1, 1]
    # 2018 itself has nothing earlier; 2022 and 2023 look back no further than 2021.
    assert trend["first_year"].dropna().eq(2021).all()


def test_break_is_said_in_the_sentence(tiny):
    row = overview_row(year=2021)
    assert row["year"] == 2021 and math.isnan(row["change_previous"])
    sentence = gap_sentences.gap_sentence(row, gap_figures.indicators()["gld"], gap_figures.authority())
    assert "27.0 points in 2021-22" in sentence
    assert "first year after a break in the series, so it is not compared with 2020-21 or earlier" in sentence


def test_trend_chart_lines_are_not_joined_across_the_break(tiny):
    from scrutiny.topics.gap import charts as gap_charts

    trend = gap_figures.gap_trend("gld")
    indicator = gap_figures.indicators()["gld"]
    for fig in (gap_charts.groups_over_time(trend, indicator), gap_charts.gap_over_time(trend, indicator)):
        spans = [{indicator.segment(pd.Timestamp(x).year - 1) for x in trace.x} for trace in fig.data]
        assert all(len(s) == 1 for s in spans), spans
        assert {0, 1} == set().union(*spans)


def test_only_the_service_changes_within_the_chart_are_marked_and_listed():
    from scrutiny import charts
    from scrutiny.topics.gap import charts as gap_charts

    # Years 2021-22 and 2022-23: the chart runs from 1 April 2021 to 1 April 2023.
    trend = pd.DataFrame({"year": [2021, 2022]})
    changes = pd.DataFrame({
        "changed_on": [pd.Timestamp("2019-01-01"), pd.Timestamp("2021-04-01"), pd.Timestamp("2023-03-31"),
                       pd.Timestamp("2023-09-01")],
        "title": ["Before the chart", "First day", "Last day", "After the year chosen"],
        "centre_id": [None] * 4, "centre_name": [None] * 4,
    })
    in_view = gap_charts.changes_in_view(trend, changes)
    assert list(in_view["title"]) == ["First day", "Last day"]
    # The caption numbers them as the chart does, and names no change the chart leaves off.
    caption = charts.service_change_caption(in_view)
    assert caption == "Service changes marked on the chart: (1) Apr 2021: First day; (2) Mar 2023: Last day."
    assert gap_charts.changes_in_view(trend.iloc[0:0], changes).empty


# --- Polarity ----------------------------------------------------------------------------------

def test_lower_is_better_gap_is_focus_minus_reference(tiny):
    # Obesity 2023: fsm 12% - non_fsm 8% = +4.0 points (the focus group worse off); 2022: 16% - 8% = 8.0.
    row = overview_row("obesity_reception")
    assert row["gap"] == pytest.approx(0.04)
    assert row["previous_year"] == 2022
    assert row["change_previous"] == pytest.approx(-0.04)  # the gap narrowed by 4 points, though not clearly
    assert row["verdict_previous"] == "no clear change"


@pytest.mark.parametrize(
    "polarity, verdict",
    [
        # 160/1000 -> 100/1000: a fall of 6.0 points, 95% CI -8.9 to -3.1 (Newcombe), wholly below zero.
        ("lower_is_better", "a clear improvement"),
        ("higher_is_better", "a clear deterioration"),
    ],
)
def test_a_falling_value_is_an_improvement_only_when_lower_is_better(polarity, verdict):
    assert gap_sentences.focus_change_verdict(100, 1000, 160, 1000, polarity) == verdict


def test_obesity_fall_is_described_without_overclaiming(tiny):
    trend = gap_figures.gap_trend("obesity_reception")
    text = gap_sentences.values_sentence(trend.iloc[1], gap_figures.indicators()["obesity_reception"], trend.iloc[0])
    # 12/100 against 16/100: -4 points, interval -13.5 to 5.9 (Newcombe), so not clear either way.
    assert "12.0% of children on free school meals" in text
    assert "it fell from 16.0% in 2022-23: no clear change" in text


@pytest.mark.parametrize(
    "indicator, england, expected",
    [
        # Obesity 2023, fsm 12/100: Wilson 7.0% to 19.8%. England's fsm figure above the whole
        # interval means the local value is lower, which is better for a lower-is-better indicator.
        ("obesity_reception", 25.0, "better"),
        ("obesity_reception", 5.0, "worse"),
        ("obesity_reception", 10.0, "similar"),
        # GLD 2023, fsm 45/80: Wilson 45.3% to 66.6%; England at 70% is above it: lower, so worse.
        ("gld", 70.0, "worse"),
    ],
)
def test_england_comparison_respects_polarity(make_extract, indicator, england, expected):
    make_extract(benchmarks=pd.DataFrame(
        [(indicator, "England", 2023, "fsm_status", "fsm", england, None, None, "Test source")],
        columns=TABLES["benchmarks"].column_names))
    row = overview_row(indicator)
    assert row["benchmark_value"] == pytest.approx(england / 100)
    assert row["benchmark_comparison"] == expected


# --- England's published figures -----------------------------------------------------------------

def test_england_gap_equals_the_published_gap(tiny):
    # DfE EYFSP 2022-23: non-FSM 71.5% and FSM 51.6% reached a good level of development,
    # a published gap of 71.5 - 51.6 = 19.9 points.
    england = gap_figures.benchmark_trend("gld")
    row = england[(england["geography"] == "England") & (england["year"] == 2022)].iloc[0]
    assert (row["reference_value"], row["focus_value"]) == (0.715, 0.516)
    assert format.points(row["gap"], unit=False) == "19.9"
    assert row["gap"] == pytest.approx(0.199)


def test_overview_compares_with_england_in_the_same_year(tiny):
    # 2022-23 in Testshire: fsm 40/80 = 50%, Wilson 39.3% to 60.7%, includes England's 51.6%: similar.
    # The gap 25.0 points (13.4 to 36.4) includes England's 19.9: similar.
    row = overview_row(year=2022)
    assert row["benchmark_value"] == pytest.approx(0.516)
    assert row["benchmark_comparison"] == "similar"
    assert row["benchmark_gap"] == pytest.approx(0.199)
    assert row["gap_comparison"] == "similar"
    # 2023-24 has no England figure in the tiny extract, so nothing is compared, and the table says so.
    assert pd.isna(overview_row()["benchmark_value"])
    shown = gap_tables.overview_table(gap_figures.indicator_overview())
    assert shown.loc[0, "England"] == "no figure for 2023-24 (latest 2022-23)"
    assert shown.loc[0, "Compared with England"] == ""


def test_benchmark_sentence_falls_back_to_englands_latest_year(tiny):
    trend = gap_figures.gap_trend("gld")
    text = gap_sentences.benchmark_sentence(trend, gap_figures.indicators()["gld"], gap_figures.authority(), gap_figures.benchmark_trend("gld"))
    assert text.startswith("England's latest figure in the extract is for 2022-23.")
    assert "25.0 points (95% CI 13.4 to 36.4) against 19.9 points for England" in text
    assert "Source for England: DfE EYFSP 2022-23." in text


# --- Funnel limits -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "numerator, band",
    [
        # Around 50% with 100 children, exact binomial limits: 95% 39.7 to 60.3 (61 or more has a
        # 1.8% chance, 60 or more 2.8%); 99.8% 34.1 to 65.9 (66 or more 0.09%, 65 or more 0.18%).
        (70, "above 99.8% limit"),
        (62, "above 95% limit"),
        (59, "within limits"),
        (41, "within limits"),
        (38, "below 95% limit"),
        (30, "below 99.8% limit"),
    ],
)
def test_funnel_bands(numerator, band):
    areas = pd.DataFrame({"focus_numerator": [numerator], "focus_denominator": [100.0], "focus_suppressed": [False],
                          "geography_name": ["A"]})
    assert gap_figures.funnel_points(areas, 0.5)["band"].tolist() == [band]


@pytest.mark.parametrize(
    "indicator, better, worse",
    [("gld", "A", "E"), ("obesity_reception", "E", "A")],  # for obesity the low outlier is the better one
)
def test_funnel_sentence_names_outliers_by_polarity(tiny, indicator, better, worse):
    areas = pd.DataFrame({"focus_numerator": [70, 62, 50, 38, 30], "focus_denominator": [100.0] * 5,
                          "focus_suppressed": [False] * 5, "geography_name": list("ABCDE")})
    text = gap_sentences.funnel_sentence(gap_figures.funnel_points(areas, 0.5), 1, 0.5, gap_figures.indicators()[indicator], "Testshire", 2023)
    assert f"of 5 reach areas 1 was clearly better than chance alone would give, beyond the 99.8% limits ({better}), " \
           f"and 1 clearly worse ({worse}); 2 more were outside the 95% limits only, worth watching (B, D)" in text
    assert text.endswith("1 reach area with too few children is not plotted.")


def test_funnel_curve_limits():
    curve = gap_figures.funnel_curve(0.5, [100, 37]).set_index("denominator")
    # Exact binomial(100, 0.5): F(39) = 0.0176 < 0.025 <= F(40) = 0.0284, so r = 40 and
    # alpha = (0.0284 - 0.025) / (0.0284 - 0.0176) = 0.3176: lower 95% limit (40 - 0.3176) / 100.
    assert curve.loc[100.0, "lower_95"] == pytest.approx(0.3968, abs=1e-4)
    assert curve.loc[100.0, "upper_95"] == pytest.approx(0.6032, abs=1e-4)
    assert curve.loc[100.0, "lower_998"] == pytest.approx(0.3412, abs=1e-4)
    assert curve.loc[100.0, "upper_998"] == pytest.approx(0.6588, abs=1e-4)
    assert curve["lower_998"].min() >= 0 and curve["upper_998"].max() <= 1


# --- Suppression -------------------------------------------------------------------------------

def test_small_focus_group_hides_the_gap_everywhere(tiny):
    # C1 2023: fsm 3/8 (numerator below 5), non_fsm 30/40. The gap would be 75 - 37.5 = 37.5 points.
    row = overview_row(level="centre", code="C1")
    assert row["focus_suppressed"] and row["gap_suppressed"]
    assert all(math.isnan(row[c]) for c in ("focus_pct", "focus_lower", "gap", "gap_lower", "gap_upper"))
    # The Footfall page shows C1's all children (33 of 48, the two groups together): non_fsm's 30 of 40
    # would give fsm's 3 away, so the plan hides it too; its 40 children are still shown.
    assert math.isnan(row["reference_pct"]) and row["reference_suppressed"] and not row["reference_denominator_hidden"]
    shown = gap_tables.overview_table(gap_figures.indicator_overview("centre", "C1", None))
    assert shown.loc[0, "Focus %"] == "c" and shown.loc[0, "Gap (points)"] == "c" and shown.loc[0, "Reference %"] == "c"
    assert "37.5" not in shown.to_csv()
    sentence = gap_sentences.gap_sentence(row, gap_figures.indicators()["gld"], gap_figures.find_geography("C1"))
    assert "cannot be shown for 2023-24" in sentence and "37.5" not in sentence


@pytest.mark.parametrize("reference, all_children, reference_shown", [
    # Free school meals or not make up all children: 33 of 48 less 30 of 40 would give away fsm's 3 of 8,
    # so the plan hides a second cell of that sum, the smaller part (non_fsm's 30), and all children stays.
    (("fsm_status", "non_fsm", 30, 40), (33, 48), False),
    # All children is more than the two groups together, by 42 children (an unknown status): nothing
    # to subtract, everything else stays shown.
    (("fsm_status", "non_fsm", 30, 40), (60, 90), True),
])
def test_a_hidden_group_is_not_given_away_by_all_children(make_extract, reference, all_children, reference_shown):
    from scrutiny.topics.gap import charts as gap_charts

    make_extract(outcomes=only_outcomes([
        ("gld", "authority", "Testshire", 2023, "fsm_status", "fsm", 3, 8),
        ("gld", "authority", "Testshire", 2023, *reference),
        ("gld", "authority", "Testshire", 2023, "all", "all", *all_children),
    ]))
    row = overview_row()
    assert row["focus_suppressed"]
    assert (not math.isnan(row["reference_pct"])) == reference_shown
    assert row["all_pct"] == pytest.approx(all_children[0] / all_children[1])
    if reference_shown:
        assert row["reference_pct"] == 0.75
    # Nor does the benchmark chart of all children draw anything that gives fsm away.
    indicator = gap_figures.indicators()["gld"]
    trend = gap_figures.gap_trend(indicator, gap_figures.find_geography("Testshire"))
    benchmarks = pd.DataFrame({"geography": ["England"], "year": [2023], "all_value": [0.68]})
    figure = gap_charts.against_benchmarks(trend, benchmarks, indicator, gap_figures.find_geography("Testshire"), "all")
    assert [trace.name for trace in figure.data if trace.name == "Testshire"] == ["Testshire"]
    assert "37.5" not in figure.to_json()


def test_area_table_and_chart_leave_out_suppressed_areas(tiny):
    from scrutiny.topics.gap import charts as gap_charts

    areas = gap_figures.gap_by_area("gld", 2023)
    # Northdale: 75% - 50% = 25.0 points; Southvale: 70% - 62.5% = 7.5; C1 suppressed, listed last.
    assert list(areas["geography_code"]) == ["Northdale", "Southvale", "C1"]
    assert areas["gap"].iloc[:2].tolist() == pytest.approx([0.25, 0.075])
    assert list(areas["clear"]) == ["clearly worse off", "no clear gap", "not shown"]
    shown = gap_tables.area_table(areas, gap_figures.indicators()["gld"])
    assert shown.loc[2, "Gap (points)"] == "c" and shown.loc[2, "On free school meals: children"] == "8"
    assert gap_charts.gap_bars(areas, "centre") is None
    assert "1 reach area with too few children is not shown" in gap_sentences.area_sentence(areas, "centre", gap_figures.indicators()["gld"], 2023)


@pytest.mark.parametrize(
    "numerator, denominator, suppressed",
    [(0, 10, False), (0, 4, True), (4, 40, True), (5, 40, False), (5, 5, False)],
)
def test_suppression_rule_for_a_group(make_extract, numerator, denominator, suppressed):
    # A rate is hidden when its numerator is 1-4 or its denominator is below 5; zero stays.
    make_extract(outcomes=only_outcomes([
        ("gld", "authority", "Testshire", 2023, "fsm_status", "fsm", numerator, denominator),
        ("gld", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 300, 400),
    ]))
    row = overview_row()
    assert bool(row["gap_suppressed"]) == suppressed
    assert math.isnan(row["gap"]) == suppressed


def test_change_resting_on_a_suppressed_year_is_not_shown(make_extract):
    make_extract(outcomes=outcomes_with([
        ("gld", "centre", "C1", 2022, "fsm_status", "fsm", 10, 20),
        ("gld", "centre", "C1", 2022, "fsm_status", "non_fsm", 30, 40),
        ("gld", "centre", "C1", 2024, "fsm_status", "fsm", 10, 20),
        ("gld", "centre", "C1", 2024, "fsm_status", "non_fsm", 30, 40),
    ]))
    trend = gap_figures.gap_trend("gld", "C1")
    row = trend[trend["year"] == 2023].iloc[0]      # 2023's own gap is suppressed (fsm 3/8)
    assert math.isnan(row["change_previous"]) and row["verdict_previous"] == "not shown (small numbers)"
    later = trend[trend["year"] == 2024].iloc[0]    # 2024 looks back to 2023, which is suppressed
    assert later["previous_year"] == 2023 and math.isnan(later["change_previous"])
    assert later["change_first"] == pytest.approx(0.0)   # against 2022: 25 points both years


# --- Areas, gradient and the overview's headline -----------------------------------------------

def test_gradient_by_idaci_quintile(make_extract):
    # Quintile 1 (most deprived) 30/60 = 50%, quintile 5 75/100 = 75%: a gradient of 25.0 points;
    # quintile 3 has 2/4 children and is suppressed.
    make_extract(outcomes=outcomes_with([
        ("gld", "authority", "Testshire", 2023, "idaci_quintile", "1", 30, 60),
        ("gld", "authority", "Testshire", 2023, "idaci_quintile", "3", 2, 4),
        ("gld", "authority", "Testshire", 2023, "idaci_quintile", "5", 75, 100),
    ]))
    gradient = gap_figures.deprivation_gradient("gld", None, 2023)
    assert list(gradient["group"]) == ["1", "3", "5"]
    assert list(gradient["value_suppressed"]) == [False, True, False]
    text = gap_sentences.gradient_sentence(gradient, gap_figures.indicators()["gld"], gap_figures.authority(), 2023)
    assert "50.0% of children in the most deprived fifth" in text
    # Newcombe for 30/60 - 75/100: -25.0 points (-39.4 to -9.6), turned round with its words.
    assert ("Good level of development is 25.0 points lower in the most deprived fifth than in the least "
            "(95% CI 9.6 to 39.4): children in the most deprived fifth were clearly worse off.") in text


@pytest.mark.parametrize(
    "indicator, most, least, expected",
    [
        # A rising gradient: the most deprived fifth does better (94/100 against 84/100). Newcombe
        # for 94/100 - 84/100: +10.0 points (95% CI 1.2 to 19.0); every number positive, and the
        # word says higher.
        ("gld", (94, 100), (84, 100),
         "Good level of development is 10.0 points higher in the most deprived fifth than in the least "
         "(95% CI 1.2 to 19.0): children in the most deprived fifth were clearly better off."),
        # A falling gradient of 30 points: 40/100 against 70/100 -> 30.0 points lower (95% CI 16.3 to 42.2).
        ("gld", (40, 100), (70, 100),
         "Good level of development is 30.0 points lower in the most deprived fifth than in the least "
         "(95% CI 16.3 to 42.2): children in the most deprived fifth were clearly worse off."),
        # Lower is better: more obesity in the most deprived fifth is worse off.
        ("obesity_reception", (30, 100), (10, 100),
         "Obesity in reception is 20.0 points higher in the most deprived fifth than in the least "
         "(95% CI 9.0 to 30.6): children in the most deprived fifth were clearly worse off."),
        # No clear difference: the interval crosses zero and the sentence says the data cannot tell.
        ("gld", (52, 100), (50, 100),
         "Good level of development is 2.0 points higher in the most deprived fifth than in the least "
         "(95% CI -11.6 to 15.5): the interval includes no difference, so the data cannot tell"),
    ],
)
def test_gradient_sentence_agrees_in_sign_and_words(make_extract, indicator, most, least, expected):
    make_extract(outcomes=outcomes_with([
        (indicator, "authority", "Testshire", 2023, "idaci_quintile", "1", *most),
        (indicator, "authority", "Testshire", 2023, "idaci_quintile", "5", *least),
    ]))
    gradient = gap_figures.deprivation_gradient(indicator, None, 2023)
    text = gap_sentences.gradient_sentence(gradient, gap_figures.indicators()[indicator], gap_figures.authority(), 2023)
    assert expected in text


def test_service_changes_follow_the_geography(tiny):
    # The authority sees only authority-wide changes; Northdale also sees its closed Old Mill Centre.
    assert list(gap_figures.service_changes_for(gap_figures.authority())["title"]) == ["Children's centres re-commissioned"]
    assert len(gap_figures.service_changes_for(gap_figures.find_geography("Northdale"))) == 2
    assert len(gap_figures.service_changes_for(gap_figures.find_geography("C1"))) == 1


def test_headline_gap_for_the_overview(tiny):
    headline = gap_sentences.headline_gap()
    assert headline.indicator == "gld" and headline.year == 2023 and headline.verdict == "no clear change"
    assert headline.sentence == (
        "In Testshire the gap in good level of development between children on free school meals and other "
        "children was 16.3 points in 2023-24 (95% CI 4.9 to 27.9), down from 25.0 in 2022-23 "
        "(change -8.8 points, 95% CI -24.8 to 7.7): no clear change."
    )
    # The sidebar's 2022-23 picks the 2022 outcome year.
    assert gap_sentences.headline_gap(2022).year == 2022
    # A district: Northdale 2023, 75% - 50% = 25.0 points, with no earlier year to compare.
    northdale = gap_sentences.headline_gap(geography="Northdale")
    assert northdale.sentence.startswith("In Northdale the gap in good level of development") and northdale.verdict == ""
    assert northdale.gap == pytest.approx(0.25)
    assert gap_sentences.headline_gap(geography="Nowhere") is None


def test_no_outcomes_gives_no_headline(make_extract):
    make_extract(outcomes=only_outcomes([]))
    assert gap_sentences.headline_gap() is None
    assert gap_figures.indicator_overview().empty


@pytest.mark.parametrize("value, text", [(0.1625, "16.3"), (-0.0875, "-8.8"), (0.199, "19.9"), (-0.0004, "0.0")])
def test_points_round_halves_away_from_zero(value, text):
    assert format.points(value, unit=False) == text


def test_many_areas_judged_at_once_say_what_chance_alone_gives(tiny):
    # 40 reach areas around 50%, every one within the limits except two: 40 x 5% = 2 outside the 95%
    # limits by chance alone; below 20 areas nothing is added.
    areas = pd.DataFrame({"focus_numerator": [50] * 38 + [62, 38], "focus_denominator": [100.0] * 40,
                          "focus_suppressed": [False] * 40, "geography_name": [f"A{i}" for i in range(40)]})
    text = gap_sentences.funnel_sentence(gap_figures.funnel_points(areas, 0.5), 0, 0.5, gap_figures.indicators()["gld"], "Testshire", 2023)
    assert ("With 40 reach areas judged at once, about 2 would be outside the 95% limits by chance alone even if none "
            "truly differed (5.0% of them), so one such result among many is weak evidence on its own.") in text
    assert gap_sentences.chance_note(19, "reach area", "would be outside the 95% limits", 0.05) == ""
    # Gaps: 2.5% of 200 areas = 5 clearly worse off by chance alone.
    assert gap_sentences.chance_note(200, "reach area", "would show the focus group clearly worse off").startswith(
        " With 200 reach areas judged at once, about 5 would show the focus group clearly worse off by chance alone")
