"""The machinery behind tests/test_browser.py: a private JupyterLab server and a Lab page.

`LabServer` starts the venv's JupyterLab on 127.0.0.1 (free port, random token, private
config, settings, runtime, workspace and checkpoint folders, autosave off: a test never
writes into the repository) and stops it again, kernels included. `LabNotebook` drives one notebook
in a Playwright page through the visible UI (menus, dialogs, keyboard, mouse) and reads the
results from the page: the DOM for what the student sees, `window.jupyterapp` (exposed with
--LabApp.expose_app_in_browser) for execution counts and kernel status, which the DOM of a
long, partly scrolled-out notebook does not show reliably.

The DOM contract of an explorer (rnn_viz.py and rnn_text.py follow it): a widget container
with class "rnn-explorer"; its status line has class "rnn-status"; a figure explorer draws into
an ipywidgets Output with class "rnn-plot" (an <img> in it changes when a slider moves), a text
explorer writes a <pre> into an HTML widget with class "rnn-text"; the sliders are standard
ipywidgets 8 sliders (noUiSlider handle ".noUi-handle") with continuous_update=False. The text
explorer also has a Text box with class "rnn-prime" and a button with class "rnn-sample-again".

`StaticLabView` and `static_page_report` serve the static-rendering tests: a notebook as stored
(not run) in Lab, and its nbconvert HTML (tests/test_static_html.py), both read from the page
and screenshotted; `static_problems` says what is wrong with such a page.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STATIC_ARTIFACTS = ROOT / "test-artifacts" / "static"
VIEWPORT = {"width": 1400, "height": 1000}

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Chromium as the machine's probe starts it: no sandbox (we run as root in CI), no GPU, and
# none of the background connections that a closed network refuses many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
]

# Lab user settings for the test server only (a private --LabApp.user_settings_dir):
# no autosave (the test clears and re-runs the repo's notebooks and must never save them),
# no news or update checks, no extension manager asking PyPI; every cell attached to the page
# (windowing "none"), so that the page's DOM holds the whole notebook, not the cells in view.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}

# Seconds. Generous for a busy 2-core machine, but bounded so a hang fails instead of stalling.
SERVER_START_TIMEOUT = 90
PAGE_LOAD_TIMEOUT = 90
RUN_ALL_TIMEOUT = 150
SLIDER_RESPONSE_TIMEOUT = 45
MATH_TIMEOUT = 30  # Lab typesetting a stored notebook's equations


def chromium_path():
    """The Chromium binary to drive: $CHROMIUM_PATH (a path or a command), else Debian's
    /usr/bin/chromium; None if it is not an executable file."""
    wanted = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    return str(Path(found).resolve()) if found and os.path.isfile(found) else None


def running_in_ci():
    return os.environ.get("CI", "").lower() == "true"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A JupyterLab server of the venv, serving `root_dir`, private to one test session."""

    def __init__(self, root_dir, work_dir, log_path):
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.checkpoints_dir = None
        self._log = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self):
        dirs = {name: self.work_dir / name for name in
                ("config", "data", "runtime", "settings", "workspaces", "ipython",
                 "checkpoints")}
        self.checkpoints_dir = dirs["checkpoints"]
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        for name, settings in LAB_SETTINGS.items():
            path = dirs["settings"] / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings), encoding="utf-8")

        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
            JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
            IPYTHONDIR=str(dirs["ipython"]),
            JUPYTER_PLATFORM_DIRS="1",
            # The kernel (started by the server as "python -m ipykernel_launcher", with
            # "python" replaced by the server's own interpreter) and its tools are the venv's.
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            PYTHONUNBUFFERED="1",
        )
        env.pop("JUPYTER_PATH", None)
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={dirs['settings']}",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
            # Lab checkpoints a notebook when it opens it: into .ipynb_checkpoints/ beside the
            # notebook, unless told otherwise. Not into the repository.
            f"--FileCheckpoints.root_dir={dirs['checkpoints']}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            command, cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_up()
        return self

    def _wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} "
                                   f"before answering:\n{self.log_tail()}")
            try:
                status = self.api("GET", "/api/status")
                if "started" in status:
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer /api/status within "
                           f"{SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self):
        """Delete every session and kernel, then end the server (and only it, by its id)."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.delete_sessions()
                for kernel in self.api("GET", "/api/kernels"):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (OSError, urllib.error.URLError, ValueError):
            pass
        finally:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    # The server's own process group (start_new_session): itself and any
                    # kernel it left behind.
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
            if self._log:
                self._log.close()

    # -- REST -------------------------------------------------------------------------------

    def api(self, method, path, body=None):
        """Call the server's REST API with the token; the decoded JSON answer (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def sessions(self):
        return self.api("GET", "/api/sessions")

    def delete_sessions(self):
        for session in self.sessions():
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise

    def lab_url(self, notebook_path, workspace):
        """The Lab page that opens `notebook_path` (relative to root_dir) in a fresh workspace."""
        # Its checkpoint goes to the same relative folder under checkpoints_dir.
        (self.checkpoints_dir / notebook_path).parent.mkdir(parents=True, exist_ok=True)
        return (f"{self.base_url}/lab/workspaces/{workspace}/tree/{notebook_path}"
                f"?reset&token={self.token}")

    def saved_paths(self):
        """The paths that the server saved (PUT with content), from its log."""
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return [m.group(1).strip("/") for m in re.finditer(r"Saving file at (\S+)", text)]

    def log_tail(self, lines=40):
        self._log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace")
                         .splitlines()[-lines:])


