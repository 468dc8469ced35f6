"""Multi-objective knapsack benchmark instances (AUGMECON literature) and their models.

The CSV files live in ``benchmarks/data/mokp/`` (origin and licence in its README).
Each instance: binary items ``x``, knapsack constraints ``a x <= b``, objectives
``c_j x``, all maximized, and the exact nondominated set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paretoprice.optim.errors import UnknownNameError

DATA_DIR = Path(__file__).resolve().parent / "data" / "mokp"
INSTANCES: tuple[str, ...] = ("2kp50", "2kp100", "3kp40", "4kp50", "3kp50")
"""Every bundled instance; :data:`DEFAULT_INSTANCES` are the ones benchmarked by default
(3kp50, 1,048 points, takes the MILP engine many minutes)."""

DEFAULT_INSTANCES: tuple[str, ...] = ("2kp50", "2kp100", "3kp40", "4kp50")


def _read(path: Path) -> np.ndarray:
    """A CSV with a header row and an index column, as a 2-D float array (index dropped)."""
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)[:, 1:]


def load_mokp(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The data of one instance.

    Parameters
    ----------
    name
        One of :data:`INSTANCES`.

    Returns
    -------
    a : numpy.ndarray
        ``(m, n)`` constraint coefficients.
    b : numpy.ndarray
        ``(m,)`` capacities.
    c : numpy.ndarray
        ``(k, n)`` objective coefficients (all maximized).
    pareto : numpy.ndarray
        ``(p, k)`` exact nondominated objective vectors.
    """
    if name not in INSTANCES:
        raise UnknownNameError("name", name, INSTANCES, owner="load_mokp")
    folder = DATA_DIR / name
    a = _read(folder / "a.csv")
    b = _read(folder / "b.csv").reshape(-1)
    c = _read(folder / "c.csv")
    pareto = _read(folder / "pareto_sols.csv")
    return a, b, c, pareto


def build_mokp_model(name: str):  # -> pyomo.environ.ConcreteModel (imported lazily)
    """The Pyomo model of one instance, objectives in ``obj_list`` (pyaugmecon's form).

    Binary ``x[i]`` per item, one constraint ``sum_i a[r, i] x[i] <= b[r]`` per row of
    ``a``, and one maximized objective ``sum_i c[j, i] x[i]`` per row of ``c``, all
    deactivated (only ``obj_list`` is read by the exact engine).
    """
    import pyomo.environ as pyo

    a, b, c, _ = load_mokp(name)
    model = pyo.ConcreteModel(name=f"mokp-{name}")
    model.ITEMS = pyo.RangeSet(0, a.shape[1] - 1)
    model.ROWS = pyo.RangeSet(0, a.shape[0] - 1)
    model.x = pyo.Var(model.ITEMS, domain=pyo.Binary)
    model.capacity = pyo.Constraint(
        model.ROWS,
        rule=lambda m, r: sum(float(a[r, i]) * m.x[i] for i in m.ITEMS if a[r, i]) <= float(b[r]),
    )
    model.obj_list = pyo.ObjectiveList()
    for j in range(c.shape[0]):
        model.obj_list.add(expr=sum(float(c[j, i]) * model.x[i] for i in model.ITEMS),
                           sense=pyo.maximize)
    model.obj_list.deactivate()
    return model
