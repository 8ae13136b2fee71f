"""Checks for the exercises of the course: run a student's function, say exactly what is wrong.

Each ``check_*`` function takes the student's function, runs it on a few random cases and
compares the answer with ``rnn_core`` (the reference). It returns a ``CheckResult`` with
``.passed`` (bool) and ``.message`` (str), shown in Jupyter as a green, amber or red box.
A check never raises because of the student's function: an unfinished function
(``raise NotImplementedError``), a crash, a wrong shape or a wrong value each give a message.

When a wrong answer is exactly what a known mistake produces (the seed's three bugs, a missing
tanh' factor, W_hh instead of W_hh^T, ...), the message names the mistake and the equation.
The checker finds it by running its own implementation of that mistake on the same case and
comparing, not by guessing.

The cases use sizes that are pairwise distinct (D, H, O, T, B all different), a nonzero h_0,
nonzero biases, O > 1, T >= 3 and B > 1, so that a transpose, a sum over the wrong axis, the
h_0 term or a batch of one cannot hide a bug.

The exercises and their signatures (D inputs, H hidden units, O outputs, T steps, B sequences):

    rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t                        Eqs. (1.1)-(1.2)
        x_t (D, B), h_prev (H, B), Wxh (H, D), Whh (H, H), bh (H, 1); h_t (H, B)
    rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh)
            -> (dx_t, dh_prev, dWxh, dWhh, dbh)                               Eqs. (3.4)-(4.3)
        dh_t = dL/dh_t (H, B), the total derivative; dx_t (D, B), dh_prev (H, B);
        this step's dWxh (H, D), dWhh (H, H), dbh (H, 1)
    mse_loss(y, target) -> (loss, dy)                                         Eqs. (1.4)-(3.1)
        y, target (O,) or (B, O); loss a float; dy = dL/dy, the shape of y
    bptt(params, xs, hs, dy) -> grads                                         Eqs. (3.2)-(4.3)
        one sequence: xs (T, D), hs (T + 1, H) with hs[0] = h_0, dy = dL/dy (O,);
        grads: dict with the keys and shapes of params (as rnn_core.backward, without dhs)
    numerical_gradient(f, x, eps) -> grad          centered differences (notebook 05)
        f: array shaped like x -> float; x any shape; grad shaped like x
    clip_grads(grads, max_norm) -> clipped grads                              Eq. (9.2)
        grads: dict of arrays; returns a new dict, global L2 norm at most max_norm
    sgd_step(params, grads, learning_rate) -> new params                      Eq. (7.2)
        returns a new dict; params itself is not changed
"""

import html
import math
import os
import traceback
from dataclasses import dataclass, field

import numpy as np

import rnn_core

__all__ = ["CheckResult", "check_step_forward", "check_step_backward", "check_mse_loss",
           "check_bptt", "check_numerical_gradient", "check_clip_grads", "check_sgd_step"]

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
    """What a check returns: ``passed`` (bool), ``status`` and a readable ``message``.

    status: "passed", "not implemented" or "failed".
    """
    exercise: str
    status: str
    message: str

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
# The machinery shared by every check
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


@dataclass(eq=False)                    # hashed by identity: a key in _value_report
class _Mistake:
    """A known mistake: what it is, where the right equation is, and how to compute it."""
    description: str
    equation: str                      # "3.4", "4.1-4.3", or a pointer in words
    compute: object                    # case -> dict of outputs, the mistake's answer
    flags: dict = None                 # the variant's keyword arguments, to combine mistakes


def _known(description, equation, variant, **flags):
    """A _Mistake computed by variant(case, **flags), the exercise's configurable version."""
    return _Mistake(description, equation, lambda case: variant(case, **flags), flags)


class _StudentCrashed(Exception):
    pass


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


def _one_line(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _student_line(error):
    """'line 4 of rnn_step_forward: h = Whh @ h_prev.T' for the deepest frame outside
    NumPy and this module, or ''."""
    skip = (os.path.dirname(np.__file__), os.path.abspath(__file__))
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(frame.filename).startswith(skip)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"\n  at line {frame.lineno} of {frame.name}{code}"


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


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _array_problem(name, value, expected_shape, sizes):
    """A sentence on what is wrong with an output's type, dtype, shape or finiteness, or None."""
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)):
            return (f"{name} is a {type(value).__name__}; return a NumPy array of shape "
                    f"{_symbolic(expected_shape, sizes)}")
        return (f"{name} is {type(value).__name__} {value!r:.60}; expected a NumPy array of "
                f"shape {_symbolic(expected_shape, sizes)}")
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
    if value.dtype != np.float64:
        return (f"{name} has dtype {value.dtype}; expected float64 (gradients are checked in "
                "float64: do not convert to float32)")
    if not np.all(np.isfinite(value)):
        return f"{name} contains NaN or inf"
    return None


def _not_implemented(exercise, function_name):
    return CheckResult(exercise, "not implemented",
                       f"{function_name} still raises NotImplementedError.\n"
                       f"Replace the line `raise NotImplementedError(...)` in the cell that "
                       f"defines {function_name} with your code (between "
                       f"### BEGIN SOLUTION and ### END SOLUTION), run that cell, then run "
                       f"this check again.")


