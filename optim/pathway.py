"""The clinical pathway after an exam: downstream cost and health gain (model v2).

Version 1 treats an AI exam as a perfect substitute for the human-performed exam and
counts nothing after it. A pathway adds what happens to patients after a result, per
setting of care (segment) ``g`` and per arm (``ai``: the AI exam; ``cmp``: the
comparator, the human-performed exam):

=================  ==========================================================  ========
symbol             meaning                                                     unit
=================  ==========================================================  ========
``rho_g``          prevalence of the target condition among those examined     share
``se, sp``         sensitivity and specificity of the arm                      share
``phi``            share of positives whose follow-up is completed             share
``d``              cost of the follow-up per positive followed up              money
``t``              net treatment cost per true positive treated (treatment     money
                   minus the later costs it averts; may be negative)
``q_tp``           QALYs gained per true positive treated                      QALY
``q_fp``           QALYs lost per false positive followed up                   QALY
``m``              minutes to treatment saved per true positive treated in     minutes
                   the arm (time-critical conditions; 0 by default)
``q_m``            QALYs gained per minute saved, per true positive treated    QALY/min
``t_m``            change in net treatment cost per minute saved (may be       money/min
                   negative: faster treatment averts later care)
=================  ==========================================================  ========

For an arm with ``X`` patients examined a year::

    TP = X rho se              FP = X (1 - rho) (1 - sp)
    downstream cost = (TP + FP) phi d m_d + TP phi t m_t           (money per year)
    health gain     = TP phi q_tp - FP phi q_fp                    (QALYs per year)

For a time-critical condition (stroke) an arm may treat its true positives sooner: with
``m`` minutes saved in the arm, ``q_tp`` becomes ``q_tp + m q_m`` and ``t`` becomes
``t + m t_m`` in that arm (``m = q_m = t_m = 0`` by default leaves both unchanged, bit
for bit).

``m_d`` and ``m_t`` say how each item is paid: ``fee_schedule`` (the default for ``d``)
multiplies the amount by the segment's payer-mix rate multiplier ``mu_g``;
``all_payer`` (the default for ``t``) takes the amount as stated, whatever the payer.

``health gain`` counts the QALYs each year's examined cohort gains over its lifetime
(one prevalence for newly reached and previously examined patients, no repeat exam
within the year).

Everything is linear in ``X``: each function takes ``(N, G)`` arrays (candidates x
segments) and never loops over candidates. Against the status quo (every segment at
today's compliance with the comparator, no AI) a point has an incremental cost, an
incremental QALY count, an ICER with its label (:func:`icer_with_label`) and a net
monetary benefit (:func:`net_monetary_benefit`). The pathway's cost-effective price
(:func:`cost_effective_payment`) is the largest payment per AI exam at which the NMB
against the status quo is zero.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from paretoprice.optim.anchors import Anchor, Anchors
from paretoprice.optim.errors import ParameterError
from paretoprice.optim.frozen import Frozen
from paretoprice.optim.rows import row_sum

logger = logging.getLogger(__name__)

PaidHow = Literal["fee_schedule", "all_payer"]

WTP_THRESHOLDS: tuple[float, ...] = (50_000.0, 100_000.0, 150_000.0)
"""Willingness-to-pay thresholds (USD per QALY) at which NMB is always reported: the
common US range 50k-150k (JMCP 2019; AMA J Ethics 2021; reference figures
``wtp_per_qaly_low`` / ``wtp_per_qaly_high``, 2019) and its midpoint."""

ICER_LABELS: dict[int, str] = {
    0: "no difference",
    1: "dominant",
    2: "dominated",
    3: "more costly, more effective",
    4: "less costly, less effective",
}
"""Codes of :func:`icer_with_label` (reported columns are numeric; the code's text is here)."""

ICER_LABEL_UNIT = "code: " + "; ".join(f"{k} {v}" for k, v in ICER_LABELS.items())
"""Unit string of a reported ``icer_label`` column: the legend of its codes."""


# ---------------------------------------------------------------------------
# Specification blocks
# ---------------------------------------------------------------------------


_ZERO_NEEDS_NO_SOURCE = frozenset({"minutes_saved", "qaly_per_minute", "cost_per_minute"})
"""Optional time-to-treatment terms: at 0 they change nothing and need no source."""


class PathwayArm(Frozen):
    """One arm's accuracy and follow-up (the AI exam, or the comparator exam).

    Attributes
    ----------
    sensitivity, specificity
        Accuracy of the arm for the target condition (shares).
    follow_up_completion
        ``phi``: share of positives whose follow-up is completed (share). An AI referral
        is often not followed through; a definitive human exam treats on the spot (near 1).
    follow_up_cost
        ``d``: cost of the follow-up per positive followed up (money per positive); 0
        where the exam is itself definitive.
    follow_up_paid
        ``fee_schedule``: ``d`` is a fee-schedule amount, multiplied by the segment's
        payer multiplier ``mu_g``; ``all_payer``: ``d`` is what payers pay, as stated.
    minutes_saved
        ``m``: minutes to treatment saved per true positive treated in this arm, against
        the usual workflow (minutes; 0 by default). Valued with the pathway's
        ``qaly_per_minute`` and ``cost_per_minute``.
    """

    sensitivity: float = Field(ge=0, le=1)
    specificity: float = Field(ge=0, le=1)
    follow_up_completion: float = Field(ge=0, le=1)
    follow_up_cost: float = Field(ge=0)
    follow_up_paid: PaidHow = "fee_schedule"
    minutes_saved: float = Field(default=0.0, ge=0, le=1440)


class PathwayArmOverride(Frozen):
    """A segment's changes to an arm; fields left out keep the pathway's values."""

    sensitivity: float | None = Field(default=None, ge=0, le=1)
    specificity: float | None = Field(default=None, ge=0, le=1)
    follow_up_completion: float | None = Field(default=None, ge=0, le=1)
    follow_up_cost: float | None = Field(default=None, ge=0)
    follow_up_paid: PaidHow | None = None
    minutes_saved: float | None = Field(default=None, ge=0, le=1440)


class PathwaySegmentOverride(Frozen):
    """A segment's changes to the pathway (e.g. its own prevalence or completion)."""

    prevalence: float | None = Field(default=None, ge=0, le=1)
    treatment_cost: float | None = None
    treatment_paid: PaidHow | None = None
    qaly_per_tp: float | None = Field(default=None, ge=0)
    qaly_loss_per_fp: float | None = Field(default=None, ge=0)
    qaly_per_minute: float | None = Field(default=None, ge=0)
    cost_per_minute: float | None = None
    ai: PathwayArmOverride = PathwayArmOverride()
    comparator: PathwayArmOverride = PathwayArmOverride()


class Pathway(Frozen):
    """The pathway of a problem: shared values plus optional per-segment overrides.

    Attributes
    ----------
    condition
        What the exam looks for, in words (e.g. ``referable diabetic retinopathy``).
    prevalence
        ``rho``: share of examined patients with the condition (share).
    treatment_cost
        ``t``: net treatment cost per true positive treated (money per patient; may be
        negative when treatment averts more later cost than it costs).
    treatment_paid
        How ``t`` is paid (``all_payer`` by default; see :class:`PathwayArm`).
    qaly_per_tp
        ``q_tp``: QALYs gained per true positive treated (lifetime, QALY per patient).
    qaly_loss_per_fp
        ``q_fp``: QALYs lost per false positive followed up (QALY per patient).
    qaly_per_minute
        ``q_m``: QALYs gained per minute to treatment saved, per true positive treated
        (QALY per minute; 0 by default). With an arm's ``minutes_saved`` ``m`` that arm's
        true positives gain ``q_tp + m q_m``.
    cost_per_minute
        ``t_m``: change in the net treatment cost per minute saved, per true positive
        treated (money per minute; may be negative; 0 by default; paid like ``t``).
    ai, comparator
        The two arms (:class:`PathwayArm`).
    segments
        Segment name -> :class:`PathwaySegmentOverride`.
    """

    condition: str = ""
    prevalence: float = Field(ge=0, le=1)
    treatment_cost: float
    treatment_paid: PaidHow = "all_payer"
    qaly_per_tp: float = Field(ge=0)
    qaly_loss_per_fp: float = Field(default=0.0, ge=0)
    qaly_per_minute: float = Field(default=0.0, ge=0)
    cost_per_minute: float = 0.0
    ai: PathwayArm
    comparator: PathwayArm
    segments: dict[str, PathwaySegmentOverride] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _finite(self) -> Pathway:
        if not np.isfinite(self.treatment_cost):
            raise ValueError(f"treatment_cost must be a finite number, got {self.treatment_cost}")
        if not np.isfinite(self.cost_per_minute):
            raise ValueError(f"cost_per_minute must be a finite number, got "
                             f"{self.cost_per_minute}")
        return self

    def check_segments(self, names: Sequence[str]) -> None:
        """Every ``pathway.segments.<name>`` names a declared segment (else ``ValueError``)."""
        unknown = sorted(set(self.segments) - set(names))
        if unknown:
            raise ValueError(
                f"pathway.segments names unknown segment(s) {unknown}; segments are "
                f"{list(names)}"
            )

    def arrays(self, names: Sequence[str]) -> PathwayArrays:
        """The pathway resolved per segment, as ``(G,)`` arrays in the order of ``names``."""
        self.check_segments(names)
        rows = [self._resolved(g) for g in names]

        def col(key: str) -> np.ndarray:
            return np.array([r[key] for r in rows], dtype=float)

        def arm(prefix: str) -> ArmArrays:
            return ArmArrays(
                se=col(f"{prefix}.sensitivity"), sp=col(f"{prefix}.specificity"),
                phi=col(f"{prefix}.follow_up_completion"), d=col(f"{prefix}.follow_up_cost"),
                d_fee=np.array([r[f"{prefix}.follow_up_paid"] == "fee_schedule"
                                for r in rows]),
                minutes=col(f"{prefix}.minutes_saved"),
            )

        return PathwayArrays(
            names=tuple(names), rho=col("prevalence"), t=col("treatment_cost"),
            t_fee=np.array([r["treatment_paid"] == "fee_schedule" for r in rows]),
            q_tp=col("qaly_per_tp"), q_fp=col("qaly_loss_per_fp"),
            q_min=col("qaly_per_minute"), t_min=col("cost_per_minute"),
            ai=arm("ai"), cmp=arm("comparator"),
        )

    def _resolved(self, segment: str) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in (
            "prevalence", "treatment_cost", "treatment_paid", "qaly_per_tp", "qaly_loss_per_fp",
            "qaly_per_minute", "cost_per_minute")}
        for arm in ("ai", "comparator"):
            for k, v in getattr(self, arm).model_dump().items():
                out[f"{arm}.{k}"] = v
        ov = self.segments.get(segment)
        if ov is not None:
            for k in ("prevalence", "treatment_cost", "treatment_paid", "qaly_per_tp",
                      "qaly_loss_per_fp", "qaly_per_minute", "cost_per_minute"):
                if getattr(ov, k) is not None:
                    out[k] = getattr(ov, k)
            for arm in ("ai", "comparator"):
                for k, v in getattr(ov, arm).model_dump().items():
                    if v is not None:
                        out[f"{arm}.{k}"] = v
        return out

    def number_paths(self, prefix: str = "pathway") -> list[str]:
        """Dotted paths of every number given in this pathway (for the source check)."""
        paths: list[str] = []

        def walk(model: Frozen, path: str) -> None:
            for name in model.model_fields_set:
                v = getattr(model, name)
                p = f"{path}.{name}"
                if isinstance(v, Frozen):
                    walk(v, p)
                elif isinstance(v, dict):
                    for key, sub in v.items():
                        if isinstance(sub, Frozen):
                            walk(sub, f"{p}.{key}")
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    if name in _ZERO_NEEDS_NO_SOURCE and v == 0:
                        continue  # a time term left out (a copied spec sets every field)
                    paths.append(p)

        walk(self, prefix)
        return sorted(paths)


