"""The Feedback figures: the comments chosen, and the counts, shares and comparisons made of them
through the disclosure plan (scrutiny/disclosure/feedback.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from scrutiny import labels, queries, stats
from scrutiny.topics.feedback.codebook import Codebook
from scrutiny.topics.feedback.coding import Coder
from scrutiny.topics.feedback.sentiment import SENTIMENT_ORDER


SMALL_SEGMENT = "small numbers"

# --- Choosing comments ---------------------------------------------------------------------------

def search_terms(text: str | None) -> list[str]:
    """Words and "quoted phrases" from a search box; every one must appear."""
    if not text or not str(text).strip():
        return []
    text = str(text)[:200]
    phrases = re.findall(r'"([^"]+)"', text)
    rest = re.sub(r'"[^"]*"', " ", text)
    return [p.strip() for p in phrases if p.strip()] + rest.split()


def search(quotes: pd.Series, text: str | None) -> pd.Series:
    """True where a quote holds every search term, ignoring case. Plain text: nothing is a pattern or SQL."""
    keep = pd.Series(True, index=quotes.index)
    lowered = quotes.fillna("").str.lower()
    for term in search_terms(text):
        keep &= lowered.str.contains(term.lower(), regex=False)
    return keep


def select_comments(coded: pd.DataFrame, *, filters=None, consultation: str | None = None,
                    theme: str | None = None, sentiment: str | None = None, respondent_type: str | None = None,
                    centre_id: str | None = None, text: str | None = None) -> pd.DataFrame:
    """The comments for the sidebar filters and the page's choices (None = all).

    The sidebar's district, cluster and lead agency are those of the site a
    comment is about, so comments about no particular site drop out when one
    is chosen; its site type is the comment's own.
    """
    keep = pd.Series(True, index=coded.index)
    if filters is not None:
        for key in ("district", "cluster", "lead_agency", "site_type"):
            value = getattr(filters, key, None)
            if value:
                keep &= coded[key] == value
    for column, value in (("consultation", consultation), ("sentiment", sentiment),
                          ("respondent_type", respondent_type), ("centre_id", centre_id)):
        if value:
            keep &= coded[column] == value
    if theme:
        keep &= coded["themes"].map(lambda codes: theme in codes)
    if text:
        keep &= search(coded["quote"], text)
    return coded[keep.fillna(False).astype(bool)]


def consultations(coded: pd.DataFrame) -> pd.DataFrame:
    """Each consultation with its dates and number of comments, oldest first."""
    if coded.empty:
        return pd.DataFrame(columns=["consultation", "starts", "ends", "comments"])
    out = (coded.groupby("consultation")
           .agg(starts=("collected_on", "min"), ends=("collected_on", "max"), comments=("response_id", "count"))
           .reset_index().sort_values(["starts", "consultation"]))
    return out.reset_index(drop=True)


# --- Tables for the page and the evidence pack -------------------------------------------------

def _onehot(themes: pd.Series, codes: list[str]) -> np.ndarray:
    """A comments x themes matrix of 0/1."""
    column = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((len(themes), len(codes)), dtype=np.int64)
    for row, raised in enumerate(themes):
        for theme in raised:
            if theme in column:
                matrix[row, column[theme]] = 1
    return matrix


def theme_long(comments: pd.DataFrame) -> pd.DataFrame:
    """One row per comment and theme it raises."""
    rows = comments[["response_id", "themes"]].explode("themes").dropna(subset=["themes"])
    return rows.rename(columns={"themes": "theme"})


GROUPINGS = {
    "all": "All respondents",
    "respondent_type": "Respondent type",
    "site_type": "Site type",
    "consultation": "Consultation",
}


def group_label(by: str, value) -> str:
    if by == "respondent_type":
        return labels.respondent_type(value)
    if by == "site_type":
        return labels.site_type(value) if isinstance(value, str) and value else "No particular site"
    if by == "all":
        return "All respondents"
    return str(value)


def _group_column(comments: pd.DataFrame, by: str) -> pd.Series:
    if by == "all":
        return pd.Series("all", index=comments.index)
    return comments[by].fillna("").astype(str)


def theme_frequency(comments: pd.DataFrame, codebook: Codebook, threshold: int, by: str = "all") -> pd.DataFrame:
    """Comments raising each theme in each group of these comments, hidden by a plan made for them
    alone (plan_frequency on build_feedback_plan). Views read the page's plan instead (feedback_plan),
    so that every view hides the same cells; this is for a set of comments no view publishes."""
    from scrutiny.disclosure.feedback import build_feedback_plan

    return plan_frequency(build_feedback_plan(comments, codebook.codes, threshold), codebook, by=by)


def plan_frequency(plan, codebook: Codebook, consultation: str | None = None, by: str = "all",
                   sentiment: str | None = None) -> pd.DataFrame:
    """Comments raising each theme in each group, as a count and a share of the group's comments,
    from the disclosure plan (of one consultation, or all when None; of one sentiment, or any).

    Columns: group, group_label, theme, theme_label, comments, group_comments, share_pct/_lower/_upper
    (Wilson, NaN when hidden), share_suppressed (the count or its group is hidden), comments_hidden,
    group_hidden, a count per sentiment and hidden_<sentiment> for each. Every theme of the codebook
    (and every pre-coded theme) appears, with 0 where nobody raised it.
    """
    from scrutiny.disclosure import feedback as plan_rules

    c_of = {c: i for i, c in enumerate(plan.consultations)}
    c = c_of[plan_rules.ALL if consultation in (None, "all") else consultation] if (
        consultation in (None, "all") or consultation in c_of) else None
    s = 0 if sentiment is None else 1 + SENTIMENT_ORDER.index(sentiment)
    if by == "consultation":
        cells = [(i, 0, name) for i, name in enumerate(plan.consultations) if i > 0]
    elif by == "all":
        cells = [(c, 0, "all")]
    else:
        cells = [(c, g, value) for g, (grouping, value) in enumerate(plan.groups) if grouping == by]
    themes = list(plan.themes[2:])
    rows = []
    for ci, g, name in cells:
        if ci is None:
            continue
        for x, theme in enumerate(themes, start=2):
            row = [name, group_label(by, name), theme, codebook.label(theme),
                   int(plan.values[ci, g, x, s]), int(plan.values[ci, g, 0, s]),
                   bool(plan.hidden[ci, g, x, s]), bool(plan.hidden[ci, g, 0, s])]
            segments = plan.values[ci, g, x, 1:] if s == 0 else np.where(np.arange(4) == s - 1, plan.values[ci, g, x, s], 0)
            hidden = plan.hidden[ci, g, x, 1:] if s == 0 else np.ones(4, dtype=bool)
            rows.append(row + [int(v) for v in segments] + [bool(h) for h in hidden])
    columns = ["group", "group_label", "theme", "theme_label", "comments", "group_comments", "comments_hidden",
               "group_hidden", *SENTIMENT_ORDER, *[f"hidden_{x}" for x in SENTIMENT_ORDER]]
    out = pd.DataFrame(rows, columns=columns)
    out = stats.add_rate(out, "comments", "group_comments", "share", plan.threshold)
    hidden = (out["comments_hidden"] | out["group_hidden"]).to_numpy(dtype=bool) | out["share_suppressed"].to_numpy(dtype=bool)
    for column in ("share_pct", "share_lower", "share_upper"):
        out[column] = np.where(hidden, np.nan, out[column])
    out["share_suppressed"] = hidden
    return out[["group", "group_label", "theme", "theme_label", "comments", "group_comments",
                "share_pct", "share_lower", "share_upper", "share_suppressed", "comments_hidden", "group_hidden",
                *SENTIMENT_ORDER, *[f"hidden_{x}" for x in SENTIMENT_ORDER]]]


def sentiment_segments(frequency: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The sentiment segments of each bar, as the disclosure plan lets them be drawn.

    A bar (theme in a group) is drawn when its count is shown. Its sentiments the plan hides are
    drawn together as one "small numbers" segment (the plan's "merged segment" rule makes sure that
    segment is not itself a small number).
    Columns: group, group_label, theme, theme_label, sentiment, comments, share (fraction of the group).
    """
    rows = []
    for bar in frequency.itertuples(index=False):
        if bar.share_suppressed or bar.comments == 0:
            continue
        counts = {s: int(getattr(bar, s)) for s in SENTIMENT_ORDER}
        merged = [s for s in SENTIMENT_ORDER if getattr(bar, f"hidden_{s}") and counts[s]]
        for sentiment in SENTIMENT_ORDER:
            if counts[sentiment] and sentiment not in merged:
                rows.append((bar.group, bar.group_label, bar.theme, bar.theme_label, sentiment, counts[sentiment]))
        if merged:
            rows.append((bar.group, bar.group_label, bar.theme, bar.theme_label, SMALL_SEGMENT,
                         sum(counts[s] for s in merged)))
    out = pd.DataFrame(rows, columns=["group", "group_label", "theme", "theme_label", "sentiment", "comments"])
    totals = frequency.drop_duplicates("group").set_index("group")["group_comments"]
    out["share"] = out["comments"] / out["group"].map(totals).astype(float)
    return out


