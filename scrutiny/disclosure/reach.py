"""The Reach page's plan: one per extract version, year and sustained-engagement setting."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse

from scrutiny import stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.disclosure.core import (Sums, _ranges, _same_shape_sums, finer_units, plan_checked, primary,
                                      shared_plan, threshold)

# --- The Reach plan --------------------------------------------------------------------------------

DIMENSIONS = ("district", "cluster", "lead_agency", "site_type")
NONE_VALUE = "\x00none"
TABLE_MEASURES = ("population", "registered", "reached", "sustained", "missed")
BANDS = ("reached_1", "reached_2", "reached_3_to_5", "reached_6_to_10", "reached_11_plus")
MEASURES = TABLE_MEASURES + BANDS
# How many attendances each band starts at: sustained (k or more) is a sum of bands for these k.
BAND_STARTS = {1: BANDS, 2: BANDS[1:], 3: BANDS[2:], 6: BANDS[3:], 11: BANDS[4:]}
DEPRIVED, OTHER = True, False


@dataclass
class ReachPlan:
    """Which reach cells to hide for one year and sustained-engagement setting, for every group.

    A cell is (target group, a set of reach areas, measure). The sets are every set a view can
    publish: each area, each centre, and for every combination of the sidebar filters each
    district, cluster, lead agency, site type and the whole of it (the table's rows and the
    headline under those filters), and each district's most deprived areas and other areas
    (the missed-by-district bars). Views ask by filters, roll-up level and unit.
    """

    threshold: int
    groups: list[str]
    centres: pd.DataFrame                       # centre_id and the DIMENSIONS (NONE_VALUE for missing)
    set_index: dict = field(repr=False)         # key -> set number
    values: np.ndarray = field(repr=False)      # groups x sets x measures
    hidden: np.ndarray = field(repr=False)      # the same shape, True where hidden
    primary_hidden: np.ndarray = field(repr=False)

    # --- keys
    def _centre_key(self, filters, level: str | None, unit) -> object:
        rows = self.centres
        for dimension in DIMENSIONS:
            value = getattr(filters, dimension, None) if filters is not None else None
            if value is not None:
                rows = rows[rows[dimension] == value]
        if level == "centre":
            rows = rows[rows["centre_id"] == unit]
        elif level in DIMENSIONS:
            wanted = NONE_VALUE if unit is None or (isinstance(unit, float) and np.isnan(unit)) else unit
            rows = rows[rows[level] == wanted]
        return frozenset(rows["centre_id"])

    def set_of(self, filters, level: str | None = None, unit=None, deprivation: bool | None = None) -> int | None:
        """The set number of a unit seen under the filters (level "area": unit is an area code)."""
        if level == "area":
            return self.set_index.get(("area", unit))
        key = self._centre_key(filters, None if level == "authority" else level, unit)
        return self.set_index.get(key if deprivation is None else (key, deprivation))

    def sets_of(self, filters, level: str, units) -> np.ndarray:
        """Set numbers of many units at once (-1 where the plan does not know the unit)."""
        if level == "area":
            return np.array([self.set_index.get(("area", u), -1) for u in units], dtype=np.int64)
        if level == "authority":
            one = self.set_of(filters, "authority")
            return np.full(len(units), -1 if one is None else one, dtype=np.int64)
        rows = self.centres
        for dimension in DIMENSIONS:
            value = getattr(filters, dimension, None) if filters is not None else None
            if value is not None:
                rows = rows[rows[dimension] == value]
        column = "centre_id" if level == "centre" else level
        members = rows.groupby(column, sort=False)["centre_id"].agg(frozenset)
        out = []
        for unit in units:
            wanted = NONE_VALUE if level != "centre" and (unit is None or (isinstance(unit, float) and np.isnan(unit))) else unit
            key = members.get(wanted)
            out.append(-1 if key is None else self.set_index.get(key, -1))
        return np.asarray(out, dtype=np.int64)

    # --- answers
    def is_hidden(self, group: str, set_number, measure: str) -> np.ndarray | bool:
        """True where the cell is hidden; a set the plan does not know (-1) falls back to the primary rule."""
        if group not in self.groups:
            return False
        g, m = self.groups.index(group), MEASURES.index(measure)
        sets = np.atleast_1d(np.asarray(set_number, dtype=np.int64))
        known = sets >= 0
        out = np.zeros(len(sets), dtype=bool)
        out[known] = self.hidden[g, sets[known], m]
        return out if np.ndim(set_number) else bool(out[0])

    def value(self, group: str, set_number: int, measure: str) -> float:
        return float(self.values[self.groups.index(group), set_number, MEASURES.index(measure)])

    def secondary_count(self) -> int:
        """How many published cells the secondary rule hides (a check that it does not hide too much)."""
        return int((self.hidden & ~self.primary_hidden & self.published).sum())

    published: np.ndarray = field(default=None, repr=False)


@dataclass
class _Structure:
    """Every publishable set of areas (numbered as ReachPlan's set_index) and how the sets are linked."""

    centres: pd.DataFrame
    keys: list
    index: dict
    n_areas: int                 # sets 0 .. n_areas - 1 are the areas, in code order
    deprived: np.ndarray         # per area: among the most deprived
    members: object              # sparse sets x areas: the areas each set holds
    others: object               # sparse sets x areas: a centre-level set's areas that are not most deprived
    centre_level: np.ndarray     # sets made of whole centres (a centre, a district, the authority ...)
    split: np.ndarray            # sets of a district-level set's most deprived (or other) areas
    links: Sums                  # relation: a set is the sum of its parts (distinct sums, none trivial)
    split_links: np.ndarray      # rows of (set, its most deprived areas' set, its other areas' set)


def _rows(matrix) -> list[np.ndarray]:
    matrix = matrix.tocsr()
    matrix.sort_indices()
    return np.split(matrix.indices.astype(np.int64), matrix.indptr[1:-1])


def _structure(areas: pd.DataFrame) -> _Structure:
    """The sets a view can publish: each area, each centre, and for every combination of the
    sidebar filters each unit of each roll-up within it and the whole of it; each district-level
    set's most deprived areas and its other areas. Sets are numbered in that order (areas by code,
    centres by id, the filter combinations as ``combinations(DIMENSIONS)`` gives them, each sorted
    by its values); the plan breaks ties by that number, so the order is part of the plan."""
    centres = areas.drop_duplicates("centre_id")[["centre_id", *DIMENSIONS]].copy()
    for dimension in DIMENSIONS:
        centres[dimension] = centres[dimension].astype(object).where(centres[dimension].notna(), NONE_VALUE)
    centres = centres.sort_values("centre_id").reset_index(drop=True)
    centre_ids = centres["centre_id"].tolist()
    centre_position = {c: i for i, c in enumerate(centre_ids)}
    area_rows = areas.drop_duplicates("area_code")[["area_code", "centre_id", "most_deprived"]]
    area_rows = area_rows.sort_values("area_code")
    codes = area_rows["area_code"].tolist()
    n_areas, n_centres = len(codes), len(centre_ids)
    deprived = area_rows["most_deprived"].fillna(False).to_numpy(dtype=bool)
    centre_of_area = area_rows["centre_id"].map(centre_position).to_numpy(dtype=np.int64)

    keys: list = [("area", code) for code in codes]
    index: dict = {key: i for i, key in enumerate(keys)}

    def add(key) -> int:
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
        return index[key]

    for c in centre_ids:
        add(frozenset([c]))
    centre_set = n_areas + np.arange(n_centres)
    links: list[tuple[int, np.ndarray]] = []
    # Centre-level sets (rows: set numbers, columns: centres).
    set_rows, set_cols = [centre_set], [np.arange(n_centres)]
    # Every combination of the sidebar filters, and each unit of each roll-up within it.
    values_of = list(zip(*(centres[d].tolist() for d in DIMENSIONS))) if n_centres else []
    combos: dict[tuple, dict] = {}
    for size in range(len(DIMENSIONS) + 1):
        for pattern in combinations(DIMENSIONS, size):
            columns = [DIMENSIONS.index(d) for d in pattern]
            grouped: dict[tuple, list[int]] = {}
            for i, row in enumerate(values_of):
                grouped.setdefault(tuple(row[c] for c in columns), []).append(i)
            combos[pattern] = {}
            for values in sorted(grouped):
                s = add(frozenset(centre_ids[i] for i in grouped[values]))
                combos[pattern][values] = (s, grouped[values])
                set_rows.append(np.full(len(grouped[values]), s))
                set_cols.append(np.asarray(grouped[values], dtype=np.int64))
                links.append((s, centre_set[grouped[values]]))
    for pattern, values, _, children in finer_units(combos, DIMENSIONS, unit=lambda value: value[0]):
        links.append((combos[pattern][values][0], np.asarray(sorted(set(children)), dtype=np.int64)))
    # Most deprived areas and the rest, within each set holding a district (the missed-by-district bars).
    split_rows: dict[bool, list] = {DEPRIVED: [], OTHER: []}
    split_links = []
    for pattern, sets in combos.items():
        if "district" not in pattern:
            continue
        for s, held in sets.values():
            key = keys[s]
            pair = []
            for flag in (DEPRIVED, OTHER):
                part = add((key, flag))
                split_rows[flag].append((part, held))
                pair.append(part)
            split_links.append((s, *pair))
    n_sets = len(keys)

    def matrix(rows, cols, width):
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        out = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_sets, width))
        out.data[:] = 1.0  # a set named twice in a combination is still one set
        return out

    centre_areas = sparse.csr_matrix((np.ones(n_areas), (centre_of_area, np.arange(n_areas))), shape=(n_centres, n_areas))
    only = {flag: centre_areas @ sparse.diags((deprived == flag).astype(float)) for flag in (DEPRIVED, OTHER)}
    set_centres = matrix(set_rows, set_cols, n_centres)
    flag_centres = {flag: matrix([np.full(len(held), part) for part, held in rows],
                                 [np.asarray(held, dtype=np.int64) for _, held in rows], n_centres)
                    for flag, rows in split_rows.items()}
    members = (sparse.csr_matrix((np.ones(n_areas), (np.arange(n_areas), np.arange(n_areas))), shape=(n_sets, n_areas))
               + set_centres @ centre_areas + flag_centres[DEPRIVED] @ only[DEPRIVED] + flag_centres[OTHER] @ only[OTHER])
    members = members.tocsr()
    members.sort_indices()
    others = (set_centres @ only[OTHER]).tocsr()
    others.sort_indices()
    others.eliminate_zeros()

    area_lists = _rows(members)
    for s in centre_set:
        links.append((int(s), area_lists[s]))
    for flag in (DEPRIVED, OTHER):
        for part, _ in split_rows[flag]:
            links.append((part, area_lists[part]))
    # One sum each (every list of parts above is in ascending order): the same sum named twice, a set
    # that is its own only part and a total with no parts can never need a cell hidden, so they are left out.
    distinct: dict = {}
    for total, parts in links:
        if len(parts) == 0 or (len(parts) == 1 and parts[0] == total):
            continue
        distinct.setdefault((total, parts.tobytes()), (total, parts))
    link_pairs = list(distinct.values())
    is_split = np.zeros(n_sets, dtype=bool)
    is_split[[p for flag in (DEPRIVED, OTHER) for p, _ in split_rows[flag]]] = True
    centre_level = np.zeros(n_sets, dtype=bool)
    centre_level[np.unique(np.concatenate(set_rows))] = True
    return _Structure(centres, keys, index, n_areas, deprived, members, others, centre_level, is_split,
                      _links_of(link_pairs), np.asarray(sorted(set(split_links)), dtype=np.int64).reshape(-1, 3))


