"""The math of a simple (Elman) recurrent neural network, in NumPy only.

A many-to-one RNN reads a sequence x_1 ... x_T and produces one output y after the last step:

    a_t = W_xh x_t + W_hh h_{t-1} + b_h        Eq. (1.1)
    h_t = tanh(a_t)                            Eq. (1.2)
    y   = W_hy h_T + b_y                       Eq. (1.3)
    L   = mean((y - target)**2)                Eq. (1.4)

Equations are numbered by the notebook that derives them: (3.4) is equation 4 of notebook 03;
(1.x) are the forward pass of notebook 01, (3.x) and (4.x) backpropagation through time in
notebooks 03 and 04.

A gated recurrent unit (notebook 12, Eqs. (12.x)), in PyTorch's convention with the same
readout and loss: ``gru_init_params``, ``gru_forward``, ``gru_backward``,
``gru_loss_and_grads`` over a params dict with the keys ``GRU_PARAM_NAMES``;
``train(..., cell="gru")`` trains it.

A language model (notebook 11, Eqs. (11.x)) reads integer token ids and has an output at every
step: ``lm_loss_and_grads`` (softmax cross-entropy, BPTT with Eq. (4.6)), ``sample`` (with a
temperature) and ``adagrad_step`` (min-char-rnn's optimizer).

Everything here is a pure function over a ``params`` dict with the keys of Karpathy's
min-char-rnn and of the seed notebook: ``Wxh`` (H, D), ``Whh`` (H, H), ``Why`` (O, H),
``bh`` (H, 1), ``by`` (O, 1). ``SimpleRNN`` at the bottom is a drop-in replacement for the
seed's class, built on the same functions.

Sizes: D inputs per step, H hidden units, O outputs, T time steps, B sequences in a batch.
One sequence is ``xs`` of shape (T,) or (T, D) with ``target`` (O,); a batch is ``xs``
(B, T, D) with ``target`` (B, O). The equations are written for column vectors (h_t is
(H, B) for a batch), and so are ``h0`` ((H, B), or (H, 1) shared) and the parameters and
their gradients. What runs along the sequence is batch-first, like ``xs``: ``hs`` and ``dhs``
are (T + 1, H) for one sequence and (B, T + 1, H) for a batch, so that h_t is ``hs[t]``, or
``hs[:, t]`` for a batch (its transpose: one row per sequence). Inside, each step's vectors
are stored as rows too (see "How the functions below store a batch").
"""

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")
# The GRU's (notebook 12): update gate z, reset gate r, candidate n (PyTorch's names), readout.
GRU_PARAM_NAMES = ("Wxz", "Whz", "bz", "Wxr", "Whr", "br", "Wxn", "Whn", "bxn", "bhn", "Why",
                   "by")
# _squares(a) is the sum of the squares of a's entries (BLAS dot): inf or NaN if any entry is,
# and about 3 times cheaper than a.sum() on small arrays. SimpleRNN tests finiteness with it.
_squares = np.vdot
_FLOAT64 = np.dtype(np.float64)                # the dtype object of native float64 arrays

# ``train`` calls a run diverged when a batch loss exceeds this factor times the first batch
# loss (see ``train``): far above any fluctuation of SGD that still converges.
DIVERGENCE_FACTOR = 1e4


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------

def init_params(input_size, hidden_size, output_size, *, scale=0.01, seed=None):
    """Draw a fresh set of parameters, as the seed does: weights ~ N(0, scale^2), biases 0.

    input_size D, hidden_size H, output_size O: positive ints.
    scale: standard deviation of the weights, a positive number at most 1e150 (larger
        weights make the squared error overflow float64 at the first step).
    seed: None, an int or a ``np.random.Generator``; the same int gives the same arrays.
    Returns a dict of float64 arrays: Wxh (H, D), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1).
    """
    return _init_params(input_size, hidden_size, output_size, scale, seed, "scale")


def _init_params(input_size, hidden_size, output_size, scale, seed, scale_name,
                 names=PARAM_NAMES):
    """init_params (or gru_init_params, with names=GRU_PARAM_NAMES), with the name of the scale
    argument for the messages (train's init_scale). Weights are drawn in the order of names."""
    D = _check_size(input_size, "input_size")
    H = _check_size(hidden_size, "hidden_size")
    O = _check_size(output_size, "output_size")
    scale = _check_positive_number(scale, scale_name)
    if scale > 1e150:
        raise ValueError(f"{scale_name} must be at most 1e150, got {scale!r}: with larger "
                         "weights the squared error overflows float64 (0.01 to 1 is usual)")
    rng = _as_generator(seed)
    size = {"D": D, "H": H, "O": O}
    params = {}
    for name in names:
        rows, columns = _PARAM_SHAPES[name]
        if columns == "1":                     # a bias
            params[name] = np.zeros((size[rows], 1))
        else:
            params[name] = rng.standard_normal((size[rows], size[columns])) * scale
    return params


def sizes(params):
    """Return (D, H, O), the input, hidden and output sizes of a params dict."""
    params = _check_params(params)
    H, D = params["Wxh"].shape
    return D, H, params["Why"].shape[0]


# --------------------------------------------------------------------------------------
# Forward pass, loss, backward pass (BPTT)
# --------------------------------------------------------------------------------------

