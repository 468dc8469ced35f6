"""The package's shape: one import name, layers that only import downward, no cycles.

The rules and the graph are in ``tests/layers.py``; the layer table is in
``docs/architecture.md``.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.layers import (
    ROOT,
    check,
    cycles,
    import_graph,
    layer_of,
    read_sources,
    source_files,
)


def test_no_upward_or_cyclic_import() -> None:
    sources, packages = read_sources()
    found = check(sources, packages)
    assert not found, "layer rules broken:\n" + "\n".join(map(str, found))


def test_every_module_has_a_layer() -> None:
    unknown = [m for m in source_files() if layer_of(m) < 0]
    assert not unknown


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        # a lazy import inside a function, from the kernel up to the application
        ("paretoprice.optim.spec",
         "\n\ndef _planted():\n    from paretoprice.app.cli import main\n    return main\n"),
        # a module-level import from a family up to the solvers
        ("paretoprice.optim.families.ffs", "\nimport paretoprice.solvers.grid\n"),
        # a registry string naming a module of a higher layer
        ("paretoprice.solvers.exact.engine", '\n_PLANTED = "paretoprice.benchmarks.suite:x"\n'),
        # a relative import from the exact engine up to its backend
        ("paretoprice.solvers.exact.nise", "\nfrom .backend import ExactSolver\n"),
    ],
)
def test_checker_fails_on_a_planted_upward_import(module: str, planted: str) -> None:
    sources, packages = read_sources()
    assert not check(sources, packages)
    sources[module] += planted
    found = check(sources, packages)
    upward = [v for v in found if "upward import" in v.why]
    assert [v.importer for v in upward] == [module], found


def test_checker_fails_on_a_planted_cycle() -> None:
    sources, packages = read_sources()
    # the kernel's front imports its indicators; make the indicators import the front
    sources["paretoprice.optim.indicators"] += (
        "\n\ndef _planted():\n    from paretoprice.optim.front import ParetoFront\n"
        "    return ParetoFront\n")
    graph = import_graph(sources, packages, runtime_only=True)
    assert ["paretoprice.optim.front", "paretoprice.optim.indicators"] in cycles(graph)
    assert any("cycle" in v.why for v in check(sources, packages))


def test_type_only_imports_count_as_upward_but_make_no_cycle() -> None:
    sources, packages = read_sources()
    sources["paretoprice.optim.anchors"] += (
        "\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from paretoprice.solvers.grid import GridSolver\n"
        "    from paretoprice.optim.front import ParetoFront\n")
    found = check(sources, packages)
    assert [str(v) for v in found] == [
        "paretoprice.optim.anchors -> paretoprice.solvers.grid: upward import "
        "(kernel -> solvers and benchmarks)"]


def test_every_package_folder_is_listed_for_installation() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    st = cfg["tool"]["setuptools"]
    listed = set(st["packages"])
    found = set()
    for name, folder in st["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]))
    assert found == listed, f"not listed: {sorted(found - listed)}; stale: {sorted(listed - found)}"


def test_the_wheel_installs_one_top_level_name(tmp_path: Path) -> None:
    """``pip install .`` adds exactly ``paretoprice`` (and its dist-info) to site-packages."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("paretoprice-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"paretoprice"}
    # the kernel, the engine, the application, bundled data and benchmark references
    for path in ("paretoprice/optim/front.py", "paretoprice/solvers/exact/engine.py",
                 "paretoprice/app/cli.py", "paretoprice/problems/data/idx-dr.toml",
                 "paretoprice/benchmarks/data/mokp/2kp50/pareto_sols.csv"):
        assert path in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        assert "paretoprice = paretoprice.app.cli:main" in zf.read(entry).decode()


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(proc.stdout.split())


def test_importing_the_package_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import paretoprice, paretoprice.optim, paretoprice.app")
    assert not loaded & {"numpy", "pandas", "pymoo", "pyomo", "moocore", "matplotlib"}


def test_the_kernel_does_not_load_a_family() -> None:
    loaded = _loaded_after("import paretoprice.optim.front, paretoprice.optim.spec")
    assert not {m for m in loaded if m.startswith(("paretoprice.optim.families",
                                                    "paretoprice.solvers",
                                                    "paretoprice.app"))}
