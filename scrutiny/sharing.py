"""Links that reopen a view: "copy link to this view" and the links in findings.

A view is a page plus its URL parameters: the sidebar filters (written the way
the sidebar reads them back, see Filters.query_string) and the page's own
choices (target group, indicator, centre ...), which the pages keep in the URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from scrutiny.filters import SIDEBAR_KEYS, Filters


HOME_PAGE = "overview"


def page_url_path(page: str) -> str:
    """pages/reach.py -> reach: every page is registered under its file's name, except the
    home page, which Streamlit serves at the root (/overview would say "page not found")."""
    stem = Path(page).stem
    return "" if stem == HOME_PAGE else stem


def view_parameters(filters: Filters, page_params: dict | None = None) -> dict[str, str]:
    """The URL parameters of a view: the sidebar filters first, then the page's own."""
    params = dict(filters.query_string())
    for key, value in (page_params or {}).items():
        if key not in SIDEBAR_KEYS and value not in (None, ""):
            params[key] = str(value)
    return params


def view_url(base: str, filters: Filters, page_params: dict | None = None) -> str:
    """base (an absolute URL or a path) with the view's parameters as a query string."""
    params = view_parameters(filters, page_params)
    return base + ("?" + urlencode(params) if params else "")


def current_page_parameters() -> dict[str, str]:
    """The page's own URL parameters in this run (the sidebar keys are left to the filters)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in SIDEBAR_KEYS}


def current_base(url_path: str) -> str:
    """The address of this page in the user's browser, or its path when the browser's is not known."""
    url = st.context.url if hasattr(st, "context") else None
    if url:
        return url
    return "/" + url_path


ADDRESS_SETTING = "DASHBOARD_ADDRESS"


def app_address() -> str:
    """The dashboard's address as readers of a document should open it (https://dashboard.example.gov.uk).

    A setting, DASHBOARD_ADDRESS, because the address the server sees may not be the one people use
    (behind a proxy, or on a shared screen at localhost); without it, the address of the browser
    that asked, and without that, Streamlit's own default.
    """
    configured = os.environ.get(ADDRESS_SETTING, "").strip()
    if configured:
        return configured.rstrip("/")
    url = st.context.url if hasattr(st, "context") else None
    if url:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


def current_link(url_path: str, filters: Filters) -> str:
    return view_url(current_base(url_path), filters, current_page_parameters())


class ShareLink:
    """ "Copy link to this view" in the sidebar: a code block (it has a copy button) that
    update() redraws in place, so the page can refresh it after putting its own choices in the URL."""

    def __init__(self, url_path: str, where=None):
        self.url_path = url_path
        where = where or st.sidebar
        where.caption("Copy link to this view: it reopens this page with the same filters.")
        self.slot = where.empty()

    def update(self, filters: Filters) -> str:
        link = current_link(self.url_path, filters)
        self.slot.code(link, language=None, wrap_lines=True)
        return link