def _run_checks(exercise, function_name, fn, cases, call, unpack, reference, shapes, mistakes,
                hints=None, about="pairwise-distinct sizes", variant=None):
    """Run fn on every case and return the CheckResult of the first case that goes wrong.

    call(fn, case) -> raw output; unpack(raw, case) -> dict of outputs or a message string;
    reference(case) -> dict of right outputs; shapes: output name -> symbolic shape;
    mistakes: list of _Mistake; hints(name, got, case) -> extra sentence for a wrong shape.
    about: what the cases cover, for the message of a pass. variant(case, **flags): the
    exercise's function that computes any combination of the mistakes that have flags.
    """
    if not callable(fn):
        return CheckResult(exercise, "failed", f"pass the function itself, e.g. "
                           f"{exercise}({function_name}); got {type(fn).__name__} {fn!r:.60}")
    for case in cases:
        pristine = _copy(case.inputs)
        given = _copy(case.inputs)
        try:
            raw = call(fn, given, case)
        except NotImplementedError:
            return _not_implemented(exercise, function_name)
        except _StudentCrashed as crash:                # raised by a callback the student ran
            return CheckResult(exercise, "failed", f"{crash}\nin {case.describe()}")
        except Exception as error:                      # noqa: BLE001, the student's code
            return CheckResult(exercise, "failed",
                               f"{function_name} crashed in {case.describe()}:\n  "
                               f"{_one_line(error)}{_student_line(error)}")
        changed = [name for name in pristine if _changed(pristine[name], given[name])]
        outputs = unpack(raw, case)
        if isinstance(outputs, str):
            return CheckResult(exercise, "failed", f"{outputs}\nin {case.describe()}")
        problems = []
        for name, symbolic in shapes(case).items():
            expected = _resolve(symbolic, case.sizes)
            problem = _array_problem(name, outputs[name], expected, case.sizes)
            if problem and hints and isinstance(outputs[name], np.ndarray):
                problem += hints(name, outputs[name], case)
            if problem:
                problems.append(problem)
        if problems:
            return CheckResult(exercise, "failed",
                               "\n".join(problems) + f"\nin {case.describe()}")
        right = reference(case)
        wrong = [name for name in right if not _close(outputs[name], right[name])]
        if not wrong and not changed:
            continue
        lines = []
        if wrong:
            lines += _value_report(outputs, right, wrong, case, mistakes, variant)
        for name in changed:
            lines.append(f"{function_name} changed its input {name} in place. Leave the "
                         "caller's arrays alone: compute new arrays (x = x + ..., or .copy() "
                         "first) instead of writing into them (x += ..., x[i] = ...).")
        return CheckResult(exercise, "failed", "\n".join(lines))
    return CheckResult(exercise, "passed",
                       f"All {len(cases)} cases match rnn_core ({about}). Well done.")


def _value_report(outputs, right, wrong, case, mistakes, variant=None):
    """Lines saying which outputs are wrong, by how much, and which known mistake (or pair of
    known mistakes) gives exactly the student's answer for them."""
    lines = [f"Wrong values in {case.describe()}:"]
    for name in wrong:
        got, want = outputs[name], right[name]
        if not np.any(got) and np.any(want):
            lines.append(f"  {name} is all zeros (did it ever get a value after np.zeros?)")
            continue
        diff = np.abs(got - want)
        where = np.unravel_index(np.argmax(diff), diff.shape)
        relative = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)
        entry = f" at entry [{', '.join(str(int(i)) for i in where)}]" if where else ""
        lines.append(f"  {name} is wrong: relative error {relative:.2g} "
                     f"(largest difference {diff[where]:.3g}{entry})")
    correct = [name for name in right if name not in wrong]
    if correct:
        lines.append(f"  correct: {', '.join(correct)}")

    def matches(answer):
        return [name for name in wrong if name in answer and _close(outputs[name], answer[name])
                and not _close(answer[name], right[name])]

    explained = {}                      # tuple of mistakes -> the outputs they explain
    for mistake in mistakes:
        names = matches(mistake.compute(case))
        if names:
            explained[(mistake,)] = names
    unexplained = [n for n in wrong if not any(n in names for names in explained.values())]
    if unexplained and variant is not None:             # two known mistakes at once
        flagged = [m for m in mistakes if m.flags]
        for i, first in enumerate(flagged):
            for second in flagged[i + 1:]:
                if first.flags.keys() & second.flags.keys():
                    continue
                names = [n for n in matches(variant(case, **first.flags, **second.flags))
                         if n in unexplained]
                if names:
                    explained[(first, second)] = names
    for found, names in explained.items():
        if len(found) == 1:
            lines.append(f"Known mistake in {', '.join(names)}: {found[0].description}. "
                         f"See {_eq(found[0].equation)}.")
        else:
            lines.append(f"Two known mistakes together in {', '.join(names)}: "
                         + "; and ".join(f"{m.description} ({_eq(m.equation)})" for m in found)
                         + ".")
    unexplained = [n for n in wrong if not any(n in names for names in explained.values())]
    if explained and unexplained:
        lines.append(f"  ({', '.join(unexplained)}: no known mistake explains it; "
                     "compare the code with its equation line by line.)")
    if not explained:
        lines.append("This matches none of the known mistakes: compare each line with its "
                     "equation, and check the index of every h (hs[t] is h_t, hs[0] is h_0).")
    return lines


