"""Lines of enquiry: the rules that turn the figures into questions a councillor can ask.

Every rule is a function taking the current filters and returning Finding
objects. A finding states what the data shows with its figures and its
uncertainty, is phrased as a question, links to the view that shows it, and
never rests on a suppressed number: a rule skips any figure that would be shown
as "c". The rules only claim a difference when the whole 95% interval is on one
side, as every page does.

The rules reuse the figures the pages compute (the same queries and the same
functions), so a finding and the page it links to cannot disagree.

Many comparisons: every rule that tests figures reports the p-value of every
figure it tested (Tested.p_values), not only of those it calls clear. Across
all of them Benjamini and Hochberg's procedure keeps the false discovery rate
at 5%: a clear figure whose p-value does not pass is not called a finding
(comparisons() says how many were left out and how many chance alone would
give). A change that is not clear is never a finding: its line says that the
data cannot tell, with the interval and the size of change it could detect.

Order (ranked): the chosen year's lines before older ones, then severity, then
the strength and size of the evidence together (score: how far the nearer end
of the interval is from the line, in proportion points), then the p-value.
The first ten are the ones a meeting should see.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

from scrutiny import format, labels, queries, stats, ui, uploads
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.filters import Filters
from scrutiny.queries import QueryError
from scrutiny.sharing import page_url_path, view_parameters, view_url
from scrutiny.validation import broken_tables

# Severity words, most serious first; rank orders findings within and across them.
HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    # Higher comes first within a severity: how far from the line, how large the change.
    score: float
    question: str
    statement: str
    uncertainty: str
    page: str
    params: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    # The financial year the view should show, when it is not the filters' own.
    year: int | None = None
    # Two-sided p-value of the figure a statistical finding rests on (None for feedback and data quality).
    p_value: float | None = None

    def view_filters(self, filters: Filters) -> Filters:
        return replace(filters, year=self.year) if self.year is not None else filters

    def url(self, filters: Filters) -> str:
        """The path and parameters of the view that shows this finding."""
        return view_url("/" + page_url_path(self.page), self.view_filters(filters), self.params)

    def as_row(self) -> dict:
        return {
            "Severity": self.severity,
            "Question": self.question,
            "What the data shows": self.statement,
            "Uncertainty": self.uncertainty,
        }


def ranked(findings: list[Finding], year: int | None = None) -> list[Finding]:
    """The chosen year's lines before older ones (a fall in reach three years ago after a change
    is still worth asking about, but after this year's figures); then most serious first; then the
    strongest and largest evidence (score); then the smallest p-value."""
    def key(f: Finding):
        older = year is not None and f.year is not None and f.year < year
        return (older, SEVERITY_ORDER.get(f.severity, 9), -f.score,
                1.0 if f.p_value is None else f.p_value, f.question)
    return sorted(findings, key=key)


class Tested(list):
    """A rule's findings, with the two-sided p-values of every figure the rule tested (the
    findings' own among them), for the false discovery rate across all the rules."""

    def __init__(self, found=(), p_values=()):
        super().__init__(found)
        values = np.asarray(list(p_values), dtype=float)
        self.p_values = values[~np.isnan(values)]


def _threshold() -> int:
    return queries.extract_info().suppression_threshold


def _percent(value: float) -> str:
    return stats.show_percent(value)


def _interval(lower: float, upper: float) -> str:
    return f"95% interval {stats.show_interval(lower, upper)}"


def _where(filters: Filters) -> str:
    """The centres in view, in words: "the whole of Testshire County Council" or "district Northdale"."""
    chosen = Filters(None, **filters.centre_parameters()).describe().split(", ")[1:]
    return ", ".join(chosen) if chosen else f"the whole of {queries.extract_info().authority}"


def _points(value: float) -> str:
    return format.points(abs(value), decimals=0)


# --- Reach ----------------------------------------------------------------------------------------

