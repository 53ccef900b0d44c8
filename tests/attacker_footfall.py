"""An outsider who reads the Footfall page beside the Reach page and solves for the hidden reach cells.

The Footfall page publishes, for each site with a reach area (a Reach page centre): its visits, its
visits per under-five (so, with the visits, a range for the centre's under-fives), the reach of its
most deprived 30% with an interval, and the same again in its CSV download, its scatter (points,
point sizes, hover figures) and its trend chart. Each becomes a bound on the same unknowns the
Reach page's outsider (tests/attacker.py) works with, each area's figures, and the linear
programme is solved over both pages together.

Written independently of scrutiny/disclosure/: it reads the published table and chart data, and
infers the precision of each figure from the figure itself (a value carried to full precision is
taken as exact, as an outsider would).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences, tables as footfall_tables
from scrutiny.topics.reach import figures as reach
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.filters import Filters
from scrutiny.topics.footfall import charts as footfall_charts
from tests import attacker

PERCENT = re.compile(r"^(\d+(?:\.\d+)?)% \((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)%\)$")
INFINITY = float("inf")


def half_step(value: float) -> float:
    """How far the true value may be from a published one: half its last decimal, or nothing when the
    value carries more than three decimals (full precision)."""
    for decimals in range(4):
        scaled = value * 10 ** decimals
        if abs(scaled - round(scaled)) < 1e-9:
            return 0.5 / 10 ** decimals
    return 1e-9


def _numbers(spec) -> list[float]:
    """A chart's array as numbers, whether plotly carries it as a list or packed ("bdata")."""
    if spec is None:
        return []
    if isinstance(spec, dict) and "bdata" in spec:
        import base64

        return [float(v) for v in np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))]
    return [float("nan") if v is None else float(v) for v in np.asarray(spec, dtype=object).tolist()]


def _add_per_under_five(published: attacker.Published, areas: tuple, visits: float, per_child: float, view: str) -> None:
    # visits / population = per_child, within its precision: a range for the population.
    h = half_step(per_child)
    low = visits / (per_child + h)
    high = visits / (per_child - h) if per_child - h > 0 else INFINITY
    published.linear.append(("all", areas, {"population": 1}, low, high, view))


def _add_percent(published: attacker.Published, group: str, areas: tuple, percent: float, view: str) -> None:
    h = half_step(percent)
    published.linear.append((group, areas, {"reached": 1, "population": -(percent + h) / 100}, -INFINITY, 0, view))
    published.linear.append((group, areas, {"reached": 1, "population": -(percent - h) / 100}, 0, INFINITY, view))


@contextmanager
def old_rules():
    """The Footfall page as it was before it read the Reach plan: only its own small-number rule."""
    saved = footfall.reach_plan_hides
    footfall.reach_plan_hides = lambda table, filters: {"population": np.zeros(len(table), bool),
                                                        "md_reach": np.zeros(len(table), bool)}
    try:
        yield
    finally:
        footfall.reach_plan_hides = saved


