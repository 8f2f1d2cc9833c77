"""Execute notebooks from a clean kernel each, several side by side (`make notebooks`).

    python tools/run_notebooks.py [--data DIR] [--jobs N] NOTEBOOK...

All notebooks run at the same time, at most N kernels at once, except the findings notebook
(`--last`, by default the one named `*_findings.ipynb`), which runs after them. When every
notebook ran, the figures' README (`figures/README.md`, from the `index.csv` the notebooks'
figures were entered in) is written into the figure folder. One process drives every kernel
through nbclient, so the run pays Python's and Jupyter's start-up once, not once a notebook.
Without --data each notebook is rewritten in place; with --data DIR the notebooks read DIR's
tables (BIZENV_DATA) and are written to DIR/notebooks, leaving the committed ones untouched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

from bizenv_analysis.base.paths import study_paths
from bizenv_analysis.report.saving import write_figure_readme

TIMEOUT = 1200  # seconds a cell may take

# The kernel's messages are signed; without CurveZMQ it would also print a warning about
# unencrypted TCP on every start. "auto" encrypts where CurveZMQ is available and stays quiet.
KERNEL_CONFIG = Config({"KernelManager": {"transport_encryption": "auto"}})


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    text = nbformat.writes(nb)
    # The same bytes as `jupyter nbconvert --to notebook`, which ends the file with a newline.
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


async def _run(path: Path, out_dir: Path, slots: asyncio.Semaphore) -> str | None:
    """Execute one notebook and write it to out_dir; the error text if a cell failed."""
    async with slots:
        print(f"executing {path}", flush=True)
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                                config=KERNEL_CONFIG, resources={"metadata": {"path": str(path.parent)}})
        try:
            await client.async_execute()
        except CellExecutionError as exc:
            return f"{path.name} failed:\n{exc}"
        except Exception as exc:  # a dead kernel, a timeout: named, not a traceback
            return f"{path.name} failed: {type(exc).__name__}: {exc}"
        finally:
            _write(nb, out_dir / path.name)  # a failed notebook is written too: its error is in it
    return None


async def run_all(notebooks: list[Path], out_dir: Path | None, jobs: int,
                  last_pattern: str = "*_findings.ipynb") -> list[str]:
    """Run the notebooks side by side, those matching `last_pattern` after the others; the errors."""
    slots = asyncio.Semaphore(max(1, jobs))
    last = [nb for nb in notebooks if nb.match(last_pattern)]
    first = [nb for nb in notebooks if nb not in last]
    errors = await asyncio.gather(*(_run(nb, out_dir or nb.parent, slots) for nb in first))
    if not any(errors):
        errors += [await _run(nb, out_dir or nb.parent, slots) for nb in last]
    return [e for e in errors if e]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--data", type=Path, help="the corpus folder whose tables the notebooks read")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    parser.add_argument("--last", default="*_findings.ipynb", help="name pattern of the notebooks run after the others")
    args = parser.parse_args(argv)
    out_dir = None
    if args.data:
        os.environ["BIZENV_DATA"] = str(args.data.resolve())  # the kernels inherit it
        out_dir = args.data / "notebooks"
        out_dir.mkdir(parents=True, exist_ok=True)
    errors = asyncio.run(run_all(sorted(args.notebooks), out_dir, args.jobs, args.last))
    fig_dir = study_paths(args.data)[2]  # where the notebooks saved their figures (BIZENV_FIGURES wins)
    if not errors and (fig_dir / "index.csv").is_file():
        write_figure_readme(fig_dir)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
