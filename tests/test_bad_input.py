"""Bad input to every public function and class of rnn_core and rnn_viz, and no silent garbage.

The first part is one table per module: one row per bad call, with the exception it must
raise and a word its message must contain (usually the name of the argument). Every row also
checks that the call left the caller's arrays unchanged.

The second part has one test per kind of silent failure: non-finite results, runaway
training, and the explorers' status line.
"""

import html
import inspect
import math
import re
import time
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

import rnn_core
import rnn_viz

NAMES = rnn_core.PARAM_NAMES

# D = 2, H = 4, O = 3, B = 2, T = 5: pairwise distinct, so no shape mix-up can pass.
RNG = np.random.default_rng(0)
P = rnn_core.init_params(2, 4, 3, scale=0.5, seed=RNG)
XS = RNG.standard_normal((2, 5, 2))
TARGET = RNG.standard_normal((2, 3))
Y, HS = rnn_core.forward(P, XS)
_, DY = rnn_core.mse_loss(Y, TARGET)
GRADS = rnn_core.loss_and_grads(P, XS, TARGET)[1]
HUGE = {name: value * 1e200 + 1e200 for name, value in P.items()}   # finite, but overflows
# h_t = 1 (bh saturates tanh), so y = W_hy h_T + b_y = 4e308: inf
HUGE_OUT = dict(P, bh=np.full((4, 1), 1e3), Why=np.full((3, 4), 1e308))
P1 = rnn_viz.gradient_flow_params(4, 0.9, seed=0)                    # D = O = 1, H = 4
XS1 = np.linspace(-1.0, 1.0, 6)                                      # one sequence (T,)
SHARED = [P, XS, TARGET, Y, HS, DY, GRADS, HUGE, HUGE_OUT, P1, XS1]


def with_param(params, name, value):
    return dict(params, **{name: value})


def simple_rnn(**weights):
    """A SimpleRNN (D 1, H 4, O 1) with some weights set by hand, as the seed allows."""
    rnn = rnn_core.SimpleRNN(1, 4, 1, seed=0)
    for name, value in weights.items():
        setattr(rnn, name, value)
    return rnn


def simple_rnn_after_forward(**changes):
    """A SimpleRNN after forward, with attributes changed before backward."""
    rnn = simple_rnn()
    rnn.forward(XS1, np.zeros((4, 1)))
    for name, value in changes.items():
        setattr(rnn, name, value)
    return rnn


def train(**kwargs):
    arguments = dict(xs=XS, target=TARGET, hidden_size=4, learning_rate=0.1, epochs=2)
    arguments.update(kwargs)
    return rnn_core.train(**arguments)


def ax():
    return Figure().subplots()


RECORD = {key: np.ones(4) for key in rnn_viz.RECORD_KEYS}    # notebook 09's per-step record


def nan_grads():
    return dict(GRADS, Whh=np.full((4, 4), np.nan))


