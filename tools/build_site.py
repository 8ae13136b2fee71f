"""Build the course website or the lessons' slide decks, offline, from the stored notebooks.

    python course.py site      build/site/: README as the home page, the lessons in order,
                               search (Sphinx, myst-nb, sphinx-book-theme; docs/conf.py)
    python course.py slides    build/slides/: one reveal.js deck per lesson and an index page
                               (nbconvert with docs/course_slides; the structure of each deck
                               comes from tools/slides.py)

    python tools/build_site.py site|slides [--out FOLDER]

Nothing is executed (the stored outputs are the content) and nothing is fetched: MathJax 3
(from the PyPI package sphinx-mathjax-offline) and reveal.js (from sphinx-revealjs) are
copied into the output, so that the folder works from a plain web server, or from the disk,
without a network. Both commands need the `site` extra of pyproject.toml, which course.py
installs on first use.
"""

import argparse
import html
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import slides  # noqa: E402  (tools/slides.py, next to this file)

NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
OUTPUTS = {"site": ROOT / "build" / "site", "slides": ROOT / "build" / "slides"}

# Where the decks find their files (relative to the deck), and which files they need.
ASSETS = "_assets"
REVEAL_PARTS = ["dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
                "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js", "LICENSE"]
MATHJAX_PARTS = ["tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2", "a11y",
                 "ui"]


def package_folder(distribution, folder):
    """A data folder inside an installed distribution, or a clear error if it is missing."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(folder)))
    except metadata.PackageNotFoundError:
        path = None
    if path is None or not path.is_dir():
        raise SystemExit(f"build_site: {distribution} is not installed (or has no {folder}); "
                         "`python course.py site` installs the site extra")
    return path


def mathjax_folder():
    return package_folder("sphinx-mathjax-offline", "sphinx-mathjax-offline/static/mathjax")


def copy_parts(source, parts, target):
    """Copy the files and folders `parts` (relative to `source`) to the same places in `target`."""
    for part in parts:
        if not (source / part).exists():
            continue
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def folder_size(path):
    files = [file for file in path.rglob("*") if file.is_file()]
    return len(files), sum(file.stat().st_size for file in files)


def lessons():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


# -- the website -----------------------------------------------------------------------------

REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta http-equiv="refresh" content="0; url=README.html"></head>
<body><p><a href="README.html">{title}</a></p></body></html>
"""


def build_site(out):
    """Sphinx's HTML of README.md, CONTRIBUTING.md and the lessons into `out`; a warning
    (a broken link, a lesson missing from the table of contents, bad markup) is an error."""
    from sphinx.cmd.build import build_main

    with tempfile.TemporaryDirectory() as doctrees:
        status = build_main(["-b", "html", "-c", str(DOCS), "-d", doctrees, "-E", "-q",
                             "-W", "--keep-going", str(ROOT), str(out)])
    if status != 0:
        raise SystemExit(f"build_site: Sphinx failed (exit code {status}); its messages are "
                         "above")
    # Sphinx names the home page after its source (README.html); a web server looks for
    # index.html.
    (out / "index.html").write_text(REDIRECT.format(title="The simple RNN from scratch"),
                                    encoding="utf-8")
    shutil.rmtree(out / ".doctrees", ignore_errors=True)


# -- the slide decks -------------------------------------------------------------------------

INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Slides: the simple RNN from scratch</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 3em auto;
line-height: 1.5; }}</style></head>
<body><h1>Slides: the simple RNN from scratch</h1>
<p>One deck per lesson (arrow keys or space to move, <kbd>Esc</kbd> for the overview,
<kbd>S</kbd> for the speaker view).</p>
<ol start="0">
{items}
</ol></body></html>
"""


def slides_exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
    config.SlidesExporter.reveal_theme = "white"     # "simple" loads web fonts from Google
    config.SlidesExporter.reveal_width = str(slides.REVEAL_WIDTH)
    config.SlidesExporter.reveal_height = str(slides.SLIDE_HEIGHT)
    config.SlidesExporter.reveal_transition = "none"
    config.SlidesExporter.reveal_number = "c/t"
    config.HTMLExporter.mathjax_url = f"{ASSETS}/mathjax/tex-chtml.js"
    # In [3]: prompts cost a slide 110 px of width and say nothing to a class.
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TemplateExporter.extra_template_basedirs = [str(DOCS)]
    config.SlidesExporter.template_name = "course_slides"
    return SlidesExporter(config=config)


def lesson_title(nb, fallback):
    first = slides.source_of(nb.cells[0]).strip().split("\n")[0] if nb.cells else ""
    return first.lstrip("#").strip() or fallback


def build_slides(out):
    """One deck per lesson, <lesson>.slides.html, the files they load in _assets/, and
    index.html listing them."""
    import nbformat

    copy_parts(package_folder("sphinx-revealjs", "sphinx_revealjs/_static/revealjs"),
               REVEAL_PARTS, out / ASSETS / "reveal.js")
    copy_parts(mathjax_folder(), MATHJAX_PARTS, out / ASSETS / "mathjax")
    exporter = slides_exporter()
    items = []
    for path in lessons():
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(
            slides.deck(nb, path.stem), resources={"metadata": {"name": lesson_title(
                nb, path.stem)}})
        name = f"{path.stem}.slides.html"
        (out / name).write_text(body, encoding="utf-8")
        items.append(f'<li><a href="{name}">{html.escape(lesson_title(nb, path.stem))}</a></li>')
    (out / "index.html").write_text(INDEX.format(items="\n".join(items)), encoding="utf-8")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=sorted(OUTPUTS))
    parser.add_argument("--out", type=Path, help="the output folder (default: build/<what>)")
    args = parser.parse_args(argv)
    out = (args.out or OUTPUTS[args.what]).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.monotonic()
    (build_site if args.what == "site" else build_slides)(out)
    files, size = folder_size(out)
    where = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"{args.what}: {where}/index.html ({files} files, {size / 1e6:.1f} MB) "
          f"in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
