"""Footfall compared with outcomes (scrutiny/topics/footfall/, its queries and pages/footfall.py).

Every expected figure is worked out by hand from tests/tiny_extract.py for
2023-24 (April 2023 to March 2024), or from the small frames built here.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from scrutiny import format, stats, ui

from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences, tables as footfall_tables
from scrutiny.filters import Filters
from scrutiny.queries import run
from tests import tiny_extract
from tests.helpers import open_app, plotly_figures, texts

NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)
YEAR = Filters(year=2023)
NO_SUPPRESSION = {**tiny_extract.EXTRACT_INFO, "suppression_threshold": 1}


@pytest.fixture
def gld(tiny):
    return footfall.indicators()["gld"]


@pytest.fixture
def table(gld):
    return footfall.site_table(YEAR, gld).set_index("centre_id")


# --- Queries -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "year, centre, visits, sessions, registrations, reach_areas",
    [
        # C1: April 120 + May 80 = 200 visits, 20 + 18 = 38 sessions, 6 + 4 = 10 registrations.
        (2023, "C1", 200, 38, 10, 2),
        (2023, "C2", 45, 10, 2, 2),
        # The library records no registrations (null, not 0) and has no reach area.
        (2023, "L1", 300, 12, None, 0),
        # Old Mill closed on 2022-03-31, the last day of 2021-22: open in 2021-22, with no returns.
        (2021, "C3", 0, None, None, 1),
    ],
)
def test_footfall_by_site(tiny, year, centre, visits, sessions, registrations, reach_areas):
    rows = run("footfall_by_site", year=year, **NO_FILTERS).set_index("centre_id")
    row = rows.loc[centre]
    assert row.visits == visits
    assert (None if pd.isna(row.sessions) else row.sessions) == sessions
    assert (None if pd.isna(row.new_registrations) else row.new_registrations) == registrations
    assert row.reach_areas == reach_areas


def test_centre_closed_before_the_year_is_left_out(tiny):
    rows = run("footfall_by_site", year=2023, **NO_FILTERS)
    assert sorted(rows.centre_id) == ["C1", "C2", "L1"]


def test_hostile_filter_is_bound_not_run(tiny):
    assert run("footfall_by_site", year=2023, **{**NO_FILTERS, "district": "x' or 1=1 --"}).empty
    assert run("footfall_by_month", site="C1' or 1=1 --", **NO_FILTERS).empty


@pytest.mark.parametrize(
    "level, key, attendances, target_attendances, children, target_children",
    [
        # At C1: K1 x3 (teenage parent), K3 x2 (no groups, but lives in A1, IDACI decile 1),
        # K4 x1 (A2, decile 9) and K6 x4 (lives outside the authority): 10 attendances, 3 + 2 = 5 in a target group.
        ("site", "C1", 10, 5, 4, 2),
        # At C2: K7 x5 (minority ethnic) and K8 x1 on 31 March 2024 (A4: no IDACI, IMD decile 3); K9 came in April 2024.
        ("site", "C2", 6, 6, 2, 2),
        ("site", "L1", 1, 1, 1, 1),  # K2: teenage parent and lone parent
        ("site_type", "library", 1, 1, 1, 1),
    ],
)
def test_site_attendance_mix(tiny, level, key, attendances, target_attendances, children, target_children):
    rows = run("site_attendance_mix", year=2023, **NO_FILTERS)
    rows = rows[rows.level == level]
    row = rows[(rows.centre_id if level == "site" else rows.site_type) == key].iloc[0]
    assert (row.attendances, row.target_attendances, row.children, row.target_children) == (
        attendances, target_attendances, children, target_children)
    assert row.children_other_types == 0


def test_children_who_used_two_types_of_site(make_extract):
    # K1 also goes once to the library in May 2023: K1 (C1 and L1) used two types of site.
    extra = pd.DataFrame([("K1", "L1", tiny_extract.D("2023-05-20"), "Rhymetime", "universal")],
                         columns=tiny_extract.tables()["attendances"].columns)
    make_extract(attendances=pd.concat([tiny_extract.tables()["attendances"], extra], ignore_index=True))
    rows = run("site_attendance_mix", year=2023, **NO_FILTERS)
    by_type = rows[rows.level == "site_type"].set_index("site_type")
    assert by_type.loc["library", "children"] == 2          # K2 and K1
    assert by_type.loc["library", "children_other_types"] == 1
    assert by_type.loc["children_centre", "children_other_types"] == 1
    assert by_type.loc["family_hub", "children_other_types"] == 0


def test_outcomes_by_centre_builds_all_children_from_the_two_groups(tiny):
    # C1 2023 has fsm 3/8 and non_fsm 30/40 and no all-children row: all = 33/48.
    row = run("outcomes_by_centre", indicator="gld", **NO_FILTERS).iloc[0]
    assert (row.centre_id, row.year, row.all_numerator, row.all_denominator) == ("C1", 2023, 33, 48)
    assert (row.focus_numerator, row.focus_denominator) == (3, 8)


def test_only_indicators_with_centre_figures_are_offered(tiny):
    # Obesity has authority rows only, so it cannot be set against a site's footfall.
    assert list(footfall.indicators()) == ["gld"]


# --- The site table ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "centre, per_child",
    [
        ("C1", 200 / 15),  # (120 + 80) visits over 10 + 5 under-fives in A1 and A2 = 13.3
        ("C2", 45 / 9),    # 45 visits over 6 + 3 under-fives in A3 and A4 = 5.0
    ],
)
def test_visits_per_under_five(make_extract, centre, per_child):
    make_extract(info=NO_SUPPRESSION)
    table = footfall.site_table(YEAR, None).set_index("centre_id")
    assert table.loc[centre, "visits_per_child"] == pytest.approx(per_child)


def test_visits_per_under_five_is_hidden_where_the_reach_plan_hides_the_under_fives(table, gld):
    # 2023-24: Old Mill (C3) holds 2 under-fives; the Reach page hides Eastfield's 15 and O'Brien's 9 with
    # them, as the authority's 26 less those two would give the 2. 200 visits over "13.3 per under-five"
    # would give Eastfield's 15 (200 / 13.35 to 200 / 13.25 holds only 15), so the ratio goes too.
    assert table.loc["C1", "visits_per_child_suppressed"] and table.loc["C2", "visits_per_child_suppressed"]
    shown = footfall_tables.table_as_shown(table.reset_index(), gld).set_index("Site")
    assert shown["Visits per under-five"].tolist() == ["no reach area", "c", "c"]
    assert shown["Visits"].tolist() == ["300", "200", "45"]


def test_library_has_no_reach_area(table, gld):
    library = table.loc["L1"]
    assert not library.has_reach_area
    assert math.isnan(library.visits_per_child) and math.isnan(library.population)
    shown = footfall_tables.table_as_shown(table.reset_index(), gld).set_index("Site")
    assert shown.loc["Central Library", "Visits per under-five"] == "no reach area"
    assert shown.loc["Central Library", "Reach of the 30% most deprived areas (95% CI)"] == "no reach area"
    assert shown.loc["Central Library", "New registrations"] == "not recorded"


def test_share_of_attendances_by_target_group_children(table):
    # C1: 5 of 10 = 50%, Wilson 95% interval 23.7% to 76.3%.
    c1 = table.loc["C1"]
    assert c1.target_pct == pytest.approx(0.5)
    assert (c1.target_lower, c1.target_upper) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    # C2: 6 of 6 = 100%; the library's 1 of 1 rests on a small number and is removed.
    assert table.loc["C2", "target_pct"] == 1.0
    assert math.isnan(table.loc["L1", "target_pct"]) and table.loc["L1", "target_suppressed"]


def test_reach_comes_from_the_reach_query_and_is_suppressed(table):
    # reach_by_centre, most_deprived_30: C1 reached 3 of 10; 3 is below 5, so no percentage.
    c1 = table.loc["C1"]
    assert (c1.md_reached, c1.md_population) == (3, 10)
    assert math.isnan(c1.reach_pct) and c1.reach_suppressed


def test_outcome_latest_value_and_focus_group(table, gld):
    c1 = table.loc["C1"]
    assert c1.outcome_year == 2023
    assert c1.outcome_pct == pytest.approx(33 / 48)           # 68.75%
    assert math.isnan(c1.focus_pct)                           # fsm 3 of 8: small numerator
    assert math.isnan(c1.change)                              # no 2022 figure for C1
    shown = footfall_tables.table_as_shown(table.reset_index(), gld).set_index("Site").loc["Eastfield Children's Centre"]
    assert shown["Good level of development 2023-24 (95% CI)"] == "69% (55-80%)"
    assert shown["Good level of development: children on free school meals"] == "c"


def _with_centre_outcomes(extra_rows):
    outcomes = tiny_extract.tables()["outcomes"]
    extra = pd.DataFrame(extra_rows, columns=outcomes.columns)
    return pd.concat([outcomes, extra], ignore_index=True)


def test_change_since_previous_year(make_extract):
    # C1 2022: all children 20 of 40 = 50%; 2023: 33 of 48 = 68.75%: up 18.75 points.
    make_extract(outcomes=_with_centre_outcomes([("gld", "centre", "C1", 2022, "all", "all", 20, 40)]))
    gld = footfall.indicators()["gld"]
    c1 = footfall.site_table(YEAR, gld).set_index("centre_id").loc["C1"]
    expected = stats.newcombe_difference(33, 48, 20, 40)
    assert c1.change == pytest.approx(0.1875)
    assert (c1.change_lower, c1.change_upper) == pytest.approx((expected.lower, expected.upper))
    assert c1.change_lower < 0 < c1.change_upper      # the interval crosses 0: no clear change


def test_no_change_across_a_comparability_break(make_extract):
    # gld's method changed in 2021: the 2021 figure cannot be compared with 2020.
    make_extract(outcomes=_with_centre_outcomes([
        ("gld", "centre", "C1", 2020, "all", "all", 20, 40),
        ("gld", "centre", "C1", 2021, "all", "all", 30, 40)]))
    gld = footfall.indicators()["gld"]
    c1 = footfall.site_table(Filters(year=2021), gld).set_index("centre_id").loc["C1"]
    assert c1.outcome_year == 2021 and math.isnan(c1.change)
    assert c1.change_note == "not comparable with the year before"


def test_suppressed_counts_in_the_table_and_its_download(table, gld):
    shown = footfall_tables.table_as_shown(table.reset_index(), gld).set_index("Site")
    assert shown.loc["O'Brien & Sons Family Hub", "New registrations"] == "c"    # 2 registrations
    assert shown.loc["Eastfield Children's Centre", "Reach of the 30% most deprived areas (95% CI)"] == "c"
    assert shown.loc["Central Library", "Attendances by children in a target group"] == "c"


# --- Quadrants, the scatter and the correlation ---------------------------------------------

@pytest.mark.parametrize(
    "x, y, higher_is_better, expected",
    [
        # Averages: 10 visits per under-five and 50%.
        (12, 60, True, footfall.BUSY_GOOD),
        (12, 40, True, footfall.BUSY_LOW),
        (8, 60, True, footfall.QUIET_GOOD),
        (8, 40, True, footfall.QUIET_LOW),
        # Exactly on a line counts as busy, and as doing better.
        (10, 40, True, footfall.BUSY_LOW),
        (9.999, 40, True, footfall.QUIET_LOW),
        (12, 50, True, footfall.BUSY_GOOD),
        (12, 49.999, True, footfall.BUSY_LOW),
        (10, 50, True, footfall.BUSY_GOOD),
        # Lower is better (e.g. obesity): below the line is doing better, on it still counts as better.
        (12, 40, False, footfall.BUSY_GOOD),
        (12, 50, False, footfall.BUSY_GOOD),
        (12, 50.001, False, footfall.BUSY_LOW),
        (8, 60, False, footfall.QUIET_LOW),
    ],
)
def test_quadrant(x, y, higher_is_better, expected):
    assert footfall.quadrant(x, y, 10, 50, higher_is_better) == expected


def _site_frame(rows, threshold=5):
    """Sites as site_table returns them: (id, visits, population or None, reached, deprived population)."""
    frame = pd.DataFrame(rows, columns=["centre_id", "visits", "population", "md_reached", "md_population"])
    frame["centre_name"] = frame.centre_id
    frame["site_type"] = np.where(frame.population.isna(), "library", "children_centre")
    frame["has_reach_area"] = frame.population.notna()
    frame = footfall.add_visits_per_child(frame, threshold)
    return stats.add_rate(frame, "md_reached", "md_population", "reach", threshold)


@pytest.mark.parametrize("visits, population, shown", [
    # 6,000 visits over 600 hidden under-fives: "about 10" fits 6,000 / 10.5 = 571.4 to 6,000 / 9.5 = 631.6,
    # 60 possible populations, well over 2 x 5.
    (6000, 600, "about 10"),
    # 200 over 15: "about 13" fits 200 / 13.5 = 14.8 to 200 / 12.5 = 16, so 15 or 16: hidden.
    (200, 15, "c"),
])
def test_visits_per_under_five_where_the_reach_plan_hides_the_under_fives(visits, population, shown):
    frame = pd.DataFrame({"visits": [visits], "population": [float(population)]})
    out = footfall.add_visits_per_child(frame, 5, population_hidden=[True]).iloc[0]
    text = "c" if out.visits_per_child_suppressed else footfall_sentences.visits_per_under_five(out.visits_per_child,
                                                                                       out.visits_per_child_decimals)
    assert text == shown
    # Not hidden by the plan: one decimal as always.
    out = footfall.add_visits_per_child(frame, 5, population_hidden=[False]).iloc[0]
    assert footfall_sentences.visits_per_under_five(out.visits_per_child, out.visits_per_child_decimals) == format.number(visits / population)


@pytest.mark.parametrize("year, per_child_coarse, reach_hidden", [(2023, 27, 30), (2024, 28, 29)])
def test_how_much_the_reach_plan_hides_on_the_footfall_page_of_the_sample_county(monkeypatch, year, per_child_coarse,
                                                                               reach_hidden):
    """Sample county, 54 sites with a reach area: none of their figures is small for its own sake. The
    Reach plan hides the under-fives of about half (their visits per under-five is printed as a whole
    number) and the most deprived 30%'s reach of more than half (hidden here as there). A change that
    hides many more or fewer shows here."""
    from tests.helpers import REPO_ROOT

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(REPO_ROOT / "sample_data"))
    table = footfall.site_table(Filters(year=year), None)
    centres = table[table.has_reach_area]
    assert len(centres) == 54
    assert not stats.rate_suppressed(centres.visits, centres.population, 5).any()
    assert not (stats.rate_suppressed(centres.md_reached, centres.md_population, 5) & (centres.md_population > 0)).any()
    counts = (int((centres.visits_per_child_decimals == 0).sum()), int(centres.visits_per_child_suppressed.sum()),
              int((centres.reach_suppressed & (centres.md_population > 0)).sum()))
    assert counts == (per_child_coarse, 0, reach_hidden)


FOUR_SITES = [
    ("S1", 200, 20, 15, 20),   # 10.0 visits per under-five, 75% reached
    ("S2", 60, 20, 16, 20),    # 3.0, 80%
    ("S3", 300, 20, 6, 20),    # 15.0, 30%
    ("S4", 100, 20, 5, 20),    # 5.0, 25%
    ("S5", 3, 20, 10, 20),     # 3 visits: a small count, not plotted
    ("LIB", 500, None, None, None),
]


def test_scatter_averages_quadrants_and_dropped_sites():
    result = footfall.scatter(_site_frame(FOUR_SITES), footfall.REACH, None)
    # Pooled over the 4 sites plotted: (200 + 60 + 300 + 100) / 80 = 8.25 visits; (15 + 16 + 6 + 5) / 80 = 52.5%.
    assert result.x_average == pytest.approx(8.25)
    assert result.y_average == pytest.approx(0.525)
    assert dict(zip(result.points.centre_id, result.points.quadrant)) == {
        "S1": footfall.BUSY_GOOD, "S2": footfall.QUIET_GOOD, "S3": footfall.BUSY_LOW, "S4": footfall.QUIET_LOW}
    assert dict(zip(result.dropped.centre_id, result.dropped.reason)) == {
        "S5": "small numbers, not shown", "LIB": "no reach area"}
    assert footfall_sentences.dropped_note(result.dropped) == "Not plotted: LIB (no reach area); S5 (small numbers, not shown)."
    sentence = footfall_sentences.scatter_sentence(result, None, "2023-24")
    # 8.25 and 52.5% are exact halves, rounded half away from zero as format.py prints every figure.
    assert "8.3 visits per under-five on average, and 53% for reach" in sentence
    assert "1 of 4 sites are busy, reaching few vulnerable children: S3." in sentence


def test_site_exactly_on_both_average_lines():
    # Two identical sites: both sit on both averages (5.0 visits, 50%), so both count as busy and effective.
    result = footfall.scatter(_site_frame([("T1", 100, 20, 10, 20), ("T2", 100, 20, 10, 20)]), footfall.REACH, None)
    assert (result.x_average, result.y_average) == (5.0, 0.5)
    assert set(result.points.quadrant) == {footfall.BUSY_GOOD}


def test_spearman_matches_scipy_and_a_worked_example():
    # Ranks x 1..5, y 2 1 4 3 5: d = -1 1 -1 1 0, sum d^2 = 4, rho = 1 - 6 x 4 / (5 x 24) = 0.8.
    # Fisher z with Bonett-Wright's se: atanh(0.8) = 1.0986, se = sqrt((1 + 0.32) / 2) = 0.8124:
    # tanh(1.0986 -+ 1.96 x 0.8124) = -0.457 to 0.991. Exact p: 8 of the 120 orderings have
    # rho >= 0.8 (the identity, 4 single adjacent swaps, 3 pairs of them): p = 2 x 8 / 120 = 0.133.
    points = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "y": [0.2, 0.1, 0.4, 0.3, 0.5]})
    result = footfall.correlation(points)
    assert result.rho == pytest.approx(0.8)
    assert result.rho == pytest.approx(scipy_stats.spearmanr(points.x, points.y).statistic)
    assert (result.lower, result.upper) == pytest.approx((-0.457, 0.991), abs=1e-3)
    assert result.p_value == pytest.approx(16 / 120)
    phrase = footfall_sentences.correlation_phrase(result)
    assert "no clear link" in phrase and "+0.80 (p = 0.133, exact; 95% CI -0.46 to +0.99)" in phrase


def test_spearman_on_random_sites_matches_scipy():
    rng = np.random.default_rng(5)
    points = pd.DataFrame({"x": rng.gamma(2, 5, 40), "y": rng.uniform(0.2, 0.9, 40)})
    assert footfall.correlation(points).rho == pytest.approx(scipy_stats.spearmanr(points.x, points.y).statistic)


def test_too_few_sites_for_a_correlation():
    assert footfall.correlation(pd.DataFrame({"x": [1.0, 2], "y": [0.1, 0.2]})) is None
    assert "too few sites" in footfall_sentences.correlation_phrase(None)
    three = footfall_sentences.correlation_phrase(footfall.correlation(pd.DataFrame({"x": [1.0, 2, 3], "y": [0.1, 0.2, 0.3]})))
    assert "Across 3 sites" in three and "too few sites to tell" in three


PERFECT_FOUR = [
    ("S1", 40, 20, 8, 20),     # 2 visits per under-five, 40% reached
    ("S2", 80, 20, 10, 20),    # 4, 50%
    ("S3", 120, 20, 12, 20),   # 6, 60%
    ("S4", 160, 20, 14, 20),   # 8, 70%
]


def test_four_sites_in_perfect_rank_order_are_too_few_to_tell():
    # rho = +1, but 2 of the 24 orderings are as extreme: exact p = 0.083. Never "a strong link".
    result = footfall.scatter(_site_frame(PERFECT_FOUR), footfall.REACH, None)
    sentence = footfall_sentences.scatter_sentence(result, None, "2023-24")
    assert ("Across 4 sites, Spearman's rank correlation +1.00 (p = 0.083, exact; 95% CI -0.69 to +1.00): "
            "too few sites to tell.") in sentence
    assert "strong" not in sentence and "tended" not in sentence


@pytest.mark.parametrize("polarity, verdict", [
    ("higher_is_better", "busier sites tended to do better"),
    # Obesity: more of it at busier sites is worse, whatever the sign of the correlation.
    ("lower_is_better", "busier sites tended to do worse"),
])
def test_correlation_phrase_follows_the_indicators_polarity(polarity, verdict):
    # 6 sites in perfect order: exact p = 2 / 720 = 0.0028; the interval is wholly above 0.
    points = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "y": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})
    result = footfall.correlation(points)
    assert result.p_value == pytest.approx(2 / 720) and result.lower > 0
    phrase = footfall_sentences.correlation_phrase(result, polarity == "higher_is_better", "obesity in reception")
    assert phrase.startswith(f"Across 6 sites, {verdict} (a strong link: obesity in reception tended to be higher at busier sites)")
    falling = footfall.correlation(points.assign(y=points.y[::-1].to_numpy()))
    opposite = "worse" if verdict.endswith("better") else "better"
    assert f"busier sites tended to do {opposite}" in footfall_sentences.correlation_phrase(falling, polarity == "higher_is_better")


def test_tiny_scatter_drops_suppressed_and_library(table, gld):
    result = footfall.scatter(table.reset_index(), footfall.REACH, gld)
    assert result.points.empty
    assert dict(zip(result.dropped.centre_id, result.dropped.reason)) == {
        "L1": "no reach area", "C1": "small numbers, not shown", "C2": "small numbers, not shown"}


def test_busy_but_low_reach_without_suppression(make_extract):
    # Threshold 1 shows every figure. C1: 13.3 visits per under-five, reach 3/10 = 30%;
    # C2: 5.0 visits, 1/3 = 33.3%. Averages: 245 / 24 = 10.2 visits and 4 / 13 = 30.8%.
    # C1 is busy and below the reach average; C2 is quiet and above it.
    make_extract(info=NO_SUPPRESSION)
    busy_low = footfall.busy_but_low_reach(YEAR)
    assert list(busy_low.centre_id) == ["C1"]
    result = footfall.scatter(footfall.site_table(YEAR, None), footfall.REACH, None)
    assert result.x_average == pytest.approx(245 / 24)
    assert result.y_average == pytest.approx(4 / 13)
    assert dict(zip(result.points.centre_id, result.points.quadrant)) == {"C1": footfall.BUSY_LOW, "C2": footfall.QUIET_GOOD}


# --- Trends and site types --------------------------------------------------------------------

def test_monthly_footfall_hides_small_months(make_extract):
    frame = tiny_extract.tables()["footfall"]
    frame.loc[2, "visits"] = 3    # C2 in April 2023: 3 visits
    make_extract(footfall=frame)
    rows = footfall.monthly_footfall(YEAR).set_index(["site_type", "month"])
    hub = rows.loc[("family_hub", pd.Timestamp("2023-04-01"))]
    assert hub.visits_suppressed and math.isnan(hub.visits_shown)
    # The footfall plan: O'Brien's 3 is its whole year, and all sites' 503 less Eastfield's 200 and the
    # library's 300 would give it, so Eastfield's 200 (the smaller) goes too, and with it one of its
    # months, the smaller (May's 80), as April's 120 would give the year. April stays.
    assert rows.loc[("children_centre", pd.Timestamp("2023-05-01")), "visits_suppressed"]
    assert rows.loc[("children_centre", pd.Timestamp("2023-04-01")), "visits_shown"] == 120
    table = footfall_tables.table_as_shown(footfall.site_table(YEAR, None), None).set_index("Site")
    assert table["Visits"].tolist() == ["300", "c", "c"]
    assert "the 3 sites shown recorded 503 visits" in footfall_sentences.table_sentence(footfall.site_table(YEAR, None), YEAR)


def test_monthly_footfall_for_one_site(tiny):
    rows = footfall.monthly_footfall(YEAR, "C1")
    assert list(rows.visits) == [120, 80]


def test_trend_sentence(tiny, gld):
    monthly, reach = footfall.monthly_footfall(YEAR, "C1"), footfall.reach_trend(YEAR, "C1")
    outcome = footfall.outcome_trend(YEAR, gld, "C1")
    sentence = footfall_sentences.trend_sentence(monthly, reach, outcome, gld, YEAR, "C1", "Eastfield Children's Centre")
    assert sentence.startswith("Eastfield Children's Centre recorded 200 visits in 2023-24.")
    assert "was 69% in 2023-24 (95% CI 55-80%)" in sentence
    # Reach 3 of 10 is suppressed, so it is not in the sentence.
    assert "Reach of" not in sentence


def test_site_type_comparison_without_suppression(make_extract):
    # Libraries: 1 child (K2), in a target group. Children's centres: 4 children, 2 in a target group (K1, K3).
    make_extract(info=NO_SUPPRESSION)
    frame = footfall.site_type_comparison(YEAR).set_index("site_type")
    assert frame.loc["library", "target_children_pct"] == 1.0
    assert frame.loc["children_centre", "target_children_pct"] == 0.5
    assert frame.loc["children_centre", "visits"] == 200
    sentence = footfall_sentences.comparison_sentence(frame.reset_index(), "2023-24")
    assert sentence.startswith("In 2023-24 libraries recorded 300 visits and children's centres 200.")
    assert "100% at libraries" in sentence and "50% at children's centres" in sentence


def test_site_type_comparison_suppressed(tiny):
    frame = footfall.site_type_comparison(YEAR)
    assert frame.target_children_pct.isna().all()   # 1, 4 and 2 children: all below 5
    assert "small numbers" in footfall_sentences.comparison_sentence(frame, "2023-24")


# --- The page ---------------------------------------------------------------------------------

def _numbers(values):
    """A plotly JSON array, which plotly may pack as {"dtype", "bdata"} (base64 typed array)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_page_with_url_parameters(make_extract):
    make_extract(info=NO_SUPPRESSION)
    at = open_app("pages/footfall.py", indicator="gld", measure="outcome", site="C1")
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="measure").value == "outcome"
    assert at.selectbox(key="site").value == "C1"
    scatter = plotly_figures(at)[0]
    # Only C1 can be plotted: 13.3 visits per under-five and 68.75% reaching a good level of development,
    # carried in the chart's data as shown (13.3 and 69), not to full precision.
    point = scatter["data"][0]
    assert _numbers(point["x"])[0] == 13.3 and _numbers(point["y"])[0] == 69
    page = texts(at)
    assert "so it is in the group “busy and effective”" in page
    assert "Not plotted: O'Brien & Sons Family Hub (no figure for the measure); Central Library (no reach area)." in page
    assert "Sites are not children" in page