def ranked_themes(counts: pd.Series, threshold: int) -> list[str]:
    """Theme codes (the index of counts, in the codebook's order), the most often raised first, so
    that the top of a chart or table is what people said most. Themes raised by fewer than threshold
    people, or by nobody, follow in the codebook's order: ranking them would tell small numbers apart.
    """
    ranked = [t for t in counts.index if counts[t] > 0 and not stats.is_small(counts[t], threshold)]
    ranked.sort(key=lambda t: -counts[t])  # a stable sort: equal counts keep the codebook's order
    return ranked + [t for t in counts.index if t not in ranked]


def theme_order(frequency: pd.DataFrame, threshold: int) -> list[str]:
    """theme_frequency's theme labels, ranked (ranked_themes) on the comments in every group together."""
    # The groups partition the comments, so the total over them is the count for every comment
    # (sort=False: codebook order).
    totals = frequency.groupby("theme", sort=False)["comments"].sum()
    labels = dict(zip(frequency["theme"], frequency["theme_label"]))
    return [labels[t] for t in ranked_themes(totals, threshold)]

def sentiment_counts(plan, consultation: str | None) -> dict[str, str]:
    """Comments of each sentiment, as the plan prints them."""
    return {s: plan.show(consultation, sentiment=s) for s in SENTIMENT_ORDER}