# (id, call, exception type, a word the message must contain)
CORE_CASES = [
    ("init_params D str", lambda: rnn_core.init_params("1", 4, 3), ValueError, "input_size"),
    ("init_params H 0", lambda: rnn_core.init_params(2, 0, 3), ValueError, "hidden_size"),
    ("init_params O float", lambda: rnn_core.init_params(2, 4, 2.5), ValueError, "output_size"),
    ("init_params scale < 0", lambda: rnn_core.init_params(2, 4, 3, scale=-1.0), ValueError,
     "scale"),
    ("init_params scale NaN", lambda: rnn_core.init_params(2, 4, 3, scale=np.nan), ValueError,
     "scale"),
    ("init_params scale 1e308 (inf weights)", lambda: rnn_core.init_params(2, 4, 3, scale=1e308),
     ValueError, "scale"),
    ("init_params seed -1", lambda: rnn_core.init_params(2, 4, 3, seed=-1), ValueError, "seed"),
    ("init_params seed float", lambda: rnn_core.init_params(2, 4, 3, seed=1.5), TypeError, "seed"),
    ("init_params seed str", lambda: rnn_core.init_params(2, 4, 3, seed="0"), TypeError, "seed"),
    ("sizes list", lambda: rnn_core.sizes([1, 2]), TypeError, "params"),
    ("sizes missing key", lambda: rnn_core.sizes({"Wxh": P["Wxh"]}), ValueError, "params"),
    ("sizes NaN weight", lambda: rnn_core.sizes(with_param(P, "Whh", np.full((4, 4), np.nan))),
     ValueError, "Whh"),
    ("sizes complex weight", lambda: rnn_core.sizes(with_param(P, "Why", P["Why"] + 1j)),
     TypeError, "Why"),
    ("forward xs str", lambda: rnn_core.forward(P, "abc"), TypeError, "xs"),
    ("forward xs wrong D", lambda: rnn_core.forward(P, np.ones((5, 3))), ValueError, "xs"),
    ("forward xs 4-D", lambda: rnn_core.forward(P, np.ones((1, 2, 5, 2))), ValueError, "xs"),
    ("forward xs empty", lambda: rnn_core.forward(P, np.ones((0, 2))), ValueError, "xs"),
    ("forward xs ragged", lambda: rnn_core.forward(P, [[1, 2], [3]]), TypeError, "xs"),
    ("forward h0 wrong H", lambda: rnn_core.forward(P, XS, np.zeros(7)), ValueError, "h0"),
    ("forward huge params overflow", lambda: rnn_core.forward(HUGE_OUT, XS), ValueError,
     "overflow"),
    ("mse_loss empty", lambda: rnn_core.mse_loss([], []), ValueError, "empty"),
    ("mse_loss shapes", lambda: rnn_core.mse_loss([1.0, 2.0], [1.0]), ValueError, "target"),
    ("mse_loss str", lambda: rnn_core.mse_loss(["a"], [1.0]), TypeError, "y"),
    ("mse_loss NaN", lambda: rnn_core.mse_loss([np.nan], [1.0]), ValueError, "y"),
    ("mse_loss overflow", lambda: rnn_core.mse_loss([1e200], [0.0]), ValueError, "overflow"),
    ("backward hs wrong shape", lambda: rnn_core.backward(P, XS, HS[:, :-1], DY), ValueError,
     "hs"),
    ("backward dy wrong shape", lambda: rnn_core.backward(P, XS, HS, DY[:, :2]), ValueError,
     "dy"),
    ("backward dy NaN", lambda: rnn_core.backward(P, XS, HS, DY * np.nan), ValueError, "dy"),
    ("backward huge params overflow",
     lambda: rnn_core.backward(HUGE, XS, np.clip(HS, -1, 1), DY * 1e200), ValueError,
     "overflow"),
    ("loss_and_grads huge params", lambda: rnn_core.loss_and_grads(HUGE, XS, TARGET), ValueError,
     "overflow"),
    ("loss_and_grads target shape", lambda: rnn_core.loss_and_grads(P, XS, TARGET[:, :2]),
     ValueError, "target"),
    ("numerical_gradient f not callable", lambda: rnn_core.numerical_gradient(3, np.ones(2)),
     TypeError, "f"),
    ("numerical_gradient f returns array",
     lambda: rnn_core.numerical_gradient(lambda x: x * 2, np.ones(2)), TypeError, "f must"),
    ("numerical_gradient f returns None",
     lambda: rnn_core.numerical_gradient(lambda x: None, np.ones(2)), TypeError, "f must"),
    ("numerical_gradient f returns NaN",
     lambda: rnn_core.numerical_gradient(lambda x: math.nan, np.ones(2)), ValueError, "f "),
    ("numerical_gradient f returns str",
     lambda: rnn_core.numerical_gradient(lambda x: "1", np.ones(2)), TypeError, "f must"),
    ("numerical_gradient x complex",
     lambda: rnn_core.numerical_gradient(np.sum, np.ones(2) + 1j), TypeError, "x"),
    ("numerical_gradient x str", lambda: rnn_core.numerical_gradient(np.sum, "ab"), TypeError,
     "x"),
    ("numerical_gradient eps 0", lambda: rnn_core.numerical_gradient(np.sum, np.ones(2), 0.0),
     ValueError, "eps"),
    ("numerical_grads h0 wrong", lambda: rnn_core.numerical_grads(P, XS, TARGET, np.ones(3)),
     ValueError, "h0"),
    ("numerical_grads eps NaN", lambda: rnn_core.numerical_grads(P, XS, TARGET, eps=np.nan),
     ValueError, "eps"),
    ("relative_error empty", lambda: rnn_core.relative_error([], []), ValueError, "empty"),
    ("relative_error shapes", lambda: rnn_core.relative_error([1.0], [1.0, 2.0]), ValueError,
     "numeric"),
    ("relative_error str", lambda: rnn_core.relative_error("a", [1.0]), TypeError, "analytic"),
    ("gradient_check xs wrong D", lambda: rnn_core.gradient_check(P, np.ones((5, 1)), TARGET[0]),
     ValueError, "xs"),
    ("train ragged target", lambda: train(target=[[1.0, 2.0, 3.0], [1.0]]), TypeError, "target"),
    ("train ragged xs", lambda: train(xs=[[1.0, 2.0], [1.0]]), TypeError, "xs"),
    ("train seed -1", lambda: train(seed=-1), ValueError, "seed"),
    ("train init_scale 1e308", lambda: train(init_scale=1e308), ValueError, "init_scale"),
    ("train epochs 0", lambda: train(epochs=0), ValueError, "epochs"),
    ("train epochs float", lambda: train(epochs=2.0), ValueError, "epochs"),
    ("train learning_rate NaN", lambda: train(learning_rate=np.nan), ValueError,
     "learning_rate"),
    ("train learning_rate inf", lambda: train(learning_rate=np.inf), ValueError,
     "learning_rate"),
    ("train clip_norm < 0", lambda: train(clip_norm=-1.0), ValueError, "clip_norm"),
    ("train batch_size float", lambda: train(batch_size=2.5), ValueError, "batch_size"),
    ("train bptt_steps 0", lambda: train(bptt_steps=0), ValueError, "bptt_steps"),
    ("train val_xs alone", lambda: train(val_xs=XS), ValueError, "val_target"),
    ("train val_target shape", lambda: train(val_xs=XS, val_target=TARGET[:1]), ValueError,
     "val_target"),
    ("train hidden_size vs params", lambda: train(params=P, hidden_size=5), ValueError,
     "hidden_size"),
    ("train empty xs", lambda: train(xs=np.ones((0, 5, 2))), ValueError, "xs"),
    ("clip_grads list", lambda: rnn_core.clip_grads([1.0], 1.0), TypeError, "grads"),
    ("clip_grads NaN", lambda: rnn_core.clip_grads(nan_grads(), 1.0), ValueError, "grads"),
    ("clip_grads max_norm 0", lambda: rnn_core.clip_grads(GRADS, 0.0), ValueError, "max_norm"),
    ("global_norm str", lambda: rnn_core.global_norm("g"), TypeError, "grads"),
    ("global_norm NaN", lambda: rnn_core.global_norm(nan_grads()), ValueError, "grads"),
    ("global_norm inf", lambda: rnn_core.global_norm({"a": np.array([np.inf])}), ValueError,
     "grads"),
    ("global_norm str values", lambda: rnn_core.global_norm({"a": ["x"]}), TypeError, "grads"),
    ("SimpleRNN input_size 0", lambda: rnn_core.SimpleRNN(0, 4, 1), ValueError, "input_size"),
    ("SimpleRNN seed -1", lambda: rnn_core.SimpleRNN(1, 4, 1, seed=-1), ValueError, "seed"),
    ("SimpleRNN NaN weight", lambda: simple_rnn(Whh=np.full((4, 4), np.nan)).forward(
        XS1, np.zeros((4, 1))), ValueError, "SimpleRNN.Whh"),
    ("SimpleRNN inf weight", lambda: simple_rnn(Wxh=np.full((4, 1), np.inf)).forward(
        XS1, np.zeros((4, 1))), ValueError, "SimpleRNN.Wxh"),
    ("SimpleRNN complex weight", lambda: simple_rnn(Why=np.ones((1, 4)) + 1j).forward(
        XS1, np.zeros((4, 1))), TypeError, "SimpleRNN.Why"),
    ("SimpleRNN list weight", lambda: simple_rnn(by=[[0.0]]).forward(XS1, np.zeros((4, 1))),
     TypeError, "SimpleRNN.by"),
    ("SimpleRNN batched inputs", lambda: simple_rnn().forward(np.ones((2, 5, 1)),
                                                               np.zeros((4, 1))),
     ValueError, "inputs"),
    ("SimpleRNN hidden_state shape", lambda: simple_rnn().forward(XS1, np.zeros((3, 1))),
     ValueError, "hidden_state"),
    ("SimpleRNN backward target", lambda: simple_rnn_after_forward().backward(np.ones(2)),
     ValueError, "target"),
    ("SimpleRNN backward learning_rate", lambda: simple_rnn_after_forward().backward(
        np.ones(1), -0.1), ValueError, "learning_rate"),
    ("SimpleRNN shapes changed after forward", lambda: simple_rnn_after_forward(
        Wxh=np.zeros((4, 2))).backward(np.ones(1)), ValueError, "changed shape"),
    ("SimpleRNN H changed after forward", lambda: simple_rnn_after_forward(
        Wxh=np.zeros((3, 1)), Whh=np.zeros((3, 3)), Why=np.zeros((1, 3)),
        bh=np.zeros((3, 1))).backward(np.ones(1)), ValueError, "changed shape"),
    ("SimpleRNN NaN weight after forward", lambda: simple_rnn_after_forward(
        Whh=np.full((4, 4), np.nan)).backward(np.ones(1)), ValueError, "SimpleRNN.Whh"),
    ("SimpleRNN output set by hand", lambda: simple_rnn_after_forward(
        output=np.ones((3, 1))).backward(np.ones(1)), ValueError, "output"),
]


