"""Errors that stop a build with a message a user can act on."""

from __future__ import annotations

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
