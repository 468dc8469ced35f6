"""The problem interface every payment-model family implements, and every backend uses.

A :class:`PricingProblem` is frozen, validated data plus a pure vectorized
:meth:`~PricingProblem.evaluate`: a matrix of N candidate decision vectors in, every
objective, every guardrail (``g <= 0``) and every reported quantity out, in one numpy
pass. Backends adapt the problem; the problem never knows about backends.

Senses: ``payer_spend`` is minimized; ``creator_npv``, ``access``, ``provider_margin`` and
``equity`` are maximized. :meth:`PricingProblem.minimization_matrix` flips the maximized
ones so that backends always minimize.
"""

from __future__ import annotations

import hashlib
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, get_args, get_origin

import numpy as np

from paretoprice.optim.anchors import Anchors
from paretoprice.optim.errors import ParameterError, UnknownNameError
from paretoprice.optim.finite import check_finite
from paretoprice.optim.spec import OBJECTIVE_SENSES, Bounds, ProblemSpecBase

logger = logging.getLogger(__name__)

FEASIBILITY_TOL = 1e-9
"""Relative tolerance on scaled guardrails: ``g / scale <= FEASIBILITY_TOL`` is feasible.

Needed so that a price exactly on an anchor (``p = v_e = 52.50``) counts as feasible
despite floating-point rounding in sums over millions of patients."""


@dataclass(frozen=True)
class Quantity:
    """Name, unit and plain-words meaning of an objective, decision or reported quantity."""

    name: str
    unit: str
    description: str = ""


