"""Deterministic, all-or-nothing writing of the build's outputs.

A build's output folder is replaced whole: the tables are written and fsynced into a staging folder
beside it (`.<name>.bizenv-staging`), the previous folder renamed aside (`.<name>.bizenv-old`), the
new one into place, the previous one removed; stopped between the renames, a build puts the previous
folder back (killed, the next build does). A `filelock.FileLock` (`.<name>.bizenv-lock`, kept) keeps
two builds apart. The manifest lists the tables, nothing else; no folder a build did not write is replaced.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from ..base.errors import BuildError, Interrupted

MANIFEST = ".bizenv-build"
_MANIFEST_HEAD = ("# Written by `python -m bizenv_analysis build`: the tables of this folder, one a line.\n"
                  "# A build replaces the whole folder, and refuses a folder that a build did not write.\n")
# Files that operating systems drop into folders; never the user's work.
_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def write_outputs(out_dir: Path, files: dict[str, bytes], *, whole_folder: bool = False) -> list[Path]:
    """Write `files` (name → bytes) into `out_dir`; returns the paths whose bytes changed or are new.

    `whole_folder=True` (the build): `files` become the folder's whole contents, swapped in under its
    lock (module docstring). A folder a build did not write, or a failed write (full disk), is a
    BuildError, the folder as it was; when nothing changed the folder is untouched (mtimes too).
    Otherwise (figures): each file is replaced atomically once all are written, the rest kept.
    """
    if whole_folder:
        return _replace_folder(Path(out_dir), files)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [(out_dir / name, data) for name, data in sorted(files.items()) if not _same(out_dir / name, data)]
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        for i, (_, data) in enumerate(written):
            (stage / str(i)).write_bytes(data)
        for i, (target, _) in enumerate(written):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / str(i), target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [target for target, _ in written]


def manifest_bytes(names: list[str]) -> bytes:
    """The manifest of a folder holding `names`: sorted names under a fixed comment, no dates or paths."""
    return (_MANIFEST_HEAD + "".join(f"{n}\n" for n in sorted(names))).encode("utf-8")


def _replace_folder(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    for name in files:
        if Path(name).is_absolute() or not Path(name).parts or ".." in Path(name).parts or name == MANIFEST:
            raise ValueError(f"not a table name: {name!r}")
    out, wanted = out_dir.resolve(), {**files, MANIFEST: manifest_bytes(list(files))}
    stage, old, staged = _sibling(out, "staging"), _sibling(out, "old"), None
    with output_lock(out_dir):
        try:
            try:
                _tidy(out, stage, old)  # what a killed build left
                check_replaceable(out_dir)
                changed = [out / name for name in sorted(files) if not _same(out / name, files[name])]
                listing = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()}
                if not changed and listing == set(wanted) and _same(out / MANIFEST, wanted[MANIFEST]):
                    return []
                stage.mkdir()
                staged = stage.stat().st_ino  # a rename keeps it: how to tell the new folder is in place
                for name, data in sorted(wanted.items()):
                    (stage / name).parent.mkdir(parents=True, exist_ok=True)
                    _write_file(stage / name, data)
                for folder in [*(p for p in stage.rglob("*") if p.is_dir()), stage]:
                    _fsync(folder)
                if out.exists():
                    os.rename(out, old)  # stopped right after this: _tidy, now or in the next build, undoes it
                os.rename(stage, out)
                _fsync(out.parent)
            finally:
                with suppress(OSError):
                    _tidy(out, stage, old)
        except KeyboardInterrupt as exc:  # a signal: tell the CLI whether the new tables are in place
            if staged is not None and out.is_dir() and out.stat().st_ino == staged:
                shutil.rmtree(old, ignore_errors=True)  # the signal may have stopped its removal
                raise Interrupted(getattr(exc, "signum", signal.SIGINT), written=True) from None
            raise
        except OSError as exc:
            raise _write_error(exc, out_dir) from exc
    return changed


def _write_file(path: Path, data: bytes) -> None:
    """Write one staged file through to the disk (a new file; tests replace this to fill the disk)."""
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync(folder: Path) -> None:
    """Put a folder's entries on the disk (POSIX: Windows opens no folder)."""
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _tidy(out: Path, stage: Path, old: Path) -> None:
    """Put back a previous folder moved aside (a write stopped between the renames), remove the rest."""
    if not out.exists() and old.is_dir():
        os.rename(old, out)
    for leftover in (stage, old):
        shutil.rmtree(leftover, ignore_errors=True)


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.bizenv-{kind}"


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def check_replaceable(out_dir: Path | str) -> None:
    """Refuse an output folder that a build may not replace: a file, or a folder holding other work.

    Replaceable: missing, empty, or all listed in its manifest (without one, no file is known to be a
    build's, whatever its name). Hidden files count; the system files of `_SYSTEM_FILES` do not.
    """
    shown = Path(out_dir)
    out, manifest = shown.resolve(), shown.resolve() / MANIFEST
    if not out.exists():
        return
    if not out.is_dir():
        raise BuildError("the output folder is a file", shown, "choose a folder for --out")
    try:
        entries = [e for e in out.iterdir() if e.name != MANIFEST and e.name not in _SYSTEM_FILES]
        lines = manifest.read_text(encoding="utf-8", errors="replace").splitlines() if manifest.is_file() else None
    except OSError as exc:
        raise _write_error(exc, shown) from exc
    listed = None if lines is None else {ln.split("/")[0] for ln in lines if ln.strip() and not ln.startswith("#")}
    foreign = sorted(e.name + ("/" if e.is_dir() else "") for e in entries if listed is None or e.name not in listed)
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        why = "" if listed is not None else f" (it has no build manifest, {MANIFEST}, listing any)"
        raise BuildError(
            f"the output folder holds files that a build did not write ({', '.join(foreign[:5])}{more}){why}; "
            "a build replaces the whole folder", shown,
            "choose a new or empty folder for --out (e.g. DATA/processed), or move those files elsewhere "
            "(the tables of an older build without a manifest: delete them)")


