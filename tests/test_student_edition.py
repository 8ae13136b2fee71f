"""Tests of tools/student_edition.py, first on a small synthetic notebook built here: no
solution code survives, stubs raise NotImplementedError with the hint, solution <details>
blocks are gone, other cells are unchanged, and the built notebook runs top to bottom in a
fresh kernel with its check reporting "not implemented yet". Then on the course itself: every
exercise is marked and checked, and each lesson with exercises, in the student edition, has
none of their solution lines and runs top to bottom with every check saying "not implemented
yet".
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_edition  # noqa: E402
import student_solutions as solutions  # noqa: E402

SOLUTION_LINE = "return np.tanh(Wxh @ x_t + Whh @ h_prev + bh)"

EXERCISE = '''import numpy as np


def rnn_step_forward(x_t, h_prev, Wxh, Whh, bh):
    """One step of the RNN, Eqs. (2.1)-(2.2): x_t (D, B), h_prev (H, B) -> h_t (H, B)."""
    ### BEGIN SOLUTION
    # HINT: Eq. (2.1), then Eq. (2.2)
    ''' + SOLUTION_LINE + '''
    ### END SOLUTION'''

WHOLE_CELL_SOLUTION = "secret_answer = 42   # a whole cell marked as a solution"
AFTER = ('import rnn_core\n'
         'print(f"{rnn_core.mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]))[0]:.6f}")')
MARKDOWN = ("## Exercises\n\n**1.** Why tanh?\n\n<details><summary>Solution</summary>\n\n"
            "Because SECRET_PROSE.\n</details>\n\n**2.** Keep this hint:\n\n"
            "<details><summary>Hint</summary>Look at Eq. (2.8).</details>")


def synthetic_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    stored = nbformat.v4.new_output("stream", name="stdout", text="instructor output\n")
    cells = [
        nbformat.v4.new_markdown_cell("# A lesson\n\nWhat you will learn: one RNN step."),
        nbformat.v4.new_code_cell(EXERCISE, outputs=[stored], execution_count=1),
        nbformat.v4.new_code_cell("import rnn_checks\n"
                                  "rnn_checks.check_step_forward(rnn_step_forward)",
                                  outputs=[nbformat.v4.new_output(
                                      "execute_result", data={"text/plain": "[PASSED] ..."},
                                      execution_count=2)], execution_count=2),
        nbformat.v4.new_code_cell(WHOLE_CELL_SOLUTION,
                                  metadata={"nbgrader": {"solution": True, "grade": False,
                                                         "grade_id": "answer"}}),
        nbformat.v4.new_code_cell(AFTER, outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="2.500000\n")], execution_count=4),
        nbformat.v4.new_markdown_cell(MARKDOWN),
        nbformat.v4.new_markdown_cell("The answer is SECRET_MARKDOWN_CELL.",
                                      metadata={"nbgrader": {"solution": True}}),
    ]
    nb.cells = cells
    return nb


@pytest.fixture
def built(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    nbformat.write(synthetic_notebook(), src / "01_lesson.ipynb")
    (src / "data.txt").write_text("a file the notebooks read\n")
    out = tmp_path / "student"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py"),
                             "--src", str(src), "--out", str(out)],
                            capture_output=True, text=True, check=True)
    return src, out, result.stdout


def test_no_solution_survives(built):
    src, out, stdout = built
    text = (out / "01_lesson.ipynb").read_text()
    for secret in (SOLUTION_LINE, "SECRET_PROSE", "SECRET_MARKDOWN_CELL", "secret_answer",
                   "BEGIN SOLUTION", "END SOLUTION", "instructor output", "[PASSED]"):
        assert secret not in text, secret
    assert "1 solution regions, 2 solution cells, 1 solution blocks removed" in stdout
    assert (out / "data.txt").read_text() == "a file the notebooks read\n"


def test_stubs_and_kept_cells(built):
    src, out, _ = built
    original = nbformat.read(src / "01_lesson.ipynb", as_version=4)
    student = nbformat.read(out / "01_lesson.ipynb", as_version=4)
    assert len(student.cells) == len(original.cells)
    exercise = student.cells[1]
    assert exercise.outputs == [] and exercise.execution_count is None
    assert 'raise NotImplementedError("Eq. (2.1), then Eq. (2.2)")' in exercise.source
    assert "\n    raise NotImplementedError" in exercise.source          # same indentation
    assert exercise.source.startswith(EXERCISE.split("### BEGIN")[0].rstrip())  # docstring kept
    namespace = {}
    exec(exercise.source, namespace)
    with pytest.raises(NotImplementedError, match="Eq. \\(2.1\\)"):
        namespace["rnn_step_forward"](None, None, None, None, None)
    assert student.cells[2].outputs == []                               # the check cell
    assert student.cells[3].source.startswith("# YOUR CODE HERE")
    assert student.cells[6].source == "YOUR ANSWER HERE"
    # Unchanged: the intro, the cell after the exercise (with its output), the kept hint.
    for index in (0, 4):
        assert student.cells[index] == original.cells[index]
    assert "<details><summary>Hint</summary>Look at Eq. (2.8).</details>" in student.cells[5].source
    assert "**1.** Why tanh?" in student.cells[5].source and "<summary>Solution" not in \
        student.cells[5].source


def test_the_student_edition_runs_top_to_bottom(built, monkeypatch):
    _, out, _ = built
    # The course's modules come from `pip install -e .`; the root on the kernel's path as
    # well keeps this test independent of how the checkout was installed.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = nbformat.read(out / "01_lesson.ipynb", as_version=4)
    # A fresh kernel; raises CellExecutionError on any cell error.
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(out)}}).execute()
    check_output = nb.cells[2].outputs[0]
    text = check_output["data"]["text/plain"]
    assert "not implemented yet" in text
    assert "not implemented yet" in check_output["data"]["text/html"]
    assert nb.cells[4].outputs[0]["text"] == "2.500000\n"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "BEGIN SOLUTION without END"),
    ("x = 1\n### END SOLUTION\n", "END SOLUTION without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside a region"),
])
def test_broken_markup_is_an_error_naming_the_cell(source, message):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    with pytest.raises(student_edition.MarkupError, match=message) as error:
        student_edition.student_notebook(nb, "x.ipynb")
    assert "x.ipynb, cell 0" in str(error.value)


def test_default_hint_and_two_regions():
    source = ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n\n"
              "def g():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION")
    out, count = student_edition.strip_regions(source, "here")
    assert count == 2 and "return 1" not in out and "return 2" not in out
    assert out.count(f'raise NotImplementedError("{student_edition.DEFAULT_HINT}")') == 2


# --------------------------------------------------------------------------------------
# The real student edition, built from the course's notebooks
# --------------------------------------------------------------------------------------

EXERCISE_NOTEBOOKS = {"01_forward_pass.ipynb": ["check_step_forward"],
                      "03_bptt_recursion.ipynb": ["check_mse_loss"],
                      "04_bptt_shared_weights.ipynb": ["check_step_backward", "check_bptt"],
                      "05_gradient_checking.ipynb": ["check_numerical_gradient"],
                      "07_training.ipynb": ["check_sgd_step"],
                      "09_clipping.ipynb": ["check_clip_grads"]}


@pytest.fixture(scope="module")
def student_edition_of_the_course(tmp_path_factory):
    """student/ built from notebooks/, next to a link to tools/ (notebook 00 runs
    ../tools/check_environment.py), as in a clone where `course.py student` was run."""
    base = tmp_path_factory.mktemp("course")
    (base / "tools").symlink_to(ROOT / "tools", target_is_directory=True)
    student_edition.build(ROOT / "notebooks", base / "student")
    return base / "student"


def test_every_exercise_is_marked_and_checked_in_the_course():
    for name, checks in EXERCISE_NOTEBOOKS.items():
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
        assert code.count("### BEGIN SOLUTION") == len(checks), name
        for check in checks:
            assert f"rnn_checks.{check}(" in code, (name, check)


@pytest.mark.parametrize("name", sorted(EXERCISE_NOTEBOOKS))
def test_the_student_edition_has_no_solutions_and_runs_with_not_implemented_checks(
        student_edition_of_the_course, name):
    instructor = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    path = student_edition_of_the_course / name
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "### BEGIN SOLUTION" not in code and "<summary>Solution</summary>" not in "\n".join(
        cell.source for cell in nb.cells if cell.cell_type == "markdown")
    for cell in instructor.cells:               # no line of a solution region survives
        inside = False
        for line in cell.source.splitlines():
            if "### END SOLUTION" in line:
                inside = False
            if inside and line.strip() and not line.strip().startswith("# HINT"):
                assert line not in code.splitlines(), (name, line)
                # Nor anywhere in the worked code: no solution in reach (comments aside).
                statement = line.split("#")[0].strip()
                if len(statement) > 20 and not statement.startswith(
                        ("return ", '"', "for ", "if ", "while ", "else")):
                    assert statement not in without_comments(code), (name, statement)
            if "### BEGIN SOLUTION" in line:
                inside = True
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    checks = [cell for cell in nb.cells if cell.cell_type == "code"
              and student_edition.CHECK_CALL in cell.source]
    assert len(checks) == len(EXERCISE_NOTEBOOKS[name])
    for cell in checks:
        text = "".join(output.get("data", {}).get("text/plain", "")
                       for output in cell.outputs)
        assert "not implemented yet" in text, (name, text)
    # The later cells fall back on rnn_core, and say so.
    used = using_lines(nb)
    assert used and all(line.startswith("Using rnn_core") and "not implemented yet" in line
                        for line in used), used


def without_comments(code):
    return "\n".join(line.split("#")[0].rstrip() for line in code.splitlines())


def using_lines(nb):
    """The lines that cells printed about whose function they use."""
    return [line for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
            if output.get("output_type") == "stream"
            for line in output.get("text", "").splitlines() if line.startswith("Using ")]


def test_every_exercise_has_two_collapsed_hints_and_no_solution_in_its_stub(
        student_edition_of_the_course):
    for name in EXERCISE_NOTEBOOKS:
        nb = nbformat.read(student_edition_of_the_course / name, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source:
                task = next(c for c in reversed(nb.cells[:index]) if c.cell_type == "markdown")
                hints = re.findall(r"<details><summary>(Hint[^<]*)</summary>", task.source)
                assert len(hints) == 2 and hints[0].startswith("Hint 1") \
                    and hints[1].startswith("Hint 2"), (name, hints)
                message = re.search(r'raise NotImplementedError\("([^"]*)"\)', cell.source)
                assert message.group(1) == student_edition.DEFAULT_HINT, (name, message)


@pytest.fixture(scope="module")
def filled_edition(tmp_path_factory):
    """The student edition with every exercise done in another style than the reference,
    as a student's saved notebooks, next to a link to tools/."""
    base = tmp_path_factory.mktemp("filled")
    (base / "tools").symlink_to(ROOT / "tools", target_is_directory=True)
    student_edition.build(ROOT / "notebooks", base / "student")
    for function, source in solutions.OTHER_STYLE.items():
        notebook = next(n for n, checks in EXERCISE_NOTEBOOKS.items()
                        if f"def {function}(" in (base / "student" / n).read_text())
        solutions.fill(base / "student" / notebook, function, source)
    return base / "student"


