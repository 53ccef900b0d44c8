"""Lines of enquiry: each rule fires on a situation built for it, with hand-worked figures, and stays silent otherwise.

Wilson 95% intervals worked by hand (z = 1.96, z^2 = 3.8415):
  5/26:  p = .1923; centre (p + z^2/2n) / (1 + z^2/n) = (.1923 + .0739) / 1.1478 = .2319,
         half = 1.96 * sqrt(p(1-p)/n + z^2/4n^2) / 1.1478 = 1.96 * .0860 / 1.1478 = .1469 -> 8.5% to 37.9% ("9-38%")
  12/43: p = .2791; centre (.2791 + .0447) / 1.0893 = .2972, half 1.96 * .0721 / 1.0893 = .1297 -> 16.7% to 42.7% ("17-43%")
  15/60: p = .25; centre (.25 + .0320) / 1.0640 = .2650, half 1.96 * .0577 / 1.0640 = .1072 -> 15.8% to 37.2% ("16-37%")
  30/43: p = .6977; centre (.6977 + .0447) / 1.0893 = .6815, half 1.96 * .0721 / 1.0893 = .1297 -> 55.2% to 81.1%
Newcombe for 12/43 - 30/43: d = -.4186; lower = d - sqrt((.2791-.1675)^2 + (.8112-.6977)^2) = -.4186 - .1592 = -.578,
  upper = d + sqrt((.4269-.2791)^2 + (.6977-.5520)^2) = -.4186 + .2076 = -.211 -> "-58 to -21 percentage points".
"""

from datetime import date

import pandas as pd
import pytest

from scrutiny import findings
from scrutiny.contract import TABLES
from scrutiny.filters import Filters
from tests import tiny_extract

YEAR_2023 = Filters(year=2023)


def _children_in_brook(n: int) -> pd.DataFrame:
    """n more children living in Brook (area A3, centre C2), born January 2021: under five all through 2022-23 and 2023-24."""
    rows = [(f"B{i}", f"FB{i}", "A3", "C2", date(2021, 2, 1), date(2021, 1, 1), []) for i in range(n)]
    return pd.concat([tiny_extract.tables()["children"], pd.DataFrame(rows, columns=TABLES["children"].column_names)])


def _visits(children: list[str], day: date) -> pd.DataFrame:
    rows = [(child, "C2", day, "Stay and play", "universal") for child in children]
    return pd.concat([tiny_extract.tables()["attendances"], pd.DataFrame(rows, columns=TABLES["attendances"].column_names)])


def _brook_population(children: int) -> pd.DataFrame:
    population = tiny_extract.tables()["population"].copy()
    population.loc[(population.area_code == "A3") & (population.target_group == "all"), "children"] = children
    return population


def _attendances(in_2022: int, in_2023: int) -> pd.DataFrame:
    """Of the 40 Brook children, in_2022 come once in May 2022 and the first in_2023 once in May 2023."""
    frame = _visits([f"B{i}" for i in range(in_2022)], date(2022, 5, 10))
    extra = frame.iloc[len(tiny_extract.tables()["attendances"]):]
    more = _visits([f"B{i}" for i in range(in_2023)], date(2023, 5, 10))
    return pd.concat([more, extra])


