"""rnn_viz: the data, the gradient-flow helpers and the explorers' callbacks, without a kernel.

The explorers are driven the way a student drives them, by setting a slider's value; the
callback runs synchronously, so the redrawn PNG, the status line and the plot output can be
checked right after. The DOM contract the browser tests rely on (CSS classes, slider names)
is checked here too.
"""

import base64
import warnings

import ipywidgets as widgets
import numpy as np
import pytest

import rnn_core
import rnn_viz


@pytest.fixture(scope="module")
def data():
    xs, target = rnn_viz.arithmetic_sequences(80, seed=0)
    return rnn_viz.split_train_val(xs, target, val_fraction=0.25, seed=0)


@pytest.fixture
def explorer(data):
    return rnn_viz.TrainingExplorer(*data, epochs=10)


@pytest.fixture
def flow():
    return rnn_viz.GradientFlowExplorer(seq_length=20)


# ------------------------------------------------------------------------------ data


@pytest.mark.parametrize("value, bound, text", [
    (1.3e-16, 1e-14, "below 1e-14"),
    (np.float64(9.99e-9), 1e-8, "below 1e-08"),
    (0.0, 1e-8, "below 1e-08"),
    (-1.0, 1e-8, "below 1e-08"),
    (1e-8, 1e-8, "1.0e-08, not below 1e-08"),
    (3.2e-10, 1e-14, "3.2e-10, not below 1e-14"),
    (float("nan"), 1e-8, "nan, not below 1e-08"),
])
def test_below_prints_the_bound_or_the_value_that_breaks_it(value, bound, text):
    assert rnn_viz.below(value, bound) == text


@pytest.mark.parametrize("value, bound, text", [
    (3.5e8, 1e7, "above 1e+07"),
    (1e7, 1e7, "1.0e+07, not above 1e+07"),
    (-5.0, 1.0, "-5.0e+00, not above 1e+00"),
    (float("nan"), 1.0, "nan, not above 1e+00"),
])
def test_above_prints_the_bound_or_the_value_that_breaks_it(value, bound, text):
    assert rnn_viz.above(value, bound) == text


def test_arithmetic_sequences_continue_with_the_next_value():
    xs, target = rnn_viz.arithmetic_sequences(50, length=5, seed=3)
    assert xs.shape == (50, 5, 1) and target.shape == (50, 1)
    steps = np.diff(xs[:, :, 0], axis=1)
    assert np.allclose(steps, steps[:, :1])                        # arithmetic
    assert np.allclose(target[:, 0], xs[:, -1, 0] + steps[:, 0])   # the next value
    again, _ = rnn_viz.arithmetic_sequences(50, length=5, seed=3)
    other, _ = rnn_viz.arithmetic_sequences(50, length=5, seed=4)
    assert np.array_equal(xs, again) and not np.allclose(xs, other)


def test_the_seed_example_lies_inside_the_ranges_drawn_from():
    xs, _ = rnn_viz.arithmetic_sequences(2000, seed=0)
    starts, steps = xs[:, 0, 0], xs[:, 1, 0] - xs[:, 0, 0]
    assert starts.min() < 0.1 < starts.max() and steps.min() < 0.1 < steps.max()


def test_split_is_a_partition(data):
    xs, target = rnn_viz.arithmetic_sequences(80, seed=0)
    train_xs, train_target, val_xs, val_target = data
    assert len(train_xs) == 60 and len(val_xs) == 20
    together = np.concatenate([train_xs, val_xs])[:, 0, 0]
    assert sorted(together) == sorted(xs[:, 0, 0])
    assert not set(train_xs[:, 0, 0]) & set(val_xs[:, 0, 0])
    # a sequence keeps its own target
    assert np.allclose(train_target, train_xs[:, -1] * 2 - train_xs[:, -2])


def test_first_input_task_targets_the_first_input():
    xs, target = rnn_viz.first_input_task(30, 7, seed=1)
    assert xs.shape == (30, 7, 1) and np.array_equal(target, xs[:, 0, :])
    assert np.abs(xs).max() <= 1.0


# ------------------------------------------------------------------------------ gradient flow


def test_scale_to_spectral_radius():
    W = np.random.default_rng(0).standard_normal((6, 6))
    assert rnn_viz.spectral_radius(rnn_viz.scale_to_spectral_radius(W, 0.7)) == pytest.approx(0.7)


