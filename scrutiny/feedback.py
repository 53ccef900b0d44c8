"""Consultation feedback: theme coding a reviewer can audit, sentiment, masking
of personal data, and the tables the Feedback page and the evidence pack share.

Theme coding
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

Sentiment
    Kept where the extract gives it. Otherwise each clause (split at . , ! ? ;
    and at "but", "however", "although", "though", "whereas") is scored with
    VADER (vaderSentiment 3.3.2: its lexicon ships inside the package, so it
    works offline) plus 0.5 for each positive codebook phrase in the clause
    and -0.5 for each negative one (after negation), clipped to -1..1.
    VADER does not know the field's words ("waiting list", "judged",
    "listened to"); the codebook's polar phrases and `sentiment:` words
    supply them.
      - mixed:    one clause scores >= +0.3 and another <= -0.3 (clearly both)
      - positive: otherwise, the mean of the clauses scoring beyond +-0.05 is >= +0.05
      - negative: that mean is <= -0.05
      - neutral:  everything else (no clause scores beyond +-0.05)
    Checked against sentiment coded by hand (tests/test_feedback_sentiment.py):

                                        48 comments used      20 comments kept
                                        to tune the codebook  back (held out)
      VADER clauses + codebook (kept)   46 (96%)              11 (55%)
      TextBlob 0.20 clauses + codebook  43 (90%)              11 (55%)
      VADER, whole comment, +-0.05      26 (54%)               9 (45%)
      TextBlob, whole comment, +-0.05   19 (40%)               8 (40%)

    The held-out figure is the honest one: computed sentiment is a rough
    guide, weakest on "mixed" and on complaints said without feeling words
    ("there is nothing for dads"). VADER is kept: it does as well as TextBlob
    on the held-out set, better on the rest, and needs no nltk.

Speed
    Patterns are compiled once per codebook, and each theme's regular
    expression is tried only where one of its phrases could begin (an index of
    first words), which is about ten times faster than scanning every
    character. Coding 10,000 comments of about 100 characters takes about
    2.5 s of CPU (tests/test_feedback_coding.py holds it under 5 s); the result
    is cached once per data version and codebook.

Masking
    E-mail addresses, UK phone numbers, UK postcodes, social media handles and
    names after "my name is", "I'm called", "I am", "call me", "my son ...",
    titles (Mrs, Dr ...) are replaced with [... removed] before anything is
    coded, shown or downloaded; the raw text never leaves `code_comments`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import streamlit as st

from scrutiny import labels, queries, stats
from scrutiny.contract import SENTIMENTS
from scrutiny.extract import data_dir, data_version

PROJECT_CODEBOOK = Path(__file__).resolve().parent / "codebook.yaml"
CODEBOOK_FILE = "codebook.yaml"
EVIDENCE_KEY = "evidence_quotes"
GIVEN = "coded by the source"

SENTIMENT_ORDER = ("positive", "mixed", "neutral", "negative")
SENTIMENT_LABELS = {"positive": "Positive", "mixed": "Mixed", "neutral": "Neutral", "negative": "Negative"}
SMALL_SEGMENT = "small numbers"

# Sentiment cut-offs (see the module docstring).
NEUTRAL_BAND = 0.05
CLEAR = 0.3
DOMAIN_WEIGHT = 0.5

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


# --- The codebook ------------------------------------------------------------------------------

class CodebookError(ValueError):
    """The codebook cannot be used; the message is a sentence for the page."""


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    description: str
    source: str
    phrases: tuple[str, ...]
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    # Common words that show the theme only with other evidence ("sessions", "staff").
    weak: tuple[str, ...] = ()
    # Set phrases that look like the theme but are not about it ("access to information").
    exclude: tuple[str, ...] = ()
    # Sentences in everyday words that a comment about the theme would resemble.
    examples: tuple[str, ...] = ()


@dataclass
class Codebook:
    themes: tuple[Theme, ...]
    origin: str  # "the project" or "the extract"
    fingerprint: str
    # Words that carry feeling but code no theme ("nightmare", "lifesaver").
    sentiment_positive: tuple[str, ...] = ()
    sentiment_negative: tuple[str, ...] = ()
    # Phrases that code nothing ("thanks to all the staff"); they still count for sentiment.
    ignore: tuple[str, ...] = ()
    _compiled: list = field(default_factory=list, repr=False, compare=False)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.themes]

    def label(self, code: str) -> str:
        for theme in self.themes:
            if theme.code == code:
                return theme.label
        return labels.tidy(code)

    def labels(self) -> dict[str, str]:
        return {t.code: t.label for t in self.themes}

    def compiled(self) -> list:
        """[(code, regex) per theme, with code None for the sentiment words; the _Index; the ignore regex;
        code -> (exclude regex, weak regex)]. Built once."""
        if not self._compiled:
            entries = [(t.code, t) for t in self.themes]
            if self.sentiment_positive or self.sentiment_negative:
                entries.append((None, Theme("", "", "", "", (), self.sentiment_positive, self.sentiment_negative)))
            self._compiled.append([(code, _theme_regex(t)) for code, t in entries])
            self._compiled.append(_Index(list(enumerate(t for _, t in entries))))
            self._compiled.append(
                re.compile(r"(?<!\w)(?:" + _alternatives(self.ignore) + r")(?!\w)") if self.ignore else None)
            self._compiled.append({t.code: (_whole_words(t.exclude), _whole_words(t.weak)) for t in self.themes})
        return self._compiled

    def table(self) -> pd.DataFrame:
        """The codebook as a table a reviewer can read."""
        return pd.DataFrame([
            {"Theme": t.label, "Code": t.code, "What it covers": t.description, "Source": t.source,
             "Phrases": ", ".join(t.phrases), "Speaks well of it": ", ".join(t.positive),
             "Speaks badly of it": ", ".join(t.negative), "Patterns": ", ".join(t.patterns),
             "Only with other evidence": ", ".join(t.weak), "Not this theme": ", ".join(t.exclude),
             "Example sentences": " / ".join(t.examples)}
            for t in self.themes
        ])


_TOKEN = re.compile(r"[\w']+")


def _first_word(phrase: str) -> tuple[str | None, bool]:
    """The word a phrase starts with and whether it is a stem ("volunteer*"); None when it starts with no word."""
    text = phrase.strip().lower()
    first = _TOKEN.match(text)
    if first is None:
        return None, False
    return first.group(0), text[first.end():first.end() + 1] == "*"


class _Index:
    """Which themes a word can start a phrase of, so each theme's regex is tried only where a phrase could begin.

    Trying a long alternation at every character is what makes regex coding slow;
    trying it at a handful of word starts is 10 times faster and finds the same phrases.
    """

    def __init__(self, entries: list[tuple[int, Theme]]):
        self.exact: dict[str, list[int]] = {}
        self.stems: dict[str, list[int]] = {}
        self.everywhere: list[int] = []
        for number, theme in entries:
            if theme.patterns:
                self.everywhere.append(number)
            for phrase in (*theme.phrases, *theme.positive, *theme.negative, *theme.weak):
                word, stem = _first_word(phrase)
                if word is None:
                    self.everywhere.append(number)
                    continue
                for form in ([word] if stem else word_forms(word)):
                    bucket = (self.stems if stem else self.exact).setdefault(form, [])
                    if number not in bucket:
                        bucket.append(number)
        self.stem_lengths = sorted({len(w) for w in self.stems})

    def starts(self, text: str) -> dict[int, list[int]]:
        """Theme number -> positions in text where one of its phrases could start."""
        found: dict[int, list[int]] = {}
        for token in _TOKEN.finditer(text):
            word, at = token.group(0), token.start()
            for number in self.exact.get(word, ()):
                found.setdefault(number, []).append(at)
            for length in self.stem_lengths:
                if length > len(word):
                    break
                for number in self.stems.get(word[:length], ()):
                    found.setdefault(number, []).append(at)
        return found


@cache
def word_forms(word: str) -> tuple[str, ...]:
    """The forms a codebook word stands for, by lemminflect's tables (its data ships in the package).

    A noun stands for its singular and plural ("session" and "sessions"); a verb
    written in its base form also for its -s and past forms ("listen": listens,
    listened). An -ing form is never added: it often means something else
    ("care" is not "caring"), so a codebook that wants it writes it. Words in any
    other form, and words with an apostrophe or hyphen, stand for themselves.
    """
    from lemminflect import getAllInflections, getAllLemmas

    word = word.lower()
    if not word.isalpha():
        return (word,)
    forms = {word}
    lemmas = getAllLemmas(word)
    for lemma in lemmas.get("NOUN", ()):
        for tag in ("NN", "NNS"):
            forms.update(getAllInflections(lemma, upos="NOUN").get(tag, ()))
    if word in lemmas.get("VERB", ()):
        for tag in ("VBZ", "VBD", "VBN"):
            forms.update(getAllInflections(word, upos="VERB").get(tag, ()))
    return tuple(sorted((f for f in forms if f.isalpha()), key=lambda f: (-len(f), f)))


def _phrase_regex(phrase: str) -> str:
    parts = []
    for word in phrase.strip().lower().split():
        if word.endswith("*"):
            parts.append(re.escape(word.rstrip("*")) + r"\w*")
        else:
            forms = word_forms(word)
            parts.append(re.escape(forms[0]) if len(forms) == 1 else "(?:" + "|".join(map(re.escape, forms)) + ")")
    return r"\s+".join(parts)


def _whole_words(phrases) -> re.Pattern | None:
    """A regex for any of the phrases as whole words (None for none)."""
    return re.compile(r"(?<!\w)(?:" + _alternatives(phrases) + r")(?!\w)") if phrases else None


def _alternatives(phrases) -> str:
    # Longest first: at one position "helpful" must win over "help*".
    return "|".join(_phrase_regex(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))


def _theme_regex(theme: Theme) -> re.Pattern:
    groups = []
    if theme.positive:
        groups.append(f"(?P<pos>{_alternatives(theme.positive)})")
    if theme.negative:
        groups.append(f"(?P<neg>{_alternatives(theme.negative)})")
    neutral = [_phrase_regex(p) for p in sorted(set(theme.phrases) | set(theme.weak), key=lambda p: (-len(p), p))]
    # Comments are lower-cased before coding (much faster than ignoring case); patterns keep ignoring it.
    neutral += [f"(?i:{p})" for p in theme.patterns]
    if neutral:
        groups.append("(?:" + "|".join(neutral) + ")")
    # Polar phrases come first, so "not enough staff" beats "staff*" at the same place.
    return re.compile(r"(?<!\w)(?:" + "|".join(groups) + r")(?!\w)")


def _text_list(raw, theme_name: str, key: str, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        problems.append(f"theme {theme_name}: {key} must be a list of words or phrases.")
        return ()
    return tuple(p.strip() for p in raw)


def parse_codebook(raw, origin: str = "the project", fingerprint: str = "") -> Codebook:
    """A Codebook from the parsed YAML, or CodebookError naming every problem in one sentence each."""
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list) or not raw["themes"]:
        raise CodebookError("The codebook must have a `themes:` list with at least one theme.")
    themes: list[Theme] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw["themes"], start=1):
        if not isinstance(entry, dict):
            problems.append(f"theme {number} is not a set of fields (code, label, phrases ...).")
            continue
        code = entry.get("code")
        name = code if isinstance(code, str) else f"number {number}"
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(f"theme {name}: its code must be lower case snake_case, like quality_of_care.")
        elif code in seen:
            problems.append(f"theme {code} appears twice.")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"theme {name} has no label.")
        phrases = _text_list(entry.get("phrases"), name, "phrases", problems)
        positive = _text_list(entry.get("positive"), name, "positive", problems)
        negative = _text_list(entry.get("negative"), name, "negative", problems)
        patterns = _text_list(entry.get("patterns"), name, "patterns", problems)
        weak = _text_list(entry.get("weak"), name, "weak", problems)
        exclude = _text_list(entry.get("exclude"), name, "exclude", problems)
        examples = _text_list(entry.get("examples"), name, "examples", problems)
        for pattern in patterns:
            try:
                if re.compile(pattern).groupindex:
                    problems.append(f"theme {name}: pattern {pattern!r} must not name its groups.")
            except re.error as error:
                problems.append(f"theme {name}: pattern {pattern!r} is not a valid regular expression ({error}).")
        if not (phrases or positive or negative or patterns or weak or examples):
            problems.append(f"theme {name} has no phrases, patterns or examples, so it could never be coded.")
        if isinstance(code, str):
            seen.add(code)
        themes.append(Theme(
            code=str(code), label=str(label or code).strip(), description=str(entry.get("description") or "").strip(),
            source=str(entry.get("source") or "").strip(), phrases=phrases, positive=positive,
            negative=negative, patterns=patterns, weak=weak, exclude=exclude, examples=examples,
        ))
    feeling = raw.get("sentiment") or {}
    if not isinstance(feeling, dict):
        problems.append("`sentiment:` must hold `positive:` and `negative:` lists.")
        feeling = {}
    sentiment_positive = _text_list(feeling.get("positive"), "sentiment", "positive", problems)
    sentiment_negative = _text_list(feeling.get("negative"), "sentiment", "negative", problems)
    ignore = _text_list(raw.get("ignore"), "ignore", "ignore", problems)
    if problems:
        raise CodebookError(f"The codebook from {origin} cannot be used: " + " ".join(problems[:6])
                            + (f" (and {len(problems) - 6} more)" if len(problems) > 6 else ""))
    return Codebook(tuple(themes), origin, fingerprint, sentiment_positive, sentiment_negative, ignore)


def load_codebook(path: Path, origin: str = "the project") -> Codebook:
    """Reads a codebook YAML file (safely: plain data only)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as error:
        raise CodebookError(f"The codebook from {origin} could not be read ({error}).") from error
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise CodebookError(f"The codebook from {origin} is not valid YAML{at}.") from error
    return parse_codebook(raw, origin, hashlib.sha1(text.encode()).hexdigest()[:12])