def require_sources(pathway: Pathway, sources: Mapping[str, str], owner: str = "",
                    prefix: str = "pathway") -> None:
    """Every pathway number carries a source, or is marked as an assumption.

    ``sources`` is a spec's :attr:`~paretoprice.optim.spec.ProblemSpecBase.sources` (dotted
    path -> source text, filled from ``{value = x, source = "..."}`` numbers). Raises
    :class:`~paretoprice.optim.errors.ParameterError` naming the first unsourced number.
    """
    missing = [p for p in pathway.number_paths(prefix) if not str(sources.get(p, "")).strip()]
    if missing:
        raise ParameterError(
            missing[0], "a number with its source or marked as an assumption",
            "a plain number",
            fix='write it as {value = x, source = "<study, year>"} or '
                '{value = x, source = "assumption: <why>"}.',
            owner=owner)


def segments_losing_access(names: Sequence[str], compliance: np.ndarray,
                           uptake: np.ndarray) -> list[str]:
    """Segments where uptake is below today's compliance (``u_g < c_g``): there adoption
    lowers the share served. Logs one warning naming them; returns their names."""
    low = [g for g, c, u in zip(names, compliance, uptake, strict=True) if u < c]
    if low:
        logger.warning("uptake is below today's compliance in segment(s) %s: adopting the AI "
                       "there lowers the share of patients served", ", ".join(low))
    return low