def _plan_hides(filters: Filters, year: int, group: str, centre: str | None) -> bool:
    """Whether the disclosure plan hides the children reached or the population of a group, for a
    centre or (centre None) everything in view: a finding never quotes a figure the pages hide."""
    from dataclasses import replace

    from scrutiny import disclosure

    view = disclosure.ReachView(replace(filters, year=int(year)), stats.SUSTAINED_MIN, centre)
    flags = view.focus_hidden(group, ["reached", "population"])
    return flags["reached"] or flags["population"]


def _reach_rows(filters: Filters, year: int) -> pd.DataFrame:
    return queries.run("reach_by_centre", year=year, sustained_min=stats.SUSTAINED_MIN, **filters.centre_parameters())


def _group_words(code: str) -> str:
    if code == "all":
        return "under-fives"
    if code == MOST_DEPRIVED_GROUP:
        return f"children in the {labels.target_group(code)}"
    return labels.target_group(code).lower()


def _below_good(r, severity: str, *, question: str, subject: str, whose: str, period: str, params: dict,
                also: str = "", figures: dict | None = None) -> Finding:
    """A reach figure (a row with reached, population and reach_* from stats.add_rate) wholly below 65%."""
    t = _threshold()
    return Finding(
        rule="reach_below_good",
        severity=severity,
        score=stats.GOOD_THRESHOLD - r.reach_upper,
        question=question,
        statement=(f"{subject} {_percent(r.reach_pct)} of {whose} in {period}: "
                   f"{stats.show_count(r.reached, t)} of an estimated {stats.show_count(r.population, t)}.{also}"),
        uncertainty=f"{_interval(r.reach_lower, r.reach_upper)}: the whole interval is below the 65% threshold for good.",
        page="pages/reach.py",
        p_value=float(stats.p_against_threshold(r.reached, r.population, stats.GOOD_THRESHOLD)),
        params=params,
        figures={"reached": int(r.reached), "population": int(r.population), "reach": r.reach_pct,
                 "lower": r.reach_lower, "upper": r.reach_upper, "target_group": r.target_group} | (figures or {}),
    )


def reach_below_good(filters: Filters) -> list[Finding]:
    """A centre reach area, or a target group across the centres in view, whose whole
    interval lies below the 65% threshold for good."""
    if filters.year is None:
        return Tested()
    t = _threshold()
    rows = _reach_rows(filters, filters.year)
    rows = rows[rows.population > 0]
    if rows.empty:
        return Tested()
    found: list[Finding] = []
    period = filters.period_label

    # Target groups across every centre in view ("group"): one finding per group.
    totals = rows.groupby("target_group", as_index=False)[["population", "reached"]].sum()
    totals = stats.add_rate(totals, "reached", "population", "reach", t)
    where = _where(filters)
    for r in totals[totals.reach_upper < stats.GOOD_THRESHOLD].itertuples():
        if _plan_hides(filters, filters.year, r.target_group, None):
            continue
        group = _group_words(r.target_group)
        found.append(_below_good(
            r, HIGH if r.target_group == MOST_DEPRIVED_GROUP else MEDIUM,
            question=f"Across {where}, why are so few {group} reached, and what would it take to reach 65%?",
            subject=f"Across {where}, centres reached", whose=group, period=period,
            params={"target_group": r.target_group},
        ))

    # Each centre: one finding naming the group furthest below, and how many others are too.
    centres = stats.add_rate(rows, "reached", "population", "reach", t)
    below = centres[centres.reach_upper < stats.GOOD_THRESHOLD]
    below = below[np.array([not _plan_hides(filters, filters.year, g, c) for g, c in zip(below.target_group, below.centre_id)], dtype=bool)]
    for centre_id, group_rows in below.groupby("centre_id", sort=True):
        worst = group_rows.sort_values(["reach_upper", "target_group"]).iloc[0]
        others = len(group_rows) - 1
        group = _group_words(worst.target_group)
        found.append(_below_good(
            worst, MEDIUM,
            question=f"Why does {worst.centre_name} reach so few {group} living in its area, and what is planned?",
            subject=f"{worst.centre_name} reached", whose=f"{group} in its reach area", period=period,
            params={"target_group": worst.target_group, "centre": centre_id},
            also=f" {others} other group{'s are' if others != 1 else ' is'} also below 65%." if others else "",
            figures={"centre_id": centre_id, "other_groups_below": others},
        ))
    tested = [frame[~frame.reach_suppressed] for frame in (totals, centres)]
    p_values = np.concatenate([stats.p_against_threshold(frame.reached, frame.population, stats.GOOD_THRESHOLD)
                               for frame in tested])
    return Tested(found, p_values)


