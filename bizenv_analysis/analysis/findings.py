"""Stage 8 — findings: every comparative claim of the study as data, decided by its test.

Each finding is a function of a `View` (which measures, which theme coding, which weights)
returning a `Result`: its numbers, and the facts and items its statement names. The statements
themselves are templates kept as data (`data/templates/findings.csv`), filled in English and
Chinese by `report.statements.render`; `FINDINGS` lists the findings and `STATED` what each
finding's templates may name. `sensitivity.findings_tables` evaluates every finding on the data as built
(`baseline`) and on each alternative of `sensitivity.VARIANTS` that applies to it, and writes
`findings.csv` and `sensitivity.csv`. A finding whose test fails is kept and stated as not
supported.

Three rules of design hold for every finding:
- One unit per comparison: tests shuffle, and intervals resample, the same unit — the heading
  (section, else chapter; a case) that groups measures (`inference.units_of`), never single
  measures, which share their heading's wording. A finding whose units are too few for any
  shuffle to reach `ALPHA` says so and is not tested.
- Like with like: sources are compared within one family of genres — policy documents (plans,
  opinions, regulations) set out what will be done, reports and case collections say what was
  done — by default the policy documents; the other family is described, not tested against
  them (`all_genres` pools them as a sensitivity row). Safeguard items (组织保障) are out of the
  comparisons by default (`with_safeguards` keeps them); general parts never enter them.
- Vocabulary without names: person, place and organisation names are left out of the
  vocabulary's TF-IDF by default (`with_names` keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import spmatrix

from ..base import constants
from ..text.targets import calendar_days, processing_commitments
from . import families, inference, shares, similarity
from .families import POLICY, REPORT, family_of  # like with like: the families of genres

ALPHA = constants.ALPHA


@dataclass(frozen=True)
class Evidence:
    """Everything the findings read: built tables plus the TF-IDF rows of the measures."""

    measures: pd.DataFrame  # analysed measures (measure_id, source_id, kind, chapter, section, n_chars)
    themes: pd.DataFrame  # coder's themes.csv rows
    theme_ids: list[str]
    tfidf: spmatrix  # one row per measure, in `measures` order (names left out)
    documents: pd.DataFrame
    targets: pd.DataFrame
    references: pd.DataFrame
    order: list[str]
    gold: pd.DataFrame | None = None  # hand-coded theme rows (measure_id, theme_id, primary)
    validation: pd.DataFrame | None = None  # validation_summary.csv
    n_resamples: int = inference.N_RESAMPLES
    instruments: pd.DataFrame | None = None  # instruments.csv rows (measure_id, instrument_id, primary)
    instrument_gold: pd.DataFrame | None = None  # coder A's instrument rows, same columns
    instrument_types: dict[str, str] = field(default_factory=dict)  # instrument_id → type_id
    tfidf_with_names: spmatrix | None = None  # as `tfidf`, names kept (the with_names variant)


@dataclass(frozen=True)
class View:
    """The data one variant looks at: a subset of measures and the theme coding to use."""

    name: str
    rows: np.ndarray  # positions of the measures in Evidence.measures
    themes: pd.DataFrame
    primary_only: bool = False
    weights: np.ndarray | None = None  # per measure in `rows`; None = each measure counts 1
    family: str = POLICY  # the family of genres compared ("" = every genre pooled)
    names: bool = False  # the vocabulary keeps names


@dataclass(frozen=True)
class Result:
    """One finding evaluated on one view: its numbers, and what its statement names beside them.

    `facts` are the numbers (and ids) the statement names; `items` the lists it enumerates, one
    dict per item. `status` is "tested", "untested" (too few units for the test) or "described"
    (no test is made); with `supported` it gives the statement's `outcome`.
    """

    statistic: str
    value: float
    n: int
    supported: bool
    test: str = ""
    p_value: float = float("nan")
    interval: tuple[float, float] = (float("nan"), float("nan"))
    interval_type: str = ""
    unit: str = ""
    n_units: int = 0
    status: str = "tested"
    facts: dict[str, object] = field(default_factory=dict)
    items: dict[str, list[dict]] = field(default_factory=dict)

    def fields(self) -> dict[str, object]:
        """What a statement can name: the numbers every Result has (`COMMON`), its facts and its items."""
        return {"value": self.value, "n": self.n, "n_units": self.n_units, "p_value": self.p_value,
                "low": self.interval[0], "high": self.interval[1], **self.facts, **self.items}

    @property
    def outcome(self) -> str:
        """Which statement is made: supported, not_supported, untested or described."""
        if self.status != "tested":
            return self.status
        return "supported" if self.supported else "not_supported"


# --- the findings -----------------------------------------------------------------------------------

def _measures(ev: Evidence, v: View) -> pd.DataFrame:
    return ev.measures.reset_index(drop=True).iloc[v.rows].reset_index(drop=True)


def _sources(ev: Evidence, m: pd.DataFrame) -> list[str]:
    """The sources of `m` in study order."""
    present = set(m["source_id"])
    return [s for s in ev.order if s in present]


def _scope(v: View, m: pd.DataFrame) -> dict[str, object]:
    """What is compared: the number of sources of `m` and the family of genres ("" = every genre pooled)."""
    return {"n_sources": m["source_id"].nunique(), "family": v.family}


def _compared(ev: Evidence, m: pd.DataFrame) -> tuple[list[str], np.ndarray, int] | None:
    """The sources of the rows `m` in study order, and their headings (one per row, and how many):
    None when fewer than two sources are left to compare."""
    order = _sources(ev, m)
    if len(order) < 2:
        return None
    units = inference.units_of(m)
    return order, units, len(set(units))


def _untested(v: View, m: pd.DataFrame, units: np.ndarray, statistic: str,
              alternative: str = "two-sided") -> Result | None:
    """A Result saying that the headings (`units`, one per row of `m`) are too few for the test to
    reach ALPHA; None when they suffice."""
    n_units = len(set(units))
    if not inference.too_few_units(m["source_id"].to_numpy(), units, ALPHA, alternative):
        return None
    splits = inference.unit_splits(m["source_id"].to_numpy(), units)
    return Result(statistic, float("nan"), len(m), False, test="none: too few units for a permutation test",
                  unit=families.UNIT, n_units=n_units, status="untested",
                  facts=_scope(v, m) | {"splits": splits, "alpha": ALPHA})


SHUFFLE = "whole headings reshuffled between sources, each source's number of headings kept"


def _similarity(ev: Evidence, v: View, basis: str) -> Result | None:
    m = _measures(ev, v)
    if (compared := _compared(ev, m)) is None:
        return None
    order, units, n_units = compared
    if (no := _untested(v, m, units, "mean pairwise cosine similarity of source profiles", "less")) is not None:
        return no
    if basis == "tfidf":  # the with_names view exists only where the build gave the matrix with names
        matrix = (ev.tfidf_with_names if v.names else ev.tfidf)[v.rows]
    else:
        matrix = shares.indicator(v.themes, list(m["measure_id"]), ev.theme_ids, primary_only=v.primary_only)
    res = similarity.similarity_tests({basis: matrix}, m["source_id"].to_numpy(), order, ev.n_resamples, units=units)
    top = res.iloc[0]
    pairs = res.iloc[1:]
    differ = pairs[pairs["q_value"] < ALPHA]
    return Result("mean pairwise cosine similarity of source profiles", float(top["observed"]), len(m),
                  bool(top["p_value"] < ALPHA),
                  test=f"permutation: {SHUFFLE}, {ev.n_resamples} draws, one-sided (less alike than chance); "
                       "pairs BH-corrected",
                  p_value=float(top["p_value"]), interval=(float(top["null_low"]), float(top["null_high"])),
                  interval_type="95% range under the null (headings reshuffled)", unit=families.UNIT, n_units=n_units,
                  facts=_scope(v, m) | {"null_mean": float(top["null_mean"]), "n_pairs": len(pairs),
                                        "n_pairs_differ": len(differ), "names": v.names})


def vocabulary_differs(ev: Evidence, v: View) -> Result | None:
    """Are the sources' vocabularies (mean TF-IDF rows, names left out) less alike than random
    splits of their headings?"""
    if v.name in ("hand_coded", "primary_only", "per_1000_chars"):
        return None  # the vocabulary does not depend on the theme coding or on weights
    return _similarity(ev, v, "tfidf")


def theme_profiles_differ(ev: Evidence, v: View) -> Result | None:
    """Are the sources' theme profiles less alike than random splits of their headings?"""
    if v.name in ("per_1000_chars", "with_names"):
        return None  # cosine ignores each profile's scale; names do not enter theme coding
    return _similarity(ev, v, "themes")


