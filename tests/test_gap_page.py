"""The Gap page in the app: URL parameters, the sidebar's district and year, hostile links, and
the hand-worked figures of tests/test_gap.py showing up in its sentences and charts."""

import pytest

from tests.helpers import errors, open_app, plotly_figures, texts

PAGE = "pages/gap.py"


def test_page_shows_every_section_on_the_tiny_extract(tiny):
    at = open_app(PAGE)
    assert not errors(at)
    assert at.title[0].value == "Is the wellbeing and attainment gap narrowing?"
    assert at.selectbox(key="geography").value == "Testshire"
    assert at.selectbox(key="indicator").value == "gld"
    text = texts(at)
    # The worked 2023-24 gap: 16.3 points (4.9 to 27.9), down from 25.0: no clear change.
    assert "was 16.3 points in 2023-24 (95% CI 4.9 to 27.9), down from 25.0 in 2022-23" in text
    # England's published 2022-23 gap of 19.9 points, with its source named.
    assert "against 19.9 points for England" in text and "DfE EYFSP 2022-23" in text
    assert "Figures from 2021-22 are not comparable with earlier years" in text
    headers = [h.value for h in at.header]
    assert headers[:2] == ["Every indicator: Testshire", "Good level of development: Testshire"]
    # Groups and gap over time, gap and FSM value against benchmarks, districts; C1's gap is
    # suppressed and the funnel has no plottable reach area.
    assert len(plotly_figures(at)) == 5
    overview = at.dataframe[0].value
    assert list(overview["Indicator"]) == ["Good level of development", "Obesity in reception"]
    assert list(overview["Gap (points)"]) == ["16.3", "4.0"]


def test_trend_chart_is_broken_at_the_comparability_break(tiny):
    at = open_app(PAGE)
    gap_chart = next(f for f in plotly_figures(at) if any(t.get("name") == "Gap (points)" for t in f["data"]))
    segments = [(t["meta"]["segment"], len(t["x"])) for t in gap_chart["data"] if t.get("name") == "Gap (points)"]
    assert segments == [(0, 1), (1, 3)]   # 2018 alone; 2021, 2022, 2023 joined


@pytest.mark.parametrize(
    "params, geography, indicator, expected",
    [
        # Northdale 2023: non_fsm 150/200 = 75%, fsm 20/40 = 50%: a gap of 25.0 points.
        ({"geography": "Northdale"}, "Northdale", "gld", "In Northdale the gap in good level of development"),
        # Obesity for the authority: 12% - 8% = 4.0 points, down from 8.0.
        ({"indicator": "obesity_reception"}, "Testshire", "obesity_reception", "was 4.0 points in 2023-24"),
        # C1's fsm group (3 of 8) is suppressed.
        ({"geography": "C1"}, "C1", "gld", "cannot be shown for 2023-24"),
    ],
)
def test_url_parameters_choose_area_and_indicator(tiny, params, geography, indicator, expected):
    at = open_app(PAGE, **params)
    assert not errors(at)
    assert at.selectbox(key="geography").value == geography
    assert at.selectbox(key="indicator").value == indicator
    assert expected in texts(at)


@pytest.mark.parametrize("key", ["geography", "indicator"])
@pytest.mark.parametrize("hostile", ["'; drop table outcomes; --", "<script>alert(1)</script>", "Nowhere"])
def test_hostile_url_value_falls_back_with_a_note(tiny, key, hostile):
    at = open_app(PAGE, **{key: hostile})
    assert not errors(at)
    assert at.selectbox(key="geography").value == "Testshire"
    assert at.selectbox(key="indicator").value == "gld"
    assert "which this extract does not have, so the default is shown" in texts(at)
    assert "<script>" not in texts(at)


def test_sidebar_district_chooses_the_area(tiny):
    at = open_app(PAGE, district="Southvale")
    assert at.selectbox(key="geography").value == "Southvale"
    # Southvale 2023: 70% - 62.5% = 7.5 points.
    assert "In Southvale the gap in good level of development between children on free school meals and other children was 7.5 points" in texts(at)
    assert "The sidebar's district filter (Southvale) chose the area" in texts(at)
    # An explicit geography in the link wins over the sidebar's district.
    at = open_app(PAGE, district="Southvale", geography="Northdale")
    assert at.selectbox(key="geography").value == "Northdale"


