"""Build the study's static site from the executed notebooks and the figures (`make site`).

    python tools/build_site.py [--data DIR] [--out DIR]

Sphinx with myst-nb renders the committed notebooks with their outputs (never executing them),
beside a figure gallery made from `figures/index.csv` (thumbnails, titles and captions in zh and
en, links to every PNG, SVG and PDF and to the data), `figures.zip` with every figure file and
`tables.zip` with every processed table and the `datapackage.json` that describes them, laid out as in data/
(processed/, and for the bundled study also the regulations' tables under regulations/processed/). Without
--data the site is the bundled study's, in `_site/` (ignored by git); with --data DIR it is that corpus's
(DIR/notebooks, DIR/figures, DIR/processed), in DIR/site. The pages carry no dates; the zips have fixed times.

The site is built in a temporary folder and put in place as a whole by the study's own folder
writer (`bizenv_analysis.io.outputs`), so an interrupted or failed build leaves the last site as it
was; a folder that is not an earlier site (no index.html, files the writer did not list, hidden
entries such as .git) is refused. Exit 2 with one line when an
input is missing or the folder cannot be used.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import logging
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from bizenv_analysis.report.saving import scaled_png

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"  # conf.py, index.md, _static/: the site's own sources
THUMB_PX = 600  # thumbnail width in the gallery
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build date in the archive
FORMATS = {"png": "PNG", "svg": "SVG", "pdf": "PDF"}
TABLE_KINDS = {".csv", ".gexf", ".graphml"}
# index.md's place for the sentence on the regulations' tables, which only the bundled study's zip holds
REGULATIONS_MARK = "<!-- regulations-tables -->"
REGULATIONS_NOTE = ("The regulations' tables (articles.csv, links.csv, implementation.csv, originality.csv, "
                    "diffusion.csv, revision.csv …) are in it under `regulations/processed/`, beside the plans' under "
                    "`processed/`; the tables both corpora have (documents.csv, measures.csv …) have the same columns "
                    "in both.")


class SiteError(Exception):
    """An input the site needs is missing, or the output folder cannot be used; the message says
    which and what to do."""


def deterministic_zip(files: list[tuple[str, Path]]) -> bytes:
    """A zip of (name in archive, file) in name order, with fixed times and permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buf.getvalue()


def _html(value: object) -> str:
    """A value of the figure index as HTML text: escaped, and on one line, since a blank line
    would end the raw HTML block and hand the rest of the card to the Markdown parser."""
    return html.escape(" ".join(str(value).splitlines()))


def gallery_page(index: pd.DataFrame, notebooks: set[str]) -> str:
    """The gallery (MyST with raw HTML): one card per figure of `figures/index.csv`, every value
    of the index shown as literal text (its titles and captions carry a corpus's labels)."""
    esc = _html
    cards = []
    for row in index.itertuples():
        links = []
        for ext, label in FORMATS.items():
            for lang in ("zh", "en"):
                name = f"{row.id}_{lang}.{ext}"
                links.append(f'<a href="figures/{esc(name)}">{label} {lang}</a>')
        links.append(f'<a href="figures/{esc(row.data)}">data (CSV)</a>')
        made_by = ""
        if row.notebook in notebooks:
            page = Path(row.notebook).with_suffix(".html").name
            made_by = f' · made by <a href="notebooks/{esc(page)}">{esc(row.notebook)}</a>'
        cards.append(
            f'<figure id="{esc(row.id)}">\n'
            f'<a href="figures/{esc(row.id)}_en.png"><img src="figures/thumbs/{esc(row.id)}_en.png" '
            f'alt="{esc(row.title_en)}"></a>\n'
            f"<figcaption>\n"
            f'<p><strong>{esc(row.id)}</strong> · <span lang="zh-Hans">{esc(row.title_zh)}</span><br>'
            f"{esc(row.title_en)}</p>\n"
            f'<p lang="zh-Hans">{esc(row.caption_zh)}</p>\n'
            f"<p>{esc(row.caption_en)}</p>\n"
            f'<p class="files">{" · ".join(links)}<br>{esc(row.width)}{made_by}</p>\n'
            f"</figcaption>\n</figure>")
    return "\n".join([
        "# 图表 · Figure gallery", "",
        "Every figure in Chinese and English: PNG (300 dpi), SVG (text kept as text) and PDF (font "
        "embedded), at a print width of 16 cm (full page) or 8 cm (half page), with the data it plots.",
        "每张图均有中文版和英文版(PNG、SVG、PDF)及其数据。", "",
        '<p><a href="figures.zip">Download all figures · 下载全部图表 (figures.zip)</a></p>', "",
        '<div class="gallery">', *cards, "</div>", ""])


