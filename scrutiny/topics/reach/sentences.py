"""Reach in words: the sentences above the Reach page's table and charts, its answer first, and the
evidence pack's reach section. Each takes frames that figures.py has already rated and passed through
the disclosure plan, so a sentence quotes only what the table beside it shows.
"""

from __future__ import annotations

import pandas as pd

from scrutiny import charts, definitions, disclosure, format, labels, stats
from scrutiny.contract import MOST_DEPRIVED_GROUP, TIERS
from scrutiny.topics.reach.figures import OVER_ESTIMATE, ROLLUPS, Settings, missed, rating_labels

def rating_phrase(rating: str, good: float, outstanding: float) -> str:
    band = rating_labels(good, outstanding).get(rating)
    return {
        "below": f"below the {good:.0%} good threshold",
        "not different from 65": f"not clearly different from the {good:.0%} good threshold",
        "65%+": f"above the {good:.0%} good threshold",
        "not different from 85": f"above the {good:.0%} good threshold and not clearly different from the {outstanding:.0%} outstanding one",
        "85%+": f"above the {outstanding:.0%} outstanding threshold",
    }.get(band, "")


def headline_value(row) -> str:
    """The reach % for the answer at the top of the page: c when it rests on a small number, – when there is no estimate."""
    if row is None or row.population == 0:
        return "–"
    if row.reach_suppressed or pd.isna(row.reach_pct):
        return format.SUPPRESSED
    return format.percent(row.reach_pct, 0)


def reach_sentence(name: str, group: str, row, threshold: int, settings: Settings, period: str) -> str:
    """ "Eastfield reached 58% of teenage parents (95% CI 49-66%) in 2023-24, below the 65% good threshold." """
    who = labels.target_group(group)
    who = who[:1].lower() + who[1:] if group != MOST_DEPRIVED_GROUP else "under-fives in the 30% most deprived areas"
    if group == "all":
        who = "all under-fives"
    if row is None or row.population == 0:
        return f"There is no population estimate for {who} in {name} in {period}, so reach cannot be worked out."
    if row.reach_suppressed:
        if getattr(row, "reached_hidden", False) or stats.is_small(row.reached, threshold):
            # Said in words: "reached c of under-fives" reads as a typing slip, not as a hidden number.
            return (f"How many {who.removeprefix('all ')} {name} reached in {period} is not shown (c): the number is small, or would let "
                    "a small number be worked out, so no percentage is given.")
        return f"Too few children for a percentage: {name} reached {format.count(row.reached)} of {who} in {period}."
    if row.rating == OVER_ESTIMATE:
        return (f"{name} reached more {who} in {period} ({row.reached:,}) than the population estimate "
                f"({row.population:,}); the estimate is probably too low, so no rating is given.")
    gone = "" if getattr(row, "missed_hidden", False) or stats.is_small(row.missed, threshold) or stats.is_small(row.reached, threshold) else \
        f" An estimated {row.missed:,} were not reached."
    return (f"{name} reached {format.percent(row.reach_pct, 0)} of {who} "
            f"(95% CI {format.interval(row.reach_lower, row.reach_upper, 0)}) in {period}: "
            f"{row.reached:,} of an estimated {row.population:,}, "
            f"{rating_phrase(row.rating, settings.good, settings.outstanding)}.{gone}")


def plural(level: str) -> str:
    """'centres', 'lead agencies': the units of a roll-up level."""
    unit = ROLLUPS[level].lower()
    return {"centre": "centres", "cluster": "clusters", "lead agency": "lead agencies", "district": "districts",
            "site type": "site types", "whole authority": "areas"}.get(unit, unit + "s")


