"""Masking personal data.

E-mail addresses, UK phone numbers, UK postcodes, social media handles and
names after "my name is", "I'm called", "I am", "call me", "my son ...",
titles (Mrs, Dr ...) are replaced with [... removed] before anything is
coded, shown or downloaded; the raw text never leaves `code_comments`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd



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
