"""Provisions beyond the national text and the own-province test (analysis.diffusion), by hand."""

import pandas as pd
import pytest

from bizenv_analysis.analysis.diffusion import own_province_test, provisions
from bizenv_analysis.analysis.implementation import origins
from bizenv_analysis.io.hierarchy import Hierarchy


def corpus(n_provinces: int):
    """N, provinces P0…, cities C0–C2 (C0, C1 of P0; C2 of P1), all after the provinces; every
    province has 4 articles, every city 2, and each city article copies its own province's article 1
    or 2 verbatim."""
    provs = [f"P{i}" for i in range(n_provinces)]
    parent = {**{p: "N" for p in provs}, "C0": "P0", "C1": "P0", "C2": "P1"}
    level = {"N": "national", **dict.fromkeys(provs, "province"), **dict.fromkeys(["C0", "C1", "C2"], "city")}
    date = {"N": "2019", **{p: f"2020-0{i + 1}" for i, p in enumerate(provs)}, "C0": "2021", "C1": "2021-02",
            "C2": "2021-03"}
    h = Hierarchy(parent, {}, level, date)
    arts = [{"article_id": f"{s}:a{i:03d}", "source_id": s, "part": "substantive"}
            for s in level for i in range(1, (4 if s.startswith(("P", "N")) else 2) + 1)]
    links = [{"source_a": parent[c], "article_a": f"{parent[c]}:a{i:03d}", "source_b": c, "article_b": f"{c}:a{i:03d}",
              "relation": "verbatim", "score_norm": 1.0} for c in ("C0", "C1", "C2") for i in (1, 2)]
    return pd.DataFrame(arts), pd.DataFrame(links), h


def test_a_provision_beyond_the_national_text():
    arts, links, h = corpus(2)
    d = provisions(origins(arts, links, h), links, h)
    # P0:a001 → C0:a001 and C1:a001 is one provision of three laws; P0 is first.
    first = d[d["article_id"] == "P0:a001"].iloc[0]
    group = d[d["provision_id"] == first["provision_id"]]
    assert sorted(group["article_id"]) == ["C0:a001", "C1:a001", "P0:a001"]
    assert first["role"] == "first" and set(group["n_documents"]) == {3}
    assert group.set_index("article_id").loc["C1:a001", "from_parent"]
    assert d["provision_id"].nunique() == 4  # P0 a1, P0 a2 (three laws each), P1 a1, P1 a2 (two)


@pytest.mark.parametrize(("n_provinces", "decision", "p"), [(2, "cannot be shown", 1 / 8), (4, "shown", 1 / 64)])
def test_cities_that_copy_their_own_province(n_provinces, decision, p):
    arts, links, h = corpus(n_provinces)
    t = own_province_test(arts, origins(arts, links, h), links, h).set_index("source_id")
    # Each city takes both matched articles from its own province: share 1 against 1/n_provinces.
    assert t.loc["C0", "share_own"] == 1 and t.loc["C0", "expected"] == pytest.approx(1 / n_provinces)
    row = t.loc["all"]
    assert row["statistic"] == pytest.approx(1 - 1 / n_provinces) and row["exact"]
    assert row["n_permutations"] == n_provinces ** 3 and row["p_value"] == pytest.approx(p)
    assert row["decision"] == decision and row["unit"] == "document"


def test_a_city_older_than_its_province_is_excluded():
    arts, links, h = corpus(2)
    h = Hierarchy(h.parent, {}, h.level, {**h.date, "P1": "2022"})
    t = own_province_test(arts, origins(arts, links, h), links, h).set_index("source_id")
    assert t.loc["C2", "decision"] == "excluded" and "not dated before it" in t.loc["C2", "note"]
    assert t.loc["all", "n_units"] == 2
