"""The Reach charts, drawn from frames that figures.py has rated and passed through the disclosure plan,
in the look of scrutiny/charts.py. The Reach page and the evidence pack both draw with these functions,
so a chart in the pack is the chart on screen. A hidden figure is NaN in the frames and is never drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from scrutiny import charts, format, labels, maps
from scrutiny.topics.reach.figures import BAND_RANK, Settings, worst_first
from scrutiny.topics.reach.tables import reach_texts


# --- The answer: every group in focus against the thresholds ----------------------------------------

def groups_against_thresholds(rows: pd.DataFrame, groups: list[str], settings: Settings, height: int | None = None) -> go.Figure:
    """Reach of each target group in focus, lowest at the top, coloured by rating, with 95% intervals and the
    thresholds; each group's figure is written beside its name (c where hidden), never over a bar's interval."""
    shown = rows.set_index("target_group").reindex([g for g in groups if g in set(rows["target_group"])])
    shown = shown.sort_values("reach_pct", na_position="last", kind="stable")
    names = [f"{labels.target_group(g)}  {text}" for g, text in zip(shown.index, reach_texts(shown))]
    drawn = shown["reach_pct"].notna().to_numpy()
    part = shown[drawn]
    fig = go.Figure(go.Bar(
        y=[n for n, d in zip(names, drawn) if d], x=charts.published(part["reach_pct"], decimals=0), orientation="h",
        marker_color=[charts.BAND_COLOURS.get(b, charts.NEUTRAL_COLOUR) for b in part["band"]],
        error_x=charts.interval_errors(part["reach_pct"], part["reach_lower"], part["reach_upper"], decimals=0, width=3),
        customdata=part["rating"], hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False))
    # Hidden groups keep their place and name ("... c"), with no bar.
    fig.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed",
                     tickfont=dict(size=12, color=charts.TEXT_COLOUR))
    # The thresholds named on the axis, not over the lines: at this size two labels would overlap.
    good, outstanding = round(settings.good * 100, 6), round(settings.outstanding * 100, 6)
    for value in (good, outstanding):
        fig.add_vline(x=value, line_dash="dash", line_color=charts.NEUTRAL_COLOUR, line_width=1.5)
    charts.style(fig, height=height or 19 * len(names) + 40)
    # The sentence above the chart says what the bars and dashed lines are: no axis title, to keep it short.
    fig.update_xaxes(range=[0, 100], tickvals=[0, good, outstanding], ticktext=["0%", f"{good:.0f}%", f"{outstanding:.0f}%"],
                     tickfont=dict(size=11, color=charts.TEXT_COLOUR))
    fig.update_traces(width=0.7)
    fig.update_layout(margin=dict(l=4, r=4, t=8, b=4))
    return fig


def by_year(points: pd.DataFrame, settings: Settings, height: int = 230) -> go.Figure:
    """Reach at the end of each year (the fourth quarter of figures.yearly), with 95% intervals and the good
    threshold; a year the plan hides keeps its place, marked c."""
    years = [labels.financial_year(y) for y in points["year"]]
    drawn = points["reach_pct"].notna().to_numpy()
    part = points[drawn]
    fig = go.Figure(go.Bar(
        x=[y for y, d in zip(years, drawn) if d], y=charts.published(part["reach_pct"], decimals=0),
        marker_color=charts.REACH_COLOUR, showlegend=False,
        error_y=charts.interval_errors(part["reach_pct"], part["reach_lower"], part["reach_upper"], decimals=0, width=3),
        hovertemplate="%{x}: %{y:.0f}%<extra></extra>"))
    for year in (y for y, d in zip(years, drawn) if not d):
        fig.add_annotation(x=year, y=0, text="c", showarrow=False, yanchor="bottom", font=dict(color=charts.TEXT_COLOUR))
    good = round(settings.good * 100, 6)
    fig.add_hline(y=good, line_dash="dash", line_color=charts.NEUTRAL_COLOUR, line_width=1.5)
    charts.style(fig, height=height)
    fig.update_xaxes(categoryorder="array", categoryarray=years, tickfont=dict(size=11, color=charts.TEXT_COLOUR))
    fig.update_yaxes(range=[0, 100], tickvals=[0, good, 100], ticktext=["0%", f"{good:.0f}%", "100%"],
                     tickfont=dict(size=11, color=charts.TEXT_COLOUR))
    fig.update_layout(margin=dict(l=4, r=4, t=8, b=4))
    return fig


# --- Every group at a glance -------------------------------------------------------------------------

def heat_legend(settings: Settings) -> dict[str, str]:
    good, outstanding = f"{settings.good * 100:.0f}", f"{settings.outstanding * 100:.0f}"
    return {"below": f"Below {good}%", "not different from 65": f"Not different from {good}%",
            "65%+": f"{good}%+ (good)", "not different from 85": f"Not different from {outstanding}%",
            "85%+": f"{outstanding}%+ (outstanding)", "suppressed": "Too few to show (c)", "no data": "No estimate"}


HEAT_ROW_PX = 24        # a row of the heat map: cell text at 12 px with room around it
HEAT_ROWS_AT_FIRST = 25  # units shown before "every unit" is asked for: 60 rows make a 1,500 px chart
LEGEND_PX = 64           # the legend's two rows below the grid


def _wrapped(name: str, width: int = 10) -> str:
    """A column heading on short lines, so the headings stand upright above their narrow columns."""
    import textwrap

    return "<br>".join(textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=False))


def heat_units(heat: pd.DataFrame, group: str) -> list[str]:
    """The heat map's rows: worst first for the group in focus, then any unit without a figure for it."""
    units = list(dict.fromkeys(worst_first(heat[heat["target_group"] == group])["unit"]))
    return units + [u for u in dict.fromkeys(heat["unit"]) if u not in units]


