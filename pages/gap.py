"""The wellbeing and attainment gap: is it narrowing?

Every figure comes from scrutiny.gaps (also used by the overview and the
evidence pack); the charts from scrutiny.gap_charts.
"""

import pandas as pd
import streamlit as st

from scrutiny import charts, filters, gap_charts, gaps, labels, stats, ui
from scrutiny.gaps import AUTHORITY, CENTRE, DISTRICT

# Sections that only draw, kept between reruns (ui.drawn_once): a click elsewhere on the page
# replays them instead of building their charts again.

def _trend_to(indicator, geography, year):
    trend_all = gaps.gap_trend(indicator, geography)
    return trend_all[trend_all["year"] <= year].reset_index(drop=True)


@ui.drawn_once
def over_time(indicator, geography, year):
    trend = _trend_to(indicator, geography, year)
    latest = trend[trend["year"] == year].iloc[0]
    previous = trend[(trend["year"] < year)]
    previous = previous.iloc[-1] if not previous.empty else None
    changes = gap_charts.changes_in_view(trend, gaps.service_changes_for(geography))
    if indicator.break_year is not None and trend["year"].min() < indicator.break_year <= trend["year"].max():
        st.warning(indicator.break_note())

    st.subheader("The two groups over time")
    ui.sentence(gaps.values_sentence(latest, indicator, previous))
    charts.show(gap_charts.groups_over_time(trend, indicator, changes), key="gap_groups_chart")
    hidden_years = int((trend["focus_suppressed"] | trend["reference_suppressed"]).sum())
    if hidden_years:
        st.caption(f"{gaps.count_of(hidden_years, 'year')} with too few children in a group "
                   f"{'is' if hidden_years == 1 else 'are'} left off the chart.")

    st.subheader("The gap over time")
    sentence = gaps.gap_sentence(latest, indicator, geography)
    long_run = gaps.long_run_sentence(latest, indicator)
    ui.sentence(sentence + (" " + long_run if long_run else ""))
    charts.show(gap_charts.gap_over_time(trend, indicator, changes), key="gap_trend_chart")
    caption = charts.service_change_caption(changes)
    if caption:
        st.caption(caption)


@ui.drawn_once
def against_benchmarks(indicator, geography, year):
    trend = _trend_to(indicator, geography, year)
    benchmarks = gaps.benchmark_trend(indicator)
    benchmarks = benchmarks[benchmarks["year"] <= year]
    ui.sentence(gaps.benchmark_sentence(trend, indicator, geography, benchmarks))
    drawn = False
    for measure, title, key in (("gap", "The gap", "gap_benchmark_gap_chart"),
                                ("focus", indicator.focus_label, "gap_benchmark_focus_chart"),
                                ("all", "All children", "gap_benchmark_all_chart")):
        if measure == "all" and drawn:
            break
        fig = gap_charts.against_benchmarks(trend, benchmarks, indicator, geography, measure)
        if fig is None:
            continue
        st.markdown(f"**{title}: {geography.name} against the benchmarks**")
        charts.show(fig, key=key)
        drawn = True
    if drawn:
        sources = "; ".join(dict.fromkeys(s for text in benchmarks["source"] for s in str(text).split("; ")))
        st.caption(f"Benchmark sources: {sources}. Benchmarks are published figures; where they carry no interval, "
                   f"{geography.name} is judged by its own 95% interval.")


@ui.drawn_once
def widest_gaps(indicator, geography, year, centre_filters):
    areas = gaps.gap_by_area(indicator, year, **centre_filters)
    for level, title, key in ((DISTRICT, "By district", "gap_district_chart"), (CENTRE, "By centre reach area", "gap_centre_chart")):
        st.subheader(title)
        ui.sentence(gaps.area_sentence(areas, level, indicator, year))
        fig = gap_charts.gap_bars(areas, level, geography, indicator)
        if fig is not None:
            charts.show(fig, key=key)
            drawn_areas = int(((areas["geography_level"] == level) & areas["gap"].notna()).sum())
            if drawn_areas > gap_charts.MAX_BARS:
                st.caption(f"The chart shows the {gap_charts.MAX_BARS // 2} widest and {gap_charts.MAX_BARS // 2} narrowest "
                           f"gaps of the {drawn_areas}; the download below has them all.")
    if geography.level in (DISTRICT, CENTRE) and geography.district:
        st.caption(f"Reach areas shown: those in {geography.district}. ◀ marks the area chosen above.")


