"""Regenerate requirements.lock and environment.yml from the project's .venv (`make lock`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# Exact versions that produced the committed outputs (Python 3.11). Regenerate with `make lock`."


def main() -> None:
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            check=True, capture_output=True, text=True).stdout
    pins = sorted((ln for ln in freeze.splitlines() if "==" in ln), key=str.lower)
    (ROOT / "requirements.lock").write_text(HEADER + "\n" + "\n".join(pins) + "\n", encoding="utf-8")
    env = ["# conda users: `conda env create -f environment.yml` — the same pins as requirements.lock",
           "# (tests/test_environment.py checks that the two agree). Regenerate with `make lock`.",
           "name: bizenv-analysis", "channels:", "  - conda-forge", "dependencies:",
           "  - python=3.11", "  - pip", "  - pip:"]
    env += [f"      - {p}" for p in pins] + ["      - -e ."]
    (ROOT / "environment.yml").write_text("\n".join(env) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
