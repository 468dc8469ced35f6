"""Payment-model families: each maps a problem file's ``family`` to its spec and model.

A family is one module of this package holding a problem class
``class XProblem(PricingProblem[XSpec])``; the spec declares the family's name once, as
``family: Literal["x"] = "x"``. The registry is read from the modules themselves: nothing
here names a family, and importing this package imports no family module. ``build_problem``
validates a dict (from TOML or Python) against the family's spec and returns the problem.

A family module is found by its name first (a family named like its module, the rule for
every bundled family, costs one import); any other family is found by looking through
every module of the package once.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from paretoprice.optim.errors import UnknownNameError
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.spec import read_toml, validate_spec

DEFAULT_FAMILY = "ffs"
"""The family of a problem file that names none."""


def family_module_names() -> tuple[str, ...]:
    """Names of the modules of this package that may hold a family (not ``_private``)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)
                        if not m.name.startswith("_")))


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def problem_classes(module: ModuleType) -> tuple[type[PricingProblem[Any]], ...]:
    """The concrete problem classes a module defines (not those it imports)."""
    return tuple(
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, PricingProblem) and obj.family
        and obj.__module__ == module.__name__ and not inspect.isabstract(obj)
    )


def _iter_families() -> Iterator[type[PricingProblem[Any]]]:
    for name in family_module_names():
        yield from problem_classes(_module(name))


def families() -> dict[str, type[PricingProblem[Any]]]:
    """Family name -> problem class, for every family module of this package (imports
    them all). The spec class is ``problem_class.spec_type``."""
    out: dict[str, type[PricingProblem[Any]]] = {}
    for cls in _iter_families():
        if cls.family in out:
            raise TypeError(f"family '{cls.family}' is declared twice: by "
                            f"{out[cls.family].__qualname__} and {cls.__qualname__}")
        out[cls.family] = cls
    return out


def problem_class(family: str, origin: str = "") -> type[PricingProblem[Any]]:
    """The problem class of ``family`` (raises :class:`UnknownNameError` naming the known
    families when there is none)."""
    if family in family_module_names():
        for cls in problem_classes(_module(family)):
            if cls.family == family:
                return cls
    known = families()
    if family not in known:
        raise UnknownNameError("family", family, sorted(known),
                               owner=f"problem file {origin}" if origin else "")
    return known[family]


def build_problem(data: Mapping[str, Any], origin: str = "") -> PricingProblem[Any]:
    """Validate ``data`` against its family's schema and build the problem.

    Parameters
    ----------
    data
        The problem as a dict (as read from TOML); ``family`` selects the schema
        (default ``ffs``). Numbers may be ``{value = x, source = "..."}``.
    origin
        Where the data came from (a file path), for error messages.
    """
    cls = problem_class(str(data.get("family", DEFAULT_FAMILY)), origin)
    owner = f"problem '{data.get('name', origin)}'"
    spec = validate_spec(cls.spec_type, dict(data), owner=owner)
    return cls(spec)


def load_problem_file(path: str | Path) -> PricingProblem[Any]:
    """Read and validate a TOML problem file."""
    return build_problem(read_toml(path), origin=str(path))
