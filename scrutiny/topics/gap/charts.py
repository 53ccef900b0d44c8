"""The gap's charts, drawn from the frames of scrutiny/topics/gap/figures.py (the Gap page and the
evidence pack draw the same ones).

Years sit at the middle of each year (1 January of its second calendar year),
so dated service changes fall in the right place; ticks carry the year's
label (2022-23). A line is never drawn across an indicator's comparability
break: each side of it is its own trace. Suppressed values are NaN in the
frames, so they are never drawn.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from scrutiny import charts, labels
from scrutiny.topics.gap.figures import FUNNEL_BANDS, Geography, Indicator

CLEAR_COLOURS = {
    "clearly worse off": charts.FOCUS_COLOUR,
    "no clear gap": charts.NEUTRAL_COLOUR,
    "clearly better off": charts.REFERENCE_COLOUR,
}
FUNNEL_COLOURS = dict(zip(FUNNEL_BANDS, ("#0072B2", "#56B4E9", "#6B6B6B", "#E69F00", "#D55E00")))


def funnel_colours(indicator: Indicator) -> dict[str, str]:
    """Blue for better than chance would give, orange and red for worse: for a lower-is-better
    indicator (obesity) the points above the limits are the worse ones, so the colours turn round."""
    if not indicator.lower_is_better:
        return FUNNEL_COLOURS
    return dict(zip(FUNNEL_BANDS, reversed([FUNNEL_COLOURS[b] for b in FUNNEL_BANDS])))


def year_position(year) -> pd.Timestamp:
    return pd.Timestamp(date(int(year) + 1, 1, 1))


def _year_axis(fig: go.Figure, years) -> None:
    years = sorted({int(y) for y in years})
    fig.update_xaxes(tickvals=[year_position(y) for y in years], ticktext=[labels.financial_year(y) for y in years],
                     title_text="Year")


def _errors(frame: pd.DataFrame, prefix: str, value: str | None = None, scale: int = 100) -> dict:
    value = value or f"{prefix}_pct"
    return charts.interval_errors(frame[value], frame[f"{prefix}_lower"], frame[f"{prefix}_upper"], scale=scale)


def _shown(values, scale: int = 100) -> list:
    """Values as the chart carries them: at the one decimal the page prints (charts.published)."""
    return charts.published(values, scale)


def _custom(*columns) -> np.ndarray:
    return np.stack([np.asarray(c, dtype=object) for c in columns], axis=-1)


def _segments(frame: pd.DataFrame):
    for segment, part in frame.groupby("segment", sort=True):
        yield int(segment), part.sort_values("year")


def _add_break(fig: go.Figure, indicator: Indicator, years, small: bool = False) -> None:
    if indicator.break_year is None or not len(years):
        return
    years = [int(y) for y in years]
    if not (min(years) < indicator.break_year <= max(years)):
        return
    where = pd.Timestamp(date(indicator.break_year, 7, 1))
    fig.add_vline(x=where.timestamp() * 1000, line_dash="dash", line_color=charts.TEXT_COLOUR, line_width=1.5)
    fig.add_annotation(x=where, y=0, yref="paper", yanchor="bottom", xanchor="left", showarrow=False,
                       text="Break in series" if small else
                       f"Break in series: not comparable across {labels.financial_year(indicator.break_year)}",
                       font=dict(size=12, color=charts.TEXT_COLOUR), bgcolor="rgba(255,255,255,0.8)")


def changes_in_view(trend: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The service changes within a trend chart's years: the ones it marks, and so the ones its caption
    lists (a change after the year chosen in the sidebar is not on the chart)."""
    if changes.empty or trend.empty:
        return changes.iloc[0:0]
    # From the start of the chart's first year to the end of its last.
    return charts.changes_within(changes, year_position(trend["year"].min()) - pd.DateOffset(months=9),
                                 year_position(trend["year"].max()) + pd.DateOffset(months=3))


def _trend_changes(fig: go.Figure, trend: pd.DataFrame, changes: pd.DataFrame | None) -> None:
    if changes is None or changes.empty or trend.empty:
        return
    charts.add_service_changes(fig, changes_in_view(trend, changes))


def _unit(indicator: Indicator) -> str:
    """What follows a value in a hover label: '%' or ' per 1,000'."""
    return f" {indicator.per}" if indicator.is_rate else "%"


def _gap_unit(indicator: Indicator) -> str:
    return f"{indicator.per} children" if indicator.is_rate else "percentage points"


