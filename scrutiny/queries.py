"""Running the named SQL files in queries/.

A page asks for a query by its public name (``run("reach_by_centre", period=2023)``).
The runner binds every value as a DuckDB parameter, never into the SQL text,
fetches the whole result at once (DuckDB streams results, and an unread one is
emptied by the next query on the connection) and caches it on the query, its
parameters and the extract's data version.

It works the same inside Streamlit and outside it (tests, scripts, benchmarks).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import logging
import os
import pickle
import re
import threading
import weakref
from collections import OrderedDict
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from scrutiny.extract import REPO_ROOT, OpenedExtract, data_dir, data_version, open_extract, read_extract_info, ExtractInfo
from scrutiny import contract, validation
from scrutiny.contract import TABLES
from scrutiny.validation import Problem, validate
from scrutiny import shared_answers, uploads

QUERY_DIR = REPO_ROOT / "queries"
_PARAMETER = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# Outside a Streamlit server the caches still work; their "no runtime" warnings are noise there.
for _logger in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api",
                "streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit"):
    logging.getLogger(_logger).setLevel(logging.ERROR)


class QueryError(RuntimeError):
    """A query could not answer; the message is a sentence for the page."""


@cache
def _sql_text(name: str, mtime_ns: int) -> str:
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query_sql(name: str) -> str:
    if not _NAME.match(name):
        raise QueryError(f"{name!r} is not the name of a query.")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"There is no query called {name} in queries/.")
    return _sql_text(name, path.stat().st_mtime_ns)


def query_parameters(name: str) -> set[str]:
    sql = re.sub(r"--[^\n]*", "", query_sql(name))
    return set(_PARAMETER.findall(sql))


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


# Opening a new extract counts each child's attendances (seconds for a big one) once for every
# process, which keep it in the cache folder (scrutiny/summaries.py); later processes only read
# it. The first visitor is told what is happening rather than left with a blank page.
@st.cache_resource(show_spinner="Opening the extract (after a new extract, each child's attendances are counted once for everyone)...",
                   max_entries=4)
def _opened(folder: str, version: str) -> OpenedExtract:
    return open_extract(Path(folder))


# An extract a session built from its own uploads (scrutiny/uploads.py) is opened apart from the
# council's, so that uploads never push the shared extract out, and with its summaries in memory only.
@st.cache_resource(show_spinner="Opening your extract...", max_entries=4, ttl=uploads.MAX_AGE_HOURS * 3600)
def _opened_upload(folder: str, version: str) -> OpenedExtract:
    return open_extract(Path(folder), summaries_on_disk=False)


def _open(folder: str, version: str) -> OpenedExtract:
    return _opened_upload(folder, version) if uploads.is_upload(folder) else _opened(folder, version)


def release_upload(folder: Path) -> None:
    """Lets go of the connection to a session's own extract, which is about to be deleted."""
    _opened_upload.clear(str(folder), data_version(folder))


def current_extract() -> OpenedExtract:
    return _open(*extract_version())


class KeptInMemory:
    """Answers kept in this process as they are, up to a size; the least recently used go first.

    Streamlit's st.cache_data pickles every answer when it keeps it and unpickles it on every
    use, and hashes the arguments each time: on a warm page run that was most of the processor
    time (see the README). Here an answer is kept as the object itself, under a key of plain
    values, and each caller gets a copy. When several sessions ask for the same missing answer at
    once, one works it out and the others wait for it. Given the extract's shared answers
    (scrutiny/shared_answers.py), a missing answer is first looked for there, and one worked out
    here is written there for the other processes.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._answers: OrderedDict = OrderedDict()  # key -> (answer, size in bytes)
        self._bytes = 0
        self._making: dict = {}  # key -> lock held while one thread works the answer out

    def get(self, key, make, shared: tuple | None = None):
        """The kept answer for key, else make()'s; shared: (SharedAnswers, the key as plain values)."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key][0]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._answers:  # worked out by another thread while this one waited
                    return self._answers[key][0]
            try:
                # An error is not kept: the next asker tries again.
                answer = make() if shared is None or shared[0] is None else shared[0].get(shared[1], make)
                size = _size_of(answer)
                with self._lock:
                    self._answers[key] = (answer, size)
                    self._bytes += size
                    while self._bytes > self.max_bytes and len(self._answers) > 1:
                        _, (_, dropped) = self._answers.popitem(last=False)
                        self._bytes -= dropped
                return answer
            finally:
                with self._lock:
                    self._making.pop(key, None)

    def has(self, key) -> bool:
        with self._lock:
            return key in self._answers

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0


