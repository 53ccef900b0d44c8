"""The wellbeing and attainment gap: its figures, from the named queries through the outcomes plan.

- ``indicator_overview``: one row per indicator for a geography, with the latest gap, its change
  since the previous and the first comparable year, verdicts and the comparison with England.
- ``gap_trend``: one indicator's focus and reference groups and gap, year by year.
- ``benchmark_trend``: England's (and other benchmarks') values and gaps.
- ``gap_by_area`` and ``funnel_points`` / ``funnel_curve``: districts and centre reach areas.
- ``deprivation_gradient``: the indicator by IDACI quintile.

Proportions and gaps are fractions (0-1) in the frames; the topic's sentences and tables print
them through scrutiny/format.py. Which counts are hidden is the outcomes plan's answer
(scrutiny/disclosure/outcomes.py): every figure resting on a hidden count is NaN in the frames
themselves, so no chart, download or sentence can leak it. A change is never computed across an
indicator's comparability break.
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
        return f"{format.scaled(fraction, self.scale)} {self.per}" if self.is_rate else format.percent(fraction)

    def ci_percent(self, lower: float, upper: float) -> str:
        """'95% CI 52.0% to 61.0%', or '95% CI 5.1 to 7.0' for a rate."""
        return format.interval(lower, upper, scale=self.scale, suffix="" if self.is_rate else "%", words=True)

    def points(self, fraction: float) -> str:
        """A gap or change, without its unit: '18.8' (points) or '6.0' (per 1,000)."""
        return format.scaled(fraction, self.scale)

    def ci_points(self, lower: float, upper: float) -> str:
        return format.interval(lower, upper, scale=self.scale, suffix="", words=True)

    def of_words(self, fraction: float, words: str) -> str:
        """'56.3% of children on free school meals' or '6.0 per 1,000 children on free school meals'."""
        return f"{self.percent(fraction)} {words}" if self.is_rate else f"{self.percent(fraction)} of {words}"

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


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


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


# --- What each section of the Gap page reads -------------------------------------------------------

def trend_to(indicator: Indicator, geography: Geography, year: int) -> pd.DataFrame:
    """gap_trend up to and including the year chosen."""
    trend = gap_trend(indicator, geography)
    return trend[trend["year"] <= year].reset_index(drop=True)


def latest_and_previous(trend: pd.DataFrame, year: int):
    """The year's row of a trend and the row before it (None when it is the first)."""
    latest = trend[trend["year"] == year].iloc[0]
    previous = trend[trend["year"] < year]
    return latest, (previous.iloc[-1] if not previous.empty else None)


def hidden_years(trend: pd.DataFrame) -> int:
    """Years left off the groups chart: a group too small to show."""
    return int((trend["focus_suppressed"] | trend["reference_suppressed"]).sum())


def area_filters(centre_parameters: dict, geography: Geography) -> dict:
    """The sidebar's centre filters, narrowed to the chosen district (or reach area's district)."""
    out = dict(centre_parameters)
    if geography.level in (DISTRICT, CENTRE) and geography.district:
        out["district"] = geography.district
    return out


@dataclass(frozen=True)
class Funnel:
    target: float | None        # the authority's value for the focus group; None when it is hidden or missing
    points: pd.DataFrame        # the reach areas that can be shown, with their band
    curve: pd.DataFrame         # the limits
    hidden: int                 # reach areas left off


def funnel_figures(indicator: Indicator, whole: Geography, year: int, areas: pd.DataFrame) -> Funnel:
    """The funnel plot's figures: each reach area's focus group against limits around the authority's value."""
    authority_row = gap_trend(indicator, whole)
    authority_row = authority_row[authority_row["year"] == year]
    centre_rows = areas[areas["geography_level"] == CENTRE]
    if authority_row.empty or authority_row.iloc[0]["focus_suppressed"] or authority_row["focus_pct"].isna().all():
        return Funnel(None, centre_rows.iloc[0:0], pd.DataFrame(), len(centre_rows))
    target = float(authority_row.iloc[0]["focus_pct"])
    points = funnel_points(centre_rows, target, indicator)
    curve = funnel_curve(target, points["focus_denominator"], indicator=indicator) if len(points) else pd.DataFrame()
    return Funnel(target, points, curve, len(centre_rows) - len(points))


def benchmark_sources(benchmarks: pd.DataFrame) -> str:
    """Every benchmark source once, in order."""
    return "; ".join(dict.fromkeys(s for text in benchmarks["source"] for s in str(text).split("; ")))


def places_by_code(places: list[Geography]) -> dict[str, Geography]:
    """Each geography by its code; where a code is used at two levels the wider one (listed first) wins."""
    out: dict[str, Geography] = {}
    for place in places:
        out.setdefault(place.code, place)
    return out


def default_place(places: list[Geography], district: str | None, whole: Geography) -> str:
    """The sidebar's district where the outcomes have it, else the whole authority."""
    return district if district in {p.code for p in places if p.level == DISTRICT} else whole.code


def crosses_break(indicator: Indicator, trend: pd.DataFrame) -> bool:
    """Whether a trend's years straddle the indicator's comparability break."""
    return indicator.break_year is not None and trend["year"].min() < indicator.break_year <= trend["year"].max()
