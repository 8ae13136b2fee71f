"""Re-run every notebook under nbval in several numeric environments, and say which cells differ.

    python course.py test-numerics                          every notebook, every environment
    python course.py test-numerics notebooks/05_*.ipynb     just these notebooks
    python course.py test-numerics --env native --env one-ulp-a
    python course.py test-numerics --list                   the environments, and what they are here

The stored outputs of the notebooks must be true on every student's machine, not only on the one
that stored them. Another CPU (AVX2 or AVX-512), another BLAS kernel or another number of BLAS
threads adds the same numbers in another order or computes tanh to another last bit, and that
changes the last digits of a result; training can amplify them. A cell must print what the math
guarantees, never those digits. This command is the proof: it runs nbval, which compares every
cell's text output with the stored one, in each of these environments on this machine:

    native                  the machine as it is
    numpy-avx2              NumPy without its AVX-512 code (only on a CPU that has AVX-512)
    numpy-baseline          NumPy without any of its run-time SIMD code (its baseline, e.g. SSE4)
    openblas-prescott-2     OpenBLAS forced to its oldest x86 kernel, 2 threads
    openblas-prescott-4     the same with 4 threads
    openblas-sandybridge-1  OpenBLAS's AVX kernel, one thread
    openblas-skylakex-2     OpenBLAS's AVX-512 kernel, 2 threads (only on a CPU with AVX-512):
                            the kernel OpenBLAS picks there itself, unless OPENBLAS_CORETYPE
                            is set, as it is on some machines, to an older one
    one-ulp-a, one-ulp-b    np.tanh, np.exp and np.log one unit in the last place off, as another
                            CPU's math library would be, in two variants

(tools/numerics_env/sitecustomize.py provides the last two and the thread counts, which
OpenBLAS would otherwise cap at the number of cores.)

An environment that this machine cannot provide (no AVX-512 to switch off, a NumPy that does
not use OpenBLAS, a kernel that crashes on this CPU) is skipped, saying why; a probe checks that
every other one really took effect before its notebooks run. Each run's pytest output is kept in
test-artifacts/numerics/<environment>.log. The exit code is 0 only if no cell differs anywhere.
A run that hangs (--time-limit) is stopped and run once more; a second hang is a failure.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "numerics"
SHIM = ROOT / "tools" / "numerics_env"      # sitecustomize.py: one ulp off, BLAS threads

# What one environment looks like from inside: run with its variables set, prints JSON.
PROBE = r"""
import json, numpy as np
try:
    from numpy._core import _multiarray_umath as umath
except ImportError:                                  # NumPy 1.x
    from numpy.core import _multiarray_umath as umath
import threadpoolctl
np.ones((4, 4)) @ np.ones((4, 4))                    # loads the BLAS library
blas = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
print(json.dumps({
    "features": sorted(name for name, on in umath.__cpu_features__.items() if on),
    "dispatch": list(umath.__cpu_dispatch__),
    "baseline": list(umath.__cpu_baseline__),
    "blas": [{key: pool.get(key) for key in ("internal_api", "architecture", "num_threads")}
             for pool in blas],
    "one_ulp": getattr(np.tanh, "one_ulp_off", False),
}))
"""


@dataclass
class Environment:
    name: str
    description: str
    variables: dict = field(default_factory=dict)
    skip_reason: str = ""
    seen: str = ""                                   # what the probe found


def probe(variables):
    """The probe's findings with these variables set, or None and why it failed."""
    env = dict(os.environ, **variables)
    try:
        result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                                text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "the probe did not finish within 120 s"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        if result.returncode < 0:
            last = f"killed by signal {-result.returncode} (an instruction this CPU lacks?)"
        return None, f"Python does not start in it: {last}"
    return json.loads(result.stdout), ""


def blas_text(found):
    pools = found["blas"]
    if not pools:
        return "no BLAS library found"
    return ", ".join(f"{pool['internal_api']} {pool['architecture'] or ''} kernel, "
                     f"{pool['num_threads']} thread{'s' if pool['num_threads'] != 1 else ''}"
                     .replace("  ", " ") for pool in pools)


