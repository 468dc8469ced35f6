"""Validated, frozen problem specifications and the TOML problem-file loader.

A problem file is TOML. Any number in it may be written plain (``population = 3069500``)
or with its source (``population = {value = 3069500, source = "CMS CCW 2019"}``); the
sources are kept in :attr:`ProblemSpecBase.sources`, keyed by the parameter's dotted path,
so every figure on a front can be traced. Unknown keys, wrong types and out-of-range
values raise :class:`~paretoprice.optim.errors.ParameterError` naming the parameter, what was
expected, what was received and how to fix it.

The schema of the reference fee-for-service model is :class:`FeeForServiceSpec`;
other payment-model families subclass :class:`ProblemSpecBase` in ``paretoprice.optim.families``.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from paretoprice.optim.budget import Ramp
from paretoprice.optim.errors import ParameterError, ProblemFileError
from paretoprice.optim.frozen import Frozen
from paretoprice.optim.pathway import Pathway

S = TypeVar("S", bound=BaseModel)

# ---------------------------------------------------------------------------
# Names shared by every family
# ---------------------------------------------------------------------------

CORE_OBJECTIVES: tuple[str, ...] = (
    "payer_spend",
    "creator_npv",
    "access",
    "provider_margin",
    "equity",
    "health_gain",
)
"""Objective names a family may define (``equity`` is reported and optionally optimized;
``health_gain`` exists only where the problem has a clinical pathway)."""

OBJECTIVE_SENSES: dict[str, Literal["min", "max"]] = {
    "payer_spend": "min",
    "creator_npv": "max",
    "access": "max",
    "provider_margin": "max",
    "equity": "max",
    "health_gain": "max",
}

DEFAULT_OBJECTIVES: tuple[str, ...] = ("payer_spend", "creator_npv", "access", "provider_margin")


MAX_LADDER_POINTS = 1_000_000
"""Most points one decision's ladder may have (``(upper - lower) / step + 1``); checked
before any ladder is built. Larger ladders are almost always a step typo."""


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


class Payer(Frozen):
    """A payer and its rate relative to Medicare.

    Attributes
    ----------
    name
        Identifier used in segment payer mixes (e.g. ``medicare``).
    rate_multiplier
        Payment rate as a multiple of Medicare's (dimensionless; Medicare = 1,
        commercial typically > 1, Medicaid < 1).
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    rate_multiplier: float = Field(gt=0, le=20)


