"""Reach figures: who is reached, who is missed, and how each centre stands against the
Ofsted thresholds (65% good, 85% outstanding). Named queries in, frames out.

Every figure starts from one query, ``reach_by_area`` (one row per small area and
target group for a year). Each child lives in exactly one area, so centres,
clusters, lead agencies, districts, site types and the whole authority are sums
of those rows: nothing is counted twice and nothing is re-counted. The trend
comes from ``reach_by_quarter``, whose fourth quarter equals the year's figure.

Every frame a chart, table or sentence shows has been through the disclosure plan
(``protect`` with a ``disclosure.ReachView``): hidden figures are removed from the
numbers themselves (NaN), never merely hidden on screen. The words are in
sentences.py, the tables as shown in tables.py, the charts in charts.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import disclosure, labels, queries, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP, SITE_TYPES, TIERS
from scrutiny.filters import Filters
# --- Settings ------------------------------------------------------------------------------

DEFAULT_GROUP = MOST_DEPRIVED_GROUP


@dataclass(frozen=True)
class Settings:
    """The Reach page's settings; thresholds are fractions (0.65 = 65%)."""

    sustained_min: int = stats.SUSTAINED_MIN
    good: float = stats.GOOD_THRESHOLD
    outstanding: float = stats.OUTSTANDING_THRESHOLD

    def describe(self) -> str:
        return (f"sustained engagement = {self.sustained_min}+ attendances in the year; "
                f"thresholds {self.good:.0%} good, {self.outstanding:.0%} outstanding")


ROLLUPS = dict(labels.ROLLUPS)

# Columns of reach_by_area that are counts, and so may be summed over areas.
FREQUENCY_BANDS = {
    "reached_1": "1",
    "reached_2": "2",
    "reached_3_to_5": "3 to 5",
    "reached_6_to_10": "6 to 10",
    "reached_11_plus": "11 or more",
}
TIER_COLUMNS = {f"attendances_{tier}": tier for tier in TIERS}
SITE_COLUMNS = {f"attendances_{site}": site for site in SITE_TYPES}
COUNTS = [
    "population", "registered", "registered_by_3_months", "registered_by_1_year",
    "reached", "sustained", *FREQUENCY_BANDS, "attendances", *TIER_COLUMNS, *SITE_COLUMNS,
]
NO_CLUSTER = "No cluster"
NO_LEAD_AGENCY = "No lead agency"


# --- Fetching ------------------------------------------------------------------------------

def area_figures(filters: Filters, sustained_min: int = stats.SUSTAINED_MIN) -> pd.DataFrame:
    """reach_by_area for the filters' year and centres: one row per area and target group."""
    if filters.year is None:
        return pd.DataFrame(columns=["area_code", "centre_id", "target_group", *COUNTS])
    return queries.run("reach_by_area", year=filters.year, sustained_min=int(sustained_min),
                       **filters.centre_parameters())


def quarter_figures(filters: Filters, groups: list[str]) -> pd.DataFrame:
    """reach_by_quarter for the filters' centres and the given target groups (every year)."""
    return queries.run("reach_by_quarter", target_groups=sorted(set(groups)), **filters.centre_parameters())


def service_changes(filters: Filters) -> pd.DataFrame:
    """The service changes logged for the filters' district (all of them without one)."""
    return queries.run("service_changes", district=filters.district)


def centre_name(name: str, closed_on) -> str:
    """A centre's name, marked when it has closed: a closed centre keeps its history."""
    if closed_on is None or pd.isna(closed_on):
        return str(name)
    return f"{name} (closed {pd.Timestamp(closed_on):%b %Y})"


# --- Roll-ups -------------------------------------------------------------------------------

