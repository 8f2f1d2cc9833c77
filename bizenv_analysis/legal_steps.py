"""The steps of the legal frame (issue #25): they write their tables only for a corpus whose
documents are laws enumerated in articles (第X条), and return nothing otherwise, so a corpus of
plans builds as before. `steps.STEPS` lists them with the others.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import (
    alignment_check,
    deontic_check,
    diffusion,
    extractor_check,
    frame,
    implementation,
    legal_profiles,
)
from .base.errors import BuildError
from .io import sources
from .io.hierarchy import hierarchy_from, hierarchy_table
from .rules.legal import LegalRules
from .rules.lexicon import Lexicon
from .text import articles, citations, clean, measures, reuse

Values = dict[str, Any]


def optional(v: Values, name: str) -> pd.DataFrame | None:
    """A table only some corpora have (articles.csv …): from this build, or from the earlier build a
    rerun of one step reads (`Build.tables_from`); None when neither has it."""
    if name in v:
        return v[name]
    earlier = getattr(v, "tables_from", None)
    return v[name] if earlier is not None and (earlier / name).is_file() else None


def _deontics_of(sentence: str, legal: LegalRules) -> list[tuple[str, str]]:
    """(modality, addressee) of every statement the rules find in one sentence."""
    return [(r["modality"], r["addressee"]) for r in articles.deontic_statements("s", sentence, legal)]


def structure(v: Values) -> Values:
    """Articles, their 款 and 项, their deontic statements (scored against the corpus's hand check
    when it has one) and the hierarchy, for a corpus whose documents have articles."""
    lex = v["lexicon"]
    out = articles.article_tables(v["documents.csv"], v["measures.csv"], v["structure.csv"], lex.grammar, lex.legal)
    if not out:
        return out
    if hierarchy_from(v["raws"]).declared():
        out["hierarchy.csv"] = hierarchy_table(v["raws"])
    check = deontic_check.deontic_validation(v["vdir"], partial(_deontics_of, legal=lex.legal))
    if check is not None:
        out["validation_deontic.csv"] = check
    return out


def structure_line(v: Values) -> str | None:
    if "articles.csv" not in v:  # `in` reads no table: a corpus without articles prints nothing
        return None
    arts, deontics = v["articles.csv"], v["deontics.csv"]
    parts = arts["part"].value_counts()
    return (f"      articles  {len(arts)} articles ({', '.join(f'{parts[p]} {p}' for p in parts.index)}), "
            f"{len(v['provisions.csv'])} paragraphs and points, {len(deontics)} deontic statements")


# The doc_type of sources.csv that makes a corpus one of laws (its citations are always written).
REGULATION = "regulation"


def cited(measures_table: pd.DataFrame, docs: pd.DataFrame, lex: Lexicon) -> Values:
    """citations.csv, written only for a corpus of laws: one with a `regulation` document or a citation
    of a law or regulation (so a corpus of plans that names only other plans in 《》 gets no new table)."""
    found = citations.citations_table(measures_table, dict(zip(docs["source_id"], docs["title"], strict=True)),
                                      dict(zip(docs["source_id"], docs["date"].fillna("").astype(str), strict=True)),
                                      lex.citations)
    legal = (docs["doc_type"] == REGULATION).any() or citations.cites_law(found)
    return {"citations.csv": found} if legal else {}


def quantities_checked(found: pd.DataFrame, measures_table: pd.DataFrame, vdir: Path) -> pd.DataFrame | None:
    """The quantities of a corpus of laws against its hand check (`extractor_check.QUANTITIES_CHECK`),
    as rows of validation_extractors.csv; None without the check. A law's measure number is its
    article number (measures.csv `number`)."""
    if not (vdir / extractor_check.QUANTITIES_CHECK).is_file():
        return None
    number = pd.to_numeric(measures_table["number"], errors="coerce")  # paragraphs have none
    article_of = dict(zip(measures_table["measure_id"][number.notna()], number.dropna().astype(int), strict=True))
    table = extractor_check.legal_targets_table(found, article_of, vdir)
    # The rules of data/lexicon/ are the ones the check was held out from (its README says when).
    return None if table is None else table.assign(rules="final")[["rules", *extractor_check.COLUMNS]]


def align(v: Values) -> Values:
    """links.csv: every candidate pair of articles of two documents, aligned (`text.reuse`), and the
    alignment against the corpus's hand-coded pairs when it has them."""
    arts = optional(v, "articles.csv")
    if arts is None:
        return {}
    params = v["lexicon"].alignment
    # the documents' dates come with the hierarchy (sources.csv's date column)
    links = reuse.links_table(arts[["article_id", "source_id", "part", "text"]], hierarchy_from(v["raws"]), params,
                              v["jobs"])
    out = {"links.csv": links}
    if (check := alignment_check.alignment_validation(v["vdir"], links, params)) is not None:
        out["validation_alignment.csv"] = check
    return out


