"""The rules of the targets extractor: what a quantity concerns (`target_topics.csv`), the
modality cues (`target_cues.csv`) and the classes of time limits (`time_classes.csv`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..base.errors import BuildError
from .regex import check_regex
from .spec import CsvSpec, LexiconFile, full_frame, parsed, read_rows

OTHER = "其他"
TIME_CLASSES = ["processing_limit", "reduction", "minimum_window", "period", "other", "response_deadline"]
CLASS_FIELDS = ["clause_before", "after"]
CUE_ROLES = ["strong_target", "strong_reported", "local_target", "local_reported", "count_cue"]
# Optional roles (a corpus's own older cue file may lack them): rules 0 and 5 of `modality`.
OPTIONAL_ROLES = ["condition", "reporting_doc_type", "future", "directive_doc_type", "slogan_before"]
NEVER = r"(?!)"  # a pattern that matches nothing, for an optional role without cues
TOPICS, CUES, TIME_CLASSES_FILE = "target_topics.csv", "target_cues.csv", "time_classes.csv"
SPECS = {
    TOPICS: CsvSpec(("applies_to", "pattern"), ("note", "label_en"), ("applies_to", "pattern"), ("pattern",),
                    why_rows=f"every quantity would concern {OTHER}"),
    CUES: CsvSpec(("role", "pattern"), ("note",), ("role", "pattern"),
                  choices={"role": tuple(CUE_ROLES + OPTIONAL_ROLES)}),
    TIME_CLASSES_FILE: CsvSpec(("time_class", "field", "pattern"), ("note",), ("time_class", "field", "pattern"),
                               ("pattern",), {"time_class": tuple(TIME_CLASSES), "field": tuple(CLASS_FIELDS)},
                               why_rows="every time limit would be of class `other`"),
}


@dataclass(frozen=True)
class Cues:
    """The modality cue lists of `target_cues.csv`, each an alternation in file order."""

    strong: dict[str, str]  # label → pattern, for rule 2 (sentence before the number)
    local: dict[str, str]  # label → pattern, for rule 3 (the number's clause)
    count: re.Pattern  # must end the clause before a count target
    condition: re.Pattern = re.compile(NEVER)  # matched right after the number (rule 0)
    future: re.Pattern = re.compile(NEVER)  # searched in the sentence before the number (rule 5)
    reporting: frozenset[str] = frozenset()  # doc types that report what was done (rule 5)
    directive: frozenset[str] = frozenset()  # doc types that direct what is to be done (rule 5)
    slogan: re.Pattern = re.compile(NEVER)  # ends the text before a number that is part of a slogan


def cues_from_frame(df: pd.DataFrame, path: Path | str = "target_cues.csv") -> Cues:
    """The cues from the rows of `target_cues.csv` (role, pattern, note); every required role needs a cue.

    `parse_cues` reads and checks the file.
    """
    alt = {role: "|".join(df.loc[df["role"] == role, "pattern"]) for role in CUE_ROLES + OPTIONAL_ROLES}
    missing = [role for role in CUE_ROLES if not alt[role]]
    unknown = sorted(set(df["role"]) - set(CUE_ROLES) - set(OPTIONAL_ROLES))
    if missing or unknown:
        raise ValueError(f"{path}: roles must be {CUE_ROLES} (optional {OPTIONAL_ROLES}; "
                         f"missing {missing}, unknown {unknown})")
    return Cues(strong={"target": alt["strong_target"], "reported": alt["strong_reported"]},
                local={"target": alt["local_target"], "reported": alt["local_reported"]},
                count=re.compile(f"(?:{alt['count_cue']})$"),
                condition=re.compile(alt["condition"] or NEVER),
                future=re.compile(alt["future"] or NEVER),
                reporting=frozenset(df.loc[df["role"] == "reporting_doc_type", "pattern"]),
                directive=frozenset(df.loc[df["role"] == "directive_doc_type", "pattern"]),
                slogan=re.compile(f"(?:{alt['slogan_before']})$" if alt["slogan_before"] else NEVER))


def time_classes_from_frame(df: pd.DataFrame, path: Path | str = "time_classes.csv"
                            ) -> list[tuple[str, str, re.Pattern]]:
    """(time_class, field, pattern) from the rows of `time_classes.csv`, in file order (first match wins)."""
    bad = sorted(set(df["time_class"]) - set(TIME_CLASSES)) + sorted(set(df["field"]) - set(CLASS_FIELDS))
    if bad:
        raise ValueError(f"{path}: unknown time_class or field {bad} "
                         f"(time_class: {TIME_CLASSES}; field: {CLASS_FIELDS})")
    return [(r.time_class, r.field, re.compile(r.pattern)) for r in df.itertuples()]


def topics_from_frame(df: pd.DataFrame) -> list[tuple[str, re.Pattern]]:
    """(applies_to, compiled pattern) from the rows of `target_topics.csv`, in file order."""
    return [(r.applies_to, re.compile(r.pattern)) for r in df.itertuples()]


def labels_from_frame(df: pd.DataFrame) -> dict[str, str]:
    """applies_to → its English label from the rows of `target_topics.csv` (the topic itself without one)."""
    en = df["label_en"] if "label_en" in df else df["applies_to"]
    return {**dict(zip(df["applies_to"], en.where(en != "", df["applies_to"]), strict=True)), OTHER: "other"}


def parse_topics(f: LexiconFile) -> tuple[list[tuple[str, re.Pattern]], dict[str, str]]:
    df = full_frame(read_rows(f.path, SPECS[TOPICS]), SPECS[TOPICS])
    return (parsed(f.path, "topic", topics_from_frame, df),
            parsed(f.path, "topic", labels_from_frame, df))


_DOC_TYPE_ROLES = ("reporting_doc_type", "directive_doc_type")


def parse_cues(f: LexiconFile) -> Cues:
    rows = read_rows(f.path, SPECS[CUES])
    roles: dict[str, list[int]] = {}
    for line, row in rows.rows:
        roles.setdefault(row["role"], []).append(line)
        if row["role"] not in _DOC_TYPE_ROLES:  # those hold doc_type values, not regexes
            check_regex(row["pattern"], f.path, line)
    missing = [r for r in CUE_ROLES if r not in roles]
    if missing:
        raise BuildError.at(f.path, None, f"no cue for the role{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                            f"give each of {', '.join(CUE_ROLES)} at least one row")
    for role, lines in roles.items():  # the cues of a role are joined into one alternation
        if role not in _DOC_TYPE_ROLES:
            try:
                re.compile("|".join(row["pattern"] for _, row in rows.rows if row["role"] == role))
            except re.error as exc:
                raise BuildError.at(f.path, lines[0], f"the {role} cues (lines {', '.join(map(str, lines))}) do not "
                                    f"join into one valid regex: {exc}",
                                    "give each cue its own group names, and no back references") from None
    return parsed(f.path, "cue", cues_from_frame, full_frame(rows, SPECS[CUES]), f.path)


def parse_time_classes(f: LexiconFile) -> list[tuple[str, str, re.Pattern]]:
    df = full_frame(read_rows(f.path, SPECS[TIME_CLASSES_FILE]), SPECS[TIME_CLASSES_FILE])
    return parsed(f.path, "time class", time_classes_from_frame, df, f.path)