class Segment(Frozen):
    """A setting of care (e.g. large health system, community practice, safety-net).

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores); decision ``a_<name>`` is its add-on.
    population
        ``n_g``: at-risk patients a year (patients per year).
    compliance
        ``c_g``: share of at-risk patients who get the human-performed service today.
    uptake
        ``u_g``: share of at-risk patients who get the AI service where it is offered.
    provider_cost_per_use
        ``k_g``: provider's variable cost per AI use (USD per use).
    sites
        ``S_g``: number of sites that could adopt.
    fixed_cost_per_site
        ``Kbar_g``: mean annualized fixed adoption cost per site (USD per site per year);
        site costs are spread around this mean by the adoption curve.
    payer_mix
        ``w_gj``: share of the segment's patients by payer; must sum to 1.
    equity_weight
        ``e_g``: distributional weight in ``access`` (1 = plain coverage).
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    population: float = Field(gt=0)
    compliance: float = Field(ge=0, le=1)
    uptake: float = Field(ge=0, le=1)
    provider_cost_per_use: float = Field(ge=0)
    sites: float = Field(gt=0)
    fixed_cost_per_site: float = Field(ge=0)
    payer_mix: dict[str, float]
    equity_weight: float = Field(default=1.0, gt=0)

    @field_validator("payer_mix")
    @classmethod
    def _mix_is_shares(cls, v: dict[str, float]) -> dict[str, float]:
        for payer, share in v.items():
            if not (0.0 <= share <= 1.0):
                raise ValueError(f"payer share '{payer}' must be in [0, 1], got {share}")
        total = sum(v.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"payer shares must sum to 1, they sum to {total:.6g}")
        return v


class Creator(Frozen):
    """The AI creator's economics.

    Attributes
    ----------
    marginal_cost
        ``m``: cost per use (inference, support, liability, QA), USD per use.
    upfront_investment
        ``F``: development and authorization cost not yet recovered, USD.
    annual_fixed_cost
        ``O``: fixed operating cost, USD per year.
    horizon_years
        ``T``: years over which the creator must recover its investment.
    discount_rate
        ``r``: annual discount rate (e.g. 0.03).
    tco_volume
        ``N`` for the total-cost-of-ownership anchor, uses per year.
    """

    marginal_cost: float = Field(ge=0)
    upfront_investment: float = Field(ge=0)
    annual_fixed_cost: float = Field(ge=0)
    horizon_years: int = Field(ge=1, le=50)
    discount_rate: float = Field(ge=0, le=1)
    tco_volume: float = Field(gt=0)


class ValueInputs(Frozen):
    """Inputs of the cost-effective value anchor.

    Attributes
    ----------
    wtp_per_qaly
        ``lambda``: willingness to pay, USD per QALY.
    qaly_gain_per_patient
        ``dQALY``: QALYs gained per additional patient served (QALY per patient).
    savings_per_patient
        ``dSavings``: downstream savings per additional patient served, USD per patient.
    """

    wtp_per_qaly: float = Field(ge=0)
    qaly_gain_per_patient: float = Field(ge=0)
    savings_per_patient: float = 0.0


class Adoption(Frozen):
    """How site fixed costs are spread, which sets the adoption curve.

    ``uniform`` (default): site costs ~ Uniform[0, 2 Kbar]; adoption is piecewise linear
    in the annual margin per site. ``lognormal``: site costs ~ LogNormal with mean Kbar and
    log-scale standard deviation ``sigma``; adoption is smooth.
    """

    curve: Literal["uniform", "lognormal"] = "uniform"
    sigma: float = Field(default=0.75, gt=0, le=5)


class Bounds(Frozen):
    """Bounds of one decision variable, USD per use, with an optional ladder step.

    ``step`` makes the variable laddered: its values are ``lower, lower + step, ...,
    upper`` (``upper`` must then be reachable within rounding). The exhaustive grid and
    the exact backends need a ladder; the evolutionary backends ignore it.
    """

    lower: float
    upper: float
    step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.lower > self.upper:
            raise ValueError(
                f"lower bound {self.lower} is above upper bound {self.upper}; "
                "did you swap the lower and upper bounds?"
            )
        if not math.isfinite(self.upper - self.lower):
            raise ValueError(
                f"the range [{self.lower}, {self.upper}] is too wide to compute with "
                "(its width overflows); give realistic bounds"
            )
        if self.step is not None and self.upper > self.lower:
            n = (self.upper - self.lower) / self.step
            if not math.isfinite(n) or n + 1 > MAX_LADDER_POINTS:
                raise ValueError(
                    f"step {self.step} cuts the range [{self.lower}, {self.upper}] into "
                    f"{_count_text(n + 1)} ladder points, more than the "
                    f"{MAX_LADDER_POINTS:,} allowed per decision; use a coarser step, or "
                    "remove 'step' to search the range continuously (nsga2)"
                )
            if abs(n - round(n)) > 1e-6:
                raise ValueError(
                    f"step {self.step} does not divide the range [{self.lower}, {self.upper}]"
                    " into whole steps; pick a step that does"
                )
        return self

    def n_points(self) -> int:
        """Number of ladder values, computed without building the ladder (exact integer;
        1 when ``lower == upper``; raises ``ValueError`` without a step)."""
        if self.upper == self.lower:
            return 1
        if self.step is None:
            raise ValueError("no ladder step")
        return round((self.upper - self.lower) / self.step) + 1

    def ladder(self) -> list[float]:
        """Values of the ladder (just ``[lower]`` when ``lower == upper``)."""
        n = self.n_points()
        if n == 1:
            return [self.lower]
        assert self.step is not None
        return [self.lower + i * self.step for i in range(n)]


class Toggle(Frozen):
    """A guardrail without parameters."""

    enabled: bool = False


class FundBudget(Frozen):
    """``fund_budget``: total add-on payments ``sum_g U_g a_g <= budget`` (USD per year)."""

    enabled: bool = False
    budget: float = Field(default=0.0, ge=0)


class EquityFloor(Frozen):
    """``equity_floor``: worst-segment coverage ``min_g coverage_g >= min_coverage``."""

    enabled: bool = False
    min_coverage: float = Field(default=0.0, ge=0, le=1)


def _count_text(n: float) -> str:
    return "infinitely many" if not math.isfinite(n) else f"about {n:.3g}"


def toggle_shorthand(data: Any) -> Any:
    """``name = true`` in a guardrails table means ``name = {enabled = true}``."""
    if isinstance(data, Mapping):
        return {k: ({"enabled": v} if isinstance(v, bool) else v) for k, v in data.items()}
    return data


class GuardrailSet(Frozen):
    """Base of every family's guardrails table: each field a guardrail with ``enabled``.

    A boolean in the problem file (``cap_substitution = true``) is shorthand for
    ``{enabled = true}``.
    """

    @model_validator(mode="before")
    @classmethod
    def _bool_shorthand(cls, data: Any) -> Any:
        return toggle_shorthand(data)

    def enabled_names(self) -> list[str]:
        """Names of the enabled guardrails, in declaration order."""
        return [name for name in type(self).model_fields if getattr(self, name).enabled]


class StandardGuardrails(GuardrailSet):
    """The guardrails most families share, in this order: the budget guardrail, the three
    anchor caps, the two cost floors, creator sustainability and the equity floor. A
    family adds its own fields after them (declaration order is the constraint order)."""

    budget_access_max: Toggle = Toggle()
    cap_substitution: Toggle = Toggle()
    cap_access_maximizing: Toggle = Toggle()
    cap_cost_effective: Toggle = Toggle()
    floor_marginal_cost: Toggle = Toggle()
    floor_total_cost_of_ownership: Toggle = Toggle()
    creator_sustainable: Toggle = Toggle()
    equity_floor: EquityFloor = EquityFloor()


class Guardrails(GuardrailSet):
    """Guardrails derived from the value anchors; each on or off by name.

    Each becomes a constraint ``g(x) <= 0``. A boolean in the problem file
    (``cap_substitution = true``) is shorthand for ``{enabled = true}``.
    """

    budget_access_max: Toggle = Toggle()
    cap_substitution: Toggle = Toggle()
    cap_access_maximizing: Toggle = Toggle()
    cap_cost_effective: Toggle = Toggle()
    floor_marginal_cost: Toggle = Toggle()
    floor_total_cost_of_ownership: Toggle = Toggle()
    creator_sustainable: Toggle = Toggle()
    fund_budget: FundBudget = FundBudget()
    equity_floor: EquityFloor = EquityFloor()


class QuantityConstraint(Frozen):
    """A bound on any reported quantity or objective, e.g. ``equity >= 0.35``.

    Attributes
    ----------
    quantity
        Name of an objective or reported quantity (see ``reported_units``).
    min, max
        Lower and/or upper bound in the quantity's own unit.
    """

    quantity: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> QuantityConstraint:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}; did you swap them?")
        return self


class ObservedPrice(Frozen):
    """A real-world price to locate on the front (e.g. CMS's national amount).

    ``low == high`` marks a single price; otherwise a band. ``variable`` is the decision
    it refers to (usually ``p``, the payer's rate, USD per use). ``jointly`` names other
    decisions observed together with it, each at one value in its own unit: the whole is
    one joint observed point (e.g. CMS's ACCESS model pays p = 420 with a withhold of 0.5
    and no shared savings), located on the front with all of them fixed.
    """

    name: str
    variable: str = "p"
    low: float
    high: float
    source: str = ""
    jointly: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> ObservedPrice:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}; did you swap them?")
        return self


def unique_names(kind: str) -> AfterValidator:
    """A field check that the items (each with a ``name``) have distinct names.

    ``tiers: Annotated[tuple[Tier, ...], unique_names("tier")]`` rejects two tiers named
    alike with ``tier names repeat: [...]; give each tier its own name``.
    """

    def check(items: Sequence[Any]) -> Sequence[Any]:
        names = [x.name for x in items]
        if len(set(names)) != len(names):
            raise ValueError(f"{kind} names repeat: {names}; give each {kind} its own name")
        return items

    return AfterValidator(check)


class FieldValueError(ValueError):
    """A ``ValueError`` raised in a model validator that knows which parameter is wrong.

    ``parameter`` is the dotted path relative to the model being validated (e.g.
    ``segments[2].name``); :func:`validate_spec` appends it to the error's location so the
    message names the parameter instead of the problem as a whole.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def check_payers_and_segments(payers: Sequence[Payer], segments: Sequence[Segment],
                              distinct_payers: bool = True) -> None:
    """Payer and segment names are distinct and every payer mix names declared payers.

    Raises ``ValueError`` (turned into a :class:`~paretoprice.optim.errors.ParameterError` by
    :func:`validate_spec`). ``distinct_payers=False`` skips the payer check for specs that
    check it in a field validator.
    """
    payer_names = [p.name for p in payers]
    if distinct_payers and len(set(payer_names)) != len(payer_names):
        i = _first_repeat(payer_names)
        raise FieldValueError(f"payers[{i}].name", f"payer names repeat: {payer_names}")
    seg_names = [s.name for s in segments]
    if len(set(seg_names)) != len(seg_names):
        i = _first_repeat(seg_names)
        raise FieldValueError(f"segments[{i}].name", f"segment names repeat: {seg_names}")
    for i, s in enumerate(segments):
        unknown = set(s.payer_mix) - set(payer_names)
        if unknown:
            raise FieldValueError(
                f"segments[{i}].payer_mix",
                f"segment '{s.name}' names unknown payer(s) {sorted(unknown)} in its "
                f"payer_mix; declared payers are {payer_names}"
            )


def _first_repeat(names: Sequence[str]) -> int:
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            return i
        seen.add(n)
    return 0


def check_addon_segments(addons: Mapping[str, Any], segments: Sequence[Segment]) -> None:
    """Every ``decisions.addons.<segment>`` names a declared segment (else ``ValueError``)."""
    seg_names = [s.name for s in segments]
    unknown_addons = set(addons) - set(seg_names)
    if unknown_addons:
        raise FieldValueError(
            f"decisions.addons.{sorted(unknown_addons)[0]}",
            f"decisions.addons names unknown segment(s) {sorted(unknown_addons)}; "
            f"segments are {seg_names}"
        )


# ---------------------------------------------------------------------------
# Problem specifications
# ---------------------------------------------------------------------------


class ProblemSpecBase(Frozen):
    """Fields every problem has, whatever its payment model.

    Attributes
    ----------
    name
        Short identifier (``idx-dr``), used on the command line.
    family
        Payment-model family (``ffs``, ``category_iii``, ...).
    objectives
        Chosen objectives (2 or more of ``payer_spend``, ``creator_npv``, ``access``,
        ``provider_margin``, ``equity``).
    sources
        Dotted parameter path -> source text, filled from ``{value, source}`` numbers.
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    family: str
    title: str = ""
    description: str = ""
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES
    constraints: tuple[QuantityConstraint, ...] = ()
    observed: tuple[ObservedPrice, ...] = ()
    sources: dict[str, str] = Field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    uncertain: tuple[dict[str, Any], ...] = ()
    """``[[uncertain]]`` tables: a distribution on an input, checked and used by
    :mod:`paretoprice.optim.uncertainty` (psa, tornado, sobol); ignored by solvers."""
    uncertain_correlation: tuple[dict[str, Any], ...] = ()
    """``[[uncertain_correlation]]`` tables: rank correlation between two uncertain inputs."""

    @field_validator("objectives")
    @classmethod
    def _objectives_known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [o for o in v if o not in CORE_OBJECTIVES]
        if unknown:
            raise ValueError(
                f"unknown objective(s) {unknown}; choose from {list(CORE_OBJECTIVES)}"
            )
        if len(set(v)) != len(v):
            raise ValueError(f"objectives repeat a name: {list(v)}")
        if len(v) < 2:
            raise ValueError(f"choose at least 2 objectives, got {list(v)}")
        return v

    def enabled_guardrails(self) -> list[str]:
        """Names of the enabled guardrails of the spec's ``guardrails`` table (none when the
        family has no such table)."""
        table = getattr(self, "guardrails", None)
        return table.enabled_names() if isinstance(table, GuardrailSet) else []

    def input_hash(self) -> str:
        """SHA-256 of the canonical JSON of every input (sources included), 16 hex digits."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def replace(self, **changes: Any) -> Self:
        """A validated copy with some top-level fields changed (the original is untouched)."""
        data = self.model_dump()
        data.update(changes)
        return validate_spec(type(self), data, owner=f"problem '{self.name}'")


class PatientCopay(Frozen):
    """The share of an AI service's payment paid by the patient, and how uptake responds.

    Attributes
    ----------
    share
        ``kappa``: share of the payment per AI use paid by the patient (share, 0-1); the
        insurer pays ``1 - kappa`` of it, the provider still receives the whole payment.
    uptake_response
        ``eps``: share of uptake lost per unit of copay share, a stated demand-response
        assumption (share per share, >= 0): where the patient pays, uptake is multiplied by
        ``max(0, 1 - eps kappa)``. 0 (default) leaves uptake unchanged.
    """

    share: float = Field(ge=0, le=1)
    uptake_response: float = Field(default=0.0, ge=0)

    @property
    def uptake_factor(self) -> float:
        """``max(0, 1 - eps kappa)``: uptake where the patient pays, as a multiple (share)."""
        return max(0.0, 1.0 - self.uptake_response * self.share)


class Service(Frozen):
    """The AI service and the human-performed service it substitutes.

    Attributes
    ----------
    name
        Plain-words name of the service.
    code
        Billing code (e.g. ``CPT 92229``).
    comparator_payment
        ``v_c``: payment today for the human-performed service (USD per patient);
        the substitution value.
    """

    name: str
    code: str = ""
    comparator_payment: float = Field(gt=0)


class Decisions(Frozen):
    """Decision variables of the fee-for-service model (USD per use).

    ``p``: payer (Medicare) rate per use; ``f``: creator fee per use charged to the
    provider; ``addon``: add-on per use paid from an incentive fund, the same bounds for
    every segment unless ``addons.<segment>`` overrides them.
    """

    p: Bounds
    f: Bounds
    addon: Bounds = Bounds(lower=0.0, upper=0.0)
    addons: dict[str, Bounds] = Field(default_factory=dict)

    @field_validator("p", "f", "addon")
    @classmethod
    def _not_negative(cls, v: Bounds) -> Bounds:
        if v.lower < 0:
            raise ValueError(f"a price, fee or add-on cannot be negative (lower bound {v.lower});"
                             " give lower >= 0")
        return v

    @field_validator("addons")
    @classmethod
    def _addons_not_negative(cls, v: dict[str, Bounds]) -> dict[str, Bounds]:
        for g, b in v.items():
            if b.lower < 0:
                raise ValueError(f"the add-on of segment '{g}' cannot be negative (lower bound "
                                 f"{b.lower}); give lower >= 0")
        return v


class FfsSegment(Segment):
    """A setting of care of the fee-for-service model, with its own payment level.

    Attributes
    ----------
    rate_multiplier
        Multiple of the rate ``p`` that this setting's payment system pays for the AI
        service (dimensionless, default 1): lets one problem hold settings paid under
        different schedules, e.g. hospital outpatient (OPPS) beside physician office (PFS).
        It scales the AI rate only, not the comparator payment ``v_c``; 0 means the
        setting is not paid for the AI service.
    """

    rate_multiplier: float = Field(default=1.0, ge=0, le=20)


class FeeForServiceFields(ProblemSpecBase):
    """The fields of the fee-for-service model, shared by every family built on it
    (:class:`FeeForServiceSpec`, the Category III spec); see :class:`FeeForServiceSpec`."""

    service: Service
    payers: tuple[Payer, ...] = Field(min_length=1)
    segments: tuple[FfsSegment, ...] = Field(min_length=1)
    creator: Creator
    value: ValueInputs
    adoption: Adoption = Adoption()
    decisions: Decisions
    guardrails: Guardrails = Guardrails()
    pathway: Pathway | None = None

    @model_validator(mode="after")
    def _cross_checks(self) -> Self:
        check_payers_and_segments(self.payers, self.segments)
        check_addon_segments(self.decisions.addons, self.segments)
        if self.pathway is not None:
            self.pathway.check_segments([g.name for g in self.segments])
        return self


class FeeForServiceSpec(FeeForServiceFields):
    """Reference model v1: one AI service paid per use (fee-for-service).

    See ``docs/model.md`` for the formulas. Objectives: ``payer_spend`` (USD per year,
    minimized), ``creator_npv`` (USD, maximized), ``access`` (share of at-risk patients
    served, maximized), ``provider_margin`` (USD per year, maximized), ``equity``
    (worst-segment coverage share, maximized).
    """

    family: Literal["ffs"] = "ffs"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    ramp: Ramp = Ramp()
    patient_copay: PatientCopay | None = None


# ---------------------------------------------------------------------------
# Loading and validation with readable errors
# ---------------------------------------------------------------------------

_SOURCED_KEYS = {"value", "source", "note", "unit"}


def _unwrap_sources(data: Any, path: str, sources: dict[str, str]) -> Any:
    """Replace ``{value = x, source = "..."}`` tables by ``x``; record the source."""
    if isinstance(data, Mapping):
        keys = set(data)
        if "value" in keys and keys <= _SOURCED_KEYS and not isinstance(data["value"], Mapping):
            if "source" in data:
                sources[path] = str(data["source"])
            return data["value"]
        return {
            k: _unwrap_sources(v, f"{path}.{k}" if path else str(k), sources)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_unwrap_sources(v, f"{path}[{i}]", sources) for i, v in enumerate(data)]
    return data


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out or "<problem>"


def _expected_and_fix(err: Mapping[str, Any]) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx", {}) or {}
    if kind == "extra_forbidden":
        known = ctx.get("known")
        return (
            f"one of the known keys ({known})" if known else "a known key (unknown keys are "
            "rejected)",
            "remove the key or correct its spelling.",
        )
    if kind == "missing":
        return "given (it is required)", "add it to the problem."
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        lo = ctx.get("ge", ctx.get("gt"))
        hi = ctx.get("le", ctx.get("lt"))
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}[kind]
        bound = lo if lo is not None else hi
        return f"a number {op} {bound}", f"give a value {op} {bound}."
    if kind in {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"}:
        what = "a whole number" if kind.startswith("int") else "a number"
        return what, f"write {what} (no quotes)."
    if kind in {"string_type", "string_too_short"}:
        return "a non-empty string", "write text in quotes."
    if kind == "string_pattern_mismatch":
        return (
            "an identifier (letters, digits, underscores; starts with a letter)",
            "rename it, e.g. 'safety_net'.",
        )
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}", "pick one of the listed values."
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "a table", "write it as a TOML table (key = value pairs)."
    if kind in {"tuple_type", "list_type", "too_short"}:
        return "a list with enough entries", "write it as a TOML array."
    if kind == "finite_number":
        return "a finite number", "write a real number (not inf or nan)."
    if kind == "bool_type":
        return "true or false", "write true or false."
    if kind == "value_error":
        msg = str(ctx.get("error", err.get("msg", "")))
        return "valid", msg.rstrip(".") + "."
    return err.get("msg", "valid"), "correct the value."


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return "<missing>"
    return cur


