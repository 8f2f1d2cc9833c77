"""The build as a table of steps: each step's name, the function that runs it, the values it reads
and those it writes, and the progress line it prints.

A step reads named values and returns new ones. A value named `*.csv` is a table of the output
folder (`data/datapackage.json` describes each, and `io.tables.load` reads it back); the others live
in memory: the raw documents, the lexicon, the chosen k, the co-word graph. `DERIVED` values are
recomputed from tables when a step first asks for them (the compared measures, the TF-IDF matrices,
the order of sources …), so a later step can run alone on the tables of an earlier build
(`build(only=NAME)`). Stages are called through their modules (`clean.clean_document`), so a test
can stand one in.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import legal_steps
from .analysis import (
    clusters,
    coword,
    extractor_check,
    families,
    findings,
    inference,
    instruments,
    keyness,
    legal_findings,
    pmc,
    sensitivity,
    shares,
    similarity,
    spread,
    validation,
)
from .base.errors import BuildError
from .base.workers import map_ordered
from .io import sources, tables
from .report import statements
from .rules.lexicon import Lexicon, described
from .rules.references import LEARNS_FROM
from .text import clean, coding, measures, references, targets, tokens
from .text.dtm import Dtm

Values = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One step of the build."""

    name: str  # its key in `BuildResult.timings`, and what `build(only=…)` names
    run: Callable[[Values], Values]  # reads `inputs` from the values, returns `outputs`
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]  # what it may return (a validation table only when the corpus has its hand coding)
    line: Callable[[Values], str | None] | None = None  # the progress line printed after it


class Build(dict):
    """The values of one build: what the steps returned, the build's settings (`data_dir`, `jobs`),
    and `DERIVED` values computed on first use; with `tables_from`, a table no step has returned yet
    is read from that output folder."""

    def __init__(self, settings: Mapping[str, Any], tables_from: Path | None = None) -> None:
        super().__init__(settings)
        self.tables_from = tables_from

    def __missing__(self, key: str) -> Any:
        if key in DERIVED:
            self[key] = DERIVED[key](self)
        elif key.endswith(".csv") and self.tables_from is not None:
            self[key] = tables.load(key.removesuffix(".csv"), self.tables_from)
        else:
            raise KeyError(key)
        return self[key]


# --- the steps -----------------------------------------------------------------------------------

def read_corpus(v: Values) -> Values:
    raws = sources.load_raw_documents(v["data_dir"])
    if undated := [r.source_id for r in raws if not r.meta["date"]]:
        warnings.warn(sources.undated_note(undated), sources.UndatedWarning, stacklevel=1)
    return {"raws": raws}


def load_lexicon(v: Values) -> Values:
    """Every lexicon and codebook file, each the corpus's own or else the bundled one, checked once
    here, with the findings' statement templates (checked now rather than at the end)."""
    lex = Lexicon.load(v["data_dir"])
    statements.templates()
    overrides = pmc.read_overrides(v["data_dir"], set(lex.pmc_variables["sub_id"]), (r.source_id for r in v["raws"]))
    return {"lexicon": lex, "overrides": overrides}


def clean_documents(v: Values) -> Values:
    raws = v["raws"]
    cleaned = map_ordered(partial(clean.clean_document, rules=v["lexicon"].chrome, legal=v["lexicon"].legal), raws,
                          v["jobs"],
                          min_items=clean.PARALLEL_MIN)
    removed = pd.DataFrame([r for c in cleaned for r in c.removed], columns=["source_id", "line", "rule", "text"])
    meta = (pd.DataFrame([m for c in cleaned for m in c.metadata], columns=["source_id", "field", "value"])
            .drop_duplicates(ignore_index=True))
    return {"documents.csv": clean.documents_table(raws, cleaned), "removed.csv": removed, "metadata.csv": meta,
            "cleaning_examples.csv": clean.cleaning_examples(raws)}


