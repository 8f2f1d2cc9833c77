"""A corpus's values shown as the literal text they are, wherever the study renders them (issue #23):
Markdown prose (`report.markdown.text`, `report.markdown.code`), the findings list, the figures' README, the site's
gallery, SVG figure text and the notebooks' tables. The whole path, a hostile corpus through
notebooks and site into a real browser, is tests/test_site.py's browser test; these are its parts,
each checked against the parser or file format that reads it."""

from __future__ import annotations

import html as html_module
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from corpora import HOSTILE, HOSTILE_FIELDS
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.report import figures, statements
from bizenv_analysis.report.markdown import code, text
from bizenv_analysis.report.plotting import figure_bytes
from bizenv_analysis.report.saving import write_figure_readme

_spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_site)

# Values that are markup, or open a block, in some Markdown: HTML and script, links and
# autolinks, emphasis, code, tables, entities, MyST roles, targets, comments and math, line
# breaks that would start a new block.
VALUES = [*HOSTILE.values(), *HOSTILE_FIELDS.values(),
          "# heading", "- item", "+ item", "1. item", "12) item", "3.", "4)\tx", "98.48%", "> quote", "***", "---",
          "===", "% comment",
          "(target)=", ":::{note}", "```", "~~~", "    indented", "|a|b|", "~~gone~~", "[^1]", "[a]: http://x",
          "![i](x.png)", "<!-- c -->", "<http://x>", "&lt;b&gt;", "&#60;script&#62;", "&amp;", "{role}`x`",
          "{{ sub }}", "$$x$$", r"a\*b\\", "x\\", "_a_", "__a__", "a_b_c", "中_文_", "*", "_", "`", "``x``",
          "line one\n\n<script>alert(6)</script>", "a\r\n# b", "a\u2028- b", "quzhou-2018: innovation_talent (5 of 24)"]

# The parsers a value meets: the site renders a notebook's Markdown output as CommonMark (myst-nb's
# default) and its own pages as MyST (site/conf.py); a wider MyST (math, substitutions, attributes)
# and CommonMark with GFM tables and strikethrough (the README's findings list) must not read
# anything into the value either.
PARSERS = {
    "commonmark (notebook outputs)": create_md_parser(MdParserConfig(commonmark_only=True), RendererHTML),
    "myst (the site's pages)": create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML),
    "myst, every syntax extension": create_md_parser(MdParserConfig(enable_extensions={
        "amsmath", "attrs_inline", "colon_fence", "deflist", "dollarmath", "fieldlist", "html_admonition",
        "html_image", "strikethrough", "substitution", "tasklist"}), RendererHTML),
    "commonmark + tables, strikethrough": MarkdownIt("commonmark").enable(["table", "strikethrough"]),
}


def literal(value: str) -> str:
    """The HTML a renderer writes for `value` as plain text (line breaks shown as spaces)."""
    return escapeHtml(re.sub("\r\n|[\n\r\u2028]", " ", value).strip())