def with_shim(**variables):
    """variables, plus PYTHONPATH that makes Python import tools/numerics_env/sitecustomize.py."""
    path = os.pathsep.join(filter(None, [str(SHIM), os.environ.get("PYTHONPATH")]))
    return dict(variables, PYTHONPATH=path)


def simd_text(found):
    on = [name for name in found["dispatch"] if name in found["features"]]
    return ("NumPy SIMD: " + " ".join(on) if on
            else "NumPy SIMD: baseline " + (found["baseline"] or ["-"])[-1])


def environments():
    """The environments, each with what the probe saw or why this machine cannot provide it."""
    native, why = probe({})
    if native is None:
        raise SystemExit(f"test-numerics: {why}")
    present = [name for name in native["dispatch"] if name in native["features"]]
    avx512 = [name for name in present if "AVX512" in name or name == "X86_V4"]
    openblas = any(pool["internal_api"] == "openblas" for pool in native["blas"])
    envs = [
        Environment("native", "the machine as it is"),
        Environment("numpy-avx2", "NumPy without its AVX-512 code",
                    {"NPY_DISABLE_CPU_FEATURES": " ".join(avx512)},
                    "" if avx512 else "this CPU has no AVX-512: the same as native"),
        Environment("numpy-baseline", "NumPy limited to its baseline SIMD",
                    {"NPY_DISABLE_CPU_FEATURES": " ".join(present)},
                    "" if present else "NumPy has no run-time SIMD code here to switch off"),
    ]
    for core, threads in [("Prescott", 2), ("Prescott", 4), ("Sandybridge", 1), ("SkylakeX", 2)]:
        # OpenBLAS caps OPENBLAS_NUM_THREADS at the number of cores: the shim sets the threads.
        skip = "" if openblas else "NumPy does not use OpenBLAS here"
        if core == "SkylakeX" and not avx512 and not skip:
            skip = "this CPU has no AVX-512 for OpenBLAS's SkylakeX kernel"
        envs.append(Environment(
            f"openblas-{core.lower()}-{threads}",
            f"OpenBLAS forced to its {core} kernel, {threads} thread{'s' * (threads > 1)}",
            with_shim(OPENBLAS_CORETYPE=core, OPENBLAS_NUM_THREADS=str(threads),
                      BLAS_THREADS=str(threads)),
            skip))
    for variant, letter in [(1, "a"), (2, "b")]:
        envs.append(Environment(
            f"one-ulp-{letter}", "np.tanh, np.exp, np.log one ulp off (another math library)",
            with_shim(ONE_ULP_VARIANT=str(variant))))
    for env in envs:
        if env.skip_reason:
            continue
        found, why = probe(env.variables) if env.variables else (native, "")
        if found is None:
            env.skip_reason = why
            continue
        env.seen = (f"{simd_text(found)}, {blas_text(found)}"
                    + ("; tanh/exp/log one ulp off" if found["one_ulp"] else ""))
        wanted = env.variables
        if "NPY_DISABLE_CPU_FEATURES" in wanted:
            still_on = set(wanted["NPY_DISABLE_CPU_FEATURES"].split()) & set(found["features"])
            if still_on:
                env.skip_reason = f"NumPy did not switch off {' '.join(sorted(still_on))}"
        if "OPENBLAS_CORETYPE" in wanted:
            pools = [pool for pool in found["blas"] if pool["internal_api"] == "openblas"]
            if not pools or pools[0]["num_threads"] != int(wanted["BLAS_THREADS"]):
                env.skip_reason = f"OpenBLAS did not take the setting ({blas_text(found)})"
            elif pools[0]["architecture"] == native["blas"][0]["architecture"]:
                env.skip_reason = (f"OpenBLAS runs its native {pools[0]['architecture']} "
                                   "kernel anyway")
        if "ONE_ULP_VARIANT" in wanted and not found["one_ulp"]:
            env.skip_reason = "tools/numerics_env/sitecustomize.py was not imported"
    return envs


