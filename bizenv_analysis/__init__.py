"""bizenv_analysis — a comparative study of Chinese business-environment (营商环境) reforms.

Pipeline, one module per stage: sources → clean → measures → tokens → (clusters | themes |
instruments) → comparisons and the PMC index → co-word networks and reform formulas → findings.
`build()` runs it; the tables it writes are the contract, and the notebooks draw the figures
from them (`report.saving.save_bilingual`, `report.figures`). The modules stand in one sub-package
per layer, from the ground up `base`, `io`, `rules`, `text`, `analysis`, `report`; the pipeline and
the command line are here at the root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base.errors import BuildError

if TYPE_CHECKING:
    from .pipeline import BuildResult, build

__all__ = ["BuildError", "BuildResult", "build"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # `build` pulls in every stage (scikit-learn, scipy, jieba); a notebook that only reads
    # tables should not pay for that import, so it is loaded on first use.
    if name in ("build", "BuildResult"):
        from . import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
