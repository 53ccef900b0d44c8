"""Reach: who is reached, who is missed, and how centres stand against the 65% / 85% thresholds.

The figures come from scrutiny.reach (tested there); this file only draws them.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scrutiny import charts, disclosure, filters, labels, maps, queries, reach, section_charts, stats, ui
from scrutiny.contract import MOST_DEPRIVED_GROUP
from scrutiny.extract import data_dir

def share_bars(mix: pd.DataFrame, categories, colours, key: str) -> None:
    """Stacked horizontal bars: each group's attendances split by category (hidden shares left out)."""
    fig = go.Figure()
    for category, colour in zip(categories, colours):
        part = mix[mix["category"] == category].dropna(subset=["share_pct"])
        fig.add_trace(go.Bar(y=part["group_label"], x=(part["share_pct"] * 100).round(0), name=part["category_label"].iloc[0] if len(part) else category,
                             orientation="h", marker_color=colour, text=[f"{v * 100:.0f}%" for v in part["share_pct"]],
                             textposition="inside"))
    charts.style(fig, x_title="Share of the group's attendances (%)", height=max(320, 34 * mix["target_group"].nunique() + 140))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    charts.show(fig, key=key)


# Sections that only draw, kept between reruns (ui.drawn_once): a click elsewhere on the page
# replays them instead of building their charts again.

@ui.drawn_once
def heat_map(current, sustained_min, level, group, groups, threshold, settings, focus_name, good, outstanding):
    groups = list(groups)
    areas = reach.area_figures(current, sustained_min)
    period = current.period_label
    heat = reach.heat_map_frame(areas, level, groups, threshold, settings, focus_name,
                                view=disclosure.ReachView(current, sustained_min))
    below = heat[heat["band"] == "below"]
    ui.sentence(
        f"Reach of each target group by {labels.ROLLUPS[level].lower()} in {period}, coloured by rating: "
        f"{len(below)} of {int((heat['band_rank'] <= 4).sum())} rated cells are clearly below {good}%"
        + (f", most often for {labels.target_group(below['target_group'].mode().iloc[0]).lower()}" if len(below) else "")
        + ". Each cell shows its reach %; c marks too few children, – no population estimate."
    )
    units = list(dict.fromkeys(reach.worst_first(heat[heat["target_group"] == group])["unit"]))
    units += [u for u in dict.fromkeys(heat["unit"]) if u not in units]
    band_names = list(reach.BAND_RANK)
    grid = heat.pivot_table(index="unit", columns="group_label", values="band_rank", aggfunc="first").reindex(
        index=units, columns=[labels.target_group(g) for g in groups])
    texts = heat.pivot_table(index="unit", columns="group_label", values="cell_text", aggfunc="first").reindex(
        index=units, columns=grid.columns).astype(object).fillna("")
    colourscale = []
    for i, band in enumerate(band_names):
        colourscale += [[i / len(band_names), charts.BAND_COLOURS[band]], [(i + 1) / len(band_names), charts.BAND_COLOURS[band]]]
    fig = go.Figure(go.Heatmap(
        z=(grid.to_numpy(dtype=float) + 0.5), x=list(grid.columns), y=units, text=texts.to_numpy(),
        colorscale=colourscale, zmin=0, zmax=len(band_names), showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    ))
    # Each cell's value written on it, white or dark, whichever reads better on its band's colour
    # (a heat map's own text takes one colour for every cell).
    cells = grid.stack(future_stack=True).reset_index(name="rank").dropna(subset=["rank"])
    cells["text"] = [texts.at[u, g] for u, g in zip(cells["unit"], cells["group_label"])]
    fig.add_trace(go.Scatter(
        x=cells["group_label"], y=cells["unit"], text=cells["text"], mode="text", hoverinfo="skip", showlegend=False,
        textfont=dict(color=[charts.text_colour_on(charts.BAND_COLOURS[band_names[int(r)]]) for r in cells["rank"]]),
    ))
    legend = {"below": f"Below {good}%", "not different from 65": f"Not different from {good}%", "65%+": f"{good}%+ (good)",
              "not different from 85": f"Not different from {outstanding}%", "85%+": f"{outstanding}%+ (outstanding)",
              "suppressed": "Too few to show (c)", "no data": "No estimate"}
    for band, name in legend.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True,
                                 marker=dict(size=12, symbol="square", color=charts.BAND_COLOURS[band])))
    charts.style(fig, height=max(360, 28 * len(units) + 160))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(side="top", showgrid=False, tickangle=-30)
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top"))
    charts.show(fig, key="reach_heat_map")
    ui.source("children, attendances, population, areas and centres tables")


