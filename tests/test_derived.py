"""The summaries made when an extract opens (queries/derived/), against the tiny extract."""

from datetime import date

import pandas as pd
import pytest

from scrutiny.extract import open_extract
from scrutiny.queries import run
from tests import tiny_extract

D = date.fromisoformat
NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)


def summary(folder) -> dict:
    extract = open_extract(folder)
    try:
        rows = extract.connection.cursor().execute(
            "select * from child_year_attendances order by child_id, year").df()
    finally:
        extract.connection.close()
    return {(r.child_id, r.year): r for r in rows.itertuples()}


@pytest.mark.parametrize(
    "child, year, attendances, universal, targeted, specialist, at_children_centre, at_library, first, last",
    [
        # K1: 1 May stay and play, then two parenting programme sessions in June and July.
        ("K1", 2023, 3, 1, 2, 0, 3, 0, "2023-05-01", "2023-07-01"),
        # K2's only visit was to the library.
        ("K2", 2023, 1, 1, 0, 0, 0, 1, "2023-10-10", "2023-10-10"),
        # K6 lives outside the authority: counted here, dropped by the reach queries' area join.
        ("K6", 2023, 4, 4, 0, 0, 4, 0, "2023-06-01", "2023-06-04"),
        # K7: five one-to-one sessions, April to August, at a family hub.
        ("K7", 2023, 5, 0, 0, 5, 0, 0, "2023-04-15", "2023-08-15"),
        # 31 March 2024 is the last day of 2023-24; 1 April 2024 starts 2024-25.
        ("K8", 2023, 1, 1, 0, 0, 0, 0, "2024-03-31", "2024-03-31"),
        ("K9", 2024, 1, 1, 0, 0, 0, 0, "2024-04-01", "2024-04-01"),
        ("K10", 2021, 1, 1, 0, 0, 1, 0, "2021-06-01", "2021-06-01"),
    ],
)
def test_child_year_attendances(tiny, child, year, attendances, universal, targeted, specialist,
                                at_children_centre, at_library, first, last):
    row = summary(tiny)[(child, year)]
    assert (row.attendances, row.universal, row.targeted, row.specialist) == (attendances, universal, targeted, specialist)
    assert (row.at_children_centre, row.at_library) == (at_children_centre, at_library)
    assert (row.first_attended_on.date(), row.last_attended_on.date()) == (D(first), D(last))


def test_one_row_per_child_and_year(tiny):
    # Children with attendances: K1 K2 K3 K4 K6 K7 K8 in 2023, K9 in 2024, K10 in 2021 = 9 rows.
    assert len(summary(tiny)) == 9


def test_attendance_at_an_unknown_centre_is_left_out_everywhere(make_extract):
    # The validation report says such rows "cannot be matched and are left out": both reach
    # queries must agree with it and with each other.
    visits = tiny_extract.tables()["attendances"]
    stray = pd.DataFrame([("K5", "ZZ9", D("2023-05-02"), "Stay and play", "universal")], columns=visits.columns)
    folder = make_extract(attendances=pd.concat([visits, stray], ignore_index=True))
    assert ("K5", 2023) not in summary(folder)
    by_centre = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)
    by_area = run("reach_by_area", year=2023, sustained_min=3, **NO_FILTERS)
    c1_all = by_centre[(by_centre.centre_id == "C1") & (by_centre.target_group == "all")].iloc[0]
    assert c1_all.reached == 3  # K1 K2 K3, as without the stray row
    assert by_area[(by_area.centre_id == "C1") & (by_area.target_group == "all")].reached.sum() == 3


def test_an_extract_whose_dates_are_text_still_opens(make_extract):
    visits = tiny_extract.tables()["attendances"].assign(attended_on=lambda f: f.attended_on.astype(str))
    folder = make_extract(attendances=visits)
    extract = open_extract(folder)
    try:
        cursor = extract.connection.cursor()
        # The summary falls back to a view, which fails only when a query reads it.
        with pytest.raises(Exception):
            cursor.execute("select count(*) from child_year_attendances").fetchall()
        assert cursor.execute("select count(*) from centres").fetchone()[0] == 4
    finally:
        extract.connection.close()


def test_long_queries_print_no_progress_bar_into_the_server_log(tiny):
    extract = open_extract(tiny)
    try:
        cursor = extract.connection.cursor()
        assert cursor.execute("select current_setting('enable_progress_bar')").fetchone()[0] is False
    finally:
        extract.connection.close()


def rows_of(folder, sql: str) -> list[tuple]:
    extract = open_extract(folder)
    try:
        return extract.connection.cursor().execute(sql).fetchall()
    finally:
        extract.connection.close()


def test_each_distinct_list_of_target_groups_is_numbered_once(tiny):
    # The tiny extract's lists: [] (K3 K4 K5 K6 K8 K9), child_in_need (K10), minority_ethnic (K7),
    # teenage_parent (K1), teenage_parent + lone_parent (K2): five, numbered in sort order.
    assert rows_of(tiny, "select group_list_id, target_groups from target_group_lists order by 1") == [
        (1, []), (2, ["child_in_need"]), (3, ["minority_ethnic"]), (4, ["teenage_parent"]),
        (5, ["teenage_parent", "lone_parent"]),
    ]


