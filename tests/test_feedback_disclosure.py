"""The Feedback plan: its named rules, an outsider's attack on what the views publish, and how much
the secondary rules hide on the sample county."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny.topics.feedback import coding as fb_coding
from scrutiny.topics.feedback import figures as fb_figures
from scrutiny.topics.feedback import sentiment as fb_sentiment
from scrutiny.disclosure import feedback as plan_rules
from scrutiny.disclosure.feedback import build_feedback_plan
from tests import attacker_feedback as attacker
from tests.helpers import open_app, texts
from tests.test_feedback_page import more_feedback


class Labels:
    """Just enough of a codebook for plan_frequency."""

    @staticmethod
    def label(code):
        return code.capitalize()


def comments(rows) -> pd.DataFrame:
    """(consultation, respondent_type, site_type, centre_id, sentiment, themes) -> coded comments."""
    return pd.DataFrame([{"response_id": f"X{i}", "consultation": c, "respondent_type": r, "site_type": s,
                          "centre_id": k, "sentiment": m, "themes": list(t)} for i, (c, r, s, k, m, t) in enumerate(rows)])


def leaks(frame: pd.DataFrame, codes, threshold: int = 5, inequalities: bool = True, known_combinations: bool = False) -> list:
    """What an outsider works out from every sum the figures obey and from a theme's comments being
    among the comments there; with known_combinations, also knowing which combinations of
    consultation, respondent type, site type and site are empty (the known limit below)."""
    plan = build_feedback_plan(frame, codes, threshold)
    choices = [None, *sorted(frame["consultation"].unique())]
    published = attacker.gather(plan, Labels, choices)
    attacker.gather_negative(plan, Labels, published)
    return attacker.attack(frame, published, threshold, inequalities=inequalities, known_combinations=known_combinations)


# --- Named rules -------------------------------------------------------------------------------------

def test_a_total_less_the_other_group_is_hidden():
    # Opening hours: 5 parents and 1 member of staff. Shown 6 and 5, the staff member's 1 is 6 - 5: both groups are c.
    frame = comments([("S", "parent_carer", "library", "L1", "negative", ["hours"])] * 5
                     + [("S", "staff", "children_centre", "C1", "negative", ["hours"])]
                     + [("S", "parent_carer", "library", "L1", "positive", ["cost"])] * 9)
    plan = build_feedback_plan(frame, ["hours", "cost"], 5)
    assert plan.show(theme="hours") == "6"
    assert plan.show(by="respondent_type", group="staff", theme="hours") == "c"
    assert plan.show(by="respondent_type", group="parent_carer", theme="hours") == "c"
    # The library's 5 hides with the children's centre's 1 in the site-type bars.
    assert plan.show(by="site_type", group="library", theme="hours") == "c"
    assert leaks(frame, ["hours", "cost"]) == []


def test_hidden_with_its_group_even_its_zeros():
    # Staff: 2 comments, small: every theme count of the group is hidden, even its zero (cost).
    frame = comments([("S", "parent_carer", None, None, "positive", ["hours"])] * 9
                     + [("S", "staff", None, None, "positive", ["hours"])] * 2)
    plan = build_feedback_plan(frame, ["hours", "cost"], 5)
    assert plan.is_hidden(by="respondent_type", group="staff", theme="cost")
    assert not plan.is_hidden(by="respondent_type", group="parent_carer", theme="cost")
    # A zero hidden with its group gives nobody away, so it asks for no other cell: parents' cost stays 0.
    assert plan.show(by="respondent_type", group="parent_carer", theme="cost") == "0"


def test_merged_segment_is_never_a_small_number():
    # Hours: positive 6, mixed 1, neutral 1, negative 8. 1 + 1 = 2 would be the grey segment: positive joins it.
    frame = comments([("S", "parent_carer", None, None, s, ["hours"]) for s, n in
                      (("positive", 6), ("mixed", 1), ("neutral", 1), ("negative", 8)) for _ in range(n)])
    plan = build_feedback_plan(frame, ["hours"], 5)
    segments = fb_figures.sentiment_segments(fb_figures.plan_frequency(plan, Labels))
    assert dict(zip(segments["sentiment"], segments["comments"])) == {"negative": 8, fb_figures.SMALL_SEGMENT: 8}
    assert leaks(frame, ["hours"]) == []


def test_one_consultation_is_the_same_cell_as_all():
    # With one consultation, "all consultations" and that one are the same figures, hidden alike.
    frame = comments([("Only", "parent_carer", None, None, "positive", ["hours"])] * 3
                     + [("Only", "parent_carer", None, None, "negative", [])] * 6)
    plan = build_feedback_plan(frame, ["hours"], 5)
    assert plan.show(None, theme="hours") == plan.show("Only", theme="hours") == "c"
    assert plan.show(None) == plan.show("Only") == "9"


def test_tiny_extract_variant_does_not_leak(make_extract):
    # The Feedback page's own test extract: 15 comments over two consultations, three sites and none.
    make_extract(feedback=more_feedback())
    frame, codebook, _ = fb_coding.coded_feedback()
    assert leaks(frame, codebook.codes) == []


def test_page_publishes_the_plan_and_no_leak(make_extract):
    # The page, as a councillor sees it: its headline carries the plan's figures, and an outsider
    # reading them with the tables, segments and lines of enquiry cannot work out a hidden count.
    make_extract(feedback=more_feedback())
    at = open_app("pages/feedback.py")
    frame, codebook, _ = fb_coding.coded_feedback()
    plan = build_feedback_plan(frame, codebook.codes, 5)
    headline = next(t for t in texts(at).split("\n") if "comments** from" in t)
    # 15 comments: 13 parents and carers, R3 staff, R4 volunteer; the staff and volunteer are c, so are the parents
    # (15 - 13 = 2 would give the other two away).
    assert headline.startswith("**15 comments** from all consultations: c parents and carers, c staff, c volunteers.")
    assert plan.show(by="respondent_type", group="parent_carer") == "c"
    published = attacker.gather(plan, codebook, [None, "Review 2023", "Survey 2024"])
    assert attacker.attack(frame, attacker.gather_negative(plan, codebook, published), 5, inequalities=False) == []


def test_comments_raising_no_theme_are_not_published():
    # 14 comments, 8 raising no theme; of the 6 raising one, 5 positive about cost. Were the 8 printed,
    # the 6 raising some theme would be known, and with 5 of them positive at most 1 is negative: the
    # hidden negative comment about opening hours would be pinned to 0 or 1. So the 8 is never printed.
    rows = [("A", "parent_carer", "library", "C1", "positive", [])] * 8 + \
        [("A", "parent_carer", "library", "C1", "positive", ["hours", "cost"])] * 5 + \
        [("A", "parent_carer", "library", "C1", "negative", ["hours"])]
    frame = comments(rows)
    plan = build_feedback_plan(frame, ["hours", "cost"], 5)
    assert plan.show(theme=plan_rules.NO_THEME) == "c" and plan.count(theme=plan_rules.NO_THEME) == 8
    assert leaks(frame, ["hours", "cost"]) == []


@pytest.mark.xfail(strict=True, reason="Known limit: the plan protects each grouping's sums, not the two-way table "
                   "behind them. An outsider who knows which combinations of respondent type, site type and site have "
                   "no comments can sometimes combine the groupings: here parents 10 less site C1's 9 leaves the one "
                   "comment about a site of no type.")
def test_an_outsider_who_knows_the_empty_combinations():
    rows = ([("A", "parent_carer", "library", "C1", "positive", [])] * 9 + [("A", "parent_carer", None, "C2", "positive", [])]
            + [("A", "staff", "library", None, "positive", []), ("A", "volunteer", "library", None, "positive", []),
               ("A", "staff", "library", "C2", "positive", []), ("A", "volunteer", "library", "C2", "positive", [])])
    frame = comments(rows)
    assert leaks(frame, ["hours"]) == []  # the outsider the plan is built for finds nothing
    assert leaks(frame, ["hours"], known_combinations=True) == []


@pytest.mark.xfail(strict=True, reason="Known limit: a theme's bar bounds the headline's sentiments from below (its "
                   "comments are among all comments), an inequality the plan's sums do not model: 5 positive comments "
                   "about hours among 8 leave at most 3 that are not positive, so the 1 mixed comment is pinned to 0 to 3.")
def test_a_themes_bar_bounds_the_headline_sentiments():
    # Found by the random test below in a full run: 8 comments, 7 positive (5 of them about hours), 1 mixed.
    rows = ([("A", "parent_carer", "library", "C1", "positive", [])] * 2
            + [("A", "parent_carer", "library", "C1", "positive", ["hours"])] * 5
            + [("A", "parent_carer", "library", "C1", "mixed", [])])
    assert leaks(comments(rows), list(THEMES)) == []


THEMES = ("hours", "cost", "staff")
row = st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["parent_carer", "staff", "volunteer"]),
                st.sampled_from(["library", "family_hub", None]), st.sampled_from(["C1", "C2", None]),
                st.sampled_from(fb_sentiment.SENTIMENT_ORDER), st.lists(st.sampled_from(THEMES), max_size=2, unique=True))


# Derandomized, as the other outsiders are, so a run finds the same extracts every time; a leak found
# once is kept above as a named case.
@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(row, min_size=4, max_size=30))
def test_random_small_extracts_do_not_leak(rows):
    # Small groups, groups that do not add up (comments about no site), themes that overlap.
    found = leaks(comments(rows), list(THEMES))
    assert found == [], "\n".join(map(str, found))


# --- How much the secondary rules hide on the sample county ----------------------------------------------

def test_secondary_cells_on_the_sample_county():
    # Every comment of the sample county (no sidebar filter): 2 consultations, 5 respondent types, 4 site
    # types, 91 sites, 18 themes. Pinned, so that a change that hides much more is noticed: of the 4,045
    # published cells holding someone (most of them a theme at one of 91 sites), the primary rule hides 2,901
    # and the secondary rules these 430 more.
    frame, codebook, _ = fb_coding.coded_feedback()
    plan = build_feedback_plan(frame, codebook.codes, 5)
    published = int((plan.published & (plan.values > 0)).sum())
    assert plan.secondary_by_view() == {"comments": 34, "themes by all": 0, "themes by respondent_type": 26,
                                        "themes by site_type": 23, "themes by centre_id": 1, "segments": 346}
    assert plan.secondary_count() == 430
    assert published == 4045
    assert int((plan.primary_hidden & (plan.values > 0)).sum()) == 2901
