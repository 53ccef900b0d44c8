"""What parents, staff and volunteers said: consultation themes, sentiment and quotes beside the figures."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scrutiny import charts, disclosure, filters, labels, queries, section_charts, stats, ui
from scrutiny import feedback as fb


def comments(current, consultation):
    """The coded comments for the sidebar filters, those of the chosen consultation, and the codebook."""
    coded, codebook, _ = fb.coded_feedback()
    in_view = fb.select_comments(coded, filters=current)
    return in_view, fb.select_comments(in_view, consultation=None if consultation == "all" else consultation), codebook


@queries.kept
def consultation_listing(current):
    """Each consultation in view with its dates and number of comments, oldest first."""
    in_view, _, _ = comments(current, "all")
    return fb.consultations(in_view)


@queries.kept
def who_and_how(current, consultation, threshold):
    """The chosen comments' number by respondent type and by sentiment, and those raising no theme, as shown."""
    plan = disclosure.feedback_plan(current)
    counts = {code: plan.count(consultation, "respondent_type", code) for code in plan.group_values("respondent_type")}
    by_type = ", ".join(f"{plan.show(consultation, 'respondent_type', code)} {labels.respondent_type(code).lower()}"
                        for code, n in sorted(counts.items(), key=lambda item: -item[1]) if n)
    return by_type, fb.sentiment_counts(plan, consultation), plan.show(consultation, theme=disclosure.NO_THEME)


# Each section below depends only on its arguments and the extract (its codebook included), so it is
# worked out once and kept: a click in the quote explorer does not rebuild the charts and tables above.
# Sections that only draw are replayed (ui.drawn_once); figures behind a table with a download
# button are kept as data (queries.kept).

@queries.kept
def theme_frequencies(current, consultation, by, threshold):
    """The themes by the chosen breakdown, and overall."""
    _, _, codebook = comments(current, consultation)
    plan = disclosure.feedback_plan(current)
    frequency = fb.plan_frequency(plan, codebook, consultation, by=by)
    return frequency, frequency if by == "all" else fb.plan_frequency(plan, codebook, consultation)


@queries.kept
def themes_table(current, consultation, by, threshold):
    """The table behind the themes chart, as shown and downloaded."""
    return fb.frequency_table(theme_frequencies(current, consultation, by, threshold)[0], threshold)


@ui.drawn_once
def theme_chart(current, consultation, by, what, threshold):
    frequency, overall = theme_frequencies(current, consultation, by, threshold)
    ui.sentence(fb.frequency_sentence(overall, threshold, what))
    figure, small_groups = section_charts.themes_raised(frequency, by, threshold)
    if figure is None:
        st.info(f"No theme was raised by {threshold} or more people in any group.")
        return
    charts.show(figure, key="feedback_frequency")
    notes = []
    if small_groups:
        notes.append(f"left out because fewer than {threshold} people are in them: {', '.join(small_groups)}")
    dropped = frequency[frequency["share_suppressed"] & (frequency["comments"] > 0)]
    if not dropped.empty:
        notes.append(f"{len(dropped)} bars with fewer than {threshold} comments are not drawn (c in the table)")
    st.caption(section_charts.THEMES_KEY + " "
               + ("; ".join(notes).capitalize() + "." if notes else ""))


@queries.kept
def consultation_figures(current, threshold):
    """Each theme's share in each consultation, the change from the first to the last, and that change as shown."""
    in_view, _, codebook = comments(current, "all")
    comparison = fb.consultation_comparison(disclosure.feedback_plan(current), codebook, fb.consultations(in_view))
    changes = fb.consultation_changes(comparison, threshold)
    shown_changes = changes.assign(
        earlier_pct=changes["earlier_pct"].map(stats.show_percent), later_pct=changes["later_pct"].map(stats.show_percent),
        change=[f"{c * 100:+.0f} ({lo * 100:+.0f} to {hi * 100:+.0f})" for c, lo, hi in
                zip(changes["change"], changes["change_lower"], changes["change_upper"])],
    )[["theme_label", "earlier", "earlier_pct", "later", "later_pct", "change", "verdict"]].rename(columns={
        "theme_label": "Theme", "earlier": "Earlier", "earlier_pct": "Earlier %", "later": "Later", "later_pct": "Later %",
        "change": "Change, points (95% CI)", "verdict": "Verdict"})
    return comparison, changes, shown_changes


