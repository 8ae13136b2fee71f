"""Held-out attempts at sgd_step(params, grads, learning_rate) -> new params."""
import copy

import numpy as np

from registry import right, wrong

EXERCISE = "sgd_step"
learning_rate = 0.1            # notebook 07 defines it before the exercise


@wrong("shallow_copy")
def sgd_copy_minus_equals(params, grads, learning_rate):
    new = params.copy()
    for k in new:
        new[k] -= learning_rate * grads[k]
    return new


@wrong("global")
def sgd_lr_argument_unused(params, grads, lr):
    return {k: params[k] - learning_rate * grads[k] for k in params}


@wrong("step_only")
def sgd_returns_update(params, grads, learning_rate):
    return {k: learning_rate * grads[k] for k in params}


@wrong("weights_only")
def sgd_only_matrices(params, grads, learning_rate):
    new = dict(params)
    for k in ("Wxh", "Whh", "Why"):
        new[k] = params[k] - learning_rate * grads[k]
    return new


@wrong("dict_update")
def sgd_update_dict(params, grads, learning_rate):
    params.update({k: params[k] - learning_rate * grads[k] for k in params})
    return params


@wrong("divided_by_lr")
def sgd_divides(params, grads, learning_rate):
    return {k: params[k] - grads[k] / learning_rate for k in params}


@right
def sgd_deepcopy(params, grads, learning_rate):
    new = copy.deepcopy(params)
    for k in new:
        new[k] -= learning_rate * grads[k]
    return new


@right
def sgd_subtract(params, grads, learning_rate):
    new = {}
    for name, value in params.items():
        new[name] = np.subtract(value, np.multiply(learning_rate, grads[name]))
    return new


@right
def sgd_zip(params, grads, learning_rate):
    return dict((k, p - learning_rate * grads[k]) for k, p in params.items())
