"""Theme coding beyond single words: word forms, weak words, exclusions, meaning by example
sentences, the "needs a person" list, the evaluation set and how far to trust each theme.

The meaning rules are checked with a stand-in embedder whose similarities can be worked
out by hand (shared words over the square root of the product of the word counts); one test
checks the real embeddings load from the installed package with no download.
"""

import math

import numpy as np
import pandas as pd
import pytest

from scrutiny import evaluation, meaning
from scrutiny.topics.feedback import codebook as fb_codebook
from scrutiny.topics.feedback import coding as fb_coding
from scrutiny.topics.feedback import figures as fb_figures
from scrutiny.topics.feedback import sentiment as fb_sentiment
from scrutiny.topics.feedback import tables as fb_tables
from tests.helpers import open_app, texts


class WordsEmbedder:
    """Each text as its set of content words, unit length: the cosine of two texts is
    (shared words) / sqrt(words in one x words in the other)."""

    def embed(self, texts):
        rows = [sorted(set(meaning.content_words(t).split())) for t in texts]
        vocabulary = sorted({w for row in rows for w in row})
        out = np.zeros((len(texts), max(len(vocabulary), 1)), dtype=np.float32)
        for i, row in enumerate(rows):
            for word in row:
                out[i, vocabulary.index(word)] = 1 / math.sqrt(len(row))
        return out


class FixedVocabulary(WordsEmbedder):
    """The same, over one vocabulary for every call (so that examples and comments share columns)."""

    VOCABULARY = ("bus", "stopped", "running", "hall", "cold", "staff", "kind", "late", "toys",
                  "lovely", "route", "cut", "village", "damp", "rude")

    def embed(self, texts):
        out = np.zeros((len(texts), len(self.VOCABULARY)), dtype=np.float32)
        for i, text in enumerate(texts):
            words = [w for w in set(meaning.content_words(text).split()) if w in self.VOCABULARY]
            for word in words:
                out[i, self.VOCABULARY.index(word)] = 1 / math.sqrt(len(words))
        return out


BOOK = fb_codebook.parse_codebook({"themes": [
    {"code": "travel", "label": "Travel", "phrases": ["two buses"], "weak": ["bus"],
     "examples": ["The bus stopped running", "The bus route was cut"]},
    {"code": "building", "label": "Building", "phrases": ["toilets"], "weak": ["hall"],
     "examples": ["The hall is cold and damp"]},
    {"code": "staffing", "label": "Staffing", "phrases": ["rude"], "exclude": ["rude awakening"],
     "examples": ["The staff are kind", "The staff were late"]},
    {"code": "activities", "label": "Activities", "phrases": ["stay and play"], "weak": ["sessions", "groups"]},
]})


@pytest.fixture
def coder():
    return fb_coding.Coder(BOOK, embedder=FixedVocabulary())


# --- Word forms ------------------------------------------------------------------------------------

def test_a_word_stands_for_its_forms_by_lemminflect():
    assert fb_codebook.word_forms("session") == ("sessions", "session")
    # A verb in its base form: its -s and past forms, never the -ing form.
    assert set(fb_codebook.word_forms("listen")) == {"listen", "listens", "listened"}
    # A plural noun stands for the noun only: "volunteers" is not "volunteering".
    assert set(fb_codebook.word_forms("volunteers")) == {"volunteer", "volunteers"}
    # Past forms, and words with an apostrophe, stand for themselves.
    assert fb_codebook.word_forms("closed") == ("closed",)
    assert fb_codebook.word_forms("can't") == ("can't",)


def test_forms_code_without_hand_written_endings(coder):
    assert coder.code("Parents were listened to.").themes == {}  # not in this codebook
    project = fb_coding.Coder(fb_codebook.codebook_for(None)[0], embedder=None)
    assert project.code("The toilet was filthy.").themes["building_facilities"] == ["toilet"]
    assert project.code("They never listened.").themes["being_listened_to"] == ["never listened"]


# --- Precision first: weak words and set phrases ---------------------------------------------------

def test_a_weak_word_alone_codes_nothing(coder):
    assert coder.code("The sessions are on Tuesdays.").themes == {}


def test_a_weak_word_with_other_evidence_codes_its_theme(coder):
    # With a phrase of the theme: both shown, in the order found.
    assert coder.code("The stay and play sessions are full.").themes == {"activities": ["stay and play", "sessions"]}
    # With a second, different weak word of the theme.
    assert coder.code("The sessions and groups are full.").themes == {"activities": ["sessions", "groups"]}


def test_a_weak_word_confirmed_by_meaning_shows_the_example(coder):
    # "bus" is weak; the sentence "the bus is late" has the words {bus, late}: against the example
    # "The bus stopped running" {bus, stopped, running} the similarity is 1 / sqrt(2 x 3) = 0.41,
    # under CONFIRM (0.45): not coded.
    assert coder.code("The bus is late.").themes == {}
    # "The bus route was cut today" {bus, route, cut}: like "The bus route was cut", similarity 1.00.
    coded = coder.code("The bus route was cut today.")
    assert coded.themes["travel"][0] == "bus"
    assert coded.confirmed["travel"] == "like: ‘The bus route was cut’ 1.00"


