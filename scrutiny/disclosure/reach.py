"""The Reach page's plan: one per extract version, year and sustained-engagement setting."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from scrutiny import stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.disclosure.core import Sums, _same_shape_sums, plan_suppression, primary, threshold

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


def _sets(areas: pd.DataFrame) -> tuple[pd.DataFrame, list, dict, dict]:
    """Every publishable set of areas: its key, its member areas, and how the sets are linked."""
    centres = areas.drop_duplicates("centre_id")[["centre_id", *DIMENSIONS]].copy()
    for dimension in DIMENSIONS:
        centres[dimension] = centres[dimension].astype(object).where(centres[dimension].notna(), NONE_VALUE)
    centres = centres.sort_values("centre_id").reset_index(drop=True)
    keys: list = []
    index: dict = {}

    def add(key) -> int:
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
        return index[key]

    links: list[tuple[int, list[int]]] = []
    area_rows = areas.drop_duplicates("area_code")[["area_code", "centre_id", "most_deprived"]]
    area_sets = {code: add(("area", code)) for code in sorted(area_rows["area_code"])}
    centre_sets = {c: add(frozenset([c])) for c in centres["centre_id"]}
    areas_of_centre = area_rows.groupby("centre_id")["area_code"].agg(list)
    for centre, codes in areas_of_centre.items():
        links.append((centre_sets[centre], [area_sets[a] for a in codes]))
    # Every combination of the sidebar filters, and each unit of each roll-up within it.
    combos: dict[tuple, dict] = {}
    for size in range(len(DIMENSIONS) + 1):
        for pattern in combinations(DIMENSIONS, size):
            grouped = centres.groupby(list(pattern), sort=True)["centre_id"] if pattern else None
            members = {(): frozenset(centres["centre_id"])} if not pattern else {
                (k if isinstance(k, tuple) else (k,)): frozenset(v) for k, v in grouped}
            combos[pattern] = {values: add(key) for values, key in members.items()}
            for values, key in members.items():
                links.append((index[key], [centre_sets[c] for c in sorted(key)]))
    for pattern, sets in combos.items():
        for dimension in DIMENSIONS:
            if dimension in pattern:
                continue
            finer = tuple(d for d in DIMENSIONS if d in pattern or d == dimension)
            position = finer.index(dimension)
            children: dict[tuple, list[int]] = {}
            for values, s in combos[finer].items():
                coarse = values[:position] + values[position + 1:]
                children.setdefault(coarse, []).append(s)
            for values, s in sets.items():
                links.append((s, sorted(set(children.get(values, [])))))
    # Most deprived areas and the rest, within each set holding a district (the missed-by-district bars).
    deprived_of_area = dict(zip(area_rows["area_code"], area_rows["most_deprived"].fillna(False).astype(bool)))
    split_links: list[tuple[int, list[int]]] = []
    split_sets: dict[int, tuple[int, int]] = {}
    for pattern, sets in combos.items():
        if "district" not in pattern:
            continue
        for s in sets.values():
            key = keys[s]
            codes = [a for c in sorted(key) for a in areas_of_centre.get(c, [])]
            pair = []
            for flag in (DEPRIVED, OTHER):
                part = add((key, flag))
                links.append((part, [area_sets[a] for a in codes if deprived_of_area[a] == flag]))
                pair.append(part)
            split_sets[s] = tuple(pair)
            split_links.append((s, pair))
    kinds = {"area": list(area_sets.values()), "split": [p for pair in split_sets.values() for p in pair]}
    return centres, keys, index, {"links": links, "split_links": split_links, "kinds": kinds,
                                   "area_sets": area_sets, "deprived": deprived_of_area}


def build_reach_plan(areas: pd.DataFrame, threshold_value: int, sustained_min: int = stats.SUSTAINED_MIN) -> ReachPlan:
    """The plan for one year's reach_by_area rows over the whole authority (no sidebar filters)."""
    groups = sorted(areas["target_group"].unique(), key=lambda g: (g != "all", g != MOST_DEPRIVED_GROUP, g))
    centres, keys, index, structure = _sets(areas)
    n_sets, n_groups, n_measures = len(keys), len(groups), len(MEASURES)
    area_sets = structure["area_sets"]
    n_areas = len(area_sets)
    area_order = list(area_sets)
    area_position = {a: i for i, a in enumerate(area_order)}
    # Which areas each set holds, as a sparse 0/1 matrix: set values are sums of area values.
    from scipy import sparse

    rows, cols = [], []
    centre_areas = areas.drop_duplicates("area_code").groupby("centre_id")["area_code"].agg(list)
    deprived = structure["deprived"]
    for key, s in index.items():
        if isinstance(key, tuple) and key[0] == "area":
            members = [key[1]]
        elif isinstance(key, frozenset):
            members = [a for c in key for a in centre_areas.get(c, [])]
        else:
            members = [a for c in key[0] for a in centre_areas.get(c, []) if deprived[a] == key[1]]
        rows += [s] * len(members)
        cols += [area_position[a] for a in members]
    incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_sets, n_areas))

    values = np.zeros((n_groups, n_sets, n_measures))
    counts = [m for m in MEASURES if m != "missed"]
    for g, group in enumerate(groups):
        part = areas[areas["target_group"] == group]
        grid = np.zeros((n_areas, len(counts) + 1))
        positions = part["area_code"].map(area_position).to_numpy()
        grid[positions, :len(counts)] = part[counts].to_numpy(dtype=float)
        # Missed, area by area: summed for the deprivation split, worked out at the set's level elsewhere.
        grid[positions, len(counts)] = np.maximum(part["population"].to_numpy(float) - part["reached"].to_numpy(float), 0)
        summed = incidence @ grid
        for m, measure in enumerate(counts):
            values[g, :, MEASURES.index(measure)] = summed[:, m]
        pop, reached = values[g, :, MEASURES.index("population")], values[g, :, MEASURES.index("reached")]
        values[g, :, MEASURES.index("missed")] = np.maximum(pop - reached, 0)
        split = structure["kinds"]["split"]
        values[g, split, MEASURES.index("missed")] = summed[split, len(counts)]
        # Missed by area summed: where it differs from the set's own missed, the sums below do not hold.
        values_area_missed = summed[:, len(counts)]
        if g == 0:
            additive = np.zeros((n_groups, n_sets), dtype=bool)
        additive[g] = np.isclose(values_area_missed, values[g, :, MEASURES.index("missed")])

    published = np.ones((n_groups, n_sets, n_measures), dtype=bool)
    is_area = np.zeros(n_sets, dtype=bool)
    is_area[structure["kinds"]["area"]] = True
    is_split = np.zeros(n_sets, dtype=bool)
    is_split[structure["kinds"]["split"]] = True
    # Areas show the table's counts, not the how-often bands; the deprivation split shows missed only.
    published[:, is_area, len(TABLE_MEASURES):] = False
    published[:, is_split, :] = False
    published[:, is_split, MEASURES.index("missed")] = True

    missed_m = MEASURES.index("missed")
    ok_member = published.copy()
    ok_member[:, :, missed_m] &= additive
    # The links between sets hold for every group and measure: laid out once, then repeated.
    link_relation = np.concatenate([np.full(len(parts) + 1, r) for r, (_, parts) in enumerate(structure["links"])])
    link_set = np.concatenate([[total, *parts] for total, parts in structure["links"]]).astype(np.int64)
    link_total = np.concatenate([[True] + [False] * len(parts) for _, parts in structure["links"]])
    n_links = len(structure["links"])
    g_index = np.arange(n_groups)[:, None, None]
    m_index = np.arange(n_measures)[None, :, None]
    member_ok = ok_member[g_index, link_set[None, None, :], m_index]          # groups x measures x members
    relation_ok = np.ones((n_groups, n_measures, n_links), dtype=bool)
    for g in range(n_groups):
        for m in range(n_measures):
            relation_ok[g, m] = np.bincount(link_relation, weights=~member_ok[g, m], minlength=n_links) == 0
    keep = relation_ok[:, :, link_relation]
    cells = (g_index * n_sets + link_set[None, None, :]) * n_measures + m_index
    relation_ids = (g_index * n_measures + m_index) * n_links + link_relation[None, None, :]
    hierarchy = Sums(relation_ids[keep], cells[keep], np.broadcast_to(link_total, keep.shape)[keep])

    def cell(g, s, m):
        return (g * n_sets + s) * n_measures + m

    relations: list[tuple[int, list[int]]] = []
    pop, reached = MEASURES.index("population"), MEASURES.index("reached")
    band_cells = [MEASURES.index(b) for b in BANDS]
    sustained_bands = [MEASURES.index(b) for b in BAND_STARTS.get(sustained_min, ())]
    identities = []
    set_numbers = np.arange(n_sets)
    for g in range(n_groups):
        for total, pair in structure["split_links"]:
            if additive[g, total]:
                relations.append((cell(g, total, missed_m), [cell(g, p, missed_m) for p in pair]))
        # Population = reached + missed wherever no more were reached than estimated.
        sets = set_numbers[~is_split & (values[g, :, reached] <= values[g, :, pop])]
        identities.append(_same_shape_sums(cell(g, sets, pop), [cell(g, sets, reached), cell(g, sets, missed_m)]))
        # The how-often bands add up to the children reached, and from the sustained setting on to sustained.
        sets = set_numbers[~is_split & ~is_area]
        identities.append(_same_shape_sums(cell(g, sets, reached), [cell(g, sets, b) for b in band_cells]))
        if sustained_bands:
            identities.append(_same_shape_sums(cell(g, sets, MEASURES.index("sustained")),
                                               [cell(g, sets, b) for b in sustained_bands]))
    # Most deprived 30% is every child of the most deprived areas: in those areas the two groups are one.
    if MOST_DEPRIVED_GROUP in groups and "all" in groups:
        g_all, g_deprived = groups.index("all"), groups.index(MOST_DEPRIVED_GROUP)
        for code, s in area_sets.items():
            if deprived[code]:
                for m, measure in enumerate(TABLE_MEASURES):
                    relations.append((cell(g_deprived, s, m), [cell(g_all, s, m)]))
        for s in structure["kinds"]["split"]:
            if keys[s][1] == DEPRIVED:
                relations.append((cell(g_deprived, s, missed_m), [cell(g_all, s, missed_m)]))
        # All children of a centre or wider set are the most deprived group there plus the children
        # of its other areas, each of which the area table shows.
        for key, s in index.items():
            if not isinstance(key, frozenset):
                continue
            others = [area_sets[a] for c in sorted(key) for a in centre_areas.get(c, []) if not deprived[a]]
            for m, measure in enumerate(TABLE_MEASURES):
                if measure == "missed" and not (additive[g_all, s] and additive[g_deprived, s]):
                    continue
                relations.append((cell(g_all, s, m), [cell(g_deprived, s, m)] + [cell(g_all, o, m) for o in others]))

    flat = values.reshape(-1)
    primary_hidden = primary(flat, threshold_value) & published.reshape(-1)
    hidden = plan_suppression(flat, Sums.concat([hierarchy, *identities, Sums.of(relations)]), threshold_value,
                              hidden=primary_hidden)
    return ReachPlan(threshold_value, groups, centres, index, values, hidden.reshape(values.shape),
                     primary_hidden.reshape(values.shape), published=published)


# --- Which plan a view reads ---------------------------------------------------------------------------

def _build_for(folder: str, version: str, year: int, sustained_min: int, threshold_value: int) -> ReachPlan:
    from scrutiny import queries

    areas = queries.run("reach_by_area", year=int(year), sustained_min=int(sustained_min),
                        district=None, cluster=None, lead_agency=None, site_type=None)
    return build_reach_plan(areas, threshold_value, int(sustained_min))


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
