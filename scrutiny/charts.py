"""One look for every chart: a colour-blind-safe palette, plain fonts,
threshold lines and service-change annotations drawn the same way everywhere.
"""

from __future__ import annotations

import functools
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale
import streamlit as st

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FOCUS_COLOUR = "#D55E00"      # the focus group (e.g. children on free school meals)
REFERENCE_COLOUR = "#0072B2"  # the reference group
NEUTRAL_COLOUR = "#6B6B6B"
TEXT_COLOUR = "#1F2933"
# Reach of the most deprived 30% where it sits beside other measures (the footfall trend): not the
# reference group's blue, which means "the rest" on the gap charts.
REACH_COLOUR = "#882255"
# Types of site: colours that mean nothing else in the dashboard (blue is the reference group and the
# higher reach bands, vermillion and orange the focus group and the lower bands).
SITE_COLOURS = {"children_centre": "#009E73", "family_hub": "#CC79A7", "library": "#000000", "outreach": "#8C6D1F"}


def site_colour(code: str) -> str:
    return SITE_COLOURS.get(code, NEUTRAL_COLOUR)


# Rating bands, worst to best; every chart also writes the value or the band in words.
BAND_COLOURS = {
    "below": "#D55E00",
    "not different from 65": "#E69F00",
    "65%+": "#56B4E9",
    "not different from 85": "#8FC7E8",
    "85%+": "#0072B2",
    "suppressed": "#D9D9D9",
    "no data": "#F2F2F2",
}

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color=TEXT_COLOUR)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB or rgb(r, g, b) colour."""
    if colour.startswith("rgb"):
        channels = [float(v) / 255 for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    else:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.lru_cache(maxsize=1024)
def text_colour_on(background: str) -> str:
    """White or black, whichever reads better on the background (black, not the softer text
    colour: on the vermillion band only black passes the 4.5:1 of WCAG AA)."""
    return "#FFFFFF" if contrast("#FFFFFF", background) >= contrast("#000000", background) else "#000000"


def cell_text_colours(values: list[list], colourscale: str) -> list[list[str]]:
    """For a heat map drawn with zmin/zmax at the values' range: the readable text colour on each cell."""
    shown = [v for row in values for v in row if v is not None]
    low, high = (min(shown), max(shown)) if shown else (0, 1)
    span = (high - low) or 1
    # One call for every cell: sampling the scale cell by cell cost a tenth of a second a map.
    sampled = iter(sample_colorscale(colourscale, [(v - low) / span for v in shown]) if shown else [])
    return [[text_colour_on(next(sampled)) if v is not None else "#000000" for v in row] for row in values]


def band_key(rating: str) -> str:
    for key in BAND_COLOURS:
        if rating.startswith(key):
            return key
    return "no data"


def _template() -> go.layout.Template:
    """plotly_white with the dashboard's font, palette, margins and legend, registered once.

    Every figure gets it as the default template: setting a template on each figure copies
    the whole template every time, a noticeable share of a page's rerun.
    """
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        font=FONT,
        colorway=PALETTE,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=14),
    )
    return template


pio.templates["scrutiny"] = _template()
pio.templates.default = "scrutiny"


def style(fig: go.Figure, *, y_title: str | None = None, x_title: str | None = None,
          percent_axis: bool = False, height: int = 420) -> go.Figure:
    fig.update_layout(height=height)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if percent_axis:
        fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return fig


def band_grid(ranks: pd.DataFrame, texts: pd.DataFrame, colours: dict[str, str], legend: dict[str, str],
              hover: str = "%{y}<br>%{x}: %{text}<extra></extra>") -> go.Figure:
    """A heat grid of bands: ranks holds each cell's band as its place in `colours` (NaN: no cell), texts the
    words written on it; rows top to bottom in the frame's order. The text on each cell is white or black,
    whichever reads better on its band's colour (a heat map's own text takes one colour for every cell),
    and `legend` names the bands (band: name) in a legend of squares."""
    band_names = list(colours)
    colourscale = []
    for i, band in enumerate(band_names):
        colourscale += [[i / len(band_names), colours[band]], [(i + 1) / len(band_names), colours[band]]]
    rows = list(ranks.index)
    fig = go.Figure(go.Heatmap(
        z=(ranks.to_numpy(dtype=float) + 0.5), x=list(ranks.columns), y=rows, text=texts.to_numpy(),
        colorscale=colourscale, zmin=0, zmax=len(band_names), showscale=False, xgap=2, ygap=2,
        hovertemplate=hover,
    ))
    cells = ranks.stack(future_stack=True).reset_index(name="rank").dropna(subset=["rank"])
    row_name, column_name = cells.columns[:2]
    cells["text"] = [texts.at[r, c] for r, c in zip(cells[row_name], cells[column_name])]
    fig.add_trace(go.Scatter(
        x=cells[column_name], y=cells[row_name], text=cells["text"], mode="text", hoverinfo="skip", showlegend=False,
        textfont=dict(color=[text_colour_on(colours[band_names[int(r)]]) for r in cells["rank"]]),
    ))
    for band, name in legend.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True,
                                 marker=dict(size=12, symbol="square", color=colours[band])))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    return fig


def add_thresholds(fig: go.Figure, good: float, outstanding: float, axis: str = "y") -> go.Figure:
    """The Ofsted reach thresholds as labelled dashed lines (values in per cent)."""
    for value, name in ((good, "good"), (outstanding, "outstanding")):
        kwargs = dict(line_dash="dash", line_color=NEUTRAL_COLOUR, line_width=1.5,
                      annotation_text=f"{value:.0f}% {name}", annotation_font_color=TEXT_COLOUR)
        if axis == "y":
            fig.add_hline(y=value, annotation_position="top left", **kwargs)
        else:
            fig.add_vline(x=value, annotation_position="top", **kwargs)
    return fig


