"""Data, plots, diagrams, the course's figure style and the interactive explorers.

The math lives in ``rnn_core``; this module only composes its public functions, draws them
with matplotlib and wires ipywidgets sliders to them. It is imported by the notebooks and
tested without a kernel by ``tests/test_rnn_viz.py``.

Data (plain NumPy, seeded)
    arithmetic_sequences(n, length=5, *, seed=0) -> xs (n, length, 1), target (n, 1)
    split_train_val(xs, target, *, val_fraction=0.25, seed=0) -> train_xs, train_target,
        val_xs, val_target
    first_input_task(n, length, *, seed=0) -> xs (n, length, 1), target (n, 1) = xs[:, 0]

Style
    use_course_style()    every figure of the course: at most 850 px wide, text of 12 pt or more
    COURSE_STYLE, MAX_FIGURE_WIDTH
    below(value, bound) -> "below 1e-14": how a cell prints a number at round-off level
    above(value, bound) -> "above 1e+07": and a chaotic one that only a bound describes

Plots and diagrams (draw on a matplotlib Axes you pass in)
    plot_loss_curves(ax, result, *, label, color, alpha=1.0)
    plot_gradient_norms(ax, norms, *, label, color, linestyle="-")
    plot_eigenvalues(ax, Whh, *, label, color)
    draw_unrolled_rnn(ax, inputs, target)      the many-to-one RNN unrolled (notebook 00)
    draw_computational_graph(ax, T=3)          forward and backward edges (notebook 03)
    plot_clipping_run(axes, plain, clipped, *, stop, mark)   the 2 x 2 anatomy of notebook 09
    figure_png(fig) -> PNG bytes

Gradient flow (notebooks 08 to 10)
    scale_to_spectral_radius(W, radius) -> W rescaled so that max |eigenvalue| = radius
    spectral_radius(W) -> float
    gradient_flow_params(hidden_size, radius, *, input_scale=1.0, seed=0) -> params (D = O = 1)
    hidden_gradient_norms(params, xs, *, linear=False) -> (T + 1,) array of ||dL/dh_t||
    truncated_bptt_grads(params, xs, target, k) -> (loss, grads, dhs)
        (training with it: rnn_core.train(..., bptt_steps=k))

Explorers (the contract the browser tests and the benchmark rely on)
    explorer = TrainingExplorer(train_xs, train_target, val_xs, val_target)
        sliders: "learning_rate" (FloatLogSlider 1e-4..1), "hidden_size" (IntSlider 1..64),
                 "epochs", "seed", "clip_norm" (0 = off)
    explorer = GradientFlowExplorer()
        sliders: "spectral_radius", "seq_length", "input_scale", "seed"
    Both have:
        explorer.widget   the ipywidgets.VBox shown in the notebook, CSS class "rnn-explorer";
                          displaying ``explorer`` itself shows it
        explorer.sliders  dict name -> ipywidgets slider (with a description,
                          continuous_update=False)
        explorer.status   ipywidgets.HTML, CSS class "rnn-status": one line saying how the
                          last redraw ended (numbers to 3 significant digits), or the error
                          it raised
        explorer.output   ipywidgets.Output, CSS class "rnn-plot": holds one PNG image
        explorer.figure   the matplotlib Figure that is drawn (not managed by pyplot)
        explorer.last_png the PNG bytes of the last redraw
        explorer.last_error     None, or the exception the last redraw raised
        explorer.last_seconds   how long the last redraw took (compute + PNG)
        explorer.update()       redraw now from the current slider values
    Setting ``explorer.sliders[name].value = v`` redraws synchronously, so a benchmark can
    time ``explorer.sliders["learning_rate"].value = 0.1`` directly. Bad input (a NaN set on a
    slider from code, say) is a ValueError or TypeError: its message, naming the slider, is
    shown in the status line and the plot area, without a traceback. Any other exception in
    a redraw (a bug) is shown in the status line and as a traceback in the plot area. Nothing
    is swallowed: ``explorer.last_error`` holds it. The computation runs with one BLAS thread
    (threadpoolctl): small recurrent products gain nothing from threads, and a second thread
    competing with other work on the machine made redraws up to 20 times slower.
"""

import base64
import html
import io
import math
import time
import traceback
from numbers import Real

import ipywidgets as widgets
import matplotlib
import matplotlib.ticker as mticker
import numpy as np
import PIL.Image
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from threadpoolctl import ThreadpoolController

# The argument checks are rnn_core's, shared rather than copied.
import rnn_core
from rnn_core import (_as_batch, _as_generator, _as_real_array, _check_bool, _check_number,
                      _check_params, _check_positive_number, _check_size, _check_xs)

TRAIN_COLOR = "tab:blue"
_LOSS_CAP = 1e10
VAL_COLOR = "tab:orange"

# One matplotlib style for every figure of the course, readable on a projector. JupyterLab
# shows an output at most about 850 px wide, so figures are at most 8.5 inches wide at 100 dpi
# (850 px, never scaled down) and every text is at least 12 pt (17 px), legends included.
COURSE_STYLE = {
    "figure.figsize": (8.5, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "figure.titlesize": 15,
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "grid.alpha": 0.3,
}
MAX_FIGURE_WIDTH = 8.5     # inches, at 100 dpi (8.3 with layout="constrained": Lab adds a margin)


def use_course_style():
    """Apply COURSE_STYLE to matplotlib (call it once, after importing pyplot)."""
    matplotlib.rcParams.update(COURSE_STYLE)


def below(value, bound):
    """How the course prints a number at round-off level: "below 1e-14" if value < bound.

    The digits of such a number (a relative error of 1.3e-16, say) differ from one machine to
    the next: another CPU or BLAS library rounds in other places. What the math guarantees is
    the bound, so that is what a cell prints, and the same on every machine. A value that is
    not below the bound (something is wrong) is printed itself: "3.2e-10, not below 1e-14".
    value: a real number (NaN is never below); bound: a positive number.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating)):
        raise TypeError(f"value must be a real number, got {value!r}")
    bound = _check_positive_number(bound, "bound")
    if value < bound:
        return f"below {bound:.0e}"
    return f"{value:.1e}, not below {bound:.0e}"


def above(value, bound):
    """How the course prints a chaotic result that only a bound describes: "above 1e+07".

    After an explosion, say, the last digits of the computation decide how far a weight is
    thrown (3.5e8 on one machine, 1.2e8 on another); the bound holds on all of them. A value
    that is not above the bound is printed itself: "3.2e+06, not above 1e+07".
    value: a real number (NaN is never above); bound: a positive number.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating)):
        raise TypeError(f"value must be a real number, got {value!r}")
    bound = _check_positive_number(bound, "bound")
    if value > bound:
        return f"above {bound:.0e}"
    return f"{value:.1e}, not above {bound:.0e}"

# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def arithmetic_sequences(n, length=5, *, seed=0, start_range=(-0.5, 0.5),
                         step_range=(-0.15, 0.15)):
    """Many arithmetic sequences and, as target, the value that comes next.

    The seed's example 0.1, 0.2, 0.3, 0.4, 0.5 -> 0.6 is one of them (start 0.1, step 0.1).
    n: number of sequences; length: T, the number of inputs per sequence.
    seed: int >= 0 or np.random.Generator; start and step are drawn uniformly from the
    ranges, each a pair (low, high) of finite numbers with low <= high.
    Returns xs (n, T, 1) and target (n, 1), float64.
    """
    n = _check_size(n, "n")
    length = _check_size(length, "length")
    start_range = _check_range(start_range, "start_range")
    step_range = _check_range(step_range, "step_range")
    rng = _as_generator(seed)
    start = rng.uniform(*start_range, size=(n, 1))
    step = rng.uniform(*step_range, size=(n, 1))
    xs = start + step * np.arange(length)          # (n, T): start, start + step, ...
    target = start + step * length
    return xs[:, :, None], target


def split_train_val(xs, target, *, val_fraction=0.25, seed=0):
    """Shuffle the sequences once and split them into a training and a validation set.

    xs (B, T, D), target (B, O); val_fraction in (0, 1), leaving at least one sequence on
    each side. Returns train_xs, train_target, val_xs, val_target (the first two hold the
    rest), float64 arrays.
    """
    xs, target = _as_batch(xs, target)
    val_fraction = _check_number(val_fraction, "val_fraction", 0.0, 1.0, open_low=True,
                                 open_high=True)
    order = _as_generator(seed).permutation(len(xs))
    n_val = int(round(len(xs) * val_fraction))
    if not 0 < n_val < len(xs):
        raise ValueError(f"val_fraction={val_fraction} of {len(xs)} sequences leaves "
                         f"{n_val} for validation and {len(xs) - n_val} for training; each "
                         "needs at least one")
    val, train = order[:n_val], order[n_val:]
    return xs[train], target[train], xs[val], target[val]


def first_input_task(n, length, *, seed=0):
    """A task that needs memory: read T random numbers, output the FIRST one.

    n, length: positive ints; seed: int >= 0 or np.random.Generator.
    Inputs are uniform in [-1, 1], so always answering 0 scores a loss of 1/3 (the variance).
    Returns xs (n, T, 1) and target (n, 1) = xs[:, 0].
    """
    n = _check_size(n, "n")
    length = _check_size(length, "length")
    xs = _as_generator(seed).uniform(-1.0, 1.0, size=(n, length, 1))
    return xs, xs[:, 0, :].copy()


