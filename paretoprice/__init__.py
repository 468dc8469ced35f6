"""paretoprice: Pareto-optimal prices for healthcare AI services.

One import name, four layers that only import downward (``docs/architecture.md``):

* :mod:`paretoprice.app` -- command line, problem scripts' runner, plots, analysis,
  reports;
* :mod:`paretoprice.solvers` and :mod:`paretoprice.benchmarks` -- backends behind one
  protocol, the benchmark suite;
* :mod:`paretoprice.optim.families` (payment-model families), :mod:`paretoprice.problems`
  (bundled problem files) and the exact engine (:mod:`paretoprice.solvers.exact.engine`);
* :mod:`paretoprice.optim` -- the kernel: specification, problem, front, indicators,
  anchors, adoption, errors.

The names most users need are importable from here, lazily (``import paretoprice``
loads nothing heavy)::

    from paretoprice import load_problem, solve

    problem = load_problem("idx-dr")        # or the path of your own TOML file
    front = solve(problem, "grid")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_EXPORTS: dict[str, str] = {
    "load_problem": "paretoprice.problems",
    "build_problem": "paretoprice.optim.families",
    "solve": "paretoprice.solvers",
    "ParetoFront": "paretoprice.optim.front",
    "PricingProblem": "paretoprice.optim.problem",
    "ParetoPriceError": "paretoprice.optim.errors",
    "ParameterError": "paretoprice.optim.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'paretoprice' has no attribute {name!r}")
