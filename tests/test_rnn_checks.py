"""Tests of rnn_checks: each known mistake, written as a student would write it, gets its
diagnosis; right answers pass; zeros, B = 1-only and h_0 = 0-only answers fail; crashing,
unfinished, endless, exiting and wrongly shaped functions give a message and never an
exception or a hang; the caller's NumPy state survives; the student-style attempts of
tests/attempts/ are diagnosed as tools/evaluate_checks.py reports; bad input to every public
name gets a clear message; yours() and load_function() find the student's function.
"""

import importlib.util
import json
import re
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import rnn_checks
import rnn_core

ATTEMPTS = Path(__file__).resolve().parent / "attempts"
sys.path.insert(0, str(ATTEMPTS))
import labels  # noqa: E402
import registry  # noqa: E402

# --------------------------------------------------------------------------------------
# Students' functions: right ones
# --------------------------------------------------------------------------------------


def step_forward_right(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev + bh)


def step_backward_right(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


def mse_loss_right(y, target):
    n = y.size
    return np.sum((y - target) ** 2) / n, 2 * (y - target) / n


def bptt_right(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def numerical_gradient_right(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def clip_grads_right(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm <= max_norm:
        return dict(grads)
    return {name: g * max_norm / norm for name, g in grads.items()}


def sgd_step_right(params, grads, learning_rate):
    return {name: params[name] - learning_rate * grads[name] for name in params}


RIGHT = [
    (rnn_checks.check_step_forward, step_forward_right),
    (rnn_checks.check_step_backward, step_backward_right),
    (rnn_checks.check_mse_loss, mse_loss_right),
    (rnn_checks.check_bptt, bptt_right),
    (rnn_checks.check_numerical_gradient, numerical_gradient_right),
    (rnn_checks.check_clip_grads, clip_grads_right),
    (rnn_checks.check_sgd_step, sgd_step_right),
]


@pytest.mark.parametrize("check, fn", RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_a_right_implementation_passes(check, fn):
    result = check(fn)
    assert result.passed, result.message
    assert result.status == "passed" and ("match rnn_core" in result.message
                                          or "exact gradient" in result.message)


def test_rnn_core_itself_passes_where_it_has_the_function():
    assert rnn_checks.check_mse_loss(rnn_core.mse_loss).passed
    assert rnn_checks.check_numerical_gradient(rnn_core.numerical_gradient).passed
    assert rnn_checks.check_clip_grads(rnn_core.clip_grads).passed
    assert rnn_checks.check_bptt(lambda p, xs, hs, dy: rnn_core.backward(p, xs, hs, dy)[0]).passed


# --------------------------------------------------------------------------------------
# Students' functions: the known mistakes, one each
# --------------------------------------------------------------------------------------

def forward_no_tanh(x_t, h_prev, Wxh, Whh, bh):
    return Wxh @ x_t + Whh @ h_prev + bh


def forward_no_bias(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev)


def forward_bias_after_tanh(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev) + bh


def forward_Whh_transposed(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh.T @ h_prev + bh)


def forward_right_only_for_h0_zero(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + bh)


def backward_no_tanh_prime(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


def backward_tanh_prime_at_h_prev(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_prev ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


def backward_tanh_applied_twice(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - np.tanh(h_t) ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


def backward_Whh_not_transposed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


def backward_dWhh_with_h_t(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_t.T,
            delta.sum(axis=1, keepdims=True))


def backward_right_only_for_B_1(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    d0 = delta[:, :1]                   # "the" sequence
    return (Wxh.T @ delta, Whh.T @ delta, d0 @ x_t[:, :1].T, d0 @ h_prev[:, :1].T,
            d0.sum(axis=1, keepdims=True))


def backward_mean_over_batch(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    B = x_t.shape[1]
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T / B, delta @ h_prev.T / B,
            delta.mean(axis=1, keepdims=True))


def backward_dbh_not_summed(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T, delta


def backward_dbh_without_keepdims(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T, delta.sum(axis=1)


def mse_seed_bug_2(y, target):
    return np.mean((y - target) ** 2), y - target


def mse_gradient_of_the_sum(y, target):
    return np.mean((y - target) ** 2), 2 * (y - target)


def mse_divided_by_O(y, target):
    O = y.shape[-1]
    return np.sum((y - target) ** 2) / O, 2 * (y - target) / O


def mse_sign_flipped(y, target):
    return np.mean((y - target) ** 2), 2 * (target - y) / y.size


def mse_sum_loss(y, target):
    return np.sum((y - target) ** 2), 2 * (y - target) / y.size


def mse_loss_as_array(y, target):
    return (y - target) ** 2 / y.size, 2 * (y - target) / y.size


def bptt_seed_bug_1(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh_next = np.zeros(Whh.shape[0])
    for t in range(T, 0, -1):
        dh = Why.T @ dy + dh_next            # as in the seed: an output term at every step
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh_next = Whh.T @ delta
    return grads


def bptt_seed_bug_3(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        if t > 1:                            # as in the seed: no h_0 term
            grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def bptt_seed_bugs_1_and_3(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh_next = np.zeros(Whh.shape[0])
    for t in range(T, 0, -1):
        dh = Why.T @ dy + dh_next
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1]) if t > 1 else 0
        grads["bh"] += delta.reshape(-1, 1)
        dh_next = Whh.T @ delta
    return grads


def bptt_no_tanh_prime(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def bptt_Whh_not_transposed(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh @ delta
    return grads


def bptt_dh_not_carried(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh_prev = Whh.T @ delta              # computed, but dh is never updated
    return grads


def bptt_only_last_step(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    delta = (Why.T @ dy) * (1 - hs[T] ** 2)
    grads["Wxh"] = np.outer(delta, xs[T - 1])
    grads["Whh"] = np.outer(delta, hs[T - 1])
    grads["bh"] = delta.reshape(-1, 1)
    return grads


def bptt_not_summed_over_time(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] = np.outer(delta, xs[t - 1])
        grads["Whh"] = np.outer(delta, hs[t - 1])
        grads["bh"] = delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def bptt_tanh_prime_off_by_one(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t - 1] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t - 1])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def bptt_dWhh_off_by_one(params, xs, hs, dy):
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    T = xs.shape[0]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["Why"] = np.outer(dy, hs[T])
    grads["by"] = dy.reshape(-1, 1)
    dh = Why.T @ dy
    for t in range(T, 0, -1):
        delta = dh * (1 - hs[t] ** 2)
        grads["Wxh"] += np.outer(delta, xs[t - 1])
        grads["Whh"] += np.outer(delta, hs[t])
        grads["bh"] += delta.reshape(-1, 1)
        dh = Whh.T @ delta
    return grads


def bptt_dby_flat(params, xs, hs, dy):
    grads = bptt_right(params, xs, hs, dy)
    grads["by"] = dy.copy()
    return grads


def bptt_dWhy_transposed(params, xs, hs, dy):
    grads = bptt_right(params, xs, hs, dy)
    grads["Why"] = np.outer(hs[-1], dy)
    return grads


def numgrad_forward_difference(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - fx) / eps
        x[i] = old
    return grad


def numgrad_divided_by_eps(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / eps
    return grad


def numgrad_not_restored(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def numgrad_ignores_eps(f, x, eps=1e-5):
    return numerical_gradient_right(f, x, 1e-5)


def numgrad_changes_callers_x(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def numgrad_flattened(f, x, eps=1e-5):
    flat = x.ravel().copy()
    grad = np.zeros_like(flat)
    for i in range(flat.size):
        flat[i] += eps
        plus = f(flat)
        flat[i] -= 2 * eps
        minus = f(flat)
        flat[i] += eps
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def numgrad_restores_by_adding(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)
        x[i] += eps                          # not exactly the old value in floating point
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def numgrad_two_dimensions_only(f, x, eps=1e-5):
    if x.ndim == 1:
        return numerical_gradient_right(f, x, eps)
    x = x.copy()
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            old = x[i, j].copy()
            x[i, j] = old + eps
            plus = f(x)
            x[i, j] = old - eps
            minus = f(x)
            x[i, j] = old
            grad[i, j] = (plus - minus) / (2 * eps)
    return grad


def clip_each_array(grads, max_norm):
    out = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        out[name] = g * max_norm / norm if norm > max_norm else g
    return out


def clip_by_value(grads, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}


def clip_always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {name: g * max_norm / norm for name, g in grads.items()}


def clip_sum_of_norms(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    return {name: g * max_norm / norm for name, g in grads.items()} if norm > max_norm else grads


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads


def clip_returns_its_argument(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return grads if norm <= max_norm else {k: g * max_norm / norm for k, g in grads.items()}


def clip_shallow_copy(grads, max_norm):
    out = grads.copy()
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        for k in out:
            out[k] *= max_norm / norm
    return out


def clip_flipped_comparison(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * max_norm / norm for k, g in grads.items()} if norm < max_norm else dict(grads)


def sgd_plus(params, grads, learning_rate):
    return {name: params[name] + learning_rate * grads[name] for name in params}


def sgd_no_learning_rate(params, grads, learning_rate):
    return {name: params[name] - grads[name] for name in params}


def sgd_in_place(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads[name]
    return params


C = rnn_checks
# (check, student's function, words the message must contain: the mistake and its equation)
DIAGNOSES = [
    (C.check_step_forward, forward_no_tanh, ["tanh is missing", "Eq. (1.2)"]),
    (C.check_step_forward, forward_no_bias, ["bias b_h is missing", "Eq. (1.1)"]),
    (C.check_step_forward, forward_bias_after_tanh, ["after the tanh", "Eq. (1.1)"]),
    (C.check_step_forward, forward_Whh_transposed, ["W_hh^T h_{t-1} instead", "Eq. (1.1)"]),
    (C.check_step_forward, forward_right_only_for_h0_zero, ["W_hh h_{t-1} is missing"]),
    (C.check_step_backward, backward_no_tanh_prime, ["tanh' factor is missing", "Eq. (3.4)"]),
    (C.check_step_backward, backward_tanh_prime_at_h_prev, ["at h_{t-1} instead", "(3.4)"]),
    (C.check_step_backward, backward_tanh_applied_twice, ["1 - tanh(h_t)^2", "Eq. (3.4)"]),
    (C.check_step_backward, backward_Whh_not_transposed,
     ["W_hh instead of W_hh^T", "Eq. (3.5)", "dh_prev"]),
    (C.check_step_backward, backward_dWhh_with_h_t, ["dWhh uses h_t", "Eq. (4.2)"]),
    (C.check_step_backward, backward_right_only_for_B_1,
     ["not summed over the batch", "Eqs. (4.1)-(4.3)"]),
    (C.check_step_backward, backward_mean_over_batch, ["averaged over the batch"]),
    (C.check_step_backward, backward_dbh_not_summed,
     ["dbh has shape (H, B) = (5, 2)", "sum over the batch", "Eq. (4.3)"]),
    (C.check_step_backward, backward_dbh_without_keepdims, ["dbh has shape (H,)", "keepdims"]),
    (C.check_mse_loss, mse_seed_bug_2, ["without the factor 2/n", "seed's bug 2", "Eq. (3.1)"]),
    (C.check_mse_loss, mse_gradient_of_the_sum, ["gradient of the sum of squares"]),
    (C.check_mse_loss, mse_divided_by_O, ["divided by O only", "case 2"]),
    (C.check_mse_loss, mse_sign_flipped, ["sign is flipped"]),
    (C.check_mse_loss, mse_sum_loss, ["loss is the sum of squares", "Eq. (1.4)"]),
    (C.check_mse_loss, mse_loss_as_array, ["the loss must be one number"]),
    (C.check_bptt, bptt_seed_bug_1, ["added at every step", "seed's bug 1", "Eq. (3.5)"]),
    (C.check_bptt, bptt_seed_bug_3, ["delta_1 h_0^T", "seed's bug 3", "Eq. (4.2)",
                                     "Correct: Wxh, Why, bh, by"]),
    (C.check_bptt, bptt_seed_bugs_1_and_3, ["Two known mistakes together in Wxh, Whh, bh",
                                            "seed's bug 1", "seed's bug 3"]),
    (C.check_bptt, bptt_no_tanh_prime, ["tanh' factor is missing", "Eq. (3.4)"]),
    (C.check_bptt, bptt_Whh_not_transposed, ["W_hh instead of W_hh^T", "Eq. (3.5)"]),
    (C.check_bptt, bptt_dh_not_carried, ["not carried back", "reuses dL/dh_T", "Eq. (3.5)"]),
    (C.check_bptt, bptt_only_last_step, ["only step T contributes"]),
    (C.check_bptt, bptt_not_summed_over_time, ["assigned (=) instead of accumulated (+=)",
                                               "Eqs. (4.1)-(4.3)"]),
    (C.check_bptt, bptt_tanh_prime_off_by_one, ["tanh' is taken at h_{t-1}", "Eq. (3.4)"]),
    (C.check_bptt, bptt_dWhh_off_by_one, ["dWhh uses h_t instead of h_{t-1}", "Eq. (4.2)"]),
    (C.check_bptt, bptt_dby_flat, ["by has shape (O,) = (3,); expected (O, 1) = (3, 1)",
                                   "keepdims"]),
    (C.check_bptt, bptt_dWhy_transposed, ["Why has shape (H, O) = (4, 3)", "transposed"]),
    (C.check_numerical_gradient, numgrad_forward_difference, ["forward differences"]),
    (C.check_numerical_gradient, numgrad_divided_by_eps, ["instead of 2 eps"]),
    (C.check_numerical_gradient, numgrad_not_restored, ["not put back", "x[i] = old"]),
    (C.check_numerical_gradient, numgrad_ignores_eps, ["eps is ignored", "case 2",
                                                        "eps = 0.01"]),
    (C.check_numerical_gradient, numgrad_changes_callers_x, ["changed its input x in place"]),
    (C.check_numerical_gradient, numgrad_restores_by_adding, ["by round-off only",
                                                               "x[i] = old"]),
    (C.check_numerical_gradient, numgrad_two_dimensions_only, ["3-D x", "whole row",
                                                                "np.ndindex"]),
    (C.check_numerical_gradient, numgrad_flattened, ["called f with shape (12,)"]),
    (C.check_clip_grads, clip_each_array, ["clipped on its own", "Eq. (9.2)"]),
    (C.check_clip_grads, clip_by_value, ["np.clip"]),
    (C.check_clip_grads, clip_always, ["even when its norm is below", "case 2"]),
    (C.check_clip_grads, clip_sum_of_norms, ["sum of the arrays' norms"]),
    (C.check_clip_grads, clip_in_place, ["changed its input grads in place"]),
    (C.check_clip_grads, clip_returns_its_argument, ["returned the dict it was given"]),
    (C.check_clip_grads, clip_shallow_copy, ["shallow copy", "grads.copy()"]),
    (C.check_clip_grads, clip_flipped_comparison, ["the wrong way round"]),
    (C.check_sgd_step, sgd_plus, ["uphill", "Eq. (7.2)"]),
    (C.check_sgd_step, sgd_no_learning_rate, ["learning rate is not used"]),
    (C.check_sgd_step, sgd_in_place, ["changed its input params in place"]),
]


@pytest.mark.parametrize("check, fn, words", DIAGNOSES, ids=lambda v: getattr(v, "__name__", ""))
def test_each_known_mistake_gets_its_diagnosis(check, fn, words):
    result = check(fn)
    assert not result.passed and result.status == "failed"
    for word in words:
        assert word in result.message, f"{word!r} not in:\n{result.message}"


@pytest.mark.parametrize("check, fn, words", DIAGNOSES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_diagnosis_names_only_the_mistake_made(check, fn, words):
    # No other known mistake claims the same outputs: each description appears at most once,
    # and the seed's bugs are not named for a mistake that is not theirs.
    message = check(fn).message
    assert message.count("Known mistake") <= 1 or "Two known" in message
    if "seed" not in fn.__name__:
        assert "seed's bug" not in message


# --------------------------------------------------------------------------------------
# Not fooled: zeros, B = 1 only, h_0 = 0 only
# --------------------------------------------------------------------------------------

def zeros_forward(x_t, h_prev, Wxh, Whh, bh):
    return np.zeros_like(h_prev)


def zeros_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    return (np.zeros_like(x_t), np.zeros_like(h_prev), np.zeros_like(Wxh), np.zeros_like(Whh),
            np.zeros((Whh.shape[0], 1)))


def zeros_bptt(params, xs, hs, dy):
    return {name: np.zeros_like(value) for name, value in params.items()}


def forward_right_only_for_B_1(x_t, h_prev, Wxh, Whh, bh):
    h = np.tanh(Wxh @ x_t[:, :1] + Whh @ h_prev[:, :1] + bh)
    return np.repeat(h, x_t.shape[1], axis=1)


def backward_right_only_for_h0_zero(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, np.zeros_like(Whh),
            delta.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("check, fn", [
    (rnn_checks.check_step_forward, zeros_forward),
    (rnn_checks.check_step_backward, zeros_backward),
    (rnn_checks.check_bptt, zeros_bptt),
    (rnn_checks.check_step_forward, forward_right_only_for_B_1),
    (rnn_checks.check_step_backward, backward_right_only_for_B_1),
    (rnn_checks.check_step_forward, forward_right_only_for_h0_zero),
    (rnn_checks.check_step_backward, backward_right_only_for_h0_zero),
    (rnn_checks.check_bptt, bptt_seed_bug_3),           # right when h_0 = 0
], ids=lambda v: getattr(v, "__name__", ""))
def test_not_fooled_by_zeros_batch_of_one_or_zero_h0(check, fn):
    result = check(fn)
    assert not result.passed
    assert "Wrong values" in result.message


def test_zeros_are_called_zeros():
    message = rnn_checks.check_bptt(zeros_bptt).message
    assert "Wxh is all zeros" in message and "Why is all zeros" in message


def test_the_cases_cannot_hide_a_mistake():
    # Every case has pairwise-distinct sizes (and B > 1, O > 1, T >= 3, a nonzero h_0 where
    # they apply). Every known mistake of the RNN steps and BPTT changes some output on every
    # case; the mistakes of the loss, clipping and SGD on at least one case each.
    def clip_right(case):
        return rnn_core.clip_grads(case.inputs["grads"], case.extra["max_norm"])

    def sgd_right(case):
        p, g = case.inputs["params"], case.inputs["grads"]
        return {k: p[k] - case.extra["learning_rate"] * g[k] for k in p}

    groups = [(rnn_checks._step_cases(0), rnn_checks._STEP_FORWARD_MISTAKES,
               rnn_checks._step_forward_variant),
              (rnn_checks._step_cases(0), rnn_checks._STEP_BACKWARD_MISTAKES,
               rnn_checks._step_backward_variant),
              (rnn_checks._bptt_cases(0), rnn_checks._BPTT_MISTAKES, rnn_checks._bptt_variant),
              (rnn_checks._mse_cases(0), rnn_checks._MSE_MISTAKES, rnn_checks._mse_variant),
              (rnn_checks._clip_cases(0), rnn_checks._CLIP_MISTAKES, clip_right),
              (rnn_checks._sgd_cases(0), rnn_checks._SGD_MISTAKES, sgd_right)]
    for number, (cases, mistakes, right_answer) in enumerate(groups):
        seen = {mistake.description: 0 for mistake in mistakes}
        for case in cases:
            sizes = list(case.sizes.values())
            assert len(set(sizes)) == len(sizes), case.sizes
            assert case.sizes.get("B", 2) > 1 and case.sizes.get("T", 3) >= 3
            for name in ("h_prev", "hs"):
                if name in case.inputs:
                    assert np.all(case.inputs[name][0] != 0)
            right = right_answer(case)
            for mistake in mistakes:
                answer = mistake.compute(case)
                seen[mistake.description] += any(not np.allclose(answer[k], right[k])
                                                  for k in answer)
        needed = len(cases) if number < 3 else 1
        assert all(count >= needed for count in seen.values()), seen


def test_the_checkers_own_right_variant_is_rnn_core():
    # The variants with default flags (the base of every mistake) equal the reference.
    for case in rnn_checks._step_cases(1):
        assert np.allclose(rnn_checks._step_forward_variant(case)["h_t"], case.inputs["h_t"])
        right = rnn_checks._step_backward_reference(case)
        mine = rnn_checks._step_backward_variant(case)
        assert all(np.allclose(mine[k], right[k]) for k in right)
    for case in rnn_checks._bptt_cases(1):
        i = case.inputs
        right = rnn_core.backward(i["params"], i["xs"], i["hs"], i["dy"])[0]
        mine = rnn_checks._bptt_variant(case)
        assert all(np.allclose(mine[k], right[k]) for k in right)


def test_the_step_backward_reference_matches_finite_differences():
    # dx_t and dh_prev are gradients of L = sum(dh_t * h_t) with respect to x_t and h_{t-1}.
    case = rnn_checks._step_cases(2)[0]
    i, p = case.inputs, case.extra["params"]

    def loss(x_t, h_prev, Wxh=p["Wxh"], Whh=p["Whh"], bh=p["bh"]):
        return np.sum(i["dh_t"] * np.tanh(Wxh @ x_t + Whh @ h_prev + bh))
    right = rnn_checks._step_backward_reference(case)
    numerical = {
        "dx_t": rnn_core.numerical_gradient(lambda x: loss(x, i["h_prev"]), i["x_t"]),
        "dh_prev": rnn_core.numerical_gradient(lambda h: loss(i["x_t"], h), i["h_prev"]),
        "dWxh": rnn_core.numerical_gradient(lambda W: loss(i["x_t"], i["h_prev"], Wxh=W),
                                            p["Wxh"]),
        "dWhh": rnn_core.numerical_gradient(lambda W: loss(i["x_t"], i["h_prev"], Whh=W),
                                            p["Whh"]),
        "dbh": rnn_core.numerical_gradient(lambda b: loss(i["x_t"], i["h_prev"], bh=b), p["bh"]),
    }
    for name, value in numerical.items():
        assert rnn_core.relative_error(right[name], value) < 1e-7, name


# --------------------------------------------------------------------------------------
# Unfinished, crashing, wrongly shaped: a message, never an exception
# --------------------------------------------------------------------------------------

def unfinished(*args, **kwargs):
    raise NotImplementedError("implement Eqs. (1.1)-(1.2)")


ALL_CHECKS = [check for check, _ in RIGHT]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_an_unfinished_function_is_not_implemented_yet(check):
    result = check(unfinished)
    assert not result.passed and result.status == "not implemented"
    assert "not implemented yet" in str(result)
    assert "raise NotImplementedError" in result.message
    assert "run this check again" in result.message


def forward_crashes(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev.T + bh)


def test_a_crash_is_one_line_with_the_shapes_and_the_line():
    result = rnn_checks.check_step_forward(forward_crashes)
    assert not result.passed
    assert "rnn_step_forward crashed in case 1 of 3 (D = 3, H = 5, B = 2" in result.message
    assert "h_prev (5, 2)" in result.message
    assert "ValueError: matmul" in result.message
    assert "Whh @ h_prev.T" in result.message          # the student's line
    assert "Traceback" not in result.message


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", [None, "text", 3.0, (1, 2), {"a": 1}, [np.zeros(2)]],
                         ids=repr)
def test_any_answer_at_all_gives_a_result_not_an_exception(check, answer):
    result = check(lambda *args, **kwargs: answer)
    assert isinstance(result, rnn_checks.CheckResult) and not result.passed
    assert result.message


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), KeyError("Wxh"),
                                   IndexError("index 4 is out of bounds"), RecursionError()],
                         ids=lambda e: type(e).__name__)
def test_any_exception_is_reported(check, error):
    def crashes(*args, **kwargs):
        raise error
    result = check(crashes)
    assert not result.passed and "crashed in case 1" in result.message
    assert type(error).__name__ in result.message


def test_not_a_function():
    result = rnn_checks.check_bptt("bptt")
    assert not result.passed and "pass the function itself" in result.message


@pytest.mark.parametrize("fn, words", [
    (lambda x_t, h_prev, Wxh, Whh, bh: step_forward_right(x_t, h_prev, Wxh, Whh, bh).T,
     ["h_t has shape (B, H) = (2, 5); expected (H, B) = (5, 2)", "transposed"]),
    (lambda x_t, h_prev, Wxh, Whh, bh: step_forward_right(x_t, h_prev, Wxh, Whh, bh).ravel(),
     ["h_t has shape (10,); expected (H, B) = (5, 2)", "right number of entries"]),
    (lambda x_t, h_prev, Wxh, Whh, bh: step_forward_right(x_t, h_prev, Wxh, Whh, bh).tolist(),
     ["h_t is a list", "NumPy array"]),
    (lambda x_t, h_prev, Wxh, Whh, bh: (step_forward_right(x_t, h_prev, Wxh, Whh, bh), h_prev),
     ["returned a tuple of 2 items; return only h_t"]),
], ids=["transposed", "flat", "list", "tuple"])
def test_wrong_shapes_and_types_are_named(fn, words):
    result = rnn_checks.check_step_forward(fn)
    assert not result.passed
    for word in words:
        assert word in result.message, result.message


def test_bptt_returning_a_tuple_or_missing_keys():
    assert "only the grads dict" in rnn_checks.check_bptt(
        lambda p, xs, hs, dy: (bptt_right(p, xs, hs, dy), None)).message
    message = rnn_checks.check_bptt(
        lambda p, xs, hs, dy: {k: v for k, v in bptt_right(p, xs, hs, dy).items() if k != "by"}
    ).message
    assert "no key(s) ['by']" in message


def test_a_function_that_changes_its_inputs_fails_even_with_right_values():
    def bptt_writes_into_hs(params, xs, hs, dy):
        grads = bptt_right(params, xs, hs, dy)
        hs[:] = 0.0
        return grads
    result = rnn_checks.check_bptt(bptt_writes_into_hs)
    assert not result.passed and "changed its input hs in place" in result.message


def test_the_checks_are_repeatable():
    first = rnn_checks.check_bptt(bptt_seed_bug_1).message
    assert rnn_checks.check_bptt(bptt_seed_bug_1).message == first


# --------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------

def test_display_plain_and_html():
    passed = rnn_checks.check_step_forward(step_forward_right)
    failed = rnn_checks.check_step_forward(forward_no_bias)
    todo = rnn_checks.check_step_forward(unfinished)
    assert str(passed).startswith("[PASSED] check_step_forward: passed")
    assert str(failed).startswith("[FAILED] check_step_forward: not right yet")
    assert str(todo).startswith("[TO DO] check_step_forward: not implemented yet")
    assert repr(failed) == str(failed)
    html_pass, html_fail = passed._repr_html_(), failed._repr_html_()
    assert "#1e7b34" in html_pass and "#b42318" in html_fail     # green, red
    assert "font-size: 16px" in html_fail
    assert "the bias b_h is missing" in html_fail
    escaped = rnn_checks.CheckResult("x", "failed", "a < b <script>")._repr_html_()
    assert "<script" not in escaped and "a &lt; b" in escaped


# --------------------------------------------------------------------------------------
# The cases tell the mistakes apart
# --------------------------------------------------------------------------------------

def test_no_bptt_size_equals_T_plus_1():
    # With H = T + 1, hs (T + 1, H) would be square and hs.T would pass unnoticed.
    for case in rnn_checks._bptt_cases(0):
        assert case.sizes["T"] + 1 not in [v for k, v in case.sizes.items() if k != "T"]


def test_the_clip_cases_separate_the_classic_mistakes():
    # No max_norm = 1 with every entry below it: entries above and below max_norm exist in
    # case 1, and norm and norm^2 differ (a missing square root changes the answer).
    case = rnn_checks._clip_cases(0)[0]
    entries = np.concatenate([g.ravel() for g in case.inputs["grads"].values()])
    max_norm = case.extra["max_norm"]
    assert max_norm != 1.0 and np.any(np.abs(entries) > max_norm)
    assert np.any(np.abs(entries) < max_norm)
    norm = rnn_core.global_norm(case.inputs["grads"])
    assert abs(norm ** 2 - norm) > 1.0


GROUPS = {"step_forward": (rnn_checks._step_cases, rnn_checks._STEP_FORWARD_MISTAKES),
          "step_backward": (rnn_checks._step_cases, rnn_checks._STEP_BACKWARD_MISTAKES),
          "mse_loss": (rnn_checks._mse_cases, rnn_checks._MSE_MISTAKES),
          "bptt": (rnn_checks._bptt_cases, rnn_checks._BPTT_MISTAKES),
          "numerical_gradient": (rnn_checks._numgrad_cases, rnn_checks._NUMGRAD_MISTAKES),
          "clip_grads": (rnn_checks._clip_cases, rnn_checks._CLIP_MISTAKES),
          "sgd_step": (rnn_checks._sgd_cases, rnn_checks._SGD_MISTAKES)}


@pytest.mark.parametrize("exercise", GROUPS)
def test_every_two_known_mistakes_differ_on_some_case(exercise):
    # Otherwise one student's answer would match two descriptions (one of them misleading).
    make_cases, mistakes = GROUPS[exercise]
    cases = make_cases(0)
    answers = [[mistake.compute(case) for case in cases] for mistake in mistakes]
    for i in range(len(mistakes)):
        for j in range(i + 1, len(mistakes)):
            differ = any(not np.allclose(a[k], b[k]) for case_a, case_b in
                         zip(answers[i], answers[j]) for a, b in [(case_a, case_b)] for k in a)
            assert differ, (mistakes[i].description, mistakes[j].description)


# --------------------------------------------------------------------------------------
# Never hangs, never lets an exception out, never changes the caller's state
# --------------------------------------------------------------------------------------

@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(rnn_checks, "TIME_LIMIT", 0.5)


def endless(*args):
    while True:
        pass


def endless_with_bare_except(*args):
    while True:
        try:
            sum(range(1000))
        except:  # noqa: E722, as a student might write it
            pass


def sleeps(*args):
    time.sleep(30)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("fn", [endless, endless_with_bare_except, sleeps],
                         ids=lambda f: f.__name__)
def test_an_endless_or_slow_function_is_stopped_with_a_message(short_limit, check, fn):
    start = time.perf_counter()
    result = check(fn)
    assert time.perf_counter() - start < 5.0
    assert not result.passed and result.summary == "timed out"
    assert "did not return within 0.5 s in case 1" in result.message
    assert "endless loop" in result.message


def test_the_time_limit_also_works_outside_the_main_thread(short_limit):
    results = []
    thread = threading.Thread(target=lambda: results.append(rnn_checks.check_bptt(endless)))
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and "did not return within" in results[0].message


def test_a_right_function_is_not_stopped_by_the_time_limit():
    assert rnn_checks.TIME_LIMIT >= 5.0            # a student's explicit loops fit easily
    start = time.perf_counter()
    assert rnn_checks.check_numerical_gradient(numerical_gradient_right).passed
    assert time.perf_counter() - start < rnn_checks.TIME_LIMIT


class StrRaises(Exception):
    def __str__(self):
        raise RuntimeError("no text")


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("error, words", [
    (SystemExit(3), ["called sys.exit()", "SystemExit"]),
    (KeyboardInterrupt(), ["KeyboardInterrupt"]),
    (GeneratorExit(), ["GeneratorExit"]),
    (StrRaises(), ["StrRaises", "could not be shown"]),
], ids=["SystemExit", "KeyboardInterrupt", "GeneratorExit", "str raises"])
def test_any_base_exception_is_reported_not_raised(check, error, words):
    def raises(*args):
        raise error
    result = check(raises)
    assert not result.passed
    for word in words:
        assert word in result.message, result.message


def test_sys_exit_inside_the_function_is_reported():
    def exits(params, xs, hs, dy):
        sys.exit("bye")
    result = rnn_checks.check_bptt(exits)
    assert "called sys.exit()" in result.message and result.summary == "calls sys.exit()"


def test_a_returned_object_that_raises_when_read_is_a_result():
    class Evil:
        def __len__(self):
            raise SystemExit
        __iter__ = __len__
    result = rnn_checks.check_step_backward(lambda *args: Evil())
    assert isinstance(result, rnn_checks.CheckResult) and not result.passed


def test_numpy_state_set_by_the_student_is_put_back():
    def meddles(x_t, h_prev, Wxh, Whh, bh):
        np.seterr(all="raise")
        np.random.seed(123)
        np.set_printoptions(precision=2)
        return step_forward_right(x_t, h_prev, Wxh, Whh, bh)
    np.random.seed(7)
    expected = np.random.get_state()[1].copy()
    err, printoptions = np.geterr(), np.get_printoptions()
    assert rnn_checks.check_step_forward(meddles).passed
    assert np.geterr() == err and np.get_printoptions() == printoptions
    assert np.array_equal(np.random.get_state()[1], expected)


def test_the_notebooks_globals_are_named():
    namespace = {"np": np, "T": 4, "Why": np.zeros((3, 6))}
    exec("def bptt(params, xs, hs, dy):\n"
         "    g = {k: np.zeros_like(v) for k, v in params.items()}\n"
         "    g['Why'] = np.outer(dy, hs[T])\n"
         "    dh = Why.T @ dy\n"
         "    return g\n", namespace)
    message = rnn_checks.check_bptt(namespace["bptt"]).message
    assert "reads the notebook's global variables T, Why" in message


def test_a_global_attribute_name_is_not_taken_for_a_global():
    # Whh.T reads the attribute T, not the notebook's variable T.
    namespace = {"np": np, "T": 4}
    exec("def bptt(params, xs, hs, dy):\n"
         "    return {k: v.T.T * 0 for k, v in params.items()}\n", namespace)
    assert "global" not in rnn_checks.check_bptt(namespace["bptt"]).message


def test_float32_in_the_forward_pass_passes_with_a_note():
    def forward_float32(x_t, h_prev, Wxh, Whh, bh):
        return step_forward_right(*(a.astype(np.float32) for a in (x_t, h_prev, Wxh, Whh, bh)))
    result = rnn_checks.check_step_forward(forward_float32)
    assert result.passed and "float32" in result.message


def test_float32_round_off_in_a_gradient_is_called_that():
    def bptt_float32_inside(params, xs, hs, dy):
        small = {k: v.astype(np.float32) for k, v in params.items()}
        grads = bptt_right(small, xs.astype(np.float32), hs.astype(np.float32),
                           dy.astype(np.float32))
        return {k: v.astype(np.float64) for k, v in grads.items()}
    message = rnn_checks.check_bptt(bptt_float32_inside).message
    assert "float32 round-off" in message and "Known mistake" not in message
    float32_out = rnn_checks.check_bptt(lambda *a: {k: v.astype(np.float32) for k, v in
                                                    bptt_right(*a).items()}).message
    assert "dtype float32; expected float64" in float32_out


@pytest.mark.parametrize("factor, words", [(-1.0, "exactly −1 times"), (2.0, "exactly 2 times"),
                                           (0.5, "exactly 1/2 times")])
def test_a_constant_factor_is_named(factor, words):
    result = rnn_checks.check_bptt(lambda *a: {k: factor * v for k, v in bptt_right(*a).items()})
    assert words in result.message and "Known mistake" not in result.message


def test_the_fallback_shows_the_worst_entry_next_to_the_right_value():
    def bptt_one_entry_off(params, xs, hs, dy):
        grads = bptt_right(params, xs, hs, dy)
        grads["Wxh"] = grads["Wxh"].copy()
        grads["Wxh"][1, 0] += 0.5
        return grads
    message = rnn_checks.check_bptt(bptt_one_entry_off).message
    assert re.search(r"Largest difference in case \d \(D = .*\): Wxh\[1, 0\] is -?[\d.]+, the "
                     r"right value is -?[\d.]+\.", message), message
    assert "hs[t] is h_t" in message                      # bptt's own advice


def test_the_not_implemented_message_does_not_mention_solution_markers():
    message = rnn_checks.check_bptt(unfinished).message
    assert "SOLUTION" not in message and "raise NotImplementedError(...)" in message


# --------------------------------------------------------------------------------------
# The student-style attempts of tests/attempts/ (see tools/evaluate_checks.py)
# --------------------------------------------------------------------------------------

CHECK_OF = {"step_forward": C.check_step_forward, "mse_loss": C.check_mse_loss,
            "step_backward": C.check_step_backward, "bptt": C.check_bptt,
            "numerical_gradient": C.check_numerical_gradient, "clip_grads": C.check_clip_grads,
            "sgd_step": C.check_sgd_step}


def load_attempts(split):
    found = []
    for path in sorted((ATTEMPTS / split).glob("*.py")):
        registry.ATTEMPTS.clear()
        spec = importlib.util.spec_from_file_location(f"attempts_{split}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        names = {id(value): key for key, value in vars(module).items()}
        found += [(module.EXERCISE, names[id(fn)], fn, *fn.attempt) for fn in registry.ATTEMPTS]
    return found


TUNING, HELDOUT = load_attempts("tuning"), load_attempts("heldout")


def diagnose(exercise, fn, label):
    result = CHECK_OF[exercise](fn)
    if label is None:
        return "passed" if result.passed else "failed", result
    if result.passed:
        return "passed", result
    if label == "not_implemented":
        return ("named" if result.status == "not implemented" else "unnamed"), result
    if labels.names(exercise, label, result.message):
        return "named", result
    if labels.other_names(exercise, label, result.message) or "Known mistake" in result.message:
        return "misleading", result
    return "unnamed", result


@pytest.mark.parametrize("split, exercise, name, fn, kind, label",
                         [("tuning", *a) for a in TUNING if a[3] == "right"]
                         + [("heldout", *a) for a in HELDOUT if a[3] == "right"],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_correct_alternative_passes(split, exercise, name, fn, kind, label):
    outcome, result = diagnose(exercise, fn, None)
    assert outcome == "passed", result.message


@pytest.mark.parametrize("split", ["tuning", "heldout"])
def test_the_attempts_are_named_and_never_misdiagnosed(split, monkeypatch):
    # The targets: the mistake named in at least 85% of the wrong attempts, none passed,
    # none misled, none hung (the short time limit keeps the endless ones quick).
    monkeypatch.setattr(rnn_checks, "TIME_LIMIT", 1.0)
    wrong = [a for a in (TUNING if split == "tuning" else HELDOUT) if a[3] == "wrong"]
    outcomes = {}
    for exercise, name, fn, kind, label in wrong:
        outcomes[name] = diagnose(exercise, fn, label)[0]
    bad = {name: outcome for name, outcome in outcomes.items()
           if outcome in ("passed", "misleading")}
    assert not bad, bad
    named = sum(outcome == "named" for outcome in outcomes.values())
    assert named >= 0.85 * len(wrong), (named, len(wrong), outcomes)


# --------------------------------------------------------------------------------------
# yours() and load_function(): the student's function in later cells and lessons
# --------------------------------------------------------------------------------------

def write_notebook(path, *sources):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# A lesson"}]
    cells += [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
               "execution_count": None} for source in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")


BPTT_CELL = '''import numpy as np


def bptt(params, xs, hs, dy):
    """The student's, with a helper in the same cell."""
    return helper(params, xs, hs, dy)


def helper(params, xs, hs, dy):
    return {k: v for k, v in reference(params, xs, hs, dy).items()}


def reference(params, xs, hs, dy):
    import rnn_core
    return rnn_core.backward(params, xs, hs, dy)[0]


bptt(None, None, None, None)     # a test call in the cell: left out when loading
'''


def test_yours_takes_a_passing_function_from_the_namespace(capsys):
    fn = rnn_checks.yours("bptt", {"bptt": bptt_right})
    assert fn is bptt_right
    assert capsys.readouterr().out == "Using your bptt (its check passes).\n"


def test_yours_falls_back_and_says_why(capsys, tmp_path):
    fn = rnn_checks.yours("bptt", {"bptt": bptt_no_tanh_prime}, folder=tmp_path)
    assert fn is rnn_checks._reference_bptt
    out = capsys.readouterr().out
    assert out.startswith("Using rnn_core.backward for bptt: yours does not pass its check yet")
    assert "tanh' missing" in out
    assert rnn_checks.yours("bptt", {"bptt": unfinished}) is rnn_checks._reference_bptt
    assert "is not implemented yet" in capsys.readouterr().out


def test_yours_reads_the_saved_notebook_of_an_earlier_lesson(capsys, tmp_path):
    write_notebook(tmp_path / "04_bptt_shared_weights.ipynb", "x = 1", BPTT_CELL)
    fn = rnn_checks.yours("bptt", {}, folder=tmp_path)
    assert fn is not rnn_checks._reference_bptt and fn.__name__ == "bptt"
    assert capsys.readouterr().out == ("Using your bptt from 04_bptt_shared_weights.ipynb "
                                       "(its check passes).\n")


@pytest.mark.parametrize("sources, words", [
    ((), "04_bptt_shared_weights.ipynb does not define it"),
    (("def bptt(params, xs, hs, dy):\n    return {k: 0 * v for k, v in params.items(\n",),
     "syntax error (line 2 of its cell)"),
    (("import no_such_module\n\ndef bptt(params, xs, hs, dy):\n    pass\n",),
     "error while defining it (ModuleNotFoundError"),
    (("def bptt(params, xs, hs, dy):\n    raise NotImplementedError('write it')\n",),
     "yours from 04_bptt_shared_weights.ipynb is not implemented yet"),
], ids=["not defined", "syntax error", "import fails", "not implemented"])
def test_yours_with_a_saved_notebook_that_cannot_be_used(capsys, tmp_path, sources, words):
    write_notebook(tmp_path / "04_bptt_shared_weights.ipynb", *sources)
    assert rnn_checks.yours("bptt", None, folder=tmp_path) is rnn_checks._reference_bptt
    out = capsys.readouterr().out
    assert out.startswith("Using rnn_core.backward for bptt") and words in out, out


def test_yours_without_the_notebook(capsys, tmp_path):
    assert rnn_checks.yours("clip_grads", {}, folder=tmp_path) is rnn_core.clip_grads
    assert "09_clipping.ipynb is not in this folder" in capsys.readouterr().out


def test_load_function_leaves_out_other_statements_and_names_its_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    write_notebook(path, "def f(x):\n    return 1 / x\n\nf(0)\n")
    fn, reason = rnn_checks.load_function(path, "f")
    assert reason is None and fn(2) == 0.5
    with pytest.raises(ZeroDivisionError) as error:
        fn(0)
    assert "nb.ipynb, cell 1" in error.value.__traceback__.tb_next.tb_frame.f_code.co_filename
    (tmp_path / "broken.ipynb").write_text("{ not json", encoding="utf-8")
    assert rnn_checks.load_function(tmp_path / "broken.ipynb", "f") == (None,
                                                                        "unreadable notebook")
    assert rnn_checks.load_function(tmp_path / "none.ipynb", "f") == (None, "no notebook")


def test_an_endless_loop_at_the_top_of_a_cell_is_not_run(tmp_path, short_limit):
    path = tmp_path / "nb.ipynb"
    write_notebook(path, "def f():\n    return 1\n\nwhile True:\n    pass\n")
    assert rnn_checks.load_function(path, "f")[0]() == 1


def test_every_exercise_has_a_reference_that_passes_its_own_check():
    for name, (check, notebook, reference, words) in rnn_checks.EXERCISES.items():
        assert check(reference).passed, name
        assert (Path(__file__).resolve().parent.parent / "notebooks" / notebook).is_file()


# --------------------------------------------------------------------------------------
# Bad input to every public name: a clear message (a result for a check, an exception
# naming the argument otherwise)
# --------------------------------------------------------------------------------------

NOT_FUNCTIONS = [None, "bptt", 3, np.zeros(2), {"a": 1}]
CHECK_ROWS = [(check, value) for check in ALL_CHECKS for value in NOT_FUNCTIONS]


@pytest.mark.parametrize("check, value", CHECK_ROWS,
                         ids=[f"{c.__name__}-{type(v).__name__}" for c, v in CHECK_ROWS])
def test_a_check_given_something_else_than_a_function(check, value):
    result = check(value)
    assert isinstance(result, rnn_checks.CheckResult) and result.status == "failed"
    assert "must be a function" in result.message and result.summary == "not a function"


def test_a_check_given_a_function_with_the_wrong_arguments():
    result = rnn_checks.check_bptt(lambda params: params)
    assert "crashed in case 1" in result.message and "TypeError" in result.message


# (id, call, exception, a word the message must contain)
OTHER_ROWS = [
    ("yours name unknown", lambda: rnn_checks.yours("forward", {}), ValueError, "name"),
    ("yours name not str", lambda: rnn_checks.yours(3, {}), ValueError, "name"),
    ("yours namespace list", lambda: rnn_checks.yours("bptt", []), TypeError, "namespace"),
    ("yours folder int", lambda: rnn_checks.yours("bptt", {}, folder=3), TypeError, "folder"),
    ("load_function path None", lambda: rnn_checks.load_function(None, "f"), TypeError, "path"),
    ("load_function name int", lambda: rnn_checks.load_function("x.ipynb", 3), ValueError,
     "name"),
    ("load_function name not identifier", lambda: rnn_checks.load_function("x.ipynb", "a b"),
     ValueError, "name"),
    ("CheckResult status", lambda: rnn_checks.CheckResult("x", "ok", "m"), ValueError, "status"),
    ("CheckResult message", lambda: rnn_checks.CheckResult("x", "failed", None), TypeError,
     "message"),
]


@pytest.mark.parametrize("call, error, word", [row[1:] for row in OTHER_ROWS],
                         ids=[row[0] for row in OTHER_ROWS])
def test_bad_input_to_the_other_public_names(call, error, word):
    with pytest.raises(error, match=word):
        call()


def test_every_public_name_of_rnn_checks_has_a_bad_input_row():
    covered = {check.__name__ for check, _ in CHECK_ROWS}
    covered |= {row[0].split()[0] for row in OTHER_ROWS}
    constants = {"EXERCISES", "TIME_LIMIT"}
    missing = set(rnn_checks.__all__) - covered - constants
    assert not missing, missing


def test_a_mistake_is_named_only_if_it_matches_every_case():
    # Exactly the tanh' mistake in case 1 (T = 5), right in the other cases: no case but
    # the first fits that description, so naming it would mislead.
    def bptt_wrong_in_case_1(params, xs, hs, dy):
        if xs.shape[0] == 5:
            return bptt_no_tanh_prime(params, xs, hs, dy)
        return bptt_right(params, xs, hs, dy)
    result = rnn_checks.check_bptt(bptt_wrong_in_case_1)
    assert not result.passed and "Known mistake" not in result.message
    assert "Wrong values: Wxh (in case 1)" in result.message
