"""The sidebar filters every page shares, and URL-bound choices for single pages.

Each filter lives in the URL, so a link reproduces the view. A value in a link
that the extract does not have (a typo, an old link, or hostile text) falls
back to the default with a short note; it never reaches SQL except as a bound
parameter, and only after it has matched an allowed value.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from scrutiny import labels
from scrutiny.queries import QueryError, kept, run

SIDEBAR_KEYS = ("period", "district", "cluster", "lead_agency", "site_type")


@dataclass(frozen=True)
class Filters:
    year: int | None
    district: str | None = None
    cluster: str | None = None
    lead_agency: str | None = None
    site_type: str | None = None

    @property
    def period_label(self) -> str:
        return labels.financial_year(self.year) if self.year is not None else "no period"

    def centre_parameters(self) -> dict:
        """The bound parameters every query that filters centres takes."""
        return {
            "district": self.district,
            "cluster": self.cluster,
            "lead_agency": self.lead_agency,
            "site_type": self.site_type,
        }

    def describe(self) -> str:
        """The filters in words, for captions, downloads and the evidence pack."""
        return ", ".join([f"financial year {self.period_label}"] + self._place_parts())

    def describe_places(self) -> str:
        """The filters other than the year, in words ("" when none): for what has no year, such as comments."""
        return ", ".join(self._place_parts())

    def _place_parts(self) -> list[str]:
        parts = []
        if self.district:
            parts.append(f"district {self.district}")
        if self.cluster:
            parts.append(f"cluster {self.cluster}")
        if self.lead_agency:
            parts.append(f"lead agency {self.lead_agency}")
        if self.site_type:
            parts.append(f"site type {labels.site_type(self.site_type)}")
        return parts

    def describe_markdown(self) -> str:
        """describe() for st.markdown: names from the extract cannot turn into emphasis or links."""
        return escape_markdown(self.describe())

    def query_string(self) -> dict[str, str]:
        """The URL parameters that reproduce these filters."""
        out = {"period": self.period_label} if self.year is not None else {}
        for key in ("district", "cluster", "lead_agency"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.site_type:
            out["site_type"] = labels.site_type(self.site_type)
        return out


def escape_markdown(text: str) -> str:
    """Text shown through st.markdown exactly as written: no emphasis, links, HTML or maths."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


def _safe_text(value: str, limit: int = 60) -> str:
    """A URL value quoted back to the user: shortened, with markdown made inert."""
    return escape_markdown(str(value)[:limit] + ("..." if len(str(value)) > limit else ""))


def _note_unknown(key: str, what: str, allowed_labels: list[str], fallback: str, where) -> None:
    raw = st.query_params.get(key)
    if raw not in (None, "") and raw not in allowed_labels:
        where.caption(f"The link asked for {what} “{_safe_text(raw)}”, which this extract does not have, so {fallback} is shown.")


@kept  # every page run draws the sidebar: its choices are worked out once per extract
def _options() -> tuple[list[tuple[int, str, bool]], dict[str, list[str]]]:
    try:
        years = run("financial_years")
        years_list = [(int(r.year), r.label, bool(r.has_attendances)) for r in years.itertuples()]
    except QueryError:
        years_list = []
    try:
        rows = run("filter_options")
        values = {k: list(g["value"]) for k, g in rows.groupby("filter")}
    except QueryError:
        values = {}
    return years_list, values


def _link_wins_on_page_switch(page: str | None, allowed: dict[str, dict[str, object]]) -> None:
    """On a switch to another page, the sidebar choices a link carries win over the ones on screen.

    Streamlit's URL-bound widgets read the URL only on a session's first run; after that
    the value on screen wins. A link inside the app (a line of enquiry's "open the view
    that shows this", st.page_link with query parameters) switches page within the same
    session, so without this the sidebar kept its own year and dropped the link's, and
    the page showed another year's figure. Only a value the extract has is taken; a
    page switch without the parameter (the navigation menu) keeps the sidebar's choice.
    Same-page reruns are left alone: the URL Streamlit holds then can lag the screen.
    """
    previous = st.session_state.get("_sidebar_page")
    st.session_state["_sidebar_page"] = page
    if page is None or previous is None or previous == page:
        return
    for key, options in allowed.items():  # options: the label a URL carries -> the widget's value
        requested = st.query_params.get(key)
        if requested in options and st.session_state.get(key) != options[requested]:
            st.session_state[key] = options[requested]


