"""The study's static site (`make site`, tools/build_site.py), built from the committed notebooks
and figures, and every page of it loaded in a real headless browser: Debian's chromium, driven by
Playwright (`make test` installs chromium when it is missing and it runs as root)."""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pandas as pd
import pytest
from corpora import HOSTILE_DOC_TYPE, HOSTILE_FIELDS, HOSTILE_HEADING, HOSTILE_MEASURE, hostile_ids, make_hostile_corpus
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_site)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INDEX = pd.read_csv(ROOT / "figures" / "index.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# As the machine's own browser probe starts it: no sandbox as root, and no calls home, which a
# closed network refuses and the console would report.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The bundled study's site, built once for the run (the xdist workers share it, as built_dir)."""
    from conftest import run_folder
    from filelock import FileLock

    root = run_folder(tmp_path_factory, worker_id)
    out = root / "site"
    with FileLock(root / "site.lock"):
        if not (out / "index.html").is_file():
            build_site.build(out=out)
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_notebook_and_the_gallery_are_pages(site: Path) -> None:
    pages = {p.relative_to(site).as_posix() for p in _pages(site)}
    assert {"index.html", "gallery.html", "search.html"} <= pages
    assert {f"notebooks/{Path(nb).stem}.html" for nb in NOTEBOOKS} <= pages
    findings = (site / "notebooks" / "09_findings.html").read_text(encoding="utf-8")
    assert "In English" in findings and "中文" in findings  # the findings in both languages, with outputs
    assert "supported" in findings


def test_the_gallery_shows_every_figure_with_its_titles_captions_and_files(site: Path) -> None:
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    cards = re.findall(r'<figure id="([^"]+)">(.*?)</figure>', gallery, flags=re.S)
    assert [fig_id for fig_id, _ in cards] == list(INDEX["id"])
    for (fig_id, card), row in zip(cards, INDEX.itertuples(), strict=True):
        for text in (row.title_zh, row.title_en, row.caption_zh, row.caption_en):
            assert text in html.unescape(card)
        links = re.findall(r'href="([^"]+)"', card)
        files = {f"figures/{fig_id}_{lang}.{ext}" for lang in ("zh", "en") for ext in ("png", "svg", "pdf")}
        assert files | {f"figures/{row.data}"} <= set(links)
        assert f"notebooks/{Path(row.notebook).stem}.html" in links
        thumb = Image.open(site / "figures" / "thumbs" / f"{fig_id}_en.png")
        assert thumb.width == build_site.THUMB_PX


def test_the_zips_hold_every_figure_and_table_with_fixed_times(site: Path) -> None:
    figure_files = sorted(p.name for p in (ROOT / "figures").iterdir() if p.is_file() and not p.name.startswith("."))
    with zipfile.ZipFile(site / "figures.zip") as archive:
        assert archive.namelist() == [f"figures/{name}" for name in figure_files]
        assert {info.date_time for info in archive.infolist()} == {build_site.ZIP_TIME}
        assert archive.read("figures/index.csv") == (ROOT / "figures" / "index.csv").read_bytes()
    kinds = {".csv", ".gexf", ".graphml"}
    # laid out as in data/: the plans' tables under processed/, the regulations' under regulations/processed/
    tables = [f"{folder}/{p.name}" for folder in ("processed", "regulations/processed")
              for p in (ROOT / "data" / folder).iterdir() if p.suffix in kinds]
    assert "regulations/processed/links.csv" in tables and "processed/measures.csv" in tables
    with zipfile.ZipFile(site / "tables.zip") as archive:
        assert sorted(archive.namelist()) == sorted([*tables, "datapackage.json"])
        assert {info.date_time for info in archive.infolist()} == {build_site.ZIP_TIME}
        links = ROOT / "data" / "regulations" / "processed" / "links.csv"
        assert archive.read("regulations/processed/links.csv") == links.read_bytes()
        package = json.loads(archive.read("datapackage.json"))
    # every resource of data/datapackage.json whose file the zip holds is described, at its path there
    described = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert package["resources"] == [r for r in described if r["path"] in tables]
    assert {"regulations/processed/articles.csv", "processed/measures.csv"} <= {r["path"] for r in package["resources"]}
    # and the page that offers the zip says where the regulations' tables are in it
    index = html.unescape((site / "index.html").read_text(encoding="utf-8"))
    assert "tables.zip" in index and "regulations/processed/" in index and build_site.REGULATIONS_MARK not in index
    # the same files give the same bytes, whenever they are zipped
    pairs = [(f"figures/{n}", ROOT / "figures" / n) for n in figure_files[:5]]
    assert build_site.deterministic_zip(pairs) == build_site.deterministic_zip(list(reversed(pairs)))


def test_the_table_package_of_a_corpus_of_ones_own_describes_its_processed_tables() -> None:
    """Its zip has processed/ only: a resource data/ keeps under regulations/processed/ describes the
    corpus's processed/ file of that name; resources of files it lacks are left out."""
    package = json.loads(build_site._datapackage({"processed/measures.csv", "processed/articles.csv"}))
    assert [r["path"] for r in package["resources"]] == ["processed/measures.csv", "processed/articles.csv"]
    assert [r["name"] for r in package["resources"]] == ["measures", "articles"]


def test_no_page_loads_anything_from_off_the_site(site: Path) -> None:
    """Built with no network, read with none: scripts, styles, images and fonts are all local."""
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img|link)\b[^>]*?(?:src|href)="([^"]+)"', text)
        assert not [u for u in loaded if urlparse(u).scheme or u.startswith("//")], page.name
    css = "".join(p.read_text(encoding="utf-8") for p in (site / "_static").rglob("*.css"))
    assert not re.search(r"url\((['\"]?)(https?:)?//", css)


