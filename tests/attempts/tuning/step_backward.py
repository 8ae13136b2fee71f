"""Tuning attempts at rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh)
-> (dx_t, dh_prev, dWxh, dWhh, dbh)."""
import numpy as np

from registry import right, wrong

EXERCISE = "step_backward"


def _out(delta, x_t, h_prev, Wxh, Whh):
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("no_tanh_prime")
def no_tanh_prime(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t, x_t, h_prev, Wxh, Whh)


@wrong("tanh_prime_h_prev")
def tanh_prime_at_h_prev(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t * (1 - h_prev ** 2), x_t, h_prev, Wxh, Whh)


@wrong("tanh_twice")
def tanh_applied_twice(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t * (1 - np.tanh(h_t) ** 2), x_t, h_prev, Wxh, Whh)


@wrong("recursion_not_transposed")
def whh_not_transposed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("dWhh_h_t")
def dWhh_with_h_t(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_t.T,
            delta.sum(axis=1, keepdims=True))


@wrong("first_column_only")
def batch_of_one(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    d0 = delta[:, :1]
    return (Wxh.T @ delta, Whh.T @ delta, d0 @ x_t[:, :1].T, d0 @ h_prev[:, :1].T,
            d0.sum(axis=1, keepdims=True))


@wrong("batch_mean")
def mean_over_batch(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    B = x_t.shape[1]
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T / B, delta @ h_prev.T / B,
            delta.mean(axis=1, keepdims=True))


@wrong("dbh_not_summed")
def dbh_not_summed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T, delta


@wrong("dbh_no_keepdims")
def dbh_flat(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T, delta.sum(axis=1)


@wrong("dWhh_transposed")
def dWhh_transposed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, (delta @ h_prev.T).T,
            delta.sum(axis=1, keepdims=True))


@wrong("recursion_through_dh")
def recursion_through_dh(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ dh_t, Whh.T @ dh_t, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("sign")
def sign_swap(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t * (h_t ** 2 - 1), x_t, h_prev, Wxh, Whh)


@wrong("relu_derivative")
def relu_derivative(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t * (h_t > 0), x_t, h_prev, Wxh, Whh)


@wrong("dWxh_transposed")
def dWxh_transposed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, x_t @ delta.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("crash_dx")
def dx_without_transpose(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("in_place")
def writes_into_dh(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    dh_t *= 1 - h_t ** 2
    return _out(dh_t, x_t, h_prev, Wxh, Whh)


@wrong("wrong_order")
def returns_in_another_order(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    dx, dh_prev, dWxh, dWhh, dbh = _out(dh_t * (1 - h_t ** 2), x_t, h_prev, Wxh, Whh)
    return dWxh, dWhh, dbh, dx, dh_prev


@wrong("one_minus_h_squared")
def one_minus_h_all_squared(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return _out(dh_t * (1 - h_t) ** 2, x_t, h_prev, Wxh, Whh)


@right
def explicit_transposes(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = np.multiply(dh_t, 1.0 - np.square(h_t))
    return (np.transpose(Wxh) @ delta, np.transpose(Whh) @ delta, delta @ np.transpose(x_t),
            delta @ np.transpose(h_prev), np.sum(delta, axis=1)[:, np.newaxis])


@right
def loops_everywhere(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    H, B = dh_t.shape
    D = x_t.shape[0]
    delta = np.zeros((H, B))
    for i in range(H):
        for b in range(B):
            delta[i, b] = dh_t[i, b] * (1 - h_t[i, b] ** 2)
    dx = np.zeros((D, B))
    dh_prev = np.zeros((H, B))
    dWxh = np.zeros((H, D))
    dWhh = np.zeros((H, H))
    dbh = np.zeros((H, 1))
    for b in range(B):
        for i in range(H):
            dbh[i, 0] += delta[i, b]
            for j in range(D):
                dx[j, b] += Wxh[i, j] * delta[i, b]
                dWxh[i, j] += delta[i, b] * x_t[j, b]
            for k in range(H):
                dh_prev[k, b] += Whh[i, k] * delta[i, b]
                dWhh[i, k] += delta[i, b] * h_prev[k, b]
    return dx, dh_prev, dWxh, dWhh, dbh


@right
def from_pre_activation(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    a_t = np.arctanh(h_t)
    delta = dh_t / np.cosh(a_t) ** 2
    return _out(delta, x_t, h_prev, Wxh, Whh)
