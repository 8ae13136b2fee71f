"""The nbconvert HTML page of every stored notebook reads well, offline, in real (headless)
Chromium: no widget reprs, no nbval markers, no widget errors, equations typeset or their TeX
shown as written, and each explorer's stored picture (or sample text) shown.

Screenshots: test-artifacts/static/<notebook>-html.png (the whole page). Without Chromium or
Playwright the tests skip, except under CI=true, where they fail. A file of its own (not part
of tests/test_browser.py, which needs a JupyterLab server): pytest-xdist can then run it in
the other worker, next to the JupyterLab tests.
"""

import re
import subprocess
import sys

import pytest

from browser_support import (ALL_NOTEBOOKS, STATIC_ARTIFACTS, VIEWPORT, static_page_report,
                             static_problems)


@pytest.fixture(scope="module")
def nbconvert_pages(tmp_path_factory):
    """Every notebook through `jupyter nbconvert --to html` (one process); the output folder."""
    STATIC_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = tmp_path_factory.mktemp("nbconvert")
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(out),
         *map(str, ALL_NOTEBOOKS)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbconvert failed:\n{result.stderr[-3000:]}"
    return out


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=lambda path: path.stem)
def test_nbconvert_html_reads_well(notebook, browser, nbconvert_pages):
    """The notebook's nbconvert HTML page, offline: explorers shown by their stored picture,
    no widget repr, no test marker, and the equations either typeset or, where MathJax comes
    from the internet (nbconvert's template loads it from a CDN), their TeX shown as written."""
    context = browser.new_context(viewport=VIEWPORT)
    # Offline, as here: a request to the internet fails at once instead of waiting.
    context.route(re.compile(r"^https?://"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((nbconvert_pages / f"{notebook.stem}.html").as_uri(), wait_until="load")
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        report = static_page_report(
            page, page.evaluate_handle("() => [...document.querySelectorAll('.jp-Cell')]"),
            "body")
        page.screenshot(path=STATIC_ARTIFACTS / f"{notebook.stem}-html.png", full_page=True)
    finally:
        context.close()
    if not any(cell["math"] for cell in report["cells"]):
        assert (report["mathjax_src"] or "").startswith(("http://", "https://")), (
            f"no typeset equations and no MathJax from the internet: {report['mathjax_src']!r}")
    problems = static_problems(notebook, report, "nbconvert HTML")
    assert not problems, "\n".join(problems)
