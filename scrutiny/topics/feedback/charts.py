"""The Feedback charts, drawn by the page and by the evidence pack from the frames figures.py
returns (already through the disclosure plan): what is hidden is left out, and the chart data
carries whole percentages, as the page prints them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scrutiny import charts, stats
from scrutiny.topics.feedback import figures
from scrutiny.topics.feedback.figures import SMALL_SEGMENT
from scrutiny.topics.feedback.sentiment import SENTIMENT_LABELS, SENTIMENT_ORDER

# --- Themes raised, split by sentiment ----------------------------------------------------------------

SENTIMENT_COLOURS = {"positive": "#009E73", "mixed": "#E69F00", "neutral": "#56B4E9", "negative": "#D55E00",
                     SMALL_SEGMENT: "#D9D9D9"}
SENTIMENT_NAMES = {**SENTIMENT_LABELS, SMALL_SEGMENT: "Sentiment not shown (small numbers)"}


def themes_raised(frequency: pd.DataFrame, by: str, threshold: int) -> tuple[go.Figure | None, list[str]]:
    """The share of each group's comments raising each theme, split by sentiment, one panel a group,
    the most raised theme at the top. Returns the figure (None when no bar can be drawn) and the
    groups left out because fewer than `threshold` people are in them."""
    segments = figures.sentiment_segments(frequency)
    groups = list(dict.fromkeys(frequency["group_label"]))
    small_groups = frequency.drop_duplicates("group")
    small_groups = small_groups[small_groups["group_hidden"]]["group_label"].tolist()
    groups = [g for g in groups if g not in small_groups]
    drawn_themes = set(segments["theme_label"])
    theme_order = [t for t in figures.theme_order(frequency, threshold) if t in drawn_themes]
    if segments.empty:
        return None, small_groups
    figure = make_subplots(rows=1, cols=max(len(groups), 1), shared_yaxes=True,
                           subplot_titles=groups if by != "all" else None, horizontal_spacing=0.02)
    for column, group in enumerate(groups, start=1):
        part = segments[segments["group_label"] == group]
        for sentiment in (*SENTIMENT_ORDER, SMALL_SEGMENT):
            rows = part[part["sentiment"] == sentiment]
            if rows.empty:
                continue
            figure.add_bar(
                x=charts.published(rows["share"], decimals=0), y=rows["theme_label"], orientation="h", row=1, col=column,
                name=SENTIMENT_NAMES[sentiment], legendgroup=sentiment, marker_color=SENTIMENT_COLOURS[sentiment],
                # One legend entry per sentiment, in the order of the bars.
                showlegend=sentiment not in set(segments[segments["group_label"].isin(groups[:column - 1])]["sentiment"]),
                legendrank=[*SENTIMENT_ORDER, SMALL_SEGMENT].index(sentiment),
                customdata=rows[["comments"]],
                hovertemplate="%{y}: %{customdata[0]} comments (%{x:.0f}% of the group)<extra>" + SENTIMENT_NAMES[sentiment] + "</extra>",
            )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(theme_order)))
    # One scale for every group, so that bars can be compared across them.
    longest = segments.groupby(["group_label", "theme"])["share"].sum().max() * 100
    figure.update_xaxes(ticksuffix="%", range=[0, longest * 1.05], nticks=4)
    charts.style(figure, height=140 + 28 * len(theme_order))
    # The groups' titles sit above the bars, so the legend goes below them.
    figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.06, xanchor="left", x=0))
    return figure, small_groups


THEMES_KEY = ("Bar length: % of the group's comments that raise the theme; colours split it by sentiment "
              "(a comment can raise several themes). Sentiments with few comments are merged in grey.")


# --- The answer: the themes raised most often ---------------------------------------------------------

def top_themes(overall: pd.DataFrame, threshold: int, n: int = 5) -> go.Figure | None:
    """The themes raised most often (their share of every comment, 95% interval), for the answer on
    the first screen; None when no theme can be shown."""
    shown = overall[~overall["share_suppressed"] & (overall["comments"] > 0)]
    order = [label for label in figures.theme_order(overall, threshold) if label in set(shown["theme_label"])][:n]
    if not order:
        return None
    drawn = shown.set_index("theme_label").loc[order].reset_index()
    figure = go.Figure(go.Bar(
        x=charts.published(drawn["share_pct"], decimals=0), y=drawn["theme_label"], orientation="h",
        marker_color=charts.REFERENCE_COLOUR,
        error_x=charts.interval_errors(drawn["share_pct"], drawn["share_lower"], drawn["share_upper"], decimals=0),
        hovertemplate="%{y}: %{x:.0f}% of comments<extra></extra>"))
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)))
    charts.style(figure, x_title="% of comments raising it (95% interval)", height=90 + 34 * len(order))
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    figure.update_layout(margin=dict(t=10, b=10))
    return figure


# --- Consultations compared -------------------------------------------------------------------------

MARKERS = ("circle", "diamond", "square", "triangle-up")


def consultations_compared(comparison: pd.DataFrame, threshold: int) -> go.Figure | None:
    """Each theme's share of each consultation's comments with its 95% interval, one marker a
    consultation, in the order of the themes chart (None when no share can be shown)."""
    drawn = comparison[~comparison["share_suppressed"] & (comparison["comments"] > 0)]
    if drawn.empty:
        return None
    figure = go.Figure()
    for number, (name, rows) in enumerate(drawn.groupby("group", sort=False)):
        figure.add_scatter(
            x=charts.published(rows["share_pct"], decimals=0), y=rows["theme_label"], mode="markers", name=name,
            marker=dict(size=11, color=charts.PALETTE[number % len(charts.PALETTE)], symbol=MARKERS[number % len(MARKERS)]),
            error_x=charts.interval_errors(rows["share_pct"], rows["share_lower"], rows["share_upper"], decimals=0),
            hovertemplate="%{y}: %{x:.0f}%<extra>" + name + "</extra>",
        )
    # The same order as the chart above: the themes raised most often (in every consultation together) first.
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(figures.theme_order(comparison, threshold))))
    charts.style(figure, x_title="% of the consultation's comments (95% interval)", height=140 + 28 * drawn["theme"].nunique())
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    return figure


# --- Themes raised together ---------------------------------------------------------------------------

def themes_together(matrix: pd.DataFrame, names: list[str], threshold: int) -> go.Figure:
    """The lower triangle of the co-occurrence matrix (ordered as wanted), small counts written c and
    left without colour; names label the themes."""
    values, text = [], []
    for i, a in enumerate(matrix.index):
        values.append([])
        text.append([])
        for j, b in enumerate(matrix.columns):
            n = int(matrix.loc[a, b])
            hidden = j >= i or stats.is_small(n, threshold)
            values[-1].append(None if hidden else n)
            text[-1].append("" if j >= i else stats.show_count(n, threshold))
    shown_values = [v for row in values for v in row if v is not None]
    figure = go.Figure(go.Heatmap(
        z=values, x=names, y=names, text=text, colorscale="Blues", showscale=False,
        zmin=min(shown_values, default=0), zmax=max(shown_values, default=1),
        hovertemplate="%{y} and %{x}: %{text} comments<extra></extra>", xgap=1, ygap=1,
    ))
    # Each count written in black or white, whichever reads better on its cell's blue.
    colours = charts.cell_text_colours(values, "Blues")
    cells = [(names[j], names[i], text[i][j], colours[i][j]) for i in range(len(names)) for j in range(len(names)) if text[i][j]]
    figure.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], text=[c[2] for c in cells], mode="text",
        textfont=dict(color=[c[3] for c in cells]), hoverinfo="skip", showlegend=False,
    ))
    charts.style(figure, height=200 + 34 * len(names))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(tickangle=-40)
    return figure


# --- One site beside every comment ---------------------------------------------------------------------

def site_beside_all(profile: pd.DataFrame, centre_name: str) -> go.Figure | None:
    """A site's theme shares beside those of every comment in view (None when none can be shown)."""
    drawn = profile[~profile["share_suppressed"] & (profile["comments"] > 0)]
    if drawn.empty:
        return None
    figure = go.Figure()
    figure.add_bar(x=charts.published(drawn["share_pct"], decimals=0), y=drawn["theme_label"], orientation="h", name=centre_name,
                   marker_color=charts.FOCUS_COLOUR, hovertemplate="%{y}: %{x:.0f}%<extra>" + centre_name.replace("<", "") + "</extra>")
    figure.add_bar(x=charts.published(drawn["share_pct_all"], decimals=0), y=drawn["theme_label"], orientation="h",
                   name="All comments in view", marker_color=charts.REFERENCE_COLOUR,
                   hovertemplate="%{y}: %{x:.0f}%<extra>all comments</extra>")
    figure.update_layout(barmode="group")
    figure.update_yaxes(autorange="reversed")
    charts.style(figure, x_title="% of comments raising the theme", height=140 + 40 * len(drawn))
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    return figure