def _with_eastfield_regulars(children: pd.DataFrame, attendances: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five more children in Eastfield South (A2, centre C1), born January 2021, each coming once in May
    2022 and once in May 2023. Without them C1 reached 3 (c) in 2023-24 and C3 0, so the whole
    authority's total less C2's figure would give C1's 3 away: the disclosure plan would hide C2's
    figure too. With them C1 reached 5 in 2022-23 and 8 in 2023-24, and C2's figures can be shown."""
    rows = [(f"E{i}", f"FE{i}", "A2", "C1", date(2021, 2, 1), date(2021, 1, 1), []) for i in range(5)]
    visits = [(f"E{i}", "C1", day, "Stay and play", "universal") for i in range(5) for day in (date(2022, 5, 3), date(2023, 5, 3))]
    return (pd.concat([children, pd.DataFrame(rows, columns=TABLES["children"].column_names)]),
            pd.concat([attendances, pd.DataFrame(visits, columns=TABLES["attendances"].column_names)]))


def _rule(name, filters=YEAR_2023):
    return [f for f in findings.lines_of_enquiry(filters) if f.rule == name]


# --- Reach below 65% --------------------------------------------------------------------------------

def test_reach_below_good_on_the_tiny_extract(tiny):
    # 2023-24, group all: C1 3 of 15, C2 2 of 9, C3 0 of 2 -> 5 of 26 = 19% (8.5-37.9%), wholly below 65%.
    # Each centre's own figure rests on a count below 5 (3, 2, 0 of 2), so no centre finding appears.
    found = findings.reach_below_good(YEAR_2023)
    assert len(found) == 1
    f = found[0]
    assert f.statement == ("Across the whole of Testshire County Council, centres reached 19% of under-fives in 2023-24: "
                           "5 of an estimated 26.")
    assert f.uncertainty == "95% interval 9-38%: the whole interval is below the 65% threshold for good."
    assert f.question.startswith("Across the whole of Testshire County Council, why are so few under-fives reached")
    assert f.url(YEAR_2023) == "/reach?period=2023-24&target_group=all"


def test_reach_below_good_names_the_centre(make_extract):
    # C2: Brook 40 + Marsh 3 = 43 under-fives; reached: 10 Brook children + K7 + K8 = 12 -> 28% (16.7-42.7%).
    # Whole authority: C1 3 + 5 regulars + C2 12 + C3 0 = 20 of 15 + 43 + 2 = 60 -> 33% (22.7-45.9%).
    # C1 reached 8 of 15 = 53%, whose interval spans 65%: no finding for C1.
    children, attendances = _with_eastfield_regulars(_children_in_brook(40), _attendances(0, 10))
    make_extract(children=children, attendances=attendances, population=_brook_population(40))
    found = findings.reach_below_good(YEAR_2023)
    centre = [f for f in found if f.figures.get("centre_id") == "C2"]
    assert len(centre) == 1
    assert centre[0].statement == ("O'Brien & Sons Family Hub reached 28% of under-fives in its reach area in 2023-24: "
                                   "12 of an estimated 43.")
    assert centre[0].uncertainty.startswith("95% interval 17-43%")
    assert centre[0].params == {"target_group": "all", "centre": "C2"}
    whole = [f for f in found if "centre_id" not in f.figures]
    assert [(f.figures["reached"], f.figures["population"]) for f in whole] == [(20, 60)]
    assert "95% interval 23-46%" in whole[0].uncertainty


@pytest.mark.parametrize("why, filters, population", [
    # 5 of 9 = 56%, interval 27-81%: it touches 65%, so nothing is claimed.
    ("interval reaches 65%", YEAR_2023, {"A1": 4, "A2": 1, "A3": 2, "A4": 1, "A5": 1}),
    # Southvale only: C2 reached 2 of 9, a count below 5, so the figure is suppressed and no finding rests on it.
    ("suppressed", Filters(year=2023, district="Southvale"), None),
])
def test_reach_below_good_stays_silent(make_extract, why, filters, population):
    overrides = {}
    if population:
        frame = tiny_extract.tables()["population"]
        for area, children in population.items():
            frame.loc[(frame.area_code == area) & (frame.target_group == "all"), "children"] = children
        overrides["population"] = frame
    make_extract(**overrides)
    assert findings.reach_below_good(filters) == [], why


# --- Reach fell after a service change ----------------------------------------------------------------

def _hub_change(on: date = date(2023, 4, 1), centre: str | None = "C2") -> pd.DataFrame:
    return pd.DataFrame([(on, "Hub opening hours cut", None, centre)], columns=TABLES["service_changes"].column_names)


@pytest.mark.parametrize("changed_on, before, after", [
    (date(2023, 4, 1), 2022, 2023),
    (date(2021, 4, 1), 2020, 2021),
    (date(2022, 3, 31), 2020, 2022),
    (date(2022, 10, 5), 2021, 2023),
])
def test_years_around_a_change(changed_on, before, after):
    assert findings.years_around(changed_on) == (before, after)


@pytest.mark.parametrize("centre", ["C2", None])
def test_reach_fell_after_change(make_extract, centre):
    # C2 all: 2022-23 30 Brook children reached of 43 (K7, K8 and K9 came in other years) = 70%;
    # 2023-24 10 + K7 + K8 = 12 of 43 = 28%. Change -42 points, Newcombe -58 to -21: wholly below 0.
    children, attendances = _with_eastfield_regulars(_children_in_brook(40), _attendances(30, 10))
    make_extract(children=children, attendances=attendances,
                 population=_brook_population(40), service_changes=_hub_change(centre=centre))
    found = findings.reach_fell_after_change(Filters(year=2023, district="Southvale"))
    assert len(found) == 1
    f = found[0]
    where = "O'Brien & Sons Family Hub" if centre else "district Southvale"
    assert f.statement == (f"In {where}, reach of under-fives fell from 70% in 2022-23 (30 of 43) to 28% in 2023-24 "
                           "(12 of 43), a fall of 42 percentage points.")
    assert f.uncertainty.startswith("95% interval for the change -58 to -21 percentage points")
    assert "Hub opening hours cut" in f.question and "April 2023" in f.question
    assert f.severity == findings.HIGH
    assert f.year == 2023 and f.url(Filters(year=2024)).startswith("/reach?period=2023-24")


@pytest.mark.parametrize("why, in_2022, in_2023, change", [
    ("reach held up", 12, 10, _hub_change()),  # 12 of 43 both years (2022: 12 Brook; 2023: 10 + K7 + K8)
    ("no service change", 30, 10, None),
    ("change in a year with no figures after it", 30, 10, _hub_change(on=date(2024, 4, 1))),
])
def test_reach_fell_after_change_stays_silent(make_extract, why, in_2022, in_2023, change):
    make_extract(children=_children_in_brook(40), attendances=_attendances(in_2022, in_2023),
                 population=_brook_population(40), service_changes=change)
    assert findings.reach_fell_after_change(YEAR_2023) == [], why


def test_reach_fall_is_silent_when_suppressed(make_extract):
    # Only 4 Brook children: 2022-23 C2 reached 4 of 7 (4 < 5: suppressed), so nothing is claimed.
    make_extract(children=_children_in_brook(4), attendances=_attendances(4, 0),
                 population=_brook_population(4), service_changes=_hub_change())
    assert findings.reach_fell_after_change(YEAR_2023) == []


# --- Data quality --------------------------------------------------------------------------------------

def test_data_quality_silent_on_a_clean_extract(tiny):
    assert findings.data_quality(YEAR_2023) == []


def test_data_quality_names_the_broken_table_and_the_warnings(make_extract):
    footfall = tiny_extract.tables()["footfall"]
    footfall.loc[0, "visits"] = -3
    feedback = tiny_extract.tables()["feedback"]
    feedback.loc[0, "centre_id"] = "NOPE"
    make_extract(footfall=footfall, feedback=feedback)
    found = findings.data_quality(YEAR_2023)
    assert [f.severity for f in found] == [findings.HIGH, findings.LOW]
    assert found[0].statement.startswith("The footfall table has 1 problem serious enough that figures resting on it are not shown.")
    assert "negative visits" in found[0].statement
    assert found[0].page == "pages/data.py"
    assert "1 warning (in feedback)" in found[1].statement


def test_lines_of_enquiry_are_ranked_most_serious_first(make_extract):
    footfall = tiny_extract.tables()["footfall"]
    footfall.loc[0, "visits"] = -3
    make_extract(footfall=footfall)
    found = findings.lines_of_enquiry(YEAR_2023)
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=findings.SEVERITY_ORDER.get)
    assert found[0].rule == "data_quality"
    assert findings.findings_table(found).columns.tolist() == ["Severity", "Question", "What the data shows", "Uncertainty"]


