"""How well the two rule-based extractors (targets, references) agree with hand-checked files.

The hand-checked files in `data/validation/` were coded by reading the texts, without the
extractors' output:

- `targets_check.csv`: one row per candidate quantity of the measure texts (`cand_id` =
  `<measure_id>#k`, the k-th Arabic number with a unit, see `CANDIDATE`), with its `kind`
  (time | percentage | count | none), `time_class` and `status` (commitment | achieved |
  condition | none); rows `#x1` … are quantities the candidate pattern missed.
- `references_check.csv`: one row per sentence and place (`sent_id`, `source_id`, `place_label`,
  empty for a generic level that names no place; `relation`: one of `references.RELATIONS` —
  learns_from | benchmarks_against | gap_to | compliance | offers_to_others — or none); the
  sentences are in `reference_sentences.csv` (`sent_id`, `source_id`, `line`, `sentence`). The
  relations were re-coded for the five-type typology on 2026-12-07 by the coder who wrote the
  typing rules, so the reference metrics are development figures (`data/validation/README.md`).

Each metric is a proportion k / n with a Wilson 95% interval (`inference.wilson`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd

from ..base.errors import BuildError
from ..rules.references import LEARNS_FROM, LearningRules
from ..text.targets import processing_commitments
from .inference import wilson

TARGETS_CHECK = "targets_check.csv"
QUANTITIES_CHECK = "quantities_check.csv"  # a corpus of laws: its quantities by article (`legal_targets_table`)
REFERENCES_CHECK = "references_check.csv"
REFERENCE_SENTENCES = "reference_sentences.csv"
FIRST_PASS = "extractors_first_pass"  # the rule files as they were before the hand checks were read
RULE_FILES = ["target_topics.csv", "target_cues.csv", "time_classes.csv", "learning.csv"]
COLUMNS = ["extractor", "scope", "metric", "k", "n", "value", "ci_low", "ci_high"]

# The candidate quantities the hand check enumerates: an Arabic number and a unit, 4-digit years
# (2020年) and dates (10月31日) skipped; k counts the remaining matches in the measure text.
CANDIDATE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万|亿)?(个工作日|工作日|个小时|小时|分钟|个月|天|日|周|年|%|％|"
                       r"人次|项|个|件|家|类|条|批|次|名|所|座|张|户|笔)")
# The hand check's status each modality agrees with ("" = no cue either way, or a condition).
STATUS_OF_MODALITY = {"target": {"commitment"}, "reported": {"achieved"}, "": {"none", "condition"}}
KIND_OF_KIND = {"time_limit": "time", "percentage": "percentage", "count": "count"}


def candidates(measures: pd.DataFrame) -> pd.DataFrame:
    """cand_id, measure_id, offset (of the number in the measure text) and quantity as written."""
    rows = []
    for mea in measures.itertuples():
        k = 0
        for m in CANDIDATE.finditer(mea.text):
            if (m[3] == "年" and len(m[1]) == 4 and not m[2]) or (m[3] == "日" and mea.text[:m.start()].endswith("月")):
                continue
            k += 1
            rows.append({"cand_id": f"{mea.measure_id}#{k}", "measure_id": mea.measure_id,
                         "offset": m.start(), "quantity": m.group()})
    return pd.DataFrame(rows, columns=["cand_id", "measure_id", "offset", "quantity"])


def match_targets(targets: pd.DataFrame, measures: pd.DataFrame, check: pd.DataFrame) -> pd.DataFrame:
    """One row per hand-checked quantity, with the extractor's row beside it (empty when none).

    Columns: cand_id, measure_id, quantity, the gold `kind`, `time_class`, `status`, then
    `extracted`, `x_kind`, `x_time_class`, `x_modality`, `x_phrase`, `shown` (in fig12) and
    `gold_shown` (a committed processing limit by the hand check).
    """
    cands = candidates(measures)
    got = targets.merge(cands[["measure_id", "offset", "cand_id"]], on=["measure_id", "offset"], how="left")
    if got["cand_id"].isna().any():
        outside = got.loc[got["cand_id"].isna(), "phrase"].tolist()
        raise ValueError(f"extracted quantities outside the candidates: {outside}")
    got = got.assign(shown=processing_commitments(got), extracted=True).rename(columns={
        "kind": "x_kind", "time_class": "x_time_class", "modality": "x_modality", "phrase": "x_phrase"})
    gold = check.fillna("").astype(str)
    out = gold[["cand_id", "measure_id", "quantity", "kind", "time_class", "status"]].merge(
        got[["cand_id", "extracted", "x_kind", "x_time_class", "x_modality", "x_phrase", "shown"]],
        on="cand_id", how="left")
    out["extracted"] = out["extracted"].eq(True)
    out["shown"] = out["shown"].eq(True)
    out[["x_kind", "x_time_class", "x_modality", "x_phrase"]] = out[
        ["x_kind", "x_time_class", "x_modality", "x_phrase"]].fillna("")
    out["gold_shown"] = (out["kind"] == "time") & (out["time_class"] == "processing_limit") & (
        out["status"] == "commitment")
    return out


def normalise(sentence: str) -> str:
    """A sentence without surrounding space and final punctuation, to compare across splitters."""
    return sentence.strip().rstrip("。;；!?！？").strip()


def match_references(references: pd.DataFrame, check: pd.DataFrame, sentences: pd.DataFrame,
                     generic: Collection[str] = ()) -> pd.DataFrame:
    """Outer join of extracted and hand-checked (source_id, sentence, place) rows.

    A generic level names no place, so extracted places in `generic` (先进地区, 国际) are matched
    as the check writes them, with an empty place (one row per sentence). Columns: source_id,
    sentence, place, `relation` (gold; empty when the check has no such row), `x_relation`
    (extracted; empty when none), `checked` (the sentence is among the hand-checked ones).
    """
    sent = sentences.astype({"sent_id": str}).set_index("sent_id")["sentence"].map(normalise)
    gold = check.fillna("").astype(str)
    gold = pd.DataFrame({"source_id": gold["source_id"], "sentence": gold["sent_id"].map(sent),
                         "place": gold["place_label"], "relation": gold["relation"]})
    gold = gold.drop_duplicates(["source_id", "sentence", "place"])
    got = pd.DataFrame({"source_id": references["source_id"], "sentence": references["sentence"].map(normalise),
                        "place": references["place"].where(~references["place"].isin(list(generic)), ""),
                        "x_relation": references["relation"]}).drop_duplicates(["source_id", "sentence", "place"])
    out = gold.merge(got, on=["source_id", "sentence", "place"], how="outer")
    out[["relation", "x_relation"]] = out[["relation", "x_relation"]].fillna("")
    checked = set(zip(sentences["source_id"], sent, strict=True))
    out["checked"] = [(s, t) in checked for s, t in zip(out["source_id"], out["sentence"], strict=True)]
    return out.sort_values(["source_id", "sentence", "place"], ignore_index=True)


def proportion(extractor: str, scope: str, metric: str, hits: pd.Series) -> dict:
    """One metric row: k = hits that are True, n = len(hits), value and Wilson 95% interval."""
    k, n = int(hits.sum()), len(hits)
    low, high = wilson(k, n)
    return {"extractor": extractor, "scope": scope, "metric": metric, "k": k, "n": n,
            "value": k / n if n else float("nan"), "ci_low": low, "ci_high": high}


def target_metrics(matched: pd.DataFrame) -> list[dict]:
    """Precision and recall of fig12's rows and of all extracted quantities, and class agreement."""
    shown, gold = matched[matched["shown"]], matched[matched["gold_shown"]]
    got, real = matched[matched["extracted"]], matched[matched["kind"] != "none"]
    both_time = matched[matched["extracted"] & (matched["x_kind"] == "time_limit") & (matched["kind"] == "time")]
    both = matched[matched["extracted"] & (matched["kind"] != "none")]
    return [
        proportion("targets", "fig12", "precision", shown["gold_shown"]),
        proportion("targets", "fig12", "recall", gold["shown"]),
        proportion("targets", "all_quantities", "precision", got["kind"] != "none"),
        proportion("targets", "all_quantities", "recall", real["extracted"]),
        proportion("targets", "time_class", "agreement", both_time["x_time_class"] == both_time["time_class"]),
        proportion("targets", "modality", "agreement", pd.Series(
            [st in STATUS_OF_MODALITY[mod] for mod, st in zip(both["x_modality"], both["status"], strict=True)],
            dtype=bool)),
    ]


