"""Figures: the shipped CJK font renders Chinese, files are byte-stable, no stamps."""

from __future__ import annotations

import html
import importlib
import json
import re
import struct
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from bizenv_analysis.base.paths import DATA, FIGURES, ROOT
from bizenv_analysis.io import tables
from bizenv_analysis.report import figures, plotting
from bizenv_analysis.report.plotting import (
    FONT_FAMILY,
    FONT_FILE,
    LANGS,
    MIN_POINTS,
    PALETTE,
    WIDTHS,
    figure_bytes,
    setup,
    source_colors,
    source_label,
    source_labels,
    source_short,
    use_sources,
)
from bizenv_analysis.report.saving import labelled, save_bilingual


def test_font_is_shipped_with_its_licence_and_registered():
    assert FONT_FILE.is_file() and (FONT_FILE.parent / "OFL.txt").is_file()
    assert "SIL OPEN FONT LICENSE" in (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    setup()
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    assert path.endswith(FONT_FILE.name)


def test_the_shipped_font_wins_over_an_installed_font_of_the_same_family(tmp_path, monkeypatch):
    """A machine with Debian's fonts-noto-cjk has its own "Noto Sans CJK SC": the figures still use
    the shipped file, so they are drawn (and embedded in PDFs) the same everywhere."""
    from matplotlib import font_manager

    setup()
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", list(manager.ttflist))
    system = tmp_path / "NotoSansCJK-Regular.ttf"
    system.write_bytes(FONT_FILE.read_bytes())
    manager.addfont(str(system))
    entry = manager.ttflist.pop()
    manager.ttflist.insert(0, entry)  # installed fonts are listed before the ones added at run time
    manager._findfont_cached.cache_clear()
    assert font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY)) == str(system)
    setup()
    assert font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY)) == str(FONT_FILE)
    manager._findfont_cached.cache_clear()


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
    assert names == ["figX_data.csv", "figX_en.pdf", "figX_en.png", "figX_en.svg", "figX_zh.pdf", "figX_zh.png",
                     "figX_zh.svg"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    svg = (tmp_path / "a" / "figX_zh.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    pdf = (tmp_path / "a" / "figX_zh.pdf").read_bytes()
    assert b"/CreationDate" not in pdf and b"/Producer" not in pdf
    assert (tmp_path / "a" / "figX_data.csv").read_bytes().startswith("\ufeff".encode())


@pytest.mark.parametrize("lang, expected", [("en", "Tianhe 2020"), ("zh", "天河 2020")])
def test_short_source_labels_have_no_genre_and_no_stray_space(lang, expected):
    assert source_short("tianhe-2020", lang) == expected


# --- every figure of the study, as written (figures/) --------------------------------------------

INDEX = pd.read_csv(FIGURES / "index.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[16:24]  # the IHDR chunk: width, height
    return struct.unpack(">II", head)


@pytest.mark.parametrize("fig_id, width", list(zip(INDEX["id"], INDEX["width"], strict=True)))
def test_every_figure_is_one_print_width_in_both_languages(fig_id, width):
    inches = WIDTHS[width.split()[0]]
    sizes = {lang: _png_size(FIGURES / f"{fig_id}_{lang}.png")[0] for lang in LANGS}
    assert sizes["zh"] == sizes["en"] and abs(sizes["zh"] - inches * 300) <= 1, sizes


@pytest.mark.parametrize("fig_id", INDEX["id"])
def test_every_figure_keeps_its_text_as_text_of_7_points_or_more(fig_id):
    for lang in LANGS:
        svg = (FIGURES / f"{fig_id}_{lang}.svg").read_text(encoding="utf-8")
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]  # SVG px = pt at 72 dpi
        assert sizes and min(sizes) >= MIN_POINTS, (lang, min(sizes, default=None))
        assert "<text" in svg


@pytest.mark.parametrize("fig_id", INDEX["id"])
def test_every_pdf_embeds_its_fonts_as_truetype_subsets(fig_id):
    for lang in LANGS:
        pdf = (FIGURES / f"{fig_id}_{lang}.pdf").read_bytes()
        # every font the PDF describes carries its TrueType program (what `pdffonts` shows as "emb yes")
        descriptors = re.findall(rb"<<((?:(?!>>).)*?/Type /FontDescriptor(?:(?!>>).)*)>>", pdf, flags=re.S)
        assert descriptors and all(b"/FontFile2 " in d for d in descriptors), (fig_id, lang)
        assert b"/FontFile3" not in pdf and b"/Type3" not in pdf  # no CFF program, no glyphs drawn as paths
        # and each is a subset, named with its six-letter tag
        assert all(re.search(rb"/FontName /[A-Z]{6}\+", d) for d in descriptors), (fig_id, lang)


@pytest.mark.parametrize("fig_id", INDEX["id"])
def test_three_hops_from_a_figure_to_its_function_and_input_rows(fig_id):
    """figures/index.csv names, for each figure, the library function that draws it (hop 2: it
    imports, and it is a figure function of the report layer), the data file of the rows drawn and
    the built tables behind them (hop 3: each a table the datapackage describes)."""
    row = INDEX.set_index("id").loc[fig_id]
    module, _, name = row["function"].rpartition(".")
    assert module in ("bizenv_analysis.report.figures", "bizenv_analysis.report.network_figures",
                      "bizenv_analysis.report.legal_figures"), row["function"]
    assert callable(getattr(importlib.import_module(module), name))
    assert (FIGURES / row["data"]).is_file()
    described = {r["path"].split("/")[-1] for r in json.loads((ROOT / "data" / "datapackage.json").read_text(
        encoding="utf-8"))["resources"]}
    named = set(re.findall(r"[\w.-]+\.csv", row["source_tables"]))
    assert named and named <= described, (fig_id, named - described)


def test_the_function_of_a_figure_is_named_through_a_partial():
    from functools import partial

    from bizenv_analysis.report.saving import function_name
    drawn = partial(partial(figures.heatmap, row="x"), col="y")
    assert function_name(drawn) == "bizenv_analysis.report.figures.heatmap"


@pytest.mark.parametrize("fig_id", INDEX["id"])
def test_the_catalogue_gives_each_figure_in_both_languages_as_drawn(fig_id):
    row = INDEX.set_index("id").loc[fig_id]
    assert row["caption_zh"] and row["caption_en"] and re.search(r"[\u4e00-\u9fff]", row["caption_zh"])
    for lang in LANGS:
        title = row[f"title_{lang}"]
        svg = (FIGURES / f"{fig_id}_{lang}.svg").read_text(encoding="utf-8")
        # the catalogue's title is the one drawn: the figure's text, its lines one after the other
        drawn = "".join(html.unescape(re.sub(r"<[^>]+>", "", svg)).split())
        assert title and "".join(title.split()) in drawn, (lang, title)
    assert row["title_zh"] != row["title_en"]


ID_COLUMNS = ("source_id", "source_a", "source_b", "theme_id", "group_id", "type_id", "kind", "scope", "method",
              "basis")


@pytest.mark.parametrize("fig_id", INDEX["id"])
def test_every_figure_data_carries_the_printed_labels_beside_its_ids(fig_id):
    data = pd.read_csv(FIGURES / f"{fig_id}_data.csv", dtype=str, keep_default_na=False)
    for column in [c for c in ID_COLUMNS if c in data.columns]:
        base = column.removesuffix("_id")
        assert {f"{base}_zh", f"{base}_en"} <= set(data.columns), (fig_id, column)


def test_labels_go_beside_their_ids_and_unknown_ids_keep_their_id():
    data = pd.DataFrame({"source_id": ["tianhe-2020", "mine-2025"], "theme_id": ["a", "b"], "n": [1, 2]})
    out = labelled(data, {"theme_id": {"a": ("甲", "Alpha")}})
    assert list(out.columns) == ["source_id", "source_zh", "source_en", "theme_id", "theme_zh", "theme_en", "n"]
    assert out.loc[0, "source_en"] == "Tianhe 2020 (action plan)" and out.loc[1, "source_zh"] == "mine-2025"
    assert out["theme_en"].tolist() == ["Alpha", "b"]


# --- the overlap check (plotting.overlaps) and labels kept apart (plotting.keep_apart) ------------

def _fitted(fig):
    """The figure at the full print width with its layout fixed, as figure_bytes checks it."""
    from bizenv_analysis.report.plotting import fit_width

    fit_width(fig, WIDTHS["full"])
    fig.set_layout_engine("none")
    return fig


def test_two_labels_on_one_spot_overlap_and_labels_apart_do_not():
    from bizenv_analysis.report.plotting import overlaps

    setup()
    fig, ax = plt.subplots(layout="constrained")
    ax.text(0.5, 0.5, "审批提速", transform=ax.transAxes)
    ax.text(0.52, 0.5, "一网通办", transform=ax.transAxes)  # a few pixels to the right: covers most of it
    ax.text(0.1, 0.1, "far away", transform=ax.transAxes)
    assert overlaps(_fitted(fig)) == ["'审批提速' and '一网通办'"]
    plt.close(fig)


def test_slanted_neighbours_and_ticks_out_of_view_are_not_overlaps():
    """Labels turned 45° side by side: their upright bounding boxes overlap, their text does not.
    A tick outside the axis range keeps a label the axis does not draw."""
    from bizenv_analysis.report.plotting import overlaps

    setup()
    fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    names = [f"document-{i}-of-the-corpus" for i in range(8)]
    ax.plot(range(8), range(8))
    ax.set_xticks(range(8), names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks([0, 3, 6, 50], ["zero", "three", "six", "three"])  # 50 is outside 0–7: not drawn
    ax.set_ylim(0, 7)
    assert overlaps(_fitted(fig)) == []
    ax.set_xticks(range(8), names, rotation=0)  # upright, the same names run into each other
    fig.draw_without_rendering()
    assert overlaps(fig)
    plt.close(fig)


def test_a_key_on_the_data_is_reported_and_one_beside_it_is_not():
    from bizenv_analysis.report.plotting import overlaps

    setup()
    fig, ax = plt.subplots(layout="constrained")
    ax.scatter([0.97], [0.96], label="point")
    ax.bar([0.1], [0.2], width=0.1, label="bar")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")  # on the point
    assert [p for p in overlaps(_fitted(fig)) if "covers data" in p] == ["the key (point …) covers data"]
    ax.legend(loc="center")  # nothing there
    fig.draw_without_rendering()  # a legend finds its place when drawn
    assert overlaps(fig) == []
    plt.close(fig)


def test_labels_kept_apart_are_moved_until_none_overlaps_the_same_way_every_time():
    from bizenv_analysis.report.plotting import keep_apart

    def draw():
        setup()
        fig, ax = plt.subplots(layout="constrained")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        labels = [ax.annotate(str(i), (0.5, 0.5), xytext=(0, 0), textcoords="offset points", ha="center",
                              va="center", bbox={"boxstyle": "circle"}, arrowprops={"arrowstyle": "-"})
                  for i in range(1, 5)]  # four cluster numbers on one centre
        keep_apart(fig, labels)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "figure labels overlap" would fail here
            files = figure_bytes(fig)
        moved = [label.xyann for label in labels]
        plt.close(fig)
        return files, moved

    (files, moved), (again, moved_again) = draw(), draw()
    assert len(set(moved)) == 4 and moved == moved_again and files == again
    with pytest.raises(ValueError, match="offset points"):
        fig, ax = plt.subplots()
        keep_apart(fig, [ax.annotate("x", (0, 0))])
    plt.close("all")


def test_other_sources_never_take_the_colour_of_a_study_source_in_the_same_figure():
    mixed = source_colors(["tianhe-2020", "a", "b", "quzhou-2018", "c", "d", "e", "f"])
    assert mixed["tianhe-2020"] == "#E69F00" and mixed["quzhou-2018"] == "#D55E00"
    # first the four colours no study source has, then those of study sources not in the figure
    assert [mixed[s] for s in "abcdef"] == ["#56B4E9", "#000000", "#999999", "#F0E442", "#0072B2", "#009E73"]
    assert len(set(mixed.values())) == len(mixed)
    # a corpus of its own: the palette in the order of the ids, around again past nine; an id keeps
    # its colour in a figure that lists the documents in another order
    assert source_colors(["doc02", "doc01"]) == {"doc02": PALETTE[1], "doc01": PALETTE[0]}
    own = source_colors([f"doc{i:02d}" for i in range(11)])
    assert list(own.values()) == PALETTE + PALETTE[:2]
    assert source_colors(list(STUDY_COLORS)) == STUDY_COLORS


# --- sources' names and colours: sources.csv's label_zh, label_en and color (use_sources) ----------

# The bundled sources.csv's colours, typed here by hand: the study's figures have always used them.
STUDY_COLORS = {"gz-pilot-2021": "#0072B2", "tianhe-2020": "#E69F00", "dongguan-2023": "#009E73",
                "quzhou-2018": "#D55E00", "gd-cases-2024": "#CC79A7"}


@pytest.fixture
def own_sources(monkeypatch):
    """use_sources for one test: the registry goes back to what it was afterwards."""
    monkeypatch.setattr(plotting, "_sources", None)
    return use_sources


def rows(*records: dict) -> pd.DataFrame:
    """A sources table (as tables.sources reads it) of these rows, other columns empty."""
    return pd.DataFrame(records).fillna("")


def test_the_bundled_sources_are_named_and_coloured_by_sources_csv():
    # the first use reads data/sources.csv; these are the names the study's figures have shown
    assert source_label("tianhe-2020", "zh") == "天河 2020(行动方案)"
    assert source_label("gd-cases-2024", "en") == "Guangdong 2024 (typical cases)"
    assert source_short("quzhou-2018", "en") == "Quzhou 2018"
    assert len(source_labels()) == 5 and source_colors(list(STUDY_COLORS)) == STUDY_COLORS
    bundled = tables.sources(DATA)
    assert list(bundled["label_en"]) == [source_label(s, "en") for s in bundled["source_id"]]


def test_labels_and_colours_given_in_the_table_are_used(own_sources):
    own_sources(rows({"source_id": "a-2020", "place": "甲市", "date": "2020-05-01", "label_zh": "甲市 2020(方案)",
                      "label_en": "Jia 2020 (plan)", "color": "#123abc"},
                     {"source_id": "b-2021", "place": "乙市", "date": "2021", "label_zh": "", "label_en": "",
                      "color": ""}))
    assert source_label("a-2020", "zh") == "甲市 2020(方案)" and source_label("a-2020", "en") == "Jia 2020 (plan)"
    assert source_short("a-2020", "en") == "Jia 2020"
    # the given colour (as #RRGGBB in capitals); the other source the first colour no source has
    assert source_colors(["b-2021", "a-2020"]) == {"b-2021": PALETTE[0], "a-2020": "#123ABC"}
    assert source_colors(["b-2021"]) == {"b-2021": PALETTE[0]}
    assert source_labels() == {"a-2020": ("甲市 2020(方案)", "Jia 2020 (plan)"), "b-2021": ("乙市 2021", "乙市 2021")}


def test_a_source_without_labels_is_named_by_its_place_and_year(own_sources):
    own_sources(rows({"source_id": "x1", "place": "甲市", "date": "2023-05-20"},
                     {"source_id": "x2", "place": "乙市戊区", "date": "二〇二三年五月"},  # read as 2023-05
                     {"source_id": "x3", "place": "丙县", "date": ""},  # undated: the place alone
                     {"source_id": "x4", "place": "", "date": ""},  # nothing to name it by: its id
                     {"source_id": "x5", "place": "丁市", "date": "2019", "label_zh": "丁市方案"}))  # no English
    assert [source_label(s, "zh") for s in ("x1", "x2", "x3", "x4", "x5")] == [
        "甲市 2023", "乙市戊区 2023", "丙县", "x4", "丁市方案"]
    assert [source_label(s, "en") for s in ("x1", "x5")] == ["甲市 2023", "丁市方案"]
    assert source_label("not-listed", "en") == "not-listed"
    # no colour in the table: the palette in the order of the ids, as for any corpus
    assert list(source_colors(["x3", "x1", "x2"]).values()) == [PALETTE[2], PALETTE[0], PALETTE[1]]


def test_names_made_alike_are_told_apart_by_their_ids(own_sources):
    own_sources(rows({"source_id": "doc01", "place": "某市", "date": "2025-01-01"},
                     {"source_id": "doc02", "place": "某市", "date": "2025-06-01"},
                     {"source_id": "doc03", "place": "某市", "date": "2024", "label_en": "Moushi 2025"},
                     {"source_id": "doc04", "place": "某市", "date": "2024"}))
    assert source_labels() == {"doc01": ("某市 2025 [doc01]", "某市 2025 [doc01]"),
                               "doc02": ("某市 2025 [doc02]", "某市 2025 [doc02]"),
                               "doc03": ("某市 2024 [doc03]", "Moushi 2025"),
                               "doc04": ("某市 2024 [doc04]", "某市 2024 [doc04]")}


def test_a_colour_that_is_no_colour_is_refused_naming_the_source(own_sources):
    with pytest.raises(ValueError, match="the color of a1 is 'blue', not a colour #RRGGBB"):
        own_sources(rows({"source_id": "a1", "color": "blue"}))


def test_sources_by_chapter_hatches_older_sources_and_names_a_source_not_compared():
    """fig24 on a hand-made frame: two laws (panels), three sources, one of them compared with the
    national law only (no law of its province) and one older than the provincial law. Known answers:
    one panel per law, k/n in every compared cell, a hatched patch for each cell of the older source
    against that law only, a grey line for the source not compared, no overlap at the print size."""
    from matplotlib.patches import Rectangle

    from bizenv_analysis.report.legal_figures import sources_by_chapter

    rows = []
    for sid, row, laws in (("old-2018", 0, {"nat": "before"}), ("mid-2020", 1, {"nat": "after", "prov": "before"}),
                           ("new-2023", 2, {"nat": "after", "prov": "after"})):
        for law, timing in laws.items():
            for no, title, n in ((2, "市场主体保护", 9), (3, "政务服务", 17)):
                k = (no + row) % 4
                rows.append({"source_id": sid, "frame_source_id": law, "frame_label_zh": law, "frame_label_en": law,
                             "chapter_no": no, "chapter_title": title, "n_articles": n, "n_implemented": k,
                             "share": k / n, "timing": timing, "row": row, "panel": 0 if law == "nat" else 1})
    data = pd.DataFrame(rows)
    for lang in LANGS:
        fig = sources_by_chapter(data, lang)
        left, right = fig.axes[:2]
        assert [left.get_title(loc="left"), right.get_title(loc="left")] == ["nat", "prov"]
        hatched = [[p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()] for ax in (left, right)]
        # old-2018 is older than nat (2 cells), mid-2020 older than prov (2 cells); new-2023 never
        assert [[(p.get_x() + 0.5, p.get_y() + 0.5) for p in h] for h in hatched] == [[(0, 0), (1, 0)],
                                                                                      [(0, 1), (1, 1)]]
        cells = {tx.get_position(): tx.get_text() for tx in right.texts}
        grey = cells.pop((0.5, 0))  # old-2018's row, across the panel
        assert grey == ("未比较:框架中无本省条例" if lang == "zh" else "not compared: no law of its province here")
        # k = (chapter + row) % 4 at (chapter's column, source's row)
        assert cells == {(0, 1): "3/9", (1, 1): "0/17", (0, 2): "0/9", (1, 2): "1/17"}
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overlap at the print size is a warning: here an error
            figure_bytes(fig, "full")
        plt.close(fig)


def test_diffusion_timeline_draws_provisions_in_three_or_more_laws_with_their_first_adopter():
    """fig25 on hand-made provisions: q1 in 3 laws (first a province, 2020-03), q2 in 4 laws (first a
    city, 2020-09; two articles of one law), q3 in 2 laws (a pair: not drawn). Known answers: rows q1
    then q2 (by first date), one marker per law at its date, the first adopter a diamond, the laws
    named above, "top N of M" only when rows are cut, no overlap at the print size."""
    from matplotlib.collections import PathCollection
    from matplotlib.dates import date2num

    from bizenv_analysis.report import legal_figures
    from bizenv_analysis.report.legal_figures import diffusion_timeline

    laws = {"a": ("2020-03-01", "province"), "b": ("2020-09-01", "city"), "c": ("2021-02-01", "city"),
            "d": ("2021-06-01", "province"), "e": ("2022-05-01", "province")}
    members = {"q1": ["a", "b", "d"], "q2": ["c", "d", "d", "e", "b"], "q3": ["b", "e"]}
    rows = []
    for pid, sids in members.items():
        for k, sid in enumerate(sorted(sids, key=lambda s: laws[s][0]), start=1):
            first = laws[sid][0] == min(laws[s][0] for s in sids)
            rows.append({"provision_id": pid, "article_id": f"{sid}:a{k:03d}", "source_id": sid, "date": laws[sid][0],
                         "role": "first" if first else "adopter", "n_documents": len(set(sids)),
                         "level": laws[sid][1]})
    data = pd.DataFrame(rows)
    for lang in LANGS:
        fig = diffusion_timeline(data, lang)
        ax = fig.axes[0]
        labels = [tk.get_text() for tk in ax.get_yticklabels()]
        assert labels == (["q1 · 3部", "q2 · 4部"] if lang == "zh" else ["q1 · 3 laws", "q2 · 4 laws"])
        points = {(round(x), int(y), c.get_paths()[0].vertices.shape[0] == 5)  # a diamond has 5 vertices
                  for c in ax.collections if isinstance(c, PathCollection)  # the markers, not the lines
                  for x, y in np.asarray(c.get_offsets())}
        day = {s: round(date2num(pd.Timestamp(d))) for s, (d, _) in laws.items()}
        diamond = {p[2] for p in points if (p[0], p[1]) == (day["b"], 0)}
        # q2 (row 1) is first adopted by b, which adopts q1 (row 0) after a: a circle there
        assert {(x, y) for x, y, _ in points} == {(day[s], 0) for s in "abd"} | {(day[s], 1) for s in "bcde"}
        assert {(x, y) for x, y, d in points if d} == {(day["a"], 0), (day["b"], 1)} and diamond == {False}
        names = {tx.get_text() for tx in ax.texts}
        assert len(names) == 5  # every law of a drawn provision, once
        assert "top" not in fig._suptitle.get_text() and "前" not in fig._suptitle.get_text()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            figure_bytes(fig, "full")
        plt.close(fig)
    # more provisions than rows: the most widely adopted, said as "top N of M"
    many = pd.concat([data.assign(provision_id=data["provision_id"] + f"-{i:02d}") for i in range(30)])
    shown, n_all = legal_figures.timeline_rows(many)
    assert (len(shown), n_all) == (legal_figures.TIMELINE_ROWS, 60)
    assert all(p.startswith("q2") for p in shown)  # 30 copies of q2 (4 laws) come before any of q1 (3 laws)
    fig = diffusion_timeline(many, "en")
    assert f"(top {legal_figures.TIMELINE_ROWS} of 60)" in fig._suptitle.get_text()
    plt.close(fig)
