"""Committed notebooks: executed top to bottom, clean outputs, numbered in order."""

from __future__ import annotations

import json

import pytest

from bizenv_analysis.paths import ROOT

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
