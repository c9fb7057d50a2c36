"""Tests of emlib.direct_optimisation: the packing, ln L, its gradient and Hessian, the profile.

References: scipy.stats for the densities, finite differences for the
derivatives, the closed-form Hessian of a single Gaussian, and scikit-learn's
EM for the maximum.
"""

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import approx_fprime, minimize
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib.direct_optimisation import (
    mixture_log_likelihood,
    mixture_log_likelihood_gradient,
    negative_log_likelihood,
    negative_log_likelihood_gradient,
    negative_log_likelihood_hessian,
    pack,
    profile_log_likelihood,
    unpack,
)


def _random_mixture(n_components, seed):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.ones(n_components)), rng.normal(0, 3, n_components),
            rng.uniform(0.3, 2.5, n_components))


def _separated_data(seed=0):
    """Three well-separated Gaussians: EM converges fast and every method finds one maximum."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(-5, 1.0, 300), rng.normal(0, 0.7, 200),
                           rng.normal(6, 1.5, 250)])


@pytest.mark.parametrize("n_components", [1, 2, 3, 5])
def test_pack_unpack_round_trip(n_components):
    weights, means, sigmas = _random_mixture(n_components, seed=n_components)
    theta = pack(weights, means, sigmas)
    assert theta.shape == (3 * n_components - 1,)
    for back, original in zip(unpack(theta), (weights, means, sigmas)):
        np.testing.assert_allclose(back, original, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_any_theta_gives_valid_parameters_and_round_trips(seed):
    theta = np.random.default_rng(seed).normal(scale=5, size=8)
    weights, means, sigmas = unpack(theta)
    assert np.all(weights > 0) and np.isclose(weights.sum(), 1.0)
    assert np.all(sigmas > 0)
    np.testing.assert_allclose(pack(weights, means, sigmas), theta, rtol=1e-10, atol=1e-10)


def test_softmax_does_not_overflow_for_huge_logits():
    # M = 2, with a logit far beyond the range of exp
    weights, _, _ = unpack(np.array([800.0, 0.0, 0.0, 0.0, 0.0]))
    assert np.all(np.isfinite(weights))
    np.testing.assert_allclose(weights, [1.0, 0.0], atol=1e-300)


@pytest.mark.parametrize("bad, match", [
    (([0.5, 0.5, 0.0], [0, 1, 2], [1, 1, 1]), "weights"),
    (([0.5, 0.4, 0.2], [0, 1, 2], [1, 1, 1]), "sum to 1"),
    (([0.5, 0.5], [0, 1], [1, -1]), "sigmas"),
    (([0.5, 0.5], [0, 1, 2], [1, 1]), "same length"),
    (([[0.5, 0.5]], [0, 1], [1, 1]), "1-D"),
])
def test_pack_refuses_invalid_parameters(bad, match):
    with pytest.raises(ValueError, match=match):
        pack(*bad)


def test_unpack_refuses_a_length_that_is_not_3m_minus_1():
    with pytest.raises(ValueError, match="3M - 1"):
        unpack(np.zeros(6))


def test_log_likelihood_matches_scipy_stats():
    weights, means, sigmas = _random_mixture(3, seed=7)
    x = np.random.default_rng(8).normal(0, 4, 200)
    densities = sum(w * stats.norm.pdf(x, m, s) for w, m, s in zip(weights, means, sigmas))
    assert mixture_log_likelihood(x, weights, means, sigmas) == pytest.approx(
        np.log(densities).sum(), rel=1e-12)
    theta = pack(weights, means, sigmas)
    assert negative_log_likelihood(theta, x) == pytest.approx(-np.log(densities).sum(), rel=1e-12)


@pytest.mark.parametrize("weights, sigmas", [([-0.1, 1.1], [1, 1]), ([0.5, 0.5], [1, 0])])
def test_log_likelihood_refuses_invalid_parameters_instead_of_returning_nan(weights, sigmas):
    with pytest.raises(ValueError):
        mixture_log_likelihood([0.0, 1.0], weights, [0, 1], sigmas)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_matches_finite_differences(seed):
    x = _separated_data(seed)
    theta = pack(*_random_mixture(3, seed=10 + seed))
    numerical = approx_fprime(theta, negative_log_likelihood, 1e-7, x)
    analytic = negative_log_likelihood_gradient(theta, x)
    np.testing.assert_allclose(analytic, numerical, rtol=1e-4, atol=1e-2)


def _central_differences(function, point, step=1e-6):
    """The gradient of ``function`` at ``point`` by central differences (error ~ step^2)."""
    return np.array([(function(point + shift) - function(point - shift)) / (2 * step)
                     for shift in step * np.eye(point.size)])


@pytest.mark.parametrize("seed", range(3))
def test_natural_gradient_matches_finite_differences(seed):
    x = _separated_data(seed)
    weights, means, sigmas = _random_mixture(3, seed=20 + seed)
    weights = weights * 1.3  # the weights are free here: the derivative must not assume sum 1
    params = np.concatenate([weights, means, sigmas])
    numerical = _central_differences(
        lambda p: mixture_log_likelihood(x, p[:3], p[3:6], p[6:]), params)
    analytic = mixture_log_likelihood_gradient(x, weights, means, sigmas)
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-4)


def test_natural_gradient_is_finite_at_a_zero_weight():
    # d ln L / d alpha_j = sum_i N_ij / p_i, also where alpha_j = 0 (an SLSQP bound)
    x = _separated_data(0)
    weights, means, sigmas = np.array([0.6, 0.4, 0.0]), np.array([-5.0, 1.0, 6.0]), np.ones(3)
    gradient = mixture_log_likelihood_gradient(x, weights, means, sigmas)
    mixture = weights[:, None] * stats.norm.pdf(x, means[:, None], sigmas[:, None])
    expected = (stats.norm.pdf(x, means[2], sigmas[2]) / mixture.sum(axis=0)).sum()
    assert np.all(np.isfinite(gradient))
    assert gradient[2] == pytest.approx(expected, rel=1e-10)
    assert np.all(gradient[[5, 8]] == 0)  # a switched-off component's mean and width do not matter


@pytest.mark.parametrize("weights, sigmas, match", [
    ([-0.1, 1.1], [1.0, 1.0], "weights must be non-negative"),
    ([0.5, 0.5], [1.0, 0.0], "sigmas must be positive"),
])
def test_natural_gradient_refuses_invalid_parameters(weights, sigmas, match):
    with pytest.raises(ValueError, match=match):
        mixture_log_likelihood_gradient([0.0, 1.0], weights, [0.0, 1.0], sigmas)


def test_optimiser_and_em_reach_the_same_maximum():
    x = _separated_data()
    em = SklearnGaussianMixture(3, tol=1e-12, max_iter=10_000, reg_covar=0, n_init=3,
                                random_state=0).fit(x[:, None])
    em_params = (em.weights_, em.means_[:, 0], np.sqrt(em.covariances_.ravel()))
    em_log_likelihood = em.score(x[:, None]) * x.size

    start = pack([1 / 3, 1 / 3, 1 / 3], [-3.0, 1.0, 4.0], [2.0, 2.0, 2.0])
    result = minimize(negative_log_likelihood, start, args=(x,),
                      jac=negative_log_likelihood_gradient, method="BFGS",
                      options={"gtol": 1e-8})
    assert -result.fun == pytest.approx(em_log_likelihood, abs=1e-6)
    found = unpack(result.x)
    order_found, order_em = np.argsort(found[1]), np.argsort(em_params[1])
    for ours, theirs in zip(found, em_params):
        np.testing.assert_allclose(ours[order_found], theirs[order_em], atol=1e-5)


def test_gradient_vanishes_where_em_has_converged():
    x = _separated_data(1)
    em = SklearnGaussianMixture(3, tol=1e-12, max_iter=10_000, reg_covar=0,
                                random_state=0).fit(x[:, None])
    theta = pack(em.weights_, em.means_[:, 0], np.sqrt(em.covariances_.ravel()))
    assert np.abs(negative_log_likelihood_gradient(theta, x)).max() < 1e-4


def test_hessian_of_a_single_gaussian_matches_the_closed_form():
    # theta = (mu, ln sigma). At the MLE: d2/dmu2 = N / sigma^2, d2/dmu dln(sigma) = 0,
    # d2/dln(sigma)^2 = 2 sum (x - mu)^2 / sigma^2 = 2 N.
    x = np.random.default_rng(3).normal(2.0, 1.7, 400)
    theta = pack([1.0], [x.mean()], [x.std()])
    expected = np.array([[x.size / x.var(), 0.0], [0.0, 2.0 * x.size]])
    np.testing.assert_allclose(negative_log_likelihood_hessian(theta, x), expected,
                               rtol=1e-6, atol=1e-4)


def test_profile_touches_the_maximum_and_never_exceeds_it():
    x = _separated_data(2)
    start = pack([1 / 3, 1 / 3, 1 / 3], [-5.0, 0.0, 6.0], [1.0, 1.0, 1.0])
    best = minimize(negative_log_likelihood, start, args=(x,),
                    jac=negative_log_likelihood_gradient, method="BFGS", options={"gtol": 1e-8})
    mu_1 = best.x[2]
    values = np.array([mu_1 - 0.3, mu_1, mu_1 + 0.3])
    profile, thetas = profile_log_likelihood(x, best.x, index=2, values=values)
    assert thetas.shape == (3, 8)
    np.testing.assert_array_equal(thetas[:, 2], values)
    assert profile[1] == pytest.approx(-best.fun, abs=1e-6)
    assert np.all(profile <= -best.fun + 1e-8)
    assert profile[0] < -best.fun - 1e-3 and profile[2] < -best.fun - 1e-3


def test_profile_refuses_an_index_outside_theta():
    with pytest.raises(ValueError, match="index"):
        profile_log_likelihood([0.0, 1.0], pack([1.0], [0.0], [1.0]), index=2, values=[0.0])
