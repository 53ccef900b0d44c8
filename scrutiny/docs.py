"""Writes docs/data-contract.md and docs/queries.md from the contract and the query headers.

Run `python -m scrutiny.docs` after changing contract.py, adding a query or changing which
code runs one: it first brings the "Used on" lines that end each query's header up to date
(scrutiny/query_use.py). Tests check that the committed files match, so the documentation
cannot drift.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scrutiny import query_use
from scrutiny.contract import MOST_DEPRIVED_GROUP, STANDARD_TARGET_GROUPS, TABLES
from scrutiny.definitions import DEFINITIONS
from scrutiny.extract import REPO_ROOT

DOCS = REPO_ROOT / "docs"

CONTRACT_INTRO = """# The data contract

This is the reference a council analyst follows to produce an extract for the
dashboard. It is generated from `scrutiny/contract.py` by `python -m scrutiny.docs`;
the dashboard checks every extract against exactly these rules.

## An extract is a folder

- By default the dashboard reads `sample_data/` (a fictional county). Set the
  environment variable `DASHBOARD_DATA_DIR` to a folder of your own to use your data:
  the app, the tests' fixtures and every command follow it.
- Each table is one `<name>.parquet` file, or a folder `<name>/` of parquet files
  (hive partitioning such as `attendances/year=2023/part-0.parquet` is allowed).
- Column types are DuckDB types. Writers differ, so these are also accepted:
  any integer type for INTEGER, any number for DOUBLE, TIMESTAMP for DATE, and a
  DOUBLE column for INTEGER when every value in it is a whole number (pandas
  writes a whole-number column with gaps that way).
- Optional extras in the folder: `boundaries.geojson` (one feature per area,
  `properties.area_code` matching `areas`), `extract.json` (below) and
  `codebook.yaml` (a theme codebook that replaces the dashboard's own).
- The dashboard only reads the folder. It never writes to it.

### extract.json (optional)

```json
{
  "authority": "Wealdshire County Council",
  "extracted_on": "2025-06-30",
  "suppression_threshold": 5,
  "notes": "Free text shown on the About the data page."
}
```

`suppression_threshold` may be raised (stricter) but not set below 1. A value that is not a whole number is replaced by 5, with a sentence on About the data; a value below 3 is honoured, with a warning on every page and in every download that the figures are not safe to publish. Cells shown as `c` are either a small count or a cell hidden so that a small count cannot be worked out from the others (see Small numbers below).

## What is checked

On load every table is checked: a missing file, a missing or extra column, a
wrong type, a null in a required column, repeated keys, codes outside the lists,
references to unknown centres or areas, negative counts, denominators of 0,
dates outside 2000-2100, and an unreadable or truncated parquet file. Each
problem is reported as a sentence naming the table, the column and example rows,
on the About the data page. Errors stop only the pages that use that table;
warnings (extra columns, unknown references, odd dates) leave the figures
standing and say what was left out.
"""


def _rule(column) -> str:
    parts = []
    parts.append("may be null" if column.nullable else "required")
    if column.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in column.allowed))
    if column.minimum is not None and column.maximum is not None:
        parts.append(f"{column.minimum:g} to {column.maximum:g}")
    elif column.minimum is not None:
        parts.append(f"at least {column.minimum:g}")
    if column.references:
        parts.append(f"refers to `{column.references[0]}.{column.references[1]}`")
    return "; ".join(parts)


def contract_markdown() -> str:
    lines = [CONTRACT_INTRO, "## Tables", ""]
    for table in TABLES.values():
        title = f"### `{table.name}`" + (" (optional)" if table.optional else "")
        lines += [title, "", table.description, ""]
        key = table.key or table.unique_together
        if key:
            lines += [f"One row per {', '.join(f'`{k}`' for k in key)}.", ""]
        lines += ["| column | type | rule | meaning |", "| --- | --- | --- | --- |"]
        for column in table.columns:
            lines.append(f"| `{column.name}` | {column.type} | {_rule(column)} | {column.description} |")
        for column in table.optional_columns:
            lines.append(f"| `{column.name}` | {column.type} | may be left out of the file; {_rule(column)} | {column.description} |")
        lines.append("")
    lines += [
        "## Target groups",
        "",
        "Standard codes: " + ", ".join(f"`{g}`" for g in STANDARD_TARGET_GROUPS) + ". "
        "An extract may add codes of its own; the dashboard lists whatever it finds. "
        f"The dashboard derives `{MOST_DEPRIVED_GROUP}` itself (see the definitions); do not supply it.",
        "",
        "## Definitions",
        "",
    ]
    lines += [f"- **{term}.** {meaning}" for term, meaning in DEFINITIONS]
    return "\n".join(lines) + "\n"


_HEADER = re.compile(r"^((?:--[^\n]*\n)+)")


def query_header(path: Path) -> str:
    match = _HEADER.match(path.read_text(encoding="utf-8"))
    if not match:
        return ""
    return "\n".join(line[2:].strip() if line.startswith("--") else line for line in match.group(1).splitlines()).strip()


def queries_markdown() -> str:
    lines = [
        "# Named queries",
        "",
        "Every figure comes from one of these SQL files in `queries/`, run by DuckDB over the",
        "extract's tables with every value bound as a parameter. Pages refer to them by name.",
        "Generated from the files' header comments by `python -m scrutiny.docs`.",
        "",
        "Each header ends with the pages that use the query and the code that runs it, worked out",
        "from the code (`scrutiny/query_use.py`); the same, page by page:",
        "",
        "| page | named queries |",
        "| --- | --- |",
    ]
    use = query_use.query_use()
    for page, names in use.pages.items():
        label = "every page (the sidebar, `dashboard.py`)" if page == query_use.ENTRY else (
            f"{query_use.page_titles().get(page, page)} (`{page}`)")
        lines.append(f"| {label} | "
                     + (", ".join(f"[`{name}`](#{name})" for name in names) or "none") + " |")
    lines.append("")
    for path in sorted((REPO_ROOT / "queries").glob("*.sql")):
        lines += [f"## `{path.stem}`", "", "```text", query_header(path), "```", ""]
    lines += [
        "# Summaries made when the extract opens",
        "",
        "These SQL files in `queries/derived/` are run once per extract, into tables held in",
        "memory, and the named queries above read them like any other table.",
        "",
    ]
    for path in sorted((REPO_ROOT / "queries" / "derived").glob("*.sql")):
        lines += [f"## `{path.stem}`", "", "```text", query_header(path), "```", ""]
    return "\n".join(lines)


GENERATED = {"data-contract.md": contract_markdown, "queries.md": queries_markdown}


def main(argv: list[str]) -> int:
    for path in query_use.rewrite_headers():
        print(f"wrote the used-by lines of {path.relative_to(REPO_ROOT).as_posix()}")
    DOCS.mkdir(exist_ok=True)
    for name, build in GENERATED.items():
        (DOCS / name).write_text(build(), encoding="utf-8")
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
