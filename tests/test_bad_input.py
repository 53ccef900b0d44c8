"""Bad input, from the extract and from the URL, across every page registered in dashboard.py.

Each broken extract is built by the test from the tiny one. For each, every page
runs (AppTest, with DASHBOARD_DEBUG so that an unexpected exception fails the
test instead of hiding behind the polite message) and must:
- give the user a sentence: a page that needs the broken table says which table
  is broken; the About the data page names the problem;
- leave the pages whose tables are sound working;
- never show a traceback or a raw database error;
- never write to the extract: every file is byte-identical afterwards, and no file is added.

The one-test-per-rule checks of the validation messages are in test_validation.py;
this suite checks what a user sees on every page.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scrutiny.contract import PAGE_TABLES
from tests import tiny_extract
from tests.e2e.registry import PAGES
from tests.e2e.walk import html_bodies, run_page, visible_text, widget_keys

D = date.fromisoformat
# Words from DuckDB's own error classes: a user should read a sentence, not these.
ENGINE_WORDS = ("Binder Error", "Catalog Error", "Conversion Error", "Parser Error", "Invalid Input Error",
                "Out of Range Error", "Traceback", "duckdb.", "Exception:")


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def with_column(table: str, **columns) -> pd.DataFrame:
    """The tiny table with whole columns set to one value (so it survives new rows in the tiny extract)."""
    frame = tiny_extract.tables()[table]
    for name, values in columns.items():
        frame[name] = values
    return frame


def with_rows(table: str, *rows) -> pd.DataFrame:
    frame = tiny_extract.tables()[table]
    return pd.concat([frame, pd.DataFrame(list(rows), columns=frame.columns)], ignore_index=True)


def truncate(name: str):
    def damage(folder: Path) -> None:
        path = folder / f"{name}.parquet"
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return damage


def scramble(name: str):
    """Overwrites the middle of the file (the column data) while keeping the PAR1 magic bytes at both ends."""
    def damage(folder: Path) -> None:
        path = folder / f"{name}.parquet"
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle - 200: middle + 200] = bytes((i * 37) % 256 for i in range(400))
        path.write_bytes(bytes(data))
    return damage


def typed_empty(table: str) -> pd.DataFrame:
    return tiny_extract.tables()[table].iloc[0:0]


# (case, overrides for the tiny extract, damage done to the written files, the table
#  that becomes unusable (None when the figures still stand), words the About the data page shows)
CASES = [
    ("missing required table", dict(children=None), None, "children", "The children table is missing"),
    ("missing column", dict(centres=tiny_extract.tables()["centres"].drop(columns=["district"])), None,
     "centres", "The centres table has no district column"),
    ("extra column", dict(feedback=with_column("feedback", postcode="AB1 2CD")), None, None,
     "columns the contract does not name (postcode)"),
    ("wrong type", dict(areas=with_column("areas", imd_decile="two")), None,
     "areas", "column imd_decile is VARCHAR but should be INTEGER"),
    # The per-child attendance summary made when the extract opens cannot be counted from text dates.
    ("dates written as text", dict(attendances=with_column("attendances", attended_on="2023-05-01")), None,
     "attendances", "column attended_on is VARCHAR but should be DATE"),
    ("null in a required column", dict(attendances=with_column("attendances", tier=None)), None,
     "attendances", "with no tier, which is required"),
    ("duplicate key", dict(centres=with_rows("centres", ("C1", "Duplicate", "children_centre", None, None, "Northdale", None, None, None, None))),
     None, "centres", "repeats the same centre_id"),
    ("code outside the list", dict(attendances=with_column("attendances", tier="premium")), None,
     "attendances", "outside the allowed codes"),
    ("reference to an unknown centre", dict(attendances=with_rows("attendances", ("K1", "ZZ9", D("2023-05-02"), "Stay and play", "universal"))),
     None, None, "is not a centre_id in the centres table"),
    ("reference to an unknown area", dict(children=with_rows("children", ("K11", None, "A99", "C1", D("2022-01-01"), D("2021-01-01"), []))),
     None, None, "treated as living outside the authority"),
    ("negative count", dict(population=with_rows("population", ("A3", 2023, "lone_parent", -3))), None,
     "population", "negative children"),
    ("denominator of zero", dict(outcomes=with_rows("outcomes", ("gld", "district", "Northdale", 2022, "fsm_status", "fsm", 0, 0))),
     None, "outcomes", "zero or negative denominator"),
    ("date outside 2000-2100", dict(attendances=with_rows("attendances", ("K1", "C1", D("1900-01-01"), "Stay and play", "universal"))),
     None, None, "outside 2000-2100"),
    ("truncated parquet", {}, truncate("attendances"), "attendances", "could not be read as parquet"),
    ("corrupted parquet", {}, scramble("outcomes"), "outcomes", "outcomes"),
    ("empty file", {}, lambda f: (f / "feedback.parquet").write_bytes(b""), "feedback", "could not be read as parquet"),
    ("no attendances at all", dict(attendances=typed_empty("attendances")), None, None, "attendances table has no rows"),
    ("no centres at all", dict(centres=typed_empty("centres")), None, None, None),
    ("no population at all", dict(population=typed_empty("population")), None, None, None),
    ("a centre with no areas", dict(
        centres=with_rows("centres", ("C4", "Hilltop Family Hub", "family_hub", "North", "Acme Trust", "Northdale", D("2023-01-01"), None, None, None)),
        attendances=with_rows("attendances", ("K1", "C4", D("2023-09-09"), "Stay and play", "universal")),
        footfall=with_rows("footfall", ("C4", D("2023-04-01"), 50, 1, 4)),
    ), None, None, None),
]


@pytest.mark.parametrize(
    "overrides, damage, broken, message",
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_broken_extract_gives_sentences_on_every_page(make_extract, overrides, damage, broken, message):
    folder = make_extract(**overrides)
    if damage:
        damage(folder)
    before = fingerprint(folder)
    for page in PAGES:
        at = run_page(page)
        where = f"{page.url_path} page"
        assert not at.exception, f"{where}: {[e.message for e in at.exception]}"
        shown = visible_text(at)
        for word in ENGINE_WORDS:
            assert word not in shown or page.name == "data" or (broken and f"The {broken} table" in shown), \
                f"{where} shows {word!r} to the user:\n{shown[:2000]}"
        # A page still marked "coming soon" draws no figures, so it has nothing to stop.
        built = "Coming soon" not in shown
        needs_broken = built and broken is not None and broken in PAGE_TABLES.get(page.name, ())
        if needs_broken:
            errors = " ".join(str(e.value) for e in at.error)
            assert broken in errors, f"{where} needs the {broken} table but does not say it is broken: {errors!r}"
        elif broken is not None:
            assert "cannot show its figures" not in shown, f"{where} does not need {broken} but stopped"
        if page.name == "data" and message:
            assert message in shown, f"About the data does not explain: {message!r}"
    assert fingerprint(folder) == before, "the dashboard changed or added a file in the extract"


def test_an_empty_or_absent_extract_folder_gives_sentences(tmp_path, monkeypatch):
    for folder in (tmp_path / "empty", tmp_path / "not-there"):
        if folder.name == "empty":
            folder.mkdir()
        monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
        for page in PAGES:
            at = run_page(page)
            assert not at.exception, f"{folder.name} extract, {page.url_path}: {[e.message for e in at.exception]}"
            assert visible_text(at).strip()
        assert not folder.exists() or list(folder.iterdir()) == []


# Names a council really has (Welsh, Polish, Arabic, Chinese), with apostrophes, ampersands
# and characters that mean something to markdown, HTML and SQL.
ODD_NAMES = {
    "C1": ("St Mary's & St John's Children's Centre", "Ynys Môn & Gwynedd", "O'Neill's *Cluster*", "Łódź & Ţara <Trust>"),
    "C2": ("مركز الأطفال [link](http://example.org)", "Żółć_District", "Cluster 100% \"Quoted\"", "儿童中心 & Co; DROP TABLE centres"),
}


def odd_named_extract(make_extract) -> Path:
    centres = tiny_extract.tables()["centres"]
    areas = tiny_extract.tables()["areas"]
    for cid, (name, district, cluster, agency) in ODD_NAMES.items():
        old = centres.loc[centres.centre_id == cid, "district"].iloc[0]
        centres.loc[centres.centre_id == cid, ["centre_name", "district", "cluster", "lead_agency"]] = [name, district, cluster, agency]
        areas.loc[areas.district == old, "district"] = district
        centres.loc[centres.district == old, "district"] = district
    feedback = tiny_extract.tables()["feedback"]
    # A 10,000-character comment, one with markup in it, and one in Welsh.
    feedback.loc[0, "comment"] = ("The centre is a lifeline for us and the staff know every family by name. " * 140)[:10_000]
    feedback.loc[1, "comment"] = "<script>alert('x')</script> **bold** | pipe | `code` ![img](x.png) O'Brien & Sons"
    feedback.loc[2, "comment"] = "Mae'r staff yn gyfeillgar iawn ac mae'r sesiynau'n wych."
    return make_extract(centres=centres, areas=areas, feedback=feedback)


@pytest.mark.parametrize("cid", list(ODD_NAMES))
def test_odd_names_and_long_comments_work_on_every_page_and_in_links(make_extract, cid):
    folder = odd_named_extract(make_extract)
    before = fingerprint(folder)
    name, district, cluster, agency = ODD_NAMES[cid]
    for page in PAGES:
        at = run_page(page, {"district": district, "cluster": cluster, "lead_agency": agency})
        assert not at.exception, f"{page.url_path}: {[e.message for e in at.exception]}"
        # Read from the session: after switch_page, AppTest drops the sidebar's elements from its tree.
        chosen = {key: at.session_state[key] for key in ("district", "cluster", "lead_agency")}
        assert chosen == {"district": district, "cluster": cluster, "lead_agency": agency}, page.url_path
        for body in html_bodies(at):
            assert "<script" not in body and "<Trust>" not in body, f"{page.url_path} renders extract text as HTML: {body[:300]}"
    assert fingerprint(folder) == before


HOSTILE = {
    "sql": "'; DROP TABLE centres; --",
    "sql_union": "x' UNION SELECT * FROM read_csv('/etc/passwd') --",
    "html": "<b>bold</b><img src=x onerror=alert(1)>",
    "script": "<script>alert(document.cookie)</script>",
    "markdown": "[click me](javascript:alert(1)) **loud** $x^2$",
    "long": "A" * 5000,
    "control": "\u202e\u0000\ttab",
    "number": "-99999999999999999999",
}


_KEYS: dict[str, set[str]] = {}
_FREE_TEXT: dict[str, set[str]] = {}


@pytest.mark.parametrize("payload", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_hostile_url_parameters_fall_back_and_stay_inert(tiny, page, payload):
    """Every widget key the page has (sidebar filters and its own choices) set to hostile text in the URL."""
    if page.url_path not in _KEYS:  # found once per page, on the clean extract
        clean = run_page(page)
        _KEYS[page.url_path] = widget_keys(clean) | {"period", "district", "cluster", "lead_agency", "site_type"}
        # A free-text search box (the Feedback page's q) takes any text as data, by design:
        # it must stay inert (checked below), not be refused.
        _FREE_TEXT[page.url_path] = {el.key for el in clean.get("text_input") if el.key}
    keys = _KEYS[page.url_path]
    at = run_page(page, {key: payload for key in keys})
    assert not at.exception, [e.message for e in at.exception]
    for key in keys - _FREE_TEXT[page.url_path]:
        value = at.session_state[key] if key in at.session_state else None
        assert payload not in (value if isinstance(value, (list, tuple)) else [value]), \
            f"{page.url_path}: the {key} widget took the hostile value"
    for body in html_bodies(at):
        assert payload not in body and "<script" not in body and "onerror" not in body, body[:300]
    shown = visible_text(at)
    for word in ENGINE_WORDS:
        assert word not in shown, f"{page.url_path} shows {word!r}"