def heat_map(heat: pd.DataFrame, group: str, groups: list[str], settings: Settings, rows: int | None = None) -> go.Figure:
    """Every unit (rows, worst first for the group in focus; the first `rows` of them when given) by every
    target group (columns), each cell coloured by its rating and showing its reach %."""
    units = heat_units(heat, group)[:rows]
    columns = [labels.target_group(g) for g in groups]
    ranks = heat.pivot_table(index="unit", columns="group_label", values="band_rank", aggfunc="first").reindex(
        index=units, columns=columns)
    texts = heat.assign(cell_text=reach_texts(heat)).pivot_table(
        index="unit", columns="group_label", values="cell_text", aggfunc="first").reindex(
        index=units, columns=ranks.columns).astype(object).fillna("")
    fig = charts.band_grid(ranks, texts, {band: charts.BAND_COLOURS[band] for band in BAND_RANK}, heat_legend(settings))
    headings = max((_wrapped(c).count("<br>") + 1 for c in columns), default=1)
    top = 15 * headings + 12
    fig.update_traces(textfont_size=12, selector=dict(mode="text"))
    fig.update_xaxes(tickmode="array", tickvals=columns, ticktext=[_wrapped(c) for c in columns], tickangle=0,
                     tickfont=dict(size=11, color=charts.TEXT_COLOUR), ticklen=0)
    fig.update_yaxes(tickfont=dict(size=12, color=charts.TEXT_COLOUR), ticksuffix=" ")
    # Heights in pixels, not fractions of the figure: the grid starts right under its headings and the
    # legend right under the grid, whatever the number of rows.
    charts.style(fig, height=HEAT_ROW_PX * len(units) + top + LEGEND_PX + 10)
    fig.update_layout(margin=dict(t=top, b=LEGEND_PX, l=10, r=10),
                      legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, font=dict(size=12)))
    return fig


# --- Through the year, over the years ----------------------------------------------------------------

def trend(series: dict[str, pd.DataFrame], group: str, settings: Settings, changes: pd.DataFrame) -> go.Figure:
    """Cumulative reach at the end of each quarter, one line a year, for the group in focus (thick) and for
    all under-fives (thin), with 95% intervals, the thresholds and the service changes given (numbered)."""
    fig = go.Figure()
    for name, points in series.items():
        colour = charts.FOCUS_COLOUR if name == group else charts.REFERENCE_COLOUR
        for year, part in points.groupby("year"):
            part = part.dropna(subset=["reach_pct"])
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                x=part["quarter_ends"], y=charts.published(part["reach_pct"], decimals=0), mode="lines+markers",
                name=labels.target_group(name), legendgroup=name, showlegend=bool(year == points["year"].min()),
                line=dict(color=colour, width=3 if name == group else 1.5),
                error_y=charts.interval_errors(part["reach_pct"], part["reach_lower"], part["reach_upper"], decimals=0, width=3),
                customdata=np.stack([part["period"], part["reached"], part["population"]], axis=1),
                hovertemplate="%{customdata[0]}: %{y:.0f}% (%{customdata[1]:,} of %{customdata[2]:,})<extra></extra>",
            ))
    charts.style(fig, y_title="Reached so far in the year (%)", percent_axis=True)
    charts.add_thresholds(fig, round(settings.good * 100, 6), round(settings.outstanding * 100, 6))
    charts.add_service_changes(fig, changes)
    return fig


def trend_changes(changes: pd.DataFrame, trend_frame: pd.DataFrame, centre: str) -> tuple[pd.DataFrame, int]:
    """The service changes the trend marks, and how many at single other centres it leaves out: those from
    the start of its first quarter to the end of its last, authority-wide or at the centre in focus."""
    if trend_frame.empty:
        return charts.changes_within(None, None, None), 0
    within = charts.changes_within(changes, trend_frame["quarter_ends"].min() - pd.DateOffset(months=3),
                                   trend_frame["quarter_ends"].max())
    return charts.changes_to_mark(within, None if centre == "all" else centre)


# --- Children missed ---------------------------------------------------------------------------------

MISSED_PARTS = (("30% most deprived areas", charts.FOCUS_COLOUR), ("Other areas", charts.NEUTRAL_COLOUR))


def missed_by_district(by_district: pd.DataFrame) -> tuple[go.Figure | None, int]:
    """Children not reached in each district, split by the deprivation of their area, the district
    with the most missed at the top; the bars the disclosure plan hides (figures.missed_by_district's
    "hidden" column) are left out.

    Returns the figure (None when nothing can be drawn) and how many bars were left out.
    """
    if by_district.empty:
        return None, 0
    hidden = by_district["hidden"].astype(bool)
    shown = by_district[~hidden]
    # Largest total first (plotly draws the first category at the bottom, hence the reversed axis).
    order = list(shown.groupby("district")["missed"].sum().sort_values(ascending=False, kind="stable").index)
    fig = go.Figure()
    for name, colour in MISSED_PARTS:
        part = shown[shown["deprivation"] == name]
        fig.add_trace(go.Bar(y=part["district"], x=part["missed"], name=name, orientation="h", marker_color=colour,
                             text=[format.count(v) for v in part["missed"]], textposition="inside",
                             insidetextanchor="middle"))
    charts.style(fig, x_title="Children not reached (estimate)", height=max(300, 60 * by_district["district"].nunique() + 120))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return fig, int(hidden.sum())


# --- Where reach is high and low ---------------------------------------------------------------------

def area_map(geo: dict, missed_rows: pd.DataFrame, settings: Settings) -> go.Figure:
    """Each small area shaded by its reach band (grey where hidden or without an estimate)."""
    shaded = missed_rows.assign(
        value=missed_rows["reach_pct"],
        hover=missed_rows["unit"].astype(str) + " (" + missed_rows["centre"].astype(str) + "): " + reach_texts(missed_rows))
    fig = maps.area_map(geo, shaded, maps.reach_bands(settings.good, settings.outstanding))
    charts.style(fig, height=560)
    return fig


def centre_map(points: pd.DataFrame) -> go.Figure:
    """Each centre with a reach area at its place, coloured by its rating and labelled with its reach %."""
    texts = reach_texts(points)
    fig = maps.point_map(points, [charts.BAND_COLOURS[b] for b in points["band"]], list(texts),
                         list(points["unit"].astype(str) + ": " + texts + " (" + points["rating"] + ")"))
    charts.style(fig, height=520)
    return fig


def reach_map(geo: dict | None, shaded: pd.DataFrame, settings: Settings) -> go.Figure | None:
    """The areas shaded by band when there are boundaries, else the centres as points (None: nothing to draw)."""
    if geo is not None:
        return area_map(geo, shaded, settings)
    return None if shaded.empty else centre_map(shaded)


# --- How often families come, and to what ------------------------------------------------------------

def how_often(freq: pd.DataFrame) -> go.Figure:
    """Children reached by how many times they came in the year; the bands the plan hides are left out."""
    visible = freq[~freq["hidden"]]
    fig = go.Figure(go.Bar(
        x=visible["attendances"], y=visible["children"], marker_color=charts.REFERENCE_COLOUR,
        text=[f"{format.count(c)} ({format.percent(p, 0)})" if not pd.isna(p) else format.count(c)
              for c, p in zip(visible["children"], visible["share_pct"])],
        textposition="auto"))
    charts.style(fig, x_title="Attendances in the year", y_title="Children reached")
    return fig


TIER_COLOURS = {"universal": charts.PALETTE[4], "targeted": charts.PALETTE[1], "specialist": charts.PALETTE[5]}
SITE_COLOURS = charts.SITE_COLOURS


def share_bars(mix: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Stacked horizontal bars: each group's attendances split by category (hidden shares left out)."""
    fig = go.Figure()
    for category, colour in colours.items():
        part = mix[mix["category"] == category].dropna(subset=["share_pct"])
        fig.add_trace(go.Bar(y=part["group_label"], x=charts.published(part["share_pct"], decimals=0),
                             name=part["category_label"].iloc[0] if len(part) else category,
                             orientation="h", marker_color=colour, text=[format.percent(v, 0) for v in part["share_pct"]],
                             textposition="inside"))
    charts.style(fig, x_title="Share of the group's attendances (%)", height=max(320, 34 * mix["target_group"].nunique() + 140))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return fig


# --- How early families are found ---------------------------------------------------------------------

REGISTRATION_BARS = (("by_3_months", "Registered before 3 months old", charts.FOCUS_COLOUR),
                     ("by_1_year", "Registered before 1 year old", charts.REFERENCE_COLOUR))


def registration_age(ages: pd.DataFrame) -> go.Figure:
    """The share of each group's registered children registered before 3 months and before 1 year, with 95% intervals."""
    fig = go.Figure()
    for prefix, name, colour in REGISTRATION_BARS:
        part = ages.dropna(subset=[f"{prefix}_pct"])
        fig.add_trace(go.Bar(
            y=part["group_label"], x=charts.published(part[f"{prefix}_pct"], decimals=0), name=name, orientation="h", marker_color=colour,
            error_x=charts.interval_errors(part[f"{prefix}_pct"], part[f"{prefix}_lower"], part[f"{prefix}_upper"], decimals=0),
            text=[format.percent(v, 0) for v in part[f"{prefix}_pct"]], textposition="inside", insidetextanchor="start",
        ))
    charts.style(fig, x_title="Share of registered children (%)", height=max(320, 40 * len(ages) + 140))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed")
    return fig
