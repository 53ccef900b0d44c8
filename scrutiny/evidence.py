"""The evidence pack: one content model, rendered to a Word document and to one HTML file.

A Pack holds sections; a section holds, in order, sentences, bullet lists,
tables (already suppressed: exactly what the dashboard shows) and plotly
charts, with the sources it rests on. Both renderers walk the same model, so
the Word and HTML versions cannot drift apart.

- Word (python-docx): charts become images when a Chromium is available for
  plotly's image export (kaleido); otherwise each chart's sentence stands in
  for it and the document says the charts are in the HTML version.
- HTML: one self-contained file that opens offline. plotly.js is embedded once
  in the head; each chart is a div drawn by it.
"""

from __future__ import annotations

import html
import io
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from scrutiny import charts, disclosure, queries
from scrutiny.cell_safety import word_text
from scrutiny.definitions import DEFINITIONS

log = logging.getLogger(__name__)

CHART_WIDTH_PX, CHART_HEIGHT_PX = 1000, 500
# A table with more columns than this goes on a landscape page (in Word and when the HTML is printed).
PORTRAIT_COLUMNS = 6


# --- The content model ------------------------------------------------------------------------------
# Blocks are frozen: a kept section's blocks are shared by every caller as they are (queries._copy_of),
# so nothing changes a block, its table or its figure once it is made.

@dataclass(frozen=True)
class Linked:
    """A bullet that ends with a link to the dashboard view showing it: `path` is the view's path and
    parameters (/reach?period=2023-24&...); the pack's address makes it absolute."""
    text: str
    path: str
    label: str = "Open this view in the dashboard"


@dataclass(frozen=True)
class Bullets:
    items: list[str | Linked]


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame  # as shown on the page: suppressed, labelled, rounded
    note: str = ""
    # Comments have no financial year: the table's download names no year.
    timeless: bool = False

    @property
    def wide(self) -> bool:
        """Too many columns to read on a portrait A4 page: it goes on a landscape page."""
        return len(self.frame.columns) > PORTRAIT_COLUMNS


@dataclass(frozen=True)
class Chart:
    title: str
    figure: go.Figure
    # The plain-English sentence that goes with the chart: its text alternative.
    description: str
    # What each marker means, where the chart's own legend does not say it (numbered service changes).
    key: str = ""


Block = str | Bullets | Table | Chart


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass
class Pack:
    title: str
    authority: str
    extracted_on: date | None
    filters: str
    sections: list[Section]
    caveats: list[str]
    link: str = ""
    definitions: list[tuple[str, str]] = field(default_factory=lambda: list(DEFINITIONS))
    # The dashboard's address (https://dashboard.example.gov.uk), to make each view's link absolute.
    address: str = ""
    prepared_on: date = field(default_factory=date.today)

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts()]

    @property
    def extract_date(self) -> str:
        return f"{self.extracted_on:%d %B %Y}" if self.extracted_on else "not stated"

    def sources(self) -> list[str]:
        return list(dict.fromkeys(s for section in self.sections for s in section.sources))

    def absolute(self, path: str) -> str:
        """A view's path as a link that opens from a document (the address is a setting: app_address)."""
        if "://" in path or not self.address:
            return path
        return self.address.rstrip("/") + "/" + path.lstrip("/")


def standard_caveats(threshold: int, breaks: list[str] | None = None) -> list[str]:
    """What every reader of the pack should keep in mind."""
    caveats = [
        f"Small numbers: counts from 1 to {threshold - 1}, and percentages resting on them, are shown as c so that "
        "no family can be identified, and so are some other cells that would give them away (a total less the "
        "other rows, say). Zero stays 0. Totals may therefore not add up.",
        *([f"WARNING: {disclosure.unsafe_threshold_warning(threshold)}"] if disclosure.unsafe_threshold_warning(threshold) else []),
        "Uncertainty: each percentage carries a 95% interval. A difference, a threshold or a trend is claimed only when "
        "the whole interval is on one side; otherwise the pack says there is no clear difference.",
        "Areas, not people: figures describe groups of children living in areas. A pattern across centres or areas "
        "says nothing certain about any one family or child (the ecological fallacy), and an association is not a cause.",
    ]
    for text in breaks or []:
        caveats.append(f"Comparability: {text}")
    return caveats