@pytest.mark.parametrize("key, hostile", [
    ("measure", "<script>alert(1)</script>"),
    ("site", "C1' or 1=1 --"),
    ("indicator", "'; drop table outcomes; --"),
])
def test_hostile_url_values_fall_back(tiny, key, hostile):
    at = open_app("pages/footfall.py", **{key: hostile})
    assert not at.exception, [e.message for e in at.exception]
    assert "which this extract does not have" in texts(at)
    assert at.selectbox(key=key).value == {"measure": "reach", "site": "", "indicator": "gld"}[key]


def test_page_without_suppression_draws_quadrants(make_extract):
    make_extract(info=NO_SUPPRESSION)
    at = open_app("pages/footfall.py")
    assert not at.exception, [e.message for e in at.exception]
    # The small chart in the answer first, then the full scatter, the trend and the site types.
    answer, scatter, trend, types = plotly_figures(at)
    assert [t["x"] for t in answer["data"]] == [t["x"] for t in scatter["data"]]
    labels = {a["text"] for a in scatter["layout"]["annotations"]}
    assert {"Busy, reaching few vulnerable children", "Quiet but effective", "Busy and effective",
            "Quiet and reaching few"} <= labels
    assert "1 of 2 sites are busy, reaching few vulnerable children: Eastfield Children's Centre." in texts(at)
    # Trend: visits by site type (3 lines), reach, then all children and the focus group for the outcome.
    assert len(trend["data"]) == 3 + 1 + 2


