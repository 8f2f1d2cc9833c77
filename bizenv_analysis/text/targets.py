"""Quantitative commitments in the measure texts: time limits, percentages and count targets.

Every Arabic number followed by a time unit (分钟, 小时, 天, 日, 个工作日 / 工作日, 周, 个月, 年)
or % is kept; a number followed by a counter (项, 个, 件, 家 …) only when a `count_cue` ends its
clause right before it (不少于100项, 突破1000项, 增加至150个) and its `modality` (below) is
`target`. Dates (8月20日), years (2020年), list numbers, compounds (7×24小时, 1+5+16, 1-2年)
and round-the-clock service (24小时不打烊) are not quantities, and nor is a number inside a
slogan after a `slogan_before` cue (“两个10%”要求).

Quantities written in Chinese numerals (五个工作日内, 不少于三十日, 一个月, 百分之二十; read with
`base.numerals.cn_int`) are laws' way of writing limits, and plans' way of writing slogans
(三年工程两年干). So a Chinese-numeral time quantity is kept only next to a legal cue: one of the
`ADJACENT_PRE` cues or a `LEGAL_PRE` cue (之日起, 届满前, 期限为 …) right before it, or a
`LEGAL_POST` cue (内, 办结, 的期限, 期满 …) right after it, past a list of further quantities
(五个工作日、七个工作日内办结). Dates (二〇二〇年一月一日), ordinals (第三十日) and numerals without a
unit (一网通办) are not quantities; 百分之 + numeral is a percentage wherever it stands, as % is. Its
`value` is the integer as digits, its `phrase` as written, and it goes through the same rules below.

`modality`, decided per number, first rule that applies:
0. condition — a `condition` cue right after the number (超过6个月仍未缴纳): empty;
1. baseline — the number follows 从 (从80%提升至90%, 从原来的最短4个月): `reported`;
2. a sentence-level cue before it in the same sentence, the nearest one: 年底前, 年内, 力争,
   确保, 推动, 争取, 到/20XX年实现 … → `target`; 截至, 累计, 已, 目前, 仅用 … → `reported`;
3. a cue in its own clause (since the last , ; 。) or right after it, the nearest one: 最多,
   不超过, 压缩至, 压减, 缩短至, 控制在, 实现, 达到/达, 提升至, 不少于, 突破, …内, …办结 →
   `target`; 超, 平均 → `reported`;
4. otherwise empty (an uncued rule).
5. In a document that reports what was done (a `reporting_doc_type`: case collection, news
   report), a number rules 1–4 call `target` or leave empty is `reported`, unless a `future` cue
   (力争, 到20XX年 …) stands before it in its sentence: 推动申请材料简化50% in a case is a result.
   In a document that directs what is to be done (a `directive_doc_type`: action plan,
   implementation opinions), a number rule 4 leaves empty is a `target` (所有税费种类申报100%“网上办”).
Rule 2 before 3 because 超 and 达 mean "reach" in plans (年底前…占比超70%) and "reached" in reports.

`time_class` (time limits only) is the first rule of `data/lexicon/time_classes.csv` that
matches: `period` (停留期不超过180天, a validity or grace period), `reduction` (压减1天),
`minimum_window` (申报期不少于15个工作日), `response_deadline` (a limit counted from a named event
to a reply or decision: 自收到申请之日起二十日内作出决定), `processing_limit` (0.5天办结, 不超过80个工作日)
or `other` (a condition, an inspection deadline, a project's build time); `other` when none matches.

The cue lists and the class rules are data (`data/lexicon/target_cues.csv`, `time_classes.csv`);
the number grammar (units, baselines, phrase edges) stays here.

`applies_to` is the topic (data/lexicon/target_topics.csv) whose pattern matches nearest before
the number in its sentence (back to the previous 。 or ;), else after it in the sentence, else 其他.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from ..base.numerals import cn_int
from ..base.order import sort_by_ids
from ..rules.targets import OTHER, Cues

TARGET_COLUMNS = ["measure_id", "source_id", "phrase", "value", "unit", "days", "day_type", "kind",
                  "time_class", "modality", "applies_to", "offset"]


# unit → (days per unit, day_type); longest first so 个工作日 wins over 个 and 工作日.
TIME_UNITS = {"个工作日": (1.0, "working"), "工作日": (1.0, "working"), "个小时": (1 / 24, "calendar"),
              "小时": (1 / 24, "calendar"), "分钟": (1 / 1440, "calendar"), "个月": (30.0, "calendar"),
              "天": (1.0, "calendar"), "日": (1.0, "calendar"), "周": (7.0, "calendar"),
              "年": (365.0, "calendar")}
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

# Chinese numerals. Not glued to another numeral or to 第 (第三十日 is an ordinal), nor right after
# a Chinese year (二〇二〇年一月: the date's parts are refused by CN_DATE as well).
CN_NUMERAL = "零〇一二两三四五六七八九十百千"
_CN_TIME_UNITS = "个工作日|工作日|个小时|小时|个月|日|天|周|年"
CN_QUANTITY = re.compile(rf"(?<![\u4e00-\u9fff]年)(?<![第{CN_NUMERAL}])(?P<num>[{CN_NUMERAL}]+)"
                         rf"(?P<unit>{_CN_TIME_UNITS})")
CN_PERCENT = re.compile(rf"百分之(?P<num>[{CN_NUMERAL}]+(?:点[零〇一二三四五六七八九]+)?)")
CN_DATE = re.compile(r"[零〇○一二三四五六七八九]{4}年|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}[日号]")
# The legal cues one of which a Chinese-numeral time quantity needs (with `ADJACENT_PRE`): what a law
# writes right before a limit (自受理之日起, 届满前, 公示期为, 可以延长, 满) …
LEGAL_PRE = re.compile(r"(?:之日起|起|内|届满前|提前|满|延长|分别于|(?:期|期限|时限|时间|最长|最短)为)$")
# … or right after it (past a list of further quantities: 五个工作日、七个工作日内办结).
LEGAL_POST = re.compile(r"^(?:以内|之内|内|办结|以下|以上|的期限|期满|届满)")
# A list of quantities shares its cues: the ones before it in the list and the ones after it are skipped.
CN_LIST_BEFORE = re.compile(rf"(?:[{CN_NUMERAL}]+(?:{_CN_TIME_UNITS})、)+$")
CN_LIST_AFTER = re.compile(rf"^(?:、[{CN_NUMERAL}]+(?:{_CN_TIME_UNITS}))+")
# The start of a range before the number (缩短三至十二个月): skipped when looking for the cue.
CN_RANGE_START = re.compile(rf"[{CN_NUMERAL}]+[至到]$")


def cn_value(numeral: str) -> str | None:
    """The number a Chinese numeral of a quantity writes, as digits (二十 → "20", 二点五 → "2.5"); None
    for what is no quantity's numeral: digit-by-digit runs (二〇二〇, 三五) and 两 inside a number."""
    whole, _, decimals = numeral.partition("点")
    if (len(whole) > 1 and not any(c in "十百千" for c in whole)) or "两" in whole[1:]:
        return None
    value = cn_int(whole)
    if value is None:
        return None
    digits = "".join(str(cn_int(c)) for c in decimals)
    return f"{value}.{digits}" if digits else str(value)