def test_tanh_norms_are_the_product_of_jacobians():
    """Eq. (4.5): dL/dh_t = [prod_k diag(1 - h_k^2) W_hh]^T dL/dh_T, written out here."""
    params = rnn_viz.gradient_flow_params(5, 1.2, input_scale=2.0, seed=1)
    xs = np.random.default_rng(2).standard_normal(6)
    _, hs = rnn_core.forward(params, xs)
    dh = params["Why"].T @ np.ones(1)
    expected = [np.linalg.norm(dh)]
    for t in range(6, 0, -1):
        dh = params["Whh"].T @ ((1 - hs[t] ** 2) * dh)
        expected.append(np.linalg.norm(dh))
    assert np.allclose(rnn_viz.hidden_gradient_norms(params, xs), expected[::-1])


def test_linear_norms_scale_with_the_spectral_radius_power():
    params = rnn_viz.gradient_flow_params(4, 1.0, seed=0)
    params["Whh"] = 1.5 * np.eye(4)
    norms = rnn_viz.hidden_gradient_norms(params, np.zeros(8), linear=True)
    assert np.allclose(norms, np.linalg.norm(params["Why"]) * 1.5 ** np.arange(8, -1, -1))


def test_saturation_makes_the_tanh_gradient_smaller_than_the_linear_one():
    params = rnn_viz.gradient_flow_params(16, 1.0, input_scale=3.0, seed=0)
    xs = np.random.default_rng(0).standard_normal(30)
    tanh = rnn_viz.hidden_gradient_norms(params, xs)
    linear = rnn_viz.hidden_gradient_norms(params, xs, linear=True)
    assert tanh[0] < 1e-3 * linear[0]


def batch(seed=0, B=4, T=6, H=5):
    params = rnn_core.init_params(2, H, 3, scale=0.5, seed=seed)
    rng = np.random.default_rng(seed + 1)
    return params, rng.standard_normal((B, T, 2)), rng.standard_normal((B, 3))


def test_truncated_bptt_with_k_equal_T_is_full_bptt():
    params, xs, target = batch()
    loss, grads, dhs = rnn_viz.truncated_bptt_grads(params, xs, target, k=6)
    full_loss, full_grads = rnn_core.loss_and_grads(params, xs, target)
    _, hs = rnn_core.forward(params, xs)
    _, full_dhs = rnn_core.backward(params, xs, hs, rnn_core.mse_loss(
        rnn_core.forward(params, xs)[0], target)[1])
    assert loss == pytest.approx(full_loss)
    assert all(np.allclose(grads[name], full_grads[name]) for name in rnn_core.PARAM_NAMES)
    assert np.allclose(dhs, full_dhs)


def test_truncated_bptt_loses_exactly_the_early_steps():
    params, xs, target = batch()
    loss, grads, dhs = rnn_viz.truncated_bptt_grads(params, xs, target, k=2)
    _, full_grads = rnn_core.loss_and_grads(params, xs, target)
    assert loss == pytest.approx(rnn_core.loss_and_grads(params, xs, target)[0])
    assert np.all(dhs[:, :4] == 0) and np.all(np.abs(dhs[:, 4:]).sum(axis=2) > 0)
    for name in ("Why", "by"):       # the read-out only sees h_T: nothing is lost
        assert np.allclose(grads[name], full_grads[name])
    assert not np.allclose(grads["Whh"], full_grads["Whh"])
    # The truncated gradient is the exact gradient when h_{T-k} is an input, not a function
    # of the weights: check Wxh against centered differences with h_{T-k} held fixed.
    _, hs = rnn_core.forward(params, xs)
    h_start = hs[:, 4, :].T
    numeric = rnn_core.numerical_grads(params, xs[:, 4:], target, h0=h_start)
    assert rnn_core.relative_error(grads["Wxh"], numeric["Wxh"]) < 1e-6
    with pytest.raises(ValueError):
        rnn_viz.truncated_bptt_grads(params, xs, target, k=0)