# The GRU: D = 2, H = 4, O = 3, B = 2, T = 5 as above; PG are a GRU's params.
PG = rnn_core.gru_init_params(2, 4, 3, scale=0.5, seed=RNG)
YG, HSG = rnn_core.gru_forward(PG, XS)
_, DYG = rnn_core.mse_loss(YG, TARGET)
HUGE_G = {name: value * 1e200 + 1e200 for name, value in PG.items()}  # y ~ 1e200: loss inf
# b_xn saturates the candidate: h_t -> 1, so y = W_hy h_T + b_y = 4e308 * (1 - 2^-T): inf
HUGE_OUT_G = dict(PG, bxn=np.full((4, 1), 1e3), Why=np.full((3, 4), 1e308))
SHARED += [PG, YG, HSG, DYG, HUGE_G, HUGE_OUT_G]

GRU_CASES = [
    ("gru_init_params D 0", lambda: rnn_core.gru_init_params(0, 4, 3), ValueError,
     "input_size"),
    ("gru_init_params H float", lambda: rnn_core.gru_init_params(2, 4.0, 3), ValueError,
     "hidden_size"),
    ("gru_init_params O str", lambda: rnn_core.gru_init_params(2, 4, "3"), ValueError,
     "output_size"),
    ("gru_init_params scale 0", lambda: rnn_core.gru_init_params(2, 4, 3, scale=0.0),
     ValueError, "scale"),
    ("gru_init_params scale 1e308", lambda: rnn_core.gru_init_params(2, 4, 3, scale=1e308),
     ValueError, "scale"),
    ("gru_init_params seed -1", lambda: rnn_core.gru_init_params(2, 4, 3, seed=-1), ValueError,
     "seed"),
    ("gru_init_params seed float", lambda: rnn_core.gru_init_params(2, 4, 3, seed=0.5),
     TypeError, "seed"),
    ("gru_forward params list", lambda: rnn_core.gru_forward([PG], XS), TypeError, "params"),
    ("gru_forward simple RNN params", lambda: rnn_core.gru_forward(P, XS), ValueError,
     "gru_init_params"),
    ("gru_forward missing key", lambda: rnn_core.gru_forward(
        {k: v for k, v in PG.items() if k != "bhn"}, XS), ValueError, "bhn"),
    ("gru_forward NaN weight", lambda: rnn_core.gru_forward(
        with_param(PG, "Whr", np.full((4, 4), np.nan)), XS), ValueError, "Whr"),
    ("gru_forward complex weight", lambda: rnn_core.gru_forward(
        with_param(PG, "Wxn", PG["Wxn"] + 1j), XS), TypeError, "Wxn"),
    ("gru_forward ragged weight", lambda: rnn_core.gru_forward(
        with_param(PG, "bz", [[0.0], [0.0, 1.0]]), XS), TypeError, "bz"),
    ("gru_forward Whz not square", lambda: rnn_core.gru_forward(
        with_param(PG, "Whz", np.zeros((4, 3))), XS), ValueError, "Whz"),
    ("gru_forward bhn wrong shape", lambda: rnn_core.gru_forward(
        with_param(PG, "bhn", np.zeros((3, 1))), XS), ValueError, "bhn"),
    ("gru_forward Wxr wrong D", lambda: rnn_core.gru_forward(
        with_param(PG, "Wxr", np.zeros((4, 3))), XS), ValueError, "Wxr"),
    ("gru_forward bz 1-D", lambda: rnn_core.gru_forward(with_param(PG, "bz", np.zeros(4)), XS),
     ValueError, "bz"),
    ("gru_forward xs wrong D", lambda: rnn_core.gru_forward(PG, np.ones((5, 3))), ValueError,
     "Wxz expects input_size 2"),
    ("gru_forward xs 4-D", lambda: rnn_core.gru_forward(PG, np.ones((1, 2, 5, 2))), ValueError,
     "xs"),
    ("gru_forward xs empty", lambda: rnn_core.gru_forward(PG, np.ones((0, 2))), ValueError, "xs"),
    ("gru_forward xs NaN", lambda: rnn_core.gru_forward(PG, XS * np.nan), ValueError, "xs"),
    ("gru_forward h0 wrong H", lambda: rnn_core.gru_forward(PG, XS, np.zeros(7)), ValueError,
     "h0"),
    ("gru_forward h0 wrong B", lambda: rnn_core.gru_forward(PG, XS, np.zeros((4, 3))),
     ValueError, "h0"),
    ("gru_forward huge params overflow", lambda: rnn_core.gru_forward(HUGE_OUT_G, XS),
     ValueError, "overflow"),
    ("gru_backward hs wrong shape", lambda: rnn_core.gru_backward(PG, XS, HSG[:, :-1], DYG),
     ValueError, "gru_forward"),
    ("gru_backward hs of one sequence", lambda: rnn_core.gru_backward(PG, XS, HSG[0], DYG),
     ValueError, "hs"),
    ("gru_backward dy wrong shape", lambda: rnn_core.gru_backward(PG, XS, HSG, DYG[:, :2]),
     ValueError, "dy"),
    ("gru_backward dy NaN", lambda: rnn_core.gru_backward(PG, XS, HSG, DYG * np.nan),
     ValueError, "dy"),
    ("gru_backward hs str", lambda: rnn_core.gru_backward(PG, XS, "hs", DYG), TypeError, "hs"),
    ("gru_backward simple RNN params", lambda: rnn_core.gru_backward(P, XS, HSG, DYG),
     ValueError, "params"),
    ("gru_backward huge params overflow",
     lambda: rnn_core.gru_backward(HUGE_OUT_G, XS, HSG, DYG * 1e300), ValueError, "overflow"),
    ("gru_loss_and_grads target shape", lambda: rnn_core.gru_loss_and_grads(PG, XS, TARGET[:, :2]),
     ValueError, "target"),
    ("gru_loss_and_grads target of one sequence",
     lambda: rnn_core.gru_loss_and_grads(PG, XS, TARGET[0]), ValueError, "target"),
    ("gru_loss_and_grads target NaN",
     lambda: rnn_core.gru_loss_and_grads(PG, XS, TARGET * np.nan), ValueError, "target"),
    ("gru_loss_and_grads h0 str", lambda: rnn_core.gru_loss_and_grads(PG, XS, TARGET, "0"),
     TypeError, "h0"),
    ("gru_loss_and_grads huge params", lambda: rnn_core.gru_loss_and_grads(HUGE_G, XS, TARGET),
     ValueError, "overflow"),
    ("forward with a GRU's params", lambda: rnn_core.forward(PG, XS), ValueError, "gru_forward"),
    ("loss_and_grads with a GRU's params", lambda: rnn_core.loss_and_grads(PG, XS, TARGET),
     ValueError, "GRU"),
    ("train cell unknown", lambda: train(cell="lstm"), ValueError, "cell"),
    ("train cell not a string", lambda: train(cell=["gru"]), ValueError, "cell"),
    ("train cell gru with simple RNN params", lambda: train(cell="gru", params=P), ValueError,
     "gru_init_params"),
    ("train cell rnn with GRU params", lambda: train(params=PG), ValueError, "gru_forward"),
    ("train cell gru hidden_size vs params", lambda: train(cell="gru", params=PG, hidden_size=5),
     ValueError, "hidden_size"),
    ("train cell gru bptt_steps 0", lambda: train(cell="gru", bptt_steps=0), ValueError,
     "bptt_steps"),
    ("train cell gru xs wrong D", lambda: train(cell="gru", params=PG, xs=np.ones((2, 5, 3))),
     ValueError, "Wxz"),
]


