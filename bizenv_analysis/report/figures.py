"""Figures: each function takes the tidy table it plots and a language, returns a Figure.

Data preparation lives with the stage that owns the numbers; these functions only draw.
Every figure is saved through `saving.save_bilingual`, which writes zh and en versions.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..base.constants import ALPHA
from .plotting import keep_apart, setup, source_color, source_label, source_short, t

# Theme groups are not sources: hues of Paul Tol's muted scheme that the Okabe–Ito source colours
# do not use (indigo, sand, cyan, wine, olive …), each with its own marker too.
GROUP_PALETTE = ["#332288", "#DDCC77", "#88CCEE", "#882255", "#999933", "#44AA99", "#AA4499", "#661100"]
GROUP_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
YEAR_SUFFIX = re.compile(r"\s*\d{4}$")
# Readable ticks for a log axis of durations in days: (days, zh, en).
DURATION_TICKS = [(1 / 24, "1小时", "1 h"), (1.0, "1天", "1 d"), (7.0, "1周", "1 wk"), (30.0, "1个月", "1 mo"),
                  (90.0, "3个月", "3 mo"), (180.0, "6个月", "6 mo"), (365.0, "1年", "1 yr")]
KIND_LABELS = {"measure": ("改革举措", "reform measures"),
               "safeguard": ("保障措施", "safeguards"),
               "paragraph": ("段落(未识别结构)", "paragraphs (no structure)"),
               "general": ("总体要求等(不参与比较)", "general parts (not compared)")}


def measures_by_source(data: pd.DataFrame, lang: str) -> Figure:
    """Stacked bars: the items of each kind (measures, safeguards, paragraphs, general parts) per
    source (data: source_id, kind, n)."""
    setup()
    wide = data.pivot_table(index="source_id", columns="kind", values="n", fill_value=0,
                            sort=False)
    fig, ax = plt.subplots(figsize=(6.4, max(2.9, 0.35 * len(wide) + 1)), layout="constrained")
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    colors = {"measure": "#1b6ca8", "safeguard": "#e07b39", "paragraph": "#9e9e9e", "general": "#7f7f7f"}
    for kind in [k for k in KIND_LABELS if k in wide.columns]:
        vals = wide[kind].to_numpy()
        ax.barh(y, vals, left=left, color=colors[kind], label=t(*KIND_LABELS[kind], lang),
                height=0.62)
        for yi, (lo, v) in enumerate(zip(left, vals, strict=True)):
            if v:
                ax.text(lo + v / 2, yi, str(int(v)), ha="center", va="center", color="white",
                        fontsize=8)
        left += vals
    ax.set_yticks(y, [source_label(s, lang) for s in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel(t("条目数", "number of items", lang))
    ax.set_title(t("各文件列举的改革举措与保障措施", "Reform measures and safeguards enumerated per source",
                   lang), loc="left")
    fig.legend(loc="outside lower center", ncols=2)  # below the bars, which it would otherwise cover
    return fig


def measure_lengths(data: pd.DataFrame, lang: str) -> Figure:
    """Strip + box plot of measure length in characters per source (data: source_id, n_chars).
    Drawn for the half-page width: sources by short name (place and year)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    fig, ax = plt.subplots(figsize=(3.2, 0.3 * len(order) + 1.3), layout="constrained")
    rng = np.random.default_rng(0)  # fixed jitter so the figure is byte-stable
    for i, sid in enumerate(order):
        vals = data.loc[data["source_id"] == sid, "n_chars"].to_numpy()
        ax.boxplot(vals, positions=[i], orientation="horizontal", widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"color": "#555555"},
                   whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
        ax.scatter(vals, i + rng.uniform(-0.18, 0.18, len(vals)), s=9, alpha=0.75,
                   color=source_color(sid, order), zorder=3, linewidths=0)
    ax.set_yticks(range(len(order)), [source_short(s, lang) for s in order])
    ax.invert_yaxis()
    ax.set_xlabel(t("每条举措的字数(汉字与标点)", "characters per measure", lang))
    ax.xaxis.set_major_locator(plt.matplotlib.ticker.MaxNLocator(4))
    # above the whole figure, not the narrow axes, so the title has the half page's full width
    fig.suptitle(t("每条举措的篇幅(字数)", "Length of each measure (characters)", lang), x=0.02, ha="left",
                 fontsize=10)
    return fig


