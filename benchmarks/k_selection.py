"""Where the k-selection grid's time goes, and how many seeds a stable choice needs.

On the bundled corpus's compared measures (data/processed/tokens.csv), one core:
- seconds per part of the grid (k-means fits, NMF fits, silhouettes, adjusted Rand indices)
  and the NMF solver's iterations;
- whether NMF's partitions are converged at the tolerance the grid uses (1e-4 against 1e-6);
- how often the stated rule (`clusters.choose_k`) picks the same method and k with fewer seeds:
  the grid is fitted once with 20 seeds, then the rule is applied to random subsets of them.
Writes `benchmarks/k_selection.md`.

    python benchmarks/k_selection.py
"""

from __future__ import annotations

import random
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

from bizenv_analysis.analysis import clusters
from bizenv_analysis.io import tables
from bizenv_analysis.text.dtm import Dtm
from bizenv_analysis.text.measures import compared

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("kmeans_lsa", "nmf")
ALL_SEEDS = 20
SUBSETS = 30  # random subsets of the seeds per size


def matrix() -> clusters.TfidfModel:
    processed = ROOT / "data" / "processed"
    tokens = tables.load("tokens", processed)
    keep = set(compared(tables.load("measures", processed))["measure_id"])
    tokens = tokens[tokens["measure_id"].isin(keep)]
    return clusters.fit_tfidf(Dtm.from_tokens(tokens))


def fit_all(x, z, seeds: list[int]) -> tuple[dict[tuple[str, int], list[np.ndarray]], Counter[str], list[int]]:
    """Every method × k × seed partition, the CPU seconds of each method, and NMF's iterations."""
    fits: dict[tuple[str, int], list[np.ndarray]] = {}
    spent: Counter[str] = Counter()
    iterations = []
    for method in METHODS:
        for k in clusters.K_RANGE:
            for seed in seeds:
                t0 = time.process_time()
                if method == "nmf":
                    nmf = NMF(k, init="nndsvdar", random_state=seed, max_iter=1000)
                    labels = nmf.fit_transform(x).argmax(axis=1)
                    iterations.append(nmf.n_iter_)
                else:
                    labels = clusters.partition(method, x, z, k, seed)
                spent[method] += time.process_time() - t0
                fits.setdefault((method, k), []).append(labels)
    return fits, spent, iterations


def scoring_cost(fits: dict[tuple[str, int], list[np.ndarray]], x, grid: int, spent: Counter[str]) -> None:
    """The CPU seconds of the grid's silhouettes and adjusted Rand indices, added to `spent`."""
    t0 = time.process_time()
    for labs in fits.values():
        for lab in labs[:grid]:
            silhouette_score(x, lab, metric="cosine")
    spent["silhouette"] = time.process_time() - t0
    t0 = time.process_time()
    for labs in fits.values():
        for a, b in combinations(labs[:grid], 2):
            adjusted_rand_score(a, b)
    spent["adjusted Rand"] = time.process_time() - t0


def tolerance_check(x, seeds: list[int]) -> tuple[Counter[float], int]:
    """How many NMF partitions at tol 1e-3 and 1e-4 differ from the tol 1e-6 fit, of how many."""
    changed: Counter[float] = Counter()
    total = 0
    for k in clusters.K_RANGE:
        for seed in seeds[:3]:
            fit = {tol: NMF(k, init="nndsvdar", random_state=seed, max_iter=5000, tol=tol).fit_transform(x)
                   for tol in (1e-3, 1e-4, 1e-6)}
            total += 1
            for tol in (1e-3, 1e-4):
                changed[tol] += adjusted_rand_score(fit[tol].argmax(axis=1), fit[1e-6].argmax(axis=1)) < 1
    return changed, total


