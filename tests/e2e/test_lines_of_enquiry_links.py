"""Every line of enquiry's "Open the view that shows this", clicked in a real browser.

A line's link switches page inside the same session. The view it opens must show the
line's year, its filters and its figure, even when the year on screen before the click
was another one (the sidebar's URL-bound widgets used to keep their own year and drop
the link's, so the page showed another year's figure).

The extract is the tiny one with three changes, on a server of its own:
- 40 more under-fives in Brook (C2's reach area), 30 of whom came in 2022-23 and 10 in
  2023-24, five regulars at C1 (so that the disclosure plan can show C2's figures), and C2's
  opening hours cut on 1 April 2023 (as in test_findings): reach of
  O'Brien & Sons Family Hub's under-fives fell from 70% (30 of 43) in 2022-23 to 28%
  (12 of 43) in 2023-24, a line whose view is 2023-24;
- population estimates and one attendance in 2024-25, so that 2024-25 is the year the
  sidebar opens on and the line above links to an earlier year than the one on screen.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from scrutiny.contract import TABLES
from tests import tiny_extract
from tests.e2e import server as streamlit_server
from tests.e2e.conftest import REPO_ROOT, exception_texts, main_text, wait_ready
from tests.test_findings import _attendances, _brook_population, _children_in_brook, _hub_change, _with_eastfield_regulars

pytestmark = pytest.mark.browser

LINK_TEXT = "Open the view that shows this"


def _extract(folder):
    population = _brook_population(40)
    population = pd.concat([population, population[population.year == 2023].assign(year=2024)])
    children, attendances = _with_eastfield_regulars(_children_in_brook(40), _attendances(30, 10))
    attendances = pd.concat([attendances, pd.DataFrame(
        [("B0", "C2", date(2024, 5, 10), "Stay and play", "universal")], columns=TABLES["attendances"].column_names)])
    return tiny_extract.write_extract(folder, {
        "children": children, "attendances": attendances, "population": population,
        "service_changes": _hub_change(centre="C2"),
    })


@pytest.fixture(scope="module")
def links_server(browser_executable, tmp_path_factory):
    folder = _extract(tmp_path_factory.mktemp("links_extract"))
    process, base = streamlit_server.start(
        REPO_ROOT / "dashboard.py", tmp_path_factory.mktemp("links_server") / "streamlit.log",
        env={"DASHBOARD_DATA_DIR": str(folder), "DASHBOARD_DEBUG": "1"},
    )
    try:
        yield base
    finally:
        streamlit_server.stop(process)


def _open_overview(tab, base: str) -> None:
    tab.goto(base + "/")
    wait_ready(tab)
    for expander in tab.locator('[data-testid="stExpander"] summary').all():
        if "lines of enquiry" in expander.inner_text().lower():
            expander.click()


def _lines(tab) -> list[dict]:
    """Each line's text and link, in the order shown."""
    return tab.evaluate("""text => [...document.querySelectorAll('[data-testid="stMain"] a')]
        .filter(a => a.innerText.includes(text))
        .map(a => ({href: a.getAttribute('href'),
                    text: a.closest('[data-testid="stVerticalBlock"]').innerText}))""", LINK_TEXT)


def _figure(line: str) -> str:
    """The figure the view must show: the later figure of a fall, else the line's first figure."""
    fell = re.search(r"fell from [\d.]+% in \S+ \([^)]*\) to ([\d.]+%)", line)
    if fell:
        return fell.group(1)
    return re.search(r"(\d+(?:\.\d+)?)(%| points)", line).group(1)


def _sidebar_value(tab, label: str) -> str:
    return tab.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label, exact=True).input_value().strip()


def test_every_line_of_enquiry_opens_its_own_year_filters_and_figure(browser, links_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        _open_overview(tab, links_server)
        assert _sidebar_value(tab, "Financial year") == "2024-25"
        lines = _lines(tab)
        assert lines, "the overview shows no line of enquiry on this extract"
        fall = [line for line in lines if "fell from 70% in 2022-23 (30 of 43) to 28% in 2023-24" in line["text"]]
        assert len(fall) == 1, "the line about the fall after the change, whose view is an earlier year, is missing"
        for number, line in enumerate(lines):
            if number:
                _open_overview(tab, links_server)
            asked = {k: v[0] for k, v in parse_qs(urlparse(line["href"]).query).items()}
            tab.locator(f'[data-testid="stMain"] a[href="{line["href"]}"]').first.click()
            path = urlparse(line["href"]).path.strip("/")
            tab.wait_for_url(lambda url: urlparse(url).path.strip("/") == path, wait_until="commit", timeout=60_000)
            wait_ready(tab, settle_ms=800)
            where = f"line {number + 1} ({line['href']})"
            assert not exception_texts(tab), where
            # The year and every filter of the link, in the sidebar, in the URL and on the page.
            assert _sidebar_value(tab, "Financial year") == asked["period"], where
            opened = {k: v[0] for k, v in parse_qs(urlparse(tab.url).query).items()}
            for key, value in asked.items():
                # A choice equal to its default (the latest year, the page's default group) is left out of the URL.
                assert opened.get(key, value) == value, f"{where}: {key} is {opened.get(key)!r} after the click"
            assert asked["period"] in main_text(tab), where
            figure = _figure(line["text"])
            assert figure in main_text(tab), f"{where}: the line's figure {figure} is not on the page it opens"
        assert any("28%" == _figure(line["text"]) for line in lines)
    finally:
        context.close()
