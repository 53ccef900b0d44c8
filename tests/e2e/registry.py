"""The pages registered in dashboard.py, read from its st.Page(...) calls.

The browser, accessibility, bad-input and disclosure tests all loop over this
list, so a page added to dashboard.py is covered without changing them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Page:
    script: str      # pages/reach.py
    title: str
    url_path: str    # reach
    default: bool = False  # the home page, served at / (its url_path gives "Page not found")

    @property
    def name(self) -> str:
        """The page's name in the data contract's PAGE_TABLES (its file stem)."""
        return Path(self.script).stem

    @property
    def address(self) -> str:
        """The path after the server's address: "" for the home page, else its url_path."""
        return "" if self.default else self.url_path

    def __str__(self) -> str:
        return self.url_path


def registered_pages() -> list[Page]:
    """Every st.Page(...) in dashboard.py, in the order the navigation shows them."""
    tree = ast.parse((REPO_ROOT / "dashboard.py").read_text(encoding="utf-8"))
    pages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args:
            script = ast.literal_eval(node.args[0])
            keywords = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in ("title", "url_path", "default")}
            stem = Path(script).stem
            pages.append(Page(script, keywords.get("title", stem), keywords.get("url_path", stem), bool(keywords.get("default"))))
    return pages


PAGES = registered_pages()
