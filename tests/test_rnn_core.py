"""Tests of rnn_core: the gradients, the seed-compatible class, training, and bad input.

Gradients are compared in float64 with two references that share no code with rnn_core:
a small reverse-mode autodiff (reference_autodiff.py) and centered differences. The shapes
are chosen where the seed's bugs cannot hide: output size 3, a nonzero h0, T >= 3, B > 1.
"""

import contextlib
import inspect
import io
import math
import re

import numpy as np
import pytest

import rnn_core
import seed_rnn
from reference_autodiff import rnn_loss_and_grads as autodiff_loss_and_grads

NAMES = rnn_core.PARAM_NAMES

# (B, T, D, H, O): batch, time steps, input, hidden and output sizes.
SHAPES = [
    (1, 3, 1, 4, 3),
    (2, 3, 2, 3, 3),
    (4, 5, 3, 6, 3),
    (3, 7, 1, 5, 2),
    (5, 4, 2, 8, 1),
    (2, 12, 3, 4, 4),
    (7, 4, 2, 6, 3),            # all sizes different, and none equal to T + 1
]


def make_problem(B, T, D, H, O, seed=0, scale=0.5):
    """Random params, batch xs (B, T, D), target (B, O) and a nonzero h0 (H, B)."""
    rng = np.random.default_rng(seed)
    params = rnn_core.init_params(D, H, O, scale=scale, seed=rng)
    params["bh"] = rng.standard_normal((H, 1)) * scale
    params["by"] = rng.standard_normal((O, 1)) * scale
    xs = rng.standard_normal((B, T, D))
    target = rng.standard_normal((B, O))
    h0 = np.tanh(rng.standard_normal((H, B)))
    return params, xs, target, h0


def copies(*arrays_or_dicts):
    return [{k: v.copy() for k, v in a.items()} if isinstance(a, dict) else np.copy(a)
            for a in arrays_or_dicts]


def assert_unchanged(before, after):
    for b, a in zip(before, after):
        if isinstance(b, dict):
            assert b.keys() == a.keys()
            for key in b:
                np.testing.assert_array_equal(a[key], b[key])
        else:
            np.testing.assert_array_equal(a, b)


def read_only(params, *arrays):
    """Copies that raise if anything writes into them."""
    frozen = [{k: v.copy() for k, v in params.items()}] + [np.array(a) for a in arrays]
    for item in frozen:
        for array in item.values() if isinstance(item, dict) else [item]:
            array.setflags(write=False)
    return frozen


# --------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gradients_match_autodiff(shape):
    params, xs, target, h0 = make_problem(*shape)
    loss, grads = rnn_core.loss_and_grads(params, xs, target, h0)
    ref_loss, ref_grads, _ = autodiff_loss_and_grads(params, xs, target, h0)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name in NAMES:
        assert grads[name].shape == params[name].shape
        assert rnn_core.relative_error(grads[name], ref_grads[name]) < 1e-8, name


@pytest.mark.parametrize("seed", range(10))
def test_gradients_match_autodiff_on_random_shapes(seed):
    rng = np.random.default_rng(100 + seed)
    B, T, D, H = rng.integers(1, 6), rng.integers(3, 9), rng.integers(1, 4), rng.integers(1, 9)
    params, xs, target, h0 = make_problem(B, T, D, H, O=3, seed=seed)
    _, grads = rnn_core.loss_and_grads(params, xs, target, h0)
    _, ref_grads, _ = autodiff_loss_and_grads(params, xs, target, h0)
    for name in NAMES:
        assert rnn_core.relative_error(grads[name], ref_grads[name]) < 1e-8, name


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gradient_check_passes_with_centered_differences(shape):
    params, xs, target, h0 = make_problem(*shape)
    errors = rnn_core.gradient_check(params, xs, target, h0)
    assert set(errors) == set(NAMES)
    assert max(errors.values()) < 1e-6, errors


