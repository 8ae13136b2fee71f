"""Checks for the exercises of the course: run a student's function, say exactly what is wrong.

Each ``check_*`` function takes the student's function, runs it on a few cases and compares
the answers with ``rnn_core`` (the reference). It returns a ``CheckResult`` with ``.passed``
(bool), ``.message`` (str) and ``.summary`` (a few words, for a table of grades), shown in
Jupyter as a green, amber or red box. A check never raises, never hangs and never lets the
student's code change the caller's state:

- an unfinished function (``raise NotImplementedError``), a crash, a wrong shape or a wrong
  value each give a message; so does any BaseException (``sys.exit()``, KeyboardInterrupt);
- every call of the student's function has a time limit (``TIME_LIMIT`` seconds per case);
- NumPy's error handling (``np.seterr``), print options and global random state
  (``np.random.seed``) are put back after every call.

When the wrong answers are, on every case, exactly what a known mistake produces (the seed's
three bugs, a missing tanh' factor, W_hh instead of W_hh^T, ...), the message names the
mistake and the equation. The checker finds it by running its own implementation of that
mistake on the same cases and comparing, not by guessing. Otherwise the message shows the
worst entry next to the right value, and says whether the answer is a constant factor (-1,
2, 1/T, ...) times the right one, or off by float32 round-off only. It also names the
notebook's variables that the function reads instead of its arguments.

The cases use sizes that are pairwise distinct (D, H, O, T, B all different, and none equal
to T + 1), a nonzero h_0, nonzero biases, O > 1, T >= 3 and B > 1, so that a transpose, a sum
over the wrong axis, the h_0 term or a batch of one cannot hide a bug.

The exercises and their signatures (D inputs, H hidden units, O outputs, T steps, B sequences):

    rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t                        Eqs. (1.1)-(1.2)
        x_t (D, B), h_prev (H, B), Wxh (H, D), Whh (H, H), bh (H, 1); h_t (H, B)
    mse_loss(y, target) -> (loss, dy)                                         Eqs. (1.4)-(3.1)
        y, target (O,) or (B, O); loss a float; dy = dL/dy, the shape of y
    rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh)
            -> (dx_t, dh_prev, dWxh, dWhh, dbh)                               Eqs. (3.4)-(4.3)
        dh_t = dL/dh_t (H, B), the total derivative; dx_t (D, B), dh_prev (H, B);
        this step's dWxh (H, D), dWhh (H, H), dbh (H, 1)
    bptt(params, xs, hs, dy) -> grads                                         Eqs. (3.2)-(4.3)
        one sequence: xs (T, D), hs (T + 1, H) with hs[0] = h_0, dy = dL/dy (O,);
        grads: dict with the keys and shapes of params (as rnn_core.backward, without dhs)
    numerical_gradient(f, x, eps) -> grad          centered differences (notebook 05)
        f: array shaped like x -> float; x any shape; grad shaped like x
    sgd_step(params, grads, learning_rate) -> new params                      Eq. (7.2)
        returns a new dict; params itself is not changed
    clip_grads(grads, max_norm) -> clipped grads                              Eq. (9.2)
        grads: dict of arrays; returns a new dict, global L2 norm at most max_norm

Later cells and lessons use the student's function once its check passes: ``yours(name,
globals())`` returns the student's function (from this notebook, or read from the saved
notebook of the lesson that has the exercise) if it passes its check, else rnn_core's, and
prints one line saying which. ``load_function`` reads a function from a saved notebook; the
grading tool (tools/grade.py) uses it too.
"""

import ast
import ctypes
import dis
import html
import json
import linecache
import math
import numbers
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import rnn_core

__all__ = ["CheckResult", "check_step_forward", "check_step_backward", "check_mse_loss",
           "check_bptt", "check_numerical_gradient", "check_clip_grads", "check_sgd_step",
           "yours", "load_function", "EXERCISES", "TIME_LIMIT"]

TIME_LIMIT = 5.0                # seconds for one call of the student's function (one case)

# Equation (n.k) is equation k of notebook n, so an equation number says where to look.
FINITE_DIFFERENCES = "notebook 05, section 'Forward and centered differences'"


def _eq(number):
    """'Eq. (3.4) in notebook 03' for number '3.4'; a range '4.1-4.3' is allowed; any other
    text (a section of a notebook without numbered equations) is returned as it is."""
    if not number[:1].isdigit():
        return number
    notebooks = sorted({int(part.split(".")[0]) for part in number.split("-")})
    label = "Eqs." if "-" in number else "Eq."
    where = ("notebooks " if len(notebooks) > 1 else "notebook ") + "-".join(
        f"{n:02d}" for n in notebooks)
    return f"{label} ({number.replace('-', ')-(')}) in {where}"


# --------------------------------------------------------------------------------------
# The result object
# --------------------------------------------------------------------------------------

@dataclass
class CheckResult:
    """What a check returns: ``passed`` (bool), ``status``, a readable ``message`` and a
    short ``summary`` (a few words: "passed", "not implemented", "timed out", the mistake
    found, ...), the cell of a table of grades.

    status: "passed", "not implemented" or "failed".
    """
    exercise: str
    status: str
    message: str
    summary: str = ""

    def __post_init__(self):
        if self.status not in ("passed", "not implemented", "failed"):
            raise ValueError(f"status must be 'passed', 'not implemented' or 'failed'; got "
                             f"{self.status!r}")
        for name in ("exercise", "message", "summary"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str; got {type(getattr(self, name)).__name__}")
        if not self.summary:
            self.summary = {"passed": "passed", "not implemented": "not implemented"}.get(
                self.status, "wrong")

    @property
    def passed(self):
        return self.status == "passed"

    @property
    def headline(self):
        return {"passed": f"{self.exercise}: passed",
                "not implemented": f"{self.exercise}: not implemented yet",
                "failed": f"{self.exercise}: not right yet"}[self.status]

    def __str__(self):
        mark = {"passed": "PASSED", "not implemented": "TO DO", "failed": "FAILED"}[self.status]
        return f"[{mark}] {self.headline}\n{self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        # Large type and strong colours: read on a projector from the back of the room.
        border, background, mark = {"passed": ("#1e7b34", "#e3f4e6", "&#10004;"),
                                     "not implemented": ("#9a6700", "#fff4d6", "&#9998;"),
                                     "failed": ("#b42318", "#fdeceb", "&#10008;")}[self.status]
        return (f'<div style="border: 2px solid {border}; border-left: 10px solid {border}; '
                f'background: {background}; color: #1a1a1a; padding: 10px 14px; '
                f'margin: 4px 0; border-radius: 4px; font-size: 16px; line-height: 1.45; '
                f'font-family: system-ui, sans-serif;">'
                f'<div style="font-weight: bold; font-size: 18px; color: {border};">'
                f'{mark} {html.escape(self.headline)}</div>'
                f'<div style="white-space: pre-wrap; margin-top: 6px;">'
                f'{html.escape(self.message)}</div></div>')


# --------------------------------------------------------------------------------------
# Running the student's code: time limit, any exception, the caller's NumPy state
# --------------------------------------------------------------------------------------

class _TimeLimit(BaseException):
    """Raised inside the student's code when its time is up. A BaseException, so that an
    `except Exception:` in the student's loop does not swallow it; it is raised again every
    quarter of a second, so that a bare `except:` does not either."""


class _StudentCrashed(Exception):
    """Raised by a callback of the checker (numerical_gradient's f) with a message."""


def _raise_on_line(frame, event, arg):
    if event == "line":
        raise _TimeLimit
    return _raise_on_line


def _alarm(signum, frame):
    # From now on every line of the student's code raises _TimeLimit, so that even a bare
    # `except:` in an endless loop cannot hold on to it: the exception raised inside the
    # except block leaves it. Only the frames inside the call are traced, not the checker's.
    sys.settrace(lambda *args: _raise_on_line)
    while frame is not None and frame.f_code is not _with_time_limit.__code__:
        frame.f_trace = _raise_on_line
        frame = frame.f_back
    raise _TimeLimit


def _with_time_limit(call, seconds):
    """call() with a time limit: _TimeLimit is raised inside it when the time is up.

    In the main thread of a POSIX system a SIGALRM timer does it (it also interrupts
    time.sleep, and a bare `except:` cannot keep it out, see _alarm); elsewhere (Windows,
    another thread) a watcher thread raises the exception asynchronously in the calling
    thread every quarter of a second (a pure-Python loop is stopped at once, a long NumPy
    call when it returns, a loop that catches every exception may not be)."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        previous, tracing = signal.signal(signal.SIGALRM, _alarm), sys.gettrace()
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
        try:
            return call()
        finally:
            while True:                 # the timer may fire once more while it is stopped
                try:
                    sys.settrace(tracing)       # first: signal.signal is Python code
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
                    break
                except _TimeLimit:
                    continue
    ident, done = threading.get_ident(), threading.Event()

    def interrupt():
        if done.wait(seconds):
            return
        while not done.is_set():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                       ctypes.py_object(_TimeLimit))
            done.wait(0.25)

    watcher = threading.Thread(target=interrupt, daemon=True)
    watcher.start()
    try:
        return call()
    finally:
        done.set()
        while True:
            try:
                watcher.join()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
                break
            except _TimeLimit:
                continue


class _NumpyState:
    """The caller's np.seterr, print options and legacy global random state, put back on
    exit (a student's np.seterr(all='raise') or np.random.seed must not outlive the call)."""

    def __enter__(self):
        self.err = np.geterr()
        self.printoptions = np.get_printoptions()
        self.random = np.random.get_state()
        return self

    def __exit__(self, *exc):
        np.seterr(**self.err)
        np.set_printoptions(**self.printoptions)
        np.random.set_state(self.random)
        return False


def _call_student(fn, args):
    """Call fn(*args) safely: ("ok", value), ("not implemented", error), ("timeout", None)
    or ("raised", error) for any other exception, SystemExit and KeyboardInterrupt
    included. _StudentCrashed (a message from the checker's own callback) is re-raised."""
    with _NumpyState():
        try:
            return "ok", _with_time_limit(lambda: fn(*args), TIME_LIMIT)
        except _TimeLimit:
            return "timeout", None
        except NotImplementedError as error:
            return "not implemented", error
        except _StudentCrashed:
            raise
        except BaseException as error:              # noqa: BLE001, the student's code
            return "raised", error


def _exception_text(error):
    """'ValueError: first line of its message', even if str(error) raises."""
    name = type(error).__name__
    try:
        text = str(error).strip().splitlines()
    except BaseException:                           # noqa: BLE001, a student's __str__
        return f"{name} (its message could not be shown: str() of it raised an error)"
    return f"{name}: {text[0]}" if text and text[0] else name


def _student_line(error):
    """'\\n  at line 4 of rnn_step_forward: h = Whh @ h_prev.T' for the deepest frame outside
    NumPy and the course's modules, or ''."""
    here = os.path.dirname(os.path.abspath(__file__))
    skip = [os.path.dirname(np.__file__), os.path.abspath(__file__),
            os.path.join(here, "rnn_core.py")]
    try:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                  if not any(os.path.abspath(frame.filename).startswith(s) for s in skip)]
    except Exception:                               # noqa: BLE001
        return ""
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"\n  at line {frame.lineno} of {frame.name}{code}"


def _is_data(value):
    return isinstance(value, (np.ndarray, numbers.Number, dict, list, tuple)) and not callable(
        value)


def _globals_read(fn):
    """The names of the notebook's variables (arrays, numbers, dicts, lists) that fn reads
    as globals, e.g. ['T', 'Why'] for a bptt that uses the notebook's T and Why."""
    code = getattr(fn, "__code__", None)
    namespace = getattr(fn, "__globals__", None)
    if code is None or not isinstance(namespace, dict):
        return []
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names.update(instruction.argval for instruction in dis.get_instructions(current)
                     if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        codes.extend(const for const in current.co_consts if hasattr(const, "co_code"))
    return sorted(name for name in names if name in namespace and _is_data(namespace[name]))


def _globals_note(fn, function_name):
    names = _globals_read(fn)
    if not names:
        return ""
    listed = ", ".join(names)
    return (f"Note: {function_name} reads the notebook's global variable"
            f"{'s' if len(names) > 1 else ''} {listed}, which the cases here do not set: "
            f"inside the function, compute everything from its arguments (the check calls it "
            f"with other sizes and values than the notebook's).\n")


# --------------------------------------------------------------------------------------
# Cases, shapes and comparisons
# --------------------------------------------------------------------------------------

@dataclass
class _Case:
    """One test case: its sizes (letters to ints), the arrays passed to the student, and
    the extra arrays the checker needs (kept apart, never shown to the student)."""
    number: int
    count: int
    sizes: dict
    inputs: dict
    extra: dict = field(default_factory=dict)

    def describe(self):
        sizes = ", ".join(f"{k} = {v}" for k, v in self.sizes.items())
        shapes = ", ".join(f"{name} {_fmt_shape(value.shape)}"
                           for name, value in self.inputs.items()
                           if isinstance(value, np.ndarray))
        return f"case {self.number} of {self.count} ({sizes}{'; ' if shapes else ''}{shapes})"

    def short(self):
        return f"case {self.number} ({', '.join(f'{k} = {v}' for k, v in self.sizes.items())})"


@dataclass(eq=False)                    # hashed by identity
class _Mistake:
    """A known mistake: what it is, where the right equation is, and how to compute it."""
    description: str
    equation: str                      # "3.4", "4.1-4.3", or a pointer in words
    compute: object                    # case -> dict of outputs, the mistake's answer
    flags: dict = None                 # the variant's keyword arguments, to combine mistakes
    short: str = ""                    # a few words for a table of grades


def _known(short, description, equation, variant, **flags):
    """A _Mistake computed by variant(case, **flags), the exercise's configurable version."""
    return _Mistake(description, equation, lambda case: variant(case, **flags), flags, short)


def _shape_of(value):
    return tuple(np.shape(value)) if isinstance(value, np.ndarray) else type(value).__name__


def _fmt_shape(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _symbolic(shape, sizes):
    """(5, 3) -> '(H, B) = (5, 3)' when each number is exactly one size, else '(5, 3)'."""
    letters = []
    for n in shape:
        names = [k for k, v in sizes.items() if v == n]
        if n == 1 and not names:        # the 1 of a column such as bh (H, 1)
            names = ["1"]
        if len(names) != 1:
            return _fmt_shape(shape)
        letters.append(names[0])
    if not shape:
        return "()"
    return f"({', '.join(letters)}{',' if len(shape) == 1 else ''}) = {_fmt_shape(shape)}"


def _resolve(shape, sizes):
    return tuple(sizes[n] if isinstance(n, str) else n for n in shape)


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _changed(before, after):
    """True if an input array (or a dict of them) differs from the copy taken before."""
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before))
    if isinstance(before, dict):
        return (not isinstance(after, dict) or before.keys() != after.keys()
                or any(_changed(before[k], after[k]) for k in before))
    return False


def _close(a, b, rtol=1e-8, atol=1e-10):
    """a equals b up to float64 round-off: entrywise, relative to b's largest entry too."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape):
        return False
    scale = float(np.max(np.abs(b), initial=0.0))
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= atol * max(scale, 1.0) + rtol * np.abs(b)))


def _array_problem(name, value, expected_shape, sizes, float32_ok=False):
    """A sentence on what is wrong with an output's type, dtype, shape or finiteness, or None."""
    if value is None:
        return (f"{name} is None: did the function reach its `return`? (a function without "
                f"`return` gives None); expected an array of shape "
                f"{_symbolic(expected_shape, sizes)}")
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)):
            return (f"{name} is a {type(value).__name__}; return a NumPy array of shape "
                    f"{_symbolic(expected_shape, sizes)}")
        try:
            shown = f"{value!r:.60}"
        except BaseException:                       # noqa: BLE001, a student's __repr__
            shown = ""
        return (f"{name} is {type(value).__name__} {shown}; expected a NumPy array of shape "
                f"{_symbolic(expected_shape, sizes)}")
    if value.dtype.kind != "f":
        return (f"{name} has dtype {value.dtype}; expected floats (float64). Did an integer "
                "array or np.zeros(..., dtype=int) slip in?")
    if value.shape != expected_shape:
        got, want = _symbolic(value.shape, sizes), _symbolic(expected_shape, sizes)
        hint = ""
        if value.shape == expected_shape[::-1] and len(value.shape) == 2:
            hint = " It looks transposed."
        elif value.shape == expected_shape[:1] and expected_shape[1:] == (1,):
            hint = (" It is a column in params: keep it 2-D, e.g. "
                    ".sum(axis=1, keepdims=True) or [:, None].")
        elif value.size == math.prod(expected_shape):
            hint = " It has the right number of entries but the wrong layout."
        return f"{name} has shape {got}; expected {want}.{hint}"
    if value.dtype != np.float64 and not float32_ok:
        return (f"{name} has dtype {value.dtype}; expected float64 (gradients are checked in "
                "float64: do not convert to float32)")
    if not np.all(np.isfinite(value)):
        return f"{name} contains NaN or inf"
    return None


