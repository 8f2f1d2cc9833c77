"""The vertical implementation map: which national articles each local law carries, where each
local article comes from, and what a revision kept, moved, amended, added and dropped.

Everything here reads the article links (`text.reuse`, links.csv: source_a, article_a, source_b,
article_b, score_norm, relation ∈ verbatim | adapted | none) and the hierarchy sources.csv declares
(`io.hierarchy`). Shares are of articles within one document: descriptive, with Wilson intervals,
never a test across documents (legal_profiles does that, with documents as units).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..io.hierarchy import Hierarchy
from .inference import wilson

RELATIONS = ("verbatim", "adapted")  # a link that counts; "none" is a scored pair that does not
RANK = {"verbatim": 2, "adapted": 1, "none": 0, "absent": 0}
ORIGINS = ("national", "province", "earlier_version", "earlier_peer", "own")
IMPLEMENTATION_COLUMNS = ["national_article_id", "national_number", "chapter_no", "chapter_title", "part",
                          "source_id", "level", "relation", "article_id", "score_norm"]
ORIGIN_COLUMNS = ["article_id", "source_id", "level", "origin", "origin_article_id", "origin_source_id",
                  "score_norm", "parent_later"]
ORIGINALITY_COLUMNS = ["source_id", "level", "origin", "n_articles", "n", "share", "share_low", "share_high"]
REVISION_COLUMNS = ["old_source_id", "new_source_id", "old_article_id", "new_article_id", "status", "relation",
                    "score_norm", "old_number", "new_number", "old_chapter_no", "new_chapter_no"]


def counting_pairs(links: pd.DataFrame) -> pd.DataFrame:
    """The counting links (verbatim or adapted) in both directions: from, to, their sources, score."""
    ok = links[links["relation"].isin(RELATIONS)]
    cols = ["article_a", "source_a", "article_b", "source_b", "score_norm", "relation"]
    ends = ["from_article", "from_source", "to_article", "to_source"]
    fwd = ok[cols].set_axis([*ends, "score_norm", "relation"], axis=1)
    back = ok[cols].set_axis([*ends[2:], *ends[:2], "score_norm", "relation"], axis=1)
    return pd.concat([fwd, back], ignore_index=True)


def strongest(pairs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key, the strongest link: verbatim before adapted, then the higher score, then the id."""
    ranked = pairs.assign(_rank=pairs["relation"].map(RANK))
    ranked = ranked.sort_values([*keys, "_rank", "score_norm", "to_article"], ascending=[True] * len(keys)
                                + [False, False, True], kind="mergesort")
    return ranked.drop_duplicates(keys).drop(columns="_rank")


