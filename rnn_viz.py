"""Data, plots and interactive explorers for notebooks 04 (training) and 05 (gradients).

The math lives in ``rnn_core``; this module only composes its public functions, draws them
with matplotlib and wires ipywidgets sliders to them. It is imported by the notebooks and
tested without a kernel by ``tests/test_rnn_viz.py``.

Data (plain NumPy, seeded)
    arithmetic_sequences(n, length=5, *, seed=0) -> xs (n, length, 1), target (n, 1)
    split_train_val(xs, target, *, val_fraction=0.25, seed=0) -> train_xs, train_target,
        val_xs, val_target
    first_input_task(n, length, *, seed=0) -> xs (n, length, 1), target (n, 1) = xs[:, 0]

Plots (draw on a matplotlib Axes you pass in)
    plot_loss_curves(ax, result, *, label, color, alpha=1.0)
    plot_gradient_norms(ax, norms, *, label, color, linestyle="-")
    plot_eigenvalues(ax, Whh, *, label, color)
    figure_png(fig) -> PNG bytes

Gradient flow (notebook 05)
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
                          last redraw ended (or the error it raised)
        explorer.output   ipywidgets.Output, CSS class "rnn-plot": holds one PNG image
        explorer.figure   the matplotlib Figure that is drawn (not managed by pyplot)
        explorer.last_png the PNG bytes of the last redraw
        explorer.last_error     None, or the exception the last redraw raised
        explorer.last_seconds   how long the last redraw took (compute + PNG)
        explorer.update()       redraw now from the current slider values
    Setting ``explorer.sliders[name].value = v`` redraws synchronously, so a benchmark can
    time ``explorer.sliders["learning_rate"].value = 0.1`` directly. An exception in a redraw
    is shown in the status line and as a traceback in the plot area, never swallowed.
"""

import base64
import html
import io
import time
import traceback

import ipywidgets as widgets
import matplotlib.ticker as mticker
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import rnn_core

TRAIN_COLOR = "tab:blue"
_LOSS_CAP = 1e10
VAL_COLOR = "tab:orange"

# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def arithmetic_sequences(n, length=5, *, seed=0, start_range=(-0.5, 0.5),
                         step_range=(-0.15, 0.15)):
    """Many arithmetic sequences and, as target, the value that comes next.

    The seed's example 0.1, 0.2, 0.3, 0.4, 0.5 -> 0.6 is one of them (start 0.1, step 0.1).
    n: number of sequences; length: T, the number of inputs per sequence.
    seed: int or np.random.Generator; start and step are drawn uniformly from the ranges.
    Returns xs (n, T, 1) and target (n, 1), float64.
    """
    rng = np.random.default_rng(seed)
    start = rng.uniform(*start_range, size=(n, 1))
    step = rng.uniform(*step_range, size=(n, 1))
    xs = start + step * np.arange(length)          # (n, T): start, start + step, ...
    target = start + step * length
    return xs[:, :, None], target


def split_train_val(xs, target, *, val_fraction=0.25, seed=0):
    """Shuffle the sequences once and split them into a training and a validation set.

    xs (B, T, D), target (B, O); val_fraction in (0, 1).
    Returns train_xs, train_target, val_xs, val_target (the first two hold the rest).
    """
    order = np.random.default_rng(seed).permutation(len(xs))
    n_val = int(round(len(xs) * val_fraction))
    val, train = order[:n_val], order[n_val:]
    return xs[train], target[train], xs[val], target[val]


def first_input_task(n, length, *, seed=0):
    """A task that needs memory: read T random numbers, output the FIRST one.

    Inputs are uniform in [-1, 1], so always answering 0 scores a loss of 1/3 (the variance).
    Returns xs (n, T, 1) and target (n, 1) = xs[:, 0].
    """
    xs = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, length, 1))
    return xs, xs[:, 0, :].copy()


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------


def plot_loss_curves(ax, result, *, label="", color=None, val_color=None, alpha=1.0,
                     linewidth=1.8):
    """Training (solid) and validation (dashed) loss per epoch of a TrainResult, log y.

    ax: a matplotlib Axes; result: rnn_core.TrainResult; label: prefix for the legend
    (None: no legend entries); val_color: colour of the validation curve (default: color).
    A run that diverged gets a dotted vertical line at ``diverged_at``, the epoch whose loss
    became inf or NaN. Losses above 1e10 are drawn at 1e10 (far off any sensible y range).
    """
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
                   f"{label} inf/NaN at epoch {result.diverged_at}".strip())
    if ax.get_yscale() != "log":               # keep an explorer's own tick formatters
        ax.set_yscale("log")
    if not ax.get_xlabel():
        ax.set_xlabel("epoch")
    if not ax.get_ylabel():
        ax.set_ylabel("mean squared error (log scale)")
    return line


