"""How a figure is printed: one way for each kind, used by every page, download and the pack.

Percentages and percentage points are rounded half away from zero, as published statistics are
(0.1625 -> 16.3%, where binary floating point alone would print 16.2%), and never print "-0.0".
A hidden figure is printed as ``c`` by the disclosure plan, not here: these functions print the
numbers the plan lets through.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

SUPPRESSED = "c"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def scaled(fraction: float, scale: float = 100, decimals: int = 1) -> str:
    """fraction x scale, rounded half away from zero: scaled(0.1625) -> '16.3'."""
    step = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(round(float(fraction) * scale, 9))).quantize(step, rounding=ROUND_HALF_UP)
    return f"{value + 0:.{decimals}f}"  # + 0 turns -0.0 into 0.0


def percent(fraction: float | None, decimals: int = 1) -> str:
    """'56.3%' (empty when there is no figure)."""
    return "" if _missing(fraction) else f"{scaled(fraction, 100, decimals)}%"


def points(fraction: float | None, decimals: int = 1, signed: bool = False, unit: bool = True) -> str:
    """A difference of two percentages: '18.8 percentage points', '+3 percentage points',
    '1 percentage point'; with unit=False just the number ('18.8')."""
    if _missing(fraction):
        return ""
    number = scaled(fraction, 100, decimals)
    if signed and float(number) > 0:
        number = f"+{number}"
    if not unit:
        return number
    return f"{number} percentage point{'' if abs(float(number)) == 1 else 's'}"


def interval(lower: float | None, upper: float | None, decimals: int = 1, scale: float = 100,
             suffix: str = "%", words: bool = False) -> str:
    """An interval: '52-61%' for a table cell, or with words=True '95% CI 52.0% to 61.0%' for a sentence."""
    if _missing(lower) or _missing(upper):
        return ""
    low, high = scaled(lower, scale, decimals), scaled(upper, scale, decimals)
    if words:
        return f"95% CI {low}{suffix} to {high}{suffix}"
    return f"{low}-{high}{suffix}"


def number(value: float | None, decimals: int = 1) -> str:
    """A plain number such as visits per under-five: '13.3' (empty when there is no figure)."""
    return "" if _missing(value) else scaled(value, 1, decimals)


def count(n) -> str:
    """'1,234' (empty when there is no figure)."""
    return "" if _missing(n) else f"{int(n):,}"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 reach area', '3 reach areas'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
