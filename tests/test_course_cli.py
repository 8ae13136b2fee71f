"""course.py, the entry point of the README's two commands: its decisions, tested here for
every OS without needing one (venv paths, which Python builds .venv, when .venv is rebuilt or
reinstalled, the command lines), and the bash scripts' freedom from bash 3.2's pitfalls.
Also tools/check_environment.py's advice when rnn_core or widget support is missing."""

import ast
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = load("course", ROOT / "course.py")
check_environment = load("check_environment", ROOT / "tools" / "check_environment.py")


# -- paths and interpreters per OS ---------------------------------------------------------

@pytest.mark.parametrize("os_name, expected", [
    ("posix", ("venv", "bin", "python")),
    ("nt", ("venv", "Scripts", "python.exe")),
])
def test_venv_python_per_os(os_name, expected):
    assert Path(course.venv_python("venv", os_name)).parts[-3:] == expected


def test_python_candidates_newest_first_per_os():
    posix = course.python_candidates("posix", environ={})
    assert posix[0] == ["python3.13"] and ["python3.10"] in posix
    assert posix.index(["python3.10"]) < posix.index(["python3"])
    assert ["python3.9"] not in posix
    windows = course.python_candidates("nt", environ={})
    assert windows[0] == ["py", "-3.13"] and ["py", "-3.10"] in windows
    assert all(c[0] == "py" for c in windows[:-1])


def test_python_environment_variable_is_the_only_candidate():
    assert course.python_candidates("posix", environ={"PYTHON": "/opt/py/bin/python3.12"}) == [
        ["/opt/py/bin/python3.12"]]


# -- rebuild or not, reinstall or not ------------------------------------------------------

@pytest.mark.parametrize("probe, expected", [
    (None, "no .venv yet"),
    ("broken: python does not start: No such file", "broken"),
    ((3, 9, 18), "made by Python 3.9.18"),
    ((2, 7, 18), "made by Python 2.7.18"),
    ((3, 10, 0), None),
    ((3, 13, 0), None),
    ((3, 14, 1), None),   # newer than tested: used, with a note when it is built
])
def test_venv_problem(probe, expected):
    reason = course.venv_problem(probe)
    if expected is None:
        assert reason is None
    else:
        assert expected in reason


def test_explicit_python_rebuilds_only_for_another_minor_version():
    assert course.wanted_python_mismatch((3, 11, 7), None) is None
    assert course.wanted_python_mismatch((3, 11, 7), (3, 11, 9)) is None
    assert "3.12" in course.wanted_python_mismatch((3, 11, 7), (3, 12, 1))


def test_install_stamp_follows_requirements_constraints_and_python(tmp_path):
    for name, text in [("requirements.txt", "numpy\n"), ("pyproject.toml", "[project]\n")]:
        (tmp_path / name).write_text(text)
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "current.txt").write_text("numpy==2.0.0\n")
    first = course.install_fingerprint(tmp_path, (3, 11, 7))
    assert course.needs_install(None, first)                  # first run or failed install
    assert not course.needs_install(first + "\n", first)      # nothing changed
    assert course.install_fingerprint(tmp_path, (3, 11, 9)) == first   # patch release
    assert course.install_fingerprint(tmp_path, (3, 12, 0)) != first
    # Windows checkouts may have CRLF line ends: same content, same stamp.
    (tmp_path / "requirements.txt").write_bytes(b"numpy\r\n")
    assert course.install_fingerprint(tmp_path, (3, 11, 7)) == first
    (tmp_path / "constraints" / "current.txt").write_text("numpy==2.0.1\n")
    assert course.needs_install(first, course.install_fingerprint(tmp_path, (3, 11, 7)))


