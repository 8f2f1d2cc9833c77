"""The implementation map, origins and revision (analysis.implementation) on a corpus built by hand."""

import pandas as pd
import pytest

from bizenv_analysis.analysis.implementation import (
    implementation_map,
    origin_profiles,
    originality,
    origins,
    revision,
    revision_themes,
)
from bizenv_analysis.io.hierarchy import Hierarchy

H = Hierarchy(parent={"P": "N", "C": "P", "P2": "N"}, version_of={"P2": "P"},
              level={"N": "national", "P": "province", "C": "city", "P2": "province"},
              date={"N": "2019-10-22", "P": "2020-05-01", "C": "2021-01-01", "P2": "2024-01-01"})


def arts(sid: str, n: int, chapters: dict[int, int] | None = None) -> list[dict]:
    return [{"article_id": f"{sid}:a{i:03d}", "source_id": sid, "number": i, "chapter_no": (chapters or {}).get(i, 1),
             "chapter_title": "", "part": "substantive"} for i in range(1, n + 1)]


ARTICLES = pd.DataFrame(arts("N", 3) + arts("P", 6) + arts("C", 3) + arts("P2", 5))


def link(a: str, b: str, relation: str, score: float) -> dict:
    return {"source_a": a.split(":")[0], "article_a": a, "source_b": b.split(":")[0], "article_b": b,
            "relation": relation, "score_norm": score}


LINKS = pd.DataFrame([
    link("N:a001", "P:a001", "verbatim", 1.0), link("N:a002", "P:a002", "adapted", 0.6),
    link("N:a003", "P:a003", "none", 0.1),  # scored, but not a link that counts
    link("N:a001", "C:a001", "adapted", 0.5), link("P:a003", "C:a002", "verbatim", 0.98),
    # the revision P → P2
    link("P:a001", "P2:a001", "verbatim", 1.0), link("P:a003", "P2:a002", "verbatim", 0.99),
    link("P:a002", "P2:a004", "verbatim", 0.97), link("P:a004", "P2:a003", "adapted", 0.7),
    link("P:a004", "P2:a005", "adapted", 0.5), link("P:a006", "P2:a001", "adapted", 0.45),
])


def test_the_map_of_the_national_articles():
    m = implementation_map(ARTICLES, LINKS, H).set_index(["national_article_id", "source_id"])
    assert len(m) == 3 * 3  # three national articles × P, C, P2
    assert m.loc[("N:a001", "P"), ["relation", "article_id"]].tolist() == ["verbatim", "P:a001"]
    assert m.loc[("N:a002", "P"), "relation"] == "adapted" and m.loc[("N:a001", "C"), "relation"] == "adapted"
    assert m.loc[("N:a003", "P"), "relation"] == "absent"  # its only pair scored "none"
    assert m.loc[("N:a001", "P2"), "relation"] == "absent" and m.loc[("N:a001", "C"), "level"] == "city"


def test_where_each_local_article_comes_from():
    o = origins(ARTICLES, LINKS, H).set_index("article_id")
    assert "N:a001" not in o.index  # the root has no origin
    assert o.loc["P:a001", "origin"] == "national" and o.loc["P:a003", "origin"] == "own"  # C is later, not a source
    assert o.loc["C:a001", ["origin", "origin_article_id"]].tolist() == ["national", "N:a001"]
    assert o.loc["C:a002", ["origin", "origin_source_id"]].tolist() == ["province", "P"]
    assert o.loc["P2:a002", "origin"] == "earlier_version" and o.loc["C:a003", "origin"] == "own"
    assert not o["parent_later"].any()
    shares = originality(origins(ARTICLES, LINKS, H)).set_index(["source_id", "origin"])
    assert shares.loc[("C", "own"), ["n_articles", "n"]].tolist() == [3, 1]
    assert shares.loc[("C", "own"), "share"] == pytest.approx(1 / 3)
    assert shares.loc[("C", "own"), "share_low"] < 1 / 3 < shares.loc[("C", "own"), "share_high"]


def test_a_parent_later_than_its_child_is_flagged():
    h = Hierarchy(H.parent, H.version_of, H.level, {**H.date, "P": "2022-01-01"})
    o = origins(ARTICLES, LINKS, h).set_index("article_id")
    assert o.loc["C:a002", ["origin", "parent_later"]].tolist() == ["province", True]


