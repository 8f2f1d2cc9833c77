"""The steps of the legal frame (issue #25): they write their tables only for a corpus whose
documents are laws enumerated in articles (第X条), and return nothing otherwise, so a corpus of
plans builds as before. `steps.STEPS` lists them with the others.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .analysis import deontic_check
from .io.hierarchy import hierarchy_from, hierarchy_table
from .rules.legal import LegalRules
from .text import articles

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
