"""Held-out attempts at rnn_step_backward(dh_t, x_t, h_prev, h_t, Wxh, Whh)
-> (dx_t, dh_prev, dWxh, dWhh, dbh)."""
import numpy as np

from registry import right, wrong

EXERCISE = "step_backward"


@wrong("dWhh_transposed")
def backward_outer_order(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, h_prev @ delta.T,
            delta.sum(axis=1, keepdims=True))


@wrong("recursion_through_dh")
def backward_dh_prev_from_dh(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ dh_t, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("sigmoid_derivative")
def backward_h_one_minus_h(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * h_t * (1 - h_t)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("one_minus_h_squared")
def backward_square_outside(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t) ** 2
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("dbh_axis0")
def backward_dbh_axis0(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=0, keepdims=True))


@wrong("batch_mean")
def backward_means(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    B = delta.shape[1]
    return (Wxh.T @ delta, Whh.T @ delta, (delta @ x_t.T) / B, (delta @ h_prev.T) / B,
            np.mean(delta, axis=1, keepdims=True))


@wrong("in_place")
def backward_scales_dh_in_place(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    dh_t *= 1 - h_t ** 2
    delta = dh_t
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("sign")
def backward_negative(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = -dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, delta @ x_t.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@wrong("dWxh_transposed")
def backward_dWxh_layout(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t ** 2)
    return (Wxh.T @ delta, Whh.T @ delta, x_t @ delta.T, delta @ h_prev.T,
            delta.sum(axis=1, keepdims=True))


@right
def backward_einsum(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    delta = dh_t * (1 - h_t) * (1 + h_t)
    return (np.einsum("hd,hb->db", Wxh, delta), np.einsum("hk,hb->kb", Whh, delta),
            np.einsum("hb,db->hd", delta, x_t), np.einsum("hb,kb->hk", delta, h_prev),
            np.einsum("hb->h", delta)[:, None])


@right
def backward_loop_over_batch(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    H, B = dh_t.shape
    dx = np.zeros(x_t.shape)
    dh_prev = np.zeros(h_prev.shape)
    dWxh, dWhh, dbh = np.zeros(Wxh.shape), np.zeros(Whh.shape), np.zeros((H, 1))
    for b in range(B):
        delta = dh_t[:, b] * (1 - h_t[:, b] ** 2)
        dx[:, b] = Wxh.T.dot(delta)
        dh_prev[:, b] = Whh.T.dot(delta)
        dWxh += np.outer(delta, x_t[:, b])
        dWhh += np.outer(delta, h_prev[:, b])
        dbh[:, 0] += delta
    return dx, dh_prev, dWxh, dWhh, dbh


@right
def backward_list(dh_t, x_t, h_prev, h_t, Wxh, Whh):
    da = np.multiply(dh_t, 1 - np.square(h_t))
    return [np.dot(Wxh.T, da), np.dot(Whh.T, da), np.dot(da, x_t.T), np.dot(da, h_prev.T),
            np.sum(da, axis=1).reshape(-1, 1)]
