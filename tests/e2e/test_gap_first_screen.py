"""The Gap page at 1280 by 800 in a real Chromium: its answer and the chart that answers the page's
question (the gap over time) are on the first screen, and the gap carries its definition as a tooltip."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import answer_and_chart

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}


def test_the_gap_chart_is_on_the_first_screen(browser, server):
    answer, box, context, tab = answer_and_chart(browser, server, "gap", "gap_trend_chart", SCREEN)
    try:
        # The whole chart, in the answer's box, inside the first screen.
        assert answer["y"] <= box["y"] and box["y"] + box["height"] <= answer["y"] + answer["height"], (answer, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], box
        # The gap's definition as the headline figure's tooltip.
        assert tab.locator(".st-key-answer_first [data-testid='stTooltipIcon']").count() >= 1
    finally:
        context.close()
