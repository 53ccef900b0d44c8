"""Accessibility of every page registered in dashboard.py, checked by axe-core in Chromium.

axe-core comes from the npm registry (package.json pins it; `npm ci` installs it)
and is injected into each page after Streamlit has finished its run. No serious
or critical violation may remain in what the project controls; violations that
belong to Streamlit's own widgets are listed, with reasons, in axe_allowlist.yaml.
Every chart must also have a plain-English sentence just above it, its text
alternative for anyone who cannot see it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import AXE_SCRIPT, PAGES, open_page

pytestmark = pytest.mark.browser

ALLOWLIST_FILE = Path(__file__).with_name("axe_allowlist.yaml")
SERIOUS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def allowlist() -> list[dict]:
    entries = yaml.safe_load(ALLOWLIST_FILE.read_text(encoding="utf-8")) or []
    for entry in entries:
        assert {"rule", "target", "reason"} <= set(entry), f"allow-list entry needs rule, target and reason: {entry}"
        assert len(str(entry["reason"]).strip()) > 20, f"give a real reason for allowing {entry['rule']}"
    return entries


def allowed(rule: str, node: dict, entries: list[dict]) -> bool:
    selector = json.dumps(node.get("target", []))
    return any(e["rule"] == rule and e["target"] in selector for e in entries)


def describe(node: dict) -> str:
    """The element's HTML and, for contrast, the colours axe measured."""
    text = node.get("html", "")[:160]
    for check in node.get("any", []):
        data = check.get("data") or {}
        if isinstance(data, dict) and "contrastRatio" in data:
            text += f" [{data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}:1, needs {data.get('expectedContrastRatio')}]"
    return text


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        message = "axe-core is not installed: run `npm ci` at the project root (the Makefile's test target does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def run_axe(tab, source: str) -> list[dict]:
    tab.add_script_tag(content=source)
    return tab.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_no_serious_accessibility_violations(page, server, page_def, axe_source):
    open_page(page, server, page_def)
    entries = allowlist()
    found = []
    for violation in run_axe(page, axe_source):
        if violation["impact"] not in SERIOUS:
            continue
        nodes = [n for n in violation["nodes"] if not allowed(violation["id"], n, entries)]
        if nodes:
            where = "; ".join(describe(n) for n in nodes[:4])
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} elements): {violation['help']} at {where}")
    assert not found, f"{page_def.url_path}:\n" + "\n".join(found)


def test_allowlist_entries_are_still_needed(page, server, axe_source):
    """An allow-list entry that no page triggers any more is stale and should go."""
    entries = allowlist()
    if not entries:
        return
    seen = set()
    for page_def in PAGES:
        open_page(page, server, page_def)
        for violation in run_axe(page, axe_source):
            for node in violation["nodes"]:
                for e in entries:
                    if allowed(violation["id"], node, [e]):
                        seen.add((e["rule"], e["target"]))
    stale = [e for e in entries if (e["rule"], e["target"]) not in seen]
    assert not stale, f"allow-list entries no page needs any more: {stale}"


# For each chart, the nearest earlier element in the same block must be text (the
# sentence written with ui.sentence), or the chart must carry an aria-label.
CHART_TEXT_ALTERNATIVES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
  const own = chart.closest('[data-testid="stElementContainer"]') || chart;
  if (chart.getAttribute('aria-label')) return {ok: true};
  let previous = own.previousElementSibling;
  while (previous && !previous.innerText.trim()) previous = previous.previousElementSibling;
  const text = previous ? previous.innerText.trim() : '';
  const isText = !!previous && !!previous.querySelector('[data-testid="stMarkdown"], [data-testid="stCaptionContainer"], [data-testid="stHeading"], [data-testid="stAlert"]');
  return {ok: isText && text.length >= 20, text: text.slice(0, 120)};
})"""


@pytest.mark.parametrize("page_def", PAGES, ids=str)
def test_every_chart_has_a_sentence_above_it(page, server, page_def):
    open_page(page, server, page_def)
    charts = page.evaluate(CHART_TEXT_ALTERNATIVES)
    missing = [i for i, c in enumerate(charts) if not c["ok"]]
    assert not missing, f"{page_def.url_path}: charts {missing} have no sentence above them: {charts}"
