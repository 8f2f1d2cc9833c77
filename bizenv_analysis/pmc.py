"""The PMC index (Policy Modeling Consistency, Ruiz Estrada 2011) of each policy document.

Ten main variables (X1 nature … X10 openness), each the mean of its binary sub-variables; the
PMC index is their sum (0–10) and its grade follows the bands in `pmc_params.csv`. Variables,
sub-variables and the rule that scores each are data (`data/lexicon/pmc_variables.csv`); a rule
reads one of:

- `text`: a regex found in a sentence of the cleaned document (the evidence is that sentence);
- `horizon`: a year the text sets as a deadline or target (到2025年, 2025年底前, 2025年实现 …)
  `lo-hi` years after the document's own (0-0: within its year: 年内, 年底前, 今年, or its own
  year as a deadline);
- `admin_level`: the issuer's level in sources.csv (`;`-separated values);
- `themes`: a measure of the document addresses a theme of the group (themes.csv);
- `instruments`: a measure uses an instrument of the type (instruments.csv);
- `targets`: the document has a quantity of that modality (targets.csv);
- `published`: the document carries a publication date (sources.csv).

A researcher may set any sub-variable by hand in the corpus's `pmc_overrides.csv` (source_id,
sub_id, score 0 or 1, reason): `pmc.csv` keeps the rule's score beside it and marks it overridden.
Only policy documents are scored (`doc_types` in pmc_params.csv); the others are listed in
`pmc_index.csv` as not applicable, with the reason.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from .errors import BuildError
from .themes import sentences


class PMCWarning(UserWarning):
    """A PMC rule cannot apply to this corpus (an id its codebook does not have)."""


PMC_COLUMNS = ["source_id", "variable_id", "sub_id", "label_zh", "label_en", "source", "score", "rule_score",
               "overridden", "evidence", "reason"]
OVERRIDES = "pmc_overrides.csv"
# A year the text sets as a deadline or target (到2025年, 2025年底前, 2025年实现 …), not any year
# it names (以2023年省营商环境评价为契机 is no deadline).
TARGET_YEAR = re.compile(r"到(20\d\d)年|(20\d\d)年(?:底|末|前|内|以前|之前|实现|完成|建成|达到|基本)")
# Within the year: 年内 not after a number (3年内 is three years), 年底前 not after a year (2025年底前
# is that year's end), 今年, 本年度.
WITHIN_YEAR = re.compile(r"(?<![\d〇一二三四五六七八九十两])年内|(?<!\d)年底前|今年|本年度")
EVIDENCE_CHARS = 80


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1] + "…"


def _first(sents: list[str], pattern: re.Pattern) -> str:
    return next((_clip(s) for s in sents if pattern.search(s)), "")


def _horizon(sents: list[str], year: int, rule: str) -> str:
    lo, hi = (int(x) for x in rule.split("-"))
    for s in sents:
        if lo == 0 and WITHIN_YEAR.search(s):
            return _clip(s)
        if any(lo <= int(a or b) - year <= hi for a, b in TARGET_YEAR.findall(s)):
            return _clip(s)
    return ""


def read_overrides(data_dir: Path, sub_ids: set[str]) -> pd.DataFrame:
    """The corpus's hand-set sub-variables (empty without the file); BuildError on a bad row."""
    path = Path(data_dir) / OVERRIDES
    cols = ["source_id", "sub_id", "score", "reason"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise BuildError(f"missing column(s) {', '.join(missing)}", path, "the header is source_id,sub_id,score,reason")
    for i, row in enumerate(df.itertuples(), start=2):
        if row.sub_id not in sub_ids:
            raise BuildError(f"line {i}: sub_id {row.sub_id!r} is not a PMC sub-variable", path,
                             "use a sub_id of data/lexicon/pmc_variables.csv (X1.1 …)")
        if row.score not in ("0", "1"):
            raise BuildError(f"line {i}: score {row.score!r} is not 0 or 1", path, "write 0 or 1")
        if not row.reason.strip():
            raise BuildError(f"line {i}: no reason given", path, "say why the rule's score is replaced")
    return df[cols]


def pmc_tables(documents: pd.DataFrame, measures: pd.DataFrame, coded: pd.DataFrame, theme_groups: dict[str, str],
               levers: pd.DataFrame, instrument_types: dict[str, str], targets: pd.DataFrame,
               variables: pd.DataFrame, params: dict[str, str], overrides: pd.DataFrame
               ) -> dict[str, pd.DataFrame]:
    """`pmc.csv` (every sub-variable of every policy document, with its evidence) and
    `pmc_index.csv` (per document: the main variables, PMC, grade; or why it is not scored)."""
    policy_types = {t for t in params.get("doc_types", "").split(";") if t}
    known = {"themes": set(theme_groups.values()), "instruments": set(instrument_types.values())}
    for source, ids in known.items():
        unknown = sorted(set(variables.loc[variables["source"] == source, "rule"]) - ids)
        if unknown:
            warnings.warn(f"PMC: sub-variables read {source} ids that the corpus's codebook does not have "
                          f"({', '.join(unknown)}): they score 0; give the corpus its own pmc_variables.csv",
                          PMCWarning, stacklevel=2)
    bands = sorted(((float(params[f"grade_{g}"]), g) for g in ("perfect", "excellent", "acceptable")), reverse=True)
    source_of = measures.set_index("measure_id")["source_id"]

    def measures_per(rows: pd.DataFrame, column: str, group_of: dict[str, str]) -> pd.Series:
        """(source, group) → the source's measures with a code of that group."""
        return (rows.assign(group=rows[column].map(group_of), source_id=rows["measure_id"].map(source_of))
                .dropna(subset=["source_id"]).groupby(["source_id", "group"])["measure_id"].nunique())

    groups = measures_per(coded, "theme_id", theme_groups)
    kinds = measures_per(levers, "instrument_id", instrument_types)
    modality = targets.groupby(["source_id", "modality"]).size()
    n_measures = measures.groupby("source_id").size()
    patterns = {r.sub_id: re.compile(r.rule) for r in variables.itertuples() if r.source == "text"}
    set_by_hand = {(r.source_id, r.sub_id): r for r in overrides.itertuples()}
    rows, index = [], []
    for doc in documents.itertuples():
        if doc.doc_type not in policy_types:
            index.append({"source_id": doc.source_id, "doc_type": doc.doc_type, "applicable": False,
                          "reason": f"its doc_type {doc.doc_type!r} is not one of the policy-document types that "
                                    "pmc_params.csv lists (doc_types); the PMC index scores what a policy text states"})
            continue
        sents = sentences(doc.text)
        nm = int(n_measures.get(doc.source_id, 0))
        for v in variables.itertuples():
            evidence = ""
            if v.source == "text":
                evidence = _first(sents, patterns[v.sub_id])
            elif v.source == "horizon":
                evidence = _horizon(sents, int(doc.year), v.rule)
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
                         "overridden": hand is not None, "evidence": evidence,
                         "reason": hand.reason if hand else ""})
        mine = pd.DataFrame(rows[-len(variables):])
        means = mine.groupby("variable_id", sort=False)["score"].mean().round(4)
        pmc = round(float(means.sum()), 4)
        grade = next((g for cut, g in bands if pmc >= cut), "poor")
        index.append({"source_id": doc.source_id, "doc_type": doc.doc_type, "applicable": True, "reason": "",
                      **means.to_dict(), "pmc": pmc, "grade": grade, "n_overridden": int(mine["overridden"].sum())})
    variable_ids = list(dict.fromkeys(variables["variable_id"]))
    columns = ["source_id", "doc_type", "applicable", "reason", *variable_ids, "pmc", "grade", "n_overridden"]
    out_index = pd.DataFrame(index).reindex(columns=columns)
    out_index["n_overridden"] = out_index["n_overridden"].astype("Int64")
    return {"pmc.csv": pd.DataFrame(rows, columns=PMC_COLUMNS), "pmc_index.csv": out_index}


def surface(index_row: pd.Series, variable_ids: list[str]) -> list[list[float]]:
    """The PMC surface: the first nine main variables as a 3 × 3 matrix (X1–X3, X4–X6, X7–X9)."""
    values = [float(index_row[v]) for v in variable_ids[:9]]
    return [values[0:3], values[3:6], values[6:9]]
