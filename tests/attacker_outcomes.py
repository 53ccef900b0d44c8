"""An outsider who reads what the outcome views publish and solves for the hidden counts.

Written independently of scrutiny/disclosure/: it reads the tables as printed (the Gap page's every-
indicator, year-by-year and by-area tables, which its CSV downloads and the evidence pack print too),
the frames behind its charts (the two groups, the benchmark chart of all children, the deprivation
gradient) and the Footfall page's site table, and writes its own equations from the outcomes table.

What it assumes, to be on the safe side:

- a percentage that is shown gives away both counts behind it (from a percentage and its interval the
  two counts can nearly always be solved), and a count of children shown is that count;
- it knows how the figures are made: free school meals and the rest, or the IDACI quintiles, are
  disjoint groups within all children (equal to them where they truly add up, at most them otherwise);
  reach areas within their district and districts within the authority the same way; those achieving
  are at most the children (a proportion); a centre's all children on the Footfall page, where the
  extract has no such row, is the two gap groups together.

Each count shown as ``c`` whose true value is from 1 to threshold - 1 is a secret: the outsider solves
the least and the greatest value the published figures allow, by linear programming (scipy's HiGHS).
The cell is protected when that range spans at least threshold values; otherwise it is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from scrutiny import queries

NUM, DEN = "achieving", "children"


@dataclass
class Published:
    """Cells keyed (level, code, group_type, group, measure): the value an outsider read, or None for c."""

    shown: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)     # key -> the view that printed c

    def show(self, key, value) -> None:
        self.shown[key] = float(value)

    def hide(self, key, view: str) -> None:
        self.hidden.setdefault(key, view)


def _is_c(text) -> bool:
    return str(text).strip() == "c"


def _count(text) -> float | None:
    text = str(text).strip().replace(",", "")
    return None if text in ("", "c") else float(text)


def read_group(published: Published, level: str, code: str, group: tuple[str, str], children_text, percent_text,
               numerator, denominator, view: str) -> None:
    """One group's printed children and percentage: a shown percentage gives both counts away."""
    if _is_c(children_text):
        published.hide((level, code, *group, DEN), view)
    elif _count(children_text) is not None:
        published.show((level, code, *group, DEN), _count(children_text))
    if _is_c(percent_text):
        published.hide((level, code, *group, NUM), view)
    elif str(percent_text).strip() not in ("", "nan", "None") and not pd.isna(numerator):
        published.show((level, code, *group, NUM), numerator)
        published.show((level, code, *group, DEN), denominator)


def gather(indicator: str, year: int, footfall: str = "page") -> Published:
    """Everything the Gap page (and its downloads and the pack, which print the same tables) and the
    Footfall page's site table publish about one indicator in one year.

    ``footfall``: "page" (the default) reads the Footfall page's site table as it is made; "plan" reads each centre's
    all children and focus group as the outcomes plan lets the Footfall page show them (the answer of
    ``disclosure.centre_outcomes_hidden``, the call that page makes); "none" leaves the page out.
    """
    from scrutiny.topics.gap import figures as gap_figures, tables as gap_tables
    from scrutiny.filters import Filters

    ind = gap_figures.indicators()[indicator]
    focus, reference = (ind.group_type, ind.focus), (ind.group_type, ind.reference)
    unit = ind.per if ind.is_rate else "%"
    published = Published()
    for place in gap_figures.geographies():
        # Every indicator (the first table, its download and the pack's).
        overview = gap_figures.indicator_overview(place.level, place.code, year)
        table = gap_tables.overview_table(overview)
        for i, row in overview.iterrows():
            if row["indicator"] != indicator or pd.isna(row["year"]) or int(row["year"]) != year:
                continue
            read_group(published, place.level, place.code, focus, table.loc[i, "Focus children"], table.loc[i, "Focus %"],
                       row["focus_numerator"], row["focus_denominator"], f"every indicator, {place.name}")
            read_group(published, place.level, place.code, reference, "", table.loc[i, "Reference %"],
                       row["reference_numerator"], row["reference_denominator"], f"every indicator, {place.name}")
        # Year by year (the table, its download, the charts of the two groups and of all children).
        trend = gap_figures.gap_trend(ind, place)
        shown = gap_tables.trend_table(trend, ind)
        counts = queries.run("gap_by_year", geography_level=place.level, geography_code=place.code, indicator=indicator)
        for i, row in trend.iterrows():
            if int(row["year"]) != year:
                continue
            raw = counts[counts["year"] == year].iloc[0]
            for prefix, group, label in (("focus", focus, ind.focus_label), ("reference", reference, ind.reference_label)):
                read_group(published, place.level, place.code, group, shown.loc[i, f"{label}: children"],
                           shown.loc[i, f"{label} {unit}"], raw[f"{prefix}_numerator"], raw[f"{prefix}_denominator"],
                           f"gap by year, {place.name}")
            if "all_pct" in row and not pd.isna(raw["all_denominator"]):
                key = (place.level, place.code, "all", "all")
                if pd.isna(row["all_pct"]):
                    published.hide((*key, NUM), f"all children against the benchmarks, {place.name}")
                else:
                    published.show((*key, NUM), raw["all_numerator"])
                    published.show((*key, DEN), raw["all_denominator"])
        # The deprivation gradient's chart: a bar per quintile shown.
        gradient = gap_figures.deprivation_gradient(ind, place, year)
        for row in gradient.itertuples():
            key = (place.level, place.code, "idaci_quintile", str(row.group))
            if pd.isna(row.value_pct):
                published.hide((*key, NUM), f"deprivation gradient, {place.name}")
            else:
                published.show((*key, NUM), row.numerator)
                published.show((*key, DEN), row.denominator)
    # By area (the table and its download).
    areas = gap_figures.gap_by_area(ind, year)
    table = gap_tables.area_table(areas, ind)
    for i, row in areas.iterrows():
        for prefix, group, label in (("focus", focus, ind.focus_label), ("reference", reference, ind.reference_label)):
            read_group(published, row["geography_level"], row["geography_code"], group, table.loc[i, f"{label}: children"],
                       table.loc[i, f"{label} {unit}"], row[f"{prefix}_numerator"], row[f"{prefix}_denominator"], "gap by area")
    if footfall == "page" and not ind.is_rate:
        _footfall(published, ind, year, focus)
    elif footfall == "plan" and not ind.is_rate:
        _footfall_through_the_plan(published, ind, year, focus)
    return published


