"""Portfolio: one payer prices many AI services at once under one annual budget.

Each service ``i`` has a ladder of payment levels, "not covered" (0 USD) included, set as
shares of a reference payment ``R_i`` (e.g. 0%, 25%, ..., 125% of the 2025 national
rate). The payer picks one level per service; the services are otherwise independent,
so every objective except ``equity`` is a sum over services and the exact form is a
multi-objective multiple-choice knapsack: one group per service, the annual budget as
the coupling constraint.

Per service (one setting of care per service; the fee-for-service model of
:mod:`paretoprice.optim.families.ffs` with the creator's fee fixed)::

    decision         P_i  payer's payment per use, on the ladder       (USD per use)
    margin per use   pi_i = P_i - f_i - k_i                            (USD per use)
    uses per site    q_i  = n_i u_i / S_i                              (uses per site-year)
    adoption         A_i, adopters' cost C_i = curve(q_i pi_i, Kbar_i) (share, USD/site-year)
    AI uses          U_i  = n_i u_i A_i                                (uses per year)
    comparator uses  H_i  = n_i c_i (1 - A_i)                          (patients per year)

and across services::

    payer_spend      = sum_i U_i P_i + H_i v_i                          (USD/year, min)
    creator_npv      = sum_i annuity(T_i, r_i) ((f_i - m_i) U_i - O_i) - F_i   (USD, max)
    access           = sum_i e_i (U_i + H_i) / sum_i e_i n_i            (share, max)
    provider_margin  = sum_i U_i pi_i - S_i C_i                         (USD/year, max)
    equity           = min_i (U_i + H_i) / n_i                          (share, max)

``n_i`` eligible patients a year, ``c_i`` share served today by the comparator (paid
``v_i`` per patient; 0 when no human service is paid today), ``u_i`` uptake where the AI
is offered, ``f_i`` the creator's fee per use charged to the provider, ``k_i`` the
provider's cost per use, ``S_i`` sites of mean annualized fixed cost ``Kbar_i``,
``e_i`` equity weight; creator ``i`` has marginal cost ``m_i``, unrecovered investment
``F_i``, fixed cost ``O_i`` a year, horizon ``T_i`` and discount rate ``r_i``.

Decisions are the payments in USD per use (not level indices): the front's columns are
then in the unit the payer sets, real rates can be evaluated and located as they are,
and the toolkit's ladders, bounds and grid apply unchanged. The price of that choice is
that a service's levels are evenly spaced (``min_share + j * step_share``, times
``R_i``); "not covered" is the level 0.

Model v2 (``docs/problems.md``): a service may carry a clinical pathway
(``[services.pathway]``, :mod:`paretoprice.optim.pathway`) giving downstream cost
``da_i, dc_i`` (USD) and QALYs ``qa_i, qc_i`` per AI and per comparator exam. Then::

    payer_spend     += sum_i U_i da_i + H_i dc_i                        (USD/year)
    today's spend   += sum_i n_i c_i dc_i                               (USD/year)
    health_gain      = sum_i U_i qa_i + H_i qc_i                        (QALYs/year, max)

and each point reports incremental cost and QALYs against the status quo, the ICER with its
label and the NMB. A ``[ramp]`` makes each creator's use-driven margin follow the adoption
ramp and gives the year-by-year budget impact (:mod:`paretoprice.optim.budget`). Every v2
quantity is a sum over services, so the exact form below is unchanged in kind. Without a
pathway and a ramp the model is v1, bit for bit.

``equity`` is a minimum, not a sum: the grouped exact form (:meth:`choice_structure`)
represents the other four objectives, turns an ``equity_floor`` guardrail into options
left out of each group, and falls back to the one-group form (every feasible ladder
point) when ``equity`` itself is chosen as an objective.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import Anchors, annuity, compute_anchors
from paretoprice.optim.budget import (
    BudgetImpact,
    Ramp,
    budget_columns,
    budget_impact,
    discount_factors,
    is_immediate,
    ramp_shares,
)
from paretoprice.optim.budget import creator_npv as creator_npv_on_ramp
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.exact_form import (
    SeparableTerms,
    padded_ladder_matrix,
    separable_choice_structure,
)
from paretoprice.optim.families import common
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    WTP_THRESHOLDS,
    Pathway,
    PathwayEvaluator,
    cost_effective_payment,
    icer_with_label,
    net_monetary_benefit,
    reported_pathway_quantities,
    require_sources,
    segments_losing_access,
    with_pathway_anchor,
)
from paretoprice.optim.problem import (
    ChoiceStructure,
    Evaluation,
    Guardrail,
    PricingProblem,
    Quantity,
)

logger = logging.getLogger(__name__)

_IDENT = r"^[A-Za-z][A-Za-z0-9_]*$"


# ---------------------------------------------------------------------------
# Specification
# ---------------------------------------------------------------------------


class PaymentLadder(spec.Frozen):
    """Payment levels of a service as shares of its reference payment (dimensionless).

    Levels are ``min_share, min_share + step_share, ..., max_share`` times the reference
    payment (USD per use). The default, 0 to 1.25 in steps of 0.25, gives "not covered",
    25%, 50%, 75%, 100% and 125% of the reference. ``step_share = None`` leaves the
    payment continuous between the two shares (evolutionary backends only).
    """

    min_share: float = Field(default=0.0, ge=0, le=20)
    max_share: float = Field(default=1.25, ge=0, le=20)
    step_share: float | None = Field(default=0.25, gt=0, le=20)

    @model_validator(mode="after")
    def _whole_steps(self) -> PaymentLadder:
        if self.min_share > self.max_share:
            raise ValueError(
                f"min_share {self.min_share} is above max_share {self.max_share}; "
                "did you swap them?"
            )
        if self.step_share is not None and self.max_share > self.min_share:
            n = (self.max_share - self.min_share) / self.step_share
            if abs(n - round(n)) > 1e-6:
                raise ValueError(
                    f"step_share {self.step_share} does not divide [{self.min_share}, "
                    f"{self.max_share}] into whole steps; pick a step that does"
                )
        return self

    def bounds(self, reference_payment: float) -> spec.Bounds:
        """The ladder in USD per use for a service paid ``reference_payment`` today."""
        r = reference_payment
        step = None if self.step_share is None else self.step_share * r
        return spec.Bounds(lower=self.min_share * r, upper=self.max_share * r, step=step)


class PortfolioService(spec.Frozen):
    """One AI service of the portfolio, its comparator, providers and creator.

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores); the decision is ``p_<name>``.
    code, title
        Billing code (e.g. ``CPT 75580``) and plain-words name.
    reference_payment
        ``R_i``: the payment the ladder's shares refer to (USD per use), e.g. the 2025
        national rate.
    comparator, comparator_payment
        The human-performed service the AI substitutes and ``v_i``, its payment today
        (USD per patient; 0 when no separately paid service exists).
    eligible
        ``n_i``: eligible patients a year (patients per year).
    compliance
        ``c_i``: share of eligible patients who get the comparator today.
    uptake
        ``u_i``: share of eligible patients who get the AI service where it is offered.
    provider_cost_per_use
        ``k_i``: provider's variable cost per AI use (USD per use).
    sites, fixed_cost_per_site
        ``S_i`` sites that could adopt and ``Kbar_i``, their mean annualized fixed
        adoption cost (USD per site per year).
    creator_fee
        ``f_i``: the creator's fee per use charged to the provider (USD per use).
    creator
        The creator's economics (marginal cost, investment, fixed cost, horizon, rate).
    value
        Inputs of the service's cost-effective anchor (optional; required by
        ``cap_cost_effective``).
    equity_weight
        ``e_i``: weight of the service's patients in ``access`` (1 = plain coverage).
    ladder
        This service's payment ladder (defaults to the problem's ``ladder``).
    pathway
        The clinical pathway after the service's result (model v2,
        :class:`~paretoprice.optim.pathway.Pathway`; optional). The service is one setting
        of care, so the pathway has no per-segment overrides; it needs ``value`` (its
        ``wtp_per_qaly`` prices the QALYs).
    """

    name: str = Field(min_length=1, pattern=_IDENT)
    code: str = ""
    title: str = ""
    reference_payment: float = Field(gt=0)
    comparator: str = ""
    comparator_payment: float = Field(ge=0)
    eligible: float = Field(gt=0)
    compliance: float = Field(ge=0, le=1)
    uptake: float = Field(ge=0, le=1)
    provider_cost_per_use: float = Field(ge=0)
    sites: float = Field(gt=0)
    fixed_cost_per_site: float = Field(ge=0)
    creator_fee: float = Field(ge=0)
    creator: spec.Creator
    value: spec.ValueInputs | None = None
    equity_weight: float = Field(default=1.0, gt=0)
    ladder: PaymentLadder | None = None
    pathway: Pathway | None = None

    @model_validator(mode="after")
    def _pathway_fits(self) -> PortfolioService:
        if self.pathway is None:
            return self
        if self.pathway.segments:
            raise spec.FieldValueError(
                "pathway.segments",
                f"pathway.segments {sorted(self.pathway.segments)}: a portfolio service is one "
                "setting of care, so its pathway takes no per-segment overrides; drop "
                "[services.pathway.segments] or give the service's own values")
        if self.value is None:
            raise spec.FieldValueError(
                "value",
                "a service with a pathway needs 'value' inputs (its wtp_per_qaly prices the "
                "QALYs); add value = { wtp_per_qaly = ..., ... }")
        return self


class PortfolioBudget(spec.Frozen):
    """``portfolio_budget``: total payer spend ``<= budget`` (USD per year).

    Give ``budget`` (USD per year), or ``increase_over_today`` (USD per year added to
    today's spend ``sum_i n_i c_i v_i``); with neither the budget is today's spend.
    """

    enabled: bool = False
    budget: float | None = Field(default=None, ge=0)
    increase_over_today: float = 0.0

    @model_validator(mode="after")
    def _one_way(self) -> PortfolioBudget:
        if self.budget is not None and self.increase_over_today != 0.0:
            raise ValueError(
                "give either 'budget' (USD per year) or 'increase_over_today' (USD per year "
                "over today's spend), not both"
            )
        return self


class PortfolioGuardrails(spec.GuardrailSet):
    """Guardrails of a portfolio; each on or off by name (``name = true`` works).

    ``portfolio_budget`` couples the services; the caps apply service by service
    (``cap_substitution`` only to services whose comparator is paid, ``v_i > 0``);
    ``equity_floor`` asks every service's coverage to reach ``min_coverage``.
    """

    portfolio_budget: PortfolioBudget = PortfolioBudget()
    cap_substitution: spec.Toggle = spec.Toggle()
    cap_cost_effective: spec.Toggle = spec.Toggle()
    equity_floor: spec.EquityFloor = spec.EquityFloor()


class PortfolioSpec(spec.ProblemSpecBase):
    """A payer pricing several AI services under one budget (see the module docstring).

    Objectives: ``payer_spend`` (USD per year, minimized), ``creator_npv`` (USD, summed
    over creators, maximized), ``access`` (share of all eligible patients served,
    maximized), ``provider_margin`` (USD per year, maximized), ``equity`` (coverage of
    the worst-served service, maximized when chosen); with a service pathway,
    ``health_gain`` (QALYs per year, maximized when chosen).

    ``ramp`` spreads adoption over the first years (creator NPVs and the year-by-year
    budget impact follow it; default immediate). The budget impact runs over
    ``budget_horizon_years`` (default: the longest creator horizon) and is discounted at
    ``budget_discount_rate`` (default: the creators' common discount rate).
    """

    family: Literal["portfolio"] = "portfolio"
    payer: str = "Medicare"
    services: Annotated[tuple[PortfolioService, ...], Field(min_length=1),
                        spec.unique_names("service")]
    ladder: PaymentLadder = PaymentLadder()
    adoption: spec.Adoption = spec.Adoption()
    guardrails: PortfolioGuardrails = PortfolioGuardrails()
    ramp: Ramp = Ramp()
    budget_horizon_years: int | None = Field(default=None, ge=1, le=50)
    budget_discount_rate: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_wtp(self) -> PortfolioSpec:
        with_pw = [(i, x.value.wtp_per_qaly) for i, x in enumerate(self.services)
                   if x.pathway is not None and x.value is not None]
        wtp = {w for _i, w in with_pw}
        if len(wtp) > 1:
            odd = next(i for i, w in with_pw if w != with_pw[0][1])
            raise spec.FieldValueError(
                f"services[{odd}].value.wtp_per_qaly",
                f"services with a pathway give different value.wtp_per_qaly {sorted(wtp)}; "
                "the portfolio's ICER and NMB need one willingness to pay: give them all the "
                "same")
        return self

    @field_validator("guardrails")
    @classmethod
    def _value_inputs_for_caps(
        cls, v: PortfolioGuardrails, info: ValidationInfo
    ) -> PortfolioGuardrails:
        services = info.data.get("services") or ()
        if v.cap_cost_effective.enabled:
            missing = [s.name for s in services if s.value is None]
            if missing:
                raise ValueError(
                    f"cap_cost_effective needs 'value' inputs for every service; {missing} "
                    "have none (add them or turn the cap off)"
                )
        return v


# ---------------------------------------------------------------------------
# The problem
# ---------------------------------------------------------------------------

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "payer's annual payments for the AI services and the comparators they "
             "substitute (minimized)"),
    Quantity("creator_npv", "USD",
             "sum over the AI creators of their net present values (maximized)"),
    Quantity("access", "share of eligible patients",
             "equity-weighted share of all eligible patients served by an AI service or its "
             "comparator (maximized)"),
    Quantity("provider_margin", "USD per year",
             "providers' annual margin on the AI services after fees, per-use and fixed "
             "adoption costs (maximized)"),
    Quantity("equity", "share of eligible patients",
             "coverage of the worst-served service (maximized when chosen)"),
)

_SUM_QUANTITIES: tuple[str, ...] = (
    "payer_spend", "creator_npv", "access", "provider_margin", "ai_uses", "human_uses",
    "patients_served", "ai_spend", "comparator_spend", "services_covered",
)


class PortfolioProblem(PricingProblem[PortfolioSpec]):
    """A portfolio of AI services priced on payment ladders under one budget.

    See the module docstring for the formulas. Decision ``p_<service>`` is the payer's
    payment per use of that service (USD per use).

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("portfolio")
    >>> prob.n_services, prob.decision_names[0]
    (5, 'p_retinal_ai')
    """


    @property
    def n_services(self) -> int:
        """Number of AI services in the portfolio."""
        return len(self.service_names)

    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        sv = s.services
        # one setting of care per service
        self._seg = seg = common.segment_arrays(sv, population="eligible")
        self.service_names: tuple[str, ...] = seg.names
        self._vc = np.array([x.comparator_payment for x in sv], dtype=float)
        self._ref = np.array([x.reference_payment for x in sv], dtype=float)
        self._fee = np.array([x.creator_fee for x in sv], dtype=float)
        self._m = np.array([x.creator.marginal_cost for x in sv], dtype=float)
        self._F = np.array([x.creator.upfront_investment for x in sv], dtype=float)
        self._O = np.array([x.creator.annual_fixed_cost for x in sv], dtype=float)
        self._ann = np.array([annuity(x.creator.horizon_years, x.creator.discount_rate)
                              for x in sv], dtype=float)
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc * self._vc))
        self._service_anchors = {x.name: self._anchors_of(x) for x in sv}
        self._anchors = self._portfolio_anchors()
        self._budget = self._resolve_budget()
        self._decisions = tuple(
            Quantity(f"p_{x.name}", "USD per use",
                     f"payer's payment per use of {x.title or x.name}"
                     + (f" ({x.code})" if x.code else "") + "; 0 = not covered")
            for x in sv
        )
        self._bounds = tuple((x.ladder or s.ladder).bounds(x.reference_payment) for x in sv)
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        rep: list[Quantity] = []
        for x in sv:
            rep.append(Quantity(f"coverage_{x.name}", "share of eligible patients",
                                f"share of {x.name}'s eligible patients served"))
            rep.append(Quantity(f"adoption_{x.name}", "share of sites",
                                f"share of {x.name}'s sites offering the AI service"))
        rep += [
            Quantity("ai_uses", "uses per year", "AI uses a year, all services"),
            Quantity("human_uses", "patients per year", "comparator services a year"),
            Quantity("patients_served", "patients per year", "patients served by either"),
            Quantity("ai_spend", "USD per year", "payer's payments for AI uses"),
            Quantity("comparator_spend", "USD per year", "payer's payments for comparators"),
            quantities.budget_impact_quantity(),
            Quantity("services_covered", "services", "services paid a positive rate"),
        ]
        self._setup_v2(rep)
        self._declare_reported(rep)
        self._guardrails, self._rail_index = self._make_guardrails()

    def _setup_v2(self, rep: list[Quantity]) -> None:
        """Service pathways, the adoption ramp and the budget-impact horizon (model v2).

        Without a pathway and with an immediate ramp nothing here changes the v1 model.
        Appends the v2 reported quantities to ``rep``.
        """
        s = self.spec
        sv = s.services
        seg = self._seg
        owner = f"problem '{s.name}'"
        S = len(sv)
        # per AI exam and per comparator exam: downstream cost (USD) and QALYs, by service
        self._pw_cost_ai = np.zeros(S)
        self._pw_cost_cmp = np.zeros(S)
        self._pw_qaly_ai = np.zeros(S)
        self._pw_qaly_cmp = np.zeros(S)
        self._pw_services: tuple[str, ...] = tuple(x.name for x in sv if x.pathway is not None)
        self._wtp = float("nan")
        self._today_cost = 0.0
        self._today_qaly = 0.0
        one = np.ones(1)
        for j, x in enumerate(sv):
            if x.pathway is None or x.value is None:
                continue
            require_sources(x.pathway, s.sources, owner=owner,
                            prefix=f"services[{j}].pathway")
            segments_losing_access((x.name,), seg.c[j:j + 1], seg.u[j:j + 1])
            # one setting of care per service, paid by one payer at multiplier 1
            pw = PathwayEvaluator.build(x.pathway, (x.name,), wtp=x.value.wtp_per_qaly,
                                        mu=one, today_exams=seg.nc[j:j + 1])
            arr = pw.arrays
            ai, cmp = arr.per_exam(arr.ai, one), arr.per_exam(arr.cmp, one)
            self._pw_cost_ai[j], self._pw_cost_cmp[j] = ai.cost[0], cmp.cost[0]
            self._pw_qaly_ai[j], self._pw_qaly_cmp[j] = ai.qaly[0], cmp.qaly[0]
            self._today_cost += pw.today_cost
            self._today_qaly += pw.today_qaly
            self._wtp = pw.wtp
            ce = cost_effective_payment(
                arr, pw.wtp, population=seg.n[j:j + 1], compliance=seg.c[j:j + 1],
                uptake=seg.u[j:j + 1], comparator_payment=self._vc[j:j + 1], mu=one,
                rate_multiple=one)
            self._service_anchors[x.name] = with_pathway_anchor(
                self._service_anchors[x.name], ce, pw.wtp)
        self._has_pathway = bool(self._pw_services)
        if self._has_pathway:  # today's spend includes the comparators' downstream care
            self._today_spend = self._today_spend + self._today_cost
            self._budget = self._resolve_budget()
        # the adoption ramp: each creator's NPV over its own horizon, the budget impact
        # over the portfolio's horizon
        self._budget_years = int(s.budget_horizon_years or max(x.creator.horizon_years
                                                                 for x in sv))
        self._ramp = ramp_shares(s.ramp.shares, self._budget_years, owner=owner)
        self._creator_ramps = tuple(ramp_shares(s.ramp.shares, x.creator.horizon_years,
                                                owner=owner) for x in sv)
        self._immediate = all(is_immediate(r) for r in self._creator_ramps)
        self._v2 = self._has_pathway or not is_immediate(self._ramp) or not self._immediate
        rates = sorted({x.creator.discount_rate for x in sv})
        if s.budget_discount_rate is not None:
            self._budget_rate = float(s.budget_discount_rate)
        elif len(rates) == 1 or not self._v2:  # v1 reports no discounted budget impact
            self._budget_rate = float(rates[0])
        else:
            raise ParameterError(
                "budget_discount_rate", "one annual discount rate for the budget impact",
                "nothing (the creators' rates differ: " + ", ".join(f"{r:g}" for r in rates)
                + ")", fix="set budget_discount_rate = 0.03 (or the payer's own rate).",
                owner=owner)
        self._payer_key = "".join(ch if ch.isalnum() else "_" for ch in s.payer.lower())
        if self._has_pathway:
            self._objective_info["health_gain"] = Quantity(*HEALTH_GAIN)
            rep += [Quantity(*row) for row in reported_pathway_quantities("USD", self._wtp)]
            rep += [Quantity(f"health_gain_{x.name}", "QALYs per year",
                             f"lifetime QALYs gained by each year's patients examined for "
                             f"{x.name} (AI and comparator)") for x in sv if x.pathway]
            rep += [Quantity(f"incremental_cost_{x.name}", "USD per year",
                             f"{x.name}'s payer spend (exams and downstream care) minus its "
                             "status quo's") for x in sv]
        if self._v2:
            rep.append(Quantity(f"spend_{self._payer_key}", "USD per year",
                                f"{s.payer}'s payments for the AI services, the comparators "
                                "and the downstream pathway (the portfolio's only payer)"))
            rep += [Quantity(f"budget_impact_year{t + 1}", "USD per year",
                             f"payer_spend minus today's in year {t + 1} of the adoption ramp "
                             f"({100 * r:.0f}% of steady-state adoption)")
                    for t, r in enumerate(self._ramp)]
            rep.append(Quantity("budget_impact_discounted", "USD",
                                f"budget impact summed over {self._budget_years} years, "
                                f"discounted at {100 * self._budget_rate:g}% a year"))

    def _anchors_of(self, x: PortfolioService) -> Anchors:
        v = x.value
        a = compute_anchors(
            comparator_payment=x.comparator_payment,
            compliance=x.compliance,
            wtp_per_qaly=float("nan") if v is None else v.wtp_per_qaly,
            qaly_gain_per_patient=0.0 if v is None else v.qaly_gain_per_patient,
            savings_per_patient=0.0 if v is None else v.savings_per_patient,
            marginal_cost=x.creator.marginal_cost,
            upfront_investment=x.creator.upfront_investment,
            annual_fixed_cost=x.creator.annual_fixed_cost,
            horizon_years=x.creator.horizon_years,
            discount_rate=x.creator.discount_rate,
            tco_volume=x.creator.tco_volume,
        )
        if x.value is None:
            items = tuple(
                dataclasses.replace(it, formula="not given (no value inputs)")
                if it.name == "cost_effective" else it for it in a)
            a = Anchors(items)
        return a

    def _portfolio_anchors(self) -> Anchors:
        """The portfolio read as one service per eligible patient (weighted means)."""
        s = self.spec
        n, nc = self._seg.n, self._seg.nc
        served = float(nc.sum())
        vc_bar = float((nc * self._vc).sum() / served) if served > 0 else float(
            (n * self._vc).sum() / n.sum())
        c_bar = served / float(n.sum())
        pot = self._seg.nu if self._seg.nu.sum() > 0 else n
        m_bar = float((pot * self._m).sum() / pot.sum())
        values = [x.value for x in s.services if x.value is not None]
        if len(values) == len(s.services):
            v = np.array([x.wtp_per_qaly * x.qaly_gain_per_patient for x in values])
            d = np.array([x.savings_per_patient for x in values])
            q_money, savings = float((n * v).sum() / n.sum()), float((n * d).sum() / n.sum())
        else:
            q_money, savings = float("nan"), 0.0
        fixed = float((self._F / self._ann + self._O).sum())
        volume = float(sum(x.creator.tco_volume for x in s.services))
        a = compute_anchors(
            comparator_payment=vc_bar, compliance=c_bar, wtp_per_qaly=1.0,
            qaly_gain_per_patient=q_money, savings_per_patient=savings, marginal_cost=m_bar,
            upfront_investment=0.0, annual_fixed_cost=fixed, horizon_years=1,
            discount_rate=0.0, tco_volume=volume,
        )
        text = {
            "substitution": f"mean comparator payment per patient served today = {vc_bar:.6g}",
            "access_maximizing": f"today's spend / eligible patients = {vc_bar:.6g} * "
                                 f"{c_bar:.6g}",
            "cost_effective": "eligible-weighted mean of lambda * dQALY + dSavings"
                              if np.isfinite(q_money) else "not given (a service has no "
                              "value inputs)",
            "marginal_cost": f"AI-use-weighted mean of m = {m_bar:.6g}",
            "total_cost_of_ownership": f"mean m + sum (F / annuity + O) / sum N = {m_bar:.6g} "
                                       f"+ {fixed:.6g} / {volume:.6g}",
        }
        inputs = {
            "substitution": {"v_c_mean": vc_bar},
            "access_maximizing": {"v_c_mean": vc_bar, "c_mean": c_bar},
            "cost_effective": {"mean_qaly_value": q_money, "mean_savings": savings},
            "marginal_cost": {"m_mean": m_bar},
            "total_cost_of_ownership": {"m_mean": m_bar, "annual_fixed": fixed,
                                        "N_total": volume},
        }
        return Anchors(tuple(dataclasses.replace(it, formula=text[it.name],
                                                 inputs=inputs[it.name]) for it in a))

    def _resolve_budget(self) -> float:
        b = self.spec.guardrails.portfolio_budget
        if b.budget is not None:
            return float(b.budget)
        value = self._today_spend + b.increase_over_today
        if b.enabled and value < 0:
            raise ParameterError(
                "guardrails.portfolio_budget.increase_over_today",
                f"at least -{self._today_spend:,.0f} (minus today's spend, USD per year)",
                b.increase_over_today,
                fix="the budget would be negative; give a smaller cut.",
                owner=f"problem '{self.name}'",
            )
        return float(value)

    def _make_guardrails(self) -> tuple[tuple[Guardrail, ...], tuple[tuple[str, int], ...]]:
        s = self.spec
        gr = s.guardrails
        rails: list[Guardrail] = []
        index: list[tuple[str, int]] = []
        for name in gr.enabled_names():
            if name == "portfolio_budget":
                rails.append(Guardrail(
                    name, "USD per year", max(self._budget, 1.0),
                    f"payer_spend <= {self._budget:,.0f} USD per year (today's spend "
                    f"{self._today_spend:,.0f})"))
                index.append((name, -1))
            elif name == "cap_substitution":
                for j, x in enumerate(s.services):
                    if x.comparator_payment > 0:
                        rails.append(Guardrail(
                            f"cap_substitution_{x.name}", "USD per use",
                            max(x.comparator_payment, 1.0),
                            f"p_{x.name} <= substitution value {x.comparator_payment:.2f} USD"))
                        index.append((name, j))
            elif name == "cap_cost_effective":
                for j, x in enumerate(s.services):
                    cap = self._service_anchors[x.name]["cost_effective"].value
                    rails.append(Guardrail(
                        f"cap_cost_effective_{x.name}", "USD per use", max(cap, 1.0),
                        f"p_{x.name} <= cost-effective value {cap:.2f} USD"))
                    index.append((name, j))
            elif name == "equity_floor":
                rails.append(common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                      "share of eligible patients",
                                                      "every service's coverage"))
                index.append((name, -1))
        return tuple(rails), tuple(index)

    # ------------------------------------------------------------------ views
    def service_anchors(self) -> dict[str, Anchors]:
        """The five anchors of each service, by service name."""
        return dict(self._service_anchors)

    @property
    def budget(self) -> float:
        """The ``portfolio_budget`` amount (USD per year), whether enabled or not."""
        return self._budget

    @property
    def reference_payments(self) -> np.ndarray:
        """``R_i`` per service (USD per use), in decision order."""
        return self._ref.copy()

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> PortfolioProblem:
        s = self.spec
        services = []
        for x in s.services:
            d = x.model_dump()
            b = changes.get(f"p_{x.name}")
            if b is not None:
                r = x.reference_payment
                d["ladder"] = {"min_share": b.lower / r, "max_share": b.upper / r,
                               "step_share": None if b.step is None else b.step / r}
            services.append(d)
        return PortfolioProblem(s.replace(services=services))

    # ------------------------------------------------------------- evaluation
    def _terms(self, P: np.ndarray) -> dict[str, np.ndarray]:
        """Per-service quantities, each ``(N, n_services)``, for payments ``P`` (USD/use)."""
        seg = self._seg
        pi = P - self._fee - seg.k
        A, cost = self._curve(seg.q * pi, seg.kbar)
        U = seg.nu * A
        H = seg.nc * (1.0 - A)
        served = U + H
        ai_spend = U * P
        comp_spend = H * self._vc
        spend = ai_spend + comp_spend
        extra: dict[str, np.ndarray] = {}
        if self._has_pathway:
            down = U * self._pw_cost_ai + H * self._pw_cost_cmp
            spend = spend + down
            extra["downstream_cost"] = down
            extra["health_gain"] = U * self._pw_qaly_ai + H * self._pw_qaly_cmp
        if self._immediate:
            npv = self._ann * ((self._fee - self._m) * U - self._O) - self._F
        else:  # each creator's use-driven margin follows the ramp over its own horizon
            M = (self._fee - self._m) * U
            npv = np.column_stack([
                creator_npv_on_ramp(M[:, j], float(self._O[j]), float(self._F[j]), r,
                                    x.creator.discount_rate)
                for j, (x, r) in enumerate(zip(self.spec.services, self._creator_ramps,
                                               strict=True))])
        return {
            **extra,
            "payer_spend": spend,
            "creator_npv": npv,
            "access": served * seg.e / seg.en_total,
            "provider_margin": U * pi - seg.S * cost,
            "ai_uses": U,
            "human_uses": H,
            "patients_served": served,
            "ai_spend": ai_spend,
            "comparator_spend": comp_spend,
            "services_covered": (P > 0).astype(float),
            "coverage": served / seg.n,
            "adoption": A,
        }

    def _rail_values(self, T: Mapping[str, np.ndarray], P: np.ndarray,
                     spend: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        floor = self.spec.guardrails.equity_floor.min_coverage
        for rail, (kind, j) in zip(self._guardrails, self._rail_index, strict=True):
            if kind == "portfolio_budget":
                out[rail.name] = spend - self._budget
            elif kind == "cap_substitution":
                out[rail.name] = P[:, j] - self._vc[j]
            elif kind == "cap_cost_effective":
                cap = self._service_anchors[self.service_names[j]]["cost_effective"].value
                out[rail.name] = P[:, j] - cap
            elif kind == "equity_floor":
                out[rail.name] = floor - T["coverage"].min(axis=1)
        return out

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        T = self._terms(X)
        objectives = {o: T[o].sum(axis=1) for o in
                      ("payer_spend", "creator_npv", "access", "provider_margin")}
        objectives["equity"] = T["coverage"].min(axis=1)
        if self._has_pathway:
            objectives["health_gain"] = T["health_gain"].sum(axis=1)
        cons = self._rail_values(T, X, objectives["payer_spend"])
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, name in enumerate(self.service_names):
                reported[f"coverage_{name}"] = T["coverage"][:, j]
                reported[f"adoption_{name}"] = T["adoption"][:, j]
            for q in ("ai_uses", "human_uses", "patients_served", "ai_spend",
                      "comparator_spend", "services_covered"):
                reported[q] = T[q].sum(axis=1)
            reported["budget_impact"] = objectives["payer_spend"] - self._today_spend
            if self._has_pathway:
                reported.update(self._pathway_report(T, objectives["payer_spend"],
                                                     objectives["health_gain"]))
            if self._v2:
                reported.update(self._budget_report(objectives["payer_spend"]))
        return Evaluation(objectives, cons, reported)

    # ------------------------------------------------------------- v2 read-outs
    def _pathway_report(self, T: Mapping[str, np.ndarray], spend: np.ndarray,
                        health_gain: np.ndarray) -> dict[str, np.ndarray]:
        """Downstream cost, incremental cost and QALYs, ICER with its label and NMB against
        the status quo (USD per year, QALYs per year, USD per QALY), with the per-service
        health gain and incremental cost."""
        d_cost = spend - self._today_spend
        d_qaly = health_gain - self._today_qaly
        ratio, code = icer_with_label(d_cost, d_qaly)
        out = {
            "downstream_cost": T["downstream_cost"].sum(axis=1),
            "incremental_cost": d_cost,
            "incremental_qalys": d_qaly,
            "icer": ratio,
            "icer_label": code,
            "nmb": net_monetary_benefit(d_cost, d_qaly, self._wtp),
        }
        for w in WTP_THRESHOLDS:
            out[f"nmb_{int(w / 1000)}k"] = net_monetary_benefit(d_cost, d_qaly, w)
        today = self._service_today_spend()
        for j, x in enumerate(self.spec.services):
            if x.pathway is not None:
                out[f"health_gain_{x.name}"] = T["health_gain"][:, j]
        for j, x in enumerate(self.spec.services):
            out[f"incremental_cost_{x.name}"] = T["payer_spend"][:, j] - today[j]
        return out

    def _service_today_spend(self) -> np.ndarray:
        """``(S,)`` each service's status-quo spend: comparators and their downstream care
        (USD per year)."""
        return self._seg.nc * (self._vc + self._pw_cost_cmp)

    def _budget_report(self, spend: np.ndarray) -> dict[str, np.ndarray]:
        """Spend of the payer, budget impact year by year on the ramp and discounted."""
        bi = self.budget_impact_of_spend(spend)
        out = {f"spend_{self._payer_key}": spend}
        out.update(budget_columns(bi))
        return out

    def service_increments(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Each service against its status quo at payment vectors ``X`` (``(N, S)`` USD/use).

        Returns ``(N, S)`` arrays, services in decision order:

        * ``exam_cost``: change in payments for the AI exams and the comparators alone, the
          v1 view (USD per year; negative: the service "saves money" on exams);
        * ``incremental_cost``: the same plus the change in downstream care (follow-up and
          net treatment; USD per year); equal to ``exam_cost`` without a pathway;
        * ``incremental_qalys``: change in health gain (QALYs per year; 0 without a pathway).
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        T = self._terms(X)
        seg = self._seg
        exam = T["ai_spend"] + T["comparator_spend"] - seg.nc * self._vc
        out = {"exam_cost": exam,
               "incremental_cost": T["payer_spend"] - self._service_today_spend(),
               "incremental_qalys": np.zeros_like(exam)}
        if self._has_pathway:
            out["incremental_qalys"] = T["health_gain"] - seg.nc * self._pw_qaly_cmp
        return out

    @property
    def willingness_to_pay(self) -> float:
        """The willingness to pay of the services' pathways (USD per QALY; NaN without)."""
        return self._wtp

    @property
    def pathway_services(self) -> tuple[str, ...]:
        """Names of the services that have a clinical pathway."""
        return self._pw_services

    def budget_impact_of_spend(self, spend: np.ndarray) -> BudgetImpact:
        """Budget impact of steady-state payer spends ``spend`` (``(N,)``, USD per year) by
        year on the problem's ramp, for the portfolio's one payer (``spec.payer``)."""
        return budget_impact({self._payer_key: np.asarray(spend, dtype=float)},
                             {self._payer_key: self._today_spend}, self._ramp,
                             self._budget_rate)

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of payment vectors ``X`` (``(N, n_services)``, USD per use) by
        payer and year over the budget horizon, on the problem's adoption ramp (USD per
        year; see :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return self.budget_impact_of_spend(self._terms(X)["payer_spend"].sum(axis=1))

    # ------------------------------------------------------------- exact form
    def separable_terms(self) -> SeparableTerms:
        """Every quantity per service and per ladder option (the exact form's data)."""
        ladders = tuple(self.ladders())
        P = padded_ladder_matrix(ladders)
        T = self._terms(P)
        S = self.n_services
        cut = [len(lad) for lad in ladders]

        def per_group(a: np.ndarray) -> tuple[np.ndarray, ...]:
            return tuple(a[: cut[j], j].copy() for j in range(S))

        sums = {q: per_group(T[q]) for q in _SUM_QUANTITIES}
        sums["budget_impact"] = sums["payer_spend"]
        constants = {"budget_impact": -self._today_spend}
        cov = per_group(T["coverage"])
        adop = per_group(T["adoption"])
        local: dict[str, tuple[int, np.ndarray]] = {}
        self._v2_sums(T, per_group, sums, constants, local)
        for j, name in enumerate(self.service_names):
            local[f"coverage_{name}"] = (j, cov[j])
            local[f"adoption_{name}"] = (j, adop[j])
        option_rails: list[tuple[str, float, int, np.ndarray]] = []
        couplings: list[tuple[str, str, float, tuple[np.ndarray, ...]]] = []
        floor = self.spec.guardrails.equity_floor.min_coverage
        for rail, (kind, j) in zip(self._guardrails, self._rail_index, strict=True):
            if kind == "portfolio_budget":
                couplings.append((rail.name, rail.unit, self._budget, sums["payer_spend"]))
            elif kind in {"cap_substitution", "cap_cost_effective"}:
                cap = (self._vc[j] if kind == "cap_substitution" else
                       self._service_anchors[self.service_names[j]]["cost_effective"].value)
                option_rails.append((rail.name, rail.scale, j, ladders[j] - cap))
            elif kind == "equity_floor":
                option_rails += [(rail.name, rail.scale, i, floor - cov[i]) for i in range(S)]
        return SeparableTerms(
            group_names=self.service_names, ladders=ladders, sums=sums, constants=constants,
            local=local, minima={"equity": cov}, option_rails=tuple(option_rails),
            couplings=tuple(couplings),
        )

    def _v2_sums(self, T: Mapping[str, np.ndarray],
                 per_group: Callable[[np.ndarray], tuple[np.ndarray, ...]],
                 sums: dict[str, tuple[np.ndarray, ...]], constants: dict[str, float],
                 local: dict[str, tuple[int, np.ndarray]]) -> None:
        """Add the v2 quantities that are sums over services (health gain, incremental cost
        and QALYs, NMB, spend and budget impact) to ``sums`` and ``constants``, and the
        per-service health gain and incremental cost to ``local``."""
        spend = sums["payer_spend"]
        today = self._today_spend
        if self._has_pathway:
            hg = sums["health_gain"] = per_group(T["health_gain"])
            sums["downstream_cost"] = per_group(T["downstream_cost"])
            sums["incremental_cost"], constants["incremental_cost"] = spend, -today
            sums["incremental_qalys"], constants["incremental_qalys"] = hg, -self._today_qaly
            for name, w in (("nmb", self._wtp),
                            *((f"nmb_{int(w / 1000)}k", w) for w in WTP_THRESHOLDS)):
                sums[name] = tuple(w * q - c for q, c in zip(hg, spend, strict=True))
                constants[name] = today - w * self._today_qaly
            today_j = self._service_today_spend()
            for j, x in enumerate(self.spec.services):
                if x.pathway is not None:
                    local[f"health_gain_{x.name}"] = (j, hg[j])
                local[f"incremental_cost_{x.name}"] = (j, spend[j] - today_j[j])
        if self._v2:
            sums[f"spend_{self._payer_key}"] = spend
            for t, r in enumerate(self._ramp):
                sums[f"budget_impact_year{t + 1}"] = tuple(r * c for c in spend)
                constants[f"budget_impact_year{t + 1}"] = -r * today
            k = float(np.sum(self._ramp * discount_factors(len(self._ramp), self._budget_rate)))
            sums["budget_impact_discounted"] = tuple(k * c for c in spend)
            constants["budget_impact_discounted"] = -k * today

    def choice_structure(self, max_options: int = 2_000_000) -> ChoiceStructure:
        """The exact form: one group per service, the budget as the coupling constraint.

        Options above a service's caps (or below the equity floor) are left out of its
        group. When ``equity`` (a minimum, not a sum) is a chosen objective, or a user
        bound is not separable, this is the one-group form of the base class instead.
        """
        out = separable_choice_structure(self, self.separable_terms())
        if out is None:
            logger.info("%s: using the one-group exact form", self.name)
            return super().choice_structure(max_options)
        return out


# ---------------------------------------------------------------------------
# Synthetic instances for scaling studies
# ---------------------------------------------------------------------------


def synthetic_portfolio_dict(
    n_services: int,
    seed: int,
    levels: int = 6,
    max_share: float = 1.25,
    objectives: Sequence[str] = ("payer_spend", "creator_npv", "access", "provider_margin"),
    budget_share: float = 0.2,
) -> dict[str, Any]:
    """The problem dict of :func:`synthetic_portfolio` (same arguments)."""
    if not isinstance(n_services, int) or n_services < 1:
        raise ParameterError("n_services", "a whole number >= 1", n_services,
                             fix="ask for at least one service.", owner="synthetic_portfolio")
    if not isinstance(levels, int) or levels < 2:
        raise ParameterError("levels", "a whole number >= 2 ('not covered' and one more)",
                             levels, fix="give 2 or more levels.", owner="synthetic_portfolio")
    if not max_share > 0:
        raise ParameterError("max_share", "a number > 0", max_share,
                             fix="give the top level as a share of the reference, e.g. 1.25.",
                             owner="synthetic_portfolio")
    if not budget_share >= 0:
        raise ParameterError("budget_share", "a number >= 0", budget_share,
                             fix="give the budget increase as a share, e.g. 0.2.",
                             owner="synthetic_portfolio")
    rng = np.random.default_rng(seed)
    S = n_services
    ref = np.clip(rng.lognormal(np.log(250.0), 1.0, S), 20.0, 3000.0)
    paid = rng.random(S) < 0.6
    vc = np.where(paid, ref * rng.lognormal(np.log(1.5), 0.5, S), 0.0)
    comp = np.where(paid, rng.beta(2.0, 6.0, S), 0.0)
    eligible = np.clip(rng.lognormal(np.log(300_000.0), 1.2, S), 10_000.0, 10_000_000.0)
    uptake = rng.beta(5.0, 4.0, S)
    k = ref * rng.uniform(0.03, 0.10, S)
    fee = ref * rng.uniform(0.30, 0.60, S)
    m = fee * rng.uniform(0.05, 0.30, S)
    per_site = rng.uniform(50.0, 500.0, S)
    sites = np.maximum(np.round(eligible * uptake / per_site), 1.0)
    kbar = rng.lognormal(np.log(10_000.0), 0.6, S)
    upfront = rng.lognormal(np.log(50e6), 0.6, S)
    fixed = rng.lognormal(np.log(10e6), 0.6, S)
    dqaly = rng.gamma(2.0, 0.002, S)
    savings = ref * rng.uniform(0.0, 0.5, S)
    services = []
    for i in range(S):
        services.append({
            "name": f"s{i + 1:02d}",
            "code": f"synthetic {i + 1}",
            "reference_payment": float(ref[i]),
            "comparator_payment": float(vc[i]),
            "eligible": float(eligible[i]),
            "compliance": float(comp[i]),
            "uptake": float(uptake[i]),
            "provider_cost_per_use": float(k[i]),
            "sites": float(sites[i]),
            "fixed_cost_per_site": float(kbar[i]),
            "creator_fee": float(fee[i]),
            "creator": {"marginal_cost": float(m[i]), "upfront_investment": float(upfront[i]),
                        "annual_fixed_cost": float(fixed[i]), "horizon_years": 5,
                        "discount_rate": 0.03,
                        "tco_volume": float(0.5 * eligible[i] * uptake[i])},
            "value": {"wtp_per_qaly": 50_000.0, "qaly_gain_per_patient": float(dqaly[i]),
                      "savings_per_patient": float(savings[i])},
        })
    full_cost = float(np.sum(eligible * uptake * ref))
    return {
        "name": f"synthetic-portfolio-{S}-s{seed}",
        "family": "portfolio",
        "title": f"Synthetic portfolio of {S} AI services (seed {seed}, {levels} levels)",
        "objectives": list(objectives),
        "services": services,
        "ladder": {"min_share": 0.0, "max_share": float(max_share),
                   "step_share": float(max_share) / (levels - 1)},
        "guardrails": {
            "portfolio_budget": {"enabled": True,
                                 "increase_over_today": budget_share * full_cost},
            "cap_substitution": True,
        },
        "assumptions": [
            "Synthetic: every input drawn from the distributions documented in "
            "paretoprice.optim.families.portfolio.synthetic_portfolio.",
        ],
    }


def synthetic_portfolio(
    n_services: int,
    seed: int,
    levels: int = 6,
    max_share: float = 1.25,
    objectives: Sequence[str] = ("payer_spend", "creator_npv", "access", "provider_margin"),
    budget_share: float = 0.2,
) -> PortfolioProblem:
    """A seeded synthetic portfolio for scaling studies (5 to 50 services and beyond).

    Same ``seed`` -> same problem. Each service's inputs are drawn independently:

    ==========================  ==============================================  =========
    input                       distribution (why)                              unit
    ==========================  ==============================================  =========
    reference payment ``R``     LogNormal(median 250, sigma 1), clipped to      USD/use
                                [20, 3000] (spans the 2025 outpatient rates of
                                the bundled codes, 59.40 to 1,017.39)
    paid comparator?            yes with probability 0.6 (most AI codes have    --
                                no separately paid human counterpart)
    comparator payment ``v``    ``R`` x LogNormal(median 1.5, sigma 0.5) when   USD/pat.
                                paid, else 0 (the human service usually costs
                                more than the AI one)
    compliance ``c``            Beta(2, 6) when paid (mean 0.25, near the 0.30  share
                                of the diabetic eye exam), else 0
    eligible ``n``              LogNormal(median 300k, sigma 1.2), clipped to   pat./yr
                                [10k, 10M] (a few codes are large, most small)
    uptake ``u``                Beta(5, 4) (mean 0.56)                          share
    provider cost ``k``         ``R`` x Uniform(0.03, 0.10)                     USD/use
    creator fee ``f``           ``R`` x Uniform(0.30, 0.60) (the creator takes  USD/use
                                a share of the reference rate)
    marginal cost ``m``         ``f`` x Uniform(0.05, 0.30)                     USD/use
    sites ``S``                 ``n u`` / Uniform(50, 500) uses per site         sites
    fixed cost per site         LogNormal(median 10k, sigma 0.6)                USD/site/yr
    investment ``F``            LogNormal(median 50M, sigma 0.6)                USD
    fixed cost ``O``            LogNormal(median 10M, sigma 0.6)                USD/yr
    QALY gain                   Gamma(2, 0.002) (mean 0.004 per patient)        QALY/pat.
    savings                     ``R`` x Uniform(0, 0.5)                         USD/pat.
    ==========================  ==============================================  =========

    Fixed: horizon 5 years at 3%, willingness to pay 50,000 USD per QALY, TCO volume
    half the potential AI uses. Budget: today's spend plus ``budget_share`` times the
    cost of serving every potential AI use at the reference rate (``sum n u R``), so it
    binds. ``cap_substitution`` is on.

    Parameters
    ----------
    n_services
        Number of services (groups of the exact form).
    seed
        Random seed.
    levels
        Ladder levels per service, "not covered" included: ``0, step, ..., max_share``
        times ``R`` with ``step = max_share / (levels - 1)`` (6 -> 0%, 25%, ..., 125%).
    max_share
        Top level as a share of ``R``.
    objectives
        Chosen objectives.
    budget_share
        Budget increase over today, as a share of ``sum n u R``.
    """
    data = synthetic_portfolio_dict(n_services, seed, levels, max_share, objectives,
                                    budget_share)
    owner = f"problem '{data.get('name', 'synthetic portfolio')}'"
    return PortfolioProblem(spec.validate_spec(PortfolioSpec, data, owner=owner))
