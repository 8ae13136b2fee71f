"""Give every lesson its slide structure: `metadata.slideshow.slide_type` in every cell.

    python tools/slides.py                  every lesson in notebooks/
    python tools/slides.py notebooks/07_training.ipynb
    python tools/slides.py --check          change nothing; list the cells that differ (exit 1)

The structure comes from rules, not from hand edits, so that a lesson that others edit (or a
new lesson) gets it again by running this tool; tools/run_notebooks.py runs it after executing
a lesson, and tests/test_slides.py fails while a lesson's stored metadata differs from what
the rules give. The rules, in order:

1. The title cell (the lesson's first cell) and every markdown cell that starts with a `##`
   heading begin a slide (reveal.js: left/right); one that starts with a `###` heading begins
   a sub-slide (up/down), or a slide while no `##` section has begun (a lesson whose sections
   are `###`).
2. The cells between the title and the first `##`/`###` heading are the lesson's set-up
   (imports, the environment check): skipped in the slides (the website shows them).
3. A code cell with an exercise's reference solution (`### BEGIN SOLUTION`) begins a sub-slide:
   the task stays on the screen before it, the solution comes when the class is ready.
4. Any other cell is a fragment of the sub-slide before it (it appears on the next key press)
   if the sub-slide, with it, still fits on the screen (`estimated_height` against
   FILL_HEIGHT, the screen less the estimates' margin); else it begins a sub-slide of its own.
5. OVERRIDES: exceptions for single cells, keyed by lesson and cell id.

A markdown cell too tall for one screen (a long derivation, a summary with its exercises) is
not edited: `slide_pieces` cuts it, when the deck is built, between paragraphs (never inside an
equation, a list, a table or a <details> block) into pieces that each fit, each piece after
the first a sub-slide of its own. A single code cell taller than the screen stays one
sub-slide, which then scrolls (docs/course_slides). The heights are estimates for reveal.js at
REVEAL_WIDTH x SLIDE_HEIGHT with the deck's fonts (tests/test_site.py measures the real ones:
a sub-slide of several cells or pieces that does not fit fails there).
"""

import argparse
import base64
import math
import re
import struct
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# The deck's canvas (reveal.js `width` x `height`, scaled to the screen: 1.0 at 1280 x 720):
# wide enough for a 100-character code line at the template's 19 px code font.
REVEAL_WIDTH = 1240
SLIDE_HEIGHT = 700

# Pixel heights on that canvas, measured in Chromium with the deck's CSS (tests/test_site.py
# checks that a sub-slide of several cells that these numbers say fits does fit).
TEXT_LINE = 26             # a line of prose (20 px font)
TEXT_CHARS_PER_LINE = 110  # characters of markdown source per line of prose, inline TeX counted
PARAGRAPH_GAP = 20
HEADING = {1: 90, 2: 64, 3: 52}
EQUATION_ROW = 52          # a row of a display equation, with the equation's margins
MATRIX_ROW = 28            # each further row of the tallest matrix in an equation's row
TALL_TERM = 12             # \frac, \sum, \underbrace ... make a row taller (at most 3 counted)
TABLE_ROW = 42
CODE_LINE = 25             # a line of code or of printed output (19 px monospace)
HTML_OUTPUT_PADDING = 60   # the frame of a check's result (rnn_checks' HTML)
CELL_GAP = 24
IMAGE_MAX_HEIGHT = int(SLIDE_HEIGHT * 0.8)   # the deck's CSS caps a figure at this height
# The estimates are off by up to about 20% either way: cells are put together, and cells cut,
# only up to this height.
FILL_HEIGHT = int(SLIDE_HEIGHT * 0.85)

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")

# Exceptions to the rules, {lesson stem: {cell id: slide type}}: keep it short, and say why.
OVERRIDES = {}


# -- reading a cell --------------------------------------------------------------------------

def source_of(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def heading_level(cell):
    """1, 2, 3 ... if a markdown cell starts with a heading of that level, else 0."""
    if cell.get("cell_type") != "markdown":
        return 0
    match = re.match(r"\s*(#{1,6})\s", source_of(cell))
    return len(match.group(1)) if match else 0


def png_size(data):
    """(width, height) of a base64 PNG, from its IHDR header."""
    head = base64.b64decode("".join(data)[:64] if isinstance(data, list) else data[:64])
    return struct.unpack(">II", head[16:24])


# -- the height a cell takes on a slide ------------------------------------------------------

_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+\.)\s")


