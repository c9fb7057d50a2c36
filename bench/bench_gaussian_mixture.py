"""Time emlib.GaussianMixture against sklearn.mixture.GaussianMixture.

Both start from the same parameters (weights_init, means_init,
precisions_init) and run a fixed number of EM iterations (tol=0), in one
process, alternating, several times; the median time is reported. Peak
memory is measured with tracemalloc (which sees numpy's allocations) in the
first, untimed, fit of each, which also warms caches up.

Cases and targets (emlib time / scikit-learn time):
  (a) 1-D, N = 10^6, K = 3:                  ratio <= 0.5
  (b) d = 5, N = 2 x 10^5, K = 5, full:       ratio <= 1.0

Run: .venv/bin/python bench/bench_gaussian_mixture.py [--repeats 5] [--budget 40] [--threads N]
Each case spends about --budget seconds at most on timed fits (fewer repeats
on a slow or busy machine, never fewer than one). Timings are noisy on a
shared machine; rerun on a quiet one for numbers worth quoting.
"""

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
import sklearn.mixture
from threadpoolctl import threadpool_info, threadpool_limits

import emlib

MAX_ITER = 20


def make_case(n_samples, n_features, n_components, seed):
    """Data from a known mixture, and a start a little away from the truth."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 4.0, size=(n_components, n_features))
    scales = rng.uniform(0.5, 1.5, size=n_components)
    labels = rng.integers(0, n_components, size=n_samples)
    X = means[labels] + scales[labels, np.newaxis] * rng.standard_normal((n_samples, n_features))
    start = {
        "weights_init": np.full(n_components, 1.0 / n_components),
        "means_init": means + rng.normal(0.0, 0.5, size=means.shape),
        "precisions_init": np.repeat(np.eye(n_features)[np.newaxis], n_components, axis=0),
    }
    return X, start


CASES = {
    "(a) 1-D, N=10^6, K=3, full": (make_case(1_000_000, 1, 3, seed=1), "full", 0.5),
    "(b) d=5, N=2x10^5, K=5, full": (make_case(200_000, 5, 5, seed=2), "full", 1.0),
}
ESTIMATORS = {"emlib": emlib.GaussianMixture, "sklearn": sklearn.mixture.GaussianMixture}


def fit(estimator, X, covariance_type, start):
    model = estimator(n_components=len(start["weights_init"]), covariance_type=covariance_type,
                      tol=0.0, max_iter=MAX_ITER, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        return model.fit(X)


def timed(estimator, X, covariance_type, start):
    begin = time.perf_counter()
    model = fit(estimator, X, covariance_type, start)
    return time.perf_counter() - begin, model


def fit_with_peak_memory(estimator, X, covariance_type, start):
    """One fit, the peak bytes it allocated (the data itself excluded) and its time."""
    tracemalloc.start()
    begin = time.perf_counter()
    model = fit(estimator, X, covariance_type, start)
    elapsed = time.perf_counter() - begin
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return model, peak, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed fits per estimator")
    parser.add_argument("--budget", type=float, default=40.0,
                        help="seconds of timed fits per case, at most (about)")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS/OpenMP threads (e.g. 1 on a busy shared machine)")
    args = parser.parse_args()
    if args.threads is not None:
        threadpool_limits(args.threads)

    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, emlib "
          f"{emlib.__version__}; {MAX_ITER} EM iterations per fit, median of up to "
          f"{args.repeats} alternating runs")
    for pool in threadpool_info():
        print(f"  threadpool: {pool.get('internal_api')} {pool.get('version')} "
              f"({pool.get('threading_layer', '-')}), {pool.get('num_threads')} threads, "
              f"{pool.get('filepath')}")
    print()

    results = []
    for name, ((X, start), covariance_type, target) in CASES.items():
        # A first, untimed fit of each: warms up, measures memory, and checks
        # that both compute the same thing.
        models, memory, first = {}, {}, 0.0
        for label, estimator in ESTIMATORS.items():
            models[label], peak, elapsed = fit_with_peak_memory(estimator, X, covariance_type,
                                                                start)
            memory[label], first = peak / 2**20, first + elapsed
        difference = np.max(np.abs(models["emlib"].means_ - models["sklearn"].means_)
                            / np.abs(models["sklearn"].means_).max())
        repeats = int(min(args.repeats, max(1, args.budget // first)))
        times = {label: [] for label in ESTIMATORS}
        for _ in range(repeats):
            for label, estimator in ESTIMATORS.items():  # alternate, so load hits both alike
                times[label].append(timed(estimator, X, covariance_type, start)[0])
        median = {label: float(np.median(values)) for label, values in times.items()}
        ratio = median["emlib"] / median["sklearn"]
        results.append((name, ratio, target))
        print(name)
        print(f"  data {X.shape}, {X.nbytes / 2**20:.0f} MiB; max relative difference of "
              f"the means after {MAX_ITER} iterations: {difference:.1e}")
        for label in ESTIMATORS:
            spread = ", ".join(f"{t:.2f}" for t in times[label])
            print(f"  {label:8s} median {median[label]:6.3f} s  (runs: {spread})  "
                  f"peak memory {memory[label]:7.1f} MiB")
        print(f"  ratio emlib/sklearn = {ratio:.2f}  (target <= {target}): "
              f"{'met' if ratio <= target else 'NOT met'}")
        print()

    print("summary")
    for name, ratio, target in results:
        print(f"  {name:32s} ratio {ratio:5.2f}   target <= {target}   "
              f"{'met' if ratio <= target else 'NOT met'}")


if __name__ == "__main__":
    main()