# --- The gap ------------------------------------------------------------------------------------------

def _gld_2023(fsm: tuple[int, int]) -> pd.DataFrame:
    """The tiny outcomes with the authority's 2023 free-school-meals figure for GLD replaced."""
    outcomes = tiny_extract.tables()["outcomes"]
    row = ((outcomes.indicator == "gld") & (outcomes.geography_level == "authority") & (outcomes.year == 2023)
           & (outcomes.group == "fsm"))
    outcomes.loc[row, ["numerator", "denominator"]] = fsm
    return outcomes


def test_gap_change_the_data_cannot_tell_on_the_tiny_extract(tiny):
    # GLD, Testshire: 2023 non-FSM 290/400 = 72.5%, FSM 45/80 = 56.25%: gap 16.2 points (4.9 to 27.9, above 0);
    # 2022 75% - 50% = 25.0: change -8.8 (-24.8 to +7.7) crosses 0, and since 2021 (the break year) 72% - 45% = 27.0:
    # change -10.8, also not clear. Not evidence of no change: a low line saying the data cannot tell, with the
    # interval and the change figures this precise could detect: (1.96 + 0.84) x 32.5 / 3.92 = 23 points.
    # Obesity's gap, 12% - 8% = 4 points, has an interval that crosses 0: silent.
    found = findings.gap_not_narrowing(YEAR_2023)
    assert len(found) == 1
    f = found[0]
    assert (f.rule, f.severity, f.p_value) == ("gap_change_unclear", findings.LOW, None)
    assert f.question == ("Is the gap in good level of development between children on free school meals and other "
                          "children narrowing? The data cannot tell yet: what other evidence does the service have, "
                          "and when will it know?")
    # The statement is the Gap page's own sentence (its rounding of 16.25 is the Gap page's to decide).
    assert f.figures["gap"] == pytest.approx(0.725 - 0.5625)
    assert "points in 2023-24 (95% CI 4.9 to 27.9), down from 25.0 in 2022-23" in f.statement
    assert f.uncertainty.startswith("The gap is clearly there (95% CI 4.9 to 27.9). Change since 2022-23 -8.8 points "
                                    "(95% CI -24.8 to 7.7): the interval includes both narrowing and widening, so the "
                                    "data cannot tell whether the gap has changed.")
    detectable = (1.959964 + 0.841621) * (f.figures["change_upper"] - f.figures["change_lower"]) / (2 * 1.959964)
    assert round(detectable * 100) == 23
    assert "would pick up a change of about 23 points (80% of the time at the 5% level)" in f.uncertainty
    assert f.url(YEAR_2023) == "/gap?period=2023-24&indicator=gld"
    # Two changes were tested for GLD (since 2022-23 and since 2021-22) and one for obesity.
    assert len(found.p_values) == 3 and (found.p_values > 0.05).all()