def rating_summary(rated: pd.DataFrame, level: str, settings: Settings) -> str:
    """How many units fall in each band, in words."""
    counts = rated["band"].value_counts()
    plural_name = plural(level)
    parts = []
    for band, words in (("below", f"clearly below {settings.good:.0%}"),
                        ("not different from 65", f"not clearly different from {settings.good:.0%}"),
                        ("65%+", f"clearly above {settings.good:.0%}"),
                        ("not different from 85", f"not clearly different from {settings.outstanding:.0%}"),
                        ("85%+", f"clearly above {settings.outstanding:.0%}")):
        if counts.get(band, 0):
            parts.append(f"{counts[band]} {words}")
    hidden = int(counts.get("suppressed", 0) + counts.get("no data", 0))
    text = f"Of {len(rated)} {plural_name}: " + ("; ".join(parts) if parts else "none can be rated")
    if hidden:
        text += f"; {hidden} not rated (too few children or no population estimate)"
    return text + "."


CHANCE_NOTE_FROM = 20   # from 20 figures rated at once, chance alone gives about half a false call or more


def chance_note(rated: pd.DataFrame, settings: Settings) -> str:
    """Many figures rated at once: how many chance alone would call clearly below the good
    threshold if every one were truly on it (2.5% each at 95%). Empty for fewer than 20."""
    judged = int((~rated["band"].isin(["suppressed", "no data"])).sum())
    if judged < CHANCE_NOTE_FROM:
        return ""
    expected = stats.expected_by_chance(judged)
    return (f" With {judged:,} figures rated at once, about {expected:.0f} would be called clearly below {settings.good:.0%} "
            f"by chance alone even if every one were truly at {settings.good:.0%} (2.5% of them at 95%): one such rating "
            "among many is weak evidence on its own.")


def missed_sentence(areas: pd.DataFrame, group: str, threshold: int, period: str,
                    view: disclosure.ReachView | None = None) -> str:
    """Children missed in everything in view, and how many of them live in the most deprived areas.

    The figures are the population estimate less the children reached for everything in view, as in
    the table's total row (for the most deprived areas, the "most deprived 30%" group's), so that
    the sentence quotes cells the disclosure plan covers.
    """
    rows = areas[areas["target_group"] == group]
    if rows.empty or rows["population"].sum() == 0:
        return f"There are no population estimates for {labels.target_group(group).lower()} in {period}."
    total = int(missed(rows["population"].sum(), rows["reached"].sum()))
    deprived_rows = areas[(areas["target_group"] == MOST_DEPRIVED_GROUP)]
    deprived = int(missed(deprived_rows["population"].sum(), deprived_rows["reached"].sum())) if group == "all" else 0
    hidden_total = bool(stats.is_small(total, threshold))
    hidden_deprived = bool(stats.is_small(deprived, threshold))
    if view is not None:
        hidden_total |= view.focus_hidden(group, ["missed"])["missed"]
        hidden_deprived |= view.focus_hidden(MOST_DEPRIVED_GROUP, ["missed"])["missed"]
    who = labels.target_group(group)
    if hidden_total:
        return (f"The number of children in the group “{who}” living in these reach areas who were not reached in "
                f"{period} is not shown (c): it is small, or would give a small number away.")
    text = (f"In {period} an estimated {total:,} children in the group “{who}” living in these reach areas "
            f"were not reached at any site")
    if group == "all" and deprived and not hidden_deprived:
        text += f"; {deprived:,} of them live in the 30% most deprived areas"
    return text + ". Missed is the population estimate minus the children reached."


def frequency_sentence(freq: pd.DataFrame, group: str, sustained: int, reached: int, threshold: int,
                       settings: Settings, sustained_hidden: bool = False) -> str:
    who = labels.target_group(group).lower()
    total = int(freq["children"].sum())
    if total == 0:
        return f"No children in the group “{who}” were reached in these areas."
    reached_hidden = bool(freq["reached_hidden"].iloc[0]) if "reached_hidden" in freq else False
    if stats.is_small(total, threshold) or reached_hidden:
        return f"Too few children in the group “{who}” were reached to describe how often they came."
    once = freq.iloc[0]
    text = f"Of the {total:,} children in the group “{who}” who were reached, "
    if once.share_suppressed:
        text += "too few came only once to give a share"
    else:
        text += f"{format.percent(once.share_pct, 0)} came only once"
    if not sustained_hidden and not stats.rate_suppressed(sustained, reached, threshold):
        text += (f", and {format.percent(sustained / reached, 0)} came {settings.sustained_min} or more times "
                 f"(sustained engagement)")
    return text + "."