def add_service_changes(fig: go.Figure, changes: pd.DataFrame) -> go.Figure:
    """Dotted vertical lines, numbered, for the service changes (those within the chart's dates:
    changes_within picks them).

    Titles go in the hover and in a numbered caption (service_change_caption),
    so long titles never overlap on the chart.
    """
    if changes is None or changes.empty:
        return fig
    # Changes on the same day share one line and one label, "(3-6)": four labels printed over each
    # other read as another number. The numbers are still those of the caption.
    by_day: dict[pd.Timestamp, list[tuple[int, str]]] = {}
    for number, row in enumerate(changes.itertuples(), start=1):
        by_day.setdefault(pd.Timestamp(row.changed_on), []).append((number, row.title))
    shapes, notes = [], []
    for when, same_day in by_day.items():
        numbers = [number for number, _ in same_day]
        consecutive = numbers == list(range(numbers[0], numbers[-1] + 1))
        label = (str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}" if consecutive
                 else ", ".join(map(str, numbers)))
        # One line from the bottom to the top of the whole figure, so it crosses every panel of a
        # figure with shared x axes. Added in one layout update: add_vline per change takes seconds.
        shapes.append(dict(type="line", xref="x", yref="paper", x0=when, x1=when, y0=0, y1=1,
                           line=dict(dash="dot", color=NEUTRAL_COLOUR, width=1)))
        notes.append(dict(
            x=when, y=1, xref="x", yref="paper", text=f"({label})", showarrow=False, yanchor="bottom",
            font=dict(size=12, color=TEXT_COLOUR), hovertext="<br>".join(f"{when:%d %b %Y}: {title}" for _, title in same_day),
        ))
    fig.update_layout(shapes=list(fig.layout.shapes) + shapes, annotations=list(fig.layout.annotations) + notes)
    return fig


def changes_within(changes: pd.DataFrame | None, start, end) -> pd.DataFrame:
    """The service changes dated from start to end, both days included: the ones a chart whose dates
    run from start to end can mark, and so the only ones its caption may list (a change after the
    chosen year is not on the chart). Every chart with service changes picks them here."""
    if changes is None or changes.empty:
        return pd.DataFrame(columns=list(changes.columns) if changes is not None else ["changed_on", "title"])
    when = pd.to_datetime(changes["changed_on"])
    return changes[(when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))].reset_index(drop=True)


def changes_to_mark(changes: pd.DataFrame, focus: str | None) -> tuple[pd.DataFrame, int]:
    """The service changes a trend chart marks, and how many it leaves out.

    Authority-wide changes always; a change at one centre only when that centre is in
    focus: a big county logs hundreds, and so many lines would hide the data.
    """
    at_one_centre = changes["centre_id"].notna() & (changes["centre_id"] != focus)
    return changes[~at_one_centre].reset_index(drop=True), int(at_one_centre.sum())


def unmarked_changes_note(left_out: int, where: str = "centre", focus: bool = False) -> str:
    """The sentence on the changes changes_to_mark left out (with a centre in focus, they are at others)."""
    if not left_out:
        return ""
    changes = f"{left_out} change{'s' if left_out != 1 else ''}"
    if focus:
        return f"{changes} at other single {where}s {'are' if left_out != 1 else 'is'} not marked."
    return (f"{changes} at single {where}s {'are' if left_out != 1 else 'is'} "
            f"marked when that {where} is in focus.")


def service_change_caption(changes: pd.DataFrame) -> str:
    if changes is None or changes.empty:
        return ""
    items = [f"({i}) {pd.Timestamp(r.changed_on):%b %Y}: {r.title}" + (f" ({r.centre_name})" if pd.notna(getattr(r, "centre_name", None)) else "")
             for i, r in enumerate(changes.itertuples(), start=1)]
    return "Service changes marked on the chart: " + "; ".join(items) + "."


def show(fig: go.Figure, key: str) -> None:
    st.plotly_chart(
        fig, key=key, width="stretch",
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "toImageButtonOptions": {"format": "png", "scale": 2}},
    )


# --- Shared primitives: values and 95% intervals at the precision a page prints --------------------

def published(values, scale: float = 100, decimals: int = 1) -> list:
    """Fractions as a chart carries them: times scale and rounded to the decimals the page prints
    (half away from zero, as scrutiny.format prints them), None where there is no figure. A chart's
    data never holds more precision than its table, so no hidden count can be solved from it."""
    from scrutiny import format

    out = []
    for value in values:
        missing = value is None or pd.isna(value)
        out.append(None if missing else float(format.scaled(value, scale, decimals)))
    return out


def interval_errors(values, lower, upper, *, scale: float = 100, decimals: int = 1, colour: str | None = None,
                    width: int = 4) -> dict:
    """Asymmetric error bars for a 95% interval: pass as ``error_y=`` (or ``error_x=`` for horizontal bars).

    ``values``, ``lower`` and ``upper`` are fractions (the frames' ``_pct``/``_lower``/``_upper``, or a gap
    and its interval); the bars reach from the published lower to the published upper end, each rounded
    as the page prints it, so the chart's data says no more than its table.
    """
    shown, low, high = (published(v, scale, decimals) for v in (values, lower, upper))
    bars = dict(type="data", symmetric=False, thickness=1.5, width=width,
                array=[None if v is None or h is None else round(h - v, decimals) for v, h in zip(shown, high)],
                arrayminus=[None if v is None or lo is None else round(v - lo, decimals) for v, lo in zip(shown, low)])
    if colour is not None:
        bars["color"] = colour
    return bars
