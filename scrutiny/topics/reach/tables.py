"""The reach tables as shown on screen and as downloaded: numbers kept numeric (so a column sorts),
a mask of the cells the disclosure plan hides, and the same table as text with "c" in them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny import format, labels, queries, stats, ui
from scrutiny.filters import Filters
from scrutiny.topics.reach.figures import ROLLUPS, TABLE_COUNTS

# The columns the table of areas adds after each area's name (title: column of figures.missed_areas).
AREA_COLUMNS = {"Centre": "centre", "District": "area_district", "Deprivation decile": "decile"}

def hidden_counts(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Which count cells must not be shown: 1 to threshold-1, and missed wherever reached is hidden.

    Missed is population - reached, so showing it next to the population would
    give away a hidden number of children reached.
    """
    if all(f"{c}_hidden" in frame for c in TABLE_COUNTS):
        # The disclosure plan's answer (protect): primary and complementary cells.
        return pd.DataFrame({c: frame[f"{c}_hidden"].to_numpy(dtype=bool) for c in TABLE_COUNTS}, index=frame.index)
    hidden = pd.DataFrame({c: stats.is_small(frame[c], threshold) for c in TABLE_COUNTS}, index=frame.index)
    hidden["missed"] = hidden["missed"] | hidden["reached"]
    return hidden


@queries.derived_from
def display_table(rated: pd.DataFrame, level: str, threshold: int, with_group: bool = True,
                  extra: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reach table as shown: numbers (NaN where hidden) and a mask of the hidden cells.

    The numbers stay numeric so the table sorts properly; the page writes "c" in the
    hidden cells. ``extra`` adds columns of ``rated`` (title: column) after the unit's name.
    """
    hidden = hidden_counts(rated, threshold)
    table = pd.DataFrame({ROLLUPS.get(level, labels.tidy(level)): rated["unit"].to_numpy()})
    if with_group:
        table["Target group"] = rated["target_group"].map(labels.target_group).to_numpy()
    for title, column in (extra or {}).items():
        table[title] = rated[column].to_numpy()
    mask = pd.DataFrame(False, index=table.index, columns=[])
    for column, title in TABLE_COUNTS.items():
        values = rated[column].astype(float).to_numpy()
        table[title] = np.where(hidden[column].to_numpy(), np.nan, values)
        mask[title] = hidden[column].to_numpy()
    table["Reach %"] = (rated["reach_pct"] * 100).round(1).to_numpy()
    mask["Reach %"] = rated["reach_suppressed"].to_numpy() & (rated["population"] > 0).to_numpy()
    table["95% CI"] = [format.interval(lo, hi, 0) for lo, hi in zip(rated["reach_lower"], rated["reach_upper"])]
    table["Rating"] = rated["rating"].to_numpy()
    for column in table.columns:
        if column not in mask:
            mask[column] = False
    # The name, the figure and the verdict first: on a shared screen the right of a table is cut off.
    leading = list(table.columns[:1 + with_group + len(extra or {})]) + ["Reach %", "Rating", "95% CI"]
    order = leading + [c for c in table.columns if c not in leading]
    return table[order], mask[order]


@queries.derived_from
def download_table(table: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """The same table as text, with "c" in every hidden cell, for CSV downloads."""
    out = table.copy().astype(object)
    for column in table.columns:
        if column == "Reach %":
            out[column] = [format.SUPPRESSED if m else ("" if pd.isna(v) else f"{v:.1f}")
                           for v, m in zip(table[column], mask[column])]
        elif pd.api.types.is_numeric_dtype(table[column]):
            out[column] = [format.SUPPRESSED if m else ("" if pd.isna(v) else f"{int(v)}")
                           for v, m in zip(table[column], mask[column])]
    return out


@queries.derived_from
def styled(table: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """The table as text for st.dataframe: "c" in hidden cells, whole numbers with thousands separators.

    Text rather than a pandas Styler: the browser's grid shows a null cell as "None" whatever
    the Styler says, and a hidden cell must read "c". The default order is worst first.
    """
    shown = table.copy()
    for column in table.columns:
        if column == "Reach %":  # already in per cent, to one decimal for sorting
            text = table[column].map(lambda v: format.percent(v / 100, 0))
        elif pd.api.types.is_numeric_dtype(table[column]):
            text = table[column].map(format.count)
        else:
            continue
        shown[column] = text.where(~mask[column].to_numpy(), format.SUPPRESSED)
    return shown


def reach_texts(rated: pd.DataFrame) -> pd.Series:
    """Reach % of every row as text: "c" when hidden, "–" when there is no population estimate."""
    percent = rated["reach_pct"].map(lambda v: format.percent(v, 0))
    text = np.where(rated["population"].to_numpy() == 0, "–",
                    np.where(rated["reach_suppressed"].to_numpy(dtype=bool), format.SUPPRESSED, percent.to_numpy()))
    return pd.Series(text, index=rated.index, dtype=object)


def reach_download(table: pd.DataFrame, mask: pd.DataFrame, group: str, level: str, filters: Filters,
                   source_text: str) -> ui.Download:
    period, who = filters.period_label, labels.target_group(group).lower()
    return ui.Download(download_table(table, mask), f"Reach of {who} by {labels.ROLLUPS[level].lower()}, {period}",
                       f"reach_{group}_{level}_{period}", "reach_table_download", filters, source_text)


def areas_download(table: pd.DataFrame, mask: pd.DataFrame, group: str, filters: Filters, source_text: str) -> ui.Download:
    period, who = filters.period_label, labels.target_group(group).lower()
    return ui.Download(download_table(table, mask), f"Children missed by area, {who}, {period}",
                       f"missed_{group}_{period}", "reach_missed_download", filters, source_text)