def codebook_for(folder: Path | None) -> tuple[Codebook, str | None]:
    """The extract's own codebook when it has a usable one, else the project's; and a note when the extract's is broken."""
    if folder is not None and (folder / CODEBOOK_FILE).is_file():
        try:
            return load_codebook(folder / CODEBOOK_FILE, "the extract"), None
        except CodebookError as error:
            return _project_codebook(), f"{error} The project's own codebook is used instead."
    return _project_codebook(), None


@cache
def _project_codebook_at(mtime_ns: int) -> Codebook:
    return load_codebook(PROJECT_CODEBOOK)


def _project_codebook() -> Codebook:
    return _project_codebook_at(PROJECT_CODEBOOK.stat().st_mtime_ns)


# --- Masking personal data ---------------------------------------------------------------------

_NAME = r"[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){0,2}"
# (pattern, replacement; None for a name, whose introduction is kept)
_MASKS = [
    (re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+"), "[email removed]"),
    (re.compile(r"(?<![\w@])@\w{2,}"), "[handle removed]"),
    # UK phone numbers: 0 or +44 then 9-10 digits, spaced or hyphenated, with an optional (0) or brackets.
    (re.compile(r"(?<![\w+])(?:(?:\+44|0044)\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s\-)]{0,2}\d){8,9}(?!\d)"), "[phone removed]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode removed]"),
    # Said outright: the next word is a name whatever its case.
    (re.compile(r"(?P<intro>(?i:\b(?:my name is|my name's|name is|i am called|i'm called|i’m called|known as|(?:is|was) called|named)))\s+"
                r"(?:[A-Za-z][a-z'’\-]+)(?:\s+[A-Z][a-z'’\-]+){0,2}"), None),
    # Implied: only a capitalised word counts ("I am Jane", not "I am tired").
    (re.compile(r"(?P<intro>(?i:\b(?:i am|i'm|i’m|call me|my (?:son|daughter|child|baby|boy|girl|partner|husband|wife|twins?|little one|grandson|granddaughter)|"
                r"(?:mrs|mr|ms|dr)\.?|miss)))\s+" + _NAME), None),
]


def _mask_name(match: re.Match) -> str:
    # Keep the words that introduce the name ("my name is") and replace the name.
    return match.group("intro") + " [name removed]"


def mask_personal_data(text) -> str:
    """The comment with e-mails, phone numbers, postcodes, handles and introduced names replaced."""
    if text is None or (np.ndim(text) == 0 and pd.isna(text)):
        return ""
    out = str(text)
    has_digit = any(ch.isdigit() for ch in out)
    for pattern, replacement in _MASKS:
        if replacement in ("[phone removed]", "[postcode removed]") and not has_digit:
            continue  # both need a digit
        if replacement in ("[email removed]", "[handle removed]") and "@" not in out:
            continue
        out = pattern.sub(replacement if replacement is not None else _mask_name, out)
    return out


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


def classify_sentiment(clause_scores: list[float]) -> tuple[float, str]:
    """(overall score, sentiment) from clause scores, with the documented cut-offs."""
    if not clause_scores:
        return 0.0, "neutral"
    if max(clause_scores) >= CLEAR and min(clause_scores) <= -CLEAR:
        return sum(clause_scores) / len(clause_scores), "mixed"
    leaning = [s for s in clause_scores if abs(s) >= NEUTRAL_BAND]
    score = sum(leaning) / len(leaning) if leaning else 0.0
    if score >= NEUTRAL_BAND:
        return score, "positive"
    if score <= -NEUTRAL_BAND:
        return score, "negative"
    return score, "neutral"


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    return SentimentIntensityAnalyzer()


def vader_compound(text: str) -> float:
    """VADER's compound score, as SentimentIntensityAnalyzer.polarity_scores gives it, faster.

    Two shortcuts that give the same number (tests/test_feedback_sentiment.py checks it):
    a clause with no word in VADER's lexicon scores 0 without being scored, and plain
    ASCII text skips VADER's character-by-character emoji replacement (ASCII has no emoji).
    """
    from vaderSentiment import vaderSentiment as vs

    analyzer = _vader()
    if not text.isascii():
        return analyzer.polarity_scores(text)["compound"]
    words = vs.SentiText(text.strip()).words_and_emoticons
    if not any(w.lower() in analyzer.lexicon for w in words):
        return 0.0
    return _vader_words(analyzer, vs, text.strip(), words)


def _vader_words(analyzer, vs, text: str, words: list[str]) -> float:
    # SentimentIntensityAnalyzer.polarity_scores (vaderSentiment 3.3.2) after its emoji step.
    sentitext = vs.SentiText(text)
    sentiments: list[float] = []
    for i, item in enumerate(words):
        lowered = item.lower()
        if lowered in vs.BOOSTER_DICT or (i < len(words) - 1 and lowered == "kind" and words[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = analyzer._but_check(words, sentiments)
    return analyzer.score_valence(sentiments, text)["compound"]


def vader_scorer():
    return vader_compound


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
    out["quote"] = quotes
    out["themes"] = themes
    out["triggers"] = triggers
    out["theme_source"] = theme_source
    out["codebook_themes"] = codebook_themes
    out["given_themes"] = given_themes
    out["sentiment"] = sentiments
    out["sentiment_source"] = sentiment_source
    out["sentiment_score"] = scores
    out["computed_sentiment"] = computed
    out["unclear"] = unclear
    out["confirmed"] = confirmed
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


# --- Choosing comments ---------------------------------------------------------------------------

def search_terms(text: str | None) -> list[str]:
    """Words and "quoted phrases" from a search box; every one must appear."""
    if not text or not str(text).strip():
        return []
    text = str(text)[:200]
    phrases = re.findall(r'"([^"]+)"', text)
    rest = re.sub(r'"[^"]*"', " ", text)
    return [p.strip() for p in phrases if p.strip()] + rest.split()


def search(quotes: pd.Series, text: str | None) -> pd.Series:
    """True where a quote holds every search term, ignoring case. Plain text: nothing is a pattern or SQL."""
    keep = pd.Series(True, index=quotes.index)
    lowered = quotes.fillna("").str.lower()
    for term in search_terms(text):
        keep &= lowered.str.contains(term.lower(), regex=False)
    return keep


def select_comments(coded: pd.DataFrame, *, filters=None, consultation: str | None = None,
                    theme: str | None = None, sentiment: str | None = None, respondent_type: str | None = None,
                    centre_id: str | None = None, text: str | None = None) -> pd.DataFrame:
    """The comments for the sidebar filters and the page's choices (None = all).

    The sidebar's district, cluster and lead agency are those of the site a
    comment is about, so comments about no particular site drop out when one
    is chosen; its site type is the comment's own.
    """
    keep = pd.Series(True, index=coded.index)
    if filters is not None:
        for key in ("district", "cluster", "lead_agency", "site_type"):
            value = getattr(filters, key, None)
            if value:
                keep &= coded[key] == value
    for column, value in (("consultation", consultation), ("sentiment", sentiment),
                          ("respondent_type", respondent_type), ("centre_id", centre_id)):
        if value:
            keep &= coded[column] == value
    if theme:
        keep &= coded["themes"].map(lambda codes: theme in codes)
    if text:
        keep &= search(coded["quote"], text)
    return coded[keep.fillna(False).astype(bool)]


def consultations(coded: pd.DataFrame) -> pd.DataFrame:
    """Each consultation with its dates and number of comments, oldest first."""
    if coded.empty:
        return pd.DataFrame(columns=["consultation", "starts", "ends", "comments"])
    out = (coded.groupby("consultation")
           .agg(starts=("collected_on", "min"), ends=("collected_on", "max"), comments=("response_id", "count"))
           .reset_index().sort_values(["starts", "consultation"]))
    return out.reset_index(drop=True)


# --- Tables for the page and the evidence pack -------------------------------------------------

def _onehot(themes: pd.Series, codes: list[str]) -> np.ndarray:
    """A comments x themes matrix of 0/1."""
    column = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((len(themes), len(codes)), dtype=np.int64)
    for row, raised in enumerate(themes):
        for theme in raised:
            if theme in column:
                matrix[row, column[theme]] = 1
    return matrix


def theme_long(comments: pd.DataFrame) -> pd.DataFrame:
    """One row per comment and theme it raises."""
    rows = comments[["response_id", "themes"]].explode("themes").dropna(subset=["themes"])
    return rows.rename(columns={"themes": "theme"})


GROUPINGS = {
    "all": "All respondents",
    "respondent_type": "Respondent type",
    "site_type": "Site type",
    "consultation": "Consultation",
}


def group_label(by: str, value) -> str:
    if by == "respondent_type":
        return labels.respondent_type(value)
    if by == "site_type":
        return labels.site_type(value) if isinstance(value, str) and value else "No particular site"
    if by == "all":
        return "All respondents"
    return str(value)


def _group_column(comments: pd.DataFrame, by: str) -> pd.Series:
    if by == "all":
        return pd.Series("all", index=comments.index)
    return comments[by].fillna("").astype(str)


def theme_frequency(comments: pd.DataFrame, codebook: Codebook, threshold: int, by: str = "all") -> pd.DataFrame:
    """Comments raising each theme in each group of these comments, hidden by a plan made for them
    alone (plan_frequency on build_feedback_plan). Views read the page's plan instead (feedback_plan),
    so that every view hides the same cells; this is for a set of comments no view publishes."""
    from scrutiny.disclosure.feedback import build_feedback_plan

    return plan_frequency(build_feedback_plan(comments, codebook.codes, threshold), codebook, by=by)


def plan_frequency(plan, codebook: Codebook, consultation: str | None = None, by: str = "all",
                   sentiment: str | None = None) -> pd.DataFrame:
    """Comments raising each theme in each group, as a count and a share of the group's comments,
    from the disclosure plan (of one consultation, or all when None; of one sentiment, or any).

    Columns: group, group_label, theme, theme_label, comments, group_comments, share_pct/_lower/_upper
    (Wilson, NaN when hidden), share_suppressed (the count or its group is hidden), comments_hidden,
    group_hidden, a count per sentiment and hidden_<sentiment> for each. Every theme of the codebook
    (and every pre-coded theme) appears, with 0 where nobody raised it.
    """
    from scrutiny.disclosure import feedback as plan_rules

    c_of = {c: i for i, c in enumerate(plan.consultations)}
    c = c_of[plan_rules.ALL if consultation in (None, "all") else consultation] if (
        consultation in (None, "all") or consultation in c_of) else None
    s = 0 if sentiment is None else 1 + SENTIMENT_ORDER.index(sentiment)
    if by == "consultation":
        cells = [(i, 0, name) for i, name in enumerate(plan.consultations) if i > 0]
    elif by == "all":
        cells = [(c, 0, "all")]
    else:
        cells = [(c, g, value) for g, (grouping, value) in enumerate(plan.groups) if grouping == by]
    themes = list(plan.themes[2:])
    rows = []
    for ci, g, name in cells:
        if ci is None:
            continue
        for x, theme in enumerate(themes, start=2):
            row = [name, group_label(by, name), theme, codebook.label(theme),
                   int(plan.values[ci, g, x, s]), int(plan.values[ci, g, 0, s]),
                   bool(plan.hidden[ci, g, x, s]), bool(plan.hidden[ci, g, 0, s])]
            segments = plan.values[ci, g, x, 1:] if s == 0 else np.where(np.arange(4) == s - 1, plan.values[ci, g, x, s], 0)
            hidden = plan.hidden[ci, g, x, 1:] if s == 0 else np.ones(4, dtype=bool)
            rows.append(row + [int(v) for v in segments] + [bool(h) for h in hidden])
    columns = ["group", "group_label", "theme", "theme_label", "comments", "group_comments", "comments_hidden",
               "group_hidden", *SENTIMENT_ORDER, *[f"hidden_{x}" for x in SENTIMENT_ORDER]]
    out = pd.DataFrame(rows, columns=columns)
    out = stats.add_rate(out, "comments", "group_comments", "share", plan.threshold)
    hidden = (out["comments_hidden"] | out["group_hidden"]).to_numpy(dtype=bool) | out["share_suppressed"].to_numpy(dtype=bool)
    for column in ("share_pct", "share_lower", "share_upper"):
        out[column] = np.where(hidden, np.nan, out[column])
    out["share_suppressed"] = hidden
    return out[["group", "group_label", "theme", "theme_label", "comments", "group_comments",
                "share_pct", "share_lower", "share_upper", "share_suppressed", "comments_hidden", "group_hidden",
                *SENTIMENT_ORDER, *[f"hidden_{x}" for x in SENTIMENT_ORDER]]]


def sentiment_segments(frequency: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The sentiment segments of each bar, as the disclosure plan lets them be drawn.

    A bar (theme in a group) is drawn when its count is shown. Its sentiments the plan hides are
    drawn together as one "small numbers" segment (the plan's "merged segment" rule makes sure that
    segment is not itself a small number).
    Columns: group, group_label, theme, theme_label, sentiment, comments, share (fraction of the group).
    """
    rows = []
    for bar in frequency.itertuples(index=False):
        if bar.share_suppressed or bar.comments == 0:
            continue
        counts = {s: int(getattr(bar, s)) for s in SENTIMENT_ORDER}
        merged = [s for s in SENTIMENT_ORDER if getattr(bar, f"hidden_{s}") and counts[s]]
        for sentiment in SENTIMENT_ORDER:
            if counts[sentiment] and sentiment not in merged:
                rows.append((bar.group, bar.group_label, bar.theme, bar.theme_label, sentiment, counts[sentiment]))
        if merged:
            rows.append((bar.group, bar.group_label, bar.theme, bar.theme_label, SMALL_SEGMENT,
                         sum(counts[s] for s in merged)))
    out = pd.DataFrame(rows, columns=["group", "group_label", "theme", "theme_label", "sentiment", "comments"])
    totals = frequency.drop_duplicates("group").set_index("group")["group_comments"]
    out["share"] = out["comments"] / out["group"].map(totals).astype(float)
    return out


def ranked_themes(counts: pd.Series, threshold: int) -> list[str]:
    """Theme codes (the index of counts, in the codebook's order), the most often raised first, so
    that the top of a chart or table is what people said most. Themes raised by fewer than threshold
    people, or by nobody, follow in the codebook's order: ranking them would tell small numbers apart.
    """
    ranked = [t for t in counts.index if counts[t] > 0 and not stats.is_small(counts[t], threshold)]
    ranked.sort(key=lambda t: -counts[t])  # a stable sort: equal counts keep the codebook's order
    return ranked + [t for t in counts.index if t not in ranked]


def theme_order(frequency: pd.DataFrame, threshold: int) -> list[str]:
    """theme_frequency's theme labels, ranked (ranked_themes) on the comments in every group together."""
    # The groups partition the comments, so the total over them is the count for every comment
    # (sort=False: codebook order).
    totals = frequency.groupby("theme", sort=False)["comments"].sum()
    labels = dict(zip(frequency["theme"], frequency["theme_label"]))
    return [labels[t] for t in ranked_themes(totals, threshold)]


def frequency_table(frequency: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Theme by group, each cell "n (x%)", with c for small numbers: the table shown and downloaded."""
    cells = []
    for row in frequency.itertuples(index=False):
        if row.group_hidden or row.comments_hidden:
            cell = stats.SUPPRESSED
        elif row.share_suppressed:
            cell = f"{row.comments:,}"
        else:
            cell = f"{row.comments:,} ({stats.show_percent(row.share_pct)})"
        cells.append(cell)
    table = frequency.assign(cell=cells)
    order = list(dict.fromkeys(frequency["group_label"]))
    wide = table.pivot(index="theme_label", columns="group_label", values="cell").reindex(columns=order)
    wide = wide.reindex(theme_order(frequency, threshold)).reset_index().rename(columns={"theme_label": "Theme"})
    groups = frequency.drop_duplicates("group_label")
    base = {"Theme": "All comments (the denominator)"}
    base.update({g.group_label: stats.SUPPRESSED if g.group_hidden else f"{g.group_comments:,}" for g in groups.itertuples()})
    return pd.concat([pd.DataFrame([base]), wide], ignore_index=True)


def frequency_sentence(frequency: pd.DataFrame, threshold: int, what: str) -> str:
    """The plain-English finding for the whole selection (group 'all')."""
    overall = frequency[frequency["group"] == frequency["group"].iloc[0]] if not frequency.empty else frequency
    total = int(overall["group_comments"].iloc[0]) if not overall.empty else 0
    if total == 0:
        return f"No comments for {what}."
    if overall["group_hidden"].iloc[0]:
        return f"Fewer than {threshold} comments for {what}, too few to describe without identifying anyone."
    shown = overall[~overall["share_suppressed"] & (overall["comments"] > 0)].sort_values("comments", ascending=False)
    if shown.empty:
        return f"{total:,} comments for {what}; no theme was raised by {threshold} or more of them."
    top = shown.iloc[0]
    text = (f"Of {total:,} comments for {what}, the theme raised most often was **{top.theme_label.lower()}**: "
            f"{top.comments:,} comments ({stats.show_percent(top.share_pct)}, 95% CI {stats.show_interval(top.share_lower, top.share_upper)})")
    if len(shown) > 1:
        second = shown.iloc[1]
        text += f", then {second.theme_label.lower()} ({second.comments:,}, {stats.show_percent(second.share_pct)})"
    return text + "."


def sentiment_counts(plan, consultation: str | None) -> dict[str, str]:
    """Comments of each sentiment, as the plan prints them."""
    return {s: plan.show(consultation, sentiment=s) for s in SENTIMENT_ORDER}


def no_theme_count(comments: pd.DataFrame) -> int:
    return int((comments["themes"].map(len) == 0).sum())


def consultation_comparison(plan, codebook: Codebook, order: pd.DataFrame) -> pd.DataFrame:
    """Each theme's share of comments in each consultation (plan_frequency by consultation), oldest
    consultation first (order: the consultations' listing)."""
    frequency = plan_frequency(plan, codebook, by="consultation")
    rank = {c: i for i, c in enumerate(order["consultation"])}
    starts = dict(zip(order["consultation"], order["starts"]))
    frequency["starts"] = frequency["group"].map(starts)
    return frequency.sort_values(["group"], key=lambda s: s.map(rank), kind="stable").reset_index(drop=True)


def consultation_changes(comparison: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """First against last consultation, per theme: the change in share with Newcombe's interval.

    Columns: theme, theme_label, earlier, later, earlier_pct, later_pct, change, change_lower,
    change_upper, verdict ('rose', 'fell', 'no clear change'); only themes whose
    shares are shown (not suppressed) in both.
    """
    columns = ["theme", "theme_label", "earlier", "later", "earlier_pct", "later_pct",
               "change", "change_lower", "change_upper", "verdict"]
    names = list(dict.fromkeys(comparison["group"]))
    if len(names) < 2:
        return pd.DataFrame(columns=columns)
    first = comparison[comparison["group"] == names[0]].set_index("theme")
    last = comparison[comparison["group"] == names[-1]].set_index("theme")
    rows = []
    for theme in first.index:
        a, b = first.loc[theme], last.loc[theme]
        if a.share_suppressed or b.share_suppressed:
            continue
        d = stats.newcombe_difference(b.comments, b.group_comments, a.comments, a.group_comments)
        verdict = "rose" if d.lower > 0 else "fell" if d.upper < 0 else "no clear change"
        rows.append((theme, a.theme_label, names[0], names[-1], a.share_pct, b.share_pct, d.estimate, d.lower, d.upper, verdict))
    return pd.DataFrame(rows, columns=columns)


def changes_sentence(changes: pd.DataFrame) -> str:
    if changes.empty:
        return ""
    earlier, later = changes["earlier"].iloc[0], changes["later"].iloc[0]
    clear = changes[changes["verdict"] != "no clear change"].sort_values("change", key=abs, ascending=False)
    if clear.empty:
        return (f"Between **{earlier}** and **{later}** no theme's share of comments changed by more than "
                "chance would explain (every 95% interval of the change includes zero).")
    parts = [f"{r.theme_label.lower()} {r.verdict} from {stats.show_percent(r.earlier_pct)} to {stats.show_percent(r.later_pct)} "
             f"({r.change * 100:+.0f} points, 95% CI {r.change_lower * 100:+.0f} to {r.change_upper * 100:+.0f})"
             for r in clear.head(3).itertuples()]
    return f"Between **{earlier}** and **{later}**, " + "; ".join(parts) + "."


def cooccurrence(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Square table: comments raising both themes (the diagonal: comments raising the theme). Themes raised at least once."""
    raised = {t for ts in comments["themes"] for t in ts}
    present = [c for c in dict.fromkeys(codebook.codes + sorted(raised)) if c in raised]
    if not present:
        return pd.DataFrame()
    onehot = _onehot(comments["themes"], present)
    return pd.DataFrame(onehot.T @ onehot, index=present, columns=present)


def cooccurrence_pairs(matrix: pd.DataFrame, codebook: Codebook, threshold: int) -> pd.DataFrame:
    """The pairs of themes raised together, most often first; small counts dropped."""
    rows = []
    codes = list(matrix.index)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            n = int(matrix.loc[a, b])
            if n and not stats.is_small(n, threshold):
                rows.append((a, b, codebook.label(a), codebook.label(b), n, n / matrix.loc[a, a], n / matrix.loc[b, b]))
    return pd.DataFrame(rows, columns=["theme_a", "theme_b", "label_a", "label_b", "comments", "share_of_a", "share_of_b"]
                        ).sort_values("comments", ascending=False, kind="stable").reset_index(drop=True)


def cooccurrence_sentence(pairs: pd.DataFrame, threshold: int) -> str:
    if pairs.empty:
        return f"No two themes were raised together in {threshold} or more comments."
    top = pairs.iloc[0]
    return (f"The themes raised together most often were **{top.label_a.lower()}** and **{top.label_b.lower()}**: "
            f"{top.comments:,} comments, {stats.show_percent(top.share_of_a)} of those about {top.label_a.lower()} and "
            f"{stats.show_percent(top.share_of_b)} of those about {top.label_b.lower()}.")


def agreement(coded: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """How well the codebook agrees with the themes the source coded, per theme.

    Only comments that arrived with themes count (an empty list is a comment the
    source found no theme in). Both: the source and the codebook gave the theme;
    codebook_only: a false positive if the source is right; source_only: missed.
    Precision = both / (both + codebook_only); recall = both / (both + source_only),
    each with a Wilson interval (NaN when there is nothing to divide by).
    """
    given = coded[coded["given_themes"].notna()]
    codes = list(dict.fromkeys(codebook.codes + sorted({t for ts in given["given_themes"] for t in ts})))
    by_source = _onehot(given["given_themes"], codes).astype(bool)
    by_codebook = _onehot(given["codebook_themes"], codes).astype(bool)
    out = pd.DataFrame({
        "theme": codes,
        "theme_label": [codebook.label(c) for c in codes],
        "in_codebook": [c in codebook.codes for c in codes],
        "both": (by_source & by_codebook).sum(axis=0),
        "codebook_only": (by_codebook & ~by_source).sum(axis=0),
        "source_only": (by_source & ~by_codebook).sum(axis=0),
    })
    out["coded_by_codebook"] = out["both"] + out["codebook_only"]
    out["coded_by_source"] = out["both"] + out["source_only"]
    for name, denominator in (("precision", "coded_by_codebook"), ("recall", "coded_by_source")):
        den = out[denominator].to_numpy(dtype=float)
        lower, upper = stats.wilson_interval(out["both"].to_numpy(dtype=float), den)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, out["both"] / den, np.nan)
        out[f"{name}_lower"], out[f"{name}_upper"] = lower, upper
    out.attrs["comments"] = len(given)
    return out


def agreement_table(agreement_rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The agreement as shown: counts with c for small numbers, percentages hidden when they rest on one."""
    shown = agreement_rows[(agreement_rows["coded_by_codebook"] > 0) | (agreement_rows["coded_by_source"] > 0)]
    rows = []
    for r in shown.itertuples(index=False):
        row = {"Theme": r.theme_label + ("" if r.in_codebook else " (not in the codebook)"),
               "Coded by the source": stats.show_count(r.coded_by_source, threshold),
               "Coded by the codebook": stats.show_count(r.coded_by_codebook, threshold),
               "Both": stats.show_count(r.both, threshold)}
        for name, den in (("Precision", r.coded_by_codebook), ("Recall", r.coded_by_source)):
            value, lower, upper = getattr(r, name.lower()), getattr(r, f"{name.lower()}_lower"), getattr(r, f"{name.lower()}_upper")
            if stats.rate_suppressed(r.both, den, threshold) or den == 0:
                row[name] = stats.SUPPRESSED if den else ""
            else:
                row[name] = f"{stats.show_percent(value)} ({stats.show_interval(lower, upper)})"
        rows.append(row)
    return pd.DataFrame(rows, columns=["Theme", "Coded by the source", "Coded by the codebook", "Both", "Precision", "Recall"])


def agreement_sentence(agreement_rows: pd.DataFrame, threshold: int) -> str:
    n = agreement_rows.attrs.get("comments", 0)
    if not n:
        return "No comment in this extract arrived with themes, so the codebook cannot be checked against a person's coding here."
    both = int(agreement_rows["both"].sum())
    by_codebook = int(agreement_rows["coded_by_codebook"].sum())
    by_source = int(agreement_rows["coded_by_source"].sum())
    if stats.is_small(n, threshold):
        return f"Fewer than {threshold} comments arrived with themes: too few to judge the codebook by."
    precision = stats.show_percent(both / by_codebook) if by_codebook else "no"
    recall = stats.show_percent(both / by_source) if by_source else "no"
    return (f"{n:,} comments arrived with themes coded by the source. Coded again by the codebook, blind to those themes, "
            f"{precision} of the themes the codebook gave were also the source's (precision), and it found "
            f"{recall} of the source's themes (recall).")


# --- Quotes as evidence --------------------------------------------------------------------------

def trigger_text(row, codebook: Codebook) -> str:
    """'Theme (why: "phrase", "phrase")' for each theme of a comment (a row with themes and triggers)."""
    return _why(row["themes"], row["triggers"], codebook, row.get("confirmed"))


def _why(themes, triggers, codebook: Codebook, confirmed=None) -> str:
    parts = []
    confirmed = confirmed if isinstance(confirmed, dict) else {}
    for code in themes:
        why = triggers.get(code) or [GIVEN]
        shown = [t if t == GIVEN or t.startswith("like: ") else f"“{t}”" for t in why[:3]]
        if code in confirmed:
            shown.append(confirmed[code])
        parts.append(f"{codebook.label(code)} (why: {', '.join(shown)})")
    return "; ".join(parts) if parts else "No theme in the codebook"


def site_name(centre_name, site_type) -> str:
    """The site a comment is about, else its kind of site, else "No particular site"."""
    if isinstance(centre_name, str) and centre_name:
        return centre_name
    return group_label("site_type", site_type)


def evidence_record(row, codebook: Codebook) -> dict:
    """A quote as the evidence pack keeps it (masked text only)."""
    return {
        "response_id": str(row["response_id"]),
        "consultation": str(row["consultation"]),
        "respondent_type": labels.respondent_type(row["respondent_type"]),
        "site": site_name(row.get("centre_name"), row.get("site_type")),
        "quote": row["quote"],
        "themes": [codebook.label(code) for code in row["themes"]],
        "sentiment": row["sentiment"],
    }


def quotes_table(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The quotes as shown and downloaded (masked)."""
    return pd.DataFrame({
        "Response": comments["response_id"].astype(str),
        "Consultation": comments["consultation"],
        "Collected": pd.to_datetime(comments["collected_on"]).dt.strftime("%d %b %Y"),
        "Respondent": comments["respondent_type"].map(labels.respondent_type),
        "Site": [site_name(name, kind) for name, kind in zip(comments["centre_name"], comments["site_type"])],
        "Quote": comments["quote"],
        "Themes (why)": [_why(themes, triggers, codebook, confirmed) for themes, triggers, confirmed in
                         zip(comments["themes"], comments["triggers"], comments.get("confirmed", pd.Series([None] * len(comments), index=comments.index)))],
        "Sentiment": comments["sentiment"].map(SENTIMENT_LABELS),
        "Sentiment from": comments["sentiment_source"].map({"source": "the source", "computed": "computed"}),
    })


def sentiment_agreement_sentence(coded: pd.DataFrame) -> str:
    """How often the computed sentiment matches the sentiment the source gave."""
    given = coded[coded["sentiment_source"] == "source"]
    if given.empty:
        return ("No comment arrived with a sentiment, so every sentiment shown is computed: on comments kept back "
                "from tuning it agreed with a person's reading about 11 times in 20. Treat it as a rough guide.")
    same = int((given["sentiment"] == given["computed_sentiment"]).sum())
    return (f"{len(given):,} comments arrived with a sentiment, which is kept. Computed blind, the sentiment "
            f"agreed with the source's for {same:,} of them ({same / len(given):.0%}); the rest "
            f"({len(coded) - len(given):,}) show the computed sentiment.")


def md_escape(text) -> str:
    """Text a respondent wrote, made inert for st.markdown (no links, images, HTML or formulas)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", " ".join(str(text).split()))


def site_profile(plan, consultation: str | None, centre_id: str, codebook: Codebook) -> pd.DataFrame:
    """A site's theme shares beside those of every comment in view, from the plan, side by side."""
    site = plan_frequency(plan, codebook, consultation, by="centre_id")
    site = site[site["group"] == str(centre_id)]
    everywhere = plan_frequency(plan, codebook, consultation)
    keep = ["theme", "theme_label", "comments", "group_comments", "share_pct", "share_lower", "share_upper",
            "share_suppressed", "group_hidden"]
    return site[keep].merge(everywhere[keep], on=["theme", "theme_label"], suffixes=("", "_all"))


def site_sentence(profile: pd.DataFrame, site_name: str, threshold: int) -> str:
    if profile.empty or profile["group_comments"].iloc[0] == 0:
        return f"No comments about {site_name} for these choices."
    n = int(profile["group_comments"].iloc[0])
    if profile["group_hidden"].iloc[0]:
        return f"Fewer than {threshold} comments about {site_name}: too few to show its themes without identifying anyone."
    shown = profile[~profile["share_suppressed"] & (profile["comments"] > 0)]
    if shown.empty:
        return f"{n:,} comments about {site_name}; no theme was raised in {threshold} or more of them."
    gaps = shown.assign(diff=shown["share_pct"] - shown["share_pct_all"]).sort_values("diff", ascending=False)
    top = gaps.iloc[0]
    text = (f"{n:,} comments were about **{site_name}**. The theme raised most, compared with all comments in view, was "
            f"**{top.theme_label.lower()}**: {stats.show_percent(top.share_pct)} of its comments "
            f"(95% CI {stats.show_interval(top.share_lower, top.share_upper)}) against {stats.show_percent(top.share_pct_all)} overall")
    if top.share_lower <= top.share_pct_all <= top.share_upper:
        return text + "; the interval includes the overall figure, so the difference may be chance."
    return text + "."


def _reach_hidden(centre_id: str, year: int, reached: int, population: int, threshold: int) -> bool:
    """Whether the Reach plan hides a site's reach of the most deprived 30% (as the Reach page does)."""
    from scrutiny import disclosure

    if stats.rate_suppressed(reached, population, threshold):
        return True
    plan = disclosure.reach_plan(year)
    where = plan.set_of(None, "centre", centre_id) if plan is not None else None
    if where is None or "most_deprived_30" not in plan.groups:
        return False
    return any(plan.is_hidden("most_deprived_30", where, m) for m in ("reached", "population"))


def site_figures(centre_id: str, filters, threshold: int) -> dict[str, str]:
    """A site's reach of the most deprived 30% and its visits in the sidebar's year, as display text with help.

    A figure whose tables are broken, or that cannot be read, says so instead of stopping the page:
    what people said still stands.
    """
    from scrutiny.contract import PAGE_TABLES
    from scrutiny.validation import broken_tables

    out = {"reach": "not available", "reach_help": "", "visits": "not available", "visits_help": ""}
    if filters.year is None:
        out["reach_help"] = out["visits_help"] = "The extract has no financial years."
        return out
    broken = broken_tables(queries.problems())
    if broken & set(PAGE_TABLES["reach"]):
        out["reach_help"] = "The tables reach is counted from have problems: see About the data."
    else:
        try:
            reach = queries.run("reach_by_centre", year=filters.year, sustained_min=stats.SUSTAINED_MIN, **filters.centre_parameters())
            row = reach[(reach["centre_id"] == centre_id) & (reach["target_group"] == "most_deprived_30")]
            if row.empty or int(row["population"].iloc[0]) == 0:
                out["reach"], out["reach_help"] = "no reach area", "Libraries and outreach bases have no reach area of their own."
            else:
                reached, population = int(row["reached"].iloc[0]), int(row["population"].iloc[0])
                if _reach_hidden(centre_id, filters.year, reached, population, threshold):
                    out["reach"], out["reach_help"] = stats.SUPPRESSED, "Too few children to show without identifying a family."
                else:
                    lower, upper = stats.wilson_interval(reached, population)
                    out["reach"] = stats.show_percent(reached / population)
                    out["reach_help"] = f"{reached:,} of {population:,} under-fives; 95% CI {stats.show_interval(lower, upper)}."
        except queries.QueryError:
            out["reach_help"] = "Reach could not be counted from this extract: see About the data."
    if "footfall" in broken:
        out["visits_help"] = "The footfall table has problems: see About the data."
        return out
    try:
        footfall = queries.run("feedback_site_footfall", year=filters.year)
    except queries.QueryError:
        out["visits_help"] = "Footfall could not be read from this extract: see About the data."
        return out
    visits = footfall.loc[footfall["centre_id"] == centre_id, "visits"]
    if visits.empty or pd.isna(visits.iloc[0]):
        out["visits"], out["visits_help"] = "no footfall", "No footfall recorded for this site in the year."
    else:
        from scrutiny.topics.footfall import sentences as footfall_sentences

        # As the Footfall page prints it: the footfall plan hides a small year, and any that would give one away.
        out["visits"] = footfall_sentences.site_visits_text(filters, centre_id, int(visits.iloc[0]))
        out["visits_help"] = "From the footfall table: visits recorded in the financial year."
    return out


# --- How far to trust the coding ------------------------------------------------------------------
# A theme is marked "treat with care" when, on the real comments kept back from tuning
# (scrutiny/evaluation), the coder's precision is under 70% (three or more in ten of the
# comments its bar counts are not about it), its recall under 50% (the bar misses more than
# half of the comments that are about it), or people gave it to fewer than 5 of those comments
# (then one disagreement moves either figure by 20 points or more, so the agreement is unknown).
CARE_PRECISION = 0.70
CARE_RECALL = 0.50
CARE_MIN_COMMENTS = 5

_TRUST: dict = {}


def theme_trust(codebook: Codebook) -> pd.DataFrame:
    """Each theme's agreement with people's coding of the held-out real comments, and whether to treat it with care.

    Columns: theme, theme_label, checked (the theme is one people coded the evaluation set with),
    people, coder, both, precision, recall, f1, care, care_reason. attrs: the overall scores and
    the constant-guess baselines (see scrutiny/evaluation). Worked out once per codebook.
    """
    from scrutiny import evaluation, meaning

    key = (codebook.fingerprint, codebook.origin, tuple(codebook.codes), meaning.embedder()[0] is not None)
    if key in _TRUST:
        return _TRUST[key].copy()
    coder = Coder(codebook)
    result = evaluation.evaluate(lambda text: coder.code(text).themes, codebook.codes)
    checked = set(evaluation.CODES)
    table = result["coder"].per_theme.copy()
    table.insert(1, "theme_label", [codebook.label(c) for c in table["theme"]])
    table.insert(2, "checked", [c in checked for c in table["theme"]])
    reasons = [care_reason(r.checked, r.people, r.coder, r.precision, r.recall) for r in table.itertuples()]
    table["care_reason"] = reasons
    table["care"] = table["care_reason"] != ""
    coder_scores = result["coder"]
    top, top_scores = result["most_common_theme"]
    chosen, best = result["best_constant"]
    table.attrs.update({
        "comments": coder_scores.comments, "micro_precision": coder_scores.micro_precision,
        "micro_recall": coder_scores.micro_recall, "micro_f1": coder_scores.micro_f1, "macro_f1": coder_scores.macro_f1,
        "most_common": codebook.label(top), "most_common_f1": top_scores.micro_f1,
        "best_constant": [codebook.label(c) for c in chosen], "best_constant_f1": best.micro_f1,
        "best_constant_macro_f1": best.macro_f1, "phrases_only": meaning.embedder()[0] is None,
    })
    _TRUST[key] = table
    return table.copy()


def care_reason(checked: bool, people: int, coder: int, precision: float, recall: float) -> str:
    """Why a theme should be treated with care (empty when it need not be), by the rule above."""
    if not checked:
        return "not among the themes people coded the check comments with"
    if people == 0:
        return "none of the check comments was about it, so how well it agrees is unknown"
    if people < CARE_MIN_COMMENTS:
        return f"fewer than {CARE_MIN_COMMENTS} of the check comments were about it, too few to judge"
    if coder and precision < CARE_PRECISION:
        return f"precision {precision:.2f}: three or more in ten of the comments it counts are not about it"
    if recall < CARE_RECALL:
        return f"recall {recall:.2f}: it misses more than half of the comments about it"
    return ""


def trust_sentence(trust: pd.DataFrame) -> str:
    """How far the coding agrees with people's, overall, beside what a fixed guess would score (proportions, 0 to 1)."""
    a = trust.attrs
    return (f"Checked against {a['comments']} real comments about early years services, quoted from published reports "
            f"and coded by hand, that were kept back while the codebook was written: precision {a['micro_precision']:.2f} "
            f"(the share of the coder's themes that were also the person's), recall {a['micro_recall']:.2f} (the share "
            f"of the person's themes it found), F1 {a['micro_f1']:.2f}; averaged over themes, F1 {a['macro_f1']:.2f}. "
            f"Giving every comment the same themes ({', '.join(t.lower() for t in a['best_constant'])}) would score F1 "
            f"{a['best_constant_f1']:.2f}; every comment '{a['most_common'].lower()}', {a['most_common_f1']:.2f}.")


def care_line(trust: pd.DataFrame) -> str:
    """The themes to treat with care, with why; empty when there are none."""
    careful = trust[trust["care"] & trust["checked"]]
    if careful.empty:
        return ""
    parts = [f"{r.theme_label.lower()} ({r.care_reason})" for r in careful.itertuples()]
    return ("Treat with care: " + "; ".join(parts) + ". Read these themes' quotes before quoting their bars.")


def trust_table(trust: pd.DataFrame) -> pd.DataFrame:
    """Each theme's agreement as shown beside the chart and in the evidence pack (proportions, 0 to 1)."""
    def proportion(value, count):
        return "" if not count or pd.isna(value) else f"{value:.2f}"
    return pd.DataFrame({
        "Theme": trust["theme_label"],
        "Precision": [proportion(p, c) for p, c in zip(trust["precision"], trust["coder"])],
        "Recall": [proportion(r, c) for r, c in zip(trust["recall"], trust["people"])],
        "F1": [proportion(f, c1 + c2) for f, c1, c2 in zip(trust["f1"], trust["coder"], trust["people"])],
        "Treat with care": [reason if care else "" for care, reason in zip(trust["care"], trust["care_reason"])],
    })


def unclear_table(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The clauses the coder left for a person: unclear, or two themes too close to call (masked text)."""
    rows = []
    for response, unclear in zip(comments["response_id"], comments.get("unclear", pd.Series([[]] * len(comments)))):
        for item in unclear or []:
            rows.append({
                "Response": str(response), "Clause": item["clause"],
                "Why": item["why"],
                "Nearest themes": "; ".join(f"{codebook.label(code)} {similarity:.2f} (like ‘{example}’)"
                                            for code, similarity, example in item["candidates"]),
            })
    return pd.DataFrame(rows, columns=["Response", "Clause", "Why", "Nearest themes"])
