"""Figures: each function takes the tidy table it plots and a language, returns a Figure.

Data preparation lives with the stage that owns the numbers; these functions only draw.
Every figure is saved through `plotting.save_bilingual`, which writes zh and en versions.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .plotting import setup, source_color, source_label, source_short, t

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
        ax.set_title(source_short(sid, lang), fontsize=8.5, loc="left")
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


def grouped_bars(data: pd.DataFrame, lang: str, *, category: str, value: str, labels: dict,
                 title: tuple[str, str], ylabel: tuple[str, str]) -> Figure:
    """Bars of `value` per category (x) and source (colour); labels maps category → (zh, en)."""
    setup()
    cats = list(dict.fromkeys(data[category]))
    sources = list(dict.fromkeys(data["source_id"]))
    fig, ax = plt.subplots(figsize=(6.8, 3.2))
    width = 0.8 / len(sources)
    for i, sid in enumerate(sources):
        d = data[data["source_id"] == sid].set_index(category).reindex(cats)
        xs = np.arange(len(cats)) + (i - (len(sources) - 1) / 2) * width
        ax.bar(xs, d[value], width=width * 0.95, color=source_color(sid, i), label=source_label(sid, lang))
    ax.set_xticks(range(len(cats)), [t(*labels.get(c, (c, c)), lang) for c in cats])
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel(t(*ylabel, lang))
    ax.set_title(t(*title, lang), loc="left")
    ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return fig


def distinctive_terms(data: pd.DataFrame, lang: str) -> Figure:
    """Small multiples: each source's most distinctive terms by G² (data: keyness rows to plot)."""
    setup()
    order = list(dict.fromkeys(data["source_id"]))
    fig, axes = plt.subplots(1, len(order), figsize=(2.0 * len(order) + 0.6, 3.4))
    axes = np.atleast_1d(axes)
    for i, (ax, sid) in enumerate(zip(axes, order, strict=True)):
        d = data[data["source_id"] == sid].reset_index(drop=True)
        ax.barh(range(len(d)), d["g2"], color=source_color(sid, i), height=0.7)
        ax.set_yticks(range(len(d)), d["term"], fontsize=8)
        for y, (g, lr) in enumerate(zip(d["g2"], d["log_ratio"], strict=True)):
            ax.text(g, y, f" {lr:.1f}", va="center", fontsize=6.5, color="#444444")
        ax.invert_yaxis()
        ax.set_title(source_short(sid, lang), fontsize=8.5, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, d["g2"].max() * 1.35 if len(d) else 1)
    fig.supxlabel(t("对数似然G²(数字为对数比 log₂)", "log-likelihood G² (numbers: log ratio, log₂)", lang),
                  fontsize=8.5)
    fig.suptitle(t("各来源的特色词(与其余来源相比)", "Distinctive terms of each source against all the others",
                   lang), x=0.01, ha="left", fontsize=10.5)
    fig.tight_layout()
    return fig


def similarity_heatmaps(data: pd.DataFrame, lang: str) -> Figure:
    """Two source × source similarity heatmaps (TF-IDF, themes), each in clustered order.

    data: basis, source_a, source_b, similarity, plus `order_a` giving each basis's leaf order.
    """
    setup()
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.6))
    titles = {"tfidf": ("词汇(TF-IDF)相似度", "Vocabulary (TF-IDF)"), "themes": ("主题结构相似度", "Theme profiles")}
    for ax, basis in zip(axes, ["tfidf", "themes"], strict=True):
        d = data[data["basis"] == basis]
        order = list(d.sort_values("order_a")["source_a"].drop_duplicates())
        grid = d.pivot(index="source_a", columns="source_b", values="similarity").reindex(index=order, columns=order)
        vals = grid.to_numpy(dtype=float)
        off = vals[~np.eye(len(order), dtype=bool)]
        im = ax.imshow(vals, cmap="Blues", vmin=float(off.min()) - 0.05, vmax=1)
        for (i, j), v in np.ndenumerate(vals):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if v > (off.min() + 1) / 2 else "#222222")
        short = [source_short(s, lang) for s in order]
        ax.set_xticks(range(len(order)), short, rotation=35, ha="right", fontsize=8)
        ax.set_yticks(range(len(order)), short, fontsize=8)
        ax.spines[:].set_visible(False)
        ax.set_title(t(*titles[basis], lang), loc="left", fontsize=9.5)
        fig.colorbar(im, ax=ax, fraction=0.045, pad=0.03).ax.tick_params(labelsize=7)
    fig.suptitle(t("来源之间的余弦相似度(按层次聚类排序)", "Cosine similarity between sources (clustered order)",
                   lang), x=0.01, ha="left", fontsize=10.5)
    fig.tight_layout()
    return fig


