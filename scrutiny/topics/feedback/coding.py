"""Coding comments with the codebook: themes a reviewer can audit, and why.

The codebook (scrutiny/codebook.yaml, or codebook.yaml in the extract
folder, which replaces it) lists each theme's phrases. A phrase codes its
theme when it appears as whole words; the phrase found is kept as the
trigger ("why this theme"). Comments that arrive with pre-coded `themes`
keep them; the codebook codes the rest. Pre-coded comments are also coded
by the codebook, blind to their codes, so that `agreement` can report
precision and recall per theme.

Precision first (Coder): a word stands for its forms (word_forms, from
lemminflect); weak words need other evidence; excluded set phrases are
blanked for their theme; a sentence with no phrase is compared with the
themes' example sentences by meaning (scrutiny/meaning.py), and one that is
unclear goes to "needs a person". The cut-offs (CONFIRM, ADD, MARGIN,
UNCLEAR) were chosen on the 191 tuning comments of scrutiny/evaluation:
phrases alone scored micro F1 0.76 there; confirming weak words by meaning
at 0.35 to 0.45 gave 0.77 (at 0.55, 0.76); adding themes by meaning alone
lowered precision at every cut-off under 0.70 (micro F1 0.75 to 0.77), so
ADD is 0.70, where it seldom fires. On the 140 held-out comments: micro F1
0.74, macro 0.68 (phrases alone 0.74 and 0.70); the best constant guess 0.33.

Negation
A phrase with "not", "never", "don't", "no" ... up to three words before it
in the same clause still codes its theme (the theme is discussed), and the
trigger shows the negation ("not joined up"). A phrase the codebook marks
positive or negative then counts with the opposite polarity.

Speed
Patterns are compiled once per codebook, and each theme's regular
expression is tried only where one of its phrases could begin (an index of
first words), which is about ten times faster than scanning every
character. Coding 10,000 comments of about 100 characters takes about
2.5 s of CPU (tests/test_feedback_coding.py holds it under 5 s); the result
is cached once per data version and codebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from scrutiny import queries
from scrutiny.contract import SENTIMENTS
from scrutiny.topics.feedback.codebook import GIVEN, _TOKEN, Codebook, codebook_for
from scrutiny.topics.feedback.masking import mask_personal_data
from scrutiny.extract import data_dir, data_version
from scrutiny.topics.feedback.sentiment import DOMAIN_WEIGHT, classify_sentiment, vader_scorer


# --- Coding one comment ------------------------------------------------------------------------

NEGATORS = frozenset({
    "not", "no", "never", "nobody", "none", "nothing", "nowhere", "without", "hardly", "barely", "cannot",
    "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt", "couldnt",
    "shouldnt", "havent", "hasnt", "hadnt", "neither", "nor", "lack", "lacks", "lacking",
})
NEGATION_WINDOW = 3
# Negation does not reach across a clause; a comma ends it too ("no bus, but the staff are friendly").
_NEGATION_STOP = re.compile(r"[.!?;:,]|\b(?:but|however|although|though|whereas|yet)\b")
# Sentiment is judged clause by clause, so that "great but too far" can be mixed.
_CLAUSE_BREAK = re.compile(r"[.!?;,]+|\b(?:but|however|although|though|whereas)\b")


def _negator_at(window: str) -> int | None:
    """Where, in the text just before a phrase, a negation starts (None when there is none)."""
    stops = list(_NEGATION_STOP.finditer(window))
    start = stops[-1].end() if stops else 0
    words = list(_TOKEN.finditer(window, start))[-NEGATION_WINDOW:]
    for word in words:
        token = word.group(0).lower().replace("'", "")
        if token in NEGATORS or token.endswith("nt") and word.group(0).lower().endswith("n't"):
            return word.start()
    return None


# Meaning (scrutiny/meaning.py): cut-offs on the cosine similarity of a clause to a theme's nearest
# example sentence. Chosen on the tuning part of the evaluation set (scrutiny/evaluation), never on
# the held-out part; the module docstring gives the figures behind them.
CONFIRM = 0.45   # a weak word codes its theme when a clause of the comment is this close to one of its examples
ADD = 0.70       # a clause codes a theme with no phrase at all when it is this close to one of its examples,
MARGIN = 0.05    # and this much closer than to any other theme's; otherwise the two are too close to call
UNCLEAR = 0.40   # a clause with no theme of its own that is this close to some theme needs a person

# Meaning is judged sentence by sentence (a comma does not end a thought); "but" and a dash do.
_SENTENCE_BREAK = re.compile(r"[.!?;:…]+(?=\W|$)|\s[–—-]\s|\bbut\b")
_MIN_WORDS = 3


@dataclass
class CodedText:
    themes: dict[str, list[str]]      # theme code -> reasons: trigger phrases in the order found, or "like: ..."
    polar: list[tuple[int, int]]      # (position, +1 / -1) for each polar phrase, after negation
    score: float
    sentiment: str
    # Clauses a person should read: {"clause", "why", "candidates": [(code, similarity, example), ...]}.
    unclear: list[dict] = field(default_factory=list)
    # Themes whose weak word was confirmed by meaning: code -> "like: ..." (shown beside the word).
    confirmed: dict[str, str] = field(default_factory=dict)


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for brk in _CLAUSE_BREAK.finditer(text):
        if brk.start() > start:
            spans.append((start, brk.start()))
        start = brk.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and parts split at "but" or a dash) with at least three words."""
    spans, start = [], 0
    for brk in _SENTENCE_BREAK.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if len(_TOKEN.findall(text[a:b])) >= _MIN_WORDS]


