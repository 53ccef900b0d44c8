"""No page, download, evidence pack or finding reveals a small number.

Hypothesis builds small extracts (a "tiny world") in which every count of people
is below the suppression threshold: at most threshold-1 children in the whole
extract, at most threshold-1 consultation comments, and outcome cells whose
numerators and denominators (summed over the groups of one place and year, and for
centre reach areas over every centre too, since the Footfall page pools the sites
in view) stay below the threshold. In such a world the rule (a count from 1 to threshold-1 is
shown as "c"; a percentage is hidden when its numerator is 1 to threshold-1 or
its denominator is below the threshold) leaves nothing to show about people but
zeros and percentages of 0 resting on a large enough population estimate. So:

- no count of people in a table, metric, chart label or CSV download is 1 to threshold-1;
- no percentage or interval shown is above 0 (an interval may only start at 0),
  except published benchmarks (England, region, neighbours);
- no chart on a percentage axis draws a local point above 0;
- the same for every table of the evidence pack and every line of enquiry.

The threshold is drawn too (5, the default, or a council's stricter 10), so a
page that hard-codes 5 is caught. Examples are bounded (DISCLOSURE_EXAMPLES,
default 5 per page) to keep the suite fast.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scrutiny.contract import TABLES
from tests import tiny_extract
from tests.e2e.registry import PAGES
from tests.e2e.walk import downloads, figures, frames, metrics, run_page  # noqa: F401  (downloads is a fixture)

EXAMPLES = int(os.environ.get("DISCLOSURE_EXAMPLES", "5"))
# No shrinking: each example runs a whole page, and the first failing world is reported as drawn.
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))

# Columns, labels and traces about published comparators, not local people.
PUBLISHED = re.compile(r"england|benchmark|national|neighbour|region|threshold|ofsted", re.I)
# Column and label words that mark a count of people.
PEOPLE = re.compile(
    r"children|child\b|population|under-fives|registered|reached|sustained|missed|families|responses|"
    r"comments|respondents|came|numerator|denominator|pupils|registrations|parents|staff|volunteers|people", re.I)
NOT_A_COUNT = re.compile(r"%|per |rate|ci\b|interval|share|rank|decile|quintile|year|change|gap|verdict|rating|name", re.I)
PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")
INTERVAL = re.compile(r"(-?\d+(?:\.\d+)?)\s*%?\s*(?:to|–|-)\s*(-?\d+(?:\.\d+)?)\s*%")
# Fixed wording that carries a percentage but no figure: "95% CI", "30% most deprived areas", and
# Ofsted's 65% and 85% thresholds wherever they are named (a real figure of exactly 65% slips past).
FIXED_WORDING = re.compile(
    r"\b95%(?=\s*\(?(CI|confidence|interval))|\b30%(?=\s*(most deprived|of the most))|\b(65|85)%", re.I)


# --- What counts as revealing ----------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", "").strip())
    except ValueError:
        return None


def text_leaks(text: str, t: int, count_context: bool) -> list[str]:
    """Percentages above 0, intervals not starting at 0, and (in a count's place) counts of 1 to t-1."""
    found = []
    text = str(text)
    cleaned = FIXED_WORDING.sub("", text)
    intervals = list(INTERVAL.finditer(cleaned))
    for m in intervals:
        if float(m.group(1)) > 0:
            found.append(f"interval {m.group(0)!r}")
    rest = INTERVAL.sub("", cleaned)
    for m in PERCENT.finditer(rest):
        if float(m.group(1)) != 0:
            found.append(f"percentage {m.group(0)!r}")
    if count_context:
        leading = re.match(r"^\s*(\d[\d,]*)\b", rest)
        if leading:
            n = _number(leading.group(1))
            if n is not None and 1 <= n < t:
                found.append(f"count {leading.group(1)!r}")
    return found


def frame_leaks(frame: pd.DataFrame, t: int, where: str) -> list[str]:
    found = []
    for column in frame.columns:
        name = str(column)
        if PUBLISHED.search(name):
            continue
        is_count = bool(PEOPLE.search(name)) and not NOT_A_COUNT.search(name)
        is_percent = "%" in name or re.search(r"per cent|percentage", name, re.I)
        for row, value in frame[column].items():
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                v = float(value)
                if is_percent and v != 0:
                    found.append(f"{where}: column {name!r} row {row} shows {value}")
                elif is_count and 1 <= v < t:
                    found.append(f"{where}: column {name!r} row {row} shows {value}")
                continue
            for leak in text_leaks(str(value), t, is_count):
                found.append(f"{where}: column {name!r} row {row}: {leak} in {str(value)[:80]!r}")
    return found


def _values(spec) -> list:
    """A trace's data array, decoding plotly's typed-array form."""
    if isinstance(spec, dict) and "bdata" in spec:
        return list(np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"])))
    if isinstance(spec, (list, tuple)):
        return list(itertools.chain.from_iterable(v if isinstance(v, list) else [v] for v in spec))
    return []


def figure_leaks(figure: dict, t: int, where: str) -> list[str]:
    found = []
    layout = figure.get("layout", {})
    percent_axes = {key for key, spec in layout.items()
                    if key.startswith(("xaxis", "yaxis")) and isinstance(spec, dict) and spec.get("ticksuffix") == "%"}
    for trace in figure.get("data", []):
        name = str(trace.get("name") or "")
        if PUBLISHED.search(name):
            continue
        for label in _values(trace.get("text")):
            for leak in text_leaks(str(label), t, count_context=False):
                found.append(f"{where}: trace {name!r} label {leak}")
        for letter in ("x", "y"):
            ref = str(trace.get(f"{letter}axis") or letter)  # "y", "y2" ... -> layout key "yaxis", "yaxis2"
            if f"{letter}axis{ref[1:]}" not in percent_axes:
                continue
            for v in _values(trace.get(letter)):
                number = _number(v) if not isinstance(v, (int, float, np.number)) else float(v)
                if number is not None and not np.isnan(number) and number != 0:
                    found.append(f"{where}: trace {name!r} draws {number:g}% on a percentage axis")
                    break
    return found


def csv_frame(raw: bytes) -> pd.DataFrame:
    from tests.helpers import read_download

    return read_download(raw)[0]


# --- The tiny world ---------------------------------------------------------------------------

AREAS = ["A1", "A2", "A3", "A4", "A5", None]
CENTRES = ["C1", "C2", "C3", "L1"]
GROUPS = ["teenage_parent", "lone_parent", "minority_ethnic", "child_in_need", "disabled_child"]
START = date(2022, 4, 1)


@st.composite
def tiny_worlds(draw):
    t = draw(st.sampled_from([5, 10]))
    n_children = draw(st.integers(1, t - 1))
    children, visits = [], []
    for i in range(n_children):
        born = date(2019, 1, 1) + timedelta(days=30 * draw(st.integers(0, 50)))
        born = born.replace(day=1)
        registered = born + timedelta(days=draw(st.integers(0, 900)))
        children.append((f"K{i + 1}", f"F{draw(st.integers(1, 3))}", draw(st.sampled_from(AREAS)),
                         draw(st.sampled_from(CENTRES[:3])), registered, born,
                         draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True))))
        for _ in range(draw(st.integers(0, 4))):
            visits.append((f"K{i + 1}", draw(st.sampled_from(CENTRES)), START + timedelta(days=draw(st.integers(0, 729))),
                           "Stay and play", draw(st.sampled_from(["universal", "targeted", "specialist"]))))
    population = []
    for area, year in itertools.product(["A1", "A2", "A3", "A4", "A5"], (2022, 2023)):
        population.append((area, year, "all", draw(st.integers(0, 30))))
        for group in draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)):
            population.append((area, year, group, draw(st.integers(0, 12))))
    outcomes = []
    # Children left to place in centre reach areas, per indicator and year: the Footfall page pools
    # the sites in view, so the centres' cells together stay below the threshold too.
    left_for_centres = {key: t - 1 for key in itertools.product(("gld", "obesity_reception"), (2021, 2022, 2023))}
    for indicator, (level, code), year in itertools.product(
        ("gld", "obesity_reception"),
        (("authority", "Testshire"), ("district", "Northdale"), ("district", "Southvale"), ("centre", "C1"), ("centre", "C2")),
        (2021, 2022, 2023),
    ):
        room = left_for_centres[indicator, year] if level == "centre" else t - 1
        if room >= 2 and draw(st.booleans()):
            fsm_n = draw(st.integers(1, max(1, room // 2)))
            rest_n = draw(st.integers(1, max(1, room - fsm_n)))
            if level == "centre":
                left_for_centres[indicator, year] -= fsm_n + rest_n
            fsm_x, rest_x = draw(st.integers(0, fsm_n)), draw(st.integers(0, rest_n))
            outcomes += [
                (indicator, level, code, year, "fsm_status", "fsm", fsm_x, fsm_n),
                (indicator, level, code, year, "fsm_status", "non_fsm", rest_x, rest_n),
                (indicator, level, code, year, "all", "all", fsm_x + rest_x, fsm_n + rest_n),
            ]
    base_feedback = tiny_extract.tables()["feedback"]
    feedback = base_feedback.iloc[: draw(st.integers(0, min(t - 1, len(base_feedback))))].copy()
    feedback["respondent_type"] = [draw(st.sampled_from(["parent_carer", "staff", "volunteer"])) for _ in range(len(feedback))]
    return t, {
        "children": pd.DataFrame(children, columns=TABLES["children"].column_names),
        "attendances": pd.DataFrame(visits, columns=TABLES["attendances"].column_names),
        "population": pd.DataFrame(population, columns=TABLES["population"].column_names),
        "outcomes": pd.DataFrame(outcomes, columns=TABLES["outcomes"].column_names),
        "feedback": feedback,
    }


_counter = itertools.count()


@pytest.fixture
def build_world(tmp_path_factory, monkeypatch):
    """Writes one drawn world as an extract and points the dashboard at it (a fresh folder per example)."""
    def build(t: int, tables: dict) -> None:
        folder = tmp_path_factory.mktemp(f"world{next(_counter)}")
        tiny_extract.write_extract(folder, tables, info=dict(tiny_extract.EXTRACT_INFO, suppression_threshold=t))
        monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    return build


def page_leaks(at, t: int, caught: list[tuple[str, bytes]], where: str) -> list[str]:
    found = []
    for i, frame in enumerate(frames(at)):
        found += frame_leaks(frame, t, f"{where} table {i}")
    for label, value in metrics(at):
        if not PUBLISHED.search(label):
            found += [f"{where} metric {label!r}: {leak}" for leak in text_leaks(value, t, bool(PEOPLE.search(label)))]
    for i, figure in enumerate(figures(at)):
        found += figure_leaks(figure, t, f"{where} chart {i}")
    for name, raw in caught:
        if name.endswith(".csv"):
            found += frame_leaks(csv_frame(raw), t, f"{where} download {name}")
    return found


# Known leaks, each naming its bug, marked xfail (strict=False, so a fix turns them green). None at
# present: the footfall entry that stood here was the world's fault (two centres' cells, each below
# the threshold, pooled to 11 of 17 children: a figure the rule allows), fixed in tiny_worlds.
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("page", [
    pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p.url_path], strict=False)) if p.url_path in KNOWN else p
    for p in PAGES
], ids=str)
def test_no_page_reveals_a_small_number(page, build_world, downloads):
    @SETTINGS
    @given(world=tiny_worlds())
    def check(world):
        t, tables = world
        build_world(t, tables)
        downloads.clear()
        at = run_page(page)
        assert not at.exception, [e.message for e in at.exception]
        leaks = page_leaks(at, t, downloads, page.url_path)
        assert not leaks, f"threshold {t}:\n" + "\n".join(leaks[:12])

    check()


