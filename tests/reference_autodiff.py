"""A tiny reverse-mode automatic differentiation over NumPy arrays: the independent reference.

It knows nothing about RNNs or BPTT. It records each operation of the forward computation
and applies the chain rule backwards through the recorded graph, like micrograd but on
arrays. ``rnn_loss_and_grads`` and ``gru_loss_and_grads`` build the loss of the simple RNN and
of the GRU from these operations, step by step, so that the gradients it finds are derived by
the machine rather than by hand.
"""

import numpy as np


class Tensor:
    """A float64 array that remembers how it was computed; ``backward()`` fills ``.grad``."""

    def __init__(self, value, parents=()):
        self.value = np.array(value, dtype=np.float64)
        self.grad = np.zeros_like(self.value)
        self._parents = parents        # pairs (input tensor, upstream grad -> grad for input)

    def __matmul__(self, other):
        return Tensor(self.value @ other.value,
                      [(self, lambda g: g @ other.value.T), (other, lambda g: self.value.T @ g)])

    def __add__(self, other):
        return Tensor(self.value + other.value,
                      [(self, lambda g: _sum_to_shape(g, self.value.shape)),
                       (other, lambda g: _sum_to_shape(g, other.value.shape))])

    def __sub__(self, other):
        return Tensor(self.value - other.value,
                      [(self, lambda g: _sum_to_shape(g, self.value.shape)),
                       (other, lambda g: -_sum_to_shape(g, other.value.shape))])

    def __mul__(self, other):                      # elementwise, with broadcasting
        return Tensor(self.value * other.value,
                      [(self, lambda g: _sum_to_shape(g * other.value, self.value.shape)),
                       (other, lambda g: _sum_to_shape(g * self.value, other.value.shape))])

    def sigmoid(self):
        out = 1.0 / (1.0 + np.exp(-self.value))
        return Tensor(out, [(self, lambda g: g * out * (1.0 - out))])

    def tanh(self):
        out = np.tanh(self.value)
        return Tensor(out, [(self, lambda g: g * (1.0 - out ** 2))])

    def square(self):
        return Tensor(self.value ** 2, [(self, lambda g: 2.0 * self.value * g)])

    def mean(self):
        n = self.value.size
        return Tensor(self.value.mean(), [(self, lambda g: np.full(self.value.shape, g / n))])

    def backward(self):
        order, seen = [], set()

        def visit(node):                  # topological order: inputs before their outputs
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node._parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = np.ones_like(self.value)
        for node in reversed(order):
            for parent, grad_fn in node._parents:
                parent.grad = parent.grad + grad_fn(node.grad)


def _sum_to_shape(g, shape):
    """Undo NumPy broadcasting: sum g over the axes that were broadcast to reach g.shape."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def rnn_loss_and_grads(params, xs, target, h0):
    """Loss mean((y - target)**2) of the many-to-one RNN and its gradients, by autodiff.

    params: dict Wxh (H, D), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1).
    xs: (B, T, D); target: (B, O); h0: (H, B).
    Returns (loss, grads, dh0), grads a dict like params and dh0 the gradient for h0.
    """
    weights = {name: Tensor(value) for name, value in params.items()}
    h0_tensor = Tensor(h0)
    h = h0_tensor
    for t in range(xs.shape[1]):
        x_t = Tensor(xs[:, t, :].T)                                    # (D, B)
        h = (weights["Wxh"] @ x_t + weights["Whh"] @ h + weights["bh"]).tanh()
    y = weights["Why"] @ h + weights["by"]                             # (O, B)
    loss = (y - Tensor(target.T)).square().mean()
    loss.backward()
    return float(loss.value), {name: w.grad for name, w in weights.items()}, h0_tensor.grad


def gru_loss_and_grads(params, xs, target, h0):
    """Loss mean((y - target)**2) of the many-to-one GRU (PyTorch's equations) and its
    gradients, by autodiff.

    params: dict Wxz, Wxr, Wxn (H, D); Whz, Whr, Whn (H, H); bz, br, bxn, bhn (H, 1);
    Why (O, H), by (O, 1). xs: (B, T, D); target: (B, O); h0: (H, B).
    Returns (loss, grads, dh0), grads a dict like params and dh0 the gradient for h0.
    """
    w = {name: Tensor(value) for name, value in params.items()}
    h0_tensor = Tensor(h0)
    h = h0_tensor
    ones = Tensor(np.ones_like(h0))
    for t in range(xs.shape[1]):
        x_t = Tensor(xs[:, t, :].T)                                    # (D, B)
        r = (w["Wxr"] @ x_t + w["Whr"] @ h + w["br"]).sigmoid()
        z = (w["Wxz"] @ x_t + w["Whz"] @ h + w["bz"]).sigmoid()
        n = (w["Wxn"] @ x_t + w["bxn"] + r * (w["Whn"] @ h + w["bhn"])).tanh()
        h = (ones - z) * n + z * h
    y = w["Why"] @ h + w["by"]                                         # (O, B)
    loss = (y - Tensor(target.T)).square().mean()
    loss.backward()
    return float(loss.value), {name: tensor.grad for name, tensor in w.items()}, h0_tensor.grad
