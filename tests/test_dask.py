"""EM on dask arrays (emlib.backends_dask) and the lazily generated catalogue.

The references are independent of the code under test: a numpy construction
of the catalogue written here, the moments of the true mixture, the
in-memory fit from the same start (itself checked against scikit-learn
elsewhere), emlib.validation's messages on the same data in memory.
"""

import logging
import sys
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

from emlib import backends_dask  # noqa: E402
from emlib.backends_dask import MemoryUse, measure_memory, require_dask  # noqa: E402
from emlib.datasets import catalogue_truth, simulated_catalogue  # noqa: E402


# --------------------------------------------------------------------------
# dask is optional


@pytest.fixture
def without_dask(monkeypatch):
    """Make ``import dask`` fail as if it were not installed (None in sys.modules)."""
    for name in list(sys.modules):
        if name == "dask" or name.startswith(("dask.", "distributed")):
            monkeypatch.delitem(sys.modules, name)
    for name in ("dask", "dask.array", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)


def test_require_dask_says_how_to_install_it(without_dask):
    with pytest.raises(ImportError) as raised:
        require_dask("fit a dask array")
    message = str(raised.value)
    assert "fit a dask array" in message
    assert 'pip install "emlib[scale]"' in message
    assert "conda install -c conda-forge dask distributed" in message


def test_the_catalogue_needs_dask_and_says_so(without_dask):
    with pytest.raises(ImportError, match=r'pip install "emlib\[scale\]"'):
        simulated_catalogue(100, chunk_rows=10)


def test_is_dask_array_does_not_import_dask(without_dask):
    assert not backends_dask.is_dask_array(np.zeros(3))


def test_require_dask_returns_dask_array():
    assert require_dask() is da


