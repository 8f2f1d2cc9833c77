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

    @classmethod
    def at(cls, path: str | Path, line: int | None, problem: str, fix: str) -> BuildError:
        """A problem at `line` of a file (the header is line 1; None: the file as a whole)."""
        return cls(f"line {line}: {problem}" if line else problem, path, fix)


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a build (a KeyboardInterrupt, so it unwinds like Ctrl-C).

    `written` is True when the new output folder was already in place when the signal arrived:
    the folder then holds the complete new build.
    """

    def __init__(self, signum: int = signal.SIGINT, written: bool = False) -> None:
        self.signum = signum
        self.written = written
        super().__init__(signal.Signals(signum).name)


# Signals received by the CLI's handler. The handler raises Interrupted at once, but an exception
# raised while Python runs a finaliser (a worker pool's, say) is printed and dropped; the build
# checks this list at every stage boundary (`stop_if_signalled`), so such a signal still stops it.
_received: list[int] = []


def on_signal(signum: int, frame: object) -> None:
    """The CLI's SIGINT/SIGTERM handler: remember the signal and raise Interrupted."""
    _received.append(signum)
    raise Interrupted(signum)


def stop_if_signalled() -> None:
    """Raise Interrupted if a signal arrived whose Interrupted was swallowed on its way up."""
    if _received:
        raise Interrupted(_received[0])


def forget_signals() -> None:
    """Start a new run with no signal received."""
    _received.clear()
