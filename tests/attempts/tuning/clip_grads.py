"""Tuning attempts at clip_grads(grads, max_norm) -> new dict."""
import numpy as np

from registry import right, wrong

EXERCISE = "clip_grads"


def _norm(grads):
    return np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))


@wrong("per_array")
def each_array(grads, max_norm):
    out = {}
    for name, g in grads.items():
        n = np.linalg.norm(g)
        out[name] = g * max_norm / n if n > max_norm else g
    return out


@wrong("by_value")
def by_value(grads, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}


@wrong("always")
def always(grads, max_norm):
    n = _norm(grads)
    return {name: g * max_norm / n for name, g in grads.items()}


@wrong("inverted")
def inverted(grads, max_norm):
    n = _norm(grads)
    if n > max_norm:
        return {name: g * n / max_norm for name, g in grads.items()}
    return dict(grads)


@wrong("sum_of_norms")
def sum_of_norms(grads, max_norm):
    n = sum(np.linalg.norm(g) for g in grads.values())
    return {k: g * max_norm / n for k, g in grads.items()} if n > max_norm else dict(grads)


@wrong("no_sqrt")
def no_sqrt(grads, max_norm):
    n = sum(np.sum(g ** 2) for g in grads.values())
    return {k: g * max_norm / n for k, g in grads.items()} if n > max_norm else dict(grads)


@wrong("in_place")
def in_place(grads, max_norm):
    n = _norm(grads)
    if n > max_norm:
        for g in grads.values():
            g *= max_norm / n
    return grads


@wrong("comparison_flipped")
def flipped(grads, max_norm):
    n = _norm(grads)
    if n < max_norm:
        return {k: g * max_norm / n for k, g in grads.items()}
    return dict(grads)


@wrong("max_for_min")
def max_instead_of_min(grads, max_norm):
    scale = max(1.0, max_norm / _norm(grads))
    return {k: g * scale for k, g in grads.items()}


@wrong("rms_norm")
def rms(grads, max_norm):
    n = np.sqrt(np.mean(np.concatenate([g.ravel() for g in grads.values()]) ** 2))
    return {k: g * max_norm / n for k, g in grads.items()} if n > max_norm else dict(grads)


@wrong("weights_only")
def biases_unclipped(grads, max_norm):
    n = _norm(grads)
    if n <= max_norm:
        return dict(grads)
    return {k: g * max_norm / n if k in ("Wxh", "Whh", "Why") else g for k, g in grads.items()}


@wrong("factor_squared")
def squared_factor(grads, max_norm):
    n = _norm(grads)
    return {k: g * (max_norm / n) ** 2 for k, g in grads.items()} if n > max_norm else dict(grads)


@wrong("returns_callers_dict")
def returns_the_same_dict(grads, max_norm):
    n = _norm(grads)
    if n > max_norm:
        return {k: g * max_norm / n for k, g in grads.items()}
    return grads


@wrong("shallow_copy")
def shallow_copy(grads, max_norm):
    out = dict.copy(grads)
    n = _norm(out)
    if n > max_norm:
        for k in out:
            out[k] *= max_norm / n
    return out


@wrong("norm_of_first")
def norm_of_one_array(grads, max_norm):
    n = np.linalg.norm(grads["Whh"])
    return {k: g * max_norm / n for k, g in grads.items()} if n > max_norm else dict(grads)


@wrong("returns_norm")
def returns_norm_too(grads, max_norm):
    n = _norm(grads)
    return ({k: g * min(1, max_norm / n) for k, g in grads.items()}, n)


@right
def np_minimum(grads, max_norm):
    n = np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()]))
    scale = np.minimum(1.0, max_norm / n)
    return {k: scale * g for k, g in grads.items()}


@right
def copies_then_scales(grads, max_norm):
    out = {k: g.copy() for k, g in grads.items()}
    n = _norm(out)
    if n > max_norm:
        for k in out:
            out[k] *= max_norm / n
    return out


@right
def vdot(grads, max_norm):
    n = np.sqrt(sum(np.vdot(g, g) for g in grads.values()))
    return {k: (g * (max_norm / n) if n > max_norm else g.copy()) for k, g in grads.items()}