def _not_implemented(exercise, function_name):
    return CheckResult(exercise, "not implemented",
                       f"{function_name} still raises NotImplementedError.\n"
                       f"Replace the line `raise NotImplementedError(...)` in the cell that "
                       f"defines {function_name} with your code, run that cell, then run this "
                       f"check again.", "not implemented")


def _crash_message(function_name, error, case):
    return (f"{function_name} crashed in {case.describe()}:\n  "
            f"{_exception_text(error)}{_student_line(error)}")


def _crash_summary(error):
    if isinstance(error, SystemExit):
        return "calls sys.exit()"
    return f"crashed ({type(error).__name__})"


def _timeout_message(function_name, case):
    return (f"{function_name} did not return within {TIME_LIMIT:g} s in {case.describe()}: an "
            f"endless loop? (a `while` loop whose condition never changes, or a loop over "
            f"far more steps than needed). The check stopped it. These cases are small: a "
            f"right answer takes a fraction of a second.")


def _exception_message(function_name, error, case):
    if isinstance(error, SystemExit):
        return (f"{function_name} called sys.exit() (SystemExit: {error.code!r}) in "
                f"{case.describe()}. A function reports a problem by raising an exception "
                f"or by returning; sys.exit() would stop the whole program (here: the "
                f"notebook's kernel).{_student_line(error)}")
    if isinstance(error, KeyboardInterrupt):
        return (f"{function_name} was interrupted (KeyboardInterrupt) in {case.describe()}: "
                f"did you press stop, or does it raise KeyboardInterrupt?{_student_line(error)}")
    return _crash_message(function_name, error, case)


# --------------------------------------------------------------------------------------
# The machinery shared by every check
# --------------------------------------------------------------------------------------

@dataclass
class _Exercise:
    """How to run and judge one exercise. call(fn, given, case) -> raw output;
    unpack(raw, case, given) -> dict of outputs, or a message string; reference(case) ->
    dict of right outputs; shapes(case) -> output name -> symbolic shape; mistakes: list of
    _Mistake; variant(case, **flags): the exercise's function that computes any combination
    of the mistakes that have flags; close(got, want, name): equal enough; diagnose(fn,
    runs, right, wrong) -> (sentences, summary) of findings beyond the values; problems(raw,
    given, case) -> sentences on the returned object itself."""
    exercise: str
    function_name: str
    cases: list
    call_args: object                  # (given, case) -> the arguments of the student's call
    unpack: object
    reference: object
    shapes: object
    mistakes: list
    about: str
    advice: str
    variant: object = None
    hints: object = None
    close: object = None               # default: _close, float64 round-off
    float32_ok: bool = False
    factor_tolerance: float = 1e-6
    diagnose: object = None            # (fn, runs) -> (lines, summary) of extra findings
    problems: object = None            # (raw, given, case) -> list of sentences, or []
    agree: str = "match rnn_core"      # what the cases do when the answer passes


def _run_checks(ex, fn):
    """Run fn on every case; return the CheckResult."""
    if ex.close is None:
        ex.close = lambda got, want, name: _close(got, want)
    if not callable(fn):
        try:
            shown = f"{fn!r:.60}"
        except BaseException:                       # noqa: BLE001
            shown = ""
        return CheckResult(ex.exercise, "failed",
                           f"pass the function itself, e.g. {ex.exercise}({ex.function_name}) "
                           f"(the argument {ex.function_name} must be a function); got "
                           f"{type(fn).__name__} {shown}", "not a function")
    note = _globals_note(fn, ex.function_name)
    runs = []                       # (case, outputs, given, pristine, raw, dict entries before)
    for case in ex.cases:
        pristine = _copy(case.inputs)
        given = _copy(case.inputs)
        before = {k: dict(v) for k, v in given.items() if isinstance(v, dict)}
        try:
            kind, raw = _call_student(fn, ex.call_args(given, case))
        except _StudentCrashed as crash:
            words, summary = (crash.args + ("wrong use of f",))[:2]
            return CheckResult(ex.exercise, "failed", f"{note}{words}\nin {case.describe()}",
                               summary)
        if kind == "not implemented":
            return _not_implemented(ex.exercise, ex.function_name)
        if kind == "timeout":
            return CheckResult(ex.exercise, "failed",
                               note + _timeout_message(ex.function_name, case), "timed out")
        if kind == "raised":
            return CheckResult(ex.exercise, "failed",
                               note + _exception_message(ex.function_name, raw, case),
                               _crash_summary(raw))
        outputs = ex.unpack(raw, case, given)
        if isinstance(outputs, tuple):              # (message, summary)
            return CheckResult(ex.exercise, "failed",
                               f"{note}{outputs[0]}\nin {case.describe()}", outputs[1])
        problems = []
        shapes = ex.shapes(case)
        for name, symbolic in shapes.items():
            expected = _resolve(symbolic, case.sizes)
            problem = _array_problem(name, outputs[name], expected, case.sizes, ex.float32_ok)
            if problem and ex.hints and isinstance(outputs[name], np.ndarray):
                problem += ex.hints(name, outputs[name], case)
            if problem:
                problems.append(problem)
        if problems:
            order = _order_hint(outputs, shapes, case)
            return CheckResult(ex.exercise, "failed",
                               note + "\n".join(problems) + order + f"\nin {case.describe()}",
                               "wrong order of outputs" if order else "wrong shape")
        runs.append((case, outputs, given, pristine, raw, before))
    return _judge(ex, fn, runs, note)


def _order_hint(outputs, shapes, case):
    """A sentence when the arrays have the right shapes but come in another order."""
    if len(shapes) < 2 or not all(isinstance(v, np.ndarray) for v in outputs.values()):
        return ""
    want = sorted(_resolve(s, case.sizes) for s in shapes.values())
    got = sorted(v.shape for v in outputs.values())
    if want != got:
        return ""
    return ("\nThe arrays have the right shapes but come in another order: return them in "
            f"the order ({', '.join(shapes)}).")


