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
import sys

MIN_PYTHON = (3, 10)
PACKAGES = ("numpy", "matplotlib", "ipywidgets")

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


def check_packages(import_module=importlib.import_module):
    """(versions, problems): "name version V" for each package that imports, and one line of
    advice per package that does not."""
    found = ["Python version " + ".".join(map(str, sys.version_info[:3]))]
    problems = []
    if tuple(sys.version_info[:2]) < MIN_PYTHON:
        problems.append("this kernel runs Python %d.%d; the course needs %d.%d or newer."
                        % (sys.version_info[:2] + MIN_PYTHON))
    for name in PACKAGES:
        try:
            found.append("%s version %s" % (name, version_of(import_module(name))))
        except ImportError as error:
            problems.append("%s is missing (%s)." % (name, error))
    return found, problems


def check_rnn_core(import_module=importlib.import_module):
    """None if rnn_core imports, else the advice to print."""
    try:
        import_module("rnn_core")
    except ImportError as error:
        return RNN_CORE_ADVICE.format(error=error, python=sys.executable)
    return None


def widget_bundle(import_module=importlib.import_module):
    """The MIME bundle to display: a green ipywidgets HTML box, with WIDGETS_ADVICE as its
    plain-text stand-in; None if ipywidgets does not import."""
    try:
        widgets = import_module("ipywidgets")
    except ImportError:
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
    if bundle is not None and display is not None:
        print('Widgets: a green box saying "widgets work" appears below if JupyterLab can '
              "show sliders.")
        display(bundle)
    elif bundle is not None:  # a terminal: is Lab's widget extension there?
        try:
            import_module("jupyterlab_widgets")
            print("Widgets: the JupyterLab extension (jupyterlab_widgets) is installed.")
        except ImportError:
            print("Widgets: PROBLEM: jupyterlab_widgets is missing. " + WIDGETS_ADVICE)
    else:
        print("Widgets: ipywidgets is missing, so the sliders cannot work. "
              + INSTALL_ADVICE.format(python=sys.executable))
    return not problems and rnn_core_advice is None and bundle is not None


if __name__ == "__main__":
    ok = main()
    # From a terminal (`python course.py check`), the exit code says it too; in a notebook
    # (%run), raising SystemExit would only add noise.
    if "ipykernel" not in sys.modules and not ok:
        sys.exit(1)
