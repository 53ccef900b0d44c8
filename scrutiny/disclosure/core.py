"""The rules every plan follows: the threshold, the primary rule and complementary suppression
over any set of linked cells (see the package's docstring)."""


from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from scrutiny import stats

SUPPRESSED = stats.SUPPRESSED
DEFAULT_THRESHOLD = 5
# Below this a threshold is honoured, but every page and download says the figures are not safe to publish.
SAFE_MINIMUM = 3


# --- The threshold -------------------------------------------------------------------------------

def threshold() -> int:
    """The extract's suppression threshold: the one place pages and topic modules read it from."""
    from scrutiny import queries

    return queries.extract_info().suppression_threshold


def unsafe_threshold_warning(value: int | None = None) -> str:
    """A sentence for every page and download when the threshold is below SAFE_MINIMUM, else ""."""
    value = threshold() if value is None else value
    if value >= SAFE_MINIMUM:
        return ""
    return (f"The extract sets the suppression threshold to {value}, below {SAFE_MINIMUM}: counts of "
            f"{'1 and 2' if value <= 1 else '2'} children are shown, so these figures are not safe to publish.")


def shared_plan(kind: str, folder: str, version: str, arguments: tuple, build):
    """A plan built once for every process: read from the extract's shared answers when another
    process has built it (scrutiny/shared_answers.py), else built here and written there for the others."""
    from scrutiny import queries

    shared = queries.shared_for(folder, version)
    return build() if shared is None else shared.get(("disclosure plan", kind, folder, version, *arguments), build)


# --- The primary rule ----------------------------------------------------------------------------

def primary(values, threshold_value: int) -> np.ndarray:
    """Counts hidden for their own sake: 1 to threshold - 1 (zero stays 0)."""
    return np.asarray(stats.is_small(values, threshold_value), dtype=bool)


# --- The secondary rule over any linked cells --------------------------------------------------------

@dataclass(frozen=True)
class Sums:
    """The sums that link published cells: relation r says total = sum of its parts.

    Stored flat, one row per member: ``relation`` (which sum), ``cell`` (an index into the
    values) and ``is_total``. Build with ``Sums.of``.
    """

    relation: np.ndarray
    cell: np.ndarray
    is_total: np.ndarray

    @staticmethod
    def of(pairs) -> "Sums":
        """From an iterable of (total cell, [part cells])."""
        relation, cell, total = [], [], []
        for r, (t, parts) in enumerate(pairs):
            relation += [r] * (len(parts) + 1)
            cell += [t, *parts]
            total += [True] + [False] * len(parts)
        return Sums(np.asarray(relation, dtype=np.int64), np.asarray(cell, dtype=np.int64),
                    np.asarray(total, dtype=bool))

    @staticmethod
    def concat(parts: list["Sums"]) -> "Sums":
        parts = [p for p in parts if len(p.relation)]
        if not parts:
            return Sums(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
        offset, relations = 0, []
        for p in parts:
            relations.append(p.relation + offset)
            offset += int(p.relation.max()) + 1
        return Sums(np.concatenate(relations), np.concatenate([p.cell for p in parts]),
                    np.concatenate([p.is_total for p in parts]))


def _safe(n_hidden, total_hidden, hidden_parts_sum, threshold_value: int):
    """A sum is safe with no hidden cell, or with two or more whose total is hidden or holds threshold - 1."""
    return (n_hidden == 0) | ((n_hidden >= 2) & (total_hidden | (hidden_parts_sum >= threshold_value - 1)))


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The positions start..end-1 of many ranges, concatenated."""
    lengths = ends - starts
    if not len(lengths) or lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(lengths.sum()) + offsets


def _grouped(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``keys`` grouped by key (in their given order within a key) and where each
    key's run starts: positions of key k are order[start[k]:start[k + 1]]."""
    start = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n_keys), out=start[1:])
    if len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all()):
        return np.arange(len(keys)), start
    if int(keys.max()) < 2 ** 32:
        # Two stable passes over 16-bit halves (numpy sorts those by radix): the same order as a
        # stable sort of the whole keys, in linear time.
        order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
        order = order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]
        return order, start
    return np.argsort(keys, kind="stable"), start


def plan_checked(values, sums: Sums, threshold_value: int, hidden=None, at_most=None, rounds: int = 20) -> np.ndarray:
    """plan_suppression, then the bounds check: while a cell hidden for its own sake is pinned to fewer
    than threshold values by the sums together, one more cell of its sums is hidden and the plan
    made again."""
    values = np.asarray(values, dtype=float)
    secret = primary(values, threshold_value) if hidden is None else np.asarray(hidden, dtype=bool).copy()
    hidden = plan_suppression(values, sums, threshold_value, hidden=secret)
    for _ in range(rounds):
        pinned = np.flatnonzero(secret & pinned_by_bounds(values, sums, hidden, threshold_value, at_most))
        more = one_more_for(values, sums, hidden, pinned)
        if not len(more):
            break
        hidden[more] = True
        hidden = plan_suppression(values, sums, threshold_value, hidden=hidden)
    return hidden


