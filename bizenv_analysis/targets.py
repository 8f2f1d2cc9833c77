"""Quantitative commitments in the measure texts: time limits, percentages and count targets.

Every Arabic number followed by a time unit (小时, 天, 日, 个工作日 / 工作日, 个月, 周) or % is
kept; a number followed by a counter (项, 个, 件, 家 …) only when a target cue stands right
before it (不少于100项, 突破1000项, 增加至150个). Dates (8月20日), years (2020年), list numbers,
compounds (7×24小时, 1+5+16) and round-the-clock service (24小时不打烊) are not quantities.
Chinese numerals are left alone: in this corpus they are slogans (三年工程两年干), not limits.

`modality`, decided per number, first rule that applies:
1. baseline — the number follows 从 (从80%提升至90%, 从原来的最短4个月): `reported`;
2. a sentence-level cue before it in the same sentence, the nearest one: 年底前, 年内, 力争,
   确保, 推动, 争取, 到/20XX年实现 … → `target`; 截至, 累计, 已, 目前, 仅用 … → `reported`;
3. a cue in its own clause (since the last , ; 。) or right after it, the nearest one: 最多,
   不超过, 压缩至, 压减, 缩短至, 控制在, 实现, 达到/达, 提升至, 不少于, 突破, …内, …办结 →
   `target`; 超, 平均 → `reported`;
4. otherwise empty (an uncued rule or condition, e.g. 超过6个月仍未缴纳).
Rule 2 before 3 because 超 and 达 mean "reach" in plans (年底前…占比超70%) and "reached" in reports.
The cue lists of rules 2 and 3, and the cues a count target needs, are data:
`data/lexicon/target_cues.csv`; the number grammar (units, baselines, phrase edges) stays here.

`applies_to` is the topic (data/lexicon/target_topics.csv) whose pattern matches nearest before
the number in its sentence (back to the previous 。 or ;), else after it in the sentence, else 其他.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .paths import LEXICON

TARGET_COLUMNS = ["measure_id", "source_id", "phrase", "value", "unit", "days", "day_type", "kind",
                  "modality", "applies_to"]
OTHER = "其他"

# unit → (days per unit, day_type); longest first so 个工作日 wins over 个 and 工作日.
TIME_UNITS = {"个工作日": (1.0, "working"), "工作日": (1.0, "working"), "个小时": (1 / 24, "calendar"),
              "小时": (1 / 24, "calendar"), "个月": (30.0, "calendar"), "天": (1.0, "calendar"),
              "日": (1.0, "calendar"), "周": (7.0, "calendar")}
COUNTERS = ["人次", "项", "个", "件", "家", "类", "条", "批", "次", "名", "所", "座", "张", "户", "笔"]
_UNITS = "|".join(map(re.escape, [*TIME_UNITS, "%", *COUNTERS]))
# A number not glued to a preceding digit, dot or compound operator (7×24, 1+5+16, 1-2年).
QUANTITY = re.compile(r"(?<![\d.．×xX*+\-—~/])(?P<num>\d+(?:\.\d+)?)(?P<wan>万|亿)?(?P<unit>" + _UNITS + ")")
# Round-the-clock availability, not a limit: 24小时 without 内 / 办结 … after it.
ALWAYS_OPEN = re.compile(r"^24(?:个)?小时(?!以内|之内|内|办结|完成)")

SUFFIX_TARGET = re.compile(r"^(?:以内|之内|内|办结|以下)")
BASELINE = re.compile(r"从(?:原来的)?(?:最短|最长|平均)?$")
# Cue words kept in `phrase` when adjacent to the number (a chain such as 压缩至最多).
ADJACENT_PRE = re.compile(r"(?:原来的最短|原来的|最多|不超过|不高于|不少于|不低于|至少|压缩至|压缩到|压减至|压减|"
                          r"缩短至|缩短到|缩短|压缩|简化|降低|减少|控制在|提升至|提高至|增加至|增加到|增至|突破|达到|达|超过|超|仅用|约|"
                          r"平均|最长|最短|从|要在|实现|新增|推出|推动)+$")
ADJACENT_POST = re.compile(r"^(?:以内|之内|内|办结|以上|以下)")
# 审批工作日平均1.5个、最长3个: the unit written before the numbers.
UNIT_BEFORE = re.compile(r"工作日(?:(?:平均|最长|最短)?\d+(?:\.\d+)?个、)*(?:平均|最长|最短)?$")
SENTENCE_END = re.compile(r"[。;；\n]")
CLAUSE_END = re.compile(r"[,，。;；:：\n]")


CUE_ROLES = ["strong_target", "strong_reported", "local_target", "local_reported", "count_cue"]


@dataclass(frozen=True)
class Cues:
    """The modality cue lists of `target_cues.csv`, each an alternation in file order."""

    strong: dict[str, str]  # label → pattern, for rule 2 (sentence before the number)
    local: dict[str, str]  # label → pattern, for rule 3 (the number's clause)
    count: re.Pattern  # must end the clause before a count target


def load_cues(path: Path = LEXICON / "target_cues.csv") -> Cues:
    """Read `target_cues.csv` (role, pattern, note); every role must have at least one cue."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    alt = {role: "|".join(df.loc[df["role"] == role, "pattern"]) for role in CUE_ROLES}
    missing = [role for role, pattern in alt.items() if not pattern]
    unknown = sorted(set(df["role"]) - set(CUE_ROLES))
    if missing or unknown:
        raise ValueError(f"{path}: roles must be {CUE_ROLES} (missing {missing}, unknown {unknown})")
    return Cues(strong={"target": alt["strong_target"], "reported": alt["strong_reported"]},
                local={"target": alt["local_target"], "reported": alt["local_reported"]},
                count=re.compile(f"(?:{alt['count_cue']})$"))


