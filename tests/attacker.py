"""An outsider who reads what the Reach views publish and solves for the hidden cells.

The outsider knows how the figures are made (each area belongs to one centre; a centre's,
district's or the authority's figure is the sum of its areas; population = reached + missed;
the how-often bands add up to the children reached and, from 3 attendances, to sustained
engagement; in the most deprived areas the "most deprived 30%" group is every child). Its
unknowns are each area's figures for each group; every figure published as a number fixes a
sum of them, every percentage shown to one decimal bounds reached against population, and
every ``c`` is a sum the outsider wants to know. For each ``c`` that hides a true count from 1
to threshold - 1 it solves, by linear programming (scipy's HiGHS), the least and the greatest
value the published figures allow. A cell is protected when that range spans at least the
threshold (0 to 4 at a threshold of 5, say); otherwise it is a leak, reported with the view
that published it.

The outsider is written independently of scrutiny/disclosure/: it reads the published tables
(the same functions the Reach page, its CSV downloads and the evidence pack call) and writes
its own equations from the areas behind each row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from scrutiny import disclosure, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.filters import Filters
from scrutiny.topics.reach import figures as reach, tables as reach_tables

AREA_MEASURES = ("population", "registered", "reached", "sustained", "missed", *reach.FREQUENCY_BANDS)


@dataclass
class Published:
    """Everything published about one group family: rows of (areas, measure, shown value or None, view)."""

    cells: list = field(default_factory=list)      # (group, tuple(areas), measure, value | None, true value, view)
    percents: list = field(default_factory=list)   # (group, tuple(areas), percent shown, view)
    # Other pages' bounds: low <= sum of coefficient x measure over the areas <= high (a ratio shown
    # rounded, an exact chart value). (group, tuple(areas), {measure: coefficient}, low, high, view)
    linear: list = field(default_factory=list)


def _unit_areas(areas: pd.DataFrame, level: str) -> dict:
    """The areas behind each unit of a roll-up, keyed as rollup's unit_code."""
    if level == "authority":
        return {"authority": tuple(sorted(areas["area_code"].unique()))}
    column = {"centre": "centre_id"}.get(level, level)
    values = areas[column].astype(object)
    if level == "cluster":
        values = values.where(areas["cluster"].notna(), reach.NO_CLUSTER)
    if level == "lead_agency":
        values = values.where(areas["lead_agency"].notna(), reach.NO_LEAD_AGENCY)
    return {unit: tuple(sorted(rows["area_code"].unique())) for unit, rows in areas.assign(_unit=values).groupby("_unit")}


