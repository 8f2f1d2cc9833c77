"""The rules of the co-word network (`coword_params.csv`)."""

from __future__ import annotations

from dataclasses import dataclass

from .spec import CsvSpec, LexiconFile, numbers

FILE = "coword_params.csv"
PARAMS = ("top_terms", "min_df", "source_top_terms", "source_min_df", "min_chars", "min_cooccurrence",
          "source_min_cooccurrence", "resolution", "seed", "min_measures", "max_sources")
SPEC = CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",), choices={"name": PARAMS})


@dataclass(frozen=True)
class Params:
    """The co-word rules (`coword_params.csv`)."""

    top_terms: int = 60
    min_df: int = 3
    source_top_terms: int = 30
    source_min_df: int = 2
    min_chars: int = 2
    min_cooccurrence: int = 3
    source_min_cooccurrence: int = 2
    resolution: float = 1.0
    seed: int = 20261130
    min_measures: int = 8  # a source with fewer compared measures gets no network of its own
    max_sources: int = 30  # above this many sources, only the overall network is built

    @classmethod
    def from_values(cls, values: dict[str, str]) -> Params:
        """Parameters from name → text (checked by `parse`: every name present, numbers)."""
        return cls(**{name: (float(values[name]) if name == "resolution" else int(values[name]))
                      for name in PARAMS})


def parse(f: LexiconFile) -> Params:
    positive = ("top_terms", "min_df", "source_top_terms", "source_min_df", "min_chars", "min_cooccurrence",
                "source_min_cooccurrence", "min_measures")
    return Params.from_values(numbers(f, SPEC, dict.fromkeys(positive, 1), decimal=("resolution",)))
