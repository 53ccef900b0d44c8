"""Accessibility of every page registered in dashboard.py, checked by axe-core in Chromium.

axe-core comes from the npm registry (package.json pins it; `npm ci` installs it)
and is injected into each page after Streamlit has finished its run, during the
browser journey in test_browser.py (one visit per page serves both). No serious
or critical violation may remain in what the project controls; violations that
belong to Streamlit's own widgets are listed, with reasons, in axe_allowlist.yaml.
Every chart must also have a plain-English sentence just above it, its text
alternative for anyone who cannot see it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml


pytestmark = pytest.mark.browser

ALLOWLIST_FILE = Path(__file__).with_name("axe_allowlist.yaml")
SERIOUS = {"serious", "critical"}
# Filled by the page checks, read by the stale-entry check that runs after them.
SEEN: set[tuple[str, str]] = set()
CHECKED: set[str] = set()
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


def run_axe(tab, source: str) -> list[dict]:
    tab.add_script_tag(content=source)
    return tab.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


def accessibility_problems(tab, source: str, where: str) -> list[str]:
    """Charts without a sentence above them, and serious or critical axe violations not allow-listed.

    Called by the browser journey (tests/e2e/test_browser.py) on each page it visits,
    so a page is loaded once for both checks.
    """
    charts = tab.evaluate(CHART_TEXT_ALTERNATIVES)
    found = [f"chart {i} has no sentence above it (nearest text: {c.get('text')!r})" for i, c in enumerate(charts) if not c["ok"]]
    entries = allowlist()
    for violation in run_axe(tab, source):
        if violation["impact"] not in SERIOUS:
            continue
        for node in violation["nodes"]:
            SEEN.update((e["rule"], e["target"]) for e in entries if allowed(violation["id"], node, [e]))
        nodes = [n for n in violation["nodes"] if not allowed(violation["id"], n, entries)]
        if nodes:
            shown = "; ".join(describe(n) for n in nodes[:4])
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} elements): {violation['help']} at {shown}")
    CHECKED.add(where)
    return found


def test_allowlist_entries_have_reasons():
    allowlist()


def test_axe_is_injected_and_finds_known_violations(page, axe_source):
    """The checker itself: a page with an image without alt text and faint text fails."""
    page.set_content('<html lang="en"><body><main><h1>Test</h1><img src="x.png">'
                     '<p style="color:#cccccc;background:#ffffff">Faint text</p></main></body></html>')
    found = {v["id"] for v in run_axe(page, axe_source)}
    assert {"image-alt", "color-contrast"} <= found