# -- the notebook page -----------------------------------------------------------------------

# Read from `window.jupyterapp`: the current notebook's kernel status and, for each code
# cell, its execution count, whether it is queued or running, and its outputs (type, stream
# name, error name and value, MIME types).
_NOTEBOOK_STATE_JS = """
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) {
    return null;
  }
  const session = panel.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = [];
    for (let k = 0; k < cell.outputs.length; k++) {
      const out = cell.outputs.get(k).toJSON();
      outputs.push({
        type: out.output_type,
        name: out.name || null,
        text: typeof out.text === 'string' ? out.text
              : (Array.isArray(out.text) ? out.text.join('') : null),
        ename: out.ename || null,
        evalue: out.evalue || null,
        mimes: out.data ? Object.keys(out.data) : [],
      });
    }
    const widget = panel.content.widgets[i];
    const prompt = widget && widget.promptNode ? widget.promptNode.textContent : '';
    cells.push({
      index: i,
      source: cell.sharedModel.getSource().slice(0, 160),
      count: cell.executionCount,
      running: cell.executionState === 'running' || prompt.includes('*'),
      outputs,
    });
  }
  return {
    path: panel.context.path,
    kernelName: kernel ? kernel.name : null,
    kernelStatus: kernel ? kernel.status : null,
    cells,
  };
}
"""

# Every error and stderr message the kernel sends, whatever caused it: a cell, or a widget
# callback (whose traceback Lab would only show in its log console, not in the notebook).
_NOTEBOOK_READY_JS = """
(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.context && w.context.path === path && w.context.isReady
            && w.sessionContext && w.sessionContext.isReady
            && w.sessionContext.session && w.sessionContext.session.kernel);
}
"""

_LISTEN_TO_KERNEL_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  window.__kernelProblems = [];
  panel.sessionContext.iopubMessage.connect((_, msg) => {
    const type = msg.header.msg_type;
    const parent = msg.parent_header ? msg.parent_header.msg_type : null;
    if (type === 'error') {
      const traceback = (msg.content.traceback || []).join('\\n');
      window.__kernelProblems.push(
          {type, parent, text: `${msg.content.ename}: ${msg.content.evalue}\\n${traceback}`});
    } else if (type === 'stream' && msg.content.name === 'stderr') {
      window.__kernelProblems.push({type: 'stderr', parent, text: msg.content.text});
    }
  });
}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Said on stderr by the kernel at every (re)start in Lab, before ipywidgets is imported: the
# widget manager asks for its control comm, which only exists once ipywidgets is loaded.
_WIDGET_MESSAGES = ("comm_open", "comm_msg", "comm_close")
_HARMLESS_KERNEL_STDERR = re.compile(
    r"^No such comm(?: target registered)?: (jupyter\.widget\.control|[0-9a-f-]{32,36})\s*$")



