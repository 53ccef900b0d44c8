"""Finding an extract on disk and opening it in DuckDB.

An extract is a folder (``DASHBOARD_DATA_DIR``, default ``sample_data/``) with
one ``<table>.parquet`` file or ``<table>/`` folder of parquet files per table.
Nothing here ever writes to the extract.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from scrutiny import summaries as summary_cache
from scrutiny.contract import DEFAULT_SUPPRESSION_THRESHOLD, TABLES
from scrutiny.summaries import Summaries

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "sample_data"
DATA_DIR_VARIABLE = "DASHBOARD_DATA_DIR"

# Sized for a 2-core council laptop or small server; DuckDB spills nothing to
# disk because external access is switched off once the views exist.
THREADS = int(os.environ.get("DASHBOARD_THREADS", "2"))
MEMORY_LIMIT = os.environ.get("DASHBOARD_MEMORY_LIMIT", "2GB")


# A page calls many queries in one run, and each asks for the extract's folder and version:
# both are worked out at most once per two seconds, so a changed extract is seen that soon.
_VERSION_SECONDS = 2.0
_recent: dict[tuple[str, object], tuple[float, object]] = {}


def _for_two_seconds(what: str, key, work):
    """work(), or its answer for the same key from less than _VERSION_SECONDS ago."""
    now = time.monotonic()
    seen = _recent.get((what, key))
    if seen and now - seen[0] < _VERSION_SECONDS:
        return seen[1]
    answer = work()
    _recent[(what, key)] = (now, answer)
    return answer


def data_dir() -> Path:
    """The extract's folder, with links resolved (so that a link switched to a new extract is seen);
    resolving costs a system call per part of the path."""
    own = session_extract_dir()
    if own is not None:
        return own
    given = os.environ.get(DATA_DIR_VARIABLE) or str(DEFAULT_DATA_DIR)
    return _for_two_seconds("folder", given, lambda: Path(given).resolve())


def session_extract_dir() -> Path | None:
    """The extract this browser session built from its own uploaded exports (About the data), if any.

    Only the session that uploaded it ever gets its folder; see scrutiny/uploads.py."""
    uploads = sys.modules.get("scrutiny.uploads")  # loaded by the app only: the tools never have one
    return uploads.current_folder() if uploads is not None else None


def table_source(folder: Path, table: str) -> Path | None:
    """The file or folder that holds a table, or None when the extract lacks it."""
    single = folder / f"{table}.parquet"
    if single.is_file():
        return single
    partitioned = folder / table
    if partitioned.is_dir() and any(partitioned.rglob("*.parquet")):
        return partitioned
    return None


def data_version(folder: Path | None = None) -> str:
    """A fingerprint of every file in the extract (name, size, modification time).

    Cached query results are keyed on it, so replacing a file invalidates them.
    """
    folder = folder or data_dir()
    return _for_two_seconds("version", folder, lambda: _fingerprint(folder))


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha1(str(folder).encode())
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


@dataclass
class ExtractInfo:
    authority: str = "the authority"
    extracted_on: date | None = None
    suppression_threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
    notes: str = ""
    problems: list[str] = field(default_factory=list)


def read_extract_info(folder: Path | None = None) -> ExtractInfo:
    """extract.json, when present; a broken file gives defaults and a sentence."""
    folder = folder or data_dir()
    path = folder / "extract.json"
    info = ExtractInfo()
    if not path.is_file():
        return info
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("it is not a JSON object")
    except (ValueError, UnicodeDecodeError) as error:
        info.problems.append(f"extract.json could not be read ({error}); the defaults are used instead.")
        return info
    if isinstance(raw.get("authority"), str) and raw["authority"].strip():
        info.authority = raw["authority"].strip()
    if raw.get("extracted_on"):
        try:
            info.extracted_on = date.fromisoformat(str(raw["extracted_on"]))
        except ValueError:
            info.problems.append(
                f"extract.json: extracted_on {raw['extracted_on']!r} is not a date like 2025-06-30."
            )
    threshold = raw.get("suppression_threshold")
    if threshold is not None:
        if isinstance(threshold, int) and not isinstance(threshold, bool) and threshold >= 1:
            # A council may be stricter than the default, never laxer than 1.
            info.suppression_threshold = threshold
        else:
            info.problems.append(
                f"extract.json: suppression_threshold {threshold!r} is not a whole number of 1 or more; "
                f"the default of {DEFAULT_SUPPRESSION_THRESHOLD} is used."
            )
    if isinstance(raw.get("notes"), str):
        info.notes = raw["notes"]
    return info


def _add_absent_optional_columns(con, name: str, source) -> None:
    """A column the contract lets an extract leave out (indicators.kind) is read as null when absent."""
    present = {row[0] for row in con.execute(f'describe "{name}"').fetchall()}
    absent = [c for c in TABLES[name].optional_columns if c.name not in present]
    if absent:
        extra = ", ".join(f'null::{c.type} as "{c.name}"' for c in absent)
        con.execute(f'create or replace view "{name}" as select *, {extra} from {_scan_sql(source)}')


def _scan_sql(source: Path) -> str:
    path = str(source).replace("'", "''")
    if source.is_dir():
        return f"read_parquet('{path}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    return f"read_parquet('{path}')"


@dataclass
class OpenedExtract:
    connection: duckdb.DuckDBPyConnection
    folder: Path
    # Tables with a working view; the rest are absent or unreadable.
    views: set[str]
    # Table name -> sentence, for tables whose files could not be read.
    unreadable: dict[str, str]
    missing: set[str]
    # How the per-child summaries were come by (a prepared file, or worked out here).
    summaries: Summaries = field(default_factory=Summaries)
    # Rows in each readable table (from the parquet files' own counts).
    rows: dict[str, int] = field(default_factory=dict)


def open_extract(folder: Path | None = None, progress=None, summaries_on_disk: bool = True) -> OpenedExtract:
    """One in-memory DuckDB connection with a view per table and per summary, then locked down.

    The per-child summaries (queries/derived/) come from the cache folder when this version of
    the extract was prepared before, by any process; otherwise they are prepared now
    (scrutiny/summaries.py). `progress`, when given, is called with each summary's name as it is
    counted.

    After the views exist, DuckDB may read only inside the extract folder and
    its configuration is locked, so no query (nor a hostile parameter) can
    touch another file.
    """
    folder = (folder or data_dir()).resolve()
    con = duckdb.connect(
        ":memory:",
        # Background threads hand memory that queries have freed back to the system; without
        # them the server keeps hundreds of megabytes it no longer uses after a big query.
        config={"threads": THREADS, "memory_limit": MEMORY_LIMIT, "allocator_background_threads": True},
    )
    # No progress bar: it would print into the server's log while a long summary is made.
    con.execute("set enable_progress_bar = false")
    views: set[str] = set()
    rows: dict[str, int] = {}
    unreadable: dict[str, str] = {}
    missing: set[str] = set()
    for name in TABLES:
        source = table_source(folder, name)
        if source is None:
            missing.add(name)
            continue
        try:
            con.execute(f'create view "{name}" as select * from {_scan_sql(source)}')
            # Reading the schema and one row finds a truncated or non-parquet file now,
            # not halfway through a page.
            con.execute(f'select * from "{name}" limit 1').fetchall()
            _add_absent_optional_columns(con, name, source)
            rows[name] = con.execute(f'select count(*) from "{name}"').fetchone()[0]
            views.add(name)
        except duckdb.Error as error:
            con.execute(f'drop view if exists "{name}"')
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            unreadable[name] = (
                f"The {name} table ({source.name}) could not be read as parquet: {first_line[:200]}"
            )
    for name in missing | set(unreadable):
        # An empty view with the contract's columns lets queries that touch an
        # absent optional table (benchmarks, service changes) still run.
        columns = ", ".join(f'null::{c.type} as "{c.name}"' for c in (*TABLES[name].columns, *TABLES[name].optional_columns))
        con.execute(f'create or replace view "{name}" as select {columns} where false')
    # The sidebar's centre filters, written once for every query; null = all.
    con.execute(
        "create macro centres_matching(want_district, want_cluster, want_lead_agency, want_site_type) as table "
        "select * from centres "
        "where (want_district is null or district = want_district) "
        "and (want_cluster is null or cluster = want_cluster) "
        "and (want_lead_agency is null or lead_agency = want_lead_agency) "
        "and (want_site_type is null or site_type = want_site_type)"
    )
    # The groups a child counts in: everyone is in 'all', plus the groups on its record,
    # plus the derived most_deprived_30 when it lives in one of the 30% most deprived areas.
    con.execute(
        "create macro target_groups_of(target_groups, most_deprived) as "
        "list_distinct(['all'] || coalesce(target_groups, []::varchar[]) "
        "|| case when most_deprived then ['most_deprived_30'] else []::varchar[] end)"
    )
    summaries = summary_cache.attach(con, folder, _fingerprint(folder), progress, on_disk=summaries_on_disk)
    folder_sql = str(folder).replace("'", "''")
    con.execute(f"set allowed_directories = ['{folder_sql}']")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return OpenedExtract(con, folder, views, unreadable, missing, summaries, rows)
