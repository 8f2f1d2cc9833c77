"""The lexicon folder documents itself: every file in the README, with the counts it states."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from bundled import LEX
from test_any_corpus import DEMO, make_corpus

from bizenv_analysis.__main__ import main
from bizenv_analysis.analysis.extractor_check import RULE_FILES
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import DATA, LEXICON
from bizenv_analysis.rules import targets as target_rules
from bizenv_analysis.rules.lexicon import BUNDLED, FILES, PARTS, Lexicon
from bizenv_analysis.rules.regex import catastrophic
from bizenv_analysis.rules.spec import LexiconFile

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
    ("learning.csv", r"## learning\.csv: policy learning \(\d+ verbs, (\d+) places",
     lambda df: (df["role"] == "place").sum()),
    ("learning.csv", r"## learning\.csv: policy learning \(\d+ verbs, \d+ places, (\d+) levels",
     lambda df: (df["role"] == "level").sum()),
    ("learning.csv", r"## learning\.csv: policy learning \(\d+ verbs, \d+ places, \d+ levels, (\d+) cues\)",
     lambda df: df["role"].str.startswith("relation_").sum()),
    ("formula_patterns.csv", r"## formula_patterns\.csv: numbered formulas \((\d+) patterns\)", len),
    ("national_formulas.csv", r"## national_formulas\.csv: formulas set nationally \((\d+) formulas\)", len),
    ("generic_terms.csv", r"## generic_terms\.csv: generic terms \((\d+) terms\)", len),
    ("place_aliases.csv", r"## place_aliases\.csv: names for several places \((\d+) aliases\)", len),
    ("names.csv", r"## names\.csv: names set aside from vocabulary comparisons \((\d+) names",
     lambda df: (df["action"] == "name").sum()),
    ("names.csv", r"## names\.csv: names set aside from vocabulary comparisons \(\d+ names, (\d+) kept\)",
     lambda df: (df["action"] == "keep").sum()),
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
    cues = LEX.cues
    assert re.search(cues.local["target"], "压缩至") and cues.count.search("不少于")
    bad = tmp_path / "target_cues.csv"
    bad.write_text("role,pattern,note\nstrong_target,年底前,\nstrong_goal,力争,\n", encoding="utf-8")
    with pytest.raises(BuildError, match="strong_goal"):
        target_rules.parse_cues(LexiconFile("target_cues.csv", bad, "own"))


# --- resolving, checking and parsing every lexicon file (bizenv_analysis.rules.lexicon) ---------------------

BAD_REGEX_RULES = "theme_id,field,pattern,weight,exclude,note\napproval_speed,text,审批,2,,\nopenness,text,(开放,2,,\n"


def run_build(corpus: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI build of a corpus: exit status and what it wrote to stderr."""
    code = main(["build", "--data", str(corpus), "--quiet"])
    return code, capsys.readouterr().err


PMC_PARAMS = ("name,value\ndoc_types,action_plan\ngrade_perfect,9\ngrade_excellent,7\ngrade_acceptable,5\n"
              "min_clause_chars,5\nclause_marks,\"，。\"\n")


def demo_corpus(tmp_path: Path, **lexicon: str | bytes) -> Path:
    """The demo document as a corpus, with its own lexicon files {name: text or bytes}."""
    corpus = make_corpus(tmp_path / "c", {"demo-2025": (DEMO.encode("utf-8"), "utf-8")})
    (corpus / "lexicon").mkdir()
    for name, content in lexicon.items():
        path = corpus / "lexicon" / name.replace("__", ".")
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return corpus