def like(example: str, similarity: float) -> str:
    """The reason shown for a theme found by meaning: the nearest example and how close it is."""
    return f"like: ‘{example}’ {similarity:.2f}"


class Coder:
    """Codes comments with one codebook, one sentiment scorer and (when it loads) the word embeddings.

    A theme is coded when
      - one of its phrases, positive or negative phrases or patterns appears (after its exclusions), or
      - one of its weak words appears with other evidence: a second, different weak word of the theme,
        or a sentence of the comment at least CONFIRM close to one of its examples, or
      - a sentence with no phrase of the theme is at least ADD close to one of its examples and MARGIN
        closer than to any other theme's.
    A sentence that codes no theme of its own but is at least UNCLEAR close to one, or whose two
    nearest themes are both ADD close and too close to call, is listed for a person instead of guessed.
    """

    def __init__(self, codebook: Codebook, scorer=None, embedder="default"):
        self.codebook = codebook
        self.patterns, self.index, self.ignore, self.extras = codebook.compiled()
        self.scorer = scorer or vader_scorer()
        if embedder == "default":
            from scrutiny import meaning
            embedder = meaning.embedder()[0]
        self.codes = codebook.codes
        self.examples = [(t.code, e) for t in codebook.themes for e in t.examples]
        self.embedder = embedder if self.examples else None
        if self.embedder is not None:
            self.example_vectors = self.embedder.embed([e for _, e in self.examples])
            owners = np.asarray([self.codes.index(code) for code, _ in self.examples])
            self.theme_examples = {column: np.flatnonzero(owners == column) for column in sorted(set(owners.tolist()))}

    def phrases(self, text: str) -> tuple[dict, list, list]:
        """Triggers (code -> [(trigger, weak)] in the order found), polar phrases and (code, position) hits in lower-cased text."""
        text = self.without_ignored(text)
        found: dict[str, list[tuple[str, bool]]] = {}
        polar: list[tuple[int, int]] = []
        hits: list[tuple[str, int]] = []
        starts = self.index.starts(text)
        for number in self.index.everywhere:
            starts[number] = [-1]  # -1: scan the whole comment
        for number in sorted(starts):
            code, pattern = self.patterns[number]
            exclude, weak_words = self.extras.get(code, (None, None))
            seen = text if exclude is None else exclude.sub(lambda m: " " * len(m.group(0)), text)
            for match in _matches(pattern, seen, starts[number]):
                polarity = 1 if match.lastgroup == "pos" else -1 if match.lastgroup == "neg" else 0
                negation = _negator_at(text[max(0, match.start() - 80):match.start()])
                trigger = match.group(0)
                is_weak = weak_words is not None and weak_words.fullmatch(trigger) is not None
                if negation is not None:
                    polarity = -polarity
                    trigger = text[max(0, match.start() - 80) + negation:match.end()]
                if polarity:
                    polar.append((match.start(), polarity))
                if code is None:  # a sentiment word: feeling, no theme
                    continue
                trigger = " ".join(trigger.split())
                triggers = found.setdefault(code, [])
                hits.append((code, match.start()))
                if trigger.lower() not in (t.lower() for t, _ in triggers):
                    triggers.append((trigger, is_weak))
        return found, polar, hits

    def without_ignored(self, text: str) -> str:
        """The text with the codebook's ignored set phrases blanked (not removed, so that positions still match)."""
        return text if self.ignore is None else self.ignore.sub(lambda m: " " * len(m.group(0)), text)

    def sentiment(self, text: str, polar: list[tuple[int, int]], original: str | None = None) -> tuple[float, str]:
        """Clause spans are found in the lower-cased text; VADER reads the original (capitals add emphasis)."""
        original = original if original is not None and len(original) == len(text) else text
        scores = []
        for start, end in _clauses(text):
            domain = sum(p for at, p in polar if start <= at < end)
            scores.append(max(-1.0, min(1.0, self.scorer(original[start:end]) + DOMAIN_WEIGHT * domain)))
        return classify_sentiment(scores)

    def _closeness(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each sentence and theme: the similarity to the theme's nearest example (-1 for none), and that example's number."""
        shape = (len(sentences), len(self.codes))
        best, nearest = np.full(shape, -1.0, dtype=np.float32), np.zeros(shape, dtype=np.int64)
        if self.embedder is None or not sentences:
            return best, nearest
        similarity = self.embedder.embed(sentences) @ self.example_vectors.T
        for column, examples in self.theme_examples.items():
            part = similarity[:, examples]
            choice = np.argmax(part, axis=1)
            best[:, column] = part[np.arange(len(sentences)), choice]
            nearest[:, column] = examples[choice]
        return best, nearest

    def code_many(self, texts) -> list[CodedText]:
        """Every text coded; the sentences of all of them are embedded in one batch."""
        prepared = []
        for text in texts:
            original = "" if text is None else str(text).replace("’", "'")
            lowered = original.lower()
            prepared.append((original, lowered, self.phrases(lowered), _sentences(self.without_ignored(lowered))))
        sentences = [lowered[a:b] for _, lowered, _, spans in prepared for a, b in spans]
        best, nearest = self._closeness(sentences)
        out, row = [], 0
        for original, lowered, (triggers, polar, hits), spans in prepared:
            rows = slice(row, row + len(spans))
            row += len(spans)
            themes, unclear, confirmed = self._decide(lowered, triggers, hits, spans, best[rows], nearest[rows])
            score, sentiment = self.sentiment(lowered, polar, original)
            out.append(CodedText(themes, polar, score, sentiment, unclear, confirmed))
        return out

    def code(self, text: str) -> CodedText:
        return self.code_many([text])[0]

    def _decide(self, lowered, triggers, hits, spans, best, nearest) -> tuple[dict, list, dict]:
        found: dict[str, list[str]] = {}
        confirmed: dict[str, str] = {}
        meaning = self.embedder is not None and len(spans) > 0
        for column, code in enumerate(self.codes):
            if code not in triggers:
                continue
            words = [t for t, _ in triggers[code]]
            if not all(weak for _, weak in triggers[code]) or len(words) >= 2:
                found[code] = words
            elif meaning:
                closest = int(np.argmax(best[:, column]))
                if best[closest, column] >= CONFIRM:
                    found[code] = words
                    confirmed[code] = like(self.examples[nearest[closest, column]][1], best[closest, column])
        unclear = []
        if not meaning:
            return found, unclear, confirmed
        for i, (a, b) in enumerate(spans):
            ranking = np.argsort(-best[i], kind="stable")
            first, second = ranking[0], ranking[1] if len(ranking) > 1 else None
            top = float(best[i, first])
            runner_up = float(best[i, second]) if second is not None else -1.0
            own = any(a <= at < b and code in found for code, at in hits)
            candidates = [(self.codes[c], float(best[i, c]), self.examples[nearest[i, c]][1])
                          for c in (first, second) if c is not None and best[i, c] > -1]
            if top >= ADD:
                if top - runner_up >= MARGIN or self.codes[second] in found:
                    found.setdefault(self.codes[first], [like(self.examples[nearest[i, first]][1], top)])
                elif self.codes[first] not in found:
                    unclear.append({"clause": lowered[a:b].strip(), "why": "two themes too close to call",
                                    "candidates": candidates})
            elif not own and top >= UNCLEAR:
                unclear.append({"clause": lowered[a:b].strip(), "why": "no clear theme", "candidates": candidates})
        ordered = {code: found[code] for code in self.codes if code in found}
        return ordered, unclear, confirmed


def _matches(pattern: re.Pattern, text: str, starts: list[int]):
    """Non-overlapping matches beginning at the given positions (like finditer, but only there)."""
    if starts == [-1]:
        yield from pattern.finditer(text)
        return
    end = 0
    for at in sorted(set(starts)):
        if at < end:
            continue
        match = pattern.match(text, at)
        if match:
            end = match.end()
            yield match

# --- Coding a table of comments ----------------------------------------------------------------

def _given_list(value) -> list[str] | None:
    """Pre-coded themes as a list; None when the source did not code the comment."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    return [str(v) for v in list(value) if v is not None and not (np.ndim(v) == 0 and pd.isna(v))]


def code_comments(frame: pd.DataFrame, codebook: Codebook, scorer=None) -> pd.DataFrame:
    """Every comment masked, coded and scored: one row per comment.

    Adds quote (masked; the raw comment column is dropped), themes (list of codes),
    triggers (code -> list of trigger phrases), theme_source, codebook_themes (the
    codebook's own coding, for agreement), given_themes, sentiment, sentiment_source
    sentiment_score and computed_sentiment (computed even where the source gave one, for checking).
    """
    coder = Coder(codebook, scorer)
    out = frame.drop(columns=["comment"]).copy()
    quotes = [mask_personal_data(comment) for comment in frame["comment"]]
    themes, triggers, theme_source, codebook_themes, given_themes = [], [], [], [], []
    sentiments, sentiment_source, scores, computed, unclear, confirmed = [], [], [], [], [], []
    for coded, given, given_sentiment in zip(coder.code_many(quotes), frame["themes"], frame["sentiment"]):
        given = _given_list(given)
        unclear.append(coded.unclear)
        confirmed.append(coded.confirmed)
        codebook_themes.append(list(coded.themes))
        given_themes.append(given)
        if given is None:
            themes.append(list(coded.themes))
            triggers.append(coded.themes)
            theme_source.append("codebook")
        else:
            ordered = list(dict.fromkeys(given))
            themes.append(ordered)
            triggers.append({code: coded.themes.get(code) or [GIVEN] for code in ordered})
            theme_source.append("source")
        if isinstance(given_sentiment, str) and given_sentiment in SENTIMENTS:
            sentiments.append(given_sentiment)
            sentiment_source.append("source")
        else:
            sentiments.append(coded.sentiment)
            sentiment_source.append("computed")
        scores.append(coded.score)
        computed.append(coded.sentiment)
    columns = {"quote": quotes, "themes": themes, "triggers": triggers, "theme_source": theme_source,
               "codebook_themes": codebook_themes, "given_themes": given_themes, "sentiment": sentiments,
               "sentiment_source": sentiment_source, "sentiment_score": scores, "computed_sentiment": computed,
               "unclear": unclear, "confirmed": confirmed}
    for column, values in columns.items():
        out[column] = values
    return out


def coded_feedback(folder: Path | None = None) -> tuple[pd.DataFrame, Codebook, str | None]:
    """The extract's comments, coded (cached on the data version and the codebook), the codebook and any note about it."""
    folder = folder or data_dir()
    codebook, note = codebook_for(folder)
    coded = _coded_cached(str(folder), data_version(folder), codebook.fingerprint, codebook)
    # The cache holds one frame for every session; pandas' copy-on-write makes this cheap copy
    # safe to change without touching it (st.cache_data would unpickle 10,000 rows on every run).
    return coded.copy(deep=False), codebook, note


@st.cache_resource(show_spinner=False, max_entries=4)
def _coded_cached(folder: str, version: str, codebook_fingerprint: str, _codebook: Codebook) -> pd.DataFrame:
    # _codebook is not hashed (arguments starting with _ are skipped): its fingerprint stands for it.
    return code_comments(queries.run("feedback_comments"), _codebook)