def segment(v: Values) -> Values:
    places = {r.source_id: r.meta["place"] for r in v["raws"]}
    table, cases, structure = measures.measures_tables(v["documents.csv"], places, v["lexicon"].grammar)
    if table.empty:
        raise BuildError("no measures or paragraphs found in any document", v["data_dir"] / "raw",
                         "check that the raw files hold the documents' text")
    return {"measures.csv": table, "cases.csv": cases, "structure.csv": structure}


def tokenize(v: Values) -> Values:
    lex, analysed = v["lexicon"], v["analysed"]
    tokenizer = tokens.PolicyTokenizer(lex.policy_terms, lex.stopwords)
    names = lex.gazetteer(r.meta.get(col, "") for r in v["raws"] for col in ("place", "province"))
    toks = tokens.tokens_table(analysed, tokenizer, v["jobs"], names)
    # what the notebooks show of the lexicon and the tokenizer, so that they open no rule file
    shown = described(lex, set().union(*tokens.token_lists(toks)))
    return {"tokens.csv": toks, **shown, "tokenizer_effect.csv": tokens.dictionary_effect(analysed, tokenizer)}


def select_k(v: Values) -> Values:
    return {"selection": clusters.select_k(v["tfidf"], v["jobs"])}


def cluster(v: Values) -> Values:
    clustered = clusters.cluster_measures(v["analysed"], v["tfidf"], v["selection"])
    toks = v["tokens.csv"]
    kept = toks["measure_id"].isin(clustered["clusters.csv"]["measure_id"]).to_numpy()
    return {**clustered, "tfidf_bounds.csv": clusters.tfidf_bounds_table(v["dtm"].rows(kept))}


def code(v: Values) -> Values:
    """Themes and instruments, and the coders against the hand coding where the corpus has one."""
    lex, analysed, vdir, jobs = v["lexicon"], v["analysed"], v["vdir"], v["jobs"]
    coded = coding.code_measures(analysed, lex.codebook, jobs)
    out: Values = {"themes.csv": coded}
    if (vdir / "coding_a.csv").is_file():
        round1 = None
        if (vdir / "round1" / "theme_rules.csv").is_file():
            # round 1's rules (and parameters, if it kept them; else this build's), checked the same way
            older = lex.overridden(vdir / "round1", ["theme_rules.csv", "theme_params.csv"])
            round1 = coding.code_measures(analysed, older.codebook, jobs)
        out |= validation.validation_tables(coded, vdir, lex.codebook.theme_ids, round1)
    levers = instruments.code_measures(analysed, lex.instruments, jobs)
    out["instruments.csv"] = levers
    out["clusters_vs_themes.csv"] = shares.clusters_vs_themes_table(v["clusters.csv"], coded)
    out |= validation.split_tables(coded, analysed, vdir)
    lever_check = instruments.validation_table(levers, vdir, lex.instruments.theme_ids)
    if lever_check is not None:
        out["instrument_validation.csv"] = lever_check
    return out


def compare(v: Values) -> Values:
    analysed, coded, levers, docs, order, tested = (v["analysed"], v["themes.csv"], v["instruments.csv"],
                                                    v["documents.csv"], v["order"], v["tested"])
    book, lever_book = v["lexicon"].codebook, v["lexicon"].instruments
    out = compare_sources(analysed, v["dtm"], coded, book, docs, order, tested, v["tfidf_compared"])
    out["comparison_scope.csv"] = families.comparison_scope(analysed, docs, order)
    out["headline_themes.csv"] = shares.headline_themes(out["theme_profiles.csv"])
    out["primary_leaders.csv"] = shares.primary_leaders(coded, analysed, order)
    out["instrument_grid.csv"] = instruments.grid(levers, coded, analysed, lever_book, book, order)
    out["type_profiles.csv"] = instruments.type_shares(levers, analysed, lever_book, order,
                                                       n_resamples=inference.N_RESAMPLES, tested=tested)
    family = analysed[analysed["source_id"].isin(tested)].reset_index(drop=True)
    out["instrument_tests.csv"] = (
        instruments.mix_tests(levers, family, lever_book, inference.N_RESAMPLES)
        if families.comparison_gap(family["source_id"], inference.units_of(family)) is None
        else pd.DataFrame(columns=instruments.TEST_COLUMNS))
    return out


