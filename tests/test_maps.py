"""Maps need no tiles or world outline: only x/y traces, with areas banded at the thresholds."""

import math

import numpy as np
import pandas as pd
import pytest

from scrutiny import maps

SQUARE = {"type": "Polygon", "coordinates": [[[0, 52], [1, 52], [1, 53], [0, 53], [0, 52]]]}
TWO_SQUARES = {"type": "MultiPolygon", "coordinates": [
    [[[2, 52], [3, 52], [3, 53], [2, 52]]],
    [[[4, 52], [5, 52], [5, 53], [4, 52]]],
]}
GEO = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"area_code": "A1"}, "geometry": SQUARE},
    {"type": "Feature", "properties": {"area_code": "A2"}, "geometry": TWO_SQUARES},
    {"type": "Feature", "properties": {"area_code": "A3"}, "geometry": SQUARE},
]}


@pytest.mark.parametrize(
    "value, band",
    [(0.0, "below 50%"), (0.4999, "below 50%"), (0.5, "50% to 65%"), (0.65, "65% to 85%"),
     (0.8499, "65% to 85%"), (0.85, "85% or more"), (1.0, "85% or more")],
)
def test_bands_cut_at_the_thresholds(value, band):
    assert maps.band_of(value, maps.reach_bands(0.65, 0.85)).name == band


def test_missing_value_has_no_band():
    assert maps.band_of(math.nan, maps.reach_bands(0.65, 0.85)) is None


def test_area_map_uses_no_geo_traces_and_groups_by_band():
    frame = pd.DataFrame({"area_code": ["A1", "A2", "A3"], "value": [0.9, math.nan, 0.9],
                          "hover": ["A1: 90%", "A2: too few", "A3: 90%"]})
    fig = maps.area_map(GEO, frame, maps.reach_bands(0.65, 0.85))
    assert {trace.type for trace in fig.data} == {"scatter"}
    names = [trace.name for trace in fig.data if trace.fill == "toself"]
    assert names == ["85% or more", "too few to show"]
    # A1 and A3 share one trace: two rings of 5 points, each closed by a gap.
    assert len(fig.data[0].x) == 12
    # A2's two polygons are both drawn, each ring ending in a gap (NaN, which plotly draws as a break).
    assert int(np.isnan(fig.data[1].x).sum()) == 2
    np.testing.assert_array_equal(fig.data[1].x, [2, 3, 3, 2, np.nan, 4, 5, 5, 4, np.nan])
    hover = fig.data[-1]
    assert list(hover.text) == ["A1: 90%", "A2: too few", "A3: 90%"]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_point_map_is_plain_scatter():
    frame = pd.DataFrame({"longitude": [-1.0, -0.9], "latitude": [52.1, 52.2]})
    fig = maps.point_map(frame, ["#000000", "#FFFFFF"], ["58%", "c"], ["Eastfield: 58%", "Brook: c"])
    assert fig.data[0].type == "scatter" and list(fig.data[0].text) == ["58%", "c"]
