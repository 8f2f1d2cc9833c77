"""Hostile or broken input, unusable output folders and interruptions: exit 2, a message naming the
file and the fix, no traceback, and the output folder exactly as it was (listing and bytes).

Every corpus here is constructed in tmp_path; the one-document plan below builds in about a second.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event
from pathlib import Path

import pandas as pd
import pytest
from bundled import LEX

from bizenv_analysis import __main__ as cli
from bizenv_analysis.base import workers
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.io import outputs, tables
from bizenv_analysis.io.sources import (
    MAX_LINE_CHARS,
    LargeDocumentWarning,
    RawDocument,
    load_raw_documents,
    split_lines,
)
from bizenv_analysis.text.clean import clean_document

PLAN = """某市优化营商环境若干措施
一、提升政务服务效能
(一)深化“一网通办”
1.推进政务服务事项全程网办,2025年底前实现可网办率100%。(牵头单位:市政务服务数据管理局)
2.推行告知承诺制,企业开办压缩至1个工作日内。(责任单位:市市场监管局)
(二)优化审批流程
3.工程建设项目审批时间压缩至60个工作日以内。
二、加强法治保障
4.健全多元化纠纷解决机制,学习深圳“一站式”诉讼服务做法。(责任单位:市法院)
5.建设社会信用体系,开展信用修复。(责任单位:市发展改革委)
三、保障措施
(一)加强组织领导。成立领导小组,统筹推进各项工作。
"""
# The same plan with one more measure (so a build has new tables to write).
PLAN2 = PLAN.replace("(责任单位:市发展改革委)\n", "(责任单位:市发展改革委)\n6.新增一条措施,优化服务。\n")
HEADER = "source_id,file,title,issuer,place,admin_level,province,date,date_note,doc_type,script,encoding,sha256"
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
FORK = multiprocessing.get_context("fork")  # another build: a copy of this process, patched as a test needs


def row(sid: str, file: str, digest: str) -> str:
    return f"{sid},{file},示例,某市人民政府,某市,city,某省,2025-01-01,test,action_plan,simplified,utf-8,{digest}"


def make_corpus(folder: Path, text: str = PLAN, sid: str = "demo-2025") -> Path:
    (folder / "raw").mkdir(parents=True)
    data = text.encode("utf-8")
    (folder / "raw" / f"{sid}.txt").write_bytes(data)
    (folder / "sources.csv").write_text(f"{HEADER}\n{row(sid, f'raw/{sid}.txt', sha(data))}\n", encoding="utf-8")
    return folder


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder`, hidden ones too: file bytes, None for a folder."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def leftovers(out: Path) -> list[str]:
    """Hidden staging or previous folders a build left beside its output folder (its lock file stays)."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.bizenv-*") if not p.name.endswith("-lock"))