def _financial_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def years_around(changed_on: date) -> tuple[int, int]:
    """The last whole financial year before a change and the first whole one after it.

    A change on 1 April 2021 compares 2020-21 with 2021-22; a change on
    31 March 2022 (the last day of 2021-22) compares 2020-21 with 2022-23.
    """
    before = _financial_year(changed_on - timedelta(days=1))
    if date(before + 1, 3, 31) >= changed_on:  # that year is not over before the change
        before -= 1
    after = _financial_year(changed_on)
    if date(after, 4, 1) < changed_on:  # the change happened during that year
        after += 1
    return before, after


REACH_GROUPS_AFTER_CHANGES = ("all", MOST_DEPRIVED_GROUP)


class _Counts(NamedTuple):
    reached: int
    population: int


def _reached_and_population(rows: pd.DataFrame, by: list[str]) -> dict:
    """Reached and population summed by the columns in `by`, as a plain dictionary for quick look-ups."""
    sums = rows.groupby(by)[["reached", "population"]].sum()
    return dict(zip(sums.index, map(_Counts, sums["reached"].tolist(), sums["population"].tolist())))


def reach_fell_after_change(filters: Filters) -> list[Finding]:
    """Reach in the whole financial year after a service change clearly lower than in the year before
    (Newcombe interval on the difference wholly below 0)."""
    changes = queries.run("service_changes", district=filters.district)
    if changes.empty:
        return Tested()
    years = queries.run("financial_years")
    usable = set(years[years.has_attendances].year.astype(int))
    t = _threshold()
    found = []
    p_values = []
    # Only changes with a whole year of attendances on each side, whose after-year the chosen year
    # has reached (the view opens on that after-year).
    around = [(change, *years_around(pd.Timestamp(change.changed_on).date())) for change in changes.itertuples()]
    around = [(change, before, after) for change, before, after in around
              if before in usable and after in usable and (filters.year is None or after <= filters.year)]
    # A big authority logs hundreds of changes over a few years: each year they need is read and
    # summed once, into dictionaries, not looked up in a frame once per change.
    # Keyed (centre, group) for a change at one centre, (None, group) for one across the view.
    reach: dict[int, dict[tuple[str | None, str], _Counts]] = {}
    for year in sorted({year for _, before, after in around for year in (before, after)}):
        rows = _reach_rows(filters, year)
        reach[year] = _reached_and_population(rows, ["centre_id", "target_group"])
        reach[year].update({(None, group): counts for group, counts in _reached_and_population(rows, ["target_group"]).items()})
    for change, before, after in around:
        centre = change.centre_id if isinstance(change.centre_id, str) else None
        where = change.centre_name if centre else _where(filters)
        best = None
        for group in REACH_GROUPS_AFTER_CHANGES:
            b, a = reach[before].get((centre, group)), reach[after].get((centre, group))
            if a is None or b is None:
                continue
            if (a.population == 0 or b.population == 0
                    or stats.rate_suppressed(a.reached, a.population, t) or stats.rate_suppressed(b.reached, b.population, t)
                    or _plan_hides(filters, after, group, centre) or _plan_hides(filters, before, group, centre)):
                continue
            change_in_reach = stats.newcombe_difference(a.reached, a.population, b.reached, b.population)
            p_values.append(stats.p_from_interval(change_in_reach.estimate, change_in_reach.lower, change_in_reach.upper))
            if change_in_reach.upper < 0 and (best is None or change_in_reach.estimate < best[1].estimate):
                best = (group, change_in_reach, a, b)
        if best is None:
            continue
        group, diff, a, b = best
        words = _group_words(group)
        found.append(Finding(
            rule="reach_fell_after_change",
            severity=HIGH,
            score=-diff.upper,
            p_value=float(stats.p_from_interval(diff.estimate, diff.lower, diff.upper)),
            question=(f"Reach fell after “{change.title}” ({pd.Timestamp(change.changed_on):%B %Y}): "
                      f"what happened to the families who stopped coming?"),
            statement=(f"In {where}, reach of {words} fell from {_percent(b.reached / b.population)} in {labels.financial_year(before)} "
                       f"({stats.show_count(b.reached, t)} of {stats.show_count(b.population, t)}) to {_percent(a.reached / a.population)} "
                       f"in {labels.financial_year(after)} ({stats.show_count(a.reached, t)} of {stats.show_count(a.population, t)}), "
                       f"a fall of {_points(diff.estimate)}."),
            uncertainty=(f"95% interval for the change {diff.lower * 100:+.0f} to {diff.upper * 100:+.0f} percentage points: "
                         f"the whole interval is below zero. Other things changed too; this does not prove the change caused the fall."),
            page="pages/reach.py",
            params={"target_group": group} | ({"centre": centre} if centre else {}),
            year=after,
            figures={"before_year": before, "after_year": after, "group": group,
                     "before": (int(b.reached), int(b.population)), "after": (int(a.reached), int(a.population)),
                     "change": diff.estimate, "lower": diff.lower, "upper": diff.upper},
        ))
    return Tested(found, p_values)


