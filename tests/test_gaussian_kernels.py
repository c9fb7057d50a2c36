"""The fast Gaussian kernels (emlib.gaussian_kernels) against the equations written out.

The references are independent of the kernels: the plain per-component forms
of emlib.gaussian (x_i - mu_j for every sample and component, then the sums),
sums written with einsum over the whole arrays, scipy.stats densities, np.cov
and scikit-learn's GaussianMixture. The blocks are made small so that every
test crosses block boundaries (with a short last block); the data are placed
far from the origin with a small spread, and with components far apart, where
an uncentred or singly-centred implementation loses digits.
"""

import numpy as np
import pytest
import sklearn.mixture
from scipy import stats

from emlib import GaussianMixture, gaussian_kernels
from emlib.gaussian import (
    centred_sums_per_component,
    full_covariances,
    gaussian_statistics,
    log_gaussian_densities,
    log_gaussian_densities_from_cholesky,
    means_and_covariances_from_statistics,
    precision_cholesky,
    squared_distances_per_component,
)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 37 rows (2^10 entries, at least 37 rows): every test spans several."""
    monkeypatch.setattr(gaussian_kernels, "BLOCK_ENTRIES", 2**10)
    monkeypatch.setattr(gaussian_kernels, "MIN_BLOCK_ROWS", 37)


def mixture_data(n_samples, n_features, n_components, rng, offset=0.0, spread=1.0,
                 separation=3.0):
    centres = offset + separation * spread * rng.normal(size=(n_components, n_features))
    labels = rng.integers(0, n_components, n_samples)
    X = centres[labels] + spread * rng.normal(size=(n_samples, n_features))
    return X, centres


def random_covariances(covariance_type, n_components, n_features, rng, scale=1.0):
    if covariance_type == "full":
        factors = rng.normal(size=(n_components, n_features, n_features))
        return scale * (factors @ np.swapaxes(factors, 1, 2) + 0.5 * np.eye(n_features))
    if covariance_type == "tied":
        factor = rng.normal(size=(n_features, n_features))
        return scale * (factor @ factor.T + 0.5 * np.eye(n_features))
    if covariance_type == "diag":
        return scale * rng.uniform(0.3, 3.0, size=(n_components, n_features))
    return scale * rng.uniform(0.3, 3.0, size=n_components)


def soft_responsibilities(X, centres, spread):
    """w_ij proportional to exp(-|x_i - c_j|^2 / (2 spread^2)): soft, every entry > 0 near c."""
    squared = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2) / spread**2
    logits = -0.5 * (squared - squared.min(axis=1, keepdims=True))
    resp = np.exp(logits)
    return resp / resp.sum(axis=1, keepdims=True)


def einsum_sums(X, resp, shift, covariance_type):
    """sum_i w_ij (x_i - c_j) and sum_i w_ij (x_i - c_j)(x_i - c_j)^T, written out."""
    centred = X[:, None, :] - shift[None]  # (n, K, d)
    sum_deviations = np.einsum("ij,ijd->jd", resp, centred)
    if covariance_type in ("full", "tied"):
        sum_squares = np.einsum("ij,ijd,ije->jde", resp, centred, centred)
        if covariance_type == "tied":
            sum_squares = sum_squares.sum(axis=0)
    else:
        sum_squares = np.einsum("ij,ijd->jd", resp, centred**2)
    return sum_deviations, sum_squares


# ----------------------------------------------------------------- E-step
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features, n_components", [(2, 1), (3, 4), (7, 5)])
def test_kernel_distances_equal_the_per_component_equation(covariance_type, n_features,
                                                           n_components):
    rng = np.random.default_rng(0)
    X, centres = mixture_data(250, n_features, n_components, rng)
    covariances = random_covariances(covariance_type, n_components, n_features, rng)
    factors = precision_cholesky(covariances, covariance_type)
    fast = gaussian_kernels.squared_distances(X, centres, factors, covariance_type)
    plain = squared_distances_per_component(X, centres, factors, covariance_type)
    assert fast.shape == (250, n_components) and fast.flags.f_contiguous
    np.testing.assert_allclose(fast, plain, rtol=1e-11, atol=1e-11 * plain.max())


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_any_square_root_of_the_precision_works_not_only_a_triangular_one(covariance_type):
    # P P^T = Lambda for any P; a stored (or user-given) factor need not be triangular.
    rng = np.random.default_rng(1)
    X, centres = mixture_data(120, 4, 3, rng)
    factors = rng.normal(size=(3, 4, 4)) + 2 * np.eye(4)
    factors = factors if covariance_type == "full" else factors[0]
    np.testing.assert_allclose(
        gaussian_kernels.squared_distances(X, centres, factors, covariance_type),
        squared_distances_per_component(X, centres, factors, covariance_type), rtol=1e-11)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_densities_match_scipy(covariance_type):
    rng = np.random.default_rng(2)
    X, centres = mixture_data(200, 3, 4, rng)
    covariances = random_covariances(covariance_type, 4, 3, rng)
    ours = log_gaussian_densities(X, centres, covariances, covariance_type)
    full = full_covariances(covariances, covariance_type, 4, 3)
    for k in range(4):
        expected = stats.multivariate_normal(centres[k], full[k]).logpdf(X)
        np.testing.assert_allclose(ours[:, k], expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_densities_keep_a_small_spread_far_from_the_origin(covariance_type):
    # Spread 1e-3 at 1e8: x^2 - 2 x mu + mu^2 (scikit-learn's expansion, about 0) keeps
    # no digit of distances of order 1; centred at the mean of the means, all of them.
    rng = np.random.default_rng(3)
    X, centres = mixture_data(150, 3, 3, rng, offset=1e8, spread=1e-3)
    covariances = random_covariances(covariance_type, 3, 3, rng, scale=1e-6)
    ours = log_gaussian_densities(X, centres, covariances, covariance_type)
    full = full_covariances(covariances, covariance_type, 3, 3)
    for k in range(3):  # scipy on the data shifted exactly by 1e8
        expected = stats.multivariate_normal(centres[k] - 1e8, full[k]).logpdf(X - 1e8)
        # x - 1e8 is exact but x itself carries only eps * 1e8 = 2e-8 of its 1e-3 spread
        np.testing.assert_allclose(ours[:, k], expected, rtol=0, atol=1e-3)


def test_log_densities_of_one_row_and_of_an_exact_block_multiple():
    rng = np.random.default_rng(4)
    for n_samples in (1, 37, 74):
        X, centres = mixture_data(n_samples, 2, 2, rng)
        covariances = random_covariances("diag", 2, 2, rng)
        factors = precision_cholesky(covariances, "diag")
        np.testing.assert_allclose(
            log_gaussian_densities_from_cholesky(X, centres, factors, "diag"),
            np.column_stack([stats.multivariate_normal(centres[k], np.diag(covariances[k]))
                             .logpdf(X).reshape(-1) for k in range(2)]), rtol=1e-12)


# ----------------------------------------------------------------- M-step sums
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features, n_components", [(2, 1), (3, 4), (6, 7)])
def test_kernel_sums_equal_the_sums_written_out(covariance_type, n_features, n_components):
    rng = np.random.default_rng(5)
    X, centres = mixture_data(300, n_features, n_components, rng)
    resp = rng.dirichlet(np.full(n_components, 0.3), size=300)
    resp *= rng.uniform(0.0, 2.0, size=(300, 1))  # sample weights, some near 0
    resp[:5] = 0.0  # and a few samples of weight 0
    shift = centres + rng.normal(0, 0.2, size=centres.shape)  # the previous means
    sums = gaussian_statistics(X, resp, shift, covariance_type)
    for reference in (einsum_sums(X, resp, shift, covariance_type),
                      centred_sums_per_component(X, resp, shift, covariance_type)):
        np.testing.assert_allclose(sums["sum_deviations"], reference[0], rtol=1e-11,
                                   atol=1e-11 * np.abs(reference[0]).max())
        np.testing.assert_allclose(sums["sum_squares"], reference[1], rtol=1e-11,
                                   atol=1e-11 * np.abs(reference[1]).max())
    assert sums["largest_magnitude"] == np.abs(X).max()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sums_keep_every_digit_of_components_far_apart(covariance_type):
    # Components 10^4 widths apart, soft responsibilities: centred once at the mean of the
    # data, the sums would lose (10^4)^2 = 1e8 of their precision; centred at each sample's
    # own component they agree with the exactly centred per-component sums to ~1e-13.
    rng = np.random.default_rng(6)
    X, centres = mixture_data(400, 3, 3, rng, separation=1e4)
    resp = soft_responsibilities(X, centres, 2e3)  # wide enough that no w_ij is 0
    assert resp.min() > 0
    shift = centres + rng.normal(0, 0.1, size=centres.shape)
    sums = gaussian_statistics(X, resp, shift, covariance_type)
    plain = centred_sums_per_component(X, resp, shift, covariance_type)
    np.testing.assert_allclose(sums["sum_deviations"], plain[0], rtol=1e-10)
    if covariance_type == "tied":
        np.testing.assert_allclose(sums["sum_squares"], plain[1], rtol=1e-11)
    else:  # each component's own spread, to ~1e-12 of itself
        np.testing.assert_allclose(sums["sum_squares"], plain[1], rtol=1e-11)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sums_keep_a_small_spread_far_from_the_origin(covariance_type):
    # The d-D form of test_sufficient_statistics' 1-D case: spread 1e-3 at 1e8, hard labels.
    rng = np.random.default_rng(7)
    X, centres = mixture_data(600, 3, 3, rng, offset=1e8, spread=1e-3, separation=10.0)
    labels = np.argmin(((X[:, None] - centres[None]) ** 2).sum(axis=2), axis=1)
    resp = np.eye(3)[labels]
    shift = centres + 5e-3
    counts = resp.sum(axis=0)
    sums = gaussian_statistics(X, resp, shift, covariance_type)
    means, covariances, _ = means_and_covariances_from_statistics(sums, counts, shift,
                                                                  covariance_type)
    shifted = X - 1e8  # exact: an independent, well-conditioned reference
    scatter = np.array([np.cov(shifted[labels == k].T, bias=True) for k in range(3)])
    expected = {"full": scatter, "tied": np.tensordot(counts, scatter, axes=1) / counts.sum(),
                "diag": np.diagonal(scatter, axis1=1, axis2=2),
                "spherical": np.diagonal(scatter, axis1=1, axis2=2).mean(axis=1)}
    np.testing.assert_allclose(covariances, expected[covariance_type], rtol=1e-7,
                               atol=1e-7 * 1e-6)
    np.testing.assert_allclose(means - 1e8, [shifted[labels == k].mean(axis=0) for k in range(3)],
                               rtol=0, atol=4 * np.spacing(1e8))


# ----------------------------------------------------------------- whole fits
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_em_iterates_match_scikit_learn_across_many_blocks(covariance_type):
    rng = np.random.default_rng(8)
    X, centres = mixture_data(1500, 6, 8, rng)
    K = 8
    precisions = {"full": np.repeat(np.eye(6)[None], K, 0), "tied": np.eye(6),
                  "diag": np.ones((K, 6)), "spherical": np.ones(K)}[covariance_type]
    start = dict(weights_init=np.full(K, 1 / K), precisions_init=precisions,
                 means_init=centres + rng.normal(0, 0.5, size=centres.shape))
    settings = dict(n_components=K, covariance_type=covariance_type, tol=0, max_iter=15)
    ours = GaussianMixture(**settings, **start).fit(X)
    with pytest.warns(sklearn.exceptions.ConvergenceWarning):
        theirs = sklearn.mixture.GaussianMixture(**settings, **start).fit(X)
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-9)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_column_variances_in_blocks_are_numpys_average(weighted):
    """validation.column_variances (the reg_covar check's spreads, in row blocks) against
    np.average over the whole array, on data far from the origin."""
    from emlib.validation import column_variances

    rng = np.random.default_rng(11)
    X = 1e6 + rng.normal(0.0, 0.01, size=(1000, 3)) * [1.0, 10.0, 100.0]
    weights = rng.uniform(0.0, 2.0, len(X)) if weighted else None
    centre = np.average(X, axis=0, weights=weights)
    expected = np.average((X - centre) ** 2, axis=0, weights=weights)
    np.testing.assert_allclose(column_variances(X, weights), expected, rtol=1e-10)
