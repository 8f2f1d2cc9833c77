"""Scale benchmark: build corpora of 100, 300 and 500 documents and time every stage.

Documents are resampled from the real measures (deterministic seeds): each synthetic document
is an action plan with chapters 一、二、… and 8–20 numbered measures, each measure made of
sentences drawn from the real measures. Each size runs in its own process, so peak memory
(max RSS) is per size. The same process also times bare `jieba.lcut` (a fresh
`jieba.Tokenizer`, one core) over the same raw text, before and after the build, and keeps
the faster run: the floor any Chinese text pipeline pays. Writes `benchmarks/results.md`.

    python benchmarks/scale.py            # all sizes
    python benchmarks/scale.py --sizes 50 # one size
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bizenv_analysis.analysis.clusters import SELECTION_SAMPLE
from bizenv_analysis.steps import STEPS

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 300, 500)
CN = "一二三四五六七八九十"
SENTENCE = re.compile(r"(?<=[。；;])")
STAGES = [*(step.name for step in STEPS), "write"]  # the build's timings: one per step, then the writing


def sentence_pool() -> tuple[list[str], list[int]]:
    """The real measures' sentences, and each measure's sentence count (for realistic lengths)."""
    measures = pd.read_csv(ROOT / "data" / "processed" / "measures.csv", keep_default_na=False)
    split = [[s for s in SENTENCE.split(t.replace("\n", "")) if s.strip()]
             for t in measures.loc[measures["kind"] == "measure", "text"]]
    return [s for sents in split for s in sents], [len(sents) for sents in split]


def make_corpus(folder: Path, n_docs: int, seed: int = 7) -> int:
    """Write n_docs synthetic plans (sources.csv + raw/) into folder; returns total bytes.

    Each measure takes the sentence count of a random real measure and that many sentences
    drawn from all real measures, so measure texts are (almost surely) distinct: a cache keyed
    on the text cannot flatter the timings.
    """
    pool, lengths = sentence_pool()
    rng = np.random.default_rng(seed + n_docs)
    (folder / "raw").mkdir(parents=True)
    rows, total = [], 0
    for d in range(n_docs):
        n_measures = int(rng.integers(8, 21))
        lines, num = [f"示例市优化营商环境行动方案(第{d + 1}号)"], 0
        for c, chunk in enumerate(np.array_split(np.arange(n_measures), 3)):
            lines.append(f"{CN[c]}、重点任务{CN[c]}")
            for _ in chunk:
                num += 1
                picks = rng.choice(len(pool), lengths[rng.integers(len(lengths))], replace=False)
                lines.append(f"{num}." + "".join(pool[i] for i in picks))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        total += len(data)
        sid = f"bench-{d + 1:04d}"
        (folder / "raw" / f"{sid}.txt").write_bytes(data)
        rows.append({"source_id": sid, "file": f"raw/{sid}.txt", "title": lines[0], "issuer": "示例市人民政府",
                     "place": "示例市", "admin_level": "city", "province": "示例省", "date": f"{2015 + d % 10}-01-01",
                     "date_note": "synthetic", "doc_type": "action_plan", "script": "simplified",
                     "sha256": hashlib.sha256(data).hexdigest()})
    pd.DataFrame(rows).to_csv(folder / "sources.csv", index=False)
    return total


def bare_jieba(texts: list[str]) -> float:
    """Seconds for plain `jieba.lcut` over the texts (dictionary loading not counted)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    t0 = time.perf_counter()
    for text in texts:
        tk.lcut(text)
    return time.perf_counter() - t0


