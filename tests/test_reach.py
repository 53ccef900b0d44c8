"""scrutiny.topics.reach (figures, sentences, tables) and its queries (reach_by_area, reach_by_quarter) on the tiny extract.

Hand-worked for 2023-24 (April 2023 to March 2024), from tests/tiny_extract.py:

    area  centre  decile       pop(all)  children in the year (K4 too old, K6 lives outside)
    A1    C1      IDACI 1      10        K1 (teen, 3 visits, registered), K2 (teen + lone, 1 library visit,
                                         registered), K3 (2 visits, registered after the year)
    A2    C1      IDACI 9       5        K5 (registered, no visits)
    A3    C2      IMD 5 (no IDACI) 6     K7 (minority ethnic, 5 specialist visits, registered)
    A4    C2      IMD 3 (no IDACI) 3     K8 (1 visit on 31 March 2024), K9 (first visit 1 April 2024)
    A5    C3 (closed 2022)  IDACI 2  2   K10 (registered, last visit June 2021)

    all, whole authority: population 26, registered 7 (K1 K2 K5 K7 K8 K9 K10), reached 5 (K1 K2 K3 K7 K8),
    sustained (3+) 2 (K1 K7), missed 26 - 5 = 21; reach 5/26 = 19.2%, Wilson 95% CI 8.5% to 37.9%.
"""

import math

import pandas as pd
import pytest

from scrutiny import stats
from scrutiny.filters import Filters
from scrutiny.queries import run
from scrutiny.topics.reach import figures as reach, sentences as reach_sentences, tables as reach_tables

NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)
DEFAULT = reach.Settings()


@pytest.fixture
def areas_2023(tiny):
    return reach.area_figures(Filters(year=2023), 3)


def one(frame, **where):
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- reach_by_area ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "area, group, population, registered, reached, sustained, attendances",
    [
        ("A1", "all", 10, 2, 3, 1, 6),            # K1 K2 registered; K1 K2 K3 reached; 3 + 1 + 2 visits
        ("A1", "teenage_parent", 4, 2, 2, 1, 4),  # K1 K2
        ("A1", "most_deprived_30", 10, 2, 3, 1, 6),
        ("A1", "lone_parent", 0, 1, 1, 0, 1),     # K2; no population rows for the group
        ("A2", "all", 5, 1, 0, 0, 0),             # K5 only; K4 turned five before the year
        ("A2", "teenage_parent", 0, 0, 0, 0, 0),
        ("A3", "all", 6, 1, 1, 1, 5),             # K7
        ("A3", "minority_ethnic", 0, 1, 1, 1, 5),
        ("A4", "all", 3, 2, 1, 0, 1),             # K8 came on the year's last day, K9 the day after
        ("A4", "most_deprived_30", 3, 2, 1, 0, 1),  # IMD decile 3 stands in for the missing IDACI
        ("A5", "all", 2, 1, 0, 0, 0),             # K10, at the closed centre
    ],
)
def test_area_figures(areas_2023, area, group, population, registered, reached, sustained, attendances):
    row = one(areas_2023, area_code=area, target_group=group)
    assert (row.population, row.registered, row.reached, row.sustained, row.attendances) == (
        population, registered, reached, sustained, attendances)


def test_no_row_for_a_child_outside_the_authority(areas_2023):
    # K6 has no home area and came 4 times to C1: none of it counts anywhere.
    # Attendances: A1 6 + A3 5 + A4 1 = 12 (16 with K6's).
    assert areas_2023[areas_2023.target_group == "all"].attendances.sum() == 12
    assert areas_2023.area_code.notna().all()


def test_frequency_tier_and_site_columns(areas_2023):
    a1 = one(areas_2023, area_code="A1", target_group="all")
    # K2 came once, K3 twice, K1 three times.
    assert (a1.reached_1, a1.reached_2, a1.reached_3_to_5, a1.reached_6_to_10, a1.reached_11_plus) == (1, 1, 1, 0, 0)
    # K1: 1 universal + 2 targeted; K2: 1 universal; K3: 2 universal. K2's visit was at the library.
    assert (a1.attendances_universal, a1.attendances_targeted, a1.attendances_specialist) == (4, 2, 0)
    assert (a1.attendances_children_centre, a1.attendances_library, a1.attendances_family_hub) == (5, 1, 0)