@cache
def _bundled_cues() -> Cues:
    return load_cues()


def load_topics(path: Path) -> list[tuple[str, re.Pattern]]:
    """(applies_to, compiled pattern) rows of `target_topics.csv`, in file order."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [(r.applies_to, re.compile(r.pattern)) for r in df.itertuples()]


def _last_break(text: str, pat: re.Pattern) -> int:
    """Index just after the last match of `pat` in `text` (0 when none)."""
    ends = [m.end() for m in pat.finditer(text)]
    return ends[-1] if ends else 0


def _nearest(cues: dict[str, str], text: str) -> str | None:
    """The label of the cue matching nearest the end of `text`."""
    best: tuple[int, str] | None = None
    for label, pat in cues.items():
        for m in re.finditer(pat, text):
            if best is None or m.end() > best[0]:
                best = (m.end(), label)
    return best[1] if best else None


def modality(sentence_before: str, clause_before: str, after: str, cues: Cues) -> str:
    """target | reported | "" for a number with its sentence and clause text before it."""
    if BASELINE.search(clause_before):
        return "reported"
    strong = _nearest(cues.strong, sentence_before)
    if strong:
        return strong
    if SUFFIX_TARGET.match(after):
        return "target"
    return _nearest(cues.local, clause_before) or ""


def applies_to(sentence_before: str, sentence_after: str, topics: list[tuple[str, re.Pattern]]) -> str:
    """The topic matching nearest before the number, else first after it, else 其他."""
    best: tuple[int, int, int, str] | None = None  # (end, length, -row, topic): max wins
    for row, (topic, pat) in enumerate(topics):
        for m in pat.finditer(sentence_before):
            key = (m.end(), m.end() - m.start(), -row, topic)
            best = max(best, key) if best else key
    if best:
        return best[3]
    after = [(m.start(), m.start() - m.end(), row, topic) for row, (topic, pat) in enumerate(topics)
             if (m := pat.search(sentence_after))]
    return min(after)[3] if after else OTHER


def extract_targets(text: str, topics: list[tuple[str, re.Pattern]], cues: Cues | None = None) -> list[dict]:
    """The quantities of one measure text, in text order (without the id columns)."""
    cues = cues or _bundled_cues()
    rows = []
    for m in QUANTITY.finditer(text):
        num, wan, unit = m["num"], m["wan"] or "", m["unit"]
        before, after = text[:m.start()], text[m.end():]
        s_start = _last_break(before, SENTENCE_END)
        s_end = SENTENCE_END.search(text, m.end())
        sentence_before, sentence_after = before[s_start:], text[m.end():s_end.start() if s_end else None]
        clause_before = before[_last_break(before, CLAUSE_END):]
        if unit == "日" and before.endswith("月"):
            continue  # a date: 10月31日
        if unit == "周" and after[:1] in ("年", "岁"):
            continue  # an anniversary
        if unit in TIME_UNITS and (wan or ALWAYS_OPEN.match(text[m.start():])):
            continue
        if unit in ("个", "次") and after[:1].isdigit():
            continue  # a slogan: 4个1
        kind = "time_limit" if unit in TIME_UNITS else "percentage" if unit == "%" else "count"
        written_unit = unit
        if unit == "个" and UNIT_BEFORE.search(before) and not re.match(r"[\u4e00-\u9fff]", after):
            kind, unit = "time_limit", "个工作日"  # 工作日平均1.5个、最长3个
        mod = modality(sentence_before, clause_before, after, cues)
        if kind == "count" and not (cues.count.search(clause_before) and mod == "target"):
            continue
        pre = ADJACENT_PRE.search(clause_before)
        start = m.start() - (len(pre.group()) if pre else 0)
        if kind == "time_limit" and written_unit == "个" and before[:start].endswith("工作日"):
            start -= len("工作日")
        post = ADJACENT_POST.match(after)
        phrase = text[start:m.end() + (post.end() if post else 0)]
        days, day_type = "", ""
        if kind == "time_limit":
            factor, day_type = TIME_UNITS[unit]
            days = round(float(num) * factor, 4)
        rows.append({"phrase": phrase, "value": num + wan,
                     "unit": unit, "days": days, "day_type": day_type, "kind": kind, "modality": mod,
                     "applies_to": applies_to(sentence_before, sentence_after, topics),
                     "_pos": m.start()})
    return rows


def targets_table(measures: pd.DataFrame, topics_path: Path,
                  cues_path: Path = LEXICON / "target_cues.csv") -> pd.DataFrame:
    """One row per quantitative commitment or reported quantity in the measure texts."""
    topics, cues = load_topics(topics_path), load_cues(cues_path)
    rows = []
    for mea in measures.itertuples():
        for r in extract_targets(mea.text, topics, cues):
            rows.append({"measure_id": mea.measure_id, "source_id": mea.source_id, **r})
    df = pd.DataFrame(rows, columns=[*TARGET_COLUMNS, "_pos"])
    df["days"] = pd.to_numeric(df["days"], errors="coerce")
    df = df.sort_values(["measure_id", "_pos"], kind="stable", ignore_index=True)
    return df[TARGET_COLUMNS]