def test_a_set_phrase_that_misfires_is_excluded_as_a_phrase(coder):
    assert coder.code("It was a rude awakening.").themes == {}
    assert coder.code("The woman at the desk was rude.").themes == {"staffing": ["rude"]}


@pytest.mark.parametrize("comment, not_this, but_this", [
    ("It's a shame it's closing.", "stigma", "service_organisation"),
    ("I referred my son to the library.", "joined_up_working", None),
    ("I got access to information about groups.", "access", "information_advice"),
    ("Thanks to all the staff.", "quality_of_staffing", None),
])
def test_project_codebook_handles_misfiring_set_phrases(comment, not_this, but_this):
    coded = fb_coding.Coder(fb_codebook.codebook_for(None)[0], embedder=None).code(comment).themes
    assert not_this not in coded
    if but_this:
        assert but_this in coded


# --- Meaning: a sentence with no phrase, and what goes to a person --------------------------------

def test_a_sentence_close_to_an_example_codes_the_theme_with_the_reason(coder):
    # {staff, kind} against the example with the same words: 1.00, and no other theme is close (no phrase either).
    assert coder.code("The staff are kind to us.").themes == {"staffing": ["like: ‘The staff are kind’ 1.00"]}


def test_a_sentence_near_a_theme_but_not_close_enough_goes_to_a_person(coder):
    # {staff, cold, damp}: Building's example {hall, cold, damp} 2/3 = 0.67; Staffing's {staff, kind} 1/sqrt(6) = 0.41.
    # 0.67 is under ADD (0.70) but over UNCLEAR (0.40): a person reads it, and no theme is guessed.
    coded = coder.code("Staff said it is cold and damp.")
    assert coded.themes == {}
    assert [u["why"] for u in coded.unclear] == ["no clear theme"]
    assert [(code, round(similarity, 2)) for code, similarity, _ in coded.unclear[0]["candidates"]] == [
        ("building", 0.67), ("staffing", 0.41)]
    # A sentence with nothing near any theme is clearly about none: not listed.
    assert coder.code("We have been coming since 2019.").unclear == []


def test_a_theme_too_close_to_another_is_not_guessed():
    # Two themes with the same example: 1.00 each, a margin of 0 < MARGIN.
    book = fb_codebook.parse_codebook({"themes": [
        {"code": "a", "label": "A", "phrases": ["xyz"], "examples": ["The toys are lovely"]},
        {"code": "b", "label": "B", "phrases": ["xyz"], "examples": ["The toys are lovely"]},
    ]})
    coded = fb_coding.Coder(book, embedder=FixedVocabulary()).code("The toys are lovely.")
    assert coded.themes == {}
    assert coded.unclear[0]["why"] == "two themes too close to call"


def test_a_theme_with_no_examples_codes_by_phrases_alone(coder):
    assert coder.code("We love stay and play.").themes == {"activities": ["stay and play"]}


def test_a_councils_own_codebook_with_examples_works_the_same_way(tmp_path):
    (tmp_path / "codebook.yaml").write_text(
        "themes:\n"
        "  - code: transport\n    label: Transport\n    phrases: [minibus]\n"
        "    examples: ['The bus stopped running']\n", encoding="utf-8")
    book, note = fb_codebook.codebook_for(tmp_path)
    assert note is None and book.themes[0].examples == ("The bus stopped running",)
    coded = fb_coding.Coder(book, embedder=FixedVocabulary()).code("Since the bus stopped running we stay home.")
    assert coded.themes == {"transport": ["like: ‘The bus stopped running’ 1.00"]}


@pytest.mark.parametrize("comment", ["", "   \n\t ", None, "word " * 4000, "x" * 20000])
def test_empty_blank_and_very_long_comments_are_coded_without_error(comment):
    coded = fb_coding.Coder(fb_codebook.codebook_for(None)[0]).code(comment)
    assert isinstance(coded.themes, dict) and coded.sentiment in fb_sentiment.SENTIMENT_ORDER


# --- The real embeddings, offline, and what happens when they cannot load -------------------------

def test_embeddings_ship_in_the_package_and_load_without_a_download():
    import wordllama
    from pathlib import Path

    folder = Path(wordllama.__file__).parent
    assert (folder / "weights" / "l2_supercat_256.safetensors").is_file()
    embedder, note = meaning.embedder()
    assert note is None
    vectors = embedder.embed(["The bus stopped running", "the BUS stopped running!"])
    # Case and punctuation do not change a text's vector; small words are dropped first.
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0, abs=1e-5)


def test_embeddings_that_cannot_load_give_one_sentence_and_phrase_only_coding(monkeypatch):
    def broken():
        raise OSError("the weights file is truncated")

    monkeypatch.setattr(meaning, "_load", broken)
    meaning.embedder.cache_clear()
    try:
        embedder, note = meaning.embedder()
        assert embedder is None
        assert note == ("Comments are coded into themes by the codebook's phrases only: the word embeddings that "
                        "compare each comment with the themes' example sentences (the wordllama package) could not "
                        "be loaded (the weights file is truncated).")
        coded = fb_coding.Coder(fb_codebook.codebook_for(None)[0]).code("The staff were friendly.")
        assert coded.themes == {"quality_of_staffing": ["staff", "friendly"]} and coded.unclear == []
    finally:
        meaning.embedder.cache_clear()


