"""Value-based payment: a base amount per beneficiary, a withhold paid on outcomes, and a
share of verified savings.

An AI-enabled chronic-care programme (e.g. a generalist system managing cardio-kidney-
metabolic conditions, seed 000) is paid per enrolled beneficiary-year, not per use: a base
amount ``p`` (CMS's ACCESS model pays 420 USD in the first year of its CKM track and 210 USD
in later years), of which a share ``omega`` is withheld and paid only for beneficiaries who
meet their outcome target, plus a share ``sigma`` of the savings the payer verifies on
avoided events (30-day readmissions, avoidable emergency visits; seed 002). What a payer
verifies depends on attribution: a share ``alpha_j`` of the true savings is credited to the
programme. Payers ``j`` (Medicare, Medicare Advantage, Medicaid, commercial) differ in the
rate they pay on the base (``mu_j``), the prices of the events avoided (``eta_j``) and
``alpha_j``; settings ``g`` differ in their payer mix ``w_gj``, their patients' risk
``rho_g`` and the share of beneficiaries who meet their target ``tau_g``.

::

    mean base per year         B = p (1 + lambda (D - 1)) / D     (year 1 at p, later at lambda p)
    gross savings              s_gj = rho_g eta_j sum_o r_o delta_o C_o   (USD per enrollee-year)
    payment                    pay_gj = mu_j B (1 - omega + omega tau_g) + a_g + sigma alpha_j s_gj
    setting averages           pay_g = sum_j w_gj pay_gj,  s_g = sum_j w_gj s_gj
    margin per enrollee        pi_g = pay_g - f - k_g
    adoption                   A_g, C_g = curve(q_g pi_g, Kbar_g),   q_g = n_g u_g / S_g
    enrolled                   U_g = n_g u_g A_g;   managed as today  H_g = n_g c_g (1 - A_g)

    payer_spend      = sum_g U_g (pay_g - s_g) + H_g mu_g v_c     (USD/year, min; net of savings)
    creator_npv      = annuity(T, r) ((f - m) sum_g U_g - O) - F  (USD, max)
    access           = sum_g e_g (U_g + H_g) / sum_g e_g n_g      (share, max)
    provider_margin  = sum_g U_g pi_g - S_g C_g                   (USD/year, max)
    equity           = min_g (U_g + H_g) / n_g                    (share, max)

with ``mu_g = sum_j w_gj mu_j``, ``a_g`` a fixed add-on per enrollee-year (ACCESS's rural
add-on, 15 USD), ``D`` the mean years a beneficiary stays enrolled and ``lambda`` the
later-year payment as a share of the first year's. ``payer_spend`` is net of the gross
savings: they are the point of the payment, and it can be negative when the programme
saves more than it costs.

Shared savings against a benchmark (``[shared_savings]`` table, model v2). Accountable-care
contracts do not pay a share of every dollar saved: savings are measured against a
benchmark of total cost of care, paid only when they exceed a minimum savings rate (MSR),
and only on the part above it, up to a cap; with downside risk the provider repays a share
of losses beyond the MSR. Patients who were already managed today bring no new savings to
credit. With the table, per enrollee in setting ``g`` and payer ``j``::

    benchmark                 b_gj = rho_g eta_j b                          (USD per enrollee-year)
    credited savings          v_gj = alpha_j s_gj (1 - c_g / u_g)+          (new patients only)
    shared payment            sigma (v_gj - m b_gj)      if v_gj >  m b_gj, at most k b_gj
                              -d (-v_gj - m b_gj)        if v_gj < -m b_gj, at most k b_gj
                              0                          otherwise

with ``m`` the MSR, ``k`` the cap and ``d`` the downside rate (0: one-sided). Without the
table the v1 rule ``sigma alpha_j s_gj`` applies (every credited dollar shared).

A ``[ramp]`` table (model v2) spreads adoption over the first years: the creator's NPV
follows it, and each point reports spend by payer (``spend_<payer>``, net of savings),
``budget_impact_year<t>`` and ``budget_impact_discounted``; ``budget_impact(X)`` gives
them by payer and year (``docs/model.md``, "Budget impact and the ramp"). Without a ramp
the family evaluates as before, bit for bit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import BudgetImpact, is_immediate
from paretoprice.optim.budget import creator_npv as creator_npv_on_ramp
from paretoprice.optim.families import common
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity

logger = logging.getLogger(__name__)

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "payers' net spend: programme payments (base, earned withhold, shared savings, "
             "add-ons) minus the gross savings on avoided events, plus today's care-management "
             "payments for beneficiaries not enrolled (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's net present value over the horizon (maximized)"),
    Quantity("access", "share of eligible beneficiaries",
             "equity-weighted share of eligible beneficiaries managed, by the programme or "
             "as today (maximized)"),
    Quantity("provider_margin", "USD per year",
             "participating providers' annual margin after the creator's fee, care-team and "
             "fixed costs (maximized)"),
    Quantity("equity", "share of eligible beneficiaries",
             "share managed in the worst-served setting (maximized when chosen)"),
)


def _share_ladder(b: spec.Bounds, what: str) -> spec.Bounds:
    """``b`` unchanged when it stays within [0, 1]; else a ValueError naming ``what``."""
    if b.lower < 0 or b.upper > 1:
        raise ValueError(
            f"the {what} ladder runs from {b.lower} to {b.upper}; a {what} is a share, so keep "
            "it within [0, 1]"
        )
    return b


class ValuePayer(spec.Payer):
    """A payer in a value-based contract.

    Attributes
    ----------
    rate_multiplier
        ``mu_j``: multiple of the contract's base payment this payer pays (Medicare = 1).
    event_cost_multiplier
        ``eta_j``: this payer's price of the avoided events (hospital stays, emergency
        visits) as a multiple of Medicare's.
    attribution
        ``alpha_j``: share of the programme's true savings this payer's attribution and
        verification credit to it (1 = every saving is credited).
    """

    event_cost_multiplier: float = Field(default=1.0, gt=0, le=20)
    attribution: float = Field(default=1.0, ge=0, le=1)


class Outcome(spec.Frozen):
    """An avoidable event the programme reduces.

    Attributes
    ----------
    name
        Identifier (e.g. ``readmissions_30d``).
    baseline_rate
        ``r_o``: events per beneficiary-year without the programme (risk score 1).
    reduction
        ``delta_o``: relative reduction among enrolled beneficiaries (share).
    cost_per_event
        ``C_o``: payer's cost of one event at Medicare prices (USD per event).
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    baseline_rate: float = Field(ge=0)
    reduction: float = Field(ge=0, le=1)
    cost_per_event: float = Field(ge=0)