def training_explorer(**kwargs):
    xs, target = rnn_viz.arithmetic_sequences(12, seed=0)
    data = dict(train_xs=xs[:8], train_target=target[:8], val_xs=xs[8:], val_target=target[8:])
    data.update(kwargs)
    return rnn_viz.TrainingExplorer(**data)


VIZ_CASES = [
    ("below value str", lambda: rnn_viz.below("1e-16", 1e-14), TypeError, "value"),
    ("below value array", lambda: rnn_viz.below(np.ones(2), 1e-14), TypeError, "value"),
    ("below bound 0", lambda: rnn_viz.below(1e-16, 0.0), ValueError, "bound"),
    ("below bound NaN", lambda: rnn_viz.below(1e-16, np.nan), ValueError, "bound"),
    ("above value None", lambda: rnn_viz.above(None, 1e7), TypeError, "value"),
    ("above bound -1", lambda: rnn_viz.above(1e8, -1.0), ValueError, "bound"),
    ("arithmetic_sequences n -1", lambda: rnn_viz.arithmetic_sequences(-1), ValueError, "n "),
    ("arithmetic_sequences n 2.5", lambda: rnn_viz.arithmetic_sequences(3.1), ValueError, "n "),
    ("arithmetic_sequences length 0", lambda: rnn_viz.arithmetic_sequences(3, length=0),
     ValueError, "length"),
    ("arithmetic_sequences seed -1", lambda: rnn_viz.arithmetic_sequences(3, seed=-1),
     ValueError, "seed"),
    ("arithmetic_sequences start_range reversed",
     lambda: rnn_viz.arithmetic_sequences(3, start_range=(1.0, 0.0)), ValueError, "start_range"),
    ("arithmetic_sequences step_range NaN",
     lambda: rnn_viz.arithmetic_sequences(3, step_range=(np.nan, 1.0)), ValueError,
     "step_range"),
    ("arithmetic_sequences start_range number",
     lambda: rnn_viz.arithmetic_sequences(3, start_range=0.5), TypeError, "start_range"),
    ("split_train_val val_fraction 1.5",
     lambda: rnn_viz.split_train_val(XS, TARGET, val_fraction=1.5), ValueError, "val_fraction"),
    ("split_train_val val_fraction NaN",
     lambda: rnn_viz.split_train_val(XS, TARGET, val_fraction=np.nan), ValueError,
     "val_fraction"),
    ("split_train_val nothing left to validate",
     lambda: rnn_viz.split_train_val(XS, TARGET, val_fraction=0.01), ValueError, "val_fraction"),
    ("split_train_val lengths differ",
     lambda: rnn_viz.split_train_val(XS, TARGET[:1]), ValueError, "target"),
    ("split_train_val xs str", lambda: rnn_viz.split_train_val("xs", TARGET), TypeError, "xs"),
    ("first_input_task length 0", lambda: rnn_viz.first_input_task(10, 0), ValueError,
     "length"),
    ("first_input_task n 0", lambda: rnn_viz.first_input_task(0, 5), ValueError, "n "),
    ("first_input_task seed str", lambda: rnn_viz.first_input_task(3, 5, seed="a"), TypeError,
     "seed"),
    ("plot_loss_curves list", lambda: rnn_viz.plot_loss_curves(ax(), [0.3, 0.2]), TypeError,
     "result"),
    ("plot_loss_curves ax None",
     lambda: rnn_viz.plot_loss_curves(None, rnn_core.TrainResult(params={})), TypeError, "ax"),
    ("plot_gradient_norms 2-D", lambda: rnn_viz.plot_gradient_norms(ax(), [[1.0, 2.0]]),
     ValueError, "norms"),
    ("plot_gradient_norms NaN", lambda: rnn_viz.plot_gradient_norms(ax(), [1.0, np.nan]),
     ValueError, "norms"),
    ("plot_gradient_norms negative", lambda: rnn_viz.plot_gradient_norms(ax(), [1.0, -1.0]),
     ValueError, "norms"),
    ("plot_eigenvalues non-square", lambda: rnn_viz.plot_eigenvalues(ax(), np.ones((2, 3))),
     ValueError, "Whh"),
    ("draw_unrolled_rnn ax None", lambda: rnn_viz.draw_unrolled_rnn(None, [0.1], 0.2),
     TypeError, "ax"),
    ("draw_unrolled_rnn inputs empty", lambda: rnn_viz.draw_unrolled_rnn(ax(), [], 0.2),
     ValueError, "inputs"),
    ("draw_unrolled_rnn inputs str", lambda: rnn_viz.draw_unrolled_rnn(ax(), "abc", 0.2),
     TypeError, "inputs"),
    ("draw_unrolled_rnn target NaN", lambda: rnn_viz.draw_unrolled_rnn(ax(), [0.1], np.nan),
     ValueError, "target"),
    ("plot_clipping_run axes 1 x 2", lambda: rnn_viz.plot_clipping_run(
        Figure().subplots(1, 2), RECORD, RECORD, stop=1, mark=2), ValueError, "axes"),
    ("plot_clipping_run plain missing a key", lambda: rnn_viz.plot_clipping_run(
        Figure().subplots(2, 2), {"loss": np.ones(4)}, RECORD, stop=1, mark=2), ValueError,
     "plain"),
    ("plot_clipping_run clipped of two lengths", lambda: rnn_viz.plot_clipping_run(
        Figure().subplots(2, 2), RECORD, dict(RECORD, loss=np.ones(3)), stop=1, mark=2),
     ValueError, "clipped"),
    ("plot_clipping_run stop -1", lambda: rnn_viz.plot_clipping_run(
        Figure().subplots(2, 2), RECORD, RECORD, stop=-1, mark=2), ValueError, "stop"),
    ("plot_clipping_run clip_norm 0", lambda: rnn_viz.plot_clipping_run(
        Figure().subplots(2, 2), RECORD, RECORD, stop=1, mark=2, clip_norm=0.0), ValueError,
     "clip_norm"),
    ("draw_computational_graph ax None", lambda: rnn_viz.draw_computational_graph(None),
     TypeError, "ax"),
    ("draw_computational_graph T 0", lambda: rnn_viz.draw_computational_graph(ax(), T=0),
     ValueError, "T "),
    ("figure_png not a figure", lambda: rnn_viz.figure_png("fig"), TypeError, "fig"),
    ("figure_png dpi 0", lambda: rnn_viz.figure_png(Figure(), dpi=0), ValueError, "dpi"),
    ("spectral_radius non-square", lambda: rnn_viz.spectral_radius(np.ones((2, 3))), ValueError,
     "W "),
    ("spectral_radius NaN", lambda: rnn_viz.spectral_radius(np.full((2, 2), np.nan)),
     ValueError, "W "),
    ("scale_to_spectral_radius non-square",
     lambda: rnn_viz.scale_to_spectral_radius(np.ones((2, 3)), 1.0), ValueError, "W "),
    ("scale_to_spectral_radius zeros",
     lambda: rnn_viz.scale_to_spectral_radius(np.zeros((3, 3)), 1.0), ValueError, "W "),
    ("scale_to_spectral_radius nilpotent",
     lambda: rnn_viz.scale_to_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0),
     ValueError, "W "),
    ("scale_to_spectral_radius radius NaN",
     lambda: rnn_viz.scale_to_spectral_radius(np.eye(3), np.nan), ValueError, "radius"),
    ("scale_to_spectral_radius radius < 0",
     lambda: rnn_viz.scale_to_spectral_radius(np.eye(3), -1.0), ValueError, "radius"),
    ("scale_to_spectral_radius overflow",
     lambda: rnn_viz.scale_to_spectral_radius(np.eye(3) * 1e-300, 1e300), ValueError,
     "radius"),
    ("gradient_flow_params H 0", lambda: rnn_viz.gradient_flow_params(0, 1.0), ValueError,
     "hidden_size"),
    ("gradient_flow_params radius < 0", lambda: rnn_viz.gradient_flow_params(4, -1.0),
     ValueError, "radius"),
    ("gradient_flow_params input_scale < 0",
     lambda: rnn_viz.gradient_flow_params(4, 1.0, input_scale=-1.0), ValueError, "input_scale"),
    ("gradient_flow_params seed -1", lambda: rnn_viz.gradient_flow_params(4, 1.0, seed=-1),
     ValueError, "seed"),
    ("hidden_gradient_norms O 3", lambda: rnn_viz.hidden_gradient_norms(P, XS[0]), ValueError,
     "params"),
    ("hidden_gradient_norms batch", lambda: rnn_viz.hidden_gradient_norms(P1, XS1[None, :, None]),
     ValueError, "xs"),
    ("hidden_gradient_norms xs wrong D",
     lambda: rnn_viz.hidden_gradient_norms(P1, np.ones((6, 2))), ValueError, "xs"),
    ("hidden_gradient_norms linear str",
     lambda: rnn_viz.hidden_gradient_norms(P1, XS1, linear="yes"), TypeError, "linear"),
    ("hidden_gradient_norms linear overflow",
     lambda: rnn_viz.hidden_gradient_norms(rnn_viz.gradient_flow_params(4, 1e100), XS1,
                                           linear=True), ValueError, "overflow"),
    ("truncated_bptt_grads xs (T,)",
     lambda: rnn_viz.truncated_bptt_grads(P1, XS1, np.ones(1), 2), ValueError, "xs"),
    ("truncated_bptt_grads k 2.5", lambda: rnn_viz.truncated_bptt_grads(P, XS, TARGET, 2.5),
     ValueError, "k "),
    ("truncated_bptt_grads k 0", lambda: rnn_viz.truncated_bptt_grads(P, XS, TARGET, 0),
     ValueError, "k "),
    ("truncated_bptt_grads k > T", lambda: rnn_viz.truncated_bptt_grads(P, XS, TARGET, 6),
     ValueError, "k "),
    ("truncated_bptt_grads target shape",
     lambda: rnn_viz.truncated_bptt_grads(P, XS, TARGET[:, :1], 2), ValueError, "target"),
    ("TrainingExplorer ragged train_target",
     lambda: training_explorer(train_target=[[1.0], [1.0, 2.0]]), TypeError, "train_target"),
    ("TrainingExplorer targets vs sequences",
     lambda: training_explorer(val_target=np.ones((3, 1))), ValueError, "val_target"),
    ("TrainingExplorer val D differs",
     lambda: training_explorer(val_xs=np.ones((4, 5, 2))), ValueError, "val_xs"),
    ("TrainingExplorer val O differs",
     lambda: training_explorer(val_target=np.ones((4, 2))), ValueError, "val_target"),
    ("TrainingExplorer keep -1", lambda: training_explorer(keep=-1), ValueError, "keep"),
    ("TrainingExplorer batch_size 0", lambda: training_explorer(batch_size=0), ValueError,
     "batch_size"),
    ("TrainingExplorer learning_rate out of range",
     lambda: training_explorer(learning_rate=10.0), ValueError, "learning_rate"),
    ("TrainingExplorer learning_rate NaN", lambda: training_explorer(learning_rate=np.nan),
     ValueError, "learning_rate"),
    ("TrainingExplorer hidden_size 100", lambda: training_explorer(hidden_size=100), ValueError,
     "hidden_size"),
    ("TrainingExplorer epochs float", lambda: training_explorer(epochs=20.5), ValueError,
     "epochs"),
    ("GradientFlowExplorer hidden_size 0", lambda: rnn_viz.GradientFlowExplorer(hidden_size=0),
     ValueError, "hidden_size"),
    ("GradientFlowExplorer spectral_radius 5",
     lambda: rnn_viz.GradientFlowExplorer(spectral_radius=5.0), ValueError, "spectral_radius"),
    ("GradientFlowExplorer seq_length 1", lambda: rnn_viz.GradientFlowExplorer(seq_length=1),
     ValueError, "seq_length"),
]


