"""Reach: who is reached, who is missed, and how centres stand against the 65% / 85% thresholds.

Figures, words, tables and charts come from scrutiny/topics/reach/ (tested there); this page reads the
choices and draws one section per figure. Sections that only draw are kept between reruns (ui.drawn_once).
"""

import streamlit as st

from scrutiny import filters, labels, queries, stats, ui
from scrutiny.extract import data_dir
from scrutiny.topics.reach import charts, figures, sentences, tables

SOURCE = "children, attendances, population, areas and centres tables"


@ui.drawn_once
def heat_map(chosen: figures.Choices, every_row: bool) -> int:
    heat = figures.heat_map_frame(chosen.areas(), chosen.level, list(chosen.groups), chosen.threshold, chosen.settings,
                                  chosen.focus_name, view=chosen.view())
    rows = None if every_row else charts.HEAT_ROWS_AT_FIRST
    ui.section("2. Every group at a glance", sentences.heat_map_sentence(heat, chosen.level, chosen.settings, chosen.period,
                                                                         chosen.group, shown=rows),
               charts.heat_map(heat, chosen.group, list(chosen.groups), chosen.settings, rows), key="reach_heat_map",
               source_text=SOURCE, help=sentences.RATING_HELP)
    return heat["unit"].nunique()


@ui.drawn_once
def trend(chosen: figures.Choices):
    series = figures.trend_series(chosen.filters, chosen.group, chosen.centre, chosen.threshold, chosen.settings)
    points = series[chosen.group]
    marked, unmarked = charts.trend_changes(figures.service_changes(chosen.filters), points, chosen.centre)
    ui.section("3. Reach through the year, over the years",
               sentences.trend_sentence(points, chosen.focus_name, chosen.group, chosen.settings),
               None if points.empty else charts.trend(series, chosen.group, chosen.settings, marked), key="reach_trend",
               empty_note="No quarterly figures for these filters.", notes=[] if points.empty else [
                   sentences.trend_caption(points), sentences.changes_caption(marked, unmarked, chosen.centre)],
               source_text=f"{SOURCE}, service changes", help=sentences.INTERVAL_HELP)


@ui.drawn_once
def missed(chosen: figures.Choices):
    areas, view = chosen.areas(), chosen.view()
    figure, dropped = charts.missed_by_district(figures.missed_by_district(areas, chosen.group, chosen.threshold, view=view))
    ui.section("4. Children missed", sentences.missed_sentence(areas, chosen.group, chosen.threshold, chosen.period, view=view),
               figure, key="reach_missed_by_district", notes=[sentences.left_out(dropped)], help=sentences.COLUMN_HELP["Missed"])


@ui.drawn_once
def area_map(chosen: figures.Choices):
    geo, shaded, geo_note = figures.map_frame(chosen, data_dir())
    ui.section("5. Where reach is high and low", sentences.map_sentence(geo, shaded, chosen.who, chosen.period),
               charts.reach_map(geo, shaded, chosen.settings), key="reach_map", notes=[geo_note], empty_note=sentences.NO_MAP,
               source_text=SOURCE + (", area boundaries" if geo is not None else ""))


@ui.drawn_once
def how_often(chosen: figures.Choices, sustained: int, reached: int, sustained_hidden: bool):
    freq = figures.frequency(chosen.areas(), chosen.group, chosen.threshold, chosen.centre, view=chosen.view(with_centre=True))
    ui.section("6. How often families come, and to what", f"{chosen.focus_name}: " + sentences.frequency_sentence(
        freq, chosen.group, sustained, reached, chosen.threshold, chosen.settings, sustained_hidden=sustained_hidden),
        charts.how_often(freq), key="reach_frequency", notes=[sentences.how_often_note(freq)], help=sentences.SUSTAINED_HELP)
    tiers = figures.attendance_mix(chosen.areas(), "tier", chosen.threshold, chosen.centre, list(chosen.groups))
    ui.section(None, sentences.tier_sentence(tiers, chosen.group), charts.share_bars(tiers, charts.TIER_COLOURS),
               key="reach_tiers", notes=[sentences.TIERS_NOTE.format(threshold=chosen.threshold)])


@ui.drawn_once
def where_found(chosen: figures.Choices):
    ages = figures.registration_age(chosen.areas(), chosen.threshold, chosen.centre, list(chosen.groups),
                                    view=chosen.view(with_centre=True))
    ui.section("7. How early families are found, and where they go", f"{chosen.focus_name}: "
               + sentences.registration_sentence(ages, chosen.group, chosen.threshold), charts.registration_age(ages),
               key="reach_registration_age", notes=[sentences.REGISTRATION_NOTE])
    sites = figures.attendance_mix(chosen.areas(), "site", chosen.threshold, chosen.centre, list(chosen.groups))
    ui.section(None, sentences.library_sentence(sites, chosen.group), charts.share_bars(sites, charts.SITE_COLOURS),
               key="reach_sites", notes=[sentences.SITES_NOTE])


