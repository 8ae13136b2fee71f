"""Held-out attempts at numerical_gradient(f, x, eps) -> grad shaped like x."""
import numpy as np

from registry import right, wrong

EXERCISE = "numerical_gradient"


@wrong("only_2d")
def numgrad_two_loops(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    if x.ndim == 1:
        for i in range(x.shape[0]):
            old = x[i]
            x[i] = old + eps
            plus = f(x)
            x[i] = old - eps
            minus = f(x)
            x[i] = old
            grad[i] = (plus - minus) / (2 * eps)
        return grad
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            old = x[i, j]
            x[i, j] = old + eps
            plus = f(x)
            x[i, j] = old - eps
            minus = f(x)
            x[i, j] = old
            grad[i, j] = (plus - minus) / (2 * eps)
    return grad


@wrong("backward_difference")
def numgrad_backward(f, x, eps=1e-5):
    x = x.astype(float)
    grad = np.zeros(x.shape)
    fx = f(x)
    for idx in np.ndindex(*x.shape):
        saved = x[idx]
        x[idx] = saved - eps
        grad[idx] = (fx - f(x)) / eps
        x[idx] = saved
    return grad


@wrong("wrong_restore")
def numgrad_restores_plus(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f1 = f(x)
        x[i] -= 2 * eps
        f2 = f(x)
        x[i] -= eps
        grad[i] = (f1 - f2) / (2 * eps)
    return grad


@wrong("all_at_once")
def numgrad_shift_everything(f, x, eps=1e-5):
    slope = (f(x + eps) - f(x - eps)) / (2 * eps)
    return np.full(x.shape, slope)


@wrong("double_step")
def numgrad_two_eps(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 2 * eps
        up = f(x)
        x[i] = old - 2 * eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


@wrong("eps_ignored")
def numgrad_own_h(f, x, eps=1e-5):
    h = 1e-6
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


@wrong("in_place")
def numgrad_no_copy(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)
        x[i] += eps
        grad[i] = (up - down) / (2 * eps)
    return grad


@wrong("slow")
def numgrad_sleeps(f, x, eps=1e-5):
    import time
    time.sleep(30)
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


@right
def numgrad_copy_per_point(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


@right
def numgrad_nditer(f, x, eps=1e-5):
    work = np.array(x, dtype=float, copy=True)
    grad = np.zeros_like(work)
    it = np.nditer(work, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        keep = work[i]
        work[i] = keep + eps
        a = f(work)
        work[i] = keep - eps
        b = f(work)
        work[i] = keep
        grad[i] = (a - b) / (2 * eps)
        it.iternext()
    return grad


@right
def numgrad_flat_view(f, x, eps=1e-5):
    work = x.astype(np.float64)            # a copy
    flat = work.reshape(-1)                # a view of the copy: nudging it nudges work
    grad = np.empty(flat.size)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        a = f(work)
        flat[k] = keep - eps
        b = f(work)
        flat[k] = keep
        grad[k] = (a - b) / (2 * eps)
    return grad.reshape(x.shape)


@right
def numgrad_five_point(f, x, eps=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        values = []
        for k in (2, 1, -1, -2):
            x[i] = old + k * eps
            values.append(f(x))
        x[i] = old
        grad[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad
