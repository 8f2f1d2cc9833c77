"""The pinned environment: requirements.lock, environment.yml and pyproject agree."""

from __future__ import annotations

import re
import tomllib

import yaml

from bizenv_analysis.base.paths import ROOT


def lock_pins() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = dict(ln.split("==") for ln in lines if ln and not ln.startswith("#"))
    return {k.lower().replace("_", "-"): v for k, v in pins.items()}


def test_environment_yml_has_python_311_and_exactly_the_lock_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    pinned = dict(p.split("==") for p in pip if "==" in p)
    assert {k.lower().replace("_", "-"): v for k, v in pinned.items()} == lock_pins()


def test_every_declared_dependency_is_pinned():
    """Every requirement of pyproject.toml (dependencies and every optional group), read with
    tomllib, so a name written with a version or extras ("pandas>=2", "dask[distributed]") is
    checked too, not skipped by a line pattern."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*project["dependencies"], *(r for group in project["optional-dependencies"].values() for r in group)]
    declared = {re.match(r"[A-Za-z0-9_.-]+", r.strip()).group().lower().replace("_", "-") for r in reqs}
    pins = lock_pins()
    assert sorted(declared - set(pins)) == [], "declared but not in requirements.lock"
    for core in ["pandas", "matplotlib", "jieba", "scikit-learn", "opencc", "nbval", "jupyterlab", "dask"]:
        assert core in declared and core in pins, core
