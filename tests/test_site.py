"""The course website and the lessons' slide decks (tools/build_site.py), read in real
(headless) Chromium as a reader would, with no network: every request for anything but the
local test server (127.0.0.1) is blocked and counted, and none may happen.

Both are built once per test session, into a temporary folder, and served by a small web
server on 127.0.0.1. The site: every page loads without an error, every equation is typeset
(no $$, \\( or \\[ left in the text, no MathJax error, every \\tag shown), every image loads,
every link to another page of the site leads to a page that is there, the lessons are in order
(sidebar, next/previous, the README's lesson map) and the search finds a lesson. The slides:
every deck loads the same way, has the sub-slides that tools/slides.py plans, can be stepped
through with the keyboard, shows code lines of 100 characters whole at 1280 x 720 in a
readable size, and puts several cells on one sub-slide only where they fit on the screen.

Screenshots: test-artifacts/site/ (a lesson page, the home page, the search, a slide with
equations, one with code, the decks' index); build times and sizes in test-artifacts/site/
build.txt. Without Chromium, Playwright or the site extra the tests skip, except under
CI=true, where they fail (`python course.py test` installs the site extra).
"""

import functools
import http.server
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from browser_support import ALL_NOTEBOOKS, ROOT, unavailable

sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "site"
SITE_VIEWPORT = {"width": 1400, "height": 1000}
SLIDES_VIEWPORT = {"width": 1280, "height": 720}   # a projector
BUILD_TIMEOUT = 600
MATH_TIMEOUT = 60_000   # ms: MathJax typesetting a long lesson on a busy machine
LESSON_PAGES = [f"notebooks/{path.stem}.html" for path in ALL_NOTEBOOKS]
# In the site's order: the home page, the lessons, then CONTRIBUTING.
SITE_PAGES = ["README.html"] + LESSON_PAGES + ["CONTRIBUTING.html"]