def test_age_at_registration_columns(areas_2023):
    # K5 (A2): born May 2018, registered 1 January 2019: 8 months, so before 1 year but not before 3 months.
    a2 = one(areas_2023, area_code="A2", target_group="all")
    assert (a2.registered, a2.registered_by_3_months, a2.registered_by_1_year) == (1, 0, 1)
    # K1 (born January 2021, registered 1 March 2021) and K2 (June 2022, 1 July 2022): both before 3 months.
    a1 = one(areas_2023, area_code="A1", target_group="all")
    assert (a1.registered, a1.registered_by_3_months, a1.registered_by_1_year) == (2, 2, 2)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_areas_sum_to_reach_by_centre(tiny, year):
    areas = reach.area_figures(Filters(year=year), 3)
    centres = run("reach_by_centre", year=year, sustained_min=3, **NO_FILTERS)
    columns = ["population", "registered", "reached", "sustained", "missed", "attendances"]
    summed = reach.rollup(areas, "centre").rename(columns={"unit_code": "centre_id"}).set_index(["centre_id", "target_group"])
    expected = centres.set_index(["centre_id", "target_group"])
    assert sorted(summed.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(summed.loc[expected.index, columns].astype("int64"), expected[columns].astype("int64"))


# --- Roll-ups --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "level, unit, population, registered, reached, sustained, missed",
    [
        ("centre", "Eastfield Children's Centre", 15, 3, 3, 1, 12),
        ("centre", "Old Mill Centre (closed Mar 2022)", 2, 1, 0, 0, 2),   # a closed centre keeps its row
        ("district", "Northdale", 17, 4, 3, 1, 14),                        # C1 + C3
        ("district", "Southvale", 9, 3, 2, 1, 7),                          # C2
        ("cluster", "North", 17, 4, 3, 1, 14),
        ("lead_agency", "Bee Agency", 9, 3, 2, 1, 7),
        ("site_type", "Children's centre", 17, 4, 3, 1, 14),
        ("site_type", "Family hub", 9, 3, 2, 1, 7),
        ("authority", "All reach areas in view", 26, 7, 5, 2, 21),
    ],
)
def test_rollups_sum_the_areas(areas_2023, level, unit, population, registered, reached, sustained, missed):
    row = one(reach.rollup(areas_2023, level), unit=unit, target_group="all")
    assert (row.population, row.registered, row.reached, row.sustained, row.missed) == (
        population, registered, reached, sustained, missed)


def test_every_rollup_adds_up_to_the_authority(areas_2023):
    total = reach.rollup(areas_2023, "authority").set_index("target_group")[reach.COUNTS]
    for level in ("centre", "cluster", "lead_agency", "district", "site_type"):
        summed = reach.rollup(areas_2023, level).groupby("target_group")[reach.COUNTS].sum()
        pd.testing.assert_frame_equal(summed.loc[total.index].astype("int64"), total.astype("int64"))


def test_closed_centre_keeps_its_history(tiny):
    # In 2021-22 K10 (area A5, Old Mill, closed 31 March 2022) came once in June 2021.
    rows = reach.rollup(reach.area_figures(Filters(year=2021), 3), "centre")
    row = one(rows, unit_code="C3", target_group="all")
    assert (row.unit, row.reached, row.registered) == ("Old Mill Centre (closed Mar 2022)", 1, 1)


def test_missed_never_below_zero():
    assert list(reach.missed([10, 3, 0], [3, 5, 1])) == [7, 0, 0]


# --- Rates and ratings -----------------------------------------------------------------------

def counts(reached, population):
    return pd.DataFrame({"unit": ["X"], "target_group": ["all"], "reached": [reached], "population": [population]})


@pytest.mark.parametrize(
    "reached, population, lower, upper, rating, band",
    [
        (7, 9, 0.453, 0.937, "not different from 65%", "not different from 65"),   # the known 7 of 9
        (0, 10, 0.0, 0.278, "below 65%", "below"),                   # upper = 3.84 / 13.84
        (75, 100, 0.657, 0.825, "65%+ (good)", "65%+"),
        (10, 10, 0.722, 1.0, "not different from 85%", "not different from 85"),  # lower = 10 / 13.84
        (100, 100, 0.963, 1.0, "85%+ (outstanding)", "85%+"),
        (5, 26, 0.085, 0.379, "below 65%", "below"),                 # the authority's all under-fives
    ],
)
def test_wilson_limits_and_ratings(reached, population, lower, upper, rating, band):
    row = reach.rate(counts(reached, population), 5, 0.65, 0.85).iloc[0]
    assert row.reach_lower == pytest.approx(lower, abs=0.0005)
    assert row.reach_upper == pytest.approx(upper, abs=0.0005)
    assert (row.rating, row.band) == (rating, band)


