"""From a council's own exports (CSV, Excel) to a checked contract extract in parquet.

    python -m scrutiny.build_extract SOURCE_FOLDER OUT_FOLDER [--mapping mapping.yaml] [--salt-file FILE]

The mapping (see scrutiny.mapping) says which file or sheet is which table and how each
contract column is made from the export's columns. Without one, each table is read from a
file named like it (centres.csv, centres.xlsx, or a sheet called centres) with the contract's
own column names.

The importer reads every source, converts each value to the contract's type and stops at any
value it cannot convert, naming the file and row. It then writes the parquet files to a
folder of its own beside OUT_FOLDER, runs the dashboard's own validation on them and, only
when no error is found, puts that folder in OUT_FOLDER's place. On any error nothing is
written and the source files are never changed. Each problem is one sentence: the
dashboard's sentence, plus the source file and row (rows counted as a spreadsheet shows
them: the header is row 1).

CSV is read by DuckDB's own reader (fast, and it finds the delimiter); every column is read
as text and converted by the importer, so that a value that does not convert is reported
rather than silently made empty. Excel workbooks (.xlsx) are read with openpyxl.
"""

from __future__ import annotations

import argparse
import codecs
import glob
import json
import re
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from scrutiny.contract import DEFAULT_SUPPRESSION_THRESHOLD, TABLES
from scrutiny.mapping import BOUNDARIES_FILE, NO, YES, ColumnRule, Mapping, MappingError, TableMapping, load_mapping, parse_mapping

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXAMPLES = 3
# A last row whose first filled cell says "Total" (or "Grand total", "Totals:") is a summary
# row that a spreadsheet added, not a record.
TOTAL_ROW = re.compile(r"^\s*(grand\s+)?(sub-?)?totals?\b", re.IGNORECASE)
# Text starting with one of these is a formula to a spreadsheet. It is kept as plain text in
# the extract; the dashboard neutralises it in every CSV it writes.
FORMULA_START = ("=", "+", "-", "@")
HASH_LENGTH = 20  # hexadecimal characters of SHA-256 kept: 80 bits, no collision in any county
CHUNK = 1 << 24


@dataclass(frozen=True)
class ImportProblem:
    severity: str  # "error" or "warning"
    message: str
    table: str | None = None
    # True for the dashboard's own check of the built extract (scrutiny.validation), False for the importer's.
    from_validation: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class SourceFile:
    """One file (or one Excel sheet) read into DuckDB as text columns, under a view name."""

    label: str          # how a person names it: "Children.csv", "Wealdshire.xlsx, sheet Sites"
    view: str
    columns: list[str]
    first_row: int      # the spreadsheet row number of the first data row
    rows_written: int = 0


@dataclass
class BuildResult:
    problems: list[ImportProblem] = field(default_factory=list)
    written: bool = False
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows written

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.is_error]


class _Stop(Exception):
    """Raised when a table cannot go on; its sentences are already noted."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _show(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


# ---- reading the sources ---------------------------------------------------------------------

def _encoding_of(path: Path, wanted: str) -> tuple[str, str | None]:
    """('utf-8' or 'windows-1252', None), or (_, a sentence saying why the file cannot be read)."""
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(b"PK\x03\x04"):
            return "", f"{name} is an Excel workbook with a CSV name: rename it to .xlsx, or save it from Excel as 'CSV UTF-8'."
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 2 and (head[0] == 0 or head[1] == 0)):
            return "", (
                f"{name} is saved as UTF-16 ('Unicode text'), which the importer does not read: "
                "save it from Excel as 'CSV UTF-8 (comma delimited)' and try again."
            )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                break
            line += chunk.count(b"\n")
        else:
            return "utf-8", None
    if wanted == "utf-8":
        return "", (
            f"{name} is not UTF-8 text, as the mapping says it is: row {line} has a character in another "
            "encoding. Save it from Excel as 'CSV UTF-8', or set encoding: windows-1252 in the mapping."
        )
    return "windows-1252", None


def _transcode(path: Path, work: Path) -> tuple[Path | None, str | None]:
    """A UTF-8 copy of a Windows-1252 file in the work folder (the source is left as it is)."""
    target = work / f"{len(list(work.iterdir()))}-{path.stem}.utf8.csv"
    decoder = codecs.getincrementaldecoder("cp1252")()
    line = 1
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                return None, (
                    f"{path.name} is neither UTF-8 nor Windows-1252 text (row {line} has a byte neither uses): "
                    "save it from Excel as 'CSV UTF-8' and try again."
                )
            line += chunk.count(b"\n")
    return target, None


def _delimiter(con: duckdb.DuckDBPyConnection, path: Path, skip: int) -> str:
    """DuckDB's sniffer's delimiter; where it cannot decide (a ragged row confuses it), the
    commonest candidate in the header line."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for _ in range(skip):
            handle.readline()
        header = handle.readline()
    try:
        found = con.execute("select Delimiter from sniff_csv($path, skip = $skip)", {"path": str(path), "skip": skip}).fetchone()[0]
        if found in (",", ";", "\t", "|") and found in header:
            return found
    except duckdb.Error:
        pass
    return max((",", ";", "\t", "|"), key=header.count)


