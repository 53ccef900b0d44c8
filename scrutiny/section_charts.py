"""Charts that a page and the evidence pack both draw, built from the frames the topic modules return.

A page shows the figure with charts.show; the evidence pack puts the same figure in its
Word and HTML files, so a chart in the pack is the chart on screen. Each function takes
frames that are already suppressed and leaves out what is hidden.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scrutiny import charts, stats
from scrutiny import feedback as fb

# --- Feedback: themes raised --------------------------------------------------------------------------

SENTIMENT_COLOURS = {"positive": "#009E73", "mixed": "#E69F00", "neutral": "#56B4E9", "negative": "#D55E00",
                     fb.SMALL_SEGMENT: "#D9D9D9"}
SENTIMENT_NAMES = {**fb.SENTIMENT_LABELS, fb.SMALL_SEGMENT: "Sentiment not shown (small numbers)"}


def themes_raised(frequency: pd.DataFrame, by: str, threshold: int) -> tuple[go.Figure | None, list[str]]:
    """The share of each group's comments raising each theme, split by sentiment, one panel a group,
    the most raised theme at the top. Returns the figure (None when no bar can be drawn) and the
    groups left out because fewer than `threshold` people are in them."""
    segments = fb.sentiment_segments(frequency, threshold)
    groups = list(dict.fromkeys(frequency["group_label"]))
    small_groups = frequency.drop_duplicates("group")
    small_groups = small_groups[small_groups["group_hidden"]]["group_label"].tolist()
    groups = [g for g in groups if g not in small_groups]
    drawn_themes = set(segments["theme_label"])
    theme_order = [t for t in fb.theme_order(frequency, threshold) if t in drawn_themes]
    if segments.empty:
        return None, small_groups
    figure = make_subplots(rows=1, cols=max(len(groups), 1), shared_yaxes=True,
                           subplot_titles=groups if by != "all" else None, horizontal_spacing=0.02)
    for column, group in enumerate(groups, start=1):
        part = segments[segments["group_label"] == group]
        for sentiment in (*fb.SENTIMENT_ORDER, fb.SMALL_SEGMENT):
            rows = part[part["sentiment"] == sentiment]
            if rows.empty:
                continue
            figure.add_bar(
                x=charts.published(rows["share"], decimals=0), y=rows["theme_label"], orientation="h", row=1, col=column,
                name=SENTIMENT_NAMES[sentiment], legendgroup=sentiment, marker_color=SENTIMENT_COLOURS[sentiment],
                # One legend entry per sentiment, in the order of the bars.
                showlegend=sentiment not in set(segments[segments["group_label"].isin(groups[:column - 1])]["sentiment"]),
                legendrank=[*fb.SENTIMENT_ORDER, fb.SMALL_SEGMENT].index(sentiment),
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
