"""The Footfall page's figures: named queries in, frames out, through the disclosure plans.

Each function takes the filters (and the indicator or measure chosen) and returns a frame of raw
figures with what the plans hide already removed: a site's reach and under-fives as the Reach plan
allows, its outcomes as the outcomes plan allows, its visits and registrations as the footfall plan
allows (scrutiny/disclosure/).

Definitions used here:

- Visits per under-five: a site's footfall visits in the financial year divided
  by the estimated under-fives living in its reach area that year. A site with
  no reach area (a library) has no such figure.
- In a target group: the child's record lists any target group, or the child
  lives in one of the 30% most deprived areas (queries/site_attendance_mix.sql).
- Reach of the most vulnerable: the Reach page's reach % for the most deprived
  30% group (queries/reach_by_centre.sql), not worked out again here.
- Outcome of a site: the indicator for children living in its reach area, in
  the latest outcome year up to the chosen financial year.
- Quadrants: the average lines are the pooled figures of the sites plotted
  (total visits over total under-fives; total reached over total population).
  A site exactly on a line counts as busy (footfall) and as doing better (the
  measure): being at the average is not being below it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scrutiny import disclosure, format, labels, queries, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.filters import Filters
from scrutiny.topics.gap import figures as gap_figures
from scrutiny.topics.gap.figures import Indicator


REACH, OUTCOME, FOCUS = "reach", "outcome", "focus"


BUSY_GOOD, QUIET_GOOD, BUSY_LOW, QUIET_LOW = "busy_good", "quiet_good", "busy_low", "quiet_low"


QUADRANT_ORDER = (BUSY_LOW, QUIET_GOOD, BUSY_GOOD, QUIET_LOW)


REACH_QUADRANTS = {
    BUSY_LOW: "busy, reaching few vulnerable children",
    QUIET_GOOD: "quiet but effective",
    BUSY_GOOD: "busy and effective",
    QUIET_LOW: "quiet and reaching few",
}


OUTCOME_QUADRANTS = {
    BUSY_LOW: "busy, outcomes below average",
    QUIET_GOOD: "quiet but effective",
    BUSY_GOOD: "busy and effective",
    QUIET_LOW: "quiet, outcomes below average",
}


def threshold() -> int:
    return queries.extract_info().suppression_threshold


def indicators() -> dict[str, Indicator]:
    """The Gap page's proportion indicators that have figures for centre reach areas, by code."""
    with_sites = set(queries.run("site_outcome_years").indicator)
    # The scatter's outcome axis, averages and table are per cent: rate indicators are shown on the Gap page only.
    return {code: indicator for code, indicator in gap_figures.indicators().items()
            if code in with_sites and not indicator.is_rate}


def measures(indicator: Indicator | None) -> dict[str, str]:
    """The y measures the scatter can show: {code: label}."""
    options = {REACH: f"Reach of children in the {labels.target_group(MOST_DEPRIVED_GROUP)}"}
    if indicator is not None:
        options[OUTCOME] = f"{indicator.title}: all children in the reach area"
        options[FOCUS] = f"{indicator.title}: {indicator.focus_words}"
    return options


def quadrant_names(measure: str) -> dict[str, str]:
    return REACH_QUADRANTS if measure == REACH else OUTCOME_QUADRANTS


def _reach_rows(filters: Filters, year: int, group: str) -> pd.DataFrame:
    rows = queries.run("reach_by_centre", year=year, sustained_min=stats.SUSTAINED_MIN, **filters.centre_parameters())
    return rows[rows.target_group == group][["centre_id", "population", "reached"]]