# ---------------------------------------------------------------------------
# Arrays and vectorized outcomes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmArrays:
    """An arm per segment, ``(G,)`` each: ``se``, ``sp``, ``phi`` (shares), ``d`` (money
    per positive followed up), ``d_fee`` (True: ``d`` scales with the payer multiplier),
    ``minutes`` (minutes to treatment saved per true positive treated; ``None``: none)."""

    se: np.ndarray
    sp: np.ndarray
    phi: np.ndarray
    d: np.ndarray
    d_fee: np.ndarray
    minutes: np.ndarray | None = None


@dataclass(frozen=True)
class PerExam:
    """Expected outcomes per patient examined in one arm, ``(G,)`` each.

    ``tp``/``fp``: true/false positives per exam (shares); ``cost``: downstream cost paid
    per exam (money per exam); ``qaly``: QALYs gained per exam (QALY per exam).
    """

    tp: np.ndarray
    fp: np.ndarray
    cost: np.ndarray
    qaly: np.ndarray


@dataclass(frozen=True)
class Outcomes:
    """Downstream cost (money per year) and health gain (QALYs per year) of both arms,
    ``(N, G)`` each (candidates x segments)."""

    cost_ai: np.ndarray
    cost_cmp: np.ndarray
    qaly_ai: np.ndarray
    qaly_cmp: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        """Downstream cost of both arms, ``(N,)`` money per year."""
        return row_sum(self.cost_ai) + row_sum(self.cost_cmp)

    @property
    def qaly(self) -> np.ndarray:
        """Health gain of both arms, ``(N,)`` QALYs per year."""
        return row_sum(self.qaly_ai) + row_sum(self.qaly_cmp)