def _check_range(value, name):
    """A pair (low, high) of finite numbers with low <= high."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low = _check_number(value[0], f"{name}[0]")
    high = _check_number(value[1], f"{name}[1]")
    if low > high:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {value!r}")
    return low, high


def _check_axes(ax):
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from fig.subplots()), got "
                        f"{type(ax).__name__}")


def _check_square(W, name):
    """W as a float64 (H, H) matrix of finite numbers, H >= 1."""
    W = _as_real_array(W, name)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.size == 0:
        raise ValueError(f"{name} must be a square matrix (H, H), got shape {W.shape}")
    return W


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------


def plot_loss_curves(ax, result, *, label="", color=None, val_color=None, alpha=1.0,
                     linewidth=None):
    """Training (solid) and validation (dashed) loss per epoch of a TrainResult, log y.

    ax: a matplotlib Axes; result: rnn_core.TrainResult; label: prefix for the legend
    (None: no legend entries); val_color: colour of the validation curve (default: color).
    A run that diverged gets a dotted vertical line at ``diverged_at``, the epoch at which
    ``rnn_core.train`` stopped it. Losses above 1e10 are drawn at 1e10 (far off any sensible
    y range).
    """
    _check_axes(ax)
    if not isinstance(result, rnn_core.TrainResult):
        raise TypeError(f"result must be an rnn_core.TrainResult (what rnn_core.train "
                        f"returns), got {type(result).__name__}")
    epochs = np.arange(len(result.losses))
    # Before a divergence the loss can reach 1e300; drawn as is, the log axis overflows.
    losses = np.minimum(result.losses, _LOSS_CAP)
    val_losses = np.minimum(result.val_losses, _LOSS_CAP)
    train_label = val_label = None
    if label is not None:
        train_label = f"{label} training".strip()
        val_label = f"{label} validation".strip()
    line, = ax.plot(epochs, losses, color=color, alpha=alpha, linewidth=linewidth,
                    label=train_label)
    if result.val_losses:
        ax.plot(np.arange(len(val_losses)), val_losses,
                color=val_color or line.get_color(),
                alpha=alpha, linewidth=linewidth, linestyle="--", label=val_label)
    if result.diverged:
        ax.axvline(result.diverged_at, color=line.get_color(), alpha=alpha, linestyle=":",
                   linewidth=linewidth,
                   label=None if label is None else
                   f"{label} diverged at epoch {result.diverged_at}".strip())
    if ax.get_yscale() != "log":               # keep an explorer's own tick formatters
        ax.set_yscale("log")
    if not ax.get_xlabel():
        ax.set_xlabel("epoch")
    if not ax.get_ylabel():
        ax.set_ylabel("mean squared error (log scale)")
    return line


def plot_gradient_norms(ax, norms, *, label=None, color=None, linestyle="-"):
    """||dL/dh_t|| (total derivatives) against t = 0..T on a log y axis.

    ax: a matplotlib Axes; norms: (T + 1,) array of finite non-negative numbers.
    """
    _check_axes(ax)
    norms = _as_real_array(norms, "norms")
    if norms.ndim != 1 or norms.size == 0 or np.any(norms < 0):
        raise ValueError(f"norms must be a non-empty 1-D array (T + 1,) of norms >= 0, got "
                         f"shape {norms.shape}")
    line, = ax.plot(np.arange(len(norms)), norms, color=color, linestyle=linestyle,
                    label=label)
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel(r"$\|dL/dh_t\|$ (log scale)")      # d: the total derivative
    return line


def plot_eigenvalues(ax, Whh, *, label=None, color=None, marker="o"):
    """The eigenvalues of Whh (H, H) as points in the complex plane, with the unit circle."""
    _check_axes(ax)
    Whh = _check_square(Whh, "Whh")
    eigenvalues = np.linalg.eigvals(Whh)
    angle = np.linspace(0.0, 2.0 * np.pi, 200)
    ax.plot(np.cos(angle), np.sin(angle), color="0.5", linewidth=1.0, linestyle=":")
    ax.scatter(eigenvalues.real, eigenvalues.imag, s=32, color=color, marker=marker,
               label=label, alpha=0.8)
    ax.axhline(0.0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.85", linewidth=0.8, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    return eigenvalues


RECORD_KEYS = ("Whh", "Wxh", "bh", "Why", "by", "global", "dh0", "rho", "slope", "loss")


def plot_clipping_run(axes, plain, clipped, *, stop, mark, clip_norm=1.0, steps_per_epoch=4):
    """Notebook 09's anatomy of an SGD run without and with clipping, on a 2 x 2 grid of Axes.

    axes: a (2, 2) array of matplotlib Axes. plain, clipped: what notebook 09 records at every
    SGD step, dicts with 1-D arrays of equal length under the keys RECORD_KEYS: the gradient
    norm of each parameter, the global norm ("global"), ||dL/dh_0|| ("dh0"), rho(W_hh), the
    mean tanh slope and the batch loss. stop: the epoch at which rnn_core.train stops the
    unclipped run (drawn as a band in panel (d)); mark: a step marked in every panel (a dotted
    line); clip_norm: the threshold c of Eq. (9.2); steps_per_epoch: SGD steps per epoch.
    Panels: (a) the global norm, both runs; (b) the unclipped run's norm per parameter and
    dL/dh_0; (c) its rho(W_hh) and tanh slope; (d) the loss of both runs. Exact zeros are
    drawn at 1e-16 on the log scales.
    """
    axes = np.asarray(axes)
    if axes.shape != (2, 2):
        raise ValueError(f"axes must be a 2 x 2 grid of Axes (plt.subplots(2, 2)), got shape "
                         f"{axes.shape}")
    for ax in axes.flat:
        _check_axes(ax)
    runs = {"plain": plain, "clipped": clipped}
    for name, record in runs.items():
        if not isinstance(record, dict) or set(RECORD_KEYS) - set(record):
            raise ValueError(f"{name} must be a dict with the keys {', '.join(RECORD_KEYS)}")
        lengths = {np.shape(record[key]) for key in RECORD_KEYS}
        if len(lengths) != 1 or len(next(iter(lengths))) != 1:
            raise ValueError(f"{name} must hold 1-D arrays of one length, got shapes "
                             f"{sorted(lengths)}")
    stop = _check_size(stop, "stop", minimum=0)
    mark = _check_size(mark, "mark", minimum=0)
    clip_norm = _check_positive_number(clip_norm, "clip_norm")
    steps_per_epoch = _check_size(steps_per_epoch, "steps_per_epoch")
    steps = np.arange(len(plain["loss"]))
    floor = 1e-16
    ax = axes[0, 0]
    ax.plot(steps, plain["global"], color="tab:red", linewidth=1, label="without clipping")
    ax.plot(np.arange(len(clipped["global"])), clipped["global"], color="tab:blue",
            linewidth=1, label="with clipping\n(norm before clipping)")
    ax.axhline(clip_norm, color="black", linestyle=":", linewidth=1,
               label=f"threshold c = {clip_norm:g}")
    ax.set_ylabel("global gradient norm ||g||")
    ax.set_title("(a) Global norm, Eq. (9.2)")
    ax.set_ylim(1e-2, 1e24)
    ax = axes[0, 1]
    symbols = {"Whh": "W_{hh}", "Wxh": "W_{xh}", "bh": "b_h", "Why": "W_{hy}", "by": "b_y"}
    for (name, symbol), color in zip(symbols.items(), ["tab:red", "tab:orange", "tab:pink",
                                                       "tab:blue", "tab:cyan"]):
        ax.plot(steps, np.maximum(plain[name], floor), color=color, linewidth=1,
                label=f"$dL/d{symbol}$")
    ax.plot(steps, np.maximum(plain["dh0"], floor), color="black", linewidth=1.5,
            linestyle="--", label="$dL/dh_0$")
    ax.set_ylabel(f"norm (exact 0 drawn at {floor:.0e})")
    ax.set_title("(b) Without clipping: per parameter")
    ax.set_ylim(1e-18, 1e30)
    ax = axes[1, 0]
    ax.plot(steps, plain["rho"], color="tab:purple", label=r"spectral radius $\rho(W_{hh})$")
    ax.plot(steps, plain["slope"], color="tab:green", label=r"mean tanh slope $1 - h_t^2$")
    ax.set_title("(c) Without clipping: $W_{hh}$, tanh")
    ax.set_ylim(1e-9, 1e10)
    ax = axes[1, 1]
    ax.plot(steps, plain["loss"], color="tab:red", label="without clipping")
    ax.plot(np.arange(len(clipped["loss"])), clipped["loss"], color="tab:blue",
            label="with clipping")
    first = steps_per_epoch * stop
    ax.axvspan(first, first + steps_per_epoch - 1, color="tab:gray", alpha=0.3,
               label=f"train stops (epoch {stop})")
    ax.set_ylabel("batch loss (mean squared error)")
    ax.set_title("(d) Training loss")
    ax.set_ylim(1e-3, 1e50)
    for ax in axes.flat:
        ax.set_yscale("log")
        ax.axvline(mark, color="0.4", linestyle=":", linewidth=1)
        ax.legend(loc="upper left" if ax is not axes[1, 0] else "lower left", framealpha=1)
    for ax in axes[1]:
        ax.set_xlabel(f"SGD step ({steps_per_epoch} per epoch)")


def figure_png(fig, dpi=100):
    """Render a matplotlib Figure to PNG bytes (what the explorers show); dpi > 0."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    dpi = _check_positive_number(dpi, "dpi")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Diagrams of the unrolled RNN (notebooks 00 and 03)
# --------------------------------------------------------------------------------------

