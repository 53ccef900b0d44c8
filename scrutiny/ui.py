"""Small page helpers: the guard against broken tables, headings, the
plain-English sentence above each chart, the source line and CSV downloads.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import pickle
import threading
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from scrutiny import disclosure, queries
from scrutiny.cell_safety import neutralise, neutralise_frame
from scrutiny.contract import PAGE_TABLES
from scrutiny.filters import Filters
from scrutiny.validation import broken_tables


# How many pages run at once in this server, however many people are clicking; the others queue.
# Each Arrow-backed pandas string operation lets go of Python's interpreter lock and takes it back,
# so 20 page scripts running together spent much of their time handing the lock to each other:
# `make load` measured about 40% more processor time (15 s of it in the kernel, against 2.4 s) and
# twice the p95 of two pages at a time (one can work in Python while the other waits on DuckDB).
# One at a time was no better than two; three were worse.
PAGES_AT_ONCE = 2
# A page waits at most this long, then runs anyway: two slow first visits to a very big extract
# (half a minute each at 50 times the sample county) must not hold everyone else up for as long.
LONGEST_WAIT_SECONDS = 10.0
_PAGE_TURNS = threading.BoundedSemaphore(PAGES_AT_ONCE)


@contextlib.contextmanager
def page_turn():
    """Runs the block when fewer than PAGES_AT_ONCE pages are running, or after LONGEST_WAIT_SECONDS
    at most (dashboard.py wraps each page in it).

    A page takes its turn before it works out any figure and gives it back at its end, so no thread
    ever waits for a turn while holding a cache's lock: whoever holds the lock a page waits on is
    already running, and there is no deadlock.
    """
    has_turn = _PAGE_TURNS.acquire(blocking=False)
    if not has_turn:
        # Only when the server is busy: say why nothing has changed yet (shown after half a second).
        with st.spinner("The dashboard is drawing other people's views first: yours follows in a moment..."):
            has_turn = _PAGE_TURNS.acquire(timeout=LONGEST_WAIT_SECONDS)
    try:
        yield
    finally:
        if has_turn:
            _PAGE_TURNS.release()


# Every replayed section shares this one cache; the section's name is part of the key. A resource,
# not st.cache_data: that pickled each section's drawing (charts' specifications included) when it
# kept it and unpickled it on every replay, a large share of a warm page run.
@st.cache_resource(show_spinner=False, max_entries=2048)
def _replayed(section: str, version: tuple, arguments: tuple, _draw) -> object:
    return _draw()


def drawn_once(function):
    """For a page section that only draws (sentences, charts, captions; no widgets) from its arguments.

    Streamlit keeps what the section drew and, on a rerun with the same arguments and the same
    version of the extract, replays it without building the charts again (a new extract draws
    afresh). The arguments must be values Streamlit can hash.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return _replayed(name, queries.extract_version(), queries.arguments_key(args, kwargs),
                         lambda: function(*args, **kwargs))

    return wrapper


def threshold_warning() -> None:
    """A council may set a suppression threshold below 3: it is honoured, and every page says so."""
    unsafe = disclosure.unsafe_threshold_warning()
    if unsafe:
        st.warning(unsafe)


def guard(page: str, stop: bool = True) -> None:
    """Stops a page, with sentences, when a table it needs is missing or broken.

    With stop=False the sentences are shown and the page carries on with what it
    can still show (the overview, which draws on every table). Also warns when the
    suppression threshold is below 3.
    """
    threshold_warning()
    problems = queries.problems()
    needed = set(PAGE_TABLES.get(page, ()))
    broken = broken_tables(problems) & needed
    if not broken:
        return
    st.error(
        ("This page cannot show its figures" if stop else "Some figures on this page cannot be shown")
        + " because the extract has problems in "
        + ", ".join(sorted(broken)) + ". The other pages still work where their tables are sound."
    )
    for problem in problems:
        if problem.table in broken and problem.is_error:
            st.markdown(f"- {problem.message}")
    st.caption("The full report is on the About the data page.")
    if stop:
        st.stop()


