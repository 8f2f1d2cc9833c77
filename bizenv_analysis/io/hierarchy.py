"""The legal hierarchy sources.csv may declare: which document implements which, and which revises which.

Two optional columns say it (`HIERARCHY_COLUMNS`): `parent` names the source a document
implements (the national regulation for a province's, the province's for a city's) and
`version_of` the earlier text a document revises (Shanghai 2024 revises Shanghai 2020). Four more
record where a text came from (`PROVENANCE_COLUMNS`). A corpus without them has no hierarchy:
every analysis that needs one says so and is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..base.errors import BuildError
from .dates import read_date

HIERARCHY_COLUMNS = ("parent", "version_of")
PROVENANCE_COLUMNS = ("upstream_repo", "upstream_commit", "upstream_path", "adopted")
HIERARCHY_TABLE_COLUMNS = [
    "source_id", "admin_level", "province", "place", "date", "adopted", "parent", "version_of",
    "root", "depth", "before_parent", "upstream_repo", "upstream_commit", "upstream_path", "sha256",
]
_PARENT_FIX = "write the source_id of the document it implements (a row of this file), or leave parent empty"
_VERSION_FIX = ("write the source_id of the earlier text of the same law it revises (same place, earlier date), "
                "or leave version_of empty")


class _HasMeta(Protocol):
    source_id: str
    meta: dict


def check_hierarchy(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a hierarchy that cannot be followed; read `adopted` to ISO form in place.

    A parent or version_of names another row of the same file; following parents never loops; a
    version_of has the same place and an earlier date. A parent dated after its child is allowed
    (a city may adopt its regulation before its province does): `hierarchy_table` reports it.
    """
    ids = dict(zip(frame["source_id"], frame.index, strict=True))
    for column, fix in (("parent", _PARENT_FIX), ("version_of", _VERSION_FIX)):
        if column not in frame.columns:
            continue
        for line, row in frame.iterrows():
            target = row[column]
            if not target:
                continue
            if target == row["source_id"]:
                raise BuildError.at(path, line, f"{row['source_id']} names itself as its {column}", fix)
            if target not in ids:
                raise BuildError.at(path, line, f"{column} {target!r} of {row['source_id']} is no source_id of "
                                    "this file", fix)
    if "adopted" in frame.columns:
        for line, row in frame.iterrows():
            when = read_date(row["adopted"])
            if when is None:
                raise BuildError.at(path, line, f"adopted {row['adopted']!r} of {row['source_id']} is not a date "
                                    "in the calendar", "write it as YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty")
            frame.loc[line, "adopted"] = when
    if "parent" in frame.columns:
        _check_loops(frame, path)
    if "version_of" in frame.columns:
        _check_versions(frame, path)


def _check_loops(frame: pd.DataFrame, path: Path) -> None:
    parent = {r.source_id: r.parent for r in frame.itertuples() if r.parent}
    line = dict(zip(frame["source_id"], frame.index, strict=True))
    for start in parent:
        seen = [start]
        while (up := parent.get(seen[-1])) is not None:
            if up in seen:
                cycle = " → ".join([*seen[seen.index(up):], up])
                raise BuildError.at(path, line[start], f"the parents of {start} loop: {cycle}",
                                    "a document's parent must lead up to one that has none (the national text); "
                                    "empty the parent of the topmost document")
            seen.append(up)


def _check_versions(frame: pd.DataFrame, path: Path) -> None:
    rows = frame.set_index("source_id")
    for line, row in frame.iterrows():
        old = row["version_of"]
        if not old:
            continue
        before = rows.loc[old]
        if before["place"] != row["place"]:
            raise BuildError.at(path, line, f"{row['source_id']} ({row['place']}) is given as a version of {old} "
                                f"({before['place']}): a revision is of the same place's law", _VERSION_FIX)
        if not (before["date"] and row["date"] and before["date"] < row["date"]):
            raise BuildError.at(path, line, f"{row['source_id']} (dated {row['date'] or 'undated'}) is given as a "
                                f"version of {old} (dated {before['date'] or 'undated'}): a revision comes after "
                                "the text it revises", _VERSION_FIX)


@dataclass(frozen=True)
class Hierarchy:
    """Who implements whom (`parent`), who revises whom (`version_of`), with levels and dates."""

    parent: Mapping[str, str] = field(default_factory=dict)
    version_of: Mapping[str, str] = field(default_factory=dict)
    level: Mapping[str, str] = field(default_factory=dict)
    date: Mapping[str, str] = field(default_factory=dict)

    def ancestors(self, sid: str) -> list[str]:
        """The parent, its parent, … up to the top (checked loop-free when sources.csv was read)."""
        chain = []
        while (sid := self.parent.get(sid, "")) and sid not in chain:
            chain.append(sid)
        return chain

    def root(self, sid: str) -> str:
        """The top of `sid`'s chain of parents (`sid` itself when it has no parent)."""
        return (self.ancestors(sid) or [sid])[-1]

    def declared(self) -> bool:
        """Whether the corpus declares any parent or revision at all."""
        return bool(self.parent) or bool(self.version_of)


def hierarchy_from(raws: Sequence[_HasMeta]) -> Hierarchy:
    """The hierarchy the rows of sources.csv declare (empty when it has no such columns)."""
    def column(name: str) -> dict[str, str]:
        return {r.source_id: str(r.meta.get(name, "")) for r in raws if r.meta.get(name, "")}
    return Hierarchy(column("parent"), column("version_of"), column("admin_level"), column("date"))


def hierarchy_table(raws: Sequence[_HasMeta]) -> pd.DataFrame:
    """hierarchy.csv: one row per source with its parent, revision, root, depth and provenance."""
    h = hierarchy_from(raws)
    rows = []
    for r in raws:
        sid, meta = r.source_id, r.meta
        parent = h.parent.get(sid, "")
        up_date = h.date.get(parent, "")
        rows.append({
            "source_id": sid, "admin_level": meta.get("admin_level", ""), "province": meta.get("province", ""),
            "place": meta.get("place", ""), "date": meta.get("date", ""), "adopted": meta.get("adopted", ""),
            "parent": parent, "version_of": h.version_of.get(sid, ""), "root": h.root(sid),
            "depth": len(h.ancestors(sid)),
            # Dated before the text it implements: its overlap with the parent cannot be implementation.
            "before_parent": bool(parent and meta.get("date") and up_date and meta["date"] < up_date),
            **{c: meta.get(c, "") for c in PROVENANCE_COLUMNS if c != "adopted"},
            "sha256": meta.get("sha256", ""),
        })
    return pd.DataFrame(rows, columns=HIERARCHY_TABLE_COLUMNS)
