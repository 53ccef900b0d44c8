"""Which pages use each named query, worked out from the source code.

A page uses a query when the page's own code, or a function it names (followed from module
to module through `dashboard.py`, `pages/` and `scrutiny/`), calls `run("query_name", ...)`
with the name written out. The sidebar in dashboard.py is drawn on every page. Naming a
function counts as calling it, so a page is listed when in doubt: this is a map from a
figure to its SQL, not a proof that every query runs on every visit.

Each query's header comment ends with what this finds, and docs/queries.md lists it both
ways (query to pages, page to queries). `python -m scrutiny.docs` rewrites both; a test
checks they are current and that a page really runs no query missing from its list.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from scrutiny.extract import REPO_ROOT

ENTRY = "dashboard.py"  # its sidebar is drawn on every page
SIDEBAR = "every page (the sidebar, dashboard.py)"
QUERY_DIR = REPO_ROOT / "queries"
DERIVED_DIR = QUERY_DIR / "derived"
HEADER_LINE = re.compile(r"^--")
USED_ON, RUN_FROM, READ_BY = "-- Used on:", "-- Run from:", "-- Read by:"


@dataclass
class _Module:
    path: str  # relative to the repository, e.g. scrutiny/reach.py
    defs: dict[str, ast.AST] = field(default_factory=dict)  # top-level functions, classes and names
    body: list[ast.AST] = field(default_factory=list)  # the module's own statements
    modules: dict[str, str] = field(default_factory=dict)  # local name -> module path
    symbols: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module path, name)


def _module_path(dotted: str) -> str | None:
    """The repository file of a module such as scrutiny.reach, or None outside the project."""
    base = REPO_ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(REPO_ROOT).as_posix()
    return None


def _package_of(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] != "__init__" else parts[:-1])


@cache
def _parse(path: str) -> _Module:
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    module = _Module(path)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            module.defs[node.name] = node
            continue
        module.body.append(node)
        # A module-level name (a table of rules, a dictionary of sections) leads to what it holds.
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    module.defs.setdefault(name.id, node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _module_path(alias.name)
                if target and alias.asname:
                    module.modules[alias.asname] = target
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                package = _package_of(path).split(".")
                source = ".".join(package[: len(package) - node.level + 1] + ([source] if source else []))
            for alias in node.names:
                local = alias.asname or alias.name
                if target := _module_path(f"{source}.{alias.name}"):
                    module.modules[local] = target
                elif target := _module_path(source):
                    module.symbols[local] = (target, alias.name)
    return module


def _query_names() -> set[str]:
    return {path.stem for path in QUERY_DIR.glob("*.sql")}


def _calls_run(node: ast.Call, names: set[str]) -> str | None:
    """The query a call such as queries.run("reach_by_centre", ...) names, else None."""
    callee = node.func
    called = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
    if called == "run" and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in names:
        return node.args[0].value
    return None


@dataclass(frozen=True)
class _Unit:
    path: str
    name: str  # "" for the module's own statements


def _look_inside(unit: _Unit, names: set[str]) -> tuple[set[str], set[_Unit]]:
    """The queries a unit runs itself and the units (functions, classes) it names."""
    module = _parse(unit.path)
    if unit.name:
        if unit.name not in module.defs:
            if unit.name in module.symbols:  # a name the module imported from elsewhere
                return set(), {_Unit(*module.symbols[unit.name])}
            return set(), set()
        nodes = [module.defs[unit.name]]
    else:
        nodes = module.body
    queries, named = set(), set()
    for node in (inner for top in nodes for inner in ast.walk(top)):
        if isinstance(node, ast.Call) and (query := _calls_run(node, names)):
            queries.add(query)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in module.defs:
                named.add(_Unit(unit.path, node.id))
            elif node.id in module.symbols:
                named.add(_Unit(*module.symbols[node.id]))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in module.modules:
            named.add(_Unit(module.modules[node.value.id], node.attr))
    return queries, named


def _reached_from(path: str, names: set[str]) -> tuple[set[str], set[str]]:
    """The queries a page (or dashboard.py) can run, and the files whose code calls them."""
    start = [_Unit(path, "")] + [_Unit(path, name) for name in _parse(path).defs]
    seen, todo, queries, callers = set(start), list(start), set(), set()
    while todo:
        unit = todo.pop()
        runs, named = _look_inside(unit, names)
        if runs:
            queries |= runs
            callers |= {(unit.path, query) for query in runs}
        for other in named - seen:
            seen.add(other)
            todo.append(other)
    return queries, callers


@cache
def page_titles() -> dict[str, str]:
    """Each page registered in dashboard.py (st.Page("pages/x.py", title=...)), in the navigation's order."""
    titles = {}
    for node in ast.walk(ast.parse((REPO_ROOT / ENTRY).read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args
                and isinstance(node.args[0], ast.Constant)):
            title = next((k.value.value for k in node.keywords if k.arg == "title"), node.args[0].value)
            titles[node.args[0].value] = title
    return titles


@dataclass(frozen=True)
class QueryUse:
    pages: dict[str, list[str]]  # page path (or dashboard.py) -> the named queries it can run
    run_from: dict[str, list[str]]  # query -> the files whose code calls run() with its name


@cache
def _query_use(version: tuple) -> QueryUse:
    names = _query_names()
    pages, callers = {}, set()
    for path in [ENTRY, *page_titles()]:
        queries, found = _reached_from(path, names)
        pages[path] = sorted(queries)
        callers |= found
    run_from = {name: sorted({path for path, query in callers if query == name}) for name in sorted(names)}
    return QueryUse(pages, run_from)


def _source_version() -> tuple:
    """Changes when any Python file of the app changes, so a long-lived process never answers from old code."""
    files = [REPO_ROOT / ENTRY, *sorted((REPO_ROOT / "pages").glob("*.py")), *sorted((REPO_ROOT / "scrutiny").rglob("*.py"))]
    return tuple((str(f), f.stat().st_mtime_ns) for f in files)


def query_use() -> QueryUse:
    _parse.cache_clear()
    page_titles.cache_clear()
    return _query_use(_source_version())


def page_label(path: str) -> str:
    return SIDEBAR if path == ENTRY else f"{page_titles().get(path, path)} ({path})"


def pages_using(name: str, use: QueryUse | None = None) -> list[str]:
    """The pages that use a named query, the sidebar first and then in the navigation's order."""
    use = use or query_use()
    return [path for path, queries in use.pages.items() if name in queries]


def derived_readers(name: str) -> list[str]:
    """The named queries and other summaries whose SQL reads a summary made when the extract opens."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    readers = []
    for path in sorted(QUERY_DIR.glob("*.sql")) + sorted(DERIVED_DIR.glob("*.sql")):
        if path.stem != name and word.search(_without_comments(path.read_text(encoding="utf-8"))):
            readers.append(path.stem)
    return readers


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _wrapped(first: str, entries: list[str], between: str, none: str) -> list[str]:
    """Comment lines of at most 100 characters that break between entries, never inside one."""
    words = between.join(entry.replace(" ", "\u00a0") for entry in entries) + "." if entries else none
    lines = textwrap.wrap(f"{first} {words}", width=100, subsequent_indent="--   ", break_on_hyphens=False)
    return [line.replace("\u00a0", " ") for line in lines]


def used_by_lines(path: Path, use: QueryUse | None = None) -> list[str]:
    """The comment lines that end a query's header: the pages that use it and the code that runs it
    (for a summary in queries/derived/, the queries that read it)."""
    if path.parent == DERIVED_DIR:
        readers = derived_readers(path.stem)
        return _wrapped(READ_BY, readers, ", ", "no named query.")
    use = use or query_use()
    pages = [page_label(page) for page in pages_using(path.stem, use)]
    return (_wrapped(USED_ON, pages, "; ", "no page.")
            + _wrapped(RUN_FROM, use.run_from[path.stem], ", ", "nowhere."))


def _split_header(text: str) -> tuple[list[str], list[str]]:
    """A query file's header comment (without its used-by lines and the empty comment before them) and the rest."""
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines) if not HEADER_LINE.match(line)), len(lines))
    header, rest = lines[:end], lines[end:]
    cut = next((i for i, line in enumerate(header) if line.startswith((USED_ON, READ_BY))), len(header))
    header = header[:cut]
    while header and header[-1].strip() == "--":
        header.pop()
    return header, rest


def with_used_by(path: Path, use: QueryUse | None = None) -> str:
    """The query file's text with its used-by lines as the code says they are."""
    header, rest = _split_header(path.read_text(encoding="utf-8"))
    return "\n".join(header + ["--"] + used_by_lines(path, use) + rest)


def query_files() -> list[Path]:
    return sorted(QUERY_DIR.glob("*.sql")) + sorted(DERIVED_DIR.glob("*.sql"))


def rewrite_headers() -> list[Path]:
    """Brings every query file's used-by lines up to date; returns the files it changed."""
    use, changed = query_use(), []
    for path in query_files():
        text = with_used_by(path, use)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
