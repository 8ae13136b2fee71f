"""The course's one entry point, the same on Linux, macOS and Windows (standard library only).

    python course.py lab         open the course in JupyterLab (127.0.0.1, token auth on)
    python course.py test        run the whole test suite: lint, rnn_core, every notebook, the
                                 sliders in a browser
    python course.py check       check the environment (versions, rnn_core, widgets)
    python course.py notebooks   re-execute every notebook top to bottom and store its outputs
    python course.py student     build the student edition (tools/student_edition.py)
    python course.py grade DIR   grade the students' notebooks in DIR (tools/grade.py)
    python course.py bench       run the benchmarks (benchmarks/README.md)
    python course.py lint        run ruff on the code (arguments go to `ruff check`)
    python course.py lock        record the venv's versions in constraints/current.txt
    python course.py test-lowest the suite with the oldest allowed versions (.venv-lowest)
    python course.py test-numerics  every notebook under nbval in several numeric environments
                                 (CPU features, BLAS kernels and threads; tools/test_numerics.py)
    python course.py site        build the course website into build/site (tools/build_site.py)
    python course.py slides      build one slide deck per lesson into build/slides

(`python3` on macOS and Linux, `py` on Windows.) Each command first makes sure that .venv holds
what requirements.txt asks for, at the versions of constraints/current.txt, so on a fresh
machine it is the only set-up step. A .venv that is missing, broken or made by a Python the
course does not support is (re)built, saying why; $PYTHON picks the Python that builds it.
`site`, `slides`, `test` and `lock` also install the `site` extra of pyproject.toml (Sphinx,
myst-nb, ...) into .venv on first use; `lab` and a student's other commands never need it.

This file runs on any Python 3.6 or newer (it looks for a Python >= 3.10 for .venv if the one
running it is older), so keep its syntax plain: no walrus, no match, no `list[str]` at run time.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
STAMP_NAME = ".installed"
INSTALL_LOG_NAME = "install.log"
# The files whose content decides what .venv holds; a change to any of them reinstalls.
CONSTRAINTS = os.path.join("constraints", "current.txt")
# CI's second run: the oldest versions requirements.txt allows, in a venv of their own.
LOWEST_VENV = os.path.join(ROOT, ".venv-lowest")
LOWEST_CONSTRAINTS = os.path.join("constraints", "lowest.txt")

# The website's and slides' tools, an extra of pyproject.toml installed into .venv on first use
# by the commands that need it (the tests build the site too, and `lock` records its versions).
SITE_EXTRA = "site"
EXTRA_COMMANDS = {"site": SITE_EXTRA, "slides": SITE_EXTRA, "test": SITE_EXTRA,
                  "lock": SITE_EXTRA}

MIN_PYTHON = (3, 10)
NEWEST_TESTED_PYTHON = (3, 13)
FIRST_NOTEBOOK = "notebooks/00_introduction.ipynb"
PROGRESS_EVERY = 15  # seconds between "still installing" lines

USAGE = """usage: python course.py COMMAND [ARGS...]

  lab         open the course in JupyterLab
  test        run the whole test suite (arguments go to pytest)
  check       check the environment: versions, rnn_core, widgets
  notebooks   re-execute every notebook and store its outputs
  student     build the student edition (tools/student_edition.py)
  grade DIR   run the checks on every student's notebooks in DIR (one folder per
              student); writes DIR/grades.csv (tools/grade.py)
  bench       run the benchmarks
  lint        run ruff on the code (arguments go to `ruff check`)
  lock        record the venv's package versions in constraints/current.txt
  test-lowest the suite (not the browser tests) in .venv-lowest, with the oldest versions
              that requirements.txt allows (constraints/lowest.txt; CI runs it)
  test-numerics  nbval on every notebook in several numeric environments (other CPU
              features, BLAS kernels and thread counts), saying which cells differ (CI runs it)
  site        build the course website into build/site (open build/site/index.html)
  slides      build one slide deck per lesson into build/slides (build/slides/index.html)

