"""Theme frequency, suppression, sentiment segments, consultations compared, co-occurrence and
agreement, each worked by hand.

The tiny extract's five comments (tests/tiny_extract.py), coded:
    R1 parent_carer  children_centre C1  quality_of_staffing, activities_for_children  positive (source)
    R2 parent_carer  library         L1  opening_hours_travel, activities_for_children mixed (computed)
    R3 staff         family_hub      C2  joined_up_working                              negative (source)
    R4 volunteer     children_centre C1  (no theme)                                     neutral (computed)
    R5 parent_carer  (none)              stigma                                         negative (computed)
"""

import math

import pandas as pd
import pytest

from scrutiny.topics.feedback import codebook as fb_codebook
from scrutiny.topics.feedback import coding as fb_coding
from scrutiny.topics.feedback import figures as fb_figures
from scrutiny.topics.feedback import sentences as fb_sentences
from scrutiny.topics.feedback import sentiment as fb_sentiment
from scrutiny.topics.feedback import tables as fb_tables
from scrutiny import stats
from scrutiny.filters import Filters


@pytest.fixture
def coded(tiny):
    frame, codebook, note = fb_coding.coded_feedback()
    assert note is None
    return frame, codebook


def test_tiny_extract_is_coded_as_worked_out(coded):
    frame, _ = coded
    got = {r.response_id: (r.themes, r.sentiment, r.sentiment_source) for r in frame.itertuples()}
    assert got == {
        "R1": (["quality_of_staffing", "activities_for_children"], "positive", "source"),
        "R2": (["opening_hours_travel", "activities_for_children"], "mixed", "computed"),
        "R3": (["joined_up_working"], "negative", "source"),
        "R4": ([], "neutral", "computed"),
        "R5": (["stigma"], "negative", "computed"),
    }
    # R4's phone number, e-mail and name never reach the page.
    assert frame.set_index("response_id").loc["R4", "quote"] == (
        "My name is [name removed], call me on [phone removed] or [email removed].")


@pytest.mark.parametrize("threshold, by, group, theme, shown", [
    # threshold 2: activities 2 of 5 comments = 40%; a theme raised once is c.
    (2, "all", "all", "activities_for_children", "2 (40%)"),
    (2, "all", "all", "stigma", "c"),
    (2, "all", "all", "access", "0 (0%)"),
    # Parents and carers: R1 R2 R5 = 3 comments; activities 2 of 3 = 67%.
    (2, "respondent_type", "Parents and carers", "activities_for_children", "2 (67%)"),
    # Staff: 1 comment, below the threshold: the whole group is c, even its zeros.
    (2, "respondent_type", "Staff", "access", "c"),
    # Site type: R5 names no site type.
    (2, "site_type", "No particular site", "stigma", "c"),
    (2, "site_type", "Children's centre", "activities_for_children", "c"),  # R1 R4: group of 2, activities 1
    # threshold 5 (the extract's): 5 comments is not small, but 2 is, so activities is c.
    (5, "all", "all", "activities_for_children", "c"),
    (5, "all", "all", "access", "0 (0%)"),
])
def test_frequency_table(coded, threshold, by, group, theme, shown):
    frame, codebook = coded
    table = fb_tables.frequency_table(fb_figures.theme_frequency(frame, codebook, threshold, by=by), threshold)
    column = "All respondents" if group == "all" else group
    row = table[table["Theme"] == codebook.label(theme)].iloc[0]
    assert row[column] == shown


