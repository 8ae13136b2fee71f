"""The notebooks work and read well where students use them: real JupyterLab, real (headless)
Chromium.

Explorers. For every notebook that builds an explorer (its code calls an `...Explorer(`),
JupyterLab is started on 127.0.0.1 with a token, the notebook is opened in Chromium through
Playwright, its stored outputs are cleared, the kernel is restarted and all cells run from the
Run menu. Then no cell may have raised or written to stderr, every widget must render, and each
slider of each explorer is moved with the keyboard and by dragging with the mouse: both times
the figure (the <img> in the explorer's "rnn-plot" Output) or the text (the <pre> in its
"rnn-text" HTML), and the status line ("rnn-status"), must change. The text explorer's button
must draw the next seed, its prime-text box must start the text, and a prime outside the
vocabulary must be refused in the status line, without a traceback.

Static rendering. Every notebook as stored (not run) in Lab, at 1400 x 1000: no widget reprs,
no nbval markers, no widget errors, equations typeset, and each explorer's stored picture (or
sample text) shown. (Its nbconvert HTML page is tested the same way in test_static_html.py.)

Screenshots: test-artifacts/browser/<notebook>.png (one per explorer beside it) for the live
runs; test-artifacts/static/<notebook>-lab.png (the whole notebook at Lab's 1400 px width, the
window made as tall as the notebook; screen by screen, -lab-NN.png, if it is very long) for
the static view. Without Chromium or Playwright the tests skip, except under CI=true, where
they fail. Chromium is Debian's /usr/bin/chromium, or $CHROMIUM_PATH (the `browser` fixture
is in conftest.py).
"""

import re
import subprocess
import sys
import time

import pytest

from browser_support import (ALL_NOTEBOOKS, ARTIFACTS, ROOT, STATIC_ARTIFACTS, VIEWPORT,
                             LabNotebook, LabServer, StaticLabView, explorer_cells, math_cells,
                             static_page_report, static_problems)

# The notebooks the course promises explorers in; any other notebook that builds one is
# tested too.
EXPECTED_SLIDER_NOTEBOOKS = {"07_training.ipynb", "08_vanishing_exploding.ipynb",
                             "11_char_language_model.ipynb"}
SLIDER_NOTEBOOKS = [path for path in ALL_NOTEBOOKS if explorer_cells(path)]


