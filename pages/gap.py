"""The wellbeing and attainment gap: is it narrowing?

Figures from scrutiny/topics/gap/figures.py (through the outcomes plan), drawn with its charts.py,
written with its sentences.py and tables.py; the overview and the evidence pack use the same.
"""

import streamlit as st

from scrutiny import charts, filters, labels, ui
from scrutiny.topics.gap import charts as gap_charts, figures as gap, sentences as words, tables
from scrutiny.topics.gap.figures import CENTRE, DISTRICT


# Sections that only draw, kept between reruns (ui.drawn_once): a click elsewhere replays them.
@ui.drawn_once
def over_time(indicator, geography, year):
    trend = gap.trend_to(indicator, geography, year)
    latest, previous = gap.latest_and_previous(trend, year)
    changes = gap_charts.changes_in_view(trend, gap.service_changes_for(geography))
    if gap.crosses_break(indicator, trend):
        st.warning(indicator.break_note())
    st.subheader("The two groups over time")
    ui.section(None, words.values_sentence(latest, indicator, previous), gap_charts.groups_over_time(trend, indicator, changes),
               key="gap_groups_chart", notes=[words.hidden_years_note(gap.hidden_years(trend))])


@ui.drawn_once
def the_answer(indicator, geography, year):
    trend = gap.trend_to(indicator, geography, year)
    changes = gap_charts.changes_in_view(trend, gap.service_changes_for(geography))
    ui.answer_first([(f"Gap, {labels.financial_year(year)}", words.headline_value(trend.iloc[-1]), words.GAP_HELP)],
                    words.gap_sentence(trend.iloc[-1], indicator, geography), words.asks(indicator),
                    chart=gap_charts.gap_over_time(trend, indicator, changes, height=240, small=True),
                    chart_key="gap_trend_chart", chart_caption=words.main_chart_caption(indicator, geography))
    st.caption(" ".join(n for n in (words.long_run_sentence(trend.iloc[-1], indicator), charts.service_change_caption(changes)) if n))


@ui.drawn_once
def against_benchmarks(indicator, geography, year):
    trend = gap.trend_to(indicator, geography, year)
    benchmarks = gap.benchmark_trend(indicator)
    benchmarks = benchmarks[benchmarks["year"] <= year]
    ui.sentence(words.benchmark_sentence(trend, indicator, geography, benchmarks))
    drawn = gap_charts.benchmark_charts(trend, benchmarks, indicator, geography)
    for title, fig, key in drawn:
        ui.section(None, title, fig, key=key)
    if drawn:
        st.caption(words.benchmark_note(gap.benchmark_sources(benchmarks), geography))


@ui.drawn_once
def widest_gaps(indicator, geography, year, centre_filters):
    areas = gap.gap_by_area(indicator, year, **centre_filters)
    for level, title, key in ((DISTRICT, "By district", "gap_district_chart"), (CENTRE, "By centre reach area", "gap_centre_chart")):
        st.subheader(title)
        ui.section(None, words.area_sentence(areas, level, indicator, year), gap_charts.gap_bars(areas, level, geography, indicator),
                   key=key, notes=[words.bars_note(areas, level, gap_charts.MAX_BARS)])
    if geography.level in (DISTRICT, CENTRE) and geography.district:
        st.caption(f"Reach areas shown: those in {geography.district}. ◀ marks the area chosen above.")


@ui.drawn_once
def funnel(indicator, geography, whole, year, centre_filters):
    shown = gap.funnel_figures(indicator, whole, year, gap.gap_by_area(indicator, year, **centre_filters))
    if shown.target is None:
        return ui.sentence(words.no_funnel_sentence(indicator, year))
    figure = gap_charts.funnel(shown.points, shown.curve, shown.target, indicator, whole.name, geography) if len(shown.points) else None
    ui.section(None, words.funnel_sentence(shown.points, shown.hidden, shown.target, indicator, whole.name, year), figure,
               key="gap_funnel_chart", notes=[words.FUNNEL_NOTE if figure is not None else ""])


@ui.drawn_once
def deprivation_gradient(indicator, geography, year):
    gradient = gap.deprivation_gradient(indicator, geography, year)
    figure = gap_charts.gradient_bars(gradient, indicator)
    hidden = int(gradient["value_suppressed"].sum()) if figure is not None else 0
    ui.section(None, words.gradient_sentence(gradient, indicator, geography, year), figure,
               key="gap_gradient_chart", notes=[words.too_few(hidden, "quintile").strip()])