def plot_gradient_norms(ax, norms, *, label=None, color=None, linestyle="-"):
    """||dL/dh_t|| against t = 0..T on a log y axis; norms: (T + 1,) array."""
    line, = ax.plot(np.arange(len(norms)), norms, color=color, linestyle=linestyle,
                    label=label, linewidth=1.8)
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel(r"$\|\partial L / \partial h_t\|$ (log scale)")
    return line


def plot_eigenvalues(ax, Whh, *, label=None, color=None, marker="o"):
    """The eigenvalues of Whh as points in the complex plane, with the unit circle."""
    eigenvalues = np.linalg.eigvals(Whh)
    angle = np.linspace(0.0, 2.0 * np.pi, 200)
    ax.plot(np.cos(angle), np.sin(angle), color="0.5", linewidth=1.0, linestyle=":")
    ax.scatter(eigenvalues.real, eigenvalues.imag, s=18, color=color, marker=marker,
               label=label, alpha=0.8)
    ax.axhline(0.0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.85", linewidth=0.8, zorder=0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    return eigenvalues


def figure_png(fig, dpi=80):
    """Render a matplotlib Figure to PNG bytes (what the explorers show)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Gradient flow through time (notebook 05)
# --------------------------------------------------------------------------------------


def spectral_radius(W):
    """The largest |eigenvalue| of a square matrix W, a float."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W, radius):
    """W multiplied by a number so that its spectral radius becomes ``radius``."""
    return W * (radius / spectral_radius(W))


def gradient_flow_params(hidden_size, radius, *, input_scale=1.0, seed=0):
    """Parameters (D = O = 1) for watching gradients flow back through time.

    Whh: a Gaussian matrix rescaled to spectral radius ``radius``; Wxh ~ N(0, input_scale^2)
    (large input_scale drives tanh into saturation); Why ~ N(0, 1/H); biases 0.
    Returns a params dict as rnn_core.init_params does.
    """
    params = rnn_core.init_params(1, hidden_size, 1, scale=1.0, seed=seed)
    params["Whh"] = scale_to_spectral_radius(params["Whh"], radius)
    params["Wxh"] = params["Wxh"] * input_scale
    params["Why"] = params["Why"] / np.sqrt(hidden_size)
    return params


def hidden_gradient_norms(params, xs, *, linear=False):
    """||dL/dh_t|| for t = 0..T on one sequence, with dL/dy = 1 (a single output).

    params: D = O = 1; xs: (T,).
    linear=False: the tanh RNN, from rnn_core.backward (Eqs. (2.7)-(2.9)).
    linear=True: the same weights without the tanh, h_t = a_t, so every factor
        diag(1 - h_k^2) of Eq. (2.14) is replaced by the identity:
        dL/dh_{t-1} = W_hh^T dL/dh_t.
    Returns an array (T + 1,): entry t is the norm of the total derivative dL/dh_t.
    """
    dy = np.ones(1)
    if not linear:
        _, hs = rnn_core.forward(params, xs)
        _, dhs = rnn_core.backward(params, xs, hs, dy)
        return np.linalg.norm(dhs, axis=1)
    T = len(xs)
    dh = params["Why"].T @ dy                              # Eq. (2.7)
    norms = np.empty(T + 1)
    norms[T] = np.linalg.norm(dh)
    for t in range(T, 0, -1):
        dh = params["Whh"].T @ dh                          # Eq. (2.9) with 1 - h^2 = 1
        norms[t - 1] = np.linalg.norm(dh)
    return norms


def truncated_bptt_grads(params, xs, target, k):
    """Gradients that backpropagate only through the last k of the T steps.

    Runs the full forward pass, then treats h_{T-k} as a constant initial state and runs
    forward + backward on the last k inputs only: everything before step T-k+1 gets no
    gradient. xs (B, T, D), target (B, O); 1 <= k <= T.
    Returns (loss, grads, dhs): the loss (the same as the full one), the truncated
    gradients (dict like params) and dhs (B, T + 1, H), the total derivatives dL/dh_t as
    truncated BPTT sees them (zero for t < T - k).
    """
    B, T, _ = xs.shape
    if not 1 <= k <= T:
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
    figsize = (9.0, 3.6)
    dpi = 80

    def __init__(self):
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi)
        self._canvas = FigureCanvasAgg(self.figure)
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

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def _on_change(self, change):
        self.update()

    def values(self):
        """The current slider values, dict name -> value."""
        return {name: slider.value for name, slider in self.sliders.items()}

    def update(self):
        """Recompute and redraw from the current slider values (synchronously)."""
        start = time.perf_counter()
        try:
            text = self._draw(self.values())
            self.last_png = self._render()
        except Exception as error:  # shown to the student below, not swallowed
            self.last_error = error
            self.last_seconds = time.perf_counter() - start
            self.status.value = (f"<span style='color:#b00'><b>error:</b> "
                                 f"{html.escape(type(error).__name__)}: "
                                 f"{html.escape(str(error))}</span>")
            self.output.outputs = ({"output_type": "stream", "name": "stdout",
                                    "text": traceback.format_exc()},)
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