def test_page_without_centre_outcomes(make_extract):
    outcomes = tiny_extract.tables()["outcomes"]
    make_extract(outcomes=outcomes[outcomes.geography_level != "centre"])
    at = open_app("pages/footfall.py", measure="outcome")
    assert not at.exception, [e.message for e in at.exception]
    assert "only reach is set against footfall" in texts(at)
    assert at.selectbox(key="measure").value == "reach"


def test_reach_trend_matches_the_reach_query(make_extract):
    # most_deprived_30 in 2023-24, reach_by_centre: C1 3 of 10, C2 1 of 3, C3 0 of 2 = 4 of 15 (threshold 1 shows it).
    # 2022-23 has no attendances at all, so it is left out rather than drawn as 0%.
    make_extract(info=NO_SUPPRESSION)
    trend = footfall.reach_trend(YEAR)
    assert list(trend.year) == [2023]
    row = trend.iloc[0]
    assert (row.reached, row.population, bool(row.partial)) == (4, 15, False)
    assert row.reach_pct == pytest.approx(4 / 15)
    one_site = footfall.reach_trend(YEAR, "C2").iloc[0]
    assert (one_site.reached, one_site.population) == (1, 3)


def test_site_without_deprived_areas_is_named_as_such():
    frame = _site_frame([("S1", 200, 20, 15, 20), ("S2", 100, 20, 0, 0)])
    result = footfall.scatter(frame, footfall.REACH, None)
    assert dict(zip(result.dropped.centre_id, result.dropped.reason)) == {
        "S2": "none of its areas is among the 30% most deprived"}