def forward(params, xs, h0=None):
    """Run the RNN over a sequence (or a batch of them) and read out y after the last step.

    params: dict with Wxh (H, D), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1).
    xs: one sequence (T,) (when D = 1) or (T, D); or a batch (B, T, D).
    h0: initial hidden state; None (zeros), (H,) or (H, 1) (shared by the batch), or (H, B).
    Returns (y, hs):
        y: (O,) for one sequence, (B, O) for a batch                             Eq. (1.3)
        hs: every hidden state including h0, so that ``hs[t]`` is h_t:
            (T + 1, H) for one sequence, (B, T + 1, H) for a batch        Eqs. (1.1)-(1.2)
    """
    params = _check_params(params)
    X, batched = _check_xs(xs, params)
    h0 = _check_h0(h0, params, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        y, Z = _forward(params, X, h0)
    _check_finite_result({"y": y}, params, "forward")
    hs = Z[:, :, :params["Whh"].shape[0]]                   # (T+1, B, H): see _forward
    return (y, hs.transpose(1, 0, 2)) if batched else (y[0], hs[:, 0])


def mse_loss(y, target):
    """Mean squared error over every output and batch element, and its gradient.

    y, target: arrays of the same shape, (O,) or (B, O).
    Returns (loss, dy): loss a float (Eq. (1.4)); dy = dL/dy = 2 (y - target) / n, with n the
    number of elements, same shape as y (Eq. (3.1)).
    """
    y = _as_real_array(y, "y")
    target = _as_real_array(target, "target")
    if y.shape != target.shape:
        raise ValueError(f"target has shape {target.shape} but y has shape {y.shape}; "
                         "they must match")
    if y.size == 0:
        raise ValueError(f"y and target are empty (shape {y.shape}): the mean of no errors "
                         "is undefined")
    with np.errstate(over="ignore"):
        loss, dy = _mse(y, target)
    if not math.isfinite(loss):
        raise ValueError("the loss overflowed to inf: y - target is too large to square in "
                         f"float64 (largest |y - target| {np.max(np.abs(y - target)):.3g})")
    return loss, dy


def backward(params, xs, hs, dy):
    """Backpropagation through time: gradients of the loss given its gradient dL/dy.

    params, xs: as for ``forward``; hs: the hidden states that ``forward`` returned for them.
    dy: dL/dy, the same shape as y: (O,) for one sequence, (B, O) for a batch.
    Returns (grads, dhs):
        grads: dict with the keys and shapes of params                      Eqs. (3.2)-(4.3)
        dhs: the total derivatives dL/dh_t, the same shape as hs; ``dhs[0]`` is dL/dh_0
             (Eq. (4.4)), ``dhs[T]`` is dL/dh_T (Eq. (3.3)).
    """
    params = _check_params(params)
    X, batched = _check_xs(xs, params)
    hs_rows, dy = _check_hs_and_dy(hs, dy, params, X, batched, "forward")
    with np.errstate(over="ignore", invalid="ignore"):
        Z = _stack_states(hs_rows, X)
        grads, dhs = _bptt(params, Z, dy, want_dhs=True)
    _check_finite_result(dict(grads, dhs=dhs), params, "backward")
    return grads, (dhs.transpose(1, 0, 2) if batched else dhs[:, 0])


def loss_and_grads(params, xs, target, h0=None):
    """The loss of the RNN on (xs, target) and its exact gradient for every parameter.

    params: dict with Wxh (H, D), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1).
    xs: one sequence (T,) (when D = 1) or (T, D) with target (O,);
        or a batch (B, T, D) with target (B, O).
    h0: None (zeros), (H,) or (H, 1) (shared by the batch), or (H, B).
    Returns (loss, grads): loss = mean((y - target)**2) over all O * B elements, a float
    (Eq. (1.4)); grads: dict with the keys and shapes of params (Eqs. (3.1)-(4.3)).
    """
    params = _check_params(params)
    X, batched = _check_xs(xs, params)
    Y = _check_target(target, params, X.shape[1], batched)
    h0 = _check_h0(h0, params, X.shape[1])
    # Finite but huge parameters (say 1e200) can overflow: caught below, not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        y, Z = _forward(params, X, h0)
        loss, dy = _mse(y, Y)
        grads, _ = _bptt(params, Z, dy)
    _check_finite_result(dict(grads, loss=loss), params, "loss_and_grads")
    return loss, grads


# How the functions below store a batch. The equations are written for column vectors
# (h_t is (H, B): one column per sequence), and the public functions take h0 and return the
# gradients so (hs and dhs are batch-first, (B, T+1, H), like xs). Inside, each step's
# vectors are stored as rows instead, one row per sequence, all of step t in one contiguous
# block: the transposed equations, h_t^T = tanh(z^T W^T), compute the same
# numbers, and each step's matrix product reads and writes contiguous memory (about 13%
# faster at B = 64, H = 256 than columns spread over an (H, T+1, B) array). And the three
# terms of Eq. (1.1) become one matrix product, by the stacking trick:
#
#     a_t = W_hh h_{t-1} + W_xh x_t + b_h = W z_{t-1},   W = [W_hh | W_xh | b_h]  (H, H+D+1),
#                                                        z_{t-1} = [h_{t-1}; x_t; 1] (H+D+1,).
#
# Z (T+1, B, H+D+1) holds z_t^T in Z[t] (B rows, one per sequence): h_t in its first H
# columns, the next input x_{t+1} in the next D, then a 1 (Z[T] has zeros for x and the 1 is
# unused). Z[:, :, :H] are the hidden states h_0 ... h_T, which forward returns (as a view).
# Backward gets Eqs. (4.1)-(4.3) at once the same way: dL/dW = sum_t delta_t z_{t-1}^T.

def _stack_states(hs, X):
    """Z (T+1, B, H+D+1) from hs (T+1, B, H) (or h_0 alone, (1 or B, H)) and X (T, B, D).

    Z[t] = [h_t | x_{t+1} | 1] (see above); rows of h_1 ... h_T are left for _forward to fill
    when only h_0 is given.
    """
    T, B, D = X.shape
    H = hs.shape[-1]
    Z = np.zeros((T + 1, B, H + D + 1))       # Z[T] keeps zeros for x and the 1
    if hs.ndim == 3:
        Z[:, :, :H] = hs
    else:
        Z[0, :, :H] = hs
    Z[:T, :, H:H + D] = X
    Z[:T, :, H + D] = 1.0
    return Z


def _forward(params, X, h0, W=None):
    """Forward pass on checked arrays, as rows (see above): X (T, B, D), h0 (1 or B, H)
    -> y (B, O), Z (T+1, B, H+D+1). An h0 of one row is shared by the whole batch.
    W: the stacked [W_hh | W_xh | b_h] (H, H+D+1) if the caller has it (SimpleRNN), else None.
    """
    Whh, Why = params["Whh"], params["Why"]
    T = X.shape[0]
    H = Whh.shape[0]
    Z = _stack_states(h0, X)
    hs = Z[:, :, :H]                           # a view: hs[t] is h_t^T, (B, H)
    if W is None:
        W = np.concatenate((Whh, params["Wxh"], params["bh"]), axis=1)
    W_T = W.T
    # The recurrence must go step by step: h_t needs h_{t-1}. np.dot is the seed's spelling
    # of @ (a little cheaper per call on small matrices); tanh writes h_t straight into Z.
    for t in range(1, T + 1):
        np.tanh(np.dot(Z[t - 1], W_T), out=hs[t])                   # Eqs. (1.1)-(1.2)
    y = np.dot(hs[T], Why.T) + params["by"].T                        # Eq. (1.3)
    return y, Z


def _mse(y, Y):
    """Eqs. (1.4)-(3.1) on arrays of equal shape: (loss, dL/dy)."""
    diff = y - Y
    # The sum of squares as a dot product, diff . diff: np.mean(diff ** 2) in one NumPy call.
    return float(_squares(diff, diff)) / diff.size, (2.0 / diff.size) * diff


def _bptt(params, Z, dy, bptt_steps=None, want_dhs=False):
    """BPTT on checked arrays, as rows (see above): Z (T+1, B, H+D+1) from _forward, dy (B, O)
    -> (grads, dhs); dhs (T+1, B, H), where dhs[t] is dL/dh_t, or None unless want_dhs.
    Arguments as for _bptt_stacked, which does the work.
    """
    H, D = params["Wxh"].shape
    dW, dhs = _bptt_stacked(params, Z, dy, bptt_steps, want_dhs)
    grads = {
        "Wxh": dW[:, H:H + D],                                      # Eq. (4.1)
        "Whh": dW[:, :H],                                           # Eq. (4.2), h_0 included
        "Why": np.dot(dy.T, Z[-1, :, :H]),                          # Eq. (3.2)
        "bh": dW[:, H + D:],                                        # Eq. (4.3)
        "by": dy.sum(axis=0)[:, None],                              # Eq. (3.2)
    }
    return grads, dhs


def _bptt_stacked(params, Z, dy, bptt_steps=None, want_dhs=False):
    """The recursion of BPTT: Z (T+1, B, H+D+1) from _forward, dy (B, O) -> (dW, dhs), where
    dW = [dL/dW_hh | dL/dW_xh | dL/db_h] (H, H+D+1) and dhs is as for _bptt.

    bptt_steps = k truncates BPTT (notebook 10, Eq. (10.1)): the recursion stops after k steps
    back, as if h_{T-k} were a fixed input; delta_t and dL/dh_t before that are 0.
    """
    Whh, Why = params["Whh"], params["Why"]
    H, D = params["Wxh"].shape
    T, B, K = Z.shape
    T -= 1                                     # Z holds z_0 ... z_T
    first = 1 if bptt_steps is None else max(1, T - bptt_steps + 1)  # earliest step reached
    dhs = np.zeros((T + 1, B, H)) if want_dhs else None
    # deltas[t-1] will be delta_t^T = (dL/da_t)^T. It starts as tanh'(a_t) = 1 - h_t^2, the
    # local derivative in Eq. (3.4), computed for every t at once (in place: one array).
    deltas = Z[1:, :, :H] ** 2                 # h_1 ... h_T, squared
    np.subtract(1.0, deltas, out=deltas)
    if first > 1:                              # truncated: earlier steps get no gradient
        deltas[:first - 1] = 0.0
    # dh is dL/dh_t, the total derivative, carried from step t + 1 back to step t (the
    # seed's dh_next). As rows, W^T v is v^T W: dh^T = dy^T W_hy, delta^T W_hh.
    dh = np.dot(dy, Why)                                            # Eq. (3.3)
    for t in range(T, first - 1, -1):          # backwards in time: dL/dh_t needs step t+1
        if want_dhs:
            dhs[t] = dh
        delta = deltas[t - 1]                  # a view: *= below writes into deltas
        delta *= dh                                                 # Eq. (3.4)
        if t > first or want_dhs:              # the last product, dL/dh_{first-1}, if asked
            dh = np.dot(delta, Whh)                                 # Eq. (3.5); (4.4) at t=1
    if want_dhs:
        dhs[first - 1] = dh
    # Eqs. (4.1)-(4.3) sum over t and over the batch: with every step's rows stacked, the sum
    # is one matrix product over all T * B rows, and with z = [h; x; 1] it gives the three
    # gradients side by side: dL/dW = sum_t delta_t z_{t-1}^T = [dL/dW_hh | dL/dW_xh | dL/db_h].
    dW = np.dot(deltas.reshape(T * B, H).T, Z[:T].reshape(T * B, K))  # Eqs. (4.1)-(4.3)
    return dW, dhs


# --------------------------------------------------------------------------------------
# Gradient checking
# --------------------------------------------------------------------------------------

def numerical_gradient(f, x, eps=1e-5):
    """Centered-difference gradient of a scalar function f at the array x.

    f: callable taking an array shaped like x and returning a finite real number.
    x: array of real numbers of any shape (not modified).
    eps: the step, a positive number.
    Returns an array shaped like x: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) per entry.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one array returning a number, got "
                        f"{type(f).__name__}")
    eps = _check_positive_number(eps, "eps")
    x = np.array(_as_real_array(x, "x"), dtype=np.float64)   # a private copy, nudged entry by entry
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = _check_scalar_result(f(x), i, "+")
        x[i] = old - eps
        f_minus = _check_scalar_result(f(x), i, "-")
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _check_scalar_result(value, index, sign):
    """What f returned in numerical_gradient, as a float: a finite real number or an error."""
    where = f"at x[{', '.join(map(str, index))}] {sign} eps" if index else f"at x {sign} eps"
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0 or not isinstance(
            value, (Real, np.ndarray)) or np.asarray(value).dtype.kind not in "iuf":
        shape = f"an array of shape {np.shape(value)}" if np.ndim(value) else repr(value)
        raise TypeError(f"f must return one real number (a float), but {where} it returned "
                        f"{shape}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"f returned {value} {where}: f must return a finite number")
    return value


def numerical_grads(params, xs, target, h0=None, eps=1e-5):
    """Centered-difference gradients of the loss for every parameter (slow; for checking).

    Arguments as for ``loss_and_grads``; eps: the step.
    Returns a dict with the keys and shapes of params. ``params`` is not modified.
    """
    params = _check_params(params)
    X, batched = _check_xs(xs, params)
    Y = _check_target(target, params, X.shape[1], batched)
    h0 = _check_h0(h0, params, X.shape[1])
    grads = {}
    for name in PARAM_NAMES:
        def loss_at(value, name=name):
            nudged = dict(params, **{name: value})
            return _mse(_forward(nudged, X, h0)[0], Y)[0]
        grads[name] = numerical_gradient(loss_at, params[name], eps)
    return grads


def relative_error(analytic, numeric):
    """Largest elementwise relative error  |a - n| / max(1e-8, |a| + |n|).

    analytic, numeric: arrays of the same shape. Returns a float. The floor 1e-8 keeps
    entries that are both (nearly) zero from dividing by zero.
    """
    a = _as_real_array(analytic, "analytic")
    n = _as_real_array(numeric, "numeric")
    if a.shape != n.shape:
        raise ValueError(f"analytic has shape {a.shape} but numeric has shape {n.shape}")
    if a.size == 0:
        raise ValueError(f"analytic and numeric are empty (shape {a.shape}): there is no "
                         "error to measure")
    with np.errstate(over="ignore", invalid="ignore"):
        error = float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))
    if not math.isfinite(error):               # |a| + |n| overflowed: halve both (exact)
        a, n = a / 2, n / 2
        error = float(np.max(np.abs(a - n) / np.maximum(0.5e-8, np.abs(a) + np.abs(n))))
    return error


def gradient_check(params, xs, target, h0=None, eps=1e-5):
    """Compare ``loss_and_grads`` with centered differences, parameter by parameter.

    Arguments as for ``loss_and_grads``. Returns {name: relative error} (see
    ``relative_error``); in float64, values below about 1e-7 mean the gradient is right.
    """
    _, analytic = loss_and_grads(params, xs, target, h0)
    numeric = numerical_grads(params, xs, target, h0, eps)
    return {name: relative_error(analytic[name], numeric[name]) for name in PARAM_NAMES}


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

@dataclass
class TrainResult:
    """What ``train`` returns.

    params: the trained parameters; if training diverged, the last finite ones (those of the
        last SGD step that passed the divergence test, or the initial ones), never inf/NaN.
    losses: training loss per epoch, a list of floats (the mean over the epoch's batches);
        only completed epochs that did not diverge, so ``len(losses) == diverged_at`` then.
    val_losses: validation loss after each such epoch, when validation data was given, else
        []; always finite.
    diverged_at: None, or the epoch (0-based) at which training diverged by the rule that
        ``train`` documents.
    divergence: None, or which rule fired, in words and numbers (``status`` shows it).
    """
    params: dict
    losses: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    diverged_at: int | None = None
    divergence: str | None = None

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def status(self):
        """One readable line: how training ended (numbers to 3 significant digits)."""
        if self.diverged:
            return (f"diverged at epoch {self.diverged_at}: "
                    f"{self.divergence or 'the loss became inf or NaN'} "
                    "(try a smaller learning rate or gradient clipping)")
        if not self.losses:
            return "not trained: no epochs recorded"
        line = f"trained {len(self.losses)} epochs, final training loss {self.losses[-1]:.3g}"
        if self.val_losses:
            line += f", validation loss {self.val_losses[-1]:.3g}"
        return line


def train(xs, target, *, hidden_size, learning_rate, epochs, seed=0, batch_size=None,
          clip_norm=None, bptt_steps=None, init_scale=0.01, params=None, h0=None, val_xs=None,
          val_target=None, cell="rnn"):
    """Train the RNN (or the GRU) with plain (mini-batch) SGD on the mean squared error.

    xs, target: one sequence (T,) / (T, D) with target (O,), or a batch (B, T, D), (B, O).
    hidden_size H, epochs: positive ints; learning_rate: a positive finite number.
    seed: int >= 0, None or np.random.Generator, for the initial weights and the batch order.
    batch_size: sequences per update; None (default) uses the whole batch every step.
    clip_norm: None, or rescale the gradient whenever its global norm (all parameters
        together) exceeds this positive number.
    bptt_steps: None (full BPTT), or k: truncated BPTT, gradients flow back only through
        the last k steps of each sequence (notebook 10).
    init_scale: standard deviation of the initial weights (see ``init_params``).
    params: optional starting parameters (copied, never modified); they fix the sizes.
    h0: the initial hidden state, None (zeros) or (H,) / (H, 1).
    val_xs, val_target: optional validation batch, scored after every epoch.
    cell: "rnn", the simple RNN (params with the keys PARAM_NAMES), or "gru", the GRU of
        notebook 12 (keys GRU_PARAM_NAMES; the weights drawn as ``gru_init_params`` does).
    Returns a ``TrainResult``.

    Divergence. Let L_first be the loss of the first batch of this call and
    limit = DIVERGENCE_FACTOR * L_first (1e4 * L_first; no limit if L_first is 0). Training
    has diverged, and stops at once, at the first of:
      - a batch loss that is inf or NaN, or above limit;
      - an SGD step that would make a parameter inf or NaN (the step is not taken);
      - a validation loss after an epoch that is inf or NaN, or above limit.
    Then ``result.diverged_at`` is that (0-based) epoch, ``result.divergence`` says which
    rule fired, ``result.params`` are the last finite parameters and ``losses`` and
    ``val_losses`` hold the epochs before it (all finite). A run that never diverges is
    not affected by the rule.
    """
    names, forward_pass, backward_pass = _check_cell(cell)
    X, batched = _check_xs_shape_only(xs)
    B, D = X.shape[1:]
    rng = _as_generator(seed)                  # draws the initial weights, then batch orders
    if params is None:
        params = _init_params(D, hidden_size, _target_size(target, batched), init_scale, rng,
                              "init_scale", names)
    else:
        params = {name: value.copy() for name, value in _check_params(params, names).items()}
        if _check_size(hidden_size, "hidden_size") != params["Why"].shape[1]:
            raise ValueError(f"hidden_size is {hidden_size} but params have hidden size "
                             f"{params['Why'].shape[1]}")
    X, batched = _check_xs(xs, params)
    Y = _check_target(target, params, B, batched)
    h0 = _check_h0(h0, params, 1)
    learning_rate = _check_positive_number(learning_rate, "learning_rate")
    epochs = _check_size(epochs, "epochs")
    batch_size = B if batch_size is None else _check_size(batch_size, "batch_size")
    if clip_norm is not None:
        clip_norm = _check_positive_number(clip_norm, "clip_norm")
    if bptt_steps is not None:
        bptt_steps = _check_size(bptt_steps, "bptt_steps")
    if (val_xs is None) != (val_target is None):
        raise ValueError("val_xs and val_target must be given together")
    if val_xs is not None:
        val_X, val_batched = _check_xs(val_xs, params, "val_xs")
        val_Y = _check_target(val_target, params, val_X.shape[1], val_batched, "val_target")

    result = TrainResult(params=params)
    limit = None                               # set by the first batch loss
    with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
        for epoch in range(epochs):
            order = rng.permutation(B) if batch_size < B else np.arange(B)
            batch_losses = []
            for start in range(0, B, batch_size):
                rows = order[start:start + batch_size]
                y, cache = forward_pass(params, X[:, rows], h0)
                loss, dy = _mse(y, Y[rows])
                if limit is None:
                    limit = DIVERGENCE_FACTOR * loss if loss > 0 else math.inf
                    first_loss = loss
                if not (loss <= limit and math.isfinite(loss)):      # NaN fails both
                    result.divergence = _divergence_reason("the training loss of a batch",
                                                           loss, first_loss)
                    break
                grads, _ = backward_pass(params, cache, dy, bptt_steps)
                if clip_norm is not None:
                    grads = _clip_grads(grads, clip_norm)
                step = {name: params[name] - learning_rate * grads[name] for name in params}
                # One scalar test (as in SimpleRNN.backward); the exact one only if it fails.
                if not math.isfinite(sum(_squares(value, value) for value in step.values())):
                    bad = [name for name, value in step.items()
                           if not np.all(np.isfinite(value))]
                else:
                    bad = []
                if bad:
                    result.divergence = (f"an SGD step would have made params['{bad[0]}'] "
                                         "inf or NaN (the step was not taken)")
                    break
                params = step
                batch_losses.append(loss)
            else:
                val_loss = None
                if val_xs is not None:
                    val_loss = _mse(forward_pass(params, val_X, h0)[0], val_Y)[0]
                    if not (val_loss <= limit and math.isfinite(val_loss)):
                        result.params = params
                        result.divergence = _divergence_reason("the validation loss",
                                                               val_loss, first_loss)
                        result.diverged_at = epoch
                        break
                    result.val_losses.append(val_loss)
                result.params = params
                result.losses.append(float(np.mean(batch_losses)))
                continue
            result.params = params
            result.diverged_at = epoch
            break
    return result


_BLAS = []                                     # threadpoolctl's controller, found once


def _one_blas_thread():
    """A context in which NumPy's BLAS runs on one thread. The products in train are small:
    a second thread gains nothing, and one waiting for a busy core made them up to 100 times
    slower (the (H, T*B) @ (T*B, H) gradient product at T = 64 on a shared 2-core machine)."""
    if not _BLAS:                              # finding the libraries costs about 0.5 ms
        from threadpoolctl import ThreadpoolController
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def _check_cell(cell):
    """What train runs for a cell: (parameter names, forward pass, BPTT), the private functions
    on checked arrays as rows: forward(params, X, h0) -> (y, cache) and
    bptt(params, cache, dy, bptt_steps) -> (grads, dhs)."""
    if isinstance(cell, str) and cell == "rnn":
        return PARAM_NAMES, _forward, _bptt
    if isinstance(cell, str) and cell == "gru":
        return GRU_PARAM_NAMES, _gru_forward, _gru_bptt
    raise ValueError(f"cell must be 'rnn' (the simple RNN) or 'gru', got {cell!r}")


def _divergence_reason(what, loss, first_loss):
    """The words for TrainResult.divergence: which loss broke the rule, and by how much."""
    if not math.isfinite(loss):
        return f"{what} became {loss}"
    return (f"{what}, {loss:.3g}, exceeded {DIVERGENCE_FACTOR:.3g} times the first batch "
            f"loss {first_loss:.3g}")


def clip_grads(grads, max_norm):
    """Rescale all gradients together so that their global L2 norm is at most max_norm.

    grads: dict name -> array of finite real numbers (not modified); max_norm: a positive
    number. Returns a new dict; unchanged values when the norm is already small enough.
    """
    max_norm = _check_positive_number(max_norm, "max_norm")
    return _clip_grads(_check_grads(grads), max_norm)


def global_norm(grads):
    """The L2 norm of all gradients together, sqrt(sum of every squared entry): a float.

    grads: dict name -> array of finite real numbers.
    """
    norm = _global_norm(_check_grads(grads))
    if not math.isfinite(norm):
        raise ValueError("the global norm of grads overflows float64 (above 1.8e308)")
    return norm


def _clip_grads(grads, max_norm):
    norm = _global_norm(grads)
    if norm <= max_norm:
        return dict(grads)
    return {name: g * (max_norm / norm) for name, g in grads.items()}


def _global_norm(grads):
    """sqrt(sum of squares); if the squares overflow, computed again on rescaled values."""
    with np.errstate(over="ignore"):
        norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values()))
    if norm == math.inf:                       # finite entries above ~1e154: rescale
        biggest = max(float(np.max(np.abs(g), initial=0.0)) for g in grads.values())
        with np.errstate(over="ignore"):
            norm = biggest * math.sqrt(sum(float(np.sum(np.square(g / biggest)))
                                           for g in grads.values()))
    return norm


# --------------------------------------------------------------------------------------
# The seed's class, corrected
# --------------------------------------------------------------------------------------

class SimpleRNN:
    """Drop-in replacement for the seed notebook's ``SimpleRNN``, with the correct gradient.

    Same attributes (Wxh, Whh, Why, bh, by), same calls: ``forward(inputs, hidden_state)``
    returns (y, h) with y (O, 1) and h (H, 1); ``backward(target, learning_rate)`` takes one
    SGD step on the loss mean((y - target)**2) that the seed prints.
    With ``seed=None`` the weights come from ``np.random.randn`` exactly as in the seed, so
    ``np.random.seed(k)`` before construction gives the seed's class the same weights.
    """

    def __init__(self, input_size, hidden_size, output_size, seed=None):
        D = _check_size(input_size, "input_size")
        H = _check_size(hidden_size, "hidden_size")
        O = _check_size(output_size, "output_size")
        if seed is None:
            self.Wxh = np.random.randn(H, D) * 0.01
            self.Whh = np.random.randn(H, H) * 0.01
            self.Why = np.random.randn(O, H) * 0.01
            self.bh = np.zeros((H, 1))
            self.by = np.zeros((O, 1))
        else:
            self.params = init_params(D, H, O, seed=seed)
        self._W = None                         # the stacked weights that backward keeps

    @property
    def params(self):
        """The parameters as a dict (the arrays themselves, not copies)."""
        return {"Wxh": self.Wxh, "Whh": self.Whh, "Why": self.Why, "bh": self.bh, "by": self.by}

    @params.setter
    def params(self, values):
        for name, value in _check_params(values).items():
            setattr(self, name, value)

    def forward(self, inputs, hidden_state):
        """Run the sequence; inputs (T,) or (T, D), hidden_state (H, 1) -> (y (O, 1), h_T (H, 1)).

        Keeps ``inputs``, ``hidden_states`` (the list h_1 ... h_T) and ``output`` for backward.
        """
        params = self.params
        # The attributes may have been set by hand, as the seed allows. Arrays that backward
        # wrote itself are known to be finite; anything else is checked in full. The shape
        # test is cheap, and a NaN written into an array in place shows up in y (below).
        # backward keeps W = [W_hh | W_xh | b_h] stacked (see _forward), Whh, Wxh and bh
        # being views of it; weights set by hand are stacked again by _forward (W None).
        if not self._weights_are_trusted(params):
            self._check_weights(params)
            self._W = None
        else:
            _check_param_shapes(params, owner="SimpleRNN.{}")
        X, batched = _check_xs(inputs, params, "inputs")
        if batched:
            raise ValueError(f"inputs has shape {np.shape(inputs)}; SimpleRNN takes one "
                             "sequence, (T,) or (T, D)")
        h0 = _check_h0(hidden_state, params, 1, "hidden_state")
        y, Z = _forward(params, X, h0, self._W)                    # as rows: y (1, O)
        y = y.T
        # One scalar test on the way out (NaN fails it too). A huge output warns backward
        # that its squares may overflow (caught there, without RuntimeWarnings).
        self._huge_output = not _squares(y, y) < 1e200
        if self._huge_output:
            self._check_weights(params)                 # NaN written in place: named here
            _check_finite_result({"y": y}, params, "SimpleRNN.forward")
        T, _, D = X.shape
        H = params["Whh"].shape[0]
        self.inputs, self._Z, self._sizes = inputs, Z, (H, D)
        self._hidden_states = None             # made when read (see hidden_states)
        self.output = y
        self._trusted = params
        return y, Z[T, :, :H].T                # h_T (H, 1): hidden_states[-1], a view of Z

    def backward(self, target, learning_rate=0.01):
        """One SGD step on mean((y - target)**2) for the last forward call; returns the loss.

        target: (O,) or (O, 1); learning_rate: a positive finite number.
        If the step would make a weight inf or NaN, it raises ValueError and leaves the
        weights as they were.
        """
        if not hasattr(self, "_Z"):
            raise RuntimeError("call forward before backward")
        params = self.params
        if not self._weights_are_trusted(params):
            self._check_weights(params)                 # set by hand since forward
            self._W = None
        H, D = params["Wxh"].shape
        if (H, D, params["Why"].shape[0]) != self._sizes + (self.output.shape[0],):
            raise ValueError(
                f"the weights changed shape since forward: Wxh is {params['Wxh'].shape} and "
                f"Why {params['Why'].shape}, but forward ran with input_size "
                f"{self._sizes[1]}, hidden_size {self._sizes[0]} and output "
                f"{np.shape(self.output)}; call forward again")
        Y = _check_target(target, params, 1, batched=False).T      # (O, 1), like output
        if getattr(self.output, "shape", None) != Y.shape:     # output may be set by hand
            output = _as_real_array(self.output, "SimpleRNN.output")
            if output.shape != Y.shape:
                raise ValueError(f"SimpleRNN.output has shape {output.shape} but Why gives "
                                 f"output_size {Y.shape[0]}: expected {Y.shape}")
            self.output = output
        learning_rate = _check_positive_number(learning_rate, "learning_rate")
        if self._huge_output or learning_rate > 1e100:      # the step may overflow
            with np.errstate(over="ignore", invalid="ignore"):
                loss, step = self._sgd_step(params, Y, learning_rate)
        else:
            loss, step = self._sgd_step(params, Y, learning_rate)
        # One scalar test for all five arrays; a sum of squares of finite values that
        # overflows (entries above ~1e154) only sends us to the exact test.
        W, Why, by = step["W"], step["Why"], step["by"]
        if not math.isfinite(_squares(W, W) + _squares(Why, Why) + _squares(by, by)):
            bad = [name for name in PARAM_NAMES if not np.all(np.isfinite(step[name]))]
            if bad:
                raise ValueError(
                    f"this SGD step (learning_rate={learning_rate:.3g}) would make "
                    f"SimpleRNN.{bad[0]} inf or NaN: the training diverged; the weights were "
                    "left unchanged (use a smaller learning_rate)")
        self.Wxh, self.Whh, self.bh = step["Wxh"], step["Whh"], step["bh"]   # views of W
        self.Why, self.by, self._W = Why, by, W
        self._trusted = step
        return loss

    @property
    def hidden_states(self):
        """h_1 ... h_T of the last forward call, a list of (H, 1) arrays, as the seed keeps
        them. Made when read (the training loop never reads them)."""
        if self._hidden_states is None:
            hs = self._Z[1:, :, :self._sizes[0]]                     # (T, 1, H): see _forward
            self._hidden_states = list(hs.transpose(0, 2, 1))
        return self._hidden_states

    @hidden_states.setter
    def hidden_states(self, value):
        self._hidden_states = value

    def _sgd_step(self, params, Y, learning_rate):
        """(loss, new params and the stacked W) for the last forward call; raises if the loss
        is not finite."""
        loss, dy = _mse(self.output, Y)
        if not math.isfinite(loss):
            raise ValueError(f"the loss is {loss}: SimpleRNN.output is too far from target "
                             "to square in float64 (the training diverged); the weights "
                             "were left unchanged (use a smaller learning_rate)")
        dW, _ = _bptt_stacked(params, self._Z, dy.T)        # [dL/dW_hh | dL/dW_xh | dL/db_h]
        W = self._W
        if W is None:
            W = np.concatenate((params["Whh"], params["Wxh"], params["bh"]), axis=1)
        H, D = params["Wxh"].shape
        W = W - learning_rate * dW
        step = {"W": W, "Wxh": W[:, H:H + D], "Whh": W[:, :H], "bh": W[:, H + D:],
                "Why": params["Why"] - learning_rate * np.dot(dy, self._Z[-1, :, :H]),  # (3.2)
                "by": params["by"] - learning_rate * dy}            # Eq. (3.2), a batch of one
        return loss, step

    def _weights_are_trusted(self, params):
        """True if every weight is still the array that forward checked or backward wrote."""
        trusted = self.__dict__.get("_trusted")
        return trusted is not None and (
            params["Wxh"] is trusted["Wxh"] and params["Whh"] is trusted["Whh"]
            and params["Why"] is trusted["Why"] and params["bh"] is trusted["bh"]
            and params["by"] is trusted["by"])

    @staticmethod
    def _check_weights(params):
        """Full check of weights set by hand: real, finite, consistent shapes."""
        for name in PARAM_NAMES:
            _as_real_array(params[name], f"SimpleRNN.{name}")
        _check_param_shapes(params, owner="SimpleRNN.{}")


# --------------------------------------------------------------------------------------
# The gated recurrent unit, GRU (notebook 12)
# --------------------------------------------------------------------------------------

# PyTorch's convention (torch.nn.GRU), with the course's names: W_x* (H, D) multiplies x_t,
# W_h* (H, H) multiplies h_{t-1}, sigma(a) = 1 / (1 + exp(-a)) is the logistic function:
#
#     r_t = sigma(W_xr x_t + W_hr h_{t-1} + b_r)                        reset gate, Eq. (12.1)
#     z_t = sigma(W_xz x_t + W_hz h_{t-1} + b_z)                       update gate, Eq. (12.2)
#     n_t = tanh(W_xn x_t + b_xn + r_t * (W_hn h_{t-1} + b_hn))          candidate, Eq. (12.3)
#     h_t = (1 - z_t) * n_t + z_t * h_{t-1}                                           Eq. (12.4)
#
# (* is the elementwise product; notebook 12 writes the candidate n_t as h~_t, since n is the
# count in L there). The readout and the loss are those of the simple RNN, Eqs. (1.3)-(1.4).
# Inside, a batch is stored as rows, as above: h_t is hs[t], (B, H).

def gru_init_params(input_size, hidden_size, output_size, *, scale=0.01, seed=None):
    """Draw a GRU's parameters as ``init_params`` does: weights ~ N(0, scale^2), biases 0.

    input_size D, hidden_size H, output_size O: positive ints.
    scale: standard deviation of the weights, a positive number at most 1e150.
    seed: None, an int or a ``np.random.Generator``; the same int gives the same arrays.
    Returns a dict of float64 arrays with the keys GRU_PARAM_NAMES: Wxz, Wxr, Wxn (H, D);
    Whz, Whr, Whn (H, H); bz, br, bxn, bhn (H, 1); Why (O, H); by (O, 1).
    """
    return _init_params(input_size, hidden_size, output_size, scale, seed, "scale",
                        GRU_PARAM_NAMES)


def gru_forward(params, xs, h0=None):
    """Run the GRU over a sequence (or a batch of them) and read out y after the last step.

    params: dict with the keys GRU_PARAM_NAMES (see ``gru_init_params`` for the shapes).
    xs: one sequence (T,) (when D = 1) or (T, D); or a batch (B, T, D).
    h0: initial hidden state; None (zeros), (H,) or (H, 1) (shared by the batch), or (H, B).
    Returns (y, hs), shaped as ``forward`` returns them:
        y: (O,) for one sequence, (B, O) for a batch                             Eq. (1.3)
        hs: every hidden state including h0, so that ``hs[t]`` is h_t:
            (T + 1, H) for one sequence, (B, T + 1, H) for a batch       Eqs. (12.1)-(12.4)
    """
    params = _check_params(params, GRU_PARAM_NAMES)
    X, batched = _check_xs(xs, params)
    h0 = _check_h0(h0, params, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        y, cache = _gru_forward(params, X, h0)
    _check_finite_result({"y": y}, params, "gru_forward")
    hs = cache["hs"]
    return (y, hs.transpose(1, 0, 2)) if batched else (y[0], hs[:, 0])


def gru_backward(params, xs, hs, dy):
    """Backpropagation through time in the GRU: gradients of the loss given dL/dy.

    params, xs: as for ``gru_forward``; hs: the hidden states that ``gru_forward`` returned
    for them (the gates are computed again from hs and xs, Eqs. (12.1)-(12.3)).
    dy: dL/dy, the same shape as y: (O,) for one sequence, (B, O) for a batch.
    Returns (grads, dhs):
        grads: dict with the keys and shapes of params               Eqs. (3.2), (12.10)
        dhs: the total derivatives dL/dh_t, the same shape as hs (Eq. (12.9)); ``dhs[0]``
             is dL/dh_0, ``dhs[T]`` is dL/dh_T (Eq. (3.3)).
    """
    params = _check_params(params, GRU_PARAM_NAMES)
    X, batched = _check_xs(xs, params)
    hs_rows, dy = _check_hs_and_dy(hs, dy, params, X, batched, "gru_forward")
    with np.errstate(over="ignore", invalid="ignore"):
        cache = dict(zip(("r", "z", "u", "n"), _gru_gates(params, _gru_input_terms(params, X),
                                                          hs_rows[:-1])), X=X, hs=hs_rows)
        grads, dhs = _gru_bptt(params, cache, dy, want_dhs=True)
    _check_finite_result(dict(grads, dhs=dhs), params, "gru_backward")
    return grads, (dhs.transpose(1, 0, 2) if batched else dhs[:, 0])


def gru_loss_and_grads(params, xs, target, h0=None):
    """The loss of the GRU on (xs, target) and its exact gradient for every parameter.

    params: dict with the keys GRU_PARAM_NAMES (see ``gru_init_params``).
    xs: one sequence (T,) (when D = 1) or (T, D) with target (O,);
        or a batch (B, T, D) with target (B, O).
    h0: None (zeros), (H,) or (H, 1) (shared by the batch), or (H, B).
    Returns (loss, grads): loss = mean((y - target)**2) over all O * B elements, a float
    (Eq. (1.4)); grads: dict with the keys and shapes of params (Eqs. (3.2), (12.6)-(12.10)).
    """
    params = _check_params(params, GRU_PARAM_NAMES)
    X, batched = _check_xs(xs, params)
    Y = _check_target(target, params, X.shape[1], batched)
    h0 = _check_h0(h0, params, X.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        y, cache = _gru_forward(params, X, h0)
        loss, dy = _mse(y, Y)
        grads, _ = _gru_bptt(params, cache, dy)
    _check_finite_result(dict(grads, loss=loss), params, "gru_loss_and_grads")
    return loss, grads


def _sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)); its derivative is sigma (1 - sigma)."""
    return 1.0 / (1.0 + np.exp(-a))            # exp(-a) = inf for a < -709 gives 0, exactly


def _gru_input_terms(params, X):
    """The terms of Eqs. (12.1)-(12.3) that depend on x_t alone, for every step at once, as
    rows: X (T, B, D) -> (W_xr x_t + b_r, W_xz x_t + b_z, W_xn x_t + b_xn), each (T, B, H)."""
    T, B, D = X.shape
    rows = X.reshape(T * B, D)                 # one product over all T * B rows each
    return tuple((np.dot(rows, params[weight].T) + params[bias].T).reshape(T, B, -1)
                 for weight, bias in (("Wxr", "br"), ("Wxz", "bz"), ("Wxn", "bxn")))


def _gru_gates(params, inputs, h_prev):
    """Eqs. (12.1)-(12.3) as rows, for one step or for every step at once: inputs, the three
    terms of _gru_input_terms (each (B, H), or (T, B, H)), and h_prev = h_{t-1} of the same
    shape -> (r, z, u, n), where u = W_hn h_{t-1} + b_hn is the term that r_t gates."""
    input_r, input_z, input_n = inputs
    r = _sigmoid(input_r + h_prev @ params["Whr"].T)                          # Eq. (12.1)
    z = _sigmoid(input_z + h_prev @ params["Whz"].T)                          # Eq. (12.2)
    u = h_prev @ params["Whn"].T + params["bhn"].T
    n = np.tanh(input_n + r * u)                                              # Eq. (12.3)
    return r, z, u, n


def _gru_forward(params, X, h0):
    """The GRU's forward pass on checked arrays, as rows: X (T, B, D), h0 (1 or B, H)
    -> (y (B, O), cache), cache a dict with X, hs (T+1, B, H) and the gates r, z, u, n of
    every step (T, B, H) (see _gru_gates). An h0 of one row is shared by the whole batch."""
    T, B, _ = X.shape
    H = params["Whz"].shape[0]
    inputs = _gru_input_terms(params, X)
    hs = np.empty((T + 1, B, H))
    hs[0] = h0
    gates = np.empty((4, T, B, H))             # r, z, u, n of every step
    for t in range(1, T + 1):                  # h_t needs h_{t-1}: step by step
        r, z, u, n = _gru_gates(params, [term[t - 1] for term in inputs], hs[t - 1])
        hs[t] = (1.0 - z) * n + z * hs[t - 1]                                 # Eq. (12.4)
        gates[:, t - 1] = r, z, u, n
    y = np.dot(hs[T], params["Why"].T) + params["by"].T                      # Eq. (1.3)
    return y, dict(zip(("r", "z", "u", "n"), gates), X=X, hs=hs)


def _gru_bptt(params, cache, dy, bptt_steps=None, want_dhs=False):
    """BPTT through the GRU on checked arrays, as rows: cache from _gru_forward, dy (B, O)
    -> (grads, dhs); dhs (T+1, B, H), where dhs[t] is dL/dh_t, or None unless want_dhs.

    bptt_steps = k truncates BPTT as in _bptt_stacked: the recursion stops after k steps back,
    as if h_{T-k} were a fixed input.
    """
    X, hs, r, z, u, n = (cache[key] for key in ("X", "hs", "r", "z", "u", "n"))
    T, B, H = r.shape
    h_prev = hs[:T]                            # h_{t-1} for t = 1 ... T
    first = 1 if bptt_steps is None else max(1, T - bptt_steps + 1)  # earliest step reached
    # The local derivatives of Eqs. (12.6)-(12.8), for every t at once:
    dn_local = (1.0 - z) * (1.0 - n ** 2)      # dh_t/da~_t, through the candidate
    dz_local = (h_prev - n) * z * (1.0 - z)    # dh_t/da^z_t, through the update gate
    dr_local = u * r * (1.0 - r)               # da~_t/da^r_t, through the reset gate
    # deltas[:, t-1] will be (delta~_t, delta^z_t, delta^r_t); 0 before `first` (truncated).
    deltas = np.zeros((3, T, B, H))
    dhs = np.zeros((T + 1, B, H)) if want_dhs else None
    Whz, Whr, Whn = params["Whz"], params["Whr"], params["Whn"]
    dh = np.dot(dy, params["Why"])             # dL/dh_T, Eq. (3.3)
    for t in range(T, first - 1, -1):          # backwards in time: dL/dh_t needs step t+1
        if want_dhs:
            dhs[t] = dh
        delta_n = deltas[0, t - 1] = dh * dn_local[t - 1]                    # Eq. (12.6)
        delta_z = deltas[1, t - 1] = dh * dz_local[t - 1]                    # Eq. (12.7)
        delta_r = deltas[2, t - 1] = delta_n * dr_local[t - 1]               # Eq. (12.8)
        if t > first or want_dhs:              # the last product, dL/dh_{first-1}, if asked
            # As rows, W^T v is v^T W; the first term is the additive path.
            dh = (z[t - 1] * dh + np.dot(delta_z, Whz) + np.dot(delta_r, Whr)
                  + np.dot(r[t - 1] * delta_n, Whn))                         # Eq. (12.9)
    if want_dhs:
        dhs[first - 1] = dh
    # Eq. (12.10): sums over t and over the batch, one product over all T * B rows each.
    delta_n, delta_z, delta_r = deltas.reshape(3, T * B, H)
    delta_u = r.reshape(T * B, H) * delta_n    # dL/du_t = r_t * delta~_t
    X, h_prev = X.reshape(T * B, -1), h_prev.reshape(T * B, H)
    grads = {
        "Wxz": np.dot(delta_z.T, X), "Whz": np.dot(delta_z.T, h_prev),
        "bz": delta_z.sum(axis=0)[:, None],
        "Wxr": np.dot(delta_r.T, X), "Whr": np.dot(delta_r.T, h_prev),
        "br": delta_r.sum(axis=0)[:, None],
        "Wxn": np.dot(delta_n.T, X), "Whn": np.dot(delta_u.T, h_prev),
        "bxn": delta_n.sum(axis=0)[:, None], "bhn": delta_u.sum(axis=0)[:, None],
        "Why": np.dot(dy.T, hs[T]),                                           # Eq. (3.2)
        "by": dy.sum(axis=0)[:, None],                                        # Eq. (3.2)
    }
    return grads, dhs


# --------------------------------------------------------------------------------------
# Language model: one output per step (notebook 11)
# --------------------------------------------------------------------------------------

# ``sample`` draws at most this many ids in one call (some 20 s of drawing: one step of
# Python per id). A longer request is refused before anything is allocated.
MAX_SAMPLE_LENGTH = 1_000_000


def lm_loss_and_grads(params, inputs, targets, h0=None):
    """Cross-entropy of a character-level language model and its exact gradient (BPTT).

    The input at step t is the one-hot vector of token ``inputs[t]``, so W_xh x_t is column
    ``inputs[t]`` of W_xh (Eq. (11.1)); there is an output at every step, y_t = W_hy h_t + b_y,
    and the loss is the mean cross-entropy of softmax(y_t) against ``targets[t]``.

    params: dict with Wxh (H, V), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1); V is the
        vocabulary size (D = V), and O = V for a language model.
    inputs: integer token ids, (T,) for one sequence or (B, T) for a batch, each in [0, V).
    targets: integer ids of the same shape, each in [0, O); usually the next token.
    h0: None (zeros), (H, 1) (shared by the batch) or (H, B).
    Returns (loss, grads, h_last):
        loss: mean over all T * B positions of -log softmax(y_t)[target], a float (Eq. (11.3))
        grads: dict with the keys and shapes of params                 Eqs. (11.4)-(11.7)
        h_last: h_T, (H, 1) for one sequence, (H, B) for a batch; pass it as h0 of the next
            chunk of a long text to carry the state (the gradient stops there: truncated BPTT).
    """
    params = _check_params(params)
    V, O = params["Wxh"].shape[1], params["Why"].shape[0]
    ids, batched = _check_ids(inputs, V, "inputs", "the vocabulary size V (Wxh.shape[1])")
    if np.shape(targets) != np.shape(inputs):
        raise ValueError(f"targets has shape {np.shape(targets)} but inputs has shape "
                         f"{np.shape(inputs)}; they must match (one target per input)")
    target_ids, _ = _check_ids(targets, O, "targets", "the output size O (Why.shape[0])")
    h0 = _check_h0(h0, params, ids.shape[1]).T
    H, T, B = params["Whh"].shape[0], ids.shape[0], ids.shape[1]
    # Finite but huge parameters (say 1e200) can overflow: caught below, not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        hs = _lm_forward(params, ids, h0)
        logits = params["Why"] @ hs[:, 1:].reshape(H, T * B) + params["by"]  # Eq. (11.1)
        loss, dlogits = _softmax_cross_entropy(logits, target_ids.reshape(T * B))
        grads = _lm_backward(params, ids, hs, dlogits)
    _check_finite_result(dict(grads, loss=loss), params, "lm_loss_and_grads")
    h_last = np.ascontiguousarray(hs[:, T])
    return loss, grads, h_last


def sample(params, first_id, length, *, h0=None, temperature=1.0, seed=None):
    """Generate ``length`` token ids, feeding each drawn id back in as the next input.

    params: as for ``lm_loss_and_grads``, with O = V (a drawn output becomes an input).
    first_id: the id of the first input x_1, an int in [0, V).
    length: how many ids to draw, a positive int, at most MAX_SAMPLE_LENGTH (a million).
    h0: None (zeros), (H, 1) or (H,): the state before x_1 (e.g. after reading a prime text).
    temperature: a positive finite number; ids are drawn from softmax(y_t / temperature)
        (Eq. (11.10)): below 1 sharper, above 1 flatter; towards 0, always the most likely id.
    seed: None, an int or a np.random.Generator; the same seed gives the same ids.
    Returns an int array (length,) of ids in [0, V); ``first_id`` itself is not included.
    """
    params = _check_params(params)
    V, O = params["Wxh"].shape[1], params["Why"].shape[0]
    if O != V:
        raise ValueError(f"params have output size O = {O} but vocabulary size V = {V}: sample "
                         "feeds each drawn output id back in as an input, so O must equal V")
    if isinstance(first_id, (bool, np.bool_)) or not isinstance(first_id, Integral):
        raise TypeError(f"first_id must be an integer token id in [0, {V}), got {first_id!r}")
    if not 0 <= first_id < V:
        raise ValueError(f"first_id is {first_id} but must be in [0, {V}) (the vocabulary "
                         "size V is Wxh.shape[1])")
    length = _check_size(length, "length")
    if length > MAX_SAMPLE_LENGTH:
        raise ValueError(f"length must be at most {MAX_SAMPLE_LENGTH:,} (ids drawn in one "
                         f"call, some 20 s of drawing), got {length}")
    temperature = _check_positive_number(temperature, "temperature")
    h = _check_h0(h0, params, 1).T
    rng = _as_generator(seed)
    Wxh, Whh, Why, bh, by = (params[name] for name in PARAM_NAMES)
    uniforms = rng.random(length)              # one draw per step, all from the seed
    ids = np.empty(length, dtype=np.intp)
    token = int(first_id)
    # Finite but huge weights can overflow the logits: caught below, not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(length):
            h = np.tanh(Wxh[:, token:token + 1] + np.dot(Whh, h) + bh)  # Eqs. (11.1), (1.2)
            y = np.dot(Why, h) + by
            # Eq. (11.10). Subtracting the max before dividing by the temperature keeps every
            # exponent <= 0: no overflow even for tiny temperatures (only the max survives).
            weights = np.exp((y[:, 0] - y.max()) / temperature)
            cumulative = np.cumsum(weights)
            if not math.isfinite(cumulative[-1]):          # an inf or NaN logit
                _check_finite_result({f"the logit y_{t + 1}": y}, params, "sample")
            # Inverse-CDF draw: the first id whose cumulative weight exceeds u * total.
            token = int(np.searchsorted(cumulative, uniforms[t] * cumulative[-1],
                                        side="right"))
            ids[t] = token = min(token, O - 1)
    return ids


def adagrad_step(params, grads, memory=None, *, learning_rate=0.1, eps=1e-8):
    """One Adagrad update, min-char-rnn's optimizer (Eq. (11.9)), as a pure function.

    For every parameter theta with gradient g:
        m <- m + g * g,    theta <- theta - learning_rate * g / sqrt(m + eps).
    Each entry gets its own step size, large while its gradients have been small.
    params, grads: dicts with the keys and shapes of params (not modified).
    memory: None (zeros) or the dict that the previous call returned.
    learning_rate, eps: positive finite numbers.
    Returns (new_params, new_memory), new dicts.
    """
    params = _check_params(params)
    grads = _check_like_params(grads, params, "grads")
    memory = ({name: np.zeros_like(value) for name, value in params.items()} if memory is None
              else _check_like_params(memory, params, "memory"))
    for name in PARAM_NAMES:
        if memory[name].size and memory[name].min() < 0:
            raise ValueError(f"memory['{name}'] has a negative entry "
                             f"{float(memory[name].min()):.3g}: Adagrad's memory is a sum of "
                             "squared gradients, >= 0 (pass the memory adagrad_step returned)")
    learning_rate = _check_positive_number(learning_rate, "learning_rate")
    eps = _check_positive_number(eps, "eps")
    with np.errstate(over="ignore", invalid="ignore"):    # overflow is caught below
        new_memory = {name: memory[name] + grads[name] * grads[name] for name in PARAM_NAMES}
        new_params = {name: params[name] - learning_rate * grads[name]
                      / np.sqrt(new_memory[name] + eps) for name in PARAM_NAMES}
    # Every entry of the memory is >= 0, so a finite total means every entry is finite.
    if not math.isfinite(sum(float(value.sum()) for value in new_memory.values())):
        for name in PARAM_NAMES:
            if not np.all(np.isfinite(new_memory[name])):
                largest = float(np.max(np.abs(grads[name])))
                raise ValueError(
                    f"adagrad_step: the memory m + g * g of {name} overflowed to inf: grads"
                    f"['{name}'] has entries up to {largest:.3g}, and m has entries up to "
                    f"{float(np.max(memory[name])):.3g}; squares above 1.8e308 do not fit in "
                    "float64 (clip the gradients first: rnn_core.clip_grads)")
    _check_finite_result(new_params, params, "adagrad_step")
    return new_params, new_memory


def _lm_forward(params, ids, h0):
    """Eqs. (11.1), (1.2) on checked ids (T, B) and h0 (H, 1) or (H, B) -> hs (H, T+1, B)."""
    T, B = ids.shape
    H = params["Whh"].shape[0]
    Whh = params["Whh"]
    # W_xh x_t for a one-hot x_t is column ids[t] of W_xh (Eq. (11.1)): a lookup of all T * B
    # columns at once instead of a matrix product with mostly zeros.
    xw = params["Wxh"][:, ids.reshape(T * B)]
    xw += params["bh"]
    xw = xw.reshape(H, T, B)
    hs = np.empty((H, T + 1, B))
    hs[:, 0] = h0
    h = h0
    for t in range(1, T + 1):
        h = np.tanh(xw[:, t - 1] + np.dot(Whh, h))                  # Eqs. (11.1), (1.2)
        hs[:, t] = h
    return hs


def _softmax_cross_entropy(logits, target_ids):
    """Eqs. (11.2)-(11.4): logits (O, N), target ids (N,) -> (mean loss, dL/dlogits (O, N))."""
    N = logits.shape[1]
    columns = np.arange(N)
    # log softmax(y)_k = y_k - log sum_j exp(y_j); with m = max_j y_j subtracted first every
    # exponent is <= 0 and the sum is >= 1 (log-sum-exp, Eq. (11.3)): finite for finite logits.
    shifted = logits - logits.max(axis=0)
    exp_shifted = np.exp(shifted)
    sum_exp = exp_shifted.sum(axis=0)
    loss = float(np.sum(np.log(sum_exp) - shifted[target_ids, columns])) / N
    dlogits = exp_shifted / sum_exp                                   # softmax, Eq. (11.2)
    dlogits[target_ids, columns] -= 1.0                               # p - onehot, Eq. (11.4)
    dlogits /= N
    return loss, dlogits


def _lm_backward(params, ids, hs, dlogits):
    """BPTT with an output at every step, Eq. (11.5) = (4.6): ids (T, B), hs (H, T+1, B),
    dlogits (O, T*B) -> grads."""
    Whh, Why = params["Whh"], params["Why"]
    T, B = ids.shape
    H, V = params["Wxh"].shape
    # The direct path from h_t to the loss, W_hy^T dL/dy_t, for every t at once.
    dh_direct = (Why.T @ dlogits).reshape(H, T, B)
    # deltas[:, t-1] becomes delta_t = dL/da_t; it starts as tanh'(a_t) = 1 - h_t^2 (Eq. (3.4)).
    deltas = hs[:, 1:] ** 2
    np.subtract(1.0, deltas, out=deltas)
    Whh_T = Whh.T
    dh_later = np.zeros((H, B))                # W_hh^T delta_{t+1}; delta_{T+1} = 0
    for t in range(T, 0, -1):
        delta = deltas[:, t - 1]               # a view: *= below writes into deltas
        delta *= dh_direct[:, t - 1] + dh_later                      # Eqs. (11.5), (3.4)
        dh_later = np.dot(Whh_T, delta)                               # Eq. (3.5)
    deltas = deltas.reshape(H, T * B)
    return {
        "Wxh": _lm_sum_into_columns(deltas, ids.reshape(T * B), V),      # Eq. (11.6)
        "Whh": deltas @ hs[:, :T].reshape(H, T * B).T,                # Eq. (4.2), h_0 included
        "Why": dlogits @ hs[:, 1:].reshape(H, T * B).T,               # Eq. (11.7)
        "bh": deltas.sum(axis=1, keepdims=True),                      # Eq. (4.3)
        "by": dlogits.sum(axis=1, keepdims=True),                     # Eq. (11.7)
    }


def _lm_sum_into_columns(deltas, ids, V):
    """Eq. (11.6): deltas (H, N), ids (N,) in [0, V) -> (H, V), column i = the sum of the
    deltas whose id is i (a character that never occurs gets a zero column).

    With one-hot x_t, delta_t x_t^T adds delta_t into column ids[t]: the product with the
    one-hot rows (N, V) is how NumPy does these additions fastest for a small V (np.add.at is
    about 3x slower). The rows are built directly, not picked from np.eye(V): memory and work
    grow with N * V, never with V * V.
    """
    one_hot = np.zeros((ids.size, V))
    one_hot[np.arange(ids.size), ids] = 1.0
    return deltas @ one_hot


def _check_ids(ids, size, name, size_name):
    """Token ids (T,) or (B, T), integers in [0, size) -> (array (T, B) of intp, batched)."""
    try:
        array = np.asarray(ids)
    except (ValueError, TypeError) as error:   # ragged nested lists, for example
        raise TypeError(f"{name} must be an array of integer token ids: {error}") from None
    if array.dtype.kind not in "iu":
        hint = (" (whole numbers stored as floats, like 1.0, are not ids: convert with "
                ".astype(int))" if array.dtype.kind == "f" else "")
        raise TypeError(f"{name} must be an array of integer token ids, got dtype "
                        f"{array.dtype}{hint}")
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} has shape {array.shape}; expected (T,) for one sequence or "
                         "(B, T) for a batch")
    if array.size == 0:
        raise ValueError(f"{name} has shape {array.shape}: the sequence or batch is empty")
    low, high = array.min(), array.max()
    if low < 0 or high >= size:
        bad = low if low < 0 else high
        raise ValueError(f"{name} contains the id {bad} but ids must be in [0, {size}), "
                         f"{size} being {size_name}")
    batched = array.ndim == 2
    return (array.T if batched else array[:, None]).astype(np.intp), batched


