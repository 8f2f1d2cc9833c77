"""The pinned environment: the sets of requirements/, environment.yml and pyproject.toml agree, and
tools/lock.py (`make lock`) finds a set's closure the way pip installs it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bizenv_analysis.base.paths import ROOT

_spec = importlib.util.spec_from_file_location("lock", ROOT / "tools" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
sys.modules["lock"] = lock
_spec.loader.exec_module(lock)

LOCKS = ROOT / "requirements"
EXTRAS = [name for name in lock.SETS if name != lock.RUNTIME]


def read_lock(name: str) -> tuple[list[str], dict[str, str]]:
    """A set file's `-r` includes and its own pins (canonical name -> version); fails on any other line
    and on a name pinned twice."""
    includes, pins = [], {}
    for line in (LOCKS / f"{name}.lock").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            includes.append(line[3:])
            continue
        dist, sep, version = line.partition("==")
        assert sep and dist and version and " " not in line, f"{name}.lock: not a pin: {line!r}"
        key = canonicalize_name(dist)
        assert key not in pins, f"{name}.lock pins {dist} twice"
        pins[key] = version
    return includes, pins


def set_pins(name: str) -> dict[str, str]:
    """Everything `pip install -r requirements/<name>.lock` installs: its own pins and the runtime set's."""
    own = read_lock(name)[1]
    return own if name == lock.RUNTIME else {**read_lock(lock.RUNTIME)[1], **own}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_one_lock_file_per_set_the_extras_layered_on_the_runtime_set():
    assert sorted(p.stem for p in LOCKS.glob("*.lock")) == sorted(lock.SETS)
    assert not (ROOT / "requirements.lock").exists(), "the one lock of everything is split into requirements/"
    assert read_lock(lock.RUNTIME)[0] == []
    runtime = read_lock(lock.RUNTIME)[1]
    for name in EXTRAS:
        includes, own = read_lock(name)
        assert includes == ["runtime.lock"], name
        assert own, name
        assert sorted(set(own) & set(runtime)) == [], f"{name}.lock repeats runtime pins"


def test_a_distribution_has_one_version_in_every_set():
    seen: dict[str, tuple[str, str]] = {}
    for name in lock.SETS:
        for dist, version in read_lock(name)[1].items():
            first = seen.setdefault(dist, (name, version))
            assert first[1] == version, f"{dist}: {first[1]} in {first[0]}.lock, {version} in {name}.lock"


def test_make_study_installs_none_of_the_tools_of_the_extras():
    """Issue #24: the runtime set leaves out Sphinx, Playwright, Dask, JupyterLab, pytest and ruff, and
    each of them is in the set of the target that runs it."""
    runtime = read_lock(lock.RUNTIME)[1]
    for dist, home in [("sphinx", "site"), ("playwright", "site"), ("myst-nb", "site"), ("dask", "cluster"),
                       ("distributed", "cluster"), ("jupyterlab", "lab"), ("jupyter-server", "lab"),
                       ("pytest", "test"), ("nbval", "test"), ("ruff", "test")]:
        assert dist not in runtime, dist
        assert dist in read_lock(home)[1], (dist, home)
    for dist in ["pandas", "numpy", "matplotlib", "jieba", "opencc", "scikit-learn", "scipy", "nbclient", "ipykernel",
                 "nbformat", "filelock"]:
        assert dist in runtime, dist


def test_environment_yml_is_python_311_and_exactly_the_runtime_and_lab_sets():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-e ." in pip
    pinned = [p.split("==") for p in pip if p != "-e ."]
    assert all(len(p) == 2 for p in pinned), pinned
    assert len(pinned) == len({canonicalize_name(d) for d, _ in pinned})
    assert {canonicalize_name(d): v for d, v in pinned} == {**set_pins("runtime"), **set_pins("lab")}


def test_every_declared_dependency_is_pinned_in_its_set_at_a_version_it_allows():
    """Every requirement of pyproject.toml (dependencies and every optional group), read with tomllib
    and parsed as a requirement, so a name written with a version or extras ("sphinx<9",
    "dask[distributed]") is checked too, and its pinned version against its specifier."""
    roots = lock.set_roots(project())
    assert sum(map(len, roots.values())) == len(project()["dependencies"]) + sum(
        map(len, project()["optional-dependencies"].values())), "a pyproject requirement in no set, or in two"
    for name, reqs in roots.items():
        pins = set_pins(name)
        for text in reqs:
            req = Requirement(text)
            dist = canonicalize_name(req.name)
            assert dist in pins, f"{text} (pyproject) is not pinned in {name}.lock"
            assert req.specifier.contains(pins[dist], prereleases=True), f"{name}.lock: {dist}=={pins[dist]} vs {text}"
    assert "sphinx<9" in roots["site"] and set_pins("site")["sphinx"].split(".")[0] == "8"


