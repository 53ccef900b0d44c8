"""The outcomes plan: one per extract version and indicator, each year planned on its own.

Every view of an outcome figure reads it: the Gap page (its tables, sentences, charts and
downloads), the overview's gap headline, the lines of enquiry about gaps, the evidence pack's gap
section, and the Footfall page's site table and trend chart (children achieving, of all children
and of the focus group, in each centre's reach area and pooled over the centres in view).

A cell is one count in one year: the children in a group (``denominator``) or those of them
achieving the indicator (``numerator``; events, for a rate), for one geography:

- the authority, a district, a centre's reach area (the outcomes table's own rows);
- ``pool``: the centres a combination of the sidebar filters leaves in view, added up (the
  Footfall page pools them when no site is chosen);
- ``rest``: what the published groups or places leave out of a total (children whose free school
  meals status is unknown, reach areas the outcomes table has no row for), when it is from 1 to
  threshold - 1: never published, always hidden, and protected like any small count. A rest of
  threshold or more leaves nothing to work out (each part the sum hides could be anything from 0 to
  at least threshold - 1), so that sum is left out.

Groups: all children; the indicator's focus and reference groups; every IDACI quintile (the
deprivation gradient). A centre with no all-children row but both gap groups publishes their sum
as all children on the Footfall page, so the plan adds that cell. Other groups are not published.

Sums (``core.plan_suppression`` keeps each safe):

- groups of one type within all children, for each place, when they add up to no more than it
  (with the rest as a hidden part when they fall short); groups that add up to more (overlapping
  groups) stay unlinked;
- reach areas within their district, districts within the authority, and reach areas within the
  authority, in the same way, for each group.

The secondary rule looks at one sum at a time. A check then carries each hidden cell's bounds from
sum to sum (with those achieving at most the children) and, for each small count they pin to fewer
than threshold values, hides one more cell of one of its sums, until none is pinned. Pools are shown
only where every centre they add up is (a sum of shown figures tells nothing new), so they never make
the plan hide anything else.

The primary rule hides a count of children from 1 to threshold - 1 and a count achieving from 1 to
threshold - 1; children achieving is hidden too wherever the children are, since a percentage
needs both. A percentage and its interval are shown only when both counts are, and a gap only
when both groups' percentages are. The number of children not achieving is not protected on its
own (as in the DfE's published early years tables): it is never printed as a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from scrutiny.disclosure.core import Sums, one_more_for, pinned_by_bounds, plan_suppression, primary, threshold

AUTHORITY, DISTRICT, CENTRE, POOL, REST = "authority", "district", "centre", "pool", "rest"
NUMERATOR, DENOMINATOR = 0, 1
ALL = ("all", "all")
GRADIENT_GROUP_TYPE = "idaci_quintile"
POOL_DIMENSIONS = ("district", "cluster", "lead_agency", "site_type")


@dataclass
class OutcomesPlan:
    """Which counts of one indicator to hide, year by year.

    ``index`` maps a cell's key (year, level, code, group_type, group) to its row of ``values``
    and ``hidden`` (rows x [numerator, denominator]). A pool's code is the frozenset of its centres.
    """

    indicator: str
    threshold: int
    index: dict = field(repr=False)
    values: np.ndarray = field(repr=False)
    hidden: np.ndarray = field(repr=False)
    primary_hidden: np.ndarray = field(repr=False)
    published: np.ndarray = field(repr=False)
    levels: np.ndarray = field(repr=False)
    years: np.ndarray = field(repr=False)
    keys: list = field(repr=False, default_factory=list)   # each row's own key (a pool may share a row)

    def rows(self, years, level: str, codes, group: tuple[str, str]) -> np.ndarray:
        """The plan's row for each (year, code) of one level and group; -1 where it has none."""
        group_type, name = str(group[0]), str(group[1])
        return np.fromiter((self.index.get((int(y), level, c if level == POOL else str(c), group_type, name), -1)
                            for y, c in zip(years, codes)), dtype=np.int64, count=len(years))

    def flags(self, rows: np.ndarray, numerators, denominators) -> tuple[np.ndarray, np.ndarray]:
        """(children achieving hidden, children hidden) for each row; the primary rule on the given
        counts where the plan has no row (and always at least that)."""
        num = np.asarray(numerators, dtype=float)
        den = np.asarray(denominators, dtype=float)
        den_hidden = primary(den, self.threshold)
        num_hidden = primary(num, self.threshold) | den_hidden
        known = rows >= 0
        num_hidden[known] |= self.hidden[rows[known], NUMERATOR]
        den_hidden[known] |= self.hidden[rows[known], DENOMINATOR]
        return num_hidden, den_hidden

    def secondary_count(self, year: int | None = None, levels=(AUTHORITY, DISTRICT, CENTRE), groups=None) -> int:
        """How many published counts the secondary rule hides (the over-hiding check)."""
        chosen = self.published & np.isin(self.levels, list(levels))
        if year is not None:
            chosen &= self.years == int(year)
        if groups is not None:
            wanted = {(str(t), str(g)) for t, g in groups}
            chosen &= np.array([(k[3], k[4]) in wanted for k in self.keys], dtype=bool)
        extra = self.hidden & ~self.primary_hidden
        return int(extra[chosen].sum())


