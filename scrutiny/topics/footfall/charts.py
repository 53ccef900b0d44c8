"""The Footfall page's charts, drawn from the frames figures.py returns, for the page and
the evidence pack alike.

Every number a figure carries (points, error bars, hover text and custom data) is rounded to what
the chart shows: visits per under-five to one decimal, percentages to whole numbers. The frames are
already protected by the disclosure plans, so what is hidden there is never drawn here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scrutiny import charts, format, labels

from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences
from scrutiny.contract import MOST_DEPRIVED_GROUP


def _percent(values) -> list:
    return charts.published(values, 100, 0)


def _one_decimal(values) -> list:
    return charts.published(values, 1, 1)


def _per_under_five(points: pd.DataFrame) -> list:
    """Each point's visits per under-five as printed: one decimal, or a whole number where the Reach
    plan hides the site's under-fives (footfall.add_visits_per_child)."""
    return [charts.published([x], 1, int(d))[0] for x, d in zip(points.x, points.visits_per_child_decimals)]


def _error_bars(pct, lower, upper, **style) -> dict:
    """Error bars from the interval as printed: the ends are whole percentages too."""
    return charts.interval_errors(pct, lower, upper, decimals=0, **style)


# --- Busy compared with effective ----------------------------------------------------------------

SCATTER_KEY = ("Point size shows the under-fives living in the reach area (a diamond, of one size, where that number "
               "is hidden to protect small numbers); colour, the type of site; the dashed "
               "lines are the averages of the sites plotted, and a site on a line counts as busy or as doing better. "
               "The busy sites doing less well and the sites furthest out are named; hover over a point for any other.")

# Names written on the chart: more than this crowds a shared screen, so the rest are in the hover.
MOST_NAMED = 8
COMPACT_NAMED = 4
COMPACT_HEIGHT = 280


def _two_lines(name: str) -> str:
    """A corner's name for the small chart: 'Busy,<br>reaching few' rather than one long line."""
    words = name.replace(" vulnerable children", "").replace(" below average", " below").capitalize()
    for joint in (", ", " but ", " and "):
        if joint in words:
            first, rest = words.split(joint, 1)
            return f"{first}{joint.rstrip()}<br>{rest}" if joint == ", " else f"{first}<br>{joint.strip()} {rest}"
    return words


def _short(label: str) -> str:
    """A measure's label short enough for a small chart's axis."""
    return label if len(label) <= 40 else label[:label.rfind(" ", 0, 38)] + " ..."


def notable(points: pd.DataFrame, followed: str | None = None, most: int = MOST_NAMED) -> pd.Series:
    """Which points carry their name: the busy sites doing less well (busiest first), then the sites
    furthest from the averages, up to `most`, and the site followed always."""
    if points.empty:
        return pd.Series(dtype=bool)
    busy_low = points[points.quadrant == footfall.BUSY_LOW].sort_values("x", ascending=False).index.tolist()
    spread_x = points.x.std() or 1.0
    spread_y = points.y.std() or 1.0
    distance = ((points.x - points.x.mean()) / spread_x) ** 2 + ((points.y - points.y.mean()) / spread_y) ** 2
    furthest = distance.sort_values(ascending=False, kind="stable").index.tolist()
    chosen = list(dict.fromkeys(busy_low + furthest))[:most]
    named = points.index.isin(chosen)
    if followed:
        named |= (points.centre_id == followed).to_numpy()
    return pd.Series(named, index=points.index)


