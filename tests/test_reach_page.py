"""The Reach page on the tiny extract (figures worked out in tests/test_reach.py), driven by URL parameters."""

import json

import pytest

from tests.helpers import errors, open_app, plotly_figures, texts


def figure(at, kind):
    return [f for f in plotly_figures(at) if any(t.get("type") == kind for t in f["data"])]


def test_page_with_url_parameters(tiny):
    at = open_app("pages/reach.py", period="2023-24", target_group="all", rollup="authority", sustained_min="1")
    assert not errors(at)
    assert at.selectbox(key="target_group").value == "all"
    assert at.selectbox(key="rollup").value == "authority"
    assert at.number_input(key="sustained_min").value == 1
    table = at.dataframe[0].value
    # Whole authority, all under-fives: 26, 7 registered, 5 reached; with a minimum of 1 every reached child is sustained.
    row = table.iloc[0]
    assert (row.Population, row.Registered, row.Reached, row.Sustained, row.Missed) == ("26", "7", "5", "5", "21")
    assert row["Reach %"] == "19%"
    assert row.Rating == "below 65%"
    assert "reached 19% of all under-fives (95% CI 9-38%) in 2023-24" in texts(at)


def test_default_view_hides_small_cells(tiny):
    at = open_app("pages/reach.py", period="2023-24")
    assert not errors(at)
    table = at.dataframe[0].value
    # most_deprived_30 by centre: Eastfield 3 of 10, O'Brien 1 of 3, Old Mill 0 of 2: every reach % hidden.
    assert set(table["Reach %"]) == {"c"}
    assert set(table.Rating) == {"too few to show"}
    # The authority's figure is hidden too, and the sentence says so in words rather than "reached c of".
    assert ("How many under-fives in the 30% most deprived areas Testshire County Council reached in 2023-24 is not "
            "shown (c)") in texts(at)
    assert "reached c of" not in texts(at)


def test_heat_map_and_trend_with_thresholds(tiny):
    at = open_app("pages/reach.py", period="2023-24", target_group="all", rollup="district", good="70", outstanding="90")
    assert not errors(at)
    heat = figure(at, "heatmap")
    assert len(heat) == 1
    cells = [c for row in heat[0]["data"][0]["text"] for c in row]
    assert "c" in cells
    # The values are written over the cells in black or white, whichever reads on the band:
    # "c" sits on the light grey of "too few", so it is black.
    written = next(t for t in heat[0]["data"] if t.get("mode") == "text")
    colour_of = dict(zip(written["text"], written["textfont"]["color"]))
    assert colour_of["c"] == "#000000"
    assert set(written["textfont"]["color"]) <= {"#000000", "#FFFFFF"}
    trend = [f for f in plotly_figures(at) if any(t.get("mode") == "lines+markers" for t in f["data"])]
    assert len(trend) == 1
    lines = {s.get("y0") for s in trend[0]["layout"].get("shapes", []) if s.get("y0") == s.get("y1")}
    assert {70, 90} <= lines
    notes = [a["text"] for a in trend[0]["layout"]["annotations"]]
    assert "70% good" in notes and "90% outstanding" in notes
    # Service changes: the 2022 closure of Old Mill falls inside 2022-23 to 2023-24 (the 2021
    # re-commissioning does not). It is at one centre, so it is marked only with that centre in focus.
    assert "(1)" not in notes
    assert "1 change at single centres is marked when that centre is in focus." in texts(at)
    focused = open_app("pages/reach.py", period="2023-24", target_group="all", centre="C3")
    assert not errors(focused)
    # Old Mill's own points are all too small to draw, but the chart and its marks are there.
    trend = [f for f in plotly_figures(focused)
             if "65% good" in [a.get("text") for a in f["layout"].get("annotations", [])]][0]
    assert "(1)" in [a["text"] for a in trend["layout"]["annotations"]]
    assert "(1) Mar 2022: Old Mill Centre closed (Old Mill Centre)." in texts(focused)


@pytest.mark.parametrize("key, value", [
    ("target_group", "'; drop table children; --"),
    ("rollup", "<script>alert(1)</script>"),
    ("sustained_min", "lots"),
    ("centre", "NOPE"),
    ("good", "95"),
])
def test_hostile_url_values_fall_back_with_a_note(tiny, key, value):
    at = open_app("pages/reach.py", period="2023-24", **{key: value})
    assert not errors(at)
    if key in ("target_group", "rollup", "centre"):
        assert "which this extract does not have" in texts(at)
    elif key == "sustained_min":
        assert "a whole number from 1 to 100 is needed" in texts(at)
    else:
        # 95% good is above the 85% outstanding default: both fall back to 65 / 85.
        assert "must be below the outstanding one" in texts(at)