def _published_groups(cells: pd.DataFrame, gap_group: tuple[str, str, str]) -> pd.Series:
    group_type, focus, reference = gap_group
    gt, g = cells["group_type"].astype(str), cells["group"].astype(str)
    return ((gt == "all") & (g == "all")) | ((gt == group_type) & g.isin([focus, reference])) | (gt == GRADIENT_GROUP_TYPE)


def build_outcomes_plan(cells: pd.DataFrame, indicator: str, gap_group: tuple[str, str, str],
                        threshold_value: int, kind: str = "proportion") -> OutcomesPlan:
    """The plan for every year of outcome_cells' rows of one indicator.

    ``gap_group`` is the indicator's (group type, focus group, reference group); ``kind`` is
    "proportion" (those achieving are at most the children) or "rate" (events may outnumber them).
    """
    cells = cells[_published_groups(cells, gap_group)].copy()
    cells["year"] = cells["year"].astype(int)
    for column in ("geography_level", "geography_code", "group_type", "group"):
        cells[column] = cells[column].astype(str)
    group_type, focus, reference = gap_group
    keys: list[tuple] = []
    values: list[tuple[float, float]] = []
    published: list[bool] = []
    index: dict = {}

    def add(key, numerator, denominator, shown=True) -> int:
        if key in index:
            return index[key]
        index[key] = len(keys)
        keys.append(key)
        values.append((float(numerator), float(denominator)))
        published.append(shown)
        return index[key]

    for r in cells.itertuples(index=False):
        add((r.year, r.geography_level, r.geography_code, r.group_type, r.group), r.numerator, r.denominator)
    # All children as the Footfall page publishes it where a centre has no such row: focus + reference,
    # planned like any all-children cell (the sum of the two groups).
    derived: dict[int, list[int]] = {}
    for (year, code), part in cells[cells["geography_level"] == CENTRE].groupby(["year", "geography_code"]):
        have = set(zip(part["group_type"], part["group"]))
        if ALL not in have and {(group_type, focus), (group_type, reference)} <= have:
            f = part[(part["group_type"] == group_type) & (part["group"] == focus)].iloc[0]
            r = part[(part["group_type"] == group_type) & (part["group"] == reference)].iloc[0]
            row = add((year, CENTRE, code, *ALL), f.numerator + r.numerator, f.denominator + r.denominator)
            derived[row] = [index[(year, CENTRE, code, group_type, focus)], index[(year, CENTRE, code, group_type, reference)]]

    relations: list[tuple[int, int, list[int]]] = []   # (measure, total row, part rows)
    straight: list[int] = []                            # start, end positions of the authority-to-centre sums
    rest_count = [0]

    def link(total_key, part_keys) -> None:
        """total = parts (+ a hidden rest where the parts fall short), measure by measure."""
        if total_key not in index:
            return
        total = index[total_key]
        parts = [index[k] for k in part_keys if k in index]
        if not parts:
            return
        for measure in (NUMERATOR, DENOMINATOR):
            short = values[total][measure] - sum(values[p][measure] for p in parts)
            if short < 0:
                continue    # the parts overlap or the figures disagree: no sum to give anything away
            members = list(parts)
            if short >= threshold_value:
                # Children the parts leave out, threshold or more, never published: whatever the
                # sum's parts hide could be anything from 0 to at least the threshold - 1.
                continue
            if short > 0:
                rest_count[0] += 1
                numerator, denominator = (short, 0.0) if measure == NUMERATOR else (0.0, short)
                members.append(add((total_key[0], REST, str(rest_count[0]), total_key[3], total_key[4]),
                                   numerator, denominator, shown=False))
            relations.append((measure, total, members))

    by_place = {}
    for key in keys:
        by_place.setdefault(key[:3], []).append(key)
    # Groups within all children, place by place.
    for place, place_keys in by_place.items():
        for group_kind in {k[3] for k in place_keys} - {"all"}:
            link((*place, *ALL), [k for k in place_keys if k[3] == group_kind])
    # Reach areas within districts, districts within the authority, group by group.
    centre_rows = cells[cells["geography_level"] == CENTRE].drop_duplicates(["year", "geography_code"])
    district_of = dict(zip(centre_rows["geography_code"], centre_rows["district"]))
    groups_by_year: dict[int, set] = {}
    for key in keys:
        groups_by_year.setdefault(key[0], set()).add(key[3:])
    authorities = {k[:3] for k in keys if k[1] == AUTHORITY}
    districts = {k[:3] for k in keys if k[1] == DISTRICT}
    centres_of_year: dict[int, dict[str, list[str]]] = {}
    for year, groups in groups_by_year.items():
        centres_of = centres_of_year.setdefault(year, {})
        for code in sorted(centre_rows.loc[centre_rows["year"] == year, "geography_code"]):
            if isinstance(district_of.get(code), str):
                centres_of.setdefault(district_of[code], []).append(code)
        for group in groups:
            for (_, _, district) in [d for d in districts if d[0] == year]:
                link((year, DISTRICT, district, *group), [(year, CENTRE, c, *group) for c in centres_of.get(district, [])])
            for (_, _, code) in [a for a in authorities if a[0] == year]:
                link((year, AUTHORITY, code, *group), [d + group for d in sorted(districts) if d[0] == year])
                # And straight to the reach areas: a district hidden with only a small rest beside its shown
                # reach areas is all but known, so the authority less it would still give a small district away.
                straight.append(len(relations))
                link((year, AUTHORITY, code, *group),
                     [(year, CENTRE, c, *group) for d in sorted(centres_of) for c in centres_of[d]])
                straight.append(len(relations))
    # Pools: the centres each combination of the sidebar filters leaves in view, for the groups the
    # Footfall page pools (all children and the gap groups). A pool of all of a district's centres (or
    # of all centres) that adds up to the district's own figure (the authority's) is that cell; any
    # other pool is shown only where every centre in it is (a sum of shown figures tells nothing new),
    # so pools never make the plan hide a centre.
    pooled_groups = [ALL, (group_type, focus), (group_type, reference)]
    centres = cells.loc[cells["geography_level"] == CENTRE, ["geography_code", *POOL_DIMENSIONS]] \
        .drop_duplicates("geography_code").reset_index(drop=True)
    pools = _pools(centres)
    pool_members: dict[int, list[int]] = {}
    for year in groups_by_year:
        for group in pooled_groups:
            with_rows = {k[2] for k in keys if k[0] == year and k[1] == CENTRE and k[3:] == group}
            whole: dict[frozenset, tuple] = {}
            for (_, _, district) in [d for d in districts if d[0] == year]:
                whole[frozenset(c for c in centres_of_year[year].get(district, []) if c in with_rows)] = \
                    (year, DISTRICT, district, *group)
            for authority_key in [a for a in authorities if a[0] == year]:
                whole[frozenset(with_rows)] = (*authority_key, *group)
            for members in pools:
                present = frozenset(c for c in members if c in with_rows)
                if len(present) < 2:
                    continue
                member_rows = [index[(year, CENTRE, c, *group)] for c in sorted(present)]
                total = tuple(sum(values[m][i] for m in member_rows) for i in (NUMERATOR, DENOMINATOR))
                pool_key = (year, POOL, present, *group)
                same = whole.get(present)
                if same is not None and same in index and values[index[same]] == total:
                    index[pool_key] = index[same]
                    continue
                pool_members[add(pool_key, *total)] = member_rows

    grid = np.asarray(values, dtype=float).reshape(-1, 2)
    shown = np.asarray(published, dtype=bool)
    n = len(grid)
    flat = grid.reshape(-1)                               # cell = row * 2 + measure
    sums = Sums.of((total * 2 + measure, [p * 2 + measure for p in parts]) for measure, total, parts in relations)
    # The authority-to-centre sums are checked after the others: taken together, each unsafe sum picks its
    # own cell in the same round, and the authority's pick (a centre in another district) would start a
    # second chain of hiding where the district's pick already makes both sums safe.
    is_straight = np.zeros(len(relations), dtype=bool)
    for begin, end in zip(straight[::2], straight[1::2]):
        is_straight[begin:end] = True
    local = Sums.of((total * 2 + measure, [p * 2 + measure for p in parts])
                    for (measure, total, parts), skip in zip(relations, is_straight) if not skip)
    den_small = primary(grid[:, DENOMINATOR], threshold_value)
    start = np.zeros((n, 2), dtype=bool)
    start[:, DENOMINATOR] = den_small
    start[:, NUMERATOR] = primary(grid[:, NUMERATOR], threshold_value) | den_small
    start &= shown[:, None]
    primary_hidden = start.copy()
    start[~shown] = True                                  # the rest is never published
    proportion = kind != "rate"
    hidden = _complete(flat, sums, _complete(flat, local, start.reshape(-1), threshold_value, n), threshold_value, n)
    # The secondary rule looks at one sum at a time. Bounds carried from sum to sum (a group at 100%
    # is at most its children, so all children less it puts a floor under the other group, and a
    # district less that floor puts a ceiling on its neighbour) can still pin a cell: each such cell
    # gets a further cell of its sums hidden until none is pinned.
    secret = (np.repeat(shown, 2) & start.reshape(-1)) | (~np.repeat(shown, 2) & primary(flat, threshold_value))
    for _ in range(20):
        pinned = np.flatnonzero(secret & pinned_by_bounds(flat, sums, hidden, threshold_value, at_most=_at_most(len(flat)) if proportion else None))
        more = one_more_for(flat, sums, hidden, pinned)
        if not len(more):
            break
        hidden[more] = True
        hidden = _complete(flat, sums, _complete(flat, local, hidden, threshold_value, n), threshold_value, n)
    hidden = hidden.reshape(n, 2)
    for pool, members in pool_members.items():
        hidden[pool] = hidden[members].any(axis=0)
        hidden[pool, NUMERATOR] |= hidden[pool, DENOMINATOR]
    return OutcomesPlan(indicator, threshold_value, index, grid, hidden, primary_hidden, shown,
                        np.array([k[1] for k in keys], dtype=object), np.array([k[0] for k in keys], dtype=np.int64), keys)