def _shorten(text, head=300, tail=1200):
    """The first line (an error's name and message) and the end (where it was raised)."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n[...]\n{text[-tail:]}"


# What an error looks like in a widget's text: an exception's name ("RuntimeError", "Error
# displaying widget"), a traceback, an explorer's "error: ..." status.
_ERROR_TEXT = re.compile(r"\b(?:[A-Z]\w*)?Error\b|\bException\b|Traceback|^\s*error\b", re.M)

_TIMING = re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b")


def _status_content(status):
    """A status line without its timings ("redrawn in 0.19 s"), which change on every redraw
    and so would let a status line that reports nothing else new pass as changed."""
    return _TIMING.sub("TIME", status)


def widget_error_lines(where, text):
    """The lines of a widget's text that look like an error, as problems (empty if none)."""
    return [f"{where} shows an error: {line.strip()[:300]!r}"
            for line in text.splitlines() if _ERROR_TEXT.search(line)]


_EXPLORER_STATE_JS = """
(explorer) => {
  const imgs = [...explorer.querySelectorAll('.rnn-plot img')].map(img => img.src);
  const text = [...explorer.querySelectorAll('.rnn-text pre')]
      .map(node => node.innerText).join('\\n');
  const status = [...explorer.querySelectorAll('.rnn-status')]
      .map(node => node.innerText.trim()).join(' | ');
  return {imgs, text, status};
}
"""


def _shown(state):
    """What an explorer shows: its figure(s) (image sources) or its generated text."""
    return tuple(state["imgs"]) or state["text"]