def reference_metrics(matched: pd.DataFrame) -> list[dict]:
    """Precision and recall of learns_from rows and of every row's relation; agreement of the
    relation on the rows both found (a relation, not none, in the check); coverage of the check."""
    got = matched[matched["x_relation"] != ""]
    inside = got[got["checked"]]
    learns = inside[inside["x_relation"] == LEARNS_FROM]
    gold_learns = matched[matched["relation"] == LEARNS_FROM]
    gold_any = matched[~matched["relation"].isin(["", "none"])]
    both = gold_any[gold_any["x_relation"] != ""]
    return [
        proportion("references", "learns_from", "precision", learns["relation"] == LEARNS_FROM),
        proportion("references", "learns_from", "recall", gold_learns["x_relation"] == LEARNS_FROM),
        proportion("references", "all_relations", "precision", inside["relation"] == inside["x_relation"]),
        proportion("references", "all_relations", "recall", gold_any["x_relation"] == gold_any["relation"]),
        proportion("references", "all_relations", "agreement", both["x_relation"] == both["relation"]),
        proportion("references", "extracted_rows", "in_checked_sentences", got["checked"]),
    ]


# The columns each hand-checked file must have (`note` is optional everywhere).
CHECK_COLUMNS = {TARGETS_CHECK: ("cand_id", "measure_id", "quantity", "kind", "time_class", "status"),
                 QUANTITIES_CHECK: ("cand_id", "source_id", "article", "phrase", "value", "unit", "kind", "time_class",
                                    "is_limit"),
                 REFERENCES_CHECK: ("sent_id", "source_id", "place_label", "relation"),
                 REFERENCE_SENTENCES: ("sent_id", "source_id", "sentence")}


