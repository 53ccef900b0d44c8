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