def _check_like_params(values, params, name):
    """A dict with the keys and shapes of params, as float64 arrays."""
    if not isinstance(values, dict):
        raise TypeError(f"{name} must be a dict with keys {PARAM_NAMES}, "
                        f"got {type(values).__name__}")
    checked = {}
    for key in PARAM_NAMES:
        if key not in values:
            raise ValueError(f"{name} is missing key '{key}'; expected {PARAM_NAMES}")
        value = np.asarray(values[key])
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name}['{key}'] must be an array of real numbers, "
                            f"got dtype {value.dtype}")
        if value.shape != params[key].shape:
            raise ValueError(f"{name}['{key}'] has shape {value.shape} but params['{key}'] "
                             f"has shape {params[key].shape}")
        checked[key] = value.astype(np.float64, copy=False)
        if not math.isfinite(_squares(checked[key], checked[key])) and not np.all(
                np.isfinite(checked[key])):
            raise ValueError(f"{name}['{key}'] contains NaN or inf")
    return checked


# --------------------------------------------------------------------------------------
# Checking arguments at the public boundary
# --------------------------------------------------------------------------------------

# These helpers are shared with rnn_viz, which imports them rather than copying them.

def _check_size(value, name, minimum=1):
    """value as an int >= minimum (1: a positive size); ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def _check_positive_number(value, name):
    # A float is tested first: isinstance(value, Real) is slower (Real is an abstract class).
    is_real = type(value) is float or isinstance(value, Real) and not isinstance(value, bool)
    if not (is_real and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _check_number(value, name, low=-math.inf, high=math.inf, *, open_low=False,
                  open_high=False):
    """value as a finite float in [low, high] (open ends if asked); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and (low < value if open_low else low <= value)
            and (value < high if open_high else value <= high)):
        left = "(" if open_low else "["
        right = ")" if open_high else "]"
        raise ValueError(f"{name} must be a finite number in {left}{low:g}, {high:g}{right}, "
                         f"got {value!r}")
    return value


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _as_generator(seed, name="seed"):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"{name} must be a non-negative integer (or None, or a "
                             f"numpy.random.Generator), got {seed!r}")
        return np.random.default_rng(seed)
    raise TypeError(f"{name} must be None, an int or a numpy.random.Generator, got {seed!r}")