def snapshot():
    return [{k: v.copy() for k, v in item.items()} if isinstance(item, dict) else item.copy()
            for item in SHARED]


def assert_shared_unchanged(before):
    for old, new in zip(before, SHARED):
        if isinstance(old, dict):
            assert old.keys() == new.keys()
            for key in old:
                np.testing.assert_array_equal(new[key], old[key])
        else:
            np.testing.assert_array_equal(new, old)


def check_row(call, error, word):
    before = snapshot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no RuntimeWarning before the error either
        with pytest.raises(error) as raised:
            call()
    assert word in str(raised.value), f"{word!r} not in: {raised.value}"
    assert_shared_unchanged(before)


@pytest.mark.parametrize("call, error, word", [case[1:] for case in CORE_CASES],
                         ids=[case[0] for case in CORE_CASES])
def test_bad_input_to_rnn_core(call, error, word):
    check_row(call, error, word)


@pytest.mark.parametrize("call, error, word", [case[1:] for case in VIZ_CASES],
                         ids=[case[0] for case in VIZ_CASES])
def test_bad_input_to_rnn_viz(call, error, word):
    check_row(call, error, word)


@pytest.mark.parametrize("call, error, word", [case[1:] for case in GRU_CASES],
                         ids=[case[0] for case in GRU_CASES])