def _unit_columns(areas: pd.DataFrame, level: str, authority_name: str) -> tuple[pd.Series, pd.Series]:
    """The code and display name of the unit each area row rolls up to."""
    if level == "centre":
        # centre_name() once per centre, not per row: a big county has tens of thousands of area rows.
        centres = areas.drop_duplicates("centre_id")
        name_of = {c: centre_name(n, d) for c, n, d in zip(centres["centre_id"], centres["centre_name"], centres["closed_on"])}
        names = areas["centre_id"].map(name_of).astype(object)
        return areas["centre_id"].astype(object), names
    if level == "cluster":
        values = areas["cluster"].astype(object).where(areas["cluster"].notna(), NO_CLUSTER)
        return values, values
    if level == "lead_agency":
        values = areas["lead_agency"].astype(object).where(areas["lead_agency"].notna(), NO_LEAD_AGENCY)
        return values, values
    if level == "district":
        return areas["district"].astype(object), areas["district"].astype(object)
    if level == "site_type":
        return areas["site_type"].astype(object), areas["site_type"].map(labels.site_type).astype(object)
    if level == "authority":
        constant = pd.Series(authority_name, index=areas.index, dtype=object)
        return pd.Series("authority", index=areas.index, dtype=object), constant
    raise ValueError(f"{level!r} is not a roll-up; use one of {', '.join(ROLLUPS)}.")


@queries.derived_from
def rollup(areas: pd.DataFrame, level: str = "centre", authority_name: str = "All reach areas in view") -> pd.DataFrame:
    """Sums the area rows up to one row per unit (centre, cluster ...) and target group.

    Returns unit_code, unit, target_group, every count in COUNTS and missed
    (population - reached, never below 0, worked out at this level).
    """
    columns = ["unit_code", "unit", "target_group", *COUNTS, "missed"]
    if areas.empty:
        return pd.DataFrame(columns=columns)
    frame = areas[["target_group", *COUNTS]].copy()
    frame["unit_code"], frame["unit"] = _unit_columns(areas, level, authority_name)
    out = frame.groupby(["unit_code", "unit", "target_group"], sort=True, dropna=False)[COUNTS].sum().reset_index()
    out["missed"] = missed(out["population"], out["reached"])
    return out[columns]


def missed(population, reached):
    """Children in the group living in the reach area who were not reached: population - reached, at least 0.

    The population is an estimate; where more children were reached than estimated, none are missed.
    """
    return np.maximum(np.asarray(population, dtype="int64") - np.asarray(reached, dtype="int64"), 0)


# --- Rates and ratings ----------------------------------------------------------------------

OVER_ESTIMATE = "more reached than estimated"
NO_ESTIMATE = "no population estimate"
TOO_FEW = "too few to show"


def rating_labels(good: float, outstanding: float) -> dict[str, str]:
    """The rating texts threshold_rating gives for these thresholds, mapped to their colour band."""
    return {
        stats.threshold_rating(0.0, good / 2, good, outstanding): "below",
        stats.threshold_rating(good, good, good, outstanding): "not different from 65",
        stats.threshold_rating((good + outstanding) / 2, (good + outstanding) / 2, good, outstanding): "65%+",
        stats.threshold_rating(outstanding, outstanding, good, outstanding): "not different from 85",
        stats.threshold_rating(1.0, 1.0, good, outstanding) if outstanding < 1 else "outstanding": "85%+",
    }


BAND_RANK = {"below": 0, "not different from 65": 1, "65%+": 2, "not different from 85": 3, "85%+": 4,
             "suppressed": 5, "no data": 6}


