"""The package's layers, read from the code: no module imports a layer above its own, no import
cycle, and one lexicon, loaded at the top.

Every `import` and `from … import` statement counts, wherever it stands: at the top of a module,
inside a function (an import kept local to save start-up time is still a dependency) or under
`if TYPE_CHECKING:`. The layers, from the ground up, are the sub-packages named in `LAYERS`; the
modules at the package root (`__init__`, `__main__`, `pipeline`) are the top floor. Notebooks only
read the built tables and show them: they import no scipy, scikit-learn or networkx, never the
lexicon, and make none of the calls that computed what the build now writes as a table. Nothing is
imported or run: modules and notebooks are parsed with `ast`. The imports that still run the wrong way are listed
in `KNOWN`, each with the step of issue 24 that removes it; the list can only shrink. No module is
longer than `MAX_LINES`, but for those in `LONGER`, each with its reason; that list can only shrink too.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Collection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "bizenv_analysis"
# From the ground up. A module may import modules of its own layer and of the layers below it.
LAYERS = ("base", "io", "rules", "text", "analysis", "report")
TOP = len(LAYERS)  # the package root: the pipeline and the command line
AT_ROOT = {PACKAGE, f"{PACKAGE}.__main__", f"{PACKAGE}.pipeline", f"{PACKAGE}.steps", f"{PACKAGE}.legal_steps"}
LEXICON = f"{PACKAGE}.rules.lexicon"  # loaded once, by the top floor only


def modules_in(folder: Path) -> dict[str, Path]:
    """Module name → file for every .py under `folder` (a package's __init__ under the package's name)."""
    out = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules_in(ROOT / PACKAGE)


def layer(module: str) -> int:
    """A module's floor: the place of its sub-package in `LAYERS`; the package root is the top."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else TOP


def floor_name(module: str) -> str:
    return LAYERS[layer(module)] if layer(module) < TOP else "top"


def _target(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a `from … import` starts from, its relative level resolved."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _module(name: str, modules: dict[str, Path]) -> str | None:
    """The module of the package that `name` is or lies in (`….measures.Grammar` → `….measures`)."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts) or None


def imports_of(source: str, importer: str, modules: dict[str, Path] = MODULES,
               is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module of the package) of every import statement in `source`, at any depth."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            start = _target(importer, is_package, node)
            # `from . import measures` names a module, `from .measures import Grammar` a name in one:
            # either way the module is the longest known prefix (parent packages are not counted)
            names = [f"{start}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == PACKAGE and (module := _module(name, modules)) not in (None, importer):
                found.add((node.lineno, module))
    return sorted(found)


def import_graph(modules: dict[str, Path] = MODULES) -> dict[str, list[tuple[int, str]]]:
    """Each module of the package → (line, module) of each module of the package that it imports."""
    return {name: imports_of(path.read_text(encoding="utf-8"), name, modules, path.name == "__init__.py")
            for name, path in modules.items()}


def cycles(graph: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """Every set of two or more modules that import each other in a circle (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for _, w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = stack[stack.index(v):]
            del stack[stack.index(v):]
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


GRAPH = import_graph()


# Imports that break a rule above (importer, imported) → why, and the change that removes it. The
# layer, cycle and lexicon tests pass over these edges, and only these; `test_every_known_exception_
# is_still_there` fails once one is gone, so that it is struck off here. None is left.
_P = PACKAGE
KNOWN: dict[tuple[str, str], str] = {}


# A module a reader can hold in mind: no longer than this many lines, but for the modules below,
# each with its reason. `test_every_longer_module_is_still_long` fails once one is cut down, so
# that it is struck off here (the list can only shrink). None is left.
MAX_LINES = 500
LONGER: dict[str, str] = {}


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def checked(graph: dict[str, list[tuple[int, str]]],
            known: Collection[tuple[str, str]] | None = None) -> dict[str, list[tuple[int, str]]]:
    """The import graph less the known exceptions (`KNOWN` unless given)."""
    known = KNOWN if known is None else known
    return {name: [(line, target) for line, target in edges if (name, target) not in known]
            for name, edges in graph.items()}


def wrong_way(importer: str, target: str) -> bool:
    """Whether an import breaks a rule of the house: it runs up the layers, or loads the lexicon below the top."""
    return layer(target) > layer(importer) or (target == LEXICON and layer(importer) != TOP)


def test_every_module_stands_on_a_layer():
    stray = sorted(m for m in MODULES if layer(m) == TOP and m not in AT_ROOT)
    assert not stray, f"modules in no layer (a sub-package not in LAYERS, or a new file at the root): {stray}"


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{importer}:{line} ({floor_name(importer)}) imports {target} ({floor_name(target)})"
              for importer, edges in checked(GRAPH).items() for line, target in edges
              if layer(target) > layer(importer)]
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)