def test_an_interval_touching_a_threshold_is_not_different_from_it():
    # 10 of 10 has a lower limit of 10 / (10 + 1.96^2) = 0.7225; put the thresholds exactly there.
    lower, _ = stats.wilson_interval(10, 10)
    at_good = reach.rate(counts(10, 10), 5, lower, 0.95).iloc[0]
    assert at_good.band == "not different from 65"
    # 0 of 10 has an upper limit of 0.2775: a good threshold just above it is clearly above the interval.
    _, upper = stats.wilson_interval(0, 10)
    assert reach.rate(counts(0, 10), 5, upper + 1e-9, 0.85).iloc[0].band == "below"
    assert reach.rate(counts(0, 10), 5, upper, 0.85).iloc[0].band == "not different from 65"


def test_custom_thresholds_keep_their_colour_bands():
    # 75 of 100 (65.7% to 82.5%) against 60% / 80%: above good, not different from outstanding.
    row = reach.rate(counts(75, 100), 5, 0.60, 0.80).iloc[0]
    assert (row.rating, row.band) == ("not different from 80%", "not different from 85")
    assert reach_sentences.rating_phrase(row.rating, 0.60, 0.80).endswith("not clearly different from the 80% outstanding one")


@pytest.mark.parametrize(
    "reached, population, rating, band",
    [
        (3, 20, reach.TOO_FEW, "suppressed"),        # numerator 1-4
        (0, 4, reach.TOO_FEW, "suppressed"),         # denominator below 5
        (1, 0, reach.NO_ESTIMATE, "no data"),        # reached but no population estimate
        (12, 10, reach.OVER_ESTIMATE, "no data"),    # more reached than the estimate
    ],
)
def test_cells_that_cannot_be_rated(reached, population, rating, band):
    row = reach.rate(counts(reached, population), 5, 0.65, 0.85).iloc[0]
    assert (row.rating, row.band) == (rating, band)
    assert math.isnan(row.reach_lower) and math.isnan(row.reach_upper)


def test_worst_first(areas_2023):
    table = reach.reach_table(areas_2023, "district", "all", 5, DEFAULT)
    # Northdale 3/17 is suppressed (3 reached); Southvale 2/9 too: both go last, in name order.
    assert list(table.unit) == ["Northdale", "Southvale"]
    frame = pd.DataFrame({"unit": list("ABCD"), "target_group": "all",
                          "reached": [90, 10, 60, 2], "population": [100, 100, 100, 100]})
    order = reach.worst_first(reach.rate(frame, 5, 0.65, 0.85))
    assert list(order.unit) == ["B", "C", "A", "D"]   # below 10%, not different 60%, outstanding 90%, hidden


# --- Suppression in the table and the download ----------------------------------------------------

def test_small_cells_are_hidden_in_the_table_and_the_download(areas_2023):
    rated = reach.reach_table(areas_2023, "centre", "all", 5, DEFAULT)
    table, mask = reach_tables.display_table(rated, "centre", 5, with_group=False)
    c1 = table[table.Centre == "Eastfield Children's Centre"].index[0]
    # Eastfield, all: population 15 shown; registered 3, reached 3, sustained 1 hidden; missed 12 hidden too,
    # because 15 - 12 would give away the 3 reached; reach % (3 of 15) hidden.
    assert table.loc[c1, "Population"] == 15
    for column in ("Registered", "Reached", "Sustained", "Missed", "Reach %"):
        assert mask.loc[c1, column] and math.isnan(table.loc[c1, column]), column
    download = reach_tables.download_table(table, mask)
    assert list(download.loc[c1, ["Population", "Registered", "Reached", "Sustained", "Missed", "Reach %"]]) == [
        "15", "c", "c", "c", "c", "c"]
    assert download.loc[c1, "95% CI"] == ""
    # The hidden numbers are gone from the data itself, not just from the display.
    assert not (table.select_dtypes("number").isin([3, 12, 0.2]).any().any())


def test_authority_row_as_shown(areas_2023):
    rated = reach.reach_table(areas_2023, "authority", "all", 5, DEFAULT)
    table, mask = reach_tables.display_table(rated, "authority", 5, with_group=False)
    download = reach_tables.download_table(table, mask)
    row = download.iloc[0]
    # 26, 7, 5, sustained 2 -> c, missed 21, 5/26 = 19.2%, CI 8.5-37.9% -> "9-38%".
    assert list(row[["Population", "Registered", "Reached", "Sustained", "Missed", "Reach %", "95% CI", "Rating"]]) == [
        "26", "7", "5", "c", "21", "19.2", "9-38%", "below 65%"]


