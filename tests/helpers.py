"""Helpers shared by the page tests."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(REPO_ROOT / "dashboard.py")


def open_app(page: str | None = None, **query_params) -> AppTest:
    """Runs dashboard.py (optionally with URL parameters) and switches to a page such as "pages/reach.py"."""
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def errors(at: AppTest) -> list[str]:
    return [e.message for e in at.exception]


def plotly_figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    """Every markdown, caption, info, warning and error text on the page, joined."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts)


def read_download(raw: bytes):
    """A CSV download read as a user's pandas would, with no options: (the table as text, its note).

    The table is read again as text (dtype=str) only to compare it cell by cell with the table shown.
    """
    import io

    import pandas as pd

    from scrutiny.ui import ABOUT_COLUMN

    assert raw.startswith(b"\xef\xbb\xbf"), "a CSV download starts with UTF-8's byte-order mark"
    plain = pd.read_csv(io.BytesIO(raw))
    assert plain.columns[-1] == ABOUT_COLUMN, list(plain.columns)
    table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    notes = set(table.pop(ABOUT_COLUMN))
    assert len(notes) == 1, "every row carries the same note"
    return table, notes.pop()