def extract(v: Values) -> Values:
    """Targets and references, and the extractors against their hand checks where the corpus has them
    (with the first-pass rules, when the validation folder keeps them, as well as the final ones)."""
    lex, analysed, docs, table, vdir, doc_types = (v["lexicon"], v["analysed"], v["documents.csv"],
                                                   v["measures.csv"], v["vdir"], v["doc_types"])
    found = targets.targets_table(analysed, lex.topics, lex.cues, lex.time_classes, doc_types)
    refs = references.references_table(docs, table, lex.learning)
    out: Values = {"targets.csv": found, "references.csv": refs}
    first_pass = None
    if (vdir / extractor_check.FIRST_PASS).is_dir():  # the rules as they were before the hand check was read
        first = lex.overridden(vdir / extractor_check.FIRST_PASS, extractor_check.RULE_FILES)
        first_pass = (targets.targets_table(analysed, first.topics, first.cues, first.time_classes, doc_types),
                      references.references_table(docs, table, first.learning), first.learning)
    checked = [extractor_check.validation_table(analysed, vdir, (found, refs, lex.learning), first_pass),
               legal_steps.quantities_checked(found, table, vdir)]
    if checked := [c for c in checked if c is not None]:
        out["validation_extractors.csv"] = pd.concat(checked, ignore_index=True)
    return (out | extractor_check.matched_tables(found, refs, analysed, vdir, lex.learning)
            | legal_steps.cited(table, docs, lex))


def score_pmc(v: Values) -> Values:
    lex = v["lexicon"]
    return pmc.pmc_tables(v["documents.csv"], v["analysed"], v["themes.csv"], lex.codebook.groups,
                          v["instruments.csv"], lex.instruments.groups, v["targets.csv"], lex.pmc_variables,
                          lex.pmc_params, v["overrides"], lex.grammar)


def cowords(v: Values) -> Values:
    lex, dtm = v["lexicon"], v["dtm"]
    networks, graph = coword.coword_tables(dtm, v["order"], lex.coword)
    return {**networks, **coword.statistics_tables(*networks.values(), dtm, lex.coword), "graph": graph}


def formulas(v: Values) -> Values:
    lex, docs = v["lexicon"], v["documents.csv"]
    provinces = {r.source_id: r.meta.get("province", "") for r in v["raws"]}
    out = spread.formula_tables(v["measures.csv"], docs, v["references.csv"], lex.formula_patterns, lex.national,
                                lex.place_aliases, lex.formula_params, provinces, lex.generic)
    out["formula_summary.csv"] = spread.formula_summary(out["formulas.csv"], out["formula_pairs.csv"], docs)
    return out


def decide(v: Values) -> Values:
    """Every finding, under every alternative; its statements from the templates (the report layer)."""
    lex, vdir = v["lexicon"], v["vdir"]
    validated = v["validation_summary.csv"] if (vdir / "coding_a.csv").is_file() else None
    evidence = findings.Evidence(
        measures=v["analysed"], themes=v["themes.csv"], theme_ids=lex.codebook.theme_ids,
        tfidf=v["tfidf_compared"].matrix, tfidf_with_names=v["tfidf"].matrix, documents=v["documents.csv"],
        targets=v["targets.csv"], references=v["references.csv"], order=v["order"], gold=gold_themes(vdir),
        validation=validated, instruments=v["instruments.csv"], instrument_gold=gold_instruments(vdir),
        instrument_types=lex.instruments.groups)
    legal = {fid: r for fid, (table, finding) in legal_findings.LEGAL_FINDINGS.items()
             if (t := legal_steps.optional(v, table)) is not None and (r := finding(t)) is not None}
    stated, results = sensitivity.findings_tables(evidence, legal)
    stated["findings.csv"] = statements.render(stated["findings.csv"], results)  # the layers: report above
    return stated