def main() -> None:
    model = matrix()
    x = model.matrix
    z = clusters.lsa(x)
    seeds = [clusters.SEED + i for i in range(ALL_SEEDS)]
    grid = clusters.N_SEEDS  # the grid the build runs uses the first N_SEEDS seeds
    with threadpool_limits(limits=1):
        fits, spent, iterations = fit_all(x, z, seeds)
        scoring_cost(fits, x, grid, spent)
        changed, total = tolerance_check(x, seeds)

    def choice(idx: list[int]) -> tuple[str, int]:
        rows = [clusters.selection_row(m, k, [fits[m, k][i] for i in idx], x) for m in METHODS
                for k in clusters.K_RANGE]
        return clusters.choose_k(pd.DataFrame(rows))

    reference = choice(list(range(ALL_SEEDS)))
    grid_choice = choice(list(range(clusters.N_SEEDS)))
    rng = random.Random(0)
    rows = []
    for size in (3, 5, 8, 10, 15):
        picks = Counter(choice(rng.sample(range(ALL_SEEDS), size)) for _ in range(SUBSETS))
        rows.append({"seeds": size, "same as 20 seeds": f"{picks[reference]}/{SUBSETS}",
                     "choices": ", ".join(f"{m} k={k} ({n})" for (m, k), n in picks.most_common())})

    per_fit = {m: spent[m] / (len(clusters.K_RANGE) * ALL_SEEDS) for m in METHODS}
    grid_cost = {"k-means fits": per_fit["kmeans_lsa"] * len(clusters.K_RANGE) * grid,
                 "NMF fits": per_fit["nmf"] * len(clusters.K_RANGE) * grid,
                 "silhouettes": spent["silhouette"], "adjusted Rand indices": spent["adjusted Rand"]}
    total_cost = sum(grid_cost.values())
    lines = ["# The k-selection grid: cost and seeds", "",
             "`python benchmarks/k_selection.py` (in `make bench`): the bundled corpus's "
             f"{x.shape[0]} compared measures × {x.shape[1]} terms, one core, CPU seconds.", "",
             f"## Where the time goes ({len(METHODS)} methods × {len(clusters.K_RANGE)} k × {grid} seeds)", "",
             "| part | CPU s | share |", "|---|---:|---:|",
             *[f"| {part} | {sec:.2f} | {sec / total_cost:.0%} |" for part, sec in grid_cost.items()],
             f"| all | {total_cost:.2f} | |", "",
             f"NMF (coordinate descent, init nndsvdar, tol 1e-4) took {np.mean(iterations):.0f} iterations on "
             f"average (at most {max(iterations)}). Against fits run to tol 1e-6, {changed[1e-4]} of {total} "
             f"partitions (k × 3 seeds) differ at the grid's 1e-4 and {changed[1e-3]} at 1e-3: the grid's fits "
             "are close to converged, and a looser tolerance is not a free saving. The silhouette "
             "(cosine, on the TF-IDF rows) and the adjusted Rand indices are cheap beside the fits; the "
             "fits are the cost, and each seed is an independent start, so nothing can be reused across "
             "seeds.", "",
             "## How many seeds a stable choice needs", "",
             f"With all {ALL_SEEDS} seeds the rule picks {reference[0]} k={reference[1]}; with the grid's "
             f"{grid} it picks {grid_choice[0]} k={grid_choice[1]}. For {SUBSETS} random subsets of the "
             f"{ALL_SEEDS} seeds of each size:", "",
             "| seeds | same as 20 seeds | choices (times) |", "|---:|---:|---|",
             *[f"| {r['seeds']} | {r['same as 20 seeds']} | {r['choices']} |" for r in rows], "",
             "Fewer seeds would make the grid cheaper only by making its choice less reproducible. Even 10 "
             "seeds do not settle it: the candidates either side of the stability threshold (0.75) swap "
             "with the seeds, so the choice between neighbouring k is within seed noise and notebook 04 should be read "
             "that way.", ""]
    (ROOT / "benchmarks" / "k_selection.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