def busy_compared_with_effective(result: footfall.Scatter, measure_label: str, names: dict[str, str],
                                 followed: str | None = None, compact: bool = False) -> go.Figure:
    """Each site's visits per under-five against the measure, sized by its under-fives, with the averages
    as dashed lines and the four corners named; notable sites carry their names and `followed` is ringed.
    compact: the small version in the page's answer (fewer names, shorter axis titles, a legend below)."""
    points = result.points
    figure = go.Figure()
    # A site whose under-fives the Reach plan hides (its visits per under-five printed as a whole
    # number) is a diamond of one fixed size: its size must not give the hidden count away.
    sized = points.visits_per_child_decimals >= 1 if not points.empty else pd.Series(dtype=bool)
    biggest = max(float(points.population[sized].max()), 1.0) if sized.any() else 1.0
    named = notable(points, followed, most=COMPACT_NAMED if compact else MOST_NAMED)
    for code, group in points.groupby("site_type", sort=False):
        labelled = named[group.index]
        own_size = sized[group.index]
        figure.add_trace(go.Scatter(
            x=_per_under_five(group), y=_percent(group.y), mode="markers+text", name=labels.site_type(code),
            text=[name if show else "" for name, show in zip(group.centre_name, labelled)],
            textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(group))],
            textfont=dict(size=12, color=charts.TEXT_COLOUR), cliponaxis=False,
            marker=dict(size=np.where(own_size, group.population, biggest / 4), sizemode="area",
                        sizeref=2 * biggest / 40**2, sizemin=5, symbol=np.where(own_size, "circle", "diamond"),
                        color=charts.site_colour(code), line=dict(width=1, color="white"), opacity=0.85),
            error_y=_error_bars(group.y, group.y_lower, group.y_upper, colour="rgba(107,107,107,0.45)", width=0),
            customdata=np.stack([
                group.centre_name, group.visits.map(format.count),
                np.where(own_size, group.population.map(format.count), format.SUPPRESSED),
                [format.interval(lo, hi, decimals=0) for lo, hi in zip(group.y_lower, group.y_upper)],
                group.quadrant.map(names),
                [footfall_sentences.visits_per_under_five(x, d) for x, d in zip(group.x, group.visits_per_child_decimals)],
            ], axis=-1),
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[5]} visits per under-five (%{customdata[1]} visits, "
                           "%{customdata[2]} under-fives)<br>" + measure_label + ": %{y:.0f}% (95% CI %{customdata[3]})"
                           "<br>%{customdata[4]}<extra></extra>"),
        ))
    chosen = points[points.centre_id == followed] if followed else points.iloc[0:0]
    if not chosen.empty:
        figure.add_trace(go.Scatter(
            x=_per_under_five(chosen), y=_percent(chosen.y), mode="markers", name="Site followed", hoverinfo="skip",
            marker=dict(size=28, symbol="circle-open", color=charts.TEXT_COLOUR, line=dict(width=3)),
        ))
    figure.add_vline(x=_one_decimal([result.x_average])[0], line_dash="dash", line_color=charts.NEUTRAL_COLOUR,
                     annotation_text=f"average {format.number(result.x_average)}", annotation_position="top")
    figure.add_hline(y=_percent([result.y_average])[0], line_dash="dash", line_color=charts.NEUTRAL_COLOUR,
                     annotation_text=f"average {format.percent(result.y_average, 0)}", annotation_position="top right")
    # Better is always at the top: a lower-is-better indicator has its axis turned over.
    corners = {footfall.BUSY_GOOD: (0.99, 0.99, "right", "top"), footfall.QUIET_GOOD: (0.01, 0.99, "left", "top"),
               footfall.BUSY_LOW: (0.99, 0.01, "right", "bottom"), footfall.QUIET_LOW: (0.01, 0.01, "left", "bottom")}
    for key, (x, y, xanchor, yanchor) in corners.items():
        # On the small chart each corner's name goes on two lines, so neighbours do not run into each other.
        text = _two_lines(names[key]) if compact else names[key].capitalize()
        figure.add_annotation(x=x, y=y, xref="x domain", yref="y domain", text=text, showarrow=False,
                              xanchor=xanchor, yanchor=yanchor, font=dict(size=13, color=charts.NEUTRAL_COLOUR))
    charts.style(figure, x_title="Visits per under-five" + ("" if compact else " living in the reach area"),
                 y_title=(_short(measure_label) if compact else measure_label)
                 + (" (lower is better; axis reversed)" if not result.higher_is_better else ""),
                 percent_axis=True, height=COMPACT_HEIGHT if compact else 520)
    if compact:
        # The full chart below has the key to the colours; here the names and the answer beside it say enough.
        figure.update_layout(showlegend=False, margin=dict(l=10, r=10, t=30, b=10))
        figure.update_annotations(font_size=11)
    if not result.higher_is_better:
        figure.update_yaxes(autorange="reversed", rangemode="normal")
    return figure


# --- Activity and results over time ----------------------------------------------------------------

