"""Overview: the three questions a scrutiny topic group asks, each with a headline figure."""

import streamlit as st

from scrutiny import filters, labels, queries, stats, ui
from scrutiny.queries import QueryError

st.title("Early years services: overview")
ui.guard("overview", stop=False)
info = queries.extract_info()
current = filters.current()
st.markdown(
    f"Evidence for scrutiny of {info.authority}'s services for children under five and their families: "
    f"children's centres, family hubs and library under-fives services. Figures are for **{current.describe()}**."
)
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")

threshold = info.suppression_threshold


def reach_headline(group: str):
    """Authority-wide reach of one target group for the current filters, or None."""
    try:
        rows = queries.run("reach_by_centre", year=current.year, sustained_min=3, **current.centre_parameters())
    except QueryError:
        return None
    rows = rows[rows.target_group == group]
    if rows.empty:
        return None
    return rows[["population", "registered", "reached", "sustained", "missed"]].sum()


col1, col2, col3 = st.columns(3)

with col1:
    st.subheader("1. What support do vulnerable families get?")
    totals = reach_headline("most_deprived_30")
    if totals is None or totals.population == 0:
        st.markdown("No reach figures for these filters.")
    elif stats.rate_suppressed(totals.reached, totals.population, threshold):
        st.metric("Children in the most deprived 30% of areas reached", "c")
    else:
        lower, upper = stats.wilson_interval(totals.reached, totals.population)
        st.metric(
            "Children in the most deprived 30% of areas reached",
            stats.show_percent(totals.reached / totals.population),
            help="Reached: at least one attendance at any site in the year. 95% interval shown below.",
        )
        st.caption(
            f"{stats.show_count(totals.reached, threshold)} of an estimated {stats.show_count(totals.population, threshold)} "
            f"under-fives (95% CI {stats.show_interval(lower, upper)}); "
            f"{stats.show_count(totals.missed, threshold)} were not reached."
        )
    st.page_link("pages/reach.py", label="Reach: who is reached and who is missed", icon=":material/groups:")

with col2:
    st.subheader("2. How are vulnerable families identified and engaged?")
    totals = reach_headline("most_deprived_30")
    if totals is None or totals.population == 0:
        st.markdown("No registration figures for these filters.")
    elif stats.rate_suppressed(totals.registered, totals.population, threshold):
        st.metric("Under-fives in the most deprived 30% of areas registered", "c")
    else:
        lower, upper = stats.wilson_interval(totals.registered, totals.population)
        st.metric("Under-fives in the most deprived 30% of areas registered", stats.show_percent(totals.registered / totals.population))
        sustained = "c" if stats.rate_suppressed(totals.sustained, totals.population, threshold) else stats.show_percent(totals.sustained / totals.population)
        st.caption(f"95% CI {stats.show_interval(lower, upper)}. {sustained} came at least 3 times in the year (sustained engagement).")
    st.page_link("pages/feedback.py", label="Feedback: what parents, staff and volunteers said", icon=":material/forum:")

with col3:
    st.subheader("3. Are the wellbeing and attainment gaps narrowing?")
    st.markdown("The Gap page compares children on free school meals with the rest, year by year, with honest intervals.")
    st.page_link("pages/gap.py", label="Gap: is it narrowing?", icon=":material/trending_down:")
    st.page_link("pages/footfall.py", label="Footfall and outcomes: is busy the same as effective?", icon=":material/directions_walk:")

ui.source("children, attendances and population tables")
st.caption("Small numbers are suppressed; see About the data for definitions and the checks run on this extract.")
st.page_link("pages/data.py", label="About the data", icon=":material/info:")

# --- Lines of enquiry: the questions the data raises, ranked (scrutiny/findings.py) ---------------
from scrutiny import findings  # noqa: E402

st.divider()
findings.show_lines_of_enquiry(current)