def test_import_emlib_works_without_dask():
    """A fresh interpreter where dask cannot be imported: emlib and its modules still load."""
    import subprocess

    code = ("import sys\n"
            "for name in ('dask', 'dask.array', 'distributed'):\n"
            "    sys.modules[name] = None\n"
            "import emlib, emlib.datasets, emlib.backends_dask\n"
            "from emlib import GaussianMixture\n"
            "import numpy as np\n"
            "GaussianMixture(2, random_state=0).fit(np.r_[np.zeros(5), np.ones(5) * 9]"
            " + np.arange(10) * 0.01)\n"
            "print('ok')\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


# --------------------------------------------------------------------------
# the simulated catalogue


def numpy_catalogue(n_rows, chunk_rows, seed, truth):
    """The catalogue built in numpy, block by block, as simulated_catalogue documents it."""
    blocks = []
    for block, start in enumerate(range(0, n_rows, chunk_rows)):
        rows = min(chunk_rows, n_rows - start)
        rng = np.random.default_rng([seed, block])
        labels = rng.choice(len(truth["weights"]), size=rows, p=truth["weights"])
        normals = rng.standard_normal((rows, truth["means"].shape[1]))
        lower = np.linalg.cholesky(truth["covariances"])[labels]
        blocks.append(truth["means"][labels] + np.einsum("nik,nk->ni", lower, normals))
    return np.vstack(blocks)


@pytest.mark.parametrize("n_features, n_components", [(2, 3), (3, 2), (1, 4)])
def test_catalogue_is_the_documented_numpy_construction(n_features, n_components):
    X, truth = simulated_catalogue(1003, chunk_rows=250, n_features=n_features,
                                   n_components=n_components, seed=5)
    assert isinstance(X, da.Array)
    assert X.shape == (1003, n_features) and X.dtype == np.float64
    assert X.chunks[0] == (250, 250, 250, 250, 3)
    expected = numpy_catalogue(1003, 250, 5, truth)
    np.testing.assert_allclose(X.compute(), expected, rtol=0, atol=1e-13)


def test_catalogue_is_the_same_in_any_order_and_on_any_scheduler():
    X, _ = simulated_catalogue(5000, chunk_rows=700, seed=2)
    threaded = X.compute(scheduler="threads")
    assert np.array_equal(threaded, X.compute(scheduler="synchronous"))
    assert np.array_equal(threaded[1400:2100], X.blocks[2].compute())  # one block alone
    again, _ = simulated_catalogue(5000, chunk_rows=700, seed=2)
    assert again.name == X.name and np.array_equal(again.compute(), threaded)
    other_seed, _ = simulated_catalogue(5000, chunk_rows=700, seed=3)
    assert not np.allclose(other_seed.compute(), threaded)


def test_catalogue_truth_is_a_valid_mixture():
    truth = catalogue_truth(n_features=3, n_components=4)
    assert np.isclose(truth["weights"].sum(), 1.0) and np.all(truth["weights"] > 0)
    assert np.all(np.linalg.eigvalsh(truth["covariances"]) > 0)
    np.testing.assert_allclose(truth["covariances"], truth["cholesky_factors"]
                               @ np.swapaxes(truth["cholesky_factors"], 1, 2))
    assert len(np.unique(truth["means"][:, 0])) == 4  # distinct along the first coordinate


def test_catalogue_has_the_moments_of_its_mixture():
    """Mean and covariance of 200 000 rows against those of the true mixture (the maths)."""
    X, truth = simulated_catalogue(200_000, chunk_rows=30_000, seed=0)
    data = X.compute()
    weights, means, covariances = truth["weights"], truth["means"], truth["covariances"]
    mean = weights @ means
    second = np.einsum("j,jab->ab", weights, covariances + np.einsum("ja,jb->jab", means, means))
    covariance = second - np.outer(mean, mean)
    standard_error = np.sqrt(np.diag(covariance) / len(data))
    assert np.all(np.abs(data.mean(axis=0) - mean) < 5 * standard_error)
    np.testing.assert_allclose(np.cov(data.T), covariance, rtol=0.02)
    # The populations in the right proportions: the first coordinate separates them.
    edges = (means[1:, 0] + means[:-1, 0]) / 2
    shares = np.bincount(np.searchsorted(edges, data[:, 0]), minlength=3) / len(data)
    np.testing.assert_allclose(shares, weights, atol=0.01)


@pytest.mark.parametrize("arguments, error, words", [
    ({"n_rows": 0, "chunk_rows": 10}, ValueError, "n_rows must be an integer >= 1"),
    ({"n_rows": 1e6, "chunk_rows": 10}, TypeError, "n_rows must be an integer"),
    ({"n_rows": 100, "chunk_rows": 0}, ValueError, "chunk_rows must be an integer >= 1"),
    ({"n_rows": 100, "chunk_rows": 10, "seed": -1}, ValueError, "seed must be an integer >= 0"),
    ({"n_rows": 100, "chunk_rows": 10, "n_features": 0}, ValueError, "n_features"),
])
def test_catalogue_refuses_bad_arguments(arguments, error, words):
    with pytest.raises(error, match=words):
        simulated_catalogue(**arguments)


# --------------------------------------------------------------------------
# measuring memory


def test_measure_memory_sees_a_numpy_allocation():
    size = 40_000_000  # bytes

    def allocate():
        block = np.ones(size // 8)
        return float(block.sum())

    result, memory = measure_memory(allocate)
    assert result == size // 8
    assert isinstance(memory, MemoryUse)
    assert size <= memory.traced_peak < 1.1 * size
    assert memory.rss_high_water > 0 and memory.rss_growth >= 0

    _, small = measure_memory(lambda: np.ones(1000).sum())
    assert small.traced_peak < 100_000


def test_measure_memory_inside_another_measurement():
    import tracemalloc

    tracemalloc.start()
    try:
        kept = np.ones(1_000_000)  # allocated before: not part of the call
        _, memory = measure_memory(lambda: np.ones(2_000_000).sum())
        assert tracemalloc.is_tracing()  # the outer tracing goes on
    finally:
        tracemalloc.stop()
    assert 16_000_000 <= memory.traced_peak < 17_600_000
    assert kept.size == 1_000_000


# --------------------------------------------------------------------------
# fitting dask arrays: the same iterates as in memory

from emlib import GaussianMixture, Mixture  # noqa: E402
from emlib.initialisation import INIT_METHODS  # noqa: E402
from emlib.likelihood import ZeroDensityError  # noqa: E402

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def chunked(array, rows=70):
    """A numpy array as a dask array in uneven row chunks (the last one shorter)."""
    return da.from_array(array, chunks=(rows,) + array.shape[1:])


def fit_quietly(model, *args, **kwargs):
    """Fit without the ConvergenceWarning of a fixed number of iterations (tol=0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        return model.fit(*args, **kwargs)


def assert_same_fit(on_dask, in_memory, names, atol=1e-10):
    assert on_dask.n_iter_ == in_memory.n_iter_
    np.testing.assert_allclose(on_dask.weights_, in_memory.weights_, rtol=0, atol=atol)
    for name in names:
        np.testing.assert_allclose(getattr(on_dask, name), getattr(in_memory, name),
                                   rtol=1e-10, atol=atol, err_msg=name)
    np.testing.assert_allclose(on_dask.log_likelihoods_, in_memory.log_likelihoods_,
                               rtol=1e-12, atol=0)


def gaussian_from_start(covariance_type, start, **settings):
    weights, means, precisions = start
    return GaussianMixture(3, covariance_type=covariance_type, weights_init=weights,
                           means_init=means, precisions_init=precisions, tol=0, max_iter=12,
                           **settings)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_mixture_on_dask_equals_in_memory(covariance_type, clusters, random_start):
    X = clusters(2)
    start = random_start(covariance_type, 3, 2)
    in_memory = fit_quietly(gaussian_from_start(covariance_type, start), X)
    on_dask = fit_quietly(gaussian_from_start(covariance_type, start), chunked(X))
    assert_same_fit(on_dask, in_memory, ["means_", "covariances_", "precisions_cholesky_"])


def test_sample_weights_as_dask_or_numpy(clusters, random_start):
    X = clusters(3)
    weights = np.random.default_rng(4).uniform(0.0, 3.0, len(X))
    start = random_start("full", 3, 3)
    in_memory = fit_quietly(gaussian_from_start("full", start), X, sample_weight=weights)
    for given in (chunked(weights, 55), weights):
        on_dask = fit_quietly(gaussian_from_start("full", start), chunked(X),
                              sample_weight=given)
        assert_same_fit(on_dask, in_memory, ["means_", "covariances_"])


def poisson_counts():
    rng = np.random.default_rng(2)
    return np.concatenate([rng.poisson(2.0, 400), rng.poisson(11.0, 300)])[:, None].astype(float)


MIXTURES = {  # family: (data, params_init)
    "poisson": (poisson_counts, {"rates": [[1.0], [6.0]]}),
    "exponential": (lambda: np.random.default_rng(3).exponential(
        np.repeat([1.0, 6.0], [400, 300]))[:, None], {"rates": [[2.0], [0.5]]}),
    "bernoulli": (lambda: (np.random.default_rng(5).uniform(size=(700, 6))
                           < np.repeat([[0.2], [0.8]], [400, 300], axis=0)).astype(float),
                  {"means": np.full((2, 6), 0.5) + [[-0.1], [0.1]]}),
    "student_t": (lambda: np.random.default_rng(6).standard_t(4, size=(700, 2))
                  + np.repeat([[0.0, 0.0], [6.0, 2.0]], [400, 300], axis=0),
                  {"means": [[1.0, 0.0], [5.0, 1.0]], "scales": [np.eye(2), np.eye(2)],
                   "dofs": [5.0, 5.0]}),
    "gaussian": (lambda: np.random.default_rng(7).normal(size=(700, 2))
                 + np.repeat([[0.0, 0.0], [4.0, 1.0]], [400, 300], axis=0),
                 {"means": [[1.0, 0.0], [3.0, 1.0]], "covariances": [np.eye(2), np.eye(2)]}),
}


@pytest.mark.parametrize("family", sorted(MIXTURES))
def test_mixture_of_every_family_on_dask_equals_in_memory(family):
    make_data, params_init = MIXTURES[family]
    X = make_data()
    settings = dict(weights_init=[0.5, 0.5], params_init=params_init, tol=0, max_iter=10)
    in_memory = fit_quietly(Mixture(family, 2, **settings), X)
    on_dask = fit_quietly(Mixture(family, 2, **settings), chunked(X, 90))
    assert_same_fit(on_dask, in_memory, [])
    for name, value in in_memory.params_.items():
        np.testing.assert_allclose(on_dask.params_[name], value, rtol=1e-10, atol=1e-10,
                                   err_msg=name)


@pytest.mark.parametrize("init_params", INIT_METHODS)
def test_every_init_method_starts_where_numpy_starts(init_params, clusters):
    """Up to INIT_SAMPLE_ROWS rows the start is computed from all of them, in order."""
    X = clusters(2)
    settings = dict(init_params=init_params, random_state=3, tol=0, max_iter=30)
    in_memory = fit_quietly(GaussianMixture(3, **settings), X)
    on_dask = fit_quietly(GaussianMixture(3, **settings), chunked(X))
    assert_same_fit(on_dask, in_memory, ["means_", "covariances_"])


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_a_start_from_a_sample_of_a_larger_array(init_params, monkeypatch):
    """Above INIT_SAMPLE_ROWS the start comes from a seeded sample; EM reaches the same maximum."""
    monkeypatch.setattr(backends_dask, "INIT_SAMPLE_ROWS", 400)
    X, truth = simulated_catalogue(6000, chunk_rows=700, seed=4)
    settings = dict(init_params=init_params, random_state=0, tol=1e-10, max_iter=1000)
    on_dask = GaussianMixture(3, **settings).fit(X).sort_components()
    again = GaussianMixture(3, **settings).fit(X).sort_components()
    in_memory = GaussianMixture(3, **settings).fit(X.compute()).sort_components()
    np.testing.assert_array_equal(on_dask.means_, again.means_)  # seeded: the same sample
    np.testing.assert_allclose(on_dask.means_, in_memory.means_, atol=1e-6)
    np.testing.assert_allclose(on_dask.weights_, in_memory.weights_, atol=1e-6)
    np.testing.assert_allclose(on_dask.means_, truth["means"], atol=0.1)


def test_start_sample_is_a_proportional_seeded_subset_in_row_order(monkeypatch):
    monkeypatch.setattr(backends_dask, "INIT_SAMPLE_ROWS", 500)
    X = np.arange(6100.0).reshape(-1, 1) * [1.0, -1.0]
    backend = backends_dask.DaskArrays(chunked(X, 1000))  # six blocks of 1000, one of 100
    sample, weights, side = backend.start_sample(np.random.default_rng(1))
    assert sample.shape == (500, 2) and weights is None and side == {}
    rows = sample[:, 0].astype(int)
    np.testing.assert_array_equal(sample, X[rows])  # real rows, each once, in order
    assert np.all(np.diff(rows) > 0)
    per_block = np.bincount(rows // 1000, minlength=7)
    assert per_block.sum() == 500 and np.all(np.abs(per_block - 500 * np.r_[[1000] * 6, 100]
                                                    / 6100) < 1)
    again, _, _ = backends_dask.DaskArrays(chunked(X, 1000)).start_sample(
        np.random.default_rng(1))
    other, _, _ = backends_dask.DaskArrays(chunked(X, 1000)).start_sample(
        np.random.default_rng(2))
    assert np.array_equal(again, sample) and not np.array_equal(other, sample)


# --------------------------------------------------------------------------
# predict and score on dask arrays


@pytest.fixture
def fitted(clusters):
    X = clusters(2)
    return GaussianMixture(3, random_state=0).fit(X), X


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score_samples"])
def test_inference_on_dask_is_lazy_and_equal(fitted, method):
    model, X = fitted
    lazy = getattr(model, method)(chunked(X, 45))
    assert isinstance(lazy, da.Array)
    expected = getattr(model, method)(X)
    assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
    np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-13, atol=1e-15)


def test_float32_dask_input_gives_float32_results(fitted):
    model, X = fitted
    lazy = model.predict_proba(chunked(X.astype(np.float32)))
    assert lazy.dtype == np.float32 and lazy.compute().dtype == np.float32
    np.testing.assert_allclose(lazy.compute(), model.predict_proba(X.astype(np.float32)),
                               rtol=1e-6)


@pytest.mark.parametrize("criterion", ["score", "aic", "bic", "icl"])
def test_scores_and_criteria_on_dask_are_numbers(fitted, criterion):
    model, X = fitted
    value = getattr(model, criterion)(chunked(X))
    assert isinstance(value, float)
    assert value == pytest.approx(getattr(model, criterion)(X), rel=1e-12)


def test_a_point_of_zero_density_is_named_by_its_global_row(fitted):
    model, X = fitted
    far = X.copy()
    far[250] = 1e200  # finite, but its squared distance overflows
    with pytest.raises(ZeroDensityError) as in_memory:
        model.predict(far)
    with pytest.raises(ZeroDensityError) as on_dask:
        model.predict(chunked(far)).compute()
    assert "X[250]" in str(on_dask.value) and on_dask.value.row == 250
    assert str(on_dask.value) == str(in_memory.value)


# --------------------------------------------------------------------------
# bad input: the in-memory messages, for the global row


def message_of(fit, X, **kwargs):
    with pytest.raises((ValueError, TypeError)) as raised:
        fit_quietly(fit(), X, **kwargs)
    return type(raised.value), str(raised.value)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_values_get_the_in_memory_message(value, clusters):
    X = clusters(2)
    X[213, 1] = value
    model = lambda: GaussianMixture(2, random_state=0)  # noqa: E731
    assert message_of(model, chunked(X)) == message_of(model, X)
    assert "X[213, 1]" in message_of(model, chunked(X))[1]


def test_values_too_large_get_the_in_memory_message(clusters):
    X = clusters(2)
    X[150, 0] = 1e160
    model = lambda: GaussianMixture(2, random_state=0)  # noqa: E731
    assert message_of(model, chunked(X)) == message_of(model, X)


@pytest.mark.parametrize("weight", [-0.5, np.nan])
def test_bad_sample_weights_get_the_in_memory_message(weight, clusters):
    X = clusters(2)
    weights = np.ones(len(X))
    weights[222] = weight
    model = lambda: GaussianMixture(2, random_state=0)  # noqa: E731
    expected = message_of(model, X, sample_weight=weights)
    assert message_of(model, chunked(X), sample_weight=chunked(weights)) == expected


def test_a_count_outside_the_support_deep_in_the_array(monkeypatch):
    """The start sample misses it; the family's check of every block finds it, and says where."""
    monkeypatch.setattr(backends_dask, "INIT_SAMPLE_ROWS", 50)
    X = poisson_counts()
    X[655, 0] = 2.5  # not a count
    with pytest.raises(ValueError) as in_memory:
        Mixture("poisson", 2, random_state=0).fit(X)
    with pytest.raises(ValueError) as on_dask:
        Mixture("poisson", 2, random_state=0).fit(chunked(X, 90))
    assert str(in_memory.value).split(";")[0] == str(on_dask.value).split(";")[0]
    assert "X[25, 0] = 2.5" in str(on_dask.value)  # row 655 is row 25 of the block at 630
    assert "rows 630 to 699 of the dask array" in str(on_dask.value)  # the last block


def far_point_and_narrow_start(clusters):
    """Data with X[260] so far out that its density under the narrow start overflows to 0."""
    X = clusters(2)
    X[260] = [1e149, 1e149]  # its squared distance from components this narrow overflows
    settings = dict(weights_init=[0.5, 0.5], means_init=[[0.0, 0.0], [4.0, 2.0]],
                    covariances_init=np.full(2, 1e-12)[:, None, None] * np.eye(2),
                    reg_covar=0.0)
    return X, settings


def test_zero_density_during_the_fit_names_the_global_row(clusters):
    X, settings = far_point_and_narrow_start(clusters)
    with pytest.raises(ZeroDensityError) as in_memory:
        GaussianMixture(2, **settings).fit(X)
    with pytest.raises(ZeroDensityError) as on_dask:
        GaussianMixture(2, **settings).fit(chunked(X))
    assert on_dask.value.row == 260 and str(on_dask.value) == str(in_memory.value)


def test_unknown_chunk_sizes_are_refused_with_the_fix(clusters):
    X = chunked(clusters(2))
    with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
        GaussianMixture(2).fit(X[X[:, 0] > -100])


def test_a_family_whose_m_step_is_not_a_sum_is_refused(clusters):
    family = type("Eq7Family", (), {"additive": False, "name": "eq7"})()
    backend = backends_dask.DaskArrays(chunked(clusters(1)))
    with pytest.raises(ValueError, match="method='xd'"):
        backend.check_family(family)


# --------------------------------------------------------------------------
# memory: a lazily generated 2e7 x 2 array is never gathered


def test_fit_of_a_large_lazy_array_stays_near_one_chunk():
    """320 MB of data; the fit's peak stays a few chunks, and does not grow with the rows."""
    chunk_rows = 100_000
    chunk_bytes = chunk_rows * 2 * 8
    settings = dict(weights_init=[1 / 3] * 3, means_init=[[0.0, 0.0], [4.0, 1.0], [8.0, 1.0]],
                    max_iter=1, tol=0)
    peaks = {}
    for n_rows in (2 * 10**6, 2 * 10**7):
        X, _ = simulated_catalogue(n_rows, chunk_rows=chunk_rows, seed=0)
        model, memory = measure_memory(fit_quietly, GaussianMixture(3, **settings), X)
        peaks[n_rows] = memory.traced_peak
        assert np.all(np.isfinite(model.means_))
    large = X.nbytes
    assert large == 320_000_000
    # Each of the two threads holds one chunk and its E-step (about 6 chunks' worth), plus
    # the start sample (one chunk's worth) and the first call's imports: 14 chunks measured.
    assert peaks[2 * 10**7] < 24 * chunk_bytes < 0.15 * large
    assert peaks[2 * 10**7] < 1.5 * peaks[2 * 10**6]


# --------------------------------------------------------------------------
# a dask.distributed cluster of worker processes


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as local:
        with distributed.Client(local) as client:
            yield client


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_gaussian_mixture_on_a_cluster_equals_in_memory(cluster, covariance_type, clusters,
                                                        random_start):
    X = clusters(2)
    start = random_start(covariance_type, 3, 2)
    in_memory = fit_quietly(gaussian_from_start(covariance_type, start), X)
    on_cluster = fit_quietly(gaussian_from_start(covariance_type, start), chunked(X))
    assert_same_fit(on_cluster, in_memory, ["means_", "covariances_"])
    assert set(cluster.has_what()) and len(cluster.scheduler_info()["workers"]) == 2
    with dask.config.set(scheduler="threads"):  # the same tree of sums: the same bits
        threaded = fit_quietly(gaussian_from_start(covariance_type, start), chunked(X))
    np.testing.assert_array_equal(on_cluster.means_, threaded.means_)


def test_mixture_on_a_cluster_equals_in_memory(cluster):
    make_data, params_init = MIXTURES["poisson"]
    X = make_data()
    settings = dict(weights_init=[0.5, 0.5], params_init=params_init, tol=0, max_iter=10)
    in_memory = fit_quietly(Mixture("poisson", 2, **settings), X)
    on_cluster = fit_quietly(Mixture("poisson", 2, **settings), chunked(X, 90))
    np.testing.assert_allclose(on_cluster.params_["rates"], in_memory.params_["rates"],
                               rtol=1e-10)


def test_catalogue_fit_and_predict_on_a_cluster(cluster):
    X, truth = simulated_catalogue(40_000, chunk_rows=5_000, seed=1)
    model = GaussianMixture(3, random_state=0, tol=1e-6).fit(X).sort_components()
    reference = GaussianMixture(3, random_state=0, tol=1e-6).fit(X.compute()).sort_components()
    np.testing.assert_allclose(model.means_, reference.means_, atol=1e-10)
    labels = model.predict(X)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), reference.predict(X.compute()))
    assert model.bic(X) == pytest.approx(reference.bic(X.compute()), rel=1e-12)


