"""Small helpers for notebook prose: computed numbers in Markdown, tables without noise.

A value that comes from a corpus (a source id, a title, a place, a genre, a term, a formula, a
sentence, a label from a corpus's own rule file, a file name, a statement built from them) goes
into Markdown only through `text` (or `code` inside a code span), so that it shows as the
literal text it is: HTML in it is not markup, `[x](javascript:…)` is not a link, `*` and `_` are
not emphasis, a `|` splits no table. The notebooks' Markdown outputs reach the study's site
(tools/build_site.py), where raw HTML would run as part of the page.
"""

from __future__ import annotations

import re

# Every line break Python knows: a value is one line of prose, so that nothing in it can open a
# block (a heading, a list, an HTML block, a fenced or indented code block, a MyST directive).
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Characters with a meaning anywhere in a line of CommonMark, GFM (tables, strikethrough) or
# MyST (roles, math, substitutions): backslash-escaped wherever they stand. CommonMark shows a
# backslash-escaped ASCII punctuation character as itself.
_INLINE = set("\\`*[]<>&|~${}")
# Characters with a meaning only at the start of a line (ATX heading, list or thematic break,
# setext underline, MyST comment, target `(name)=`, colon fence): escaped when a value starts
# with one, since a caller may put the value at the start of a line.
_LINE_START = set("#+-=%(:")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")  # "1. " or "1)" opens an ordered list; "98.5%" does not


def text(value: object) -> str:
    """Markdown that shows `value` (any object, shown as `str(value)`) as literal text.

    Line breaks become spaces and surrounding spaces and tabs go (as a paragraph drops them; at
    the start of a line four would open a code block, at its end two would break the line);
    the characters \\ ` * [ ] < > & | ~ $ { } are backslash-escaped everywhere, `_` unless it
    stands between two letters or digits (where CommonMark never reads it as emphasis, so
    `action_plan` stays as written), and a first character that could open a block (`#`, `-`,
    `1. ` …) is escaped too. Safe in a paragraph, a list item, emphasis and a table cell.
    """
    s = _LINE_BREAK.sub(" ", str(value)).strip(" \t")
    out = []
    for i, ch in enumerate(s):
        if ch in _INLINE:
            out.append("\\" + ch)
        elif ch == "_":
            intraword = 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
            out.append(ch if intraword else "\\_")
        else:
            out.append(ch)
    escaped = "".join(out)
    if s[:1] in _LINE_START:
        escaped = "\\" + escaped
    elif m := _ORDERED.match(escaped):
        escaped = f"{m.group(1)}\\{m.group(2)}{escaped[m.end():]}"
    return escaped


def code(value: object) -> str:
    """A Markdown code span showing `value` literally (monospace): a fence of backticks longer
    than any run of backticks in it, spaces inside the fence where the value starts or ends with
    a backtick or a space (CommonMark strips one such space from each end), line breaks as spaces
    and surrounding spaces and tabs dropped, as `text` drops them. Not for a table cell, where a
    `|` would still split the cell."""
    s = _LINE_BREAK.sub(" ", str(value)).strip(" \t")
    fence = "`" * (max((len(run) for run in re.findall("`+", s)), default=0) + 1)
    pad = " " if s[:1] in ("`", " ") or s[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md(markdown: str) -> None:
    """Show Markdown in a notebook (text/markdown only, so nbval compares just the prose).

    Every corpus value interpolated into `markdown` must have passed through `text` or `code`."""
    from IPython.display import display

    display({"text/markdown": markdown}, raw=True)


def pct(x: float, digits: int = 0) -> str:
    """0.4567 → '45.7%' style (digits after the point)."""
    return f"{100 * x:.{digits}f}%"
