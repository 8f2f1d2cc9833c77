"""The whole pipeline: sources → clean → measures → … → tables in `data/processed/`."""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .analysis import clusters, coword, families, pmc
from .base import workers
from .base.errors import BuildError, stop_if_signalled
from .base.paths import DATA, REGULATIONS, ROOT
from .io import sources, tables
from .io.outputs import MANIFEST, check_output_folder, write_outputs
from .steps import STEPS, Build, Step
from .text import measures


@dataclass
class BuildResult:
    """What a build produced: its tables by file name, and any warnings."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, flush=True)


AUTO = "auto"  # the frame a corpus gets by default (`frame_folder`)


def build(data_dir: Path | str = DATA, out_dir: Path | str | None = None, quiet: bool = False,
          jobs: int | None = None, dask: str | None = None, only: str | None = None,
          frame: Path | str | None = AUTO) -> BuildResult:
    """Build every table from `data_dir` (sources.csv + raw/) into `out_dir`, step by step (`steps.STEPS`).

    All inputs are checked and all tables computed before anything is written, so a failed
    build leaves `out_dir` exactly as it was. `jobs` worker processes (default: every core this
    process may use, or `BIZENV_JOBS`; capped at those cores) share cleaning, tokenising, theme
    coding and the choice of k; with `dask` (or `BIZENV_DASK`), the address of a Dask
    scheduler, that work runs on its cluster instead.
    The tables are the same either way, whatever `jobs` is. `only`: rerun that step alone on the
    tables `out_dir` holds from an earlier build (`steps_for`), and replace its tables there.
    `frame`: a corpus of regulations to place the measures in (frame_*.csv); by default the
    bundled regulations for the bundled corpus and none for any other (`frame_folder`).
    """
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else data_dir / "processed"
    sources.check_data_folder(data_dir)
    check_output_folder(out_dir, data_dir)  # not among the inputs, replaceable, writable, not locked
    run = steps_for(only, out_dir)
    result = BuildResult()
    settings = {"data_dir": data_dir, "jobs": jobs, "frame_dir": frame_folder(data_dir, frame)}
    values = Build(settings, tables_from=out_dir if only else None)
    printed: set[str] = set()
    address = dask or os.environ.get("BIZENV_DASK", "").strip() or None
    with warnings.catch_warnings(record=True) as caught, workers.on_cluster(address):
        warnings.simplefilter("always")  # every warning of every step is shown, once per occurrence
        for step in run:
            mark, seen = time.perf_counter(), len(caught)
            values.update(_checked(step, step.run(values)))
            stop_if_signalled()
            result.timings[step.name] = time.perf_counter() - mark
            lines = _counted(_warning_line(step.name, w) for w in caught[seen:])
            result.warnings += lines
            # a document that makes the build take minutes is said at once, not only at the end
            early = {_warning_line(step.name, w) for w in caught[seen:]
                     if issubclass(w.category, sources.LargeDocumentWarning)}
            for line in (ln for ln in lines if ln in early):
                print(f"warning: {line}", file=sys.stderr, flush=True)
                printed.add(line)
            if step.line is not None and (line := step.line(values)):
                _say(line, quiet)
    mark = time.perf_counter()
    made = {name for step in run for name in step.outputs}
    result.tables = {name: df for name, df in values.items() if name.endswith(".csv") and name in made}
    # a byte-order mark, so that a spreadsheet opened by double-click reads the Chinese as UTF-8
    files = {name: tables.csv_bytes(df, bom=True) for name, df in result.tables.items()}
    files |= coword.graph_files(values["graph"]) if "graph" in values else {}
    if only:  # the other files of the earlier build stay as they were
        files = {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())
                 if p.is_file() and not p.name.startswith(".")} | files
    result.written = write_outputs(out_dir, files, whole_folder=True)
    result.timings["write"] = time.perf_counter() - mark
    for w in result.warnings:
        if w not in printed:
            print(f"warning: {w}", file=sys.stderr)
    _say(f"done: {len(files)} tables in {_shown(out_dir)}", quiet)
    return result


def frame_folder(data_dir: Path, frame: Path | str | None) -> Path | None:
    """The legal frame's folder: `frame` as given ("none": no frame), or by default the bundled
    regulations for the bundled corpus and none for any other; checked like a data folder."""
    if frame == AUTO:
        return REGULATIONS if data_dir.resolve() == DATA.resolve() and REGULATIONS.is_dir() else None
    if frame is None or str(frame).lower() == "none":
        return None
    folder = Path(frame)
    if folder.resolve() == data_dir.resolve():
        raise BuildError("the legal frame is the corpus itself", folder,
                         "give --frame another corpus (of regulations), or --frame none")
    sources.check_data_folder(folder)
    return folder


def steps_for(only: str | None, out_dir: Path) -> tuple[Step, ...]:
    """Every step, or the step `only` with those that make the values it needs that no table holds
    (the documents read, the lexicon, the chosen k): its tables come from `out_dir`."""
    if only is None:
        return STEPS
    names = [s.name for s in STEPS]
    if only not in names:
        raise BuildError(f"no step named {only!r}", None, f"name one of: {', '.join(names)}")
    if not (out_dir / MANIFEST).is_file():
        raise BuildError("no earlier build to rerun a step on", out_dir, "build every step first (make build)")
    needed, wanted = [], {only}
    for step in reversed(STEPS):
        if step.name in wanted:
            needed.append(step)
            memory = {i for i in step.inputs if not i.endswith(".csv")}
            wanted |= {s.name for s in STEPS if memory & set(s.outputs)}
    return tuple(reversed(needed))


def _checked(step: Step, out: dict) -> dict:
    """A step's values, each one it declares (a step that returns another is a bug, said as such)."""
    if stray := set(out) - set(step.outputs):
        raise RuntimeError(f"step {step.name} returned {sorted(stray)}, which it does not declare")
    return out


# The build's own warnings say what a stage skipped or fell back to; any other (a library's
# FutureWarning, a solver's ConvergenceWarning) is shown with the stage and its category.
OWN_WARNINGS = (measures.StructureWarning, clusters.ClusterWarning, families.CompareWarning, pmc.PMCWarning,
                coword.NetworkWarning, sources.UndatedWarning, sources.LargeDocumentWarning)


def _warning_line(stage: str, w: warnings.WarningMessage) -> str:
    """One warning as the build prints it (after `warning: `)."""
    message = " ".join(str(w.message).split())
    if issubclass(w.category, OWN_WARNINGS):
        return message
    return f"[{stage}] {w.category.__name__}: {message}"


def _counted(lines: Iterable[str]) -> list[str]:
    """Each distinct line once, in order of first occurrence, with "(N times)" when repeated (the
    findings stage reruns a test under every alternative and would print its warning each time)."""
    counts = Counter(lines)
    return [line if n == 1 else f"{line} ({n} times)" for line, n in counts.items()]


def _shown(path: Path) -> str:
    """A path as the user should see it: relative to the project or the working directory."""
    for base in (ROOT, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