def _size_of(answer) -> int:
    """About how many bytes an answer holds (frames by their columns' memory; anything else a little)."""
    if isinstance(answer, (pd.DataFrame, pd.Series)):
        return int(answer.memory_usage(deep=False, index=True).sum()) if isinstance(answer, pd.DataFrame) \
            else int(answer.memory_usage(deep=False, index=True))
    if isinstance(answer, (tuple, list)):
        return 64 + sum(_size_of(part) for part in answer)
    if isinstance(answer, dict):
        return 64 + sum(_size_of(part) for part in answer.values())
    return 256


def _copy_of(answer):
    """A copy a caller may change without changing the kept answer."""
    if isinstance(answer, (pd.DataFrame, pd.Series)):
        return answer.copy()
    if isinstance(answer, (str, bytes, int, float, bool, type(None))):
        return answer
    if isinstance(answer, tuple) and not hasattr(answer, "_fields"):
        return tuple(_copy_of(part) for part in answer)
    if isinstance(answer, list):
        return [_copy_of(part) for part in answer]
    params = getattr(type(answer), "__dataclass_params__", None)
    if params is not None and params.frozen:
        return answer  # frozen: shared as it is (a finding, a summary of comparisons)
    if params is not None and all(f.init for f in dataclasses.fields(answer)):
        # A dataclass that may change (an evidence section, given its quotes) is made again from
        # copies of its fields: its frozen blocks, and the charts in them, are shared as they are.
        return type(answer)(**{f.name: _copy_of(getattr(answer, f.name)) for f in dataclasses.fields(answer)})
    # Anything else (an evidence section holding charts, say) as st.cache_data copied it: through
    # pickle, which for plotly figures is several times faster than copy.deepcopy.
    try:
        return pickle.loads(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(answer)


def _key_of(value):
    """A value as a dictionary key: lists as tuples, dictionaries as sorted pairs; anything else that
    cannot be hashed by the digest of its pickled bytes."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key_of(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((_key_of(k), _key_of(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_key_of(v) for v in value), key=repr)))
    try:
        hash(value)
        return value
    except TypeError:
        return ("pickled", type(value).__name__, hashlib.blake2b(pickle.dumps(value), digest_size=16).hexdigest())


# Results are kept up to a size, not a count: at 50 times one reach_by_area result takes about
# 120 MB, while most results are a few kilobytes. Kept in a resource, so clearing Streamlit's
# resource caches (a new start, the benchmarks' cold runs) clears them too.
@st.cache_resource(show_spinner=False)
def _kept_results() -> KeptInMemory:
    return KeptInMemory(512 * 2**20)


# Every page and session shares this one (a few dozen entries per filter combination), bounded by size.
@st.cache_resource(show_spinner=False)
def _kept_derived() -> KeptInMemory:
    return KeptInMemory(256 * 2**20)


def _run_cached(name: str, parameters: tuple, folder: str, version: str) -> pd.DataFrame:
    """The result of a query, kept per parameters and extract version (not a copy: run() copies it)."""
    key = (name, _key_of(parameters), folder, version)
    return _kept_results().get(key, lambda: _run_query(name, parameters, folder, version),
                               shared=(shared_for(folder, version), ("result", *key)))


def shared_for(folder: str, version: str) -> shared_answers.SharedAnswers | None:
    """The answers every process shares for this version of the extract (scrutiny/shared_answers.py),
    or None when they stay in this process's memory."""
    if not shared_answers.enabled():
        return None
    try:
        return shared_answers.for_summaries(_open(folder, version).summaries.path)
    except Exception:  # noqa: BLE001  (an extract that cannot be opened: the query says why)
        return None


_run_cached.clear = lambda: _kept_results().clear()


def _run_query(name: str, parameters: tuple, folder: str, version: str) -> pd.DataFrame:
    extract = _open(folder, version)
    # A cursor per query: one connection object is not safe to share between threads.
    cursor = extract.connection.cursor()
    try:
        return cursor.execute(query_sql(name), dict(parameters)).df()
    except (duckdb.FatalException, duckdb.InternalException) as error:
        # A fault inside DuckDB itself leaves the connection unusable ("database has been
        # invalidated"): drop it, so the next run opens the extract afresh, not every page failing.
        _opened.clear()
        _opened_upload.clear()
        first_line = str(error).strip().splitlines()[0][:300]
        raise QueryError(
            f"The {name} query failed inside the database engine ({first_line}). "
            "The extract will be opened afresh on the next try; if this keeps happening, please report it."
        ) from error
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0][:300]
        raise QueryError(f"The {name} query could not run on this extract: {first_line}") from error
    finally:
        cursor.close()


