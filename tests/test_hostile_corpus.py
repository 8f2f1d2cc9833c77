"""A careful user's worst day (issue #23): rule patterns that would hang, corpus files that lead
outside the corpus, a Dask address of another service, an output folder holding the user's own
files, a huge document, a killed build's workers, and invisible control characters in the text.

Every case ends in exit 2 with the file and the fix, or in a successful build; never in exit 1,
a traceback, or a build of more than a minute. Corpora are built in tmp_path (`test_input_safety`).
"""

from __future__ import annotations

import builtins
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pandas as pd
import pytest
from test_input_safety import HEX64, PLAN, digest, make_corpus, refused, row, run, set_sources, snapshot

from bizenv_analysis.base.paths import DATA, LEXICON, ROOT
from bizenv_analysis.io import outputs, sources
from bizenv_analysis.rules import backtracking
from bizenv_analysis.rules.lexicon import Lexicon
from bizenv_analysis.text.clean import CONTROL, CONTROL_RULE

# --- 1. rule patterns cannot hang a build ------------------------------------------------------------

# The three patterns: bounded, so the old nesting check passed them, yet on the lines below
# Python's re would backtrack for hours (a^n against (a+){25}$ tries every split of n into 25 parts).
HANGING = {
    "(a+){25}$": "a" * 60 + "!",
    "(a?){34}a{34}": "a" * 34,
    "(.*的){12}XYZ": "的" * 60,
}


@pytest.mark.parametrize("pattern", list(HANGING))
@pytest.mark.parametrize("name, header", [
    ("theme_rules.csv", "theme_id,field,pattern,weight,exclude,note\nopenness,text,{},2,,\n"),
    ("chrome.csv", "rule_id,action,pattern,condition,note\nslow,drop,{},,\n"),
    ("target_topics.csv", "applies_to,pattern,note,label_en\n开办企业,{},,starting a business\n"),
])
def test_a_rule_pattern_with_an_exponential_worst_case_is_refused_when_the_rules_are_read(
        tmp_path, capsys, pattern, name, header):
    corpus = make_corpus(tmp_path / "corpus", PLAN + HANGING[pattern] + "\n")
    (corpus / "lexicon").mkdir()
    (corpus / "lexicon" / name).write_text(header.format(pattern), encoding="utf-8")
    start = time.perf_counter()
    err = refused(corpus, tmp_path / "out", capsys)
    assert time.perf_counter() - start < 20
    assert f"{corpus / 'lexicon' / name}: line 2: pattern `{pattern}` could take too long to match" in err
    assert "fix: bound the repeats (.{0,20} rather than .*)" in err


@pytest.mark.parametrize("pattern, degree, factor", [
    ("(a+){25}$", 24, 1),  # 25 copies of a+ in a row: every split of a line into 25 parts
    ("(.*的){12}XYZ", 11, 1),  # .* takes 的 too, so 的 does not separate the copies
    ("(.*融资){12}XYZ", 11, 1),  # nor does a word: every character of it is one .* can take
    ("(a?){34}a{34}", 0, 2**34),  # 34 independent choices of 0 or 1 character
    (".*.*.*x", 2, 1),
    (r"\d+\.\d+", 0, 1),  # . separates the two repeats: one way only
    (r"(?:\d+、){0,5}", 0, 6),  # 、 separates the copies; only their number is a choice
    ("a*b*a*", 1, 1),  # b* can match nothing, so the two a* trade characters
    ("(?:ab){0,30}", 0, 1),
])
def test_the_estimate_counts_the_ways_repeats_can_split_a_line(pattern, degree, factor):
    est = backtracking.estimate(pattern)
    assert (est.degree, est.factor, est.exponential) == (degree, factor, False)


@pytest.mark.parametrize("pattern, refused_", [
    ("(a+){25}$", True), ("(a?){34}a{34}", True), ("(.*的){12}XYZ", True), ("(.*的){0,12}XYZ", True),
    (".*.*.*x", True), ("(?:a{1,2})+$", True), ("(?:a?a?)+$", True), ("(?:a{1,3})+b", True), ("(a|a){30}$", True),
    ("(a*a*b){6}$", True),
    (".*.*x", False), ("^.*.*.*x", False), ("(a+){2}", False), (r"(?:\d{1,3},)+$", False), ("a+b+c*", False),
    (r"^附件[:：]?\s*\d*[.．]?\s*(?P<attachment>.+\.(xls|xlsx|doc|docx|pdf|wps|zip))$", False),  # bundled chrome.csv
])
def test_which_patterns_are_too_slow(pattern, refused_):
    assert (backtracking.too_slow(pattern) is not None) == refused_


