"""Each named query's header says which pages use it, worked out from the code (scrutiny/query_use.py),
so the path from a figure on screen to its SQL is written down and cannot go stale."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from scrutiny import query_use, queries
from tests.e2e.registry import registered_pages
from tests.helpers import DASHBOARD


@pytest.fixture(scope="module")
def use() -> query_use.QueryUse:
    return query_use.query_use()


@pytest.mark.parametrize("path", query_use.query_files(), ids=lambda p: p.stem)
def test_every_query_header_says_where_it_is_used(path, use):
    assert path.read_text(encoding="utf-8") == query_use.with_used_by(path, use), (
        f"The header of queries/{path.relative_to(query_use.QUERY_DIR).as_posix()} does not say where the code uses it "
        "now: run python -m scrutiny.docs")


def test_every_named_query_is_used_on_a_page(use):
    """A query no page reaches is either dead or called in a way the scan cannot see (its name in a variable)."""
    unused = [name for name in queries.query_names() if not query_use.pages_using(name, use)]
    assert not unused, f"no page runs {unused}: call queries.run with the query's name written out"


def test_known_uses(use):
    # Worked out by reading the code: the sidebar's choices come from filter_options; only the
    # Reach page and the evidence pack (its reach chart of every group) ask for the extract's target
    # groups; About the data runs no named query.
    assert query_use.pages_using("filter_options", use) == ["dashboard.py"]
    assert query_use.pages_using("target_groups", use) == ["pages/reach.py", "pages/evidence.py"]
    assert use.pages["pages/data.py"] == []
    assert "scrutiny/topics/reach/figures.py" in use.run_from["reach_by_area"]
    assert query_use.derived_readers("reach_children") == ["reach_by_area", "reach_by_centre", "reach_by_quarter"]


def test_the_used_by_lines_are_replaced_not_added(tmp_path, use):
    sql = tmp_path / "target_groups.sql"
    sql.write_text("-- target_groups: codes.\n--\n-- Used on: Gap (pages/gap.py).\n-- Run from: nowhere.\nselect 1\n",
                   encoding="utf-8")
    assert query_use.with_used_by(sql, use) == (
        "-- target_groups: codes.\n--\n-- Used on: Reach (pages/reach.py); Evidence pack (pages/evidence.py).\n"
        "-- Run from: scrutiny/topics/reach/figures.py.\nselect 1\n")


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The names of the queries run from now on, with every kept result let go first: a page whose
    answers an earlier test left in the caches would otherwise run no query at all."""
    st.cache_data.clear()
    st.cache_resource.clear()  # the kept query results and figures (queries.KeptInMemory) live there
    names, cached = [], queries._run_cached

    def recorded(name, *args, **kwargs):
        names.append(name)
        return cached(name, *args, **kwargs)

    monkeypatch.setattr(queries, "_run_cached", recorded)
    return names


@pytest.mark.parametrize("page", registered_pages(), ids=str)
def test_a_page_runs_no_query_missing_from_its_list(tiny, runs, page, use):
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.run()
    if not page.default:
        runs.clear()
        at.switch_page(page.script).run()
    assert not at.exception
    listed = set(use.pages[page.script]) | set(use.pages[query_use.ENTRY])
    assert set(runs) <= listed, f"{page.script} ran {sorted(set(runs) - listed)}, which the scan of the code missed"
    assert runs or page.script == "pages/data.py"