def _judge(ex, fn, runs, note):
    """The verdict once every case ran: values, arrays changed in place, other problems."""
    lines, summaries = [], []
    right = [ex.reference(case) for case, *_ in runs]
    wrong = {}                                      # output name -> numbers of wrong cases
    for (case, outputs, *_), want in zip(runs, right):
        for name in want:
            if not ex.close(outputs[name], want[name], name):
                wrong.setdefault(name, []).append(case.number)
    extra_lines, extra_summary = ([], None)
    if ex.diagnose is not None:
        extra_lines, extra_summary = ex.diagnose(fn, runs, right, wrong)
    changed_lines, changed_summary = _changed_report(ex, runs)
    problem_lines = []
    if ex.problems is not None:
        for case, outputs, given, pristine, raw, _ in runs:
            for sentence in ex.problems(raw, given, case):
                if sentence not in problem_lines:
                    problem_lines.append(sentence)
    if not wrong and not changed_lines and not problem_lines and not extra_lines:
        float32 = any(isinstance(v, np.ndarray) and v.dtype == np.float32
                      for _, outputs, *_ in runs for v in outputs.values())
        extra = (" (Your answer is float32: fine for a forward pass; gradients are checked "
                 "in float64.)" if float32 else "")
        return CheckResult(ex.exercise, "passed",
                           f"All {len(runs)} cases {ex.agree} ({ex.about}). Well done."
                           + extra, "passed")
    if wrong and extra_lines:                       # the finding explains the values
        lines.append("Wrong values: " + ", ".join(f"{name} (in case "
                                                  f"{', '.join(map(str, numbers))})"
                                                  for name, numbers in wrong.items()) + ".")
    elif wrong:
        value_lines, value_summary = _value_report(ex, runs, right, wrong)
        lines += value_lines
        summaries.append(value_summary)
    lines = extra_lines + lines
    if extra_summary:
        summaries.insert(0, extra_summary)
    lines = problem_lines + changed_lines + lines    # a changed input first: it explains all
    if problem_lines:
        summaries.insert(0, "returns the caller's dict")
    if changed_summary:
        summaries.insert(0, changed_summary)
    if note:
        lines.insert(0, note.rstrip("\n"))
        summaries.insert(0, "reads notebook globals")
    return CheckResult(ex.exercise, "failed", "\n".join(lines), "; ".join(summaries))


def _changed_report(ex, runs):
    """Sentences on inputs the function changed, and a summary, or ([], None)."""
    for case, outputs, given, pristine, raw, before in runs:
        names = [name for name in pristine if _changed(pristine[name], given[name])]
        if not names:
            continue
        lines, shallow = [], False
        for name in names:
            old, new = pristine[name], given[name]
            if isinstance(old, dict) and isinstance(new, dict):
                objects = before[name]              # the dict's entries before the call
                replaced = [k for k in objects if new.get(k) is not objects[k]]
                written = [k for k in objects if k not in replaced
                           and _changed(old[k], new[k])]
                if written and isinstance(raw, dict) and raw is not new and any(
                        raw.get(k) is new[k] for k in written):
                    shallow = True
                    lines.append(
                        f"{ex.function_name} changed the arrays of its input {name} in "
                        f"place: the dict it returns is a shallow copy ({name}.copy() or "
                        f"dict({name}) copies the dict, not the arrays in it), so `-=` or "
                        f"`*=` on its arrays changed the caller's arrays too. Compute new "
                        f"arrays (new[k] = new[k] - ...), or copy each array first.")
                elif replaced and not written:
                    lines.append(
                        f"{ex.function_name} changed its input {name} in place: it put new "
                        f"arrays into the caller's dict (`{name}[k] = ...` or "
                        f"`{name}.update(...)`). Build a new dict and return it.")
                else:
                    lines.append(
                        f"{ex.function_name} changed its input {name} in place: `-=`, `*=` "
                        f"or `[...] =` on its arrays wrote into the caller's arrays. Compute "
                        f"new arrays (g = g * factor) in a new dict instead.")
                continue
            if (isinstance(old, np.ndarray) and isinstance(new, np.ndarray)
                    and old.shape == new.shape
                    and np.allclose(new, old, rtol=1e-12, atol=1e-14)):
                lines.append(
                    f"{ex.function_name} changed its input {name} in place, by round-off "
                    f"only: after x[i] += eps, x[i] -= 2 * eps, x[i] += eps the entry is not "
                    f"exactly its old value in floating point. Save old = x[i] and put it "
                    f"back with x[i] = old, or work on a copy of x.")
                continue
            lines.append(f"{ex.function_name} changed its input {name} in place. Leave the "
                         "caller's arrays alone: compute new arrays (x = x + ..., or .copy() "
                         "first) instead of writing into them (x += ..., x[i] = ...).")
        return lines, ("shallow copy changes the input" if shallow else "changes its input")
    return [], None


def _fmt_index(index):
    return f"[{', '.join(str(int(i)) for i in index)}]" if index else ""


def _factor_labels(case):
    """Candidate constant factors for a case: label -> value."""
    labels = {"-1": -1.0, "2": 2.0, "1/2": 0.5, "-2": -2.0, "-1/2": -0.5}
    for letter, size in case.sizes.items():
        if size > 1:
            labels[f"{letter}"] = float(size)
            labels[f"1/{letter}"] = 1.0 / size
    n = case.extra.get("n")
    if n:
        labels.setdefault("n", float(n))
        labels.setdefault("1/n", 1.0 / n)
    return labels


_FACTOR_WORDS = {"-1": "a sign is flipped", "2": "a factor 2 too many",
                 "1/2": "a factor 2 missing (or one 1/2 too many)",
                 "1/T": "divided by T, the number of steps: a sum over time is not a mean",
                 "T": "multiplied by T, the number of steps",
                 "1/B": "divided by B, the batch size", "B": "multiplied by B, the batch size",
                 "1/n": "divided by n once more", "n": "multiplied by n"}


def _ratio(got, want, tolerance):
    """c if got equals c * want (to tolerance, relative), else None."""
    denominator = float(np.vdot(want, want))
    if denominator == 0.0:
        return None
    c = float(np.vdot(got, want)) / denominator
    if np.linalg.norm(got - c * want) <= tolerance * np.linalg.norm(want) + 1e-300:
        return c
    return None


def _factor_sentence(names, ratios, cases, tolerance):
    """What a constant factor between the answers (of the outputs `names`) and the right
    ones says, or ''."""
    if any(r is None for r in ratios) or all(abs(r) < 1e-12 for r in ratios):
        return ""                                   # no factor, or all zeros (said elsewhere)
    if all(abs(r - 1.0) <= 10 * tolerance for r in ratios):
        return ""                                   # close to right: not a factor
    subject = (f"{names[0]} is" if len(names) == 1 else
               f"{', '.join(names[:-1])} and {names[-1]} are each")
    for label in _factor_labels(cases[0]):
        values = [_factor_labels(c).get(label) for c in cases]
        if all(v is not None and abs(r - v) <= tolerance * abs(v) for r, v in zip(ratios, values)):
            shown = label.replace("-", "−", 1) if label.startswith("-") else label
            words = _FACTOR_WORDS.get(label, "")
            return (f"  {subject} exactly {shown} times the right answer in every case"
                    + (f": {words}." if words else "."))
    if max(ratios) - min(ratios) <= tolerance * max(abs(r) for r in ratios):
        return (f"  {subject} exactly {ratios[0]:.4g} times the right answer in every case: "
                "a constant factor is wrong.")
    shown = ", ".join(f"{r:.4g}" for r in ratios)
    return (f"  {subject} the right answer times a factor, in each case ({shown} in cases "
            f"1-{len(cases)}): the direction is right, the factor is not.")


def _value_report(ex, runs, right, wrong):
    """Lines saying which outputs are wrong and why; and a short summary."""
    cases = [case for case, *_ in runs]
    outputs = [o for _, o, *_ in runs]
    names = list(right[0])
    wrong_names = [n for n in names if n in wrong]
    correct = [n for n in names if n not in wrong]

    def where(name):
        numbers = wrong[name]
        return "every case" if len(numbers) == len(cases) else (
            "case " + ", ".join(str(n) for n in numbers))

    lines = ["Wrong values: " + "; ".join(f"{n} (in {where(n)})" for n in wrong_names)
             + (f". Correct: {', '.join(correct)}." if correct else ".")]
    zeros = [n for n in wrong_names if all(not np.any(o[n]) for o in outputs)]
    for name in zeros:
        lines.append(f"  {name} is all zeros (did it ever get a value after np.zeros?)")

    # Known mistakes: named only if they give the student's answer in every case.
    answers = {}

    def answer(key, compute):
        if key not in answers:
            answers[key] = [compute(case) for case in cases]
        return answers[key]

    def explains(results, combined):
        """The outputs a candidate changes, if the student matches it on all of them in
        every case; else None. A combination that gives all zeros is not taken for one."""
        changes = [n for n in names if any(n in r and not ex.close(r[n], w[n], n)
                                           for r, w in zip(results, right))]
        if not changes or not any(n in wrong for n in changes):
            return None
        if combined and any(all(not np.any(r[n]) for r in results) for n in changes):
            return None
        for n in changes:
            if not all(n in r and ex.close(o[n], r[n], n) for o, r in zip(outputs, results)):
                return None
        return changes

    explained = []                                  # (mistakes, outputs)
    for mistake in ex.mistakes:
        found = explains(answer(id(mistake), mistake.compute), False)
        if found:
            explained.append(((mistake,), found))
    covered = {n for _, found in explained for n in found}
    if ex.variant is not None and not set(wrong_names) <= covered:
        flagged = [m for m in ex.mistakes if m.flags]
        for i, first in enumerate(flagged):
            for second in flagged[i + 1:]:
                if first.flags.keys() & second.flags.keys():
                    continue
                results = answer((id(first), id(second)), lambda case, a=first, b=second:
                                 ex.variant(case, **a.flags, **b.flags))
                found = explains(results, True)
                if found and not set(found) <= covered:
                    explained.append(((first, second), found))
    # Keep the explanations that no other one contains (a loop that skips t = 1 also drops
    # the h_0 term of dWhh: not the seed's bug 3 as well), and name mistakes only if
    # together they explain every wrong output: a partial match is not a diagnosis.
    explained = [(found, outs) for found, outs in explained
                 if not any(set(outs) < set(other) for _, other in explained)]
    if not set(wrong_names) - set(zeros) <= {n for _, outs in explained for n in outs}:
        explained = []
    if explained:
        for found, outs in explained:
            if len(found) == 1:
                lines.append(f"Known mistake in {', '.join(outs)}: {found[0].description}. "
                             f"See {_eq(found[0].equation)}.")
            else:
                lines.append(f"Two known mistakes together in {', '.join(outs)}: "
                             + "; and ".join(f"{m.description} ({_eq(m.equation)})"
                                             for m in found) + ".")
        summary = " + ".join(m.short or m.description[:40] for m in explained[0][0])
        return lines, summary

    # No known mistake: the worst entries, a constant factor, float32 round-off.
    summary = f"{zeros[0]} all zeros" if zeros else "wrong values"
    rest = [n for n in wrong_names if n not in zeros]

    def relative(name):
        return max(float(np.linalg.norm(o[name] - r[name]) / max(np.linalg.norm(r[name]), 1e-300))
                   for o, r in zip(outputs, right))

    for name in sorted(rest, key=relative, reverse=True)[:2]:
        worst_case, worst_index, worst_diff = None, None, -1.0
        for case, o, r in zip(cases, outputs, right):
            diff = np.abs(o[name] - r[name])
            index = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
            if diff.size and diff[index] > worst_diff:
                worst_case, worst_index, worst_diff = case, index, float(diff[index])
        got = outputs[cases.index(worst_case)][name]
        want = right[cases.index(worst_case)][name]
        lines.append(f"  Largest difference in {worst_case.short()}: {name}"
                     f"{_fmt_index(worst_index)} is {got[worst_index]:.6g}, the right value is "
                     f"{want[worst_index]:.6g}.")
    tiny = [n for n in rest if 1e-9 <= relative(n) <= 1e-5]
    if tiny:
        lines.append(f"  The error of {', '.join(tiny)} is tiny, about "
                     f"{max(relative(n) for n in tiny):.0e} relative: the size of float32 "
                     "round-off (about 1e-7). Did an array become float32 (np.float32, "
                     "dtype=np.float32, astype)? The check needs float64.")
        summary = "float32 round-off"
    groups = {}                                     # the same factors: one sentence
    for name in rest:
        if name in tiny:
            continue
        ratios = [_ratio(o[name], r[name], ex.factor_tolerance) for o, r in zip(outputs, right)]
        if any(r is None for r in ratios):
            continue
        key = tuple(round(r, 6) for r in ratios)
        groups.setdefault(key, ([], ratios))[0].append(name)
    for group, ratios in groups.values():
        sentence = _factor_sentence(group, ratios, cases, ex.factor_tolerance)
        if sentence:
            lines.append(sentence)
            summary = "off by a constant factor"
    lines.append(ex.advice)
    return lines, summary


