"""The rules of the codebook coder, for themes and for policy instruments: the codes
(themes.csv / instruments.csv), the keyword rules (theme_rules.csv / instrument_rules.csv) and the
coder's parameters (theme_params.csv / instrument_params.csv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..base.errors import BuildError
from .regex import prefilter
from .spec import CsvSpec, LexiconFile, full_frame, is_number, param_values, parsed, read_rows


@dataclass(frozen=True)
class Rule:
    theme_id: str
    field: str  # text | title | kind
    pattern: re.Pattern
    weight: float
    exclude: re.Pattern | None
    # searched in the whole text first when not None: a miss there rules out every sentence (`regex.prefilter`)
    prefilter: re.Pattern | None = None


@dataclass(frozen=True)
class Codebook:
    """Themes, their rules and the coder's parameters."""

    themes: pd.DataFrame
    rules: tuple[Rule, ...]
    threshold: float
    max_hits: int
    fallback: str

    @cached_property
    def theme_ids(self) -> list[str]:
        return list(self.themes["theme_id"])

    @cached_property
    def groups(self) -> dict[str, str]:
        """Each code's group (a theme's 环境 group; an instrument's type)."""
        return dict(zip(self.themes["theme_id"], self.themes["group_id"], strict=True))

    @cached_property
    def rank(self) -> dict[str, int]:
        """Each theme's position in the codebook (ties between scores go to the earlier theme)."""
        return {t: i for i, t in enumerate(self.theme_ids)}


def codebook_from_frames(themes: pd.DataFrame, rules: pd.DataFrame, params: pd.DataFrame) -> Codebook:
    """The codebook from the rows of themes.csv, theme_rules.csv and theme_params.csv (all cells strings).

    `read_codebook` reads and checks the three files; the build hands the codebook to `text.coding`.
    """
    p = dict(zip(params["name"], params["value"], strict=True))
    known = set(themes["theme_id"])
    unknown = sorted(set(rules["theme_id"]) - known)
    if unknown:
        raise ValueError(f"theme_rules.csv names unknown theme ids: {unknown}")
    exclude = rules["exclude"] if "exclude" in rules else [""] * len(rules)
    field = rules["field"] if "field" in rules else [""] * len(rules)
    built = tuple(
        Rule(theme_id, fld or "text", re.compile(pattern), float(weight),
             re.compile(exc) if exc else None, prefilter(pattern))
        for theme_id, fld, pattern, weight, exc in zip(rules["theme_id"], field, rules["pattern"], rules["weight"],
                                                        exclude, strict=True)
    )
    return Codebook(themes, built, float(p["threshold"]), int(p["max_hits"]), p["fallback"])


# The two codebooks coded by the same rule engine (`Codebook`): file names, id and group
# columns, the codes table's optional columns, and what one code is called.
CODEBOOKS = {
    "theme": ("themes.csv", "theme_rules.csv", "theme_params.csv", "theme_id", "group_id",
              ("group_zh", "group_en", "label_zh", "label_en", "definition", "examples_zh")),
    "instrument": ("instruments.csv", "instrument_rules.csv", "instrument_params.csv", "instrument_id", "type_id",
                   ("type_zh", "type_en", "label_zh", "label_en", "definition")),
}


def codebook_specs(kind: str) -> dict[str, CsvSpec]:
    """The specs of a codebook's three files (codes, rules, parameters): the same for every kind
    but for the id and group columns."""
    codes, rules, params, id_col, group_col, optional = CODEBOOKS[kind]
    return {
        codes: CsvSpec((id_col, group_col), optional, (id_col, group_col), unique=(id_col,),
                       why_rows=f"there would be no {kind} to code measures with"),
        rules: CsvSpec((id_col, "pattern", "weight"), ("field", "exclude", "note"), (id_col, "pattern", "weight"),
                       ("pattern", "exclude"), {"field": ("", "text", "title", "kind")},
                       why_rows=f"every measure would get the fallback {kind} with a score of 0"),
        params: CsvSpec(("name", "value"), (), ("name", "value"), unique=("name",),
                        choices={"name": ("threshold", "max_hits", "fallback")}),
    }


SPECS: dict[str, CsvSpec] = {**codebook_specs("theme"), **codebook_specs("instrument")}
FILES = {kind: names[:3] for kind, names in CODEBOOKS.items()}


def read_codebook(themes_file: LexiconFile | Path, rules_file: LexiconFile | Path,
                  params_file: LexiconFile | Path, theme_rows: pd.DataFrame | None = None,
                  kind: str = "theme") -> Codebook:
    """The checked codebook from its three files (`theme_rows`: an already checked themes table).

    `kind` "instrument" reads instruments.csv / instrument_rules.csv / instrument_params.csv; the
    codebook then holds instruments where it says themes (ids under `theme_id`, types under `group_id`).
    """
    codes_name, rules_name, params_name, id_col, group_col, _ = CODEBOOKS[kind]
    t_path, r_path, p_path = (getattr(f, "path", f) for f in (themes_file, rules_file, params_file))
    if theme_rows is None:
        theme_rows = read_rows(Path(t_path), SPECS[codes_name]).frame()
    ids = set(theme_rows[id_col] if id_col in theme_rows else theme_rows["theme_id"])
    rules = read_rows(Path(r_path), SPECS[rules_name])
    for line, row in rules.rows:
        if row[id_col] not in ids:
            raise BuildError.at(Path(r_path), line, f"{kind} id {row[id_col]!r} is not in {t_path}",
                                f"use one of the ids of {codes_name}, or give the corpus its own {codes_name} "
                                f"(and {rules_name}) in DIR/lexicon/")
        if not is_number(row["weight"]):
            raise BuildError.at(Path(r_path), line, f"weight {row['weight']!r} is not a number", "write e.g. 2 or 0.5")
    params = read_rows(Path(p_path), SPECS[params_name])
    values = param_values(Path(p_path), params, SPECS[params_name],
                          f"add name,value rows for threshold (a number), max_hits (a whole number ≥ 1) "
                          f"and fallback (a {id_col})")
    line, v = values["threshold"]
    if not is_number(v):
        raise BuildError.at(Path(p_path), line, f"threshold {v!r} is not a number", "write e.g. 2")
    line, v = values["max_hits"]
    if not (v.strip().isdigit() and int(v) >= 1):
        raise BuildError.at(Path(p_path), line, f"max_hits {v!r} is not a whole number ≥ 1", "write e.g. 3")
    line, v = values["fallback"]
    if v not in ids:
        raise BuildError.at(Path(p_path), line, f"fallback {v!r} is not a {id_col} of {t_path}",
                            f"name one of the {kind}s of {codes_name}")
    rows = theme_rows.rename(columns={id_col: "theme_id", group_col: "group_id"})
    return parsed(Path(r_path), f"{kind} rule", codebook_from_frames, rows,
                  full_frame(rules, SPECS[rules_name]).rename(columns={id_col: "theme_id"}), params.frame())


def parse(codes: LexiconFile, rules: LexiconFile, params: LexiconFile, kind: str = "theme") -> Codebook:
    """The checked codebook of `kind` from its three files (`FILES[kind]`)."""
    return read_codebook(codes, rules, params, kind=kind)