@ui.drawn_once
def trend(current, group, centre, threshold, settings, focus_name, good, outstanding, source_text):
    quarter_groups = [group] + (["all"] if group != "all" else [])
    quarters = reach.quarter_figures(current, quarter_groups)
    view = disclosure.ReachView(current, settings.sustained_min, centre)
    trend = reach.quarterly(quarters, group, threshold, centre, view=view)
    ui.sentence(reach.trend_sentence(trend, focus_name, group, settings))
    if trend.empty:
        st.info("No quarterly figures for these filters.")
    else:
        fig = go.Figure()
        hidden_points = 0
        for series, colour in ((group, charts.FOCUS_COLOUR), ("all", charts.REFERENCE_COLOUR)):
            if series not in quarter_groups:
                continue
            points = trend if series == group else reach.quarterly(quarters, "all", threshold, centre, view=view)
            hidden_points += int(points["reach_pct"].isna().sum()) if series == group else 0
            for year, part in points.groupby("year"):
                part = part.dropna(subset=["reach_pct"])
                if part.empty:
                    continue
                fig.add_trace(go.Scatter(
                    x=part["quarter_ends"], y=(part["reach_pct"] * 100).round(0), mode="lines+markers",
                    name=labels.target_group(series), legendgroup=series, showlegend=bool(year == points["year"].min()),
                    line=dict(color=colour, width=3 if series == group else 1.5),
                    error_y=dict(type="data", symmetric=False,
                                 array=((part["reach_upper"] * 100).round(0) - (part["reach_pct"] * 100).round(0)),
                                 arrayminus=((part["reach_pct"] * 100).round(0) - (part["reach_lower"] * 100).round(0)),
                                 thickness=1, width=3),
                    customdata=np.stack([part["period"], part["reached"], part["population"]], axis=1),
                    hovertemplate="%{customdata[0]}: %{y:.0f}% (%{customdata[1]:,} of %{customdata[2]:,})<extra></extra>",
                ))
        charts.style(fig, y_title="Reached so far in the year (%)", percent_axis=True)
        charts.add_thresholds(fig, good, outstanding)
        # From the first day of the first quarter drawn to the last day of the last.
        changes = charts.changes_within(queries.run("service_changes", district=current.district),
                                        trend["quarter_ends"].min() - pd.DateOffset(months=3), trend["quarter_ends"].max())
        changes, unmarked = charts.changes_to_mark(changes, None if centre == "all" else centre)
        charts.add_service_changes(fig, changes)
        charts.show(fig, key="reach_trend")
        st.caption(
            "Reach by quarter is cumulative within each financial year: the children reached from 1 April to the end of "
            "the quarter, over the year's population estimate. So it climbs through the year, the fourth quarter equals the "
            "year's figure in the table, and it starts again each April. Bars show 95% intervals."
            + (f" {hidden_points} quarter{'s' if hidden_points != 1 else ''} with too few children are left out." if hidden_points else "")
        )
        if not changes.empty or unmarked:
            st.caption(" ".join(filter(None, [charts.service_change_caption(changes), charts.unmarked_changes_note(unmarked, focus=centre != "all")])))
        ui.source(f"{source_text}, service changes")


