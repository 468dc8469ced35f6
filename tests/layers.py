"""The package's real import graph, read from its source files, and its layer rules.

Every ``import`` and ``from ... import`` statement counts, wherever it stands (module
level or inside a function: lazy imports included), and so does every string constant
that names a ``paretoprice`` module on its own (``"paretoprice.solvers.grid:GridSolver"``
in a registry, ``importlib.import_module("paretoprice.app.cli")``).

Layers, highest first; a module may import its own layer or any lower one, never a
higher one (imports for type checkers only included), and no chain of imports that run
may come back to where it started:

==  ===========================  ======================================================
3   application                  ``paretoprice`` (root), ``paretoprice.app``, the problem
                                 scripts ``paretoprice.problems.<script>``
2   solvers and benchmarks       ``paretoprice.solvers``, ``paretoprice.benchmarks``
1   families and exact engine    ``paretoprice.optim.families``, ``paretoprice.problems``
                                 (the catalogue), ``paretoprice.solvers.exact`` (all but
                                 ``backend``)
0   kernel                       ``paretoprice.optim``
==  ===========================  ======================================================

The most specific prefix decides a module's layer.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYER_NAMES = ("kernel", "families and exact engine", "solvers and benchmarks", "application")

# prefix -> layer; the longest matching prefix wins
LAYER_OF_PREFIX: dict[str, int] = {
    "paretoprice": 3,
    "paretoprice.app": 3,
    "paretoprice.solvers": 2,
    "paretoprice.benchmarks": 2,
    "paretoprice.solvers.exact": 1,
    "paretoprice.solvers.exact.backend": 2,
    "paretoprice.optim.families": 1,
    "paretoprice.problems": 1,
    "paretoprice.optim": 0,
}

_MODULE_STRING = re.compile(r"^(paretoprice(?:\.\w+)+)(?::\w+)?$")


def source_files(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> source file, for every module the wheel installs.

    The package-to-folder map is read from ``pyproject.toml`` (the same one setuptools
    uses), so the graph is the installed package's, folder for folder.
    """
    cfg = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    st = cfg["tool"]["setuptools"]
    package_dir: dict[str, str] = st["package-dir"]
    out: dict[str, Path] = {}
    for package in st["packages"]:
        # the folder of a package: its own mapping, or its nearest mapped parent's + rest
        parts = package.split(".")
        for i in range(len(parts), 0, -1):
            head = ".".join(parts[:i])
            if head in package_dir:
                folder = root / package_dir[head] / Path(*parts[i:])
                break
        else:  # pragma: no cover - every package is mapped
            raise AssertionError(f"package {package} has no folder in package-dir")
        for py in sorted(folder.glob("*.py")):
            name = package if py.stem == "__init__" else f"{package}.{py.stem}"
            out[name] = py
    return out


def layer_of(module: str) -> int:
    """The layer of a ``paretoprice`` module (longest matching prefix)."""
    best, layer = -1, -1
    for prefix, value in LAYER_OF_PREFIX.items():
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
            best, layer = len(prefix), value
    if module.startswith("paretoprice.problems.") and module.count(".") == 2:
        layer = 3  # a problem script (python -m paretoprice.problems.idx_dr)
    return layer


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks (never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for stmt in node.body:
                out.update(id(n) for n in ast.walk(stmt))
    return out


def imports_of(module: str, source: str, is_package: bool, known: Iterable[str],
               runtime_only: bool = False) -> set[str]:
    """The ``paretoprice`` modules that ``module`` imports (statements and strings).

    ``runtime_only`` leaves out imports under ``if TYPE_CHECKING:``, which never run.
    """
    known = set(known)
    found: set[str] = set()

    def add(name: str) -> None:
        # the most specific known module named by ``name`` (a module or a name in one)
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)

    tree = ast.parse(source)
    skip = _type_checking_nodes(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("paretoprice"):
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            if target.startswith("paretoprice"):
                for alias in node.names:
                    add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known
                        else target)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = _MODULE_STRING.match(node.value)
            if m:
                add(m.group(1))
    return found


@dataclass(frozen=True)
class Violation:
    """One import that breaks the rules."""

    importer: str
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported}: {self.why}"


def import_graph(sources: Mapping[str, str], packages: Iterable[str],
                 runtime_only: bool = False) -> dict[str, set[str]]:
    """Module -> the ``paretoprice`` modules it imports (``packages``: the package names,
    whose source is an ``__init__.py``, for relative imports; ``runtime_only``: leave out
    imports made for type checkers only)."""
    packages = set(packages)
    return {m: imports_of(m, text, m in packages, sources, runtime_only)
            for m, text in sources.items()}


def violations(graph: Mapping[str, set[str]],
               runtime: Mapping[str, set[str]] | None = None) -> list[Violation]:
    """Upward imports in ``graph`` and import cycles in ``runtime`` (default ``graph``).

    An import made for type checkers only still ties a layer to a higher one, so it
    counts as upward; it never runs, so it makes no cycle.
    """
    out: list[Violation] = []
    for importer, targets in sorted(graph.items()):
        for imported in sorted(targets):
            lo, hi = layer_of(importer), layer_of(imported)
            if hi > lo:
                out.append(Violation(importer, imported,
                                     f"upward import ({LAYER_NAMES[lo]} -> {LAYER_NAMES[hi]})"))
    for cycle in cycles(graph if runtime is None else runtime):
        out.append(Violation(cycle[0], cycle[1], "import cycle among " + ", ".join(cycle)))
    return out


def check(sources: Mapping[str, str], packages: Iterable[str]) -> list[Violation]:
    """Every violation of the rules in the package whose sources are ``sources``."""
    return violations(import_graph(sources, packages),
                      import_graph(sources, packages, runtime_only=True))


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def read_sources(root: Path = ROOT) -> tuple[dict[str, str], set[str]]:
    """Module name -> source text of the whole package, and the names of its packages."""
    files = source_files(root)
    packages = {m for m, p in files.items() if p.name == "__init__.py"}
    return {m: p.read_text(encoding="utf-8") for m, p in files.items()}, packages
