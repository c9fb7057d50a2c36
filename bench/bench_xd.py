"""Extreme deconvolution: time per EM iteration, emlib.XDGMM against astroML's XDGMM.

N = 20000 points in d = 2 with heteroscedastic, full (correlated) error
covariances; K = 3 components. Both start from the same parameters. One
astroML iteration is what its ``fit`` loop does per pass: ``_EMstep`` and
``logL``. One emlib iteration is one pass of the shared EM loop
(:func:`emlib.em.run_em`: E-step with ln L, then M-step). The parameters
after the same number of iterations are compared too, so the two are
timed doing the same work. Target: emlib at least 100 times faster.

The two are timed alternately, REPEATS times in one process, and the
speed-up reported is the median of the REPEATS ratios, so that a burst of
other work on a shared machine slows both sides of one ratio rather than
one side of the result. Peak memory of one iteration of each is measured
separately, with tracemalloc (which sees numpy's arrays). Exits with 1 if
the median misses the target.

Run: ``.venv/bin/python bench/bench_xd.py`` (or ``python3 course.py bench``).
"""

import sys
import time
import tracemalloc
import warnings

import numpy as np
from astroML.density_estimation import XDGMM as AstroMLXDGMM

from emlib.deconvolution import Measurements
from emlib.em import run_em
from emlib.families.xd import ExtremeDeconvolutionFamily

N, D, K = 20_000, 2, 3
ASTROML_ITERATIONS = 1  # per repeat: about 5 s each
EMLIB_ITERATIONS = 20  # per repeat
REPEATS = 5
TARGET = 100.0


def data(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 1.0], [1.0, 3.5]])
    Y = centres[rng.integers(0, K, N)] + rng.normal(size=(N, D)) * [0.8, 0.4]
    factors = rng.normal(size=(N, D, D)) * rng.uniform(0.05, 0.6, (N, 1, 1))
    S = factors @ np.swapaxes(factors, 1, 2)
    X = Y + np.einsum("nij,nj->ni", factors, rng.standard_normal((N, D)))
    start = (np.full(K, 1.0 / K), centres + 0.5, np.tile(np.eye(D), (K, 1, 1)))
    return X, S, start


def time_astroml(X, S, start, n_iter):
    model = AstroMLXDGMM(n_components=K)
    model.alpha, model.mu, model.V = (np.array(value) for value in start)
    began = time.perf_counter()
    for _ in range(n_iter):
        model._EMstep(X, S)
        model.logL(X, S)
    return (time.perf_counter() - began) / n_iter, model


def time_emlib(X, S, start, n_iter):
    family = ExtremeDeconvolutionFamily(reg_covar=0.0)
    weights, means, covariances = start
    params = {"means": means, "covariances": covariances}
    began = time.perf_counter()
    result = run_em(family, Measurements(X, S, None), weights, params, tol=0.0, max_iter=n_iter)
    return (time.perf_counter() - began) / n_iter, result


def peak_memory(function):
    """Peak bytes that ``function()`` allocates beyond what is held when it starts."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    X, S, start = data()
    print(f"XD per-iteration time, N = {N}, d = {D}, K = {K}, full heteroscedastic errors")
    time_emlib(X, S, start, 3)  # warm-up
    ratios, astroml_times, emlib_times = [], [], []
    for repeat in range(REPEATS):
        # Alternate which goes first, so neither always follows the other's garbage.
        if repeat % 2 == 0:
            emlib_time, _ = time_emlib(X, S, start, EMLIB_ITERATIONS)
            astroml_time, astroml_model = time_astroml(X, S, start, ASTROML_ITERATIONS)
        else:
            astroml_time, astroml_model = time_astroml(X, S, start, ASTROML_ITERATIONS)
            emlib_time, _ = time_emlib(X, S, start, EMLIB_ITERATIONS)
        astroml_times.append(astroml_time)
        emlib_times.append(emlib_time)
        ratios.append(astroml_time / emlib_time)
    # Same work: the same iterates after the same number of steps.
    _, check = time_emlib(X, S, start, ASTROML_ITERATIONS)
    difference = max(np.abs(check.weights - astroml_model.alpha).max(),
                     np.abs(check.params["means"] - astroml_model.mu).max(),
                     np.abs(check.params["covariances"] - astroml_model.V).max())
    astroml_memory = peak_memory(lambda: time_astroml(X, S, start, 1))
    emlib_memory = peak_memory(lambda: time_emlib(X, S, start, 1))
    ratio = float(np.median(ratios))
    print(f"  astroML XDGMM : {np.median(astroml_times) * 1e3:9.1f} ms per iteration (median "
          f"of {REPEATS} x {ASTROML_ITERATIONS}), peak memory {astroml_memory / 1e6:6.1f} MB")
    print(f"  emlib XDGMM   : {np.median(emlib_times) * 1e3:9.1f} ms per iteration (median "
          f"of {REPEATS} x {EMLIB_ITERATIONS}), peak memory {emlib_memory / 1e6:6.1f} MB")
    print(f"  largest parameter difference after {ASTROML_ITERATIONS} iteration(s): "
          f"{difference:.1e}")
    print(f"  speed-ups of the {REPEATS} repeats: "
          + ", ".join(f"{value:.0f}x" for value in sorted(ratios)))
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"  speed-up: {ratio:.0f}x median ({verdict} the target of {TARGET:.0f}x)")
    return ratio


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sys.exit(0 if main() >= TARGET else 1)