def markdown_blocks(text):
    """The cell's blocks, in order: paragraphs, headings, lists, tables, display equations,
    <details> and fenced code, each kept whole (a cell is only ever cut between blocks)."""
    blocks, current, closing = [], [], None
    for line in text.split("\n"):
        stripped = line.strip()
        if closing is not None:                  # inside $$ ... $$, <details>, ``` ... ```
            current.append(line)
            if stripped.endswith(closing) and (len(current) > 1 or closing == "</details>"):
                blocks.append("\n".join(current))
                current, closing = [], None
            continue
        if not stripped:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        opens = None
        if stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$")):
            opens = "$$"
        elif stripped.startswith("<details") and "</details>" not in stripped:
            opens = "</details>"
        elif stripped.startswith("```") and stripped.count("```") == 1:
            opens = "```"
        if line == line.lstrip() and current and (opens or stripped.startswith("$$")):
            blocks.append("\n".join(current))   # an equation or block right after a line
            current = []
        current.append(line)
        closing = opens
    if current:
        blocks.append("\n".join(current))
    # A list stays whole (cut between its items, a numbered list would start again at 1),
    # and so does an item's indented continuation.
    merged = []
    for block in blocks:
        if merged and (block[:1].isspace() or (_LIST_ITEM.match(block)
                                                and _LIST_ITEM.match(merged[-1]))):
            merged[-1] += "\n\n" + block
        else:
            merged.append(block)
    return merged