# --- The gap ----------------------------------------------------------------------------------------

def gap_place(filters: Filters):
    """The area the gap rules judge: the sidebar's district when it has outcome figures, else the authority."""
    from scrutiny.topics.gap import figures as gap_figures

    if filters.district:
        district = gap_figures.find_geography(filters.district, gap_figures.DISTRICT)
        if district is not None:
            return district
    return gap_figures.authority()


def gap_not_narrowing(filters: Filters) -> list[Finding]:
    """An indicator whose gap clearly widened since the previous or the first comparable year (a
    finding), or whose gap is clearly there with a change the data cannot call either way (a line
    that says the data cannot tell, with the interval and the change it could have detected). The
    Gap page's own figures and verdicts."""
    from scrutiny.topics.gap import figures as gap_figures, sentences as gap_sentences

    place = gap_place(filters)
    if place is None:
        return Tested()
    available = gap_figures.indicators()
    overview = gap_figures.indicator_overview(place.level, place.code, filters.year)
    found = []
    p_values = []
    for row in overview[overview["year"].notna()].to_dict("records"):
        if row["gap_suppressed"] or pd.isna(row["gap"]):
            continue
        for key in ("previous", "first"):
            if not pd.isna(row[f"change_{key}"]) and (key == "previous" or row["first_year"] != row["previous_year"]):
                p_values.append(stats.p_from_interval(row[f"change_{key}"], row[f"change_{key}_lower"], row[f"change_{key}_upper"]))
        verdicts = {row["verdict_previous"], row["verdict_first"]}
        indicator = available[row["indicator"]]
        # The comparison the line rests on: a widening one first, else the previous year's.
        clause = next((k for k in ("previous", "first") if row[f"verdict_{k}"] == stats.WIDENING),
                      "previous" if row["verdict_previous"] == stats.NO_CLEAR_CHANGE else "first")
        if pd.isna(row[f"change_{clause}"]):
            continue
        since = labels.financial_year(int(row[f"{clause}_year"]))
        change, lower, upper = row[f"change_{clause}"], row[f"change_{clause}_lower"], row[f"change_{clause}_upper"]
        change_text = (f"change since {since} {change * indicator.scale:+.1f} {indicator.points_word} "
                       f"({indicator.ci_points(lower, upper)})")
        between = f"the gap in {indicator.subject} between {indicator.focus_words} and {indicator.reference_words}"
        if stats.WIDENING in verdicts:
            rule, severity, score = "gap_not_narrowing", HIGH, lower
            p_value = float(stats.p_from_interval(change, lower, upper))
            question = f"Why has {between} widened since {since}, and what is being done about it?"
            uncertainty = f"{labels.tidy(change_text)}: the whole interval is above zero, so the gap clearly widened."
        elif stats.NARROWING not in verdicts and stats.NO_CLEAR_CHANGE in verdicts and row["gap_lower"] > 0:
            # Not evidence of no change: the interval holds both narrowing and widening.
            rule, severity, score, p_value = "gap_change_unclear", LOW, 0.0, None
            detectable = stats.detectable_change(lower, upper)
            question = (f"Is {between} narrowing? The data cannot tell yet: what other evidence does the service "
                        "have, and when will it know?")
            uncertainty = (f"The gap is clearly there ({indicator.ci_points(row['gap_lower'], row['gap_upper'])}). "
                           f"{labels.tidy(change_text)}: the interval includes both narrowing and widening, so the data "
                           f"cannot tell whether the gap has changed. Figures this precise would pick up a change of about "
                           f"{detectable * indicator.scale:.0f} {indicator.points_word} (80% of the time at the 5% level); "
                           "a smaller real change could be missed.")
        else:
            continue
        found.append(Finding(
            rule=rule,
            severity=severity,
            score=float(score),
            question=question,
            statement=gap_sentences.gap_sentence(row, indicator, place),
            uncertainty=uncertainty,
            page="pages/gap.py",
            params={"indicator": indicator.code} | ({} if place.level == gap_figures.AUTHORITY else {"geography": place.code}),
            figures={"indicator": indicator.code, "year": int(row["year"]), "gap": row["gap"],
                     "gap_lower": row["gap_lower"], "gap_upper": row["gap_upper"],
                     "verdict_previous": row["verdict_previous"], "verdict_first": row["verdict_first"],
                     "change": change, "change_lower": lower, "change_upper": upper},
            p_value=p_value,
        ))
    return Tested(found, p_values)


