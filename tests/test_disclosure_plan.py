"""The disclosure plan (scrutiny/disclosure/): the primary rule, complementary suppression over
sums, and the Reach plan on hand-made areas, each worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scrutiny import disclosure
from scrutiny.disclosure import Sums, plan_suppression


def hidden_cells(values, pairs, t=5, hidden=None) -> list[int]:
    return list(np.flatnonzero(plan_suppression(values, Sums.of(pairs), t, hidden=hidden)))


# --- The secondary rule on plain sums ------------------------------------------------------------

def test_primary_rule_hides_1_to_threshold_less_1_and_keeps_zero():
    assert list(disclosure.primary([0, 1, 4, 5, 12], 5)) == [False, True, True, False, False]
    assert list(disclosure.primary([9, 10], 10)) == [True, False]


def test_a_lone_hidden_part_takes_the_smallest_other_part_with_it():
    # 20 = 3 + 9 + 8: 3 is small; 8 is the smallest other part, and 3 + 8 = 11 leaves each 0 to 11.
    assert hidden_cells([20, 3, 9, 8], [(0, [1, 2, 3])]) == [1, 3]


def test_zero_is_taken_only_when_nothing_else_is_left():
    # 12 = 3 + 0 + 9: hiding the 0 would leave 3 pinned at 3 - 0; the 9 is taken instead.
    assert hidden_cells([12, 3, 0, 9], [(0, [1, 2, 3])]) == [1, 3]


def test_hidden_parts_must_hold_at_least_threshold_less_1():
    # 8 = 1 + 2 + 5: the two small parts add up to 3, so each could only be 0 to 3; the 5 goes too.
    assert hidden_cells([8, 1, 2, 5], [(0, [1, 2, 3])]) == [1, 2, 3]
    # 10 = 2 + 2 + 6: 2 + 2 = 4 is enough at a threshold of 5 (each could be 0 to 4).
    assert hidden_cells([10, 2, 2, 6], [(0, [1, 2, 3])]) == [1, 2]


def test_population_is_reached_plus_missed_both_ways():
    # The one-way leak: "Population 10, Reached 6, Missed c" gave missed as 10 - 6 = 4.
    assert hidden_cells([10, 6, 4], [(0, [1, 2])]) == [1, 2]
    # ... and reached 3 hidden takes missed 7 with it.
    assert hidden_cells([10, 3, 7], [(0, [1, 2])]) == [1, 2]


def test_a_hidden_cell_spreads_through_a_hierarchy():
    # authority 0 = districts 1, 2; district 1 = centres 3, 4; district 2 = centres 5, 6.
    # Centre 3 holds 2: centre 4 (9) goes with it in district 1; nothing else is needed.
    values = [40, 11, 29, 2, 9, 14, 15]
    pairs = [(0, [1, 2]), (1, [3, 4]), (2, [5, 6])]
    assert hidden_cells(values, pairs) == [3, 4]
    # Centres also make up the authority directly (0 = 3 + 4 + 5 + 6): still enough, 2 + 9 = 11.
    assert hidden_cells(values, pairs + [(0, [3, 4, 5, 6])]) == [3, 4]


def test_a_part_that_is_the_whole_takes_the_total():
    # The most deprived 30% in a most deprived area is every child there: hiding one hides the other.
    assert hidden_cells([10, 10], [(0, [1])], hidden=[False, True]) == [0, 1]


def test_the_plan_is_deterministic_and_breaks_ties_by_position():
    assert hidden_cells([20, 2, 9, 9], [(0, [1, 2, 3])]) == [1, 2]
    assert hidden_cells([20, 2, 9, 9], [(0, [1, 3, 2])]) == [1, 2]


def test_no_sums_means_only_the_primary_rule():
    assert hidden_cells([3, 30], []) == [0]


# --- The Reach plan on hand-made areas -----------------------------------------------------------------

COUNTS = ["population", "registered", "registered_by_3_months", "registered_by_1_year", "reached", "sustained",
          *disclosure.BANDS]


def areas_frame(rows) -> pd.DataFrame:
    """rows: (area, centre, district, deprived, group, population, reached, bands 1/2/3-5/6-10/11+)."""
    out = []
    for area, centre, district, deprived, group, population, reached, bands in rows:
        assert sum(bands) == reached
        out.append(dict(area_code=area, centre_id=centre, district=district, cluster=None, lead_agency="LA",
                        site_type="children_centre", most_deprived=deprived, target_group=group,
                        population=population, registered=reached, registered_by_3_months=0, registered_by_1_year=0,
                        reached=reached, sustained=sum(bands[2:]), **dict(zip(disclosure.BANDS, bands))))
    return pd.DataFrame(out)


def test_reach_plan_hides_a_centre_that_the_total_less_the_others_would_give_away():
    # Three centres in one district, all under-fives: reached 40 + 38 + 3. The 3 is small; 38 goes with it
    # (the smallest other centre), else the district's 81 less 40 and 38 gives 3.
    frame = areas_frame([
        ("A1", "C1", "D", False, "all", 60, 40, (10, 10, 10, 5, 5)),
        ("A2", "C2", "D", False, "all", 50, 38, (10, 8, 10, 5, 5)),
        ("A3", "C3", "D", False, "all", 9, 3, (1, 1, 1, 0, 0)),
    ])
    plan = disclosure.build_reach_plan(frame, 5)
    hidden = {c: plan.is_hidden("all", plan.set_of(None, "centre", c), "reached") for c in ("C1", "C2", "C3")}
    assert hidden == {"C1": False, "C2": True, "C3": True}
    assert not plan.is_hidden("all", plan.set_of(None, "authority"), "reached")
    # Missed: 20, 12, 6. C3's 6 goes with its hidden 3 reached, C2's 12 with its hidden 38 reached.
    missed = {c: plan.is_hidden("all", plan.set_of(None, "centre", c), "missed") for c in ("C1", "C2", "C3")}
    assert missed == {"C1": False, "C2": True, "C3": True}


def test_reach_plan_hides_a_frequency_band_the_bar_total_would_give_away():
    # One centre, reached 30 = 10 + 2 + 10 + 4 + 4: bands of 2, 4 and 4 are small and hold 10 together.
    frame = areas_frame([("A1", "C1", "D", False, "all", 60, 30, (10, 2, 10, 4, 4))])
    plan = disclosure.build_reach_plan(frame, 5)
    centre = plan.set_of(None, "centre", "C1")
    assert [plan.is_hidden("all", centre, b) for b in disclosure.BANDS] == [False, True, False, True, True]


def test_reach_plan_links_the_most_deprived_group_to_all_children_in_those_areas():
    # A1 is among the most deprived: its all-children figures are the most deprived group's.
    frame = areas_frame([
        ("A1", "C1", "D", True, "all", 12, 9, (3, 2, 4, 0, 0)),
        ("A2", "C1", "D", False, "all", 40, 30, (10, 10, 10, 0, 0)),
        ("A1", "C1", "D", True, "most_deprived_30", 12, 9, (3, 2, 4, 0, 0)),
    ])
    plan = disclosure.build_reach_plan(frame, 5)
    a1 = plan.set_of(None, "area", "A1")
    # Missed in A1 is 3 (small) for both groups; reached 9 goes with it in both.
    assert plan.is_hidden("all", a1, "missed") and plan.is_hidden("most_deprived_30", a1, "missed")
    assert plan.is_hidden("all", a1, "reached") == plan.is_hidden("most_deprived_30", a1, "reached")


@pytest.mark.parametrize("value, expected", [(5, ""), (3, ""), (2, "not safe to publish"), (1, "not safe to publish")])
def test_a_threshold_below_3_is_flagged(value, expected):
    assert expected in disclosure.unsafe_threshold_warning(value)
    assert bool(disclosure.unsafe_threshold_warning(value)) == bool(expected)


# --- The threshold as the extract gives it --------------------------------------------------------------

def test_a_threshold_that_is_not_a_whole_number_gives_a_sentence_and_the_default(make_extract):
    from tests import tiny_extract
    from tests.helpers import errors, open_app, texts

    make_extract(info=dict(tiny_extract.EXTRACT_INFO, suppression_threshold=4.5))
    at = open_app("pages/data.py")
    assert not errors(at)
    assert "suppression_threshold 4.5 is not a whole number of 1 or more; the default of 5 is used." in texts(at)
    assert disclosure.threshold() == 5


@pytest.mark.parametrize("page", ["pages/reach.py", "pages/gap.py", "pages/data.py"])
def test_a_threshold_below_3_is_honoured_with_a_warning_on_every_page_and_download(make_extract, page):
    from scrutiny import ui
    from tests import tiny_extract
    from tests.helpers import errors, open_app, texts

    make_extract(info=dict(tiny_extract.EXTRACT_INFO, suppression_threshold=2))
    at = open_app(page)
    assert not errors(at)
    assert "sets the suppression threshold to 2, below 3" in texts(at)
    assert disclosure.threshold() == 2
    csv = ui.csv_bytes(pd.DataFrame({"Reached": [1]}), "A table", None, "a source").decode()
    assert "WARNING: The extract sets the suppression threshold to 2" in csv