def beside(out: Path) -> list[str]:
    """What lies beside `out`, but for its lock file."""
    lock = f".{out.name}.bizenv-lock"
    return sorted(p.name for p in out.parent.iterdir() if p.name != lock) if out.parent.exists() else []


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["build", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def refused(corpus: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """The build must exit 2 with an error and a fix, and leave `out` (and its surroundings) as they were."""
    before, around = snapshot(out), beside(out)
    code, err = run(["--data", str(corpus), "--out", str(out), "--quiet", *extra], capsys)
    assert code == 2, err
    assert err.startswith("error: ") and "fix: " in err and "nothing was written." in err
    assert snapshot(out) == before and beside(out) == around
    return err


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan corpus built once: the output folder of a good build."""
    base = tmp_path_factory.mktemp("good")
    corpus = make_corpus(base / "corpus")
    assert cli.main(["build", "--data", str(corpus), "--out", str(base / "out"), "--quiet", "--jobs", "1"]) == 0
    return base / "out"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus")


@pytest.fixture
def out(tmp_path: Path, good_build: Path) -> Path:
    """An output folder holding a previous good build (it must survive a failed one)."""
    return Path(shutil.copytree(good_build, tmp_path / "out"))


def set_sources(corpus: Path, *lines: str) -> None:
    (corpus / "sources.csv").write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


def digest(corpus: Path, name: str = "demo-2025.txt") -> str:
    return sha((corpus / "raw" / name).read_bytes())


# --- 1. `file` stays inside the data folder ---------------------------------------------------------

@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/hostname", "raw/../../secret.txt", "SECRET"])
def test_a_file_outside_the_data_folder_is_refused_unread(tmp_path, corpus, out, capsys, monkeypatch, value):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for you\n")
    secret_sha = sha(secret.read_bytes())
    value = str(secret) if value == "SECRET" else value
    set_sources(corpus, row("demo-2025", value, ""))  # no checksum: a read file would print its sha256
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read.append(p.resolve()) or real(p))
    err = refused(corpus, out, capsys)
    assert "sources.csv" in err and "outside the data folder" in err and repr(value) in err
    assert "copy the document into" in err and "raw/<its name>" in err
    assert not HEX64.search(err) and secret_sha not in err
    assert secret.resolve() not in read and not any(p.parts[:2] == ("/", "etc") for p in read)


def test_a_symlink_in_raw_leading_outside_is_refused_unread(tmp_path, corpus, out, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for you\n")
    (corpus / "raw" / "demo-2025.txt").unlink()
    (corpus / "raw" / "demo-2025.txt").symlink_to(secret)
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", ""))
    err = refused(corpus, out, capsys)
    assert "demo-2025.txt" in err and "link to a file outside the data folder" in err
    assert "copy the document itself into raw/" in err and not HEX64.search(err)


def test_a_bare_file_name_is_looked_up_in_raw_and_an_empty_checksum_shows_the_right_one(corpus, out, capsys):
    set_sources(corpus, row("demo-2025", "demo-2025.txt", ""))
    err = refused(corpus, out, capsys)
    assert f"record the checksum: sha256 = {digest(corpus)}" in err
    set_sources(corpus, row("demo-2025", "demo-2025.txt", digest(corpus)))
    assert [d.path for d in load_raw_documents(corpus)] == [(corpus / "raw" / "demo-2025.txt").resolve()]


# --- 2. the output folder is replaced whole, under a lock --------------------------------------------

def test_a_build_replaces_the_whole_folder_and_stale_tables_go(corpus, out, capsys):
    manifest = (out / outputs.MANIFEST).read_text(encoding="utf-8")
    tables = sorted(p.name for p in out.iterdir() if p.name != outputs.MANIFEST)
    assert manifest.splitlines()[2:] == tables
    assert (out / outputs.MANIFEST).read_bytes() == outputs.manifest_bytes(tables)
    assert str(out.parent) not in manifest and not re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d", manifest)
    # A table of an earlier build (another corpus with hand coding), listed in its manifest:
    (out / "validation_summary.csv").write_text("metric,value\nx,1\n", encoding="utf-8")
    (out / outputs.MANIFEST).write_bytes(outputs.manifest_bytes([*tables, "validation_summary.csv"]))
    (out / "measures.csv").write_text("stale\n", encoding="utf-8")
    code, _ = run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([outputs.MANIFEST, *tables])
    assert (out / "measures.csv").read_text(encoding="utf-8") != "stale\n"
    assert leftovers(out) == []


def test_an_unchanged_rebuild_touches_nothing(good_build, tmp_path):
    out = Path(shutil.copytree(good_build, tmp_path / "out"))
    files = {p.name: p.read_bytes() for p in out.iterdir() if p.name != outputs.MANIFEST}
    stats = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    assert outputs.write_outputs(out, files, whole_folder=True) == []
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()} == stats
    changed = dict(files, **{"measures.csv": b"changed\n"})
    assert outputs.write_outputs(out, changed, whole_folder=True) == [out / "measures.csv"]
    assert snapshot(out) == {**changed, outputs.MANIFEST: outputs.manifest_bytes(list(files))}


@pytest.mark.parametrize("content", ["no manifest", "manifest and a file it does not list", "a file"])
def test_a_folder_a_build_did_not_write_is_refused(corpus, tmp_path, capsys, content):
    """Without a manifest no file is known to be a build's, whatever its name (issue #23: a user's
    own my_analysis.csv beside documents.csv and measures.csv was deleted); a system file does not count."""
    target = tmp_path / "mine"
    if content == "a file":
        target.write_text("my notes\n", encoding="utf-8")
    else:
        target.mkdir()
        for name, data in [("notes.md", "my notes\n"), ("measures.csv", "mine\n"), (".DS_Store", "\0")]:
            (target / name).write_text(data, encoding="utf-8")
        if content != "no manifest":
            (target / outputs.MANIFEST).write_bytes(outputs.manifest_bytes(["measures.csv"]))
    before = target.read_bytes() if target.is_file() else snapshot(target)
    err = refused(corpus, target, capsys)
    if content == "a file":
        assert f"{target}: the output folder is a file" in err
    else:
        listed = "measures.csv, notes.md" if content == "no manifest" else "notes.md"
        assert f"{target}: the output folder holds files that a build did not write ({listed})" in err
        assert ("has no build manifest" in err) == (content == "no manifest") and "move those files elsewhere" in err
        assert "the tables of an older build without a manifest: delete them" in err
    assert (target.read_bytes() if target.is_file() else snapshot(target)) == before


def at_call(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, n: int, action: Callable[[], object]) -> list:
    """Make the `n`-th call of `owner.name` run `action` first; the calls made."""
    real, calls = getattr(owner, name), []

    def call(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == n:
            action()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, call)
    return calls


# The steps of writing a folder: writing the staging folder (its third file), between the renames
# (the previous folder moved aside, the new one not yet in place), and after the swap (the new folder
# in place, the previous one not yet removed: the first three rmtree calls find nothing, the leftovers
# of an earlier write and the staging folder, moved in).
STEPS = {"staging": (outputs, "_write_file", 3), "between the renames": (os, "rename", 2),
         "after the swap": (shutil, "rmtree", 4)}


def forked(target: Callable[..., None], *args: object) -> multiprocessing.Process:
    """`target(*args)` running in a copy of this process: another build."""
    process = FORK.Process(target=target, args=args)
    process.start()
    return process


def hold_the_lock(out: Path, held: Event, done: Event) -> None:
    with outputs.output_lock(out):
        held.set()
        done.wait(60)


def test_a_second_build_into_the_same_folder_is_refused(corpus, out, capsys):
    before, held, done = snapshot(out), FORK.Event(), FORK.Event()
    holder = forked(hold_the_lock, out, held, done)
    try:
        assert held.wait(60)
        code, err = run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)
        assert code == 2 and f"another build is writing {out}" in err and "fix: wait for it" in err
        with pytest.raises(BuildError, match="another build is writing"):  # also at the write step
            outputs.write_outputs(out, {"a.csv": b"x\n"}, whole_folder=True)
        assert snapshot(out) == before
    finally:
        done.set()
        holder.join(60)
    assert outputs.write_outputs(out, {"a.csv": b"x\n"}, whole_folder=True) == [out / "a.csv"]  # free again


def killed_at(out: Path, files: dict[str, bytes], step: str) -> None:
    """Write `files`, killed at `step` (SIGKILL: none of the writer's clean-up runs)."""
    at_call(pytest.MonkeyPatch(), *STEPS[step], lambda: os.kill(os.getpid(), signal.SIGKILL))
    outputs.write_outputs(out, files, whole_folder=True)


@pytest.mark.parametrize("step, left", [("staging", "previous"), ("between the renames", "aside"),
                                        ("after the swap", "new")])
def test_a_killed_write_leaves_the_previous_tables_and_the_next_build_recovers(good_build, tmp_path, step, left):
    out = Path(shutil.copytree(good_build, tmp_path / "out"))
    old = snapshot(out)
    tables = {name: data for name, data in old.items() if name != outputs.MANIFEST}
    files = {name: data + b"# new\n" for name, data in tables.items()}
    new = {**files, outputs.MANIFEST: outputs.manifest_bytes(list(files))}
    killed = forked(killed_at, out, files, step)
    assert killed.join(120) or killed.exitcode == -signal.SIGKILL
    previous = snapshot(out.parent / f".{out.name}.bizenv-old")
    assert {"previous": snapshot(out) == old, "aside": not out.exists() and previous == old,
            "new": snapshot(out) == new and previous == old}[left]
    assert leftovers(out) != []  # a staging folder, the previous folder
    # The next build puts the previous folder back and removes the rest: an unchanged one writes nothing.
    recovered = outputs.write_outputs(out, tables, whole_folder=True)
    assert recovered == ([] if left != "new" else [out / name for name in sorted(tables)])
    assert snapshot(out) == old and leftovers(out) == []
    outputs.write_outputs(out, files, whole_folder=True)
    assert snapshot(out) == new and leftovers(out) == []


def test_a_failed_swap_puts_the_previous_folder_back(good_build, tmp_path, monkeypatch):
    out = Path(shutil.copytree(good_build, tmp_path / "out"))
    old = snapshot(out)
    calls = at_call(monkeypatch, os, "rename", 2, fail(errno.EIO))  # moving the staging folder in
    with pytest.raises(BuildError, match=f"cannot write {out}: {os.strerror(errno.EIO)}"):
        outputs.write_outputs(out, {p.name: b"new\n" for p in out.iterdir() if p.name != outputs.MANIFEST},
                              whole_folder=True)
    assert len(calls) == 3 and snapshot(out) == old and leftovers(out) == []


def fail(code: int) -> Callable[[], None]:
    def action() -> None:
        raise OSError(code, os.strerror(code))
    return action


# --- 3. --out must not be among the inputs ---------------------------------------------------------------

@pytest.mark.parametrize("where", [".", "raw", "raw/sub", "lexicon", "validation", "validation/x", "..", "other"])
def test_an_output_folder_among_the_inputs_is_refused(tmp_path, corpus, capsys, where):
    (corpus / "lexicon").mkdir()
    (corpus / "validation").mkdir()
    if where == "other":  # another corpus folder: holds sources.csv and raw/
        target = make_corpus(tmp_path / "other")
    else:
        target = corpus / where
    before = snapshot(tmp_path)
    code, err = run(["--data", str(corpus), "--out", str(target), "--quiet"], capsys)
    assert code == 2 and str(target) in err
    assert f"fix: use {corpus / 'processed'} or a folder outside the data folder" in err
    assert snapshot(tmp_path) == before


def test_the_default_output_folder_is_fine(corpus, capsys):
    code, _ = run(["--data", str(corpus), "--quiet"], capsys)
    assert code == 0 and (corpus / "processed" / outputs.MANIFEST).is_file()


# --- 4. ordinary bad input ----------------------------------------------------------------------------------

def test_an_empty_sources_csv(corpus, out, capsys):
    (corpus / "sources.csv").write_bytes(b"")
    err = refused(corpus, out, capsys)
    assert "sources.csv: is empty (0 bytes)" in err and "header row" in err


def test_a_header_only_sources_csv(corpus, out, capsys):
    set_sources(corpus)
    err = refused(corpus, out, capsys)
    assert "sources.csv: has a header but no rows" in err and "add one row per document" in err


@pytest.mark.parametrize("change, fields", [(",extra", 14), ("", 12)])
def test_a_row_with_a_field_too_many_or_too_few_is_named(corpus, out, capsys, change, fields):
    good = row("demo-2025", "raw/demo-2025.txt", digest(corpus))
    bad = good + change if change else good.rsplit(",", 1)[0]
    set_sources(corpus, good.replace("demo-2025", "a", 1), bad)
    err = refused(corpus, out, capsys)
    assert f"sources.csv: line 3: {fields} fields, but the header has 13" in err
    assert "double quotes" in err


def test_ids_differing_only_by_spaces_are_duplicates(corpus, out, capsys):
    (corpus / "raw" / "b.txt").write_text(PLAN, encoding="utf-8")
    d = digest(corpus)
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", d), row(" demo-2025 ", "raw/b.txt", d))
    err = refused(corpus, out, capsys)
    assert "duplicate source_id: demo-2025 (lines 2, 3)" in err and "its own source_id" in err


def test_the_id_of_the_rows_over_every_source_is_refused(corpus, out, capsys):
    set_sources(corpus, row("all", "raw/demo-2025.txt", digest(corpus)))
    err = refused(corpus, out, capsys)
    assert "sources.csv: line 2: source_id 'all' is reserved" in err and "rename it" in err


def test_two_rows_naming_one_file(corpus, out, capsys):
    d = digest(corpus)
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", d), row("other-2025", "demo-2025.txt", d))
    err = refused(corpus, out, capsys)
    assert "sources.csv: lines 2 and 3 both name the file 'demo-2025.txt'" in err and "its own document" in err


@pytest.mark.parametrize("char, message", [("\x00", "line 2: contains a NUL byte"),
                                           ("\x07", "line 2, column title: control character U+0007")])
def test_nul_and_control_characters_in_sources_csv(corpus, out, capsys, char, message):
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)).replace("示例", f"示{char}例"))
    err = refused(corpus, out, capsys)
    assert f"sources.csv: {message}" in err


