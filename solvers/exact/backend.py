"""The ``exact`` backend: exact Pareto fronts of laddered problems and of user Pyomo models.

**Laddered problems** (any family whose decisions all have a ladder step). The problem's
exact form, :meth:`~paretoprice.optim.problem.PricingProblem.choice_structure`, is a multi-objective
multiple-choice knapsack: groups of options (one per service, or one group holding every
feasible ladder point), exactly one option chosen per group, each objective a sum of the
chosen options' contributions, linear coupling constraints such as an annual budget. It
is compiled to a Pyomo model (one binary per option) and solved with the augmented
epsilon-constraint engine (:func:`paretoprice.solvers.exact.solve_epsilon_constraint`) on one
persistent HiGHS model.

The engine is exact for integer-valued objectives. Contributions in dollars or shares are
therefore counted in whole multiples of a *resolution* per objective (by default one
millionth of the objective's range over the ladder; settable per objective in its own
units). The guarantee is stated, not hidden: every nondominated point of the ladder is
found, except a point that some found point matches to within ``n_groups x resolution``
in every objective. The decisions found are then re-evaluated with the problem's own
vectorized model, so the objective values reported are exact, not rounded.

A problem with one group and no coupling constraint (the default exact form of a
single-service problem) needs no MILP: its exact front is the nondominated subset of the
group's options, taken by enumeration (``method="auto"``). Several groups (a portfolio)
are merged one group at a time, keeping only the nondominated partial choices
(:func:`paretoprice.solvers.exact.merge.merge_front`, ``method="merge"``): on the same
integer objectives as the MILP it finds the same set, with no solver, and is faster by
orders of magnitude when the front is large (12 synthetic services, 4 objectives: about
two million points). When the partial choices would pass ``max_states`` (memory), the
MILP takes over. ``method="milp"`` forces the MILP path (used in the tests to check the
engine against the grid and against the merge).

**User models** (:func:`solve_model`): any Pyomo ``ConcreteModel`` with its objectives in
an ``ObjectiveList`` named ``obj_list``. Two objectives of an LP get the exact breakpoints
of the front with the trade-off rate between neighbours (NISE); integer-valued objectives
get every nondominated point; otherwise the exact efficient point of each point of a
declared epsilon grid.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import logging
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from paretoprice.optim.errors import ParameterError
from paretoprice.optim.front import ParetoFront, Provenance
from paretoprice.optim.indicators import minimization_signs, nondominated_mask
from paretoprice.optim.problem import ChoiceStructure, PricingProblem
from paretoprice.solvers.base import Capability, RunOutput, Settings, Solver
from paretoprice.solvers.exact.config import EngineConfig, ModelOptions, SweepOptions, make_config
from paretoprice.solvers.exact.merge import DEFAULT_MAX_STATES, MergeResult, MergeStopped

logger = logging.getLogger(__name__)

DEFAULT_RELATIVE_RESOLUTION = 1e-6
"""Default resolution of each objective: this share of its range over the ladder."""


class ExactSettings(Settings, SweepOptions):
    """Settings of the ``exact`` backend: the engine's :class:`SweepOptions` (``workers``,
    ``time_limit``, ``mip_rel_gap``, validated once there) plus the exact form's.

    Attributes
    ----------
    method
        ``"auto"`` (enumerate a single uncoupled group; else merge the groups, and solve
        the MILP when the merge passes ``max_states`` or half the time limit),
        ``"merge"`` (merge only: an error past ``max_states`` or the time limit),
        ``"milp"`` (always the epsilon-constraint MILP; ``search`` and ``zone_group``
        apply to it only; ``workers`` to both: the merge filters a large group's chunks
        in that many threads, with the same result) or ``"enumerate"`` (only for one group, no
        coupling).
    resolution
        Objective name -> resolution in the objective's own units (e.g.
        ``{"payer_spend": 1.0}``: whole dollars per year). Objectives not named use
        ``relative_resolution``.
    relative_resolution
        Resolution of the other objectives as a share of their range over the ladder.
    max_options
        Largest ladder the one-group exact form may enumerate.
    max_states
        Most partial choices the merge keeps after any group (memory: about 60 bytes
        each at 4 objectives and one coupling, plus the next group's candidates); the
        survivors of a group's chunks, before their union is filtered, may number four
        times as many.
    presolve
        Run HiGHS presolve on every MILP (then without MIP starts, which HiGHS 1.16
        mishandles together with presolve). Off by default: on the bundled portfolio (with
        its FFR-CT and AI-ECG inputs matching their own problems) presolve on returned 47
        of the 49 Pareto points the grid enumeration and the exact backend with presolve
        off both find (tests/test_exact_backend.py). Presolve on can be faster on large
        portfolios (20 synthetic services, two objectives: 13 s against 23 s with MIP
        starts) when a point lost is acceptable.
    """

    method: Literal["auto", "merge", "milp", "enumerate"] = "auto"
    resolution: dict[str, float] = Field(default_factory=dict)
    relative_resolution: float = Field(default=DEFAULT_RELATIVE_RESOLUTION, gt=0.0, le=0.01)
    max_options: int = Field(default=2_000_000, ge=1)
    max_states: int = Field(default=DEFAULT_MAX_STATES, ge=1)
    presolve: bool = False


class ExactSolver(Solver):
    """Exact front of a laddered problem: its multiple-choice knapsack form, solved by the
    augmented epsilon-constraint method on HiGHS (or enumerated when it has one group)."""

    name = "exact"
    capabilities = frozenset({Capability.LADDER, Capability.CHOICE_STRUCTURE,
                              Capability.CONSTRAINTS, Capability.EXACT,
                              Capability.MANY_OBJECTIVES})
    exact = True
    Settings = ExactSettings

    def run(self, problem: PricingProblem, settings: Settings, seed: int | None,
            progress: bool) -> RunOutput:
        assert isinstance(settings, ExactSettings)
        unknown = sorted(set(settings.resolution) - set(problem.objective_names))
        if unknown:
            raise ParameterError(
                f"resolution.{unknown[0]}",
                f"one of the chosen objectives {list(problem.objective_names)}", unknown[0],
                fix="name a chosen objective, in its own units.", owner="solver 'exact'")
        bad = {k: v for k, v in settings.resolution.items() if not (v > 0 and math.isfinite(v))}
        if bad:
            k = next(iter(bad))
            raise ParameterError(f"resolution.{k}", "a positive number in the objective's units",
                                 bad[k], fix="e.g. 1.0 for whole dollars.",
                                 owner="solver 'exact'")
        cs = problem.choice_structure(settings.max_options)
        single = len(cs.groups) == 1 and not cs.capacities
        if settings.method == "enumerate" and not single:
            raise ParameterError(
                "method", "'auto' or 'milp' for a problem with several groups or coupling "
                f"constraints ({len(cs.groups)} groups, {len(cs.capacities)} couplings)",
                "enumerate", fix="use method='auto'.", owner="solver 'exact'")
        if single and settings.method in ("auto", "enumerate"):
            return _enumerate(problem, cs)
        if settings.method == "milp":
            return _milp(problem, cs, settings, progress)
        limit = settings.time_limit
        if settings.method == "auto" and limit is not None:
            limit = limit / 2  # the other half is the MILP's, should the merge stop
        merged = _merge(problem, cs, settings, limit)
        if isinstance(merged, RunOutput):
            return merged
        why = (f"more than max_states={settings.max_states:,} partial choices after group "
               f"{merged.group + 1} of {len(cs.groups)}" if merged.reason == "max_states"
               else f"group {merged.group + 1} of {len(cs.groups)} would pass "
               f"{'its half of ' if limit != settings.time_limit else ''}the time limit "
               f"({limit:g} s)")
        if settings.method == "merge":
            if merged.reason == "max_states":
                raise ParameterError(
                    "max_states", f"room for every partial choice of the merge ({why})",
                    settings.max_states, fix="raise max_states if memory allows, coarsen "
                    "the resolution, or use method='auto' (the MILP then takes over).",
                    owner="solver 'exact'")
            raise ParameterError(
                "time_limit", f"time for the merge to finish ({why})", settings.time_limit,
                fix="raise time_limit, coarsen the resolution, or use method='auto'.",
                owner="solver 'exact'")
        logger.info("%s: merge stopped (%s); solving the MILP instead", problem.name, why)
        rest = None if settings.time_limit is None else max(
            settings.time_limit - merged.seconds, 1e-3)
        out = _milp(problem, cs, settings.model_copy(update={"time_limit": rest}), progress)
        out.notes.insert(0, f"the merge of the groups stopped ({why}, "
                            f"{merged.seconds:.1f} s); the MILP below gave the front")
        out.diagnostics["merge_stopped"] = {"reason": merged.reason, "group": merged.group,
                                            "states": list(merged.states),
                                            "seconds": merged.seconds}
        return out

    def annotate(self, front: ParetoFront, out: RunOutput) -> ParetoFront:
        """Per point: relative MIP gap, seconds in the solver, whether proven optimal; the
        provenance's ``exact`` flag is false when the run was stopped or had a MIP gap."""
        if out.diagnostics.get("proven_exact", True) is False:
            front = ParetoFront(**{**front.__dict__, "provenance": dataclasses.replace(
                front.provenance, exact=False)})
        table = out.extra.get("per_point")
        if table is None or front.n_points == 0:
            return front
        X, gap, secs, optimal = table
        idx = _match_rows(front.decisions, X)
        found = idx >= 0
        safe = np.where(found, idx, 0)
        reported = dict(front.reported)
        units = dict(front.reported_units)
        reported["mip_gap"] = np.where(found, gap[safe], np.nan)
        reported["solve_time_s"] = np.where(found, secs[safe], np.nan)
        reported["proven_optimal"] = np.where(found, optimal[safe], np.nan)
        units.update(mip_gap="relative gap of the solve that found the point",
                     solve_time_s="seconds", proven_optimal="1 = proven optimal, 0 = not")
        return ParetoFront(**{**front.__dict__, "reported": reported, "reported_units": units})


# ------------------------------------------------------------------ laddered problems


def _enumerate(problem: PricingProblem, cs: ChoiceStructure) -> RunOutput:
    group = cs.groups[0]
    F = np.column_stack([
        group.objectives[o] if s == "min" else -np.asarray(group.objectives[o])
        for o, s in zip(problem.objective_names, problem.senses, strict=True)
    ]) if len(group.options) else np.empty((0, len(problem.objective_names)))
    keep = nondominated_mask(F)
    X = _assemble_x(problem, cs, [np.asarray(group.options)[keep]])
    note = (f"exact by enumeration: {len(group.options):,} feasible ladder points "
            "(one choice group, no coupling constraint)")
    return RunOutput(X=X, evaluations=len(group.options), notes=[note],
                     diagnostics={"method": "enumerate", "options": len(group.options)})


def _assemble_x(problem: PricingProblem, cs: ChoiceStructure,
                chosen: list[np.ndarray]) -> np.ndarray:
    """Decision matrix from per-group chosen option rows (columns no group sets: lower)."""
    n = chosen[0].shape[0] if chosen else 0
    X = np.tile(problem.lower, (n, 1))
    for g, rows in zip(cs.groups, chosen, strict=True):
        X[:, list(g.columns)] = rows
    return X


def objective_resolutions(problem: PricingProblem, cs: ChoiceStructure,
                          settings: ExactSettings) -> dict[str, float]:
    """Resolution of every chosen objective, in its own units (see the module doc)."""
    out = {}
    for o in problem.objective_names:
        if o in settings.resolution:
            out[o] = float(settings.resolution[o])
            continue
        span = float(sum(np.ptp(g.objectives[o]) if len(g.options) else 0.0
                         for g in cs.groups))
        out[o] = settings.relative_resolution * span if span > 0 else 1.0
    return out


def integer_steps(problem: PricingProblem, cs: ChoiceStructure,
                  resolution: Mapping[str, float]) -> list[np.ndarray]:
    """Per group, ``(n_options, n_objectives)`` integer objective values of its options:
    ``round((c - least c of the group) / resolution)`` in each objective's natural sense.
    The MILP (:func:`choice_model`) and the merge (:func:`merge_inputs`) both take their
    objectives from here, so they solve the same integer problem."""
    steps = []
    for g in cs.groups:
        cols = [np.asarray(g.objectives[o], dtype=float) for o in problem.objective_names]
        steps.append(np.column_stack([np.rint((c - c.min()) / resolution[o])
                                      for c, o in zip(cols, problem.objective_names,
                                                      strict=True)])
                     if len(g.options) else np.zeros((0, len(cols))))
    return steps


def choice_model(problem: PricingProblem, cs: ChoiceStructure,
                 resolution: Mapping[str, float]) -> tuple[Any, list[np.ndarray]]:
    """Pyomo model of the multiple-choice knapsack with integer objective coefficients.

    Binary ``x[k]`` per option (groups numbered consecutively), ``sum x = 1`` per group,
    one row per coupling constraint, and ``obj_list`` holding one objective per chosen
    objective: ``sum_k round((c_k - min of its group) / resolution) x[k]`` in the
    objective's sense. Returns the model and, per group, the indices ``k`` of its options.
    """
    import pyomo.environ as pyo

    sizes = [len(g.options) for g in cs.groups]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    index = [np.arange(starts[j], starts[j + 1]) for j in range(len(sizes))]
    m = pyo.ConcreteModel(name=problem.name)
    m.x = pyo.Var(range(int(starts[-1])), domain=pyo.Binary)
    m.choose = pyo.ConstraintList()
    for idx in index:
        m.choose.add(pyo.quicksum(m.x[int(k)] for k in idx) == 1)
    m.couple = pyo.ConstraintList()
    for name, cap in cs.capacities.items():
        terms = []
        for g, idx in zip(cs.groups, index, strict=True):
            r = np.asarray(g.resources[name], dtype=float)
            terms += [float(v) * m.x[int(k)] for k, v in zip(idx, r, strict=True) if v != 0.0]
        m.couple.add(pyo.quicksum(terms) <= float(cap))
    m.obj_list = pyo.ObjectiveList()
    steps = integer_steps(problem, cs, resolution)
    for j, s in enumerate(problem.senses):
        terms = []
        for ints, idx in zip(steps, index, strict=True):
            terms += [float(v) * m.x[int(k)] for k, v in zip(idx, ints[:, j], strict=True)
                      if v]
        expr = pyo.quicksum(terms) if terms else 0 * m.x[0]
        m.obj_list.add(expr=expr, sense=pyo.minimize if s == "min" else pyo.maximize)
        m.obj_list[len(m.obj_list)].deactivate()
    return m, index


def _milp(problem: PricingProblem, cs: ChoiceStructure, settings: ExactSettings,
          progress: bool) -> RunOutput:
    from paretoprice.optim.feasibility import raise_infeasible
    from paretoprice.solvers.exact.engine import solve_epsilon_constraint
    from paretoprice.solvers.exact.errors import InfeasibleModelError
    from paretoprice.solvers.exact.highs_model import SolveStatus

    res = objective_resolutions(problem, cs, settings)
    t0 = time.perf_counter()
    model, index = choice_model(problem, cs, res)
    build_s = time.perf_counter() - t0
    logger.info("%s: exact form with %d groups, %d options, %d couplings (built in %.2f s)",
                problem.name, len(cs.groups), sum(len(i) for i in index), len(cs.capacities),
                build_s)
    try:
        config = EngineConfig(
            **SweepOptions.model_validate(settings.model_dump(
                include=set(SweepOptions.model_fields))).model_dump(),
            integer_objectives=True,
            highs_options={"presolve": "choose" if settings.presolve else "off"},
        )
        out = solve_epsilon_constraint(model, config)
    except InfeasibleModelError:
        # no choice of options meets the coupling constraints: explain it in the
        # problem's own terms (which guardrails and anchors conflict, by how much)
        raise_infeasible(problem)
    col = {name: i for i, name in enumerate(out.variable_names)}
    chosen = []
    for g, idx in zip(cs.groups, index, strict=True):
        cols = np.array([col.get(f"x[{k}]", -1) for k in idx])
        vals = np.where(cols >= 0, out.solutions[:, np.maximum(cols, 0)], 0.0) \
            if out.n_points else np.zeros((0, len(idx)))
        pick = np.argmax(vals, axis=1)
        chosen.append(np.asarray(g.options)[pick])
    X = _assemble_x(problem, cs, chosen)
    optimal = np.array([s is SolveStatus.OPTIMAL for s in out.status], dtype=float)
    n_groups = len(cs.groups)
    notes = [
        f"exact: augmented epsilon-constraint on {n_groups} choice group(s), "
        f"{sum(len(i) for i in index):,} options, {len(cs.capacities)} coupling "
        f"constraint(s); {out.models_solved} models solved "
        f"({out.models_per_point:.2f} per point), {out.infeasible} infeasible, "
        f"{out.skipped} skipped",
    ]
    guarantee = _guarantee(out.complete, out.exact, n_groups, res)
    notes.append(guarantee)
    payoff = _payoff(problem, cs, res, np.asarray(out.payoff_table, dtype=float))
    diagnostics = {
        "method": {"zones": "milp (search zones, Tamby-Vanderpooten)",
                   "boxes": "milp (search boxes, Kirlik-Sayin)"}.get(
                       out.search, "milp (augmented epsilon-constraint)"),
        "groups": n_groups,
        "options": int(sum(len(i) for i in index)),
        "couplings": list(cs.capacities),
        "resolution": res,
        "models_solved": out.models_solved,
        "models_per_point": out.models_per_point,
        "infeasible": out.infeasible,
        "skipped": out.skipped,
        "workers": out.workers,
        "complete": out.complete,
        "proven_exact": out.exact,
        "guarantee": guarantee,
        "payoff_table": payoff,
        "payoff_table_note": ("row = the objective optimized first (the others then "
                              + ("as a sum" if out.search == "zones" else "lexicographically")
                              + "); values in each objective's units, to within n_groups x "
                              "resolution"),
        "solver_time_s": out.solver_time_s,
        "model_build_s": build_s,
    }
    per_point = (X, np.asarray(out.mip_gap, dtype=float), np.asarray(out.solve_time, dtype=float),
                 optimal)
    return RunOutput(X=X, evaluations=out.models_solved, notes=notes,
                     extra={"per_point": per_point, "engine": out}, diagnostics=diagnostics)


def _payoff(problem: PricingProblem, cs: ChoiceStructure, resolution: Mapping[str, float],
            table: np.ndarray) -> dict[str, dict[str, float]]:
    """Payoff table in each objective's units from one in integer steps (row i: the point
    found optimizing objective i first; natural senses; steps above each group's least
    contribution)."""
    base = {o: float(cs.constants.get(o, 0.0)) + float(sum(
        np.min(g.objectives[o]) for g in cs.groups if len(g.options)))
        for o in problem.objective_names}
    return {
        problem.objective_names[i]: {
            o: base[o] + float(table[i, j] * resolution[o])
            for j, o in enumerate(problem.objective_names)
        } for i in range(len(problem.objective_names))
    }


def merge_inputs(problem: PricingProblem, cs: ChoiceStructure,
                 resolution: Mapping[str, float]
                 ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The knapsack the merge solves, with the MILP's integer objectives.

    Returns, per group, ``(n_options, n_objectives)`` steps above the group's least
    contribution (``round((c - min) / resolution)``), negated for maximized objectives so
    that all are minimized; per group, ``(n_options, n_couplings)`` uses; and the
    ``(n_couplings,)`` capacities, in :attr:`ChoiceStructure.capacities` order.
    """
    sign = minimization_signs(problem.senses)
    values = [steps * sign for steps in integer_steps(problem, cs, resolution)]
    uses = [np.column_stack([np.asarray(g.resources[c], dtype=float) for c in cs.capacities])
            if cs.capacities else np.zeros((len(g.options), 0)) for g in cs.groups]
    return values, uses, np.array([float(v) for v in cs.capacities.values()])


def _merge(problem: PricingProblem, cs: ChoiceStructure, settings: ExactSettings,
           time_limit: float | None) -> RunOutput | MergeStopped:
    """The front by merging the groups (see :mod:`paretoprice.solvers.exact.merge`) on the
    integer objectives the MILP would use, or why the merge stopped."""
    from paretoprice.optim.feasibility import raise_infeasible
    from paretoprice.solvers.exact.merge import merge_front

    res = objective_resolutions(problem, cs, settings)
    names = problem.objective_names
    sign = minimization_signs(problem.senses)
    values, uses, capacities = merge_inputs(problem, cs, res)
    out = merge_front(values, uses, capacities, max_states=settings.max_states,
                      time_limit=time_limit, workers=settings.workers)
    if isinstance(out, MergeStopped):
        return out
    if out.values.shape[0] == 0:
        # no choice of options meets the coupling constraints: explain it in the
        # problem's own terms (which guardrails and anchors conflict, by how much)
        raise_infeasible(problem)
    assert isinstance(out, MergeResult)
    chosen = [np.asarray(g.options)[out.choice[:, j]] for j, g in enumerate(cs.groups)]
    X = _assemble_x(problem, cs, chosen)
    n_groups, k = len(cs.groups), len(names)
    # payoff row i: the best point in objective i, ties broken by the sum of the others
    # (integer steps, minimization sense), as the zone search's payoff table
    table = np.zeros((k, k))
    total = out.values.sum(axis=1)
    for i in range(k):
        others = total - out.values[:, i]
        row = np.lexsort((others, out.values[:, i]))[0]
        table[i] = out.values[row] * sign
    guarantee = _guarantee(True, True, n_groups, res)
    n_options = int(sum(len(g.options) for g in cs.groups))
    notes = [
        f"exact: merge of {n_groups} choice groups ({n_options:,} options, "
        f"{len(cs.capacities)} coupling constraint(s)) keeping the nondominated partial "
        f"choices: at most {max(out.states):,} kept after a group, "
        f"{out.candidates:,} examined, {out.seconds:.2f} s; no MILP solved",
        guarantee,
    ]
    diagnostics = {
        "method": "merge (dynamic programming over the choice groups)",
        "groups": n_groups,
        "options": n_options,
        "couplings": list(cs.capacities),
        "resolution": res,
        "states": list(out.states),
        "states_peak": int(max(out.states)),
        "candidates": int(out.candidates),
        "models_solved": 0,
        "complete": True,
        "proven_exact": True,
        "guarantee": guarantee,
        "payoff_table": _payoff(problem, cs, res, table),
        "payoff_table_note": ("row = the objective optimized first (the others then as a "
                              "sum); values in each objective's units, to within n_groups x "
                              "resolution"),
        "merge_s": out.seconds,
        "workers": settings.workers,
    }
    return RunOutput(X=X, evaluations=int(out.candidates), notes=notes,
                     diagnostics=diagnostics)


def _guarantee(complete: bool, exact: bool, n_groups: int,
               resolution: Mapping[str, float]) -> str:
    """The one sentence saying what the front is guaranteed to be (never two verdicts)."""
    res = ", ".join(f"{o} {v:.6g}" for o, v in resolution.items())
    if not complete:
        return ("INCOMPLETE: the time limit stopped the sweep; the front holds the points "
                "found so far (each is nondominated among the ladder points found, but "
                "nondominated points may be missing). Raise time_limit or coarsen the "
                f"resolution ({res}).")
    if not exact:
        return ("not proven exact: solves ran with a MIP gap > 0, so a point may be "
                "dominated by a missed one")
    return ("complete up to the resolution: a nondominated point can be missing only when "
            f"a found point is within {n_groups} x resolution of it in every objective "
            f"(resolution: {res})")


def _match_rows(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """For each row of ``A`` the index of an equal row of ``B`` (-1 when none)."""
    if B.shape[0] == 0:
        return np.full(A.shape[0], -1)
    lookup = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(B, dtype=float))}
    return np.array([lookup.get(r.tobytes(), -1)
                     for r in np.ascontiguousarray(A, dtype=float)], dtype=int)


# ------------------------------------------------------------------ user Pyomo models


def solve_model(
    model: Any,
    *,
    name: str | None = None,
    problem_hash: str | None = None,
    **options: Any,
) -> ParetoFront:
    """Exact Pareto front of a user's linear multi-objective Pyomo model.

    Parameters
    ----------
    model
        Pyomo ``ConcreteModel`` with its objectives in an ``ObjectiveList`` named
        ``obj_list`` (each with its own sense). Never modified.
    name
        Name recorded in the front's provenance (default: the model's name).
    problem_hash
        Hash of the model's source recorded in the provenance (default: a hash of the
        compiled matrices).
    **options
        :class:`~paretoprice.solvers.exact.config.ModelOptions`: ``method`` (``"auto"``:
        breakpoints (NISE) for two objectives of an LP, else the augmented
        epsilon-constraint method, every nondominated point when the objectives are
        integer-valued, else the points of a ``grid_points`` grid; ``"epsilon"`` or
        ``"nise"`` force one of them), ``grid_points``, ``workers``, ``time_limit``,
        ``mip_rel_gap`` (as in
        :func:`paretoprice.solvers.exact.solve_epsilon_constraint`).

    Returns
    -------
    ParetoFront
        Objectives named as in ``obj_list``; decisions are the model's variables; reported
        ``tradeoff_rate`` (NISE: rate of objective 2 per unit of objective 1 to the next
        breakpoint) or ``mip_gap``, ``solve_time_s``, ``proven_optimal`` (epsilon).
    """
    from paretoprice.solvers.exact.engine import solve_epsilon_constraint
    from paretoprice.solvers.exact.highs_model import SolveStatus, compile_model
    from paretoprice.solvers.exact.nise import solve_biobjective_lp

    opts = make_config(ModelOptions, options, owner="solve_model")
    method, grid_points, time_limit = opts.method, opts.grid_points, opts.time_limit
    if problem_hash is None:
        compiled = compile_model(model, owner="solve_model")
        h = hashlib.sha256()
        for a in (compiled.C, compiled.offsets, compiled.col_lower, compiled.col_upper,
                  compiled.A.data, compiled.row_lower, compiled.row_upper):
            h.update(np.ascontiguousarray(a, dtype=float).tobytes())
        for a in (compiled.A.indices, compiled.A.indptr):
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
        problem_hash = h.hexdigest()[:16]
    # the method is chosen from the model's components (the solver compiles it itself;
    # a model without a valid obj_list goes to the epsilon path, which explains the fault)
    import pyomo.environ as pyo

    n_objectives = len(getattr(model, "obj_list", ()))
    is_mip = any(not v.is_continuous()
                 for v in model.component_data_objects(pyo.Var, descend_into=True))
    use_nise = method == "nise" or (
        method == "auto" and n_objectives == 2 and not is_mip and grid_points is None)
    t0 = time.perf_counter()
    reported: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    notes: list[str] = []
    if use_nise:
        r = solve_biobjective_lp(model, time_limit=time_limit)
        rates = np.append(r.rates, np.nan)
        reported["tradeoff_rate"] = rates
        units["tradeoff_rate"] = (f"{r.objective_names[1]} per unit of {r.objective_names[0]}, "
                                  "to the next breakpoint")
        notes.append(f"exact breakpoints of a biobjective LP (NISE): {r.n_points} "
                     f"breakpoints, {r.models_solved} LPs; the front is the polyline "
                     "through them")
        points, solutions, var_names = r.points, r.solutions, r.variable_names
        obj_names, senses, models = r.objective_names, r.senses, r.models_solved
        diagnostics: dict[str, Any] = {"method": "nise", "models_solved": r.models_solved,
                                       "payoff_table": r.payoff_table.tolist()}
        exact = True
    else:
        e = solve_epsilon_constraint(
            model, EngineConfig(**opts.model_dump(exclude={"method"})))
        reported["mip_gap"] = np.asarray(e.mip_gap, dtype=float)
        reported["solve_time_s"] = np.asarray(e.solve_time, dtype=float)
        reported["proven_optimal"] = np.array([s is SolveStatus.OPTIMAL for s in e.status],
                                              dtype=float)
        units.update(mip_gap="relative", solve_time_s="seconds",
                     proven_optimal="1 = proven optimal, 0 = not")
        if not e.complete:
            what = ("INCOMPLETE: the time limit stopped the sweep; points found so far "
                    "(nondominated points may be missing)")
        elif e.grid_points is None:
            what = ("every nondominated point (integer-valued objectives)" if e.exact else
                    "nondominated points, not proven complete (MIP gap > 0)")
        else:
            what = f"exact efficient points of a {e.grid_points}-point epsilon grid"
        if e.search == "dp":
            notes.append(what + f": {e.n_points} points by dynamic programming over the "
                         "items (a 0-1 packing model: no MILP solved)")
        else:
            notes.append(
                what + f": {e.n_points} points ({e.search} search), {e.models_solved} "
                f"models ({e.models_per_point:.2f} per point), {e.infeasible} infeasible, "
                f"{e.skipped} skipped")
        points, solutions, var_names = e.points, e.solutions, e.variable_names
        obj_names, senses, models = e.objective_names, e.senses, e.models_solved
        diagnostics = {"method": "epsilon", "search": e.search,
                       "models_solved": e.models_solved,
                       "models_per_point": e.models_per_point, "infeasible": e.infeasible,
                       "skipped": e.skipped, "workers": e.workers, "complete": e.complete,
                       "grid_points": e.grid_points,
                       "payoff_table": e.payoff_table.tolist(),
                       "status": [s.value for s in e.status]}
        exact = e.exact
    prov = Provenance(
        problem=name or str(getattr(model, "name", "model")),
        problem_hash=problem_hash,
        solver="exact",
        settings={**opts.model_dump(), "method": "nise" if use_nise else "epsilon"},
        seed=None,
        runtime_s=time.perf_counter() - t0,
        evaluations=models,
        exact=exact,
        notes=tuple(notes),
        diagnostics=diagnostics,
    )
    return ParetoFront(
        objective_names=tuple(obj_names), senses=tuple(senses),
        units=tuple("" for _ in obj_names), objectives=points,
        decision_names=tuple(var_names), decision_units=tuple("" for _ in var_names),
        decisions=solutions, reported=reported, reported_units=units, provenance=prov,
    )


def load_model_file(path: str | Path) -> tuple[Any, str]:
    """Import ``path`` (a Python file defining ``build_model()``) and build its model.

    Returns the model and a hash of the file's content.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError("model file", "an existing Python file defining build_model()",
                             str(p), fix="check the path.", owner="paretoprice solve")
    spec = importlib.util.spec_from_file_location(f"_paretoprice_user_model_{p.stem}", p)
    if spec is None or spec.loader is None:
        raise ParameterError("model file", "an importable Python file", str(p),
                             fix="give a .py file.", owner="paretoprice solve")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    build = getattr(module, "build_model", None)
    if not callable(build):
        raise ParameterError(
            "build_model", f"a function build_model() in {p.name} returning a Pyomo "
            "ConcreteModel with an ObjectiveList named obj_list", "no such function",
            fix="define build_model() in the file.", owner="paretoprice solve")
    return build(), hashlib.sha256(p.read_bytes()).hexdigest()[:16]
