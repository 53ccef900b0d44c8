"""The Footfall page's words: its sentences, captions and the way it prints a figure, for the page,
the evidence pack and the lines of enquiry. Every number is printed through scrutiny/format.py."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny import disclosure, format, labels, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.filters import Filters
from scrutiny.topics.footfall.figures import BUSY_LOW, FOCUS, REACH, Scatter, correlation, quadrant_names
from scrutiny.topics.gap.figures import Indicator


CAUTION = (
    "Sites are not children: each point is a whole reach area, so a pattern across sites says nothing "
    "certain about any family, and a busy site may draw visitors from outside its reach area. "
    "A correlation is not a cause."
)


def visits_per_under_five(value: float, decimals: int = 1) -> str:
    """Visits per under-five as printed: '13.3', or 'about 8' where only a whole number may be shown."""
    if pd.isna(value):
        return ""
    return format.number(value, 1) if decimals >= 1 else f"about {format.number(value, 0)}"


def _signed_points(difference: float) -> str:
    return format.points(difference, decimals=0, signed=True)


def _names(names: list[str], most: int = 4) -> str:
    names = list(names)
    if len(names) <= most:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else ""
    return ", ".join(names[:most]) + f" and {len(names) - most} more"


def measure_phrase(measure: str, indicator: Indicator | None) -> str:
    if measure == REACH:
        return f"reach of children in the {labels.target_group(MOST_DEPRIVED_GROUP)}"
    if measure == FOCUS and indicator is not None:
        return f"{indicator.subject} for {indicator.focus_words}"
    return f"{indicator.subject} for all children" if indicator else "the outcome"


def correlation_phrase(result: stats.Correlation | None, higher_is_better: bool = True, measure: str = "the measure") -> str:
    """Spearman's rank correlation in words, judged by the measure's polarity: a positive correlation
    with obesity means busier sites tended to do worse. A link is claimed only when it is clear
    (stats.Correlation.clear); below stats.MIN_SITES_FOR_CORRELATION sites the data cannot tell."""
    needed = stats.MIN_SITES_FOR_CORRELATION
    if result is None:
        return f"There are too few sites with figures to tell how closely the two go together ({needed} are needed)."
    p_text = f"p = {result.p_value:.3f}" + (", exact" if result.n <= stats.EXACT_PERMUTATION_UP_TO else "")
    figures = f"Spearman's rank correlation {result.rho:+.2f} ({p_text}; 95% CI {result.lower:+.2f} to {result.upper:+.2f})"
    if not result.enough_sites:
        return (f"Across {result.n} sites, {figures}: too few sites to tell. With fewer than {needed} sites even a "
                "perfect ordering would happen by chance more than 1 time in 20, so no link can be shown.")
    if result.clear:
        strength = abs(result.rho)
        words = "weak" if strength < 0.3 else "moderate" if strength < 0.6 else "strong"
        higher = result.rho > 0
        better = higher == higher_is_better
        verdict = (f"busier sites tended to do {'better' if better else 'worse'} (a {words} link: {measure} tended to be "
                   f"{'higher' if higher else 'lower'} at busier sites)")
    else:
        verdict = "there is no clear link between how busy a site is and how it does"
    return f"Across {result.n} sites, {verdict}: {figures}."


def scatter_sentence(result: Scatter, indicator: Indicator | None, year_label: str) -> str:
    phrase = measure_phrase(result.measure, indicator)
    if result.points.empty:
        return f"No site has both footfall per under-five and {phrase} to show for {year_label}."
    if result.measure != REACH and not pd.isna(result.points.outcome_year.iloc[0]):
        outcome_label = labels.financial_year(result.points.outcome_year.iloc[0])
        if outcome_label != year_label:
            phrase += f" (in {outcome_label}, the latest year with outcomes)"
    names = quadrant_names(result.measure)
    busy_low = result.points[result.points.quadrant == BUSY_LOW].sort_values("x", ascending=False)
    text = (f"In {year_label}, the sites plotted had {format.number(result.x_average)} visits per under-five on average, "
            f"and {format.percent(result.y_average, 0)} for {phrase}. ")
    if busy_low.empty:
        text += f"No site is in the group “{names[BUSY_LOW]}”. "
    else:
        text += (f"{len(busy_low)} of {len(result.points)} sites are {names[BUSY_LOW]}: "
                 f"{_names(list(busy_low.centre_name))}. ")
    return text + correlation_phrase(correlation(result.points), result.higher_is_better,
                                     measure_phrase(result.measure, indicator))


def site_summary(table: pd.DataFrame, result: Scatter, site: str, indicator: Indicator | None, year_label: str) -> str:
    """One site in words: its footfall, its measure and its quadrant."""
    row = table[table.centre_id == site]
    if row.empty:
        return ""
    r = row.iloc[0]
    text = f"**{r.centre_name}** ({labels.site_type(r.site_type).lower()}) recorded {shown_count(r.visits, r.visits_hidden)} visits in {year_label}"
    if not r.has_reach_area:
        return text + "; it has no reach area, so it cannot be placed on the chart."
    point = result.points[result.points.centre_id == site]
    if point.empty:
        return text + "; it is not on the chart because its figures rest on small numbers or are missing."
    p = point.iloc[0]
    return (text + f", {visits_per_under_five(p.x, p.visits_per_child_decimals)} per under-five living in its reach area; {measure_phrase(result.measure, indicator)} "
            f"was {format.percent(p.y, 0)} (95% CI {format.interval(p.y_lower, p.y_upper, 0)}), "
            f"so it is in the group “{quadrant_names(result.measure)[p.quadrant]}”.")


def dropped_note(dropped: pd.DataFrame) -> str:
    if dropped.empty:
        return ""
    parts = [f"{_names(list(group.centre_name))} ({reason})" for reason, group in dropped.groupby("reason", sort=True)]
    return "Not plotted: " + "; ".join(parts) + "."


def _visits_text(filters: Filters, visits: int, site: str | None = None, site_type: str | None = None,
                 year: int | None = None) -> str:
    """Visits of a site, or of every site in view (of one type), as the footfall plan allows."""
    plan = disclosure.footfall_plan()
    year = filters.year if year is None else year
    if site:
        gone = plan.sites_hidden([site], year, disclosure.footfall.VISITS, [visits])[0]
    else:
        gone = plan.view_hidden(filters, year, disclosure.footfall.VISITS, visits, site_type)
    return format.SUPPRESSED if gone else format.count(visits)


def site_visits_text(filters: Filters, centre_id: str, visits: int) -> str:
    """One site's visits in the filters' year as every page prints them (the Feedback page's site section too)."""
    return _visits_text(filters, visits, site=centre_id)


def table_sentence(table: pd.DataFrame, filters: Filters) -> str:
    year_label = filters.period_label
    if table.empty:
        return f"No site has footfall or was open in {year_label} for these filters."
    visits = int(table.visits.sum())
    text = f"In {year_label} the {len(table)} sites shown recorded {_visits_text(filters, visits)} visits."
    rated = table.dropna(subset=["visits_per_child"]).sort_values("visits_per_child", ascending=False)
    if len(rated) >= 2:
        top, bottom = rated.iloc[0], rated.iloc[-1]
        text += (f" Per under-five living in its reach area, {top.centre_name} was busiest "
                 f"({visits_per_under_five(top.visits_per_child, top.visits_per_child_decimals)} visits) and "
                 f"{bottom.centre_name} quietest "
                 f"({visits_per_under_five(bottom.visits_per_child, bottom.visits_per_child_decimals)}).")
    no_area = table[~table.has_reach_area]
    if not no_area.empty:
        text += (f" {_names(list(no_area.centre_name))} {'has' if len(no_area) == 1 else 'have'} no reach area, "
                 "so visits per under-five cannot be worked out there.")
    return text


def _change_words(now: float, before: float, unit: str = "%") -> str:
    if before == 0 or np.isnan(before) or np.isnan(now):
        return ""
    change = (now - before) / before
    if abs(change) < 0.005:
        return " (about the same as the year before)"
    return f" ({'up' if change > 0 else 'down'} {abs(change):.0%} on the year before)"


def trend_sentence(monthly: pd.DataFrame, reach: pd.DataFrame, outcome: pd.DataFrame | None,
                   indicator: Indicator | None, filters: Filters, site: str | None, who: str) -> str:
    year = filters.year
    fy = monthly.month.apply(lambda m: m.year if m.month >= 4 else m.year - 1)
    this, last = int(monthly.loc[fy == year, "visits"].sum()), int(monthly.loc[fy == year - 1, "visits"].sum())
    label = labels.financial_year(year)
    if this == 0 and last == 0:
        text = f"No footfall was recorded for {who} in {label} or the year before."
    else:
        this_text, last_text = _visits_text(filters, this, site), _visits_text(filters, last, site, year=year - 1)
        text = f"{who[:1].upper() + who[1:]} recorded {this_text} visits in {label}"
        text += (_change_words(this, last) if format.SUPPRESSED not in (this_text, last_text) else "") + "."
    now = reach[reach.year == year]
    if not now.empty and not np.isnan(now.reach_pct.iloc[0]):
        r = now.iloc[0]
        text += (f" Reach of children in the {labels.target_group(MOST_DEPRIVED_GROUP)} was {format.percent(r.reach_pct, 0)}"
                 f"{' so far' if r.partial else ''} "
                 f"(95% CI {format.interval(r.reach_lower, r.reach_upper, 0)}).")
    if outcome is not None and indicator is not None:
        known = outcome[(outcome.year <= year) & outcome.outcome_pct.notna()]
        if not known.empty:
            o = known.iloc[-1]
            text += (f" {indicator.title} for children in the reach area{'s' if 'sites' in who else ''} was "
                     f"{format.percent(o.outcome_pct, 0)} in {labels.financial_year(o.year)} "
                     f"(95% CI {format.interval(o.outcome_lower, o.outcome_upper, 0)}).")
    return text


def comparison_sentence(frame: pd.DataFrame, year_label: str) -> str:
    rows = {r.site_type: r for r in frame.itertuples()}
    library, centre = rows.get("library"), rows.get("children_centre")
    if library is None or centre is None:
        present = ", ".join(labels.site_type(s).lower() + "s" for s in rows) or "no sites"
        return f"Libraries and children's centres cannot be compared for these filters: the sites shown are {present}."
    text = (f"In {year_label} libraries recorded {shown_count(library.visits, library.visits_hidden)} visits and "
            f"children's centres {shown_count(centre.visits, centre.visits_hidden)}. ")
    if np.isnan(library.target_children_pct) or np.isnan(centre.target_children_pct):
        return text + "The share of their users in a target group rests on small numbers and is not shown."
    difference = stats.newcombe_difference(library.target_children, library.children, centre.target_children, centre.children)
    text += (f"Of the children who came, {format.percent(library.target_children_pct, 0)} at libraries were in a target group "
             f"(95% CI {format.interval(library.target_children_lower, library.target_children_upper, 0)}) against "
             f"{format.percent(centre.target_children_pct, 0)} at children's centres "
             f"({format.interval(centre.target_children_lower, centre.target_children_upper, 0)}): ")
    interval = (f"95% CI {format.points(difference.lower, 0, signed=True, unit=False)} to "
                f"{format.points(difference.upper, 0, signed=True, unit=False)}")
    if difference.lower > 0 or difference.upper < 0:
        text += f"a difference of {_signed_points(difference.estimate)} ({interval})."
    else:
        text += f"no clear difference ({_signed_points(difference.estimate)}, {interval})."
    return text


def shown_count(value, hidden: bool) -> str:
    """A count as the plan allows: c where it is hidden."""
    return format.SUPPRESSED if hidden else format.count(value)


SITE_TABLE_NOTE = (
    "Visits per under-five: the site's visits in the year over the estimated under-fives living in its reach area. "
    "Target group: a target group on the child's record, or living in the 30% most deprived areas. Reach: the Reach "
    "page's measure, at least one attendance at any site by a child living in the reach area. Outcomes describe "
    "children living in the reach area, in the latest outcome year up to the chosen year."
)
TYPES_NOTE = (
    "A child who used more than one type of site counts once for each type. \"Also used another type of site\" "
    "counts the children who came to both, say, a library and a children's centre in the year: one sign of "
    "joined-up working."
)
ASKS = ["Which busy sites reach few children from the most deprived areas, and who is using them instead?",
        "Are sign-ups and footfall still how performance is reported, rather than outcomes?",
        "Which quiet sites do well, and what can others learn from them?"]
MEASURE_HELP = ("What to set each site's visits per under-five against. Reach: the share of children living in the "
                "30% most deprived areas of its reach area who came to any site in the year. An outcome: the indicator "
                "for the children living in its reach area, all of them or the focus group.")
NO_POINTS = "No site has both visits per under-five and this measure to show: the sites left out are listed below."
SOURCE = "footfall, attendances, children, population and areas tables"
TYPES_SOURCE = "footfall, attendances, children and areas tables"


def answer_figure(busy_low: int, plotted: int, year_label: str) -> tuple[str, str, str]:
    """The answer-first block's headline: busy sites reaching fewer, of the sites plotted."""
    return (f"Busy sites reaching fewer, {year_label}", f"{busy_low} of {plotted}" if plotted else "–",
            "Sites with more visits per under-five than the average of the sites plotted, and a lower share of the measure.")


def trend_notes(trend, changes, site_level: int, site: str | None) -> list[str]:
    """The trend chart's captions: its key, the service changes marked, and the months hidden."""
    from scrutiny import charts as look
    from scrutiny.topics.footfall.charts import TREND_KEY

    notes = [TREND_KEY + (" " + look.service_change_caption(changes) if not changes.empty else "")
             + (" " + look.unmarked_changes_note(site_level, "site", focus=bool(site)) if site_level else "")]
    hidden = int(trend.monthly.visits_suppressed.sum())
    if hidden:
        notes.append(f"{hidden} monthly figure{'' if hidden == 1 else 's'} resting on small numbers "
                     f"{'is' if hidden == 1 else 'are'} not drawn.")
    return notes


def answer_chart_caption(measure: str, indicator: Indicator | None) -> str:
    """The words above the small chart in the answer: what it shows (its text alternative)."""
    return f"Each site: visits per under-five (across) against {measure_phrase(measure, indicator)} (up)."
