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

from optim.adoption import make_curve
from optim.anchors import Anchors, annuity, compute_anchors
from optim.problem import Evaluation, Guardrail, PricingProblem, Quantity
from optim.spec import Bounds, Decisions, FeeForServiceSpec

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


class FeeForServiceProblem(PricingProblem):
    """Reference model v1 (see module docstring) built from a :class:`FeeForServiceSpec`.

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("idx-dr")
    >>> round(prob.anchors()["access_maximizing"].value, 2)
    52.5
    """

    family = "ffs"

    def __init__(self, spec: FeeForServiceSpec) -> None:
        super().__init__(spec)

    @property
    def spec(self) -> FeeForServiceSpec:
        return self._spec  # type: ignore[return-value]

    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s: FeeForServiceSpec = self._spec  # type: ignore[assignment]
        segs = s.segments
        mu_by_payer = {p.name: p.rate_multiplier for p in s.payers}
        self.segment_names = tuple(g.name for g in segs)
        self._n = np.array([g.population for g in segs])
        self._c = np.array([g.compliance for g in segs])
        self._u = np.array([g.uptake for g in segs])
        self._k = np.array([g.provider_cost_per_use for g in segs])
        self._S = np.array([g.sites for g in segs])
        self._kbar = np.array([g.fixed_cost_per_site for g in segs])
        self._e = np.array([g.equity_weight for g in segs])
        self._site = np.array([g.rate_multiplier for g in segs])  # AI rate multiple of p
        self._mu = np.array(
            [sum(w * mu_by_payer[j] for j, w in g.payer_mix.items()) for g in segs]
        )
        self._w_medicare = np.array([g.payer_mix.get("medicare", 0.0) for g in segs])
        self._mu_medicare = mu_by_payer.get("medicare", 0.0)
        self._nu = self._n * self._u  # AI-eligible uses per year
        self._nc = self._n * self._c  # human uses per year today
        self._q = self._nu / self._S  # uses per site per year at full uptake
        self._en_total = float(np.sum(self._e * self._n))
        self._vc = s.service.comparator_payment
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        self._today_spend = float(np.sum(self._nc * self._mu * self._vc))
        self._compliance = float(np.sum(self._nc) / np.sum(self._n))
        self._anchors = compute_anchors(
            comparator_payment=self._vc,
            compliance=self._compliance,
            wtp_per_qaly=s.value.wtp_per_qaly,
            qaly_gain_per_patient=s.value.qaly_gain_per_patient,
            savings_per_patient=s.value.savings_per_patient,
            marginal_cost=s.creator.marginal_cost,
            upfront_investment=s.creator.upfront_investment,
            annual_fixed_cost=s.creator.annual_fixed_cost,
            horizon_years=s.creator.horizon_years,
            discount_rate=s.creator.discount_rate,
            tco_volume=s.creator.tco_volume,
        )
        d = s.decisions
        self._decisions = (
            Quantity("p", "USD per use", "payer (Medicare) rate per AI use"),
            Quantity("f", "USD per use", "creator's fee per AI use, paid by the provider"),
            *(Quantity(f"a_{g}", "USD per use", f"incentive-fund add-on per AI use in {g}")
              for g in self.segment_names),
        )
        self._bounds = (d.p, d.f, *tuple(d.addons.get(g, d.addon) for g in self.segment_names))
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep.append(Quantity(f"coverage_{g}", "share of at-risk patients",
                                f"share of segment {g}'s at-risk patients served"))
            rep.append(Quantity(f"adoption_{g}", "share of sites",
                                f"share of segment {g}'s sites offering the AI service"))
        rep += [
            Quantity("ai_uses", "uses per year", "AI uses a year, all segments"),
            Quantity("human_uses", "patients per year", "human-performed services a year"),
            Quantity("patients_served", "patients per year", "patients served by either"),
            Quantity("medicare_spend", "USD per year", "Medicare's share of payer_spend"),
            Quantity("fund_spend", "USD per year", "incentive-fund add-on payments"),
            Quantity("budget_impact", "USD per year", "payer_spend minus today's spend"),
            Quantity("icer", "USD per QALY",
                     "incremental cost per QALY vs today (NaN when no extra patient is served)"),
            Quantity("slack_substitution", "USD per use", "v_sub - p (>= 0: under the cap)"),
            Quantity("slack_access_maximizing", "USD per use", "v_e - p"),
            Quantity("slack_cost_effective", "USD per use", "v_cea - p"),
            Quantity("slack_marginal_cost", "USD per use", "f - m (>= 0: fee covers cost)"),
            Quantity("slack_total_cost_of_ownership", "USD per use",
                     "f - v_tco(N) at the stated volume"),
            Quantity("tco_at_volume", "USD per use",
                     "creator's break-even fee at the point's own AI volume"),
        ]
        self._reported_info = {q.name: q for q in rep}
        self._guardrails = self._make_guardrails()

    def _make_guardrails(self) -> tuple[Guardrail, ...]:
        s: FeeForServiceSpec = self._spec  # type: ignore[assignment]
        a = self._anchors.values()
        gr = s.guardrails
        usd = "USD per use"
        table = {
            "budget_access_max": Guardrail(
                "budget_access_max", "USD per year", max(self._today_spend, 1.0),
                f"payer_spend <= today's spend e_c = {self._today_spend:,.0f} USD per year"),
            "cap_substitution": Guardrail(
                "cap_substitution", usd, max(a["substitution"], 1.0),
                f"p <= substitution value {a['substitution']:.2f} USD"),
            "cap_access_maximizing": Guardrail(
                "cap_access_maximizing", usd, max(a["access_maximizing"], 1.0),
                f"p <= access-maximizing value {a['access_maximizing']:.2f} USD"),
            "cap_cost_effective": Guardrail(
                "cap_cost_effective", usd, max(a["cost_effective"], 1.0),
                f"p <= cost-effective value {a['cost_effective']:.2f} USD"),
            "floor_marginal_cost": Guardrail(
                "floor_marginal_cost", usd, max(a["marginal_cost"], 1.0),
                f"f >= marginal cost {a['marginal_cost']:.2f} USD"),
            "floor_total_cost_of_ownership": Guardrail(
                "floor_total_cost_of_ownership", usd, max(a["total_cost_of_ownership"], 1.0),
                f"f >= total cost of ownership {a['total_cost_of_ownership']:.2f} USD at "
                f"{s.creator.tco_volume:,.0f} uses a year"),
            "creator_sustainable": Guardrail(
                "creator_sustainable", "USD", max(s.creator.upfront_investment, 1.0),
                "creator_npv >= 0"),
            "fund_budget": Guardrail(
                "fund_budget", "USD per year", max(gr.fund_budget.budget, 1.0),
                f"fund add-ons <= {gr.fund_budget.budget:,.0f} USD per year"),
            "equity_floor": Guardrail(
                "equity_floor", "share of at-risk patients", 1.0,
                f"worst-segment coverage >= {gr.equity_floor.min_coverage:g}"),
        }
        return tuple(table[name] for name in gr.enabled_names())

    def anchors(self) -> Anchors:
        """The five anchors; ``c`` is the population-weighted compliance ``sum n c / sum n``."""
        return self._anchors

    @property
    def todays_spend(self) -> float:
        """``e_c = sum_g n_g c_g mu_g v_c``: what payers spend today (USD per year)."""
        return self._today_spend

    @property
    def compliance(self) -> float:
        """Population-weighted compliance ``c`` (share)."""
        return self._compliance

    def _with_bounds(self, changes: Mapping[str, Bounds]) -> FeeForServiceProblem:
        s: FeeForServiceSpec = self._spec  # type: ignore[assignment]
        d = s.decisions
        addons = dict(d.addons)
        for g in self.segment_names:
            if f"a_{g}" in changes:
                addons[g] = changes[f"a_{g}"]
        new = Decisions(p=changes.get("p", d.p), f=changes.get("f", d.f), addon=d.addon,
                        addons=addons)
        return FeeForServiceProblem(s.replace(decisions=new.model_dump()))  # type: ignore[arg-type]

    # ------------------------------------------------------------- evaluation
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        s: FeeForServiceSpec = self._spec  # type: ignore[assignment]
        p = X[:, 0:1]
        f = X[:, 1:2]
        a = X[:, 2:]
        mu = self._mu
        pay_per_use = mu * self._site * p + a  # (N, G) USD per use paid by payers + fund
        pi = pay_per_use - f - self._k  # provider margin per use
        A, cost = self._curve(self._q * pi, self._kbar)
        U = self._nu * A
        H = self._nc * (1.0 - A)
        uses = U.sum(axis=1)
        payer_spend = (U * pay_per_use).sum(axis=1) + (H * (mu * self._vc)).sum(axis=1)
        creator_npv = self._ann * ((f[:, 0] - s.creator.marginal_cost) * uses
                                   - s.creator.annual_fixed_cost) - s.creator.upfront_investment
        served = U + H
        access = (served * self._e).sum(axis=1) / self._en_total
        provider_margin = (U * pi).sum(axis=1) - (cost * self._S).sum(axis=1)
        coverage = served / self._n
        equity = coverage.min(axis=1)
        objectives = {
            "payer_spend": payer_spend,
            "creator_npv": creator_npv,
            "access": access,
            "provider_margin": provider_margin,
            "equity": equity,
        }
        av = self._anchors.values()
        gr = s.guardrails
        cons: dict[str, np.ndarray] = {}
        for name in gr.enabled_names():
            if name == "budget_access_max":
                cons[name] = payer_spend - self._today_spend
            elif name == "cap_substitution":
                cons[name] = p[:, 0] - av["substitution"]
            elif name == "cap_access_maximizing":
                cons[name] = p[:, 0] - av["access_maximizing"]
            elif name == "cap_cost_effective":
                cons[name] = p[:, 0] - av["cost_effective"]
            elif name == "floor_marginal_cost":
                cons[name] = av["marginal_cost"] - f[:, 0]
            elif name == "floor_total_cost_of_ownership":
                cons[name] = av["total_cost_of_ownership"] - f[:, 0]
            elif name == "creator_sustainable":
                cons[name] = -creator_npv
            elif name == "fund_budget":
                cons[name] = (U * a).sum(axis=1) - gr.fund_budget.budget
            elif name == "equity_floor":
                cons[name] = gr.equity_floor.min_coverage - equity
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
            reported["medicare_spend"] = self._mu_medicare * (
                (U * self._w_medicare * self._site).sum(axis=1) * p[:, 0]
                + (H * self._w_medicare).sum(axis=1) * self._vc
            )
            reported["fund_spend"] = (U * a).sum(axis=1)
            reported["budget_impact"] = payer_spend - self._today_spend
            extra = served_total - float(self._nc.sum())
            d_qaly = s.value.qaly_gain_per_patient * extra
            d_cost = payer_spend - self._today_spend - s.value.savings_per_patient * extra
            with np.errstate(divide="ignore", invalid="ignore"):
                reported["icer"] = np.where(d_qaly > 0, d_cost / np.where(d_qaly > 0, d_qaly, 1),
                                            np.nan)
            reported["slack_substitution"] = av["substitution"] - p[:, 0]
            reported["slack_access_maximizing"] = av["access_maximizing"] - p[:, 0]
            reported["slack_cost_effective"] = av["cost_effective"] - p[:, 0]
            reported["slack_marginal_cost"] = f[:, 0] - av["marginal_cost"]
            reported["slack_total_cost_of_ownership"] = f[:, 0] - av["total_cost_of_ownership"]
            fixed = s.creator.upfront_investment / self._ann + s.creator.annual_fixed_cost
            with np.errstate(divide="ignore"):
                reported["tco_at_volume"] = np.where(
                    uses > 0, s.creator.marginal_cost + fixed / np.where(uses > 0, uses, 1),
                    np.inf)
        return Evaluation(objectives, cons, reported)
