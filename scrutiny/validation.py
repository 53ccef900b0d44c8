"""Checking an extract against the data contract.

Every problem becomes one plain sentence that names the table, the column and
a few example rows, so a council analyst can find and fix it. Errors stop the
pages that use the table; warnings are shown but the figures still stand.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from scrutiny.contract import EARLIEST_DATE, LATEST_DATE, TABLES, Column, Table
from scrutiny.extract import OpenedExtract

ERROR = "error"
WARNING = "warning"
EXAMPLES = 3

# Parquet writers differ (pandas writes BIGINT and TIMESTAMP); these are read the
# same way by every query, so they are accepted as the contract's type.
COMPATIBLE_TYPES = {
    "INTEGER": {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"},
    "DOUBLE": {"DOUBLE", "FLOAT", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"},
    "DATE": {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"},
    "VARCHAR": {"VARCHAR"},
    "VARCHAR[]": {"VARCHAR[]"},
}


@dataclass(frozen=True)
class Problem:
    table: str
    column: str | None
    severity: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _type_ok(expected: str, actual: str) -> bool:
    if actual.startswith("DECIMAL"):
        return expected == "DOUBLE"
    return actual in COMPATIBLE_TYPES[expected]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


class _TableChecker:
    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table, present: dict[str, str]):
        self.con = con
        self.table = table
        self.present = present  # column name -> DuckDB type
        self.problems: list[Problem] = []
        # Columns that name a row for a person reading the message.
        self.label_columns = [c for c in (table.key or table.unique_together) if c in present][:3]

    def add(self, column: str | None, severity: str, message: str) -> None:
        self.problems.append(Problem(self.table.name, column, severity, message))

    def examples(self, condition: str, column: str) -> str:
        shown = list(dict.fromkeys([*self.label_columns, column]))
        select = ", ".join(_quote(c) for c in shown)
        rows = self.con.execute(
            f"select __row, {select} from (select row_number() over () as __row, * from {_quote(self.table.name)}) "
            f"where {condition} order by __row limit {EXAMPLES}"
        ).fetchall()
        described = []
        for row in rows:
            cells = ", ".join(f"{name}={_show(value)}" for name, value in zip(shown, row[1:]))
            described.append(f"row {row[0]} ({cells})")
        return "; ".join(described)

    def _whole_numbers(self, column: str) -> bool:
        """pandas writes a whole-number column with gaps as DOUBLE; that is fine when every value is whole."""
        name = _quote(column)
        return self.con.execute(
            f"select count(*) filter (where {name} <> round({name})) from {_quote(self.table.name)}"
        ).fetchone()[0] == 0

    def check_columns(self) -> list[Column]:
        usable = []
        for column in (*self.table.columns, *self.table.optional_columns):
            actual = self.present.get(column.name)
            if actual is None and column in self.table.optional_columns:
                continue
            if actual is None:
                self.add(column.name, ERROR, f"The {self.table.name} table has no {column.name} column ({column.type} expected).")
            elif actual in ('"NULL"', "NULL") and column.nullable:
                # A column written with no values at all (pandas writes all-None as type NULL) is all nulls.
                usable.append(column)
            elif not _type_ok(column.type, actual) and not (
                column.type == "INTEGER" and actual in ("DOUBLE", "FLOAT") and self._whole_numbers(column.name)
            ):
                self.add(
                    column.name,
                    ERROR,
                    f"In the {self.table.name} table, column {column.name} is {actual} but should be {column.type}.",
                )
            else:
                usable.append(column)
        expected = set(self.table.column_names) | {c.name for c in self.table.optional_columns}
        extra = [name for name in self.present if name not in expected]
        if extra:
            self.add(
                extra[0],
                WARNING,
                f"The {self.table.name} table has columns the contract does not name ({', '.join(extra)}); they are ignored.",
            )
        return usable

    def check_rows(self, usable: list[Column]) -> None:
        """One scan counts every rule; only failing rules fetch example rows."""
        rules: list[tuple[str, str, str, str]] = []  # (column, severity, condition, sentence template)
        for column in usable:
            name = _quote(column.name)
            if not column.nullable:
                rules.append((column.name, ERROR, f"{name} is null", "{n} with no {col}, which is required"))
            if column.allowed:
                allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in column.allowed)
                rules.append(
                    (column.name, ERROR, f"{name} is not null and {name} not in ({allowed})",
                     "{n} with a {col} outside the allowed codes (" + ", ".join(column.allowed) + ")")
                )
            if column.minimum is not None:
                word = "zero or negative" if column.minimum == 1 else "negative" if column.minimum == 0 else f"below {column.minimum:g}"
                rules.append((column.name, ERROR, f"{name} < {column.minimum}", "{n} with a " + word + " {col}"))
            if column.maximum is not None:
                rules.append((column.name, ERROR, f"{name} > {column.maximum}", "{n} with a {col} above " + f"{column.maximum:g}"))
            if column.type == "DATE":
                rules.append(
                    (column.name, WARNING, f"{name} not between DATE '{EARLIEST_DATE}' and DATE '{LATEST_DATE}'",
                     "{n} with a {col} outside 2000-2100 (probably a typing error); those rows fall outside every period")
                )
        if not rules:
            return
        counts = self.con.execute(
            "select " + ", ".join(f"count(*) filter (where {cond})" for _, _, cond, _ in rules)
            + f" from {_quote(self.table.name)}"
        ).fetchone()
        for (column, severity, condition, template), n in zip(rules, counts):
            if n:
                sentence = template.format(n=_plural(n, "row"), col=column)
                self.add(
                    column, severity,
                    f"The {self.table.name} table has {sentence}, for example {self.examples(condition, column)}.",
                )

    def check_unique(self) -> None:
        key = self.table.key or self.table.unique_together
        if not key or any(c not in self.present for c in key):
            return
        cols = ", ".join(_quote(c) for c in key)
        duplicated = self.con.execute(
            f"select {cols}, count(*) as n from {_quote(self.table.name)} group by all having count(*) > 1 "
            f"order by n desc limit {EXAMPLES}"
        ).fetchall()
        if not duplicated:
            return
        total = self.con.execute(
            f"select count(*) from (select {cols} from {_quote(self.table.name)} group by all having count(*) > 1)"
        ).fetchone()[0]
        shown = "; ".join(
            ", ".join(f"{c}={_show(v)}" for c, v in zip(key, row[:-1])) + f" ({row[-1]} times)" for row in duplicated
        )
        what = key[0] if len(key) == 1 else "combination of " + ", ".join(key)
        self.add(
            key[0], ERROR,
            f"The {self.table.name} table repeats the same {what} {_plural(total, 'time')} over, "
            f"which would count them twice, for example {shown}.",
        )

    def check_references(self, available: dict[str, dict[str, str]]) -> None:
        for column in self.table.columns:
            if column.references is None or column.name not in self.present:
                continue
            target_table, target_column = column.references
            if target_column not in available.get(target_table, {}):
                continue
            name = _quote(column.name)
            condition = (
                f"{name} is not null and {name} not in "
                f"(select {_quote(target_column)} from {_quote(target_table)} where {_quote(target_column)} is not null)"
            )
            n = self.con.execute(f"select count(*) from {_quote(self.table.name)} where {condition}").fetchone()[0]
            if n:
                consequence = {
                    ("children", "area_code"): "those children are treated as living outside the authority",
                }.get((self.table.name, column.name), "those rows cannot be matched and are left out")
                self.add(
                    column.name, WARNING,
                    f"The {self.table.name} table has {_plural(n, 'row')} whose {column.name} is not a "
                    f"{target_column} in the {target_table} table ({consequence}), for example "
                    f"{self.examples(condition, column.name)}.",
                )


def _show(value) -> str:
    if value is None:
        return "null"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(extract: OpenedExtract) -> list[Problem]:
    con = extract.connection.cursor()
    problems: list[Problem] = []
    schemas: dict[str, dict[str, str]] = {}
    for name, table in TABLES.items():
        if name in extract.unreadable:
            problems.append(Problem(name, None, ERROR, extract.unreadable[name] + "."))
        elif name in extract.missing:
            if not table.optional:
                problems.append(
                    Problem(name, None, ERROR, f"The {name} table is missing: the extract has no {name}.parquet file or {name}/ folder.")
                )
        else:
            schemas[name] = {
                row[0]: row[1] for row in con.execute(f"describe {_quote(name)}").fetchall()
            }
    checkers = {}
    for name, present in schemas.items():
        checker = _TableChecker(con, TABLES[name], present)
        try:
            usable = checker.check_columns()
            checker.check_rows(usable)
            checker.check_unique()
        except duckdb.Error as error:
            checker.add(None, ERROR, f"The {name} table could not be checked: {str(error).splitlines()[0][:200]}.")
        checkers[name] = checker
    # References are checked only against tables whose own columns are sound.
    sound = {n: s for n, s in schemas.items() if not any(p.is_error for p in checkers[n].problems)}
    if "benchmarks" in sound and "indicators" in sound:
        try:
            _check_benchmark_percentages(checkers["benchmarks"])
        except duckdb.Error as error:
            checkers["benchmarks"].add(None, WARNING, f"The benchmarks table's values could not be checked against the indicators' kinds: {str(error).splitlines()[0][:200]}.")
    if "outcomes" in sound and "indicators" in sound:
        try:
            _check_proportions(checkers["outcomes"])
        except duckdb.Error as error:
            checkers["outcomes"].add(None, WARNING, f"The outcomes table's counts could not be checked against the indicators' kinds: {str(error).splitlines()[0][:200]}.")
    for name, checker in checkers.items():
        try:
            checker.check_references(sound)
        except duckdb.Error as error:
            checker.add(None, WARNING, f"The {name} table's links to other tables could not be checked: {str(error).splitlines()[0][:200]}.")
        problems.extend(checker.problems)
    if "attendances" in schemas and "attendances" in sound:
        if con.execute("select count(*) from attendances").fetchone()[0] == 0:
            problems.append(Problem("attendances", None, WARNING, "The attendances table has no rows, so every reach figure is 0."))
    return problems


def _check_proportions(checker: _TableChecker) -> None:
    """A proportion cannot have more in its numerator than its denominator; a rate can (A&E
    attendances per 1,000 children), and says so with indicators.kind = 'rate'."""
    condition = (
        "numerator > denominator and indicator in "
        "(select indicator from indicators where coalesce(kind, 'proportion') <> 'rate')"
    )
    n = checker.con.execute(f"select count(*) from outcomes where {condition}").fetchone()[0]
    if n:
        checker.add(
            "numerator", ERROR,
            f"The outcomes table has {_plural(n, 'row')} whose numerator is larger than its denominator for an indicator "
            "that is a proportion. If the indicator counts events that can outnumber the children (a rate, such as "
            "A&E attendances), set its kind to 'rate' in the indicators table; otherwise correct the counts. For example "
            f"{checker.examples(condition, 'numerator')}.",
        )


def _check_benchmark_percentages(checker: _TableChecker) -> None:
    """A proportion's published value is a percentage; only a rate's can pass 100."""
    condition = (
        "greatest(value, coalesce(lower_ci, 0), coalesce(upper_ci, 0)) > 100 and indicator in "
        "(select indicator from indicators where coalesce(kind, 'proportion') <> 'rate')"
    )
    n = checker.con.execute(f"select count(*) from benchmarks where {condition}").fetchone()[0]
    if n:
        checker.add(
            "value", ERROR,
            f"The benchmarks table has {_plural(n, 'row')} above 100 for an indicator that is a proportion (values are per "
            f"cent); for example {checker.examples(condition, 'value')}.",
        )


def broken_tables(problems: list[Problem]) -> set[str]:
    return {p.table for p in problems if p.is_error}
