"""Figures: each function takes the tidy table it plots and a language, returns a Figure.

Data preparation lives with the stage that owns the numbers; these functions only draw.
Every figure is saved through `plotting.save_bilingual`, which writes zh and en versions.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .plotting import setup, source_color, source_label, t

KIND_LABELS = {"measure": ("改革举措", "reform measures"),
               "safeguard": ("保障措施", "safeguards"),
               "paragraph": ("段落(未识别结构)", "paragraphs (no structure)")}


def measures_by_source(data: pd.DataFrame, lang: str) -> Figure:
    """Stacked bars: measures and safeguards per source (data: source_id, kind, n)."""
    setup()
    wide = data.pivot_table(index="source_id", columns="kind", values="n", fill_value=0,
                            sort=False)
    fig, ax = plt.subplots(figsize=(6.4, 2.9))
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    colors = {"measure": "#1b6ca8", "safeguard": "#e07b39", "paragraph": "#9e9e9e"}
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
    ax.legend(loc="lower right")
    return fig


def measure_lengths(data: pd.DataFrame, lang: str) -> Figure:
    """Strip + box plot of measure length in characters per source (data: source_id, n_chars)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    rng = np.random.default_rng(0)  # fixed jitter so the figure is byte-stable
    for i, sid in enumerate(order):
        vals = data.loc[data["source_id"] == sid, "n_chars"].to_numpy()
        ax.boxplot(vals, positions=[i], orientation="horizontal", widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"color": "#555555"},
                   whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
        ax.scatter(vals, i + rng.uniform(-0.18, 0.18, len(vals)), s=9, alpha=0.75,
                   color=source_color(sid, i), zorder=3, linewidths=0)
    ax.set_yticks(range(len(order)), [source_label(s, lang) for s in order])
    ax.invert_yaxis()
    ax.set_xlabel(t("每条举措的字数(汉字与标点)", "characters per measure", lang))
    ax.set_title(t("每条举措的篇幅(字数)", "Length of each measure (characters)", lang), loc="left")
    return fig


def top_terms_by_source(data: pd.DataFrame, lang: str) -> Figure:
    """Small multiples: each source's most frequent terms (data: source_id, rank, term, n)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    fig, axes = plt.subplots(1, len(order), figsize=(2.0 * len(order) + 0.6, 3.4), sharex=False)
    axes = np.atleast_1d(axes)
    for i, (ax, sid) in enumerate(zip(axes, order, strict=True)):
        d = data[data["source_id"] == sid].sort_values("rank")
        ax.barh(range(len(d)), d["n"], color=source_color(sid, i), height=0.7)
        ax.set_yticks(range(len(d)), d["term"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(source_label(sid, lang), fontsize=8.5, loc="left")
        ax.tick_params(axis="x", labelsize=7)
    fig.supxlabel(t("出现次数", "occurrences", lang), fontsize=8.5)
    fig.suptitle(t("各文件高频政策词(去停用词后)", "Most frequent policy terms per source (stopwords removed)",
                   lang), x=0.01, ha="left", fontsize=10.5)
    fig.tight_layout()
    return fig


def k_selection(data: pd.DataFrame, lang: str) -> Figure:
    """Silhouette and seed stability against k for each method (data: cluster_selection.csv)."""
    setup()
    names = {"kmeans_lsa": t("k-means(LSA)", "k-means on LSA", lang), "nmf": "NMF"}
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(6.8, 2.8))
    for i, (method, d) in enumerate(data.groupby("method", sort=True)):
        a1.plot(d["k"], d["silhouette"], marker="o", ms=3, label=names.get(method, method), color=f"C{i}")
        a2.plot(d["k"], d["stability_ari"], marker="o", ms=3, label=names.get(method, method), color=f"C{i}")
    chosen = data[data["chosen"].astype(bool)]
    for ax, col in ((a1, "silhouette"), (a2, "stability_ari")):
        ax.scatter(chosen["k"], chosen[col], s=80, facecolors="none", edgecolors="black", zorder=3,
                   label=t("选定", "chosen", lang))
        ax.set_xlabel("k")
    a1.set_ylabel(t("轮廓系数(余弦)", "silhouette (cosine)", lang))
    a2.set_ylabel(t("稳定性:种子间平均ARI", "stability: mean ARI across seeds", lang))
    a2.legend(loc="lower left", fontsize=7.5)
    fig.suptitle(t("聚类数k的选择", "Choosing the number of clusters k", lang), x=0.01, ha="left",
                 fontsize=10.5)
    fig.tight_layout()
    return fig


def cluster_map(data: pd.DataFrame, lang: str) -> Figure:
    """2-D map of measures (first two SVD axes) coloured by source, cluster numbers at centroids."""
    setup()
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for i, sid in enumerate(dict.fromkeys(data["source_id"])):
        d = data[data["source_id"] == sid]
        ax.scatter(d["x"], d["y"], s=16, alpha=0.8, color=source_color(sid, i), linewidths=0,
                   label=source_label(sid, lang))
    for c, d in data.groupby("cluster"):
        ax.annotate(str(c), (d["x"].mean(), d["y"].mean()), ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": "#333333", "lw": 0.6})
    ax.set_xlabel(t("潜在语义维度1", "latent dimension 1", lang))
    ax.set_ylabel(t("潜在语义维度2", "latent dimension 2", lang))
    ax.set_title(t("举措的TF-IDF地图:颜色=来源,圆圈=聚类中心", "Measures on a TF-IDF map: colour = source, "
                   "circles = cluster centres", lang), loc="left")
    ax.legend(fontsize=7, loc="best", markerscale=1.2)
    return fig


def heatmap(data: pd.DataFrame, lang: str, *, row: str, col: str, value: str, row_labels: dict,
            col_labels: dict, title: tuple[str, str], fmt: str = "{:.0%}", cbar: tuple[str, str] = ("", ""),
            vmax: float | None = None) -> Figure:
    """Annotated heatmap of a tidy table; labels dicts map ids to (zh, en)."""
    setup()
    rows = list(dict.fromkeys(data[row]))
    cols = list(dict.fromkeys(data[col]))
    grid = data.pivot(index=row, columns=col, values=value).reindex(index=rows, columns=cols).fillna(0)
    fig, ax = plt.subplots(figsize=(1.0 + 1.05 * len(cols), 0.8 + 0.3 * len(rows)))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", aspect="auto", vmin=0,
                   vmax=vmax or float(grid.to_numpy().max()) or 1)
    top = (vmax or float(grid.to_numpy().max()) or 1) * 0.6
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if v:
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7,
                    color="white" if v > top else "#222222")
    ax.set_xticks(range(len(cols)), [t(*col_labels.get(c, (c, c)), lang) for c in cols], rotation=30,
                  ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), [t(*row_labels.get(r, (r, r)), lang) for r in rows], fontsize=8)
    ax.spines[:].set_visible(False)
    ax.set_title(t(*title, lang), loc="left")
    cb = fig.colorbar(im, ax=ax, fraction=0.035, pad=0.02)
    cb.set_label(t(*cbar, lang), fontsize=8)
    cb.ax.tick_params(labelsize=7)
    return fig