@queries.kept
def site_table(filters: Filters, indicator: Indicator | None) -> pd.DataFrame:
    """One row per site for the filters' year: raw counts and rates (fractions; NaN where suppressed).

    Columns: centre_id, centre_name, site_type, district, has_reach_area, visits,
    sessions, new_registrations, population, visits_per_child (+ _suppressed),
    attendances, target_attendances, target_* rate, md_population, md_reached,
    reach_* rate, outcome_year, outcome_* and focus_* rates with their counts,
    change / change_lower / change_upper (percentage-point fractions) and
    change_note.
    """
    t = threshold()
    year = filters.year
    sites = queries.run("footfall_by_site", year=year, **filters.centre_parameters())
    sites["has_reach_area"] = sites.reach_areas > 0

    everyone = _reach_rows(filters, year, "all").rename(columns={"reached": "all_reached"})
    deprived = _reach_rows(filters, year, MOST_DEPRIVED_GROUP).rename(
        columns={"population": "md_population", "reached": "md_reached"})
    mix = queries.run("site_attendance_mix", year=year, **filters.centre_parameters())
    mix = mix[mix.level == "site"][["centre_id", "attendances", "target_attendances", "children", "target_children"]]

    table = (sites.merge(everyone, on="centre_id", how="left")
             .merge(deprived, on="centre_id", how="left")
             .merge(mix, on="centre_id", how="left"))
    for column in ("attendances", "target_attendances", "children", "target_children"):
        table[column] = table[column].fillna(0).astype("int64")
    for column in ("population", "md_population", "md_reached", "all_reached"):
        # A reach area with no population rows has 0 under-fives; no reach area has no figure.
        table[column] = np.where(table.has_reach_area, table[column].fillna(0), np.nan)

    hidden = reach_plan_hides(table, filters)
    table = _protect_counts(table, filters)
    table = add_visits_per_child(table, t, population_hidden=hidden["population"])
    table = stats.add_rate(table, "target_attendances", "attendances", "target", t)
    table = _hide_rate(table, "target", stats.is_small(table.attendances - table.target_attendances, t))
    table = stats.add_rate(table, "md_reached", "md_population", "reach", t)
    table = _hide_rate(table, "reach", hidden["md_reach"])
    table = _add_outcomes(table, filters, indicator, t)
    return table.reset_index(drop=True)


