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


@pytest.mark.parametrize("n_features", [1, 2, 3, 4])  # 1-3 by entry, 4 stacked
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


# --------------------------------------------------------------------------
# astroML's names on emlib.XDGMM (aliases), checked against astroML itself


@pytest.mark.parametrize("n_features", [1, 2, 3])
def test_parameters_assigned_by_astroml_names_give_astroml_logprob_a_and_logL(n_features):
    # astroML's usage: assign alpha, mu and V on a fresh model, then evaluate.
    X, S, start = _data(300, n_features, seed=20 + n_features)
    theirs = _astroml_after(X, S, start, 0)
    ours = emlib.XDGMM(3)
    ours.alpha, ours.mu, ours.V = start
    expected = theirs.logprob_a(X, S)
    assert ours.logprob_a(X, S).shape == expected.shape == (300, 3)
    assert np.allclose(ours.logprob_a(X, S), expected, rtol=1e-11, atol=1e-11)
    assert ours.logL(X, S) == pytest.approx(theirs.logL(X, S), rel=1e-12)
    # astroML's logL is the total over samples; score is the mean.
    assert ours.logL(X, S) == pytest.approx(300 * ours.score(X, S), rel=1e-12)


def test_astroml_names_read_the_fitted_parameters():
    X, S, _ = _data(300, 2, seed=3)
    ours = emlib.XDGMM(3, tol=1e-6, max_iter=500, random_state=0).fit(X, S)
    assert ours.alpha is ours.weights_
    assert ours.mu is ours.means_
    assert ours.V is ours.covariances_
    # Handing them to astroML's class reproduces our ln L there.
    theirs = astroml.XDGMM(3)
    theirs.alpha, theirs.mu, theirs.V = ours.alpha, ours.mu, ours.V
    assert ours.log_likelihoods_[-1] == pytest.approx(theirs.logL(X, S), rel=1e-12)


def test_constructor_takes_astroml_arguments_by_position_and_keyword():
    shared = ("n_components", "max_iter", "tol", "verbose", "random_state")
    args = (4, 50, 1e-6, True, 3)
    ours, theirs = emlib.XDGMM(*args).get_params(), astroml.XDGMM(*args).get_params()
    assert {name: ours[name] for name in shared} == {name: theirs[name] for name in shared}
    keywords = dict(zip(shared, args))
    assert emlib.XDGMM(**keywords).get_params() == ours


def test_aliases_are_not_parameters_and_clone_still_works():
    from sklearn.base import clone

    X, S, _ = _data(200, 2, seed=4)
    model = emlib.XDGMM(3, max_iter=300, random_state=0, verbose=0).fit(X, S)
    params = model.get_params()
    assert "verbose" in params
    assert not {"mu", "V", "alpha"} & set(params)
    copy = clone(model)
    assert copy.get_params() == params
    assert not hasattr(copy, "mu") and not hasattr(copy, "V") and not hasattr(copy, "alpha")


def test_fit_takes_astroml_R_as_the_projection():
    X, S, _ = _data(200, 2, seed=5)
    R = np.array([[1.0, 0.3], [-0.2, 1.0]])
    kwargs = dict(tol=0, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        reference = emlib.XDGMM(3, **kwargs).fit(X, S, projection=R)
        by_keyword = emlib.XDGMM(3, **kwargs).fit(X, S, R=R)
        by_position = emlib.XDGMM(3, **kwargs).fit(X, S, R)
        plain = emlib.XDGMM(3, **kwargs).fit(X, S, R=None)  # what astroML code passes
    for model in (by_keyword, by_position):
        assert np.array_equal(model.means_, reference.means_)
    assert not np.allclose(plain.means_, reference.means_)
    with pytest.raises(ValueError, match="projection and R"):
        emlib.XDGMM(3).fit(X, S, projection=R, R=R)


def test_sample_with_astroml_size_returns_draws_of_astroml_shape_and_distribution():
    weights, means = np.array([0.3, 0.7]), np.array([[-2.0, 0.0], [1.0, 3.0]])
    covariances = np.array([[[1.0, 0.5], [0.5, 2.0]], [[0.5, -0.2], [-0.2, 0.3]]])
    theirs = astroml.XDGMM(2)
    theirs.alpha, theirs.mu, theirs.V = weights, means, covariances
    ours = emlib.XDGMM(2, random_state=0)
    ours.alpha, ours.mu, ours.V = weights, means, covariances
    assert ours.sample(size=7).shape == theirs.sample(7).shape == (7, 2)
    # astroML means size + (d,) for a tuple too, though its own draw fails there.
    assert ours.sample(size=(3, 4)).shape == (3, 4, 2)
    draws = ours.sample(size=100_000)
    # The mixture's mean and covariance, from the maths (law of total covariance).
    mean = weights @ means
    spread = means - mean
    covariance = np.einsum("k,kij->ij", weights, covariances) + (weights * spread.T) @ spread
    assert np.allclose(draws.mean(axis=0), mean, atol=0.03)
    assert np.allclose(np.cov(draws.T), covariance, atol=0.05)
    # random_state in the call: reproducible, and it matters.
    assert np.array_equal(ours.sample(size=50, random_state=1),
                          ours.sample(size=50, random_state=1))
    assert not np.array_equal(ours.sample(size=50, random_state=1),
                              ours.sample(size=50, random_state=2))
    # scikit-learn's form is unchanged.
    sampled, labels = ours.sample(10)
    assert sampled.shape == (10, 2) and labels.shape == (10,)
    with pytest.raises(ValueError, match="not both"):
        ours.sample(10, size=10)


def test_incomplete_or_inconsistent_parameters_assigned_by_astroml_names_are_refused():
    from sklearn.exceptions import NotFittedError

    X, S, start = _data(100, 2, seed=6)
    weights, means, covariances = start
    model = emlib.XDGMM(3)
    assert not hasattr(model, "mu")
    model.alpha = weights
    with pytest.raises(NotFittedError, match=r"mu \(means_\), V \(covariances_\) not set"):
        model.logL(X, S)
    model.mu, model.V = means, covariances
    model.alpha = weights * 1.1
    with pytest.raises(ValueError, match=r"alpha \(weights_\) must sum to 1"):
        model.logprob_a(X, S)
    model.alpha = weights
    model.V = np.zeros_like(covariances)
    with pytest.raises(ValueError, match=r"V \(covariances_\)\[0\] must be positive definite"):
        model.sample(size=3)
    with pytest.raises(ValueError, match="mu must be a 1-D or 2-D array"):
        model.mu = np.zeros((3, 2, 2))