On Windows type `py course.py COMMAND`, on macOS and Linux `python3 course.py COMMAND`."""


class CourseError(Exception):
    """A problem the user can fix; main() prints the message (no traceback) and exits 1."""


def say(message):
    print("course: " + message, flush=True)


def version_text(version):
    return ".".join(str(part) for part in version)


# -- where things are, per operating system -------------------------------------------------

def venv_python(venv=VENV, os_name=os.name):
    """The venv's interpreter: Scripts\\python.exe on Windows (os.name "nt"), bin/python else."""
    if os_name == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def python_candidates(os_name=os.name, environ=None):
    """Commands that may start a Python to build .venv with, best first.

    $PYTHON if set (then only it), else the newest python3.X on PATH from the tested range
    down to MIN_PYTHON (on Windows through the `py` launcher), then plain python3 / python.
    """
    environ = os.environ if environ is None else environ
    if environ.get("PYTHON"):
        return [[environ["PYTHON"]]]
    minors = range(NEWEST_TESTED_PYTHON[1], MIN_PYTHON[1] - 1, -1)
    if os_name == "nt":
        return [["py", "-3.%d" % minor] for minor in minors] + [["python"]]
    return [["python3.%d" % minor] for minor in minors] + [["python3"], ["python"]]


# -- decisions (pure functions, unit-tested without another OS) -----------------------------

def venv_problem(probe):
    """Why .venv must be (re)built, or None if it can be used.

    probe: what probe_python() said about .venv's interpreter: None if there is no
    interpreter file, the string "broken: ..." if it did not start, else its version tuple.
    """
    if probe is None:
        return "there is no .venv yet"
    if isinstance(probe, str):
        return ".venv is broken (%s)" % probe
    if tuple(probe[:2]) < MIN_PYTHON:
        return (".venv was made by Python %s, and the course needs Python %s or newer"
                % (version_text(probe[:3]), version_text(MIN_PYTHON)))
    return None


def wanted_python_mismatch(venv_version, wanted_version):
    """Why .venv must be rebuilt for an explicitly requested $PYTHON, or None.

    Both are version tuples; only the minor version matters (3.11.7 and 3.11.9 share a venv).
    """
    if wanted_version is not None and tuple(venv_version[:2]) != tuple(wanted_version[:2]):
        return ("$PYTHON asks for Python %s, and .venv was made by Python %s"
                % (version_text(wanted_version[:2]), version_text(venv_version[:2])))
    return None


def install_fingerprint(root=ROOT, python_version=None, constraints=CONSTRAINTS):
    """A hash of requirements.txt, pyproject.toml and the constraints, plus the venv's Python
    version: what the stamp in .venv records after a successful install."""
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml", constraints):
        path = os.path.join(root, name)
        digest.update(name.encode() + b"\0")
        if os.path.exists(path):
            with open(path, "rb") as file:
                digest.update(file.read().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    if python_version is not None:
        digest.update(version_text(python_version[:2]).encode())
    return digest.hexdigest()


def extra_fingerprint(venv_fingerprint, extra):
    """What the stamp of an extra records: the venv's own fingerprint (so that a reinstall of
    .venv reinstalls the extra too) and the extra's name."""
    return hashlib.sha256((venv_fingerprint.strip() + "\0" + extra).encode()).hexdigest()


def needs_install(stamp_text, fingerprint):
    """Whether pip must run: no stamp (first run, or an install that failed half-way) or the
    stamp is from other requirements / constraints / Python."""
    return stamp_text is None or stamp_text.strip() != fingerprint


def lab_arguments(extra, is_root, browser_found):
    """The arguments after `python -m jupyterlab` for the course's own server.

    extra: the user's own arguments, appended last (so they win). is_root: running as root
    (e.g. in a container), which Jupyter refuses without --allow-root. browser_found: whether
    Python's webbrowser module finds a browser to open; if not, --no-browser (no "No web
    browser found" warning: the link the server prints is the way in).
    """
    arguments = [
        "--ip=127.0.0.1",
        "--ServerApp.root_dir=" + ROOT,
        "--LabApp.default_url=/lab/tree/" + FIRST_NOTEBOOK,
        # No news feed and no update check on the server side; the pop-up asking "get notified
        # about official Jupyter news?" is turned off by write_lab_overrides (a Lab setting).
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # No list of language servers that are not installed (the course uses none).
        "--LanguageServerManager.autodetect=False",
    ]
    if is_root:
        arguments.append("--allow-root")
    if not browser_found:
        arguments.append("--no-browser")
    return arguments + list(extra)


# Lab's own defaults for the course's Lab, in the overrides.json of .venv's Lab (a user's own
# settings still win): no pop-up asking for consent to fetch Jupyter news, no update check.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {
    "fetchNews": "false", "checkForUpdates": False}}


def lab_overrides_path(venv=VENV):
    """Where the Lab of `venv` reads its overrides.json: <sys.prefix>/share/jupyter/lab/settings."""
    return os.path.join(venv, "share", "jupyter", "lab", "settings", "overrides.json")


