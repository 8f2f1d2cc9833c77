"""The figures' captions, kept as data: `data/templates/captions.csv`, `str.format` templates in
Chinese and English read and checked once (`captions`), filled with the numbers a notebook gives
(`caption`) by the engine of the findings' statements (`report.templates`). The format is in
data/templates/README.md; every problem is a `BuildError` naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ..base.errors import BuildError
from ..base.paths import TEMPLATES
from ..rules.spec import CsvSpec
from .templates import LANGS, Templates

KEY = "fig_id"
CAPTION = "caption"  # the part that is the whole caption
SPEC = CsvSpec(required=(KEY, "lang", "part", "template"), optional=("fields", "when", "joiner"),
               nonempty=(KEY, "lang", "part"), choices={"lang": LANGS}, why_rows="every figure needs its caption")
FIX = "see data/templates/README.md for the captions' format"


@lru_cache(maxsize=4)
def captions(path: Path = TEMPLATES / "captions.csv") -> Templates:
    """The captions' templates, read and checked once: every figure has a caption in both
    languages, and every field a template names is a part of the figure or declared in the
    `fields` column of one of its rows."""
    read = Templates.read(path, SPEC, KEY, CAPTION)
    stated: dict[str, tuple[tuple[str, ...], str]] = {}
    for t in read.rows:
        _, names = stated.get(t.finding_id, (("",), ""))
        stated[t.finding_id] = (("",), f"{names} {' '.join(t.declared)}")
    return read.check(stated, ())


def declared(using: Templates, fig_id: str) -> set[str]:
    """The names the rows of `fig_id` declare in their `fields` column."""
    return {name for t in using.rows if t.finding_id == fig_id for name in t.declared}


def _in(value: object, i: int) -> object:
    """A field's value in Chinese (i = 0) or English (i = 1): a (zh, en) pair gives its item, in
    lists and dicts too (a list part's items); any other value is the same in both."""
    if isinstance(value, tuple) and len(value) == 2:  # a (zh, en) pair
        return value[i]
    if isinstance(value, list):
        return [_in(v, i) for v in value]
    if isinstance(value, dict):
        return {k: _in(v, i) for k, v in value.items()}
    return value


def caption(fig_id: str, fields: Mapping[str, object] | None = None, using: Templates | None = None
            ) -> tuple[str, str]:
    """The caption of figure `fig_id` in Chinese and English, filled from `fields` (name → value;
    a (zh, en) pair where the value differs by language, a list of dicts for a part written once
    per item). A name the figure does not declare, a figure without a caption, or a field its
    template names but `fields` lacks is refused, naming the file and the line."""
    using = using or captions()
    rows = [t for t in using.rows if t.finding_id == fig_id]
    if not rows:
        raise BuildError.at(using.path, None, f"no caption for figure {fig_id!r}",
                            f"add the rows {fig_id},zh,{CAPTION},… and {fig_id},en,{CAPTION},…")
    fields = dict(fields or {})
    extra = sorted(set(fields) - declared(using, fig_id))
    if extra:
        raise BuildError.at(using.path, rows[0].line, f"{fig_id} declares no field {', '.join(extra)}",
                            f"declare it in the fields column of {fig_id}'s rows, or give only: "
                            f"{', '.join(sorted(declared(using, fig_id))) or '(no field)'}")
    zh, en = (using.render(fig_id, "", lang, {k: _in(v, i) for k, v in fields.items()})
              for i, lang in enumerate(("zh", "en")))
    return zh, en