def _links_of(pairs: list[tuple[int, np.ndarray]]) -> Sums:
    """Sums from (total, parts) with the members of each sum next to each other."""
    if not pairs:
        return Sums(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
    sizes = np.asarray([len(parts) + 1 for _, parts in pairs])
    first = np.r_[0, np.cumsum(sizes)[:-1]]
    is_total = np.zeros(sizes.sum(), dtype=bool)
    is_total[first] = True
    cells = np.empty(sizes.sum(), dtype=np.int64)
    cells[first] = [total for total, _ in pairs]
    cells[~is_total] = np.concatenate([parts for _, parts in pairs])
    return Sums(np.repeat(np.arange(len(pairs)), sizes), cells, is_total)


def build_reach_plan(areas: pd.DataFrame, threshold_value: int, sustained_min: int = stats.SUSTAINED_MIN) -> ReachPlan:
    """The plan for one year's reach_by_area rows over the whole authority (no sidebar filters)."""
    groups = sorted(areas["target_group"].unique(), key=lambda g: (g != "all", g != MOST_DEPRIVED_GROUP, g))
    structure = _structure(areas)
    n_sets, n_groups, n_measures = len(structure.keys), len(groups), len(MEASURES)
    n_areas = structure.n_areas
    area_position = dict(zip((key[1] for key in structure.keys[:n_areas]), range(n_areas)))
    is_area = np.zeros(n_sets, dtype=bool)
    is_area[:n_areas] = True
    is_split = structure.split

    # Set values are sums of area values; missed is worked out at the set's own level, except for
    # the deprivation split, which is missed area by area summed.
    missed_m, pop, reached = MEASURES.index("missed"), MEASURES.index("population"), MEASURES.index("reached")
    counts = [m for m in MEASURES if m != "missed"]
    count_index = [MEASURES.index(m) for m in counts]
    group_of_row = pd.Categorical(areas["target_group"], categories=groups).codes
    area_of_row = areas["area_code"].map(area_position).to_numpy()
    grid = np.zeros((n_groups, n_areas, len(counts) + 1))
    grid[group_of_row, area_of_row, :len(counts)] = areas[counts].to_numpy(dtype=float)
    grid[group_of_row, area_of_row, len(counts)] = np.maximum(
        areas["population"].to_numpy(float) - areas["reached"].to_numpy(float), 0)
    summed = structure.members @ grid.transpose(1, 0, 2).reshape(n_areas, -1)
    summed = summed.reshape(n_sets, n_groups, len(counts) + 1).transpose(1, 0, 2)
    values = np.zeros((n_groups, n_sets, n_measures))
    values[:, :, count_index] = summed[:, :, :len(counts)]
    values[:, :, missed_m] = np.maximum(values[:, :, pop] - values[:, :, reached], 0)
    values[:, is_split, missed_m] = summed[:, is_split, len(counts)]
    # Missed by area summed: where it differs from the set's own missed, the sums below do not hold.
    additive = np.isclose(summed[:, :, len(counts)], values[:, :, missed_m])

    published = np.ones((n_groups, n_sets, n_measures), dtype=bool)
    # Areas show the table's counts, not the how-often bands; the deprivation split shows missed only.
    published[:, is_area, len(TABLE_MEASURES):] = False
    published[:, is_split, :] = False
    published[:, is_split, missed_m] = True

    ok_member = published.copy()
    ok_member[:, :, missed_m] &= additive
    # The links between sets hold for every group and measure where every member is published:
    # laid out once, then repeated.
    links = structure.links
    n_links = int(links.relation.max()) + 1 if len(links.relation) else 0
    link_start = np.searchsorted(links.relation, np.arange(n_links + 1))
    member_ok = ok_member[:, links.cell, :].transpose(0, 2, 1)             # groups x measures x members
    relation_ok = np.logical_and.reduceat(member_ok, link_start[:-1], axis=2) if n_links else \
        np.zeros((n_groups, n_measures, 0), dtype=bool)
    band_cells = [MEASURES.index(b) for b in BANDS]
    sustained_bands = [MEASURES.index(b) for b in BAND_STARTS.get(sustained_min, ())]
    set_numbers = np.arange(n_sets)
    split = structure.split_links
    linked = MOST_DEPRIVED_GROUP in groups and "all" in groups

    def sums_of(component: list[int]) -> Sums:
        """The sums over the cells of some groups, numbered within them (group by group in plan order,
        so ties break as they would over every group at once)."""
        local = {g: i for i, g in enumerate(component)}

        def cell(g, s, m):
            return (local[g] * n_sets + s) * n_measures + m

        g_of, m_of, link_of = np.nonzero(relation_ok[component])
        sizes = link_start[link_of + 1] - link_start[link_of]
        position = _ranges(link_start[link_of], link_start[link_of + 1])
        hierarchy = Sums(np.repeat(np.arange(len(link_of)), sizes),
                         (np.repeat(g_of, sizes) * n_sets + links.cell[position]) * n_measures + np.repeat(m_of, sizes),
                         links.is_total[position])
        identities = []
        for g in component:
            # A district-level set's missed is its most deprived areas' plus its other areas'.
            rows = split[additive[g, split[:, 0]]]
            identities.append(_same_shape_sums(cell(g, rows[:, 0], missed_m),
                                               [cell(g, rows[:, 1], missed_m), cell(g, rows[:, 2], missed_m)]))
            # Population = reached + missed wherever no more were reached than estimated.
            sets = set_numbers[~is_split & (values[g, :, reached] <= values[g, :, pop])]
            identities.append(_same_shape_sums(cell(g, sets, pop), [cell(g, sets, reached), cell(g, sets, missed_m)]))
            # The how-often bands add up to the children reached, and from the sustained setting on to sustained.
            sets = set_numbers[~is_split & ~is_area]
            # Nested, not side by side: with both "reached = every band" and "sustained = its bands",
            # each safe alone, reached less the first bands less sustained still gave a lone hidden
            # band away. So reached is the bands below the sustained setting plus sustained itself.
            if sustained_bands:
                sustained = MEASURES.index("sustained")
                below = [b for b in band_cells if b not in sustained_bands]
                identities.append(_same_shape_sums(cell(g, sets, reached), [cell(g, sets, b) for b in below]
                                                   + [cell(g, sets, sustained)]))
                identities.append(_same_shape_sums(cell(g, sets, sustained), [cell(g, sets, b) for b in sustained_bands]))
            else:
                identities.append(_same_shape_sums(cell(g, sets, reached), [cell(g, sets, b) for b in band_cells]))
        if linked and len(component) == 2:
            identities += _deprived_links(structure, additive, component, cell)
        return Sums.concat([hierarchy, *identities])

    primary_hidden = primary(values, threshold_value) & published
    hidden = np.zeros_like(primary_hidden)
    # Groups are linked only within themselves, except all children and the most deprived 30%: each
    # such set of groups is planned on its own (the same cells as planning them together, in less memory).
    components = [[0, 1]] + [[g] for g in range(2, n_groups)] if linked else [[g] for g in range(n_groups)]
    for component in components:
        hidden[component] = plan_checked(values[component].reshape(-1), sums_of(component), threshold_value,
                                             hidden=primary_hidden[component].reshape(-1)).reshape(len(component), n_sets, n_measures)
    return ReachPlan(threshold_value, groups, structure.centres, structure.index, values, hidden, primary_hidden,
                     published=published)


def _deprived_links(structure: _Structure, additive: np.ndarray, component: list[int], cell) -> list[Sums]:
    """Most deprived 30% is every child of the most deprived areas: in those areas the two groups are one."""
    g_all, g_deprived = component
    missed_m = MEASURES.index("missed")
    out = []
    deprived_areas = np.flatnonzero(structure.deprived)
    for m in range(len(TABLE_MEASURES)):
        out.append(_same_shape_sums(cell(g_deprived, deprived_areas, m), [cell(g_all, deprived_areas, m)]))
    deprived_splits = np.asarray([s for s in np.flatnonzero(structure.split) if structure.keys[s][1] == DEPRIVED],
                                 dtype=np.int64)
    out.append(_same_shape_sums(cell(g_deprived, deprived_splits, missed_m), [cell(g_all, deprived_splits, missed_m)]))
    # All children of a centre or wider set are the most deprived group there plus the children
    # of its other areas, each of which the area table shows.
    others = structure.others
    for m, measure in enumerate(TABLE_MEASURES):
        sets = np.flatnonzero(structure.centre_level)
        if measure == "missed":
            sets = sets[additive[g_all, sets] & additive[g_deprived, sets]]
        sizes = np.diff(others.indptr)[sets]
        parts = others.indices[_ranges(others.indptr[sets], others.indptr[sets + 1])].astype(np.int64)
        relation = np.arange(len(sets))
        relation = np.concatenate([relation, relation, np.repeat(relation, sizes)])
        order = np.argsort(relation, kind="stable")  # each sum's members together
        out.append(Sums(relation[order],
                        np.concatenate([cell(g_all, sets, m), cell(g_deprived, sets, m), cell(g_all, parts, m)])[order],
                        np.concatenate([np.ones(len(sets), bool), np.zeros(len(sets) + len(parts), bool)])[order]))
    return out


# --- Which plan a view reads ---------------------------------------------------------------------------

def _build_for(folder: str, version: str, year: int, sustained_min: int, threshold_value: int) -> ReachPlan | None:
    from scrutiny import queries

    def build() -> ReachPlan | None:
        areas = queries.run("reach_by_area", year=int(year), sustained_min=int(sustained_min),
                            district=None, cluster=None, lead_agency=None, site_type=None)
        if areas.empty:
            # No reach area at all (an extract with no centres): nothing to plan; views use the primary rule.
            return None
        return build_reach_plan(areas, threshold_value, int(sustained_min))

    return shared_plan("reach", folder, version, (int(year), int(sustained_min), int(threshold_value)), build)


def _cached_builder():
    import streamlit as st

    # One shared, read-only plan per extract version, year and setting: no copy on a rerun.
    return st.cache_resource(show_spinner=False, max_entries=32)(_build_for)


_plan_cache = None


def reach_plan(year: int | None, sustained_min: int = stats.SUSTAINED_MIN) -> ReachPlan | None:
    """The Reach plan for a year over the whole authority (every view of that year reads it)."""
    global _plan_cache
    if year is None:
        return None
    from scrutiny import queries

    if _plan_cache is None:
        _plan_cache = _cached_builder()
    folder, version = queries.extract_version()
    return _plan_cache(folder, version, int(year), int(sustained_min), threshold())


@dataclass(frozen=True)
class ReachView:
    """What a reach frame shows: the filters it was worked out under, the sustained setting and
    the centre in focus (for a focus row rolled up to "authority"). Hashable, so cached
    functions can take it."""

    filters: object
    sustained_min: int = stats.SUSTAINED_MIN
    centre: str | None = None

    def plan(self) -> ReachPlan | None:
        return reach_plan(getattr(self.filters, "year", None), self.sustained_min)

    def sets(self, rated: pd.DataFrame, level: str) -> np.ndarray:
        plan = self.plan()
        if plan is None or rated.empty:
            return np.full(len(rated), -1, dtype=np.int64)
        if level == "authority" and self.centre not in (None, "all"):
            one = plan.set_of(self.filters, "centre", self.centre)
            return np.full(len(rated), -1 if one is None else one, dtype=np.int64)
        units = rated["area_code"] if level == "area" else rated["unit_code"]
        return plan.sets_of(self.filters, level, list(units))

    def hidden(self, rated: pd.DataFrame, level: str, measures=TABLE_MEASURES) -> pd.DataFrame:
        """The plan's answer for each row (unit and target group) and measure; the primary rule
        where the plan does not know the row."""
        plan = self.plan()
        sets = self.sets(rated, level)
        out = pd.DataFrame(index=rated.index)
        t = plan.threshold if plan is not None else threshold()
        groups = rated["target_group"].to_numpy()
        for measure in measures:
            flags = primary(rated[measure].to_numpy(dtype=float), t) if measure in rated else np.zeros(len(rated), bool)
            if plan is not None:
                for group in np.unique(groups):
                    rows = groups == group
                    known = rows & (sets >= 0)
                    if group in plan.groups and known.any():
                        flags[known] |= plan.is_hidden(group, sets[known], measure)
            out[measure] = flags
        return out

    def focus_hidden(self, group: str, measures, values: dict | None = None) -> dict[str, bool]:
        """Whether each measure of the focus (the centre in focus, or everything in view) is hidden."""
        plan = self.plan()
        t = plan.threshold if plan is not None else threshold()
        out = {m: bool(primary([values[m]], t)[0]) if values and m in values else False for m in measures}
        if plan is None:
            return out
        focus = plan.set_of(self.filters, "centre", self.centre) if self.centre not in (None, "all") \
            else plan.set_of(self.filters, "authority")
        if focus is None or group not in plan.groups:
            return out
        return {m: out[m] or bool(plan.is_hidden(group, focus, m)) for m in measures}

    def split_hidden(self, group: str, district, deprived: bool) -> bool | None:
        """Whether a district's children missed in its most deprived (or other) areas is hidden; None if unknown."""
        plan = self.plan()
        if plan is None or group not in plan.groups:
            return None
        s = plan.set_of(self.filters, "district", district, deprivation=deprived)
        return None if s is None else bool(plan.is_hidden(group, s, "missed"))