def _check_grads(grads, name="grads"):
    """A dict name -> array of finite real numbers (as float64 arrays, not copied)."""
    if not isinstance(grads, dict):
        raise TypeError(f"{name} must be a dict name -> array (like params), got "
                        f"{type(grads).__name__}")
    return {key: _as_real_array(value, f"{name}[{key!r}]") for key, value in grads.items()}


def _check_finite_result(results, params, where):
    """Raise a clear ValueError if a computation on finite input overflowed to inf or NaN.

    results: dict name -> array or float. One scalar test first (a sum of squares of finite
    values is finite unless it overflows, which only sends us to the exact test).
    """
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for value in results.values():
            total += _squares(value, value)
    if math.isfinite(total):
        return
    for name, value in results.items():
        if not np.all(np.isfinite(value)):
            biggest = max(params, key=lambda p: float(np.max(np.abs(params[p]))))
            raise ValueError(
                f"{where}: {name} overflowed to inf or NaN although every input is finite: "
                f"the weights are too large for float64 (largest |entry| "
                f"{float(np.max(np.abs(params[biggest]))):.3g}, in {biggest})")


def _as_real_array(value, name):
    """value as a float64 array; TypeError for non-numbers, ValueError for NaN or inf."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):            # ragged nested lists, for example
        raise TypeError(f"{name} must be an array of real numbers with a rectangular shape "
                        "(nested lists of equal lengths); NumPy cannot make one "
                        "array of it") from None
    kind = array.dtype.kind
    if kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    # One scalar test first, about 3 times cheaper on the small arrays of a training step:
    # the sum of squares is finite if every entry is, unless it overflows (entries above
    # ~1e154), which only sends us to the exact test. Integers are always finite.
    if kind == "f" and not math.isfinite(_squares(array, array)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or inf")
    return array if array.dtype is _FLOAT64 else array.astype(np.float64)


def _check_params(params, names=PARAM_NAMES):
    """params as a dict of float64 arrays with the keys names (PARAM_NAMES, the simple RNN's,
    or GRU_PARAM_NAMES) and the shapes that _PARAM_SHAPES gives them."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {names}, "
                        f"got {type(params).__name__}")
    missing = [name for name in names if name not in params]
    if missing:
        other = GRU_PARAM_NAMES if names is PARAM_NAMES else PARAM_NAMES
        hint = ""
        if all(name in params for name in other):
            hint = (" (these are a GRU's params: use gru_forward, gru_backward, "
                    "gru_loss_and_grads, or train with cell='gru')" if names is PARAM_NAMES else
                    " (these are the simple RNN's params: use forward, backward, loss_and_grads, "
                    "or train with cell='rnn'; gru_init_params makes a GRU's)")
        raise ValueError(f"params is missing key(s) {missing}; expected {names}{hint}")
    checked = {name: _as_real_array(params[name], f"params['{name}']") for name in names}
    _check_param_shapes(checked, names=names)
    return checked


