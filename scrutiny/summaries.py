"""The per-child summaries (queries/derived/*.sql), prepared once per extract version for every process.

Counting each child's attendances per year is most of the cost of opening a big extract (tens of
seconds for a national one). The summaries are therefore kept in a DuckDB database file in a cache
folder outside the extract (``DASHBOARD_CACHE_DIR``, by default the user's cache folder), named
after a fingerprint of the extract's files and of the summaries' own SQL: a new extract, or a
changed query, gets a new file. The first process to need a file builds it while holding a lock
beside it; the others wait, then open what it built. Every process opens the file read-only.

A file is built under a temporary name and renamed when complete, so a reader never sees half of
one. A damaged file is noticed on opening, said in the log and built again. When the cache folder
cannot be written, the summaries are worked out in memory as before, and About the data says so.

Nothing here writes to the extract.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

DERIVED_DIR = Path(__file__).resolve().parent.parent / "queries" / "derived"
CACHE_DIR_VARIABLE = "DASHBOARD_CACHE_DIR"
# The database the summaries live in, attached beside the extract's views under this name.
SUMMARIES = "summaries"
# Raised when what a prepared file holds changes shape, so older files are not read.
FORMAT = "1"
# How long a process waits for another to finish preparing before it works the summaries out itself.
WAIT_SECONDS = float(os.environ.get("DASHBOARD_PREPARE_WAIT", "900"))
_ABOUT = "_prepared"


def cache_dir() -> Path:
    """DASHBOARD_CACHE_DIR, or the user's cache folder (XDG_CACHE_HOME, LOCALAPPDATA, ~/.cache)."""
    given = os.environ.get(CACHE_DIR_VARIABLE)
    if given:
        return Path(given).expanduser()
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "early-years-scrutiny" / "summaries"


