"""Write README.md's findings block from the built findings table (`make readme`).

    python tools/write_readme.py [--data DIR]

The block between the findings markers of README.md is `report.statements.findings_markdown` of
`data/processed/findings.csv` and `documents.csv` (tests/test_claims.py checks that it is). The
README describes the bundled corpus, so with `--data DIR` of another corpus nothing is written.
The file is rewritten only when the block changed. Notebooks never write README.md: nbval in
`make test` re-runs them and must leave every tracked file as it was.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bizenv_analysis.base.paths import DATA, ROOT
from bizenv_analysis.io import tables
from bizenv_analysis.report import statements


def write_readme(data_dir: Path = DATA, readme: Path = ROOT / "README.md") -> bool:
    """Put the findings of `data_dir`'s tables into `readme`; whether the file changed."""
    out = data_dir / "processed"
    block = statements.findings_markdown(tables.load("findings", out), tables.load("documents", out), "en")
    text = readme.read_text(encoding="utf-8")
    updated = statements.with_findings(text, block)
    if updated == text:
        return False
    readme.write_text(updated, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a corpus folder: README.md describes the bundled one only")
    args = parser.parse_args(argv)
    if args.data and args.data.resolve() != DATA.resolve():
        print(f"README.md describes the bundled corpus; nothing written for {args.data}")
        return 0
    print("README.md findings " + ("updated" if write_readme() else "unchanged"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