def _yearly(figure: go.Figure, frame: pd.DataFrame, prefix: str, name: str, colour: str, row: int, legend: str) -> None:
    shown = frame[frame[f"{prefix}_pct"].notna()]
    partial = shown["partial"] if "partial" in shown else pd.Series(False, index=shown.index)
    figure.add_trace(go.Scatter(
        x=[footfall.year_middle(y) for y in shown.year], y=_percent(shown[f"{prefix}_pct"]),
        mode="lines+markers", name=name, line=dict(color=colour), legend=legend,
        error_y=_error_bars(shown[f"{prefix}_pct"], shown[f"{prefix}_lower"], shown[f"{prefix}_upper"]),
        customdata=[labels.financial_year(y) + (" (so far)" if p else "") for y, p in zip(shown.year, partial)],
        hovertemplate="%{customdata}: %{y:.0f}%<extra>" + name + "</extra>",
    ), row=row, col=1)


def activity_and_results(monthly: pd.DataFrame, reach: pd.DataFrame, outcome: pd.DataFrame | None, indicator,
                         year: int, followed: bool, changes: pd.DataFrame) -> go.Figure:
    """Visits a month by type of site, reach of the most deprived 30% each year and the outcome each year,
    one panel each, each panel with its own legend beside it; the chosen year shaded."""
    rows = 3 if indicator is not None and outcome is not None else 2
    titles = ["", f"Reach of children in the {labels.target_group(MOST_DEPRIVED_GROUP)} (%)"]
    if rows == 3:
        titles.append(f"{indicator.title} (%), children in the reach area" + ("" if followed else "s"))
    figure = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=titles)
    for code, group in monthly.groupby("site_type", sort=False):
        figure.add_trace(go.Scatter(x=group.month, y=group.visits_shown, mode="lines+markers", name=labels.site_type(code),
                                    line=dict(color=charts.site_colour(code)), connectgaps=False, legend="legend",
                                    hovertemplate="%{x|%b %Y}: %{y:,} visits<extra>" + labels.site_type(code) + "</extra>"),
                         row=1, col=1)
    _yearly(figure, reach, "reach", "Reach, 30% most deprived areas", charts.REACH_COLOUR, 2, "legend2")
    if rows == 3:
        _yearly(figure, outcome, "outcome", f"{indicator.title}: all children", charts.NEUTRAL_COLOUR, 3, "legend3")
        _yearly(figure, outcome, "focus", f"{indicator.title}: {indicator.focus_label.lower()}", charts.FOCUS_COLOUR, 3,
                "legend3")
    charts.style(figure, height=260 * rows)
    # One legend per panel, at the top right of its own panel, so a colour is read beside its lines.
    for row in range(1, rows + 1):
        domain = figure.get_subplot(row, 1).yaxis.domain
        figure.update_layout({("legend" if row == 1 else f"legend{row}"): dict(
            x=1.0, xanchor="left", y=domain[1], yanchor="top", bgcolor="rgba(255,255,255,0.8)", orientation="v")})
    figure.update_layout(margin=dict(r=220))
    figure.update_yaxes(title_text="Visits a month" + ("" if followed else ", by site type"), row=1, col=1)
    for row in range(2, rows + 1):
        figure.update_yaxes(ticksuffix="%", rangemode="tozero", row=row, col=1)
    figure.add_vrect(x0=pd.Timestamp(year, 4, 1), x1=pd.Timestamp(year + 1, 3, 31),
                     fillcolor=charts.NEUTRAL_COLOUR, opacity=0.08, line_width=0)
    charts.add_service_changes(figure, changes)
    return figure


TREND_KEY = ("The shaded band is the chosen year. Yearly figures are drawn at the middle of each year, with 95% "
             "intervals; a year or month resting on small numbers is left out.")


# --- Libraries compared with children's centres ------------------------------------------------------

def who_came_by_site_type(comparison: pd.DataFrame) -> go.Figure | None:
    """The share of the children who came that were in a target group, one bar a type of site."""
    bars = comparison[comparison.target_children_pct.notna()]
    if bars.empty:
        return None
    figure = go.Figure(go.Bar(
        x=[labels.site_type(s) for s in bars.site_type], y=_percent(bars.target_children_pct),
        marker_color=[charts.site_colour(s) for s in bars.site_type],
        error_y=_error_bars(bars.target_children_pct, bars.target_children_lower, bars.target_children_upper),
        text=[format.percent(v, 0) for v in bars.target_children_pct], textposition="inside", insidetextanchor="start",
        hovertemplate="%{x}: %{y:.0f}% of the children who came were in a target group<extra></extra>",
    ))
    charts.style(figure, y_title="Children who came who were in a target group", percent_axis=True, height=360)
    return figure