def _legal_cue(clause_before: str, after: str) -> bool:
    """Whether a Chinese-numeral time quantity stands next to a legal cue (see the module docstring)."""
    before = clause_before[:len(clause_before) - len(r.group())] if (r := CN_RANGE_START.search(clause_before)) \
        else clause_before
    return bool(ADJACENT_PRE.search(before) or LEGAL_PRE.search(before) or LEGAL_POST.match(after))


def _numbers(text: str) -> list[tuple[int, int, str, str, str, bool]]:
    """Every candidate number of `text` in text order: (start, end, value as digits, 万/亿, unit, written
    in Chinese numerals). The Chinese ones are read here but kept only after the cue checks."""
    found = [(m.start(), m.end(), m["num"], m["wan"] or "", m["unit"], False) for m in QUANTITY.finditer(text)]
    dates = [m.span() for m in CN_DATE.finditer(text)]
    for m in CN_QUANTITY.finditer(text):
        value = cn_value(m["num"])
        if value is not None and not any(a <= m.start() < b for a, b in dates):
            found.append((m.start(), m.end(), value, "", m["unit"], True))
    for m in CN_PERCENT.finditer(text):
        if (value := cn_value(m["num"])) is not None:
            found.append((m.start(), m.end(), value, "", "%", True))
    return sorted(found)





def time_class(clause_before: str, after: str, rules: Sequence[tuple[str, str, re.Pattern]]) -> str:
    """The class of a time quantity: the first rule whose pattern is found in its field, else other."""
    fields = {"clause_before": clause_before, "after": after}
    return next((cls for cls, field, pat in rules if pat.search(fields[field])), "other")


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


def modality(sentence_before: str, clause_before: str, after: str, cues: Cues, doc_type: str = "") -> str:
    """target | reported | "" for a number with its sentence and clause text before it.

    `doc_type`: that of the number's document (`sources.csv`), for rule 5.
    """
    if cues.condition.match(after):
        return ""
    if BASELINE.search(clause_before):
        return "reported"
    found = _nearest(cues.strong, sentence_before)
    if not found:
        found = "target" if SUFFIX_TARGET.match(after) else _nearest(cues.local, clause_before) or ""
    if doc_type in cues.reporting and found != "reported" and not cues.future.search(sentence_before):
        return "reported"
    if doc_type in cues.directive and not found:
        return "target"
    return found


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


def _not_a_quantity(rest: str, before: str, after: str, num: str, wan: str, unit: str, chinese: bool,
                    cues: Cues) -> bool:
    """Whether a number with its unit is none of the quantities kept (`rest`: the text from the number on)."""
    return ((unit == "日" and before.endswith("月"))  # a date: 10月31日
            or (unit == "周" and after[:1] in ("年", "岁"))  # an anniversary
            or (unit in TIME_UNITS and bool(wan or ALWAYS_OPEN.match(rest)))
            or (unit == "年" and len(num) == 4 and not chinese)  # a year: 2020年
            or bool(cues.slogan.search(before))  # part of a slogan: “两个10%”
            or (unit in ("个", "次") and after[:1].isdigit()))  # a slogan: 4个1