def groups_over_time(trend: pd.DataFrame, indicator: Indicator, changes: pd.DataFrame | None = None) -> go.Figure:
    """The focus and reference groups' values (per cent, or per 1,000 for a rate) with 95% intervals, year by year."""
    unit = _unit(indicator)
    fig = go.Figure()
    for prefix, name, colour in (("focus", indicator.focus_label, charts.FOCUS_COLOUR),
                                 ("reference", indicator.reference_label, charts.REFERENCE_COLOUR)):
        for number, (segment, part) in enumerate(_segments(trend)):
            part = part[part[f"{prefix}_pct"].notna()]
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                x=[year_position(y) for y in part["year"]], y=_shown(part[f"{prefix}_pct"], indicator.scale),
                error_y=_errors(part, prefix, scale=indicator.scale), mode="lines+markers", name=name, legendgroup=prefix,
                showlegend=number == 0 or not any(t.legendgroup == prefix for t in fig.data),
                line=dict(color=colour, width=2.5), marker=dict(size=9, color=colour,
                                                                symbol="circle" if prefix == "focus" else "square"),
                customdata=_custom(part["year_label"], _shown(part[f"{prefix}_lower"], indicator.scale),
                                   _shown(part[f"{prefix}_upper"], indicator.scale)),
                hovertemplate=f"{name}<br>%{{customdata[0]}}: %{{y:.1f}}{unit} (95% CI %{{customdata[1]:.1f}} to %{{customdata[2]:.1f}})<extra></extra>",
                meta={"segment": segment},
            ))
    charts.style(fig, y_title=f"{indicator.axis_title} (95% CI)", percent_axis=not indicator.is_rate)
    _year_axis(fig, trend["year"])
    _add_break(fig, indicator, trend["year"])
    _trend_changes(fig, trend, changes)
    return fig


def gap_over_time(trend: pd.DataFrame, indicator: Indicator, changes: pd.DataFrame | None = None,
                  height: int = 420, small: bool = False) -> go.Figure:
    """The gap in percentage points (or per 1,000 for a rate) with its 95% interval, year by year; zero = no gap.
    small: the Gap page's answer draws it beside its words on the first screen, with no legend (its one
    line is named on the axis) and first and last years only on the axis."""
    gap_unit = _gap_unit(indicator)
    fig = go.Figure()
    for number, (segment, part) in enumerate(_segments(trend)):
        part = part[part["gap"].notna()]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[year_position(y) for y in part["year"]], y=_shown(part["gap"], indicator.scale), error_y=_errors(part, "gap", "gap", indicator.scale),
            mode="lines+markers", name="Gap (points)", legendgroup="gap", showlegend=not fig.data,
            line=dict(color=charts.TEXT_COLOUR, width=2.5), marker=dict(size=9, color=charts.TEXT_COLOUR),
            customdata=_custom(part["year_label"], _shown(part["gap_lower"], indicator.scale), _shown(part["gap_upper"], indicator.scale)),
            hovertemplate="Gap %{customdata[0]}: %{y:.1f} " + indicator.points_word + " (95% CI %{customdata[1]:.1f} to %{customdata[2]:.1f})<extra></extra>",
            meta={"segment": segment},
        ))
    fig.add_hline(y=0, line_color=charts.NEUTRAL_COLOUR, line_width=1, annotation_text="no gap",
                  annotation_position="bottom right")
    charts.style(fig, y_title=f"Gap, {gap_unit} (95% CI)", height=height)
    _year_axis(fig, trend["year"] if not small else [trend["year"].min(), trend["year"].max()])
    if small:
        fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=30, b=10))
        fig.update_xaxes(title_text=None)
    _add_break(fig, indicator, trend["year"], small)
    _trend_changes(fig, trend, changes)
    return fig


BENCHMARK_DASHES = ("dash", "dot", "dashdot", "longdash")
# England in the reference blue, then colours clear of the local line's orange.
BENCHMARK_COLOURS = (charts.REFERENCE_COLOUR, "#009E73", "#CC79A7", "#000000")


