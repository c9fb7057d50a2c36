"""The mathematics of EM, checked on emlib.GaussianMixture.

- a converged fit is a stationary point of ln L (finite differences of an
  independent ln L written with scipy.stats);
- ln L never decreases from one iteration to the next (hypothesis);
- responsibilities stay probabilities far in the tails;
- fits are invariant to the order of the data and equivariant under
  x -> c x + b;
- large simulated samples give back the parameters they were drawn from;
- integer sample weights act as repeated rows, zero weights as dropped rows.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp, softmax

from emlib import ConvergenceWarning, DegenerateComponentError, GaussianMixture

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def fit_quietly(X, sample_weight=None, **params):
    """Fit, ignoring the warning that tol=0 runs always end with."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(**params).fit(X, sample_weight=sample_weight)


def assert_close(actual, expected, rtol=1e-10):
    """Agreement relative to the size of the whole array (entries may be near 0)."""
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


# ------------------------------------------------- stationarity of ln L
# An unconstrained parametrisation: weights by log-ratios to the last one,
# means as they are, covariances by Cholesky factors with log-diagonals
# (or log standard deviations for 'diag' and 'spherical').

def _cholesky_vector(matrix):
    lower = np.linalg.cholesky(matrix)
    lower[np.diag_indices_from(lower)] = np.log(np.diag(lower))
    return lower[np.tril_indices_from(lower)]


def _matrix_from_cholesky_vector(vector, n_features):
    lower = np.zeros((n_features, n_features))
    lower[np.tril_indices(n_features)] = vector
    lower[np.diag_indices(n_features)] = np.exp(np.diag(lower))
    return lower @ lower.T


def pack(model):
    """The fitted parameters of ``model`` as one unconstrained vector."""
    weights, covariances, kind = model.weights_, model.covariances_, model.covariance_type
    parts = [np.log(weights[:-1] / weights[-1]), model.means_.ravel()]
    if kind == "full":
        parts += [_cholesky_vector(matrix) for matrix in covariances]
    elif kind == "tied":
        parts.append(_cholesky_vector(covariances))
    else:
        parts.append(0.5 * np.log(covariances).ravel())
    return np.concatenate(parts)


def unpack(theta, n_components, n_features, kind):
    """Weights, means and a list of full covariance matrices from the vector."""
    log_ratios = np.append(theta[:n_components - 1], 0.0)
    weights = np.exp(log_ratios - logsumexp(log_ratios))
    start = n_components - 1
    means = theta[start:start + n_components * n_features].reshape(n_components, n_features)
    rest = theta[start + n_components * n_features:]
    size = n_features * (n_features + 1) // 2
    if kind == "full":
        covariances = [_matrix_from_cholesky_vector(rest[k * size:(k + 1) * size], n_features)
                       for k in range(n_components)]
    elif kind == "tied":
        covariances = [_matrix_from_cholesky_vector(rest, n_features)] * n_components
    elif kind == "diag":
        covariances = [np.diag(np.exp(2 * row)) for row in rest.reshape(n_components, -1)]
    else:
        covariances = [np.exp(2 * value) * np.eye(n_features) for value in rest]
    return weights, means, covariances


def scipy_log_likelihood(theta, X, n_components, kind):
    """ln L = sum_i ln sum_j alpha_j N(x_i | mu_j, Sigma_j), written with scipy.stats."""
    n_features = X.shape[1]
    weights, means, covariances = unpack(theta, n_components, n_features, kind)
    if n_features == 1:
        columns = [stats.norm.logpdf(X[:, 0], means[k, 0], np.sqrt(covariances[k][0, 0]))
                   for k in range(n_components)]
    else:
        columns = [stats.multivariate_normal.logpdf(X, means[k], covariances[k])
                   for k in range(n_components)]
    return logsumexp(np.column_stack(columns) + np.log(weights), axis=1).sum()


def central_differences(function, theta, step=1e-5):
    gradient = np.empty_like(theta)
    for j in range(len(theta)):
        shift = np.zeros_like(theta)
        shift[j] = step
        gradient[j] = (function(theta + shift) - function(theta - shift)) / (2 * step)
    return gradient


@pytest.mark.parametrize("n_features, covariance_type", [
    (1, "full"), (1, "tied"), (2, "full"), (2, "tied"), (2, "diag"), (2, "spherical")])
def test_gradient_of_log_likelihood_vanishes_at_convergence(n_features, covariance_type,
                                                             clusters):
    X = clusters(n_features)
    params = dict(n_components=3, covariance_type=covariance_type, reg_covar=0.0,
                  random_state=0)
    converged = GaussianMixture(tol=1e-14, max_iter=5000, **params).fit(X)
    assert converged.converged_
    theta = pack(converged)
    log_likelihood = lambda t: scipy_log_likelihood(t, X, 3, covariance_type)  # noqa: E731
    # The scipy ln L and emlib's agree at the fitted parameters...
    np.testing.assert_allclose(log_likelihood(theta), converged.log_likelihoods_[-1], rtol=1e-12)
    # ... and it is flat there in every direction.
    gradient = central_differences(log_likelihood, theta)
    assert np.abs(gradient).max() < 1e-3, gradient
    # Two iterations in, the same test sees a clearly non-zero gradient.
    early = fit_quietly(X, tol=0.0, max_iter=2, **params)
    assert np.abs(central_differences(log_likelihood, pack(early))).max() > 0.1


