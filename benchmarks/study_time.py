"""Where a warm `make study` spends its time: the build's stages, then each notebook's kernel start,
imports, figures and the rest, one notebook at a time.

The bundled corpus is built into a temporary folder and every notebook runs on it in a clean kernel
of its own, one after the other, with its figures written to another temporary folder, so the
committed notebooks, tables and figures are not touched. A notebook's kernel runs on one core
(OMP_NUM_THREADS=1), so its seconds here are also its CPU seconds. `make study` runs the notebooks
side by side on every core: the sum over notebooks divided by the cores is the least wall time they
can take there. Writes `benchmarks/study_time.md`.

    python benchmarks/study_time.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient
from scale import markdown_table  # benchmarks/ is on the path: the scripts run as files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from run_notebooks import KERNEL_CONFIG  # noqa: E402  (the kernels `make notebooks` starts)


def kind(source: str, first: bool) -> str:
    """What a code cell mostly does: the notebook's set-up (imports, tables), a figure, or the rest."""
    if first:
        return "imports"
    return "figures" if "save_bilingual(" in source else "other"


def run_notebook(path: Path) -> dict:
    """Seconds for the kernel's start and for each kind of cell of one notebook, run from a clean kernel."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1200, kernel_name="python3", config=KERNEL_CONFIG,
                            resources={"metadata": {"path": str(path.parent)}})
    row = {"notebook": path.name, "kernel": 0.0, "imports": 0.0, "figures": 0.0, "other": 0.0}
    start = time.perf_counter()
    with client.setup_kernel():
        row["kernel"] = time.perf_counter() - start
        code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        # The first code cell after the parameters cell imports the library and loads the tables.
        setup = code[1] if len(code) > 1 else code[0]
        for i in code:
            t = time.perf_counter()
            client.execute_cell(nb.cells[i], i)
            row[kind(nb.cells[i].source, i == setup)] += time.perf_counter() - t
    row["total"] = time.perf_counter() - start
    return row


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
    from bizenv_analysis.base.workers import usable_cores
    from bizenv_analysis.pipeline import build

    cores = usable_cores()
    with tempfile.TemporaryDirectory() as tmp:
        out, figures = Path(tmp) / "processed", Path(tmp) / "figures"
        start = time.perf_counter()
        result = build(out_dir=out, quiet=True)
        build_s = time.perf_counter() - start
        os.environ["BIZENV_OUT"], os.environ["BIZENV_FIGURES"] = str(out), str(figures)  # the kernels inherit them
        rows = []
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            rows.append(run_notebook(path))
            print(rows[-1], flush=True)
        # the figures each notebook saved, as its rows of the figure index
        drawn = pd.read_csv(figures / "index.csv", encoding="utf-8-sig")["notebook"].value_counts()
    table = pd.DataFrame(rows)
    table["figures drawn"] = table["notebook"].map(drawn).fillna(0).astype(int)
    sums = table.drop(columns="notebook").sum()
    table = pd.concat([table, pd.DataFrame([{"notebook": "all", **sums}])], ignore_index=True)
    shown = table.assign(**{c: table[c].round(2) for c in ["kernel", "imports", "figures", "other", "total"]})
    shown["figures drawn"] = shown["figures drawn"].astype(int)
    stages = " · ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
    floor = build_s + sums["total"] / cores
    per_figure = sums["figures"] / max(1, sums["figures drawn"])
    lines = [
        "# Where a warm `make study` spends its time", "",
        "`python benchmarks/study_time.py` (in `make bench`): the bundled corpus built once, then every",
        "notebook on it in a clean kernel of its own, one at a time; seconds on this machine, each",
        "kernel on one core. `imports` is the notebook's set-up cell (the library, its dependencies and",
        "the tables); `figures` the cells that save a figure (zh and en, PNG, SVG and PDF each);",
        "`other` the rest.", "",
        f"Build: {build_s:.1f} s wall (stages: {stages}).", "",
        markdown_table(shown), "",
        f"Figures: {per_figure:.2f} s per figure (both languages, three formats) over "
        f"{int(sums['figures drawn'])} figures. Kernels and set-up: "
        f"{sums['kernel'] + sums['imports']:.1f} s of the notebooks' {sums['total']:.1f} s.", "",
        f"On {cores} cores `make study` cannot take less than the build plus the notebooks' seconds over the "
        f"cores: {build_s:.1f} + {sums['total']:.1f} / {cores} = {floor:.1f} s, before installing checks "
        "and the time a last notebook runs alone (issue #11 asks for 30 s).", ""]
    (ROOT / "benchmarks" / "study_time.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
