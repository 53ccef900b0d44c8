"""Maps drawn on plain x/y axes, so they need no map tiles and no world outline.

plotly's geo and map traces fetch a world outline or tiles from a CDN even when
the base map is hidden; the dashboard runs offline, so areas are drawn as filled
polygons and centres as points on ordinary axes, with longitude stretched by
1/cos(latitude) so shapes are not squashed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from scrutiny import charts


@dataclass(frozen=True)
class Band:
    name: str
    lower: float  # inclusive, fraction
    upper: float  # exclusive, fraction
    colour: str


def reach_bands(good: float, outstanding: float) -> list[Band]:
    """Colour-blind-safe sequential blues, cut at the page's thresholds."""
    below = min(0.5, good)
    return [
        Band(f"below {below:.0%}", 0.0, below, "#DEEBF7"),
        Band(f"{below:.0%} to {good:.0%}", below, good, "#9ECAE1"),
        Band(f"{good:.0%} to {outstanding:.0%}", good, outstanding, "#4292C6"),
        Band(f"{outstanding:.0%} or more", outstanding, math.inf, "#08519C"),
    ]


def band_of(value: float, bands: list[Band]) -> Band | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for band in bands:
        if band.lower <= value < band.upper:
            return band
    return bands[-1] if value >= bands[-1].lower else bands[0]


def outer_rings(geometry: dict) -> list[list[list[float]]]:
    """The outer ring of each polygon in a GeoJSON Polygon or MultiPolygon (holes are not drawn)."""
    kind = (geometry or {}).get("type")
    coordinates = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        return [coordinates[0]] if coordinates else []
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in coordinates if polygon]
    return []


def _path(rings: list[list[list[float]]]) -> tuple[list, list]:
    xs, ys = [], []
    for ring in rings:
        xs += [point[0] for point in ring] + [None]
        ys += [point[1] for point in ring] + [None]
    return xs, ys


def _keep_shape(fig: go.Figure, latitudes) -> go.Figure:
    mean_latitude = float(np.nanmean(latitudes)) if len(latitudes) else 52.0
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / max(math.cos(math.radians(mean_latitude)), 0.1))
    fig.update_layout(plot_bgcolor="white", legend=dict(title_text=""))
    return fig


def area_map(geo: dict, frame: pd.DataFrame, bands: list[Band], value: str = "value",
             hover: str = "hover", missing_name: str = "too few to show") -> go.Figure:
    """Areas filled by band: one trace per band (fast for hundreds of areas), hover text at each centre.

    frame has area_code, a value column (a fraction, NaN when suppressed or unknown) and a hover column.
    """
    shapes = {
        str(feature.get("properties", {}).get("area_code")): outer_rings(feature.get("geometry"))
        for feature in geo.get("features", [])
    }
    rows = frame[frame["area_code"].astype(str).isin(shapes)]
    fig = go.Figure()
    groups: dict[str, list] = {}
    for row in rows.itertuples():
        band = band_of(getattr(row, value), bands)
        groups.setdefault(band.name if band else missing_name, []).append(str(row.area_code))
    colours = {b.name: b.colour for b in bands} | {missing_name: charts.BAND_COLOURS["suppressed"]}
    for name in [b.name for b in bands] + [missing_name]:
        if name not in groups:
            continue
        xs, ys = _path([ring for code in groups[name] for ring in shapes[code]])
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=colours[name], name=name,
            line=dict(color="white", width=0.6), hoverinfo="skip",
        ))
    centres_x, centres_y, texts = [], [], []
    for row in rows.itertuples():
        rings = shapes[str(row.area_code)]
        if rings:
            points = np.array(rings[0], dtype=float)
            centres_x.append(points[:, 0].mean())
            centres_y.append(points[:, 1].mean())
            texts.append(getattr(row, hover))
    fig.add_trace(go.Scatter(
        x=centres_x, y=centres_y, mode="markers", marker=dict(size=6, opacity=0), text=texts,
        hovertemplate="%{text}<extra></extra>", showlegend=False,
    ))
    return _keep_shape(fig, centres_y)


def point_map(frame: pd.DataFrame, colours: list[str], labels: list[str], hover: list[str]) -> go.Figure:
    """Points at frame's longitude/latitude with a text label beside each."""
    fig = go.Figure(go.Scatter(
        x=frame["longitude"], y=frame["latitude"], mode="markers+text", text=labels, textposition="top center",
        marker=dict(size=14, color=colours, line=dict(width=1, color=charts.TEXT_COLOUR)),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", showlegend=False,
    ))
    return _keep_shape(fig, frame["latitude"].to_numpy(dtype=float))