def test_a_refused_pattern_is_slow_in_fact_and_a_passed_one_is_not():
    """The estimate against the clock, on small lines: (a?){n}a{n} doubles its time with each n
    (the check refuses n = 34), while ^.*.*.*x, which the check passes, stays under a second on
    a 300-character line built to be its worst case."""
    import re

    def seconds(pattern: str, text: str) -> float:
        compiled = re.compile(pattern)
        start = time.perf_counter()
        compiled.search(text)
        return time.perf_counter() - start

    small, larger = (seconds(f"(a?){{{n}}}a{{{n}}}", "a" * n) for n in (12, 20))
    assert larger > 20 * small  # 2^8 = 256 times the ways
    assert backtracking.estimate("(a?){20}a{20}").factor == 2**20
    assert seconds("^.*.*.*x", "a" * 300) < 1


def test_every_bundled_rule_loads_under_the_bound():
    lex = Lexicon.load(DATA)  # every pattern of every bundled file is checked here
    assert lex.codebook.rules
    steps = [backtracking.estimate(p).steps() for p in pd.read_csv(LEXICON / "theme_rules.csv")["pattern"]]
    assert max(steps) <= backtracking.MAX_STEPS


# --- 2. corpus files that lead outside the corpus ------------------------------------------------------

SECRET = "top secret first line,not for the error message\n"


@pytest.mark.parametrize("where", ["lexicon/theme_rules.csv", "lexicon", "sources.csv", "validation/coding_a.csv",
                                   "validation/round1", "pmc_overrides.csv"])
def test_a_corpus_file_linked_outside_the_corpus_is_refused_unread(tmp_path, capsys, monkeypatch, where):
    corpus = make_corpus(tmp_path / "corpus")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "theme_rules.csv").write_text(SECRET, encoding="utf-8")
    (outside / "coding_a.csv").write_text(SECRET, encoding="utf-8")
    target = outside / Path(where).name
    if where in ("lexicon", "validation/round1"):
        target = outside  # a whole folder
    link = corpus / where
    link.parent.mkdir(parents=True, exist_ok=True)
    if where == "sources.csv":
        (outside / "sources.csv").write_bytes(link.read_bytes())
        link.unlink()
        target = outside / "sources.csv"
    if where == "pmc_overrides.csv":
        target = outside / "theme_rules.csv"
    link.symlink_to(target)
    opened: list[Path] = []
    real_open, real_read = builtins.open, Path.read_bytes
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: opened.append(Path(str(f)).resolve()) or
                        real_open(f, *a, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda p: opened.append(p.resolve()) or real_read(p))
    err = refused(corpus, tmp_path / "out", capsys)
    assert f"{link}: is a link to a file or folder outside the data folder" in err
    assert f"fix: copy the file itself into {link.parent} instead of linking to it" in err
    assert "top secret" not in err and str(outside) not in err
    assert not any(p.is_relative_to(outside.resolve()) for p in opened)


