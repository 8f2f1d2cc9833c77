"""The lexicon folder documents itself: every file in the README, with the counts it states."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bizenv_analysis.paths import LEXICON
from bizenv_analysis.targets import load_cues

README = (LEXICON / "README.md").read_text(encoding="utf-8")


def test_every_lexicon_file_is_described():
    files = sorted(p.name for p in LEXICON.iterdir() if p.name != "README.md")
    assert [f for f in files if f"`{f}`" not in README] == []


@pytest.mark.parametrize("file, heading, count", [
    ("chrome.csv", r"## chrome\.csv: page chrome \((\d+) rules\)", lambda df: len(df)),
    ("segmentation.csv", r"## segmentation\.csv: document structure \((\d+) roles\)", lambda df: len(df)),
    ("target_topics.csv", r"## target_topics\.csv: what a quantity concerns \((\d+) topics\)", lambda df: len(df)),
    ("target_cues.csv", r"## target_cues\.csv: target or reported \((\d+) cues\)", lambda df: len(df)),
    ("learning.csv", r"## learning\.csv: policy learning \((\d+) verbs", lambda df: (df["role"] == "verb").sum()),
    ("learning.csv", r"## learning\.csv: policy learning \(\d+ verbs, (\d+) places\)",
     lambda df: (df["role"] == "place").sum()),
])
def test_readme_counts_match_the_files(file, heading, count):
    stated = re.search(heading, README)
    assert stated, f"no heading for {file}"
    df = pd.read_csv(LEXICON / file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert int(stated.group(1)) == count(df)


def test_chrome_actions_are_the_documented_ones():
    df = pd.read_csv(LEXICON / "chrome.csv", dtype=str, keep_default_na=False)
    assert set(df["action"]) <= {"drop", "drop_to_end", "drop_head_until"}


def test_target_cues_load_and_a_bad_role_is_named(tmp_path):
    cues = load_cues()
    assert re.search(cues.local["target"], "压缩至") and cues.count.search("不少于")
    bad = tmp_path / "target_cues.csv"
    bad.write_text("role,pattern,note\nstrong_target,年底前,\nstrong_goal,力争,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="strong_goal"):
        load_cues(bad)