@SETTINGS
@given(world=tiny_worlds())
def test_evidence_pack_and_findings_reveal_no_small_number(build_world, world):
    from scrutiny import evidence, findings
    from scrutiny.filters import Filters

    t, tables = world
    build_world(t, tables)
    leaks = []
    for year in (2022, 2023):
        current = Filters(year=year)
        pack = evidence.build_pack(current, list(evidence.SECTIONS), [])
        for section in pack.sections:
            for table in section.tables():
                leaks += frame_leaks(table.frame, t, f"pack {section.key} table {table.title!r}")
            for chart in section.charts():
                leaks += figure_leaks(json.loads(chart.figure.to_json()), t, f"pack {section.key} chart {chart.title!r}")
        for finding in findings.lines_of_enquiry(current):
            for part in (finding.statement, finding.question, finding.uncertainty):
                leaks += [f"finding {finding.rule}: {leak} in {part[:100]!r}" for leak in text_leaks(part, t, False)]
            for key, value in finding.figures.items():
                if PEOPLE.search(str(key)) and isinstance(value, (int, np.integer)) and 1 <= value < t:
                    leaks.append(f"finding {finding.rule}: figure {key}={value}")
    assert not leaks, f"threshold {t}:\n" + "\n".join(leaks[:12])


# --- The checker itself, on hand-made cases -------------------------------------------------