def _old_rule(rated: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The cells hidden before the disclosure plan: counts from 1 to threshold - 1, missed with a hidden
    reached (not the other way round), and a percentage resting on a small count."""
    mask = pd.DataFrame({title: stats.is_small(rated[m], threshold) for m, title in reach.TABLE_COUNTS.items()},
                        index=rated.index).reset_index(drop=True)
    mask["Missed"] = mask["Missed"] | mask["Reached"]
    mask["Reach %"] = stats.rate_suppressed(rated["reached"], rated["population"], threshold)
    return mask


def _add_table(published: Published, rated: pd.DataFrame, table: pd.DataFrame, mask: pd.DataFrame,
               sets: dict, key: str, view: str) -> None:
    if table["Reach %"].isna().any():
        # The percentage as it was made before the plan, where the old rule would have shown it.
        table = table.copy()
        table["Reach %"] = (rated["reached"] / rated["population"].where(rated["population"] > 0) * 100).round(1).to_numpy()
    for i, row in enumerate(rated.itertuples()):
        areas = sets.get(getattr(row, key))
        if areas is None:
            continue
        for measure, title in reach.TABLE_COUNTS.items():
            # A shown count is the row's own figure (the table writes it as it is).
            shown = None if mask[title].iloc[i] else getattr(row, measure)
            published.cells.append((row.target_group, areas, measure, None if shown is None else float(shown),
                                    float(getattr(row, measure)), view))
        if not mask["Reach %"].iloc[i] and not pd.isna(table["Reach %"].iloc[i]):
            published.percents.append((row.target_group, areas, float(table["Reach %"].iloc[i]), view))


def gather(filters: Filters, threshold: int, protected: bool = True, sustained_min: int = 3,
           groups: list[str] | None = None) -> Published:
    """Every reach count and percentage the Reach views publish for the filters' year: the table at
    every roll-up level, the area table, the how-often bars of every centre in focus and of the
    whole view, and the missed-by-district bars. protected=False reads them as they were made
    before the disclosure plan (the primary rule only), to count the leaks it closed."""
    settings = reach.Settings(sustained_min=sustained_min)
    areas = reach.area_figures(filters, sustained_min)
    published = Published()
    all_groups = sorted(areas["target_group"].unique())
    groups = all_groups if groups is None else [g for g in all_groups if g in groups]
    view = disclosure.ReachView(filters, sustained_min) if protected else None
    for level in reach.ROLLUPS:
        sets = _unit_areas(areas, level)
        for group in groups:
            rated = reach.reach_table(areas, level, group, threshold, settings, view=view)
            table, mask = reach_tables.display_table(rated, level, threshold, with_group=False)
            if not protected:
                mask = _old_rule(rated, threshold)
            _add_table(published, rated, table, mask, sets, "unit_code", f"reach table by {level}")
    area_sets = {a: (a,) for a in areas["area_code"].unique()}
    for group in groups:
        rated = reach.missed_areas(areas, group, threshold, settings, view=view)
        table, mask = reach_tables.display_table(rated, "area", threshold, with_group=False)
        if not protected:
            mask = _old_rule(rated, threshold)
        _add_table(published, rated, table, mask, area_sets, "area_code", "children missed by area")
    centres = {c: tuple(sorted(rows["area_code"].unique())) for c, rows in areas.groupby("centre_id")}
    focuses = {**{c: c for c in centres}, "all": None}
    for group in groups:
        for name, centre in focuses.items():
            focus_view = disclosure.ReachView(filters, sustained_min, centre) if protected else None
            freq = reach.frequency(areas, group, threshold, centre, view=focus_view)
            behind = centres[centre] if centre else tuple(sorted(areas["area_code"].unique()))
            hidden = freq["hidden"] if protected else stats.is_small(freq["children"], threshold)
            for band, children, gone in zip(reach.FREQUENCY_BANDS, freq["children"], hidden):
                published.cells.append((group, behind, band, None if gone else float(children), float(children),
                                        f"how-often bars, {name}"))
        by_district = reach.missed_by_district(areas, group, threshold, view=view)
        for row in by_district.itertuples():
            rows = areas[(areas["district"] == row.district) & (areas["most_deprived"].fillna(False) == (row.deprivation.startswith("30%")))]
            behind = tuple(sorted(rows["area_code"].unique()))
            gone = row.hidden if protected else bool(stats.is_small(row.missed, threshold) or stats.is_small(row.reached, threshold))
            if behind:
                published.cells.append((group, behind, "missed_by_area", None if gone else float(row.missed),
                                        float(row.missed), "children missed by district"))
    return published


@dataclass
class Leak:
    group: str
    areas: tuple
    measure: str
    true: float
    low: float
    high: float
    view: str

    def __str__(self) -> str:
        where = self.areas[0] if len(self.areas) == 1 else f"{len(self.areas)} areas ({', '.join(self.areas[:3])}...)"
        return (f"{self.view}: {self.group} {self.measure} of {where} is c, true {self.true:g}, "
                f"but the published figures pin it to {self.low:g} to {self.high:g}")


def attack(filters: Filters, published: Published, threshold: int, sustained_min: int = 3) -> list[Leak]:
    """The leaks: hidden true counts from 1 to threshold - 1 whose feasible range spans fewer than threshold values."""
    areas = reach.area_figures(filters, sustained_min)
    codes = sorted(areas["area_code"].unique())
    deprived = dict(zip(areas["area_code"], areas["most_deprived"].fillna(False).astype(bool)))
    groups = sorted({c[0] for c in published.cells})
    leaks: list[Leak] = []
    # One linear programme per family of linked groups: "all" with the most deprived 30%, each other alone.
    families = [[g for g in groups if g in ("all", MOST_DEPRIVED_GROUP)]] + [[g] for g in groups if g not in ("all", MOST_DEPRIVED_GROUP)]
    for family in [f for f in families if f]:
        index: dict = {}
        for group in family:
            for code in codes:
                for measure in AREA_MEASURES:
                    if group == MOST_DEPRIVED_GROUP and "all" in family and deprived[code]:
                        index[(group, code, measure)] = index[("all", code, measure)]
                    elif group == MOST_DEPRIVED_GROUP and not deprived[code]:
                        continue  # no child of the group lives there
                    else:
                        index[(group, code, measure)] = len(set(index.values())) if index else 0
        n = max(index.values()) + 1
        truth = np.zeros(n)
        for row in areas[areas["target_group"].isin(family)].itertuples():
            for measure in AREA_MEASURES:
                key = (row.target_group, row.area_code, measure)
                if key in index:
                    truth[index[key]] = (max(row.population - row.reached, 0) if measure == "missed" else getattr(row, measure))
        equations, values, upper_rows, upper_values = [], [], [], []

        def expression(group, behind, measure):
            row = np.zeros(n)
            for code in behind:
                if measure == "missed_by_area":
                    measure_ = "missed"
                else:
                    measure_ = measure
                key = (group, code, measure_)
                if key in index:
                    row[index[key]] += 1
            return row

        # What the outsider knows about every area: the identities.
        for group in family:
            for code in codes:
                if (group, code, "population") not in index:
                    continue
                v = {m: index[(group, code, m)] for m in AREA_MEASURES}
                row = np.zeros(n)
                row[v["reached"]] = 1
                for band in reach.FREQUENCY_BANDS:
                    row[v[band]] -= 1
                equations.append(row), values.append(0)
                if sustained_min in disclosure.BAND_STARTS:
                    row = np.zeros(n)
                    row[v["sustained"]] = 1
                    for band in disclosure.BAND_STARTS[sustained_min]:
                        row[v[band]] -= 1
                    equations.append(row), values.append(0)
                if truth[v["reached"]] <= truth[v["population"]]:
                    row = np.zeros(n)
                    row[v["population"]], row[v["reached"]], row[v["missed"]] = 1, -1, -1
                    equations.append(row), values.append(0)
        secrets = []
        for group, behind, measure, shown, true, view in published.cells:
            if group not in family:
                continue
            row = expression(group, behind, measure)
            if measure == "missed" and len(behind) > 1 and not np.isclose(row @ truth, true):
                continue  # missed of a set where some area has more reached than estimated: not a plain sum
            if shown is not None:
                equations.append(row), values.append(shown)
            elif 1 <= true < threshold:
                secrets.append((group, behind, measure, true, view, row))
        for group, behind, percent, view in published.percents:
            if group not in family:
                continue
            pop, reached_ = expression(group, behind, "population"), expression(group, behind, "reached")
            # percent shown to one decimal: (p - 0.05)% * population <= reached <= (p + 0.05)% * population
            upper_rows.append(reached_ - (percent + 0.05) / 100 * pop), upper_values.append(1e-9)
            upper_rows.append((percent - 0.05) / 100 * pop - reached_), upper_values.append(1e-9)
        for group, behind, coefficients, low, high, view in published.linear:
            if group not in family:
                continue
            row = sum(coefficient * expression(group, behind, measure) for measure, coefficient in coefficients.items())
            if np.isfinite(high):
                upper_rows.append(row), upper_values.append(high + 1e-9)
            if np.isfinite(low):
                upper_rows.append(-row), upper_values.append(-low + 1e-9)
        a_eq = sparse.csr_matrix(np.array(equations)) if equations else None
        b_eq = np.array(values, dtype=float) if equations else None
        a_ub = sparse.csr_matrix(np.array(upper_rows)) if upper_rows else None
        b_ub = np.array(upper_values, dtype=float) if upper_rows else None
        seen = set()
        for group, behind, measure, true, view, row in secrets:
            key = (group, behind, measure)
            if key in seen:
                continue
            seen.add(key)
            low = linprog(row, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            high = linprog(-row, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if low.status != 0:
                continue
            lo = low.fun
            hi = np.inf if high.status == 3 else -high.fun
            if hi - lo < threshold - 1 - 1e-6:
                leaks.append(Leak(group, behind, measure, true, round(lo, 3), round(hi, 3), view))
    return leaks
