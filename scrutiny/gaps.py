"""The wellbeing and attainment gap: is it narrowing?

Every figure the Gap page, the overview and the evidence pack show about gaps
is computed here, once, from the named queries:

- ``indicator_overview``: one row per indicator for a geography, with the
  latest gap, its change since the previous and the first comparable year,
  verdicts and the comparison with England.
- ``gap_trend``: one indicator's focus and reference groups and gap, year by year.
- ``benchmark_trend``: England's (and other benchmarks') values and gaps.
- ``gap_by_area`` and ``funnel_points`` / ``funnel_curve``: districts and
  centre reach areas.
- ``deprivation_gradient``: the indicator by IDACI quintile.
- sentence builders for each of them, and ``headline_gap`` for the overview.

Proportions and gaps are fractions (0-1) in the frames; sentences and tables
show per cent and percentage points. Every figure resting on a suppressed
count is NaN in the frames themselves, so no chart or download can leak it.
A change is never computed across an indicator's comparability break.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scrutiny import disclosure, format, labels, queries, stats
from scrutiny.contract import DEFAULT_RATE_MULTIPLIER, PROPORTION, RATE
from scrutiny.stats import Difference

AUTHORITY, DISTRICT, CENTRE = "authority", "district", "centre"
BENCHMARK_FIRST = "England"

# Display and sentence names for the groups an extract compares; others are tidied.
GROUP_NAMES = {
    ("all", "all"): ("All children", "all children"),
    ("fsm_status", "fsm"): ("On free school meals", "children on free school meals"),
    ("fsm_status", "non_fsm"): ("Not on free school meals", "other children"),
    ("sex", "female"): ("Girls", "girls"),
    ("sex", "male"): ("Boys", "boys"),
}
QUINTILE_WORDS = {
    "1": ("most deprived fifth of areas (IDACI quintile 1)", "children in the most deprived fifth of areas"),
    "5": ("least deprived fifth of areas (IDACI quintile 5)", "children in the least deprived fifth of areas"),
}


def group_label(group_type: str, group: str) -> str:
    """The group as a chart legend or table heading: 'On free school meals'."""
    return _group_names(group_type, group)[0]


def group_words(group_type: str, group: str) -> str:
    """The group inside a sentence: 'children on free school meals'."""
    return _group_names(group_type, group)[1]


def _group_names(group_type: str, group: str) -> tuple[str, str]:
    group_type, group = str(group_type), str(group)
    if (group_type, group) in GROUP_NAMES:
        return GROUP_NAMES[(group_type, group)]
    if group_type == "idaci_quintile":
        if group in QUINTILE_WORDS:
            place, words = QUINTILE_WORDS[group]
            return place[:1].upper() + place[1:], words
        return f"IDACI quintile {group}", f"children in IDACI quintile {group}"
    text = f"{labels.tidy(group_type)}: {group}"
    return text, text[:1].lower() + text[1:]


def _sentence_case(title: str) -> str:
    """'Good level of development' -> 'good level of development'; acronyms ('EYFS ...') keep their capitals."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


# --- Indicators and geographies ----------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    domain: str
    polarity: str
    group_type: str
    focus: str
    reference: str
    break_year: int | None
    source: str
    first_year: int | None = None
    latest_year: int | None = None
    # A proportion (numerator of denominator) or a rate (events per `multiplier` children).
    kind: str = PROPORTION
    multiplier: int | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.polarity == "lower_is_better"

    @property
    def is_rate(self) -> bool:
        return self.kind == RATE

    @property
    def scale(self) -> int:
        """What a per-child fraction is multiplied by to be shown: 100 (per cent) or the rate's multiplier."""
        return (self.multiplier or DEFAULT_RATE_MULTIPLIER) if self.is_rate else 100

    @property
    def per(self) -> str:
        """'per 1,000' for a rate."""
        return f"per {self.scale:,}"

    @property
    def points_word(self) -> str:
        """The unit of a gap or a change: 'points' (percentage points) or 'per 1,000'."""
        return self.per if self.is_rate else "points"

    @property
    def axis_title(self) -> str:
        return f"Per {self.scale:,} children" if self.is_rate else "Per cent"

    def percent(self, fraction: float) -> str:
        """A value: '56.3%', or '6.0 per 1,000' for a rate."""
        return f"{_scaled(fraction, self.scale)} {self.per}" if self.is_rate else percent(fraction)

    def ci_percent(self, lower: float, upper: float) -> str:
        if self.is_rate:
            return f"95% CI {_scaled(lower, self.scale)} to {_scaled(upper, self.scale)}"
        return ci_percent(lower, upper)

    def points(self, fraction: float) -> str:
        """A gap or change, without its unit: '18.8' (points) or '6.0' (per 1,000)."""
        return _scaled(fraction, self.scale)

    def ci_points(self, lower: float, upper: float) -> str:
        return f"95% CI {self.points(lower)} to {self.points(upper)}"

    def of_words(self, fraction: float, words: str) -> str:
        """'56.3% of children on free school meals' or '6.0 per 1,000 children on free school meals'."""
        return f"{self.percent(fraction)} {words}" if self.is_rate else f"{percent(fraction)} of {words}"

    @property
    def subject(self) -> str:
        return _sentence_case(self.title)

    @property
    def focus_label(self) -> str:
        return group_label(self.group_type, self.focus)

    @property
    def reference_label(self) -> str:
        return group_label(self.group_type, self.reference)

    @property
    def focus_words(self) -> str:
        return group_words(self.group_type, self.focus)

    @property
    def reference_words(self) -> str:
        return group_words(self.group_type, self.reference)

    def segment(self, year: int) -> int:
        """0 before the comparability break, 1 from it (always 0 without a break)."""
        return int(self.break_year is not None and int(year) >= self.break_year)

    def comparable(self, year_a: int, year_b: int) -> bool:
        return self.segment(year_a) == self.segment(year_b)

    def break_note(self) -> str:
        if self.break_year is None:
            return ""
        return (f"Figures from {labels.financial_year(self.break_year)} are not comparable with earlier years "
                f"(a change in how {self.subject} is measured), so lines are not joined across the break "
                "and no change is worked out across it.")


def _none_if_missing(value):
    return None if value is None or pd.isna(value) else value