def draw_unrolled_rnn(ax, inputs, target):
    """The many-to-one RNN unrolled over len(inputs) steps, on the Axes ax (notebook 00).

    Boxes are vectors, arrows are products with the weight written next to them, Eqs.
    (1.1)-(1.4): x_t -> h_t (W_xh), h_{t-1} -> h_t (W_hh), h_T -> y (W_hy), y and y* -> L.
    inputs: the numbers x_1 ... x_T written under the input boxes; target: y*.
    """
    _check_axes(ax)
    values = _as_real_array(inputs, "inputs")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"inputs must be a non-empty 1-D sequence of numbers x_1 ... x_T, got "
                         f"shape {values.shape}")
    target = _check_number(target, "target")
    colors = {"Wxh": "tab:blue", "Whh": "tab:orange", "Why": "tab:green", "loss": "0.35"}
    T, dx = len(values), 2.0                   # dx: distance between two time steps
    row_x, row_h, row_y = 0.0, 2.0, 4.0        # heights of the input, hidden, output rows

    def box(x, y, text, face, note=None):
        ax.add_patch(FancyBboxPatch((x - 0.45, y - 0.35), 0.9, 0.7, boxstyle="round,pad=0.05",
                                    fc=face, ec="0.2", lw=1.3))
        ax.text(x, y, text, ha="center", va="center", fontsize=15)
        if note is not None:
            ax.text(x, y - 0.62, note, ha="center", va="top", fontsize=12, color="0.3")

    def arrow(start, end, color, label=None, shift=(0.0, 0.0)):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16,
                                     color=color, lw=1.8, shrinkA=0, shrinkB=0))
        if label is not None:
            middle = ((start[0] + end[0]) / 2 + shift[0], (start[1] + end[1]) / 2 + shift[1])
            ax.text(*middle, label, color=color, fontsize=13, ha="center", va="center",
                    bbox=dict(fc="white", ec="none", pad=0.5))

    box(0, row_h, "$h_0$", "#fde9d9", note="= 0")
    for t, value in enumerate(values, start=1):
        x = t * dx
        box(x, row_x, f"$x_{t}$", "#dbe9f6", note=f"= {value:g}")
        box(x, row_h, f"$h_{t}$", "#fde9d9")
        arrow((x, row_x + 0.42), (x, row_h - 0.42), colors["Wxh"], "$W_{xh}$", (0.45, 0))
        arrow((x - dx + 0.5, row_h), (x - 0.5, row_h), colors["Whh"], "$W_{hh}$", (0, 0.32))
    x_last, x_loss = T * dx, (T + 1) * dx
    box(x_last, row_y, "$y$", "#e2f0d9")
    arrow((x_last, row_h + 0.42), (x_last, row_y - 0.42), colors["Why"], "$W_{hy}$", (0.45, 0))
    box(x_loss, row_y, "$L$", "#eeeeee")
    box(x_loss, row_h, "$y^\\star$", "#eeeeee", note=f"= {target:g}")
    arrow((x_last + 0.5, row_y), (x_loss - 0.5, row_y), colors["loss"])
    arrow((x_loss, row_h + 0.42), (x_loss, row_y - 0.42), colors["loss"])
    ax.text(x_loss / 2, -1.35, "the same $W_{xh}$, $W_{hh}$, $b_h$ at every step;\n"
            "$y$ is read from the last state $h_T$ only", ha="center", va="top", fontsize=13,
            color="0.25")
    ax.set_xlim(-0.8, x_loss + 0.9)
    ax.set_ylim(-2.6, row_y + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_computational_graph(ax, T=3):
    """The unrolled RNN as a computational graph, forward (black) and backward (red, dashed).

    Nodes h_0 ... h_T, a_t, x_t, y and L on the Axes ax (notebook 03); the dashed red arcs
    carry the total derivatives dL/dh_t from the loss back to h_0, Eqs. (3.3) and (3.5).
    T: the number of steps drawn, a positive int.
    """
    _check_axes(ax)
    T = _check_size(T, "T")
    step = 2.8
    pos = {"h0": (0.0, 0.0)}
    for t in range(1, T + 1):
        pos[f"x{t}"] = (step * t - step / 2, -1.6)
        pos[f"a{t}"] = (step * t - step / 2, 0.0)
        pos[f"h{t}"] = (step * t, 0.0)
    pos["y"], pos["L"] = (step * T + 1.7, 0.0), (step * T + 3.4, 0.0)
    fill = {"x": "#dbe9f6", "a": "#fdebd0", "h": "#d5f5e3", "y": "#ebdef0", "L": "#fadbd8"}
    for name, (px, py) in pos.items():
        label = f"${name[0]}_{name[1:]}$" if len(name) > 1 else f"${name}$"
        ax.text(px, py, label, ha="center", va="center", fontsize=15, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.35", fc=fill[name[0]], ec="black"))

    def arrow(src, dst, text="", color="black", rad=0.0, dy_text=-0.55, dx_text=0.0, ls="-"):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.5, ls=ls, shrinkA=18,
                                    shrinkB=18, connectionstyle=f"arc3,rad={rad}"))
        ax.text((x0 + x1) / 2 + dx_text, (y0 + y1) / 2 + dy_text, text, ha="center",
                va="center", fontsize=13, color=color)

    for t in range(1, T + 1):
        arrow(f"h{t - 1}", f"a{t}", "$W_{hh}$")
        arrow(f"x{t}", f"a{t}", "$W_{xh}$", dy_text=-0.4, dx_text=0.5)
        arrow(f"a{t}", f"h{t}", "tanh")
    arrow(f"h{T}", "y", "$W_{hy}$")
    arrow("y", "L")
    arrow("L", f"h{T}", f"$dL/dh_{T}$", color="crimson", rad=0.45, dy_text=1.05, ls="--")
    for t in range(T, 0, -1):
        arrow(f"h{t}", f"h{t - 1}", f"$dL/dh_{t - 1}$", color="crimson", rad=0.45,
              dy_text=1.05, ls="--")
    ax.set_xlim(-0.8, step * T + 4.0)
    ax.set_ylim(-2.2, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")


# --------------------------------------------------------------------------------------
# Gradient flow through time (notebooks 08 to 10)
# --------------------------------------------------------------------------------------


def spectral_radius(W):
    """The largest |eigenvalue| of a square matrix W (H, H) of finite numbers, a float."""
    return float(np.max(np.abs(np.linalg.eigvals(_check_square(W, "W")))))


def scale_to_spectral_radius(W, radius):
    """W (H, H) multiplied by a number so that its spectral radius becomes ``radius`` (> 0).

    Returns a new (H, H) array; W must have a nonzero spectral radius (not all zeros, not
    nilpotent).
    """
    W = _check_square(W, "W")
    radius = _check_positive_number(radius, "radius")
    current = spectral_radius(W)
    if current < 1e-12 * max(1.0, float(np.max(np.abs(W)))):
        raise ValueError(f"W has spectral radius {current:.3g} (all zeros, or nilpotent): no "
                         f"factor can give it spectral radius {radius:.3g}")
    with np.errstate(over="ignore"):
        scaled = W * (radius / current)
    if not np.all(np.isfinite(scaled)):
        raise ValueError(f"radius={radius:.3g} overflows float64 when W is rescaled to it")
    return scaled


def gradient_flow_params(hidden_size, radius, *, input_scale=1.0, seed=0):
    """Parameters (D = O = 1) for watching gradients flow back through time.

    Whh: a Gaussian matrix rescaled to spectral radius ``radius``; Wxh ~ N(0, input_scale^2)
    (large input_scale drives tanh into saturation); Why ~ N(0, 1/H); biases 0.
    hidden_size: a positive int; radius: a positive number; input_scale: a number in
    [0, 1e150]; seed: int >= 0 or np.random.Generator.
    Returns a params dict as rnn_core.init_params does.
    """
    input_scale = _check_number(input_scale, "input_scale", 0.0, 1e150)
    params = rnn_core.init_params(1, hidden_size, 1, scale=1.0, seed=seed)
    params["Whh"] = scale_to_spectral_radius(params["Whh"], radius)
    params["Wxh"] = params["Wxh"] * input_scale
    params["Why"] = params["Why"] / np.sqrt(hidden_size)
    return params


def hidden_gradient_norms(params, xs, *, linear=False):
    """||dL/dh_t|| for t = 0..T on one sequence, with dL/dy = 1 (a single output).

    params: a params dict with output size O = 1; xs: one sequence, (T,) (D = 1) or (T, D).
    linear=False: the tanh RNN, from rnn_core.backward (Eqs. (3.3)-(3.5)).
    linear=True: the same weights without the tanh, h_t = a_t, so every factor
        diag(1 - h_k^2) of Eq. (4.5) is replaced by the identity:
        dL/dh_{t-1} = W_hh^T dL/dh_t.
    Returns an array (T + 1,): entry t is the norm of the total derivative dL/dh_t.
    Raises ValueError if a norm overflows float64 (a huge spectral radius over many steps).
    """
    params = _check_params(params)
    if params["Why"].shape[0] != 1:
        raise ValueError(f"params must have output size O = 1 (dL/dy = 1 is a single number), "
                         f"but params['Why'] has shape {params['Why'].shape}")
    X, batched = _check_xs(xs, params)
    if batched:
        raise ValueError(f"xs has shape {np.shape(xs)}: expected one sequence, (T,) or (T, D)")
    linear = _check_bool(linear, "linear")
    dy = np.ones(1)
    if not linear:
        _, hs = rnn_core.forward(params, xs)
        _, dhs = rnn_core.backward(params, xs, hs, dy)
        return np.linalg.norm(dhs, axis=1)
    T = X.shape[0]
    dh = params["Why"].T @ dy                              # Eq. (3.3)
    norms = np.empty(T + 1)
    norms[T] = np.linalg.norm(dh)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T, 0, -1):
            dh = params["Whh"].T @ dh                      # Eq. (3.5) with 1 - h^2 = 1
            norms[t - 1] = np.linalg.norm(dh)
    if not np.all(np.isfinite(norms)):
        steps = int(np.sum(np.isfinite(norms)))
        raise ValueError(f"the linear RNN's ||dL/dh_t|| overflows float64 after {steps} steps "
                         f"back (T = {T}): use a smaller spectral radius or a shorter xs")
    return norms


