"""One house style for every figure: shipped CJK font, bilingual labels, deterministic files.

Every figure is one of two print widths (`WIDTHS`): full page (16 cm) or half page (8 cm), the
same in both languages, so a figure prints at the same text size in a Chinese and an English
report. The figure is resized (`fit_width`) until its drawn content, with a small margin, is that
wide (content of a fixed aspect, such as a heatmap, is centred with wider margins; content that
cannot be made narrow enough is reported with a warning); text sizes are set in points at that
print size, none under 7 pt. At that size, labels registered with `keep_apart` are moved apart,
and texts that cover each other or keys that cover data are reported with a warning (`overlaps`).
"""

from __future__ import annotations

import io
import warnings
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from ..base.paths import DATA, FONTS
from ..io import tables
from ..io.dates import read_date
from ..io.sources import COLOR_COLUMN, LABEL_COLUMNS, is_color

FONT_FILE = FONTS / "NotoSansCJKsc-Regular-subset.ttf"
FONT_FAMILY = "Noto Sans CJK SC"
LANGS = ("zh", "en")
# Sources take the Okabe–Ito colours, told apart under the common colour-vision deficiencies;
# other categories (theme groups, communities) take other hues (figures.py, network_figures.py).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999", "#F0E442"]
_PNG_META = {"Software": None}
_SVG_META = {"Date": None, "Creator": None}
_PDF_META = {"CreationDate": None, "Creator": None, "Producer": None}
CM = 1 / 2.54
WIDTHS = {"full": 16 * CM, "half": 8 * CM}  # print widths in inches: full page, half page
MIN_POINTS = 7.0  # no text smaller than this at print size
PAD = 0.06  # inches of margin around the drawn content
FIT_TOLERANCE = 0.005  # inches (1.5 px at 300 dpi): closer only moves the margins, never the page width


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


@dataclass(frozen=True)
class _Sources:
    """The figures' sources: each one's (zh, en) label, and the colours sources.csv fixes."""

    labels: dict[str, tuple[str, str]]
    colors: dict[str, str]


_sources: _Sources | None = None  # filled by use_sources, or from the bundled sources.csv on first use


def use_sources(sources: pd.DataFrame) -> None:
    """Name and colour the sources of the figures drawn from now on after `sources` (the rows of a
    corpus's sources.csv, `tables.sources`): a row's `label_zh` / `label_en` and `color` where given.

    A source without `label_zh` is named by its place and year as written (某市 2025; the place
    alone when undated, its id when neither is there); one without `label_en` takes its Chinese
    label. Names made so that are alike get their ids in brackets (某市 2025 [doc01]), so no two
    sources ever share a name. A source without a colour takes one of the palette (`source_colors`).
    """
    global _sources
    rows = sources.fillna("").astype(str)
    rows = rows.assign(**{c: "" for c in (*LABEL_COLUMNS, COLOR_COLUMN, "place", "date") if c not in rows})
    rows = rows.apply(lambda column: column.str.strip()).set_index("source_id")
    for sid, color in rows[COLOR_COLUMN].items():
        if color and not is_color(color):
            raise ValueError(f"sources.csv: the color of {sid} is {color!r}, not a colour #RRGGBB")
    made = {sid: _place_and_year(str(sid), row["place"], row["date"]) for sid, row in rows.iterrows()}
    zh = _apart({sid: rows.loc[sid, "label_zh"] or made[sid] for sid in rows.index}, rows["label_zh"])
    en = _apart({sid: rows.loc[sid, "label_en"] or zh[sid] for sid in rows.index}, rows["label_en"])
    _sources = _Sources({sid: (zh[sid], en[sid]) for sid in rows.index},
                        {sid: color.upper() for sid, color in rows[COLOR_COLUMN].items() if color})


def _apart(names: dict[str, str], given: pd.Series) -> dict[str, str]:
    """`names` with the id in brackets after each name shared by two sources that sources.csv does
    not give (the given ones are unique: `io.sources.read_sources` checks)."""
    shared = pd.Series(names).duplicated(keep=False)
    return {sid: f"{name} [{sid}]" if shared[sid] and not given[sid] else name for sid, name in names.items()}


def _place_and_year(source_id: str, place: str, date: str) -> str:
    """A source's name made from its row: its place and year as written, else its id."""
    year = (read_date(date) or "")[:4]
    return " ".join(p for p in (place, year) if p) or source_id


def _registry() -> _Sources:
    if _sources is None:
        use_sources(tables.sources(DATA))
    assert _sources is not None
    return _sources


def source_labels() -> dict[str, tuple[str, str]]:
    """Each source's (zh, en) label (`use_sources`), as figures' `labels` mappings take them."""
    return dict(_registry().labels)


def source_label(source_id: str, lang: str) -> str:
    """Readable name of a source in zh or en (`use_sources`; the id itself for a source not in it)."""
    zh, en = _registry().labels.get(source_id, (source_id, source_id))
    return t(zh, en, lang)


def source_short(source_id: str, lang: str) -> str:
    """The label without its genre in brackets (天河 2020, Tianhe 2020) for tight axes."""
    return source_label(source_id, lang).split("(")[0].rstrip()


def source_colors(sources: Sequence[str]) -> dict[str, str]:
    """Each source's colour in a figure of these sources. Sources with a colour in sources.csv
    (`use_sources`; the study's five) keep it; other sources take the Okabe–Ito colours in turn:
    all of them, in order, when the figure has no source of a fixed colour; otherwise first the
    colours no source has, then those of sources absent from the figure. Two sources of one figure
    share a colour only when it has more sources than there are colours (or sources.csv gives them
    one). Other sources are taken in the order of their ids, so a document keeps its colour in the
    figures of a corpus that show the same sources."""
    fixed = _registry().colors
    known = [s for s in sources if s in fixed]
    if known:
        taken = {fixed[s] for s in known}
        spare = [c for c in PALETTE if c not in fixed.values()]
        free = spare + [c for c in PALETTE if c in fixed.values() and c not in taken]
    else:
        free = PALETTE
    others = sorted({s for s in sources if s not in fixed})  # by id: the same colour in every figure
    return {s: fixed.get(s) or free[others.index(s) % len(free)] for s in sources}


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