def emphasis(ev: Evidence, v: View) -> Result | None:
    """Does any source address any theme more or less often than the other sources, after BH?"""
    if v.name == "with_names":
        return None
    m = _measures(ev, v)
    if (compared := _compared(ev, m)) is None:
        return None
    order, units, n_units = compared
    if (no := _untested(v, m, units, "source × theme cells with q < 0.05")) is not None:
        return no
    y = shares.indicator(v.themes, list(m["measure_id"]), ev.theme_ids, primary_only=v.primary_only)
    cells = shares.share_tests(y, ev.theme_ids, m, order, weights=v.weights, n_resamples=ev.n_resamples,
                                intervals=False)
    sig = cells[cells["q_value"] < ALPHA]
    big = cells.loc[cells["diff"].abs().idxmax()]
    cell = ["theme_id", "source_id", "share", "rest_share"]
    largest = {c: big[c] for c in [*cell, "p_value"]} | {"n_measures": int(big["n_measures"])}
    return Result("source × theme cells with q < 0.05", float(len(sig)), len(m), bool(len(sig)),
                  test=f"permutation per cell (source vs the rest; {SHUFFLE}; {ev.n_resamples} draws, two-sided); "
                       f"Benjamini–Hochberg over {len(cells)} cells",
                  p_value=float(cells["q_value"].min()), interval_type="", unit=families.UNIT, n_units=n_units,
                  facts=_scope(v, m) | {"n_differ": len(sig), "n_cells": len(cells), "largest": largest,
                                        "weighted": v.weights is not None},
                  items={"differ": sig[[*cell, "q_value"]].to_dict("records")})


