"""Kept answers shared by every process through files beside the prepared summaries.

Each process keeps what it has worked out (query results and the figures derived from them,
``queries.KeptInMemory``) for as long as it runs. Behind a proxy, every process would work the same
figures out again on its first visit; here each answer is also written once, as a pickle, into a
folder beside the extract's prepared summaries (scrutiny/summaries.py)::

    <summaries file>.kept/<version of the dashboard>/<digest of the answer's key>.pickle

The summaries file is named after a fingerprint of the extract's files, and the inner folder after
a digest of the dashboard's own code and of the libraries that shape an answer, so a new extract or
a new version of the dashboard never reads an older answer; the folders of older versions are
removed. The first process to need an answer works it out while holding a lock beside its file;
another process asking meanwhile waits for it, then reads it. A file is written under a temporary
name and renamed when complete, so a reader never sees half of one. A file that cannot be read is
said in the log and worked out afresh. When the folder cannot be written, answers stay in memory,
as before. Nothing here writes to the extract.

An answer is shared only when its key is made of plain values that every process spells the same
way (names, numbers, dates, filters); anything else, and any answer larger than ``MAX_BYTES``
pickled, stays in the memory of the process that worked it out.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import hashlib
import logging
import os
import pickle
import shutil
import sys
import threading
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

# "0" keeps every answer in its own process's memory (the test suite does, so that a test that
# changes a function sees it run).
SHARE_VARIABLE = "DASHBOARD_SHARE_ANSWERS"
SUFFIX = ".kept"
MAX_BYTES = 64 * 2**20
# How long a process waits for another to finish an answer before it works it out itself.
WAIT_SECONDS = 120.0
REPO = Path(__file__).resolve().parent.parent


def enabled() -> bool:
    return os.environ.get(SHARE_VARIABLE, "1") != "0"


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of what an answer is worked out with: the dashboard's code and queries, and the
    versions of Python and of the libraries whose objects are kept."""
    digest = hashlib.sha1(sys.version.encode())
    for name in ("pandas", "numpy", "plotly", "duckdb", "streamlit", "scipy"):
        module = sys.modules.get(name)
        digest.update(f"{name}={getattr(module, '__version__', '')};".encode())
    files = sorted([*REPO.glob("scrutiny/**/*.py"), *REPO.glob("pages/*.py"), REPO / "dashboard.py",
                    *REPO.glob("queries/**/*.sql")])
    for path in files:
        try:
            digest.update(f"{path.relative_to(REPO)}\0".encode() + path.read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:16]


class _NotPlain(Exception):
    pass


def key_bytes(value) -> bytes | None:
    """The key spelled the same way by every process, or None when it holds something that is not a
    plain value (an object known only by its place in memory)."""
    try:
        return _spell(value).encode()
    except _NotPlain:
        return None


def _spell(value) -> str:
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, enum.Enum):
        return f"enum:{type(value).__qualname__}.{value.name}"
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__}(" + ",".join(_spell(v) for v in value) + ")"
    if isinstance(value, (set, frozenset)):
        return "set(" + ",".join(sorted(_spell(v) for v in value)) + ")"
    if isinstance(value, dict):
        return "dict(" + ",".join(sorted(f"{_spell(k)}={_spell(v)}" for k, v in value.items())) + ")"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_spell(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__module__}.{type(value).__qualname__}({fields})"
    item = getattr(value, "item", None)  # a numpy number
    if callable(item) and type(value).__module__ == "numpy":
        return _spell(item())
    raise _NotPlain(type(value).__name__)


class SharedAnswers:
    """The answers of one version of one extract, worked out with one version of the dashboard."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.note: str | None = None  # why answers are not shared, once that is known
        self.read = self.written = 0
        self._ready = False
        self._lock = threading.Lock()

    def _usable(self) -> bool:
        if self._ready:
            return True
        with self._lock:
            if self.note is not None:
                return False
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                _remove_older_versions(self.folder)
                self._ready = True
            except OSError as error:
                self._cannot_write(error)
        return self._ready

    def _cannot_write(self, error: BaseException) -> None:
        self.note = (f"Worked-out figures could not be kept in {self.folder} ({error}), so each copy of "
                     "the dashboard works them out for itself.")
        log.warning(self.note)
        self._ready = False

    def file_of(self, key) -> Path | None:
        spelled = key_bytes(key)
        if spelled is None:
            return None
        return self.folder / f"{hashlib.blake2b(spelled, digest_size=20).hexdigest()}.pickle"

    def has(self, key) -> bool:
        path = self.file_of(key) if self._ready or self.folder.is_dir() else None
        return path is not None and path.is_file()

    def get(self, key, make):
        """The answer another process wrote for this key, else make()'s, written for the others."""
        path = self.file_of(key)
        if path is None or not self._usable():
            return make()
        found = self._load(path)
        if found is not _MISSING:
            return found
        try:
            with FileLock(str(path) + ".lock", timeout=WAIT_SECONDS):
                found = self._load(path)  # written by another process while this one waited
                if found is not _MISSING:
                    return found
                answer = make()
                self._write(path, answer)
                return answer
        except Timeout:
            log.warning("Another process kept working out %s for over %.0f s; this one works it out itself.",
                        path.name, WAIT_SECONDS)
            return make()
        except OSError as error:  # the lock file cannot be made: the folder is not writable after all
            self._cannot_write(error)
            return make()

    def _load(self, path: Path):
        try:
            with open(path, "rb") as file:
                answer = pickle.load(file)
        except FileNotFoundError:
            return _MISSING
        except Exception as error:  # noqa: BLE001  (any damage: truncated, garbled, from a broken write)
            log.warning("The kept answer in %s could not be read (%s: %s); it is worked out afresh.",
                        path, type(error).__name__, str(error)[:200])
            return _MISSING
        self.read += 1
        return answer

    def _write(self, path: Path, answer) -> None:
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001  (an answer holding something that cannot be pickled stays in memory)
            return
        if len(data) > MAX_BYTES:
            return
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
            self.written += 1
        except OSError as error:
            partial.unlink(missing_ok=True)
            self._cannot_write(error)


_MISSING = object()


def _remove_older_versions(folder: Path) -> None:
    """Removes the answers of other versions of the dashboard for this extract, and of older versions
    of the extract (whose summaries file summaries.py has removed)."""
    kept = folder.parent
    for other in kept.parent.glob(f"*{SUFFIX}"):
        if other != kept and not other.with_suffix("").is_file():
            shutil.rmtree(other, ignore_errors=True)
    for other in kept.iterdir():
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


_SHARED: dict[Path, SharedAnswers] = {}
_SHARED_LOCK = threading.Lock()


def for_summaries(summaries_file: Path | None) -> SharedAnswers | None:
    """The shared answers beside an extract's prepared summaries; None when they are in memory only
    (a cache folder that cannot be written, an uploaded extract) or sharing is turned off."""
    if summaries_file is None or not enabled():
        return None
    folder = summaries_file.with_name(summaries_file.name + SUFFIX) / code_version()
    with _SHARED_LOCK:
        return _SHARED.setdefault(folder, SharedAnswers(folder))
