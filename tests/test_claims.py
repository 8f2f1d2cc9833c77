"""The study's claims, checked on a fresh build: a finding that stops holding fails the suite.

These tests state what the README and notebook 09 say about the bundled corpus. If a change to
the data, the rules or the statistics changes a decision, the matching test fails, and the
README's generated Findings block must be regenerated (`make study`) before the suite passes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bizenv_analysis.analysis import findings
from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.io.tables import load
from bizenv_analysis.report import statements


@pytest.fixture(scope="module")
def fresh(built_dir) -> dict[str, pd.DataFrame]:
    out = built_dir[0]
    return {name: load(name, out) for name in ("findings", "sensitivity", "documents", "targets", "similarity_tests",
                                               "theme_profiles", "references", "keyness")}


@pytest.fixture(scope="module")
def stated(fresh) -> pd.DataFrame:
    return fresh["findings"].set_index("finding_id")  # typed by datapackage.json: numbers, nullable booleans


def test_readme_findings_block_is_the_fresh_findings_table(fresh):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = statements.findings_markdown(fresh["findings"], fresh["documents"], "en")
    assert statements.with_findings(readme, block) == readme, "README Findings are stale: run make study"


def test_committed_findings_equal_a_fresh_build(fresh):
    pd.testing.assert_frame_equal(load("findings"), fresh["findings"])
    pd.testing.assert_frame_equal(load("sensitivity"), fresh["sensitivity"])


def test_every_finding_carries_its_evidence(stated):
    assert (stated["n"] > 0).all()
    assert stated["test"].str.len().gt(0).all()
    for fid, r in stated.iterrows():
        # a tested finding states its p; a not-supported one says so in its first words
        if r["test"].startswith(("permutation", "randomisation", "binomial")):
            assert pd.notna(r["p_value"]) and "p = " in r["statement_en"] and "p = " in r["statement_zh"], fid
        assert r["statement_en"].startswith(("Not supported", "Not tested")) == (not r["supported"]), fid
        assert any(f"{w}{r['n']}" in r["statement_en"] for w in ("n = ", "of ", "of the ")), fid


def test_every_test_and_its_interval_use_the_heading_and_compare_policy_documents(stated, fresh):
    tested = stated[stated["test"].str.startswith(("permutation", "randomisation"))]
    assert len(tested) >= 6
    assert (tested["unit"] == "heading").all() and (tested["n_units"] > 0).all()
    assert all("headings" in t for t in tested["test"]) and not any("measures reshuffled" in t for t in tested["test"])
    # like with like: the tested findings compare the three policy documents, not the report genres
    assert all(r.startswith(("The 3 policy", "Not supported: the 3 policy", "Not supported: among the 3 policy",
                             "Not supported: the vocabularies of the 3 policy", "The vocabularies of the 3 policy",
                             "Not supported: the mix of primary themes is not shown to differ between the 3 policy",
                             "Not supported: the theme profiles of the 3 policy",
                             "Not supported: the share of measures", "Not supported: the mix of primary policy",
                             "Not supported: environment-side"))
               for r in tested["statement_en"])
    assert all("3 policy documents" in r for r in tested["statement_en"])
    # the comparison tables name their unit and how many there are
    assert set(fresh["similarity_tests"]["unit"]) == {"heading"} and set(fresh["theme_profiles"]["unit"]) == {"heading"}


def test_the_comparison_tables_test_only_the_policy_documents(fresh):
    """Like with like in the tables too: the news report and the case collection are described
    beside the plans, never tested against them, and keyness is tested at the heading."""
    policy = {"tianhe-2020", "dongguan-2023", "quzhou-2018"}
    prof = fresh["theme_profiles"]
    assert set(prof.loc[prof["tested"].astype(bool), "source_id"]) == policy
    described = prof[~prof["tested"].astype(bool)]
    assert set(described["source_id"]) == {"gz-pilot-2021", "gd-cases-2024"}
    assert described["p_value"].isna().all() and described["diff"].isna().all()
    pairs = fresh["similarity_tests"]
    assert set(pairs["source_a"]) | set(pairs["source_b"]) == policy | {"all"}
    key = fresh["keyness"]
    assert set(key["source_id"]) == policy and set(key["unit"]) == {"heading"}
    # shuffling headings instead of tokens leaves few distinctive terms; every one is over-used
    strong = key[key["q_value"] < findings.ALPHA]
    assert 0 < len(strong) < 0.1 * len(key) and (strong["log_ratio"] > 0).all()


def test_vocabulary_difference_rests_on_names_and_is_not_shown_without_them(stated, fresh):
    r = stated.loc["vocabulary_differs"]
    # restated on names left out: not shown among the policy documents; keeping the names, or pooling
    # the genres, makes it look supported — the sensitivity rows say so
    assert not r["supported"] and "names left out" in r["statement_en"] and r["p_value"] >= 0.05
    sens = fresh["sensitivity"].set_index(["finding_id", "variant"])
    assert bool(sens.loc[("vocabulary_differs", "with_names"), "supported"])
    assert "with_names" in r["sensitivity_note"]
    keyness = fresh["keyness"] if "keyness" in fresh else None
    if keyness is not None:
        assert not {"衢州", "天河区", "广深", "深圳"} & set(keyness["term"])


def test_theme_profiles_are_not_shown_to_differ(stated, fresh):
    r = stated.loc["theme_profiles_differ"]
    assert not r["supported"] and r["interval_low"] <= r["value"] <= r["interval_high"]
    tests = fresh["similarity_tests"].set_index(["basis", "source_a"]).loc[[("themes", "all")]]
    assert float(tests["p_value"].iloc[0]) >= 0.05


def test_no_source_theme_difference_survives_correction(stated, fresh):
    assert not stated.loc["emphasis", "supported"] and stated.loc["emphasis", "value"] == 0
    prof = fresh["theme_profiles"]
    tested = prof["tested"].astype(bool)
    assert (pd.to_numeric(prof.loc[tested, "q_value"]) >= 0.05).all() and prof.loc[~tested, "q_value"].isna().all()


def test_primary_mix_not_shown_to_differ_and_safeguards_do_not_lead(stated, fresh):
    r = stated.loc["primary_mix_differs"]
    assert not r["supported"]
    # Quzhou's six implementation primaries were its six safeguard items: out by default, they no longer lead
    assert "quzhou-2018: implementation" not in r["statement_en"]
    sens = fresh["sensitivity"].set_index(["finding_id", "variant"])
    assert ("primary_mix_differs", "with_safeguards") in sens.index


def test_commitments_compare_policy_documents_and_reports_are_counted_apart(stated, fresh):
    r = stated.loc["commitment_rate_differs"]
    assert "reported" in r["statement_en"] and "described, not tested" in r["statement_en"]
    # the reports' zeros were built in: pooling every genre is a sensitivity row, and it is what
    # made the old finding, so the decision must change under it
    sens = fresh["sensitivity"].set_index(["finding_id", "variant"])
    assert bool(sens.loc[("commitment_rate_differs", "all_genres"), "supported"]) != bool(r["supported"])
    assert "all_genres" in r["sensitivity_note"]


def test_time_limits_ranked_on_calendar_days_within_one_procedure_class(stated, fresh):
    r = stated.loc["time_limit_range"]
    assert "工程建设审批" in r["statistic"] and r["statement_en"].startswith("Within one procedure class, 工程建设审批")
    # 不超过80个工作日 = 112 calendar-day equivalents, longer than quzhou's 最多90天
    assert r["value"] == pytest.approx(80 * 7 / 5) and "不超过80个工作日 ≈ 112 calendar days (tianhe-2020:08)" in r[
        "statement_en"]
    assert "180" not in r["statement_en"]  # the visa stay period is not a processing limit


def test_learning_is_counted_by_document_with_no_sentence_level_test(stated, fresh):
    r = stated.loc["learning_by_document"]
    assert r["unit"] == "document" and pd.isna(r["p_value"]) and "binomial" not in r["test"]
    refs = fresh["references"]
    learns = refs[(refs["relation"] == "learns_from") & refs["named"].astype(bool)]
    assert r["n"] == 5 and r["value"] == pytest.approx(learns["source_id"].nunique() / 5)
    # benchmarking and gap sentences are not learning
    dg01 = refs[refs["measure_id"] == "dongguan-2023:01"]
    assert not ((dg01["relation"] == "learns_from") & dg01["named"].astype(bool)).any()


def test_coder_agreement_is_called_development_set_agreement(stated):
    r = stated.loc["coder_agreement"]
    assert "development-set agreement, not a held-out score" in r["statement_en"]
    assert 0.8 < r["interval_low"] < r["value"] < r["interval_high"] < 1


def test_instrument_types_are_not_shown_to_differ_between_sources_even_with_the_hand_coding(stated, fresh):
    r = stated.loc["instrument_mix_differs"]
    assert not r["supported"] and r["survives_sensitivity"] is not pd.NA and bool(r["survives_sensitivity"])
    assert r["p_value"] > 0.2
    sens = fresh["sensitivity"].set_index(["finding_id", "variant"])
    # the decision does not rest on the rules' errors: coder A's instruments give it too
    assert not sens.loc[("instrument_mix_differs", "hand_coded"), "supported"]


def test_environment_side_instruments_are_not_shown_to_dominate(stated):
    r = stated.loc["environment_dominates"]
    assert not r["supported"] and r["survives_sensitivity"] is not pd.NA and bool(r["survives_sensitivity"])
    assert r["interval_low"] < 0.5 < r["interval_high"]  # the heading-bootstrap interval spans half
    assert "one-sided" in r["test"] and "headings" in r["test"]
