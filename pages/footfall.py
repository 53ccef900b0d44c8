"""Footfall and outcomes: is busy the same as effective?

Sets each site's footfall beside its reach of vulnerable children and the
outcomes of the children living in its reach area (scrutiny/footfall.py).
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from scrutiny import charts, filters, footfall, gaps, labels, queries, section_charts, stats, ui
from scrutiny.contract import MOST_DEPRIVED_GROUP

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
                                  gaps.default_indicator(indicators))
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
site_colour = section_charts.site_colour


answer = footfall.scatter(table, measure, indicator)
busy_low = int((answer.points.quadrant == footfall.BUSY_LOW).sum()) if not answer.points.empty else 0
ui.answer_first(
    [(f"Busy sites reaching fewer, {year_label}", f"{busy_low} of {len(answer.points)}" if len(answer.points) else "–",
      "Sites with more visits per under-five than the average of the sites plotted, and a lower share of the measure.")],
    footfall.scatter_sentence(answer, indicator, year_label),
    ["Which busy sites reach few children from the most deprived areas, and who is using them instead?",
     "Are sign-ups and footfall still how performance is reported, rather than outcomes?",
     "Which quiet sites do well, and what can others learn from them?"],
)

# --- 1. The site table ------------------------------------------------------------------------
st.header("Each site: footfall, reach and outcomes")
ui.sentence(footfall.table_sentence(table, year_label, threshold))
shown = footfall.table_as_shown(table, indicator)
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
    ui.sentence(footfall.scatter_sentence(result, indicator, year_label))
    if site:
        st.markdown(footfall.site_summary(table, result, site, indicator, year_label))
    measure_label = footfall.measures(indicator)[measure]
    if not result.points.empty:
        figure = section_charts.busy_compared_with_effective(result, measure_label, names, threshold, followed=site)
        charts.show(figure, key="footfall_scatter")
    st.caption(footfall.CAUTION + " " + section_charts.SCATTER_KEY)
    note = footfall.dropped_note(result.dropped)
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
    ui.sentence(footfall.trend_sentence(monthly, reach, outcome, indicator, current.year, who))
    rows = 3 if indicator else 2
    # The first panel's title goes on its axis: the numbered service changes sit above the figure.
    titles = ["",
              f"Reach of children in the {labels.target_group(MOST_DEPRIVED_GROUP)} (%)"]
    if indicator:
        titles.append(f"{indicator.title} (%), children in the reach area" + ("" if site else "s"))
    trend = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=titles)
    for code, group in monthly.groupby("site_type", sort=False):
        trend.add_trace(go.Scatter(x=group.month, y=group.visits_shown, mode="lines+markers", name=labels.site_type(code),
                                   line=dict(color=site_colour(code)), connectgaps=False,
                                   hovertemplate="%{x|%b %Y}: %{y:,} visits<extra>" + labels.site_type(code) + "</extra>"),
                        row=1, col=1)


    def yearly_trace(frame: pd.DataFrame, prefix: str, name: str, colour: str, row: int) -> None:
        shown_years = frame[frame[f"{prefix}_pct"].notna()]
        trend.add_trace(go.Scatter(
            x=[footfall.year_middle(y) for y in shown_years.year], y=shown_years[f"{prefix}_pct"] * 100,
            mode="lines+markers", name=name, line=dict(color=colour),
            error_y=dict(type="data", symmetric=False, array=(shown_years[f"{prefix}_upper"] - shown_years[f"{prefix}_pct"]) * 100,
                         arrayminus=(shown_years[f"{prefix}_pct"] - shown_years[f"{prefix}_lower"]) * 100, thickness=1),
            customdata=[labels.financial_year(y) + (" (so far)" if partial else "") for y, partial
                        in zip(shown_years.year, shown_years.get("partial", pd.Series(False, index=shown_years.index)))],
            hovertemplate="%{customdata}: %{y:.0f}%<extra>" + name + "</extra>",
        ), row=row, col=1)


    yearly_trace(reach, "reach", "Reach, 30% most deprived areas", charts.REFERENCE_COLOUR, 2)
    if indicator:
        yearly_trace(outcome, "outcome", f"{indicator.title}: all children", charts.NEUTRAL_COLOUR, 3)
        yearly_trace(outcome, "focus", f"{indicator.title}: {indicator.focus_label.lower()}", charts.FOCUS_COLOUR, 3)
    charts.style(trend, height=260 * rows)
    trend.update_yaxes(title_text="Visits a month" + ("" if site else ", by site type"), row=1, col=1)
    for row in range(2, rows + 1):
        trend.update_yaxes(ticksuffix="%", rangemode="tozero", row=row, col=1)
    trend.add_vrect(x0=pd.Timestamp(current.year, 4, 1), x1=pd.Timestamp(current.year + 1, 3, 31),
                    fillcolor=charts.NEUTRAL_COLOUR, opacity=0.08, line_width=0)
    changes, site_level = charts.changes_to_mark(queries.run("service_changes", district=current.district), site)
    charts.add_service_changes(trend, changes)
    if monthly.empty and reach.reach_pct.isna().all():
        st.info("No footfall or reach figures to draw for this choice.")
    else:
        charts.show(trend, key="footfall_trend")
    st.caption(
        "The shaded band is the chosen year. Yearly figures are drawn at the middle of each year, with 95% intervals; "
        "a year or month resting on small numbers is left out." + (" " + charts.service_change_caption(changes) if not changes.empty else "")
        + (" " + charts.unmarked_changes_note(site_level, "site", focus=bool(site)) if site_level else "")
    )
    if monthly.visits_suppressed.any():
        st.caption(f"{int(monthly.visits_suppressed.sum())} monthly figures of fewer than {threshold} visits are not drawn.")


activity_and_results(current, indicator, site, threshold)

# --- 4. Libraries and children's centres ------------------------------------------------------
st.header("Libraries compared with children's centres")
comparison = footfall.site_type_comparison(current)
ui.sentence(footfall.comparison_sentence(comparison, year_label))
bars = comparison[comparison.target_children_pct.notna()]
if not bars.empty:
    share = go.Figure(go.Bar(
        x=[labels.site_type(s) for s in bars.site_type], y=bars.target_children_pct * 100,
        marker_color=[site_colour(s) for s in bars.site_type],
        error_y=dict(type="data", symmetric=False, array=(bars.target_children_upper - bars.target_children_pct) * 100,
                     arrayminus=(bars.target_children_pct - bars.target_children_lower) * 100),
        text=[stats.show_percent(v) for v in bars.target_children_pct], textposition="inside", insidetextanchor="middle",
        hovertemplate="%{x}: %{y:.0f}% of the children who came were in a target group<extra></extra>",
    ))
    charts.style(share, y_title="Children who came who were in a target group", percent_axis=True, height=360)
    charts.show(share, key="footfall_site_types")
comparison_shown = footfall.comparison_as_shown(comparison)
st.dataframe(comparison_shown, hide_index=True, width="stretch")
st.caption(
    "A child who used more than one type of site counts once for each type. \"Also used another type of site\" "
    "counts the children who came to both, say, a library and a children's centre in the year: one sign of "
    "joined-up working."
)
ui.download_csv(comparison_shown, f"Footfall and users by type of site, {year_label}", f"footfall-by-site-type-{year_label}",
                "footfall_types_download", current, "footfall, attendances, children and areas tables")
ui.source("footfall, attendances, children and areas tables")