def library_sentence(sites: pd.DataFrame, group: str) -> str:
    rows = sites[sites["target_group"] == group].set_index("category")
    who = labels.target_group(group).lower()
    if rows.empty:
        return f"No attendances by children in the group “{who}” in these areas."
    library, centre = rows["share_pct"].get("library"), rows["share_pct"].get("children_centre")
    hub = rows["share_pct"].get("family_hub")
    if library is None or centre is None or pd.isna(library) or pd.isna(centre):
        return f"Too few attendances by children in the group “{who}” to compare libraries with children's centres."
    text = (f"{format.percent(library, 0)} of attendances by children in the group “{who}” were at libraries "
            f"and {format.percent(centre, 0)} at children's centres")
    if hub is not None and not pd.isna(hub) and hub > 0:
        text += f" ({format.percent(hub, 0)} at family hubs)"
    return text + "."


def tier_sentence(tiers: pd.DataFrame, group: str) -> str:
    rows = tiers[tiers["target_group"] == group].set_index("category")
    who = labels.target_group(group).lower()
    if rows.empty or rows["share_pct"].isna().all():
        return f"Too few attendances by children in the group “{who}” to split them by tier."
    parts = [f"{format.percent(rows['share_pct'][t], 0)} {t}" for t in TIERS
             if t in rows.index and not pd.isna(rows["share_pct"][t])]
    return f"Attendances by children in the group “{who}” were " + ", ".join(parts) + " (share of attendances by tier)."


def registration_sentence(ages: pd.DataFrame, group: str, threshold: int) -> str:
    rows = ages[ages["target_group"] == group]
    who = labels.target_group(group).lower()
    if rows.empty or rows.iloc[0].registered == 0:
        return f"No children in the group “{who}” were registered in these areas."
    row = rows.iloc[0]
    if row.by_3_months_suppressed and row.by_1_year_suppressed:
        return f"Too few registered children in the group “{who}” to show how young they were registered."
    parts = []
    for prefix, words in (("by_3_months", "before 3 months old"), ("by_1_year", "before their first birthday")):
        if not getattr(row, f"{prefix}_suppressed"):
            parts.append(f"{format.percent(getattr(row, f'{prefix}_pct'), 0)} {words} "
                         f"(95% CI {format.interval(getattr(row, f'{prefix}_lower'), getattr(row, f'{prefix}_upper'), 0)})")
    registered = format.SUPPRESSED if getattr(row, "registered_hidden", False) else stats.show_count(row.registered, threshold)
    return (f"Of the {registered} registered children in the group “{who}”, "
            + parts[0].replace(" before", " were registered before", 1)
            + (" and " + parts[1] if len(parts) > 1 else "") + ".")


def trend_sentence(trend: pd.DataFrame, name: str, group: str, settings: Settings) -> str:
    who = labels.target_group(group).lower()
    years = trend[(trend["quarter"] == 4) & trend["reach_pct"].notna()]
    if years.empty:
        return f"Too few children in the group “{who}” to draw a trend for {name}."
    last = years.iloc[-1]
    text = (f"By the end of {labels.financial_year(last.year)}, {name} had reached {format.percent(last.reach_pct, 0)} "
            f"of children in the group “{who}” (95% CI {format.interval(last.reach_lower, last.reach_upper, 0)})")
    if len(years) > 1:
        first = years.iloc[0]
        text += f", compared with {format.percent(first.reach_pct, 0)} by the end of {labels.financial_year(first.year)}"
    latest = trend.iloc[-1]
    if latest.year > last.year and pd.isna(latest.reach_pct):
        text += f"; {labels.financial_year(latest.year)} has too few children to show"
    elif latest.quarter != 4 and not pd.isna(latest.reach_pct):
        text += f"; in {latest.period} it stood at {format.percent(latest.reach_pct, 0)} so far"
    return text + "."