def test_gap_widening(make_extract):
    # 2023 FSM 20/80 = 25%: gap 72.5 - 25 = 47.5 points, up from 25.0 in 2022-23: change +22.5, whose
    # interval (square-and-add of two Newcombe intervals of about +-11 points each) lies wholly above 0.
    make_extract(outcomes=_gld_2023((20, 80)))
    found = findings.gap_not_narrowing(YEAR_2023)
    assert [f.severity for f in found] == [findings.HIGH]
    assert "widened since 2022-23" in found[0].question
    assert "was 47.5 points in 2023-24" in found[0].statement
    assert found[0].uncertainty.startswith("Change since 2022-23 +22.5 points")
    assert found[0].figures["verdict_previous"] == "widening"


@pytest.mark.parametrize("why, fsm", [
    ("narrowing: FSM 70/80 = 87.5% is above non-FSM, the gap reversed", (70, 80)),
    ("suppressed: FSM 3 of 80 rests on a count below 5", (3, 80)),
])
def test_gap_rule_stays_silent(make_extract, why, fsm):
    make_extract(outcomes=_gld_2023(fsm))
    assert [f for f in findings.gap_not_narrowing(YEAR_2023) if f.figures["indicator"] == "gld"] == [], why


# --- Busy sites reaching few vulnerable children ---------------------------------------------------------