def run(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def check_outputs(nb):
    return ["".join(output.get("data", {}).get("text/plain", "") for output in cell.outputs)
            for cell in nb.cells if cell.cell_type == "code"
            and student_edition.CHECK_CALL in cell.source]


# lesson -> what its later cells must say they use, with solutions in another style
USED = {"01_forward_pass.ipynb": ["Using your rnn_step_forward (its check passes)."],
        "03_bptt_recursion.ipynb": ["Using your mse_loss (its check passes)."],
        "04_bptt_shared_weights.ipynb": [
            "Using your rnn_step_backward (its check passes).",
            "Using your bptt (its check passes).",
            "Using your mse_loss from 03_bptt_recursion.ipynb (its check passes)."],
        "05_gradient_checking.ipynb": ["Using your numerical_gradient (its check passes)."],
        "07_training.ipynb": [
            "Using your mse_loss from 03_bptt_recursion.ipynb (its check passes).",
            "Using your bptt from 04_bptt_shared_weights.ipynb (its check passes).",
            "Using your sgd_step (its check passes)."],
        "09_clipping.ipynb": [
            "Using your clip_grads (its check passes).",
            "Using your rnn_step_forward from 01_forward_pass.ipynb (its check passes).",
            "Using your mse_loss from 03_bptt_recursion.ipynb (its check passes).",
            "Using your bptt from 04_bptt_shared_weights.ipynb (its check passes).",
            "Using your sgd_step from 07_training.ipynb (its check passes).",
            "Using your clip_grads (its check passes)."]}


@pytest.mark.parametrize("name", sorted(USED))
def test_solutions_in_another_style_pass_and_run_the_later_cells(filled_edition, name):
    nb = run(filled_edition / name)
    assert all("[PASSED]" in text for text in check_outputs(nb)), check_outputs(nb)
    assert using_lines(nb) == USED[name]
    if name == "09_clipping.ipynb":
        text = "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                       for output in cell.outputs)
        assert "y = 0.600000 for the target 0.6, loss below 1e-10: True" in text
        assert "the same weights as rnn_core.train: True" in text


def test_one_wrong_solution_falls_back_and_says_so(filled_edition, tmp_path):
    # The same student, with a bptt that forgets tanh': lesson 04's gradient check and
    # lesson 07's training use rnn_core's, and say why; the other functions stay theirs.
    folder = tmp_path / "student"
    folder.mkdir()
    for path in filled_edition.iterdir():
        if path.suffix == ".ipynb":
            (folder / path.name).write_bytes(path.read_bytes())
    solutions.fill(folder / "04_bptt_shared_weights.ipynb", "bptt", solutions.WRONG["bptt"])
    fallback = "Using rnn_core.backward for bptt: yours{} does not pass its check yet " \
               "(tanh' missing)."
    nb = run(folder / "04_bptt_shared_weights.ipynb")
    assert "[FAILED] check_bptt" in check_outputs(nb)[1]
    assert fallback.format("") in using_lines(nb)
    assert "Using your rnn_step_backward (its check passes)." in using_lines(nb)
    nb = run(folder / "07_training.ipynb")
    assert using_lines(nb) == [
        "Using your mse_loss from 03_bptt_recursion.ipynb (its check passes).",
        fallback.format(" from 04_bptt_shared_weights.ipynb"),
        "Using your sgd_step (its check passes)."]


def test_the_handout_is_a_course_folder_without_solutions(tmp_path):
    out = tmp_path / "for-students"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py"),
                           "--handout", str(out)], capture_output=True, text=True, check=True)
    assert f"student edition written to {out}" in done.stdout
    for name in ("course.py", "rnn_core.py", "rnn_checks.py", "requirements.txt",
                 "tools/check_environment.py", "notebooks/09_clipping.ipynb"):
        assert (out / name).exists(), name
    assert not (out / "tests").exists() and not (out / "student").exists()
    for path in out.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "<summary>Solution</summary>" not in text
    edition = nbformat.read(out / "notebooks" / "04_bptt_shared_weights.ipynb", as_version=4)
    assert any("raise NotImplementedError(" in cell.source for cell in edition.cells)


def test_the_handout_refuses_a_folder_inside_the_course():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py"),
                           "--handout", str(ROOT / "build" / "handout")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "outside the course" in done.stderr
