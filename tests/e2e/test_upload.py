"""Uploading a council's exports on About the data, in a real headless Chromium.

The browser chooses the tiny extract written as Wealdshire's system writes it
(sample_data.export) and the shipped mapping, presses "Check and open", and then every page it
visits in that tab shows the uploaded extract, while another browser's session still sees the
council's extract. Going back deletes the session's folder.
"""

from __future__ import annotations

import pytest

from sample_data.export import export
from scrutiny.extract import REPO_ROOT
from tests import tiny_extract
from tests.e2e.conftest import exception_texts, full_page_screenshot, main_text, open_page, wait_ready

pytestmark = pytest.mark.browser

UPLOADING_SECONDS = 120


@pytest.fixture(scope="module")
def export_files(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("browser-upload")
    export(tiny_extract.write_extract(tmp_path_factory.mktemp("browser-upload-extract")), folder)
    return [str(p) for p in sorted(folder.iterdir())] + [str(REPO_ROOT / "mappings" / "wealdshire.yaml")]


def sidebar_text(tab) -> str:
    return tab.inner_text('[data-testid="stSidebar"]')


def test_uploaded_exports_show_on_every_page_of_this_tab_only(page, browser, server, export_files):
    open_page(page, server, "data")
    assert "Up to 30 files at once" in main_text(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(export_files)
    # Each chosen file is listed once it has reached the server.
    page.get_by_text("wealdshire.yaml").wait_for()
    page.get_by_role("button", name="Check and open").click()
    page.get_by_text("You are looking at the extract built from the files you uploaded").wait_for(
        timeout=UPLOADING_SECONDS * 1000)
    wait_ready(page)
    assert exception_texts(page) == []
    assert "Wealdshire County Council" in main_text(page) and "Wealdshire County Council" in sidebar_text(page)
    full_page_screenshot(page, "data-after-upload")

    # Another page in the same tab (through the navigation, so the session goes on).
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Reach").click()
    wait_ready(page)
    assert "Reach" in main_text(page)
    assert exception_texts(page) == []
    assert "Wealdshire County Council" in sidebar_text(page)

    # Another person's browser sees the council's extract.
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        open_page(other, server, "data")
        assert "You are looking at the extract built" not in main_text(other)
        assert "Wealdshire" not in sidebar_text(other) + main_text(other)
    finally:
        other.context.close()

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="About the data").click()
    wait_ready(page)
    page.get_by_role("button", name="Back to the council's extract").click()
    page.get_by_text("You are looking at the extract built").wait_for(state="detached")
    wait_ready(page)
    assert "Wealdshire" not in sidebar_text(page)