@ui.drawn_once
def consultation_chart(current, threshold):
    comparison, changes, _ = consultation_figures(current, threshold)
    ui.sentence(fb.changes_sentence(changes))
    drawn = comparison[~comparison["share_suppressed"] & (comparison["comments"] > 0)]
    if drawn.empty:
        st.info("No theme's share can be shown for any consultation without giving away a small number.")
        return
    figure = go.Figure()
    for number, (name, rows) in enumerate(drawn.groupby("group", sort=False)):
        figure.add_scatter(
            x=charts.published(rows["share_pct"], decimals=0), y=rows["theme_label"], mode="markers", name=name,
            marker=dict(size=11, color=charts.PALETTE[number % len(charts.PALETTE)], symbol=["circle", "diamond", "square", "triangle-up"][number % 4]),
            # At the precision shown: whole percentages.
            error_x=charts.interval_errors(rows["share_pct"], rows["share_lower"], rows["share_upper"], decimals=0),
            hovertemplate="%{y}: %{x:.0f}%<extra>" + name + "</extra>",
        )
    # The same order as the chart above: the themes raised most often (in every consultation together) first.
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(fb.theme_order(comparison, threshold))))
    charts.style(figure, x_title="% of the consultation's comments (95% interval)", height=140 + 28 * drawn["theme"].nunique())
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    charts.show(figure, key="feedback_consultations")
    try:
        changes_in_between = queries.run("service_changes", district=current.district)
    except queries.QueryError:
        changes_in_between = pd.DataFrame()  # an unreadable optional table: the chart stands without it
    if not changes_in_between.empty:
        listing = consultation_listing(current)
        first, last = listing["starts"].min(), listing["ends"].max()
        between = changes_in_between[(pd.to_datetime(changes_in_between["changed_on"]) >= pd.Timestamp(first))
                                     & (pd.to_datetime(changes_in_between["changed_on"]) <= pd.Timestamp(last))]
        if not between.empty:
            st.caption("Service changes between the first and the last consultation: " + "; ".join(
                f"{pd.Timestamp(r.changed_on):%b %Y}: {fb.md_escape(r.title)}" for r in between.itertuples()) + ".")
    st.caption("A theme's share can change because people's experience changed, or because a different mix of "
               "people answered, or the questions differed: read the change beside who took part.")


@ui.drawn_once
def themes_together(current, consultation, threshold):
    _, chosen, codebook = comments(current, consultation)
    matrix = fb.cooccurrence(chosen, codebook)
    pairs = fb.cooccurrence_pairs(matrix, codebook, threshold) if not matrix.empty else pd.DataFrame()
    plan = disclosure.feedback_plan(current)
    if not matrix.empty:
        # The most raised themes first (the diagonal, as the plan shows it), as in the chart of themes above.
        shown = [0 if plan.is_hidden(consultation, theme=c) else matrix.loc[c, c] for c in matrix.index]
        order = fb.ranked_themes(pd.Series(shown, index=matrix.index), threshold)
        matrix = matrix.loc[order, order]
    ui.sentence(fb.cooccurrence_sentence(pairs, threshold) if not matrix.empty else "No comment raised a theme.")
    if len(matrix) < 2:
        return
    names = [f"{codebook.label(c)} ({plan.show(consultation, theme=c)})" for c in matrix.index]
    values, text = [], []
    for i, a in enumerate(matrix.index):
        values.append([])
        text.append([])
        for j, b in enumerate(matrix.columns):
            n = int(matrix.loc[a, b])
            hidden = j >= i or stats.is_small(n, threshold)
            values[-1].append(None if hidden else n)
            text[-1].append("" if j >= i else stats.show_count(n, threshold))
    shown_values = [v for row in values for v in row if v is not None]
    figure = go.Figure(go.Heatmap(
        z=values, x=names, y=names, text=text, colorscale="Blues", showscale=False,
        zmin=min(shown_values, default=0), zmax=max(shown_values, default=1),
        hovertemplate="%{y} and %{x}: %{text} comments<extra></extra>", xgap=1, ygap=1,
    ))
    # Each count written in black or white, whichever reads better on its cell's blue.
    colours = charts.cell_text_colours(values, "Blues")
    cells = [(names[j], names[i], text[i][j], colours[i][j]) for i in range(len(names)) for j in range(len(names)) if text[i][j]]
    figure.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], text=[c[2] for c in cells], mode="text",
        textfont=dict(color=[c[3] for c in cells]), hoverinfo="skip", showlegend=False,
    ))
    charts.style(figure, height=200 + 34 * len(names))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(tickangle=-40)
    charts.show(figure, key="feedback_cooccurrence")
    st.caption("Each cell: comments raising both themes. The number beside a theme is every comment raising it.")


