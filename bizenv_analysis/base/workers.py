"""Worker processes for the CPU-bound stages, through joblib (scikit-learn's own parallel library).

joblib's default backend (loky) starts worker processes that are reused between calls, caps
BLAS/OpenMP threads inside them, respects container CPU quotas and works on every platform, so
k-means can run in workers too. Results come back in input order, so no table depends on the
number of workers. Inside `on_cluster(address)` (the build's `--dask ADDRESS`, or BIZENV_DASK)
the same calls run on a Dask cluster through joblib's dask backend.

Workers end with the build: each starts (`_end_with_parent`, loky's worker initializer) a thread
that ends the worker within `PARENT_CHECK_SECONDS` once the process that started it is gone, so
a build killed with SIGKILL leaves no worker behind (loky would keep them for its idle timeout,
five minutes or more). Linux's PR_SET_PDEATHSIG is not used: it fires when the *thread* that
started a worker ends, and loky reuses its workers across calls made from different threads.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

from joblib import Parallel, delayed, parallel_config

from .errors import BuildError

_JOBS_FIX = "a whole number ≥ 1 (1 = serial; more than the usable cores is capped)"
CHUNKS_PER_JOB = 4  # several chunks a worker, so an uneven chunk does not leave a core idle
CONNECT_TIMEOUT = "5s"  # to reach a Dask scheduler and hear its handshake (a scheduler answers in milliseconds)
PARENT_CHECK_SECONDS = 0.5  # how often a worker looks whether the build that started it is still there


class JobsError(BuildError, ValueError):
    """A number of worker processes that is not a whole number ≥ 1."""


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def whole_number(text: str) -> int | None:
    """`text` as a number when it is written in the digits 0-9 only, else None (str.isdigit is
    also true for ² and ٣, which int() refuses or reads); more than 18 digits count as 10**18."""
    if not re.fullmatch(r"[0-9]+", text):
        return None
    return int(text) if len(text) <= 18 else 10**18  # int() refuses strings of over 4300 digits


def _whole(value: str, what: str) -> int:
    n = whole_number(value.strip())
    if n is None or n < 1:
        raise JobsError(f"{what}={value!r} is not a whole number of processes", None, f"set it to {_JOBS_FIX}")
    return n


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


def _run_chunk(func: Callable[[Any], Any], chunk: Sequence[Any]) -> tuple[list[Any], list[tuple[type, str]]]:
    """Results of a chunk, and the warnings raised in the worker (which the parent re-raises)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = [func(item) for item in chunk]
    return out, [(w.category, str(w.message)) for w in caught]


def map_ordered(func: Callable[[Any], Any], items: Sequence[Any], jobs: int | None = None,
                min_items: int = 1) -> list[Any]:
    """`[func(x) for x in items]`, in contiguous chunks on `jobs` joblib workers when that pays.

    Serial when `jobs` is 1 (and no Dask cluster is in use: then every call goes to the cluster)
    or there are fewer than `min_items` items, and at least 2 (starting workers costs more than
    it saves). `func` is pickled once a chunk; an object that is costly to build (the
    jieba tokenizer) should pickle as the recipe to build it, cached in each worker.
    """
    jobs = usable_jobs(jobs)
    workers = _cluster_workers or jobs
    if workers <= 1 or len(items) < max(2, min_items):
        return [func(x) for x in items]
    n_chunks = min(len(items), workers * CHUNKS_PER_JOB)
    bounds = [len(items) * i // n_chunks for i in range(n_chunks + 1)]
    ends_with_build = {} if _cluster_workers else {"initializer": _end_with_parent, "initargs": (os.getpid(),)}
    parts = Parallel(n_jobs=-1 if _cluster_workers else jobs, **ends_with_build)(
        delayed(_run_chunk)(func, items[a:b]) for a, b in pairwise(bounds))
    # A warning raised in a worker would go to the worker's stderr, unattributed: raise it here,
    # once per distinct message, so the build shows it with its stage.
    for category, message in dict.fromkeys(w for _, ws in parts for w in ws):
        warnings.warn(message, category, stacklevel=2)
    return [r for out, _ in parts for r in out]


def _end_with_parent(parent: int) -> None:
    """Worker initializer: end this worker process as soon as `parent` (the build) is gone."""
    if sys.platform == "win32":  # a Windows worker's parent id never changes; loky ends them there
        return

    def watch() -> None:
        while os.getppid() == parent:  # an orphan is adopted by init (or a subreaper)
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-build", daemon=True).start()


_cluster_workers = 0  # worker threads of the Dask cluster in use (`on_cluster`), else 0


def check_address(address: str) -> None:
    """BuildError for a Dask address whose scheme distributed does not speak (http://…) or
    without host and port, before anything connects."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address

    schemes = sorted(registry.backends)
    fix = f"give the scheduler's address, e.g. tcp://host:8786 (schemes: {', '.join(s + '://' for s in schemes)})"
    try:
        scheme, location = parse_address(address)
    except (ValueError, TypeError) as exc:
        raise BuildError(f"--dask {address!r} is not a Dask address ({exc})", None, fix) from None
    if scheme not in registry.backends:
        raise BuildError(f"--dask {address!r}: {scheme}:// is not a Dask scheduler's scheme", None, fix)
    if not location.strip(":/"):
        raise BuildError(f"--dask {address!r} names no host and port", None, fix)


def _handshake(address: str, seconds: float) -> None:
    """Connect to `address` and wait for a Dask scheduler's handshake, `seconds` at most in all
    (distributed's own connect waits for the handshake without a limit)."""
    from distributed.comm import connect
    from distributed.security import Security

    async def probe() -> None:
        args = Security().get_connection_args("client")
        comm = await asyncio.wait_for(connect(address, timeout=seconds, **args), seconds)
        await comm.close()

    # in a thread of its own, so that a caller already inside an event loop (Jupyter) can probe too
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(probe())
        except BaseException as exc:  # any failure is reported by the caller, below
            failure.append(exc)

    thread = threading.Thread(target=run, name="dask-handshake", daemon=True)
    thread.start()
    thread.join(seconds + 5)
    if thread.is_alive() or failure:
        exc = failure[0] if failure else TimeoutError()
        what = ("no Dask scheduler answered" if isinstance(exc, TimeoutError | asyncio.TimeoutError)
                else f"no Dask scheduler answered as one ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")
        raise BuildError(f"cannot reach the Dask scheduler at {address}: {what} within {seconds:g} s", None,
                         "check the address (tcp://host:8786) and that the scheduler runs there (another "
                         "service on that port, an HTTP server say, does not answer as one)")


@contextmanager
def on_cluster(address: str | None) -> Iterator[None]:
    """Run every `map_ordered` inside on the Dask scheduler at `address` (joblib's dask backend);
    a no-op without an address. BuildError when dask is not installed, the address is not a Dask
    address (`check_address`), or no scheduler answers there within CONNECT_TIMEOUT."""
    global _cluster_workers
    if not address:
        yield
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise BuildError("--dask needs the optional dask[distributed] extra, which is not installed", None,
                         "make install-cluster (the pinned cluster set) or pip install '.[distributed]'") from exc
    from dask.utils import parse_timedelta

    check_address(address)
    _handshake(address, parse_timedelta(CONNECT_TIMEOUT, default="seconds"))
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BuildError(f"cannot reach the Dask scheduler at {address} ({exc})", None,
                         "check the address (tcp://host:8786) and that the scheduler runs") from exc
    try:
        with client.as_current(), parallel_config(backend="dask"):
            _cluster_workers = max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))
            yield
    finally:
        _cluster_workers = 0
        client.close()
