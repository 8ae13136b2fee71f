"""Held-out attempts at clip_grads(grads, max_norm) -> new dict."""
import numpy as np

from registry import right, wrong

EXERCISE = "clip_grads"


@wrong("comparison_flipped")
def clip_when_small(grads, max_norm):
    norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
    if norm < max_norm:
        return {k: g * max_norm / norm for k, g in grads.items()}
    return dict(grads)


@wrong("max_for_min")
def clip_max(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    factor = max(1.0, max_norm / norm)
    return {k: factor * g for k, g in grads.items()}


@wrong("rms_norm")
def clip_rms(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads.values()])
    norm = np.sqrt(np.mean(flat ** 2))
    if norm > max_norm:
        return {k: g * (max_norm / norm) for k, g in grads.items()}
    return dict(grads)


@wrong("weights_only")
def clip_skips_biases(grads, max_norm):
    names = [k for k in grads if k.startswith("W")]
    norm = np.sqrt(sum(np.sum(grads[k] ** 2) for k in grads))
    out = dict(grads)
    if norm > max_norm:
        for k in names:
            out[k] = grads[k] * max_norm / norm
    return out


@wrong("factor_squared")
def clip_squared(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()]))
    if norm > max_norm:
        return {k: g * (max_norm / norm) ** 2 for k, g in grads.items()}
    return dict(grads)


@wrong("shallow_copy")
def clip_copy_then_scale(grads, max_norm):
    out = grads.copy()
    norm = np.sqrt(sum(np.sum(g ** 2) for g in out.values()))
    if norm > max_norm:
        for k in out:
            out[k] *= max_norm / norm
    return out


@wrong("returns_callers_dict")
def clip_returns_grads(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm <= max_norm:
        return grads
    return {k: g * max_norm / norm for k, g in grads.items()}


@wrong("max_of_norms")
def clip_largest_norm(grads, max_norm):
    norm = max(np.linalg.norm(g) for g in grads.values())
    if norm > max_norm:
        return {k: g * max_norm / norm for k, g in grads.items()}
    return dict(grads)


@right
def clip_concatenate(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads.values()])
    scale = min(1.0, max_norm / np.linalg.norm(flat))
    return {k: g * scale for k, g in grads.items()}


@right
def clip_norms_of_norms(grads, max_norm):
    norm = np.linalg.norm([np.linalg.norm(g) for g in grads.values()])
    out = {}
    for k, g in grads.items():
        out[k] = g.copy()
        if norm > max_norm:
            out[k] *= max_norm / norm
    return out


@right
def clip_loop_squares(grads, max_norm):
    total = 0.0
    for g in grads.values():
        for value in g.flat:
            total += value * value
    norm = total ** 0.5
    if norm >= max_norm:
        return {k: g / norm * max_norm for k, g in grads.items()}
    return {k: g.copy() for k, g in grads.items()}
