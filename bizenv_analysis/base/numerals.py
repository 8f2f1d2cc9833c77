"""Numbers written in Chinese numerals, as documents and their dates write them: 十二, 一百零五,
一千零五, 三万五千, 两, and digit by digit, 二〇二三. One reader for the headings' numbers (第十二条),
the dates of sources.csv and, later, the quantities of legal texts."""

from __future__ import annotations

DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "Ｏ": 0, "两": 2}
UNITS = {"十": 10, "百": 100, "千": 1000}
SECTIONS = {"万": 10**4, "亿": 10**8}


def cn_int(text: str) -> int | None:
    """The integer `text` writes in Chinese numerals or Arabic digits; None when it is neither.

    With a unit (十 百 千 万 亿) the numeral is read as spoken (一百零五 → 105, 十二 → 12, 三万五千 →
    35000); without one, digit by digit (二〇二三 → 2023, as years are written).
    """
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if any(c not in DIGITS and c not in UNITS and c not in SECTIONS for c in text):
        return None
    if not any(c in UNITS or c in SECTIONS for c in text):
        return int("".join(str(DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    for c in text:
        if c in DIGITS:
            digit = DIGITS[c]
        elif c in UNITS:
            section += (digit or 1) * UNITS[c]
            digit = 0
        else:  # 万 or 亿 closes a section: 三万五千 is 3 × 10000 + 5000
            total = (total + section + digit) * SECTIONS[c]
            section, digit = 0, 0
    return total + section + digit
