"""Stage 1 — sources: read `sources.csv`, verify and decode every raw file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import BuildError

REQUIRED_COLUMNS = [
    "source_id", "file", "title", "issuer", "place", "admin_level",
    "province", "date", "date_note", "doc_type", "script", "sha256",
]
# Encodings a row may declare; anything else is refused rather than guessed.
ALLOWED_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5"}
MAX_LINE_CHARS = 20_000  # a longer line is almost certainly not a document


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


def read_sources(data_dir: Path) -> pd.DataFrame:
    """Read and validate `sources.csv` (one row per source, unique ids, files named)."""
    path = data_dir / "sources.csv"
    if not path.is_file():
        raise BuildError("sources.csv not found", path,
                         "create it with one row per document (see README, 'Run on your own corpus')")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise BuildError(f"cannot be read as a UTF-8 CSV ({exc})", path,
                         "save sources.csv as UTF-8 CSV with a header row") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise BuildError(f"missing column(s): {', '.join(missing)}", path,
                         f"add the columns; required are: {', '.join(REQUIRED_COLUMNS)}")
    if df.empty:
        raise BuildError("has no rows", path, "add one row per document in raw/")
    dup = sorted(df.loc[df["source_id"].duplicated(), "source_id"].unique())
    if dup:
        raise BuildError(f"duplicate source_id: {', '.join(dup)}", path,
                         "give every row its own source_id")
    for i, row in df.iterrows():
        line = i + 2  # header is line 1
        if not row["source_id"].strip():
            raise BuildError(f"line {line}: empty source_id", path, "fill in a source_id")
        if not row["file"].strip():
            raise BuildError(f"line {line} ({row['source_id']}): no file named", path,
                             f"set file to raw/{row['source_id']}.txt")
    if "encoding" not in df.columns:
        df["encoding"] = "utf-8"
    df["encoding"] = df["encoding"].str.strip().str.lower().replace("", "utf-8")
    return df


def _decode(raw: bytes, encoding: str, path: Path) -> str:
    if b"\x00" in raw:
        raise BuildError("is a binary file (contains NUL bytes), not text", path,
                         "replace it with the document's plain text (.txt)")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = ("if it is GB18030/GBK, set encoding=gb18030 in its sources.csv row"
                if encoding.startswith("utf") else
                f"check that the file really is {encoding}, or convert it to UTF-8")
        raise BuildError(f"is not valid {encoding} (byte {exc.start}: {exc.reason})", path,
                         hint) from exc
    return text.removeprefix("\ufeff")


def load_raw_documents(data_dir: Path, verify: bool = True) -> list[RawDocument]:
    """Check every source row against its file (exists, checksum, encoding) and decode it.

    Every file is checked before any is returned, so a build fails before writing anything.
    """
    sources = read_sources(data_dir)
    csv_path = data_dir / "sources.csv"
    docs = []
    listed = set()
    for _, row in sources.iterrows():
        sid = row["source_id"]
        path = (data_dir / row["file"]).resolve()
        listed.add(path)
        if not path.is_file():
            raise BuildError(f"raw file for {sid} not found", data_dir / row["file"],
                             f"put the document there or correct the file column of {sid} in {csv_path}")
        raw = path.read_bytes()
        if not raw.strip():
            raise BuildError(f"raw file for {sid} is empty", data_dir / row["file"],
                             "replace it with the document's text")
        enc = row["encoding"]
        if enc not in ALLOWED_ENCODINGS:
            raise BuildError(f"{sid}: unsupported encoding {enc!r}", csv_path,
                             f"use one of {', '.join(sorted(ALLOWED_ENCODINGS))}")
        if verify:
            want = row["sha256"].strip().lower()
            got = hashlib.sha256(raw).hexdigest()
            if not want:
                raise BuildError(f"{sid}: no sha256 recorded", csv_path,
                                 f"record the checksum: sha256 = {got}")
            if want != got:
                raise BuildError(
                    f"raw file changed: sha256 is {got}, sources.csv records {want}",
                    data_dir / row["file"],
                    "raw files are never edited; restore the original (git checkout data/raw) "
                    "or, for a genuinely new version, record the new checksum in sources.csv")
        text = _decode(raw, enc, data_dir / row["file"])
        longest = max((len(s) for s in text.splitlines()), default=0)
        if longest > MAX_LINE_CHARS:
            raise BuildError(f"has a line of {longest} characters (limit {MAX_LINE_CHARS})",
                             data_dir / row["file"],
                             "check that this is the document's text; break paragraphs onto lines")
        docs.append(RawDocument(sid, path, row.to_dict(), text, len(raw)))
    raw_dir = data_dir / "raw"
    if raw_dir.is_dir():
        unlisted = sorted(p.name for p in raw_dir.iterdir()
                          if p.is_file() and not p.name.startswith(".") and p.resolve() not in listed)
        if unlisted:
            raise BuildError(f"file(s) in raw/ without a row in sources.csv: {', '.join(unlisted)}",
                             csv_path, "add a row for each (source_id, file, ..., sha256) or remove the file")
    return docs
