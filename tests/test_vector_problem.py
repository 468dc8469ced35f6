"""Solvers take any object with the VectorProblem members (bounds, senses, a vectorized
evaluate), and check every declared capability before a run."""

from __future__ import annotations

import numpy as np
import pytest

from paretoprice.optim.errors import CapabilityError, ParameterError
from paretoprice.optim.problem import Evaluation, Guardrail, VectorAdapter, as_solvable
from paretoprice.optim.spec import Bounds
from paretoprice.solvers import get_solver, names, solve
from paretoprice.solvers.base import Capability


class Segment:
    """Two objectives on one decision x in [0, 1]: f1 = x, f2 = 1 - x, both minimized.

    Every x is Pareto-optimal and f1 + f2 = 1 on the whole front (by hand)."""

    name = "segment"
    objective_names = ("f1", "f2")
    senses = ("min", "min")
    guardrails: tuple[Guardrail, ...] = ()

    def __init__(self, step: float | None = None) -> None:
        self.bounds = (Bounds(lower=0.0, upper=1.0, step=step),)

    def evaluate(self, X: np.ndarray, report: bool = True) -> Evaluation:
        x = np.asarray(X, dtype=float)[:, 0]
        return Evaluation({"f1": x, "f2": 1.0 - x}, {})


def test_nsga2_solves_a_plain_vector_problem() -> None:
    front = solve(Segment(), "nsga2", seed=3, pop_size=20, n_gen=10)
    F = front.objectives
    assert len(front) >= 10
    np.testing.assert_allclose(F.sum(axis=1), 1.0)
    assert front.decision_names == ["x1"] and front.provenance.problem == "segment"
    assert len(front.provenance.problem_hash) == 16


def test_grid_solves_a_laddered_vector_problem_exactly() -> None:
    front = solve(Segment(step=0.25), "grid")
    # ladder 0, 0.25, 0.5, 0.75, 1: every point is nondominated
    np.testing.assert_array_equal(np.sort(front.decisions[:, 0]), [0.0, 0.25, 0.5, 0.75, 1.0])


def test_grid_needs_a_ladder() -> None:
    with pytest.raises(CapabilityError, match="ladder"):
        solve(Segment(), "grid")


def test_exact_needs_a_choice_structure() -> None:
    # laddered, so the ladder check passes; the exact form is what is missing
    with pytest.raises(CapabilityError, match="exact form"):
        solve(Segment(step=0.25), "exact")


def test_every_backend_declares_enum_capabilities() -> None:
    for name in names():
        caps = get_solver(name).capabilities
        assert caps and all(isinstance(c, Capability) for c in caps)
    assert Capability.CHOICE_STRUCTURE in get_solver("exact").capabilities


def test_adapter_rejects_bad_senses_and_leaves_pricing_problems_alone(idx_dr) -> None:
    bad = Segment()
    bad.senses = ("min", "up")  # deliberately wrong
    with pytest.raises(ParameterError, match="senses"):
        VectorAdapter(bad)
    assert as_solvable(idx_dr) is idx_dr