def test_dh0_and_total_derivatives_match_autodiff():
    params, xs, target, h0 = make_problem(3, 5, 2, 4, 3)
    y, hs = rnn_core.forward(params, xs, h0)
    _, dy = rnn_core.mse_loss(y, target)
    grads, dhs = rnn_core.backward(params, xs, hs, dy)
    _, ref_grads, ref_dh0 = autodiff_loss_and_grads(params, xs, target, h0)
    assert dhs.shape == hs.shape == (3, 6, 4)
    assert rnn_core.relative_error(dhs[:, 0, :].T, ref_dh0) < 1e-8
    for name in NAMES:
        assert rnn_core.relative_error(grads[name], ref_grads[name]) < 1e-8


def test_total_derivative_of_a_middle_state_matches_finite_differences():
    # dhs[t] is the total derivative: nudging h_t moves the loss through every later step.
    params, xs, target, h0 = make_problem(1, 6, 2, 4, 3)
    xs, target, h0 = xs[0], target[0], h0[:, 0]
    y, hs = rnn_core.forward(params, xs, h0)
    _, dhs = rnn_core.backward(params, xs, hs, rnn_core.mse_loss(y, target)[1])
    t = 2

    def loss_from_h_t(h_t):    # restart the RNN at step t from a given h_t
        return rnn_core.mse_loss(rnn_core.forward(params, xs[t:], h_t)[0], target)[0]

    numeric = rnn_core.numerical_gradient(loss_from_h_t, hs[t])
    assert rnn_core.relative_error(dhs[t], numeric) < 1e-7


def test_single_sequence_forms_agree_with_a_batch_of_one():
    params, xs, target, h0 = make_problem(1, 4, 1, 5, 3)
    batch = rnn_core.loss_and_grads(params, xs, target, h0)
    for seq in (xs[0], xs[0, :, 0]):         # (T, D) and (T,) when D = 1
        for init in (h0, h0[:, 0]):          # (H, 1) and (H,)
            loss, grads = rnn_core.loss_and_grads(params, seq, target[0], init)
            assert loss == pytest.approx(batch[0], rel=1e-14)
            for name in NAMES:
                np.testing.assert_allclose(grads[name], batch[1][name], rtol=1e-13)


def test_loss_is_the_mean_over_outputs_and_batch():
    params, xs, target, h0 = make_problem(4, 3, 2, 5, 3)
    y, _ = rnn_core.forward(params, xs, h0)
    loss, _ = rnn_core.loss_and_grads(params, xs, target, h0)
    assert loss == pytest.approx(np.mean((y - target) ** 2), rel=1e-14)
    assert isinstance(loss, float)


def test_shared_h0_equals_one_column_per_sequence():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3)
    shared = h0[:, :1]
    a = rnn_core.loss_and_grads(params, xs, target, shared)
    b = rnn_core.loss_and_grads(params, xs, target, np.repeat(shared, 3, axis=1))
    assert a[0] == b[0]
    for name in NAMES:
        np.testing.assert_array_equal(a[1][name], b[1][name])


# --------------------------------------------------------------------------------------
# Forward pass
# --------------------------------------------------------------------------------------