class LabNotebook:
    """One notebook opened in JupyterLab in a Playwright page."""

    def __init__(self, page, server, path):
        self.page = page
        self.server = server
        self.path = path
        self.errors = []  # uncaught page errors, for the failure message

        page.on("pageerror", lambda error: self.errors.append(str(error)))

    # -- opening, clearing, running ---------------------------------------------------------

    def open(self):
        """Load Lab on the notebook; fail if it asks anything (a missing kernelspec makes Lab
        show its "Select Kernel" dialog instead of starting python3)."""
        workspace = "test-" + Path(self.path).stem.replace("_", "-")
        self.page.goto(self.server.lab_url(self.path, workspace), timeout=PAGE_LOAD_TIMEOUT * 1000)
        dialog = self.page.locator(".jp-Dialog")
        deadline = time.monotonic() + PAGE_LOAD_TIMEOUT
        while not self.page.evaluate(_NOTEBOOK_READY_JS, self.path):
            if dialog.count():
                raise AssertionError(f"a dialog opened with the notebook: "
                                     f"{dialog.first.inner_text()!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path} and its kernel not ready within "
                                   f"{PAGE_LOAD_TIMEOUT} s;\nserver log:\n"
                                   f"{self.server.log_tail()}")
            time.sleep(0.3)
        if dialog.count():
            raise AssertionError(f"a dialog opened with the notebook: "
                                 f"{dialog.first.inner_text()!r}")
        self.wait_for_kernel_idle()
        self.page.evaluate(_LISTEN_TO_KERNEL_JS)
        # More room for the notebook (and the screenshot): a click on the current tab of the
        # left side bar (the file browser) folds the side panel away.
        current_tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if current_tab.count():
            current_tab.first.click()
            self.page.locator("#jp-left-stack").wait_for(state="hidden", timeout=10_000)
        state = self.state()
        if state["kernelName"] != "python3":
            raise AssertionError(f"kernel {state['kernelName']!r} instead of python3")

    def menu(self, menu_name, item_label):
        """Click a main-menu item through the menu bar, as a student would."""
        bar_item = self.page.locator(
            "#jp-menu-panel .lm-MenuBar-item",
            has_text=re.compile(rf"^\s*{re.escape(menu_name)}\s*$")).first
        bar_item.click()
        item = self.page.locator(".lm-Menu:visible .lm-Menu-item", has_text=item_label).first
        item.wait_for(state="visible", timeout=10_000)
        item.click()

    def clear_all_outputs(self):
        """Edit > Clear Outputs of All Cells; the outputs stored in the file must go first."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            "() => document.querySelectorAll('.jp-Notebook .jp-OutputArea-output').length === 0",
            timeout=20_000)
        leftovers = [c for c in self.state()["cells"] if c["outputs"] or c["count"] is not None]
        assert not leftovers, f"outputs left after clearing: {leftovers[:2]}"

    def restart_and_run_all(self):
        """Run > Restart Kernel and Run All Cells…, confirm, wait until every cell is done."""
        self.menu("Run", "Restart Kernel and Run All Cells")
        accept = self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
        accept.wait_for(state="visible", timeout=10_000)
        accept.click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)
        return self.wait_for_run_all()

    def wait_for_run_all(self):
        """Wait until the kernel is idle and no cell is queued, three polls in a row (the kernel
        goes idle between cells too); the notebook state."""
        deadline = time.monotonic() + RUN_ALL_TIMEOUT
        quiet_polls = 0
        while time.monotonic() < deadline:
            state = self.state()
            failed = any(o["type"] == "error" for c in state["cells"] for o in c["outputs"])
            done = all(c["count"] is not None for c in state["cells"]) or failed
            busy = state["kernelStatus"] != "idle" or any(c["running"] for c in state["cells"])
            quiet_polls = quiet_polls + 1 if done and not busy else 0
            if quiet_polls >= 3:
                return state
            time.sleep(0.5)
        pending = [c["source"][:60] for c in self.state()["cells"] if c["count"] is None]
        raise TimeoutError(f"run all did not finish within {RUN_ALL_TIMEOUT} s; "
                           f"cells not run: {pending}")

    def wait_for_kernel_idle(self, timeout=60):
        self.page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext.session && w.sessionContext.session.kernel;"
            " return !!k && k.status === 'idle'; }",
            timeout=timeout * 1000)

    def state(self):
        state = self.page.evaluate(_NOTEBOOK_STATE_JS)
        if state is None:
            raise AssertionError(f"the current Lab tab is no longer the notebook {self.path}")
        return state

    def kernel_problems(self, since=0):
        """Errors and stderr that widget callbacks caused (after the first `since`), ANSI-free.

        Cells' own errors and stderr are in the notebook model (output_problems); what the
        kernel says at start-up (the debugger's frozen-modules note, the widget manager's
        control comm before ipywidgets is imported) belongs to no cell and is left out.
        """
        found = []
        for problem in self.page.evaluate("() => window.__kernelProblems || []")[since:]:
            if problem["parent"] == "execute_request":
                continue
            if problem["type"] == "stderr" and (
                    problem["parent"] not in _WIDGET_MESSAGES
                    or _HARMLESS_KERNEL_STDERR.match(problem["text"])):
                continue
            found.append(f"kernel {problem['type']} (from a {problem['parent']}): "
                         f"{_shorten(_ANSI.sub('', problem['text']))}")
        return found

    def kernel_problem_count(self):
        return self.page.evaluate("() => (window.__kernelProblems || []).length")

    # -- what went wrong ------------------------------------------------------------------

    def output_problems(self):
        """Everything that says a cell or a widget failed, as readable lines (empty if none)."""
        problems = []
        for cell in self.state()["cells"]:
            where = f"cell {cell['index']} ({cell['source'][:60]!r})"
            if cell["count"] is None:
                problems.append(f"{where} did not run")
            for out in cell["outputs"]:
                if out["type"] == "error":
                    problems.append(f"{where} raised {out['ename']}: {out['evalue']}")
                elif out["type"] == "stream" and out["name"] == "stderr":
                    problems.append(f"{where} wrote to stderr: {out['text'][:400]!r}")
        # Cells' own errors are in the model (above); a widget callback's only here.
        problems += self.kernel_problems()
        notebook = self.page.locator(".jp-NotebookPanel:visible .jp-Notebook")
        for selector, what in [
            ('[data-mime-type="application/vnd.jupyter.stderr"]', "stderr or error output"),
            (".jupyter-widgets-error-widget", "a widget that failed to render"),
            (".jupyter-widgets-disconnected", "a disconnected widget"),
        ]:
            nodes = notebook.locator(selector)
            for k in range(nodes.count()):
                problems.append(f"{what} in the page: {nodes.nth(k).inner_text()[:400]!r}")
        views = notebook.locator(".jp-Cell-outputArea > .jp-OutputArea-child > "
                                 ".jp-OutputArea-output > .jupyter-widgets")
        for k in range(views.count()):
            problems += widget_error_lines(f"widget view {k}", views.nth(k).inner_text())
        text = notebook.inner_text()
        for phrase in ("Error displaying widget", "Traceback (most recent call last)"):
            if phrase in text:
                start = text.index(phrase)
                problems.append(f"{phrase!r} in the page: {text[start:start + 300]!r}")
        return problems

    def unrendered_widgets(self):
        """Widget outputs (by the model) that show no rendered ipywidgets view in the page."""
        expected = sum("application/vnd.jupyter.widget-view+json" in out["mimes"]
                       for cell in self.state()["cells"] for out in cell["outputs"])
        # A cell's own outputs (not those nested in an Output widget); a rendered widget view
        # is an ipywidgets element right inside one of them.
        outputs = (".jp-NotebookPanel:visible .jp-Cell-outputArea > .jp-OutputArea-child"
                   " > .jp-OutputArea-output")
        views = self.page.locator(f"{outputs} > .jupyter-widgets")
        failed = self.page.locator(f"{outputs} > .jupyter-widgets-error-widget")
        problems = []
        if views.count() != expected:
            problems.append(f"{expected} widget outputs in the notebook, {views.count()} "
                            f"rendered widget views in the page")
        for k in range(failed.count()):
            problems.append(f"widget view failed: {failed.nth(k).inner_text()[:200]!r}")
        return problems

    # -- explorers ----------------------------------------------------------------------------

    def explorers(self):
        return self.page.locator(".jp-NotebookPanel:visible .rnn-explorer")

    def explorer_state(self, explorer):
        state = explorer.evaluate(_EXPLORER_STATE_JS)
        state["kernel_problems"] = self.kernel_problem_count()
        return state

    def wait_for_explorer_change(self, explorer, before, what, since):
        """Wait until the figure (or the text) and the status line differ from `before`; the
        new state, with "seconds" from `since` (time.monotonic() at the key press, mouse
        release or click) until the change showed in the page (to within the 0.05 s polling
        interval). Any error, in the kernel or in the explorer's text, fails at once."""
        def changed(now):
            return (_shown(now) and _shown(now) != _shown(before)
                    and _status_content(now["status"]) != _status_content(before["status"]))

        return self.wait_for_explorer(explorer, before, what, since, changed)

    def wait_for_explorer(self, explorer, before, what, since, done, error_expected=False):
        """Poll the explorer until `done(state)`; then wait for the kernel to be idle and return
        the state, with "seconds" as for wait_for_explorer_change. An error in the kernel fails
        at once; so does an error in the explorer's text unless `error_expected` (then `done`
        decides what the explorer must say)."""
        deadline = time.monotonic() + SLIDER_RESPONSE_TIMEOUT
        while time.monotonic() < deadline:
            errors = self.kernel_problems(since=before["kernel_problems"])
            if not error_expected:
                errors += widget_error_lines("the explorer", explorer.inner_text())
            if errors:
                raise AssertionError(f"{what}: an error appeared\n" + "\n".join(errors))
            now = self.explorer_state(explorer)
            if done(now):
                seconds = time.monotonic() - since
                # Let the callback finish (the kernel idle) before the next move.
                self.wait_for_kernel_idle(timeout=SLIDER_RESPONSE_TIMEOUT)
                return {**self.explorer_state(explorer), "seconds": seconds}
            time.sleep(0.05)
        now = self.explorer_state(explorer)
        shown = _shown(now)
        raise AssertionError(
            f"{what}: within {SLIDER_RESPONSE_TIMEOUT} s the explorer did not show what was "
            f"expected: figure or text changed: {bool(shown) and shown != _shown(before)} "
            f"({len(now['imgs'])} image(s), {len(now['text'])} characters of text), status "
            f"changed (apart from timings): "
            f"{_status_content(now['status']) != _status_content(before['status'])} "
            f"(status now {now['status'][:300]!r}); explorer text: "
            f"{explorer.inner_text()[:500]!r}")

    @staticmethod
    def slider_description(slider):
        label = slider.locator(".widget-label").first
        return label.inner_text().strip() if label.count() else ""

    @staticmethod
    def handle_position(handle):
        """(value, min, max) of a noUiSlider handle, from its ARIA attributes."""
        return tuple(float(handle.get_attribute(name))
                     for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))

    @staticmethod
    def slider_reading(slider):
        """What says the slider's value: its handle's aria-valuenow and its readout. Both,
        because aria-valuenow is rounded to one decimal: a FloatLogSlider's exponent step of
        0.05 (temperature 0.50 -> 0.56) can leave it at -0.3 while the readout changes."""
        handle = slider.locator(".noUi-handle").first
        readout = slider.locator(".widget-readout").first
        return (handle.get_attribute("aria-valuenow"),
                readout.inner_text().strip() if readout.count() else None)

    def move_with_keyboard(self, explorer, slider, what):
        """Focus the handle and press ArrowRight (ArrowLeft when at the maximum)."""
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        value, _, high = self.handle_position(handle)
        reading = self.slider_reading(slider)
        key = "ArrowLeft" if value >= high else "ArrowRight"
        before = self.explorer_state(explorer)
        handle.focus()
        self.page.keyboard.press(key)
        after = self.wait_for_explorer_change(explorer, before, f"{what}, key {key}",
                                              since=time.monotonic())
        new_reading = self.slider_reading(slider)
        assert new_reading != reading, f"{what}: {key} left the value at {reading}"
        return key, reading[1] or value, new_reading[1] or new_reading[0], after

    @staticmethod
    def settled_boxes(*locators, timeout=5.0):
        """The bounding boxes of the locators once they stop moving (Lab may still be laying
        out cells around them after a scroll), so that a drag starts on the handle."""
        boxes = [locator.bounding_box() for locator in locators]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.1)
            again = [locator.bounding_box() for locator in locators]
            if again == boxes and None not in boxes:
                break
            boxes = again
        return boxes

    def move_with_mouse(self, explorer, slider, what):
        """Drag the handle along the track with the mouse, away from the nearer end."""
        handle = slider.locator(".noUi-handle").first
        track = slider.locator(".noUi-target").first
        handle.scroll_into_view_if_needed()
        value, low, high = self.handle_position(handle)
        reading = self.slider_reading(slider)
        box, track_box = self.settled_boxes(handle, track)
        start_x = box["x"] + box["width"] / 2
        y = box["y"] + box["height"] / 2
        # Towards the lower end unless already in the lower fifth; a fifth of the track
        # first, further if that does not reach the next step of a coarse slider.
        direction = -1 if (value - low) > 0.2 * (high - low) else 1
        for fraction in (0.2, 0.35, 0.5):
            target_x = start_x + direction * fraction * track_box["width"]
            target_x = min(max(target_x, track_box["x"] + 1),
                           track_box["x"] + track_box["width"] - 1)
            before = self.explorer_state(explorer)
            self.page.mouse.move(start_x, y)
            self.page.mouse.down()
            self.page.mouse.move(target_x, y, steps=12)
            self.page.mouse.up()
            released = time.monotonic()
            new_reading = self.slider_reading(slider)
            if new_reading == reading:  # give the slider a moment before calling the drag short
                time.sleep(0.3)
                new_reading = self.slider_reading(slider)
            if new_reading != reading:
                after = self.wait_for_explorer_change(explorer, before, f"{what}, mouse drag",
                                                      since=released)
                return reading[1] or value, new_reading[1] or new_reading[0], after
        raise AssertionError(f"{what}: dragging the handle by half the track left the value "
                             f"at {reading}")

    # -- the text explorer's other controls -----------------------------------------------------

    def click_sample_again(self, explorer, what):
        """Click "sample again"; the state once the text and the status changed."""
        before = self.explorer_state(explorer)
        explorer.locator("button.rnn-sample-again").click()
        return before, self.wait_for_explorer_change(explorer, before, f"{what}, sample again",
                                                     since=time.monotonic())

    def submit_prime(self, explorer, prime, what, done, error_expected=False):
        """Type `prime` into the prime-text box and press Enter; the state once `done(state)`."""
        box = explorer.locator(".rnn-prime input").first
        before = self.explorer_state(explorer)
        box.fill(prime)
        box.press("Enter")
        return self.wait_for_explorer(explorer, before, f"{what}, prime {prime!r}",
                                      time.monotonic(), done, error_expected=error_expected)