def implementation_map(articles: pd.DataFrame, links: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """One row per article of the root (national) text × local document: the local article that
    carries it best (verbatim, adapted) or `absent`."""
    sources = list(dict.fromkeys(articles["source_id"]))
    roots = [s for s in sources if not hierarchy.parent.get(s) and any(hierarchy.root(t) == s and t != s
                                                                        for t in sources)]
    rows = []
    pairs = counting_pairs(links)
    for root in roots:
        national = articles[articles["source_id"] == root]
        local = [s for s in sources if s != root and hierarchy.root(s) == root]
        found = strongest(pairs[pairs["from_source"] == root], ["from_article", "to_source"]).set_index(
            ["from_article", "to_source"])
        for art in national.itertuples():
            for sid in local:
                hit = found.loc[(art.article_id, sid)] if (art.article_id, sid) in found.index else None
                rows.append({"national_article_id": art.article_id, "national_number": art.number,
                             "chapter_no": art.chapter_no, "chapter_title": art.chapter_title, "part": art.part,
                             "source_id": sid, "level": hierarchy.level.get(sid, ""),
                             "relation": hit["relation"] if hit is not None else "absent",
                             "article_id": hit["to_article"] if hit is not None else "",
                             "score_norm": hit["score_norm"] if hit is not None else np.nan})
    return pd.DataFrame(rows, columns=IMPLEMENTATION_COLUMNS)


def origins(articles: pd.DataFrame, links: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """One row per substantive article of a document with a parent: where it comes from.

    In order: `national` (a link to the root text), `province` (to its parent, when the parent is
    not the root), `earlier_version` (to the text it revises), `earlier_peer` (to any other text
    dated before it), else `own`. National and parent links count whatever the dates, but a parent
    dated after the document is flagged (`parent_later`): its overlap cannot be implementation.
    """
    pairs = counting_pairs(links)
    date = hierarchy.date
    rows = []
    for art in articles[(articles["part"] == "substantive")].itertuples():
        sid = art.source_id
        if not hierarchy.parent.get(sid):
            continue
        mine = pairs[pairs["from_article"] == art.article_id]
        root, parent = hierarchy.root(sid), hierarchy.parent[sid]
        earlier = [s for s, d in date.items() if d and d < date.get(sid, "")]
        tiers = [("national", mine["to_source"] == root),
                 ("province", (mine["to_source"] == parent) & (parent != root)),
                 ("earlier_version", mine["to_source"] == hierarchy.version_of.get(sid, "")),
                 ("earlier_peer", mine["to_source"].isin(earlier))]
        row = {"article_id": art.article_id, "source_id": sid, "level": hierarchy.level.get(sid, ""),
               "origin": "own", "origin_article_id": "", "origin_source_id": "", "score_norm": np.nan,
               "parent_later": False}
        for origin, mask in tiers:
            if mask.any():
                best = strongest(mine[mask.to_numpy()], ["from_article"]).iloc[0]
                row.update(origin=origin, origin_article_id=best["to_article"], origin_source_id=best["to_source"],
                           score_norm=best["score_norm"],
                           parent_later=bool(origin in ("national", "province")
                                             and date.get(best["to_source"], "") > date.get(sid, "")))
                break
        rows.append(row)
    return pd.DataFrame(rows, columns=ORIGIN_COLUMNS)


def originality(origin_rows: pd.DataFrame) -> pd.DataFrame:
    """Per document and origin: how many of its substantive articles, the share, a Wilson interval."""
    rows = []
    for sid, group in origin_rows.groupby("source_id", sort=False):
        n = len(group)
        for origin in ORIGINS:
            k = int((group["origin"] == origin).sum())
            low, high = wilson(k, n)
            rows.append({"source_id": sid, "level": group["level"].iloc[0], "origin": origin, "n_articles": n,
                         "n": k, "share": k / n, "share_low": low, "share_high": high})
    return pd.DataFrame(rows, columns=ORIGINALITY_COLUMNS)


def _increasing(numbers: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence (patience sorting, first-found)."""
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(numbers)
    for i, x in enumerate(numbers):
        lo = int(np.searchsorted(np.array(tails), x)) if tails else 0
        if lo == len(tails):
            tails.append(x)
            tail_at.append(i)
        else:
            tails[lo], tail_at[lo] = x, i
        back[i] = tail_at[lo - 1] if lo else -1
    keep, i = set(), tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(i)
        i = back[i]
    return keep


def revision(articles: pd.DataFrame, links: pd.DataFrame, old: str, new: str) -> pd.DataFrame:
    """What a revision did to each article: a one-to-one assignment of old to new articles on the
    counting links (verbatim first, then score: `linear_sum_assignment`), then

    - kept: verbatim, on the longest run of matches whose new numbers rise with the old, same chapter;
    - moved: verbatim, out of that order or in another chapter; amended: adapted;
    - split: a new article left unassigned that has a counting link from an assigned old one;
    - merged: an old article left unassigned that has a counting link to an assigned new one;
    - added, dropped: no counting link at all.

    Every new article is in exactly one row that is no merge; every old article in exactly one that is no split.
    """
    a = articles[articles["source_id"] == old].reset_index(drop=True)
    b = articles[articles["source_id"] == new].reset_index(drop=True)
    ok = links[links["relation"].isin(RELATIONS) & (links["source_a"] == old) & (links["source_b"] == new)]
    ok = ok.sort_values(["score_norm", "article_a", "article_b"], ascending=[False, True, True], kind="mergesort")
    ia = {aid: i for i, aid in enumerate(a["article_id"])}
    ib = {aid: i for i, aid in enumerate(b["article_id"])}
    score = np.zeros((len(a), len(b)))
    for link in ok.itertuples():
        score[ia[link.article_a], ib[link.article_b]] = link.score_norm + RANK[link.relation]
    rows_a, rows_b = linear_sum_assignment(-score)
    matched = sorted(((i, j) for i, j in zip(rows_a, rows_b, strict=True) if score[i, j] > 0),
                     key=lambda p: a.loc[p[0], "number"])
    in_order = _increasing([int(b.loc[j, "number"]) for _, j in matched])
    out = []
    for pos, (i, j) in enumerate(matched):
        link = ok[(ok["article_a"] == a.loc[i, "article_id"]) & (ok["article_b"] == b.loc[j, "article_id"])].iloc[0]
        if link["relation"] == "verbatim":
            status = "kept" if pos in in_order and a.loc[i, "chapter_no"] == b.loc[j, "chapter_no"] else "moved"
        else:
            status = "amended"
        out.append(_revision_row(old, new, a.loc[i], b.loc[j], status, link["relation"], link["score_norm"]))
    done_a, done_b = {i for i, _ in matched}, {j for _, j in matched}
    for i in (i for i in range(len(a)) if i not in done_a):
        to = ok[ok["article_a"] == a.loc[i, "article_id"]]
        j = ib[to["article_b"].iloc[0]] if len(to) else None
        out.append(_revision_row(old, new, a.loc[i], b.loc[j] if j is not None else None,
                                 "merged" if j is not None else "dropped", to["relation"].iloc[0] if len(to) else "",
                                 to["score_norm"].iloc[0] if len(to) else np.nan))
    for j in (j for j in range(len(b)) if j not in done_b):
        frm = ok[ok["article_b"] == b.loc[j, "article_id"]]
        i = ia[frm["article_a"].iloc[0]] if len(frm) else None
        out.append(_revision_row(old, new, a.loc[i] if i is not None else None, b.loc[j],
                                 "split" if i is not None else "added", frm["relation"].iloc[0] if len(frm) else "",
                                 frm["score_norm"].iloc[0] if len(frm) else np.nan))
    return pd.DataFrame(out, columns=REVISION_COLUMNS)


def _revision_row(old: str, new: str, a: pd.Series | None, b: pd.Series | None, status: str, relation: str,
                  score: float) -> dict:
    return {"old_source_id": old, "new_source_id": new,
            "old_article_id": a["article_id"] if a is not None else "",
            "new_article_id": b["article_id"] if b is not None else "", "status": status, "relation": relation,
            "score_norm": score, "old_number": a["number"] if a is not None else pd.NA,
            "new_number": b["number"] if b is not None else pd.NA,
            "old_chapter_no": a["chapter_no"] if a is not None else pd.NA,
            "new_chapter_no": b["chapter_no"] if b is not None else pd.NA}


# --- the themes and instruments of each part (originality_themes.csv, revision_themes.csv) -------

NO_CODE = "none"  # an article whose measure has no primary code: counted, so the shares sum to one
ORIGIN_PROFILE_COLUMNS = ["source_id", "level", "origin", "dimension", "category", "n", "n_origin", "share"]
REVISION_STATUSES = ("kept", "moved", "amended", "added", "dropped", "split", "merged")
REVISION_THEME_COLUMNS = ["old_source_id", "new_source_id", "status", "theme_id", "n", "n_status", "share"]


def _primary(articles: pd.DataFrame, coded: pd.DataFrame, column: str) -> dict[str, str]:
    """article_id → the primary code of its measure (`NO_CODE` when the measure has none)."""
    primary = coded[coded["primary"].astype(str) == "True"].drop_duplicates("measure_id")
    of_measure = dict(zip(primary["measure_id"], primary[column], strict=True))
    return {a: of_measure.get(m, NO_CODE) for a, m in zip(articles["article_id"], articles["measure_id"],
                                                           strict=True)}


def _counted(labels: pd.Series) -> list[tuple[str, int]]:
    """(category, n), most frequent first, ties by name: a stable order."""
    counts = labels.value_counts()
    return sorted(((str(c), int(n)) for c, n in counts.items()), key=lambda p: (-p[1], p[0]))


def origin_profiles(origin_rows: pd.DataFrame, articles: pd.DataFrame, themes: pd.DataFrame,
                    instruments: pd.DataFrame) -> pd.DataFrame:
    """originality_themes.csv: per local document × origin × dimension (the primary theme, the primary
    instrument of the article's measure) × category, its articles and their share among that
    document's articles of that origin. Descriptive: shares of articles within one document."""
    codes = {"theme": _primary(articles, themes, "theme_id"),
             "instrument": _primary(articles, instruments, "instrument_id")}
    rows = []
    for sid, group in origin_rows.groupby("source_id", sort=False):
        for origin in ORIGINS:
            part = group[group["origin"] == origin]
            for dim, code in codes.items():
                for category, n in _counted(part["article_id"].map(code)):
                    rows.append({"source_id": sid, "level": group["level"].iloc[0], "origin": origin,
                                 "dimension": dim, "category": category, "n": n, "n_origin": len(part),
                                 "share": n / len(part)})
    return pd.DataFrame(rows, columns=ORIGIN_PROFILE_COLUMNS)


def revision_themes(revision_rows: pd.DataFrame, articles: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """revision_themes.csv: per revision and status × the primary theme of the article the status is
    about (the old article for dropped and merged, the new one otherwise), n and the share within
    that status."""
    code = _primary(articles, themes, "theme_id")
    about = revision_rows["new_article_id"].where(~revision_rows["status"].isin(["dropped", "merged"]),
                                                  revision_rows["old_article_id"])
    rows = []
    for (old, new), block in revision_rows.assign(_about=about).groupby(["old_source_id", "new_source_id"],
                                                                        sort=False):
        for status in REVISION_STATUSES:
            part = block[block["status"] == status]
            for theme, n in _counted(part["_about"].map(code)):
                rows.append({"old_source_id": old, "new_source_id": new, "status": status, "theme_id": theme,
                             "n": n, "n_status": len(part), "share": n / len(part)})
    return pd.DataFrame(rows, columns=REVISION_THEME_COLUMNS)
