"""The whole pipeline: sources → clean → measures → … → tables in `data/processed/`."""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import (
    clusters,
    coword,
    extractor_check,
    families,
    findings,
    inference,
    instruments,
    keyness,
    pmc,
    sensitivity,
    shares,
    similarity,
    spread,
    validation,
)
from .base import workers
from .base.errors import BuildError, stop_if_signalled
from .base.paths import DATA, ROOT
from .base.workers import map_ordered
from .io import sources, tables
from .io.outputs import check_output_folder, write_outputs
from .report import statements
from .rules.lexicon import Lexicon, described
from .rules.references import LEARNS_FROM
from .text import clean, coding, measures, references, targets, tokens
from .text.dtm import Dtm


@dataclass
class BuildResult:
    """What a build produced: its tables by file name, and any warnings."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, flush=True)


def build(data_dir: Path | str = DATA, out_dir: Path | str | None = None,  # noqa: C901, PLR0915 -- step 6 of issue 24 turns it into a table of steps
          quiet: bool = False, jobs: int | None = None, dask: str | None = None) -> BuildResult:
    """Build every table from `data_dir` (sources.csv + raw/) into `out_dir`.

    All inputs are checked and all tables computed before anything is written, so a failed
    build leaves `out_dir` exactly as it was. `jobs` worker processes (default: every core this
    process may use, or `BIZENV_JOBS`; capped at those cores) share cleaning, tokenising, theme
    coding and the choice of k; with `dask` (or `BIZENV_DASK`), the address of a Dask
    scheduler, that work runs on its cluster instead.
    The tables are the same either way, whatever `jobs` is.
    """
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else data_dir / "processed"
    sources.check_data_folder(data_dir)
    check_output_folder(out_dir, data_dir)  # not among the inputs, replaceable, writable, not locked
    result = BuildResult()
    mark = time.perf_counter()

    seen = 0  # warnings already credited to a stage

    def stage(name: str, msg: str | None) -> None:
        """Report a finished stage, credit it with the warnings it raised, record its wall time."""
        nonlocal mark, seen
        stop_if_signalled()
        now = time.perf_counter()
        result.timings[name] = now - mark
        mark = now
        result.warnings += _counted(_warning_line(name, w) for w in caught[seen:])
        seen = len(caught)
        if msg:
            _say(msg, quiet)

    address = dask or os.environ.get("BIZENV_DASK", "").strip() or None
    with warnings.catch_warnings(record=True) as caught, workers.on_cluster(address):
        warnings.simplefilter("always")  # every warning of every stage is shown, once per occurrence
        raws = sources.load_raw_documents(data_dir)
        if undated := [r.source_id for r in raws if not r.meta["date"]]:
            warnings.warn(sources.undated_note(undated), sources.UndatedWarning, stacklevel=1)
        # a document that makes the build take minutes is said at once, not only at the end
        early = [_warning_line("sources", w) for w in caught if issubclass(w.category, sources.LargeDocumentWarning)]
        for line in early:
            print(f"warning: {line}", file=sys.stderr, flush=True)
        stage("sources", f"[1/9] sources   {len(raws)} documents read, sha256 verified")
        # Every lexicon and codebook file, each the corpus's own or else the bundled one, checked once here.
        lex = Lexicon.load(data_dir)
        statements.templates()  # the findings' statement templates, checked now rather than at the end
        overrides = pmc.read_overrides(data_dir, set(lex.pmc_variables["sub_id"]), (r.source_id for r in raws))
        if lex.own() or lex.ignored:
            _say(f"      lexicon   {lex.summary()}", quiet)

        cleaned = map_ordered(partial(clean.clean_document, rules=lex.chrome), raws, jobs,
                              min_items=clean.PARALLEL_MIN)
        docs = clean.documents_table(raws, cleaned)
        removed = pd.DataFrame([r for c in cleaned for r in c.removed],
                               columns=["source_id", "line", "rule", "text"])
        meta = (pd.DataFrame([m for c in cleaned for m in c.metadata],
                             columns=["source_id", "field", "value"])
                .drop_duplicates(ignore_index=True))
        stage("clean", f"[2/9] clean     {len(removed)} spans removed "
             f"({int(docs['n_glosses_removed'].sum())} pinyin glosses), "
             f"{int(docs['n_chars_converted'].sum())} characters converted to Simplified")

        places = {r.source_id: r.meta["place"] for r in raws}
        table, cases, structure = measures.measures_tables(docs, places,
                                                           lex.grammar)
        if table.empty:
            raise BuildError("no measures or paragraphs found in any document", data_dir / "raw",
                             "check that the raw files hold the documents' text")
        counts = table["kind"].value_counts()
        stage("measures", f"[3/9] measures  {len(table)} items: "
              + ", ".join(f"{counts[k]} {k}" for k in measures.KINDS if k in counts)
              + (" (general parts are kept, not compared)" if "general" in counts else ""))
        _say(structure_summary(structure), quiet)
        # General parts (总体要求, 总则 …) frame the reforms: kept in measures.csv, not compared.
        # Paragraph documents are compared like the others, so no document drops out unseen.
        analysed = table[table["kind"].isin(measures.ANALYSED_KINDS)].reset_index(drop=True)
        tokenizer = tokens.PolicyTokenizer(lex.policy_terms, lex.stopwords)
        names = lex.gazetteer(r.meta.get(col, "") for r in raws for col in ("place", "province"))
        toks = tokens.tokens_table(analysed, tokenizer, jobs, names)
        dtm = Dtm.from_tokens(toks)  # the one document-term matrix every statistic of the vocabulary reads
        tfidf = clusters.fit_tfidf(dtm)
        # The similarity of sources compares vocabularies, so it reads the terms without names
        # (a document's own place name would decide it); the clusters keep them (see README).
        tfidf_compared = clusters.fit_tfidf(dtm.without_names())
        # what the notebooks show of the lexicon and the tokenizer, so that they open no rule file
        shown = described(lex, set(dtm.terms))
        shown["cleaning_examples.csv"] = clean.cleaning_examples(raws)
        shown["tokenizer_effect.csv"] = tokens.dictionary_effect(analysed, tokenizer)
        stage("tokens", f"[4/9] tokens    {int(toks['n_tokens'].sum()):,} terms in {len(toks)} measures "
             f"({len(dtm.terms):,} distinct; {int(dtm.is_name.sum()):,} of them names, left out of vocabulary "
             "comparisons)")

        sel = clusters.select_k(tfidf, jobs)
        stage("k_selection", None)
        clustered = clusters.cluster_measures(analysed, tfidf, sel)
        if sel.empty:
            stage("clusters", "[5/9] clusters  skipped: too few measures to cluster")
        else:
            best = sel[sel["chosen"]].iloc[0]
            stage("clusters", f"[5/9] clusters  {best['method']} with k={best['k']} (silhouette "
                 f"{best['silhouette']:.3f}, stability ARI {best['stability_ari']:.2f})")

        shown["tfidf_bounds.csv"] = clusters.tfidf_bounds_table(
            dtm.rows(toks["measure_id"].isin(clustered["clusters.csv"]["measure_id"]).to_numpy()))
        codebook = lex.codebook
        coded = coding.code_measures(analysed, codebook, jobs)
        extra = {}
        check = ""
        vdir = data_dir / "validation"
        if (vdir / "coding_a.csv").is_file():
            round1 = None
            if (vdir / "round1" / "theme_rules.csv").is_file():
                # round 1's rules (and parameters, if it kept them; else this build's), checked the same way
                older = lex.overridden(vdir / "round1", ["theme_rules.csv", "theme_params.csv"])
                round1 = coding.code_measures(analysed, older.codebook, jobs)
            extra = validation.validation_tables(coded, vdir, codebook.theme_ids, round1)
            held = extra["validation_summary.csv"].query(
                "comparison == 'coder_vs_gold' and split == 'round2'").set_index("metric")["value"]
            if not held.empty:
                check = (f"; round-2 primary accuracy {held['primary_accuracy']:.2f}, "
                         f"micro-F1 {held['micro_f1']:.2f}")
        levers = instruments.code_measures(analysed, lex.instruments, jobs)
        extra["instruments.csv"] = levers
        shown["clusters_vs_themes.csv"] = shares.clusters_vs_themes_table(clustered["clusters.csv"], coded)
        shown |= validation.split_tables(coded, analysed, vdir)
        lever_check = instruments.validation_table(levers, vdir, lex.instruments.theme_ids)
        if lever_check is not None:
            extra["instrument_validation.csv"] = lever_check
        stage("themes", f"[6/9] themes    {len(coded)} theme codes, "
             f"{len(coded) / max(1, coded['measure_id'].nunique()):.2f} per measure{check}; "
             f"{len(levers)} instrument codes")

        present = set(analysed["source_id"])
        order = [s for s in tables.source_order(docs) if s in present]
        _, tested = families.tested_sources(analysed, docs, order)  # like with like, for every comparison
        compared = compare_sources(analysed, dtm, coded, codebook, docs, order, tested, tfidf_compared)
        shown["comparison_scope.csv"] = families.comparison_scope(analysed, docs, order)
        shown["headline_themes.csv"] = shares.headline_themes(compared["theme_profiles.csv"])
        shown["primary_leaders.csv"] = shares.primary_leaders(coded, analysed, order)
        compared["instrument_grid.csv"] = instruments.grid(levers, coded, analysed, lex.instruments, codebook, order)
        compared["type_profiles.csv"] = instruments.type_shares(levers, analysed, lex.instruments, order,
                                                                n_resamples=inference.N_RESAMPLES, tested=tested)
        family = analysed[analysed["source_id"].isin(tested)].reset_index(drop=True)
        compared["instrument_tests.csv"] = (
            instruments.mix_tests(levers, family, lex.instruments, inference.N_RESAMPLES)
            if families.comparison_gap(family["source_id"], inference.units_of(family)) is None
            else pd.DataFrame(columns=instruments.TEST_COLUMNS))
        doc_types = {r.source_id: r.meta.get("doc_type", "") for r in raws}
        compared["targets.csv"] = targets.targets_table(analysed, lex.topics, lex.cues, lex.time_classes, doc_types)
        compared["references.csv"] = references.references_table(docs, table, lex.learning)
        compared |= pmc.pmc_tables(
            docs, analysed, coded, codebook.groups, levers, lex.instruments.groups,
            compared["targets.csv"], lex.pmc_variables, lex.pmc_params,
            overrides, lex.grammar)
        first_pass = None
        if (vdir / extractor_check.FIRST_PASS).is_dir():  # the rules as they were before the hand check was read
            first = lex.overridden(vdir / extractor_check.FIRST_PASS, extractor_check.RULE_FILES)
            first_pass = (targets.targets_table(analysed, first.topics, first.cues, first.time_classes, doc_types),
                          references.references_table(docs, table, first.learning), first.learning)
        checked = extractor_check.validation_table(
            analysed, vdir, (compared["targets.csv"], compared["references.csv"], lex.learning), first_pass)
        if checked is not None:
            compared["validation_extractors.csv"] = checked
        shown |= extractor_check.matched_tables(compared["targets.csv"], compared["references.csv"], analysed, vdir,
                                                lex.learning)
        optional = (("keyness", "keyness.csv"), ("similarity", "similarity.csv"), ("trends", "group_trend.csv"))
        done = ["theme profiles"] + [what for what, name in optional if len(compared[name])]
        stage("compare", f"[7/9] compare   {', '.join(done)}; {len(compared['targets.csv'])} "
             f"quantities, {len(compared['references.csv'])} references to places "
             f"({int((compared['references.csv']['relation'] == LEARNS_FROM).sum())} learns_from)")

        networks, graph = coword.coword_tables(dtm, order, lex.coword)
        compared |= networks
        compared |= spread.formula_tables(table, docs, compared["references.csv"], lex.formula_patterns,
                                          lex.national, lex.place_aliases, lex.formula_params,
                                          {r.source_id: r.meta.get("province", "") for r in raws}, lex.generic)
        compared |= coword.statistics_tables(*networks.values(), dtm, lex.coword)
        compared["formula_summary.csv"] = spread.formula_summary(compared["formulas.csv"],
                                                                 compared["formula_pairs.csv"], docs)
        stage("networks", networks_summary(compared))

        evidence = findings.Evidence(
            measures=analysed, themes=coded, theme_ids=codebook.theme_ids, tfidf=tfidf_compared.matrix,
            tfidf_with_names=tfidf.matrix, documents=docs,
            targets=compared["targets.csv"], references=compared["references.csv"], order=order,
            gold=gold_themes(vdir), validation=extra.get("validation_summary.csv"), instruments=levers,
            instrument_gold=gold_instruments(vdir), instrument_types=lex.instruments.groups)
        stated, results = sensitivity.findings_tables(evidence)
        stated["findings.csv"] = statements.render(stated["findings.csv"], results)  # the layers: report above
        compared.update(stated)
        f = stated["findings.csv"]
        stage("findings", f"[9/9] findings  {int(f['supported'].sum())} of {len(f)} findings supported, "
              f"{int(f['survives_sensitivity'].sum())} unchanged under every alternative (sensitivity.csv)")
    result.warnings += _counted(_warning_line("findings", w) for w in caught[seen:])
    result.tables = {
        "documents.csv": docs,
        "removed.csv": removed,
        "metadata.csv": meta,
        "measures.csv": table,
        "cases.csv": cases,
        "structure.csv": structure,
        "tokens.csv": toks,
        **clustered,
        "themes.csv": coded,
        **extra,
        **compared,
        **shown,
    }
    # a byte-order mark, so that a spreadsheet opened by double-click reads the Chinese as UTF-8
    files = {name: tables.csv_bytes(df, bom=True) for name, df in result.tables.items()} | coword.graph_files(graph)
    result.written = write_outputs(out_dir, files, whole_folder=True)
    result.timings["write"] = time.perf_counter() - mark
    for w in result.warnings:
        if w not in early:
            print(f"warning: {w}", file=sys.stderr)
    _say(f"done: {len(files)} tables in {_shown(out_dir)}", quiet)
    return result


# The build's own warnings say what a stage skipped or fell back to; any other (a library's
# FutureWarning, a solver's ConvergenceWarning) is shown with the stage and its category.
OWN_WARNINGS = (measures.StructureWarning, clusters.ClusterWarning, families.CompareWarning, pmc.PMCWarning,
                coword.NetworkWarning, sources.UndatedWarning, sources.LargeDocumentWarning)


def _warning_line(stage: str, w: warnings.WarningMessage) -> str:
    """One warning as the build prints it (after `warning: `)."""
    message = " ".join(str(w.message).split())
    if issubclass(w.category, OWN_WARNINGS):
        return message
    return f"[{stage}] {w.category.__name__}: {message}"


def _counted(lines: Iterable[str]) -> list[str]:
    """Each distinct line once, in order of first occurrence, with "(N times)" when repeated (the
    findings stage reruns a test under every alternative and would print its warning each time)."""
    counts = Counter(lines)
    return [line if n == 1 else f"{line} ({n} times)" for line, n in counts.items()]


def networks_summary(tables: dict[str, pd.DataFrame]) -> str:
    """The networks stage's line: the overall co-word network and the formulas shared."""
    nodes, edges, f = tables["coword_nodes.csv"], tables["coword_edges.csv"], tables["formulas.csv"]
    overall = nodes[nodes["scope"] == coword.ALL]
    shared = f[f["n_documents"] >= 2]
    return (f"[8/9] networks  co-word: {len(overall)} terms, {int((edges['scope'] == coword.ALL).sum())} links, "
            f"{overall['community'].nunique()} communities; formulas: {len(f)} found, {len(shared)} in two or more "
            f"documents ({int(shared['national'].sum())} national, {int(shared['generic'].sum())} generic, "
            f"{int((shared['kind'] == 'passage').sum())} shared passages)")


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


def _shown(path: Path) -> str:
    """A path as the user should see it: relative to the project or the working directory."""
    for base in (ROOT, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
