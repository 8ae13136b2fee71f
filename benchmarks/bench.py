"""Benchmarks for rnn_core: seed task, loss_and_grads vs PyTorch, GFLOP/s, sliders, busy CPU.

Run from the repository root:   bash course.sh bench        (or add --quick for a smoke run)
What each section measures, and why, is in benchmarks/README.md.

Rules that every measurement here follows:
- single-threaded BLAS for every contender (the variables below are set before NumPy or
  PyTorch is imported, and torch.set_num_threads(1));
- contenders are timed in alternation, round after round, so that noise from the rest of
  the machine hits all of them; the table shows the median over the rounds;
- before timing, the contenders are checked to compute the same thing.
PyTorch is optional: without it the torch columns say "torch not installed".
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"                # read when the BLAS library is loaded
os.environ.setdefault("MPLBACKEND", "Agg")     # the slider benchmark draws off screen

import argparse
import ctypes
import json
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

import rnn_core
import seed_rnn

try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)

SIZES = [(1, 20, 1, 16), (32, 50, 8, 64), (64, 50, 16, 256)]     # (B, T, D, H)
OUTPUT_SIZE = 1                                                  # O: one number per sequence
TORCH_SPEEDUP_TARGETS = [8.0, 2.3, 1.15]     # torch time / rnn_core time, per size


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------

def seconds_per_call(function, number):
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def compare(contenders, *, rounds, round_seconds):
    """Median seconds per call of each contender, timed in alternation.

    contenders: dict name -> function without arguments. Each round times every contender
    once (the order reversed every other round), calling it often enough to take about
    round_seconds. Returns dict name -> median seconds per call.
    """
    numbers = {}
    for name, function in contenders.items():
        function()                                           # warm up
        once = seconds_per_call(function, 1)
        numbers[name] = max(1, int(round_seconds / max(once, 1e-7)))
    times = {name: [] for name in contenders}
    names = list(contenders)
    for round_ in range(rounds):
        for name in (names if round_ % 2 == 0 else names[::-1]):
            times[name].append(seconds_per_call(contenders[name], numbers[name]))
    return {name: statistics.median(values) for name, values in times.items()}


def fmt_time(seconds):
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def print_table(header, rows):
    """A Markdown table, so that it can be pasted into benchmarks/README.md as it is."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()


# --------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def openblas_kernel():
    """The OpenBLAS kernel NumPy runs (e.g. 'SkylakeX'), or a reason why it is unknown."""
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("internal_api") == "openblas":
                return f"{pool.get('architecture')} (threadpoolctl)"
    except ImportError:
        pass
    # Without threadpoolctl: ask the OpenBLAS library that NumPy loaded, by name.
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        paths = set()
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                       "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(library, symbol):
                function = getattr(library, symbol)
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown (not OpenBLAS, or threadpoolctl not installed)"


def simd_level():
    """NumPy's run-time SIMD targets in use, and the CPU's: e.g. 'X86_V3 (CPU: AVX2, no AVX-512)'.

    The level decides, among others, whether float64 np.tanh is vectorized (AVX-512) or not
    (AVX2), which changes what the benchmarks find (benchmarks/README.md, per machine).
    """
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:                                      # NumPy 1.x
        from numpy.core import _multiarray_umath as umath
    on = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
    avx512 = any("AVX512" in name for name, have in umath.__cpu_features__.items() if have)
    avx2 = umath.__cpu_features__.get("AVX2", False)
    kind = ("AVX-512" if avx512 else "AVX2, no AVX-512" if avx2
            else "no AVX2" if platform.machine().lower() in ("x86_64", "amd64") else "")
    return (" ".join(on) or "baseline " + " ".join(umath.__cpu_baseline__)) + (
        f" (CPU: {kind})" if kind else "")


def tanh_nanoseconds():
    """float64 np.tanh per value, in ns: median of 15 runs over 16384 values (one step's
    tanh at the largest size)."""
    a = np.random.default_rng(0).standard_normal((64, 256))
    out = np.empty_like(a)
    runs = [seconds_per_call(lambda: np.tanh(a, out=out), 20) for _ in range(15)]
    return statistics.median(runs) / a.size * 1e9