def test_page_following_a_library(tiny):
    at = open_app("pages/footfall.py", site="L1")
    assert not at.exception, [e.message for e in at.exception]
    page = texts(at)
    assert "**Central Library** (library) recorded 300 visits in 2023-24; it has no reach area" in page
    assert "Central Library recorded 300 visits in 2023-24." in page
    # Only the library's own visits are drawn: one month, 300 visits.
    lines = [list(_numbers(t["y"])) for f in plotly_figures(at) for t in f["data"] if t.get("name") == "Library"]
    assert lines == [[300]]


def test_table_and_its_download_carry_the_suppression(tiny, gld):
    at = open_app("pages/footfall.py")
    shown = at.dataframe[0].value
    expected = footfall_tables.table_as_shown(footfall.site_table(YEAR, gld), gld)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected)
    text = ui.csv_bytes(expected, "Footfall", YEAR, "footfall table").decode("utf-8")
    # The name, the figures and the verdict first; a ratio the Reach plan's hidden under-fives rest on is c.
    assert "O'Brien & Sons Family Hub,c,c,,,,,Family hub,Southvale,45,10,c,100% (61-100%)," in text


def test_scatter_names_an_earlier_outcome_year(make_extract):
    # The chosen year is 2024-25 (population added for 2024), but the latest centre outcomes are for 2023-24.
    population = tiny_extract.tables()["population"]
    later = population[population.year == 2023].assign(year=2024)
    make_extract(population=pd.concat([population, later], ignore_index=True), info=NO_SUPPRESSION)
    gld = footfall.indicators()["gld"]
    table = footfall.site_table(Filters(year=2024), gld)
    assert set(table.outcome_year) == {2023}
    result = footfall.scatter(table, footfall.OUTCOME, gld)
    assert "(in 2023-24, the latest year with outcomes)" in footfall_sentences.scatter_sentence(result, gld, "2024-25")