def _last_line(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65536))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line for line in tail.splitlines() if line.strip().strip(",;\t|\"")]
    return lines[-1] if lines else ""


def _excel_value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


class _Builder:
    def __init__(self, source_dir: Path, mapping: Mapping, salt: str | None, progress: bool):
        self.source_dir = source_dir
        self.mapping = mapping
        self.salt = salt
        self.progress = progress
        self.problems: list[ImportProblem] = []
        self.work = Path(tempfile.mkdtemp(prefix="scrutiny-import-"))
        self.con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1500MB",
                                                      "temp_directory": str(self.work / "spill")})
        self.con.execute("set enable_progress_bar = false")
        self._views = 0
        self._csv_scans: dict[str, SourceFile] = {}

    def _run(self, sql: str, params: dict):
        """sql with the parameters it names bound (DuckDB refuses parameters a statement does not use)."""
        used = set(re.findall(r"\$(\w+)", sql))
        return self.con.execute(sql, {k: v for k, v in params.items() if k in used})

    def error(self, message: str, table: str | None = None) -> None:
        self.problems.append(ImportProblem("error", message, table))

    def warn(self, message: str, table: str | None = None) -> None:
        self.problems.append(ImportProblem("warning", message, table))

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.work, ignore_errors=True)

    # -- files

    def files_of(self, spec: TableMapping) -> list[Path]:
        found: list[Path] = []
        for pattern in spec.sources:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                self.error(f"The mapping's source for {spec.table}, {pattern!r}, must be a file name inside the export folder.", spec.table)
                continue
            matches = sorted(Path(p) for p in glob.glob(glob.escape(str(self.source_dir)) + "/" + pattern))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                self.error(
                    f"The mapping reads the {spec.table} table from {pattern}, but the export folder has no such file "
                    f"(it has: {', '.join(sorted(p.name for p in self.source_dir.iterdir() if p.is_file())[:12]) or 'nothing'}).",
                    spec.table,
                )
            found += [m for m in matches if m not in found]
        return found

    def read(self, path: Path, spec: TableMapping) -> SourceFile | None:
        if path.stat().st_size == 0:
            self.error(f"{path.name} is empty (0 bytes): export the {spec.table} table again.", spec.table)
            return None
        suffix = path.suffix.lower()
        if suffix in EXCEL_SUFFIXES:
            return self.read_excel(path, spec)
        if suffix == ".xls":
            self.error(f"{path.name} is an old-style Excel file (.xls): open it in Excel and save it as .xlsx or as CSV UTF-8.", spec.table)
            return None
        return self.read_csv(path, spec)

    def _new_view(self) -> str:
        self._views += 1
        return f"source_{self._views}"

    def read_csv(self, path: Path, spec: TableMapping) -> SourceFile | None:
        encoding, problem = _encoding_of(path, spec.encoding)
        if problem:
            self.error(problem, spec.table)
            return None
        readable = path
        if encoding == "windows-1252":
            readable, problem = _transcode(path, self.work)
            if problem:
                self.error(problem, spec.table)
                return None
        if not _last_line(readable).strip():
            self.error(f"{path.name} has no rows and no header: export the {spec.table} table again.", spec.table)
            return None
        delimiter = _delimiter(self.con, readable, spec.skip_rows)
        view = self._new_view()
        # Text columns, all of them: the importer converts each value itself, so that one it cannot
        # read is named with its row instead of being made empty. store_rejects notes every
        # ragged row (with its line) instead of failing at the first or padding it with nulls.
        # The file's path, delimiter and the mapping's "missing" values are bound as variables
        # (a view cannot take parameters), never written into the SQL.
        self.con.execute(f"set variable {view}_path = $value", {"value": str(readable)})
        self.con.execute(f"set variable {view}_delimiter = $value", {"value": delimiter})
        self.con.execute(f"set variable {view}_missing = $value", {"value": ["", *spec.missing]})
        scan = (
            f"read_csv(getvariable('{view}_path'), all_varchar = true, header = true, delim = getvariable('{view}_delimiter'), "
            f"quote = '\"', escape = '\"', skip = {int(spec.skip_rows)}, strict_mode = true, null_padding = false, "
            f"nullstr = getvariable('{view}_missing'), store_rejects = true, rejects_scan = '{view}_scans', "
            f"rejects_table = '{view}_errors')"
        )
        try:
            self.con.execute(f"create temp view {view} as select * from {scan}")
            columns = [row[0] for row in self.con.execute(f"describe {view}").fetchall()]
        except duckdb.Error as error:
            self.error(f"{path.name} could not be read as CSV: {str(error).splitlines()[0][:200]}.", spec.table)
            return None
        source = SourceFile(path.name, view, columns, first_row=2 + spec.skip_rows)
        if TOTAL_ROW.match(_last_line(readable).lstrip("\"")):
            self.error(
                f"{path.name} ends with a total row ({_show(_last_line(readable)[:40])}): delete it and export again; "
                "the dashboard works out its own totals.", spec.table,
            )
            return None
        self._csv_scans[view] = source
        return source

    def read_excel(self, path: Path, spec: TableMapping) -> SourceFile | None:
        import openpyxl  # only needed for workbooks
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            book = openpyxl.load_workbook(path, data_only=True)  # values, never formulas
        except Exception as error:  # a damaged or password-protected workbook
            self.error(f"{path.name} could not be opened as an Excel workbook ({type(error).__name__}): save it again from Excel.", spec.table)
            return None
        try:
            names = book.sheetnames
            wanted = spec.sheet or (spec.table if spec.table in names else names[0] if len(names) == 1 else None)
            if wanted is None or wanted not in names:
                self.error(
                    f"{path.name} has no sheet {wanted or spec.table!r} for the {spec.table} table (its sheets: {', '.join(names)}): "
                    f"add  sheet: <name>  under {spec.table} in the mapping.", spec.table,
                )
                return None
            sheet = book[wanted]
            label = f"{path.name}, sheet {wanted}"
            header_row = spec.skip_rows + 1
            merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row <= header_row]
            if merged:
                self.error(
                    f"{label} has merged cells in its header ({', '.join(merged[:3])}): unmerge them so that every "
                    "column has its own heading in one row, and try again.", spec.table,
                )
                return None
            missing = set(spec.missing)
            rows = [[None if value in missing else value for value in (_excel_value(v) for v in row)]
                    for row in sheet.iter_rows(min_row=header_row, values_only=True)]
        finally:
            book.close()
        while rows and not any(v is not None for v in rows[-1]):
            rows.pop()
        if not rows:
            self.error(f"{label} is empty: export the {spec.table} table again.", spec.table)
            return None
        header = rows[0]
        while header and header[-1] is None:
            header.pop()
        if not header or any(h is None for h in header):
            gaps = [openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header) if h is None]
            self.error(f"{label} has a column with no heading in row {header_row} (column {', '.join(gaps) or 'A'}): give every column a heading.", spec.table)
            return None
        header = [h.strip() for h in header]
        body = rows[1:]
        if body:
            first_filled = next((v for v in body[-1] if v is not None), "")
            if TOTAL_ROW.match(str(first_filled)):
                self.error(
                    f"{label} ends with a total row (row {header_row + len(body)}, {_show(first_filled)}): delete it and try again; "
                    "the dashboard works out its own totals.", spec.table,
                )
                return None
        ragged = [header_row + 1 + i for i, row in enumerate(body) if any(v is not None for v in row[len(header):])]
        if ragged:
            self.error(
                f"{label} has values beyond its last headed column in {_plural(len(ragged), 'row')}, for example row "
                f"{ragged[0]}: give the column a heading or delete the stray values.", spec.table,
            )
            return None
        arrays = {name: pa.array([(row[i] if i < len(row) else None) for row in body], pa.string()) for i, name in enumerate(header)}
        target = self.work / f"{self._views + 1}-sheet.parquet"
        pq.write_table(pa.table(arrays) if body else pa.table({h: pa.array([], pa.string()) for h in header}), target)
        view = self._new_view()
        self.con.execute(f"set variable {view}_path = $value", {"value": str(target)})
        self.con.execute(f"create temp view {view} as select * from read_parquet(getvariable('{view}_path'))")
        return SourceFile(label, view, header, first_row=header_row + 1)

    def ragged_rows(self, source: SourceFile, table: str) -> bool:
        """Notes the rows DuckDB's reader set aside (more or fewer values than the header); True if any."""
        if source.view not in self._csv_scans:
            return False
        try:
            rows = self.con.execute(
                f"select line, error_type, error_message from {source.view}_errors order by line"
            ).fetchall()
        except duckdb.Error:
            return False
        if not rows:
            return False
        lines = sorted({r[0] for r in rows})
        first = rows[0]
        what = {
            "TOO MANY COLUMNS": "more values than the header has columns",
            "MISSING COLUMNS": "fewer values than the header has columns",
        }.get(first[1], first[2].splitlines()[0].lower())
        self.error(
            f"{source.label} has {_plural(len(lines), 'row')} that cannot be read, for example row {lines[0]} ({what}; "
            f"rows: {', '.join(map(str, lines[:EXAMPLES]))}): a value probably holds the delimiter or a stray quote. "
            "Correct them and export again.", table,
        )
        return True

    # -- converting

    def expressions(self, spec: TableMapping, source: SourceFile, params: dict) -> tuple[list[str], list[tuple]]:
        """One SQL expression per contract column, and the checks whose failures stop the import:
        (sentence start, condition, source column, what to do)."""
        select: list[str] = []
        checks: list[tuple] = []

        def param(value) -> str:
            key = f"p{len(params)}"
            params[key] = value
            return f"${key}"

        def text(column: str) -> str:
            # An empty or blank cell is no value.
            return f"nullif(trim({_quote(column)}), '')"

        def recoded(expression: str, rule: ColumnRule) -> str:
            if not rule.recode:
                return expression
            return (f"coalesce(map_extract_value(map({param(list(rule.recode))}, {param(list(rule.recode.values()))}), "
                    f"lower({expression})), {expression})")

        def number(column: str, kind: str, rule: ColumnRule) -> str:
            pattern = r"-?[0-9]+(\.0+)?" if kind == "INTEGER" else r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?"
            raw = _quote(column)
            checks.append((
                f"{rule.column}", f"{raw} is not null and trim({raw}) <> '' and not regexp_full_match({raw}, '{pattern}')",
                column, "number",
            ))
            return f"try_cast(try_cast({raw} as double) as {'bigint' if kind == 'INTEGER' else 'double'})"

        for name in TABLES[spec.table].column_names:
            rule = spec.rules[name]
            kind = TABLES[spec.table].column(name).type
            if rule.has_value:
                value = rule.value
                if kind == "VARCHAR[]":
                    value = [str(v) for v in (value if isinstance(value, list) else [value])]
                    select.append(f"cast({param(value)} as varchar[])")
                else:
                    select.append(f"cast({param(None if value is None else str(value))} as {'bigint' if kind == 'INTEGER' else kind})")
                continue
            if rule.flags:
                parts = []
                for column, code in rule.flags.items():
                    answer = f"lower({text(column)})"
                    checks.append((
                        name, f"{answer} is not null and {answer} not in ({', '.join(repr(v) for v in YES + NO)})",
                        column, "flag",
                    ))
                    parts.append(f"case when {answer} in ({', '.join(repr(v) for v in YES)}) then {param(rule.recode.get(code.lower(), code))} end")
                select.append(f"list_filter([{', '.join(parts)}], lambda g: g is not null)")
                continue
            if rule.sum_of:
                select.append(" + ".join(f"coalesce({number(c, kind, rule)}, 0)" for c in rule.sum_of))
                continue
            if rule.source is None:
                select.append(f"cast(null as {kind})")
                continue
            column = rule.source
            if kind == "VARCHAR":
                select.append(recoded(text(column), rule))
            elif kind == "VARCHAR[]":
                # A list written by a database ([a, b]) is split at its commas.
                raw = _quote(column)
                parts = (f"case when trim({raw}) like '[%]' then string_split(trim(trim({raw}), '[]'), ',') "
                         f"else string_split({raw}, {param(rule.split)}) end")
                items = f"list_filter(list_transform({parts}, lambda s: nullif(trim(s, ' ''\"'), '')), lambda s: s is not null)"
                if rule.recode:
                    items = (f"list_transform({items}, lambda s: coalesce(map_extract_value(map({param(list(rule.recode))}, "
                             f"{param(list(rule.recode.values()))}), lower(s)), s))")
                # An empty cell is no list: null where the contract allows it (themes not coded), else empty.
                nullable = TABLES[spec.table].column(name).nullable
                select.append(f"case when {text(column)} is null then {'null' if nullable else '[]'}::varchar[] else {items} end")
            elif kind == "DATE":
                parsed = f"try_strptime({text(column)}, {param(rule.date_formats)})::date"
                checks.append((name, f"{text(column)} is not null and {parsed} is null", column, "date"))
                select.append(parsed)
            elif rule.first_year:
                year = f"try_cast(regexp_extract({text(column)}, '^([0-9]{{4}})([-/ ]*[0-9]{{2}}([0-9]{{2}})?)?$', 1) as integer)"
                checks.append((name, f"{text(column)} is not null and {year} is null", column, "year"))
                select.append(year)
            elif rule.recode:
                recoded_text = recoded(text(column), rule)
                checks.append((name, f"{recoded_text} is not null and try_cast({recoded_text} as {kind}) is null", column, "number"))
                select.append(f"try_cast({recoded_text} as {kind})")
            else:
                select.append(number(column, kind, rule))
        return select, checks

    def where_clause(self, spec: TableMapping, params: dict) -> str:
        parts = []
        for column, values in spec.where.items():
            key = f"p{len(params)}"
            params[key] = [v.strip().lower() for v in values]
            parts.append(f"list_contains(${key}, lower(trim({_quote(column)})))")
        return " and ".join(parts) or "true"

    def describe_failures(self, table: str, source: SourceFile, condition: str, where: str, params: dict,
                          column: str, source_column: str, kind: str, n: int) -> str:
        rows = self._run(
            f"select __row, {_quote(source_column)} from (select row_number() over () + {source.first_row - 1} as __row, * "
            f"from {source.view}) where ({where}) and ({condition}) order by __row limit {EXAMPLES}",
            params,
        ).fetchall()
        examples = "; ".join(f"row {r} ({_show(v)})" for r, v in rows)
        values = [str(v) for _, v in rows]
        rules = self.mapping.tables[table].rules[column]
        if kind == "date":
            style = "day first, as 31/12/2024" if rules.date_formats and rules.date_formats[0] == "%d/%m/%Y" else f"as {rules.date_formats[0]}"
            advice = f"which the importer cannot read as a date (the mapping reads dates {style}). Correct them, or set dates: in the mapping to the export's form"
        elif kind == "year":
            advice = "which is not a year such as 2023 or 2023-24"
        elif kind == "flag":
            advice = f"which is neither yes ({'/'.join(YES)}) nor no ({'/'.join(NO)})"
        elif any("," in v for v in values):
            advice = "which has a thousands separator: export numbers without separators (in Excel, Format Cells, Number, untick 'Use 1000 Separator')"
        elif any(v != v.strip() for v in values):
            advice = "which has a space before or after the number: remove the spaces and export again"
        else:
            advice = "which is not a number: correct it in the source system and export again"
        return (f"{source.label} has {_plural(n, 'row')} whose {source_column} (the {table} table's {column}) "
                f"is not usable, {advice}; for example {examples}.")

    def check_table(self, spec: TableMapping, sources: list[SourceFile]) -> list[tuple[SourceFile, str, dict]]:
        """Every source's SELECT of the contract's columns, or _Stop after noting why not."""
        table = spec.table
        headers = {tuple(s.columns) for s in sources}
        if len(headers) > 1:
            first, other = sources[0], next(s for s in sources if tuple(s.columns) != tuple(sources[0].columns))
            lacking = [c for c in first.columns if c not in other.columns]
            extra = [c for c in other.columns if c not in first.columns]
            detail = "; ".join(filter(None, [
                f"{other.label} lacks {', '.join(lacking)}" if lacking else "",
                f"has {', '.join(extra)}" if extra else "",
            ])) or "their columns are in a different order"
            self.error(
                f"{first.label} and {other.label} are both read into the {table} table but their columns differ ({detail}): "
                "export them with the same columns, or map them to the table separately.", table,
            )
            raise _Stop
        present = sources[0].columns
        label = sources[0].label if len(sources) == 1 else f"{sources[0].label} (and {len(sources) - 1} more)"
        stopped = False
        for column in spec.where:
            if column not in present:
                self.error(f"The mapping keeps {table} rows by their {column!r}, but {label} has no such column (its columns: {', '.join(present)}).", table)
                stopped = True
        for name in TABLES[table].column_names:
            rule = spec.rules[name]
            spec_column = TABLES[table].column(name)
            if rule.has_value:
                continue
            if not rule.source_columns() and not rule.sum_of and not rule.flags:
                if name in present:
                    rule.source = name
                elif not spec_column.nullable:
                    self.error(
                        f"{label} has no column for the {table} table's {name}, which is required: add a line  {name}: <the export's column>  "
                        f"under {table}'s columns in the mapping (the file's columns: {', '.join(present)}).", table,
                    )
                    stopped = True
                continue
            lacking = [c for c in rule.source_columns() if c not in present]
            if lacking:
                self.error(
                    f"The mapping takes the {table} table's {name} from {', '.join(repr(c) for c in lacking)}, but {label} has no column "
                    f"of that name (its columns: {', '.join(present)}): correct the name in the mapping.", table,
                )
                stopped = True
        if stopped:
            raise _Stop
        plans = []
        for source in sources:
            params: dict = {}
            select, checks = self.expressions(spec, source, params)
            where = self.where_clause(spec, params)
            if self.salt is not None:
                for position, name in enumerate(TABLES[table].column_names):
                    if name in self.mapping.pseudonymise and TABLES[table].column(name).type == "VARCHAR":
                        params["salt"] = self.salt
                        expr = select[position]
                        select[position] = f"case when ({expr}) is null then null else left(sha256($salt || ({expr})), {HASH_LENGTH}) end"
            body = ", ".join(f"{expr} as {_quote(name)}" for expr, name in zip(select, TABLES[table].column_names))
            sql = f"select {body} from {source.view} where {where}"
            # One scan counts every check's failures, and text a spreadsheet would run as a formula
            # (and lets the reader note ragged rows). Example rows are fetched only for a failure.
            formulas = self.formula_checks(table)
            counts = self._run(
                "select " + ", ".join(["count(*)", *(f"count(*) filter (where {cond})" for _, cond, _, _ in checks),
                                       *(f"count(*) filter (where {cond})" for _, _, cond in formulas)])
                + f" from {source.view} where {where}", params,
            ).fetchall()[0][1:]
            for (column, condition, source_column, kind), n in zip(checks, counts):
                if n:
                    self.error(self.describe_failures(table, source, condition, where, params, column, source_column, kind, n), table)
                    stopped = True
            for (name, column, condition), n in zip(formulas, counts[len(checks):]):
                if n:
                    self.note_formula(table, source, where, params, name, column, condition)
            if self.ragged_rows(source, table):
                stopped = True
            plans.append((source, sql, params))
        if stopped:
            raise _Stop
        return plans

    def formula_checks(self, table: str) -> list[tuple[str, str, str]]:
        """(contract column, export column, condition) for each text column: a cell a spreadsheet would run."""
        out = []
        for name in TABLES[table].column_names:
            column = self.mapping.tables[table].rules[name].source
            if TABLES[table].column(name).type == "VARCHAR" and column:
                value = _quote(column)
                first = f"left(ltrim({value}), 1)"
                # A leading minus is a formula only before letters, '=' or '(' ("-3 points" stays text).
                out.append((name, column, f"({first} in ('=', '+', '@') or ({first} = '-' and "
                                          f"regexp_matches({value}, '^\\s*-\\s*[=A-Za-z(]')))"))
        return out

    def note_formula(self, table: str, source: SourceFile, where: str, params: dict, name: str, column: str,
                     condition: str) -> None:
        rows = self._run(
            f"select __row, {_quote(column)} from (select row_number() over () + {source.first_row - 1} as __row, * "
            f"from {source.view}) where ({where}) and {condition} order by __row limit 1", params,
        ).fetchall()
        self.warn(
            f"{source.label} has text that a spreadsheet would run as a formula in {column} (the {table} table's {name}), "
            f"for example row {rows[0][0]} ({_show(rows[0][1])}). It is kept as plain text, never run, and the "
            "dashboard's downloads mark it so that a spreadsheet shows it as text.", table,
        )

    def write(self, plans: list[tuple[SourceFile, str, dict]], staging: Path, table: str) -> int:
        if len(plans) == 1:
            targets = [staging / f"{table}.parquet"]
        else:
            (staging / table).mkdir()
            targets = [staging / table / f"part-{i:04d}.parquet" for i in range(len(plans))]
        total = 0
        for (source, sql, params), target in zip(plans, targets):
            written = self._run(
                f"copy ({sql}) to '{str(target).replace(chr(39), chr(39) * 2)}' (format parquet, compression zstd)", params,
            ).fetchone()[0]
            source.rows_written = written
            total += written
            # The reader notes a ragged row only when it reads every column of it, as it does here.
            if self.ragged_rows(source, table):
                raise _Stop
        return total