def test_bad_input_to_the_gru(call, error, word):
    check_row(call, error, word)


def test_every_public_function_has_a_row():
    """A public function or class added later must get its rows in the tables above."""
    for module, cases in [(rnn_core, CORE_CASES + GRU_CASES), (rnn_viz, VIZ_CASES)]:
        public = {name for name, value in vars(module).items()
                  if not name.startswith("_") and (inspect.isfunction(value)
                                                   or inspect.isclass(value))
                  and value.__module__ == module.__name__}
        covered = {name for name in public if any(case[0].startswith(name + " ")
                                                  for case in cases)}
        # TrainResult has no arguments to check (status is tested below); the language-model
        # functions have their own bad-input tables in tests/test_lm.py.
        # use_course_style takes no arguments.
        elsewhere = {"TrainResult", "lm_loss_and_grads", "sample", "adagrad_step",
                     "use_course_style"}
        assert public - covered <= elsewhere, public - covered


# --------------------------------------------------------------------------------------
# No silent non-finite results
# --------------------------------------------------------------------------------------

SEED_XS = np.array([0.1, 0.2, 0.3, 0.4, 0.5])


def test_huge_finite_params_raise_instead_of_returning_inf_and_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # and no RuntimeWarning leaks
        with pytest.raises(ValueError, match=r"overflowed to inf or NaN.*too large"):
            rnn_core.loss_and_grads(HUGE, XS, TARGET)


