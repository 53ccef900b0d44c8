"""Shared helpers for the early years scrutiny dashboard.

The statistics (stats), the data contract (contract), loading and validating an
extract (extract, validation), running the named SQL in queries/ (queries), the
shared chart look (charts) and the sidebar filters (filters) live here, so that
the pages stay thin.
"""


def _run_pages_through_the_dashboard() -> None:
    """Make a deep link on a freshly started server go through dashboard.py.

    Streamlit sees the pages/ folder and, until some script calls st.navigation,
    runs a deep link such as /reach?district=X as the bare page file, skipping
    dashboard.py (its sidebar filters, its error handling). Every page imports
    this package, so the first such run switches that legacy mode off and asks
    for a rerun, which then goes through dashboard.py's st.navigation.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover - a Streamlit without these internals
        return
    if PagesManager.uses_pages_directory and get_script_run_ctx(suppress_warning=True) is not None:
        import streamlit as st

        PagesManager.uses_pages_directory = False
        st.rerun()


_run_pages_through_the_dashboard()
