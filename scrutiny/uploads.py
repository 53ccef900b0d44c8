"""Exports uploaded on About the data: an extract for one browser session, and for nobody else.

A scrutiny officer or Healthwatch reviewer uploads a council's CSV or Excel exports and a
mapping; the importer (scrutiny.build_extract) checks them and builds an extract in a folder
of the session's own, under the system's temporary folder. Only that session's state holds
the folder's name, so no other session can open it; its summaries are worked out in memory and
never written to the shared cache folder. The folder is deleted when the person goes back to
the council's extract, when the session ends (its state is dropped), and in any case after
MAX_AGE_HOURS, by the next upload of anyone.

Limits, stated on the page and enforced with a sentence: MAX_FILES files, MAX_FILE_MB each
(Streamlit's server.maxUploadSize, in .streamlit/config.toml) and MAX_TOTAL_MB in all; one
import runs at a time.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from scrutiny.build_extract import CSV_SUFFIXES, EXCEL_SUFFIXES, BuildResult, ImportProblem, build
from scrutiny.mapping import MappingError, load_mapping

UPLOAD_ROOT = Path(tempfile.gettempdir()) / "early-years-scrutiny-uploads"
MAX_FILES = 30
MAX_FILE_MB = 200
MAX_TOTAL_MB = 300
MAX_AGE_HOURS = 12
MAPPING_SUFFIXES = (".yaml", ".yml")
BOUNDARY_SUFFIXES = (".geojson",)
SESSION_KEY = "own_extract"
# Importing holds a DuckDB connection of up to 1.5 GB: one at a time, the others wait their turn.
_IMPORTING = threading.Semaphore(1)
WAIT_SECONDS = 120
LIMITS_SENTENCE = (
    f"Up to {MAX_FILES} files at once, {MAX_FILE_MB} MB each and {MAX_TOTAL_MB} MB in all: CSV (.csv, .txt, .tsv), "
    "Excel (.xlsx), one mapping file (.yaml) and, for the reach map, the areas' boundaries (.geojson)."
)


def _discard(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)


@dataclass(eq=False)
class OwnExtract:
    """An extract built from one session's uploads. Dropping it (the session ends) deletes its folder."""

    root: Path
    files: list[str]
    warnings: list[ImportProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, _discard, self.root)

    @property
    def folder(self) -> Path:
        return self.root / "extract"

    def discard(self) -> None:
        self._finalizer()