def gather(filters: Filters, threshold: int, protected: bool = True, groups: list[str] | None = None) -> attacker.Published:
    """The Reach page's figures (tests/attacker.py, always as published now) and everything the Footfall
    page adds about the same centres; protected=False reads the Footfall page under its old rules."""
    published = attacker.gather(filters, threshold, groups=groups)
    areas = reach.area_figures(filters)
    behind = {c: tuple(sorted(rows["area_code"].unique())) for c, rows in areas.groupby("centre_id")}
    everything = tuple(sorted(areas["area_code"].unique()))
    indicators = footfall.indicators()
    indicator = next(iter(indicators.values()), None)
    with (old_rules() if not protected else _nothing()):
        # Uncached, so the two readings of the page never share an answer.
        table = footfall.site_table.__wrapped__(filters, indicator)
        reach_trends = {site: footfall.reach_trend(filters, site or None) for site in ["", *behind]}
    shown = footfall_tables.table_as_shown(table, indicator)

    # The site table, as on the page and in its CSV download (the same frame).
    for row, text in zip(table.itertuples(), shown.itertuples(index=False)):
        areas_of = behind.get(row.centre_id)
        if areas_of is None:
            continue
        visits, per_child = text[shown.columns.get_loc("Visits")], text[shown.columns.get_loc("Visits per under-five")]
        if re.fullmatch(r"[\d,]+", visits) and re.fullmatch(r"\d+(\.\d+)?", per_child):
            _add_per_under_five(published, areas_of, float(visits.replace(",", "")), float(per_child), "footfall site table")
        match = PERCENT.match(text[shown.columns.get_loc(footfall_tables.REACH_COLUMN)])
        if match:
            _add_percent(published, MOST_DEPRIVED_GROUP, areas_of, float(match.group(1)), "footfall site table")

    # The scatter: each point's position, size and hover figures.
    result = footfall.scatter(table, footfall.REACH, indicator)
    if not result.points.empty:
        figure = footfall_charts.busy_compared_with_effective(result, "reach", footfall.REACH_QUADRANTS).to_plotly_json()
        for trace in figure["data"]:
            if trace.get("customdata") is None:
                continue
            custom = np.asarray(trace["customdata"], dtype=object)
            xs, ys = _numbers(trace["x"]), _numbers(trace["y"])
            sizes = _numbers(trace["marker"].get("size"))
            # The key says a diamond is drawn at one fixed size: only a circle's size is its under-fives.
            symbols = np.asarray(trace["marker"].get("symbol", "circle"), dtype=object)
            symbols = np.broadcast_to(symbols, (len(sizes),)) if len(sizes) else symbols
            for i, name in enumerate(custom[:, 0]):
                centre = table.loc[table.centre_name == name, "centre_id"].iloc[0]
                areas_of = behind[centre]
                visits = float(str(custom[i, 1]).replace(",", ""))
                under_fives = float(str(custom[i, 2]).replace(",", "")) if custom[i, 2] not in ("", "c") else None
                if under_fives is not None:
                    published.linear.append(("all", areas_of, {"population": 1}, under_fives, under_fives, "footfall scatter hover"))
                if i < len(sizes) and not np.isnan(sizes[i]) and symbols[i] == "circle":
                    published.linear.append(("all", areas_of, {"population": 1}, sizes[i], sizes[i], "footfall scatter point size"))
                _add_per_under_five(published, areas_of, visits, xs[i], "footfall scatter")
                _add_percent(published, MOST_DEPRIVED_GROUP, areas_of, ys[i], "footfall scatter")

    # The trend chart's reach panel, for the whole view and each site followed: the chosen year's point.
    for site, trend in reach_trends.items():
        figure = footfall_charts.activity_and_results(footfall.monthly_footfall(filters, site or None), trend, None, None,
                                                      filters.year, bool(site), pd.DataFrame()).to_plotly_json()
        for trace in figure["data"]:
            if not str(trace.get("name", "")).startswith("Reach"):
                continue
            for x, y in zip(trace["x"], _numbers(trace["y"])):
                if pd.Timestamp(x) == footfall.year_middle(filters.year) and not np.isnan(y):
                    _add_percent(published, MOST_DEPRIVED_GROUP, behind[site] if site else everything, y,
                                 f"footfall trend, {site or 'all sites'}")
    return published


@contextmanager
def _nothing():
    yield


def attack(filters: Filters, threshold: int, protected: bool = True, groups: list[str] | None = None) -> list[attacker.Leak]:
    return attacker.attack(filters, gather(filters, threshold, protected, groups), threshold)



# --- Visits: a site's month, a site's year, a type of site, every site in view ------------------------------