def consultation_comparison(plan, codebook: Codebook, order: pd.DataFrame) -> pd.DataFrame:
    """Each theme's share of comments in each consultation (plan_frequency by consultation), oldest
    consultation first (order: the consultations' listing)."""
    frequency = plan_frequency(plan, codebook, by="consultation")
    rank = {c: i for i, c in enumerate(order["consultation"])}
    starts = dict(zip(order["consultation"], order["starts"]))
    frequency["starts"] = frequency["group"].map(starts)
    return frequency.sort_values(["group"], key=lambda s: s.map(rank), kind="stable").reset_index(drop=True)


def consultation_changes(comparison: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """First against last consultation, per theme: the change in share with Newcombe's interval.

    Columns: theme, theme_label, earlier, later, earlier_pct, later_pct, change, change_lower,
    change_upper, verdict ('rose', 'fell', 'no clear change'); only themes whose
    shares are shown (not suppressed) in both.
    """
    columns = ["theme", "theme_label", "earlier", "later", "earlier_pct", "later_pct",
               "change", "change_lower", "change_upper", "verdict"]
    names = list(dict.fromkeys(comparison["group"]))
    if len(names) < 2:
        return pd.DataFrame(columns=columns)
    first = comparison[comparison["group"] == names[0]].set_index("theme")
    last = comparison[comparison["group"] == names[-1]].set_index("theme")
    rows = []
    for theme in first.index:
        a, b = first.loc[theme], last.loc[theme]
        if a.share_suppressed or b.share_suppressed:
            continue
        d = stats.newcombe_difference(b.comments, b.group_comments, a.comments, a.group_comments)
        verdict = "rose" if d.lower > 0 else "fell" if d.upper < 0 else "no clear change"
        rows.append((theme, a.theme_label, names[0], names[-1], a.share_pct, b.share_pct, d.estimate, d.lower, d.upper, verdict))
    return pd.DataFrame(rows, columns=columns)

def cooccurrence(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Square table: comments raising both themes (the diagonal: comments raising the theme). Themes raised at least once."""
    raised = {t for ts in comments["themes"] for t in ts}
    present = [c for c in dict.fromkeys(codebook.codes + sorted(raised)) if c in raised]
    if not present:
        return pd.DataFrame()
    onehot = _onehot(comments["themes"], present)
    return pd.DataFrame(onehot.T @ onehot, index=present, columns=present)


def cooccurrence_pairs(matrix: pd.DataFrame, codebook: Codebook, threshold: int) -> pd.DataFrame:
    """The pairs of themes raised together, most often first; small counts dropped."""
    rows = []
    codes = list(matrix.index)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            n = int(matrix.loc[a, b])
            if n and not stats.is_small(n, threshold):
                rows.append((a, b, codebook.label(a), codebook.label(b), n, n / matrix.loc[a, a], n / matrix.loc[b, b]))
    return pd.DataFrame(rows, columns=["theme_a", "theme_b", "label_a", "label_b", "comments", "share_of_a", "share_of_b"]
                        ).sort_values("comments", ascending=False, kind="stable").reset_index(drop=True)

def agreement(coded: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """How well the codebook agrees with the themes the source coded, per theme.

    Only comments that arrived with themes count (an empty list is a comment the
    source found no theme in). Both: the source and the codebook gave the theme;
    codebook_only: a false positive if the source is right; source_only: missed.
    Precision = both / (both + codebook_only); recall = both / (both + source_only),
    each with a Wilson interval (NaN when there is nothing to divide by).
    """
    given = coded[coded["given_themes"].notna()]
    codes = list(dict.fromkeys(codebook.codes + sorted({t for ts in given["given_themes"] for t in ts})))
    by_source = _onehot(given["given_themes"], codes).astype(bool)
    by_codebook = _onehot(given["codebook_themes"], codes).astype(bool)
    out = pd.DataFrame({
        "theme": codes,
        "theme_label": [codebook.label(c) for c in codes],
        "in_codebook": [c in codebook.codes for c in codes],
        "both": (by_source & by_codebook).sum(axis=0),
        "codebook_only": (by_codebook & ~by_source).sum(axis=0),
        "source_only": (by_source & ~by_codebook).sum(axis=0),
    })
    out["coded_by_codebook"] = out["both"] + out["codebook_only"]
    out["coded_by_source"] = out["both"] + out["source_only"]
    for name, denominator in (("precision", "coded_by_codebook"), ("recall", "coded_by_source")):
        den = out[denominator].to_numpy(dtype=float)
        lower, upper = stats.wilson_interval(out["both"].to_numpy(dtype=float), den)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, out["both"] / den, np.nan)
        out[f"{name}_lower"], out[f"{name}_upper"] = lower, upper
    out.attrs["comments"] = len(given)
    return out

def site_profile(plan, consultation: str | None, centre_id: str, codebook: Codebook) -> pd.DataFrame:
    """A site's theme shares beside those of every comment in view, from the plan, side by side."""
    site = plan_frequency(plan, codebook, consultation, by="centre_id")
    site = site[site["group"] == str(centre_id)]
    everywhere = plan_frequency(plan, codebook, consultation)
    keep = ["theme", "theme_label", "comments", "group_comments", "share_pct", "share_lower", "share_upper",
            "share_suppressed", "group_hidden"]
    return site[keep].merge(everywhere[keep], on=["theme", "theme_label"], suffixes=("", "_all"))

def _reach_hidden(centre_id: str, year: int, reached: int, population: int, threshold: int) -> bool:
    """Whether the Reach plan hides a site's reach of the most deprived 30% (as the Reach page does)."""
    from scrutiny import disclosure

    if stats.rate_suppressed(reached, population, threshold):
        return True
    plan = disclosure.reach_plan(year)
    where = plan.set_of(None, "centre", centre_id) if plan is not None else None
    if where is None or "most_deprived_30" not in plan.groups:
        return False
    return any(plan.is_hidden("most_deprived_30", where, m) for m in ("reached", "population"))


def site_figures(centre_id: str, filters, threshold: int) -> dict[str, str]:
    """A site's reach of the most deprived 30% and its visits in the sidebar's year, as display text with help.

    A figure whose tables are broken, or that cannot be read, says so instead of stopping the page:
    what people said still stands.
    """
    from scrutiny.contract import PAGE_TABLES
    from scrutiny.validation import broken_tables

    out = {"reach": "not available", "reach_help": "", "visits": "not available", "visits_help": ""}
    if filters.year is None:
        out["reach_help"] = out["visits_help"] = "The extract has no financial years."
        return out
    broken = broken_tables(queries.problems())
    if broken & set(PAGE_TABLES["reach"]):
        out["reach_help"] = "The tables reach is counted from have problems: see About the data."
    else:
        try:
            reach = queries.run("reach_by_centre", year=filters.year, sustained_min=stats.SUSTAINED_MIN, **filters.centre_parameters())
            row = reach[(reach["centre_id"] == centre_id) & (reach["target_group"] == "most_deprived_30")]
            if row.empty or int(row["population"].iloc[0]) == 0:
                out["reach"], out["reach_help"] = "no reach area", "Libraries and outreach bases have no reach area of their own."
            else:
                reached, population = int(row["reached"].iloc[0]), int(row["population"].iloc[0])
                if _reach_hidden(centre_id, filters.year, reached, population, threshold):
                    out["reach"], out["reach_help"] = stats.SUPPRESSED, "Too few children to show without identifying a family."
                else:
                    lower, upper = stats.wilson_interval(reached, population)
                    out["reach"] = stats.show_percent(reached / population)
                    out["reach_help"] = f"{reached:,} of {population:,} under-fives; 95% CI {stats.show_interval(lower, upper)}."
        except queries.QueryError:
            out["reach_help"] = "Reach could not be counted from this extract: see About the data."
    if "footfall" in broken:
        out["visits_help"] = "The footfall table has problems: see About the data."
        return out
    try:
        footfall = queries.run("feedback_site_footfall", year=filters.year)
    except queries.QueryError:
        out["visits_help"] = "Footfall could not be read from this extract: see About the data."
        return out
    visits = footfall.loc[footfall["centre_id"] == centre_id, "visits"]
    if visits.empty or pd.isna(visits.iloc[0]):
        out["visits"], out["visits_help"] = "no footfall", "No footfall recorded for this site in the year."
    else:
        from scrutiny.topics.footfall import sentences as footfall_sentences

        # As the Footfall page prints it: the footfall plan hides a small year, and any that would give one away.
        out["visits"] = footfall_sentences.site_visits_text(filters, centre_id, int(visits.iloc[0]))
        out["visits_help"] = "From the footfall table: visits recorded in the financial year."
    return out


# --- How far to trust the coding ------------------------------------------------------------------
# A theme is marked "treat with care" when, on the real comments kept back from tuning
# (scrutiny/evaluation), the coder's precision is under 70% (three or more in ten of the
# comments its bar counts are not about it), its recall under 50% (the bar misses more than
# half of the comments that are about it), or people gave it to fewer than 5 of those comments
# (then one disagreement moves either figure by 20 points or more, so the agreement is unknown).
CARE_PRECISION = 0.70
CARE_RECALL = 0.50
CARE_MIN_COMMENTS = 5

_TRUST: dict = {}


def care_reason(checked: bool, people: int, coder: int, precision: float, recall: float) -> str:
    """Why a theme should be treated with care (empty when it need not be), by the rule above."""
    if not checked:
        return "not among the themes people coded the check comments with"
    if people == 0:
        return "none of the check comments was about it, so how well it agrees is unknown"
    if people < CARE_MIN_COMMENTS:
        return f"fewer than {CARE_MIN_COMMENTS} of the check comments were about it, too few to judge"
    if coder and precision < CARE_PRECISION:
        return f"precision {precision:.2f}: three or more in ten of the comments it counts are not about it"
    if recall < CARE_RECALL:
        return f"recall {recall:.2f}: it misses more than half of the comments about it"
    return ""


def theme_trust(codebook: Codebook) -> pd.DataFrame:
    """Each theme's agreement with people's coding of the held-out real comments, and whether to treat it with care.

    Columns: theme, theme_label, checked (the theme is one people coded the evaluation set with),
    people, coder, both, precision, recall, f1, care, care_reason. attrs: the overall scores and
    the constant-guess baselines (see scrutiny/evaluation). Worked out once per codebook.
    """
    from scrutiny import evaluation, meaning

    key = (codebook.fingerprint, codebook.origin, tuple(codebook.codes), meaning.embedder()[0] is not None)
    if key in _TRUST:
        return _TRUST[key].copy()
    coder = Coder(codebook)
    result = evaluation.evaluate(lambda text: coder.code(text).themes, codebook.codes)
    checked = set(evaluation.CODES)
    table = result["coder"].per_theme.copy()
    table.insert(1, "theme_label", [codebook.label(c) for c in table["theme"]])
    table.insert(2, "checked", [c in checked for c in table["theme"]])
    reasons = [care_reason(r.checked, r.people, r.coder, r.precision, r.recall) for r in table.itertuples()]
    table["care_reason"] = reasons
    table["care"] = table["care_reason"] != ""
    coder_scores = result["coder"]
    top, top_scores = result["most_common_theme"]
    chosen, best = result["best_constant"]
    table.attrs.update({
        "comments": coder_scores.comments, "micro_precision": coder_scores.micro_precision,
        "micro_recall": coder_scores.micro_recall, "micro_f1": coder_scores.micro_f1, "macro_f1": coder_scores.macro_f1,
        "most_common": codebook.label(top), "most_common_f1": top_scores.micro_f1,
        "best_constant": [codebook.label(c) for c in chosen], "best_constant_f1": best.micro_f1,
        "best_constant_macro_f1": best.macro_f1, "phrases_only": meaning.embedder()[0] is None,
    })
    _TRUST[key] = table
    return table.copy()


# --- What the page asks for, kept between reruns -----------------------------------------------------
# Each depends only on its arguments and the extract (its codebook included), so it is worked out
# once and kept: a click in the quote explorer does not rebuild the charts and tables above.

def comments(current, consultation):
    """The coded comments for the sidebar filters, those of the chosen consultation, and the codebook."""
    from scrutiny.topics.feedback.coding import coded_feedback

    coded, codebook, _ = coded_feedback()
    in_view = select_comments(coded, filters=current)
    return in_view, select_comments(in_view, consultation=None if consultation == "all" else consultation), codebook


@queries.kept
def consultation_listing(current):
    """Each consultation in view with its dates and number of comments, oldest first."""
    in_view, _, _ = comments(current, "all")
    return consultations(in_view)


@queries.kept
def who_and_how(current, consultation):
    """The chosen comments' number by respondent type and by sentiment, as printed."""
    from scrutiny import disclosure

    plan = disclosure.feedback_plan(current)
    counts = {code: plan.count(consultation, "respondent_type", code) for code in plan.group_values("respondent_type")}
    by_type = ", ".join(f"{plan.show(consultation, 'respondent_type', code)} {labels.respondent_type(code).lower()}"
                        for code, n in sorted(counts.items(), key=lambda item: -item[1]) if n)
    return by_type, sentiment_counts(plan, consultation)


@queries.kept
def theme_frequencies(current, consultation, by):
    """The themes by the chosen breakdown, and overall, from the plan."""
    from scrutiny import disclosure

    _, _, codebook = comments(current, consultation)
    plan = disclosure.feedback_plan(current)
    frequency = plan_frequency(plan, codebook, consultation, by=by)
    return frequency, frequency if by == "all" else plan_frequency(plan, codebook, consultation)


@queries.kept
def consultation_figures(current, threshold):
    """Each theme's share in each consultation, and the change from the first to the last."""
    from scrutiny import disclosure

    in_view, _, codebook = comments(current, "all")
    comparison = consultation_comparison(disclosure.feedback_plan(current), codebook, consultations(in_view))
    return comparison, consultation_changes(comparison, threshold)


def service_changes_between(current, listing: pd.DataFrame) -> pd.DataFrame:
    """Service changes between the first and the last consultation in view (none when the optional table cannot be read)."""
    try:
        changes = queries.run("service_changes", district=current.district)
    except queries.QueryError:
        return pd.DataFrame()  # an unreadable optional table: the chart stands without it
    if changes.empty or listing.empty:
        return changes
    on = pd.to_datetime(changes["changed_on"])
    return changes[(on >= pd.Timestamp(listing["starts"].min())) & (on <= pd.Timestamp(listing["ends"].max()))]


def cooccurrence_shown(current, consultation, threshold):
    """The co-occurrence matrix, most raised themes first (as the plan shows the diagonal), its pairs
    and each theme's name with its count as printed."""
    from scrutiny import disclosure

    _, chosen, codebook = comments(current, consultation)
    matrix = cooccurrence(chosen, codebook)
    if matrix.empty:
        return matrix, pd.DataFrame(), []
    pairs = cooccurrence_pairs(matrix, codebook, threshold)
    plan = disclosure.feedback_plan(current)
    shown = [0 if plan.is_hidden(consultation, theme=c) else matrix.loc[c, c] for c in matrix.index]
    order = ranked_themes(pd.Series(shown, index=matrix.index), threshold)
    matrix = matrix.loc[order, order]
    names = [f"{codebook.label(c)} ({plan.show(consultation, theme=c)})" for c in matrix.index]
    return matrix, pairs, names


def consultation_choices(plan, listing: pd.DataFrame) -> dict[str, str]:
    """The consultation box's choices: all of them, then each with its month and number of comments as printed."""
    return {"all": f"All consultations ({plan.show(None)} comments)",
            **{r.consultation: f"{r.consultation} ({pd.Timestamp(r.starts):%b %Y}, {plan.show(r.consultation)} comments)"
               for r in listing.itertuples()}}


def site_choices(current, consultation, chosen: pd.DataFrame) -> dict:
    """Each site the chosen comments are about, most comments first, as the site box lists it."""
    from scrutiny import disclosure

    plan = disclosure.feedback_plan(current)
    # A site missing from the centres table is shown by its code.
    named = chosen.dropna(subset=["centre_id"])
    named = named.assign(centre_name=named["centre_name"].fillna(named["centre_id"]))
    options = named.groupby(["centre_id", "centre_name"]).size().reset_index(name="n").sort_values("n", ascending=False)
    return {r.centre_id: (r.centre_name, f"{r.centre_name} ({plan.show(consultation, 'centre_id', r.centre_id)} comments)")
            for r in options.itertuples()}


@queries.kept
def coding_agreement(threshold):
    """How well the codebook agrees with the source's own coding: its sentence and table, and the sentiment's sentence."""
    from scrutiny.topics.feedback import sentences, tables
    from scrutiny.topics.feedback.coding import coded_feedback

    coded, codebook, _ = coded_feedback()
    rows = agreement(coded, codebook)
    table = tables.agreement_table(rows, threshold) if rows.attrs.get("comments") else None
    return sentences.agreement_sentence(rows, threshold), table, sentences.sentiment_agreement_sentence(coded)