def test_rate_text_for_a_site_with_no_denominator():
    # A reach area with outcomes for all children but none for the focus group: the suppression
    # flag is missing (pd.NA), which must read as "nothing to show", not raise.
    import pandas as pd
    from scrutiny.topics.footfall.tables import _rate_text
    assert _rate_text(float("nan"), float("nan"), float("nan"), pd.NA) == ""
    assert _rate_text(0.5, 0.4, 0.6, True) == "c"


def test_all_children_less_the_gap_pages_other_group_no_longer_gives_the_focus_group(table, gld):
    # Eastfield's reach area, 2023-24: all children 33 of 48 (shown, 69%), free school meals 3 of 8 (c).
    # The Gap page's other children, 30 of 40, would give 33 - 30 = 3 of 48 - 40 = 8: the outcomes plan,
    # which both pages read, hides their 30 achieving, and the Footfall page hides what the plan hides.
    from scrutiny import disclosure

    c1 = pd.DataFrame({"centre_id": ["C1"], "year": [2023], "reference_numerator": [30], "reference_denominator": [40],
                       "focus_numerator": [3], "focus_denominator": [8]})
    hidden = disclosure.centre_outcomes_hidden("gld", c1).iloc[0]
    assert hidden["focus"] and hidden["reference_numerator"]
    assert table.loc["C1", "outcome_pct"] == pytest.approx(33 / 48) and math.isnan(table.loc["C1", "focus_pct"])