class ValueSegment(spec.Segment):
    """A setting of care in a value-based contract.

    Segment fields are per beneficiary: ``population`` eligible beneficiaries a year,
    ``compliance`` the share managed today (paid ``v_c`` a year each), ``uptake`` the
    share who enroll where the programme is offered, ``provider_cost_per_use`` the care
    team's cost per enrollee-year (USD), ``fixed_cost_per_site`` per site-year (USD).

    Attributes
    ----------
    risk_score
        ``rho_g``: multiple of the outcomes' baseline rates in this setting.
    target_attainment
        ``tau_g``: share of enrolled beneficiaries who meet their outcome target (the
        withheld share is paid for them).
    addon
        ``a_g``: fixed add-on per enrollee-year (USD; e.g. a rural add-on).
    """

    risk_score: float = Field(default=1.0, gt=0, le=20)
    target_attainment: float = Field(ge=0, le=1)
    addon: float = Field(default=0.0, ge=0)


class Contract(spec.Frozen):
    """Fixed terms of the payment rule.

    Attributes
    ----------
    later_year_ratio
        ``lambda``: payment in years after the first, as a share of the first year's.
    years_enrolled
        ``D``: mean years a beneficiary stays enrolled (at least 1).
    """

    later_year_ratio: float = Field(default=1.0, ge=0, le=1)
    years_enrolled: float = Field(default=1.0, ge=1, le=50)


class SharedSavings(spec.Frozen):
    """Benchmark-based shared-savings terms (see the module docstring).

    Attributes
    ----------
    benchmark
        ``b``: benchmark total cost of care per enrollee-year at Medicare prices and risk 1
        (USD per beneficiary-year).
    minimum_savings_rate
        ``m``: savings (and losses) below ``m b`` are not shared (share of the benchmark).
    cap
        ``k``: the shared payment (or repayment) is at most ``k b`` (share of the benchmark).
    downside_rate
        ``d``: share of losses beyond the MSR the provider repays (0 = one-sided contract).
    credit_new_patients_only
        Whether savings are credited only for enrollees not managed today (default true).
    """

    benchmark: float = Field(gt=0)
    minimum_savings_rate: float = Field(default=0.0, ge=0, le=1)
    cap: float = Field(default=1.0, ge=0, le=1)
    downside_rate: float = Field(default=0.0, ge=0, le=1)
    credit_new_patients_only: bool = True


