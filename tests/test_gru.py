"""Tests of the GRU in rnn_core: gradients, the forward equations, training, and PyTorch.

As for the simple RNN (test_rnn_core.py), the gradients are compared in float64 with two
references that share no code with rnn_core: the small autodiff of reference_autodiff.py and
centered differences, on shapes where bugs cannot hide (output size 3, a nonzero h0, T >= 3,
B > 1, sizes pairwise distinct). Bad input is in the tables of test_bad_input.py.
"""

import numpy as np
import pytest

import rnn_core
from reference_autodiff import gru_loss_and_grads as autodiff_loss_and_grads

NAMES = rnn_core.GRU_PARAM_NAMES

# (B, T, D, H, O): batch, time steps, input, hidden and output sizes.
SHAPES = [
    (1, 3, 1, 4, 3),
    (2, 5, 3, 4, 1),
    (3, 7, 1, 5, 2),
    (7, 4, 2, 6, 3),            # all sizes different, and none equal to T + 1
    (6, 3, 5, 2, 7),            # all different, T + 1 = 4 too; H < D < B < O
]


def make_problem(B, T, D, H, O, seed=0, scale=0.5):
    """Random GRU params (nonzero biases), xs (B, T, D), target (B, O), a nonzero h0 (H, B)."""
    rng = np.random.default_rng(seed)
    params = rnn_core.gru_init_params(D, H, O, scale=scale, seed=rng)
    for name in ("bz", "br", "bxn", "bhn", "by"):
        params[name] = rng.standard_normal(params[name].shape) * scale
    xs = rng.standard_normal((B, T, D))
    target = rng.standard_normal((B, O))
    h0 = np.tanh(rng.standard_normal((H, B)))
    return params, xs, target, h0


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# --------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gradients_match_autodiff(shape):
    params, xs, target, h0 = make_problem(*shape)
    loss, grads = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    ref_loss, ref_grads, _ = autodiff_loss_and_grads(params, xs, target, h0)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    assert list(grads) == list(NAMES)
    for name in NAMES:
        assert grads[name].shape == params[name].shape
        assert rnn_core.relative_error(grads[name], ref_grads[name]) < 1e-8, name


@pytest.mark.parametrize("seed", range(6))
def test_gradients_match_autodiff_on_random_shapes(seed):
    rng = np.random.default_rng(200 + seed)
    B, T, D, H = rng.integers(1, 6), rng.integers(3, 9), rng.integers(1, 4), rng.integers(1, 9)
    params, xs, target, h0 = make_problem(B, T, D, H, O=3, seed=seed, scale=1.0)
    _, grads = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    _, ref_grads, _ = autodiff_loss_and_grads(params, xs, target, h0)
    for name in NAMES:
        assert rnn_core.relative_error(grads[name], ref_grads[name]) < 1e-8, name


@pytest.mark.parametrize("shape", [(7, 4, 2, 6, 3), (6, 3, 5, 2, 7)], ids=str)
def test_gradients_match_centered_differences(shape):
    params, xs, target, h0 = make_problem(*shape)
    _, grads = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    for name in NAMES:
        def loss_at(value, name=name):
            return rnn_core.gru_loss_and_grads(dict(params, **{name: value}), xs, target,
                                               h0)[0]
        numeric = rnn_core.numerical_gradient(loss_at, params[name])
        # Round-off (u |L| / eps, ~2e-11 here) is up to ~2e-6 relative on the tiniest entries
        # of dL/dW_hr (~6e-6): the 'tiny entry' row of lesson 05's table. A wrong gradient is
        # far above 1e-4; the tight check is the autodiff one (1e-8) above.
        assert rnn_core.relative_error(grads[name], numeric) < 1e-5, name


def test_backward_gives_the_same_gradients_and_dh0_matches_autodiff():
    params, xs, target, h0 = make_problem(7, 4, 2, 6, 3)
    y, hs = rnn_core.gru_forward(params, xs, h0)
    loss, dy = rnn_core.mse_loss(y, target)
    grads, dhs = rnn_core.gru_backward(params, xs, hs, dy)
    _, ref_grads, ref_dh0 = autodiff_loss_and_grads(params, xs, target, h0)
    assert dhs.shape == hs.shape == (7, 5, 6)
    assert rnn_core.relative_error(dhs[:, 0, :].T, ref_dh0) < 1e-8
    np.testing.assert_allclose(dhs[:, 4], dy @ params["Why"], rtol=1e-14)     # Eq. (3.3)
    _, same = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    for name in NAMES:
        np.testing.assert_allclose(grads[name], same[name], rtol=1e-12, atol=1e-15)


