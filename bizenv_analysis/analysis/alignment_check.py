"""How well the article alignment agrees with hand-coded pairs, and the two coders with each other.

The hand check lives in a corpus's `validation/` folder (its README says who coded what, and when):
`alignment_key.csv` (pair_id, link_id, candidate, score_norm, decile, half — never shown to the
coders), `alignment_a.csv` and `alignment_b.csv` (two blind coders: pair_id, relation), and
`alignment_gold.csv` (the adjudicated relation). A pair is a *link* when its relation is verbatim
or adapted.

`adapted_min` (alignment_params.csv) is chosen on the calibration half: the score that maximises
the F1 of "link" there (`choose_threshold`). Precision and recall are reported on the held-out
half, which played no part in the choice; recall counts the non-candidate pairs too (what the
shingle filter loses before any alignment). Units are pairs of articles: pairs that share an
article are not independent, so the intervals are narrower than a clustered one would be.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..base.constants import RESAMPLE_SEED
from ..rules.alignment import Params
from ..rules.spec import CsvSpec
from .agreement import N_BOOTSTRAP, cohen_kappa, interval
from .inference import CONFIDENCE, wilson
from .validation import read_checked

LINK = ("verbatim", "adapted")
RELATIONS = ("verbatim", "adapted", "none")
HALVES = ("calibration", "held_out")
COLUMNS = ["metric", "half", "value", "ci_low", "ci_high", "k", "n", "note"]
FILES = {"key": "alignment_key.csv", "a": "alignment_a.csv", "b": "alignment_b.csv", "gold": "alignment_gold.csv"}

KEY_SPEC = CsvSpec(("pair_id", "link_id", "candidate", "score_norm", "half"), ("decile",), ("pair_id", "half"),
                   choices={"half": HALVES, "candidate": ("True", "False")}, unique=("pair_id",),
                   why_rows="there would be no pair to score the alignment on")
CODES_SPEC = CsvSpec(("pair_id", "relation"), ("note", "adjudicated"), ("pair_id", "relation"),
                     choices={"relation": RELATIONS}, unique=("pair_id",), why_rows="there would be no coded pair")


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of the positive class (0 when nothing is predicted or true)."""
    tp = float((truth & predicted).sum())
    denominator = float(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def choose_threshold(scores: np.ndarray, verbatim: np.ndarray, truth: np.ndarray) -> float:
    """The score_norm that maximises F1 of "link" when a pair is a link if verbatim or scoring at
    least it; among equal F1, the highest such score (the stricter rule). Candidates: the observed
    scores. NaN scores (pairs that are no candidate) are never links."""
    observed = np.unique(scores[~np.isnan(scores)])
    best, chosen = -1.0, float("nan")
    for t in observed:
        value = f1(truth, verbatim | (np.nan_to_num(scores, nan=-np.inf) >= t))
        if value >= best:
            best, chosen = value, float(t)
    return chosen


def _bootstrap_f1(truth: np.ndarray, predicted: np.ndarray, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(truth), size=(N_BOOTSTRAP, len(truth)))
    values = np.array([f1(truth[d], predicted[d]) for d in draws])
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _proportion(metric: str, half: str, k: int, n: int, note: str) -> dict:
    low, high = wilson(k, n) if n else (float("nan"), float("nan"))
    return {"metric": metric, "half": half, "value": k / n if n else float("nan"), "ci_low": low, "ci_high": high,
            "k": k, "n": n, "note": note}


def coder_rows(a: pd.Series, b: pd.Series, labels: tuple[str, ...], positive: tuple[str, ...],
               seed: int = RESAMPLE_SEED) -> list[dict]:
    """κ of the two coders over every label (kappa3) and over positive or not (kappa2), with
    percentile bootstrap intervals over pairs."""
    x = np.array([labels.index(r) for r in a])
    y = np.array([labels.index(r) for r in b])
    low3, high3 = interval(cohen_kappa, x, y, len(labels), seed)
    xl, yl = np.isin(a.to_numpy(), positive), np.isin(b.to_numpy(), positive)
    low2, high2 = interval(cohen_kappa, xl, yl, 2, seed)
    return [{"metric": "kappa3", "half": "all", "value": float(cohen_kappa(x, y, len(labels))),
             "ci_low": low3, "ci_high": high3, "k": int((x == y).sum()), "n": len(x),
             "note": f"coder A against coder B: {', '.join(labels)} (k: pairs alike)"},
            {"metric": "kappa2", "half": "all", "value": float(cohen_kappa(xl, yl, 2)), "ci_low": low2,
             "ci_high": high2,
             "k": int((xl == yl).sum()), "n": len(x),
             "note": f"coder A against coder B: {' or '.join(positive)}, or not"}]


def threshold_rows(scores: np.ndarray, forced: np.ndarray, truth: np.ndarray, halves: np.ndarray, in_use: float,
                   name: str, what: str) -> list[dict]:
    """The threshold the calibration half gives, and precision, recall and F1 on each half with the
    one in use (`name` = `in_use`): a pair is called `what` when `forced` or scoring at least it."""
    cal = halves == "calibration"
    chosen = choose_threshold(scores[cal], forced[cal], truth[cal])
    out = [{"metric": "threshold", "half": "calibration", "value": chosen, "ci_low": np.nan, "ci_high": np.nan,
            "k": int(truth[cal].sum()), "n": int(cal.sum()),
            "note": f"score maximising F1 of {what} on this half; in use: {name} = {in_use:g}"}]
    predicted = forced | (np.nan_to_num(scores, nan=-np.inf) >= in_use)
    for half in HALVES:
        h = halves == half
        t, p = truth[h], predicted[h]
        out.append(_proportion("precision", half, int((t & p).sum()), int(p.sum()),
                               f"pairs called {what} that the coders call so"))
        out.append(_proportion("recall", half, int((t & p).sum()), int(t.sum()),
                               f"pairs the coders call {what} that are called so"))
        low, high = _bootstrap_f1(t, p, RESAMPLE_SEED)
        out.append({"metric": "f1", "half": half, "value": f1(t, p), "ci_low": low, "ci_high": high,
                    "k": int((t & p).sum()), "n": int(h.sum()), "note": "percentile bootstrap over pairs"})
    return out


def _coded(vdir: Path, files: dict[str, str], key_spec: CsvSpec, codes_spec: CsvSpec
           ) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    key = read_checked(Path(vdir) / files["key"], key_spec)
    coded = {who: read_checked(Path(vdir) / files[who], codes_spec, files["key"]).set_index("pair_id")["relation"]
             for who in ("a", "b", "gold")}
    return key, coded


def alignment_validation(vdir: Path, links: pd.DataFrame, params: Params) -> pd.DataFrame | None:
    """validation_alignment.csv, or None when the corpus has no alignment hand check.

    `links`: links.csv of this build: the candidate pairs' scores, and which are verbatim (a
    relation that does not depend on adapted_min)."""
    if not (Path(vdir) / FILES["key"]).is_file():
        return None
    key, coded = _coded(vdir, FILES, KEY_SPEC, CODES_SPEC)
    scored = links.set_index("link_id")
    scores = key["link_id"].map(scored["score_norm"]).astype(float).to_numpy()
    in_links = key["link_id"].isin(scored.index).to_numpy()
    verbatim = np.zeros(len(key), dtype=bool)
    verbatim[in_links] = (scored.loc[key.loc[in_links, "link_id"], "relation"] == "verbatim").to_numpy()
    truth = key["pair_id"].map(coded["gold"]).isin(LINK).to_numpy()
    out = coder_rows(key["pair_id"].map(coded["a"]), key["pair_id"].map(coded["b"]), RELATIONS, LINK)
    out += threshold_rows(scores, verbatim, truth, key["half"].to_numpy(), params.adapted_min, "adapted_min",
                          "a link (verbatim or adapted)")
    missed = ~key["candidate"].eq("True").to_numpy()
    out.append(_proportion("missed_by_candidates", "all", int((truth & missed).sum()), int(missed.sum()),
                           "non-candidate pairs the coders call a link"))
    return pd.DataFrame(out, columns=COLUMNS)


# --- the sources in the frame: a measure and its closest frame article (analysis.frame) ------------

FRAME_RELATIONS = ("implements", "related", "none")
FRAME_FILES = {"key": "frame_key.csv", "a": "frame_a.csv", "b": "frame_b.csv", "gold": "frame_gold.csv"}
FRAME_KEY_SPEC = CsvSpec(("pair_id", "measure_id", "article_id", "frame_source_id", "cosine", "half"),
                         ("source_id", "decile"), ("pair_id", "measure_id", "article_id", "half"),
                         choices={"half": HALVES}, unique=("pair_id",),
                         why_rows="there would be no pair to score the frame's threshold on")
FRAME_CODES_SPEC = CsvSpec(("pair_id", "relation"), ("note", "adjudicated"), ("pair_id", "relation"),
                           choices={"relation": FRAME_RELATIONS}, unique=("pair_id",),
                           why_rows="there would be no coded pair")


def frame_validation(vdir: Path, frame_links: pd.DataFrame, frame_min: float) -> pd.DataFrame | None:
    """validation_frame.csv, or None without the frame's hand check. The cosine of each coded pair is
    this build's (frame_links.csv); a pair no longer among the links counts as not implemented."""
    if not (Path(vdir) / FRAME_FILES["key"]).is_file():
        return None
    key, coded = _coded(vdir, FRAME_FILES, FRAME_KEY_SPEC, FRAME_CODES_SPEC)
    cosine = frame_links.drop_duplicates(["measure_id", "article_id"]).set_index(["measure_id", "article_id"])["cosine"]
    pairs = pd.MultiIndex.from_frame(key[["measure_id", "article_id"]])
    scores = cosine.reindex(pairs).astype(float).to_numpy()
    truth = key["pair_id"].map(coded["gold"]).eq("implements").to_numpy()
    out = coder_rows(key["pair_id"].map(coded["a"]), key["pair_id"].map(coded["b"]), FRAME_RELATIONS,
                     ("implements",))
    out += threshold_rows(scores, np.zeros(len(key), dtype=bool), truth, key["half"].to_numpy(), frame_min,
                          "frame_min", "implementing")
    return pd.DataFrame(out, columns=COLUMNS)