# --- the progress lines --------------------------------------------------------------------------

def _lexicon_line(v: Values) -> str | None:
    lex = v["lexicon"]
    return f"      lexicon   {lex.summary()}" if lex.own() or lex.ignored else None


def _clean_line(v: Values) -> str:
    docs, removed = v["documents.csv"], v["removed.csv"]
    return (f"[2/9] clean     {len(removed)} spans removed ({int(docs['n_glosses_removed'].sum())} pinyin glosses), "
            f"{int(docs['n_chars_converted'].sum())} characters converted to Simplified")


def _measures_line(v: Values) -> str:
    counts = v["measures.csv"]["kind"].value_counts()
    return (f"[3/9] measures  {len(v['measures.csv'])} items: "
            + ", ".join(f"{counts[k]} {k}" for k in measures.KINDS if k in counts)
            + (" (general parts are kept, not compared)" if "general" in counts else "")
            + "\n" + structure_summary(v["structure.csv"]))


def _tokens_line(v: Values) -> str:
    toks, dtm = v["tokens.csv"], v["dtm"]
    return (f"[4/9] tokens    {int(toks['n_tokens'].sum()):,} terms in {len(toks)} measures "
            f"({len(dtm.terms):,} distinct; {int(dtm.is_name.sum()):,} of them names, left out of vocabulary "
            "comparisons)")


def _clusters_line(v: Values) -> str:
    sel = v["selection"]
    if sel.empty:
        return "[5/9] clusters  skipped: too few measures to cluster"
    best = sel[sel["chosen"]].iloc[0]
    return (f"[5/9] clusters  {best['method']} with k={best['k']} (silhouette {best['silhouette']:.3f}, "
            f"stability ARI {best['stability_ari']:.2f})")


def _themes_line(v: Values) -> str:
    coded, levers = v["themes.csv"], v["instruments.csv"]
    check = ""
    if (v["vdir"] / "coding_a.csv").is_file():
        held = v["validation_summary.csv"].query(
            "comparison == 'coder_vs_gold' and split == 'round2'").set_index("metric")["value"]
        if not held.empty:
            check = f"; round-2 primary accuracy {held['primary_accuracy']:.2f}, micro-F1 {held['micro_f1']:.2f}"
    return (f"[6/9] themes    {len(coded)} theme codes, "
            f"{len(coded) / max(1, coded['measure_id'].nunique()):.2f} per measure{check}; "
            f"{len(levers)} instrument codes")


def _compare_line(v: Values) -> str:
    optional = (("keyness", "keyness.csv"), ("similarity", "similarity.csv"), ("trends", "group_trend.csv"))
    done = ["theme profiles"] + [what for what, name in optional if len(v[name])]
    refs = v["references.csv"]
    return (f"[7/9] compare   {', '.join(done)}; {len(v['targets.csv'])} quantities, {len(refs)} references to "
            f"places ({int((refs['relation'] == LEARNS_FROM).sum())} learns_from)")


def _networks_line(v: Values) -> str:
    """The overall co-word network and the formulas shared."""
    nodes, edges, f = v["coword_nodes.csv"], v["coword_edges.csv"], v["formulas.csv"]
    overall = nodes[nodes["scope"] == coword.ALL]
    shared = f[f["n_documents"] >= 2]
    return (f"[8/9] networks  co-word: {len(overall)} terms, {int((edges['scope'] == coword.ALL).sum())} links, "
            f"{overall['community'].nunique()} communities; formulas: {len(f)} found, {len(shared)} in two or more "
            f"documents ({int(shared['national'].sum())} national, {int(shared['generic'].sum())} generic, "
            f"{int((shared['kind'] == 'passage').sum())} shared passages)")


