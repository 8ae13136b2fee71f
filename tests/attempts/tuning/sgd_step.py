"""Tuning attempts at sgd_step(params, grads, learning_rate) -> new params."""
import numpy as np

from registry import right, wrong

EXERCISE = "sgd_step"
lr = 0.1                       # a name a student might have set in an earlier cell


@wrong("plus")
def uphill(params, grads, learning_rate):
    return {k: params[k] + learning_rate * grads[k] for k in params}


@wrong("no_lr")
def no_learning_rate(params, grads, learning_rate):
    return {k: params[k] - grads[k] for k in params}


@wrong("in_place")
def minus_equals(params, grads, learning_rate):
    for k in params:
        params[k] -= learning_rate * grads[k]
    return params


@wrong("shallow_copy")
def shallow(params, grads, learning_rate):
    new = dict(params)
    for k in new:
        new[k] -= learning_rate * grads[k]
    return new


@wrong("swapped")
def grads_minus_params(params, grads, learning_rate):
    return {k: grads[k] - learning_rate * params[k] for k in params}


@wrong("lr_squared")
def lr_squared(params, grads, learning_rate):
    return {k: params[k] - learning_rate ** 2 * grads[k] for k in params}


@wrong("global")
def reads_global_lr(params, grads, learning_rate):
    return {k: params[k] - lr * grads[k] for k in params}


@wrong("weights_only")
def skips_biases(params, grads, learning_rate):
    return {k: (params[k] - learning_rate * grads[k] if k.startswith("W") else params[k])
            for k in params}


@wrong("returns_list")
def returns_list(params, grads, learning_rate):
    return [params[k] - learning_rate * grads[k] for k in params]


@wrong("missing_key")
def only_some_keys(params, grads, learning_rate):
    return {k: params[k] - learning_rate * grads[k] for k in ("Wxh", "Whh", "Why")}


@wrong("step_only")
def the_step(params, grads, learning_rate):
    return {k: -learning_rate * grads[k] for k in params}


@wrong("dict_update")
def updates_the_dict(params, grads, learning_rate):
    for k in list(params):
        params[k] = params[k] - learning_rate * grads[k]
    return params


@wrong("system_exit")
def exits(params, grads, learning_rate):
    raise SystemExit(1)


@right
def loop_new_dict(params, grads, learning_rate):
    new = {}
    for k in params:
        new[k] = params[k] - learning_rate * grads[k]
    return new


@right
def copies_then_minus_equals(params, grads, learning_rate):
    new = {k: v.copy() for k, v in params.items()}
    for k in new:
        new[k] -= learning_rate * grads[k]
    return new


@right
def keys_from_grads(params, grads, learning_rate):
    return {k: params[k] - np.float64(learning_rate) * g for k, g in grads.items()}
