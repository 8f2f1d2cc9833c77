"""Draw the sentences of the national regulation that are hand-coded for their deontic profile.

The sample is drawn from the raw text (not from any rule's output), so that the coders see only
sentences: every line after the header (`<!-- INFO END -->`) that is not a heading, its article
number taken from a leading 第X条, split after 。 and ；. Seeded (`SAMPLE_SEED`): rerunning it
writes the same file.

    python tools/deontic_sample.py [N]   # writes data/regulations/validation/deontic_sentences.csv
"""

from __future__ import annotations

import csv
import random
import re
import sys

from bizenv_analysis.base.constants import SAMPLE_SEED
from bizenv_analysis.base.numerals import cn_int
from bizenv_analysis.base.paths import REGULATIONS

SOURCE = "cn-national-2019"
ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千]+)条\s*")
SENTENCE = re.compile(r"[^。；]+[。；]?")


def sentences(text: str) -> list[tuple[int, str]]:
    """(article number, sentence) of every body sentence longer than three characters."""
    body = text.split("<!-- INFO END -->", 1)[1]
    out, article = [], 0
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if m := ARTICLE.match(line):
            article, line = cn_int(m.group(1)) or 0, line[m.end():]
        out += [(article, s.strip()) for s in SENTENCE.findall(line) if len(s.strip()) > 3]
    return out


def main(n: int = 40) -> None:
    rows = sentences((REGULATIONS / "raw" / f"{SOURCE}.md").read_text(encoding="utf-8"))
    picked = sorted(random.Random(SAMPLE_SEED).sample(range(len(rows)), n))
    path = REGULATIONS / "validation" / "deontic_sentences.csv"
    path.parent.mkdir(exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["sent_id", "source_id", "article", "sentence"])
        for i in picked:
            w.writerow([f"{SOURCE}#s{i + 1:03d}", SOURCE, rows[i][0], rows[i][1]])
    print(f"{n} of {len(rows)} sentences → {path.relative_to(REGULATIONS.parent.parent)}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
