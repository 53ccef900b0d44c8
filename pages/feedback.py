"""What parents, staff and volunteers said: consultation themes, sentiment and quotes beside the figures.

Figures from scrutiny/topics/feedback/figures.py (through the feedback disclosure plan), drawn with
its charts.py, written with its sentences.py and tables.py; the quote explorer is its quotes.py.
"""

import streamlit as st

from scrutiny import charts, disclosure, filters, queries, ui
from scrutiny.topics.feedback import charts as fb_charts, figures as fb, quotes, sentences as words, tables
from scrutiny.topics.feedback.coding import coded_feedback


# Sections that only draw, kept between reruns (ui.drawn_once): a click in the quote explorer replays them.
@ui.drawn_once
def theme_chart(current, consultation, by, what, threshold):
    frequency, overall = fb.theme_frequencies(current, consultation, by)
    ui.sentence(words.frequency_sentence(overall, threshold, what))
    figure, small_groups = fb_charts.themes_raised(frequency, by, threshold)
    if figure is None:
        return st.info(f"No theme was raised by {threshold} or more people in any group.")
    charts.show(figure, key="feedback_frequency")
    st.caption(words.themes_chart_note(frequency, small_groups, threshold))


@ui.drawn_once
def consultation_chart(current, threshold):
    comparison, changes = fb.consultation_figures(current, threshold)
    ui.sentence(words.changes_sentence(changes))
    figure = fb_charts.consultations_compared(comparison, threshold)
    if figure is None:
        return st.info("No theme's share can be shown for any consultation without giving away a small number.")
    charts.show(figure, key="feedback_consultations")
    note = words.service_changes_note(fb.service_changes_between(current, fb.consultation_listing(current)))
    if note:
        st.caption(note)
    st.caption(words.READING_CHANGES)


@ui.drawn_once
def themes_together(current, consultation, threshold):
    matrix, pairs, names = fb.cooccurrence_shown(current, consultation, threshold)
    ui.sentence(words.cooccurrence_sentence(pairs, threshold) if not matrix.empty else "No comment raised a theme.")
    if len(matrix) >= 2:
        charts.show(fb_charts.themes_together(matrix, names, threshold), key="feedback_cooccurrence")
        st.caption("Each cell: comments raising both themes. The number beside a theme is every comment raising it.")


@ui.drawn_once
def site_section(current, consultation, centre_id, centre_name, threshold):
    _, _, codebook = fb.comments(current, consultation)
    plan = disclosure.feedback_plan(current)
    profile = fb.site_profile(plan, consultation, centre_id, codebook)
    left, middle, right = st.columns(3)
    left.metric("Comments about this site", plan.show(consultation, "centre_id", centre_id))
    figures = fb.site_figures(centre_id, current, threshold)
    middle.metric(f"Reach, most deprived 30%, {current.period_label}", figures["reach"], help=figures["reach_help"])
    right.metric(f"Visits, {current.period_label}", figures["visits"], help=figures["visits_help"])
    ui.sentence(words.site_sentence(profile, centre_name, threshold))
    figure = fb_charts.site_beside_all(profile, centre_name)
    if figure is not None:
        charts.show(figure, key="feedback_site")
    st.caption("Reach and visits are for the financial year in the sidebar; comments for the consultation chosen above. "
               f"Themes with fewer than {threshold} comments at this site are not drawn.")


st.title("What parents, staff and volunteers said")
ui.guard("feedback")
threshold = queries.extract_info().suppression_threshold
current = filters.current()
coded, codebook, codebook_note = coded_feedback()
if codebook_note:
    st.warning(codebook_note)
if coded.empty:
    ui.empty("The extract has no consultation comments (the feedback table is empty).")
in_view = fb.select_comments(coded, filters=current)
if in_view.empty:
    ui.empty("No comments are about sites that match the sidebar filters. Clear a filter to see more.")

SOURCE = "feedback table (consultation comments)" + (", themes from the extract's own codebook" if codebook.origin == "the extract" else "")
plan = disclosure.feedback_plan(current)
listing = fb.consultation_listing(current)
choices = {"all": f"All consultations ({plan.show(None)} comments)",
           **{r.consultation: f"{r.consultation} ({r.starts:%b %Y}, {plan.show(r.consultation)} comments)" for r in listing.itertuples()}}