@pytest.mark.parametrize(("value", "markdown"), [
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
    ("[x](javascript:alert(3))", r"\[x\](javascript:alert(3))"),
    ("`c` *e* | $m$ {x} & ~", r"\`c\` \*e\* \| \$m\$ \{x\} \& \~"),
    ("action_plan", "action_plan"),  # between letters, _ is never emphasis: left as written
    ("_u_ a_ _b", r"\_u\_ a\_ \_b"),
    ("# h", r"\# h"), ("- l", r"\- l"), ("(t)=", r"\(t)="), ("1. x", r"1\. x"), ("12) y", r"12\) y"), ("7.", r"7\."),
    ("98.48%", "98.48%"), ("25.强化公共资源交易监管。", "25.强化公共资源交易监管。"),  # no list: nothing to escape
    ("a\nb\r\nc\u2028d", "a b c d"),
    ("gz-pilot-2021", "gz-pilot-2021"),
    ("不成立:3份政策文件(16个标题单元,n = 81)", "不成立:3份政策文件(16个标题单元,n = 81)"),
    (2024, "2024"),
])
def test_text_escapes_what_markdown_reads_and_leaves_the_rest(value, markdown):
    assert text(value) == markdown


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("value", VALUES)
def test_a_value_renders_as_the_literal_text_it_is_wherever_it_stands(parser, value):
    md = PARSERS[parser]
    shown = literal(value)
    for template, html in [("{}", "<p>{}</p>\n"), ("**{}**", "<p><strong>{}</strong></p>\n"),
                           ("- {}", "<ul>\n<li>{}</li>\n</ul>\n"), ("1. x {} y", '<ol>\n<li>x {} y</li>\n</ol>\n'),
                           ("a\n{}", "<p>a\n{}</p>\n")]:
        if template == "**{}**" and shown != value.strip():
            continue  # emphasis needs no space inside its stars; a stripped value loses one
        assert md.render(template.format(text(value))) == html.format(shown), template


def test_a_value_in_a_table_cell_stays_in_its_cell():
    md = PARSERS["commonmark + tables, strikethrough"]
    row = " | ".join(text(v) for v in VALUES)
    cells = re.findall(r"<td>(.*?)</td>", md.render(f"| {' | '.join('h' * len(VALUES))} |\n"
                                                    f"|{'---|' * len(VALUES)}\n| {row} |"))
    assert cells == [literal(v) for v in VALUES]


@pytest.mark.parametrize("value", [v for v in VALUES if v.strip()])
def test_code_shows_a_value_in_a_code_span_as_written(value):
    for md in PARSERS.values():
        assert md.render(f"see {code(value)} here") == f"<p>see <code>{literal(value)}</code> here</p>\n"
    assert code("gz-pilot-2021") == "`gz-pilot-2021`" and code("a`b") == "``a`b``" and code("`x") == "`` `x ``"


def test_the_findings_list_shows_statements_places_and_genres_as_written():
    """The findings list (notebook 09 and the README) names sources, places and genres: a hostile
    one is text in the list, and the list is still one numbered list of its findings."""
    sid, place, genre = HOSTILE["img"], HOSTILE_FIELDS["place"], HOSTILE["script"]
    documents = pd.DataFrame({"source_id": [sid, "b"], "place": [place, place], "doc_type": [genre, "action_plan"],
                              "year": [2020, 2021]})
    table = pd.DataFrame({"finding_id": ["emphasis", "x"],
                          "statement_en": [f"{sid} differs: {HOSTILE['link']}", f"- {HOSTILE['markdown']}"],
                          "statement_zh": ["", ""], "sensitivity_note": [f"note {HOSTILE['table']}", ""]})
    html = PARSERS["commonmark (notebook outputs)"].render(statements.findings_markdown(table, documents, "en"))
    items = re.findall(r"<li>(.*?)</li>", html, flags=re.S)
    assert len(items) == 2 and "<ol>" in html
    assert literal(f"{sid} differs: {HOSTILE['link']}") in items[0]
    assert literal(f"note {HOSTILE['table']}") in items[0] and literal(f"- {HOSTILE['markdown']}") in items[1]
    scope = html.split("<ol>")[0]
    assert literal(place) in scope and literal(genre) in scope
    assert not re.search(r"<(?!/?(p|ol|li|strong|em)>)", html)  # no element but the list's own


