"""Registry of benchmark cases, one module per case family.

==============  =====================================================  ===================
family          cases                                                  reference front
==============  =====================================================  ===================
``catalogue``   bundled problems, idx-dr at $1 / $2.5 / $5 ladder      ``grid`` on the
                steps, FFS with 6 and 12 segments, seeded synthetic    ladder (exact), or
                portfolios                                             ``exact`` when the
                                                                       grid is too large
``analytic``    ZDT1, ZDT2, ZDT3, DTLZ1 and DTLZ2 (3 objectives)       pymoo's analytic
                from pymoo                                             ``pareto_front()``
``mokp``        multi-objective knapsacks 2kp50, 2kp100, 3kp40, 4kp50  published exact
                                                                       nondominated set
==============  =====================================================  ===================

Every case declares its name, family, size parameters, which suites include it, how to
build and run it, its reference front, and ONE common hypervolume reference point
(computed once per case from the reference front: nadir + 10% of its range, which for
ZDT/DTLZ gives the customary points such as (1.1, 1.1) on ZDT1/ZDT2). Combinations a
backend cannot do are declared by :meth:`Case.cannot` with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from paretoprice.benchmarks.cases.base import (
    EXACT_BACKENDS,
    HEURISTICS,
    SUITES,
    Budget,
    Case,
    Reference,
    RunRecord,
)
from paretoprice.optim.errors import UnknownNameError


def all_cases() -> dict[str, Case]:
    """Every registered case by name (a fresh set of objects on each call)."""
    from paretoprice.benchmarks.cases import analytic, catalogue, mokp

    out: dict[str, Case] = {}
    for module in (catalogue, analytic, mokp):
        for case in module.cases():
            if case.name in out:
                raise ValueError(f"duplicate benchmark case name {case.name!r}")
            out[case.name] = case
    return out


def select_cases(suite: str, names: Sequence[str] | None = None) -> list[Case]:
    """The cases of ``suite``, or the named cases (any suite) when ``names`` is given.

    Raises
    ------
    UnknownNameError
        A name that is not a registered case (the message lists the valid names).
    """
    registry = all_cases()
    if names:
        for n in names:
            if n not in registry:
                raise UnknownNameError("--cases", n, list(registry), owner="paretoprice bench")
        return [registry[n] for n in dict.fromkeys(names)]
    if suite not in SUITES:
        raise UnknownNameError("--suite", suite, SUITES, owner="paretoprice bench")
    return [c for c in registry.values() if suite in c.suites]


__all__ = ["EXACT_BACKENDS", "HEURISTICS", "SUITES", "Budget", "Case", "Reference",
           "RunRecord", "all_cases", "select_cases"]