@queries.derived_from
def rate(frame: pd.DataFrame, threshold: int, good: float, outstanding: float) -> pd.DataFrame:
    """Adds reach_pct / _lower / _upper (fractions, NaN when suppressed), rating, band and band_rank.

    The rating follows the Fingertips convention through stats.threshold_rating:
    a side of a threshold is claimed only when the whole 95% interval is on it.
    """
    out = stats.add_rate(frame, "reached", "population", "reach", threshold)
    population = out["population"].astype(float)
    over = (out["reached"] > population) & (population > 0) & ~out["reach_suppressed"]
    # An interval for more than 100% means nothing: the estimate is too low.
    out.loc[over, ["reach_lower", "reach_upper"]] = np.nan
    bands = rating_labels(good, outstanding)
    # stats.threshold_rating once per distinct interval rather than per row (thousands of rows, few intervals).
    intervals = list(zip(out["reach_lower"], out["reach_upper"]))
    rated = {pair: stats.threshold_rating(pair[0], pair[1], good, outstanding) for pair in set(intervals)}
    ratings = np.array([rated[pair] for pair in intervals], dtype=object)
    band = np.array([bands.get(text, "no data") for text in ratings], dtype=object)
    for condition, text, band_name in ((over, OVER_ESTIMATE, "no data"),
                                       (out["reach_suppressed"].to_numpy(dtype=bool), TOO_FEW, "suppressed"),
                                       (population.to_numpy() == 0, NO_ESTIMATE, "no data")):
        # Applied from the least to the most important, so the last one that applies wins.
        ratings = np.where(condition, text, ratings)
        band = np.where(condition, band_name, band)
    out["rating"] = ratings
    out["band"] = band
    out["band_rank"] = out["band"].map(BAND_RANK)
    return out


@queries.derived_from
def protect(rated: pd.DataFrame, view: "disclosure.ReachView | None", level: str, threshold: int) -> pd.DataFrame:
    """Applies the disclosure plan to rated rows: <measure>_hidden for each table count, and reach %,
    its interval and rating hidden wherever the children reached or the population are.

    Without a view (a hand-made frame) only the primary rule applies.
    """
    out = rated.copy()
    if view is None:
        hidden = pd.DataFrame({m: stats.is_small(out[m], threshold) for m in TABLE_COUNTS}, index=out.index)
        # Population = reached + missed, both ways: either hidden alone is the population less the other.
        one_way = hidden["missed"] ^ hidden["reached"]
        hidden["missed"] = hidden["missed"] | one_way
        hidden["reached"] = hidden["reached"] | one_way
    else:
        hidden = view.hidden(out, level)
    for measure in TABLE_COUNTS:
        out[f"{measure}_hidden"] = hidden[measure].to_numpy(dtype=bool)
    rests_on_hidden = (out["reached_hidden"] | out["population_hidden"]).to_numpy(dtype=bool) & (out["population"] > 0).to_numpy()
    if rests_on_hidden.any():
        out.loc[rests_on_hidden, ["reach_pct", "reach_lower", "reach_upper"]] = np.nan
        out.loc[rests_on_hidden, "reach_suppressed"] = True
        if "rating" in out:
            out.loc[rests_on_hidden, "rating"] = TOO_FEW
            out.loc[rests_on_hidden, "band"] = "suppressed"
            out.loc[rests_on_hidden, "band_rank"] = BAND_RANK["suppressed"]
    return out


def worst_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Below the good threshold first, then by reach % from lowest; hidden figures last."""
    return frame.sort_values(["band_rank", "reach_pct", "unit"], na_position="last", kind="stable").reset_index(drop=True)


@queries.derived_from
def reach_table(areas: pd.DataFrame, level: str, group: str | None, threshold: int, settings: Settings,
                authority_name: str = "All reach areas in view", view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """The reach table's figures: rolled up, rated, protected and worst first (group None = every group)."""
    rows = rollup(areas, level, authority_name)
    if group is not None:
        rows = rows[rows["target_group"] == group]
    return worst_first(protect(rate(rows, threshold, settings.good, settings.outstanding), view, level, threshold))


# The counts of the reach table, which the disclosure plan protects.
TABLE_COUNTS = {"population": "Population", "registered": "Registered", "reached": "Reached",
                "sustained": "Sustained", "missed": "Missed"}


# --- Heat map ---------------------------------------------------------------------------------

