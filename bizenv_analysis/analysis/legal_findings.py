"""The findings a corpus of laws adds (issue #25), each decided by its test with documents as units.

They read the legal tables (`level_tests.csv`, `diffusion_tests.csv`) and return `findings.Result`s
like the other findings, so that they become rows of findings.csv with statements from the same
templates (`data/templates/findings.csv`). No sensitivity variant applies to them: the variants
change which measures or which coding the other findings read, not which laws are compared.
"""

from __future__ import annotations

import pandas as pd

from ..base import constants
from .findings import Result

ALPHA = constants.ALPHA
# What each finding's templates may name (as findings.STATED): its outcomes, its facts and items.
STATED: dict[str, tuple[tuple[str, ...], str]] = {
    "levels_differ": (("supported", "not_supported", "untested"),
                      "n_a n_b n_categories n_shown splits min_p alpha dimension category q_value share_a share_b "
                      "shown"),
    "shares_change_over_time": (("supported", "not_supported"),
                                "n_categories n_shown first_date last_date dimension category q_value shown"),
    "cities_copy_own_province": (("supported", "not_supported", "untested"),
                                 "n_assignments min_p alpha cities source_id share_own expected n_matched excluded"),
}


def levels_differ(level_tests: pd.DataFrame) -> Result | None:
    """Whether provincial and city laws differ in any category, documents as units: the category
    with the largest difference is the one reported; supported when some category is shown after BH."""
    if level_tests is None or level_tests.empty:
        return None
    t = level_tests.assign(_size=level_tests["diff"].abs()).sort_values(
        ["_size", "dimension", "category"], ascending=[False, True, True], kind="mergesort")
    top = t.iloc[0]
    shown = t[t["decision"] == "shown"]
    untested = bool((t["decision"] == "cannot be shown").all())
    return Result(
        "largest difference of mean shares of substantive articles, province − city", float(top["diff"]),
        int(top["n_units"]), not shown.empty, test="exact permutation of the level labels over documents, "
        "BH within each dimension", p_value=float(top["p_value"]),
        interval=(float(top["diff_low"]), float(top["diff_high"])),
        interval_type="95% percentile bootstrap, documents resampled within each level", unit="document",
        n_units=int(top["n_units"]), status="untested" if untested else "tested",
        facts={"n_a": int(top["n_a"]), "n_b": int(top["n_b"]), "n_categories": len(t), "n_shown": len(shown),
               "splits": int(top["n_permutations"]), "min_p": float(top["min_p"]), "alpha": ALPHA,
               "dimension": top["dimension"], "category": top["category"], "q_value": float(top["q_value"]),
               "share_a": float(top["share_a"]), "share_b": float(top["share_b"])},
        items={"shown": [{"dimension": r.dimension, "category": r.category} for r in shown.itertuples()]})


def cities_copy_own_province(diffusion_tests: pd.DataFrame) -> Result | None:
    """Whether cities take their matched articles from their own province more than the earlier
    provinces' sizes predict (the exact test of `diffusion.own_province_test`)."""
    if diffusion_tests is None or diffusion_tests.empty:
        return None
    test = diffusion_tests[diffusion_tests["test"] == "own_province"]
    if test.empty or pd.isna(test["p_value"].iloc[0]):
        return None
    row = test.iloc[0]
    cities = diffusion_tests[(diffusion_tests["test"] == "city") & (diffusion_tests["decision"] != "excluded")]
    excluded = diffusion_tests[(diffusion_tests["test"] == "city") & (diffusion_tests["decision"] == "excluded")]
    n_assign = int(row["n_permutations"])
    return Result(
        "mean over cities of (share of matched articles from the own province − the share its size gives)",
        float(row["statistic"]), int(row["n_units"]), row["decision"] == "shown",
        test="exact one-sided permutation: every assignment of an own province among each city's earlier provinces",
        p_value=float(row["p_value"]), interval_type="none: with so few cities no resampling interval is informative",
        unit="document", n_units=int(row["n_units"]),
        status="untested" if row["decision"] == "cannot be shown" else "tested",
        facts={"n_assignments": n_assign, "min_p": 1 / n_assign, "alpha": ALPHA},
        items={"cities": [{"source_id": r.source_id, "share_own": float(r.share_own), "expected": float(r.expected),
                           "n_matched": int(r.n_matched)} for r in cities.itertuples()],
               "excluded": [{"source_id": r.source_id} for r in excluded.itertuples()]})


def shares_change_over_time(trend_tests: pd.DataFrame) -> Result | None:
    """Whether any category's share of substantive articles rises or falls with the laws' dates
    (Spearman's ρ over local documents, dates permuted): the strongest ρ is the one reported."""
    if trend_tests is None or trend_tests.empty or trend_tests["rho"].isna().all():
        return None
    t = trend_tests.dropna(subset=["rho"])
    t = t.assign(_size=t["rho"].abs()).sort_values(["_size", "dimension", "category"], ascending=[False, True, True],
                                                   kind="mergesort")
    top, shown = t.iloc[0], t[t["decision"] == "shown"]
    return Result(
        "strongest Spearman correlation of a category's share with the laws' dates", float(top["rho"]),
        int(top["n_units"]), not shown.empty, test=f"permutation of the dates among documents "
        f"({int(top['n_permutations'])} draws), BH within each dimension", p_value=float(top["p_value"]),
        interval=(float(top["rho_low"]), float(top["rho_high"])),
        interval_type="95% percentile bootstrap, documents resampled", unit="document", n_units=int(top["n_units"]),
        facts={"n_categories": len(t), "n_shown": len(shown), "first_date": top["first_date"],
               "last_date": top["last_date"], "dimension": top["dimension"], "category": top["category"],
               "q_value": float(top["q_value"])},
        items={"shown": [{"dimension": r.dimension, "category": r.category} for r in shown.itertuples()]})


LEGAL_FINDINGS = {"levels_differ": ("level_tests.csv", levels_differ),
                  "shares_change_over_time": ("trend_tests.csv", shares_change_over_time),
                  "cities_copy_own_province": ("diffusion_tests.csv", cities_copy_own_province)}
