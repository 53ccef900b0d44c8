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


@dataclass(frozen=True)
class Shapes:
    """Every area's outline as one path, ready to draw: x and y with NaN between rings."""
    codes: np.ndarray          # area codes, as text
    xs: list[np.ndarray]       # per area: longitudes of its rings, each ring followed by NaN
    ys: list[np.ndarray]
    centre_x: np.ndarray       # per area: mean of its first ring's points (where the hover sits)
    centre_y: np.ndarray


_SHAPES: dict[int, tuple[dict, Shapes]] = {}


def shapes_of(geo: dict) -> Shapes:
    """The outlines of a boundaries file, worked out once per loaded file (it is read once and kept)."""
    known = _SHAPES.get(id(geo))
    if known is not None and known[0] is geo:
        return known[1]
    codes, xs, ys, cx, cy = [], [], [], [], []
    for feature in geo.get("features", []):
        rings = [np.asarray(ring, dtype=float)[:, :2] for ring in outer_rings(feature.get("geometry")) if len(ring)]
        codes.append(str(feature.get("properties", {}).get("area_code")))
        gap = np.array([np.nan])
        xs.append(np.concatenate([part for ring in rings for part in (ring[:, 0], gap)]) if rings else np.array([]))
        ys.append(np.concatenate([part for ring in rings for part in (ring[:, 1], gap)]) if rings else np.array([]))
        cx.append(rings[0][:, 0].mean() if rings else np.nan)
        cy.append(rings[0][:, 1].mean() if rings else np.nan)
    shapes = Shapes(np.array(codes, dtype=object), xs, ys, np.array(cx), np.array(cy))
    _SHAPES.clear()  # one boundaries file at a time is plenty
    _SHAPES[id(geo)] = (geo, shapes)
    return shapes


def _keep_shape(fig: go.Figure, latitudes) -> go.Figure:
    mean_latitude = float(np.nanmean(latitudes)) if len(latitudes) else 52.0
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / max(math.cos(math.radians(mean_latitude)), 0.1))
    fig.update_layout(plot_bgcolor="white", legend=dict(title_text=""))
    return fig


def area_map(geo: dict, frame: pd.DataFrame, bands: list[Band], value: str = "value",
             hover: str = "hover", missing_name: str = "too few to show") -> go.Figure:
    """Areas filled by band: one trace per band (fast for thousands of areas), hover text at each centre.

    frame has area_code, a value column (a fraction, NaN when suppressed or unknown) and a hover column.
    """
    shapes = shapes_of(geo)
    position = {code: i for i, code in enumerate(shapes.codes)}
    rows = frame[frame["area_code"].astype(str).isin(position)]
    where = [position[str(code)] for code in rows["area_code"]]
    band_names = [(band.name if band else missing_name) for band in (band_of(v, bands) for v in rows[value])]
    colours = {b.name: b.colour for b in bands} | {missing_name: charts.BAND_COLOURS["suppressed"]}
    fig = go.Figure()
    for name in [b.name for b in bands] + [missing_name]:
        members = [i for i, band in zip(where, band_names) if band == name]
        if not members:
            continue
        fig.add_trace(go.Scatter(
            x=np.concatenate([shapes.xs[i] for i in members]), y=np.concatenate([shapes.ys[i] for i in members]),
            mode="lines", fill="toself", fillcolor=colours[name], name=name,
            line=dict(color="white", width=0.6), hoverinfo="skip",
        ))
    drawn = [i for i in where if not np.isnan(shapes.centre_x[i])]
    texts = [text for i, text in zip(where, rows[hover]) if not np.isnan(shapes.centre_x[i])]
    fig.add_trace(go.Scatter(
        x=shapes.centre_x[drawn], y=shapes.centre_y[drawn], mode="markers", marker=dict(size=6, opacity=0), text=texts,
        hovertemplate="%{text}<extra></extra>", showlegend=False,
    ))
    return _keep_shape(fig, shapes.centre_y[drawn])


def point_map(frame: pd.DataFrame, colours: list[str], labels: list[str], hover: list[str]) -> go.Figure:
    """Points at frame's longitude/latitude with a text label beside each."""
    fig = go.Figure(go.Scatter(
        x=frame["longitude"], y=frame["latitude"], mode="markers+text", text=labels, textposition="top center",
        marker=dict(size=14, color=colours, line=dict(width=1, color=charts.TEXT_COLOUR)),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", showlegend=False,
    ))
    return _keep_shape(fig, frame["latitude"].to_numpy(dtype=float))