def merged_overrides(existing_text):
    """LAB_OVERRIDES merged into the text of an existing overrides.json (None if there is none,
    or if it is not a JSON object: then it is replaced); returns the new text."""
    import json
    try:
        settings = json.loads(existing_text) if existing_text else {}
    except ValueError:
        settings = {}
    if not isinstance(settings, dict):
        settings = {}
    for plugin, values in LAB_OVERRIDES.items():
        if not isinstance(settings.get(plugin), dict):
            settings[plugin] = {}
        settings[plugin].update(values)
    return json.dumps(settings, indent=2, sort_keys=True) + "\n"


def write_lab_overrides(venv=VENV):
    path = lab_overrides_path(venv)
    existing = None
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as file:
            existing = file.read()
    text = merged_overrides(existing)
    if text != existing:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)


def pytest_arguments(extra, cpu_count):
    """The arguments after `python -m pytest` for `course.py test`.

    With two or more cores and no argument of the user's that chooses the workers, the suite
    runs in two pytest-xdist workers, one test file (or notebook) at a time each, in the
    order collected: the browser tests (one file, one JupyterLab server for all) start at
    once in one worker while the other worker works through the rest; a notebook's cells stay
    in one worker (nbval runs them in order in one kernel).
    """
    extra = list(extra)
    chooses_workers = any(arg == "-n" or arg.startswith(("-n", "--numprocesses", "--dist"))
                          or arg in ("no:xdist", "-pno:xdist") for arg in extra)
    if cpu_count >= 2 and not chooses_workers:
        return ["-n", "2", "--dist", "loadscope", "--no-loadscope-reorder"] + extra
    return extra


# -- probing and building .venv -------------------------------------------------------------

_VERSION_SNIPPET = "import sys; print('.'.join(map(str, sys.version_info[:3])))"


