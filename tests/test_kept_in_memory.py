"""Answers kept in the server's memory as they are (queries.KeptInMemory), instead of pickled by st.cache_data."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from scrutiny import queries
from scrutiny.queries import KeptInMemory, _copy_of, _key_of


def frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"n": range(rows)}, dtype="int64")


def test_an_answer_is_worked_out_once_and_then_given_back_as_it_is():
    kept, made = KeptInMemory(10**6), []
    first = kept.get("k", lambda: made.append(1) or frame(3))
    again = kept.get("k", lambda: made.append(1) or frame(3))
    assert made == [1] and again is first


def test_the_least_recently_used_go_first_past_the_size():
    # Each frame of 1,000 int64 rows takes 8,000 bytes plus its index (132 bytes for a range index).
    kept = KeptInMemory(20_000)
    kept.get("a", lambda: frame(1000))
    kept.get("b", lambda: frame(1000))
    kept.get("a", lambda: pytest.fail("a is still kept"))   # a is now the most recently used
    kept.get("c", lambda: frame(1000))                      # past 20,000 bytes: b goes, not a
    remade = []
    kept.get("a", lambda: pytest.fail("a is still kept"))
    kept.get("b", lambda: remade.append("b") or frame(1000))
    assert remade == ["b"]


def test_an_error_is_not_kept():
    kept, tries = KeptInMemory(10**6), []

    def failing():
        tries.append(1)
        raise queries.QueryError("no")

    for _ in range(2):
        with pytest.raises(queries.QueryError):
            kept.get("k", failing)
    assert len(tries) == 2


def test_sessions_asking_at_once_wait_for_one_answer():
    kept, made, answers = KeptInMemory(10**6), [], []

    def slow():
        made.append(1)
        time.sleep(0.3)
        return frame(2)

    threads = [threading.Thread(target=lambda: answers.append(kept.get("k", slow))) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == [1] and len(answers) == 5 and all(a is answers[0] for a in answers)


def test_a_copy_can_be_changed_without_changing_what_is_kept():
    kept = {"table": frame(2), "words": ["a"], "pair": (frame(1), 3)}
    copied = _copy_of(kept)
    copied["table"].loc[0, "n"] = 99
    copied["words"].append("b")
    copied["pair"][0].loc[0, "n"] = 99
    assert kept["table"].n.tolist() == [0, 1] and kept["words"] == ["a"] and kept["pair"][0].n.tolist() == [0]


def test_keys_of_lists_and_dictionaries_are_plain_values():
    assert _key_of(("q", [1, 2], {"b": 1, "a": [3]})) == _key_of(("q", [1, 2], {"a": [3], "b": 1}))
    assert _key_of([1, 2]) != _key_of((1, 2))
    assert _key_of({"a": 1}) != _key_of({"a": 2})
    # A frame (not a query's result) is keyed on its contents.
    assert _key_of(frame(3)) == _key_of(frame(3)) != _key_of(frame(4))


def test_clearing_streamlits_resource_caches_clears_the_kept_results(tiny):
    import streamlit as st

    queries.run("financial_years")
    assert queries._kept_results()._answers
    st.cache_resource.clear()
    assert not queries._kept_results()._answers


def test_a_section_is_copied_field_by_field_and_its_frozen_blocks_are_shared():
    # An evidence section is given its quotes after it is kept: the copy's list of blocks is its own,
    # while its blocks (frozen), their tables and charts are shared, not pickled again on every run.
    import plotly.graph_objects as go

    from scrutiny import evidence

    table = evidence.Table("Reach by centre", frame(2))
    chart = evidence.Chart("Reach", go.Figure(go.Bar(x=["A"], y=[1])), "A reached 1.")
    kept = evidence.Section("reach", "Reach", [table, chart], ["reach_by_area"])
    copied = _copy_of(kept)
    copied.blocks.append("A quote.")
    copied.sources.append("feedback")
    assert kept.blocks == [table, chart] and kept.sources == ["reach_by_area"]
    assert copied.blocks[0] is table and copied.blocks[1].figure is chart.figure
