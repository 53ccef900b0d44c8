"""Uploading exports on About the data: an extract for this session only, checked as the command checks it.

The exports are the tiny extract written as Wealdshire's system writes it (sample_data.export),
with the shipped mapping. Each test points the upload folder at its own temporary folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sample_data.export import export
from scrutiny import uploads
from scrutiny.extract import REPO_ROOT
from tests import tiny_extract
from tests.e2e.walk import visible_text
from tests.helpers import open_app, texts

MAPPING = REPO_ROOT / "mappings" / "wealdshire.yaml"


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("upload-export")
    export(tiny_extract.write_extract(tmp_path_factory.mktemp("upload-extract")), out)
    return out


@pytest.fixture
def upload_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "uploads"
    monkeypatch.setattr(uploads, "UPLOAD_ROOT", root)
    return root


def upload(at, files: list[tuple[str, bytes]]):
    at.file_uploader(key="own_export_files").set_value([(name, data, "application/octet-stream") for name, data in files])
    next(b for b in at.button if b.label == "Check and open").click().run()
    return at


def export_files(folder: Path, with_mapping: bool = True) -> list[tuple[str, bytes]]:
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    return files + ([(MAPPING.name, MAPPING.read_bytes())] if with_mapping else [])


def test_uploaded_exports_become_this_sessions_extract_and_nobody_elses(tiny, tiny_export, upload_root, summaries_cache):
    at = open_app("pages/data.py")
    cached_before = set(summaries_cache.rglob("*"))  # the council's extract's, prepared on opening
    assert "Up to 30 files at once, 200 MB each and 300 MB in all" in texts(at)
    upload(at, export_files(tiny_export))
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    assert "You are looking at the extract built from the files you uploaded" in shown
    assert "**Authority:** Wealdshire County Council" in shown  # from the mapping, not the tiny extract's own
    assert "your uploaded files" in shown
    sessions = list(upload_root.iterdir())
    assert len(sessions) == 1 and (sessions[0] / "extract" / "children.parquet").is_file()
    assert not (sessions[0] / "exports").exists(), "only the checked extract is kept, not the uploaded files"
    # The summaries of an upload are worked out in memory: nothing is added to the shared cache folder.
    assert set(summaries_cache.rglob("*")) == cached_before

    # Every page of this session shows the uploaded figures: the tiny extract's, with the
    # child IDs replaced by salted hashes.
    at.switch_page("pages/reach.py").run()
    assert not at.exception
    mine = visible_text(at)
    other = open_app("pages/reach.py")  # another session, at the same moment
    assert "Wealdshire" not in visible_text(other)
    assert "children reached" in mine.lower()
    # The same page but for what the mapping states about the extract (authority, date).
    def plain(text: str) -> str:
        for said in ("Wealdshire County Council", tiny_extract.EXTRACT_INFO["authority"], "30 June 2025", "30 June 2024"):
            text = text.replace(said, "...")
        return text

    assert plain(mine) == plain(visible_text(other))

    # Going back deletes the session's folder at once.
    at.switch_page("pages/data.py").run()
    next(b for b in at.button if b.label == "Back to the council's extract").click().run()
    assert "You are looking at the extract built" not in texts(at)
    assert list(upload_root.iterdir()) == []


def test_an_upload_with_an_error_keeps_nothing_and_says_what_to_fix(tiny, tiny_export, upload_root, tmp_path):
    spoilt = Path(shutil.copytree(tiny_export, tmp_path / "spoilt"))
    (spoilt / "Indicators.csv").write_bytes(b"")
    at = upload(open_app("pages/data.py"), export_files(spoilt))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == "1 problem to fix in the files; nothing was kept. Correct them and upload the files again."
    assert errors[1] == "Indicators.csv is empty (0 bytes): export the indicators table again."
    assert list(upload_root.iterdir()) == []
    assert "You are looking at the extract built" not in texts(at)


@pytest.mark.parametrize("case", ["too many", "too big", "only a mapping", "two mappings"])
def test_upload_limits_are_enforced_with_a_sentence(case, tiny, tiny_export, upload_root, monkeypatch):
    files = export_files(tiny_export)
    expected = {
        "too many": "You chose 31 files; at most 30 can be checked at once. Leave some out and try again.",
        "too big": "The files come to 4 MB; at most 3 MB can be checked here. For a bigger export, build the extract "
                   "with the command (python -m scrutiny.build_extract).",
        "only a mapping": "Only a mapping was chosen: add the export files it maps.",
        "two mappings": "Choose one mapping file, not 2 (wealdshire.yaml, other.yml).",
    }[case]
    if case == "too many":
        files += [(f"extra{i}.csv", b"a,b\n1,2\n") for i in range(31 - len(files))]
    elif case == "too big":
        monkeypatch.setattr(uploads, "MAX_TOTAL_MB", 3)
        files = [("Big.csv", b"a,b\n" + b"1,2\n" * (1024 * 1024))] + files[-1:]
    elif case == "only a mapping":
        files = files[-1:]
    elif case == "two mappings":
        files += [("other.yml", b"tables: {}")]
    at = upload(open_app("pages/data.py"), files)
    assert not at.exception
    assert expected in [e.value for e in at.error]
    assert not upload_root.exists() or list(upload_root.iterdir()) == []


def test_a_file_that_is_no_export_is_refused_by_the_server_too():
    # The browser's file picker offers only these types; the server checks again.
    class Chosen:
        def __init__(self, name, size):
            self.name, self.size = name, size

    assert uploads.check_limits([Chosen("notes.txt.exe", 2), Chosen("map.yaml", 2)]) == (
        "notes.txt.exe is not a CSV, Excel (.xlsx), mapping (.yaml) or boundaries (.geojson) file.")
    assert uploads.check_limits([Chosen("a.csv", 2), Chosen("A.CSV", 2)]) == (
        "Two of the files have the same name: rename one and try again.")
    assert uploads.check_limits([]) == "Choose the export files (and the mapping file) first."


def test_a_dropped_session_deletes_its_folder(tmp_path):
    """Streamlit drops a session's state when the session ends; the extract's folder goes with it."""
    import gc

    root = tmp_path / "session-x"
    (root / "extract").mkdir(parents=True)
    (root / "extract" / "centres.parquet").write_bytes(b"PAR1")
    own = uploads.OwnExtract(root, ["Sites.csv"])
    state = {uploads.SESSION_KEY: own}
    del own
    state.clear()
    gc.collect()
    assert not root.exists()


def test_folders_left_by_a_stopped_server_are_swept_after_the_maximum_age(upload_root):
    import os
    import time

    old, recent = upload_root / "session-old", upload_root / "session-new"
    for folder in (old, recent):
        (folder / "extract").mkdir(parents=True)
    hours_ago = time.time() - (uploads.MAX_AGE_HOURS + 1) * 3600
    os.utime(old, (hours_ago, hours_ago))
    uploads._sweep()
    assert not old.exists() and recent.exists()