def _findings_line(v: Values) -> str:
    f = v["findings.csv"]
    return (f"[9/9] findings  {int(f['supported'].sum())} of {len(f)} findings supported, "
            f"{int(f['survives_sensitivity'].sum())} unchanged under every alternative (sensitivity.csv)")


_VALIDATION = ("validation_summary.csv", "validation_per_theme.csv", "validation_confusion.csv")
STEPS: tuple[Step, ...] = (
    Step("sources", read_corpus, ("data_dir",), ("raws",),
         lambda v: f"[1/9] sources   {len(v['raws'])} documents read, sha256 verified"),
    Step("lexicon", load_lexicon, ("data_dir", "raws"), ("lexicon", "overrides"), _lexicon_line),
    Step("clean", clean_documents, ("raws", "lexicon", "jobs"),
         ("documents.csv", "removed.csv", "metadata.csv", "cleaning_examples.csv"), _clean_line),
    Step("measures", segment, ("documents.csv", "raws", "lexicon"), ("measures.csv", "cases.csv", "structure.csv"),
         _measures_line),
    Step("articles", legal_steps.structure, ("documents.csv", "measures.csv", "structure.csv", "raws", "lexicon",
                                             "vdir"),
         ("articles.csv", "provisions.csv", "deontics.csv", "hierarchy.csv", "validation_deontic.csv"),
         legal_steps.structure_line),
    Step("alignment", legal_steps.align, ("articles.csv", "raws", "lexicon", "jobs", "vdir"),
         ("links.csv", "validation_alignment.csv"),
         legal_steps.align_line),
    Step("tokens", tokenize, ("analysed", "raws", "lexicon", "jobs"),
         ("tokens.csv", "lexicon.csv", "parameters.csv", "codebook.csv", "labels.csv", "tokenizer_effect.csv"),
         _tokens_line),
    Step("k_selection", select_k, ("tfidf", "jobs"), ("selection",)),
    Step("clusters", cluster, ("analysed", "tfidf", "selection", "tokens.csv", "dtm"),
         ("clusters.csv", "cluster_terms.csv", "cluster_selection.csv", "tfidf_bounds.csv"), _clusters_line),
    Step("themes", code, ("analysed", "lexicon", "vdir", "clusters.csv", "jobs"),
         ("themes.csv", *_VALIDATION, "instruments.csv", "instrument_validation.csv", "clusters_vs_themes.csv",
          "validation_splits.csv", "validation_disagreements.csv"), _themes_line),
    # after "themes": the origins' and the revision's themes read themes.csv and instruments.csv
    Step("implementation", legal_steps.implement, ("articles.csv", "links.csv", "raws", "themes.csv",
                                                   "instruments.csv"),
         ("implementation.csv", "origins.csv", "originality.csv", "originality_themes.csv", "diffusion.csv",
          "diffusion_tests.csv", "revision.csv", "revision_themes.csv"), legal_steps.implement_line),
    Step("legal_profiles", legal_steps.profile, ("articles.csv", "themes.csv", "instruments.csv", "deontics.csv",
                                                 "raws"),
         ("regulation_profiles.csv", "level_tests.csv", "trend_tests.csv"),
         legal_steps.profile_line),
    Step("frame", legal_steps.place_in_frame, ("analysed", "raws", "lexicon", "frame_dir", "vdir"),
         ("frame_links.csv", "frame_coverage.csv", "frame_summary.csv", "validation_frame.csv"),
         legal_steps.frame_line),
    Step("compare", compare, ("analysed", "dtm", "themes.csv", "instruments.csv", "documents.csv",
                              "order", "tested", "tfidf_compared", "lexicon"),
         ("theme_profiles.csv", "group_profiles.csv", "keyness.csv", "similarity.csv", "similarity_tests.csv",
          "group_trend.csv", "comparison_scope.csv", "headline_themes.csv", "primary_leaders.csv",
          "instrument_grid.csv", "type_profiles.csv", "instrument_tests.csv")),
    Step("extract", extract, ("analysed", "documents.csv", "measures.csv", "vdir", "doc_types", "lexicon"),
         ("targets.csv", "references.csv", "validation_extractors.csv", "targets_matched.csv",
          "references_matched.csv", "citations.csv")),
    Step("pmc", score_pmc, ("documents.csv", "analysed", "themes.csv", "instruments.csv", "targets.csv", "lexicon",
                            "overrides"), ("pmc.csv", "pmc_index.csv"), _compare_line),
    Step("networks", cowords, ("dtm", "order", "lexicon"),
         ("coword_nodes.csv", "coword_edges.csv", "coword_summary.csv", "coword_stability.csv",
          "coword_communities.csv", "graph")),
    Step("formulas", formulas, ("measures.csv", "documents.csv", "references.csv", "lexicon", "raws"),
         ("formulas.csv", "formula_spread.csv", "formula_pairs.csv", "formula_summary.csv"), _networks_line),
    Step("findings", decide, ("analysed", "themes.csv", "tfidf", "tfidf_compared", "documents.csv", "targets.csv",
                              "references.csv", "order", "vdir", "instruments.csv", "lexicon"),
         ("findings.csv", "sensitivity.csv"), _findings_line),
)


