"""The complementary-suppression rule as first written, before it was made fast: kept so that
tests can check that ``scrutiny.disclosure.plan_suppression`` still hides exactly the same cells
(same rule, same tie-breaking) on any sums."""

from __future__ import annotations

import numpy as np

from scrutiny.disclosure.core import Sums, _ranges, _safe, primary


def reference_plan_suppression(values, sums: Sums, threshold_value: int, hidden=None, max_rounds: int = 1000) -> np.ndarray:
    """The plan as first written (one ordering of every sum's members up front), kept to check that
    the faster ``plan_suppression`` hides exactly the same cells.

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
