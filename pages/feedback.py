"""What parents, staff and volunteers said: consultation themes, sentiment and quotes beside the figures.

Figures from scrutiny/topics/feedback/figures.py (through the feedback disclosure plan), drawn with
its charts.py, written with its sentences.py and tables.py; the quote explorer is its quotes.py.
"""

import streamlit as st

from scrutiny import charts, disclosure, filters, ui
from scrutiny.topics.feedback import charts as fb_charts, figures as fb, quotes, sentences as words, tables
from scrutiny.definitions import meaning
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
    figure = fb_charts.consultations_compared(comparison, threshold)
    ui.section(None, words.changes_sentence(changes), figure, key="feedback_consultations", empty_note=words.NO_SHARE_SHOWN,
               notes=[words.service_changes_note(fb.service_changes_between(current, fb.consultation_listing(current))),
                      words.READING_CHANGES] if figure is not None else [])


@ui.drawn_once
def themes_together(current, consultation, threshold):
    matrix, pairs, names = fb.cooccurrence_shown(current, consultation, threshold)
    figure = fb_charts.themes_together(matrix, names, threshold) if len(matrix) >= 2 else None
    ui.section(None, words.cooccurrence_sentence(pairs, threshold) if not matrix.empty else "No comment raised a theme.", figure,
               key="feedback_cooccurrence", notes=[words.TOGETHER_NOTE if figure is not None else ""])


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
    ui.section(None, words.site_sentence(profile, centre_name, threshold), fb_charts.site_beside_all(profile, centre_name),
               key="feedback_site", notes=[words.site_note(threshold)])


st.title("What parents, staff and volunteers said")
ui.guard("feedback")
threshold = disclosure.threshold()
current = filters.current()
coded, codebook, codebook_note = coded_feedback()
if codebook_note:
    st.warning(codebook_note)
if coded.empty:
    ui.empty("The extract has no consultation comments (the feedback table is empty).")
in_view = fb.select_comments(coded, filters=current)
if in_view.empty:
    ui.empty("No comments are about sites that match the sidebar filters. Clear a filter to see more.")

SOURCE = words.source(codebook)
plan = disclosure.feedback_plan(current)
listing = fb.consultation_listing(current)
consultation = filters.url_select("Consultation", "consultation", fb.consultation_choices(plan, listing), "all",
                                  help="The consultation or survey the comments come from.")
chosen = fb.select_comments(in_view, consultation=None if consultation == "all" else consultation)
what, what_plain, scope = words.what_is_chosen(consultation, current)
if plan.is_hidden(consultation):
    ui.empty(f"Fewer than {threshold} comments: too few to describe without identifying anyone. Choose more consultations or clear a filter.")
overall = fb.theme_frequencies(current, consultation, "all")[1]
ui.answer_first([(f"Comments, {what_plain}", plan.show(consultation), words.COMMENTS_HELP)], words.frequency_sentence(overall, threshold, what),
                words.WHAT_TO_ASK, chart=fb_charts.top_themes(overall, threshold), chart_key="feedback_answer_chart",
                chart_caption="The themes raised most often, as a share of every comment (95% interval).")
st.markdown(words.headline(plan.show(consultation), what, scope, *fb.who_and_how(current, consultation)))
st.caption(words.ABOUT_COMMENTS)

st.header("What people raised")
by = st.radio("Break down by", ["all", "respondent_type", "site_type"], horizontal=True, key="feedback_by",
              format_func=lambda code: fb.GROUPINGS[code], help=meaning("Theme"))
theme_chart(current, consultation, by, what, threshold)
with st.expander("The table behind the chart"):
    table = tables.themes_table(current, consultation, by, threshold)
    st.dataframe(table, hide_index=True, width="stretch", column_config=ui.column_tooltips(tables.column_help(table)))
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
        st.dataframe(changes, hide_index=True, width="stretch", column_config=ui.column_tooltips(tables.column_help(changes)))
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
ui.section(None, agreement_sentence, table=agreement, notes=[words.AGREEMENT_NOTE if agreement is not None else ""],
           download=None if agreement is None else ui.Download(agreement, "Agreement of the codebook with the source's themes",
                                                                "feedback_agreement", "download_feedback_agreement", source_text=SOURCE))
ui.sentence(words.trust_sentence(trust))
unclear = tables.unclear_table(chosen, codebook)
st.subheader("Needs a person")
ui.section(None, words.needs_a_person(len(unclear), threshold), table=None if unclear.empty else unclear.head(20),
           download=None if unclear.empty else ui.Download(unclear, f"Sentences that need a person, {what_plain}", "feedback_needs_a_person",
                                                           "download_feedback_unclear", current, SOURCE + "; personal details masked", False))
st.markdown(sentiment_sentence)
with st.expander(f"The codebook ({len(codebook.themes)} themes, from {codebook.origin})"):
    st.markdown(words.how_coded())
    st.dataframe(codebook.table(), hide_index=True, width="stretch")
