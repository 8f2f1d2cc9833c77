"""Stage 1 — sources: read `sources.csv`, verify and decode every raw file."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..base.constants import RESERVED_ID as RESERVED_ID  # re-exported: the id sources.csv may not use
from ..base.errors import BuildError
from ..base.paths import LEXICON
from .dates import read_date
from .decoding import decode, wide_encoding, wide_fix
from .hierarchy import check_hierarchy

REQUIRED_COLUMNS = [
    "source_id", "file", "title", "issuer", "place", "admin_level",
    "province", "date", "date_note", "doc_type", "script", "sha256",
]
# Optional columns: how the figures name and colour a source (report.plotting.use_sources). A
# label is the source's readable name in Chinese or English; a colour is #RRGGBB. Empty, or
# without the column: a name made from the place and year, a colour of the palette.
LABEL_COLUMNS = ("label_zh", "label_en")
COLOR_COLUMN = "color"
_COLOR = re.compile("#[0-9A-Fa-f]{6}")
_LABEL_BREAK = re.compile("[\t\n\r]")  # allowed in other cells, but a label is drawn on one line
_COLOR_FIX = "write the colour as # and six hexadecimal digits (e.g. #0072B2), or leave it empty for the palette's"
# Encodings a row may declare; anything else is refused rather than guessed.
ALLOWED_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5"}
MAX_LINE_CHARS = 20_000  # a longer line is almost certainly not a document
# A build's time grows with the text: about SECONDS_PER_MB seconds for each MB of one document
# (UTF-8 bytes): the least-squares slope of wall time against size over builds of one generated
# plan of 0.1, 0.25, 0.5, 1 and 2 MB on this project's 2-core machine, shared with other builds at
# the time (59 s a MB), so rather an upper estimate. Above LARGE_DOCUMENT_BYTES (2 minutes more)
# the build warns at once with the size and that estimate; above MAX_DOCUMENT_BYTES (20 minutes
# more) it refuses before reading the file: no single policy document is that long (the bundled
# ones are under 30 kB; 20 MB is some 7 million characters), so such a file is a compilation of
# documents, or not a document at all.
SECONDS_PER_MB = 60
LARGE_DOCUMENT_BYTES = 2_000_000
MAX_DOCUMENT_BYTES = 20_000_000
# Every line break `str.splitlines` knows (\n, \r\n, \r, \v, \f, U+001C–U+001E, U+0085, U+2028,
# U+2029): the line-length check below and the cleaner (`clean.clean_document`) split the same way.
LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Zero-width characters and BOMs: invisible, so removed from field values and from texts.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Control characters other than tab, LF and CR (NUL is refused before these are looked at).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional formatting characters, which can make a value display as something else
# (source_id and doc_type refuse them with every other character that is no letter or digit).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ID_COLUMNS = ("source_id", "doc_type")
_CSV_FIX = ("save sources.csv as a UTF-8 CSV with a header row: "
            f"{','.join(REQUIRED_COLUMNS)} (encoding optional), then one row per document in raw/")
# A source_id names rows of every table and, with `:`, every measure (`<source_id>:07`); a
# doc_type is a key of rule files (pmc_params.csv `doc_types`, `;`-separated; target_cues.csv).
# Letters (any script), ASCII digits, - and _ keep both unambiguous in ids, lists and file names.
_ID_PUNCTUATION = frozenset("0123456789-_")
_ID_RULE = "letters, digits 0-9, - and _ only"
UNDATED = "undated"  # the date class of a document whose sources.csv date is empty
_DATE_FIX = ("write the date as YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-05-20, 2023-05, 2023; "
             "二〇二三年五月 is read as 2023-05), or leave it empty for an undated document")


class UndatedWarning(UserWarning):
    """Documents without a date, left out of the analyses that need one."""


def undated_note(source_ids: list[str]) -> str:
    """The build's one line on its undated documents: which, and what they are left out of."""
    shown = ", ".join(source_ids[:5]) + (f" and {len(source_ids) - 5} more" if len(source_ids) > 5 else "")
    return (f"{len(source_ids)} undated document(s) ({shown}: empty date in sources.csv) left out of what needs a "
            "date: change over time (group_trend.csv), the order of formula use and of learning (formula_spread.csv "
            f"role {UNDATED}, formula_pairs.csv) and the PMC time horizon; they are in every other table")


class LargeDocumentWarning(UserWarning):
    """A document large enough to make the build take minutes (see LARGE_DOCUMENT_BYTES)."""


