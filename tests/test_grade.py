"""Tests of tools/grade.py (`python course.py grade DIR`) on three made-up students, each a
folder with the student edition's notebooks: one with every exercise right (written unlike the
reference), one with classic mistakes (and the rest left undone), one with an endless loop, a
syntax error, a missing notebook and a broken one. grades.csv and the printed table say, for
each exercise, passed / not implemented / timed out / the mistake, and nothing crashes."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import grade  # noqa: E402
import student_edition  # noqa: E402
import student_solutions as solutions  # noqa: E402


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    edition = tmp_path_factory.mktemp("edition")
    student_edition.build(ROOT / "notebooks", edition / "student")
    classroom = tmp_path_factory.mktemp("classroom")
    for student in ("ada", "bob", "cy"):
        folder = classroom / student
        folder.mkdir()
        for notebook in set(grade.EXERCISES.values()):
            (folder / notebook).write_bytes((edition / "student" / notebook).read_bytes())
    for name, source in solutions.OTHER_STYLE.items():
        solutions.fill(classroom / "ada" / grade.EXERCISES[name], name, source)
    for name, source in solutions.WRONG.items():
        solutions.fill(classroom / "bob" / grade.EXERCISES[name], name, source)
    for name, source in solutions.BROKEN.items():
        solutions.fill(classroom / "cy" / grade.EXERCISES[name], name, source)
    (classroom / "cy" / "07_training.ipynb").unlink()
    (classroom / "cy" / "03_bptt_recursion.ipynb").write_text("{ not a notebook", encoding="utf-8")
    (classroom / "notes").write_text("a file, not a student's folder\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "course.py"), "grade", str(classroom),
                           "--time-limit", "60"], capture_output=True, text=True, timeout=600)
    with open(classroom / "grades.csv", newline="", encoding="utf-8") as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    return done, rows


def test_the_command_succeeds_and_prints_the_table(graded):
    done, rows = graded
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("student "))
    assert lines[start].split() == ["student", *grade.EXERCISES]
    assert [line.split()[0] for line in lines[start + 1:start + 4]] == ["ada", "bob", "cy"]
    assert "grades.csv" in done.stdout


def test_one_row_per_student_one_column_per_exercise(graded):
    _, rows = graded
    assert sorted(rows) == ["ada", "bob", "cy"]
    assert all(list(row) == ["student", *grade.EXERCISES] for row in rows.values())


def test_every_right_answer_passes(graded):
    _, rows = graded
    assert all(rows["ada"][name] == "passed" for name in grade.EXERCISES), rows["ada"]


def test_the_mistakes_are_named_and_the_rest_is_not_implemented(graded):
    _, rows = graded
    bob = rows["bob"]
    assert bob["bptt"] == "tanh' missing"
    assert bob["mse_loss"] == "seed's bug 2"
    assert bob["sgd_step"] == "uphill (+)"
    for name in ("rnn_step_forward", "rnn_step_backward", "numerical_gradient", "clip_grads"):
        assert bob[name] == "not implemented", (name, bob[name])


def test_an_endless_loop_a_syntax_error_and_missing_notebooks_are_cells(graded):
    _, rows = graded
    cy = rows["cy"]
    assert cy["numerical_gradient"] == "timed out"
    assert cy["clip_grads"] == "syntax error (line 1 of its cell)"
    assert cy["sgd_step"] == "missing notebook"
    assert cy["mse_loss"] == "broken notebook"
    assert cy["rnn_step_forward"] == "not implemented"


@pytest.mark.parametrize("args, words", [
    ([], "the following arguments are required: folder"),
    (["no_such_folder"], "is not a folder"),
    (["."], "has no student folders"),
    (["--time-limit", "0", "."], "--time-limit must be a positive"),
    (["--workers", "0", "."], "--workers must be at least 1"),
], ids=["no folder", "missing folder", "no students", "time limit", "workers"])
def test_bad_input_to_grade(tmp_path, args, words):
    args = [str(tmp_path) if a == "." else a for a in args]
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "grade.py"), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_check_that_never_returns_is_stopped_by_the_process_time_limit(tmp_path):
    # A long LAPACK call runs in C, where the check's own time limit cannot interrupt it
    # (Python handles the alarm only when the call returns): the process's limit must.
    student = tmp_path / "classroom" / "dee"
    student.mkdir(parents=True)
    student_edition.build(ROOT / "notebooks", tmp_path / "edition")
    (student / "01_forward_pass.ipynb").write_bytes(
        (tmp_path / "edition" / "01_forward_pass.ipynb").read_bytes())
    solutions.fill(student / "01_forward_pass.ipynb", "rnn_step_forward",
                   "def rnn_step_forward(x_t, h_prev, Wxh, Whh, bh):\n"
                   "    return np.linalg.eigvals(np.random.default_rng(0).random((3000, 3000)))\n")
    grades = grade.grade(tmp_path / "classroom", time_limit=2.0)
    assert grades["dee"]["rnn_step_forward"] == ("timed out", "no answer within 2 s")
    assert grades["dee"]["bptt"][0] == "missing notebook"
