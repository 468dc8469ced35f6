"""A family is declared once: its spec's ``family`` Literal names it, the registry is read
from the family modules, and the kernel gives every family a typed spec."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from paretoprice.optim.errors import ParameterError, UnknownNameError
from paretoprice.optim.families import families, family_module_names, problem_class
from paretoprice.optim.families.ffs import FeeForServiceProblem
from paretoprice.optim.families.ntap import NtapProblem, NtapSpec
from paretoprice.optim.problem import PricingProblem, as_family, spec_family
from paretoprice.problems import bundled_names, bundled_raw, load_problem


def test_importing_the_registry_imports_no_family_module() -> None:
    code = ("import sys, paretoprice.optim.families as f; "
            "print(sorted(m for m in sys.modules if m.startswith(f.__name__ + '.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_registry_is_the_spec_literals_of_the_family_modules() -> None:
    reg = families()
    assert len(reg) >= 9 and {"ffs", "ntap", "portfolio", "addon_fund"} <= set(reg)
    for name, cls in reg.items():
        # the one place the name is written: the spec's Literal (and its default)
        (literal,) = typing.get_args(cls.spec_type.model_fields["family"].annotation)
        assert literal == name == cls.family == spec_family(cls.spec_type)
        assert cls.__module__.rsplit(".", 1)[-1] in family_module_names()
    # every family has a bundled problem, and every bundled problem a family
    assert {bundled_raw(n)["family"] for n in bundled_names()} == set(reg)


def test_problem_class_by_name_and_unknown_family() -> None:
    assert problem_class("ntap") is NtapProblem
    with pytest.raises(UnknownNameError, match="ntap"):
        problem_class("ntapp")


def test_spec_is_typed_by_the_generic_parameter() -> None:
    prob = load_problem("lvo-ntap")
    assert isinstance(prob, NtapProblem) and NtapProblem.spec_type is NtapSpec
    assert isinstance(prob.spec, NtapSpec)
    # with_* return the same family (typed Self)
    assert type(prob.with_objectives(["payer_spend", "access"])) is NtapProblem
    assert issubclass(NtapProblem, PricingProblem)


def test_as_family_checks_the_family() -> None:
    prob = load_problem("idx-dr")
    assert as_family(prob, FeeForServiceProblem) is prob
    with pytest.raises(ParameterError, match="family 'ntap'"):
        as_family(prob, NtapProblem)
