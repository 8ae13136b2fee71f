"""Held-out attempts at mse_loss(y, target) -> (loss, dy)."""
import numpy as np

from registry import right, wrong

EXERCISE = "mse_loss"


@wrong("integer_division")
def mse_floor_division(y, target):
    n = y.size
    return np.sum((y - target) ** 2) / n, 2 // n * (y - target)


@wrong("divided_by_B")
def mse_len(y, target):
    n = len(y)
    return np.sum((y - target) ** 2) / n, 2 * (y - target) / n


@wrong("swapped_outputs")
def mse_order(y, target):
    d = y - target
    return 2 * d / d.size, np.mean(d ** 2)


@wrong("sign")
def mse_target_minus_y(y, target):
    d = target - y
    return np.mean(d ** 2), 2 * d / y.size


@wrong("half_mse")
def mse_half(y, target):
    d = y - target
    return 0.5 * np.mean(d ** 2), d / d.size


@wrong("loss_array")
def mse_python_sum(y, target):
    d = y - target
    return sum(d ** 2) / d.size, 2 * d / d.size


@wrong("in_place")
def mse_subtracts_into_y(y, target):
    y -= target
    return float(np.mean(y ** 2)), 2 * y / y.size


@wrong("no_two")
def mse_no_factor(y, target):
    return ((y - target) ** 2).mean(), (y - target) / y.size


@right
def mse_square_mean(y, target):
    err = np.subtract(y, target)
    return float(np.square(err).mean()), np.multiply(2.0 / err.size, err)


@right
def mse_loops(y, target):
    flat_y, flat_t = np.ravel(y), np.ravel(target)
    total = 0.0
    grad = np.zeros(flat_y.shape)
    for i in range(flat_y.size):
        total += (flat_y[i] - flat_t[i]) ** 2
        grad[i] = 2 * (flat_y[i] - flat_t[i]) / flat_y.size
    return total / flat_y.size, grad.reshape(y.shape)


@right
def mse_average(y, target):
    return np.average((y - target) ** 2), (y - target) * (2 / np.prod(y.shape))