def sidebar_filters(page: str | None = None) -> Filters:
    """Draws the shared filters in the sidebar; call once per run, from dashboard.py,
    with the page about to run (its url_path), so that a link to another page keeps its filters."""
    years, values = _options()
    formats = {"site_type": labels.site_type}
    _link_wins_on_page_switch(page, {"period": {label: label for _, label, _ in years}} | {
        key: {formats.get(key, str)(v): v for v in values.get(key, [])} for key in SIDEBAR_KEYS if key != "period"})
    bar = st.sidebar
    bar.header("Filters")
    period_labels = [label for _, label, _ in years]
    # Default to the latest year that has attendances: a year with population
    # figures but no attendances yet would show every child as missed.
    with_attendances = [i for i, (_, _, has) in enumerate(years) if has]
    default_index = with_attendances[0] if with_attendances else 0
    _note_unknown("period", "the year", period_labels, "the latest year", bar)
    if period_labels:
        chosen = bar.selectbox(
            "Financial year", period_labels, index=default_index, key="period", bind="query-params",
            help="April to March. A child counts when it is under five at some point in the year.",
        )
        year = labels.year_from_label(chosen) if chosen else years[default_index][0]
    else:
        year = None
        bar.caption("No financial years could be read from the population table.")

    choices = {}
    for key, title, everything, formatter in (
        ("district", "District", "All districts", str),
        ("cluster", "Cluster", "All clusters", str),
        ("lead_agency", "Lead agency", "All lead agencies", str),
        ("site_type", "Site type", "All site types", labels.site_type),
    ):
        options = values.get(key, [])
        _note_unknown(key, title.lower(), [formatter(o) for o in options], everything.lower(), bar)
        choices[key] = bar.selectbox(
            title, options, index=None, placeholder=everything, format_func=formatter,
            key=key, bind="query-params",
        )
    return Filters(year=year, **choices)


def current() -> Filters:
    """The filters drawn in this run's sidebar (dashboard.py draws them before the page runs)."""
    filters = st.session_state.get("_filters")
    if isinstance(filters, Filters):
        return filters
    return Filters(year=None)


def remember(filters: Filters) -> None:
    st.session_state["_filters"] = filters


def url_select(label: str, key: str, options: dict, default, where=None, help: str | None = None):
    """A selectbox whose value is a code kept in the URL (?key=code), shown by its label.

    Used for page-level choices (target_group, indicator, centre ...), where the
    URL should carry the extract's own code rather than a display label.
    """
    where = where or st
    codes = list(options)
    if not codes:
        return None
    if default not in codes:
        default = codes[0]
    start = default
    if key not in st.session_state:
        requested = st.query_params.get(key)
        if requested in codes:
            start = requested
        elif requested not in (None, ""):
            where.caption(f"The link asked for {label.lower()} “{_safe_text(requested)}”, which this extract does not have, so the default is shown.")

    value = where.selectbox(
        label, codes, index=codes.index(start), format_func=lambda c: options.get(c, str(c)),
        key=key, help=help,
    )
    _keep_in_url(key, value, default)
    return value


def _keep_in_url(key: str, value, default) -> None:
    """The URL carries a page choice only when it differs from the default, as bound widgets do."""
    if value == default:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def url_number(label: str, key: str, default: int, minimum: int, maximum: int, where=None, help: str | None = None) -> int:
    """A whole number kept in the URL; anything else in the link falls back to the default."""
    where = where or st
    start = default
    if key not in st.session_state:
        requested = st.query_params.get(key)
        if requested not in (None, ""):
            try:
                number = int(str(requested))
                if not minimum <= number <= maximum:
                    raise ValueError
                start = number
            except ValueError:
                where.caption(f"The link asked for {label.lower()} “{_safe_text(requested)}”; a whole number from {minimum} to {maximum} is needed, so {default} is used.")

    value = int(where.number_input(label, min_value=minimum, max_value=maximum, value=start, step=1, key=key, help=help))
    _keep_in_url(key, value, default)
    return value