@ui.drawn_once
def site_section(current, consultation, centre_id, centre_name, threshold):
    _, _, codebook = comments(current, consultation)
    plan = disclosure.feedback_plan(current)
    profile = fb.site_profile(plan, consultation, centre_id, codebook)
    left, middle, right = st.columns(3)
    left.metric("Comments about this site", plan.show(consultation, "centre_id", centre_id))
    figures = fb.site_figures(centre_id, current, threshold)
    middle.metric(f"Reach, most deprived 30%, {current.period_label}", figures["reach"], help=figures["reach_help"])
    right.metric(f"Visits, {current.period_label}", figures["visits"], help=figures["visits_help"])
    ui.sentence(fb.site_sentence(profile, centre_name, threshold))
    drawn = profile[~profile["share_suppressed"] & (profile["comments"] > 0)]
    if not drawn.empty:
        figure = go.Figure()
        figure.add_bar(x=charts.published(drawn["share_pct"], decimals=0), y=drawn["theme_label"], orientation="h", name=centre_name,
                       marker_color=charts.FOCUS_COLOUR, hovertemplate="%{y}: %{x:.0f}%<extra>" + centre_name.replace("<", "") + "</extra>")
        figure.add_bar(x=charts.published(drawn["share_pct_all"], decimals=0), y=drawn["theme_label"], orientation="h", name="All comments in view",
                       marker_color=charts.REFERENCE_COLOUR, hovertemplate="%{y}: %{x:.0f}%<extra>all comments</extra>")
        figure.update_layout(barmode="group")
        figure.update_yaxes(autorange="reversed")
        charts.style(figure, x_title="% of comments raising the theme", height=140 + 40 * len(drawn))
        figure.update_xaxes(ticksuffix="%", rangemode="tozero")
        charts.show(figure, key="feedback_site")
    st.caption("Reach and visits are for the financial year in the sidebar; comments for the consultation chosen above. "
               "Themes with fewer than " f"{threshold} comments at this site are not drawn.")


@queries.kept
def coding_agreement(threshold):
    """How well the codebook agrees with the source's own coding: its sentence and table, and the sentiment's sentence."""
    coded, codebook, _ = fb.coded_feedback()
    rows = fb.agreement(coded, codebook)
    table = fb.agreement_table(rows, threshold) if rows.attrs.get("comments") else None
    return fb.agreement_sentence(rows, threshold), table, fb.sentiment_agreement_sentence(coded)


st.title("What parents, staff and volunteers said")
ui.guard("feedback")

info = queries.extract_info()
threshold = info.suppression_threshold
current = filters.current()
coded, codebook, codebook_note = fb.coded_feedback()
if codebook_note:
    st.warning(codebook_note)
if coded.empty:
    ui.empty("The extract has no consultation comments (the feedback table is empty).")

in_view = fb.select_comments(coded, filters=current)
if in_view.empty:
    ui.empty("No comments are about sites that match the sidebar filters. Clear a filter to see more.")

