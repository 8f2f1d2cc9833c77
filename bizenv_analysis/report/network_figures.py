"""Network figures: who learns from whom (fig13), the co-word networks (fig17, fig18) and the reform
formulas' timeline (fig19). Each function takes the tidy table it plots and a language and returns a
Figure, as in `figures`; the rows come from `figure_data` or the built tables.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure

from .plotting import keep_apart, setup, source_color, source_label, source_short, t


def learning_network(data: pd.DataFrame, lang: str) -> Figure:
    """Bipartite network: sources (left) → places learned from (right), width = mentions.

    data: source_id, place, n, and optionally place_en (the English label of the place). The
    caller chooses the rows (references whose relation is learns_from).
    """
    setup()
    names = dict(zip(data["place"], data.get("place_en", data["place"]), strict=True))
    sources = list(dict.fromkeys(data["source_id"]))
    places = list(data.groupby("place")["n"].sum().sort_values(ascending=False, kind="stable").index)
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.42 * max(len(sources), len(places))))
    ys = {s: k * (len(places) - 1) / max(1, len(sources) - 1) for k, s in enumerate(sources)}
    yp = {p: k for k, p in enumerate(places)}
    top = data["n"].max()

    def width(n: float) -> float:
        return 0.8 + 5 * n / top

    for sid in sources:
        for r in data[data["source_id"] == sid].itertuples():
            ax.plot([0, 1], [ys[sid], yp[r.place]], color=source_color(sid, sources), alpha=0.7,
                    lw=width(r.n), solid_capstyle="round")
    for sid in sources:
        ax.text(-0.03, ys[sid], source_label(sid, lang), ha="right", va="center", fontsize=8,
                color=source_color(sid, sources))
    totals = data.groupby("place")["n"].sum()
    for p in places:
        name = p if lang == "zh" or not names.get(p) else names[p]
        ax.text(1.03, yp[p], f"{name} ({totals[p]})", ha="left", va="center", fontsize=8)
    key = sorted({1, (int(top) + 1) // 2, int(top)})
    handles = [plt.matplotlib.lines.Line2D([], [], color="#777777", lw=width(k)) for k in key]
    ax.legend(handles, [t(f"{k}次", f"{k} mention{'s' if k > 1 else ''}", lang) for k in key],
              title=t("线宽", "line width", lang), fontsize=7, title_fontsize=7, loc="upper left",
              bbox_to_anchor=(0.0, 0.0), ncols=len(key), handlelength=2.2)
    ax.set_xlim(-0.9, 1.5)
    ax.set_ylim(len(places) - 0.5, -0.5)
    ax.axis("off")
    ax.set_title(t("政策学习:来源 → 学习对象(线宽=提及次数)", "Policy learning: source → place learned from "
                   "(width = mentions)", lang), loc="left")
    return fig


# Co-word communities are neither sources nor theme groups: pale fills (Paul Tol's light scheme)
# and a marker shape each, so they never read as the saturated source colours.
COMMUNITY_PALETTE = ["#77aadd", "#ee8866", "#eedd88", "#ffaabb", "#99ddff", "#44bb99", "#bbcc33", "#aaaa00",
                     "#bbbbbb"]
COMMUNITY_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h"]


def _community_color(k: int) -> str:
    return COMMUNITY_PALETTE[(int(k) - 1) % len(COMMUNITY_PALETTE)]


def _community_marker(k: int) -> str:
    return COMMUNITY_MARKERS[(int(k) - 1) % len(COMMUNITY_MARKERS)]


def _draw_network(ax, data: pd.DataFrame, size_scale: float, label_size: float) -> None:
    """One scope's nodes (size ~ df, colour = community) and links (width ~ Ochiai) on `ax`."""
    nodes, links = data[data["element"] == "node"], data[data["element"] == "edge"]
    for r in links.itertuples():
        ax.plot([r.x, r.x_end], [r.y, r.y_end], color="#9a9a9a", lw=0.3 + 3 * r.ochiai, alpha=0.55, zorder=1)
    for k, group in nodes.groupby("community", sort=True):
        ax.scatter(group["x"], group["y"], s=size_scale * group["df"].astype(float), color=_community_color(k),
                   marker=_community_marker(k), edgecolors="#555555", linewidths=0.4, zorder=2)
    labels = [ax.annotate(r.term, (r.x, r.y), xytext=(0, 4 + 0.5 * np.sqrt(size_scale * r.df)),
                          textcoords="offset points", ha="center", va="bottom", fontsize=label_size, zorder=3,
                          path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],  # legible on links
                          arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "#777777", "shrinkA": 0, "shrinkB": 2})
              for r in nodes[nodes["labelled"].astype(bool)].itertuples()]
    keep_apart(ax.figure, labels)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    ax.margins(0.08)