def indicators() -> dict[str, Indicator]:
    """Every indicator in the extract, attainment first, by code."""
    rows = queries.run("indicator_list")
    out = {}
    for r in rows.itertuples():
        break_year, first, latest = (_none_if_missing(v) for v in (r.comparability_break_year, r.first_year, r.latest_year))
        multiplier = _none_if_missing(r.multiplier)
        out[r.indicator] = Indicator(
            r.indicator, r.title, r.domain, r.polarity, r.gap_group_type, r.gap_focus_group, r.gap_reference_group,
            None if break_year is None else int(break_year), r.source,
            None if first is None else int(first), None if latest is None else int(latest),
            RATE if r.kind == RATE else PROPORTION, None if multiplier is None else int(multiplier),
        )
    return out


def default_indicator(available: dict[str, Indicator]) -> str | None:
    """The good level of development where the extract has it, else the first attainment indicator with figures."""
    with_data = [code for code, ind in available.items() if ind.latest_year is not None]
    if "gld" in with_data:
        return "gld"
    attainment = [code for code in with_data if available[code].domain == "attainment"]
    return (attainment or with_data or list(available) or [None])[0]


@dataclass(frozen=True)
class Geography:
    level: str
    code: str
    name: str
    district: str | None = None

    @property
    def words(self) -> str:
        """As it reads in a sentence: 'Northdale', "Eastfield Children's Centre's reach area"."""
        if self.level == CENTRE:
            return f"{self.name}'s reach area" if not self.name.endswith("s") else f"{self.name}' reach area"
        return self.name

    @property
    def label(self) -> str:
        if self.level == AUTHORITY:
            return f"{self.name} (whole authority)"
        if self.level == DISTRICT:
            return f"District: {self.name}"
        return f"Reach area: {self.name} ({self.district})" if self.district else f"Reach area: {self.name}"


def geographies() -> list[Geography]:
    """Every geography with outcome figures: the authority, then districts, then centre reach areas."""
    rows = queries.run("outcome_geographies")
    return [Geography(r.geography_level, r.geography_code, r.geography_name, _none_if_missing(r.district))
            for r in rows.itertuples()]


def authority() -> Geography | None:
    return next((g for g in geographies() if g.level == AUTHORITY), None)


def find_geography(code: str | None, level: str | None = None) -> Geography | None:
    """A geography by its code (the authority's code, a district name or a centre_id); None = the authority.

    When a code is used at more than one level the wider one wins (authority, then district).
    """
    if code is None:
        return authority() if level in (None, AUTHORITY) else None
    return next((g for g in geographies() if g.code == code and (level is None or g.level == level)), None)


def service_changes_for(geography: Geography) -> pd.DataFrame:
    """The service changes that bear on a geography: authority-wide ones, and those at its
    centres (a district's) or at the centre itself (a reach area's)."""
    changes = queries.run("service_changes", district=geography.district if geography.level == DISTRICT else None)
    local = changes["centre_id"].isna()
    if geography.level == DISTRICT:
        local |= changes["centre_id"].notna()
    elif geography.level == CENTRE:
        local |= changes["centre_id"] == geography.code
    return changes[local].reset_index(drop=True)


def suppression_threshold() -> int:
    return disclosure.threshold()


def _plan_hidden(indicator: Indicator, years, levels, codes, group, numerators, denominators):
    """The outcomes plan's answer for each row: (children achieving hidden, children hidden)."""
    numerators, denominators = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    num_hidden = np.zeros(len(numerators), dtype=bool)
    den_hidden = np.zeros(len(numerators), dtype=bool)
    for level in set(levels.tolist()):
        rows = levels == level
        num_hidden[rows], den_hidden[rows] = disclosure.hidden_counts(
            indicator.code, years[rows].astype(int), level, codes[rows], group, numerators[rows], denominators[rows])
    return num_hidden, den_hidden


# --- The gap year by year ----------------------------------------------------------------------

def _difference(row, prefix: str) -> Difference:
    return Difference(row[prefix], row[f"{prefix}_lower"], row[f"{prefix}_upper"])


def _prefix_groups(indicator: Indicator) -> dict[str, tuple[str, str]]:
    return {"focus": (indicator.group_type, indicator.focus), "reference": (indicator.group_type, indicator.reference),
            "all": ("all", "all")}


def _add_gap(frame: pd.DataFrame, indicator: Indicator, threshold: int, years, levels, codes) -> pd.DataFrame:
    """Focus, reference and all-children rates with Wilson intervals, and the gap with Newcombe's interval.

    Expects focus_/reference_/all_ numerator and denominator columns; ``years``, ``levels`` and
    ``codes`` say which outcome cells each row's counts are (for the disclosure plan, which decides
    what is hidden: ``<prefix>_suppressed`` for a rate and ``<prefix>_denominator_hidden`` for its
    children). The gap is signed so that a positive gap means the focus group is worse off. Adds
    raw gap columns (_raw_gap, _raw_gap_lower, _raw_gap_upper) used for changes; callers drop them
    before showing anything.
    """
    out = frame.copy()
    years, levels, codes = (np.asarray(v, dtype=object) for v in (years, levels, codes))
    for prefix, group in _prefix_groups(indicator).items():
        num, den = f"{prefix}_numerator", f"{prefix}_denominator"
        if num not in out:
            continue
        out[num] = pd.to_numeric(out[num], errors="coerce").astype(float)
        out[den] = pd.to_numeric(out[den], errors="coerce").astype(float)
        add = stats.add_event_rate if indicator.is_rate else stats.add_rate
        out = add(out, num, den, prefix, threshold)
        num_hidden, den_hidden = _plan_hidden(indicator, years, levels, codes, group, out[num], out[den])
        # A group the extract has no row for is "no data", not suppressed.
        has_row = out[den].notna().to_numpy()
        hidden = (out[f"{prefix}_suppressed"].to_numpy(dtype=bool) | num_hidden | den_hidden) & has_row
        for column in ("pct", "lower", "upper"):
            out[f"{prefix}_{column}"] = np.where(hidden, np.nan, out[f"{prefix}_{column}"])
        out[f"{prefix}_suppressed"] = hidden
        out[f"{prefix}_denominator_hidden"] = den_hidden & has_row
    fx, fn = out["focus_numerator"].to_numpy(), out["focus_denominator"].to_numpy()
    rx, rn = out["reference_numerator"].to_numpy(), out["reference_denominator"].to_numpy()
    # Rates: the difference of two rates with the square-and-add interval of their Byar intervals.
    difference = stats.rate_difference_arrays if indicator.is_rate else stats.newcombe_arrays
    if indicator.lower_is_better:
        estimate, lower, upper = difference(fx, fn, rx, rn)
    else:
        estimate, lower, upper = difference(rx, rn, fx, fn)
    hidden = out["focus_suppressed"].to_numpy() | out["reference_suppressed"].to_numpy()
    out["_raw_gap"], out["_raw_gap_lower"], out["_raw_gap_upper"] = estimate, lower, upper
    out["gap"] = np.where(hidden, np.nan, estimate)
    out["gap_lower"] = np.where(hidden, np.nan, lower)
    out["gap_upper"] = np.where(hidden, np.nan, upper)
    out["gap_suppressed"] = hidden
    return out


