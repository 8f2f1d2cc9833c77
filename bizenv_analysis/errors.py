"""Errors that stop a build with a message a user can act on."""

from __future__ import annotations

import signal
from pathlib import Path


class BuildError(Exception):
    """A problem with the input data: names the file and says how to fix it."""

    def __init__(self, problem: str, path: str | Path | None = None, fix: str = "") -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.fix = fix
        where = f"{self.path}: " if self.path else ""
        how = f"\n  fix: {fix}" if fix else ""
        super().__init__(f"{where}{problem}{how}")


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a build (a KeyboardInterrupt, so it unwinds like Ctrl-C).

    `written` is True when the signal arrived while the new output folder was being swapped in,
    and was held back until the swap had finished: the folder then holds the complete new build.
    """

    def __init__(self, signum: int = signal.SIGINT, written: bool = False) -> None:
        self.signum = signum
        self.written = written
        super().__init__(signal.Signals(signum).name)
