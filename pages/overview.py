"""Overview: the three questions a scrutiny topic group asks, each with a headline figure."""

import streamlit as st

import math

from scrutiny import charts, filters, findings, format, queries, stats, ui
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.queries import QueryError
from scrutiny.topics.gap import sentences as gap_sentences
from scrutiny.topics.reach import charts as reach_charts, figures
from scrutiny.topics.reach import sentences as reach_words

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


def rate_metric(label: str, count: int, row, hidden: bool, help: str) -> tuple[float, float] | None:
    """A headline percentage of the most deprived areas' under-fives: "c" where it rests on a small number or
    on a count the Reach page's disclosure plan hides. Returns its 95% interval when it is shown."""
    if hidden or row.population_hidden or stats.rate_suppressed(count, row.population, threshold):
        st.metric(label, "c", help=help)
        return None
    st.metric(label, format.percent(count / row.population, 0), help=help)
    return stats.wilson_interval(count, row.population)


def count(value: int, hidden: bool) -> str:
    return "c" if hidden else stats.show_count(value, threshold)


settings = figures.Settings()
try:
    areas = figures.area_figures(current, settings.sustained_min)
    row = figures.focus_row(figures.focus_rows(areas, current, "all", info.authority, threshold, settings), MOST_DEPRIVED_GROUP)
    by_year = figures.yearly(current, MOST_DEPRIVED_GROUP, threshold, settings).tail(5)
except QueryError:  # a broken table: the guard above has said which; the other questions still stand
    row = None
no_figures = row is None or row.population == 0
col1, col2, col3 = st.columns(3)

with col1:
    st.subheader("1. What support do vulnerable families get?")
    if no_figures:
        st.markdown("No reach figures for these filters.")
    else:
        if interval := rate_metric(REACHED_LABEL, row.reached, row, row.reached_hidden, reach_words.REACH_HELP):
            st.caption(f"{count(row.reached, row.reached_hidden)} of an estimated {count(row.population, row.population_hidden)} "
                       f"under-fives (95% CI {format.interval(*interval, 0)}); {count(row.missed, row.missed_hidden)} "
                       "were not reached.", help=reach_words.INTERVAL_HELP)
        st.caption(f"Reached, the last five years (dashed: {settings.good:.0%}):")
        charts.show(reach_charts.by_year(by_year, settings, height=190), key="overview_reach_by_year")
    st.page_link("pages/reach.py", label="Reach: who is missed", icon=":material/groups:")

with col2:
    st.subheader("2. How are vulnerable families identified and engaged?")
    if no_figures:
        st.markdown("No registration figures for these filters.")
    elif interval := rate_metric(REGISTERED_LABEL, row.registered, row, row.registered_hidden,
                                 reach_words.COLUMN_HELP["Registered"]):
        sustained = ("c" if row.sustained_hidden or row.population_hidden
                     or stats.rate_suppressed(row.sustained, row.population, threshold)
                     else format.percent(row.sustained / row.population, 0))
        st.caption(f"95% CI {format.interval(*interval, 0)}. {sustained} came at least {settings.sustained_min} times in "
                   "the year (sustained engagement).", help=f"{reach_words.INTERVAL_HELP} {reach_words.SUSTAINED_HELP}")
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
        st.metric("Gap in the headline outcome", shown, help=gap_sentences.GAP_HELP)
        st.caption(headline.sentence)
    st.page_link("pages/gap.py", label="Gap: is it narrowing?", icon=":material/trending_down:")
    st.page_link("pages/footfall.py", label="Footfall: busy or effective?", icon=":material/directions_walk:")

ui.source("children, attendances and population tables")
st.caption("Small numbers are suppressed; see About the data for definitions and the checks run on this extract.")
st.page_link("pages/data.py", label="About the data", icon=":material/info:")

# --- Lines of enquiry: the questions the data raises, ranked (scrutiny/findings.py) ---------------
st.divider()
findings.show_lines_of_enquiry(current)