def prose_lines(text):
    """Lines of prose that `text` wraps to: each list item starts a line; inline TeX counts
    about half its source length."""
    text = re.sub(r"\$([^$]+)\$", lambda m: "x" * (len(m.group(1)) // 2 + 1), text)
    text = re.sub(r"\]\([^)]*\)", "]", text)          # a link shows its text only
    items = re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", text)
    return sum(max(1, math.ceil(len(" ".join(item.split())) / TEXT_CHARS_PER_LINE))
               for item in items)


_MATRIX = re.compile(r"\\begin\{([bpv]?matrix|cases|array)\}(.*?)\\end\{\1\}", re.S)
_TALL = re.compile(r"\\(?:d?frac|sum|prod|underbrace|Big|bigl)")


def equation_height(tex):
    r"""A display equation: one EQUATION_ROW per row (rows end at \\ outside a matrix), each
    made taller by its tallest matrix and its tall terms."""
    matrix_rows = []

    def placeholder(match):
        matrix_rows.append(match.group(2).count("\\\\") + 1)
        return f"@matrix{len(matrix_rows) - 1}@"

    height = 0
    for row in _MATRIX.sub(placeholder, tex).split("\\\\"):
        tallest = max((matrix_rows[int(k)] for k in re.findall(r"@matrix(\d+)@", row)),
                      default=1)
        height += (EQUATION_ROW + (tallest - 1) * MATRIX_ROW
                   + min(len(_TALL.findall(row)), 3) * TALL_TERM)
    return height


def block_height(block):
    stripped = block.strip()
    if stripped.startswith("$$"):
        return equation_height(stripped.strip("$"))
    if stripped.startswith("<details"):
        return TEXT_LINE + PARAGRAPH_GAP                   # folded: its summary line
    if stripped.startswith("```"):
        return (stripped.count("\n") - 1) * CODE_LINE + 2 * PARAGRAPH_GAP
    if stripped.startswith("|"):
        return sum(1 for line in stripped.split("\n") if not re.match(r"\|\s*-", line)) \
            * TABLE_ROW + PARAGRAPH_GAP
    level = len(re.match(r"#*", stripped).group(0))
    if level and stripped[level:level + 1] == " ":
        first, _, rest = stripped.partition("\n")
        height = HEADING.get(level, HEADING[3])
        return height + (block_height(rest) if rest.strip() else 0)
    return prose_lines(stripped) * TEXT_LINE + PARAGRAPH_GAP


def output_height(output):
    data = output.get("data", {})
    if "image/png" in data:
        width, height = png_size(data["image/png"])
        scale = min(1.0, REVEAL_WIDTH / width)
        return min(IMAGE_MAX_HEIGHT, int(height * scale)) + CELL_GAP // 2
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    elif "text/html" in data:
        text = data.get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else text
        return (text.count("\n") + 1) * TEXT_LINE + HTML_OUTPUT_PADDING + CELL_GAP // 2
    elif "text/plain" in data:
        text = data["text/plain"]
    else:
        text = output.get("evalue", "")
    text = "".join(text) if isinstance(text, list) else text
    return (text.rstrip("\n").count("\n") + 1) * CODE_LINE + CELL_GAP // 2


def estimated_height(cell):
    """The height (px, on the deck's canvas) that `cell` takes on a slide, roughly."""
    if cell.get("cell_type") == "code":
        lines = source_of(cell).rstrip("\n").count("\n") + 1
        return (lines * CODE_LINE + CELL_GAP
                + sum(output_height(output) for output in cell.get("outputs", [])))
    return sum(block_height(block) for block in markdown_blocks(source_of(cell))) + CELL_GAP


# -- the rules -------------------------------------------------------------------------------

def cut_markdown(text, budget=FILL_HEIGHT - CELL_GAP):
    """`text` cut into pieces [(slide_type or None, text)]: before every `##` heading after
    the first block (a new slide) and `###` heading (a new sub-slide), and between blocks where
    a piece would grow taller than `budget` px (None: a sub-slide of its own; a single block
    taller than that stays whole). A heading stays with the block after it."""
    pieces, current, height = [], [], 0
    for block in markdown_blocks(text):
        block_px = block_height(block)
        level = heading_level({"cell_type": "markdown", "source": block})
        if current and (level in (1, 2, 3) or height + block_px > budget):
            carried = []
            if not level and heading_level({"cell_type": "markdown", "source": current[-1]}) \
                    and "\n" not in current[-1].strip() and len(current) > 1:
                carried = [current.pop()]
            pieces.append(current)
            current, height = carried, sum(block_height(b) for b in carried)
        current.append(block)
        height += block_px
    if current:
        pieces.append(current)
    kinds = {1: "slide", 2: "slide", 3: "subslide"}
    return [(kinds.get(heading_level({"cell_type": "markdown", "source": piece[0]}), "subslide"),
             "\n\n".join(piece)) for piece in pieces]


def plan(nb, lesson):
    """The slide plan of a lesson: for each cell, a list of (slide_type, source, height) pieces;
    one piece, with the cell's own source, unless a markdown cell is cut (`cut_markdown`)."""
    overrides = OVERRIDES.get(lesson, {})
    first_heading = next((k for k, cell in enumerate(nb.cells) if k > 0 and
                          heading_level(cell) >= 2), len(nb.cells))
    pieces_of_cells, on_screen, in_section = [], 0, False
    for k, cell in enumerate(nb.cells):
        level = heading_level(cell)
        height = estimated_height(cell)
        if k == 0 or level in (1, 2) or (level == 3 and not in_section):
            kind = "slide"
        elif level == 3:
            kind = "subslide"
        elif k < first_heading:
            kind = "skip"
        elif cell.get("cell_type") == "code" and "### BEGIN SOLUTION" in source_of(cell):
            kind = "subslide"
        elif on_screen + height <= FILL_HEIGHT:
            kind = "fragment"
        else:
            kind = "subslide"
        kind = overrides.get(cell.get("id"), kind)
        pieces = [(kind, source_of(cell), height)]
        if cell.cell_type == "markdown" and kind != "skip":
            cut = cut_markdown(source_of(cell))
            if len(cut) > 1:
                pieces = [(kind if n == 0 else piece_kind, text,
                           estimated_height({"cell_type": "markdown", "source": text}))
                          for n, (piece_kind, text) in enumerate(cut)]
        in_section = in_section or any(heading_level({"cell_type": "markdown", "source": text})
                                       == 2 for _, text, _ in pieces)
        if kind in ("slide", "subslide") or len(pieces) > 1:
            on_screen = pieces[-1][2]          # what the sub-slide shows so far
        elif kind not in ("skip", "notes"):
            on_screen += height
        pieces_of_cells.append(pieces)
    return pieces_of_cells


def slide_types(nb, lesson):
    """{cell id: slide type} that the rules give the lesson's cells."""
    return {cell.get("id"): pieces[0][0] for cell, pieces in zip(nb.cells, plan(nb, lesson))}


def apply(nb, lesson):
    """Write the rules' slide type into every cell's metadata.slideshow; the number of cells
    changed (0 when the lesson already has it: running this twice changes nothing)."""
    changed = 0
    for cell, kind in zip(nb.cells, slide_types(nb, lesson).values()):
        slideshow = cell.metadata.setdefault("slideshow", nbformat.NotebookNode())
        if slideshow.get("slide_type") != kind:
            slideshow["slide_type"] = kind
            changed += 1
    return changed


def differences(nb, lesson):
    """Lines naming each cell whose stored slide type is not the one the rules give."""
    lines = []
    for k, (cell, kind) in enumerate(zip(nb.cells, slide_types(nb, lesson).values())):
        stored = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if stored != kind:
            lines.append(f"{lesson}: cell {k} (id {cell.get('id')}): slide_type {stored!r}, "
                         f"the rules give {kind!r}")
    return lines


def deck(nb, lesson):
    """A copy of the lesson for its slide deck: the cut markdown cells replaced by their pieces
    (new cells, ids <id>-2, <id>-3 ...), every cell with its slide type."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell, pieces in zip(nb.cells, plan(nb, lesson)):
        for n, (kind, text, _) in enumerate(pieces):
            piece = nbformat.from_dict(dict(cell)) if n == 0 else nbformat.v4.new_markdown_cell(
                text, id=f"{cell.get('id')}-{n + 1}")
            if n == 0 and len(pieces) > 1:
                piece.source = text
            piece.metadata = nbformat.from_dict(dict(piece.get("metadata", {}),
                                                     slideshow={"slide_type": kind}))
            cells.append(piece)
    nb.cells = cells
    return nb


def lesson_paths(args):
    return [Path(arg) for arg in args] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list the cells whose slide type differs")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    problems = []
    for path in lesson_paths(args.notebooks):
        nb = nbformat.read(path, as_version=4)
        if args.check:
            problems += differences(nb, path.stem)
            continue
        changed = apply(nb, path.stem)
        if changed:
            nbformat.write(nb, path)
        print(f"{path.name}: {changed} cells changed")
    if problems:
        print("\n".join(problems) + "\nrun: python tools/slides.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