def test_set_roots_refuses_a_group_in_no_set():
    with pytest.raises(lock.LockError, match="docs"):
        lock.set_roots({"dependencies": [], "optional-dependencies": {"docs": ["sphinx"]}})


# Known answers for the closure: a made-up installed environment.
FAKE_REQUIRES = {
    "app": ["lib-b; sys_platform == 'win32'", "lib_c; python_version < '3.12'", "lib-d; extra == 'x'",
            "lib-e[y]>=1", "lib-h; python_version >= '3.12'"],
    "lib-c": [],
    "lib-d": None,  # no Requires-Dist at all
    "lib-e": ["lib-f; extra == 'y'", "Lib.G", "lib-b; extra == 'z'"],
    "lib-f": ["lib-c"],
    "lib-g": [],
    "lib-b": [],
    "lib-h": [],
}
FAKE_VERSIONS = {"app": "1.0", "lib-b": "1", "lib-c": "2.0", "lib-d": "0.1", "lib-e": "1.5", "lib-f": "3",
                 "lib-g": "4", "lib-h": "5"}
LINUX_311 = {**lock.marker_environment(), "python_version": "3.11", "python_full_version": "3.11.9"}


def fake(table: dict):
    def get(name: str):
        if name not in table:
            raise importlib.metadata.PackageNotFoundError(name)
        return table[name]
    return get


def test_closure_honours_markers_and_the_extras_asked_for():
    found = lock.closure(["app"], fake(FAKE_REQUIRES), fake(FAKE_VERSIONS), LINUX_311)
    # lib-b only on Windows or with lib-e's extra z; lib-d only with app's extra x; lib-h from 3.12;
    # lib-f through lib-e[y]; lib-g spelt "Lib.G"
    assert found == {"app": "1.0", "lib-c": "2.0", "lib-e": "1.5", "lib-f": "3", "lib-g": "4"}
    with_x = lock.closure(["app[x]"], fake(FAKE_REQUIRES), fake(FAKE_VERSIONS), LINUX_311)
    assert set(with_x) == set(found) | {"lib-d"}
    assert set(lock.closure(["lib-e"], fake(FAKE_REQUIRES), fake(FAKE_VERSIONS), LINUX_311)) == {"lib-e", "lib-g"}


def test_closure_names_a_missing_distribution_and_a_version_out_of_range():
    requires = {**FAKE_REQUIRES, "lib-e": ["lib-f; extra == 'y'", "lib-g<4"]}
    versions = {k: v for k, v in FAKE_VERSIONS.items() if k != "lib-f"}
    with pytest.raises(lock.LockError) as err:
        lock.closure(["app"], fake(requires), fake(versions), LINUX_311)
    assert str(err.value).splitlines() == ["lib-f (needed by lib-e[y]) is not installed",
                                           "lib-g 4 is installed but lib-e needs lib-g<4"]


def installed(pins: dict[str, str]) -> bool:
    try:
        return all(importlib.metadata.version(d) == v for d, v in pins.items())
    except importlib.metadata.PackageNotFoundError:
        return False


@pytest.mark.parametrize("name", list(lock.SETS))
def test_each_set_is_the_closure_of_its_requirements_in_this_environment(name):
    """A set installed here from its lock (`make test` installs every set but lab) is exactly the
    closure of its pyproject requirements: nothing missing that pip would fetch unpinned, nothing
    pinned that nothing needs."""
    pins = set_pins(name)
    if not installed(pins):
        pytest.skip(f"the {name} set is not installed here at its pinned versions")
    roots = lock.set_roots(project())
    found = lock.closure(roots[name], importlib.metadata.requires, importlib.metadata.version,
                         lock.marker_environment())
    if name != lock.RUNTIME:
        found = {**found, **read_lock(lock.RUNTIME)[1]}
    assert found == pins
