"""Worker processes share the CPU-bound stages and never change a result."""

from __future__ import annotations

import pickle
import re
import warnings
from dataclasses import replace
from functools import partial

import pytest
from bundled import LEX
from corpora import make_corpus

from bizenv_analysis.__main__ import main
from bizenv_analysis.base import workers
from bizenv_analysis.base.paths import DATA, ROOT
from bizenv_analysis.io.sources import load_raw_documents
from bizenv_analysis.pipeline import build
from bizenv_analysis.rules.lexicon import Lexicon
from bizenv_analysis.text import clean, coding, tokens


def _square(x: int) -> int:
    return x * x


def test_map_ordered_keeps_the_order_of_the_items_in_workers():
    assert workers.map_ordered(_square, list(range(37)), jobs=2) == [x * x for x in range(37)]
    assert workers.map_ordered(_square, [], jobs=2) == []


def test_the_tokenizer_reaches_a_worker_as_its_recipe_and_gives_the_same_terms():
    tk = tokens.PolicyTokenizer(LEX.policy_terms, LEX.stopwords)
    clone = pickle.loads(pickle.dumps(tk))  # what a joblib worker receives
    assert clone is not tk and clone.terms == tk.terms and clone.stopwords == tk.stopwords
    text = "推行“双随机、一公开”监管,深化“一网通办”,优化营商环境。"
    assert clone(text) == tk(text) and {"双随机、一公开", "一网通办"} <= set(clone(text))
    assert pickle.loads(pickle.dumps(tk)) is clone  # built once per process


def test_bizenv_jobs_must_be_a_positive_whole_number(monkeypatch):
    monkeypatch.setenv("BIZENV_JOBS", "1")
    assert workers.usable_jobs() == 1
    monkeypatch.setenv("BIZENV_JOBS", "two")
    with pytest.raises(ValueError, match="BIZENV_JOBS"):
        workers.usable_jobs()


def test_parallel_clean_tokens_and_themes_equal_serial(monkeypatch, measures):
    """On the real corpus, with the size thresholds lowered so that the workers do the work."""
    for module in (clean, tokens, coding):
        monkeypatch.setattr(module, "PARALLEL_MIN", 1)
    raws = load_raw_documents(DATA)
    rules = LEX.chrome
    serial = [clean.clean_document(r, rules) for r in raws]
    assert workers.map_ordered(partial(clean.clean_document, rules=rules), raws, jobs=2) == serial
    tk = tokens.PolicyTokenizer(LEX.policy_terms, LEX.stopwords)
    assert tokens.tokens_table(measures, tk, jobs=2).equals(tokens.tokens_table(measures, tk, jobs=1))
    names = Lexicon.load().gazetteer(["广州市天河区"])  # the part-of-speech tagger runs in the workers too
    tagged = tokens.tokens_table(measures, tk, jobs=1, names=names)
    assert tokens.tokens_table(measures, tk, jobs=2, names=names).equals(tagged) and tagged["names"].str.len().sum()
    cb = LEX.codebook
    assert coding.code_measures(measures, cb, jobs=2).equals(coding.code_measures(measures, cb, jobs=1))


def test_the_rule_prefilter_never_changes_a_code(measures):
    """Skipping the sentences of a text the rule's pattern misses as a whole gives the same coding,
    on every bundled rule and every measure of the corpus; and every bundled text rule searched
    sentence by sentence either has a prefilter or an anchor, boundary or lookaround."""
    cb = LEX.codebook
    plain = replace(cb, rules=tuple(replace(r, prefilter=None) for r in cb.rules))
    assert coding.code_measures(measures, cb, jobs=1).equals(coding.code_measures(measures, plain, jobs=1))
    looks_around = [r.pattern.pattern for r in cb.rules if r.field == "text" and r.prefilter is None]
    assert looks_around and all(re.search(r"\(\?<?[=!]|\^|\$|\\[bB]", p) for p in looks_around), looks_around


def test_the_bundled_corpus_builds_to_the_same_tables_on_a_dask_cluster(tmp_path):
    """`--dask ADDRESS`: joblib's dask backend sends the parallel stages (here the k-selection
    grid) to a cluster's workers; every table is byte for byte the committed one."""
    distributed = pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = build(out_dir=tmp_path / "out", quiet=True, dask=cluster.scheduler_address)
        ran = cluster.scheduler.transition_counter  # task state changes the scheduler saw
    assert ran > 0, "nothing ran on the cluster"
    for name in result.tables:
        assert (tmp_path / "out" / name).read_bytes() == (DATA / "processed" / name).read_bytes(), name


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT", "1s")
    monkeypatch.setenv("BIZENV_DASK", "tcp://127.0.0.1:9")
    assert main(["build", "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def _warns(x: int) -> int:
    if x == 3:
        warnings.warn("odd input 3", RuntimeWarning, stacklevel=1)
    return x


def test_a_warning_raised_in_a_worker_reaches_the_parent_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert workers.map_ordered(_warns, list(range(10)), jobs=2) == list(range(10))
    assert [(w.category, str(w.message)) for w in caught] == [(RuntimeWarning, "odd input 3")]


def test_the_build_shows_every_warning_with_its_stage(tmp_path, monkeypatch, capsys):
    """A library warning (here a FutureWarning from the theme stage) is printed with the stage
    and its category, not dropped; the build's own warnings keep their plain form."""
    real = coding.code_measures

    def noisy(*args, **kwargs):
        warnings.warn("a library will change", FutureWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(coding, "code_measures", noisy)
    data = (ROOT / "tests" / "data" / "demo-2025.txt").read_bytes()  # the README's one-plan example
    corpus = make_corpus(tmp_path / "c", {"demo-2025": (data, "utf-8")})  # a build of a second or so
    result = build(corpus, quiet=True)
    err = capsys.readouterr().err
    # The theme stage runs the engine twice (themes, then instruments): one line, with its count.
    assert "[themes] FutureWarning: a library will change (2 times)" in result.warnings
    assert "warning: [themes] FutureWarning: a library will change (2 times)" in err
    assert "warning: clusters skipped: 7 measures" in err  # the build's own, in their plain form


def test_a_warning_repeated_in_a_stage_is_printed_once_with_its_count():
    from bizenv_analysis.pipeline import _counted

    assert _counted(["b", "a", "b", "b"]) == ["b (3 times)", "a"]