def _never_raises(check):
    """Turn an unexpected error inside the checker itself into a failed result, and put
    NumPy's state back even then."""
    def guarded(fn):
        with _NumpyState():
            try:
                return check(fn)
            except BaseException as error:          # noqa: BLE001
                return CheckResult(check.__name__, "failed",
                                   f"the check could not read your function's answer: "
                                   f"{_exception_text(error)}{_student_line(error)}",
                                   "unreadable answer")
    guarded.__name__, guarded.__doc__ = check.__name__, check.__doc__
    guarded.__wrapped__ = check
    return guarded


def _rng(seed):
    return np.random.default_rng(seed)


def _params(rng, D, H, O, scale=0.5):
    """Random params with nonzero biases: Wxh (H, D), Whh (H, H), Why (O, H), bh, by."""
    params = rnn_core.init_params(D, H, O, scale=scale, seed=rng)
    params["bh"] = 0.3 * rng.standard_normal((H, 1))
    params["by"] = 0.3 * rng.standard_normal((O, 1))
    return params


def _dict_problems(name):
    """The problems(raw, given, case) of an exercise that returns a new dict."""
    def problems(raw, given, case):
        if raw is given[name]:
            return [f"It returned the dict it was given ({name} itself), not a new dict: "
                    f"the caller's dict and the result are then one object, and changing one "
                    f"changes the other. Return a new dict, e.g. dict({name}) or "
                    "{k: ... for k in " + name + "}."]
        return []
    return problems


# --------------------------------------------------------------------------------------
# rnn_step_forward: Eqs. (1.1)-(1.2)
# --------------------------------------------------------------------------------------

# (D, H, B), pairwise distinct: a transpose or a wrong axis changes a shape.
_STEP_SIZES = [(3, 5, 2), (2, 4, 6), (4, 3, 5)]


def _step_cases(seed):
    rng = _rng(seed)
    cases = []
    for number, (D, H, B) in enumerate(_STEP_SIZES, start=1):
        params = _params(rng, D, H, 1)
        x_t = rng.standard_normal((D, B))
        h_prev = np.tanh(rng.standard_normal((H, B)))           # nonzero h_{t-1}
        # h_t from rnn_core.forward: one step of a batch (B, 1, D), h0 (H, B).
        hs = rnn_core.forward(params, x_t.T[:, None, :], h_prev)[1]
        h_t = hs[:, 1, :].T
        dh_t = rng.standard_normal((H, B))                      # any total derivative dL/dh_t
        cases.append(_Case(number, len(_STEP_SIZES), {"D": D, "H": H, "B": B},
                           {"dh_t": dh_t, "x_t": x_t, "h_prev": h_prev, "h_t": h_t,
                            "Wxh": params["Wxh"], "Whh": params["Whh"], "bh": params["bh"]},
                           {"params": params}))
    return cases


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _step_forward_variant(case, *, tanh="tanh", bias=True, Whh_transposed=False, use_h=True,
                          bias_outside=False, first_column=False):
    """One step computed right (the defaults) or with known mistakes.

    tanh: "tanh" (right), "none", "sigmoid", "relu" or "twice" (tanh(tanh(a_t)))."""
    i = case.inputs
    x_t, h_prev = i["x_t"], i["h_prev"]
    if first_column:
        x_t, h_prev = x_t[:, :1], h_prev[:, :1]
    Whh = i["Whh"].T if Whh_transposed else i["Whh"]
    a_t = i["Wxh"] @ x_t + (Whh @ h_prev if use_h else 0.0)
    if bias and not bias_outside:
        a_t = a_t + i["bh"]
    h_t = {"tanh": np.tanh, "none": lambda a: a, "sigmoid": _sigmoid,
           "relu": lambda a: np.maximum(a, 0.0),
           "twice": lambda a: np.tanh(np.tanh(a))}[tanh](a_t)
    if bias_outside:
        h_t = h_t + i["bh"]
    if first_column:
        h_t = np.repeat(h_t, i["x_t"].shape[1], axis=1)
    return {"h_t": h_t}


_STEP_FORWARD_MISTAKES = [
    _known("tanh missing", "tanh is missing: h_t = tanh(a_t), not a_t", "1.2",
           _step_forward_variant, tanh="none"),
    _known("sigmoid for tanh", "the sigmoid 1 / (1 + exp(-a_t)) is used instead of tanh: "
           "h_t = tanh(a_t)", "1.2", _step_forward_variant, tanh="sigmoid"),
    _known("ReLU for tanh", "the ReLU max(0, a_t) is used instead of tanh: h_t = tanh(a_t)",
           "1.2", _step_forward_variant, tanh="relu"),
    _known("tanh twice", "tanh is applied twice, tanh(tanh(a_t)); once is enough", "1.2",
           _step_forward_variant, tanh="twice"),
    _known("bias missing", "the bias b_h is missing from a_t", "1.1",
           _step_forward_variant, bias=False),
    _known("bias after tanh", "b_h is added after the tanh; it belongs inside, in a_t", "1.1",
           _step_forward_variant, bias_outside=True),
    _known("W_hh transposed", "W_hh^T h_{t-1} instead of W_hh h_{t-1} (transposed weights)",
           "1.1", _step_forward_variant, Whh_transposed=True),
    _known("W_hh h_{t-1} missing", "the term W_hh h_{t-1} is missing, so the RNN forgets the "
           "past (this is only right when h_{t-1} = 0)", "1.1", _step_forward_variant,
           use_h=False),
    _known("first sequence only", "only the first column (the first sequence of the batch) "
           "is computed and copied to every column: right only when B = 1", "1.1",
           _step_forward_variant, first_column=True),
]


def _forward_close(got, want, name):
    # float32 inside the step is fine: the forward pass is compared to float32 precision.
    return _close(got, want, rtol=1e-5, atol=1e-6)


@_never_raises
def check_step_forward(rnn_step_forward):
    """Check rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t (H, B), Eqs. (1.1)-(1.2).

    x_t (D, B), h_prev (H, B), Wxh (H, D), Whh (H, H), bh (H, 1). Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if isinstance(raw, tuple):
            return (f"rnn_step_forward returned a tuple of {len(raw)} items; return only h_t, "
                    f"an array of shape {_symbolic(_resolve(('H', 'B'), case.sizes), case.sizes)}",
                    "returns a tuple")
        return {"h_t": raw}

    cases = _step_cases(seed=10)
    for case in cases:                  # the student gets the step's inputs; h_t is the answer
        case.extra["h_t"] = case.inputs["h_t"]
        case.inputs = {k: case.inputs[k] for k in ("x_t", "h_prev", "Wxh", "Whh", "bh")}
    def call_args(given, case):
        return (given["x_t"], given["h_prev"], given["Wxh"], given["Whh"], given["bh"])

    ex = _Exercise(
        "check_step_forward", "rnn_step_forward", cases, call_args, unpack,
        lambda case: {"h_t": case.extra["h_t"]}, lambda c: {"h_t": ("H", "B")},
        _STEP_FORWARD_MISTAKES, "pairwise-distinct sizes, B > 1, nonzero h_{t-1} and b_h",
        "Compare your line with Eq. (1.1) in notebook 01 term by term: W_xh x_t is (H, D)(D, B), "
        "W_hh h_{t-1} is (H, H)(H, B), b_h (H, 1) is added to every column; then h_t = "
        "tanh(a_t), Eq. (1.2), applied to the whole of a_t.",
        variant=_step_forward_variant, close=_forward_close, float32_ok=True)
    return _run_checks(ex, rnn_step_forward)


def _reference_step_forward(x_t, h_prev, Wxh, Whh, bh):
    """rnn_core's answer to the exercise rnn_step_forward (one step, batch in the columns)."""
    H = Whh.shape[0]
    params = {"Wxh": Wxh, "Whh": Whh, "Why": np.zeros((1, H)), "bh": bh, "by": np.zeros((1, 1))}
    hs = rnn_core.forward(params, np.asarray(x_t).T[:, None, :], np.asarray(h_prev))[1]
    return hs[:, 1, :].T


# --------------------------------------------------------------------------------------
# rnn_step_backward: Eqs. (3.4)-(4.3) for one step
# --------------------------------------------------------------------------------------

_STEP_BACKWARD_OUTPUTS = ("dx_t", "dh_prev", "dWxh", "dWhh", "dbh")


def _step_backward_reference(case):
    """The right answer: rnn_core.backward on a one-step RNN whose output is h_1 itself
    (W_hy = I, b_y = 0, O = H), so that dL/dy = dL/dh_1 = dh_t."""
    i = case.inputs
    return dict(zip(_STEP_BACKWARD_OUTPUTS, _reference_step_backward(
        i["dh_t"], i["x_t"], i["h_prev"], i["h_t"], i["Wxh"], i["Whh"],
        case.extra["params"]["bh"])))


def _reference_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh, bh=None):
    """rnn_core's answer to the exercise rnn_step_backward: (dx_t, dh_prev, dWxh, dWhh, dbh)."""
    H = Whh.shape[0]
    bh = np.zeros((H, 1)) if bh is None else bh
    params = {"Wxh": Wxh, "Whh": Whh, "Why": np.eye(H), "bh": bh, "by": np.zeros((H, 1))}
    hs = np.stack([h_prev.T, h_t.T], axis=1)                    # (B, 2, H)
    grads, dhs = rnn_core.backward(params, x_t.T[:, None, :], hs, dh_t.T)
    # dL/dx_t is not in rnn_core (inputs are not trained): the twin of Eq. (3.5) through W_xh.
    delta = dh_t * (1.0 - h_t ** 2)
    return Wxh.T @ delta, dhs[:, 0, :].T, grads["Wxh"], grads["Whh"], grads["bh"]


