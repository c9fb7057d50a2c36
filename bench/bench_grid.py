"""emlib.GaussianMixture against sklearn.mixture.GaussianMixture on a grid of sizes.

The grid is d in {1, 5, 50} features, K in {3, 30} components, N in {10^4,
10^5, 10^6} samples and all four covariance types. Every cell runs in this one
process, emlib and scikit-learn alternating, on the same data (a mixture of K
Gaussians drawn with a fixed seed).

EM part (the table the exit status looks at)
    Both start from the same explicit parameters (``weights_init``,
    ``means_init``, ``precisions_init``) and run a fixed number of iterations
    (``tol=0``, ``max_iter=--iterations``). scikit-learn is given
    ``init_params='random_from_data'``, its cheapest start, which it computes
    and then overrides with the given parameters (emlib skips a start whose
    values are all given); with the default ``'kmeans'`` it would also run a
    k-means it then throws away, which would flatter emlib.
Whole default fits (``--default-fits``, on by default for the smaller cells)
    ``GaussianMixture(K, covariance_type=...)`` with every other setting at its
    default (k-means start, ``tol=1e-3``, ``max_iter=100``), ``random_state=0``.
    The two runs can take different numbers of iterations (printed), so their
    ratio mixes the start, the iteration count and the speed of an iteration.
    emlib's k-means start is scikit-learn's own ``KMeans``, drawing from the
    same stream, so the start is the same code in both.

Peak memory is measured with :mod:`tracemalloc` (which sees numpy's
allocations; the data themselves are allocated before and not counted) in a
first, untimed fit of each estimator, which also warms caches up; the time is
the median of ``--repeats`` further fits, alternating. The table prints, per
cell: d, K, N, covariance type, emlib and scikit-learn seconds, their ratio,
emlib and scikit-learn peak MB, their ratio.

The exit status is 1 if some time or memory ratio of the EM part exceeds
``1 + --margin`` (default margin 0.10, for the noise of a shared machine),
else 0.

Run: ``.venv/bin/python bench/bench_grid.py [--max-rows 1e5] [--max-work 1e10]
[--full] [--iterations 5] [--repeats 1] [--threads N] [--margin 0.1]``.
The default skips the cells with N > ``--max-rows`` and those whose
full-covariance work N K d^2 exceeds ``--max-work`` (the slowest, about a
minute each); it takes a few minutes on two cores. ``--full`` runs every
cell, N up to 10^6 (about 40 minutes with one thread, and a few GB of memory;
the output of one such run is in ``bench/results/bench_grid_full.txt``).
Timings on a shared machine are noisy; rerun on a quiet one for numbers
worth quoting.
"""

import argparse
import itertools
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
import sklearn.mixture
from threadpoolctl import threadpool_info, threadpool_limits

import emlib

DIMENSIONS = (1, 5, 50)
COMPONENTS = (3, 30)
ROWS = (10_000, 100_000, 1_000_000)
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
ESTIMATORS = {"emlib": emlib.GaussianMixture, "sklearn": sklearn.mixture.GaussianMixture}
MB = 2**20


def make_data(n_samples, n_features, n_components, seed=0):
    """Samples from a known mixture of spherical Gaussians of different widths, and its means."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 4.0, size=(n_components, n_features))
    scales = rng.uniform(0.5, 1.5, size=n_components)
    labels = rng.integers(0, n_components, size=n_samples)
    X = means[labels]
    X += scales[labels, np.newaxis] * rng.standard_normal((n_samples, n_features))
    return X, means


def start_for(means, covariance_type, seed=1):
    """Equal weights, means a little away from the truth, unit precisions in the type's shape."""
    rng = np.random.default_rng(seed)
    n_components, n_features = means.shape
    precisions = {"full": np.repeat(np.eye(n_features)[np.newaxis], n_components, axis=0),
                  "tied": np.eye(n_features), "diag": np.ones((n_components, n_features)),
                  "spherical": np.ones(n_components)}[covariance_type]
    return {"weights_init": np.full(n_components, 1.0 / n_components),
            "means_init": means + rng.normal(0.0, 0.5, size=means.shape),
            "precisions_init": precisions}


def em_fit(label, X, covariance_type, start, iterations):
    """The EM part: the same start, ``iterations`` EM iterations."""
    extra = {"init_params": "random_from_data", "random_state": 0} if label == "sklearn" else {}
    model = ESTIMATORS[label](n_components=len(start["weights_init"]),
                              covariance_type=covariance_type, tol=0.0, max_iter=iterations,
                              **start, **extra)
    return model.fit(X)


def default_fit(label, X, covariance_type, n_components):
    """A whole fit with the defaults: k-means start, tol=1e-3, max_iter=100."""
    model = ESTIMATORS[label](n_components=n_components, covariance_type=covariance_type,
                              random_state=0)
    return model.fit(X)


def peak_and_time(function):
    """Run ``function()`` under tracemalloc: its result, peak traced bytes and seconds."""
    tracemalloc.start()
    begin = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - begin
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak, elapsed


def compare(fit, repeats):
    """Peak memory (first, untimed fit of each) and median time of ``repeats`` alternating fits.

    ``fit(label)`` fits one estimator. Returns {label: (seconds, peak MB, model)}.
    """
    models, peaks = {}, {}
    for label in ESTIMATORS:
        models[label], peaks[label], _ = peak_and_time(lambda: fit(label))
    times = {label: [] for label in ESTIMATORS}
    for _ in range(repeats):
        for label in ESTIMATORS:  # alternating, so a burst of load hits both alike
            begin = time.perf_counter()
            fit(label)
            times[label].append(time.perf_counter() - begin)
    return {label: (float(np.median(times[label])), peaks[label] / MB, models[label])
            for label in ESTIMATORS}