# --- Chart images (Word only) ------------------------------------------------------------------------

def chromium_available() -> bool:
    """Whether plotly's image export can run: kaleido installed and a Chromium on this machine."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    import os
    if os.environ.get("BROWSER_PATH") and Path(os.environ["BROWSER_PATH"]).is_file():
        return True
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def chart_images(figures: list[go.Figure]) -> list[bytes] | None:
    """PNG images of the figures, rendered in one Chromium session, or None when that cannot be done."""
    if not figures:
        return []
    if not chromium_available():
        return None
    try:
        import kaleido
        with tempfile.TemporaryDirectory() as folder:
            paths = [Path(folder) / f"chart_{i}.png" for i in range(len(figures))]
            jobs = [
                {"fig": fig, "path": str(path),
                 "opts": {"format": "png", "width": CHART_WIDTH_PX, "height": CHART_HEIGHT_PX, "scale": 1.5}}
                for fig, path in zip(figures, paths)
            ]
            # mathjax off: nothing is fetched from the internet while rendering.
            errors = kaleido.write_fig_from_object_sync(jobs, kopts={"mathjax": False, "timeout": 60})
            if errors or not all(p.is_file() for p in paths):
                log.warning("Chart images could not be rendered: %s", errors)
                return None
            return [p.read_bytes() for p in paths]
    except Exception:  # no usable browser, a sandbox refusal, a timeout: fall back to no images
        log.warning("Chart images could not be rendered", exc_info=True)
        return None


# --- Word ----------------------------------------------------------------------------------------

def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _page_setup(section, landscape: bool = False) -> None:
    """A4 (not Word's default US Letter), portrait or landscape, with 2 cm margins."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(20)


def _field_char(paragraph, kind: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(mark)


def _field_start(paragraph, instruction: str) -> None:
    """Opens a Word field (PAGE, NUMPAGES, TOC): Word works out its value; the runs until
    _field_char(..., "end") are what shows until it does."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _field_char(paragraph, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    _field_char(paragraph, "separate")


def _field(paragraph, instruction: str, shown: str) -> None:
    _field_start(paragraph, instruction)
    paragraph.add_run(shown)
    _field_char(paragraph, "end")


def _hyperlink(paragraph, url: str, text: str) -> None:
    """A real link (blue, underlined) that opens url from Word or LibreOffice."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, look = OxmlElement("w:r"), OxmlElement("w:rPr")
    for tag, value in (("w:color", "0B5394"), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        look.append(element)
    words = OxmlElement("w:t")
    words.set(qn("xml:space"), "preserve")
    words.text = word_text(text)
    run.append(look)
    run.append(words)
    link.append(run)
    paragraph._p.append(link)


def _contents(document, headings: list[str]) -> None:
    """A contents list: Word's own (with page numbers, filled in when Word asks to update the
    document's fields on opening), showing the section headings until then."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document.add_heading("Contents", level=1)
    paragraphs = [document.add_paragraph() for _ in headings or ["(no sections)"]]
    _field_start(paragraphs[0], 'TOC \\o "1-1" \\h \\z \\u')
    for paragraph, heading in zip(paragraphs, headings or ["(no sections)"]):
        paragraph.add_run(word_text(heading))
    _field_char(paragraphs[-1], "end")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def _page_numbers(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES", "1")


def to_docx(pack: Pack, images: list[bytes] | None = None) -> bytes:
    """The pack as a Word document on A4, with a contents list, page numbers, landscape pages for
    wide tables and links that open each view. images: one PNG per chart in pack order, or None for none."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Mm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    _page_setup(document.sections[0])
    _page_numbers(document.sections[0])  # later sections share the footer (linked to the previous one)

    t = word_text  # every text from the extract goes through it: XML forbids some control characters
    document.add_heading(t(pack.title), level=0)
    for label, value in (("Authority", pack.authority), ("Extract date", pack.extract_date),
                         ("Filters", pack.filters), ("Prepared", f"{pack.prepared_on:%d %B %Y}")):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(t(value))
    if pack.link:
        paragraph = document.add_paragraph()
        paragraph.add_run("Dashboard view: ").bold = True
        _hyperlink(paragraph, pack.absolute(pack.link), pack.absolute(pack.link))
    _contents(document, [s.heading for s in pack.sections] + ["Sources", "Definitions", "Caveats"])
    charts = pack.charts()
    with_images = images is not None and len(images) == len(charts)
    if charts and not with_images:
        document.add_paragraph(
            "The charts are in the HTML version of this pack: they could not be drawn as pictures here. "
            "Each chart's sentence and table are given instead."
        ).italic = True

    def turn(landscape: bool) -> None:
        _page_setup(document.add_section(WD_SECTION.NEW_PAGE), landscape)

    chart_number = 0
    for section in pack.sections:
        document.add_heading(t(section.heading), level=1)
        for block in section.blocks:
            if isinstance(block, str):
                document.add_paragraph(t(block))
            elif isinstance(block, Bullets):
                for item in block.items:
                    if isinstance(item, Linked):
                        paragraph = document.add_paragraph(t(item.text) + " ", style="List Bullet")
                        _hyperlink(paragraph, pack.absolute(item.path), item.label)
                    else:
                        document.add_paragraph(t(item), style="List Bullet")
            elif isinstance(block, Table):
                if block.wide:
                    turn(landscape=True)
                document.add_heading(t(block.title), level=2)
                frame = block.frame
                table = document.add_table(rows=1, cols=len(frame.columns))
                table.style = "Table Grid"
                for cell, name in zip(table.rows[0].cells, frame.columns):
                    cell.text = ""
                    cell.paragraphs[0].add_run(t(name)).bold = True
                for row in frame.itertuples(index=False):
                    cells = table.add_row().cells
                    for cell, value in zip(cells, row):
                        cell.text = t(_cell_text(value))
                if block.note:
                    document.add_paragraph(t(block.note)).italic = True
                if block.wide:
                    turn(landscape=False)
            elif isinstance(block, Chart):
                document.add_heading(t(block.title), level=2)
                if with_images:
                    document.add_picture(io.BytesIO(images[chart_number]), width=Mm(170))
                    document.add_paragraph(t(block.description))
                else:
                    document.add_paragraph(f"[Chart in the HTML version] {t(block.description)}")
                if block.key:
                    document.add_paragraph(t(block.key)).italic = True
                chart_number += 1
        if section.sources:
            paragraph = document.add_paragraph()
            paragraph.add_run("Source: ").bold = True
            paragraph.add_run(t("; ".join(section.sources) + "."))

    document.add_heading("Sources", level=1)
    for source in pack.sources() or ["No sections chosen."]:
        document.add_paragraph(t(source), style="List Bullet")
    document.add_paragraph(t(f"{pack.authority} data extract of {pack.extract_date}."))
    document.add_heading("Definitions", level=1)
    for term, meaning in pack.definitions:
        paragraph = document.add_paragraph()
        paragraph.add_run(t(f"{term}. ")).bold = True
        paragraph.add_run(t(meaning))
    document.add_heading("Caveats", level=1)
    for caveat in pack.caveats:
        document.add_paragraph(t(caveat), style="List Bullet")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- HTML ----------------------------------------------------------------------------------------

_CSS = """
body { font-family: Arial, "Source Sans Pro", sans-serif; color: #1F2933; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.8em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; margin-top: 2em; } h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .92em; }
th, td { border: 1px solid #B0B7BF; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #EEF2F5; }
.meta dt { font-weight: bold; float: left; clear: left; width: 9em; } .meta dd { margin-left: 9.5em; }
.note, .source { color: #52606D; font-size: .9em; }
.chart { margin: .5em 0 1.5em; }
a { color: #0B5394; }
@page { size: A4 portrait; margin: 20mm; }
@page wide { size: A4 landscape; margin: 15mm; }
.wide { page: wide; }
@media print { body { max-width: none; margin: 0; } .chart { break-inside: avoid; } }
"""


def _frame_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell_text(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def to_html(pack: Pack) -> str:
    """The pack as one HTML file with interactive charts; plotly.js is embedded once and nothing is fetched."""
    from plotly.offline import get_plotlyjs

    e = html.escape
    parts = [
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(pack.title)}</title>", f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head>", "<body>", f"<h1>{e(pack.title)}</h1>", '<dl class="meta">',
        f"<dt>Authority</dt><dd>{e(pack.authority)}</dd>",
        f"<dt>Extract date</dt><dd>{e(pack.extract_date)}</dd>",
        f"<dt>Filters</dt><dd>{e(pack.filters)}</dd>",
        f"<dt>Prepared</dt><dd>{pack.prepared_on:%d %B %Y}</dd>",
    ]
    if pack.link:
        link = pack.absolute(pack.link)
        parts.append(f'<dt>Dashboard view</dt><dd><a href="{e(link)}">{e(link)}</a></dd>')
    parts.append("</dl>")
    contents = [(section.key, section.heading) for section in pack.sections]
    contents += [("sources", "Sources"), ("definitions", "Definitions"), ("caveats", "Caveats")]
    parts.append('<nav aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>'
                 + "".join(f'<li><a href="#{e(key)}">{e(heading)}</a></li>' for key, heading in contents) + "</ol></nav>")

    def item(bullet) -> str:
        if isinstance(bullet, Linked):
            return f'{e(bullet.text)} <a href="{e(pack.absolute(bullet.path))}">{e(bullet.label)}</a>'
        return e(bullet)
    chart_number = 0
    for section in pack.sections:
        parts.append(f'<section id="{e(section.key)}"><h2>{e(section.heading)}</h2>')
        for block in section.blocks:
            if isinstance(block, str):
                parts.append(f"<p>{e(block)}</p>")
            elif isinstance(block, Bullets):
                parts.append("<ul>" + "".join(f"<li>{item(i)}</li>" for i in block.items) + "</ul>")
            elif isinstance(block, Table):
                parts.append(f'<div class="{"wide" if block.wide else "table"}"><h3>{e(block.title)}</h3>' + _frame_html(block.frame))
                if block.note:
                    parts.append(f'<p class="note">{e(block.note)}</p>')
                parts.append("</div>")
            elif isinstance(block, Chart):
                chart_number += 1
                figure_html = block.figure.to_html(
                    full_html=False, include_plotlyjs=False, div_id=f"chart-{chart_number}",
                    config={"displaylogo": False, "responsive": True},
                )
                parts.append(
                    f"<h3>{e(block.title)}</h3><p>{e(block.description)}</p>"
                    f'<figure class="chart" aria-label="{e(block.description)}">{figure_html}</figure>'
                    + (f'<p class="note">{e(block.key)}</p>' if block.key else "")
                )
        if section.sources:
            parts.append(f'<p class="source">Source: {e("; ".join(section.sources))}.</p>')
        parts.append("</section>")
    parts.append('<h2 id="sources">Sources</h2><ul>' + "".join(f"<li>{e(s)}</li>" for s in pack.sources() or ["No sections chosen."]) + "</ul>")
    parts.append(f"<p>{e(pack.authority)} data extract of {e(pack.extract_date)}.</p>")
    parts.append('<h2 id="definitions">Definitions</h2><dl>' + "".join(f"<dt><strong>{e(t)}</strong></dt><dd>{e(m)}</dd>" for t, m in pack.definitions) + "</dl>")
    parts.append('<h2 id="caveats">Caveats</h2><ul>' + "".join(f"<li>{e(c)}</li>" for c in pack.caveats) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Building a pack for the current filters -------------------------------------------------------

SECTIONS = {
    "findings": "Lines of enquiry",
    "reach": "Reach: who is reached and who is missed",
    "gap": "The wellbeing and attainment gap",
    "footfall": "Footfall and outcomes",
    "feedback": "What parents, staff and volunteers said",
}


def findings_section(filters, findings=None) -> Section:
    from scrutiny import findings as rules

    found = rules.lines_of_enquiry(filters) if findings is None else findings
    section = Section("findings", SECTIONS["findings"])
    if not found:
        section.blocks.append(
            "No line of enquiry stands out for these filters: no figure is clearly below a threshold, "
            "clearly falling or clearly widening, and the extract has no problems that limit the conclusions."
        )
        return section
    shown, rest = found[:rules.MEETING_LINES], len(found) - rules.MEETING_LINES
    section.blocks.append(
        f"{len(found)} question{'s' if len(found) != 1 else ''} the data raises for {filters.describe()}"
        + (f"; the {len(shown)} a meeting should see first are below, ranked by the strength and size of the evidence "
           "and how recent it is." if rest > 0 else ", ranked by the strength and size of the evidence and how recent it is.")
        + " Each rests only on figures that can be published, and claims a difference only when the whole 95% interval "
        "is on one side. Each ends with a link to the dashboard view that shows it."
        + ((" " + rules.comparisons_sentence(rules.comparisons(filters))).rstrip() if findings is None else "")
    )
    section.blocks.append(Bullets([Linked(f"{f.question} {f.statement} {f.uncertainty}", f.url(filters)) for f in shown]))
    if rest > 0:
        section.blocks.append(
            f"The other {rest} line{'s are' if rest != 1 else ' is'} on the dashboard's overview (under “more”) "
            "and in its lines-of-enquiry download.")
    section.sources.append("lines of enquiry generated by the dashboard from the tables named in each section")
    return section


QUOTE_COLUMNS = {"site": "Site", "respondent_type": "Respondent", "consultation": "Consultation",
                 "quote": "What they said", "themes": "Themes", "sentiment": "Sentiment"}


def quotes_table(quotes: list[dict]) -> pd.DataFrame:
    """The quotes an officer marked on the Feedback page (already masked there), as a table."""
    from scrutiny import labels

    rows = []
    for q in quotes or []:
        themes = q.get("themes") or []
        rows.append({
            "Site": q.get("site") or "",
            "Respondent": labels.respondent_type(q.get("respondent_type")) if q.get("respondent_type") else "",
            "Consultation": q.get("consultation") or "",
            "What they said": q.get("quote") or "",
            "Themes": ", ".join(labels.tidy(t) for t in themes) if not isinstance(themes, str) else themes,
            "Sentiment": q.get("sentiment") or "",
        })
    return pd.DataFrame(rows, columns=list(QUOTE_COLUMNS.values()))


def quotes_blocks(quotes: list[dict]) -> list[Block]:
    if not quotes:
        return ["No quotes were marked on the Feedback page for this pack."]
    return [
        f"{len(quotes)} quote{'s' if len(quotes) != 1 else ''} marked on the Feedback page. Names, phone numbers and "
        "e-mail addresses are masked; quotes illustrate what people said and are not a measure of how many said it.",
        Table("Quotes marked for the committee", quotes_table(quotes), timeless=True),
    ]


def unavailable_section(key: str, why: str) -> Section:
    return Section(key, SECTIONS[key], [why])


GAP_COLUMNS = ["Indicator", "Gap (points)", "Verdict (previous year)", "Year", "Focus group", "Focus %", "Reference %",
               "Gap 95% CI", "Change since previous year", "Compared with England"]


def gap_section(filters) -> Section:
    """Every indicator's gap for the area the lines of enquiry judge, and the headline indicator over time:
    the Gap page's own sentences, tables and chart."""
    from scrutiny.topics.gap import charts as gap_charts, figures as gap_figures, sentences as gap_sentences, tables as gap_tables
    from scrutiny.findings import gap_place

    section = Section("gap", SECTIONS["gap"])
    place = gap_place(filters)
    available = gap_figures.indicators()
    if place is None or not available:
        section.blocks.append("The extract has no outcome figures, so there is no gap to show.")
        return section
    overview = gap_figures.indicator_overview(place.level, place.code, filters.year)
    section.blocks += [
        gap_sentences.overview_sentence(overview, place),
        Table(f"Gaps for every indicator: {place.name}", gap_tables.overview_table(overview)[GAP_COLUMNS],
              "Gaps in percentage points; a positive gap means the focus group is worse off."),
    ]
    indicator = available[gap_figures.default_indicator(available)]
    trend = gap_figures.gap_trend(indicator, place)
    year = gap_figures.latest_year(trend["year"], filters.year)
    if year is not None:
        trend = trend[trend["year"] <= year].reset_index(drop=True)
        latest = trend.iloc[-1]
        sentence = gap_sentences.gap_sentence(latest, indicator, place)
        long_run = gap_sentences.long_run_sentence(latest, indicator)
        changes = gap_charts.changes_in_view(trend, gap_figures.service_changes_for(place))
        section.blocks += [
            Chart(f"{indicator.title}: the gap over time, {place.name}",
                  gap_charts.gap_over_time(trend, indicator, changes), sentence + (" " + long_run if long_run else ""),
                  key=charts.service_change_caption(changes)),
            Table(f"{indicator.title}: gap by year, {place.name}", gap_tables.trend_table(trend, indicator),
                  indicator.break_note()),
        ]
    section.sources += ["outcomes, indicators and benchmarks tables",
                        *dict.fromkeys(i.source for i in available.values() if i.source)]
    return section


def footfall_section(filters) -> Section:
    """Each site's footfall beside its reach of the most deprived 30% and its outcomes: the Footfall page's figures."""
    from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences, tables as footfall_tables
    from scrutiny import charts as look
    from scrutiny.topics.footfall import charts as footfall_charts
    from scrutiny.topics.gap import figures as gap_figures

    section = Section("footfall", SECTIONS["footfall"])
    choices = footfall.indicators()
    indicator = choices[gap_figures.default_indicator(choices)] if choices else None
    table = footfall.site_table(filters, indicator)
    if table.empty:
        section.blocks.append(f"No site was open or sent footfall figures in {filters.period_label} for these filters.")
        return section
    result = footfall.scatter(table, footfall.REACH, indicator)
    section.blocks += [
        footfall_sentences.table_sentence(table, filters),
        footfall_sentences.CAUTION,
    ]
    if not result.points.empty:
        section.blocks.append(Chart(
            f"Busy compared with effective, {filters.period_label}",
            footfall_charts.busy_compared_with_effective(result, footfall.measures(indicator)[footfall.REACH],
                                                         footfall.quadrant_names(footfall.REACH)),
            footfall_sentences.scatter_sentence(result, indicator, filters.period_label),
            key=" ".join(filter(None, [footfall_charts.SCATTER_KEY, footfall_sentences.dropped_note(result.dropped)]))))
    else:
        section.blocks.append(footfall_sentences.scatter_sentence(result, indicator, filters.period_label))
    section.blocks += [
        Table(f"Footfall, reach and outcomes by site, {filters.period_label}", footfall_tables.table_as_shown(table, indicator)),
    ]
    # The trend and the site types, drawn with the page's own chart functions.
    trend = footfall.trend(filters, indicator, None)
    if not (trend.monthly.empty and trend.reach.reach_pct.isna().all()):
        changes, site_level = look.changes_to_mark(queries.run("service_changes", district=filters.district), None)
        section.blocks.append(Chart(
            f"Activity and results over time, to {filters.period_label}",
            footfall_charts.activity_and_results(trend.monthly, trend.reach, trend.outcome, indicator, filters.year,
                                                 False, changes),
            footfall_sentences.trend_sentence(trend.monthly, trend.reach, trend.outcome, indicator, filters, None, trend.who),
            key=" ".join(footfall_sentences.trend_notes(trend, changes, site_level, None))))
    comparison = footfall.site_type_comparison(filters)
    share = footfall_charts.who_came_by_site_type(comparison)
    if share is not None:
        section.blocks.append(Chart(f"Libraries compared with children's centres, {filters.period_label}", share,
                                    footfall_sentences.comparison_sentence(comparison, filters.period_label),
                                    key=footfall_sentences.TYPES_NOTE))
    section.sources += [footfall_sentences.SOURCE]
    if indicator is not None:
        section.sources.append(f"outcomes: {indicator.source}")
    return section


def reach_section(filters) -> Section:
    """Reach of children in the 30% most deprived areas, centre by centre, with the Reach page's default settings."""
    from scrutiny import disclosure, labels
    from scrutiny.contract import MOST_DEPRIVED_GROUP
    from scrutiny.topics.reach import charts, figures, sentences, tables

    section = Section("reach", SECTIONS["reach"])
    t = queries.extract_info().suppression_threshold
    settings, group, period = figures.Settings(), MOST_DEPRIVED_GROUP, filters.period_label
    name = "All reach areas in view"
    areas = figures.area_figures(filters, settings.sustained_min)
    if areas.empty:
        section.blocks.append(f"No reach area has figures for {filters.describe()}.")
        return section
    view = disclosure.ReachView(filters, settings.sustained_min)
    whole = figures.focus_rows(areas, filters, "all", name, t, settings)
    whole_row = figures.focus_row(whole, group)
    rated = figures.reach_table(areas, "centre", group, t, settings, name, view=view)
    table, mask = tables.display_table(rated, "centre", t, with_group=False)
    section.blocks += [
        sentences.reach_sentence(name, group, whole_row, t, settings, period) + " " + sentences.rating_summary(rated, "centre", settings),
        sentences.missed_sentence(areas, group, t, period, view=view),
    ]
    # The chart that opens the Reach page, drawn by the same function.
    groups = list(figures.group_options())
    section.blocks.append(Chart(
        f"Reach of every target group, {period}", charts.groups_against_thresholds(whole, groups, settings, height=22 * len(groups) + 60),
        sentences.groups_chart_sentence(settings),
        key="Each group's reach % is written beside its name; c: too few children to show, – no population estimate."))
    figure, left_out = charts.missed_by_district(figures.missed_by_district(areas, group, t, view=view))
    if figure is not None:
        section.blocks.append(Chart(
            f"Children not reached, by district, {period}", figure,
            sentences.MISSED_BY_DISTRICT.format(who=labels.target_group(group).lower(), period=period),
            key=sentences.left_out(left_out)))
    section.blocks += [
        Table(f"Reach of {labels.target_group(group).lower()} by centre, {period}", tables.download_table(table, mask),
              f"Worst first. {settings.describe().capitalize()}. A rating claims a side of a threshold only when the "
              "whole 95% interval is on that side. Missed: the population estimate minus the children reached."),
    ]
    section.sources += [f"children, attendances, areas and population tables; population estimates for {period}"]
    return section


def feedback_section(filters) -> Section:
    """The themes raised in the comments for the filters' sites: the Feedback page's coding and tables."""
    from scrutiny import disclosure
    from scrutiny.topics.feedback import charts as fb_charts, coding as fb_coding, figures as fb_figures
    from scrutiny.topics.feedback import sentences as fb_sentences, tables as fb_tables

    section = Section("feedback", SECTIONS["feedback"])
    t = disclosure.threshold()
    coded, codebook, _ = fb_coding.coded_feedback()
    comments = fb_figures.select_comments(coded, filters=filters)
    plan = disclosure.feedback_plan(filters)
    frequency = fb_figures.plan_frequency(plan, codebook, by="respondent_type")
    overall = fb_figures.plan_frequency(plan, codebook)
    sentence = fb_sentences.frequency_sentence(overall, t, "these sites").replace("**", "")
    figure, small_groups = fb_charts.themes_raised(frequency, "respondent_type", t) if not comments.empty else (None, [])
    if figure is not None:
        left_out = (f" Left out because fewer than {t} people are in them: {', '.join(small_groups)}." if small_groups else "")
        section.blocks.append(Chart("Themes raised, by respondent type", figure, sentence,
                                    key=fb_charts.THEMES_KEY + left_out))
    else:
        section.blocks.append(sentence)
    if not comments.empty:
        section.blocks.append(Table("Themes by respondent type: comments raising each (share of the group's comments)",
                                    fb_tables.frequency_table(frequency, t),
                                    "Themes are coded from the words used (a codebook reviewers can audit); a comment can raise several."))
    trust = fb_figures.theme_trust(codebook)
    section.blocks.append(fb_sentences.trust_sentence(trust))
    care = fb_sentences.care_line(trust)
    if care:
        section.blocks.append(care)
    section.blocks.append(Table("How far to trust each theme: agreement with people's coding of real comments kept back from tuning",
                                fb_tables.trust_table(trust),
                                f"Precision, recall and F1 as proportions from 0 to 1. Treat with care: precision under "
                                f"{fb_figures.CARE_PRECISION:.2f}, recall under {fb_figures.CARE_RECALL:.2f}, or fewer than "
                                f"{fb_figures.CARE_MIN_COMMENTS} check comments about the theme."))
    section.sources += ["feedback table (consultation comments), coded with the dashboard's codebook"]
    return section


# The page modules' own section builders, by section key: each takes the filters
# and returns a Section built from the figures its page shows.
SECTION_BUILDERS: dict = {"reach": reach_section, "gap": gap_section, "footfall": footfall_section,
                          "feedback": feedback_section}


def build_section(key: str, filters, quotes: list[dict] | None = None) -> Section:
    """One section for the filters; the feedback section ends with the quotes marked on the Feedback page."""
    section = section_from_extract(key, filters)
    if key == "feedback":
        section.blocks += quotes_blocks(quotes or [])
    return section


@queries.kept
def section_from_extract(key: str, filters) -> Section:
    """A section's figures depend only on the filters and the extract, so each is worked out once
    per filters and extract version: every click on the evidence page reruns it. (Each caller gets
    its own copy, so the quotes added above never reach the kept one.)"""
    if key == "findings":
        return findings_section(filters)
    builder = SECTION_BUILDERS.get(key)
    try:
        return builder(filters) if builder else unavailable_section(
            key, "This section is not part of this version of the dashboard yet; see its page for the figures.")
    except queries.QueryError:
        # The database's own words go to the log for whoever looks after the dashboard, not to the reader.
        log.warning("Evidence section %s could not be built", key, exc_info=True)
        return unavailable_section(
            key, "This section could not be built from this extract: a table it needs has a problem. The About the "
                 "data page of the dashboard lists the problems in the extract; the details have been logged.")


def build_pack(filters, chosen: list[str], quotes: list[dict] | None = None, link: str = "",
               address: str = "") -> Pack:
    """The evidence pack for the filters, with the chosen sections in the standard order; address is
    the dashboard's own (sharing.app_address), which makes each view's link absolute."""
    info = queries.extract_info()
    sections = [build_section(key, filters, quotes) for key in SECTIONS if key in chosen]
    return Pack(
        title=f"Early years services (0-5): evidence for scrutiny, {filters.period_label}",
        authority=info.authority,
        extracted_on=info.extracted_on,
        filters=filters.describe(),
        sections=sections,
        caveats=standard_caveats(info.suppression_threshold, comparability_breaks()),
        link=link,
        address=address,
    )


def comparability_breaks() -> list[str]:
    """A sentence for each indicator whose series has a break (from the indicators table)."""
    try:
        rows = queries.run("indicator_list")
    except queries.QueryError:
        return []
    out = []
    for r in rows.itertuples():
        year = getattr(r, "comparability_break_year", None)
        if year is not None and not pd.isna(year):
            out.append(f"{r.title}: figures from {int(year)} on are not comparable with earlier years, "
                       "so no trend or change in the gap is claimed across that break.")
    return out
