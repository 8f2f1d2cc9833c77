"""Statements kept as data: a CSV of `str.format` templates in English and Chinese, read and
checked once (`Templates.load`) and filled with a finding's numbers (`Templates.render`).

A template names fields: a number or id the finding gives, or another *part* of the same
finding's templates (the scope "who", a list's item), which is rendered in its place. The format
of the file is in data/templates/README.md; every problem is a `BuildError` naming the file and
the line. The figures' captions (`report.captions`) are read and filled by the same engine: their
key column is `fig_id` rather than `finding_id`, they have no outcome, and their whole text is
the part `caption`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import BuildError
from ..rules.spec import CsvSpec, read_rows

LANGS = ("en", "zh")
OUTCOMES = ("supported", "not_supported", "untested", "described")
ANY = "*"  # the finding_id of the parts every finding shares
STATEMENT = "statement"  # the part that is the whole statement
PERCENT = "p"  # the conversion `{x!p:.0f}`: 100 × x
SPEC = CsvSpec(required=("finding_id", "outcome", "lang", "part", "template"), optional=("when", "joiner"),
               nonempty=("finding_id", "lang", "part"), choices={"lang": LANGS, "outcome": ("", *OUTCOMES)},
               why_rows="every finding needs its statements")
KEY = "finding_id"  # the column that says whose template a row is
_FORMAT = string.Formatter()
FIX = "see data/templates/README.md for the templates' format"


@dataclass(frozen=True)
class Template:
    """One row of the file: which finding, outcome, language and part it writes, and its text."""

    finding_id: str
    outcome: str  # "" = any outcome
    lang: str
    part: str
    when: tuple[str, str] | None  # (field, value): the row applies only where str(field) == value
    joiner: str  # between the items, where the part is filled from a list
    text: str
    line: int
    pieces: tuple[tuple[str, str | None, str, str | None], ...] = field(repr=False, default=())
    declared: tuple[str, ...] = ()  # the `fields` cell, where the file declares its names itself (captions)

    @property
    def fields(self) -> list[str]:
        return [name for _, name, _, _ in self.pieces if name is not None]


def _parse(path: Path, line: int, row: Mapping[str, str], key: str = KEY) -> Template:
    try:
        pieces = tuple(_FORMAT.parse(row["template"]))
    except ValueError as exc:
        raise BuildError.at(path, line, f"the template is not a str.format template ({exc})",
                            "write a field as {name} or {name:.2f}, a literal brace as {{ or }}") from None
    for _, name, spec, conversion in pieces:
        if name is not None and not name.isidentifier():
            raise BuildError.at(path, line, f"field {{{name}}} is not a plain name",
                                "name a field by itself, without attributes, indexes or positions")
        if conversion not in (None, PERCENT) or "{" in (spec or ""):
            raise BuildError.at(path, line, f"field {{{name}}}: only the conversion !{PERCENT} and a fixed "
                                "format spec are allowed", FIX)
    when = row.get("when", "").strip()
    if when and (when.count("=") != 1 or not when.split("=")[0].isidentifier()):
        raise BuildError.at(path, line, f"when {when!r} is not field=value", "write e.g. names=True, or leave it empty")
    declared = tuple(row.get("fields", "").split())
    bad = next((name for name in declared if not name.isidentifier()), None)
    if bad is not None:
        raise BuildError.at(path, line, f"field {bad!r} in fields is not a plain name",
                            "list the names, separated by spaces: n_terms n_links")
    return Template(row[key], row.get("outcome", ""), row["lang"], row["part"],
                    tuple(when.split("=")) if when else None, row.get("joiner", ""), row["template"], line, pieces,
                    declared)


@dataclass(frozen=True)
class Templates:
    """The checked templates of one file, by (finding, outcome, language, part); `top` is the part
    that is the whole text (`statement`; `caption` for the figures' captions)."""

    path: Path
    rows: tuple[Template, ...]
    top: str = STATEMENT

    @classmethod
    def read(cls, path: Path, spec: CsvSpec = SPEC, key: str = KEY, top: str = STATEMENT) -> Templates:
        """The rows of `path` parsed (columns, languages, templates), not yet checked against what
        they may name (`check`)."""
        rows = read_rows(path, spec)
        return cls(path, tuple(_parse(path, line, row, key) for line, row in rows.rows), top)

    @classmethod
    def load(cls, path: Path, stated: Mapping[str, tuple[tuple[str, ...], str]],
             common: tuple[str, ...]) -> Templates:
        """Read `path` and check it against `stated` (finding → (its outcomes, the names its
        statements may use, space-separated)) and the names every finding gives (`common`): every
        finding has a statement for each of its outcomes in each language, and every field a
        template names is a part or a name of its finding."""
        return cls.read(path).check(stated, common)

    def check(self, stated: Mapping[str, tuple[tuple[str, ...], str]], common: tuple[str, ...]) -> Templates:
        """These templates, checked against `stated` and `common` as `load` says; returns them."""
        path = self.path
        for t in self.rows:
            if t.finding_id != ANY and t.finding_id not in stated:
                raise BuildError.at(path, t.line, f"unknown finding {t.finding_id!r}",
                                    f"use {ANY} or one of: {', '.join(stated)}")
            if t.finding_id != ANY and t.outcome and t.outcome not in stated[t.finding_id][0]:
                raise BuildError.at(path, t.line, f"{t.finding_id} has no outcome {t.outcome!r}",
                                    f"use one of: {', '.join(stated[t.finding_id][0])} (or leave it empty)")
        for fid, (outcomes, names) in stated.items():
            known = set(common) | set(names.split())
            for outcome in outcomes:
                for lang in LANGS:
                    self._check(fid, outcome, lang, known)
        return self

    def _candidates(self, fid: str, outcome: str, lang: str, part: str) -> list[Template]:
        """The rows that can write `part`, in the order they are tried: the finding's own before the
        shared, the outcome's before any outcome's, then file order; none after the first without `when`."""
        order = [(fid, outcome), (fid, ""), (ANY, outcome), (ANY, "")]
        rows = sorted((t for t in self.rows if (t.lang, t.part) == (lang, part) and (t.finding_id, t.outcome) in order),
                      key=lambda t: (order.index((t.finding_id, t.outcome)), t.line))
        last = next((i for i, t in enumerate(rows) if t.when is None), len(rows) - 1)
        return rows[:last + 1]

    def _check(self, fid: str, outcome: str, lang: str, known: set[str]) -> None:
        """Every part the statement of (fid, outcome, lang) reaches has a row, and names only known fields."""
        todo, seen = [(self.top, None)], set()
        while todo:
            part, by = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            rows = self._candidates(fid, outcome, lang, part)
            if not rows:
                first = next((t.line for t in self.rows if t.finding_id == fid), None)
                raise BuildError.at(self.path, by.line if by else first,
                                    f"no {lang} template for part {part!r} of {fid} ({outcome})",
                                    f"add a row {fid},{outcome},{lang},{part},…")
            for t in rows:
                for _, name, spec, conversion in t.pieces:
                    if name is None:
                        continue
                    if self._candidates(fid, outcome, lang, name):
                        if spec or conversion:
                            raise BuildError.at(self.path, t.line, f"part {{{name}}} takes no format", FIX)
                        todo.append((name, t))
                    elif name not in known:
                        raise BuildError.at(self.path, t.line, f"{fid} gives no field {name!r}",
                                            f"name one of: {', '.join(sorted(known))}, or a part")
                if t.when and t.when[0] not in known:
                    raise BuildError.at(self.path, t.line, f"{fid} gives no field {t.when[0]!r} (in when)",
                                        f"name one of: {', '.join(sorted(known))}")

    def render(self, fid: str, outcome: str, lang: str, fields: Mapping[str, object],
               part: str | None = None) -> str:
        """`part` (the whole text, `top`, by default) of finding `fid` for `outcome` in `lang`, filled from
        `fields`. A field that is a part is rendered in its place: once per item where `fields`
        holds a list under its name (joined by the joiner of its first row), with a dict's entries
        where it holds a dict."""
        part = part or self.top
        rows = self._candidates(fid, outcome, lang, part)
        if not rows:
            raise BuildError.at(self.path, None, f"no {lang} template for part {part!r} of {fid} ({outcome})", FIX)
        value = fields.get(part)
        if isinstance(value, list):
            return rows[0].joiner.join(self._fill(rows, fid, outcome, {**fields, **item}) for item in value)
        return self._fill(rows, fid, outcome, {**fields, **value} if isinstance(value, dict) else fields)

    def _fill(self, rows: list[Template], fid: str, outcome: str, fields: Mapping[str, object]) -> str:
        t = next((t for t in rows if t.when is None or str(fields.get(t.when[0])) == t.when[1]), None)
        if t is None:
            raise BuildError.at(self.path, rows[0].line, f"no row of part {rows[0].part!r} applies to {fid}",
                                "give the part a row without when")
        out = []
        for literal, name, spec, conversion in t.pieces:
            out.append(literal)
            if name is None:
                continue
            if self._candidates(fid, outcome, t.lang, name):
                out.append(self.render(fid, outcome, t.lang, fields, name))
                continue
            if name not in fields:
                raise BuildError.at(self.path, t.line, f"{fid} gives no field {name!r} here",
                                    f"name one of: {', '.join(sorted(fields))}")
            value = fields[name]
            try:
                out.append(format(100 * value if conversion == PERCENT else value, spec or ""))
            except (TypeError, ValueError) as exc:
                raise BuildError.at(self.path, t.line, f"cannot format {name} = {value!r} as {spec!r} ({exc})",
                                    FIX) from None
        return "".join(out)