# ---- the whole build ----------------------------------------------------------------------

def default_mapping(source_dir: Path) -> Mapping:
    """Each table from a file named like it, or a sheet named like it in the folder's one workbook."""
    tables = {}
    files = {p.stem.lower(): p.name for p in source_dir.iterdir() if p.is_file() and p.suffix.lower() in CSV_SUFFIXES + EXCEL_SUFFIXES}
    books = [p for p in source_dir.iterdir() if p.is_file() and p.suffix.lower() in EXCEL_SUFFIXES]
    for name, spec in TABLES.items():
        if name in files:
            tables[name] = {"source": files[name]}
        elif len(books) == 1:
            import openpyxl

            book = openpyxl.load_workbook(books[0], read_only=True)
            try:
                if name in book.sheetnames:
                    tables[name] = {"source": books[0].name, "sheet": name}
            finally:
                book.close()
    if not tables:
        raise MappingError(
            "Without a mapping, the importer looks for files named like the contract's tables (centres.csv, children.xlsx ...), "
            "and this folder has none: give a mapping with --mapping."
        )
    return parse_mapping({"tables": tables})


def _translate_rows(message: str, table: str, sources: list[SourceFile]) -> str:
    """Adds the source file and row to each 'row N (...)' of a validation sentence about a table."""
    def where(match: re.Match) -> str:
        row = int(match.group(1))
        for source in sources:
            if row <= source.rows_written:
                return f"row {row} ({source.label} row {row + source.first_row - 1}; "
            row -= source.rows_written
        return match.group(0)

    if not sources:
        return message
    return re.sub(r"\brow (\d+) \(", where, message)


