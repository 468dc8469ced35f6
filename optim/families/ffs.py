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

Model v2 (``docs/model.md``): with a ``[pathway]`` table, ``payer_spend`` adds the
downstream cost of both arms (follow-up after a positive, net treatment of true
positives), today's spend adds the comparator's, ``health_gain`` (QALYs per year, max)
becomes an objective, every point reports incremental cost and QALYs against the status
quo, the ICER with its label and the NMB, and the cost-effective anchor is the pathway's
rate with NMB = 0. A ``[ramp]`` table spreads adoption over the first years (creator NPV
and the year-by-year budget impact follow it). ``currency`` names the money unit (USD
by default). Without a pathway and a ramp the model is v1, bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import BudgetImpact, budget_columns, budget_impact, is_immediate
from paretoprice.optim.budget import creator_npv as creator_npv_on_ramp
from paretoprice.optim.families import common
from paretoprice.optim.pathway import (
    HEALTH_GAIN,
    PathwayEvaluator,
    cost_effective_payment,
    reported_pathway_quantities,
    require_sources,
    segments_losing_access,
    with_pathway_anchor,
)
from paretoprice.optim.problem import Evaluation, Guardrail, PricingProblem, Quantity
from paretoprice.optim.rows import row_sum

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
        cur = self._cur = s.currency
        self._seg = seg = common.segment_arrays(s.segments)
        self._mix = common.payer_mix(s.segments, s.payers)
        self.segment_names = seg.names
        self._site = np.array([g.rate_multiplier for g in s.segments])  # AI rate multiple of p
        self._vc = s.service.comparator_payment
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._ramp = s.ramp.for_years(s.creator.horizon_years, owner=f"problem '{s.name}'")
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(seg.nc * self._mix.mu * self._vc))
        self._compliance = seg.compliance
        self._anchors = common.service_anchors(self._vc, self._compliance, s.creator, s.value)
        self._pathway: PathwayEvaluator | None = None
        if s.pathway is not None:
            require_sources(s.pathway, s.sources, owner=f"problem '{s.name}'")
            segments_losing_access(seg.names, seg.c, seg.u)
            pw = self._pathway = PathwayEvaluator.build(
                s.pathway, seg.names, wtp=s.value.wtp_per_qaly, mu=self._mix.mu,
                today_exams=seg.nc)
            self._today_spend += pw.today_cost
            ce = cost_effective_payment(
                pw.arrays, s.value.wtp_per_qaly, population=seg.n, compliance=seg.c,
                uptake=seg.u, comparator_payment=self._mix.mu * self._vc, mu=self._mix.mu,
                rate_multiple=self._mix.mu * self._site)
            self._anchors = with_pathway_anchor(self._anchors, ce, s.value.wtp_per_qaly)
        self._v2 = s.pathway is not None or not is_immediate(self._ramp)
        self._copay = s.patient_copay
        if cur != "USD":
            self._anchors = common.in_currency(self._anchors, cur)
        d = s.decisions
        self._decisions = (
            Quantity("p", f"{cur} per use", "payer (Medicare) rate per AI use"),
            Quantity("f", f"{cur} per use", "creator's fee per AI use, paid by the provider"),
            *(Quantity(f"a_{g}", f"{cur} per use", f"incentive-fund add-on per AI use in {g}")
              for g in self.segment_names),
        )
        self._bounds = (d.p, d.f, *tuple(d.addons.get(g, d.addon) for g in self.segment_names))
        objective_info = [*OBJECTIVE_INFO]
        if self._pathway is not None:
            objective_info.append(Quantity(*HEALTH_GAIN))
        self._objective_info = {q.name: _in(q, cur) for q in objective_info}
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
        n_before = len(rep)
        if self._pathway is not None:
            rep += [Quantity(*row) for row in
                    reported_pathway_quantities("USD", s.value.wtp_per_qaly)]
        self._pathway_names = frozenset(q.name for q in rep[n_before:])
        if self._copay is not None:
            rep += [Quantity("patient_spend", "USD per year",
                             "patients' copayments for AI uses (a share of the payers' rate; "
                             "not payer spend)"),
                    Quantity("uptake_factor", "share",
                             "uptake as a multiple of u_g after the copay's demand response")]
        n_before = len(rep)
        if self._v2:
            rep += [Quantity(f"spend_{j.name}", "USD per year",
                             f"{j.name}'s payments for both exams and the downstream pathway")
                    for j in s.payers]
            rep += common.budget_quantities({}, self._ramp)
        self._v2_names = frozenset(q.name for q in rep[n_before:]) | {"medicare_spend"}
        self._declare_reported(_in(q, cur) for q in rep)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        table = {
            **common.priced_rails(self._anchors, "USD per use", "p", s.creator,
                                  todays_spend=self._today_spend, today_symbol="e_c",
                                  tco_volume=s.creator.tco_volume),
            **common.segment_fund_rails(gr),
        }
        return {k: _rail_in(g, self._cur) for k, g in table.items()}

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> FeeForServiceProblem:
        return common.with_addon_bounds(self, changes)

    # ------------------------------------------------------------- evaluation
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        return self._evaluate_names(X, None if report else frozenset())

    def _evaluate_some(self, X: np.ndarray, names: frozenset[str]) -> Evaluation:
        return self._evaluate_names(X, names)

    def _evaluate_names(self, X: np.ndarray, names: frozenset[str] | None) -> Evaluation:
        """Objectives, guardrails and the reported quantities in ``names`` (``None``: all);
        the blocks behind quantities not asked for are skipped (the PSA asks for two)."""
        s = self.spec
        seg, mix = self._seg, self._mix
        p = X[:, 0:1]
        f = X[:, 1:2]
        a = X[:, 2:]
        mu = mix.mu
        pay_per_use = mu * self._site * p + a  # (N, G) USD per use paid by payers + fund
        pi = pay_per_use - f - seg.k  # provider margin per use
        if self._copay is None:
            A, cost = self._curve(seg.q * pi, seg.kbar)
            U = seg.nu * A
            paid = pay_per_use
        else:  # the patient pays kappa of the payers' rate; uptake falls where p > 0
            m = self._uptake_factor(p)
            A, cost = self._curve(seg.q * m * pi, seg.kbar)
            U = seg.nu * m * A
            paid = pay_per_use - self._copay.share * mu * self._site * p
        H = seg.nc * (1.0 - A)
        uses = row_sum(U)
        payer_spend = row_sum(U * paid) + row_sum(H * (mu * self._vc))
        outcomes = None
        if self._pathway is not None:
            outcomes = self._pathway.outcomes(U, H)
            payer_spend = payer_spend + outcomes.cost
        if is_immediate(self._ramp):
            creator_npv = quantities.creator_npv(self._ann, s.creator, f[:, 0], uses)
        else:
            cr = s.creator
            creator_npv = creator_npv_on_ramp((f[:, 0] - cr.marginal_cost) * uses,
                                              cr.annual_fixed_cost, cr.upfront_investment,
                                              self._ramp, cr.discount_rate)
        objectives, coverage = seg.objectives(U, H, pi, cost, payer_spend, creator_npv)
        if outcomes is not None:
            objectives["health_gain"] = outcomes.qaly
        equity = objectives["equity"]
        av = self._anchors.values()
        gr = s.guardrails
        fund = row_sum(U * a)
        cons = common.rail_values(gr.enabled_names(), common.RailInputs(
            anchors=av, price=p[:, 0], fee=f[:, 0], payer_spend=payer_spend,
            creator_npv=creator_npv, equity=equity, todays_spend=self._today_spend,
            min_coverage=gr.equity_floor.min_coverage, fund_spend=fund,
            fund_budget=gr.fund_budget.budget))
        reported: dict[str, np.ndarray] = {}
        if names is None or names:
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = A[:, j]
            human = row_sum(H)
            served_total = uses + human
            reported["ai_uses"] = uses
            reported["human_uses"] = human
            reported["patients_served"] = served_total
            if names is None or "medicare_spend" in names:
                reported["medicare_spend"] = mix.mu_medicare * (
                    (U * mix.w_medicare * self._site).sum(axis=1) * p[:, 0]
                    + (H * mix.w_medicare).sum(axis=1) * self._vc
                )
            reported["fund_spend"] = fund
            if self._copay is not None:
                kappa = self._copay.share
                if "medicare_spend" in reported:
                    reported["medicare_spend"] = (1.0 - kappa) * reported["medicare_spend"] + \
                        kappa * mix.mu_medicare * (H * mix.w_medicare).sum(axis=1) * self._vc
                reported["patient_spend"] = (U * (pay_per_use - paid)).sum(axis=1)
                reported["uptake_factor"] = self._uptake_factor(p)[:, 0]
            reported.update(quantities.value_report(payer_spend, self._today_spend,
                                                    served_total - float(seg.nc.sum()), s.value))
            reported.update(quantities.anchor_slacks(av, p[:, 0], f[:, 0]))
            if names is None or "tco_at_volume" in names:
                reported["tco_at_volume"] = quantities.tco_at_volume(s.creator, uses)
            if outcomes is not None and self._pathway is not None:
                if names is None or not names.isdisjoint(self._pathway_names - {"icer"}):
                    reported.update(self._pathway.report(outcomes, payer_spend,
                                                         self._today_spend))
                elif "icer" in names:
                    reported["icer"] = self._pathway.icer(outcomes, payer_spend,
                                                          self._today_spend)
            if self._v2 and (names is None or not names.isdisjoint(self._v2_names)):
                by_payer = self._spend_by_payer(U, H, p[:, 0], fund)
                for j in s.payers:
                    reported[f"spend_{j.name}"] = by_payer[j.name]
                if self._pathway is not None and "medicare" in by_payer:
                    reported["medicare_spend"] = by_payer["medicare"]
                bi = budget_impact(by_payer, self._todays_spend_by_payer(), self._ramp,
                                   s.creator.discount_rate)
                reported.update(budget_columns(bi))
            if names is not None:
                reported = {k: v for k, v in reported.items() if k in names}
        return Evaluation(objectives, cons, reported)

    # ------------------------------------------------------------- v2 read-outs
    def _uptake_factor(self, p: np.ndarray) -> np.ndarray:
        """Uptake multiple after the copay's stated demand response, ``(N, 1)`` (share):
        ``max(0, 1 - eps kappa)`` where the rate ``p`` is positive (the patient pays), 1
        elsewhere and when the file has no copay."""
        if self._copay is None:
            return np.ones_like(p)
        return np.where(p > 0, self._copay.uptake_factor, 1.0)

    def _spend_by_payer(self, U: np.ndarray, H: np.ndarray, p: np.ndarray,
                        fund: np.ndarray) -> dict[str, np.ndarray]:
        """Payer -> ``(N,)`` annual spend (money per year): the exams at its rate (less the
        patients' copay on AI exams) plus its share of the downstream pathway; ``fund``
        holds the add-ons."""
        s = self.spec
        out: dict[str, np.ndarray] = {}
        keep = 1.0 - (self._copay.share if self._copay is not None else 0.0)
        for j in s.payers:
            w = np.array([g.payer_mix.get(j.name, 0.0) for g in s.segments])
            spend = j.rate_multiplier * (keep * (U * w * self._site).sum(axis=1) * p
                                         + (H * w).sum(axis=1) * self._vc)
            if self._pathway is not None:
                arr = self._pathway.arrays
                mu_j = np.full(len(w), j.rate_multiplier)
                spend = (spend + (U * w * arr.per_exam(arr.ai, mu_j).cost).sum(axis=1)
                         + (H * w * arr.per_exam(arr.cmp, mu_j).cost).sum(axis=1))
            out[j.name] = spend
        out["fund"] = np.asarray(fund, dtype=float)
        return out

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today: comparator exams and their pathway (money/year)."""
        seg = self._seg
        today = self._spend_by_payer(np.zeros((1, len(seg.names))), seg.nc[None, :],
                                     np.zeros(1), np.zeros(1))
        return {j: float(v[0]) for j, v in today.items()}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` by payer and year over the creator's horizon,
        on the problem's adoption ramp (money per year; see :mod:`paretoprice.optim.budget`).
        Payers are the problem's payers plus ``fund`` (the add-ons)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        seg = self._seg
        pi = self._mix.mu * self._site * X[:, 0:1] + X[:, 2:] - X[:, 1:2] - seg.k
        m = self._uptake_factor(X[:, 0:1])
        A, _ = self._curve(seg.q * m * pi, seg.kbar)
        U = seg.nu * m * A
        H = seg.nc * (1.0 - A)
        by_payer = self._spend_by_payer(U, H, X[:, 0], (U * X[:, 2:]).sum(axis=1))
        return budget_impact(by_payer, self._todays_spend_by_payer(), self._ramp,
                             self.spec.creator.discount_rate)


def _in(q: Quantity, currency: str) -> Quantity:
    """``q`` with USD in its unit replaced by ``currency``."""
    return q if currency == "USD" else Quantity(q.name, q.unit.replace("USD", currency),
                                                 q.description)


def _rail_in(g: Guardrail, currency: str) -> Guardrail:
    """A guardrail with USD in its unit and description replaced by ``currency``."""
    if currency == "USD":
        return g
    return Guardrail(g.name, g.unit.replace("USD", currency), g.scale,
                     g.description.replace("USD", currency))