def test_every_article_of_a_revision_accounted_for():
    r = revision(ARTICLES, LINKS, "P", "P2")
    status = dict(zip(zip(r["old_article_id"], r["new_article_id"], strict=True), r["status"], strict=True))
    assert status == {("P:a001", "P2:a001"): "kept", ("P:a003", "P2:a002"): "kept",  # 1→1, 3→2: in order
                      ("P:a002", "P2:a004"): "moved",  # 2→4 breaks the order of the others
                      ("P:a004", "P2:a003"): "amended", ("P:a004", "P2:a005"): "split",
                      ("P:a006", "P2:a001"): "merged", ("P:a005", ""): "dropped"}
    assert sorted(r.loc[r["status"] != "merged", "new_article_id"].replace("", pd.NA).dropna()) == \
        [f"P2:a{i:03d}" for i in range(1, 6)]
    assert sorted(r.loc[r["status"] != "split", "old_article_id"]) == [f"P:a{i:03d}" for i in range(1, 7)]


def test_a_verbatim_article_in_another_chapter_has_moved():
    articles = pd.DataFrame(arts("P", 6) + arts("P2", 5, chapters={2: 2}))
    r = revision(articles, LINKS, "P", "P2").set_index("old_article_id")
    assert r.loc["P:a003", "status"] == "moved" and r.loc["P:a001", "status"] == "kept"


# Each article's measure (P:a001 → P:m001) and its codes: P:m006 and P2:m005 have no primary theme,
# and a non-primary theme that must not count.
CODED = ARTICLES.assign(measure_id=ARTICLES["article_id"].str.replace(":a", ":m"))


def coded(pairs: dict[str, str], column: str) -> pd.DataFrame:
    rows = [{"measure_id": m, column: c, "score": 1.0, "primary": True} for m, c in pairs.items()]
    rows.append({"measure_id": "P:m006", column: "x", "score": 0.5, "primary": False})
    return pd.DataFrame(rows)


THEMES = coded({"P:m001": "a", "P:m002": "b", "P:m003": "a", "P:m004": "a", "P:m005": "b",
                "P2:m001": "a", "P2:m002": "c", "P2:m003": "c", "P2:m004": "b"}, "theme_id")
INSTRUMENTS = coded({f"P:m00{i}": "reg" for i in (1, 2, 3, 4, 6)} | {"P:m005": "svc"}, "instrument_id")


def test_the_themes_and_instruments_of_each_origin():
    # P: a001, a002 national; a003–a006 own (their only links go to later laws)
    got = origin_profiles(origins(CODED, LINKS, H), CODED, THEMES, INSTRUMENTS)
    p = got[got["source_id"] == "P"]
    assert list(zip(p["origin"], p["dimension"], p["category"], p["n"], p["n_origin"], p["share"], strict=True)) == [
        ("national", "theme", "a", 1, 2, 0.5), ("national", "theme", "b", 1, 2, 0.5),
        ("national", "instrument", "reg", 2, 2, 1.0),
        ("own", "theme", "a", 2, 4, 0.5), ("own", "theme", "b", 1, 4, 0.25), ("own", "theme", "none", 1, 4, 0.25),
        ("own", "instrument", "reg", 3, 4, 0.75), ("own", "instrument", "svc", 1, 4, 0.25)]
    # every article of every document, origin and dimension counted once
    sums = got.groupby(["source_id", "origin", "dimension"]).agg(n=("n", "sum"), n_origin=("n_origin", "first"))
    assert (sums["n"] == sums["n_origin"]).all()
    assert sums.loc[("P2", "earlier_version", "theme"), "n"] == 5 and set(got["level"]) == {"province", "city"}


def test_the_themes_of_what_a_revision_kept_added_and_dropped():
    # the statuses of test_every_article_of_a_revision_accounted_for; dropped and merged are about
    # the old article (P:a005 theme b, P:a006 none), the others the new one
    got = revision_themes(revision(CODED, LINKS, "P", "P2"), CODED, THEMES)
    assert list(zip(got["status"], got["theme_id"], got["n"], got["n_status"], got["share"], strict=True)) == [
        ("kept", "a", 1, 2, 0.5), ("kept", "c", 1, 2, 0.5), ("moved", "b", 1, 1, 1.0), ("amended", "c", 1, 1, 1.0),
        ("dropped", "b", 1, 1, 1.0), ("split", "none", 1, 1, 1.0), ("merged", "none", 1, 1, 1.0)]
    assert set(zip(got["old_source_id"], got["new_source_id"], strict=True)) == {("P", "P2")}
