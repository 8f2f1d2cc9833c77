"""Stage 8 — findings: every comparative claim of the study as data, decided by its test.

Each finding is a function of a `View` (which measures, which theme coding, which weights)
returning a `Result`. The build evaluates every finding on the data as built (`baseline`) and
on each alternative of `VARIANTS` that applies to it, and writes `findings.csv` (one row per
finding: statements in English and Chinese generated from the numbers, statistic, value,
interval, p, test, n, supported, survives_sensitivity) and `sensitivity.csv` (one row per
finding × variant). A finding whose test fails is kept and stated as not supported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import spmatrix

from . import compare, inference
from .targets import processing_commitments

ALPHA = 0.05
# Genres that report what was done rather than set out what will be done.
REPORT_GENRES = ("news_report", "case_collection")
VARIANTS = {
    "baseline": "as built: the rule-based coder's multi-label themes, every measure and safeguard",
    "hand_coded": "the hand-coded themes (and instruments) of data/validation instead of the coder's",
    "no_safeguards": "without safeguard items (组织保障 chapters)",
    "primary_only": "primary theme only instead of multi-label",
    "per_1000_chars": "measures addressing a theme per 1,000 characters instead of per measure",
    "policy_documents_only": "policy documents only (without the news report and the case collection)",
}
FINDING_COLUMNS = ["finding_id", "statement_en", "statement_zh", "statistic", "value", "interval_low",
                   "interval_high", "interval_type", "p_value", "test", "n", "supported",
                   "survives_sensitivity", "sensitivity_note"]
SENSITIVITY_COLUMNS = ["finding_id", "variant", "n", "value", "p_value", "supported", "same_as_baseline"]


@dataclass(frozen=True)
class Evidence:
    """Everything the findings read: built tables plus the TF-IDF rows of the measures."""

    measures: pd.DataFrame  # analysed measures (measure_id, source_id, kind, chapter, section, n_chars)
    themes: pd.DataFrame  # coder's themes.csv rows
    theme_ids: list[str]
    tfidf: spmatrix  # one row per measure, in `measures` order
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
    tfidf_with_names: spmatrix | None = None  # `tfidf` with the names kept (tfidf leaves them out)


@dataclass(frozen=True)
class View:
    """The data one variant looks at: a subset of measures and the theme coding to use."""

    name: str
    rows: np.ndarray  # positions of the measures in Evidence.measures
    themes: pd.DataFrame
    primary_only: bool = False
    weights: np.ndarray | None = None  # per measure in `rows`; None = each measure counts 1


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
    extra: dict = field(default_factory=dict)


def views(ev: Evidence) -> dict[str, View | None]:
    """Every variant's view; None where the corpus cannot give it (no hand coding, one genre…)."""
    m = ev.measures.reset_index(drop=True)
    allrows = np.arange(len(m))
    genre = m["source_id"].map(ev.documents.set_index("source_id")["doc_type"]).fillna("")
    out: dict[str, View | None] = {"baseline": View("baseline", allrows, ev.themes)}
    gold_ids = set(ev.gold["measure_id"]) if ev.gold is not None else set()
    coded = np.flatnonzero(m["measure_id"].isin(gold_ids).to_numpy())
    out["hand_coded"] = View("hand_coded", coded, ev.gold) if len(coded) else None
    keep = np.flatnonzero((m["kind"] != "safeguard").to_numpy())
    out["no_safeguards"] = View("no_safeguards", keep, ev.themes) if 0 < len(keep) < len(m) else None
    out["primary_only"] = View("primary_only", allrows, ev.themes, primary_only=True)
    out["per_1000_chars"] = View("per_1000_chars", allrows, ev.themes,
                                 weights=m["n_chars"].to_numpy(dtype=float) / 1000)
    policy = np.flatnonzero(~genre.isin(REPORT_GENRES).to_numpy())
    out["policy_documents_only"] = (View("policy_documents_only", policy, ev.themes)
                                    if 0 < len(policy) < len(m) else None)
    return out


# --- the findings -----------------------------------------------------------------------------------

def _measures(ev: Evidence, v: View) -> pd.DataFrame:
    return ev.measures.reset_index(drop=True).iloc[v.rows].reset_index(drop=True)


