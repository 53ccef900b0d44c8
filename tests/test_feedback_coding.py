"""Theme coding, negation, the codebook file, masking of personal data and search.

The speed of coding 10,000 comments is measured by benchmarks/feedback_coding.py, not by a timed test."""

import pandas as pd
import pytest

from scrutiny.topics.feedback import codebook as fb_codebook
from scrutiny.topics.feedback import coding as fb_coding
from scrutiny.topics.feedback import figures as fb_figures
from scrutiny.topics.feedback import masking as fb_masking
from scrutiny.topics.feedback import sentences as fb_sentences


@pytest.fixture(scope="module")
def codebook():
    book, note = fb_codebook.codebook_for(None)
    assert note is None
    return book


@pytest.fixture(scope="module")
def coder(codebook):
    return fb_coding.Coder(codebook)


# --- Themes and their triggers --------------------------------------------------------------------

@pytest.mark.parametrize("comment, themes", [
    # comment -> {theme: triggers}, worked out from scrutiny/codebook.yaml by hand.
    ("The staff were friendly and the stay and play sessions are brilliant.",
     {"quality_of_staffing": ["staff", "friendly"], "activities_for_children": ["stay and play", "sessions"]}),
    ("Rhymetime is great but the opening hours do not suit working parents.",
     {"opening_hours_travel": ["opening hours", "do not suit"], "activities_for_children": ["rhymetime"]}),
    # Negated theme phrase: still codes the theme, and the trigger shows the negation.
    ("We are not joined up with the library team; referrals get lost.",
     {"joined_up_working": ["not joined up", "library team", "referrals get lost"]}),
    ("The advice on sleep was not helpful.",
     {"quality_of_care": ["not helpful"], "information_advice": ["advice"]}),
    ("I felt judged going to the centre, there is a stigma.", {"stigma": ["judged", "stigma"]}),
    # Longest phrase wins at one place: "helpful" (positive), not "help*".
    ("Helpful advice.", {"quality_of_care": ["helpful"], "information_advice": ["helpful advice"]}),
    # Whole words only: "session*" does not match inside "obsessions", nor "volunteers" in "volunteering".
    ("My obsessions aside, volunteering is fun.", {}),
    ("Two buses and £3.50 each way.", {"opening_hours_travel": ["two buses"], "cost": ["£3.50"]}),
    # Set phrases in the codebook's ignore list code nothing.
    ("Thanks to all the staff.", {}),
    # No theme at all.
    ("I have been coming since 2019.", {}),
    ("", {}),
])
def test_themes_and_triggers(coder, comment, themes):
    assert coder.code(comment).themes == themes


def test_negation_reaches_three_words_in_the_same_clause(coder):
    # "not" is three words before "listened": negated. A comma ends the reach of a negation.
    assert coder.code("We were not really listened to.").themes["being_listened_to"] == ["not really listened"]
    assert coder.code("Not great, but they listened.").themes["being_listened_to"] == ["listened"]


def test_pre_coded_themes_are_kept_and_the_codebook_codes_the_rest(codebook):
    frame = pd.DataFrame({
        "response_id": ["A", "B", "C"],
        "comment": ["The staff were friendly.", "The staff were friendly.", "Call me on 07700 900123."],
        "themes": [["cost"], None, []],
        "sentiment": ["negative", None, None],
    })
    coded = fb_coding.code_comments(frame, codebook).set_index("response_id")
    # A keeps the source's theme and sentiment; "cost" has no phrase in it, so its trigger says who coded it.
    assert coded.loc["A", "themes"] == ["cost"]
    assert coded.loc["A", "triggers"] == {"cost": [fb_codebook.GIVEN]}
    assert (coded.loc["A", "sentiment"], coded.loc["A", "sentiment_source"]) == ("negative", "source")
    # ... while the codebook's own blind coding is kept for the agreement check.
    assert coded.loc["A", "codebook_themes"] == ["quality_of_staffing"]
    assert coded.loc["A", "computed_sentiment"] == "positive"
    # B was not coded by the source: the codebook codes it and the sentiment is computed.
    assert coded.loc["B", "themes"] == ["quality_of_staffing"]
    assert (coded.loc["B", "sentiment"], coded.loc["B", "sentiment_source"]) == ("positive", "computed")
    # C was coded by the source as having no theme: that is kept too. The raw comment never leaves.
    assert coded.loc["C", "themes"] == [] and coded.loc["C", "theme_source"] == "source"
    assert "comment" not in coded.columns
    assert coded.loc["C", "quote"] == "Call me on [phone removed]."


# --- The codebook file ----------------------------------------------------------------------------

def test_project_codebook_has_the_healthwatch_and_field_themes(codebook):
    assert codebook.codes == [
        "access", "building_facilities", "continuity_of_care", "public_involvement", "quality_of_care",
        "quality_of_staffing", "quality_of_treatment", "service_organisation", "stigma", "peer_support",
        "information_advice", "joined_up_working", "opening_hours_travel", "cost", "activities_for_children",
        "being_listened_to",
    ]
    assert all(theme.label and theme.description for theme in codebook.themes)


