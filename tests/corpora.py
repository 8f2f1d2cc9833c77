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