def _order(ev: Evidence, m: pd.DataFrame) -> list[str]:
    """The sources of `m` in study order; [] when they cannot be compared (`compare.comparison_gap`)."""
    if compare.comparison_gap(m["source_id"]) is not None:
        return []
    present = set(m["source_id"])
    return [s for s in ev.order if s in present]


def _similarity(ev: Evidence, v: View, basis: str) -> Result | None:
    m = _measures(ev, v)
    order = _order(ev, m)
    if len(order) < 2:
        return None
    if basis == "tfidf":
        matrix = ev.tfidf[v.rows]
    else:
        matrix = compare.indicator(v.themes, list(m["measure_id"]), ev.theme_ids, primary_only=v.primary_only)
    res = compare.similarity_tests({basis: matrix}, m["source_id"].to_numpy(), order, ev.n_resamples)
    top = res.iloc[0]
    pairs = res.iloc[1:]
    differ = pairs[pairs["q_value"] < ALPHA]
    return Result("mean pairwise cosine similarity of source profiles", float(top["observed"]), len(m),
                  bool(top["p_value"] < ALPHA),
                  test=f"permutation: measures reshuffled between sources, sizes kept, {ev.n_resamples} draws, "
                       "one-sided (less alike than chance); pairs BH-corrected",
                  p_value=float(top["p_value"]), interval=(float(top["null_low"]), float(top["null_high"])),
                  interval_type="95% range under the null (random splits)",
                  extra={"null_mean": float(top["null_mean"]), "n_sources": len(order), "n_pairs": len(pairs),
                         "pairs_differ": [(r.source_a, r.source_b) for r in differ.itertuples()]})


def vocabulary_differs(ev: Evidence, v: View) -> Result | None:
    """Are the sources' vocabularies (mean TF-IDF rows) less alike than random splits of measures?"""
    if v.name in ("hand_coded", "primary_only", "per_1000_chars"):
        return None  # the vocabulary does not depend on the theme coding or on weights
    r = _similarity(ev, v, "tfidf")
    if r is None:
        return None
    x = r.extra
    if r.supported:
        en = (f"The sources' vocabularies differ more than random splits of the same measures would make them: "
              f"mean pairwise TF-IDF cosine {r.value:.2f} against {x['null_mean']:.2f} under the null "
              f"(95% of shuffles {r.interval[0]:.2f}–{r.interval[1]:.2f}; p = {r.p_value:.3g}; "
              f"{x['n_sources']} sources, n = {r.n} measures); {len(x['pairs_differ'])} of {x['n_pairs']} pairs "
              "differ after BH correction.")
        zh = (f"各来源的用词差异大于随机拆分同一批举措所能产生的差异:来源间TF-IDF平均余弦相似度为{r.value:.2f},"
              f"随机重排下为{x['null_mean']:.2f}(95%区间{r.interval[0]:.2f}–{r.interval[1]:.2f};p = {r.p_value:.3g};"
              f"{x['n_sources']}个来源,n = {r.n}条举措);经BH校正,{x['n_pairs']}对中有"
              f"{len(x['pairs_differ'])}对差异显著。")
    else:
        en = (f"The sources' vocabularies are not shown to differ beyond random splits (mean pairwise TF-IDF cosine "
              f"{r.value:.2f}, null {x['null_mean']:.2f}, p = {r.p_value:.3g}, n = {r.n}).")
        zh = (f"各来源的用词差异未超出随机拆分的水平(TF-IDF平均余弦相似度{r.value:.2f},随机重排下"
              f"{x['null_mean']:.2f},p = {r.p_value:.3g},n = {r.n})。")
    return replace(r, en=en, zh=zh)