def test_styled_table_writes_c(areas_2023):
    rated = reach.reach_table(areas_2023, "centre", "all", 5, DEFAULT)
    table, mask = reach_tables.display_table(rated, "centre", 5, with_group=False)
    html = reach_tables.styled(table, mask).to_html()
    assert ">c<" in html and ">15<" in html


# --- Missed children -------------------------------------------------------------------------------

def test_missed_areas_most_deprived_first(areas_2023):
    rows = reach.missed_areas(areas_2023, "all", 5, DEFAULT)
    # Deciles: A1 IDACI 1, A5 IDACI 2, A4 IMD 3, A3 IMD 5, A2 IDACI 9. Missed: 10-3, 2-0, 3-1, 6-1, 5-0.
    assert list(rows.area_code) == ["A1", "A5", "A4", "A3", "A2"]
    assert list(rows.missed) == [7, 2, 2, 5, 5]


def test_missed_by_district(areas_2023):
    rows = reach.missed_by_district(areas_2023, "all").set_index(["district", "deprivation"])["missed"]
    assert rows[("Northdale", "30% most deprived areas")] == 9   # A1 7 + A5 2
    assert rows[("Northdale", "Other areas")] == 5               # A2
    assert rows[("Southvale", "30% most deprived areas")] == 2   # A4
    assert rows[("Southvale", "Other areas")] == 5               # A3


def test_missed_sentence(areas_2023):
    text = reach_sentences.missed_sentence(areas_2023, "all", 5, "2023-24")
    assert "an estimated 21 children" in text
    assert "11 of them live in the 30% most deprived areas" in text   # A1 7 + A5 2 + A4 2


# --- How often, tiers, sites, age at registration ----------------------------------------------------

def test_frequency_for_the_authority(areas_2023):
    freq = reach.frequency(areas_2023, "all", 5)
    # Once: K2, K8; twice: K3; 3-5 times: K1 (3), K7 (5). All below 5, so every share is hidden.
    assert list(freq.children) == [2, 1, 2, 0, 0]
    assert list(freq.children_shown) == ["c", "c", "c", "0", "0"]
    assert freq.share_pct.isna().iloc[:3].all()


def test_tier_and_site_shares(areas_2023):
    tiers = reach.attendance_mix(areas_2023, "tier", 5, groups=["all"]).set_index("category")
    # 12 attendances: universal 5 (K1 1, K2 1, K3 2, K8 1), targeted 2 (K1), specialist 5 (K7).
    assert list(tiers.attendances[["universal", "targeted", "specialist"]]) == [5, 2, 5]
    assert tiers.share_pct["universal"] == pytest.approx(5 / 12)
    assert math.isnan(tiers.share_pct["targeted"])
    sites = reach.attendance_mix(areas_2023, "site", 5, groups=["all"]).set_index("category")
    # Children's centres 5 (K1 3, K3 2), family hub 6 (K7 5, K8 1), library 1 (K2).
    assert list(sites.attendances[["children_centre", "family_hub", "library", "outreach"]]) == [5, 6, 1, 0]
    assert sites.share_pct["family_hub"] == pytest.approx(0.5)
    assert math.isnan(sites.share_pct["library"])


def test_shares_of_a_group_of_one_child_are_hidden(areas_2023):
    # Minority ethnic: one child, K7, with 5 specialist attendances. 5 attendances pass the
    # threshold, but one child does not, so no share may be shown (it would read "100% specialist").
    for kind in ("tier", "site"):
        mix = reach.attendance_mix(areas_2023, kind, 5, groups=["minority_ethnic"])
        assert mix.share_pct.isna().all() and mix.share_suppressed.all()


def test_age_at_registration(areas_2023):
    ages = reach.registration_age(areas_2023, 5, groups=["all"]).iloc[0]
    # 7 registered; all but K5 before 3 months (6 of 7); all 7 before their first birthday.
    assert (ages.registered, ages.registered_by_3_months, ages.registered_by_1_year) == (7, 6, 7)
    assert ages.by_3_months_pct == pytest.approx(6 / 7)
    lower, upper = stats.wilson_interval(6, 7)
    assert (ages.by_3_months_lower, ages.by_3_months_upper) == pytest.approx((lower, upper))
    text = reach_sentences.registration_sentence(reach.registration_age(areas_2023, 5), "all", 5)
    assert "86% were registered before 3 months old" in text and "100% before their first birthday" in text