def test_centre_focus_and_map(tiny):
    at = open_app("pages/reach.py", period="2023-24", centre="C2", target_group="all")
    assert not errors(at)
    assert at.selectbox(key="centre").value == "C2"
    # No boundaries in the tiny extract: centres with coordinates (C1, C2) are drawn as points,
    # on plain axes (no geo trace: those fetch a world outline from the internet).
    assert not figure(at, "scattergeo") and not figure(at, "choropleth")
    points = [f for f in plotly_figures(at) if f["data"] and f["data"][0].get("mode") == "markers+text"]
    assert len(points) == 1 and len(points[0]["data"][0]["x"]) == 2
    # C2's registered children, all before 3 months: 3 of 3 is too few to show a share.
    assert "Too few registered children" in texts(at)


def test_filters_reach_the_page(tiny):
    at = open_app("pages/reach.py", period="2023-24", district="Southvale", target_group="all")
    assert not errors(at)
    assert list(at.dataframe[0].value.Centre) == ["O'Brien & Sons Family Hub"]


def test_map_of_areas_when_boundaries_are_given(make_extract):
    import json
    folder = make_extract()
    squares = [{"type": "Feature", "properties": {"area_code": code},
                "geometry": {"type": "Polygon", "coordinates": [[[i, 52], [i + 1, 52], [i + 1, 53], [i, 53], [i, 52]]]}}
               for i, code in enumerate(["A1", "A2", "A3", "A4", "A5"])]
    (folder / "boundaries.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": squares}))
    at = open_app("pages/reach.py", period="2023-24", target_group="all")
    assert not errors(at)
    maps = [f for f in plotly_figures(at) if any(t.get("fill") == "toself" for t in f["data"])]
    assert len(maps) == 1
    # All under-fives by area: A1 3/10 (c), A2 0/5 = 0%, A3 1/6 (c), A4 1/3 (c), A5 0/2 (c). A2 is grey
    # too: C1's 15 under-fives are hidden (Northdale's 17 less them would give Old Mill's 2 away), so
    # A2's 5 would give A1's 10 and then A1's 3 reached away; the disclosure plan hides A2's population,
    # and with it A2's reach %. Every area is grey.
    names = {t.get("name") for t in maps[0]["data"] if t.get("fill") == "toself"}
    assert names == {"too few to show"}
    assert "0 areas are shaded; 5 are grey" in texts(at)


def test_a_rerun_replays_the_drawn_sections_and_a_new_choice_redraws_them(tiny):
    at = open_app("pages/reach.py", period="2023-24", target_group="all", rollup="district")
    first = [json.dumps(f, sort_keys=True) for f in plotly_figures(at)]
    at.run()  # nothing changed: the heat map, trend and map are replayed, identical
    assert [json.dumps(f, sort_keys=True) for f in plotly_figures(at)] == first
    at.selectbox(key="rollup").set_value("centre").run()
    assert not errors(at)
    heat = figure(at, "heatmap")[0]
    # By centre the heat map has a row per centre with a reach area: Eastfield, O'Brien & Sons, Old Mill.
    assert len(heat["data"][0]["y"]) == 3


def test_terms_carry_their_plain_words_where_they_appear(tiny):
    from scrutiny.definitions import meaning

    at = open_app("pages/reach.py", period="2023-24", target_group="all")
    assert not errors(at)
    # The headline figure, the settings and the table's headings explain reach, sustained engagement,
    # the Ofsted thresholds, the interval and the deprivation decile in the glossary's words.
    assert meaning("Reached") in at.metric[0].proto.help
    assert at.number_input(key="sustained_min").proto.help == meaning("Sustained engagement")
    assert at.number_input(key="good").proto.help == meaning("Ofsted thresholds")
    assert meaning("Ofsted thresholds") in next(h for h in at.header if h.value.startswith("1.")).proto.help
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["Reach %"]["help"].startswith(meaning("Reached"))
    assert columns["95% CI"]["help"] == meaning("Interval (95% interval, CI)")
    areas = json.loads(at.dataframe[1].proto.columns)
    assert areas["Deprivation decile"]["help"] == meaning("Decile and quintile") and "IDACI" in areas["Deprivation decile"]["help"]
    overview = open_app("pages/overview.py", period="2023-24")
    assert not errors(overview)
    assert [m.proto.help for m in overview.metric][0].startswith(meaning("Reached"))
