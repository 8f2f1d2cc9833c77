"""Reading the built tables back (for notebooks and tests)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .paths import DATA, PROCESSED


def load(name: str, out_dir: Path | str = PROCESSED) -> pd.DataFrame:
    """A table from `data/processed/` (`load("measures")`); empty cells stay empty strings."""
    path = Path(out_dir) / (name if name.endswith(".csv") else f"{name}.csv")
    return pd.read_csv(path, keep_default_na=False, encoding="utf-8-sig")


def sources(data_dir: Path | str = DATA) -> pd.DataFrame:
    """`sources.csv` of a data folder."""
    return pd.read_csv(Path(data_dir) / "sources.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def source_order(documents: pd.DataFrame) -> list[str]:
    """Sources in chronological order (year, then id): the order of every table and figure."""
    return list(documents.sort_values(["year", "source_id"])["source_id"])


def sort_by_source(df: pd.DataFrame, order: list[str], by: list[str],
                   ascending: bool | list[bool] = True) -> pd.DataFrame:
    """Rows sorted by the columns `by`, where `source_id` follows `order` (not the alphabet)."""
    out = df.assign(source_id=pd.Categorical(df["source_id"], order, ordered=True))
    return out.sort_values(by, ascending=ascending).astype({"source_id": str}).reset_index(drop=True)