def used_mb() -> float:
    """Memory in use on the whole machine (MemTotal − MemAvailable), in MB; 0 off Linux."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    except OSError:
        return 0.0
    return (int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024


class MemorySampler(threading.Thread):
    """Peak rise of the machine's memory in use over `base` (taken before this process started):
    the whole process tree, shared pages counted once (summing RSS would count forked pages twice)."""

    def __init__(self, base: float) -> None:
        super().__init__(daemon=True)
        self.base, self.peak, self.done = base, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, used_mb() - self.base)


def run_one(folder: Path, base_mb: float) -> dict:
    """Build one corpus in this process; time stages and bare jieba; report peak memory."""
    from bizenv_analysis import build
    from bizenv_analysis.base.workers import usable_jobs

    texts = [p.read_text(encoding="utf-8") for p in sorted((folder / "raw").glob("*.txt"))]
    sampler = MemorySampler(base_mb)
    sampler.start()
    before = bare_jieba(texts)
    t0 = time.perf_counter()
    result = build(folder, folder / "processed", quiet=True)
    total = time.perf_counter() - t0
    # joblib keeps its worker processes for the next call; stop them so that their peak memory
    # is counted in RUSAGE_CHILDREN (which only holds children that have ended).
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)
    sampler.done.set()
    sampler.join()
    return {"timings": result.timings, "total": total, "bare_jieba": min(before, bare_jieba(texts)),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "process_tree_mb": sampler.peak,
            "n_measures": len(result.tables["measures.csv"]), "jobs": usable_jobs()}


def markdown_table(df: pd.DataFrame) -> str:
    """A pipe table (no extra dependency)."""
    head = "| " + " | ".join(df.columns) + " |"
    rule = "|" + "|".join("---:" for _ in df.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-mb", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.base_mb)))
        return
    rows, jobs = [], 1
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            nbytes = make_corpus(Path(tmp), n)
            out = subprocess.run([sys.executable, __file__, "--one", tmp, "--base-mb", str(used_mb())],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            r = json.loads(out.stdout.strip().splitlines()[-1])
        jobs = r["jobs"]
        mb = nbytes / 1e6
        rest = r["total"] - r["timings"]["k_selection"]
        row = {"documents": n, "measures": r["n_measures"], "MB": round(mb, 2)}
        row |= {f"{s} s": round(r["timings"].get(s, 0.0), 2) for s in STAGES}
        row |= {"build s": round(r["total"], 2), "MB/s": round(mb / r["total"], 3),
                "bare jieba s": round(r["bare_jieba"], 2), "build ÷ jieba": round(r["total"] / r["bare_jieba"], 1),
                "build without k choice ÷ jieba": round(rest / r["bare_jieba"], 1),
                "peak MB": round(r["peak_mb"]), "worker peak MB": round(r["worker_peak_mb"]),
                "process tree MB": round(r["process_tree_mb"])}
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows)
    lines = ["# Scale benchmark", "",
             "`make bench` (`python benchmarks/scale.py`): synthetic action plans of 8–20 measures, each",
             "measure made of sentences resampled from the real measures, so no two measure texts repeat.",
             f"One process per size, {jobs} worker processes (all cores); wall-clock seconds on this machine.",
             "`bare jieba` is plain `jieba.lcut` over the same raw text in the same process, on one core",
             "(the faster of a run before and after the build). `k selection` is the clustering grid (2 methods",
             "× 13 values of k × 10 seeds, on at most 600 measures): a fixed cost whatever the corpus size.",
             "Peak memory is the main process's maximum RSS, and the largest worker's; `process tree` is the",
             "peak rise of the machine's memory in use from before the size's process started (main process",
             "and joblib's workers together). Every document is its own source, so a size of N documents",
             "compares N sources (similarity is then tested as the mean over all pairs only).", "",
             "Targets (issue #11): build time grows linearly; the whole build within 1.5× of bare jieba at",
             "300–500 documents; peak memory under 1 GB.", "",
             markdown_table(table), "", *growth(table), ""]
    (ROOT / "benchmarks" / "results.md").write_text("\n".join(lines), encoding="utf-8")


def line(x: pd.Series, y: pd.Series) -> tuple[float, float, float]:
    """Least-squares intercept, slope and R² of y on x."""
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    return float(intercept), float(slope), float(1 - (resid ** 2).sum() / ((y - y.mean()) ** 2).sum())


def growth(table: pd.DataFrame) -> list[str]:
    """How build time grows with corpus size: the k-selection grid apart, then the rest."""
    if len(table) < 3:
        return []
    rest = table["build s"] - table["k_selection s"]
    a, b, r2 = line(table["MB"], rest)
    grid = table["k_selection s"]
    resampling = (table["compare s"] + table["findings s"]) / table["build s"]
    tok = table["tokens s"] / table["bare jieba s"]
    return [f"Growth: the build without the k-selection grid takes {a:.2f} s + {b:.2f} s per MB (least squares",
            f"over the sizes, R² = {r2:.3f}); the grid takes {grid.min():.1f}–{grid.max():.1f} s at every size",
            f"(it runs on at most {SELECTION_SAMPLE} measures). The comparisons and findings, which draw 2,000",
            "shuffles and 2,000 bootstrap resamples for every table, take "
            f"{resampling.min():.0%}–{resampling.max():.0%} of the build.", "",
            f"The 1.5× target is {'met' if table['build ÷ jieba'].max() <= 1.5 else 'not met'}: the build is "
            f"{table['build ÷ jieba'].min()}–{table['build ÷ jieba'].max()}× bare jieba. Tokenising (on every core)",
            f"costs {tok.min():.1f}–{tok.max():.1f}× bare jieba on one; the rest is the statistics the study reports",
            "(a fixed-cost k grid, and resampling-based intervals and tests that grow with the corpus) and the",
            "coders, which bare tokenising does not do. `benchmarks/k_selection.md` shows where the grid's time goes."]


if __name__ == "__main__":
    main()
