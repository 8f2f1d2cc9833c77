"""Shared fixtures: the bundled corpus built once into a temporary folder, and corpus copies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from bizenv_analysis.base.paths import DATA, REGULATIONS, ROOT
from bizenv_analysis.io.tables import load
from bizenv_analysis.text.measures import compared

TABLES = ["documents", "removed", "metadata", "measures", "cases", "tokens", "clusters", "cluster_terms",
          "cluster_selection", "themes", "validation_summary"]


def run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder of this test run that every pytest-xdist worker sees (above each worker's own)."""
    root = tmp_path_factory.getbasetemp()
    return root if worker_id == "master" else root.parent


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Path, str]:
    """A fresh build of the bundled corpus by the CLI: the output folder and what it printed.

    Read-only for the tests. Under pytest-xdist the workers of one run share it: the first to ask
    builds it under a lock, the others wait and read it, so the suite builds the corpus once.
    """
    root = run_folder(tmp_path_factory, worker_id)
    out, printed = root / "bundled-build", root / "bundled-build.stdout"
    with FileLock(root / "bundled-build.lock"):
        if not printed.is_file():
            run = subprocess.run([sys.executable, "-m", "bizenv_analysis", "build", "--out", str(out)],
                                 capture_output=True, text=True, cwd=ROOT, check=True)
            assert run.stderr == ""
            printed.write_text(run.stdout, encoding="utf-8")
    return out, printed.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def regulations_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Path, str]:
    """A fresh build of the regulations corpus (data/regulations) by the CLI, shared like `built_dir`."""
    root = run_folder(tmp_path_factory, worker_id)
    out, printed = root / "regulations-build", root / "regulations-build.stdout"
    with FileLock(root / "regulations-build.lock"):
        if not printed.is_file():
            run = subprocess.run([sys.executable, "-m", "bizenv_analysis", "build", "--data", str(REGULATIONS),
                                  "--out", str(out)], capture_output=True, text=True, cwd=ROOT, check=True)
            assert run.stderr == ""
            printed.write_text(run.stdout, encoding="utf-8")
    return out, printed.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(built_dir: tuple[Path, str]) -> dict[str, pd.DataFrame]:
    """Every table of the fresh build."""
    return {name: load(name, built_dir[0]) for name in TABLES}


@pytest.fixture(scope="session")
def measures(built: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The compared items of the fresh build (every kind but general), indexed by id."""
    return compared(built["measures"]).set_index("measure_id", drop=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus (sources.csv + raw/)."""
    dst = tmp_path / "corpus"
    (dst / "raw").mkdir(parents=True)
    shutil.copy(DATA / "sources.csv", dst / "sources.csv")
    for f in (DATA / "raw").iterdir():
        shutil.copy(f, dst / "raw" / f.name)
    return dst