SOURCE = "feedback table (consultation comments)" + (", themes from the extract's own codebook" if codebook.origin == "the extract" else "")
listing = consultation_listing(current)
plan = disclosure.feedback_plan(current)
choices = {"all": f"All consultations ({plan.show(None)} comments)"}
choices.update({
    row.consultation: f"{row.consultation} ({pd.Timestamp(row.starts):%b %Y}, {plan.show(row.consultation)} comments)"
    for row in listing.itertuples()
})
consultation = filters.url_select("Consultation", "consultation", choices, "all",
                                  help="The consultation or survey the comments come from.")
chosen = fb.select_comments(in_view, consultation=None if consultation == "all" else consultation)
what_plain = "all consultations" if consultation == "all" else f"“{consultation}”"  # for file titles
what = "all consultations" if consultation == "all" else f"“{fb.md_escape(consultation)}”"  # for markdown
scope = current.describe().split(", ", 1)[1] if ", " in current.describe() else ""

by_type, feelings, no_theme = who_and_how(current, consultation, threshold)
st.markdown(
    f"**{plan.show(consultation)} comments** from {what}"
    + (f" about sites with {scope}" if scope else "") + f": {by_type}. "
    f"Sentiment: {feelings['positive']} positive, {feelings['mixed']} mixed, {feelings['neutral']} neutral and "
    f"{feelings['negative']} negative. {no_theme} raised no theme in the codebook."
)
st.caption(
    "Each comment is one person's response. Themes come from the source where it coded them, otherwise from the "
    "codebook (shown at the foot of the page, with how well it agrees with a person's coding). The financial year in "
    "the sidebar does not apply to comments: choose a consultation instead."
)
if plan.is_hidden(consultation):
    ui.empty(f"Fewer than {threshold} comments: too few to describe without identifying anyone. Choose more consultations or clear a filter.")
ui.answer_first(
    [(f"Comments, {what_plain}", plan.show(consultation),
      "Each comment is one person's response; the sidebar's year does not apply to comments.")],
    fb.frequency_sentence(theme_frequencies(current, consultation, "all", threshold)[1], threshold, what),
    ["What has changed in response to the themes raised most often?",
     "Who did not respond, and how will their views be heard?",
     "Do the comments match what the figures show for the same sites?"],
)

# --- 1. Themes by respondent type and site type ------------------------------------------------
st.header("What people raised")
by = st.radio("Break down by", ["all", "respondent_type", "site_type"], horizontal=True, key="feedback_by",
              format_func=lambda code: fb.GROUPINGS[code])
theme_chart(current, consultation, by, what, threshold)
table = themes_table(current, consultation, by, threshold)
with st.expander("The table behind the chart"):
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"Themes raised, by {fb.GROUPINGS[by].lower()}, {what_plain}", "feedback_themes",
                    key="download_feedback_themes", filters=current, source_text=SOURCE, with_period=False)
trust = fb.theme_trust(codebook)
care = fb.care_line(trust)
if care:
    st.markdown(care)
with st.expander("How far to trust each theme: agreement with people's coding of real comments"):
    ui.sentence(fb.trust_sentence(trust))
    st.dataframe(fb.trust_table(trust), hide_index=True, width="stretch")
    st.caption(f"Proportions from 0 to 1. Treat with care: precision under {fb.CARE_PRECISION:.2f} (three or more in "
               f"ten of the comments a bar counts are not about the theme), recall under {fb.CARE_RECALL:.2f} (the bar "
               f"misses more than half of the comments about it), or fewer than {fb.CARE_MIN_COMMENTS} check comments "
               "about the theme (too few to know). Themes the source coded itself are shown as the source coded them.")
ui.source(SOURCE)
ui.suppression_note()

# --- 2. Consultations compared ------------------------------------------------------------------
st.header("How it changed between consultations")
if len(listing) < 2:
    st.info("The comments in view come from one consultation, so there is nothing to compare with.")
else:
    consultation_chart(current, threshold)
    shown_changes = consultation_figures(current, threshold)[2]
    with st.expander("The change in each theme"):
        st.dataframe(shown_changes, hide_index=True, width="stretch")
        ui.download_csv(shown_changes, "Change in themes between consultations", "feedback_change",
                        key="download_feedback_change", filters=current, source_text=SOURCE, with_period=False)