st.title("Is the wellbeing and attainment gap narrowing?")
ui.guard("gap")
current = filters.current()
available, places = gap.indicators(), gap.geographies()
if not available:
    ui.empty("The extract has no indicators, so there is no gap to show. See About the data.")
if not places:
    ui.empty("The extract has no outcome figures, so there is no gap to show. See About the data.")
whole = gap.authority() or places[0]

# --- Choices: the area (URL `geography`) and the indicator (URL `indicator`) -------------------
by_code = gap.places_by_code(places)
# The sidebar's district filter picks the area; when it changes, the area follows it.
default_code = gap.default_place(places, current.district, whole)
if st.session_state.get("_gap_sidebar_district", current.district) != current.district:
    st.session_state.pop("geography", None)
    st.query_params.pop("geography", None)
st.session_state["_gap_sidebar_district"] = current.district
left, right = st.columns(2)
geography = by_code[filters.url_select(
    "Area", "geography", {code: place.label for code, place in by_code.items()}, default_code, where=left,
    help="The whole authority, a district, or a centre's reach area (the children living in it).")]
indicator = available[filters.url_select(
    "Indicator", "indicator", {code: ind.title for code, ind in available.items()}, gap.default_indicator(available),
    where=right, help="Every indicator in the extract, attainment first.")]

# The answer and the chart that answers the page's question first; the terms and notes one click below.
year = gap.latest_year(gap.gap_trend(indicator, geography)["year"], current.year)
if year is not None:
    the_answer(indicator, geography, year)
st.expander("How to read the gap: focus group, reference group, narrowing").markdown(words.HOW_TO_READ)
st.caption(words.page_notes(current, geography))

# --- 1. Every indicator ------------------------------------------------------------------------
overview = gap.indicator_overview(geography.level, geography.code, current.year)
shown_overview = tables.overview_table(overview)
st.header(f"Every indicator: {geography.words}")
ui.sentence(words.overview_sentence(overview, geography))
st.dataframe(shown_overview, hide_index=True, width="stretch", column_config={"Indicator": st.column_config.TextColumn(pinned=True)}
             | {column: st.column_config.Column(help=text) for column, text in tables.column_help(shown_overview).items()})
ui.download_csv(shown_overview, f"Gaps for every indicator: {geography.name}", f"gaps_every_indicator_{current.period_label}",
                "gap_overview_csv", current, "outcomes, indicators and benchmarks tables")
st.caption(words.INTERVALS_NOTE)

# --- 2. The chosen indicator over time -----------------------------------------------------------
st.header(f"{indicator.title}: {geography.words}")
if year is None:
    ui.empty(f"The extract has no figures for {indicator.subject} in {geography.words}"
             + (f" up to {current.period_label}." if current.year is not None else "."))
over_time(indicator, geography, year)
shown_trend = tables.trend_table(gap.trend_to(indicator, geography, year), indicator)
with st.expander("The figures year by year"):
    st.dataframe(shown_trend, hide_index=True, width="stretch",
                 column_config={column: st.column_config.Column(help=text) for column, text in tables.column_help(shown_trend).items()})
ui.download_csv(shown_trend, f"{indicator.title}: gap by year, {geography.name}", f"gap_{indicator.code}_by_year_to_{labels.financial_year(year)}",
                "gap_trend_csv", current, indicator.source)

# --- 3. Benchmarks, 4. areas and the funnel, 5. the deprivation gradient -------------------------
st.header("Against England and other benchmarks")
against_benchmarks(indicator, geography, year)
st.header(f"Which areas have the widest gaps? ({labels.financial_year(year)})")
centre_filters = gap.area_filters(current.centre_parameters(), geography)
widest_gaps(indicator, geography, year, centre_filters)
ui.download_csv(tables.area_table(gap.gap_by_area(indicator, year, **centre_filters), indicator),
                f"{indicator.title}: gap by area, {labels.financial_year(year)}", f"gap_{indicator.code}_by_area_{labels.financial_year(year)}",
                "gap_area_csv", current, indicator.source)
st.subheader("Funnel plot: which reach areas differ by more than chance?")
funnel(indicator, geography, whole, year, centre_filters)
st.header("The deprivation gradient")
deprivation_gradient(indicator, geography, year)
ui.source(f"{indicator.source}; outcomes and indicators tables")
ui.suppression_note()
