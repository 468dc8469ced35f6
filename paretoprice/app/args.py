"""What every command-line module shares: exit statuses, argument parsers, file sets.

Kept apart from :mod:`paretoprice.app.cli` so that the sub-command modules it loads
(``compare``, ``bench``, ``report``, ``psa``) and the problem scripts' runner use them
without importing the command line back (no import cycle).
"""

from __future__ import annotations

import argparse

from paretoprice.optim.errors import ParameterError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
"""Exit status of an unexpected internal error (a bug: please report it)."""

SOLVE_FILES = frozenset({"front.csv", "front.json", "front.png", "front_parallel.png"})
"""Files ``solve --out`` writes (a folder holding only these may be replaced)."""


def objective_list(text: str, parameter: str = "--objectives") -> list[str]:
    """Comma-separated objective names; an empty list is a :class:`ParameterError`."""
    names = [o.strip() for o in text.split(",") if o.strip()]
    if not names:
        raise ParameterError(parameter, "comma-separated objective names", repr(text),
                             fix="e.g. --objectives payer_spend,access (or leave it out).")
    return names


def seed_arg(text: str) -> int:
    """``--seed``: a whole number in [0, 2**32 - 1] (numpy's seed range)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 2**32 - 1:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 4294967295, got {text!r}")
    return value
