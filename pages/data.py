"""About the data: the extract, its validation report, its tables and the definitions."""

from pathlib import Path

import pandas as pd
import streamlit as st

from scrutiny import access, filters, labels, meaning, queries, ui, uploads
from scrutiny.contract import TABLES
from scrutiny.definitions import DEFINITIONS
from scrutiny.extract import data_dir

# Shown in the page, so that anyone can open it: a file path means nothing to a councillor.
CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"

st.title("About the data")
ui.threshold_warning()
uploads.draw_notice()
st.markdown(f"The other pages show **{filters.current().describe_markdown()}** (the sidebar's choice). "
            "This page describes the whole extract, every year it holds.")
info = queries.extract_info()
problems = queries.problems()
extract = queries.current_extract()

st.markdown(
    f"**Authority:** {info.authority}  \n"
    f"**Extracted on:** {info.extracted_on:%d %B %Y}" if info.extracted_on else f"**Authority:** {info.authority}  \n**Extracted on:** not stated"
)
st.markdown(f"**Extract folder:** {'your uploaded files' if uploads.current() else '`' + data_dir().name + '`'}  \n**Suppression threshold:** counts from 1 to {info.suppression_threshold - 1} are shown as c.")
if info.notes:
    st.caption(info.notes)
st.markdown(f"**Who can open it:** {access.who_can_open_it()}")
for note in info.problems:
    st.warning(note)
if extract.summaries.note:
    st.warning(extract.summaries.note)
# Theme coding compares comments with example sentences by meaning; say so when that part cannot run.
embeddings_note = meaning.embedder()[1]
if embeddings_note:
    st.warning(embeddings_note)

st.header("Checks against the data contract")
errors = [p for p in problems if p.is_error]
warnings = [p for p in problems if not p.is_error]
if not problems:
    st.success("Every table follows the data contract: no problems found.")
else:
    st.markdown(
        f"{len(errors)} problem{'s' if len(errors) != 1 else ''} stop figures from being shown and "
        f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} to be aware of. "
        "A page keeps working while the tables it uses are sound."
    )
    for problem in errors:
        st.error(problem.message)
    for problem in warnings:
        st.warning(problem.message)

st.header("Tables")


def _covers(start, end) -> str:
    """A date range as dates, a year range as the years it names (2017-18 to 2024-25)."""
    if start is None or end is None:
        return ""
    if isinstance(start, int):  # years are labelled as every other page labels them: 2023-24
        first, last = labels.financial_year(start), labels.financial_year(end)
        return first if start == end else f"{first} to {last}"
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


broken = {p.table for p in errors}
rows = []
for name, spec in TABLES.items():
    if name in extract.missing:
        status = "not supplied (optional)" if spec.optional else "missing"
    elif name in extract.unreadable:
        status = "unreadable"
    elif name in broken:
        status = "has problems"
    else:
        status = "ok"
    profile = queries.table_profile(name) if name in extract.views else {"rows": None, "from": None, "to": None}
    rows.append({
        "Table": name,
        "Status": status,
        "Rows": "" if profile["rows"] is None else f"{profile['rows']:,}",
        "Covers": _covers(profile["from"], profile["to"]),
        "What it holds": spec.description.replace("`", ""),
    })
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
with st.expander("The data contract: every table, column and rule an extract must follow"):
    st.markdown(CONTRACT.read_text(encoding="utf-8") if CONTRACT.is_file() else
                "The data contract is in the project's documentation (docs/data-contract.md).")

uploads.draw_section()

st.header("Definitions")
for term, meaning in DEFINITIONS:
    st.markdown(f"**{term}.** {meaning}")