@pytest.mark.parametrize("text, count_context, expected", [
    ("c", True, []),
    ("0", True, []),
    ("3", True, ["count '3'"]),
    ("12", True, []),                      # 12 is not below a threshold of 5
    ("0%", False, []),
    ("40%", False, ["percentage '40%'"]),
    ("0% to 28%", False, []),              # Wilson interval of 0 out of 10: starts at 0
    ("15% to 58%", False, ["interval '15% to 58%'"]),
    ("3 (60%)", True, ["percentage '60%'", "count '3'"]),
    ("95% CI c", False, []),
    ("30% most deprived areas: c", False, []),
])
def test_the_leak_checker(text, count_context, expected):
    assert text_leaks(text, 5, count_context) == expected


# --- A hand-made case the random worlds may miss ------------------------------------------------

def test_reach_page_shows_no_share_for_a_group_of_one_child(tiny):
    # Worked by hand from the tiny extract: minority_ethnic holds one child, K7 (area A3, centre C2),
    # with 5 specialist attendances from April to August 2023. One child is below the threshold of 5,
    # so no share of that group's attendances may be shown; the chart drew "100%" specialist.
    reach = next(p for p in PAGES if p.url_path == "reach")
    at = run_page(reach)
    shown = []
    for figure in figures(at):
        for trace in figure.get("data", []):
            categories = _values(trace.get("y")) if trace.get("orientation") == "h" else _values(trace.get("x"))
            for category, label in zip(categories, _values(trace.get("text"))):
                if str(category) == "Minority ethnic families" and text_leaks(str(label), 5, False):
                    shown.append(f"{trace.get('name')}: {label}")
    assert not shown, shown