def against_benchmarks(trend: pd.DataFrame, benchmarks: pd.DataFrame, indicator: Indicator, geography: Geography,
                       measure: str) -> go.Figure | None:
    """The geography's value (measure 'focus' or 'all') or gap (measure 'gap') against each
    benchmark geography's, year by year, broken at the comparability break."""
    unit, gap_unit = _unit(indicator), _gap_unit(indicator)
    local_column = "gap" if measure == "gap" else f"{measure}_pct"
    bench_column = "gap" if measure == "gap" else f"{measure}_value"
    usable = benchmarks[benchmarks[bench_column].notna()]
    if usable.empty:
        return None
    fig = go.Figure()
    series = [(geography.name, trend.assign(value=trend[local_column]), charts.FOCUS_COLOUR, "solid", True)]
    for i, (name, part) in enumerate(usable.groupby("geography", sort=False)):
        part = part.assign(value=part[bench_column], segment=[indicator.segment(y) for y in part["year"]])
        series.append((name, part, BENCHMARK_COLOURS[i % len(BENCHMARK_COLOURS)],
                       BENCHMARK_DASHES[i % len(BENCHMARK_DASHES)], False))
    for name, frame, colour, dash, local in series:
        first = True
        for segment, part in _segments(frame):
            part = part[part["value"].notna()]
            if part.empty:
                continue
            extra = {"error_y": _errors(part, measure, "value", indicator.scale)} if local else {}
            fig.add_trace(go.Scatter(
                x=[year_position(y) for y in part["year"]], y=_shown(part["value"], indicator.scale), mode="lines+markers",
                name=name, legendgroup=name, showlegend=first, line=dict(color=colour, dash=dash, width=2.5),
                marker=dict(size=8, color=colour), meta={"segment": segment},
                hovertemplate=f"{name}: %{{y:.1f}}{' ' + indicator.points_word if measure == 'gap' else unit}<extra></extra>", **extra,
            ))
            first = False
    years = pd.concat([trend["year"], usable["year"]])
    if measure == "gap":
        charts.style(fig, y_title=f"Gap in {gap_unit}")
        fig.add_hline(y=0, line_color=charts.NEUTRAL_COLOUR, line_width=1)
    else:
        charts.style(fig, y_title=f"{indicator.focus_label if measure == 'focus' else 'All children'} ({unit.strip()})",
                     percent_axis=not indicator.is_rate)
    _year_axis(fig, years)
    _add_break(fig, indicator, years)
    return fig


MAX_BARS = 60