# --- 3. Themes raised together --------------------------------------------------------------------
st.header("Themes raised together")
themes_together(current, consultation, threshold)

# --- 4. Quote explorer -----------------------------------------------------------------------------
st.header("Quotes")
columns = st.columns([2, 1, 1, 1])
search_text = columns[0].text_input("Search the quotes", key="q", bind="query-params",
                                    help='Every word must appear; put a phrase in "double quotes".')
theme = filters.url_select("Theme", "theme", {"all": "All themes", **codebook.labels()}, "all", where=columns[1])
respondent = filters.url_select("Respondent", "respondent_type",
                                {"all": "Everyone", **{c: labels.respondent_type(c) for c in sorted(chosen["respondent_type"].dropna().unique())}},
                                "all", where=columns[2])
sentiment = columns[3].selectbox("Sentiment", ["all", *fb.SENTIMENT_ORDER], key="feedback_sentiment",
                                 format_func=lambda s: "Any sentiment" if s == "all" else fb.SENTIMENT_LABELS[s])
site_names = chosen.dropna(subset=["centre_id"]).drop_duplicates("centre_id").sort_values("centre_name")
site_names = {"all": "Every site", **{str(c): n if isinstance(n, str) and n else str(c)  # a site missing from centres shows its code
                                      for c, n in zip(site_names["centre_id"].tolist(), site_names["centre_name"].tolist())}}
site = st.selectbox("Site", list(site_names), key="feedback_quote_site", format_func=lambda c: site_names.get(c, c))
quotes = fb.select_comments(chosen, theme=None if theme == "all" else theme,
                            respondent_type=None if respondent == "all" else respondent,
                            sentiment=None if sentiment == "all" else sentiment,
                            centre_id=None if site == "all" else site, text=search_text)
searched = f" containing “{fb.md_escape(search_text[:80])}”" if search_text and search_text.strip() else ""
ui.sentence(f"{len(quotes):,} quote{'' if len(quotes) == 1 else 's'}{searched}.")
if fb.EVIDENCE_KEY not in st.session_state:
    st.session_state[fb.EVIDENCE_KEY] = []


def toggle_evidence(record: dict, key: str) -> None:
    kept = [q for q in st.session_state.get(fb.EVIDENCE_KEY, []) if q["response_id"] != record["response_id"]]
    if st.session_state.get(key):
        kept.append(record)
    st.session_state[fb.EVIDENCE_KEY] = kept


marked = {q["response_id"] for q in st.session_state.get(fb.EVIDENCE_KEY, [])}
limit = 10
quotes = quotes.sort_values(["collected_on", "response_id"], ascending=[False, True])
for _, row in quotes.head(limit).iterrows():
    record = fb.evidence_record(row, codebook)
    with st.container(border=True):
        st.markdown(f"> {fb.md_escape(row['quote'])}")
        st.caption(
            f"{fb.md_escape(record['respondent_type'])} · {fb.md_escape(record['site'])} · {fb.md_escape(row['consultation'])} · "
            f"{pd.Timestamp(row['collected_on']):%d %b %Y} · sentiment: {row['sentiment']}"
            + (" (computed)" if row["sentiment_source"] == "computed" else "")
        )
        st.markdown("**Why these themes:** " + fb.md_escape(fb.trigger_text(row, codebook)))
        key = f"evidence_{row['response_id']}"
        if key not in st.session_state:
            st.session_state[key] = record["response_id"] in marked
        st.checkbox("Use as evidence", key=key, on_change=toggle_evidence, args=(record, key))
if len(quotes) > limit:
    st.caption(f"The {limit} most recent of {len(quotes):,} are shown; search or filter to narrow them, or download them all.")