@queries.derived_from
def heat_map_frame(areas: pd.DataFrame, level: str, groups: list[str], threshold: int, settings: Settings,
                   authority_name: str = "All reach areas in view", view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Rated and protected rows for every unit and group, for the heat map."""
    rows = rollup(areas, level, authority_name)
    rows = rows[rows["target_group"].isin(groups)]
    rated = protect(rate(rows, threshold, settings.good, settings.outstanding), view, level, threshold)
    rated["group_label"] = rated["target_group"].map(labels.target_group)
    return rated


# --- Missed children ---------------------------------------------------------------------------

def deprivation_decile(frame: pd.DataFrame) -> pd.Series:
    """The decile used for "most deprived": IDACI, or IMD where the area has no IDACI decile."""
    return frame["idaci_decile"].astype("Float64").fillna(frame["imd_decile"].astype("Float64"))


@queries.derived_from
def missed_areas(areas: pd.DataFrame, group: str, threshold: int, settings: Settings,
                 view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """One row per area for a group, the most deprived areas first, then most missed first."""
    rows = areas[areas["target_group"] == group].copy()
    rows["unit"] = rows["area_name"].fillna(rows["area_code"])
    rows["missed"] = missed(rows["population"], rows["reached"])
    rows["decile"] = deprivation_decile(rows)
    rows["centre"] = [centre_name(n, c) for n, c in zip(rows["centre_name"], rows["closed_on"])]
    rated = protect(rate(rows, threshold, settings.good, settings.outstanding), view, "area", threshold)
    return rated.sort_values(["decile", "missed", "area_code"], ascending=[True, False, True], kind="stable").reset_index(drop=True)


@queries.derived_from
def missed_by_district(areas: pd.DataFrame, group: str, threshold: int = disclosure.DEFAULT_THRESHOLD,
                       view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Missed children by district, split into the 30% most deprived areas and the rest.

    Missed is worked out per area and summed, so an area reached beyond its estimate
    does not cancel out children missed in another. ``hidden`` is the disclosure plan's
    answer for each bar (the primary rule where there is no plan).
    """
    rows = areas[areas["target_group"] == group].copy()
    rows["missed"] = missed(rows["population"], rows["reached"])
    rows["deprivation"] = np.where(rows["most_deprived"], "30% most deprived areas", "Other areas")
    out = rows.groupby(["district", "deprivation"], sort=True)[["population", "reached", "missed"]].sum().reset_index()
    hidden = stats.is_small(out["missed"], threshold) | stats.is_small(out["reached"], threshold)
    if view is not None:
        planned = [view.split_hidden(group, d, flag == "30% most deprived areas") for d, flag in zip(out["district"], out["deprivation"])]
        hidden = np.array([h or bool(p) for h, p in zip(hidden, planned)], dtype=bool)
    out["hidden"] = np.asarray(hidden, dtype=bool)
    return out


# --- How often, tiers and sites -------------------------------------------------------------------

def focus(areas: pd.DataFrame, centre: str | None) -> pd.DataFrame:
    """The rows of one centre's reach area, or every row for "all" (or None)."""
    return areas if centre in (None, "all") else areas[areas["centre_id"] == centre]


@queries.derived_from
def frequency(areas: pd.DataFrame, group: str, threshold: int, centre: str | None = None,
              view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Reached children by number of attendances in the year: band, children, share (NaN when hidden).

    ``hidden`` marks a band the disclosure plan hides (the bands add up to the children reached);
    ``reached_hidden`` whether the children reached are hidden, which hides every share.
    """
    rows = focus(areas, centre)
    rows = rows[rows["target_group"] == group]
    counts = [int(rows[c].sum()) for c in FREQUENCY_BANDS]
    total = sum(counts)
    out = pd.DataFrame({"attendances": list(FREQUENCY_BANDS.values()), "children": counts})
    out["reached"] = total
    out = stats.add_rate(out, "children", "reached", "share", threshold)
    values = {**dict(zip(FREQUENCY_BANDS, counts)), "reached": total}
    flags = view.focus_hidden(group, [*FREQUENCY_BANDS, "reached"], values) if view is not None else \
        {m: bool(stats.is_small(v, threshold)) for m, v in values.items()}
    out["hidden"] = [flags[c] for c in FREQUENCY_BANDS]
    out["reached_hidden"] = flags["reached"]
    gone = out["hidden"] | out["reached_hidden"]
    out.loc[gone, ["share_pct", "share_lower", "share_upper"]] = np.nan
    out["share_suppressed"] = out["share_suppressed"] | gone
    out["children_shown"] = [stats.SUPPRESSED if h else stats.show_count(c, threshold) for c, h in zip(counts, out["hidden"])]
    return out


@queries.derived_from
def attendance_mix(areas: pd.DataFrame, kind: str, threshold: int, centre: str | None = None,
                   groups: list[str] | None = None) -> pd.DataFrame:
    """Each group's attendances split by tier (kind="tier") or type of site attended (kind="site").

    Returns target_group, group_label, category, category_label, attendances, total, reached
    (children), share_pct (NaN when hidden: fewer than the threshold of attendances behind
    it, or of children in the group), share_suppressed.
    """
    columns, namer = (TIER_COLUMNS, lambda c: labels.TIERS.get(c, labels.tidy(c))) if kind == "tier" \
        else (SITE_COLUMNS, labels.site_type)
    rows = focus(areas, centre)
    if groups is not None:
        rows = rows[rows["target_group"].isin(groups)]
    sums = rows.groupby("target_group", sort=True)[[*columns, "reached"]].sum()
    long = sums.rename(columns=columns).reset_index().melt(id_vars=["target_group", "reached"], var_name="category",
                                                           value_name="attendances")
    long["total"] = long.groupby("target_group")["attendances"].transform("sum")
    long = long[long["total"] > 0]
    long = stats.add_rate(long, "attendances", "total", "share", threshold)
    # Attendances are not people: one child with 5 visits would show as a 100% share.
    # A group's shares are hidden too when fewer children than the threshold came.
    few_children = stats.is_small(long["reached"], threshold)
    long.loc[few_children, ["share_pct", "share_lower", "share_upper"]] = np.nan
    long["share_suppressed"] = long["share_suppressed"] | few_children
    long["group_label"] = long["target_group"].map(labels.target_group)
    long["category_label"] = long["category"].map(namer)
    return long.reset_index(drop=True)


# --- Identification: age at registration ------------------------------------------------------------

@queries.derived_from
def registration_age(areas: pd.DataFrame, threshold: int, centre: str | None = None,
                     groups: list[str] | None = None, view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Per group: registered children and the share registered before 3 months and before 1 year, with intervals.

    A share rests on the children registered: where the disclosure plan hides them, the shares go too.
    """
    rows = focus(areas, centre)
    if groups is not None:
        rows = rows[rows["target_group"].isin(groups)]
    sums = rows.groupby("target_group", sort=True)[["registered", "registered_by_3_months", "registered_by_1_year"]].sum().reset_index()
    sums = stats.add_rate(sums, "registered_by_3_months", "registered", "by_3_months", threshold)
    sums = stats.add_rate(sums, "registered_by_1_year", "registered", "by_1_year", threshold)
    sums["registered_hidden"] = [
        view.focus_hidden(g, ["registered"], {"registered": r})["registered"] if view is not None else bool(stats.is_small(r, threshold))
        for g, r in zip(sums["target_group"], sums["registered"])]
    for prefix in ("by_3_months", "by_1_year"):
        sums.loc[sums["registered_hidden"], [f"{prefix}_pct", f"{prefix}_lower", f"{prefix}_upper"]] = np.nan
        sums[f"{prefix}_suppressed"] = sums[f"{prefix}_suppressed"] | sums["registered_hidden"]
    sums["group_label"] = sums["target_group"].map(labels.target_group)
    return sums


# --- Trend ---------------------------------------------------------------------------------------------

@queries.derived_from
def quarterly(quarters: pd.DataFrame, group: str, threshold: int, centre: str | None = None,
              view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Cumulative reach at the end of each quarter for one group, summed over the centres in focus.

    The fourth quarter is the year's figure, which the table of that year shows: it is hidden
    wherever that year's disclosure plan hides the children reached or the population.
    """
    rows = focus(quarters, centre)
    rows = rows[rows["target_group"] == group]
    out = rows.groupby(["year", "quarter", "quarter_ends"], sort=True)[["population", "reached"]].sum().reset_index()
    out = stats.add_rate(out, "reached", "population", "reach", threshold)
    if view is not None:
        for year in out["year"].unique():
            year_view = disclosure.ReachView(replace(view.filters, year=int(year)), view.sustained_min, view.centre)
            flags = year_view.focus_hidden(group, ["reached", "population"])
            # Every quarter of a year has the year's population estimate behind it.
            gone = (out["year"] == year) & ((out["quarter"] == 4) | flags["population"]) if (flags["reached"] or flags["population"]) \
                else np.zeros(len(out), dtype=bool)
            out.loc[gone, ["reach_pct", "reach_lower", "reach_upper"]] = np.nan
            out.loc[gone, "reach_suppressed"] = True
    out.loc[out["reached"] > out["population"], ["reach_lower", "reach_upper"]] = np.nan
    out["period"] = [f"{labels.financial_year(y)} Q{q}" for y, q in zip(out["year"], out["quarter"])]
    return out


# --- Map ------------------------------------------------------------------------------------------------

BOUNDARIES_FILE = "boundaries.geojson"


@cache
def _read_boundaries(path: str, mtime_ns: int) -> tuple[dict | None, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list) or not features:
            return None, "boundaries.geojson has no features, so the map shows centres instead."
        for feature in features:
            code = (feature.get("properties") or {}).get("area_code") if isinstance(feature, dict) else None
            if code is None:
                return None, "boundaries.geojson has a feature without an area_code property, so the map shows centres instead."
            feature["id"] = str(code)
        return data, ""
    except (OSError, ValueError, UnicodeDecodeError, AttributeError) as error:
        return None, f"boundaries.geojson could not be read ({type(error).__name__}), so the map shows centres instead."


def boundaries(folder: Path) -> tuple[dict | None, str]:
    """The extract's area boundaries (features keyed by area_code) and a sentence when they cannot be used."""
    path = folder / BOUNDARIES_FILE
    if not path.is_file():
        return None, ""
    return _read_boundaries(str(path), path.stat().st_mtime_ns)


@queries.derived_from
def centre_points(areas: pd.DataFrame, group: str, threshold: int, settings: Settings,
                  view: disclosure.ReachView | None = None) -> pd.DataFrame:
    """Centres with coordinates and their reach for a group, for the map without boundaries."""
    rated = protect(rate(rollup(areas[areas["target_group"] == group], "centre"), threshold, settings.good, settings.outstanding),
                    view, "centre", threshold)
    places = areas[["centre_id", "latitude", "longitude"]].drop_duplicates("centre_id").dropna()
    return rated.merge(places, left_on="unit_code", right_on="centre_id", how="inner")


def focus_rows(areas: pd.DataFrame, filters: Filters, centre: str, focus_name: str, threshold: int,
               settings: Settings) -> pd.DataFrame:
    """The figures of the reach areas in focus (a centre's, or everything in view), one row per target group,
    rated and protected as the reach table's whole-authority row is."""
    return protect(rate(rollup(focus(areas, centre), "authority", focus_name), threshold, settings.good, settings.outstanding),
                   disclosure.ReachView(filters, settings.sustained_min, centre), "authority", threshold)


def focus_row(rows: pd.DataFrame, group: str):
    """One group's row of focus_rows (itertuples), or None."""
    return next(iter(rows[rows["target_group"] == group].itertuples()), None)


def trend_series(filters: Filters, group: str, centre: str, threshold: int, settings: Settings) -> dict[str, pd.DataFrame]:
    """The quarterly reach of the group in focus and, for comparison, of all under-fives (group first)."""
    groups = [group] + (["all"] if group != "all" else [])
    quarters = quarter_figures(filters, groups)
    view = disclosure.ReachView(filters, settings.sustained_min, centre)
    return {g: quarterly(quarters, g, threshold, centre, view=view) for g in groups}


def centre_options(areas: pd.DataFrame) -> dict[str, str]:
    """The centres with a reach area in view, by name (a closed centre marked so): centre_id -> name."""
    return {row.centre_id: centre_name(row.centre_name, row.closed_on)
            for row in areas.drop_duplicates("centre_id").sort_values("centre_name").itertuples()}


def sustained_and_reached(row) -> tuple[int, int, bool]:
    """The children in sustained engagement and reached in the focus row, and whether either is hidden."""
    if row is None:
        return 0, 0, False
    return int(row.sustained), int(row.reached), bool(row.sustained_hidden or row.reached_hidden)


def group_options() -> dict[str, str]:
    """The extract's target groups by name, all under-fives and the most deprived 30% first."""
    codes = list(queries.run("target_groups")["target_group"])
    first = [g for g in ("all", MOST_DEPRIVED_GROUP) if g in codes]
    return {g: labels.target_group(g) for g in first + [g for g in codes if g not in first]}


def focus_label(centre: str, centre_options: dict[str, str], authority: str, filters: Filters) -> str:
    """Who the figures in focus are for: the centre, the authority, or the centres the filters leave in view."""
    if centre != "all":
        return centre_options[centre]
    return authority if not any(filters.centre_parameters().values()) else "The centres in view"


@dataclass(frozen=True)
class Choices:
    """What the Reach page's reader chose: the filters, settings, target group, centre in focus and roll-up
    level, with who the figures in focus are for. Hashable, so a page section kept between reruns
    (ui.drawn_once) can take it whole."""

    filters: Filters
    settings: Settings
    group: str
    centre: str
    level: str
    focus_name: str
    threshold: int
    groups: tuple[str, ...]

    @property
    def period(self) -> str:
        return self.filters.period_label

    @property
    def who(self) -> str:
        return labels.target_group(self.group)

    def areas(self) -> pd.DataFrame:
        return area_figures(self.filters, self.settings.sustained_min)

    def view(self, with_centre: bool = False) -> disclosure.ReachView:
        """The disclosure plan's view of everything in view, or of the centre in focus."""
        return disclosure.ReachView(self.filters, self.settings.sustained_min, self.centre if with_centre else None)


def yearly(filters: Filters, group: str, threshold: int, settings: Settings) -> pd.DataFrame:
    """Each year's reach of a group, to the filters' year, for everything in view: the fourth quarter of the
    cumulative quarterly figures (the year's figure, hidden where that year's plan hides it)."""
    points = trend_series(filters, group, "all", threshold, settings)[group]
    if filters.year is not None:
        points = points[points["year"] <= filters.year]
    return points[points["quarter"] == 4].reset_index(drop=True)


def map_frame(chosen: Choices, folder: Path) -> tuple[dict | None, pd.DataFrame, str]:
    """What the map draws: the area boundaries and every area's figures for the group, or, without
    boundaries (None), each centre with coordinates and its figures; and a sentence when the
    boundaries file cannot be used."""
    geo, note = boundaries(folder)
    if geo is not None:
        return geo, missed_areas(chosen.areas(), chosen.group, chosen.threshold, chosen.settings, view=chosen.view()), note
    return None, centre_points(chosen.areas(), chosen.group, chosen.threshold, chosen.settings, view=chosen.view()), note
