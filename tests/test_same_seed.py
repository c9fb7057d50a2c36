"""The same random_state gives scikit-learn's start, and so its fit.

scikit-learn draws a start from ``check_random_state(random_state)`` (numpy's
legacy RandomState) with ``uniform``, ``choice``, ``kmeans_plusplus`` or
``KMeans``, one start after another. emlib seeds its starts the same way, so
seeded scikit-learn code gives the same numbers with emlib. The reference is
scikit-learn itself, fitted here in the same process.

Two starts that climb to the same maximum with their components in another
order tie in ln L up to the last bit, and which of them a fit keeps is
decided by rounding; the fitted mixtures are compared component by component
(matched by their means) so such a tie does not count as a difference.
"""

import itertools
import warnings

import numpy as np
import pytest
import sklearn.mixture
from sklearn.exceptions import ConvergenceWarning

from emlib import GaussianMixture

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")
SEEDS = (0, 1, 42)
RTOL = 1e-8


def three_clusters(seed=1):
    rng = np.random.default_rng(seed)
    centres = ([0.0, 0.0], [4.0, 1.0], [1.0, 5.0])
    return np.vstack([rng.normal(centre, 1.0, size=(150, 2)) for centre in centres])


X = three_clusters()


def fit_quietly(estimator, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(data)


def assert_same_mixture(ours, theirs):
    """Same weights, means and covariances to RTOL, components matched by their means."""
    order_ours = np.lexsort(ours.means_.T[::-1])
    order_theirs = np.lexsort(theirs.means_.T[::-1])
    for name in ("weights_", "means_", "covariances_"):
        mine, reference = getattr(ours, name), getattr(theirs, name)
        if not (name == "covariances_" and ours.covariance_type == "tied"):
            mine, reference = mine[order_ours], reference[order_theirs]
        scale = np.abs(reference).max()
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=RTOL * scale, err_msg=name)
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=1e-12)


def combinations():
    for covariance_type, init_params, seed, n_init in itertools.product(
            COVARIANCE_TYPES, INIT_PARAMS, SEEDS, (1, 3)):
        yield pytest.param(covariance_type, init_params, seed, n_init,
                           id=f"{covariance_type}-{init_params}-seed{seed}-n_init{n_init}")


@pytest.mark.parametrize("covariance_type, init_params, seed, n_init", list(combinations()))
def test_same_seed_same_fit(covariance_type, init_params, seed, n_init):
    settings = dict(n_components=3, covariance_type=covariance_type, init_params=init_params,
                    random_state=seed, n_init=n_init)
    ours = fit_quietly(GaussianMixture(**settings), X)
    theirs = fit_quietly(sklearn.mixture.GaussianMixture(**settings), X)
    assert_same_mixture(ours, theirs)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_


@pytest.mark.parametrize("init_params", INIT_PARAMS)
def test_same_start_after_max_iter_0(init_params):
    """The start itself, before any EM step: the means scikit-learn's start gives."""
    settings = dict(n_components=3, init_params=init_params, random_state=7, max_iter=0)
    ours = fit_quietly(GaussianMixture(**settings), X)
    theirs = fit_quietly(sklearn.mixture.GaussianMixture(**settings), X)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", INIT_PARAMS)
def test_same_start_covariances_after_max_iter_0(init_params, covariance_type):
    """The start's covariances too, also where scikit-learn's tied start is not eq. 5.

    For 'k-means++' and 'random_from_data' scikit-learn's tied start counts every
    sample's x x^T (emlib.initialisation.scikit_learn_tied_start): far wider than
    eq. 5's reg_covar on the same responsibilities, and emlib reproduces it.
    Shifted data show it is not translation-invariant, as a reproduction must be.
    """
    settings = dict(n_components=3, init_params=init_params, random_state=7, max_iter=0,
                    covariance_type=covariance_type)
    for data in (X, X + 10.0):
        ours = fit_quietly(GaussianMixture(**settings), data)
        theirs = fit_quietly(sklearn.mixture.GaussianMixture(**settings), data)
        # scikit-learn's uncentred sums leave rounding of order eps max|x|^2 in a start
        # that is reg_covar = 1e-6 alone; the tied start away from eq. 5 is about 1000.
        rounding = 1e-12 * np.abs(data).max() ** 2
        np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-10,
                                   atol=rounding)


def test_random_state_none_follows_numpys_global_seed():
    """random_state=None draws from numpy's global stream, which np.random.seed sets."""
    settings = dict(n_components=3, init_params="random_from_data", max_iter=0)
    np.random.seed(3)
    ours = fit_quietly(GaussianMixture(**settings), X)
    np.random.seed(3)
    theirs = fit_quietly(sklearn.mixture.GaussianMixture(**settings), X)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-12)


def test_a_shared_random_state_is_consumed_as_scikit_learn_consumes_it():
    """One RandomState object for two fits: the second fit starts from the next draws."""
    settings = dict(n_components=3, init_params="k-means++", max_iter=0)
    ours_stream, theirs_stream = np.random.RandomState(11), np.random.RandomState(11)
    for _ in range(2):
        ours = fit_quietly(GaussianMixture(random_state=ours_stream, **settings), X)
        theirs = fit_quietly(sklearn.mixture.GaussianMixture(random_state=theirs_stream,
                                                             **settings), X)
        np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-12)
    assert ours_stream.randint(10**9) == theirs_stream.randint(10**9)


def test_one_dimensional_input_starts_as_its_column_does_in_scikit_learn():
    x = X[:, 0]
    settings = dict(n_components=2, random_state=5, n_init=2)
    ours = fit_quietly(GaussianMixture(**settings), x)
    theirs = fit_quietly(sklearn.mixture.GaussianMixture(**settings), x[:, np.newaxis])
    np.testing.assert_allclose(np.sort(ours.means_.ravel()), np.sort(theirs.means_.ravel()),
                               rtol=RTOL)
    assert ours.n_iter_ == theirs.n_iter_


def test_textbook_start_keeps_numpys_default_generator():
    """The course's own start: its means are samples drawn by np.random.default_rng(seed)."""
    model = fit_quietly(GaussianMixture(n_components=3, init_params="textbook", random_state=4,
                                        max_iter=0), X)
    rows = np.random.default_rng(4).choice(len(X), size=3, replace=False)
    np.testing.assert_array_equal(model.means_, X[rows])