@ui.drawn_once
def area_map(current, sustained_min, group, threshold, settings, who, period, source_text):
    areas = reach.area_figures(current, sustained_min)
    missed_rows = reach.missed_areas(areas, group, threshold, settings, view=disclosure.ReachView(current, sustained_min))
    geo, geo_note = reach.boundaries(data_dir())
    if geo_note:
        st.caption(geo_note)
    if geo is not None:
        mapped = missed_rows.dropna(subset=["reach_pct"])
        hidden_areas = len(missed_rows) - len(mapped)
        ui.sentence(
            f"Reach of {who.lower()} in each small area in {period}, shaded by band (darker blue is higher; the legend names each band). "
            f"{len(mapped)} area{'s are' if len(mapped) != 1 else ' is'} shaded; {hidden_areas} {'are' if hidden_areas != 1 else 'is'} grey because of too few children or no estimate. "
            "The table above gives every area's figures."
        )
        shaded = missed_rows.assign(
            value=missed_rows["reach_pct"],
            hover=missed_rows["unit"].astype(str) + " (" + missed_rows["centre"].astype(str) + "): " + reach.reach_texts(missed_rows))
        fig = maps.area_map(geo, shaded, maps.reach_bands(settings.good, settings.outstanding))
        charts.style(fig, height=560)
        charts.show(fig, key="reach_map")
    else:
        points = reach.centre_points(areas, group, threshold, settings, view=disclosure.ReachView(current, sustained_min))
        if points.empty:
            st.info("No map: the extract has no area boundaries (boundaries.geojson) and no centre coordinates.")
        else:
            ui.sentence(f"Centres with a reach area, coloured by their rating for {who.lower()} in {period}; the label gives the reach %.")
            fig = maps.point_map(
                points, [charts.BAND_COLOURS[b] for b in points["band"]], list(reach.reach_texts(points)),
                list(points["unit"].astype(str) + ": " + reach.reach_texts(points) + " (" + points["rating"] + ")"))
            charts.style(fig, height=520)
            charts.show(fig, key="reach_map")
    ui.source(f"{source_text}" + (", area boundaries" if geo is not None else ""))


@ui.drawn_once
def missed_by_district_chart(current, sustained_min, group, threshold):
    areas = reach.area_figures(current, sustained_min)
    by_district = reach.missed_by_district(areas, group, threshold, view=disclosure.ReachView(current, sustained_min))
    fig, dropped = section_charts.missed_by_district(by_district)
    if fig is not None:
        charts.show(fig, key="reach_missed_by_district")
        if dropped:
            st.caption(f"{dropped} bar{'s' if dropped != 1 else ''} with too few children left out (c).")


@ui.drawn_once
def how_often(current, sustained_min, group, centre, groups, threshold, settings, focus_name, sustained, reached,
              sustained_hidden=False):
    areas = reach.area_figures(current, sustained_min)
    groups = list(groups)
    freq = reach.frequency(areas, group, threshold, centre, view=disclosure.ReachView(current, sustained_min, centre))
    ui.sentence(f"{focus_name}: " + reach.frequency_sentence(freq, group, sustained, reached, threshold, settings,
                                                             sustained_hidden=sustained_hidden))
    visible = freq[~freq["hidden"]]
    fig = go.Figure(go.Bar(x=visible["attendances"], y=visible["children"], marker_color=charts.REFERENCE_COLOUR,
                           text=[f"{c:,} ({stats.show_percent(p)})" if not pd.isna(p) else f"{c:,}" for c, p in zip(visible["children"], visible["share_pct"])],
                           textposition="auto"))
    charts.style(fig, x_title="Attendances in the year", y_title="Children reached")
    charts.show(fig, key="reach_frequency")
    if len(visible) < len(freq):
        st.caption(f"{len(freq) - len(visible)} bar(s) with too few children left out (c).")

    tiers = reach.attendance_mix(areas, "tier", threshold, centre, groups)
    ui.sentence(reach.tier_sentence(tiers, group))
    share_bars(tiers, ("universal", "targeted", "specialist"), (charts.PALETTE[4], charts.PALETTE[1], charts.PALETTE[5]), "reach_tiers")
    st.caption("Attendances by children living in the reach areas in focus, at any site. Shares resting on fewer than "
               f"{threshold} attendances, or on a group with fewer than {threshold} children reached, are left out.")