def test_the_figures_readme_shows_titles_and_captions_as_written(tmp_path: Path):
    index = pd.DataFrame([{"id": "fig01_x", "files": "fig01_x_zh.png fig01_x_en.png", "width": "full (16 cm)",
                           "title_zh": HOSTILE["script"], "title_en": f"T {HOSTILE['img']}",
                           "caption_zh": f"# {HOSTILE['markdown']}", "caption_en": f"{HOSTILE['link']}\n\n<b>x</b>",
                           "notebook": "01_x.ipynb", "function": "bizenv_analysis.report.figures.heatmap",
                           "data": "fig01_x_data.csv", "source_tables": HOSTILE["table"]}])
    index.to_csv(tmp_path / "index.csv", index=False, encoding="utf-8-sig")
    html = PARSERS["commonmark + tables, strikethrough"].render(
        write_figure_readme(tmp_path).read_text(encoding="utf-8"))
    for value in index.iloc[0, 3:].drop(["notebook", "function", "data"]):
        assert literal(value) in html
    assert "<script>" not in html and "<b>" not in html and html.count("<h2>") == 1


def test_a_gallery_card_keeps_a_title_or_caption_literal_even_across_blank_lines():
    """The gallery is raw HTML inside MyST: a value is HTML-escaped and kept on one line, since a
    blank line would end the HTML block and hand the rest of the card to the Markdown parser."""
    index = pd.DataFrame([{"id": "fig01_x", "width": "full (16 cm)", "title_zh": HOSTILE["script"],
                           "title_en": HOSTILE["img"], "caption_zh": f"a\n\n{HOSTILE['markdown']}",
                           "caption_en": f"b\n\n{HOSTILE['link']}\n\n<b>x</b>", "notebook": "01_x.ipynb",
                           "data": "fig01_x_data.csv"}])
    html = PARSERS["myst (the site's pages)"].render(build_site.gallery_page(index, {"01_x.ipynb"}))
    card = re.search(r"<figure.*?</figure>", html, flags=re.S).group()
    assert "<script>" not in card and "<img src=pwned" not in card and "<b>" not in card and "<em>" not in card
    shown = " ".join(html_module.unescape(re.sub("<[^>]*>", " ", card)).split())  # the card's text
    for value in index.iloc[0, 2:6]:
        assert " ".join(value.split()) in shown


def test_svg_text_is_the_label_as_written_and_a_dollar_is_no_formula():
    """Figures keep their text as SVG <text> (svg.fonttype none): matplotlib escapes it, so a
    label with HTML or script in it is text in a well-formed file; a `$` is drawn as written, not
    read as mathtext (which set `$x$` as a formula and stopped the figure on `$\\frac{1$`)."""
    ids = [HOSTILE["script"], HOSTILE["img"], HOSTILE["svg"], r"b$\frac{1$", "c $x^2$ & \\$",
           'd"><svg onload=alert(7)>']
    counts = pd.DataFrame({"source_id": ids, "kind": "measure", "n": range(3, 3 + len(ids))})
    fig = figures.measures_by_source(counts, "en")
    svg = figure_bytes(fig)["svg"]
    root = ET.fromstring(svg)  # well-formed: nothing in a label closed or opened an element
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert not tags & {"script", "foreignObject", "img", "a", "iframe"}
    assert not [(el.tag, a) for el in root.iter() for a in el.attrib if a.lower().startswith("on")]
    drawn = ["".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text")]
    assert all(sid in drawn for sid in ids)


def test_notebook_tables_escape_their_cells_headers_and_index():
    """Every table a notebook shows is a DataFrame's own HTML (pandas escapes cells, column names
    and index labels), never a Styler or to_html, which can leave HTML as it is."""
    frame = pd.DataFrame({HOSTILE["script"]: [HOSTILE["img"]]}, index=pd.Index([HOSTILE["svg"]], name=HOSTILE["table"]))
    grouped = pd.crosstab(pd.Series([HOSTILE["img"]], name="a"), pd.Series([HOSTILE["script"]], name="b"))
    for html in (frame._repr_html_(), grouped._repr_html_()):
        assert "<script>" not in html and "<img" not in html and "<svg" not in html and "<u " not in html
        assert escapeHtml(HOSTILE["img"]) in html
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert not re.search(r"\.style\b|to_html|\bHTML\(|\bMarkdown\(|text/html", source), path.name
