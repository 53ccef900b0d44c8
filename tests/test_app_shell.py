"""The app shell: every page renders on the tiny extract, filters live in the URL,
and a hostile URL value falls back to the default with a note."""

import pytest

from tests.helpers import open_app

PAGES = {
    "pages/overview.py": "Early years services: overview",
    "pages/reach.py": None,
    "pages/gap.py": None,
    "pages/footfall.py": None,
    "pages/feedback.py": None,
    "pages/data.py": "About the data",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_exception(tiny, page):
    at = open_app(page)
    assert not at.exception, [e.message for e in at.exception]
    if PAGES[page]:
        assert PAGES[page] in [t.value for t in at.title]


def test_default_period_is_latest_year_with_attendances(tiny):
    at = open_app()
    # The tiny extract's population covers 2022-23 and 2023-24; both have attendances.
    assert at.selectbox(key="period").value == "2023-24"
    assert at.selectbox(key="period").options == ["2023-24", "2022-23"]


def test_url_parameters_seed_the_filters(tiny):
    at = open_app(period="2022-23", district="Southvale")
    assert at.selectbox(key="period").value == "2022-23"
    assert at.selectbox(key="district").value == "Southvale"
    assert not at.exception


@pytest.mark.parametrize("hostile", ["'; drop table centres; --", "<script>alert(1)</script>", "Nowhere"])
def test_hostile_url_value_falls_back_with_a_note(tiny, hostile):
    at = open_app(district=hostile)
    assert at.selectbox(key="district").value is None
    notes = " ".join(c.value for c in at.sidebar.caption)
    assert "which this extract does not have" in notes
    assert not at.exception


def test_overview_headline_figures(tiny):
    at = open_app()
    # most_deprived_30 in 2023-24: C1 10 + C2 3 + C3 2 = 15 under-fives; reached 3 + 1 + 0 = 4,
    # which is below the threshold of 5, so the percentage is suppressed.
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reached: most deprived 30% of areas"] == "c"
    # Registered: the most deprived areas are A1, A4 and A5 (population 10 + 3 + 2 = 15); registered
    # there by March 2024: K1 K2 (A1), K8 K9 (A4), K10 (A5) = 5 of 15 = 33%. Each centre's count is
    # small (2, 2, 1) and hidden, so the Reach page's plan hides the authority's 5 too (three hidden
    # counts adding up to 5 would each be pinned to 1 to 3): the overview reads the same plan and shows c.
    assert metrics["Registered: most deprived 30% of areas"] == "c"
    # Gap in GLD 2023-24 for Testshire: non-FSM 290/400 = 72.5% minus FSM 45/80 = 56.25% = 16.25 points,
    # shown to one decimal place, rounded half away from zero.
    assert metrics["Gap in the headline outcome"] == "16.3 points"


def test_about_the_data_page_shows_clean_report(tiny):
    at = open_app("pages/data.py")
    assert any("no problems found" in s.value for s in at.success)


def test_a_page_that_waits_for_its_turn_is_drawn_in_full(tiny):
    import threading

    from scrutiny import ui

    at = open_app()
    # Two other people's pages are running: this one waits (with a spinner), then runs when one ends.
    assert ui._PAGE_TURNS.acquire(timeout=5) and ui._PAGE_TURNS.acquire(timeout=5)
    one_ends = threading.Timer(1.0, ui._PAGE_TURNS.release)
    one_ends.start()
    try:
        at.switch_page("pages/data.py").run()
    finally:
        one_ends.join()
        ui._PAGE_TURNS.release()
    assert not at.exception, [e.message for e in at.exception]
    assert "About the data" in [t.value for t in at.title]