def _tanh_prime(kind, h_t, h_prev):
    """The factor of Eq. (3.4), right ("h_t") or as a known mistake."""
    return {"h_t": 1.0 - h_t ** 2, "none": 1.0, "h_prev": 1.0 - h_prev ** 2,
            "tanh_of_h_t": 1.0 - np.tanh(h_t) ** 2, "sigmoid": h_t * (1.0 - h_t),
            "relu": (h_t > 0).astype(float), "square_outside": (1.0 - h_t) ** 2,
            "negated": h_t ** 2 - 1.0}[kind]


_TANH_PRIME_MISTAKES = [
    ("none", "tanh' missing", "the tanh' factor is missing: delta_t = dL/dh_t * (1 - h_t^2)"),
    ("h_prev", "tanh' at h_{t-1}", "tanh' is taken at h_{t-1} instead of h_t (an index off by "
     "one: hs[t] is h_t): delta_t = dL/dh_t * (1 - h_t^2)"),
    ("tanh_of_h_t", "tanh applied twice", "tanh' is written 1 - tanh(h_t)^2, but h_t is "
     "already tanh(a_t) (tanh applied twice): use 1 - h_t^2"),
    ("sigmoid", "sigmoid's derivative", "h_t (1 - h_t) is the sigmoid's derivative; tanh's is "
     "1 - h_t^2"),
    ("relu", "ReLU's derivative", "1[h_t > 0] is the ReLU's derivative; tanh's is 1 - h_t^2"),
    ("square_outside", "(1 - h_t)^2", "(1 - h_t)^2 instead of 1 - h_t^2: the square belongs "
     "to h_t alone"),
    ("negated", "sign of delta", "delta_t has the wrong sign: delta_t = dL/dh_t * (1 - h_t^2), "
     "and tanh' = 1 - h_t^2 is positive (h_t^2 - 1, or a minus in front, flips the sign)"),
]


def _step_backward_variant(case, *, tanh_prime="h_t", recursion_transposed=True,
                           dWhh_state="h_prev", batch="sum", dWhh_transposed=False,
                           dh_prev_from="delta", dx_from="delta"):
    """One backward step computed right (the defaults) or with known mistakes.

    tanh_prime: a key of _tanh_prime. batch: "sum" (right), "first" (only sequence 0) or
    "mean" (divided by B). dh_prev_from, dx_from: "delta" (right) or "dh" (dL/dh_t used
    instead of delta_t)."""
    i = case.inputs
    h_t, h_prev, x_t, dh_t = i["h_t"], i["h_prev"], i["x_t"], i["dh_t"]
    delta = dh_t * _tanh_prime(tanh_prime, h_t, h_prev)
    Whh = i["Whh"].T if recursion_transposed else i["Whh"]
    state = h_prev if dWhh_state == "h_prev" else h_t
    cols = slice(0, 1) if batch == "first" else slice(None)
    scale = 1.0 / delta.shape[1] if batch == "mean" else 1.0
    dWhh = scale * delta[:, cols] @ state[:, cols].T
    return {"dx_t": i["Wxh"].T @ (delta if dx_from == "delta" else dh_t),
            "dh_prev": Whh @ (delta if dh_prev_from == "delta" else dh_t),
            "dWxh": scale * delta[:, cols] @ x_t[:, cols].T,
            "dWhh": dWhh.T if dWhh_transposed else dWhh,
            "dbh": scale * delta[:, cols].sum(axis=1, keepdims=True)}


_STEP_BACKWARD_MISTAKES = [
    *[_known(short, words, "3.4", _step_backward_variant, tanh_prime=kind)
      for kind, short, words in _TANH_PRIME_MISTAKES],
    _known("W_hh not transposed", "W_hh instead of W_hh^T in the recursion dL/dh_{t-1} = "
           "W_hh^T delta_t", "3.5", _step_backward_variant, recursion_transposed=False),
    _known("dh_prev from dL/dh_t", "dh_prev = W_hh^T dL/dh_t: the recursion goes through "
           "delta_t = dL/da_t, dL/dh_{t-1} = W_hh^T delta_t; it uses dL/dh_t instead of "
           "delta_t", "3.5", _step_backward_variant, dh_prev_from="dh"),
    _known("dx_t from dL/dh_t", "dx_t = W_xh^T dL/dh_t: like dh_prev it goes through delta_t, "
           "dL/dx_t = W_xh^T delta_t; it uses dL/dh_t instead of delta_t", "3.5",
           _step_backward_variant, dx_from="dh"),
    _known("dWhh with h_t", "dWhh uses h_t instead of h_{t-1}: the step's term is "
           "delta_t h_{t-1}^T", "4.2", _step_backward_variant, dWhh_state="h_t"),
    _known("dWhh transposed", "dWhh is transposed: h_{t-1} delta_t^T instead of "
           "delta_t h_{t-1}^T (both are (H, H), so the shape cannot tell)", "4.2",
           _step_backward_variant, dWhh_transposed=True),
    _known("first sequence only", "the weight gradients are not summed over the batch: only "
           "the first sequence is used (right only when B = 1)", "4.1-4.3",
           _step_backward_variant, batch="first"),
    _known("mean over the batch", "the weight gradients are averaged over the batch instead "
           "of summed; the 1/n is already in dL/dy (Eq. (3.1))", "4.1-4.3",
           _step_backward_variant, batch="mean"),
]


def _step_backward_hints(name, got, case):
    H, B = case.sizes["H"], case.sizes["B"]
    if name == "dbh" and got.shape == (H, B):
        return (" It is delta_t itself: sum over the batch, "
                f"delta.sum(axis=1, keepdims=True) ({_eq('4.3')}).")
    if name == "dbh" and got.shape in ((B,), (1, B)):
        return " It was summed over the hidden units (axis 0); sum over the batch, axis=1."
    return ""


@_never_raises
def check_step_backward(rnn_step_backward):
    """Check rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh)
    -> (dx_t, dh_prev, dWxh, dWhh, dbh), Eqs. (3.4)-(4.3) for one step.

    dh_t (H, B) is the total derivative dL/dh_t; x_t (D, B); h_prev, h_t (H, B).
    Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if not isinstance(raw, (tuple, list)) or len(raw) != 5:
            what = (f"a {type(raw).__name__} of {len(raw)} items"
                    if isinstance(raw, (tuple, list)) else type(raw).__name__)
            return ("rnn_step_backward must return 5 arrays, "
                    f"(dx_t, dh_prev, dWxh, dWhh, dbh); it returned {what}", "wrong return")
        return dict(zip(_STEP_BACKWARD_OUTPUTS, raw))

    cases = _step_cases(seed=20)
    for case in cases:
        case.inputs = {k: case.inputs[k] for k in ("dh_t", "x_t", "h_prev", "h_t", "Wxh", "Whh")}
    shapes = {"dx_t": ("D", "B"), "dh_prev": ("H", "B"), "dWxh": ("H", "D"), "dWhh": ("H", "H"),
              "dbh": ("H", 1)}
    def call_args(given, case):
        return (given["dh_t"], given["x_t"], given["h_prev"], given["h_t"], given["Wxh"],
                given["Whh"])

    ex = _Exercise(
        "check_step_backward", "rnn_step_backward", cases, call_args, unpack,
        _step_backward_reference, lambda c: shapes, _STEP_BACKWARD_MISTAKES,
        "pairwise-distinct sizes, B > 1, nonzero h_{t-1}",
        "Which outputs are wrong tells where to look: every output is a product with "
        "delta_t = dL/dh_t * (1 - h_t^2) (Eq. (3.4) in notebook 03); dh_prev is Eq. (3.5), "
        "the weight terms are one step of Eqs. (4.1)-(4.3) in notebook 04, summed over the "
        "batch. Check the shape of each product, (H, B)(B, D) for dWxh.",
        variant=_step_backward_variant, hints=_step_backward_hints)
    return _run_checks(ex, rnn_step_backward)


# --------------------------------------------------------------------------------------
# mse_loss: Eqs. (1.4)-(3.1)
# --------------------------------------------------------------------------------------

def _mse_cases(seed):
    rng = _rng(seed)
    shapes = [(5,), (4, 3), (2, 6)]                     # one sequence (O,), then batches (B, O)
    cases = []
    for number, shape in enumerate(shapes, start=1):
        sizes = {"O": shape[-1]} if len(shape) == 1 else {"B": shape[0], "O": shape[1]}
        cases.append(_Case(number, len(shapes), sizes,
                           {"y": rng.standard_normal(shape), "target": rng.standard_normal(shape)},
                           {"n": math.prod(shape)}))
    return cases


def _mse_variant(case, *, dy="right", loss="mean"):
    y, target = case.inputs["y"], case.inputs["target"]
    n, O, rows = y.size, y.shape[-1], y.shape[0]
    diff = y - target
    dy = {"right": 2.0 / n * diff, "seed": diff, "no_mean": 2.0 * diff, "per_row": 2.0 / O * diff,
          "no_two": diff / n, "sign": 2.0 / n * -diff, "int_div": (2 // n) * diff,
          "per_len": 2.0 / rows * diff}[dy]
    value = {"mean": np.sum(diff ** 2) / n, "sum": np.sum(diff ** 2),
             "per_row": np.sum(diff ** 2) / O, "rmse": math.sqrt(np.sum(diff ** 2) / n),
             "per_len": np.sum(diff ** 2) / rows}[loss]
    return {"loss": np.array(value), "dy": dy}


_MSE_MISTAKES = [
    _known("seed's bug 2", "dy = y - target without the factor 2/n: the gradient of another "
           "loss than the one printed (the seed's bug 2)", "3.1", _mse_variant, dy="seed"),
    _known("dy of the sum", "dy = 2 (y - target) is the gradient of the sum of squares; the "
           "loss is the mean, so divide by n", "3.1", _mse_variant, dy="no_mean"),
    _known("divided by O", "divided by O only; n = O * B counts every element of the batch",
           "3.1", _mse_variant, dy="per_row", loss="per_row"),
    _known("divided by B", "divided by len(y) (= B, the number of rows of a batch) only; "
           "n = y.size = O * B counts every element", "3.1", _mse_variant, dy="per_len",
           loss="per_len"),
    _known("factor 2 missing", "the factor 2 of d(u^2)/du = 2u is missing", "3.1",
           _mse_variant, dy="no_two"),
    _known("2 // n", "2 // n is integer division (0 for n > 2), so dy is all zeros: write "
           "2 / n", "3.1", _mse_variant, dy="int_div"),
    _known("sign of dy", "the sign is flipped: dL/dy = (2/n)(y - target), not (target - y)",
           "3.1", _mse_variant, dy="sign"),
    _known("sum for the loss", "the loss is the sum of squares; Eq. (1.4) is their mean",
           "1.4", _mse_variant, loss="sum"),
    _known("RMSE", "the loss has a square root (that is the RMSE); Eq. (1.4) has none", "1.4",
           _mse_variant, loss="rmse"),
]


@_never_raises
def check_mse_loss(mse_loss):
    """Check mse_loss(y, target) -> (loss, dy), Eqs. (1.4)-(3.1).

    y, target (O,) or (B, O); loss a float, the mean over all n elements; dy = dL/dy, the
    shape of y. Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if not isinstance(raw, (tuple, list)) or len(raw) != 2:
            return (f"mse_loss must return two things, (loss, dy); it returned "
                    f"{type(raw).__name__}", "wrong return")
        loss, dy = raw
        y_shape = case.inputs["y"].shape
        if (isinstance(loss, np.ndarray) and loss.shape == y_shape
                and np.size(dy) == 1 and not isinstance(dy, bool)):
            return ("The two results are swapped: the first has the shape of y and the second "
                    "is one number. Return (loss, dy), the loss first.", "outputs swapped")
        if isinstance(loss, np.ndarray) and loss.size == 1:
            loss = loss.reshape(())
        elif isinstance(loss, (float, int, np.floating, np.integer)) and not isinstance(
                loss, bool):
            loss = np.array(float(loss))
        else:
            return (f"the loss must be one number (a float); it is {type(loss).__name__} "
                    f"of shape {_shape_of(loss)}. Use np.sum or np.mean over every element "
                    "(Python's sum() adds up the rows only).", "loss is not a number")
        return {"loss": loss, "dy": dy}

    def shapes(case):
        return {"loss": (), "dy": tuple(case.inputs["y"].shape)}

    def call_args(given, case):
        return (given["y"], given["target"])

    ex = _Exercise(
        "check_mse_loss", "mse_loss", _mse_cases(seed=30), call_args, unpack, _mse_reference,
        shapes, _MSE_MISTAKES, "one sequence and two batches",
        "The loss is the mean of the squares over all n = y.size entries (Eq. (1.4) in "
        "notebook 01); dL/dy = (2/n)(y - target), Eq. (3.1) in notebook 03.",
        variant=_mse_variant)
    return _run_checks(ex, mse_loss)