@ui.drawn_once
def funnel(indicator, geography, whole, year, centre_filters):
    trend_all = gaps.gap_trend(indicator, geography)
    areas = gaps.gap_by_area(indicator, year, **centre_filters)
    authority_trend = gaps.gap_trend(indicator, whole) if geography.code != whole.code or geography.level != whole.level else trend_all
    authority_row = authority_trend[authority_trend["year"] == year]
    centre_rows = areas[areas["geography_level"] == CENTRE]
    if authority_row.empty or authority_row.iloc[0]["focus_suppressed"] or authority_row["focus_pct"].isna().all():
        ui.sentence(f"The funnel plot needs the authority's figure for {indicator.focus_words} in {labels.financial_year(year)}, "
                    "which the extract does not show.")
    else:
        target = float(authority_row.iloc[0]["focus_pct"])
        funnel_rows = gaps.funnel_points(centre_rows, target, indicator)
        hidden = len(centre_rows) - len(funnel_rows)
        ui.sentence(gaps.funnel_sentence(funnel_rows, hidden, target, indicator, whole.name, year))
        if not funnel_rows.empty:
            curve = gaps.funnel_curve(target, funnel_rows["focus_denominator"], indicator=indicator)
            charts.show(gap_charts.funnel(funnel_rows, curve, target, indicator, whole.name, geography), key="gap_funnel_chart")
            st.caption("A small reach area's figure swings a long way by chance; the funnel's limits widen for small "
                       "numbers so that only differences bigger than chance stand out. The limits are exact around the "
                       "authority's value (binomial; Poisson for a rate): an area is outside the 95% (99.8%) limits only "
                       "when chance alone would give a figure that far out less than 2.5% (0.1%) of the time.")


@ui.drawn_once
def deprivation_gradient(indicator, geography, year):
    gradient = gaps.deprivation_gradient(indicator, geography, year)
    ui.sentence(gaps.gradient_sentence(gradient, indicator, geography, year))
    fig = gap_charts.gradient_bars(gradient, indicator)
    if fig is not None:
        charts.show(fig, key="gap_gradient_chart")
        hidden = int(gradient["value_suppressed"].sum())
        if hidden:
            st.caption(gaps.too_few(hidden, "quintile").strip())


st.title("Is the wellbeing and attainment gap narrowing?")
ui.guard("gap")
current = filters.current()

available = gaps.indicators()
places = gaps.geographies()
if not available:
    ui.empty("The extract has no indicators, so there is no gap to show. See About the data.")
if not places:
    ui.empty("The extract has no outcome figures, so there is no gap to show. See About the data.")
whole = gaps.authority() or places[0]

# The terms, one click away: the answer below must fit on the first screen.
st.expander("How to read the gap: focus group, reference group, narrowing").markdown(
    "Each indicator compares a **focus group** (for example children on free school meals) with a **reference group** "
    "(the other children). The **gap** is in percentage points (for a rate, per 1,000 children or the rate's own base) and is "
    "signed so that a positive gap means the focus "
    "group is worse off, whether higher or lower is better for that indicator. A gap is called **narrowing** or "
    "**widening** only when the whole 95% interval of its change is on one side of zero; otherwise it is **no clear change**."
)

# --- Choices: the area (URL `geography`) and the indicator (URL `indicator`) -------------------
by_code: dict[str, gaps.Geography] = {}
for place in places:
    by_code.setdefault(place.code, place)
district_codes = {p.code for p in places if p.level == DISTRICT}
# The sidebar's district filter picks the area; when it changes, the area follows it.
default_code = current.district if current.district in district_codes else whole.code
if st.session_state.get("_gap_sidebar_district", current.district) != current.district:
    st.session_state.pop("geography", None)
    st.query_params.pop("geography", None)
st.session_state["_gap_sidebar_district"] = current.district

left, right = st.columns(2)
geography = by_code[filters.url_select(
    "Area", "geography", {code: place.label for code, place in by_code.items()}, default_code, where=left,
    help="The whole authority, a district, or a centre's reach area (the children living in it).",
)]
indicator = available[filters.url_select(
    "Indicator", "indicator", {code: ind.title for code, ind in available.items()}, gaps.default_indicator(available),
    where=right, help="Every indicator in the extract, attainment first.",
)]

