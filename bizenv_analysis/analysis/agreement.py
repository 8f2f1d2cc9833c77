"""Agreement of two coders on nominal codes: Cohen's κ and Krippendorff's α, with intervals.

Both read one code per unit from each coder (no missing codes). κ compares the observed agreement
with the agreement the two coders' own marginals give by chance; α (nominal, two coders) with the
agreement the pooled marginals give, corrected for the sample's size — it is what content analysts
report for more coders, missing codes or other metrics. Intervals are percentile bootstraps over
units, computed for every draw at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..base.constants import RESAMPLE_SEED
from .inference import CONFIDENCE

N_BOOTSTRAP = 2000


def _codes(a: Sequence[str], b: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
    labels = sorted(set(a) | set(b))
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[x] for x in a]), np.array([index[x] for x in b]), len(labels)


def _shares(codes: np.ndarray, k: int) -> np.ndarray:
    """Share of each label along the last axis: (..., k)."""
    return np.stack([(codes == c).mean(axis=-1) for c in range(k)], axis=-1)


def cohen_kappa(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """κ along the last axis (label codes 0 … k − 1, or booleans with k = 2); NaN where chance
    agreement is 1 (both codings give one and the same label only)."""
    observed = (a == b).mean(axis=-1)
    expected = (_shares(a, k) * _shares(b, k)).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)


def krippendorff_alpha(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Krippendorff's α for two coders and nominal codes along the last axis, from the coincidence
    matrix: α = 1 − (N − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, with N = 2n pairable values, o_ck the
    coincidences of different codes (two for each unit coded differently) and n_c the pooled count
    of code c; NaN when every value is the same code."""
    n = a.shape[-1]
    total = 2 * n
    pooled = (_shares(a, k) + _shares(b, k)) / 2  # n_c / N
    disagree = (a != b).sum(axis=-1) * 2  # off-diagonal coincidences: each unit coded differently counts twice
    expected = total * total * (1 - (pooled ** 2).sum(axis=-1))  # Σ_{c≠k} n_c n_k
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (total - 1) * disagree / expected, np.nan)


def interval(statistic: Callable[[np.ndarray, np.ndarray, int], np.ndarray], a: np.ndarray, b: np.ndarray, k: int,
             seed: int = RESAMPLE_SEED) -> tuple[float, float]:
    """95% percentile bootstrap interval of `statistic` (κ or α) over units, every draw at once
    (draws where it is undefined left out; NaN when it is undefined in all)."""
    a, b = np.asarray(a), np.asarray(b)
    draws = np.random.default_rng(seed).integers(0, len(a), size=(N_BOOTSTRAP, len(a)))
    boot = statistic(a[draws], b[draws], k)
    boot = boot[~np.isnan(boot)]
    if not len(boot):
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail])
    return float(low), float(high)


def agreement(a: Sequence[str], b: Sequence[str], seed: int = RESAMPLE_SEED) -> dict[str, float]:
    """κ and α of two codings of the same units, each with its 95% percentile bootstrap interval
    over units, and the share of units coded alike."""
    x, y, k = _codes(a, b)
    out = {"n": len(x), "agree": float((x == y).mean())}
    for name, f in (("kappa", cohen_kappa), ("alpha", krippendorff_alpha)):
        low, high = interval(f, x, y, k, seed)
        out |= {name: float(f(x, y, k)), f"{name}_low": low, f"{name}_high": high}
    return out
