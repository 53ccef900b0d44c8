"""The evidence pack: one content model, rendered to Word and to one offline HTML file, and the page that offers them."""

import io
import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from docx import Document
from plotly.offline import get_plotlyjs

from scrutiny import evidence, stats
from scrutiny.cell_safety import neutralise_frame
from scrutiny.filters import Filters
from tests.helpers import open_app, read_download

QUOTES = [
    {"response_id": "R3", "consultation": "Review 2023", "respondent_type": "staff", "site": "O'Brien & Sons Family Hub",
     "quote": "We are not joined up with the library team; referrals get lost.", "themes": ["joined_up_working"],
     "sentiment": "negative"},
    {"response_id": "R4", "consultation": "Review 2023", "respondent_type": "volunteer", "site": "Eastfield Children's Centre",
     "quote": "My name is [name], call me on [phone] or [email].", "themes": [], "sentiment": None},
]


def docx_text(data: bytes) -> tuple[str, list[str]]:
    """All paragraph text, and every table cell, of a Word file."""
    document = Document(io.BytesIO(data))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return paragraphs, cells


def hand_made_pack(charts: int = 2) -> evidence.Pack:
    # A table with a count of 3 (below the threshold of 5): suppress_counts turns it into c before it reaches the pack.
    counts = stats.suppress_counts(pd.DataFrame({"Centre": ["Eastfield", "Brook"], "Reached": [3, 12]}), ["Reached"], 5)
    figures = [evidence.Chart(f"Chart {i}", go.Figure(go.Bar(x=["a", "b"], y=[i, 2], name=f"series-{i}")), f"Sentence for chart {i}.")
               for i in range(1, charts + 1)]
    section = evidence.Section("reach", "Reach", ["Reach is low.", evidence.Table("Reach by centre", counts), *figures],
                               ["children and population tables"])
    return evidence.Pack("Pack title", "Testshire County Council", None, "financial year 2023-24",
                         [section], evidence.standard_caveats(5))


# --- Word -------------------------------------------------------------------------------------------

def test_word_file_holds_the_chosen_sections_and_no_suppressed_count(tiny):
    pack = evidence.build_pack(Filters(year=2023), ["findings", "feedback"], QUOTES, link="/evidence?period=2023-24")
    assert [s.key for s in pack.sections] == ["findings", "feedback"]
    paragraphs, cells = docx_text(evidence.to_docx(pack, images=None))
    assert "Authority: Testshire County Council" in paragraphs
    assert "Extract date: 30 June 2024" in paragraphs
    assert "Filters: financial year 2023-24" in paragraphs
    assert "Lines of enquiry" in paragraphs and "What parents, staff and volunteers said" in paragraphs
    assert "Reach: who is reached" not in paragraphs  # not chosen
    # The finding from tests/test_findings.py: 5 of an estimated 26 (19%, 9-38%).
    assert "5 of an estimated 26" in paragraphs
    # Many comparisons: how many figures the rules tested, as the overview says it.
    assert "The rules tested " in paragraphs and "false discovery rate (Benjamini-Hochberg)" in paragraphs
    assert "We are not joined up with the library team; referrals get lost." in cells
    for heading in ("Sources", "Definitions", "Caveats"):
        assert heading in paragraphs.splitlines()
    assert "ecological fallacy" in paragraphs
    assert "Good level of development: figures from 2021 on are not comparable" in paragraphs
    # C1 reached 3 of 15 and C2 2 of 9 in 2023-24: neither count may appear.
    assert not re.search(r"\b[1-4] of\b", paragraphs)
    assert not any(re.fullmatch(r"[1-4]", c) for c in cells)


def test_every_section_in_word_hides_the_small_counts(tiny):
    # Reach of the 30% most deprived in 2023-24: Eastfield reached 3 of 10 (K1 K2 K3), O'Brien & Sons 1 of 3,
    # Old Mill 0 of 2. The reach table must show c for 3 and 1 (and for the populations 3 and 2), never the count.
    # Eastfield's population of 10 is hidden too: Northdale's 12 (shown when the Reach page is rolled up by
    # district) less Old Mill's 2 would give it, and with it Old Mill's 2, away (the disclosure plan's
    # complementary suppression).
    pack = evidence.build_pack(Filters(year=2023), list(evidence.SECTIONS), QUOTES)
    paragraphs, cells = docx_text(evidence.to_docx(pack))
    for section in evidence.SECTIONS.values():
        assert section in paragraphs
    document = Document(io.BytesIO(evidence.to_docx(pack)))
    reach_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Centre")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in reach_table.rows[1:]}
    header = [c.text for c in reach_table.rows[0].cells]
    eastfield = dict(zip(header, rows["Eastfield Children's Centre"]))
    assert (eastfield["Population"], eastfield["Reached"], eastfield["Reach %"]) == ("c", "c", "c")
    assert dict(zip(header, rows["O'Brien & Sons Family Hub"]))["Reached"] == "c"
    assert not any(re.fullmatch(r"[1-4]", c) for c in cells)
    assert not re.search(r"\b[1-4] of\b", paragraphs)


