"""Stage 8 — findings: every comparative claim of the study as data, decided by its test.

Each finding is a function of a `View` (which measures, which theme coding, which weights)
returning a `Result` (its statements in English and Chinese generated from the numbers);
`FINDINGS` lists them. `sensitivity.findings_tables` evaluates every finding on the data as built
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
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import spmatrix

from ..base import constants
from ..text.targets import calendar_days, processing_commitments
from . import families, inference, shares, similarity
from .families import FAMILY_NAMES, POLICY, REPORT, family_of  # like with like: the families of genres

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
    """One finding evaluated on one view."""

    statistic: str
    value: float
    n: int
    supported: bool
    test: str = ""
    p_value: float = float("nan")
    interval: tuple[float, float] = (float("nan"), float("nan"))
    interval_type: str = ""
    en: str = ""
    zh: str = ""
    unit: str = ""
    n_units: int = 0
    extra: dict = field(default_factory=dict)


# --- the findings -----------------------------------------------------------------------------------

def _measures(ev: Evidence, v: View) -> pd.DataFrame:
    return ev.measures.reset_index(drop=True).iloc[v.rows].reset_index(drop=True)


def _sources(ev: Evidence, m: pd.DataFrame) -> list[str]:
    """The sources of `m` in study order."""
    present = set(m["source_id"])
    return [s for s in ev.order if s in present]


def _scope(ev: Evidence, v: View, m: pd.DataFrame) -> tuple[str, str]:
    """What is compared, in words (en, zh): "the 3 policy documents" / "the 5 documents (every genre)"."""
    k = m["source_id"].nunique()
    if not v.family:
        return f"the {k} documents (every genre pooled)", f"{k}份文件(各文体合并)"
    en, zh = FAMILY_NAMES[v.family]
    return f"the {k} {en}", f"{k}份{zh}"


def _units(m: pd.DataFrame) -> tuple[np.ndarray, int]:
    units = inference.units_of(m)
    return units, len(set(units))


def _untested(ev: Evidence, v: View, m: pd.DataFrame, units: np.ndarray, statistic: str, what_en: str,
              what_zh: str, alternative: str = "two-sided") -> Result | None:
    """A Result saying that the headings (`units`, one per row of `m`) are too few for the test to
    reach ALPHA; None when they suffice."""
    n_units = len(set(units))
    if not inference.too_few_units(m["source_id"].to_numpy(), units, ALPHA, alternative):
        return None
    splits = inference.unit_splits(m["source_id"].to_numpy(), units)
    en = (f"Not tested: whether {what_en} cannot be decided here — {n_units} headings of {_scope(ev, v, m)[0]} can be "
          f"split among them in only {splits:,.0f} ways, too few for any shuffle to reach p < {ALPHA}.")
    zh = (f"未检验:{what_zh}无法在此判断——{_scope(ev, v, m)[1]}的{n_units}个标题单元只有{splits:,.0f}种分法,"
          f"任何重排都达不到p < {ALPHA}。")
    return Result(statistic, float("nan"), len(m), False, test="none: too few units for a permutation test",
                  en=en, zh=zh, unit=families.UNIT, n_units=n_units)


SHUFFLE = "whole headings reshuffled between sources, each source's number of headings kept"


def _similarity(ev: Evidence, v: View, basis: str) -> Result | None:
    m = _measures(ev, v)
    order = _sources(ev, m)
    if len(order) < 2:
        return None
    what = ("the sources' vocabularies differ", "各来源的用词是否不同") if basis == "tfidf" else \
        ("the sources' theme profiles differ", "各来源的主题结构是否不同")
    units, n_units = _units(m)
    if (no := _untested(ev, v, m, units, "mean pairwise cosine similarity of source profiles", *what,
                        "less")) is not None:
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
                  extra={"null_mean": float(top["null_mean"]), "n_sources": len(order), "n_pairs": len(pairs),
                         "pairs_differ": [(r.source_a, r.source_b) for r in differ.itertuples()]})


def vocabulary_differs(ev: Evidence, v: View) -> Result | None:
    """Are the sources' vocabularies (mean TF-IDF rows, names left out) less alike than random
    splits of their headings?"""
    if v.name in ("hand_coded", "primary_only", "per_1000_chars"):
        return None  # the vocabulary does not depend on the theme coding or on weights
    r = _similarity(ev, v, "tfidf")
    if r is None or not r.test.startswith("permutation"):
        return r
    x = r.extra
    m = _measures(ev, v)
    who_en, who_zh = _scope(ev, v, m)
    names_en = "names kept" if v.names else "person, place and organisation names left out"
    names_zh = "保留人名、地名和机构名" if v.names else "不计人名、地名和机构名"
    ok = r.supported
    en = (f"{'The' if ok else 'Not supported: the'} vocabularies of {who_en} ({names_en}) "
          f"{'differ more than' if ok else 'are not shown to differ beyond what'} random splits of their headings "
          f"{'would make them' if ok else 'give'}: mean pairwise TF-IDF cosine {r.value:.2f} against "
          f"{x['null_mean']:.2f} under the null (95% of shuffles {r.interval[0]:.2f}–{r.interval[1]:.2f}; "
          f"p = {r.p_value:.3g}, one-sided; {r.n_units} headings, n = {r.n} measures); "
          f"{len(x['pairs_differ'])} of {x['n_pairs']} pairs differ after BH correction.")
    zh = (f"{'' if ok else '不成立:'}{who_zh}的用词({names_zh}){'差异大于' if ok else '差异未超出'}随机拆分其标题单元"
          f"{'所能产生的差异' if ok else '的水平'}:来源间TF-IDF平均余弦相似度为{r.value:.2f},随机重排下为"
          f"{x['null_mean']:.2f}(95%区间{r.interval[0]:.2f}–{r.interval[1]:.2f};单侧p = {r.p_value:.3g};"
          f"{r.n_units}个标题单元,n = {r.n}条举措);经BH校正,{x['n_pairs']}对中有{len(x['pairs_differ'])}对差异显著。")
    return replace(r, en=en, zh=zh)


def theme_profiles_differ(ev: Evidence, v: View) -> Result | None:
    """Are the sources' theme profiles less alike than random splits of their headings?"""
    if v.name in ("per_1000_chars", "with_names"):
        return None  # cosine ignores each profile's scale; names do not enter theme coding
    r = _similarity(ev, v, "themes")
    if r is None or not r.test.startswith("permutation"):
        return r
    x = r.extra
    who_en, who_zh = _scope(ev, v, _measures(ev, v))
    if r.supported:
        en = (f"The theme profiles of {who_en} differ more than random splits of their headings would make them "
              f"(mean pairwise cosine {r.value:.2f} against {x['null_mean']:.2f} under the null, p = {r.p_value:.3g}, "
              f"one-sided; {r.n_units} headings, n = {r.n}).")
        zh = (f"{who_zh}的主题结构差异大于随机拆分其标题单元的水平(平均余弦相似度{r.value:.2f},随机重排下"
              f"{x['null_mean']:.2f},单侧p = {r.p_value:.3g};{r.n_units}个标题单元,n = {r.n})。")
    else:
        en = (f"Not supported: the theme profiles of {who_en} are not shown to differ. Their mean pairwise cosine "
              f"({r.value:.2f}) is within what random splits of their headings give ({r.interval[0]:.2f}–"
              f"{r.interval[1]:.2f}, mean {x['null_mean']:.2f}; p = {r.p_value:.3g}, one-sided; {r.n_units} headings, "
              f"n = {r.n}).")
        zh = (f"不成立:{who_zh}的主题结构差异未得到证实。来源间平均余弦相似度({r.value:.2f})落在随机拆分其标题单元的"
              f"范围内({r.interval[0]:.2f}–{r.interval[1]:.2f},均值{x['null_mean']:.2f};单侧p = {r.p_value:.3g};"
              f"{r.n_units}个标题单元,n = {r.n})。")
    return replace(r, en=en, zh=zh)


