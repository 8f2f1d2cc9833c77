"""Orders every table shares: sources in time order, ids in document order (pure pandas, so a
stage can sort without loading the readers and writers)."""

from __future__ import annotations

import re

import pandas as pd


def source_order(documents: pd.DataFrame) -> list[str]:
    """Sources in chronological order (year, then id): the order of every table and figure."""
    return list(documents.sort_values(["year", "source_id"])["source_id"])


_NUMBER = re.compile("[0-9]+")
ID_DIGITS = 12  # numbers in ids are compared padded to this many digits
ID_COLUMNS = ("measure_id", "case_id", "cand_id")  # columns of ids numbered within their source


def id_key(ids: pd.Series) -> pd.Series:
    """Sort keys for ids numbered within their source (`<source_id>:07`, `<source_id>:g02`,
    `<source_id>:case3`, `<measure_id>#2`) that put them in document order: the numbers after
    the source id are compared as numbers (…:99 < …:100 < …:1000), the source id as text, as
    before (a source_id holds no `:`; `sources.read_sources` checks it)."""
    def key(value: object) -> str:
        source, sep, local = str(value).partition(":")
        return source + sep + _NUMBER.sub(lambda m: m.group().zfill(ID_DIGITS), local)
    return ids.map(key)


def _id_columns_numeric(column: pd.Series) -> pd.Series:
    """`sort_values(key=…)`: ids by `id_key`, every other column as it is."""
    return id_key(column) if column.name in ID_COLUMNS else column


def sort_by_ids(df: pd.DataFrame, by: list[str], **kwargs: object) -> pd.DataFrame:
    """`df.sort_values(by, **kwargs)` with the id columns (`ID_COLUMNS`) in document order (`id_key`)."""
    return df.sort_values(by, key=_id_columns_numeric, **kwargs)


def sort_by_source(df: pd.DataFrame, order: list[str], by: list[str],
                   ascending: bool | list[bool] = True) -> pd.DataFrame:
    """Rows sorted by the columns `by`, where `source_id` follows `order` (not the alphabet) and
    measure ids follow the document (`id_key`)."""
    out = df.assign(source_id=pd.Categorical(df["source_id"], order, ordered=True))
    return sort_by_ids(out, by, ascending=ascending).astype({"source_id": str}).reset_index(drop=True)
