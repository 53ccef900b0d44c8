"""The Word pack is ready to circulate: A4, landscape for wide tables, a chart for every section
that shows one on screen (with a key for its markers), absolute links, page numbers, a contents
list, and a plain sentence (never the database's own words) where a section cannot be built."""

from __future__ import annotations

import io
import logging

import pandas as pd
import plotly.graph_objects as go
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from scrutiny import evidence, queries
from scrutiny.filters import Filters
from tests.test_findings import HOURS, _busy_extract, _comments

ADDRESS = "https://scrutiny.example.gov.uk"
A4 = (210, 297)


def _millimetres(section) -> tuple[int, int]:
    return round(section.page_width.mm), round(section.page_height.mm)


def _wide_pack() -> evidence.Pack:
    narrow = pd.DataFrame({"Centre": ["Eastfield"], "Reach": ["19%"]})
    wide = pd.DataFrame([[f"cell {i}" for i in range(12)]], columns=[f"Column {i}" for i in range(12)])
    changes = pd.DataFrame({"changed_on": [pd.Timestamp("2023-04-01")], "title": ["Hub opening hours cut"]})
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    section = evidence.Section("reach", "Reach", [
        evidence.Bullets([evidence.Linked("Why so few reached?", "/reach?period=2023-24&centre=C2"), "A plain point."]),
        evidence.Table("Narrow", narrow),
        evidence.Chart("With markers", figure, "A sentence.", key=evidence.charts.service_change_caption(changes)),
        evidence.Table("Wide", wide),
        "After the wide table.",
    ], ["a source"])
    return evidence.Pack("Pack", "Testshire County Council", None, "financial year 2023-24", [section],
                         evidence.standard_caveats(5), link="/evidence?period=2023-24", address=ADDRESS + "/")


def test_word_pack_is_a4_with_the_wide_table_on_a_landscape_page():
    document = Document(io.BytesIO(evidence.to_docx(_wide_pack())))
    sizes = [(_millimetres(s), s.orientation) for s in document.sections]
    # Portrait A4, then a landscape A4 page for the 12-column table alone, then portrait A4 again.
    assert sizes == [(A4, WD_ORIENT.PORTRAIT), (A4[::-1], WD_ORIENT.LANDSCAPE), (A4, WD_ORIENT.PORTRAIT)]
    landscape_table = document.tables[1]
    assert len(landscape_table.columns) == 12
    body = document.element.body
    # The wide table sits between the second section break and the third.
    breaks = [i for i, el in enumerate(body.iterchildren()) if el.find(".//{*}sectPr") is not None]
    position = list(body.iterchildren()).index(landscape_table._tbl)
    assert breaks[0] < position < breaks[1]


def test_word_pack_has_page_numbers_a_contents_list_links_and_keys():
    data = evidence.to_docx(_wide_pack())
    document = Document(io.BytesIO(data))
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])
    body = document.element.body.xml
    assert 'TOC \\o "1-1"' in body and "w:updateFields" in document.settings.element.xml
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("Contents") + 1:texts.index("Contents") + 5] == ["Reach", "Sources", "Definitions", "Caveats"]
    links = sorted(r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink"))
    assert links == [f"{ADDRESS}/evidence?period=2023-24", f"{ADDRESS}/reach?period=2023-24&centre=C2"]
    assert "Why so few reached? Open this view in the dashboard" in texts
    assert "Dashboard view: /" not in "\n".join(texts)
    # The chart's numbered marker has its key under it.
    assert "Service changes marked on the chart: (1) Apr 2023: Hub opening hours cut." in texts


def test_html_pack_has_a_contents_list_absolute_links_and_a4_print_pages():
    page = evidence.to_html(_wide_pack())
    assert '<a href="#reach">Reach</a>' in page and '<a href="#caveats">Caveats</a>' in page
    assert f'<a href="{ADDRESS}/reach?period=2023-24&amp;centre=C2">Open this view in the dashboard</a>' in page
    assert "@page { size: A4 portrait" in page and '<div class="wide"><h3>Wide</h3>' in page
    assert "Service changes marked on the chart: (1) Apr 2023" in page


def test_every_section_with_a_chart_on_screen_has_it_in_word(make_extract):
    """An extract where each page draws its chart: a busy site and a quiet one with reach figures
    (the Footfall scatter), and 16 comments from parents and carers (the Feedback themes chart)."""
    rows = [("parent_carer", "L1", "library", HOURS, "negative")] * 8 + [("parent_carer", "C1", "children_centre", HOURS, "positive")] * 8

    def with_comments(**tables):
        return make_extract(feedback=_comments(rows), **tables)

    _busy_extract(with_comments, c1_visits=400)
    pack = evidence.build_pack(Filters(year=2023), list(evidence.SECTIONS), [], address=ADDRESS)
    with_charts = {s.key for s in pack.sections if s.charts()}
    assert with_charts == {"reach", "gap", "footfall", "feedback"}
    if not evidence.chromium_available():
        pytest.skip("no Chromium here to draw the charts as pictures")
    images = evidence.chart_images([c.figure for c in pack.charts()])
    document = Document(io.BytesIO(evidence.to_docx(pack, images)))
    # Reach two (every group against the thresholds, as the page opens; children missed by district), gap one,
    # feedback one, footfall three (the scatter, the trend and the site types).
    assert [s.key for s in pack.sections for _ in s.charts()].count("footfall") == 3
    assert [s.key for s in pack.sections for _ in s.charts()].count("reach") == 2
    assert len(document.inline_shapes) == len(pack.charts()) == 7
    assert all(_millimetres(s) in (A4, A4[::-1]) for s in document.sections)
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links and all(link.startswith(ADDRESS + "/") for link in links)


def test_a_section_that_cannot_be_built_says_so_plainly_and_logs_the_database_error(tiny, monkeypatch, caplog):
    def broken(filters):
        raise queries.QueryError('Binder Error: Values list "f" does not have a column named "visits"')

    monkeypatch.setitem(evidence.SECTION_BUILDERS, "footfall", broken)
    with caplog.at_level(logging.WARNING, logger=evidence.log.name):
        section = evidence.section_from_extract.__wrapped__("footfall", Filters(year=2023)) \
            if hasattr(evidence.section_from_extract, "__wrapped__") else evidence.section_from_extract("footfall", Filters(year=2023))
    words = " ".join(b for b in section.blocks if isinstance(b, str))
    assert words.startswith("This section could not be built from this extract: a table it needs has a problem.")
    assert "Binder" not in words and "visits" not in words
    assert "Binder Error" in caplog.text
