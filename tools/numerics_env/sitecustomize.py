"""Numeric environments this machine does not have, for `python course.py test-numerics`.

test-numerics puts this folder on PYTHONPATH, so that Python imports this file at start-up (as
sitecustomize) in pytest and in every notebook kernel. It does nothing unless one of these is
set:

ONE_ULP_VARIANT (an integer): another math library, emulated. CPUs and libraries differ in the
    last bit of tanh and exp (NumPy's AVX-512 tanh is not its AVX2 tanh); on a machine that has
    only one of them, this is how the course sees whether its stored outputs survive the other.
    Every float64 result of np.tanh, np.exp and np.log is moved down, up or not at all by one
    unit in the last place, as a fixed function of its bits (the same input always gives the
    same output, as in a real library); the variant picks another such function. Results that
    every library returns exactly stay exact: tanh(0) = 0, tanh of a large number = 1,
    exp(0) = 1, log(1) = 0, inf and NaN.
BLAS_THREADS (an integer): that many BLAS threads, set through threadpoolctl. OpenBLAS caps
    OPENBLAS_NUM_THREADS at the number of cores, so on a 2-core machine this is the only way to
    run its 4-thread code paths.
"""

import os

if os.environ.get("ONE_ULP_VARIANT") or os.environ.get("BLAS_THREADS"):
    import numpy as np

if os.environ.get("BLAS_THREADS"):
    import threadpoolctl

    np.ones((2, 2)) @ np.ones((2, 2))                       # loads the BLAS library first
    _limits = threadpoolctl.threadpool_limits(int(os.environ["BLAS_THREADS"]), user_api="blas")

if os.environ.get("ONE_ULP_VARIANT"):
    _MULTIPLIER = np.uint64((0x9E3779B97F4A7C15 + 2 * int(os.environ["ONE_ULP_VARIANT"]))
                            % 2**64)

    def _nudged(values):
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore"):
            mixed = values.view(np.uint64) * _MULTIPLIER    # wraps around: a hash of the bits
        step = (mixed >> np.uint64(62)).astype(np.int64) % 3 - 1   # -1, 0 or +1
        exact = (values == 0) | (np.abs(values) == 1) | ~np.isfinite(values)
        step = np.where(exact, 0, step)
        return np.where(step > 0, np.nextafter(values, np.inf),
                        np.where(step < 0, np.nextafter(values, -np.inf), values))

    def _one_ulp_off(ufunc):
        def function(*args, out=None, **kwargs):
            if out is None:
                result = ufunc(*args, **kwargs)
                if getattr(result, "dtype", None) != np.float64:
                    return result
                moved = _nudged(result)
                return moved if isinstance(result, np.ndarray) else np.float64(moved)
            result = ufunc(*args, out=out, **kwargs)
            target = out[0] if isinstance(out, tuple) else out
            if isinstance(target, np.ndarray) and target.dtype == np.float64:
                target[...] = _nudged(target)
            return result
        function.__name__ = function.__qualname__ = ufunc.__name__
        function.one_ulp_off = True                         # test_numerics checks it is active
        return function

    for _name in ("tanh", "exp", "log"):
        setattr(np, _name, _one_ulp_off(getattr(np, _name)))
