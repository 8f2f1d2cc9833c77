"""bizenv_analysis — a comparative study of Chinese business-environment (营商环境) reforms.

Pipeline, one module per stage: sources → clean → measures → tokens → (clusters | themes)
→ comparisons → figures. `build()` runs it; the tables it writes are the contract.
"""

from .build import BuildResult, build
from .errors import BuildError

__all__ = ["BuildError", "BuildResult", "build"]
__version__ = "0.1.0"
