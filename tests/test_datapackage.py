"""data/datapackage.json describes every processed table and every column, in order."""

from __future__ import annotations

import json
import math

import pandas as pd

from bizenv_analysis.base.paths import DATA


def test_every_processed_file_and_column_is_described():
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    # the tables only a corpus of laws writes (their `corpus` key): tests/test_articles.py checks their columns
    tables = [r for r in pkg["resources"] if r["format"] == "csv" and r.get("corpus", "bundled") == "bundled"]
    described = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in tables}
    on_disk = sorted(f"processed/{p.name}" for p in (DATA / "processed").glob("*.csv"))
    assert sorted(described) == on_disk
    # the network files for Gephi: described by format and media type, no columns
    others = {r["path"]: r for r in pkg["resources"] if r["format"] != "csv"}
    assert sorted(others) == sorted(f"processed/{p.name}" for p in (DATA / "processed").iterdir()
                                    if p.suffix in (".gexf", ".graphml"))
    assert all(r["mediatype"] and r["description"] and "schema" not in r for r in others.values())
    for path, cols in described.items():
        assert list(pd.read_csv(DATA / path, nrows=0).columns) == cols, path
    assert all(f["description"] for r in tables for f in r["schema"]["fields"])


def test_every_table_a_user_opens_is_excel_safe():
    """UTF-8 with a byte-order mark (Excel then reads Chinese correctly) and no cell a spreadsheet
    would run as a formula (OWASP CSV injection: = + - @ tab CR at the start of a text cell)."""
    from bizenv_analysis.base.paths import FIGURES
    from bizenv_analysis.io.tables import FORMULA_START

    paths = sorted((DATA / "processed").glob("*.csv")) + sorted(FIGURES.glob("*.csv"))
    assert len(paths) > 40
    for path in paths:
        assert path.read_bytes().startswith("\ufeff".encode()), path.name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in table.columns:
            risky = table[column][table[column].str.startswith(FORMULA_START)]
            # a number may start with - or +; text may not
            assert all(_is_number(v) for v in risky), (path.name, column, list(risky[:3]))


def _is_number(text: str) -> bool:
    """A finite number: a spreadsheet reads "-inf" or "-nan" as a formula (#NAME?), not a number."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def test_a_defused_cell_reads_back_as_the_build_computed_it():
    from bizenv_analysis.io.tables import load

    raw = pd.read_csv(DATA / "processed" / "removed.csv", dtype=str, keep_default_na=False)
    assert (raw["text"] == "'- 相关新闻").any()  # on disk: safe for a spreadsheet
    assert (load("removed")["text"] == "- 相关新闻").any() and not load("removed")["text"].str.startswith("'-").any()