def _complete(flat, sums: Sums, hidden, threshold_value: int, n: int) -> np.ndarray:
    """The secondary rule, and achieving hidden wherever the children are (a percentage needs both)."""
    for _ in range(10):
        hidden = plan_suppression(flat, sums, threshold_value, hidden=hidden).reshape(n, 2)
        more = hidden[:, DENOMINATOR] & ~hidden[:, NUMERATOR]
        hidden = hidden.reshape(-1)
        if not more.any():
            break
        hidden.reshape(n, 2)[more, NUMERATOR] = True
    return hidden


def _at_most(n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Those achieving (even cells) are at most the children (the odd cell after each)."""
    numerators = np.arange(0, n_cells, 2)
    return numerators, numerators + 1


def _pools(centres: pd.DataFrame) -> list[frozenset]:
    """Every set of two or more centres some combination of the sidebar filters leaves in view."""
    found: set[frozenset] = set()
    if centres.empty:
        return []
    for size in range(len(POOL_DIMENSIONS) + 1):
        for pattern in combinations(POOL_DIMENSIONS, size):
            if not pattern:
                found.add(frozenset(centres["geography_code"]))
                continue
            usable = centres.dropna(subset=list(pattern))
            for _, part in usable.groupby(list(pattern), sort=True):
                found.add(frozenset(part["geography_code"]))
    return sorted((p for p in found if len(p) >= 2), key=lambda p: (len(p), sorted(p)))


# --- Which plan a view reads ---------------------------------------------------------------------

def _build_for(folder: str, version: str, indicator: str, threshold_value: int) -> OutcomesPlan:
    from scrutiny import queries

    cells = queries.run("outcome_cells", indicator=indicator)
    gap = queries.run("indicator_list")
    row = gap[gap["indicator"] == indicator]
    gap_group = (str(row.iloc[0]["gap_group_type"]), str(row.iloc[0]["gap_focus_group"]),
                 str(row.iloc[0]["gap_reference_group"])) if len(row) else ("", "", "")
    kind = str(row.iloc[0]["kind"]) if len(row) and "kind" in row and not pd.isna(row.iloc[0]["kind"]) else "proportion"
    return build_outcomes_plan(cells, indicator, gap_group, threshold_value, kind)


_plan_cache = None


def outcomes_plan(indicator: str) -> OutcomesPlan:
    """The outcomes plan of one indicator (every year), shared read-only between reruns and pages."""
    global _plan_cache
    from scrutiny import queries

    if _plan_cache is None:
        import streamlit as st

        _plan_cache = st.cache_resource(show_spinner=False, max_entries=64)(_build_for)
    folder, version = queries.extract_version()
    return _plan_cache(folder, version, str(indicator), threshold())


def hidden_counts(indicator: str, years, level: str, codes, group: tuple[str, str], numerators,
                  denominators) -> tuple[np.ndarray, np.ndarray]:
    """(children achieving hidden, children hidden), row by row, for the counts of one group at one
    level: ``years``, ``codes``, ``numerators`` and ``denominators`` are equal-length sequences.

    ``level`` is "authority", "district" or "centre" (a code is then the authority's code, a district's
    name or a centre_id). A percentage or interval built on a row is shown only where neither is hidden.
    """
    plan = outcomes_plan(indicator)
    return plan.flags(plan.rows(list(years), level, list(codes), group), numerators, denominators)


def centre_outcomes_hidden(indicator: str, frame: pd.DataFrame, *, centre: str = "centre_id", year: str = "year",
                           groups: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """For views of outcomes by centre (the Footfall page's site table and trend chart for one site):
    which of each row's figures the outcomes plan hides.

    ``frame`` holds one row per centre and year with ``<prefix>_numerator`` and ``<prefix>_denominator``
    columns, as ``outcomes_by_centre`` returns them. ``groups`` maps each prefix to its group,
    by default {"all": all children, "focus": the indicator's focus group, "reference": its reference
    group}; a prefix the frame lacks is skipped. ``year`` names the frame's column of outcome years.

    Returns a frame on the same index with, for each prefix, three True-where-hidden columns:
    ``<prefix>_numerator`` (children achieving), ``<prefix>_denominator`` (children) and ``<prefix>``
    (the percentage, its interval, and anything else resting on either count, such as a change
    from the year before: hide it where either year's ``<prefix>`` is True). Print each hidden figure
    as ``c``. The same cell is hidden on the Gap page, so all children less the other group no
    longer gives a small group away.
    """
    groups = _default_groups(indicator) if groups is None else groups
    out = pd.DataFrame(index=frame.index)
    for prefix, group in groups.items():
        if f"{prefix}_denominator" not in frame:
            continue
        num, den = hidden_counts(indicator, frame[year].fillna(-1).astype(int).to_numpy(), CENTRE,
                                 frame[centre].astype(str).to_numpy(), group,
                                 frame[f"{prefix}_numerator"].to_numpy(dtype=float),
                                 frame[f"{prefix}_denominator"].to_numpy(dtype=float))
        out[f"{prefix}_numerator"], out[f"{prefix}_denominator"], out[prefix] = num, den, num | den
    return out


def pooled_outcomes_hidden(indicator: str, frame: pd.DataFrame, centre_ids, *, year: str = "year",
                           groups: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """For a figure pooled over several centres (the Footfall page's trend with no site chosen): which
    of each year's pooled figures the plan hides.

    ``frame`` holds one row per year with ``<prefix>_numerator`` and ``<prefix>_denominator`` summed over
    ``centre_ids`` (the centres in view). Answers as ``centre_outcomes_hidden`` does. The plan knows every
    set of centres a combination of the sidebar filters leaves in view; for any other set, a pooled
    figure is hidden unless every centre's own figure is shown (a sum of shown figures tells nothing
    new). A single centre is that centre's own cell.
    """
    groups = _default_groups(indicator) if groups is None else groups
    members = frozenset(str(c) for c in centre_ids)
    plan = outcomes_plan(indicator)
    years = frame[year].fillna(-1).astype(int).to_numpy()
    out = pd.DataFrame(index=frame.index)
    for prefix, group in groups.items():
        if f"{prefix}_denominator" not in frame:
            continue
        numerators = frame[f"{prefix}_numerator"].to_numpy(dtype=float)
        denominators = frame[f"{prefix}_denominator"].to_numpy(dtype=float)
        rows = np.full(len(years), -1, dtype=np.int64)
        unknown_pool = np.zeros(len(years), dtype=bool)
        codes = sorted(members)
        for i, y in enumerate(years):
            # The centres in view with figures that year: the others add nothing to the sum.
            member_rows = plan.rows([y] * len(codes), CENTRE, codes, group)
            present = frozenset(c for c, r in zip(codes, member_rows) if r >= 0)
            if len(present) == 1:
                rows[i] = member_rows[member_rows >= 0][0]
            elif len(present) > 1:
                rows[i] = plan.rows([y], POOL, [present], group)[0]
                # A set of centres the plan does not know: shown only where every centre is.
                unknown_pool[i] = rows[i] < 0 and bool(plan.hidden[member_rows[member_rows >= 0]].any())
        num, den = plan.flags(rows, numerators, denominators)
        num |= unknown_pool
        den |= unknown_pool
        out[f"{prefix}_numerator"], out[f"{prefix}_denominator"], out[prefix] = num, den, num | den
    return out


def _default_groups(indicator: str) -> dict[str, tuple[str, str]]:
    from scrutiny import queries

    rows = queries.run("indicator_list")
    row = rows[rows["indicator"] == indicator]
    if row.empty:
        return {"all": ALL}
    r = row.iloc[0]
    return {"all": ALL, "focus": (str(r["gap_group_type"]), str(r["gap_focus_group"])),
            "reference": (str(r["gap_group_type"]), str(r["gap_reference_group"]))}
