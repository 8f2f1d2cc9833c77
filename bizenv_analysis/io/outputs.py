"""Deterministic, all-or-nothing writing of the build's outputs.

A build's output folder is replaced as a whole (`write_outputs(..., whole_folder=True)`): the
tables are written to a hidden staging folder beside it (`.<name>.bizenv-staging`, same parent,
so renaming is atomic) and swapped in only when complete, so a build stopped at any point leaves
the previous complete folder or the new one, never a mixture. A hidden leftover (staging folder,
or `.<name>.bizenv-old` on systems without an atomic exchange) is removed by the next build.
An exclusive lock (`.<name>.bizenv-lock`, removed on release) keeps two builds from writing one
folder at once. The folder carries a manifest (the file `.bizenv-build`, `MANIFEST`: the names of its tables, nothing
else, so it is identical for identical builds and can be committed) and a build refuses to
replace a non-empty folder that a build did not write.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..base.errors import BuildError, Interrupted

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds are then not serialised
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".bizenv-build"
_MANIFEST_HEAD = ("# Written by `python -m bizenv_analysis build`: the tables of this folder, one a line.\n"
                  "# A build replaces the whole folder, and refuses a folder that a build did not write.\n")
# Cells starting with one of these are formulas to a spreadsheet (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Files that operating systems drop into folders; never the user's work.
_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def csv_bytes(df: pd.DataFrame, bom: bool = False) -> bytes:
    """A table as CSV bytes: UTF-8 (with a BOM for Excel when asked), LF line ends.

    Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get
    a leading apostrophe; numbers, also negative ones, are written as they are.
    """
    text = defuse_formulas(df).to_csv(index=False, lineterminator="\n")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def defuse_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with `'` before every text cell (object or string columns) that starts like a formula."""
    out = df
    for i, dtype in enumerate(df.dtypes):
        if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
            continue
        col = df.iloc[:, i]
        if any(isinstance(v, str) and v.startswith(FORMULA_START) for v in col):
            if out is df:
                out = df.copy()
            out.isetitem(i, pd.Series([f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v
                                       for v in col], index=col.index, dtype=dtype))
    return out


def write_outputs(out_dir: Path, files: dict[str, bytes], *, whole_folder: bool = False) -> list[Path]:
    """Write `files` (name → bytes) into `out_dir`; returns the paths whose bytes changed or are new.

    `whole_folder=True` (the build): `files` become the folder's complete contents, swapped in
    as a whole under the folder's lock (see the module docstring); files of earlier builds that
    are not in `files` disappear. Refuses (BuildError) a non-empty folder not written by a build,
    and reports a failed write (full disk, read-only folder) as a BuildError after removing the
    staging folder. When nothing changed the folder is left untouched (mtimes too).

    Otherwise (figures): the files are added to the folder, each replaced atomically, the rest
    of the folder kept; a file whose bytes are unchanged is left untouched.
    """
    if whole_folder:
        return _replace_folder(Path(out_dir), files)
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    written = []
    try:
        for name, data in sorted(files.items()):
            target = out_dir / name
            if target.is_file() and target.read_bytes() == data:
                continue
            tmp = stage / name.replace("/", "__")
            tmp.write_bytes(data)
            written.append((tmp, target))
        for tmp, target in written:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [t for _, t in written]


def manifest_bytes(names: list[str]) -> bytes:
    """The manifest of a folder holding `names`: sorted names under a fixed comment, no dates or paths."""
    return (_MANIFEST_HEAD + "".join(f"{n}\n" for n in sorted(names))).encode("utf-8")


