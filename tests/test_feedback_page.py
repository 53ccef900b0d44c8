"""The Feedback page on the tiny extract and on variants of it, driven through URL parameters."""

import base64

import numpy as np
import pandas as pd
import pytest

from scrutiny.queries import run
from tests.helpers import errors, open_app, plotly_figures, texts
from tests.tiny_extract import tables

PAGE = "pages/feedback.py"


def more_feedback(n_extra: int = 10) -> pd.DataFrame:
    """The tiny extract's five comments plus n_extra parents' comments about C1 in a later consultation."""
    feedback = tables()["feedback"]
    extra = [(f"S{i}", "Survey 2024", pd.Timestamp("2024-05-01").date(), "parent_carer", "children_centre", "C1",
              "The stay and play sessions are brilliant." if i % 2 else "The opening hours do not suit us.", None, None)
             for i in range(n_extra)]
    return pd.concat([feedback, pd.DataFrame(extra, columns=feedback.columns)], ignore_index=True)


def test_page_renders_on_the_tiny_extract(tiny):
    at = open_app(PAGE)
    assert not errors(at)
    assert "What parents, staff and volunteers said" in [t.value for t in at.title]
    shown = texts(at)
    # 5 comments: R1 R2 R5 parents, R3 staff, R4 volunteer; each count below 5 is c.
    assert "**5 comments** from all consultations: c parents and carers, c staff, c volunteers." in shown
    # Nothing personal from R4 reaches the page.
    assert "07700" not in shown and "jane@example.org" not in shown and "Jane Smith" not in shown
    assert "My name is \\[name removed\\]" in shown


def test_too_few_comments_stop_with_a_sentence(tiny):
    at = open_app(PAGE, consultation="Review 2023", respondent_type="staff")
    assert not errors(at)
    # 5 comments in Review 2023 is enough; the page goes on, filtered to staff in the quotes: R3 only.
    assert "1 quote." in texts(at)


def test_url_parameters_choose_consultation_theme_respondent_and_search(make_extract):
    make_extract(feedback=more_feedback())
    at = open_app(PAGE, consultation="Survey 2024", theme="activities_for_children", respondent_type="parent_carer", q="brilliant")
    assert not errors(at)
    assert at.selectbox(key="consultation").value == "Survey 2024"
    assert at.selectbox(key="theme").value == "activities_for_children"
    assert at.selectbox(key="respondent_type").value == "parent_carer"
    assert at.text_input(key="q").value == "brilliant"
    # Survey 2024: S1 S3 S5 S7 S9 are about stay and play and say brilliant: 5 quotes.
    assert "5 quotes containing “brilliant”." in texts(at)


@pytest.mark.parametrize("hostile", ["'; drop table feedback; --", "%", "_", "<script>alert(1)</script>", "\"unclosed"])
def test_hostile_search_is_data(make_extract, hostile):
    make_extract(feedback=more_feedback())
    at = open_app(PAGE, q=hostile)
    assert not errors(at)
    assert "0 quotes containing" in texts(at)
    assert "<script>" not in texts(at)
    # The table is still there.
    assert len(run("feedback_comments")) == 15


def test_hostile_url_codes_fall_back_with_a_note(tiny):
    at = open_app(PAGE, consultation="x' or 1=1 --", theme="not_a_theme")
    assert not errors(at)
    assert at.selectbox(key="consultation").value == "all"
    assert at.selectbox(key="theme").value == "all"
    assert "which this extract does not have" in texts(at)


def test_marking_a_quote_as_evidence(tiny):
    at = open_app(PAGE)
    at.checkbox(key="evidence_R4").check().run()
    assert not errors(at)
    assert at.session_state["evidence_quotes"] == [{
        "response_id": "R4", "consultation": "Review 2023", "respondent_type": "Volunteers",
        "site": "Eastfield Children's Centre",
        "quote": "My name is [name removed], call me on [phone removed] or [email removed].",
        "themes": [], "sentiment": "neutral",
    }]
    assert "**1 quote marked as evidence**" in texts(at)
    at.checkbox(key="evidence_R4").uncheck().run()
    assert at.session_state["evidence_quotes"] == []


def decode(values):
    """Plotly sends numeric arrays as base64 typed arrays."""
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return array.reshape([int(n) for n in str(values.get("shape", len(array))).split(",")])
    return np.asarray(values)