class TrainingExplorer(_Explorer):
    """Train a fresh RNN whenever a slider moves and draw its loss curves (notebook 04).

    train_xs (B, T, D), train_target (B, O), val_xs, val_target: the data of every run.
    batch_size: sequences per SGD step. keep: how many earlier runs stay as faint curves.
    Slider defaults are keyword arguments (learning_rate=0.1, hidden_size=8, epochs=50,
    seed=0, clip_norm=0.0 meaning no clipping).
    """

    title = "Training explorer: every change trains a fresh RNN"

    def __init__(self, train_xs, train_target, val_xs, val_target, *, batch_size=32, keep=5,
                 learning_rate=0.1, hidden_size=8, epochs=50, seed=0, clip_norm=0.0):
        self.data = (train_xs, train_target, val_xs, val_target)
        self.batch_size = batch_size
        self.keep = keep
        self.defaults = dict(learning_rate=learning_rate, hidden_size=hidden_size,
                             epochs=epochs, seed=seed, clip_norm=clip_norm)
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
        self.figure.subplots_adjust(left=0.085, right=0.985, bottom=0.14, top=0.9, wspace=0.25)
        _fast_log_axis(self.ax_loss.yaxis)
        self.ax_loss.set_title("Loss curves (new run in colour, earlier runs grey)")
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("mean squared error (log)")
        self.ax_loss.grid(True, which="major", alpha=0.3)
        self.ax_pred.set_title("Validation set: prediction vs target")
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
            self.history = (self.history + [self.last_result[1]])[-self.keep:]
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
        ax.legend(fontsize=8, loc="upper right", title=label, title_fontsize=8)

        _, _, val_xs, val_target = self.data
        ax = self.ax_pred
        _remove_artists(ax)
        lo, hi = float(val_target.min()), float(val_target.max())
        margin = 0.1 * (hi - lo)
        ax.set_xlim(lo - margin, hi + margin)
        ax.set_ylim(lo - 3 * margin, hi + 3 * margin)
        ax.plot([lo, hi], [lo, hi], color="0.6", linewidth=1.0, label="perfect: y = target")
        if result.diverged:
            ax.text(0.5, 0.5, f"diverged at epoch {result.diverged_at}:\nno predictions",
                    ha="center", va="center", transform=ax.transAxes, color="#b00")
            return (f"<b>diverged at epoch {result.diverged_at}</b>: the loss became inf or "
                    "NaN; try a smaller learning rate, or clipping")
        predictions = rnn_core.forward(result.params, val_xs)[0]
        ax.scatter(val_target[:, 0], np.clip(predictions[:, 0], lo - 3 * margin,
                                             hi + 3 * margin),
                   s=10, color=VAL_COLOR, label="validation sequences")
        ax.legend(fontsize=8, loc="upper left")
        return (f"final training loss <b>{result.losses[-1]:.6f}</b>, validation loss "
                f"<b>{result.val_losses[-1]:.6f}</b> after {len(result.losses)} epochs")


class GradientFlowExplorer(_Explorer):
    """||dL/dh_t|| against t for a random RNN whose Whh has a chosen spectral radius (05).

    hidden_size: H of the random RNN (fixed); slider defaults are keyword arguments.
    Draws the tanh RNN and the same weights without tanh (linear), and the eigenvalues.
    """

    title = "Gradient flow explorer: how dL/dh_t shrinks or grows going back in time"

    def __init__(self, *, hidden_size=32, spectral_radius=1.0, seq_length=50,
                 input_scale=1.0, seed=0):
        self.hidden_size = hidden_size
        self.defaults = dict(spectral_radius=spectral_radius, seq_length=seq_length,
                             input_scale=input_scale, seed=seed)
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
        self.figure.subplots_adjust(left=0.085, right=0.985, bottom=0.14, top=0.9, wspace=0.2)
        _fast_log_axis(self.ax_norm.yaxis)
        self.ax_norm.set_xlabel("time step t")
        self.ax_norm.set_ylabel("||dL/dh_t|| (log)")
        self.ax_norm.grid(True, which="major", alpha=0.3)
        self.ax_eig.set_title("Eigenvalues of W_hh, unit circle")
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
        mean_slope = float(np.mean(1.0 - hs[1:] ** 2))      # the diag(1 - h^2) of Eq. (2.8)
        return params, xs, tanh_norms, linear_norms, mean_slope

    def _draw(self, values):
        params, xs, tanh_norms, linear_norms, mean_slope = self.compute(values)
        T = len(xs)
        ax = self.ax_norm
        _remove_artists(ax)
        ax.plot(np.arange(T + 1), linear_norms, color="tab:gray", linestyle="--",
                label="linear RNN (no tanh), same weights")
        ax.plot(np.arange(T + 1), tanh_norms, color="tab:red", label="tanh RNN")
        ax.set_xlim(0, T)
        ax.set_ylim(*_log_limits([tanh_norms, linear_norms], cap=1e60))
        ax.set_title(f"Gradient norm going back from t = T = {T}")
        ax.legend(fontsize=8, loc="best")

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
