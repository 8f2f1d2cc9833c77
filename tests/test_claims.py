"""The study's claims, checked on a fresh build: a finding that stops holding fails the suite.

These tests state what the README and notebook 09 say about the bundled corpus. If a change to
the data, the rules or the statistics changes a decision, the matching test fails, and the
README's generated Findings block must be regenerated (`make study`) before the suite passes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bizenv_analysis import findings
from bizenv_analysis.paths import ROOT
from bizenv_analysis.tables import load


@pytest.fixture(scope="module")
def fresh(built_dir) -> dict[str, pd.DataFrame]:
    out = built_dir[0]
    return {name: load(name, out) for name in ("findings", "sensitivity", "documents", "targets", "similarity_tests",
                                               "theme_profiles", "references")}


@pytest.fixture(scope="module")
def stated(fresh) -> pd.DataFrame:
    return fresh["findings"].set_index("finding_id")  # typed by datapackage.json: numbers, nullable booleans


def test_readme_findings_block_is_the_fresh_findings_table(fresh):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = findings.findings_markdown(fresh["findings"], fresh["documents"], "en")
    assert findings.with_findings(readme, block) == readme, "README Findings are stale: run make study"


def test_committed_findings_equal_a_fresh_build(fresh):
    pd.testing.assert_frame_equal(load("findings"), fresh["findings"])
    pd.testing.assert_frame_equal(load("sensitivity"), fresh["sensitivity"])


def test_every_finding_carries_its_evidence(stated):
    assert (stated["n"] > 0).all()
    assert stated["test"].str.len().gt(0).all()
    for fid, r in stated.iterrows():
        # a tested finding states its p; a not-supported one says so in its first words
        if r["test"].startswith(("permutation", "binomial")):
            assert pd.notna(r["p_value"]) and "p = " in r["statement_en"] and "p = " in r["statement_zh"], fid
        assert r["statement_en"].startswith("Not supported") == (not r["supported"]) or fid == "learning_concentrated"
        assert any(f"{w}{r['n']}" in r["statement_en"] for w in ("n = ", "of ", "of the ")), fid


def test_vocabularies_differ_beyond_chance_and_survive_every_alternative(stated, fresh):
    r = stated.loc["vocabulary_differs"]
    assert r["supported"] and r["survives_sensitivity"] is not pd.NA and r["survives_sensitivity"]
    assert r["p_value"] < 0.01 and r["value"] < r["interval_low"]  # observed below the null's 95% range


def test_theme_profiles_are_not_shown_to_differ(stated, fresh):
    r = stated.loc["theme_profiles_differ"]
    assert not r["supported"] and r["interval_low"] <= r["value"] <= r["interval_high"]
    tests = fresh["similarity_tests"].set_index(["basis", "source_a"]).loc[[("themes", "all")]]
    assert float(tests["p_value"].iloc[0]) >= 0.05


def test_no_source_theme_difference_survives_correction(stated, fresh):
    assert not stated.loc["emphasis", "supported"] and stated.loc["emphasis", "value"] == 0
    prof = fresh["theme_profiles"]
    assert (pd.to_numeric(prof["q_value"]) >= 0.05).all()
    # the cells the old README called emphases are among those that do not survive
    cell = prof.set_index(["source_id", "theme_id"])
    for key in [("gz-pilot-2021", "approval_speed"), ("gd-cases-2024", "credit"), ("gd-cases-2024", "rule_of_law")]:
        assert float(cell.loc[key, "q_value"]) >= 0.05


def test_primary_mix_not_shown_to_differ_and_ties_are_stated(stated):
    r = stated.loc["primary_mix_differs"]
    assert not r["supported"]
    assert "(tie)" in r["statement_en"] and "3 of 5 sources have a tie" in r["statement_en"]


def test_time_limits_are_processing_limits_only(stated, fresh):
    r = stated.loc["time_limit_range"]
    assert r["interval_low"] == pytest.approx(1 / 24, abs=1e-4) and r["value"] == 90
    assert "180" not in r["statement_en"]  # the visa stay period is not a processing limit


def test_dongguan_learns_most_from_named_places(stated):
    r = stated.loc["learning_concentrated"]
    assert r["supported"] and r["statement_en"].startswith("dongguan-2023 accounts for")
    assert r["interval_low"] > 0.5


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
    assert r["interval_low"] < 0.5 < r["interval_high"]  # the environment share's Wilson interval spans half
