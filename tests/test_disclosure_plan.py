"""The disclosure plan (scrutiny/disclosure/): the primary rule, complementary suppression over
sums, and the Reach plan on hand-made areas, each worked out by hand."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrutiny import disclosure
from scrutiny.disclosure import Sums, plan_suppression
from scrutiny.disclosure import core as plan_core
from tests.disclosure_reference import reference_plan_suppression


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
    # One centre, reached 30 = 10 + 2 + 10 + 4 + 4 and sustained (3 or more) 18 = 10 + 4 + 4. The bands of
    # 4 and 4 hold 8 together, so sustained keeps them safe; but reached 30 less the 10 who came once less
    # sustained 18 gives the 2 who came twice, so the 10 who came once is hidden with it (first written,
    # the plan hid only the small bands, and the table's sustained gave the 2 away).
    frame = areas_frame([("A1", "C1", "D", False, "all", 60, 30, (10, 2, 10, 4, 4))])
    plan = disclosure.build_reach_plan(frame, 5)
    centre = plan.set_of(None, "centre", "C1")
    assert [plan.is_hidden("all", centre, b) for b in disclosure.BANDS] == [True, True, False, True, True]


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


# --- The fast plan hides exactly what the first one did ------------------------------------------------

@st.composite
def linked_cells(draw):
    """Cells and sums of any shape: small and large values, zeros, a cell named twice in one sum,
    a total that is also its own part, sums given in any order, relation numbers with gaps."""
    n_cells = draw(st.integers(1, 25))
    values = draw(st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 20, 50]), min_size=n_cells, max_size=n_cells))
    relation, cell, total = [], [], []
    for r in range(draw(st.integers(0, 14))):
        number = r * draw(st.sampled_from([1, 1, 2]))
        members = [draw(st.integers(0, n_cells - 1))] + draw(st.lists(st.integers(0, n_cells - 1), max_size=6))
        relation += [number] * len(members)
        cell += members
        total += [True] + [False] * (len(members) - 1)
    order = draw(st.permutations(range(len(cell))))
    sums = Sums(np.asarray(relation, dtype=np.int64)[order] if cell else np.zeros(0, np.int64),
                np.asarray(cell, dtype=np.int64)[order] if cell else np.zeros(0, np.int64),
                np.asarray(total, dtype=bool)[order] if cell else np.zeros(0, bool))
    hidden = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n_cells, max_size=n_cells)))
    return values, sums, hidden, draw(st.integers(2, 10))


@settings(max_examples=300, deadline=None)
@given(linked_cells())
def test_the_plan_hides_the_same_cells_as_the_first_implementation(case):
    values, sums, hidden, t = case
    assert list(plan_suppression(values, sums, t, hidden=hidden)) == \
        list(reference_plan_suppression(values, sums, t, hidden=hidden))


def _digest(plan) -> str:
    return hashlib.sha256(np.packbits(plan.hidden.reshape(-1)).tobytes()).hexdigest()[:16]


# The hidden cells of the Reach plan as the first implementation chose them (threshold, sustained setting):
# how many and which (a digest of every cell's flag). A change to the Reach plan's rules changes these on
# purpose; a change meant only to make it faster must not.
@pytest.mark.parametrize("year, t, sustained_min, hidden, digest", [
    (2023, 5, 3, 152, "4297939aa640889f"), (2023, 10, 3, 155, "f8cda141918606cd"), (2023, 5, 1, 158, "683e2198c2929b7d"),
    (2023, 3, 6, 128, "d6cf9027ecce9452"), (2022, 5, 3, 134, "e97eacabfd4b3a9c"), (2022, 5, 1, 134, "fd25e15e61baadda"),
])
def test_the_reach_plan_on_the_tiny_extract_hides_the_same_cells_as_first_written(tiny, year, t, sustained_min, hidden, digest):
    plan = disclosure.build_reach_plan(reach_areas(year, sustained_min), t, sustained_min)
    assert (int(plan.hidden.sum()), _digest(plan)) == (hidden, digest)


@pytest.mark.parametrize("year, t, sustained_min, hidden, digest", [
    (2024, 5, 3, 21918, "97d2f9d561d2fbee"), (2017, 3, 6, 18202, "ba1dac35cdb15a84"), (2021, 10, 1, 25368, "3fe3f8272a12c656"),
])
def test_the_reach_plan_on_the_sample_county_hides_the_same_cells_as_first_written(monkeypatch, year, t, sustained_min,
                                                                                  hidden, digest):
    from tests.helpers import REPO_ROOT

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(REPO_ROOT / "sample_data"))
    areas = reach_areas(year, sustained_min)
    plan = disclosure.build_reach_plan(areas, t, sustained_min)
    assert (int(plan.hidden.sum()), _digest(plan)) == (hidden, digest)
    # The same sums through the first implementation of the rule.
    monkeypatch.setattr(plan_core, "plan_suppression", reference_plan_suppression)
    assert (disclosure.build_reach_plan(areas, t, sustained_min).hidden == plan.hidden).all()


def reach_areas(year: int, sustained_min: int) -> pd.DataFrame:
    from scrutiny import queries

    return queries.run("reach_by_area", year=year, sustained_min=sustained_min,
                       district=None, cluster=None, lead_agency=None, site_type=None)