def _never_raises(check):
    """Turn an unexpected error inside the checker itself into a failed result."""
    def guarded(fn):
        try:
            return check(fn)
        except Exception as error:                      # noqa: BLE001
            return CheckResult(check.__name__, "failed",
                               f"the check could not read your function's answer: "
                               f"{_one_line(error)}{_student_line(error)}")
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


def _step_forward_variant(case, *, tanh=True, bias=True, Whh_transposed=False, use_h=True,
                          bias_outside=False):
    """One step computed right (the defaults) or with one known mistake."""
    i = case.inputs
    Whh = i["Whh"].T if Whh_transposed else i["Whh"]
    a_t = i["Wxh"] @ i["x_t"] + (Whh @ i["h_prev"] if use_h else 0.0)
    if bias and not bias_outside:
        a_t = a_t + i["bh"]
    h_t = np.tanh(a_t) if tanh else a_t
    if bias_outside:
        h_t = h_t + i["bh"]
    return {"h_t": h_t}


_STEP_FORWARD_MISTAKES = [
    _known("tanh is missing: h_t = tanh(a_t), not a_t", "1.2",
             _step_forward_variant, tanh=False),
    _known("the bias b_h is missing from a_t", "1.1",
             _step_forward_variant, bias=False),
    _known("b_h is added after the tanh; it belongs inside, in a_t", "1.1",
             _step_forward_variant, bias_outside=True),
    _known("W_hh^T h_{t-1} instead of W_hh h_{t-1} (transposed weights)", "1.1",
             _step_forward_variant, Whh_transposed=True),
    _known("the term W_hh h_{t-1} is missing, so the RNN forgets the past (this is only "
             "right when h_{t-1} = 0)", "1.1", _step_forward_variant, use_h=False),
]


@_never_raises
def check_step_forward(rnn_step_forward):
    """Check rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t (H, B), Eqs. (1.1)-(1.2).

    x_t (D, B), h_prev (H, B), Wxh (H, D), Whh (H, H), bh (H, 1). Returns a CheckResult.
    """
    def reference(case):
        return {"h_t": case.extra["h_t"]}               # from rnn_core.forward

    def call(fn, given, case):
        return fn(given["x_t"], given["h_prev"], given["Wxh"], given["Whh"], given["bh"])

    def unpack(raw, case):
        if isinstance(raw, tuple):
            return (f"rnn_step_forward returned a tuple of {len(raw)} items; return only h_t, "
                    f"an array of shape {_symbolic(_resolve(('H', 'B'), case.sizes), case.sizes)}")
        return {"h_t": raw}

    cases = _step_cases(seed=10)
    for case in cases:                  # the student gets the step's inputs; h_t is the answer
        case.extra["h_t"] = case.inputs["h_t"]
        case.inputs = {k: case.inputs[k] for k in ("x_t", "h_prev", "Wxh", "Whh", "bh")}
    return _run_checks("check_step_forward", "rnn_step_forward", rnn_step_forward, cases, call,
                       unpack, reference, lambda c: {"h_t": ("H", "B")},
                       _STEP_FORWARD_MISTAKES, about="pairwise-distinct sizes, B > 1, "
                       "nonzero h_{t-1} and b_h", variant=_step_forward_variant)


# --------------------------------------------------------------------------------------
# rnn_step_backward: Eqs. (3.4)-(4.3) for one step
# --------------------------------------------------------------------------------------

_STEP_BACKWARD_OUTPUTS = ("dx_t", "dh_prev", "dWxh", "dWhh", "dbh")


def _step_backward_reference(case):
    """The right answer: rnn_core.backward on a one-step RNN whose output is h_1 itself
    (W_hy = I, b_y = 0, O = H), so that dL/dy = dL/dh_1 = dh_t."""
    i, H = case.inputs, case.sizes["H"]
    params = dict(case.extra["params"], Why=np.eye(H), by=np.zeros((H, 1)))
    hs = np.stack([i["h_prev"].T, i["h_t"].T], axis=1)          # (B, 2, H)
    grads, dhs = rnn_core.backward(params, i["x_t"].T[:, None, :], hs, i["dh_t"].T)
    # dL/dx_t is not in rnn_core (inputs are not trained): the twin of Eq. (3.5) through W_xh.
    delta = i["dh_t"] * (1.0 - i["h_t"] ** 2)
    return {"dx_t": i["Wxh"].T @ delta, "dh_prev": dhs[:, 0, :].T, "dWxh": grads["Wxh"],
            "dWhh": grads["Whh"], "dbh": grads["bh"]}


