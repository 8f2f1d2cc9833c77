"""How well the deontic rules agree with hand-coded sentences, and the two coders with each other.

The hand check lives in a corpus's `validation/` folder (the regulations corpus's README there says
who coded what, and when):

- `deontic_sentences.csv`: the sampled sentences (`sent_id`, `source_id`, `article`, `sentence`);
- `deontic_a.csv`, `deontic_b.csv`: two coders' codes, blind to each other and to the rules
  (`sent_id`, `modality`, `addressee`, `note`; several provisions of a sentence joined by `;`);
- `deontic_gold.csv`: the adjudicated codes (the same columns, plus `adjudicated`).

Units are sentences: a modality is present in a sentence when some provision of it has that
modality. Agreement of the coders is Cohen's κ of presence per modality, with a percentile
bootstrap interval over sentences; the rules against the adjudicated codes are precision and recall
of presence, pooled and per modality, with Wilson 95% intervals (`inference.wilson`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ..rules.spec import CsvSpec
from .agreement import cohen_kappa, interval
from .inference import wilson
from .validation import read_checked

MODALITIES = ("obligation", "permission", "prohibition", "encouragement")
NONE = "none"
ADDRESSEES = ("government", "department", "market_entity", "court", "association", "other", "unspecified")
FILES = {"sentences": "deontic_sentences.csv", "a": "deontic_a.csv", "b": "deontic_b.csv", "gold": "deontic_gold.csv"}
COLUMNS = ["comparison", "modality", "metric", "k", "n", "value", "ci_low", "ci_high"]

SENTENCES_SPEC = CsvSpec(("sent_id", "source_id", "sentence"), ("article",), ("sent_id", "sentence"),
                         unique=("sent_id",), why_rows="there would be no sentence to score the rules on")
CODES_SPEC = CsvSpec(("sent_id", "modality", "addressee"), ("note", "adjudicated"), ("sent_id", "modality"),
                     unique=("sent_id",), why_rows="there would be no coded sentence")

Coder = Callable[[str], Sequence[tuple[str, str]]]  # a sentence → its (modality, addressee) provisions


def provisions(codes: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """sent_id → [(modality, addressee), …] of a coder's file, `;`-lists paired in order."""
    out = {}
    for r in codes.itertuples():
        mods = [m.strip() for m in r.modality.split(";")]
        whom = [a.strip() for a in r.addressee.split(";")] if r.addressee else []
        whom += ["unspecified"] * (len(mods) - len(whom))
        out[r.sent_id] = list(zip(mods, whom, strict=False))
    return out


def presence(coded: dict[str, list[tuple[str, str]]], ids: Sequence[str]) -> pd.DataFrame:
    """Sentences × modalities: whether some provision of the sentence has the modality."""
    return pd.DataFrame([[any(m == mod for m, _ in coded.get(i, [])) for mod in MODALITIES] for i in ids],
                        index=list(ids), columns=list(MODALITIES))


def _proportion(comparison: str, modality: str, metric: str, k: int, n: int) -> dict:
    low, high = wilson(k, n) if n else (float("nan"), float("nan"))
    return {"comparison": comparison, "modality": modality, "metric": metric, "k": k, "n": n,
            "value": k / n if n else float("nan"), "ci_low": low, "ci_high": high}


def coder_rows(a: pd.DataFrame, b: pd.DataFrame, codes_a: dict, codes_b: dict) -> list[dict]:
    """Agreement of the two coders: κ of presence per modality; sentences with the same modalities;
    sentences with the same codes throughout (every provision's modality and addressee, `none` too)."""
    rows = []
    for mod in MODALITIES:
        x, y = a[mod].to_numpy(), b[mod].to_numpy()
        low, high = interval(cohen_kappa, x, y, 2)
        rows.append({"comparison": "coder_a_vs_b", "modality": mod, "metric": "kappa", "k": int((x == y).sum()),
                     "n": len(x), "value": float(cohen_kappa(x, y, 2)), "ci_low": low, "ci_high": high})
    same = int((a == b).all(axis=1).sum())
    rows.append(_proportion("coder_a_vs_b", "all", "same_modalities", same, len(a)))
    alike = sum(codes_a.get(i) == codes_b.get(i) for i in a.index)
    rows.append(_proportion("coder_a_vs_b", "all", "same_codes", alike, len(a)))
    return rows


def rule_rows(gold: pd.DataFrame, pred: pd.DataFrame, gold_codes: dict, pred_codes: dict) -> list[dict]:
    """The rules against the adjudicated codes: precision and recall of presence, pooled and per
    modality; sentences with the same modalities; the addressee of provisions both found."""
    rows = []
    for mod in ("all", *MODALITIES):
        g = gold.to_numpy().ravel() if mod == "all" else gold[mod].to_numpy()
        p = pred.to_numpy().ravel() if mod == "all" else pred[mod].to_numpy()
        rows.append(_proportion("rules_vs_gold", mod, "precision", int((g & p).sum()), int(p.sum())))
        rows.append(_proportion("rules_vs_gold", mod, "recall", int((g & p).sum()), int(g.sum())))
    rows.append(_proportion("rules_vs_gold", "all", "same_modalities", int((gold == pred).all(axis=1).sum()),
                            len(gold)))
    # The addressee is scored where gold and rules found the same modality: the k-th provision of
    # that modality in the one is paired with the k-th in the other.
    k = n = 0
    for sid, coded in gold_codes.items():
        for mod in MODALITIES:
            want = [a for m, a in coded if m == mod]
            got = [a for m, a in pred_codes.get(sid, []) if m == mod]
            pairs = list(zip(want, got, strict=False))
            n += len(pairs)
            k += sum(w == g for w, g in pairs)
    rows.append(_proportion("rules_vs_gold", "all", "addressee_agrees", k, n))
    return rows


def deontic_validation(vdir: Path, code: Coder) -> pd.DataFrame | None:
    """validation_deontic.csv, or None when the corpus has no deontic hand check."""
    if not (Path(vdir) / FILES["sentences"]).is_file():
        return None
    sentences = read_checked(Path(vdir) / FILES["sentences"], SENTENCES_SPEC)
    ids = list(sentences["sent_id"])
    coded = {who: provisions(read_checked(Path(vdir) / FILES[who], CODES_SPEC, FILES["sentences"]))
             for who in ("a", "b", "gold")}
    predicted = {r.sent_id: list(code(r.sentence)) for r in sentences.itertuples()}
    rows = coder_rows(presence(coded["a"], ids), presence(coded["b"], ids), coded["a"], coded["b"])
    rows += rule_rows(presence(coded["gold"], ids), presence(predicted, ids), coded["gold"], predicted)
    return pd.DataFrame(rows, columns=COLUMNS)