def _mse_reference(case):
    loss, dy = rnn_core.mse_loss(case.inputs["y"], case.inputs["target"])
    return {"loss": np.array(loss), "dy": dy}


# --------------------------------------------------------------------------------------
# bptt: Eqs. (3.2)-(4.3) for one sequence
# --------------------------------------------------------------------------------------

# (D, H, O, T), pairwise distinct, O > 1, T >= 3, and H != T + 1: hs (T + 1, H) is never square.
_BPTT_SIZES = [(2, 4, 3, 5), (3, 5, 2, 6), (4, 3, 5, 7)]


def _bptt_cases(seed):
    rng = _rng(seed)
    cases = []
    for number, (D, H, O, T) in enumerate(_BPTT_SIZES, start=1):
        params = _params(rng, D, H, O)
        xs = rng.standard_normal((T, D))
        h0 = np.tanh(rng.standard_normal(H))            # nonzero h_0
        _, hs = rnn_core.forward(params, xs, h0)        # (T + 1, H), hs[0] = h_0
        dy = rng.standard_normal(O)                     # any dL/dy
        cases.append(_Case(number, len(_BPTT_SIZES), {"D": D, "H": H, "O": O, "T": T},
                           {"params": params, "xs": xs, "hs": hs, "dy": dy}))
    return cases


def _bptt_variant(case, *, direct_every_step=False, skip_h0=False, tanh_prime="h_t",
                  recursion_transposed=True, carry="yes", accumulate=True, dWhh_state="h_prev",
                  first_step=1, dWhh_transposed=False, recursion_from="delta"):
    """BPTT for one sequence computed right (the defaults) or with known mistakes.

    direct_every_step: add W_hy^T dL/dy at every step (the seed's bug 1).
    skip_h0: leave out delta_1 h_0^T from dWhh (the seed's bug 3).
    tanh_prime: a key of _tanh_prime.
    carry: "yes" (right), "stop" (dL/dh_{t-1} = 0: only step T contributes) or "reuse"
        (dL/dh_{t-1} never updated: every step uses dL/dh_T).
    accumulate: False assigns each step's term (=) instead of adding it (+=).
    first_step: 2 for a loop range(T, 1, -1) that stops before t = 1.
    recursion_from: "delta" (right) or "dh" (dL/dh_{t-1} = W_hh^T dL/dh_t).
    """
    p, xs, hs, dy = case.inputs["params"], case.inputs["xs"], case.inputs["hs"], case.inputs["dy"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(p[name]) for name in ("Wxh", "Whh", "bh")}
    dh_T = p["Why"].T @ dy                                          # Eq. (3.3)
    dh_next = np.zeros_like(dh_T)
    for t in range(T, first_step - 1, -1):
        fresh = t == T or direct_every_step or carry == "reuse"
        dh = dh_next + (dh_T if fresh else 0.0)
        delta = dh * _tanh_prime(tanh_prime, hs[t], hs[t - 1])    # Eq. (3.4)
        state = hs[t - 1] if dWhh_state == "h_prev" else hs[t]
        Whh_term = np.outer(state, delta) if dWhh_transposed else np.outer(delta, state)
        terms = {"Wxh": np.outer(delta, xs[t - 1]),                 # Eq. (4.1)
                 "Whh": Whh_term * (0.0 if (skip_h0 and t == 1) else 1.0),
                 "bh": delta[:, None]}                              # Eq. (4.3)
        for name, term in terms.items():
            grads[name] = grads[name] + term if accumulate else term
        Whh = p["Whh"].T if recursion_transposed else p["Whh"]
        back = delta if recursion_from == "delta" else dh
        dh_next = Whh @ back if carry == "yes" else np.zeros_like(delta)   # Eq. (3.5)
    grads["Why"] = np.outer(dy, hs[T])                              # Eq. (3.2)
    grads["by"] = dy[:, None]
    return grads


_BPTT_MISTAKES = [
    _known("seed's bug 1", "the output gradient W_hy^T dL/dy is added at every step, as if "
           "every h_t had an output (the seed's bug 1); in the many-to-one RNN only h_T has "
           "one: dL/dh_T = W_hy^T dL/dy (Eq. (3.3)), and dL/dh_{t-1} = W_hh^T delta_t", "3.5",
           _bptt_variant, direct_every_step=True),
    _known("seed's bug 3", "dWhh leaves out its first term delta_1 h_0^T (the seed's bug 3; "
           "the sum runs from t = 1 and uses hs[0] = h_0)", "4.2", _bptt_variant, skip_h0=True),
    *[_known(short, words, "3.4", _bptt_variant, tanh_prime=kind)
      for kind, short, words in _TANH_PRIME_MISTAKES],
    _known("W_hh not transposed", "W_hh instead of W_hh^T in the recursion dL/dh_{t-1} = "
           "W_hh^T delta_t", "3.5", _bptt_variant, recursion_transposed=False),
    _known("recursion through dh", "the recursion uses dL/dh_t instead of delta_t: "
           "dL/dh_{t-1} = W_hh^T delta_t, with delta_t = dL/dh_t * (1 - h_t^2), not "
           "W_hh^T dL/dh_t", "3.5", _bptt_variant, recursion_from="dh"),
    _known("dh not carried back", "dL/dh_{t-1} is not carried back: every step reuses "
           "dL/dh_T instead of dL/dh_{t-1} = W_hh^T delta_t", "3.5", _bptt_variant,
           carry="reuse"),
    _known("only step T", "only step T contributes: either dL/dh_{t-1} = W_hh^T delta_t is "
           "not carried to the previous step, or the sums over time keep only the last step",
           "3.5-4.3", _bptt_variant, carry="stop"),
    _known("= instead of +=", "the sums over time are assigned (=) instead of accumulated "
           "(+=): only the term of t = 1 is left", "4.1-4.3", _bptt_variant, accumulate=False),
    _known("loop stops before t = 1", "the loop stops before t = 1 (range(T, 1, -1)): the "
           "terms of t = 1 are left out of all three sums, not only the h_0 term of dWhh; "
           "range(T, 0, -1) runs t = T, ..., 1", "4.1-4.3", _bptt_variant, first_step=2),
    _known("dWhh with h_t", "dWhh uses h_t instead of h_{t-1} (an index off by one: "
           "hs[t - 1] is h_{t-1})", "4.2", _bptt_variant, dWhh_state="h_t"),
    _known("dWhh transposed", "dWhh is transposed: np.outer(h_{t-1}, delta_t) instead of "
           "np.outer(delta_t, h_{t-1}) = delta_t h_{t-1}^T (both are (H, H), so the shape "
           "cannot tell)", "4.2", _bptt_variant, dWhh_transposed=True),
]


@_never_raises
def check_bptt(bptt):
    """Check bptt(params, xs, hs, dy) -> grads for one sequence, Eqs. (3.2)-(4.3).

    xs (T, D), hs (T + 1, H) with hs[0] = h_0, dy = dL/dy (O,). grads: dict with the keys
    and shapes of params, as rnn_core.backward(params, xs, hs, dy)[0]. Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if isinstance(raw, tuple):
            return ("bptt must return only the grads dict (rnn_core.backward also returns "
                    f"dhs; this exercise does not); it returned a tuple of {len(raw)} items",
                    "returns a tuple")
        if not isinstance(raw, dict):
            return (f"bptt must return a dict of gradients; it returned {type(raw).__name__}",
                    "wrong return")
        missing = [name for name in rnn_core.PARAM_NAMES if name not in raw]
        if missing:
            return (f"the grads dict has no key(s) {missing}; it needs the keys of params, "
                    f"{list(rnn_core.PARAM_NAMES)}", "missing keys")
        return {name: raw[name] for name in rnn_core.PARAM_NAMES}

    def reference(case):
        i = case.inputs
        return rnn_core.backward(i["params"], i["xs"], i["hs"], i["dy"])[0]

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    def call_args(given, case):
        return (given["params"], given["xs"], given["hs"], given["dy"])

    ex = _Exercise(
        "check_bptt", "bptt", _bptt_cases(seed=40), call_args, unpack, reference,
        lambda c: shapes, _BPTT_MISTAKES,
        "pairwise-distinct sizes, O > 1, T >= 3, nonzero h_0",
        "Which gradients are wrong tells where to look (Why and by: Eq. (3.2); the others: "
        "the loop). Check the index of every state: hs[t] is h_t, hs[0] is h_0, and "
        "xs[t - 1] is x_t; the loop runs t = T, ..., 1 (Eqs. (3.4)-(4.3) in notebooks 03-04).",
        variant=_bptt_variant)
    return _run_checks(ex, bptt)


def _reference_bptt(params, xs, hs, dy):
    """rnn_core's answer to the exercise bptt: the gradients for one sequence."""
    return rnn_core.backward(params, xs, hs, dy)[0]


# --------------------------------------------------------------------------------------
# numerical_gradient: centered differences (notebook 05)
# --------------------------------------------------------------------------------------

def _numgrad_cases(seed):
    """Four functions with known gradients: a 2-D x (not square), a 1-D x with eps = 0.01
    (where eps matters), a 3-D x, and the RNN loss as a function of W_hh."""
    rng = _rng(seed)
    cases = []
    c1 = rng.standard_normal((3, 4))
    cases.append(({"rows": 3, "cols": 4}, "sum(c * sin(x)), x (3, 4)",
                  lambda x: float(np.sum(c1 * np.sin(x))), lambda x: c1 * np.cos(x),
                  rng.standard_normal((3, 4)), 1e-5))
    c2 = rng.standard_normal(5)
    cases.append(({"n": 5}, "sum(c * x**3), x (5,), eps = 0.01",
                  lambda x: float(np.sum(c2 * x ** 3)), lambda x: 3.0 * c2 * x ** 2,
                  rng.standard_normal(5), 1e-2))
    c3, w3 = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    cases.append(({"a": 2, "b": 3, "c": 4}, "sum(c * tanh(x)) + (sum(w * x))**2 / 2, x (2, 3, 4),"
                  " eps = 0.001",
                  lambda x: float(np.sum(c3 * np.tanh(x)) + 0.5 * np.sum(w3 * x) ** 2),
                  lambda x: c3 * (1.0 - np.tanh(x) ** 2) + np.sum(w3 * x) * w3,
                  rng.standard_normal((2, 3, 4)), 1e-3))
    params = _params(rng, 2, 4, 3)
    xs, target = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 3))
    h0 = np.tanh(rng.standard_normal((4, 2)))
    cases.append(({"H": 4}, "the RNN loss as a function of Whh (4, 4)",
                  lambda W: rnn_core.loss_and_grads(dict(params, Whh=W), xs, target, h0)[0],
                  lambda W: rnn_core.loss_and_grads(dict(params, Whh=W), xs, target, h0)[1][
                      "Whh"], params["Whh"].copy(), 1e-5))
    out = []
    for number, (sizes, label, f, exact, x, eps) in enumerate(cases, start=1):
        out.append(_Case(number, len(cases), sizes, {"x": x},
                         {"f": f, "label": label, "eps": eps, "exact": exact(x)}))
    return out


