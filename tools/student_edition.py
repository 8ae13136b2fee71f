"""Build the student edition of the course: the notebooks without their solutions.

    python tools/student_edition.py                 notebooks/ -> student/
    python tools/student_edition.py --out DIR       notebooks/ -> DIR
    python tools/student_edition.py --src DIR2 ...  another folder of notebooks
    python tools/student_edition.py --handout DIR   a whole course folder to give to students:
                                                    the code, tools/ and requirements, with the
                                                    student edition as its notebooks/

Solutions are marked with nbgrader's markup, so instructors who use nbgrader can use the
notebooks unchanged (nbgrader itself is not needed here):

- in a code cell, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``raise NotImplementedError("<hint>")`` at the same indentation. The hint is the text of
  ``# HINT: ...`` comments inside the region, or a default (the course's lessons keep their
  hints in the markdown above the exercise, two collapsed <details> blocks: the equation and
  the shapes first, the formula second; only "Solution" blocks are removed);
- a cell whose metadata says ``nbgrader: {solution: true}`` and has no markers is a solution
  as a whole: a code cell becomes the comment ``# YOUR CODE HERE`` (with the hint; no raise
  at top level, so that the notebook still runs top to bottom), a markdown cell
  "YOUR ANSWER HERE";
- in markdown, ``<details><summary>Solution</summary> ... </details>`` blocks are removed.

Stubbed cells lose their outputs, and so do check cells (cells that call ``rnn_checks.check_``,
whose stored output is the instructor's "passed"). Everything else is kept as it is.
The output folder is written fresh: notebooks and any other files of the source folder.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HINT = re.compile(r"^\s*# HINT:\s?(.*)$")
DETAILS = re.compile(r"\n?[ \t]*<details>\s*<summary>[^<]*\bSolution\b[^<]*</summary>.*?</details>"
                     r"[ \t]*\n?", re.IGNORECASE | re.DOTALL)
DEFAULT_HINT = "write your code here (the hints are above this cell), then run the check below"
CHECK_CALL = "rnn_checks.check_"


class MarkupError(ValueError):
    """A BEGIN without END, an END without BEGIN, or nested regions."""


def stub(indent, hint):
    """The lines that replace a solution region."""
    text = hint.replace("\\", "\\\\").replace('"', '\\"')
    return [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("{text}")']


def strip_regions(source, where):
    """Replace every solution region of a code cell's source; returns (source, regions)."""
    out, region, indent, hints, count = [], None, "", [], 0
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if region is not None:
                raise MarkupError(f"{where}, line {number}: BEGIN SOLUTION inside a region")
            region, indent, hints = number, begin.group(1), []
        elif END.match(line):
            if region is None:
                raise MarkupError(f"{where}, line {number}: END SOLUTION without BEGIN")
            out += stub(indent, " ".join(hints) or DEFAULT_HINT)
            region, count = None, count + 1
        elif region is not None:
            hint = HINT.match(line)
            if hint:
                hints.append(hint.group(1).strip())
        else:
            out.append(line)
    if region is not None:
        raise MarkupError(f"{where}, line {region}: BEGIN SOLUTION without END")
    return "\n".join(out), count


def is_solution_cell(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def clear_outputs(cell):
    cell.outputs = []
    cell.execution_count = None


def student_notebook(nb, name="notebook"):
    """Transform one notebook in place; returns a count of what was removed."""
    counts = {"regions": 0, "cells": 0, "details": 0}
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        if cell.cell_type == "code":
            source, regions = strip_regions(cell.source, where)
            if regions:
                cell.source, counts["regions"] = source, counts["regions"] + regions
                clear_outputs(cell)
            elif is_solution_cell(cell):
                hints = [m.group(1).strip() for m in map(HINT.match, cell.source.splitlines())
                         if m]
                cell.source = f"# YOUR CODE HERE ({' '.join(hints) or DEFAULT_HINT})"
                counts["cells"] += 1
                clear_outputs(cell)
            elif CHECK_CALL in cell.source:
                clear_outputs(cell)
        elif cell.cell_type == "markdown":
            if is_solution_cell(cell) and "<details" not in cell.source:
                cell.source = "YOUR ANSWER HERE"
                counts["cells"] += 1
                continue
            source, removed = DETAILS.subn("\n", cell.source)
            if removed:
                cell.source = re.sub(r"\n{3,}", "\n\n", source).strip("\n")
                counts["details"] += removed
    nb.metadata.pop("widgets", None)
    return counts


def build(src, out):
    """Write the student edition of every notebook in src to out (created fresh)."""
    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise ValueError("--out must differ from the source folder")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    report = {}
    for path in sorted(src.iterdir()):
        if path.name.startswith(".") or path.name == "__pycache__":
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            report[path.name] = student_notebook(nb, path.name)
            text = nbformat.writes(nb)
            if "### BEGIN SOLUTION" in text or "### END SOLUTION" in text:
                raise MarkupError(f"{path.name}: solution markers left after stripping")
            (out / path.name).write_text(text, encoding="utf-8")
        elif path.is_dir():
            shutil.copytree(path, out / path.name)
        else:
            shutil.copy2(path, out / path.name)
    return report


# What a student's copy of the course needs besides the notebooks (no tests, no benchmarks).
HANDOUT_FILES = ["README.md", "LICENSE", "CITATION.cff", "course.py", "course.sh",
                 "requirements.txt", "pyproject.toml", "rnn_core.py", "rnn_viz.py", "rnn_text.py",
                 "rnn_checks.py", "seed_rnn.py", "constraints", "tools"]


def handout(out, src=ROOT / "notebooks"):
    """Write a course folder for students to out (created fresh): the files of HANDOUT_FILES
    and the student edition of src as its notebooks/. Returns build()'s report."""
    out = Path(out)
    if out.resolve() == ROOT.resolve() or ROOT.resolve() in out.resolve().parents:
        raise ValueError("--handout must be a folder outside the course (it is handed out)")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in HANDOUT_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, out / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, out / name)
    return build(src, out / "notebooks")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=ROOT / "notebooks", type=Path,
                        help="folder of the instructor's notebooks (default: notebooks/)")
    parser.add_argument("--out", default=ROOT / "student", type=Path,
                        help="folder to write (default: student/); replaced if it exists")
    parser.add_argument("--handout", type=Path,
                        help="write a whole course folder for students here instead (the code, "
                        "tools/, requirements and the student edition as notebooks/)")
    args = parser.parse_args(argv)
    try:
        if args.handout is not None:
            report = handout(args.handout, args.src)
            args.out = args.handout
        else:
            report = build(args.src, args.out)
    except (MarkupError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, counts in report.items():
        print(f"{name}: {counts['regions']} solution regions, {counts['cells']} solution "
              f"cells, {counts['details']} solution blocks removed")
    print(f"student edition written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