def primary_mix_differs(ev: Evidence, v: View) -> Result | None:
    """Does the mix of primary themes differ between sources? (χ² statistic, permutation null.)"""
    if v.name in ("primary_only", "per_1000_chars", "with_names"):
        return None  # already primary themes; one primary per measure has no length to weigh
    m = _measures(ev, v)
    prim = v.themes[v.themes["primary"].astype(bool)][["measure_id", "theme_id"]].merge(
        m, on="measure_id")
    if (compared := _compared(ev, prim)) is None:
        return None
    order, units, n_units = compared
    if (no := _untested(v, prim, units, "χ² of source × primary theme", "greater")) is not None:
        return no
    test = shares.mix_test(prim["theme_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples, units=units)
    lead = shares.leaders(prim, order)
    leading = [{"source_id": r.source_id, "leaders": [{"theme_id": t} for t in r.leaders.split(";")],
                "n_leader": r.n_leader, "n_measures": r.n_measures, "tied": bool(r.tied)} for r in lead.itertuples()]
    return Result("χ² of source × primary theme", test.statistic, len(prim), bool(test.p_value < ALPHA),
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws); most cells expect "
                       "fewer than 5, so no χ² p-value", p_value=test.p_value, unit=families.UNIT, n_units=n_units,
                  facts=_scope(v, m) | {"n_tied": int(lead["tied"].sum()), "n_led": len(lead)},
                  items={"leading": leading})


def _quantities(ev: Evidence, m: pd.DataFrame, modality: str) -> pd.DataFrame:
    t = ev.targets[ev.targets["measure_id"].isin(set(m["measure_id"]))]
    return t[t["modality"] == modality]


def _reported_elsewhere(ev: Evidence, v: View) -> list[dict]:
    """The other family's sources, described, not tested: their measures with a reported result and
    with a commitment (none when every genre is pooled)."""
    if not v.family:
        return []
    m = ev.measures[ev.measures["kind"] != "safeguard"]
    other = m[m["source_id"].map(family_of(ev.documents)) != v.family]
    return [{"source_id": sid, "n_reported": _quantities(ev, g, "reported")["measure_id"].nunique(),
             "n_commit": _quantities(ev, g, "target")["measure_id"].nunique(), "n_measures": len(g)}
            for sid in _sources(ev, other) for g in [other[other["source_id"] == sid]]]


def commitment_rate_differs(ev: Evidence, v: View) -> Result | None:
    """Does the share of measures with at least one quantitative commitment differ between sources?

    Commitments (modality `target`) and reported results (`reported`) are counted apart; the
    other family of genres is described with both counts, not tested.
    """
    if v.name not in ("baseline", "with_safeguards", "all_genres"):
        return None
    m = _measures(ev, v)
    if (compared := _compared(ev, m)) is None:
        return None
    order, units, n_units = compared
    if (no := _untested(v, m, units, "χ² of source × has a commitment", "greater")) is not None:
        return no
    has = m["measure_id"].isin(set(_quantities(ev, m, "target")["measure_id"])).to_numpy()
    reported = m["measure_id"].isin(set(_quantities(ev, m, "reported")["measure_id"])).to_numpy()
    test = shares.mix_test(np.where(has, "yes", "no"), m["source_id"].to_numpy(), ev.n_resamples, units=units)
    per = []
    for sid in order:
        g = (m["source_id"] == sid).to_numpy()
        lo, hi = inference.wilson(int(has[g].sum()), int(g.sum()))
        per.append({"source_id": sid, "n_commit": int(has[g].sum()), "n_measures": int(g.sum()), "low": lo,
                    "high": hi, "n_reported": int(reported[g].sum())})
    elsewhere = _reported_elsewhere(ev, v)
    return Result("χ² of source × has a commitment", test.statistic, len(m), bool(test.p_value < ALPHA),
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws)", p_value=test.p_value,
                  unit=families.UNIT, n_units=n_units,
                  facts=_scope(v, m) | {"other_family": REPORT if v.family == POLICY else POLICY,
                                        "n_elsewhere": len(elsewhere)},
                  items={"per_source": per, "elsewhere": elsewhere})