def _step_backward_variant(case, *, tanh_prime="h_t", recursion_transposed=True,
                           dWhh_state="h_prev", batch="sum"):
    """One backward step computed right (the defaults) or with one known mistake.

    tanh_prime: "h_t" (right), "none", "h_prev" or "tanh_of_h_t" (1 - tanh(h_t)^2).
    batch: "sum" (right), "first" (only sequence 0) or "mean" (divided by B).
    """
    i = case.inputs
    h_t, h_prev, x_t, dh_t = i["h_t"], i["h_prev"], i["x_t"], i["dh_t"]
    factor = {"h_t": 1.0 - h_t ** 2, "none": 1.0, "h_prev": 1.0 - h_prev ** 2,
              "tanh_of_h_t": 1.0 - np.tanh(h_t) ** 2}[tanh_prime]
    delta = dh_t * factor
    Whh = i["Whh"].T if recursion_transposed else i["Whh"]
    state = h_prev if dWhh_state == "h_prev" else h_t
    cols = slice(0, 1) if batch == "first" else slice(None)
    scale = 1.0 / delta.shape[1] if batch == "mean" else 1.0
    return {"dx_t": i["Wxh"].T @ delta, "dh_prev": Whh @ delta,
            "dWxh": scale * delta[:, cols] @ x_t[:, cols].T,
            "dWhh": scale * delta[:, cols] @ state[:, cols].T,
            "dbh": scale * delta[:, cols].sum(axis=1, keepdims=True)}


_STEP_BACKWARD_MISTAKES = [
    _known("the tanh' factor is missing: delta_t = dL/dh_t * (1 - h_t^2)", "3.4",
             _step_backward_variant, tanh_prime="none"),
    _known("tanh' is taken at h_{t-1} instead of h_t: delta_t = dL/dh_t * (1 - h_t^2)",
             "3.4", _step_backward_variant, tanh_prime="h_prev"),
    _known("tanh' is written 1 - tanh(h_t)^2, but h_t is already tanh(a_t): use 1 - h_t^2",
             "3.4", _step_backward_variant, tanh_prime="tanh_of_h_t"),
    _known("W_hh instead of W_hh^T in the recursion dL/dh_{t-1} = W_hh^T delta_t", "3.5",
             _step_backward_variant, recursion_transposed=False),
    _known("dWhh uses h_t instead of h_{t-1}: the step's term is delta_t h_{t-1}^T", "4.2",
             _step_backward_variant, dWhh_state="h_t"),
    _known("the weight gradients are not summed over the batch: only the first sequence "
             "is used (right only when B = 1)", "4.1-4.3",
             _step_backward_variant, batch="first"),
    _known("the weight gradients are averaged over the batch instead of summed; the 1/n "
             "is already in dL/dy (Eq. (3.1))", "4.1-4.3",
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
    def call(fn, given, case):
        return fn(given["dh_t"], given["x_t"], given["h_prev"], given["h_t"], given["Wxh"],
                  given["Whh"])

    def unpack(raw, case):
        if not isinstance(raw, (tuple, list)) or len(raw) != 5:
            what = (f"a {type(raw).__name__} of {len(raw)} items"
                    if isinstance(raw, (tuple, list)) else type(raw).__name__)
            return ("rnn_step_backward must return 5 arrays, "
                    f"(dx_t, dh_prev, dWxh, dWhh, dbh); it returned {what}")
        return dict(zip(_STEP_BACKWARD_OUTPUTS, raw))

    cases = _step_cases(seed=20)
    for case in cases:
        case.inputs = {k: case.inputs[k] for k in ("dh_t", "x_t", "h_prev", "h_t", "Wxh", "Whh")}
    shapes = {"dx_t": ("D", "B"), "dh_prev": ("H", "B"), "dWxh": ("H", "D"), "dWhh": ("H", "H"),
              "dbh": ("H", 1)}
    return _run_checks("check_step_backward", "rnn_step_backward", rnn_step_backward, cases,
                       call, unpack, _step_backward_reference, lambda c: shapes,
                       _STEP_BACKWARD_MISTAKES, _step_backward_hints,
                       about="pairwise-distinct sizes, B > 1, nonzero h_{t-1}",
                       variant=_step_backward_variant)


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
                           {"y": rng.standard_normal(shape), "target": rng.standard_normal(shape)}))
    return cases


def _mse_variant(case, *, dy="right", loss="mean"):
    y, target = case.inputs["y"], case.inputs["target"]
    n, O = y.size, y.shape[-1]
    diff = y - target
    dy = {"right": 2.0 / n * diff, "seed": diff, "no_mean": 2.0 * diff, "per_row": 2.0 / O * diff,
          "no_two": diff / n, "sign": 2.0 / n * -diff}[dy]
    value = {"mean": np.sum(diff ** 2) / n, "sum": np.sum(diff ** 2),
             "per_row": np.sum(diff ** 2) / O, "rmse": math.sqrt(np.sum(diff ** 2) / n)}[loss]
    return {"loss": np.array(value), "dy": dy}