def test_total_derivative_of_a_middle_state_matches_finite_differences():
    params, xs, target, h0 = make_problem(1, 6, 2, 4, 3)
    xs, target, h0 = xs[0], target[0], h0[:, 0]
    y, hs = rnn_core.gru_forward(params, xs, h0)
    _, dhs = rnn_core.gru_backward(params, xs, hs, rnn_core.mse_loss(y, target)[1])
    t = 2

    def loss_from_h_t(h_t):    # restart the GRU at step t from a given h_t
        return rnn_core.mse_loss(rnn_core.gru_forward(params, xs[t:], h_t)[0], target)[0]

    numeric = rnn_core.numerical_gradient(loss_from_h_t, hs[t])
    assert rnn_core.relative_error(dhs[t], numeric) < 1e-7


def test_single_sequence_forms_agree_with_a_batch_of_one():
    params, xs, target, h0 = make_problem(1, 4, 1, 5, 3)
    batch = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    for seq in (xs[0], xs[0, :, 0]):         # (T, D) and (T,) when D = 1
        for init in (h0, h0[:, 0]):          # (H, 1) and (H,)
            loss, grads = rnn_core.gru_loss_and_grads(params, seq, target[0], init)
            assert loss == pytest.approx(batch[0], rel=1e-14)
            for name in NAMES:
                np.testing.assert_allclose(grads[name], batch[1][name], rtol=1e-13)


def test_shared_h0_equals_one_column_per_sequence_and_default_h0_is_zero():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3)
    shared = h0[:, :1]
    a = rnn_core.gru_loss_and_grads(params, xs, target, shared)
    b = rnn_core.gru_loss_and_grads(params, xs, target, np.repeat(shared, 3, axis=1))
    assert a[0] == pytest.approx(b[0], rel=1e-15)
    for name in NAMES:
        np.testing.assert_allclose(a[1][name], b[1][name], rtol=1e-13, atol=1e-16)
    y, hs = rnn_core.gru_forward(params, xs)
    np.testing.assert_array_equal(hs[:, 0], 0.0)
    np.testing.assert_array_equal(y, rnn_core.gru_forward(params, xs, np.zeros(5))[0])


# --------------------------------------------------------------------------------------
# Forward pass: the equations, and two special cases
# --------------------------------------------------------------------------------------