def _children(area: str, centre: str, n: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame([(f"{prefix}{i}", None, area, centre, date(2021, 2, 1), date(2021, 1, 1), []) for i in range(n)],
                        columns=TABLES["children"].column_names)


def _busy_extract(make_extract, c1_visits: int):
    """40 children in Eastfield North (A1, C1, most deprived) and 40 in Marsh (A4, C2, most deprived).

    With the threshold at 1: at 5 the small areas around them (Eastfield South's 1 reached, Old Mill's
    2) have the Reach page hide both centres' figures, and a finding never quotes what a page hides."""
    base = tiny_extract.tables()
    population = base["population"]
    for area in ("A1", "A4"):
        population.loc[(population.area_code == area) & (population.target_group == "all"), "children"] = 40
    children = pd.concat([base["children"], _children("A1", "C1", 40, "E"), _children("A4", "C2", 40, "M")])
    visits = [(f"E{i}", "C1", date(2023, 5, 2), "Stay and play", "universal") for i in range(5)]
    visits += [(f"M{i}", "C2", date(2023, 5, 2), "Stay and play", "universal") for i in range(30)]
    attendances = pd.concat([base["attendances"], pd.DataFrame(visits, columns=TABLES["attendances"].column_names)])
    footfall = base["footfall"]
    footfall.loc[footfall.centre_id == "C1", "visits"] = [c1_visits, 0]
    make_extract(population=population, children=children, attendances=attendances, footfall=footfall,
                 info={**tiny_extract.EXTRACT_INFO, "suppression_threshold": 1})


def test_busy_site_reaching_few(make_extract):
    # Most deprived 30%, 2023-24: C1 reached K1 K2 K3 + 5 = 8 of 40 = 20% (Wilson 10.5% to 34.8%);
    # C2 reached K8 + 30 = 31 of 40 = 77.5%. Sites' average: 39 of 80 = 48.75%.
    # Visits per under-five: C1 400 / (40 + 5) = 8.9, C2 45 / (6 + 40) = 1.0; average 445 / 91 = 4.9.
    _busy_extract(make_extract, c1_visits=400)
    found = findings.busy_sites_reaching_few(YEAR_2023)
    assert len(found) == 1
    f = found[0]
    assert f.statement == ("In 2023-24 Eastfield Children's Centre had 8.9 visits per under-five living in its reach area "
                           "(sites' average 4.9), but reached 20% of children in its 30% most deprived areas (8 of 40), "
                           "against 49% across the sites.")
    assert f.uncertainty.startswith("95% interval 10-35%: the whole interval is below the sites' average.")
    assert f.url(YEAR_2023) == "/footfall?period=2023-24&site=C1"


def test_quiet_site_reaching_few_is_not_busy(make_extract):
    # C1 20 visits / 45 = 0.4 per under-five, below the average (65 / 91 = 0.7): quiet, so silent.
    _busy_extract(make_extract, c1_visits=20)
    assert findings.busy_sites_reaching_few(YEAR_2023) == []


def test_busy_rule_silent_on_the_tiny_extract(tiny):
    # Every site's reach of the most deprived rests on a count below 5 (C1 3 of 10, C2 1 of 3): nothing is plotted.
    assert findings.busy_sites_reaching_few(YEAR_2023) == []


# --- Negative themes in feedback ----------------------------------------------------------------------------

def _comments(rows: list[tuple]) -> pd.DataFrame:
    """(respondent_type, centre_id, site_type, themes, sentiment) -> feedback rows, pre-coded by the source."""
    return pd.DataFrame(
        [(f"N{i}", "Review 2023", date(2023, 9, 1), who, site_type, centre, "A comment.", themes, sentiment)
         for i, (who, centre, site_type, themes, sentiment) in enumerate(rows)],
        columns=TABLES["feedback"].column_names)


HOURS, COST = ["opening_hours_travel"], ["cost"]


def test_negative_themes(make_extract):
    # 8 negative comments: opening hours 6 (5 parents about the library, 1 member of staff at C1), cost 2.
    # Opening hours: 6 of 8 = 75%, Wilson (.75 + .2401) / 1.4802 = .6689 +- 1.96 * .1961 / 1.4802 = .2596 -> 41% to 93%.
    # Cost (2) and the staff member and the children's centre (1 each) are below 5, so they are never named;
    # nor are the parents (5) or the library (5): with the 6 shown, each would give away the 1 beside it.
    rows = [("parent_carer", "L1", "library", HOURS, "negative")] * 5 + [("staff", "C1", "children_centre", HOURS, "negative")]
    rows += [("parent_carer", "C2", "family_hub", COST, "negative")] * 2 + [("parent_carer", "C1", "children_centre", COST, "positive")] * 9
    make_extract(feedback=_comments(rows))
    found = findings.negative_themes(YEAR_2023)
    assert len(found) == 1
    f = found[0]
    assert f.statement == ("Opening hours and travel came up in 6 of the 8 negative comments (75%), "
                           "from groups too small to name.")
    assert f.uncertainty.startswith("95% interval 41-93% of negative comments.")
    assert f.question == "Negative comments most often raise opening hours and travel: what has been done in response?"
    assert f.url(YEAR_2023) == "/feedback?period=2023-24&theme=opening_hours_travel&sentiment=negative"


@pytest.mark.parametrize("why, rows", [
    ("only 4 negative comments", [("parent_carer", "L1", "library", HOURS, "negative")] * 4),
    ("each theme raised by fewer than 5", [("parent_carer", "L1", "library", HOURS, "negative")] * 4
     + [("parent_carer", "L1", "library", COST, "negative")] * 4),
    ("all comments positive", [("parent_carer", "L1", "library", HOURS, "positive")] * 9),
])
def test_negative_themes_stay_silent(make_extract, why, rows):
    make_extract(feedback=_comments(rows))
    assert findings.negative_themes(YEAR_2023) == [], why


# --- On the overview ------------------------------------------------------------------------------------

def test_overview_lists_the_lines_of_enquiry_with_links(tiny):
    from tests.helpers import open_app, texts

    at = open_app(None, period="2023-24")
    assert not at.exception
    shown = texts(at)
    assert "Lines of enquiry" in [h.value for h in at.header]
    # The two lines on the tiny extract (worked above): reach 5 of 26 and the GLD gap the data cannot call, in that order.
    first = shown.index("Across the whole of Testshire County Council, why are so few under-fives reached")
    assert first < shown.index("Is the gap in good level of development between children on free school meals")
    assert "Medium priority. 95% interval 9-38%" in shown
    links = [link.proto.page for link in at.get("page_link")]
    assert links[-2:] == ["reach", "gap"]


# --- Many comparisons and order -------------------------------------------------------------------------

def _finding(rule: str, p_value, score: float = 0.1, severity: str = findings.MEDIUM, year=None) -> findings.Finding:
    return findings.Finding(rule=rule, severity=severity, score=score, question=rule, statement="", uncertainty="",
                            page="pages/reach.py", p_value=p_value, year=year)


def test_false_discovery_rate_across_every_rule_matches_statsmodels(tiny, monkeypatch):
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    # Two rules tested 20 figures between them; five looked clear at 95%. Benjamini-Hochberg over all
    # 20 (thresholds k x 0.05 / 20): 0.001 and 0.004 pass (0.0025, 0.005), 0.012 > 0.0075, and so on.
    first = [0.001, 0.012, 0.03] + [0.4] * 7
    second = [0.004, 0.045] + [0.7] * 8
    expected, _, _, _ = multitest.multipletests(first + second, alpha=0.05, method="fdr_bh")
    assert expected.sum() == 2

    def rule_a(filters):
        return findings.Tested([_finding(f"a{p}", p) for p in first[:3]], first)

    def rule_b(filters):
        return findings.Tested([_finding(f"b{p}", p) for p in second[:2]], second)

    def notes(filters):
        return [_finding("feedback", None, severity=findings.LOW)]

    monkeypatch.setattr(findings, "RULES", [rule_a, rule_b, notes])
    filters = Filters(year=2019)   # a filter no other test uses, so nothing kept is reused
    kept = findings.lines_of_enquiry(filters)
    assert [f.rule for f in kept] == ["a0.001", "b0.004", "feedback"]
    summary = findings.comparisons(filters)
    assert (summary.tested, summary.clear, summary.kept, summary.by_chance) == (20, 5, 2, 0.5)
    assert findings.comparisons_sentence(summary) == (
        "The rules tested 20 figures; if none truly differed, about 0 would still look clearly worse by chance alone "
        "(2.5% of them at 95%). So a finding is listed only when it passes a 5% false discovery rate "
        "(Benjamini-Hochberg) across all of them: 3 of the 5 clear figures did not, and are left out as possibly chance.")


def test_ranked_puts_the_chosen_year_first_then_the_strongest_and_largest_evidence():
    # An older line comes after this year's, even a more serious one; within a year, severity, then score, then p.
    older = _finding("older", 0.0001, score=0.30, year=2022, severity=findings.HIGH)
    strong = _finding("strong", 0.0001, score=0.20)
    weak = _finding("weak", 0.04, score=0.01)
    tie = _finding("tie", 0.02, score=0.01)
    high = _finding("high", 0.03, score=0.0, severity=findings.HIGH)
    assert [f.rule for f in findings.ranked([weak, older, tie, strong, high], 2023)] == ["high", "strong", "tie", "weak", "older"]


def test_comparisons_sentence_when_every_clear_figure_passes():
    summary = findings.Comparisons(tested=554, clear=40, kept=40, by_chance=13.85)
    assert findings.comparisons_sentence(summary) == (
        "The rules tested 554 figures; if none truly differed, about 14 would still look clearly worse by chance alone "
        "(2.5% of them at 95%). Every finding listed also passes a 5% false discovery rate (Benjamini-Hochberg) across "
        "all of them, so at most about 1 in 20 of them is expected to be chance.")
    assert findings.comparisons_sentence(findings.Comparisons(0, 0, 0, 0.0)) == ""


def test_gap_widening_for_a_lower_is_better_indicator(make_extract):
    # Obesity in reception, lower is better: the gap is FSM minus other children. 2022: 16% - 8% = 8.0 points;
    # 2023 FSM 30/100 = 30%: 30% - 8% = 22.0 points. More obesity among FSM children is a wider gap, and the
    # line says so (not "narrowing" because the FSM figure went up).
    outcomes = tiny_extract.tables()["outcomes"]
    row = ((outcomes.indicator == "obesity_reception") & (outcomes.year == 2023) & (outcomes.group == "fsm"))
    outcomes.loc[row, ["numerator", "denominator"]] = (30, 100)
    make_extract(outcomes=outcomes)
    found = [f for f in findings.gap_not_narrowing(YEAR_2023) if f.figures["indicator"] == "obesity_reception"]
    assert [(f.rule, f.severity) for f in found] == [("gap_not_narrowing", findings.HIGH)]
    assert found[0].question.startswith("Why has the gap in obesity in reception between children on free school meals "
                                        "and other children widened since 2022-23")
    assert found[0].uncertainty.startswith("Change since 2022-23 +14.0 points")
    assert found[0].p_value < 0.05
    assert found[0] in findings.lines_of_enquiry(YEAR_2023)