_MSE_MISTAKES = [
    _known("dy = y - target without the factor 2/n: the gradient of another loss than the "
             "one printed (the seed's bug 2)", "3.1", _mse_variant, dy="seed"),
    _known("dy = 2 (y - target) is the gradient of the sum of squares; the loss is the "
             "mean, so divide by n", "3.1", _mse_variant, dy="no_mean"),
    _known("divided by O only; n = O * B counts every element of the batch", "3.1",
             _mse_variant, dy="per_row", loss="per_row"),
    _known("the factor 2 of d(u^2)/du = 2u is missing", "3.1",
             _mse_variant, dy="no_two"),
    _known("the sign is flipped: dL/dy = (2/n)(y - target), not (target - y)", "3.1",
             _mse_variant, dy="sign"),
    _known("the loss is the sum of squares; Eq. (1.4) is their mean", "1.4",
             _mse_variant, loss="sum"),
    _known("the loss has a square root (that is the RMSE); Eq. (1.4) has none", "1.4",
             _mse_variant, loss="rmse"),
]


@_never_raises
def check_mse_loss(mse_loss):
    """Check mse_loss(y, target) -> (loss, dy), Eqs. (1.4)-(3.1).

    y, target (O,) or (B, O); loss a float, the mean over all n elements; dy = dL/dy, the
    shape of y. Returns a CheckResult.
    """
    def call(fn, given, case):
        return fn(given["y"], given["target"])

    def unpack(raw, case):
        if not isinstance(raw, (tuple, list)) or len(raw) != 2:
            return f"mse_loss must return two things, (loss, dy); it returned {type(raw).__name__}"
        loss, dy = raw
        if isinstance(loss, np.ndarray) and loss.size == 1:
            loss = loss.reshape(())
        elif isinstance(loss, (float, int, np.floating, np.integer)) and not isinstance(
                loss, bool):
            loss = np.array(float(loss))
        else:
            return (f"the loss must be one number (a float); it is {type(loss).__name__} "
                    f"of shape {_shape_of(loss)}. Use np.sum or np.mean over every element.")
        return {"loss": loss, "dy": dy}

    def shapes(case):
        return {"loss": (), "dy": tuple(case.inputs["y"].shape)}

    return _run_checks("check_mse_loss", "mse_loss", mse_loss, _mse_cases(seed=30), call,
                       unpack, _mse_reference, shapes, _MSE_MISTAKES,
                       about="one sequence and two batches", variant=_mse_variant)


def _mse_reference(case):
    loss, dy = rnn_core.mse_loss(case.inputs["y"], case.inputs["target"])
    return {"loss": np.array(loss), "dy": dy}


# --------------------------------------------------------------------------------------
# bptt: Eqs. (3.2)-(4.3) for one sequence
# --------------------------------------------------------------------------------------

# (D, H, O, T), pairwise distinct, O > 1, T >= 3.
_BPTT_SIZES = [(2, 5, 3, 4), (3, 4, 2, 6), (4, 3, 5, 7)]


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
                  recursion_transposed=True, carry="yes", accumulate=True, dWhh_state="h_prev"):
    """BPTT for one sequence computed right (the defaults) or with one known mistake.

    direct_every_step: add W_hy^T dL/dy at every step (the seed's bug 1).
    skip_h0: leave out delta_1 h_0^T from dWhh (the seed's bug 3).
    carry: "yes" (right), "stop" (dL/dh_{t-1} = 0: only step T contributes) or "reuse"
        (dL/dh_{t-1} never updated: every step uses dL/dh_T).
    accumulate: False assigns each step's term (=) instead of adding it (+=).
    """
    p, xs, hs, dy = case.inputs["params"], case.inputs["xs"], case.inputs["hs"], case.inputs["dy"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(p[name]) for name in ("Wxh", "Whh", "bh")}
    dh_T = p["Why"].T @ dy                                          # Eq. (3.3)
    dh_next = np.zeros_like(dh_T)
    for t in range(T, 0, -1):
        fresh = t == T or direct_every_step or carry == "reuse"
        dh = dh_next + (dh_T if fresh else 0.0)
        factor = {"h_t": 1.0 - hs[t] ** 2, "none": 1.0, "h_prev": 1.0 - hs[t - 1] ** 2}[tanh_prime]
        delta = dh * factor                                         # Eq. (3.4)
        state = hs[t - 1] if dWhh_state == "h_prev" else hs[t]
        terms = {"Wxh": np.outer(delta, xs[t - 1]),                 # Eq. (4.1)
                 "Whh": np.outer(delta, state) * (0.0 if (skip_h0 and t == 1) else 1.0),
                 "bh": delta[:, None]}                              # Eq. (4.3)
        for name, term in terms.items():
            grads[name] = grads[name] + term if accumulate else term
        Whh = p["Whh"].T if recursion_transposed else p["Whh"]
        dh_next = Whh @ delta if carry == "yes" else np.zeros_like(delta)   # Eq. (3.5)
    grads["Why"] = np.outer(dy, hs[T])                              # Eq. (3.2)
    grads["by"] = dy[:, None]
    return grads


