"""The findings' statements are templates (data/templates/findings.csv): known answers of the
renderer, and the checks that refuse a broken template with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizenv_analysis.analysis import findings, legal_findings
from bizenv_analysis.analysis.findings import Result
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import TEMPLATES
from bizenv_analysis.report import statements
from bizenv_analysis.report.templates import Templates

BUNDLED = TEMPLATES / "findings.csv"
HEADER = "finding_id,outcome,lang,part,when,joiner,template\n"


def bundled_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the bundled templates with the first `old` replaced by `new`, and the line of the change."""
    text = BUNDLED.read_text(encoding="utf-8")
    at = text.index(old)
    path = tmp_path / "findings.csv"
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return path, text[:at].count("\n") + 1


def load(path: Path) -> Templates:
    return Templates.load(path, statements.STATED, findings.COMMON)


def toy(tmp_path: Path, rows: str, names: str = "x items k") -> Templates:
    path = tmp_path / "toy.csv"
    path.write_text(HEADER + rows + "toy,,zh,statement,,,-\n", encoding="utf-8")
    return Templates.load(path, {"toy": (("described",), names)}, findings.COMMON)


def test_every_finding_has_its_declared_statements():
    assert set(findings.STATED) == set(findings.FINDINGS)
    assert set(legal_findings.STATED) == set(legal_findings.LEGAL_FINDINGS)
    assert statements.templates().path == BUNDLED


def test_a_described_finding_reads_as_written_by_hand():
    r = Result("primary-theme accuracy", 17 / 20, 20, True, interval=(0.6396, 0.9476), status="described",
               facts={"k": 17, "percent": 85.0})
    assert statements.statements(r, "coder_agreement") == (
        "The coder's primary theme matches the hand coding on 17 of 20 round-2 measures (85%, 95% CI 64–95%). "
        "This is development-set agreement, not a held-out score: the coder's output on these measures was read "
        "while the rules were written, and the hand coding is the project authors' own single reading.",
        "编码器的主要主题与人工编码在第二轮20条举措中有17条一致(85%,95%置信区间64–95%)。这是开发集上的一致率而非"
        "留出集成绩:编写规则时已看过编码器在这些举措上的输出,人工编码也只是项目作者的一次阅读。")


def test_lists_ties_and_the_scope_are_filled_by_their_parts():
    r = Result("χ²", 12.34, 40, False, p_value=0.2346, n_units=9,
               facts={"n_sources": 3, "family": "policy", "n_tied": 1, "n_led": 2},
               items={"leading": [
                   {"source_id": "a", "leaders": [{"theme_id": "T1"}, {"theme_id": "T2"}], "n_leader": 5,
                    "n_measures": 20, "tied": True},
                   {"source_id": "b", "leaders": [{"theme_id": "T3"}], "n_leader": 7, "n_measures": 20,
                    "tied": False}]})
    assert r.outcome == "not_supported"
    assert statements.statements(r, "primary_mix_differs") == (
        "Not supported: the mix of primary themes is not shown to differ between the 3 policy documents "
        "(χ² = 12.3, permutation p = 0.235; 9 headings, n = 40). Most frequent primary theme: "
        "a: T1 = T2 (5 of 20) (tie); b: T3 (7 of 20); 1 of 2 sources have a tie for first place.",
        "不成立:3份政策文件主要主题的构成差异未得到证实(χ² = 12.3,置换检验p = 0.235;9个标题单元,n = 40)。"
        "各来源最常见的主要主题:a: T1 = T2 (5 of 20) (tie); b: T3 (7 of 20);2个来源中有1个并列第一。")


def test_an_untested_finding_uses_the_shared_statement_and_its_own_question():
    r = Result("cosine", float("nan"), 30, False, n_units=7, status="untested",
               facts={"n_sources": 5, "family": "", "splits": 1716, "alpha": 0.05})
    assert statements.statements(r, "vocabulary_differs") == (
        "Not tested: whether the sources' vocabularies differ cannot be decided here — 7 headings of the 5 "
        "documents (every genre pooled) can be split among them in only 1,716 ways, too few for any shuffle to "
        "reach p < 0.05.",
        "未检验:各来源的用词是否不同无法在此判断——5份文件(各文体合并)的7个标题单元只有1,716种分法,"
        "任何重排都达不到p < 0.05。")