def test_finite_but_large_values_are_not_mistaken_for_overflow():
    # The cheap finiteness tests sum or square values; above ~1e154 that sum overflows, which
    # must only lead to the exact test, not to an error.
    big = {"a": np.array([1e200, -1e200])}
    assert rnn_core.global_norm(big) == pytest.approx(math.sqrt(2) * 1e200)
    assert rnn_core.clip_grads(big, 1.0)["a"] == pytest.approx([1 / math.sqrt(2),
                                                                -1 / math.sqrt(2)])
    assert rnn_core.relative_error([1e308], [-1e308]) == 1.0


def test_simple_rnn_at_learning_rate_1e4_raises_before_corrupting_the_weights():
    np.random.seed(0)
    rnn = rnn_core.SimpleRNN(input_size=1, hidden_size=8, output_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="learning_rate") as raised:
            for _ in range(1000):             # the seed's loop
                output, _ = rnn.forward(SEED_XS, np.zeros((8, 1)))
                rnn.output = output
                before = {name: getattr(rnn, name).copy() for name in NAMES}
                rnn.backward(np.array([0.6]), 1e4)
    assert "left unchanged" in str(raised.value)
    for name in NAMES:
        np.testing.assert_array_equal(getattr(rnn, name), before[name])
        assert np.all(np.isfinite(getattr(rnn, name)))


def test_simple_rnn_step_that_would_overflow_is_not_taken():
    rnn = rnn_core.SimpleRNN(1, 4, 1, seed=0)
    rnn.forward(SEED_XS, np.zeros((4, 1)))
    before = {name: getattr(rnn, name).copy() for name in NAMES}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"SimpleRNN\.\w+ inf or NaN"):
            rnn.backward(np.array([1e3]), 1e308)   # dL/db_y is about -2e3: the step overflows
    for name in NAMES:
        np.testing.assert_array_equal(getattr(rnn, name), before[name])


def test_simple_rnn_nan_written_in_place_is_named():
    rnn = rnn_core.SimpleRNN(1, 4, 1, seed=0)
    rnn.forward(SEED_XS, np.zeros((4, 1)))
    rnn.backward(np.array([0.6]))
    rnn.Whh[1, 2] = np.nan                      # in place: the same array object
    with pytest.raises(ValueError, match=r"SimpleRNN\.Whh contains NaN"):
        rnn.forward(SEED_XS, np.zeros((4, 1)))


def test_train_with_overflowing_init_scale_never_reports_inf_params():
    with pytest.raises(ValueError, match="init_scale"):
        rnn_core.train(SEED_XS, np.array([0.6]), hidden_size=4, learning_rate=0.1, epochs=2,
                       init_scale=1e308)


# --------------------------------------------------------------------------------------
# Runaway training: the divergence rule
# --------------------------------------------------------------------------------------

def runaway_data():
    xs, target = rnn_viz.first_input_task(32, 5, seed=0)
    return xs, target


def assert_clean_divergence(result):
    assert result.diverged and isinstance(result.diverged_at, int)
    assert len(result.losses) == result.diverged_at
    assert all(math.isfinite(loss) for loss in result.losses + result.val_losses)
    assert all(np.all(np.isfinite(value)) for value in result.params.values())
    assert f"diverged at epoch {result.diverged_at}" in result.status


def test_a_loss_above_the_factor_times_the_first_loss_is_divergence():
    xs, target = runaway_data()
    result = rnn_core.train(xs, target, hidden_size=8, learning_rate=50.0, epochs=1000)
    assert_clean_divergence(result)
    first = rnn_core.loss_and_grads(rnn_core.init_params(1, 8, 1, seed=np.random.default_rng(0)),
                                    xs, target)[0]
    # The status names the rule with numbers at 3 significant digits.
    assert f"{rnn_core.DIVERGENCE_FACTOR:.3g} times the first batch loss {first:.3g}" in (
        result.status)
    # Every loss recorded before it is within the limit.
    assert max(result.losses, default=0) <= rnn_core.DIVERGENCE_FACTOR * first


def test_clipped_runaway_is_caught_and_epochs_1e9_returns_in_under_a_second():
    # With clipping each step is short, so the loss climbs slowly instead of overflowing:
    # before the rule, diverged_at stayed None and epochs=10**9 ran for ever.
    xs, target = runaway_data()
    for clip_norm in (None, 1.0):
        bounded = rnn_core.train(xs, target, hidden_size=8, learning_rate=1e3, epochs=3000,
                                 clip_norm=clip_norm)
        assert_clean_divergence(bounded)             # checked first: a broken rule fails here
        start = time.perf_counter()
        result = rnn_core.train(xs, target, hidden_size=8, learning_rate=1e3, epochs=10**9,
                                clip_norm=clip_norm)
        assert time.perf_counter() - start < 1.0
        assert result.diverged_at == bounded.diverged_at
        assert "exceeded" in result.divergence or "inf" in result.divergence


