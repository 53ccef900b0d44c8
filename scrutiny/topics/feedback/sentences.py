"""The words of the Feedback page and the pack's feedback section."""

from __future__ import annotations

import re

import pandas as pd

from scrutiny import stats


def frequency_sentence(frequency: pd.DataFrame, threshold: int, what: str) -> str:
    """The plain-English finding for the whole selection (group 'all')."""
    overall = frequency[frequency["group"] == frequency["group"].iloc[0]] if not frequency.empty else frequency
    total = int(overall["group_comments"].iloc[0]) if not overall.empty else 0
    if total == 0:
        return f"No comments for {what}."
    if overall["group_hidden"].iloc[0]:
        return f"Fewer than {threshold} comments for {what}, too few to describe without identifying anyone."
    shown = overall[~overall["share_suppressed"] & (overall["comments"] > 0)].sort_values("comments", ascending=False)
    if shown.empty:
        return f"{total:,} comments for {what}; no theme was raised by {threshold} or more of them."
    top = shown.iloc[0]
    text = (f"Of {total:,} comments for {what}, the theme raised most often was **{top.theme_label.lower()}**: "
            f"{top.comments:,} comments ({stats.show_percent(top.share_pct)}, 95% CI {stats.show_interval(top.share_lower, top.share_upper)})")
    if len(shown) > 1:
        second = shown.iloc[1]
        text += f", then {second.theme_label.lower()} ({second.comments:,}, {stats.show_percent(second.share_pct)})"
    return text + "."

def changes_sentence(changes: pd.DataFrame) -> str:
    if changes.empty:
        return ""
    earlier, later = changes["earlier"].iloc[0], changes["later"].iloc[0]
    clear = changes[changes["verdict"] != "no clear change"].sort_values("change", key=abs, ascending=False)
    if clear.empty:
        return (f"Between **{earlier}** and **{later}** no theme's share of comments changed by more than "
                "chance would explain (every 95% interval of the change includes zero).")
    parts = [f"{r.theme_label.lower()} {r.verdict} from {stats.show_percent(r.earlier_pct)} to {stats.show_percent(r.later_pct)} "
             f"({r.change * 100:+.0f} points, 95% CI {r.change_lower * 100:+.0f} to {r.change_upper * 100:+.0f})"
             for r in clear.head(3).itertuples()]
    return f"Between **{earlier}** and **{later}**, " + "; ".join(parts) + "."

def cooccurrence_sentence(pairs: pd.DataFrame, threshold: int) -> str:
    if pairs.empty:
        return f"No two themes were raised together in {threshold} or more comments."
    top = pairs.iloc[0]
    return (f"The themes raised together most often were **{top.label_a.lower()}** and **{top.label_b.lower()}**: "
            f"{top.comments:,} comments, {stats.show_percent(top.share_of_a)} of those about {top.label_a.lower()} and "
            f"{stats.show_percent(top.share_of_b)} of those about {top.label_b.lower()}.")

def agreement_sentence(agreement_rows: pd.DataFrame, threshold: int) -> str:
    n = agreement_rows.attrs.get("comments", 0)
    if not n:
        return "No comment in this extract arrived with themes, so the codebook cannot be checked against a person's coding here."
    both = int(agreement_rows["both"].sum())
    by_codebook = int(agreement_rows["coded_by_codebook"].sum())
    by_source = int(agreement_rows["coded_by_source"].sum())
    if stats.is_small(n, threshold):
        return f"Fewer than {threshold} comments arrived with themes: too few to judge the codebook by."
    precision = stats.show_percent(both / by_codebook) if by_codebook else "no"
    recall = stats.show_percent(both / by_source) if by_source else "no"
    return (f"{n:,} comments arrived with themes coded by the source. Coded again by the codebook, blind to those themes, "
            f"{precision} of the themes the codebook gave were also the source's (precision), and it found "
            f"{recall} of the source's themes (recall).")

def sentiment_agreement_sentence(coded: pd.DataFrame) -> str:
    """How often the computed sentiment matches the sentiment the source gave."""
    given = coded[coded["sentiment_source"] == "source"]
    if given.empty:
        return ("No comment arrived with a sentiment, so every sentiment shown is computed: on comments kept back "
                "from tuning it agreed with a person's reading about 11 times in 20. Treat it as a rough guide.")
    same = int((given["sentiment"] == given["computed_sentiment"]).sum())
    return (f"{len(given):,} comments arrived with a sentiment, which is kept. Computed blind, the sentiment "
            f"agreed with the source's for {same:,} of them ({same / len(given):.0%}); the rest "
            f"({len(coded) - len(given):,}) show the computed sentiment.")


