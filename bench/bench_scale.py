"""EM at scale: a two-worker dask.distributed cluster on 10^8 rows against numpy on 10^7.

The data are :func:`emlib.datasets.simulated_catalogue` (2 features, 3
Gaussian components), generated lazily block by block on the workers: the
10^8 x 2 array (1.6 GB) is never in any one place. The in-memory run gets
the same catalogue with a tenth of the rows, computed into one numpy array
first. Both run the same EM loop (:func:`emlib.em.run_em`, full
covariances) from the same start for the same number of iterations; a
pass is the E-step and the sums of eqs. 4-6 over all rows.

Printed per run: seconds per iteration (one pass; the dask runs also pay for
generating their data at every pass), nanoseconds per row and iteration,
and peak memory: per worker (tracemalloc peak and resident-set high water,
read on each worker) and in the calling process (tracemalloc peak).

Needs ``emlib[scale]``. The full size takes several minutes on 2 cores; run
smaller with e.g. ``--rows 1e6`` (the numpy run then has 1e5 rows).

Run: ``.venv/bin/python bench/bench_scale.py [--rows 1e8] [--chunk-rows 1e6]
[--iterations 3] [--workers 2]``
"""

import argparse
import logging
import time
import tracemalloc

import numpy as np

from emlib.backends_dask import DaskArrays, _rss_high_water, measure_memory
from emlib.datasets import catalogue_truth, simulated_catalogue
from emlib.em import run_em
from emlib.families.gaussian import GaussianFamily, gaussian_parameters

MB = 1e6


def start_parameters(truth):
    """A start near, not at, the truth: every run climbs the same way."""
    means = truth["means"] + 0.3
    covariances = np.repeat(np.eye(truth["means"].shape[1])[np.newaxis], len(means), axis=0)
    return np.full(len(means), 1.0 / len(means)), gaussian_parameters(means, covariances, "full")


def run_iterations(family, data, weights, params, iterations):
    """Seconds per pass of run_em (its iterations and the final pass) and its result."""
    began = time.perf_counter()
    result = run_em(family, data, weights, params, tol=0.0, max_iter=iterations)
    return (time.perf_counter() - began) / (iterations + 1), result


def start_worker_tracing():
    tracemalloc.start()
    tracemalloc.reset_peak()


def worker_peaks():
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, _rss_high_water()


def on_cluster(rows, chunk_rows, iterations, n_workers):
    from distributed import Client, LocalCluster

    truth = catalogue_truth()
    family = GaussianFamily("full", reg_covar=0.0)
    weights, params = start_parameters(truth)
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        X, _ = simulated_catalogue(rows, chunk_rows=chunk_rows, seed=0)
        backend = DaskArrays(X)
        # A first pass outside the timing: workers import emlib and warm up on their first task.
        backend.sums(family, weights, params, 0)
        client.run(start_worker_tracing)
        (seconds, result), client_memory = measure_memory(
            run_iterations, family, backend, weights, params, iterations)
        peaks = client.run(worker_peaks)
    return {"seconds": seconds, "result": result, "workers": list(peaks.values()),
            "client": client_memory.traced_peak, "data": X.nbytes}


def in_memory(rows, chunk_rows, iterations):
    truth = catalogue_truth()
    family = GaussianFamily("full", reg_covar=0.0)
    weights, params = start_parameters(truth)
    X = simulated_catalogue(rows, chunk_rows=chunk_rows, seed=0)[0].compute()
    (seconds, result), memory = measure_memory(run_iterations, family, X, weights, params,
                                               iterations)
    return {"seconds": seconds, "result": result, "client": memory.traced_peak + X.nbytes,
            "data": X.nbytes, "rss": memory.rss_high_water}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e8, help="rows on the cluster (1e8)")
    parser.add_argument("--numpy-rows", type=float, default=None,
                        help="rows in memory (default: a tenth of --rows)")
    parser.add_argument("--chunk-rows", type=float, default=1e6, help="rows per block (1e6)")
    parser.add_argument("--iterations", type=int, default=3, help="EM iterations (3)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    args = parser.parse_args()
    rows = int(args.rows)
    numpy_rows = int(args.numpy_rows) if args.numpy_rows else max(rows // 10, 1)
    chunk_rows = int(min(args.chunk_rows, rows))

    print(f"EM, 3 full-covariance Gaussians in 2-D, {args.iterations} iterations from the same "
          f"start; blocks of {chunk_rows:.0e} rows")
    cluster = on_cluster(rows, chunk_rows, args.iterations, args.workers)
    memory = in_memory(numpy_rows, min(chunk_rows, numpy_rows), args.iterations)

    header = (f"{'run':<28}{'rows':>8}{'data MB':>10}{'s / iteration':>15}{'ns / row':>10}"
              f"{'peak MB per worker (traced, RSS)':>36}{'caller peak MB':>16}")
    print(header)
    print("-" * len(header))
    worst = max(memory for memory, _ in cluster["workers"])
    worst_rss = max(rss for _, rss in cluster["workers"])
    print(f"{f'dask, {args.workers} worker processes':<28}{rows:>8.0e}{cluster['data'] / MB:>10.0f}"
          f"{cluster['seconds']:>15.2f}{cluster['seconds'] / rows * 1e9:>10.1f}"
          f"{f'{worst / MB:.0f}, {worst_rss / MB:.0f}':>36}{cluster['client'] / MB:>16.1f}")
    print(f"{'numpy, in memory':<28}{numpy_rows:>8.0e}{memory['data'] / MB:>10.0f}"
          f"{memory['seconds']:>15.2f}{memory['seconds'] / numpy_rows * 1e9:>10.1f}"
          f"{'-':>36}{memory['client'] / MB:>16.1f}")
    print()
    print("peak memory of each worker (traced MB):",
          ", ".join(f"{traced / MB:.0f}" for traced, _ in cluster["workers"]))
    print("caller peak: tracemalloc in the calling process (for numpy: the data plus EM's "
          "working arrays).")
    for name, run in (("dask", cluster), ("numpy", memory)):
        means = run["result"].params["means"]
        print(f"{name} fitted means: {np.round(means[np.argsort(means[:, 0])], 3).tolist()}")


if __name__ == "__main__":
    main()
