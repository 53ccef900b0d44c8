"""The shared chart look: which service changes a trend marks, and the note on the rest."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from scrutiny import charts

CHANGES = pd.DataFrame({
    "changed_on": [date(2021, 4, 1), date(2022, 3, 31), date(2023, 6, 1), date(2023, 9, 1)],
    "title": ["Re-commissioned", "Old Mill closed", "Eastfield moves", "Brook becomes a hub"],
    "centre_id": [None, "C3", "C1", "C2"],
})


@pytest.mark.parametrize(
    "focus, marked, left_out",
    [
        (None, ["Re-commissioned"], 3),                    # whole authority: only the authority-wide change
        ("C1", ["Re-commissioned", "Eastfield moves"], 2),  # a centre in focus: its own change too
        ("L1", ["Re-commissioned"], 3),                    # a site with no changes of its own
    ],
)
def test_changes_to_mark(focus, marked, left_out):
    shown, hidden = charts.changes_to_mark(CHANGES, focus)
    assert list(shown.title) == marked
    assert hidden == left_out


@pytest.mark.parametrize(
    "start, end, within",
    [
        # Both ends count: a change on a chart's first or last day is on the chart.
        (date(2021, 4, 1), date(2022, 3, 31), ["Re-commissioned", "Old Mill closed"]),
        (date(2021, 4, 2), date(2023, 6, 1), ["Old Mill closed", "Eastfield moves"]),
        (date(2023, 9, 2), date(2024, 3, 31), []),
    ],
)
def test_changes_within_a_charts_window(start, end, within):
    picked = charts.changes_within(CHANGES, pd.Timestamp(start), end)
    assert list(picked.title) == within
    assert list(picked.index) == list(range(len(within)))  # numbered from 0, as the caption numbers them from 1


def test_no_changes_within_any_window():
    assert charts.changes_within(CHANGES.iloc[0:0], date(2021, 1, 1), date(2024, 1, 1)).empty
    assert charts.changes_within(None, date(2021, 1, 1), date(2024, 1, 1)).empty


@pytest.mark.parametrize(
    "left_out, where, focus, note",
    [
        (0, "centre", False, ""),
        (1, "centre", False, "1 change at single centres is marked when that centre is in focus."),
        (271, "site", False, "271 changes at single sites are marked when that site is in focus."),
        # With a centre in focus its own changes are marked; the note is about the others.
        (25, "centre", True, "25 changes at other single centres are not marked."),
        (1, "site", True, "1 change at other single sites is not marked."),
    ],
)
def test_unmarked_changes_note(left_out, where, focus, note):
    assert charts.unmarked_changes_note(left_out, where, focus) == note


@pytest.mark.parametrize("days, labels", [
    # Four changes on 1 April 2021 (as the sample county's re-commissioning): one label, not four on top of each other.
    ([date(2020, 3, 23), date(2021, 4, 1), date(2021, 4, 1), date(2021, 4, 1), date(2021, 4, 1), date(2022, 10, 1)],
     ["(1)", "(2-5)", "(6)"]),
    # Numbers that are not consecutive (a caption in date order never gives these, but a list might).
    ([date(2021, 4, 1), date(2022, 1, 1), date(2021, 4, 1)], ["(1, 3)", "(2)"]),
])
def test_changes_on_the_same_day_share_one_line_and_label(days, labels):
    changes = pd.DataFrame({"changed_on": days, "title": [f"Change {n}" for n in range(1, len(days) + 1)]})
    figure = charts.add_service_changes(go.Figure(), changes)
    assert [a.text for a in figure.layout.annotations] == labels
    assert len(figure.layout.shapes) == len(labels)
    # The hover names every change behind a shared label.
    shared = next(a for a in figure.layout.annotations if "-" in a.text or "," in a.text)
    assert shared.hovertext.count("Change ") == (4 if len(days) == 6 else 2)


def test_every_figure_gets_the_dashboard_look_without_setting_it():
    fig = charts.style(go.Figure(go.Bar(x=[1], y=[2])), height=300)
    layout = fig.to_plotly_json()["layout"]
    template = layout["template"]["layout"]
    assert template["font"]["family"].startswith("Source Sans Pro")
    assert template["colorway"] == charts.PALETTE
    assert template["plot_bgcolor"] == "white"  # from plotly_white
    assert layout["height"] == 300


@pytest.mark.parametrize(
    "foreground, background, ratio",
    [
        ("#FFFFFF", "#000000", 21.0),   # the WCAG extremes
        ("#777777", "#FFFFFF", 4.48),   # the grey that just fails AA for body text
        ("#FFFFFF", "#0072B2", 5.19),
    ],
)
def test_contrast_follows_wcag(foreground, background, ratio):
    assert charts.contrast(foreground, background) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("band", list(charts.BAND_COLOURS))
def test_text_on_every_band_colour_meets_aa(band):
    background = charts.BAND_COLOURS[band]
    assert charts.contrast(charts.text_colour_on(background), background) >= 4.5


def test_orange_bands_get_black_text_and_the_dark_blue_band_white():
    # White on the vermillion "below" band is only 3.9:1; black is 5.4:1.
    assert charts.text_colour_on(charts.BAND_COLOURS["below"]) == "#000000"
    assert charts.text_colour_on(charts.BAND_COLOURS["not different from 65"]) == "#000000"
    assert charts.text_colour_on(charts.BAND_COLOURS["85%+"]) == "#FFFFFF"


def test_cell_text_colours_follow_the_blue_scale():
    # The smallest count sits on the palest blue (black text), the largest on the darkest (white text);
    # a hidden cell (None) gets black, the colour of text on the blank background.
    colours = charts.cell_text_colours([[None, 2], [10, 50]], "Blues")
    assert colours == [["#000000", "#000000"], ["#000000", "#FFFFFF"]]


def test_contrast_reads_rgb_colours_too():
    assert charts.contrast("rgb(255, 255, 255)", "#000000") == pytest.approx(21.0)


def test_funnel_colours_follow_polarity():
    # Obesity: an area above the 99.8% limit has more obesity than chance would give, so it takes
    # the worse (red) colour that a low outlier takes for a higher-is-better indicator.
    import pandas as pd

    from scrutiny.topics.gap import charts as gap_charts, figures as gap_figures

    def indicator(polarity):
        return gap_figures.Indicator("x", "X", "wellbeing", polarity, "fsm_status", "fsm", "non_fsm", None, "test")

    points = pd.DataFrame({"focus_numerator": [40], "focus_denominator": [100.0], "focus_pct": [0.4],
                           "geography_name": ["A"], "band": [gap_figures.FUNNEL_BANDS[0]]})
    curve = gap_figures.funnel_curve(0.2, [100])
    for polarity, colour in (("higher_is_better", "#0072B2"), ("lower_is_better", "#D55E00")):
        fig = gap_charts.funnel(points, curve, 0.2, indicator(polarity), "Testshire")
        marker = next(t for t in fig.data if t.name == "Above 99.8% limit")
        assert marker.marker.color == colour


def test_interval_errors_carry_the_published_precision_only():
    from scrutiny import charts

    # 16.25% (13 of 80) is printed 16.3% with its interval 9.8% to 25.8%: the bars say no more.
    bars = charts.interval_errors([0.1625, float("nan")], [0.09764, 0.2], [0.25793, 0.3])
    assert bars["array"] == [9.5, None] and bars["arrayminus"] == [6.5, None]
    assert bars["symmetric"] is False
    assert charts.published([0.1625, None, float("nan")]) == [16.3, None, None]
    assert charts.published([0.0061], scale=1000) == [6.1]
