"""The command line, idempotence, and every kind of bad input (clear error, nothing written)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bundled import LEX

from bizenv_analysis.__main__ import main
from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.io.outputs import MANIFEST, manifest_bytes
from bizenv_analysis.io.sources import load_raw_documents
from bizenv_analysis.text.clean import clean_document, documents_table
from bizenv_analysis.text.measures import compared, measures_tables


def measures_of(corpus: Path) -> pd.DataFrame:
    """Stages 1–3 only (sources → clean → measures) of a corpus folder."""
    raws = load_raw_documents(corpus)
    rules = LEX.chrome
    docs = documents_table(raws, [clean_document(r, rules) for r in raws])
    table, _, _ = measures_tables(docs, {r.source_id: r.meta["place"] for r in raws},
                               LEX.grammar)
    return table


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def set_row(corpus: Path, source_id: str, **values: str) -> None:
    df = pd.read_csv(corpus / "sources.csv", dtype=str, keep_default_na=False)
    for k, v in values.items():
        df.loc[df["source_id"] == source_id, k] = v
    df.to_csv(corpus / "sources.csv", index=False)


def rehash(corpus: Path, source_id: str) -> None:
    path = corpus / "raw" / f"{source_id}.txt"
    set_row(corpus, source_id, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def test_cli_build_matches_the_committed_outputs_and_is_idempotent_serial_or_parallel(built_dir, tmp_path):
    shared, stdout = built_dir
    lines = stdout.splitlines()
    assert lines[0].startswith("[1/9] sources   5 documents")
    assert "125 items: 109 measure, 12 safeguard, 4 general (general parts are kept, not compared)" in stdout
    before = snapshot(shared)
    tables = {name: data for name, data in before.items() if name != MANIFEST}
    assert lines[-1] == f"done: {len(tables)} tables in {shared}"
    out = Path(shutil.copytree(shared, tmp_path / "out"))  # the shared build is read by other tests
    assert before[MANIFEST] == manifest_bytes(list(tables))  # the build's manifest lists its tables
    committed = ROOT / "data" / "processed"
    assert set(tables) == {p.name for p in committed.iterdir() if not p.name.startswith(".")}
    for name, data in tables.items():
        assert (committed / name).read_bytes() == data, f"data/processed/{name} is stale: run make study"
    # The second build runs serially: worker processes must not change a byte.
    again = subprocess.run([sys.executable, "-m", "bizenv_analysis", "build", "--out", str(out), "--quiet",
                            "--jobs", "1"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert again.stdout == again.stderr == ""
    assert snapshot(out) == before


def fails(corpus: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Build must exit 2, name the problem on stderr, and leave `out` as it was."""
    before = snapshot(out) if out.exists() else {}
    assert main(["build", "--data", str(corpus), "--out", str(out), "--quiet"]) == 2
    assert (snapshot(out) if out.exists() else {}) == before
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    return err


@pytest.fixture
def out(tmp_path: Path, built_dir: tuple[Path, str]) -> Path:
    """An output folder holding a previous good build (it must survive a failed one)."""
    return Path(shutil.copytree(built_dir[0], tmp_path / "out"))


def test_changed_raw_file_is_refused(corpus, out, capsys):
    path = corpus / "raw" / "tianhe-2020.txt"
    path.write_bytes(path.read_bytes().replace("天河".encode(), "天湖".encode(), 1))
    err = fails(corpus, out, capsys)
    assert "tianhe-2020.txt" in err and "raw file changed" in err and "sha256" in err


def test_missing_raw_file(corpus, out, capsys):
    (corpus / "raw" / "quzhou-2018.txt").unlink()
    err = fails(corpus, out, capsys)
    assert "quzhou-2018.txt" in err and "not found" in err


def test_empty_raw_file(corpus, out, capsys):
    (corpus / "raw" / "quzhou-2018.txt").write_bytes(b"\n \n")
    err = fails(corpus, out, capsys)
    assert "quzhou-2018.txt" in err and "empty" in err


