"""Made-up students' answers to the seven exercises, as the source of the exercise cells, and
a helper that writes one into a notebook of the student edition. Used by
tests/test_student_edition.py and tests/test_grade.py.

OTHER_STYLE: right answers written unlike the reference solutions (einsum, explicit loops,
another summation); WRONG: classic mistakes; BROKEN: an endless loop and a syntax error.
"""

import json
from pathlib import Path

OTHER_STYLE = {
    "rnn_step_forward": '''import numpy as np


def rnn_step_forward(x_t, h_prev, Wxh, Whh, bh):
    """One step, with einsum."""
    a_t = np.einsum("hd,db->hb", Wxh, x_t) + np.einsum("hk,kb->hb", Whh, h_prev) + bh
    return np.tanh(a_t)
''',
    "mse_loss": '''def mse_loss(y, target):
    """Explicit loops over the entries."""
    flat_y, flat_t = y.ravel(), target.ravel()
    n = flat_y.size
    total = 0.0
    dy = np.zeros(n)
    for i in range(n):
        total += (flat_y[i] - flat_t[i]) ** 2
        dy[i] = 2.0 * (flat_y[i] - flat_t[i]) / n
    return total / n, dy.reshape(y.shape)
''',
    "rnn_step_backward": '''def rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    """einsum everywhere."""
    delta = dh_t * (1 - h_t) * (1 + h_t)
    return (np.einsum("hd,hb->db", Wxh, delta), np.einsum("hk,hb->kb", Whh, delta),
            np.einsum("hb,db->hd", delta, x_t), np.einsum("hb,kb->hk", delta, h_prev),
            np.einsum("hb->h", delta)[:, None])
''',
    "bptt": '''def bptt(params, xs, hs, dy):
    """0-based loop; the deltas collected, then each sum as one product."""
    Whh, Why = params["Whh"], params["Why"]
    steps = xs.shape[0]
    deltas = np.zeros((steps, Whh.shape[0]))
    dh = Why.T @ dy
    for t in reversed(range(steps)):
        deltas[t] = dh * (1 - hs[t + 1] ** 2)
        dh = Whh.T @ deltas[t]
    return {"Wxh": deltas.T @ xs, "Whh": deltas.T @ hs[:-1],
            "Why": np.einsum("o,h->oh", dy, hs[steps]),
            "bh": deltas.sum(axis=0)[:, None], "by": dy[:, None].copy()}
''',
    "numerical_gradient": '''def numerical_gradient(f, x, eps=1e-5):
    """A 4-point stencil, one copy of x per point."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        values = []
        for k in (2, 1, -1, -2):
            moved = x.astype(float)
            moved[i] += k * eps
            values.append(f(moved))
        grad[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad
''',
    "sgd_step": '''def sgd_step(params, grads, learning_rate):
    """A loop that builds a new dict."""
    new = {}
    for name, value in params.items():
        new[name] = np.subtract(value, learning_rate * grads[name])
    return new
''',
    "clip_grads": '''def clip_grads(grads, max_norm):
    """The norm of all entries at once; copies in every case."""
    flat = np.concatenate([g.ravel() for g in grads.values()])
    scale = min(1.0, max_norm / np.linalg.norm(flat))
    return {name: g * scale for name, g in grads.items()}
''',
}

WRONG = {
    "bptt": '''def bptt(params, xs, hs, dy):
    """The tanh' factor is missing."""
    Whh, Why = params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"], grads["by"] = np.outer(dy, hs[T]), dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads
''',
    "mse_loss": '''def mse_loss(y, target):
    """The seed's bug 2."""
    return float(np.mean((y - target) ** 2)), y - target
''',
    "sgd_step": '''def sgd_step(params, grads, learning_rate):
    """Uphill."""
    return {name: params[name] + learning_rate * grads[name] for name in params}
''',
}

BROKEN = {
    "numerical_gradient": '''def numerical_gradient(f, x, eps=1e-5):
    """A while loop that never ends."""
    grad = np.zeros_like(x)
    k = 0
    while k < x.size:
        grad.flat[k] = 0.0
    return grad
''',
    "clip_grads": '''def clip_grads(grads, max_norm)
    return grads
''',
}


def fill(path, name, source):
    """Replace the cell of the notebook at `path` that defines `name` by `source`."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"
             and f"def {name}(" in "".join(cell["source"])]
    assert len(cells) == 1, (path.name, name, len(cells))
    cells[0]["source"] = source
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