def _numgrad_variant(f, x, eps, kind="centered"):
    """The gradient of f at x by finite differences, right ("centered") or with a mistake:
    "forward" (f(x + eps) - f(x)) / eps, "backward" (f(x) - f(x - eps)) / eps, "no_half"
    (centered, divided by eps, not 2 eps)."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    f_x = f(x.copy())
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = {"centered": (f_plus - f_minus) / (2.0 * eps), "forward": (f_plus - f_x) / eps,
                   "backward": (f_x - f_minus) / eps, "no_half": (f_plus - f_minus) / eps}[kind]
    return grad


def _numgrad_mistake(kind):
    return lambda case: {"grad": _numgrad_variant(case.extra["f"], case.inputs["x"],
                                                  case.extra["eps"], kind)}


_NUMGRAD_MISTAKES = [
    _Mistake("forward differences (f(x + eps) - f(x)) / eps, whose error is O(eps); centered "
             "differences (f(x + eps) - f(x - eps)) / (2 eps) have error O(eps^2)",
             FINITE_DIFFERENCES, _numgrad_mistake("forward"), None, "forward differences"),
    _Mistake("backward differences (f(x) - f(x - eps)) / eps, one-sided, whose error is "
             "O(eps); centered differences (f(x + eps) - f(x - eps)) / (2 eps) have error "
             "O(eps^2)", FINITE_DIFFERENCES, _numgrad_mistake("backward"), None,
             "backward differences"),
    _Mistake("divided by eps instead of 2 eps: the two points are 2 eps apart",
             FINITE_DIFFERENCES, _numgrad_mistake("no_half"), None, "divided by eps"),
]


def _numgrad_diagnose(fn, runs, right, wrong):
    """What the calls of f show: entries moved together, not put back, eps not used."""
    for case, *_ in runs:
        x0, eps = case.inputs["x"], case.extra["eps"]
        singles = []                                # (index, step) of one-entry calls
        for x_called in case.extra.get("calls", []):
            offset = x_called - x0
            moved = [tuple(int(i) for i in m) for m in np.argwhere(np.abs(offset) > 1e-6 * eps)]
            if len(moved) == 1:
                singles.append((moved[0], float(offset[moved[0]])))
            if len(moved) <= 1:
                continue
            if len(moved) == x0.size and np.allclose(offset, offset.flat[0]):
                return ([f"numerical_gradient moves every entry of x at once (f is called at "
                         f"x {'+' if offset.flat[0] > 0 else '-'} {abs(offset.flat[0]):.3g} "
                         f"in {case.short()}): each entry i needs its own pair of calls, with "
                         f"only x[i] moved, x[i] + eps and x[i] - eps."],
                        "moves all entries at once")
            for depth in range(1, x0.ndim):         # x[i] or x[i, j] of a larger array
                prefixes = {m[:depth] for m in moved}
                if len(prefixes) == 1 and len(moved) == math.prod(x0.shape[depth:]):
                    return ([f"numerical_gradient moves several entries at once: in "
                             f"{case.short()}, a {x0.ndim}-D x, one call of f had "
                             f"{len(moved)} entries moved together, x{list(moved[0][:depth])} "
                             f"(indexing a {x0.ndim}-D array with {depth} "
                             f"ind{'ex' if depth == 1 else 'ices'} gives a whole row, not one "
                             f"entry). Visit single entries with np.ndindex(x.shape), which "
                             f"works for any number of dimensions."], "moves a row at once")
            listed = ", ".join(f"x{list(m)} by {float(offset[m]) / eps:+.3g} eps"
                               for m in moved[:4]) + (", ..." if len(moved) > 4 else "")
            return ([f"x[i] is not put back after its nudge: in {case.short()}, one call of f "
                     f"had {len(moved)} entries moved ({listed}): an earlier entry was left "
                     f"where its nudge put it, so later entries are measured at a moved point. "
                     f"Save old = x[i] and restore it with x[i] = old after the two calls."],
                    "x[i] not put back")
        multiples = [2.0 * abs(step) / eps for _, step in singles]
        if singles and not all(abs(m - round(m)) <= 1e-3 and 1 <= round(m) <= 8
                               for m in multiples):
            if all(math.isclose(abs(step), eps * abs(x0[i]), rel_tol=1e-3) for i, step in singles):
                return ([f"f is called with x[i] moved by eps * x[i] (in {case.short()}), a "
                         f"step relative to x[i]: move it by eps itself, to x[i] + eps and "
                         f"x[i] - eps."], "relative step")
            used = sorted({f"{abs(step):.3g}" for _, step in singles})
            return ([f"eps is ignored: in {case.short()} eps = {eps:g}, but f is called with "
                     f"x[i] moved by {', '.join(used)}. Use the eps argument."], "eps ignored")
    return [], None


@_never_raises
def check_numerical_gradient(numerical_gradient):
    """Check numerical_gradient(f, x, eps) -> grad by centered differences (notebook 05).

    f: callable taking an array shaped like x and returning a float; x: float array of any
    shape; grad shaped like x. Compared with the exact gradient: any method at least as
    accurate as centered differences with the same eps passes. Returns a CheckResult.
    """
    cases = _numgrad_cases(seed=50)

    def call_args(given, case):
        shape, f = case.inputs["x"].shape, case.extra["f"]
        calls = case.extra["calls"] = []

        def f_checked(x):
            # A clear message when f gets something other than an array shaped like x.
            if np.shape(x) != shape:
                raise _StudentCrashed(f"numerical_gradient called f with shape "
                                      f"{_shape_of(np.asarray(x))}; f takes an array shaped "
                                      f"like x, {_fmt_shape(shape)} (nudge one entry of a copy "
                                      "of x, not a flattened view)", "calls f with a wrong shape")
            value = np.array(x, dtype=np.float64)
            calls.append(value)
            return f(value)
        return f_checked, given["x"], case.extra["eps"]

    def unpack(raw, case, given):
        return {"grad": raw}

    def reference(case):
        return {"grad": case.extra["exact"]}

    references = {}

    def close(got, want, name):
        if not (isinstance(got, np.ndarray) and got.shape == want.shape):
            return False
        key = id(want)
        case = next((c for c in cases if c.extra["exact"] is want), None)
        if case is None:                            # a known mistake's answer, not the exact one
            return _close(got, want, rtol=1e-6, atol=1e-8)
        if key not in references:
            ref = rnn_core.numerical_gradient(case.extra["f"], case.inputs["x"], case.extra["eps"])
            references[key] = float(np.max(np.abs(ref - want)))
        scale = max(float(np.max(np.abs(want))), 1.0)
        return float(np.max(np.abs(got - want))) <= 4.0 * references[key] + 1e-8 * scale

    ex = _Exercise(
        "check_numerical_gradient", "numerical_gradient", cases, call_args, unpack, reference,
        lambda c: {"grad": tuple(c.inputs["x"].shape)}, _NUMGRAD_MISTAKES,
        "a 2-D, a 1-D and a 3-D x, eps from 0.01 to 1e-5, and the RNN loss",
        "For each entry i: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), where only entry i is "
        "moved and is put back afterwards (notebook 05).",
        close=close, factor_tolerance=1e-3, diagnose=_numgrad_diagnose,
        agree="are as close to the exact gradient as centered differences with their eps")
    return _run_checks(ex, numerical_gradient)


# --------------------------------------------------------------------------------------
# clip_grads: Eq. (9.2)
# --------------------------------------------------------------------------------------

def _grads_like(rng, D, H, O, scale):
    return {name: scale * rng.standard_normal(value.shape)
            for name, value in rnn_core.init_params(D, H, O).items()}


def _clip_cases(seed):
    """1: a global norm far above max_norm (0.8), some entries above it and some below;
    2: a norm below max_norm (nothing changes); 3: a norm above max_norm (2.5 times it)
    while every single array's norm is below it (per-array clipping would change nothing)."""
    rng = _rng(seed)
    specs = [((2, 5, 3), 0.8, 0.6), ((3, 4, 2), 50.0, 0.5), ((4, 6, 3), None, 0.35)]
    cases = []
    for number, ((D, H, O), max_norm, scale) in enumerate(specs, start=1):
        grads = _grads_like(rng, D, H, O, scale)
        cases.append(_Case(number, len(specs), {"D": D, "H": H, "O": O},
                           {"grads": grads}, {"max_norm": max_norm}))
    case = cases[2]                                     # make case 3 what its docstring says
    norms = [np.linalg.norm(g) for g in case.inputs["grads"].values()]
    case.extra["max_norm"] = 1.05 * max(norms)
    assert rnn_core.global_norm(case.inputs["grads"]) > case.extra["max_norm"]
    return cases


def _clip_variant(case, kind):
    grads, c = case.inputs["grads"], case.extra["max_norm"]
    norm = rnn_core.global_norm(grads)
    if kind == "per_array":
        return {k: g * min(1.0, c / np.linalg.norm(g)) for k, g in grads.items()}
    if kind == "by_value":
        return {k: np.clip(g, -c, c) for k, g in grads.items()}
    if kind == "always":
        return {k: g * (c / norm) for k, g in grads.items()}
    if kind == "inverted":
        return {k: g * (norm / c) if norm > c else g for k, g in grads.items()}
    if kind == "flipped":
        return {k: g * (c / norm) if norm < c else g for k, g in grads.items()}
    if kind == "squared":
        return {k: g * (c / norm) ** 2 if norm > c else g for k, g in grads.items()}
    if kind == "weights_only":
        return {k: g * (c / norm) if norm > c and k.startswith("W") else g
                for k, g in grads.items()}
    other = {"sum_of_norms": sum(np.linalg.norm(g) for g in grads.values()),
             "no_sqrt": sum(float(np.sum(g ** 2)) for g in grads.values()),
             "rms": math.sqrt(sum(float(np.sum(g ** 2)) for g in grads.values())
                              / sum(g.size for g in grads.values()))}[kind]
    return {k: g * (c / other) if other > c else g for k, g in grads.items()}