def left_out(hidden: int, what: str = "bar") -> str:
    """'2 bars with too few children left out (c).' (empty when nothing was left out)."""
    if not hidden:
        return ""
    return f"{hidden} {what}{'s' if hidden != 1 else ''} with too few children left out (c)."


def table_caption(settings: Settings) -> str:
    good = f"{settings.good * 100:.0f}%"
    return (f"Worst first: clearly below {good}, then not clearly different from it, and so on; click a heading to sort. "
            f"A rating claims a side of a threshold only when the whole 95% interval (Wilson) is on that side. "
            f"Sustained: {settings.sustained_min} or more attendances in the year. Missed: the population estimate "
            "minus the children reached.")


def heat_map_sentence(heat: pd.DataFrame, level: str, settings: Settings, period: str, group: str,
                      shown: int | None = None) -> str:
    """What the heat map shows; with `shown`, that only the first rows (the lowest reach first) are drawn."""
    below = heat[heat["band"] == "below"]
    good = f"{settings.good * 100:.0f}"
    units = heat["unit"].nunique()
    text = (f"Reach of each target group by {labels.ROLLUPS[level].lower()} in {period}, coloured by rating: "
            f"{len(below)} of {int((heat['band_rank'] <= 4).sum())} rated cells are clearly below {good}%"
            + (f", most often for {labels.target_group(below['target_group'].mode().iloc[0]).lower()}" if len(below) else "")
            + ". Each cell shows its reach %; c marks too few children, – no population estimate.")
    if shown is not None and shown < units:
        text += (f" The {shown} {plural(level)} with the lowest reach of {labels.target_group(group).lower()} are shown "
                 f"first; switch on “Every {labels.ROLLUPS[level].lower()}” under the chart for all {units}.")
    return text


def trend_caption(trend: pd.DataFrame) -> str:
    hidden_points = int(trend["reach_pct"].isna().sum())
    return ("Reach by quarter is cumulative within each financial year: the children reached from 1 April to the end of "
            "the quarter, over the year's population estimate. So it climbs through the year, the fourth quarter equals the "
            "year's figure in the table, and it starts again each April. Bars show 95% intervals."
            + (f" {hidden_points} quarter{'s' if hidden_points != 1 else ''} with too few children are left out."
               if hidden_points else ""))


def area_map_sentence(missed_rows: pd.DataFrame, who: str, period: str) -> str:
    mapped = int(missed_rows["reach_pct"].notna().sum())
    hidden_areas = len(missed_rows) - mapped
    return (f"Reach of {who.lower()} in each small area in {period}, shaded by band (darker blue is higher; the legend "
            f"names each band). {mapped} area{'s are' if mapped != 1 else ' is'} shaded; {hidden_areas} "
            f"{'are' if hidden_areas != 1 else 'is'} grey because of too few children or no estimate. "
            "The table above gives every area's figures.")


def centre_map_sentence(who: str, period: str) -> str:
    return f"Centres with a reach area, coloured by their rating for {who.lower()} in {period}; the label gives the reach %."


def map_sentence(geo: dict | None, shaded: pd.DataFrame, who: str, period: str) -> str:
    if geo is not None:
        return area_map_sentence(shaded, who, period)
    return "" if shaded.empty else centre_map_sentence(who, period)


NO_MAP = "No map: the extract has no area boundaries (boundaries.geojson) and no centre coordinates."

TIERS_NOTE = ("Attendances by children living in the reach areas in focus, at any site. Shares resting on fewer than "
              "{threshold} attendances, or on a group with fewer than {threshold} children reached, are left out.")