def theme_profiles_differ(ev: Evidence, v: View) -> Result | None:
    """Are the sources' theme profiles less alike than random splits of measures?"""
    if v.name == "per_1000_chars":
        return None  # cosine ignores each profile's scale: per character equals per measure
    r = _similarity(ev, v, "themes")
    if r is None:
        return None
    x = r.extra
    if r.supported:
        en = (f"The sources' theme profiles differ more than random splits would make them (mean pairwise cosine "
              f"{r.value:.2f} against {x['null_mean']:.2f} under the null, p = {r.p_value:.3g}, n = {r.n}).")
        zh = (f"各来源的主题结构差异大于随机拆分的水平(平均余弦相似度{r.value:.2f},随机重排下{x['null_mean']:.2f},"
              f"p = {r.p_value:.3g},n = {r.n})。")
    else:
        en = (f"Not supported: the sources' theme profiles are not shown to differ. Their mean pairwise cosine "
              f"({r.value:.2f}) is within what random splits of the same measures give ({r.interval[0]:.2f}–"
              f"{r.interval[1]:.2f}, mean {x['null_mean']:.2f}; p = {r.p_value:.3g}, n = {r.n}). The earlier claim "
              "'same reforms, different words' compared two differently built cosines; only its second half "
              "(different words) survives a test.")
        zh = (f"不成立:各来源的主题结构差异未得到证实。来源间平均余弦相似度({r.value:.2f})落在随机拆分同一批举措的"
              f"范围内({r.interval[0]:.2f}–{r.interval[1]:.2f},均值{x['null_mean']:.2f};p = {r.p_value:.3g},"
              f"n = {r.n})。此前“改革相同、用词不同”的说法比较的是两种构造不同的余弦值,经检验只有“用词不同”成立。")
    return replace(r, en=en, zh=zh)


def _cells(ev: Evidence, v: View) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    m = _measures(ev, v)
    order = _order(ev, m)
    if len(order) < 2:
        return None
    y = compare.indicator(v.themes, list(m["measure_id"]), ev.theme_ids, primary_only=v.primary_only)
    return compare.share_tests(y, ev.theme_ids, m, order, weights=v.weights, n_resamples=ev.n_resamples,
                               intervals=False), m


def emphasis(ev: Evidence, v: View) -> Result | None:
    """Does any source address any theme more or less often than the other sources, after BH?"""
    got = _cells(ev, v)
    if got is None:
        return None
    cells, m = got
    sig = cells[cells["q_value"] < ALPHA]
    big = cells.loc[cells["diff"].abs().idxmax()]
    unit = "per 1,000 characters" if v.weights is not None else "of measures"
    fmt = (lambda x: f"{x:.2f}") if v.weights is not None else (lambda x: f"{100 * x:.0f}%")
    listed = "; ".join(f"{r.theme_id} in {r.source_id} ({fmt(r.share)} vs {fmt(r.rest_share)}, q = {r.q_value:.3g})"
                       for r in sig.itertuples())
    if len(sig):
        en = (f"{len(sig)} of {len(cells)} source × theme differences (n = {len(m)} measures) survive "
              f"Benjamini–Hochberg correction: {listed}.")
        zh = f"{len(cells)}个“来源×主题”比较中,经BH校正后有{len(sig)}个差异显著:{listed}。"
    else:
        en = (f"Not supported: no source addresses any theme more or less often than the other sources once the "
              f"{len(cells)} source × theme tests (n = {len(m)} measures) are corrected (smallest q = "
              f"{cells['q_value'].min():.2f}). "
              f"The largest difference, {big['theme_id']} in {big['source_id']} ({fmt(big['share'])} {unit} against "
              f"{fmt(big['rest_share'])} in the rest, n = {int(big['n_measures'])}), has p = {big['p_value']:.3g} "
              "before correction.")
        zh = (f"不成立:{len(cells)}个“来源×主题”比较经BH校正后均不显著(最小q = {cells['q_value'].min():.2f})。"
              f"差异最大的是{big['source_id']}的{big['theme_id']}({fmt(big['share'])},其余来源{fmt(big['rest_share'])},"
              f"n = {int(big['n_measures'])}),校正前p = {big['p_value']:.3g}。")
    return Result("source × theme cells with q < 0.05", float(len(sig)), len(m), bool(len(sig)),
                  test=f"permutation per cell (source vs the rest, sizes kept, {ev.n_resamples} draws, two-sided); "
                       f"Benjamini–Hochberg over {len(cells)} cells",
                  p_value=float(cells["q_value"].min()), en=en, zh=zh, interval_type="")


