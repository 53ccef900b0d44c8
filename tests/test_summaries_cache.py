"""The per-child summaries kept on disk once per extract version, for every process (scrutiny/summaries.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from scrutiny import queries, summaries
from scrutiny.extract import _fingerprint, open_extract
from tests.helpers import REPO_ROOT, open_app, texts


def cache_file_of(folder: Path) -> Path:
    folder = folder.resolve()
    return summaries.cache_file(folder, _fingerprint(folder), summaries.sources())


def k1_in_2023(extract) -> int:
    """K1's attendances in 2023-24: three in the tiny extract (see test_derived)."""
    return extract.connection.cursor().execute(
        "select attendances from child_year_attendances where child_id = 'K1' and year = 2023").fetchone()[0]


def opened(folder: Path):
    extract = open_extract(folder)
    try:
        return extract.summaries, k1_in_2023(extract)
    finally:
        extract.connection.close()


def test_the_first_opening_prepares_the_file_and_the_next_reads_it(make_extract, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_extract()
    first, first_k1 = opened(folder)
    again, again_k1 = opened(folder)
    assert (first.built, first.path) == (True, cache_file_of(folder))
    assert (again.built, again.path) == (False, cache_file_of(folder))
    assert first_k1 == again_k1 == 3
    assert first.note is None and first.failed == {}
    # Outside the extract: the extract's folder holds only what the council put there.
    assert not any(p.suffix == ".duckdb" for p in folder.rglob("*"))


def test_the_prepared_file_is_opened_read_only(make_extract, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_extract()
    opened(folder)
    extract = open_extract(folder)
    try:
        assert extract.connection.execute(
            "select readonly from duckdb_databases() where database_name = 'summaries'").fetchone() == (True,)
    finally:
        extract.connection.close()


def test_a_new_extract_gets_new_summaries_and_the_old_file_goes(make_extract, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_extract()
    opened(folder)
    old = cache_file_of(folder)
    centres = folder / "centres.parquet"
    os.utime(centres, ns=(centres.stat().st_atime_ns, centres.stat().st_mtime_ns + 10**9))
    with caplog.at_level(logging.WARNING, logger="scrutiny.summaries"):
        made, k1 = opened(folder)
    assert made.built and made.path != old and k1 == 3
    assert not old.exists()
    assert "has changed since its summaries were prepared" in caplog.text


def test_a_change_to_a_summarys_sql_gives_another_file(tiny):
    folder = tiny.resolve()
    texts_now = summaries.sources()
    changed = dict(texts_now, reach_children=texts_now["reach_children"] + "\n-- a changed comment")
    assert summaries.cache_file(folder, "v1", texts_now) != summaries.cache_file(folder, "v1", changed)
    assert summaries.cache_file(folder, "v1", texts_now) != summaries.cache_file(folder, "v2", texts_now)
    assert summaries.cache_file(folder, "v1", texts_now) == summaries.cache_file(folder, "v1", dict(texts_now))


def test_a_damaged_file_is_said_in_the_log_and_prepared_afresh(make_extract, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_extract()
    opened(folder)
    path = cache_file_of(folder)
    path.write_bytes(b"not a database" * 1000)
    with caplog.at_level(logging.WARNING, logger="scrutiny.summaries"):
        made, k1 = opened(folder)
    assert made.built and made.path == path and k1 == 3
    assert f"The prepared summaries in {path} could not be opened" in caplog.text
    assert opened(folder)[0].built is False


def test_a_file_missing_a_summary_is_prepared_afresh(make_extract, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = make_extract()
    opened(folder)
    path = cache_file_of(folder)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table child_year_attendances")
    with caplog.at_level(logging.WARNING, logger="scrutiny.summaries"):
        made, k1 = opened(folder)
    assert made.built and k1 == 3
    assert "are damaged or incomplete" in caplog.text


def test_a_cache_folder_that_cannot_be_written_works_from_memory_and_says_so(tiny, tmp_path, monkeypatch):
    # A file where the folder should be: no user, not even root, can make a folder inside it.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(blocker / "cache"))
    made, k1 = opened(tiny)
    assert made.path is None and made.built and k1 == 3
    assert made.note.startswith(f"The summaries of the extract could not be kept in the cache folder {blocker / 'cache'}")
    queries._opened.clear()  # the app's own connection to the tiny extract, opened with the cache, goes
    try:
        at = open_app("pages/data.py")
        assert not at.exception
        assert "could not be kept in the cache folder" in texts(at)
        assert "DASHBOARD_CACHE_DIR" in texts(at)
    finally:
        queries._opened.clear()


def _prepare(folder: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scrutiny.prepare", str(folder), "--cache-dir", str(cache)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    )


def test_two_processes_preparing_at_once_one_builds_and_the_other_waits(make_extract, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(cache))
    folder = make_extract()
    path = cache_file_of(folder)
    cache.mkdir()
    # Holding the lock as a third party makes both start while neither can build yet.
    with FileLock(str(path) + ".lock"):
        both = [_prepare(folder, cache), _prepare(folder, cache)]
        time.sleep(3)  # long enough for both to start and reach the lock
        assert [p.poll() for p in both] == [None, None]
        assert not path.exists()
    outputs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    said = sorted(out.split(" ", 1)[0] for out, _ in outputs)
    assert said == ["Already", "Prepared"], outputs
    assert not list(cache.glob("*.building"))
    made, k1 = opened(folder)
    assert (made.built, made.path, k1) == (False, path, 3)


def test_the_validation_report_is_kept_beside_the_summaries_for_later_processes(make_extract, tmp_path, monkeypatch):
    import json

    import streamlit as st

    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    make_extract(centres=None)
    st.cache_resource.clear()
    found = queries.problems()
    assert "The centres table is missing: the extract has no centres.parquet file or centres/ folder." in [
        p.message for p in found]
    [kept] = (tmp_path / "cache").glob("*.problems-*.json")
    # A later process (here: the resource caches cleared) reads the report instead of checking again.
    rows = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps(rows + [dict(rows[0], message="Read from the kept report.")]), encoding="utf-8")
    st.cache_resource.clear()
    assert queries.problems()[-1].message == "Read from the kept report."
    # A damaged report is checked afresh.
    kept.write_text("{not json", encoding="utf-8")
    st.cache_resource.clear()
    assert [p.message for p in queries.problems()] == [p.message for p in found]
    st.cache_resource.clear()