@dataclass(frozen=True)
class PathwayArrays:
    """A :class:`Pathway` resolved per segment (see the module docstring for symbols)."""

    names: tuple[str, ...]
    rho: np.ndarray
    t: np.ndarray
    t_fee: np.ndarray
    q_tp: np.ndarray
    q_fp: np.ndarray
    ai: ArmArrays
    cmp: ArmArrays
    q_min: np.ndarray | None = None
    t_min: np.ndarray | None = None

    def per_tp(self, arm: ArmArrays) -> tuple[np.ndarray, np.ndarray]:
        """``(q_tp, t)`` of ``arm`` per true positive treated, ``(G,)`` each: QALYs and net
        treatment cost with the arm's minutes saved valued (``q_tp + m q_m``, ``t + m
        t_m``); the pathway's own arrays, untouched, when no minutes are saved."""
        m = arm.minutes
        if m is None or not np.any(m):
            return self.q_tp, self.t
        q_m = np.zeros_like(m) if self.q_min is None else self.q_min
        t_m = np.zeros_like(m) if self.t_min is None else self.t_min
        return self.q_tp + m * q_m, self.t + m * t_m

    def per_exam(self, arm: ArmArrays, mu: np.ndarray | float = 1.0) -> PerExam:
        """Outcomes per patient examined in ``arm``; ``mu`` the payer multiplier (``(G,)``)."""
        mu = np.broadcast_to(np.asarray(mu, dtype=float), self.rho.shape)
        tp = self.rho * arm.se
        fp = (1.0 - self.rho) * (1.0 - arm.sp)
        m_d = np.where(arm.d_fee, mu, 1.0)
        m_t = np.where(self.t_fee, mu, 1.0)
        q_tp, t = self.per_tp(arm)
        cost = (tp + fp) * arm.phi * arm.d * m_d + tp * arm.phi * t * m_t
        qaly = tp * arm.phi * q_tp - fp * arm.phi * self.q_fp
        return PerExam(tp=tp, fp=fp, cost=cost, qaly=qaly)

    def outcomes(self, ai_exams: np.ndarray, cmp_exams: np.ndarray,
                 mu: np.ndarray | float = 1.0) -> Outcomes:
        """Downstream cost and health gain for ``ai_exams`` (``U``) and ``cmp_exams`` (``H``)
        patients examined a year, ``(N, G)`` or ``(G,)`` each."""
        a = self.per_exam(self.ai, mu)
        c = self.per_exam(self.cmp, mu)
        U = np.atleast_2d(ai_exams)
        H = np.atleast_2d(cmp_exams)
        return Outcomes(cost_ai=U * a.cost, cost_cmp=H * c.cost,
                        qaly_ai=U * a.qaly, qaly_cmp=H * c.qaly)