def test_zero_width_characters_and_boms_in_fields_are_dropped(corpus):
    good = row("demo-2025", "raw/demo-2025.txt", digest(corpus))
    set_sources(corpus, good.replace("demo-2025,", "\ufeffdemo-\u200b2025\u2060,", 1).replace("某市,", "某\u200d市,"))
    [doc] = load_raw_documents(corpus)
    assert doc.source_id == "demo-2025" and doc.meta["place"] == "某市"


def test_an_unclosed_quote_names_the_line(corpus, out, capsys):
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)).replace("示例", '"示例'))
    err = refused(corpus, out, capsys)
    assert "sources.csv: line 2: not valid CSV" in err and "double quotes" in err


@pytest.mark.parametrize("args, env", [(["--jobs", "0"], None), (["--jobs", "-1"], None),
                                       (["--jobs", "abc"], None), ([], "abc"), ([], "0")])
def test_jobs_must_be_a_whole_number_of_at_least_one(corpus, out, capsys, monkeypatch, args, env):
    if env is not None:
        monkeypatch.setenv("BIZENV_JOBS", env)
    before = snapshot(out)
    code, err = run(["--data", str(corpus), "--out", str(out), "--quiet", *args], capsys)
    assert code == 2 and "a whole number ≥ 1" in err and ("BIZENV_JOBS" in err if env else "--jobs" in err)
    assert snapshot(out) == before