def test_forward_follows_the_cell_equation_step_by_step():
    params, xs, _, h0 = make_problem(2, 4, 3, 5, 3)
    y, hs = rnn_core.forward(params, xs, h0)
    assert y.shape == (2, 3) and hs.shape == (2, 5, 5)
    for b in range(2):
        h = h0[:, b:b + 1]
        np.testing.assert_array_equal(hs[b, 0], h[:, 0])        # hs[t] is h_t; hs[0] is h0
        for t in range(4):
            x = xs[b, t][:, None]
            h = np.tanh(params["Wxh"] @ x + params["Whh"] @ h + params["bh"])
            np.testing.assert_allclose(hs[b, t + 1], h[:, 0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(y[b], (params["Why"] @ h + params["by"])[:, 0], rtol=1e-13)


def test_batch_equals_a_loop_over_sequences():
    params, xs, _, h0 = make_problem(4, 6, 2, 5, 3)
    y, hs = rnn_core.forward(params, xs, h0)
    for b in range(4):
        y_b, hs_b = rnn_core.forward(params, xs[b], h0[:, b])
        np.testing.assert_allclose(y[b], y_b, rtol=1e-13)
        np.testing.assert_allclose(hs[b], hs_b, rtol=1e-13)


def test_default_h0_is_zero():
    params, xs, _, _ = make_problem(2, 3, 1, 4, 2)
    y, hs = rnn_core.forward(params, xs)
    np.testing.assert_array_equal(hs[:, 0], 0.0)
    np.testing.assert_array_equal(y, rnn_core.forward(params, xs, np.zeros((4, 1)))[0])


def test_init_params_shapes_dtype_and_seed():
    params = rnn_core.init_params(2, 5, 3, seed=7)
    expected = {"Wxh": (5, 2), "Whh": (5, 5), "Why": (3, 5), "bh": (5, 1), "by": (3, 1)}
    assert {k: v.shape for k, v in params.items()} == expected
    assert all(v.dtype == np.float64 for v in params.values())
    again = rnn_core.init_params(2, 5, 3, seed=7)
    other = rnn_core.init_params(2, 5, 3, seed=8)
    for name in NAMES:
        np.testing.assert_array_equal(params[name], again[name])
    assert not np.array_equal(params["Whh"], other["Whh"])
    np.testing.assert_array_equal(params["bh"], 0.0)
    big = rnn_core.init_params(2, 50, 3, scale=1.0, seed=0)
    assert 0.8 < big["Whh"].std() < 1.2 and np.abs(params["Whh"]).max() < 0.1


# --------------------------------------------------------------------------------------
# Gradient-check helpers
# --------------------------------------------------------------------------------------

def test_numerical_gradient_of_a_known_function():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    numeric = rnn_core.numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(numeric, 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[0.5, -1.0], [2.0, 0.1]])


def test_relative_error_formula_and_floor():
    assert rnn_core.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == \
        pytest.approx(0.2 / 4.2)
    assert rnn_core.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # Both nearly zero: divided by the floor 1e-8, not by their tiny sum.
    assert rnn_core.relative_error(np.array([1e-12]), np.array([3e-12])) == \
        pytest.approx(2e-12 / 1e-8)


def seed_gradients(params, xs, target, h0):
    """The gradient that the seed's backward applies, read off its SGD step (lr = 1)."""
    rnn = seed_rnn.SimpleRNN(1, 1, 1)
    for name in NAMES:
        setattr(rnn, name, params[name].copy())
    rnn.output, _ = rnn.forward(xs, h0.copy())
    rnn.backward(target, learning_rate=1.0)
    return {name: params[name] - getattr(rnn, name) for name in NAMES}


def test_the_gradient_check_catches_the_seeds_backward():
    # Output size 3 and a nonzero h0: all three of the seed's bugs show.
    params, xs, target, h0 = make_problem(1, 4, 1, 5, 3)
    seed = seed_gradients(params, xs[0], target[0][:, None], h0[:, :1])
    _, exact = rnn_core.loss_and_grads(params, xs[0], target[0], h0[:, :1])
    assert rnn_core.relative_error(seed["Whh"], exact["Whh"]) > 1e-2
    assert rnn_core.relative_error(seed["Why"], exact["Why"]) > 1e-2


# --------------------------------------------------------------------------------------
# The seed's class and main()
# --------------------------------------------------------------------------------------

def run_seed_main(simple_rnn_class):
    namespace = {"np": np, "SimpleRNN": simple_rnn_class}
    exec(inspect.getsource(seed_rnn.main), namespace)     # the seed's main(), unchanged
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace["main"]()
    return out.getvalue()


def test_seed_main_runs_unchanged_on_simple_rnn_and_converges():
    np.random.seed(0)
    log = run_seed_main(rnn_core.SimpleRNN)
    assert log.startswith("Epoch 0, Loss: ")
    assert len(re.findall(r"^Epoch \d+, Loss: \d\.\d{4}$", log, re.M)) == 10
    final_loss = float(log.strip().splitlines()[-1].split(":")[-1])
    assert final_loss < 1e-6


def test_simple_rnn_step_is_sgd_on_the_exact_gradient():
    np.random.seed(3)
    rnn = rnn_core.SimpleRNN(2, 4, 3)
    rng = np.random.default_rng(0)
    for name in NAMES:         # larger weights so that every gradient is far from zero
        setattr(rnn, name, rng.standard_normal(getattr(rnn, name).shape) * 0.5)
    before = {name: getattr(rnn, name).copy() for name in NAMES}
    xs, target = rng.standard_normal((5, 2)), rng.standard_normal(3)
    h0 = rng.standard_normal((4, 1))
    y, h = rnn.forward(xs, h0)
    assert y.shape == (3, 1) and h.shape == (4, 1) and len(rnn.hidden_states) == 5
    rnn.output = y                             # as the seed's main() does
    loss = rnn.backward(target, learning_rate=0.1)
    exact_loss, grads = rnn_core.loss_and_grads(before, xs, target, h0)
    assert loss == pytest.approx(exact_loss)
    for name in NAMES:
        np.testing.assert_allclose(getattr(rnn, name), before[name] - 0.1 * grads[name],
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("change", ["replaced before forward", "replaced before backward",
                                    "written in place before forward",
                                    "written in place before backward"])
def test_simple_rnn_steps_on_the_weights_as_they_are_after_a_change_by_hand(change):
    # After a step SimpleRNN keeps W_hh, W_xh and b_h as views of one stacked matrix (see
    # rnn_core._forward); a weight changed by hand must be used, never a stale stacked copy.
    rng = np.random.default_rng(5)
    rnn = rnn_core.SimpleRNN(2, 4, 3, seed=1)
    xs, target, h0 = rng.standard_normal((5, 2)), rng.standard_normal(3), np.zeros((4, 1))
    rnn.forward(xs, h0)
    rnn.backward(target, learning_rate=0.1)    # now the weights are views of the stacked W
    stepped = {name: getattr(rnn, name).copy() for name in NAMES}
    new_Whh = rng.standard_normal((4, 4)) * 0.5

    def change_Whh():
        if change.startswith("replaced"):
            rnn.Whh = new_Whh.copy()
        else:
            rnn.Whh[...] = new_Whh

    changed = dict(stepped, Whh=new_Whh)
    if change.endswith("before forward"):
        change_Whh()
    y, _ = rnn.forward(xs, h0)
    if change.endswith("before backward"):
        change_Whh()
    loss = rnn.backward(target, learning_rate=0.1)
    # The same as the pure functions: forward with the weights forward found, then BPTT
    # through those hidden states with the weights backward found, one SGD step from them.
    exact_y, hs = rnn_core.forward(changed if change.endswith("forward") else stepped, xs, h0)
    np.testing.assert_allclose(y[:, 0], exact_y, rtol=1e-12)
    exact_loss, dy = rnn_core.mse_loss(exact_y, target)
    assert loss == pytest.approx(exact_loss, rel=1e-12)
    grads, _ = rnn_core.backward(changed, xs, hs, dy)
    for name in NAMES:
        np.testing.assert_allclose(getattr(rnn, name), changed[name] - 0.1 * grads[name],
                                   rtol=1e-12, atol=1e-15)


def test_simple_rnn_draws_the_same_weights_as_the_seed():
    np.random.seed(42)
    ours = rnn_core.SimpleRNN(1, 8, 1)
    np.random.seed(42)
    theirs = seed_rnn.SimpleRNN(1, 8, 1)
    for name in NAMES:
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))