def test_no_import_cycle():
    found = cycles(checked(GRAPH))
    assert not found, "modules that import each other in a circle:\n" + "\n".join(" -> ".join(c) for c in found)


def test_a_layer_hands_nothing_on():
    # A sub-package's __init__ is its docstring: importing one module never loads its siblings.
    busy = [f"{name} imports {target}" for name, edges in GRAPH.items()
            if MODULES[name].name == "__init__.py" and name != PACKAGE for _, target in edges]
    assert not busy, "\n".join(busy)


def test_only_the_top_loads_the_lexicon():
    # The pipeline loads and checks every rule file once and hands each stage its parsed rules.
    readers = [f"{importer}:{line}" for importer, edges in checked(GRAPH).items() for line, target in edges
               if target == LEXICON and layer(importer) != TOP]
    assert not readers, "modules below the top that import the lexicon: " + ", ".join(readers)


def test_every_known_exception_is_still_there():
    # An exception that was fixed is struck off KNOWN, so the list can only shrink, and it holds
    # only imports that really break a rule (an allowed import needs no exception).
    imported = {(name, target) for name, edges in GRAPH.items() for _, target in edges}
    gone = sorted(edge for edge in KNOWN if edge not in imported)
    assert not gone, f"no longer imported, strike them off KNOWN: {gone}"
    allowed = sorted(edge for edge in KNOWN if not wrong_way(*edge))
    assert not allowed, f"these imports break no rule, strike them off KNOWN: {allowed}"


def test_no_module_is_over_500_lines():
    long = sorted(f"{name}: {lines_of(path)} lines" for name, path in MODULES.items()
                  if lines_of(path) > MAX_LINES and name not in LONGER)
    assert not long, f"modules over {MAX_LINES} lines (split them, or give the reason in LONGER): {long}"


def test_every_longer_module_is_still_long():
    # An exception that was fixed is struck off LONGER, so the list can only shrink.
    gone = sorted(name for name in LONGER if name not in MODULES)
    assert not gone, f"no such module, strike them off LONGER: {gone}"
    short = sorted(f"{name}: {lines_of(MODULES[name])} lines" for name in LONGER
                   if lines_of(MODULES[name]) <= MAX_LINES)
    assert not short, f"no longer over {MAX_LINES} lines, strike them off LONGER: {short}"


def test_the_checks_see_what_they_are_for():
    # Known answers: an import inside a function, a relative one, one under TYPE_CHECKING, a cycle.
    modules = dict.fromkeys([f"{PACKAGE}.base.constants", f"{PACKAGE}.rules.lexicon",
                             f"{PACKAGE}.analysis.findings", f"{PACKAGE}.report.figures"], Path())
    source = ("from typing import TYPE_CHECKING\n"
              "from ..base.constants import ALPHA\n"
              "if TYPE_CHECKING:\n"
              "    from ..rules import lexicon\n"
              "def f():\n"
              "    from ..analysis.findings import ALPHA\n"
              "    return ALPHA\n")
    assert imports_of(source, f"{PACKAGE}.report.figures", modules) == [
        (2, f"{PACKAGE}.base.constants"), (4, LEXICON), (6, f"{PACKAGE}.analysis.findings")]
    assert layer(f"{PACKAGE}.analysis.findings") > layer(f"{PACKAGE}.text.measures") > layer(f"{PACKAGE}.rules.spec")
    assert layer(PACKAGE) == layer(f"{PACKAGE}.pipeline") == TOP
    assert cycles({"a": [(1, "b")], "b": [(1, "a")], "c": [(1, "a")]}) == [["a", "b"]]
    assert cycles({"a": [(1, "b")], "b": [(1, "c")]}) == []
    assert wrong_way(f"{PACKAGE}.rules.lexicon", f"{PACKAGE}.text.clean")  # up
    assert wrong_way(f"{PACKAGE}.analysis.pmc", LEXICON)  # the lexicon below the top
    assert not wrong_way(f"{PACKAGE}.pipeline", LEXICON)
    assert not wrong_way(f"{PACKAGE}.text.clean", f"{PACKAGE}.io.sources")  # down
    assert not wrong_way(f"{PACKAGE}.text.formulas", f"{PACKAGE}.text.clean")  # a sibling
    graph = {f"{PACKAGE}.text.coding": [(148, LEXICON), (21, f"{PACKAGE}.base.workers")]}
    known = {(f"{PACKAGE}.text.coding", LEXICON)}
    assert checked(graph, known) == {f"{PACKAGE}.text.coding": [(21, f"{PACKAGE}.base.workers")]}


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COMPUTING = ("scipy", "sklearn", "networkx")  # a notebook shows what the build computed with them
# Calls a notebook does not make: building, writing files, reading around `io.tables` (a rule file
# above all), and what the notebooks computed before the build wrote it as a table (issue 24).
FORBIDDEN_CALLS = {
    "build", "write_text", "write_bytes", "open", "read_text", "read_csv", "write_figure_readme", "with_findings",
    "lexicon_file", "load_raw_documents", "PolicyTokenizer", "fit_tfidf", "clusters_vs_themes", "read_gold",
    "split_ids", "disagreements", "tested_sources", "comparison_gap", "units_of", "leaders", "read_check",
    "match_targets", "match_references", "generic_places", "community_stability", "modularity", "density",
    "graph_from_tables", "spearmanr", "fisher_exact", "normal", "earlier", "date_span", "strip_glosses",
    "to_simplified", "normalise_line"}


