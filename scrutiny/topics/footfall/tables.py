"""The Footfall page's tables as shown and downloaded: the name, the figures and the verdict first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny import format, labels, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.topics.footfall.figures import (REACH, REACH_QUADRANTS, scatter, threshold)
from scrutiny.topics.footfall.sentences import (shown_count, visits_per_under_five)
from scrutiny.topics.gap.figures import Indicator


def _rate_text(pct, lower, upper, suppressed: bool, decimals: int = 0) -> str:
    # suppressed is missing (pd.NA) for a site with no denominator at all: nothing to hide, nothing to show.
    if not pd.isna(suppressed) and suppressed:
        return stats.SUPPRESSED
    if pd.isna(pct):
        return ""
    return f"{format.percent(pct, decimals)} ({format.interval(lower, upper, decimals)})"


def _optional_count(value, hidden: bool) -> str:
    return "not recorded" if pd.isna(value) else shown_count(value, hidden)


REACH_COLUMN = f"Reach of the {labels.target_group(MOST_DEPRIVED_GROUP)} (95% CI)"


def table_as_shown(table: pd.DataFrame, indicator: Indicator | None) -> pd.DataFrame:
    """The site table in words and suppressed counts, exactly as on the page and in its download."""
    t = threshold()
    points = scatter(table, REACH, indicator).points
    verdicts = dict(zip(points.centre_id, points.quadrant.map(REACH_QUADRANTS))) if not points.empty else {}
    rows = []
    for r in table.itertuples():
        if not r.has_reach_area:
            per_child_text = reach_text = "no reach area"
        else:
            per_child_text = (stats.SUPPRESSED if r.visits_per_child_suppressed
                              else visits_per_under_five(r.visits_per_child, r.visits_per_child_decimals))
            reach_text = ("no under-fives in such areas" if r.md_population == 0
                          else _rate_text(r.reach_pct, r.reach_lower, r.reach_upper, r.reach_suppressed))
        # The name, the figures and the verdict first, so they are in view on a shared screen.
        row = {
            "Site": r.centre_name,
            "Visits per under-five": per_child_text,
            REACH_COLUMN: reach_text,
            "Busy or quiet, reaching many or few": verdicts.get(r.centre_id, ""),
        }
        if indicator is not None:
            year = "" if pd.isna(r.outcome_year) else f" {labels.financial_year(r.outcome_year)}"
            row[f"{indicator.title}{year} (95% CI)"] = _rate_text(
                r.outcome_pct, r.outcome_lower, r.outcome_upper, r.outcome_suppressed and r.outcome_denominator > 0)
            row[f"{indicator.title}: {indicator.focus_words}"] = _rate_text(
                r.focus_pct, r.focus_lower, r.focus_upper, r.focus_suppressed and r.focus_denominator > 0)
            row["Change since the year before (points, 95% CI)"] = (
                r.change_note or ("" if np.isnan(r.change) else
                                  f"{format.points(r.change, 0, signed=True, unit=False)} "
                                  f"({format.points(r.change_lower, 0, signed=True, unit=False)} to "
                                  f"{format.points(r.change_upper, 0, signed=True, unit=False)})"))
        row |= {
            "Type": labels.site_type(r.site_type),
            "District": r.district,
            "Visits": shown_count(r.visits, r.visits_hidden),
            "Sessions": _optional_count(r.sessions, not pd.isna(r.sessions) and bool(stats.is_small(r.sessions, t))),
            "New registrations": _optional_count(r.new_registrations, r.registrations_hidden),
            "Attendances by children in a target group": _rate_text(
                r.target_pct, r.target_lower, r.target_upper, r.target_suppressed) if r.attendances else "no attendances",
        }
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    t = threshold()
    return pd.DataFrame([{
        "Site type": labels.site_type(r.site_type),
        "Sites": r.sites,
        "Visits": shown_count(r.visits, r.visits_hidden),
        "Visits per site": ("" if not r.sites or r.visits_hidden else format.count(round(r.visits / r.sites))),
        "New registrations": _optional_count(r.new_registrations, r.registrations_hidden),
        "Children who came": stats.show_count(r.children, t),
        "In a target group (95% CI)": _rate_text(r.target_children_pct, r.target_children_lower,
                                                 r.target_children_upper, r.target_children_suppressed and r.children > 0),
        "Also used another type of site": stats.show_count(r.children_other_types, t),
    } for r in frame.itertuples()])


VISITS_PER_UNDER_FIVE = ("The site's visits in the year divided by the estimated under-fives living in its reach area. "
                         "\"About 8\" is a whole number where the exact figure would give away a hidden count.")
VERDICT_HELP = ("Busy: more visits per under-five than the average of the sites plotted. Reaching many or few: "
                "above or below those sites' average reach of children in the 30% most deprived areas.")
TARGET_HELP = "A target group on the child's record, or living in the 30% most deprived areas."


def column_help(table: pd.DataFrame) -> dict[str, str]:
    """Plain words for the terms in a footfall table's headings, for a tooltip on each (one glossary:
    scrutiny/definitions.py, with the page's own terms written here)."""
    from scrutiny.definitions import meaning

    out = {}
    for column in table.columns:
        if column == "Visits per under-five":
            out[column] = VISITS_PER_UNDER_FIVE
        elif column == REACH_COLUMN:
            out[column] = f"{meaning('Reached')} {meaning('Most deprived 30%')} {meaning('Interval (95% interval, CI)')}"
        elif column.startswith("Busy or quiet"):
            out[column] = VERDICT_HELP
        elif column.startswith("Change since"):
            out[column] = f"{meaning('Percentage points')} {meaning('Interval (95% interval, CI)')}"
        elif "CI" in column:
            out[column] = meaning("Interval (95% interval, CI)")
        elif "target group" in column.lower():
            out[column] = TARGET_HELP
        elif column == "New registrations":
            out[column] = "Families or children newly registered at the site in the year, as the site reported them."
    return out