def test_validation_loss_above_the_limit_is_divergence_and_never_stored():
    # Validation on the training set, full batch: the validation loss after epoch e is the
    # loss that the first batch of epoch e + 1 would have, so the validation rule fires
    # first. Before the rule, val_losses held inf an epoch before diverged_at was set.
    xs, target = runaway_data()
    result = rnn_core.train(xs, target, hidden_size=8, learning_rate=1e3, epochs=3000,
                            clip_norm=1.0, val_xs=xs, val_target=target)
    assert_clean_divergence(result)
    assert result.divergence.startswith("the validation loss")
    assert len(result.val_losses) == result.diverged_at


def test_an_update_that_would_overflow_is_not_taken():
    result = rnn_core.train(SEED_XS, np.array([1e3]), hidden_size=4, learning_rate=1e308,
                            epochs=5, init_scale=0.1)
    assert_clean_divergence(result)
    assert result.diverged_at == 0 and "SGD step" in result.divergence


def test_runs_that_do_not_diverge_are_unchanged_by_the_rule():
    xs, target = rnn_viz.arithmetic_sequences(40, seed=0)
    result = rnn_core.train(xs, target, hidden_size=8, learning_rate=0.3, epochs=30,
                            batch_size=8, val_xs=xs[:10], val_target=target[:10])
    assert not result.diverged and result.divergence is None and len(result.losses) == 30


def test_train_result_status_never_raises():
    assert "no epochs" in rnn_core.TrainResult(params={}).status
    long = rnn_core.TrainResult(params={}, losses=[1.23456789e300])
    assert "1.23e+300" in long.status and len(long.status) < 100


# --------------------------------------------------------------------------------------
# Explorers: status lines, data train accepts, keep=0, NaN on a slider
# --------------------------------------------------------------------------------------

def test_status_numbers_have_three_significant_digits():
    explorer = training_explorer(hidden_size=1, epochs=10, learning_rate=1.0)
    explorer.sliders["learning_rate"].value = 1.0
    assert explorer.last_error is None
    text = explorer.status.value
    assert all(len(number) <= 10 for number in
               re.findall(r"[-+]?\d[\d.e+-]*", text)), text
    assert len(text) < 400


def test_training_explorer_accepts_what_train_accepts():
    xs, target = rnn_viz.arithmetic_sequences(12, seed=0)
    as_lists = training_explorer(train_xs=xs[:8].tolist(), train_target=target[:8].tolist(),
                                 val_xs=xs[8:].tolist(), val_target=target[8:].tolist(),
                                 epochs=10)
    assert as_lists.last_error is None and "final training loss" in as_lists.status.value
    one = training_explorer(train_xs=SEED_XS, train_target=np.array([0.6]),
                            val_xs=SEED_XS + 0.1, val_target=np.array([0.7]), epochs=10)
    assert one.last_error is None and "final training loss" in one.status.value


def test_keep_zero_keeps_no_earlier_runs():
    explorer = training_explorer(keep=0, epochs=10)
    for hidden_size in (2, 3, 4):
        explorer.sliders["hidden_size"].value = hidden_size
    assert explorer.history == [] and explorer.last_error is None


@pytest.mark.parametrize("name", ["learning_rate", "clip_norm"])
def test_nan_on_a_slider_names_the_slider_without_a_traceback(name):
    explorer = training_explorer(epochs=10)
    explorer.sliders[name].value = float("nan")
    assert isinstance(explorer.last_error, ValueError)
    assert f"slider '{name}'" in html.unescape(explorer.status.value)
    (output,) = explorer.output.outputs
    assert "Traceback" not in output["text"] and name in output["text"]
    assert "Whh" not in explorer.status.value


def test_nan_on_a_gradient_flow_slider_is_named():
    explorer = rnn_viz.GradientFlowExplorer(seq_length=10)
    explorer.sliders["spectral_radius"].value = float("nan")
    assert "slider 'spectral_radius'" in html.unescape(explorer.status.value)


def test_explorers_compute_with_one_blas_thread(monkeypatch):
    from threadpoolctl import threadpool_info
    seen = []
    real_run = rnn_viz.TrainingExplorer.run
    def spy(self, values):
        seen.append({pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()
                     if pool["user_api"] == "blas"})
        return real_run(self, values)
    monkeypatch.setattr(rnn_viz.TrainingExplorer, "run", spy)
    training_explorer(epochs=10)
    assert seen and all(threads == 1 for threads in seen[0].values())


def test_rnn_viz_helpers_and_simple_rnn_never_write_into_their_arguments():
    def frozen(array):
        array = np.array(array, dtype=float)
        array.setflags(write=False)
        return array
    xs, target = rnn_viz.arithmetic_sequences(12, seed=0)
    xs, target = frozen(xs), frozen(target)
    params = {name: frozen(value) for name, value in P1.items()}
    W = frozen(np.arange(9.0).reshape(3, 3))
    rnn_viz.split_train_val(xs, target, val_fraction=0.25)
    rnn_viz.spectral_radius(W)
    rnn_viz.scale_to_spectral_radius(W, 0.5)
    rnn_viz.hidden_gradient_norms(params, frozen(XS1))
    rnn_viz.hidden_gradient_norms(params, frozen(XS1), linear=True)
    rnn_viz.truncated_bptt_grads(params, xs, target, 2)
    rnn_viz.plot_gradient_norms(ax(), frozen([1.0, 0.5]))
    rnn_viz.plot_eigenvalues(ax(), W)
    explorer = rnn_viz.TrainingExplorer(xs[:8], target[:8], xs[8:], target[8:], epochs=10)
    assert explorer.last_error is None
    rnn_core.numerical_gradient(lambda x: float(np.sum(x ** 2)), frozen([1.0, 2.0]))
    rnn_core.clip_grads({name: frozen(value) for name, value in GRADS.items()}, 1e-3)
    rnn = rnn_core.SimpleRNN(1, 4, 1, seed=0)
    for name in NAMES:                          # weights set by hand, read-only
        setattr(rnn, name, frozen(getattr(rnn, name)))
    rnn.forward(frozen(SEED_XS), frozen(np.zeros((4, 1))))
    rnn.backward(frozen([0.6]))                 # replaces the arrays, never writes into them