# What a build reads from a corpus besides raw/ (whose files `locate` checks one by one).
CORPUS_INPUTS = ("sources.csv", "lexicon", "validation", "pmc_overrides.csv")


@dataclass(frozen=True)
class RawDocument:
    """One source row with its decoded raw text."""

    source_id: str
    path: Path
    meta: dict
    text: str
    n_bytes: int


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_lines(text: str) -> list[str]:
    """The lines of `text`, broken wherever `str.splitlines` would break them."""
    return LINE_BREAK.split(text)


def not_a_regular_file(path: Path) -> str | None:
    """What `path` is when it exists but is not a regular file ("a folder", "a FIFO (named pipe)" …),
    else None. Looked at with stat, never opened: opening a FIFO would block until a writer comes."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_data_folder(data_dir: Path) -> None:
    """BuildError unless `data_dir` is an existing folder (a file or a missing path is named as such)."""
    data_dir = Path(data_dir)
    if data_dir.is_dir():
        return
    if not data_dir.exists():
        raise BuildError("the data folder does not exist", data_dir,
                         "give --data the corpus folder that holds sources.csv and raw/")
    what = not_a_regular_file(data_dir) or "a file"
    raise BuildError(f"--data names {what}, not a folder", data_dir,
                     f"give --data the corpus folder that holds sources.csv and raw/ (perhaps {data_dir.parent})")


def _records(path: Path) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header's line number, the header, and (line number, fields) of every later non-blank record."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot be read ({exc.strerror})", path, "check that the file is readable") from exc
    if not raw.strip():
        raise BuildError(f"is empty ({len(raw)} bytes)", path, _CSV_FIX)
    if wide := wide_encoding(raw):
        raise BuildError(f"is {wide} text, not UTF-8", path, wide_fix(wide, path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise BuildError(f"line {line}: not UTF-8 (byte {exc.start}: {exc.reason})", path,
                         "save it as UTF-8 CSV (Excel: 'CSV UTF-8 (Comma delimited)')") from exc
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise BuildError(f"line {line}: contains a NUL byte", path,
                         "remove it; a file full of NULs was saved as UTF-16: " + _CSV_FIX)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    start = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BuildError(f"line {start}: not valid CSV ({exc})", path,
                         "put a field that holds a comma, a quote or a line break in double quotes, "
                         "and double every quote inside it (\"\")") from exc
    if not records:
        raise BuildError("is empty (blank lines only)", path, _CSV_FIX)
    (head_line, header), rows = records[0], records[1:]
    return head_line, [INVISIBLE.sub("", h).strip() for h in header], rows


def read_sources(data_dir: Path) -> pd.DataFrame:
    """Read and validate `sources.csv` (one row per source, unique ids, files named).

    Values lose surrounding spaces, zero-width characters and BOMs; a row with more or fewer
    fields than the header, a control character or a NUL byte is refused, naming the line.
    The frame's index is each row's line number in the file.
    """
    path = data_dir / "sources.csv"
    _check_file(data_dir, path)
    head_line, header, rows = _records(path)
    _check_header(path, head_line, header, rows)
    df = pd.DataFrame(_values(path, header, rows), columns=header, index=[line for line, _ in rows], dtype=str)
    _check_rows(path, df)
    _check_ids(path, df["source_id"])
    _check_looks(path, df)
    check_hierarchy(df, path)
    if "encoding" not in df.columns:
        df["encoding"] = "utf-8"
    df["encoding"] = df["encoding"].str.lower().replace("", "utf-8")
    return df


def _check_file(data_dir: Path, path: Path) -> None:
    refuse_outside(data_dir, path)
    if what := not_a_regular_file(path):
        raise BuildError(f"sources.csv is {what}, not a regular file", path,
                         "replace it with a regular file: a UTF-8 CSV with one row per document")
    if not path.is_file():
        raise BuildError("sources.csv not found", path,
                         "create it with one row per document (see README, 'Run on your own corpus')")


def _check_header(path: Path, head_line: int, header: list[str], rows: list[tuple[int, list[str]]]) -> None:
    """Every column named, once; the required columns there; at least one row."""
    for i, name in enumerate(header, start=1):
        if not name:
            raise BuildError(f"line {head_line}: column {i} of the header has no name", path,
                             "name the column or delete it")
    dup_cols = sorted({h for h in header if header.count(h) > 1})
    if dup_cols:
        raise BuildError(f"line {head_line}: column(s) named twice: {', '.join(dup_cols)}", path,
                         "keep one column of each name")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BuildError(f"missing column(s): {', '.join(missing)}", path,
                         f"add the columns; required are: {', '.join(REQUIRED_COLUMNS)}")
    if not rows:
        raise BuildError("has a header but no rows", path, "add one row per document in raw/")


def _values(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> list[list[str]]:
    """Each row's values, cleaned of invisible characters; one field per column, no control characters."""
    values = []
    for line, fields in rows:
        if len(fields) != len(header):
            raise BuildError(
                f"line {line}: {len(fields)} fields, but the header has {len(header)}", path,
                "a value holding a comma must be in double quotes; otherwise remove the stray comma "
                "or add the missing field, so that every row has one field per column")
        row = []
        for name, value in zip(header, fields, strict=True):
            value = INVISIBLE.sub("", value).strip()
            if m := _CONTROL.search(value):
                raise BuildError(f"line {line}, column {name}: control character U+{ord(m.group()):04X} in "
                                 f"{value!r}", path, "delete the invisible character (retype the value)")
            if name not in _ID_COLUMNS and (m := _BIDI.search(value)):
                raise BuildError(f"line {line}, column {name}: bidirectional formatting character "
                                 f"U+{ord(m.group()):04X} in {value!r}", path,
                                 "delete the invisible character (retype the value)")
            row.append(value)
        values.append(row)
    return values