def primary_mix_differs(ev: Evidence, v: View) -> Result | None:
    """Does the mix of primary themes differ between sources? (χ² statistic, permutation null.)"""
    if v.name in ("primary_only", "per_1000_chars"):
        return None  # already primary themes; one primary per measure has no length to weigh
    m = _measures(ev, v)
    prim = v.themes[v.themes["primary"].astype(bool)][["measure_id", "theme_id"]].merge(
        m[["measure_id", "source_id"]], on="measure_id")
    order = _order(ev, m)
    if len(order) < 2:
        return None
    test = compare.mix_test(prim["theme_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples)
    lead = compare.leaders(prim, order)
    said = "; ".join(f"{r.source_id}: {r.leaders.replace(';', ' = ')} ({r.n_leader} of {r.n_measures})"
                     + (" (tie)" if r.tied else "") for r in lead.itertuples())
    ties = int(lead["tied"].sum())
    ok = bool(test.p_value < ALPHA)
    verdict_en = "differs" if ok else "is not shown to differ"
    verdict_zh = "存在差异" if ok else "差异未得到证实"
    en = (f"{'' if ok else 'Not supported: '}the mix of primary themes {verdict_en} between sources (χ² = "
          f"{test.statistic:.1f}, permutation p = {test.p_value:.3g}, n = {len(prim)}). Most frequent primary theme: "
          f"{said}; {ties} of {len(lead)} sources have a tie for first place.")
    en = en[0].upper() + en[1:]
    zh = (f"{'' if ok else '不成立:'}各来源主要主题的构成{verdict_zh}(χ² = {test.statistic:.1f},置换检验p = "
          f"{test.p_value:.3g},n = {len(prim)})。各来源最常见的主要主题:{said};{len(lead)}个来源中有{ties}个并列第一。")
    return Result("χ² of source × primary theme", test.statistic, len(prim), ok,
                  test=f"permutation of the χ² statistic (measures reshuffled, sizes kept, {ev.n_resamples} draws); "
                       "most cells expect fewer than 5, so no χ² p-value", p_value=test.p_value, en=en, zh=zh)


def _commitments(ev: Evidence, m: pd.DataFrame) -> pd.DataFrame:
    t = ev.targets[ev.targets["measure_id"].isin(set(m["measure_id"]))]
    return t[t["modality"] == "target"]


def commitment_rate_differs(ev: Evidence, v: View) -> Result | None:
    """Does the share of measures with at least one quantitative commitment differ between sources?"""
    if v.name not in ("baseline", "no_safeguards", "policy_documents_only"):
        return None
    m = _measures(ev, v)
    order = _order(ev, m)
    if len(order) < 2:
        return None
    has = m["measure_id"].isin(set(_commitments(ev, m)["measure_id"])).to_numpy()
    test = compare.mix_test(np.where(has, "yes", "no"), m["source_id"].to_numpy(), ev.n_resamples)
    per = []
    for sid in order:
        g = (m["source_id"] == sid).to_numpy()
        lo, hi = inference.wilson(int(has[g].sum()), int(g.sum()))
        per.append(f"{sid} {int(has[g].sum())}/{int(g.sum())} ({100 * lo:.0f}–{100 * hi:.0f}%)")
    ok = bool(test.p_value < ALPHA)
    en = (f"{'The' if ok else 'Not supported: the'} share of measures with at least one quantitative commitment "
          f"{'differs' if ok else 'is not shown to differ'} between sources (permutation p = {test.p_value:.3g}, "
          f"n = {len(m)}): {', '.join(per)} (95% Wilson intervals).")
    zh = (f"{'' if ok else '不成立:'}含至少一项量化承诺的举措占比在各来源之间{'存在差异' if ok else '差异未得到证实'}"
          f"(置换检验p = {test.p_value:.3g},n = {len(m)}):{','.join(per)}(95% Wilson区间)。")
    return Result("χ² of source × has a commitment", test.statistic, len(m), ok,
                  test=f"permutation of the χ² statistic ({ev.n_resamples} draws)", p_value=test.p_value,
                  en=en, zh=zh, interval=(float("nan"), float("nan")))


def time_limit_range(ev: Evidence, v: View) -> Result | None:
    """The range of committed processing time limits (descriptive; no test)."""
    if v.name not in ("baseline", "no_safeguards", "policy_documents_only"):
        return None
    m = _measures(ev, v)
    t = ev.targets[ev.targets["measure_id"].isin(set(m["measure_id"]))]
    t = t[processing_commitments(t)].assign(days=lambda d: pd.to_numeric(d["days"]))
    if t.empty:
        return None
    lo, hi = t.loc[t["days"].idxmin()], t.loc[t["days"].idxmax()]

    def span(r: pd.Series) -> str:
        return f"{r['phrase']} ({r['measure_id']}, {r['applies_to']})"

    working = int((t["day_type"] == "working").sum())
    en = (f"Committed processing time limits run from {span(lo)} to {span(hi)} (n = {len(t)} limits in "
          f"{t['measure_id'].nunique()} measures; {working} in working days, which are longer than calendar days). "
          "Reductions, minimum windows, stay or validity periods and results reported in cases are not limits and "
          "are left out.")
    zh = (f"承诺的办理时限从{span(lo)}到{span(hi)}(n = {len(t)}项时限,分布在{t['measure_id'].nunique()}条举措中;"
          f"其中{working}项以工作日计)。压减天数、最短期限、停留或有效期以及案例中已取得的结果不属于办理时限,未计入。")
    return Result("longest committed processing time limit (days)", float(hi["days"]), len(t), True,
                  test="none (descriptive)", interval=(float(lo["days"]), float(hi["days"])),
                  interval_type="range (shortest–longest, days)", en=en, zh=zh)


def learning_concentrated(ev: Evidence, v: View) -> Result | None:
    """Does the source with the most learns-from sentences hold more of them than its share of the text?

    Counts distinct sentences (not references) with a learns_from reference; only that one source
    is tested (one-sided binomial) against its share of the compared sources' characters
    (`n_chars_clean`).
    """
    if v.name not in ("baseline", "policy_documents_only"):
        return None
    m = _measures(ev, v)
    order = _order(ev, m)
    refs = ev.references[ev.references["source_id"].isin(order)]
    if "relation" in refs.columns:
        refs = refs[refs["relation"] == "learns_from"]
    if refs.empty or len(order) < 2:
        return None
    # One sentence naming a place twice, or two places, is one statement of learning: count sentences.
    said = refs.drop_duplicates(["source_id", "sentence"])
    per = said["source_id"].value_counts().reindex(order, fill_value=0)
    top = per.idxmax()
    k, n = int(per[top]), int(per.sum())
    chars = ev.documents.set_index("source_id").loc[order, "n_chars_clean"].astype(float)
    expected = float(chars[top] / chars.sum())
    test = stats.binomtest(k, n, expected, alternative="greater")
    lo, hi = inference.wilson(k, n)
    places = refs.loc[refs["source_id"] == top, "place"].value_counts().head(3)
    named = ", ".join(f"{p} ({c})" for p, c in places.items())
    ok = bool(test.pvalue < ALPHA)
    en = (f"{top} {'accounts' if ok else 'accounts, but not beyond its length,'} for {k} of the {n} sentences in which "
          f"a source says it learns from a named place ({100 * k / n:.0f}%, 95% CI {100 * lo:.0f}–{100 * hi:.0f}%) "
          f"while holding {100 * expected:.0f}% of the corpus's text (binomial p = {test.pvalue:.3g}); it learns "
          f"mostly from {named}.")
    zh = (f"在来源明确向具名地方学习的{n}个句子中,{top}占{k}句({100 * k / n:.0f}%,95%置信区间{100 * lo:.0f}–"
          f"{100 * hi:.0f}%),而其篇幅仅占语料的{100 * expected:.0f}%(二项检验p = {test.pvalue:.3g});"
          f"学习对象主要是{named}。")
    return Result(f"share of learns-from sentences in {top}", k / n, n, ok,
                  test="binomial test of sentences against the source's share of characters, one-sided (sentences "
                       "of one chapter are not independent, so p is optimistic)", p_value=test.pvalue,
                  interval=(lo, hi), interval_type="95% Wilson interval", en=en, zh=zh)


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
                  interval=(lo, hi), interval_type="95% Wilson interval", en=en, zh=zh)


def _primary_types(ev: Evidence, v: View) -> pd.DataFrame | None:
    """The measures of the view with their primary instrument's type: the rules' coding, or coder A's
    in the hand-coded view; None where there is no instrument coding for the view."""
    if v.name in ("primary_only", "per_1000_chars"):
        return None  # instruments have one primary each and no weights to change
    rows = ev.instrument_gold if v.name == "hand_coded" else ev.instruments
    if rows is None or rows.empty or not ev.instrument_types:
        return None
    m = _measures(ev, v)
    # the heading columns come along for `inference.units_of` (environment_dominates' interval)
    keep = ["measure_id", "source_id", *[c for c in ("chapter", "section") if c in m]]
    prim = rows[rows["primary"].astype(bool)][["measure_id", "instrument_id"]].merge(m[keep], on="measure_id")
    return prim.assign(type_id=prim["instrument_id"].map(ev.instrument_types))


def instrument_mix_differs(ev: Evidence, v: View) -> Result | None:
    """Does the mix of primary instrument types differ between sources? (χ², permutation null.)"""
    prim = _primary_types(ev, v)
    if prim is None:
        return None
    order = _order(ev, prim)
    if len(order) < 2:
        return None
    test = compare.mix_test(prim["type_id"].to_numpy(), prim["source_id"].to_numpy(), ev.n_resamples)
    ok = bool(test.p_value < ALPHA)
    en = (f"{'The' if ok else 'Not supported: the'} mix of primary policy-instrument types (supply, environment, "
          f"demand) {'differs' if ok else 'is not shown to differ'} between sources (χ² = {test.statistic:.1f}, "
          f"permutation p = {test.p_value:.3g}, n = {len(prim)}). The instruments are coded by rules whose held-out "
          "primary accuracy is in notebook 10.")
    zh = (f"{'' if ok else '不成立:'}各来源主政策工具类型(供给型、环境型、需求型)的构成"
          f"{'存在差异' if ok else '差异未得到证实'}(χ² = {test.statistic:.1f},置换检验p = {test.p_value:.3g},"
          f"n = {len(prim)})。政策工具由规则编码,"
          "其留出集准确率见第10个笔记本。")
    return Result("χ² of source × primary instrument type", test.statistic, len(prim), ok,
                  test=f"permutation of the χ² statistic (measures reshuffled, sizes kept, {ev.n_resamples} draws)",
                  p_value=test.p_value, en=en, zh=zh)


def environment_dominates(ev: Evidence, v: View) -> Result | None:
    """Are environment-side instruments the primary lever of more measures than supply-side ones?

    The statistic is the environment-side share among the measures whose primary instrument is
    environment- or supply-side (0.5 = as many of each); its interval resamples whole headings
    (`inference.cluster_bootstrap`), and the binomial test treats measures as independent.
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
    test = stats.binomtest(env, both, 0.5)
    lo, hi = inference.cluster_bootstrap((two["type_id"] == "environment").to_numpy(dtype=float),
                                         inference.units_of(two), n_resamples=ev.n_resamples)
    ok = bool(test.pvalue < ALPHA and env > both - env)
    share = env / both
    en = (f"{'Environment-side' if ok else 'Not supported: environment-side'} instruments "
          f"{'are' if ok else 'are not shown to be'} the primary lever of more measures than supply-side ones: "
          f"{env} of the {both} measures whose primary instrument is one or the other ({100 * share:.0f}%, 95% "
          f"interval {100 * lo:.0f}–{100 * hi:.0f}% resampling headings; binomial test against half, p = "
          f"{test.pvalue:.3g}); {n - both} of all {n} measures have a demand-side primary.")
    zh = (f"{'' if ok else '不成立:'}环境型工具{'是' if ok else '未被证实是'}多于供给型工具的主工具:"
          f"主工具为环境型或供给型的{both}条举措中,环境型{env}条({100 * share:.0f}%,"
          f"按标题重抽样的95%区间{100 * lo:.0f}–{100 * hi:.0f}%;"
          f"相对一半的二项检验p = {test.pvalue:.3g});全部{n}条举措中需求型{n - both}条。")
    return Result("environment-side share of environment- and supply-side primary instruments", share, both, ok,
                  test="binomial test against 0.5 (measures treated as independent)", p_value=float(test.pvalue),
                  interval=(lo, hi), interval_type="95% cluster-bootstrap interval (headings resampled)", en=en, zh=zh)


FINDINGS: dict[str, Callable[[Evidence, View], Result | None]] = {
    "vocabulary_differs": vocabulary_differs,
    "theme_profiles_differ": theme_profiles_differ,
    "emphasis": emphasis,
    "primary_mix_differs": primary_mix_differs,
    "commitment_rate_differs": commitment_rate_differs,
    "time_limit_range": time_limit_range,
    "learning_concentrated": learning_concentrated,
    "coder_agreement": coder_agreement,
    "instrument_mix_differs": instrument_mix_differs,
    "environment_dominates": environment_dominates,
}


def findings_tables(ev: Evidence) -> dict[str, pd.DataFrame]:
    """`findings.csv` and `sensitivity.csv` for the evidence of one build."""
    vs = views(ev)
    rows, sens = [], []
    for fid, finding in FINDINGS.items():
        base = finding(ev, vs["baseline"])
        if base is None:
            continue
        flips, checked = [], []
        for name, view in vs.items():
            r = finding(ev, view) if view is not None else None
            if r is None:
                continue
            same = r.supported == base.supported
            sens.append({"finding_id": fid, "variant": name, "n": r.n, "value": r.value, "p_value": r.p_value,
                         "supported": r.supported, "same_as_baseline": same})
            if name != "baseline":
                checked.append(name)
                if not same:
                    flips.append(name)
        note = ("no alternative applies" if not checked else
                f"same decision under {', '.join(checked)}" if not flips else
                f"decision changes under {', '.join(flips)}")
        rows.append({"finding_id": fid, "statement_en": base.en, "statement_zh": base.zh,
                     "statistic": base.statistic, "value": base.value, "interval_low": base.interval[0],
                     "interval_high": base.interval[1], "interval_type": base.interval_type,
                     "p_value": base.p_value, "test": base.test, "n": base.n, "supported": base.supported,
                     "survives_sensitivity": (not flips) if checked else pd.NA, "sensitivity_note": note})
    return {"findings.csv": compare.round_stats(pd.DataFrame(rows, columns=FINDING_COLUMNS)),
            "sensitivity.csv": compare.round_stats(pd.DataFrame(sens, columns=SENSITIVITY_COLUMNS))}


TITLES = {
    "vocabulary_differs": ("Different words", "用词不同"),
    "theme_profiles_differ": ("Theme profiles", "主题结构"),
    "emphasis": ("Emphases", "侧重"),
    "primary_mix_differs": ("Primary themes", "主要主题"),
    "commitment_rate_differs": ("Quantitative commitments", "量化承诺"),
    "time_limit_range": ("Processing time limits", "办理时限"),
    "learning_concentrated": ("Who learns from whom", "向谁学习"),
    "coder_agreement": ("How far the coding can be trusted", "编码的可信度"),
    "instrument_mix_differs": ("Policy instruments by source", "各来源的政策工具"),
    "environment_dominates": ("Environment-side instruments", "环境型工具"),
}


def scope(documents: pd.DataFrame) -> tuple[str, str]:
    """What the corpus is, and so what its findings can be about (English, Chinese)."""
    n = len(documents)
    city = documents["place"].str.extract(r"^(.+?市)")[0].fillna(documents["place"])
    top_city, k = city.value_counts().index[0], int(city.value_counts().iloc[0])
    genres = documents["doc_type"].nunique()
    years = f"{documents['year'].min()}–{documents['year'].max()}"
    en = (f"Scope: {n} documents ({years}), {k} of them from {top_city}, of {genres} genres "
          f"({', '.join(sorted(documents['doc_type'].unique()))}). The findings are about these documents, not about "
          "Chinese business-environment reform at large: with one document per place and year, a difference between "
          "sources may be one of place, level, genre or year, and the corpus cannot tell which.")
    zh = (f"范围:{n}份文件({years}),其中{k}份来自{top_city},共{genres}种文体。结论只针对这些文件,不代表中国营商环境"
          "改革的总体情况:每个地方、每个年份只有一份文件,来源之间的差异可能来自地方、层级、文体或年份,语料无法区分。")
    return en, zh


def findings_markdown(findings: pd.DataFrame, documents: pd.DataFrame, lang: str = "en") -> str:
    """The findings as a numbered Markdown list (for notebook 09 and the README), scope first."""
    col = "statement_en" if lang == "en" else "statement_zh"
    lines = [scope(documents)[0 if lang == "en" else 1], ""]
    for i, r in enumerate(findings.itertuples(), start=1):
        title = TITLES.get(r.finding_id, (r.finding_id, r.finding_id))[0 if lang == "en" else 1]
        sens = "" if r.sensitivity_note in ("", "no alternative applies") else f" *Sensitivity: {r.sensitivity_note}.*"
        lines.append(f"{i}. **{title}.** {getattr(r, col)}{sens}")
    return "\n".join(lines)


README_START = "<!-- findings:start (written by notebooks/09_findings.ipynb from data/processed/findings.csv) -->"
README_END = "<!-- findings:end -->"


def with_findings(readme: str, block: str) -> str:
    """The README text with the part between the findings markers replaced by `block`."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{block}\n{README_END}{tail}"
