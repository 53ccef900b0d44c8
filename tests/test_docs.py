"""The documentation is generated from the code, so it cannot drift: every table,
column and named query is documented, and every query says what it returns and takes."""

import pytest

from scrutiny import docs
from scrutiny.contract import TABLES
from scrutiny.queries import QUERY_DIR, query_names, query_parameters


@pytest.mark.parametrize("name", list(docs.GENERATED))
def test_generated_docs_are_up_to_date(name):
    committed = (docs.DOCS / name).read_text(encoding="utf-8")
    assert committed == docs.GENERATED[name](), f"docs/{name} is stale: run python -m scrutiny.docs"


def test_every_table_and_column_is_in_the_contract_docs():
    text = (docs.DOCS / "data-contract.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text


@pytest.mark.parametrize("name", query_names())
def test_every_query_is_documented_with_its_parameters(name):
    header = docs.query_header(QUERY_DIR / f"{name}.sql")
    assert header.startswith(f"{name}:"), f"queries/{name}.sql must open with '-- {name}: what it returns'"
    for parameter in query_parameters(name):
        assert f"${parameter}" in header, f"queries/{name}.sql does not document ${parameter}"
    assert f"## `{name}`" in (docs.DOCS / "queries.md").read_text(encoding="utf-8")
