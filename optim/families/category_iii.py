"""Category III CPT code: no national price, contractor pricing, uncertain coverage.

A Category III code is a temporary code for an emerging service. Medicare sets no national
physician-fee-schedule amount: each Medicare administrative contractor (MAC) decides
whether to pay a claim and how much. From a provider's side a use is paid only with a
likelihood (coverage, ``rho``), at a contractor-specific rate, so the expected payment per
use is ``rho x rate`` (Abramoff et al. 2022, seed 001; most AI codes are Category III,
seeds 003 and 004).

Contractors ``k`` form a set with probabilities ``s_k`` (the share of patients and sites in
the contractor's jurisdiction), price multipliers ``m_k`` (the contractor's rate as a
multiple of the reference rate ``p``) and coverage likelihoods ``rho_k``. A setting of care
``g`` may be contractor-priced (physician office: rate ``m_k p``) or nationally priced
(hospital outpatient under OPPS: rate ``p``); coverage applies either way.

Within contractor ``k``'s jurisdiction the service is a fee-for-service market whose
setting ``g`` is paid, in expectation, ``x_gk mu_g p + a_g`` per use with

::

    x_gk = rho_k * (m_k if g is contractor-priced else 1) * s_g     (s_g: site multiplier)

so the Category III problem is the probability-weighted mixture of ``K`` fee-for-service
problems (:class:`~paretoprice.optim.families.ffs.FeeForServiceProblem`), one per contractor, each
holding every setting with the expected-payment multiplier ``x_gk``. Sites and patients
scale together, so uses per site, and hence adoption, are the same in a jurisdiction as in
the whole country priced by that contractor. With ``Q_k`` any quantity of contractor
``k``'s problem:

::

    payer_spend, creator_npv, access, provider_margin, coverage_g, adoption_g, ...
                      = sum_k s_k Q_k                            (linear in uses)
    equity            = min_g sum_k s_k coverage_gk              (worst setting)
    provider_margin_sd = sqrt(sum_k s_k (PM_k - PM)^2)           (USD per year)

where ``PM_k`` is the providers' margin if every site were under contractor ``k`` and
``PM = sum_k s_k PM_k``. A provider pays the creator's fee whether or not the claim is
paid (an unpaid claim is written off).

A ``[ramp]`` table (model v2) spreads adoption over the first years: the creator's NPV
follows it, and each point reports spend by payer (expected over contractors),
``budget_impact_year<t>`` and ``budget_impact_discounted``; ``budget_impact(X)`` gives
them by payer and year (``docs/model.md``, "Budget impact and the ramp"). Without a ramp
the family evaluates as before, bit for bit.

``patient_copay`` (as in fee-for-service) applies in each contractor's problem to the
payment that contractor makes: the patient pays only on covered claims.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.anchors import Anchors
from paretoprice.optim.budget import BudgetImpact, mix_budget_impacts
from paretoprice.optim.families import common
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.pathway import cost_effective_payment, icer_with_label, with_pathway_anchor
from paretoprice.optim.problem import Evaluation, PricingProblem, Quantity

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "expected annual payments by all payers for the AI service (covered claims "
             "only) and the human service it substitutes, plus fund add-ons (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's expected net present value over the horizon (maximized)"),
    Quantity("access", "share of at-risk patients",
             "expected equity-weighted share of at-risk patients served by AI or human "
             "service (maximized)"),
    Quantity("provider_margin", "USD per year",
             "providers' expected annual margin after fee, per-use and fixed adoption costs "
             "and unpaid claims (maximized)"),
    Quantity("equity", "share of at-risk patients",
             "expected coverage of the worst-served setting of care (maximized when chosen)"),
)

# pathway quantities (model v2) averaged over contractors; the ICER and its label are
# recomputed from the averaged increments
_PATHWAY_LINEAR: tuple[str, ...] = (
    "downstream_cost", "incremental_cost", "incremental_qalys", "nmb", "nmb_50k", "nmb_100k",
    "nmb_150k",
)

# quantities of the contractor problems that are averaged with the contractor probabilities
_LINEAR_REPORTED: tuple[str, ...] = (
    "ai_uses", "human_uses", "patients_served", "medicare_spend", "fund_spend",
    "budget_impact", "slack_substitution", "slack_access_maximizing", "slack_cost_effective",
    "slack_marginal_cost", "slack_total_cost_of_ownership",
)


class Contractor(spec.Frozen):
    """A Medicare administrative contractor (or a group of them that price alike).

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores).
    probability
        ``s_k``: probability that a use falls in this contractor's jurisdiction, i.e. its
        share of at-risk patients and of sites (share; the contractors' sum to 1).
    price_multiplier
        ``m_k``: the contractor's rate for a contractor-priced setting as a multiple of the
        reference rate ``p`` (dimensionless).
    coverage
        ``rho_k``: likelihood that the contractor pays a claim for a medically indicated
        use (share; 0 = never covered).
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    probability: float = Field(gt=0, le=1)
    price_multiplier: float = Field(gt=0, le=20)
    coverage: float = Field(ge=0, le=1)


class CategoryIIISegment(spec.FfsSegment):
    """A setting of care of a Category III code.

    Attributes
    ----------
    contractor_priced
        True (default) when each contractor sets the rate in this setting (physician
        office, PFS): rate ``m_k p``; False when the rate is national (hospital outpatient,
        OPPS): rate ``p``. Coverage ``rho_k`` applies in both cases.
    """

    contractor_priced: bool = True


class CategoryIIISpec(spec.FeeForServiceFields):
    """A Category III code: fee-for-service fields plus the contractors.

    The decision ``p`` is the reference rate (USD per use): the national rate where one
    exists (OPPS) and the base of every contractor's rate ``m_k p`` elsewhere.
    """

    family: Literal["category_iii"] = "category_iii"
    segments: tuple[CategoryIIISegment, ...] = Field(min_length=1)
    contractors: tuple[Contractor, ...] = Field(min_length=1)
    ramp: spec.Ramp = spec.Ramp()
    patient_copay: spec.PatientCopay | None = None

    @field_validator("contractors")
    @classmethod
    def _contractors_are_a_distribution(
        cls, v: tuple[Contractor, ...]
    ) -> tuple[Contractor, ...]:
        names = [c.name for c in v]
        if len(set(names)) != len(names):
            raise ValueError(f"contractor names repeat: {names}")
        total = sum(c.probability for c in v)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(
                f"contractor probabilities must sum to 1, they sum to {total:.6g}; "
                "give each contractor its share of patients and sites"
            )
        if not any(c.coverage > 0 for c in v):
            raise ValueError("no contractor ever covers the service (every coverage is 0); "
                             "give at least one contractor a coverage above 0")
        return v


class CategoryIIIProblem(PricingProblem[CategoryIIISpec]):
    """A Category III code as a probability-weighted mixture of fee-for-service problems.

    Decisions (USD per use): ``p`` the reference rate, ``f`` the creator's fee, ``a_<g>`` an
    incentive-fund add-on per use in setting ``g``. Objectives as in the fee-for-service
    model, in expectation over contractors (see the module docstring).
    """


    # ------------------------------------------------------------------ setup
    def _contractor_problem(self, k: int) -> FeeForServiceProblem:
        """The fee-for-service problem of the whole country priced by contractor ``k``."""
        s = self.spec
        con = s.contractors[k]
        data: dict[str, Any] = s.model_dump(exclude={"contractors", "sources", "constraints",
                                                     "observed"})
        data["family"] = "ffs"
        if s.pathway is not None:  # the pathway as written, its numbers with their sources
            data["pathway"] = s.pathway.model_dump(exclude_unset=True)
            data["sources"] = dict(s.sources)
        segs = []
        for g, raw in zip(s.segments, data["segments"], strict=True):
            seg = {key: v for key, v in raw.items() if key != "contractor_priced"}
            price = con.price_multiplier if g.contractor_priced else 1.0
            seg["rate_multiplier"] = con.coverage * price * g.rate_multiplier
            segs.append(seg)
        data["segments"] = segs
        return FeeForServiceProblem(
            spec.validate_spec(spec.FeeForServiceSpec, data,
                               owner=f"problem '{s.name}', contractor '{con.name}'"))

    def _setup(self) -> None:
        s = self.spec
        self._worlds = tuple(self._contractor_problem(k) for k in range(len(s.contractors)))
        first = self._worlds[0]
        # anchors, today's spend and compliance do not depend on the contractors
        self._anchors = first.anchors()
        self._today_spend, self._compliance = first.todays_spend, first.compliance
        self.segment_names = first.segment_names
        self.contractor_names = tuple(c.name for c in s.contractors)
        self._prob = np.array([c.probability for c in s.contractors])
        # payer-mix multiplier of the comparator
        self._mu = common.payer_mix(s.segments, s.payers).mu
        self._nc = np.array([g.population * g.compliance for g in s.segments])
        self._vc = s.service.comparator_payment
        self._decisions = (
            Quantity("p", "USD per use",
                     "reference rate per AI use: the national rate where one exists, the "
                     "base of each contractor's rate elsewhere"),
            *first.decisions[1:],
        )
        self._bounds = first.bounds
        self._objective_info = {q.name: q for q in OBJECTIVE_INFO}
        first_objectives = {q.name: q for q in first.all_objectives}
        if s.pathway is not None:
            self._objective_info["health_gain"] = first_objectives["health_gain"]
        inherited = {q.name: q for q in first.reported}
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep.append(Quantity(f"coverage_{g}", "share of at-risk patients",
                                f"expected share of setting {g}'s at-risk patients served"))
            rep.append(Quantity(f"adoption_{g}", "share of sites",
                                f"expected share of setting {g}'s sites offering the AI"))
        for k in self.contractor_names:
            rep.append(Quantity(f"provider_margin_{k}", "USD per year",
                                f"providers' margin if every site were priced and covered as by "
                                f"contractor {k}"))
        rep += [
            Quantity("provider_margin_sd", "USD per year",
                     "probability-weighted standard deviation of provider margin across "
                     "contractors (the pricing lottery a provider faces)"),
            Quantity("expected_payment_per_use", "USD per use",
                     "expected payer payment per AI use, over contractors and settings (NaN "
                     "with no AI use)"),
        ]
        rep += [inherited[n] for n in (*_LINEAR_REPORTED, "icer", "tco_at_volume")]
        self._anchors = first.anchors()
        if s.pathway is not None:
            rep += [inherited[n] for n in (*_PATHWAY_LINEAR, "icer_label")]
            self._anchors = self._pathway_anchors()
        # copay and year-by-year budget impact (model v2): linear in uses, mixed as they are
        self._v2_linear = tuple(n for n in inherited if _is_v2_linear(n))
        rep += [_expected(inherited[n]) for n in self._v2_linear]
        self._declare_reported(rep)
        self._guardrails = first.guardrails

    def _pathway_anchors(self) -> Anchors:
        """The anchors with the pathway's cost-effective rate for the mixture: the rate
        ``p*`` at which the expected NMB is zero when every setting adopts in the same
        proportion, with each setting paid its expected multiple ``sum_k s_k x_gk`` of p."""
        s = self.spec
        if s.pathway is None:
            return self._worlds[0].anchors()
        seg = common.segment_arrays(s.segments)
        expected = np.zeros(len(s.segments))
        for con in s.contractors:
            price = np.array([con.price_multiplier if g.contractor_priced else 1.0
                              for g in s.segments])
            site = np.array([g.rate_multiplier for g in s.segments])
            expected += con.probability * con.coverage * price * site
        pw = s.pathway.arrays(seg.names)
        ce = cost_effective_payment(
            pw, s.value.wtp_per_qaly, population=seg.n, compliance=seg.c, uptake=seg.u,
            comparator_payment=self._mu * self._vc, mu=self._mu,
            rate_multiple=self._mu * expected)
        return with_pathway_anchor(self._worlds[0].anchors(), ce, s.value.wtp_per_qaly)

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Expected budget impact of candidates ``X`` by payer (and ``fund``) and year over
        the creator's horizon on the problem's adoption ramp: the contractors' budget
        impacts weighted by their probabilities (USD per year; see
        :mod:`paretoprice.optim.budget`)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return mix_budget_impacts([w.budget_impact(X) for w in self._worlds], self._prob)

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> CategoryIIIProblem:
        return common.with_addon_bounds(self, changes)

    # ------------------------------------------------------------- evaluation
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        s = self.spec
        evs = [w.evaluate(X, report=True) for w in self._worlds]
        w = self._prob

        def mix(get: Callable[[Evaluation], np.ndarray]) -> np.ndarray:
            """Probability-weighted mean over contractors of ``get(evaluation)``."""
            return np.einsum("k,kn->n", w, np.stack([get(ev) for ev in evs]))

        cover_k = np.stack([  # (K, N, G) coverage per contractor and setting
            np.column_stack([ev.reported[f"coverage_{g}"] for g in self.segment_names])
            for ev in evs])
        coverage = np.einsum("k,kng->ng", w, cover_k)
        equity = coverage.min(axis=1)
        objectives = {o: mix(lambda ev, o=o: ev.objectives[o])
                      for o in ("payer_spend", "creator_npv", "access", "provider_margin")}
        objectives["equity"] = equity
        if s.pathway is not None:
            objectives["health_gain"] = mix(lambda ev: ev.objectives["health_gain"])
        cons: dict[str, np.ndarray] = {}
        for rail in self._guardrails:
            if rail.name == "equity_floor":
                cons[rail.name] = s.guardrails.equity_floor.min_coverage - equity
            else:  # every other guardrail is linear in uses or a bound on a decision
                cons[rail.name] = mix(lambda ev, r=rail.name: ev.constraints[r])
        reported: dict[str, np.ndarray] = {}
        if report:
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = mix(lambda ev, g=g: ev.reported[f"adoption_{g}"])
            pm_k = np.stack([ev.objectives["provider_margin"] for ev in evs])  # (K, N)
            for k, name in enumerate(self.contractor_names):
                reported[f"provider_margin_{name}"] = pm_k[k]
            dev = pm_k - objectives["provider_margin"]
            reported["provider_margin_sd"] = np.sqrt(np.einsum("k,kn->n", w, dev * dev))
            for name in _LINEAR_REPORTED:
                reported[name] = mix(lambda ev, n=name: ev.reported[n])
            uses = reported["ai_uses"]
            adoption = np.column_stack([reported[f"adoption_{g}"] for g in self.segment_names])
            # human services H_g = n_g c_g (1 - A_g) are linear in adoption: pay mu_g v_c each
            human_spend = (self._nc * (1.0 - adoption) * (self._mu * self._vc)).sum(axis=1)
            ai_spend = objectives["payer_spend"] - reported["fund_spend"] - human_spend
            if s.pathway is not None:  # the downstream care is not a payment for the AI
                for name in _PATHWAY_LINEAR:
                    reported[name] = mix(lambda ev, n=name: ev.reported[n])
                ai_spend = ai_spend - reported["downstream_cost"]
            reported["expected_payment_per_use"] = quantities.ratio_or_nan(ai_spend, uses)
            # ratios do not mix linearly over contractors: recomputed from the expected
            # spend, patients served and AI uses (same formulas as fee-for-service)
            reported["icer"] = quantities.icer(objectives["payer_spend"], self.todays_spend,
                                    reported["patients_served"] - float(self._nc.sum()), s.value)
            if s.pathway is not None:  # the ratio and label of the expected increments
                reported["icer"], reported["icer_label"] = icer_with_label(
                    reported["incremental_cost"], reported["incremental_qalys"])
            reported["tco_at_volume"] = quantities.tco_at_volume(s.creator, uses)
            for name in self._v2_linear:
                reported[name] = mix(lambda ev, n=name: ev.reported[n])
        return Evaluation(objectives, cons, reported)


def _is_v2_linear(name: str) -> bool:
    """Whether a fee-for-service quantity is a v2 copay or budget-impact column (each is
    linear in uses, or, for ``uptake_factor``, the same in every contractor's problem)."""
    return (name in ("patient_spend", "uptake_factor", "budget_impact_discounted")
            or name.startswith(("spend_", "budget_impact_year")))


def _expected(q: Quantity) -> Quantity:
    """A contractor problem's quantity described as its expectation over contractors."""
    return Quantity(q.name, q.unit, f"{q.description} (expected over contractors)")
