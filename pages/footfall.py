"""Footfall and outcomes: is busy the same as effective?

Sets each site's footfall beside its reach of vulnerable children and the outcomes of the children
living in its reach area. Figures, words, tables and charts come from scrutiny/topics/footfall/
(tested there); this page reads the choices and draws one section per figure, the answer's chart first.
"""

import streamlit as st

from scrutiny import charts as look, filters, queries, ui
from scrutiny.topics.footfall import charts, figures, sentences, tables
from scrutiny.topics.gap import figures as gap_figures

st.title("Footfall and outcomes: is busy the same as effective?")
ui.guard("footfall")
current = filters.current()
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")
year_label = current.period_label

indicators = figures.indicators()
choice1, choice2, choice3 = st.columns(3)
with choice1:
    if indicators:
        code = filters.url_select("Outcome indicator", "indicator", {c: i.title for c, i in indicators.items()},
                                  gap_figures.default_indicator(indicators))
        indicator = indicators[code]
    else:
        indicator = None
        st.caption("The extract has no outcomes for centre reach areas, so only reach is set against footfall.")

table = figures.site_table(current, indicator)
if table.empty:
    ui.empty(f"No site was open or sent footfall figures in {year_label} for these filters.")

with choice2:
    measure = filters.url_select("Compare footfall with", "measure", figures.measures(indicator), figures.REACH,
                                 help=sentences.MEASURE_HELP)
with choice3:
    site = filters.url_select("Site to follow", "site", {"": "All sites", **dict(zip(table.centre_id, table.centre_name))}, "")

answer = figures.scatter(table, measure, indicator)
# The chart that answers the page's question, small, inside the answer: on the first screen.
ui.answer_first([sentences.answer_figure(*figures.busy_low_count(answer), year_label)],
                sentences.scatter_sentence(answer, indicator, year_label), sentences.ASKS,
                chart=None if answer.points.empty else charts.busy_compared_with_effective(
                    answer, figures.measures(indicator)[measure], figures.quadrant_names(measure), compact=True),
                chart_key="footfall_answer_chart", chart_caption=sentences.answer_chart_caption(measure, indicator))
st.markdown(
    "Performance has often been reported as sign-ups and footfall rather than better outcomes for families. "
    "This page sets each site's footfall beside its reach of vulnerable children and the outcomes of the children "
    f"living in its reach area, for **{current.describe_markdown()}**."
)


# Draw-only: kept between reruns, so a click elsewhere replays it instead of building it again.
@ui.drawn_once
def busy_compared_with_effective(current, indicator, measure, site):
    table = figures.site_table(current, indicator)
    result = figures.scatter(table, measure, indicator)
    summary = sentences.site_summary(table, result, site, indicator, current.period_label) if site else ""
    figure = None if result.points.empty else charts.busy_compared_with_effective(
        result, figures.measures(indicator)[measure], figures.quadrant_names(measure), followed=site)
    ui.section("Busy compared with effective", summary, figure, key="footfall_scatter", empty_note=sentences.NO_POINTS,
               notes=[sentences.CAUTION + " " + charts.SCATTER_KEY, sentences.dropped_note(result.dropped)])


busy_compared_with_effective(current, indicator, measure, site)

# --- Each site: the name, the figures and the verdict first; the terms explained where they appear ---
st.header("Each site: footfall, reach and outcomes")
ui.sentence(sentences.table_sentence(table, current))
shown = tables.table_as_shown(table, indicator)
with st.container(key="footfall_site_table"):
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"Site": st.column_config.TextColumn(pinned=True)}
                 | {column: st.column_config.Column(help=text) for column, text in tables.column_help(shown).items()})
st.caption(sentences.SITE_TABLE_NOTE)
sources = sentences.SOURCE + (f"; outcomes: {indicator.source}" if indicator else "")
ui.source(sources)
ui.download_csv(shown, f"Footfall, reach and outcomes by site, {year_label}", f"footfall-by-site-{year_label}",
                "footfall_table_download", current, sources)
ui.suppression_note()


@ui.drawn_once
def activity_and_results(current, indicator, site):
    trend = figures.trend(current, indicator, site)
    changes, site_level = look.changes_to_mark(queries.run("service_changes", district=current.district), site)
    drawable = not (trend.monthly.empty and trend.reach.reach_pct.isna().all())
    ui.section("Activity and results over time",
               sentences.trend_sentence(trend.monthly, trend.reach, trend.outcome, indicator, current, site, trend.who),
               charts.activity_and_results(trend.monthly, trend.reach, trend.outcome, indicator, current.year, bool(site),
                                           changes) if drawable else None,
               key="footfall_trend", empty_note="No footfall or reach figures to draw for this choice.",
               notes=sentences.trend_notes(trend, changes, site_level, site))


activity_and_results(current, indicator, site)

comparison = figures.site_type_comparison(current)
comparison_shown = tables.comparison_as_shown(comparison)
ui.section("Libraries compared with children's centres", sentences.comparison_sentence(comparison, year_label),
           charts.who_came_by_site_type(comparison), key="footfall_site_types", table=comparison_shown,
           notes=[sentences.TYPES_NOTE], source_text=sentences.TYPES_SOURCE,
           download=ui.Download(comparison_shown, f"Footfall and users by type of site, {year_label}",
                                f"footfall-by-site-type-{year_label}", "footfall_types_download", current,
                                sentences.TYPES_SOURCE))
