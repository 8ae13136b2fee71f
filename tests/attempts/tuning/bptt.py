"""Tuning attempts at bptt(params, xs, hs, dy) -> grads, one sequence."""
import numpy as np

from registry import right, wrong

EXERCISE = "bptt"
# Notebook 04's globals (D, H, O, T, B = 2, 6, 3, 4, 7), defined before the exercise.
D, H, O, B = 2, 6, 3, 7
Whh = 0.5 * np.random.default_rng(1).standard_normal((6, 6))


def make(*, start=1, direct_every_step=False, skip_h0=False, factor="h_t", recursion="T",
         carry=True, accumulate=True, state="h_prev", through="delta", sign=1.0, dWhh_T=False,
         time_scale=1.0, stop_after_first=False):
    """A student's bptt with the given choices (the defaults are right)."""
    def bptt(params, xs, hs, dy):
        Whh_, Why_ = params["Whh"], params["Why"]
        T_ = xs.shape[0]
        g = {name: np.zeros_like(value) for name, value in params.items()}
        g["Why"] = np.outer(dy, hs[T_])
        g["by"] = dy.reshape(-1, 1)
        dh_T = Why_.T @ dy
        dh = dh_T
        for t in range(T_, start - 1, -1):
            if direct_every_step and t < T_:
                dh = dh + dh_T
            f = {"h_t": 1 - hs[t] ** 2, "none": 1.0, "h_prev": 1 - hs[t - 1] ** 2,
                 "tanh": 1 - np.tanh(hs[t]) ** 2, "sigmoid": hs[t] * (1 - hs[t])}[factor]
            delta = sign * dh * f
            s = hs[t - 1] if state == "h_prev" else hs[t]
            terms = {"Wxh": np.outer(delta, xs[t - 1]),
                     "Whh": np.outer(s, delta) if dWhh_T else np.outer(delta, s),
                     "bh": delta.reshape(-1, 1)}
            if skip_h0 and t == 1:
                terms["Whh"] = 0 * terms["Whh"]
            for name, term in terms.items():
                g[name] = g[name] + term if accumulate else term
            W = Whh_.T if recursion == "T" else Whh_
            if carry:
                dh = W @ (delta if through == "delta" else dh)
            if stop_after_first:
                break
        for name in ("Wxh", "Whh", "bh"):
            g[name] = g[name] * time_scale
        return g
    return bptt


seed_bug_1 = wrong("seed_bug_1")(make(direct_every_step=True))
seed_bug_3 = wrong("seed_bug_3")(make(skip_h0=True))
seed_bugs_1_3 = wrong("seed_bugs_1_3")(make(direct_every_step=True, skip_h0=True))
no_tanh_prime = wrong("no_tanh_prime")(make(factor="none"))
tanh_prime_h_prev = wrong("tanh_prime_h_prev")(make(factor="h_prev"))
recursion_not_transposed = wrong("recursion_not_transposed")(make(recursion="plain"))
dh_not_carried = wrong("dh_not_carried")(make(carry=False))
assigned = wrong("assigned_not_accumulated")(make(accumulate=False))
dWhh_h_t = wrong("dWhh_h_t")(make(state="h_t"))
loop_skips_t1 = wrong("loop_skips_t1")(make(start=2))
through_dh = wrong("recursion_through_dh")(make(through="dh"))
sign_swap = wrong("sign")(make(sign=-1.0))
dWhh_transposed = wrong("dWhh_transposed")(make(dWhh_T=True))
tanh_twice = wrong("tanh_twice")(make(factor="tanh"))
sigmoid_derivative = wrong("sigmoid_derivative")(make(factor="sigmoid"))

only_last_step = wrong("only_last_step")(make(stop_after_first=True))


@wrong("mean_over_time")
def divided_by_T(params, xs, hs, dy):
    g = make()(params, xs, hs, dy)
    return {k: (v / xs.shape[0] if k in ("Wxh", "Whh", "bh") else v) for k, v in g.items()}


@wrong("factor_2")
def doubled_dy(params, xs, hs, dy):
    return make()(params, xs, hs, 2 * dy)


