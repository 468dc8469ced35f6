"""Non-finite values never reach a solver or an indicator.

:func:`check_finite` is called once, where :meth:`PricingProblem.evaluate
<paretoprice.optim.problem.PricingProblem.evaluate>` assembles its results: an objective or
guardrail that is ``inf`` or ``nan`` (an overflow from a huge input, e.g. a benefit of
1e308 USD per case) raises :class:`~paretoprice.optim.errors.ParameterError` naming the
input that produced it, instead of reaching moocore or pymoo as garbage.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from paretoprice.optim.errors import ParameterError

if TYPE_CHECKING:
    from paretoprice.optim.problem import Evaluation, PricingProblem

_PROBES = 6
"""How many of the largest inputs are probed to find the one that overflows."""


MAY_BE_INFINITE: frozenset[str] = frozenset({"tco_at_volume"})
"""Reported quantities documented as infinite in a normal case (the creator's break-even
fee at a volume of zero uses). Other reported quantities may be NaN ("undefined", as
their descriptions say) but never infinite."""


def check_finite(problem: PricingProblem, X: np.ndarray, ev: Evaluation) -> None:
    """Raise :class:`ParameterError` when an objective or guardrail of ``ev`` is not finite,
    or a reported quantity is infinite (NaN there means "undefined", e.g. a ratio with
    nothing to divide by; see :data:`MAY_BE_INFINITE` for the one documented infinity).

    The message names the objective (or guardrail), the first offending candidate's
    decisions, and the input that produced it: the largest-magnitude inputs are set, one at
    a time, to a moderate value and that candidate is evaluated again; the first whose
    change makes the value finite is named (else the largest input is named as the likely
    cause). Costs one ``isfinite`` pass when everything is finite.
    """
    for kind, block in (("objective", ev.objectives), ("guardrail", ev.constraints)):
        for name, values in block.items():
            arr = np.asarray(values)
            if arr.dtype.kind not in "fc":
                continue
            bad = ~np.isfinite(arr)
            if not bad.any():
                continue
            row = int(np.flatnonzero(bad)[0])
            raise _error(problem, X, row, kind, name, float(arr[row]))
    for name, values in ev.reported.items():
        arr = np.asarray(values)
        if name in MAY_BE_INFINITE or arr.dtype.kind not in "fc":
            continue
        bad = np.isinf(arr)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _error(problem, X, row, "reported quantity", name, float(arr[row]))


def _error(problem: PricingProblem, X: np.ndarray, row: int, kind: str, name: str,
           value: float) -> ParameterError:
    x = X[row]
    where = ", ".join(f"{d} = {v:g}" for d, v in zip(problem.decision_names, x, strict=True))
    culprit = _culprit(problem, x, kind, name)
    if culprit is not None:
        path, given = culprit
        return ParameterError(
            path, "a number the model's arithmetic can handle (not extremely large or small)",
            given,
            fix=f"it makes the {kind} '{name}' {value} (at {where}); give a realistic value.",
            owner=f"problem '{problem.name}'")
    return ParameterError(
        f"{kind} '{name}'", "a finite number for every candidate", value,
        fix=f"check the problem's inputs for extreme values (first at {where}).",
        owner=f"problem '{problem.name}'")


def check_anchors(problem: PricingProblem) -> None:
    """Raise :class:`ParameterError` when a value anchor of ``problem`` is not finite (e.g.
    ``tco_volume = 1e-308`` makes the total-cost-of-ownership anchor infinite), naming the
    input that produced it (same probing as :func:`check_finite`)."""
    for anchor in problem.anchors():
        if math.isfinite(anchor.value):
            continue
        name = anchor.name

        def fixed(other: PricingProblem, name: str = name) -> bool:
            return all(math.isfinite(a.value) for a in other.anchors() if a.name == name)

        culprit = _probe(problem, fixed)
        if culprit is not None:
            path, given = culprit
            raise ParameterError(
                path, "a number the model's arithmetic can handle (not extremely large or "
                "small)", given, fix=f"it makes the anchor '{name}' {anchor.value}; give a "
                "realistic value.", owner=f"problem '{problem.name}'")
        raise ParameterError(f"anchor '{name}'", "a finite number", anchor.value,
                             fix="check the inputs of its formula for extreme values.",
                             owner=f"problem '{problem.name}'")


def _leaves(data: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            if k != "sources":
                yield from _leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            yield from _leaves(v, f"{path}[{i}]")
    elif isinstance(data, int | float) and not isinstance(data, bool):
        yield path, float(data)


def _set(data: Any, path: str, value: float) -> None:
    parts: list[Any] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("["):
            parts.append(int(chunk[1:-1]))
        elif chunk:
            parts.append(chunk)
    cur = data
    for p in parts[:-1]:
        cur = cur[p]
    cur[parts[-1]] = value


def _culprit(problem: PricingProblem, x: np.ndarray, kind: str,
             name: str) -> tuple[str, float] | None:
    """The input whose replacement by a moderate value makes ``name`` finite at ``x``."""
    row = np.asarray(x, dtype=float)[None, :]

    def fixed(other: PricingProblem) -> bool:
        ev = other._evaluate(row, kind == "reported quantity")
        block = {"objective": ev.objectives, "guardrail": ev.constraints}.get(kind, ev.reported)
        return name in block and bool(np.all(np.isfinite(block[name])))

    return _probe(problem, fixed)


def _probe(problem: PricingProblem,
           fixed: Callable[[PricingProblem], bool]) -> tuple[str, float] | None:
    """The first input whose replacement by a moderate value makes ``fixed(problem)`` true:
    the largest inputs (set to 1e6) and the tiniest nonzero ones (set to 1), a few each;
    else the most extreme input (the likely cause), or ``None`` without extreme inputs."""
    data = problem.spec.model_dump()
    numbers = [(p, v) for p, v in _leaves(data) if math.isfinite(v)]
    huge = sorted((pv for pv in numbers if abs(pv[1]) > 1e6), key=lambda pv: -abs(pv[1]))
    tiny = sorted((pv for pv in numbers if 0 < abs(pv[1]) < 1e-30), key=lambda pv: abs(pv[1]))
    leaves = huge[:_PROBES] + tiny[:_PROBES]
    for path, v in leaves:
        trial = problem.spec.model_dump()
        _set(trial, path, math.copysign(1e6 if abs(v) > 1 else 1.0, v))
        try:
            other = type(problem)(type(problem.spec).model_validate(trial))
            ok = fixed(other)
        except Exception:  # the trial value breaks another rule: try the next input
            continue
        if ok:
            return path, v
    return leaves[0] if leaves else None
