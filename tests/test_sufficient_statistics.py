"""The EM loop as sums: the statistics route gives the equations' own iterates.

The loop computes every M-step from sums over the samples (emlib.backends), so
that chunks can be added up. These tests run EM with the equations written out
plainly (eq. 2, then eqs. 4-6 on the whole array, centred at the new means)
and require the same iterates to 1e-12, for every covariance type, in 1-D and
d-D, far from the origin and with sample weights; and they cut the data into
chunks anywhere and require the same fit again.
"""

import numpy as np
import pytest

from emlib import GaussianMixture, Mixture
from emlib.backends import Chunked, InMemory, add_sums, chunk_sums
from emlib.em import run_em
from emlib.families import GaussianFamily, PoissonFamily, StudentTFamily
from emlib.gaussian import (gaussian_statistics, log_gaussian_densities,
                            means_and_covariances_from_statistics, update_covariances,
                            update_means)
from emlib.likelihood import effective_counts, responsibilities, update_weights

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
# Fixed numbers of iterations on purpose: the comparison is of iterates, not of fits.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def data(n_features, offset, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (3, n_features))
    X = np.vstack([rng.normal(c, 1.0, (60, n_features)) for c in centres])
    return X + offset


def plain_em(X, weights, means, covariances, covariance_type, n_iter, sample_weight):
    """EM as the text writes it: eq. 2, then eqs. 6, 4 and 5, on the whole array."""
    for _ in range(n_iter):
        full = _as_full(covariances, covariance_type, *means.shape)
        log_densities = log_gaussian_densities(X, means, full, "full")
        resp = responsibilities(log_densities, weights) * sample_weight[:, np.newaxis]
        counts = effective_counts(resp)
        weights = update_weights(resp)
        means = update_means(X, resp, counts)
        covariances = update_covariances(X, resp, counts, means, covariance_type, 1e-6)
    return weights, means, covariances


def _as_full(covariances, covariance_type, n_components, n_features):
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return covariances[:, :, np.newaxis] * np.eye(n_features)
    return covariances[:, np.newaxis, np.newaxis] * np.eye(n_features)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_the_statistics_route_gives_the_plain_equations_iterates(covariance_type, n_features,
                                                                 offset):
    X = data(n_features, offset)
    sample_weight = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    start = GaussianMixture(3, covariance_type=covariance_type, max_iter=0,
                            random_state=0).fit(X)
    model = GaussianMixture(3, covariance_type=covariance_type, max_iter=25, tol=0,
                            weights_init=start.weights_, means_init=start.means_,
                            precisions_init=start.precisions_).fit(X, sample_weight=sample_weight)
    weights, means, covariances = plain_em(X, start.weights_, start.means_, start.covariances_,
                                           covariance_type, 25, sample_weight)
    # Data at 1e4 with unit spread carry their digits only to eps * 1e4: any two correct
    # implementations differ by that much, so the tolerance grows with the offset.
    tolerance = 1e-12 * (1 + offset)
    np.testing.assert_allclose(model.weights_, weights, rtol=tolerance, atol=1e-14)
    np.testing.assert_allclose(model.means_, means, rtol=1e-12, atol=tolerance)
    np.testing.assert_allclose(model.covariances_, covariances, rtol=10 * tolerance)


def test_shifted_statistics_keep_a_small_spread_far_from_the_origin():
    # A spread of 1e-3 at 1e8: the uncentred sum of x^2 would keep no digit of it.
    rng = np.random.default_rng(2)
    X = 1e8 + rng.normal(0, 1e-3, (500, 1))
    resp = np.ones((500, 1))
    shift = np.array([[1e8 + 5e-3]])
    sums = gaussian_statistics(X, resp, shift, "full")
    means, covariances, _ = means_and_covariances_from_statistics(sums, resp.sum(axis=0), shift)
    np.testing.assert_allclose(covariances[0, 0, 0], np.var(X - 1e8), rtol=1e-9)
    np.testing.assert_allclose(means[0, 0], 1e8 + np.mean(X - 1e8), rtol=0, atol=2 * np.spacing(1e8))


def test_chunk_sums_add_up_to_the_sums_of_the_whole():
    X = data(2, 5.0)
    family = GaussianFamily("full", 1e-6)
    model = GaussianMixture(3, random_state=0, max_iter=3).fit(X)
    params = model._params()
    whole = chunk_sums(family, X, model.weights_, params)
    parts = [chunk_sums(family, X[a:b], model.weights_, params) for a, b in
             [(0, 7), (7, 100), (100, 180)]]
    total = add_sums(family, add_sums(family, parts[0], parts[1]), parts[2])
    assert total.n_samples == whole.n_samples == len(X)
    np.testing.assert_allclose(total.log_likelihood, whole.log_likelihood, rtol=1e-13)
    np.testing.assert_allclose(total.counts, whole.counts, rtol=1e-13)
    for name in whole.statistics:
        np.testing.assert_allclose(total.statistics[name], whole.statistics[name], rtol=1e-12,
                                   atol=1e-9)


@pytest.mark.parametrize("family, X", [
    (GaussianFamily("diag", 1e-6), data(2, 3.0)),
    (StudentTFamily(), data(2, 0.0)),
    (PoissonFamily(), np.random.default_rng(3).poisson([2.0, 9.0], (200, 2)).astype(float)),
])
def test_a_fit_in_chunks_equals_the_fit_in_memory(family, X):
    start = Mixture(family, 2, random_state=0, max_iter=0).fit(X)
    whole = run_em(family, InMemory(X), start.weights_, start.params_, tol=0, max_iter=15)
    chunked = run_em(family, Chunked(X, chunk_rows=37), start.weights_, start.params_, tol=0,
                     max_iter=15)
    np.testing.assert_allclose(chunked.weights, whole.weights, rtol=1e-12)
    for name in whole.params:
        np.testing.assert_allclose(chunked.params[name], whole.params[name], rtol=1e-10)
    np.testing.assert_allclose(chunked.log_likelihoods, whole.log_likelihoods, rtol=1e-12)
    assert chunked.responsibilities is None and whole.responsibilities.shape == (len(X), 2)


def test_a_zero_density_in_a_later_chunk_names_its_row_in_the_whole_data():
    X = np.vstack([data(1, 0.0), [[1e160]]])
    family = GaussianFamily("full", 1e-6)
    model = GaussianMixture(2, random_state=0, max_iter=2).fit(X[:-1])
    with pytest.raises(ValueError, match=rf"X\[{len(X) - 1}\]"):
        run_em(family, Chunked(X, chunk_rows=50), model.weights_, model._params(), max_iter=2)


def test_a_zero_density_error_crosses_processes_intact():
    # dask.distributed sends a worker's exception back pickled.
    import pickle

    from emlib.likelihood import ZeroDensityError

    error = pickle.loads(pickle.dumps(ZeroDensityError("X[7] lies far away", 7, -np.inf)))
    assert (str(error), error.row, error.value) == ("X[7] lies far away", 7, -np.inf)
    assert isinstance(error, ValueError)