_CLIP_MISTAKES = [
    _known("each array on its own", "each array is clipped on its own; the norm in Eq. (9.2) "
           "is global, over all parameters together", "9.2", _clip_variant, kind="per_array"),
    _known("np.clip", "every entry is clipped to [-max_norm, max_norm] (np.clip); Eq. (9.2) "
           "rescales the whole gradient and keeps its direction", "9.2", _clip_variant,
           kind="by_value"),
    _known("always rescaled", "the gradient is rescaled even when its norm is below max_norm "
           "(that scales small gradients up); the factor is min(1, max_norm / norm)", "9.2",
           _clip_variant, kind="always"),
    _known("comparison flipped", "the gradient is scaled up when its norm is below max_norm "
           "and left alone when it is above: the comparison is the wrong way round (or "
           "max(1, max_norm / norm) instead of min(1, max_norm / norm))", "9.2",
           _clip_variant, kind="flipped"),
    _known("factor upside down", "the factor is upside down: norm / max_norm instead of "
           "max_norm / norm", "9.2", _clip_variant, kind="inverted"),
    _known("factor squared", "the factor is squared, (max_norm / norm)^2 instead of "
           "max_norm / norm: the clipped norm is then below max_norm", "9.2", _clip_variant,
           kind="squared"),
    _known("biases not clipped", "only the weight matrices are rescaled; the biases b_h, b_y "
           "are part of the gradient too and get the same factor", "9.2", _clip_variant,
           kind="weights_only"),
    _known("sum of norms", "the global norm is the sum of the arrays' norms; it is the "
           "square root of the sum of every squared entry", "9.2", _clip_variant,
           kind="sum_of_norms"),
    _known("square root missing", "the square root is missing from the global norm", "9.2",
           _clip_variant, kind="no_sqrt"),
    _known("mean instead of sum", "the norm uses the mean of the squares (an RMS) instead of "
           "their sum: ||g|| = sqrt(sum of every squared entry)", "9.2", _clip_variant,
           kind="rms"),
]


@_never_raises
def check_clip_grads(clip_grads):
    """Check clip_grads(grads, max_norm) -> new dict, global-norm clipping, Eq. (9.2).

    grads: dict of arrays (not to be modified); max_norm: a positive float. Compared with
    rnn_core.clip_grads. Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if isinstance(raw, tuple):
            return (f"clip_grads must return only the new dict; it returned a tuple of "
                    f"{len(raw)} items", "returns a tuple")
        if not isinstance(raw, dict):
            return (f"clip_grads must return a dict like grads; it returned "
                    f"{type(raw).__name__}", "wrong return")
        missing = [k for k in case.inputs["grads"] if k not in raw]
        if missing:
            return (f"the returned dict has no key(s) {missing}; keep every key of grads",
                    "missing keys")
        return {k: raw[k] for k in case.inputs["grads"]}

    def reference(case):
        return rnn_core.clip_grads(case.inputs["grads"], case.extra["max_norm"])

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    def call_args(given, case):
        return (given["grads"], case.extra["max_norm"])

    ex = _Exercise(
        "check_clip_grads", "clip_grads", _clip_cases(seed=60), call_args, unpack, reference,
        lambda c: shapes, _CLIP_MISTAKES,
        "a norm above max_norm, one below, and one above it with every single array below it",
        "Eq. (9.2) in notebook 09: one norm over all arrays together, the square root of the "
        "sum of every squared entry; when it exceeds max_norm, every array is multiplied by "
        "the same factor max_norm / norm.",
        variant=lambda case, kind: _clip_variant(case, kind), problems=_dict_problems("grads"))
    return _run_checks(ex, clip_grads)


# --------------------------------------------------------------------------------------
# sgd_step: Eq. (7.2)
# --------------------------------------------------------------------------------------

def _sgd_cases(seed):
    rng = _rng(seed)
    specs = [((2, 5, 3), 0.03), ((3, 4, 2), 0.5), ((4, 6, 5), 0.1)]
    cases = []
    for number, ((D, H, O), learning_rate) in enumerate(specs, start=1):
        cases.append(_Case(number, len(specs), {"D": D, "H": H, "O": O},
                           {"params": _params(rng, D, H, O),
                            "grads": _grads_like(rng, D, H, O, 1.0)},
                           {"learning_rate": learning_rate}))
    return cases


def _sgd_variant(case, kind):
    params, grads, lr = case.inputs["params"], case.inputs["grads"], case.extra["learning_rate"]
    if kind == "swapped":
        return {k: grads[k] - lr * params[k] for k in params}
    if kind == "weights_only":
        return {k: params[k] - lr * grads[k] if k.startswith("W") else params[k] for k in params}
    if kind in ("step_minus", "step_plus"):
        return {k: (-1.0 if kind == "step_minus" else 1.0) * lr * grads[k] for k in params}
    sign = 1.0 if kind == "plus" else -1.0
    lr = {"no_lr": 1.0, "lr_squared": lr ** 2}.get(kind, lr)
    return {k: params[k] + sign * lr * grads[k] for k in params}


_SGD_MISTAKES = [
    _known("uphill (+)", "the step goes uphill: theta - eta * dL/dtheta, with a minus", "7.2",
           _sgd_variant, kind="plus"),
    _known("learning rate not used", "the learning rate is not used: the step is "
           "eta * dL/dtheta", "7.2", _sgd_variant, kind="no_lr"),
    _known("learning rate squared", "the learning rate is squared (eta^2): the step is "
           "eta * dL/dtheta", "7.2", _sgd_variant, kind="lr_squared"),
    _known("params and grads swapped", "params and grads are swapped: new = params - "
           "eta * grads, not grads - eta * params", "7.2", _sgd_variant, kind="swapped"),
    _known("biases not updated", "only the weight matrices are updated: every parameter, the "
           "biases b_h and b_y too, takes the step", "7.2", _sgd_variant, kind="weights_only"),
    _known("only the step", "it returns only the step -eta * dL/dtheta, without params: the "
           "new value is theta - eta * dL/dtheta", "7.2", _sgd_variant, kind="step_minus"),
    _known("only the step", "it returns only the step eta * dL/dtheta, without params: the "
           "new value is theta - eta * dL/dtheta", "7.2", _sgd_variant, kind="step_plus"),
]


@_never_raises
def check_sgd_step(sgd_step):
    """Check sgd_step(params, grads, learning_rate) -> new params, Eq. (7.2).

    params, grads: dicts with the keys and shapes of params; learning_rate: a positive float.
    Returns a new dict and leaves params unchanged. Returns a CheckResult.
    """
    def unpack(raw, case, given):
        if not isinstance(raw, dict):
            return (f"sgd_step must return the new params as a dict; it returned "
                    f"{type(raw).__name__}", "wrong return")
        missing = [k for k in rnn_core.PARAM_NAMES if k not in raw]
        if missing:
            return (f"the returned dict has no key(s) {missing}; keep every key of params",
                    "missing keys")
        return {k: raw[k] for k in rnn_core.PARAM_NAMES}

    def reference(case):
        params, grads = case.inputs["params"], case.inputs["grads"]
        # rnn_core.train's update, written out as in notebook 07 (rnn_core has no sgd_step).
        return {k: params[k] - case.extra["learning_rate"] * grads[k] for k in params}

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    def call_args(given, case):
        return (given["params"], given["grads"], case.extra["learning_rate"])

    ex = _Exercise(
        "check_sgd_step", "sgd_step", _sgd_cases(seed=70), call_args, unpack, reference,
        lambda c: shapes, _SGD_MISTAKES, "three sizes and learning rates",
        "Eq. (7.2) in notebook 07: for every parameter, new = old - learning_rate * its "
        "gradient.", variant=lambda case, kind: _sgd_variant(case, kind),
        problems=_dict_problems("params"))
    return _run_checks(ex, sgd_step)


def _reference_sgd_step(params, grads, learning_rate):
    """The answer to the exercise sgd_step, Eq. (7.2), as rnn_core.train steps."""
    return {name: params[name] - learning_rate * grads[name] for name in params}


# --------------------------------------------------------------------------------------
# The student's functions in later cells and lessons
# --------------------------------------------------------------------------------------

# function name -> (its check, the lesson's notebook, rnn_core's version, what that is called)
EXERCISES = {
    "rnn_step_forward": (check_step_forward, "01_forward_pass.ipynb", _reference_step_forward,
                         "rnn_core.forward"),
    "mse_loss": (check_mse_loss, "03_bptt_recursion.ipynb", rnn_core.mse_loss,
                 "rnn_core.mse_loss"),
    "rnn_step_backward": (check_step_backward, "04_bptt_shared_weights.ipynb",
                          _reference_step_backward, "rnn_core.backward"),
    "bptt": (check_bptt, "04_bptt_shared_weights.ipynb", _reference_bptt, "rnn_core.backward"),
    "numerical_gradient": (check_numerical_gradient, "05_gradient_checking.ipynb",
                           rnn_core.numerical_gradient, "rnn_core.numerical_gradient"),
    "sgd_step": (check_sgd_step, "07_training.ipynb", _reference_sgd_step,
                 "rnn_core.train's step"),
    "clip_grads": (check_clip_grads, "09_clipping.ipynb", rnn_core.clip_grads,
                   "rnn_core.clip_grads"),
}


def load_function(path, name):
    """Read the function `name` from a saved notebook: (function, None) or (None, reason).

    The last code cell that defines `name` at its top level is taken; its imports and its
    function and class definitions are run (other statements, e.g. a test call, are left
    out) in a fresh namespace that has `np` (numpy). reason is a short text: "no notebook",
    "unreadable notebook", "not defined", "syntax error (line N)" or "error while defining
    it (...)".
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path; got {type(path).__name__}")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be the name of a function (an identifier); got {name!r}")
    path = Path(path)
    if not path.is_file():
        return None, "no notebook"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, "unreadable notebook"
    chosen, broken = None, None
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            if f"def {name}(" in source:
                broken = f"syntax error (line {error.lineno} of its cell)"
            continue
        if any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body):
            chosen, broken = (index, source, tree), None
    if chosen is None:
        return None, broken or "not defined"
    index, source, tree = chosen
    keep = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef,
                                 ast.AsyncFunctionDef, ast.ClassDef))]
    filename = f"{path.name}, cell {index}"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)   # for error messages
    namespace = {"np": np, "__name__": f"student_{name}"}
    try:
        code = compile(ast.Module(body=keep, type_ignores=[]), filename, "exec")
        with _NumpyState():
            _with_time_limit(lambda: exec(code, namespace), TIME_LIMIT)
    except BaseException as error:                  # noqa: BLE001, the student's code
        return None, f"error while defining it ({_exception_text(error)})"
    fn = namespace.get(name)
    if not callable(fn):
        return None, "not defined"
    return fn, None


def yours(name, namespace=None, folder="."):
    """The student's function `name` if its check passes, else rnn_core's; prints which.

    name: an exercise's function name, a key of EXERCISES ("bptt", "sgd_step", ...).
    namespace: the notebook's globals() (a dict): the function defined there is taken;
    if there is none (a later lesson, in a fresh kernel), it is read from the saved
    notebook of the lesson that has the exercise, in `folder` (the notebook's folder).
    Returns a function with the exercise's signature.
    """
    if not isinstance(name, str) or name not in EXERCISES:
        raise ValueError(f"name must be one of {sorted(EXERCISES)}; got {name!r}")
    if namespace is not None and not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict such as globals(); got "
                        f"{type(namespace).__name__}")
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a str or a path; got {type(folder).__name__}")
    check, notebook, reference, reference_name = EXERCISES[name]
    fallback = f"Using {reference_name} for {name}"
    candidate = (namespace or {}).get(name)
    where = ""
    if not callable(candidate):
        candidate, reason = load_function(Path(folder) / notebook, name)
        where = f" from {notebook}"
        if candidate is None:
            words = {"no notebook": f"{notebook} is not in this folder",
                     "not defined": f"{notebook} does not define it"}.get(
                         reason, f"{notebook}: {reason}")
            print(f"{fallback}: {words}.")
            return reference
    result = check(candidate)
    if result.passed:
        print(f"Using your {name}{where} (its check passes).")
        return candidate
    state = ("is not implemented yet" if result.status == "not implemented"
             else f"does not pass its check yet ({result.summary})")
    print(f"{fallback}: yours{where} {state}.")
    return reference
