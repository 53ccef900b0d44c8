"""The quote explorer: the comments chosen, searched and filtered, shown ten at a time with why each
theme was given, and the quotes a reviewer marks as evidence for the pack (kept in the session)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scrutiny import filters, labels, ui
from scrutiny.definitions import meaning
from scrutiny.topics.feedback.figures import select_comments
from scrutiny.topics.feedback.sentences import md_escape
from scrutiny.topics.feedback.sentiment import SENTIMENT_LABELS, SENTIMENT_ORDER
from scrutiny.topics.feedback.tables import evidence_record, quotes_table, trigger_text

EVIDENCE_KEY = "evidence_quotes"
SHOWN = 10


def marked() -> list[dict]:
    """The quotes marked as evidence in this session."""
    return st.session_state.get(EVIDENCE_KEY, [])


def toggle_evidence(record: dict, key: str) -> None:
    """A quote's "Use as evidence" box changed: keep or drop it."""
    kept = [q for q in marked() if q["response_id"] != record["response_id"]]
    if st.session_state.get(key):
        kept.append(record)
    st.session_state[EVIDENCE_KEY] = kept


def explorer(chosen: pd.DataFrame, codebook, current, what_plain: str, source: str) -> None:
    """Search and filter boxes, the most recent quotes with a box to mark each, and the download."""
    columns = st.columns([2, 1, 1, 1])
    search_text = columns[0].text_input("Search the quotes", key="q", bind="query-params",
                                        help='Every word must appear; put a phrase in "double quotes".')
    theme = filters.url_select("Theme", "theme", {"all": "All themes", **codebook.labels()}, "all", where=columns[1])
    respondent = filters.url_select(
        "Respondent", "respondent_type",
        {"all": "Everyone", **{c: labels.respondent_type(c) for c in sorted(chosen["respondent_type"].dropna().unique())}},
        "all", where=columns[2])
    sentiment = columns[3].selectbox("Sentiment", ["all", *SENTIMENT_ORDER], key="feedback_sentiment", help=meaning("Sentiment"),
                                     format_func=lambda s: "Any sentiment" if s == "all" else SENTIMENT_LABELS[s])
    sites = chosen.dropna(subset=["centre_id"]).drop_duplicates("centre_id").sort_values("centre_name")
    sites = {"all": "Every site", **{str(c): n if isinstance(n, str) and n else str(c)  # a site missing from centres shows its code
                                     for c, n in zip(sites["centre_id"].tolist(), sites["centre_name"].tolist())}}
    site = st.selectbox("Site", list(sites), key="feedback_quote_site", format_func=lambda c: sites.get(c, c))
    quotes = select_comments(chosen, theme=None if theme == "all" else theme,
                             respondent_type=None if respondent == "all" else respondent,
                             sentiment=None if sentiment == "all" else sentiment,
                             centre_id=None if site == "all" else site, text=search_text)
    searched = f" containing “{md_escape(search_text[:80])}”" if search_text and search_text.strip() else ""
    ui.sentence(f"{len(quotes):,} quote{'' if len(quotes) == 1 else 's'}{searched}.")
    if EVIDENCE_KEY not in st.session_state:
        st.session_state[EVIDENCE_KEY] = []
    kept_ids = {q["response_id"] for q in marked()}
    quotes = quotes.sort_values(["collected_on", "response_id"], ascending=[False, True])
    for _, row in quotes.head(SHOWN).iterrows():
        record = evidence_record(row, codebook)
        with st.container(border=True):
            st.markdown(f"> {md_escape(row['quote'])}")
            st.caption(
                f"{md_escape(record['respondent_type'])} · {md_escape(record['site'])} · {md_escape(row['consultation'])} · "
                f"{pd.Timestamp(row['collected_on']):%d %b %Y} · sentiment: {row['sentiment']}"
                + (" (computed)" if row["sentiment_source"] == "computed" else ""))
            st.markdown("**Why these themes:** " + md_escape(trigger_text(row, codebook)))
            key = f"evidence_{row['response_id']}"
            if key not in st.session_state:
                st.session_state[key] = record["response_id"] in kept_ids
            st.checkbox("Use as evidence", key=key, on_change=toggle_evidence, args=(record, key))
    if len(quotes) > SHOWN:
        st.caption(f"The {SHOWN} most recent of {len(quotes):,} are shown; search or filter to narrow them, or download them all.")
    st.markdown(f"**{len(marked())} quote{'s' if len(marked()) != 1 else ''} marked as evidence** for the evidence pack "
                "(kept for this session).")
    # Built only when clicked: thousands of quotes would slow every rerun.
    st.download_button(
        f"Download these {len(quotes):,} quotes as CSV", key="download_feedback_quotes", file_name="feedback_quotes.csv",
        mime="text/csv", on_click="ignore",
        data=lambda: ui.csv_bytes(quotes_table(quotes, codebook), f"Quotes from {what_plain}", current,
                                  source + "; personal details masked", with_period=False),
    )
    st.caption("E-mail addresses, phone numbers, postcodes and names people gave are replaced with [… removed] here and in downloads.")