def _check_rows(path: Path, df: pd.DataFrame) -> None:
    """Every row names a source and a file, with usable ids; its date is read to ISO form in place."""
    for line, row in df.iterrows():
        if not row["source_id"]:
            raise BuildError(f"line {line}: empty source_id", path, "fill in a source_id")
        if not row["file"]:
            raise BuildError(f"line {line} ({row['source_id']}): no file named", path,
                             f"set file to raw/{row['source_id']}.txt")
    for line, row in df.iterrows():
        if not is_id(row["source_id"]):
            raise BuildError(f"line {line}: source_id {row['source_id']!r} has {_bad_chars(row['source_id'])}",
                             path, f"use {_ID_RULE} in a source_id (e.g. guangzhou-2021)")
        if row["doc_type"] and not is_id(row["doc_type"]):
            raise BuildError(f"line {line} ({row['source_id']}): doc_type {row['doc_type']!r} has "
                             f"{_bad_chars(row['doc_type'])}", path,
                             f"use {_ID_RULE} in a doc_type (e.g. action_plan), as pmc_params.csv and "
                             "target_cues.csv name it")
        when = read_date(row["date"])
        if when is None:
            raise BuildError(f"line {line} ({row['source_id']}): date {row['date']!r} is not a date in the calendar",
                             path, _DATE_FIX)
        df.loc[line, "date"] = when


def _check_ids(path: Path, ids: pd.Series) -> None:
    """No source is named `RESERVED_ID`, and no two alike."""
    # The tables name their rows over every source "all" (the scope of the co-word network and of
    # the instrument grid, the pair of the mean similarity), so a document of that name would be
    # merged with them.
    reserved = ids.index[ids == RESERVED_ID]
    if len(reserved):
        raise BuildError(f"line {reserved[0]}: source_id {RESERVED_ID!r} is reserved for the rows over every source",
                         path, f"rename it (e.g. {RESERVED_ID}-1) in sources.csv")
    dup = sorted(ids[ids.duplicated()].unique())
    if dup:
        where = "; ".join(f"{sid} (lines {', '.join(map(str, ids.index[ids == sid]))})" for sid in dup)
        raise BuildError(f"duplicate source_id: {where}", path,
                         "give every row its own source_id (spaces around an id do not count)")


def _check_looks(path: Path, df: pd.DataFrame) -> None:
    """Where given: a colour is #RRGGBB; a label is one line, and no two sources share one."""
    for line, row in df.iterrows():
        sid, color = row["source_id"], row.get(COLOR_COLUMN, "")
        if color and not is_color(color):
            raise BuildError(f"line {line} ({sid}): color {color!r} is not a colour #RRGGBB", path, _COLOR_FIX)
        for column in [c for c in LABEL_COLUMNS if row.get(c)]:
            if _LABEL_BREAK.search(row[column]):
                raise BuildError(f"line {line} ({sid}), column {column}: a tab or line break in {row[column]!r}",
                                 path, "write the label on one line, without tabs (a figure draws it as one)")
    for column in [c for c in LABEL_COLUMNS if c in df.columns]:
        given = df.loc[df[column] != "", column]
        if given.duplicated().any():
            label = given[given.duplicated()].iloc[0]
            names = ", ".join(f"{df.loc[i, 'source_id']} (line {i})" for i in given.index[given == label])
            raise BuildError(f"{names} have the same {column} {label!r}", path,
                             "give each source its own label: a figure would show them under one name")