PANELS_PER_ROW = 5  # small multiples per row at the full print width
# A panel's title wraps at this many characters: five panels a row leave each about 3 cm, and a
# name such as "Guangzhou 2021" on one line runs into the next panel's title.
PANEL_TITLE_CHARS = 10


def _panels(n: int, sharex: bool = False) -> tuple[Figure, list]:
    """A figure of n small multiples, at most `PANELS_PER_ROW` a row (the unused ones hidden), with
    constrained layout, which is recomputed at the print width (plotting.fit_width)."""
    # five fit the full width; beyond that, four a row leave room for longer names and terms
    cols = max(1, n if n <= PANELS_PER_ROW else PANELS_PER_ROW - 1)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.0 * cols + 0.6, 3.2 * rows + 0.2), sharex=sharex,
                             squeeze=False, layout="constrained")
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def top_terms_by_source(data: pd.DataFrame, lang: str) -> Figure:
    """Small multiples: each source's most frequent terms (data: source_id, rank, term, n)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    # one x range, so bar lengths compare across sources
    fig, axes = _panels(len(order), sharex=True)
    for ax, sid in zip(axes, order, strict=False):
        d = data[data["source_id"] == sid].sort_values("rank")
        ax.barh(range(len(d)), d["n"], color=source_color(sid, order), height=0.7)
        ax.set_yticks(range(len(d)), d["term"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(textwrap.fill(source_short(sid, lang), PANEL_TITLE_CHARS), fontsize=8.5, loc="left")
        ax.tick_params(axis="x", labelsize=7)
    fig.supxlabel(t("出现次数", "occurrences", lang), fontsize=8.5)
    fig.suptitle(t("各文件高频政策词(去停用词后)", "Most frequent policy terms per source (stopwords removed)",
                   lang), x=0.01, ha="left", fontsize=10.5)
    return fig


METHOD_LABELS = {"kmeans_lsa": ("k-means(LSA)", "k-means on LSA"), "nmf": ("NMF", "NMF")}


def k_selection(data: pd.DataFrame, lang: str) -> Figure:
    """Silhouette and seed stability against k for each method (data: cluster_selection.csv)."""
    setup()
    names = {m: t(*METHOD_LABELS[m], lang) for m in METHOD_LABELS}
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(6.8, 2.8), layout="constrained")
    for i, (method, d) in enumerate(data.groupby("method", sort=True)):
        style = {"marker": GROUP_MARKERS[i % len(GROUP_MARKERS)], "ms": 3.5,
                 "color": GROUP_PALETTE[i % len(GROUP_PALETTE)], "label": names.get(method, method)}
        a1.plot(d["k"], d["silhouette"], **style)
        a2.plot(d["k"], d["stability_ari"], **style)
    chosen = data[data["chosen"].astype(bool)]
    for ax, col in ((a1, "silhouette"), (a2, "stability_ari")):
        ax.scatter(chosen["k"], chosen[col], s=80, facecolors="none", edgecolors="black", zorder=3,
                   label=t("选定", "chosen", lang))
        ax.set_xlabel("k")
    a1.set_ylabel(t("轮廓系数(余弦)", "silhouette (cosine)", lang))
    a2.set_ylabel(t("稳定性:种子间平均ARI", "stability: mean ARI across seeds", lang))
    handles, labels = a2.get_legend_handles_labels()  # below the panels, where it covers no line
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    fig.suptitle(t("聚类数k的选择", "Choosing the number of clusters k", lang), x=0.01, ha="left",
                 fontsize=10.5)
    return fig


def cluster_map(data: pd.DataFrame, lang: str) -> Figure:
    """2-D map of measures (first two SVD axes) coloured by source, cluster numbers at centroids."""
    setup()
    fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
    sources = list(dict.fromkeys(data["source_id"]))
    for sid in sources:
        d = data[data["source_id"] == sid]
        ax.scatter(d["x"], d["y"], s=16, alpha=0.8, color=source_color(sid, sources), linewidths=0,
                   label=source_label(sid, lang))
    numbers = [ax.annotate(str(c), (d["x"].mean(), d["y"].mean()), xytext=(0, 0), textcoords="offset points",
                           ha="center", va="center", fontsize=8, zorder=4,
                           bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": "#333333", "lw": 0.6},
                           arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "#333333", "shrinkA": 0, "shrinkB": 0})
               for c, d in data.groupby("cluster")]
    keep_apart(fig, numbers)  # centres close together: a moved number keeps a line to its centre
    ax.set_xlabel(t("潜在语义维度1", "latent dimension 1", lang))
    ax.set_ylabel(t("潜在语义维度2", "latent dimension 2", lang))
    ax.set_title(t("举措的TF-IDF地图:颜色=来源,圆圈=聚类中心", "Measures on a TF-IDF map: colour = source, "
                   "circles = cluster centres", lang), loc="left")
    # below the map, where it covers no measure; the numbers are explained beside it
    fig.legend(loc="outside lower left", ncols=2, markerscale=1.2,
               title=t("颜色:来源;圆圈中的数字:聚类编号(各类的词见 cluster_terms.csv)",
                       "colour: source; number in a circle: cluster (its terms in cluster_terms.csv)", lang))
    return fig


def heatmap(data: pd.DataFrame, lang: str, *, row: str, col: str, value: str, row_labels: dict,
            col_labels: dict, title: tuple[str, str], fmt: str = "{:.0%}", cbar: tuple[str, str] = ("", ""),
            vmax: float | None = 1.0, n_col: str | None = "n_measures") -> Figure:
    """Annotated heatmap of a tidy table; labels dicts map ids to (zh, en).

    Shares share one colour scale, 0 to `vmax` (100% by default), so two heatmaps of shares can
    be compared by colour; `n_col` (when the data has it) appends "(n=…)" to each column's label.
    """
    setup()
    rows = list(dict.fromkeys(data[row]))
    cols = list(dict.fromkeys(data[col]))
    grid = data.pivot(index=row, columns=col, values=value).reindex(index=rows, columns=cols).fillna(0)
    top_value = vmax or float(grid.to_numpy().max()) or 1
    fig, ax = plt.subplots(figsize=(1.0 + 1.05 * len(cols), 0.8 + 0.3 * len(rows)))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", aspect="auto", vmin=0, vmax=top_value)
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if v:
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                    color="white" if v > top_value * 0.6 else "#222222")
    names = [t(*col_labels.get(c, (c, c)), lang) for c in cols]
    if n_col and n_col in data.columns:
        n = data.drop_duplicates(col).set_index(col)[n_col]
        names = [f"{name} (n={int(n[c])})" for name, c in zip(names, cols, strict=True)]
    ax.set_xticks(range(len(cols)), names, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), [t(*row_labels.get(r, (r, r)), lang) for r in rows], fontsize=8)
    ax.spines[:].set_visible(False)
    ax.set_title(t(*title, lang), loc="left")
    cb = fig.colorbar(im, ax=ax, fraction=0.035, pad=0.02)
    cb.set_label(t(*cbar, lang), fontsize=8)
    cb.ax.tick_params(labelsize=7)
    if fmt == "{:.0%}":
        cb.ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    return fig


def grouped_bars(data: pd.DataFrame, lang: str, *, category: str, value: str, labels: dict,
                 title: tuple[str, str], ylabel: tuple[str, str], low: str | None = "share_low",
                 high: str | None = "share_high") -> Figure:
    """Bars of `value` per category (x) and source (colour), with `low`–`high` interval whiskers.

    labels maps category → (zh, en); the legend gives each source's n when the data has n_measures.
    """
    setup()
    cats = list(dict.fromkeys(data[category]))
    sources = list(dict.fromkeys(data["source_id"]))
    fig, ax = plt.subplots(figsize=(6.8, 3.4), layout="constrained")
    width = 0.8 / len(sources)
    for i, sid in enumerate(sources):
        d = data[data["source_id"] == sid].set_index(category).reindex(cats)
        xs = np.arange(len(cats)) + (i - (len(sources) - 1) / 2) * width
        name = source_label(sid, lang)
        if "n_measures" in d.columns:
            name += f" (n={int(d['n_measures'].iloc[0])})"
        ax.bar(xs, d[value], width=width * 0.95, color=source_color(sid, sources), label=name)
        if low in d.columns and high in d.columns:
            err = np.vstack([d[value] - d[low], d[high] - d[value]]).clip(min=0)
            ax.errorbar(xs, d[value], yerr=err, fmt="none", ecolor="#333333", elinewidth=0.7, capsize=1.5)
    # a category's name wraps within its slot (several long English names run into each other)
    slot = max(8, int(60 / max(1, len(cats))))
    ax.set_xticks(range(len(cats)), [textwrap.fill(t(*labels.get(c, (c, c)), lang), slot,
                                                                   break_long_words=lang == "zh")
                                     for c in cats])
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel(t(*ylabel, lang))
    ax.set_title(t(*title, lang), loc="left")
    # below the plot, in two columns: long source names in three would be wider than the page
    fig.legend(fontsize=7, ncols=2, loc="outside lower center")
    return fig


def distinctive_terms(data: pd.DataFrame, lang: str) -> Figure:
    """Small multiples: each source's most distinctive terms by G² (data: keyness rows to plot)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    fig, axes = _panels(len(order))
    for ax, sid in zip(axes, order, strict=False):
        d = data[data["source_id"] == sid].reset_index(drop=True)
        ax.barh(range(len(d)), d["g2"], color=source_color(sid, order), height=0.7)
        ax.set_yticks(range(len(d)), d["term"], fontsize=8)
        for y, (g, lr) in enumerate(zip(d["g2"], d["log_ratio"], strict=True)):
            ax.text(g, y, f" {lr:.1f}", va="center", fontsize=7, color="#444444")
        ax.invert_yaxis()
        ax.set_title(textwrap.fill(source_short(sid, lang), PANEL_TITLE_CHARS), fontsize=8.5, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, d["g2"].max() * 1.35 if len(d) else 1)
    fig.supxlabel(t("对数似然G²(数字为对数比 log₂)", "log-likelihood G² (numbers: log ratio, log₂)", lang),
                  fontsize=8.5)
    fig.suptitle(t("各来源的特色词(与其余比较来源相比)", "Distinctive terms of each source against the others compared",
                   lang), x=0.01, ha="left", fontsize=10.5)
    return fig


