"""Held-out attempts at rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t (H, B)."""
import numpy as np

from registry import right, wrong

EXERCISE = "step_forward"
# What notebook 01 defines before the exercise (the 2-unit example): a function that reads
# one of these instead of its argument uses the notebook's value.
h0 = np.array([[0.5], [-0.5]])
bh_example = np.array([[0.0], [0.1]])


@wrong("sigmoid")
def forward_logistic(x_t, h_prev, Wxh, Whh, bh):
    a = Wxh @ x_t + Whh @ h_prev + bh
    return 1.0 / (1.0 + np.exp(-a))


@wrong("no_bias")
def forward_forgot_b(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(np.dot(Wxh, x_t) + np.dot(Whh, h_prev))


@wrong("whh_transposed")
def forward_hT(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + (h_prev.T @ Whh).T + bh)


@wrong("tanh_misplaced")
def forward_tanh_only_input(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t) + Whh @ h_prev + bh


@wrong("global")
def forward_reads_h0(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h0 + bh)


@wrong("in_place")
def forward_overwrites_h_prev(x_t, h_prev, Wxh, Whh, bh):
    h_prev[:] = np.tanh(Wxh @ x_t + Whh @ h_prev + bh)
    return h_prev


@wrong("relu")
def forward_relu(x_t, h_prev, Wxh, Whh, bh):
    return np.maximum(0, Wxh @ x_t + Whh @ h_prev + bh)


@wrong("endless_loop")
def forward_while(x_t, h_prev, Wxh, Whh, bh):
    h = h_prev
    t = 0
    while t < 1:
        h = np.tanh(Wxh @ x_t + Whh @ h + bh)
    return h


@wrong("first_column_only")
def forward_one_column(x_t, h_prev, Wxh, Whh, bh):
    h = np.tanh(Wxh @ x_t[:, 0] + Whh @ h_prev[:, 0] + bh[:, 0])
    return np.tile(h[:, None], (1, x_t.shape[1]))


@right
def forward_einsum(x_t, h_prev, Wxh, Whh, bh):
    a = np.einsum("hd,db->hb", Wxh, x_t) + np.einsum("hk,kb->hb", Whh, h_prev) + bh
    return np.tanh(a)


@right
def forward_loops(x_t, h_prev, Wxh, Whh, bh):
    H, B = h_prev.shape
    D = x_t.shape[0]
    h = np.zeros((H, B))
    for b in range(B):
        for i in range(H):
            a = bh[i, 0]
            for j in range(D):
                a += Wxh[i, j] * x_t[j, b]
            for k in range(H):
                a += Whh[i, k] * h_prev[k, b]
            h[i, b] = np.tanh(a)
    return h


@right
def forward_exp_formula(x_t, h_prev, Wxh, Whh, bh):
    a = Wxh.dot(x_t) + Whh.dot(h_prev) + bh
    return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1)
