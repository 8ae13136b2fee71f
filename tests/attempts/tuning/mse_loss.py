"""Tuning attempts at mse_loss(y, target) -> (loss, dy)."""
import numpy as np

from registry import right, wrong

EXERCISE = "mse_loss"


@wrong("seed_dy")
def seed_bug_2(y, target):
    return np.mean((y - target) ** 2), y - target


@wrong("no_mean_in_dy")
def gradient_of_the_sum(y, target):
    return np.mean((y - target) ** 2), 2 * (y - target)


@wrong("divided_by_O")
def divided_by_O(y, target):
    O = y.shape[-1]
    return np.sum((y - target) ** 2) / O, 2 * (y - target) / O


@wrong("sign")
def sign_flipped(y, target):
    return np.mean((y - target) ** 2), 2 * (target - y) / y.size


@wrong("sum_loss")
def sum_loss(y, target):
    return np.sum((y - target) ** 2), 2 * (y - target) / y.size


@wrong("loss_array")
def loss_as_array(y, target):
    return (y - target) ** 2 / y.size, 2 * (y - target) / y.size


@wrong("rmse")
def rmse(y, target):
    d = y - target
    return np.sqrt(np.mean(d ** 2)), 2 * d / d.size


@wrong("no_two")
def no_two(y, target):
    d = y - target
    return np.mean(d ** 2), d / d.size


@wrong("loss_array")
def mean_over_axis0(y, target):
    d = y - target
    return np.mean(d ** 2, axis=0), 2 * d / d.size


@wrong("integer_division")
def integer_division(y, target):
    n = y.size
    return np.sum((y - target) ** 2) / n, (2 // n) * (y - target)


@wrong("divided_by_B")
def divided_by_rows(y, target):
    n = y.shape[0]
    return np.sum((y - target) ** 2) / n, 2 * (y - target) / n


@wrong("abs_loss")
def abs_loss(y, target):
    d = y - target
    return np.mean(np.abs(d)), np.sign(d) / d.size


@wrong("in_place")
def in_place(y, target):
    y -= target
    return np.mean(y ** 2), 2 * y / y.size


@wrong("dy_squared")
def dy_squared(y, target):
    d = y - target
    return np.mean(d ** 2), 2 * d ** 2 / d.size


@wrong("swapped_outputs")
def swapped(y, target):
    d = y - target
    return 2 * d / d.size, np.mean(d ** 2)


@right
def square_mean(y, target):
    return float(np.square(y - target).mean()), 2 * (y - target) / np.size(y)


@right
def zero_d_array(y, target):
    d = y - target
    return np.array(np.sum(d * d) / d.size), (2 / d.size) * d


@right
def python_float_loop(y, target):
    n = y.size
    loss = sum(float(v) ** 2 for v in (y - target).ravel()) / n
    return loss, 2.0 * (y - target) / n
