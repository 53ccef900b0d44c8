"""The named-query runner: names, parameters, caching and what happens when the engine fails."""

import threading

import duckdb
import pytest

from scrutiny import queries
from scrutiny.queries import QueryError, run

NO_FILTERS = dict(district=None, cluster=None, lead_agency=None, site_type=None)


@pytest.mark.parametrize("name", ["reach_by_centre; drop table x", "../secrets", "no_such_query"])
def test_only_named_queries_run(tiny, name):
    with pytest.raises(QueryError):
        run(name)


def test_parameters_must_match_the_query(tiny):
    with pytest.raises(QueryError, match=r"missing \['sustained_min'\]"):
        run("reach_by_centre", year=2023, **NO_FILTERS)
    with pytest.raises(QueryError, match=r"unexpected \['centre'\]"):
        run("reach_by_centre", year=2023, sustained_min=3, centre="C1", **NO_FILTERS)


def test_a_result_is_a_copy_the_page_may_change(tiny):
    first = run("financial_years")
    first.loc[:, "label"] = "changed"
    assert "changed" not in set(run("financial_years").label)


def test_an_engine_fault_gives_a_sentence_and_a_fresh_connection(tiny, monkeypatch):
    # DuckDB marks a database invalid after an internal fault; every later query on that
    # connection would fail. The runner must drop the connection so the next run reopens it.
    real = queries._opened(str(tiny), queries.data_version(tiny))
    queries._run_cached.clear()

    class FaultyCursor:
        def execute(self, *args):
            raise duckdb.FatalException("FATAL Error: database has been invalidated")

        def close(self):
            pass

    monkeypatch.setattr(real, "connection", type("Broken", (), {"cursor": lambda self: FaultyCursor()})())
    with pytest.raises(QueryError, match="failed inside the database engine"):
        run("financial_years")
    queries._run_cached.clear()
    fresh = queries._opened(str(tiny), queries.data_version(tiny))
    assert fresh is not real
    assert list(run("financial_years").year) == [2023, 2022]


def test_derived_from_keeps_answers_for_query_results_only(tiny):
    calls = []

    @queries.derived_from
    def total_population(frame, group):
        calls.append(group)
        return frame[frame.target_group == group][["population"]].sum().to_frame().T

    rows = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)
    # C1 15 + C2 9 + C3 2 = 26 under-fives; worked out once, then kept for the same query and arguments.
    assert int(total_population(rows, "all").population.iloc[0]) == 26
    again = run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)
    assert int(total_population(again, "all").population.iloc[0]) == 26
    assert calls == ["all"]
    # Other arguments, another query's parameters, or a changed copy: worked out afresh.
    total_population(again, "teenage_parent")
    total_population(run("reach_by_centre", year=2022, sustained_min=3, **NO_FILTERS), "all")
    c1_only = again[again.centre_id == "C1"]
    assert int(total_population(c1_only, "all").population.iloc[0]) == 15
    assert calls == ["all", "teenage_parent", "all", "all"]


def test_derived_from_chains_through_unchanged_answers(tiny):
    calls = []

    @queries.derived_from
    def by_group(frame):
        calls.append("by_group")
        return frame.groupby("target_group", as_index=False)[["population", "reached"]].sum()

    @queries.derived_from
    def reach_all(frame):
        calls.append("reach_all")
        row = frame[frame.target_group == "all"].iloc[0]
        return row.reached / row.population

    for _ in range(2):
        # 5 of 26 under-fives reached in 2023-24 (C1 3, C2 2, C3 0).
        assert reach_all(by_group(run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS))) == pytest.approx(5 / 26)
    assert calls == ["by_group", "reach_all"]


def test_a_second_frame_argument_is_keyed_on_what_it_was_worked_out_from(tiny):
    calls = []

    @queries.derived_from
    def reached_where(frame, other):
        calls.append(len(calls))
        return int(frame[frame.target_group == "all"].reached.sum()), int(other[other.target_group == "all"].reached.sum())

    def centre_rows(year):
        return run("reach_by_centre", year=year, sustained_min=3, **NO_FILTERS)

    # 2023-24: C1 3 and C2 2 reached; 2022-23 has its own figures.
    this_year = reached_where(centre_rows(2023), centre_rows(2023))
    assert this_year == (5, 5)
    # The same results again (new copies of them): the kept answer, without hashing their contents.
    assert reached_where(centre_rows(2023), centre_rows(2023)) == this_year and len(calls) == 1
    # Another result as the second argument is another answer...
    reached_where(centre_rows(2023), centre_rows(2022))
    assert len(calls) == 2
    # ...and a hand-made frame (known to no query) is hashed as before, not mistaken for one.
    hand_made = centre_rows(2023).iloc[0:0].copy()
    assert reached_where(centre_rows(2023), hand_made) == (5, 0) and len(calls) == 3


def test_kept_works_out_once_per_arguments_and_extract(tiny, make_extract):
    from tests import tiny_extract

    calls = []

    @queries.kept
    def reached_in(year, group="all"):
        calls.append((year, group))
        rows = run("reach_by_centre", year=year, sustained_min=3, **NO_FILTERS)
        return int(rows[rows.target_group == group].reached.sum())

    # 5 children reached in 2023-24 (C1 3, C2 2, C3 0): worked out once, then kept.
    assert reached_in(2023) == 5
    assert reached_in(2023) == 5
    assert calls == [(2023, "all")]
    # Other arguments are other answers.
    reached_in(2023, group="teenage_parent")
    reached_in(2022)
    assert calls == [(2023, "all"), (2023, "teenage_parent"), (2022, "all")]
    # Another extract (another version) is worked out afresh.
    make_extract(attendances=tiny_extract.tables()["attendances"].iloc[0:0])
    assert reached_in(2023) == 0
    assert calls[-1] == (2023, "all") and len(calls) == 4