def time_limit_range(ev: Evidence, v: View) -> Result | None:
    """The range of committed processing time limits within one procedure class (descriptive).

    Limits are put on one scale (calendar-day equivalents, a working day = 7/5 calendar days) and
    compared only within a procedure class (`applies_to`); the class named is the one with limits
    in the most sources (then the most limits), and the other classes are listed with their range.
    """
    if v.name not in ("baseline", "with_safeguards", "all_genres"):
        return None
    m = _measures(ev, v)
    t = ev.targets[ev.targets["measure_id"].isin(set(m["measure_id"]))]
    t = t[processing_commitments(t)].assign(cal=lambda d: calendar_days(d))
    if t.empty:
        return None
    by = t.groupby("applies_to").agg(n_sources=("source_id", "nunique"), n=("cal", "size")).sort_values(
        ["n_sources", "n"], ascending=False, kind="stable")
    cls = by.index[0]
    c = t[t["applies_to"] == cls]
    lo, hi = c.loc[c["cal"].idxmin()], c.loc[c["cal"].idxmax()]
    span = ["phrase", "cal", "measure_id", "day_type"]  # a limit as stated, its calendar days and its measure
    others = [{"applies_to": k, "low": g["cal"].min(), "high": g["cal"].max(), "n_limits": len(g)}
              for k, g in t[t["applies_to"] != cls].groupby("applies_to", sort=True)]
    return Result(f"longest committed processing time limit in {cls} (calendar-day equivalents)", float(hi["cal"]),
                  len(c), True, test="none (descriptive)", interval=(float(lo["cal"]), float(hi["cal"])),
                  interval_type=f"range within {cls} (shortest–longest, calendar-day equivalents)",
                  unit="time limit", n_units=len(c), status="described",
                  facts={"applies_to": cls, "n_class_sources": int(by.iloc[0]["n_sources"]), "n_limits": len(c),
                         "n_measures": c["measure_id"].nunique(), "n_working": int((t["day_type"] == "working").sum()),
                         "n_all": len(t), "shortest": lo[span].to_dict(), "longest": hi[span].to_dict(),
                         "n_others": len(others)},
                  items={"others": others})


