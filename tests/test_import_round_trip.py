"""Round trip: the sample county exported as its own system would (CSV), imported with the shipped
mapping (child and family IDs replaced by salted hashes), shows the same figures on every page.

Each page is run with AppTest on the committed sample county and on the imported extract; every
text, table cell, metric and chart must be the same, except what the mapping states about the
extract itself (its folder and notes). The Excel export is checked table by table in
test_build_extract.py (same rows as the original), which makes its pages the same too.
"""

from __future__ import annotations

import json

import pytest

from sample_data.export import export
from scrutiny.build_extract import build
from scrutiny.extract import DEFAULT_DATA_DIR, REPO_ROOT
from scrutiny.mapping import load_mapping
from tests.e2e.registry import PAGES
from tests.e2e.walk import figures, visible_text
from tests.helpers import open_app


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    exports = tmp_path_factory.mktemp("wealdshire-export")
    export(DEFAULT_DATA_DIR, exports)
    out = tmp_path_factory.mktemp("wealdshire-import") / "extract"
    result = build(exports, out, load_mapping(REPO_ROOT / "mappings" / "wealdshire.yaml"), salt="round trip")
    assert result.written, [p.message for p in result.errors]
    assert [p.message for p in result.problems] == [p.message for p in _sample_problems()]
    info = json.loads((out / "extract.json").read_text(encoding="utf-8"))
    assert info["pseudonymised"]["columns"] == ["children.child_id", "children.family_id", "attendances.child_id"]
    return out


def _sample_problems():
    from scrutiny.extract import open_extract
    from scrutiny.validation import validate

    opened = open_extract(DEFAULT_DATA_DIR, summaries_on_disk=False)
    try:
        return validate(opened)
    finally:
        opened.connection.close()


def _page_seen(page, monkeypatch, folder) -> tuple[str, list]:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    at = open_app(page.script)
    assert not at.exception, (page, [e.message for e in at.exception])
    notes = json.loads((folder / "extract.json").read_text(encoding="utf-8"))["notes"]
    lines = [line for line in visible_text(at).splitlines() if "Extract folder" not in line and line != notes]
    return "\n".join(lines), figures(at)


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_page_shows_the_same_figures_after_the_round_trip(page, imported, monkeypatch):
    original_text, original_figures = _page_seen(page, monkeypatch, DEFAULT_DATA_DIR)
    imported_text, imported_figures = _page_seen(page, monkeypatch, imported)
    assert imported_text == original_text
    assert imported_figures == original_figures
