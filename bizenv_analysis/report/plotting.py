"""One house style for every figure: shipped CJK font, bilingual labels, deterministic files.

Each figure is written as `figures/<fig_id>_<lang>.png` (300 dpi), `.svg` (text kept as text,
so labels can be edited and searched) and `.pdf` (the font embedded as a TrueType subset, so it
renders the same where the font is not installed) for lang in zh/en, with the data it plots
beside it as `figures/<fig_id>_data.csv` (UTF-8 with BOM, so Excel opens it correctly).

Every figure is one of two print widths (`WIDTHS`): full page (16 cm) or half page (8 cm), the
same in both languages, so a figure prints at the same text size in a Chinese and an English
report. The figure is resized (`fit_width`) until its drawn content, with a small margin, is that
wide (content of a fixed aspect, such as a heatmap, is centred with wider margins; content that
cannot be made narrow enough is reported with a warning); text sizes are set in points at that
print size, none under 7 pt. At that size, labels registered with `keep_apart` are moved apart,
and texts that cover each other or keys that cover data are reported with a warning (`overlaps`).
"""

from __future__ import annotations

import base64
import io
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from filelock import FileLock
from matplotlib import font_manager
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox
from PIL import Image

from ..base.paths import FIGURES, FONTS
from ..io.outputs import write_outputs
from ..io.tables import csv_bytes
from .markdown import code, text

FONT_FILE = FONTS / "NotoSansCJKsc-Regular-subset.ttf"
FONT_FAMILY = "Noto Sans CJK SC"
LANGS = ("zh", "en")
# Sources take the Okabe–Ito colours, told apart under the common colour-vision deficiencies;
# other categories (theme groups, communities) take other hues (figures.py).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999", "#F0E442"]
SOURCE_COLORS = {
    "gz-pilot-2021": "#0072B2", "tianhe-2020": "#E69F00", "dongguan-2023": "#009E73",
    "quzhou-2018": "#D55E00", "gd-cases-2024": "#CC79A7",
}
SOURCE_LABELS = {
    "gz-pilot-2021": ("广州 2021(试点报道)", "Guangzhou 2021 (pilot report)"),
    "tianhe-2020": ("天河 2020(行动方案)", "Tianhe 2020 (action plan)"),
    "dongguan-2023": ("东莞 2023(行动方案)", "Dongguan 2023 (action plan)"),
    "quzhou-2018": ("衢州 2018(实施意见)", "Quzhou 2018 (implementation opinions)"),
    "gd-cases-2024": ("广东 2024(典型案例)", "Guangdong 2024 (typical cases)"),
}
_PNG_META = {"Software": None}
_SVG_META = {"Date": None, "Creator": None}
_PDF_META = {"CreationDate": None, "Creator": None, "Producer": None}
CM = 1 / 2.54
WIDTHS = {"full": 16 * CM, "half": 8 * CM}  # print widths in inches: full page, half page
MIN_POINTS = 7.0  # no text smaller than this at print size
PAD = 0.06  # inches of margin around the drawn content
FIT_TOLERANCE = 0.005  # inches (1.5 px at 300 dpi): closer only moves the margins, never the page width
PREVIEW_PX = 700  # width of the image a notebook shows (the files keep 300 dpi)


def setup() -> None:
    """Register the shipped font and set the house style (idempotent)."""
    manager = font_manager.fontManager
    ours = next((f for f in manager.ttflist if Path(f.fname) == FONT_FILE), None)
    if ours is None:
        manager.addfont(str(FONT_FILE))
        ours = manager.ttflist[-1]
    # A system font of the same family (Debian's fonts-noto-cjk, say) would tie with the shipped
    # one and win by coming first: the shipped file goes first, so every machine draws with it.
    first = next(i for i, f in enumerate(manager.ttflist) if f.name == FONT_FAMILY)
    if manager.ttflist[first] is not ours:
        manager.ttflist.remove(ours)
        manager.ttflist.insert(first, ours)
        cached = getattr(manager, "_findfont_cached", None)  # findfont remembers its answers
        if cached is not None:
            cached.cache_clear()
    mpl.rcParams.update({
        "font.family": [FONT_FAMILY, "DejaVu Sans"],
        "font.size": 9,
        "axes.titlesize": 10.5,
        "axes.titleweight": "normal",
        "axes.labelsize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # colours not chosen by a figure are greys and muted hues, never a source's colour
        "axes.prop_cycle": mpl.cycler(color=["#555555", "#332288", "#999933", "#882255", "#88CCEE"]),
        "axes.grid": False,
        "legend.frameon": False,
        "figure.dpi": 100,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "legend.title_fontsize": 8,
        "figure.titlesize": 10.5,
        "savefig.dpi": 300,
        # A label is drawn as written: a corpus's `$` (in an id, a place, a term) is not mathtext,
        # which would set it as a formula or stop the figure on a parse error.
        "text.parse_math": False,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,  # the PDF backend reads it too: at 42 it subsets a font once, not once per 256 glyphs
        "svg.hashsalt": "bizenv-analysis",
        "path.simplify": True,
        "image.cmap": "Blues",
    })


