"""Eq. 1 in the text's 1-D parameters and the EM lower bound F(q, theta), in emlib.likelihood.

References: scipy.stats.norm for every density, explicit sums over i and j
for ln L and F, scipy.special.softmax for the responsibilities, and the
closed-form updates (eqs. 4-6) written out here with numpy.
"""

import numpy as np
import pytest
from scipy import stats
from scipy.special import softmax

from emlib import direct_optimisation, likelihood
from emlib.likelihood import component_log_densities, lower_bound, mixture_log_likelihood


def _mixture(n_components, seed):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.full(n_components, 2.0)), rng.normal(0, 3, n_components),
            rng.uniform(0.4, 2.5, n_components))


def _data(seed, size=300):
    return np.random.default_rng(seed).normal(0, 4, size)


def _log_terms(x, weights, means, sigmas):
    """ln(alpha_j N(x_i | mu_j, sigma_j)) with scipy.stats only, shape (N, M)."""
    return np.log(weights) + stats.norm.logpdf(x[:, None], means, sigmas)


def _bound_by_sums(x, weights, means, sigmas, q):
    """sum_i sum_j q_ij [ln(alpha_j N(x_i | mu_j, sigma_j)) - ln q_ij], term by term."""
    total = 0.0
    for i, point in enumerate(x):
        for j, (w, m, s) in enumerate(zip(weights, means, sigmas)):
            if q[i, j] > 0:
                total += q[i, j] * (np.log(w) + stats.norm.logpdf(point, m, s) - np.log(q[i, j]))
    return total


def test_direct_optimisation_uses_the_functions_of_the_likelihood_module():
    # One implementation of eq. 1: the module of the road not taken imports it.
    assert direct_optimisation.mixture_log_likelihood is likelihood.mixture_log_likelihood
    assert direct_optimisation.component_log_densities is likelihood.component_log_densities


