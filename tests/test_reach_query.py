"""reach_by_centre against the tiny extract: every figure is worked out in tests/tiny_extract.py."""

import pytest

from scrutiny.queries import run

NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)


@pytest.fixture
def reach_2023(tiny):
    rows = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)
    return {(r.centre_id, r.target_group): r for r in rows.itertuples()}


@pytest.mark.parametrize(
    "centre, group, population, registered, reached, sustained, missed",
    [
        ("C1", "all", 15, 3, 3, 1, 12),
        ("C1", "teenage_parent", 4, 2, 2, 1, 2),
        ("C1", "most_deprived_30", 10, 2, 3, 1, 7),
        ("C1", "lone_parent", 0, 1, 1, 0, 0),
        ("C2", "all", 9, 3, 2, 1, 7),
        ("C2", "most_deprived_30", 3, 2, 1, 1 - 1, 2),
        ("C3", "all", 2, 1, 0, 0, 2),
    ],
)
def test_reach_figures(reach_2023, centre, group, population, registered, reached, sustained, missed):
    row = reach_2023[(centre, group)]
    assert (row.population, row.registered, row.reached, row.sustained, row.missed) == (
        population, registered, reached, sustained, missed)


def test_library_has_no_reach_area_and_outside_child_never_counts(reach_2023):
    assert not any(centre == "L1" for centre, _ in reach_2023)
    # K6 lives outside the authority and came 4 times to C1: C1's attendances are K1 3 + K2 1 + K3 2.
    assert reach_2023[("C1", "all")].attendances == 6


def test_sustained_minimum_is_a_setting(tiny):
    rows = run("reach_by_centre", year=2023, sustained_min=1, **NO_FILTERS)
    c1 = rows[(rows.centre_id == "C1") & (rows.target_group == "all")].iloc[0]
    assert c1.sustained == 3


def test_closed_centre_keeps_its_history(tiny):
    rows = run("reach_by_centre", year=2021, sustained_min=3, **NO_FILTERS)
    c3 = rows[(rows.centre_id == "C3") & (rows.target_group == "all")].iloc[0]
    assert (c3.reached, c3.registered) == (1, 1)


def test_district_filter_is_bound(tiny):
    rows = run("reach_by_centre", year=2023, sustained_min=3, **{**NO_FILTERS, "district": "Southvale"})
    assert set(rows.centre_id) == {"C2"}
    hostile = run("reach_by_centre", year=2023, sustained_min=3, **{**NO_FILTERS, "district": "x' or 1=1 --"})
    assert hostile.empty
