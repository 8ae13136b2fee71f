"""Held-out attempts at bptt(params, xs, hs, dy) -> grads, one sequence."""
import numpy as np

from registry import right, wrong

EXERCISE = "bptt"
# Defined by notebook 04 before the exercise (its test case): D, H, O, T, B = 2, 6, 3, 4, 7.
T = 4
Why = 0.5 * np.random.default_rng(0).standard_normal((3, 6))


def _right_core(params, xs, hs, dy, start=1, tanh_prime=None, recursion=None, scale=1.0):
    Wxh, Whh, Why_ = params["Wxh"], params["Whh"], params["Why"]  # noqa: F841
    n = xs.shape[0]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[n])
    g["by"] = dy.reshape(-1, 1)
    dh = Why_.T @ dy
    for t in range(n, start - 1, -1):
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return g


@wrong("loop_skips_t1")
def bptt_range_stops_at_2(params, xs, hs, dy):
    return _right_core(params, xs, hs, dy, start=2)


@wrong("recursion_through_dh")
def bptt_dh_without_tanh_prime(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    n = len(xs)
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[-1])
    g["by"] = dy[:, None]
    dh = Why_.T @ dy
    for t in range(n, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta[:, None]
        dh = Whh.T @ dh
    return g


@wrong("global")
def bptt_global_Why_and_T(params, xs, hs, dy):
    Wxh, Whh = params["Wxh"], params["Whh"]  # noqa: F841
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[T])
    g["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return g


@wrong("shallow_copy")
def bptt_grads_from_params_copy(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    n = xs.shape[0]
    g = params.copy()
    for k in g:
        g[k] *= 0
    g["Why"] += np.outer(dy, hs[n])
    g["by"] += dy.reshape(-1, 1)
    dh = Why_.T @ dy
    for t in range(n, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return g


@wrong("mean_over_time")
def bptt_divides_by_T(params, xs, hs, dy):
    g = _right_core(params, xs, hs, dy)
    n = xs.shape[0]
    for k in ("Wxh", "Whh", "bh"):
        g[k] = g[k] / n
    return g


@wrong("seed_bug_1")
def bptt_output_every_step(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    n = xs.shape[0]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[n])
    g["by"] = dy.reshape(-1, 1)
    dh_next = np.zeros(Whh.shape[0])
    for t in reversed(range(1, n + 1)):
        dh = Why_.T @ dy + dh_next
        delta = (1 - hs[t] ** 2) * dh
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh_next = Whh.T @ delta
    return g


@wrong("dby_flat")
def bptt_by_1d(params, xs, hs, dy):
    g = _right_core(params, xs, hs, dy)
    g["by"] = dy
    return g


@wrong("tanh_twice")
def bptt_tanh_of_h(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    n = xs.shape[0]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[n])
    g["by"] = dy.reshape(-1, 1)
    dh = Why_.T @ dy
    for t in range(n, 0, -1):
        delta = dh * (1 - np.tanh(hs[t]) ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return g


@wrong("system_exit")
def bptt_exits(params, xs, hs, dy):
    import sys
    if dy.shape[0] != 1:
        sys.exit("only O = 1 is supported")
    return _right_core(params, xs, hs, dy)


@right
def bptt_zero_based(params, xs, hs, dy):
    Wxh, Whh, Why_ = (params[k] for k in ("Wxh", "Whh", "Why"))
    T_ = xs.shape[0]
    dWxh, dWhh, dbh = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros(Whh.shape[0])
    dh = Why_.T.dot(dy)
    for t in reversed(range(T_)):
        h_t, h_before = hs[t + 1], hs[t]
        delta = dh * (1 - h_t * h_t)
        dWxh += np.outer(delta, xs[t])
        dWhh += np.outer(delta, h_before)
        dbh += delta
        dh = Whh.T.dot(delta)
    return {"Wxh": dWxh, "Whh": dWhh, "Why": np.outer(dy, hs[T_]), "bh": dbh[:, None],
            "by": dy[:, None]}


@right
def bptt_collect_deltas(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    steps = xs.shape[0]
    deltas = np.zeros((steps, Whh.shape[0]))
    dh = Why_.T @ dy
    for t in range(steps, 0, -1):
        deltas[t - 1] = dh * (1 - hs[t] ** 2)
        dh = Whh.T @ deltas[t - 1]
    return {"Wxh": deltas.T @ xs, "Whh": deltas.T @ hs[:-1], "Why": dy[:, None] @ hs[-1][None, :],
            "bh": deltas.sum(axis=0).reshape(-1, 1), "by": dy.reshape(-1, 1).copy()}


@right
def bptt_einsum(params, xs, hs, dy):
    Whh, Why_ = params["Whh"], params["Why"]
    steps = len(xs)
    deltas = []
    dh = np.einsum("oh,o->h", Why_, dy)
    for t in range(steps, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        deltas.append(delta)
        dh = np.einsum("kh,k->h", Whh, delta)
    deltas = np.array(deltas[::-1])                  # row t - 1 is delta_t
    return {"Wxh": np.einsum("th,td->hd", deltas, xs),
            "Whh": np.einsum("th,tk->hk", deltas, hs[:steps]),
            "Why": np.einsum("o,h->oh", dy, hs[steps]),
            "bh": np.einsum("th->h", deltas)[:, None], "by": dy[:, None]}
