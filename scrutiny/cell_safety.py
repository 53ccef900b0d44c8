"""Text from an extract leaves the dashboard as text, never as something a program runs.

A spreadsheet treats a CSV cell that begins with =, +, -, @, a tab or a carriage return as a
formula: a consultation comment such as =HYPERLINK("http://...";"click") would run when an
officer opens the download in Excel (CSV injection). Every CSV the dashboard writes passes its
cells through neutralise_frame, which puts an apostrophe in front of such a cell, as OWASP
recommends, so the spreadsheet shows it as text. Numbers, and text that is only a number such
as "-3" or "-1.5%", are left as they are: a spreadsheet reads them as numbers, not formulas.

Word documents take any text, but not the control characters XML forbids (a NUL, a vertical
tab): word_text drops those, so an odd character in a comment cannot stop the evidence pack.
"""

from __future__ import annotations

import re

import pandas as pd

# OWASP's list of characters that start a formula in Excel, LibreOffice Calc or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets skip leading spaces and line breaks before looking for a formula, so " =1+1" is
# checked as "=1+1"; the apostrophe then goes in front of the whole cell.
_LEADING_SPACE = re.compile(r"^[ \n\u00a0]*")
# A plain number, as the dashboard writes one in a table shown as text: -3, +2.5, -1,234, -12.5%.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?")
# Characters XML 1.0 does not allow (all control characters except tab, line feed and carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_formula_like(text: str) -> bool:
    start = _LEADING_SPACE.sub("", text, count=1)
    if not start or not start.startswith(FORMULA_STARTS):
        return False
    return _PLAIN_NUMBER.fullmatch(text.strip()) is None


def neutralise(value):
    """The value a CSV cell should hold: text that could start a formula gets an apostrophe in front."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name neutralised; numeric columns are untouched."""
    safe = frame.copy()
    safe.columns = [neutralise(str(name)) if isinstance(name, str) else name for name in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype) \
                or pd.api.types.is_datetime64_any_dtype(dtype):
            continue
        # As plain objects: a category or string column must be able to hold the changed text.
        safe.isetitem(position, safe.iloc[:, position].astype(object).map(neutralise))
    return safe


def word_text(value) -> str:
    """Text a Word document accepts: the characters XML forbids are dropped."""
    return _NOT_XML.sub("", "" if value is None else str(value))