BASIS_LABELS = {"tfidf": ("词汇(TF-IDF)相似度", "Vocabulary (TF-IDF)"), "themes": ("主题结构相似度", "Theme profiles")}
MAX_ANNOTATED = 8  # sources up to which a heatmap's cells carry their values


def similarity_heatmaps(data: pd.DataFrame, lang: str) -> Figure:
    """Two source × source similarity heatmaps (TF-IDF, themes): one row order, one colour scale.

    data: basis, source_a, source_b, similarity, `order_a` (the shared row order) and optionally
    `q_value` (the pair's BH-corrected permutation p: a star marks pairs less alike than chance).
    """

    setup()
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.8), layout="constrained")
    titles = BASIS_LABELS
    order = list(data.sort_values("order_a")["source_a"].drop_duplicates())
    vmin = float(data.loc[data["source_a"] != data["source_b"], "similarity"].min()) - 0.05
    for ax, basis in zip(axes, ["tfidf", "themes"], strict=True):
        d = data[data["basis"] == basis]
        grid = d.pivot(index="source_a", columns="source_b", values="similarity").reindex(index=order, columns=order)
        q = (d.assign(q_value=pd.to_numeric(d["q_value"], errors="coerce"))
             .pivot(index="source_a", columns="source_b", values="q_value").reindex(index=order, columns=order)
             if "q_value" in d.columns else None)
        vals = grid.to_numpy(dtype=float)
        im = ax.imshow(vals, cmap="Blues", vmin=vmin, vmax=1)
        # the value fits a cell at 7 pt for up to 8 sources; beyond, only the star (values in the data)
        numbers = len(order) <= MAX_ANNOTATED
        for (i, j), v in np.ndenumerate(vals):
            star = "*" if q is not None and i != j and pd.notna(q.iat[i, j]) and q.iat[i, j] < ALPHA else ""
            if numbers or star:
                ax.text(j, i, f"{v:.2f}{star}" if numbers else star, ha="center", va="center", fontsize=7,
                        color="white" if v > (vmin + 1) / 2 else "#222222")
        short = [source_short(s, lang) for s in order]
        # many sources: upright names hang straight down instead of reaching across the row names
        slant = {"rotation": 35, "ha": "right"} if numbers else {"rotation": 90, "ha": "center"}
        ax.set_xticks(range(len(order)), short, fontsize=8, **slant)
        # One row order for both panels, so only the left one needs the row names.
        ax.set_yticks(range(len(order)), short if basis == "tfidf" else [""] * len(order), fontsize=8)
        ax.spines[:].set_visible(False)
        ax.set_title(t(*titles[basis], lang), loc="left", fontsize=9.5)
    fig.colorbar(im, ax=list(axes), fraction=0.03, pad=0.02).ax.tick_params(labelsize=7)
    fig.suptitle(t(f"来源之间的余弦相似度\n(*:经置换检验与BH校正,相似度低于随机拆分,q < {ALPHA})",
                   "Cosine similarity between sources\n"
                   f"(* less alike than random splits, permutation test, BH q < {ALPHA})", lang), x=0.01, ha="left",
                 fontsize=9.5)
    return fig