def t(zh: str, en: str, lang: str) -> str:
    """The label in the figure's language."""
    return zh if lang == "zh" else en


def source_label(source_id: str, lang: str) -> str:
    """Readable name of a source in zh or en (the id itself for unknown sources)."""
    zh, en = SOURCE_LABELS.get(source_id, (source_id, source_id))
    return t(zh, en, lang)


def source_short(source_id: str, lang: str) -> str:
    """The label without its genre in brackets (天河 2020, Tianhe 2020) for tight axes."""
    return source_label(source_id, lang).split("(")[0].rstrip()


def source_colors(sources: Sequence[str]) -> dict[str, str]:
    """Each source's colour in a figure of these sources. The study's sources keep their fixed
    colours; other sources take the Okabe–Ito colours in turn: all of them, in order, when the
    figure has none of the study's sources; otherwise first the colours no study source has, then
    those of study sources absent from the figure. Two sources of one figure share a colour only
    when it has more sources than there are colours. Other sources are taken in the order of their
    ids, so a document keeps its colour in the figures of a corpus that show the same sources."""
    known = [s for s in sources if s in SOURCE_COLORS]
    if known:
        taken = {SOURCE_COLORS[s] for s in known}
        spare = [c for c in PALETTE if c not in SOURCE_COLORS.values()]
        free = spare + [c for c in PALETTE if c in SOURCE_COLORS.values() and c not in taken]
    else:
        free = PALETTE
    others = sorted({s for s in sources if s not in SOURCE_COLORS})  # by id: the same colour in every figure
    return {s: SOURCE_COLORS.get(s) or free[others.index(s) % len(free)] for s in sources}


def source_color(source_id: str, sources: Sequence[str]) -> str:
    """The colour of `source_id` in a figure of `sources` (`source_colors`)."""
    return source_colors(sources)[source_id]


def fit_width(fig: Figure, width: float) -> Bbox:
    """Resize `fig` so that its drawn content plus `PAD` on each side is `width` inches wide; the
    box (in inches) to save. The height is the figure's own, cropped to its content."""
    def content() -> Bbox:
        fig.draw_without_rendering()  # runs the layout engine (constrained layout) at this size
        return fig.get_tightbbox(fig.canvas.get_renderer())

    # Text keeps its size while axes stretch, so the content's width grows with the figure's at
    # a slope near 1 (less where an axes keeps its aspect): a secant step on the last two sizes
    # lands within the tolerance in one to three draws.
    w, h = fig.get_size_inches()
    box = content()
    last = None
    for _ in range(6):
        drawn = box.width + 2 * PAD
        if abs(width - drawn) < FIT_TOLERANCE:
            break
        slope = 1.0
        if last is not None and abs(w - last[0]) > 1e-6:
            secant = (drawn - last[1]) / (w - last[0])
            # a shallow slope is real (an axes keeping its aspect) but kept from tiny values, whose steps
            # overshoot; a negative or steep one means the layout jumped (new ticks): a plain step
            slope = min(max(secant, 0.3), 1.0) if 0 < secant <= 1.2 else 1.0
        last = (w, drawn)
        w = max(1.0, w + (width - drawn) / slope)
        fig.set_size_inches(w, h)
        box = content()
    if box.width + 2 * PAD > width + 0.01:  # even at its narrowest the content is wider: it would be cut
        warnings.warn(f"figure content is {box.width + 2 * PAD:.2f} in wide and cannot fit the print width "
                      f"of {width:.2f} in: its edges are cut", UserWarning, stacklevel=3)
    spare = (width - box.width) / 2  # PAD when it fitted
    return Bbox.from_bounds(box.x0 - spare, box.y0 - PAD, width, box.height + 2 * PAD)


