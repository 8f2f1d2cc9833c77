"""Worker processes for the CPU-bound stages, through joblib (scikit-learn's own parallel library).

joblib's default backend (loky) starts worker processes that are reused between calls, caps
BLAS/OpenMP threads inside them, respects container CPU quotas and works on every platform, so
k-means can run in workers too. Results come back in input order, so no table depends on the
number of workers. When a Dask backend is active (`joblib.parallel_config(backend="dask")`, see
`build.build`'s `dask` argument), the same calls run on that cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from joblib import Parallel, delayed

from .errors import BuildError

_JOBS_FIX = "a whole number ≥ 1 (1 = serial; more than the usable cores is capped)"
CHUNKS_PER_JOB = 4  # several chunks a worker, so an uneven chunk does not leave a core idle


class JobsError(BuildError, ValueError):
    """A number of worker processes that is not a whole number ≥ 1."""


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _whole(value: str, what: str) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise JobsError(f"{what}={value!r} is not a whole number of processes", None, f"set it to {_JOBS_FIX}")
    return int(text)


def usable_jobs(requested: int | None = None) -> int:
    """Worker processes for a build: `requested` (`--jobs`), else BIZENV_JOBS, else every usable core.

    Never more than the usable cores (more workers than cores only cost memory); JobsError
    (a BuildError) for anything but a whole number ≥ 1.
    """
    if requested is None:
        env = os.environ.get("BIZENV_JOBS", "").strip()
        if not env:
            return usable_cores()
        requested = _whole(env, "BIZENV_JOBS")
    elif isinstance(requested, bool) or not isinstance(requested, int) or requested < 1:
        raise JobsError(f"--jobs {requested!r} is not a whole number of processes", None, f"give {_JOBS_FIX}")
    return min(requested, usable_cores())


def _run_chunk(func: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [func(item) for item in chunk]


def map_ordered(func: Callable[[Any], Any], items: Sequence[Any], jobs: int | None = None,
                min_items: int = 1) -> list[Any]:
    """`[func(x) for x in items]`, in contiguous chunks on `jobs` joblib workers when that pays.

    Serial when `jobs` is 1 or there are fewer than `min_items` items (starting workers costs
    more than it saves). `func` is pickled once a chunk; an object that is costly to build (the
    jieba tokenizer) should pickle as the recipe to build it, cached in each worker.
    """
    jobs = usable_jobs(jobs)
    if jobs <= 1 or len(items) < max(2, min_items):
        return [func(x) for x in items]
    n_chunks = min(len(items), jobs * CHUNKS_PER_JOB)
    bounds = [len(items) * i // n_chunks for i in range(n_chunks + 1)]
    parts = Parallel(n_jobs=jobs)(delayed(_run_chunk)(func, items[a:b]) for a, b in pairwise(bounds))
    return [r for part in parts for r in part]
