"""The PMC index (Policy Modeling Consistency, Ruiz Estrada 2011) of each policy document.

Ten main variables (X1 nature … X10 openness), each the mean of its binary sub-variables; the
PMC index is their sum (0–10), labelled by the Estrada scale's bands in `pmc_params.csv`. Variables,
sub-variables and the rule that scores each are data (`data/lexicon/pmc_variables.csv`); a rule
reads one of:

- `text`: a regex found in a sentence of the cleaned document (the evidence is that sentence,
  clipped to `EVIDENCE_CHARS` so that the cue shows);
- `horizon`: a year the text sets as a deadline or target (到2025年, 2025年底前, 2025年实现 …)
  `lo-hi` years after the document's own (0-0: within its year: 年内, 年底前, 今年, or its own
  year as a deadline); in an undated document only the within-year cues can count (no target
  year can be placed), and a sub-variable left without evidence says so (`evidence_note`);
- `admin_level`: the issuer's level in sources.csv (`;`-separated values);
- `themes`: a measure of the document addresses a theme of the group (themes.csv);
- `instruments`: a measure uses an instrument of the type (instruments.csv);
- `targets`: the document has a quantity of that modality (targets.csv);
- `published`: the document carries a publication date (sources.csv).

A `text` or `horizon` cue counts only in a statement: not in a heading or title (`spans`: the
document's title, 一、工作目标, (一)总体要求。, 10.推动项目用地审批持续提速。 before its text), and
not in a clause with fewer than `min_clause_chars` letters and digits (pmc_params.csv; 法治引领 in
——法治引领,制度创新。). The clause is the stretch of the sentence around the cue between two of
the `clause_marks` (or the sentence's edges); a mark inside quotation marks or brackets does not
end it. A sub-variable whose cue is found only there scores 0, and `pmc.csv` says why
(`evidence_note`).

A researcher may set any sub-variable by hand in the corpus's `pmc_overrides.csv` (source_id,
sub_id, score 0 or 1, reason): `pmc.csv` keeps the rule's score beside it and marks it overridden.
Only policy documents are scored (`doc_types` in pmc_params.csv); the others are listed in
`pmc_index.csv` as not applicable, with the reason.

A sub-variable (or main variable) that takes the same value in every scored document does not
tell them apart: `pmc.csv` marks each sub-variable `discriminating` or not, and `pmc_index.csv`
lists the main variables that are constant and sums the others (`pmc_index_discriminating`), so a
reader sees how much of the index every document gets alike. With one scored document nothing can
be said to discriminate: those cells are empty (NA). The grade is the Estrada scale's label for the
band the index falls in (`estrada_grade`), with a computed caveat beside it (`grade_caveat`): the
index counts which provisions a text contains, not how well the policy works.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..base.errors import BuildError
from ..io.sources import not_a_regular_file
from ..rules.measures import Grammar
from ..rules.spec import CsvSpec, read_rows
from ..text.coding import SENTENCE_END
from ..text.outline import HEADING_MAX_CHARS, classify, style_ranks


class PMCWarning(UserWarning):
    """A PMC rule cannot apply to this corpus (an id its codebook does not have)."""


PMC_COLUMNS = ["source_id", "variable_id", "sub_id", "label_zh", "label_en", "source", "score", "rule_score",
               "overridden", "evidence", "evidence_note", "reason", "discriminating"]
GRADES = ("perfect", "excellent", "acceptable")  # the bands of pmc_params.csv, from the top; below: poor
OVERRIDES = "pmc_overrides.csv"
# A year the text sets as a deadline or target (到2025年, 2025年底前, 2025年实现 …), not any year
# it names (以2023年省营商环境评价为契机 is no deadline).
TARGET_YEAR = re.compile(r"到(20\d\d)年|(20\d\d)年(?:底|末|前|内|以前|之前|实现|完成|建成|达到|基本)")
# Within the year: 年内 not after a number (3年内 is three years), 年底前 not after a year (2025年底前
# is that year's end), 今年, 本年度.
WITHIN_YEAR = re.compile(r"(?<![\d〇一二三四五六七八九十两])年内|(?<!\d)年底前|今年|本年度")
EVIDENCE_CHARS = 80
# A clause mark between these pairs (a quoted motto, a bracketed list of units) does not end the
# clause around them: 力争“广深能做到的,东莞也要努力做到” is one clause.
PAIRS = {"“": "”", "‘": "’", "《": "》", "(": ")", "（": "）", "「": "」", "〔": "〕", "【": "】", "[": "]"}
# The roles of lines that are headings as a whole (`classify`): short unnumbered lines,
# a table of contents, a case marker.
HEADING_ROLES = ("heading", "toc", "case")


class Span(NamedTuple):
    """A sentence of a document: its text, whether it is a heading or a title, and the length of the
    item marker it starts with (1., (一), ——; 0 for none), which is no part of its clauses."""

    text: str
    heading: bool
    marker: int = 0


def _clip(text: str, start: int = 0) -> str:
    """The sentence in at most `EVIDENCE_CHARS` characters; a long one from `start` (marked …)."""
    whole = " ".join(text.split())
    if len(whole) <= EVIDENCE_CHARS:
        return whole
    text = ("…" if start else "") + " ".join(text[start:].split())
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1] + "…"


def spans(text: str, grammar: Grammar, marks: str) -> list[Span]:
    """Each sentence of a cleaned document, in order, and whether it is a heading or a title.

    A heading is a line `outline.classify` gives a heading role (a short unnumbered line, a table
    of contents, a case marker), or the title of a numbered or dashed line: its first sentence when
    that has at most `measures.HEADING_MAX_CHARS` characters after the marker and no clause mark
    but its last (short, with no clause after it: the test measures.py makes for a bare title), and
    either the line goes on after it (1.深化商事制度改革。深化…) or the next line is the text under
    it: a paragraph or a deeper numbered style (一、工作目标, then its paragraph). A numbered line
    that is one short sentence followed by its sibling (2.加强事中事后监管。 then 3.…) is a measure
    whose whole text is that sentence, not a heading.
    """
    lines = classify(text, grammar)
    ranks = style_ranks(lines)
    body = [ln for ln in lines if not (grammar.responsible_line.match(ln.text) or grammar.deadline_line.match(ln.text))]
    after = {id(ln): nxt for ln, nxt in pairwise(body)}
    out = []
    for ln in lines:
        sents = [s for s in SENTENCE_END.split(ln.text) if s.strip()]
        if ln.role in HEADING_ROLES:
            out += [Span(s, True) for s in sents]
            continue
        titled, marker = False, 0
        if ln.role in ranks and sents:
            marker = len(ln.text) - len(ln.rest) if ln.text.endswith(ln.rest) else 0
            head = sents[0][marker:]
            short = len(head) <= HEADING_MAX_CHARS and not any(ch in marks for ch in head.rstrip(marks))
            nxt = after.get(id(ln))
            under = nxt is not None and (nxt.role == "para" or (nxt.role in ranks and ranks[nxt.role] > ranks[ln.role]))
            titled = short and (len(sents) > 1 or under)
        out += [Span(s, titled and k == 0, marker if k == 0 else 0) for k, s in enumerate(sents)]
    return out


def clause(sentence: str, start: int, end: int, marks: str, begin: int = 0) -> tuple[int, int]:
    """The clause of `sentence` that holds `sentence[start:end]`, as (first, last + 1): from after the
    last of `marks` before it to the first after it (or the sentence's edges: `begin`, after an item
    marker, and its end), a mark inside a pair of `PAIRS` not counting."""
    open_pairs: list[str] = []
    cuts = []
    for i, ch in enumerate(sentence):
        if open_pairs and ch == PAIRS[open_pairs[-1]]:
            open_pairs.pop()
        elif ch in PAIRS:
            open_pairs.append(ch)
        elif ch in marks and not open_pairs:
            cuts.append(i)
    left = max((c + 1 for c in cuts if c < start), default=0)
    return max(left, begin), min((c for c in cuts if c >= end), default=len(sentence))


def clause_chars(sentence: str, start: int, end: int, marks: str, begin: int = 0) -> int:
    """Letters and digits in the clause that holds `sentence[start:end]` (`clause`)."""
    first, last = clause(sentence, start, end, marks, begin)
    return sum(ch.isalnum() for ch in sentence[first:last])


def find_evidence(sents: list[Span], matches: Callable[[str], Iterable[re.Match]],
                  min_chars: int, marks: str) -> tuple[str, str]:
    """(evidence, note): the first sentence, not a heading, in which a match stands in a clause of
    at least `min_chars` letters and digits (clipped so that the cue shows); or "" and,
    if the rule matched only headings or shorter clauses, a note saying so."""
    headings, short, first = 0, 0, ""
    for s, heading, marker in sents:
        found = list(matches(s))
        if not found:
            continue
        kept = [m for m in found if not heading and clause_chars(s, m.start(), m.end(), marks, marker) >= min_chars]
        if kept:
            begin = clause(s, kept[0].start(), kept[0].end(), marks, marker)[0]
            # from the clause's start, or later in a long clause, so that the cue shows in the clip
            return _clip(s, max(begin, kept[0].end() - EVIDENCE_CHARS // 2)), ""
        headings += heading
        short += not heading
        first = first or _clip(s)
    if not headings and not short:
        return "", ""
    where = [f"a heading or title ({headings}×)" if headings else "",
             f"a clause of fewer than {min_chars} characters ({short}×)" if short else ""]
    return "", f"not evidence: the rule matches only in {' or '.join(w for w in where if w)}; first: {first}"


def _horizon(year: int | None, rule: str) -> Callable[[str], list[re.Match]]:
    """The matches of a `horizon` rule in a sentence: a deadline within the year (lo 0) or a
    target year `lo`–`hi` years after the document's (none when the document is undated: `year` None)."""
    lo, hi = (int(x) for x in rule.split("-"))

    def matches(s: str) -> list[re.Match]:
        within = list(WITHIN_YEAR.finditer(s)) if lo == 0 else []
        if year is None:
            return within
        return within + [m for m in TARGET_YEAR.finditer(s) if lo <= int(m[1] or m[2]) - year <= hi]
    return matches