@pytest.fixture(scope="session")
def lab_server(browser, tmp_path_factory):
    """JupyterLab of the venv serving the repository, stopped (kernels deleted) at the end."""
    # A fresh machine builds matplotlib's font cache on first import and says so on stderr;
    # build it here, so that the notebook's first plot cell does not.
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], check=True,
                   capture_output=True, timeout=300)
    server = LabServer(ROOT, tmp_path_factory.mktemp("jupyter"),
                       ARTIFACTS / "jupyterlab-server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_the_slider_notebooks_are_found():
    found = {path.name for path in SLIDER_NOTEBOOKS}
    assert EXPECTED_SLIDER_NOTEBOOKS <= found, (
        f"expected explorers in {sorted(EXPECTED_SLIDER_NOTEBOOKS)}, found them in "
        f"{sorted(found)}")


@pytest.mark.parametrize("notebook", SLIDER_NOTEBOOKS, ids=lambda path: path.stem)
def test_explorers_work_in_jupyterlab(notebook, browser, lab_server):
    exercise_explorers(notebook, browser, lab_server)


def exercise_explorers(notebook, browser, lab_server):
    """Open, clear, run all, check outputs, move every slider twice, screenshot, clean up."""
    relative = notebook.relative_to(lab_server.root_dir).as_posix()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{notebook.stem}*.png"):
        old.unlink()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    lab = LabNotebook(page, lab_server, relative)
    started = time.monotonic()

    def note(message):  # shown by pytest -s, or with the failure
        print(f"{time.monotonic() - started:6.1f} s  {message}", flush=True)

    try:
        lab.open()
        sessions = [s for s in lab_server.sessions() if s["path"] == relative]
        assert [s["kernel"]["name"] for s in sessions] == ["python3"], sessions
        note("opened, kernel python3 picked without a dialog")

        lab.clear_all_outputs()
        note("stored outputs cleared")
        lab.restart_and_run_all()
        note("kernel restarted, all cells run")
        problems = lab.output_problems()
        assert not problems, "after Run All:\n" + "\n".join(problems)

        explorers = lab.explorers()
        count = explorers.count()
        assert count >= 1, "no .rnn-explorer rendered"
        for k in range(count):
            explorer = explorers.nth(k)
            explorer.scroll_into_view_if_needed()
            page.wait_for_function(
                "(e) => (e.querySelector('.rnn-plot img') || e.querySelector('.rnn-text pre'))"
                " && e.querySelector('.rnn-status')"
                " && e.querySelector('.rnn-status').innerText.trim() !== ''",
                arg=explorer.element_handle(), timeout=30_000)
        problems = lab.unrendered_widgets()
        assert not problems, "widgets that did not render:\n" + "\n".join(problems)
        note(f"{count} explorer(s) rendered")

        for k in range(count):
            explorer = explorers.nth(k)
            sliders = explorer.locator(".widget-slider:has(.noUi-handle)")
            assert sliders.count() >= 1, f"explorer {k} has no slider"
            assert explorer.locator(".rnn-status").count() == 1, f"explorer {k}: one status line"
            shows = explorer.locator(".rnn-plot").count() + explorer.locator(".rnn-text").count()
            assert shows == 1, f"explorer {k}: one plot Output or one text HTML, not {shows}"
            for s in range(sliders.count()):
                slider = sliders.nth(s)
                name = lab.slider_description(slider)
                assert name, f"explorer {k}, slider {s} has no description"
                what = f"explorer {k}, slider {name!r}"
                key, old, new, after = lab.move_with_keyboard(explorer, slider, what)
                note(f"{what}: {key} {old} -> {new}, redrawn in the page after "
                     f"{after['seconds']:.2f} s; status {after['status'][:80]!r}")
                old, new, after = lab.move_with_mouse(explorer, slider, what)
                note(f"{what}: drag {old} -> {new}, redrawn in the page after "
                     f"{after['seconds']:.2f} s; status {after['status'][:80]!r}")
            if explorer.locator(".rnn-text").count():
                exercise_text_controls(lab, explorer, f"explorer {k}", note)
            problems = lab.output_problems()
            assert not problems, f"after moving explorer {k}'s sliders:\n" + "\n".join(problems)

        for k in range(count):
            explorers.nth(k).screenshot(path=ARTIFACTS / f"{notebook.stem}-explorer-{k}.png")
        assert not lab.errors, f"uncaught errors in the page: {lab.errors}"
    finally:
        try:  # the page as it is now, failed or not
            if lab.explorers().count():
                lab.explorers().first.evaluate("(e) => e.scrollIntoView({block: 'start'})")
                time.sleep(0.5)
            page.screenshot(path=ARTIFACTS / f"{notebook.stem}.png")
        except Exception as error:  # a broken page must not hide the test's own failure
            print(f"no screenshot: {error}")
        context.close()
        lab_server.delete_sessions()  # kernel sessions outlive the tab
    assert not [s for s in lab_server.sessions() if s["path"] == relative]
    assert relative not in lab_server.saved_paths(), (
        f"JupyterLab saved {relative}: the test must never write into the repository")
    note(f"done; screenshot {ARTIFACTS / (notebook.stem + '.png')}")


SEED = re.compile(r"\bseed (\d+)\b")


def exercise_text_controls(lab, explorer, what, note):
    """The text explorer's button and prime-text box: the next seed, a prime that starts the
    text, a prime outside the vocabulary refused in the status line; then a good prime again."""
    before, after = lab.click_sample_again(explorer, what)
    seeds = [SEED.search(state["status"]) for state in (before, after)]
    assert all(seeds), f"{what}: no seed in the status {before['status']!r} / {after['status']!r}"
    assert int(seeds[1].group(1)) == int(seeds[0].group(1)) + 1, (
        f"{what}: sample again went from {seeds[0].group(0)!r} to {seeds[1].group(0)!r}")
    note(f"{what}: sample again -> {seeds[1].group(0)}, shown after {after['seconds']:.2f} s")

    prime = "Our models "
    after = lab.submit_prime(explorer, prime, what,
                             done=lambda now: now["text"].startswith(prime))
    assert "error" not in after["status"].lower(), f"{what}: status {after['status']!r}"
    note(f"{what}: prime {prime!r} -> {after['text'][:40]!r}, shown after "
         f"{after['seconds']:.2f} s")

    after = lab.submit_prime(explorer, "#", what, error_expected=True,
                             done=lambda now: "error" in now["status"].lower())
    assert "vocabulary" in after["status"], (
        f"{what}: a prime outside the vocabulary gave the status {after['status']!r}")
    page_text = lab.page.locator(".jp-NotebookPanel:visible .jp-Notebook").inner_text()
    assert "Traceback" not in page_text, f"{what}: a traceback in the page after prime '#'"
    assert not lab.kernel_problems(), f"{what}: {lab.kernel_problems()}"
    note(f"{what}: prime '#' -> status {after['status'][:100]!r}")

    # The error is still on screen until the good prime replaces it: expected, until done.
    after = lab.submit_prime(explorer, "The ", what, error_expected=True,
                             done=lambda now: "error" not in now["status"].lower()
                             and now["text"].startswith("The "))
    note(f"{what}: prime 'The ' again -> {after['status'][:80]!r}")


# -- static rendering ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def static_lab(browser, lab_server):
    """One Lab page that shows the stored notebooks one after the other."""
    STATIC_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield StaticLabView(page, lab_server)
    finally:
        context.close()
        lab_server.delete_sessions()


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_notebook_reads_well_in_jupyterlab(notebook, static_lab, lab_server):
    """The notebook as a reader sees it before running it: equations typeset by Lab's MathJax,
    explorers shown by their stored picture, no widget repr, no test marker."""
    relative = notebook.relative_to(lab_server.root_dir).as_posix()
    for old in STATIC_ARTIFACTS.glob(f"{notebook.stem}-lab*.png"):
        old.unlink()
    started = time.monotonic()
    try:
        static_lab.show(relative, math_cells(notebook))
        shown = time.monotonic()
        report = static_page_report(static_lab.page, static_lab.cells_handle(),
                                    ".jp-NotebookPanel:visible .jp-Notebook")
        pages = static_lab.screenshots(STATIC_ARTIFACTS / f"{notebook.stem}-lab")
        print(f"{notebook.name}: rendered in {shown - started:.1f} s, {len(pages)} screenshots "
              f"in {time.monotonic() - shown:.1f} s")
    finally:
        static_lab.close()
    problems = static_problems(notebook, report, "Lab, as stored")
    assert not problems, "\n".join(problems)
    assert not static_lab.errors, f"uncaught errors in the page: {static_lab.errors}"
    assert relative not in lab_server.saved_paths(), (
        f"JupyterLab saved {relative}: the test must never write into the repository")


NEWS_QUESTION = "Would you like to get notified about official Jupyter news?"


def test_lab_as_course_py_starts_it_asks_nothing(browser, tmp_path):
    """`python course.py lab` as a student runs it, with Lab's settings and user folders of a
    fresh machine (none of LabServer's test settings): Lab opens the first lesson and shows no
    pop-up asking for consent to fetch Jupyter news (course.py turns it off in the Lab
    settings of .venv; the server option --LabApp.news_url=None alone does not)."""
    import os
    import signal
    import urllib.request

    from browser_support import PAGE_LOAD_TIMEOUT, free_port

    port, token = free_port(), "course-py-lab-test"
    home = {name: tmp_path / name for name in ("config", "data", "runtime", "settings",
                                               "workspaces", "ipython", "checkpoints")}
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home["config"]),
               JUPYTER_DATA_DIR=str(home["data"]), JUPYTER_RUNTIME_DIR=str(home["runtime"]),
               JUPYTERLAB_SETTINGS_DIR=str(home["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(home["workspaces"]),
               IPYTHONDIR=str(home["ipython"]), JUPYTER_PLATFORM_DIRS="1")
    env.pop("JUPYTER_PATH", None)
    # A server on a free port with a known token, and Lab's checkpoint of the lesson kept out
    # of the repository: the only arguments added to what course.py passes itself.
    extra = [f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
             "--no-browser", f"--FileCheckpoints.root_dir={home['checkpoints']}"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "course-py-lab.log"
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", *extra],
                                   cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + PAGE_LOAD_TIMEOUT
        while True:
            assert process.poll() is None, log_path.read_text(encoding="utf-8")
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
                time.sleep(0.5)
        # The link the server prints: its default URL, the first lesson (its kernel starts).
        page.goto(f"{url}/?token={token}", timeout=PAGE_LOAD_TIMEOUT * 1000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=PAGE_LOAD_TIMEOUT * 1000)
        time.sleep(8)                          # the news question came within 2 s when asked
        page.screenshot(path=ARTIFACTS / "course-py-lab.png")
        text = page.locator("body").inner_text()
        assert NEWS_QUESTION not in text, "Lab asks whether to fetch Jupyter news"
        toasts = page.locator(".Toastify__toast")
        assert toasts.count() == 0, f"Lab shows notifications: {toasts.all_inner_texts()}"
        assert "00_introduction.ipynb" in page.title() or "00_introduction" in text
    finally:
        context.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