def check_writable(out_dir: Path | str) -> None:
    """Refuse an output folder that is read-only, or whose parent folder is (staging goes there)."""
    shown, out = Path(out_dir), Path(out_dir).resolve()
    fix = "make it writable (chmod u+w) or choose another --out"
    if out.exists() and not os.access(out, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write {shown}: the folder is read-only", None, fix)
    parent = next(p for p in out.parents if p.exists())
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write {shown}: the folder {parent} that holds it is read-only "
                         "(a build writes its files beside the output folder first)", None, fix)


def check_output_folder(out_dir: Path | str, data_dir: Path | str | None = None) -> None:
    """Refuse, before a build computes anything, an output folder among the inputs (the data folder,
    in it, holding it or another one), not replaceable or writable, or another build is writing."""
    shown, out = Path(out_dir), Path(out_dir).resolve()
    if out.parent == out:
        raise BuildError("the output folder is the file system's root", shown, "choose a folder for --out")
    if data_dir is not None:
        data = Path(data_dir).resolve()
        problems = [  # the first that applies
            (out == data, "is the data folder itself"),
            (data.is_relative_to(out), f"holds the data folder {data_dir}"),
            # the default build would find this folder among its outputs and refuse to replace them
            (out.is_relative_to(data / "processed") and out != data / "processed",
             "lies inside the data folder's default output folder processed/"),
            *((out.is_relative_to(data / sub), f"lies in the data folder's {sub}/")
              for sub in ("raw", "lexicon", "validation")),
            (out.is_dir() and ((out / "sources.csv").exists() or (out / "raw").exists()),
             "holds sources.csv or raw/ (it is a data folder)")]
        problem = next((text for applies, text in problems if applies), None)
        if problem:
            raise BuildError(f"the output folder {problem}; a build replaces its output folder as a whole",
                             shown, f"use {Path(data_dir) / 'processed'} or a folder outside the data folder")
    check_replaceable(shown)
    check_writable(shown)
    if _sibling(out, "lock").exists():  # a build has run here: is one running? (nothing is created)
        with output_lock(shown):
            pass


@contextmanager
def output_lock(out_dir: Path | str) -> Iterator[None]:
    """Hold an output folder's lock (BuildError if another build holds it half a second); re-entrant
    in one process: the CLI holds it for the whole build, the write takes it again."""
    shown = Path(out_dir)
    lock = FileLock(_sibling(shown.resolve(), "lock"), timeout=0.5, is_singleton=True, thread_local=False)
    try:
        lock.acquire()
    except Timeout:  # before OSError: filelock's Timeout is one
        raise BuildError(f"another build is writing {shown}", None,
                         "wait for it to finish (or stop it), then build again; or choose another --out") from None
    except OSError as exc:
        raise _write_error(exc, shown) from exc
    try:
        yield
    finally:
        lock.release()


_FIXES = {
    errno.ENOSPC: "free some disk space, or choose --out on another disk",
    errno.EDQUOT: "free some space in your quota, or choose --out on another disk",
    **dict.fromkeys((errno.EACCES, errno.EPERM), "make the folder writable (chmod u+w) or choose another --out"),
    errno.EROFS: "the disk is mounted read-only: choose another --out",
}


def _write_error(exc: OSError, shown: Path) -> BuildError:
    where = f" ({exc.filename})" if exc.filename else ""
    return BuildError(f"cannot write {shown}: {exc.strerror or exc}{where}", None,
                      _FIXES.get(exc.errno, "check the output folder and its disk, then build again"))
