"""The Feedback tables as shown and downloaded, and quotes as evidence."""

from __future__ import annotations


import pandas as pd

from scrutiny import labels, queries, stats
from scrutiny.topics.feedback.codebook import GIVEN, Codebook
from scrutiny.topics.feedback.figures import group_label, theme_order
from scrutiny.topics.feedback.sentiment import SENTIMENT_LABELS



def frequency_table(frequency: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Theme by group, each cell "n (x%)", with c for small numbers: the table shown and downloaded."""
    cells = []
    for row in frequency.itertuples(index=False):
        if row.group_hidden or row.comments_hidden:
            cell = stats.SUPPRESSED
        elif row.share_suppressed:
            cell = f"{row.comments:,}"
        else:
            cell = f"{row.comments:,} ({stats.show_percent(row.share_pct)})"
        cells.append(cell)
    table = frequency.assign(cell=cells)
    order = list(dict.fromkeys(frequency["group_label"]))
    wide = table.pivot(index="theme_label", columns="group_label", values="cell").reindex(columns=order)
    wide = wide.reindex(theme_order(frequency, threshold)).reset_index().rename(columns={"theme_label": "Theme"})
    groups = frequency.drop_duplicates("group_label")
    base = {"Theme": "All comments (the denominator)"}
    base.update({g.group_label: stats.SUPPRESSED if g.group_hidden else f"{g.group_comments:,}" for g in groups.itertuples()})
    return pd.concat([pd.DataFrame([base]), wide], ignore_index=True)

def agreement_table(agreement_rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The agreement as shown: counts with c for small numbers, percentages hidden when they rest on one."""
    shown = agreement_rows[(agreement_rows["coded_by_codebook"] > 0) | (agreement_rows["coded_by_source"] > 0)]
    rows = []
    for r in shown.itertuples(index=False):
        row = {"Theme": r.theme_label + ("" if r.in_codebook else " (not in the codebook)"),
               "Coded by the source": stats.show_count(r.coded_by_source, threshold),
               "Coded by the codebook": stats.show_count(r.coded_by_codebook, threshold),
               "Both": stats.show_count(r.both, threshold)}
        for name, den in (("Precision", r.coded_by_codebook), ("Recall", r.coded_by_source)):
            value, lower, upper = getattr(r, name.lower()), getattr(r, f"{name.lower()}_lower"), getattr(r, f"{name.lower()}_upper")
            if stats.rate_suppressed(r.both, den, threshold) or den == 0:
                row[name] = stats.SUPPRESSED if den else ""
            else:
                row[name] = f"{stats.show_percent(value)} ({stats.show_interval(lower, upper)})"
        rows.append(row)
    return pd.DataFrame(rows, columns=["Theme", "Coded by the source", "Coded by the codebook", "Both", "Precision", "Recall"])

# --- Quotes as evidence --------------------------------------------------------------------------

def trigger_text(row, codebook: Codebook) -> str:
    """'Theme (why: "phrase", "phrase")' for each theme of a comment (a row with themes and triggers)."""
    return _why(row["themes"], row["triggers"], codebook, row.get("confirmed"))


def _why(themes, triggers, codebook: Codebook, confirmed=None) -> str:
    parts = []
    confirmed = confirmed if isinstance(confirmed, dict) else {}
    for code in themes:
        why = triggers.get(code) or [GIVEN]
        shown = [t if t == GIVEN or t.startswith("like: ") else f"“{t}”" for t in why[:3]]
        if code in confirmed:
            shown.append(confirmed[code])
        parts.append(f"{codebook.label(code)} (why: {', '.join(shown)})")
    return "; ".join(parts) if parts else "No theme in the codebook"


def site_name(centre_name, site_type) -> str:
    """The site a comment is about, else its kind of site, else "No particular site"."""
    if isinstance(centre_name, str) and centre_name:
        return centre_name
    return group_label("site_type", site_type)


def evidence_record(row, codebook: Codebook) -> dict:
    """A quote as the evidence pack keeps it (masked text only)."""
    return {
        "response_id": str(row["response_id"]),
        "consultation": str(row["consultation"]),
        "respondent_type": labels.respondent_type(row["respondent_type"]),
        "site": site_name(row.get("centre_name"), row.get("site_type")),
        "quote": row["quote"],
        "themes": [codebook.label(code) for code in row["themes"]],
        "sentiment": row["sentiment"],
    }


def quotes_table(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The quotes as shown and downloaded (masked)."""
    return pd.DataFrame({
        "Response": comments["response_id"].astype(str),
        "Consultation": comments["consultation"],
        "Collected": pd.to_datetime(comments["collected_on"]).dt.strftime("%d %b %Y"),
        "Respondent": comments["respondent_type"].map(labels.respondent_type),
        "Site": [site_name(name, kind) for name, kind in zip(comments["centre_name"], comments["site_type"])],
        "Quote": comments["quote"],
        "Themes (why)": [_why(themes, triggers, codebook, confirmed) for themes, triggers, confirmed in
                         zip(comments["themes"], comments["triggers"], comments.get("confirmed", pd.Series([None] * len(comments), index=comments.index)))],
        "Sentiment": comments["sentiment"].map(SENTIMENT_LABELS),
        "Sentiment from": comments["sentiment_source"].map({"source": "the source", "computed": "computed"}),
    })

def trust_table(trust: pd.DataFrame) -> pd.DataFrame:
    """Each theme's agreement as shown beside the chart and in the evidence pack (proportions, 0 to 1)."""
    def proportion(value, count):
        return "" if not count or pd.isna(value) else f"{value:.2f}"
    return pd.DataFrame({
        "Theme": trust["theme_label"],
        "Precision": [proportion(p, c) for p, c in zip(trust["precision"], trust["coder"])],
        "Recall": [proportion(r, c) for r, c in zip(trust["recall"], trust["people"])],
        "F1": [proportion(f, c1 + c2) for f, c1, c2 in zip(trust["f1"], trust["coder"], trust["people"])],
        "Treat with care": [reason if care else "" for care, reason in zip(trust["care"], trust["care_reason"])],
    })


def unclear_table(comments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The clauses the coder left for a person: unclear, or two themes too close to call (masked text)."""
    rows = []
    for response, unclear in zip(comments["response_id"], comments.get("unclear", pd.Series([[]] * len(comments)))):
        for item in unclear or []:
            rows.append({
                "Response": str(response), "Clause": item["clause"],
                "Why": item["why"],
                "Nearest themes": "; ".join(f"{codebook.label(code)} {similarity:.2f} (like ‘{example}’)"
                                            for code, similarity, example in item["candidates"]),
            })
    return pd.DataFrame(rows, columns=["Response", "Clause", "Why", "Nearest themes"])


def column_help(table: pd.DataFrame) -> dict[str, str]:
    """Plain words for the terms in a feedback table's headings, for a tooltip on each (one glossary:
    scrutiny/definitions.py)."""
    from scrutiny.definitions import meaning

    out = {}
    for column in table.columns:
        if column == "Theme":
            out[column] = meaning("Theme")
        elif column.startswith("Change, points"):
            out[column] = f"{meaning('Percentage points')} {meaning('Interval (95% interval, CI)')}"
        elif column == "Verdict":
            out[column] = meaning("Clearly (significance)")
        elif column in ("Earlier %", "Later %"):
            out[column] = "Comments raising the theme, as a share of the consultation's comments."
        elif column not in ("Earlier", "Later"):
            out[column] = ("Comments raising the theme, and their share of the group's comments (the first row: "
                           "the group's comments). c: too few to show, or hidden to protect a small number.")
    return out


@queries.kept
def themes_table(current, consultation, by, threshold):
    """The table behind the themes chart, as shown and downloaded."""
    from scrutiny.topics.feedback.figures import theme_frequencies

    return frequency_table(theme_frequencies(current, consultation, by)[0], threshold)


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The change in each theme between the first and the last consultation, as shown and downloaded."""
    return changes.assign(
        earlier_pct=changes["earlier_pct"].map(stats.show_percent), later_pct=changes["later_pct"].map(stats.show_percent),
        change=[f"{c * 100:+.0f} ({lo * 100:+.0f} to {hi * 100:+.0f})" for c, lo, hi in
                zip(changes["change"], changes["change_lower"], changes["change_upper"])],
    )[["theme_label", "earlier", "earlier_pct", "later", "later_pct", "change", "verdict"]].rename(columns={
        "theme_label": "Theme", "earlier": "Earlier", "earlier_pct": "Earlier %", "later": "Later", "later_pct": "Later %",
        "change": "Change, points (95% CI)", "verdict": "Verdict"})