@pytest.mark.parametrize("text, message", [
    ("themes: [", "is not valid YAML at line"),
    ("just words", "must have a `themes:` list"),
    ("themes: []", "must have a `themes:` list"),
    ("themes:\n  - {code: Access, label: A, phrases: [a]}", "lower case snake_case"),
    ("themes:\n  - {code: a, label: A, phrases: [x]}\n  - {code: a, label: B, phrases: [y]}", "theme a appears twice"),
    ("themes:\n  - {code: a, phrases: [x]}", "theme a has no label"),
    ("themes:\n  - {code: a, label: A}", "could never be coded"),
    ("themes:\n  - {code: a, label: A, phrases: [1, 2]}", "phrases must be a list of words"),
    ("themes:\n  - {code: a, label: A, patterns: ['(']}", "is not a valid regular expression"),
    ("themes:\n  - {code: a, label: A, patterns: ['(?P<x>y)']}", "must not name its groups"),
    # yaml.safe_load refuses to build Python objects.
    ("!!python/object/apply:os.system ['echo hi']", "is not valid YAML"),
])
def test_broken_codebook_gives_a_sentence(tmp_path, text, message):
    (tmp_path / "codebook.yaml").write_text(text, encoding="utf-8")
    book, note = fb_codebook.codebook_for(tmp_path)
    assert book.origin == "the project"
    assert message in note
    assert note.endswith("The project's own codebook is used instead.")


def test_extract_codebook_replaces_the_project_one(tmp_path):
    (tmp_path / "codebook.yaml").write_text(
        "themes:\n"
        "  - code: nappies\n    label: Nappies\n    phrases: [nappy, nappies]\n    negative: [no changing mat]\n",
        encoding="utf-8",
    )
    book, note = fb_codebook.codebook_for(tmp_path)
    assert note is None and book.origin == "the extract" and book.codes == ["nappies"]
    coded = fb_coding.Coder(book).code("There was no changing mat for nappies and the staff were rude.")
    assert coded.themes == {"nappies": ["no changing mat", "nappies"]}


# --- Masking personal data ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, masked", [
    ("Email jane.o'brien+1@mail.example.co.uk please", "Email [email removed] please"),
    ("Ring 07700 900123 today", "Ring [phone removed] today"),
    ("Ring 07700900123", "Ring [phone removed]"),
    ("call +44 7700 900123", "call [phone removed]"),
    ("call +44 (0)1604 123456", "call [phone removed]"),
    ("Ring (01604) 123 456 or 020 7946 0958", "Ring [phone removed] or [phone removed]"),
    ("We live at NN1 2AB near the park", "We live at [postcode removed] near the park"),
    ("postcode nn12ab", "postcode [postcode removed]"),
    ("My name is Jane Smith and I", "My name is [name removed] and I"),
    ("my name is jane", "my name is [name removed]"),
    ("I'm called Aisha.", "I'm called [name removed]."),
    ("I am Tom, a dad", "I am [name removed], a dad"),
    ("I’m Priya Shah", "I’m [name removed]"),
    ("my son Oliver loves it", "my son [name removed] loves it"),
    ("Mrs Patel and Dr. Jones were kind", "Mrs [name removed] and Dr. [name removed] were kind"),
    ("follow @wealdmums", "follow [handle removed]"),
    ("My name is Jane Smith, call me on 07700 900123 or jane@example.org.",
     "My name is [name removed], call me on [phone removed] or [email removed]."),
    # Not personal data: left alone.
    ("I am tired and I'm not sure", "I am tired and I'm not sure"),
    ("with my son. It's a short walk", "with my son. It's a short walk"),
    ("We came 3 times since 2019, on 01/02/2023", "We came 3 times since 2019, on 01/02/2023"),
    ("Sessions cost £3.50", "Sessions cost £3.50"),
    (None, ""),
])
def test_masking(raw, masked):
    assert fb_masking.mask_personal_data(raw) == masked


# --- Search: text is data -----------------------------------------------------------------------------

QUOTES = pd.Series([
    "O'Brien's hub is 100% brilliant",
    "The stay and play was fun; drop table feedback; -- said no one",
    "stay, then play",
    "snake_case and 50% off",
    "Nothing here",
])


@pytest.mark.parametrize("text, expected", [
    ("stay play", [1, 2]),                       # every word, anywhere
    ('"stay and play"', [1]),                     # a quoted phrase, exactly
    ("O'Brien's", [0]),                           # a quote mark is just a character
    ("'; drop table feedback; --", []),           # SQL-like text is searched for, literally
    ("drop table feedback;", [1]),
    ("%", [0, 3]),                                # not a wildcard
    ("_", [3]),                                   # not a wildcard
    (".*", []),                                   # not a pattern
    ("", [0, 1, 2, 3, 4]),
    ("   ", [0, 1, 2, 3, 4]),
])
def test_search_is_literal(text, expected):
    assert list(QUOTES[fb_figures.search(QUOTES, text)].index) == expected


def test_markdown_is_made_inert():
    assert fb_sentences.md_escape("![x](http://e.com) <b>$1$</b>\nnew") == r"\!\[x\]\(http\://e\.com\) \<b\>\$1\$\</b\> new"
