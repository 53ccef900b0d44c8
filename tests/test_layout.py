"""The README's layout table has one line per folder of the project, and every folder it names exists."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.helpers import REPO_ROOT

# Folders two levels down at most (scrutiny/topics/ needs a line; scrutiny/topics/reach/ is part of it).
DEPTH = 2


def layout_table() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


def ignored_folders() -> set[str]:
    lines = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip().endswith("/")}


def project_folders() -> set[str]:
    """Folders holding the project's own files, not what tools and runs leave behind."""
    skip, found = ignored_folders(), set()
    for folder, subfolders, files in os.walk(REPO_ROOT):
        relative = Path(folder).relative_to(REPO_ROOT)
        # Pruned here, so a virtualenv or node_modules is never walked. Hidden folders (an editor's
        # settings on someone's machine) need no line, though the project's own have one.
        subfolders[:] = [name for name in subfolders
                         if name not in skip and not name.startswith(".") and len(relative.parts) < DEPTH]
        if relative.parts and any(not name.endswith((".pyc", ".partial")) for name in files):
            found.add(relative.as_posix() + "/")
    return found


def test_every_folder_has_a_line_in_the_layout_table():
    listed = set(layout_table())
    missing = sorted(project_folders() - listed)
    assert not missing, f"README.md's Project layout table has no line for {missing}"


def test_every_path_in_the_layout_table_exists():
    listed = layout_table()
    assert "pages/" in listed and "dashboard.py" in listed
    assert not [path for path in listed if not (REPO_ROOT / path).exists()]