# --- values recomputed from the tables ----------------------------------------------------------

def _order(v: Values) -> list[str]:
    present = set(v["analysed"]["source_id"])
    return [s for s in tables.source_order(v["documents.csv"]) if s in present]


# General parts (总体要求, 总则 …) frame the reforms: kept in measures.csv, not compared. Paragraph
# documents are compared like the others, so no document drops out unseen.
DERIVED: dict[str, Callable[[Values], Any]] = {
    "analysed": lambda v: measures.compared(v["measures.csv"]),
    # the one document-term matrix every statistic of the vocabulary reads (TF-IDF, keyness, co-words)
    "dtm": lambda v: Dtm.from_tokens(v["tokens.csv"]),
    "tfidf": lambda v: clusters.fit_tfidf(v["dtm"]),
    # The similarity of sources compares vocabularies, so it reads the terms without names (a
    # document's own place name would decide it); the clusters keep them (see README).
    "tfidf_compared": lambda v: clusters.fit_tfidf(v["dtm"].without_names()),
    "order": _order,
    "tested": lambda v: families.tested_sources(v["analysed"], v["documents.csv"], v["order"])[1],
    "vdir": lambda v: Path(v["data_dir"]) / "validation",
    "doc_types": lambda v: {r.source_id: r.meta.get("doc_type", "") for r in v["raws"]},
}


# --- helpers of the steps ------------------------------------------------------------------------

SUMMARY_ROWS = 40  # above this many documents, only those that need a look are listed


def structure_summary(structure: pd.DataFrame) -> str:
    """Per document: the items of each kind found, and a note where the document needs a look."""
    width = max(len(s) for s in structure["source_id"])
    shown = structure if len(structure) <= SUMMARY_ROWS else structure[structure["note"] != ""]
    lines = [] if shown is structure else [
        f"          {len(structure) - len(shown)} documents segmented as expected, {len(shown)} to check "
        "(every document: structure.csv)"]
    for r in shown.itertuples():
        found = ", ".join(f"{getattr(r, 'n_' + k)} {k}" for k in measures.KINDS if getattr(r, "n_" + k))
        style = f" (by {r.measure_style})" if r.measure_style else ""
        note = f"  <- {r.note}" if r.note else ""
        lines.append(f"          {r.source_id:<{width}}  {found or 'nothing'}{style}{note}")
    return "\n".join(lines)