UNDATED_NOTE = ("the document is undated (sources.csv date empty), so no target year could be placed; "
                "only within-year cues (年内, 年底前, 今年) count")


def grade_of(pmc: float, params: dict[str, str]) -> tuple[str, str]:
    """The Estrada scale's label for an index and its band as text, by the bands of pmc_params.csv."""
    cuts = [float(params[f"grade_{g}"]) for g in GRADES]
    for k, (grade, cut) in enumerate(zip(GRADES, cuts, strict=True)):
        if pmc >= cut:
            return grade, f"PMC {cut:g} or more" if k == 0 else f"PMC {cut:g} to under {cuts[k - 1]:g}"
    return "poor", f"PMC under {cuts[-1]:g}"


def grade_caveat(grade: str, band: str, constant: list[str] | None, n_variables: int) -> str:
    """The caveat printed beside a grade: what the scale's label is and is not, and how many main
    variables every scored document shares (`constant` None: one scored document)."""
    text = (f"Estrada scale label '{grade}' ({band}, bands in pmc_params.csv); the index counts which "
            "provisions the text contains, not how well the policy works; ")
    if constant is None:
        return text + "with one scored document no variable can be said to discriminate"
    listed = f" ({', '.join(constant)})" if constant else ""
    return text + (f"{len(constant)} of {n_variables} main variables take the same value in every scored "
                   f"document{listed}")


