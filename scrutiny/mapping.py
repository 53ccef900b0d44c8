"""The mapping file: which export is which contract table, and which of its columns is which.

A council's systems name things their own way ("Child Ref", "Session Date", "Y"/"N" flags,
"Children's Centre"). A mapping (YAML) says, per contract table, where its rows come from
and how each contract column is made from the export's columns:

    authority: Wealdshire County Council
    dates: day_first                  # 31/12/2024 (the default); or iso, or a strptime format
    pseudonymise: [child_id]          # replaced by a salted hash wherever the column occurs
    tables:
      children:
        source: Children*.csv         # a file name or pattern in the export folder; a list for several
        columns:
          child_id: Child Ref                          # plain: the export's column name
          registered_on: {from: Registration Date}     # the same, with options below
          target_groups:
            flags: {Lone Parent: lone_parent}          # Y/N columns -> a list of group codes
      centres:
        source: Wealdshire.xlsx
        sheet: Sites                                   # an Excel sheet; default: the table's name or the only sheet
        columns:
          site_type: {from: Site Type, recode: {Children's Centre: children_centre}}

Column options: ``from`` (the export's column), ``recode`` (export value -> contract code,
matched ignoring case and surrounding spaces), ``dates`` (day_first, iso or a format such as
"%d.%m.%Y"), ``split`` (a separator, for a list column), ``first_year`` (2023-24 -> 2023),
``sum`` (several numeric columns added up, as ONS's single years of age), ``value`` (the same
value on every row), ``flags`` (yes/no columns -> a list of codes). Table options: ``source``,
``sheet``, ``skip_rows`` (lines above the header), ``encoding`` (auto, utf-8 or windows-1252)
``where`` (keep rows whose column holds one of the given values) and ``missing`` (cell values
that mean no value, such as the DfE's c, x and z). At the top, ``boundaries``
names the export folder's GeoJSON of area boundaries (default boundaries.geojson, when present),
copied into the extract for the reach map.

A contract column the mapping does not name is taken from the export's column of the same
name; an optional (nullable) column the export lacks is left empty.

Nothing here reads an export: this module only checks the mapping itself, and every problem
is a sentence saying where in the mapping it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scrutiny.contract import TABLES

DATE_STYLES = {
    # Excel's CSV and most case-management exports in the UK write dates day first; ISO dates
    # (what the importer itself writes for Excel date cells) are unambiguous and always accepted.
    "day_first": ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d %b %Y", "%d %B %Y"],
    "iso": [],
}
ALWAYS_ACCEPTED_DATES = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
ENCODINGS = ("auto", "utf-8", "windows-1252")
YES = ("y", "yes", "true", "t", "1")
NO = ("n", "no", "false", "f", "0")
COLUMN_OPTIONS = {"from", "recode", "dates", "split", "first_year", "sum", "value", "flags"}
TABLE_OPTIONS = {"source", "sheet", "skip_rows", "encoding", "where", "missing", "columns"}
TOP_OPTIONS = {"authority", "extracted_on", "suppression_threshold", "notes", "dates", "encoding", "pseudonymise",
               "boundaries", "tables"}
BOUNDARIES_FILE = "boundaries.geojson"


class MappingError(ValueError):
    """The mapping cannot be used; the message is a sentence for the person who wrote it."""


@dataclass
class ColumnRule:
    column: str                       # the contract column
    source: str | None = None         # the export's column
    recode: dict[str, str] = field(default_factory=dict)  # lower-cased export value -> code
    date_formats: list[str] | None = None
    split: str | None = None
    first_year: bool = False
    sum_of: list[str] = field(default_factory=list)
    value: object = None
    has_value: bool = False
    flags: dict[str, str] = field(default_factory=dict)  # export column -> code

    def source_columns(self) -> list[str]:
        return [self.source] if self.source else [*self.sum_of, *self.flags]


@dataclass
class TableMapping:
    table: str
    sources: list[str]
    sheet: str | None = None
    skip_rows: int = 0
    encoding: str = "auto"
    where: dict[str, list[str]] = field(default_factory=dict)
    # Cell values that mean "no value" (the DfE's c, x and z for suppressed or not applicable).
    missing: list[str] = field(default_factory=list)
    rules: dict[str, ColumnRule] = field(default_factory=dict)


@dataclass
class Mapping:
    tables: dict[str, TableMapping]
    authority: str | None = None
    extracted_on: str | None = None
    suppression_threshold: int | None = None
    notes: str = ""
    pseudonymise: list[str] = field(default_factory=list)
    # The export folder's area boundaries (GeoJSON), copied into the extract as boundaries.geojson.
    boundaries: str = BOUNDARIES_FILE
    name: str = "the mapping"


def _texts(value, where: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
        raise MappingError(f"In {where}, expected a name or a list of names, found {value!r}.")
    return [str(v) for v in values]


def _date_formats(style, where: str) -> list[str]:
    if style in DATE_STYLES:
        return DATE_STYLES[style] + ALWAYS_ACCEPTED_DATES
    if isinstance(style, str) and "%" in style:
        return [style] + ALWAYS_ACCEPTED_DATES
    raise MappingError(
        f"In {where}, dates: {style!r} is not understood: write day_first (31/12/2024), iso (2024-12-31) "
        "or a format such as \"%d.%m.%Y\"."
    )


def _recode(raw, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise MappingError(f"In {where}, recode must pair each export value with a code, as  Y: true.")
    # YAML reads unquoted Y, N, yes and no as booleans: they are turned back into the words.
    out = {}
    for key, value in raw.items():
        text = ("yes" if key else "no") if isinstance(key, bool) else str(key)
        out[text.strip().lower()] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def _column_rule(table: str, column: str, raw, default_dates: list[str]) -> ColumnRule:
    where = f"tables: {table}: columns: {column}"
    spec = TABLES[table].column(column)
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        rule = ColumnRule(column, source=str(raw))
    elif isinstance(raw, dict):
        unknown = set(raw) - COLUMN_OPTIONS
        if unknown:
            raise MappingError(
                f"In {where}, {', '.join(sorted(map(str, unknown)))} is not an option; the options are "
                f"{', '.join(sorted(COLUMN_OPTIONS))}."
            )
        ways = [k for k in ("from", "sum", "value", "flags") if k in raw]
        if len(ways) != 1:
            raise MappingError(f"In {where}, give exactly one of from, sum, value or flags (found {', '.join(ways) or 'none'}).")
        rule = ColumnRule(column)
        if "from" in raw:
            rule.source = _texts(raw["from"], where)[0]
        if "sum" in raw:
            rule.sum_of = _texts(raw["sum"], where)
        if "value" in raw:
            rule.value, rule.has_value = raw["value"], True
        if "flags" in raw:
            if not isinstance(raw["flags"], dict) or not raw["flags"]:
                raise MappingError(f"In {where}, flags must pair each yes/no column with the code it stands for.")
            if spec.type != "VARCHAR[]":
                raise MappingError(f"In {where}, flags make a list, but {table}.{column} is {spec.type}.")
            rule.flags = {str(k): str(v) for k, v in raw["flags"].items()}
        if "recode" in raw:
            rule.recode = _recode(raw["recode"], where)
        if "dates" in raw:
            rule.date_formats = _date_formats(raw["dates"], where)
        if "split" in raw:
            rule.split = str(raw["split"])
        rule.first_year = bool(raw.get("first_year", False))
    else:
        raise MappingError(f"In {where}, expected the export's column name or a set of options, found {raw!r}.")
    if spec.type == "DATE" and rule.date_formats is None:
        rule.date_formats = default_dates
    if rule.sum_of and spec.type not in ("INTEGER", "DOUBLE"):
        raise MappingError(f"In {where}, sum adds numbers up, but {table}.{column} is {spec.type}.")
    if spec.type == "VARCHAR[]" and not (rule.split or rule.flags or rule.has_value):
        rule.split = ";"
    return rule


def load_mapping(path: Path) -> Mapping:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MappingError(f"The mapping {Path(path).name} is not readable YAML ({first}).") from error
    mapping = parse_mapping(raw)
    mapping.name = Path(path).name
    return mapping


def parse_mapping(raw) -> Mapping:
    if not isinstance(raw, dict) or not isinstance(raw.get("tables"), dict) or not raw["tables"]:
        raise MappingError("The mapping has no tables: it needs a 'tables:' section naming at least one contract table.")
    unknown = set(raw) - TOP_OPTIONS
    if unknown:
        raise MappingError(
            f"The mapping has {', '.join(sorted(map(str, unknown)))} at the top, which is not an option; "
            f"the options are {', '.join(sorted(TOP_OPTIONS))}."
        )
    default_dates = _date_formats(raw.get("dates", "day_first"), "the mapping's dates")
    default_encoding = str(raw.get("encoding", "auto")).lower()
    tables: dict[str, TableMapping] = {}
    for table, spec in raw["tables"].items():
        if table not in TABLES:
            raise MappingError(
                f"The mapping names a table {table!r}, which is not in the data contract "
                f"(its tables: {', '.join(TABLES)})."
            )
        if not isinstance(spec, dict) or "source" not in spec:
            raise MappingError(f"In tables: {table}, say which file holds it, as  source: {table}.csv")
        unknown = set(spec) - TABLE_OPTIONS
        if unknown:
            raise MappingError(
                f"In tables: {table}, {', '.join(sorted(map(str, unknown)))} is not an option; "
                f"the options are {', '.join(sorted(TABLE_OPTIONS))}."
            )
        encoding = str(spec.get("encoding", default_encoding)).lower()
        if encoding not in ENCODINGS:
            raise MappingError(f"In tables: {table}, encoding {encoding!r} is not one of {', '.join(ENCODINGS)}.")
        skip = spec.get("skip_rows", 0)
        if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise MappingError(f"In tables: {table}, skip_rows must be a whole number of 0 or more.")
        where = spec.get("where") or {}
        if not isinstance(where, dict):
            raise MappingError(f"In tables: {table}, where must pair a column with the value(s) to keep.")
        columns = spec.get("columns") or {}
        if not isinstance(columns, dict):
            raise MappingError(f"In tables: {table}, columns must pair each contract column with the export's column.")
        contract_columns = TABLES[table].column_names
        rules = {}
        for column, rule in columns.items():
            if column not in contract_columns:
                raise MappingError(
                    f"In tables: {table}: columns, {column!r} is not a column of the {table} table "
                    f"(its columns: {', '.join(contract_columns)})."
                )
            rules[column] = _column_rule(table, column, rule, default_dates)
        for column in contract_columns:
            if column not in rules:
                rules[column] = _column_rule(table, column, column, default_dates)
                rules[column].source = None  # filled in from a same-named column, if the export has one
        tables[table] = TableMapping(
            table=table,
            sources=_texts(spec["source"], f"tables: {table}: source"),
            sheet=None if spec.get("sheet") is None else str(spec["sheet"]),
            skip_rows=skip,
            encoding=encoding,
            where={str(k): [("yes" if v else "no") if isinstance(v, bool) else str(v) for v in (vs if isinstance(vs, list) else [vs])]
                   for k, vs in where.items()},
            missing=[str(v) for v in _texts(spec["missing"], f"tables: {table}: missing")] if spec.get("missing") else [],
            rules=rules,
        )
    threshold = raw.get("suppression_threshold")
    if threshold is not None and (not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1):
        raise MappingError("suppression_threshold must be a whole number of 1 or more.")
    pseudonymise = raw.get("pseudonymise") or []
    pseudonymise = _texts(pseudonymise, "pseudonymise") if pseudonymise else []
    for column in pseudonymise:
        if not any(column in t.column_names for t in TABLES.values()):
            raise MappingError(f"pseudonymise names {column!r}, which is no column of the data contract.")
    return Mapping(
        tables=tables,
        authority=None if raw.get("authority") is None else str(raw["authority"]),
        extracted_on=None if raw.get("extracted_on") is None else str(raw["extracted_on"]),
        suppression_threshold=threshold,
        notes=str(raw.get("notes") or ""),
        pseudonymise=pseudonymise,
        boundaries=str(raw.get("boundaries") or BOUNDARIES_FILE),
    )
