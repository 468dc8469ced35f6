"""What every command-line module shares: exit statuses, argument parsers, file sets.

Kept apart from :mod:`paretoprice.app.cli` so that the sub-command modules it loads
(``compare``, ``bench``, ``report``, ``psa``) and the problem scripts' runner use them
without importing the command line back (no import cycle).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable

from paretoprice.optim.errors import InfeasibleProblemError, ParameterError, ParetoPriceError

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


def guarded(run: Callable[[], int], *, quiet: bool = True, debug: bool = False,
            prog: str = "paretoprice") -> int:
    """Run a command and turn every failure into one line on stderr and an exit status.

    Bad input (a :class:`ParetoPriceError` or ``ValueError``, an infeasible problem, a
    refused file) exits 2; an unexpected internal error exits 3 with a pointer to
    ``--debug`` (which re-raises it instead); Ctrl-C exits 130; a closed output pipe 0.
    ``quiet`` keeps library warnings (e.g. numpy overflow, refused later with a named
    input) off stderr. Used by the ``paretoprice`` command and the problem scripts alike.
    """
    try:
        with warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
            return run()
    except InfeasibleProblemError as exc:
        # one line: the conflicts and the fix, joined
        text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
        print(f"{prog}: infeasible: {text}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ParetoPriceError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"{prog}: error: {first}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the machine refused (disk full, permissions changed meanwhile)
        where = f" '{exc.filename}'" if exc.filename else ""
        print(f"{prog}: error: cannot write or read{where}: {exc.strerror or exc}. "
              "Fix: free space or pick another --out folder.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug, not bad input: one line, its own exit status
        if debug:
            raise
        what = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{prog}: internal error ({type(exc).__name__}{': ' + what if what else ''})"
              "; this is a bug, please report it. Run again with --debug for the traceback.",
              file=sys.stderr)
        return EXIT_INTERNAL