def _replace_folder(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    out = out_dir.resolve()
    for name in files:
        parts = Path(name).parts
        if Path(name).is_absolute() or not parts or ".." in parts or name == MANIFEST:
            raise ValueError(f"not a table name: {name!r}")
    wanted = {**files, MANIFEST: manifest_bytes(list(files))}
    with output_lock(out_dir), _reported(out_dir):
        _recover(out)
        check_replaceable(out_dir)
        check_writable(out_dir)
        changed = [out / name for name in sorted(files) if not _same(out / name, files[name])]
        if not changed and out.is_dir() and _listing(out) == set(wanted) and _same(out / MANIFEST, wanted[MANIFEST]):
            return []
        stage, old = _sibling(out, "staging"), _sibling(out, "old")
        try:
            stage.mkdir()
            for name, data in sorted(wanted.items()):
                target = stage / name
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_file(target, data)
            with _signals_held():
                _swap(stage, out, old)
        finally:
            _remove(stage, quiet=True)
            if out.is_dir():  # never the previous tables while they are not back in place
                _remove(old, quiet=True)
    return changed


def _write_file(path: Path, data: bytes) -> None:
    """Write one staged file (a new file; tests replace this to simulate a full disk)."""
    with open(path, "xb") as f:
        f.write(data)


def _swap(stage: Path, out: Path, old: Path) -> None:
    """Put the complete `stage` folder in place of `out`; what was `out` ends up at `stage` or `old`."""
    if not out.exists():
        os.rename(stage, out)
    elif not _exchange(stage, out):
        os.rename(out, old)  # killed right here: the next build moves `old` back (see _recover)
        try:
            os.rename(stage, out)
        except BaseException:
            os.rename(old, out)
            raise


_RENAMEAT2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    global _RENAMEAT2
    if not sys.platform.startswith("linux"):
        return False
    if _RENAMEAT2 is None:
        try:
            fn = ctypes.CDLL(None, use_errno=True).renameat2
        except (OSError, AttributeError):  # glibc < 2.28, musl
            _RENAMEAT2 = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        _RENAMEAT2 = fn
    if _RENAMEAT2 is False:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if _RENAMEAT2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # kernel or file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover(out: Path) -> None:
    """Undo what a killed build left: the previous folder moved aside, a staging folder."""
    old = _sibling(out, "old")
    if not out.exists() and old.is_dir():
        os.rename(old, out)
    _remove(_sibling(out, "staging"))
    _remove(old)


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.bizenv-{kind}"


def _remove(path: Path, quiet: bool = False) -> None:
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
    except OSError:
        if not quiet:
            raise


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _listing(folder: Path) -> set[str]:
    """Every file in `folder` (and its subfolders), as relative names."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def _listed(out: Path) -> set[str] | None:
    """The top-level names a folder's manifest lists, or None when it has none."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return {line.split("/")[0] for line in text.splitlines() if line.strip() and not line.startswith("#")}


def check_replaceable(out_dir: Path | str) -> None:
    """Refuse an output folder that a build may not replace: a file, or a folder holding other work.

    A folder may be replaced when it is missing or empty, or when its manifest lists everything in
    it: a build replaces the whole folder, so it never deletes a file it did not write. A folder
    without a manifest holds no file a build is known to have written, whatever the files are
    called (a documents.csv may be the user's own). Only the system files of `_SYSTEM_FILES`
    (.DS_Store, Thumbs.db) do not count; hidden files do.
    """
    shown = Path(out_dir)
    out = shown.resolve()
    if not out.exists():
        return
    if not out.is_dir():
        raise BuildError("the output folder is a file", shown, "choose a folder for --out")
    try:
        entries = [e for e in out.iterdir() if e.name != MANIFEST and e.name not in _SYSTEM_FILES]
    except OSError as exc:
        raise _write_error(exc, shown) from exc
    listed = _listed(out)
    foreign = entries if listed is None else [e for e in entries if e.name not in listed]
    if foreign:
        names = sorted(e.name + ("/" if e.is_dir() else "") for e in foreign)
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        why = "" if listed is not None else f" (it has no build manifest, {MANIFEST}, listing any)"
        raise BuildError(
            f"the output folder holds files that a build did not write ({', '.join(names[:5])}{more}){why}; "
            "a build replaces the whole folder", shown,
            "choose a new or empty folder for --out (e.g. DATA/processed), or move those files elsewhere "
            "(the tables of an older build without a manifest: delete them)")


def check_writable(out_dir: Path | str) -> None:
    """Refuse an output folder that is read-only, or whose parent folder is (staging goes there)."""
    shown = Path(out_dir)
    out = shown.resolve()
    fix = "make it writable (chmod u+w) or choose another --out"
    if out.exists() and not os.access(out, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write {shown}: the folder is read-only", None, fix)
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write {shown}: the folder {parent} that holds it is read-only "
                         "(a build writes its files beside the output folder first)", None, fix)


def check_output_folder(out_dir: Path | str, data_dir: Path | str | None = None) -> None:
    """Everything about the output folder that can be checked before a build computes anything.

    Not the data folder, inside its raw/, lexicon/, validation/ or (below it) processed/, nor a
    folder holding the data folder, sources.csv or raw/; replaceable (`check_replaceable`); writable; no other build
    writing it.
    """
    shown = Path(out_dir)
    out = shown.resolve()
    if out.parent == out:
        raise BuildError("the output folder is the file system's root", shown, "choose a folder for --out")
    if data_dir is not None:
        data = Path(data_dir).resolve()
        fix = f"use {Path(data_dir) / 'processed'} or a folder outside the data folder"
        problem = None
        if out == data:
            problem = "is the data folder itself"
        elif data.is_relative_to(out):
            problem = f"holds the data folder {data_dir}"
        elif out.is_relative_to(data / "processed") and out != data / "processed":
            # the default build would find this folder among its outputs and refuse to replace them
            problem = "lies inside the data folder's default output folder processed/"
        else:
            for sub in ("raw", "lexicon", "validation"):
                if out.is_relative_to(data / sub):
                    problem = f"lies in the data folder's {sub}/"
        if problem is None and out.is_dir() and ((out / "sources.csv").exists() or (out / "raw").exists()):
            problem = "holds sources.csv or raw/ (it is a data folder)"
        if problem:
            raise BuildError(f"the output folder {problem}; a build replaces its output folder as a whole",
                             shown, fix)
    check_replaceable(shown)
    check_writable(shown)
    _probe_lock(out, shown)


# --- the output folder's lock --------------------------------------------------------------------

_HELD: dict[str, list[int]] = {}  # lock file -> [fd, depth]: re-entrant within this process


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing), waiting for it; no lock
    where fcntl is missing (Windows, where notebooks and test workers run one at a time)."""
    if fcntl is None:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_error(shown: Path) -> BuildError:
    return BuildError(f"another build is writing {shown}", None,
                      "wait for it to finish (or stop it), then build again; or choose another --out")


@contextmanager
def output_lock(out_dir: Path | str) -> Iterator[None]:
    """Hold the exclusive lock of an output folder (non-blocking: BuildError if another build has it).

    Re-entrant within one process (the CLI holds it for the whole build, the write takes it
    again). The lock file beside the folder is removed on release.
    """
    shown = Path(out_dir)
    out = shown.resolve()
    path = _sibling(out, "lock")
    key = str(path)
    if key in _HELD or fcntl is None:
        if key in _HELD:
            _HELD[key][1] += 1
        try:
            yield
        finally:
            if key in _HELD:
                _HELD[key][1] -= 1
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, shown) from exc
    fd = _acquire(path, shown)
    _HELD[key] = [fd, 1] if fd is not None else [-1, 1]
    try:
        yield
    finally:
        del _HELD[key]
        if fd is not None:
            try:
                path.unlink()
            except OSError:
                pass
            os.close(fd)


def _acquire(path: Path, shown: Path) -> int | None:
    """Open and lock `path`; None where the file system has no locks (then nothing is serialised).

    A lock held for a moment only (another build's `_probe_lock`) is waited for, up to half a second.
    """
    tries = 10
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise _write_error(exc, shown) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            tries -= 1
            if not tries:
                raise _lock_error(shown) from None
            time.sleep(0.05)
            continue
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                return None
            raise _write_error(exc, shown) from exc
        # The holder before us may have removed the file after we opened it: lock the current one.
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        fst = os.fstat(fd)
        if st is not None and (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino):
            return fd
        os.close(fd)


def _probe_lock(out: Path, shown: Path) -> None:
    """BuildError if another process holds the folder's lock now (without creating anything)."""
    path = _sibling(out, "lock")
    if fcntl is None or str(path) in _HELD:
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return  # no lock file: nobody is writing
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _lock_error(shown) from None
    except OSError:
        pass
    finally:
        os.close(fd)


# --- errors and signals --------------------------------------------------------------------------

_FIXES = {
    errno.ENOSPC: "free some disk space, or choose --out on another disk",
    errno.EDQUOT: "free some space in your quota, or choose --out on another disk",
    errno.EACCES: "make the folder writable (chmod u+w) or choose another --out",
    errno.EPERM: "make the folder writable (chmod u+w) or choose another --out",
    errno.EROFS: "the disk is mounted read-only: choose another --out",
}


def _write_error(exc: OSError, shown: Path) -> BuildError:
    where = f" ({exc.filename})" if exc.filename else ""
    return BuildError(f"cannot write {shown}: {exc.strerror or exc}{where}", None,
                      _FIXES.get(exc.errno, "check the output folder and its disk, then build again"))


@contextmanager
def _reported(shown: Path) -> Iterator[None]:
    """Turn a failed file operation into a BuildError naming the output folder and the fix."""
    try:
        yield
    except OSError as exc:
        raise _write_error(exc, shown) from exc


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the folders are swapped; raise `Interrupted` after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    sigs = [s for s in (signal.SIGINT, signal.SIGTERM)
            if signal.getsignal(s) not in (None, signal.SIG_IGN)]
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in sigs}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if pending:
        raise Interrupted(pending[0], written=True)
