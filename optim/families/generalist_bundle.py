"""Generalist AI: one system doing several tasks on one study, paid per task or by a bundle.

A generalist system reads a whole chest CT at once: pulmonary emboli, lung nodules,
coronary calcium, bone density, incidental findings (seed 000). A payer can pay it
through one code per task, or through one coordination (bundle) code per study scaled by
the level of service, the way care-coordination codes bundle several services. The
per-task view misses what the integrated analysis gains: shared image processing and one
report instead of several (a cost saving ``gamma``), and findings the single-task view
misses (a share ``delta`` of the AI's misses avoided). Both are inputs.

Settings of care ``g`` (segments) have ``n_g`` studies a year, uptake ``u_g``, provider
cost per analyzed study ``k_g``, ``S_g`` sites of mean annualized fixed cost ``Kbar_g``,
payer-mix rate multiplier ``mu_g``, equity weight ``e_g`` and today's reporting level
``c_g`` (a multiple of each task's reference level; 1 in the best-served setting). Tasks
``k`` have an indicated share ``d_k`` (share of studies on which the task is indicated:
billable under its own code, counted in the bundle's level), today's delivery ``c_k``
(share of indicated studies whose result is delivered today without AI), the AI's
delivery ``s_k`` when the task is run, a comparator payment ``v_k`` (the separate human
service that otherwise delivers the result, e.g. a bone densitometry scan; 0 when none)
and a reporting cost ``w_k`` (review and documentation of the task as its own billed
service). Decisions (USD): ``p`` the bundle's base price per study, ``p_<task>`` each
coded task's price per billed task, ``f`` the creator's fee per analyzed study.

::

    level multiplier   E[L] = sum_j P(level j) L_j      (N indicated tasks ~ Poisson-binomial(d))
    per-task margin    pi_T = sum_k d_k (mu_g p_k - w_k)^+ - f - k_g       (USD per study)
                       (a site runs and bills a coded task only where its code covers w_k)
    bundle margin      pi_B = mu_g p E[L] - (1 - gamma) sum_k d_k w_k - f - k_g
    chosen code set    z_g = bundle if pi_B > pi_T else per-task; pi_g = max(pi_T, pi_B)
    adoption           A_g, C_g = curve(q_g pi_g, Kbar_g),  q_g = n_g u_g / S_g
    AI-analyzed        U_g = n_g u_g A_g                                   (studies per year)
    task run           r_gk = 1 under the bundle, 1[mu_g p_k > w_k] (coded) under per-task
    AI delivery        s*_k = 1 - (1 - s_k)(1 - delta) under the bundle, s_k per task
    taken over         x_gk = u_g A_g r_gk
    delivered          D_gk = n_g d_k (x_gk s*_k + (1 - x_gk) c_g c_k)
    human services     H_gk = n_g d_k (1 - x_gk) c_g c_k

    payer_spend      = sum_g U_g mu_g pay_g + sum_gk H_gk mu_g v_k          (USD/year, min)
                       pay_g = p E[L] (bundle) or sum_k d_k p_k r_gk (per task)
    creator_npv      = annuity(T, r) ((f - m) sum_g U_g - O) - F            (USD, max)
    access           = sum_g e_g sum_k D_gk / sum_g e_g n_g sum_k d_k      (share, max)
    provider_margin  = sum_g U_g pi_g - S_g C_g                             (USD/year, max)
    equity           = min_g sum_k D_gk / (n_g sum_k d_k)                  (share, max)

``access`` is the share of indicated task results delivered (each task of each study
counts once). The anchors are per study: ``v_c = sum_k d_k v_k``, ``c`` the
population-weighted share of that comparator spend incurred today (so ``v_e`` is today's
comparator spend per study), ``v_cea = (lambda dQALY + dSavings) X`` with ``X`` the extra
task results the integrated analysis delivers per study over today.

Model v2 (``docs/model.md``): a ``[pathway]`` follows one task (``pathway_task``, e.g.
incidental findings) after the read. Every study is read; on ``n_g x_gk`` studies a year
the AI runs that task (the AI arm, with the AI-supported read's accuracy), the other
``n_g (1 - x_gk)`` are read as today (the comparator arm); the status quo reads all
``n_g`` as today. ``payer_spend`` adds both arms' downstream cost (follow-up of each
positive, net treatment of true positives), today's spend adds the status quo's,
``health_gain`` (QALYs per year, max) becomes an objective, each point reports
incremental cost and QALYs, the ICER with its label and the NMB, and the cost-effective
anchor is the largest payment per AI-analyzed study (at Medicare rates) with NMB = 0:
the pathway's QALYs and downstream cost plus the separate human services the study
replaces (the other tasks' health value is not in it). A ``[ramp]`` spreads adoption
over the first years (creator NPV and the year-by-year budget impact by payer follow
it). Without a pathway and a ramp the model is v1, bit for bit.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from paretoprice.optim import quantities, spec
from paretoprice.optim.adoption import make_curve
from paretoprice.optim.anchors import annuity
from paretoprice.optim.budget import (
    BudgetImpact,
    Ramp,
    budget_columns,
    budget_impact,
    is_immediate,
)
from paretoprice.optim.budget import creator_npv as creator_npv_on_ramp
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

OBJECTIVE_INFO: tuple[Quantity, ...] = (
    Quantity("payer_spend", "USD per year",
             "payments by all payers for AI-analyzed studies (per-task codes or the bundle "
             "code) and for the separate human services they replace (minimized)"),
    Quantity("creator_npv", "USD",
             "AI creator's net present value over the horizon (maximized)"),
    Quantity("access", "share of indicated task results",
             "equity-weighted share of indicated task results delivered, by AI or as today "
             "(maximized)"),
    Quantity("provider_margin", "USD per year",
             "providers' annual margin on AI-analyzed studies after fee, per-study, reporting "
             "and fixed adoption costs (maximized)"),
    Quantity("equity", "share of indicated task results",
             "share of indicated task results delivered in the worst-served setting "
             "(maximized when chosen)"),
)


class Task(spec.Frozen):
    """One task the generalist system does on every study it analyzes.

    Attributes
    ----------
    name
        Identifier (letters, digits, underscores); the per-task price is ``p_<name>``.
    indicated_share
        ``d_k``: share of studies on which the task is indicated (billable under its own
        code; counted in the bundle's level of service).
    done_today
        ``c_k``: share of indicated studies whose result is delivered today without AI, in
        a setting with reporting level 1.
    ai_delivery
        ``s_k``: share of indicated studies whose result the AI-supported read delivers
        when the task is run on its own (per-task code).
    comparator_payment
        ``v_k``: payer's payment today for the separate human service that otherwise
        delivers the result (USD per indicated study; 0 when the read is paid anyway).
    reporting_cost
        ``w_k``: provider's cost to review and document the task as its own billed service
        (USD per indicated study).
    coded
        Whether a per-task code exists. A task without one (incidental findings) is run and
        paid only under the bundle code.
    """

    name: str = Field(min_length=1, pattern=_IDENT)
    indicated_share: float = Field(ge=0, le=1)
    done_today: float = Field(ge=0, le=1)
    ai_delivery: float = Field(ge=0, le=1)
    comparator_payment: float = Field(default=0.0, ge=0)
    reporting_cost: float = Field(ge=0)
    coded: bool = True


class Integration(spec.Frozen):
    """What the integrated analysis gains over running the tasks one by one.

    Attributes
    ----------
    shared_cost_saving
        ``gamma``: share of the summed per-task reporting costs saved by one integrated
        analysis and report (shared image processing, one review).
    miss_reduction
        ``delta``: share of the AI's per-task misses avoided when every task is read in the
        context of the others (fewer missed incidental findings).
    """

    shared_cost_saving: float = Field(ge=0, le=1)
    miss_reduction: float = Field(default=0.0, ge=0, le=1)


class BundleLevel(spec.Frozen):
    """One level of service of the bundle code.

    Attributes
    ----------
    min_tasks
        The level applies to studies with at least this many indicated tasks.
    multiplier
        Payment at this level as a multiple of the bundle's base price ``p``.
    """

    min_tasks: int = Field(ge=0)
    multiplier: float = Field(ge=0)


class Bundle(spec.Frozen):
    """The bundle (coordination) code's levels of service.

    Studies with fewer indicated tasks than the first level's ``min_tasks`` are not paid
    under the bundle. Levels must rise: ``min_tasks`` strictly, ``multiplier`` not falling.
    """

    levels: tuple[BundleLevel, ...] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _rising(cls, v: tuple[BundleLevel, ...]) -> tuple[BundleLevel, ...]:
        mins = [lv.min_tasks for lv in v]
        mults = [lv.multiplier for lv in v]
        if any(b <= a for a, b in itertools.pairwise(mins)):
            raise ValueError(
                f"levels' min_tasks must rise strictly, got {mins}; list the levels from the "
                "fewest indicated tasks to the most"
            )
        if any(b < a for a, b in itertools.pairwise(mults)):
            raise ValueError(
                f"levels' multipliers must not fall as the level rises, got {mults}; a higher "
                "level of service pays at least as much"
            )
        return v


class GeneralistDecisions(spec.Frozen):
    """Decision variables and their ladders (USD).

    ``p``: the bundle code's base price per study (multiplied by the level of service);
    ``f``: the creator's fee per analyzed study, paid by the provider; ``task_price``: the
    ladder of every coded task's price per billed task, unless ``task_prices.<task>``
    overrides it.
    """

    p: spec.Bounds
    f: spec.Bounds
    task_price: spec.Bounds
    task_prices: dict[str, spec.Bounds] = Field(default_factory=dict)


class GeneralistGuardrails(spec.StandardGuardrails):
    """Guardrails of the generalist family; each on or off by name (``name = true`` works).

    The caps bound the largest payment per study the payer offers at Medicare rates,
    ``max(sum_k d_k p_k, p E[L])``. ``single_code``: the payer offers one code set only,
    per-task codes or the bundle (``min(p, max_k p_k) <= 0``).
    """

    single_code: spec.Toggle = spec.Toggle()


class GeneralistBundleSpec(spec.ProblemSpecBase):
    """A generalist AI paid per task or by a bundle code (see the module docstring).

    Objectives: ``payer_spend`` (USD per year, minimized), ``creator_npv`` (USD,
    maximized), ``access`` (share of indicated task results delivered, maximized),
    ``provider_margin`` (USD per year, maximized), ``equity`` (worst setting's share,
    maximized). Segment ``compliance`` is the setting's reporting level today, a multiple
    of each task's ``done_today``.
    """

    family: Literal["generalist_bundle"] = "generalist_bundle"
    study: str = Field(default="study", min_length=1)
    payers: tuple[spec.Payer, ...] = Field(min_length=1)
    segments: tuple[spec.Segment, ...] = Field(min_length=1)
    tasks: Annotated[tuple[Task, ...], spec.unique_names("task")] = Field(min_length=1)
    integration: Integration
    bundle: Bundle
    creator: spec.Creator
    value: spec.ValueInputs
    adoption: spec.Adoption = spec.Adoption()
    decisions: GeneralistDecisions
    guardrails: GeneralistGuardrails = GeneralistGuardrails()
    pathway: Pathway | None = None
    pathway_task: str | None = None
    ramp: Ramp = Ramp()

    @model_validator(mode="after")
    def _cross_checks(self) -> GeneralistBundleSpec:
        spec.check_payers_and_segments(self.payers, self.segments)
        names = [t.name for t in self.tasks]
        if self.pathway is not None:
            self.pathway.check_segments([g.name for g in self.segments])
            if self.pathway_task is None:
                raise ValueError(
                    f"a [pathway] follows one task: set pathway_task to one of {names}")
        if self.pathway_task is not None and self.pathway_task not in names:
            raise ValueError(f"pathway_task names '{self.pathway_task}', which is not a task; "
                             f"tasks are {names}")
        return self

    @field_validator("decisions")
    @classmethod
    def _prices_of_coded_tasks(cls, v: GeneralistDecisions,
                               info: ValidationInfo) -> GeneralistDecisions:
        tasks = info.data.get("tasks")
        if tasks is None:  # tasks failed validation; that error is reported
            return v
        coded = {t.name for t in tasks if t.coded}
        stray = set(v.task_prices) - coded
        if stray:
            raise ValueError(
                f"task_prices names {sorted(stray)}, which are not coded tasks; coded tasks "
                f"are {sorted(coded)} (a task with coded = false has no price)"
            )
        return v


def level_distribution(shares: np.ndarray) -> np.ndarray:
    """Distribution of the number of indicated tasks on a study (Poisson-binomial).

    Tasks are indicated independently with probabilities ``shares``; entry ``j`` of the
    result is the probability that exactly ``j`` tasks are indicated.

    Examples
    --------
    >>> level_distribution(np.array([0.5, 0.5])).tolist()
    [0.25, 0.5, 0.25]
    """
    dist = np.array([1.0])
    for d in np.asarray(shares, dtype=float):
        dist = np.convolve(dist, np.array([1.0 - d, d]))
    return dist


def expected_level_multiplier(shares: np.ndarray, levels: tuple[BundleLevel, ...]) -> float:
    """``E[L]``: the bundle's expected payment multiplier per study.

    Each study pays the multiplier of the highest level whose ``min_tasks`` its number of
    indicated tasks reaches (0 below the first level).

    Examples
    --------
    >>> lv = (BundleLevel(min_tasks=1, multiplier=1.0), BundleLevel(min_tasks=2, multiplier=2.0))
    >>> expected_level_multiplier(np.array([0.5, 0.5]), lv)
    1.0
    """
    dist = level_distribution(shares)
    mult = np.zeros(dist.size)
    for lv in levels:
        mult[lv.min_tasks:] = lv.multiplier
    return float(np.dot(dist, mult))


class GeneralistBundleProblem(PricingProblem[GeneralistBundleSpec]):
    """Per-task codes vs one bundle code for a generalist AI (see the module docstring).

    Decisions: ``p`` (bundle base price, USD per study), ``p_<task>`` for each coded task
    (USD per billed task), ``f`` (creator fee, USD per analyzed study).

    Examples
    --------
    >>> from problems import load_problem
    >>> prob = load_problem("generalist-ct")
    >>> prob.decision_names[0], prob.decision_names[-1]
    ('p', 'f')
    """


    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        s = self.spec
        tasks = s.tasks
        # segment compliance c_g is the setting's reporting level today (see the module doc)
        self._seg = seg = common.segment_arrays(s.segments)
        self._mix = mix = common.payer_mix(s.segments, s.payers)
        self.segment_names: tuple[str, ...] = seg.names
        self.task_names: tuple[str, ...] = tuple(t.name for t in tasks)
        self.coded_tasks: tuple[str, ...] = tuple(t.name for t in tasks if t.coded)
        self._d = np.array([t.indicated_share for t in tasks], dtype=float)
        self._ck = np.array([t.done_today for t in tasks], dtype=float)
        self._s_task = np.array([t.ai_delivery for t in tasks], dtype=float)
        delta = s.integration.miss_reduction
        self._s_bundle = 1.0 - (1.0 - self._s_task) * (1.0 - delta)
        self._v = np.array([t.comparator_payment for t in tasks], dtype=float)
        self._w = np.array([t.reporting_cost for t in tasks], dtype=float)
        self._coded = np.array([t.coded for t in tasks], dtype=bool)
        self._coded_idx = np.flatnonzero(self._coded)
        self._gamma = s.integration.shared_cost_saving
        self._level = expected_level_multiplier(self._d, s.bundle.levels)
        self._bundle_cost = (1.0 - self._gamma) * float(np.dot(self._d, self._w))
        self._needs = seg.n * float(self._d.sum())  # indicated task results per year
        self._en_total = float(np.sum(seg.e * self._needs))  # access counts task results
        # today: human delivery of every task at each setting's level
        today_gk = seg.n[:, None] * self._d * seg.c[:, None] * self._ck  # (G, K)
        self._today_delivered = float(today_gk.sum())
        self._today_spend = float(np.sum(today_gk * mix.mu[:, None] * self._v))
        self._ann = annuity(s.creator.horizon_years, s.creator.discount_rate)
        self._curve = make_curve(s.adoption.curve, s.adoption.sigma)
        v_c = float(np.dot(self._d, self._v))
        cbar = float(np.dot(seg.n, seg.c) / seg.n.sum())
        compliance = (float(np.dot(self._d * self._ck, self._v)) * cbar / v_c) if v_c > 0 \
            else 0.0
        self._extra_per_study = max(float(np.dot(self._d, self._s_bundle - cbar * self._ck)),
                                    0.0)
        x = self._extra_per_study
        self._anchors = common.service_anchors(
            v_c, compliance, s.creator, s.value,
            qaly_gain_per_patient=s.value.qaly_gain_per_patient * x,
            savings_per_patient=s.value.savings_per_patient * x)
        self._ramp = s.ramp.for_years(s.creator.horizon_years, owner=f"problem '{s.name}'")
        self._pathway: PathwayEvaluator | None = None
        self._pw_task = 0
        if s.pathway is not None and s.pathway_task is not None:
            require_sources(s.pathway, s.sources, owner=f"problem '{s.name}'")
            wtp = s.value.wtp_per_qaly
            self._pw_task = self.task_names.index(s.pathway_task)
            pw = self._pathway = PathwayEvaluator.build(s.pathway, seg.names, wtp=wtp,
                                                        mu=mix.mu, today_exams=seg.n)
            self._today_spend += pw.today_cost
            self._check_pathway_matches_task(pw)
            # an AI study (every task run, as under the bundle) replaces today's separate
            # human services on it; every study is read in both arms (c/u = 1)
            replaced = mix.mu * (seg.c[:, None] * self._d * self._ck * self._v).sum(axis=1)
            ce = cost_effective_payment(
                pw.arrays, wtp, population=seg.n, compliance=seg.u, uptake=seg.u,
                comparator_payment=replaced, mu=mix.mu, rate_multiple=mix.mu)
            self._anchors = with_pathway_anchor(self._anchors, ce, wtp, unit="USD per study")
        self._v2 = s.pathway is not None or not is_immediate(self._ramp)
        d = s.decisions
        self._decisions = (
            Quantity("p", "USD per study",
                     "bundle code's base price per study (times the level of service)"),
            *(Quantity(f"p_{t}", "USD per billed task", f"per-task code's price for {t}")
              for t in self.coded_tasks),
            Quantity("f", "USD per study", "creator's fee per AI-analyzed study"),
        )
        self._bounds = (d.p, *(d.task_prices.get(t, d.task_price) for t in self.coded_tasks),
                        d.f)
        objective_info = [*OBJECTIVE_INFO]
        if self._pathway is not None:
            objective_info.append(Quantity(
                HEALTH_GAIN[0], HEALTH_GAIN[1],
                f"lifetime QALYs gained a year after the {s.pathway_task} results of every "
                "study read, with or without the AI (maximized when chosen)"))
        self._objective_info = {q.name: q for q in objective_info}
        share = "share of indicated task results"
        rep: list[Quantity] = []
        for g in self.segment_names:
            rep += [
                Quantity(f"coverage_{g}", share,
                         f"share of setting {g}'s indicated task results delivered"),
                Quantity(f"adoption_{g}", "share of sites",
                         f"share of setting {g}'s sites using the generalist AI"),
                Quantity(f"code_{g}", "code set",
                         f"code set setting {g}'s adopting sites bill (0 none adopt, 1 "
                         "per-task codes, 2 bundle code)"),
            ]
        for t in self.task_names:
            rep.append(Quantity(f"delivered_{t}", share,
                                f"share of indicated {t} results delivered, all settings "
                                "(NaN when never indicated)"))
        rep += [
            Quantity("ai_studies", "studies per year", "studies analyzed by the AI"),
            Quantity("bundle_share", "share of AI-analyzed studies",
                     "share of AI-analyzed studies paid through the bundle code (NaN with none)"),
            Quantity("results_delivered", "task results per year",
                     "indicated task results delivered, by AI or as today"),
            Quantity("missed_results", "task results per year",
                     "indicated task results not delivered"),
            Quantity("payment_per_study", "USD per study",
                     "payers' mean payment per AI-analyzed study (NaN with none)"),
            Quantity("medicare_spend", "USD per year", "Medicare's share of payer_spend"),
            quantities.budget_impact_quantity(),
            quantities.icer_quantity(
                "incremental cost per QALY vs today (NaN when no extra result is delivered)"),
            Quantity("largest_offer", "USD per study",
                     "largest payment per study offered at Medicare rates, "
                     "max(sum_k d_k p_k, p E[L])"),
            *quantities.slack_quantities("USD per study", "largest_offer"),
        ]
        if self._pathway is not None:
            rep += [Quantity(*row) for row in
                    reported_pathway_quantities("USD", s.value.wtp_per_qaly)]
        if self._v2:
            rep += [Quantity(f"spend_{j.name}", "USD per year",
                             f"{j.name}'s payments for AI-analyzed studies, the human services "
                             "they replace and its share of the downstream pathway")
                    for j in s.payers]
            rep += common.budget_quantities({}, self._ramp)
        self._declare_reported(rep)

    def _guardrail_table(self) -> dict[str, Guardrail]:
        s = self.spec
        gr = s.guardrails
        return {
            **common.priced_rails(self._anchors, "USD per study",
                                  "largest offer per study max(sum_k d_k p_k, p E[L])", s.creator,
                                  todays_spend=self._today_spend),
            "equity_floor": common.equity_floor_rail(gr.equity_floor.min_coverage,
                                                     "share of indicated task results",
                                                     "worst setting's delivered share"),
            "single_code": Guardrail(
                "single_code", "USD per study", 1.0,
                "one code set only: the bundle price p or every per-task price is 0"),
        }

    @property
    def level_multiplier(self) -> float:
        """``E[L]``: the bundle's expected payment multiplier per study."""
        return self._level

    @property
    def todays_access(self) -> float:
        """Share of indicated task results delivered today, equity-weighted."""
        today_g = self._seg.n * self._seg.c * float(np.dot(self._d, self._ck))
        return float(np.sum(self._seg.e * today_g) / self._en_total)

    def per_task_only(self) -> GeneralistBundleProblem:
        """The same problem with the bundle price fixed at 0: per-task codes only."""
        return self._with_bounds({"p": spec.Bounds(lower=0.0, upper=0.0)})

    def bundle_only(self) -> GeneralistBundleProblem:
        """The same problem with every per-task price fixed at 0: the bundle code only."""
        zero = spec.Bounds(lower=0.0, upper=0.0)
        return self._with_bounds({f"p_{t}": zero for t in self.coded_tasks})

    def _with_bounds(self, changes: Mapping[str, spec.Bounds]) -> GeneralistBundleProblem:
        s = self.spec
        new = common.decisions_with_bounds(s.decisions, changes,
                                           {f"p_{t}": ("task_prices", t) for t in self.coded_tasks})
        return GeneralistBundleProblem(s.replace(decisions=new))

    # ------------------------------------------------------------- evaluation
    def _evaluate(self, X: np.ndarray, report: bool) -> Evaluation:
        """All candidates at once: settings on axis 1, tasks on axis 2 (USD, shares)."""
        s = self.spec
        N = X.shape[0]
        K = len(self.task_names)
        p = X[:, 0:1]  # (N, 1) bundle base price
        f = X[:, -1:]  # (N, 1)
        prices = np.zeros((N, K))
        prices[:, self._coded_idx] = X[:, 1:-1]
        seg, mix = self._seg, self._mix
        mu = mix.mu
        # per-task code set: a site runs a coded task where its code covers the reporting cost
        task_margin = mu[None, :, None] * prices[:, None, :] - self._w  # (N, G, K)
        run_task = (task_margin > 0) & self._coded  # (N, G, K)
        pi_task = (self._d * np.where(run_task, task_margin, 0.0)).sum(axis=2) - f - seg.k
        pi_bundle = mu * p * self._level - self._bundle_cost - f - seg.k  # (N, G)
        bundle = pi_bundle > pi_task
        pi = np.where(bundle, pi_bundle, pi_task)
        A, cost = self._curve(seg.q * pi, seg.kbar)
        U = seg.nu * A  # (N, G) analyzed studies
        run = np.where(bundle[:, :, None], True, run_task)
        x = (seg.u * A)[:, :, None] * run  # (N, G, K) share of studies taken over
        s_star = np.where(bundle[:, :, None], self._s_bundle, self._s_task)
        nd = seg.n[:, None] * self._d  # (G, K) indicated studies per year
        today = seg.c[:, None] * self._ck  # (G, K)
        ai_del = nd * x * s_star
        human = nd * (1.0 - x) * today
        delivered = ai_del + human  # (N, G, K)
        pay_task = (self._d * prices[:, None, :] * run_task).sum(axis=2)  # (N, G) Medicare
        pay = np.where(bundle, p * self._level, pay_task)  # Medicare rate per study
        comparator = (human * self._v).sum(axis=2)  # (N, G) Medicare-rate comparator spend
        payer_spend = (U * mu * pay).sum(axis=1) + (comparator * mu).sum(axis=1)
        uses = U.sum(axis=1)
        cr = s.creator
        if is_immediate(self._ramp):
            creator_npv = quantities.creator_npv(self._ann, cr, f[:, 0], uses)
        else:
            creator_npv = creator_npv_on_ramp((f[:, 0] - cr.marginal_cost) * uses,
                                              cr.annual_fixed_cost, cr.upfront_investment,
                                              self._ramp, cr.discount_rate)
        outcomes: Outcomes | None = None
        if self._pathway is not None:
            outcomes = self._pathway.outcomes(*self._pathway_exams(x))
            payer_spend = payer_spend + outcomes.cost
        served_g = delivered.sum(axis=2)  # (N, G)
        access = (served_g * seg.e).sum(axis=1) / self._en_total
        provider_margin = (U * pi).sum(axis=1) - (cost * seg.S).sum(axis=1)
        coverage = served_g / self._needs
        objectives = quantities.core_objectives(payer_spend, creator_npv, access,
                                                provider_margin, coverage)
        if outcomes is not None:
            objectives["health_gain"] = outcomes.qaly
        equity = objectives["equity"]
        offer = np.maximum(prices @ self._d, p[:, 0] * self._level)
        av = self._anchors.values()
        gr = s.guardrails
        own: dict[str, np.ndarray] = {}
        if gr.single_code.enabled:
            top_task = prices.max(axis=1) if K else np.zeros(N)
            own["single_code"] = np.minimum(p[:, 0], top_task)
        cons = common.rail_values((r.name for r in self._guardrails), common.RailInputs(
            anchors=av, price=offer, fee=f[:, 0], payer_spend=payer_spend,
            creator_npv=creator_npv, equity=equity, todays_spend=self._today_spend,
            min_coverage=gr.equity_floor.min_coverage), own=own)
        reported: dict[str, np.ndarray] = {}
        if report:
            code = np.where(A > 0, np.where(bundle, 2.0, 1.0), 0.0)
            for j, g in enumerate(self.segment_names):
                reported[f"coverage_{g}"] = coverage[:, j]
                reported[f"adoption_{g}"] = A[:, j]
                reported[f"code_{g}"] = code[:, j]
            nd_k = nd.sum(axis=0)  # (K,) indicated studies per year, all settings
            per_task = quantities.ratio_or_nan(delivered.sum(axis=1), nd_k)
            for i, t in enumerate(self.task_names):
                reported[f"delivered_{t}"] = per_task[:, i]
            results = served_g.sum(axis=1)
            spend_ai = (U * mu * pay).sum(axis=1)
            reported["bundle_share"] = quantities.ratio_or_nan((U * bundle).sum(axis=1), uses)
            reported["payment_per_study"] = quantities.ratio_or_nan(spend_ai, uses)
            reported["ai_studies"] = uses
            reported["results_delivered"] = results
            reported["missed_results"] = float(self._needs.sum()) - results
            wm = mix.w_medicare
            reported["medicare_spend"] = mix.mu_medicare * (
                (U * wm * pay).sum(axis=1) + (comparator * wm).sum(axis=1))
            reported.update(quantities.value_report(payer_spend, self._today_spend,
                                                    results - self._today_delivered, s.value))
            reported["largest_offer"] = offer
            reported.update(quantities.anchor_slacks(av, offer, f[:, 0]))
            if outcomes is not None and self._pathway is not None:
                reported.update(self._pathway.report(outcomes, payer_spend, self._today_spend))
            if self._v2:
                by_payer = self._spend_by_payer(U * pay, comparator, x)
                for j in s.payers:
                    reported[f"spend_{j.name}"] = by_payer[j.name]
                if self._pathway is not None and "medicare" in by_payer:
                    reported["medicare_spend"] = by_payer["medicare"]
                bi = budget_impact(by_payer, self._todays_spend_by_payer(), self._ramp,
                                   cr.discount_rate)
                reported.update(budget_columns(bi))
        return Evaluation(objectives, cons, reported)

    # ------------------------------------------------------------- v2 read-outs
    def _check_pathway_matches_task(self, pw: PathwayEvaluator) -> None:
        """Warn (one line) where the pathway's prevalence and sensitivities differ from the
        task's indicated share, bundle delivery and today's delivery ``c_g c_k``: then the
        pathway's true positives are not the task's delivered results."""
        k = self._pw_task
        arr = pw.arrays
        checks = {
            "prevalence": (arr.rho, np.full_like(arr.rho, self._d[k])),
            "ai.sensitivity": (arr.ai.se, np.full_like(arr.rho, self._s_bundle[k])),
            "comparator.sensitivity": (arr.cmp.se, self._seg.c * self._ck[k]),
        }
        off = [f"{name} in {g} ({have[i]:.3g} vs the task's {want[i]:.3g})"
               for name, (have, want) in checks.items()
               for i, g in enumerate(self.segment_names) if abs(have[i] - want[i]) > 1e-9]
        if off:
            logger.warning("pathway of task '%s' differs from the task's own figures: %s; its "
                           "true positives are then not the task's delivered results",
                           self.task_names[k], "; ".join(off))

    def _pathway_exams(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Studies a year in the pathway's AI arm (the AI runs its task: ``n_g x_gk``) and
        comparator arm (read as today: ``n_g (1 - x_gk)``), ``(N, G)`` each."""
        n = self._seg.n
        ai = n * x[:, :, self._pw_task]
        return ai, n - ai

    def _spend_by_payer(self, ai_pay: np.ndarray, comparator: np.ndarray,
                        x: np.ndarray) -> dict[str, np.ndarray]:
        """Payer -> ``(N,)`` annual spend (USD per year): its rate times its share of the
        AI-study payments ``ai_pay`` and of the human services ``comparator`` (``(N, G)``,
        Medicare rates), plus its share of the downstream pathway."""
        s = self.spec
        w = common.payer_weights(s.segments, s.payers)
        out = {j.name: j.rate_multiplier * ((ai_pay + comparator) * w[j.name]).sum(axis=1)
               for j in s.payers}
        if self._pathway is not None:
            cost = common.pathway_cost_by_payer(self._pathway.arrays,
                                                *self._pathway_exams(x), s.segments, s.payers)
            out = {j: v + cost[j] for j, v in out.items()}
        return out

    def _todays_spend_by_payer(self) -> dict[str, float]:
        """Payer -> annual spend today (USD per year): today's human services and the
        pathway of every study read as today."""
        seg = self._seg
        today = (seg.n[:, None] * self._d * seg.c[:, None] * self._ck * self._v).sum(axis=1)
        G, K = len(seg.names), len(self.task_names)
        by = self._spend_by_payer(np.zeros((1, G)), today[None, :], np.zeros((1, G, K)))
        return {j: float(v[0]) for j, v in by.items()}

    def budget_impact(self, X: np.ndarray) -> BudgetImpact:
        """Budget impact of candidates ``X`` by payer and year over the creator's horizon, on
        the problem's adoption ramp (USD per year; see :mod:`paretoprice.optim.budget`).
        A file with neither a pathway nor a ramp has one payer, ``all``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        ev = self._evaluate(X, True)
        if self._v2:
            steady = {j.name: ev.reported[f"spend_{j.name}"] for j in self.spec.payers}
            today = self._todays_spend_by_payer()
        else:
            steady, today = {"all": ev.objectives["payer_spend"]}, {"all": self._today_spend}
        return budget_impact(steady, today, self._ramp, self.spec.creator.discount_rate)
