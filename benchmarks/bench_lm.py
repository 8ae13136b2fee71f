"""Benchmark of rnn_core.lm_loss_and_grads (the character-level language model, notebook 11).

Run from the repository root:   .venv/bin/python benchmarks/bench_lm.py      (--quick: smoke run)
With PyTorch (see benchmarks/README.md):   /tmp/venv-torch/bin/python benchmarks/bench_lm.py

Contenders, at (B, T, V, H) = (1, 25, 65, 100) (min-char-rnn's own sizes) and (32, 50, 65, 128):
- rnn_core.lm_loss_and_grads;
- min-char-rnn's lossFun as the script writes it (below): one-hot input vectors, a Python loop
  over the steps for the forward pass, the softmax and the backward pass, one sequence at a
  time; and, for comparison, the same loop with the batch in the columns;
- PyTorch on the CPU in float64: nn.RNN (tanh) + nn.Linear + cross_entropy + backward().
The rules of benchmarks/bench.py apply: one thread for everyone, contenders timed in
alternation (medians over rounds), and the same loss and gradients checked before timing.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"                # read when the BLAS library is loaded

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (compare, describe_machine, fmt_time, print_table, torch,  # noqa: E402
                   torch_modules)

import rnn_core  # noqa: E402

SIZES = [(1, 25, 65, 100), (32, 50, 65, 128)]                    # (B, T, V, H)


def make_problem(B, T, V, H):
    rng = np.random.default_rng(0)
    params = rnn_core.init_params(V, H, V, scale=1.0 / np.sqrt(H), seed=rng)
    params["bh"] = rng.standard_normal((H, 1)) * 0.1
    params["by"] = rng.standard_normal((V, 1)) * 0.1
    inputs = rng.integers(0, V, size=(B, T))
    targets = rng.integers(0, V, size=(B, T))
    h0 = np.tanh(rng.standard_normal((H, B)))
    return params, inputs, targets, h0


def min_char_rnn_loss_and_grads(params, inputs, targets, h0):
    """min-char-rnn's lossFun as the script writes it, one sequence at a time.

    The script has no batch: a batch of B sequences is B calls of its lossFun (one-hot
    column vectors (V, 1), a Python loop over the steps), gradients summed. Its final
    np.clip of the gradients is left out (rnn_core does not clip). Mean loss, as rnn_core.
    inputs, targets: (B, T) ids; h0: (H, B). Returns (loss, grads, h_T (H, B)).
    """
    B, T = inputs.shape
    total, grads, h_last = 0.0, None, []
    for b in range(B):
        loss, seq_grads, h = _lossfun(params, inputs[b], targets[b], h0[:, b:b + 1])
        total += loss
        grads = seq_grads if grads is None else {k: grads[k] + seq_grads[k] for k in grads}
        h_last.append(h)
    n = B * T
    return total / n, {k: g / n for k, g in grads.items()}, np.hstack(h_last)


def _lossfun(params, inputs, targets, hprev):
    """min-char-rnn's lossFun (summed loss and gradients) for one sequence of ids."""
    Wxh, Whh, Why, bh, by = (params[name] for name in rnn_core.PARAM_NAMES)
    vocab_size = Wxh.shape[1]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))                       # one-hot input
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
    return loss, grads, hs[len(inputs) - 1]


def batched_loop_loss_and_grads(params, inputs, targets, h0):
    """The same loop with the batch in the columns: one-hot (V, B) matrices per step, a
    stable softmax per step. Shown for comparison (not the issue's baseline)."""
    Wxh, Whh, Why, bh, by = (params[name] for name in rnn_core.PARAM_NAMES)
    H, V = Wxh.shape
    B, T = inputs.shape
    columns = np.arange(B)
    xs, hs, ps = {}, {-1: h0}, {}
    loss = 0.0
    for t in range(T):
        xs[t] = np.zeros((V, B))
        xs[t][inputs[:, t], columns] = 1.0
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys = np.dot(Why, hs[t]) + by
        exp_ys = np.exp(ys - ys.max(axis=0))
        ps[t] = exp_ys / exp_ys.sum(axis=0)
        loss += -np.sum(np.log(ps[t][targets[:, t], columns]))
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dh_next = np.zeros((H, B))
    n = B * T
    for t in reversed(range(T)):
        dy = ps[t].copy()
        dy[targets[:, t], columns] -= 1.0
        dy /= n
        dWhy += np.dot(dy, hs[t].T)
        dby += dy.sum(axis=1, keepdims=True)
        dh = np.dot(Why.T, dy) + dh_next
        dh_raw = (1.0 - hs[t] * hs[t]) * dh
        dbh += dh_raw.sum(axis=1, keepdims=True)
        dWxh += np.dot(dh_raw, xs[t].T)
        dWhh += np.dot(dh_raw, hs[t - 1].T)
        dh_next = np.dot(Whh.T, dh_raw)
    grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
    return loss / n, grads, hs[T - 1]