def refused(corpus: Path, capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    """The build exits 2 without a traceback, writes nothing, and names every needle on stderr."""
    code, err = run_build(corpus, capsys)
    assert code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not (corpus / "processed").exists()
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def csv_rows(name: str) -> pd.DataFrame:
    """A bundled lexicon CSV read by pandas, not by the project's checked reader."""
    return pd.read_csv(LEXICON / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_the_bundled_lexicon_loads_and_every_pattern_passes_the_checks(tmp_path):
    """The bundled files resolve and parse to what they hold. Expected values are read off the
    files by pandas or by hand, never by the project's own parsers."""
    lex = Lexicon.load(tmp_path)  # a corpus folder without a lexicon/ of its own
    assert set(lex.files) == set(FILES) and lex.own() == []
    assert all(f.origin == BUNDLED and f.path == LEXICON / f.name for f in lex.files.values())
    assert Lexicon.load(DATA).own() == []  # the bundled corpus's lexicon/ is the bundled one
    assert lex.codebook.theme_ids == list(csv_rows("themes.csv")["theme_id"])
    # theme_params.csv by hand: threshold 2, max_hits 3, fallback approval_speed
    assert (lex.codebook.threshold, lex.codebook.max_hits, lex.codebook.fallback) == (2.0, 3, "approval_speed")
    rules = csv_rows("theme_rules.csv")
    assert [(r.theme_id, r.field, r.pattern.pattern, r.weight, r.exclude.pattern if r.exclude else "")
            for r in lex.codebook.rules] == [
        (t, f or "text", p, float(w), e) for t, f, p, w, e in
        zip(rules["theme_id"], rules["field"], rules["pattern"], rules["weight"], rules["exclude"], strict=True)]
    chrome = csv_rows("chrome.csv")
    assert [(c.rule_id, c.action, c.pattern.pattern) for c in lex.chrome] == list(
        zip(chrome["rule_id"], chrome["action"], chrome["pattern"], strict=True))
    # policy_terms.txt: one term a line (`一件事 50 l`: word, frequency, tag), no comment lines
    lines = [ln.split() for ln in (LEXICON / "policy_terms.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip()]
    assert [tuple(t) for t in lex.policy_terms] == [tuple(ln) for ln in lines]
    assert tuple(lex.policy_terms[0]) == ("一件事", "50", "l")
    # stopwords.txt: 推进 and 加强 are listed (lines 430, 217), its # comment lines are not words
    assert {"推进", "加强"} <= lex.stopwords and "营商环境" not in lex.stopwords
    assert not any(w.startswith("#") for w in lex.stopwords)
    topics = csv_rows("target_topics.csv")
    assert [t for t, _ in lex.topics] == list(topics["applies_to"])
    assert lex.topic_labels == {**dict(zip(topics["applies_to"], topics["label_en"], strict=True)), "其他": "other"}
    # target_cues.csv by hand: lines 77-78 and 84-85 name the reporting and the directive document types
    assert lex.cues.reporting == {"case_collection", "news_report"}
    assert lex.cues.directive == {"action_plan", "implementation_opinions"}
    assert lex.cues.count.search("不少于") and lex.cues.condition.match("仍未") and lex.cues.future.search("力争")
    classes = csv_rows("time_classes.csv")
    assert [(c, f, p.pattern) for c, f, p in lex.time_classes] == list(
        zip(classes["time_class"], classes["field"], classes["pattern"], strict=True))
    learning = csv_rows("learning.csv")
    levels = learning[learning["role"] == "level"]
    assert lex.learning.levels == set(levels["label"]) == {"国际", "先进地区"}  # lines 32-33, by hand
    simple = learning[(learning["role"] == "verb") & ~learning["pattern"].str.contains("{place}", regex=False)]
    assert lex.learning.verb_relation == dict(zip(simple["label"], simple["relation"], strict=True))
    # lines 2 and 4 by hand: 借鉴 adopts a practice, 对标 benchmarks
    assert (lex.learning.verb_relation["借鉴"], lex.learning.verb_relation["对标"]) == ("learns_from",
                                                                                       "benchmarks_against")
    assert [rel for _, rel in lex.learning.after_rules] == ["compliance", "learns_from", "learns_from"]
    assert [rel for _, rel in lex.learning.place_rules] == ["gap_to", "gap_to"]
    # the validation folder's older rule sets pass the same checks
    round1 = lex.overridden(DATA / "validation" / "round1", ["theme_rules.csv", "theme_params.csv"])
    assert round1.origin("theme_rules.csv") == "round1" and round1.origin("themes.csv") == BUNDLED
    assert len(round1.codebook.rules) > 0 and round1.codebook.theme_ids == lex.codebook.theme_ids
    first = lex.overridden(DATA / "validation" / "extractors_first_pass", RULE_FILES)
    assert first.origin("learning.csv") == "extractors_first_pass" and first.origin("target_topics.csv") == BUNDLED


SMALL_THEMES = "theme_id,group_id\nspeed,gov\nopen,market\n"
SMALL_RULES = ("theme_id,field,pattern,weight,exclude,note\n"
               "speed,text,(?<!不)审批提速,2,税,\n"
               "open,title,^开放,1.5,,\n")
SMALL_PARAMS = "name,value\nthreshold,2.5\nmax_hits,4\nfallback,open\n"


@pytest.mark.parametrize("form", ["a corpus's own files", "an older rule set beside them"])
def test_a_small_codebook_is_read_as_typed(tmp_path, form):
    """A two-theme codebook written here, read as a build reads it (a corpus's own lexicon/, or its
    rules and parameters as an older set in a folder of their own, `Lexicon.overridden`); the values
    are those typed in its files: ids speed, open; rule 1 speed/text/(?<!不)审批提速/2/exclude 税,
    no prefilter (a look-behind reads outside the match); rule 2 open/title/^开放/1.5, no exclusion,
    no prefilter (an anchor); threshold 2.5, max_hits 4, fallback open."""
    corpus = demo_corpus(tmp_path / "corpus", themes__csv=SMALL_THEMES,
                         **({"theme_rules__csv": SMALL_RULES, "theme_params__csv": SMALL_PARAMS}
                            if form == "a corpus's own files" else {}))
    if form == "a corpus's own files":
        cb = Lexicon.load(corpus).codebook
    else:
        older = tmp_path / "round1"
        older.mkdir()
        (older / "theme_rules.csv").write_text(SMALL_RULES, encoding="utf-8")
        (older / "theme_params.csv").write_text(SMALL_PARAMS, encoding="utf-8")
        own_rules = "theme_id,field,pattern,weight\nspeed,text,提速,1\n"
        own_params = "name,value\nthreshold,1\nmax_hits,1\nfallback,speed\n"
        (corpus / "lexicon" / "theme_rules.csv").write_text(own_rules, encoding="utf-8")
        (corpus / "lexicon" / "theme_params.csv").write_text(own_params, encoding="utf-8")
        cb = Lexicon.load(corpus).overridden(older, ["theme_rules.csv", "theme_params.csv"]).codebook
    assert cb.theme_ids == ["speed", "open"]
    assert [(r.theme_id, r.field, r.pattern.pattern, r.weight, r.exclude and r.exclude.pattern, r.prefilter)
            for r in cb.rules] == [("speed", "text", "(?<!不)审批提速", 2.0, "税", None),
                                   ("open", "title", "^开放", 1.5, None, None)]
    assert (cb.threshold, cb.max_hits, cb.fallback) == (2.5, 4, "open")


def test_a_corpus_with_only_its_own_theme_rules_uses_them(tmp_path, capsys):
    rules = "theme_id,field,pattern,weight,exclude,note\nopenness,text,信用修复,20,,the only rule\n"
    corpus = demo_corpus(tmp_path, theme_rules__csv=rules)
    lex = Lexicon.load(corpus)
    assert lex.own() == ["theme_rules.csv"] and lex.origin("themes.csv") == BUNDLED
    assert lex.path("theme_rules.csv") == corpus / "lexicon" / "theme_rules.csv"
    assert run_build(corpus, capsys)[0] == 0
    coded = pd.read_csv(corpus / "processed" / "themes.csv")
    texts = pd.read_csv(corpus / "processed" / "measures.csv").set_index("measure_id")["text"]
    primary = coded[coded["primary"]].set_index("measure_id")
    repaired = [m for m in primary.index if "信用修复" in texts[m]]
    assert len(repaired) == 1
    assert (primary.loc[repaired[0], "theme_id"], primary.loc[repaired[0], "score"]) == ("openness", 20.0)
    others = primary.drop(index=repaired)
    assert set(others["theme_id"]) == {"approval_speed"} and set(others["score"]) == {0.0}  # the fallback


def test_a_corpus_with_its_own_instrument_rules_uses_them(tmp_path, capsys):
    rules = "instrument_id,field,pattern,weight,exclude,note\ndemonstration,text,信用修复,20,,the only rule\n"
    corpus = demo_corpus(tmp_path, instrument_rules__csv=rules)
    lex = Lexicon.load(corpus)
    assert lex.own() == ["instrument_rules.csv"] and lex.origin("instruments.csv") == BUNDLED
    assert run_build(corpus, capsys)[0] == 0
    coded = pd.read_csv(corpus / "processed" / "instruments.csv")
    texts = pd.read_csv(corpus / "processed" / "measures.csv").set_index("measure_id")["text"]
    primary = coded[coded["primary"]].set_index("measure_id")
    repaired = [m for m in primary.index if "信用修复" in texts[m]]
    assert len(repaired) == 1 and primary.loc[repaired[0], "instrument_id"] == "demonstration"
    others = primary.drop(index=repaired)
    assert set(others["instrument_id"]) == {"public_service"} and set(others["score"]) == {0.0}  # the fallback


def test_a_header_only_rules_file_is_refused(tmp_path, capsys):
    corpus = demo_corpus(tmp_path, theme_rules__csv="theme_id,field,pattern,weight,exclude,note\n")
    refused(corpus, capsys, "theme_rules.csv", "no rows", "fallback theme")


def test_a_bad_regex_is_named_with_its_file_line_and_error(tmp_path, capsys):
    corpus = demo_corpus(tmp_path, theme_rules__csv=BAD_REGEX_RULES)
    refused(corpus, capsys, str(corpus / "lexicon" / "theme_rules.csv"), "line 3", "`(开放`",
            "missing ), unterminated subpattern")


@pytest.mark.parametrize("name, content", [
    ("chrome.csv", "rule_id,action,pattern,condition,note\nslow,drop,^(a+)+$,,\n"),
    ("target_topics.csv", "applies_to,pattern,note,label_en\n开办企业,(\\w*)*x,,starting a business\n"),
    ("theme_rules.csv", "theme_id,field,pattern,weight,exclude,note\nopenness,text,开放,2,(a|aa)+$,\n"),
    ("learning.csv", "role,pattern,label,note,label_en,relation\nplace,(?:深|圳+)+,深圳,,,\nverb,借鉴,借鉴,,,\n"),
])
def test_a_catastrophic_pattern_is_refused_before_anything_is_matched(tmp_path, capsys, name, content):
    # a line on which these patterns would backtrack for hours, were they ever matched
    corpus = make_corpus(tmp_path / "c", {"demo-2025": ((DEMO + "a" * 40 + "!\n").encode("utf-8"), "utf-8")})
    (corpus / "lexicon").mkdir()
    (corpus / "lexicon" / name).write_text(content, encoding="utf-8")
    start = time.perf_counter()
    refused(corpus, capsys, name, "line 2", "could take forever to match")
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("pattern", [
    "(a+)+$", r"(\w*)*x", "(a|aa)+$", "(?:a|ab)+c", r"(\d+\.?)*$", "(.*,)*x", "(?:x|y?)+", r"(?:\w|\d\d)+?z",
    "(a{1,3}|b+)*", "(?:学习|学|借鉴)+",
])
def test_nested_or_ambiguous_unbounded_repeats_are_refused(pattern):
    assert catastrophic(pattern)


@pytest.mark.parametrize("pattern", [
    "a+b+c*", r"[\d.]+%", "(?:学习|借鉴)+", "(学习|学校)+", "(?:ab|cd)*", "(?>a+)+", "(?:a++b)*", "(a+){2}",
    r"(?:\d|年)+", "(?:[一二三]|十)+", r"^(?P<num>\d{1,3})[.．、](?!\d)\s*(?P<rest>.*)$", "(?:a{1,3})+b",
])
def test_other_patterns_pass(pattern):
    assert catastrophic(pattern) is None


def test_an_unknown_theme_id_in_the_rules_is_refused(tmp_path, capsys):
    rules = "theme_id,field,pattern,weight,exclude,note\napproval_speed,text,审批,2,,\ntrade,text,外贸,2,,\n"
    refused(demo_corpus(tmp_path, theme_rules__csv=rules), capsys, "theme_rules.csv", "line 3", "'trade'",
            "themes.csv")


def test_a_corpus_codebook_without_matching_bundled_rules_is_refused(tmp_path, capsys):
    """Own themes.csv, bundled rules: the bundled rules name themes the corpus does not have."""
    themes_csv = "theme_id,group_id\napproval_speed,gov_services\n"
    refused(demo_corpus(tmp_path, themes__csv=themes_csv), capsys, str(LEXICON / "theme_rules.csv"),
            "is not in", "its own themes.csv")


@pytest.mark.parametrize("name, content, needles", [
    ("time_classes.csv", "time_class,pattern,note\nperiod,有效期$,\n", ["time_classes.csv", "line 1", "field"]),
    ("theme_rules.csv", "theme_id,field,regex,weight\nopenness,text,开放,2\n", ["theme_rules.csv", "pattern"]),
    ("chrome.csv", "rule_id,action,condition,note\nx,drop,,\n", ["chrome.csv", "missing column pattern"]),
])
def test_a_missing_column_is_refused(tmp_path, capsys, name, content, needles):
    refused(demo_corpus(tmp_path, **{name.replace(".", "__"): content}), capsys, "missing column", *needles)


LEARNING_HEAD = "role,pattern,label,note,label_en,relation\n"
LEARNING = LEARNING_HEAD + "verb,借鉴,借鉴,,,learns_from\n"  # a file's first lines, one simple verb


@pytest.mark.parametrize("name, content, needles", [
    ("theme_rules.csv", "", ["theme_rules.csv", "the file is empty"]),
    ("theme_params.csv", "name,value\nthreshold,two\nmax_hits,3\nfallback,approval_speed\n",
     ["theme_params.csv", "line 2", "threshold 'two' is not a number"]),
    ("theme_params.csv", "name,value\nthreshold,2\nmax_hits,3\nfallback,trade\n",
     ["theme_params.csv", "line 4", "fallback 'trade'"]),
    ("theme_params.csv", "name,value\nthreshold,2\nmax_hits,3\n", ["theme_params.csv", "no row for fallback"]),
    ("theme_rules.csv", "theme_id,field,pattern,weight,exclude,note\nopenness,text,开放,heavy,,\n",
     ["line 2", "weight 'heavy' is not a number"]),
    ("theme_rules.csv", "theme_id,field,pattern,weight,exclude,note\nopenness,body,开放,2,,\n",
     ["line 2", "unknown field 'body'", "text, title, kind"]),
    ("theme_rules.csv", "theme_id,field,pattern,weight,exclude,note\nopenness,text,审批.{0,4}压缩,2,,\n",
     ["line 2", "7 fields, but the header has 6", "quote"]),
    ("theme_rules.csv", BAD_REGEX_RULES.encode("gb18030"), ["theme_rules.csv", "line 2", "not valid UTF-8"]),
    ("stopwords.txt", "# stopwords\n的\n了\n".encode("gb18030"), ["stopwords.txt", "line 2", "not valid UTF-8"]),
    ("policy_terms.txt", "营商环境 2000 n\n一网通办\t50\tl\n", ["policy_terms.txt", "line 2", "word [freq] [tag]"]),
    ("target_cues.csv", "role,pattern,note\nstrong_target,年底前,\nstrong_goal,力争,\n",
     ["target_cues.csv", "line 3", "unknown role 'strong_goal'"]),
    ("target_cues.csv", "role,pattern,note\nstrong_target,年底前,\n", ["target_cues.csv", "no cue for the roles"]),
    ("time_classes.csv", "time_class,field,pattern,note\nperiod,before,有效期$,\n", ["line 2", "unknown field"]),
    ("learning.csv", LEARNING + "verb,对照,对照,,,copies\n",
     ["learning.csv", "line 3", "unknown relation 'copies'", "learns_from, benchmarks_against, gap_to"]),
    # a file of the four-type typology (until 2026-12-07) is told what became of its relations
    ("learning.csv", LEARNING + "place,深圳,深圳,,,\nrelation_sentence,供各地学习,供,,,others_learn\n",
     ["learning.csv", "line 4", "unknown relation 'others_learn'", "rename it offers_to_others"]),
    ("learning.csv", LEARNING + "place,先进地区,先进地区,,,aspiration\n",
     ["learning.csv", "line 3", "unknown relation 'aspiration'", "a `level`"]),
    ("learning.csv", LEARNING + "place,深圳,深圳,,,gap_to\n",
     ["learning.csv", "line 3", "a place with a relation (gap_to)", "leave it empty"]),
    ("learning.csv", LEARNING_HEAD + "verb,借鉴,借鉴,,\nplace,深圳,深圳,,,\n",
     ["learning.csv", "line 2", "a verb without a relation", "learns_from"]),
    ("learning.csv", LEARNING + "place,深圳,深圳,,,\n"
     "relation_place,差距,差距,,,gap_to\n", ["learning.csv", "line 4", "a relation_place cue without {place}"]),
    ("learning.csv", LEARNING + "place,深圳,深圳,,,\n"
     "relation_after,与{place}差距,差距,,,gap_to\n", ["learning.csv", "line 4", "a relation_after cue with {place}"]),
    ("learning.csv", "role,pattern,label,note\nverb,借鉴,借鉴,\nplace,深圳,深圳,\n",
     ["learning.csv", "line 1", "missing column relation"]),
    ("learning.csv", LEARNING_HEAD + "verb,向{place}看齐,看齐,,,benchmarks_against\n"
     "place,深圳,深圳,,,\n", ["learning.csv", "verb without {place}"]),
    ("chrome.csv", "rule_id,action,pattern,condition,note\nnav,hide,^首页$,,\n", ["line 2", "unknown action 'hide'"]),
    ("chrome.csv", "rule_id,action,pattern,condition,note\nnav,drop,^首页$,,\nnav,drop,^返回$,,\n",
     ["line 3", "rule_id 'nav' repeats line 2"]),
    ("target_topics.csv", "applies_to,pattern,note,label_en\n", ["target_topics.csv", "no rows"]),
    ("segmentation.csv", "role,pattern,note\nchapter,\"^(?P<num>[一二三]+)、(?P<rest>.*)$\",\n",
     ["segmentation.csv", "no row for the role"]),
    ("segmentation.csv", "role,pattern,note\nchapter,^[一二三、,\n", ["segmentation.csv", "line 2", "unterminated"]),
    ("pmc_params.csv", PMC_PARAMS.replace("min_clause_chars,5", "min_clause_chars,five"),
     ["pmc_params.csv", "line 6", "min_clause_chars 'five' is not a whole number"]),
    ("pmc_params.csv", PMC_PARAMS.replace("grade_perfect,9", "grade_perfect,6"),
     ["pmc_params.csv", "line 5", "do not fall from perfect to acceptable"]),
    ("pmc_params.csv", PMC_PARAMS.replace("clause_marks,\"，。\"\n", ""),
     ["pmc_params.csv", "no row for clause_marks"]),
])
def test_a_malformed_file_is_refused_with_the_fix(tmp_path, capsys, name, content, needles):
    err = refused(demo_corpus(tmp_path, **{name.replace(".", "__"): content}), capsys, *needles)
    assert "\n  fix: " in err


def test_an_override_folder_is_checked_like_the_lexicon(tmp_path):
    (tmp_path / "learning.csv").write_text("role,pattern,label,relation\nverb,借鉴,借鉴,learns_from\n"
                                           "place,(深圳,深圳,\n", encoding="utf-8")
    with pytest.raises(BuildError, match="line 3"):
        Lexicon.load(DATA).overridden(tmp_path, RULE_FILES)


def test_the_summary_names_own_and_stray_files(tmp_path):
    corpus = demo_corpus(tmp_path, theme_rules__csv="theme_id,field,pattern,weight\nopenness,text,开放,2\n",
                         theme_rule__csv="a typo: never read\n")
    lex = Lexicon.load(corpus)
    assert lex.ignored == ("theme_rule.csv",)
    assert lex.summary().startswith("own theme_rules.csv; bundled the other 28; ignored theme_rule.csv")


def test_cues_that_do_not_join_into_one_regex_are_refused(tmp_path, capsys):
    cues = (pd.read_csv(LEXICON / "target_cues.csv", dtype=str, keep_default_na=False)
            .to_csv(index=False) + "strong_target,(?P<x>力争),\nstrong_target,(?P<x>确保),\n")
    refused(demo_corpus(tmp_path, target_cues__csv=cues), capsys, "target_cues.csv", "strong_target cues",
            "redefinition of group name")


def test_every_file_has_one_parser_and_every_parser_a_file():
    """`FILES` (what a corpus may bring) and `PARTS` (what is parsed) name the same 29 files, each once."""
    parsed = [name for _, files, _ in PARTS for name in files]
    assert len(parsed) == len(set(parsed)) == len(FILES) == 29 and set(parsed) == set(FILES)