def _protect_counts(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """A site's visits and new registrations as the footfall plan allows (visits_hidden,
    registrations_hidden): a month, a site, a type of site and every site in view add up."""
    plan = disclosure.footfall_plan()
    out = table.copy()
    out["visits_hidden"] = plan.sites_hidden(out.centre_id, filters.year, disclosure.footfall.VISITS, out.visits)
    out["registrations_hidden"] = plan.sites_hidden(out.centre_id, filters.year, disclosure.footfall.REGISTRATIONS,
                                                    out.new_registrations.astype(float).fillna(0))
    return out


def reach_plan_hides(table: pd.DataFrame, filters: Filters) -> dict[str, np.ndarray]:
    """What the Reach page's disclosure plan hides for each site's reach area: its under-fives
    (population, behind visits per under-five) and the reach of its most deprived 30% (hidden
    where the children reached or the population is). A site's reach area is the Reach page's
    centre, so the same cell is hidden on both pages; a site with no reach area has neither."""
    centres = table.loc[table.has_reach_area]
    rows = pd.concat([
        pd.DataFrame({"unit_code": centres.centre_id, "target_group": "all",
                      "population": centres.population, "reached": centres.all_reached}),
        pd.DataFrame({"unit_code": centres.centre_id, "target_group": MOST_DEPRIVED_GROUP,
                      "population": centres.md_population, "reached": centres.md_reached}),
    ], ignore_index=True)
    flags = disclosure.ReachView(filters).hidden(rows, "centre", measures=("population", "reached"))
    everyone = (rows.target_group == "all").to_numpy()
    population = dict(zip(rows.unit_code[everyone], flags.population[everyone]))
    deprived = dict(zip(rows.unit_code[~everyone], (flags.population | flags.reached)[~everyone]))
    return {"population": table.centre_id.map(population).fillna(False).to_numpy(dtype=bool),
            "md_reach": table.centre_id.map(deprived).fillna(False).to_numpy(dtype=bool)}


def _hide_rate(frame: pd.DataFrame, prefix: str, hidden) -> pd.DataFrame:
    """A rate, its interval and its place on a chart go with a count the disclosure plan hides."""
    hidden = np.asarray(hidden, dtype=bool)
    frame.loc[hidden, [f"{prefix}_pct", f"{prefix}_lower", f"{prefix}_upper"]] = np.nan
    frame.loc[hidden, f"{prefix}_suppressed"] = True
    return frame


def implied_population_range(visits, shown, decimals: int) -> np.ndarray:
    """How many under-fives fit the visits and a visits per under-five as printed (to `decimals`): the
    width of visits / (shown + half a step) .. visits / (shown - half a step); unbounded near zero."""
    visits, shown = np.asarray(visits, dtype=float), np.asarray(shown, dtype=float)
    half = 0.5 / 10 ** decimals
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(shown - half > 0, visits / (shown - half), np.inf) - visits / (shown + half)


def add_visits_per_child(frame: pd.DataFrame, t: int, population_hidden=None) -> pd.DataFrame:
    """visits / population (visits_per_child, with visits_per_child_decimals as it is printed), hidden
    (NaN) when visits are 1..t-1 or the population is under t.

    Where the disclosure plan hides the population, visits shown over visits per under-five would
    give it: there the figure is printed as a whole number ("about 8"), and only when the visits and
    that whole number leave at least 2 x threshold possible populations; otherwise it is hidden too.
    """
    out = frame.copy()
    visits = out.visits.astype(float).to_numpy()
    population = out.population.astype(float).to_numpy()
    hidden = stats.rate_suppressed(visits, population, t) & ~np.isnan(population)
    if "visits_hidden" in out:
        hidden |= out.visits_hidden.to_numpy(dtype=bool) & ~np.isnan(population)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(population > 0, visits / population, np.nan)
    decimals = np.ones(len(out), dtype=np.int64)
    if population_hidden is not None:
        coarse = np.asarray(population_hidden, dtype=bool) & ~hidden
        whole = np.array([np.nan if np.isnan(v) else float(format.number(v, 0)) for v in rate])
        hidden |= coarse & ~(implied_population_range(visits, whole, 0) >= 2 * t)
        decimals[coarse] = 0
    out["visits_per_child"] = np.where(hidden, np.nan, rate)
    out["visits_per_child_decimals"] = decimals
    out["visits_per_child_suppressed"] = hidden
    return out


def _add_outcomes(table: pd.DataFrame, filters: Filters, indicator: Indicator | None, t: int) -> pd.DataFrame:
    empty = {c: np.nan for c in ("outcome_numerator", "outcome_denominator", "focus_numerator", "focus_denominator",
                                 "previous_numerator", "previous_denominator")}
    if indicator is None:
        table = table.assign(outcome_year=np.nan, **empty)
    else:
        outcomes = queries.run("outcomes_by_centre", indicator=indicator.code, **filters.centre_parameters())
        # One outcome year for every site: the latest up to the chosen year.
        latest = gap_figures.latest_year(outcomes.year, filters.year)
        if latest is None:
            table = table.assign(outcome_year=np.nan, **empty)
        else:
            now = outcomes[outcomes.year == latest].rename(columns={
                "all_numerator": "outcome_numerator", "all_denominator": "outcome_denominator"})
            before = outcomes[outcomes.year == latest - 1].rename(columns={
                "all_numerator": "previous_numerator", "all_denominator": "previous_denominator"})
            table = (table
                     .merge(now[["centre_id", "outcome_numerator", "outcome_denominator", "focus_numerator", "focus_denominator"]],
                            on="centre_id", how="left")
                     .merge(before[["centre_id", "previous_numerator", "previous_denominator"]], on="centre_id", how="left")
                     .assign(outcome_year=latest))
    table = stats.add_rate(table, "outcome_numerator", "outcome_denominator", "outcome", t)
    table = stats.add_rate(table, "focus_numerator", "focus_denominator", "focus", t)
    table = stats.add_rate(table, "previous_numerator", "previous_denominator", "previous", t)
    if indicator is not None:
        table = _protect_outcomes(table, indicator)
    change, lower, upper = stats.newcombe_arrays(
        table.outcome_numerator, table.outcome_denominator, table.previous_numerator, table.previous_denominator)
    # The year an indicator's method changed cannot be compared with the year before it.
    latest = table.outcome_year.iloc[0] if len(table) else np.nan
    comparable = indicator is None or np.isnan(latest) or indicator.comparable(int(latest), int(latest) - 1)
    shown = ~table.outcome_suppressed & ~table.previous_suppressed & comparable
    table["change"] = np.where(shown, change, np.nan)
    table["change_lower"] = np.where(shown, lower, np.nan)
    table["change_upper"] = np.where(shown, upper, np.nan)
    table["change_note"] = "" if comparable else "not comparable with the year before"
    return table


def _outcome_groups(indicator: Indicator, prefixes=("outcome", "focus")) -> dict[str, tuple[str, str]]:
    groups = {"outcome": disclosure.outcomes.ALL, "previous": disclosure.outcomes.ALL,
              "focus": (indicator.group_type, indicator.focus)}
    return {prefix: groups[prefix] for prefix in prefixes}


def _protect_outcomes(table: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Each site's outcome figures as the outcomes plan allows: a cell hidden on the Gap page is hidden
    here, so all children less the other group there gives no small group away."""
    rows = table.assign(year=table.outcome_year)
    now = disclosure.centre_outcomes_hidden(indicator.code, rows, groups=_outcome_groups(indicator))
    before = disclosure.centre_outcomes_hidden(indicator.code, rows.assign(year=rows.year - 1),
                                               groups=_outcome_groups(indicator, ("previous",)))
    for prefix, hidden in (("outcome", now["outcome"]), ("focus", now["focus"]), ("previous", before["previous"])):
        # A site with no such figure at all has nothing to hide.
        table = _hide_rate(table, prefix, hidden.to_numpy(dtype=bool) & table[f"{prefix}_denominator"].gt(0).to_numpy())
    return table


def quadrant(x: float, y: float, x_average: float, y_average: float, higher_is_better: bool = True) -> str:
    """Which quadrant a site falls in; on an average line counts as busy / doing better."""
    busy = x >= x_average
    good = y >= y_average if higher_is_better else y <= y_average
    if busy:
        return BUSY_GOOD if good else BUSY_LOW
    return QUIET_GOOD if good else QUIET_LOW


MEASURE_COLUMNS = {REACH: ("reach", "md_reached", "md_population"),
                   OUTCOME: ("outcome", "outcome_numerator", "outcome_denominator"),
                   FOCUS: ("focus", "focus_numerator", "focus_denominator")}


@dataclass(frozen=True)
class Scatter:
    points: pd.DataFrame      # one row per site plotted: x, y, y_lower, y_upper, quadrant ...
    dropped: pd.DataFrame     # centre_id, centre_name, reason
    x_average: float
    y_average: float
    higher_is_better: bool
    measure: str


def scatter(table: pd.DataFrame, measure: str, indicator: Indicator | None) -> Scatter:
    """The sites that can be plotted for a measure, the pooled average lines and each site's quadrant."""
    prefix, numerator, denominator = MEASURE_COLUMNS[measure]
    polarity = stats.REACH_POLARITY if measure == REACH or indicator is None else indicator.polarity
    higher = polarity == stats.HIGHER_IS_BETTER
    reasons = pd.Series("", index=table.index)
    reasons[table[f"{prefix}_pct"].isna()] = "no figure for the measure"
    if measure == REACH:
        reasons[table.md_population.eq(0)] = "none of its areas is among the 30% most deprived"
    reasons[table[f"{prefix}_suppressed"] & table[denominator].gt(0)] = "small numbers, not shown"
    reasons[table.visits_per_child_suppressed] = "small numbers, not shown"
    reasons[~table.has_reach_area] = "no reach area"
    plotted = table[reasons == ""].copy()
    dropped = table.loc[reasons != "", ["centre_id", "centre_name", "site_type"]].assign(reason=reasons[reasons != ""])
    if plotted.empty:
        return Scatter(plotted.assign(x=[], y=[], y_lower=[], y_upper=[], quadrant=[]), dropped, np.nan, np.nan, higher, measure)
    x_average = plotted.visits.sum() / plotted.population.sum()
    y_average = plotted[numerator].sum() / plotted[denominator].sum()
    plotted["x"] = plotted.visits_per_child
    plotted["y"] = plotted[f"{prefix}_pct"]
    plotted["y_lower"] = plotted[f"{prefix}_lower"]
    plotted["y_upper"] = plotted[f"{prefix}_upper"]
    plotted["quadrant"] = [quadrant(x, y, x_average, y_average, higher) for x, y in zip(plotted.x, plotted.y)]
    return Scatter(plotted.reset_index(drop=True), dropped.reset_index(drop=True), x_average, y_average, higher, measure)


def correlation(points: pd.DataFrame) -> stats.Correlation | None:
    return stats.spearman(points.x, points.y)


def busy_but_low_reach(filters: Filters, indicator: Indicator | None = None, measure: str = REACH) -> pd.DataFrame:
    """Sites busier than average per under-five but below average on the measure (reach by default)."""
    points = scatter(site_table(filters, indicator), measure, indicator).points
    return points[points.quadrant == BUSY_LOW].sort_values("x", ascending=False).reset_index(drop=True)


def monthly_footfall(filters: Filters, site: str | None = None) -> pd.DataFrame:
    """Visits by month and site type (NaN where a month's count is small); every month in the extract."""
    rows = queries.run("footfall_by_month", site=site or None, **filters.centre_parameters())
    plan = disclosure.footfall_plan()
    rows["visits_suppressed"] = False
    for code, group in rows.groupby("site_type"):
        rows.loc[group.index, "visits_suppressed"] = plan.months_hidden(group.month, group.visits, filters, code, site or None)
    rows["visits_suppressed"] = rows["visits_suppressed"].astype(bool)
    rows["visits_shown"] = rows.visits.where(~rows.visits_suppressed)
    rows["month"] = pd.to_datetime(rows.month)
    return rows


def years_with_attendances() -> list[int]:
    years = queries.run("financial_years")
    return sorted(int(y) for y in years.loc[years.has_attendances, "year"])


def reach_trend(filters: Filters, site: str | None = None) -> pd.DataFrame:
    """Reach of the most deprived 30% each financial year, for one site or pooled over the reach areas in view.

    From the Reach page's reach_by_quarter (its last quarter of a year is the year's reach), for the
    years that have attendances; a year still under way shows its reach so far (partial = True).
    """
    rows = queries.run("reach_by_quarter", target_groups=[MOST_DEPRIVED_GROUP], **filters.centre_parameters())
    rows = rows[rows.year.isin(years_with_attendances())]
    if site:
        rows = rows[rows.centre_id == site]
    rows = rows[rows.quarter == rows.groupby("year").quarter.transform("max")]
    frame = (rows.groupby("year", as_index=False)
             .agg(quarter=("quarter", "max"), reached=("reached", "sum"), population=("population", "sum")))
    frame["partial"] = frame.quarter < 4
    frame = stats.add_rate(frame, "reached", "population", "reach", threshold())
    # Each year's figure is the Reach page's for that year, hidden where its disclosure plan hides it.
    for position, year in enumerate(frame.year):
        flags = disclosure.ReachView(replace(filters, year=int(year)), stats.SUSTAINED_MIN, site or None).focus_hidden(
            MOST_DEPRIVED_GROUP, ["reached", "population"])
        if flags["reached"] or flags["population"]:
            frame = _hide_rate(frame, "reach", frame.index == frame.index[position])
    return frame


def outcome_trend(filters: Filters, indicator: Indicator, site: str | None = None) -> pd.DataFrame:
    """The indicator each year for children in the reach areas of one site, or of all sites in view pooled."""
    rows = queries.run("outcomes_by_centre", indicator=indicator.code, **filters.centre_parameters())
    if site:
        rows = rows[rows.centre_id == site]
    frame = (rows.groupby("year", as_index=False)[["all_numerator", "all_denominator", "focus_numerator", "focus_denominator"]]
             .sum(min_count=1))
    t = threshold()
    frame = stats.add_rate(frame, "all_numerator", "all_denominator", "outcome", t)
    frame = stats.add_rate(frame, "focus_numerator", "focus_denominator", "focus", t)
    # Each year's figure as the outcomes plan allows, for the site or the centres in view pooled.
    counts = frame.rename(columns={"all_numerator": "outcome_numerator", "all_denominator": "outcome_denominator"})
    groups = _outcome_groups(indicator)
    hidden = (disclosure.centre_outcomes_hidden(indicator.code, counts.assign(centre_id=site), groups=groups) if site
              else disclosure.pooled_outcomes_hidden(indicator.code, counts, rows.centre_id.unique(), groups=groups))
    for prefix in ("outcome", "focus"):
        frame = _hide_rate(frame, prefix, hidden[prefix].to_numpy(dtype=bool) & (counts[f"{prefix}_denominator"] > 0).to_numpy())
    return frame


def year_middle(year) -> pd.Timestamp:
    """Yearly figures are drawn at the middle of the financial year (1 October)."""
    return pd.Timestamp(int(year), 10, 1)


@queries.kept
def site_type_comparison(filters: Filters) -> pd.DataFrame:
    """One row per site type: sites, visits, sessions, registrations, and who used them."""
    t = threshold()
    table = site_table(filters, None)
    footfall = table.groupby("site_type", as_index=False).agg(
        sites=("centre_id", "count"), visits=("visits", "sum"),
        sessions=("sessions", lambda s: s.sum(min_count=1)),
        new_registrations=("new_registrations", lambda s: s.sum(min_count=1)))
    mix = queries.run("site_attendance_mix", year=filters.year, **filters.centre_parameters())
    mix = mix[mix.level == "site_type"].drop(columns=["level", "centre_id"])
    frame = footfall.merge(mix, on="site_type", how="outer")
    for column in ("sites", "visits", "attendances", "target_attendances", "children", "target_children", "children_other_types"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame = stats.add_rate(frame, "target_children", "children", "target_children", t)
    # The children who came less those in a target group: a small number of the rest is as telling.
    frame = _hide_rate(frame, "target_children", stats.is_small(frame.children - frame.target_children, t))
    plan = disclosure.footfall_plan()
    frame["visits_hidden"] = [plan.view_hidden(filters, filters.year, disclosure.footfall.VISITS, v, code)
                              for code, v in zip(frame.site_type, frame.visits)]
    frame["registrations_hidden"] = [
        plan.view_hidden(filters, filters.year, disclosure.footfall.REGISTRATIONS, 0 if pd.isna(v) else v, code)
        for code, v in zip(frame.site_type, frame.new_registrations)]
    return frame.sort_values("site_type").reset_index(drop=True)


@dataclass(frozen=True)
class Trend:
    """The trend chart's frames for the site followed, or the sites in view pooled."""

    monthly: pd.DataFrame
    reach: pd.DataFrame
    outcome: pd.DataFrame | None
    who: str


def trend(filters: Filters, indicator: Indicator | None, site: str | None) -> Trend:
    table = site_table(filters, indicator)
    followed = table.loc[table.centre_id == site, "centre_name"]
    return Trend(monthly_footfall(filters, site), reach_trend(filters, site),
                 outcome_trend(filters, indicator, site) if indicator else None,
                 followed.iloc[0] if site and not followed.empty else "the sites shown")


def busy_low_count(result: Scatter) -> tuple[int, int]:
    """How many of the sites plotted are busy but below average on the measure, of how many."""
    return (int((result.points.quadrant == BUSY_LOW).sum()) if not result.points.empty else 0), len(result.points)