def _session_state():
    """The session's state, or None outside a page run (the tools, the tests' direct calls)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # pragma: no cover
        return None
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state


def current() -> OwnExtract | None:
    state = _session_state()
    own = state.get(SESSION_KEY) if state is not None else None
    if own is not None and not own.folder.is_dir():
        # Swept away after MAX_AGE_HOURS: back to the council's extract.
        del state[SESSION_KEY]
        return None
    return own


def current_folder() -> Path | None:
    own = current()
    return own.folder if own is not None else None


def is_upload(folder: str | Path) -> bool:
    return UPLOAD_ROOT in Path(folder).parents


def forget() -> None:
    """Back to the council's extract: this session's own extract is deleted now."""
    state = _session_state()
    own = state.pop(SESSION_KEY, None) if state is not None else None
    if own is not None:
        from scrutiny import queries

        queries.release_upload(own.folder)
        own.discard()


def _sweep() -> None:
    """Deletes upload folders older than MAX_AGE_HOURS (left by a server that stopped, say)."""
    if not UPLOAD_ROOT.is_dir():
        return
    oldest = time.time() - MAX_AGE_HOURS * 3600
    for folder in UPLOAD_ROOT.iterdir():
        try:
            if folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def check_limits(files) -> str | None:
    """A sentence saying which limit the chosen files break, or None."""
    if not files:
        return "Choose the export files (and the mapping file) first."
    if len(files) > MAX_FILES:
        return f"You chose {len(files)} files; at most {MAX_FILES} can be checked at once. Leave some out and try again."
    total = sum(f.size for f in files)
    if total > MAX_TOTAL_MB * 1024 * 1024:
        return (f"The files come to {total / 1024 / 1024:,.0f} MB; at most {MAX_TOTAL_MB} MB can be checked here. "
                "For a bigger export, build the extract with the command (python -m scrutiny.build_extract).")
    big = [f.name for f in files if f.size > MAX_FILE_MB * 1024 * 1024]
    if big:
        return f"{big[0]} is larger than {MAX_FILE_MB} MB; build the extract with the command instead."
    names = [Path(f.name).name for f in files]
    if len(set(n.lower() for n in names)) != len(names):
        return "Two of the files have the same name: rename one and try again."
    odd = [n for n in names if not n.lower().endswith(CSV_SUFFIXES + EXCEL_SUFFIXES + MAPPING_SUFFIXES + BOUNDARY_SUFFIXES)
           or n.startswith(".")]
    if odd:
        return f"{odd[0]} is not a CSV, Excel (.xlsx), mapping (.yaml) or boundaries (.geojson) file."
    mappings = [n for n in names if n.lower().endswith(MAPPING_SUFFIXES)]
    if len(mappings) > 1:
        return f"Choose one mapping file, not {len(mappings)} ({', '.join(mappings)})."
    if len(mappings) == len(names):
        return "Only a mapping was chosen: add the export files it maps."
    return None


def import_uploads(files) -> BuildResult:
    """Builds this session's own extract from uploaded files; on success the session switches to it.

    Nothing is kept when the files have an error: the session's folder is deleted at once.
    """
    problem = check_limits(files)
    if problem:
        return BuildResult(problems=[ImportProblem("error", problem)])
    _sweep()
    UPLOAD_ROOT.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="session-", dir=UPLOAD_ROOT))  # readable by this user only
    own = OwnExtract(root, [Path(f.name).name for f in files])
    exports = root / "exports"
    exports.mkdir()
    mapping = None
    try:
        for upload in files:
            name = Path(upload.name).name
            (exports / name).write_bytes(upload.getvalue())
        mapping_files = [p for p in exports.iterdir() if p.suffix.lower() in MAPPING_SUFFIXES]
        if mapping_files:
            try:
                mapping = load_mapping(mapping_files[0])
            except MappingError as error:
                own.discard()
                return BuildResult(problems=[ImportProblem("error", str(error))])
            mapping_files[0].unlink()
        if not _IMPORTING.acquire(timeout=WAIT_SECONDS):
            own.discard()
            return BuildResult(problems=[ImportProblem(
                "error", "Another upload is being checked and took more than two minutes; please try again shortly.")])
        try:
            result = build(exports, own.folder, mapping, salt=secrets.token_hex(16))
        finally:
            _IMPORTING.release()
    except OSError as error:
        own.discard()
        return BuildResult(problems=[ImportProblem("error", f"The files could not be stored for checking ({error.strerror}).")])
    shutil.rmtree(exports, ignore_errors=True)  # only the checked extract is kept, for this session
    if not result.written:
        own.discard()
        return result
    forget()
    # The contract's own warnings are on the page already (Checks against the data contract).
    own.warnings = [p for p in result.problems if not p.is_error and not p.from_validation]
    st.session_state[SESSION_KEY] = own
    return result


def draw_notice() -> None:
    """At the top of About the data: which extract this session is looking at, and the way back."""
    own = current()
    if own is None:
        return
    st.info(
        "You are looking at the extract built from the files you uploaded "
        f"({', '.join(own.files[:6])}{' ...' if len(own.files) > 6 else ''}). Only this browser tab sees it: every "
        "page shows its figures, nothing is shared with anyone else, and it is deleted when you go back or close the tab."
    )
    if st.button("Back to the council's extract", key="forget_own_extract"):
        forget()
        st.rerun()


def draw_section() -> None:
    """Upload exports and a mapping: the importer's report, then the dashboard on that data for this session."""
    st.header("Check your own exports")
    st.markdown(
        "Upload a council's CSV or Excel exports with a mapping file that says which file is which table "
        "(see mappings/ in the project). They are checked against the data contract exactly as the command "
        "`python -m scrutiny.build_extract` checks them; when they are sound, every page of the dashboard shows "
        "their figures, in this browser tab only. Nothing is saved on the server beyond this session's own "
        "temporary folder, which is deleted afterwards. Child identifiers are replaced by salted hashes when the "
        "mapping asks for it."
    )
    st.caption(LIMITS_SENTENCE)
    # Cleared once submitted: the files are not held in the session after they have been checked.
    with st.form("own_exports", clear_on_submit=True, border=True):
        files = st.file_uploader(
            "Export files and mapping",
            type=[s.lstrip(".") for s in CSV_SUFFIXES + EXCEL_SUFFIXES + MAPPING_SUFFIXES + BOUNDARY_SUFFIXES],
            accept_multiple_files=True, key="own_export_files",
        )
        submitted = st.form_submit_button("Check and open")
    if submitted:
        with st.spinner("Checking the files against the data contract..."):
            result = import_uploads(files or [])
        if result.written:
            st.rerun()
        errors = result.errors
        st.error(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix in the files; nothing was kept. "
            "Correct them and upload the files again."
        )
        for problem in errors:
            st.error(problem.message)
        for problem in result.problems:
            if not problem.is_error:
                st.warning(problem.message)
    own = current()
    if own is not None and own.warnings:
        st.markdown("Notes from checking your files:")
        for problem in own.warnings:
            st.warning(problem.message)