def _freeze(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(value, key=str)) if isinstance(value, (set, frozenset)) else tuple(value)
    return value


# id(result) -> (weak reference to the result, what it is the result of): see derived_from.
# Every session's script runs in its own thread, so the registry is changed under a lock.
_RESULTS: dict[int, tuple[weakref.ref, tuple]] = {}
_RESULTS_LOCK = threading.Lock()


def run(name: str, **parameters) -> pd.DataFrame:
    """The result of queries/<name>.sql with its $parameters bound, as a DataFrame (a copy, safe to change)."""
    expected = query_parameters(name)
    given = set(parameters)
    if expected != given:
        missing, extra = sorted(expected - given), sorted(given - expected)
        raise QueryError(f"The {name} query takes {sorted(expected)}; missing {missing}, unexpected {extra}.")
    folder, version = extract_version()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in parameters.items()))
    bound = tuple((k, list(v) if isinstance(v, tuple) else v) for k, v in frozen)
    result = _run_cached(name, bound, folder, version).copy()
    _remember(result, (name, frozen, folder, version))
    return result


def _remember(result, source: tuple) -> None:
    """Notes what each frame in a result (a frame, or a tuple holding frames) was worked out from."""
    parts = result if isinstance(result, tuple) else (result,)
    with _RESULTS_LOCK:
        for key in [k for k, (ref, _) in _RESULTS.items() if ref() is None]:
            del _RESULTS[key]
        for position, part in enumerate(parts):
            if isinstance(part, pd.DataFrame):
                _RESULTS[id(part)] = (weakref.ref(part), source if part is result else (*source, position))


def source_of(frame: pd.DataFrame) -> tuple | None:
    """What a frame is the unchanged result of (query, parameters, extract, version), or None."""
    with _RESULTS_LOCK:
        known = _RESULTS.get(id(frame))
    return known[1] if known is not None and known[0]() is frame else None


def _kept_answer(name: str, source: tuple, arguments: tuple, compute) -> object:
    """The kept answer of `name` for a source and arguments (a copy of it), noted as theirs so
    derived_from can chain on it."""
    result = _copy_of(_kept_derived().get(_key_of((name, source, arguments)), compute,
                                          shared=(shared_for(*extract_version()), ("answer", name, source, arguments))))
    _remember(result, (name, source, arguments))
    return result


def kept_value(key: tuple, make) -> object:
    """make()'s answer kept under a key of plain values, shared as it is: only for answers nobody
    changes (bytes, text)."""
    return _kept_derived().get(_key_of(("value", *key)), make, shared=(shared_for(*extract_version()), ("value", *key)))


def derived_from(function):
    """Caches what a function works out from a query result, keyed on the query and its parameters.

    A page reruns its whole script on every click; functions such as a roll-up of reach
    figures are pure, so when they are given a query result exactly as run() returned it
    (or the unchanged answer of another such function), their answer is kept for that
    query, those parameters and that version of the extract. Given anything else (a
    filtered copy, a hand-made frame) they simply run. The frames they return must not be
    changed in place and then passed on: work on a copy.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(frame, *args, **kwargs):
        source = source_of(frame)
        if source is None:
            return function(frame, *args, **kwargs)
        return _kept_answer(name, source, arguments_key(args, kwargs), lambda: function(frame, *args, **kwargs))

    return wrapper


def arguments_key(args: tuple, kwargs: dict) -> tuple:
    """A call's arguments as part of a cache key (kept, derived_from, ui.drawn_once).

    A frame argument that is a query's result (a table's mask, say) enters as what it was worked
    out from: hashing its contents on every rerun cost more than the answer saved.
    """
    def as_key(value):
        source = source_of(value) if isinstance(value, pd.DataFrame) else None
        return value if source is None else ("worked out from", source)

    return tuple(as_key(a) for a in args), tuple(sorted((k, as_key(v)) for k, v in kwargs.items()))


def kept(function):
    """Caches a function whose answer rests only on its arguments and the extract's figures.

    Page scripts rerun on every click, and several pages (and the lines of enquiry) ask for
    the same tables: such a function is worked out once per arguments and extract version.
    Its arguments must be values Streamlit can hash (filters, indicators, names, numbers),
    and it must not read the session or the URL. Each caller gets its own copy of the answer.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return _kept_answer(name, extract_version(), arguments_key(args, kwargs), lambda: function(*args, **kwargs))

    def key(args, kwargs):
        return _key_of((name, extract_version(), arguments_key(args, kwargs)))

    def ready(*args, **kwargs) -> bool:
        """Whether the answer for these arguments is already worked out, here or by another process
        (nothing is worked out here)."""
        if _kept_derived().has(key(args, kwargs)):
            return True
        shared = shared_for(*extract_version())
        return shared is not None and shared.has(("answer", name, extract_version(), arguments_key(args, kwargs)))

    def start(*args, **kwargs) -> None:
        """Starts working the answer out in a thread of its own, unless it is kept or already being worked out."""
        wanted = key(args, kwargs)
        with _BACKGROUND_LOCK:
            if wanted in _BACKGROUND or _kept_derived().has(wanted):
                return
            _BACKGROUND.add(wanted)

        def work() -> None:
            try:
                wrapper(*args, **kwargs)
            except Exception:  # noqa: BLE001  (the page works it out itself, and shows its sentence)
                logging.getLogger(__name__).exception("Working out %s in the background failed", name)
            finally:
                with _BACKGROUND_LOCK:
                    _BACKGROUND.discard(wanted)

        threading.Thread(target=work, name=f"background {name}", daemon=True).start()

    wrapper.ready, wrapper.start = ready, start
    return wrapper