# --- Busy sites reaching few vulnerable children ----------------------------------------------------------

def busy_sites_reaching_few(filters: Filters) -> list[Finding]:
    """A site busier than average per under-five whose reach of the most deprived 30% is clearly
    below the average of the sites (its whole interval below the pooled average): the Footfall page's figures."""
    from scrutiny.topics.footfall import figures as footfall, sentences as footfall_sentences

    if filters.year is None:
        return Tested()
    result = footfall.scatter(footfall.site_table(filters, None), footfall.REACH, None)
    if result.points.empty:
        return Tested()
    busy = result.points[result.points.x >= result.x_average]
    # Every busy site is tested against the sites' average, so the false discovery rate counts them all.
    p_values = stats.p_against_threshold(busy.md_reached, busy.md_population, result.y_average)
    busy_low = result.points[(result.points.quadrant == footfall.BUSY_LOW) & (result.points.y_upper < result.y_average)]
    t = _threshold()
    found = []
    for p in busy_low.sort_values("x", ascending=False).itertuples():
        found.append(Finding(
            rule="busy_sites_reaching_few",
            severity=MEDIUM,
            score=float(result.y_average - p.y_upper),
            question=(f"{p.centre_name} is busy but reaches few children from the most deprived areas: "
                      "who is using it, and who is not?"),
            statement=(f"In {filters.period_label} {p.centre_name} had "
                       f"{footfall_sentences.visits_per_under_five(p.x, p.visits_per_child_decimals)} visits per under-five living "
                       f"in its reach area (sites' average {format.number(result.x_average)}), but reached "
                       f"{_percent(p.y)} of children in its 30% most deprived areas ({stats.show_count(p.md_reached, t)} of "
                       f"{stats.show_count(p.md_population, t)}), against {_percent(result.y_average)} across the sites."),
            uncertainty=(f"{_interval(p.y_lower, p.y_upper)}: the whole interval is below the sites' average. "
                         "Footfall counts visits, not children, and may include families from outside the reach area."),
            page="pages/footfall.py",
            params={"site": p.centre_id},
            figures={"centre_id": p.centre_id, "visits_per_child": p.x, "reach": p.y, "lower": p.y_lower,
                     "upper": p.y_upper, "average_reach": result.y_average, "average_visits": result.x_average},
            p_value=float(stats.p_against_threshold(p.md_reached, p.md_population, result.y_average)),
        ))
    return Tested(found, p_values)


