"""Command line: `python -m bizenv_analysis build [--data DIR] [--out DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import build
from .errors import BuildError
from .paths import DATA


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="python -m bizenv_analysis",
                                     description="Build the business-environment study's tables.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build every table from a data folder")
    b.add_argument("--data", type=Path, default=DATA,
                   help="folder with sources.csv and raw/ (default: the bundled corpus)")
    b.add_argument("--out", type=Path, default=None,
                   help="output folder (default: DATA/processed)")
    b.add_argument("--quiet", action="store_true", help="no progress lines")
    b.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: every core, or BIZENV_JOBS; 1 = serial)")
    args = parser.parse_args(argv)
    try:
        build(args.data, args.out, quiet=args.quiet, jobs=args.jobs)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