_BPTT_MISTAKES = [
    _known("the output gradient W_hy^T dL/dy is added at every step, as if every h_t had "
             "an output (the seed's bug 1); in the many-to-one RNN only h_T has one: "
             "dL/dh_T = W_hy^T dL/dy (Eq. (3.3)), and dL/dh_{t-1} = W_hh^T delta_t", "3.5",
             _bptt_variant, direct_every_step=True),
    _known("dWhh leaves out its first term delta_1 h_0^T (the seed's bug 3; the sum runs "
             "from t = 1 and uses hs[0] = h_0)", "4.2",
             _bptt_variant, skip_h0=True),
    _known("the tanh' factor is missing: delta_t = dL/dh_t * (1 - h_t^2)", "3.4",
             _bptt_variant, tanh_prime="none"),
    _known("tanh' is taken at h_{t-1} instead of h_t (an index off by one: hs[t] is h_t)",
             "3.4", _bptt_variant, tanh_prime="h_prev"),
    _known("W_hh instead of W_hh^T in the recursion dL/dh_{t-1} = W_hh^T delta_t", "3.5",
             _bptt_variant, recursion_transposed=False),
    _known("dL/dh_{t-1} is not carried back: every step reuses dL/dh_T instead of "
           "dL/dh_{t-1} = W_hh^T delta_t", "3.5", _bptt_variant, carry="reuse"),
    _known("only step T contributes: either dL/dh_{t-1} = W_hh^T delta_t is not carried "
             "to the previous step, or the sums over time keep only the last step", "3.5-4.3",
             _bptt_variant, carry="stop"),
    _known("the sums over time are assigned (=) instead of accumulated (+=): only the "
             "term of t = 1 is left", "4.1-4.3", _bptt_variant, accumulate=False),
    _known("dWhh uses h_t instead of h_{t-1} (an index off by one: hs[t - 1] is h_{t-1})",
             "4.2", _bptt_variant, dWhh_state="h_t"),
]


@_never_raises
def check_bptt(bptt):
    """Check bptt(params, xs, hs, dy) -> grads for one sequence, Eqs. (3.2)-(4.3).

    xs (T, D), hs (T + 1, H) with hs[0] = h_0, dy = dL/dy (O,). grads: dict with the keys
    and shapes of params, as rnn_core.backward(params, xs, hs, dy)[0]. Returns a CheckResult.
    """
    def call(fn, given, case):
        return fn(given["params"], given["xs"], given["hs"], given["dy"])

    def unpack(raw, case):
        if isinstance(raw, tuple):
            return ("bptt must return only the grads dict (rnn_core.backward also returns "
                    f"dhs; this exercise does not); it returned a tuple of {len(raw)} items")
        if not isinstance(raw, dict):
            return f"bptt must return a dict of gradients; it returned {type(raw).__name__}"
        missing = [name for name in rnn_core.PARAM_NAMES if name not in raw]
        if missing:
            return (f"the grads dict has no key(s) {missing}; it needs the keys of params, "
                    f"{list(rnn_core.PARAM_NAMES)}")
        return {name: raw[name] for name in rnn_core.PARAM_NAMES}

    def reference(case):
        i = case.inputs
        return rnn_core.backward(i["params"], i["xs"], i["hs"], i["dy"])[0]

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    return _run_checks("check_bptt", "bptt", bptt, _bptt_cases(seed=40), call, unpack,
                       reference, lambda c: shapes, _BPTT_MISTAKES,
                       about="pairwise-distinct sizes, O > 1, T >= 3, nonzero h_0",
                       variant=_bptt_variant)


# --------------------------------------------------------------------------------------
# numerical_gradient: centered differences (notebook 05)
# --------------------------------------------------------------------------------------

def _numgrad_cases(seed):
    """Three functions with known gradients: a 2-D x (not square), a 1-D x, and the RNN
    loss as a function of W_hh. The cubic case uses eps = 1e-2, where eps matters."""
    rng = _rng(seed)
    cases = []
    c1 = rng.standard_normal((3, 4))
    cases.append(({"rows": 3, "cols": 4}, "sum(c * sin(x)), x (3, 4)",
                  lambda x: float(np.sum(c1 * np.sin(x))), rng.standard_normal((3, 4)), 1e-5))
    c2 = rng.standard_normal(5)
    cases.append(({"n": 5}, "sum(c * x**3), x (5,), eps = 0.01",
                  lambda x: float(np.sum(c2 * x ** 3)), rng.standard_normal(5), 1e-2))
    params = _params(rng, 2, 4, 3)
    xs, target, h0 = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 3)), None
    h0 = np.tanh(rng.standard_normal((4, 2)))
    cases.append(({"H": 4}, "the RNN loss as a function of Whh (4, 4)",
                  lambda W: rnn_core.loss_and_grads(dict(params, Whh=W), xs, target, h0)[0],
                  params["Whh"].copy(), 1e-5))
    out = []
    for number, (sizes, label, f, x, eps) in enumerate(cases, start=1):
        out.append(_Case(number, len(cases), sizes, {"x": x},
                         {"f": f, "label": label, "eps": eps}))
    return out