def compare_sources(analysed: pd.DataFrame, dtm: Dtm, coded: pd.DataFrame,
                    codebook: coding.Codebook, docs: pd.DataFrame, order: list[str], tested: list[str],
                    model: clusters.TfidfModel) -> dict[str, pd.DataFrame]:
    """Stage 7: the comparison tables across sources, each share with its intervals and tests.

    Like with like: the tests compare only the sources of `tested`, one family of genres
    (`families.tested_sources`: the policy documents when there are two, the reports otherwise); the
    others are described in the profiles and the similarities and left out of keyness and the tests.
    `dtm` is the measures' document-term matrix, `model` the TF-IDF of their terms without names
    (`Dtm.without_names`); keyness leaves the names out of `dtm` itself."""
    n = inference.N_RESAMPLES
    profiles = shares.theme_shares(coded, analysed, codebook.themes, order, n_resamples=n, tested=tested)
    groups = shares.group_shares(coded, analysed, codebook.themes, order, n_resamples=n, tested=tested)
    out = {"theme_profiles.csv": profiles, "group_profiles.csv": groups}
    out |= {name: pd.DataFrame(columns=cols) for name, cols in (
        ("keyness.csv", keyness.KEYNESS_COLUMNS), ("similarity.csv", similarity.SIMILARITY_COLUMNS),
        ("similarity_tests.csv", similarity.SIMILARITY_TEST_COLUMNS), ("group_trend.csv", shares.TREND_COLUMNS))}
    inside = analysed["source_id"].isin(tested).to_numpy()
    family = analysed[inside].reset_index(drop=True)
    units = inference.units_of(family)
    if gap := families.comparison_gap(family["source_id"], units):
        warnings.warn(f"keyness, similarity and the tests between sources skipped: {gap}",
                      families.CompareWarning, stacklevel=2)
    else:
        matrix = model.matrix[np.flatnonzero(inside)]
        # Every source's similarity is described; only the compared family's pairs are tested.
        mean_rows = similarity.mean_rows(model.matrix, analysed["source_id"].to_numpy())
        bases = {"tfidf": matrix,
                 "themes": shares.indicator(coded, list(family["measure_id"]), codebook.theme_ids)}
        out["keyness.csv"] = keyness.keyness(dtm.rows(np.isin(dtm.source_ids, tested)), tested,
                                             units=pd.Series(units, index=family["measure_id"]), n_resamples=n)
        out["similarity.csv"] = similarity.source_similarity(mean_rows, profiles, order)
        out["similarity_tests.csv"] = similarity.similarity_tests(bases, family["source_id"].to_numpy(), tested, n,
                                                                  units=units)
    years = docs.loc[docs["source_id"].isin(order), "year"].dropna().nunique()
    if years < shares.MIN_YEARS:
        warnings.warn(f"change over time skipped: the documents come from {years} year(s), "
                      f"it needs {shares.MIN_YEARS}", families.CompareWarning, stacklevel=2)
    else:
        out["group_trend.csv"] = shares.shares_by_year(groups, docs)
    return out


def _coded_rows(gold: pd.DataFrame, column: str) -> pd.DataFrame:
    """A hand coding (measure_id, primary, themes list) as coder-output rows: one per
    (measure, code), the primary marked."""
    rows = [{"measure_id": g.measure_id, column: t, "primary": t == g.primary}
            for g in gold.itertuples() for t in sorted(set(g.themes) | {g.primary})]
    return pd.DataFrame(rows, columns=["measure_id", column, "primary"])


def gold_themes(validation_dir: Path) -> pd.DataFrame | None:
    """The hand-coded themes of every coded measure as themes.csv-like rows, or None without them."""
    if not (validation_dir / "coding_a.csv").is_file():
        return None
    return _coded_rows(validation.read_gold(validation_dir), "theme_id")


def gold_instruments(validation_dir: Path) -> pd.DataFrame | None:
    """Coder A's instrument coding as instruments.csv-like rows, or None without it."""
    if not (validation_dir / instruments.CODING_A).is_file():
        return None
    return _coded_rows(instruments.read_coding(validation_dir / instruments.CODING_A), "instrument_id")