def extract_targets(text: str, topics: list[tuple[str, re.Pattern]], cues: Cues,
                    classes: Sequence[tuple[str, str, re.Pattern]], doc_type: str = "") -> list[dict]:
    """The quantities of one measure text, in text order (without the id columns)."""
    rows = []
    for m_start, m_end, num, wan, unit, chinese in _numbers(text):
        before, after = text[:m_start], text[m_end:]
        written_after = after
        s_start = _last_break(before, SENTENCE_END)
        s_end = SENTENCE_END.search(text, m_end)
        sentence_before, sentence_after = before[s_start:], text[m_end:s_end.start() if s_end else None]
        clause_before = before[_last_break(before, CLAUSE_END):]
        written_clause = clause_before
        if _not_a_quantity(text[m_start:], before, after, num, wan, unit, chinese, cues):
            continue
        if chinese:  # a member of a list (五个工作日、七个工作日内) takes the cues of the whole list
            clause_before = CN_LIST_BEFORE.sub("", clause_before)
            sentence_before = CN_LIST_BEFORE.sub("", sentence_before)
            after = CN_LIST_AFTER.sub("", after)
            if unit in TIME_UNITS and not _legal_cue(clause_before, after):
                continue  # a slogan (三年工程两年干), not a limit
        kind = "time_limit" if unit in TIME_UNITS else "percentage" if unit == "%" else "count"
        written_unit = unit
        if unit == "个" and UNIT_BEFORE.search(before) and not re.match(r"[\u4e00-\u9fff]", after):
            kind, unit = "time_limit", "个工作日"  # 工作日平均1.5个、最长3个
        mod = modality(sentence_before, clause_before, after, cues, doc_type)
        if kind == "count" and not (cues.count.search(clause_before) and mod == "target"):
            continue
        pre = ADJACENT_PRE.search(written_clause)
        start = m_start - (len(pre.group()) if pre else 0)
        if chinese and not pre and (span := CN_RANGE_START.search(written_clause)):
            start -= len(span.group())  # 三至十二个月: the whole range is the phrase
        if kind == "time_limit" and written_unit == "个" and before[:start].endswith("工作日"):
            start -= len("工作日")
        post = ADJACENT_POST.match(written_after)
        phrase = text[start:m_end + (post.end() if post else 0)]
        days, day_type, cls = "", "", ""
        if kind == "time_limit":
            factor, day_type = TIME_UNITS[unit]
            days = round(float(num) * factor, 4)
            cls = time_class(clause_before, after, classes)
        rows.append({"phrase": phrase, "value": num + wan,
                     "unit": unit, "days": days, "day_type": day_type, "kind": kind, "time_class": cls,
                     "modality": mod, "applies_to": applies_to(sentence_before, sentence_after, topics),
                     "offset": m_start})
    return rows


def targets_table(measures: pd.DataFrame, topics: Sequence[tuple[str, re.Pattern]], cues: Cues,
                  classes: Sequence[tuple[str, str, re.Pattern]],
                  doc_types: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per quantity extracted from the measure texts (modality target, reported or empty),
    sorted by measure_id, then position in the text.

    `topics`, `cues`, `classes`: the parsed rules (`Lexicon.topics`, `.cues`, `.time_classes`).
    `doc_types`: source_id → `doc_type` of `sources.csv` (rule 5 of `modality`).
    """
    topics, classes = list(topics), list(classes)
    doc_types = doc_types or {}
    rows = []
    for mea in measures.itertuples():
        for r in extract_targets(mea.text, topics, cues, classes, doc_types.get(mea.source_id, "")):
            rows.append({"measure_id": mea.measure_id, "source_id": mea.source_id, **r})
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    df["days"] = pd.to_numeric(df["days"], errors="coerce")
    return sort_by_ids(df, ["measure_id", "offset"], kind="stable", ignore_index=True)  # :100 after :99


# A working day in calendar days: five working days to a week of seven (holidays not counted).
WORKING_DAY = 7 / 5


def calendar_days(targets: pd.DataFrame) -> pd.Series:
    """Each time quantity's `days` in calendar-day equivalents: working days × 7/5 (`WORKING_DAY`),
    so that limits stated in working and in calendar days can be ranked on one scale."""
    days = pd.to_numeric(targets["days"], errors="coerce")
    return days.where(targets["day_type"] != "working", days * WORKING_DAY)


def processing_commitments(targets: pd.DataFrame) -> pd.Series:
    """Which rows are committed processing limits (time_limit, processing_limit, target): fig12's rows."""
    return ((targets["kind"] == "time_limit") & (targets["time_class"] == "processing_limit")
            & (targets["modality"] == "target"))
