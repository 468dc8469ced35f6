"""New Technology Add-on Payment (NTAP): Medicare's inpatient add-on for a new technology.

Under the inpatient prospective payment system a hospital stay is paid one MS-DRG amount
``D`` whatever it costs. For an approved new technology Medicare adds, per case, the
smaller of 65% of the amount by which the case's cost exceeds ``D`` and 65% of the
technology's cost, and nothing when the case does not cost more than ``D`` (the hospital
must show a loss). The add-on lasts at most 3 years (Abramoff et al. 2022, seed 001;
CMS IPPS rule: 75% instead of 65% for qualifying antimicrobials).

Settings of care ``g`` are groups of hospitals with ``n_g`` eligible inpatient cases a year,
of which a share ``c_g`` is served today (e.g. a large-vessel-occlusion stroke detected in
time) and ``u_g`` where the technology is used; ``S_g`` hospitals of mean annualized fixed
adoption cost ``Kbar_g``; per case a DRG payment ``D_g``, a cost ``B_g`` without the
technology, a per-use cost ``k_g`` and another gain ``b_g`` for the hospital (e.g. shorter
stays); Medicare's share of cases ``w_g``. The one decision is ``f``, the technology's price
per case (USD per case, what the hospital pays the creator and what CMS counts as the
technology's cost). The add-on share ``s`` (65%) is statutory: a parameter of the rule
(``[ntap] share``), not a decision.

Medicare also pays an outlier payment on a case whose cost exceeds the DRG payment plus the
add-on plus a fixed-loss threshold ``L`` (``[ntap] outlier_fixed_loss``; none when not
given): ``O(cost, N) = mcf * max(cost - D - N - L, 0)`` with the marginal-cost factor
``mcf`` (80%). The technology raises the case's cost, so it changes outlier payments.

::

    excess per case      E_g  = B_g + k_g + f - D_g                         (USD per case)
    NTAP per case        N_g  = s * min(max(E_g, 0), f)                     (USD per Medicare case)
    outlier change       dO_g = O(B_g + k_g + f, N_g) - O(B_g, 0)   (NTAP years; N_g = 0 after)
    margin per case      pi_g = w_g (N_g + dO_g) + b_g - f - k_g            (USD per case)
    adoption, AI uses, human services as in the fee-for-service model, once with the NTAP
    (years 1..tau, tau = min(NTAP years, T)) and once without (years tau+1..T)
    Medicare's AI-related payments a year  S = sum_g U_g w_g (N_g + dO_g)   (USD per year)
    payer_spend     = (annuity(tau, r) S^ntap + (annuity(T, r) - annuity(tau, r)) S^after)
                      / annuity(T, r)       (discounted average over the horizon, USD/yr, min)
    creator_npv     = annuity(tau, r) ((f - m) U^ntap - O)
                      + (annuity(T, r) - annuity(tau, r)) ((f - m) U^after - O) - F  (USD, max)
    access          = mean over the T years of sum_g e_g (U_g + H_g) / sum_g e_g n_g (max)
    provider_margin = mean over the T years of sum_g U_g pi_g - S_g C_g          (USD/yr, max)
    equity          = min_g (mean over the T years of (U_g + H_g) / n_g)         (max)

Payer spend counts what the technology changes in Medicare's payments (the add-on and the
change in outlier payments); the MS-DRG payments themselves are the same with or without
it and are left out (reported once as ``drg_spend``). Spend and the creator's NPV use the
same discount factors (end-of-year flows at the creator's rate). The creator's NPV counts
the add-on only in the years it is paid: the 3-year limit shortens the horizon over which
the add-on supports adoption.

Model v2 (``docs/model.md``): with a ``[pathway]`` table the cases examined by the
technology (``U``) and by the usual workflow (``H``) go on to the pathway (work-up of each
alert, net treatment cost and QALYs per true positive treated, minutes to treatment saved
by the technology valued in QALYs and cost per minute). ``payer_spend`` adds the
downstream cost of both arms, weighted over the two phases like the add-on (discounted
average), today's spend adds the usual workflow's, ``health_gain`` (QALYs per year,
discounted average over the horizon, max) becomes an objective, each point reports
incremental cost and QALYs, the ICER with its label and the NMB, and the cost-effective
anchor is the largest add-on per Medicare case with NMB = 0. A ``[ramp]`` spreads adoption
over the first years: the creator's NPV and the year-by-year budget impact by payer follow
it. Without a pathway and a ramp the model is v1, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import (
    BudgetImpact,
    Ramp,
    budget_columns,
    creator_npv_by_year,
    is_immediate,
    ramped_budget_impact_by_year,
)
from paretoprice.optim.families import common
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    Outcomes,
    Pathway,
    PathwayEvaluator,
    cost_effective_payment,
    reported_pathway_quantities,
    require_sources,
    segments_losing_access,
    with_pathway_anchor,
)
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity

NTAP_MAX_SHARE = 0.75
"""Highest add-on share the rule allows (65% in general, 75% for qualifying antimicrobials)."""

NTAP_MAX_YEARS = 3
"""The add-on is paid for at most 3 years."""

NTAP_SHARE = 0.65
"""The statutory add-on share (CMS IPPS rule)."""

OUTLIER_MARGINAL_COST_FACTOR = 0.80
"""Share of a case's cost above the outlier threshold Medicare pays (CMS IPPS rule; 90% for
burn cases)."""

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "Medicare's payments the technology changes (the add-on plus the change in "
             "outlier payments), discounted average over the horizon's years at the "
             "creator's rate (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's net present value over the horizon, with the add-on's support "
             "only in the years it is paid (maximized)"),
    Quantity("access", "share of eligible cases",
             "equity-weighted share of eligible cases served, averaged over the horizon's "
             "years (maximized)"),
    Quantity("provider_margin", "USD per year",
             "hospitals' annual margin from the technology (add-on and other gains, minus "
             "price, per-use and fixed adoption costs), averaged over the horizon's years "
             "(maximized)"),
    Quantity("equity", "share of eligible cases",
             "horizon-average coverage of the worst-served setting (maximized when chosen)"),
)


class NtapSegment(spec.Segment):
    """A group of hospitals treating eligible inpatient cases.

    ``population`` counts eligible cases a year (cases per year), ``compliance`` and
    ``uptake`` are shares of those cases, ``provider_cost_per_use`` ``k_g`` is the hospital's
    own cost per case of using the technology (USD per case), ``payer_mix`` gives the
    share of cases by payer (only Medicare's cases get the add-on).

    Attributes
    ----------
    drg_payment
        ``D_g``: Medicare's MS-DRG payment per case (USD per case).
    case_cost
        ``B_g``: the hospital's cost of an eligible case without the technology (USD per
        case); with it the case costs ``B_g + k_g + f``.
    benefit_per_case
        ``b_g``: the hospital's other gain per case where the technology is used (shorter
        stays, cases kept rather than transferred), USD per case; not a payment by Medicare
        for the technology and not part of the case's cost.
    """

    drg_payment: float = Field(gt=0)
    case_cost: float = Field(gt=0)
    benefit_per_case: float = Field(default=0.0, ge=0)


class NtapRule(spec.Frozen):
    """The add-on rule: its duration and share (statutory) and Medicare's outlier rule.

    Attributes
    ----------
    years
        Years after launch in which the add-on is paid (whole years, 0-3; the rule pays
        2 to 3 years depending on when the technology's newness period ends).
    share
        ``s``: the add-on's share of the excess cost and of the technology's cost (share;
        65% by statute, 75% for qualifying antimicrobials; 0 = no add-on). A parameter of
        the rule, not a decision.
    outlier_fixed_loss
        ``L``: the fixed-loss threshold of Medicare's outlier payments (USD per case);
        ``None`` (default) leaves outlier payments out.
    outlier_marginal_cost_factor
        ``mcf``: share of the cost above the outlier threshold Medicare pays (share, 0.80).
    """

    years: int = Field(default=NTAP_MAX_YEARS, ge=0, le=NTAP_MAX_YEARS)
    share: float = Field(default=NTAP_SHARE, ge=0, le=NTAP_MAX_SHARE)
    outlier_fixed_loss: float | None = Field(default=None, ge=0)
    outlier_marginal_cost_factor: float = Field(default=OUTLIER_MARGINAL_COST_FACTOR, ge=0,
                                                le=1)


class NtapDecisions(spec.Frozen):
    """Decision variable of the NTAP model: ``f``, the technology's price per case (USD per
    case). The add-on share is statutory: ``[ntap] share``."""

    f: spec.Bounds

    @model_validator(mode="before")
    @classmethod
    def _share_is_not_a_decision(cls, data: object) -> object:
        if isinstance(data, Mapping) and "s" in data:
            raise ValueError(
                "the add-on share is statutory (65%), not a decision: remove decisions.s and "
                "set [ntap] share = 0.65 (0.75 for qualifying antimicrobials, 0 for no add-on)")
        return data

    @field_validator("f")
    @classmethod
    def _price_not_negative(cls, v: spec.Bounds) -> spec.Bounds:
        if v.lower < 0:
            raise ValueError(f"the technology price cannot be negative, got lower {v.lower}; "
                             "give a lower bound >= 0")
        return v


class NtapGuardrails(spec.GuardrailSet):
    """Guardrails of the NTAP model; each on or off by name (``true`` = ``{enabled = true}``).

    The caps bound the add-on per Medicare case in the setting that gets most; there is no
    ``budget_access_max``: the add-on is new money by design, bound it with ``ntap_budget``.
    """

    cap_substitution: spec.Toggle = spec.Toggle()
    cap_access_maximizing: spec.Toggle = spec.Toggle()
    cap_cost_effective: spec.Toggle = spec.Toggle()
    floor_marginal_cost: spec.Toggle = spec.Toggle()
    floor_total_cost_of_ownership: spec.Toggle = spec.Toggle()
    creator_sustainable: spec.Toggle = spec.Toggle()
    ntap_budget: spec.FundBudget = spec.FundBudget()
    equity_floor: spec.EquityFloor = spec.EquityFloor()


class NtapSpec(spec.ProblemSpecBase):
    """An inpatient technology paid through the MS-DRG plus a time-limited add-on.

    Objectives: ``payer_spend`` (USD per year, minimized), ``creator_npv`` (USD, maximized),
    ``access`` (share of eligible cases, maximized), ``provider_margin`` (USD per year,
    maximized), ``equity`` (worst-setting coverage, maximized); see the module docstring.
    """

    family: Literal["ntap"] = "ntap"
    service: spec.Service
    payers: tuple[spec.Payer, ...] = Field(min_length=1)
    segments: tuple[NtapSegment, ...] = Field(min_length=1)
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    ntap: NtapRule = NtapRule()
    decisions: NtapDecisions
    guardrails: NtapGuardrails = NtapGuardrails()
    pathway: Pathway | None = None
    ramp: Ramp = Ramp()

    @model_validator(mode="after")
    def _cross_checks(self) -> NtapSpec:
        payer_names = [p.name for p in self.payers]
        if len(set(payer_names)) == len(payer_names) and "medicare" not in payer_names:
            raise ValueError(f"the add-on is Medicare's: declare a payer named 'medicare' "
                             f"(declared payers are {payer_names})")
        spec.check_payers_and_segments(self.payers, self.segments)
        if self.pathway is not None:
            self.pathway.check_segments([g.name for g in self.segments])
        return self


class NtapProblem(PricingProblem[NtapSpec]):
    """The NTAP model (see module docstring) built from an :class:`NtapSpec`.

    Decisions: ``f`` technology price (USD per case), ``s`` add-on share (share).
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        segs = s.segments
        self._seg = seg = common.segment_arrays(segs)
        self._mix = mix = common.payer_mix(segs, s.payers)
        self.segment_names = seg.names
        self._D = np.array([g.drg_payment for g in segs])
        self._B = np.array([g.case_cost for g in segs])
        self._b = np.array([g.benefit_per_case for g in segs])
        # today the technology adds nothing to Medicare's payments: the MS-DRG amounts are
        # the same with or without it (reported as drg_spend), so today's spend is 0
        self._drg_spend = float(np.sum(seg.n * mix.mu * self._D))  # USD per year, fixed
        self._today_spend = 0.0
        rule = s.ntap
        self._share = rule.share
        self._fixed_loss = rule.outlier_fixed_loss
        self._mcf = rule.outlier_marginal_cost_factor
        cr = s.creator
        self._T = cr.horizon_years
        self._tau = min(s.ntap.years, self._T)
        self._ann_T = annuity(self._T, cr.discount_rate)
        self._ann_tau = annuity(self._tau, cr.discount_rate) if self._tau >= 1 else 0.0
        self._w1 = self._tau / self._T  # share of the horizon's years with the add-on
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._compliance = seg.compliance
        self._anchors = common.service_anchors(s.service.comparator_payment, self._compliance, cr,
                                               s.value)
        self._ramp = s.ramp.for_years(self._T, owner=f"problem '{s.name}'")
        self._pathway: PathwayEvaluator | None = None
        if s.pathway is not None:
            require_sources(s.pathway, s.sources, owner=f"problem '{s.name}'")
            segments_losing_access(seg.names, seg.c, seg.u)
            wtp = s.value.wtp_per_qaly
            pw = self._pathway = PathwayEvaluator.build(s.pathway, seg.names, wtp=wtp,
                                                        mu=mix.mu, today_exams=seg.nc)
            self._today_spend += pw.today_cost
            # the usual read is paid with or without the technology (no comparator payment
            # in payer spend); the payment per AI case is the add-on, paid on Medicare's cases
            ce = cost_effective_payment(
                pw.arrays, wtp, population=seg.n, compliance=seg.c, uptake=seg.u,
                comparator_payment=np.zeros(len(segs)), mu=mix.mu,
                rate_multiple=mix.w_medicare)
            self._anchors = with_pathway_anchor(self._anchors, ce, wtp, unit="USD per case")
        self._v2 = s.pathway is not None or not is_immediate(self._ramp)
        self._decisions = (
            Quantity("f", "USD per case",
                     "technology price per case, paid by the hospital to the creator; the "
                     "technology cost the add-on is computed on"),
        )
        self._bounds = (s.decisions.f,)
        objective_info = [*OBJECTIVE_INFO]
        if self._pathway is not None:
            objective_info.append(Quantity(
                HEALTH_GAIN[0], HEALTH_GAIN[1],
                HEALTH_GAIN[2] + "; discounted average over the horizon's years, like "
                "payer_spend"))
        self._objective_info = {q.name: q for q in objective_info}
        share = "share of eligible cases"
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep += [
                Quantity(f"ntap_per_case_{g}", "USD per case",
                         f"add-on per Medicare case in {g} while it is paid"),
                Quantity(f"outlier_change_per_case_{g}", "USD per case",
                         f"change in Medicare's outlier payment per case in {g} where the "
                         "technology is used, while the add-on is paid"),
                Quantity(f"coverage_{g}", share, f"horizon-average share of {g}'s cases served"),
                Quantity(f"adoption_{g}_ntap_years", "share of sites",
                         f"share of {g}'s hospitals using the technology while the add-on "
                         "is paid"),
                Quantity(f"adoption_{g}_after", "share of sites",
                         f"share of {g}'s hospitals using it after the add-on ends"),
            ]
        rep += [
            Quantity("ntap_spend", "USD per year", "add-on payments a year while paid"),
            Quantity("outlier_change_ntap_years", "USD per year",
                     "change in Medicare's outlier payments a year while the add-on is paid"),
            Quantity("outlier_change_after", "USD per year",
                     "change in Medicare's outlier payments a year after the add-on ends"),
            Quantity("payer_spend_ntap_years", "USD per year",
                     "Medicare's technology-related payments a year while the add-on is paid"),
            Quantity("payer_spend_after", "USD per year",
                     "Medicare's technology-related payments a year after the add-on ends"),
            Quantity("payer_spend_pv", "USD",
                     "present value over the horizon of Medicare's technology-related "
                     "payments, discounted at the creator's rate like creator_npv"),
            Quantity("payer_spend_undiscounted", "USD per year",
                     "plain mean over the horizon's years of the technology-related payments"),
            Quantity("drg_spend", "USD per year",
                     "payers' MS-DRG payments for the eligible cases (the same with or without "
                     "the technology; not part of payer_spend)"),
            Quantity("provider_margin_ntap_years", "USD per year",
                     "hospitals' margin while the add-on is paid"),
            Quantity("provider_margin_after", "USD per year",
                     "hospitals' margin after the add-on ends"),
            Quantity("ai_uses_ntap_years", "cases per year", "cases using the technology while "
                     "the add-on is paid"),
            Quantity("ai_uses_after", "cases per year", "cases using it after the add-on ends"),
            Quantity("ai_uses", "cases per year", "horizon-average cases using the technology"),
            Quantity("creator_npv_without_ntap", "USD",
                     "creator's NPV if the add-on were never paid (same price)"),
            Quantity("ntap_value_to_creator", "USD",
                     "creator_npv minus creator_npv_without_ntap: what the add-on years add"),
            Quantity("medicare_spend", "USD per year",
                     "Medicare's technology-related payments (all of payer_spend: only "
                     "Medicare pays the add-on and the outliers modelled)"),
            quantities.budget_impact_quantity(
                "payer_spend minus today's technology-related spend (0): the add-on and the "
                "outlier change, discounted average"),
            quantities.icer_quantity(
                "technology-related spend per QALY gained vs today (NaN when no extra case "
                "is served)"),
            *quantities.slack_quantities("USD per case", "largest add-on per case", covers="price"),
            quantities.tco_at_volume_quantity(
                "USD per case",
                "creator's break-even price at the point's own horizon-average volume"),
        ]
        if self._pathway is not None:
            rep += [Quantity(*row) for row in
                    reported_pathway_quantities("USD", s.value.wtp_per_qaly)]
        if self._v2:
            rep += [Quantity(f"spend_{j.name}", "USD per year",
                             f"{j.name}'s technology-related payments (add-on and outlier "
                             "change: Medicare only) and its share of the downstream pathway, "
                             "discounted average over the horizon like payer_spend")
                    for j in s.payers]
            rep += [Quantity(f"budget_impact_year{t + 1}", "USD per year",
                             f"payers' spend minus today's in year {t + 1} "
                             f"({'with' if t < self._tau else 'after'} the add-on; "
                             f"{100 * r:.0f}% of steady-state adoption)")
                    for t, r in enumerate(self._ramp)]
            rep.append(Quantity("budget_impact_discounted", "USD",
                                "budget impact summed over the horizon, discounted at the "
                                "creator's rate"))
        self._declare_reported(rep)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        return {
            **common.priced_rails(self._anchors, "USD per case", "largest add-on per case",
                                  s.creator),
            "ntap_budget": Guardrail(
                "ntap_budget", "USD per year", max(gr.ntap_budget.budget, 1.0),
                f"add-on payments <= {gr.ntap_budget.budget:,.0f} USD a year while paid"),
            "equity_floor": common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                     "share of eligible cases",
                                                     "worst-setting coverage"),
        }

    @property
    def ntap_years(self) -> int:
        """Years of the horizon in which the add-on is paid: ``min(ntap.years, T)``."""
        return self._tau

    @property
    def share(self) -> float:
        """The statutory add-on share ``s`` (share)."""
        return self._share

    def ntap_per_case(self, f: np.ndarray) -> np.ndarray:
        """Add-on per Medicare case, ``s min(max(B + k + f - D, 0), f)`` (USD per case).

        Parameters
        ----------
        f
            Technology price (USD per case), array of shape ``(N, 1)``.

        Returns
        -------
        numpy.ndarray
            ``(N, G)`` add-on per case in each setting, at the statutory share ``s``.
        """
        excess = self._B + self._seg.k + f - self._D
        return self._share * np.minimum(np.maximum(excess, 0.0), f)

    def outlier_change(self, f: np.ndarray, ntap: np.ndarray) -> np.ndarray:
        """Change in Medicare's outlier payment per case where the technology is used.

        ``mcf (max(B + k + f - D - N - L, 0) - max(B - D - L, 0))`` (USD per Medicare case),
        zero when no fixed-loss threshold ``L`` is given.

        Parameters
        ----------
        f
            Technology price (USD per case), ``(N, 1)``.
        ntap
            Add-on per Medicare case ``(N, G)`` in the phase (zeros after it ends).

        Returns
        -------
        numpy.ndarray
            ``(N, G)``.
        """
        if self._fixed_loss is None:
            return np.zeros_like(ntap)
        base = self._D + self._fixed_loss
        with_tech = np.maximum(self._B + self._seg.k + f - base - ntap, 0.0)
        today = np.maximum(self._B - base, 0.0)
        return self._mcf * (with_tech - today)

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> NtapProblem:
        s = self.spec
        new = common.decisions_with_bounds(s.decisions, changes)
        return NtapProblem(s.replace(decisions=new))

    # ------------------------------------------------------------- evaluation
    def _phase(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Adoption, AI uses, human services and provider margin for margins ``pi`` (N, G)."""
        seg = self._seg
        A, cost = self._curve(seg.q * pi, seg.kbar)
        U = seg.nu * A
        H = seg.nc * (1.0 - A)
        margin = (U * pi).sum(axis=1) - (cost * seg.S).sum(axis=1)
        return A, U, H, margin

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        s = self.spec
        seg = self._seg
        cr = s.creator
        f = X[:, 0:1]
        ph = self._phases(f)
        ntap, out1, A1, U1, H1, pm1, A2, U2, H2, pm2 = (
            ph.ntap, ph.out1, ph.A1, ph.U1, ph.H1, ph.pm1, ph.A2, ph.U2, ph.H2, ph.pm2)
        w1, w2 = self._w1, 1.0 - self._w1
        ntap_spend, outlier1, outlier2 = ph.ntap_spend, ph.outlier1, ph.outlier2
        spend1, spend2 = ph.spend1, ph.spend2
        d1, d2 = self._ann_tau, self._ann_T - self._ann_tau  # discount weights of the phases
        spend_pv = d1 * spend1 + d2 * spend2
        payer_spend = spend_pv / self._ann_T
        uses1, uses2 = U1.sum(axis=1), U2.sum(axis=1)
        fm = f[:, 0] - cr.marginal_cost
        if is_immediate(self._ramp):
            creator_npv = (d1 * (fm * uses1 - cr.annual_fixed_cost)
                           + d2 * (fm * uses2 - cr.annual_fixed_cost)
                           - cr.upfront_investment)
        else:
            creator_npv = creator_npv_by_year(self._by_year(fm * uses1, fm * uses2),
                                              cr.annual_fixed_cost, cr.upfront_investment,
                                              self._ramp, cr.discount_rate)
        outcomes: Outcomes | None = None
        if self._pathway is not None:
            outcomes = self._pathway_outcomes(U1, H1, U2, H2)
            payer_spend = payer_spend + outcomes.cost
        coverage = w1 * (U1 + H1) / seg.n + w2 * (U2 + H2) / seg.n
        access = (coverage * seg.n * seg.e).sum(axis=1) / seg.en_total
        provider_margin = w1 * pm1 + w2 * pm2
        objectives = quantities.core_objectives(payer_spend, creator_npv, access,
                                                provider_margin, coverage)
        if outcomes is not None:
            objectives["health_gain"] = outcomes.qaly
        equity = objectives["equity"]
        av = self._anchors.values()
        top = ntap.max(axis=1)  # largest add-on per Medicare case
        gr = s.guardrails
        cons = common.rail_values(gr.enabled_names(), common.RailInputs(
            anchors=av, price=top, fee=f[:, 0], creator_npv=creator_npv, equity=equity,
            min_coverage=gr.equity_floor.min_coverage),
            own={"ntap_budget": ntap_spend - gr.ntap_budget.budget})
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, g in enumerate(self.segment_names):
                reported[f"ntap_per_case_{g}"] = ntap[:, j]
                reported[f"outlier_change_per_case_{g}"] = out1[:, j]
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}_ntap_years"] = A1[:, j]
                reported[f"adoption_{g}_after"] = A2[:, j]
            uses = w1 * uses1 + w2 * uses2
            if is_immediate(self._ramp):
                without = (self._ann_T * (fm * uses2 - cr.annual_fixed_cost)
                           - cr.upfront_investment)
                added = d1 * fm * (uses1 - uses2)  # creator_npv - without, exactly
            else:
                without = creator_npv_by_year(self._by_year(fm * uses2, fm * uses2),
                                              cr.annual_fixed_cost, cr.upfront_investment,
                                              self._ramp, cr.discount_rate)
                added = creator_npv - without
            reported.update({
                "ntap_spend": ntap_spend,
                "outlier_change_ntap_years": outlier1,
                "outlier_change_after": outlier2,
                "payer_spend_ntap_years": spend1,
                "payer_spend_after": spend2,
                "payer_spend_pv": spend_pv,
                "payer_spend_undiscounted": w1 * spend1 + w2 * spend2,
                "drg_spend": np.full_like(spend1, self._drg_spend),
                "provider_margin_ntap_years": pm1,
                "provider_margin_after": pm2,
                "ai_uses_ntap_years": uses1,
                "ai_uses_after": uses2,
                "ai_uses": uses,
                "creator_npv_without_ntap": without,
                "ntap_value_to_creator": added,
            })
            reported["medicare_spend"] = payer_spend
            served = (coverage * seg.n).sum(axis=1)
            reported.update(quantities.value_report(payer_spend, self._today_spend,
                                                    served - float(seg.nc.sum()), s.value))
            reported.update(quantities.anchor_slacks(av, top, f[:, 0]))
            reported["tco_at_volume"] = quantities.tco_at_volume(cr, uses)
            if outcomes is not None and self._pathway is not None:
                reported.update(self._pathway.report(outcomes, payer_spend, self._today_spend))
            if self._v2:
                by_year = self._spend_by_payer_year(ph)
                for j in s.payers:  # discounted average over the horizon, like payer_spend
                    reported[f"spend_{j.name}"] = ((by_year[j.name] * self._disc).sum(axis=1)
                                                   / self._ann_T)
                if self._pathway is not None:
                    reported["medicare_spend"] = reported["spend_medicare"]
                bi = ramped_budget_impact_by_year(by_year, self._todays_spend_by_payer(),
                                                  self._ramp, cr.discount_rate)
                reported.update(budget_columns(bi))
        return Evaluation(objectives, cons, reported)

    # ------------------------------------------------------------- v2 read-outs
    def _phases(self, f: np.ndarray) -> _Phases:
        """Add-on, outlier change, adoption, uses and Medicare's technology-related spend in
        the add-on years (1) and after (2), for prices ``f`` ``(N, 1)`` (USD per case)."""
        seg, w_med = self._seg, self._mix.w_medicare
        ntap = self.ntap_per_case(f)  # (N, G) per Medicare case
        out1 = self.outlier_change(f, ntap)
        out2 = self.outlier_change(f, np.zeros_like(ntap))
        paid1 = w_med * (ntap + out1)  # per average case of the setting
        paid2 = w_med * out2
        base = self._b - f - seg.k
        A1, U1, H1, pm1 = self._phase(base + paid1)
        A2, U2, H2, pm2 = self._phase(base + paid2)
        ntap_spend = (U1 * w_med * ntap).sum(axis=1)
        outlier1 = (U1 * w_med * out1).sum(axis=1)
        outlier2 = (U2 * w_med * out2).sum(axis=1)
        return _Phases(ntap=ntap, out1=out1, A1=A1, U1=U1, H1=H1, pm1=pm1, A2=A2, U2=U2,
                       H2=H2, pm2=pm2, ntap_spend=ntap_spend, outlier1=outlier1,
                       outlier2=outlier2, spend1=ntap_spend + outlier1, spend2=outlier2)

    @property
    def _disc(self) -> np.ndarray:
        """``(T,)`` discount factors of the horizon's years (end-of-year flows)."""
        r = self.spec.creator.discount_rate
        return (1.0 + r) ** -np.arange(1, self._T + 1, dtype=float)

    def _by_year(self, first: np.ndarray, after: np.ndarray) -> np.ndarray:
        """``(N, T)``: ``first`` in the add-on years 1..tau, ``after`` in the later years."""
        years = np.arange(self._T) < self._tau
        return np.where(years[None, :], np.asarray(first)[:, None], np.asarray(after)[:, None])

    def _pathway_outcomes(self, U1: np.ndarray, H1: np.ndarray, U2: np.ndarray,
                          H2: np.ndarray) -> Outcomes:
        """Downstream cost and health gain of both arms, ``(N, G)``, averaged over the two
        phases with the weights of payer_spend (discounted average, money and QALYs a
        year)."""
        assert self._pathway is not None
        k1 = self._ann_tau / self._ann_T
        k2 = (self._ann_T - self._ann_tau) / self._ann_T
        o1 = self._pathway.outcomes(U1, H1)
        o2 = self._pathway.outcomes(U2, H2)
        return Outcomes(cost_ai=k1 * o1.cost_ai + k2 * o2.cost_ai,
                        cost_cmp=k1 * o1.cost_cmp + k2 * o2.cost_cmp,
                        qaly_ai=k1 * o1.qaly_ai + k2 * o2.qaly_ai,
                        qaly_cmp=k1 * o1.qaly_cmp + k2 * o2.qaly_cmp)

    def _spend_by_payer_year(self, ph: _Phases) -> dict[str, np.ndarray]:
        """Payer -> ``(N, T)`` steady-state spend in each year of the horizon (money per
        year): Medicare's add-on and outlier change in its phase, and each payer's share of
        the downstream pathway of that phase's AI and usual-workflow cases."""
        s = self.spec
        out = {j.name: self._by_year(np.zeros(ph.U1.shape[0]), np.zeros(ph.U1.shape[0]))
               for j in s.payers}
        out["medicare"] = out["medicare"] + self._by_year(ph.spend1, ph.spend2)
        if self._pathway is not None:
            arr = self._pathway.arrays
            c1 = common.pathway_cost_by_payer(arr, ph.U1, ph.H1, s.segments, s.payers)
            c2 = common.pathway_cost_by_payer(arr, ph.U2, ph.H2, s.segments, s.payers)
            for j in s.payers:
                out[j.name] = out[j.name] + self._by_year(c1[j.name], c2[j.name])
        return out

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today (money per year): no technology-related payment, each
        payer's share of the usual workflow's downstream pathway."""
        s = self.spec
        today = {j.name: 0.0 for j in s.payers}
        if self._pathway is not None:
            seg = self._seg
            cost = common.pathway_cost_by_payer(self._pathway.arrays,
                                                np.zeros((1, len(seg.names))), seg.nc[None, :],
                                                s.segments, s.payers)
            today = {j: float(v[0]) for j, v in cost.items()}
        return today

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` (``f``, USD per case) by payer and year over
        the creator's horizon, on the problem's ramp (money per year): Medicare's add-on
        and outlier change in the years they are paid, and each payer's share of the
        downstream pathway (see :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        ph = self._phases(X[:, 0:1])
        return ramped_budget_impact_by_year(self._spend_by_payer_year(ph),
                                            self._todays_spend_by_payer(), self._ramp,
                                            self.spec.creator.discount_rate)


@dataclass(frozen=True)
class _Phases:
    """One evaluation's two phases (``1``: add-on years, ``2``: after), arrays ``(N, G)``
    per setting or ``(N,)`` totals (USD per case, shares, cases and USD per year)."""

    ntap: np.ndarray
    out1: np.ndarray
    A1: np.ndarray
    U1: np.ndarray
    H1: np.ndarray
    pm1: np.ndarray
    A2: np.ndarray
    U2: np.ndarray
    H2: np.ndarray
    pm2: np.ndarray
    ntap_spend: np.ndarray
    outlier1: np.ndarray
    outlier2: np.ndarray
    spend1: np.ndarray
    spend2: np.ndarray