def describe_machine():
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    lines = [
        f"CPU: {cpu_model()}, {os.cpu_count()} logical cores (benchmarks use 1 thread)",
        f"SIMD: NumPy {simd_level()}; float64 np.tanh {tanh_nanoseconds():.1f} ns per value",
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"BLAS {blas.get('name', '?')} {blas.get('version', '?')}, "
        f"kernel {openblas_kernel()}",
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}",
        "PyTorch: " + (f"{torch.__version__}, BLAS threads {torch.get_num_threads()}"
                       if torch is not None else "torch not installed"),
    ]
    return lines


def pin_to_one_cpu():
    """Keep this process on one CPU (Linux), so that the contenders of a row, timed in turns,
    run on the same core of a shared VM, whose cores need not run at the same speed.
    Returns the CPUs to give back, or None where affinity cannot be set."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    return allowed


# --------------------------------------------------------------------------------------
# 1. The seed task: the seed's class against rnn_core.SimpleRNN
# --------------------------------------------------------------------------------------

def seed_task(rnn_class, epochs=1000):
    """The training loop of the seed's main(), without its prints; returns the final loss."""
    np.random.seed(0)                                # both classes draw the same weights
    rnn = rnn_class(input_size=1, hidden_size=8, output_size=1)
    sequence = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    target = np.array([0.6])
    for _ in range(epochs):
        hidden_state = np.zeros((8, 1))
        output, _ = rnn.forward(sequence, hidden_state)
        loss = np.mean((output - target) ** 2)
        rnn.output = output
        rnn.backward(target, 0.01)
    return loss


def bench_seed_task(rounds, round_seconds):
    times = compare({"seed": lambda: seed_task(seed_rnn.SimpleRNN),
                     "rnn_core": lambda: seed_task(rnn_core.SimpleRNN)},
                    rounds=rounds, round_seconds=round_seconds)
    ratio = times["rnn_core"] / times["seed"]
    print("## 1. Seed task: 1000 epochs of forward + backward (T = 5, H = 8)\n")
    print_table(["contender", "time (median)", "time / seed"],
                [["seed_rnn.SimpleRNN (3 gradient bugs)", fmt_time(times["seed"]), "1.00"],
                 ["rnn_core.SimpleRNN (exact gradient)", fmt_time(times["rnn_core"]),
                  f"{ratio:.2f}"]])
    return ratio


# --------------------------------------------------------------------------------------
# 2. loss_and_grads against torch.nn.RNN + torch.nn.Linear with autograd
# --------------------------------------------------------------------------------------

def make_problem(B, T, D, H, O=OUTPUT_SIZE):
    rng = np.random.default_rng(0)
    params = rnn_core.init_params(D, H, O, scale=1.0 / np.sqrt(H), seed=rng)
    params["bh"] = rng.standard_normal((H, 1)) * 0.1
    params["by"] = rng.standard_normal((O, 1)) * 0.1
    return params, rng.standard_normal((B, T, D)), rng.standard_normal((B, O))


