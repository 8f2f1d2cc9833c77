"""The rules of cleaning: page chrome to drop (`chrome.csv`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .spec import CsvSpec, LexiconFile, full_frame, parsed, read_rows

FILE = "chrome.csv"
SPEC = CsvSpec(("rule_id", "action", "pattern"), ("condition", "note"), ("rule_id", "action", "pattern"),
               ("pattern", "condition"), {"action": ("drop", "drop_to_end", "drop_head_until")}, ("rule_id",),
               min_rows=0)


@dataclass(frozen=True)
class ChromeRule:
    rule_id: str
    action: str  # drop | drop_to_end | drop_head_until
    pattern: re.Pattern
    condition: re.Pattern | None
    note: str


def chrome_rules(df: pd.DataFrame) -> list[ChromeRule]:
    """Page-chrome rules from the rows of `chrome.csv` (rule_id, action, pattern, condition, note).

    `parse` reads and checks the file; the build hands the rules to `text.clean.clean_document`.
    """
    cols = set(df.columns)
    return [
        ChromeRule(r.rule_id, r.action, re.compile(r.pattern),
                   re.compile(r.condition) if "condition" in cols and r.condition else None,
                   r.note if "note" in cols else "")
        for r in df.itertuples()
    ]


def parse(f: LexiconFile) -> list[ChromeRule]:
    """The checked chrome rules of `f`."""
    return parsed(f.path, "chrome rule", chrome_rules, full_frame(read_rows(f.path, SPEC), SPEC))