# -------------------------------------------------- ln L never decreases
@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1), n_samples=st.integers(20, 120),
       n_features=st.integers(1, 3), n_components=st.integers(1, 4),
       covariance_type=st.sampled_from(COVARIANCE_TYPES),
       start=st.sampled_from(["kmeans", "random", "textbook", "explicit"]),
       noise=st.sampled_from(["normal", "student-t", "uniform"]))
def test_log_likelihood_never_decreases(seed, n_samples, n_features, n_components,
                                        covariance_type, start, noise):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n_samples)
    centres = rng.normal(0.0, 3.0, size=(3, n_features))
    scales = rng.uniform(0.2, 2.0, size=3)
    draw = {"normal": rng.standard_normal, "student-t": lambda size: rng.standard_t(3, size),
            "uniform": lambda size: rng.uniform(-1.0, 1.0, size)}[noise]
    X = centres[labels] + scales[labels, np.newaxis] * draw((n_samples, n_features))
    params = dict(n_components=n_components, covariance_type=covariance_type, tol=0.0,
                  max_iter=30, reg_covar=0.0, random_state=seed)
    if start == "explicit":
        params["weights_init"] = rng.dirichlet(np.ones(n_components))
        params["means_init"] = X[rng.choice(n_samples, n_components, replace=False)]
    else:
        params["init_params"] = start
    try:
        model = fit_quietly(X, **params)
    except DegenerateComponentError:
        # Without reg_covar a component may collapse onto a few points, where
        # ln L has no maximum; such draws say nothing about monotonicity.
        assume(False)
    history = model.log_likelihoods_
    assert history.shape == (31,) and np.all(np.isfinite(history))
    # Each EM iteration can only raise ln L; allow for rounding in the sums.
    assert np.all(np.diff(history) >= -1e-12 * np.abs(history[:-1])), np.diff(history)


# ------------------------------------------- probabilities in the far tails
@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_responsibilities_far_in_the_tails(covariance_type, n_features, clusters,
                                           full_covariances):
    X = clusters(n_features)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    far = np.array([1e6, -1e6, 3e5, 0.5])[:, np.newaxis] * np.linspace(1, -0.3, n_features)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or 0/0 warnings either
        probabilities = model.predict_proba(far)
        log_density = model.score_samples(far)
    assert np.all(np.isfinite(probabilities)) and np.all(np.isfinite(log_density))
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # The same numbers from scipy.stats, combined in log space.
    covariances = full_covariances(model.covariances_, covariance_type, 3, n_features)
    terms = np.column_stack([
        np.log(model.weights_[k])
        + stats.multivariate_normal.logpdf(far, model.means_[k], covariances[k]).reshape(-1)
        for k in range(3)])
    np.testing.assert_allclose(log_density, logsumexp(terms, axis=1), rtol=1e-9)
    np.testing.assert_allclose(probabilities, softmax(terms, axis=1), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(model.predict(far), terms.argmax(axis=1))


def test_far_tail_belongs_to_the_widest_component(clusters):
    x = clusters(1)[:, 0]
    model = GaussianMixture(3, random_state=0).fit(x)
    widest = np.argmax(model.covariances_.ravel())
    probabilities = model.predict_proba([1e6, -1e6])
    np.testing.assert_array_equal(probabilities.argmax(axis=1), [widest, widest])
    np.testing.assert_allclose(probabilities[:, widest], 1.0)


# ------------------------------------------- invariance and equivariance
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_invariant_to_the_order_of_the_samples(covariance_type, clusters, random_start):
    X = clusters(2)
    weights, means, precisions = random_start(covariance_type, 3, 2)
    params = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=10,
                  weights_init=weights, means_init=means, precisions_init=precisions)
    order = np.random.default_rng(5).permutation(len(X))
    original, shuffled = fit_quietly(X, **params), fit_quietly(X[order], **params)
    for name in ("weights_", "means_", "covariances_", "log_likelihoods_"):
        assert_close(getattr(shuffled, name), getattr(original, name))
    assert_close(shuffled.predict_proba(X[order]), original.predict_proba(X)[order])