def read_check(path: Path) -> pd.DataFrame:
    """A hand-checked CSV with every cell a string (empty cells stay empty); BuildError, naming the
    file, when it lacks a column its check needs."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if missing := [c for c in CHECK_COLUMNS.get(path.name, ()) if c not in table.columns]:
        raise BuildError(f"lacks the column(s) {', '.join(missing)} of a hand check of the extractors", path,
                         f"give it the columns {', '.join(CHECK_COLUMNS[path.name])} (see data/validation/README.md), "
                         "or rename it if it is another kind of file")
    return table


def extractor_table(targets: pd.DataFrame, references: pd.DataFrame, measures: pd.DataFrame,
                    validation_dir: Path, generic: Collection[str] = ()) -> pd.DataFrame | None:
    """The metrics of one rule set from whichever hand-checked files exist; None when neither does.

    `generic`: the place labels that name no place (see `match_references`).
    """
    rows: list[dict] = []
    if (validation_dir / TARGETS_CHECK).is_file():
        rows += target_metrics(match_targets(targets, measures, read_check(validation_dir / TARGETS_CHECK)))
    if (validation_dir / REFERENCES_CHECK).is_file() and (validation_dir / REFERENCE_SENTENCES).is_file():
        rows += reference_metrics(match_references(references, read_check(validation_dir / REFERENCES_CHECK),
                                                   read_check(validation_dir / REFERENCE_SENTENCES), generic))
    return pd.DataFrame(rows, columns=COLUMNS) if rows else None


def generic_places(learning: LearningRules) -> set[str]:
    """Labels of the generic levels of `learning.csv` (its compiled rules): its `level` rows, which
    name no place (`named` False in references.csv)."""
    return set(learning.levels)


Extracted = tuple[pd.DataFrame, pd.DataFrame, LearningRules]  # targets.csv, references.csv, the learning rules


def validation_table(measures: pd.DataFrame, validation_dir: Path, final: Extracted,
                     first_pass: Extracted | None = None) -> pd.DataFrame | None:
    """`validation_extractors.csv`: the metrics of the final rules and, when the validation folder
    keeps them (`extractors_first_pass/`), of the first-pass rules written before the check was read.

    `final`, `first_pass`: the targets and references tables each set of rules extracted, with its
    learning rules (the build runs both extractors with any of `RULE_FILES` in `extractors_first_pass/`
    in place of the final file, checked the same way).
    """
    targets, refs, learning = final
    table = extractor_table(targets, refs, measures, validation_dir, generic_places(learning))
    if table is None:
        return None
    tables = [table.assign(rules="final")]
    if first_pass is not None:
        targets, refs, learning = first_pass
        first = extractor_table(targets, refs, measures, validation_dir, generic_places(learning))
        tables.append(first.assign(rules="first_pass"))
    return pd.concat(tables, ignore_index=True)[["rules", *COLUMNS]]


def formatted(k: int, n: int, low: float, high: float) -> str:
    """'11/11 = 1.00 (95% CI 0.74–1.00)'."""
    return f"{k}/{n} = {k / n:.2f} (95% CI {low:.2f}–{high:.2f})" if n else f"{k}/{n}"


def result(metrics: pd.DataFrame, extractor: str, scope: str, metric: str, rules: str = "final") -> str:
    """One metric of `validation_extractors.csv` as prose: k/n = value (95% CI low–high)."""
    row = metrics[(metrics["rules"] == rules) & (metrics["extractor"] == extractor) & (metrics["scope"] == scope)
                  & (metrics["metric"] == metric)].iloc[0]
    return formatted(int(row["k"]), int(row["n"]), row["ci_low"], row["ci_high"])


def metric_table(metrics: pd.DataFrame, extractor: str) -> pd.DataFrame:
    """One extractor's metrics, one row per scope and metric, a column per rule set (first pass first)."""
    m = metrics[metrics["extractor"] == extractor]
    cells = m.assign(cell=[formatted(int(r.k), int(r.n), r.ci_low, r.ci_high) for r in m.itertuples()])
    table = cells.pivot_table(index=["scope", "metric"], columns="rules", values="cell", aggfunc="first", sort=False)
    table.columns.name = None
    return table[[c for c in ("first_pass", "final") if c in table.columns]]