@ui.drawn_once
def where_found(current, sustained_min, group, centre, groups, threshold, focus_name):
    areas = reach.area_figures(current, sustained_min)
    groups = list(groups)
    ages = reach.registration_age(areas, threshold, centre, groups, view=disclosure.ReachView(current, sustained_min, centre))
    ui.sentence(f"{focus_name}: " + reach.registration_sentence(ages, group, threshold))
    fig = go.Figure()
    for prefix, name, colour in (("by_3_months", "Registered before 3 months old", charts.FOCUS_COLOUR),
                                 ("by_1_year", "Registered before 1 year old", charts.REFERENCE_COLOUR)):
        part = ages.dropna(subset=[f"{prefix}_pct"])
        fig.add_trace(go.Bar(
            y=part["group_label"], x=(part[f"{prefix}_pct"] * 100).round(0), name=name, orientation="h", marker_color=colour,
            error_x=dict(type="data", symmetric=False,
                         array=(part[f"{prefix}_upper"] * 100).round(0) - (part[f"{prefix}_pct"] * 100).round(0),
                         arrayminus=(part[f"{prefix}_pct"] * 100).round(0) - (part[f"{prefix}_lower"] * 100).round(0)),
            text=[f"{v * 100:.0f}%" for v in part[f"{prefix}_pct"]], textposition="inside", insidetextanchor="start",
        ))
    charts.style(fig, x_title="Share of registered children (%)", height=max(320, 40 * len(ages) + 140))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed")
    charts.show(fig, key="reach_registration_age")
    st.caption("Registered children living in the reach areas, under five in the year and registered by its end. Age is "
               "counted from the first day of the birth month, so the shares are if anything understated. Bars show 95% intervals.")

    sites = reach.attendance_mix(areas, "site", threshold, centre, groups)
    ui.sentence(reach.library_sentence(sites, group))
    share_bars(sites, ("children_centre", "family_hub", "library", "outreach"), charts.PALETTE, "reach_sites")
    st.caption("Joined-up working: where each group's attendances took place. A child counts for the reach area it lives in, "
               "wherever it went.")


st.title("Reach: who is reached and who is missed")
ui.guard("reach")
info = queries.extract_info()
current = filters.current()
threshold = info.suppression_threshold
if current.year is None:
    ui.empty("The extract has no financial years to show: the population table is missing or empty. See About the data.")

# --- Choices, all kept in the URL --------------------------------------------------------------
codes = list(queries.run("target_groups")["target_group"])
first = [g for g in ("all", MOST_DEPRIVED_GROUP) if g in codes]
group_options = {g: labels.target_group(g) for g in first + [g for g in codes if g not in first]}
choice = st.columns(3)
group = filters.url_select("Target group", "target_group", group_options, reach.DEFAULT_GROUP, where=choice[0],
                           help="The group the table, trend, map and sentences describe. The heat map shows every group.")
level = filters.url_select("Show the table by", "rollup", reach.ROLLUPS, "centre", where=choice[2],
                           help="Figures for clusters, lead agencies, districts and site types are sums of their centres' reach areas.")

asked = any(k in st.query_params for k in ("sustained_min", "good", "outstanding"))
with st.expander("Settings: sustained engagement and thresholds", expanded=asked):
    setting = st.columns(3)
    sustained_min = filters.url_number("Attendances in the year that count as sustained", "sustained_min",
                                       stats.SUSTAINED_MIN, 1, 100, where=setting[0])
    good = filters.url_number("Good threshold (%)", "good", 65, 1, 99, where=setting[1])
    outstanding = filters.url_number("Outstanding threshold (%)", "outstanding", 85, 2, 100, where=setting[2])
    if good >= outstanding:
        st.caption(f"The good threshold ({good}%) must be below the outstanding one ({outstanding}%), so 65% and 85% are used.")
        good, outstanding = 65, 85
settings = reach.Settings(sustained_min=sustained_min, good=good / 100, outstanding=outstanding / 100)

areas = reach.area_figures(current, sustained_min)
if areas.empty:
    ui.empty(f"No reach areas match these filters ({current.describe()}). Try fewer filters.")

centre_options = {"all": "All centres in view"}
for row in areas.drop_duplicates("centre_id").sort_values("centre_name").itertuples():
    centre_options[row.centre_id] = reach.centre_name(row.centre_name, row.closed_on)
centre = filters.url_select("Centre in focus", "centre", centre_options, "all", where=choice[1],
                            help="The trend, how often, tiers and identification describe this centre's reach area.")
focus_name = centre_options[centre] if centre != "all" else (
    info.authority if not any(current.centre_parameters().values()) else "The centres in view")
who = labels.target_group(group)
period = current.period_label
source_text = "children, attendances, population, areas and centres tables"
st.markdown(
    f"Figures for **{current.describe_markdown()}**; {settings.describe()}. Reach is counted by where a child lives: "
    "a child in a centre's reach area with at least one attendance anywhere, a library included, in the year."
)