# --- Ready for the committee room -------------------------------------------------------------------------

def _sixty_sites(seed: int = 3) -> footfall.Scatter:
    rng = np.random.default_rng(seed)
    n = 60
    frame = pd.DataFrame({"centre_id": [f"S{i}" for i in range(n)], "visits": rng.integers(500, 8000, n),
                          "population": rng.integers(200, 800, n).astype(float), "md_population": 200.0})
    frame["md_reached"] = rng.integers(20, 190, n)
    frame = _site_frame([(r.centre_id, r.visits, r.population, r.md_reached, r.md_population) for r in frame.itertuples()])
    return footfall.scatter(frame, footfall.REACH, None)


def test_the_scatter_names_the_notable_sites_and_hovers_the_rest():
    from scrutiny.topics.footfall import charts as footfall_charts

    result = _sixty_sites()
    figure = footfall_charts.busy_compared_with_effective(result, "Reach", footfall.REACH_QUADRANTS, followed="S59")
    written = [t for trace in figure.data if trace.mode == "markers+text" for t in trace.text if t]
    # At most 8 names on a shared screen, every busy site reaching few among them first, and the site followed.
    busy_low = set(result.points.loc[result.points.quadrant == footfall.BUSY_LOW, "centre_name"])
    assert len(written) <= footfall_charts.MOST_NAMED + 1 and "S59" in written
    assert busy_low and len(set(written) & busy_low) == min(len(busy_low), footfall_charts.MOST_NAMED)
    hovered = [name for trace in figure.data if trace.customdata is not None for name in trace.customdata[:, 0]]
    assert sorted(hovered) == sorted(result.points.centre_name)


