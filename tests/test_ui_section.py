"""ui.section: every section of a page drawn the same way (title, sentence, chart, notes, the table behind
the chart, source, download)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def page_with_sections():
    import pandas as pd
    import plotly.graph_objects as go

    from scrutiny import ui

    table = pd.DataFrame({"Centre": ["Eastfield", "Old Mill"], "Reach %": ["30%", "c"]})
    ui.section("1. A chart", "Eastfield reached 30%.", go.Figure(go.Bar(x=[1], y=[30])), key="chart",
               notes=["1 bar with too few children left out (c).", ""], table=table, source_text="centres table",
               download=ui.Download(table, "Reach by centre, 2023-24", "reach_2023-24", "chart_download"))
    ui.section(None, "The table alone.", table=table, key="alone")
    ui.section("3. Nothing to draw", "", empty_note="No figures for these filters.")


def test_a_section_draws_its_parts_in_order(tiny):
    at = AppTest.from_function(page_with_sections).run()
    assert not at.exception
    assert [h.value for h in at.header] == ["1. A chart", "3. Nothing to draw"]
    assert [m.value for m in at.markdown] == ["Eastfield reached 30%.", "The table alone."]
    assert len(at.get("plotly_chart")) == 1
    captions = [c.value for c in at.caption]
    assert captions[0] == "1 bar with too few children left out (c)."  # empty notes are skipped
    assert captions[1].startswith("Source: centres table. ")
    # The chart's table is folded behind it; a section without a chart shows its table in the open.
    assert [e.label for e in at.expander] == ["The figures behind this chart"]
    assert len(at.expander[0].dataframe) == 1 and len(at.dataframe) == 2
    assert list(at.dataframe[1].value["Reach %"]) == ["30%", "c"]
    assert [b.label for b in at.get("download_button")][0].startswith("Download this table as CSV")
    assert [i.value for i in at.info] == ["No figures for these filters."]