def answer_first(figures: list[tuple[str, str, str]], verdict: str, asks: list[str], chart=None,
                 chart_key: str = "answer_chart", widths: tuple[int, int] = (2, 3), chart_caption: str = "") -> None:
    """The page's answer, first and on one screen: the headline figures, the verdict in words and
    what a councillor could ask. The detail follows below it.

    figures: (label, value as shown, help) each; a value resting on a small number is already "c".
    chart: the one chart that answers the page's question (a small plotly figure from the topic's
    charts.py), drawn under the headline figures so it is on the first screen too, with chart_caption
    (what it shows, in words) above it as its text alternative.
    widths: of the figures' column and the words' column (a chart with long labels needs more).
    Without a chart_caption, the chart's own title or axis title is written above it.
    """
    with st.container(border=True, key="answer_first"):
        left, right = st.columns(list(widths))
        with left:
            for label, value, help in figures:
                st.metric(label, value, help=help)
            if chart is not None:
                from scrutiny import charts  # charts imports nothing from here; imported late to keep ui light

                st.caption(chart_caption or _chart_words(chart))
                charts.show(chart, key=chart_key)
        with right:
            st.markdown(f"**The answer.** {verdict}")
            if asks:
                st.markdown("**What to ask**\n" + "\n".join(f"- {ask}" for ask in asks))


def _chart_words(figure) -> str:
    """A chart's own words (its title or axis title), written above it when no sentence is given, so that it
    is never without a text alternative."""
    layout = figure.layout
    words = layout.title.text or layout.yaxis.title.text or layout.xaxis.title.text or "the figures above"
    return f"Chart: {words}."


@dataclass(frozen=True)
class Download:
    """A table's CSV download: the frame as downloaded ("c" in hidden cells), its title, a file name
    that carries the full period (reach_all_centre_2023-24) and a widget key."""

    frame: pd.DataFrame
    title: str
    file_stem: str
    key: str
    filters: Filters | None = None
    source_text: str = ""
    with_period: bool = True

    def show(self) -> None:
        download_csv(self.frame, self.title, self.file_stem, self.key, self.filters, self.source_text, self.with_period)


TABLE_BEHIND_CHART = "The figures behind this chart"


def section(title: str | None, sentence: str, figure=None, *, key: str = "", notes=(), table: pd.DataFrame | None = None,
            table_height: int | None = None, download: Download | None = None, source_text: str = "",
            empty_note: str = "", help: str | None = None, column_help: dict[str, str] | None = None) -> None:
    """One section of a page, drawn the same way on every page:

        title        a heading (None: the section follows a heading already drawn)
        sentence     the plain-words finding; it doubles as the chart's text alternative
        figure       a plotly figure from the topic's charts.py, shown with the widget key `key`
                     (None: no chart, and empty_note says why, if given; then `key` is the table's)
        notes        captions under the chart: what was left out, the key to its markers
        table        the table as shown: folded under the chart and its notes ("The figures behind
                     this chart"), or, when the section has no chart, in the open before its notes
        table_height the table's height in pixels (a long table scrolls inside it)
        help         a tooltip on the heading; column_help, tooltips on the table's headings (column: words),
                     both in plain words from the one glossary (definitions.meaning)
        source_text  the tables the figures come from, written as the source line
        download     the table's CSV (a ui.Download), offered after the source line

    A download button is a widget, and widgets cannot be replayed: inside a ui.drawn_once function pass
    download=None and call the Download's show() after it.
    """
    if title:
        st.header(title, help=help)
    if sentence:
        st.markdown(sentence)
    height = {"height": table_height} if table_height else {}
    if column_help and table is not None:
        height["column_config"] = {column: st.column_config.Column(help=words)
                                   for column, words in column_help.items() if column in table.columns}
    if figure is not None:
        from scrutiny import charts  # charts imports nothing from here; imported late to keep ui light

        charts.show(figure, key=key)
    elif table is not None:
        st.dataframe(table, hide_index=True, width="stretch", key=key or None, **height)
    elif empty_note:
        st.info(empty_note)
    for note in notes:
        if note:
            st.caption(note)
    if figure is not None and table is not None:
        with st.expander(TABLE_BEHIND_CHART):
            st.dataframe(table, hide_index=True, width="stretch", **height)
    if source_text:
        source(source_text)
    if download is not None:
        download.show()


def column_tooltips(help_by_column: dict[str, str]) -> dict:
    """A table's column_config that puts each heading's plain-words meaning in a tooltip."""
    return {column: st.column_config.Column(help=text) for column, text in help_by_column.items()}


def empty(message: str) -> None:
    st.info(message)
    st.stop()


def sentence(text: str) -> None:
    """The plain-English finding above a chart; it doubles as the chart's text alternative."""
    st.markdown(text)


