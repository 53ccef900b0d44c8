"""Ready for the committee room, in a real Chromium: the answer on the first screen at 1280 by 800,
a visible 3 px focus outline for keyboard users, the sidebar closed on a 390 px phone, and a
screenshot of every page at both widths (artifacts/screenshots/<page>-1280.png and -390.png)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PAGES, SCREENSHOTS, exception_texts, open_page

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Pages that open with their answer (ui.answer_first): headline figure, verdict, what to ask.
ANSWER_FIRST = {"reach", "gap", "footfall", "feedback"}


def _full_screenshot(tab, name: str) -> None:
    """Streamlit scrolls inside its main section: the window grows to the content first."""
    width = tab.viewport_size["width"]
    height = tab.evaluate("""() => Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]', 'body']
        .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))""")
    tab.set_viewport_size({"width": width, "height": min(max(int(height) + 80, 800), 12000)})
    tab.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab_at(browser):
    contexts = []

    def make(viewport):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        return tab

    yield make
    for context in contexts:
        context.close()


def _box(tab, selector: str):
    element = tab.locator(selector).first
    element.wait_for()
    return element.bounding_box()


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_the_answer_is_on_the_first_screen(tab_at, server, page_def):
    tab = tab_at(SCREEN)
    open_page(tab, server, page_def)
    assert not exception_texts(tab)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{page_def.url_path}-1280-first-screen.png"))
    if page_def.url_path in ANSWER_FIRST:
        answer = _box(tab, ".st-key-answer_first")
        assert answer["y"] >= 0 and answer["y"] + answer["height"] <= SCREEN["height"], (page_def.url_path, answer)
        for part in ('[data-testid="stMetric"]', 'text="The answer."', 'text="What to ask"'):
            box = _box(tab, f".st-key-answer_first >> {part}")
            assert box["y"] + box["height"] <= SCREEN["height"], (page_def.url_path, part, box)
    _full_screenshot(tab, f"{page_def.url_path}-1280")


# The one chart that answers the page's question, drawn in the first screen with its headline.
MAIN_CHART = {"reach": '.st-key-answer_first [data-testid="stPlotlyChart"]',
              "overview": '[data-testid="stPlotlyChart"]'}


@pytest.mark.parametrize("path", sorted(MAIN_CHART))
def test_the_main_chart_is_on_the_first_screen(tab_at, server, path):
    tab = tab_at(SCREEN)
    open_page(tab, server, next(p for p in PAGES if p.url_path == path))
    assert not exception_texts(tab)
    chart = _box(tab, MAIN_CHART[path])
    # Whole, not only its top: the bars and their axis are inside the 800 px a shared screen shows.
    assert chart["y"] >= 0 and chart["y"] + chart["height"] <= SCREEN["height"], (path, chart)
    assert chart["height"] >= 150, (path, chart)
    tab.locator(MAIN_CHART[path]).first.locator(".main-svg").first.wait_for()


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_on_a_phone_the_sidebar_starts_closed(tab_at, server, page_def):
    tab = tab_at(PHONE)
    open_page(tab, server, page_def)
    assert not exception_texts(tab)
    sidebar = tab.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, f"the sidebar covers the page: {box}"
    if page_def.url_path in ANSWER_FIRST:
        answer = _box(tab, ".st-key-answer_first")
        assert answer["x"] >= 0 and answer["x"] + answer["width"] <= PHONE["width"], answer
    _full_screenshot(tab, f"{page_def.url_path}-390")


# What the keyboard's focus looks like: the outline of the focused control, or of the select box
# around a focused search field (Streamlit's select boxes focus an input inside their frame).
FOCUS_STYLE = """() => {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const drawn = active.closest('[data-baseweb="select"]') || active;
  const style = getComputedStyle(drawn);
  return {tag: active.tagName, label: (active.getAttribute('aria-label') || active.innerText || '').slice(0, 40),
          width: parseFloat(style.outlineWidth), style: style.outlineStyle, colour: style.outlineColor};
}"""


def _contrast_with_white(colour: str) -> float:
    from scrutiny.charts import contrast

    channels = [int(float(v)) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    return contrast("#{:02X}{:02X}{:02X}".format(*channels), "#FFFFFF")


def test_keyboard_focus_has_a_3px_outline_with_contrast(tab_at, server):
    tab = tab_at(SCREEN)
    page_def = next(p for p in PAGES if p.url_path == "reach")
    open_page(tab, server, page_def)
    seen = []
    for _ in range(25):
        tab.keyboard.press("Tab")
        tab.wait_for_timeout(60)
        focus = tab.evaluate(FOCUS_STYLE)
        if focus is None:
            continue
        seen.append(focus)
        assert focus["style"] != "none" and focus["width"] >= 3, focus
        assert _contrast_with_white(focus["colour"]) >= 3, focus
    kinds = {f["tag"] for f in seen}
    assert {"A", "INPUT"} <= kinds, f"the keyboard should reach links and select boxes: {seen}"