def test_render_fills_the_statement_columns_only():
    import pandas as pd
    r = Result("accuracy", 0.5, 2, True, interval=(0.1, 0.9), status="described", facts={"k": 1, "percent": 50.0})
    table = pd.DataFrame({"finding_id": ["coder_agreement"], "statement_en": [""], "statement_zh": [""],
                          "value": [0.5]})
    out = statements.render(table, {"coder_agreement": r})
    assert list(out.columns) == list(table.columns) and out["value"].tolist() == [0.5]
    assert out["statement_en"].iloc[0].startswith("The coder's primary theme matches the hand coding on 1 of 2 ")


def test_a_template_naming_a_field_its_finding_lacks_is_refused_with_file_and_line(tmp_path):
    path, line = bundled_with(tmp_path, "{null_mean:.2f} under the null (95%", "{null_man:.2f} under the null (95%")
    with pytest.raises(BuildError, match=rf"line {line}: vocabulary_differs gives no field 'null_man'") as err:
        load(path)
    assert err.value.path == str(path)


def test_a_missing_statement_is_refused(tmp_path):
    path, _ = bundled_with(tmp_path, "coder_agreement,described,zh,statement", "coder_agreement,described,zh,said")
    with pytest.raises(BuildError, match=r"no zh template for part 'statement' of coder_agreement \(described\)"):
        load(path)


@pytest.mark.parametrize("old, new, problem", [
    ("{n_pairs_differ} of", "{n_pairs_differ of", "not a str.format template"),
    ("{n_pairs_differ} of", "{n_pairs_differ!r} of", "only the conversion !p"),
    ("{n_pairs_differ} of", "{x.y} of", "not a plain name"),
    ("coder_agreement,described,zh", "coder_agrement,described,zh", "unknown finding 'coder_agrement'"),
    ("coder_agreement,described,zh", "coder_agreement,supported,zh", "coder_agreement has no outcome 'supported'"),
    ("names=True", "names", "is not field=value"),
    ("names=True", "nmes=True", "gives no field 'nmes' \\(in when\\)"),
])
def test_a_broken_template_is_refused_at_its_line(tmp_path, old, new, problem):
    path, line = bundled_with(tmp_path, old, new)
    with pytest.raises(BuildError, match=rf"line {line}: .*{problem}"):
        load(path)


def test_a_fact_missing_when_rendered_names_the_line(tmp_path):
    r = Result("accuracy", 0.5, 2, True, interval=(0.1, 0.9), status="described", facts={"k": 1})
    with pytest.raises(BuildError, match=r"line \d+: coder_agreement gives no field 'percent' here"):
        statements.statements(r, "coder_agreement")


def test_when_joiner_and_percent(tmp_path):
    t = toy(tmp_path, "toy,,en,statement,,,{x!p:.0f}% [{items}]{tail}\n"
                      "toy,,en,items,k=1,; ,{k} item\n"
                      "toy,,en,items,,; ,{k} items\n"
                      "toy,,en,tail,x=0.0,,\n"
                      "toy,,en,tail,,,!\n")
    for x in (0.125, 0.575, 0.005, 1 / 3):
        assert t.render("toy", "described", "en", {"x": x, "items": []}) == f"{100 * x:.0f}% []!"
    assert t.render("toy", "described", "en", {"x": 0.0, "items": [{"k": 1}, {"k": 2}]}) == "0% [1 item; 2 items]"
    with pytest.raises(BuildError, match="line 2: cannot format x = 'a'"):
        t.render("toy", "described", "en", {"x": "a", "items": []})


def test_a_part_takes_no_format(tmp_path):
    with pytest.raises(BuildError, match=r"line 2: part \{items\} takes no format"):
        toy(tmp_path, "toy,,en,statement,,,{items:>3}\ntoy,,en,items,,,{k}\n")