def test_kept_answers_are_copies_and_feed_derived_from(tiny):
    calls = []

    @queries.kept
    def centre_rows(year):
        return run("reach_by_centre", year=year, sustained_min=3, **NO_FILTERS)

    @queries.derived_from
    def population(frame):
        calls.append("population")
        return int(frame[frame.target_group == "all"].population.sum())

    first = centre_rows(2023)
    first.loc[:, "population"] = -1  # a caller changing its copy changes nobody else's
    assert population(centre_rows(2023)) == 26
    assert population(centre_rows(2023)) == 26
    assert calls == ["population"]


def test_derived_from_is_safe_with_many_sessions_at_once(tiny):
    # Each Streamlit session runs its script in its own thread; they all share the registry.
    @queries.derived_from
    def reached(frame):
        return int(frame[frame.target_group == "all"].reached.sum())

    answers, failures = [], []

    def session():
        try:
            for _ in range(40):
                answers.append(reached(run("reach_by_centre", year=2023, sustained_min=3, **NO_FILTERS)))
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            failures.append(repr(error))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert set(answers) == {5} and len(answers) == 320


def test_drawn_once_draws_once_per_section_arguments_and_extract(tiny, make_extract):
    from scrutiny import ui
    from tests import tiny_extract

    drawn = []

    @ui.drawn_once
    def first(year):
        drawn.append(("first", year))

    @ui.drawn_once
    def second(year):
        drawn.append(("second", year))

    first(2023)
    first(2023)
    # Another section with the same arguments is its own section; other arguments draw afresh.
    second(2023)
    first(2022)
    assert drawn == [("first", 2023), ("second", 2023), ("first", 2022)]
    # A new extract (another version) draws afresh too.
    make_extract(attendances=tiny_extract.tables()["attendances"].iloc[0:0])
    first(2023)
    assert drawn[-1] == ("first", 2023) and len(drawn) == 4


def test_at_most_two_pages_run_at_once_and_the_others_queue():
    from contextlib import ExitStack

    from scrutiny import ui

    assert ui.PAGES_AT_ONCE == 2
    got_in = threading.Event()

    def third_page():
        with ui.page_turn():
            got_in.set()

    with ExitStack() as two_pages:
        two_pages.enter_context(ui.page_turn())
        two_pages.enter_context(ui.page_turn())
        waiting = threading.Thread(target=third_page)
        waiting.start()
        # While two pages run, the third waits for its turn...
        assert not got_in.wait(timeout=0.3)
    # ...and runs as soon as one of them ends.
    assert got_in.wait(timeout=10)
    waiting.join(timeout=10)
    # Every turn is given back, also when a page stops with an exception (st.stop, st.rerun, a bug).
    with pytest.raises(RuntimeError):
        with ui.page_turn():
            raise RuntimeError("a page that fails")
    assert ui._PAGE_TURNS.acquire(timeout=5) and ui._PAGE_TURNS.acquire(timeout=5)
    ui._PAGE_TURNS.release()
    ui._PAGE_TURNS.release()


def test_a_page_that_waits_too_long_runs_anyway_and_gives_back_no_turn(monkeypatch):
    from contextlib import ExitStack

    from scrutiny import ui

    monkeypatch.setattr(ui, "LONGEST_WAIT_SECONDS", 0.2)
    with ExitStack() as two_slow_pages:
        two_slow_pages.enter_context(ui.page_turn())
        two_slow_pages.enter_context(ui.page_turn())
        ran = threading.Event()

        def third_page():
            with ui.page_turn():
                ran.set()

        waiting = threading.Thread(target=third_page)
        waiting.start()
        # The third page runs after the longest wait, while the two slow ones still hold their turns.
        assert ran.wait(timeout=10)
        waiting.join(timeout=10)
        assert not ui._PAGE_TURNS.acquire(blocking=False)  # it gave back no turn it never had
    # The two slow pages' turns are back: two more pages can start.
    assert ui._PAGE_TURNS.acquire(timeout=5) and ui._PAGE_TURNS.acquire(timeout=5)
    ui._PAGE_TURNS.release()
    ui._PAGE_TURNS.release()


def test_a_link_switched_to_a_new_extract_is_followed_within_seconds(tmp_path, monkeypatch):
    from scrutiny import extract

    old, new, current = tmp_path / "extract_2024", tmp_path / "extract_2025", tmp_path / "current"
    old.mkdir(), new.mkdir()
    current.symlink_to(old)
    clock = [1000.0]
    monkeypatch.setattr(extract.time, "monotonic", lambda: clock[0])
    monkeypatch.setenv(extract.DATA_DIR_VARIABLE, str(current))
    assert extract.data_dir() == old
    current.unlink()
    current.symlink_to(new)
    # Within the two seconds a page run reuses the folder it resolved...
    clock[0] += 1.0
    assert extract.data_dir() == old
    # ...and after them the new extract is in use.
    clock[0] += 1.5
    assert extract.data_dir() == new
