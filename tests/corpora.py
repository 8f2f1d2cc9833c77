"""Small corpus folders for tests: sources.csv with correct checksums beside raw/."""

from __future__ import annotations

import hashlib
from pathlib import Path

COLUMNS = "source_id,file,title,issuer,place,admin_level,province,date,date_note,doc_type,script,encoding,sha256"


def make_corpus(folder: Path, docs: dict[str, tuple[bytes, str]]) -> Path:
    """A corpus folder from {source_id: (raw bytes, encoding)} with correct checksums."""
    (folder / "raw").mkdir(parents=True)
    rows = [COLUMNS]
    for sid, (data, enc) in docs.items():
        (folder / "raw" / f"{sid}.txt").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        rows.append(f"{sid},raw/{sid}.txt,示例文件,某市人民政府,某市,city,某省,2025-01-01,test,action_plan,"
                    f"simplified,{enc},{digest}")
    (folder / "sources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


# HTML, script and Markdown that must show as literal text wherever the study renders a value:
# each is inert text in a page that escapes it, and runs (or becomes markup) in one that does not.
# `pwned` marks what a browser would load or create if it ran: an <img> asking for a file of that
# name, an element of that class.
HOSTILE = {
    "img": "<img src=pwned onerror=alert(1)>",
    "script": "<script>alert(2)</script>",
    "link": "[x](javascript:alert(3))",
    "table": "</table><u class=pwned>u</u>",
    "markdown": "`c` *e* _u_ | $m$ {x}",
    "svg": "<svg onload=alert(4)>",
    "autolink": "<javascript:alert(5)>",
}
_H = HOSTILE
# Every free-text column of sources.csv with HTML, script and Markdown in it (under 60 characters,
# so that a notebook's table shows it whole); the columns the build checks (date, script,
# encoding, sha256) stay valid.
HOSTILE_FIELDS = {
    "title": f"T{_H['img']}{_H['markdown']}",
    "issuer": f"I{_H['link']}{_H['table']}",
    "place": f"P{_H['script']}{_H['markdown']}",
    "admin_level": f"L{_H['svg']}",
    "province": f"V{_H['autolink']}",
    "date_note": f"N{_H['img']}",
}
# The genre of one document (the others are action plans, so that they are compared).
HOSTILE_DOC_TYPE = f"action_plan{_H['img']}"
# In the documents: a heading and a measure each holding the payloads. The measure's line is
# the one cleaning changes most (the space before “ goes), which notebook 01 shows raw and clean
# in its prose; it learns a quoted practice from a place, and holds 一网通办, which notebook 03
# quotes in context.
HOSTILE_HEADING = f"优化政务服务{_H['script']}{_H['img']}"
HOSTILE_MEASURE = (f"推行 “一网通办”{_H['img']},学习借鉴深圳“{_H['svg']}”做法,"
                   f"{_H['link']}{_H['table']}{_H['markdown']}。")
_MEASURES = [
    "推行“证照联办”改革,实现准入准营同步提速,企业开办时间压缩至1个工作日以内。",
    "全面推行“双随机、一公开”监管,对信用良好的企业降低抽查比例和频次。",
    "推行信用报告代替无违法违规证明,覆盖市场监管、税务等30个以上领域。",
    "建立包容审慎监管机制,推行轻微违法行为免罚清单。",
    "实施“水电气网”联合报装,办理时限压缩至5个工作日以内。",
    "拓宽中小企业融资渠道,深化“信易贷”平台应用,全年新增信用贷款50亿元以上。",
    "推行“标准地+承诺制”供地模式,新出让工业用地全部按“标准地”供应。",
    "加强用工保障,组织开展线上线下招聘活动不少于20场。",
    "深化工程建设项目审批制度改革,审批时间压缩至60个工作日以内。",
]


def _hostile_plan(k: int) -> str:
    """A small action plan (the k-th of four, each with its own mix of measures) whose first
    heading and first measure hold the payloads."""
    own = [_MEASURES[(k + i) % len(_MEASURES)] for i in range(6)]
    return "\n".join([
        "某市优化营商环境行动方案", "为持续优化营商环境,结合本市实际,制定本方案。",
        f"一、{HOSTILE_HEADING}", f"1.{HOSTILE_MEASURE}", f"2.{own[0]}", f"3.{own[1]}",
        "二、加强市场监管", f"4.{own[2]}", f"5.{own[3]}",
        "三、强化要素保障", f"6.{own[4]}", f"7.{own[5]}",
        "四、保障措施", "(一)加强组织领导。成立领导小组,统筹推进各项工作。", ""])


def hostile_ids(html_in_ids: bool = True) -> list[str]:
    """The four documents' ids: each with a payload, or plain (ids limited to letters, digits,
    `-` and `_`)."""
    if not html_in_ids:
        return ["plan-a-2019", "plan-b-2021", "plan-c-2023", "plan-d-2024"]
    return [f"a{_H['img']}", f"b{_H['script']}", f"c{_H['link']}", f"d{_H['svg']}"]


def make_hostile_corpus(folder: Path, html_in_ids: bool = True) -> Path:
    """Four small action plans whose every free-text field in sources.csv (and, with
    `html_in_ids`, every id, genre and file name) holds HTML, script and Markdown, as do a heading
    and a measure of every text (`HOSTILE_*`). Ids and genres are keys, limited to letters, digits,
    `-` and `_` since issue #23, so without `html_in_ids` they are plain."""
    import csv

    (folder / "raw").mkdir(parents=True)
    rows = [COLUMNS.split(",")]
    for k, (sid, year) in enumerate(zip(hostile_ids(html_in_ids), (2019, 2021, 2023, 2024), strict=True)):
        data = _hostile_plan(k).encode("utf-8")
        name = f"doc{k}{_H['img'] if html_in_ids else ''}.txt"
        (folder / "raw" / name).write_bytes(data)
        fields = dict(HOSTILE_FIELDS, source_id=sid, file=f"raw/{name}", date=f"{year}-03-01",
                      doc_type=HOSTILE_DOC_TYPE if k == 3 and html_in_ids else "action_plan", script="simplified",
                      encoding="utf-8", sha256=hashlib.sha256(data).hexdigest())
        rows.append([fields[c] for c in rows[0]])
    with open(folder / "sources.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return folder