def test_zero_density_on_a_cluster_crosses_processes(cluster, clusters):
    X, settings = far_point_and_narrow_start(clusters)
    with pytest.raises(ZeroDensityError) as on_cluster:
        GaussianMixture(2, **settings).fit(chunked(X))
    assert on_cluster.value.row == 260 and "X[260]" in str(on_cluster.value)


# --------------------------------------------------------------------------
# extreme deconvolution: data and errors chunked alike

from emlib import XDGMM  # noqa: E402


def noisy_measurements(n_samples=600, seed=8):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 4.0]])
    true_values = centres[rng.integers(0, 3, n_samples)] + rng.normal(size=(n_samples, 2)) * 0.6
    deviations = rng.uniform(0.1, 0.8, size=(n_samples, 2))
    return true_values + deviations * rng.standard_normal((n_samples, 2)), deviations


def xd_from_start(**settings):
    return XDGMM(3, tol=0, max_iter=10, method="xd", weights_init=[0.3, 0.3, 0.4],
                 means_init=[[0.5, 0.0], [3.0, 1.0], [1.0, 3.0]],
                 covariances_init=np.repeat(np.eye(2)[np.newaxis], 3, axis=0), **settings)


@pytest.mark.parametrize("errors_as", ["deviations", "covariances", "numpy deviations"])
def test_xdgmm_on_dask_equals_in_memory(errors_as):
    X, deviations = noisy_measurements()
    Xerr = deviations if errors_as != "covariances" else (
        deviations[:, :, None] * np.eye(2) * deviations[:, None, :])
    in_memory = fit_quietly(xd_from_start(), X, Xerr)
    dask_errors = Xerr if errors_as.startswith("numpy") else chunked(Xerr, 110)
    on_dask = fit_quietly(xd_from_start(), chunked(X, 90), dask_errors)  # other chunks: rechunked
    assert_same_fit(on_dask, in_memory, ["means_", "covariances_"])