# --- Negative themes in feedback ------------------------------------------------------------------------

NEGATIVE_THEMES_SHOWN = 3


def negative_feedback(filters: Filters):
    """The negative comments for the filters' sites, the codebook and the threshold (the Feedback page's coding)."""
    from scrutiny.topics.feedback import coding as fb_coding
    from scrutiny.topics.feedback import figures as fb_figures

    coded, codebook, _ = fb_coding.coded_feedback()
    comments = fb_figures.select_comments(coded, filters=filters)
    return comments[comments["sentiment"] == "negative"], codebook


def _where_from(plan, theme: str, codebook) -> str:
    """'mostly from parents and carers (12) and about libraries (9)': the largest groups the plan shows."""
    from scrutiny.topics.feedback import figures as fb_figures

    parts = []
    for by, word in (("respondent_type", "from"), ("site_type", "by site type,")):
        counts = fb_figures.plan_frequency(plan, codebook, by=by, sentiment="negative")
        counts = counts[(counts.theme == theme) & ~counts.comments_hidden & (counts.comments > 0)]
        top = counts.sort_values(["comments", "group_label"], ascending=[False, True]).head(2)
        if not top.empty:
            parts.append(f"{word} " + " and ".join(f"{r.group_label.lower()} ({r.comments:,})" for r in top.itertuples()))
    return ("mostly " + "; ".join(parts)) if parts else "from groups too small to name"


def negative_themes(filters: Filters) -> list[Finding]:
    """The themes raised most often in negative comments, and who raised them about which sites.
    A theme raised by fewer comments than the suppression threshold is never named."""
    comments, codebook = negative_feedback(filters)
    t = _threshold()
    if len(comments) < t:
        return []
    from scrutiny import disclosure
    from scrutiny.topics.feedback import figures as fb_figures

    plan = disclosure.feedback_plan(filters)
    frequency = fb_figures.plan_frequency(plan, codebook, sentiment="negative")
    shown = frequency[~frequency.share_suppressed & (frequency.comments > 0)]
    shown = shown.sort_values(["comments", "theme_label"], ascending=[False, True]).head(NEGATIVE_THEMES_SHOWN)
    found = []
    for rank, r in enumerate(shown.itertuples()):
        found.append(Finding(
            rule="negative_themes",
            severity=MEDIUM if rank == 0 else LOW,
            score=float(r.share_pct),
            question=(f"Negative comments {'most often' if rank == 0 else 'also often'} raise {r.theme_label.lower()}: "
                      "what has been done in response?"),
            statement=(f"{r.theme_label} came up in {r.comments:,} of the {r.group_comments:,} negative comments "
                       f"({_percent(r.share_pct)}), {_where_from(plan, r.theme, codebook)}."),
            uncertainty=(f"{_interval(r.share_lower, r.share_upper)} of negative comments. Comments come from people who chose "
                         "to respond, so they show what was said, not how common a view is among all families."),
            page="pages/feedback.py",
            params={"theme": r.theme, "sentiment": "negative"},
            figures={"theme": r.theme, "comments": int(r.comments), "negative_comments": int(r.group_comments),
                     "share": r.share_pct, "lower": r.share_lower, "upper": r.share_upper},
        ))
    return found


# --- Data quality ---------------------------------------------------------------------------------