def _frequency(counts: dict[str, int], groups: int = 1) -> pd.DataFrame:
    """theme_frequency's columns for themes in codebook order, each count split evenly over the groups."""
    return pd.DataFrame([
        {"group": f"g{n}", "group_label": f"Group {n}", "theme": theme, "theme_label": theme.capitalize(),
         "comments": count // groups, "group_comments": 100, "share_suppressed": False}
        for n in range(groups) for theme, count in counts.items()])


@pytest.mark.parametrize("counts, groups, threshold, expected", [
    # Most raised first; small (c) and zero counts last, in the codebook's order, not ranked.
    ({"access": 4, "stigma": 30, "staffing": 12, "cost": 0}, 1, 10, ["Stigma", "Staffing", "Access", "Cost"]),
    # Equal counts keep the codebook's order.
    ({"access": 12, "stigma": 30, "staffing": 12}, 1, 10, ["Stigma", "Access", "Staffing"]),
    # By group: ranked on the total over the groups (3 + 3 = 6 is not small at 5), not on a group's c.
    ({"access": 6, "stigma": 4, "staffing": 20}, 2, 5, ["Staffing", "Access", "Stigma"]),
])
def test_theme_order(counts, groups, threshold, expected):
    assert fb_figures.theme_order(_frequency(counts, groups), threshold) == expected


def test_frequency_table_lists_the_most_raised_theme_first(coded):
    frame, codebook = coded
    table = fb_tables.frequency_table(fb_figures.theme_frequency(frame, codebook, 2), 2)
    # Row 0 is the denominator; activities (2 comments) is the only theme not small at threshold 2.
    assert table["Theme"].iloc[1] == codebook.label("activities_for_children")
    # The themes raised once (c) follow in the codebook's order.
    once = [codebook.label(c) for c in codebook.codes if c in {"quality_of_staffing", "opening_hours_travel", "joined_up_working", "stigma"}]
    assert [t for t in table["Theme"] if t in once] == once


def test_frequency_figures_and_interval(coded):
    frame, codebook = coded
    rows = fb_figures.theme_frequency(frame, codebook, 2).set_index("theme")
    activities = rows.loc["activities_for_children"]
    assert (activities.comments, activities.group_comments, activities.positive, activities.mixed) == (2, 5, 1, 1)
    # Wilson 95% for 2/5: (0.1176, 0.7693).
    assert activities.share_pct == pytest.approx(0.4)
    assert (activities.share_lower, activities.share_upper) == pytest.approx((0.1176, 0.7693), abs=1e-4)
    # Suppressed shares are removed from the numbers, not just hidden.
    assert math.isnan(rows.loc["stigma", "share_pct"])
    assert fb_sentences.frequency_sentence(fb_figures.theme_frequency(frame, codebook, 2), 2, "all consultations").startswith(
        "Of 5 comments for all consultations, the theme raised most often was **activities for children**: 2 comments (40%, 95% CI 12-77%)")


def _comments(sentiments: tuple, no_theme: int = 0) -> pd.DataFrame:
    """Parents' comments about access, so many of each sentiment, and no_theme neutral ones raising nothing."""
    rows = [(sentiment, ["access"]) for sentiment, n in zip(fb_sentiment.SENTIMENT_ORDER, sentiments) for _ in range(n)]
    rows += [("neutral", [])] * no_theme
    return pd.DataFrame([{"response_id": f"X{i}", "consultation": "Survey", "respondent_type": "parent_carer",
                          "site_type": None, "centre_id": None, "sentiment": sentiment, "themes": themes}
                         for i, (sentiment, themes) in enumerate(rows)])


@pytest.mark.parametrize("counts, threshold, expected", [
    # (positive, mixed, neutral, negative) -> segments drawn
    ((6, 0, 0, 7), 5, {"positive": 6, "negative": 7}),
    # One small segment would be given away by the total: the plan hides the next smallest (positive 6) too,
    # and the bar draws the two as one segment.
    ((6, 0, 0, 2), 5, {fb_figures.SMALL_SEGMENT: 8}),
    ((6, 0, 1, 7), 5, {"negative": 7, fb_figures.SMALL_SEGMENT: 7}),
    # Two small segments: 2 + 3 = 5 is not small, so nothing more is hidden.
    ((9, 2, 3, 0), 5, {"positive": 9, fb_figures.SMALL_SEGMENT: 5}),
    # 1 + 1 = 2 is still small (rule "merged segment"): the next smallest (positive 6) is hidden too.
    ((6, 1, 1, 8), 5, {"negative": 8, fb_figures.SMALL_SEGMENT: 8}),
])
def test_sentiment_segments_never_show_a_small_number(counts, threshold, expected):
    from scrutiny.disclosure.feedback import build_feedback_plan

    total = sum(counts)
    plan = build_feedback_plan(_comments(counts, no_theme=40 - total), ["access"], threshold)
    frequency = fb_figures.plan_frequency(plan, Codebook_labels(), by="all")
    segments = fb_figures.sentiment_segments(frequency)
    assert dict(zip(segments["sentiment"], segments["comments"])) == expected
    assert not any(stats.is_small(n, threshold) for n in segments["comments"])
    assert segments["share"].sum() == pytest.approx(total / 40)


class Codebook_labels:
    """Just enough of a codebook for plan_frequency: a label per code."""

    @staticmethod
    def label(code):
        return code.capitalize()


def test_small_bars_are_not_drawn(coded):
    frame, codebook = coded
    # threshold 5: every theme count on the tiny extract is 1 or 2, so no bar at all.
    assert fb_figures.sentiment_segments(fb_figures.theme_frequency(frame, codebook, 5), 5).empty
    # threshold 2: only activities (2) is drawn, its positive 1 + mixed 1 merged into one segment of 2.
    segments = fb_figures.sentiment_segments(fb_figures.theme_frequency(frame, codebook, 2), 2)
    assert segments[["theme", "sentiment", "comments"]].values.tolist() == [["activities_for_children", fb_figures.SMALL_SEGMENT, 2]]


def test_cooccurrence(coded):
    frame, codebook = coded
    matrix = fb_figures.cooccurrence(frame, codebook)
    # R1: staffing + activities; R2: opening hours + activities. Diagonal: comments raising the theme.
    assert int(matrix.loc["activities_for_children", "activities_for_children"]) == 2
    assert int(matrix.loc["quality_of_staffing", "activities_for_children"]) == 1
    assert int(matrix.loc["opening_hours_travel", "activities_for_children"]) == 1
    assert int(matrix.loc["stigma", "joined_up_working"]) == 0
    assert list(matrix.index) == ["quality_of_staffing", "stigma", "joined_up_working", "opening_hours_travel", "activities_for_children"]
    # With the extract's threshold of 5 every pair is small, so none is named.
    assert fb_figures.cooccurrence_pairs(matrix, codebook, 5).empty
    pairs = fb_figures.cooccurrence_pairs(matrix, codebook, 1)
    assert pairs[["theme_a", "theme_b", "comments"]].values.tolist() == [
        ["quality_of_staffing", "activities_for_children", 1], ["opening_hours_travel", "activities_for_children", 1]]


def agreement_frame(rows):
    return pd.DataFrame(rows, columns=["response_id", "given_themes", "codebook_themes"])


def test_agreement_worked_by_hand():
    codebook, _ = fb_codebook.codebook_for(None)
    frame = agreement_frame([
        ("A", ["access", "cost"], ["access"]),
        ("B", ["access"], ["access", "stigma"]),
        ("C", [], ["cost"]),              # the source found no theme: the codebook's cost is a false positive
        ("D", None, ["access"]),          # not pre-coded: not counted
        ("E", ["stigma"], ["stigma"]),
    ])
    rows = fb_figures.agreement(frame, codebook).set_index("theme")
    assert rows.attrs["comments"] == 4
    # access: both A B = 2; codebook only 0; source only 0 -> precision 2/2, recall 2/2.
    # cost:   both 0; codebook only C; source only A   -> precision 0/1, recall 0/1.
    # stigma: both E; codebook only B; source only 0  -> precision 1/2, recall 1/1.
    got = {t: (rows.loc[t, "both"], rows.loc[t, "codebook_only"], rows.loc[t, "source_only"],
               rows.loc[t, "precision"], rows.loc[t, "recall"]) for t in ("access", "cost", "stigma")}
    assert got == {"access": (2, 0, 0, 1.0, 1.0), "cost": (0, 1, 1, 0.0, 0.0), "stigma": (1, 1, 0, 0.5, 1.0)}
    # Wilson 95% for 1/2: 9.5% to 90.5%.
    assert (rows.loc["stigma", "precision_lower"], rows.loc["stigma", "precision_upper"]) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    # A theme nobody gave has no precision (0/0), not 0%.
    assert math.isnan(rows.loc["quality_of_care", "precision"])
    # Overall: both 3; codebook gave 2 + 1 + 2 = 5 -> 60%; source gave 2 + 1 + 1 = 4 -> 75%.
    assert fb_sentences.agreement_sentence(fb_figures.agreement(frame, codebook), 1).endswith(
        "60% of the themes the codebook gave were also the source's (precision), and it found 75% of the source's themes (recall).")


def test_agreement_table_suppresses_small_counts():
    codebook, _ = fb_codebook.codebook_for(None)
    frame = agreement_frame([(str(i), ["access"], ["access"]) for i in range(6)] + [("x", ["access"], [])])
    table = fb_tables.agreement_table(fb_figures.agreement(frame, codebook), 5).set_index("Theme")
    # access: source 7, codebook 6, both 6: recall 6/7 = 86% shown with its interval.
    assert table.loc["Access", "Recall"].startswith("86% (")
    assert table.loc["Access", "Precision"].startswith("100% (")
    small = fb_tables.agreement_table(fb_figures.agreement(frame.head(3), codebook), 5).set_index("Theme")
    assert small.loc["Access"].tolist() == ["c", "c", "c", "c", "c"]


def test_agreement_on_hand_coded_comments_through_the_codebook():
    codebook, _ = fb_codebook.codebook_for(None)
    frame = pd.DataFrame({
        "response_id": ["1", "2", "3"],
        "comment": ["The staff were friendly.", "Too far to walk.", "It's free but always full."],
        "themes": [["quality_of_staffing"], ["opening_hours_travel", "cost"], ["access"]],
        "sentiment": [None, None, None],
    })
    rows = fb_figures.agreement(fb_coding.code_comments(frame, codebook), codebook).set_index("theme")
    # 1: staffing both. 2: opening hours both ("too far", "walk"); cost missed. 3: codebook says cost ("it's free"), source access.
    assert rows.loc["quality_of_staffing", ["both", "codebook_only", "source_only"]].tolist() == [1, 0, 0]
    assert rows.loc["opening_hours_travel", ["both", "codebook_only", "source_only"]].tolist() == [1, 0, 0]
    assert rows.loc["cost", ["both", "codebook_only", "source_only"]].tolist() == [0, 1, 1]
    assert rows.loc["access", ["both", "codebook_only", "source_only"]].tolist() == [0, 0, 1]


def test_consultations_compared(make_extract):
    from tests.tiny_extract import tables
    feedback = tables()["feedback"].head(0)
    rows = []
    # Spring 2021: 20 comments, 5 about opening hours. Spring 2024: 20 comments, 15 about opening hours.
    for i in range(20):
        rows.append((f"A{i}", "Spring 2021", pd.Timestamp("2021-05-01").date(), "parent_carer", None, None,
                     "The opening hours are fine." if i < 5 else "Lovely people.", None, None))
        rows.append((f"B{i}", "Spring 2024", pd.Timestamp("2024-05-01").date(), "parent_carer", None, None,
                     "The opening hours are fine." if i < 15 else "Lovely people.", None, None))
    make_extract(feedback=pd.DataFrame(rows, columns=feedback.columns))
    frame, codebook, _ = fb_coding.coded_feedback()
    from scrutiny.disclosure.feedback import build_feedback_plan

    comparison = fb_figures.consultation_comparison(build_feedback_plan(frame, codebook.codes, 5), codebook, fb_figures.consultations(frame))
    assert list(dict.fromkeys(comparison["group"])) == ["Spring 2021", "Spring 2024"]
    changes = fb_figures.consultation_changes(comparison, 5).set_index("theme")
    # 75% - 25% = +50 points; Newcombe's interval for 15/20 - 5/20 is +19 to +70 points (Wilson 15/20: 53-89%, 5/20: 11-47%), wholly above zero: "rose".
    row = changes.loc["opening_hours_travel"]
    expected = stats.newcombe_difference(15, 20, 5, 20)
    assert (row.change, row.change_lower, row.change_upper) == pytest.approx((0.5, expected.lower, expected.upper))
    assert (round(expected.lower, 2), round(expected.upper, 2)) == (0.19, 0.70)
    assert row.verdict == "rose"
    assert fb_sentences.changes_sentence(changes.reset_index()).startswith(
        "Between **Spring 2021** and **Spring 2024**, opening hours and travel rose from 25% to 75% (+50 points, 95% CI +19 to +70)")


def test_sidebar_filters_apply_to_the_site_a_comment_is_about(coded):
    frame, _ = coded
    assert list(fb_figures.select_comments(frame, filters=Filters(year=2023, district="Southvale"))["response_id"]) == ["R3"]
    # Site type is the comment's own: R2 (library).
    assert list(fb_figures.select_comments(frame, filters=Filters(year=2023, site_type="library"))["response_id"]) == ["R2"]
    assert list(fb_figures.select_comments(frame, theme="activities_for_children", sentiment="mixed")["response_id"]) == ["R2"]


def test_evidence_record_is_masked(coded):
    frame, codebook = coded
    row = frame.set_index("response_id", drop=False).loc["R4"]
    assert fb_tables.evidence_record(row, codebook) == {
        "response_id": "R4", "consultation": "Review 2023", "respondent_type": "Volunteers",
        "site": "Eastfield Children's Centre",
        "quote": "My name is [name removed], call me on [phone removed] or [email removed].",
        "themes": [], "sentiment": "neutral",
    }
    no_site = frame.set_index("response_id", drop=False).loc["R5"]
    assert fb_tables.evidence_record(no_site, codebook)["site"] == "No particular site"


def test_quotes_download_is_masked_and_explains_each_theme(coded):
    frame, codebook = coded
    table = fb_tables.quotes_table(frame, codebook).set_index("Response")
    assert table.loc["R4", "Quote"] == "My name is [name removed], call me on [phone removed] or [email removed]."
    assert table.loc["R4", "Themes (why)"] == "No theme in the codebook"
    # R3 was coded by the source; the codebook's phrases for that theme are shown as the reason.
    assert table.loc["R3", "Themes (why)"] == (
        "Joined-up working between services (why: “not joined up”, “library team”, “referrals get lost”)")
    assert table.loc["R5", "Site"] == "No particular site"
    assert table.loc["R2", ["Sentiment", "Sentiment from"]].tolist() == ["Mixed", "computed"]