def fake_python(tmp_path, body):
    """A .venv whose bin/python is a shell script (POSIX only)."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n" + body + "\n")
    python.chmod(0o755)
    return tmp_path / "venv"


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-in for a venv's python")
@pytest.mark.parametrize("body, expected", [
    ("echo 3.9.6", "made by Python 3.9.6"),
    ("echo 'error while loading shared libraries' >&2; exit 127", "broken"),
    ("echo hello", "broken"),
    ("echo 3.12.1", None),
])
def test_probe_of_a_real_interpreter_file(tmp_path, body, expected):
    reason = course.venv_problem(course.probe_venv(str(fake_python(tmp_path, body))))
    assert (reason is None) if expected is None else (expected in reason), reason


def test_probe_of_a_missing_venv(tmp_path):
    assert course.probe_venv(str(tmp_path / "nothing")) is None


# -- command lines -------------------------------------------------------------------------

def test_lab_arguments():
    args = course.lab_arguments(["--port=9999"], is_root=False, browser_found=True)
    assert "--ip=127.0.0.1" in args
    assert "--LabApp.news_url=None" in args
    assert "--LanguageServerManager.autodetect=False" in args
    assert any(a.startswith("--LabApp.default_url=/lab/tree/notebooks/00_") for a in args)
    assert "--allow-root" not in args and "--no-browser" not in args
    assert args[-1] == "--port=9999"          # the user's own arguments come last and win
    args = course.lab_arguments([], is_root=True, browser_found=False)
    assert "--allow-root" in args and "--no-browser" in args


def test_lab_options_exist_in_the_installed_jupyter():
    """Each --Class.trait option of the lab command names a real, configurable trait."""
    pytest.importorskip("jupyterlab")
    from jupyter_lsp.manager import LanguageServerManager
    from jupyterlab.labapp import LabApp
    classes = {"LabApp": LabApp, "LanguageServerManager": LanguageServerManager}
    for arg in course.lab_arguments([], is_root=False, browser_found=True):
        match = re.match(r"--(\w+)\.(\w+)=", arg)
        if match and match.group(1) in classes:
            trait = classes[match.group(1)].class_traits(config=True).get(match.group(2))
            assert trait is not None, arg


@pytest.mark.parametrize("extra, cpus, parallel", [
    ([], 2, True),
    (["tests/test_rnn_core.py", "-x"], 4, True),
    ([], 1, False),
    (["-n", "0"], 2, False),
    (["-n0"], 2, False),
    (["-p", "no:xdist"], 2, False),
])
def test_pytest_arguments(extra, cpus, parallel):
    args = course.pytest_arguments(extra, cpus)
    assert args[len(args) - len(extra):] == extra
    assert ("--dist" in args and "loadscope" in args) == parallel


def run_course(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_usage_without_a_command():
    result = run_course()
    assert result.returncode == 2
    assert "python course.py COMMAND" in result.stderr and "py course.py" in result.stderr
    assert run_course("--help").returncode == 0


def test_a_missing_script_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "ROOT", str(tmp_path))
    with pytest.raises(course.CourseError, match="student_edition.py is not there"):
        course.command_script("python", os.path.join("tools", "student_edition.py"), [])


def test_usage_names_every_command():
    """course.py's usage, its docstring and course.sh's usage line list every command."""
    sh_usage = (ROOT / "course.sh").read_text(encoding="utf-8").split("set -e")[0]
    for name in course.COMMANDS:
        assert re.search(rf"^  {re.escape(name)} ", course.USAGE, re.MULTILINE), name
        assert f"python course.py {name} " in course.__doc__, name
        assert re.search(rf"[ |]{re.escape(name)}( |$)", sh_usage, re.MULTILINE), name


class FakeChild:
    """A child process whose wait() is interrupted by Ctrl-C `interrupts` times, then exits."""

    def __init__(self, interrupts, code=0):
        self.interrupts, self.code, self.killed = interrupts, code, False

    def wait(self):
        if self.interrupts:
            self.interrupts -= 1
            raise KeyboardInterrupt
        return self.code

    def kill(self):
        self.killed = True


def test_windows_ctrl_c_lets_the_child_shut_down_by_itself():
    """On Windows the child gets Ctrl-C too (Jupyter then stops its kernels and exits):
    course.py waits for it, never kills it, and returns its exit code."""
    child = FakeChild(interrupts=2, code=3)
    assert course.replace_process(["jupyter"], os_name="nt",
                                  popen=lambda command, cwd: child) == 3
    assert not child.killed and child.interrupts == 0


@pytest.mark.parametrize("existing", [
    None,
    "",
    "not json",
    "[1, 2]",
    '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "true", "other": 1}}',
    '{"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}',
])
def test_lab_overrides_turn_the_news_pop_up_off_and_keep_other_settings(existing):
    import json
    merged = json.loads(course.merged_overrides(existing))
    notification = merged["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    if existing and existing.startswith("{"):
        for plugin, values in json.loads(existing).items():
            for key, value in values.items():
                if key not in ("fetchNews", "checkForUpdates"):
                    assert merged[plugin][key] == value


def test_lab_overrides_are_written_where_the_venvs_lab_reads_them(tmp_path):
    from jupyterlab.commands import get_app_dir
    course.write_lab_overrides(str(tmp_path))
    path = Path(course.lab_overrides_path(str(tmp_path)))
    assert path.exists()
    # Lab's app settings folder is <sys.prefix>/share/jupyter/lab/settings; for this venv:
    expected = Path(get_app_dir()) / "settings" / "overrides.json"
    assert path.relative_to(tmp_path) == expected.relative_to(sys.prefix)


def test_too_old_python_environment_variable_is_refused(monkeypatch):
    monkeypatch.setenv("PYTHON", sys.executable)
    monkeypatch.setattr(course, "MIN_PYTHON", (sys.version_info[0], sys.version_info[1] + 1))
    with pytest.raises(course.CourseError, match=r"\$PYTHON=.* is not a Python"):
        course.find_base_python()


# -- the code of the entry point and the bash scripts ---------------------------------------

def test_course_py_parses_as_python_3_6():
    """course.py must be able to say "too old" on an old Python (macOS's python3 is 3.9):
    no syntax newer than 3.6 (no walrus, match, or parenthesised context managers)."""
    ast.parse((ROOT / "course.py").read_text(encoding="utf-8"), feature_version=(3, 6))


# Folders the course makes (see .gitignore): virtual environments, builds, the student edition.
GENERATED = (".venv", "build", "student", "test-artifacts")


def bash_scripts():
    """The project's own bash scripts, not those of the packages in .venv or .venv-lowest."""
    scripts = [ROOT / "course.sh", ROOT / ".ci" / "run"]
    scripts += [p for p in ROOT.rglob("*.sh")
                if not p.relative_to(ROOT).parts[0].startswith(GENERATED)]
    return sorted(set(scripts))


@pytest.mark.parametrize("script", bash_scripts(), ids=lambda p: p.name)
def test_bash_scripts_avoid_the_bash_3_2_empty_array_pitfall(script):
    """bash < 4.4 (macOS's /bin/bash is 3.2) calls an empty "${array[@]}" unbound under
    `set -u`: a script either uses no array expansion or does not `set -u`."""
    text = script.read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    uses_arrays = re.search(r"\$\{\w+\[[@*]\]", code) is not None
    sets_u = re.search(r"^\s*set\s+-\w*u", code, re.MULTILINE) is not None
    assert not (uses_arrays and sets_u), f"{script.name}: array expansion under set -u"


def test_bash_wrapper_passes_everything_to_course_py():
    text = (ROOT / "course.sh").read_text(encoding="utf-8")
    assert 'course.py "$@"' in text


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 course.py test" in readme and "py course.py test" in readme
    assert re.search(r"^python3 course.py test </dev/null$", ci, re.MULTILINE)
    assert "apt-get install -y chromium" in ci


# -- the environment check's advice ---------------------------------------------------------

def importer(missing):
    """importlib.import_module, except that the modules in `missing` raise ImportError."""
    def import_module(name):
        if name in missing:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return importlib.import_module(name)
    return import_module


def test_environment_check_good_case(capsys):
    shown = []
    assert check_environment.main(importer(set()), display=shown.append)
    out = capsys.readouterr().out
    assert "numpy version" in out and "rnn_core: ok" in out and "PROBLEM" not in out
    assert len(shown) == 1
    assert "application/vnd.jupyter.widget-view+json" in shown[0]
    assert shown[0]["text/plain"] == check_environment.WIDGETS_ADVICE


def test_environment_check_advice_for_a_missing_rnn_core(capsys):
    assert not check_environment.main(importer({"rnn_core"}), display=lambda bundle: None)
    out = capsys.readouterr().out
    assert "rnn_core is not importable" in out
    assert "pip install -r requirements.txt" in out and "python course.py lab" in out
    assert "restart the kernel" in out


def test_environment_check_advice_for_missing_widget_support(capsys):
    # A Lab without the widgets extension shows the text/plain stand-in of the widget:
    bundle = check_environment.widget_bundle()
    assert "cannot show widgets" in bundle["text/plain"]
    assert "jupyterlab_widgets" in bundle["text/plain"]
    # No ipywidgets in the kernel at all:
    assert not check_environment.main(importer({"ipywidgets"}), display=lambda bundle: None)
    out = capsys.readouterr().out
    assert "ipywidgets is missing" in out and "sliders cannot work" in out
    # From a terminal, without Lab's widget extension:
    check_environment.main(importer({"jupyterlab_widgets"}), display=None)
    assert "jupyterlab_widgets is missing" in capsys.readouterr().out


def test_environment_check_output_compares_across_versions():
    """nbval sanitizes the versions the check prints (tests/nbval_sanitize.cfg)."""
    cfg = (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    regex = re.search(r"^regex: (version .*)$", cfg, re.MULTILINE).group(1)
    assert re.sub(regex, "version X", "numpy version 2.4.6: ok") == "numpy version X: ok"
    assert re.sub(regex, "version X", "numpy version 1.24.0rc1: ok") == "numpy version X: ok"


def test_the_code_passes_the_linter():
    """ruff, configured in pyproject.toml (100 columns, pycodestyle and pyflakes rules)."""
    pytest.importorskip("ruff")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--output-format", "concise", str(ROOT)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the site extra (website and slides tools) ---------------------------------------------------

def test_only_the_maintainers_commands_install_the_site_extra():
    """A student's commands (lab, check, student ...) never install the site tools; the ones
    that build the site (and test it, and record its versions) do."""
    assert set(course.EXTRA_COMMANDS) == {"site", "slides", "test", "lock"}
    assert set(course.EXTRA_COMMANDS) <= set(course.COMMANDS)
    assert 'site = ["sphinx' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "sphinx" not in requirements and "myst" not in requirements


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-in for a venv's python")
def test_site_extra_installs_once_and_again_when_the_venv_changes(tmp_path, monkeypatch,
                                                                  capsys):
    """ensure_extra runs pip (here a stand-in that records its arguments) when the extra's
    stamp is missing or was made for another install of .venv, and not otherwise."""
    venv = fake_python(tmp_path, 'echo "$@" >> "$(dirname "$0")/../calls"')
    monkeypatch.setattr(course, "ROOT", str(tmp_path))
    (venv / course.STAMP_NAME).write_text("fingerprint-1\n")
    python = str(venv / "bin" / "python")
    calls = venv / "calls"

    course.ensure_extra(python, "site", venv=str(venv))
    assert calls.read_text().split() == ["-m", "pip", "install", "--disable-pip-version-check",
                                         "-e", ".[site]", "-c", course.CONSTRAINTS]
    out = capsys.readouterr().out
    assert "installing the site tools into venv (first time" in out and "installed in" in out

    course.ensure_extra(python, "site", venv=str(venv))          # up to date: no pip
    assert len(calls.read_text().splitlines()) == 1
    (venv / course.STAMP_NAME).write_text("fingerprint-2\n")     # .venv was reinstalled
    course.ensure_extra(python, "site", venv=str(venv))
    assert len(calls.read_text().splitlines()) == 2
    assert "requirements changed" in capsys.readouterr().out
    assert course.extra_fingerprint("fingerprint-2", "site") != course.extra_fingerprint(
        "fingerprint-2", "other")


# -- bad input to the commands and to the environment check ------------------------------------

# One row per command at least: (arguments, extra environment, a word the message must contain).
# Each must end with a non-zero exit code and a message, never a Python traceback. A
# `PYTHON` that does not start is bad input to every command: test-lowest is checked that way
# (its real arguments go to pytest only after building .venv-lowest, minutes on a fresh machine).
CLI_BAD_INPUT = [
    (["no-such-command"], {}, "usage"),
    (["lab", "--port=abc"], {}, "port"),
    (["test", "--no-such-option"], {}, "unrecognized arguments"),
    (["check", "--verbose"], {}, "takes no arguments"),
    (["notebooks", "notebooks/no_such_lesson.ipynb"], {}, "not a notebook file"),
    (["notebooks", "--force"], {}, "not a notebook file"),
    (["student", "--no-such-option"], {}, "unrecognized arguments"),
    (["grade"], {}, "the following arguments are required: folder"),
    (["grade", "no_such_folder"], {}, "is not a folder"),
    (["bench", "--no-such-option"], {}, "unrecognized arguments"),
    (["lint", "--no-such-option"], {}, "--no-such-option"),
    (["lock", "now"], {}, "takes no arguments"),
    (["test-lowest"], {"PYTHON": "/bin/false"}, "$PYTHON=/bin/false"),
    (["test", "-x"], {"PYTHON": "/bin/false"}, "$PYTHON=/bin/false"),
    (["test-numerics", "--env", "no-such-environment"], {}, "unknown environment"),
    (["site", "--no-such-option"], {}, "unrecognized arguments"),
    (["slides", "--no-such-option"], {}, "unrecognized arguments"),
]


@pytest.mark.parametrize("args, env, word", CLI_BAD_INPUT, ids=lambda value: " ".join(value)
                         if isinstance(value, list) else None)
def test_bad_input_to_a_command_gets_a_message_not_a_traceback(args, env, word):
    if args[0] == "test-lowest" and not Path("/bin/false").exists():
        pytest.skip("no /bin/false here")
    result = run_course(*args, env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert word in output, output[-2000:]
    assert "Traceback (most recent call last)" not in output, output[-2000:]


def test_every_command_has_a_bad_input_row():
    covered = {args[0] for args, _, _ in CLI_BAD_INPUT}
    assert set(course.COMMANDS) <= covered, set(course.COMMANDS) - covered


def test_a_python_that_prints_bytes_that_are_not_utf8_is_reported(tmp_path):
    program = tmp_path / "not-python"
    program.write_bytes(b"#!/bin/sh\nprintf '\\377\\376 version?\\n'\n")
    program.chmod(0o755)
    found = course.probe_python([str(program)])
    assert isinstance(found, str) and found.startswith("broken:") and "instead of its version" \
        in found, found


def test_a_python_variable_that_does_not_start_is_refused_even_with_a_venv(monkeypatch):
    monkeypatch.setenv("PYTHON", "/no/such/python")
    monkeypatch.setattr(course, "probe_venv", lambda venv=course.VENV: (3, 11, 7))
    with pytest.raises(course.CourseError, match=r"\$PYTHON=/no/such/python is not a Python"):
        course.ensure_venv()


def broken_importer(broken):
    """importlib.import_module, except that the modules in `broken` raise what they map to."""
    def import_module(name):
        if name in broken:
            raise broken[name]
        return importlib.import_module(name)
    return import_module


class OldModule:
    def __init__(self, version):
        self.__version__ = version


@pytest.mark.parametrize("broken, word", [
    ({"matplotlib": RuntimeError("Matplotlib requires dateutil>=2.7")},
     "matplotlib is installed but does not import: RuntimeError"),
    ({"rnn_core": SyntaxError("invalid syntax (rnn_core.py, line 12)")},
     "rnn_core is there but does not import: SyntaxError"),
    ({"ipywidgets": AttributeError("module 'traitlets' has no attribute 'Sentinel'")},
     "ipywidgets is installed but does not import"),
    ({"jupyterlab_widgets": ValueError("a broken install")}, "jupyterlab_widgets is installed"),
])
def test_environment_check_reports_a_broken_install_without_a_traceback(broken, word, capsys):
    assert not check_environment.main(broken_importer(broken), display=None)
    assert word in capsys.readouterr().out


def test_environment_check_refuses_versions_older_than_the_requirements(capsys):
    def import_module(name):
        return OldModule("1.20.3") if name == "numpy" else importlib.import_module(name)
    assert not check_environment.main(import_module, display=None)
    out = capsys.readouterr().out
    assert "numpy version 1.20.3 is too old: the course needs 1.24 or newer" in out
    assert "numpy version 1.20.3: ok" not in out


def test_environment_check_minimum_versions_are_those_of_requirements_txt():
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for name, oldest in check_environment.PACKAGES.items():
        pinned = re.search(rf"^{name}>=([\d.]+)", requirements, re.MULTILINE).group(1)
        assert check_environment.version_tuple(pinned) == oldest, name


def test_environment_check_exits_1_from_a_terminal_when_widget_support_is_missing(tmp_path):
    """`python course.py check` says PROBLEM and its exit code says it too."""
    shadow = tmp_path / "jupyterlab_widgets.py"
    shadow.write_text("raise ImportError('jupyterlab_widgets hidden by the test')\n")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_environment.py")],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert "PROBLEM" in result.stdout and result.returncode == 1, result.stdout


@pytest.mark.parametrize("text, expected", [
    ("2.4.6", (2, 4, 6)), ("1.24.0rc1", (1, 24, 0)), ("8.1", (8, 1)), ("unknown", ()),
    ("3.11.0.post1", (3, 11, 0)),
])
def test_version_tuple(text, expected):
    assert check_environment.version_tuple(text) == expected


@pytest.mark.skipif(os.name != "posix", reason="the process group is stopped with killpg")
def test_test_numerics_stops_a_run_that_hangs_with_everything_it_started(tmp_path):
    # A pytest that hangs (as nbval did once, waiting on a kernel that died while starting)
    # must not hold CI until its time limit: it is stopped, with its children.
    tool = load("test_numerics_tool", ROOT / "tools" / "test_numerics.py")
    pid_file = tmp_path / "child.pid"
    hangs = [sys.executable, "-c",
             "import subprocess, sys, time\n"
             "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
             f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
             "time.sleep(60)"]
    assert not tool.run_pytest(hangs, {}, tmp_path / "hang.log", time_limit=3)
    child = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):                  # the kill is immediate; give the kernel a moment
            os.kill(child, 0)
            time.sleep(0.1)
    assert tool.run_pytest([sys.executable, "-c", "print('ok')"], {}, tmp_path / "ok.log",
                           time_limit=30)
    assert (tmp_path / "ok.log").read_text().strip() == "ok"
