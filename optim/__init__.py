"""paretoprice core: problem specification, value anchors, pricing models, Pareto fronts.

The names most users need::

    from optim import load_problem, ParetoFront
    from solvers import solve
"""

from __future__ import annotations

from optim.anchors import Anchor, Anchors, annuity, compute_anchors
from optim.errors import (
    CapabilityError,
    InfeasibleProblemError,
    ParameterError,
    ParetoPriceError,
    ProblemFileError,
)
from optim.families import FAMILIES, build_problem, load_problem_file
from optim.problem import Evaluation, PricingProblem

__version__ = "0.1.0"

__all__ = [
    "FAMILIES",
    "Anchor",
    "Anchors",
    "CapabilityError",
    "Evaluation",
    "InfeasibleProblemError",
    "ParameterError",
    "ParetoPriceError",
    "PricingProblem",
    "ProblemFileError",
    "__version__",
    "annuity",
    "build_problem",
    "compute_anchors",
    "load_problem",
    "load_problem_file",
]


def load_problem(name_or_path: str) -> PricingProblem:
    """A bundled problem by name (``idx-dr``) or a TOML problem file by path."""
    from problems import load_problem as _load

    return _load(name_or_path)
