"""Dates as sources.csv gives them, read to ISO form (2023-05-20, 2023-05, 2023)."""

from __future__ import annotations

import re
from datetime import date

from ..base.numerals import DIGITS, cn_int

# Dates as sources.csv may give them: 2023-05-20, 2023-05, 2023 (month and day may have one digit),
# or written in Chinese: 2023年5月20日, 二〇二三年五月 (`read_date`).
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_CN = "".join(c for c in DIGITS if c != "两")  # the digits a year may be written with (两 counts, never writes one)
_CN_SMALL = r"\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"  # 1–39: a month or a day
_CN_DATE = re.compile(rf"(\d{{4}}|[{_CN}]{{4}})年(?:({_CN_SMALL})月(?:({_CN_SMALL})[日号])?)?")


def read_date(text: str) -> str | None:
    """A sources.csv date as ISO (2023-05-20, 2023-05 or 2023), "" for an empty one, None when it is
    no date or not one in the calendar (2023-13-40). Chinese dates are read too: 2023年5月20日,
    二〇二三年五月 (Chinese numerals, 〇 or 零 for zero, 十 in months and days)."""
    text = text.strip()
    if not text:
        return ""
    if m := _ISO_DATE.fullmatch(text):
        parts = list(m.groups())
    elif m := _CN_DATE.fullmatch(text.replace(" ", "")):
        parts = [cn_int(g) if g else None for g in m.groups()]
    else:
        return None
    year, month, day = (int(p) if p is not None else None for p in parts)
    try:
        date(year, 1 if month is None else month, 1 if day is None else day)  # month 0 or day 0 is refused
    except ValueError:
        return None
    return "-".join([f"{year:04d}"] + [f"{v:02d}" for v in (month, day) if v is not None])
