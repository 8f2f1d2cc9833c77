"""The regulations corpus built as `make build` builds it: committed tables reproduced byte for byte,
every table described, and the legal frame's known answers (issue #25)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bizenv_analysis.base.paths import DATA, REGULATIONS
from bizenv_analysis.io.tables import load

COMMITTED = REGULATIONS / "processed"


@pytest.fixture(scope="module")
def reg(regulations_dir) -> dict[str, pd.DataFrame]:
    out = regulations_dir[0]
    return {p.stem: load(p.stem, out) for p in sorted(out.glob("*.csv"))}


def test_the_committed_tables_are_the_build_byte_for_byte(regulations_dir):
    out = regulations_dir[0]
    fresh = sorted(p.name for p in out.iterdir() if p.is_file())
    assert fresh == sorted(p.name for p in COMMITTED.iterdir() if p.is_file())
    for name in fresh:
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_every_table_of_the_regulations_is_described(regulations_dir):
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"].split("/")[-1]: [f["name"] for f in r["schema"]["fields"]]
                 for r in pkg["resources"] if r["format"] == "csv"}
    for path in sorted(regulations_dir[0].glob("*.csv")):
        assert list(pd.read_csv(path, nrows=0).columns) == described[path.name], path.name


def test_the_build_says_what_the_legal_steps_found(regulations_dir):
    printed = regulations_dir[1]
    assert "      articles  799 articles" in printed and "      links     " in printed
    assert "      map       72 national articles × 11 local laws" in printed
    assert "      levels    province - city" in printed and "(210 splits)" in printed


def test_links_never_pair_one_document_and_run_from_earlier_to_later(reg):
    links, docs = reg["links"], reg["documents"].set_index("source_id")["date"]
    assert (links["source_a"] != links["source_b"]).all()
    assert (links["source_a"].map(docs) <= links["source_b"].map(docs)).all()
    first = links.set_index("link_id").loc["shanghai-2020:a001~shanghai-2024:a001"]
    assert first["scope"] == "version" and first["relation"] == "verbatim"


def test_the_map_covers_every_national_article_in_every_local_law(reg):
    m = reg["implementation"]
    assert len(m) == 72 * 11 and m["national_article_id"].nunique() == 72
    assert set(m["relation"]) <= {"verbatim", "adapted", "absent"}
    assert not reg["origins"]["source_id"].eq("cn-national-2019").any()  # the root has no origin


def test_the_revision_accounts_for_every_article_of_shanghai(reg):
    r = reg["revision"]
    old = r.loc[r["status"] != "split", "old_article_id"]
    new = r.loc[r["status"] != "merged", "new_article_id"]
    assert sorted(old[old != ""]) == [f"shanghai-2020:a{i:03d}" for i in range(1, 81)]
    assert sorted(new[new != ""]) == [f"shanghai-2024:a{i:03d}" for i in range(1, 98)]


def test_levels_are_compared_with_documents_as_units(reg):
    t = reg["level_tests"]
    # six provincial laws (Shanghai once, as revised in 2024) against four cities: C(10, 4) = 210 splits
    assert set(t["n_a"]) == {6} and set(t["n_b"]) == {4} and t["exact"].all() and set(t["n_permutations"]) == {210}
    assert set(t["unit"]) == {"document"}
    d = reg["diffusion_tests"].set_index("source_id")
    assert d.loc["shangqiu-2020", "decision"] == "excluded"  # older than Henan's law
    assert d.loc["all", "n_units"] == 3 and d.loc["all", "exact"]


def test_the_threshold_in_use_is_the_one_the_calibration_half_chose(reg):
    """adapted_min was set from the hand-coded calibration half; changing it without coding anew fails here."""
    from bizenv_analysis.rules.lexicon import Lexicon

    t = reg["validation_alignment"].set_index(["metric", "half"])
    chosen, in_use = t.loc[("threshold", "calibration"), "value"], Lexicon.load(REGULATIONS).alignment.adapted_min
    assert in_use <= chosen < in_use + 0.001
    assert t.loc[("kappa2", "all"), "n"] == 180 and t.loc[("recall", "held_out"), "n"] > 0


def test_a_corpus_of_laws_without_a_hierarchy_gets_links_but_no_map(tmp_path):
    """Anyone's corpus of regulations (item 10): three of the laws, sources.csv without parent or
    version_of: every pair of laws is aligned (peer links), and the build says why there is no map."""
    import shutil
    import subprocess
    import sys

    from bizenv_analysis.base.paths import ROOT

    corpus = tmp_path / "laws"
    (corpus / "raw").mkdir(parents=True)
    rows = pd.read_csv(REGULATIONS / "sources.csv", dtype=str, keep_default_na=False)
    rows = rows[rows["source_id"].isin(["cn-national-2019", "shangqiu-2020", "yantai-2021"])]
    for sid in rows["source_id"]:
        shutil.copy(REGULATIONS / "raw" / f"{sid}.md", corpus / "raw")
    rows.drop(columns=["parent", "version_of", "adopted", "upstream_repo", "upstream_commit", "upstream_path"]).to_csv(
        corpus / "sources.csv", index=False)
    run = subprocess.run([sys.executable, "-m", "bizenv_analysis", "build", "--data", str(corpus), "--quiet"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = corpus / "processed"
    assert (out / "articles.csv").is_file() and not (out / "implementation.csv").exists()
    assert not (out / "hierarchy.csv").exists() and not (out / "frame_links.csv").exists()  # no frame by default
    links = load("links", out)
    assert set(links["scope"]) == {"peer"} and len(load("articles", out)) == 72 + 37 + 23


def test_the_legal_findings_are_rows_of_findings_csv_decided_by_their_tests(reg):
    f = reg["findings"].set_index("finding_id")
    levels, cities = f.loc["levels_differ"], f.loc["cities_copy_own_province"]
    assert levels["unit"] == cities["unit"] == "document"
    assert bool(levels["supported"]) == (reg["level_tests"]["decision"] == "shown").any()
    test = reg["diffusion_tests"].set_index("source_id").loc["all"]
    assert bool(cities["supported"]) == (test["decision"] == "shown") and cities["p_value"] == test["p_value"]
    assert levels["statement_zh"] and cities["statement_en"].count("shangqiu-2020") == 1
    trend = f.loc["shares_change_over_time"]
    assert trend["unit"] == "document" and trend["n_units"] == 10  # the local laws, Shanghai once
    assert bool(trend["supported"]) == (reg["trend_tests"]["decision"] == "shown").any()