view = disclosure.ReachView(current, sustained_min)
focus_rows = reach.protect(reach.rate(reach.rollup(reach.focus(areas, centre), "authority", focus_name), threshold,
                                      settings.good, settings.outstanding),
                           disclosure.ReachView(current, sustained_min, centre), "authority", threshold)
focus_row = next(iter(focus_rows[focus_rows["target_group"] == group].itertuples()), None)
ui.answer_first(
    [(f"Reached, {who.lower()}, {period}", reach.headline_value(focus_row),
      f"Children living in the reach areas in focus with at least one attendance in the year, over the estimate. "
      f"Good is {good}%, outstanding {outstanding}%.")],
    reach.reach_sentence(focus_name, group, focus_row, threshold, settings, period),
    [f"Which centres and groups are clearly below {good}%, and what is planned for each?",
     "Where do the children who are not reached live, and how will they be found?",
     "How early are families registered, and do they keep coming?"],
)

# --- 1. The reach table ------------------------------------------------------------------------
st.header("1. Reach against the thresholds")
every_group = st.toggle("Every target group in one table", key="reach_every_group")
rated = reach.reach_table(areas, level, None if every_group else group, threshold, settings, focus_name, view=view)
ui.sentence(reach.reach_sentence(focus_name, group, focus_row, threshold, settings, period) + " "
            + (reach.rating_summary(rated, level, settings) if not every_group else "") + reach.chance_note(rated, settings))
table, mask = reach.display_table(rated, level, threshold, with_group=every_group)
st.dataframe(reach.styled(table, mask), hide_index=True, width="stretch", key="reach_table")
st.caption(
    f"Worst first: clearly below {good}%, then not clearly different from it, and so on; click a heading to sort. "
    f"A rating claims a side of a threshold only when the whole 95% interval (Wilson) is on that side. "
    f"Sustained: {sustained_min} or more attendances in the year. Missed: the population estimate minus the children reached."
)
ui.suppression_note()
ui.source(f"{source_text}; population estimates for {period}")
ui.download_csv(reach.download_table(table, mask), f"Reach of {who.lower()} by {labels.ROLLUPS[level].lower()}, {period}",
                f"reach_{group}_{level}_{period}", "reach_table_download", current, source_text)

# --- 2. Heat map -------------------------------------------------------------------------------
st.header("2. Every group at a glance")
groups = list(group_options)
heat_map(current, sustained_min, level, group, tuple(groups), threshold, settings, focus_name, good, outstanding)

# --- 3. Trend ----------------------------------------------------------------------------------
st.header("3. Reach through the year, over the years")
trend(current, group, centre, threshold, settings, focus_name, good, outstanding, source_text)

# --- 4. Missed children ------------------------------------------------------------------------
st.header("4. Children missed")
ui.sentence(reach.missed_sentence(areas, group, threshold, period, view=view))
missed_by_district_chart(current, sustained_min, group, threshold)
missed_rows = reach.missed_areas(areas, group, threshold, settings, view=view)
st.markdown(f"**Areas, most deprived first** (deprivation decile 1 = the most deprived 10% in England), for {who.lower()}:")
area_table, area_mask = reach.display_table(missed_rows, "area", threshold, with_group=False, extra={
    "Centre": "centre", "District": "area_district", "Deprivation decile": "decile"})
st.dataframe(reach.styled(area_table, area_mask), hide_index=True, width="stretch", height=420, key="reach_missed_areas")
ui.suppression_note()
ui.download_csv(reach.download_table(area_table, area_mask), f"Children missed by area, {who.lower()}, {period}",
                f"missed_{group}_{period}", "reach_missed_download", current, source_text)

# --- 5. Map ------------------------------------------------------------------------------------
st.header("5. Where reach is high and low")
area_map(current, sustained_min, group, threshold, settings, who, period, source_text)

# --- 6. How often ------------------------------------------------------------------------------
st.header("6. How often families come, and to what")
how_often(current, sustained_min, group, centre, tuple(groups), threshold, settings, focus_name,
          int(focus_row.sustained) if focus_row is not None else 0, int(focus_row.reached) if focus_row is not None else 0,
          bool(focus_row.sustained_hidden or focus_row.reached_hidden) if focus_row is not None else False)

# --- 7. Identification -------------------------------------------------------------------------
st.header("7. How early families are found, and where they go")
where_found(current, sustained_min, group, centre, tuple(groups), threshold, focus_name)
ui.source(source_text)