def shared_savings_payment(savings: np.ndarray, benchmark: np.ndarray, share: np.ndarray,
                           msr: float, cap: float, downside: float) -> np.ndarray:
    """Payment to the provider per enrollee-year under a benchmark contract (USD; negative:
    the provider repays). ``savings`` credited savings (negative: losses), ``benchmark``
    per enrollee-year, ``share`` the sharing rate; broadcast together.

    Examples
    --------
    Benchmark 10,000, MSR 2% (200), sharing 50%, cap 10% (1,000), downside 40%:

    >>> b = np.array(10_000.0)
    >>> [float(shared_savings_payment(np.array(v), b, np.array(0.5), 0.02, 0.10, 0.4))
    ...  for v in (150.0, 500.0, 3_000.0, -700.0)]
    [0.0, 150.0, 1000.0, -200.0]
    """
    threshold = msr * benchmark
    limit = cap * benchmark
    gain = np.minimum(share * np.maximum(savings - threshold, 0.0), limit)
    loss = np.minimum(downside * np.maximum(-savings - threshold, 0.0), limit)
    return gain - loss


class ValueDecisions(spec.Frozen):
    """Decision variables and their ladders.

    ``p``: base payment in a beneficiary's first year (USD per beneficiary-year);
    ``withhold``: share of the base paid only on meeting the outcome target; ``savings_share``:
    share of verified savings paid to the provider; ``f``: the creator's fee per enrollee-year
    (USD), paid by the provider.
    """

    p: spec.Bounds
    withhold: spec.Bounds = spec.Bounds(lower=0.0, upper=0.0)
    savings_share: spec.Bounds = spec.Bounds(lower=0.0, upper=0.0)
    f: spec.Bounds

    @field_validator("withhold")
    @classmethod
    def _withhold_share(cls, v: spec.Bounds) -> spec.Bounds:
        return _share_ladder(v, "withhold")

    @field_validator("savings_share")
    @classmethod
    def _savings_share(cls, v: spec.Bounds) -> spec.Bounds:
        return _share_ladder(v, "savings share")


class ValueGuardrails(spec.StandardGuardrails):
    """Guardrails of the value-based family; each on or off by name (``name = true`` works).

    The caps bound the largest contract payment per enrollee-year before payer multipliers,
    ``max_g B (1 - omega + omega tau_g) + a_g + sigma sum_j w_gj alpha_j s_gj``.
    ``self_funding``: programme payments at most the gross savings they buy.
    """

    self_funding: spec.Toggle = spec.Toggle()


class ValueBasedSpec(spec.ProblemSpecBase):
    """Value-based payment with a withhold and shared savings (see the module docstring).

    ``service.comparator_payment`` is today's care-management payment per managed
    beneficiary-year (USD). Objectives: ``payer_spend`` (USD per year, net of savings,
    minimized), ``creator_npv`` (USD, maximized), ``access`` (share of eligible
    beneficiaries managed, maximized), ``provider_margin`` (USD per year, maximized),
    ``equity`` (worst setting's share managed, maximized).
    """

    family: Literal["value_based"] = "value_based"
    service: spec.Service
    payers: Annotated[tuple[ValuePayer, ...], spec.unique_names("payer")] = Field(min_length=1)
    segments: tuple[ValueSegment, ...] = Field(min_length=1)
    outcomes: Annotated[tuple[Outcome, ...], spec.unique_names("outcome")] = Field(min_length=1)
    contract: Contract = Contract()
    shared_savings: SharedSavings | None = None
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    decisions: ValueDecisions
    guardrails: ValueGuardrails = ValueGuardrails()
    ramp: spec.Ramp = spec.Ramp()

    @model_validator(mode="after")
    def _cross_checks(self) -> ValueBasedSpec:
        spec.check_payers_and_segments(self.payers, self.segments, distinct_payers=False)
        return self