def test_links_inside_the_corpus_and_to_the_bundled_lexicon_are_read(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "shared").mkdir()
    (corpus / "shared" / "stopwords.txt").write_text("的\n", encoding="utf-8")
    (corpus / "lexicon").mkdir()
    (corpus / "lexicon" / "stopwords.txt").symlink_to(corpus / "shared" / "stopwords.txt")
    (corpus / "lexicon" / "chrome.csv").symlink_to(LEXICON / "chrome.csv")
    code, err = run(["--data", str(corpus), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    assert code == 0, err
    lex = Lexicon.load(corpus)
    assert (lex.origin("stopwords.txt"), lex.origin("chrome.csv")) == ("own", "bundled")


# --- 3. a Dask address of another service ---------------------------------------------------------------

def _silent_server() -> tuple[socket.socket, int]:
    """A TCP server on a free port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("address", ["http://127.0.0.1:8786", "https://scheduler:8786", "tcp://"])
def test_a_dask_address_distributed_does_not_speak_is_refused_before_connecting(tmp_path, capsys, address):
    pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")
    start = time.perf_counter()
    err = refused(make_corpus(tmp_path / "corpus"), tmp_path / "out", capsys, "--dask", address)
    assert time.perf_counter() - start < 15
    assert f"--dask {address!r}" in err and "fix: give the scheduler's address, e.g. tcp://host:8786" in err


def test_a_port_where_another_service_listens_ends_the_build_in_seconds(tmp_path):
    """The whole CLI in a process of its own, against a server that accepts and stays silent:
    distributed alone would wait for the scheduler's handshake for ever."""
    pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")
    server, port = _silent_server()
    corpus = make_corpus(tmp_path / "corpus")
    start = time.perf_counter()
    try:
        run_ = subprocess.run([sys.executable, "-m", "bizenv_analysis", "build", "--data", str(corpus),
                               "--out", str(tmp_path / "out"), "--quiet", "--dask", f"tcp://127.0.0.1:{port}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        server.close()
    # about 10 s on an idle machine (start-up and imports, then the 5 s handshake limit); the
    # margin is for a machine busy with other builds. Without the limit it waited for minutes.
    assert time.perf_counter() - start < 30
    assert run_.returncode == 2 and "Traceback" not in run_.stderr
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: no Dask scheduler answered" in run_.stderr
    assert "fix: check the address" in run_.stderr and not (tmp_path / "out").exists()


def test_the_handshake_limit_itself_is_seconds():
    pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")
    from dask.utils import parse_timedelta

    from bizenv_analysis.base import workers
    from bizenv_analysis.base.errors import BuildError

    server, port = _silent_server()
    start = time.perf_counter()
    try:
        with pytest.raises(BuildError, match="no Dask scheduler answered within"), \
                workers.on_cluster(f"tcp://127.0.0.1:{port}"):
            pass
    finally:
        server.close()
    assert time.perf_counter() - start < parse_timedelta(workers.CONNECT_TIMEOUT) + 3


def test_an_http_server_at_the_dask_address_is_a_clear_error(tmp_path, capsys):
    pytest.importorskip("distributed", reason="the optional dask[distributed] extra is not installed")

    class Quiet(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.perf_counter()
        err = refused(make_corpus(tmp_path / "corpus"), tmp_path / "out", capsys,
                      "--dask", f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert time.perf_counter() - start < 15
    assert "cannot reach the Dask scheduler" in err and "an HTTP server say, does not answer as one" in err


# --- 4. the output folder holds the user's own files ------------------------------------------------------

@pytest.mark.parametrize("manifest", [False, True])
def test_a_folder_with_a_file_the_build_did_not_write_is_refused_and_kept(tmp_path, capsys, manifest):
    target = tmp_path / "analysis"
    target.mkdir()
    (target / "documents.csv").write_text("source_id\nx\n", encoding="utf-8")
    (target / "measures.csv").write_text("measure_id\nx:1\n", encoding="utf-8")
    (target / "my_analysis.csv").write_text("my,own\n1,2\n", encoding="utf-8")
    if manifest:
        (target / outputs.MANIFEST).write_bytes(outputs.manifest_bytes(["documents.csv", "measures.csv"]))
    err = refused(make_corpus(tmp_path / "corpus"), target, capsys)
    named = "my_analysis.csv" if manifest else "documents.csv, measures.csv, my_analysis.csv"
    assert f"{target}: the output folder holds files that a build did not write ({named})" in err
    assert ("has no build manifest" in err) != manifest
    assert (target / "my_analysis.csv").read_text(encoding="utf-8") == "my,own\n1,2\n"


def test_a_hidden_file_of_the_user_in_a_build_folder_is_refused_a_system_file_is_not(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    assert run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)[0] == 0
    (out / ".DS_Store").write_bytes(b"\0")
    (corpus / "raw" / "demo-2025.txt").write_text(PLAN + "6.新增一条措施。\n", encoding="utf-8")
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)))
    assert run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)[0] == 0  # replaced
    (out / ".my-notes").write_text("mine\n", encoding="utf-8")
    err = refused(corpus, out, capsys)
    assert "a build did not write (.my-notes)" in err


# --- 5. a huge document -------------------------------------------------------------------------------------------

def test_a_document_over_the_hard_limit_is_refused_unread(tmp_path, capsys, monkeypatch):
    corpus = make_corpus(tmp_path / "corpus")
    doc = corpus / "raw" / "demo-2025.txt"
    with open(doc, "wb") as f:  # a sparse file: the limit's worth of bytes on no disk space
        f.truncate(sources.MAX_DOCUMENT_BYTES + 1)
    read: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read.append(p.resolve()) or real(p))
    err = refused(corpus, tmp_path / "out", capsys)
    mb = (sources.MAX_DOCUMENT_BYTES + 1) / 1e6
    assert f"{doc}: the document of demo-2025 is {mb:.1f} MB, over the limit of " in err
    assert "fix: split it into one file per document" in err and not HEX64.search(err)
    assert doc.resolve() not in read


def test_a_large_document_is_announced_at_once_with_its_size_and_time(tmp_path, capsys, monkeypatch):
    """The limit lowered to the test plan's size, so the warning's build takes a second."""
    corpus = make_corpus(tmp_path / "corpus")
    size = (corpus / "raw" / "demo-2025.txt").stat().st_size
    monkeypatch.setattr(sources, "LARGE_DOCUMENT_BYTES", size - 1)
    code, err = run(["--data", str(corpus), "--out", str(tmp_path / "out")], capsys)
    assert code == 0
    line = sources.large_document(corpus / "raw" / "demo-2025.txt", size, "demo-2025")
    assert err.count(line) == 1 and f"{size / 1e6:.1f} MB" in line and "minutes more" in line
    assert f"{sources.SECONDS_PER_MB} s a MB" in line


# --- 6. workers end with their build ------------------------------------------------------------------------------

def test_workers_exit_when_their_build_is_killed(tmp_path):
    psutil = pytest.importorskip("psutil")
    corpus = make_corpus(tmp_path / "corpus", PLAN * 3000)
    proc = subprocess.Popen([sys.executable, "-m", "bizenv_analysis", "build", "--data", str(corpus),
                             "--out", str(tmp_path / "out"), "--jobs", "2", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 50
    workers: list = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = [p for p in parent.children(recursive=True) if "popen_loky_posix" in _cmdline(psutil, p)]
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    children = parent.children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert len(workers) >= 2, "the build started no worker processes"
    _, alive = psutil.wait_procs(children, timeout=5)  # the workers and loky's resource tracker
    # a zombie has exited: it only waits for its new parent (init) to collect its status
    alive = [p for p in alive if _status(psutil, p) != psutil.STATUS_ZOMBIE]
    assert alive == [], [_cmdline(psutil, p) for p in alive]


def _cmdline(psutil, p) -> str:
    """A process's command line, "" once it has exited (a zombie or gone: it has none to read)."""
    try:
        return " ".join(p.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess, psutil.AccessDenied):
        return ""


def _status(psutil, p) -> str:
    try:
        return p.status()
    except psutil.NoSuchProcess:
        return psutil.STATUS_ZOMBIE  # gone altogether


# --- 7. control and bidirectional formatting characters in raw text ---------------------------------------------

BIDI_PLAN = PLAN.replace("推进政务服务事项", "推进\u202e政务\u202c服务\u202e事项").replace(
    "推行告知承诺制", "推行\u2066告知\u2069承诺\x07制\x9b")


def test_control_and_bidi_characters_are_removed_by_cleaning_and_listed(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", BIDI_PLAN)
    out = tmp_path / "out"
    code, err = run(["--data", str(corpus), "--out", str(out), "--quiet"], capsys)
    assert code == 0, err
    removed = pd.read_csv(out / "removed.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    controls = removed[removed["rule"] == CONTROL_RULE]
    assert controls[["line", "text"]].values.tolist() == [["4", "U+202E×2 U+202C"],
                                                          ["5", "U+2066 U+2069 U+0007 U+009B"]]
    for name in ("documents.csv", "measures.csv", "removed.csv", "tokens.csv"):
        assert not CONTROL.search((out / name).read_text(encoding="utf-8")), name
    measures = pd.read_csv(out / "measures.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert measures["text"].str.contains("推进政务服务事项全程网办").any()
    assert pd.read_csv(out / "documents.csv", encoding="utf-8-sig")["n_lines_removed"].tolist() == [0]


def test_the_bundled_texts_hold_no_control_characters_so_their_tables_do_not_change():
    for path in sorted((DATA / "raw").iterdir()):
        assert not CONTROL.search(path.read_text(encoding="utf-8")), path.name
    removed = pd.read_csv(DATA / "processed" / "removed.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")
    assert CONTROL_RULE not in set(removed["rule"])


def test_a_bidi_override_in_a_sources_field_is_refused(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    set_sources(corpus, row("demo-2025", "raw/demo-2025.txt", digest(corpus)).replace("示例", "示\u202e例"))
    before = snapshot(tmp_path / "out")
    err = refused(corpus, tmp_path / "out", capsys)
    assert "line 2, column title: bidirectional formatting character U+202E" in err
    assert snapshot(tmp_path / "out") == before
    assert os.path.basename(str(corpus / "sources.csv")) in err


def test_the_readmes_state_the_limits_the_code_applies():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"a document over {sources.MAX_DOCUMENT_BYTES / 1e6:.0f} MB (`io.sources.MAX_DOCUMENT_BYTES`" in readme
    assert f"one over {sources.LARGE_DOCUMENT_BYTES / 1e6:.0f} MB is announced at once" in readme
    lexicon_readme = (LEXICON / "README.md").read_text(encoding="utf-8")
    assert f"one line of {backtracking.LINE_CHARS:,} characters" in lexicon_readme
    for pattern in ("(a+){25}$", "(.*的){12}XYZ", "(a?){34}a{34}", ".*.*.*x"):  # said to be refused
        assert f"`{pattern}`" in lexicon_readme and backtracking.too_slow(pattern)
    for pattern in (".*.*x", "^.*.*.*x"):  # said to pass
        assert f"`{pattern}`" in lexicon_readme and backtracking.too_slow(pattern) is None
