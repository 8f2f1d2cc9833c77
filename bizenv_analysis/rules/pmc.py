"""The rules of the PMC index: its variables, sub-variables and their rules (`pmc_variables.csv`)
and its parameters (`pmc_params.csv`: which documents are scored, the grade bands, clauses)."""

from __future__ import annotations

import pandas as pd

from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, is_number, param_values, read_rows

VARIABLES, PARAMS = "pmc_variables.csv", "pmc_params.csv"
SPECS = {
    VARIABLES: CsvSpec(
        ("variable_id", "sub_id", "source", "rule"), ("variable_zh", "variable_en", "label_zh", "label_en", "note"),
        ("variable_id", "sub_id", "source"), ("rule",),
        {"source": ("text", "horizon", "admin_level", "themes", "instruments", "targets", "published")},
        unique=("sub_id",), why_rows="there would be no PMC variable to score"),
    PARAMS: CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",),
                    choices={"name": ("doc_types", "grade_perfect", "grade_excellent",
                                      "grade_acceptable", "min_clause_chars", "clause_marks")}),
}


def parse(variables_file: LexiconFile, params_file: LexiconFile) -> tuple[pd.DataFrame, dict[str, str]]:
    """The PMC variables (checked by their spec) and parameters (every name present, bands numbers)."""
    v_path, p_path = variables_file.path, params_file.path
    variables = read_rows(v_path, SPECS[VARIABLES]).frame()
    values = param_values(p_path, read_rows(p_path, SPECS[PARAMS]), SPECS[PARAMS],
                          "add name,value rows for doc_types, grade_perfect / grade_excellent / grade_acceptable, "
                          "min_clause_chars and clause_marks (see the bundled pmc_params.csv)")
    for name in ("grade_perfect", "grade_excellent", "grade_acceptable"):
        line, value = values[name]
        if not is_number(value):
            raise BuildError.at(p_path, line, f"{name} {value!r} is not a number", "write e.g. 7")
    cuts = [float(values[name][1]) for name in ("grade_perfect", "grade_excellent", "grade_acceptable")]
    if not cuts[0] > cuts[1] > cuts[2]:
        raise BuildError.at(p_path, values["grade_acceptable"][0], f"the grade bands {cuts} do not fall from perfect "
                            "to acceptable", "write grade_perfect > grade_excellent > grade_acceptable, e.g. 9, 7, 5")
    line, value = values["min_clause_chars"]
    if not (value.strip().isdigit() and int(value) >= 1):
        raise BuildError.at(p_path, line, f"min_clause_chars {value!r} is not a whole number ≥ 1", "write e.g. 6")
    return variables, {name: value for name, (_, value) in values.items()}
