"""Shared fixtures: the bundled corpus built once into a temporary folder, and corpus copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis import build
from bizenv_analysis.paths import DATA
from bizenv_analysis.tables import load

TABLES = ["documents", "removed", "metadata", "measures", "cases"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Every table of a fresh build of the bundled corpus."""
    out = tmp_path_factory.mktemp("processed")
    build(DATA, out, quiet=True)
    return {name: load(name, out) for name in TABLES}


@pytest.fixture(scope="session")
def measures(built: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return built["measures"].set_index("measure_id", drop=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus (sources.csv + raw/)."""
    dst = tmp_path / "corpus"
    (dst / "raw").mkdir(parents=True)
    shutil.copy(DATA / "sources.csv", dst / "sources.csv")
    for f in (DATA / "raw").iterdir():
        shutil.copy(f, dst / "raw" / f.name)
    return dst