def test_charts_suppress_small_numbers(make_extract):
    make_extract(feedback=more_feedback())
    at = open_app(PAGE)
    assert not errors(at)
    figures = plotly_figures(at)
    # The answer's chart first: the two themes that can be shown, as whole percentages of the 15 comments.
    answer = [trace for trace in figures[0]["data"] if trace["type"] == "bar"][0]
    assert dict(zip(answer["y"], decode(answer["x"]).ravel())) == {"Activities for children": 47, "Opening hours and travel": 40}
    bars = [trace for trace in figures[1]["data"] if trace["type"] == "bar"]
    # All 15 comments: activities R1 R2 + S1 S3 S5 S7 S9 = 7 (47%); opening hours R2 + S0 S2 S4 S6 S8 = 6 (40%).
    # Everything else is 1 or 2 comments, so not drawn.
    drawn = {y for trace in bars for y in trace["y"]}
    assert drawn == {"Activities for children", "Opening hours and travel"}
    # The most raised theme (activities, 7) is the top bar, although the codebook lists opening hours first;
    # plotly draws a category array from the bottom up.
    assert figures[1]["layout"]["yaxis"]["categoryarray"] == ["Opening hours and travel", "Activities for children"]
    # Activities: positive 6 (R1, S1..S9) and mixed 1 (R2): the lone small segment merges with the positive one, 7.
    # Opening hours: negative 5 (S0..S8) and mixed 1 (R2): merged, 6. No segment of 1 to 4 is ever drawn.
    segments = {(trace["name"], y): int(n) for trace in bars for y, n in zip(trace["y"], decode(trace["customdata"]).ravel())}
    assert segments == {("Sentiment not shown (small numbers)", "Opening hours and travel"): 6,
                        ("Sentiment not shown (small numbers)", "Activities for children"): 7}
    # The co-occurrence heatmap writes c where a pair is small, and draws no colour for it.
    heatmap = next(f for f in figures if f["data"] and f["data"][0]["type"] == "heatmap")["data"][0]
    # Its themes run from the most raised, as in the bar chart; the rest (c) follow in codebook order.
    assert heatmap["x"][:2] == ["Activities for children (7)", "Opening hours and travel (6)"]
    cells = [(t, z) for row_t, row_z in zip(heatmap["text"], heatmap["z"]) for t, z in zip(row_t, row_z) if t not in ("", "0")]
    assert cells and all(t == "c" and z is None for t, z in cells)


def test_extract_codebook_is_used_and_a_broken_one_is_reported(make_extract):
    folder = make_extract()
    (folder / "codebook.yaml").write_text("themes:\n  - code: Bad Code\n    label: x\n", encoding="utf-8")
    at = open_app(PAGE)
    assert not errors(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "The codebook from the extract cannot be used" in warnings and "The project's own codebook is used instead." in warnings


def test_page_without_feedback_table_says_so(make_extract):
    make_extract(feedback=None)
    at = open_app(PAGE)
    assert not errors(at)
    assert "feedback" in " ".join(e.value for e in at.error)


def site_c1_metrics(make_extract, **tables):
    """The Feedback page's figures for site C1, on the tiny extract with more feedback (and any other tables given)."""
    make_extract(feedback=more_feedback(), **tables)
    at = open_app(PAGE, site="C1")
    assert not errors(at)
    return at, {m.label: m.value for m in at.metric}


def test_site_profile_sits_beside_reach_and_footfall(make_extract):
    _, metrics = site_c1_metrics(make_extract)
    # C1: R1 R4 + S0..S9 = 12 comments, but c: with all 15 shown, 15 - 12 = 3 would pin L1 (R2), C2 (R3)
    # and the comment about no site (R5) to 0 to 3 together, so the plan hides C1's 12 too.
    # Most deprived 30% reach 3 of 10 is c (3 < 5); visits 120 + 80 = 200.
    assert metrics["Comments about this site"] == "c"
    assert metrics["Reach, most deprived 30%, 2023-24"] == "c"
    assert metrics["Visits, 2023-24"] == "200"


def test_site_figures_say_so_when_their_tables_are_broken(make_extract):
    # The areas table is broken (a text decile): reach cannot be counted, but what people said still stands.
    at, metrics = site_c1_metrics(make_extract, areas=tables()["areas"].astype({"imd_decile": str}))
    assert metrics["Comments about this site"] == "c"  # as above
    assert metrics["Reach, most deprived 30%, 2023-24"] == "not available"
    assert metrics["Visits, 2023-24"] == "200"
    assert "Binder Error" not in texts(at)
