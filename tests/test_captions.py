"""The figures' captions are templates (data/templates/captions.csv): known answers of the
renderer, the checks that refuse a broken caption with its file and line, and the bundled file
against the figure index."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import FIGURES, TEMPLATES
from bizenv_analysis.report.captions import caption, captions

HEADER = "fig_id,lang,part,fields,joiner,template\n"
TOY = (HEADER
       + 'figA,zh,caption,n kinds kind,,"{n}条举措,分为{kinds}。"\n'  # line 2
       + "figA,en,caption,,,\"{n:,} measures of {kinds}.\"\n"  # line 3
       + "figA,zh,kinds,,、,{kind}\n"
       + "figA,en,kinds,,\" and \",{kind}\n"
       + "figB,zh,caption,,,没有数字。\n"
       + "figB,en,caption,,,No number.\n")


def toy(tmp_path: Path, text: str = TOY) -> Path:
    path = tmp_path / "captions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_caption_reads_as_written_by_hand(tmp_path):
    using = captions(toy(tmp_path))
    fields = {"n": 1234, "kinds": [{"kind": ("改革举措", "reform")}, {"kind": ("保障措施", "safeguard")}]}
    assert caption("figA", fields, using) == ("1234条举措,分为改革举措、保障措施。",
                                              "1,234 measures of reform and safeguard.")
    assert caption("figB", None, using) == ("没有数字。", "No number.")


def test_a_bundled_caption_reads_as_written_by_hand():
    assert caption("fig14_instrument_grid", {"n": 7}) == (
        "全部7条举措各计一次,落在其主政策工具类型(Rothwell & Zegveld)与主主题大类的交叉格中;格中为占全部举措的比例。"
        "编码规则在留出样本上的准确率见笔记本10;计数见 instrument_grid.csv。",
        "Each of the 7 measures once, in the cell of its primary instrument's type (Rothwell & Zegveld) and its "
        "primary theme's group; cells show the share of all measures. Coded by rules whose held-out accuracy "
        "notebook 10 reports; counts in instrument_grid.csv.")
    zh, en = caption("fig09_distinctive_terms", {"family": ("政策文件", "policy documents"), "min_freq": 3})
    assert zh.startswith("政策文件中各来源相对于其余政策文件的对数似然G²最高的词(至少出现3次")
    assert en.startswith("Top terms of each of the policy documents by log-likelihood G² against the other policy "
                         "documents (terms used at least 3 times")


def test_a_field_missing_when_rendered_names_the_file_and_line(tmp_path):
    path = toy(tmp_path)
    with pytest.raises(BuildError, match=r"line 2: figA gives no field 'n' here") as err:
        caption("figA", {"kinds": []}, captions(path))
    assert err.value.path == str(path)


def test_a_field_the_figure_does_not_declare_is_refused(tmp_path):
    with pytest.raises(BuildError, match=r"line 6: figB declares no field n_terms"):
        caption("figB", {"n_terms": 3}, captions(toy(tmp_path)))


def test_a_figure_without_a_caption_is_refused(tmp_path):
    with pytest.raises(BuildError, match=r"no caption for figure 'figC'"):
        caption("figC", {}, captions(toy(tmp_path)))


def test_a_missing_language_is_refused_at_load_with_file_and_line(tmp_path):
    path = toy(tmp_path, TOY.replace("figB,en,caption,,,No number.\n", ""))
    with pytest.raises(BuildError, match=r"line 6: no en template for part 'caption' of figB") as err:
        captions(path)
    assert err.value.path == str(path)


@pytest.mark.parametrize(("old", "new", "line", "problem"), [
    ("n kinds kind", "kinds kind", 3, "figA gives no field 'n'"),  # named, not declared (en is checked first)
    ("{n:,} measures", "{n!r} measures", 3, "only the conversion !p"),
    ("figB,en,caption", "figB,fr,caption", 7, "unknown lang 'fr'"),
    ("n kinds kind", "n kinds 2kind", 2, "'2kind' in fields is not a plain name"),
])
def test_a_broken_caption_is_refused_at_load_at_its_line(tmp_path, old, new, line, problem):
    with pytest.raises(BuildError, match=rf"line {line}: .*{problem}"):
        captions(toy(tmp_path, TOY.replace(old, new, 1)))


def test_every_figure_of_the_index_has_its_caption_and_every_caption_a_figure():
    index = pd.read_csv(FIGURES / "index.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = captions().rows
    assert captions().path == TEMPLATES / "captions.csv"
    assert {(t.finding_id, t.lang) for t in rows if t.part == "caption"} == {
        (fig_id, lang) for fig_id in index["id"] for lang in ("zh", "en")}