def figure_bytes(fig: Figure, width: str = "full") -> dict[str, bytes]:
    """PNG (300 dpi), SVG and PDF bytes of a figure at a print width of `WIDTHS`, with no dates
    or software stamps (the figure is resized to that width: `fit_width`)."""
    box = fit_width(fig, WIDTHS[width])
    # The layout is final at this size: saving three formats need not solve it three more times.
    # No engine at all, not "none" (a placeholder engine, for which savefig still draws the whole
    # figure once before each save); the rc settings would otherwise pick an engine for None.
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    _spread(fig)
    for problem in overlaps(fig):
        warnings.warn(f"figure labels overlap: {problem}", UserWarning, stacklevel=2)
    out = {}
    for ext, meta in (("png", _PNG_META), ("svg", _SVG_META), ("pdf", _PDF_META)):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata=meta, bbox_inches=box)
        out[ext] = buf.getvalue()
    return out


OVERLAP_INSET = 0.05  # of a text line's height, off its top and bottom, where glyphs rarely reach


def _drawn_texts(fig: Figure) -> list[Text]:
    """Every text the figure draws: visible, not empty, in a visible axes, and for tick labels
    only those of the ticks in view (an axis keeps labels for ticks it does not draw)."""
    skip: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = set(axis._update_ticks()) if ax.axison and axis.get_visible() else set()
            for tick in axis.majorTicks + axis.minorTicks:
                if tick not in shown:
                    skip.update({id(tick.label1), id(tick.label2)})
            if not (ax.axison and axis.get_visible()):
                skip.add(id(axis.label))
        if not ax.get_visible():
            skip.update(id(t) for t in ax.findobj(Text))
    for legend in [ax.get_legend() for ax in fig.axes] + list(fig.legends):
        if legend is not None and not legend.get_visible():
            skip.update(id(t) for t in legend.findobj(Text))
    return [t for t in fig.findobj(Text) if id(t) not in skip and t.get_visible() and t.get_text().strip()]


def _quad(text: Text, renderer) -> np.ndarray:
    """The corners (4 × 2, pixels) of the box a text covers: its round or square frame if it has
    one, else its lines' box without `OVERLAP_INSET`, turned with the text."""
    if isinstance(text, Annotation):  # placed where it is now (labels move); its leader line is not text
        text.update_positions(renderer)
    patch = text.get_bbox_patch()
    if patch is not None:
        text.update_bbox_position_size(renderer)
        box = patch.get_window_extent(renderer)
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    box = Text.get_window_extent(text, renderer)
    rotation = text.get_rotation()
    angle = rotation % 180  # a box turned half a turn covers the same ground
    if angle == 0:
        w, h = box.width, box.height
    else:  # the unturned size, turned and placed where the drawn text's bounding box is
        text.set_rotation(0)
        plain = Text.get_window_extent(text, renderer)
        text.set_rotation(rotation)
        w, h = plain.width, plain.height
    inset = OVERLAP_INSET * h / (text.get_text().count("\n") + 1)
    theta = np.deg2rad(angle)
    turn = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    whole = np.array([[0, 0], [w, 0], [w, h], [0, h]]) @ turn
    inner = np.array([[0, inset], [w, inset], [w, h - inset], [0, h - inset]]) @ turn
    return inner - whole.min(axis=0) + [box.x0, box.y0]


_APART: weakref.WeakKeyDictionary[Figure, list[Annotation]] = weakref.WeakKeyDictionary()
SPREAD_PAD = 1.0  # pixels (at the figure's own dpi) left between labels moved apart


def keep_apart(fig: Figure, labels: list[Annotation]) -> None:
    """Have `labels` (annotations placed in offset points) moved apart when the figure is saved by
    `figure_bytes` (so `save_bilingual`), at its print size, until no two cover each other; a label
    that moves shows its leader line (its arrow patch, if it was given one) back to what it labels."""
    for label in labels:
        if label.anncoords != "offset points":
            raise ValueError(f"label {label.get_text()!r}: keep_apart moves labels placed in offset points")
        if label.arrow_patch is not None:
            label.arrow_patch.set_visible(False)
    _APART.setdefault(fig, []).extend(labels)