def data_quality(filters: Filters) -> list[Finding]:
    """Problems in the extract that limit what can be concluded."""
    problems = queries.problems()
    found = []
    for table in sorted(broken_tables(problems)):
        messages = [p.message for p in problems if p.table == table and p.is_error]
        found.append(Finding(
            rule="data_quality",
            severity=HIGH,
            score=len(messages),
            question=f"When will the {table} data be corrected? Until then, what can the committee safely conclude?",
            statement=(f"The {table} table has {len(messages)} problem{'s' if len(messages) != 1 else ''} serious enough that figures "
                       f"resting on it are not shown. The first: {messages[0]}"),
            uncertainty="Figures that need this table are left out, not estimated.",
            page="pages/data.py",
            figures={"table": table, "problems": len(messages)},
        ))
    warnings = [p for p in problems if not p.is_error and p.table not in broken_tables(problems)]
    notes = queries.extract_info().problems
    if warnings or notes:
        tables = sorted({p.table for p in warnings})
        count = len(warnings) + len(notes)
        found.append(Finding(
            rule="data_quality",
            severity=LOW,
            score=count,
            question="Are the data warnings understood, and do they change any conclusion?",
            statement=(f"The extract has {count} warning{'s' if count != 1 else ''}"
                       + (f" (in {', '.join(tables)})" if tables else "") + ". The figures stand, but some rows are left out or read a default. "
                       f"The first: {(warnings[0].message if warnings else notes[0])}"),
            uncertainty="The figures stand; the About the data page lists every warning.",
            page="pages/data.py",
            figures={"warnings": count},
        ))
    return found


# --- All rules --------------------------------------------------------------------------------------

RULES = [reach_below_good, reach_fell_after_change, gap_not_narrowing, busy_sites_reaching_few, negative_themes,
         data_quality]


FALSE_DISCOVERY_RATE = 0.05


@dataclass(frozen=True)
class Comparisons:
    """How many figures the rules tested, and what the false discovery rate did to the clear ones."""
    tested: int            # figures tested by every rule together
    clear: int             # findings whose whole 95% interval is on the concerning side
    kept: int              # of those, the ones that pass Benjamini-Hochberg at 5%
    by_chance: float       # how many the rules would call clear by chance alone if nothing truly differed


@queries.kept
def _assessed(filters: Filters) -> tuple[list[Finding], Comparisons]:
    found: list[Finding] = []
    p_values = []
    for rule in RULES:
        try:
            result = rule(filters)
        except QueryError:
            continue
        found += result
        p_values.append(getattr(result, "p_values", np.zeros(0)))
    every_p = np.concatenate(p_values) if p_values else np.zeros(0)
    statistical = [f for f in found if f.p_value is not None]
    kept = statistical
    if len(every_p):
        discoveries, _ = stats.benjamini_hochberg(every_p, FALSE_DISCOVERY_RATE)
        cutoff = every_p[discoveries].max() if discoveries.any() else -1.0
        # A finding's own p-value is among every_p; the tolerance only absorbs float rounding.
        kept = [f for f in statistical if f.p_value <= cutoff * (1 + 1e-9)]
    others = [f for f in found if f.p_value is None]
    summary = Comparisons(len(every_p), len(statistical), len(kept), stats.expected_by_chance(len(every_p)))
    return ranked(kept + others, filters.year), summary


def lines_of_enquiry(filters: Filters) -> list[Finding]:
    """Every rule's lines for the filters, in ranked order (the first ten are the ones a meeting
    should see). A statistical finding is kept only when it passes the false discovery rate across
    every figure the rules tested. A rule that cannot run on this extract (a broken table) is left
    out: the data quality rule says why.

    Worked out once per filters and extract version (queries.kept): the overview and the
    evidence pack both show them, and every rerun of those pages (a click anywhere) would
    redo them.
    """
    return _assessed(filters)[0]


def comparisons(filters: Filters) -> Comparisons:
    return _assessed(filters)[1]


def comparisons_sentence(summary: Comparisons) -> str:
    """Many comparisons in plain words: how many figures were tested, how many chance alone would
    flag, and how many clear ones the false discovery rate left out."""
    if summary.tested == 0:
        return ""
    text = (f"The rules tested {summary.tested:,} figure{'s' if summary.tested != 1 else ''}; if none truly differed, "
            f"about {summary.by_chance:.0f} would still look clearly worse by chance alone (2.5% of them at 95%). ")
    dropped = summary.clear - summary.kept
    if dropped:
        text += (f"So a finding is listed only when it passes a 5% false discovery rate (Benjamini-Hochberg) across all "
                 f"of them: {dropped} of the {summary.clear} clear figure{'s' if summary.clear != 1 else ''} did not, and "
                 f"{'is' if dropped == 1 else 'are'} left out as possibly chance.")
    else:
        text += ("Every finding listed also passes a 5% false discovery rate (Benjamini-Hochberg) across all of them, "
                 "so at most about 1 in 20 of them is expected to be chance.")
    return text


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame([f.as_row() for f in findings], columns=["Severity", "Question", "What the data shows", "Uncertainty"])


