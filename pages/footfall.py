"""Footfall and outcomes: is busy the same as effective?

Sets each site's footfall beside its reach of vulnerable children and the
outcomes of the children living in its reach area (scrutiny/topics/footfall/).
"""

import streamlit as st

from scrutiny import charts, filters, queries, ui

from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences, tables as footfall_tables
from scrutiny.topics.gap import figures as gap_figures
from scrutiny.topics.footfall import charts as footfall_charts

st.title("Footfall and outcomes: is busy the same as effective?")
ui.guard("footfall")
current = filters.current()
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")
year_label = current.period_label
threshold = queries.extract_info().suppression_threshold
st.markdown(
    "Performance has often been reported as sign-ups and footfall rather than better outcomes for families. "
    "This page sets each site's footfall beside its reach of vulnerable children and the outcomes of the children "
    f"living in its reach area, for **{current.describe_markdown()}**."
)

indicators = footfall.indicators()
choice1, choice2, choice3 = st.columns(3)
with choice1:
    if indicators:
        code = filters.url_select("Outcome indicator", "indicator", {c: i.title for c, i in indicators.items()},
                                  gap_figures.default_indicator(indicators))
        indicator = indicators[code]
    else:
        indicator = None
        st.caption("The extract has no outcomes for centre reach areas, so only reach is set against footfall.")

table = footfall.site_table(current, indicator)
if table.empty:
    ui.empty(f"No site was open or sent footfall figures in {year_label} for these filters.")

with choice2:
    measure = filters.url_select("Compare footfall with", "measure", footfall.measures(indicator), footfall.REACH)
with choice3:
    site = filters.url_select("Site to follow", "site", {"": "All sites", **dict(zip(table.centre_id, table.centre_name))}, "")


answer = footfall.scatter(table, measure, indicator)
busy_low = int((answer.points.quadrant == footfall.BUSY_LOW).sum()) if not answer.points.empty else 0
ui.answer_first(
    [(f"Busy sites reaching fewer, {year_label}", f"{busy_low} of {len(answer.points)}" if len(answer.points) else "–",
      "Sites with more visits per under-five than the average of the sites plotted, and a lower share of the measure.")],
    footfall_sentences.scatter_sentence(answer, indicator, year_label),
    ["Which busy sites reach few children from the most deprived areas, and who is using them instead?",
     "Are sign-ups and footfall still how performance is reported, rather than outcomes?",
     "Which quiet sites do well, and what can others learn from them?"],
)

# --- 1. The site table ------------------------------------------------------------------------
st.header("Each site: footfall, reach and outcomes")
ui.sentence(footfall_sentences.table_sentence(table, current))
shown = footfall_tables.table_as_shown(table, indicator)
st.dataframe(shown, hide_index=True, width="stretch")
st.caption(
    "Visits per under-five: the site's visits in the year over the estimated under-fives living in its reach area. "
    "Target group: a target group on the child's record, or living in the 30% most deprived areas. Reach: the Reach "
    "page's measure, at least one attendance at any site by a child living in the reach area. Outcomes describe "
    "children living in the reach area, in the latest outcome year up to the chosen year."
)
sources = "footfall, attendances, children, population and areas tables" + (f"; outcomes: {indicator.source}" if indicator else "")
ui.download_csv(shown, f"Footfall, reach and outcomes by site, {year_label}", f"footfall-by-site-{year_label}",
                "footfall_table_download", current, sources)
ui.source(sources)
ui.suppression_note()

# --- 2. The scatter ---------------------------------------------------------------------------
st.header("Busy compared with effective")


# Draw-only: kept between reruns, so a click elsewhere replays it instead of building it again.
@ui.drawn_once
def busy_compared_with_effective(current, indicator, measure, site, threshold):
    table = footfall.site_table(current, indicator)
    year_label = current.period_label
    result = footfall.scatter(table, measure, indicator)
    names = footfall.quadrant_names(measure)
    ui.sentence(footfall_sentences.scatter_sentence(result, indicator, year_label))
    if site:
        st.markdown(footfall_sentences.site_summary(table, result, site, indicator, year_label))
    measure_label = footfall.measures(indicator)[measure]
    if not result.points.empty:
        figure = footfall_charts.busy_compared_with_effective(result, measure_label, names, followed=site)
        charts.show(figure, key="footfall_scatter")
    st.caption(footfall_sentences.CAUTION + " " + footfall_charts.SCATTER_KEY)
    note = footfall_sentences.dropped_note(result.dropped)
    if note:
        st.caption(note)


busy_compared_with_effective(current, indicator, measure, site, threshold)

# --- 3. Trends --------------------------------------------------------------------------------
st.header("Activity and results over time")


# Draw-only: kept between reruns, so a click elsewhere replays it instead of building it again.
@ui.drawn_once
def activity_and_results(current, indicator, site, threshold):
    table = footfall.site_table(current, indicator)
    followed = table.loc[table.centre_id == site, "centre_name"]
    who = followed.iloc[0] if site and not followed.empty else "the sites shown"
    monthly = footfall.monthly_footfall(current, site)
    reach = footfall.reach_trend(current, site)
    outcome = footfall.outcome_trend(current, indicator, site) if indicator else None
    ui.sentence(footfall_sentences.trend_sentence(monthly, reach, outcome, indicator, current, site, who))
    changes, site_level = charts.changes_to_mark(queries.run("service_changes", district=current.district), site)
    trend = footfall_charts.activity_and_results(monthly, reach, outcome, indicator, current.year, bool(site), changes)
    if monthly.empty and reach.reach_pct.isna().all():
        st.info("No footfall or reach figures to draw for this choice.")
    else:
        charts.show(trend, key="footfall_trend")
    st.caption(
        footfall_charts.TREND_KEY + (" " + charts.service_change_caption(changes) if not changes.empty else "")
        + (" " + charts.unmarked_changes_note(site_level, "site", focus=bool(site)) if site_level else "")
    )
    if monthly.visits_suppressed.any():
        st.caption(f"{int(monthly.visits_suppressed.sum())} monthly figures of fewer than {threshold} visits are not drawn.")


activity_and_results(current, indicator, site, threshold)

# --- 4. Libraries and children's centres ------------------------------------------------------
st.header("Libraries compared with children's centres")
comparison = footfall.site_type_comparison(current)
ui.sentence(footfall_sentences.comparison_sentence(comparison, year_label))
share = footfall_charts.who_came_by_site_type(comparison)
if share is not None:
    charts.show(share, key="footfall_site_types")
comparison_shown = footfall_tables.comparison_as_shown(comparison)
st.dataframe(comparison_shown, hide_index=True, width="stretch")
st.caption(
    "A child who used more than one type of site counts once for each type. \"Also used another type of site\" "
    "counts the children who came to both, say, a library and a children's centre in the year: one sign of "
    "joined-up working."
)
ui.download_csv(comparison_shown, f"Footfall and users by type of site, {year_label}", f"footfall-by-site-type-{year_label}",
                "footfall_types_download", current, "footfall, attendances, children and areas tables")
ui.source("footfall, attendances, children and areas tables")
