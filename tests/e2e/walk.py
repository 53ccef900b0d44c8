"""Looking inside an AppTest run: every element, every text a user can read, every download.

Shared by the bad-input and disclosure tests, which check whole pages without
knowing how each page is built.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from tests.e2e.registry import Page
from tests.helpers import DASHBOARD

TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text", "code", "latex")
WIDGET_KINDS = ("selectbox", "multiselect", "radio", "number_input", "text_input", "slider", "select_slider",
                "checkbox", "toggle", "date_input", "segmented_control", "pills", "text_area")


def elements(at: AppTest) -> Iterator:
    """Every element of the last run, depth first (blocks are walked, not returned)."""
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children[i] for i in sorted(children, reverse=True))
        else:
            yield node


def frames(at: AppTest) -> list[pd.DataFrame]:
    out = []
    for kind in ("dataframe", "table"):
        for el in at.get(kind):
            try:
                value = el.value
            except Exception:  # an element type AppTest cannot decode
                continue
            if isinstance(value, pd.DataFrame):
                out.append(value)
    return out


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, str(m.value)) for m in at.metric]


def visible_text(at: AppTest) -> str:
    """Headings, text, notes, metrics and table cells, one piece a line."""
    parts = []
    for kind in TEXT_KINDS:
        for el in at.get(kind):
            parts.append(str(getattr(el, "value", "") or getattr(el.proto, "body", "")))
    parts += [f"{label}: {value}" for label, value in metrics(at)]
    parts += [frame.to_csv(index=False) for frame in frames(at)]
    return "\n".join(parts)


def html_bodies(at: AppTest) -> list[str]:
    """Text that the browser renders as HTML: markdown with unsafe_allow_html and st.html."""
    out = []
    for el in elements(at):
        proto = getattr(el, "proto", None)
        if proto is None:
            continue
        if getattr(el, "type", "") == "html" or type(proto).__name__ == "Html":
            out.append(getattr(proto, "body", ""))
        elif type(proto).__name__ == "Markdown" and proto.allow_html:
            out.append(proto.body)
    return out


def widget_keys(at: AppTest) -> set[str]:
    """The user keys of every widget on the page (Streamlit's own ids start with $$)."""
    keys = set()
    for kind in WIDGET_KINDS:
        for el in at.get(kind):
            key = getattr(el, "key", None)
            if key and not key.startswith("$$"):
                keys.add(key)
    return keys


def run_page(page: Page, query: dict | None = None) -> AppTest:
    """dashboard.py with URL parameters, switched to one page (URL parameters kept)."""
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if not page.default:
        at.switch_page(page.script).run()
    return at


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, bytes]]:
    """Records (file name, bytes) of every download button drawn while the fixture is active."""
    caught: list[tuple[str, bytes]] = []
    original = ButtonMixin.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        content = data() if callable(data) else data
        if isinstance(content, str):
            raw = content.encode("utf-8")
        elif hasattr(content, "read"):
            raw = content.read()
            content.seek(0)
        else:
            raw = bytes(content)
        caught.append((file_name or "", raw))
        return original(self, label, content, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: recording(st._main, *a, **k))
    return caught
