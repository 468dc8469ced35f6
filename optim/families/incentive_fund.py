"""Incentive fund outside the insurance budget: add-ons per use and grants per adopting
site, tiered by hospital class, for a time-limited listing, under a capped fund.

Korea moved hospitals to filmless imaging by paying an add-on per image to hospitals that
installed a PACS: 3,000 KRW from 1999, cut in 2003 to different levels by hospital class,
then by 20% a year from 2009 to 2011 (seed 004 and the reference figures). Seed 004
reports the proposal to pay for AI the same way, from a fund separate from the national
health insurance budget, so that hospitals use AI long enough to produce the evidence for
a permanent listing; seed 000 points to HITECH's payments to adopters of electronic
records. This family models the fund over the years ``t = 1..T`` of the creator's horizon:

* an add-on per AI use ``a`` scaled by the hospital class's ratio ``R_sg`` in the chosen
  tier schedule ``s``, cut by ``d`` a year: ``a_tg = a R_sg (1 - d)^(t-1)`` while listed;
* a grant ``G`` per adopting site per listed year (the HITECH-like per-adopter payment);
* a listing of ``L`` years, after which the fund stops; insurance then lists the service
  permanently at ``p_perm`` per use with probability ``P = min(1, E_L / E)``: the AI uses
  during the listing ``E_L`` against the uses ``E`` the evidence needs.

::

    insurance payment  p_t = p0 while listed, p0 + P p_perm afterwards         (currency/use)
    patient copay      kappa p_t of it paid by the patient, (1 - kappa) p_t by the insurer
    uptake factor      m_t = 1 - eps kappa z_t, z_t the probability the patient pays in
                       year t (1 when p0 > 0; else 0 while listed and P afterwards)
    margin per use     pi_tg = p_t + a_tg - f - k_g
    adoption           A_tg, C_tg = curve(m_t q_g pi_tg + G_t, Kbar_g)  (sites adopt yearly)
    AI uses            U_tg = m_t n_g u_g A_tg;  comparator H_tg = n_g c_g (1 - A_tg)
    fund spend         F_t = sum_g U_tg a_tg + S_g A_tg G_t                     (currency/year)

    payer_spend      = mean_t (F_t + sum_g U_tg (1 - kappa) p_t + H_tg v_c)  (currency/yr, min)
    creator_npv      = sum_t (1 + r)^-t ((f - m) sum_g U_tg - O) - F_0       (currency, max)
    access           = mean_t sum_g e_g (U_tg + H_tg) / sum_g e_g n_g        (share, max)
    provider_margin  = mean_t sum_g U_tg pi_tg + S_g A_tg G_t - S_g C_tg  (currency/year, max)
    equity           = min_g mean_t (U_tg + H_tg) / n_g                      (share, max)

``F_0`` is the creator's upfront investment. Without a ``patient_copay`` (``kappa = 0``,
``m_t = 1``) the family evaluates exactly as before it had one. The copay's effect on uptake
(``eps``) is a stated demand-response assumption; the patient's payments are not payer
spend and are reported as ``patient_spend``. Sites decide each year on that year's margin
(myopic adoption, as in the reference model). The listing length ``L`` and the schedule
index ``s`` are whole numbers; evolutionary backends' values are rounded to the nearest.
Amounts are in the problem's ``currency`` (``KRW`` in the bundled problem).

A ``[ramp]`` table (model v2) spreads adoption over the first years: the creator's NPV
follows it, and each point reports ``spend_insurer`` and ``spend_fund`` (means over the
horizon; year ``t`` reaches the share ``r_t`` of the sites its margin would bring),
``budget_impact_year<t>`` and ``budget_impact_discounted``; ``budget_impact(X)`` gives
them by payer and year (``docs/model.md``, "Budget impact and the ramp").

A ``[pathway]`` table (model v2, :mod:`paretoprice.optim.pathway`) adds the clinical
pathway after the exam, each year: the AI arm is the AI uses ``U_tg``; the comparator arm
is either the replaced service ``H_tg`` (``comparator_arm = "replaced_service"``, the
default; status quo ``n_g c_g``) or, where the AI adds to an exam done anyway (AI-assisted
endoscopy), every other exam ``n_g - U_tg`` (``comparator_arm = "every_other_exam"``;
status quo: all ``n_g`` exams without AI, whose own payment is then left out of the
anchor). The insurer pays the downstream care (``insurance_spend``, ``spend_insurer`` and
``payer_spend`` include it, today's spend the status quo's); ``health_gain`` (QALYs per
year, mean over the horizon, max) becomes an objective; every point reports incremental
cost and QALYs per year against the status quo, the ICER with its label and the NMB at
the problem's willingness to pay (``nmb_50k`` ... at the USD thresholds only when the
currency is USD). The cost-effective anchor is the largest payers' payment per AI use
(add-on plus the insurer's share) with NMB = 0.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.budget import (
    BudgetImpact,
    budget_columns,
    budget_impact_by_year,
    is_immediate,
)
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.families import common
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    Outcomes,
    Pathway,
    PathwayEvaluator,
    cost_effective_payment,
    reported_pathway_quantities,
    require_sources,
    with_pathway_anchor,
)
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity

logger = logging.getLogger(__name__)

_IDENT = r"^[A-Za-z][A-Za-z0-9_]*$"


class ListingService(spec.Frozen):
    """The AI service, its payment by insurance and the evidence a permanent listing needs.

    Attributes
    ----------
    name, code
        Plain-words name and listing (e.g. a fee-schedule category).
    creator_fee
        ``f``: the creator's fee per use charged to the hospital (currency per use).
    insurer_payment
        ``p0``: what insurance pays per AI use during the fund's listing (0 when only the
        fund pays).
    permanent_payment
        ``p_perm``: what insurance pays per use on top of ``p0`` once the service is listed
        permanently (currency per use).
    evidence_uses
        ``E``: AI uses during the listing that make a permanent listing certain; with fewer
        the probability is their share.
    comparator_payment
        ``v_c``: insurance payment today for the service the AI substitutes (currency per
        patient; 0 when the AI adds to care).
    patient_copay
        Optional: the share ``kappa`` of the insurance payment per AI use (``p_t``) that the
        patient pays, and the stated uptake response ``eps`` (see
        :class:`~paretoprice.optim.spec.PatientCopay`). Korea's 2023 AI listings
        carry a 90% copay. ``None`` (default): insurance pays all of ``p_t``.
    """

    name: str
    code: str = ""
    creator_fee: float = Field(ge=0)
    insurer_payment: float = Field(default=0.0, ge=0)
    permanent_payment: float = Field(default=0.0, ge=0)
    evidence_uses: float = Field(gt=0)
    comparator_payment: float = Field(default=0.0, ge=0)
    patient_copay: spec.PatientCopay | None = None


class FundTier(spec.Frozen):
    """A hospital class the fund pays at its own rate (tertiary, general, clinic, ...).

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores).
    population
        ``n_g``: eligible uses (patients or exams) a year.
    compliance
        ``c_g``: share served today by the comparator (0 when there is none).
    uptake
        ``u_g``: share served by the AI where a site has it.
    provider_cost_per_use
        ``k_g``: the hospital's variable cost per AI use (currency per use).
    sites, fixed_cost_per_site
        ``S_g`` sites and ``Kbar_g``, their mean annualized fixed adoption cost (currency
        per site per year).
    equity_weight
        ``e_g``: weight in ``access`` (1 = plain coverage).
    """

    name: str = Field(min_length=1, pattern=_IDENT)
    population: float = Field(gt=0)
    compliance: float = Field(default=0.0, ge=0, le=1)
    uptake: float = Field(ge=0, le=1)
    provider_cost_per_use: float = Field(ge=0)
    sites: float = Field(gt=0)
    fixed_cost_per_site: float = Field(ge=0)
    equity_weight: float = Field(default=1.0, gt=0)


class TierSchedule(spec.Frozen):
    """How the add-on differs by hospital class: ratio of the base add-on ``a`` per tier.

    Attributes
    ----------
    name
        Identifier (e.g. ``pacs_2003``).
    ratios
        Tier name -> multiple of ``a`` paid per use there (>= 0); every tier must be named.
    """

    name: str = Field(min_length=1, pattern=_IDENT)
    ratios: dict[str, float]

    @field_validator("ratios")
    @classmethod
    def _nonnegative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: r for k, r in v.items() if r < 0}
        if bad:
            raise ValueError(f"ratios must be >= 0, got {bad}")
        return v


class FundDecisions(spec.Frozen):
    """Decision variables and their ladders.

    ``a``: base add-on per use (currency per use, multiplied by the tier schedule's ratio);
    ``grant``: per adopting site per listed year (currency); ``years``: listing length
    (whole years, 1 to the creator's horizon); ``cut``: yearly cut of the add-on during the
    listing (share, below 1). The tier schedule is chosen among ``schedules`` (decision
    ``schedule``, its index).
    """

    a: spec.Bounds
    grant: spec.Bounds = spec.Bounds(lower=0.0, upper=0.0)
    years: spec.Bounds
    cut: spec.Bounds = spec.Bounds(lower=0.0, upper=0.0)

    @field_validator("a", "grant")
    @classmethod
    def _from_zero(cls, v: spec.Bounds, info: ValidationInfo) -> spec.Bounds:
        if v.lower < 0:
            raise ValueError(
                f"the {info.field_name} ladder starts at {v.lower}; the fund pays, so start it "
                "at 0 or above"
            )
        return v

    @field_validator("years")
    @classmethod
    def _whole_years(cls, v: spec.Bounds) -> spec.Bounds:
        steps_whole = v.step is None or float(v.step).is_integer()
        if v.lower < 1 or not float(v.lower).is_integer() or not float(v.upper).is_integer() \
                or not steps_whole:
            raise ValueError(
                f"the listing runs whole years: give whole numbers >= 1 with a whole step, got "
                f"lower {v.lower}, upper {v.upper}, step {v.step}"
            )
        return v

    @field_validator("cut")
    @classmethod
    def _cut_share(cls, v: spec.Bounds) -> spec.Bounds:
        if v.lower < 0 or v.upper >= 1:
            raise ValueError(
                f"the yearly cut is a share in [0, 1), got {v.lower} to {v.upper}; 0.2 means "
                "20% a year"
            )
        return v


class FundCap(spec.FundBudget):
    """``fund_budget``: the fund's cap (currency).

    ``period = "total"`` (default): the fund's total payments over the listing ``sum_t F_t
    <= budget`` (an endowment); ``period = "year"``: every year's payments ``F_t <=
    budget``.
    """

    period: Literal["total", "year"] = "total"


class IncentiveFundGuardrails(spec.GuardrailSet):
    """Guardrails of the incentive fund; each on or off by name (``name = true`` works).

    ``fund_budget`` (see :class:`FundCap`); ``equity_floor``: every tier's coverage, averaged
    over the horizon, ``>= min_coverage``; ``creator_sustainable``: ``creator_npv >= 0``;
    ``evidence_goal``: the listing's AI uses reach the evidence a permanent listing needs.
    """

    fund_budget: FundCap = FundCap()
    equity_floor: spec.EquityFloor = spec.EquityFloor()
    creator_sustainable: spec.Toggle = spec.Toggle()
    evidence_goal: spec.Toggle = spec.Toggle()


class FundPathway(Pathway):
    """A :class:`~paretoprice.optim.pathway.Pathway` with the comparator arm it follows.

    Attributes
    ----------
    comparator_arm
        ``replaced_service``: the comparator arm is the human service the AI replaces
        (``H = n c (1 - A)``); ``every_other_exam``: the AI adds to an exam done anyway, so
        the comparator arm is every exam done without the AI (``n - U``).
    """

    comparator_arm: Literal["replaced_service", "every_other_exam"] = "replaced_service"


class IncentiveFundSpec(spec.ProblemSpecBase):
    """An incentive fund outside the insurance budget (see the module docstring).

    Objectives (means over the creator's horizon): ``payer_spend`` (fund plus insurance,
    currency per year, minimized), ``creator_npv`` (currency, maximized), ``access`` (share
    of eligible uses served, maximized), ``provider_margin`` (currency per year, maximized),
    ``equity`` (worst tier's coverage, maximized).
    """

    family: Literal["incentive_fund"] = "incentive_fund"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    fund: str = ""
    service: ListingService
    tiers: Annotated[tuple[FundTier, ...], spec.unique_names("tier")] = Field(min_length=1)
    schedules: tuple[TierSchedule, ...] = ()
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    decisions: FundDecisions
    guardrails: IncentiveFundGuardrails = IncentiveFundGuardrails()
    ramp: spec.Ramp = spec.Ramp()
    pathway: FundPathway | None = None

    @field_validator("pathway")
    @classmethod
    def _pathway_tiers(cls, v: FundPathway | None,
                       info: ValidationInfo) -> FundPathway | None:
        tiers = info.data.get("tiers")
        if v is not None and tiers is not None:
            v.check_segments([t.name for t in tiers])
        return v

    @field_validator("schedules")
    @classmethod
    def _schedules_name_every_tier(cls, v: tuple[TierSchedule, ...],
                                   info: ValidationInfo) -> tuple[TierSchedule, ...]:
        tiers = info.data.get("tiers")
        if tiers is None:
            return v
        names = {t.name for t in tiers}
        for s in v:
            if set(s.ratios) != names:
                missing = sorted(names - set(s.ratios))
                extra = sorted(set(s.ratios) - names)
                raise ValueError(
                    f"schedule '{s.name}' must give a ratio for every tier {sorted(names)}"
                    + (f"; missing {missing}" if missing else "")
                    + (f"; unknown {extra}" if extra else "")
                )
        sched = [s.name for s in v]
        if len(set(sched)) != len(sched):
            raise ValueError(f"schedule names repeat: {sched}")
        return v

    @field_validator("decisions")
    @classmethod
    def _listing_within_horizon(cls, v: FundDecisions, info: ValidationInfo) -> FundDecisions:
        creator = info.data.get("creator")
        if creator is not None and v.years.upper > creator.horizon_years:
            raise ValueError(
                f"the listing may last up to {v.years.upper:g} years but the horizon "
                f"(creator.horizon_years) is {creator.horizon_years}; lower years.upper or "
                "lengthen the horizon"
            )
        return v


class IncentiveFundProblem(PricingProblem[IncentiveFundSpec]):
    """The incentive fund over the horizon (see the module docstring for formulas).

    Decisions: ``a`` (base add-on, currency per use), ``schedule`` (tier schedule index),
    ``grant`` (currency per adopting site per listed year), ``years`` (listing length),
    ``cut`` (yearly cut of the add-on, share).

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("korea-ai-fund")
    >>> prob.decision_names, prob.objective_units[0]
    (('a', 'schedule', 'grant', 'years', 'cut'), 'KRW per year')
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        cur = s.currency
        tiers = s.tiers
        self._seg = seg = common.segment_arrays(tiers)
        self.tier_names: tuple[str, ...] = seg.names
        schedules = s.schedules or (TierSchedule(name="flat",
                                                 ratios={g: 1.0 for g in self.tier_names}),)
        self.schedule_names: tuple[str, ...] = tuple(x.name for x in schedules)
        self._ratios = np.array([[x.ratios[g] for g in self.tier_names] for x in schedules])
        sv = s.service
        self._f = sv.creator_fee
        self._p0 = sv.insurer_payment
        self._pperm = sv.permanent_payment
        self._evidence = sv.evidence_uses
        self._vc = sv.comparator_payment
        copay = sv.patient_copay
        self._kappa = copay.share if copay is not None else 0.0
        self._eps = copay.uptake_response if copay is not None else 0.0
        self._has_copay = copay is not None
        cr = s.creator
        self._T = cr.horizon_years
        self._t = np.arange(1, self._T + 1, dtype=float)
        self._disc = (1.0 + cr.discount_rate) ** -self._t
        self._ramp = common.ramp_of(s)
        self._v2 = not is_immediate(self._ramp) or s.pathway is not None
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc) * self._vc)
        self._compliance = seg.compliance
        anchors = common.service_anchors(self._vc, self._compliance, cr, s.value)
        self._pathway: PathwayEvaluator | None = None
        self._every_other = False
        if s.pathway is not None:
            anchors = self._setup_pathway(s.pathway, anchors)
        self._anchors = common.in_currency(anchors, cur)
        d = s.decisions
        n_sched = len(schedules)
        self._decisions = (
            Quantity("a", f"{cur} per use",
                     "base add-on per AI use from the fund (times the tier's ratio)"),
            Quantity("schedule", "index",
                     "tier schedule: " + ", ".join(f"{i} {x}" for i, x in
                                                   enumerate(self.schedule_names))),
            Quantity("grant", f"{cur} per site-year",
                     "fund grant per adopting site per listed year"),
            Quantity("years", "years", "length of the fund's listing"),
            Quantity("cut", "share per year", "yearly cut of the add-on during the listing"),
        )
        sched_bounds = spec.Bounds(lower=0.0, upper=float(n_sched - 1),
                                   step=1.0 if n_sched > 1 else None)
        self._bounds = (d.a, sched_bounds, d.grant, d.years, d.cut)
        self._objective_info = {q.name: q for q in (
            Quantity("payer_spend", f"{cur} per year",
                     "fund and insurance payments, mean over the horizon (minimized)"),
            Quantity("creator_npv", cur, "AI creator's net present value (maximized)"),
            Quantity("access", "share of eligible uses",
                     "equity-weighted share of eligible uses served, mean over the horizon "
                     "(maximized)"),
            Quantity("provider_margin", f"{cur} per year",
                     "hospitals' margin on the AI after fee, per-use and fixed costs, with "
                     "add-ons and grants, mean over the horizon (maximized)"),
            Quantity("equity", "share of eligible uses",
                     "coverage of the worst-served tier, mean over the horizon (maximized "
                     "when chosen)"),
        )}
        if self._pathway is not None:
            self._objective_info["health_gain"] = Quantity(
                HEALTH_GAIN[0], HEALTH_GAIN[1], HEALTH_GAIN[2] + ", mean over the horizon")
        rep = [
            *quantities.per_name(
                self.tier_names,
                ("coverage_{g}", "share of eligible uses",
                 "share of tier {g}'s eligible uses served, mean over the horizon"),
                ("adoption_{g}", "share of sites",
                 "share of tier {g}'s sites using the AI, mean over the horizon"),
                ("addon_{g}", f"{cur} per use", "first-year add-on per use in {g}")),
            Quantity("fund_total", cur, "fund payments over the whole listing"),
            Quantity("fund_peak", f"{cur} per year", "fund payments in the costliest year"),
            Quantity("fund_grants", cur, "grants to adopting sites over the listing"),
            Quantity("insurance_spend", f"{cur} per year",
                     "insurance payments for AI uses and comparators"
                     + (" and the downstream pathway" if s.pathway is not None else "")
                     + ", mean over the horizon"),
            Quantity("listing_uses", "uses", "AI uses during the listing (the evidence)"),
            Quantity("listing_probability", "probability",
                     "probability of a permanent listing, min(1, listing uses / evidence)"),
            Quantity("ai_uses", "uses per year", "AI uses a year, mean over the horizon"),
            Quantity("ai_uses_after", "uses per year",
                     "AI uses a year after the listing ends (NaN when it lasts the horizon)"),
            Quantity("fund_per_use", f"{cur} per use",
                     "fund payments per AI use during the listing (NaN with none)"),
        ]
        if self._has_copay:
            rep += [
                Quantity("patient_spend", f"{cur} per year",
                         "patients' copayments for AI uses, mean over the horizon (not payer "
                         "spend)"),
                Quantity("uptake_factor", "share",
                         "uptake as a multiple of u_g after the copay's demand response, "
                         "mean over the horizon"),
            ]
        if self._pathway is not None:
            rep += [Quantity(*row) for row in
                    reported_pathway_quantities(cur, s.value.wtp_per_qaly)
                    if cur == "USD" or not row[0].startswith("nmb_")]
        if self._v2:
            rep += common.budget_quantities(
                {"insurer": "insurance payments for AI uses (net of copays) and comparators"
                            + (" and the downstream pathway" if s.pathway is not None
                               else "") + ", mean over the horizon",
                 "fund": "fund payments (add-ons and grants), mean over the horizon"},
                self._ramp, cur)
        self._declare_reported(rep)

    def _setup_pathway(self, pathway: FundPathway, anchors: Any) -> Any:
        """Bind the pathway: the status quo (today's exams without AI), today's spend with
        its downstream cost, and the pathway's cost-effective anchor (returned)."""
        s, seg = self.spec, self._seg
        require_sources(pathway, s.sources, owner=f"problem '{s.name}'")
        self._every_other = pathway.comparator_arm == "every_other_exam"
        today = seg.n if self._every_other else seg.nc
        lam = s.value.wtp_per_qaly
        ones = np.ones(len(seg.names))
        pw = self._pathway = PathwayEvaluator.build(pathway, seg.names, wtp=lam, mu=ones,
                                                    today_exams=today)
        self._today_spend += pw.today_cost
        ce = cost_effective_payment(
            pw.arrays, lam, population=seg.n,
            compliance=seg.u if self._every_other else seg.c, uptake=seg.u,
            comparator_payment=(0.0 if self._every_other else self._vc) * ones, mu=ones,
            rate_multiple=ones)
        return with_pathway_anchor(anchors, ce, lam, unit="USD per use")

    def _comparator_exams(self, U: np.ndarray, H: np.ndarray) -> np.ndarray:
        """Exams in the pathway's comparator arm, ``(N, T, G)`` a year."""
        return self._seg.n - U if self._every_other else H

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s, cur = self.spec, self.spec.currency
        gr = s.guardrails
        cap = gr.fund_budget
        per = "over the listing" if cap.period == "total" else "in any year"
        return {
            "fund_budget": Guardrail(
                "fund_budget", cur if cap.period == "total" else f"{cur} per year",
                max(cap.budget, 1.0), f"fund payments {per} <= {cap.budget:,.0f} {cur}"),
            "equity_floor": common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                     "share of eligible uses",
                                                     "every tier's mean coverage"),
            "creator_sustainable": common.creator_sustainable_rail(s.creator, cur),
            "evidence_goal": Guardrail(
                "evidence_goal", "uses", max(self._evidence, 1.0),
                f"AI uses during the listing >= {self._evidence:,.0f}"),
        }

    @property
    def currency(self) -> str:
        """Currency of every amount (ISO code, e.g. ``KRW``)."""
        return self.spec.currency

    @property
    def horizon(self) -> int:
        """``T``: years modelled (the creator's horizon)."""
        return self._T

    def schedule_ratios(self, name: str) -> dict[str, float]:
        """Tier -> ratio of the base add-on in the schedule called ``name``."""
        i = self.schedule_names.index(name)
        return dict(zip(self.tier_names, self._ratios[i].tolist(), strict=True))

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> IncentiveFundProblem:
        s = self.spec
        if "schedule" in changes:
            b = changes["schedule"]
            keep = [x for i, x in enumerate(s.schedules or ())
                    if b.lower - 1e-9 <= i <= b.upper + 1e-9]
            if not keep:
                raise ParameterError(
                    "bounds.schedule", f"indices within 0..{len(self.schedule_names) - 1}",
                    f"{b.lower:g} to {b.upper:g}",
                    fix="give the indices of the schedules to keep (see decision 'schedule').",
                    owner=f"problem '{self.name}'")
            s = s.replace(schedules=[x.model_dump() for x in keep])
        d = common.decisions_with_bounds(s.decisions,
                                         {k: b for k, b in changes.items() if k != "schedule"})
        return IncentiveFundProblem(s.replace(decisions=d))

    # ------------------------------------------------------------- evaluation
    def _ramped(self, A: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Adoption and adopters' cost ``(N, T, G)`` on the adoption ramp: year ``t``
        reaches the share ``r_t`` of the sites that its margin would bring (unchanged when
        the ramp is immediate)."""
        if not self._v2:
            return A, cost
        r = self._ramp[None, :, None]
        return A * r, cost * r

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today: the insurer's comparators (currency per year)."""
        return {"insurer": self._today_spend, "fund": 0.0}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` for the insurer and the fund in each year of
        the horizon (currency per year; the family's own years, on the adoption ramp; see
        :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        ev = self._evaluate_paths(X)
        return budget_impact_by_year({"insurer": ev["insurance_t"], "fund": ev["fund_t"]},
                                     self._todays_spend_by_payer(),
                                     self.spec.creator.discount_rate, self._ramp)

    def _evaluate_paths(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Year-by-year paths of candidates ``X`` (years on axis 1, tiers on axis 2):
        first-year add-ons, listing uses and probability, insurance payment ``p_t``, uptake
        factor ``m``, margins, adoption, adopters' cost, uses, comparators, grants, fund
        and insurance spend by year (currency, shares, uses)."""
        seg = self._seg
        a = X[:, 0]
        sched = np.clip(np.rint(X[:, 1]), 0, len(self.schedule_names) - 1).astype(int)
        grant = X[:, 2]
        years = np.clip(np.rint(X[:, 3]), 1, self._T)
        cut = X[:, 4]
        t = self._t
        listed = t[None, :] <= years[:, None]  # (N, T)
        decay = (1.0 - cut[:, None]) ** (t[None, :] - 1.0)  # (N, T)
        first = a[:, None] * self._ratios[sched]  # (N, G) first-year add-on per use
        addon = np.where(listed, decay, 0.0)[:, :, None] * first[:, None, :]  # (N, T, G)
        grant_t = np.where(listed, grant[:, None], 0.0)  # (N, T)
        base_margin = addon - self._f - seg.k  # (N, T, G) before the insurer's payment
        # the patient's copay (none: kappa = 0, m = 1, every product below exact)
        kappa, eps, charged0 = self._kappa, self._eps, float(self._p0 > 0)
        m_list = max(0.0, 1.0 - eps * kappa * charged0)  # uptake factor while listed
        # the listing's uses set the probability of a permanent listing
        A1, _ = self._ramped(*self._curve(
            seg.q * m_list * (self._p0 + base_margin) + grant_t[:, :, None], seg.kbar))
        listing_uses = (seg.nu * m_list * A1 * listed[:, :, None]).sum(axis=(1, 2))
        prob_listed = np.minimum(1.0, listing_uses / self._evidence)
        p_t = self._p0 + np.where(listed, 0.0, prob_listed[:, None] * self._pperm)  # (N, T)
        pays = np.where(listed, charged0, 1.0 if charged0 else prob_listed[:, None])  # z_t
        m = np.maximum(0.0, 1.0 - eps * kappa * pays)[:, :, None]  # (N, T, 1)
        pi = p_t[:, :, None] + base_margin
        A, cost = self._ramped(*self._curve(seg.q * m * pi + grant_t[:, :, None], seg.kbar))
        U = seg.nu * m * A  # (N, T, G)
        H = seg.nc * (1.0 - A)
        site_grants = seg.S * A * grant_t[:, :, None]  # (N, T, G)
        fund_t = (U * addon + site_grants).sum(axis=2)  # (N, T)
        insurer_t = (1.0 - kappa) * p_t  # insurer's part of the payment per use
        insurance_t = (U * insurer_t[:, :, None]).sum(axis=2) + (H * self._vc).sum(axis=2)
        out = None
        if self._pathway is not None:  # the insurer pays the downstream care, year by year
            arr = self._pathway.arrays
            ai, cmp = arr.per_exam(arr.ai), arr.per_exam(arr.cmp)
            C = self._comparator_exams(U, H)
            out = Outcomes(cost_ai=(U * ai.cost).mean(axis=1),
                           cost_cmp=(C * cmp.cost).mean(axis=1),
                           qaly_ai=(U * ai.qaly).mean(axis=1),
                           qaly_cmp=(C * cmp.qaly).mean(axis=1))
            insurance_t = insurance_t + (U * ai.cost + C * cmp.cost).sum(axis=2)
        return {"outcomes": out, "first": first, "listing_uses": listing_uses,
                "prob_listed": prob_listed,
                "p_t": p_t, "m": m, "pi": pi, "A": A, "cost": cost, "U": U, "H": H,
                "site_grants": site_grants, "fund_t": fund_t, "insurance_t": insurance_t,
                "listed": listed}

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        """All candidates at once: years on axis 1, tiers on axis 2 (currency, shares)."""
        s = self.spec
        seg = self._seg
        path = self._evaluate_paths(X)
        first, listing_uses, prob_listed = (path["first"], path["listing_uses"],
                                            path["prob_listed"])
        p_t, m, pi, A, cost = path["p_t"], path["m"], path["pi"], path["A"], path["cost"]
        U, H, site_grants = path["U"], path["H"], path["site_grants"]
        fund_t, insurance_t, listed = path["fund_t"], path["insurance_t"], path["listed"]
        kappa = self._kappa
        payer_spend = (fund_t + insurance_t).mean(axis=1)
        uses_t = U.sum(axis=2)
        cr = s.creator
        creator_npv = ((self._f - cr.marginal_cost) * uses_t - cr.annual_fixed_cost) \
            @ self._disc - cr.upfront_investment
        served = U + H
        access = (served * seg.e).sum(axis=2).mean(axis=1) / seg.en_total
        provider_margin = (U * pi + site_grants - seg.S * cost).sum(axis=2).mean(axis=1)
        coverage = (served / seg.n).mean(axis=1)  # (N, G)
        objectives = quantities.core_objectives(payer_spend, creator_npv, access,
                                                provider_margin, coverage)
        outcomes: Outcomes | None = path["outcomes"]
        if outcomes is not None:
            objectives["health_gain"] = outcomes.qaly
        equity = objectives["equity"]
        fund_total = fund_t.sum(axis=1)
        gr = s.guardrails
        used = fund_total if gr.fund_budget.period == "total" else fund_t.max(axis=1)
        cons = common.rail_values((r.name for r in self._guardrails), common.RailInputs(
            anchors={}, creator_npv=creator_npv, equity=equity,
            min_coverage=gr.equity_floor.min_coverage, fund_spend=used,
            fund_budget=gr.fund_budget.budget),
            own={"evidence_goal": self._evidence - listing_uses})
        reported: dict[str, np.ndarray] = {}
        if report:
            adoption = A.mean(axis=1)
            for j, g in enumerate(self.tier_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = adoption[:, j]
                reported[f"addon_{g}"] = first[:, j]
            reported["fund_total"] = fund_total
            reported["fund_peak"] = fund_t.max(axis=1)
            reported["fund_grants"] = site_grants.sum(axis=(1, 2))
            reported["insurance_spend"] = insurance_t.mean(axis=1)
            reported["listing_uses"] = listing_uses
            reported["listing_probability"] = prob_listed
            reported["ai_uses"] = uses_t.mean(axis=1)
            after = ~listed
            n_after = after.sum(axis=1)
            reported["ai_uses_after"] = quantities.ratio_or_nan(
                (uses_t * after).sum(axis=1), n_after)
            reported["fund_per_use"] = quantities.ratio_or_nan(fund_total, listing_uses)
            if self._has_copay:
                reported["patient_spend"] = (U * (kappa * p_t)[:, :, None]).sum(axis=2) \
                    .mean(axis=1)
                reported["uptake_factor"] = m[:, :, 0].mean(axis=1)
            if outcomes is not None and self._pathway is not None:
                rep = self._pathway.report(outcomes, payer_spend, self._today_spend)
                reported.update({k: v for k, v in rep.items() if k in self._reported_info})
            if self._v2:
                bi = budget_impact_by_year({"insurer": insurance_t, "fund": fund_t},
                                           self._todays_spend_by_payer(), cr.discount_rate)
                reported["spend_insurer"] = insurance_t.mean(axis=1)
                reported["spend_fund"] = fund_t.mean(axis=1)
                reported.update(budget_columns(bi))
        return Evaluation(objectives, cons, reported)
