"""The Feedback page at 1280 by 800 in a real Chromium: its answer and the chart that answers the
page's question (the themes raised most often) are on the first screen, and its terms carry their
plain-words meaning as tooltips."""

from __future__ import annotations

import pytest

from tests import tiny_extract
from tests.e2e.conftest import answer_and_chart, served
from tests.test_feedback_page import more_feedback

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def themed_server(browser_executable, tmp_path_factory):
    """The tiny extract with ten more comments, so that two themes can be shown (its own five cannot)."""
    folder = tiny_extract.write_extract(tmp_path_factory.mktemp("feedback_themed"), {"feedback": more_feedback()})
    yield from served(folder, tmp_path_factory, "feedback")


def test_the_themes_chart_is_on_the_first_screen(browser, themed_server):
    answer, box, context, tab = answer_and_chart(browser, themed_server, "feedback", "feedback_answer_chart", SCREEN)
    try:
        # The whole chart, in the answer's box, inside the first screen.
        assert answer["y"] <= box["y"] and box["y"] + box["height"] <= answer["y"] + answer["height"], (answer, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], box
        assert box["height"] >= 150, box
        # The headline figure says what a comment is, in a tooltip.
        assert tab.locator(".st-key-answer_first [data-testid='stTooltipIcon']").count() >= 1
    finally:
        context.close()