def learning_by_document(ev: Evidence, v: View) -> Result | None:
    """Which documents say they take over a named place's practice (`learns_from`, named places)?

    The unit is the document: k of n documents with at least one such statement, with its Wilson
    interval. A document's sentences follow one template, so no sentence-level test is made; the
    other relations (benchmarks_against, gap_to, compliance, offers_to_others) are counted apart.
    """
    if v.name != "baseline":
        return None
    docs = [s for s in ev.order if s in set(ev.documents["source_id"])]
    refs = ev.references[ev.references["source_id"].isin(docs)]
    if refs.empty or len(docs) < 2:
        return None
    # `named` False: a generic level (先进地区, 国际), not a place whose practice can be taken over
    named = (refs["named"].astype(str).str.lower().isin(["true", "1"]) if "named" in refs
             else pd.Series(True, refs.index))
    learns = refs[(refs["relation"] == "learns_from") & named]
    said = learns.drop_duplicates(["source_id", "sentence"])
    per = said["source_id"].value_counts().reindex(docs, fill_value=0)
    k, n = int((per > 0).sum()), len(docs)
    lo, hi = inference.wilson(k, n)
    learners = [s for s in docs if per[s] > 0]

    def detail(sid: str) -> dict:
        places = learns.loc[learns["source_id"] == sid, "place"].value_counts().head(3)
        in_measures = said[(said["source_id"] == sid) & said["measure_id"].fillna("").astype(str).ne("")]
        return {"source_id": sid, "n_sentences": int(per[sid]), "n_in_measures": len(in_measures),
                "places": [{"place": p, "count": c} for p, c in places.items()]}

    others = refs[refs["relation"] != "learns_from"]["relation"].value_counts()
    return Result("documents that learn from a named place", k / n, n, True,
                  test="none (descriptive; the unit is the document)", interval=(lo, hi),
                  interval_type="95% Wilson interval (documents)", unit="document", n_units=n, status="described",
                  facts={"k": k, "percent": 100 * k / n, "n_relations": len(others)},
                  items={"learners": [detail(s) for s in learners],
                         "relations": [{"relation": r, "count": c} for r, c in others.items()]})


def coder_agreement(ev: Evidence, v: View) -> Result | None:
    """Primary-theme agreement of the coder with the hand coding (descriptive, with its interval)."""
    if v.name != "baseline" or ev.validation is None or ev.validation.empty:
        return None
    s = ev.validation.query("comparison == 'coder_vs_gold' and split in ('round2', 'holdout')").set_index(
        "metric")["value"]
    if s.empty:
        return None
    n = int(s["n_measures"])
    k = round(float(s["primary_accuracy"]) * n)
    lo, hi = inference.wilson(k, n)
    return Result("primary-theme accuracy on the round-2 measures", k / n, n, True, test="none (agreement)",
                  interval=(lo, hi), interval_type="95% Wilson interval", unit="measure", n_units=n,
                  status="described", facts={"k": k, "percent": 100 * k / n})


def _primary_types(ev: Evidence, v: View) -> pd.DataFrame | None:
    """The measures of the view with their primary instrument's type: the rules' coding, or coder A's
    in the hand-coded view; None where there is no instrument coding for the view."""
    if v.name in ("primary_only", "per_1000_chars", "with_names"):
        return None  # instruments have one primary each and no weights to change
    rows = ev.instrument_gold if v.name == "hand_coded" else ev.instruments
    if rows is None or rows.empty or not ev.instrument_types:
        return None
    m = _measures(ev, v)
    # the heading columns come along for `inference.units_of` (the unit of tests and intervals)
    keep = ["measure_id", "source_id", *[c for c in ("chapter", "section") if c in m]]
    prim = rows[rows["primary"].astype(bool)][["measure_id", "instrument_id"]].merge(m[keep], on="measure_id")
    return prim.assign(type_id=prim["instrument_id"].map(ev.instrument_types))