def _footfall_through_the_plan(published: Published, indicator, year: int, focus) -> None:
    from scrutiny import disclosure

    rows = queries.run("outcomes_by_centre", indicator=indicator.code, district=None, cluster=None,
                       lead_agency=None, site_type=None)
    rows = rows[rows["year"] == year]
    flags = disclosure.centre_outcomes_hidden(indicator.code, rows)
    for i, row in rows.iterrows():
        for prefix, group in (("all", ("all", "all")), ("focus", focus)):
            key = ("centre", str(row["centre_id"]), *group)
            if pd.isna(row[f"{prefix}_denominator"]):
                continue
            if flags.loc[i, prefix]:
                published.hide((*key, NUM), "footfall site table")
            else:
                published.show((*key, NUM), row[f"{prefix}_numerator"])
                published.show((*key, DEN), row[f"{prefix}_denominator"])


def _footfall(published: Published, indicator, year: int, focus) -> None:
    """The Footfall page's site table: each centre's all children and focus group, where a percentage is shown."""
    from scrutiny.topics.footfall import figures as footfall
    from scrutiny.filters import Filters

    sites = footfall.site_table(Filters(year=year), indicator)
    sites = sites[sites["outcome_year"] == year] if "outcome_year" in sites else sites.iloc[0:0]
    for row in sites.itertuples():
        for prefix, group in (("outcome", ("all", "all")), ("focus", focus)):
            key = ("centre", str(row.centre_id), *group)
            pct, num, den = (getattr(row, f"{prefix}_{c}", np.nan) for c in ("pct", "numerator", "denominator"))
            if pd.isna(den):
                continue
            if pd.isna(pct):
                published.hide((*key, NUM), "footfall site table")
            else:
                published.show((*key, NUM), num)
                published.show((*key, DEN), den)


@dataclass
class Leak:
    key: tuple
    true: float
    low: float
    high: float
    view: str

    def __str__(self) -> str:
        level, code, group_type, group, measure = self.key
        return (f"{self.view}: {group_type}={group} {measure} of {level} {code} is c, true {self.true:g}, "
                f"but the published figures pin it to {self.low:g} to {self.high:g}")