@dataclass(frozen=True)
class Guardrail:
    """One enabled constraint ``g(x) <= 0`` with its natural unit and scale.

    ``scale`` (in ``unit``) normalizes the constraint for backends that sum violations.
    """

    name: str
    unit: str
    scale: float
    description: str


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for N candidates (arrays of shape ``(N,)``).

    Attributes
    ----------
    objectives
        Every objective the family defines, natural units and senses.
    constraints
        Every enabled guardrail as ``g <= 0``, natural units.
    reported
        Every reported quantity (coverage and adoption per segment, anchor slacks, ...).
    """

    objectives: dict[str, np.ndarray]
    constraints: dict[str, np.ndarray]
    reported: dict[str, np.ndarray] = field(default_factory=dict)

    def quantity(self, name: str) -> np.ndarray:
        """An objective or reported quantity by name."""
        if name in self.objectives:
            return self.objectives[name]
        return self.reported[name]


@dataclass(frozen=True)
class ChoiceGroup:
    """One independent choice of an exact (MILP) form: pick exactly one option.

    Attributes
    ----------
    name
        Group name (e.g. a service's billing code).
    columns
        Indices of the decision variables (columns of ``X``) this group sets.
    options
        ``(n_options, len(columns))`` decision values of each option (a ladder product).
    objectives
        Objective name -> ``(n_options,)`` contribution of each option, natural units and
        senses (the problem's objective is the sum over groups plus a constant).
    resources
        Linear coupling constraint name -> ``(n_options,)`` use of each option.
    """

    name: str
    columns: tuple[int, ...]
    options: np.ndarray
    objectives: Mapping[str, np.ndarray]
    resources: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class ChoiceStructure:
    """The exact form of a laddered problem: a multi-objective multiple-choice knapsack.

    ``objective = constants[name] + sum_groups contribution[chosen option]`` for every
    objective; ``sum_groups resources[c][chosen option] <= capacities[c]`` for every
    coupling constraint ``c``. Per-candidate guardrails are applied by leaving infeasible
    options out of their group. A problem whose objectives are not sums over independent
    groups has a single group: every feasible point of its ladder.
    """

    groups: tuple[ChoiceGroup, ...]
    constants: Mapping[str, float] = field(default_factory=dict)
    capacities: Mapping[str, float] = field(default_factory=dict)
    capacity_units: Mapping[str, str] = field(default_factory=dict)


class VectorProblem(Protocol):
    """The small interface a solver needs from a problem: any object with these members.

    :class:`PricingProblem` satisfies it; so does a thin class around an analytic test
    function (ZDT, DTLZ). :func:`as_solvable` turns one into a :class:`SolvableProblem`,
    which adds everything a solver derives from them.
    """

    @property
    def name(self) -> str:
        """Problem name (for messages and provenance)."""
        ...

    @property
    def bounds(self) -> Sequence[Bounds]:
        """Lower and upper bound (and ladder step, if any) of each decision, in its unit."""
        ...

    @property
    def objective_names(self) -> Sequence[str]:
        """The objectives to optimize, in the order of :attr:`senses`."""
        ...

    @property
    def senses(self) -> tuple[str, ...]:
        """``'min'`` or ``'max'`` per objective."""
        ...

    @property
    def guardrails(self) -> tuple[Guardrail, ...]:
        """Constraints ``g <= 0`` the evaluation returns (may be empty)."""
        ...

    def evaluate(self, X: np.ndarray, report: bool = True) -> Evaluation:
        """Objectives (natural senses) and guardrails of an ``(N, n_var)`` matrix, vectorized."""
        ...


class SolvableProblem(ABC):
    """What every solver works on: the :class:`VectorProblem` members plus everything
    derived from them (matrices in minimization form, feasibility, ladders) and the
    metadata a front reports (decision and objective units, reported quantities)."""

    @property
    @abstractmethod
    def name(self) -> str:
        """Problem name."""

    @property
    @abstractmethod
    def bounds(self) -> tuple[Bounds, ...]:
        """Bounds (and ladder steps) per decision."""

    @property
    @abstractmethod
    def objective_names(self) -> list[str]:
        """The chosen objectives (a new list on each call)."""

    @property
    @abstractmethod
    def senses(self) -> tuple[str, ...]:
        """``'min'`` or ``'max'`` per chosen objective."""

    @property
    @abstractmethod
    def guardrails(self) -> tuple[Guardrail, ...]:
        """Enabled constraints ``g <= 0``."""

    @abstractmethod
    def evaluate(self, X: np.ndarray | Sequence[Sequence[float]],
                 report: bool = True) -> Evaluation:
        """Evaluate N candidates in one vectorized pass."""

    @property
    @abstractmethod
    def decisions(self) -> tuple[Quantity, ...]:
        """Decision variables with units."""

    @property
    @abstractmethod
    def objective_units(self) -> tuple[str, ...]:
        """Unit per chosen objective."""

    @property
    @abstractmethod
    def reported(self) -> tuple[Quantity, ...]:
        """Reported quantities (everything on a front point that is not an objective)."""

    @abstractmethod
    def input_hash(self) -> str:
        """A short digest of every input (for provenance)."""

    # -- derived ----------------------------------------------------------------------
    @property
    def decision_names(self) -> list[str]:
        """Decision variable names, in column order of ``X`` (a new list on each call)."""
        return [d.name for d in self.decisions]

    @property
    def n_var(self) -> int:
        """Number of decision variables."""
        return len(self.bounds)

    @property
    def lower(self) -> np.ndarray:
        """Lower bounds, shape ``(n_var,)``."""
        return np.array([b.lower for b in self.bounds], dtype=float)

    @property
    def upper(self) -> np.ndarray:
        """Upper bounds, shape ``(n_var,)``."""
        return np.array([b.upper for b in self.bounds], dtype=float)

    @property
    def exact_capable(self) -> bool:
        """Whether every decision has a ladder (so grid and exact backends accept it)."""
        return all(b.step is not None or b.lower == b.upper for b in self.bounds)

    def ladders(self) -> list[np.ndarray]:
        """The ladder of every decision (raises if one has no step)."""
        out = []
        for q, b in zip(self.decisions, self.bounds, strict=True):
            if b.step is None and b.lower != b.upper:
                raise ParameterError(
                    f"decisions.{q.name}.step", "a ladder step (a number > 0)", "no step",
                    fix=f"give '{q.name}' a step (e.g. 1.0 USD) or pass steps={{'{q.name}': 1.0}}.",
                    owner=f"problem '{self.name}'",
                )
            out.append(np.array(b.ladder(), dtype=float))
        return out

    def ladder_size(self) -> int:
        """Number of points of the decision ladder: the exact product (Python integer, no
        overflow) of every decision's ladder length, computed without building a ladder.
        Raises :class:`ParameterError` when a decision has no step."""
        if not self.exact_capable:
            self.ladders()  # raises, naming the decision without a step
        return math.prod(b.n_points() for b in self.bounds)

    def minimization_matrix(self, ev: Evaluation) -> np.ndarray:
        """``(N, k)`` chosen objectives, maximized ones negated (every column minimized)."""
        cols = [
            ev.objectives[o] if s == "min" else -ev.objectives[o]
            for o, s in zip(self.objective_names, self.senses, strict=True)
        ]
        return np.column_stack(cols) if cols else np.empty((0, 0))

    def constraint_matrix(self, ev: Evaluation, scaled: bool = True) -> np.ndarray:
        """``(N, m)`` guardrails ``g <= 0``, divided by their scale when ``scaled``."""
        rails = self.guardrails
        if not rails:
            n = next(iter(ev.objectives.values())).shape[0]
            return np.zeros((n, 0))
        cols = [ev.constraints[g.name] / (g.scale if scaled else 1.0) for g in rails]
        return np.column_stack(cols)

    def feasible(self, ev: Evaluation) -> np.ndarray:
        """Boolean mask of candidates meeting every guardrail (within :data:`FEASIBILITY_TOL`)."""
        G = self.constraint_matrix(ev, scaled=True)
        if G.shape[1] == 0:
            return np.ones(G.shape[0], dtype=bool)
        return np.all(G <= FEASIBILITY_TOL, axis=1)


class VectorAdapter(SolvableProblem):
    """A :class:`VectorProblem` seen as a :class:`SolvableProblem` (never modified).

    Decisions are named ``x1..xn`` (no unit), objectives have no unit, nothing else is
    reported; the input hash digests the name, bounds, objectives and senses.
    """

    def __init__(self, problem: VectorProblem) -> None:
        self._problem = problem
        self._bounds = tuple(problem.bounds)
        if len(problem.senses) != len(problem.objective_names) or not all(
                s in ("min", "max") for s in problem.senses):
            raise ParameterError(
                "senses", f"'min' or 'max' for each of {list(problem.objective_names)}",
                list(problem.senses), fix="give one sense per objective.",
                owner=f"problem '{problem.name}'")

    @property
    def name(self) -> str:
        return self._problem.name

    @property
    def bounds(self) -> tuple[Bounds, ...]:
        return self._bounds

    @property
    def objective_names(self) -> list[str]:
        return list(self._problem.objective_names)

    @property
    def senses(self) -> tuple[str, ...]:
        return tuple(self._problem.senses)

    @property
    def guardrails(self) -> tuple[Guardrail, ...]:
        return tuple(self._problem.guardrails)

    def evaluate(self, X: np.ndarray | Sequence[Sequence[float]],
                 report: bool = True) -> Evaluation:
        return self._problem.evaluate(np.atleast_2d(np.asarray(X, dtype=float)), report)

    @property
    def decisions(self) -> tuple[Quantity, ...]:
        return tuple(Quantity(f"x{j + 1}", "", f"decision {j + 1}") for j in range(self.n_var))

    @property
    def objective_units(self) -> tuple[str, ...]:
        return tuple("" for _ in self.objective_names)

    @property
    def reported(self) -> tuple[Quantity, ...]:
        return ()

    def input_hash(self) -> str:
        blob = repr((self.name, [b.model_dump() for b in self._bounds], self.objective_names,
                     self.senses))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def as_solvable(problem: VectorProblem | SolvableProblem) -> SolvableProblem:
    """``problem`` itself when it is a :class:`SolvableProblem` (every pricing problem),
    else a :class:`VectorAdapter` around it."""
    if isinstance(problem, SolvableProblem):
        return problem
    return VectorAdapter(problem)


SpecT = TypeVar("SpecT", bound=ProblemSpecBase)
"""The spec type of a family: ``class NtapProblem(PricingProblem[NtapSpec])``."""


def spec_family(spec_type: type[ProblemSpecBase]) -> str:
    """The family name a spec class declares: the default of its ``family`` field.

    Every family writes its name once, as ``family: Literal["ntap"] = "ntap"`` on its spec;
    the problem class and the registry (:mod:`paretoprice.optim.families`) read it here.
    """
    field_info = spec_type.model_fields.get("family")
    name = field_info.default if field_info is not None else None
    if not isinstance(name, str) or not name:
        raise TypeError(f"{spec_type.__name__} declares no family name: give it "
                        f'family: Literal["<name>"] = "<name>"')
    return name


def ladder_product(ladders: Sequence[np.ndarray], start: int, stop: int) -> np.ndarray:
    """Rows ``start`` to ``stop - 1`` of the Cartesian product of ``ladders`` (C order).

    Only ladders with two or more values are enumerated, so a problem with many fixed
    decisions (one value each) does not hit numpy's 64-dimension limit. Returns a
    ``(stop - start, len(ladders))`` matrix.
    """
    sizes = [len(lad) for lad in ladders]
    varying = [j for j, n in enumerate(sizes) if n > 1]
    X = np.tile(np.array([lad[0] for lad in ladders], dtype=float), (max(stop - start, 0), 1))
    if varying and stop > start:
        idx = np.unravel_index(np.arange(start, stop, dtype=np.int64),
                               tuple(sizes[j] for j in varying))
        for j, i in zip(varying, idx, strict=True):
            X[:, j] = np.asarray(ladders[j], dtype=float)[i]
    return X


class PricingProblem(SolvableProblem, Generic[SpecT]):
    """Base class of every payment-model family.

    A family subclasses ``PricingProblem[XSpec]``: :attr:`spec` is then typed ``XSpec``,
    :attr:`spec_type` is ``XSpec`` and :attr:`family` is the name ``XSpec`` declares, with
    no ``__init__`` to write. Subclasses set, in :meth:`_setup`, the decision variables,
    the objective and reported quantities, and the guardrails, and implement
    :meth:`_evaluate`. Instances are immutable: ``with_*`` methods return new problems.

    Parameters
    ----------
    spec
        The validated problem specification (never modified).
    """

    spec_type: ClassVar[type[ProblemSpecBase]] = ProblemSpecBase
    """The spec class of the family (from the type argument of ``PricingProblem[...]``)."""
    family: ClassVar[str] = ""
    """The family name (from the spec's ``family`` field); a problem file's ``family``."""
    payment_model: ClassVar[str] = ""
    """The catalogue's payment model this family implements (``ffs``, ``category_iii``,
    ``ntap``, ``autonomy_tiers``, ``generalist_bundle``, ``value_based``,
    ``incentive_fund``, ``portfolio``); empty means the same as :attr:`family`."""
    _anchors: Anchors
    _today_spend: float
    _compliance: float

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is PricingProblem:
                (arg,) = get_args(base)
                if isinstance(arg, type) and issubclass(arg, ProblemSpecBase):
                    cls.spec_type = arg
                    cls.family = spec_family(arg)

    def __init__(self, spec: SpecT) -> None:
        self._spec = spec
        self._decisions: tuple[Quantity, ...] = ()
        self._bounds: tuple[Bounds, ...] = ()
        self._objective_info: dict[str, Quantity] = {}
        self._reported_info: dict[str, Quantity] = {}
        self._guardrails: tuple[Guardrail, ...] = ()
        self._setup()
        if not self._guardrails:
            table = self._guardrail_table()
            self._guardrails = tuple(table[n] for n in spec.enabled_guardrails())
        self._check_user_constraints()
        self._check_observed()

    # -- to implement -----------------------------------------------------------------
    @abstractmethod
    def _setup(self) -> None:
        """Fill decisions, bounds, objective and reported info (:meth:`_declare_reported`),
        the anchors ``_anchors`` and, where the family has them, today's spend
        ``_today_spend`` (currency per year) and compliance ``_compliance`` (share)."""

    @abstractmethod
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        """Evaluate a validated ``(N, n_var)`` matrix; guardrails of the family only."""

    def _evaluate_some(self, X: np.ndarray, names: frozenset[str]) -> Evaluation:
        """Like :meth:`_evaluate` with only the reported quantities in ``names`` (others
        are dropped). The default computes everything and filters; a family overrides it
        to skip the work behind the quantities not asked for (the values of those it
        returns must be the same, bit for bit, as :meth:`_evaluate` gives)."""
        ev = self._evaluate(X, True)
        return Evaluation(ev.objectives, ev.constraints,
                          {k: v for k, v in ev.reported.items() if k in names})

    def _guardrail_table(self) -> Mapping[str, Guardrail]:
        """Every guardrail the family can enforce, by name; the spec's ``guardrails`` table
        says which are enabled (called after :meth:`_setup` unless it set them itself)."""
        return {}

    def _declare_reported(self, quantities: Iterable[Quantity]) -> None:
        """Declare the reported quantities, in the order of the front's columns."""
        self._reported_info = {q.name: q for q in quantities}

    # -- economics every family shares ------------------------------------------------
    def anchors(self) -> Anchors:
        """The five value anchors of this problem (units: :mod:`paretoprice.optim.anchors`)."""
        return self._anchors

    @property
    def todays_spend(self) -> float:
        """What payers spend today, before the AI service (currency per year).

        Raises ``AttributeError`` for a family without a single today's spend."""
        return self._today_spend

    @property
    def compliance(self) -> float:
        """Share of at-risk patients (or cases) served today, weighted by population (share).

        Raises ``AttributeError`` for a family without one."""
        return self._compliance

    # -- metadata ---------------------------------------------------------------------
    @property
    def spec(self) -> SpecT:
        """The validated specification (of the family's spec type)."""
        return self._spec

    @property
    def name(self) -> str:
        """Problem name."""
        return self._spec.name

    @property
    def decisions(self) -> tuple[Quantity, ...]:
        """Decision variables with units."""
        return self._decisions

    @property
    def bounds(self) -> tuple[Bounds, ...]:
        """Bounds (and ladder steps) per decision."""
        return self._bounds

    @property
    def objective_names(self) -> list[str]:
        """The chosen objectives (a new list on each call)."""
        return list(self._spec.objectives)

    @property
    def all_objectives(self) -> tuple[Quantity, ...]:
        """Every objective the family defines (chosen or not)."""
        return tuple(self._objective_info.values())

    @property
    def senses(self) -> tuple[str, ...]:
        """``'min'`` or ``'max'`` per chosen objective."""
        return tuple(OBJECTIVE_SENSES[o] for o in self.objective_names)

    @property
    def objective_units(self) -> tuple[str, ...]:
        """Unit per chosen objective."""
        return tuple(self._objective_info[o].unit for o in self.objective_names)

    @property
    def reported(self) -> tuple[Quantity, ...]:
        """Reported quantities (everything on a front point that is not an objective)."""
        unchosen = [q for n, q in self._objective_info.items() if n not in self.objective_names]
        return tuple(unchosen) + tuple(self._reported_info.values())

    @property
    def guardrails(self) -> tuple[Guardrail, ...]:
        """Enabled constraints: the family's guardrails, then the user's quantity bounds."""
        return self._guardrails + self._user_guardrails()

    # -- evaluation -------------------------------------------------------------------
    def evaluate(
        self, X: np.ndarray | Sequence[Sequence[float]],
        report: bool | Collection[str] = True,
    ) -> Evaluation:
        """Evaluate N candidates in one vectorized pass.

        Parameters
        ----------
        X
            ``(N, n_var)`` decision matrix (columns in :attr:`decision_names` order, USD per
            use); a single vector of length ``n_var`` is accepted as ``N = 1``.
        report
            Whether to compute reported quantities (skip for speed inside solvers), or the
            names of the only reported quantities wanted (names the family does not report
            are ignored; only those returned are checked for infinities). Values are the
            same, bit for bit, as with ``report=True``.

        Returns
        -------
        Evaluation
            Objectives (natural senses), guardrails ``g <= 0``, reported quantities.
        """
        arr = np.asarray(X, dtype=float)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.n_var:
            raise ParameterError(
                "X",
                f"an array of shape (N, {self.n_var}) with columns {list(self.decision_names)}",
                f"shape {arr.shape}", fix="pass one row per candidate, one column per decision.",
                owner=f"{type(self).__name__}.evaluate",
            )
        user = self._spec.constraints
        names = None if isinstance(report, bool) else frozenset(report)
        if names is None:
            ev = self._evaluate(arr, bool(report))
        else:
            ev = self._evaluate_some(arr, names | {c.quantity for c in user})
        check_finite(self, arr, ev)
        if user:
            cons = dict(ev.constraints)
            for c in user:
                q = ev.objectives.get(c.quantity)
                if q is None:
                    q = ev.reported.get(c.quantity)
                if q is None:  # reported skipped: recompute with report
                    q = self._evaluate(arr, True).quantity(c.quantity)
                if c.min is not None:
                    cons[f"{c.quantity}>={c.min:g}"] = c.min - q
                if c.max is not None:
                    cons[f"{c.quantity}<={c.max:g}"] = q - c.max
            ev = Evaluation(ev.objectives, cons, ev.reported)
        if names is not None and user:
            ev = Evaluation(ev.objectives, ev.constraints,
                            {k: v for k, v in ev.reported.items() if k in names})
        return ev

    def input_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON, 16 hex digits (see the spec's ``input_hash``)."""
        return self._spec.input_hash()

    def choice_structure(self, max_options: int = 2_000_000) -> ChoiceStructure:
        """The exact (MILP) form of this laddered problem.

        The default is one group holding every feasible ladder point, each with its
        objective values precomputed by :meth:`evaluate`; families whose objectives are
        sums over independent choices (a portfolio of services) override this with one
        group per choice and linear coupling constraints (a budget).
        """
        total = self.ladder_size()
        if total > max_options:
            raise ParameterError(
                "ladder", f"at most {max_options:,} points for the exact form",
                f"{total:,} points", fix="use coarser ladder steps.",
                owner=f"problem '{self.name}'")
        X = ladder_product(self.ladders(), 0, total)
        ev = self.evaluate(X, report=False)
        feas = self.feasible(ev)
        X = X[feas]
        group = ChoiceGroup(
            name=self.name,
            columns=tuple(range(self.n_var)),
            options=X,
            objectives={o: ev.objectives[o][feas] for o in self.objective_names},
        )
        return ChoiceStructure(groups=(group,))

    # -- derived problems -------------------------------------------------------------
    def with_objectives(self, names: Sequence[str]) -> Self:
        """The same problem with other chosen objectives."""
        return type(self)(self._spec.replace(objectives=tuple(names)))

    def with_spec_changes(self, **changes: Any) -> Self:
        """The same family built from a copy of the spec with top-level fields changed."""
        return type(self)(self._spec.replace(**changes))

    def with_bounds(
        self, changes: Mapping[str, Bounds | Mapping[str, float | None]]
    ) -> Self:
        """The same problem with some decision bounds / ladder steps replaced."""
        unknown = set(changes) - set(self.decision_names)
        if unknown:
            raise UnknownNameError("bounds", sorted(unknown)[0], self.decision_names,
                                   owner=f"problem '{self.name}'")
        return self._with_bounds(
            {k: v if isinstance(v, Bounds) else Bounds(**v) for k, v in changes.items()}
        )

    def _with_bounds(self, changes: Mapping[str, Bounds]) -> Self:
        raise NotImplementedError(f"{type(self).__name__} does not support changing bounds")

    def quantity_units(self) -> dict[str, str]:
        """Unit of every objective and reported quantity, by name."""
        out = {q.name: q.unit for q in self._objective_info.values()}
        out.update({q.name: q.unit for q in self._reported_info.values()})
        return out

    def _user_guardrails(self) -> tuple[Guardrail, ...]:
        units = self.quantity_units()
        out = []
        for c in self._spec.constraints:
            unit = units[c.quantity]
            if c.min is not None:
                out.append(Guardrail(f"{c.quantity}>={c.min:g}", unit, max(abs(c.min), 1.0),
                                     f"{c.quantity} at least {c.min:g} {unit}"))
            if c.max is not None:
                out.append(Guardrail(f"{c.quantity}<={c.max:g}", unit, max(abs(c.max), 1.0),
                                     f"{c.quantity} at most {c.max:g} {unit}"))
        return tuple(out)

    def _check_user_constraints(self) -> None:
        missing = [o for o in self._spec.objectives if o not in self._objective_info]
        if missing:
            why = (" (it needs a [pathway] table: the clinical pathway after the exam)"
                   if missing[0] == "health_gain" else "")
            raise ParameterError(
                "objectives", f"objectives this problem defines ({list(self._objective_info)})",
                repr(missing[0]), fix=f"drop '{missing[0]}' from the objectives{why}.",
                owner=f"problem '{self.name}'")
        known = self.quantity_units()
        for i, c in enumerate(self._spec.constraints):
            if c.quantity not in known:
                raise UnknownNameError(f"constraints[{i}].quantity", c.quantity, list(known),
                                       owner=f"problem '{self.name}'")

    def _check_observed(self) -> None:
        """Every ``[[observed]]`` price names a decision of this problem."""
        for i, obs in enumerate(getattr(self._spec, "observed", ())):
            if obs.variable not in self.decision_names:
                raise UnknownNameError(f"observed[{i}].variable", obs.variable,
                                       list(self.decision_names),
                                       owner=f"problem '{self.name}'")
            for k in obs.jointly:
                if k not in self.decision_names or k == obs.variable:
                    raise UnknownNameError(f"observed[{i}].jointly", k,
                                           [d for d in self.decision_names
                                            if d != obs.variable],
                                           owner=f"problem '{self.name}'")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(name={self.name!r}, n_var={self.n_var}, "
                f"objectives={list(self.objective_names)})")


ProblemT = TypeVar("ProblemT", bound=PricingProblem[Any])


def as_family(problem: PricingProblem[Any], cls: type[ProblemT]) -> ProblemT:
    """``problem`` typed as the family class ``cls`` (for code that reads a family's own
    attributes, such as a bundled problem's script).

    Raises
    ------
    ParameterError
        When ``problem`` is of another family.
    """
    if not isinstance(problem, cls):
        raise ParameterError(
            "problem", f"a problem of family '{cls.family}'",
            f"'{problem.name}' of family '{problem.family}'",
            fix=f"load a problem file with family = \"{cls.family}\".")
    return problem
