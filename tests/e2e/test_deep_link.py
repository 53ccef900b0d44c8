"""A shared link opened as the very first request on a freshly started server.

Streamlit runs such a link as the bare page file while its legacy pages/ mode is on
(until some script calls st.navigation), which would skip dashboard.py: no sidebar
filters, no error handling. scrutiny/__init__.py switches that mode off and reruns.
This needs its own server: the session's shared one has long since left that mode.
"""

from __future__ import annotations

from tests.e2e import server as streamlit_server
from tests.e2e.conftest import REPO_ROOT, exception_texts, main_text, wait_ready


def test_first_request_deep_link_goes_through_the_dashboard(browser, e2e_extract, tmp_path):
    process, base = streamlit_server.start(
        REPO_ROOT / "dashboard.py", tmp_path / "streamlit.log",
        env={"DASHBOARD_DATA_DIR": str(e2e_extract), "DASHBOARD_DEBUG": "1"},
    )
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.goto(f"{base}/reach?period=2022-23&district=Southvale")
        wait_ready(tab)
        sidebar = tab.inner_text('[data-testid="stSidebar"]')
        # The dashboard's own sidebar (filters, the registered page titles), not Streamlit's file list.
        assert "Filters" in sidebar and "Footfall and outcomes" in sidebar
        assert "Southvale" in sidebar and "2022-23" in sidebar
        assert "Reach: who is reached and who is missed" in main_text(tab)
        assert not exception_texts(tab)
        context.close()
    finally:
        streamlit_server.stop(process)