def test_sidebar_year_chooses_the_latest_year_shown(tiny):
    at = open_app(PAGE, period="2022-23")
    # 2022: 75% - 50% = 25.0 points, down from 27.0 (72% - 45%) in 2021-22.
    assert "was 25.0 points in 2022-23 (95% CI 13.4 to 36.4), down from 27.0 in 2021-22" in texts(at)
    assert list(at.dataframe[0].value["Year"]) == ["2022-23", "2022-23"]


def test_page_without_benchmarks_still_works(make_extract):
    make_extract(benchmarks=None, service_changes=None)
    at = open_app(PAGE)
    assert not errors(at)
    assert "The extract has no published benchmarks for this indicator." in texts(at)


def test_broken_outcomes_table_stops_the_page_with_sentences(make_extract):
    import pandas as pd

    make_extract(outcomes=pd.DataFrame({"indicator": ["gld"]}))
    at = open_app(PAGE)
    assert not errors(at)
    assert any("cannot show its figures" in e.value for e in at.error)


def test_funnel_plot_around_the_authority_value(make_extract):
    from tests.test_gap import outcomes_with

    # C2 2023: fsm 30/40 = 75%. Around the authority's 45/80 = 56.25%, with 40 children the exact
    # binomial limits are 39.4% to 72.7% (95%) and 30.5% to 81.1% (99.8%): 30 or more of 40 has a
    # 1.1% chance. So C2 is outside the 95% limits only. C1 (3/8) is suppressed.
    make_extract(outcomes=outcomes_with([
        ("gld", "centre", "C2", 2023, "fsm_status", "fsm", 30, 40),
        ("gld", "centre", "C2", 2023, "fsm_status", "non_fsm", 100, 150),
    ]))
    at = open_app(PAGE)
    assert not errors(at)
    assert ("against Testshire's 56.3% for children on free school meals, of 1 reach area 0 were clearly better than "
            "chance alone would give, beyond the 99.8% limits, and 0 clearly worse; 1 more was outside the 95% limits "
            "only, worth watching (O'Brien & Sons Family Hub)") in texts(at)
    assert "1 reach area with too few children is not plotted." in texts(at)
    funnel = next(f for f in plotly_figures(at) if any(t.get("name") == "95% limits" for t in f["data"]))
    upper_95 = next(t for t in funnel["data"] if t.get("name") == "95% limits" and t["y"][-1] > 56.25)
    at_40 = dict(zip(upper_95["x"], upper_95["y"]))[40.0]
    assert at_40 == pytest.approx(72.68, abs=0.01)


def test_funnel_at_a_90_percent_target_with_small_areas(make_extract):
    # The authority's figure 90/100 = 90%; Eastfield (C1) 6 of 10, O'Brien (C2) 27 of 30. Under the
    # binomial(10, 0.9), 6 or fewer has a 1.3% chance: outside the 95% limits (2.5% a side) but not
    # the 99.8% ones (0.1%), where the Fingertips limit (60.7%) would have drawn it. 27 of 30 is
    # the expected count: within the limits.
    import pandas as pd

    from tests import tiny_extract

    outcomes = tiny_extract.tables()["outcomes"]
    fsm_2023 = (outcomes.indicator == "gld") & (outcomes.year == 2023) & (outcomes.group == "fsm")
    for level, code, counts in (("authority", "Testshire", (90, 100)), ("centre", "C1", (6, 10))):
        row = fsm_2023 & (outcomes.geography_level == level) & (outcomes.geography_code == code)
        assert row.sum() == 1
        outcomes.loc[row, ["numerator", "denominator"]] = counts
    extra = pd.DataFrame([("gld", "centre", "C2", 2023, "fsm_status", "fsm", 27, 30),
                          ("gld", "centre", "C2", 2023, "fsm_status", "non_fsm", 100, 150)], columns=outcomes.columns)
    make_extract(outcomes=pd.concat([outcomes, extra], ignore_index=True))
    at = open_app(PAGE)
    assert not errors(at)
    assert ("against Testshire's 90.0% for children on free school meals, of 2 reach areas 0 were clearly better than "
            "chance alone would give, beyond the 99.8% limits, and 0 clearly worse; 1 more was outside the 95% limits "
            "only, worth watching (Eastfield Children's Centre)") in texts(at)
    funnel = next(f for f in plotly_figures(at) if any(t.get("name") == "95% limits" for t in f["data"]))
    lower_998 = next(t for t in funnel["data"] if t.get("name") == "99.8% limits")
    # Spiegelhalter's interpolated limit at 10 children: (5 - 0.4267) / 10 = 45.7%.
    assert dict(zip(lower_998["x"], lower_998["y"]))[10.0] == pytest.approx(45.73, abs=0.01)