def _spread(fig: Figure) -> None:
    """Move the labels of `keep_apart` apart: each overlapping pair is pushed apart along the axis
    on which it overlaps least, both labels alike (damped, so that crowds settle), until none
    overlaps (at most 300 rounds), each label kept inside its axes (or no further out than it
    started). Deterministic: ties are broken by the labels' order."""
    labels = _APART.pop(fig, [])
    if len(labels) < 2:
        return
    renderer = fig.canvas.get_renderer()
    quads = [_quad(label, renderer) for label in labels]
    lo = np.array([q.min(axis=0) for q in quads])
    hi = np.array([q.max(axis=0) for q in quads])
    half, start = (hi - lo) / 2, (hi + lo) / 2
    axes = np.array([[*label.axes.get_window_extent(renderer).min, *label.axes.get_window_extent(renderer).max]
                     for label in labels])
    # Each label stays within its axes, or within where it started if that reaches beyond them
    # (a term above a node at the edge): a label is never pulled back onto what it labels.
    low = np.minimum(axes[:, :2] + half, start)
    high = np.maximum(axes[:, 2:] - half, start)
    n = len(labels)
    order = np.sign(np.arange(n)[None, :] - np.arange(n)[:, None])  # [i, j] = sign(j - i)
    centre = start.copy()
    for _ in range(300):
        gap = centre[:, None, :] - centre[None, :, :]
        need = half[:, None, :] + half[None, :, :] + SPREAD_PAD - np.abs(gap)
        over = (need > 0).all(axis=2) & ~np.eye(n, dtype=bool)
        if not over.any():
            break
        along_x = need[..., 0] < need[..., 1]
        side = np.where(gap == 0, -order[..., None], np.sign(gap))  # on a tie the earlier label goes down/left
        push = np.zeros_like(centre)
        push[:, 0] = np.where(over & along_x, side[..., 0] * need[..., 0] / 2, 0).sum(axis=1)
        push[:, 1] = np.where(over & ~along_x, side[..., 1] * need[..., 1] / 2, 0).sum(axis=1)
        centre = np.clip(centre + 0.6 * push, low, high)
    for label, shift in zip(labels, (centre - start) * 72 / fig.dpi, strict=True):
        if np.hypot(*shift) > 0.5:  # points
            label.xyann = (label.xyann[0] + shift[0], label.xyann[1] + shift[1])
            if label.arrow_patch is not None:
                label.arrow_patch.set_visible(True)