TARGET_MATCH_COLUMNS = ["cand_id", "measure_id", "quantity", "kind", "time_class", "status", "extracted", "x_kind",
                        "x_time_class", "x_modality", "x_phrase", "shown", "gold_shown", "note"]
REFERENCE_MATCH_COLUMNS = ["source_id", "sentence", "place", "relation", "x_relation", "checked", "note"]


def matched_tables(targets: pd.DataFrame, references: pd.DataFrame, measures: pd.DataFrame,
                   validation_dir: Path, learning: LearningRules) -> dict[str, pd.DataFrame]:
    """targets_matched.csv (`match_targets`) and references_matched.csv (`match_references`, generic
    levels from `learning`), each row with the hand check's note (empty where the check has no row);
    each empty where the corpus has no such check."""
    out = {"targets_matched.csv": pd.DataFrame(columns=TARGET_MATCH_COLUMNS),
           "references_matched.csv": pd.DataFrame(columns=REFERENCE_MATCH_COLUMNS)}
    if (validation_dir / TARGETS_CHECK).is_file():
        check = read_check(validation_dir / TARGETS_CHECK)
        matched = match_targets(targets, measures, check).merge(check[["cand_id", "note"]], on="cand_id", how="left")
        out["targets_matched.csv"] = matched.fillna({"note": ""})[TARGET_MATCH_COLUMNS]
    if (validation_dir / REFERENCES_CHECK).is_file() and (validation_dir / REFERENCE_SENTENCES).is_file():
        check = read_check(validation_dir / REFERENCES_CHECK)
        sentences = read_check(validation_dir / REFERENCE_SENTENCES)
        matched = match_references(references, check, sentences, generic_places(learning))
        sentence = sentences.set_index("sent_id")["sentence"].map(normalise)
        notes = (pd.DataFrame({"source_id": check["source_id"], "sentence": check["sent_id"].map(sentence),
                               "place": check["place_label"], "note": check["note"]})
                 .drop_duplicates(["source_id", "sentence", "place"]))
        matched = matched.merge(notes, on=["source_id", "sentence", "place"], how="left")
        out["references_matched.csv"] = matched.fillna({"note": ""})[REFERENCE_MATCH_COLUMNS]
    return out


# --- a corpus of laws: its hand check by article (data/regulations/validation/quantities_check.csv) ---
# One row per quantity of the coded regulations: cand_id (<source_id>:a<article>#k), source_id, article,
# phrase, value, unit, kind (time | percentage | count | none), time_class, is_limit (yes | no), note.

LEGAL_MATCH_COLUMNS = ["source_id", "article", "gold_phrase", "value", "unit", "kind", "time_class", "is_limit",
                       "x_phrase", "x_time_class", "x_limit", "chinese"]
CHINESE_DIGIT = re.compile("[零〇一二两三四五六七八九十百千]")