kept = st.session_state.get(fb.EVIDENCE_KEY, [])
st.markdown(f"**{len(kept)} quote{'s' if len(kept) != 1 else ''} marked as evidence** for the evidence pack (kept for this session).")
# Built only when clicked: thousands of quotes would slow every rerun.
st.download_button(
    f"Download these {len(quotes):,} quotes as CSV", key="download_feedback_quotes", file_name="feedback_quotes.csv",
    mime="text/csv", on_click="ignore",
    data=lambda: ui.csv_bytes(fb.quotes_table(quotes, codebook), f"Quotes from {what_plain}", current,
                              SOURCE + "; personal details masked", with_period=False),
)
st.caption("E-mail addresses, phone numbers, postcodes and names people gave are replaced with [… removed] here and in downloads.")

# --- 5. Sites: what was said beside the figures --------------------------------------------------
st.header("Each site: what was said beside its figures")
with_comments = chosen.dropna(subset=["centre_id"])
if with_comments.empty:
    st.info("None of these comments is about a particular site.")
else:
    # A site missing from the centres table is shown by its code.
    named = with_comments.assign(centre_name=with_comments["centre_name"].fillna(with_comments["centre_id"]))
    options = named.groupby(["centre_id", "centre_name"]).size().reset_index(name="n").sort_values("n", ascending=False)
    centre_id = filters.url_select("Site", "site", {r.centre_id: f"{r.centre_name} ({plan.show(consultation, 'centre_id', r.centre_id)} comments)"
                                                   for r in options.itertuples()}, options["centre_id"].iloc[0])
    centre_name = options.set_index("centre_id").loc[centre_id, "centre_name"]
    site_section(current, consultation, centre_id, centre_name, threshold)

# --- 6. How the coding works ------------------------------------------------------------------------
st.header("How the themes and sentiment were coded")
agreement_sentence, agreement, sentiment_sentence = coding_agreement(threshold)
ui.sentence(agreement_sentence)
if agreement is not None:
    st.dataframe(agreement, hide_index=True, width="stretch")
    st.caption("Precision: of the comments the codebook gave a theme, the share the source also gave it. "
               "Recall: of the comments the source gave a theme, the share the codebook found. 95% intervals in brackets. "
               "A low precision means the theme's phrases are too broad; a low recall, that people say it in words the codebook lacks.")
    ui.download_csv(agreement, "Agreement of the codebook with the source's themes", "feedback_agreement",
                    key="download_feedback_agreement", source_text=SOURCE)
ui.sentence(fb.trust_sentence(trust))
unclear = fb.unclear_table(chosen, codebook)
st.subheader("Needs a person")
if unclear.empty:
    st.markdown("The coder found a clear theme, or clearly none, in every sentence of these comments.")
else:
    st.markdown(f"**{stats.show_count(len(unclear), threshold)} sentences** were left for a person to read rather than "
                "guessed: their nearest themes were not close enough to call, or two themes were equally close.")
    st.dataframe(unclear.head(20), hide_index=True, width="stretch")
    ui.download_csv(unclear, f"Sentences that need a person, {what_plain}", "feedback_needs_a_person",
                    key="download_feedback_unclear", filters=current, source_text=SOURCE + "; personal details masked",
                    with_period=False)
st.markdown(sentiment_sentence)
with st.expander(f"The codebook ({len(codebook.themes)} themes, from {codebook.origin})"):
    st.markdown(
        "A phrase codes its theme when it appears as whole words, in any of its forms (a noun singular or plural, "
        "a verb's -s and past forms); `*` ends a word stem. A weak word (“sessions”, “staff”) codes its theme only "
        "beside another of the theme's words or in a sentence that reads like one of its example sentences; a "
        "sentence with no phrase at all codes a theme when it is very close to one of the theme's examples, and "
        "the nearest example is shown as the reason. A phrase after “not”, "
        "“never”, “don't” and the like still codes the theme, and counts the other way for sentiment. "
        f"Sentiment is scored clause by clause (VADER plus the codebook's phrases): **mixed** when one clause scores "
        f"at least +{fb.CLEAR} and another at most −{fb.CLEAR}; otherwise **positive** or **negative** when the "
        f"average of the clauses that lean either way is beyond ±{fb.NEUTRAL_BAND}; else **neutral**. An extract can "
        "replace the codebook with its own codebook.yaml."
    )
    st.dataframe(codebook.table(), hide_index=True, width="stretch")