CHANGE_COLUMNS = ("previous_year", "change_previous", "change_previous_lower", "change_previous_upper", "verdict_previous",
                  "first_year", "change_first", "change_first_lower", "change_first_upper", "verdict_first")


def _add_changes(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The change in the gap since the previous and since the first comparable year (MOVER intervals).

    Only years on the same side of the comparability break are compared. A
    change resting on a suppressed gap is not shown (the verdict says why).
    """
    out = frame.sort_values("year").reset_index(drop=True)
    values = {c: [] for c in CHANGE_COLUMNS}
    years = out["year"].astype(int).tolist()
    for i, year in enumerate(years):
        comparable = [j for j in range(i) if indicator.comparable(years[j], year) and not _no_data(out.iloc[j])]
        for key, j in (("previous", comparable[-1] if comparable else None), ("first", comparable[0] if comparable else None)):
            values[f"{key}_year"].append(np.nan if j is None else years[j])
            change, verdict = None, ""
            if j is not None:
                later, earlier = out.iloc[i], out.iloc[j]
                if later["gap_suppressed"] or earlier["gap_suppressed"]:
                    verdict = "not shown (small numbers)"
                elif not (_no_data(later) or _no_data(earlier)):
                    change = stats.change_between(_difference(later, "_raw_gap"), _difference(earlier, "_raw_gap"))
                    verdict = stats.gap_verdict(change)
            values[f"change_{key}"].append(np.nan if change is None else change.estimate)
            values[f"change_{key}_lower"].append(np.nan if change is None else change.lower)
            values[f"change_{key}_upper"].append(np.nan if change is None else change.upper)
            values[f"verdict_{key}"].append(verdict)
    for column, column_values in values.items():
        out[column] = column_values
    return out


def _no_data(row) -> bool:
    return pd.isna(row["focus_denominator"]) or pd.isna(row["reference_denominator"])


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_raw")])


def _as_indicator(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    found = indicators().get(indicator)
    if found is None:
        raise queries.QueryError(f"The extract has no indicator called {indicator}.")
    return found


def _as_geography(geography: Geography | str | None) -> Geography:
    if isinstance(geography, Geography):
        return geography
    found = find_geography(geography)
    if found is None:
        raise queries.QueryError(f"The extract has no outcome figures for {geography}.")
    return found


@queries.kept
def gap_trend(indicator: Indicator | str, geography: Geography | str | None = None) -> pd.DataFrame:
    """One indicator in one geography, year by year: focus, reference and all-children rates
    (fractions with Wilson intervals), the gap (Newcombe interval), the change since the
    previous and first comparable year with verdicts, the year's label and its side of the break.
    """
    indicator, geography = _as_indicator(indicator), _as_geography(geography)
    rows = queries.run("gap_by_year", geography_level=geography.level, geography_code=geography.code,
                       indicator=indicator.code)
    return _trend_from_counts(rows, indicator, suppression_threshold(), geography)


def _trend_from_counts(rows: pd.DataFrame, indicator: Indicator, threshold: int, geography: Geography) -> pd.DataFrame:
    frame = _add_gap(rows, indicator, threshold, rows["year"], [geography.level] * len(rows), [geography.code] * len(rows))
    frame = _add_changes(frame, indicator)
    frame["year"] = frame["year"].astype(int)
    frame["year_label"] = [labels.financial_year(y) for y in frame["year"]]
    frame["segment"] = [indicator.segment(y) for y in frame["year"]]
    return _finish(frame)


def latest_year(years, up_to: int | None) -> int | None:
    """The latest of the years no later than up_to (any year when up_to is None)."""
    chosen = [int(y) for y in years if up_to is None or int(y) <= up_to]
    return max(chosen) if chosen else None


# --- Benchmarks --------------------------------------------------------------------------------

@queries.kept
def benchmark_trend(indicator: Indicator | str) -> pd.DataFrame:
    """Each benchmark geography's values year by year: focus_value, reference_value and
    all_value (fractions; NaN where not published), their published intervals where given,
    the gap (same sign as the local gap) and the source. England first.
    """
    indicator = _as_indicator(indicator)
    return _benchmark_frame(queries.run("benchmark_values", indicator=indicator.code), indicator)


def _benchmark_frame(rows: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    columns = ["geography", "year", "focus_value", "focus_lower", "focus_upper", "reference_value",
               "reference_lower", "reference_upper", "all_value", "all_lower", "all_upper", "gap", "source"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    which = {(indicator.group_type, indicator.focus): "focus", (indicator.group_type, indicator.reference): "reference",
             ("all", "all"): "all"}
    records: dict[tuple, dict] = {}
    for r in rows.itertuples():
        role = which.get((r.group_type, r.group))
        if role is None:
            continue
        record = records.setdefault((r.geography, int(r.year)), {"geography": r.geography, "year": int(r.year), "sources": []})
        # Published per cent, or per the rate's multiplier: per child, as every local figure is.
        record[f"{role}_value"] = r.value / indicator.scale
        record[f"{role}_lower"] = np.nan if pd.isna(r.lower_ci) else r.lower_ci / indicator.scale
        record[f"{role}_upper"] = np.nan if pd.isna(r.upper_ci) else r.upper_ci / indicator.scale
        if r.source not in record["sources"]:
            record["sources"].append(r.source)
    frame = pd.DataFrame(list(records.values()))
    for column in columns:
        if column not in frame:
            frame[column] = np.nan
    frame["source"] = ["; ".join(s) for s in frame["sources"]]
    sign = 1 if indicator.lower_is_better else -1
    frame["gap"] = sign * (frame["focus_value"] - frame["reference_value"])
    frame["order"] = frame["geography"] != BENCHMARK_FIRST
    frame = frame.sort_values(["order", "geography", "year"]).reset_index(drop=True)
    return frame[columns]


def _compare(lower, upper, benchmark, polarity) -> str:
    if any(v is None or pd.isna(v) for v in (lower, upper, benchmark)):
        return ""
    return stats.compare_with_benchmark(lower, upper, benchmark, polarity)


# --- Every indicator for a geography -------------------------------------------------------------

OVERVIEW_COLUMNS = [
    "indicator", "title", "domain", "polarity", "focus_group", "reference_group", "year", "year_label",
    "focus_numerator", "focus_denominator", "focus_pct", "focus_lower", "focus_upper", "focus_suppressed",
    "focus_denominator_hidden",
    "reference_numerator", "reference_denominator", "reference_pct", "reference_lower", "reference_upper", "reference_suppressed",
    "reference_denominator_hidden",
    "all_pct", "all_lower", "all_upper", "all_suppressed",
    "gap", "gap_lower", "gap_upper", "gap_suppressed", *CHANGE_COLUMNS, "break_year",
    "benchmark_geography", "benchmark_latest_year", "benchmark_group", "benchmark_value", "benchmark_comparison",
    "benchmark_gap", "gap_comparison", "benchmark_source", "source",
]


@queries.kept
def indicator_overview(geography_level: str = AUTHORITY, geography_code: str | None = None,
                       year: int | None = None) -> pd.DataFrame:
    """One row per indicator for a geography: its latest year no later than `year` (the
    latest of all when None), focus and reference rates, the gap with Newcombe's interval,
    its change since the previous and the first comparable year with verdicts, and the
    comparison with England (the focus group's value where England publishes it, else all
    children's; and the gap against England's gap). An indicator without figures for the
    geography up to that year has a row with year NaN.

    Worked out once per geography, year and extract version (queries.kept): the gap page, the
    overview and the evidence pack all show it, and each of their reruns would redo every
    indicator's trend.
    """
    geography = find_geography(geography_code, geography_level)
    available = indicators()
    if geography is None:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    counts = queries.run("gap_by_year", geography_level=geography.level, geography_code=geography.code, indicator=None)
    benchmarks = queries.run("benchmark_values", indicator=None)
    threshold = suppression_threshold()
    rows = []
    for code, indicator in available.items():
        trend = _trend_from_counts(counts[counts["indicator"] == code], indicator, threshold, geography)
        chosen = latest_year(trend["year"], year)
        if chosen is None:
            row = {"indicator": code, "year": np.nan, "year_label": ""}
        else:
            row = trend[trend["year"] == chosen].iloc[0].to_dict()
            row.update(_england_comparison(row, indicator, _benchmark_frame(benchmarks[benchmarks["indicator"] == code], indicator)))
        row.update(title=indicator.title, domain=indicator.domain, polarity=indicator.polarity,
                   focus_group=indicator.focus_label, reference_group=indicator.reference_label,
                   break_year=indicator.break_year, source=indicator.source)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in OVERVIEW_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    return frame[OVERVIEW_COLUMNS]


def _england_comparison(row: dict, indicator: Indicator, benchmarks: pd.DataFrame) -> dict:
    england_years = benchmarks.loc[benchmarks["geography"] == BENCHMARK_FIRST, "year"]
    if england_years.empty:
        return {}
    same_year = benchmarks[(benchmarks["geography"] == BENCHMARK_FIRST) & (benchmarks["year"] == row["year"])]
    if same_year.empty:
        # Never compared across years: the table says which year England's latest figure is for.
        return {"benchmark_latest_year": int(england_years.max())}
    england = same_year.iloc[0]
    out = {"benchmark_geography": BENCHMARK_FIRST, "benchmark_source": england["source"],
           "benchmark_latest_year": int(england_years.max())}
    if not pd.isna(england["focus_value"]):
        out.update(benchmark_group=indicator.focus_label, benchmark_value=england["focus_value"],
                   benchmark_comparison=_compare(row["focus_lower"], row["focus_upper"], england["focus_value"], indicator.polarity))
    elif not pd.isna(england["all_value"]):
        out.update(benchmark_group=group_label("all", "all"), benchmark_value=england["all_value"],
                   benchmark_comparison=_compare(row.get("all_lower"), row.get("all_upper"), england["all_value"], indicator.polarity))
    if not pd.isna(england["gap"]):
        # A smaller gap is the better one, whatever the indicator's polarity.
        out.update(benchmark_gap=england["gap"],
                   gap_comparison=_compare(row["gap_lower"], row["gap_upper"], england["gap"], "lower_is_better"))
    return out


# --- Areas -------------------------------------------------------------------------------------

@queries.kept
def gap_by_area(indicator: Indicator | str, year: int, district=None, cluster=None, lead_agency=None,
                site_type=None) -> pd.DataFrame:
    """The gap in one year for every district and every centre reach area in view (the sidebar
    filters narrow the centres only), widest gap first, suppressed gaps last. Adds `clear`:
    'focus group clearly worse off' / 'focus group clearly better off' / 'no clear gap' / 'not shown'.
    """
    indicator = _as_indicator(indicator)
    rows = queries.run("gap_by_area", indicator=indicator.code, year=int(year), district=district, cluster=cluster,
                       lead_agency=lead_agency, site_type=site_type)
    frame = _finish(_add_gap(rows, indicator, suppression_threshold(), [int(year)] * len(rows), rows["geography_level"],
                             rows["geography_code"]))
    frame["clear"] = [
        "not shown" if s else "clearly worse off" if lo > 0 else "clearly better off" if hi < 0 else "no clear gap"
        for s, lo, hi in zip(frame["gap_suppressed"], frame["gap_lower"], frame["gap_upper"])
    ]
    return frame.sort_values(["geography_level", "gap_suppressed", "gap"], ascending=[False, True, False],
                             na_position="last").reset_index(drop=True)


FUNNEL_BANDS = ("above 99.8% limit", "above 95% limit", "within limits", "below 95% limit", "below 99.8% limit")


def _funnel_limits(target: float, n, coverage: float, indicator: Indicator | None):
    """Exact binomial limits for a proportion, exact Poisson limits for a rate."""
    if indicator is not None and indicator.is_rate:
        return stats.exact_poisson_funnel_limits(target, n, coverage)
    return stats.exact_funnel_limits(target, n, coverage)


def funnel_points(areas: pd.DataFrame, target: float, indicator: Indicator | None = None) -> pd.DataFrame:
    """The focus group's value in each area that can be shown, placed against exact binomial 95%
    and 99.8% limits around `target` (the authority's value); `band` is one of FUNNEL_BANDS."""
    shown = areas[~areas["focus_suppressed"] & areas["focus_denominator"].notna()].copy()
    n = shown["focus_denominator"].to_numpy(dtype=float)
    value = shown["focus_numerator"].to_numpy(dtype=float) / n
    low95, high95 = _funnel_limits(target, n, 0.95, indicator)
    low998, high998 = _funnel_limits(target, n, 0.998, indicator)
    shown["band"] = np.select(
        [value > high998, value > high95, value < low998, value < low95],
        [FUNNEL_BANDS[0], FUNNEL_BANDS[1], FUNNEL_BANDS[4], FUNNEL_BANDS[3]],
        default=FUNNEL_BANDS[2],
    )
    return shown.reset_index(drop=True)


def funnel_curve(target: float, denominators, points: int = 120, indicator: Indicator | None = None) -> pd.DataFrame:
    """The 95% and 99.8% limits around target (fractions) for denominators from 1 to a little past
    the largest given, the given ones included so that each area's limits are exact."""
    given = np.asarray(denominators, dtype=float)
    largest = max(float(given.max()) if len(given) else 2.0, 2.0)
    n = np.unique(np.concatenate([np.round(np.geomspace(1, largest * 1.05, points)), given]))
    low95, high95 = _funnel_limits(target, n, 0.95, indicator)
    low998, high998 = _funnel_limits(target, n, 0.998, indicator)
    return pd.DataFrame({"denominator": n, "lower_95": low95, "upper_95": high95, "lower_998": low998, "upper_998": high998})


# --- Deprivation gradient ----------------------------------------------------------------------

GRADIENT_GROUP_TYPE = "idaci_quintile"


@queries.kept
def deprivation_gradient(indicator: Indicator | str, geography: Geography | str | None, year: int) -> pd.DataFrame:
    """The indicator by IDACI quintile (1 = most deprived) in one year: numerator, denominator,
    rate with Wilson interval (NaN when suppressed) and a label. Empty when the extract has no quintiles."""
    indicator, geography = _as_indicator(indicator), _as_geography(geography)
    rows = queries.run("outcome_groups_by_year", indicator=indicator.code, geography_level=geography.level,
                       geography_code=geography.code, group_type=GRADIENT_GROUP_TYPE)
    rows = rows[rows["year"] == int(year)].copy()
    rows["numerator"] = rows["numerator"].astype(float)
    rows["denominator"] = rows["denominator"].astype(float)
    rows["order"] = [int(m.group()) if (m := re.search(r"\d+", str(g))) else 99 for g in rows["group"]]
    rows = rows.sort_values(["order", "group"]).reset_index(drop=True)
    rows["label"] = [group_label(GRADIENT_GROUP_TYPE, g) for g in rows["group"]]
    rows["short_label"] = [{"1": "1 (most deprived)", "5": "5 (least deprived)"}.get(str(g), str(g)) for g in rows["group"]]
    add = stats.add_event_rate if indicator.is_rate else stats.add_rate
    out = add(rows, "numerator", "denominator", "value", suppression_threshold())
    num_hidden = np.zeros(len(out), dtype=bool)
    den_hidden = np.zeros(len(out), dtype=bool)
    for i, group in enumerate(out["group"]):
        one = _plan_hidden(indicator, np.array([int(year)]), np.array([geography.level], dtype=object),
                           np.array([geography.code], dtype=object), (GRADIENT_GROUP_TYPE, str(group)),
                           out["numerator"].iloc[i:i + 1], out["denominator"].iloc[i:i + 1])
        num_hidden[i], den_hidden[i] = one[0][0], one[1][0]
    hidden = out["value_suppressed"].to_numpy(dtype=bool) | num_hidden | den_hidden
    for column in ("value_pct", "value_lower", "value_upper"):
        out[column] = np.where(hidden, np.nan, out[column])
    out["value_suppressed"] = hidden
    out["value_denominator_hidden"] = den_hidden
    return out


# --- Sentences ---------------------------------------------------------------------------------

def _scaled(fraction: float, scale: int) -> str:
    return format.scaled(fraction, scale, 1)


def _one_decimal(fraction: float) -> str:
    return _scaled(fraction, 100)


def points(fraction: float) -> str:
    """A gap as percentage points with one decimal: 0.188 -> '18.8'."""
    return format.points(fraction, unit=False)


def percent(fraction: float) -> str:
    return format.percent(fraction)


def ci_points(lower: float, upper: float) -> str:
    return f"95% CI {points(lower)} to {points(upper)}"


def ci_percent(lower: float, upper: float) -> str:
    return f"95% CI {percent(lower)} to {percent(upper)}"


count_of = format.count_of


def too_few(n: int, noun: str, verb: str = "shown") -> str:
    """' 2 reach areas with too few children are not shown.' (empty for none)."""
    return f" {count_of(n, noun)} with too few children {'is' if n == 1 else 'are'} not {verb}." if n else ""


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def gap_sentence(row, indicator: Indicator, geography: Geography) -> str:
    """The gap in one year with its interval and its change since the previous comparable year:
    "In Northdale the gap in good level of development between children on free school meals and
    other children was 18.8 points in 2023-24 (95% CI 10.1 to 27.0), down from 26.0 in 2022-23:
    no clear change." `row` is a row of gap_trend or indicator_overview.
    """
    place = f"In {geography.words}"
    between = f"the gap in {indicator.subject} between {indicator.focus_words} and {indicator.reference_words}"
    year = row["year_label"]
    if row["gap_suppressed"]:
        return (f"{place} {between} cannot be shown for {year}: one of the groups has too few children "
                f"(fewer than {suppression_threshold()}), so its figures are suppressed.")
    if _missing(row["gap"]):
        return f"{place} the extract has no figures for {between} in {year}."
    if row["gap"] >= 0:
        text = f"{place} {between} was {indicator.points(row['gap'])} {indicator.points_word} in {year} ({indicator.ci_points(row['gap_lower'], row['gap_upper'])})"
    else:
        text = (f"{place} {between} was reversed in {year}: {indicator.focus_words} did better, by "
                f"{indicator.points(-row['gap'])} {indicator.points_word} ({indicator.ci_points(row['gap_lower'], row['gap_upper'])} on the usual scale, "
                f"where a positive gap means {indicator.focus_words} are worse off)")
    return text + _change_clause(row, "previous", indicator) + "."


def _change_clause(row, key: str, indicator: Indicator) -> str:
    """', down from 26.0 in 2022-23: no clear change' (key 'previous') or the same since the first comparable year."""
    earlier_year = row[f"{key}_year"]
    if _missing(earlier_year):
        if key == "previous" and indicator.break_year is not None and int(row["year"]) == indicator.break_year:
            return (f"; it is the first year after a break in the series, so it is not compared with "
                    f"{labels.financial_year(int(row['year']) - 1)} or earlier")
        return ""
    earlier_label = labels.financial_year(int(earlier_year))
    if _missing(row[f"change_{key}"]):
        return f"; the change since {earlier_label} is not shown because it rests on suppressed small numbers"
    earlier_gap = row["gap"] - row[f"change_{key}"]
    direction = "down from" if row[f"change_{key}"] < 0 else "up from" if row[f"change_{key}"] > 0 else "the same as"
    since = "" if key == "previous" else ", the first comparable year"
    return (f", {direction} {indicator.points(earlier_gap)} in {earlier_label}{since} (change {_signed(row[f'change_{key}'], indicator)} {indicator.points_word}, "
            f"{indicator.ci_points(row[f'change_{key}_lower'], row[f'change_{key}_upper'])}): {row[f'verdict_{key}']}")


def _signed(fraction: float, indicator: Indicator | None = None) -> str:
    text = indicator.points(fraction) if indicator is not None else points(fraction)
    return text if text.startswith("-") else f"+{text}"


def long_run_sentence(row, indicator: Indicator) -> str:
    """The change since the first comparable year, when that is earlier than the previous one."""
    if _missing(row["first_year"]) or row["first_year"] == row["previous_year"] or row["gap_suppressed"]:
        return ""
    clause = _change_clause(row, "first", indicator)
    return f"Over a longer run the gap is {indicator.points(row['gap'])} {indicator.points_word} in {row['year_label']}{clause}." if clause else ""


def values_sentence(row, indicator: Indicator, previous=None) -> str:
    """The two groups' values in one year, and how the focus group's value moved since `previous`
    (a row of gap_trend): a fall is an improvement for a lower-is-better indicator."""
    year = row["year_label"]
    parts = []
    for prefix, words in (("focus", indicator.focus_words), ("reference", indicator.reference_words)):
        if row[f"{prefix}_suppressed"]:
            parts.append(f"{words}: not shown (small numbers)")
        elif _missing(row[f"{prefix}_pct"]):
            parts.append(f"{words}: no figures")
        else:
            parts.append(f"{indicator.of_words(row[f'{prefix}_pct'], words)} "
                         f"({indicator.ci_percent(row[f'{prefix}_lower'], row[f'{prefix}_upper'])})")
    text = f"{labels.tidy(indicator.subject)} in {year}: {parts[0]}, against {parts[1]}."
    if previous is not None:
        moved = focus_change(row, previous, indicator)
        if moved:
            text += " " + moved
    return text


IMPROVED, WORSENED = "a clear improvement", "a clear deterioration"


def focus_change(later, earlier, indicator: Indicator) -> str:
    """How the focus group's value moved between two comparable years, judged on Newcombe's
    interval and the indicator's polarity: for obesity a fall is an improvement."""
    if later["focus_suppressed"] or earlier["focus_suppressed"] or _missing(later["focus_pct"]) or _missing(earlier["focus_pct"]):
        return ""
    if not indicator.comparable(later["year"], earlier["year"]):
        return ""
    verdict = focus_change_verdict(later["focus_numerator"], later["focus_denominator"], earlier["focus_numerator"],
                                   earlier["focus_denominator"], indicator.polarity, indicator.kind)
    change = later["focus_pct"] - earlier["focus_pct"]
    if change == 0:
        moved = f"it was the same as in {earlier['year_label']}"
    else:
        moved = f"it {'rose' if change > 0 else 'fell'} from {indicator.percent(earlier['focus_pct'])} in {earlier['year_label']}"
    return f"For {indicator.focus_words} {moved}: {verdict}."


def focus_change_verdict(later_x, later_n, earlier_x, earlier_n, polarity: str, kind: str = PROPORTION) -> str:
    """'a clear improvement', 'a clear deterioration' or 'no clear change' (the whole interval of
    the difference must be on one side of zero); a fall improves a lower-is-better indicator."""
    if kind == RATE:
        difference = stats.rate_difference(later_x, later_n, earlier_x, earlier_n, multiplier=1)
    else:
        difference = stats.newcombe_difference(later_x, later_n, earlier_x, earlier_n)
    if difference.lower > 0:
        rose_clearly = True
    elif difference.upper < 0:
        rose_clearly = False
    else:
        return stats.NO_CLEAR_CHANGE
    return IMPROVED if rose_clearly == (polarity == "higher_is_better") else WORSENED


def overview_sentence(overview: pd.DataFrame, geography: Geography) -> str:
    """How many indicators' gaps clearly narrowed or widened, for the overview table."""
    shown = overview[overview["year"].notna()]
    if shown.empty:
        return f"The extract has no outcome figures for {geography.words} up to this year."
    parts = []
    for key, since in (("previous", "the previous year"), ("first", "the first comparable year")):
        verdicts = shown[f"verdict_{key}"].fillna("")
        narrowing = shown.loc[verdicts == stats.NARROWING, "title"].tolist()
        widening = shown.loc[verdicts == stats.WIDENING, "title"].tolist()
        judged = int(verdicts.isin([stats.NARROWING, stats.WIDENING, stats.NO_CLEAR_CHANGE]).sum())
        if not judged:
            continue
        gaps_compared = f"{count_of(judged, 'gap')} that can be compared"
        if not narrowing and not widening:
            parts.append(f"Since {since}, none of the {gaps_compared} clearly narrowed or widened.")
        else:
            parts.append(f"Since {since}, of the {gaps_compared}, {_count_list(narrowing)} clearly narrowed and "
                         f"{_count_list(widening)} clearly widened; the rest show no clear change.")
    head = f"{len(shown)} indicator{'s have' if len(shown) != 1 else ' has'} figures for {geography.words}."
    if not parts:
        return head + " None has an earlier comparable year to measure a change against."
    return " ".join([head, *parts, "A gap is called narrowing or widening only when the whole 95% interval of "
                     "its change is on one side of zero."])


def _count_list(titles: list[str]) -> str:
    if not titles:
        return "none"
    return f"{len(titles)} ({', '.join(_sentence_case(t) for t in titles)})"


def benchmark_sentence(trend: pd.DataFrame, indicator: Indicator, geography: Geography, benchmarks: pd.DataFrame) -> str:
    """The local gap and focus value against England's in the latest year both have, naming the source."""
    if benchmarks.empty:
        return "The extract has no published benchmarks for this indicator."
    england_years = set(benchmarks.loc[benchmarks["geography"] == BENCHMARK_FIRST, "year"].astype(int))
    common = trend[trend["year"].isin(england_years)]
    if common.empty:
        return f"The extract has no England figure for {indicator.subject} in the years {geography.words} has figures for."
    row = common.iloc[-1]
    e = benchmarks[(benchmarks["geography"] == BENCHMARK_FIRST) & (benchmarks["year"] == row["year"])].iloc[0]
    sentences = []
    if row["year"] != trend["year"].max():
        sentences.append(f"England's latest figure in the extract is for {row['year_label']}.")
    if not _missing(e["gap"]):
        if row["gap_suppressed"] or _missing(row["gap"]):
            local = f"the gap in {geography.words} cannot be shown"
        else:
            verdict = _compare(row["gap_lower"], row["gap_upper"], e["gap"], "lower_is_better")
            local = (f"the gap in {geography.words} was {indicator.points(row['gap'])} {indicator.points_word} "
                     f"({indicator.ci_points(row['gap_lower'], row['gap_upper'])}) against {indicator.points(e['gap'])} {indicator.points_word} for England: "
                     f"{_comparison_words(verdict, 'gap')}")
        sentences.append(f"In {row['year_label']} {local}.")
    for prefix, words in (("focus", indicator.focus_words), ("all", "all children")):
        value = e[f"{prefix}_value"]
        if _missing(value) or _missing(row.get(f"{prefix}_pct")):
            continue
        verdict = _compare(row[f"{prefix}_lower"], row[f"{prefix}_upper"], value, indicator.polarity)
        sentences.append(f"In {row['year_label']}, for {words}, {indicator.percent(row[f'{prefix}_pct'])} in {geography.words} "
                         f"({indicator.ci_percent(row[f'{prefix}_lower'], row[f'{prefix}_upper'])}) against {indicator.percent(value)} in England: "
                         f"{_comparison_words(verdict, 'value')}.")
        break
    sentences.append(f"Source for England: {e['source']}.")
    return " ".join(sentences)


def _comparison_words(verdict: str, what: str) -> str:
    if what == "gap":
        return {stats.BETTER: "a clearly smaller gap than England's", stats.WORSE: "a clearly wider gap than England's",
                stats.SIMILAR: "similar to England (the interval includes England's gap)"}.get(verdict, "")
    return {stats.BETTER: "better than England", stats.WORSE: "worse than England",
            stats.SIMILAR: "similar to England (the interval includes England's value)"}.get(verdict, "")


def area_sentence(areas: pd.DataFrame, level: str, indicator: Indicator, year: int) -> str:
    """Which districts or reach areas have the widest and narrowest gaps, and how many are clear."""
    rows = areas[areas["geography_level"] == level]
    what = "district" if level == DISTRICT else "reach area"
    if rows.empty:
        return f"The extract has no {what} figures for {indicator.subject} in {labels.financial_year(year)}."
    shown = rows[~rows["gap_suppressed"] & rows["gap"].notna()]
    hidden = len(rows) - len(shown)
    hidden_text = too_few(hidden, what)
    if shown.empty:
        return f"No {what} has enough children in both groups to show its gap in {labels.financial_year(year)}.{hidden_text}"
    widest, narrowest = shown.iloc[0], shown.iloc[-1]
    clear = int((shown["clear"] == "clearly worse off").sum())
    if len(shown) == 1:
        text = (f"In {labels.financial_year(year)} only {widest['geography_name']} can be shown: a gap of "
                f"{indicator.points(widest['gap'])} {indicator.points_word} ({indicator.ci_points(widest['gap_lower'], widest['gap_upper'])}), "
                + ("with " if clear else "without ") + f"{indicator.focus_words} clearly worse off.")
        return text + hidden_text
    text = (f"In {labels.financial_year(year)} the gap was widest in {widest['geography_name']} "
            f"({indicator.points(widest['gap'])} {indicator.points_word}, {indicator.ci_points(widest['gap_lower'], widest['gap_upper'])}) "
            f"and narrowest in {narrowest['geography_name']} "
            f"({indicator.points(narrowest['gap'])} {indicator.points_word}, {indicator.ci_points(narrowest['gap_lower'], narrowest['gap_upper'])}). "
            f"In {clear} of the {count_of(len(shown), what)} shown, {indicator.focus_words} were clearly worse off "
            f"(the whole interval above zero); where intervals overlap, areas cannot be ranked with confidence."
            f"{chance_note(len(shown), what, 'would show the focus group clearly worse off')}")
    return text + hidden_text


CHANCE_NOTE_FROM = 20   # from 20 figures judged at once, chance alone gives about half a false call or more


def chance_note(judged: int, noun: str, claim: str, share: float = 0.025) -> str:
    """' With 40 reach areas judged at once, about 1 would ... by chance alone ...' (empty below 20)."""
    if judged < CHANCE_NOTE_FROM:
        return ""
    return (f" With {judged:,} {noun}s judged at once, about {stats.expected_by_chance(judged, share):.0f} {claim} by chance "
            f"alone even if none truly differed ({share:.1%} of them), so one such result among many is weak evidence on its own.")


def funnel_sentence(points_frame: pd.DataFrame, hidden: int, target: float, indicator: Indicator,
                    geography_words: str, year: int) -> str:
    """How many areas sit outside the funnel's limits, in plain words."""
    total = len(points_frame)
    hidden_text = too_few(hidden, "reach area", "plotted")
    if not total:
        return f"No reach area has enough {indicator.focus_words} to plot in {labels.financial_year(year)}.{hidden_text}"
    def named(bands) -> str:
        names = points_frame.loc[points_frame["band"].isin(bands), "geography_name"].tolist()
        return f" ({', '.join(names)})" if 0 < len(names) <= 8 else ""

    beyond = {"high": FUNNEL_BANDS[0], "low": FUNNEL_BANDS[4]}
    better, worse = ("low", "high") if indicator.lower_is_better else ("high", "low")
    n_better = int((points_frame["band"] == beyond[better]).sum())
    n_worse = int((points_frame["band"] == beyond[worse]).sum())
    n_watch = int(points_frame["band"].isin([FUNNEL_BANDS[1], FUNNEL_BANDS[3]]).sum())
    if n_better == n_worse == n_watch == 0:
        return (f"In {labels.financial_year(year)}, against {geography_words}'s {indicator.percent(target)} for {indicator.focus_words}, "
                + ("the one reach area shown was" if total == 1 else f"all {total} reach areas were")
                + " within what chance alone would produce (inside the 95% limits)."
                f"{hidden_text}")
    return (f"In {labels.financial_year(year)}, against {geography_words}'s {indicator.percent(target)} for {indicator.focus_words}, "
            f"of {count_of(total, 'reach area')} {n_better} {'was' if n_better == 1 else 'were'} clearly better than chance "
            f"alone would give, beyond the 99.8% limits{named([beyond[better]])}, and {n_worse} clearly worse"
            f"{named([beyond[worse]])}; {n_watch} more {'was' if n_watch == 1 else 'were'} outside the 95% limits only, "
            f"worth watching{named([FUNNEL_BANDS[1], FUNNEL_BANDS[3]])}; the rest were within what chance alone would "
            f"produce.{chance_note(total, 'reach area', 'would be outside the 95% limits', 0.05)}{hidden_text}")


def gradient_sentence(gradient: pd.DataFrame, indicator: Indicator, geography: Geography, year: int) -> str:
    """The most against the least deprived fifth, with Newcombe's interval for the difference."""
    if gradient.empty:
        return (f"The extract has no IDACI quintile breakdown of {indicator.subject} for {geography.words} "
                f"in {labels.financial_year(year)}.")
    by_group = {str(g): r for g, r in zip(gradient["group"], gradient.to_dict("records"))}
    most, least = by_group.get("1"), by_group.get("5")
    if most is None or least is None:
        return f"The extract's IDACI breakdown for {geography.words} lacks the most or least deprived fifth."
    if most["value_suppressed"] or least["value_suppressed"]:
        return "The most or least deprived fifth has too few children to show, so the gradient is not summarised."
    # Most minus least deprived, turned round when negative, so the estimate, its interval and the
    # word (higher / lower) always agree in sign: "10.0 points lower (95% CI 5.7 to 14.4)".
    counts = (most["numerator"], most["denominator"], least["numerator"], least["denominator"])
    raw = stats.rate_difference(*counts, multiplier=1) if indicator.is_rate else stats.newcombe_difference(*counts)
    higher = raw.estimate >= 0
    shown = raw if higher else Difference(-raw.estimate, -raw.upper, -raw.lower)
    direction = "higher" if higher else "lower"
    if shown.lower > 0:
        worse = higher == indicator.lower_is_better
        tail = f"children in the most deprived fifth were clearly {'worse' if worse else 'better'} off"
    else:
        tail = "the interval includes no difference, so the data cannot tell whether the two fifths differ"
    return (f"In {geography.words} in {labels.financial_year(year)}: {indicator.of_words(most['value_pct'], 'children')} in the most "
            f"deprived fifth of areas ({indicator.ci_percent(most['value_lower'], most['value_upper'])}) against "
            f"{indicator.percent(least['value_pct'])} in the least deprived fifth ({indicator.ci_percent(least['value_lower'], least['value_upper'])}). "
            f"{labels.tidy(indicator.subject)} is {indicator.points(shown.estimate)} {indicator.points_word} {direction} in the most deprived fifth than in "
            f"the least ({indicator.ci_points(shown.lower, shown.upper)}): {tail}.")


# --- The overview page's third question ----------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    sentence: str
    verdict: str          # since the previous comparable year: narrowing / widening / no clear change / ''
    indicator: str
    year: int
    gap: float            # fraction; NaN when suppressed
    gap_lower: float
    gap_upper: float


@queries.kept
def headline_gap(year: int | None = None, geography: str | None = None) -> Headline | None:
    """The gap in the headline indicator (good level of development where the extract has it)
    in the latest outcome year no later than `year`, for the authority or, given a district
    name or centre_id, for that area: one sentence with its verdict since the previous
    comparable year. None when the extract has no such figures."""
    available = indicators()
    code = default_indicator(available)
    place = find_geography(geography) if geography is not None else authority()
    if code is None or place is None:
        return None
    overview = indicator_overview(place.level, place.code, year)
    rows = overview[(overview["indicator"] == code) & overview["year"].notna()]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Headline(gap_sentence(row, available[code], place), row["verdict_previous"] or "", code, int(row["year"]),
                    row["gap"], row["gap_lower"], row["gap_upper"])


# --- Tables as shown (and downloaded) ----------------------------------------------------------

def _flag(value) -> bool:
    return False if _missing(value) else bool(value)


def _shown_percent(value, suppressed, indicator: Indicator | None = None) -> str:
    if suppressed:
        return stats.SUPPRESSED
    return "" if _missing(value) else (indicator.percent(value) if indicator is not None else percent(value))


def _shown_count(count, hidden) -> str:
    """Children in a group as the plan allows: 'c' where it hides them."""
    if _missing(count):
        return ""
    return stats.SUPPRESSED if _flag(hidden) else format.count(count)


def _shown_interval(lower, upper, scale=percent) -> str:
    return "" if _missing(lower) or _missing(upper) else f"{scale(lower)} to {scale(upper)}"


def _shown_change(row, key: str, indicator: Indicator | None = None) -> str:
    if _missing(row[f"{key}_year"]):
        return ""
    since = labels.financial_year(int(row[f"{key}_year"]))
    if _missing(row[f"change_{key}"]):
        return f"{stats.SUPPRESSED} (since {since})" if row["gap_suppressed"] or row[f"verdict_{key}"] else ""
    scale = indicator.points if indicator is not None else points
    return (f"{_signed(row[f'change_{key}'], indicator)} ({scale(row[f'change_{key}_lower'])} to "
            f"{scale(row[f'change_{key}_upper'])}) since {since}")


def _shown_england(row, indicator: Indicator | None = None) -> str:
    if not _missing(row["benchmark_value"]):
        value = indicator.percent(row["benchmark_value"]) if indicator is not None else percent(row["benchmark_value"])
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
        value_text = ind.percent if ind is not None else percent
        gap_text = ind.points if ind is not None else points
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
