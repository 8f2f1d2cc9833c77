"""Reading and checking a rule file: its text (UTF-8), a CSV against its `CsvSpec` (columns,
empty cells, fixed vocabularies, unique ids, every regex through `rules.regex.check_regex`), and
name,value parameter files. Every problem is a `BuildError` naming the file, the line and the fix."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.errors import BuildError
from .regex import check_regex


@dataclass(frozen=True)
class LexiconFile:
    """One lexicon file in use: its name, its path and where it came from (own | bundled | …)."""

    name: str
    path: Path
    origin: str


def read_text(path: Path) -> str:
    """A lexicon file's text (UTF-8, an optional byte-order mark dropped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read the file ({exc.strerror})", path,
                         "check that the file exists and is readable") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BuildError.at(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                            "save the file as UTF-8 (e.g. re-encode it from GB18030 with iconv -f gb18030 -t utf-8)"
                            ) from None


@dataclass(frozen=True)
class CsvSpec:
    """What a lexicon CSV must hold."""

    required: tuple[str, ...]  # columns that must be present
    optional: tuple[str, ...] = ()  # columns used when present (empty when absent)
    nonempty: tuple[str, ...] = ()  # cells that must not be empty
    regex: tuple[str, ...] = ()  # cells that hold a Python regex (checked when not empty)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # cells with a fixed vocabulary
    unique: tuple[str, ...] = ()  # columns whose values must not repeat
    min_rows: int = 1
    why_rows: str = ""  # what an empty file would mean, for the error


@dataclass(frozen=True)
class Rows:
    """A checked CSV: its header and its data rows, each with its line number in the file."""

    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]

    def frame(self) -> pd.DataFrame:
        """The rows as `pd.read_csv(path, dtype=str, keep_default_na=False)` would give them."""
        return pd.DataFrame([r for _, r in self.rows], columns=list(self.header), dtype=object)


def read_rows(path: Path, spec: CsvSpec) -> Rows:
    """Read and check a lexicon CSV against `spec` (every regex compiled and checked as well)."""
    text = read_text(path)
    if not text.strip():
        raise BuildError.at(path, None, "the file is empty",
                            f"write a header row ({','.join(spec.required)}) and at least one rule")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(path, reader, spec)
        rows = _records(path, reader, header)
    except csv.Error as exc:
        raise BuildError.at(path, reader.line_num, f"not a valid CSV row ({exc})",
                            'quote a cell that holds a comma or a quote ("" inside quotes)') from None
    if len(rows) < spec.min_rows:
        raise BuildError.at(path, None, "the file has a header but no rows"
                            + (f": {spec.why_rows}" if spec.why_rows else ""),
                            "add at least one row, or delete the file to use the bundled one")
    _check_cells(path, rows, spec)
    return Rows(path, header, tuple(rows))


def _header(path: Path, reader: Iterator[list[str]], spec: CsvSpec) -> tuple[str, ...]:
    """The header row: every required column, none named twice."""
    header = tuple(h.strip() for h in next(reader))
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise BuildError.at(path, 1, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                            f"(the header has {', '.join(header)})",
                            f"the header row must name the columns {', '.join(spec.required)}"
                            + (f" (optional: {', '.join(spec.optional)})" if spec.optional else ""))
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise BuildError.at(path, 1, f"column {', '.join(dup)} named twice", "name each column once")
    return header


def _records(path: Path, reader: Any, header: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:  # a csv.reader
    """The data rows with their line numbers (a quoted cell may span lines), blank lines skipped; no
    row with more fields than the header."""
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells) and len(cells) <= 1:
            continue  # a blank line
        if len(cells) > len(header):
            raise BuildError.at(path, line, f"{len(cells)} fields, but the header has {len(header)}",
                                'quote a cell that holds a comma, e.g. a regex with {0,4}: "审批.{0,4}压缩"')
        rows.append((line, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}))
    return rows


def _check_cells(path: Path, rows: list[tuple[int, dict[str, str]]], spec: CsvSpec) -> None:
    """Every row's cells: the required ones filled, fixed vocabularies kept, ids unique, regexes safe."""
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        for col in spec.nonempty:
            if not row[col].strip():
                raise BuildError.at(path, line, f"empty {col}", f"give every row a {col}")
        for col, allowed in spec.choices.items():
            if col in row and row[col] not in allowed:
                raise BuildError.at(path, line, f"unknown {col} {row[col]!r}",
                                    f"use one of: {', '.join(a for a in allowed if a) or '(empty)'}")
        for col in spec.unique:
            if (col, row[col]) in seen:
                raise BuildError.at(path, line, f"{col} {row[col]!r} repeats line {seen[(col, row[col])]}",
                                    f"give each row its own {col}")
            seen[(col, row[col])] = line
        for col in spec.regex:
            if row.get(col, ""):
                check_regex(row[col], path, line, col)


def parsed(path: Path, what: str, make: Callable, *args):
    """Run a stage's constructor on checked rows; anything it still refuses becomes a BuildError."""
    try:
        return make(*args)
    except re.error as exc:
        raise BuildError.at(path, None, f"the {what} patterns do not combine into a valid regex: {exc}",
                            "check the patterns for named groups or back references that clash") from None
    except (ValueError, KeyError) as exc:
        raise BuildError.at(path, None, f"{what}: {exc}", "see data/lexicon/README.md for the file's format") from None


def full_frame(rows: Rows, spec: CsvSpec) -> pd.DataFrame:
    """The rows as a frame, with every optional column (empty where the file lacks it)."""
    df = rows.frame()
    for col in spec.optional:
        if col not in df:
            df[col] = ""
    return df


def param_values(path: Path, rows: Rows, spec: CsvSpec, fix: str) -> dict[str, tuple[int, str]]:
    """A name,value file's rows as name → (line, value); a problem naming the file if a name of
    the spec's vocabulary has no row."""
    values = {row["name"]: (line, row["value"]) for line, row in rows.rows}
    missing = [n for n in spec.choices["name"] if n not in values]
    if missing:
        raise BuildError.at(path, None, f"no row for {', '.join(missing)}", fix)
    return values


def numbers(f: LexiconFile, spec: CsvSpec, at_least: Mapping[str, int],
            decimal: tuple[str, ...] = ()) -> dict[str, str]:
    """A name,value parameter file: every name of its spec present; each value a whole number of at
    least `at_least[name]` (0 if not listed), or any number ≥ 0 for the names in `decimal`."""
    values = param_values(f.path, read_rows(f.path, spec), spec,
                          f"add name,value rows for {', '.join(spec.choices['name'])}")
    for name, (line, value) in values.items():
        low = at_least.get(name, 0)
        if name in decimal:
            if not is_number(value) or float(value) < low:
                raise BuildError.at(f.path, line, f"{name} {value!r} is not a number of {low} or more",
                                    "write e.g. 1.0")
        elif not re.fullmatch(r"\d+", value.strip()) or int(value) < low:
            raise BuildError.at(f.path, line, f"{name} {value!r} is not a whole number of {low} or more",
                                f"write a whole number such as {max(low, 3)}")
    return {name: value for name, (_, value) in values.items()}


def is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