def cells(args):
    """The grid's cells that this run measures, and the ones it skips."""
    chosen, skipped = [], []
    for n_features, n_components, n_samples in itertools.product(
            args.dimensions, args.components, ROWS):
        too_big = not args.full and (n_samples > args.max_rows
                                     or n_samples * n_components * n_features**2 > args.max_work)
        (skipped if too_big else chosen).append((n_features, n_components, n_samples))
    return chosen, skipped


HEADER = (f"{'d':>3} {'K':>3} {'N':>8} {'type':>9} {'emlib s':>9} {'sklearn s':>9} "
          f"{'time':>6} {'emlib MB':>9} {'sklearn MB':>10} {'memory':>6}")


def row(n_features, n_components, n_samples, covariance_type, result, note=""):
    (e_time, e_peak, _), (s_time, s_peak, _) = result["emlib"], result["sklearn"]
    return (f"{n_features:>3} {n_components:>3} {n_samples:>8.0e} {covariance_type:>9} "
            f"{e_time:>9.3f} {s_time:>9.3f} {e_time / s_time:>6.2f} {e_peak:>9.1f} "
            f"{s_peak:>10.1f} {e_peak / s_peak:>6.2f}{note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=float, default=1e5,
                        help="skip cells with more samples (default 1e5)")
    parser.add_argument("--max-work", type=float, default=1e10,
                        help="skip cells with N K d^2 above this (default 1e10)")
    parser.add_argument("--full", action="store_true", help="every cell, N up to 1e6")
    parser.add_argument("--iterations", type=int, default=5, help="EM iterations per fit (5)")
    parser.add_argument("--repeats", type=int, default=1, help="timed fits per estimator (1)")
    parser.add_argument("--margin", type=float, default=0.10,
                        help="a ratio up to 1 + margin passes (default 0.10)")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS/OpenMP threads (e.g. 1 on a busy shared machine)")
    parser.add_argument("--dimensions", type=int, nargs="+", default=DIMENSIONS)
    parser.add_argument("--components", type=int, nargs="+", default=COMPONENTS)
    parser.add_argument("--types", nargs="+", default=COVARIANCE_TYPES)
    parser.add_argument("--default-fit-rows", type=float, default=1e4,
                        help="whole default fits for cells with at most this many samples "
                             "(default 1e4; 0 for none)")
    args = parser.parse_args()
    if args.threads is not None:
        threadpool_limits(args.threads)

    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, emlib "
          f"{emlib.__version__}")
    for pool in threadpool_info():
        print(f"  threadpool: {pool.get('internal_api')} {pool.get('version')} "
              f"({pool.get('threading_layer', '-')}), {pool.get('num_threads')} threads, "
              f"{pool.get('filepath')}")
    chosen, skipped = cells(args)
    print(f"\nEM part: same start, {args.iterations} iterations (tol=0); time = median of "
          f"{args.repeats} alternating fit(s); peak = tracemalloc peak of a first fit")
    print(HEADER)
    print("-" * len(HEADER))
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        for n_features, n_components, n_samples in chosen:
            X, means = make_data(n_samples, n_features, n_components)
            for covariance_type in args.types:
                start = start_for(means, covariance_type)
                result = compare(lambda label: em_fit(label, X, covariance_type, start,
                                                      args.iterations), args.repeats)
                models = [result[label][2] for label in ESTIMATORS]
                difference = np.abs(models[0].means_ - models[1].means_).max()
                ratios = [result["emlib"][i] / result["sklearn"][i] for i in (0, 1)]
                over = max(ratios) > 1.0 + args.margin
                if over:
                    failures.append((n_features, n_components, n_samples, covariance_type))
                print(row(n_features, n_components, n_samples, covariance_type, result,
                          f"  |means diff| {difference:.0e}" + ("  OVER" if over else "")),
                      flush=True)
        if skipped:
            print("skipped (--max-rows, --max-work; --full runs them): " + ", ".join(
                f"d={d} K={k} N={n:.0e}" for d, k, n in skipped))

        defaults = [cell for cell in chosen if cell[2] <= args.default_fit_rows]
        if defaults:
            print("\nWhole default fits (k-means start, tol=1e-3, max_iter=100, random_state=0);"
                  " the same start (scikit-learn's KMeans, same stream) and so the same iterations")
            print(HEADER + f" {'iterations':>12}")
            print("-" * (len(HEADER) + 13))
        for n_features, n_components, n_samples in defaults:
            X, _ = make_data(n_samples, n_features, n_components)
            for covariance_type in args.types:
                result = compare(lambda label: default_fit(label, X, covariance_type,
                                                           n_components), args.repeats)
                iterations = "/".join(str(result[label][2].n_iter_) for label in ESTIMATORS)
                print(row(n_features, n_components, n_samples, covariance_type, result,
                          f" {iterations:>12}"), flush=True)

    print()
    if failures:
        print(f"{len(failures)} EM cell(s) above {1 + args.margin:.2f}: " + ", ".join(
            f"d={d} K={k} N={n:.0e} {kind}" for d, k, n, kind in failures))
        raise SystemExit(1)
    print(f"every EM ratio is at most {1 + args.margin:.2f}")


if __name__ == "__main__":
    main()
