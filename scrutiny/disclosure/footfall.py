"""The Footfall page's plan: visits and new registrations, one plan per extract version.

The page's footfall counts are all sums of one row per site and month (queries/
footfall_by_site_month.sql): a site's visits and new registrations in a year (the site table), the
visits of every site in view (the table's sentence and the trend's), each type of site's visits and
registrations in view (the libraries-and-centres table), and visits a month for each type of site in
view or for the site followed (the trend chart). Every year and month can be chosen, and every
combination of the sidebar filters, so the plan covers them all at once.

A cell is (unit, period, measure): a unit is a site or a set of sites (what one combination of the
sidebar filters leaves in view, by type of site or not), a period a financial year or a month. The
sums that link them: a set is the sum of its finer sets (one more filter) and the finest sets the
sum of their sites, in every period; a year is the sum of its months (visits). A cell no view
publishes (registrations of all types together, visits a month of all types together, a site's month
with no return) is unknown to a reader from the start, and counts as hidden.

Visits are counts of visits, not of people, but a site with 3 visits in a year is a handful of
families, so they get the same rule as counts of children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from scrutiny.disclosure.core import Sums, finer_units, plan_suppression, primary, shared_plan, threshold

DIMENSIONS = ("district", "cluster", "lead_agency", "site_type")
NONE_VALUE = "\x00none"
VISITS, REGISTRATIONS = "visits", "new_registrations"


@dataclass
class FootfallPlan:
    """Which footfall cells to hide. Cells sit in blocks, one per (measure, period); within a block,
    sites come first, then sets of sites."""

    threshold: int
    centres: pd.DataFrame = field(repr=False)          # centre_id and the DIMENSIONS (NONE_VALUE for missing)
    units: dict = field(repr=False)                    # centre_id or frozenset of centre ids -> unit number
    blocks: dict = field(repr=False)                   # (measure, "year" | "month", period) -> block number
    values: np.ndarray = field(repr=False)             # blocks x units
    hidden: np.ndarray = field(repr=False)
    primary_hidden: np.ndarray = field(repr=False)
    published: np.ndarray = field(repr=False)

    def _view(self, filters, site_type=None) -> frozenset:
        rows = self.centres
        for dimension in DIMENSIONS:
            value = getattr(filters, dimension, None) if filters is not None else None
            if value is not None:
                rows = rows[rows[dimension] == value]
        if site_type is not None:
            rows = rows[rows["site_type"] == site_type]
        return frozenset(rows["centre_id"])

    def _is_hidden(self, block_key, units, values) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        out = primary(values, self.threshold)
        block = self.blocks.get(block_key)
        if block is None:
            return out
        numbers = np.array([self.units.get(u, -1) for u in units], dtype=np.int64)
        known = numbers >= 0
        out[known] |= self.hidden[block, numbers[known]]
        return out

    def sites_hidden(self, centre_ids, year: int, measure: str, values) -> np.ndarray:
        """Each site's count for the year (the site table): hidden or not."""
        return self._is_hidden((measure, "year", int(year)), list(centre_ids), values)

    def view_hidden(self, filters, year: int, measure: str, value, site_type=None) -> bool:
        """Every site in view (of one type, if given) for the year: the sentences and the type table."""
        view = self._view(filters, site_type)
        if not view:
            return bool(primary([value], self.threshold)[0])
        unit = next(iter(view)) if len(view) == 1 else view
        return bool(self._is_hidden((measure, "year", int(year)), [unit], [value])[0])

    def months_hidden(self, months, values, filters=None, site_type=None, site: str | None = None) -> np.ndarray:
        """Visits a month for the site followed, or for one type of site in view: the trend chart."""
        unit = site if site else self._view(filters, site_type)
        if isinstance(unit, frozenset) and len(unit) == 1:
            unit = next(iter(unit))
        values = np.asarray(values, dtype=float)
        out = primary(values, self.threshold)
        for i, month in enumerate(months):
            out[i] |= self._is_hidden((VISITS, "month", pd.Timestamp(month).date()), [unit], [values[i]])[0]
        return out

    def secondary_count(self) -> int:
        """How many published cells the secondary rule hides (the over-hiding check)."""
        return int((self.hidden & ~self.primary_hidden & self.published).sum())