def md_escape(text) -> str:
    """Text a respondent wrote, made inert for st.markdown (no links, images, HTML or formulas)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", " ".join(str(text).split()))

def site_sentence(profile: pd.DataFrame, site_name: str, threshold: int) -> str:
    if profile.empty or profile["group_comments"].iloc[0] == 0:
        return f"No comments about {site_name} for these choices."
    n = int(profile["group_comments"].iloc[0])
    if profile["group_hidden"].iloc[0]:
        return f"Fewer than {threshold} comments about {site_name}: too few to show its themes without identifying anyone."
    shown = profile[~profile["share_suppressed"] & (profile["comments"] > 0)]
    if shown.empty:
        return f"{n:,} comments about {site_name}; no theme was raised in {threshold} or more of them."
    gaps = shown.assign(diff=shown["share_pct"] - shown["share_pct_all"]).sort_values("diff", ascending=False)
    top = gaps.iloc[0]
    text = (f"{n:,} comments were about **{site_name}**. The theme raised most, compared with all comments in view, was "
            f"**{top.theme_label.lower()}**: {stats.show_percent(top.share_pct)} of its comments "
            f"(95% CI {stats.show_interval(top.share_lower, top.share_upper)}) against {stats.show_percent(top.share_pct_all)} overall")
    if top.share_lower <= top.share_pct_all <= top.share_upper:
        return text + "; the interval includes the overall figure, so the difference may be chance."
    return text + "."

def trust_sentence(trust: pd.DataFrame) -> str:
    """How far the coding agrees with people's, overall, beside what a fixed guess would score (proportions, 0 to 1)."""
    a = trust.attrs
    return (f"Checked against {a['comments']} real comments about early years services, quoted from published reports "
            f"and coded by hand, that were kept back while the codebook was written: precision {a['micro_precision']:.2f} "
            f"(the share of the coder's themes that were also the person's), recall {a['micro_recall']:.2f} (the share "
            f"of the person's themes it found), F1 {a['micro_f1']:.2f}; averaged over themes, F1 {a['macro_f1']:.2f}. "
            f"Giving every comment the same themes ({', '.join(t.lower() for t in a['best_constant'])}) would score F1 "
            f"{a['best_constant_f1']:.2f}; every comment '{a['most_common'].lower()}', {a['most_common_f1']:.2f}.")


def care_line(trust: pd.DataFrame) -> str:
    """The themes to treat with care, with why; empty when there are none."""
    careful = trust[trust["care"] & trust["checked"]]
    if careful.empty:
        return ""
    parts = [f"{r.theme_label.lower()} ({r.care_reason})" for r in careful.itertuples()]
    return ("Treat with care: " + "; ".join(parts) + ". Read these themes' quotes before quoting their bars.")


def headline(shown_total: str, what: str, scope: str, by_type: str, feelings: dict[str, str]) -> str:
    """The page's first line: how many comments, from whom and in what mood. (How many raised no
    theme is not said: see scrutiny/disclosure/feedback.py.)"""
    return (f"**{shown_total} comments** from {what}" + (f" about sites with {scope}" if scope else "") + f": {by_type}. "
            f"Sentiment: {feelings['positive']} positive, {feelings['mixed']} mixed, {feelings['neutral']} neutral and "
            f"{feelings['negative']} negative.")


def themes_chart_note(frequency: pd.DataFrame, small_groups: list[str], threshold: int) -> str:
    """The key under the themes chart, with the groups and bars left out."""
    from scrutiny.topics.feedback.charts import THEMES_KEY

    notes = []
    if small_groups:
        notes.append(f"left out because fewer than {threshold} people are in them: {', '.join(small_groups)}")
    dropped = frequency[frequency["share_suppressed"] & (frequency["comments"] > 0)]
    if not dropped.empty:
        notes.append(f"{len(dropped)} bars with fewer than {threshold} comments, or that would give one away, are not drawn (c in the table)")
    return THEMES_KEY + " " + ("; ".join(notes).capitalize() + "." if notes else "")