def is_color(value: str) -> bool:
    """Whether `value` is a colour as sources.csv writes it: # and six hexadecimal digits."""
    return bool(_COLOR.fullmatch(value))


def is_id(value: str) -> bool:
    """Whether `value` is a usable id: one or more letters (of any script), digits 0-9, - and _."""
    return bool(value) and all(c.isalpha() or c in _ID_PUNCTUATION for c in value)


def _bad_chars(value: str) -> str:
    """The characters that keep `value` from being an id, as the message lists them."""
    bad = dict.fromkeys(c for c in value if not is_id(c))
    return "the character(s) " + " ".join(repr(c) if c.isprintable() and c != " " else f"U+{ord(c):04X}" for c in bad)


def locate(data_dir: Path, value: str, line: int, source_id: str) -> tuple[Path, Path]:
    """Where a row's `file` value points: (the path as shown to the user, the resolved path).

    A bare name (no slash) is looked up in raw/. The file must lie inside the data folder after
    following symbolic links; anything else is refused before it is opened, so that no content
    or checksum of a file outside the folder ever reaches a message.
    """
    rel = value if "/" in value else f"raw/{value}"
    shown = data_dir / rel
    base = data_dir.resolve()
    fix = (f"copy the document into {data_dir / 'raw'} and set file to raw/<its name> "
           "(or just its name)")
    lexical = Path(os.path.normpath(base / rel))
    if lexical == base or not lexical.is_relative_to(base):
        raise BuildError(f"line {line} ({source_id}): file {value!r} is outside the data folder",
                         data_dir / "sources.csv", fix)
    resolved = lexical.resolve()
    if resolved == base or not resolved.is_relative_to(base):
        raise BuildError(f"is a link to a file outside the data folder (file of {source_id}, "
                         f"line {line} of sources.csv)", shown,
                         "copy the document itself into raw/ instead of linking to it")
    return shown, resolved


def refuse_outside(data_dir: Path, path: Path) -> None:
    """BuildError if the corpus file or folder `path`, followed through every link, lies outside the
    corpus folder `data_dir` (a link to the bundled lexicon, or to its file of the same name, is
    allowed: the build reads that anyway). Nothing is read, and the message names the link, not
    where it leads."""
    data_dir = Path(data_dir)
    resolved = path.resolve()
    if resolved.is_relative_to(data_dir.resolve()):
        return
    own = data_dir / "lexicon"
    if own in (path, path.parent) and resolved == (LEXICON / path.relative_to(own)).resolve():
        return
    raise BuildError("is a link to a file or folder outside the data folder; a build reads nothing from outside it",
                     path, f"copy the file itself into {path.parent} instead of linking to it")


def check_inputs_inside(data_dir: Path) -> None:
    """Refuse every file and folder a build reads from the corpus (`CORPUS_INPUTS`: sources.csv,
    lexicon/, validation/, pmc_overrides.csv) that leads outside the corpus folder, before any is read."""
    data_dir = Path(data_dir)
    for name in CORPUS_INPUTS:
        top = data_dir / name
        if not (top.exists() or top.is_symlink()):
            continue
        refuse_outside(data_dir, top)
        if not top.is_dir():
            continue
        seen = set()
        # links are followed (each is checked where it stands); `seen` ends a loop of links
        for folder, dirs, files in os.walk(top, followlinks=True):
            real = Path(folder).resolve()
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            for entry in sorted(dirs + files):
                refuse_outside(data_dir, Path(folder) / entry)


def large_document(path: Path, size: int, source_id: str) -> str:
    """The warning for a document over LARGE_DOCUMENT_BYTES: its size and the build time it adds."""
    minutes = size / 1e6 * SECONDS_PER_MB / 60
    return (f"{path}: the document of {source_id} is {size / 1e6:.1f} MB; a build takes about "
            f"{minutes:.0f} minutes more for it ({SECONDS_PER_MB} s a MB on a 2-core machine)")