def emphasis(ev: Evidence, v: View) -> Result | None:
    """Does any source address any theme more or less often than the other sources, after BH?"""
    if v.name == "with_names":
        return None
    m = _measures(ev, v)
    order = _sources(ev, m)
    if len(order) < 2:
        return None
    what = ("any source addresses a theme more or less often than the others",
            "是否有来源在某一主题上多于或少于其余来源")
    units, n_units = _units(m)
    if (no := _untested(ev, v, m, units, "source × theme cells with q < 0.05", *what)) is not None:
        return no
    y = shares.indicator(v.themes, list(m["measure_id"]), ev.theme_ids, primary_only=v.primary_only)
    cells = shares.share_tests(y, ev.theme_ids, m, order, weights=v.weights, n_resamples=ev.n_resamples,
                                intervals=False)
    who_en, who_zh = _scope(ev, v, m)
    sig = cells[cells["q_value"] < ALPHA]
    big = cells.loc[cells["diff"].abs().idxmax()]
    unit = "per 1,000 characters" if v.weights is not None else "of measures"
    fmt = (lambda x: f"{x:.2f}") if v.weights is not None else (lambda x: f"{100 * x:.0f}%")
    listed = "; ".join(f"{r.theme_id} in {r.source_id} ({fmt(r.share)} vs {fmt(r.rest_share)}, q = {r.q_value:.3g})"
                       for r in sig.itertuples())
    if len(sig):
        en = (f"{len(sig)} of {len(cells)} source × theme differences among {who_en} ({n_units} headings, n = {len(m)} "
              f"measures) survive Benjamini–Hochberg correction: {listed}.")
        zh = (f"{who_zh}的{len(cells)}个“来源×主题”比较中({n_units}个标题单元,n = {len(m)}),"
              f"经BH校正后有{len(sig)}个差异显著:{listed}。")
    else:
        en = (f"Not supported: among {who_en}, no source addresses any theme more or less often than the others once "
              f"the {len(cells)} source × theme tests ({n_units} headings, n = {len(m)} measures) are corrected "
              f"(smallest q = {cells['q_value'].min():.2f}). The largest difference, {big['theme_id']} in "
              f"{big['source_id']} ({fmt(big['share'])} {unit} against {fmt(big['rest_share'])} in the rest, "
              f"n = {int(big['n_measures'])}), has p = {big['p_value']:.3g} before correction.")
        zh = (f"不成立:{who_zh}的{len(cells)}个“来源×主题”比较({n_units}个标题单元,n = {len(m)})经BH校正后均不显著"
              f"(最小q = {cells['q_value'].min():.2f})。差异最大的是{big['source_id']}的{big['theme_id']}"
              f"({fmt(big['share'])},其余来源{fmt(big['rest_share'])},n = {int(big['n_measures'])}),"
              f"校正前p = {big['p_value']:.3g}。")
    return Result("source × theme cells with q < 0.05", float(len(sig)), len(m), bool(len(sig)),
                  test=f"permutation per cell (source vs the rest; {SHUFFLE}; {ev.n_resamples} draws, two-sided); "
                       f"Benjamini–Hochberg over {len(cells)} cells",
                  p_value=float(cells["q_value"].min()), en=en, zh=zh, interval_type="", unit=families.UNIT,
                  n_units=n_units)


