"""Deterministic, all-or-nothing writing of the build's outputs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd


def csv_bytes(df: pd.DataFrame, bom: bool = False) -> bytes:
    """A table as CSV bytes: UTF-8 (with a BOM for Excel when asked), LF line ends."""
    text = df.to_csv(index=False, lineterminator="\n")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file or none: stage them beside `out_dir`, then move each into place.

    A file whose bytes are unchanged is left untouched (its mtime too), so a rebuild of the
    same inputs changes nothing on disk.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    written = []
    try:
        for name, data in sorted(files.items()):
            target = out_dir / name
            if target.is_file() and target.read_bytes() == data:
                continue
            tmp = stage / name.replace("/", "__")
            tmp.write_bytes(data)
            written.append((tmp, target))
        for tmp, target in written:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [t for _, t in written]