def test_a_folder_holding_other_work_is_refused_and_left_as_it_was(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "reports" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("my draft", encoding="utf-8")
    assert build_site.main(["--out", str(notes.parent)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a site" in err and "choose a new or empty folder" in err
    assert [p.name for p in notes.parent.iterdir()] == ["notes.txt"] and notes.read_text(encoding="utf-8") == "my draft"
    # a site checked out with its git folder (a gh-pages worktree): the swap would delete .git
    pages = tmp_path / "pages"
    (pages / ".git").mkdir(parents=True)
    (pages / "index.html").write_text("<html></html>", encoding="utf-8")
    assert build_site.main(["--out", str(pages)]) == 2
    assert ".git" in capsys.readouterr().err and (pages / ".git").is_dir()
    # the folder of a table build is not a site either
    tables = tmp_path / "processed"
    tables.mkdir()
    (tables / ".bizenv-build").write_text("# list\nmeasures.csv\n", encoding="utf-8")
    (tables / "measures.csv").write_text("measure_id\n", encoding="utf-8")
    assert build_site.main(["--out", str(tables)]) == 2
    assert "not a site" in capsys.readouterr().err and (tables / "measures.csv").is_file()


def test_a_corpus_not_yet_studied_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "notebooks").mkdir(parents=True)
    assert build_site.main(["--data", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not executed yet" in err and f"make study DATA={corpus}" in err
    assert len(err.strip().splitlines()) == 1
    assert not (corpus / "site").exists()


@contextlib.contextmanager
def serve(folder: Path, requested: list[str] | None = None) -> Iterator[str]:
    """`folder` over HTTP on a free loopback port: its base URL (every path asked for is added to
    `requested`, when given)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send_head(self) -> object:
            if requested is not None:
                requested.append(self.path)
            return super().send_head()

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser moving on mid-request is fine
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: `make test` installs it when run "
                    "as root; otherwise `sudo apt-get install chromium`")
def test_every_page_loads_in_a_browser_with_its_images_links_and_chinese(site: Path, served: str) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    links: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: m.type in {"error", "warning"} and problems.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
        # A request still in flight when the test moves to the next page (the favicon, fetched after
        # the load event) is aborted by the browser, which says nothing about the site: such a URL is
        # asked of the server directly below. Any other failure is a problem.
        cut_short: set[str] = set()
        page.on("requestfailed", lambda r: cut_short.add(r.url) if r.failure == "net::ERR_ABORTED"
                else problems.append(f"failed: {r.url} ({r.failure})"))
        for html_page in _pages(site):
            url = served + html_page.relative_to(site).as_posix()
            # A page is done at its load event once its web fonts are in; the search page also
            # fetches its index by script, so it is left until the network has been idle 500 ms.
            page.goto(url, wait_until="networkidle" if html_page.name == "search.html" else "load")
            page.evaluate("document.fonts.ready.then(() => true)")
            broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                                   ".map(i => i.src)")
            problems += [f"{url}: image {src} not shown" for src in broken]
            hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
            links |= {urldefrag(urljoin(url, h))[0] for h in hrefs}

        # Chinese is drawn with the study's font, not as empty boxes: the glyphs of a gallery title
        # come from the shipped Noto Sans CJK SC (a web font, so on any machine).
        page.goto(served + "gallery.html", wait_until="networkidle")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "figcaption span[lang='zh-Hans']"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        cjk = len(re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", INDEX["title_zh"].iloc[0]))
        assert {"familyName": "Noto Sans CJK SC", "postScriptName": "NotoSansCJKsc-Regular", "isCustomFont": True,
                "glyphCount": cjk} in fonts
        # One screenshot check: the gallery heading drawn with the shipped font differs from the
        # same heading with that font withheld (empty boxes, or whatever CJK font the machine has).
        drawn = page.locator("h1").screenshot()
        bare = browser.new_page(viewport={"width": 1280, "height": 900})
        bare.route("**/*.ttf", lambda route: route.abort())
        bare.goto(served + "gallery.html", wait_until="networkidle")
        assert bare.locator("h1").screenshot() != drawn, "the gallery's Chinese is not drawn with the shipped font"
        browser.close()
    assert not problems, "\n".join(problems)

    local = sorted(u for u in links | cut_short if u.startswith(served))
    assert any(u.endswith("figures.zip") for u in local) and any(u.endswith("_zh.pdf") for u in local)
    for url in local:  # an error status raises: the link is broken
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as response:
            assert response.status == 200, url


# What a page holds that a payload of tests/corpora.HOSTILE would have made, had it been read as
# markup: event-handler attributes, the elements and requests it names `pwned`, javascript: links,
# inline scripts calling alert; and the page's text, and the text of its Markdown outputs (the
# children of a cell's output that are not a rich output such as a table or an image).
_MADE_BY_A_PAYLOAD = r"""() => ({
  made: [...document.querySelectorAll('*')].flatMap(e => [
    ...[...e.attributes].filter(a => /^on/i.test(a.name)).map(a => `${e.tagName} ${a.name}`),
    ...(e.matches('.pwned, [src*="pwned"], [href*="pwned"], [href^="javascript:" i], [src^="javascript:" i]')
        ? [e.outerHTML.slice(0, 100)] : []),
    ...(e.tagName.toLowerCase() === 'script' && /alert\(\d\)/.test(e.textContent)
        ? ['script: ' + e.textContent] : [])]),
  text: document.body ? document.body.innerText : document.documentElement.textContent,
  prose: [...document.querySelectorAll('.cell_output > :not(.output)')].map(e => e.innerText).join('\n'),
})"""


def _hostile_study(folder: Path) -> tuple[Path, list[str]]:
    """The study run on tests/corpora's hostile corpus, as `make study site DATA=…` runs it: the
    tables built, every notebook executed on them, the site built from those. The site's folder,
    and the corpus's ids (with HTML in them as long as sources.csv accepts such ids)."""
    from bizenv_analysis.__main__ import main
    from bizenv_analysis.base.errors import BuildError
    from bizenv_analysis.io.sources import read_sources

    try:  # ids limited to letters, digits, - and _ (issue #23) leave the payload to the other fields
        read_sources(make_hostile_corpus(folder / "probe"))
        html_in_ids = True
    except BuildError:
        html_in_ids = False
    corpus = make_hostile_corpus(folder / "corpus", html_in_ids)
    assert main(["build", "--data", str(corpus), "--quiet"]) == 0
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--data", str(corpus),
                          "--jobs", str(os.cpu_count() or 1), *(str(ROOT / "notebooks" / nb) for nb in NOTEBOOKS)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    return build_site.build(data=corpus), hostile_ids(html_in_ids)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: `make test` installs it when run "
                    "as root; otherwise `sudo apt-get install chromium`")
def test_html_and_script_in_every_field_and_text_run_nowhere_and_show_as_written(tmp_path: Path) -> None:
    """A corpus with HTML, script and Markdown in every free-text field of sources.csv (the ids
    and file names too), in a heading and in a measure: on every page of its site, in its search
    results and in every SVG figure, no script runs, nothing is loaded and no markup is made from
    them, and the values show as the literal text they are, in tables and in the notebooks'
    Markdown prose alike (issue #23)."""
    from playwright.sync_api import sync_playwright

    from bizenv_analysis.text.clean import normalise_line

    site, ids = _hostile_study(tmp_path)
    targets = ([p.relative_to(site).as_posix() for p in _pages(site)] + ["search.html?q=onerror"]
               + [p.relative_to(site).as_posix() for p in sorted((site / "figures").glob("*.svg"))])
    ran: list[str] = []
    requested: list[str] = []
    texts: dict[str, str] = {}
    prose: dict[str, str] = {}
    with serve(site, requested) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (ran.append(f"{page.url}: dialog {d.message}"), d.dismiss()))
        page.on("request", lambda r: ("pwned" in r.url or r.url.startswith("javascript:"))
                and ran.append(f"{page.url}: requested {r.url}"))
        for target in targets:
            # the search page fetches its index, then each result page, by script
            page.goto(url + target, wait_until="networkidle" if target.startswith("search") else "load")
            got = page.evaluate(_MADE_BY_A_PAYLOAD)
            ran += [f"{target}: {m}" for m in got["made"]]
            texts[target], prose[target] = got["text"], got["prose"]
        browser.close()
    ran += [f"server: {path}" for path in requested if "pwned" in path]
    assert not ran, "\n".join(ran)
    assert "onerror" in texts["search.html?q=onerror"]  # the search found the pages and quoted them

    pages = "\n".join(t for name, t in texts.items() if name.endswith(".html"))
    # ids and genres are keys, plain where sources.csv refuses markup in them (issue #23)
    genre = HOSTILE_DOC_TYPE if ids != hostile_ids(html_in_ids=False) else "action_plan"
    shown = [HOSTILE_FIELDS[c] for c in ("title", "issuer", "place", "admin_level")]  # notebook 01's table
    for value in [*shown, genre, *ids, HOSTILE_HEADING, normalise_line(HOSTILE_MEASURE)[:40]]:
        assert value in pages, value
    # Markdown prose: the genre and the place (findings' scope, notebook 10), every id, and the
    # measure's line raw and cleaned (notebook 01), each exactly as written
    markdown = "\n".join(prose.values())
    for value in [genre, HOSTILE_FIELDS["place"], *ids, f"1.{HOSTILE_MEASURE}",
                  f"1.{normalise_line(HOSTILE_MEASURE)}"]:
        assert value in markdown, value
    # the figures' labels are SVG text as written: each source's label, made from its place and year
    # where sources.csv gives none (the hostile place, HTML and all, with its id where two agree)
    from bizenv_analysis.io import tables
    from bizenv_analysis.report import plotting

    plotting.use_sources(tables.sources(tmp_path / "corpus"))
    labels = [plotting.source_label(sid, "en") for sid in ids]
    plotting.use_sources(tables.sources())  # the bundled corpus's labels again, for the other tests
    svg = texts["figures/fig01_measures_by_source_en.svg"]
    assert HOSTILE_FIELDS["place"] in labels[0] and all(label in svg for label in labels), labels