def shares_over_time(data: pd.DataFrame, lang: str, *, labels: dict) -> Figure:
    """Lines: each group's share of measures by document year (one document per point)."""
    setup()
    fig, ax = plt.subplots(figsize=(6.8, 3.4))
    for i, (gid, d) in enumerate(data.groupby("group_id", sort=False)):
        ax.plot(d["year"], d["share"], marker="o", ms=3.5, color=f"C{i}", label=t(*labels.get(gid, (gid, gid)), lang))
    years = sorted(data["year"].unique())
    # Tick: the year over the place(s) of that year's documents (the label's year dropped).
    places = {y: "/".join(re.sub(r"\s*\d{4}$", "", source_short(s, lang))
                          for s in dict.fromkeys(data.loc[data["year"] == y, "source_id"])) for y in years}
    ax.set_xticks(years, [f"{y}\n{places[y]}" for y in years], fontsize=7.5)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel(t("涉及该类主题的举措占比", "share of measures addressing the group", lang))
    n = data["source_id"].nunique()
    ax.set_title(t(f"主题大类随文件年份的变化(n={n}份文件)",
                   f"Theme groups by document year (n = {n} documents)", lang), loc="left")
    ax.legend(fontsize=7, ncols=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def time_commitments(data: pd.DataFrame, lang: str) -> Figure:
    """Dot plot of time-limit commitments in days (log scale) by procedure and source."""
    setup()
    topics = list(dict.fromkeys(data["applies_to"]))
    fig, ax = plt.subplots(figsize=(6.8, 0.9 + 0.36 * len(topics)))
    sources = list(dict.fromkeys(data["source_id"]))
    for i, sid in enumerate(sources):
        d = data[data["source_id"] == sid]
        y = d["applies_to"].map({tp: k for k, tp in enumerate(topics)}) + (i - (len(sources) - 1) / 2) * 0.12
        working = d["day_type"] == "working"
        color = source_color(sid, i)
        ax.scatter(d.loc[~working, "days"], y[~working], s=22, color=color, label=source_label(sid, lang), zorder=3)
        ax.scatter(d.loc[working, "days"], y[working], s=22, facecolors="white", edgecolors=color, zorder=3)
    ax.set_xscale("log")
    ax.set_yticks(range(len(topics)), topics)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.set_xlabel(t("承诺时限(天,对数刻度;空心=工作日)",
                    "committed time limit (days, log scale; hollow = working days)", lang))
    ax.set_title(t("各来源承诺的办理时限", "Time limits the sources commit to", lang), loc="left")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
    return fig


def learning_network(data: pd.DataFrame, lang: str) -> Figure:
    """Bipartite network: sources (left) → places learned from (right), width = mentions.

    data: source_id, place, n, and optionally place_en (the English label of the place).
    """
    setup()
    names = dict(zip(data["place"], data.get("place_en", data["place"]), strict=True))
    sources = list(dict.fromkeys(data["source_id"]))
    places = list(data.groupby("place")["n"].sum().sort_values(ascending=False, kind="stable").index)
    fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.42 * max(len(sources), len(places))))
    ys = {s: k * (len(places) - 1) / max(1, len(sources) - 1) for k, s in enumerate(sources)}
    yp = {p: k for k, p in enumerate(places)}
    top = data["n"].max()
    for i, sid in enumerate(sources):
        for r in data[data["source_id"] == sid].itertuples():
            ax.plot([0, 1], [ys[sid], yp[r.place]], color=source_color(sid, i), alpha=0.7,
                    lw=0.8 + 5 * r.n / top, solid_capstyle="round")
    for i, sid in enumerate(sources):
        ax.text(-0.03, ys[sid], source_label(sid, lang), ha="right", va="center", fontsize=8,
                color=source_color(sid, i))
    totals = data.groupby("place")["n"].sum()
    for p in places:
        name = p if lang == "zh" or not names.get(p) else names[p]
        ax.text(1.03, yp[p], f"{name} ({totals[p]})", ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.9, 1.5)
    ax.set_ylim(len(places) - 0.5, -0.5)
    ax.axis("off")
    ax.set_title(t("政策学习:来源 → 学习对象(线宽=提及次数)", "Policy learning: source → place learned from "
                   "(width = mentions)", lang), loc="left")
    return fig