def test_reach_children_holds_each_child_with_a_home_area_and_its_own_list(tiny):
    rows = rows_of(tiny, "select c.child_id, c.area_code, l.target_groups from reach_children as c "
                         "join target_group_lists as l using (group_list_id)")
    by_child = {child: (area, groups) for child, area, groups in rows}
    # Ten children, less K6 who lives outside the authority.
    assert len(rows) == 9 and "K6" not in by_child
    assert by_child["K2"] == ("A1", ["teenage_parent", "lone_parent"])
    assert by_child["K10"] == ("A5", ["child_in_need"])
    assert by_child["K5"] == ("A2", [])


@pytest.fixture
def unlisted_and_custom_groups(make_extract):
    """The tiny extract plus two children in A1 (C1's most deprived area), both registered in March 2022:
    K11 with no list of groups at all (null) and no visits, K12 in a council's own group whose name has an
    apostrophe, with one visit in 2023-24."""
    children = tiny_extract.tables()["children"]
    extra = pd.DataFrame([("K11", "F8", "A1", "C1", D("2022-03-01"), D("2022-02-01"), None),
                          ("K12", "F9", "A1", "C1", D("2022-03-01"), D("2022-02-01"), ["Dad's group"])],
                         columns=children.columns)
    visits = tiny_extract.tables()["attendances"]
    visit = pd.DataFrame([("K12", "C1", D("2023-09-01"), "Stay and play", "universal")], columns=visits.columns)
    return make_extract(children=pd.concat([children, extra], ignore_index=True),
                        attendances=pd.concat([visits, visit], ignore_index=True))


def test_a_null_list_and_a_custom_group_get_numbers_of_their_own(unlisted_and_custom_groups):
    # Byte order puts "Dad's group" (capital D) before child_in_need; a null list sorts last.
    assert rows_of(unlisted_and_custom_groups, "select group_list_id, target_groups from target_group_lists order by 1") == [
        (1, []), (2, ["Dad's group"]), (3, ["child_in_need"]), (4, ["minority_ethnic"]), (5, ["teenage_parent"]),
        (6, ["teenage_parent", "lone_parent"]), (7, None),
    ]
    assert rows_of(unlisted_and_custom_groups,
                   "select child_id, group_list_id from reach_children where child_id in ('K11', 'K12') order by 1") == [
        ("K11", 7), ("K12", 2),
    ]


def test_a_null_list_and_a_custom_group_count_as_before(unlisted_and_custom_groups):
    by_centre = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)
    c1 = by_centre[by_centre.centre_id == "C1"].set_index("target_group")
    # all: registered K1 K2 K5 + K11 K12 = 5; reached K1 K2 K3 + K12 = 4.
    assert (c1.at["all", "registered"], c1.at["all", "reached"]) == (5, 4)
    # A1 is among the most deprived: K1 K2 K3 K11 K12, registered all but K3 = 4, reached K1 K2 K3 K12 = 4.
    assert (c1.at["most_deprived_30", "registered"], c1.at["most_deprived_30", "reached"]) == (4, 4)
    # The council's own group: K12 alone, with no population estimate.
    assert tuple(c1.loc["Dad's group", ["population", "registered", "reached", "sustained", "missed"]]) == (0, 1, 1, 0, 0)
    # K11's null list puts it in no group of its own: lone_parent is still K2 alone.
    assert (c1.at["lone_parent", "registered"], c1.at["lone_parent", "reached"]) == (1, 1)
    by_area = run("reach_by_area", year=2023, sustained_min=3, **NO_FILTERS)
    a1 = by_area[by_area.area_code == "A1"].set_index("target_group")
    assert (a1.at["Dad's group", "registered"], a1.at["Dad's group", "reached_1"]) == (1, 1)
    assert by_area[(by_area.centre_id == "C1") & (by_area.target_group == "all")].reached.sum() == 4
    quarters = run("reach_by_quarter", target_groups=["Dad's group"], **NO_FILTERS)
    dads = quarters[(quarters.centre_id == "C1") & (quarters.year == 2023)].set_index("quarter")
    # K12's first visit, 1 September 2023, falls in the second quarter (July to September).
    assert list(dads.reached) == [0, 1, 1, 1]


def test_the_summaries_are_tables_in_their_own_database_with_a_list_of_what_was_made(tiny):
    assert sorted(rows_of(tiny, "select table_name from duckdb_tables() where database_name = 'summaries'")) == [
        ("_prepared",), ("child_year_attendances",), ("reach_children",), ("target_group_lists",),
    ]


def test_a_summary_is_made_after_the_summaries_it_reads():
    from scrutiny.summaries import build_order as _build_order

    # Name order, except that alpha reads zeta, which is therefore made just before it; a name in a
    # comment is not a reading.
    assert _build_order({"alpha": "select * from zeta", "zeta": "select 1", "beta": "select 2"}) == ["zeta", "alpha", "beta"]
    assert _build_order({"alpha": "-- unlike zeta\nselect 1", "zeta": "select 1"}) == ["alpha", "zeta"]
