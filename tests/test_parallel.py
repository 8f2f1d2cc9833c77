"""Worker processes share the CPU-bound stages and never change a result."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest

from bizenv_analysis import clean, parallel, themes, tokens
from bizenv_analysis.paths import DATA, LEXICON
from bizenv_analysis.sources import load_raw_documents


def test_map_ordered_runs_in_workers_and_keeps_the_order():
    def square(x: int) -> tuple[int, int]:
        time.sleep(0.002)  # long enough that both workers take chunks
        return x * x, os.getpid()

    out = parallel.map_ordered(square, list(range(500)), jobs=2)
    assert [v for v, _ in out] == [x * x for x in range(500)]
    pids = {pid for _, pid in out}
    assert os.getpid() not in pids and len(pids) == 2


def test_map_ordered_is_serial_for_one_job_or_few_items():
    assert {pid for pid in parallel.map_ordered(lambda _: os.getpid(), [1, 2, 3], jobs=1)} == {os.getpid()}
    assert {pid for pid in parallel.map_ordered(lambda _: os.getpid(), [1, 2, 3], jobs=2, min_items=10)} \
        == {os.getpid()}


def test_bizenv_jobs_must_be_a_positive_whole_number(monkeypatch):
    monkeypatch.setenv("BIZENV_JOBS", "3")
    assert parallel.available_jobs() == 3
    monkeypatch.setenv("BIZENV_JOBS", "two")
    with pytest.raises(ValueError, match="BIZENV_JOBS"):
        parallel.available_jobs()


def test_parallel_clean_tokens_and_themes_equal_serial(monkeypatch, measures):
    """On the real corpus, with the size thresholds lowered so that the workers do the work."""
    for module in (clean, tokens, themes):
        monkeypatch.setattr(module, "PARALLEL_MIN", 1)
    raws = load_raw_documents(DATA)
    rules = clean.load_chrome_rules(LEXICON / "chrome.csv")
    serial = [clean.clean_document(r, rules) for r in raws]
    assert parallel.map_ordered(lambda r: clean.clean_document(r, rules), raws, jobs=2) == serial
    tk = tokens.PolicyTokenizer()
    assert tokens.tokens_table(measures, tk, jobs=2).equals(tokens.tokens_table(measures, tk, jobs=1))
    cb = themes.load_codebook(LEXICON)
    assert themes.code_measures(measures, cb, jobs=2).equals(themes.code_measures(measures, cb, jobs=1))


@pytest.mark.parametrize("pattern, core", [
    ("(?<!协)调解|仲裁", "调解|仲裁"),
    ("监管(?!局|部门)", "监管"),
    ("法治(?!保障)|普法", "法治|普法"),
    ("^开办$", "开办"),
    (r"\b信用\+", r"信用\+"),
    ("[^(?!]x(?=[)])", "[^(?!]x"),
    (r"\(?!审批", r"\(?!审批"),
])
def test_strip_assertions(pattern, core):
    assert themes.strip_assertions(pattern) == core


def test_the_rule_prefilter_never_changes_a_code(measures):
    """Skipping sentences whose text misses the assertion-free pattern gives the same coding."""
    cb = themes.load_codebook(LEXICON)
    plain = replace(cb, rules=tuple(replace(r, prefilter=None) for r in cb.rules))
    assert sum(r.prefilter is not None for r in cb.rules) == len(cb.rules)
    assert themes.code_measures(measures, cb, jobs=1).equals(themes.code_measures(measures, plain, jobs=1))
