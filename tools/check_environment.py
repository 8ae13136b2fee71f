"""Check that this Python can run the course, and say exactly what to do if not.

Run by the first cell of notebooks/00_introduction.ipynb (`%run ../tools/check_environment.py`,
which works from notebooks/ even when rnn_core is not installed), or from a terminal with
`python course.py check`. It needs nothing but the standard library to start.

Good case (the lines nbval compares; tests/nbval_sanitize.cfg turns "version 2.4.6" into
"version X", so other versions compare equal):

    Environment check
      Python version 3.11.7: ok
      numpy version 2.4.6: ok
      matplotlib version 3.11.2: ok
      ipywidgets version 8.1.9: ok
      rnn_core: ok
    Widgets: a green box saying "widgets work" appears below if JupyterLab can show sliders.

and then a small widget whose plain-text stand-in (what Lab shows when it cannot render
widgets) says how to fix that.
"""

import importlib
import re
import sys

MIN_PYTHON = (3, 10)
# The oldest versions requirements.txt allows (a test keeps the two the same): an older one
# may import and then fail in the middle of a lesson.
PACKAGES = {"numpy": (1, 24), "matplotlib": (3, 7), "ipywidgets": (8, 1)}

INSTALL_ADVICE = (
    "Fix: in a terminal, in the course folder, run `python course.py lab` (it installs "
    "everything into .venv and starts JupyterLab), or install into this kernel's Python:\n"
    "    {python} -m pip install -r requirements.txt\n"
    "then restart the kernel (Kernel > Restart Kernel) and run this cell again."
)
RNN_CORE_ADVICE = (
    "rnn_core is not importable from this kernel ({error}). The course's modules are installed "
    "by `pip install -e .` in the course folder (requirements.txt does it).\n" + INSTALL_ADVICE
)
WIDGETS_ADVICE = (
    "If you can read this line, this JupyterLab cannot show widgets, so the course's sliders "
    "will not work. Fix: install the widgets extension into the Python that runs JupyterLab "
    "(`python -m pip install jupyterlab_widgets`, or start the course with `python course.py "
    "lab`), restart JupyterLab and reload the page. Where widgets work, a green box saying "
    "'widgets work' shows here instead."
)


def version_of(module):
    return getattr(module, "__version__", "unknown")


def version_tuple(text):
    """(1, 24, 0) for "1.24.0rc1": the leading numbers of a version string; () if none."""
    numbers = []
    for part in str(text).split("."):
        match = re.match(r"\d+", part)
        if not match:
            break
        numbers.append(int(match.group()))
        if match.group() != part:
            break
    return tuple(numbers)


def import_problem(name, error):
    """One line saying why a module did not import: missing, or broken (any other error)."""
    if isinstance(error, ImportError):
        return "%s is missing (%s)." % (name, error)
    return "%s is installed but does not import: %s: %s" % (name, type(error).__name__, error)


def check_packages(import_module=importlib.import_module):
    """(versions, problems): "name version V" for each package that imports, and one line of
    advice per package that does not, or that is older than the course allows."""
    found = ["Python version " + ".".join(map(str, sys.version_info[:3]))]
    problems = []
    if tuple(sys.version_info[:2]) < MIN_PYTHON:
        problems.append("this kernel runs Python %d.%d; the course needs %d.%d or newer."
                        % (sys.version_info[:2] + MIN_PYTHON))
    for name, oldest in PACKAGES.items():
        try:
            version = version_of(import_module(name))
        except Exception as error:                 # a broken install raises anything
            problems.append(import_problem(name, error))
            continue
        if version_tuple(version) < oldest:
            problems.append("%s version %s is too old: the course needs %s or newer."
                            % (name, version, ".".join(map(str, oldest))))
        else:
            found.append("%s version %s" % (name, version))
    return found, problems


def check_rnn_core(import_module=importlib.import_module):
    """None if rnn_core imports, else the advice to print."""
    try:
        import_module("rnn_core")
    except ImportError as error:
        return RNN_CORE_ADVICE.format(error=error, python=sys.executable)
    except Exception as error:                     # e.g. a SyntaxError after an edit
        return ("rnn_core is there but does not import: %s: %s. Undo the last change to "
                "rnn_core.py (`git diff rnn_core.py` shows it), then restart the kernel."
                % (type(error).__name__, error))
    return None


def widget_bundle(import_module=importlib.import_module):
    """The MIME bundle to display: a green ipywidgets HTML box, with WIDGETS_ADVICE as its
    plain-text stand-in; None if ipywidgets does not import."""
    try:
        widgets = import_module("ipywidgets")
    except Exception:
        return None
    box = widgets.HTML(value='<span style="background:#2e7d32;color:white;padding:2px 8px">'
                             'widgets work</span>')
    bundle = dict(box._repr_mimebundle_())
    bundle["text/plain"] = WIDGETS_ADVICE
    return bundle


def main(import_module=importlib.import_module, display=None):
    """Print the report; display the widget check if in a kernel. Returns True if all is well."""
    found, problems = check_packages(import_module)
    print("Environment check")
    for line in found:
        print("  %s: ok" % line)
    rnn_core_advice = check_rnn_core(import_module)
    if rnn_core_advice is None:
        print("  rnn_core: ok")
    for problem in problems:
        print("  PROBLEM: " + problem)
    if problems:
        print(INSTALL_ADVICE.format(python=sys.executable))
    if rnn_core_advice is not None:
        print("  PROBLEM: " + rnn_core_advice)
    bundle = widget_bundle(import_module)
    if display is None:
        try:
            from IPython import get_ipython
            from IPython.display import display as ipython_display
        except ImportError:
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:
            def display(bundle):
                ipython_display(bundle, raw=True)
    widgets_ok = bundle is not None
    if bundle is not None and display is not None:
        print('Widgets: a green box saying "widgets work" appears below if JupyterLab can '
              "show sliders.")
        display(bundle)
    elif bundle is not None:  # a terminal: is Lab's widget extension there?
        try:
            import_module("jupyterlab_widgets")
            print("Widgets: the JupyterLab extension (jupyterlab_widgets) is installed.")
        except Exception as error:
            widgets_ok = False
            print("Widgets: PROBLEM: " + import_problem("jupyterlab_widgets", error) + " "
                  + WIDGETS_ADVICE)
    else:
        print("Widgets: ipywidgets is missing, so the sliders cannot work. "
              + INSTALL_ADVICE.format(python=sys.executable))
    return not problems and rnn_core_advice is None and widgets_ok


if __name__ == "__main__":
    if sys.argv[1:]:
        sys.exit("check_environment: takes no arguments, got %s\nusage: python course.py check"
                 % " ".join(sys.argv[1:]))
    ok = main()
    # From a terminal (`python course.py check`), the exit code says it too; in a notebook
    # (%run), raising SystemExit would only add noise.
    if "ipykernel" not in sys.modules and not ok:
        sys.exit(1)
