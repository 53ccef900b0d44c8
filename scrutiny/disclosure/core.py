"""The rules every plan follows: the threshold, the primary rule and complementary suppression
over any set of linked cells (see the package's docstring)."""


from __future__ import annotations

from dataclasses import dataclass

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


def plan_suppression(values, sums: Sums, threshold_value: int, hidden=None, max_rounds: int = 1000) -> np.ndarray:
    """Which cells to hide: the primary rule (or ``hidden``, when given), then complementary cells.

    A sum is safe when none of its cells is hidden, or two or more are and either its total is
    one of them or the hidden parts together hold at least threshold - 1 (so each hidden part
    could be anything from 0 to threshold - 1 for all the sum tells). An unsafe sum gets more
    hidden parts, the smallest that are not zero first (zero only when nothing else is left),
    until it is safe, or its total when every part is hidden already. Each round looks only at
    the sums a newly hidden cell belongs to. Deterministic: ties go to the lower cell index.
    """
    values = np.asarray(values, dtype=float)
    hidden = primary(values, threshold_value) if hidden is None else np.asarray(hidden, dtype=bool).copy()
    if not len(sums.relation):
        return hidden
    n_relations = int(sums.relation.max()) + 1
    member_value = values[sums.cell]
    is_part = ~sums.is_total
    # Members by relation, each relation's candidates in the order they are taken.
    by_relation = np.lexsort((sums.cell, member_value, member_value == 0, sums.is_total, sums.relation))
    relation_sorted = sums.relation[by_relation]
    relation_start = np.searchsorted(relation_sorted, np.arange(n_relations))
    relation_end = np.searchsorted(relation_sorted, np.arange(n_relations), side="right")
    # Members by cell, to find the sums a newly hidden cell belongs to.
    by_cell = np.argsort(sums.cell, kind="stable")
    cell_sorted = sums.cell[by_cell]

    total_of = np.full(n_relations, -1, dtype=np.int64)
    total_of[sums.relation[sums.is_total]] = sums.cell[sums.is_total]

    h = hidden[sums.cell]
    n_hidden = np.bincount(sums.relation, weights=h, minlength=n_relations)
    total_hidden = np.bincount(sums.relation, weights=h & sums.is_total, minlength=n_relations) > 0
    parts_sum = np.bincount(sums.relation, weights=np.where(h & is_part, member_value, 0.0), minlength=n_relations)
    to_check = np.arange(n_relations)
    for _ in range(max_rounds):
        unsafe = to_check[~_safe(n_hidden[to_check], total_hidden[to_check], parts_sum[to_check], threshold_value)]
        if not len(unsafe):
            break
        positions = by_relation[_ranges(relation_start[unsafe], relation_end[unsafe])]
        candidate = ~hidden[sums.cell[positions]] & is_part[positions]
        positions = positions[candidate]
        rel = sums.relation[positions]
        # Take candidates in order until the sum would be safe: the j-th is taken when the sum is
        # still unsafe with the j before it.
        first_of_relation = np.r_[True, rel[1:] != rel[:-1]] if len(rel) else np.zeros(0, bool)
        group_start = np.maximum.accumulate(np.where(first_of_relation, np.arange(len(rel)), 0)) if len(rel) else rel
        value = member_value[positions]
        running = np.cumsum(value) - value
        before = running - running[group_start] if len(rel) else value
        rank = np.arange(len(rel)) - group_start
        take = ~_safe(n_hidden[rel] + rank, total_hidden[rel], parts_sum[rel] + before, threshold_value)
        chosen = sums.cell[positions[take]]
        # Unsafe sums with no part left: hide the total.
        with_candidates = np.zeros(n_relations, dtype=bool)
        with_candidates[rel] = True
        bare = unsafe[~with_candidates[unsafe]]
        totals = total_of[bare]
        totals = totals[totals >= 0]
        new = np.unique(np.concatenate([chosen, totals]).astype(np.int64))
        new = new[~hidden[new]]
        if not len(new):
            break
        hidden[new] = True
        touched = by_cell[_ranges(np.searchsorted(cell_sorted, new), np.searchsorted(cell_sorted, new, side="right"))]
        touched_relation = sums.relation[touched]
        np.add.at(n_hidden, touched_relation, 1)
        np.logical_or.at(total_hidden, touched_relation, sums.is_total[touched])
        np.add.at(parts_sum, touched_relation, np.where(is_part[touched], member_value[touched], 0.0))
        to_check = np.unique(touched_relation)
    return hidden


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