# -- static rendering: a notebook as stored, and its nbconvert HTML -----------------------------

# For each cell node, in order: how many rendered equations (MathJax 3's <mjx-container>, or
# MathJax 2's .MathJax elements), the images and <pre> texts in its outputs, and its text.
_CELLS_REPORT_JS = """
(cells) => cells.map(cell => ({
  math: cell.querySelectorAll('mjx-container, .MathJax, .MathJax_CHTML').length,
  images: [...cell.querySelectorAll('.jp-OutputArea-output img')]
      .filter(img => img.complete && img.naturalWidth > 0)
      .map(img => [img.naturalWidth, img.naturalHeight]),
  pres: [...cell.querySelectorAll('.jp-OutputArea-output pre')].map(pre => pre.innerText),
  text: cell.innerText,
  all_text: cell.textContent,
}))
"""

_LAB_CELLS_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map(widget => widget.node);
}
"""


def static_page_report(page, cells_handle, root_selector):
    """The rendered cells (see _CELLS_REPORT_JS), the text of the page's `root_selector`, and
    the MathJax the page loads (the src of a script tag naming MathJax, or None)."""
    cells = page.evaluate(_CELLS_REPORT_JS, cells_handle)
    text = page.locator(root_selector).first.inner_text()
    mathjax_src = page.evaluate(
        "() => { const s = [...document.scripts].find(s => /mathjax/i.test(s.src));"
        " return s ? s.src : null; }")
    return {"cells": cells, "text": text, "mathjax_src": mathjax_src}


# The element that scrolls the current notebook.
_SCROLLER_JS = ("window.jupyterapp.shell.currentWidget.node"
                ".querySelector('.jp-WindowedPanel-outer')")

_NOTEBOOK_OPEN_JS = """
(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.context && w.context.path === path && w.context.isReady && w.content
            && w.content.widgets.length === w.content.model.cells.length);
}
"""

# Every math cell typeset (the indices given), every output image loaded.
_NOTEBOOK_RENDERED_JS = """
(mathCells) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets;
  const mathDone = mathCells.every(i => cells[i] &&
      cells[i].node.querySelector('mjx-container'));
  const images = [...panel.node.querySelectorAll('.jp-OutputArea-output img')];
  return mathDone && images.every(img => img.complete);
}
"""


class StaticLabView:
    """One Lab page that shows notebooks as stored, one after the other, without running them.

    Lab starts each notebook's kernel when it opens it (nothing runs in it); `close` deletes
    the sessions again.
    """

    def __init__(self, page, server):
        self.page = page
        self.server = server
        self.loaded = False
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def show(self, path, math_cells):
        """Open `path` (relative to the server's root) as the only tab and wait until it is
        rendered: its cells attached, the equations of the `math_cells` (indices) typeset
        and every image loaded (or MATH_TIMEOUT passed: the caller's checks say what is
        missing)."""
        if not self.loaded:
            workspace = "static-" + Path(path).stem.replace("_", "-")
            self.page.goto(self.server.lab_url(path, workspace),
                           timeout=PAGE_LOAD_TIMEOUT * 1000)
            self.loaded = True
        else:
            self.page.evaluate(
                "async (path) => { const app = window.jupyterapp;"
                " for (const w of [...app.shell.widgets('main')]) { w.close(); }"
                " await app.commands.execute('docmanager:open', {path}); }", path)
        self.page.wait_for_function(_NOTEBOOK_OPEN_JS, arg=path,
                                    timeout=PAGE_LOAD_TIMEOUT * 1000)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self.page.wait_for_function(_NOTEBOOK_RENDERED_JS, arg=list(math_cells),
                                        timeout=MATH_TIMEOUT * 1000)
        except PlaywrightTimeout:  # the caller's checks say which cell did not render
            pass
        time.sleep(0.3)  # the last layout pass after the equations changed line heights

    def cells_handle(self):
        return self.page.evaluate_handle(_LAB_CELLS_JS)

    def screenshots(self, stem_path, max_height=16000):
        """Screenshots of the whole notebook as Lab lays it out at the viewport's width:
        one picture, <stem_path>.png, taken with the window made as tall as the notebook
        (the same width, so the same line breaks and figure sizes as at 1400 x 1000), or, for
        a notebook taller than `max_height` pixels, one per screen scrolled from top to bottom,
        <stem_path>-01.png, -02.png, ...; the paths."""
        height, window = self.page.evaluate(
            f"() => {{ const s = {_SCROLLER_JS}; return [s.scrollHeight, s.clientHeight]; }}")
        viewport = dict(self.page.viewport_size)
        tall = viewport["height"] - window + height
        if tall <= max_height:
            self.page.set_viewport_size({"width": viewport["width"], "height": tall})
            try:
                self.page.wait_for_function(
                    f"(h) => {_SCROLLER_JS}.clientHeight >= h", arg=height, timeout=10_000)
                time.sleep(0.2)
                path = Path(f"{stem_path}.png")
                self.page.screenshot(path=path)
            finally:
                self.page.set_viewport_size(viewport)
            return [path]
        step = max(int(window * 0.9), 1)  # a little overlap between screens
        paths = []
        for k, top in enumerate(range(0, height - window + step, step)):
            self.page.evaluate(f"(top) => {{ {_SCROLLER_JS}.scrollTop = top; }}", top)
            time.sleep(0.1)
            path = Path(f"{stem_path}-{k + 1:02d}.png")
            self.page.screenshot(path=path)
            paths.append(path)
        return paths

    def close(self):
        self.server.delete_sessions()


# -- the notebooks as stored ----------------------------------------------------------------

def unavailable(reason):
    """Skip for lack of a browser, but fail under CI=true, where the browser must be there."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


def read_cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def explorer_cells(path):
    """The indices of the code cells that build an explorer (rnn_viz.TrainingExplorer(...),
    rnn_text.SamplingExplorer(...), ...)."""
    return [k for k, cell in enumerate(read_cells(path))
            if cell["cell_type"] == "code" and "Explorer(" in "".join(cell["source"])]


# What must never show in a stored notebook: widget reprs (a widget output without its static
# fallback), test machinery, a widget that could not be displayed.
FORBIDDEN_TEXT = ("VBox(", "HBox(", "IntSlider(", "NBVAL", "Error displaying widget",
                  "model not found")
TEX = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)