def _filter_sets(centres: pd.DataFrame) -> tuple[list[frozenset], list[tuple[frozenset, list]], dict, dict]:
    """Every set of sites a combination of the sidebar filters can leave in view, how each is the sum of
    its finer sets, which of them are of one type of site (a view shows those by month and their
    registrations), and each other set split by type of site."""
    combos: dict[tuple, dict] = {}
    by_type: dict[frozenset, bool] = {}
    for size in range(len(DIMENSIONS) + 1):
        for pattern in combinations(DIMENSIONS, size):
            if pattern:
                members = {(k if isinstance(k, tuple) else (k,)): frozenset(v)
                           for k, v in centres.groupby(list(pattern), sort=True)["centre_id"]}
            else:
                members = {(): frozenset(centres["centre_id"])}
            combos[pattern] = members
            for key in members.values():
                by_type[key] = by_type.get(key, False) or "site_type" in pattern or len(key) == 1
    links: list[tuple[frozenset, list]] = []
    by_type_split: dict[frozenset, list] = {}
    for pattern, values, dimension, children in finer_units(combos, DIMENSIONS):
        key = combos[pattern][values]
        parts = sorted(set(children), key=sorted)
        if parts and parts != [key]:
            links.append((key, parts))
            if dimension == "site_type":
                by_type_split[key] = parts
    finest = combos[DIMENSIONS]
    for key in finest.values():
        if len(key) > 1:
            links.append((key, [frozenset([c]) for c in sorted(key)]))
    sets = sorted({k for sets in combos.values() for k in sets.values()}, key=lambda k: (len(k), sorted(k)))
    return sets, links, by_type, by_type_split


