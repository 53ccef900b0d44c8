"""The gap in words: every sentence the Gap page, the overview, the lines of enquiry and the
evidence pack write about gaps, from the frames of scrutiny/topics/gap/figures.py."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scrutiny import definitions, format, labels, queries, stats
from scrutiny.contract import PROPORTION, RATE
from scrutiny.stats import Difference
from scrutiny.topics.gap.figures import (BENCHMARK_FIRST, DISTRICT, FUNNEL_BANDS, Geography, Indicator, _compare,
                                         _missing, _sentence_case, authority, default_indicator, find_geography,
                                         indicator_overview, indicators, suppression_threshold)

def too_few(n: int, noun: str, verb: str = "shown") -> str:
    """' 2 reach areas with too few children are not shown.' (empty for none)."""
    return f" {format.count_of(n, noun)} with too few children {'is' if n == 1 else 'are'} not {verb}." if n else ""


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
    text = indicator.points(fraction) if indicator is not None else format.points(fraction, unit=False)
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
        gaps_compared = f"{format.count_of(judged, 'gap')} that can be compared"
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
            f"In {clear} of the {format.count_of(len(shown), what)} shown, {indicator.focus_words} were clearly worse off "
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
            f"of {format.count_of(total, 'reach area')} {n_better} {'was' if n_better == 1 else 'were'} clearly better than chance "
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


# --- The Gap page's fixed words --------------------------------------------------------------------

HOW_TO_READ = (
    "Each indicator compares a **focus group** (for example children on free school meals) with a **reference group** "
    "(the other children). The **gap** is in percentage points (for a rate, per 1,000 children or the rate's own base) and is "
    "signed so that a positive gap means the focus "
    "group is worse off, whether higher or lower is better for that indicator. A gap is called **narrowing** or "
    "**widening** only when the whole 95% interval of its change is on one side of zero; otherwise it is **no clear change**."
)
INTERVALS_NOTE = ("Focus and reference % carry 95% Wilson intervals; gaps and changes carry Newcombe's hybrid score interval "
                  "(changes combine two years' intervals by the square-and-add method). England is compared with the focus "
                  "group where England publishes it, otherwise with all children.")
FUNNEL_NOTE = ("A small reach area's figure swings a long way by chance; the funnel's limits widen for small "
               "numbers so that only differences bigger than chance stand out. The limits are exact around the "
               "authority's value (binomial; Poisson for a rate): an area is outside the 95% (99.8%) limits only "
               "when chance alone would give a figure that far out less than 2.5% (0.1%) of the time.")
GAP_HELP = definitions.meaning("Gap")


def asks(indicator: Indicator) -> list[str]:
    """What a councillor could ask, beside the answer."""
    return [f"What is being done for {indicator.focus_words}, and how will we know it worked?",
            "Which areas have the widest gaps, and are they the ones services reach?",
            "Is the gap narrowing faster or slower than in England?"]


def headline_value(row) -> str:
    """The answer's figure: '18.8 points', or c."""
    hidden = bool(row.get("gap_suppressed", False)) or _missing(row["gap"])
    return stats.SUPPRESSED if hidden else f"{format.points(row['gap'], unit=False)} points"


def page_notes(current, geography: Geography) -> str:
    """How the sidebar's year and filters bear on the page."""
    notes = [
        "Outcome years are labelled by their first year, so 2022 is 2022-23 (an academic year for school measures, "
        "a financial year for health measures). "
        + (f"The sidebar's year, {current.period_label}, sets the latest year shown: each indicator's latest year up to it."
           if current.year is not None else "Each indicator's latest year is shown.")
    ]
    if current.district and geography.level != "authority":
        notes.append(f"The sidebar's district filter ({current.district}) chose the area; you can choose another above.")
    if any(getattr(current, key) for key in ("cluster", "lead_agency", "site_type")):
        notes.append("The sidebar's cluster, lead agency and site type filters narrow the reach areas in the area charts.")
    return " ".join(notes)


def hidden_years_note(hidden: int) -> str:
    return (f"{format.count_of(hidden, 'year')} with too few children in a group "
            f"{'is' if hidden == 1 else 'are'} left off the chart.") if hidden else ""


def bars_note(areas: pd.DataFrame, level: str, most: int) -> str:
    drawn = int(((areas["geography_level"] == level) & areas["gap"].notna()).sum())
    if drawn <= most:
        return ""
    return f"The chart shows the {most // 2} widest and {most // 2} narrowest gaps of the {drawn}; the download below has them all."


def benchmark_note(sources: str, geography: Geography) -> str:
    return (f"Benchmark sources: {sources}. Benchmarks are published figures; where they carry no interval, "
            f"{geography.name} is judged by its own 95% interval.")


def no_funnel_sentence(indicator: Indicator, year: int) -> str:
    return (f"The funnel plot needs the authority's figure for {indicator.focus_words} in {labels.financial_year(year)}, "
            "which the extract does not show.")


def main_chart_caption(indicator: Indicator, geography: Geography) -> str:
    """Above the answer's chart, as its text alternative: what it shows."""
    return f"The gap in {geography.words}, year by year, with its 95% interval (above 0: {indicator.focus_words} behind)."
