"""Tuning attempts at rnn_step_forward(x_t, h_prev, Wxh, Whh, bh) -> h_t (H, B)."""
import numpy as np

from registry import right, wrong

EXERCISE = "step_forward"
# Notebook 01's 2-unit example, defined before the exercise.
Wxh_example = np.array([[0.5], [-1.0]])
Whh = np.array([[0.1, 0.4], [-0.3, 0.2]])
bh = np.array([[0.0], [0.1]])


@wrong("no_tanh")
def no_tanh(x_t, h_prev, Wxh, Whh, bh):
    return Wxh @ x_t + Whh @ h_prev + bh


@wrong("no_bias")
def no_bias(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev)


@wrong("bias_after_tanh")
def bias_after_tanh(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev) + bh


@wrong("whh_transposed")
def whh_transposed(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh.T @ h_prev + bh)


@wrong("no_recurrence")
def no_recurrence(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + bh)


@wrong("sigmoid")
def sigmoid(x_t, h_prev, Wxh, Whh, bh):
    return 1 / (1 + np.exp(-(Wxh @ x_t + Whh @ h_prev + bh)))


@wrong("relu")
def relu(x_t, h_prev, Wxh, Whh, bh):
    a = Wxh @ x_t + Whh @ h_prev + bh
    return a * (a > 0)


@wrong("tanh_twice")
def tanh_twice(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(np.tanh(Wxh @ x_t + Whh @ h_prev + bh))


@wrong("elementwise")
def elementwise(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh * h_prev + bh)


@wrong("crash_swapped")
def swapped(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ h_prev + Whh @ x_t + bh)


@wrong("transposed_result")
def transposed_result(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(x_t.T @ Wxh.T + h_prev.T @ Whh.T + bh.T)


@wrong("summed_over_batch")
def summed(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev + bh).sum(axis=1, keepdims=True)


@wrong("returns_tuple")
def returns_tuple(x_t, h_prev, Wxh, Whh, bh):
    a = Wxh @ x_t + Whh @ h_prev + bh
    return a, np.tanh(a)


@wrong("global")
def global_Whh(x_t, h_prev, Wxh, Whh_, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev + bh)


@wrong("first_column_only")
def first_column(x_t, h_prev, Wxh, Whh, bh):
    h = np.tanh(Wxh @ x_t[:, :1] + Whh @ h_prev[:, :1] + bh)
    return np.repeat(h, x_t.shape[1], axis=1)


@wrong("not_implemented")
def unfinished(x_t, h_prev, Wxh, Whh, bh):
    raise NotImplementedError("a_t = ..., h_t = ...")


@wrong("returns_none")
def forgot_return(x_t, h_prev, Wxh, Whh, bh):
    a_t = Wxh @ x_t + Whh @ h_prev + bh
    h_t = np.tanh(a_t)  # noqa: F841


@right
def dot(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(np.dot(Wxh, x_t) + np.dot(Whh, h_prev) + bh)


@right
def float32_inside(x_t, h_prev, Wxh, Whh, bh):
    a = (Wxh.astype(np.float32) @ x_t.astype(np.float32)
         + Whh.astype(np.float32) @ h_prev.astype(np.float32) + bh.astype(np.float32))
    return np.tanh(a)


@right
def stacked(x_t, h_prev, Wxh, Whh, bh):
    W = np.hstack([Wxh, Whh, bh])
    z = np.vstack([x_t, h_prev, np.ones((1, x_t.shape[1]))])
    return np.tanh(W @ z)


@right
def column_loop(x_t, h_prev, Wxh, Whh, bh):
    columns = [np.tanh(Wxh @ x_t[:, b] + Whh @ h_prev[:, b] + bh[:, 0])
               for b in range(x_t.shape[1])]
    return np.stack(columns, axis=1)