def _separated(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two convex quadrilaterals are apart (separating-axis test on their edge normals)."""
    for quad in (a, b):
        for i in range(4):
            edge = quad[(i + 1) % 4] - quad[i]
            normal = np.array([-edge[1], edge[0]])
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return True
    return False


def overlaps(fig: Figure) -> list[str]:
    """Texts that cover each other, and legends that cover data, where the figure was last drawn
    (`figure_bytes` checks at the print width, after its last layout draw).

    Texts are compared by the boxes they cover (turned with rotated text; a label's frame where it
    has one), less a twentieth of their line height at top and bottom, where glyphs rarely reach. A
    legend covers data when a plotted point, line vertex or bar of an axes falls inside its frame.
    """
    renderer = fig.canvas.get_renderer()
    texts = _drawn_texts(fig)
    quads = [_quad(t, renderer) for t in texts]
    problems = []
    lo = np.array([q.min(axis=0) for q in quads]).reshape(-1, 2)
    hi = np.array([q.max(axis=0) for q in quads]).reshape(-1, 2)
    # bounding boxes first (cheap, all pairs at once); the exact test only where they meet
    meet = ((lo[:, None, :] < hi[None, :, :]) & (lo[None, :, :] < hi[:, None, :])).all(axis=2)
    for i, j in zip(*np.nonzero(np.triu(meet, k=1)), strict=True):
        if not _separated(quads[i], quads[j]):
            problems.append(f"{_short(texts[i])!r} and {_short(texts[j])!r}")
    legends = [(ax.get_legend(), [ax]) for ax in fig.axes] + [(lg, fig.axes) for lg in fig.legends]
    for legend, axes in legends:
        if legend is None or not legend.get_visible():
            continue
        frame = legend.get_window_extent(renderer)
        for ax in axes:
            points = [line.get_transform().transform(line.get_xydata()) for line in ax.lines if line.get_visible()]
            points += [c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections
                       if isinstance(c, PathCollection) and c.get_visible()]  # scatter points
            covered = any(frame.count_contains(p) for p in points if len(p))
            covered |= any(frame.overlaps(bar.get_window_extent(renderer)) for bar in ax.patches
                           if isinstance(bar, Rectangle) and bar.get_visible() and bar.get_width() and bar.get_height())
            if covered:
                problems.append(f"the key ({_short(legend.texts[0]) if legend.texts else 'legend'} …) covers data")
    return problems


def _short(text: Text) -> str:
    return text.get_text().replace("\n", " ")[:40]


INDEX_LOCK = ".index.lock"  # beside index.csv; ignored by git
INDEX_COLUMNS = ["id", "files", "width", "title_zh", "title_en", "caption_zh", "caption_en", "notebook", "data",
                 "source_tables"]
FORMATS = ("png", "svg", "pdf")


def _one_line(text: str) -> str:
    """A title's lines joined: with a space between Latin words, with nothing between Chinese ones."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        cjk = "\u4e00" <= out[-1] <= "\u9fff" or "\u4e00" <= line[0] <= "\u9fff" or out[-1] in ",;:(" \
            or line[0] in "(,;:"
        out += ("" if cjk else " ") + line
    return out


def drawn_title(fig: Figure) -> str:
    """The title a figure shows: its suptitle, else its first axes' title (left, centre or right)."""
    if fig.get_suptitle():
        return _one_line(fig.get_suptitle())
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc):
                return _one_line(ax.get_title(loc=loc))
    return ""


SOURCE_COLUMNS = ("source_id", "source_a", "source_b")


