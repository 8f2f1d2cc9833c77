"""Re-pin the study's dependency sets, and environment.yml, from the project's .venv (`make lock`).

Each set pins the closure of some of pyproject.toml's requirements: every distribution they need,
transitively, with the version installed in .venv. The closure is read from the installed metadata
(importlib.metadata), honouring environment markers for CPython 3.11 on Linux and the extras a
requirement asks for ("dask[array]"). The runtime set stands alone; every other set is layered on
it (its file starts with `-r runtime.lock`) and pins only what the runtime set does not, so
`pip install -r requirements/<set>.lock` installs a complete, pinned environment for that set.

    python tools/lock.py           write requirements/*.lock and environment.yml
    python tools/lock.py --check   write nothing; exit 1 if they differ from what would be written
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
RUNTIME = "runtime"
# set -> the pyproject.toml groups it pins ("" is [project].dependencies). The runtime set is what
# `make study` runs: the library and headless notebook execution.
SETS: dict[str, tuple[str, ...]] = {
    RUNTIME: ("", "study"),
    "test": ("dev",),
    "site": ("site",),
    "cluster": ("distributed",),
    "lab": ("lab",),
}
# What environment.yml holds: a conda user gets the study and JupyterLab to open it in; the other
# sets are added with pip inside the environment (`pip install -r requirements/test.lock`).
CONDA_SETS = (RUNTIME, "lab")
# The lock is for the platform the study is run and tested on, whatever machine re-pins it.
TARGET = {"python_version": "3.11", "implementation_name": "cpython", "platform_python_implementation": "CPython",
          "os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
HEADER = ("# The {name} set: {purpose}. Exact versions, for CPython 3.11 on Linux.\n"
          "# Written by tools/lock.py (`make lock`) from .venv; do not edit by hand.\n")
PURPOSE = {
    RUNTIME: "what `make study` runs (the library, headless notebooks)",
    "test": "pytest, nbval and ruff for `make test`",
    "site": "Sphinx, myst-nb, furo and Playwright for `make site` and the site's browser test",
    "cluster": "dask.distributed for `build --dask` and its tests",
    "lab": "JupyterLab for `make lab`",
}


class LockError(Exception):
    """The installed environment cannot give a complete, consistent pin of a set."""


def marker_environment() -> dict[str, str]:
    """The marker variables of the target platform (CPython 3.11 on Linux); the rest from this interpreter."""
    return {**default_environment(), **TARGET}


def closure(roots: Iterable[str], requires: Callable[[str], list[str] | None], version: Callable[[str], str],
            env: Mapping[str, str]) -> dict[str, str]:
    """Every distribution the requirement strings `roots` need, transitively: canonical name -> version.

    `requires(name)` gives a distribution's requirement strings and `version(name)` its version (both
    raise importlib.metadata.PackageNotFoundError when it is not installed). A requirement counts when
    its marker holds in `env` with no extra, or with one of the extras asked of its distribution.
    Raises LockError, naming every problem, when a needed distribution is missing or its installed
    version does not satisfy a requirement on it.
    """
    found: dict[str, str] = {}
    done: set[tuple[str, str]] = set()  # (distribution, extra) whose requirements were read; "" = none
    followed: set[tuple[str, str]] = set()  # (distribution, requirement string) already queued
    problems: list[str] = []
    todo = [(Requirement(r), "pyproject.toml") for r in roots]
    while todo:
        req, by = todo.pop()
        name = canonicalize_name(req.name)
        req.marker = None  # it held; what is left names the requirement in a message
        if name not in found:
            try:
                found[name] = version(name)
            except importlib.metadata.PackageNotFoundError:
                problems.append(f"{req} (needed by {by}) is not installed")
                continue
        if not req.specifier.contains(found[name], prereleases=True):
            problems.append(f"{name} {found[name]} is installed but {by} needs {req}")
        for extra in ["", *sorted(canonicalize_name(e) for e in req.extras)]:
            if (name, extra) in done:
                continue
            done.add((name, extra))
            for text in requires(name) or []:
                dep = Requirement(text)
                if (name, text) not in followed and (dep.marker is None
                                                     or dep.marker.evaluate({**env, "extra": extra})):
                    followed.add((name, text))
                    todo.append((dep, f"{name}[{extra}]" if extra else name))
    if problems:
        raise LockError("\n".join(sorted(set(problems))))
    return found


def set_roots(project: Mapping) -> dict[str, list[str]]:
    """The requirement strings each set pins, from pyproject.toml's [project] table."""
    groups = {"": project["dependencies"], **project["optional-dependencies"]}
    unplaced = sorted(set(groups) - {g for gs in SETS.values() for g in gs})
    if unplaced:
        raise LockError(f"pyproject.toml groups in no set of tools/lock.py's SETS: {unplaced}")
    return {name: [r for g in gs for r in groups[g]] for name, gs in SETS.items()}


def installed_names() -> dict[str, str]:
    """Canonical name -> the distribution's own spelling of its name, for every installed distribution."""
    return {canonicalize_name(d.metadata["Name"]): d.metadata["Name"] for d in importlib.metadata.distributions()}


def pin_sets(roots: Mapping[str, list[str]]) -> dict[str, dict[str, str]]:
    """Each set's own pins (canonical name -> version) from the installed metadata; the extras without
    what the runtime set already pins."""
    env = marker_environment()
    sets = {name: closure(rs, importlib.metadata.requires, importlib.metadata.version, env)
            for name, rs in roots.items()}
    runtime = sets[RUNTIME]
    return {name: (pins if name == RUNTIME else {k: v for k, v in pins.items() if k not in runtime})
            for name, pins in sets.items()}


def render(sets: Mapping[str, Mapping[str, str]], spelling: Mapping[str, str]) -> dict[Path, str]:
    """The text of every lock file and of environment.yml."""
    def lines(pins: Mapping[str, str]) -> list[str]:
        return sorted((f"{spelling.get(k, k)}=={v}" for k, v in pins.items()), key=str.lower)

    files = {}
    for name, pins in sets.items():
        include = "" if name == RUNTIME else f"-r {RUNTIME}.lock\n"
        files[LOCKS / f"{name}.lock"] = (HEADER.format(name=name, purpose=PURPOSE[name]) + include
                                         + "".join(p + "\n" for p in lines(pins)))
    conda = {k: v for name in CONDA_SETS for k, v in sets[name].items()}
    env = ["# conda users: `conda env create -f environment.yml` — the runtime and lab sets of requirements/",
           "# (what `make study` and `make lab` run); add another set inside the environment with",
           "# `pip install -r requirements/<set>.lock`. tests/test_environment.py checks that they agree.",
           "# Written by tools/lock.py (`make lock`).",
           "name: bizenv-analysis", "channels:", "  - conda-forge", "dependencies:",
           "  - python=3.11", "  - pip", "  - pip:"]
    env += [f"      - {p}" for p in lines(conda)] + ["      - -e ."]
    files[ROOT / "environment.yml"] = "\n".join(env) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    try:
        sets = pin_sets(set_roots(project))
    except LockError as exc:
        print(f"tools/lock.py: cannot pin from {sys.prefix}:\n{exc}", file=sys.stderr)
        return 1
    files = render(sets, installed_names())
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(ROOT)} differs from the pins in {sys.prefix}", file=sys.stderr)
        return 1 if stale else 0
    LOCKS.mkdir(exist_ok=True)
    for p in stale:
        p.write_text(files[p], encoding="utf-8")
    for name, pins in sets.items():
        print(f"{name}: {len(pins)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