def test_binary_file(corpus, out, capsys):
    (corpus / "raw" / "quzhou-2018.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    rehash(corpus, "quzhou-2018")
    err = fails(corpus, out, capsys)
    assert "quzhou-2018.txt" in err and "binary" in err


def test_gb18030_file_declared_as_utf8_is_refused_with_the_fix(corpus, out, capsys):
    path = corpus / "raw" / "quzhou-2018.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    rehash(corpus, "quzhou-2018")
    err = fails(corpus, out, capsys)
    assert "quzhou-2018.txt" in err and "not valid utf-8" in err and "encoding=gb18030" in err


def test_gb18030_file_declared_as_such_gives_the_same_measures(corpus, measures):
    path = corpus / "raw" / "quzhou-2018.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    rehash(corpus, "quzhou-2018")
    set_row(corpus, "quzhou-2018", encoding="gb18030")
    got = compared(measures_of(corpus))
    pd.testing.assert_frame_equal(got, measures.reset_index(drop=True)[got.columns])


def test_file_without_a_row(corpus, out, capsys):
    (corpus / "raw" / "extra-2024.txt").write_text("一、总则\n", encoding="utf-8")
    err = fails(corpus, out, capsys)
    assert "extra-2024.txt" in err and "without a row in sources.csv" in err


def test_row_without_a_file(corpus, out, capsys):
    set_row(corpus, "quzhou-2018", file="")
    err = fails(corpus, out, capsys)
    assert "sources.csv" in err and "quzhou-2018" in err and "no file named" in err


def test_duplicate_source_id(corpus, out, capsys):
    df = pd.read_csv(corpus / "sources.csv", dtype=str, keep_default_na=False)
    pd.concat([df, df.iloc[[0]]]).to_csv(corpus / "sources.csv", index=False)
    err = fails(corpus, out, capsys)
    assert "duplicate source_id: gz-pilot-2021" in err


def test_missing_sources_csv(tmp_path, out, capsys):
    (tmp_path / "empty" / "raw").mkdir(parents=True)
    err = fails(tmp_path / "empty", out, capsys)
    assert "sources.csv not found" in err


def test_absurdly_long_line(corpus, out, capsys):
    (corpus / "raw" / "quzhou-2018.txt").write_text("营商环境" * 6000, encoding="utf-8")
    rehash(corpus, "quzhou-2018")
    err = fails(corpus, out, capsys)
    assert "quzhou-2018.txt" in err and "characters" in err


# --- one step rerun on the tables of an earlier build (steps.STEPS, `build --only`) ----------------

@pytest.mark.parametrize(("step", "made", "kept"), [
    ("findings", ["findings.csv", "sensitivity.csv"], ["keyness.csv", "pmc.csv"]),
    ("networks", ["coword_nodes.csv", "coword_summary.csv", "coword.gexf"], ["findings.csv", "formulas.csv"]),
])
def test_one_step_reruns_alone_on_the_tables_of_an_earlier_build(built_dir, tmp_path, capsys, step, made, kept):
    """A copy of a full build with the step's tables and two tables it does not read spoiled: `--only STEP` makes the
    step's tables again from the others, read back from the folder, byte for byte as the full build
    made them, and leaves every other file as it found it (the spoiled ones too)."""
    out = tmp_path / "processed"
    shutil.copytree(built_dir[0], out)
    for name in made + kept:
        (out / name).write_bytes(b"spoilt\n")
    assert main(["build", "--out", str(out), "--only", step, "--quiet"]) == 0, capsys.readouterr().err
    for name in made:
        assert (out / name).read_bytes() == (built_dir[0] / name).read_bytes(), name
    for name in kept:
        assert (out / name).read_bytes() == b"spoilt\n", name
    others = {p.name for p in built_dir[0].iterdir()} - set(made) - set(kept)
    assert all((out / n).read_bytes() == (built_dir[0] / n).read_bytes() for n in others)


def test_a_step_rerun_needs_an_earlier_build_and_a_known_name(tmp_path, built_dir, capsys):
    assert main(["build", "--out", str(tmp_path / "none"), "--only", "findings", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "no earlier build to rerun a step on" in err and "Traceback" not in err
    out = tmp_path / "processed"
    shutil.copytree(built_dir[0], out)
    assert main(["build", "--out", str(out), "--only", "keynes", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "no step named 'keynes'" in err and "clean, measures, articles, alignment" in err