@wrong("dby_flat")
def by_flat(params, xs, hs, dy):
    g = make()(params, xs, hs, dy)
    g["by"] = dy.copy()
    return g


@wrong("dWhy_transposed")
def why_transposed(params, xs, hs, dy):
    g = make()(params, xs, hs, dy)
    g["Why"] = np.outer(hs[-1], dy)
    return g


@wrong("returns_tuple")
def returns_grads_and_dh(params, xs, hs, dy):
    return make()(params, xs, hs, dy), np.zeros(hs.shape[1])


@wrong("missing_key")
def d_prefixed_keys(params, xs, hs, dy):
    return {"d" + k: v for k, v in make()(params, xs, hs, dy).items()}


@wrong("global")
def uses_global_Whh(params, xs, hs, dy):
    Why_ = params["Why"]
    T_ = xs.shape[0]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[T_])
    g["by"] = dy.reshape(-1, 1)
    dh = Why_.T @ dy
    for t in range(T_, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return g


@wrong("in_place")
def writes_into_hs(params, xs, hs, dy):
    g = make()(params, xs, hs, dy)
    hs[:] = 0.0
    return g


@wrong("shallow_copy")
def grads_from_params_copy(params, xs, hs, dy):
    g = params.copy()
    right = make()(params, xs, hs, dy)
    for k in g:
        g[k] -= g[k]
        g[k] += right[k]
    return g


@wrong("endless_loop")
def while_without_decrement(params, xs, hs, dy):
    Whh_, Why_ = params["Whh"], params["Why"]
    t = xs.shape[0]
    g = {k: np.zeros_like(v) for k, v in params.items()}
    g["Why"] = np.outer(dy, hs[t])
    g["by"] = dy.reshape(-1, 1)
    dh = Why_.T @ dy
    while t > 0:
        delta = dh * (1 - hs[t] ** 2)
        g["Wxh"] += np.outer(delta, xs[t - 1])
        g["Whh"] += np.outer(delta, hs[t - 1])
        g["bh"] += delta.reshape(-1, 1)
        dh = Whh_.T @ delta
    return g


@wrong("zeros")
def only_zeros(params, xs, hs, dy):
    return {k: np.zeros_like(v) for k, v in params.items()}


@wrong("keyboard_interrupt")
def raises_keyboard_interrupt(params, xs, hs, dy):
    raise KeyboardInterrupt


@right
def reference_style(params, xs, hs, dy):
    return make()(params, xs, hs, dy)


@right
def batched_through_rnn_core_layout(params, xs, hs, dy):
    Whh_, Why_ = params["Whh"], params["Why"]
    steps = xs.shape[0]
    dWxh = np.zeros(params["Wxh"].shape)
    dWhh = np.zeros(Whh_.shape)
    dbh = np.zeros((Whh_.shape[0], 1))
    dh = (Why_.T @ dy[:, None])                        # a column, (H, 1)
    for t in range(steps, 0, -1):
        h_t, h_prev, x_t = hs[t][:, None], hs[t - 1][:, None], xs[t - 1][:, None]
        delta = dh * (1 - h_t ** 2)
        dWxh += delta @ x_t.T
        dWhh += delta @ h_prev.T
        dbh += delta
        dh = Whh_.T @ delta
    return {"Wxh": dWxh, "Whh": dWhh, "bh": dbh, "Why": dy[:, None] @ hs[steps][None, :],
            "by": dy[:, None]}


@right
def with_a_step_helper(params, xs, hs, dy):
    def step(dh, t):
        delta = dh * (1 - hs[t] ** 2)
        return delta, params["Whh"].T @ delta
    g = {"Why": np.outer(dy, hs[-1]), "by": dy[:, None].copy()}
    g.update({k: np.zeros_like(params[k]) for k in ("Wxh", "Whh", "bh")})
    dh = params["Why"].T @ dy
    for t in range(len(xs), 0, -1):
        delta, dh = step(dh, t)
        g["Wxh"] = g["Wxh"] + np.outer(delta, xs[t - 1])
        g["Whh"] = g["Whh"] + np.outer(delta, hs[t - 1])
        g["bh"] = g["bh"] + delta[:, None]
    return g