def test_forward_follows_the_gru_equations_step_by_step():
    params, xs, _, h0 = make_problem(2, 4, 3, 5, 3)
    y, hs = rnn_core.gru_forward(params, xs, h0)
    p = params
    assert y.shape == (2, 3) and hs.shape == (2, 5, 5)
    for b in range(2):
        h = h0[:, b:b + 1]
        np.testing.assert_array_equal(hs[b, 0], h[:, 0])        # hs[t] is h_t; hs[0] is h0
        for t in range(4):
            x = xs[b, t][:, None]
            r = sigmoid(p["Wxr"] @ x + p["Whr"] @ h + p["br"])
            z = sigmoid(p["Wxz"] @ x + p["Whz"] @ h + p["bz"])
            n = np.tanh(p["Wxn"] @ x + p["bxn"] + r * (p["Whn"] @ h + p["bhn"]))
            h = (1 - z) * n + z * h
            np.testing.assert_allclose(hs[b, t + 1], h[:, 0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(y[b], (p["Why"] @ h + p["by"])[:, 0], rtol=1e-13)


def test_an_update_gate_shut_at_one_keeps_the_state_and_the_gradient():
    # z_t = 1 at every step (b_z = 800: sigma is 1 in float64): h_t = h_{t-1}, so h_T = h_0,
    # and the Jacobian dh_t/dh_{t-1} is the identity: dL/dh_0 = dL/dh_T (the additive path).
    params, xs, target, h0 = make_problem(3, 6, 2, 4, 3)
    params["bz"] = np.full((4, 1), 800.0)
    y, hs = rnn_core.gru_forward(params, xs, h0)
    np.testing.assert_array_equal(hs[:, -1], h0.T)
    _, dy = rnn_core.mse_loss(y, target)
    grads, dhs = rnn_core.gru_backward(params, xs, hs, dy)
    np.testing.assert_allclose(dhs[:, 0], dhs[:, -1], rtol=1e-15)
    for name in ("Wxz", "Whz", "bz", "Wxr", "Whr", "br", "Wxn", "Whn", "bxn", "bhn"):
        np.testing.assert_array_equal(grads[name], 0.0)          # nothing inside is used


def test_with_z_zero_and_r_one_the_gru_is_the_simple_rnn():
    # z_t = 0, r_t = 1: h_t = tanh(W_xn x_t + W_hn h_{t-1} + b_xn + b_hn), Eqs. (1.1)-(1.2).
    params, xs, target, h0 = make_problem(3, 5, 2, 4, 3)
    params["bz"] = np.full((4, 1), -800.0)
    params["br"] = np.full((4, 1), 800.0)
    rnn = {"Wxh": params["Wxn"], "Whh": params["Whn"], "Why": params["Why"],
           "bh": params["bxn"] + params["bhn"], "by": params["by"]}
    y, hs = rnn_core.gru_forward(params, xs, h0)
    y_rnn, hs_rnn = rnn_core.forward(rnn, xs, h0)
    np.testing.assert_allclose(hs, hs_rnn, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(y, y_rnn, rtol=1e-13, atol=1e-15)
    _, grads = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    _, rnn_grads = rnn_core.loss_and_grads(rnn, xs, target, h0)
    for gru_name, rnn_name in [("Wxn", "Wxh"), ("Whn", "Whh"), ("Why", "Why"), ("bxn", "bh"),
                               ("bhn", "bh"), ("by", "by")]:
        np.testing.assert_allclose(grads[gru_name], rnn_grads[rnn_name], rtol=1e-12,
                                   atol=1e-15)


def test_init_params_shapes_dtype_and_seed():
    params = rnn_core.gru_init_params(2, 5, 3, seed=7)
    D, H, O = 2, 5, 3
    expected = {"Wxz": (H, D), "Whz": (H, H), "bz": (H, 1), "Wxr": (H, D), "Whr": (H, H),
                "br": (H, 1), "Wxn": (H, D), "Whn": (H, H), "bxn": (H, 1), "bhn": (H, 1),
                "Why": (O, H), "by": (O, 1)}
    assert {k: v.shape for k, v in params.items()} == expected
    assert list(params) == list(NAMES)
    assert all(v.dtype == np.float64 for v in params.values())
    again = rnn_core.gru_init_params(2, 5, 3, seed=7)
    other = rnn_core.gru_init_params(2, 5, 3, seed=8)
    for name in NAMES:
        np.testing.assert_array_equal(params[name], again[name])
    assert not np.array_equal(params["Whz"], other["Whz"])
    for name in ("bz", "br", "bxn", "bhn", "by"):
        np.testing.assert_array_equal(params[name], 0.0)
    big = rnn_core.gru_init_params(4, 60, 5, scale=0.3, seed=0)
    weights = np.concatenate([big[n].ravel() for n in NAMES if n[0] == "W"])
    assert np.std(weights) == pytest.approx(0.3, rel=0.05)
    # Different weights get different draws (not one array repeated).
    assert not np.array_equal(big["Whz"], big["Whr"])


def test_simple_rnn_params_are_unchanged_by_the_shared_init():
    # init_params and gru_init_params share one drawing function: the simple RNN's draws are
    # still those of rng.standard_normal for Wxh, Whh, Why in this order.
    rng = np.random.default_rng(3)
    expected = [rng.standard_normal(shape) * 0.2 for shape in [(4, 2), (4, 4), (3, 4)]]
    params = rnn_core.init_params(2, 4, 3, scale=0.2, seed=3)
    for name, value in zip(("Wxh", "Whh", "Why"), expected):
        np.testing.assert_array_equal(params[name], value)


# --------------------------------------------------------------------------------------
# Training with train(cell="gru")
# --------------------------------------------------------------------------------------

def test_train_equals_repeated_sgd_steps():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3, scale=0.3)
    result = rnn_core.train(xs, target, hidden_size=5, learning_rate=0.05, epochs=3,
                            params=params, h0=h0[:, :1], cell="gru")
    expected = {k: v.copy() for k, v in params.items()}
    for epoch in range(3):
        loss, grads = rnn_core.gru_loss_and_grads(expected, xs, target, h0[:, :1])
        assert result.losses[epoch] == pytest.approx(loss, rel=1e-12)
        expected = {k: expected[k] - 0.05 * grads[k] for k in NAMES}
    assert list(result.params) == list(NAMES)
    for name in NAMES:
        np.testing.assert_allclose(result.params[name], expected[name], rtol=1e-12)


def test_train_draws_the_weights_of_gru_init_params():
    _, xs, target, _ = make_problem(5, 4, 2, 3, 3)
    result = rnn_core.train(xs, target, hidden_size=6, learning_rate=0.05, epochs=1, seed=1,
                            init_scale=0.2, cell="gru")          # full batch: one SGD step
    start = rnn_core.gru_init_params(2, 6, 3, scale=0.2, seed=1)
    loss, grads = rnn_core.gru_loss_and_grads(start, xs, target)
    assert result.losses == [pytest.approx(loss, rel=1e-12)]
    for name in NAMES:
        np.testing.assert_allclose(result.params[name], start[name] - 0.05 * grads[name],
                                   rtol=1e-12, atol=1e-15)


def test_train_is_deterministic_for_a_seed_and_scores_the_validation_set():
    _, xs, target, _ = make_problem(10, 4, 1, 3, 2)
    kwargs = dict(hidden_size=6, learning_rate=0.05, epochs=5, batch_size=3, cell="gru",
                  init_scale=0.3, val_xs=xs[:4], val_target=target[:4])
    a = rnn_core.train(xs, target, seed=1, **kwargs)
    b = rnn_core.train(xs, target, seed=1, **kwargs)
    c = rnn_core.train(xs, target, seed=2, **kwargs)
    assert a.losses == b.losses and a.losses != c.losses
    assert len(a.val_losses) == 5
    y, _ = rnn_core.gru_forward(a.params, xs[:4])
    assert a.val_losses[-1] == pytest.approx(np.mean((y - target[:4]) ** 2), rel=1e-12)


def test_train_gru_learns_to_remember_the_first_input():
    # Read 8 numbers, output the first: a GRU of 8 units learns it (lesson 12's task).
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, (64, 8, 1))
    result = rnn_core.train(xs, xs[:, 0], hidden_size=8, learning_rate=0.3, epochs=150,
                            batch_size=16, init_scale=0.6, clip_norm=1.0, cell="gru")
    assert not result.diverged
    assert result.losses[-1] < 0.25 / 3      # always answering 0 scores 1/3, the variance


def test_truncated_bptt_is_bptt_of_the_last_steps_from_a_fixed_state():
    params, xs, target, h0 = make_problem(3, 6, 2, 4, 3)
    X, _ = rnn_core._check_xs(xs, params)                 # (T, B, D), as _gru_forward takes it
    y, cache = rnn_core._gru_forward(params, X, h0.T)
    _, dy = rnn_core.mse_loss(y, target)

    def bptt(steps):
        grads, dhs = rnn_core._gru_bptt(params, cache, dy, steps, want_dhs=True)
        return grads, dhs.transpose(1, 0, 2)              # (B, T+1, H), like hs

    hs = cache["hs"].transpose(1, 0, 2)
    grads, dhs = bptt(2)
    # The same as full BPTT over the last 2 inputs, starting from h_4 as a given h0.
    _, tail_grads = rnn_core.gru_loss_and_grads(params, xs[:, 4:], target, hs[:, 4].T)
    for name in NAMES:
        np.testing.assert_allclose(grads[name], tail_grads[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(dhs[:, :4], 0.0)
    assert np.all(np.abs(dhs[:, 4:]).sum(axis=(0, 2)) > 0)
    full, _ = bptt(None)
    same, _ = bptt(6)
    for name in NAMES:
        np.testing.assert_array_equal(same[name], full[name])
    # train(bptt_steps=k, cell="gru") takes the truncated step.
    result = rnn_core.train(xs, target, hidden_size=4, learning_rate=0.1, epochs=1,
                            params=params, h0=h0[:, :1], bptt_steps=2, cell="gru")
    _, cache = rnn_core._gru_forward(params, X, h0[:, :1].T)
    expected, _ = rnn_core._gru_bptt(params, cache, rnn_core.mse_loss(
        rnn_core.gru_forward(params, xs, h0[:, :1])[0], target)[1], 2)
    for name in NAMES:
        np.testing.assert_allclose(result.params[name], params[name] - 0.1 * expected[name],
                                   rtol=1e-12, atol=1e-15)


def test_public_functions_never_write_into_their_arguments():
    params, xs, target, h0 = make_problem(3, 4, 2, 5, 3)
    frozen = [{k: v.copy() for k, v in params.items()}] + [np.array(a) for a in (xs, target, h0)]
    for item in frozen:
        for array in item.values() if isinstance(item, dict) else [item]:
            array.setflags(write=False)
    f_params, f_xs, f_target, f_h0 = frozen
    y, hs = rnn_core.gru_forward(f_params, f_xs, f_h0)
    hs.setflags(write=False)
    _, dy = rnn_core.mse_loss(y, f_target)
    dy.setflags(write=False)
    rnn_core.gru_backward(f_params, f_xs, hs, dy)
    rnn_core.gru_loss_and_grads(f_params, f_xs, f_target, f_h0)
    rnn_core.train(f_xs, f_target, hidden_size=5, learning_rate=0.1, epochs=2, params=f_params,
                   batch_size=2, val_xs=f_xs, val_target=f_target, cell="gru")
    for name in NAMES:
        np.testing.assert_array_equal(f_params[name], params[name])
    for before, after in zip((xs, target, h0), (f_xs, f_target, f_h0)):
        np.testing.assert_array_equal(after, before)


# --------------------------------------------------------------------------------------
# The same numbers as torch.nn.GRU (skipped where PyTorch is not installed)
# --------------------------------------------------------------------------------------

def test_gru_matches_torch():
    torch = pytest.importorskip("torch")
    params, xs, target, h0 = make_problem(7, 4, 2, 6, 3)
    H = 6
    gru = torch.nn.GRU(2, H, batch_first=True, dtype=torch.float64)
    readout = torch.nn.Linear(H, 3, dtype=torch.float64)
    # PyTorch stacks the gates in the order r, z, n: weight_ih (3H, D), weight_hh (3H, H),
    # and has an input and a hidden bias for each; ours are b_r, b_z (their sums) and b_xn, b_hn.
    zeros = np.zeros((H, 1))
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(np.vstack(
            [params["Wxr"], params["Wxz"], params["Wxn"]])))
        gru.weight_hh_l0.copy_(torch.from_numpy(np.vstack(
            [params["Whr"], params["Whz"], params["Whn"]])))
        gru.bias_ih_l0.copy_(torch.from_numpy(np.vstack(
            [params["br"], params["bz"], params["bxn"]])[:, 0]))
        gru.bias_hh_l0.copy_(torch.from_numpy(np.vstack([zeros, zeros, params["bhn"]])[:, 0]))
        readout.weight.copy_(torch.from_numpy(params["Why"]))
        readout.bias.copy_(torch.from_numpy(params["by"][:, 0]))
    out, h_last = gru(torch.from_numpy(xs), torch.from_numpy(h0.T.copy())[None])
    y = readout(h_last[0])
    loss = torch.mean((y - torch.from_numpy(target)) ** 2)
    loss.backward()

    our_y, our_hs = rnn_core.gru_forward(params, xs, h0)
    np.testing.assert_allclose(our_hs[:, 1:], out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(our_y, y.detach().numpy(), rtol=1e-12, atol=1e-14)
    our_loss, grads = rnn_core.gru_loss_and_grads(params, xs, target, h0)
    assert our_loss == pytest.approx(loss.item(), rel=1e-12)
    ih, hh = gru.weight_ih_l0.grad.numpy(), gru.weight_hh_l0.grad.numpy()
    b_ih, b_hh = gru.bias_ih_l0.grad.numpy()[:, None], gru.bias_hh_l0.grad.numpy()[:, None]
    expected = {"Wxr": ih[:H], "Wxz": ih[H:2 * H], "Wxn": ih[2 * H:],
                "Whr": hh[:H], "Whz": hh[H:2 * H], "Whn": hh[2 * H:],
                "br": b_ih[:H], "bz": b_ih[H:2 * H], "bxn": b_ih[2 * H:], "bhn": b_hh[2 * H:],
                "Why": readout.weight.grad.numpy(), "by": readout.bias.grad.numpy()[:, None]}
    for name in NAMES:
        assert rnn_core.relative_error(grads[name], expected[name]) < 1e-10, name