def test_xdgmm_with_a_shared_projection_on_dask():
    X, deviations = noisy_measurements()
    projection = np.array([[1.0, 0.0], [0.5, 1.0]])
    observed = X @ projection.T
    in_memory = fit_quietly(xd_from_start(), observed, deviations, projection)
    on_dask = fit_quietly(xd_from_start(), chunked(observed), chunked(deviations), projection)
    assert_same_fit(on_dask, in_memory, ["means_", "covariances_"])


def test_xdgmm_predictions_on_dask():
    X, deviations = noisy_measurements()
    model = fit_quietly(xd_from_start(), X, deviations)
    lazy = model.predict_proba(chunked(X), chunked(deviations))
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), model.predict_proba(X, deviations), rtol=1e-12,
                               atol=1e-15)
    assert model.score(chunked(X), chunked(deviations)) == pytest.approx(
        model.score(X, deviations), rel=1e-12)


def test_xdgmm_eq7_is_refused_on_dask_with_the_alternative():
    x, deviations = noisy_measurements()[0][:, 0], noisy_measurements()[1][:, 0]
    with pytest.raises(ValueError, match="method='xd'"):
        XDGMM(2, method="eq7").fit(da.from_array(x, chunks=100), da.from_array(deviations,
                                                                              chunks=100))


def test_xdgmm_bad_errors_in_a_block_are_found():
    X, deviations = noisy_measurements()
    deviations[333, 1] = -0.2
    with pytest.raises(ValueError) as in_memory:
        XDGMM(3).fit(X, deviations)
    with pytest.raises(ValueError) as on_dask:
        XDGMM(3).fit(chunked(X), chunked(deviations))
    assert str(in_memory.value).split(" got ")[0] in str(on_dask.value)
    assert "Xerr[53, 1] = -0.2" in str(on_dask.value)  # row 333 is row 53 of the block at 280
    assert "rows 280 to 349 of the dask array" in str(on_dask.value)


def test_xdgmm_on_a_cluster_equals_in_memory(cluster):
    X, deviations = noisy_measurements()
    in_memory = fit_quietly(xd_from_start(), X, deviations)
    on_cluster = fit_quietly(xd_from_start(), chunked(X), chunked(deviations))
    assert_same_fit(on_cluster, in_memory, ["means_", "covariances_"])