def align_line(v: Values) -> str | None:
    if "links.csv" not in v:
        return None
    links = v["links.csv"]
    counts = links.groupby(["scope", "relation"]).size()
    shown = "; ".join(f"{scope}: " + ", ".join(f"{n} {rel}" for (_, rel), n in group.items() if rel != "none")
                      for scope, group in counts.groupby(level=0))
    return f"      links     {len(links)} candidate pairs of articles aligned ({shown})"


def implement(v: Values) -> Values:
    """The implementation map, origins, originality (with the themes and instruments of each origin),
    revisions (with the themes of each status) and diffusion, for a corpus of laws whose sources.csv
    declares the hierarchy (parent, version_of)."""
    arts, links = optional(v, "articles.csv"), optional(v, "links.csv")
    hierarchy = hierarchy_from(v["raws"])
    if arts is None or links is None or not hierarchy.declared():
        return {}
    origin = implementation.origins(arts, links, hierarchy)
    out = {"implementation.csv": implementation.implementation_map(arts, links, hierarchy), "origins.csv": origin,
           "originality.csv": implementation.originality(origin),
           "originality_themes.csv": implementation.origin_profiles(origin, arts, v["themes.csv"],
                                                                    v["instruments.csv"]),
           "diffusion.csv": diffusion.provisions(origin, links, hierarchy),
           "diffusion_tests.csv": diffusion.own_province_test(arts, origin, links, hierarchy)}
    revisions = [implementation.revision(arts, links, old, new) for new, old in sorted(hierarchy.version_of.items())]
    if revisions:
        out["revision.csv"] = pd.concat(revisions, ignore_index=True)
        out["revision_themes.csv"] = implementation.revision_themes(out["revision.csv"], arts, v["themes.csv"])
    return out


def implement_line(v: Values) -> str | None:
    if "implementation.csv" in v:
        m = v["implementation.csv"]
        carried = m[m["relation"] != "absent"]
        return (f"      map       {m['national_article_id'].nunique()} national articles × {m['source_id'].nunique()} "
                f"local laws: {len(carried)} of {len(m)} carried ({int((m['relation'] == 'verbatim').sum())} "
                f"verbatim); {v['diffusion.csv']['provision_id'].nunique()} provisions shared beyond the national text")
    if "links.csv" in v:
        return ("      map       no parent or version_of in sources.csv: every pair of laws aligned (links.csv), "
                "no implementation map")
    return None