def probe_python(command, timeout=60):
    """The version tuple of the Python that `command` (a list) starts, or "broken: <why>"."""
    try:
        result = subprocess.run(command + ["-c", _VERSION_SNIPPET], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return "broken: %s" % error
    # Bytes, decoded leniently: a program that is not Python may print anything at all.
    stdout = result.stdout.decode("utf-8", errors="replace")
    stderr = result.stderr.decode("utf-8", errors="replace")
    if result.returncode != 0:
        last = (stderr.strip().splitlines() or ["exit code %d" % result.returncode])[-1]
        return "broken: %s does not start: %s" % (command[0], last)
    try:
        return tuple(int(part) for part in stdout.strip().split("."))
    except ValueError:
        return "broken: %s printed %r instead of its version" % (command[0], stdout[:200])


def probe_venv(venv=VENV):
    path = venv_python(venv)
    if not os.path.exists(path):
        return None
    return probe_python([path])


def find_base_python():
    """(command, version) of a Python >= MIN_PYTHON to build .venv with."""
    running = tuple(sys.version_info[:3])
    candidates = python_candidates()
    if not os.environ.get("PYTHON") and running >= MIN_PYTHON:
        # The Python running this file, unless it is .venv's own (which a rebuild deletes).
        base = getattr(sys, "_base_executable", None) or sys.executable
        if sys.prefix != getattr(sys, "base_prefix", sys.prefix) and base:
            return [base], running
        return [sys.executable], running
    tried = []
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        version = probe_python(command)
        if isinstance(version, tuple) and version[:2] >= MIN_PYTHON:
            return command, version
        tried.append("%s (%s)" % (" ".join(command), version if isinstance(version, str)
                                  else "Python " + version_text(version)))
    if os.environ.get("PYTHON"):
        raise CourseError("$PYTHON=%s is not a Python %s or newer: %s"
                          % (os.environ["PYTHON"], version_text(MIN_PYTHON),
                             "; ".join(tried) or "not found"))
    raise CourseError(
        "the course needs Python %s or newer, and this is Python %s%s.\n"
        "Install a newer Python (https://www.python.org/downloads/; on macOS also "
        "`brew install python@3.12`, on Debian/Ubuntu `sudo apt install python3`), then run "
        "this command again (or set PYTHON to its path)."
        % (version_text(MIN_PYTHON), version_text(running),
           ("; also tried " + ", ".join(tried)) if tried else ""))


def run_quietly(command, log_path, what, expected):
    """Run `command` with its output in log_path, printing a progress line now and then;
    on failure show the whole output and stop."""
    started = time.monotonic()
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("\n$ %s\n" % " ".join(command))
        log.flush()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        next_note = PROGRESS_EVERY
        while process.poll() is None:
            time.sleep(0.5)
            elapsed = time.monotonic() - started
            if elapsed >= next_note:
                say("  ... still %s (%d s so far; %s)" % (what, elapsed, expected))
                next_note += PROGRESS_EVERY
    if process.returncode != 0:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            output = log.read()
        print(output, file=sys.stderr)
        raise CourseError("%s failed (exit code %d); its output is above and in %s"
                          % (what, process.returncode, os.path.relpath(log_path, ROOT)))
    return time.monotonic() - started


def create_venv(reason, venv=VENV):
    command, version = find_base_python()
    if os.path.exists(venv):
        say("%s: rebuilding it with Python %s (%s)."
            % (reason, version_text(version), " ".join(command)))
        shutil.rmtree(venv)
    else:
        say("%s: creating it with Python %s (%s)."
            % (reason, version_text(version), " ".join(command)))
    if version[:2] > NEWEST_TESTED_PYTHON:
        say("note: the course is tested on Python %s to %s; Python %s may work."
            % (version_text(MIN_PYTHON), version_text(NEWEST_TESTED_PYTHON),
               version_text(version[:2])))
    result = subprocess.run(command + ["-m", "venv", venv], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True,
                            errors="replace")
    if result.returncode != 0:
        advice = ""
        if "ensurepip" in result.stdout:
            advice = ("\nOn Debian/Ubuntu install the venv module: sudo apt install "
                      "python3-venv (or python%s-venv)" % version_text(version[:2]))
        shutil.rmtree(venv, ignore_errors=True)
        raise CourseError("could not create .venv with %s:\n%s%s"
                          % (" ".join(command), result.stdout.strip(), advice))
    return probe_venv(venv)


def ensure_venv(venv=VENV, constraints=CONSTRAINTS):
    """Make the venv usable and up to date; return the path of its Python."""
    probe = probe_venv(venv)
    reason = venv_problem(probe)
    if reason is None and os.environ.get("PYTHON"):
        wanted = probe_python([os.environ["PYTHON"]])
        if not isinstance(wanted, tuple):
            raise CourseError("$PYTHON=%s is not a Python that starts (%s); unset PYTHON to "
                              "use %s as it is, or point it at a Python %s or newer"
                              % (os.environ["PYTHON"], wanted[len("broken: "):],
                                 os.path.basename(venv), version_text(MIN_PYTHON)))
        reason = wanted_python_mismatch(probe, wanted)
    if reason is not None:
        probe = create_venv(reason.replace(".venv", os.path.basename(venv)), venv)
        problem = venv_problem(probe)
        if problem is not None:
            raise CourseError("the new .venv does not work: " + problem)
    python = venv_python(venv)
    stamp = os.path.join(venv, STAMP_NAME)
    fingerprint = install_fingerprint(ROOT, probe, constraints)
    stamp_text = None
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as file:
            stamp_text = file.read()
    if needs_install(stamp_text, fingerprint):
        first = stamp_text is None
        say("installing the course's packages into %s (%s; pip's output goes to %s) ..."
            % (os.path.basename(venv), "first time: about 1 to 3 minutes" if first
               else "requirements changed: usually under a minute",
               os.path.join(os.path.basename(venv), INSTALL_LOG_NAME)))
        log_path = os.path.join(venv, INSTALL_LOG_NAME)
        with open(log_path, "w", encoding="utf-8") as log:
            log.write("pip output of course.py's installs\n")
        pip = [python, "-m", "pip", "install", "--disable-pip-version-check"]
        seconds = run_quietly(pip + ["--upgrade", "pip"], log_path, "upgrading pip",
                              "a few seconds")
        seconds += run_quietly(pip + ["-r", "requirements.txt", "-c", constraints],
                               log_path, "installing the packages",
                               "about 1 to 3 minutes on a first run")
        with open(stamp, "w", encoding="utf-8") as file:
            file.write(fingerprint + "\n")
        say("installed in %d s." % seconds)
    return python


def read_stamp(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as file:
        return file.read()


def ensure_extra(python, extra, venv=VENV, constraints=CONSTRAINTS):
    """Install the project's optional dependencies `extra` (pyproject.toml) into the venv that
    ensure_venv just made usable, at the versions of the constraints, if they are not there or
    are from other requirements; a stamp of its own (.installed-<extra>) records it."""
    stamp = os.path.join(venv, STAMP_NAME + "-" + extra)
    fingerprint = extra_fingerprint(read_stamp(os.path.join(venv, STAMP_NAME)) or "", extra)
    stamp_text = read_stamp(stamp)
    if not needs_install(stamp_text, fingerprint):
        return
    log_path = os.path.join(venv, INSTALL_LOG_NAME)
    say("installing the %s tools into %s (%s; pip's output goes to %s) ..."
        % (extra, os.path.basename(venv), "first time: about a minute" if stamp_text is None
           else "requirements changed: usually under a minute",
           os.path.join(os.path.basename(venv), INSTALL_LOG_NAME)))
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("\npip output of course.py's install of the %s extra\n" % extra)
    seconds = run_quietly([python, "-m", "pip", "install", "--disable-pip-version-check",
                           "-e", ".[%s]" % extra, "-c", constraints],
                          log_path, "installing the %s tools" % extra,
                          "about a minute on a first run")
    with open(stamp, "w", encoding="utf-8") as file:
        file.write(fingerprint + "\n")
    say("installed in %d s." % seconds)


# -- commands -----------------------------------------------------------------------------

def browser_available():
    import webbrowser
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def replace_process(command, os_name=os.name, popen=subprocess.Popen):
    """Run command in place of this process where the OS can (Ctrl-C goes straight to it),
    else (Windows) as a child; return its exit code.

    On Windows, Ctrl-C reaches every process of the console, the child too. The child is left
    to handle it: Jupyter shuts its kernels down and exits, pytest reports and exits. This
    process only waits for that (subprocess.call would kill the child 0.25 s after Ctrl-C,
    leaving its kernels running).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if os_name != "nt":
        os.chdir(ROOT)
        os.execv(command[0], command)
    process = popen(command, cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def command_lab(python, extra):
    # Jupyter warns "Notebook ... is not trusted" for a notebook that this user's Jupyter has
    # not signed; the course's own notebooks are trusted (a re-run changes their signature).
    notebooks = sorted(os.path.join("notebooks", name)
                       for name in os.listdir(os.path.join(ROOT, "notebooks"))
                       if name.endswith(".ipynb"))
    subprocess.run([python, "-m", "nbformat.sign", "--log-level=WARN"] + notebooks, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    write_lab_overrides()
    found = browser_available()
    say("starting JupyterLab on 127.0.0.1 (%s stops it)%s."
        % ("Ctrl-C" if os.name == "nt" else "Ctrl-C twice",
           "" if found else "; no web browser found here: open the link it prints"))
    return replace_process([python, "-m", "jupyterlab"] + lab_arguments(extra, is_root(), found))


def command_test(python, extra):
    return replace_process([python, "-m", "pytest"]
                           + pytest_arguments(extra, os.cpu_count() or 1))


def command_test_lowest(python, extra):
    """The suite, but the browser tests, with the oldest versions requirements.txt allows."""
    return replace_process([python, "-m", "pytest", "--ignore=tests/test_browser.py",
                            "--ignore=tests/test_static_html.py", "--ignore=tests/test_site.py"]
                           + pytest_arguments(extra, os.cpu_count() or 1))


def command_script(python, script, extra):
    path = os.path.join(ROOT, script)
    if not os.path.exists(path):
        raise CourseError("%s is not there: is this a complete copy of the course?" % script)
    return replace_process([python, path] + list(extra))


def command_lint(python, extra):
    return replace_process([python, "-m", "ruff", "check"] + (list(extra) or ["."]))


COMMANDS = {
    "lab": command_lab,
    "test": command_test,
    "check": lambda python, extra: command_script(
        python, os.path.join("tools", "check_environment.py"), extra),
    "notebooks": lambda python, extra: command_script(
        python, os.path.join("tools", "run_notebooks.py"), extra),
    "student": lambda python, extra: command_script(
        python, os.path.join("tools", "student_edition.py"), extra),
    "grade": lambda python, extra: command_script(
        python, os.path.join("tools", "grade.py"), extra),
    "bench": lambda python, extra: command_script(
        python, os.path.join("benchmarks", "bench.py"), extra),
    "lint": command_lint,
    "test-lowest": command_test_lowest,
    "test-numerics": lambda python, extra: command_script(
        python, os.path.join("tools", "test_numerics.py"), extra),
    "lock": lambda python, extra: command_script(
        python, os.path.join("tools", "lock_versions.py"), extra),
    "site": lambda python, extra: command_script(
        python, os.path.join("tools", "build_site.py"), ["site"] + list(extra)),
    "slides": lambda python, extra: command_script(
        python, os.path.join("tools", "build_site.py"), ["slides"] + list(extra)),
}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help", "help") else 2
    try:
        if argv[0] == "test-lowest":
            python = ensure_venv(LOWEST_VENV, LOWEST_CONSTRAINTS)
        else:
            python = ensure_venv()
        if argv[0] in EXTRA_COMMANDS:
            ensure_extra(python, EXTRA_COMMANDS[argv[0]])
        return COMMANDS[argv[0]](python, argv[1:])
    except CourseError as error:
        print("course: error: %s" % error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("course: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