def torch_contender(params, inputs, targets, h0):
    """torch's forward + backward on the same problem, and its loss and gradients.

    nn.RNN takes the one-hot inputs (its input weights are W_xh); it has two hidden biases
    (b_ih + b_hh), and b_hh = 0 makes it our model.
    """
    V = params["Wxh"].shape[1]
    rnn, linear = torch_modules(params)
    x = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).to(torch.float64)  # (B, T, V)
    y_star = torch.from_numpy(targets).reshape(-1)
    h_init = torch.from_numpy(np.ascontiguousarray(h0.T))[None]                      # (1, B, H)

    def loss_and_grads():
        rnn.zero_grad()
        linear.zero_grad()
        hs, h_T = rnn(x, h_init)                                   # hs: (B, T, H)
        logits = linear(hs).reshape(-1, V)
        loss = torch.nn.functional.cross_entropy(logits, y_star)
        loss.backward()
        return loss, h_T

    loss, h_T = loss_and_grads()
    grads = {"Wxh": rnn.weight_ih_l0.grad, "Whh": rnn.weight_hh_l0.grad,
             "Why": linear.weight.grad, "bh": rnn.bias_ih_l0.grad[:, None],
             "by": linear.bias.grad[:, None]}
    return (loss_and_grads, float(loss.detach()),
            {name: g.numpy().copy() for name, g in grads.items()}, h_T[0].detach().numpy().T)


def check_equal(name, loss, grads, h_last, ref_loss, ref_grads, ref_h_last):
    assert np.isclose(loss, ref_loss, rtol=1e-10, atol=0.0), (name, loss, ref_loss)
    for key in rnn_core.PARAM_NAMES:
        assert np.allclose(grads[key], ref_grads[key], rtol=1e-8, atol=1e-12), (name, key)
    assert np.allclose(h_last, ref_h_last, rtol=1e-10, atol=1e-14), name


def bench(rounds, round_seconds):
    print("## lm_loss_and_grads against min-char-rnn-style NumPy and PyTorch "
          "(CPU, float64, 1 thread)\n")
    rows, speedups = [], []
    for B, T, V, H in SIZES:
        params, inputs, targets, h0 = make_problem(B, T, V, H)
        loss, grads, h_last = rnn_core.lm_loss_and_grads(params, inputs, targets, h0)
        check_equal("min-char-rnn", loss, grads, h_last,
                    *min_char_rnn_loss_and_grads(params, inputs, targets, h0))
        contenders = {
            "rnn_core": lambda: rnn_core.lm_loss_and_grads(params, inputs, targets, h0),
            "min-char-rnn": lambda: min_char_rnn_loss_and_grads(params, inputs, targets, h0),
        }
        if B > 1:
            check_equal("batched loop", loss, grads, h_last,
                        *batched_loop_loss_and_grads(params, inputs, targets, h0))
            contenders["batched loop"] = (
                lambda: batched_loop_loss_and_grads(params, inputs, targets, h0))
        if torch is not None:
            torch_run, *torch_result = torch_contender(params, inputs, targets, h0)
            check_equal("torch", loss, grads, h_last, *torch_result)
            contenders["torch"] = torch_run
        times = compare(contenders, rounds=rounds, round_seconds=round_seconds)
        ratio = {name: times[name] / times["rnn_core"] for name in times}
        row = [f"({B}, {T}, {V}, {H})", fmt_time(times["rnn_core"]),
               f"{fmt_time(times['min-char-rnn'])} ({ratio['min-char-rnn']:.2f}x)",
               (f"{fmt_time(times['batched loop'])} ({ratio['batched loop']:.2f}x)"
                if B > 1 else "= min-char-rnn"),
               (f"{fmt_time(times['torch'])} ({ratio['torch']:.2f}x)" if torch is not None
                else "torch not installed")]
        rows.append(row)
        speedups.append(((B, T, V, H), ratio["min-char-rnn"], ratio.get("torch")))
    print_table(["(B, T, V, H)", "rnn_core", "min-char-rnn as written (speed-up)",
                 "same loop, batch in columns (speed-up)", "torch (speed-up)"], rows)
    print("(speed-up = contender's time / rnn_core's time; loss, gradients and h_T checked "
          "equal before timing: rtol 1e-8)\n")
    return speedups


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: few rounds, short rounds (numbers are rough)")
    args = parser.parse_args(argv)
    rounds, round_seconds = (3, 0.02) if args.quick else (15, 0.2)
    print("# Language-model benchmark" + (" (--quick: rough numbers)" if args.quick else "")
          + "\n")
    for line in describe_machine():
        print(f"- {line}")
    print()
    checks = []
    for size, baseline, speedup in bench(rounds, round_seconds):
        checks.append((f"{size}: at least 2x faster than min-char-rnn", baseline >= 2.0,
                       f"{baseline:.2f}x"))
        checks.append((f"{size}: faster than torch", None if speedup is None else speedup > 1.0,
                       "torch not installed" if speedup is None else f"{speedup:.2f}x"))
    print("## Targets\n")
    print_table(["target", "met", "measured"],
                [[text, {True: "yes", False: "NO", None: "-"}[met], value]
                 for text, met, value in checks])
    return 0


if __name__ == "__main__":
    sys.exit(main())