def test_more_jobs_than_cores_are_capped(monkeypatch, capsys, tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert workers.usable_jobs(40 * cores) == cores == workers.usable_cores()
    seen = []
    monkeypatch.setattr(cli, "build", lambda data, out, quiet, jobs, **settings: seen.append(jobs))
    assert cli.main(["build", "--out", str(tmp_path / "o"), "--jobs", str(40 * cores)]) == 0
    monkeypatch.setenv("BIZENV_JOBS", str(40 * cores))
    assert cli.main(["build", "--out", str(tmp_path / "o")]) == 0
    assert seen == [cores, cores] and capsys.readouterr().err == ""


def writes_into_read_only_folders() -> bool:
    """True for root (or anyone with CAP_DAC_OVERRIDE): chmod cannot make a folder read-only then."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o555)
        try:
            Path(tmp, "probe").touch()
        except PermissionError:
            return False
        finally:
            os.chmod(tmp, 0o755)
    return True


@pytest.mark.skipif(writes_into_read_only_folders(), reason="this user writes into read-only folders (root)")
@pytest.mark.parametrize("which", ["out", "parent"])
def test_a_read_only_output_folder_or_parent(corpus, out, capsys, which):
    folder = out if which == "out" else out.parent
    folder.chmod(0o555)
    try:
        err = refused(corpus, out, capsys)
    finally:
        folder.chmod(0o755)
    assert f"cannot write {out}" in err and "read-only" in err and "chmod u+w" in err


@pytest.mark.parametrize("which", ["out", "parent"])
def test_a_read_only_output_folder_or_parent_as_the_system_reports_it(corpus, out, capsys, monkeypatch, which):
    folder = (out if which == "out" else out.parent).resolve()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p).resolve() != folder and real(p, mode, **kw))
    err = refused(corpus, out, capsys)
    assert f"cannot write {out}" in err and "read-only" in err and "chmod u+w" in err


@pytest.mark.parametrize("code, fix", [(errno.ENOSPC, "free some disk space"),
                                       (errno.EACCES, "make the folder writable"),
                                       (errno.EROFS, "mounted read-only")])
def test_a_failed_write_leaves_nothing_half_written(corpus, out, capsys, monkeypatch, code, fix):
    calls = at_call(monkeypatch, outputs, "_write_file", 4, fail(code))
    new_plan(corpus)
    err = refused(corpus, out, capsys)
    assert f"cannot write {out}: {os.strerror(code)}" in err and "fix: " in err and fix in err
    assert len(calls) == 4 and leftovers(out) == []


def new_plan(corpus: Path) -> None:
    """The corpus changed: its build has new tables to write."""
    (corpus / "raw" / "demo-2025.txt").write_text(PLAN2, encoding="utf-8")
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)))


def ctrl_c() -> None:
    raise KeyboardInterrupt


def sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # the CLI's handler raises Interrupted here


@pytest.mark.parametrize("step, action, finished", [("staging", ctrl_c, False), ("staging", sigterm, False),
                                                    ("between the renames", sigterm, False),
                                                    ("after the swap", sigterm, True)])
def test_an_interrupted_build_leaves_one_whole_folder_and_says_which(corpus, out, capsys, monkeypatch, step, action,
                                                                     finished):
    handler = signal.getsignal(signal.SIGTERM)
    calls = at_call(monkeypatch, *STEPS[step], action)
    new_plan(corpus)
    before = snapshot(out)
    code, err = run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)
    assert code == 2 and len(calls) >= STEPS[step][2] and leftovers(out) == []
    if finished:
        assert err == f"interrupted; the build had finished: {out} holds the new tables\n"
        assert "新增一条措施" in (out / "measures.csv").read_text(encoding="utf-8")
    else:
        assert err == "interrupted; the output folder was left as it was\n" and snapshot(out) == before
    assert signal.getsignal(signal.SIGTERM) == handler  # main() put the handler back


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_whose_interrupt_a_library_swallows_still_stops_the_build(corpus, out, capsys, monkeypatch, signum):
    """An exception raised in a finaliser is printed and dropped by Python; the build still stops
    at the next stage boundary."""
    from bizenv_analysis.text import clean
    real = clean.clean_document

    def clean_swallowing(*args, **kwargs):
        try:
            os.kill(os.getpid(), signum)
            time.sleep(1)  # the handler runs here and its exception is swallowed below
        except KeyboardInterrupt:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(clean, "clean_document", clean_swallowing)  # a small corpus is cleaned in-process
    before = snapshot(out)
    code, err = run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)
    assert code == 2 and err == "interrupted; the output folder was left as it was\n"
    assert snapshot(out) == before and leftovers(out) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_a_running_build_process(tmp_path, signum):
    """A real process (with worker processes) stopped after stage 1: exit 2, one line, no traceback."""
    corpus = make_corpus(tmp_path / "corpus", PLAN * 3000)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "bizenv_analysis", "build", "--data", str(corpus),
                             "--out", str(out), "--jobs", "2"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().startswith("[1/9]")
    time.sleep(0.2)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    *before, last = err.splitlines()
    assert proc.returncode == 2 and last == "interrupted; the output folder was left as it was"
    assert all(" MB; a build takes about " in line for line in before)  # the 2 MB document is announced
    assert not out.exists() and leftovers(out) == []


def test_an_internal_error_is_one_line_without_a_traceback(monkeypatch, capsys, tmp_path):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "build", broken)
    monkeypatch.delenv("BIZENV_DEBUG", raising=False)
    assert cli.main(["build", "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err == ("internal error: RuntimeError: boom second line, please report it "
                                       "(BIZENV_DEBUG=1 shows the details)\n")
    monkeypatch.setenv("BIZENV_DEBUG", "1")
    assert cli.main(["build", "--out", str(tmp_path / "o")]) == 1
    assert "Traceback" in capsys.readouterr().err


# --- 5. line breaks and invisible characters ------------------------------------------------------------------

def clean(text: str) -> object:
    rules = LEX.chrome
    return clean_document(RawDocument("x-2025", Path("x.txt"), {}, text, len(text.encode())), rules)


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85", "\v", "\f", "\r\n", "\r"])
def test_unicode_line_breaks_split_like_newlines(sep):
    got, want = clean(PLAN.replace("\n", sep)), clean(PLAN)
    assert (got.text, got.removed, got.metadata) == (want.text, want.removed, want.metadata)
    assert split_lines(PLAN.replace("\n", sep)) == PLAN.split("\n")


def test_the_line_check_and_the_cleaner_split_alike():
    text = "a\nb\r\nc\rd\ve\ff\x1cg\x1dh\x1ei\x85j\u2028k\u2029l"
    assert split_lines(text) == text.splitlines() == clean(text).text.split("\n")


def test_ten_megabytes_split_only_by_u2028_behave_like_newline_split_text(tmp_path):
    line = "推进政务服务标准化规范化便利化,压缩企业开办时间。"
    text = "\u2028".join(f"{i}.{line}" for i in range(1, 130_000))
    assert len(text.encode()) > 10_000_000
    corpus = make_corpus(tmp_path / "c", text)
    with pytest.warns(LargeDocumentWarning, match="10.7 MB"):  # announced: over 2 MB
        [doc] = load_raw_documents(corpus)  # no line is over the limit
    got, want = clean(doc.text), clean(text.replace("\u2028", "\n"))
    assert got == want and len(got.text.split("\n")) == 129_999
    (corpus / "raw" / "demo-2025.txt").write_text(text.replace("\u2028", ""), encoding="utf-8")
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)))
    with (pytest.raises(BuildError, match=f"has a line of .* characters \\(limit {MAX_LINE_CHARS}\\)"),
          pytest.warns(LargeDocumentWarning)):
        load_raw_documents(corpus)


def test_zero_width_characters_are_removed_and_counted_not_listed():
    got = clean("一、总则\n1.\u200b深化\u200c改革\u200d。\ufeff\n2.\u2060优化服务。")
    assert got.text.split("\n")[1:] == ["1.深化改革。", "2.优化服务。"]
    assert got.n_invisible == 5 and got.removed == []


# --- 6. spreadsheet formulas ---------------------------------------------------------------------------------------

def test_text_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    df = pd.DataFrame({
        "text": ["=1+1", "+86 20", "- 相关新闻", "@SUM(A1)", "\tx", "\ry", "ok", None],
        "score": [-0.5, 1.0, -2.0, 0.0, 3.5, -1.0, 2.0, None],
        "n": [-1, 2, -3, 4, 5, 6, 7, 8],
        "s": pd.array(["-x", "y", None, "=z", "a", "b", "c", "d"], dtype="string"),
    })
    assert tables.csv_bytes(df).decode() == (
        "text,score,n,s\n'=1+1,-0.5,-1,'-x\n'+86 20,1.0,2,y\n'- 相关新闻,-2.0,-3,\n'@SUM(A1),0.0,4,'=z\n"
        "'\tx,3.5,5,a\n'\ry,-1.0,6,b\nok,2.0,7,c\n,,8,d\n")
    assert df.loc[0, "text"] == "=1+1"  # the caller's frame is untouched
