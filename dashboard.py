"""Early years scrutiny dashboard: the entry point.

Run with `make run` (or `streamlit run dashboard.py`). The extract is read from
DASHBOARD_DATA_DIR, or sample_data/ when that is not set.
"""

import logging
import os
from pathlib import Path

import streamlit as st

st.set_page_config(
    page_title="Early years scrutiny dashboard",
    # A local file: a Material or emoji icon here would be fetched from a font CDN, and the app runs offline.
    page_icon=str(Path(__file__).parent / "scrutiny" / "icon.png"),
    layout="wide",
    # "auto": open on a wide screen, closed on a phone, where it would cover the page.
    initial_sidebar_state="auto",
)

from scrutiny import access, filters, sharing, ui  # noqa: E402  (set_page_config must come first)
from scrutiny.definitions import DEFINITIONS  # noqa: E402
from scrutiny.queries import QueryError, extract_info  # noqa: E402

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
    st.Page("pages/reach.py", title="Reach", icon=":material/groups:", url_path="reach"),
    st.Page("pages/gap.py", title="Gap", icon=":material/trending_down:", url_path="gap"),
    st.Page("pages/footfall.py", title="Footfall and outcomes", icon=":material/directions_walk:", url_path="footfall"),
    st.Page("pages/feedback.py", title="Feedback", icon=":material/forum:", url_path="feedback"),
    st.Page("pages/evidence.py", title="Evidence pack", icon=":material/description:", url_path="evidence"),
    st.Page("pages/data.py", title="About the data", icon=":material/info:", url_path="data"),
]

# A keyboard user must see where they are (WCAG 2.2, focus visible): a 3 px outline in the theme's
# blue (8:1 against white) on every control, and around a select box whose search field has focus.
st.html("""<style>
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role="tab"]:focus-visible, [role="switch"]:focus-visible, [role="checkbox"]:focus-visible,
[role="radio"]:focus-visible, [tabindex]:focus-visible, [data-baseweb="select"]:focus-within {
  outline: 3px solid #0B5394 !important; outline-offset: 2px !important; }
[data-baseweb="select"] input:focus-visible { outline: none !important; }
</style>""")
# Sign-in, when secrets.toml asks for it (scrutiny/access.py): someone not let in sees a sentence and no page.
let_in = access.let_in()
navigation = st.navigation(PAGES, position="sidebar" if let_in else "hidden")
if not let_in:
    st.stop()
st.sidebar.caption(f"{extract_info().authority}: early years services (0-5)")
filters.remember(filters.sidebar_filters(navigation.url_path))
# One glossary for every page (the evidence pack and About the data print the same definitions).
with st.sidebar.expander("Words used here: interval, clearly, reach area ..."):
    st.markdown("\n\n".join(f"**{term}.** {meaning}" for term, meaning in DEFINITIONS))
# "Copy link to this view": drawn before the page (so a page that stops early still has it)
# and redrawn after it, so choices the page has just put in the URL are in the link.
share_link = sharing.ShareLink(navigation.url_path)
share_link.update(filters.current())
try:
    with ui.page_turn():  # a few pages at a time, the rest queue: see ui.PAGES_AT_ONCE
        navigation.run()
    share_link.update(filters.current())
except QueryError as error:
    st.error(str(error))
except Exception:
    # The tests set DASHBOARD_DEBUG so that a bug fails them; a user sees a sentence, never a traceback.
    if os.environ.get("DASHBOARD_DEBUG"):
        raise
    logging.getLogger("dashboard").exception("A page failed")
    st.error(
        "Sorry: this view could not be drawn from this extract. The problem has been logged. "
        "Try other filters, or check the About the data page for problems in the extract."
    )
