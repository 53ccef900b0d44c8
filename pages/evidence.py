"""Evidence pack: the sections an officer picks, previewed here and downloaded as Word and HTML."""

import hashlib
import json
import re

import streamlit as st

from scrutiny import charts, evidence, filters, sharing, ui
from scrutiny.extract import data_version

st.title("Evidence pack")
ui.threshold_warning()
current = filters.current()
st.markdown(
    "Pick the sections for a committee report or a topic-group briefing, check them below, then download "
    "them as a Word document (to edit into the report) or as one HTML file with interactive charts "
    f"(it opens offline in any browser). Both hold the same content, for **{current.describe_markdown()}**."
)
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")

chosen = st.multiselect(
    "Sections", list(evidence.SECTIONS), default=list(evidence.SECTIONS),
    format_func=evidence.SECTIONS.get, key="sections",
)
quotes = list(st.session_state.get("evidence_quotes") or [])
if "feedback" in chosen:
    st.caption(
        f"{len(quotes)} quote{'s' if len(quotes) != 1 else ''} marked on the Feedback page will go in the feedback section."
        if quotes else "No quotes are marked yet: mark them on the Feedback page to add them to the feedback section."
    )
if not chosen:
    ui.empty("Pick at least one section.")

link = sharing.view_url(sharing.current_base("evidence"), current, sharing.current_page_parameters())
pack = evidence.build_pack(current, chosen, quotes, link=link, address=sharing.app_address())

can_draw = evidence.chromium_available()
pictures = st.checkbox(
    "Draw the charts as pictures in the Word document (takes a few seconds)", value=can_draw, disabled=not can_draw,
    help=None if can_draw else "This server has no browser to draw charts with, so the Word document points to the HTML version for them.",
)

signature = hashlib.sha1(json.dumps(
    [current.__dict__, chosen, quotes, pictures, data_version()], default=str, sort_keys=True
).encode()).hexdigest()
files = st.session_state.get("evidence_files")
if st.button("Prepare the documents", type="primary", icon=":material/description:"):
    with st.spinner("Preparing the Word and HTML documents..."):
        images = evidence.chart_images([c.figure for c in pack.charts()]) if pictures else None
        files = {"signature": signature, "docx": evidence.to_docx(pack, images), "html": evidence.to_html(pack).encode("utf-8"),
                 "images": images is not None}
        st.session_state["evidence_files"] = files

if files and files.get("signature") == signature:
    stem = f"evidence-pack-{current.period_label}"
    left, right = st.columns(2)
    left.download_button(
        f"Download Word document (.docx, {ui._size(len(files['docx']))})", data=files["docx"], file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="download_docx",
        on_click="ignore", icon=":material/download:",
    )
    right.download_button(
        f"Download HTML file (.html, {ui._size(len(files['html']))})", data=files["html"], file_name=f"{stem}.html",
        mime="text/html", key="download_html", on_click="ignore", icon=":material/download:",
    )
    if pack.charts() and not files["images"]:
        st.caption("The Word document holds each chart's sentence and table; the charts themselves are in the HTML file.")
elif files:
    st.caption("The choices have changed since the documents were prepared: prepare them again.")

st.divider()
st.header("What the pack holds")
for section in pack.sections:
    st.subheader(section.heading)
    for number, block in enumerate(section.blocks):
        if isinstance(block, str):
            ui.sentence(block)
        elif isinstance(block, evidence.Bullets):
            for item in block.items:
                if isinstance(item, evidence.Linked):
                    st.markdown(f"- {filters.escape_markdown(item.text)} [{item.label}]({pack.absolute(item.path)})")
                else:
                    st.markdown(f"- {item}")
        elif isinstance(block, evidence.Table):
            st.markdown(f"**{block.title}**")
            st.dataframe(block.frame, hide_index=True, width="stretch")
            stem = re.sub(r"[^a-z0-9]+", "-", block.title.lower()).strip("-")
            if not block.timeless and current.period_label not in stem:
                stem += f"-{current.period_label}"
            ui.download_csv(block.frame, block.title, stem, key=f"csv-{section.key}-{number}",
                            filters=current, source_text="; ".join(section.sources) or "the dashboard",
                            with_period=not block.timeless)
        elif isinstance(block, evidence.Chart):
            ui.sentence(block.description)
            charts.show(block.figure, key=f"chart-{section.key}-{number}")
            if block.key:
                st.caption(block.key)
    if section.sources:
        st.caption("Source: " + "; ".join(section.sources) + ".")
st.subheader("Caveats")
st.markdown("\n".join(f"- {c}" for c in pack.caveats))
ui.source("every table named in the sections above")
