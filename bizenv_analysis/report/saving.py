"""Saving figures: every figure drawn in Chinese and English and written with its data and its row
of the figure index (`save_bilingual`), the figures' README, and the notebook preview.

Each figure is written as `figures/<fig_id>_<lang>.png` (300 dpi), `.svg` (text kept as text,
so labels can be edited and searched) and `.pdf` (the font embedded as a TrueType subset, so it
renders the same where the font is not installed) for lang in zh/en, with the data it plots
beside it as `figures/<fig_id>_data.csv` (UTF-8 with BOM, so Excel opens it correctly).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from filelock import FileLock
from matplotlib.figure import Figure
from PIL import Image

from ..base.paths import FIGURES
from ..io.outputs import write_outputs
from ..io.tables import csv_bytes
from .captions import caption
from .markdown import code, text
from .plotting import CM, LANGS, WIDTHS, figure_bytes, setup, source_label

PREVIEW_PX = 700  # width of the image a notebook shows (the files keep 300 dpi)
INDEX_LOCK = ".index.lock"  # beside index.csv; ignored by git
INDEX_COLUMNS = ["id", "files", "width", "title_zh", "title_en", "caption_zh", "caption_en", "notebook", "function",
                 "data", "source_tables"]
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


def function_name(plot: Callable) -> str:
    """The dotted name of the function that draws a figure (`functools.partial` unwrapped), as a
    reader finds it in the library: `bizenv_analysis.report.figures.heatmap`."""
    while isinstance(plot, partial):
        plot = plot.func
    return f"{getattr(plot, '__module__', '')}.{getattr(plot, '__qualname__', type(plot).__qualname__)}"


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
                   out_dir: Path = FIGURES, show: str | None = "en", *,
                   caption_fields: Mapping[str, object] | None = None, notebook: str = "",
                   source_tables: str = "", width: str = "full",
                   labels: Mapping[str, Mapping[str, tuple[str, str]]] | None = None) -> None:
    """Draw `plot(data, lang)` in Chinese and English, write PNG, SVG and PDF at the print `width`
    (`WIDTHS`: "full" or "half") and the data CSV, with the labels of its ids in both languages
    beside them (`labelled`).

    When `notebook` is given, the figure's row in `index.csv` (the titles as drawn, the caption
    in zh and en, the width, notebook, the function that draws it, the tables behind it) is added
    or replaced; otherwise the index is left alone. The caption is the figure's template in
    data/templates/captions.csv filled with `caption_fields` (`report.captions.caption`), rendered
    before anything is drawn, so a missing or wrong field stops the notebook with the file and line.
    Shows the `show` language version inline (as a plain image, no figure repr) when run in a
    notebook. Returns nothing, so a notebook cell never shows a repr.
    """
    captions = caption(fig_id, caption_fields) if notebook else ("", "")
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
               "title_zh": titles["zh"], "title_en": titles["en"], "caption_zh": captions[0], "caption_en": captions[1],
               "notebook": notebook, "function": function_name(plot), "data": f"{fig_id}_data.csv",
               "source_tables": source_tables}
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
                  f"- made by: {code(f'notebooks/{r.notebook}')}, drawn by {code(r.function)}", ""]
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
