"""The Footfall page at 1280 by 800 in a real Chromium, on the tiny extract with the threshold at 1 (so
that its sites can be plotted): the answer and the chart that answers the page's question (busy
compared with effective) are on the first screen, and the site table's first columns are the site,
its figures and its verdict."""

from __future__ import annotations

import pytest

from tests import tiny_extract
from tests.e2e.conftest import SCREENSHOTS, answer_and_chart, served

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def plotted_server(browser_executable, tmp_path_factory):
    folder = tiny_extract.write_extract(tmp_path_factory.mktemp("footfall_plotted"),
                                        info={**tiny_extract.EXTRACT_INFO, "suppression_threshold": 1})
    yield from served(folder, tmp_path_factory, "footfall")


def test_the_busy_compared_with_effective_chart_is_on_the_first_screen(browser, plotted_server):
    answer, box, context, tab = answer_and_chart(browser, plotted_server, "footfall", "footfall_answer_chart", SCREEN)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "footfall-1280-answer-chart.png"))
        assert answer["y"] <= box["y"] and box["y"] + box["height"] <= answer["y"] + answer["height"], (answer, box)
        # The threshold of 1 adds a warning above the page that a council's extract never shows.
        warning = tab.locator("[data-testid='stAlert']").first
        extra = warning.bounding_box()["height"] if warning.count() else 0
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"] + extra, (box, extra)
        # The site table: the site, its figures and its verdict are its first columns.
        tab.locator(".st-key-footfall_site_table").first.scroll_into_view_if_needed()
        headers = tab.locator(".st-key-footfall_site_table [role='columnheader']")
        names = [headers.nth(i).inner_text().strip() for i in range(min(headers.count(), 4))]
        assert names == ["Site", "Visits per under-five", "Reach of the 30% most deprived areas (95% CI)",
                         "Busy or quiet, reaching many or few"], names
    finally:
        context.close()
