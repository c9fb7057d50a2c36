"""emlib.GaussianMixture against scikit-learn's, iterate for iterate, and as a drop-in.

Both estimators start from the same explicit parameters (weights_init,
means_init, precisions_init), so every later number must agree to rounding.
"""

import warnings

import numpy as np
import pytest
import sklearn.mixture
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from emlib import GaussianMixture

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
RTOL = 1e-10


def assert_same(actual, expected, rtol=RTOL):
    """Agreement to ``rtol`` relative to the size of the array.

    Entries near zero (off-diagonal precisions, means near the origin) are
    compared on the scale of the whole array, not their own.
    """
    expected = np.asarray(expected, dtype=float)
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def fit_both(X, **params):
    """The same settings fitted by emlib and scikit-learn, warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        ours = GaussianMixture(**params).fit(X)
        theirs = sklearn.mixture.GaussianMixture(**params).fit(X.reshape(len(X), -1))
    return ours, theirs


def assert_same_fit(ours, theirs, X):
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(ours, name).shape == getattr(theirs, name).shape, name
        assert_same(getattr(ours, name), getattr(theirs, name))
    X2 = X.reshape(len(X), -1)
    assert_same(ours.score_samples(X), theirs.score_samples(X2))
    assert_same(ours.predict_proba(X), theirs.predict_proba(X2))
    assert_same(ours.score(X), theirs.score(X2))
    assert_same(ours.aic(X), theirs.aic(X2))
    assert_same(ours.bic(X), theirs.bic(X2))
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X2))
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    assert_same(ours.lower_bound_, theirs.lower_bound_)
    assert len(ours.lower_bounds_) == len(theirs.lower_bounds_)
    assert_same(ours.lower_bounds_, theirs.lower_bounds_)


@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_iterates_match_sklearn(covariance_type, n_features, clusters, random_start):
    X = clusters(n_features)
    weights, means, precisions = random_start(covariance_type, 3, n_features)
    ours, theirs = fit_both(X, n_components=3, covariance_type=covariance_type, tol=0.0,
                            max_iter=6, weights_init=weights, means_init=means,
                            precisions_init=precisions)
    assert ours.n_iter_ == 6
    assert_same_fit(ours, theirs, X)
    # The history: ln L at the start, then after each iteration; its first
    # n_iter_ entries are what the stopping rule compared (per sample).
    assert ours.log_likelihoods_.shape == (7,)
    assert_same(ours.log_likelihoods_[:-1] / len(X), theirs.lower_bounds_)
    assert_same(ours.log_likelihoods_[-1], theirs.score(X.reshape(len(X), -1)) * len(X))


@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_stopping_iteration_with_positive_tol(covariance_type, n_features, clusters,
                                                    random_start):
    X = clusters(n_features, seed=2)
    weights, means, precisions = random_start(covariance_type, 3, n_features, seed=3)
    ours, theirs = fit_both(X, n_components=3, covariance_type=covariance_type, tol=1e-5,
                            max_iter=500, weights_init=weights, means_init=means,
                            precisions_init=precisions)
    assert theirs.converged_ and ours.converged_
    assert ours.n_iter_ == theirs.n_iter_ > 3  # the rule really had to decide
    assert_same_fit(ours, theirs, X)


@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_covariances_init_equals_precisions_init(covariance_type, n_features, clusters,
                                                 random_start):
    X = clusters(n_features)
    weights, means, precisions = random_start(covariance_type, 3, n_features)
    if covariance_type in ("full", "tied"):
        covariances = np.linalg.inv(precisions)
    else:
        covariances = 1.0 / precisions
    common = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=4,
                  weights_init=weights, means_init=means)
    # scikit-learn has no covariances_init: compare with its precisions_init run.
    from_precisions, theirs = fit_both(X, precisions_init=precisions, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        from_covariances = GaussianMixture(covariances_init=covariances, **common).fit(X)
    assert_same_fit(from_covariances, theirs, X)
    assert_same(from_covariances.log_likelihoods_, from_precisions.log_likelihoods_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_1d_vector_input_equals_column(covariance_type, clusters, random_start):
    x = clusters(1)[:, 0]
    weights, means, precisions = random_start(covariance_type, 3, 1)
    params = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=5,
                  weights_init=weights, means_init=means, precisions_init=precisions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        as_vector = GaussianMixture(**params).fit(x)
        as_column = GaussianMixture(**params).fit(x[:, np.newaxis])
    for name in ("weights_", "means_", "covariances_", "precisions_", "lower_bounds_",
                 "log_likelihoods_"):
        np.testing.assert_array_equal(getattr(as_vector, name), getattr(as_column, name))
    np.testing.assert_array_equal(as_vector.predict_proba(x), as_column.predict_proba(x[:, None]))
    np.testing.assert_array_equal(as_vector.score_samples(x), as_column.score_samples(x[:, None]))
    assert as_vector.means_.shape == (3, 1)


def test_1d_means_and_variances_as_vectors_match_sklearn(clusters):
    """In 1-D, means_init and covariances_init may be plain vectors of length K."""
    x = clusters(1)[:, 0]
    weights, means = [0.3, 0.3, 0.4], np.array([-3.0, 0.5, 4.0])
    variances = np.array([2.0, 1.0, 0.5])
    theirs = fit_both(x, n_components=3, tol=0.0, max_iter=3, weights_init=weights,
                      means_init=means[:, np.newaxis],
                      precisions_init=(1 / variances)[:, np.newaxis, np.newaxis])[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        vectors = GaussianMixture(3, tol=0.0, max_iter=3, weights_init=weights, means_init=means,
                                  covariances_init=variances).fit(x)
    assert_same_fit(vectors, theirs, x)


# ------------------------------------------------------------ drop-in use
def test_clone_get_params_set_params():
    model = GaussianMixture(3, covariance_type="diag", tol=1e-4, reg_covar=1e-5,
                            init_params="textbook", random_state=7)
    params = model.get_params()
    # Every parameter scikit-learn's estimator has, plus our covariances_init.
    reference = sklearn.mixture.GaussianMixture().get_params()
    assert set(reference) <= set(params)
    assert set(params) - set(reference) == {"covariances_init"}
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == params
    assert copy.set_params(n_components=5, tol=0.1) is copy
    assert copy.n_components == 5 and copy.tol == 0.1
    assert model.n_components == 3  # the original is untouched
    assert not hasattr(clone(GaussianMixture(2).fit(np.arange(10.0))), "weights_")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fit_predict_equals_fit_then_predict(covariance_type, clusters):
    X = clusters(2)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=0)
    labels = model.fit_predict(X)
    again = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    np.testing.assert_array_equal(labels, again.predict(X))
    np.testing.assert_array_equal(labels, model.predict(X))
    assert len(np.unique(labels)) == 3


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_shapes_reproducibility_and_distribution(covariance_type, clusters):
    X = clusters(2)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=3).fit(X)
    samples, labels = model.sample(20_000)
    assert samples.shape == (20_000, 2) and labels.shape == (20_000,)
    again_samples, again_labels = model.sample(20_000)
    np.testing.assert_array_equal(samples, again_samples)
    np.testing.assert_array_equal(labels, again_labels)
    other = clone(model).set_params(random_state=4).fit(X).sample(20_000)[0]
    assert not np.array_equal(samples, other)
    # Each label's draws come from that component: compare sample moments
    # with the fitted parameters (within about 5 standard errors).
    counts = np.bincount(labels, minlength=3)
    assert np.all(np.abs(counts / 20_000 - model.weights_) < 5 * np.sqrt(
        model.weights_ * (1 - model.weights_) / 20_000))
    if covariance_type == "full":
        full = model.covariances_
    elif covariance_type == "tied":
        full = np.repeat(model.covariances_[np.newaxis], 3, axis=0)
    elif covariance_type == "diag":
        full = np.array([np.diag(v) for v in model.covariances_])
    else:
        full = np.array([v * np.eye(2) for v in model.covariances_])
    for k in range(3):
        drawn = samples[labels == k]
        standard_error = np.sqrt(np.diag(full[k]) / len(drawn))
        assert np.all(np.abs(drawn.mean(axis=0) - model.means_[k]) < 5 * standard_error)
        np.testing.assert_allclose(np.cov(drawn.T), full[k], atol=0.1 * np.abs(full[k]).max())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_start_continues_for_one_more_iteration(covariance_type, clusters, random_start):
    X = clusters(2)
    weights, means, precisions = random_start(covariance_type, 3, 2)
    start = dict(n_components=3, covariance_type=covariance_type, tol=0.0,
                 weights_init=weights, means_init=means, precisions_init=precisions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        warm = GaussianMixture(max_iter=5, warm_start=True, **start).fit(X)
        warm.set_params(max_iter=1).fit(X)
        cold = GaussianMixture(max_iter=6, **start).fit(X)
    assert warm.n_iter_ == 1
    for name in ("weights_", "means_", "covariances_", "precisions_"):
        assert_same(getattr(warm, name), getattr(cold, name))
    assert_same(warm.lower_bounds_, cold.lower_bounds_[-1:])
    assert_same(warm.log_likelihoods_, cold.log_likelihoods_[-2:])
    # scikit-learn's warm start does the same.
    theirs = fit_both(X, max_iter=6, **start)[1]
    assert_same_fit(cold, theirs, X)


def test_warm_start_refit_stops_as_sklearn_does(clusters, random_start):
    """The stopping rule of a warm refit starts from the previous fit's lower bound."""
    X = clusters(2)
    weights, means, precisions = random_start("full", 3, 2)
    params = dict(n_components=3, tol=1e-3, warm_start=True, weights_init=weights,
                  means_init=means, precisions_init=precisions)
    ours, theirs = fit_both(X, **params)
    assert_same_fit(ours, theirs, X)
    ours.fit(X)
    theirs.fit(X)
    # Already converged: one iteration changes the mean ln L by less than tol.
    assert ours.n_iter_ == theirs.n_iter_ == 1 and ours.converged_ and theirs.converged_
    assert_same_fit(ours, theirs, X)


