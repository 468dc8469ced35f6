"""Bundled problems (TOML files with sourced data) and the scripts economists run.

``load_problem("idx-dr")`` loads a bundled problem; any path to a ``.toml`` file works too.
"""

from __future__ import annotations

from pathlib import Path

from paretoprice.optim.errors import ProblemFileError
from paretoprice.optim.families import build_problem, load_problem_file
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.spec import read_toml

DATA_DIR = Path(__file__).resolve().parent / "data"


def bundled_names() -> list[str]:
    """Names of the bundled problems, sorted."""
    return sorted(p.stem for p in DATA_DIR.glob("*.toml"))


def problem_path(name: str) -> Path:
    """Path of a bundled problem file."""
    return DATA_DIR / f"{name}.toml"


def load_problem(name_or_path: str | Path) -> PricingProblem:
    """A bundled problem by name, or a TOML problem file by path.

    Raises
    ------
    ProblemFileError
        When it is neither a bundled name nor an existing file.
    """
    text = str(name_or_path)
    if text in bundled_names():
        return load_problem_file(problem_path(text))
    path = Path(text)
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system: read_toml names the problem
        exists = True
    if path.suffix == ".toml" or exists:
        return load_problem_file(path)
    shown = text if len(text) <= 120 else text[:60] + "..." + text[-40:]
    raise ProblemFileError(
        f"Unknown problem '{shown}': not a bundled problem and not a file. "
        f"Fix: use one of {', '.join(bundled_names())} or the path of a TOML problem file."
    )


def bundled_raw(name: str) -> dict:
    """The raw TOML dict of a bundled problem (for building variants in Python)."""
    return read_toml(problem_path(name))


__all__ = ["DATA_DIR", "build_problem", "bundled_names", "bundled_raw", "load_problem",
           "problem_path"]