def test_rnn_core_train_with_bptt_steps_takes_truncated_bptt_steps():
    xs, target = rnn_viz.first_input_task(8, 6, seed=0)
    params = rnn_core.init_params(1, 5, 1, scale=0.5, seed=1)
    result = rnn_core.train(xs, target, hidden_size=5, learning_rate=0.1, epochs=2,
                            params=params, bptt_steps=2)
    expected = params
    for epoch in range(2):
        loss, grads, _ = rnn_viz.truncated_bptt_grads(expected, xs, target, k=2)
        assert result.losses[epoch] == pytest.approx(loss, rel=1e-12)
        expected = {n: expected[n] - 0.1 * grads[n] for n in rnn_core.PARAM_NAMES}
    assert all(np.allclose(result.params[n], expected[n], rtol=1e-12)
               for n in rnn_core.PARAM_NAMES)


# ------------------------------------------------------------------------------ plots


def clipping_record(steps=12, seed=0):
    rng = np.random.default_rng(seed)
    record = {key: np.exp(rng.normal(size=steps)) for key in rnn_viz.RECORD_KEYS}
    record["dh0"][steps // 2:] = 0.0                     # exact zeros, drawn at the floor
    return record


def test_clipping_run_draws_every_curve_on_four_log_panels():
    from matplotlib.figure import Figure
    axes = Figure().subplots(2, 2)
    plain, clipped = clipping_record(), clipping_record(seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # no log-of-zero or legend warnings
        rnn_viz.plot_clipping_run(axes, plain, clipped, stop=1, mark=5)
    assert all(ax.get_yscale() == "log" for ax in axes.flat)
    lines = [len(ax.get_lines()) for ax in axes.flat]
    # (a) 2 runs + threshold, (b) 5 parameters + dL/dh_0, (c) rho + slope, (d) 2 runs; plus
    # the dotted mark in each panel.
    assert lines == [3 + 1, 6 + 1, 2 + 1, 2 + 1]
    dh0 = axes[0, 1].get_lines()[5].get_ydata()
    assert np.all(dh0[6:] == 1e-16) and np.allclose(dh0[:6], plain["dh0"][:6])
    assert np.allclose(axes[1, 1].get_lines()[0].get_ydata(), plain["loss"])


def test_loss_curves_of_a_diverged_run_draw_without_warnings(data):
    from matplotlib.figure import Figure
    run = rnn_core.train(*data[:2], hidden_size=8, learning_rate=1.0, epochs=200, batch_size=32,
                         seed=0)
    assert run.diverged
    fig = Figure()
    ax = fig.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rnn_viz.plot_loss_curves(ax, run, label="big")
        ax.legend()
        rnn_viz.figure_png(fig)
    assert ax.get_yscale() == "log"
    assert any(f"diverged at epoch {run.diverged_at}" in t.get_text()
               for t in ax.get_legend().get_texts())


# ------------------------------------------------------------------------------ explorers


def png_shown(explorer):
    (output,) = explorer.output.outputs
    return base64.b64decode(output["data"]["image/png"])


@pytest.mark.parametrize("make", ["explorer", "flow"])
def test_dom_contract(make, request):
    explorer = request.getfixturevalue(make)
    assert isinstance(explorer.widget, widgets.Box)
    assert "rnn-explorer" in explorer.widget._dom_classes
    assert isinstance(explorer.status, (widgets.HTML, widgets.Label))
    assert "rnn-status" in explorer.status._dom_classes
    assert isinstance(explorer.output, widgets.Output)
    assert "rnn-plot" in explorer.output._dom_classes
    shown = set()
    def walk(widget):
        shown.add(widget.model_id)
        for child in getattr(widget, "children", ()):
            walk(child)
    walk(explorer.widget)
    for name, slider in explorer.sliders.items():
        assert isinstance(slider, (widgets.IntSlider, widgets.FloatSlider,
                                   widgets.FloatLogSlider)), name
        assert slider.description and slider.continuous_update is False
        assert slider.style.description_width == "initial"
        assert slider.model_id in shown
    for needed in (explorer.status, explorer.output):
        assert needed.model_id in shown
    # A first figure is there before any slider moves.
    assert png_shown(explorer).startswith(b"\x89PNG") and explorer.last_error is None


def test_training_explorer_sliders(explorer):
    s = explorer.sliders
    assert set(s) == {"learning_rate", "hidden_size", "epochs", "seed", "clip_norm"}
    assert isinstance(s["learning_rate"], widgets.FloatLogSlider)
    assert (s["learning_rate"].min, s["learning_rate"].max, s["learning_rate"].base) == (-4, 0, 10)
    assert (s["hidden_size"].min, s["hidden_size"].max) == (1, 64)
    assert s["clip_norm"].min == 0


def test_moving_a_slider_retrains_and_redraws(explorer, data):
    first_png, first_status = png_shown(explorer), explorer.status.value
    explorer.sliders["learning_rate"].value = 0.3
    assert png_shown(explorer) != first_png and explorer.last_png == png_shown(explorer)
    assert explorer.status.value != first_status
    # The run on screen is exactly rnn_core.train with the slider values.
    reference = rnn_core.train(data[0], data[1], hidden_size=8, learning_rate=0.3, epochs=10,
                               seed=0, batch_size=32, val_xs=data[2], val_target=data[3])
    label, result = explorer.last_result
    assert result.losses == reference.losses and label == "lr 0.3, H 8"
    assert f"{reference.losses[-1]:.3g}" in explorer.status.value
    assert f"{reference.val_losses[-1]:.3g}" in explorer.status.value
    # The previous run is kept, as a faint curve.
    assert len(explorer.history) == 1


def test_history_is_bounded(explorer):
    for hidden_size in range(2, 10):
        explorer.sliders["hidden_size"].value = hidden_size
    assert len(explorer.history) == explorer.keep
    explorer.clear_history()
    assert explorer.history == [] and explorer.last_result is not None


def test_divergence_is_reported_not_raised(explorer):
    explorer.sliders["epochs"].value = 300
    explorer.sliders["learning_rate"].value = 1.0
    _, result = explorer.last_result
    assert result.diverged and explorer.last_error is None
    assert f"diverged at epoch {result.diverged_at}" in explorer.status.value
    assert png_shown(explorer).startswith(b"\x89PNG")


def test_clip_slider_zero_means_off(explorer, monkeypatch):
    seen = []
    real_train = rnn_core.train
    def spy(*args, **kwargs):
        seen.append(kwargs["clip_norm"])
        return real_train(*args, **kwargs)
    monkeypatch.setattr(rnn_core, "train", spy)
    explorer.sliders["clip_norm"].value = 1.5
    explorer.sliders["clip_norm"].value = 0.0
    assert seen == [1.5, None]


def test_an_error_is_shown_not_swallowed(explorer, monkeypatch):
    def broken(values):
        raise ValueError("hidden_size must be a positive integer, got 0")
    monkeypatch.setattr(explorer, "run", broken)
    explorer.sliders["hidden_size"].value = 3
    assert isinstance(explorer.last_error, ValueError)
    assert "error" in explorer.status.value and "ValueError" in explorer.status.value
    assert "positive integer" in explorer.status.value
    # Bad input: the message, without a traceback.
    (output,) = explorer.output.outputs
    assert output["output_type"] == "stream" and "Traceback" not in output["text"]
    assert "positive integer" in output["text"]
    # A bug (any other exception) is shown with its traceback.
    def buggy(values):
        raise RuntimeError("a bug")
    monkeypatch.setattr(explorer, "run", buggy)
    explorer.sliders["hidden_size"].value = 5
    assert isinstance(explorer.last_error, RuntimeError)
    (output,) = explorer.output.outputs
    assert "Traceback" in output["text"] and "a bug" in output["text"]
    # ... and the next good value recovers.
    monkeypatch.undo()
    explorer.sliders["hidden_size"].value = 4
    assert explorer.last_error is None and png_shown(explorer).startswith(b"\x89PNG")


def test_gradient_flow_explorer_redraws_and_reports(flow):
    assert set(flow.sliders) == {"spectral_radius", "seq_length", "input_scale", "seed"}
    before = png_shown(flow)
    flow.sliders["input_scale"].value = 0.0       # inputs off: h stays 0, tanh acts linearly
    flow.sliders["spectral_radius"].value = 0.5
    assert png_shown(flow) != before
    _, xs, tanh, linear, slope = flow.compute(flow.values())
    assert len(xs) == 20 and np.allclose(tanh, linear) and slope == 1.0
    assert f"{tanh[0] / tanh[-1]:.1e}" in flow.status.value
    assert tanh[0] / tanh[-1] < 1e-3               # radius 0.5, 20 steps: vanishing
    flow.sliders["spectral_radius"].value = 1.5
    _, _, _, linear, _ = flow.compute(flow.values())
    assert linear[0] / linear[-1] > 1e2            # radius 1.5 without tanh: exploding
