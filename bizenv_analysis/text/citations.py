"""Citations of other texts in the measures: one row per 《…》 title a measure names.

Each title gets a `relation` from its sentence (legal_basis: 根据《…》…制定; implements: 贯彻实施《…》;
else cites) and a `law_level` from the title itself (law: 《中华人民共和国…法》 or 《…法》;
administrative_regulation: a 《…条例》 naming no place; local_regulation: 《<province or city>…条例》;
else other), by the rules of `data/lexicon/higher_law.csv` (`rules.citations`). A sentence ends at
。 ； ; or a line break. A title named twice in one measure gives one row: its first sentence with a
relation other than cites, else its first sentence.

`cited_source_id` is the corpus document whose `title` equals the cited title, and of several
(versions of one law: 上海市优化营商环境条例 of 2020 and 2024) the latest dated no later than the
citing document; never the citing document itself; empty when none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..base.order import sort_by_ids
from ..rules.citations import CitationRules

CITATION_COLUMNS = ["citation_id", "source_id", "measure_id", "cited_title", "cited_source_id", "relation",
                    "law_level", "sentence"]
TITLE = re.compile(r"《(?P<title>[^《》\n]{1,80})》")
SENTENCE_END = re.compile(r"[。；;\n]")
RANK = {"legal_basis": 0, "implements": 1, "cites": 2}  # which sentence of a title named twice is kept


def cited_source(title: str, citing: str, titles: Mapping[str, str], dates: Mapping[str, str]) -> str:
    """The corpus document a citation names: same title, dated no later than the citing one, the latest
    of them (ISO dates compare as text); "" when none."""
    limit = dates.get(citing, "")
    same = [(dates.get(sid, ""), sid) for sid, t in titles.items()
            if t == title and sid != citing and (not limit or dates.get(sid, "") <= limit)]
    return max(same)[1] if same else ""


def measure_citations(text: str, rules: CitationRules) -> list[dict]:
    """The titles one measure text names, each once, with relation, law_level and sentence (in the
    order of their first mention)."""
    mentions = []  # (title, position, row) of every mention
    for m in TITLE.finditer(text):
        starts = [e.end() for e in SENTENCE_END.finditer(text, 0, m.start())]
        s_start = starts[-1] if starts else 0
        s_end = SENTENCE_END.search(text, m.end())
        before, after = text[s_start:m.start()], text[m.end():s_end.start() if s_end else len(text)]
        title = m["title"]
        mentions.append((title, m.start(), {
            "cited_title": title, "relation": rules.value("relation", before, title, after),
            "law_level": rules.value("law_level", before, title, after),
            "sentence": text[s_start:s_end.end() if s_end else len(text)].strip()}))
    first = {t: pos for t, pos, _ in reversed(mentions)}
    kept = {t: min((RANK[r["relation"]], pos, i) for i, (t2, pos, r) in enumerate(mentions) if t2 == t)[2]
            for t in first}
    return [mentions[kept[t]][2] for t in sorted(first, key=first.get)]


def citations_table(measures: pd.DataFrame, titles: Mapping[str, str], dates: Mapping[str, str],
                    rules: CitationRules) -> pd.DataFrame:
    """citations.csv: one row per title cited in a measure (every kind of item, general parts too:
    a law's basis is in its first article), sorted by measure_id then first mention.

    `titles`, `dates`: source_id → title and ISO date of every document of the corpus.
    `citation_id` is `<measure_id>#c<k>`, the measure's k-th title.
    """
    rows = []
    for mea in measures.itertuples():
        for k, r in enumerate(measure_citations(mea.text, rules), start=1):
            rows.append({"citation_id": f"{mea.measure_id}#c{k}", "source_id": mea.source_id,
                         "measure_id": mea.measure_id, **r,
                         "cited_source_id": cited_source(r["cited_title"], mea.source_id, titles, dates)})
    df = pd.DataFrame(rows, columns=CITATION_COLUMNS)
    return sort_by_ids(df, ["measure_id", "citation_id"], kind="stable", ignore_index=True)


def cites_law(citations: pd.DataFrame) -> bool:
    """Whether any citation names a law or regulation (a law_level other than `other`)."""
    return bool((citations["law_level"] != "other").any())
