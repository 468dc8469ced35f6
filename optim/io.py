"""Atomic file output: a file is either complete on disk or not there at all, and a set of
files (a run's output folder) is either the complete old set or the complete new set.

:func:`output_set` is the one way commands write an output folder; :func:`check_output_dir`
checks the folder before any work starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from paretoprice.optim.errors import ParameterError


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically; returns the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_with(target: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


# ---------------------------------------------------------------------------------------
# Output sets: several files that appear together or not at all
# ---------------------------------------------------------------------------------------

MANIFEST = ".paretoprice-output.json"
"""Name of the manifest every output set carries (file names, sizes, creation time)."""

_STAGING_TAG = "paretoprice-staging"
_NAME_RESERVE = 48  # characters the staging folder adds to the target's name


@dataclass(frozen=True)
class OutputSet:
    """A staging folder being filled, and the folder it will become.

    Attributes
    ----------
    path
        The staging folder: write every file of the set here.
    target
        The folder the set will be swapped into (what users see).
    """

    path: Path
    target: Path

    def final(self, written: str | Path) -> Path:
        """Where a file written under :attr:`path` will be once the set is swapped in."""
        return self.target / Path(written).relative_to(self.path)


def _output_error(parameter: str, got: object, expected: str, fix: str) -> ParameterError:
    return ParameterError(parameter, expected, got, fix=fix)


def check_output_dir(target: str | Path, parameter: str = "--out",
                     known: Iterable[str] = ()) -> Path:
    """Check, before any work starts, that an output set can be written to ``target``.

    ``target`` must be a folder (existing or not) whose nearest existing ancestor is a
    writable folder; an existing ``target`` must be empty, hold a previous output set
    (its manifest), or hold only the file names in ``known``. Names longer than the file
    system allows, dangling symbolic links, files, devices (``/dev/null``) and mount points
    (a folder that cannot be swapped by a rename) are refused.
    Raises :class:`~paretoprice.optim.errors.ParameterError` naming ``parameter``; returns the
    path the set will be written to (symbolic links to folders resolved).
    """
    expected = "a folder that can be created or replaced"
    if not str(target).strip():
        raise _output_error(parameter, "''", "a folder path",
                            "give a folder name, e.g. results/run1.")
    path = Path(target)
    shown = repr(str(target))
    limit = _name_max(path)
    for part in path.parts:
        if len(os.fsencode(part)) > limit:
            raise _output_error(
                parameter, f"a name of {len(os.fsencode(part))} bytes", expected,
                f"use folder names of at most {limit} bytes.")
    if path.is_symlink() and not path.exists():
        raise _output_error(parameter, f"{shown}, a symbolic link to a missing place",
                            expected, "remove the link or give another folder.")
    if path.is_symlink():
        path = path.resolve()
    path = Path(os.path.abspath(path))
    if len(os.fsencode(path.name)) > limit - _NAME_RESERVE:
        raise _output_error(
            parameter, f"a last name of {len(os.fsencode(path.name))} bytes", expected,
            f"use a last folder name of at most {limit - _NAME_RESERVE} bytes.")
    if path.is_dir() and os.path.ismount(path):
        raise _output_error(parameter, f"{shown}, a mount point", expected,
                            f"give a folder inside it, e.g. {path / 'run1'}.")
    if path.exists() and not path.is_dir():
        raise _output_error(parameter, f"{shown}, which is a file, not a folder", expected,
                            "give a folder path (the files are written inside it).")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _output_error(parameter, f"{shown}, below the file '{ancestor}'", expected,
                            "give a folder path that is not inside a file.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise _output_error(parameter, f"{shown}, in the read-only folder '{ancestor}'",
                            expected, "give a folder you can write to.")
    try:  # a real probe: read-only mounts and full disks are caught here
        probe = tempfile.mkdtemp(prefix=f".{_STAGING_TAG}-probe-", dir=ancestor)
        os.rmdir(probe)
    except OSError as exc:
        raise _output_error(parameter, f"{shown} ({exc.strerror})", expected,
                            "give a folder you can write to.") from None
    if path.is_dir():
        entries = [e.name for e in path.iterdir()]
        allowed = set(known)
        if entries and MANIFEST not in entries and not set(entries) <= allowed:
            others = sorted(set(entries) - allowed)
            raise _output_error(
                parameter, f"{shown}, which holds other files (e.g. '{others[0]}')",
                "a new folder, an empty one or one written by paretoprice",
                "give a new folder (the whole folder is replaced by the new output set).")
    return path


@contextlib.contextmanager
def output_set(target: str | Path, parameter: str = "--out",
               known: Iterable[str] = ()) -> Iterator[OutputSet]:
    """Write a set of files that replaces ``target`` as a whole, never file by file.

    Usage (every command that writes an output folder)::

        check_output_dir(args.out, "--out")           # before any solving
        ...
        with output_set(args.out) as out:
            front.to_csv(out.path)                     # write every file into out.path
            plot_front(front, out.path / "front.png")
        # here args.out holds exactly the new set

    The files are written into a fresh staging folder beside ``target``
    (``.<name>.paretoprice-staging-<pid>-*``). On success a manifest
    (:data:`MANIFEST`: names and sizes in bytes) is added and the staging folder is swapped
    with ``target`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``; a plain rename when
    ``target`` does not exist yet), so a reader sees the complete old set or the complete
    new set, never a mix. Elsewhere, the fallback is two renames: for an instant
    ``target`` is absent, but still never mixed. On an exception the staging folder is
    removed and ``target`` is untouched. Staging folders left by killed runs are removed on
    the next run. ``target`` is checked first with :func:`check_output_dir` (``known``:
    file names an existing folder without a manifest may hold and still be replaced).
    """
    path = check_output_dir(target, parameter, known)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.{_STAGING_TAG}-{os.getpid()}-",
                                    dir=path.parent))
    try:
        yield OutputSet(staging, path)
        _write_manifest(staging)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
        _swap_in(staging, path)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _name_max(path: Path) -> int:
    probe = Path(os.path.abspath(path)).parent
    while True:
        try:
            if probe.exists() or probe == probe.parent:
                break
        except OSError:
            pass
        probe = probe.parent
    try:
        return int(os.pathconf(probe if probe.is_dir() else probe.parent, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def _write_manifest(staging: Path) -> None:
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {str(p.relative_to(staging)): p.stat().st_size for p in files},
    }
    write_text_atomic(staging / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def _remove_stale_staging(path: Path) -> None:
    """Remove staging folders of ``path`` left by runs that were killed."""
    prefix = f".{path.name}.{_STAGING_TAG}-"
    for entry in path.parent.glob(f"{glob.escape(prefix)}*"):
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                   ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        try:
            os.rename(staging, target)
            return
        except OSError as exc:  # created meanwhile: swap below
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if _exchange(staging, target):  # staging now holds the old set
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_STAGING_TAG}-{os.getpid()}-old-",
                                dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)
