"""Regulations compared with documents as units (analysis.legal_profiles): known answers by hand."""

from math import comb

import numpy as np
import pandas as pd
import pytest

from bizenv_analysis.analysis.legal_profiles import current_laws, level_tests, regulation_profiles, splits
from bizenv_analysis.io.hierarchy import Hierarchy

PROVINCES = [f"p{i}" for i in range(6)]
CITIES = [f"c{i}" for i in range(4)]


def corpus(city_share: float, province_share: float = 0.2, n: int = 10):
    """National n1, six provinces, four cities, p0 revised by p0-new; each law has n substantive
    articles, of which round(share·n) carry the encouragement modality, and one general article
    that always does (it must not count)."""
    levels = {"n1": "national", **dict.fromkeys(PROVINCES, "province"), "p0-new": "province",
              **dict.fromkeys(CITIES, "city")}
    h = Hierarchy(parent={s: "n1" for s in levels if s != "n1"}, version_of={"p0-new": "p0"}, level=levels,
                  date=dict.fromkeys(levels, "2020"))
    arts, hits = [], []
    for sid, lvl in levels.items():
        share = city_share if lvl == "city" else province_share
        for i in range(n + 1):
            aid = f"{sid}:a{i:03d}"
            arts.append({"article_id": aid, "source_id": sid, "part": "general" if i == n else "substantive"})
            if i < round(share * n) or i == n:
                hits.append({"article_id": aid, "dimension": "modality", "category": "encouragement"})
            hits.append({"article_id": aid, "dimension": "modality", "category": "obligation"})
    return pd.DataFrame(arts), pd.DataFrame(hits), h


def test_profiles_count_substantive_articles_only():
    arts, hits, h = corpus(0.4)
    p = regulation_profiles(arts, hits, h).set_index(["source_id", "category"])
    assert p.loc[("c0", "encouragement"), ["n_articles", "n_hits", "share"]].tolist() == [10, 4, 0.4]
    assert p.loc[("p1", "encouragement"), "share"] == 0.2 and p.loc[("n1", "obligation"), "share"] == 1.0


def test_one_law_counts_once():
    _, _, h = corpus(0.4)
    assert "p0" not in current_laws(h, ["n1", "p0", "p0-new", "c0"])
    assert current_laws(h, ["n1", "p0", "p0-new", "c0"]) == ["n1", "p0-new", "c0"]


def test_cities_with_double_the_encouragement_are_found_exactly():
    arts, hits, h = corpus(0.4)
    t = level_tests(regulation_profiles(arts, hits, h), h).set_index("category")
    row = t.loc["encouragement"]
    # 6 provinces (p0-new in, p0 out) against 4 cities: C(10, 6) = 210 splits, all enumerated;
    # the observed one is the only split as extreme, so p = 1/210.
    assert row["n_a"] == 6 and row["n_b"] == 4 and row["exact"] and row["n_permutations"] == comb(10, 6)
    assert row["diff"] == pytest.approx(-0.2) and row["p_value"] == pytest.approx(1 / 210)
    assert row["diff_low"] == pytest.approx(-0.2) and row["diff_high"] == pytest.approx(-0.2)  # no spread within levels
    assert row["decision"] == "shown" and row["unit"] == "document"
    # Every article has an obligation: no difference, p = 1.
    assert t.loc["obligation", "p_value"] == 1 and t.loc["obligation", "decision"] == "not shown"


def test_too_few_documents_cannot_show_anything():
    arts, hits, h = corpus(0.4)
    keep = arts["source_id"].isin(["n1", "p1", "p2", "c0", "c1"])
    t = level_tests(regulation_profiles(arts[keep], hits, h), h)
    assert (t["n_permutations"] == comb(4, 2)).all() and (t["decision"] == "cannot be shown").all()


def test_splits_exact_and_sampled():
    rows, exact = splits(5, 2)
    assert exact and rows.shape == (10, 5) and (rows.sum(1) == 2).all() and len({r.tobytes() for r in rows}) == 10
    rows, exact = splits(30, 15, limit=100)
    assert not exact and (rows.sum(1) == 15).all()
    again, _ = splits(30, 15, limit=100)
    assert np.array_equal(rows, again)


def test_a_level_without_documents_gives_no_rows_and_no_warning():
    import warnings

    arts, hits, h = corpus(0.4)
    provinces_only = arts["source_id"].str.startswith(("p", "n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = level_tests(regulation_profiles(arts[provinces_only], hits, h), h)
    assert t.empty and list(t.columns)[:2] == ["dimension", "category"]


def test_the_level_finding_follows_the_tests():
    from bizenv_analysis.analysis.legal_findings import levels_differ

    arts, hits, h = corpus(0.4)
    r = levels_differ(level_tests(regulation_profiles(arts, hits, h), h))
    # encouragement: 0.2 in provinces, 0.4 in cities, the only difference, exact p = 1/210: shown
    assert r.supported and r.outcome == "supported" and r.unit == "document" and r.n_units == 10
    assert r.facts["category"] == "encouragement" and r.value == pytest.approx(-0.2)
    assert r.items["shown"] == [{"dimension": "modality", "category": "encouragement"}]
    same = levels_differ(level_tests(regulation_profiles(*corpus(0.2)[:2], h), h))
    assert not same.supported and same.outcome == "not_supported"
    few = arts["source_id"].isin(["n1", "p1", "p2", "c0", "c1"])
    assert levels_differ(level_tests(regulation_profiles(arts[few], hits, h), h)).outcome == "untested"


def test_a_share_that_rises_with_the_date_is_found():
    from bizenv_analysis.analysis.legal_profiles import trend_tests

    arts, hits, h = corpus(0.4)
    local = [s for s, lvl in h.level.items() if lvl in ("province", "city") and s != "p0"]  # p0 is revised
    # ten local laws dated one a year; encouragement in 1, 2, … 10 of their 10 articles, in date order
    dated = Hierarchy(h.parent, h.version_of, h.level, {**h.date, **{s: str(2010 + i) for i, s in enumerate(local)}})
    hits = hits[hits["category"] != "encouragement"]
    rising = [{"article_id": f"{s}:a{i:03d}", "dimension": "modality", "category": "encouragement"}
              for k, s in enumerate(local) for i in range(k + 1)]
    t = trend_tests(regulation_profiles(arts, pd.concat([hits, pd.DataFrame(rising)]), dated), dated)
    row = t.set_index("category").loc["encouragement"]
    assert row["rho"] == pytest.approx(1.0) and row["n_units"] == 10 and row["decision"] == "shown"
    assert row["p_value"] < 0.01 and row["rho_low"] <= 1.0 == pytest.approx(row["rho_high"])
    assert np.isnan(t.set_index("category").loc["obligation", "rho"])  # every article: no trend to speak of
