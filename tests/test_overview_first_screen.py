"""The overview draws its headline figures first; on a big extract the lines of enquiry follow from the background."""

from __future__ import annotations

import time

import streamlit as st

from scrutiny import findings, queries
from tests.helpers import open_app, texts

BEING_PREPARED = "The lines of enquiry are being prepared"


def test_on_a_big_extract_the_headline_comes_first_and_the_lines_follow(tiny, monkeypatch):
    # The tiny extract's 30-odd attendances count as a big extract here.
    monkeypatch.setattr(findings, "BACKGROUND_ABOVE_ATTENDANCES", 0)
    st.cache_resource.clear()  # nothing worked out yet, as in a fresh server
    try:
        at = open_app("pages/overview.py")
        assert not at.exception
        first = texts(at)
        assert BEING_PREPARED in first
        assert [m.label for m in at.metric][:1] == ["Reached: most deprived 30% of areas"]
        deadline = time.monotonic() + 60
        while queries._BACKGROUND and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not queries._BACKGROUND
        at.run()
        assert not at.exception
        later = texts(at)
        assert BEING_PREPARED not in later
        assert "Lines of enquiry" in [h.value for h in at.header]
        assert "the data raises for" in later or "No line of enquiry stands out" in later
    finally:
        st.cache_resource.clear()


def test_on_a_small_extract_the_lines_are_drawn_in_the_same_run(tiny):
    at = open_app("pages/overview.py")
    assert not at.exception
    assert BEING_PREPARED not in texts(at)
    assert "Lines of enquiry" in [h.value for h in at.header]