@pytest.mark.parametrize("seed", range(3))
def test_component_log_densities_match_scipy(seed):
    weights, means, sigmas = _mixture(4, seed)
    x = _data(seed)
    ours = component_log_densities(x, means, sigmas)
    assert ours.shape == (x.size, 4)
    np.testing.assert_allclose(ours, stats.norm.logpdf(x[:, None], means, sigmas),
                               rtol=1e-12, atol=1e-12)
    # a single point, as the notebooks pass it
    np.testing.assert_allclose(component_log_densities(1.5, means, sigmas),
                               stats.norm.logpdf([[1.5]], means, sigmas), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_mixture_log_likelihood_is_the_sum_of_eq_1(seed):
    weights, means, sigmas = _mixture(3, seed)
    x = _data(seed)
    by_hand = sum(np.log(sum(w * stats.norm.pdf(point, m, s)
                             for w, m, s in zip(weights, means, sigmas))) for point in x)
    assert mixture_log_likelihood(x, weights, means, sigmas) == pytest.approx(by_hand, rel=1e-12)


def test_mixture_log_likelihood_takes_standard_deviations_not_variances():
    x = _data(5)
    weights, means, sigmas = np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([0.5, 2.0])
    variances_passed = mixture_log_likelihood(x, weights, means, sigmas**2)
    assert variances_passed != pytest.approx(mixture_log_likelihood(x, weights, means, sigmas))
    expected = np.log(weights @ stats.norm.pdf(x, means[:, None], sigmas[:, None])).sum()
    assert mixture_log_likelihood(x, weights, means, sigmas) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("weights, sigmas, match", [
    ([-0.1, 1.1], [1.0, 1.0], "weights must be non-negative"),
    ([0.5, 0.5], [1.0, 0.0], "sigmas must be positive"),
])
def test_mixture_log_likelihood_refuses_parameters_that_would_give_nan(weights, sigmas, match):
    with pytest.raises(ValueError, match=match):
        mixture_log_likelihood([0.0, 1.0], weights, [0.0, 1.0], sigmas)


@pytest.mark.parametrize("seed", range(3))
def test_lower_bound_is_the_double_sum_for_any_class_probabilities(seed):
    weights, means, sigmas = _mixture(3, seed)
    x = _data(seed, size=60)
    q = np.random.default_rng(100 + seed).dirichlet(np.ones(3), size=x.size)
    q[::7, 1] = 0.0                      # some exact zeros: 0 ln 0 = 0
    q /= q.sum(axis=1, keepdims=True)
    ours = lower_bound(component_log_densities(x, means, sigmas), weights, q)
    assert ours == pytest.approx(_bound_by_sums(x, weights, means, sigmas, q), rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_jensen_bound_lies_below_ln_l_and_touches_it_at_the_responsibilities(seed):
    weights, means, sigmas = _mixture(3, seed)
    x = _data(seed)
    log_densities = component_log_densities(x, means, sigmas)
    log_l = np.log(np.exp(_log_terms(x, weights, means, sigmas)).sum(axis=1)).sum()
    other = np.random.default_rng(seed).dirichlet(np.ones(3), size=x.size)
    assert lower_bound(log_densities, weights, other) < log_l - 1.0
    at_theta = softmax(_log_terms(x, weights, means, sigmas), axis=1)   # eq. 2
    assert lower_bound(log_densities, weights, at_theta) == pytest.approx(log_l, rel=1e-12)


def test_m_step_raises_the_bound_and_ln_l_follows():
    # The three lines of notebook 03, section 6, with the updates written out here.
    x = _data(11, size=500)
    weights, means, sigmas = np.full(3, 1 / 3), np.array([-3.0, 0.0, 3.0]), np.ones(3)
    q = softmax(_log_terms(x, weights, means, sigmas), axis=1)
    counts = q.sum(axis=0)
    new_means = q.T @ x / counts                                             # eq. 4
    new_sigmas = np.sqrt((q * (x[:, None] - new_means) ** 2).sum(axis=0) / counts)  # eq. 5
    new_weights = counts / x.size                                            # eq. 6

    def bound(w, m, s):
        return lower_bound(component_log_densities(x, m, s), w, q)

    old_log_l = mixture_log_likelihood(x, weights, means, sigmas)
    new_log_l = mixture_log_likelihood(x, new_weights, new_means, new_sigmas)
    assert bound(weights, means, sigmas) == pytest.approx(old_log_l, rel=1e-12)
    assert old_log_l < bound(new_weights, new_means, new_sigmas) <= new_log_l
    # eqs. 4-6 maximise F(q, .): nudging any parameter lowers it
    best = bound(new_weights, new_means, new_sigmas)
    for step in (np.array([1e-3, 0, 0]), np.array([0, -1e-3, 0]), np.array([0, 0, 1e-3])):
        assert bound(new_weights, new_means + step, new_sigmas) < best
        assert bound(new_weights, new_means, new_sigmas + step) < best


def test_lower_bound_with_a_zero_weight_and_zero_class_probabilities_is_finite():
    x = _data(3, size=40)
    weights, means, sigmas = np.array([0.6, 0.4, 0.0]), np.array([-1.0, 2.0, 5.0]), np.ones(3)
    q = softmax(_log_terms(x, weights[:2], means[:2], sigmas[:2]), axis=1)
    q = np.column_stack([q, np.zeros(x.size)])
    with np.errstate(invalid="raise"):   # no 0 * (-inf) = NaN on the way
        value = lower_bound(component_log_densities(x, means, sigmas), weights, q)
    expected = np.log(np.exp(_log_terms(x, weights[:2], means[:2], sigmas[:2])).sum(axis=1)).sum()
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("make_bad, match", [
    (lambda q: q[:, :2], "class_probabilities must have shape"),
    (lambda q: q.T, "class_probabilities must have shape"),
    (lambda q: q * 2.0, "summing to 2"),
    (lambda q: q + np.array([0.5, -0.5, 0.0]), "row 0"),
    (lambda q: np.where(np.arange(3) == 1, np.nan, q), "class_probabilities must hold"),
])
def test_lower_bound_refuses_what_is_not_one_probability_vector_per_sample(make_bad, match):
    x = _data(0, size=10)
    weights, means, sigmas = _mixture(3, 0)
    q = np.full((x.size, 3), 1 / 3)
    with pytest.raises(ValueError, match=match):
        lower_bound(component_log_densities(x, means, sigmas), weights, make_bad(q))