def test_simple_rnn_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="forward"):
        rnn_core.SimpleRNN(1, 2, 1, seed=0).backward(np.array([0.5]))


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

SEED_XS = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
SEED_TARGET = np.array([0.6])


def test_train_learns_the_seed_task():
    result = rnn_core.train(SEED_XS, SEED_TARGET, hidden_size=8, learning_rate=0.1,
                            epochs=300, init_scale=0.1)
    assert len(result.losses) == 300 and not result.diverged
    assert result.losses[-1] < 1e-6 < result.losses[0]
    y, _ = rnn_core.forward(result.params, SEED_XS)
    assert y[0] == pytest.approx(0.6, abs=1e-3)
    assert "final training loss" in result.status


def test_train_equals_repeated_sgd_steps():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3, scale=0.3)
    result = rnn_core.train(xs, target, hidden_size=5, learning_rate=0.05, epochs=3,
                            params=params, h0=h0[:, :1])
    expected = {k: v.copy() for k, v in params.items()}
    for epoch in range(3):
        loss, grads = rnn_core.loss_and_grads(expected, xs, target, h0[:, :1])
        assert result.losses[epoch] == pytest.approx(loss, rel=1e-12)
        expected = {k: expected[k] - 0.05 * grads[k] for k in NAMES}
    for name in NAMES:
        np.testing.assert_allclose(result.params[name], expected[name], rtol=1e-12)