def test_warm_start_without_previous_fit_is_a_cold_start(clusters):
    X = clusters(1)
    warm = GaussianMixture(3, warm_start=True, random_state=0).fit(X)
    cold = GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_array_equal(warm.means_, cold.means_)


def test_works_inside_grid_search(clusters):
    X = clusters(2)
    folds = KFold(3, shuffle=True, random_state=0)  # X is stored cluster by cluster
    search = GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 3]}, cv=folds)
    search.fit(X)
    # Held-out ln L is much higher with the three clusters the data were drawn from.
    assert search.best_params_ == {"n_components": 3}
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and scores[1] > scores[0] + 0.1


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precisions_cholesky_in_sklearn_layout_right_after_max_iter_0(covariance_type, clusters,
                                                                       random_start):
    # With max_iter=0 the factors are those of precisions_init itself. scikit-learn
    # stores the upper-triangular P with positive diagonal and P P^T = precision (the
    # one such matrix), as after every M-step; the fitted factors must be the same.
    X = clusters(3)
    weights, means, precisions = random_start(covariance_type, 3, 3)
    start = dict(n_components=3, covariance_type=covariance_type, weights_init=weights,
                 means_init=means, precisions_init=precisions, random_state=0)
    model = GaussianMixture(max_iter=0, **start).fit(X)
    factors = model.precisions_cholesky_
    if covariance_type in ("full", "tied"):
        stack = factors.reshape((-1, 3, 3))
        np.testing.assert_array_equal(np.tril(stack, -1), 0.0)  # upper-triangular
        assert np.all(np.diagonal(stack, axis1=1, axis2=2) > 0)
        assert_same(stack @ np.swapaxes(stack, 1, 2), precisions.reshape((-1, 3, 3)))
    else:
        assert_same(factors, np.sqrt(precisions))
    assert_same(model.precisions_, precisions)
    # The same layout as scikit-learn's after one iteration from that start.
    ours, theirs = fit_both(X, max_iter=1, **start)
    assert_same(ours.precisions_cholesky_, theirs.precisions_cholesky_)