def _inputs(data: Path | None) -> tuple[list[Path], Path, dict[str, Path], pd.DataFrame]:
    """The executed notebooks, the figures folder, the tables folders by their folder in the zip
    (processed/; for the bundled study also regulations/processed/) and the figure index, each
    checked to be there (SiteError naming what is missing and the command that makes it)."""
    notebooks_dir = (data / "notebooks") if data else ROOT / "notebooks"
    figures_dir = (data / "figures") if data else ROOT / "figures"
    tables_dir = (data / "processed") if data else ROOT / "data" / "processed"
    run = f"make study{f' DATA={data}' if data else ''}"
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    expected = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = sorted(expected - {p.name for p in notebooks})
    if missing:
        raise SiteError(f"{notebooks_dir}: {', '.join(missing)} not executed yet; run `{run}` first")
    index_csv = figures_dir / "index.csv"
    if not index_csv.is_file():
        raise SiteError(f"{index_csv} is missing; run `{run}` first")
    tables = {"processed": tables_dir}
    if not data:
        tables["regulations/processed"] = ROOT / "data" / "regulations" / "processed"
    for folder in tables.values():
        if not any(folder.glob("*.csv")):
            raise SiteError(f"{folder}: no tables; run `{run}` first")
    index = pd.read_csv(index_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for row in index.itertuples():
        for name in [*row.files.split(), row.data]:
            if not (figures_dir / name).is_file():
                raise SiteError(f"{figures_dir / name} is listed in {index_csv} but missing; run `{run}` again")
    return notebooks, figures_dir, tables, index


def _datapackage(names: set[str]) -> bytes:
    """data/datapackage.json with only the resources whose files the zip holds (`names`, paths as in
    data/). A corpus of one's own has all its tables under processed/, so a resource that data/ keeps
    under regulations/processed/ (articles.csv …) describes that corpus's processed/ file of its name."""
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    kept = []
    for resource in package["resources"]:
        moved = f"processed/{Path(resource['path']).name}"
        if resource["path"] in names:
            kept.append(resource)
        elif moved in names and moved not in described:
            kept.append(resource | {"path": moved})
    package["resources"] = kept
    return (json.dumps(package, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def stage(data: Path | None, src: Path) -> None:
    """Copy the site's sources, the notebooks and the figures into `src`, with the gallery and zips."""
    notebooks, figures_dir, tables_dirs, index = _inputs(data)
    shutil.copytree(SITE, src, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    index_md = (src / "index.md").read_text(encoding="utf-8")
    if REGULATIONS_MARK not in index_md:  # the page that offers tables.zip must say what it holds
        raise SiteError(f"{SITE / 'index.md'} lacks {REGULATIONS_MARK}")
    note = REGULATIONS_NOTE if "regulations/processed" in tables_dirs else ""
    (src / "index.md").write_text(index_md.replace(REGULATIONS_MARK, note), encoding="utf-8")
    shutil.copy2(ROOT / "fonts" / "NotoSansCJKsc-Regular-subset.ttf", src / "_static")
    (src / "notebooks").mkdir()
    for nb in notebooks:
        shutil.copy2(nb, src / "notebooks" / nb.name)
    extra = src / "_extra"
    (extra / "figures" / "thumbs").mkdir(parents=True)
    figure_files = sorted(p for p in figures_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in figure_files:
        shutil.copy2(path, extra / "figures" / path.name)
    for fig_id in index["id"]:
        png = figures_dir / f"{fig_id}_en.png"
        (extra / "figures" / "thumbs" / png.name).write_bytes(scaled_png(png.read_bytes(), THUMB_PX))
    (extra / "figures.zip").write_bytes(deterministic_zip([(f"figures/{p.name}", p) for p in figure_files]))
    # As in data/: the tables under processed/ (and regulations/processed/), beside the datapackage.json
    # that describes them.
    tables = [(f"{folder}/{p.name}", p) for folder, path in tables_dirs.items()
              for p in sorted(path.iterdir()) if p.suffix in TABLE_KINDS]
    package = src / "datapackage.json"
    package.write_bytes(_datapackage({name for name, _ in tables}))
    (extra / "tables.zip").write_bytes(deterministic_zip([*tables, ("datapackage.json", package)]))
    package.unlink()
    (src / "gallery.md").write_text(gallery_page(index, {p.name for p in notebooks}), encoding="utf-8")


def build(data: Path | None = None, out: Path | None = None, quiet: bool = True) -> Path:
    """Stage the sources and run Sphinx, then put the site in `out` as a whole (the study's
    all-or-nothing folder writer: an interrupted or failed build leaves the last site as it was;
    a folder that is not an earlier site is refused)."""
    import jieba
    from sphinx.cmd.build import build_main

    from bizenv_analysis.base.errors import BuildError
    from bizenv_analysis.io.outputs import MANIFEST, check_replaceable, write_outputs

    jieba.setLogLevel(logging.WARNING)  # the zh search index loads jieba, which talks on stderr
    out = out or ((data / "site") if data else ROOT / "_site")
    if out.is_dir() and any(out.iterdir()):
        # Only an earlier site is replaced: not a folder of tables (which also carries the folder
        # writer's list), and not one with hidden entries (.git …) that the swap would delete.
        names = {e.name for e in out.iterdir()}
        if "index.html" not in names:
            raise SiteError(f"{out}: not a site (no index.html), and the site builder replaces the whole folder; "
                            "choose a new or empty folder (--out)")
        hidden = sorted(n for n in names if n.startswith(".") and n != MANIFEST)
        if hidden:
            raise SiteError(f"{out}: holds {', '.join(hidden)}, which replacing the site would delete; "
                            "choose a new or empty folder (--out)")
    try:
        check_replaceable(out)
    except BuildError as exc:
        raise SiteError(f"{out}: {exc.problem.replace('a build', 'the site builder')}; choose a new or "
                        "empty folder for --out") from exc
    with tempfile.TemporaryDirectory(prefix="bizenv-site-") as tmp:
        src, html_dir = Path(tmp) / "src", Path(tmp) / "html"
        stage(data, src)
        # -W: a broken reference or a page that does not render is an error, not a warning.
        args = ["-b", "html", "-W", "--keep-going", "-E", "-d", str(Path(tmp) / "doctrees"), str(src), str(html_dir)]
        if build_main(args + (["-q"] if quiet else [])) != 0:
            raise SiteError("Sphinx reported errors (above); the last site is left as it was")
        files = {p.relative_to(html_dir).as_posix(): p.read_bytes() for p in sorted(html_dir.rglob("*"))
                 if p.is_file() and p.name != ".buildinfo"}  # .buildinfo: a hash of the settings
    try:
        write_outputs(out, files, whole_folder=True)
    except BuildError as exc:
        raise SiteError(str(exc).replace("\n  fix:", "; fix:")) from exc
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="the corpus folder (its notebooks, figures and tables)")
    parser.add_argument("--out", type=Path, help="the site folder (default _site/, or DIR/site with --data)")
    args = parser.parse_args(argv)
    try:
        out = build(args.data, args.out)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # the folder writer holds a signal while it swaps the site in
        done = getattr(exc, "written", False)
        print(f"interrupted: {'the new site is in place' if done else 'the last site is left as it was'}",
              file=sys.stderr)
        return 130
    print(f"site: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
