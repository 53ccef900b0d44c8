"""Dates as integer days since 1970-01-01 and months as integer months since 1970-01,
and the years the extract covers."""

from __future__ import annotations

import numpy as np

EXTRACTED_ON = "2025-06-30"
YEARS = list(range(2017, 2025))  # financial years 2017-18 .. 2024-25
GLD_YEARS = [2017, 2018, 2021, 2022, 2023, 2024]  # no EYFSP collection in 2019-20 and 2020-21


def day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def month_index(year: int, month: int) -> int:
    return (year - 1970) * 12 + month - 1


def month_to_day(m) -> np.ndarray:
    return np.asarray(m, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def day_to_month(d) -> np.ndarray:
    return np.asarray(d, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


FIVE_YEARS = 1826
LAST_DAY = day("2025-03-31")
FIRST_MONTH = month_index(2017, 4)
N_MONTHS = 96  # April 2017 .. March 2025
RECOMMISSIONED = day("2021-04-01")
CLOSED_ON = day("2021-03-31")
BIRTHS_FROM = month_index(2012, 5)  # the oldest children under five at some point in 2017-18
BIRTHS_TO = month_index(2025, 3)


def fy_bounds(year: int) -> tuple[int, int]:
    return day(f"{year}-04-01"), day(f"{year + 1}-03-31")


def under_five_window(year: int) -> tuple[int, int]:
    """Birth months (inclusive) of children under five at some point in financial year ``year``.

    The dashboard's rule: birth_month <= 31 March and birth_month + 5 years > 1 April.
    """
    return month_index(year - 5, 5), month_index(year + 1, 3)