def plan_suppression(values, sums: Sums, threshold_value: int, hidden=None, max_rounds: int = 1000) -> np.ndarray:
    """Which cells to hide: the primary rule (or ``hidden``, when given), then complementary cells.

    A sum is safe when none of its cells is hidden, or two or more are and either its total is
    one of them or the hidden parts together hold at least threshold - 1 (so each hidden part
    could be anything from 0 to threshold - 1 for all the sum tells). An unsafe sum gets more
    hidden parts, the smallest that are not zero first (zero only when nothing else is left),
    until it is safe, or its total when every part is hidden already. Deterministic: ties go to
    the lower cell index.

    Every unsafe sum is dealt with in the same round, all at once, and each round looks only at
    the sums a newly hidden cell belongs to; a sum's candidates are put in order only when it is
    found unsafe, so the cost follows the cells hidden, not the size of the table.
    """
    values = np.asarray(values, dtype=float)
    hidden = primary(values, threshold_value) if hidden is None else np.asarray(hidden, dtype=bool).copy()
    if not len(sums.relation):
        return hidden
    relation, cell, is_total = sums.relation, sums.cell, sums.is_total
    n_relations = int(relation.max()) + 1
    member_value = values[cell]
    is_part = ~is_total
    members_of_relation, relation_start = _grouped(relation, n_relations)
    members_of_cell, cell_start = _grouped(cell, len(values))
    total_of = np.full(n_relations, -1, dtype=np.int64)
    total_of[relation[is_total]] = cell[is_total]

    h = hidden[cell]
    n_hidden = np.bincount(relation[h], minlength=n_relations)
    total_hidden = np.zeros(n_relations, dtype=bool)
    total_hidden[relation[h & is_total]] = True
    hidden_part = h & is_part
    parts_sum = np.bincount(relation[hidden_part], weights=member_value[hidden_part],
                            minlength=n_relations).astype(float)  # (an empty bincount is whole numbers)
    to_check = np.arange(n_relations)
    for _ in range(max_rounds):
        unsafe = to_check[~_safe(n_hidden[to_check], total_hidden[to_check], parts_sum[to_check], threshold_value)]
        if not len(unsafe):
            break
        positions = members_of_relation[_ranges(relation_start[unsafe], relation_start[unsafe + 1])]
        positions = positions[is_part[positions] & ~hidden[cell[positions]]]
        value = member_value[positions]
        # Each sum's candidates in the order they are taken: not zero first, then the smallest,
        # then the lower cell (and, for a cell named twice, its first mention).
        positions = positions[np.lexsort((positions, cell[positions], value, value == 0, relation[positions]))]
        rel = relation[positions]
        value = member_value[positions]
        # Take candidates in order until the sum would be safe: the j-th is taken when the sum is
        # still unsafe with the j before it.
        first_of_relation = np.r_[True, rel[1:] != rel[:-1]] if len(rel) else np.zeros(0, bool)
        group_start = np.maximum.accumulate(np.where(first_of_relation, np.arange(len(rel)), 0)) if len(rel) else rel
        running = np.cumsum(value) - value
        before = running - running[group_start] if len(rel) else value
        rank = np.arange(len(rel)) - group_start
        take = ~_safe(n_hidden[rel] + rank, total_hidden[rel], parts_sum[rel] + before, threshold_value)
        chosen = cell[positions[take]]
        # Unsafe sums with no part left: hide the total.
        with_candidates = np.zeros(n_relations, dtype=bool)
        with_candidates[rel] = True
        totals = total_of[unsafe[~with_candidates[unsafe]]]
        totals = totals[totals >= 0]
        new = np.unique(np.concatenate([chosen, totals]).astype(np.int64))
        new = new[~hidden[new]]
        if not len(new):
            break
        hidden[new] = True
        touched = members_of_cell[_ranges(cell_start[new], cell_start[new + 1])]
        to_check, inverse = np.unique(relation[touched], return_inverse=True)
        n_hidden[to_check] += np.bincount(inverse, minlength=len(to_check))
        total_hidden[to_check] |= np.bincount(inverse, weights=is_total[touched], minlength=len(to_check)) > 0
        parts_sum[to_check] += np.bincount(inverse, weights=np.where(is_part[touched], member_value[touched], 0.0),
                                           minlength=len(to_check))
    return hidden


