"""emlib.XDGMM against astroML's XDGMM (astroML.density_estimation.XDGMM).

astroML's ``fit`` starts from its own scikit-learn GaussianMixture run, so we
set its parameters (``alpha``, ``mu``, ``V``) by hand and call its one-step
method ``_EMstep(X, Xerr)`` ourselves; ``logL(X, Xerr)`` gives its ln L.
With astroML 1.0.2 on numpy 2.x these run without shims; its ``sample``
ignores ``random_state`` (it uses numpy's global generator), which is why it
is not compared here.
"""

import warnings

import numpy as np
import pytest

import emlib

astroml = pytest.importorskip("astroML.density_estimation")


def _data(n, n_features, seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 3.0, size=(3, n_features))
    Y = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, n_features))
    factors = rng.normal(size=(n, n_features, n_features)) * rng.uniform(0.1, 0.8, (n, 1, 1))
    S = factors @ np.swapaxes(factors, 1, 2)  # heteroscedastic, full, correlated
    X = Y + np.einsum("nij,nj->ni", factors, rng.standard_normal((n, n_features)))
    start_factors = rng.normal(size=(3, n_features, n_features))
    start = (rng.dirichlet(np.full(3, 4.0)), centres + rng.normal(size=centres.shape),
             start_factors @ np.swapaxes(start_factors, 1, 2) + np.eye(n_features))
    return X, S, start


def _astroml_after(X, S, start, n_steps):
    model = astroml.XDGMM(n_components=3)
    model.alpha, model.mu, model.V = (np.array(value, dtype=float) for value in start)
    for _ in range(n_steps):
        model._EMstep(X, S)
    return model


def _emlib_after(X, S, start, n_steps):
    weights, means, covariances = start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)  # tol=0: always "unconverged"
        return emlib.XDGMM(3, tol=0, max_iter=n_steps, reg_covar=0, weights_init=weights,
                           means_init=means, covariances_init=covariances).fit(X, S)


@pytest.mark.parametrize("n_features", [1, 2, 3])
@pytest.mark.parametrize("n_steps", [1, 5])
def test_em_steps_match_astroml(n_features, n_steps):
    X, S, start = _data(400, n_features, seed=n_features)
    theirs = _astroml_after(X, S, start, n_steps)
    ours = _emlib_after(X, S, start, n_steps)
    assert np.allclose(ours.weights_, theirs.alpha, rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.means_, theirs.mu, rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.covariances_, theirs.V, rtol=1e-10, atol=1e-12)
    # ln L after the last step: astroML's logL against our recorded history.
    assert ours.log_likelihoods_[-1] == pytest.approx(theirs.logL(X, S), rel=1e-12)


def test_log_likelihood_at_given_parameters_matches_astroml():
    X, S, start = _data(300, 2, seed=7)
    theirs = _astroml_after(X, S, start, 0)
    ours = _emlib_after(X, S, start, 1)
    assert ours.log_likelihoods_[0] == pytest.approx(theirs.logL(X, S), rel=1e-12)
    ours.weights_, ours.means_, ours.covariances_ = start
    per_point = np.log(np.exp(theirs.logprob_a(X, S)).sum(axis=1))
    assert np.allclose(ours.score_samples(X, S), per_point, rtol=1e-12)


def test_1d_errors_as_standard_deviations_match_astroml_covariances():
    X, S, start = _data(300, 1, seed=11)
    sigmas = np.sqrt(S[:, 0, 0])
    theirs = _astroml_after(X, S, start, 3)
    weights, means, covariances = start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        ours = emlib.XDGMM(3, tol=0, max_iter=3, reg_covar=0, weights_init=weights,
                           means_init=means.ravel(), covariances_init=covariances.ravel()).fit(
            X.ravel(), sigmas)
    assert np.allclose(ours.means_, theirs.mu, rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.covariances_, theirs.V, rtol=1e-10, atol=1e-12)