def test_focus_on_one_centre(areas_2023):
    # C2 alone: K7 registered January 2020 (born January 2020), K8 and K9 (born July 2021, registered August).
    ages = reach.registration_age(areas_2023, 5, centre="C2", groups=["all"]).iloc[0]
    assert (ages.registered, ages.registered_by_3_months) == (3, 3)


# --- Trend -------------------------------------------------------------------------------------------

def test_reach_by_quarter_is_cumulative_and_ends_at_the_year(tiny):
    quarters = reach.quarter_figures(Filters(year=2023), ["all"])
    trend = reach.quarterly(quarters, "all", 5).set_index(["year", "quarter"])
    # First visits in 2023-24: K7 15 April and K1 1 May (Q1), K2 10 October and K3 1 December (Q3),
    # K8 31 March 2024 (Q4). Cumulative: 2, 2, 4, 5; Q4 = the year's 5 reached.
    assert [trend.reached[(2023, q)] for q in (1, 2, 3, 4)] == [2, 2, 4, 5]
    assert (trend.population == 26).loc[2023].all()
    # 2022-23 had no attendances at all (K10's last was in June 2021).
    assert [trend.reached[(2022, q)] for q in (1, 2, 3, 4)] == [0, 0, 0, 0]
    assert str(trend.quarter_ends[(2023, 3)])[:10] == "2023-12-31"


def test_quarter_four_matches_the_year_for_every_centre_and_group(tiny):
    groups = ["all", "teenage_parent", "most_deprived_30", "lone_parent"]
    quarters = reach.quarter_figures(Filters(year=2023), groups)
    q4 = quarters[(quarters.year == 2023) & (quarters.quarter == 4)].set_index(["centre_id", "target_group"])
    year = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS).set_index(["centre_id", "target_group"])
    year = year[year.index.get_level_values(1).isin(groups)]
    assert sorted(q4.index) == sorted(year.index)
    assert (q4.loc[year.index, "reached"] == year.reached).all()
    assert (q4.loc[year.index, "population"] == year.population).all()


def test_trend_sentence_says_when_the_latest_year_is_hidden(tiny):
    quarters = reach.quarter_figures(Filters(year=2023), ["all"])
    trend = reach.quarterly(quarters, "all", 5, centre="C2")
    # C2 in 2023-24: 2 of 9 by Q4 (hidden); 2022-23: 0 of 9.
    text = reach_sentences.trend_sentence(trend, "O'Brien & Sons Family Hub", "all", DEFAULT)
    assert "0% of children" in text and "2023-24" in text and "too few" in text


# --- Sentences ---------------------------------------------------------------------------------------

def test_reach_sentence_quotes_figures_and_rating():
    row = reach.rate(pd.DataFrame({"unit": ["Eastfield"], "target_group": ["teenage_parent"], "reached": [58],
                                   "population": [100], "missed": [42]}), 5, 0.65, 0.85).iloc[0]
    text = reach_sentences.reach_sentence("Eastfield", "teenage_parent", row, 5, DEFAULT, "2023-24")
    # 58 of 100: Wilson 48.2% to 67.2%, which includes 65%.
    assert text.startswith("Eastfield reached 58% of teenage parents (95% CI 48-67%) in 2023-24: 58 of an estimated 100")
    assert "not clearly different from the 65% good threshold" in text
    assert "An estimated 42 were not reached." in text


def test_heat_map_cells(areas_2023):
    heat = reach.heat_map_frame(areas_2023, "authority", ["all", "lone_parent"], 5, DEFAULT)
    cells = dict(zip(heat.target_group, reach_tables.reach_texts(heat)))
    assert cells == {"all": "19%", "lone_parent": "–"}   # lone parents have no population estimate


def test_hostile_group_code_is_only_a_bound_value(tiny):
    hostile = reach.quarter_figures(Filters(year=2023), ["x' or 1=1 --"])
    assert hostile.empty


def test_chance_note_when_many_figures_are_rated_at_once():
    # 554 rated figures (and 6 not rated): 554 x 2.5% = 13.85, about 14 clearly below 65% by chance alone.
    bands = ["below"] * 336 + ["65%+"] * 218 + ["suppressed"] * 5 + ["no data"]
    note = reach_sentences.chance_note(pd.DataFrame({"band": bands}), reach.Settings())
    assert note == (" With 554 figures rated at once, about 14 would be called clearly below 65% by chance alone even "
                    "if every one were truly at 65% (2.5% of them at 95%): one such rating among many is weak evidence "
                    "on its own.")
    # 19 figures: under half a false call expected, so nothing is added.
    assert reach_sentences.chance_note(pd.DataFrame({"band": ["below"] * 19}), reach.Settings()) == ""
