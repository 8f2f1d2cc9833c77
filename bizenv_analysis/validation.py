"""The hand-coded validation sample: drawing it, and scoring the coder against it."""

from __future__ import annotations

import numpy as np
import pandas as pd

SAMPLE_SEED = 20261122


def draw_sample(measures: pd.DataFrame, fraction: float = 0.53, seed: int = SAMPLE_SEED
                ) -> pd.DataFrame:
    """A sample stratified by source (about `fraction` of each), split alternately dev/holdout.

    Within each source the drawn measures are shuffled once with a fixed seed; odd draws go to
    the development half (rules may be tuned on them), even draws to the held-out half.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sid, grp in measures.sort_values("measure_id").groupby("source_id", sort=True):
        n = max(2, round(len(grp) * fraction))
        picked = grp.iloc[rng.permutation(len(grp))[:n]]
        for i, mid in enumerate(picked["measure_id"]):
            rows.append({"measure_id": mid, "source_id": sid,
                         "split": "dev" if i % 2 == 0 else "holdout"})
    return pd.DataFrame(rows).sort_values("measure_id", ignore_index=True)