def sources() -> dict[str, str]:
    """Each summary's name and SQL text."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(DERIVED_DIR.glob("*.sql"))}


def build_order(texts: dict[str, str]) -> list[str]:
    """Summary names in name order, except that each comes after the summaries its SQL reads."""
    order: list[str] = []
    code = {name: re.sub(r"--[^\n]*", "", sql) for name, sql in texts.items()}

    def place(name: str, waiting: tuple[str, ...]) -> None:
        if name in order or name in waiting:
            return
        for other in sorted(texts):
            if other != name and re.search(rf"\b{re.escape(other)}\b", code[name]):
                place(other, (*waiting, name))
        order.append(name)

    for name in sorted(texts):
        place(name, ())
    return order


def cache_file(folder: Path, extract_fingerprint: str, texts: dict[str, str]) -> Path:
    """Where the summaries of this version of this extract, made by this SQL, are kept.

    The name starts with the extract folder's own part, so that older versions of the same
    extract can be found and removed; the rest changes with the files, the SQL and DuckDB.
    """
    folder_part = hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    digest = hashlib.sha1(f"{FORMAT};{duckdb.__version__};{extract_fingerprint};".encode())
    for name in sorted(texts):
        digest.update(f"{name}\0{texts[name]}\0".encode())
    return cache_dir() / f"{folder_part}-{digest.hexdigest()[:16]}.duckdb"


@dataclass
class Summaries:
    """How the summaries of an opened extract were come by."""
    # The prepared file in use, or None when they were worked out in memory.
    path: Path | None = None
    # True when this process built them (in the file or in memory), False when it opened a prepared file.
    built: bool = False
    seconds: float = 0.0
    # Summary name -> why it could not be made; such a summary is a plain view over the extract.
    failed: dict[str, str] = field(default_factory=dict)
    # A sentence for About the data when the cache folder could not be used, else None.
    note: str | None = None


def attach(con: duckdb.DuckDBPyConnection, folder: Path, extract_fingerprint: str,
           progress: Callable[[str], None] | None = None, on_disk: bool = True) -> Summaries:
    """Makes each summary a view in `con` (which already has the extract's views), from the cache when it can.

    on_disk=False works them out in memory and writes nothing: for an extract that must leave no
    trace on the server (one uploaded for a single session) or one still being checked (the importer's).
    """
    started = time.perf_counter()
    texts = sources()
    path = cache_file(folder, extract_fingerprint, texts)
    key = path.stem
    if not on_disk:
        failed = _build(con, "':memory:'", key, texts, progress, compress=True)
        return Summaries(path=None, built=True, failed=failed, seconds=time.perf_counter() - started)
    summaries = _open_prepared(con, path, key, texts)
    if summaries is None:
        summaries = _prepare(con, folder, path, key, texts, progress)
    summaries.seconds = time.perf_counter() - started
    return summaries


def _open_prepared(con, path: Path, key: str, texts: dict[str, str]) -> Summaries | None:
    """The prepared file attached read-only with a view per summary, or None when there is none usable."""
    if not path.is_file():
        return None
    try:
        con.execute(f"attach '{_quoted(path)}' as {SUMMARIES} (read_only)")
    except duckdb.Error as error:
        log.warning("The prepared summaries in %s could not be opened (%s); they are prepared afresh.",
                    path, _first_line(error))
        return None
    try:
        about = con.execute(f"select name, failure from {SUMMARIES}.{_ABOUT} where key = ?", [key]).fetchall()
        failed = {name: failure for name, failure in about if failure is not None}
        made = {name for name, failure in about if failure is None}
        if {name for name, _ in about} != set(texts):
            raise ValueError("it does not list every summary")
        for name in sorted(made):
            con.execute(f'select * from {SUMMARIES}."{name}" limit 0').fetchall()
    except (duckdb.Error, ValueError) as error:
        log.warning("The prepared summaries in %s are damaged or incomplete (%s); they are prepared afresh.",
                    path, _first_line(error))
        con.execute(f"detach {SUMMARIES}")
        return None
    _make_views(con, texts, failed)
    return Summaries(path=path, built=False, failed=failed)


def _prepare(con, folder: Path, path: Path, key: str, texts: dict[str, str], progress) -> Summaries:
    """Builds the file under the lock (or waits for the process building it), else works them out in memory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock", timeout=WAIT_SECONDS)
        with lock:
            # Another process may have built it while this one waited.
            ready = _open_prepared(con, path, key, texts)
            if ready is not None:
                return ready
            folder_part = path.name.split("-", 1)[0]
            if any(p != path for p in path.parent.glob(f"{folder_part}-*.duckdb")):
                log.warning("The extract in %s has changed since its summaries were prepared (or their SQL has): "
                            "they are prepared afresh.", folder)
            building = path.with_name(f"{path.name}.{os.getpid()}.building")
            building.unlink(missing_ok=True)
            try:
                failed = _build(con, f"'{_quoted(building)}'", key, texts, progress)
                con.execute(f"detach {SUMMARIES}")
                os.replace(building, path)
            finally:
                building.unlink(missing_ok=True)
            log.info("Prepared the summaries of %s in %s.", folder, path)
            _remove_older_versions(path)
        con.execute(f"attach '{_quoted(path)}' as {SUMMARIES} (read_only)")
        return Summaries(path=path, built=True, failed=failed)
    except (OSError, Timeout, duckdb.IOException) as error:
        reason = "another process kept preparing them too long" if isinstance(error, Timeout) else _first_line(error)
        note = (f"The summaries of the extract could not be kept in the cache folder {path.parent} ({reason}), "
                "so this copy of the dashboard works them out in memory each time it starts, which is slow "
                f"for a big extract. Set {CACHE_DIR_VARIABLE} to a folder the dashboard may write to.")
        log.warning(note)
        if SUMMARIES in _attached(con):
            con.execute(f"detach {SUMMARIES}")
        # In memory, compressed: held as the main database holds a table, the attendance summary
        # alone took about 320 MB at 50 times the sample county.
        failed = _build(con, "':memory:'", key, texts, progress, compress=True)
        return Summaries(path=None, built=True, failed=failed, note=note)


def _build(con, target: str, key: str, texts: dict[str, str], progress, compress: bool = False) -> dict[str, str]:
    """Counts every summary into the database at `target`, attached as SUMMARIES; returns those that failed.

    Where a summary cannot be made (a table of the wrong types, say), it becomes a view with the
    same definition, so the queries that need it fail with their own sentence and the rest of the
    dashboard works.
    """
    con.execute(f"attach {target} as {SUMMARIES}" + (" (compress)" if compress else ""))
    failed: dict[str, str] = {}
    for name in build_order(texts):
        if progress:
            progress(name)
        try:
            con.execute(f'create table {SUMMARIES}."{name}" as {texts[name]}')
            # Compressed now, before the next summary is counted, so their peaks do not add up.
            con.execute(f"checkpoint {SUMMARIES}")
            con.execute(f'create or replace view "{name}" as select * from {SUMMARIES}."{name}"')
        except duckdb.Error as error:
            if isinstance(error, duckdb.IOException):
                raise
            con.execute(f'drop table if exists {SUMMARIES}."{name}"')
            failed[name] = _first_line(error)
            _fallback_view(con, name, texts[name])
    con.execute(f"create table {SUMMARIES}.{_ABOUT} (key varchar, name varchar, failure varchar)")
    con.executemany(f"insert into {SUMMARIES}.{_ABOUT} values (?, ?, ?)",
                    [[key, name, failed.get(name)] for name in sorted(texts)])
    con.execute(f"checkpoint {SUMMARIES}")
    return failed


def _make_views(con, texts: dict[str, str], failed: dict[str, str]) -> None:
    for name in build_order(texts):
        if name in failed:
            _fallback_view(con, name, texts[name])
        else:
            con.execute(f'create or replace view "{name}" as select * from {SUMMARIES}."{name}"')


def _fallback_view(con, name: str, sql: str) -> None:
    try:
        con.execute(f'create or replace view "{name}" as {sql}')
    except duckdb.Error:
        pass  # Left out: a query that needs it fails with its own sentence.


def _remove_older_versions(path: Path) -> None:
    """Removes the files of earlier versions of the same extract (a process still reading one keeps it open)."""
    folder_part = path.name.split("-", 1)[0]
    for older in path.parent.glob(f"{folder_part}-*"):
        # The same version's lock and kept reports (name.problems-*.json) stay.
        if older.name.split(".", 1)[0] != path.stem:
            try:
                older.unlink()
            except OSError:
                pass  # In use elsewhere (Windows) or already gone: it is tried again next time.


def _attached(con) -> set[str]:
    return {row[0] for row in con.execute("select database_name from duckdb_databases()").fetchall()}


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]
