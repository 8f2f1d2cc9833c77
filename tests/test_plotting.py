"""Figures: the shipped CJK font renders Chinese, files are byte-stable, no stamps."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from bizenv_analysis import figures
from bizenv_analysis.plotting import FONT_FAMILY, FONT_FILE, figure_bytes, save_bilingual, setup, source_short


def test_font_is_shipped_with_its_licence_and_registered():
    assert FONT_FILE.is_file() and (FONT_FILE.parent / "OFL.txt").is_file()
    assert "SIL OPEN FONT LICENSE" in (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    setup()
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    assert path.endswith(FONT_FILE.name)


def test_chinese_renders_without_missing_glyphs():
    setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph … missing from font" warning fails the test
        fig, ax = plt.subplots()
        ax.set_title("营商环境:审批提速、一网通办、“双随机、一公开” — 衢州 2018 ①")
        figure_bytes(fig)
        plt.close(fig)


def test_figures_are_byte_identical_and_undated(tmp_path):
    data = pd.DataFrame({"source_id": ["tianhe-2020", "tianhe-2020", "quzhou-2018"],
                         "kind": ["measure", "safeguard", "measure"], "n": [32, 5, 24]})
    save_bilingual("figX", figures.measures_by_source, data, out_dir=tmp_path / "a", show=None)
    save_bilingual("figX", figures.measures_by_source, data, out_dir=tmp_path / "b", show=None)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["figX_data.csv", "figX_en.png", "figX_en.svg", "figX_zh.png", "figX_zh.svg"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    svg = (tmp_path / "a" / "figX_zh.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert (tmp_path / "a" / "figX_data.csv").read_bytes().startswith("\ufeff".encode())


@pytest.mark.parametrize("lang, expected", [("en", "Tianhe 2020"), ("zh", "天河 2020")])
def test_short_source_labels_have_no_genre_and_no_stray_space(lang, expected):
    assert source_short("tianhe-2020", lang) == expected
