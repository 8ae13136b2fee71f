"""Grade the exercises of a class: run every student's functions through their checks.

    python course.py grade DIR                 (or: python tools/grade.py DIR)
    python tools/grade.py DIR --time-limit 60  seconds for one exercise of one student

DIR holds one folder per student, each with the student's filled-in notebooks of the student
edition (01_forward_pass.ipynb, ..., 09_clipping.ipynb, as `python course.py student` wrote
them). For each student and each exercise, the function is read from the saved notebook
(rnn_checks.load_function: the cell that defines it, its imports and definitions only) and
its check runs in a process of its own, with a time limit; the students' code never runs in
the grading process. Each check also limits every call of a student's function to
rnn_checks.TIME_LIMIT seconds.

The result is DIR/grades.csv, one row per student and one column per exercise, and the same
table printed. A cell says "passed", "not implemented", "timed out", or what is wrong: the
mistake the check found ("tanh' missing", "seed's bug 3", "changes its input", "crashed
(ValueError)", ...), or why there was nothing to check ("missing notebook", "broken
notebook", "no function bptt", "syntax error (line 5 of its cell)", ...).

The processes are not a sandbox: a student's code can do what the user running the grades
can do (read and write files, use the network). Grade untrusted code in a container or a
throw-away account.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import rnn_checks  # noqa: E402  (the course's own code: the checks, not a student's)

# The exercises in the order of the course: function name -> the lesson's notebook.
EXERCISES = {name: entry[1] for name, entry in rnn_checks.EXERCISES.items()}
MARK = "@@GRADE@@"
MEMORY_LIMIT = 4 * 1024 ** 3                   # bytes a student's process may allocate (POSIX)

# What the child process runs: read the function, run its check, print the result as JSON.
CHILD = """
import json, sys
import rnn_checks
notebook, name = sys.argv[1], sys.argv[2]
fn, reason = rnn_checks.load_function(notebook, name)
if fn is None:
    words = {"no notebook": "missing notebook", "unreadable notebook": "broken notebook",
             "not defined": "no function " + name}.get(reason, reason)
    result = {"cell": words, "message": words}
else:
    check = rnn_checks.EXERCISES[name][0]
    outcome = check(fn)
    result = {"cell": outcome.summary, "message": outcome.message}
sys.stdout.flush()
print(%r + json.dumps(result), flush=True)
""" % MARK


def _limit_memory():
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


def grade_one(notebook, name, time_limit):
    """(cell, message) for one exercise of one student, checked in a process of its own."""
    if not Path(notebook).is_file():
        return "missing notebook", f"{Path(notebook).name} is not in the student's folder"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:   # the student's cwd
        try:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(Path(notebook).resolve()), name],
                capture_output=True, text=True, errors="replace", timeout=time_limit,
                cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                preexec_fn=_limit_memory if os.name == "posix" else None)
        except subprocess.TimeoutExpired:
            return "timed out", f"no answer within {time_limit:g} s"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
            return result["cell"], result["message"]
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return f"check failed to run (exit {done.returncode})", tail


def students_of(folder):
    return sorted(path for path in Path(folder).iterdir()
                  if path.is_dir() and not path.name.startswith((".", "_")))


def grade(folder, time_limit=120.0, workers=2):
    """{student: {function name: (cell, message)}} for every student folder in `folder`."""
    jobs = [(student, name) for student in students_of(folder) for name in EXERCISES]
    with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
        results = list(pool.map(
            lambda job: grade_one(job[0] / EXERCISES[job[1]], job[1], time_limit), jobs))
    grades = {}
    for (student, name), result in zip(jobs, results):
        grades.setdefault(student.name, {})[name] = result
    return grades


def write_csv(grades, path):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *EXERCISES])
        for student, row in grades.items():
            writer.writerow([student, *(row[name][0] for name in EXERCISES)])


def table(grades, width=22):
    """The grades as a text table, each cell cut to `width` characters."""
    def cut(text):
        return text if len(text) <= width else text[:width - 3] + "..."
    first = max([len("student")] + [len(student) for student in grades])
    lines = ["  ".join([f"{'student':<{first}}"] + [f"{cut(name):<{width}}" for name in EXERCISES])]
    for student, row in grades.items():
        lines.append("  ".join([f"{student:<{first}}"]
                               + [f"{cut(row[name][0]):<{width}}" for name in EXERCISES]))
    return "\n".join(line.rstrip() for line in lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="one sub-folder per student")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="seconds for one exercise of one student (default 120)")
    parser.add_argument("--workers", type=int, default=2, help="checks run at once (default 2)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder (it should hold one folder per student)")
    if not args.time_limit > 0:
        parser.error(f"--time-limit must be a positive number of seconds; got {args.time_limit}")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1; got {args.workers}")
    if not students_of(args.folder):
        parser.error(f"{args.folder} has no student folders (one folder per student, each with "
                     "the student's notebooks)")
    grades = grade(args.folder, args.time_limit, args.workers)
    write_csv(grades, args.folder / "grades.csv")
    print(table(grades))
    print(f"\nwritten to {args.folder / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
