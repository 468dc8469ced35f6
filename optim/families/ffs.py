"""Fee-for-service, one AI service paid per use: the reference model v1.

Segments ``g`` (settings of care) with ``n_g`` at-risk patients a year, compliance
``c_g`` today, uptake ceiling ``u_g``, provider cost per use ``k_g``, ``S_g`` sites of
mean annualized fixed cost ``Kbar_g``, payer-mix rate multiplier ``mu_g``, equity weight
``e_g``, and a site-of-service multiplier ``s_g`` of the AI rate (1 unless the setting's
payment system pays another level, e.g. hospital outpatient vs physician office).
Decisions (USD per use): ``p`` the payer's (Medicare) rate, ``f`` the creator's fee,
``a_g`` an add-on per use from an incentive fund.

::

    margin per use   pi_g = s_g mu_g p + a_g - f - k_g                 (USD per use)
    uses per site    q_g  = n_g u_g / S_g                              (uses per site-year)
    adoption         A_g, adopters' cost C_g = curve(q_g pi_g, Kbar_g)  (share, USD/site-year)
    AI uses          U_g  = n_g u_g A_g                                (uses per year)
    human uses       H_g  = n_g c_g (1 - A_g)                          (patients per year)
    payer_spend      = sum_g U_g (s_g mu_g p + a_g) + H_g mu_g v_c     (USD/year, min)
    creator_npv      = annuity(T, r) ((f - m) sum_g U_g - O) - F       (USD, max)
    access           = sum_g e_g (U_g + H_g) / sum_g e_g n_g           (share, max)
    provider_margin  = sum_g U_g pi_g - S_g C_g                        (USD/year, max)
    equity           = min_g (U_g + H_g) / n_g                         (share, max)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.families import common
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "total annual payments by all payers for the AI service and the human service "
             "it substitutes, plus fund add-ons (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's net present value over the horizon (maximized)"),
    Quantity("access", "share of at-risk patients",
             "equity-weighted share of at-risk patients served by AI or human service "
             "(maximized)"),
    Quantity("provider_margin", "USD per year",
             "providers' annual margin on the AI service after fee, per-use and fixed "
             "adoption costs (maximized)"),
    Quantity("equity", "share of at-risk patients",
             "coverage of the worst-served segment (maximized when chosen)"),
)


SEGMENT_QUANTITIES: tuple[tuple[str, str, str], ...] = (
    ("coverage_{g}", "share of at-risk patients", "share of segment {g}'s at-risk patients served"),
    ("adoption_{g}", "share of sites", "share of segment {g}'s sites offering the AI service"),
)
"""Per segment ``g``: coverage and adoption (templates for :func:`per_name`)."""

VOLUME_QUANTITIES: tuple[Quantity, ...] = (
    Quantity("ai_uses", "uses per year", "AI uses a year, all segments"),
    Quantity("human_uses", "patients per year", "human-performed services a year"),
    Quantity("patients_served", "patients per year", "patients served by either"),
)
"""AI uses, human services and patients served a year, all segments."""


class FeeForServiceProblem(PricingProblem[spec.FeeForServiceSpec]):
    """Reference model v1 (see module docstring) built from a :class:`FeeForServiceSpec`.

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("idx-dr")
    >>> round(prob.anchors()["access_maximizing"].value, 2)
    52.5
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        self._seg = seg = common.segment_arrays(s.segments)
        self._mix = common.payer_mix(s.segments, s.payers)
        self.segment_names = seg.names
        self._site = np.array([g.rate_multiplier for g in s.segments])  # AI rate multiple of p
        self._vc = s.service.comparator_payment
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc * self._mix.mu * self._vc))
        self._compliance = seg.compliance
        self._anchors = common.service_anchors(self._vc, self._compliance, s.creator, s.value)
        d = s.decisions
        self._decisions = (
            Quantity("p", "USD per use", "payer (Medicare) rate per AI use"),
            Quantity("f", "USD per use", "creator's fee per AI use, paid by the provider"),
            *(Quantity(f"a_{g}", "USD per use", f"incentive-fund add-on per AI use in {g}")
              for g in self.segment_names),
        )
        self._bounds = (d.p, d.f, *tuple(d.addons.get(g, d.addon) for g in self.segment_names))
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        rep = [
            *quantities.per_name(self.segment_names, *SEGMENT_QUANTITIES),
            *VOLUME_QUANTITIES,
            Quantity("medicare_spend", "USD per year", "Medicare's share of payer_spend"),
            Quantity("fund_spend", "USD per year", "incentive-fund add-on payments"),
            quantities.budget_impact_quantity(),
            quantities.icer_quantity(),
            *quantities.slack_quantities("USD per use", "p",
                                         substitution_note=" (>= 0: under the cap)",
                                         tco_note=" at the stated volume"),
            quantities.tco_at_volume_quantity(),
        ]
        self._declare_reported(rep)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        return {
            **common.priced_rails(self._anchors, "USD per use", "p", s.creator,
                                  todays_spend=self._today_spend, today_symbol="e_c",
                                  tco_volume=s.creator.tco_volume),
            **common.segment_fund_rails(gr),
        }

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> FeeForServiceProblem:
        return common.with_addon_bounds(self, changes)

    # ------------------------------------------------------------- evaluation
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        s = self.spec
        seg, mix = self._seg, self._mix
        p = X[:, 0:1]
        f = X[:, 1:2]
        a = X[:, 2:]
        mu = mix.mu
        pay_per_use = mu * self._site * p + a  # (N, G) USD per use paid by payers + fund
        pi = pay_per_use - f - seg.k  # provider margin per use
        A, cost = self._curve(seg.q * pi, seg.kbar)
        U = seg.nu * A
        H = seg.nc * (1.0 - A)
        uses = U.sum(axis=1)
        payer_spend = (U * pay_per_use).sum(axis=1) + (H * (mu * self._vc)).sum(axis=1)
        creator_npv = quantities.creator_npv(self._ann, s.creator, f[:, 0], uses)
        objectives, coverage = seg.objectives(U, H, pi, cost, payer_spend, creator_npv)
        equity = objectives["equity"]
        av = self._anchors.values()
        gr = s.guardrails
        fund = (U * a).sum(axis=1)
        cons = common.rail_values(gr.enabled_names(), common.RailInputs(
            anchors=av, price=p[:, 0], fee=f[:, 0], payer_spend=payer_spend,
            creator_npv=creator_npv, equity=equity, todays_spend=self._today_spend,
            min_coverage=gr.equity_floor.min_coverage, fund_spend=fund,
            fund_budget=gr.fund_budget.budget))
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = A[:, j]
            human = H.sum(axis=1)
            served_total = uses + human
            reported["ai_uses"] = uses
            reported["human_uses"] = human
            reported["patients_served"] = served_total
            reported["medicare_spend"] = mix.mu_medicare * (
                (U * mix.w_medicare * self._site).sum(axis=1) * p[:, 0]
                + (H * mix.w_medicare).sum(axis=1) * self._vc
            )
            reported["fund_spend"] = fund
            reported.update(quantities.value_report(payer_spend, self._today_spend,
                                                    served_total - float(seg.nc.sum()), s.value))
            reported.update(quantities.anchor_slacks(av, p[:, 0], f[:, 0]))
            reported["tco_at_volume"] = quantities.tco_at_volume(s.creator, uses)
        return Evaluation(objectives, cons, reported)