consultation = filters.url_select("Consultation", "consultation", choices, "all", help="The consultation or survey the comments come from.")
chosen = fb.select_comments(in_view, consultation=None if consultation == "all" else consultation)
what_plain = "all consultations" if consultation == "all" else f"“{consultation}”"  # for file titles
what = "all consultations" if consultation == "all" else f"“{words.md_escape(consultation)}”"  # for markdown
scope = current.describe().split(", ", 1)[1] if ", " in current.describe() else ""
st.markdown(words.headline(plan.show(consultation), what, scope, *fb.who_and_how(current, consultation)))
st.caption(words.ABOUT_COMMENTS)
if plan.is_hidden(consultation):
    ui.empty(f"Fewer than {threshold} comments: too few to describe without identifying anyone. Choose more consultations or clear a filter.")
ui.answer_first([(f"Comments, {what_plain}", plan.show(consultation),
                  "Each comment is one person's response; the sidebar's year does not apply to comments.")],
                words.frequency_sentence(fb.theme_frequencies(current, consultation, "all")[1], threshold, what), words.WHAT_TO_ASK)

st.header("What people raised")
by = st.radio("Break down by", ["all", "respondent_type", "site_type"], horizontal=True, key="feedback_by", format_func=lambda code: fb.GROUPINGS[code])
theme_chart(current, consultation, by, what, threshold)
with st.expander("The table behind the chart"):
    table = tables.themes_table(current, consultation, by, threshold)
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"Themes raised, by {fb.GROUPINGS[by].lower()}, {what_plain}", "feedback_themes",
                    key="download_feedback_themes", filters=current, source_text=SOURCE, with_period=False)
trust = fb.theme_trust(codebook)
if words.care_line(trust):
    st.markdown(words.care_line(trust))
with st.expander("How far to trust each theme: agreement with people's coding of real comments"):
    ui.sentence(words.trust_sentence(trust))
    st.dataframe(tables.trust_table(trust), hide_index=True, width="stretch")
    st.caption(words.trust_note())
ui.source(SOURCE)
ui.suppression_note()

st.header("How it changed between consultations")
if len(listing) < 2:
    st.info("The comments in view come from one consultation, so there is nothing to compare with.")
else:
    consultation_chart(current, threshold)
    with st.expander("The change in each theme"):
        changes = tables.changes_table(fb.consultation_figures(current, threshold)[1])
        st.dataframe(changes, hide_index=True, width="stretch")
        ui.download_csv(changes, "Change in themes between consultations", "feedback_change",
                        key="download_feedback_change", filters=current, source_text=SOURCE, with_period=False)

st.header("Themes raised together")
themes_together(current, consultation, threshold)

st.header("Quotes")
quotes.explorer(chosen, codebook, current, what_plain, SOURCE)

st.header("Each site: what was said beside its figures")
sites = fb.site_choices(current, consultation, chosen)
if not sites:
    st.info("None of these comments is about a particular site.")
else:
    centre_id = filters.url_select("Site", "site", {c: label for c, (_, label) in sites.items()}, next(iter(sites)))
    site_section(current, consultation, centre_id, sites[centre_id][0], threshold)

st.header("How the themes and sentiment were coded")
agreement_sentence, agreement, sentiment_sentence = fb.coding_agreement(threshold)
ui.sentence(agreement_sentence)
if agreement is not None:
    st.dataframe(agreement, hide_index=True, width="stretch")
    st.caption(words.AGREEMENT_NOTE)
    ui.download_csv(agreement, "Agreement of the codebook with the source's themes", "feedback_agreement",
                    key="download_feedback_agreement", source_text=SOURCE)
ui.sentence(words.trust_sentence(trust))
unclear = tables.unclear_table(chosen, codebook)
st.subheader("Needs a person")
if unclear.empty:
    st.markdown("The coder found a clear theme, or clearly none, in every sentence of these comments.")
else:
    st.markdown(words.needs_a_person(len(unclear), threshold))
    st.dataframe(unclear.head(20), hide_index=True, width="stretch")
    ui.download_csv(unclear, f"Sentences that need a person, {what_plain}", "feedback_needs_a_person", key="download_feedback_unclear",
                    filters=current, source_text=SOURCE + "; personal details masked", with_period=False)
st.markdown(sentiment_sentence)
with st.expander(f"The codebook ({len(codebook.themes)} themes, from {codebook.origin})"):
    st.markdown(words.how_coded())
    st.dataframe(codebook.table(), hide_index=True, width="stretch")