def notebook_cells(path):
    """First source line of each code cell of a notebook, in nbval's numbering (Cell 0, 1, ...)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]).strip().split("\n")[0][:60]
            for cell in cells if cell["cell_type"] == "code"]


def run_pytest(command, variables, log_path, time_limit):
    """Run command with its output in log_path; False if it did not end within time_limit s.

    A run that hangs is stopped with everything it started (pytest, its xdist workers and
    their kernels). Seen once: a kernel died while starting, and jupyter_client's shutdown
    request to it then waited forever inside nbval."""
    posix = os.name == "posix"
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ, **variables),
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=posix)
        try:
            process.wait(timeout=time_limit)
            return True
        except subprocess.TimeoutExpired:
            if posix:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait()
            return False


def run_nbval(env, targets, log_path, time_limit):
    """Run nbval on targets in env; returns (cells run, [(notebook, cell number)] that failed,
    a note: "" or why it ran twice). A run that hangs is run once more: a hang is not a
    numeric difference, but a second one is reported as a failure."""
    junit = log_path.with_suffix(".xml")
    command = [sys.executable, "-m", "pytest", *targets, "-p", "no:cacheprovider", "-q",
               f"--junitxml={junit}"]
    if (os.cpu_count() or 1) >= 2:
        command += ["-n", "2", "--dist", "loadscope"]   # a notebook's cells stay in one kernel
    note = ""
    for _ in range(2):
        junit.unlink(missing_ok=True)
        if run_pytest(command, env.variables, log_path, time_limit):
            break
        note = f"; the first run hung and was stopped after {time_limit:.0f} s, this is the second"
    else:
        return 0, [("pytest", f"hung twice (stopped after {time_limit:.0f} s each time): "
                              f"see {log_path.relative_to(ROOT)}")], ""
    if not junit.exists():
        return 0, [("pytest", f"did not run: see {log_path.relative_to(ROOT)}")], note
    failed, total = [], 0
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            notebook = case.get("classname", "").replace("notebooks.", "")
            failed.append((notebook, case.get("name", "")))
    junit.unlink()
    return total, failed, note


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--env", action="append", default=[], help="run only these environments")
    parser.add_argument("--list", action="store_true", help="list the environments and stop")
    parser.add_argument("--time-limit", type=float, default=900.0, metavar="SECONDS",
                        help="stop an environment's run that takes longer and run it once more "
                             "(default 900, many times what one takes)")
    args = parser.parse_args(argv)
    targets = args.notebooks or sorted(str(path.relative_to(ROOT)) for path in
                                       (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    envs = environments()
    unknown = set(args.env) - {env.name for env in envs}
    if unknown:
        parser.error(f"unknown environment {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(env.name for env in envs)}")
    if args.env:
        envs = [env for env in envs if env.name in args.env]
    if args.list:
        for env in envs:
            print(f"{env.name:<24} {env.description}: "
                  f"{('skipped, ' + env.skip_reason) if env.skip_reason else env.seen}")
        return 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"test-numerics: {len(targets)} notebook(s) in {len(envs)} environments", flush=True)
    summary = []
    for env in envs:
        if env.skip_reason:
            print(f"  {env.name:<24} skipped: {env.skip_reason}", flush=True)
            summary.append((env.name, "skipped"))
            continue
        started = time.monotonic()
        log_path = ARTIFACTS / f"{env.name}.log"
        total, failed, note = run_nbval(env, targets, log_path, args.time_limit)
        seconds = time.monotonic() - started
        if failed or total == 0:
            print(f"  {env.name:<24} {len(failed)} of {total} cells differ ({seconds:.0f} s; "
                  f"{env.seen}{note}); pytest's output: {log_path.relative_to(ROOT)}",
                  flush=True)
            for notebook, cell in failed:
                first_lines = notebook_cells(ROOT / "notebooks" / notebook) if notebook.endswith(
                    ".ipynb") else []
                number = int(cell.split()[-1]) if cell.split()[-1].isdigit() else None
                where = (f": {first_lines[number]}" if number is not None
                         and number < len(first_lines) else "")
                print(f"      {notebook} {cell}{where}")
            summary.append((env.name, f"{len(failed)} cells differ"))
        else:
            print(f"  {env.name:<24} all {total} cells match ({seconds:.0f} s; {env.seen}{note})",
                  flush=True)
            summary.append((env.name, "ok"))
    bad = [name for name, result in summary if result not in ("ok", "skipped")]
    print("test-numerics: " + ("every stored output holds in every environment" if not bad
                               else f"outputs differ in {', '.join(bad)}"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
