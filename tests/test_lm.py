"""Tests of the language-model part of rnn_core: lm_loss_and_grads, sample, adagrad_step.

The gradient is compared in float64 with centered differences and with an independent
implementation written the way min-char-rnn writes it: one-hot input vectors, a Python loop
over the steps for the forward pass, the softmax and the backward pass. The shapes are
pairwise distinct (B != T != V != H), O = V > 1, h0 is nonzero and B > 1, so a transpose or a
sum over the wrong axis cannot pass.
"""

import numpy as np
import pytest

import rnn_core
from rnn_core import (PARAM_NAMES, adagrad_step, init_params, lm_loss_and_grads,
                      numerical_gradient, relative_error, sample)

# (B, T, V, H): batch, time steps, vocabulary size (= D = O) and hidden size.
SHAPES = [(1, 4, 3, 5), (2, 3, 5, 4), (3, 6, 4, 7), (5, 7, 6, 3), (4, 9, 2, 6)]


def make_problem(B, T, V, H, seed=0, scale=0.5):
    """Random params (O = V), ids inputs/targets (B, T), a nonzero h0 (H, B)."""
    rng = np.random.default_rng(seed)
    params = init_params(V, H, V, scale=scale, seed=rng)
    params["bh"] = rng.standard_normal((H, 1)) * scale
    params["by"] = rng.standard_normal((V, 1)) * scale
    inputs = rng.integers(0, V, size=(B, T))
    targets = rng.integers(0, V, size=(B, T))
    h0 = np.tanh(rng.standard_normal((H, B)))
    return params, inputs, targets, h0


def one_hot_reference(params, inputs, targets, h0):
    """min-char-rnn's loop, one sequence (column) at a time: one-hot x_t, explicit softmax.

    inputs, targets: (B, T) ids; h0: (H, B). Returns (mean loss, grads, h_T (H, B)).
    """
    Wxh, Whh, Why, bh, by = (params[name] for name in PARAM_NAMES)
    H, V = Wxh.shape
    B, T = inputs.shape
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    total, h_last = 0.0, np.zeros((H, B))
    for b in range(B):
        xs, hs, ps = {}, {0: h0[:, b:b + 1]}, {}
        for t in range(1, T + 1):
            xs[t] = np.zeros((V, 1))
            xs[t][inputs[b, t - 1]] = 1.0
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            ys = Why @ hs[t] + by
            ps[t] = np.exp(ys) / np.sum(np.exp(ys))
            total += -np.log(ps[t][targets[b, t - 1], 0])
        h_last[:, b] = hs[T][:, 0]
        dh_next = np.zeros((H, 1))
        for t in range(T, 0, -1):
            dy = ps[t].copy()
            dy[targets[b, t - 1]] -= 1.0
            grads["Why"] += dy @ hs[t].T
            grads["by"] += dy
            dh = Why.T @ dy + dh_next
            dh_raw = (1.0 - hs[t] ** 2) * dh
            grads["bh"] += dh_raw
            grads["Wxh"] += dh_raw @ xs[t].T
            grads["Whh"] += dh_raw @ hs[t - 1].T
            dh_next = Whh.T @ dh_raw
    n = B * T
    return total / n, {name: g / n for name, g in grads.items()}, h_last


@pytest.mark.parametrize("B, T, V, H", SHAPES)
def test_matches_the_one_hot_loop(B, T, V, H):
    params, inputs, targets, h0 = make_problem(B, T, V, H, seed=B + T)
    loss, grads, h_last = lm_loss_and_grads(params, inputs, targets, h0)
    ref_loss, ref_grads, ref_h_last = one_hot_reference(params, inputs, targets, h0)
    assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss)
    for name in PARAM_NAMES:
        assert grads[name].shape == params[name].shape
        assert relative_error(grads[name], ref_grads[name]) < 1e-8, name
    np.testing.assert_allclose(h_last, ref_h_last, rtol=1e-12, atol=1e-14)