def torch_modules(params):
    """torch.nn.RNN (tanh) and nn.Linear holding the same weights as params: (rnn, linear).

    torch.nn.RNN has two hidden biases (b_ih + b_hh); b_hh = 0 makes it our model.
    """
    D, H, O = rnn_core.sizes(params)
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
    linear = torch.nn.Linear(H, O, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["Wxh"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["Whh"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["bh"][:, 0]))
        rnn.bias_hh_l0.zero_()
        linear.weight.copy_(torch.from_numpy(params["Why"]))
        linear.bias.copy_(torch.from_numpy(params["by"][:, 0]))
    return rnn, linear


def torch_contender(params, xs, target):
    """A function running torch's forward + backward on the same problem, and its grads."""
    rnn, linear = torch_modules(params)
    x, y_star = torch.from_numpy(xs), torch.from_numpy(target)

    def loss_and_grads():
        rnn.zero_grad()
        linear.zero_grad()
        _, h_T = rnn(x)                        # h_T: (1, B, H)
        loss = torch.nn.functional.mse_loss(linear(h_T[0]), y_star)
        loss.backward()
        return loss

    loss = float(loss_and_grads().detach())
    grads = {"Wxh": rnn.weight_ih_l0.grad, "Whh": rnn.weight_hh_l0.grad,
             "Why": linear.weight.grad, "bh": rnn.bias_ih_l0.grad[:, None],
             "by": linear.bias.grad[:, None]}
    return loss_and_grads, loss, {name: g.numpy().copy() for name, g in grads.items()}


def bare_kernels(params, xs):
    """A function doing only the work of loss_and_grads that no implementation can skip, in a
    bare loop: per step the forward product and tanh (Eqs. (1.1)-(1.2)) and the backward
    product (Eq. (3.5)), then the weight-gradient product (Eqs. (4.1)-(4.3)); no argument
    checks, no loss, no elementwise Eq. (3.4). With rnn_core's row layout and shapes."""
    B, T, D = xs.shape
    H = params["Whh"].shape[0]
    Whh = params["Whh"]
    W_T = np.concatenate((Whh, params["Wxh"], params["bh"]), axis=1).T   # (H+D+1, H)
    Z = rnn_core._stack_states(np.zeros((1, H)), xs.transpose(1, 0, 2))  # rows [h | x | 1]
    deltas = np.random.default_rng(2).standard_normal((T, B, H)) * 0.1

    def run():
        for t in range(1, T + 1):
            np.tanh(np.dot(Z[t - 1], W_T), out=Z[t, :, :H])
        for t in range(T, 0, -1):
            np.dot(deltas[t - 1], Whh)
        np.dot(deltas.reshape(T * B, H).T, Z[:T].reshape(T * B, H + D + 1))
    return run


def gemm_flops(B, T, D, H, O=OUTPUT_SIZE):
    """Multiply-adds x 2 of the matrix products in loss_and_grads (see README)."""
    return 6 * H * H * T * B + 4 * H * D * T * B + 6 * O * H * B


def bench_loss_and_grads(rounds, round_seconds, sizes):
    print("## 2. loss_and_grads against torch.nn.RNN + nn.Linear + autograd (CPU, float64)\n")
    rows, results = [], {}
    for B, T, D, H in sizes:
        params, xs, target = make_problem(B, T, D, H)
        contenders = {"numpy": lambda: rnn_core.loss_and_grads(params, xs, target),
                      "kernels": bare_kernels(params, xs)}
        if torch is not None:
            torch_run, torch_loss, torch_grads = torch_contender(params, xs, target)
            loss, grads = rnn_core.loss_and_grads(params, xs, target)
            assert np.isclose(loss, torch_loss, rtol=1e-10, atol=0.0), (loss, torch_loss)
            for name in rnn_core.PARAM_NAMES:
                assert np.allclose(grads[name], torch_grads[name], rtol=1e-8, atol=1e-12), name
            contenders["torch"] = torch_run
        times = compare(contenders, rounds=rounds, round_seconds=round_seconds)
        results[(B, T, D, H)] = times
        gflops = gemm_flops(B, T, D, H) / 1e9
        row = [f"({B}, {T}, {D}, {H})", fmt_time(times["numpy"]),
               f"{gflops / times['numpy']:.1f}"]
        if torch is not None:
            row += [fmt_time(times["torch"]), f"{gflops / times['torch']:.1f}",
                    f"{times['torch'] / times['numpy']:.2f}x", fmt_time(times["kernels"]),
                    f"{times['torch'] / times['kernels']:.2f}x"]
        else:
            row += ["torch not installed", "-", "-", fmt_time(times["kernels"]), "-"]
        rows.append(row)
    print_table(["(B, T, D, H)", "rnn_core", "GFLOP/s", "torch", "GFLOP/s",
                 "speed-up (torch time / rnn_core time)", "products + tanh alone",
                 "its speed-up"], rows)
    print("(\"products + tanh alone\": the matrix products and tanh of loss_and_grads in a bare "
          "loop, nothing else; its speed-up over torch bounds what any NumPy code with these "
          "kernels can reach)\n")
    if torch is not None:
        print("(gradients checked equal to torch's before timing: rtol 1e-8)\n")
    return results


# --------------------------------------------------------------------------------------
# 3. GFLOP/s at the largest size against one matrix product
# --------------------------------------------------------------------------------------

def bench_gflops(rounds, round_seconds, size):
    """Section 3: (fraction of the reference GEMM's rate, the same bound for the kernels alone)."""
    B, T, D, H = size
    params, xs, target = make_problem(B, T, D, H)
    rng = np.random.default_rng(1)
    Whh, h = params["Whh"], rng.standard_normal((H, B))
    W_T = np.concatenate((Whh, params["Wxh"], params["bh"]), axis=1).T   # (H+D+1, H), a view
    # One step as rnn_core runs it, on the problem's own numbers (tanh's speed depends on
    # them): rows z_{t-1}^T = [h_{t-1} | x_t | 1] (B, H+D+1) at t = T/2, and a_t^T = z^T W^T.
    t = T // 2
    _, hs = rnn_core.forward(params, xs)                                  # (B, T+1, H)
    z_rows = np.concatenate((hs[:, t - 1], xs[:, t - 1], np.ones((B, 1))), axis=1)
    a_rows, h_rows = np.dot(z_rows, W_T), np.empty((B, H))
    delta_rows = rng.standard_normal((B, H))
    deltas, Z_rows = rng.standard_normal((T * B, H)), rng.standard_normal((T * B, H + D + 1))
    contenders = {
        "loss_and_grads": lambda: rnn_core.loss_and_grads(params, xs, target),
        "recurrent GEMM": lambda: np.dot(Whh, h),                   # (H, H) @ (H, B)
        "forward step GEMM": lambda: np.dot(z_rows, W_T),           # Eq. (1.1), stacked W
        "backward step GEMM": lambda: np.dot(delta_rows, Whh),      # Eq. (3.5), as rows
        "weight-gradient GEMM": lambda: np.dot(deltas.T, Z_rows),   # Eqs. (4.1)-(4.3)
        "tanh": lambda: np.tanh(a_rows, out=h_rows),                # Eq. (1.2), one step
        "kernels": bare_kernels(params, xs),
    }
    if torch is not None:              # the same product in PyTorch's BLAS (MKL), for scale
        Whh_torch, h_torch = torch.from_numpy(Whh), torch.from_numpy(h)
        contenders["torch GEMM"] = lambda: torch.mm(Whh_torch, h_torch)
    times = compare(contenders, rounds=rounds, round_seconds=round_seconds)
    flops = {
        "loss_and_grads": gemm_flops(B, T, D, H),
        "recurrent GEMM": 2 * H * H * B,
        "forward step GEMM": 2 * B * (H + D + 1) * H,
        "backward step GEMM": 2 * B * H * H,
        "weight-gradient GEMM": 2 * H * T * B * (H + D + 1),
        "torch GEMM": 2 * H * H * B,
    }
    reference = flops["recurrent GEMM"] / times["recurrent GEMM"] / 1e9
    # The least time loss_and_grads can take with these kernels: T forward products, T tanh,
    # T backward products and the weight-gradient product, and nothing else.
    kernels = times["kernels"]
    bound = flops["loss_and_grads"] / kernels / 1e9 / reference

    def row(what, shape, name):
        if name not in flops:
            return [what, shape, fmt_time(times[name]), "-", "-"]
        rate = flops[name] / times[name] / 1e9
        return [what, shape, fmt_time(times[name]), f"{rate:.1f}", f"{100 * rate / reference:.0f}%"]

    rows = [
        row("loss_and_grads", f"{gemm_flops(B, T, D, H) / 1e9:.3f} GFLOP of products",
            "loss_and_grads"),
        row("recurrent GEMM W_hh h (the reference)", f"({H}, {H}) @ ({H}, {B})",
            "recurrent GEMM"),
        row("forward step: z^T W^T, Eq. (1.1)", f"({B}, {H + D + 1}) @ ({H + D + 1}, {H})",
            "forward step GEMM"),
        row("backward step: delta^T W_hh, Eq. (3.5)", f"({B}, {H}) @ ({H}, {H})",
            "backward step GEMM"),
        row("weight gradients, Eqs. (4.1)-(4.3)", f"({H}, {T * B}) @ ({T * B}, {H + D + 1})",
            "weight-gradient GEMM"),
        row("tanh of one step, Eq. (1.2)",
            f"{B * H} values, {times['tanh'] / (B * H) * 1e9:.1f} ns each", "tanh"),
    ]
    if torch is not None:
        rows.append(row("the recurrent GEMM in torch (its BLAS)", f"({H}, {H}) @ ({H}, {B})",
                        "torch GEMM"))
    print(f"## 3. GFLOP/s at (B, T, D, H) = {size}, against a single matrix product\n")
    print_table(["what", "shape", "time (median)", "GFLOP/s", "% of the recurrent GEMM"], rows)
    print(f"These kernels alone, in a bare loop ({T} forward steps, {T} tanh, {T} backward "
          f"steps, the weight-gradient product; nothing else) take {fmt_time(kernels)}: with "
          f"them, loss_and_grads can reach at most {100 * bound:.0f}% of the reference GEMM's "
          "rate.\n")
    return flops["loss_and_grads"] / times["loss_and_grads"] / 1e9 / reference, bound


# --------------------------------------------------------------------------------------
# 4. Slider response of the explorers in rnn_viz (notebooks 07 and 08)
# --------------------------------------------------------------------------------------

def time_slider(explorer, name, values, repeats):
    """Median seconds from ``slider.value = v`` to the redrawn PNG (synchronous)."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        explorer.sliders[name].value = values[i % len(values)]
        times.append(time.perf_counter() - start)
        if explorer.last_error is not None:
            raise explorer.last_error
    return statistics.median(times)


def bench_sliders(repeats):
    try:
        import rnn_viz
    except ImportError as error:
        print(f"## 4. Slider response: skipped (rnn_viz not importable: {error})\n")
        return None
    print("## 4. Slider response: one slider change -> retrained / recomputed, redrawn PNG\n")
    xs, target = rnn_viz.arithmetic_sequences(200, length=5, seed=0)     # as notebook 07
    data = rnn_viz.split_train_val(xs, target, val_fraction=0.2, seed=0)
    rows, results = [], {}

    training = rnn_viz.TrainingExplorer(*data)
    for label, settings in [("defaults", {}),
                            ("largest", {"hidden_size": training.sliders["hidden_size"].max,
                                         "epochs": training.sliders["epochs"].max})]:
        for name, value in settings.items():
            training.sliders[name].value = value
        values = training.values()
        seconds = time_slider(training, "learning_rate", [0.05, 0.1], repeats)
        train_only = statistics.median(
            seconds_per_call(lambda: training.run(values), 1) for _ in range(max(1, repeats // 2)))
        results[("training", label)] = seconds
        rows.append([f"TrainingExplorer, {label}",
                     f"H {values['hidden_size']}, {values['epochs']} epochs, "
                     f"batch {training.batch_size}",
                     "learning_rate", fmt_time(seconds), fmt_time(train_only)])

    flow = rnn_viz.GradientFlowExplorer()
    for label, settings in [("defaults", {}),
                            ("largest", {"seq_length": flow.sliders["seq_length"].max})]:
        for name, value in settings.items():
            flow.sliders[name].value = value
        values = flow.values()
        seconds = time_slider(flow, "spectral_radius", [0.9, 1.1], repeats)
        compute_only = statistics.median(
            seconds_per_call(lambda: flow.compute(values), 1) for _ in range(max(1, repeats // 2)))
        results[("flow", label)] = seconds
        rows.append([f"GradientFlowExplorer, {label}",
                     f"H {flow.hidden_size}, T {values['seq_length']}", "spectral_radius",
                     fmt_time(seconds), fmt_time(compute_only)])
    print_table(["explorer", "settings", "slider moved", "value set -> PNG (median)",
                 "of which computing"], rows)
    return results


# --------------------------------------------------------------------------------------
# 5. The heaviest explorer setting with BLAS threads limited, on an idle and a busy machine
# --------------------------------------------------------------------------------------

# Run in a fresh interpreter WITHOUT the *_NUM_THREADS variables of this benchmark, so that
# OpenBLAS starts with its default number of threads (one per core), as in a student's
# kernel. argv: repeats, "limit" or "nolimit" (the explorer's own limit switched off).
_SLIDER_CHILD = """
import json, os, statistics, sys, time, contextlib
sys.path.insert(0, os.getcwd())
os.environ["MPLBACKEND"] = "Agg"
import rnn_viz
from threadpoolctl import threadpool_info
repeats, mode = int(sys.argv[1]), sys.argv[2]
if mode == "nolimit":
    class _NoLimit:
        def limit(self, **kwargs):
            return contextlib.nullcontext()
    rnn_viz._blas_controller = _NoLimit
xs, target = rnn_viz.arithmetic_sequences(200, length=5, seed=0)
data = rnn_viz.split_train_val(xs, target, val_fraction=0.2, seed=0)
explorer = rnn_viz.TrainingExplorer(*data, hidden_size=64, epochs=300)
times = []
for i in range(repeats):
    start = time.perf_counter()
    explorer.sliders["learning_rate"].value = [0.05, 0.1][i % 2]
    times.append(time.perf_counter() - start)
    assert explorer.last_error is None, explorer.last_error
threads = max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
print(json.dumps({"median": statistics.median(times), "max": max(times),
                  "blas_threads": threads}))
"""


def _run_slider_child(repeats, mode):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", _SLIDER_CHILD, str(repeats), mode], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_busy_machine(repeats):
    """The heaviest TrainingExplorer redraw (H 64, 300 epochs), with and without the
    explorer's one-BLAS-thread limit, on the machine as it is and with a competing process."""
    print("## 5. Heaviest explorer setting (TrainingExplorer, H 64, 300 epochs): BLAS threads "
          "and a busy machine\n")
    load = os.getloadavg()[0]
    repeats = min(repeats, 5)                  # a 2-thread redraw on a busy machine: ~15 s
    rows = []
    for busy in (False, True):
        spinner = None
        if busy:                                   # one CPU-bound competitor, as in the issue
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            for mode in ("limit", "nolimit"):
                result = _run_slider_child(repeats, mode)
                rows.append(["busy: one CPU-bound process" if busy else "idle (as it is)",
                             "1 (threadpoolctl limit)" if mode == "limit"
                             else f"{result['blas_threads']} (OpenBLAS default)",
                             fmt_time(result["median"]), fmt_time(result["max"])])
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    print(f"{os.cpu_count()} logical cores; 1-minute load average before this section: "
          f"{load:.2f} (other work on the machine counts: 'idle' means no extra process)\n")
    print_table(["machine", "BLAS threads while training", "value set -> PNG (median)",
                 "slowest"], rows)
    return rows


# --------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: few rounds, short rounds (numbers are rough)")
    args = parser.parse_args(argv)
    rounds, round_seconds, slider_repeats = (3, 0.02, 3) if args.quick else (15, 0.2, 9)

    print("# rnn_core benchmarks" + (" (--quick: rough numbers)" if args.quick else "") + "\n")
    for line in describe_machine():
        print(f"- {line}")
    print()
    allowed = pin_to_one_cpu()
    if allowed is not None:
        print(f"(sections 1-3 run on CPU {min(allowed)} only; sections 4-5 on all CPUs)\n")
    ratio = bench_seed_task(rounds, round_seconds)
    results = bench_loss_and_grads(rounds, round_seconds, SIZES)
    fraction, bound = bench_gflops(rounds, round_seconds, SIZES[-1])
    if allowed is not None:
        os.sched_setaffinity(0, allowed)          # section 5 needs both cores
    bench_sliders(slider_repeats)
    bench_busy_machine(slider_repeats)

    print("## Targets\n")
    checks = [("seed task: rnn_core.SimpleRNN time / seed time <= 0.7", ratio <= 0.7,
               f"{ratio:.2f}")]
    if torch is not None:
        for size, want in zip(SIZES, TORCH_SPEEDUP_TARGETS):
            speedup = results[size]["torch"] / results[size]["numpy"]
            checks.append((f"loss_and_grads {size}: >= {want}x torch", speedup >= want,
                           f"{speedup:.2f}x"))
    else:
        checks.append(("loss_and_grads against torch", None, "torch not installed"))
    checks.append((f"{SIZES[-1]}: >= 85% of the recurrent GEMM's GFLOP/s", fraction >= 0.85,
                   f"{100 * fraction:.0f}% (the kernels alone allow {100 * bound:.0f}%)"))
    print_table(["target", "met", "measured"],
                [[text, {True: "yes", False: "NO", None: "-"}[met], value]
                 for text, met, value in checks])
    return 0


if __name__ == "__main__":
    sys.exit(main())