def labelled(data: pd.DataFrame, labels: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> pd.DataFrame:
    """`data` with the labels printed on the figure beside each id column, in zh and en: sources
    always (source_id → source_zh, source_en), other columns from `labels` (column → id → (zh, en));
    an id without a label keeps the id."""
    out = data.copy()
    wanted = {c: None for c in SOURCE_COLUMNS} | dict(labels or {})
    for column in [c for c in data.columns if c in wanted]:
        base = column[:-3] if column.endswith("_id") else column
        names = wanted[column]
        pairs = [(source_label(v, "zh"), source_label(v, "en")) if names is None else names.get(v, (v, v))
                 for v in data[column]]
        at = out.columns.get_loc(column) + 1
        out.insert(at, f"{base}_zh", [zh for zh, _ in pairs])
        out.insert(at + 1, f"{base}_en", [en for _, en in pairs])
    return out


def save_bilingual(fig_id: str, plot: Callable[[pd.DataFrame, str], Figure], data: pd.DataFrame,
                   out_dir: Path = FIGURES, show: str | None = "en", *, caption: tuple[str, str] = ("", ""),
                   notebook: str = "", source_tables: str = "", width: str = "full",
                   labels: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> None:
    """Draw `plot(data, lang)` in Chinese and English, write PNG, SVG and PDF at the print `width`
    (`WIDTHS`: "full" or "half") and the data CSV, with the labels of its ids in both languages
    beside them (`labelled`).

    When `notebook` is given, the figure's row in `index.csv` (the titles as drawn, the caption
    in zh and en, the width, notebook, the tables behind it) is added or replaced; otherwise the
    index is left alone. Shows the `show` language version inline (as a plain image, no figure
    repr) when run in a notebook. Returns nothing, so a notebook cell never shows a repr.
    """
    setup()
    files: dict[str, bytes] = {f"{fig_id}_data.csv": csv_bytes(labelled(data, labels), bom=True)}
    titles = {}
    for lang in LANGS:
        fig = plot(data, lang)
        for ext, blob in figure_bytes(fig, width).items():
            files[f"{fig_id}_{lang}.{ext}"] = blob
        titles[lang] = drawn_title(fig)
        if lang == show:
            _display_png(files[f"{fig_id}_{lang}.png"], WIDTHS[width] / WIDTHS["full"])
        plt.close(fig)
    write_outputs(out_dir, files)
    if notebook:
        row = {"id": fig_id,
               "files": " ".join(f"{fig_id}_{lang}.{ext}" for lang in LANGS for ext in FORMATS),
               "width": f"{width} ({WIDTHS[width] / CM:.0f} cm)",
               "title_zh": titles["zh"], "title_en": titles["en"], "caption_zh": caption[0], "caption_en": caption[1],
               "notebook": notebook, "data": f"{fig_id}_data.csv", "source_tables": source_tables}
        # Notebooks run side by side (make notebooks): the index is read, changed and written
        # under a lock, so two figures saved at once both keep their rows.
        with _index_lock(out_dir):
            write_outputs(out_dir, {"index.csv": csv_bytes(_index_with(out_dir, row), bom=True)})


@contextmanager
def _index_lock(out_dir: Path) -> Iterator[None]:
    """An exclusive lock on the figure index of `out_dir` (waits for another holder)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(out_dir / INDEX_LOCK):
        yield


def _index_with(out_dir: Path, row: dict) -> pd.DataFrame:
    """The figure index with `row` added or replaced, sorted by id."""
    path = out_dir / "index.csv"
    index = (pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
             if path.is_file() else pd.DataFrame(columns=INDEX_COLUMNS))
    index = index.reindex(columns=INDEX_COLUMNS, fill_value="")  # an index of an older layout
    index = pd.concat([index[index["id"] != row["id"]], pd.DataFrame([row])])
    return index[INDEX_COLUMNS].sort_values("id", ignore_index=True)


def write_figure_readme(out_dir: Path = FIGURES) -> Path:
    """`figures/README.md` from `index.csv`: one section per figure, for report writers."""
    index = pd.read_csv(out_dir / "index.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lines = ["# Figures", "",
             "Every figure exists in Chinese (`_zh`) and English (`_en`), as PNG (300 dpi), SVG (text kept",
             "as text) and PDF (font embedded), with the data it plots in `<id>_data.csv` (UTF-8 with BOM:",
             "opens correctly in Excel). Each is one of two print widths, the same in both languages:",
             "full page (16 cm) or half page (8 cm); insert it at that width and no text is under 7 pt.",
             "Chinese is set in Noto Sans CJK SC (SIL OFL 1.1, `fonts/`). `index.csv` lists the same as a",
             "table. Regenerate them all with `make study`; file names never change.", ""]
    # Titles and captions carry a corpus's labels (places, themes of its own codebook): literal text.
    for r in index.itertuples():
        lines += [f"## {text(r.id)} — {text(r.title_en)}", "", text(r.title_zh), "", text(r.caption_en), "",
                  text(r.caption_zh), "",
                  f"- width: {text(r.width)}",
                  f"- files: {', '.join(code(f) for f in r.files.split())}",
                  f"- data: {code(r.data)}; built from {text(r.source_tables)}",
                  f"- made by: {code(f'notebooks/{r.notebook}')}", ""]
    path = out_dir / "README.md"
    write_outputs(out_dir, {"README.md": "\n".join(lines).encode("utf-8")})
    return path


def scaled_png(png: bytes, px: int) -> bytes:
    """A PNG scaled to `px` wide, keeping its aspect (Lanczos; PNG with no metadata): the notebook
    preview of a figure, and its thumbnail in the site's gallery."""
    image = Image.open(io.BytesIO(png))
    buf = io.BytesIO()
    image.resize((px, round(image.height * px / image.width)), Image.Resampling.LANCZOS).save(buf, format="png")
    return buf.getvalue()


def _display_png(png: bytes, scale: float = 1.0) -> None:
    """Show a figure's 300 dpi PNG in a notebook, scaled to `PREVIEW_PX` wide (times `scale`: a
    half-page figure shows half as wide), as image/png only
    (nbval then has no text repr to compare). Scaling the written file is cheaper than drawing
    the figure once more, and the notebook shows exactly what was written."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: nothing to show
        return
    if get_ipython() is None:
        return
    preview = scaled_png(png, round(PREVIEW_PX * scale))
    display({"image/png": base64.b64encode(preview).decode()}, raw=True)