class ValueBasedProblem(PricingProblem[ValueBasedSpec]):
    """Value-based payment (see the module docstring for formulas).

    Decisions: ``p`` (first-year base, USD per beneficiary-year), ``withhold`` (share),
    ``savings_share`` (share), ``f`` (creator fee, USD per enrollee-year).

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("access-ckm")
    >>> prob.decision_names
    ('p', 'withhold', 'savings_share', 'f')
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        segs = s.segments
        self._seg = seg = common.segment_arrays(segs)
        self.segment_names: tuple[str, ...] = seg.names
        self.payer_names: tuple[str, ...] = tuple(p.name for p in s.payers)
        self._tau = np.array([g.target_attainment for g in segs], dtype=float)
        self._addon = np.array([g.addon for g in segs], dtype=float)
        risk = np.array([g.risk_score for g in segs], dtype=float)
        # payer mix (G, J) and payer terms (J,)
        self._w = np.array([[g.payer_mix.get(j, 0.0) for j in self.payer_names] for g in segs])
        self._mu_j = np.array([p.rate_multiplier for p in s.payers], dtype=float)
        eta = np.array([p.event_cost_multiplier for p in s.payers], dtype=float)
        self._alpha_j = np.array([p.attribution for p in s.payers], dtype=float)
        self._mu = self._w @ self._mu_j  # (G,)
        saving_medicare = float(sum(o.baseline_rate * o.reduction * o.cost_per_event
                                    for o in s.outcomes))  # USD per enrollee-year, risk 1
        self._saving_ref = saving_medicare
        self._s_gj = risk[:, None] * eta[None, :] * saving_medicare  # (G, J)
        self._s_g = (self._w * self._s_gj).sum(axis=1)  # (G,) gross savings per enrollee
        self._credited_g = (self._w * self._alpha_j * self._s_gj).sum(axis=1)  # verified
        ss = s.shared_savings
        self._ss = ss
        if ss is not None:
            new = np.clip(1.0 - seg.c / np.where(seg.u > 0, seg.u, 1.0), 0.0, 1.0) \
                if ss.credit_new_patients_only else np.ones(len(segs))
            new = np.where(seg.u > 0, new, 0.0)
            self._credited_gj = new[:, None] * self._alpha_j * self._s_gj  # (G, J)
            self._bench_gj = risk[:, None] * eta[None, :] * ss.benchmark  # (G, J)
        # events avoided per enrollee-year, per outcome (G, O)
        self._avoided = risk[:, None] * np.array([o.baseline_rate * o.reduction
                                                  for o in s.outcomes])[None, :]
        ct = s.contract
        self._base_factor = (1.0 + ct.later_year_ratio * (ct.years_enrolled - 1.0)) \
            / ct.years_enrolled
        self._vc = s.service.comparator_payment
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._ramp = common.ramp_of(s)
        self._v2 = not is_immediate(self._ramp)
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc * self._mu * self._vc))
        self._compliance = seg.compliance
        weights = seg.nu if seg.nu.sum() > 0 else seg.n
        mean_saving = float(np.dot(weights, risk) / weights.sum()) * saving_medicare
        self._anchors = common.service_anchors(
            self._vc, self._compliance, s.creator, s.value,
            savings_per_patient=s.value.savings_per_patient + mean_saving)
        d = s.decisions
        per_year = "USD per beneficiary-year"
        self._decisions = (
            Quantity("p", per_year, "base payment in a beneficiary's first year"),
            Quantity("withhold", "share of the base",
                     "share of the base paid only for beneficiaries meeting their target"),
            Quantity("savings_share", "share of verified savings",
                     "share of verified savings paid to the provider"),
            Quantity("f", per_year, "creator's fee per enrolled beneficiary-year"),
        )
        self._bounds = (d.p, d.withhold, d.savings_share, d.f)
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        share = "share of eligible beneficiaries"
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep += [
                Quantity(f"coverage_{g}", share, f"share of setting {g}'s beneficiaries managed"),
                Quantity(f"adoption_{g}", "share of sites",
                         f"share of setting {g}'s sites offering the programme"),
                Quantity(f"payment_{g}", per_year,
                         f"expected payment per enrollee-year in setting {g}, all payers"),
            ]
        for j in self.payer_names:
            rep.append(Quantity(f"spend_{j}", "USD per year",
                                f"payer {j}'s net spend (its part of payer_spend)"))
        for o in s.outcomes:
            rep.append(Quantity(f"avoided_{o.name}", "events per year",
                                f"{o.name} events avoided a year"))
        rep += [
            Quantity("enrolled", "beneficiaries per year", "beneficiaries enrolled"),
            Quantity("programme_payments", "USD per year",
                     "base, earned withhold, shared savings and add-ons paid"),
            Quantity("withhold_forfeited", "USD per year",
                     "withheld base not paid (beneficiaries missing their target)"),
            Quantity("shared_savings_paid", "USD per year", "savings share paid to providers"),
            Quantity("gross_savings", "USD per year", "payers' cost of the events avoided"),
            Quantity("unverified_savings", "USD per year",
                     "true savings that attribution does not credit to the programme"),
            Quantity("net_savings", "USD per year", "gross_savings minus programme_payments"),
            quantities.budget_impact_quantity(),
            quantities.icer_quantity(
                "net cost per QALY gained by enrollees (NaN with nobody enrolled)"),
            Quantity("contract_payment_max", per_year,
                     "largest contract payment per enrollee-year before payer multipliers"),
            *quantities.slack_quantities(per_year, "contract_payment_max"),
        ]
        if self._v2:  # spend_<payer> is reported already
            rep += common.budget_quantities({}, self._ramp)
        self._declare_reported(rep)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        return {
            **common.priced_rails(self._anchors, "USD per beneficiary-year",
                                  "largest contract payment per enrollee-year", s.creator,
                                  todays_spend=self._today_spend),
            "equity_floor": common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                     "share of eligible beneficiaries",
                                                     "worst setting's share managed"),
            "self_funding": Guardrail(
                "self_funding", "USD per year", max(self._today_spend, 1.0),
                "programme payments <= gross savings on avoided events"),
        }

    @property
    def todays_spend_by_payer(self) -> dict[str, float]:
        """Each payer's part of today's spend, ``sum_g w_gj n_g c_g mu_j v_c`` (USD per year)."""
        per = (self._seg.nc[:, None] * self._w).sum(axis=0) * self._mu_j * self._vc
        return {j: float(v) for j, v in zip(self.payer_names, per, strict=True)}

    @property
    def base_factor(self) -> float:
        """``(1 + lambda (D - 1)) / D``: mean base per beneficiary-year as a share of ``p``."""
        return self._base_factor

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> ValueBasedProblem:
        s = self.spec
        new = common.decisions_with_bounds(s.decisions, changes)
        return ValueBasedProblem(s.replace(decisions=new))

    # ------------------------------------------------------------- evaluation
    def _payments(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """The per-setting terms of candidates ``X``: mean base ``base`` (N, 1), share
        earned ``earned`` (N, G), shared savings ``shared_g`` (N, G) and by payer
        ``shared_gj`` (N, G, J; None under the v1 rule), payment ``pay`` (N, G), margin
        ``pi``, adoption ``A``, adopters' cost ``cost``, enrolled ``U`` and managed as
        today ``H`` (USD per enrollee-year, shares, beneficiaries per year)."""
        seg = self._seg
        base = X[:, 0:1] * self._base_factor  # (N, 1) mean base per enrollee-year
        omega = X[:, 1:2]
        sigma = X[:, 2:3]
        f = X[:, 3:4]
        earned = 1.0 - omega + omega * self._tau  # (N, G) share of the base paid
        base_g = base * earned * self._mu  # (N, G) all payers
        shared_gj = None
        if self._ss is None:
            shared_g = sigma * self._credited_g  # (N, G)
        else:
            ss = self._ss
            shared_gj = shared_savings_payment(
                self._credited_gj[None, :, :], self._bench_gj[None, :, :], sigma[:, :, None],
                ss.minimum_savings_rate, ss.cap, ss.downside_rate)  # (N, G, J)
            shared_g = (self._w * shared_gj).sum(axis=2)
        pay = base_g + self._addon + shared_g  # (N, G) USD per enrollee-year
        pi = pay - f - seg.k
        A, cost = self._curve(seg.q * pi, seg.kbar)
        return {"base": base, "earned": earned, "shared_g": shared_g, "pay": pay, "pi": pi,
                "A": A, "cost": cost, "U": seg.nu * A, "H": seg.nc * (1.0 - A),
                **({} if shared_gj is None else {"shared_gj": shared_gj})}

    def _spend_by_payer(self, X: np.ndarray, t: Mapping[str, np.ndarray]
                        ) -> dict[str, np.ndarray]:
        """Payer -> ``(N,)`` net annual spend (USD per year): its share of each setting's
        programme payments minus the gross savings, plus today's care management of the
        beneficiaries not enrolled."""
        sigma = X[:, 2:3]
        U, H = t["U"], t["H"]
        earned_j = t["base"][:, :, None] * t["earned"][:, :, None] * self._mu_j  # (N, G, J)
        pay_j = earned_j + self._addon[:, None] + (
            sigma[:, :, None] * self._alpha_j * self._s_gj if "shared_gj" not in t
            else t["shared_gj"])
        net_j = U[:, :, None] * self._w * (pay_j - self._s_gj) \
            + H[:, :, None] * self._w * self._mu_j * self._vc
        return {j: net_j[:, :, i].sum(axis=1) for i, j in enumerate(self.payer_names)}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` by payer and year over the creator's horizon,
        on the problem's adoption ramp (USD per year; see :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        bi, _ = common.budget_report(self._spend_by_payer(X, self._payments(X)),
                                     self.todays_spend_by_payer, self._ramp,
                                     self.spec.creator.discount_rate)
        return bi

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        """All candidates at once: settings on axis 1, payers on axis 2 (USD, shares)."""
        s = self.spec
        seg = self._seg
        terms = self._payments(X)
        base, earned, shared_g = terms["base"], terms["earned"], terms["shared_g"]
        omega = X[:, 1:2]
        f = X[:, 3:4]
        pay, pi, A, cost = terms["pay"], terms["pi"], terms["A"], terms["cost"]
        U, H = terms["U"], terms["H"]
        programme = (U * pay).sum(axis=1)
        gross = (U * self._s_g).sum(axis=1)
        comparator = (H * self._mu * self._vc).sum(axis=1)
        payer_spend = programme - gross + comparator
        uses = U.sum(axis=1)
        cr = s.creator
        if self._v2:  # the creator's margin follows the adoption ramp
            creator_npv = creator_npv_on_ramp((f[:, 0] - cr.marginal_cost) * uses,
                                              cr.annual_fixed_cost, cr.upfront_investment,
                                              self._ramp, cr.discount_rate)
        else:
            creator_npv = quantities.creator_npv(self._ann, cr, f[:, 0], uses)
        objectives, coverage = seg.objectives(U, H, pi, cost, payer_spend, creator_npv)
        equity = objectives["equity"]
        contract = (base * earned + self._addon + shared_g).max(axis=1)
        av = self._anchors.values()
        gr = s.guardrails
        cons = common.rail_values((r.name for r in self._guardrails), common.RailInputs(
            anchors=av, price=contract, fee=f[:, 0], payer_spend=payer_spend,
            creator_npv=creator_npv, equity=equity, todays_spend=self._today_spend,
            min_coverage=gr.equity_floor.min_coverage),
            own={"self_funding": programme - gross})
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = A[:, j]
                reported[f"payment_{g}"] = pay[:, j]
            # per payer: the same sums with one payer's share of each setting
            by_payer = self._spend_by_payer(X, terms)
            for j in self.payer_names:
                reported[f"spend_{j}"] = by_payer[j]
            for i, o in enumerate(s.outcomes):
                reported[f"avoided_{o.name}"] = (U * self._avoided[:, i]).sum(axis=1)
            reported["enrolled"] = uses
            reported["programme_payments"] = programme
            reported["withhold_forfeited"] = (U * base * omega * (1.0 - self._tau)
                                              * self._mu).sum(axis=1)
            reported["shared_savings_paid"] = (U * shared_g).sum(axis=1)
            reported["gross_savings"] = gross
            credited = self._credited_g if self._ss is None \
                else (self._w * self._credited_gj).sum(axis=1)
            reported["unverified_savings"] = (U * (self._s_g - credited)).sum(axis=1)
            reported["net_savings"] = gross - programme
            reported.update(quantities.value_report(payer_spend, self._today_spend, uses, s.value))
            reported["contract_payment_max"] = contract
            reported.update(quantities.anchor_slacks(av, contract, f[:, 0]))
            if self._v2:
                _, cols = common.budget_report(by_payer, self.todays_spend_by_payer,
                                               self._ramp, cr.discount_rate,
                                               spend_columns=False)
                reported.update(cols)
        return Evaluation(objectives, cons, reported)
