"""The findings in words: each finding's statements filled from its numbers (`render`, with the
templates of data/templates/findings.csv), the corpus's scope, each finding's title, and the
numbered list that notebook 09 shows and the README's Findings section holds (from `findings.csv`;
`make readme` writes it)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..analysis import findings, legal_findings
from ..analysis.families import FAMILY_NAMES, POLICY, REPORT, family_of
from ..base.paths import TEMPLATES
from .markdown import text
from .templates import LANGS, Templates

# What every finding's templates may name: the study's findings and those a corpus of laws adds.
STATED = {**findings.STATED, **legal_findings.STATED}


@lru_cache(maxsize=4)
def templates(path: Path = TEMPLATES / "findings.csv") -> Templates:
    """The findings' statement templates, read and checked against `STATED` once."""
    return Templates.load(path, STATED, findings.COMMON)


def statements(result: findings.Result, finding_id: str, using: Templates | None = None) -> tuple[str, str]:
    """A finding's statement in English and Chinese, filled from its Result.

    The fields are the Result's (`Result.fields`), and for a family of genres named in
    `family` or `other_family`, its name in the language (`family_name`, `other_family_name`)."""
    using = using or templates()
    out = []
    for i, lang in enumerate(LANGS):
        fields = result.fields()
        for key in ("family", "other_family"):
            if fields.get(key) in FAMILY_NAMES:
                fields[f"{key}_name"] = FAMILY_NAMES[fields[key]][i]
        out.append(using.render(finding_id, result.outcome, lang, fields))
    return out[0], out[1]


def render(table: pd.DataFrame, results: Mapping[str, findings.Result], using: Templates | None = None
           ) -> pd.DataFrame:
    """`findings.csv` (`analysis.sensitivity.findings_tables`) with its statement columns filled
    from each finding's baseline Result."""
    said = [statements(results[fid], fid, using) for fid in table["finding_id"]]
    return table.assign(statement_en=[en for en, _ in said], statement_zh=[zh for _, zh in said])

TITLES = {
    "vocabulary_differs": ("Different words", "用词不同"),
    "theme_profiles_differ": ("Theme profiles", "主题结构"),
    "emphasis": ("Emphases", "侧重"),
    "primary_mix_differs": ("Primary themes", "主要主题"),
    "commitment_rate_differs": ("Quantitative commitments", "量化承诺"),
    "time_limit_range": ("Processing time limits", "办理时限"),
    "learning_by_document": ("Who learns from whom", "向谁学习"),
    "coder_agreement": ("How far the coding can be trusted", "编码的可信度"),
    "instrument_mix_differs": ("Policy instruments by source", "各来源的政策工具"),
    "environment_dominates": ("Environment-side instruments", "环境型工具"),
}


def scope(documents: pd.DataFrame) -> tuple[str, str]:
    """What the corpus is, and so what its findings can be about (English, Chinese)."""
    n = len(documents)
    city = documents["place"].str.extract(r"^(.+?市)")[0].fillna(documents["place"])
    top_city, k = city.value_counts().index[0], int(city.value_counts().iloc[0])
    genres = documents["doc_type"].nunique()
    dated = documents["year"].dropna()
    undated = n - len(dated)
    years = f"{dated.min()}–{dated.max()}" if len(dated) else ""
    years_zh = "、".join(filter(None, [years, f"{undated}份无日期" if undated else ""]))
    years = "; ".join(filter(None, [years, f"{undated} undated" if undated else ""]))
    en = (f"Scope: {n} documents ({years}), {k} of them from {top_city}, of {genres} genres "
          f"({', '.join(sorted(documents['doc_type'].unique()))}). The findings are about these documents, not about "
          "Chinese business-environment reform at large: with one document per place and year, a difference between "
          "sources may be one of place, level, genre or year, and the corpus cannot tell which.")
    zh = (f"范围:{n}份文件({years_zh}),其中{k}份来自{top_city},共{genres}种文体。结论只针对这些文件,不代表中国营商环境"
          "改革的总体情况:每个地方、每个年份只有一份文件,来源之间的差异可能来自地方、层级、文体或年份,语料无法区分。")
    fam = family_of(documents).value_counts()
    if fam.get(POLICY, 0) >= 2 and fam.get(REPORT, 0):
        en += (f" Like is compared with like: sources are compared among the {fam[POLICY]} policy documents, and the "
               f"{fam[REPORT]} reports and case collections, which say what was done rather than what will be, are "
               "described beside them, not tested against them; tests shuffle and intervals resample whole headings, "
               "and safeguard items are left out.")
        zh += (f"同类相比:来源之间的比较只在{fam[POLICY]}份政策文件之间进行;{fam[REPORT]}份报道和案例集讲的是已做之事"
               "而非将做之事,只作描述,不与政策文件检验;检验重排、区间重抽的都是整个标题单元,保障措施不计入。")
    return en, zh


def findings_markdown(findings: pd.DataFrame, documents: pd.DataFrame, lang: str = "en") -> str:
    """The findings as a numbered Markdown list (for notebook 09 and the README), scope first.

    The scope and the statements name sources, places and genres of the corpus: they go in as
    literal text (`report.markdown.text`), never as Markdown or HTML."""
    col = "statement_en" if lang == "en" else "statement_zh"
    lines = [text(scope(documents)[0 if lang == "en" else 1]), ""]
    for i, r in enumerate(findings.itertuples(), start=1):
        title = TITLES.get(r.finding_id, (r.finding_id, r.finding_id))[0 if lang == "en" else 1]
        sens = ("" if r.sensitivity_note in ("", "no alternative applies")
                else f" *Sensitivity: {text(r.sensitivity_note)}.*")
        lines.append(f"{i}. **{text(title)}.** {text(getattr(r, col))}{sens}")
    return "\n".join(lines)


README_START = "<!-- findings:start (written by make readme from data/processed/findings.csv) -->"
README_END = "<!-- findings:end -->"


def with_findings(readme: str, block: str) -> str:
    """The README text with the part between the findings markers replaced by `block`."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{block}\n{README_END}{tail}"
