"""Every page registered in dashboard.py, in a real headless Chromium.

For each page: Streamlit finishes its run with no exception element, a filter
changed in the sidebar changes the page and the URL, a shared URL opens with its
filters set, every CSV download arrives with its header block, hostile text in
the URL is never run as script, and a full-page screenshot is saved into
artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import (
    PAGES,
    exception_texts,
    full_page_screenshot,
    main_text,
    open_page,
    wait_ready,
)

pytestmark = pytest.mark.browser

# Pages whose figures do not depend on the sidebar filters.
FILTER_INDEPENDENT = {"data"}


def sidebar_select(tab, label: str):
    return tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=tab.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    ).first


def choose(tab, label: str, option: str | None = None) -> str:
    """Opens a sidebar selectbox and picks an option (the last one when none is named); returns it."""
    box = sidebar_select(tab, label)
    box.locator('[data-baseweb="select"]').click()
    options = tab.locator('[role="option"]')
    options.first.wait_for()
    target = options.filter(has_text=option).first if option else options.last
    chosen = target.inner_text().strip()
    target.click()
    return chosen


def shown_value(tab, label: str) -> str:
    return sidebar_select(tab, label).locator('[data-baseweb="select"]').inner_text().strip()


def assert_clean(tab, where: str) -> None:
    problems = exception_texts(tab)
    assert not problems, f"{where}: exception shown on the page:\n" + "\n".join(problems)
    assert "Traceback" not in main_text(tab), f"{where}: a traceback is visible"


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_page_finishes_without_exception_and_is_screenshotted(page, server, page_def):
    open_page(page, server, page_def)
    assert_clean(page, page_def.url_path)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
    path = full_page_screenshot(page, page_def.url_path)
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_changing_a_filter_changes_the_page_and_the_url(page, server, page_def):
    open_page(page, server, page_def)
    before = main_text(page)
    district = choose(page, "District")
    page.wait_for_url(re.compile(r"district="), timeout=30_000)
    wait_ready(page)
    assert_clean(page, f"{page_def.url_path} after choosing district {district}")
    assert shown_value(page, "District") == district
    if page_def.url_path in FILTER_INDEPENDENT or "Coming soon" in before:
        return
    assert main_text(page) != before, f"{page_def.url_path}: choosing district {district} changed nothing on the page"


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_a_shared_url_opens_with_its_filters_set(page, server, page_def):
    # The tiny extract has periods 2023-24 (the default) and 2022-23, districts Northdale and Southvale.
    open_page(page, server, page_def, period="2022-23", district="Southvale")
    assert_clean(page, page_def.url_path)
    assert shown_value(page, "Financial year") == "2022-23"
    assert shown_value(page, "District") == "Southvale"
    assert "period=2022-23" in page.url and "district=Southvale" in page.url


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_every_csv_download_arrives_with_its_header(page, server, page_def):
    open_page(page, server, page_def)
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    count = buttons.count()
    if count == 0:
        pytest.skip(f"{page_def.url_path} offers no download on this extract")
    for i in range(count):
        with page.expect_download() as caught:
            buttons.nth(i).click()
        download = caught.value
        text = open(download.path(), encoding="utf-8").read()
        assert download.suggested_filename.endswith((".csv", ".docx", ".zip", ".md", ".html")), download.suggested_filename
        if download.suggested_filename.endswith(".csv"):
            header = text.splitlines()[:4]
            assert header[0].startswith("# "), header
            assert any(line.startswith("# Source:") for line in header), header
            assert len(text.splitlines()) > 4, f"{download.suggested_filename} holds no rows"
        assert "Traceback" not in text
    wait_ready(page)
    assert_clean(page, f"{page_def.url_path} after downloading")


HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "javascript:window.__pwned=1",
    "'; drop table centres; --",
]


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_hostile_url_text_is_shown_inert(page, server, page_def, payload):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, server, page_def, district=payload, cluster=payload, period=payload,
              target_group=payload, indicator=payload, centre=payload)
    assert_clean(page, f"{page_def.url_path} with hostile URL text")
    assert page.evaluate("() => window.__pwned") is None
    assert not dialogs
    # The filters fall back to their defaults and say so.
    assert shown_value(page, "District") in ("All districts", "")
    assert "which this extract does not have" in page.inner_text('[data-testid="stSidebar"]')
