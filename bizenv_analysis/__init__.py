"""bizenv_analysis — a comparative study of Chinese business-environment (营商环境) reforms.

Pipeline, one module per stage: sources → clean → measures → tokens → (clusters | themes)
→ comparisons → findings. `build()` runs it; the tables it writes are the contract, and the
notebooks draw the figures from them (`plotting.save_bilingual`, `figures`).
"""

from .build import BuildResult, build
from .errors import BuildError

__all__ = ["BuildError", "BuildResult", "build"]
__version__ = "0.1.0"
