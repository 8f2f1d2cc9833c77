"""Command line: `python -m bizenv_analysis build [--data DIR] [--out DIR] [--jobs N] [--quiet]`.

Exit status: 0 built; 2 bad input or an unusable output folder (the message names the file and
the fix; nothing was written), or interrupted (SIGINT/SIGTERM; the output folder was left as it
was); 1 an internal error (one line; the traceback only with BIZENV_DEBUG=1).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from .base.errors import BuildError, forget_signals, on_signal
from .base.paths import DATA
from .base.workers import usable_jobs, whole_number
from .io.outputs import check_output_folder, output_lock
from .io.sources import check_data_folder
from .pipeline import AUTO, build


def _jobs(text: str) -> int:
    """`--jobs`: a whole number ≥ 1 (argparse reports anything else with this message)."""
    n = whole_number(text.strip())
    if n is None or n < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number of processes: give a whole number ≥ 1 "
            "(1 = serial; more than the usable cores is capped)")
    return n


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bizenv_analysis",
                                     description="Build the business-environment study's tables.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build every table from a data folder")
    b.add_argument("--data", type=Path, default=DATA,
                   help="folder with sources.csv and raw/ (default: the bundled corpus)")
    b.add_argument("--out", type=Path, default=None,
                   help="output folder (default: DATA/processed); replaced as a whole by each build")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.add_argument("--jobs", type=_jobs, default=None,
                   help="worker processes (default: every usable core, or BIZENV_JOBS; 1 = serial; "
                        "capped at the usable cores)")
    b.add_argument("--only", metavar="STEP", default=None,
                   help="rerun one step (with the steps that read the documents and the lexicon) on the tables "
                        "of an earlier build in the output folder, and replace its tables there (the names are "
                        "those of bizenv_analysis.steps.STEPS: clean, measures, …, findings)")
    b.add_argument("--frame", metavar="DIR", default=AUTO,
                   help="a corpus of regulations to place the measures in (frame_*.csv); 'none' for none "
                        "(default: data/regulations for the bundled corpus, none for any other)")
    b.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run the parallel stages on the Dask scheduler at ADDRESS (tcp://host:8786; "
                        "or BIZENV_DASK); needs pip install '.[distributed]'")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input or interrupted, 1 internal error)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else 2
    out = args.out if args.out is not None else args.data / "processed"
    in_main_thread = threading.current_thread() is threading.main_thread()
    forget_signals()
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)} if in_main_thread else {}
    try:
        jobs = usable_jobs(args.jobs)
        check_data_folder(args.data)
        check_output_folder(out, args.data)
        # Hold the folder's lock for the whole build, so a second build stops at once; without a
        # parent folder yet, the write step creates it and takes the lock then.
        locked = output_lock(out) if out.resolve().parent.is_dir() else contextlib.nullcontext()
        with locked:
            build(args.data, out, quiet=args.quiet, jobs=jobs, dask=args.dask, only=args.only, frame=args.frame)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM, through on_signal
        if getattr(exc, "written", False):
            print(f"interrupted; the build had finished: {out} holds the new tables", file=sys.stderr)
        else:
            print("interrupted; the output folder was left as it was", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("BIZENV_DEBUG") == "1":
            traceback.print_exc()
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        if len(detail) > 300:
            detail = detail[:297] + "..."
        print(f"internal error: {detail}, please report it (BIZENV_DEBUG=1 shows the details)",
              file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        forget_signals()
    return 0


if __name__ == "__main__":
    sys.exit(main())