COMPACT_YEARS = 5  # years up to which a tick names each document of its year


def shares_over_time(data: pd.DataFrame, lang: str, *, labels: dict) -> Figure:
    """Dots, not lines: each group's share of measures in each document, documents by year.

    The documents of different years come from different places and genres, so nothing joins
    them: a line would suggest a time series this corpus does not have.
    """
    setup()
    fig, ax = plt.subplots(figsize=(6.8, 3.4), layout="constrained")
    groups = list(dict.fromkeys(data["group_id"]))
    years = sorted(data["year"].unique())
    step = 0.8 / max(1, len(groups))
    for i, gid in enumerate(groups):
        d = data[data["group_id"] == gid]
        xs = d["year"].map({y: k for k, y in enumerate(years)}) + (i - (len(groups) - 1) / 2) * step
        ax.scatter(xs, d["share"], s=18, color=GROUP_PALETTE[i % len(GROUP_PALETTE)], zorder=3,
                   label=t(*labels.get(gid, (gid, gid)), lang), marker=GROUP_MARKERS[i % len(GROUP_MARKERS)])
    for k in range(1, len(years)):
        ax.axvline(k - 0.5, color="#dddddd", lw=0.6)
    # Tick: the year over the place(s) and n of that year's documents (the label's year dropped);
    # beyond COMPACT_YEARS years the slots are too narrow for names: the year, documents and n.
    ticks = []
    for y in years:
        d = data[data["year"] == y].drop_duplicates("source_id")
        if len(years) > COMPACT_YEARS:
            k, total = len(d), int(d["n_measures"].sum())
            ticks.append(f"{y}\n" + t(f"{k}份\nn={total}", f"{k} doc{'s' if k > 1 else ''}\nn={total}", lang))
            continue
        places = [f"{YEAR_SUFFIX.sub('', source_short(s, lang))} (n={int(n)})"
                  for s, n in zip(d["source_id"], d["n_measures"], strict=True)]
        ticks.append(f"{y}\n" + "/".join(places))
    ax.set_xticks(range(len(years)), ticks, fontsize=7)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_ylabel(t("涉及该类主题的举措占比", "share of measures addressing the group", lang))
    n = data["source_id"].nunique()
    ax.set_title(t(f"各文件的主题大类(按年份排列,n={n}份文件;\n不同地方与文体,不构成时间序列)",
                   f"Theme groups per document, by year (n = {n} documents\nof different places and genres: "
                   "not a time series)", lang), loc="left", fontsize=9)
    fig.legend(fontsize=7, ncols=3, loc="outside lower center")
    return fig