def test_word_table_shows_c_never_the_count():
    paragraphs, cells = docx_text(evidence.to_docx(hand_made_pack(), images=None))
    assert cells == ["Centre", "Reached", "Eastfield", "c", "Brook", "12"]
    assert "3" not in cells
    # No pictures were given: the document says where the charts are, and keeps each chart's sentence.
    assert "The charts are in the HTML version of this pack" in paragraphs
    assert "[Chart in the HTML version] Sentence for chart 2." in paragraphs


def test_word_file_with_chart_pictures():
    if not evidence.chromium_available():
        pytest.skip("no Chromium here to draw charts with")
    pack = hand_made_pack()
    images = evidence.chart_images([c.figure for c in pack.charts()])
    assert images is not None and all(i.startswith(b"\x89PNG") for i in images)
    document = Document(io.BytesIO(evidence.to_docx(pack, images)))
    assert len(document.inline_shapes) == 2
    assert "The charts are in the HTML version" not in "\n".join(p.text for p in document.paragraphs)


def test_chart_pictures_fall_back_cleanly_without_a_browser(monkeypatch):
    monkeypatch.setattr(evidence, "chromium_available", lambda: False)
    assert evidence.chart_images([go.Figure()]) is None
    assert evidence.chart_images([]) == []


# --- HTML -------------------------------------------------------------------------------------------

def test_html_embeds_plotly_once_and_every_chart():
    page = evidence.to_html(hand_made_pack(charts=3))
    assert page.count(get_plotlyjs()) == 1
    assert page.count("plotly.js v") == 1  # the library's own banner: not repeated per chart
    for i in (1, 2, 3):
        assert f'id="chart-{i}"' in page and f"series-{i}" in page
    # Offline: nothing is loaded from elsewhere.
    assert not re.search(r"<script[^>]+src=", page)
    assert "cdn." not in page.replace(get_plotlyjs(), "").lower()
    assert "<td>c</td>" in page and "<td>3</td>" not in page


def test_html_escapes_text():
    pack = hand_made_pack(charts=0)
    pack.sections[0].blocks.append("<script>alert(1)</script> & O'Brien")
    page = evidence.to_html(pack)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; O&#x27;Brien" in page


def test_html_and_word_come_from_the_same_model(tiny):
    pack = evidence.build_pack(Filters(year=2023), ["findings", "feedback"], QUOTES)
    paragraphs, _ = docx_text(evidence.to_docx(pack))
    page = evidence.to_html(pack)
    for section in pack.sections:
        assert section.heading in paragraphs and section.heading in page
        for block in section.blocks:
            if isinstance(block, str):
                assert block in paragraphs
                assert evidence.html.escape(block) in page


# --- The page -----------------------------------------------------------------------------------------

def test_page_prepares_both_files(tiny, downloads):
    at = open_app("pages/evidence.py")
    at.session_state["evidence_quotes"] = QUOTES
    at.checkbox[0].uncheck()
    at.button[0].click().run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(re.fullmatch(r"Download Word document \(\.docx, [\d.]+ KB\)", label) for label in labels)
    assert any(re.fullmatch(r"Download HTML file \(\.html, [\d.]+ MB\)", label) for label in labels)
    paragraphs, cells = docx_text(downloads["evidence-pack-2023-24.docx"])
    assert "Lines of enquiry" in paragraphs
    assert "My name is [name], call me on [phone] or [email]." in cells


def test_csv_download_equals_the_displayed_table(tiny, downloads):
    at = open_app("pages/evidence.py")
    at.session_state["evidence_quotes"] = QUOTES
    # open_app first draws the overview, whose lines-of-enquiry table has a download of its own.
    downloads.clear()
    at.run()
    csvs = [name for name in downloads if name and name.endswith(".csv")]
    buttons = at.get("download_button")
    # Every table on the page has its own download, in the same order.
    assert len(at.dataframe) == len(buttons) == len(csvs) >= 5
    for frame, button, name in zip(at.dataframe, buttons, csvs):
        downloaded, about = read_download(downloads[name])
        assert "Testshire County Council data extract of 30 June 2024" in about
        if name == "quotes-marked-for-the-committee.csv":  # comments have no financial year
            assert "Filters: none." in about
        else:
            assert "Filters: financial year 2023-24." in about and name.endswith("2023-24.csv"), name
        # As shown, with text a spreadsheet would read as a formula ("-1.7 to 12.1") behind an apostrophe.
        shown = neutralise_frame(frame.value.reset_index(drop=True).astype(str).replace({"nan": "", "None": ""}))
        pd.testing.assert_frame_equal(downloaded, shown, check_dtype=False)
        assert re.fullmatch(r"Download this table as CSV \([\d.]+ (bytes|KB)\)", button.proto.label)
    quotes, about = read_download(downloads["quotes-marked-for-the-committee.csv"])
    assert about.startswith("Quotes marked for the committee.") and "Filters: none." in about
    assert "2023-24" not in about and quotes["What they said"].str.contains("referrals get lost").any()