def _numgrad_variant(f, x, eps, kind="centered"):
    """The gradient of f at x by finite differences, right ("centered") or with a mistake:
    "forward" differences, "no_half" (divided by eps, not 2 eps), "not_restored" (the entry
    is left at x_i - eps), "fixed_eps" (eps ignored, 1e-5 used)."""
    x = np.array(x, dtype=np.float64)
    eps = 1e-5 if kind == "fixed_eps" else eps
    grad = np.empty_like(x)
    f_x = f(x.copy())
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        if kind == "forward":
            grad[i] = (f_plus - f_x) / eps
            x[i] = old
            continue
        x[i] = old - eps
        f_minus = f(x)
        if kind != "not_restored":
            x[i] = old
        grad[i] = (f_plus - f_minus) / (eps if kind == "no_half" else 2.0 * eps)
    return grad


def _numgrad_mistake(kind):
    return lambda case: {"grad": _numgrad_variant(case.extra["f"], case.inputs["x"],
                                                  case.extra["eps"], kind)}


_NUMGRAD_MISTAKES = [
    _Mistake("forward differences (f(x + eps) - f(x)) / eps, whose error is O(eps); centered "
             "differences (f(x + eps) - f(x - eps)) / (2 eps) have error O(eps^2)",
             FINITE_DIFFERENCES, _numgrad_mistake("forward")),
    _Mistake("divided by eps instead of 2 eps: the two points are 2 eps apart",
             FINITE_DIFFERENCES, _numgrad_mistake("no_half")),
    _Mistake("x[i] is not put back after the nudge, so later entries are measured at a "
             "moved point: restore x[i] = old", FINITE_DIFFERENCES,
             _numgrad_mistake("not_restored")),
    _Mistake("eps is ignored (a fixed step is used); use the eps argument",
             FINITE_DIFFERENCES, _numgrad_mistake("fixed_eps")),
]


@_never_raises
def check_numerical_gradient(numerical_gradient):
    """Check numerical_gradient(f, x, eps) -> grad by centered differences (notebook 05).

    f: callable taking an array shaped like x and returning a float; x: float array of any
    shape; grad shaped like x. Compared with rnn_core.numerical_gradient. Returns a CheckResult.
    """
    def call(fn, given, case):
        shape, f = case.inputs["x"].shape, case.extra["f"]

        def f_checked(x):
            # A clear message when f gets something other than an array shaped like x.
            if np.shape(x) != shape:
                raise _StudentCrashed(f"numerical_gradient called f with shape "
                                      f"{_shape_of(np.asarray(x))}; f takes an array shaped "
                                      f"like x, {_fmt_shape(shape)} (nudge one entry of a copy "
                                      "of x, not a flattened view)")
            return f(np.array(x, dtype=np.float64))
        return fn(f_checked, given["x"], case.extra["eps"])

    def unpack(raw, case):
        return {"grad": raw}

    def reference(case):
        return {"grad": rnn_core.numerical_gradient(case.extra["f"], case.inputs["x"],
                                                    case.extra["eps"])}

    cases = _numgrad_cases(seed=50)
    for case in cases:
        case.sizes = dict(case.sizes)
    return _run_checks("check_numerical_gradient", "numerical_gradient", numerical_gradient,
                       cases, call, unpack, reference,
                       lambda c: {"grad": tuple(c.inputs["x"].shape)}, _NUMGRAD_MISTAKES,
                       about="a 2-D x, a 1-D x with eps = 0.01, and the RNN loss")


# --------------------------------------------------------------------------------------
# clip_grads: Eq. (9.2)
# --------------------------------------------------------------------------------------

def _grads_like(rng, D, H, O, scale):
    return {name: scale * rng.standard_normal(value.shape)
            for name, value in rnn_core.init_params(D, H, O).items()}


def _clip_cases(seed):
    """Global norm above max_norm; below it (unchanged); and above it while every single
    array's norm is below max_norm (per-array clipping would change nothing)."""
    rng = _rng(seed)
    specs = [((2, 5, 3), 1.0, 0.5), ((3, 4, 2), 50.0, 0.5), ((4, 6, 3), 2.0, 0.35)]
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
    if kind == "per_array":
        return {k: g * min(1.0, c / np.linalg.norm(g)) for k, g in grads.items()}
    if kind == "by_value":
        return {k: np.clip(g, -c, c) for k, g in grads.items()}
    norm = {"always": rnn_core.global_norm(grads), "inverted": rnn_core.global_norm(grads),
            "sum_of_norms": sum(np.linalg.norm(g) for g in grads.values()),
            "no_sqrt": sum(float(np.sum(g ** 2)) for g in grads.values())}[kind]
    if kind == "always":
        return {k: g * (c / norm) for k, g in grads.items()}
    if kind == "inverted":
        return {k: g * (norm / c) if norm > c else g for k, g in grads.items()}
    return {k: g * (c / norm) if norm > c else g for k, g in grads.items()}


