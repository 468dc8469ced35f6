"""Autonomy tiers: payment scaled by the level of AI involvement.

CPT Appendix S (seed 003) classifies AI-enabled services as *assistive* (the machine
detects clinically relevant data, the physician interprets), *augmentative* (the machine
analyses and quantifies, the physician interprets) or *autonomous* (the machine interprets
and reaches a clinically meaningful conclusion itself). Seed 000 proposes paying along that
scale: more for more AI involvement, while the physician's work, and the payment for it,
shrinks as autonomy grows.

Tiers ``t`` (assistive, augmentative, autonomous) have physician work ``w_t`` (share of the
human service's physician work still done per AI use; non-increasing with autonomy), an
extra fixed cost per site ``dK_t`` and an extra creator cost per use ``e_t``. The payer
pays, per AI use at tier ``t`` in setting ``g``,

::

    pay_gt = mu_g (p_t + w_t v_c) + a_g                    (USD per use)

the AI tier price ``p_t`` plus the physician's remaining work at today's payment ``v_c``
for the whole human service. Each site chooses the tier that earns it most::

    margin per use    pi_gt = pay_gt - f - k_g - w_t k_phys        (USD per use)
    tier margin       M_gt  = q_g pi_gt - dK_t                     (USD per site-year)
    chosen tier       t*_g  = argmax_t M_gt  (ties: the less autonomous tier)
    adoption          A_g, C_g = curve(M_gt*, Kbar_g)              (share, USD per site-year)
    AI uses           U_g = n_g u_g A_g;  human services H_g = n_g c_g (1 - A_g)
    payer_spend       = sum_g U_g pay_gt* + H_g mu_g v_c                    (USD/year, min)
    creator_npv       = annuity(T, r) (sum_g (f - m - e_t*) U_g - O) - F    (USD, max)
    access            = sum_g e_g (U_g + H_g) / sum_g e_g n_g               (share, max)
    provider_margin   = sum_g U_g pi_gt* - S_g (C_g + A_g dK_t*)            (USD/year, max)
    equity            = min_g (U_g + H_g) / n_g                             (share, max)

Site fixed costs ``K`` are common to the tiers, so every adopting site of a setting picks
the same tier. The physician's payment share at tier ``t`` is ``w_t v_c / (p_t + w_t v_c)``.

A ``[ramp]`` table (model v2) spreads adoption over the first years: the creator's NPV
follows it, and each point reports ``spend_<payer>`` for each payer and the fund,
``budget_impact_year<t>`` and ``budget_impact_discounted``; ``budget_impact(X)`` gives
them by payer and year (``docs/model.md``, "Budget impact and the ramp").

A ``[pathway]`` table (model v2, :mod:`paretoprice.optim.pathway`) adds the clinical
pathway after the exam. Its ``ai`` arm is the AI exam at every tier unless
``[pathway.tiers.<tier>]`` changes that tier's accuracy or follow-up (an assistive or
augmentative read has a physician in the loop, so its sensitivity, specificity or
follow-up completion may differ); an AI use at the tier ``t*_g`` a setting chooses takes
that tier's arm. ``payer_spend`` and today's spend add the downstream cost of both arms,
``health_gain`` (QALYs per year, max) becomes an objective, every point reports the
incremental cost and QALYs against the status quo, the ICER with its label and the NMB
(as in ``ffs``), ``spend_<payer>`` includes each payer's share of the downstream care,
and the cost-effective anchor is the pathway's: the largest Medicare payment per AI use
(``p_t + w_t v_c``) with NMB = 0 against the status quo, the smallest over the tiers (the
caps bound the largest payment at any tier, so the anchor is the one every tier meets).
Without a pathway and a ramp the family evaluates as before, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import BudgetImpact, is_immediate
from paretoprice.optim.budget import creator_npv as creator_npv_on_ramp
from paretoprice.optim.families import common
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    CostEffectivePrice,
    Outcomes,
    Pathway,
    PathwayArmOverride,
    PathwayArrays,
    PathwayEvaluator,
    cost_effective_payment,
    reported_pathway_quantities,
    require_sources,
    segments_losing_access,
    with_pathway_anchor,
)
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity

TIER_NAMES: tuple[str, ...] = ("assistive", "augmentative", "autonomous")
"""The three Appendix S tiers, from least to most autonomous."""

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "total annual payments by all payers for AI-enabled services (tier price plus "
             "the physician's remaining work) and the human service they substitute, plus "
             "fund add-ons (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's net present value over the horizon (maximized)"),
    Quantity("access", "share of at-risk patients",
             "equity-weighted share of at-risk patients served by AI or human service "
             "(maximized)"),
    Quantity("provider_margin", "USD per year",
             "providers' (sites' and physicians') annual margin after fee, per-use, physician "
             "and fixed adoption costs (maximized)"),
    Quantity("equity", "share of at-risk patients",
             "coverage of the worst-served segment (maximized when chosen)"),
)


class Tier(spec.Frozen):
    """One level of AI involvement.

    Attributes
    ----------
    physician_work
        ``w_t``: share of the human service's physician work still done per AI use
        (share; 1 = as much as without the AI, 0 = none).
    extra_fixed_cost_per_site
        ``dK_t``: fixed cost a site bears on top of ``Kbar_g`` to offer this tier (USD per
        site per year), e.g. an operator-free camera for autonomous use.
    extra_creator_cost
        ``e_t``: creator's cost per use on top of its marginal cost ``m`` at this tier (USD
        per use), e.g. the liability an autonomous AI's creator assumes.
    """

    physician_work: float = Field(ge=0, le=1)
    extra_fixed_cost_per_site: float = Field(default=0.0, ge=0)
    extra_creator_cost: float = Field(default=0.0, ge=0)


class Tiers(spec.Frozen):
    """The three tiers and the cost of physician work.

    Attributes
    ----------
    assistive, augmentative, autonomous
        The tiers; physician work must not grow with autonomy.
    physician_cost_per_use
        ``k_phys``: provider's cost of the physician work of one human service (USD per
        use); a tier with work ``w_t`` costs ``w_t k_phys`` per use.
    """

    assistive: Tier
    augmentative: Tier
    autonomous: Tier
    physician_cost_per_use: float = Field(ge=0)

    @model_validator(mode="after")
    def _work_shrinks(self) -> Tiers:
        w = [getattr(self, t).physician_work for t in TIER_NAMES]
        if not (w[0] >= w[1] >= w[2]):
            raise ValueError(
                f"physician work must not grow with autonomy (assistive >= augmentative >= "
                f"autonomous), got {w[0]:g}, {w[1]:g}, {w[2]:g}; reorder or correct the "
                "tiers' physician_work"
            )
        return self


class TierPathway(Pathway):
    """A :class:`~paretoprice.optim.pathway.Pathway` whose AI arm may differ by tier.

    Attributes
    ----------
    tiers
        Tier name -> changes to the ``ai`` arm at that tier (fields left out keep the
        ``ai`` arm's values; a segment's own ``ai`` override applies on top, at every
        tier). An assistive or augmentative read involves a physician, so its accuracy and
        follow-up may differ from the autonomous exam's.
    """

    tiers: dict[Literal["assistive", "augmentative", "autonomous"], PathwayArmOverride] = \
        Field(default_factory=dict)

    def tier_arrays(self, names: tuple[str, ...]) -> tuple[PathwayArrays, ...]:
        """The pathway resolved per segment at each tier, in :data:`TIER_NAMES` order."""
        out = []
        for t in TIER_NAMES:
            ov = self.tiers.get(t)
            base = self
            if ov is not None:
                changes = {k: v for k, v in ov.model_dump().items() if v is not None}
                base = self.model_copy(update={"ai": self.ai.model_copy(update=changes)})
            out.append(base.arrays(names))
        return tuple(out)


class TierDecisions(spec.Frozen):
    """Decision variables (USD per use): the three tier prices, the creator's fee, add-ons.

    ``p_assistive``, ``p_augmentative``, ``p_autonomous``: the payer's AI price per use at each
    tier (on top of the physician's remaining work); ``f``: creator fee per use; ``addon``:
    incentive-fund add-on per use, the same bounds for every segment unless
    ``addons.<segment>`` overrides them.
    """

    p_assistive: spec.Bounds
    p_augmentative: spec.Bounds
    p_autonomous: spec.Bounds
    f: spec.Bounds
    addon: spec.Bounds = spec.Bounds(lower=0.0, upper=0.0)
    addons: dict[str, spec.Bounds] = Field(default_factory=dict)


class TierGuardrails(spec.Guardrails):
    """The fee-for-service guardrails plus ``tier_monotonicity``.

    ``tier_monotonicity``: ``p_assistive <= p_augmentative <= p_autonomous``. The caps
    (``cap_substitution``, ...) bound the largest payment per AI use at any tier,
    ``p_t + w_t v_c`` (Medicare rate).
    """

    tier_monotonicity: spec.Toggle = spec.Toggle()


class AutonomyTiersSpec(spec.ProblemSpecBase):
    """One AI-enabled service paid by autonomy tier (see the module docstring)."""

    family: Literal["autonomy_tiers"] = "autonomy_tiers"
    service: spec.Service
    payers: tuple[spec.Payer, ...] = Field(min_length=1)
    segments: tuple[spec.Segment, ...] = Field(min_length=1)
    tiers: Tiers
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    decisions: TierDecisions
    guardrails: TierGuardrails = TierGuardrails()
    ramp: spec.Ramp = spec.Ramp()
    pathway: TierPathway | None = None

    @model_validator(mode="after")
    def _cross_checks(self) -> AutonomyTiersSpec:
        spec.check_payers_and_segments(self.payers, self.segments)
        spec.check_addon_segments(self.decisions.addons, self.segments)
        if self.pathway is not None:
            self.pathway.check_segments([g.name for g in self.segments])
        return self


class AutonomyTiersProblem(PricingProblem[AutonomyTiersSpec]):
    """The autonomy-tier model (see module docstring) built from an :class:`AutonomyTiersSpec`.

    Decisions (USD per use): ``p_assistive``, ``p_augmentative``, ``p_autonomous``, ``f``,
    then ``a_<segment>`` per segment.
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        self._seg = seg = common.segment_arrays(s.segments)
        self._mix = common.payer_mix(s.segments, s.payers)
        self.segment_names = seg.names
        tiers = [getattr(s.tiers, t) for t in TIER_NAMES]
        self._work = np.array([t.physician_work for t in tiers])  # (3,)
        self._dK = np.array([t.extra_fixed_cost_per_site for t in tiers])
        self._extra = np.array([t.extra_creator_cost for t in tiers])
        self._kphys = s.tiers.physician_cost_per_use
        self._vc = s.service.comparator_payment
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._ramp = common.ramp_of(s)
        self._v2 = not is_immediate(self._ramp) or s.pathway is not None
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc * self._mix.mu * self._vc))
        self._compliance = seg.compliance
        self._anchors = common.service_anchors(self._vc, self._compliance, s.creator, s.value)
        self._pathway: PathwayEvaluator | None = None
        self._tier_arrays: tuple[PathwayArrays, ...] = ()
        if s.pathway is not None:
            self._setup_pathway(s.pathway)
        d = s.decisions
        self._decisions = (
            *(Quantity(f"p_{t}", "USD per use",
                       f"payer's AI price per use at the {t} tier, on top of the physician's "
                       "remaining work") for t in TIER_NAMES),
            Quantity("f", "USD per use", "creator's fee per AI use, paid by the provider"),
            *(Quantity(f"a_{g}", "USD per use", f"incentive-fund add-on per AI use in {g}")
              for g in self.segment_names),
        )
        self._bounds = (d.p_assistive, d.p_augmentative, d.p_autonomous, d.f,
                        *tuple(d.addons.get(g, d.addon) for g in self.segment_names))
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        if self._pathway is not None:
            self._objective_info["health_gain"] = Quantity(*HEALTH_GAIN)
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep += [
                Quantity(f"coverage_{g}", "share of at-risk patients",
                         f"share of segment {g}'s at-risk patients served"),
                Quantity(f"adoption_{g}", "share of sites",
                         f"share of segment {g}'s sites offering the AI service"),
                Quantity(f"tier_{g}", "level",
                         f"autonomy level segment {g}'s sites choose (0 none adopt, 1 "
                         "assistive, 2 augmentative, 3 autonomous)"),
            ]
        for t in TIER_NAMES:
            rep += [
                Quantity(f"ai_uses_{t}", "uses per year", f"AI uses at the {t} tier"),
                Quantity(f"physician_share_{t}", "share of payment",
                         f"physician's share of the Medicare payment per use at the {t} "
                         "tier, w v_c / (p + w v_c) (NaN when nothing is paid)"),
            ]
        rep += [
            Quantity("ai_uses", "uses per year", "AI uses a year, all segments"),
            Quantity("human_uses", "patients per year", "human-performed services a year"),
            Quantity("patients_served", "patients per year", "patients served by either"),
            Quantity("physician_payments", "USD per year",
                     "payments for physician work: remaining work on AI uses plus human "
                     "services"),
            Quantity("mean_physician_work", "share of human work",
                     "physician work per AI use, averaged over AI uses (NaN with none)"),
            Quantity("medicare_spend", "USD per year", "Medicare's share of payer_spend"),
            Quantity("fund_spend", "USD per year", "incentive-fund add-on payments"),
            quantities.budget_impact_quantity(),
            quantities.icer_quantity(),
            *quantities.slack_quantities("USD per use", "largest payment per AI use",
                              substitution_price="largest payment per AI use at any tier"),
            Quantity("slack_tier_monotonicity", "USD per use",
                     "min(p_augmentative - p_assistive, p_autonomous - p_augmentative) (>= 0: "
                     "prices rise with autonomy)"),
            quantities.tco_at_volume_quantity(),
        ]
        if self._pathway is not None:
            rep = [q for q in rep if q.name != "icer"]
            rep += [Quantity(*row) for row in
                    reported_pathway_quantities("USD", s.value.wtp_per_qaly)]
        if self._v2:
            what = ("payments for AI uses and human services" if self._pathway is None else
                    "payments for AI uses, human services and the downstream pathway")
            rep += common.budget_quantities(
                {**{j.name: f"{j.name}'s {what}" for j in s.payers},
                 "fund": "incentive-fund add-on payments"}, self._ramp)
        self._declare_reported(rep)

    def _setup_pathway(self, pathway: TierPathway) -> None:
        """Bind the pathway: per-tier AI arms, the status quo, today's spend with the
        comparator's downstream cost, and the pathway's cost-effective anchor."""
        s, seg, mu = self.spec, self._seg, self._mix.mu
        require_sources(pathway, s.sources, owner=f"problem '{s.name}'")
        segments_losing_access(seg.names, seg.c, seg.u)
        lam = s.value.wtp_per_qaly
        self._tier_arrays = pathway.tier_arrays(seg.names)
        pw = self._pathway = PathwayEvaluator.build(pathway, seg.names, wtp=lam, mu=mu,
                                                    today_exams=seg.nc)
        self._today_spend += pw.today_cost
        ces: list[CostEffectivePrice] = [cost_effective_payment(
            arr, lam, population=seg.n, compliance=seg.c, uptake=seg.u,
            comparator_payment=mu * self._vc, mu=mu, rate_multiple=mu)
            for arr in self._tier_arrays]
        prices = np.array([c.price for c in ces])
        self._tier_ce = prices
        low = int(np.nanargmin(prices)) if np.isfinite(prices).any() else 0
        self._anchors = with_pathway_anchor(self._anchors, ces[low], lam)

    def _tier_per_exam(self, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                      np.ndarray, np.ndarray]:
        """Downstream cost (USD) and QALYs per exam: AI arm by tier ``(3, G)`` each, then
        the comparator ``(G,)`` each, at payer multipliers ``mu`` (``(G,)``)."""
        ai = [arr.per_exam(arr.ai, mu) for arr in self._tier_arrays]
        arr0 = self._tier_arrays[0]
        cmp = arr0.per_exam(arr0.cmp, mu)
        return (np.stack([a.cost for a in ai]), np.stack([a.qaly for a in ai]),
                cmp.cost, cmp.qaly)

    def _outcomes(self, U: np.ndarray, H: np.ndarray, best: np.ndarray) -> Outcomes:
        """Downstream cost and health gain of ``U`` AI uses at the chosen tiers ``best`` and
        ``H`` human services, ``(N, G)`` each (USD and QALYs per year)."""
        ca, qa, cc, qc = self._tier_per_exam(self._mix.mu)
        g = np.arange(U.shape[1])
        return Outcomes(cost_ai=U * ca[best, g], cost_cmp=H * cc,
                        qaly_ai=U * qa[best, g], qaly_cmp=H * qc)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        usd = "USD per use"
        return {
            **common.priced_rails(self._anchors, usd, "largest payment per AI use (p_t + w_t v_c)",
                                  s.creator, todays_spend=self._today_spend, today_symbol="e_c"),
            **common.segment_fund_rails(gr),
            "tier_monotonicity": Guardrail(
                "tier_monotonicity", usd, max(self._vc, 1.0),
                "p_assistive <= p_augmentative <= p_autonomous"),
        }

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> AutonomyTiersProblem:
        return common.with_addon_bounds(self, changes)

    # ------------------------------------------------------------- evaluation
    def _choices(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """Each site's tier choice for candidates ``X``: Medicare rate by tier ``rate``
        (N, 3), chosen tier ``best`` (N, G), its margin ``pi_best`` and payment
        ``pay_best`` per use (USD), adoption ``A``, adopters' cost ``cost``, AI uses ``U``
        and human services ``H`` (per year)."""
        P = X[:, 0:3]  # (N, 3) tier prices
        f = X[:, 3:4]  # (N, 1)
        a = X[:, 4:]  # (N, G)
        seg, mix = self._seg, self._mix
        work = self._work
        rate = P + work * self._vc  # (N, 3) Medicare payment per use by tier
        pay = mix.mu[None, :, None] * rate[:, None, :] + a[:, :, None]  # (N, G, 3)
        pi = pay - f[:, :, None] - seg.k[None, :, None] - work * self._kphys
        M = seg.q[None, :, None] * pi - self._dK  # annual margin per site by tier
        best = np.argmax(M, axis=2)  # (N, G) chosen tier; ties -> less autonomous
        pick = best[:, :, None]
        M_best = np.take_along_axis(M, pick, axis=2)[:, :, 0]
        pi_best = np.take_along_axis(pi, pick, axis=2)[:, :, 0]
        pay_best = np.take_along_axis(pay, pick, axis=2)[:, :, 0]
        A, cost = self._curve(M_best, seg.kbar)
        return {"rate": rate, "best": best, "pi_best": pi_best, "pay_best": pay_best,
                "A": A, "cost": cost, "U": seg.nu * A, "H": seg.nc * (1.0 - A)}

    def _spend_by_payer(self, U: np.ndarray, H: np.ndarray, rate_best: np.ndarray,
                        fund: np.ndarray, best: np.ndarray | None = None
                        ) -> dict[str, np.ndarray]:
        """Payer -> ``(N,)`` annual spend (USD per year): AI uses at its multiple of the
        chosen tier's Medicare rate and human services at its multiple of ``v_c``, for its
        share of each setting, plus (with a pathway) its share of both arms' downstream
        cost, fee-schedule items at its own multiplier (AI uses at tiers ``best``);
        ``fund`` holds the add-ons."""
        s = self.spec
        out: dict[str, np.ndarray] = {}
        g = np.arange(U.shape[1])
        for j in s.payers:
            w = np.array([seg.payer_mix.get(j.name, 0.0) for seg in s.segments])
            out[j.name] = j.rate_multiplier * ((U * w * rate_best).sum(axis=1)
                                               + (H * w).sum(axis=1) * self._vc)
            if self._pathway is not None:
                ca, _, cc, _ = self._tier_per_exam(np.full(len(w), j.rate_multiplier))
                pick = ca[best, g] if best is not None else ca[0][None, :]
                out[j.name] = out[j.name] + (U * w * pick).sum(axis=1) \
                    + (H * w * cc).sum(axis=1)
        out["fund"] = np.asarray(fund, dtype=float)
        return out

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today: human services (and their pathway) only (USD per year)."""
        seg = self._seg
        zero = np.zeros((1, len(seg.names)))
        today = self._spend_by_payer(zero, seg.nc[None, :], zero, np.zeros(1))
        return {j: float(v[0]) for j, v in today.items()}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` by payer and year over the creator's horizon,
        on the problem's adoption ramp (USD per year; see :mod:`paretoprice.optim.budget`).
        Payers are the problem's payers plus ``fund`` (the add-ons)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        c = self._choices(X)
        rate_best = np.take_along_axis(c["rate"], c["best"], axis=1)
        by_payer = self._spend_by_payer(c["U"], c["H"], rate_best,
                                        (c["U"] * X[:, 4:]).sum(axis=1), c["best"])
        bi, _ = common.budget_report(by_payer, self._todays_spend_by_payer(), self._ramp,
                                     self.spec.creator.discount_rate)
        return bi

    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        s = self.spec
        P = X[:, 0:3]  # (N, 3) tier prices
        f = X[:, 3:4]  # (N, 1)
        a = X[:, 4:]  # (N, G)
        seg, mix = self._seg, self._mix
        work = self._work
        c = self._choices(X)
        rate, best, pi_best, pay_best = c["rate"], c["best"], c["pi_best"], c["pay_best"]
        A, cost, U, H = c["A"], c["cost"], c["U"], c["H"]
        uses = U.sum(axis=1)
        cr = s.creator
        payer_spend = (U * pay_best).sum(axis=1) + (H * (mix.mu * self._vc)).sum(axis=1)
        outcomes = None
        if self._pathway is not None:
            outcomes = self._outcomes(U, H, best)
            payer_spend = payer_spend + outcomes.cost
        creator_margin = (U * (f - cr.marginal_cost - self._extra[best])).sum(axis=1)
        if self._v2:  # the creator's margin follows the adoption ramp
            creator_npv = creator_npv_on_ramp(creator_margin, cr.annual_fixed_cost,
                                              cr.upfront_investment, self._ramp,
                                              cr.discount_rate)
        else:
            creator_npv = self._ann * (creator_margin - cr.annual_fixed_cost) \
                - cr.upfront_investment
        served = U + H
        access = (served * seg.e).sum(axis=1) / seg.en_total
        fixed = seg.S * (cost + A * self._dK[best])
        provider_margin = (U * pi_best).sum(axis=1) - fixed.sum(axis=1)
        coverage = served / seg.n
        objectives = quantities.core_objectives(payer_spend, creator_npv, access,
                                                provider_margin, coverage)
        if outcomes is not None:
            objectives["health_gain"] = outcomes.qaly
        equity = objectives["equity"]
        av = self._anchors.values()
        top = rate.max(axis=1)
        step_up = np.minimum(P[:, 1] - P[:, 0], P[:, 2] - P[:, 1])
        gr = s.guardrails
        fund = (U * a).sum(axis=1)
        cons = common.rail_values(gr.enabled_names(), common.RailInputs(
            anchors=av, price=top, fee=f[:, 0], payer_spend=payer_spend,
            creator_npv=creator_npv, equity=equity, todays_spend=self._today_spend,
            min_coverage=gr.equity_floor.min_coverage, fund_spend=fund,
            fund_budget=gr.fund_budget.budget), own={"tier_monotonicity": -step_up})
        reported: dict[str, np.ndarray] = {}
        if report:
            level = np.where(A > 0, best + 1, 0).astype(float)
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = A[:, j]
                reported[f"tier_{g}"] = level[:, j]
            phys = work * self._vc
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(rate > 0, phys / np.where(rate > 0, rate, 1.0), np.nan)
            for i, t in enumerate(TIER_NAMES):
                reported[f"ai_uses_{t}"] = (U * (best == i)).sum(axis=1)
                reported[f"physician_share_{t}"] = share[:, i]
            human = H.sum(axis=1)
            w_best = work[best]  # (N, G) physician work of the chosen tier
            reported["ai_uses"] = uses
            reported["human_uses"] = human
            reported["patients_served"] = uses + human
            reported["physician_payments"] = (mix.mu * self._vc * (U * w_best + H)).sum(axis=1)
            reported["mean_physician_work"] = quantities.ratio_or_nan(
                (U * w_best).sum(axis=1), uses)
            rate_best = np.take_along_axis(rate, best, axis=1)  # (N, G) Medicare rate
            reported["medicare_spend"] = mix.mu_medicare * (
                (U * mix.w_medicare * rate_best).sum(axis=1)
                + (H * mix.w_medicare).sum(axis=1) * self._vc)
            reported["fund_spend"] = fund
            reported.update(quantities.value_report(payer_spend, self._today_spend,
                                                    uses + human - float(seg.nc.sum()), s.value))
            reported.update(quantities.anchor_slacks(av, top, f[:, 0]))
            reported["slack_tier_monotonicity"] = step_up
            reported["tco_at_volume"] = quantities.tco_at_volume(cr, uses)
            if outcomes is not None and self._pathway is not None:
                reported.update(self._pathway.report(outcomes, payer_spend,
                                                     self._today_spend))
            if self._v2:
                by_payer = self._spend_by_payer(U, H, rate_best, fund, best)
                if self._pathway is not None and "medicare" in by_payer:
                    reported["medicare_spend"] = by_payer["medicare"]
                _, cols = common.budget_report(by_payer, self._todays_spend_by_payer(),
                                               self._ramp, cr.discount_rate)
                reported.update(cols)
        return Evaluation(objectives, cons, reported)