st.title("Reach: who is reached and who is missed")
ui.guard("reach")
info, current = queries.extract_info(), filters.current()
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")

# --- Choices, all kept in the URL --------------------------------------------------------------
group_options, choice = figures.group_options(), st.columns(3)
group = filters.url_select("Target group", "target_group", group_options, figures.DEFAULT_GROUP, where=choice[0],
                           help="The group the table, trend, map and sentences describe. The heat map shows every group.")
level = filters.url_select("Show the table by", "rollup", figures.ROLLUPS, "centre", where=choice[2],
                           help="Figures for clusters, lead agencies, districts and site types are sums of their centres' reach areas.")
with st.expander("Settings: sustained engagement and thresholds",
                 expanded=any(k in st.query_params for k in ("sustained_min", "good", "outstanding"))):
    setting = st.columns(3)
    sustained_min = filters.url_number("Attendances in the year that count as sustained", "sustained_min",
                                       stats.SUSTAINED_MIN, 1, 100, where=setting[0], help=sentences.SUSTAINED_HELP)
    good = filters.url_number("Good threshold (%)", "good", 65, 1, 99, where=setting[1], help=sentences.THRESHOLDS_HELP)
    outstanding = filters.url_number("Outstanding threshold (%)", "outstanding", 85, 2, 100, where=setting[2],
                                     help=sentences.THRESHOLDS_HELP)
    if good >= outstanding:
        st.caption(f"The good threshold ({good}%) must be below the outstanding one ({outstanding}%), so 65% and 85% are used.")
        good, outstanding = 65, 85
settings = figures.Settings(sustained_min=sustained_min, good=good / 100, outstanding=outstanding / 100)
areas = figures.area_figures(current, sustained_min)
if areas.empty:
    ui.empty(f"No reach areas match these filters ({current.describe()}). Try fewer filters.")
centre_options = {"all": "All centres in view", **figures.centre_options(areas)}
centre = filters.url_select("Centre in focus", "centre", centre_options, "all", where=choice[1],
                            help="The trend, how often, tiers and identification describe this centre's reach area.")
chosen = figures.Choices(current, settings, group, centre, level, figures.focus_label(centre, centre_options, info.authority, current),
                         info.suppression_threshold, tuple(group_options))
focus_rows = figures.focus_rows(areas, current, centre, chosen.focus_name, chosen.threshold, settings)
focus_row = figures.focus_row(focus_rows, group)
ui.answer_first(*sentences.answer_first(focus_row, chosen.focus_name, group, chosen.threshold, settings, chosen.period),
                charts.groups_against_thresholds(focus_rows, list(group_options), settings), "reach_answer_chart", (1, 1),
                chart_caption=sentences.groups_chart_sentence(settings))
st.markdown(f"Figures for **{current.describe_markdown()}**; {settings.describe()}. Reach is counted by where a child lives: "
            "a child in a centre's reach area with at least one attendance anywhere, a library included, in the year.")

st.header("1. Reach against the thresholds", help=sentences.RATING_HELP)
every_group = st.toggle("Every target group in one table", key="reach_every_group")
rated = figures.reach_table(areas, level, None if every_group else group, chosen.threshold, settings, chosen.focus_name,
                            view=chosen.view())
table, mask = tables.display_table(rated, level, chosen.threshold, with_group=every_group)
ui.section(None, sentences.table_sentence(chosen, focus_row, rated, every_group), table=tables.styled(table, mask),
           key="reach_table", notes=[sentences.table_caption(settings), ui.suppression_text()], column_help=sentences.COLUMN_HELP,
           source_text=f"{SOURCE}; population estimates for {chosen.period}",
           download=tables.reach_download(table, mask, group, level, current, SOURCE))
if heat_map(chosen, st.session_state.get("reach_heat_every", False)) > charts.HEAT_ROWS_AT_FIRST:
    st.toggle(f"Every {labels.ROLLUPS[level].lower()}", key="reach_heat_every")
trend(chosen)
missed(chosen)
area_table, area_mask = tables.display_table(figures.missed_areas(areas, group, chosen.threshold, settings, view=chosen.view()),
                                             "area", chosen.threshold, with_group=False, extra=tables.AREA_COLUMNS)
ui.section(None, sentences.areas_heading(chosen.who), table=tables.styled(area_table, area_mask), table_height=420,
           key="reach_missed_areas", notes=[ui.suppression_text()], column_help=sentences.COLUMN_HELP,
           download=tables.areas_download(area_table, area_mask, group, current, SOURCE))
area_map(chosen)
how_often(chosen, *figures.sustained_and_reached(focus_row))
where_found(chosen)
ui.source(SOURCE)