# ---------------------------------------------------------------------------
# Incremental analysis against the status quo
# ---------------------------------------------------------------------------


def icer_with_label(d_cost: np.ndarray, d_qaly: np.ndarray, cost_tol: float = 1e-6,
                    qaly_tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """The ICER and its label for incremental costs and QALYs against the status quo.

    Returns ``(ratio, code)``: ``code`` indexes :data:`ICER_LABELS`; ``ratio`` is
    ``d_cost / d_qaly`` (money per QALY) for ``more costly, more effective`` (the extra
    cost per QALY gained) and ``less costly, less effective`` (the saving per QALY given
    up), NaN otherwise: a dominant or dominated strategy has no meaningful ratio (the
    negative ratios of v1 mixed both). Differences within ``cost_tol`` (money) or
    ``qaly_tol`` (QALY) of zero count as zero.

    Examples
    --------
    >>> r, c = icer_with_label(np.array([-5.0, 5.0, 100.0, -100.0, 0.0]),
    ...                        np.array([1.0, -1.0, 2.0, -4.0, 0.0]))
    >>> [ICER_LABELS[int(k)] for k in c]
    ['dominant', 'dominated', 'more costly, more effective', 'less costly, less effective', \
'no difference']
    >>> float(r[2]), float(r[3])
    (50.0, 25.0)
    """
    dc = np.asarray(d_cost, dtype=float)
    dq = np.asarray(d_qaly, dtype=float)
    c_pos, c_neg = dc > cost_tol, dc < -cost_tol
    q_pos, q_neg = dq > qaly_tol, dq < -qaly_tol
    c_zero, q_zero = ~(c_pos | c_neg), ~(q_pos | q_neg)
    code = np.zeros(np.broadcast(dc, dq).shape, dtype=float)
    code[(~c_pos) & (~q_neg) & ~(c_zero & q_zero)] = 1.0    # no more costly, no less effective
    code[(~c_neg) & (~q_pos) & ~(c_zero & q_zero)] = 2.0    # no less costly, no more effective
    code[c_pos & q_pos] = 3.0
    code[c_neg & q_neg] = 4.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((code == 3.0) | (code == 4.0), dc / np.where(q_zero, 1.0, dq), np.nan)
    return ratio, code


def icer_label_text(code: np.ndarray | float) -> list[str] | str:
    """The text of ICER label code(s) (see :data:`ICER_LABELS`)."""
    if np.ndim(code) == 0:
        return ICER_LABELS[int(np.asarray(code))]
    return [ICER_LABELS[int(k)] for k in np.asarray(code).ravel()]


def net_monetary_benefit(d_cost: np.ndarray, d_qaly: np.ndarray,
                         wtp: float) -> np.ndarray:
    """``NMB(lambda) = lambda dQALY - dCost`` (money per year; > 0: worth it at ``wtp``).

    Examples
    --------
    >>> float(net_monetary_benefit(np.array(1000.0), np.array(0.05), 50_000.0))
    1500.0
    """
    return wtp * np.asarray(d_qaly, dtype=float) - np.asarray(d_cost, dtype=float)


@dataclass(frozen=True)
class CostEffectivePrice:
    """The pathway's cost-effective payment per AI exam.

    Attributes
    ----------
    per_segment
        ``P*_g``: payment per AI exam (all payers, the exam itself) at which the NMB of
        segment ``g`` against the status quo is zero at ``lambda`` (money per exam).
    price
        The single rate ``p*`` with total NMB zero when every segment adopts in the same
        proportion: ``sum_g w_g (P*_g - r_g p*) = 0`` with ``w_g = n_g u_g`` and ``r_g``
        the rate multiple each segment pays (money per exam in the rate's terms).
    """

    per_segment: np.ndarray
    price: float


def cost_effective_payment(
    pathway: PathwayArrays,
    wtp: float,
    *,
    population: np.ndarray,
    compliance: np.ndarray,
    uptake: np.ndarray,
    comparator_payment: np.ndarray,
    mu: np.ndarray,
    rate_multiple: np.ndarray,
    ai_other_payment: np.ndarray | float = 0.0,
) -> CostEffectivePrice:
    """The largest payment per AI exam at which the NMB against the status quo is zero.

    In a segment, each extra AI exam (adoption up by ``dA``: ``U = n u A`` up, ``H = n c
    (1 - A)`` down) replaces the comparator for ``c/u`` patients and reaches new patients
    for the rest. NMB is linear in ``A`` with slope ``n u [lambda (qa - (c/u) qc) - (da -
    (c/u)(vc + dc)) - P]``, so the root in ``P`` does not depend on adoption::

        P*_g = lambda (qa - (c/u) qc) - da + (c/u)(vc + dc) - other

    with ``qa, qc`` QALYs and ``da, dc`` downstream cost per exam of each arm,
    ``vc = comparator_payment`` the payers' payment per comparator exam (``(G,)``, money,
    already at the segment's payer multiplier), ``other`` any other payment per AI exam
    (e.g. a fund add-on). ``price`` turns the per-segment values into one rate ``p`` that
    segments pay ``rate_multiple`` times (``(G,)``: ``mu_g s_g`` in fee-for-service).
    Segments with ``u_g = 0`` get NaN and no weight.

    Examples
    --------
    One segment, perfect exams, no follow-up cost, ``t = 0``, ``q_tp = 0.1``, ``rho = 0.1``,
    ``c = 0.3``, ``u = 0.6``, ``vc = 100``, ``lambda = 1000``. Per exam both arms gain
    ``0.1 x 0.1 = 0.01`` QALY and cost nothing downstream, so
    ``P* = 1000 (0.01 - 0.5 x 0.01) + 0.5 x 100 = 5 + 50 = 55``.
    """
    ai = pathway.per_exam(pathway.ai, mu)
    cmp = pathway.per_exam(pathway.cmp, mu)
    u = np.asarray(uptake, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(u > 0, np.asarray(compliance, dtype=float) / np.where(u > 0, u, 1.0),
                         np.nan)
    p_star = (wtp * (ai.qaly - share * cmp.qaly) - ai.cost
              + share * (np.asarray(comparator_payment, dtype=float) + cmp.cost)
              - np.asarray(ai_other_payment, dtype=float))
    w = np.asarray(population, dtype=float) * u
    r = np.asarray(rate_multiple, dtype=float)
    ok = (u > 0) & (r > 0)
    den = float(np.sum(w[ok] * r[ok]))
    price = float(np.sum(w[ok] * p_star[ok]) / den) if den > 0 else float("nan")
    return CostEffectivePrice(per_segment=p_star, price=price)


def with_pathway_anchor(anchors: Anchors, ce: CostEffectivePrice, wtp: float,
                        unit: str = "USD per use") -> Anchors:
    """``anchors`` with ``cost_effective`` replaced by the pathway's ``p*`` (the largest
    rate per AI exam with NMB = 0 against the status quo at ``wtp``)."""
    per = ", ".join(f"{v:.2f}" for v in ce.per_segment)
    new = Anchor(
        "cost_effective", float(ce.price), unit,
        f"pathway: rate p* with NMB = 0 vs status quo at lambda = {wtp:g} "
        f"(payment per AI exam by setting: {per})",
        {"lambda": wtp, **{f"P*_{i}": float(v) for i, v in enumerate(ce.per_segment)}},
    )
    return Anchors(tuple(new if a.name == "cost_effective" else a for a in anchors))


# ---------------------------------------------------------------------------
# What a family adds to its evaluation when its problem has a pathway
# ---------------------------------------------------------------------------

HEALTH_GAIN = ("health_gain", "QALYs per year",
               "lifetime QALYs gained by each year's examined patients, both arms (maximized "
               "when chosen)")
"""Name, unit and meaning of the ``health_gain`` objective (QALYs per year, max)."""


def reported_pathway_quantities(currency: str = "USD",
                                wtp: float | None = None) -> tuple[tuple[str, str, str], ...]:
    """``(name, unit, meaning)`` of every quantity :meth:`PathwayEvaluator.report` returns."""
    at = f" at the problem's willingness to pay ({wtp:,.0f} {currency} per QALY)" \
        if wtp is not None else " at the problem's willingness to pay"
    rows = [
        ("downstream_cost", f"{currency} per year",
         "follow-up and net treatment cost after both arms' results (in payer_spend)"),
        ("incremental_cost", f"{currency} per year",
         "payer_spend minus the status quo's (comparator at today's compliance, with its "
         "downstream cost)"),
        ("incremental_qalys", "QALYs per year", "health_gain minus the status quo's"),
        ("icer", f"{currency} per QALY",
         "incremental cost per QALY vs the status quo; empty when dominant or dominated "
         "(see icer_label)"),
        ("icer_label", ICER_LABEL_UNIT, "dominance label of the ICER"),
        ("nmb", f"{currency} per year", "net monetary benefit vs the status quo" + at),
    ]
    rows += [(f"nmb_{int(w / 1000)}k", f"{currency} per year",
              f"net monetary benefit vs the status quo at {w:,.0f} {currency} per QALY")
             for w in WTP_THRESHOLDS]
    return tuple(rows)


@dataclass(frozen=True)
class PathwayEvaluator:
    """A pathway bound to a problem's settings of care, with its status quo.

    Attributes
    ----------
    arrays
        The resolved pathway (:class:`PathwayArrays`).
    wtp
        ``lambda``: the problem's willingness to pay (money per QALY).
    mu
        ``(G,)`` payer-mix multiplier of each setting (fee-schedule items scale by it).
    today_exams
        ``(G,)`` comparator exams a year today, ``n_g c_g``.
    today_cost, today_qaly
        Downstream cost (money per year) and health gain (QALYs per year) of the status quo.
    """

    arrays: PathwayArrays
    wtp: float
    mu: np.ndarray
    today_exams: np.ndarray
    today_cost: float
    today_qaly: float

    @classmethod
    def build(cls, pathway: Pathway, names: Sequence[str], *, wtp: float, mu: np.ndarray,
              today_exams: np.ndarray) -> PathwayEvaluator:
        """Resolve ``pathway`` for the settings ``names`` and compute the status quo."""
        arr = pathway.arrays(names)
        cmp = arr.per_exam(arr.cmp, mu)
        te = np.asarray(today_exams, dtype=float)
        return cls(arrays=arr, wtp=float(wtp), mu=np.asarray(mu, dtype=float),
                   today_exams=te, today_cost=float(np.sum(te * cmp.cost)),
                   today_qaly=float(np.sum(te * cmp.qaly)))

    def outcomes(self, ai_exams: np.ndarray, cmp_exams: np.ndarray) -> Outcomes:
        """Downstream cost and health gain of ``U`` AI and ``H`` comparator exams, ``(N, G)``."""
        return self.arrays.outcomes(ai_exams, cmp_exams, self.mu)

    def icer(self, out: Outcomes, payer_spend: np.ndarray, todays_spend: float) -> np.ndarray:
        """The ``icer`` column of :meth:`report` alone (money per QALY, NaN unless the
        ratio is meaningful), computed the same way."""
        d_cost = np.asarray(payer_spend, dtype=float) - todays_spend
        return icer_with_label(d_cost, out.qaly - self.today_qaly)[0]

    def report(self, out: Outcomes, payer_spend: np.ndarray,
               todays_spend: float) -> dict[str, np.ndarray]:
        """Incremental cost and QALYs, ICER and label, NMB at ``wtp`` and the thresholds.

        ``payer_spend`` (``(N,)``) and ``todays_spend`` both include the downstream cost.
        """
        d_cost = np.asarray(payer_spend, dtype=float) - todays_spend
        d_qaly = out.qaly - self.today_qaly
        ratio, code = icer_with_label(d_cost, d_qaly)
        rep = {
            "downstream_cost": out.cost,
            "incremental_cost": d_cost,
            "incremental_qalys": d_qaly,
            "icer": ratio,
            "icer_label": code,
            "nmb": net_monetary_benefit(d_cost, d_qaly, self.wtp),
        }
        for w in WTP_THRESHOLDS:
            rep[f"nmb_{int(w / 1000)}k"] = net_monetary_benefit(d_cost, d_qaly, w)
        return rep
