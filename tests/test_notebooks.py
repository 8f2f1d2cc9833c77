"""Committed notebooks: executed top to bottom, clean outputs, numbered in order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from corpora import make_corpus

from bizenv_analysis.__main__ import main
from bizenv_analysis.base.paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_notebooks_are_numbered_from_01_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers[:2] == [1, 2]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_from_a_clean_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for cell in code:
        for out in cell["outputs"]:
            assert out["output_type"] != "error"
            assert out.get("name") != "stderr", f"stderr output in {path.name}: {out.get('text')}"
            text = json.dumps(out, ensure_ascii=False)
            assert "<Figure size" not in text and "Warning" not in text and "/work/" not in text
            assert "execution" not in cell.get("metadata", {})


ONE_SOURCE = (ROOT / "tests" / "data" / "demo-2025.txt").read_bytes()  # the README's worked example


def _execute(corpus: Path, notebooks: list[Path]) -> subprocess.CompletedProcess:
    """`make notebooks DATA=corpus` for these notebooks: written to corpus/notebooks."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--data", str(corpus),
                           "--jobs", str(os.cpu_count() or 1), *map(str, notebooks)],
                          capture_output=True, text=True, env=env, cwd=ROOT)


def test_every_notebook_runs_on_other_corpora(tmp_path: Path) -> None:
    """The multi-style demo corpus (14 documents, no validation folder, a paragraph-only document):
    every notebook runs; a one-source corpus of seven items (too few to cluster or compare): the
    notebooks that branch on size run and say what they skip. Figures go to the corpus's own folder,
    not the project's."""
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "tests" / "data" / "demo_corpus", demo)
    corpora = [demo, make_corpus(tmp_path / "one", {"demo-2025": (ONE_SOURCE, "utf-8")})]
    for corpus in corpora:
        assert main(["build", "--data", str(corpus), "--quiet"]) == 0
    # The one-source corpus runs the notebooks that branch on a corpus's size (clusters, tests
    # between sources, empty commitments or learning, findings); the demo corpus runs them all.
    small = [nb for nb in NOTEBOOKS if nb.name[:2] in {"01", "04", "06", "07", "08", "09", "10", "11"}]
    jobs = [(demo, NOTEBOOKS), (corpora[1], small)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        runs = list(pool.map(lambda job: _execute(*job), jobs))
    for (corpus, _), run in zip(jobs, runs, strict=True):
        assert run.returncode == 0, f"notebooks on {corpus.name}:\n{run.stderr[-3000:]}"
    for corpus, nb in [(corpus, nb) for corpus, notebooks in jobs for nb in notebooks]:
        out = json.loads((corpus / "notebooks" / nb.name).read_text(encoding="utf-8"))
        for cell in out["cells"]:
            for o in cell.get("outputs", []):
                assert o["output_type"] != "error"
                if o.get("name") == "stderr":  # only the build's own one-line warnings, in notebook 01
                    text = "".join(o["text"])
                    assert nb.name.startswith("01_") and all(
                        line.startswith("warning: ") for line in text.strip().splitlines()), text
    one = corpora[1]
    texts = {nb.name[:2]: json.dumps(json.loads((one / "notebooks" / nb.name).read_text(encoding="utf-8")),
                                     ensure_ascii=False) for nb in small}
    assert "Clustering needs at least 12 measures" in texts["04"]
    assert "The sources cannot be compared (1 source" in texts["06"]
    assert "no pairs of documents with different dates" in texts["11"]
    assert (demo / "figures" / "fig05_cluster_map_en.png").is_file()
    assert (one / "figures" / "fig12_approval_times_en.png").is_file()
    assert not (one / "figures" / "fig05_cluster_map_en.png").exists()
    # sources.csv gives no labels: a source is named by its place and year (the same in English), not its id
    heat = (demo / "figures" / "fig06_theme_heatmap_data.csv").read_text(encoding="utf-8-sig")
    assert "\njiashi-regulation-2021,甲市 2021,甲市 2021," in heat
    assert "\nwuqu-excerpt-2022,甲市戊区 2022,甲市戊区 2022," in heat
    svg = (demo / "figures" / "fig06_theme_heatmap_en.svg").read_text(encoding="utf-8")
    assert "甲市 2021 (n=" in svg and "jiashi-regulation-2021" not in svg
    svg = (one / "figures" / "fig12_approval_times_en.svg").read_text(encoding="utf-8")
    assert "某市 2025" in svg and "demo-2025" not in svg


def test_the_runner_reports_a_failing_notebook_and_keeps_its_error(tmp_path: Path) -> None:
    """tools/run_notebooks.py: exit 1, the notebook named on stderr, the error in the written file,
    and the findings notebook, which runs after the others, not run."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, code in [("01_fails.ipynb", "1 / 0"), ("02_findings.ipynb", "print('ran')")]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / name)
    runner = str(ROOT / "tools" / "run_notebooks.py")
    run = subprocess.run([sys.executable, runner, *map(str, sorted(folder.iterdir()))],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    assert "01_fails.ipynb failed:" in run.stderr and "ZeroDivisionError" in run.stderr
    failed = nbformat.read(folder / "01_fails.ipynb", as_version=4)
    assert failed.cells[0].outputs[0]["ename"] == "ZeroDivisionError"
    assert nbformat.read(folder / "02_findings.ipynb", as_version=4).cells[0].outputs == []


def test_the_notebooks_of_the_laws_default_to_the_regulations_and_the_projects_figures(monkeypatch, tmp_path):
    from bizenv_analysis.base.paths import DATA, FIGURES, REGULATIONS, study_paths
    for name in ("BIZENV_DATA", "BIZENV_OUT", "BIZENV_FIGURES"):
        monkeypatch.delenv(name, raising=False)
    assert study_paths(default=REGULATIONS) == (REGULATIONS, REGULATIONS / "processed", FIGURES)
    assert study_paths() == (DATA, DATA / "processed", FIGURES)
    # BIZENV_DATA wins over the default; another corpus keeps its own figures
    monkeypatch.setenv("BIZENV_DATA", str(tmp_path))
    assert study_paths(default=REGULATIONS) == (tmp_path, tmp_path / "processed", tmp_path / "figures")
    # the regulations run through notebooks 01–11 (default DATA) do not write over the project's figures
    monkeypatch.setenv("BIZENV_DATA", str(REGULATIONS))
    assert study_paths()[2] == REGULATIONS / "figures"
