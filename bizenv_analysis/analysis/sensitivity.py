"""Every finding under every alternative: the build evaluates each finding of `findings.FINDINGS` on
the data as built (`baseline`) and on each alternative of `VARIANTS` that applies to it, and writes
`findings.csv` (one row per finding: statistic, value, interval, p, test, unit and number of units,
n, supported, survives_sensitivity; its statement columns are filled by `report.statements.render`
from the baseline `Result`s) and `sensitivity.csv` (one row per finding × variant). A finding whose
test fails is kept and stated as not supported.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import families, inference
from .families import POLICY, family_of
from .findings import FINDINGS, Evidence, Result, View

VARIANTS = {
    "baseline": "as built: policy documents only, without safeguard items, the rule-based coder's multi-label "
                "themes, names out of the vocabulary",
    "hand_coded": "the hand-coded themes (and instruments) of data/validation instead of the coder's",
    "with_safeguards": "safeguard items (组织保障 chapters) kept",
    "primary_only": "primary theme only instead of multi-label",
    "per_1000_chars": "measures addressing a theme per 1,000 characters instead of per measure",
    "all_genres": "every genre pooled: the news report and the case collection compared with the plans",
    "with_names": "person, place and organisation names kept in the vocabulary",
}
FINDING_COLUMNS = ["finding_id", "statement_en", "statement_zh", "statistic", "value", "interval_low",
                   "interval_high", "interval_type", "p_value", "test", "unit", "n_units", "n", "supported",
                   "survives_sensitivity", "sensitivity_note"]
SENSITIVITY_COLUMNS = ["finding_id", "variant", "unit", "n_units", "n", "value", "p_value", "supported",
                       "same_as_baseline"]


def compared_family(ev: Evidence) -> str:
    """The family whose sources are compared (`families.compared_family`)."""
    return families.compared_family(ev.measures, ev.documents)


def views(ev: Evidence) -> dict[str, View | None]:
    """Every variant's view; None where the corpus cannot give it (no hand coding, one genre…)."""
    m = ev.measures.reset_index(drop=True)
    base_family = compared_family(ev)
    fam = m["source_id"].map(family_of(ev.documents)).fillna(POLICY)
    in_family = (fam == base_family).to_numpy() if base_family else np.ones(len(m), bool)
    measure = (m["kind"] != "safeguard").to_numpy()
    base = np.flatnonzero(in_family & measure)

    def view(name: str, rows: np.ndarray, **kw: object) -> View | None:
        return View(name, rows, kw.pop("themes", ev.themes), family=base_family, **kw) if len(rows) else None

    out: dict[str, View | None] = {"baseline": view("baseline", base)}
    gold_ids = set(ev.gold["measure_id"]) if ev.gold is not None else set()
    coded = base[m["measure_id"].iloc[base].isin(gold_ids).to_numpy()]
    out["hand_coded"] = view("hand_coded", coded, themes=ev.gold) if ev.gold is not None else None
    with_safeguards = np.flatnonzero(in_family)
    out["with_safeguards"] = view("with_safeguards", with_safeguards) if len(with_safeguards) > len(base) else None
    out["primary_only"] = view("primary_only", base, primary_only=True)
    out["per_1000_chars"] = view("per_1000_chars", base, weights=m["n_chars"].to_numpy(dtype=float)[base] / 1000)
    pooled = np.flatnonzero(measure)
    out["all_genres"] = (View("all_genres", pooled, ev.themes, family="")
                         if len(pooled) > len(base) and m["source_id"].iloc[pooled].nunique() > 1 else None)
    out["with_names"] = view("with_names", base, names=True) if ev.tfidf_with_names is not None else None
    return out


def findings_tables(ev: Evidence, extra: Mapping[str, Result] | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, Result]]:
    """`findings.csv` (statement columns empty) and `sensitivity.csv` for the evidence of one build,
    and each finding's baseline Result, from which `report.statements.render` writes its statements.
    `extra`: findings decided elsewhere (a corpus of laws: `legal_findings`), to which no variant
    applies; their rows follow the others'."""
    vs = views(ev)
    rows, sens, results = [], [], {}
    for fid, finding in FINDINGS.items():
        base = finding(ev, vs["baseline"]) if vs["baseline"] is not None else None
        if base is None:
            continue
        flips, checked = [], []
        for name, view in vs.items():
            r = finding(ev, view) if view is not None else None
            if r is None:
                continue
            same = r.supported == base.supported
            sens.append({"finding_id": fid, "variant": name, "unit": r.unit, "n_units": r.n_units, "n": r.n,
                         "value": r.value, "p_value": r.p_value, "supported": r.supported, "same_as_baseline": same})
            if name != "baseline":
                checked.append(name)
                if not same:
                    flips.append(name)
        note = ("no alternative applies" if not checked else
                f"same decision under {', '.join(checked)}" if not flips else
                f"decision changes under {', '.join(flips)}")
        results[fid] = base
        rows.append({"finding_id": fid, "statement_en": "", "statement_zh": "",
                     "statistic": base.statistic, "value": base.value, "interval_low": base.interval[0],
                     "interval_high": base.interval[1], "interval_type": base.interval_type,
                     "p_value": base.p_value, "test": base.test, "unit": base.unit, "n_units": base.n_units,
                     "n": base.n, "supported": base.supported,
                     "survives_sensitivity": (not flips) if checked else pd.NA, "sensitivity_note": note})
    for fid, base in (extra or {}).items():
        results[fid] = base
        sens.append({"finding_id": fid, "variant": "baseline", "unit": base.unit, "n_units": base.n_units,
                     "n": base.n, "value": base.value, "p_value": base.p_value, "supported": base.supported,
                     "same_as_baseline": True})
        rows.append({"finding_id": fid, "statement_en": "", "statement_zh": "", "statistic": base.statistic,
                     "value": base.value, "interval_low": base.interval[0], "interval_high": base.interval[1],
                     "interval_type": base.interval_type, "p_value": base.p_value, "test": base.test,
                     "unit": base.unit, "n_units": base.n_units, "n": base.n, "supported": base.supported,
                     "survives_sensitivity": pd.NA, "sensitivity_note": "no alternative applies"})
    return ({"findings.csv": inference.round_stats(pd.DataFrame(rows, columns=FINDING_COLUMNS)),
             "sensitivity.csv": inference.round_stats(pd.DataFrame(sens, columns=SENSITIVITY_COLUMNS))}, results)