def article_hits(arts: pd.DataFrame, themes: pd.DataFrame, instruments: pd.DataFrame,
                 deontics: pd.DataFrame) -> pd.DataFrame:
    """article_id, dimension, category: each article's primary theme and instrument, and the
    modalities and addressees of its deontic statements."""
    crosswalk = arts[["article_id", "measure_id"]]
    frames = []
    for dim, table, column in (("theme", themes, "theme_id"), ("instrument", instruments, "instrument_id")):
        primary = table[table["primary"].astype(str) == "True"].merge(crosswalk, on="measure_id")
        frames.append(pd.DataFrame({"article_id": primary["article_id"], "dimension": dim,
                                    "category": primary[column]}))
    for dim in ("modality", "addressee"):
        frames.append(pd.DataFrame({"article_id": deontics["article_id"], "dimension": dim,
                                    "category": deontics[dim]}))
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def profile(v: Values) -> Values:
    """Each law's profile over its substantive articles, and provinces against cities with
    documents as units (`analysis.legal_profiles`)."""
    arts = optional(v, "articles.csv")
    hierarchy = hierarchy_from(v["raws"])
    if arts is None or not hierarchy.level:
        return {}
    hits = article_hits(arts, v["themes.csv"], v["instruments.csv"], v["deontics.csv"])
    profiles = legal_profiles.regulation_profiles(arts, hits, hierarchy)
    return {"regulation_profiles.csv": profiles, "level_tests.csv": legal_profiles.level_tests(profiles, hierarchy),
            "trend_tests.csv": legal_profiles.trend_tests(profiles, hierarchy)}


def profile_line(v: Values) -> str | None:
    if "level_tests.csv" not in v:
        return None
    t = v["level_tests.csv"]
    if t.empty:
        return "      levels    no two levels with documents to compare"
    return (f"      levels    {t['contrast'].iloc[0]}: {len(t)} categories tested with {int(t['n_units'].iloc[0])} "
            f"documents as units ({int(t['n_permutations'].iloc[0])} splits), {int((t['decision'] == 'shown').sum())} "
            "differences shown")


def frame_articles(frame_dir: Path) -> tuple[pd.DataFrame, list[sources.RawDocument]]:
    """The articles of the frame corpus, built from its raw files with its own rules (sources →
    clean → measures → articles: the same stages as its own build, so never a stale table), and its
    documents; BuildError when it holds no law enumerated in articles."""
    lex = Lexicon.load(frame_dir)
    raws = sources.load_raw_documents(frame_dir)
    cleaned = [clean.clean_document(r, lex.chrome, lex.legal) for r in raws]
    docs = clean.documents_table(raws, cleaned)
    found, _, structure = measures.measures_tables(docs, {r.source_id: r.meta["place"] for r in raws}, lex.grammar)
    arts = articles.article_tables(docs, found, structure, lex.grammar, lex.legal).get("articles.csv")
    if arts is None:
        raise BuildError("the legal frame holds no law enumerated in articles (第X条)", frame_dir,
                         "give --frame a corpus of regulations (e.g. data/regulations), or --frame none")
    return arts, raws


def place_in_frame(v: Values) -> Values:
    """The corpus's measures against the frame's articles (`analysis.frame`): which national or
    provincial article each measure comes closest to, coverage of the frame's chapters, shares."""
    frame_dir = v.get("frame_dir")
    if frame_dir is None:
        return {}
    arts, frame_raws = frame_articles(Path(frame_dir))
    hierarchy = hierarchy_from(frame_raws)
    provinces = {r.source_id: str(r.meta.get("province", "")) for r in frame_raws}
    ours = pd.DataFrame({"source_id": [r.source_id for r in v["raws"]],
                         "province": [str(r.meta.get("province", "")) for r in v["raws"]]})
    compared = frame.frame_sources(ours, hierarchy, provinces)
    params, analysed = v["lexicon"].alignment, v["analysed"]
    links = frame.frame_links(analysed, arts, compared, params.frame_min, params.frame_top)
    ours_dated = hierarchy_from(v["raws"]).date
    out = {"frame_links.csv": links, "frame_coverage.csv": frame.frame_coverage(links, arts),
           "frame_summary.csv": frame.frame_summary(links, analysed, ours_dated, dict(hierarchy.date))}
    if (check := alignment_check.frame_validation(v["vdir"], links, params.frame_min)) is not None:
        out["validation_frame.csv"] = check
    return out


def frame_line(v: Values) -> str | None:
    if "frame_summary.csv" not in v:
        return None
    s = v["frame_summary.csv"]
    shown = ", ".join(f"{r.source_id}→{r.frame_source_id} {r.n_implementing}/{r.n_measures}" for r in s.itertuples())
    return f"      frame     measures implementing a frame article ({shown})"
