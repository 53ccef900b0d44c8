"""The Reach page and the overview on the tiny extract, compared with what they showed before their
charts, words and tables moved into scrutiny/topics/reach/ (tests/page_snapshots.json).

A change in what a page shows makes this test fail on purpose: look at the difference, and when it is
meant, write the snapshots again with UPDATE_SNAPSHOTS=1 and say in the commit what changed.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.helpers import errors, open_app, plotly_figures

SNAPSHOTS = Path(__file__).with_name("page_snapshots.json")

VIEWS = {
    "reach default": ("pages/reach.py", dict(period="2023-24")),
    "reach all, authority, sustained 1": ("pages/reach.py", dict(period="2023-24", target_group="all", rollup="authority",
                                                                   sustained_min="1")),
    "reach all by district, 70/90": ("pages/reach.py", dict(period="2023-24", target_group="all", rollup="district",
                                                              good="70", outstanding="90")),
    "reach centre C3": ("pages/reach.py", dict(period="2023-24", target_group="all", centre="C3")),
    "overview": ("pages/overview.py", dict(period="2023-24")),
}


def _plain(value):
    """Plotly writes a numpy array as base64 ({"dtype", "bdata"}) and a list as a list: both as numbers,
    whole numbers as int, so that a chart drawn from a list and one drawn from an array compare equal."""
    if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", len(array))).split(",")]
        return _plain(array.reshape(shape).tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None  # NaN, which is not equal to itself
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _figure(spec: dict) -> dict:
    """A chart's traces and layout without what plotly makes up afresh each time."""
    layout = {k: v for k, v in spec.get("layout", {}).items() if k != "template"}
    traces = [{k: v for k, v in trace.items() if k != "uid"} for trace in spec.get("data", [])]
    return _plain(json.loads(json.dumps({"data": traces, "layout": layout}, sort_keys=True, default=str)))


def shown(page: str, params: dict) -> dict:
    at = open_app(page, **params)
    assert not errors(at)
    words = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        words += [f"{kind}: {el.value}" for el in getattr(at, kind)]
    words += [f"metric: {m.label} = {m.value}" for m in at.metric]
    tables = [json.loads(frame.value.to_json(orient="split", default_handler=str)) for frame in at.dataframe]
    return {"words": words, "tables": tables, "charts": [_figure(f) for f in plotly_figures(at)]}


@pytest.mark.parametrize("view", list(VIEWS))
def test_page_shows_what_it_showed(tiny, view):
    page, params = VIEWS[view]
    now = shown(page, params)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        kept = json.loads(SNAPSHOTS.read_text(encoding="utf-8")) if SNAPSHOTS.exists() else {}
        kept[view] = now
        SNAPSHOTS.write_text(json.dumps(kept, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    before = json.loads(SNAPSHOTS.read_text(encoding="utf-8"))[view]
    assert now["words"] == before["words"]
    assert now["tables"] == before["tables"]
    assert len(now["charts"]) == len(before["charts"])
    for number, (chart, was) in enumerate(zip(now["charts"], before["charts"])):
        assert _plain(chart) == _plain(was), f"chart {number} differs"