def test_train_is_deterministic_for_a_seed_and_minibatches_cover_the_data():
    _, xs, target, _ = make_problem(10, 4, 1, 3, 2)
    kwargs = dict(hidden_size=6, learning_rate=0.05, epochs=5, batch_size=3,
                  val_xs=xs[:4], val_target=target[:4])
    a = rnn_core.train(xs, target, seed=1, **kwargs)
    b = rnn_core.train(xs, target, seed=1, **kwargs)
    c = rnn_core.train(xs, target, seed=2, **kwargs)
    assert a.losses == b.losses and a.losses != c.losses
    assert len(a.val_losses) == 5 and all(math.isfinite(v) for v in a.val_losses)
    y, _ = rnn_core.forward(a.params, xs[:4])
    assert a.val_losses[-1] == pytest.approx(np.mean((y - target[:4]) ** 2))


def test_divergence_stops_training_and_names_the_epoch():
    _, xs, target, _ = make_problem(8, 5, 1, 4, 1)
    result = rnn_core.train(xs, target * 1e3, hidden_size=16, learning_rate=50.0,
                            epochs=200, init_scale=1.0)
    assert result.diverged and isinstance(result.diverged_at, int)
    assert len(result.losses) == result.diverged_at < 200
    assert all(math.isfinite(loss) for loss in result.losses)
    assert all(np.all(np.isfinite(v)) for v in result.params.values())
    assert f"diverged at epoch {result.diverged_at}" in result.status


def test_clipping_bounds_each_step():
    params, xs, target, h0 = make_problem(4, 5, 2, 6, 3, scale=1.0)
    _, grads = rnn_core.loss_and_grads(params, xs, target)
    assert rnn_core.global_norm(grads) > 0.01
    result = rnn_core.train(xs, target, hidden_size=6, learning_rate=1.0, epochs=1,
                            params=params, clip_norm=0.01)
    step = {k: params[k] - result.params[k] for k in NAMES}
    assert rnn_core.global_norm(step) == pytest.approx(0.01, rel=1e-9)


def test_clip_grads_rescales_only_large_gradients():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    assert rnn_core.global_norm(grads) == 5.0
    clipped = rnn_core.clip_grads(grads, 1.0)
    assert rnn_core.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"] / clipped["b"][0], 0.75)
    assert rnn_core.clip_grads(grads, 10.0)["a"][0] == 3.0
    assert grads["a"][0] == 3.0                         # not modified


# --------------------------------------------------------------------------------------
# No function modifies its arguments
# --------------------------------------------------------------------------------------

def test_public_functions_never_write_into_their_arguments():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3)
    frozen_params, frozen_xs, frozen_target, frozen_h0 = read_only(params, xs, target, h0)
    y, hs = rnn_core.forward(frozen_params, frozen_xs, frozen_h0)
    for array in (y, hs):
        array.setflags(write=False)
    loss, dy = rnn_core.mse_loss(y, frozen_target)
    dy.setflags(write=False)
    rnn_core.backward(frozen_params, frozen_xs, hs, dy)
    rnn_core.loss_and_grads(frozen_params, frozen_xs, frozen_target, frozen_h0)
    rnn_core.numerical_grads(frozen_params, frozen_xs, frozen_target, frozen_h0)
    rnn_core.gradient_check(frozen_params, frozen_xs, frozen_target, frozen_h0)
    rnn_core.train(frozen_xs, frozen_target, hidden_size=5, learning_rate=0.1, epochs=2,
                   params=frozen_params, batch_size=2, val_xs=frozen_xs,
                   val_target=frozen_target)
    assert_unchanged([params, xs, target, h0],
                     [frozen_params, frozen_xs, frozen_target, frozen_h0])