notes = [
    "Outcome years are labelled by their first year, so 2022 is 2022-23 (an academic year for school measures, "
    "a financial year for health measures). "
    + (f"The sidebar's year, {current.period_label}, sets the latest year shown: each indicator's latest year up to it."
       if current.year is not None else "Each indicator's latest year is shown.")
]
if current.district and geography.level != AUTHORITY:
    notes.append(f"The sidebar's district filter ({current.district}) chose the area; you can choose another above.")
if any(getattr(current, key) for key in ("cluster", "lead_agency", "site_type")):
    notes.append("The sidebar's cluster, lead agency and site type filters narrow the reach areas in the area charts.")
st.caption(" ".join(notes))

answer_trend = gaps.gap_trend(indicator, geography)
answer_year = gaps.latest_year(answer_trend["year"], current.year)
if answer_year is not None:
    latest = answer_trend[answer_trend["year"] <= answer_year].iloc[-1]
    hidden = bool(latest.get("gap_suppressed", False)) or pd.isna(latest["gap"])
    ui.answer_first(
        [(f"Gap, {labels.financial_year(answer_year)}", stats.SUPPRESSED if hidden else f"{gaps.points(latest['gap'])} points",
          "The reference group's % minus the focus group's; positive means the focus group is behind.")],
        gaps.gap_sentence(latest, indicator, geography),
        [f"What is being done for {indicator.focus_words}, and how will we know it worked?",
         "Which areas have the widest gaps, and are they the ones services reach?",
         "Is the gap narrowing faster or slower than in England?"],
    )

# --- 1. Every indicator ------------------------------------------------------------------------
st.header(f"Every indicator: {geography.words}")
overview = gaps.indicator_overview(geography.level, geography.code, current.year)
ui.sentence(gaps.overview_sentence(overview, geography))
shown_overview = gaps.overview_table(overview)
st.dataframe(shown_overview, hide_index=True, width="stretch",
             column_config={"Indicator": st.column_config.TextColumn(pinned=True)})
ui.download_csv(shown_overview, f"Gaps for every indicator: {geography.name}", f"gaps_every_indicator_{current.period_label}", "gap_overview_csv",
                current, "outcomes, indicators and benchmarks tables")
st.caption("Focus and reference % carry 95% Wilson intervals; gaps and changes carry Newcombe's hybrid score interval "
           "(changes combine two years' intervals by the square-and-add method). England is compared with the focus "
           "group where England publishes it, otherwise with all children.")

# --- 2. The chosen indicator over time -----------------------------------------------------------
trend_all = gaps.gap_trend(indicator, geography)
year = gaps.latest_year(trend_all["year"], current.year)
st.header(f"{indicator.title}: {geography.words}")
if year is None:
    ui.empty(f"The extract has no figures for {indicator.subject} in {geography.words}"
             + (f" up to {current.period_label}." if current.year is not None else "."))
trend = trend_all[trend_all["year"] <= year].reset_index(drop=True)
over_time(indicator, geography, year)
shown_trend = gaps.trend_table(trend, indicator)
with st.expander("The figures year by year"):
    st.dataframe(shown_trend, hide_index=True, width="stretch")
ui.download_csv(shown_trend, f"{indicator.title}: gap by year, {geography.name}", f"gap_{indicator.code}_by_year_to_{labels.financial_year(year)}",
                "gap_trend_csv", current, indicator.source)

# --- 3. Benchmarks ------------------------------------------------------------------------------
st.header("Against England and other benchmarks")
against_benchmarks(indicator, geography, year)

# --- 4. Areas -----------------------------------------------------------------------------------
st.header(f"Which areas have the widest gaps? ({labels.financial_year(year)})")
centre_filters = current.centre_parameters()
if geography.level in (DISTRICT, CENTRE) and geography.district:
    centre_filters["district"] = geography.district
areas = gaps.gap_by_area(indicator, year, **centre_filters)
widest_gaps(indicator, geography, year, centre_filters)
shown_areas = gaps.area_table(areas, indicator)
ui.download_csv(shown_areas, f"{indicator.title}: gap by area, {labels.financial_year(year)}", f"gap_{indicator.code}_by_area_{labels.financial_year(year)}",
                "gap_area_csv", current, indicator.source)

st.subheader("Funnel plot: which reach areas differ by more than chance?")
funnel(indicator, geography, whole, year, centre_filters)

# --- 5. Deprivation gradient ----------------------------------------------------------------------
st.header("The deprivation gradient")
deprivation_gradient(indicator, geography, year)

ui.source(f"{indicator.source}; outcomes and indicators tables")
ui.suppression_note()