def validate_spec(cls: type[S], data: Mapping[str, Any], owner: str = "") -> S:
    """Validate ``data`` into ``cls``; turn pydantic's errors into one :class:`ParameterError`.

    Sourced numbers (``{value, source}``) are unwrapped first and their sources stored.
    The first error is raised (its message names the parameter); the rest are attached as
    ``error.others``.
    """
    sources: dict[str, str] = dict(data.get("sources", {})) if isinstance(data, Mapping) else {}
    plain = _unwrap_sources({k: v for k, v in data.items() if k != "sources"}, "", sources)
    if "sources" in getattr(cls, "model_fields", {}):
        plain["sources"] = sources
    owner = owner or (f"problem '{plain.get('name')}'" if plain.get("name") else cls.__name__)
    try:
        return cls.model_validate(plain)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        # pydantic adds the validator function name for model validators; drop it
        loc = tuple(p for p in loc if p not in {"function-after", "function-before"})
        if first["type"] == "extra_forbidden":
            parent = _model_at(cls, loc[:-1])
            if parent is not None:
                first = {**first, "ctx": {"known": ", ".join(parent.model_fields)}}
        if first["type"] == "value_error":
            cause = (first.get("ctx") or {}).get("error")
            if isinstance(cause, FieldValueError):
                loc = loc + _path_to_loc(cause.parameter)
            elif not loc:
                loc = _loc_from_message(cls, str(cause or first.get("msg", "")))
        expected, fix = _expected_and_fix(first)
        got = first.get("input") if first["type"] != "missing" else "nothing"
        if isinstance(got, str) and first["type"] not in {"missing", "value_error"}:
            got = repr(got)
        if first["type"] == "value_error":
            got = _value_at(plain, loc)
            if isinstance(got, Mapping):
                small = len(got) <= 4 and all(not isinstance(v, Mapping | list | tuple)
                                              for v in got.values())
                got = ("{" + ", ".join(f"{k} = {v!r}" for k, v in got.items()) + "}"
                       if small else "the values given")
            elif isinstance(got, str) and got != "<missing>":
                got = repr(got)
        err = ParameterError(_loc_to_path(loc), expected, got, fix=fix, owner=owner)
        err.others = errors[1:]  # type: ignore[attr-defined]
        raise err from None


