"""Run every check on the student-style attempts of tests/attempts/ and say how each wrong
attempt was diagnosed and whether each right one passed.

    python tools/evaluate_checks.py                       the tuning set, this rnn_checks
    python tools/evaluate_checks.py --split heldout       the held-out set
    python tools/evaluate_checks.py --checks DIR          the rnn_checks.py found in DIR
    python tools/evaluate_checks.py --details FILE        every message, written to FILE

Each attempt runs in a process of its own with a time limit (a check that hangs is a result,
not the end of the evaluation). A wrong attempt is "named" when the message matches its label
in tests/attempts/labels.py, "misleading" when it names another mistake instead, "unnamed"
when it fails without naming any; "passed", "hang" (no answer within the limit) and "check
crashed" (the check raised, or the student's SystemExit left the process) are failures of the
checker. A right attempt must pass.
"""

import argparse
import concurrent.futures
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATTEMPTS = ROOT / "tests" / "attempts"
CHECKS = {"step_forward": "check_step_forward", "mse_loss": "check_mse_loss",
          "step_backward": "check_step_backward", "bptt": "check_bptt",
          "numerical_gradient": "check_numerical_gradient", "clip_grads": "check_clip_grads",
          "sgd_step": "check_sgd_step"}
MARK = "@@RESULT@@"

RUNNER = """
import importlib.util, json, sys
sys.path.insert(0, {checks!r})
sys.path.insert(0, {attempts!r})
import rnn_checks
spec = importlib.util.spec_from_file_location("attempt_module", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = getattr(rnn_checks, {check!r})(getattr(module, {name!r}))
print({mark!r} + json.dumps({{"status": result.status, "message": result.message}}))
"""


def attempts(split):
    """(exercise, file, function name, kind, label) of every attempt of the split."""
    sys.path.insert(0, str(ATTEMPTS))
    import registry
    found = []
    for path in sorted((ATTEMPTS / split).glob("*.py")):
        registry.ATTEMPTS.clear()
        spec = importlib.util.spec_from_file_location(f"{split}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        names = {id(value): key for key, value in vars(module).items()}
        for fn in registry.ATTEMPTS:
            found.append((module.EXERCISE, path, names[id(fn)], *fn.attempt))
    return found


def run_one(item, checks_dir, limit):
    exercise, path, name, kind, label = item
    code = RUNNER.format(checks=str(checks_dir), attempts=str(ATTEMPTS), path=str(path),
                         check=CHECKS[exercise], name=name, mark=MARK)
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=limit, cwd=ATTEMPTS)
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "status": None, "message": f"no answer within {limit} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        tail = (done.stderr.strip().splitlines() or ["(nothing)"])[-1]
        return {"outcome": "check crashed", "status": None,
                "message": f"exit code {done.returncode}: {tail}"}
    return json.loads(lines[-1][len(MARK):])


def classify(item, result):
    import labels
    exercise, _, _, kind, label = item
    if "outcome" in result:
        return result["outcome"]
    if kind == "right":
        return "passed" if result["status"] == "passed" else "failed"
    if result["status"] == "passed":
        return "passed"
    message = result["message"]
    if label == "not_implemented":
        return "named" if result["status"] == "not implemented" else "unnamed"
    if labels.names(exercise, label, message):
        return "named"
    if labels.other_names(exercise, label, message) or "Known mistake" in message:
        return "misleading"
    return "unnamed"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="tuning", choices=["tuning", "heldout"])
    parser.add_argument("--checks", default=ROOT, type=Path,
                        help="folder whose rnn_checks.py is evaluated (default: this one)")
    parser.add_argument("--limit", default=40.0, type=float, help="seconds per attempt")
    parser.add_argument("--workers", default=2, type=int)
    parser.add_argument("--details", type=Path, help="write every message to this file")
    args = parser.parse_args(argv)
    items = attempts(args.split)
    sys.path.insert(0, str(ATTEMPTS))
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        results = list(pool.map(lambda item: run_one(item, args.checks.resolve(), args.limit),
                                items))
    outcomes = [classify(item, result) for item, result in zip(items, results)]

    wrong_columns = ["named", "unnamed", "misleading", "passed", "hang", "check crashed"]
    print(f"{args.split} set, rnn_checks from {args.checks}")
    print(f"{'exercise':<20}{'wrong':>6}" + "".join(f"{c:>14}" for c in wrong_columns)
          + f"{'right':>7}{'pass':>6}")
    totals = {c: 0 for c in wrong_columns + ["wrong", "right", "right passed"]}
    for exercise in CHECKS:
        rows = [(item, outcome) for item, outcome in zip(items, outcomes) if item[0] == exercise]
        wrong = [outcome for item, outcome in rows if item[3] == "wrong"]
        right = [outcome for item, outcome in rows if item[3] == "right"]
        counts = {c: wrong.count(c) for c in wrong_columns}
        for c in wrong_columns:
            totals[c] += counts[c]
        totals["wrong"] += len(wrong)
        totals["right"] += len(right)
        totals["right passed"] += right.count("passed")
        print(f"{exercise:<20}{len(wrong):>6}" + "".join(f"{counts[c]:>14}" for c in wrong_columns)
              + f"{len(right):>7}{right.count('passed'):>6}")
    print(f"{'total':<20}{totals['wrong']:>6}" + "".join(f"{totals[c]:>14}" for c in wrong_columns)
          + f"{totals['right']:>7}{totals['right passed']:>6}")
    share = totals["named"] / max(totals["wrong"], 1)
    print(f"named: {totals['named']} of {totals['wrong']} wrong attempts ({share:.0%})")
    if args.details:
        with open(args.details, "w", encoding="utf-8") as out:
            for item, result, outcome in zip(items, results, outcomes):
                exercise, path, name, kind, label = item
                out.write(f"=== {exercise} {name} [{kind} {label or ''}] -> {outcome}\n")
                out.write(f"{result.get('status')}: {result.get('message')}\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