def coword_network(data: pd.DataFrame, lang: str) -> Figure:
    """The overall co-word network (`figure_data.drawing` rows of one scope), with keys for colour,
    node size and line width below it."""
    setup()
    fig = plt.figure(figsize=(7.2, 7.6))
    ax = fig.add_axes((0.0, 0.22, 1.0, 0.72))
    nodes = data[data["element"] == "node"]
    _draw_network(ax, data, size_scale=6.0, label_size=7.5)
    comms = nodes.sort_values("df", ascending=False, kind="stable").groupby("community", sort=True)["term"]
    handles = [plt.matplotlib.lines.Line2D([], [], marker=_community_marker(k), ls="", markersize=7,
                                           markerfacecolor=_community_color(k), markeredgecolor="#555555")
               for k, _ in comms]
    labels = [t(f"社群{k}:", f"community {k}: ", lang) + "、".join(list(terms)[:3]) for k, terms in comms]
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.02, 0.2), fontsize=7.5, ncols=1,
               title=t("颜色与形状:社群(Louvain)及其最常见的词",
                       "colour and shape: community (Louvain), its most frequent terms", lang),
               title_fontsize=7.5, alignment="left")
    top = int(nodes["df"].max())
    sizes = sorted({max(1, top // 4), max(1, top // 2), top})
    size_handles = [plt.matplotlib.lines.Line2D([], [], marker="o", ls="", markersize=np.sqrt(6.0 * s),
                                                markerfacecolor="#cccccc", markeredgecolor="#555555") for s in sizes]
    widths = [0.2, 0.4, 0.6]
    line_handles = [plt.matplotlib.lines.Line2D([], [], color="#9a9a9a", lw=0.3 + 3 * w) for w in widths]
    fig.legend(size_handles + line_handles,
               [t(f"{s}条举措含该词", f"term in {s} measures", lang) for s in sizes]
               + [f"Ochiai {w:.1f}" for w in widths],
               loc="upper left", bbox_to_anchor=(0.55, 0.2), fontsize=7.5, ncols=2, labelspacing=1.3,
               title=t("点大小:含该词的举措数;线宽:关联强度(Ochiai)", "node size: measures; line width: Ochiai", lang),
               title_fontsize=7.5, alignment="left")
    fig.suptitle(t("政策词共现网络(全部举措)", "Co-word network of all compared measures", lang), x=0.02, y=0.98,
                 ha="left", fontsize=10.5)
    return fig


def coword_by_source(data: pd.DataFrame, lang: str) -> Figure:
    """Each source's own co-word network side by side (`figure_data.drawing` rows, one scope a source)."""
    setup()
    scopes = list(dict.fromkeys(data["scope"]))
    cols = min(3, len(scopes))
    rows = -(-len(scopes) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 0.4, 2.7 * rows + 0.3), squeeze=False)
    for ax in axes.flat[len(scopes):]:
        ax.axis("off")
    for ax, scope in zip(axes.flat, scopes, strict=False):
        d = data[data["scope"] == scope]
        _draw_network(ax, d, size_scale=9.0, label_size=7)
        n_nodes = int((d["element"] == "node").sum())
        total = int(d["n_terms"].iloc[0]) if "n_terms" in d else n_nodes
        shown = t(f"{n_nodes}个词", f"{n_nodes} terms", lang) if n_nodes == total else \
            t(f"最大连通部分:{n_nodes}/{total}个词", f"largest connected part: {n_nodes} of {total} terms", lang)
        ax.set_title(f"{source_label(scope, lang)}\n{shown}", fontsize=7.5)
    fig.suptitle(t("各来源自身的政策词共现网络(颜色与形状:各自的社群)", "Each source's own co-word network "
                   "(colour and shape: its own communities)", lang), x=0.02, ha="left", fontsize=10)
    return fig


def formula_timeline(data: pd.DataFrame, lang: str) -> Figure:
    """Formulas (rows) by the dates of the documents that use them (x): the first user filled and
    larger, later users hollow; national formulas in grey; a document that credits a place for the
    formula has the place written beside its point (a formula it says it borrowed).

    data: formula_id, label, national, source_id, year (a decimal year), role, and optionally
    credits (places separated by ";") — formula_spread.csv rows.
    """
    setup()
    formulas = list(dict.fromkeys(data["formula_id"]))
    fig, ax = plt.subplots(figsize=(7.2, 1.2 + 0.26 * len(formulas)))
    sources = list(dict.fromkeys(data.sort_values("year", kind="stable")["source_id"]))
    years = data.drop_duplicates("source_id").sort_values("year", kind="stable")
    # few documents, a year or more apart: each is named on the axis and drawn in its colour
    named = len(sources) <= 6 and bool((years["year"].diff().dropna() >= 0.5).all())

    def colour(source_id: str) -> str:
        return source_color(source_id, sources) if named else "#3a3a3a"

    y = {f: i for i, f in enumerate(formulas)}
    for f in formulas:
        d = data[data["formula_id"] == f].sort_values("year", kind="stable")
        national = bool(d["national"].iloc[0])
        ax.plot(d["year"], [y[f]] * len(d), color="#bbbbbb" if national else "#777777", lw=1, zorder=1)
        for r in d.itertuples():
            color = "#9e9e9e" if national else colour(r.source_id)
            first = r.role == "first"
            ax.scatter([r.year], [y[f]], s=42 if first else 26, zorder=2, linewidths=1.1,
                       facecolors=color if first else "white", edgecolors=color)
            places = str(getattr(r, "credits", "") or "")
            if places and places != "nan":  # the document says where the formula came from
                ax.annotate(t("借鉴", "credits ", lang) + "、".join(places.split(";")), (r.year, y[f]),
                            xytext=(0, 5.5), textcoords="offset points", ha="center", va="bottom",
                            fontsize=7, color="#444444")
    labels = data.drop_duplicates("formula_id").set_index("formula_id")
    ax.set_yticks(range(len(formulas)))
    ax.set_yticklabels([labels.loc[f, "label"] + (t("(国家)", " (national)", lang) if labels.loc[f, "national"] else "")
                        for f in formulas], fontsize=7.5)
    for tick, f in zip(ax.get_yticklabels(), formulas, strict=True):
        if labels.loc[f, "national"]:
            tick.set_color("#777777")
    ax.set_ylim(len(formulas) - 0.5, -0.7)
    if named:
        ax.set_xticks(years["year"])
        ax.set_xticklabels([source_short(s, lang) for s in years["source_id"]], fontsize=7.5, rotation=30,
                           ha="right", rotation_mode="anchor")  # slanted, so close dates keep apart
    else:
        ax.xaxis.set_major_locator(plt.matplotlib.ticker.MaxNLocator(integer=True))
    ax.grid(axis="x", color="#eeeeee", lw=0.8)
    ax.set_axisbelow(True)
    handles = [plt.scatter([], [], s=42, facecolors="#555555", edgecolors="#555555"),
               plt.scatter([], [], s=26, facecolors="white", edgecolors="#555555", linewidths=1.1),
               plt.scatter([], [], s=26, facecolors="#9e9e9e", edgecolors="#9e9e9e")]
    ax.legend(handles, [t("最早使用的文件", "first document to use it", lang),
                        t("之后使用的文件", "later documents", lang),
                        t("国家层面提出的提法(灰色)", "set by a national document (grey)", lang)],
              loc="upper center", bbox_to_anchor=(0.5, -0.16 if named else -0.08), ncols=1, fontsize=7)
    # on two lines: above an axes pushed right by long formula names, one line would run past the page
    ax.set_title(t("两份及以上文件共用的改革提法:\n按文件日期",
                   "Reform formulas used by two or more documents,\nby document date", lang), loc="left")
    return fig