@pytest.mark.parametrize("scale, shift", [(3.7, 100.0), (-0.02, -5.0)])
@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_equivariant_under_shift_and_scale(covariance_type, n_features, scale, shift,
                                           clusters, random_start):
    X = clusters(n_features)
    weights, means, precisions = random_start(covariance_type, 3, n_features)
    covariances = (np.linalg.inv(precisions) if covariance_type in ("full", "tied")
                   else 1.0 / precisions)
    shift = shift * np.linspace(1.0, -2.0, n_features)
    common = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=8,
                  reg_covar=0.0, weights_init=weights)
    original = fit_quietly(X, means_init=means, covariances_init=covariances, **common)
    moved = fit_quietly(scale * X + shift, means_init=scale * means + shift,
                        covariances_init=scale**2 * covariances, **common)
    assert_close(moved.weights_, original.weights_, rtol=1e-9)
    assert_close(moved.means_, scale * original.means_ + shift, rtol=1e-9)
    assert_close(moved.covariances_, scale**2 * original.covariances_, rtol=1e-9)
    # ln L loses n d ln|c|: each density is divided by the Jacobian |c|^d.
    n_samples = len(X)
    expected = original.log_likelihoods_ - n_samples * n_features * np.log(abs(scale))
    assert_close(moved.log_likelihoods_, expected, rtol=1e-9)
    assert_close(moved.predict_proba(scale * X + shift), original.predict_proba(X), rtol=1e-9)


# ------------------------------------------------------------- recovery
def test_recovers_known_parameters_in_1d():
    rng = np.random.default_rng(2024)
    weights, means = np.array([0.3, 0.5, 0.2]), np.array([-7.0, 0.0, 8.0])
    sigmas = np.array([1.0, 0.7, 1.5])
    n_samples = 20_000
    labels = rng.choice(3, size=n_samples, p=weights)
    x = rng.normal(means[labels], sigmas[labels])
    model = GaussianMixture(3, tol=1e-8, random_state=0).fit(x).sort_components()
    # The components barely overlap, so the standard errors are those of
    # samples of known membership.
    assert np.mean(model.predict_proba(x).max(axis=1) < 0.99) < 0.005
    counts = n_samples * weights
    assert np.all(np.abs(model.weights_ - weights)
                  < 4 * np.sqrt(weights * (1 - weights) / n_samples))
    assert np.all(np.abs(model.means_[:, 0] - means) < 4 * sigmas / np.sqrt(counts))
    variances = model.covariances_.ravel()
    assert np.all(np.abs(variances - sigmas**2) < 4 * sigmas**2 * np.sqrt(2 / counts))


def test_recovers_known_parameters_in_2d_full():
    rng = np.random.default_rng(7)
    weights = np.array([0.6, 0.4])
    means = np.array([[-4.0, 1.0], [5.0, -2.0]])
    covariances = np.array([[[1.0, 0.6], [0.6, 2.0]], [[0.5, -0.3], [-0.3, 1.5]]])
    n_samples = 20_000
    labels = rng.choice(2, size=n_samples, p=weights)
    noise = np.einsum("nij,nj->ni", np.linalg.cholesky(covariances)[labels],
                      rng.standard_normal((n_samples, 2)))
    X = means[labels] + noise
    model = GaussianMixture(2, tol=1e-8, random_state=0).fit(X).sort_components()
    assert np.mean(model.predict_proba(X).max(axis=1) < 0.99) < 0.005  # barely overlapping
    counts = n_samples * weights
    assert np.all(np.abs(model.weights_ - weights)
                  < 4 * np.sqrt(weights * (1 - weights) / n_samples))
    for k in range(2):
        sigma = covariances[k]
        assert np.all(np.abs(model.means_[k] - means[k])
                      < 4 * np.sqrt(np.diag(sigma) / counts[k]))
        # Var of a sample covariance entry: (S_aa S_bb + S_ab^2) / n.
        standard_error = np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2)
                                 / counts[k])
        assert np.all(np.abs(model.covariances_[k] - sigma) < 4 * standard_error)


# ------------------------------------------------------- sample weights
@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_weights_repeat_rows_and_zero_weights_drop_them(covariance_type, n_features,
                                                                clusters, random_start):
    X = clusters(n_features)
    weights, means, precisions = random_start(covariance_type, 3, n_features)
    params = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=10,
                  weights_init=weights, means_init=means, precisions_init=precisions)
    sample_weight = np.random.default_rng(3).integers(0, 4, size=len(X))
    assert np.any(sample_weight == 0) and np.any(sample_weight > 1)
    weighted = fit_quietly(X, sample_weight=sample_weight, **params)
    repeated = fit_quietly(np.repeat(X, sample_weight, axis=0), **params)
    for name in ("weights_", "means_", "covariances_", "lower_bounds_", "log_likelihoods_"):
        assert_close(getattr(weighted, name), getattr(repeated, name))
    # Zero weights alone: the same as dropping those rows.
    keep = sample_weight > 0
    zero_or_one = fit_quietly(X, sample_weight=keep.astype(float), **params)
    dropped = fit_quietly(X[keep], **params)
    for name in ("weights_", "means_", "covariances_", "lower_bounds_", "log_likelihoods_"):
        assert_close(getattr(zero_or_one, name), getattr(dropped, name))