REGISTRATION_NOTE = ("Registered children living in the reach areas, under five in the year and registered by its end. Age is "
                     "counted from the first day of the birth month, so the shares are if anything understated. "
                     "Bars show 95% intervals.")
SITES_NOTE = ("Joined-up working: where each group's attendances took place. A child counts for the reach area it lives in, "
              "wherever it went.")
MISSED_BY_DISTRICT = ("Estimated {who} not reached in {period}, by district, split by the deprivation of the area they "
                      "live in; the district with the most at the top.")


def how_often_note(freq: pd.DataFrame) -> str:
    hidden = int(freq["hidden"].sum())
    return f"{hidden} bar(s) with too few children left out (c)." if hidden else ""


def changes_caption(marked: pd.DataFrame, unmarked: int, centre: str) -> str:
    """The numbered list of the service changes a trend marks, and a note on those it leaves out."""
    return " ".join(filter(None, [charts.service_change_caption(marked),
                                  charts.unmarked_changes_note(unmarked, focus=centre != "all")]))


def table_sentence(chosen, focus_row, rated: pd.DataFrame, every_group: bool) -> str:
    """Above the reach table (chosen: figures.Choices): the figure in focus, how the rows are rated,
    and what chance alone would give."""
    return (reach_sentence(chosen.focus_name, chosen.group, focus_row, chosen.threshold, chosen.settings, chosen.period) + " "
            + (rating_summary(rated, chosen.level, chosen.settings) if not every_group else "")
            + chance_note(rated, chosen.settings))


def answer_first(focus_row, focus_name: str, group: str, threshold: int, settings: Settings,
                 period: str) -> tuple[list[tuple[str, str, str]], str, list[str]]:
    """The Reach page's answer first (ui.answer_first): the headline figure, the verdict and what to ask."""
    who = labels.target_group(group)
    good, outstanding = f"{settings.good * 100:.0f}", f"{settings.outstanding * 100:.0f}"
    return (
        [(f"Reached, {who.lower()}, {period}", headline_value(focus_row),
          f"{REACH_HELP} Good is {good}%, outstanding {outstanding}% ({THRESHOLDS_HELP})")],
        reach_sentence(focus_name, group, focus_row, threshold, settings, period),
        [f"Which centres and groups are clearly below {good}%, and what is planned for each?",
         "Where do the children who are not reached live, and how will they be found?",
         "How early are families registered, and do they keep coming?"],
    )


def areas_heading(who: str) -> str:
    return (f"**Areas, most deprived first** (deprivation decile 1 = the most deprived 10% in England), "
            f"for {who.lower()}:")


# Plain words for the terms the Reach page uses, from the one glossary, shown as tooltips where they appear.
REACH_HELP = definitions.meaning("Reached") + " " + definitions.meaning("Reach %")
INTERVAL_HELP = definitions.meaning("Interval (95% interval, CI)")
SUSTAINED_HELP = definitions.meaning("Sustained engagement")
THRESHOLDS_HELP = definitions.meaning("Ofsted thresholds")
DECILE_HELP = definitions.meaning("Decile and quintile")
RATING_HELP = THRESHOLDS_HELP + " " + definitions.meaning("Clearly (significance)")
COLUMN_HELP = {"Reach %": REACH_HELP, "95% CI": INTERVAL_HELP, "Rating": RATING_HELP, "Sustained": SUSTAINED_HELP,
               "Registered": definitions.meaning("Registered"), "Deprivation decile": DECILE_HELP,
               "Missed": "The population estimate minus the children reached: children in the group living in the "
                         "reach areas who did not come to any site in the year."}


def groups_chart_sentence(settings: Settings) -> str:
    return (f"Reach % of every group, lowest first, with 95% intervals; dashed lines at {settings.good * 100:.0f}% "
            f"and {settings.outstanding * 100:.0f}%.")