def build_footfall_plan(rows: pd.DataFrame, threshold_value: int) -> FootfallPlan:
    """The plan for footfall_by_site_month's rows: every site, month, year and filter combination."""
    if rows.empty:
        # No footfall at all: nothing to hide, and every view falls back to the primary rule.
        empty = np.zeros((0, 0))
        return FootfallPlan(threshold_value, pd.DataFrame(columns=["centre_id", *DIMENSIONS]), {}, {}, empty,
                            empty.astype(bool), empty.astype(bool), empty.astype(bool))
    centres = rows.drop_duplicates("centre_id")[["centre_id", *DIMENSIONS]].copy()
    for dimension in DIMENSIONS:
        centres[dimension] = centres[dimension].astype(object).where(centres[dimension].notna(), NONE_VALUE)
    centres = centres.sort_values("centre_id").reset_index(drop=True)
    sets, links, by_type, type_split = _filter_sets(centres)
    # A set of one site is that site.
    sets = [s for s in sets if len(s) > 1]
    site_ids = list(centres["centre_id"])
    units: dict = {c: i for i, c in enumerate(site_ids)}
    for s in sets:
        units[s] = len(units)
    unit_of = {**units, **{frozenset([c]): units[c] for c in site_ids}}
    n_sites, n_units = len(site_ids), len(units)

    rows = rows.assign(month=pd.to_datetime(rows["month"]).dt.date, year=rows["year"].astype(int))
    years, months = sorted(rows["year"].unique()), sorted(rows["month"].unique())
    blocks: dict = {}
    for measure, kind, periods in ((VISITS, "year", years), (REGISTRATIONS, "year", years), (VISITS, "month", months)):
        for period in periods:
            blocks[(measure, kind, int(period) if kind == "year" else period)] = len(blocks)
    n_blocks = len(blocks)

    # Site values, block by block, then every set as the sum of its sites. A site's month with no
    # return shows as no point (0 for a reader), a registration not recorded adds nothing: every site
    # cell is known to a reader.
    site_values = np.zeros((n_blocks, n_sites))
    site_position = rows["centre_id"].map(units).to_numpy()
    year_blocks = {y: (blocks[(VISITS, "year", int(y))], blocks[(REGISTRATIONS, "year", int(y))]) for y in years}
    month_block = rows["month"].map(lambda m: blocks[(VISITS, "month", m)]).to_numpy()
    visits = rows["visits"].fillna(0).to_numpy(dtype=float)
    registrations = np.nan_to_num(rows["new_registrations"].to_numpy(dtype=float))
    np.add.at(site_values, (month_block, site_position), visits)
    np.add.at(site_values, (rows["year"].map(lambda y: year_blocks[y][0]).to_numpy(), site_position), visits)
    np.add.at(site_values, (rows["year"].map(lambda y: year_blocks[y][1]).to_numpy(), site_position), registrations)

    from scipy import sparse

    member_rows = [i for i, s in enumerate(sets) for _ in s]
    member_cols = [units[c] for s in sets for c in s]
    membership = sparse.csr_matrix((np.ones(len(member_rows)), (member_rows, member_cols)), shape=(len(sets), n_sites))
    values = np.zeros((n_blocks, n_units))
    values[:, :n_sites] = site_values
    values[:, n_sites:] = (membership @ site_values.T).T
    # Sets: visits in a year under any filters (the sentences); a set of one type of site also by month
    # (the chart's lines) and its registrations (the type table). Other set cells are not published,
    # and not cells at all: a sum through them is written through their parts instead.
    typed = np.array([by_type.get(s, False) for s in sets], dtype=bool)
    set_published = np.zeros((n_blocks, len(sets)), dtype=bool)
    for (measure, kind, _), b in blocks.items():
        set_published[b] = True if (measure, kind) == (VISITS, "year") else typed
    published = np.concatenate([np.ones((n_blocks, n_sites), dtype=bool), set_published], axis=1)

    # The links, written once for every block; a link through a cell that is not published is left out.
    template = [(unit_of[total], [unit_of[p] for p in parts]) for total, parts in links]
    pairs = []
    for b in range(n_blocks):
        for total, parts in template:
            if published[b, total] and published[b, parts].all():
                pairs.append((b * n_units + total, [b * n_units + p for p in parts]))
    # A year's visits are its months' visits, for every site and set (a set of several types through
    # its types' months).
    for year in years:
        in_year = [blocks[(VISITS, "month", m)] for m in months if (pd.Timestamp(m).year - (pd.Timestamp(m).month < 4)) == year]
        total = year_blocks[year][0]
        for unit in range(n_units):
            if unit < n_sites or typed[unit - n_sites]:
                parts = [b * n_units + unit for b in in_year]
            else:
                split = [unit_of[p] for p in type_split.get(sets[unit - n_sites], [])]
                parts = [b * n_units + u for b in in_year for u in split]
            if parts:
                pairs.append((total * n_units + unit, parts))
    sums = Sums.of(pairs)

    flat = values.reshape(-1)
    primary_hidden = primary(flat, threshold_value) & published.reshape(-1)
    hidden = plan_suppression(flat, sums, threshold_value, hidden=primary_hidden)
    return FootfallPlan(threshold_value, centres, units, blocks, values, hidden.reshape(values.shape),
                        primary_hidden.reshape(values.shape), published)


def _build_for(folder: str, version: str, threshold_value: int) -> FootfallPlan:
    from scrutiny import queries

    return shared_plan("footfall", folder, version, (int(threshold_value),),
                       lambda: build_footfall_plan(queries.run("footfall_by_site_month"), threshold_value))


_plan_cache = None


def footfall_plan() -> FootfallPlan:
    """The extract's footfall plan (every view of visits and registrations reads it)."""
    global _plan_cache
    from scrutiny import queries

    if _plan_cache is None:
        import streamlit as st

        _plan_cache = st.cache_resource(show_spinner=False, max_entries=8)(_build_for)
    folder, version = queries.extract_version()
    return _plan_cache(folder, version, threshold())
