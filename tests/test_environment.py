"""The pinned environment: requirements.lock, environment.yml and pyproject agree."""

from __future__ import annotations

import re

import yaml

from bizenv_analysis.paths import ROOT


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
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    declared = set(re.findall(r'^\s+"([A-Za-z0-9_.-]+)",?$', text, flags=re.M))
    pins = lock_pins()
    for name in declared:
        assert name.lower().replace("_", "-") in pins, f"{name} is declared but not in requirements.lock"
    for core in ["pandas", "matplotlib", "jieba", "scikit-learn", "opencc", "nbval", "jupyterlab"]:
        assert core in pins