def service_changes_note(between: pd.DataFrame) -> str:
    if between.empty:
        return ""
    return "Service changes between the first and the last consultation: " + "; ".join(
        f"{pd.Timestamp(r.changed_on):%b %Y}: {md_escape(r.title)}" for r in between.itertuples()) + "."


NO_SHARE_SHOWN = "No theme's share can be shown for any consultation without giving away a small number."
TOGETHER_NOTE = "Each cell: comments raising both themes. The number beside a theme is every comment raising it."


def site_note(threshold: int) -> str:
    return ("Reach and visits are for the financial year in the sidebar; comments for the consultation chosen above. "
            f"Themes with fewer than {threshold} comments at this site are not drawn.")


def what_is_chosen(consultation: str, current) -> tuple[str, str, str]:
    """The consultation chosen for markdown and for file titles, and the sidebar's filters in words."""
    plain = "all consultations" if consultation == "all" else f"“{consultation}”"
    markdown = "all consultations" if consultation == "all" else f"“{md_escape(consultation)}”"
    described = current.describe()
    return markdown, plain, described.split(", ", 1)[1] if ", " in described else ""


def source(codebook) -> str:
    return "feedback table (consultation comments)" + (", themes from the extract's own codebook" if codebook.origin == "the extract" else "")


COMMENTS_HELP = "Each comment is one person's response; the sidebar's year does not apply to comments."
READING_CHANGES = ("A theme's share can change because people's experience changed, or because a different mix of "
                   "people answered, or the questions differed: read the change beside who took part.")
ABOUT_COMMENTS = ("Each comment is one person's response. Themes come from the source where it coded them, otherwise from "
                  "the codebook (shown at the foot of the page, with how well it agrees with a person's coding). The "
                  "financial year in the sidebar does not apply to comments: choose a consultation instead.")
WHAT_TO_ASK = ["What has changed in response to the themes raised most often?",
               "Who did not respond, and how will their views be heard?",
               "Do the comments match what the figures show for the same sites?"]
AGREEMENT_NOTE = ("Precision: of the comments the codebook gave a theme, the share the source also gave it. "
                  "Recall: of the comments the source gave a theme, the share the codebook found. 95% intervals in "
                  "brackets. A low precision means the theme's phrases are too broad; a low recall, that people say "
                  "it in words the codebook lacks.")


def trust_note() -> str:
    from scrutiny.topics.feedback.figures import CARE_MIN_COMMENTS, CARE_PRECISION, CARE_RECALL

    return (f"Proportions from 0 to 1. Treat with care: precision under {CARE_PRECISION:.2f} (three or more in "
            f"ten of the comments a bar counts are not about the theme), recall under {CARE_RECALL:.2f} (the bar "
            f"misses more than half of the comments about it), or fewer than {CARE_MIN_COMMENTS} check comments "
            "about the theme (too few to know). Themes the source coded itself are shown as the source coded them.")


def how_coded() -> str:
    from scrutiny.topics.feedback.sentiment import CLEAR, NEUTRAL_BAND

    return (
        "A phrase codes its theme when it appears as whole words, in any of its forms (a noun singular or plural, "
        "a verb's -s and past forms); `*` ends a word stem. A weak word (“sessions”, “staff”) codes its theme only "
        "beside another of the theme's words or in a sentence that reads like one of its example sentences; a "
        "sentence with no phrase at all codes a theme when it is very close to one of the theme's examples, and "
        "the nearest example is shown as the reason. A phrase after “not”, "
        "“never”, “don't” and the like still codes the theme, and counts the other way for sentiment. "
        f"Sentiment is scored clause by clause (VADER plus the codebook's phrases): **mixed** when one clause scores "
        f"at least +{CLEAR} and another at most −{CLEAR}; otherwise **positive** or **negative** when the "
        f"average of the clauses that lean either way is beyond ±{NEUTRAL_BAND}; else **neutral**. An extract can "
        "replace the codebook with its own codebook.yaml.")


def needs_a_person(n: int, threshold: int) -> str:
    if not n:
        return "The coder found a clear theme, or clearly none, in every sentence of these comments."
    return (f"**{stats.show_count(n, threshold)} sentences** were left for a person to read rather than "
            "guessed: their nearest themes were not close enough to call, or two themes were equally close.")