# -- building and serving --------------------------------------------------------------------

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The site and the slides, built by tools/build_site.py into a temporary folder (once per
    session); the folder. Build times and sizes go to test-artifacts/site/build.txt."""
    try:
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
    except ImportError as error:
        unavailable(f"the site extra is not installed ({error}); `python course.py site` "
                    "installs it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = tmp_path_factory.mktemp("built")
    lines = []
    for what in ("site", "slides"):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_site.py"), what, "--out",
             str(out / what)], cwd=ROOT, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT)
        seconds = time.monotonic() - started
        assert result.returncode == 0, (f"building the {what} failed:\n"
                                        f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        files = [path for path in (out / what).rglob("*") if path.is_file()]
        lines.append(f"{what}: {seconds:.1f} s, {len(files)} files, "
                     f"{sum(path.stat().st_size for path in files) / 1e6:.1f} MB")
    (ARTIFACTS / "build.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(built):
    """A web server on 127.0.0.1 (a free port) serving the built folder; its base URL."""
    handler = functools.partial(QuietHandler, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Reader:
    """A browser page that can reach the test server only: every other request is aborted and
    recorded (`outside`), as are page errors and failed answers of the server."""

    def __init__(self, browser, base, viewport):
        self.base = base
        self.context = browser.new_context(viewport=viewport)
        self.outside, self.errors, self.failed = [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(
            f"console {message.type}: {message.text}") if message.type == "error" else None)
        self.page.on("response", lambda response: self.failed.append(
            f"{response.status} {response.url}") if response.status >= 400 else None)

    def _route(self, route):
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def problems(self):
        return ([f"request outside 127.0.0.1: {url}" for url in self.outside]
                + [f"page error: {error}" for error in self.errors]
                + [f"failed request: {failed}" for failed in self.failed])

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser, server):
    readers = []

    def make(viewport):
        readers.append(Reader(browser, server, viewport))
        return readers[-1]

    yield make
    for made in readers:
        made.close()


# -- what a page shows -------------------------------------------------------------------------

_WAIT_FOR_MATHJAX_JS = """
async () => {
  if (!document.querySelector('.math, .jp-RenderedMarkdown')) return 'no math';
  for (let k = 0; k < 600 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); k++) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await MathJax.startup.promise;
  return 'typeset';
}
"""

# What the page shows in `root`: the text outside code and typeset math, MathJax's error
# boxes, the equations it numbered (each \\tag is an mlabeledtr in the MathML it keeps for
# screen readers), the Sphinx math elements left untypeset, the images, the links.
_PAGE_REPORT_JS = """
(rootSelector) => {
  const root = document.querySelector(rootSelector) || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: node =>
      node.parentElement.closest('pre, code, script, style, mjx-container, textarea')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = '';
  while (walker.nextNode()) text += walker.currentNode.nodeValue;
  return {
    text,
    typeset: root.querySelectorAll('mjx-container').length,
    errors: [...root.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 120)),
    labels: root.querySelectorAll('mjx-assistive-mml mlabeledtr').length,
    untypeset: [...root.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container'))
        .map(m => m.textContent.slice(0, 80)),
    images: [...root.querySelectorAll('img')].map(img => ({
        src: img.getAttribute('src').slice(0, 80), ok: img.complete && img.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    next: (document.querySelector('a.right-next') || {}).href || null,
    previous: (document.querySelector('a.left-prev') || {}).href || null,
  };
}
"""

RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\s][^$\n]*?\$")


def lesson_tags(path):
    """How many \\tag{...} the lesson's markdown cells hold: its numbered equations."""
    nb = nbformat.read(path, as_version=4)
    return sum(cell.source.count("\\tag{") for cell in nb.cells if cell.cell_type == "markdown")


def math_problems(report, where, tags=None):
    problems = [f"{where}: TeX left in the text: {match!r}"
                for match in RAW_TEX.findall(report["text"])[:5]]
    problems += [f"{where}: MathJax error: {error}" for error in report["errors"]]
    problems += [f"{where}: not typeset: {tex}" for tex in report["untypeset"]]
    if tags is not None and report["labels"] != tags:
        problems.append(f"{where}: {report['labels']} numbered equations shown, the lesson "
                        f"has {tags} \\tag{{}}s")
    problems += [f"{where}: image not shown: {image['src']}" for image in report["images"]
                 if not image["ok"]]
    return problems


def typeset_report(page, root_selector):
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    page.evaluate(_WAIT_FOR_MATHJAX_JS)
    return page.evaluate(_PAGE_REPORT_JS, root_selector)


# -- the website -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", SITE_PAGES)
def test_site_page_reads_well_offline(path, reader, built, server):
    """The page loads with no error and no request leaving the machine; every equation is
    typeset and numbered as in the lesson; every image shows; every link into the site leads
    to a file that is there; its "next" and "previous" links are the pages before and after it
    (the lessons in order)."""
    site = reader(SITE_VIEWPORT)
    site.open(f"site/{path}")
    report = typeset_report(site.page, "main")
    notebook = ROOT / "notebooks" / (Path(path).stem + ".ipynb")
    problems = math_problems(report, path, lesson_tags(notebook) if notebook.exists() else None)
    if notebook.exists():
        assert report["typeset"] > 0, f"{path}: no typeset equation at all"
        assert report["images"] or not any(
            "image/png" in output.get("data", {})
            for cell in nbformat.read(notebook, as_version=4).cells
            for output in cell.get("outputs", [])), f"{path}: the lesson's figures are missing"
    for link in report["links"]:
        if link.startswith(server):
            target = built / unquote(urlsplit(link).path.lstrip("/"))
            if target.is_dir():
                target /= "index.html"
            if not target.is_file():
                problems.append(f"{path}: broken link {link}")
    order = SITE_PAGES.index(path)
    for name, expected in (("next", SITE_PAGES[order + 1:order + 2]),
                           ("previous", SITE_PAGES[max(order - 1, 0):order])):
        found = urlsplit(report[name]).path if report[name] else None
        if found != (f"/site/{expected[0]}" if expected else None):
            problems.append(f"{path}: the {name} link goes to {found}, not {expected}")
    if path == "notebooks/03_bptt_recursion.html":
        site.page.screenshot(path=ARTIFACTS / "site-lesson.png")
    if path == "README.html":
        site.page.screenshot(path=ARTIFACTS / "site-home.png")
    problems += site.problems()
    assert not problems, "\n".join(problems)


def page_heading(page):
    return page.locator("main h1").first.inner_text().strip()


def test_site_navigation_between_lessons(reader):
    """index.html leads to the home page; its lesson map and the sidebar open lessons; a
    lesson's "next" and "previous" links open the lessons after and before it (every page's
    links are checked in test_site_page_reads_well_offline)."""
    site = reader(SITE_VIEWPORT)
    site.open("site/index.html")
    site.page.wait_for_url("**/site/README.html")
    site.page.locator("main table a", has_text="07 Training").first.click()
    site.page.wait_for_url("**/notebooks/07_training.html")
    assert page_heading(site.page).startswith("07")
    site.page.locator("nav.bd-docs-nav a", has_text="00 — Introduction").first.click()
    site.page.wait_for_url("**/notebooks/00_introduction.html")
    assert page_heading(site.page).startswith("00")
    site.page.locator("a.right-next").click()
    site.page.wait_for_url(f"**/notebooks/{ALL_NOTEBOOKS[1].stem}.html")
    assert page_heading(site.page).startswith("01")
    site.page.locator("a.left-prev").click()
    site.page.wait_for_url(f"**/notebooks/{ALL_NOTEBOOKS[0].stem}.html")
    assert not site.problems(), "\n".join(site.problems())


def test_site_search_finds_a_lesson(reader):
    site = reader(SITE_VIEWPORT)
    site.open("site/search.html?q=perplexity")
    results = site.page.locator("#search-results li a")
    results.first.wait_for()
    links = results.evaluate_all("links => links.map(a => a.href)")
    assert any(link.endswith("notebooks/11_char_language_model.html") or
               "11_char_language_model.html#" in link for link in links), links
    site.page.screenshot(path=ARTIFACTS / "site-search.png")
    assert not site.problems(), "\n".join(site.problems())


# -- the slide decks --------------------------------------------------------------------------

# Every sub-slide in order: its cells (ids), its height on the deck's canvas, the code lines
# that do not fit its width; and the scale the deck is shown at, the code font's size.
_DECK_REPORT_JS = """
() => {
  const subslides = Reveal.getSlides().map(slide => {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v);
    return {
      h, v,
      cells: [...slide.querySelectorAll('.jp-Cell')].map(c => c.id.replace('cell-id=', '')),
      height: slide.scrollHeight,
      wideCode: [...slide.querySelectorAll('.jp-InputArea pre')]
          .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
          .map(pre => pre.textContent.split('\\n')
               .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100)),
    };
  });
  Reveal.slide(0, 0, -1);
  const pre = document.querySelector('.jp-InputArea pre');
  return {subslides, scale: Reveal.getScale(),
          codeFont: pre ? parseFloat(getComputedStyle(pre).fontSize) : null};
}
"""


def planned_subslides(path):
    """The cell ids on each sub-slide, as tools/slides.py plans the deck."""
    groups = []
    for cell in slides.deck(nbformat.read(path, as_version=4), path.stem).cells:
        kind = cell.metadata.slideshow.slide_type
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        groups[-1].append(cell.id)
    return groups


def steps_to_the_end(page, steps):
    """Press the space bar (reveal.js: the next fragment or sub-slide) `steps` times from the
    first slide; whether the deck was at its end only after the last press."""
    at_end = "() => Reveal.isLastSlide() && !Reveal.availableFragments().next"
    for _ in range(steps - 1):
        page.keyboard.press("Space")
    before = page.evaluate(at_end)
    page.keyboard.press("Space")
    return not before and page.evaluate(at_end)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_slide_deck_reads_well_offline(path, reader):
    deck = reader(SLIDES_VIEWPORT)
    deck.open(f"slides/{path.stem}.slides.html")
    deck.page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    report = typeset_report(deck.page, ".reveal .slides")
    problems = math_problems(report, path.stem, lesson_tags(path))
    assert report["typeset"] > 0, f"{path.stem}: no typeset equation at all"

    layout = deck.page.evaluate(_DECK_REPORT_JS)
    shown = [subslide["cells"] for subslide in layout["subslides"]]
    planned = planned_subslides(path)
    assert shown == planned, (f"{path.stem}: the deck's sub-slides are not those tools/slides.py "
                              f"plans:\nshown   {shown}\nplanned {planned}")
    for subslide in layout["subslides"]:
        where = f"{path.stem} slide {subslide['h']}/{subslide['v']} ({subslide['cells']})"
        if subslide["height"] > slides.SLIDE_HEIGHT and len(subslide["cells"]) > 1:
            problems.append(f"{where}: {subslide['height']} px of cells put together on a "
                            f"{slides.SLIDE_HEIGHT} px slide (the estimates in tools/slides.py "
                            "are too low)")
        problems += [f"{where}: a code line wider than the slide: {line!r}"
                     for line in subslide["wideCode"]]
    if layout["codeFont"] is not None:
        on_screen = layout["codeFont"] * layout["scale"]
        assert on_screen >= 16, f"{path.stem}: code shown at {on_screen:.1f} px at 1280 x 720"

    fragments = deck.page.evaluate("() => document.querySelectorAll('.reveal .fragment').length")
    steps = len(shown) - 1 + fragments
    assert steps_to_the_end(deck.page, steps), (
        f"{path.stem}: the space bar did not step through {len(shown)} sub-slides and "
        f"{fragments} fragments")
    if path.stem.startswith("03"):
        save_slide_screenshots(deck.page, layout)
    problems += deck.problems()
    assert not problems, "\n".join(problems)


def save_slide_screenshots(page, layout):
    """The first sub-slide with a numbered equation and the first with code and a figure, all
    fragments shown."""
    found = page.evaluate("""() => {
      const slides = Reveal.getSlides();
      const first = test => slides.findIndex(test);
      return [first(s => s.querySelector('mjx-assistive-mml mlabeledtr')),
              first(s => s.querySelector('.jp-CodeCell .jp-OutputArea-output img'))];
    }""")
    for name, index in zip(("slides-equations", "slides-code"), found):
        if index < 0:
            continue
        subslide = layout["subslides"][index]
        page.evaluate("([h, v]) => Reveal.slide(h, v, 99)", [subslide["h"], subslide["v"]])
        time.sleep(0.3)
        page.screenshot(path=ARTIFACTS / f"{name}.png")


def test_slides_index_lists_every_deck(reader, built):
    deck = reader(SLIDES_VIEWPORT)
    deck.open("slides/index.html")
    links = deck.page.locator("li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert links == [f"{path.stem}.slides.html" for path in ALL_NOTEBOOKS]
    assert all((built / "slides" / link).is_file() for link in links)
    deck.page.locator("li a").nth(3).click()
    deck.page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    assert deck.page.url.endswith(f"{ALL_NOTEBOOKS[3].stem}.slides.html#/")
    deck.page.screenshot(path=ARTIFACTS / "slides-title.png")
    assert not deck.problems(), "\n".join(deck.problems())

