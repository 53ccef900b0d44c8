"""End-to-end harness: the real app (`streamlit run dashboard.py`) in a real headless Chromium.

The server runs on a free loopback port against the tiny hand-made extract
(written into a temporary folder), or against E2E_DATA_DIR when that is set.
The pages under test are read from dashboard.py's st.Page(...) calls, so a page
added there is covered without touching these tests.

The browser is CHROMIUM_PATH, /usr/bin/chromium or Playwright's own build. When
none exists the tests are skipped with a loud message, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import tiny_extract
from tests.e2e import server as streamlit_server
from tests.e2e.registry import PAGES, Page  # noqa: F401  (PAGES is imported by the tests)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGE_SECONDS = 45

# Streamlit's frontend marks its root element with the script's state; a page has
# finished when the state is notRunning and no loading skeleton is left.
READY = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
    && !!document.querySelector('[data-testid="stMain"] h1');
}"""
EXCEPTION = '[data-testid="stException"]'


def chromium_path() -> str | None:
    """CHROMIUM_PATH, Debian's /usr/bin/chromium, or the browser Playwright downloaded, if any."""
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = p.chromium.executable_path
        if own and Path(own).is_file():
            return own
    except Exception:  # no Playwright browser downloaded: not an error here
        pass
    return None


@dataclass
class Server:
    base: str
    data_dir: Path
    log: Path

    def url(self, page: Page | str, **params: str) -> str:
        from urllib.parse import urlencode

        path = page.address if isinstance(page, Page) else page
        return f"{self.base}/{path}" + (f"?{urlencode(params)}" if params else "")


@pytest.fixture(scope="session")
def browser_executable() -> str:
    path = chromium_path()
    if path is None:
        message = (
            "NO CHROMIUM FOUND: the browser and accessibility tests did not run. "
            "Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        sys.stderr.write(f"\n\n{'!' * 78}\n{message}\n{'!' * 78}\n\n")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def e2e_extract(tmp_path_factory) -> Path:
    chosen = os.environ.get("E2E_DATA_DIR")
    if chosen:
        return Path(chosen).resolve()
    return tiny_extract.write_extract(tmp_path_factory.mktemp("e2e_tiny"))


def served(folder: Path, tmp_path_factory, name: str):
    """`streamlit run dashboard.py` over an extract folder, for a module's own server fixture: yields the
    Server and stops it afterwards."""
    log = tmp_path_factory.mktemp(f"{name}_server") / "streamlit.log"
    process, base = streamlit_server.start(REPO_ROOT / "dashboard.py", log,
                                           env={"DASHBOARD_DATA_DIR": str(folder), "DASHBOARD_DEBUG": "1"})
    try:
        yield Server(base, folder, log)
    finally:
        streamlit_server.stop(process)


@pytest.fixture(scope="session")
def server(browser_executable, e2e_extract, tmp_path_factory) -> Server:
    """`streamlit run dashboard.py` on a free loopback port, stopped after the session."""
    log = tmp_path_factory.mktemp("e2e_server") / "streamlit.log"
    # DASHBOARD_DEBUG: a page error shows as Streamlit's exception element, which the tests look for.
    process, base = streamlit_server.start(
        REPO_ROOT / "dashboard.py", log, env={"DASHBOARD_DATA_DIR": str(e2e_extract), "DASHBOARD_DEBUG": "1"},
    )
    try:
        yield Server(base, e2e_extract, log)
    finally:
        streamlit_server.stop(process)


@pytest.fixture(scope="session")
def browser(browser_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=browser_executable, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    yield tab
    context.close()


def wait_ready(tab, settle_ms: int = 300) -> None:
    """Waits until Streamlit has finished the run, twice over a short pause (a rerun can start late)."""
    tab.wait_for_function(READY, timeout=PAGE_SECONDS * 1000)
    tab.wait_for_timeout(settle_ms)
    tab.wait_for_function(READY, timeout=PAGE_SECONDS * 1000)


def open_page(tab, server: Server, page: Page | str, **params: str) -> None:
    tab.goto(server.url(page, **params))
    wait_ready(tab)


def exception_texts(tab) -> list[str]:
    return [e.inner_text() for e in tab.query_selector_all(EXCEPTION)]


def main_text(tab) -> str:
    return tab.inner_text('[data-testid="stMain"]')


def full_page_screenshot(tab, name: str) -> Path:
    """Streamlit scrolls inside its main section, so the window grows to the content first."""
    height = tab.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]', 'body']
             .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))"""
    )
    tab.set_viewport_size({"width": 1400, "height": min(max(int(height) + 80, 900), 12000)})
    tab.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        message = "axe-core is not installed: run `npm ci` at the project root (the Makefile's test target does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def answer_and_chart(browser, server: Server, page: str, chart_key: str, viewport: dict) -> tuple:
    """Opens a page at the viewport and returns the answer-first box, the answer chart's box and the tab's
    context (the caller closes it). The chart is found by its widget key (.st-key-<chart_key>)."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    open_page(tab, server, page)
    assert not exception_texts(tab)
    answer = tab.locator(".st-key-answer_first").first.bounding_box()
    chart = tab.locator(f".st-key-{chart_key}").first
    chart.wait_for()
    return answer, chart.bounding_box(), context, tab