def instrument_mix_differs(ev: Evidence, v: View) -> Result | None:
    """Does the mix of primary instrument types differ between sources? (χ², permutation null.)"""
    prim = _primary_types(ev, v)
    if prim is None:
        return None
    if (compared := _compared(ev, prim)) is None:
        return None
    _, units, n_units = compared
    if (no := _untested(v, prim, units, "χ² of source × primary instrument type", "greater")) is not None:
        return no
    test = shares.mix_test(prim["type_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples, units=units)
    return Result("χ² of source × primary instrument type", test.statistic, len(prim), bool(test.p_value < ALPHA),
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws)",
                  p_value=test.p_value, unit=families.UNIT, n_units=n_units, facts=_scope(v, prim))


def heading_sign_test(diff: np.ndarray, n_resamples: int = inference.N_RESAMPLES,
                      seed: int = inference.SEED) -> float:
    """One-sided p that the headings' differences (environment − supply measures per heading) sum
    above zero, by flipping each heading's sign: under the null of no preference a heading is as
    likely to lean one way as the other (a randomisation test with the heading as unit)."""
    d = np.asarray(diff, dtype=float)
    res = stats.permutation_test((d, np.zeros_like(d)), lambda x, y, axis=-1: np.sum(x - y, axis=axis),
                                 permutation_type="samples", vectorized=True, n_resamples=n_resamples,
                                 alternative="greater", rng=np.random.default_rng(seed))
    return float(res.pvalue)


def environment_dominates(ev: Evidence, v: View) -> Result | None:
    """Are environment-side instruments the primary lever of more measures than supply-side ones?

    The statistic is the environment-side share among the measures whose primary instrument is
    environment- or supply-side (0.5 = as many of each); its interval resamples whole headings
    (`inference.cluster_bootstrap`) and its one-sided test flips whole headings
    (`heading_sign_test`): the claim has a direction, and the same unit for both.
    """
    prim = _primary_types(ev, v)
    types = set(ev.instrument_types.values())
    if prim is None or prim.empty or not {"environment", "supply"} <= types:
        return None  # a corpus with its own instrument types has no environment/supply contrast
    n = len(prim)
    two = prim[prim["type_id"].isin(["environment", "supply"])]
    env, both = int((two["type_id"] == "environment").sum()), len(two)
    if both == 0:
        return None
    units = inference.units_of(two)
    sign = pd.Series(np.where(two["type_id"] == "environment", 1.0, -1.0)).groupby(units).sum().to_numpy()
    n_units = len(sign)
    if 0.5 ** n_units >= ALPHA:  # the smallest one-sided p of a sign flip is 1/2^headings
        return Result("environment-side share of environment- and supply-side primary instruments",
                      env / both, both, False, test="none: too few units for a randomisation test",
                      unit=families.UNIT, n_units=n_units, status="untested",
                      facts={"env": env, "both": both, "alpha": ALPHA})
    p = heading_sign_test(sign, ev.n_resamples)
    lo, hi = inference.cluster_bootstrap((two["type_id"] == "environment").to_numpy(dtype=float), units,
                                         n_resamples=ev.n_resamples)
    return Result("environment-side share of environment- and supply-side primary instruments", env / both, both,
                  bool(p < ALPHA and env > both - env),
                  test=f"randomisation test flipping whole headings' env − supply balance, one-sided, "
                       f"{ev.n_resamples} draws", p_value=p, interval=(lo, hi),
                  interval_type="95% cluster-bootstrap interval (headings resampled)",
                  unit=families.UNIT, n_units=n_units,
                  facts=_scope(v, prim) | {"env": env, "both": both, "n_all": n, "n_demand": n - both})


FINDINGS: dict[str, Callable[[Evidence, View], Result | None]] = {
    "vocabulary_differs": vocabulary_differs,
    "theme_profiles_differ": theme_profiles_differ,
    "emphasis": emphasis,
    "primary_mix_differs": primary_mix_differs,
    "commitment_rate_differs": commitment_rate_differs,
    "time_limit_range": time_limit_range,
    "learning_by_document": learning_by_document,
    "coder_agreement": coder_agreement,
    "instrument_mix_differs": instrument_mix_differs,
    "environment_dominates": environment_dominates,
}


# What each finding's templates may name beside the numbers every Result has (`COMMON`): the
# outcomes it can have, and the names of its facts, its items and their fields. The templates of
# `data/templates/findings.csv` are checked against it when they are loaded.
COMMON = ("value", "n", "n_units", "p_value", "low", "high")
TESTED = ("supported", "not_supported", "untested")
_SCOPE = "n_sources family family_name splits alpha "  # `_scope` and `_untested`
STATED: dict[str, tuple[tuple[str, ...], str]] = {
    "vocabulary_differs": (TESTED, _SCOPE + "null_mean n_pairs n_pairs_differ names"),
    "theme_profiles_differ": (TESTED, _SCOPE + "null_mean n_pairs n_pairs_differ names"),
    "emphasis": (TESTED, _SCOPE + "n_differ n_cells weighted largest differ theme_id source_id share rest_share "
                                  "q_value p_value n_measures"),
    "primary_mix_differs": (TESTED, _SCOPE + "n_tied n_led leading source_id leaders theme_id n_leader n_measures "
                                             "tied"),
    "commitment_rate_differs": (TESTED, _SCOPE + "other_family other_family_name n_elsewhere per_source elsewhere "
                                                 "source_id n_commit n_measures n_reported"),
    "time_limit_range": (("described",), "applies_to n_class_sources n_limits n_measures n_working n_all shortest "
                                         "longest phrase cal measure_id day_type n_others others"),
    "learning_by_document": (("described",), "k percent n_relations learners source_id n_sentences n_in_measures "
                                             "places place count relations relation"),
    "coder_agreement": (("described",), "k percent"),
    "instrument_mix_differs": (TESTED, _SCOPE),
    "environment_dominates": (TESTED, _SCOPE + "env both n_all n_demand"),
}