def test_reusing_arguments_gives_the_same_gradients():
    # The classic bug: a backward pass that writes into its inputs breaks the second call.
    params, xs, target, h0 = make_problem(2, 4, 2, 3, 3)
    first = rnn_core.loss_and_grads(params, xs, target, h0)
    rnn_core.numerical_grads(params, xs, target, h0)
    second = rnn_core.loss_and_grads(params, xs, target, h0)
    assert first[0] == second[0]
    for name in NAMES:
        np.testing.assert_array_equal(first[1][name], second[1][name])


# --------------------------------------------------------------------------------------
# Bad input: a clear error naming the argument, and nothing modified
# --------------------------------------------------------------------------------------

P, XS, TARGET, H0 = make_problem(2, 3, 2, 4, 3)     # D = 2, H = 4, O = 3, B = 2, T = 3


def with_param(name, value):
    params = {k: v.copy() for k, v in P.items()}
    params[name] = value
    return params


def without(name):
    return {k: v.copy() for k, v in P.items() if k != name}


BAD_LOSS_AND_GRADS_CALLS = [
    # (params, xs, target, h0, error type, words the message must contain)
    (P, XS[:, :, :1], TARGET, H0, ValueError, r"xs has shape \(2, 3, 1\).*input_size 2"),
    (P, XS[0, :, 0], TARGET[0], None, ValueError, r"xs has shape \(3,\).*input_size 2"),
    (P, XS[None], TARGET, H0, ValueError, r"xs has shape \(1, 2, 3, 2\)"),
    (P, np.float64(0.3), TARGET, None, ValueError, r"xs has shape \(\)"),
    (P, XS[:, :0], TARGET, H0, ValueError, r"xs .*empty"),
    (P, XS[:0], TARGET[:0], None, ValueError, r"xs .*empty"),
    (P, np.where(XS > 1, np.nan, XS), TARGET, H0, ValueError, r"xs contains NaN or inf"),
    (P, np.where(XS > 1, np.inf, XS), TARGET, H0, ValueError, r"xs contains NaN or inf"),
    (P, "abc", TARGET, H0, TypeError, r"xs must be an array of real numbers"),
    (P, [[0.1, 0.2], [0.3]], TARGET[0], None, TypeError, r"xs must be an array of real numbers"),
    (P, XS.astype(complex), TARGET, H0, TypeError, r"xs must be an array of real numbers"),
    (P, None, TARGET, H0, TypeError, r"xs must be an array of real numbers"),
    (P, XS, TARGET[:, :2], H0, ValueError, r"target has shape \(2, 2\).*\(2, 3\)"),
    (P, XS, TARGET[0], H0, ValueError, r"target has shape \(3,\).*\(2, 3\)"),
    (P, XS[0], TARGET, None, ValueError, r"target has shape \(2, 3\).*\(3,\)"),
    (P, XS, np.where(TARGET > 0, np.nan, TARGET), H0, ValueError, r"target contains NaN"),
    (P, XS, np.array([["a", "b", "c"]] * 2), H0, TypeError, r"target must be an array"),
    (P, XS, TARGET, H0[:3], ValueError, r"h0 has shape \(3, 2\).*\(4, 1\)"),
    (P, XS, TARGET, np.zeros((4, 3)), ValueError, r"h0 has shape \(4, 3\).*\(4, 2\)"),
    (P, XS, TARGET, np.zeros((4, 2, 1)), ValueError, r"h0 has shape \(4, 2, 1\)"),
    (P, XS, TARGET, np.full((4, 2), np.inf), ValueError, r"h0 contains NaN or inf"),
    (without("Whh"), XS, TARGET, H0, ValueError, r"params is missing key.*Whh"),
    (with_param("Whh", np.zeros((4, 3))), XS, TARGET, H0, ValueError,
     r"params\['Whh'\] must be square"),
    (with_param("Whh", np.zeros((5, 5))), XS, TARGET, H0, ValueError,
     r"params\['Whh'\] has shape \(5, 5\), expected \(4, 4\)"),
    (with_param("Why", np.zeros((3, 5))), XS, TARGET, H0, ValueError,
     r"params\['Why'\] has shape \(3, 5\), expected \(3, 4\)"),
    (with_param("bh", np.zeros(4)), XS, TARGET, H0, ValueError,
     r"params\['bh'\] must be 2-D"),
    (with_param("by", np.zeros((1, 3))), XS, TARGET, H0, ValueError,
     r"params\['by'\] has shape \(1, 3\), expected \(3, 1\)"),
    (with_param("Wxh", np.full((4, 2), np.nan)), XS, TARGET, H0, ValueError,
     r"params\['Wxh'\] contains NaN"),
    (with_param("Wxh", [["x", "y"]] * 4), XS, TARGET, H0, TypeError,
     r"params\['Wxh'\] must be an array of real numbers"),
    ([P["Wxh"], P["Whh"]], XS, TARGET, H0, TypeError, r"params must be a dict"),
]


