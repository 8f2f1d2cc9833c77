"""Where the bundled corpus and outputs live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # bizenv_analysis/base/paths.py → the project
DATA = ROOT / "data"
PROCESSED = DATA / "processed"
LEXICON = DATA / "lexicon"
TEMPLATES = DATA / "templates"  # the findings' statements (report.statements), the figures' captions (report.captions)
# The second bundled corpus: twelve business-environment regulations, national → province → city.
REGULATIONS = DATA / "regulations"
FIGURES = ROOT / "figures"
FONTS = ROOT / "fonts"


def study_paths(data: str | Path | None = None, out: str | Path | None = None,
                figures: str | Path | None = None, default: str | Path = DATA) -> tuple[Path, Path, Path]:
    """Data, output and figure folders for a notebook run.

    Arguments win, then the environment (BIZENV_DATA, BIZENV_OUT, BIZENV_FIGURES), then the
    notebook's bundled corpus, `default` (`DATA`, the five sources; `REGULATIONS` for the notebooks
    of the laws); outputs default to `<data>/processed`, figures to the project's `figures/` for
    the bundled corpus or `default` and to `<data>/figures` for any other.
    """
    import os

    d = Path(data or os.environ.get("BIZENV_DATA") or default)
    o = Path(out or os.environ.get("BIZENV_OUT") or d / "processed")
    bundled = {DATA.resolve(), Path(default).resolve()}
    default_fig = FIGURES if d.resolve() in bundled else d / "figures"
    f = Path(figures or os.environ.get("BIZENV_FIGURES") or default_fig)
    return d, o, f