def math_cells(path):
    """{index: first TeX snippet} of the markdown cells with $...$ or $$...$$ math."""
    found = {}
    for k, cell in enumerate(read_cells(path)):
        match = TEX.search("".join(cell["source"])) if cell["cell_type"] == "markdown" else None
        if match:
            found[k] = match.group(0)
    return found


def stored_picture_kind(path, index):
    """"image" if the stored output of explorer cell `index` carries a PNG, else "text"."""
    outputs = read_cells(path)[index].get("outputs", [])
    return "image" if any("image/png" in out.get("data", {}) for out in outputs) else "text"


def static_problems(notebook, report, where):
    """What is wrong with a static view of `notebook` (see static_page_report), as lines."""
    problems = [f"{where}: {phrase!r} in the page" for phrase in FORBIDDEN_TEXT
                if phrase in report["text"]]
    cells, stored = report["cells"], read_cells(notebook)
    if len(cells) != len(stored):
        return problems + [f"{where}: {len(cells)} cells in the page, {len(stored)} stored"]
    typeset = any(cell["math"] for cell in cells)
    for k, tex in math_cells(notebook).items():
        if typeset and not cells[k]["math"]:
            problems.append(f"{where}: cell {k}: no typeset equation (TeX {tex[:60]!r})")
        # textContent: a folded <details> (an exercise's solution) is not in innerText.
        if not typeset and " ".join(tex.strip("$").split()) not in " ".join(
                cells[k]["all_text"].split()):
            problems.append(f"{where}: cell {k}: neither typeset nor its TeX {tex[:60]!r} shown")
    for k in explorer_cells(notebook):
        if stored_picture_kind(notebook, k) == "image":
            if not cells[k]["images"]:
                problems.append(f"{where}: cell {k}: the explorer's stored picture not shown")
        elif not any(pre.strip() for pre in cells[k]["pres"]):
            problems.append(f"{where}: cell {k}: the explorer's stored sample text not shown")
    return problems