_CLIP_MISTAKES = [
    _known("each array is clipped on its own; the norm in Eq. (9.2) is global, over all "
             "parameters together", "9.2", _clip_variant, kind="per_array"),
    _known("every entry is clipped to [-max_norm, max_norm] (np.clip); Eq. (9.2) rescales "
             "the whole gradient and keeps its direction", "9.2",
             _clip_variant, kind="by_value"),
    _known("the gradient is rescaled even when its norm is below max_norm (that scales "
             "small gradients up); the factor is min(1, max_norm / norm)", "9.2",
             _clip_variant, kind="always"),
    _known("the factor is upside down: norm / max_norm instead of max_norm / norm", "9.2",
             _clip_variant, kind="inverted"),
    _known("the global norm is the sum of the arrays' norms; it is the square root of the "
             "sum of every squared entry", "9.2", _clip_variant, kind="sum_of_norms"),
    _known("the square root is missing from the global norm", "9.2",
             _clip_variant, kind="no_sqrt"),
]


@_never_raises
def check_clip_grads(clip_grads):
    """Check clip_grads(grads, max_norm) -> new dict, global-norm clipping, Eq. (9.2).

    grads: dict of arrays (not to be modified); max_norm: a positive float. Compared with
    rnn_core.clip_grads. Returns a CheckResult.
    """
    def call(fn, given, case):
        return fn(given["grads"], case.extra["max_norm"])

    def unpack(raw, case):
        if not isinstance(raw, dict):
            return f"clip_grads must return a dict like grads; it returned {type(raw).__name__}"
        missing = [k for k in case.inputs["grads"] if k not in raw]
        if missing:
            return f"the returned dict has no key(s) {missing}; keep every key of grads"
        return {k: raw[k] for k in case.inputs["grads"]}

    def reference(case):
        return rnn_core.clip_grads(case.inputs["grads"], case.extra["max_norm"])

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    return _run_checks("check_clip_grads", "clip_grads", clip_grads, _clip_cases(seed=60), call,
                       unpack, reference, lambda c: shapes, _CLIP_MISTAKES,
                       about="a norm above max_norm, one below, and one above it with every "
                       "single array below it")


# --------------------------------------------------------------------------------------
# sgd_step: Eq. (7.2)
# --------------------------------------------------------------------------------------

def _sgd_cases(seed):
    rng = _rng(seed)
    specs = [((2, 5, 3), 0.1), ((3, 4, 2), 0.03), ((4, 6, 5), 0.5)]
    cases = []
    for number, ((D, H, O), learning_rate) in enumerate(specs, start=1):
        cases.append(_Case(number, len(specs), {"D": D, "H": H, "O": O},
                           {"params": _params(rng, D, H, O),
                            "grads": _grads_like(rng, D, H, O, 1.0)},
                           {"learning_rate": learning_rate}))
    return cases


def _sgd_variant(case, kind):
    params, grads, lr = case.inputs["params"], case.inputs["grads"], case.extra["learning_rate"]
    sign = 1.0 if kind == "plus" else -1.0
    lr = 1.0 if kind == "no_lr" else lr
    return {k: params[k] + sign * lr * grads[k] for k in params}


_SGD_MISTAKES = [
    _known("the step goes uphill: theta - eta * dL/dtheta, with a minus", "7.2",
             _sgd_variant, kind="plus"),
    _known("the learning rate is not used: the step is eta * dL/dtheta", "7.2",
             _sgd_variant, kind="no_lr"),
]


@_never_raises
def check_sgd_step(sgd_step):
    """Check sgd_step(params, grads, learning_rate) -> new params, Eq. (7.2).

    params, grads: dicts with the keys and shapes of params; learning_rate: a positive float.
    Returns a new dict and leaves params unchanged. Returns a CheckResult.
    """
    def call(fn, given, case):
        return fn(given["params"], given["grads"], case.extra["learning_rate"])

    def unpack(raw, case):
        if not isinstance(raw, dict):
            return (f"sgd_step must return the new params as a dict; it returned "
                    f"{type(raw).__name__}")
        missing = [k for k in rnn_core.PARAM_NAMES if k not in raw]
        if missing:
            return f"the returned dict has no key(s) {missing}; keep every key of params"
        return {k: raw[k] for k in rnn_core.PARAM_NAMES}

    def reference(case):
        params, grads = case.inputs["params"], case.inputs["grads"]
        # rnn_core.train's update, written out as in notebook 07 (rnn_core has no sgd_step).
        return {k: params[k] - case.extra["learning_rate"] * grads[k] for k in params}

    shapes = {"Wxh": ("H", "D"), "Whh": ("H", "H"), "Why": ("O", "H"), "bh": ("H", 1),
              "by": ("O", 1)}
    return _run_checks("check_sgd_step", "sgd_step", sgd_step, _sgd_cases(seed=70), call, unpack,
                       reference, lambda c: shapes, _SGD_MISTAKES,
                       about="three sizes and learning rates")
