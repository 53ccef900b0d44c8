"""Validation: each kind of bad input gives a sentence naming the table, column and example rows,
and the pages whose tables are sound keep working."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import pytest

from scrutiny.extract import open_extract, read_extract_info
from scrutiny.validation import validate
from tests import tiny_extract
from tests.helpers import errors, open_app, texts


def problems_in(folder):
    return validate(open_extract(folder))


def the_problem(folder, table, column=None):
    found = [p for p in problems_in(folder) if p.table == table and (column is None or p.column == column)]
    assert found, f"no problem reported for {table}.{column}"
    return found[0]


def changed(table: str, **columns) -> pd.DataFrame:
    frame = tiny_extract.tables()[table]
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_clean_tiny_extract_has_no_problems(tiny_dir):
    assert problems_in(tiny_dir) == []


def test_missing_required_table(make_extract):
    folder = make_extract(children=None)
    problem = the_problem(folder, "children")
    assert problem.is_error
    assert problem.message == "The children table is missing: the extract has no children.parquet file or children/ folder."


def test_missing_optional_table_is_not_a_problem(make_extract):
    folder = make_extract(benchmarks=None, service_changes=None)
    assert problems_in(folder) == []


def test_missing_column(make_extract):
    folder = make_extract(centres=tiny_extract.tables()["centres"].drop(columns=["district"]))
    problem = the_problem(folder, "centres", "district")
    assert problem.is_error and problem.message == "The centres table has no district column (VARCHAR expected)."


def test_extra_column_is_a_warning(make_extract):
    folder = make_extract(centres=changed("centres", manager=["a", "b", "c", "d"]))
    problem = the_problem(folder, "centres", "manager")
    assert not problem.is_error and "(manager)" in problem.message and "ignored" in problem.message


def test_wrong_type(make_extract):
    folder = make_extract(areas=changed("areas", imd_decile=["two", "eight", "five", "three", "one"]))
    problem = the_problem(folder, "areas", "imd_decile")
    assert problem.message == "In the areas table, column imd_decile is VARCHAR but should be INTEGER."


def test_pandas_integer_and_timestamp_types_are_accepted(make_extract, tmp_path):
    # A council writing parquet from pandas gets BIGINT, TIMESTAMP, and DOUBLE for a whole-number
    # column with gaps (new_registrations has a null): those read the same way.
    folder = make_extract()
    frame = tiny_extract.tables()["footfall"]
    frame["visits"] = frame["visits"].astype("int64")
    frame["month"] = pd.to_datetime(frame["month"])
    tiny_extract.write_table(folder, "footfall", frame, typed=False)
    assert problems_in(folder) == []


def test_null_in_required_column_names_example_rows(make_extract):
    folder = make_extract(centres=changed("centres", centre_name=["Eastfield", None, "Old Mill", None]))
    problem = the_problem(folder, "centres", "centre_name")
    assert problem.message == (
        "The centres table has 2 rows with no centre_name, which is required, for example "
        "row 2 (centre_id=C2, centre_name=null); row 4 (centre_id=L1, centre_name=null)."
    )


def test_duplicate_keys(make_extract):
    centres = tiny_extract.tables()["centres"]
    folder = make_extract(centres=pd.concat([centres, centres.iloc[[0]]]))
    problem = the_problem(folder, "centres", "centre_id")
    assert problem.is_error
    assert "repeats the same centre_id 1 time over" in problem.message and "centre_id=C1 (2 times)" in problem.message


def test_duplicate_cells_in_a_table_without_a_single_key(make_extract):
    footfall = tiny_extract.tables()["footfall"]
    folder = make_extract(footfall=pd.concat([footfall, footfall.iloc[[0]]]))
    problem = the_problem(folder, "footfall")
    assert "combination of centre_id, month" in problem.message


def test_code_outside_the_list(make_extract):
    folder = make_extract(centres=changed("centres", site_type=["children_centre", "family_hub", "childrens centre", "library"]))
    problem = the_problem(folder, "centres", "site_type")
    assert problem.message == (
        "The centres table has 1 row with a site_type outside the allowed codes "
        "(children_centre, family_hub, library, outreach), for example row 3 (centre_id=C3, site_type=childrens centre)."
    )


def test_reference_to_unknown_area_is_a_warning_with_its_consequence(make_extract):
    children = tiny_extract.tables()["children"]
    children.loc[0, "area_code"] = "Z99"
    folder = make_extract(children=children)
    problem = the_problem(folder, "children", "area_code")
    assert not problem.is_error
    assert "1 row whose area_code is not a area_code in the areas table" in problem.message
    assert "treated as living outside the authority" in problem.message and "child_id=K1" in problem.message


def test_reference_to_unknown_centre(make_extract):
    attendances = tiny_extract.tables()["attendances"]
    attendances.loc[0, "centre_id"] = "GONE"
    folder = make_extract(attendances=attendances)
    problem = the_problem(folder, "attendances", "centre_id")
    assert "centre_id=GONE" in problem.message


def test_negative_count(make_extract):
    population = tiny_extract.tables()["population"]
    population.loc[0, "children"] = -3
    folder = make_extract(population=population)
    problem = the_problem(folder, "population", "children")
    assert problem.is_error and "1 row with a negative children" in problem.message and "children=-3" in problem.message


def test_zero_denominator(make_extract):
    outcomes = tiny_extract.tables()["outcomes"]
    outcomes.loc[0, "denominator"] = 0
    folder = make_extract(outcomes=outcomes)
    problem = the_problem(folder, "outcomes", "denominator")
    assert problem.is_error and "1 row with a zero or negative denominator" in problem.message


def test_date_outside_2000_to_2100(make_extract):
    children = tiny_extract.tables()["children"]
    children.loc[1, "birth_month"] = date(1900, 1, 1)
    folder = make_extract(children=children)
    problem = the_problem(folder, "children", "birth_month")
    assert "outside 2000-2100" in problem.message and "child_id=K2" in problem.message


@pytest.mark.parametrize("content", [b"", b"PAR1 this is not parquet", None])
def test_unreadable_or_truncated_parquet(make_extract, content):
    folder = make_extract()
    path = folder / "feedback.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if content is None else content)
    problem = the_problem(folder, "feedback")
    assert problem.is_error and problem.message.startswith("The feedback table (feedback.parquet) could not be read as parquet")


def test_broken_extract_json_gives_defaults_and_a_sentence(make_extract):
    folder = make_extract(info={"authority": "Testshire", "suppression_threshold": "ten"})
    info = read_extract_info(folder)
    assert info.suppression_threshold == 5
    assert info.problems == ["extract.json: suppression_threshold 'ten' is not a whole number of 1 or more; the default of 5 is used."]


def test_partitioned_table_folder_is_read(make_extract):
    folder = make_extract(attendances=None)
    frame = tiny_extract.tables()["attendances"]
    (folder / "attendances").mkdir()
    for i, part in enumerate((frame.iloc[:5], frame.iloc[5:])):
        tiny_extract.write_table(folder / "attendances", f"part-{i}", part)
    # write_table names files after the table argument; the folder holds part-0.parquet and part-1.parquet.
    assert problems_in(folder) == []
    extract = open_extract(folder)
    assert extract.connection.execute("select count(*) from attendances").fetchone()[0] == len(frame)


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_broken_table_stops_only_the_pages_that_use_it(make_extract):
    folder = make_extract(children=changed("children", registered_on=["not a date"] * 10))
    before = digest(folder)
    overview = open_app("pages/overview.py")
    assert not errors(overview)
    assert "In the children table, column registered_on is VARCHAR but should be DATE." in texts(overview)
    gap = open_app("pages/gap.py")
    assert not errors(gap) and "column registered_on" not in texts(gap)
    about = open_app("pages/data.py")
    assert "In the children table, column registered_on is VARCHAR but should be DATE." in texts(about)
    assert digest(folder) == before, "the dashboard must never write to the extract"


def test_fractional_values_in_an_integer_column_are_a_wrong_type(make_extract):
    folder = make_extract()
    frame = tiny_extract.tables()["footfall"]
    frame["visits"] = [120.5, 80.0, 45.0, 300.0]
    tiny_extract.write_table(folder, "footfall", frame, typed=False)
    problem = the_problem(folder, "footfall", "visits")
    assert problem.message == "In the footfall table, column visits is DOUBLE but should be INTEGER."
