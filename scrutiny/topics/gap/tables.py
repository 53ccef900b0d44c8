"""The gap's tables as shown and downloaded (and printed in the evidence pack): words, per cent and
points through scrutiny/format.py, ``c`` wherever the outcomes plan hides a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny import format, labels, queries, stats
from scrutiny.topics.gap.figures import DISTRICT, Indicator, _missing, indicators
from scrutiny.topics.gap.sentences import _signed


def _points(fraction: float) -> str:
    return format.points(fraction, unit=False)


def _flag(value) -> bool:
    return False if _missing(value) else bool(value)


def _shown_percent(value, suppressed, indicator: Indicator | None = None) -> str:
    if suppressed:
        return stats.SUPPRESSED
    return "" if _missing(value) else (indicator.percent(value) if indicator is not None else format.percent(value))


def _shown_count(count, hidden) -> str:
    """Children in a group as the plan allows: 'c' where it hides them."""
    if _missing(count):
        return ""
    return stats.SUPPRESSED if _flag(hidden) else format.count(count)


def _shown_interval(lower, upper, scale=format.percent) -> str:
    return "" if _missing(lower) or _missing(upper) else f"{scale(lower)} to {scale(upper)}"


def _shown_change(row, key: str, indicator: Indicator | None = None) -> str:
    if _missing(row[f"{key}_year"]):
        return ""
    since = labels.financial_year(int(row[f"{key}_year"]))
    if _missing(row[f"change_{key}"]):
        return f"{stats.SUPPRESSED} (since {since})" if row["gap_suppressed"] or row[f"verdict_{key}"] else ""
    scale = indicator.points if indicator is not None else _points
    return (f"{_signed(row[f'change_{key}'], indicator)} ({scale(row[f'change_{key}_lower'])} to "
            f"{scale(row[f'change_{key}_upper'])}) since {since}")


def _shown_england(row, indicator: Indicator | None = None) -> str:
    if not _missing(row["benchmark_value"]):
        value = indicator.percent(row["benchmark_value"]) if indicator is not None else format.percent(row["benchmark_value"])
        return f"{value} ({str(row['benchmark_group']).lower()})"
    if not _missing(row["benchmark_latest_year"]) and not _missing(row["year"]):
        return (f"no figure for {labels.financial_year(int(row['year']))} "
                f"(latest {labels.financial_year(int(row['benchmark_latest_year']))})")
    return ""


@queries.derived_from
def overview_table(overview: pd.DataFrame) -> pd.DataFrame:
    """indicator_overview as words and per cent, suppression applied: the table the page shows and downloads."""
    available = indicators()
    rows = []
    for _, r in overview.iterrows():
        has_year = not _missing(r["year"])
        # Each row in its own unit: per cent and points, or per 1,000 for a rate.
        ind = available.get(r["indicator"])
        value_text = ind.percent if ind is not None else format.percent
        gap_text = ind.points if ind is not None else _points
        rows.append({
            "Indicator": r["title"],
            "Year": r["year_label"] if has_year else "no figures",
            "Focus group": r["focus_group"],
            "Focus %": _shown_percent(r["focus_pct"], _flag(r["focus_suppressed"]), ind),
            "Focus 95% CI": _shown_interval(r["focus_lower"], r["focus_upper"], value_text),
            "Focus children": _shown_count(r["focus_denominator"], r.get("focus_denominator_hidden")),
            "Reference group": r["reference_group"],
            "Reference %": _shown_percent(r["reference_pct"], _flag(r["reference_suppressed"]), ind),
            "Reference 95% CI": _shown_interval(r["reference_lower"], r["reference_upper"], value_text),
            "Gap (points)": stats.SUPPRESSED if _flag(r["gap_suppressed"]) else ("" if _missing(r["gap"]) else gap_text(r["gap"])),
            "Gap 95% CI": _shown_interval(r["gap_lower"], r["gap_upper"], gap_text),
            "Change since previous year": _shown_change(r, "previous", ind) if has_year else "",
            "Verdict (previous year)": (r["verdict_previous"] or "") if has_year else "",
            "Change since first comparable year": _shown_change(r, "first", ind) if has_year else "",
            "Verdict (first comparable year)": (r["verdict_first"] or "") if has_year else "",
            "England": _shown_england(r, ind),
            "Compared with England": "" if _missing(r["benchmark_comparison"]) else r["benchmark_comparison"],
            "England gap (points)": "" if _missing(r["benchmark_gap"]) else gap_text(r["benchmark_gap"]),
            "Gap compared with England": {stats.BETTER: "smaller", stats.WORSE: "wider"}.get(r["gap_comparison"], "" if _missing(r["gap_comparison"]) else r["gap_comparison"]),
        })
    # The name, the gap and its verdict first: on a shared screen the right of a table is cut off.
    frame = pd.DataFrame(rows)
    leading = [c for c in ("Indicator", "Gap (points)", "Verdict (previous year)", "Year") if c in frame.columns]
    return frame[leading + [c for c in frame.columns if c not in leading]]


@queries.derived_from
def trend_table(trend: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """gap_trend as words and per cent (per 1,000 for a rate), suppression applied, one row per year."""
    unit = indicator.per if indicator.is_rate else "%"
    rows = []
    for _, r in trend.iterrows():
        rows.append({
            "Year": r["year_label"],
            f"{indicator.focus_label}: children": _shown_count(r["focus_denominator"], r["focus_denominator_hidden"]),
            f"{indicator.focus_label} {unit}": _shown_percent(r["focus_pct"], r["focus_suppressed"], indicator),
            f"{indicator.focus_label} 95% CI": _shown_interval(r["focus_lower"], r["focus_upper"], indicator.percent),
            f"{indicator.reference_label}: children": _shown_count(r["reference_denominator"], r["reference_denominator_hidden"]),
            f"{indicator.reference_label} {unit}": _shown_percent(r["reference_pct"], r["reference_suppressed"], indicator),
            f"{indicator.reference_label} 95% CI": _shown_interval(r["reference_lower"], r["reference_upper"], indicator.percent),
            f"Gap ({indicator.points_word})": stats.SUPPRESSED if r["gap_suppressed"] else ("" if _missing(r["gap"]) else indicator.points(r["gap"])),
            "Gap 95% CI": _shown_interval(r["gap_lower"], r["gap_upper"], indicator.points),
            "Change since previous comparable year": _shown_change(r, "previous", indicator),
            "Verdict": r["verdict_previous"],
            "Comparable with": ("years before " if r["segment"] == 0 else "years from ") + labels.financial_year(indicator.break_year)
            if indicator.break_year is not None else "all years",
        })
    return pd.DataFrame(rows)


@queries.derived_from
def area_table(areas: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """gap_by_area as words and per cent, suppression applied (column by column: hundreds of areas)."""
    unit = indicator.per if indicator.is_rate else "%"
    gap_text = [stats.SUPPRESSED if hidden else ("" if _missing(g) else indicator.points(g))
                for hidden, g in zip(areas["gap_suppressed"], areas["gap"])]
    return pd.DataFrame({
        "Area": areas["geography_name"],
        "Kind": np.where(areas["geography_level"] == DISTRICT, "District", "Reach area"),
        "District": areas["district"],
        f"{indicator.focus_label}: children": [_shown_count(v, h) for v, h in zip(areas["focus_denominator"], areas["focus_denominator_hidden"])],
        f"{indicator.focus_label} {unit}": [_shown_percent(v, h, indicator) for v, h in zip(areas["focus_pct"], areas["focus_suppressed"])],
        f"{indicator.reference_label}: children": [_shown_count(v, h) for v, h in zip(areas["reference_denominator"], areas["reference_denominator_hidden"])],
        f"{indicator.reference_label} {unit}": [_shown_percent(v, h, indicator) for v, h in zip(areas["reference_pct"], areas["reference_suppressed"])],
        f"Gap ({indicator.points_word})": gap_text,
        "Gap 95% CI": [_shown_interval(lo, hi, indicator.points) for lo, hi in zip(areas["gap_lower"], areas["gap_upper"])],
        "Reading": areas["clear"],
    }).reset_index(drop=True)


def column_help(table: pd.DataFrame) -> dict[str, str]:
    """Plain words for the terms in a gap table's headings, for a tooltip on each: the gap, percentage
    points, the 95% interval and the verdicts (one glossary: scrutiny/definitions.py)."""
    from scrutiny.definitions import meaning

    out = {}
    for column in table.columns:
        if "CI" in column:
            out[column] = meaning("Interval (95% interval, CI)")
        elif column.startswith("Gap (") or column.startswith("Change since") or "gap (points)" in column:
            out[column] = f"{meaning('Gap')} {meaning('Percentage points')}"
        elif column.startswith("Verdict") or column.startswith("Compared with") or column.startswith("Gap compared"):
            out[column] = meaning("Clearly (significance)")
    return out
