"""Payment-model families: each maps a problem file's ``family`` to its spec and model.

A family is a pair (spec class, problem class). ``build_problem`` validates a dict (from
TOML or Python) against the family's spec and returns the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from paretoprice.optim.errors import UnknownNameError
from paretoprice.optim.families.addon_fund import AddonFundProblem, AddonFundSpec
from paretoprice.optim.families.autonomy_tiers import AutonomyTiersProblem, AutonomyTiersSpec
from paretoprice.optim.families.category_iii import CategoryIIIProblem, CategoryIIISpec
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.families.generalist_bundle import (
    GeneralistBundleProblem,
    GeneralistBundleSpec,
)
from paretoprice.optim.families.incentive_fund import IncentiveFundProblem, IncentiveFundSpec
from paretoprice.optim.families.ntap import NtapProblem, NtapSpec
from paretoprice.optim.families.portfolio import PortfolioProblem, PortfolioSpec
from paretoprice.optim.families.value_based import ValueBasedProblem, ValueBasedSpec
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.spec import FeeForServiceSpec, ProblemSpecBase, read_toml, validate_spec

FAMILIES: dict[str, tuple[type[ProblemSpecBase], type[PricingProblem]]] = {
    "ffs": (FeeForServiceSpec, FeeForServiceProblem),
    "category_iii": (CategoryIIISpec, CategoryIIIProblem),
    "ntap": (NtapSpec, NtapProblem),
    "portfolio": (PortfolioSpec, PortfolioProblem),
    "addon_fund": (AddonFundSpec, AddonFundProblem),
    "autonomy_tiers": (AutonomyTiersSpec, AutonomyTiersProblem),
    "generalist_bundle": (GeneralistBundleSpec, GeneralistBundleProblem),
    "value_based": (ValueBasedSpec, ValueBasedProblem),
    "incentive_fund": (IncentiveFundSpec, IncentiveFundProblem),
}
"""Family name -> (spec class, problem class)."""


def build_problem(data: Mapping[str, Any], origin: str = "") -> PricingProblem:
    """Validate ``data`` against its family's schema and build the problem.

    Parameters
    ----------
    data
        The problem as a dict (as read from TOML); ``family`` selects the schema
        (default ``ffs``). Numbers may be ``{value = x, source = "..."}``.
    origin
        Where the data came from (a file path), for error messages.
    """
    family = str(data.get("family", "ffs"))
    if family not in FAMILIES:
        raise UnknownNameError("family", family, list(FAMILIES),
                               owner=f"problem file {origin}" if origin else "")
    spec_cls, prob_cls = FAMILIES[family]
    owner = f"problem '{data.get('name', origin)}'"
    spec = validate_spec(spec_cls, dict(data), owner=owner)
    return prob_cls(spec)


def load_problem_file(path: str | Path) -> PricingProblem:
    """Read and validate a TOML problem file."""
    return build_problem(read_toml(path), origin=str(path))