def load_raw_documents(data_dir: Path, verify: bool = True) -> list[RawDocument]:
    """Check every source row against its file (exists, checksum, encoding) and decode it.

    Every file is checked before any is returned, so a build fails before writing anything;
    every `file` value is checked (inside the data folder, named by one row only) before any
    file is read, and so is every other input of the corpus (`check_inputs_inside`). A document
    over MAX_DOCUMENT_BYTES is refused unread; one over LARGE_DOCUMENT_BYTES gets a
    LargeDocumentWarning with its size and the time it adds.
    """
    data_dir = Path(data_dir)
    check_inputs_inside(data_dir)
    csv_path = data_dir / "sources.csv"
    located = _locate_all(data_dir, read_sources(data_dir), csv_path)
    docs = [_read_raw(row, shown, path, csv_path, verify) for row, shown, path in located]
    _refuse_unlisted(data_dir, {path for _, _, path in located}, csv_path)
    return docs


def _locate_all(data_dir: Path, sources: pd.DataFrame, csv_path: Path) -> list[tuple[pd.Series, Path, Path]]:
    """(row, path as shown, resolved path) of every row, each file named by one row only."""
    located = []
    first_line: dict[Path, int] = {}
    for line, row in sources.iterrows():
        shown, path = locate(data_dir, row["file"], line, row["source_id"])
        if path in first_line:
            raise BuildError(f"lines {first_line[path]} and {line} both name the file {row['file']!r}",
                             csv_path, "give each row its own document file (or delete the repeated row)")
        first_line[path] = line
        located.append((row, shown, path))
    return located


def _read_raw(row: pd.Series, shown: Path, path: Path, csv_path: Path, verify: bool) -> RawDocument:
    """One row's document: a regular file, not too large, not empty, its encoding allowed, its
    checksum the recorded one (when `verify`), decoded, no line over MAX_LINE_CHARS."""
    sid = row["source_id"]
    if not path.is_file():
        what = not_a_regular_file(path)
        problem = f"is {what}, not a regular file" if what else "not found"
        raise BuildError(f"raw file for {sid} {problem}", shown,
                         f"put the document there or correct the file column of {sid} in {csv_path}")
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise BuildError(f"the document of {sid} is {size / 1e6:.1f} MB, over the limit of "
                         f"{MAX_DOCUMENT_BYTES / 1e6:.0f} MB for one document (a build would take about "
                         f"{size / 1e6 * SECONDS_PER_MB / 60:.0f} minutes more)", shown,
                         "split it into one file per document, each with its own row in sources.csv "
                         "(or check that it is a document's text at all)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"raw file for {sid} cannot be read ({exc.strerror})", shown,
                         "check that the file is readable") from exc
    if size > LARGE_DOCUMENT_BYTES:  # attributed, as before the split, to the caller of load_raw_documents
        warnings.warn(large_document(shown, size, sid), LargeDocumentWarning, stacklevel=4)
    if not raw.strip():
        raise BuildError(f"raw file for {sid} is empty", shown, "replace it with the document's text")
    enc = row["encoding"]
    if enc not in ALLOWED_ENCODINGS:
        raise BuildError(f"{sid}: unsupported encoding {enc!r}", csv_path,
                         f"use one of {', '.join(sorted(ALLOWED_ENCODINGS))}")
    if verify:
        _check_sha(sid, raw, row["sha256"].lower(), shown, csv_path)
    text = decode(raw, enc, shown)
    longest = max(map(len, split_lines(text)), default=0)
    if longest > MAX_LINE_CHARS:
        raise BuildError(f"has a line of {longest} characters (limit {MAX_LINE_CHARS})",
                         shown, "check that this is the document's text; break paragraphs onto lines")
    return RawDocument(sid, path, row.to_dict(), text, len(raw))


def _check_sha(sid: str, raw: bytes, want: str, shown: Path, csv_path: Path) -> None:
    """The document's sha256 is the one sources.csv records."""
    got = hashlib.sha256(raw).hexdigest()
    if not want:
        raise BuildError(f"{sid}: no sha256 recorded", csv_path, f"record the checksum: sha256 = {got}")
    if want != got:
        raise BuildError(f"raw file changed: sha256 is {got}, sources.csv records {want}", shown,
                         "raw files are never edited; restore the original (git checkout data/raw) "
                         "or, for a genuinely new version, record the new checksum in sources.csv")


def _refuse_unlisted(data_dir: Path, listed: set[Path], csv_path: Path) -> None:
    """A file in raw/ that no row names is refused (a document the study would silently leave out)."""
    raw_dir = data_dir / "raw"
    if raw_dir.is_dir():
        unlisted = sorted(p.name for p in raw_dir.iterdir()
                          if p.is_file() and not p.name.startswith(".") and p.resolve() not in listed)
        if unlisted:
            raise BuildError(f"file(s) in raw/ without a row in sources.csv: {', '.join(unlisted)}",
                             csv_path, "add a row for each (source_id, file, ..., sha256) or remove the file")