# --- On a page ----------------------------------------------------------------------------------------

SEVERITY_ICONS = {HIGH: ":material/priority_high:", MEDIUM: ":material/help:", LOW: ":material/info:"}
# A meeting sees the first ten (here and in the evidence pack); the rest are behind "more" and in the download.
MEETING_LINES = 10


# Above this many attendances in the extract, the overview draws its headline figures at once and
# works the lines of enquiry out in the background (they gather every page's figures: over half a
# minute, cold, for a national extract); below it they are quick enough to wait for.
BACKGROUND_ABOVE_ATTENDANCES = 3_000_000
# How often a page showing "being prepared" looks again.
PREPARED_CHECK_SECONDS = 2


def show_lines_of_enquiry(filters: Filters) -> None:
    """The ranked lines of enquiry, each with its figures, its uncertainty and a link to the view (the overview).

    On a big extract whose lines for these filters are not yet worked out, they are started in the
    background and the section says they are being prepared; it draws them when they are ready.
    """
    if not _assessed.ready(filters) and _big_extract():
        _assessed.start(filters)
        _being_prepared(filters)
        return
    found = _draw_lines_of_enquiry(filters)
    if found:
        ui.download_csv(findings_table(found), "Lines of enquiry", f"lines-of-enquiry-{filters.period_label}",
                        "lines_of_enquiry_csv", filters, "lines of enquiry generated by the dashboard")


def _big_extract() -> bool:
    extract = queries.current_extract()
    if uploads.is_upload(extract.folder):
        return False  # a session's own extract: a background thread has no session to find it by
    return extract.rows.get("attendances", 0) > BACKGROUND_ABOVE_ATTENDANCES


@st.fragment(run_every=PREPARED_CHECK_SECONDS)
def _being_prepared(filters: Filters) -> None:
    if _assessed.ready(filters):
        st.rerun()  # the whole page, which now draws them
    st.header("Lines of enquiry")
    st.info("The lines of enquiry are being prepared: they draw on every page's figures, which takes a while the "
            "first time on an extract this size. They appear here by themselves when ready; the figures above are final.")


@ui.drawn_once
def _draw_lines_of_enquiry(filters: Filters) -> list[Finding]:
    """Draws the findings (replayed on a rerun with the same filters: dozens of boxes) and returns them."""
    st.header("Lines of enquiry")
    found = lines_of_enquiry(filters)
    if not found:
        ui.sentence("No line of enquiry stands out for these filters: no figure is clearly below a threshold, clearly "
                    "falling or clearly widening, and the extract has no problems that limit the conclusions.")
        return found
    ui.sentence((
        f"{len(found)} question{'s' if len(found) != 1 else ''} the data raises for {filters.describe()}, most serious first. "
        "Each rests only on figures that can be published, and claims a difference only when the whole 95% interval is on one side. "
        + comparisons_sentence(comparisons(filters))).strip())

    def draw(finding: Finding, number: int) -> None:
        with st.container(border=True):
            st.markdown(f"**{number}. {finding.question}**  \n{finding.statement}")
            st.caption(f"{finding.severity.capitalize()} priority. {finding.uncertainty}")
            view = finding.view_filters(filters)
            st.page_link(finding.page, label="Open the view that shows this", icon=":material/arrow_forward:",
                         query_params=view_parameters(view, finding.params))

    for number, finding in enumerate(found[:MEETING_LINES], start=1):
        draw(finding, number)
    if len(found) > MEETING_LINES:
        with st.expander(f"More: the other {len(found) - MEETING_LINES} lines of enquiry (also in the download)"):
            for number, finding in enumerate(found[MEETING_LINES:], start=MEETING_LINES + 1):
                draw(finding, number)
    return found