def notebook_code(path: Path) -> ast.Module:
    """A notebook's code cells parsed as one module (IPython magics and shell lines left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = [ln for c in cells if c["cell_type"] == "code" for ln in "".join(c["source"]).splitlines()
             if not ln.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def notebook_problems(tree: ast.Module) -> list[str]:
    """What a notebook's code does beyond reading tables and showing them."""
    nodes = list(ast.walk(tree))
    froms = [n for n in nodes if isinstance(n, ast.ImportFrom)]
    imported = {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names} | {n.module or "" for n in froms}
    named_too = imported | {f"{n.module}.{a.name}" for n in froms for a in n.names}
    problems = [f"imports {m}: the build computes, the notebook shows its tables"
                for m in sorted(imported) if m.split(".")[0] in COMPUTING]
    # a rule module's constants and types (TIME_CLASSES, RELATIONS, Params) may be used; the lexicon,
    # which reads the files, not
    problems += [f"imports {m}: loads the lexicon" for m in sorted(named_too)
                 if m == LEXICON or m.startswith(LEXICON + ".")]
    paths = {n.value for n in nodes
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and "lexicon/" in n.value}
    problems += [f"names the rule folder: {s!r}" for s in sorted(paths)]
    called = {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
              for n in nodes if isinstance(n, ast.Call)}
    problems += [f"calls {c}: a notebook reads tables through io.tables, draws with report, and writes only its figures"
                 for c in sorted(called & FORBIDDEN_CALLS)]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_only_reads_and_shows(path):
    problems = notebook_problems(notebook_code(path))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_notebook_check_sees_what_it_is_for(tmp_path):
    # Known answers: each way of computing in a notebook is caught; reading and drawing is not; magics are skipped.
    cells = [["%matplotlib inline\n", "import networkx as nx\n", "from scipy.stats import spearmanr\n"],
             [f"from {LEXICON} import Lexicon\n", "from bizenv_analysis.rules import lexicon\n"],
             ["x = pd.read_csv('data/lexicon/themes.csv')\n", "nx.community.modularity(g, parts)\n"],
             ["from bizenv_analysis.io import tables\n", "from bizenv_analysis.rules.targets import TIME_CLASSES\n",
              "t = tables.load('coword_summary', out_dir)\n", "figures.heatmap(t)\n"]]
    path = tmp_path / "00_demo.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]
                                + [{"cell_type": "markdown", "source": ["import sklearn"]}]}), encoding="utf-8")
    assert notebook_problems(notebook_code(path)) == [
        "imports networkx: the build computes, the notebook shows its tables",
        "imports scipy.stats: the build computes, the notebook shows its tables",
        f"imports {LEXICON}: loads the lexicon",
        f"imports {LEXICON}.Lexicon: loads the lexicon",
        "names the rule folder: 'data/lexicon/themes.csv'",
        "calls modularity: a notebook reads tables through io.tables, draws with report, and writes only its figures",
        "calls read_csv: a notebook reads tables through io.tables, draws with report, and writes only its figures"]
