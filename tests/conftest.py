"""Fixtures: the tiny hand-made extract (tests/tiny_extract.py) and ways to point the app at an extract."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from tests import tiny_extract


@pytest.fixture(autouse=True)
def debug_mode(monkeypatch):
    """Pages re-raise unexpected errors in tests instead of showing the polite sentence."""
    monkeypatch.setenv("DASHBOARD_DEBUG", "1")


@pytest.fixture(autouse=True)
def answers_in_memory(monkeypatch):
    """Worked-out answers stay in the test process's memory, not shared through the cache folder, so
    a test that changes a function sees it run (tests/test_shared_answers.py turns sharing on)."""
    monkeypatch.setenv("DASHBOARD_SHARE_ANSWERS", "0")


@pytest.fixture(scope="session")
def summaries_cache(tmp_path_factory) -> Path:
    """One cache folder for the prepared summaries of every test's extracts, never the user's own."""
    return tmp_path_factory.mktemp("summaries-cache")


@pytest.fixture(autouse=True)
def own_cache_folder(summaries_cache, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(summaries_cache))


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    """The tiny extract, written once per test run; tests must not change it."""
    return tiny_extract.write_extract(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def tiny(tiny_dir, monkeypatch) -> Path:
    """Points the dashboard (DASHBOARD_DATA_DIR) at the tiny extract for one test."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tiny_dir))
    return tiny_dir


@pytest.fixture
def make_extract(tmp_path, monkeypatch):
    """Builds a variant of the tiny extract and points the dashboard at it.

    make_extract(children=frame) replaces a table; make_extract(feedback=None) leaves it out.
    """
    def build(info: dict | None = tiny_extract.EXTRACT_INFO, **overrides) -> Path:
        folder = tmp_path / "extract"
        tiny_extract.write_extract(folder, overrides, info=info)
        monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
        return folder
    return build


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """oidc-provider-mock on a free loopback port: any subject typed in its form signs in, with that
    subject as the e-mail address."""
    from scrutiny.serve import free_port

    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(log.read_text())
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def pytest_sessionfinish(session, exitstatus):
    """Lets go of the DuckDB connections the app's caches still hold, so that the test process ends
    quietly instead of with DuckDB's binding library listing them as leaked."""
    import gc
    import logging

    import streamlit as st

    # Outside a running app Streamlit notes that it has no runtime; at the very end that is noise.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()


@pytest.fixture
def downloads(monkeypatch):
    """The bytes behind every download button drawn in a test, by file name."""
    saved = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        saved[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return saved