OVERRIDE_COLUMNS = ("source_id", "sub_id", "score", "reason")


def read_overrides(data_dir: Path, sub_ids: set[str], source_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The corpus's hand-set sub-variables (empty without the file); BuildError on a bad row.

    Checked like a rule file (`rules.spec.read_rows`: UTF-8, valid CSV, the columns, no row with more
    fields than the header), then row by row: a sub_id of pmc_variables.csv, a source_id of
    sources.csv (when `source_ids` is given), a score of 0 or 1, a reason, one row per
    (source_id, sub_id)."""
    path = Path(data_dir) / OVERRIDES
    cols = list(OVERRIDE_COLUMNS)
    if what := not_a_regular_file(path):
        raise BuildError(f"is {what}, not a regular file", path,
                         "make it a CSV file (source_id,sub_id,score,reason), or remove it")
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    rows = read_rows(path, CsvSpec(OVERRIDE_COLUMNS, ("note",), min_rows=0))
    known = set(source_ids) if source_ids is not None else None
    seen: dict[tuple[str, str], int] = {}
    for i, row in rows.rows:
        if known is not None and row["source_id"] not in known:
            raise BuildError(f"line {i}: source_id {row['source_id']!r} is not a source of sources.csv", path,
                             "use the source_id of a row of sources.csv, or delete the line")
        if row["sub_id"] not in sub_ids:
            raise BuildError(f"line {i}: sub_id {row['sub_id']!r} is not a PMC sub-variable", path,
                             "use a sub_id of data/lexicon/pmc_variables.csv (X1.1 …)")
        if row["score"] not in ("0", "1"):
            raise BuildError(f"line {i}: score {row['score']!r} is not 0 or 1", path, "write 0 or 1")
        if not row["reason"].strip():
            raise BuildError(f"line {i}: no reason given", path, "say why the rule's score is replaced")
        key = (row["source_id"], row["sub_id"])
        if key in seen:
            raise BuildError(f"line {i}: {key[0]} {key[1]} is set already on line {seen[key]}", path,
                             "keep one line per source and sub-variable")
        seen[key] = i
    return rows.frame()[cols]


def pmc_tables(documents: pd.DataFrame, measures: pd.DataFrame, coded: pd.DataFrame, theme_groups: dict[str, str],  # noqa: C901 -- one branch per kind of evidence a PMC variable reads
               levers: pd.DataFrame, instrument_types: dict[str, str], targets: pd.DataFrame,
               variables: pd.DataFrame, params: dict[str, str], overrides: pd.DataFrame,
               grammar: Grammar) -> dict[str, pd.DataFrame]:
    """`pmc.csv` (every sub-variable of every policy document, with its evidence) and
    `pmc_index.csv` (per document: the main variables, PMC, its Estrada label and caveat, the
    constant main variables and the index without them; or why it is not scored). `grammar`
    (the segmentation grammar) tells headings and titles from statements."""
    policy_types = {t for t in params.get("doc_types", "").split(";") if t}
    known = {"themes": set(theme_groups.values()), "instruments": set(instrument_types.values())}
    for source, ids in known.items():
        unknown = sorted(set(variables.loc[variables["source"] == source, "rule"]) - ids)
        if unknown:
            warnings.warn(f"PMC: sub-variables read {source} ids that the corpus's codebook does not have "
                          f"({', '.join(unknown)}): they score 0; give the corpus its own pmc_variables.csv",
                          PMCWarning, stacklevel=2)
    min_chars, marks = int(params["min_clause_chars"]), params["clause_marks"]
    source_of = measures.set_index("measure_id")["source_id"]

    def measures_per(rows: pd.DataFrame, column: str, group_of: dict[str, str]) -> pd.Series:
        """(source, group) → the source's measures with a code of that group."""
        return (rows.assign(group=rows[column].map(group_of), source_id=rows["measure_id"].map(source_of))
                .dropna(subset=["source_id"]).groupby(["source_id", "group"])["measure_id"].nunique())

    groups = measures_per(coded, "theme_id", theme_groups)
    kinds = measures_per(levers, "instrument_id", instrument_types)
    modality = targets.groupby(["source_id", "modality"]).size()
    n_measures = measures.groupby("source_id").size()
    patterns = {r.sub_id: re.compile(r.rule).finditer for r in variables.itertuples() if r.source == "text"}
    set_by_hand = {(r.source_id, r.sub_id): r for r in overrides.itertuples()}
    rows, index = [], []
    for doc in documents.itertuples():
        if doc.doc_type not in policy_types:
            index.append({"source_id": doc.source_id, "doc_type": doc.doc_type, "applicable": False,
                          "reason": f"its doc_type {doc.doc_type!r} is not one of the policy-document types that "
                                    "pmc_params.csv lists (doc_types); the PMC index scores what a policy text states"})
            continue
        sents = spans(doc.text, grammar, marks)
        nm = int(n_measures.get(doc.source_id, 0))
        for v in variables.itertuples():
            evidence, note = "", ""
            if v.source == "text":
                evidence, note = find_evidence(sents, patterns[v.sub_id], min_chars, marks)
            elif v.source == "horizon":
                year = None if pd.isna(doc.year) else int(doc.year)
                evidence, note = find_evidence(sents, _horizon(year, v.rule), min_chars, marks)
                if year is None and not evidence:
                    note = "; ".join(n for n in (UNDATED_NOTE, note) if n)
            elif v.source == "admin_level":
                evidence = f"sources.csv: admin_level {doc.admin_level}" if doc.admin_level in v.rule.split(";") else ""
            elif v.source == "themes":
                k = int(groups.get((doc.source_id, v.rule), 0))
                evidence = f"themes.csv: {k} of {nm} measures" if k else ""
            elif v.source == "instruments":
                k = int(kinds.get((doc.source_id, v.rule), 0))
                evidence = f"instruments.csv: {k} of {nm} measures" if k else ""
            elif v.source == "targets":
                k = int(modality.get((doc.source_id, v.rule), 0))
                evidence = f"targets.csv: {k} quantities ({v.rule})" if k else ""
            elif v.source == "published":
                evidence = f"sources.csv: published {doc.date}" if str(doc.date).strip() else ""
            rule_score = int(bool(evidence))
            hand = set_by_hand.get((doc.source_id, v.sub_id))
            rows.append({"source_id": doc.source_id, "variable_id": v.variable_id, "sub_id": v.sub_id,
                         "label_zh": v.label_zh, "label_en": v.label_en, "source": v.source,
                         "score": int(hand.score) if hand else rule_score, "rule_score": rule_score,
                         "overridden": hand is not None, "evidence": evidence, "evidence_note": note,
                         "reason": hand.reason if hand else ""})
        mine = pd.DataFrame(rows[-len(variables):])
        means = mine.groupby("variable_id", sort=False)["score"].mean().round(4)
        index.append({"source_id": doc.source_id, "doc_type": doc.doc_type, "applicable": True, "reason": "",
                      **means.to_dict(), "pmc": round(float(means.sum()), 4),
                      "n_overridden": int(mine["overridden"].sum())})
    variable_ids = list(dict.fromkeys(variables["variable_id"]))
    return {"pmc.csv": _flag_subvariables(pd.DataFrame(rows, columns=PMC_COLUMNS)),
            "pmc_index.csv": _index_table(pd.DataFrame(index), variable_ids, params)}


INDEX_COLUMNS = ["pmc", "estrada_grade", "grade_caveat", "n_constant_variables", "constant_variables",
                 "pmc_index_discriminating", "n_overridden"]


def _flag_subvariables(rows: pd.DataFrame) -> pd.DataFrame:
    """`discriminating`: the sub-variable's score differs between scored documents (NA with one)."""
    if rows["source_id"].nunique() < 2:
        rows["discriminating"] = pd.Series(pd.NA, index=rows.index, dtype="boolean")
    else:
        rows["discriminating"] = (rows.groupby("sub_id")["score"].transform("nunique") > 1).astype("boolean")
    return rows


def _index_table(index: pd.DataFrame, variable_ids: list[str], params: dict[str, str]) -> pd.DataFrame:
    """pmc_index.csv from the per-document rows: the grade and its caveat, the main variables that
    every scored document shares, and the index over the others."""
    index = index.reindex(columns=["source_id", "doc_type", "applicable", "reason", *variable_ids, "pmc",
                                   "n_overridden"])
    scored = index[index["applicable"].astype(bool)]
    constant = [v for v in variable_ids if scored[v].nunique() == 1] if len(scored) >= 2 else None
    kept = [v for v in variable_ids if v not in (constant or [])]
    extra = {}
    for i, row in scored.iterrows():
        grade, band = grade_of(float(row["pmc"]), params)
        extra[i] = {"estrada_grade": grade, "grade_caveat": grade_caveat(grade, band, constant, len(variable_ids))}
        if constant is not None:
            extra[i] |= {"n_constant_variables": len(constant), "constant_variables": ";".join(constant),
                         "pmc_index_discriminating": round(float(row[kept].sum()), 4)}
    out = index.join(pd.DataFrame.from_dict(extra, orient="index", columns=INDEX_COLUMNS[1:-1]))
    out = out.reindex(columns=["source_id", "doc_type", "applicable", "reason", *variable_ids, *INDEX_COLUMNS])
    for col in ("n_overridden", "n_constant_variables"):
        out[col] = out[col].astype("Int64")
    out["pmc_index_discriminating"] = out["pmc_index_discriminating"].astype(float)
    return out