# Keys of kept answers being worked out in a background thread (kept(...).start).
_BACKGROUND: set = set()
_BACKGROUND_LOCK = threading.Lock()


def extract_version() -> tuple[str, str]:
    """The extract in use and its data version: part of the key of anything kept between reruns."""
    folder = data_dir()
    return str(folder), data_version(folder)


# Every page asks for these, some several times a run: kept as they are (not pickled), each caller a copy.
@st.cache_resource(show_spinner="Checking the extract against the data contract...", max_entries=8)
def _problems(folder: str, version: str) -> list[Problem]:
    extract = _open(folder, version)
    kept = _report_file(extract)
    if kept is not None and kept.is_file():
        try:
            return [Problem(**row) for row in json.loads(kept.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError) as error:
            logging.getLogger(__name__).warning("The kept validation report %s could not be read (%s); "
                                                "the extract is checked afresh.", kept, error)
    found = validate(extract)
    if kept is not None:
        # Written whole under another name, then renamed: a process reading it never sees half of it.
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
        try:
            partial.write_text(json.dumps([dataclasses.asdict(p) for p in found]), encoding="utf-8")
            os.replace(partial, kept)
        except OSError:
            partial.unlink(missing_ok=True)  # a folder that cannot be written: checked again next start
    return found


def _report_file(extract: OpenedExtract) -> Path | None:
    """Where the validation report of this version of the extract is kept, beside its prepared summaries.

    Checking a national extract against the contract takes seconds; like the summaries, it is done
    once per version of the extract (and of the checks' own code) for every process.
    """
    if extract.summaries.path is None:
        return None
    checks = hashlib.sha1(b"".join(Path(module.__file__).read_bytes() for module in (validation, contract)))
    return extract.summaries.path.with_name(f"{extract.summaries.path.stem}.problems-{checks.hexdigest()[:12]}.json")


def problems() -> list[Problem]:
    """The validation report for the current extract (checked once per data version)."""
    return _copy_of(_problems(*extract_version()))


@st.cache_resource(show_spinner=False, max_entries=8)
def _info(folder: str, version: str) -> ExtractInfo:
    return read_extract_info(Path(folder))


def extract_info() -> ExtractInfo:
    return _copy_of(_info(*extract_version()))


@st.cache_data(show_spinner=False, max_entries=64)
def _profile(table: str, folder: str, version: str) -> dict:
    extract = _open(folder, version)
    spec = TABLES[table]
    cursor = extract.connection.cursor()
    # Identifiers come from the contract (an allow-list), never from a user.
    ranges = [f'min(try_cast("{c}" as date)), max(try_cast("{c}" as date))' for c in spec.date_columns]
    if "year" in spec.column_names:
        ranges.append('min(try_cast("year" as integer)), max(try_cast("year" as integer))')
    try:
        row = cursor.execute(f'select {", ".join(["count(*)", *ranges])} from "{table}"').fetchone()
    except duckdb.Error:
        return {"rows": None, "from": None, "to": None}
    finally:
        cursor.close()
    starts = [v for v in row[1::2] if v is not None]
    ends = [v for v in row[2::2] if v is not None]
    return {"rows": int(row[0]), "from": min(starts) if starts else None, "to": max(ends) if ends else None}


def table_profile(table: str) -> dict:
    """Row count and date (or year) range of one contract table; None where it cannot be read."""
    if table not in TABLES:
        raise QueryError(f"{table!r} is not a table of the data contract.")
    return _profile(table, *extract_version())