def test_the_trend_has_one_legend_per_panel_and_colours_that_mean_one_thing(tiny, gld):
    from scrutiny import charts as look
    from scrutiny.topics.footfall import charts as footfall_charts

    monthly, reach = footfall.monthly_footfall(YEAR), footfall.reach_trend(YEAR)
    outcome = footfall.outcome_trend(YEAR, gld)
    figure = footfall_charts.activity_and_results(monthly, reach, outcome, gld, 2023, False, pd.DataFrame())
    panels = {trace.legend or "legend" for trace in figure.data}
    assert panels == {"legend", "legend2", "legend3"}
    assert {figure.layout[name].y for name in panels} == {figure.get_subplot(r, 1).yaxis.domain[1] for r in (1, 2, 3)}
    # Reach has a colour of its own: not the gap charts' reference blue, nor any type of site's.
    assert look.REACH_COLOUR not in {look.REFERENCE_COLOUR, look.FOCUS_COLOUR, *look.SITE_COLOURS.values()}
    assert len(set(look.SITE_COLOURS.values())) == len(look.SITE_COLOURS)
    assert not set(look.SITE_COLOURS.values()) & {look.REFERENCE_COLOUR, look.FOCUS_COLOUR, *look.BAND_COLOURS.values()}


def test_the_site_table_opens_with_name_figures_and_verdict_and_explains_its_terms(make_extract):
    make_extract(info=NO_SUPPRESSION)
    gld = footfall.indicators()["gld"]
    shown = footfall_tables.table_as_shown(footfall.site_table(YEAR, gld), gld)
    assert list(shown.columns[:4]) == ["Site", "Visits per under-five", footfall_tables.REACH_COLUMN,
                                       "Busy or quiet, reaching many or few"]
    assert shown.set_index("Site").loc["Eastfield Children's Centre", "Busy or quiet, reaching many or few"] == \
        "busy, reaching few vulnerable children"
    help_texts = footfall_tables.column_help(shown)
    assert {"Visits per under-five", footfall_tables.REACH_COLUMN, "Busy or quiet, reaching many or few",
            "Good level of development 2023-24 (95% CI)"} <= set(help_texts)
    assert "confidence interval" in help_texts["Good level of development 2023-24 (95% CI)"]
    at = open_app("pages/footfall.py")
    config = json.loads(at.dataframe[0].proto.columns)
    assert "help" in json.dumps(config) and "reach area" in json.dumps(config)
