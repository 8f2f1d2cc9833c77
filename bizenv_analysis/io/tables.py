"""The built tables as CSV bytes, and read back (for notebooks and tests)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from ..base.order import ID_COLUMNS as ID_COLUMNS  # re-exported: notebooks and tests sort through tables
from ..base.order import id_key as id_key
from ..base.order import sort_by_ids as sort_by_ids
from ..base.order import sort_by_source as sort_by_source
from ..base.order import source_order as source_order
from ..base.paths import DATA, PROCESSED

# Cells starting with one of these are formulas to a spreadsheet (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


@cache
def column_types() -> dict[str, dict[str, str]]:
    """{file name: {column: type}} from `data/datapackage.json` (Table Schema types)."""
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {Path(r["path"]).name: {f["name"]: f.get("type", "string") for f in r["schema"]["fields"]}
            for r in pkg["resources"] if "schema" in r}


def _undefused(cell: str) -> str:
    """A cell without the apostrophe `defuse_formulas` put before a formula-like start."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_START else cell


def load(name: str, out_dir: Path | str = PROCESSED) -> pd.DataFrame:
    """A table from `data/processed/` (`load("measures")`), typed as `datapackage.json` says.

    A CSV the data package does not describe is read with pandas' own type inference. Text cells
    come back as the build computed them (the apostrophe that keeps spreadsheets from running a
    cell as a formula is removed).

    Text columns keep empty cells as empty strings; an empty number is NaN, an empty integer or
    boolean pd.NA (nullable dtypes only where a cell is empty), so a column that is empty on a
    small corpus (no second source, no interval) still has its declared type.
    """
    path = Path(out_dir) / (name if name.endswith(".csv") else f"{name}.csv")
    types = column_types().get(path.name)
    if types is None:  # not a table of the build (a validation record): pandas infers the types
        return pd.read_csv(path, keep_default_na=False, encoding="utf-8-sig")
    df = pd.read_csv(path, keep_default_na=False, encoding="utf-8-sig", dtype=str)
    for col, kind in types.items():
        if col in df.columns and kind == "string":  # undo defuse_formulas: the text as computed
            df[col] = df[col].map(_undefused)
        if col not in df.columns or kind == "string":
            continue
        empty = df[col] == ""
        if kind == "boolean":
            values = df[col].map({"True": True, "False": False, "": pd.NA})
            df[col] = values.astype("boolean") if empty.any() else values.astype(bool)
        else:
            values = pd.to_numeric(df[col].mask(empty))
            df[col] = values.astype("Int64") if kind == "integer" and empty.any() else (
                values.astype("int64") if kind == "integer" else values.astype(float))
    return df


def sources(data_dir: Path | str = DATA) -> pd.DataFrame:
    """`sources.csv` of a data folder."""
    return pd.read_csv(Path(data_dir) / "sources.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
