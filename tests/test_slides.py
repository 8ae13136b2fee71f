"""The lessons' slide structure (tools/slides.py): stored in every cell as the rules give it,
kept by the notebook runner, and cut into pieces without losing a word.

No browser here (tests/test_site.py looks at the decks in Chromium); these run in the lowest
versions' run too.
"""

import copy
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load_tool(name):
    sys.path.insert(0, str(ROOT / "tools"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = load_tool("slides")


def lesson(*cells):
    """A notebook of (cell_type, source) pairs, with ids c0, c1, ..."""
    nb = nbformat.v4.new_notebook()
    for k, (kind, text) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(make(text, id=f"c{k}"))
    return nb


def words(text):
    return " ".join(text.split())


# -- the stored lessons ----------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_cell_carries_the_slide_type_the_rules_give(path):
    """A lesson edited after the rules ran (a new cell, a heading added or removed, a cell
    grown past a screen) fails here until `python tools/slides.py` is run on it."""
    nb = nbformat.read(path, as_version=4)
    problems = slides.differences(nb, path.stem)
    assert not problems, ("the slide structure is out of date; run: python tools/slides.py "
                          f"{path.relative_to(ROOT)}\n" + "\n".join(problems))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_is_a_deck_of_slides(path):
    """A title slide, one slide per `##` section, and only real slide types."""
    nb = nbformat.read(path, as_version=4)
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    assert kinds[0] == "slide"
    assert set(kinds) <= set(slides.SLIDE_TYPES)
    sections = [k for k, cell in enumerate(nb.cells)
                if cell.cell_type == "markdown" and cell.source.startswith("## ")]
    assert sections and all(kinds[k] == "slide" for k in sections)
    assert "subslide" in kinds


def test_overrides_name_cells_that_exist():
    by_stem = {path.stem: path for path in LESSONS}
    for stem, cells in slides.OVERRIDES.items():
        assert stem in by_stem, f"OVERRIDES names a lesson that does not exist: {stem}"
        ids = {cell.id for cell in nbformat.read(by_stem[stem], as_version=4).cells}
        for cell_id, kind in cells.items():
            assert cell_id in ids, f"OVERRIDES: {stem} has no cell {cell_id}"
            assert kind in slides.SLIDE_TYPES


# -- the rules ---------------------------------------------------------------------------------

def test_rules_on_a_small_lesson():
    nb = lesson(("md", "# 99 — Title\n\nWhat you will learn"),
                ("code", "import numpy as np"),
                ("md", "## A section\n\nSome prose."),
                ("code", "x = 1\nprint(x)"),
                ("md", "A short remark."),
                ("code", "\n".join(f"y{k} = {k}" for k in range(40))),
                ("md", "### A subsection"),
                ("md", "### Your turn\n\nWrite f."),
                ("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
                ("code", "check(f)"),
                ("md", "## Summary"))
    assert list(slides.slide_types(nb, "99_title").values()) == [
        "slide", "skip", "slide", "fragment", "fragment", "subslide", "subslide",
        "subslide", "subslide", "fragment", "slide"]


def test_a_lesson_whose_sections_are_level_3_headings():
    nb = lesson(("md", "# 99 — Title"), ("md", "### First part"), ("code", "x = 1"),
                ("md", "### Second part"), ("md", "## A section"), ("md", "### Its part"))
    assert list(slides.slide_types(nb, "99_title").values()) == [
        "slide", "slide", "fragment", "slide", "slide", "subslide"]


def test_overrides_win_over_the_rules(monkeypatch):
    nb = lesson(("md", "# Title"), ("md", "## Section"), ("code", "x = 1"))
    monkeypatch.setitem(slides.OVERRIDES, "99_title", {"c2": "notes"})
    assert slides.slide_types(nb, "99_title")["c2"] == "notes"


def test_apply_writes_the_metadata_once_and_keeps_the_rest(tmp_path):
    nb = nbformat.read(LESSONS[0], as_version=4)
    expected = slides.slide_types(nb, LESSONS[0].stem)
    for cell in nb.cells:
        cell.metadata.pop("slideshow", None)
    nb.cells[1].metadata["tags"] = ["keep-me"]
    assert slides.apply(nb, LESSONS[0].stem) == len(nb.cells)
    assert slides.apply(nb, LESSONS[0].stem) == 0                       # idempotent
    assert {cell.id: cell.metadata.slideshow.slide_type for cell in nb.cells} == expected
    assert nb.cells[1].metadata["tags"] == ["keep-me"]


def test_the_command_line_checks_and_applies(tmp_path, capsys):
    path = tmp_path / LESSONS[1].name
    nb = nbformat.read(LESSONS[1], as_version=4)
    nb.cells[3].metadata.pop("slideshow", None)
    nbformat.write(nb, path)
    assert slides.main(["--check", str(path)]) == 1
    assert f"cell 3 (id {nb.cells[3].id})" in capsys.readouterr().err
    assert slides.main([str(path)]) == 0
    assert slides.main(["--check", str(path)]) == 0


def test_the_notebook_runner_applies_the_rules(tmp_path, monkeypatch):
    """tools/run_notebooks.py, with the kernel left out: a cell without a slide type (a new
    one) gets it when the lesson is re-run."""
    run_notebooks = load_tool("run_notebooks")

    class NoKernel:
        def __init__(self, nb, **kwargs):
            pass

        def execute(self):
            pass

    monkeypatch.setattr(run_notebooks, "NotebookClient", NoKernel)
    path = tmp_path / LESSONS[2].name
    nb = nbformat.read(LESSONS[2], as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("slideshow", None)
    nbformat.write(nb, path)
    run_notebooks.run(path)
    assert slides.differences(nbformat.read(path, as_version=4), path.stem) == []


# -- cutting a tall markdown cell ----------------------------------------------------------------

LONG_DERIVATION = "\n\n".join(
    [f"Paragraph {k}: " + "words " * 60 for k in range(6)]
    + ["$$\na = b \\\\\nc = d \\tag{9.1}\n$$",
       "1. first item\n2. second item",
       "3. third item after a blank line",
       "<details><summary>Solution</summary>\n\nA folded answer.\n\nStill folded.\n</details>",
       "### A subsection\n\nIts text."]
    + [f"More {k}: " + "words " * 60 for k in range(6)])


def test_cut_keeps_every_block_whole_and_every_word():
    pieces = slides.cut_markdown(LONG_DERIVATION)
    assert len(pieces) > 2
    assert words("\n\n".join(text for _, text in pieces)) == words(LONG_DERIVATION)
    for _, text in pieces:
        assert text.count("$$") % 2 == 0, "an equation was cut"
        assert text.count("<details>") == text.count("</details>"), "a <details> was cut"
        assert not text.lstrip().startswith("3. "), "a list was cut between its items"
    kinds = dict((text.split("\n")[0], kind) for kind, text in pieces)
    assert kinds["### A subsection"] == "subslide"


def test_cut_pieces_fit_where_the_blocks_do():
    for _, text in slides.cut_markdown(LONG_DERIVATION):
        blocks = slides.markdown_blocks(text)
        assert (slides.estimated_height({"cell_type": "markdown", "source": text})
                <= slides.FILL_HEIGHT or len(blocks) == 1 or
                (len(blocks) == 2 and slides.heading_level(
                    {"cell_type": "markdown", "source": blocks[0]})))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_deck_holds_every_word_of_the_lesson(path):
    """slides.deck: the lesson's cells in order, the cut ones as pieces whose text together is
    the cell's, ids unique, each piece with its slide type."""
    nb = nbformat.read(path, as_version=4)
    original = copy.deepcopy(nb)
    deck = slides.deck(nb, path.stem)
    assert nb == original, "deck() changed the lesson it was given"
    ids = [cell.id for cell in deck.cells]
    assert len(ids) == len(set(ids))
    for cell in original.cells:
        pieces = [piece for piece in deck.cells
                  if re.fullmatch(re.escape(cell.id) + r"(-\d+)?", piece.id)]
        assert words("\n\n".join(piece.source for piece in pieces)) == words(cell.source)
        assert pieces[0].metadata.slideshow.slide_type == cell.metadata.slideshow.slide_type
        assert all(piece.metadata.slideshow.slide_type in ("slide", "subslide")
                   for piece in pieces[1:])
