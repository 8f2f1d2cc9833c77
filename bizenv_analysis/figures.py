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
