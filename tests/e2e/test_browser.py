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

from tests.helpers import read_download
from tests.e2e.test_accessibility import CHECKED, SEEN, accessibility_problems, allowlist
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
    """A sidebar selectbox by its label (Streamlit 1.67 draws it as an ARIA combobox)."""
    return tab.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True)


def choose(tab, label: str, option: str | None = None) -> str:
    """Opens a sidebar selectbox and picks an option (the last one when none is named); returns it."""
    sidebar_select(tab, label).click()
    options = tab.get_by_role("option")
    options.first.wait_for()
    target = options.filter(has_text=option).first if option else options.last
    chosen = target.inner_text().strip()
    target.click()
    return chosen


def shown_value(tab, label: str) -> str:
    """The option a sidebar selectbox shows ("" when it shows its placeholder, such as All districts)."""
    return sidebar_select(tab, label).input_value().strip()


def assert_clean(tab, where: str) -> None:
    problems = exception_texts(tab)
    assert not problems, f"{where}: exception shown on the page:\n" + "\n".join(problems)
    assert "Traceback" not in main_text(tab), f"{where}: a traceback is visible"


def download_everything(tab, where: str) -> int:
    """Clicks every download button; each file must arrive, a CSV with its header block and rows."""
    buttons = tab.locator('[data-testid="stDownloadButton"] button')
    for i in range(buttons.count()):
        if not buttons.nth(i).is_visible():  # inside a closed expander or another tab
            continue
        with tab.expect_download() as caught:
            buttons.nth(i).click()
        download = caught.value
        name = download.suggested_filename
        data = open(download.path(), "rb").read()
        assert data, f"{where}: {name} is empty"
        if name.endswith(".csv"):
            table, about = read_download(data)
            assert "Source: " in about and "Filters: " in about, f"{where}: {name}: {about}"
            assert len(table) >= 1 and len(table.columns) >= 1, f"{where}: {name} holds no rows"
            assert not re.search(r"_20\d\d\.csv$", name), f"{where}: {name} names a year without its end (2023 for 2023-24)"
        assert b"Traceback" not in data
    return buttons.count()


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_page_works_in_a_real_browser_for_everyone(page, server, page_def, axe_source):
    """One visit: the page finishes cleanly, is screenshotted, passes the accessibility
    checks, its downloads arrive, and a filter changes it."""
    where = page_def.url_path
    open_page(page, server, page_def)
    assert_clean(page, where)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
    assert full_page_screenshot(page, where).stat().st_size > 10_000
    page.set_viewport_size({"width": 1400, "height": 1000})
    problems = accessibility_problems(page, axe_source, where)
    assert not problems, f"{where}:\n" + "\n".join(problems)

    download_everything(page, where)
    wait_ready(page)
    assert_clean(page, f"{where} after downloading")

    before = main_text(page)
    district = choose(page, "District")
    page.wait_for_url(re.compile(r"district="), timeout=30_000)
    wait_ready(page)
    assert_clean(page, f"{where} after choosing district {district}")
    assert shown_value(page, "District") == district
    if page_def.url_path not in FILTER_INDEPENDENT and "Coming soon" not in before:
        assert main_text(page) != before, f"{where}: choosing district {district} changed nothing on the page"


# A shared link someone has tampered with: the real filters hold, every other
# parameter holds a different kind of hostile text.
TAMPERED = {
    "period": "2022-23",
    "district": "Southvale",
    "cluster": "<script>window.__pwned = 1</script>",
    "lead_agency": '<img src=x onerror="window.__pwned=1">',
    "site_type": "[link](javascript:window.__pwned=1)",
    "target_group": "<svg onload=window.__pwned=1>",
    "indicator": "\"><script>window.__pwned=1</script>",
    "centre": "' OR 1=1; drop table centres; --",
    "geography": "javascript:window.__pwned=1",
}


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_a_shared_link_opens_with_its_filters_and_hostile_text_stays_inert(page, server, page_def):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, server, page_def, **TAMPERED)
    assert_clean(page, page_def.url_path)
    # The tiny extract has periods 2023-24 (the default) and 2022-23, districts Northdale and Southvale.
    assert shown_value(page, "Financial year") == "2022-23"
    assert shown_value(page, "District") == "Southvale"
    assert "period=2022-23" in page.url and "district=Southvale" in page.url
    assert page.evaluate("() => window.__pwned") is None, "hostile URL text ran as script"
    assert not dialogs
    for label in ("Cluster", "Lead agency", "Site type"):
        assert shown_value(page, label) == "", f"{label} took hostile text"
    assert "which this extract does not have" in page.inner_text('[data-testid="stSidebar"]')


def test_allowlist_entries_are_still_needed():
    """Runs after the page checks: an allow-list entry that no page triggered is stale and should go."""
    entries = allowlist()
    if not entries:
        return
    if len(CHECKED) < len(PAGES):
        pytest.skip("only some pages were checked in this run")
    stale = [e for e in entries if (e["rule"], e["target"]) not in SEEN]
    assert not stale, f"allow-list entries no page needs any more: {stale}"
