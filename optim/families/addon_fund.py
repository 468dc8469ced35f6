"""Add-on fund: per-use add-ons paid from a capped fund outside the insurance budget.

The model of a PACS-style adoption incentive (Korea paid filmless hospitals an add-on per
image from 1999; seed 004 proposes the same for AI, from a fund separate from the national
health insurance budget) or a HITECH-style subsidy (seed 000). One AI service; settings of
care or regions ``g`` (segments); the fund pays an add-on ``a_g`` per AI use in segment
``g``, chosen from a ladder that includes 0 (no add-on there). The insurer's own payment
per AI use ``p`` (often 0: the service is not in the fee schedule), the creator's fee
``f`` and the comparator are inputs.

::

    decision         a_g  fund add-on per AI use in segment g          (currency per use)
    margin per use   pi_g = p + a_g - f - k_g                          (currency per use)
    uses per site    q_g  = n_g u_g / S_g                              (uses per site-year)
    adoption         A_g, adopters' cost C_g = curve(q_g pi_g, Kbar_g) (share, currency/site-yr)
    AI uses          U_g  = n_g u_g A_g                                (uses per year)
    comparator uses  H_g  = n_g c_g (1 - A_g)                          (patients per year)

    fund_spend       = sum_g U_g a_g                                   (currency/year)
    payer_spend      = fund_spend + sum_g U_g p + H_g v_c              (currency/year, min)
    creator_npv      = annuity(T, r) ((f - m) sum_g U_g - O) - F       (currency, max)
    access           = sum_g e_g (U_g + H_g) / sum_g e_g n_g           (share, max)
    provider_margin  = sum_g U_g pi_g - S_g C_g                        (currency/year, max)
    equity           = min_g (U_g + H_g) / n_g                         (share, max)

Every objective except ``equity`` is a constant plus a sum over segments, and the fund
budget ``sum_g U_g a_g <= B`` is linear in each segment's choice: the exact form is a
multiple-choice knapsack with one group per segment. ``equity`` is a minimum: an
``equity_floor`` guardrail leaves options out of each group; when ``equity`` itself is a
chosen objective the exact form falls back to one group (every feasible ladder point).
Amounts are in the problem's ``currency`` (``KRW`` for the Korean problem).

A ``[ramp]`` table (model v2) spreads adoption over the first years: the creator's NPV
follows it, and each point reports ``spend_insurer`` and ``spend_fund``,
``budget_impact_year<t>`` and ``budget_impact_discounted``; ``budget_impact(X)`` gives
them by payer and year (``docs/model.md``, "Budget impact and the ramp"). Without a ramp
the family evaluates as before, bit for bit.

``service.patient_copay`` makes the patient pay a share ``kappa`` of the insurer's payment
``p`` (never of the fund's add-on): the insurer pays ``(1 - kappa) p``, uptake is
multiplied by ``max(0, 1 - eps kappa)`` where ``p > 0`` (``patient_spend``,
``uptake_factor``).

A ``[pathway]`` table (model v2; the ``incentive_fund`` family's, with its
``comparator_arm``) adds the clinical pathway after the exam: per segment the downstream
cost of both arms (paid by the insurer) joins ``insurance_spend`` and ``payer_spend``,
``health_gain`` (QALYs per year, max) becomes an objective, and every point reports
incremental cost and QALYs against the status quo, the ICER with its label and the NMB at
the problem's willingness to pay (``nmb_50k`` ... only when the currency is USD). All but
the ICER and its label are sums over segments, so the exact form keeps one group per
segment. The cost-effective anchor is the largest payers' payment per AI use with NMB = 0.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import BudgetImpact, is_immediate, ramped_annuity
from paretoprice.optim.exact_form import (
    SeparableTerms,
    padded_ladder_matrix,
    separable_choice_structure,
)
from paretoprice.optim.families import common
from paretoprice.optim.families.incentive_fund import FundPathway
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    Outcomes,
    PathwayEvaluator,
    cost_effective_payment,
    reported_pathway_quantities,
    require_sources,
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


def _nonnegative_ladder(b: spec.Bounds) -> spec.Bounds:
    if b.lower < 0:
        raise ValueError(
            f"the add-on ladder starts at {b.lower}; add-ons are paid by the fund, so start "
            "it at 0 or above"
        )
    return b


class FundService(spec.Frozen):
    """The AI service the fund supports.

    Attributes
    ----------
    name, code
        Plain-words name and billing code or fee-schedule listing.
    insurer_payment
        ``p``: what the insurer pays per AI use besides the fund (currency per use; 0 when
        the service is not in the fee schedule).
    comparator_payment
        ``v_c``: the insurer's payment today for the human service the AI substitutes
        (currency per patient; 0 when the AI adds to care rather than replacing a paid
        service).
    creator_fee
        ``f``: the creator's fee per use charged to the provider (currency per use).
    patient_copay
        Optional: the share ``kappa`` of the insurer's payment per AI use (``p``) paid by
        the patient, and the uptake response to it (see
        :class:`~paretoprice.optim.spec.PatientCopay`). Korea's 2023 AI listings are
        selective benefits with a 90% copay: of the 1,810 KRW CT/MRI add-on the insurer
        pays about 181 KRW. The fund's add-on carries no copay. ``None`` (default): the
        insurer pays all of ``p``.
    """

    name: str
    code: str = ""
    insurer_payment: float = Field(default=0.0, ge=0)
    comparator_payment: float = Field(default=0.0, ge=0)
    creator_fee: float = Field(ge=0)
    patient_copay: spec.PatientCopay | None = None


class FundSegment(spec.Frozen):
    """A setting of care or region the fund can target.

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores); the decision is ``a_<name>``.
    population
        ``n_g``: eligible patients (or exams) a year.
    compliance
        ``c_g``: share served today by the comparator (0 when there is none).
    uptake
        ``u_g``: share served by the AI where a site offers it.
    provider_cost_per_use
        ``k_g``: provider's variable cost per AI use (currency per use).
    sites, fixed_cost_per_site
        ``S_g`` sites and ``Kbar_g``, their mean annualized fixed adoption cost (currency
        per site per year).
    equity_weight
        ``e_g``: weight in ``access`` (1 = plain coverage).
    addon
        This segment's add-on ladder (currency per use), overriding the problem's.
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    population: float = Field(gt=0)
    compliance: float = Field(default=0.0, ge=0, le=1)
    uptake: float = Field(ge=0, le=1)
    provider_cost_per_use: float = Field(ge=0)
    sites: float = Field(gt=0)
    fixed_cost_per_site: float = Field(ge=0)
    equity_weight: float = Field(default=1.0, gt=0)
    addon: spec.Bounds | None = None

    @field_validator("addon")
    @classmethod
    def _addon_from_zero(cls, v: spec.Bounds | None) -> spec.Bounds | None:
        return None if v is None else _nonnegative_ladder(v)