def build(source_dir: Path, out_dir: Path | None, mapping: Mapping | None = None, salt: str | None = None,
          progress: bool = False, today: date | None = None) -> BuildResult:
    """Reads the exports in source_dir, checks them and, when sound, writes the extract to out_dir.

    out_dir None checks only. Nothing is written when any error is found.
    """
    from scrutiny.extract import open_extract
    from scrutiny.validation import validate

    result = BuildResult()
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        result.problems.append(ImportProblem("error", f"{source_dir.name} is not a folder of exports."))
        return result
    try:
        mapping = mapping or default_mapping(source_dir)
    except MappingError as error:
        result.problems.append(ImportProblem("error", str(error)))
        return result
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / "extract.json").is_file())):
            result.problems.append(ImportProblem(
                "error", f"{out_dir.name} already holds files that are not an extract: choose an empty folder for the extract."))
            return result
        if source_dir.resolve() == out_dir or out_dir in source_dir.resolve().parents:
            result.problems.append(ImportProblem("error", "The extract must go to a folder outside the export folder."))
            return result
    pseudonymising = bool(mapping.pseudonymise)
    if pseudonymising and salt is None:
        salt = secrets.token_hex(16)
    builder = _Builder(source_dir, mapping, salt if pseudonymising else None, progress)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=out_dir.parent if out_dir else None))
    try:
        order = [t for t in TABLES if t in mapping.tables]
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(order) * 2, unit="step", desc="Reading the exports", file=sys.stderr)
        plans: dict[str, list] = {}
        sources_of: dict[str, list[SourceFile]] = {}
        for table in order:
            spec = mapping.tables[table]
            sources = [s for s in (builder.read(path, spec) for path in builder.files_of(spec)) if s is not None]
            if bar:
                bar.set_description(f"Checking {table}")
                bar.update(1)
            if not sources or any(p.table == table and p.is_error for p in builder.problems):
                continue  # a file could not be read: its sentence is noted
            sources_of[table] = sources
            try:
                plans[table] = builder.check_table(spec, sources)
            except _Stop:
                continue
        for table, spec in TABLES.items():
            if table not in mapping.tables and not spec.optional:
                builder.error(
                    f"The mapping says nothing about the {table} table, which every extract needs: add it under tables: "
                    f"with the file that holds it.", table,
                )
        if not any(p.is_error for p in builder.problems):
            for table in order:
                if bar:
                    bar.set_description(f"Writing {table}")
                try:
                    result.tables[table] = builder.write(plans[table], staging, table)
                except _Stop:
                    pass
                if bar:
                    bar.update(1)
        if bar:
            bar.close()
        builder.con.close()  # before the check below opens its own connection, so their memory does not add up
        result.problems.extend(builder.problems)
        if result.errors:
            return result
        info = {
            "authority": mapping.authority or "the authority",
            "extracted_on": mapping.extracted_on or (today or date.today()).isoformat(),
            "suppression_threshold": mapping.suppression_threshold or DEFAULT_SUPPRESSION_THRESHOLD,
            "notes": mapping.notes or f"Built from the exports in {source_dir.name} with mapping {mapping.name}.",
            "built_from": {t: [s.label for s in sources_of[t]] for t in order},
        }
        if pseudonymising:
            info["pseudonymised"] = {
                "columns": [f"{t}.{c}" for t in order for c in TABLES[t].column_names if c in mapping.pseudonymise],
                "method": f"the first {HASH_LENGTH} hexadecimal characters of SHA-256 of a secret salt followed by the identifier",
                "note": "The extract holds no real identifier for these columns. The same salt gives the same pseudonym, "
                        "so keep the salt file secret and use it for every extract you want to compare.",
            }
        boundaries = source_dir / mapping.boundaries
        if boundaries.is_file() and ".." not in Path(mapping.boundaries).parts:
            problem = _check_boundaries(boundaries)
            if problem:
                result.problems.append(ImportProblem("error", problem))
                return result
            shutil.copyfile(boundaries, staging / BOUNDARIES_FILE)
            info["built_from"]["boundaries"] = [boundaries.name]
        (staging / "extract.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        opened = open_extract(staging, summaries_on_disk=False)  # leaves nothing in the cache folder
        try:
            checked = validate(opened)
        finally:
            opened.connection.close()
        for problem in checked:
            message = _translate_rows(problem.message, problem.table, sources_of.get(problem.table, []))
            result.problems.append(ImportProblem(problem.severity, message, problem.table, from_validation=True))
        if result.errors or out_dir is None:
            return result
        _replace(out_dir, staging)
        result.written = True
        return result
    finally:
        builder.close()
        shutil.rmtree(staging, ignore_errors=True)


def _check_boundaries(path: Path) -> str | None:
    try:
        shape = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        return f"{path.name} is not readable GeoJSON ({str(error).splitlines()[0][:120]}): export the boundaries again."
    if not isinstance(shape, dict) or not isinstance(shape.get("features"), list):
        return f"{path.name} is not a GeoJSON feature collection (it has no list of features): export the boundaries again."
    return None


def _replace(out_dir: Path, staging: Path) -> None:
    """Puts the new extract in out_dir's place; an earlier extract there is removed only after."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{secrets.token_hex(4)}")
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_salt(path: Path) -> str:
    """The salt kept in a file; a new random one is written there when the file does not exist."""
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def report(result: BuildResult, out=None) -> None:
    out = out or sys.stdout
    errors, warnings = result.errors, [p for p in result.problems if not p.is_error]
    for problem in errors:
        print(f"ERROR: {problem.message}", file=out)
    for problem in warnings:
        print(f"warning: {problem.message}", file=out)
    if result.written:
        rows = ", ".join(f"{t} {n:,}" for t, n in result.tables.items())
        print(f"Extract written ({rows} rows).", file=out)
    elif errors:
        print(f"{_plural(len(errors), 'problem')} to fix; nothing was written.", file=out)
    else:
        print("Checked: no problem stops this extract (nothing written: no output folder given).", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scrutiny.build_extract",
        description="Build a contract extract (parquet) from a folder of CSV and Excel exports.",
    )
    parser.add_argument("source", type=Path, help="the folder of exports (CSV, .xlsx)")
    parser.add_argument("out", type=Path, nargs="?", help="the extract folder to write (left out: only check)")
    parser.add_argument("--mapping", type=Path, help="the mapping file (YAML); default: files named like the tables")
    parser.add_argument("--salt-file", type=Path,
                        help="file holding the secret salt for pseudonymised identifiers (made when absent)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
    except (MappingError, OSError) as error:
        print(f"ERROR: {error}", file=sys.stdout)
        return 2
    salt = read_salt(args.salt_file) if args.salt_file else None
    if mapping and mapping.pseudonymise and salt is None:
        print("note: no --salt-file given, so a new random salt is used and the pseudonyms will differ from any "
              "earlier extract's.", file=sys.stdout)
    result = build(args.source, args.out, mapping, salt=salt, progress=not args.quiet and sys.stderr.isatty())
    report(result)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
