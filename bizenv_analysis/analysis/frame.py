"""The study's sources placed in the legal frame: which national or provincial articles each
measure paraphrases, how much of each frame chapter a source covers, and what it adds.

Plans paraphrase laws rather than copy them, so the similarity is the cosine of character 2–4-gram
TF-IDF vectors of the normal form (`base.chinese.normal`), fitted on the measures and the articles
together; a measure implements an article when the cosine reaches `frame_min`, a threshold that is
calibrated on a hand-coded sample. Which frame texts a source is compared with: the frame's root
(the national regulation) and the frame's provincial law of the source's province. Shares are of
measures within a source: descriptive (Wilson), never a test between sources — the five are five.
A source dated before a frame text cannot implement it: its overlap shows shared content only
(`timing`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from ..base.chinese import normal
from ..io.hierarchy import Hierarchy
from .inference import wilson

TOP = 3  # candidate articles kept per measure and frame text
LINK_COLUMNS = ["measure_id", "source_id", "frame_source_id", "article_id", "chapter_no", "rank", "cosine",
                "implements"]
COVERAGE_COLUMNS = ["source_id", "frame_source_id", "chapter_no", "chapter_title", "n_articles", "n_implemented",
                    "share"]
SUMMARY_COLUMNS = ["source_id", "frame_source_id", "n_measures", "n_implementing", "share", "share_low",
                   "share_high", "n_beyond", "frame_date", "source_date", "timing"]


def frame_sources(documents: pd.DataFrame, frame: Hierarchy, frame_province: Mapping[str, str]) -> dict[str, list[str]]:
    """source_id → the frame texts it is compared with: the roots, and the provincial law of its
    province (the latest version of that law dated no later than the source, else the earliest)."""
    roots = sorted({frame.root(s) for s in frame_province})
    out = {}
    for doc in documents.itertuples():
        laws = [s for s, prov in frame_province.items() if prov and prov == doc.province
                and frame.level.get(s) == "province"]
        out[doc.source_id] = roots + sorted(laws)
    return out


def similarities(measures: pd.DataFrame, articles: pd.DataFrame) -> np.ndarray:
    """Cosine of character 2–4-gram TF-IDF (normal form) between every measure and every article."""
    texts = [normal(t) for t in [*measures["text"], *articles["text"]]]
    tfidf = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True).fit_transform(texts)
    m, a = tfidf[: len(measures)], tfidf[len(measures):]
    return (m @ a.T).toarray()  # rows are L2-normalised: the dot product is the cosine


def frame_links(measures: pd.DataFrame, articles: pd.DataFrame, compared: Mapping[str, list[str]],
                frame_min: float, top: int = TOP) -> pd.DataFrame:
    """The `top` most similar substantive articles of each frame text for every measure, ranked."""
    arts = articles[articles["part"] == "substantive"].reset_index(drop=True)
    sims = similarities(measures.reset_index(drop=True), arts)
    rows = []
    for i, m in enumerate(measures.itertuples()):
        for frame_sid in compared.get(m.source_id, []):
            cols = np.flatnonzero(arts["source_id"].to_numpy() == frame_sid)
            order = cols[np.lexsort((cols, -sims[i, cols]))][:top]  # ties broken by article order
            for rank, j in enumerate(order, start=1):
                rows.append({"measure_id": m.measure_id, "source_id": m.source_id, "frame_source_id": frame_sid,
                             "article_id": arts.loc[j, "article_id"], "chapter_no": arts.loc[j, "chapter_no"],
                             "rank": rank, "cosine": float(sims[i, j]),
                             "implements": bool(rank == 1 and sims[i, j] >= frame_min)})
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def frame_coverage(links: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per source, frame text and chapter: how many substantive articles some measure implements."""
    arts = articles[articles["part"] == "substantive"]
    done = links[links["implements"]].groupby(["source_id", "frame_source_id"])["article_id"].agg(set)
    rows = []
    for (sid, fsid) in links[["source_id", "frame_source_id"]].drop_duplicates().itertuples(index=False):
        hit = done.get((sid, fsid), set())
        for (no, title), chapter in arts[arts["source_id"] == fsid].groupby(["chapter_no", "chapter_title"],
                                                                             sort=True, dropna=False):
            k = int(chapter["article_id"].isin(hit).sum())
            rows.append({"source_id": sid, "frame_source_id": fsid, "chapter_no": no, "chapter_title": title,
                         "n_articles": len(chapter), "n_implemented": k, "share": k / len(chapter)})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def timing(source_date: str, frame_date: str) -> str:
    """Whether a source is dated after a frame text ("after": implementing it is possible) or before
    it, compared at the precision both dates have (2024 is after 2022-06-01; 2022 against
    2022-06-01 cannot be told: "unknown", as with a missing date)."""
    n = min(len(source_date), len(frame_date))
    if not n or source_date[:n] == frame_date[:n]:
        return "unknown"
    return "after" if source_date[:n] > frame_date[:n] else "before"


def frame_summary(links: pd.DataFrame, measures: pd.DataFrame, source_dates: Mapping[str, str],
                  frame_dates: Mapping[str, str]) -> pd.DataFrame:
    """Per source and frame text: the share of its measures that implement some article (Wilson),
    the measures beyond the frame (implementing none of its texts), and whether the source is dated
    after the frame text (only then can its overlap be implementation)."""
    rows = []
    n_by_source = measures.groupby("source_id").size()
    any_frame = links[links["implements"]].groupby("source_id")["measure_id"].nunique()
    for (sid, fsid), group in links.groupby(["source_id", "frame_source_id"], sort=False):
        n = int(n_by_source[sid])
        k = int(group.loc[group["implements"], "measure_id"].nunique())
        low, high = wilson(k, n)
        s_date, f_date = source_dates.get(sid, ""), frame_dates.get(fsid, "")
        rows.append({"source_id": sid, "frame_source_id": fsid, "n_measures": n, "n_implementing": k,
                     "share": k / n, "share_low": low, "share_high": high,
                     "n_beyond": n - int(any_frame.get(sid, 0)), "frame_date": f_date, "source_date": s_date,
                     "timing": timing(s_date, f_date)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