# The shape of every parameter in the sizes D, H, O: the simple RNN's and the GRU's.
_PARAM_SHAPES = {"Wxh": "HD", "Whh": "HH", "Why": "OH", "bh": "H1", "by": "O1",
                 "Wxz": "HD", "Whz": "HH", "bz": "H1", "Wxr": "HD", "Whr": "HH", "br": "H1",
                 "Wxn": "HD", "Whn": "HH", "bxn": "H1", "bhn": "H1"}


def _check_param_shapes(params, owner="params['{}']", names=PARAM_NAMES):
    """Raise unless the arrays params[name] for name in names have the shapes of
    _PARAM_SHAPES (Wxh (H, D), Whh (H, H), Why (O, H), bh (H, 1), by (O, 1); the GRU's
    likewise) for some positive D, H, O; names[0] is the input weight, (H, D).
    owner formats the names in the message."""
    if names is PARAM_NAMES:
        try:  # the common case first, cheaply (SimpleRNN.forward runs this on every call)
            H, D = params["Wxh"].shape
            O, _ = params["Why"].shape
            if H and D and O and (params["Whh"].shape, params["Why"].shape, params["bh"].shape,
                                  params["by"].shape) == ((H, H), (O, H), (H, 1), (O, 1)):
                return
        except (AttributeError, ValueError):  # not an array, or not 2-D: diagnosed below
            pass
    for name in names:
        if not isinstance(params[name], np.ndarray):
            raise TypeError(f"{owner.format(name)} must be a NumPy array, "
                            f"got {type(params[name]).__name__}")
    shapes = {name: params[name].shape for name in names}
    for name, shape in shapes.items():
        if len(shape) != 2:
            raise ValueError(f"{owner.format(name)} must be 2-D, got shape {shape}")
    first = names[0]
    H, D = shapes[first]
    O = shapes["Why"][0]
    for name in names:
        if _PARAM_SHAPES[name] == "HH" and shapes[name][0] != shapes[name][1]:
            raise ValueError(f"{owner.format(name)} must be square (H, H), got shape "
                             f"{shapes[name]}")
    size = {"D": D, "H": H, "O": O, "1": 1}
    for name in names:
        rows, columns = _PARAM_SHAPES[name]
        if shapes[name] != (size[rows], size[columns]):
            raise ValueError(f"{owner.format(name)} has shape {shapes[name]}, expected "
                             f"{(size[rows], size[columns])} ({first} is (H, D) = {(H, D)}, "
                             "Why is (O, H))")
    if H == 0 or D == 0 or O == 0:
        raise ValueError(f"params have a zero size: D={D}, H={H}, O={O}")