def gap_bars(areas: pd.DataFrame, level: str, chosen: Geography | None = None,
             indicator: Indicator | None = None) -> go.Figure | None:
    """Horizontal bars of each area's gap with its 95% interval, widest at the top, coloured by
    whether the interval is clear of zero. Suppressed areas are left out; with more than
    MAX_BARS areas only the widest and narrowest half of MAX_BARS each are drawn."""
    rows = areas[(areas["geography_level"] == level) & areas["gap"].notna()].sort_values("gap")
    if rows.empty:
        return None
    scale = indicator.scale if indicator is not None else 100
    points_word = indicator.points_word if indicator is not None else "points"
    gap_unit = _gap_unit(indicator) if indicator is not None else "percentage points"
    if len(rows) > MAX_BARS:
        keep = rows["geography_code"].isin(rows["geography_code"].head(MAX_BARS // 2)) | \
            rows["geography_code"].isin(rows["geography_code"].tail(MAX_BARS // 2))
        if chosen is not None:
            keep |= rows["geography_code"] == chosen.code
        rows = rows[keep]
    fig = go.Figure()
    names = [f"{n} ◀" if chosen is not None and c == chosen.code else n
             for n, c in zip(rows["geography_name"], rows["geography_code"])]
    rows = rows.assign(name=names)
    for reading, colour in CLEAR_COLOURS.items():
        part = rows[rows["clear"] == reading]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=_shown(part["gap"], scale), y=part["name"].tolist(), orientation="h", name=_reading_label(reading), showlegend=True,
            marker_color=colour, error_x=charts.interval_errors(part["gap"], part["gap_lower"], part["gap_upper"], scale=scale,
                                                                colour=charts.TEXT_COLOUR, width=3),
            customdata=_custom(_shown(part["gap_lower"], scale), _shown(part["gap_upper"], scale)),
            hovertemplate="%{y}: %{x:.1f} " + points_word + " (95% CI %{customdata[0]:.1f} to %{customdata[1]:.1f})<extra></extra>",
        ))
    height = max(240, 26 * len(rows) + 140)
    charts.style(fig, x_title=f"Gap in {gap_unit} (95% CI)", height=height)
    fig.update_yaxes(categoryorder="array", categoryarray=rows["name"].tolist(), automargin=True)
    fig.add_vline(x=0, line_color=charts.NEUTRAL_COLOUR, line_width=1)
    fig.update_layout(barmode="overlay")
    return fig


def _reading_label(reading: str) -> str:
    return {"clearly worse off": "Focus group clearly worse off", "no clear gap": "No clear gap",
            "clearly better off": "Focus group clearly better off"}[reading]


def funnel(points_frame: pd.DataFrame, curve: pd.DataFrame, target: float, indicator: Indicator,
           target_name: str, chosen: Geography | None = None) -> go.Figure:
    """The focus group's value in each reach area against its number of children, with 95%
    and 99.8% limits around the authority's value; the chosen reach area is labelled."""
    fig = go.Figure()
    n = curve["denominator"].tolist()
    for level, dash, name in (("998", "dash", "99.8% limits"), ("95", "dot", "95% limits")):
        for side in ("lower", "upper"):
            fig.add_trace(go.Scatter(x=n, y=(curve[f"{side}_{level}"] * indicator.scale).tolist(), mode="lines", name=name,
                                     legendgroup=level, showlegend=side == "lower", hoverinfo="skip",
                                     line=dict(color=charts.NEUTRAL_COLOUR, dash=dash, width=1.5)))
    fig.add_trace(go.Scatter(x=[n[0], n[-1]], y=_shown([target] * 2, indicator.scale), mode="lines", name=f"{target_name} {indicator.percent(target)}",
                             line=dict(color=charts.TEXT_COLOUR, width=1.5), hoverinfo="skip"))
    for band in FUNNEL_BANDS:
        part = points_frame[points_frame["band"] == band]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["focus_denominator"].tolist(), y=_shown(part["focus_pct"], indicator.scale), mode="markers", name=band.capitalize(),
            marker=dict(size=10, color=funnel_colours(indicator)[band], line=dict(width=1, color="white")),
            text=part["geography_name"].tolist(),
            hovertemplate="%{text}: %{y:.1f}" + _unit(indicator) + " of %{x:,} children<extra></extra>",
        ))
    if chosen is not None:
        mine = points_frame[points_frame["geography_code"] == chosen.code] if "geography_code" in points_frame else points_frame.iloc[0:0]
        for row in mine.itertuples():
            fig.add_annotation(x=row.focus_denominator, y=_shown([row.focus_pct], indicator.scale)[0], text=row.geography_name, showarrow=True,
                               arrowhead=2, ax=40, ay=-40, font=dict(size=13, color=charts.TEXT_COLOUR),
                               bgcolor="rgba(255,255,255,0.85)")
    charts.style(fig, x_title=f"{indicator.focus_label}: number of children", y_title=indicator.axis_title, height=480)
    fig.update_yaxes(ticksuffix="" if indicator.is_rate else "%")
    return fig


def gradient_bars(gradient: pd.DataFrame, indicator: Indicator) -> go.Figure | None:
    """The indicator by IDACI quintile with 95% intervals, most deprived first."""
    rows = gradient[gradient["value_pct"].notna()]
    if rows.empty:
        return None
    fig = go.Figure(go.Bar(
        x=rows["short_label"].tolist(), y=_shown(rows["value_pct"], indicator.scale), marker_color=charts.REFERENCE_COLOUR,
        error_y=_errors(rows, "value", scale=indicator.scale), name=indicator.title,
        hovertemplate="%{x}: %{y:.1f}" + _unit(indicator) + "<extra></extra>",
    ))
    charts.style(fig, y_title=f"{indicator.axis_title} (95% CI)",
                 x_title="IDACI quintile of the area where the child lives (1 = most deprived)",
                 percent_axis=not indicator.is_rate)
    return fig



def benchmark_charts(trend: pd.DataFrame, benchmarks: pd.DataFrame, indicator: Indicator, geography: Geography):
    """The gap and the focus group against the benchmarks (all children where the focus group has none):
    a list of (title, figure, widget key)."""
    drawn = []
    for measure, title, key in (("gap", "The gap", "gap_benchmark_gap_chart"),
                                ("focus", indicator.focus_label, "gap_benchmark_focus_chart"),
                                ("all", "All children", "gap_benchmark_all_chart")):
        if measure == "all" and drawn:
            break
        fig = against_benchmarks(trend, benchmarks, indicator, geography, measure)
        if fig is not None:
            drawn.append((f"**{title}: {geography.name} against the benchmarks**", fig, key))
    return drawn
