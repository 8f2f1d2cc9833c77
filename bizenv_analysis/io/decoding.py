"""Decoding a document's bytes: the declared encoding, UTF-16/32 text recognised (and refused with
the command that re-encodes it), binary files refused."""

from __future__ import annotations

import codecs
import shlex
from pathlib import Path

from ..base.errors import BuildError

WIDE_PRINTABLE = 0.95  # share of printable characters above which NUL-holding bytes are UTF-16/32 text


def wide_encoding(raw: bytes) -> str | None:
    """The encoding, as iconv names it, when `raw` is UTF-16 or UTF-32 text: "UTF-16" or "UTF-32"
    when it starts with that encoding's byte-order mark; "UTF-16LE", "UTF-16BE", "UTF-32LE" or
    "UTF-32BE" when it has NUL bytes (which UTF-8 text hardly ever has) and its first 64 KiB read in
    that encoding as printable text with line breaks (a binary file reads as unprintable characters
    and NULs). One line of UTF-16 without a mark is not recognised. None for anything else."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts with FF FE
        return "UTF-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    head = raw[:1 << 16]
    if b"\x00" not in head:
        return None
    # UTF-32 first: UTF-32 text read as UTF-16 has a NUL after every character
    for codec, name in (("utf-32-le", "UTF-32LE"), ("utf-32-be", "UTF-32BE"), ("utf-16-le", "UTF-16LE"),
                        ("utf-16-be", "UTF-16BE")):
        try:  # an incremental decoder holds back a character cut at the end of the head
            text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        readable = sum(c.isprintable() or c in "\t\n\r" for c in text)
        # Line breaks too: bytes of UTF-8 text paired up read as printable CJK, but a 0A byte
        # becomes a line break only beside a NUL, which UTF-8 text hardly ever has.
        if "\n" in text and "\x00" not in text and readable >= WIDE_PRINTABLE * len(text):
            return name
    return None


def wide_fix(encoding: str, path: Path) -> str:
    """How to re-encode a UTF-16/32 file as UTF-8 in place (a shell command, the path quoted)."""
    new = shlex.quote(f"{path}.utf8")
    return f"re-encode it as UTF-8, e.g. iconv -f {encoding} -t UTF-8 {shlex.quote(str(path))} > {new} && mv {new} " \
           f"{shlex.quote(str(path))}"


def decode(raw: bytes, encoding: str, path: Path) -> str:
    """The text of `raw` in `encoding` (a byte-order mark dropped); BuildError naming `path` and the fix."""
    if wide := wide_encoding(raw):
        raise BuildError(f"is {wide} text, not {encoding}", path, wide_fix(wide, path)
                         + ", then record its new sha256 in sources.csv")
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