def truncated_bptt_grads(params, xs, target, k):
    """Gradients that backpropagate only through the last k of the T steps.

    Runs the full forward pass, then treats h_{T-k} as a constant initial state and runs
    forward + backward on the last k inputs only: everything before step T-k+1 gets no
    gradient. params: a params dict; xs (B, T, D), target (B, O); k: an int, 1 <= k <= T.
    Returns (loss, grads, dhs): the loss (the same as the full one), the truncated
    gradients (dict like params) and dhs (B, T + 1, H), the total derivatives dL/dh_t as
    truncated BPTT sees them (zero for t < T - k).
    """
    params = _check_params(params)
    X, batched = _check_xs(xs, params)
    if not batched:
        raise ValueError(f"xs has shape {np.shape(xs)}: expected a batch (B, T, D) (one "
                         "sequence (T, D) is the batch xs[None])")
    xs = X.transpose(1, 0, 2)
    B, T, _ = xs.shape
    k = _check_size(k, "k")
    if k > T:
        raise ValueError(f"k must be between 1 and T = {T}, got {k}")
    _, hs = rnn_core.forward(params, xs)
    h_start = hs[:, T - k, :].T                            # (H, B): a constant from here on
    y, hs_tail = rnn_core.forward(params, xs[:, T - k:], h0=h_start)
    loss, dy = rnn_core.mse_loss(y, target)
    grads, dhs_tail = rnn_core.backward(params, xs[:, T - k:], hs_tail, dy)
    dhs = np.zeros_like(hs)
    dhs[:, T - k:] = dhs_tail
    return loss, grads, dhs


# --------------------------------------------------------------------------------------
# Explorers: sliders -> fresh computation -> redrawn PNG + status line
# --------------------------------------------------------------------------------------

_SLIDER_STYLE = {"description_width": "initial"}
_SLIDER_LAYOUT = {"width": "430px"}


def _fast_log_axis(axis):
    """Log scale with plain tick labels ("1e-03"): no mathtext to typeset on every redraw."""
    axis.axes.set_yscale("log") if axis is axis.axes.yaxis else axis.axes.set_xscale("log")
    axis.set_major_locator(mticker.LogLocator(base=10, numticks=7))
    axis.set_major_formatter(mticker.FuncFormatter(_power_of_ten_label))
    axis.set_minor_formatter(mticker.NullFormatter())


def _power_of_ten_label(value, _position):
    """Tick label '1e-3' for 0.001: short, and plain text (mathtext is slow to typeset)."""
    return f"1e{round(np.log10(value))}" if value > 0 else ""


def _remove_artists(ax):
    """Empty an Axes but keep its scales, labels and tick machinery (cheaper than cla())."""
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()