@pytest.mark.parametrize("params, xs, target, h0, error, message", BAD_LOSS_AND_GRADS_CALLS,
                         ids=[m for *_, m in BAD_LOSS_AND_GRADS_CALLS])
def test_bad_input_to_loss_and_grads_is_a_clear_error(params, xs, target, h0, error, message):
    before = copies(*(a for a in (params, xs, target, h0) if isinstance(a, (dict, np.ndarray))))
    with pytest.raises(error, match=message):
        rnn_core.loss_and_grads(params, xs, target, h0)
    after = [a for a in (params, xs, target, h0) if isinstance(a, (dict, np.ndarray))]
    assert_unchanged(before, after)


def test_bad_input_to_forward_and_backward():
    with pytest.raises(ValueError, match=r"xs has shape \(2, 3, 1\)"):
        rnn_core.forward(P, XS[:, :, :1])
    y, hs = rnn_core.forward(P, XS, H0)
    with pytest.raises(ValueError, match=r"hs has shape \(2, 3, 4\) .*\(2, 4, 4\)"):
        rnn_core.backward(P, XS, hs[:, 1:], np.ones_like(y))
    with pytest.raises(ValueError, match=r"dy has shape \(3,\) .*\(2, 3\)"):
        rnn_core.backward(P, XS, hs, np.ones(3))
    with pytest.raises(ValueError, match=r"target has shape \(2, 2\) but y has shape \(2, 3\)"):
        rnn_core.mse_loss(y, TARGET[:, :2])


@pytest.mark.parametrize("bad", [0, -3, 2.5, "8", None, True, np.float64(3.0)])
@pytest.mark.parametrize("argument", ["input_size", "hidden_size", "output_size"])
def test_sizes_must_be_positive_integers(argument, bad):
    sizes = {"input_size": 1, "hidden_size": 8, "output_size": 1, argument: bad}
    with pytest.raises(ValueError, match=f"{argument} must be a positive integer"):
        rnn_core.init_params(**sizes)
    with pytest.raises(ValueError, match=f"{argument} must be a positive integer"):
        rnn_core.SimpleRNN(**sizes)


@pytest.mark.parametrize("bad", [0, -0.1, math.inf, math.nan, "0.1", None, True])
def test_learning_rate_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        rnn_core.train(SEED_XS, SEED_TARGET, hidden_size=4, learning_rate=bad, epochs=5)
    rnn = rnn_core.SimpleRNN(1, 4, 1, seed=0)
    rnn.forward(SEED_XS, np.zeros((4, 1)))
    before = {name: getattr(rnn, name).copy() for name in NAMES}
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        rnn.backward(SEED_TARGET, bad)
    assert_unchanged([before], [rnn.params])


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "epochs must be a positive integer"),
    (dict(epochs=-5), "epochs must be a positive integer"),
    (dict(epochs=2.0), "epochs must be a positive integer"),
    (dict(hidden_size=0), "hidden_size must be a positive integer"),
    (dict(batch_size=0), "batch_size must be a positive integer"),
    (dict(clip_norm=-1.0), "clip_norm must be a positive finite number"),
    (dict(seed="zero"), "seed must be None, an int or a numpy.random.Generator"),
    (dict(val_xs=np.zeros((2, 5))), "val_xs and val_target must be given together"),
    (dict(val_xs=np.zeros((2, 4, 2)), val_target=np.zeros((2, 1))),
     r"val_xs has shape \(2, 4, 2\) but Wxh expects input_size 1"),
    (dict(val_xs=np.zeros((2, 4, 1)), val_target=np.zeros((3, 1))),
     r"val_target has shape \(3, 1\)"),
])
def test_bad_training_settings_are_clear_errors(kwargs, message):
    settings = dict(hidden_size=4, learning_rate=0.1, epochs=5) | kwargs
    xs = np.tile(SEED_XS, (2, 1))[:, :, None]               # (B, T, D) = (2, 5, 1)
    with pytest.raises((ValueError, TypeError), match=message):
        rnn_core.train(xs, np.tile(SEED_TARGET, (2, 1)), **settings)