def attack(indicator: str, year: int, published: Published, threshold: int) -> list[Leak]:
    """The leaks: hidden true counts from 1 to threshold - 1 whose feasible range spans fewer than threshold values."""
    rows = queries.run("outcome_cells", indicator=indicator)
    rows = rows[rows["year"] == year]
    kind = queries.run("indicator_list").set_index("indicator").loc[indicator]
    gap = (str(kind["gap_group_type"]), str(kind["gap_focus_group"]), str(kind["gap_reference_group"]))
    truth: dict[tuple, float] = {}
    for r in rows.itertuples():
        truth[(r.geography_level, r.geography_code, r.group_type, r.group, NUM)] = float(r.numerator)
        truth[(r.geography_level, r.geography_code, r.group_type, r.group, DEN)] = float(r.denominator)
    # A centre's all children on the Footfall page where it has no such row: the two gap groups together.
    derived = []
    for code in rows.loc[rows["geography_level"] == "centre", "geography_code"].unique():
        parts = [("centre", code, gap[0], g) for g in gap[1:]]
        whole = ("centre", code, "all", "all")
        if (*whole, DEN) not in truth and all((*p, DEN) in truth for p in parts):
            for m in (NUM, DEN):
                truth[(*whole, m)] = sum(truth[(*p, m)] for p in parts)
            derived.append((whole, parts))
    keys = sorted(truth, key=str)
    position = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    values = np.array([truth[k] for k in keys])
    a_eq, b_eq, a_ub, b_ub = [], [], [], []

    def relation(total, parts, measure):
        row = np.zeros(n)
        row[position[(*total, measure)]] = 1
        for p in parts:
            row[position[(*p, measure)]] -= 1
        gap_ = row @ values
        if abs(gap_) < 1e-9:
            a_eq.append(row), b_eq.append(0.0)
        elif gap_ > 0:
            a_ub.append(-row), b_ub.append(0.0)      # the parts are at most the total

    places = {k[:2] for k in keys}
    groups_at = {}
    for k in keys:
        groups_at.setdefault(k[:2], set()).add(k[2:4])
    for place in places:
        have = groups_at[place]
        if ("all", "all") not in have:
            continue
        for group_type in {g[0] for g in have} - {"all"}:
            parts = [(*place, *g) for g in sorted(have) if g[0] == group_type]
            for m in (NUM, DEN):
                relation((*place, "all", "all"), parts, m)
    district_of = {}
    centres = queries.run("outcome_cells", indicator=indicator)
    for r in centres[centres["geography_level"] == "centre"].itertuples():
        if isinstance(r.district, str):
            district_of[r.geography_code] = r.district
    all_groups = {k[2:4] for k in keys}
    for group in all_groups:
        for district in {k[1] for k in keys if k[0] == "district"}:
            parts = [("centre", c, *group) for c in sorted(district_of) if district_of[c] == district
                     and ("centre", c, *group, DEN) in position]
            if parts and ("district", district, *group, DEN) in position:
                for m in (NUM, DEN):
                    relation(("district", district, *group), parts, m)
        for authority in {k[1] for k in keys if k[0] == "authority"}:
            parts = [("district", d, *group) for d in sorted({k[1] for k in keys if k[0] == "district"})
                     if ("district", d, *group, DEN) in position]
            if parts and ("authority", authority, *group, DEN) in position:
                for m in (NUM, DEN):
                    relation(("authority", authority, *group), parts, m)
    if str(kind.get("kind", "proportion")) != "rate":
        for k in keys:
            if k[4] == NUM:
                row = np.zeros(n)
                row[position[k]], row[position[(*k[:4], DEN)]] = 1, -1
                a_ub.append(row), b_ub.append(0.0)
    for key, value in published.shown.items():
        if key in position:
            row = np.zeros(n)
            row[position[key]] = 1
            a_eq.append(row), b_eq.append(value)
    leaks = []
    a_eq_m = sparse.csr_matrix(np.array(a_eq)) if a_eq else None
    a_ub_m = sparse.csr_matrix(np.array(a_ub)) if a_ub else None
    for key, view in sorted(published.hidden.items(), key=lambda kv: str(kv[0])):
        if key not in position or key in published.shown:
            if key in published.shown and 1 <= truth.get(key, 0) < threshold:
                leaks.append(Leak(key, truth[key], truth[key], truth[key], f"{view}, shown elsewhere"))
            continue
        true = truth[key]
        if not 1 <= true < threshold:
            continue
        target = np.zeros(n)
        target[position[key]] = 1
        args = dict(A_ub=a_ub_m, b_ub=np.array(b_ub) if a_ub else None, A_eq=a_eq_m,
                    b_eq=np.array(b_eq) if a_eq else None, bounds=(0, None), method="highs")
        low, high = linprog(target, **args), linprog(-target, **args)
        assert low.status == 0, f"the outsider's equations do not hold for {key}: {low.message}"
        lo = low.fun
        hi = np.inf if high.status == 3 else -high.fun
        if hi - lo < threshold - 1 - 1e-6:
            leaks.append(Leak(key, true, round(lo, 3), round(hi, 3), view))
    return leaks