class AddonFundGuardrails(spec.GuardrailSet):
    """Guardrails of the add-on fund; each on or off by name (``name = true`` works).

    ``fund_budget``: fund spend ``sum_g U_g a_g <= budget`` (currency per year);
    ``equity_floor``: every segment's coverage ``>= min_coverage``;
    ``creator_sustainable``: ``creator_npv >= 0``.
    """

    fund_budget: spec.FundBudget = spec.FundBudget()
    equity_floor: spec.EquityFloor = spec.EquityFloor()
    creator_sustainable: spec.Toggle = spec.Toggle()


class AddonFundSpec(spec.ProblemSpecBase):
    """Per-use add-ons from a capped incentive fund, by segment (see the module docstring).

    Objectives: ``payer_spend`` (insurer plus fund, currency per year, minimized),
    ``creator_npv`` (currency, maximized), ``access`` (share of eligible patients served,
    maximized), ``provider_margin`` (currency per year, maximized), ``equity``
    (worst-segment coverage, maximized).
    """

    family: Literal["addon_fund"] = "addon_fund"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    fund: str = ""
    service: FundService
    segments: Annotated[tuple[FundSegment, ...], spec.unique_names("segment")] = Field(min_length=1)
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    addon: spec.Bounds
    guardrails: AddonFundGuardrails = AddonFundGuardrails()
    ramp: spec.Ramp = spec.Ramp()
    pathway: FundPathway | None = None

    @field_validator("pathway")
    @classmethod
    def _pathway_segments(cls, v: FundPathway | None,
                          info: ValidationInfo) -> FundPathway | None:
        segments = info.data.get("segments")
        if v is not None and segments is not None:
            v.check_segments([g.name for g in segments])
        return v

    @field_validator("addon")
    @classmethod
    def _addon_from_zero(cls, v: spec.Bounds) -> spec.Bounds:
        return _nonnegative_ladder(v)


