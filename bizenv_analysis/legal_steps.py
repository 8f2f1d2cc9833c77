"""The steps of the legal frame (issue #25): they write their tables only for a corpus whose
documents are laws enumerated in articles (第X条), and return nothing otherwise, so a corpus of
plans builds as before. `steps.STEPS` lists them with the others.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import deontic_check, extractor_check
from .io.hierarchy import hierarchy_from, hierarchy_table
from .rules.legal import LegalRules
from .rules.lexicon import Lexicon
from .text import articles, citations

Values = dict[str, Any]


def _deontics_of(sentence: str, legal: LegalRules) -> list[tuple[str, str]]:
    """(modality, addressee) of every statement the rules find in one sentence."""
    return [(r["modality"], r["addressee"]) for r in articles.deontic_statements("s", sentence, legal)]


def structure(v: Values) -> Values:
    """Articles, their 款 and 项, their deontic statements (scored against the corpus's hand check
    when it has one) and the hierarchy, for a corpus whose documents have articles."""
    lex = v["lexicon"]
    out = articles.article_tables(v["documents.csv"], v["measures.csv"], v["structure.csv"], lex.grammar, lex.legal)
    if not out:
        return out
    if hierarchy_from(v["raws"]).declared():
        out["hierarchy.csv"] = hierarchy_table(v["raws"])
    check = deontic_check.deontic_validation(v["vdir"], partial(_deontics_of, legal=lex.legal))
    if check is not None:
        out["validation_deontic.csv"] = check
    return out


def structure_line(v: Values) -> str | None:
    if "articles.csv" not in v:  # `in` reads no table: a corpus without articles prints nothing
        return None
    arts, deontics = v["articles.csv"], v["deontics.csv"]
    parts = arts["part"].value_counts()
    return (f"      articles  {len(arts)} articles ({', '.join(f'{parts[p]} {p}' for p in parts.index)}), "
            f"{len(v['provisions.csv'])} paragraphs and points, {len(deontics)} deontic statements")


# The doc_type of sources.csv that makes a corpus one of laws (its citations are always written).
REGULATION = "regulation"


def cited(measures_table: pd.DataFrame, docs: pd.DataFrame, lex: Lexicon) -> Values:
    """citations.csv, written only for a corpus of laws: one with a `regulation` document or a citation
    of a law or regulation (so a corpus of plans that names only other plans in 《》 gets no new table)."""
    found = citations.citations_table(measures_table, dict(zip(docs["source_id"], docs["title"], strict=True)),
                                      dict(zip(docs["source_id"], docs["date"].fillna("").astype(str), strict=True)),
                                      lex.citations)
    legal = (docs["doc_type"] == REGULATION).any() or citations.cites_law(found)
    return {"citations.csv": found} if legal else {}


def quantities_checked(found: pd.DataFrame, measures_table: pd.DataFrame, vdir: Path) -> pd.DataFrame | None:
    """The quantities of a corpus of laws against its hand check (`extractor_check.QUANTITIES_CHECK`),
    as rows of validation_extractors.csv; None without the check. A law's measure number is its
    article number (measures.csv `number`)."""
    if not (vdir / extractor_check.QUANTITIES_CHECK).is_file():
        return None
    number = pd.to_numeric(measures_table["number"], errors="coerce")  # paragraphs have none
    article_of = dict(zip(measures_table["measure_id"][number.notna()], number.dropna().astype(int), strict=True))
    table = extractor_check.legal_targets_table(found, article_of, vdir)
    # The rules of data/lexicon/ are the ones the check was held out from (its README says when).
    return None if table is None else table.assign(rules="final")[["rules", *extractor_check.COLUMNS]]
