"""The package's shape, checked from its source: each module under watcher/ is parsed (ast, nothing is imported)
and its imports are read wherever they stand: at the top, inside a function (imported when first used) or under
`if TYPE_CHECKING:`.

- no import circles in watcher/, counting every import (a deferred one ties two modules all the same), but the
  few named in CIRCLES_LEFT with why;
- matching and story placement (watcher/match/, watcher/dedupe/) import neither the store, httpx nor apprise
  anywhere in their files, nor load them when imported (through the top-level imports of the watcher modules
  they import): they take values and return values;
- nothing in watcher/ imports the command line (watcher.cli) but watcher/__main__.py;
- no module is longer than MAX_LINES, but the few named in LONG with why.
"""

from __future__ import annotations

import ast
from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAX_LINES = 500
LONG = {  # module: why it is still longer than MAX_LINES
    "watcher/extract/body.py": "the extraction passes over trafilatura's output (precision, recall, put-back), "
                               "tuned together against the extraction benchmarks; to be split per pass",
}
CIRCLES_LEFT = {  # modules a circle may still run through (all of it among one entry's): why
}
PURE = ("watcher.match", "watcher.dedupe")
NOT_IN_PURE = ("watcher.store", "httpx", "apprise")


class Package:
    """The modules of the package at `root`/watcher and what each imports."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules = {self._name(p): p for p in sorted((root / "watcher").rglob("*.py"))}

    def _name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    @cached_property
    def graph(self) -> dict[str, dict[str, int]]:
        """Module -> what it imports (a watcher module when it is one, else the name as written) -> first line."""
        return {name: {t: line for t, (line, _) in self._imports(name).items()} for name in self.modules}

    @cached_property
    def loads(self) -> dict[str, dict[str, int]]:
        """Module -> what importing it imports at once: its top-level imports (not those inside a function or
        under `if TYPE_CHECKING:`)."""
        return {name: {t: line for t, (line, now) in self._imports(name).items() if now} for name in self.modules}

    def _imports(self, name: str) -> dict[str, tuple[int, bool]]:
        """What `name` imports -> (first line, whether at import time)."""
        path = self.modules[name]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        out: dict[str, tuple[int, bool]] = {}

        def visit(node: ast.AST, now: bool) -> None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                now = False
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for child in node.body:
                    visit(child, False)
                for child in node.orelse:
                    visit(child, now)
                return
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                # `from watcher.store import sources` imports the module watcher.store.sources
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in self.modules else base for a in node.names]
            for n in names:
                target = self._owner(n)
                line, was_now = out.get(target, (node.lineno, False))
                out[target] = (min(line, node.lineno), was_now or now)
            for child in ast.iter_child_nodes(node):
                visit(child, now)

        visit(tree, True)
        out.pop(name, None)
        return out

    def _owner(self, name: str) -> str:
        """The watcher module that `name` is or lies in (watcher.store.db.Store -> watcher.store.db), or `name`."""
        probe = name
        while probe and probe not in self.modules:
            probe = probe.rpartition(".")[0]
        return probe or name

    def circles(self) -> list[tuple[str, ...]]:
        """The groups of two or more modules that import each other (Tarjan's algorithm, without recursion)."""
        g = {n: [m for m in targets if m in self.modules] for n, targets in self.graph.items()}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[tuple[str, ...]] = []
        for root in g:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                node, i = work.pop()
                if i == 0:
                    index[node] = low[node] = len(index)
                    stack.append(node)
                    on_stack.add(node)
                if i < len(g[node]):
                    work.append((node, i + 1))
                    nxt = g[node][i]
                    if nxt not in index:
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                if low[node] == index[node]:
                    group = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        group.append(m)
                        if m == node:
                            break
                    if len(group) > 1:
                        found.append(tuple(sorted(group)))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return found

    def describe(self, group: tuple[str, ...]) -> str:
        ties = [f"  {a}:{line} -> {b}" for a in group for b, line in sorted(self.graph[a].items()) if b in group]
        return "\n".join([f"circle of {len(group)} modules:", *ties])

    def loaded(self, start: str) -> set[str]:
        """`start` and the watcher modules that importing it imports, directly or through others."""
        seen = {start}
        todo = [start]
        while todo:
            for m in self.loads[todo.pop()]:
                if m in self.modules and m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    def forbidden(self, stage: str, names: tuple[str, ...]) -> list[str]:
        """Where a module of `stage` imports one of `names` (anywhere in its file), or loads it when imported
        (through the top-level imports of other watcher modules): "module: where:line imports name"."""
        bad = set()
        for name in (n for n in self.modules if n == stage or n.startswith(stage + ".")):
            for via in self.loaded(name):
                for target, line in (self.graph if via == name else self.loads)[via].items():
                    if any(target == f or target.startswith(f + ".") for f in names):
                        bad.add(f"{name}: {via}:{line} imports {target}")
        return sorted(bad)


WATCHER = Package(ROOT)


def excused(circle: tuple[str, ...]) -> bool:
    return any(all(any(m == p or m.startswith(p + ".") for p in places) for m in circle) for places in CIRCLES_LEFT)


def test_no_import_circles() -> None:
    new = [g for g in WATCHER.circles() if not excused(g)]
    assert not new, "import circles in watcher/ (file:line -> module it imports):\n" + "\n".join(map(WATCHER.describe, new))


@pytest.mark.parametrize("stage", PURE)
def test_matching_and_story_placement_reach_no_store_nor_network(stage: str) -> None:
    bad = WATCHER.forbidden(stage, NOT_IN_PURE)
    assert not bad, f"{stage} must take values and return values:\n" + "\n".join(bad)


def test_nothing_below_the_command_line_imports_it() -> None:
    bad = [f"{n}:{line}" for n, targets in WATCHER.graph.items() for t, line in targets.items()
           if (t == "watcher.cli" or t.startswith("watcher.cli."))
           and n != "watcher.__main__" and not n.startswith("watcher.cli.") and n != "watcher.cli"]
    assert not bad, f"watcher.cli is imported by {bad}: move what they need out of the command line"


def test_no_module_is_too_long() -> None:
    long = {str(p.relative_to(ROOT)): n for p in WATCHER.modules.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    unexplained = {p: n for p, n in long.items() if p not in LONG}
    assert not unexplained, f"modules over {MAX_LINES} lines (split them, or say why in LONG): {unexplained}"


def test_the_checks_catch_a_circle_and_a_forbidden_import(tmp_path: Path) -> None:
    """A made-up package: a circle whose one side is imported inside a function and the other under
    TYPE_CHECKING; a matcher that names the store, and loads apprise through a helper."""
    pkg = tmp_path / "watcher"
    (pkg / "match").mkdir(parents=True)
    (pkg / "store").mkdir()
    for folder in (pkg, pkg / "match", pkg / "store"):
        (folder / "__init__.py").write_text("")
    (pkg / "helper.py").write_text("import apprise\n")
    (pkg / "store" / "db.py").write_text("def f():\n    from watcher.match import rule\n")
    (pkg / "match" / "rule.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..store.db import f\nfrom watcher import helper\n")
    made = Package(tmp_path)
    assert made.circles() == [("watcher.match.rule", "watcher.store.db")]
    assert made.forbidden("watcher.match", NOT_IN_PURE) == [
        "watcher.match.rule: watcher.helper:1 imports apprise",
        "watcher.match.rule: watcher.match.rule:3 imports watcher.store.db",
    ]
    assert made.forbidden("watcher.store", ("apprise",)) == []  # db.py imports rule only when f() runs
