"""The README's validation table states the figures the build computed (no hand-typed drift)."""

from __future__ import annotations

import re

from bizenv_analysis.paths import ROOT
from bizenv_analysis.tables import load


def test_readme_held_out_figures_match_validation_summary():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    s = load("validation_summary")
    held = s.query("comparison == 'coder_vs_gold' and split == 'holdout'").set_index("metric")["value"]
    r1 = s.query("comparison == 'round1_rules_vs_gold'").set_index("metric")["value"]
    b = s.query("comparison == 'coder_b_vs_gold'").set_index("metric")["value"]
    assert f"| primary-theme accuracy | {held['primary_accuracy']:.3f} |" in readme
    assert f"| Cohen's κ (primary) | {held['primary_kappa']:.3f} |" in readme
    assert f"| multi-label micro-F1 | {held['micro_f1']:.3f} |" in readme
    assert f"| micro precision / recall | {held['micro_precision']:.3f} / {held['micro_recall']:.3f} |" in readme
    assert f"| macro-F1 | {held['macro_f1']:.3f} |" in readme
    assert f"On the\n{int(held['n_measures'])} held-out measures" in readme
    assert f"{r1['primary_accuracy']:.3f} / {r1['micro_f1']:.3f}" in readme
    assert f"{b['primary_accuracy']:.3f} / {b['micro_f1']:.3f}" in readme
    for fig in re.findall(r"figures/(fig\d+_\w+?_en\.png)", readme):
        assert (ROOT / "figures" / fig).is_file()