def _log_limits(values, *, floor=1e-60, cap=1e4):
    """(bottom, top) for a log axis showing the finite positive values, within [floor, cap]."""
    values = np.concatenate([np.ravel(v) for v in values]) if values else np.ones(1)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 1e-3, 1.0
    # Whole decades: the same limits (and so the same ticks) for most runs, which lets an
    # explorer reuse its drawn frame (see _Explorer._render).
    bottom = max(10.0 ** np.floor(np.log10(values.min())), floor)
    top = min(10.0 ** np.ceil(np.log10(values.max())), cap)
    return bottom, max(top, bottom * 10.0)


_BLAS = []


def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once (finding them costs about
    0.5 ms; limiting through it afterwards about 0.02 ms)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0]


class _Explorer:
    """Shared machinery: a VBox of sliders, a status line and a plot area.

    Subclasses define ``_make_sliders()`` (dict name -> slider), ``_make_axes()`` (called once,
    creates the Axes on self.figure) and ``_draw(values)`` (replaces the data drawn on them,
    returns the status text, HTML); they may add ``_extra_controls()``.

    Speed: the figure and its Axes are made once. Typesetting text (ticks, labels, titles) is
    what costs most in matplotlib, so the "frame" (everything but the data) is drawn only when
    an axis limit or title changes, and kept as a bitmap; a redraw restores that bitmap and
    draws the data artists on top of it (matplotlib's blitting).
    """

    title = ""
    figsize = (MAX_FIGURE_WIDTH, 4.0)
    dpi = 100

    def __init__(self):
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi)
        self._canvas = FigureCanvasAgg(self.figure)
        with matplotlib.rc_context(COURSE_STYLE):    # readable whatever the notebook's style
            self._make_axes()
        self._frame = None                 # (key, bitmap) of the last frame drawn in full
        self.sliders = self._make_sliders()
        for slider in self.sliders.values():
            slider.continuous_update = False
            slider.style = _SLIDER_STYLE
            slider.layout = widgets.Layout(**_SLIDER_LAYOUT)
            slider.observe(self._on_change, names="value")
        self.status = widgets.HTML(value="")
        self.status.add_class("rnn-status")
        self.output = widgets.Output()
        self.output.add_class("rnn-plot")
        controls = list(self.sliders.values()) + self._extra_controls()
        half = (len(controls) + 1) // 2
        columns = widgets.HBox([widgets.VBox(controls[:half]), widgets.VBox(controls[half:])])
        heading = widgets.HTML(value=f"<b>{html.escape(self.title)}</b>")
        self.widget = widgets.VBox([heading, columns, self.status, self.output])
        self.widget.add_class("rnn-explorer")
        self.last_png = None
        self.last_error = None
        self.last_seconds = None
        self.update()

    def _extra_controls(self):
        return []

    def _render(self):
        """PNG bytes of the figure; the frame is redrawn only if a limit or title changed."""
        data = []
        for ax in self.figure.axes:
            for artist in [*ax.collections, *ax.lines, *ax.texts]:
                if artist.get_gid() != "frame":
                    artist.set_animated(True)      # left out of the frame, drawn on top
                    data.append((ax, artist))
            if ax.get_legend() is not None:
                ax.get_legend().set_animated(True)
                data.append((ax, ax.get_legend()))
        key = tuple((ax.get_xlim(), ax.get_ylim(), ax.get_title()) for ax in self.figure.axes)
        if self._frame is None or self._frame[0] != key:
            self._canvas.draw()
            self._frame = (key, self._canvas.copy_from_bbox(self.figure.bbox))
        else:
            self._canvas.restore_region(self._frame[1])
        for ax, artist in data:
            ax.draw_artist(artist)
        image = PIL.Image.frombuffer("RGBA", self._canvas.get_width_height(),
                                     self._canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget, plus a static picture for renderers without a kernel.

        A live JupyterLab shows the widget. GitHub, nbconvert and a notebook opened before it
        runs have no widget state (the course never saves it, and tools/run_notebooks.py keeps
        only the picture and this text in the stored outputs): they show the PNG of the first
        figure and a one-line note instead of a widget repr.
        """
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        note = f"{self.title}: an interactive explorer. Run the notebook to move the sliders."
        data["text/plain"] = note
        if self.last_png is not None:
            png = base64.b64encode(self.last_png).decode("ascii")
            data["image/png"] = png
            # HTML as well, so that renderers that prefer it (Lab, nbconvert) show the note too.
            data["text/html"] = (f'<p><i>{html.escape(note)}</i></p>'
                                 f'<img alt="{html.escape(self.title)}" '
                                 f'src="data:image/png;base64,{png}">')
        return data

    def _on_change(self, change):
        self.update()

    def values(self):
        """The current slider values, dict name -> value."""
        return {name: slider.value for name, slider in self.sliders.items()}

    def _check_values(self, values):
        """Raise a ValueError naming the slider whose value is not a finite number in range.

        ipywidgets clamps values set from code to the slider's range, but lets NaN through.
        """
        for name, value in values.items():
            slider = self.sliders[name]
            low, high = slider.min, slider.max
            if isinstance(slider, widgets.FloatLogSlider):
                low, high = slider.base ** low, slider.base ** high
            if not (isinstance(value, (int, float)) and math.isfinite(value)
                    and low <= value <= high):
                raise ValueError(f"slider '{name}' ({slider.description}) is {value!r}: set a "
                                 f"finite number between {low:g} and {high:g}")

    def update(self):
        """Recompute and redraw from the current slider values (synchronously)."""
        start = time.perf_counter()
        try:
            values = self.values()
            self._check_values(values)
            with (_blas_controller().limit(limits=1, user_api="blas"),
                  matplotlib.rc_context(COURSE_STYLE)):
                text = self._draw(values)
                self.last_png = self._render()
        except Exception as error:  # shown to the student below, not swallowed
            self.last_error = error
            self.last_seconds = time.perf_counter() - start
            self.status.value = (f"<span style='color:#b00'><b>error:</b> "
                                 f"{html.escape(type(error).__name__)}: "
                                 f"{html.escape(str(error))}</span>")
            # Bad input gets its message only; anything else is a bug: show where it is.
            text = (f"The figure was not redrawn. {type(error).__name__}: {error}\n"
                    if isinstance(error, (ValueError, TypeError)) else traceback.format_exc())
            self.output.outputs = ({"output_type": "stream", "name": "stdout",
                                    "text": text},)
            return
        self.last_error = None
        self.last_seconds = time.perf_counter() - start
        self.status.value = (f"{text} <span style='color:#777'>"
                             f"(redrawn in {self.last_seconds:.2f} s)</span>")
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(self.last_png).decode("ascii"),
                     "text/plain": f"[{self.title}: figure]"},
            "metadata": {},
        },)


def _check_defaults(defaults, ranges, integers):
    """Each default slider value must be a number in its slider's range (ipywidgets would
    clamp it silently)."""
    for name, (low, high) in ranges.items():
        if name in integers:
            _check_size(defaults[name], name, minimum=low)
        value = _check_number(defaults[name], name)
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low:g} and {high:g} (the slider's "
                             f"range), got {defaults[name]!r}")


class TrainingExplorer(_Explorer):
    """Train a fresh RNN whenever a slider moves and draw its loss curves (notebook 07).

    train_xs, train_target, val_xs, val_target: the data of every run, anything that
        ``rnn_core.train`` accepts: a batch (B, T, D) with targets (B, O), or one sequence
        (T,) / (T, D) with target (O,) (a batch of one); arrays or nested lists.
    batch_size: sequences per SGD step, a positive int.
    keep: how many earlier runs stay as faint curves, an int >= 0 (0: none are kept).
    Slider defaults are keyword arguments (learning_rate=0.1, hidden_size=8, epochs=50,
    seed=0, clip_norm=0.0 meaning no clipping); each must lie in its slider's range.
    Bad data or settings raise ValueError/TypeError here, at construction.
    """

    title = "Training explorer: every change trains a fresh RNN"

    def __init__(self, train_xs, train_target, val_xs, val_target, *, batch_size=32, keep=5,
                 learning_rate=0.1, hidden_size=8, epochs=50, seed=0, clip_norm=0.0):
        train_xs, train_target = _as_batch(train_xs, train_target, "train_xs", "train_target")
        val_xs, val_target = _as_batch(val_xs, val_target, "val_xs", "val_target")
        for what, axis, train_size, val_size in [
                ("input size D", "xs", train_xs.shape[2], val_xs.shape[2]),
                ("output size O", "target", train_target.shape[1], val_target.shape[1])]:
            if train_size != val_size:
                raise ValueError(f"val_{axis} has {what} {val_size} but train_{axis} has "
                                 f"{train_size}; they must match")
        self.data = (train_xs, train_target, val_xs, val_target)
        self.batch_size = _check_size(batch_size, "batch_size")
        self.keep = _check_size(keep, "keep", minimum=0)
        self.defaults = dict(learning_rate=learning_rate, hidden_size=hidden_size,
                             epochs=epochs, seed=seed, clip_norm=clip_norm)
        _check_defaults(self.defaults, {"learning_rate": (1e-4, 1.0), "hidden_size": (1, 64),
                                        "epochs": (10, 300), "seed": (0, 9),
                                        "clip_norm": (0.0, 5.0)},
                        integers=("hidden_size", "epochs", "seed"))
        self.history = []          # earlier runs' TrainResults, oldest first
        self.last_result = None    # (label, TrainResult) of the run on screen
        self.clear_button = widgets.Button(description="forget earlier runs")
        self.clear_button.on_click(lambda _: self.clear_history())
        super().__init__()

    def _make_sliders(self):
        d = self.defaults
        return {
            "learning_rate": widgets.FloatLogSlider(
                value=d["learning_rate"], base=10, min=-4, max=0, step=0.1,
                readout_format=".4f", description="learning rate (log scale)"),
            "hidden_size": widgets.IntSlider(value=d["hidden_size"], min=1, max=64,
                                             description="hidden size H"),
            "epochs": widgets.IntSlider(value=d["epochs"], min=10, max=300, step=10,
                                        description="epochs"),
            "seed": widgets.IntSlider(value=d["seed"], min=0, max=9,
                                      description="seed (initial weights, batch order)"),
            "clip_norm": widgets.FloatSlider(value=d["clip_norm"], min=0.0, max=5.0, step=0.1,
                                             description="clip gradient norm at (0 = off)"),
        }

    def _extra_controls(self):
        return [self.clear_button]

    def _make_axes(self):
        self.ax_loss, self.ax_pred = self.figure.subplots(1, 2, width_ratios=[1.6, 1])
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
        _fast_log_axis(self.ax_loss.yaxis)
        self.ax_loss.set_title("Loss (earlier runs in grey)")
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("mean squared error (log)")
        self.ax_loss.grid(True, which="major", alpha=0.3)
        self.ax_pred.set_title("Validation predictions")
        self.ax_pred.set_xlabel("target")
        self.ax_pred.set_ylabel("prediction")

    def clear_history(self):
        """Forget the earlier runs (the faint curves) and redraw."""
        self.history = []
        self.last_result = None
        self.update()

    @staticmethod
    def describe(values):
        """A short label for a run, e.g. 'lr 0.1, H 8, clip 1'."""
        label = f"lr {values['learning_rate']:.3g}, H {values['hidden_size']}"
        if values["clip_norm"] > 0:
            label += f", clip {values['clip_norm']:.3g}"
        return label

    def run(self, values):
        """Train once with the given slider values; returns an rnn_core.TrainResult."""
        train_xs, train_target, val_xs, val_target = self.data
        return rnn_core.train(
            train_xs, train_target, hidden_size=int(values["hidden_size"]),
            learning_rate=float(values["learning_rate"]), epochs=int(values["epochs"]),
            seed=int(values["seed"]), batch_size=self.batch_size,
            clip_norm=float(values["clip_norm"]) if values["clip_norm"] > 0 else None,
            val_xs=val_xs, val_target=val_target)

    def _draw(self, values):
        if self.last_result is not None:
            self.history = (self.history + [self.last_result[1]])[-self.keep:] if self.keep else []
            self.last_result = None
        label = self.describe(values)
        result = self.run(values)
        self.last_result = (label, result)

        ax = self.ax_loss
        _remove_artists(ax)
        for i, old in enumerate(self.history):
            plot_loss_curves(ax, old, label="earlier runs" if i == 0 else None,
                             color="0.6", alpha=0.5, linewidth=1.0)
        plot_loss_curves(ax, result, label="", color=TRAIN_COLOR, val_color=VAL_COLOR)
        ax.set_ylim(*_log_limits([r.losses + r.val_losses for r in self.history + [result]]))
        ax.set_xlim(0, int(values["epochs"]))
        ax.legend(loc="lower left", title=label)     # losses start high: lower left is free

        _, _, val_xs, val_target = self.data
        ax = self.ax_pred
        _remove_artists(ax)
        lo, hi = float(val_target.min()), float(val_target.max())
        margin = 0.1 * (hi - lo) if hi > lo else 0.5      # one target: a unit-wide window
        ax.set_xlim(lo - margin, hi + margin)
        ax.set_ylim(lo - 3 * margin, hi + 3 * margin)
        ax.plot([lo, hi], [lo, hi], color="0.6", linewidth=1.0, label="perfect: y = target")
        if result.diverged:
            ax.text(0.5, 0.5, f"diverged at epoch {result.diverged_at}:\nno predictions",
                    ha="center", va="center", transform=ax.transAxes, color="#b00")
            return (f"<b>diverged at epoch {result.diverged_at}</b>: "
                    f"{html.escape(result.divergence or 'the loss became inf or NaN')}; try a "
                    "smaller learning rate, or clipping")
        predictions = rnn_core.forward(result.params, val_xs)[0]
        ax.scatter(val_target[:, 0], np.clip(predictions[:, 0], lo - 3 * margin,
                                             hi + 3 * margin),
                   s=10, color=VAL_COLOR, label="validation sequences")
        ax.legend(loc="upper left")
        return (f"final training loss <b>{result.losses[-1]:.3g}</b>, validation loss "
                f"<b>{result.val_losses[-1]:.3g}</b> after {len(result.losses)} epochs")


class GradientFlowExplorer(_Explorer):
    """||dL/dh_t|| against t for a random RNN whose Whh has a chosen spectral radius (05).

    hidden_size: H of the random RNN (fixed), a positive int; slider defaults are keyword
    arguments, each in its slider's range.
    Draws the tanh RNN and the same weights without tanh (linear), and the eigenvalues.
    """

    title = "Gradient flow explorer: how dL/dh_t shrinks or grows going back in time"

    def __init__(self, *, hidden_size=32, spectral_radius=1.0, seq_length=50,
                 input_scale=1.0, seed=0):
        self.hidden_size = _check_size(hidden_size, "hidden_size")
        self.defaults = dict(spectral_radius=spectral_radius, seq_length=seq_length,
                             input_scale=input_scale, seed=seed)
        _check_defaults(self.defaults, {"spectral_radius": (0.1, 2.0), "seq_length": (2, 200),
                                        "input_scale": (0.0, 5.0), "seed": (0, 9)},
                        integers=("seq_length", "seed"))
        super().__init__()

    def _make_sliders(self):
        d = self.defaults
        return {
            "spectral_radius": widgets.FloatSlider(
                value=d["spectral_radius"], min=0.1, max=2.0, step=0.05,
                description="spectral radius of W_hh"),
            "seq_length": widgets.IntSlider(value=d["seq_length"], min=2, max=200,
                                            description="sequence length T"),
            "input_scale": widgets.FloatSlider(
                value=d["input_scale"], min=0.0, max=5.0, step=0.1,
                description="input weight scale (tanh saturation)"),
            "seed": widgets.IntSlider(value=d["seed"], min=0, max=9,
                                      description="seed (weights, inputs)"),
        }

    def _make_axes(self):
        self.ax_norm, self.ax_eig = self.figure.subplots(1, 2, width_ratios=[1.7, 1])
        self.figure.subplots_adjust(left=0.11, right=0.98, bottom=0.15, top=0.83, wspace=0.3)
        _fast_log_axis(self.ax_norm.yaxis)
        self.ax_norm.set_xlabel("time step t")
        self.ax_norm.set_ylabel(r"$\|dL/dh_t\|$ (log scale)")
        self.ax_norm.grid(True, which="major", alpha=0.3)
        self.ax_eig.set_title("Eigenvalues of $W_{hh}$")
        self.ax_eig.set_xlabel("real part")
        self.ax_eig.set_ylabel("imaginary part")
        self.ax_eig.set_aspect("equal", adjustable="box")
        self.ax_eig.xaxis.set_major_locator(mticker.MultipleLocator(1.0))
        self.ax_eig.yaxis.set_major_locator(mticker.MultipleLocator(1.0))
        self.ax_norm.xaxis.set_major_locator(mticker.MaxNLocator(6, integer=True))
        angle = np.linspace(0.0, 2.0 * np.pi, 200)
        self.ax_eig.plot(np.cos(angle), np.sin(angle), color="0.5", linewidth=1.0,
                         linestyle=":", label="|z| = 1")
        self.ax_eig.lines[0].set_gid("frame")        # drawn once, with the axes

    def compute(self, values):
        """(params, xs, tanh_norms, linear_norms, mean_slope) for the slider values."""
        params = gradient_flow_params(self.hidden_size, float(values["spectral_radius"]),
                                      input_scale=float(values["input_scale"]),
                                      seed=int(values["seed"]))
        xs = np.random.default_rng(1000 + int(values["seed"])).standard_normal(
            int(values["seq_length"]))
        tanh_norms = hidden_gradient_norms(params, xs)
        linear_norms = hidden_gradient_norms(params, xs, linear=True)
        _, hs = rnn_core.forward(params, xs)
        mean_slope = float(np.mean(1.0 - hs[1:] ** 2))      # the diag(1 - h^2) of Eq. (3.4)
        return params, xs, tanh_norms, linear_norms, mean_slope

    def _draw(self, values):
        params, xs, tanh_norms, linear_norms, mean_slope = self.compute(values)
        T = len(xs)
        ax = self.ax_norm
        _remove_artists(ax)
        ax.plot(np.arange(T + 1), linear_norms, color="tab:gray", linestyle="--",
                label="linear RNN (same weights)")
        ax.plot(np.arange(T + 1), tanh_norms, color="tab:red", label="tanh RNN")
        ax.set_xlim(0, T)
        ax.set_ylim(*_log_limits([tanh_norms, linear_norms], cap=1e60))
        # Above the plot, where no curve can be (the curves move with every slider).
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, borderaxespad=0.2,
                  frameon=False)

        ax = self.ax_eig
        for artist in ax.collections:
            artist.remove()
        eigenvalues = np.linalg.eigvals(params["Whh"])
        radius = float(np.max(np.abs(eigenvalues)))
        ax.scatter(eigenvalues.real, eigenvalues.imag, s=14, color="tab:purple")
        limit = max(1.15, np.ceil(2.3 * radius) / 2)      # in steps of 0.5: a stable frame
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ratio = tanh_norms[0] / tanh_norms[T]
        linear_ratio = linear_norms[0] / linear_norms[T]
        return (f"||dL/dh_0|| / ||dL/dh_T||: tanh <b>{ratio:.1e}</b>, linear "
                f"<b>{linear_ratio:.1e}</b>; mean tanh slope 1 - h<sup>2</sup> = "
                f"<b>{mean_slope:.2f}</b>")
