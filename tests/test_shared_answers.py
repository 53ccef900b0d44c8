"""Worked-out answers shared by every process through the cache folder (scrutiny/shared_answers.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from scrutiny import queries, shared_answers
from scrutiny.filters import Filters
from scrutiny.shared_answers import SharedAnswers, key_bytes
from tests.helpers import REPO_ROOT

# One page run in a fresh process, as a second server process behind the proxy would make it.
PAGE_RUN = """
import json, sys
from tests.helpers import open_app, errors, texts
from scrutiny import queries
at = open_app(sys.argv[1])
shared = queries.shared_for(*queries.extract_version())
print("RUN " + json.dumps({"read": shared.read, "written": shared.written, "errors": errors(at),
                           "texts": texts(at), "folder": str(shared.folder)}))
"""


def page_run(page: str, extract: Path, cache: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", PAGE_RUN, page], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT), DASHBOARD_DATA_DIR=str(extract),
                                                DASHBOARD_CACHE_DIR=str(cache), DASHBOARD_SHARE_ANSWERS="1"))
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.split("RUN ", 1)[1]), "log": done.stderr}


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_a_second_process_reads_the_figures_the_first_worked_out(make_extract, tmp_path):
    extract, cache = make_extract(), tmp_path / "cache"
    before = files_of(extract)
    first = page_run("pages/overview.py", extract, cache)
    second = page_run("pages/overview.py", extract, cache)
    assert first["errors"] == second["errors"] == []
    assert first["written"] > 0 and first["read"] == 0
    # The second process works nothing out that the first already had: it reads, and writes nothing.
    assert second["read"] > 0 and second["written"] == 0
    assert second["texts"] == first["texts"]
    # Beside the prepared summaries, never in the extract, which is left exactly as it was.
    assert Path(second["folder"]).parent.name.endswith(".duckdb.kept")
    assert Path(second["folder"]).is_relative_to(cache)
    assert files_of(extract) == before

    # A damaged answer is said in the log and worked out afresh; the page is the same.
    for path in Path(second["folder"]).glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    third = page_run("pages/overview.py", extract, cache)
    assert "could not be read" in third["log"] and "it is worked out afresh" in third["log"]
    assert third["texts"] == first["texts"] and third["written"] > 0


def test_a_new_version_of_the_extract_gets_new_answers_and_the_old_go(make_extract, tmp_path):
    from tests import tiny_extract

    extract, cache = make_extract(), tmp_path / "cache"
    first = page_run("pages/reach.py", extract, cache)
    info = dict(tiny_extract.EXTRACT_INFO, suppression_threshold=10)
    (extract / "extract.json").write_text(json.dumps(info, default=str))
    again = page_run("pages/reach.py", extract, cache)
    assert again["folder"] != first["folder"] and again["read"] == 0 and again["written"] > 0
    assert not Path(first["folder"]).exists()


def test_two_processes_asking_at_once_work_an_answer_out_once(tmp_path):
    # Each process asks for the same answer, which takes a second to work out; the one that gets
    # the lock first works it out, the other waits and reads it.
    script = (
        "import sys, time; from pathlib import Path; from scrutiny.shared_answers import SharedAnswers\n"
        "made = Path(sys.argv[2])\n"
        "def make():\n"
        "    with made.open('a') as f: f.write('made\\n')\n"
        "    time.sleep(1)\n"
        "    return {'reached': 42}\n"
        "print(SharedAnswers(Path(sys.argv[1])).get(('answer', 'reach', 2023), make))\n")
    folder, made = tmp_path / "answers", tmp_path / "made.txt"
    both = [subprocess.Popen([sys.executable, "-c", script, str(folder), str(made)], cwd=REPO_ROOT, text=True,
                             stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
            for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].strip() for p in both]
    assert outputs == ["{'reached': 42}", "{'reached': 42}"]
    assert made.read_text().splitlines() == ["made"]


def test_a_folder_that_cannot_be_written_keeps_answers_in_memory(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file where the folder should be: not even root can make a folder in it
    shared = SharedAnswers(blocker / "answers")
    made = []
    with caplog.at_level(logging.WARNING):
        assert shared.get(("k",), lambda: made.append(1) or 7) == 7
        assert shared.get(("k",), lambda: made.append(1) or 7) == 7
    assert made == [1, 1] and shared.written == 0
    assert "could not be kept in" in shared.note and "each copy of the dashboard works them out" in caplog.text


def test_the_app_works_when_the_answers_folder_cannot_be_made(tiny, monkeypatch, tmp_path):
    from tests.helpers import errors, open_app, texts

    import streamlit as st

    monkeypatch.setenv("DASHBOARD_SHARE_ANSWERS", "1")
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_resource.clear()  # what earlier tests worked out in this process (and its connection) goes
    try:
        summaries = queries.current_extract().summaries.path
        summaries.with_name(summaries.name + shared_answers.SUFFIX).write_text("")  # a file, not a folder
        at = open_app("pages/reach.py")
        assert not errors(at) and "Reach" in texts(at)
        shared = queries.shared_for(*queries.extract_version())
        assert shared.written == 0 and shared.note is not None
    finally:
        st.cache_resource.clear()
        shared_answers._SHARED.clear()


def test_an_answer_is_shared_only_under_a_key_every_process_spells_the_same_way():
    filters = Filters(year=2023)
    assert key_bytes(("answer", "gap", filters)) == key_bytes(("answer", "gap", Filters(year=2023)))
    assert key_bytes(("answer", "gap", filters)) != key_bytes(("answer", "gap", Filters(year=2022)))
    assert key_bytes(frozenset({"b", "a", "c"})) == key_bytes(frozenset({"c", "a", "b"}))
    assert key_bytes((1, date(2024, 3, 31))) != key_bytes(("1", "2024-03-31"))
    # An object known only by its place in memory is not shared.
    assert key_bytes(("answer", object())) is None


def test_an_answer_too_big_or_that_cannot_be_pickled_stays_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(shared_answers, "MAX_BYTES", 1000)
    shared = SharedAnswers(tmp_path / "answers")
    assert shared.get(("big",), lambda: "x" * 5000) == "x" * 5000
    assert shared.get(("lambda",), lambda: (lambda: 1))() == 1
    assert shared.get(("small",), lambda: "x") == "x"
    assert shared.written == 1 and len(list((tmp_path / "answers").glob("*.pickle"))) == 1
    started = time.perf_counter()
    assert SharedAnswers(tmp_path / "answers").get(("small",), lambda: pytest.fail("it was written")) == "x"
    assert time.perf_counter() - started < 5