_SUM_QUANTITIES: tuple[str, ...] = (
    "payer_spend", "creator_npv", "access", "provider_margin", "fund_spend",
    "insurance_spend", "ai_uses", "patients_served",
)


class AddonFundProblem(PricingProblem[AddonFundSpec]):
    """Per-segment add-ons from a capped fund (see the module docstring for formulas).

    Decision ``a_<segment>`` is the fund's add-on per AI use there (currency per use).

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("addon-fund")
    >>> prob.decision_names[0], prob.objective_units[0]
    ('a_tertiary', 'KRW per year')
    """

    payment_model = "incentive_fund"  # seed 004's fund outside the insurance budget

    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        cur = s.currency
        segs = s.segments
        self._seg = seg = common.segment_arrays(segs)
        self.segment_names: tuple[str, ...] = seg.names
        self._p = s.service.insurer_payment
        self._vc = s.service.comparator_payment
        self._f = s.service.creator_fee
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._ramp = common.ramp_of(s)
        self._v2 = not is_immediate(self._ramp) or s.pathway is not None
        # present value of one currency unit a year of use-driven margin (years): the
        # annuity, or its ramped version when adoption builds up
        self._npv_factor = ramped_annuity(self._ramp, s.creator.discount_rate) \
            if not is_immediate(self._ramp) else self._ann
        copay = s.service.patient_copay
        self._copay = copay
        # uptake multiple where the patient pays part of a positive insurer payment
        self._m = copay.uptake_factor if copay is not None and self._p > 0 else 1.0
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc) * self._vc)
        self._today_served = float(np.sum(seg.nc))
        self._compliance = seg.compliance
        anchors = common.service_anchors(self._vc, self._compliance, s.creator, s.value)
        self._pathway: PathwayEvaluator | None = None
        self._every_other = False
        if s.pathway is not None:
            anchors = self._setup_pathway(s.pathway, anchors)
        self._anchors = common.in_currency(anchors, cur)
        per_use = f"{cur} per use"
        self._decisions = tuple(
            Quantity(f"a_{g}", per_use, f"fund add-on per AI use in {g}")
            for g in self.segment_names)
        self._bounds = tuple(g.addon or s.addon for g in segs)
        self._objective_info = {q.name: q for q in (
            Quantity("payer_spend", f"{cur} per year",
                     "insurer and fund payments for the AI service and the comparator "
                     "(minimized)"),
            Quantity("creator_npv", cur, "AI creator's net present value (maximized)"),
            Quantity("access", "share of eligible patients",
                     "equity-weighted share of eligible patients served (maximized)"),
            Quantity("provider_margin", f"{cur} per year",
                     "providers' annual margin on the AI service after fee, per-use and fixed "
                     "adoption costs (maximized)"),
            Quantity("equity", "share of eligible patients",
                     "coverage of the worst-served segment (maximized when chosen)"),
        )}
        if self._pathway is not None:
            self._objective_info["health_gain"] = Quantity(*HEALTH_GAIN)
        pathway_rows = [] if self._pathway is None else [
            Quantity(*row) for row in reported_pathway_quantities(cur, s.value.wtp_per_qaly)
            if cur == "USD" or not row[0].startswith("nmb_")]
        self._declare_reported([
            *quantities.per_name(
                self.segment_names,
                ("coverage_{g}", "share of eligible patients",
                 "share of segment {g}'s eligible patients served"),
                ("adoption_{g}", "share of sites",
                 "share of segment {g}'s sites offering the AI service")),
            Quantity("fund_spend", f"{cur} per year", "add-on payments from the fund"),
            Quantity("insurance_spend", f"{cur} per year",
                     "insurer payments for AI uses and comparators"),
            Quantity("ai_uses", "uses per year", "AI uses a year, all segments"),
            Quantity("patients_served", "patients per year", "patients served by either"),
            Quantity("extra_patients", "patients per year",
                     "patients served beyond today's comparator patients"),
            Quantity("fund_per_extra_patient", f"{cur} per patient",
                     "fund spend per extra patient served (NaN when nobody extra is served)"),
            *([Quantity("patient_spend", f"{cur} per year",
                        "patients' copayments for AI uses (a share of the insurer's payment; "
                        "not payer spend)"),
               Quantity("uptake_factor", "share",
                        "uptake as a multiple of u_g after the copay's demand response")]
              if copay is not None else []),
            *pathway_rows,
            *(common.budget_quantities(
                {"insurer": "insurer's payments for AI uses (net of copays) and comparators",
                 "fund": "add-on payments from the fund"}, self._ramp, cur)
              if self._v2 else []),
        ])

    def _setup_pathway(self, pathway: FundPathway, anchors: Any) -> Any:
        """Bind the pathway: status quo, today's spend with its downstream cost, and the
        pathway's cost-effective anchor (returned; payers' payment per AI use)."""
        s, seg = self.spec, self._seg
        require_sources(pathway, s.sources, owner=f"problem '{s.name}'")
        self._every_other = pathway.comparator_arm == "every_other_exam"
        lam = s.value.wtp_per_qaly
        ones = np.ones(len(seg.names))
        pw = self._pathway = PathwayEvaluator.build(
            pathway, seg.names, wtp=lam, mu=ones,
            today_exams=seg.n if self._every_other else seg.nc)
        self._today_spend += pw.today_cost
        arr = pw.arrays
        self._per_exam = (arr.per_exam(arr.ai), arr.per_exam(arr.cmp))
        ce = cost_effective_payment(
            arr, lam, population=seg.n, compliance=seg.u if self._every_other else seg.c,
            uptake=seg.u, comparator_payment=(0.0 if self._every_other else self._vc) * ones,
            mu=ones, rate_multiple=ones)
        return with_pathway_anchor(anchors, ce, lam, unit="USD per use")

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s, cur = self.spec, self.spec.currency
        gr = s.guardrails
        return {
            "fund_budget": common.fund_budget_rail(gr.fund_budget.budget, cur),
            "equity_floor": common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                     "share of eligible patients",
                                                     "every segment's coverage"),
            "creator_sustainable": common.creator_sustainable_rail(s.creator, cur),
        }

    @property
    def currency(self) -> str:
        """Currency of every amount (ISO code, e.g. ``KRW``)."""
        return self.spec.currency

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> AddonFundProblem:
        s = self.spec
        segs = []
        for g in s.segments:
            d = g.model_dump()
            b = changes.get(f"a_{g.name}")
            if b is not None:
                d["addon"] = b.model_dump()
            segs.append(d)
        return AddonFundProblem(s.replace(segments=segs))

    # ------------------------------------------------------------- evaluation
    def _terms(self, a: np.ndarray) -> dict[str, np.ndarray]:
        """Per-segment quantities, each ``(N, n_segments)``, for add-ons ``a``."""
        seg = self._seg
        pi = self._p + a - self._f - seg.k
        if self._copay is None:
            A, cost = self._curve(seg.q * pi, seg.kbar)
            U = seg.nu * A
            insurer_per_use = self._p
        else:  # the patient pays kappa p; uptake falls by the stated response where p > 0
            A, cost = self._curve(seg.q * self._m * pi, seg.kbar)
            U = seg.nu * self._m * A
            insurer_per_use = (1.0 - self._copay.share) * self._p
        H = seg.nc * (1.0 - A)
        served = U + H
        fund = U * a
        insurance = U * insurer_per_use + H * self._vc
        extra = {} if self._copay is None else {
            "patient_spend": U * (self._copay.share * self._p)}
        if self._pathway is not None:  # the insurer pays the downstream care
            ai, cmp = self._per_exam
            C = seg.n - U if self._every_other else H
            extra["downstream_ai"] = U * ai.cost
            extra["downstream_cmp"] = C * cmp.cost
            extra["qaly_ai"] = U * ai.qaly
            extra["qaly_cmp"] = C * cmp.qaly
            down = extra["downstream_ai"] + extra["downstream_cmp"]
            extra["downstream_cost"] = down
            extra["health_gain"] = extra["qaly_ai"] + extra["qaly_cmp"]
            insurance = insurance + down
        return {
            **extra,
            "payer_spend": fund + insurance,
            "creator_npv": self._npv_factor * (self._f - self.spec.creator.marginal_cost) * U,
            "access": served * seg.e / seg.en_total,
            "provider_margin": U * pi - seg.S * cost,
            "fund_spend": fund,
            "insurance_spend": insurance,
            "ai_uses": U,
            "patients_served": served,
            "coverage": served / seg.n,
            "adoption": A,
        }

    @property
    def _npv_constant(self) -> float:
        c = self.spec.creator
        return -(self._ann * c.annual_fixed_cost + c.upfront_investment)

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        T = self._terms(X)
        objectives = {
            "payer_spend": T["payer_spend"].sum(axis=1),
            "creator_npv": self._npv_constant + T["creator_npv"].sum(axis=1),
            "access": T["access"].sum(axis=1),
            "provider_margin": T["provider_margin"].sum(axis=1),
            "equity": T["coverage"].min(axis=1),
        }
        if self._pathway is not None:
            objectives["health_gain"] = T["health_gain"].sum(axis=1)
        fund = T["fund_spend"].sum(axis=1)
        gr = self.spec.guardrails
        cons = common.rail_values((r.name for r in self._guardrails), common.RailInputs(
            anchors=self._anchors.values(), creator_npv=objectives["creator_npv"],
            equity=objectives["equity"], min_coverage=gr.equity_floor.min_coverage,
            fund_spend=fund, fund_budget=gr.fund_budget.budget))
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = T["coverage"][:, j]
                reported[f"adoption_{g}"] = T["adoption"][:, j]
            reported["fund_spend"] = fund
            reported["insurance_spend"] = T["insurance_spend"].sum(axis=1)
            reported["ai_uses"] = T["ai_uses"].sum(axis=1)
            served = T["patients_served"].sum(axis=1)
            reported["patients_served"] = served
            extra = served - self._today_served
            reported["extra_patients"] = extra
            reported["fund_per_extra_patient"] = quantities.ratio_or_nan(fund, extra)
            if self._copay is not None:
                reported["patient_spend"] = T["patient_spend"].sum(axis=1)
                reported["uptake_factor"] = np.full(len(X), self._m)
            if self._pathway is not None:
                out = Outcomes(cost_ai=T["downstream_ai"], cost_cmp=T["downstream_cmp"],
                               qaly_ai=T["qaly_ai"], qaly_cmp=T["qaly_cmp"])
                rep = self._pathway.report(out, objectives["payer_spend"], self._today_spend)
                reported.update({k: v for k, v in rep.items() if k in self._reported_info})
            if self._v2:
                _, cols = common.budget_report(
                    {"insurer": reported["insurance_spend"], "fund": fund},
                    self._todays_spend_by_payer(), self._ramp, self.spec.creator.discount_rate)
                reported.update(cols)
        return Evaluation(objectives, cons, reported)

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today: the insurer's comparators, nothing from the fund
        (currency per year)."""
        return {"insurer": self._today_spend, "fund": 0.0}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of add-ons ``X`` for the insurer and the fund, year by year over
        the creator's horizon on the problem's adoption ramp (currency per year; see
        :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        T = self._terms(X)
        bi, _ = common.budget_report(
            {"insurer": T["insurance_spend"].sum(axis=1), "fund": T["fund_spend"].sum(axis=1)},
            self._todays_spend_by_payer(), self._ramp, self.spec.creator.discount_rate)
        return bi

    # ------------------------------------------------------------- exact form
    def separable_terms(self) -> SeparableTerms:
        """Every quantity per segment and per ladder option (the exact form's data)."""
        ladders = tuple(self.ladders())
        T = self._terms(padded_ladder_matrix(ladders))
        G = len(self.segment_names)
        cut = [len(lad) for lad in ladders]

        def per_group(x: np.ndarray) -> tuple[np.ndarray, ...]:
            return tuple(x[: cut[j], j].copy() for j in range(G))

        sums = {q: per_group(T[q]) for q in _SUM_QUANTITIES}
        if self._copay is not None:
            sums["patient_spend"] = per_group(T["patient_spend"])
        sums["extra_patients"] = sums["patients_served"]
        constants = {"creator_npv": self._npv_constant, "extra_patients": -self._today_served}
        if self._pathway is not None:  # every pathway quantity but the ICER is a sum
            pw = self._pathway
            for q in ("health_gain", "downstream_cost"):
                sums[q] = per_group(T[q])
            sums["incremental_cost"] = sums["payer_spend"]
            sums["incremental_qalys"] = sums["health_gain"]
            constants["incremental_cost"] = -self._today_spend
            constants["incremental_qalys"] = -pw.today_qaly
            nmb_names = [k for k in self._reported_info if k.startswith("nmb")]
            for k in nmb_names:
                lam = pw.wtp if k == "nmb" else 1000.0 * float(k[4:-1])
                sums[k] = tuple(lam * q - c for q, c in
                                zip(sums["health_gain"], sums["payer_spend"], strict=True))
                constants[k] = -(lam * pw.today_qaly - self._today_spend)
        cov = per_group(T["coverage"])
        adop = per_group(T["adoption"])
        local: dict[str, tuple[int, np.ndarray]] = {}
        for j, g in enumerate(self.segment_names):
            local[f"coverage_{g}"] = (j, cov[j])
            local[f"adoption_{g}"] = (j, adop[j])
        gr = self.spec.guardrails
        option_rails: list[tuple[str, float, int, np.ndarray]] = []
        couplings: list[tuple[str, str, float, tuple[np.ndarray, ...]]] = []
        for rail in self._guardrails:
            if rail.name == "fund_budget":
                couplings.append((rail.name, rail.unit, gr.fund_budget.budget,
                                  sums["fund_spend"]))
            elif rail.name == "creator_sustainable":
                # -creator_npv <= 0  <=>  sum_g (-contribution_g) <= constant
                couplings.append((rail.name, rail.unit, self._npv_constant,
                                  tuple(-t for t in sums["creator_npv"])))
            elif rail.name == "equity_floor":
                floor = gr.equity_floor.min_coverage
                option_rails += [(rail.name, rail.scale, j, floor - cov[j]) for j in range(G)]
        return SeparableTerms(
            group_names=self.segment_names, ladders=ladders, sums=sums, constants=constants,
            local=local, minima={"equity": cov}, option_rails=tuple(option_rails),
            couplings=tuple(couplings),
        )

    def choice_structure(self, max_options: int = 2_000_000) -> ChoiceStructure:
        """The exact form: one group per segment, the fund budget (and creator
        sustainability) as coupling constraints; options below the equity floor left out.

        When ``equity`` (a minimum, not a sum) is a chosen objective, or a user bound is
        not separable, this is the one-group form of the base class instead.
        """
        out = separable_choice_structure(self, self.separable_terms())
        if out is None:
            logger.info("%s: using the one-group exact form", self.name)
            return super().choice_structure(max_options)
        return out
