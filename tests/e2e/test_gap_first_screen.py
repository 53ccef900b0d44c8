"""The Gap page at 1280 by 800 in a real Chromium: its answer and the chart that answers the page's
question (the gap over time) are on the first screen, and the gap carries its definition as a tooltip."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import exception_texts, open_page

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}


def test_the_gap_chart_is_on_the_first_screen(browser, server):
    context = browser.new_context(viewport=SCREEN)
    try:
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        open_page(tab, server, "gap")
        assert not exception_texts(tab)
        answer = tab.locator(".st-key-answer_first").first.bounding_box()
        chart = tab.locator(".st-key-gap_trend_chart").first
        chart.wait_for()
        box = chart.bounding_box()
        # The whole chart, in the answer's box, inside the first screen.
        assert answer["y"] <= box["y"] and box["y"] + box["height"] <= answer["y"] + answer["height"], (answer, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], box
        # The gap's definition as the headline figure's tooltip.
        assert tab.locator(".st-key-answer_first [data-testid='stTooltipIcon']").count() >= 1
    finally:
        context.close()