def attack_visits(views: list[Filters], threshold: int) -> list[attacker.Leak]:
    """An outsider who reads every visits figure the Footfall page prints for the given views (each a year
    and sidebar filters): the site table, its sentence, the type-of-site table and the trend chart of every
    type in view and of each site followed, and solves for each hidden count of visits from 1 to
    threshold - 1. Its unknowns are each site's visits each month (a month with no return is 0)."""
    from scrutiny import queries

    months = queries.run("footfall_by_month", site=None, district=None, cluster=None, lead_agency=None, site_type=None)

    all_months = sorted(pd.to_datetime(months["month"]).unique())
    no_filters = dict(district=None, cluster=None, lead_agency=None, site_type=None)
    sites = pd.concat([queries.run("footfall_by_site", year=f.year, **no_filters) for f in views]).drop_duplicates("centre_id")
    centres = sorted(sites["centre_id"])
    site_type = sites.set_index("centre_id")["site_type"]
    truth_rows = []
    for centre in centres:
        one = queries.run("footfall_by_month", site=centre, **no_filters)
        for row in one.itertuples():
            truth_rows.append((centre, pd.Timestamp(row.month), float(row.visits)))
    index = {(c, m): i for i, (c, m) in enumerate((c, m) for c in centres for m in all_months)}
    truth = np.zeros(len(index))
    for centre, month, visits in truth_rows:
        truth[index[(centre, month)]] += visits
    equations, values, secrets = [], [], []

    def fiscal(month) -> int:
        return month.year - (month.month < 4)

    def expression(centre_ids, months_) -> np.ndarray:
        row = np.zeros(len(index))
        for c in centre_ids:
            for m in months_:
                if (c, m) in index:
                    row[index[(c, m)]] = 1
        return row

    def read(text, row, view) -> None:
        text = str(text).strip()
        if text == "c":
            true = float(row @ truth)
            if 1 <= true < threshold:
                secrets.append((row, true, view))
        elif re.fullmatch(r"[\d,]+", text):
            equations.append(row), values.append(float(text.replace(",", "")))

    for filters in views:
        year_months = [m for m in all_months if fiscal(m) == filters.year]
        table = footfall.site_table.__wrapped__(filters, None)
        shown = footfall_tables.table_as_shown(table, None)
        for centre, text in zip(table.centre_id, shown["Visits"]):
            read(text, expression([centre], year_months), f"site table {filters.describe()}")
        sentence = footfall_sentences.table_sentence(table, filters)
        match = re.search(r"sites shown recorded ([\d,]+|c) visits", sentence)
        if match:
            read(match.group(1), expression(table.centre_id, year_months), f"table sentence {filters.describe()}")
        comparison = footfall.site_type_comparison.__wrapped__(filters)
        for code, text in zip(comparison.site_type, footfall_tables.comparison_as_shown(comparison)["Visits"]):
            read(text, expression(table.centre_id[table.site_type == code], year_months), f"type table {filters.describe()}")
        for site in [None, *table.centre_id]:
            monthly = footfall.monthly_footfall(filters, site)
            in_view = [site] if site else list(table.centre_id)
            for row in monthly.itertuples():
                members = [c for c in in_view if site or site_type.get(c) == row.site_type]
                text = "c" if row.visits_suppressed else str(int(row.visits))
                read(text, expression(members, [pd.Timestamp(row.month)]), f"trend {site or 'all sites'} {filters.describe()}")
    if not secrets:
        return []
    a_eq = sparse.csr_matrix(np.array(equations)) if equations else None
    b_eq = np.array(values) if equations else None
    leaks = []
    for row, true, view in secrets:
        low = linprog(row, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-row, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.status != 0:
            continue
        hi = np.inf if high.status == 3 else -high.fun
        if hi - low.fun < threshold - 1 - 1e-6:
            leaks.append(attacker.Leak("visits", tuple(c for c, m in index if row[index[(c, m)]]), "visits", true,
                                       round(low.fun, 3), round(hi, 3), view))
    return leaks
