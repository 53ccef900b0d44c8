"""The definitions behind every figure, written once for the About the data
page, the evidence pack and the docs."""

from scrutiny.contract import MOST_DEPRIVED_MAX_DECILE

DEFINITIONS: list[tuple[str, str]] = [
    ("Period", "A financial year, April to March, labelled like 2023-24."),
    ("Children counted in a period", "A child counts when it is under five at some point in the period (from the first day of its birth month)."),
    ("Registered", "Living in a centre's reach area and registered on or before the last day of the period."),
    ("Reached", "Living in the reach area and at least one attendance, at any site, in the period. Reach is attributed by where a child lives, not by where it attended: the reach-area principle that Ofsted inspected."),
    ("Sustained engagement", "At least 3 attendances in the period (a setting on the Reach page)."),
    ("Reach %", "Children reached divided by the estimated under-fives in the same areas, group and year (the population table)."),
    ("Ofsted thresholds", "A centre needed to reach 65% of its most vulnerable families to be judged good and 85% for outstanding. Both are settings on the Reach page."),
    ("Most deprived 30%", f"Children living in areas whose IDACI decile is {MOST_DEPRIVED_MAX_DECILE} or lower (the IMD decile where an area has no IDACI decile). The dashboard derives this group itself."),
    ("Gap", "The reference group's % minus the focus group's %, in percentage points (for example children not on free school meals minus children on free school meals). For an indicator where lower is better, such as obesity, it is the other way round, so a positive gap always means the focus group is worse off."),
    ("Percentage points", "The difference between two percentages: from 50% to 60% is 10 percentage points (points, for short), not 10%."),
    ("Uncertainty", "Percentages carry 95% Wilson score intervals; gaps carry Newcombe's hybrid score interval for a difference of two proportions. A gap is called narrowing or widening, and a centre above or below a threshold, only when the whole interval is on one side."),
    ("Small numbers", "A count from 1 to 4 (below the extract's suppression threshold, 5 by default) is shown as c, and so is a percentage, interval or rating resting on one. Zero stays 0. Some other cells are shown as c too, to protect those: a cell that could be worked out from figures published elsewhere (a total less the other rows, a population less the children reached, the how-often bars less the children reached, a district less its other centres, on this page, another page or a download) is hidden with it, choosing the smallest other cell so that as little as possible is lost. Both kinds are written c, as in the Department for Education's statistics, so a reader cannot tell a small number from a cell hidden to protect one; totals may therefore not add up. On the Reach page, its downloads, the evidence pack's reach section, the overview's reach and registration figures and the reach lines of enquiry one plan decides every hidden cell, and a test solves for each hidden count from everything those views publish. The Feedback page, its downloads, the pack's feedback section and the feedback lines of enquiry read a plan of their own (consultations, respondent groups, sites and the sentiment segments of each theme's bar; a bar's hidden sentiments are drawn as one grey segment that is never a small number). Outcome figures (the Gap page, its downloads, the pack's gap section, the gap lines of enquiry and the overview's headline) read a plan of their own, one per indicator: reach areas within districts within the authority, and groups within all children (free school meals and the rest, the deprivation fifths), so that all children less one group never gives the other away. The Footfall page reads the Reach plan for a site's reach and under-fives, the outcomes plan for its outcomes and a plan of its own for visits and registrations; where only a site's under-fives are hidden, its visits per under-five is printed as a whole number (“about 8”). Charts carry figures at the precision shown (whole percentages). A threshold below 3 is honoured only with a warning on every page and download that the figures are not safe to publish; a threshold that is not a whole number is replaced by 5, with a sentence on About the data."),
    ("Reach area", "The small areas a centre is responsible for. A child counts for the reach area it lives in, wherever it went."),
    ("Interval (95% interval, CI)", "The range the true figure very probably lies in, given how many children a figure rests on: the fewer children, the wider the range. “CI” stands for confidence interval."),
    ("Clearly (significance)", "A figure is called clearly below a line, or a change clearly real, only when its whole interval is on one side; otherwise the dashboard says the data cannot tell."),
    ("Decile and quintile", "Areas ranked by deprivation across England and cut into ten (deciles) or five (quintiles) equal groups; decile 1 is the most deprived tenth. IDACI is the index of deprivation affecting children."),
    ("Areas and people", "Figures for areas describe groups of children, not any one family: a pattern across centres says nothing certain about an individual (the ecological fallacy)."),
    ("Theme", "What a comment is about (opening hours, staff, cost ...), from the source's own coding or from the codebook's phrases; one comment can raise several themes, or none, so the themes' counts do not add up to the comments."),
    ("Sentiment", "Whether a comment reads positive, negative, mixed (clearly both) or neutral: as the source coded it, otherwise worked out from its words, which agrees with a person's reading only about half the time, so treat it as a rough guide."),
]


def meaning(term: str) -> str:
    """A term's definition, for a tooltip beside the term where a page uses it."""
    return dict(DEFINITIONS)[term]
