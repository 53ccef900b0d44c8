"""Overview: the three questions a scrutiny topic group asks, each with a headline figure."""

import streamlit as st

import math

from scrutiny import filters, findings, format, queries, stats, ui
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.queries import QueryError
from scrutiny.topics.gap import sentences as gap_sentences
from scrutiny.topics.reach import figures

st.title("Early years services: overview")
ui.guard("overview", stop=False)
info = queries.extract_info()
current = filters.current()
st.markdown(
    f"Evidence for scrutiny of {info.authority}'s services for children under five and their families: "
    f"children's centres, family hubs and library under-fives services. Figures are for **{current.describe_markdown()}**."
)
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")

threshold = info.suppression_threshold
# Short labels: a metric label is cut off at one line on a shared screen.
REACHED_LABEL = "Reached: most deprived 30% of areas"
REGISTERED_LABEL = "Registered: most deprived 30% of areas"


def rate_metric(label: str, count: int, totals, help: str) -> tuple[float, float] | None:
    """A headline percentage of the most deprived areas' under-fives, "c" when it rests on a small number.

    Returns its 95% interval when it is shown.
    """
    if stats.rate_suppressed(count, totals.population, threshold):
        st.metric(label, "c", help=help)
        return None
    st.metric(label, stats.show_percent(count / totals.population), help=help)
    return stats.wilson_interval(count, totals.population)


totals = figures.headline_totals(current, MOST_DEPRIVED_GROUP)
no_figures = totals is None or totals.population == 0
col1, col2, col3 = st.columns(3)

with col1:
    st.subheader("1. What support do vulnerable families get?")
    if no_figures:
        st.markdown("No reach figures for these filters.")
    elif interval := rate_metric(REACHED_LABEL, totals.reached, totals,
                                 "Reached: at least one attendance at any site in the year. 95% interval shown below."):
        st.caption(
            f"{stats.show_count(totals.reached, threshold)} of an estimated {stats.show_count(totals.population, threshold)} "
            f"under-fives (95% CI {stats.show_interval(*interval)}); "
            f"{stats.show_count(totals.missed, threshold)} were not reached."
        )
    st.page_link("pages/reach.py", label="Reach: who is missed", icon=":material/groups:")

with col2:
    st.subheader("2. How are vulnerable families identified and engaged?")
    if no_figures:
        st.markdown("No registration figures for these filters.")
    elif interval := rate_metric(REGISTERED_LABEL, totals.registered, totals,
                                 "Registered: living in a reach area and registered by the end of the year."):
        sustained = ("c" if stats.rate_suppressed(totals.sustained, totals.population, threshold)
                     else stats.show_percent(totals.sustained / totals.population))
        st.caption(f"95% CI {stats.show_interval(*interval)}. {sustained} came at least {stats.SUSTAINED_MIN} times in the year (sustained engagement).")
    st.page_link("pages/feedback.py", label="Feedback: what people said", icon=":material/forum:")

with col3:
    st.subheader("3. Are the wellbeing and attainment gaps narrowing?")
    try:
        headline = gap_sentences.headline_gap(current.year, current.district)
    except QueryError:
        headline = None
    if headline is None:
        st.markdown("No outcome figures for these filters. The Gap page compares children on free school meals with the rest, year by year.")
    else:
        shown = "c" if math.isnan(headline.gap) else f"{format.points(headline.gap, unit=False)} points"
        st.metric("Gap in the headline outcome", shown, help="Reference group % minus focus group %; positive means the focus group is behind.")
        st.caption(headline.sentence)
    st.page_link("pages/gap.py", label="Gap: is it narrowing?", icon=":material/trending_down:")
    st.page_link("pages/footfall.py", label="Footfall: busy or effective?", icon=":material/directions_walk:")

ui.source("children, attendances and population tables")
st.caption("Small numbers are suppressed; see About the data for definitions and the checks run on this extract.")
st.page_link("pages/data.py", label="About the data", icon=":material/info:")

# --- Lines of enquiry: the questions the data raises, ranked (scrutiny/findings.py) ---------------
st.divider()
findings.show_lines_of_enquiry(current)