# The checks below return arrays as the internal functions store them: one row per sequence
# (see "How the functions below store a batch"), xs as X (T, B, D), target as (B, O), h0 as
# (1, H) (shared by the batch) or (B, H).

def _check_xs_shape_only(xs, name="xs"):
    """xs as X (T, B, D) (a view of a float64 xs, not a copy) without params to check
    against; returns (X, batched)."""
    X = _as_real_array(xs, name)
    batched = X.ndim == 3
    if X.ndim == 1:
        X = X[:, None, None]
    elif X.ndim == 2:
        X = X[:, None, :]
    elif batched:
        X = X.transpose(1, 0, 2)
    else:
        raise ValueError(f"{name} has shape {X.shape}; expected (T,) or (T, D) for one sequence "
                         "or (B, T, D) for a batch")
    if X.size == 0:
        raise ValueError(f"{name} has shape {np.shape(xs)}: the sequence or batch is empty")
    return X, batched


def _check_xs(xs, params, name="xs"):
    X, batched = _check_xs_shape_only(xs, name)
    weight = "Wxh" if "Wxh" in params else "Wxz"           # the GRU has no Wxh
    D = params[weight].shape[1]
    if X.shape[2] != D:
        want = "(T, D) or (B, T, D)" if D > 1 else "(T,), (T, 1) or (B, T, 1)"
        raise ValueError(f"{name} has shape {np.shape(xs)} but {weight} expects input_size "
                         f"{D}: pass {name} of shape {want} with D = {D}")
    return X, batched