def _number(value: str) -> str:
    """A value as one spelling (30, 30.0 and 30.00 alike)."""
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def match_legal_targets(targets: pd.DataFrame, article_of: Mapping[str, int], check: pd.DataFrame) -> pd.DataFrame:
    """Outer match of the extracted time quantities and the hand check's, within each coded article.

    `targets`: targets.csv rows; `article_of`: measure_id → article number (articles.csv's crosswalk, or
    measures.csv's `number` while every article is a measure). A pair has the same value and unit; within
    an article they pair in text order. `x_limit`: the extractor calls it a limit (modality `target`).
    Only the check's sources are matched; its rows of kind other than time are left out.
    """
    gold = check.fillna("").astype(str)
    gold = gold[gold["kind"] == "time"].assign(article=lambda d: d["article"].astype(int))
    got = targets[(targets["kind"] == "time_limit") & targets["source_id"].isin(set(gold["source_id"]))]
    got = got.assign(article=got["measure_id"].map(article_of).astype(int))
    rows = []
    for (sid, art), cell in gold.groupby(["source_id", "article"], sort=True):
        pool = got[(got["source_id"] == sid) & (got["article"] == art)].to_dict("records")
        for g in cell.itertuples():
            x = next((r for r in pool if _number(str(r["value"])) == _number(g.value) and r["unit"] == g.unit), None)
            if x is not None:
                pool.remove(x)
            rows.append({"source_id": sid, "article": art, "gold_phrase": g.phrase, "value": g.value, "unit": g.unit,
                         "kind": "time", "time_class": g.time_class, "is_limit": g.is_limit == "yes",
                         "x_phrase": x["phrase"] if x else "", "x_time_class": x["time_class"] if x else "",
                         "x_limit": bool(x and x["modality"] == "target"),
                         "chinese": bool(CHINESE_DIGIT.search(g.phrase))})
    matched = {(r["source_id"], r["article"], r["x_phrase"]) for r in rows if r["x_phrase"]}
    for r in got.itertuples():  # extracted rows the check does not list
        if (r.source_id, r.article, r.phrase) not in matched:
            rows.append({"source_id": r.source_id, "article": r.article, "gold_phrase": "", "value": str(r.value),
                         "unit": r.unit, "kind": "", "time_class": "", "is_limit": False, "x_phrase": r.phrase,
                         "x_time_class": r.time_class, "x_limit": r.modality == "target",
                         "chinese": bool(CHINESE_DIGIT.search(r.phrase))})
    return pd.DataFrame(rows, columns=LEGAL_MATCH_COLUMNS).sort_values(["source_id", "article"], kind="stable",
                                                                        ignore_index=True)


def legal_target_metrics(matched: pd.DataFrame) -> list[dict]:
    """Recall and precision of the time quantities (all, Chinese numerals, Arabic digits) and of is_limit,
    and time-class agreement on the pairs, each with its Wilson interval (`COLUMNS` rows)."""
    rows = []
    for scope, part in (("time_quantities", matched), ("time_quantities_chinese", matched[matched["chinese"]]),
                        ("time_quantities_arabic", matched[~matched["chinese"]])):
        rows += [proportion("targets_legal", scope, "recall", part.loc[part["kind"] == "time", "x_phrase"] != ""),
                 proportion("targets_legal", scope, "precision", part.loc[part["x_phrase"] != "", "kind"] == "time")]
    rows += [proportion("targets_legal", "is_limit", "recall", matched.loc[matched["is_limit"], "x_limit"]),
             proportion("targets_legal", "is_limit", "precision", matched.loc[matched["x_limit"], "is_limit"])]
    both = matched[(matched["kind"] == "time") & (matched["x_phrase"] != "")]
    rows.append(proportion("targets_legal", "time_class", "agreement", both["time_class"] == both["x_time_class"]))
    return rows


def legal_targets_table(targets: pd.DataFrame, article_of: Mapping[str, int],
                        validation_dir: Path) -> pd.DataFrame | None:
    """The regulations' quantity check as `COLUMNS` rows (extractor `targets_legal`); None without the file."""
    path = validation_dir / QUANTITIES_CHECK
    if not path.is_file():
        return None
    check = read_check(path)
    return pd.DataFrame(legal_target_metrics(match_legal_targets(targets, article_of, check)), columns=COLUMNS)