def time_commitments(data: pd.DataFrame, lang: str) -> Figure:
    """Dot plot of committed processing limits in days (log scale) by procedure and source.

    data: one row per limit, with source_id, applies_to, days, day_type and, for the English
    version, applies_to_en. The caller chooses the rows (committed processing limits only).
    """
    setup()
    topics = list(dict.fromkeys(data["applies_to"]))
    names = dict(zip(data["applies_to"], data.get("applies_to_en", data["applies_to"]), strict=True))
    fig, ax = plt.subplots(figsize=(6.8, 1.1 + 0.36 * len(topics)), layout="constrained")
    sources = list(dict.fromkeys(data["source_id"]))
    for i, sid in enumerate(sources):
        d = data[data["source_id"] == sid]
        y = d["applies_to"].map({tp: k for k, tp in enumerate(topics)}) + (i - (len(sources) - 1) / 2) * 0.12
        working = d["day_type"] == "working"
        color = source_color(sid, sources)
        ax.scatter(d.loc[~working, "days"], y[~working], s=22, color=color, label=source_label(sid, lang), zorder=3)
        ax.scatter(d.loc[working, "days"], y[working], s=22, facecolors="white", edgecolors=color, zorder=3)
    ax.scatter([], [], s=22, facecolors="white", edgecolors="#555555",
               label=t("空心=工作日", "hollow = working days", lang))
    ax.set_xscale("log")
    lo, hi = data["days"].min(), data["days"].max()
    ticks = [(d, t(zh, en, lang)) for d, zh, en in DURATION_TICKS if lo / 1.5 <= d <= hi * 1.5]
    ax.set_xlim(min(lo, ticks[0][0] if ticks else lo) / 1.6, max(hi, ticks[-1][0] if ticks else hi) * 1.6)
    ax.xaxis.set_minor_locator(plt.matplotlib.ticker.NullLocator())
    ax.set_xticks([d for d, _ in ticks], [label for _, label in ticks])
    ax.set_yticks(range(len(topics)), [tp if lang == "zh" else names.get(tp, tp) for tp in topics])
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.set_xlabel(t("承诺的办理时限(对数刻度)", "committed processing limit (log scale)", lang))
    ax.set_title(t(f"各来源承诺的办理时限(n={len(data)})",
                   f"Processing limits the sources commit to (n = {len(data)})", lang), loc="left")
    fig.legend(fontsize=7, loc="outside lower center", ncols=2)
    return fig