def test_about_the_data_says_when_the_embeddings_cannot_load(tiny, monkeypatch):
    monkeypatch.setattr(meaning, "embedder", lambda: (None, "Comments are coded into themes by the codebook's phrases only."))
    at = open_app("pages/data.py")
    assert not at.exception
    assert "Comments are coded into themes by the codebook's phrases only." in texts(at)


# --- The evaluation set and the figures behind "how far to trust it" ----------------------------------

def test_evaluation_set_is_real_sourced_and_split_by_source():
    frame = evaluation.comments()
    sources = evaluation.sources()
    assert len(frame) >= 300 and frame["id"].is_unique and frame["text"].is_unique
    assert set(frame["source"]) <= set(sources)
    for source in sources.values():
        assert source["title"] and source["publisher"] and source["url"].startswith("http") and source["terms"]
    assert {t for ts in frame["themes"] for t in ts} <= set(evaluation.CODES)
    # The split is fixed by the source: every comment of a source on the same side.
    assert all(evaluation.split_for(s) == split for s, split in zip(frame["source"], frame["split"]))
    assert frame.groupby("source")["split"].nunique().max() == 1
    assert evaluation.split_for("knowsley") == "held_out" and evaluation.split_for("barnet_unison") == "tuning"


def test_scores_worked_by_hand():
    truth = [["a"], ["a", "b"], [], ["b"]]
    predicted = [["a"], ["a"], ["b"], ["a", "b"]]
    scores = evaluation.score(truth, predicted, ["a", "b", "c"])
    table = scores.per_theme.set_index("theme")
    # a: people 2, coder 3, both 2 -> P 2/3, R 1, F1 0.8. b: people 2, coder 2, both 1 -> P R F1 0.5.
    assert table.loc["a", ["people", "coder", "both"]].tolist() == [2, 3, 2]
    assert (table.loc["a", "f1"], table.loc["b", "f1"]) == pytest.approx((0.8, 0.5))
    # Micro: both 3, coder 5, people 4 -> P 0.6, R 0.75, F1 2*.6*.75/1.35 = 0.667; macro over a and b only.
    assert (scores.micro_precision, scores.micro_recall) == pytest.approx((0.6, 0.75))
    assert scores.micro_f1 == pytest.approx(2 / 3)
    assert scores.macro_f1 == pytest.approx(0.65)
    assert math.isnan(table.loc["c", "f1"])
    # Every comment {a}: P 2/4, R 2/4 -> 0.5; every comment {a, b}: both 4 of 8 given, 4 of 4 -> F1 0.667.
    chosen, best = evaluation.best_constant_guess(truth, ["a", "b", "c"])
    assert chosen == ["a", "b"] and best.micro_f1 == pytest.approx(2 / 3)


def test_held_out_agreement_meets_the_targets():
    # The figures in the README and on the Feedback page (python -m scrutiny.evaluation).
    book = fb_codebook.codebook_for(None)[0]
    trust = fb_figures.theme_trust(book)
    assert trust.attrs["comments"] == 140
    assert trust.attrs["micro_f1"] >= 0.70 and trust.attrs["macro_f1"] >= 0.45
    assert trust.attrs["micro_f1"] >= trust.attrs["best_constant_f1"] + 0.05


@pytest.mark.parametrize("checked, people, coder, precision, recall, reason", [
    (False, 0, 3, 0.0, float("nan"), "not among the themes people coded the check comments with"),
    (True, 0, 2, 0.0, float("nan"), "none of the check comments was about it, so how well it agrees is unknown"),
    (True, 4, 4, 1.0, 1.0, "fewer than 5 of the check comments were about it, too few to judge"),
    (True, 10, 10, 0.6, 0.6, "precision 0.60: three or more in ten of the comments it counts are not about it"),
    (True, 10, 4, 1.0, 0.4, "recall 0.40: it misses more than half of the comments about it"),
    (True, 10, 8, 0.75, 0.6, ""),
])
def test_treat_with_care_rule(checked, people, coder, precision, recall, reason):
    assert fb_figures.care_reason(checked, people, coder, precision, recall) == reason


def test_unclear_sentences_are_listed_for_a_person():
    frame = pd.DataFrame({"response_id": ["R1", "R2"], "unclear": [
        [{"clause": "staff said the hall is cold", "why": "no clear theme",
          "candidates": [("building", 0.667, "The hall is cold and damp"), ("staffing", 0.408, "The staff are kind")]}], []]})
    table = fb_tables.unclear_table(frame, BOOK)
    assert table.to_dict("records") == [{
        "Response": "R1", "Clause": "staff said the hall is cold", "Why": "no clear theme",
        "Nearest themes": "Building 0.67 (like ‘The hall is cold and damp’); Staffing 0.41 (like ‘The staff are kind’)"}]
