"""The codebook: each theme's phrases, weak words and example sentences, read from
scrutiny/codebook.yaml or from codebook.yaml in the extract folder, which replaces it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from scrutiny import labels


PROJECT_CODEBOOK = Path(__file__).resolve().parents[2] / "codebook.yaml"
CODEBOOK_FILE = "codebook.yaml"
# A theme the source coded itself: its "why" in a quote.
GIVEN = "coded by the source"

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
