"""Tuning attempts at numerical_gradient(f, x, eps) -> grad shaped like x."""
import numpy as np

from registry import right, wrong

EXERCISE = "numerical_gradient"


def _centered(f, x, eps, *, divisor=2.0, restore=True, copy=True, step_eps=None):
    x = x.copy() if copy else x
    step = eps if step_eps is None else step_eps
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        plus = f(x)
        x[i] = old - step
        minus = f(x)
        if restore:
            x[i] = old
        grad[i] = (plus - minus) / (divisor * step)
    return grad


@wrong("forward_difference")
def forward_difference(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - fx) / eps
        x[i] = old
    return grad


@wrong("no_half")
def divided_by_eps(f, x, eps=1e-5):
    return _centered(f, x, eps, divisor=1.0)


@wrong("not_restored")
def not_restored(f, x, eps=1e-5):
    return _centered(f, x, eps, restore=False)


@wrong("wrong_restore")
def restored_to_plus(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old + eps
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@wrong("eps_ignored")
def ignores_eps(f, x, eps=1e-5):
    return _centered(f, x, 1e-5)


@wrong("in_place")
def changes_callers_x(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@wrong("flattened_call")
def calls_f_flat(f, x, eps=1e-5):
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


@wrong("only_1d")
def one_loop(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@wrong("only_2d")
def two_loops(f, x, eps=1e-5):
    if x.ndim == 1:
        return _centered(f, x, eps)
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


@wrong("all_at_once")
def all_entries_at_once(f, x, eps=1e-5):
    return np.ones_like(x) * (f(x + eps) - f(x - eps)) / (2 * eps)


@wrong("backward_difference")
def backward_difference(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - eps
        grad[i] = (fx - f(x)) / eps
        x[i] = old
    return grad


@wrong("sign")
def minus_first(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - eps
        a = f(x)
        x[i] = old + eps
        b = f(x)
        x[i] = old
        grad[i] = (a - b) / (2 * eps)
    return grad


@wrong("relative_step")
def relative_step(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old * (1 + eps)
        plus = f(x)
        x[i] = old * (1 - eps)
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@wrong("returns_list")
def returns_list(f, x, eps=1e-5):
    return _centered(f, x, eps).tolist()


@wrong("endless_loop")
def while_loop_never_ends(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    k = 0
    while k < x.size:
        i = np.unravel_index(k, x.shape)
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@right
def reference_style(f, x, eps=1e-5):
    return _centered(f, x, eps)


@right
def four_point_stencil(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        vals = {}
        for k in (-2, -1, 1, 2):
            x[i] = old + k * eps
            vals[k] = f(x)
        x[i] = old
        grad[i] = (vals[-2] - 8 * vals[-1] + 8 * vals[1] - vals[2]) / (12 * eps)
    return grad


@right
def half_steps(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps / 2
        plus = f(x)
        x[i] = old - eps / 2
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / eps
    return grad


@right
def basis_arrays(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        e = e.reshape(x.shape)
        grad.flat[k] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad


@right
def no_copy_but_restored(f, x, eps=1e-5):
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
