"""Ordered parallel map over forked worker processes, for the CPU-bound stages.

jieba, the theme rules and NMF are pure Python or single-threaded, so threads do not help (the
GIL). Forked workers inherit the already loaded tokenizer or codebook instead of pickling it;
results come back in input order, so output never depends on the number of workers.
Tasks given to `map_ordered` must not use OpenMP (e.g. k-means): GNU OpenMP is not fork-safe.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from .errors import BuildError

_TASK: Callable[[Any], Any] | None = None
_JOBS_FIX = "a whole number ≥ 1 (1 = serial; more than the usable cores is capped)"


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


def available_jobs() -> int:
    """Cores this process may use (`BIZENV_JOBS` overrides; 1 means serial)."""
    env = os.environ.get("BIZENV_JOBS", "").strip()
    if env:
        return _whole(env, "BIZENV_JOBS")
    return usable_cores()


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


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the parent's to handle, and SIGTERM (Pool.terminate) simply ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in chunk]


def map_ordered(func: Callable[[Any], Any], items: Sequence[Any], jobs: int | None = None,
                min_items: int = 1, meanwhile: Callable[[], Any] | None = None) -> list[Any]:
    """`[func(x) for x in items]`, in `jobs` forked processes when that pays.

    Serial when `jobs` is 1, when there are fewer than `min_items` items (forking costs more
    than it saves) or where `fork` is unavailable (Windows, macOS default). `meanwhile`, if
    given, runs in this process while the workers compute (e.g. multi-threaded work that
    must not run in a forked child).
    """
    global _TASK
    jobs = available_jobs() if jobs is None else jobs
    serial = (jobs <= 1 or len(items) < max(2, min_items) or "fork" not in multiprocessing.get_all_start_methods()
              or multiprocessing.current_process().daemon)  # a pool's own workers cannot fork
    if serial:
        if meanwhile is not None:
            meanwhile()
        return [func(x) for x in items]
    # Contiguous chunks, several per worker, so an uneven chunk does not leave a core idle.
    n_chunks = min(len(items), jobs * 8)
    bounds = [len(items) * i // n_chunks for i in range(n_chunks + 1)]
    chunks = [items[a:b] for a, b in pairwise(bounds)]
    _TASK = func
    # Frozen objects are left alone by the workers' garbage collector, so the pages they share
    # with this process are not copied (about 15% faster here).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_signals) as pool:
            pending = pool.map_async(_run_chunk, chunks, chunksize=1)
            if meanwhile is not None:
                meanwhile()
            parts = pending.get()
    finally:
        gc.unfreeze()
        _TASK = None
    return [r for part in parts for r in part]
