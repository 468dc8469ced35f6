"""Hostile problem files and command lines for the property-based tests.

The strategies start from the bundled problems (the schema by example: every key, table
and array a real problem uses) and mutate them: a value replaced by a hostile one (huge,
tiny, NaN, infinities, bools, strings, arrays, tables), a number scaled by up to 1e300,
a key removed, an unknown key added, an array emptied or an entry repeated. Each
generated file is solved in-process through the ``paretoprice`` command line and the
outcome is classified by :func:`classify`.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from paretoprice.optim.finite import MAY_BE_INFINITE
from paretoprice.problems import bundled_names, bundled_raw

Path_ = tuple[Any, ...]

HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e300, 1e-308, 5e-324,
                   0.0, -0.0, -1.0, 1e15, 2**63, 2**70, -(2**63), 1e-9]
HOSTILE_OTHER: list[Any] = [True, False, "0.4", "yes", "", "inf", "nan", "1e308", [], [1.0],
                            {}, {"value": 1.0}, {"value": "x"}]
SCALES = [1e-300, 1e-9, 0.0, 0.5, 2.0, 1e9, 1e300, -1.0]

ONE_LINE = re.compile(r"^paretoprice: (error|infeasible): .+")
NAMES_SOMETHING = re.compile(r"'[^']+'|(?<![\w-])--[a-z][a-z-]*|argument ")


def leaves(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path (keys and indices) of ``data``, tables and arrays included."""
    if path:
        yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, (*path, i))


def get(data: Any, path: Path_) -> Any:
    for p in path:
        data = data[p]
    return data


@st.composite
def hostile_problem(draw: st.DrawFn, max_mutations: int = 3) -> tuple[str, dict[str, Any],
                                                                      list[str]]:
    """A bundled problem's TOML dict with 1..max_mutations hostile changes (and their log)."""
    name = draw(st.sampled_from(bundled_names()))
    doc = copy.deepcopy(bundled_raw(name))
    log: list[str] = []
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = list(leaves(doc))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = get(doc, path[:-1]), path[-1]
        old = parent[key]
        kind = draw(st.sampled_from(["value", "value", "scale", "scale", "delete", "extra",
                                     "list"]))
        if kind == "value":
            new = draw(st.one_of(st.sampled_from(HOSTILE_NUMBERS),
                                 st.sampled_from(HOSTILE_OTHER),
                                 st.floats(allow_nan=True, allow_infinity=True),
                                 st.integers(-(2**64), 2**64),
                                 st.text(max_size=6)))
            parent[key] = new
            log.append(f"{path} = {new!r}")
        elif kind == "scale" and isinstance(old, int | float) and not isinstance(old, bool):
            factor = draw(st.sampled_from(SCALES))
            parent[key] = old * factor
            log.append(f"{path} *= {factor}")
        elif kind == "delete":
            del parent[key]
            log.append(f"del {path}")
        elif kind == "extra" and isinstance(old, dict):
            old[draw(st.sampled_from(["bogus", "Population", "step", "value", "enabled"]))] = 1.0
            log.append(f"{path} += extra key")
        elif kind == "list" and isinstance(old, list):
            if old and draw(st.booleans()):
                old.append(copy.deepcopy(old[0]))
                log.append(f"{path} repeats its first entry")
            else:
                old.clear()
                log.append(f"{path} emptied")
    return name, doc, log


@dataclass
class Outcome:
    """What one command did: ``ok`` (exit 0, finite nondominated front), ``failed_well``
    (exit 2, one line naming something), ``infeasible`` (exit 2, the conflict report) or
    ``failed_badly`` (anything else: traceback, other exit status, several lines, a
    non-finite or dominated front, a message naming '<problem>')."""

    kind: str
    code: int
    stderr: str
    detail: str = ""


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``paretoprice`` in-process; (exit status, stdout, stderr). An exception escaping
    ``main`` is returned as status -1 with its repr in stderr."""
    from paretoprice.app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a warning escaping main is an extra stderr line
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:
            return -1, out.getvalue(), f"{type(exc).__name__}: {exc}"
    shown = "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)
    return code, out.getvalue(), shown + err.getvalue()


def front_ok(problem_path: str, solver: str, options: dict[str, Any]) -> str:
    """'' when the front of the same run is finite and nondominated, else what is wrong."""
    from paretoprice.optim.indicators import nondominated_mask
    from paretoprice.problems import load_problem
    from paretoprice.solvers import solve

    front = solve(load_problem(problem_path), solver, seed=1, **options)
    F = front.minimization_matrix()
    if not np.all(np.isfinite(F)):
        return "non-finite objective on the front"
    if F.shape[0] and not nondominated_mask(F).all():
        return "dominated point on the front"
    for name, values in front.reported.items():  # NaN is documented as "undefined"
        arr = np.asarray(values, dtype=float)
        if np.isinf(arr).any() and name not in INF_DOCUMENTED:
            return f"reported quantity '{name}' is infinite"
    return ""


INF_DOCUMENTED = MAY_BE_INFINITE
"""Reported quantities documented as infinite in a case (the break-even fee with no use)."""


def classify(code: int, stderr: str) -> Outcome:
    """Sort one command's exit into an :class:`Outcome` (the front is checked separately)."""
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    if code == 0:
        return Outcome("ok", code, stderr)
    if code == 2 and len(lines) == 1 and lines[0].startswith("paretoprice: infeasible:"):
        return Outcome("infeasible", code, stderr)
    if code == 2 and len(lines) == 1 and "<problem>" not in lines[0] and (
            ONE_LINE.match(lines[0]) or lines[0].startswith("usage:")
            or "error:" in lines[0]) and NAMES_SOMETHING.search(lines[0]):
        return Outcome("failed_well", code, stderr)
    return Outcome("failed_badly", code, stderr, detail="; ".join(lines[-3:])[:500])