PMC_PER_ROW = 4  # surfaces a row at the full print width


def pmc_surfaces(data: pd.DataFrame, lang: str) -> Figure:
    """One PMC surface per document: X1–X9 as a 3 × 3 grid (rows X1–X3, X4–X6, X7–X9), 0 to 1.

    `data` has source_id, row, col, variable_id, label_zh, label_en, value and pmc (the index).
    """
    setup()
    docs = list(dict.fromkeys(data["source_id"]))
    cols = min(PMC_PER_ROW, len(docs))
    rows = -(-len(docs) // cols)
    # drawn at about the print width, so the square surfaces leave no gaps between rows when fitted
    side = (6.3 - 0.8) / max(cols, 2)
    fig, axes = plt.subplots(rows, cols, figsize=(6.3, (side + 0.45) * rows + 0.9), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[len(docs):]:
        ax.axis("off")
    im = None
    for ax, sid in zip(axes.flat, docs, strict=False):
        d = data[data["source_id"] == sid]
        grid = np.zeros((3, 3))
        for r in d.itertuples():
            grid[r.row, r.col] = r.value
            # the variable's name is in the key below: a cell is too narrow for "Incentives and constraints"
            ax.text(r.col, r.row, f"{r.variable_id}\n{r.value:.2f}", ha="center", va="center", fontsize=7.5,
                    color="white" if r.value > 0.6 else "#222222")
        im = ax.imshow(grid, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
        ax.set_title(f"{source_short(sid, lang)}\nPMC = {d['pmc'].iloc[0]:.2f}", fontsize=8)
    if im is not None:
        cb = fig.colorbar(im, ax=list(axes.flat), fraction=0.025, pad=0.02)
        cb.ax.tick_params(labelsize=7)
    # The key is laid out as the grid: legend columns are the grid's columns, its rows the grid's rows.
    names = data.drop_duplicates("variable_id").set_index("variable_id")
    cells = names.sort_values(["col", "row"], kind="stable")
    blank = plt.matplotlib.patches.Rectangle((0, 0), 0, 0, visible=False)
    fig.legend([blank] * len(cells), [f"{v} {t(r.label_zh, r.label_en, lang)}" for v, r in cells.iterrows()],
               loc="outside lower left", ncols=3, handlelength=0, handletextpad=0, fontsize=7.5, columnspacing=1.5,
               title=t("格中为变量及其得分(0–1):", "each cell: variable and its score (0–1):", lang),
               title_fontsize=7.5, alignment="left")
    fig.suptitle(t("政策文件的PMC曲面", "PMC surfaces of the policy documents", lang), x=0.01, ha="left")
    return fig