def source(text: str) -> None:
    info = queries.extract_info()
    extracted = f", extracted {info.extracted_on:%d %B %Y}" if info.extracted_on else ""
    st.caption(f"Source: {text}. {info.authority} data extract{extracted}.")


def suppression_text() -> str:
    threshold = queries.extract_info().suppression_threshold
    return (f"“c” marks a number from 1 to {threshold - 1} (or a percentage resting on one), "
            "hidden so that no family can be identified.")


def suppression_note() -> None:
    st.caption(suppression_text())


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024**2 else f"{n / 1024**2:.1f} MB"


# The last column of every CSV download: what the table is, where it came from and what "c" means.
ABOUT_COLUMN = "About this table"


def csv_about(title: str, filters: Filters | None, source_text: str, with_period: bool = True) -> str:
    """One sentence-by-sentence note on a downloaded table: title, source, filters, small numbers, date."""
    info = queries.extract_info()
    extracted = f" of {info.extracted_on:%d %B %Y}" if info.extracted_on else ""
    chosen = (filters.describe() if with_period else filters.describe_places()) if filters else ""
    return (
        f"{title}. Source: {source_text or 'the dashboard'}; {info.authority} data extract{extracted}. "
        f"Filters: {chosen or 'none'}. "
        f"Numbers from 1 to {info.suppression_threshold - 1} (and percentages resting on them) are shown as c, "
        f"so that no family can be identified, and so are some other cells that would give them away. "
        f"Downloaded {date.today():%d %B %Y}."
        + (f" WARNING: {disclosure.unsafe_threshold_warning(info.suppression_threshold)}"
           if disclosure.unsafe_threshold_warning(info.suppression_threshold) else "")
    )


def csv_bytes(frame: pd.DataFrame, title: str, filters: Filters | None, source_text: str,
              with_period: bool = True) -> bytes:
    """The table as shown, for Excel, LibreOffice and pandas alike.

    The header is the first line, so pandas.read_csv needs no options and a spreadsheet
    sorts and filters the rows as they are. What the table is (title, source, filters,
    the small-numbers note) is the last column, "About this table", on every row, so it
    stays with any row that is copied, sorted or filtered out. UTF-8 with a byte-order
    mark: without one, Excel on Windows reads curly quotes and accented names as other
    characters. with_period=False leaves the year out of the filters (comments have none).

    Every CSV the dashboard offers is written here, so this is where text that a spreadsheet would
    run as a formula is neutralised (cell_safety): the table's cells and the note.
    """
    out = neutralise_frame(frame.reset_index(drop=True))
    about = neutralise(csv_about(title, filters, source_text, with_period))
    if out.empty:  # the note still needs a row to sit on
        out = pd.DataFrame([{column: "" for column in out.columns}])
    out[ABOUT_COLUMN] = about
    # Lines end in CR LF, as RFC 4180 and Excel have them: with a bare LF, pandas leaves a cell
    # holding a carriage return unquoted, and a spreadsheet starts a new row (and cell) there.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _content_of(frame: pd.DataFrame) -> tuple | None:
    """A table's contents as a key, for a table that is not a kept answer: a digest of the table
    pickled (every cell, the index, the column names and types), a tenth of the cost of writing its
    CSV again. Equal digests mean equal tables; an equal table pickled otherwise is only written again."""
    try:
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001  (cells that cannot be pickled: the file is written each time)
        return None
    return ("table of", len(frame), hashlib.blake2b(data, digest_size=20).hexdigest())


def download_csv(frame: pd.DataFrame, title: str, file_stem: str, key: str,
                 filters: Filters | None = None, source_text: str = "", with_period: bool = True) -> None:
    """A download button for a table; file_stem should name the full period it covers (2023-24, not 2023).

    A table that is a kept answer (queries.derived_from, queries.kept) has its file kept with it, so
    a rerun does not write the same file again (the note names the day, which is part of the key);
    any other table's file is kept under a digest of its contents.
    """
    source = queries.source_of(frame) or _content_of(frame)
    make = lambda: csv_bytes(frame, title, filters, source_text, with_period)  # noqa: E731
    data = make() if source is None else queries.kept_value(
        ("csv", source, title, filters, source_text, with_period, date.today()), make)
    st.download_button(
        f"Download this table as CSV ({_size(len(data))})", data=data, file_name=f"{file_stem}.csv",
        mime="text/csv", key=key, on_click="ignore",
    )