def test_bad_input_to_simple_rnn_names_the_seeds_arguments():
    rnn = rnn_core.SimpleRNN(1, 4, 3, seed=0)
    with pytest.raises(ValueError, match=r"inputs has shape \(5, 2\)"):
        rnn.forward(np.zeros((5, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"hidden_state has shape \(8, 1\)"):
        rnn.forward(SEED_XS, np.zeros((8, 1)))
    rnn.forward(SEED_XS, np.zeros((4, 1)))
    before = {name: getattr(rnn, name).copy() for name in NAMES}
    with pytest.raises(ValueError, match=r"target has shape \(1,\).*output_size 3"):
        rnn.backward(SEED_TARGET, 0.01)
    with pytest.raises(ValueError, match=r"target contains NaN"):
        rnn.backward(np.array([0.1, np.nan, 0.2]), 0.01)
    assert_unchanged([before], [rnn.params])


def test_an_infinite_loss_is_divergence_even_when_the_step_stays_finite():
    # (y - target)**2 overflows to inf although the gradient 2 (y - target) / n does not.
    result = rnn_core.train(SEED_XS, np.array([1e200]), hidden_size=4, learning_rate=1e-300,
                            epochs=3)
    assert result.diverged_at == 0 and result.losses == []


def test_simple_rnn_checks_weights_set_by_hand():
    # With B * T == H a bias of shape (H,) would broadcast silently; it must be an error.
    rnn = rnn_core.SimpleRNN(1, 5, 1, seed=0)
    rnn.bh = np.zeros(5)
    with pytest.raises(ValueError, match=r"SimpleRNN.bh must be 2-D"):
        rnn.forward(SEED_XS, np.zeros((5, 1)))
    rnn.bh = np.zeros((5, 1))
    rnn.Whh = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"SimpleRNN.Whh must be square"):
        rnn.forward(SEED_XS, np.zeros((5, 1)))


def test_truncated_bptt_is_bptt_of_the_last_steps_from_a_fixed_state():
    params, xs, target, h0 = make_problem(3, 6, 2, 4, 3)
    y, hs = rnn_core.forward(params, xs, h0)
    _, dy = rnn_core.mse_loss(y, target)
    X, _ = rnn_core._check_xs(xs, params)                 # (T, B, D), as _bptt takes it
    Z = rnn_core._stack_states(hs.transpose(1, 0, 2), X)

    def bptt(steps):
        grads, dhs = rnn_core._bptt(params, Z, dy, steps, want_dhs=True)
        return grads, dhs.transpose(1, 0, 2)              # (B, T+1, H), like hs

    grads, dhs = bptt(2)
    # The same as full BPTT over the last 2 inputs, starting from h_4 as a given h0.
    tail_loss, tail_grads = rnn_core.loss_and_grads(params, xs[:, 4:], target, hs[:, 4].T)
    for name in NAMES:
        np.testing.assert_allclose(grads[name], tail_grads[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(dhs[:, :4], 0.0)
    assert np.all(np.abs(dhs[:, 4:]).sum(axis=(0, 2)) > 0)
    full, _ = bptt(None)
    same, _ = bptt(6)
    for name in NAMES:
        np.testing.assert_array_equal(same[name], full[name])


def test_bptt_steps_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="bptt_steps must be a positive integer"):
        rnn_core.train(SEED_XS, SEED_TARGET, hidden_size=4, learning_rate=0.1, epochs=2,
                       bptt_steps=0)