def _check_hs_and_dy(hs, dy, params, X, batched, source):
    """hs as rows (T+1, B, H) and dy as (B, O), for backward (source "forward") and
    gru_backward (source "gru_forward", which returns such hs)."""
    T, B, _ = X.shape
    O, H = params["Why"].shape
    hs = _as_real_array(hs, "hs")
    expected = (B, T + 1, H) if batched else (T + 1, H)
    if hs.shape != expected:
        raise ValueError(f"hs has shape {hs.shape} but xs and params need {expected} "
                         f"(the hidden states h_0 ... h_T that {source} returns)")
    dy = _as_real_array(dy, "dy")
    expected = (B, O) if batched else (O,)
    if dy.shape != expected:
        raise ValueError(f"dy has shape {dy.shape} but must have the shape of y, {expected}")
    return (hs.transpose(1, 0, 2) if batched else hs[:, None]), dy.reshape(B, O)


def _target_size(target, batched):
    shape = _as_real_array(target, "target").shape
    if batched and len(shape) == 2:
        return _check_size(shape[1], "the output size (target.shape[1])")
    if not batched and len(shape) in (1, 2):
        return _check_size(shape[0], "the output size (target.shape[0])")
    if not batched and len(shape) == 0:
        return 1
    want = "(B, O) for a batch" if batched else "(O,) for one sequence"
    raise ValueError(f"target has shape {shape}; expected {want}")