def primary_mix_differs(ev: Evidence, v: View) -> Result | None:
    """Does the mix of primary themes differ between sources? (χ² statistic, permutation null.)"""
    if v.name in ("primary_only", "per_1000_chars", "with_names"):
        return None  # already primary themes; one primary per measure has no length to weigh
    m = _measures(ev, v)
    prim = v.themes[v.themes["primary"].astype(bool)][["measure_id", "theme_id"]].merge(
        m, on="measure_id")
    order = _sources(ev, prim)
    if len(order) < 2:
        return None
    what = ("the mix of primary themes differs between sources", "各来源主要主题的构成是否不同")
    units, n_units = _units(prim)
    if (no := _untested(ev, v, prim, units, "χ² of source × primary theme", *what, "greater")) is not None:
        return no
    test = shares.mix_test(prim["theme_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples, units=units)
    lead = shares.leaders(prim, order)
    said = "; ".join(f"{r.source_id}: {r.leaders.replace(';', ' = ')} ({r.n_leader} of {r.n_measures})"
                     + (" (tie)" if r.tied else "") for r in lead.itertuples())
    ties = int(lead["tied"].sum())
    ok = bool(test.p_value < ALPHA)
    who_en, who_zh = _scope(ev, v, m)
    verdict_en = "differs" if ok else "is not shown to differ"
    verdict_zh = "存在差异" if ok else "差异未得到证实"
    en = (f"{'' if ok else 'Not supported: '}the mix of primary themes {verdict_en} between {who_en} (χ² = "
          f"{test.statistic:.1f}, permutation p = {test.p_value:.3g}; {n_units} headings, n = {len(prim)}). Most "
          f"frequent primary theme: {said}; {ties} of {len(lead)} sources have a tie for first place.")
    en = en[0].upper() + en[1:]
    zh = (f"{'' if ok else '不成立:'}{who_zh}主要主题的构成{verdict_zh}(χ² = {test.statistic:.1f},置换检验p = "
          f"{test.p_value:.3g};{n_units}个标题单元,n = {len(prim)})。各来源最常见的主要主题:{said};"
          f"{len(lead)}个来源中有{ties}个并列第一。")
    return Result("χ² of source × primary theme", test.statistic, len(prim), ok,
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws); most cells expect "
                       "fewer than 5, so no χ² p-value", p_value=test.p_value, en=en, zh=zh, unit=families.UNIT,
                  n_units=n_units)


def _quantities(ev: Evidence, m: pd.DataFrame, modality: str) -> pd.DataFrame:
    t = ev.targets[ev.targets["measure_id"].isin(set(m["measure_id"]))]
    return t[t["modality"] == modality]


def _reported_elsewhere(ev: Evidence, v: View) -> tuple[str, str]:
    """The other family's sources described, not tested: measures with a reported result (en, zh)."""
    if not v.family:
        return "", ""
    m = ev.measures[ev.measures["kind"] != "safeguard"]
    other = m[m["source_id"].map(family_of(ev.documents)) != v.family]
    if other.empty:
        return "", ""
    parts = []
    for sid in _sources(ev, other):
        g = other[other["source_id"] == sid]
        k_rep = _quantities(ev, g, "reported")["measure_id"].nunique()
        k_tar = _quantities(ev, g, "target")["measure_id"].nunique()
        parts.append((sid, k_rep, k_tar, len(g)))
    fam_en, fam_zh = FAMILY_NAMES[REPORT if v.family == POLICY else POLICY]
    en = (f" The {fam_en} are described, not tested against them (they report what was done): "
          + ", ".join(f"{sid} {k_rep}/{n} measures with a reported result and {k_tar} with a commitment"
                      for sid, k_rep, k_tar, n in parts) + ".")
    zh = (f"{fam_zh}只作描述,不与之检验(它们报告已做之事):"
          + ",".join(f"{sid}有{k_rep}/{n}条举措报告了量化结果,{k_tar}条含量化承诺" for sid, k_rep, k_tar, n in parts)
          + "。")
    return en, zh


def commitment_rate_differs(ev: Evidence, v: View) -> Result | None:
    """Does the share of measures with at least one quantitative commitment differ between sources?

    Commitments (modality `target`) and reported results (`reported`) are counted apart; the
    other family of genres is described with both counts, not tested.
    """
    if v.name not in ("baseline", "with_safeguards", "all_genres"):
        return None
    m = _measures(ev, v)
    order = _sources(ev, m)
    if len(order) < 2:
        return None
    what = ("the share of measures with a commitment differs", "含量化承诺的举措占比是否不同")
    units, n_units = _units(m)
    if (no := _untested(ev, v, m, units, "χ² of source × has a commitment", *what, "greater")) is not None:
        return no
    has = m["measure_id"].isin(set(_quantities(ev, m, "target")["measure_id"])).to_numpy()
    reported = m["measure_id"].isin(set(_quantities(ev, m, "reported")["measure_id"])).to_numpy()
    test = shares.mix_test(np.where(has, "yes", "no"), m["source_id"].to_numpy(), ev.n_resamples, units=units)
    per = []
    for sid in order:
        g = (m["source_id"] == sid).to_numpy()
        lo, hi = inference.wilson(int(has[g].sum()), int(g.sum()))
        per.append(f"{sid} {int(has[g].sum())}/{int(g.sum())} ({100 * lo:.0f}–{100 * hi:.0f}%; "
                   f"{int(reported[g].sum())} reported)")
    ok = bool(test.p_value < ALPHA)
    who_en, who_zh = _scope(ev, v, m)
    rest_en, rest_zh = _reported_elsewhere(ev, v)
    en = (f"{'The' if ok else 'Not supported: the'} share of measures with at least one quantitative commitment "
          f"{'differs' if ok else 'is not shown to differ'} between {who_en} (permutation p = {test.p_value:.3g}; "
          f"{n_units} headings, n = {len(m)}): {', '.join(per)} (commitments with 95% Wilson intervals; measures "
          f"with a reported result counted apart).{rest_en}")
    zh = (f"{'' if ok else '不成立:'}{who_zh}中含至少一项量化承诺的举措占比{'存在差异' if ok else '差异未得到证实'}"
          f"(置换检验p = {test.p_value:.3g};{n_units}个标题单元,n = {len(m)}):{','.join(per)}"
          f"(承诺占比及95% Wilson区间;报告已取得结果的举措另计)。{rest_zh}")
    return Result("χ² of source × has a commitment", test.statistic, len(m), ok,
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws)", p_value=test.p_value,
                  en=en, zh=zh, unit=families.UNIT, n_units=n_units)


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

    def span(r: pd.Series) -> str:
        eq = f" ≈ {r['cal']:.0f} calendar days" if r["day_type"] == "working" else ""
        return f"{r['phrase']}{eq} ({r['measure_id']})"

    def span_zh(r: pd.Series) -> str:
        eq = f",约合{r['cal']:.0f}个自然日" if r["day_type"] == "working" else ""
        return f"{r['phrase']}({r['measure_id']}{eq})"

    others = [f"{k} {g['cal'].min():.3g}–{g['cal'].max():.3g} days (n = {len(g)})"
              for k, g in t[t["applies_to"] != cls].groupby("applies_to", sort=True)]
    others_zh = [f"{k}{g['cal'].min():.3g}–{g['cal'].max():.3g}天(n = {len(g)})"
                 for k, g in t[t["applies_to"] != cls].groupby("applies_to", sort=True)]
    working = int((t["day_type"] == "working").sum())
    n_src = int(by.iloc[0]["n_sources"])
    en = (f"Within one procedure class, {cls} (limits in {n_src} sources), committed processing time limits run "
          f"from {span(lo)} to {span(hi)} (n = {len(c)} limits in {c['measure_id'].nunique()} measures; "
          f"calendar-day equivalents, a working day counted as 7/5 calendar days; {working} of all {len(t)} limits are "
          "in working days). Other classes are not ranked against it"
          + (f": {'; '.join(others)}." if others else ".")
          + " Reductions, minimum windows, stay or validity periods and results reported in cases are not limits and "
            "are left out.")
    zh = (f"在同一办理类别{cls}内(涉及{n_src}个来源),承诺的办理时限从{span_zh(lo)}到{span_zh(hi)}"
          f"(n = {len(c)}项时限,分布在{c['measure_id'].nunique()}条举措中;按自然日折算,1个工作日计为7/5个自然日;"
          f"全部{len(t)}项时限中{working}项以工作日计)。其他类别不与之排序"
          + (f":{';'.join(others_zh)}。" if others_zh else "。")
          + "压减天数、最短期限、停留或有效期以及案例中已取得的结果不属于办理时限,未计入。")
    return Result(f"longest committed processing time limit in {cls} (calendar-day equivalents)", float(hi["cal"]),
                  len(c), True, test="none (descriptive)", interval=(float(lo["cal"]), float(hi["cal"])),
                  interval_type=f"range within {cls} (shortest–longest, calendar-day equivalents)", en=en, zh=zh,
                  unit="time limit", n_units=len(c))


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

    def detail(sid: str) -> str:
        places = learns.loc[learns["source_id"] == sid, "place"].value_counts().head(3)
        in_measures = said[(said["source_id"] == sid) & said["measure_id"].fillna("").astype(str).ne("")]
        k_s = int(per[sid])
        return (f"{sid} ({k_s} sentence{'s' if k_s != 1 else ''}, {len(in_measures)} in measures; from "
                + ", ".join(f"{p} {c}" for p, c in places.items()) + ")")

    others = refs[refs["relation"] != "learns_from"]["relation"].value_counts()
    other_en = ", ".join(f"{r} {c}" for r, c in others.items())
    en = (f"{k} of {n} documents say they take over a named place's practice ({100 * k / n:.0f}%, 95% CI "
          f"{100 * lo:.0f}–{100 * hi:.0f}%): {'; '.join(detail(s) for s in learners) or 'none'}. Benchmarking, gaps "
          f"to close, compliance with a higher level and offers to others are counted apart"
          + (f" ({other_en} sentences × places)" if other_en else "")
          + ". The unit is the document: with one document per place these counts describe, they do not test "
            "who learns more.")
    zh = (f"{n}份文件中有{k}份明确表示吸收具名地方的做法({100 * k / n:.0f}%,95%置信区间{100 * lo:.0f}–{100 * hi:.0f}%):"
          f"{';'.join(detail(s) for s in learners) or '无'}。对标、找差距、执行上级要求和供他人借鉴另计"
          + (f"({other_en})" if other_en else "")
          + "。分析单位是文件:每个地方只有一份文件,这些计数只作描述,不检验谁学得更多。")
    return Result("documents that learn from a named place", k / n, n, True,
                  test="none (descriptive; the unit is the document)", interval=(lo, hi),
                  interval_type="95% Wilson interval (documents)", en=en, zh=zh, unit="document", n_units=n)


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
    en = (f"The coder's primary theme matches the hand coding on {k} of {n} round-2 measures ({100 * k / n:.0f}%, 95% "
          f"CI {100 * lo:.0f}–{100 * hi:.0f}%). This is development-set agreement, not a held-out score: the coder's "
          "output on these measures was read while the rules were written, and the hand coding is the project "
          "authors' own single reading.")
    zh = (f"编码器的主要主题与人工编码在第二轮{n}条举措中有{k}条一致({100 * k / n:.0f}%,95%置信区间{100 * lo:.0f}–"
          f"{100 * hi:.0f}%)。这是开发集上的一致率而非留出集成绩:编写规则时已看过编码器在这些举措上的输出,"
          "人工编码也只是项目作者的一次阅读。")
    return Result("primary-theme accuracy on the round-2 measures", k / n, n, True, test="none (agreement)",
                  interval=(lo, hi), interval_type="95% Wilson interval", en=en, zh=zh, unit="measure", n_units=n)


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
    order = _sources(ev, prim)
    if len(order) < 2:
        return None
    what = ("the mix of primary instrument types differs", "各来源主政策工具类型的构成是否不同")
    units, n_units = _units(prim)
    if (no := _untested(ev, v, prim, units, "χ² of source × primary instrument type", *what,
                        "greater")) is not None:
        return no
    test = shares.mix_test(prim["type_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples, units=units)
    ok = bool(test.p_value < ALPHA)
    who_en, who_zh = _scope(ev, v, prim)
    en = (f"{'The' if ok else 'Not supported: the'} mix of primary policy-instrument types (supply, environment, "
          f"demand) {'differs' if ok else 'is not shown to differ'} between {who_en} (χ² = {test.statistic:.1f}, "
          f"permutation p = {test.p_value:.3g}; {n_units} headings, n = {len(prim)}). The instruments are coded by "
          "rules whose held-out primary accuracy is in notebook 10.")
    zh = (f"{'' if ok else '不成立:'}{who_zh}主政策工具类型(供给型、环境型、需求型)的构成"
          f"{'存在差异' if ok else '差异未得到证实'}(χ² = {test.statistic:.1f},置换检验p = {test.p_value:.3g};"
          f"{n_units}个标题单元,n = {len(prim)})。政策工具由规则编码,其留出集准确率见第10个笔记本。")
    return Result("χ² of source × primary instrument type", test.statistic, len(prim), ok,
                  test=f"permutation of the χ² statistic ({SHUFFLE}, {ev.n_resamples} draws)",
                  p_value=test.p_value, en=en, zh=zh, unit=families.UNIT, n_units=n_units)


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
                      en=f"Not tested: {n_units} headings are too few for a test flipping whole headings to reach "
                         f"p < {ALPHA} ({env} of the {both} measures whose primary instrument is environment- or "
                         "supply-side are environment-side).",
                      zh=f"未检验:{n_units}个标题单元太少,按标题翻转符号的检验达不到p < {ALPHA}"
                         f"(主工具为环境型或供给型的{both}条举措中环境型{env}条)。",
                      unit=families.UNIT, n_units=n_units)
    p = heading_sign_test(sign, ev.n_resamples)
    lo, hi = inference.cluster_bootstrap((two["type_id"] == "environment").to_numpy(dtype=float), units,
                                         n_resamples=ev.n_resamples)
    ok = bool(p < ALPHA and env > both - env)
    share = env / both
    who_en, who_zh = _scope(ev, v, prim)
    en = (f"{'Environment-side' if ok else 'Not supported: environment-side'} instruments "
          f"{'are' if ok else 'are not shown to be'} the primary lever of more measures than supply-side ones in "
          f"{who_en}: {env} of the {both} measures whose primary instrument is one or the other ({100 * share:.0f}%, "
          f"95% interval {100 * lo:.0f}–{100 * hi:.0f}% resampling headings; one-sided test flipping whole headings, "
          f"p = {p:.3g}, {n_units} headings); {n - both} of all {n} measures have a demand-side primary.")
    zh = (f"{'' if ok else '不成立:'}在{who_zh}中,环境型工具{'是' if ok else '未被证实是'}多于供给型工具的主工具:"
          f"主工具为环境型或供给型的{both}条举措中,环境型{env}条({100 * share:.0f}%,按标题重抽样的95%区间"
          f"{100 * lo:.0f}–{100 * hi:.0f}%;按标题翻转符号的单侧检验p = {p:.3g},{n_units}个标题单元);"
          f"全部{n}条举措中需求型{n - both}条。")
    return Result("environment-side share of environment- and supply-side primary instruments", share, both, ok,
                  test=f"randomisation test flipping whole headings' env − supply balance, one-sided, "
                       f"{ev.n_resamples} draws", p_value=p, interval=(lo, hi),
                  interval_type="95% cluster-bootstrap interval (headings resampled)", en=en, zh=zh,
                  unit=families.UNIT, n_units=n_units)


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
