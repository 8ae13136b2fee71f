"""Sphinx configuration of the course website: `python course.py site` (tools/build_site.py).

The source folder is the repository itself: README.md is the home page (its table is the
lesson map), the lessons are the notebooks in notebooks/ as stored (myst-nb executes nothing:
the stored outputs are the content), CONTRIBUTING.md is one more page. A hidden table of
contents, added to the home page while Sphinx reads it, puts the lessons in order (sidebar,
previous/next links). MathJax is served from the site itself, so that no page asks another
server for anything.
"""

import re
import sys
from pathlib import Path

from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from build_site import MATHJAX_PARTS, copy_parts, mathjax_folder  # noqa: E402
LESSONS = sorted(path.relative_to(ROOT).with_suffix("").as_posix()
                 for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

project = "The simple RNN from scratch"
author = "The rnn-from-scratch course authors"
copyright = "the rnn-from-scratch course authors; code MIT, text and figures CC BY 4.0"
html_title = "The simple RNN from scratch, in NumPy"

extensions = ["myst_nb", "sphinx.ext.mathjax"]
root_doc = "README"
include_patterns = ["README.md", "CONTRIBUTING.md", "notebooks/[0-9][0-9]_*.ipynb"]
# Folders Sphinx need not even look into (include_patterns alone would still walk them).
exclude_patterns = [".venv*", "build", "student", ".git", "test-artifacts", "**/.ipynb_checkpoints",
                    "tests", "tools", "benchmarks", "constraints", "docs"]

# The stored outputs are the content: nothing runs, the notebooks are read as they are.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# A lesson may go from its title (#) straight to ### sections.
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "show_toc_level": 2,
    # The sidebar has the search box; no second one in a header bar above the page.
    "navbar_persistent": [],
}
html_last_updated_fmt = None
# pydata-sphinx-theme reads the colour mode from here (none: a console warning on every page).
html_context = {"default_mode": "light"}
html_show_sphinx = False

# MathJax 3 from the PyPI package sphinx-mathjax-offline, copied into _static/mathjax (the parts
# that tools/build_site.py names: the TeX-to-HTML component, its fonts, the TeX extensions it
# loads on demand, its menu).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"tags": "none"}}

# [text](folder): the site has no folder listings, so such a link shows as its text.
FOLDER_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s#]+)/?\)")


def prepare_home_page(app, docname, source):
    """README.md as Sphinx reads it: links to folders made plain text, and the (hidden)
    table of contents of the site appended: the lessons in order, then CONTRIBUTING."""
    if docname != root_doc:
        return
    source[0] = FOLDER_LINK.sub(
        lambda m: m.group(1) if (ROOT / m.group(2)).is_dir() else m.group(0), source[0])
    entries = "\n".join(LESSONS + ["CONTRIBUTING"])
    source[0] += f"\n\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{entries}\n```\n"


def display_math_as_written(app, doctree):
    """Every `$$ ... $$` as JupyterLab and GitHub show it: its TeX as written, inside \\[ \\].
    Sphinx would wrap one with several rows in a split environment, where \\tag is an error;
    myst-parser writes the blocks it marks "amsmath" as they are."""
    for node in doctree.findall(nodes.math_block):
        if "amsmath" not in node["classes"]:
            node["classes"].append("amsmath")


def copy_mathjax(app, exception):
    if exception is None:
        copy_parts(mathjax_folder(), MATHJAX_PARTS, Path(app.outdir) / "_static" / "mathjax")


def setup(app):
    app.connect("source-read", prepare_home_page)
    app.connect("doctree-read", display_math_as_written)
    app.connect("build-finished", copy_mathjax)