def _path_to_loc(path: str) -> tuple[Any, ...]:
    """``segments[2].name`` -> ``('segments', 2, 'name')``."""
    out: list[Any] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("[") and chunk.endswith("]") and chunk[1:-1].isdigit():
            out.append(int(chunk[1:-1]))
        elif chunk:
            out.append(chunk)
    return tuple(out)


def _loc_from_message(cls: type[BaseModel], message: str) -> tuple[Any, ...]:
    """A problem-level rule broke: name the top-level field its message talks about
    (``segment names repeat`` -> ``segments``), else ``problem``."""
    import re

    words = set(re.findall(r"[A-Za-z_]+", message.lower()))
    for field in getattr(cls, "model_fields", {}):
        if field in {"name", "family", "title", "description", "sources"}:
            continue
        if field in words or field.rstrip("s") in words:
            return (field,)
    return ("problem",)


def _model_at(cls: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class at ``loc`` inside ``cls`` (None when not a plain model)."""

    cur: Any = cls
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return None
        field = cur.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        for _ in range(3):  # unwrap tuple[X, ...], X | None, dict[str, X]
            args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = args[-1]
        cur = ann
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML problem file into a dict; a clear error if missing or malformed."""
    p = Path(path)
    shown = str(p) if len(str(p)) <= 120 else str(p)[:60] + "..." + str(p)[-40:]
    try:
        is_file = p.is_file()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise ProblemFileError(
            f"Problem file '{shown}' cannot be opened: {exc.strerror}. Fix: give a bundled "
            "problem name or the path of a TOML problem file."
        ) from None
    if not is_file:
        raise ProblemFileError(
            f"Problem file '{shown}' does not exist. Fix: give a bundled problem name "
            "(see 'paretoprice problems') or the path of a TOML problem file."
        )
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemFileError(
            f"Problem file '{shown}' is not valid TOML: {exc}. Fix: correct the syntax at "
            "that line."
        ) from None
    except UnicodeDecodeError as exc:
        raise ProblemFileError(
            f"Problem file '{shown}' is not UTF-8 text (byte {exc.start} cannot be decoded). "
            "Fix: give a TOML text file saved as UTF-8."
        ) from None
    except OSError as exc:
        raise ProblemFileError(
            f"Problem file '{shown}' cannot be read: {exc.strerror}. Fix: check the path "
            "and its permissions."
        ) from None
