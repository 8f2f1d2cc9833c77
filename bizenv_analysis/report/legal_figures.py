"""Figures of a corpus of laws (notebooks 12–13): the implementation map, where local articles come
from, a law's revision, and province-vs-city profiles. Each function takes the tidy table it plots
and a language and returns a Figure; the numbers come from the build's legal tables.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .plotting import keep_apart, setup, source_short, t

# Three map colours that stay apart under the common colour-vision deficiencies (Okabe–Ito
# blue and orange, and a pale grey for "absent", so the eye goes to what is carried).
RELATION_COLORS = {"absent": "#EEEEEE", "adapted": "#E69F00", "verbatim": "#0072B2"}
RELATION_LABELS = {"absent": ("未见对应", "absent"), "adapted": ("改写", "adapted"), "verbatim": ("照搬", "verbatim")}
PART_LABELS = {"general": ("总则", "general"), "substantive": ("实体", "substantive"),
               "liability": ("法律责任", "liability"), "supplementary": ("附则", "supplementary")}
ORIGINS = ("national", "province", "earlier_version", "earlier_peer", "own")
ORIGIN_COLORS = {"national": "#0072B2", "province": "#56B4E9", "earlier_version": "#009E73",
                 "earlier_peer": "#E69F00", "own": "#BBBBBB"}
ORIGIN_LABELS = {"national": ("国务院条例", "national"), "province": ("本省条例", "own province"),
                 "earlier_version": ("本法旧版", "earlier version"), "earlier_peer": ("更早的同级法规", "earlier peer"),
                 "own": ("自有", "own")}
STATUSES = ("kept", "moved", "amended", "split", "merged", "added", "dropped")
STATUS_STYLE = {"kept": ("#0072B2", "o"), "moved": ("#56B4E9", "D"), "amended": ("#E69F00", "s"),
                "split": ("#CC79A7", "^"), "merged": ("#CC79A7", "v"), "added": ("#009E73", "P"),
                "dropped": ("#D55E00", "X")}
STATUS_LABELS = {"kept": ("保留", "kept"), "moved": ("移位", "moved"), "amended": ("修改", "amended"),
                 "split": ("拆分", "split"), "merged": ("合并", "merged"), "added": ("新增", "added"),
                 "dropped": ("删除", "dropped")}
MODALITY_LABELS = {"obligation": ("义务(应当、必须)", "obligation"), "permission": ("授权(可以)", "permission"),
                   "prohibition": ("禁止(不得、禁止)", "prohibition"),
                   "encouragement": ("鼓励(鼓励、支持、引导)", "encouragement")}
ADDRESSEE_LABELS = {"government": ("人民政府", "government"), "department": ("部门、机关", "department"),
                    "market_entity": ("市场主体", "market entity"), "court": ("人民法院", "court"),
                    "association": ("行业协会、商会", "association"), "other": ("其他", "other"),
                    "unspecified": ("未指明", "unspecified")}
DIMENSION_LABELS = {"theme": ("主题", "theme"), "instrument": ("政策工具", "instrument"),
                    "modality": ("规范模态", "modality"), "addressee": ("义务对象", "addressee")}


def implementation_heatmap(data: pd.DataFrame, lang: str) -> Figure:
    """Local laws (rows) × national articles (columns, in order), one cell per pair coloured by the
    relation (verbatim, adapted, absent); chapters as bands above, named by number and part.

    data: national_number, chapter_no, chapter_title, part, source_id, relation (one row per pair),
    and `row` (the laws' order, top first).
    """
    setup()
    numbers = sorted(data["national_number"].unique())
    laws = list(data.sort_values("row")["source_id"].drop_duplicates())
    codes = {r: i for i, r in enumerate(RELATION_COLORS)}
    grid = (data.assign(code=data["relation"].map(codes))
            .pivot(index="source_id", columns="national_number", values="code")
            .reindex(index=laws, columns=numbers))
    fig, ax = plt.subplots(figsize=(6.4, 0.2 * len(laws) + 1.6), layout="constrained")
    ax.imshow(grid.to_numpy(dtype=float), cmap=ListedColormap(list(RELATION_COLORS.values())),
              vmin=-0.5, vmax=len(codes) - 0.5, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(laws)), [source_short(s, lang) for s in laws], fontsize=7)
    ticks = [i for i, n in enumerate(numbers) if n == numbers[0] or n % 10 == 0]
    ax.set_xticks(ticks, [str(numbers[i]) for i in ticks], fontsize=7)
    ax.set_xlabel(t("《优化营商环境条例》条文序号", "Article of the national regulation", lang), fontsize=8)
    ax.tick_params(length=2)
    ax.spines[:].set_visible(False)
    chapters = data.drop_duplicates("national_number").sort_values("national_number")
    for (no, part), rows in chapters.groupby(["chapter_no", "part"], sort=False):
        first = numbers.index(rows["national_number"].min())
        last = numbers.index(rows["national_number"].max())
        if first > 0:  # a white rule between chapters, through the map and its band
            ax.axvline(first - 0.5, color="white", lw=1.2)
        ax.annotate("", xy=(first - 0.4, 1.02), xytext=(last + 0.4, 1.02), xycoords=("data", "axes fraction"),
                    arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 1.5})
        wide = last - first + 1 >= 5  # a chapter of a few articles is named by its number only
        name = f"{int(no)}" + (f" {t(*PART_LABELS.get(part, (part, part)), lang)}" if wide and part != "substantive"
                               else "")
        ax.annotate(name, xy=((first + last) / 2, 1.04), xycoords=("data", "axes fraction"), ha="center",
                    va="bottom", fontsize=7)
    ax.legend(handles=[Patch(facecolor=c, edgecolor="#999999", lw=0.4, label=t(*RELATION_LABELS[r], lang))
                       for r, c in RELATION_COLORS.items()], loc="upper center", bbox_to_anchor=(0.5, -0.22),
              ncol=3, fontsize=7, handlelength=1.2)
    ax.set_title(t("地方条例对国务院《优化营商环境条例》各条的承接(上方:章)",
                   "Which national articles each local law carries (bands: chapters)", lang), loc="left",
                 fontsize=9.5, pad=22)
    return fig


def originality(data: pd.DataFrame, lang: str) -> Figure:
    """Stacked horizontal bars: each local law's substantive articles by origin (national, own
    province, earlier version, earlier peer, own), with n beside the law's name.

    data: source_id, origin, n (articles), n_articles (the law's substantive articles), `row` (order).
    """
    setup()
    laws = list(data.sort_values("row")["source_id"].drop_duplicates())
    wide = (data.pivot_table(index="source_id", columns="origin", values="n", aggfunc="sum", fill_value=0)
            .reindex(index=laws, columns=list(ORIGINS), fill_value=0))
    totals = data.drop_duplicates("source_id").set_index("source_id")["n_articles"].reindex(laws)
    shares = wide.div(totals.replace(0, np.nan), axis=0).fillna(0)
    fig, ax = plt.subplots(figsize=(6.4, 0.26 * len(laws) + 1.3), layout="constrained")
    y = np.arange(len(laws))
    left = np.zeros(len(laws))
    for origin in ORIGINS:
        ax.barh(y, shares[origin], left=left, color=ORIGIN_COLORS[origin], height=0.7,
                label=t(*ORIGIN_LABELS[origin], lang))
        left += shares[origin].to_numpy()
    ax.set_yticks(y, [f"{source_short(s, lang)} (n={int(totals[s])})" for s in laws], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(t("实体条文的比例", "Share of substantive articles", lang), fontsize=8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.2), ncol=5, fontsize=7, handlelength=1.0,
              columnspacing=0.9)
    ax.set_title(t("地方条例实体条文的来源", "Where each local law's substantive articles come from", lang),
                 loc="left", fontsize=9.5)
    return fig


def revision(data: pd.DataFrame, lang: str) -> Figure:
    """Old article number (x) against new number (y), one marker per article by status; an added
    article sits on the left margin (no old number), a dropped one on the bottom (no new number).

    data: old_source_id, new_source_id, status, old_number, new_number (empty where there is none).
    """
    setup()
    old_max = float(np.nanmax(pd.to_numeric(data["old_number"], errors="coerce").to_numpy(dtype=float)))
    new_max = float(np.nanmax(pd.to_numeric(data["new_number"], errors="coerce").to_numpy(dtype=float)))
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    ax.plot([1, min(old_max, new_max)], [1, min(old_max, new_max)], color="#CCCCCC", lw=0.8, zorder=0)
    for status in STATUSES:
        rows = data[data["status"] == status]
        if rows.empty:
            continue
        x = pd.to_numeric(rows["old_number"], errors="coerce").fillna(-2).to_numpy(dtype=float)
        y = pd.to_numeric(rows["new_number"], errors="coerce").fillna(-2).to_numpy(dtype=float)
        color, marker = STATUS_STYLE[status]
        ax.scatter(x, y, s=14, color=color, marker=marker, lw=0.3, edgecolor="white",
                   label=f"{t(*STATUS_LABELS[status], lang)} ({len(rows)})")
    ax.set_xlim(-4, old_max + 2)
    ax.set_ylim(-4, new_max + 2)
    ax.axvline(-0.5, color="#999999", lw=0.5, ls=":")
    ax.axhline(-0.5, color="#999999", lw=0.5, ls=":")
    old_label, new_label = (source_short(data[c].iloc[0], lang) for c in ("old_source_id", "new_source_id"))
    ax.set_xlabel(t(f"{old_label} 条文序号(左缘:新增)", f"Article in {old_label} (left margin: added)", lang),
                  fontsize=8)
    ax.set_ylabel(t(f"{new_label} 条文序号(下缘:删除)", f"Article in {new_label} (bottom: dropped)", lang),
                  fontsize=8)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, handletextpad=0.3)
    ax.set_title(t("修订前后的条文对应", "Articles before and after the revision", lang), loc="left", fontsize=9.5)
    return fig


def level_profiles(data: pd.DataFrame, lang: str) -> Figure:
    """Province minus city share per category (dot) with its bootstrap interval (line), one panel
    per dimension; a filled dot is a difference the test shows, a hollow one is not shown.

    data: dimension, category, label_zh, label_en, diff, diff_low, diff_high, decision, shown (bool).
    """
    setup()
    dims = [d for d in DIMENSION_LABELS if (data["dimension"] == d).any()]
    sizes = [int((data["dimension"] == d).sum()) for d in dims]
    left = dims[:1]
    right = dims[1:]
    fig = plt.figure(figsize=(6.4, 0.17 * max(sizes[0], sum(sizes[1:]) if right else 0) + 1.6), layout="constrained")
    grid = fig.add_gridspec(max(len(right), 1), 2, height_ratios=sizes[1:] or [1])
    axes = {left[0]: fig.add_subplot(grid[:, 0])} | {d: fig.add_subplot(grid[i, 1]) for i, d in enumerate(right)}
    lo = float(data["diff_low"].min())
    hi = float(data["diff_high"].max())
    pad = 0.05 * (hi - lo or 1)
    for dim, ax in axes.items():
        rows = data[data["dimension"] == dim].reset_index(drop=True)
        y = np.arange(len(rows))
        ax.hlines(y, rows["diff_low"], rows["diff_high"], color="#555555", lw=1)
        shown = rows["shown"].astype(bool).to_numpy()
        ax.scatter(rows["diff"][shown], y[shown], s=16, color="#0072B2", zorder=3)
        ax.scatter(rows["diff"][~shown], y[~shown], s=16, facecolor="white", edgecolor="#0072B2", zorder=3)
        ax.axvline(0, color="#999999", lw=0.6, ls="--")
        ax.set_yticks(y, rows[f"label_{lang}"], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(lo - pad, hi + pad)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(t(*DIMENSION_LABELS[dim], lang), loc="left", fontsize=8)
    axes[left[0]].set_xlabel(t("省级减市级(比例差)", "Province minus city (share)", lang), fontsize=8)
    handles = [plt.Line2D([], [], marker="o", ls="", color="#0072B2",
                          label=t("检验显示差异", "difference shown", lang)),
               plt.Line2D([], [], marker="o", ls="", markerfacecolor="white", color="#0072B2",
                          label=t("未显示差异", "not shown", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=7)
    fig.suptitle(t("省级与市级条例的差异(自助法95%区间)",
                   "Province vs city laws: differences with 95% bootstrap intervals", lang),
                 x=0.01, ha="left", fontsize=9.5)
    return fig


def sources_by_chapter(data: pd.DataFrame, lang: str) -> Figure:
    """Sources (rows) × chapters of each frame text (columns; one panel per frame text, side by
    side): the share of the chapter's substantive articles some measure of the source implements,
    as colour, with k/n in the cell. A source dated before the frame text is hatched: its overlap
    is shared content, not implementation. A source not compared with a frame text (the frame has
    no law of its province) gets a grey row saying so.

    data: source_id, frame_source_id, frame_label_zh, frame_label_en, chapter_no, chapter_title,
    n_articles, n_implemented, share, timing (after|before), `row` (the sources' order, top first)
    and `panel` (the frame texts' order, left first).
    """
    setup()
    rows = list(data.sort_values(["row", "source_id"])["source_id"].drop_duplicates())
    frames = list(data.sort_values(["panel", "frame_source_id"])["frame_source_id"].drop_duplicates())
    widths = [max(int(data.loc[data["frame_source_id"] == f, "chapter_no"].nunique()), 1) for f in frames]
    fig, axes = plt.subplots(1, len(frames), figsize=(6.4, 0.34 * len(rows) + 1.7), layout="constrained",
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    cmap = plt.get_cmap("Blues")
    top = max(float(data["share"].max()), 0.05)
    image = None
    for ax, fsid in zip(axes[0], frames, strict=True):
        block = data[data["frame_source_id"] == fsid]
        chapters = block.drop_duplicates("chapter_no").sort_values("chapter_no")
        grid = (block.pivot(index="source_id", columns="chapter_no", values="share")
                .reindex(index=rows, columns=chapters["chapter_no"]))
        image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, vmin=0, vmax=top, aspect="auto",
                          interpolation="nearest")
        ax.set_facecolor("#F4F4F4")  # not compared: no cell drawn
        cells = block.set_index(["source_id", "chapter_no"])
        for i, sid in enumerate(rows):
            for j, no in enumerate(chapters["chapter_no"]):
                if (sid, no) not in cells.index:
                    continue
                cell = cells.loc[(sid, no)]
                if cell["timing"] == "before":
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", lw=0,
                                           edgecolor="#888888"))
                dark = float(cell["share"]) > 0.6 * top
                ax.text(j, i, f"{int(cell['n_implemented'])}/{int(cell['n_articles'])}", ha="center", va="center",
                        fontsize=7, color="white" if dark else "#222222")
            if sid not in set(block["source_id"]):
                blank = t("未比较:框架中无本省条例", "not compared: no law of its province here", lang)
                ax.text(len(chapters) / 2 - 0.5, i, blank, ha="center", va="center", fontsize=7, color="#777777")
        ax.set_xticks(range(len(chapters)), [f"{int(r.chapter_no)} {r.chapter_title}" for r in chapters.itertuples()],
                      fontsize=7, rotation=35, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(rows)), [source_short(s, lang) for s in rows] if ax is axes[0][0] else [],
                      fontsize=7)
        ax.tick_params(length=0)
        ax.spines[:].set_visible(False)
        ax.set_title(block[f"frame_label_{lang}"].iloc[0], loc="left", fontsize=8)
    bar = fig.colorbar(image, ax=list(axes[0]), location="right", shrink=0.8, aspect=15, pad=0.02)
    bar.ax.tick_params(labelsize=7)
    bar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    bar.set_label(t("该章实体条文被落实的比例", "Share of the chapter's articles", lang), fontsize=7)
    older = t("文件早于该法规:只是内容相同,不是落实",
              "source older than the law: shared content, not implementation", lang)
    fig.legend(handles=[Patch(facecolor="white", edgecolor="#888888", hatch="////", lw=0.4, label=older)],
               loc="outside lower center", fontsize=7, handlelength=1.6, frameon=False)
    fig.suptitle(t("各文件的举措落实了法规各章的哪些条文",
                   "Which chapters of the laws each source's measures implement", lang),
                 x=0.01, ha="left", fontsize=9.5)
    return fig


LEVEL_COLORS = {"province": "#0072B2", "city": "#E69F00"}
LEVEL_LABELS = {"province": ("省级", "province"), "city": ("市级", "city")}
TIMELINE_MIN_LAWS = 3  # a provision in two laws is a pair, not a spread: listed in diffusion.csv only
TIMELINE_ROWS = 25  # above this many provisions, the ones in most laws (then the earliest first adopter)


def timeline_rows(data: pd.DataFrame) -> tuple[list[str], int]:
    """The provisions drawn (those in at least `TIMELINE_MIN_LAWS` laws, at most `TIMELINE_ROWS`: the
    most widely adopted, then the earliest), top first by their first date; and how many qualified."""
    spans = (data.groupby("provision_id").agg(n=("n_documents", "first"), first=("date", "min"))
             .query(f"n >= {TIMELINE_MIN_LAWS}").reset_index())
    top = spans.sort_values(["n", "first", "provision_id"], ascending=[False, True, True],
                            kind="mergesort").head(TIMELINE_ROWS)
    drawn = top.sort_values(["first", "n", "provision_id"], ascending=[True, False, True], kind="mergesort")
    return list(drawn["provision_id"]), len(spans)


def diffusion_timeline(data: pd.DataFrame, lang: str) -> Figure:
    """Provisions beyond the national text (rows) on a date axis: a marker per law at its date
    (the first adopter a diamond, later adopters circles; colour: province or city), a line from
    the first to the last, the laws named above at their dates.

    data: diffusion.csv (provision_id, source_id, date, role, n_documents) with `level` per row.
    """
    setup()
    shown, n_all = timeline_rows(data)
    laws = (data[data["provision_id"].isin(shown)].drop_duplicates(["provision_id", "source_id"])
            .assign(when=lambda d: pd.to_datetime(d["date"])))
    fig, ax = plt.subplots(figsize=(6.4, 0.2 * len(shown) + 2.2), layout="constrained")
    row = {p: i for i, p in enumerate(shown)}
    for pid, group in laws.groupby("provision_id", sort=False):
        ax.hlines(row[pid], group["when"].min(), group["when"].max(), color="#BBBBBB", lw=0.8, zorder=1)
    for (level, role), group in laws.groupby(["level", "role"], sort=True):
        color = LEVEL_COLORS.get(level, "#777777")
        first = role == "first"
        ax.scatter(group["when"], group["provision_id"].map(row), s=30 if first else 16, marker="D" if first else "o",
                   color=color, edgecolor="#222222" if first else "white", lw=0.6 if first else 0.3, zorder=3)
    dates = laws.drop_duplicates("source_id").sort_values(["when", "source_id"])
    names = []
    for r in dates.itertuples():
        ax.axvline(r.when, color="#EEEEEE", lw=0.6, zorder=0)
        names.append(ax.annotate(source_short(r.source_id, lang), xy=(r.when, 1), xycoords=("data", "axes fraction"),
                                 xytext=(0, 3), textcoords="offset points", rotation=90, ha="center", va="bottom",
                                 fontsize=7, arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "#999999"},
                                 # an empty frame: names moved apart keep a little space between them
                                 bbox={"boxstyle": "square,pad=0.15", "fc": "none", "ec": "none"}))
    keep_apart(fig, names)  # laws a few days apart: a moved name keeps a line to its date
    n_laws = laws.drop_duplicates("provision_id").set_index("provision_id")["n_documents"]
    ax.set_yticks(range(len(shown)), [f"{p} · {int(n_laws[p])}" + t("部", " laws", lang) for p in shown], fontsize=7)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    pad = pd.Timedelta(days=45)
    start = laws["when"].min()
    ax.set_xlim(min(start - pad, pd.Timestamp(year=start.year, month=1, day=1)), laws["when"].max() + pad)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=t(*LEVEL_LABELS[lv], lang))
               for lv, c in LEVEL_COLORS.items()]
    handles += [plt.Line2D([], [], marker="D", ls="", color="white", markeredgecolor="#222222",
                           label=t("首个采用者", "first adopter", lang)),
                plt.Line2D([], [], marker="o", ls="", color="#999999", label=t("后续采用者", "later adopter", lang))]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=7, handletextpad=0.3)
    some = "" if len(shown) == n_all else t(f"(前{len(shown)}条,共{n_all}条)", f" (top {len(shown)} of {n_all})", lang)
    fig.suptitle(t(f"国务院条例之外、见于至少{TIMELINE_MIN_LAWS}部法规的条款{some}",
                   f"Provisions beyond the national text in {TIMELINE_MIN_LAWS} or more laws{some}", lang),
                 x=0.01, ha="left", fontsize=9.5)
    return fig