def pinned_by_bounds(flat, sums: Sums, hidden, threshold_value: int, at_most=None, rounds: int = 50) -> np.ndarray:
    """Hidden cells whose bounds, carried through every sum, span fewer than threshold values.

    Shown cells are known; a hidden one starts anywhere from 0 up. ``at_most`` is an optional pair
    of index arrays (smaller, larger) for cells known to be at most others (those achieving are at
    most the children). The secondary rule looks at one sum at a time; this check carries what one
    sum tells into the next, as an outsider would, though more cheaply than linear programming."""
    lo = np.where(hidden, 0.0, flat)
    hi = np.where(hidden, np.inf, flat)
    relation, cell, is_total = sums.relation, sums.cell, sums.is_total
    if not len(relation):
        return np.zeros(len(flat), dtype=bool)
    n_rel = int(relation.max()) + 1
    part = ~is_total
    total_of = np.full(n_rel, -1, dtype=np.int64)
    total_of[relation[is_total]] = cell[is_total]
    for _ in range(rounds):
        old_lo, old_hi = lo.copy(), hi.copy()
        p_lo, p_hi = lo[cell], hi[cell]
        finite = np.isfinite(p_hi)
        sum_lo = np.bincount(relation, weights=np.where(part, p_lo, 0.0), minlength=n_rel)
        sum_hi = np.bincount(relation, weights=np.where(part & finite, p_hi, 0.0), minlength=n_rel)
        n_inf = np.bincount(relation, weights=(part & ~finite).astype(float), minlength=n_rel)
        t_lo, t_hi = lo[total_of], hi[total_of]
        # The total lies between the sums of its parts' bounds.
        np.maximum.at(lo, total_of, sum_lo)
        np.minimum.at(hi, total_of, np.where(n_inf > 0, np.inf, sum_hi))
        # A part is the total less the others.
        r = relation[part]
        others_inf = n_inf[r] - (~finite[part]).astype(float)
        others_hi = sum_hi[r] - np.where(finite[part], p_hi[part], 0.0)
        others_lo = sum_lo[r] - p_lo[part]
        np.maximum.at(lo, cell[part], np.where(others_inf > 0, 0.0, t_lo[r] - others_hi))
        np.minimum.at(hi, cell[part], t_hi[r] - others_lo)
        if at_most is not None:
            smaller, larger = at_most
            hi[smaller] = np.minimum(hi[smaller], hi[larger])
            lo[larger] = np.maximum(lo[larger], lo[smaller])
        lo = np.maximum(lo, 0.0)
        if np.array_equal(lo, old_lo) and np.array_equal(hi, old_hi):
            break
    return hidden & (hi - lo < threshold_value - 1 - 1e-9)


def one_more_for(flat, sums: Sums, hidden, pinned: np.ndarray) -> np.ndarray:
    """For each pinned cell, one more cell of one of its sums: the smallest shown part that is not zero
    across them (a total where no such part is left). The check runs again after it."""
    chosen = set()
    of_pinned = np.isin(sums.cell, pinned)
    for c in pinned:
        best = None
        for r in np.unique(sums.relation[of_pinned & (sums.cell == c)]):
            members = sums.relation == r
            for m, is_total in zip(sums.cell[members], sums.is_total[members]):
                if hidden[m] or m == c or (not is_total and flat[m] <= 0):
                    continue
                rank = (bool(is_total), flat[m], int(m))
                best = rank if best is None or rank < best else best
        if best is not None:
            chosen.add(best[2])
    return np.array(sorted(chosen), dtype=np.int64)


def _same_shape_sums(totals: np.ndarray, parts: list[np.ndarray]) -> Sums:
    """Many sums of the same shape at once: totals[i] = parts[0][i] + parts[1][i] + ..."""
    totals = np.asarray(totals, dtype=np.int64)
    members = np.column_stack([totals, *[np.asarray(p, dtype=np.int64) for p in parts]]) if len(totals) else \
        np.zeros((0, len(parts) + 1), dtype=np.int64)
    width = members.shape[1]
    is_total = np.zeros_like(members, dtype=bool)
    is_total[:, 0] = True
    relation = np.repeat(np.arange(len(totals)), width)
    return Sums(relation, members.reshape(-1), is_total.reshape(-1))


def finer_units(combos: dict[tuple, dict], dimensions: tuple, unit: Callable = lambda v: v) -> Iterator[tuple]:
    """For every combination of sidebar filters (``combos``: the tuple of filters set -> {their values:
    a unit}) and every filter it leaves free: each unit's finer units, those with that filter set too.
    Yields (filters set, values, the free filter, [finer units]); ``unit`` reads a unit from a combo's value."""
    for pattern, sets in combos.items():
        for dimension in dimensions:
            if dimension in pattern:
                continue
            finer = tuple(d for d in dimensions if d in pattern or d == dimension)
            position = finer.index(dimension)
            children: dict[tuple, list] = {}
            for values, value in combos[finer].items():
                children.setdefault(values[:position] + values[position + 1:], []).append(unit(value))
            for values in sets:
                yield pattern, values, dimension, children.get(values, [])