def _check_target(target, params, B, batched, name="target"):
    """target as (B, O)."""
    Y = _as_real_array(target, name)
    O = params["Why"].shape[0]
    if batched:
        if Y.shape != (B, O):
            raise ValueError(f"{name} has shape {Y.shape} but a batch of {B} sequences with "
                             f"output_size {O} needs ({B}, {O})")
        return Y
    if Y.shape in ((O,), (O, 1)) or (Y.ndim == 0 and O == 1):
        return Y.reshape(1, O)
    raise ValueError(f"{name} has shape {Y.shape} but Why gives output_size {O}: "
                     f"pass {name} of shape ({O},)")


def _check_h0(h0, params, B, name="h0"):
    """h0 as rows: (1, H) (shared by the batch: _forward broadcasts it) or (B, H)."""
    H = params["Why"].shape[1]                 # the simple RNN's and the GRU's
    if h0 is None:
        return np.zeros((1, H))
    h0 = _as_real_array(h0, name)
    if h0.shape in ((H, 1), (H, B)):
        return h0.T
    if h0.shape == (H,):
        return h0[None, :]
    raise ValueError(f"{name} has shape {h0.shape}; expected ({H}, 1) or ({H},) (shared by the "
                     f"batch) or ({H}, {B}) (one column per sequence)")


def _as_batch(xs, target, xs_name="xs", target_name="target"):
    """Data that ``train`` accepts, as a batch: xs (B, T, D) and target (B, O) float arrays.

    One sequence (T,) or (T, D) with target (O,) becomes a batch of one.
    """
    X, batched = _check_xs_shape_only(xs, xs_name)
    Y = _as_real_array(target, target_name)
    B = X.shape[1]
    if batched:
        if Y.ndim != 2 or Y.shape[0] != B or Y.shape[1] == 0:
            raise ValueError(f"{target_name} has shape {Y.shape} but {xs_name} is a batch of "
                             f"{B} sequences: expected ({B}, O)")
        return X.transpose(1, 0, 2), Y
    if Y.ndim > 1 or Y.size == 0:
        raise ValueError(f"{target_name} has shape {Y.shape} but {xs_name} is one sequence "
                         "(T,) or (T, D): expected (O,)")
    return X.transpose(1, 0, 2), Y.reshape(1, -1)


def _y_out(y, batched):
    return y.T if batched else y[:, 0]


def _hs_out(hs, batched):
    """Internal (H, T+1, B) -> public (B, T+1, H), or (T+1, H) for one sequence."""
    return hs.transpose(2, 1, 0) if batched else hs[:, :, 0].T
