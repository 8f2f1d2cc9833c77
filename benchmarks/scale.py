"""Scale benchmark: build corpora of 50, 200 and 500 documents and time every stage.

Documents are resampled from the real measures (deterministic seeds): each synthetic document
is an action plan with chapters 一、二、… and 8–20 numbered measures drawn from the corpus.
Each size runs in its own process, so peak memory (max RSS) is per size. The same process
also times bare `jieba.lcut` (a fresh `jieba.Tokenizer`) over the same raw text, the floor
any Chinese text pipeline pays. Writes `benchmarks/results.md`.

    python benchmarks/scale.py            # all sizes
    python benchmarks/scale.py --sizes 50 # one size
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SIZES = (50, 200, 500)
CN = "一二三四五六七八九十"
STAGES = ["sources", "clean", "measures", "tokens", "clusters", "themes", "compare", "write"]


def make_corpus(folder: Path, n_docs: int, seed: int = 7) -> int:
    """Write n_docs synthetic plans (sources.csv + raw/) into folder; returns total bytes."""
    measures = pd.read_csv(ROOT / "data" / "processed" / "measures.csv", keep_default_na=False)
    measures = measures[measures["kind"] == "measure"].reset_index(drop=True)
    rng = np.random.default_rng(seed + n_docs)
    (folder / "raw").mkdir(parents=True)
    rows, total = [], 0
    for d in range(n_docs):
        picks = rng.choice(len(measures), rng.integers(8, 21), replace=False)
        lines, num = [f"示例市优化营商环境行动方案(第{d + 1}号)"], 0
        for c, chunk in enumerate(np.array_split(picks, 3)):
            lines.append(f"{CN[c]}、重点任务{CN[c]}")
            for i in chunk:
                num += 1
                lines.append(f"{num}." + measures.at[i, "text"].replace("\n", ""))
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


def run_one(folder: Path) -> dict:
    """Build one corpus in this process; time stages and bare jieba; report peak memory."""
    import jieba

    from bizenv_analysis import build

    texts = [p.read_text(encoding="utf-8") for p in sorted((folder / "raw").glob("*.txt"))]
    t0 = time.perf_counter()
    result = build(folder, folder / "processed", quiet=True)
    total = time.perf_counter() - t0
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    t1 = time.perf_counter()
    for text in texts:
        tk.lcut(text)
    bare = time.perf_counter() - t1
    return {"timings": result.timings, "total": total, "bare_jieba": bare,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "n_measures": len(result.tables["measures.csv"])}


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
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            nbytes = make_corpus(Path(tmp), n)
            out = subprocess.run([sys.executable, __file__, "--one", tmp], capture_output=True, text=True,
                                 check=True, cwd=ROOT)
            r = json.loads(out.stdout.strip().splitlines()[-1])
        mb = nbytes / 1e6
        row = {"documents": n, "measures": r["n_measures"], "MB": round(mb, 2)}
        row |= {f"{s} s": round(r["timings"].get(s, 0.0), 2) for s in STAGES}
        row |= {"build s": round(r["total"], 2), "MB/s": round(mb / r["total"], 3),
                "bare jieba s": round(r["bare_jieba"], 2), "build ÷ jieba": round(r["total"] / r["bare_jieba"], 1),
                "peak MB": round(r["peak_mb"])}
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows)
    lines = ["# Scale benchmark", "",
             "`make bench` (`python benchmarks/scale.py`): synthetic action plans resampled from the real measures",
             "(8–20 measures each), one process per size; times are wall-clock seconds on this machine",
             "(2 cores). `build ÷ jieba` compares the whole build with bare `jieba.lcut` over the same text in the",
             "same process. Targets: linear growth, build within 1.5× of bare jieba at 500 documents, peak",
             "memory under 1 GB.", "", markdown_table(table), ""]
    (ROOT / "benchmarks" / "results.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