def five_point_gradient(f, x, eps=1e-3):
    """Centered differences of 4th order, (-f(x+2e) + 8 f(x+e) - 8 f(x-e) + f(x-2e)) / (12 e):
    error O(eps^4), so that a relative error of 1e-8 is reachable on small entries too (the
    2-point rnn_core.numerical_gradient, error O(eps^2), is also checked, at 1e-6)."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        values = []
        for step in (2, 1, -1, -2):
            nudged = x.copy()
            nudged[i] += step * eps
            values.append(f(nudged))
        grad[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad


@pytest.mark.parametrize("B, T, V, H", SHAPES)
def test_matches_centered_differences(B, T, V, H):
    params, inputs, targets, h0 = make_problem(B, T, V, H, seed=10 + B)
    _, grads, _ = lm_loss_and_grads(params, inputs, targets, h0)
    for name in PARAM_NAMES:
        def loss_at(value, name=name):
            return lm_loss_and_grads(dict(params, **{name: value}), inputs, targets, h0)[0]
        assert relative_error(grads[name], five_point_gradient(loss_at, params[name])) < 1e-8, name
        assert relative_error(grads[name], numerical_gradient(loss_at, params[name])) < 1e-6, name


def test_one_sequence_equals_a_batch_of_one():
    params, inputs, targets, h0 = make_problem(1, 6, 4, 5, seed=3)
    loss, grads, h_last = lm_loss_and_grads(params, inputs[0], targets[0], h0[:, :1])
    loss_b, grads_b, h_last_b = lm_loss_and_grads(params, inputs, targets, h0)
    assert h_last.shape == (5, 1) and loss == pytest.approx(loss_b, rel=1e-14)
    np.testing.assert_allclose(h_last, h_last_b, rtol=1e-14)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], grads_b[name], rtol=1e-12, atol=1e-15)


def test_h_last_is_the_last_state_of_forward_style_unrolling():
    B, T, V, H = 3, 7, 5, 4
    params, inputs, targets, h0 = make_problem(B, T, V, H, seed=4)
    # rnn_core.forward on the one-hot inputs (B, T, V) unrolls the same recurrence.
    one_hot = np.eye(V)[inputs]
    _, hs = rnn_core.forward(params, one_hot, h0)
    _, _, h_last = lm_loss_and_grads(params, inputs, targets, h0)
    assert h_last.shape == (H, B)
    np.testing.assert_allclose(h_last, hs[:, T, :].T, rtol=1e-13, atol=1e-15)


def test_carrying_h_last_equals_one_long_sequence():
    """Two chunks with the state carried give the same loss as the whole sequence
    (truncated BPTT changes the gradient, not the forward pass)."""
    params, inputs, targets, h0 = make_problem(2, 8, 3, 4, seed=5)
    whole, _, h_whole = lm_loss_and_grads(params, inputs, targets, h0)
    first, _, h_mid = lm_loss_and_grads(params, inputs[:, :5], targets[:, :5], h0)
    second, _, h_end = lm_loss_and_grads(params, inputs[:, 5:], targets[:, 5:], h_mid)
    assert (5 * first + 3 * second) / 8 == pytest.approx(whole, rel=1e-13)
    np.testing.assert_allclose(h_end, h_whole, rtol=1e-13)


def test_h0_none_and_shared_column():
    params, inputs, targets, _ = make_problem(3, 4, 5, 6, seed=6)
    zeros = lm_loss_and_grads(params, inputs, targets, np.zeros((6, 3)))[0]
    assert lm_loss_and_grads(params, inputs, targets)[0] == pytest.approx(zeros, rel=1e-15)
    column = np.linspace(-0.5, 0.5, 6)[:, None]
    shared = lm_loss_and_grads(params, inputs, targets, column)[0]
    tiled = lm_loss_and_grads(params, inputs, targets, np.tile(column, (1, 3)))[0]
    assert shared == pytest.approx(tiled, rel=1e-15)


def test_loss_is_finite_for_huge_logits_and_matches_log_softmax():
    params, inputs, targets, h0 = make_problem(2, 3, 4, 5, seed=7)
    params["by"] = np.array([[800.0], [0.0], [-800.0], [400.0]])     # exp(800) overflows
    loss, grads, _ = lm_loss_and_grads(params, inputs, targets, h0)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert loss >= 0.0
    # With logits dominated by b_y, the loss is close to -log softmax(b_y)[target] averaged.
    by = params["by"][:, 0]
    log_softmax = by - (by.max() + np.log(np.sum(np.exp(by - by.max()))))
    expected = -np.mean(log_softmax[targets])
    assert loss == pytest.approx(expected, rel=1e-2)


def test_uniform_model_has_loss_log_v():
    V, H = 7, 3
    params = {name: np.zeros_like(v) for name, v in init_params(V, H, V, seed=0).items()}
    loss, _, _ = lm_loss_and_grads(params, np.arange(6) % V, (np.arange(6) + 1) % V)
    assert loss == pytest.approx(np.log(V), rel=1e-14)


def test_does_not_modify_its_arguments():
    params, inputs, targets, h0 = make_problem(2, 5, 4, 3, seed=8)
    before = ({k: v.copy() for k, v in params.items()}, inputs.copy(), targets.copy(), h0.copy())
    lm_loss_and_grads(params, inputs, targets, h0)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(params[name], before[0][name])
    for a, b in zip((inputs, targets, h0), before[1:]):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------
# sample
# --------------------------------------------------------------------------------------

def sample_problem():
    params, _, _, _ = make_problem(1, 1, 6, 8, seed=9, scale=1.0)
    return params


def test_sample_is_deterministic_per_seed_and_valid():
    params = sample_problem()
    first = sample(params, 2, 50, seed=1)
    assert first.shape == (50,) and np.issubdtype(first.dtype, np.integer)
    assert first.min() >= 0 and first.max() < 6
    np.testing.assert_array_equal(sample(params, 2, 50, seed=1), first)
    assert not np.array_equal(sample(params, 2, 50, seed=2), first)
    np.testing.assert_array_equal(
        sample(params, 2, 50, seed=np.random.default_rng(1)), first)


def greedy(params, first_id, length, h0=None):
    """The most likely id at every step, fed back in (the limit temperature -> 0)."""
    H = params["Whh"].shape[0]
    h = np.zeros((H, 1)) if h0 is None else h0
    token, ids = first_id, []
    for _ in range(length):
        x = np.zeros((params["Wxh"].shape[1], 1))
        x[token] = 1.0
        h = np.tanh(params["Wxh"] @ x + params["Whh"] @ h + params["bh"])
        token = int(np.argmax(params["Why"] @ h + params["by"]))
        ids.append(token)
    return np.array(ids)


def test_sample_at_low_temperature_is_the_argmax():
    params = sample_problem()
    h0 = np.tanh(np.arange(8.0)[:, None] - 4.0)
    expected = greedy(params, 3, 40, h0)
    for seed in range(5):
        np.testing.assert_array_equal(
            sample(params, 3, 40, h0=h0, temperature=1e-4, seed=seed), expected)
    # Even a temperature so small that y / temperature overflows stays finite and greedy.
    np.testing.assert_array_equal(sample(params, 3, 40, h0=h0, temperature=1e-300), expected)


def test_sample_frequencies_follow_the_temperature_softmax():
    """The first drawn id is distributed as softmax(y_1 / temperature)."""
    params = sample_problem()
    h1 = np.tanh(params["Wxh"][:, [4]] + params["bh"])
    y = (params["Why"] @ h1 + params["by"])[:, 0]
    rng = np.random.default_rng(0)
    for temperature in (0.5, 2.0):
        p = np.exp(y / temperature) / np.sum(np.exp(y / temperature))
        draws = np.array([sample(params, 4, 1, temperature=temperature, seed=rng)[0]
                          for _ in range(4000)])
        frequencies = np.bincount(draws, minlength=6) / draws.size
        assert np.max(np.abs(frequencies - p)) < 4 * np.sqrt(0.25 / draws.size)


# --------------------------------------------------------------------------------------
# adagrad_step
# --------------------------------------------------------------------------------------

def test_adagrad_step_follows_its_formula_and_accumulates():
    params, inputs, targets, h0 = make_problem(2, 4, 3, 5, seed=11)
    _, grads, _ = lm_loss_and_grads(params, inputs, targets, h0)
    before = {k: v.copy() for k, v in params.items()}
    new, memory = adagrad_step(params, grads, learning_rate=0.3)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(params[name], before[name])      # not modified
        np.testing.assert_allclose(memory[name], grads[name] ** 2, rtol=1e-15)
        np.testing.assert_allclose(
            new[name], params[name] - 0.3 * grads[name] / np.sqrt(grads[name] ** 2 + 1e-8),
            rtol=1e-14)
    newer, memory2 = adagrad_step(new, grads, memory, learning_rate=0.3, eps=1e-6)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(memory2[name], 2 * grads[name] ** 2, rtol=1e-15)
        np.testing.assert_allclose(
            newer[name], new[name] - 0.3 * grads[name] / np.sqrt(2 * grads[name] ** 2 + 1e-6),
            rtol=1e-14)


def test_adagrad_lowers_the_loss():
    params, inputs, targets, h0 = make_problem(3, 10, 4, 6, seed=12)
    start = lm_loss_and_grads(params, inputs, targets, h0)[0]
    memory = None
    for _ in range(30):
        _, grads, _ = lm_loss_and_grads(params, inputs, targets, h0)
        params, memory = adagrad_step(params, grads, memory, learning_rate=0.05)
    assert lm_loss_and_grads(params, inputs, targets, h0)[0] < 0.7 * start


# --------------------------------------------------------------------------------------
# Bad input: one row per case, the exception type and a word the message must contain
# --------------------------------------------------------------------------------------

P, INPUTS, TARGETS, H0 = make_problem(2, 3, 4, 5, seed=13)     # V = O = 4, H = 5, B = 2

LM_BAD = [
    ("inputs float", dict(inputs=INPUTS.astype(float)), TypeError, "inputs.*integer.*1.0"),
    ("inputs strings", dict(inputs=np.array([["a", "b", "c"]] * 2)), TypeError, "inputs"),
    ("inputs bool", dict(inputs=INPUTS > 1), TypeError, "inputs"),
    ("inputs negative", dict(inputs=INPUTS - 5), ValueError, r"inputs.*-\d.*\[0, 4\)"),
    ("inputs too large", dict(inputs=INPUTS + 4), ValueError, r"inputs.*\[0, 4\).*vocabulary"),
    ("inputs 3-D", dict(inputs=INPUTS[None], targets=TARGETS[None]), ValueError,
     r"inputs.*\(B, T\)"),
    ("inputs empty", dict(inputs=INPUTS[:, :0], targets=TARGETS[:, :0]), ValueError,
     "inputs.*empty"),
    ("inputs ragged", dict(inputs=[[0, 1], [2]]), TypeError, "inputs"),
    ("targets shape", dict(targets=TARGETS[:, :2]), ValueError, r"targets.*\(2, 2\).*inputs"),
    ("targets float", dict(targets=TARGETS + 0.5), TypeError, "targets.*integer"),
    ("targets too large", dict(targets=TARGETS + 4), ValueError, r"targets.*\[0, 4\).*output size"),
    ("targets negative", dict(targets=-1 - TARGETS), ValueError, "targets"),
    ("h0 shape", dict(h0=np.zeros((5, 3))), ValueError, r"h0.*\(5, 3\)"),
    ("h0 NaN", dict(h0=np.full((5, 2), np.nan)), ValueError, "h0.*NaN"),
    ("params not a dict", dict(params=[1, 2]), TypeError, "params"),
    ("params Wxh shape", dict(params=dict(P, Wxh=np.zeros((4, 4)))), ValueError, "Wxh"),
    ("params overflow", dict(params=dict(P, bh=np.full((5, 1), 1e3), Why=np.full((4, 5), 1e308))),
     ValueError, "lm_loss_and_grads.*overflowed.*Why"),
]


@pytest.mark.parametrize("case, change, error, pattern", LM_BAD, ids=[row[0] for row in LM_BAD])
def test_lm_loss_and_grads_rejects_bad_input(case, change, error, pattern):
    arguments = dict(params=P, inputs=INPUTS, targets=TARGETS, h0=H0)
    arguments.update(change)
    with pytest.raises(error, match=pattern):
        lm_loss_and_grads(**arguments)


P_RECT = dict(P, Why=np.zeros((3, 5)), by=np.zeros((3, 1)))    # O = 3 != V = 4

SAMPLE_BAD = [
    ("first_id float", dict(first_id=1.0), TypeError, "first_id.*integer"),
    ("first_id bool", dict(first_id=True), TypeError, "first_id"),
    ("first_id negative", dict(first_id=-1), ValueError, r"first_id.*\[0, 4\)"),
    ("first_id too large", dict(first_id=4), ValueError, r"first_id.*\[0, 4\)"),
    ("length 0", dict(length=0), ValueError, "length.*positive integer"),
    ("length float", dict(length=5.0), ValueError, "length.*positive integer"),
    ("temperature 0", dict(temperature=0.0), ValueError, "temperature.*positive finite"),
    ("temperature negative", dict(temperature=-1.0), ValueError, "temperature"),
    ("temperature inf", dict(temperature=np.inf), ValueError, "temperature"),
    ("temperature nan", dict(temperature=np.nan), ValueError, "temperature"),
    ("temperature string", dict(temperature="1"), ValueError, "temperature"),
    ("h0 batch", dict(h0=np.zeros((5, 2))), ValueError, "h0"),
    ("seed", dict(seed="x"), TypeError, "seed"),
    ("O != V", dict(params=P_RECT), ValueError, "O must equal V"),
    ("length 10**12", dict(length=10**12), ValueError, "length must be at most 1,000,000"),
    ("params NaN", dict(params=dict(P, Whh=np.full((5, 5), np.nan))), ValueError, "Whh.*NaN"),
    ("logits overflow", dict(params=dict(P, bh=np.full((5, 1), 1e3), Why=np.full((4, 5), 1e308))),
     ValueError, "sample.*logit y_1 overflowed.*Why"),
]


@pytest.mark.parametrize("case, change, error, pattern", SAMPLE_BAD,
                         ids=[row[0] for row in SAMPLE_BAD])
def test_sample_rejects_bad_input(case, change, error, pattern):
    arguments = dict(params=P, first_id=1, length=5)
    arguments.update(change)
    with pytest.raises(error, match=pattern):
        sample(**arguments)


GRADS = {name: np.ones_like(value) for name, value in P.items()}

ADAGRAD_BAD = [
    ("grads not a dict", dict(grads=3.0), TypeError, "grads"),
    ("grads missing", dict(grads={"Wxh": GRADS["Wxh"]}), ValueError, "grads.*missing.*Whh"),
    ("grads shape", dict(grads=dict(GRADS, bh=np.ones(5))), ValueError, r"grads\['bh'\].*\(5,\)"),
    ("memory shape", dict(memory=dict(GRADS, Why=np.ones((5, 4)))), ValueError, "memory.*Why"),
    ("learning_rate", dict(learning_rate=0.0), ValueError, "learning_rate"),
    ("eps", dict(eps=-1.0), ValueError, "eps"),
    ("grads NaN", dict(grads=dict(GRADS, Whh=np.full((5, 5), np.nan))), ValueError,
     r"grads\['Whh'\].*NaN"),
    ("grads inf", dict(grads=dict(GRADS, by=np.full((4, 1), np.inf))), ValueError,
     r"grads\['by'\].*inf"),
    ("grads 1e200", dict(grads=dict(GRADS, Wxh=np.full((5, 4), 1e200))), ValueError,
     r"memory.*Wxh overflowed.*1e\+200.*clip"),
    ("memory NaN", dict(memory=dict(GRADS, bh=np.full((5, 1), np.nan))), ValueError,
     r"memory\['bh'\].*NaN"),
    ("memory negative", dict(memory=dict(GRADS, bh=-np.ones((5, 1)))), ValueError,
     r"memory\['bh'\].*negative"),
    ("memory not a dict", dict(memory=[1.0]), TypeError, "memory"),
    ("params NaN", dict(params=dict(P, by=np.full((4, 1), np.nan))), ValueError, "by.*NaN"),
]


@pytest.mark.parametrize("case, change, error, pattern", ADAGRAD_BAD,
                         ids=[row[0] for row in ADAGRAD_BAD])
def test_adagrad_step_rejects_bad_input(case, change, error, pattern):
    arguments = dict(params=P, grads=GRADS)
    arguments.update(change)
    with pytest.raises(error, match=pattern):
        adagrad_step(**arguments)


def test_every_language_model_function_has_bad_input_rows():
    """The language-model functions of rnn_core (the section after SimpleRNN) each have a
    table above; a public function added to that section must get one too."""
    import inspect
    source = inspect.getsource(rnn_core)
    start = source.index("# Language model: one output per step")
    end = source.index("# Checking arguments at the public boundary")
    public = {name for name, value in vars(rnn_core).items()
              if inspect.isfunction(value) and not name.startswith("_")
              and start < source.find(f"\ndef {name}(") < end}
    tables = {"lm_loss_and_grads": LM_BAD, "sample": SAMPLE_BAD, "adagrad_step": ADAGRAD_BAD}
    assert public == set(tables), public ^ set(tables)
    assert all(len(rows) >= 5 for rows in tables.values())


def test_sample_refuses_a_huge_length_before_allocating():
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="length"):
            sample(P, 1, 10**12)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_memory_grows_with_t_b_v_not_v_squared():
    """V = 20000, B = 4, T = 10: the gradient needs the (T*B, V) one-hot rows at most, never a
    (V, V) identity (3.2 GB); the whole call stays below 100 MB of allocations."""
    import tracemalloc
    B, T, V, H = 4, 10, 20000, 8
    rng = np.random.default_rng(14)
    params = init_params(V, H, V, scale=0.3, seed=rng)
    inputs, targets = rng.integers(0, V, size=(B, T)), rng.integers(0, V, size=(B, T))
    tracemalloc.start()
    try:
        _, grads, _ = lm_loss_and_grads(params, inputs, targets)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MiB"
    # Columns of dL/dW_xh: nonzero exactly for the ids that occur (Eq. (11.6)).
    assert set(np.flatnonzero(np.any(grads["Wxh"] != 0, axis=0))) == set(inputs.ravel())
