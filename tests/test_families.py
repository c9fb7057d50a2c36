"""The component families' pure functions: log-densities, M-steps, data checks, sampling.

References: scipy.stats for every density, scipy.optimize for every M-step
(the weighted log-likelihood of eq. 3 maximised numerically), finite
differences for the Student-t degrees-of-freedom equation.
"""

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import digamma, gammaln

from emlib import DegenerateComponentError
from emlib.families import (
    FAMILIES,
    BernoulliFamily,
    ExponentialFamily,
    Family,
    GaussianFamily,
    PoissonFamily,
    StudentTFamily,
)
from emlib.families import bernoulli, exponential, poisson, student_t

RNG_SEED = 20240601


@pytest.fixture
def rng():
    return np.random.default_rng(RNG_SEED)


def random_responsibilities(rng, n_samples, n_components):
    resp = rng.uniform(0.05, 1.0, size=(n_samples, n_components))
    return resp / resp.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ registry
def test_registry_names_every_family():
    assert set(FAMILIES) == {"gaussian", "poisson", "exponential", "bernoulli", "student_t"}
    for name, cls in FAMILIES.items():
        assert issubclass(cls, Family)
        assert cls.name == name


# --------------------------------------------------------------- log-densities
def test_poisson_log_densities_match_scipy(rng):
    X = rng.poisson(3.0, size=(50, 2)).astype(float)
    rates = np.array([[0.5, 4.0], [3.0, 3.0], [9.0, 0.1]])
    expected = np.stack([stats.poisson.logpmf(X, r).sum(axis=1) for r in rates], axis=1)
    np.testing.assert_allclose(poisson.log_poisson_densities(X, rates), expected, rtol=1e-12)


def test_poisson_rate_zero_gives_probability_one_to_zero_counts():
    X = np.array([[0.0], [2.0]])
    log_p = poisson.log_poisson_densities(X, np.array([[0.0]]))
    assert log_p[0, 0] == 0.0
    assert log_p[1, 0] == -np.inf


def test_exponential_log_densities_match_scipy(rng):
    X = rng.exponential(2.0, size=(40, 3))
    rates = np.array([[0.5, 1.0, 2.0], [4.0, 0.2, 1.5]])
    expected = np.stack([stats.expon.logpdf(X, scale=1 / r).sum(axis=1) for r in rates], axis=1)
    np.testing.assert_allclose(exponential.log_exponential_densities(X, rates), expected,
                               rtol=1e-12)


def test_bernoulli_log_densities_match_scipy(rng):
    X = (rng.uniform(size=(30, 6)) < 0.4).astype(float)
    means = rng.uniform(0.05, 0.95, size=(3, 6))
    expected = np.stack([stats.bernoulli.logpmf(X, m).sum(axis=1) for m in means], axis=1)
    np.testing.assert_allclose(bernoulli.log_bernoulli_densities(X, means), expected, rtol=1e-12)


@pytest.mark.parametrize("n_features", [1, 3])
def test_student_t_log_densities_match_scipy(rng, n_features):
    X = rng.standard_t(3, size=(40, n_features)) * 2.0
    centres = rng.normal(size=(2, n_features))
    roots = rng.normal(size=(2, n_features, n_features))
    scales = roots @ np.swapaxes(roots, 1, 2) + np.eye(n_features)
    dofs = np.array([1.5, 25.0])
    params = student_t.student_t_parameters(centres, scales, dofs)
    got = student_t.log_student_t_densities(X, centres, params["precisions_cholesky"], dofs)
    expected = np.stack([stats.multivariate_t(centres[k], scales[k], df=dofs[k]).logpdf(X)
                         for k in range(2)], axis=1)
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-10)


def test_student_t_tends_to_gaussian_for_large_dof(rng):
    X = rng.normal(size=(20, 2))
    centres, scales = np.zeros((1, 2)), np.eye(2)[np.newaxis]
    params = student_t.student_t_parameters(centres, scales, np.array([1e8]))
    got = student_t.log_student_t_densities(X, centres, params["precisions_cholesky"],
                                            params["dofs"])
    expected = stats.multivariate_normal(np.zeros(2), np.eye(2)).logpdf(X)
    np.testing.assert_allclose(got[:, 0], expected, atol=1e-6)


# ------------------------------------------------------- M-steps vs optimisers
def weighted_maximiser_1d(objective, bounds):
    """The maximiser of a 1-D concave objective, by scipy (the independent reference)."""
    result = optimize.minimize_scalar(lambda v: -objective(v), bounds=bounds, method="bounded",
                                      options={"xatol": 1e-12})
    return result.x


def assert_is_maximiser(value, objective, bounds):
    """``value`` agrees with scipy's maximiser and is at least as good.

    Near a maximum the objective is flat, so an optimiser pins the location
    down only to about sqrt(machine epsilon); its objective value is the
    sharper test.
    """
    best = weighted_maximiser_1d(objective, bounds)
    assert value == pytest.approx(best, rel=1e-6)
    assert objective(value) >= objective(best) - 1e-13 * abs(objective(best))


def test_poisson_m_step_maximises_weighted_log_likelihood(rng):
    X = rng.poisson(4.0, size=(200, 2)).astype(float)
    resp = random_responsibilities(rng, 200, 3)
    rates = PoissonFamily().maximise(X, resp, None)["rates"]
    for j in range(3):
        for d in range(2):
            assert_is_maximiser(rates[j, d],
                                lambda r: resp[:, j] @ stats.poisson.logpmf(X[:, d], r), (1e-3, 50))


def test_exponential_m_step_maximises_weighted_log_likelihood(rng):
    X = rng.exponential(3.0, size=(200, 2))
    resp = random_responsibilities(rng, 200, 3)
    rates = ExponentialFamily().maximise(X, resp, None)["rates"]
    for j in range(3):
        for d in range(2):
            assert_is_maximiser(
                rates[j, d], lambda r: resp[:, j] @ stats.expon.logpdf(X[:, d], scale=1 / r),
                (1e-3, 50))


def test_bernoulli_m_step_maximises_weighted_log_likelihood(rng):
    X = (rng.uniform(size=(200, 4)) < [0.2, 0.5, 0.7, 0.9]).astype(float)
    resp = random_responsibilities(rng, 200, 2)
    means = BernoulliFamily().maximise(X, resp, None)["means"]
    for j in range(2):
        for d in range(4):
            assert_is_maximiser(
                means[j, d], lambda m: resp[:, j] @ stats.bernoulli.logpmf(X[:, d], m),
                (1e-9, 1 - 1e-9))


def test_bernoulli_m_step_keeps_probabilities_inside_the_unit_interval():
    X = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    family = BernoulliFamily(min_probability=1e-6)
    means = family.maximise(X, np.ones((3, 1)), None)["means"]
    np.testing.assert_allclose(means, [[1e-6, 1 - 1e-6]])
    # A vector the component has never seen still has a finite log-probability.
    assert np.all(np.isfinite(family.log_densities(np.array([[1.0, 0.0]]), {"means": means})))


def test_exponential_m_step_refuses_a_component_on_zeros():
    X = np.array([[0.0], [0.0], [5.0]])
    resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(DegenerateComponentError, match="Exponential component 0"):
        ExponentialFamily().maximise(X, resp, None)


def student_t_start(rng, n_features):
    X = np.vstack([rng.standard_t(4, size=(150, n_features)),
                   rng.standard_t(4, size=(150, n_features)) * 2 + 6])
    resp = random_responsibilities(rng, 300, 2)
    params = student_t.student_t_parameters(
        np.array([np.full(n_features, 0.5), np.full(n_features, 5.0)]),
        np.array([np.eye(n_features), 3 * np.eye(n_features)]), np.array([3.0, 12.0]))
    return X, resp, params


def expected_complete_log_likelihood(X, resp, old, centres, scales, dofs):
    """Q(theta | theta_old) of the t mixture's components, written out from the hidden-u model.

    x | u ~ N(mu, Sigma / u), u ~ Gamma(nu / 2, rate nu / 2); with u's posterior at
    theta_old a Gamma((nu_old + d) / 2, rate (nu_old + delta_old) / 2).
    """
    n_features = X.shape[1]
    total = 0.0
    for j in range(len(dofs)):
        difference = X - old["means"][j]
        delta_old = np.einsum("ij,jk,ik->i", difference, np.linalg.inv(old["scales"][j]),
                              difference)
        shape, rate = 0.5 * (old["dofs"][j] + n_features), 0.5 * (old["dofs"][j] + delta_old)
        mean_u, mean_log_u = shape / rate, digamma(shape) - np.log(rate)
        difference = X - centres[j]
        delta = np.einsum("ij,jk,ik->i", difference, np.linalg.inv(scales[j]), difference)
        _, log_det = np.linalg.slogdet(scales[j])
        gaussian = 0.5 * n_features * mean_log_u - 0.5 * log_det - 0.5 * mean_u * delta
        half = 0.5 * dofs[j]
        gamma = half * np.log(half) - gammaln(half) + (half - 1) * mean_log_u - half * mean_u
        total += resp[:, j] @ (gaussian + gamma)
    return total


@pytest.mark.parametrize("n_features", [1, 2])
def test_student_t_m_step_is_stationary_for_the_expected_complete_log_likelihood(rng, n_features):
    X, resp, old = student_t_start(rng, n_features)
    new = StudentTFamily(reg_covar=0.0).maximise(X, resp, old)

    def q(vector):
        k, d = 2, n_features
        centres = vector[:k * d].reshape(k, d)
        lower = vector[k * d:k * d + k * d * d].reshape(k, d, d)
        scales = 0.5 * (lower + np.swapaxes(lower, 1, 2))  # perturb symmetric pairs together
        return expected_complete_log_likelihood(X, resp, old, centres, scales, vector[-k:])

    point = np.concatenate([new["means"].ravel(), new["scales"].ravel(), new["dofs"]])
    gradient = optimize.approx_fprime(point, q, 1e-6)
    assert np.max(np.abs(gradient)) < 1e-3  # vs entries of order 1e2 at the old parameters
    old_point = np.concatenate([old["means"].ravel(), old["scales"].ravel(), old["dofs"]])
    assert np.max(np.abs(optimize.approx_fprime(old_point, q, 1e-6))) > 1.0
    assert q(point) > q(old_point)


def test_student_t_dof_update_maximises_its_part_of_q(rng):
    X, resp, old = student_t_start(rng, 1)
    new = StudentTFamily(reg_covar=0.0).maximise(X, resp, old)
    for j in range(2):
        def q_nu(nu, j=j):
            dofs = new["dofs"].copy()
            dofs[j] = nu
            return expected_complete_log_likelihood(X, resp, old, new["means"], new["scales"],
                                                    dofs)
        assert_is_maximiser(new["dofs"][j], q_nu, (0.05, 500))


def test_dof_equation_is_the_scaled_derivative_of_q(rng):
    distances = rng.chisquare(2, size=100) * 3
    resp = rng.uniform(size=100)
    old_dof, n_features = 4.0, 2
    u = student_t.latent_scale_weights(distances, old_dof, n_features)
    term = resp @ (np.log(u) - u) / resp.sum()

    def q_nu(nu):  # the nu-part of Q, per unit of weight
        shape, rate = 0.5 * (old_dof + n_features), 0.5 * (old_dof + distances)
        mean_u, mean_log_u = shape / rate, digamma(shape) - np.log(rate)
        half = 0.5 * nu
        return resp @ (half * np.log(half) - gammaln(half) + half * (mean_log_u - mean_u)) \
            / resp.sum()

    for nu in (0.5, 3.0, 40.0):
        derivative = (q_nu(nu + 1e-6) - q_nu(nu - 1e-6)) / 2e-6
        assert student_t.dof_equation(nu, old_dof, term, n_features) == pytest.approx(
            2 * derivative, rel=1e-5, abs=1e-8)


def test_dof_update_hits_the_upper_bound_for_gaussian_data(rng):
    X = rng.normal(size=(5000, 1))
    params = student_t.student_t_parameters(np.zeros((1, 1)), np.ones((1, 1, 1)),
                                            np.array([500.0]))
    family = StudentTFamily(reg_covar=0.0, dof_bounds=(0.1, 50.0))
    assert family.maximise(X, np.ones((5000, 1)), params)["dofs"][0] == 50.0


def test_latent_scale_weights_shrink_for_outliers():
    u = student_t.latent_scale_weights(np.array([[0.0], [1.0], [100.0]]), np.array([3.0]), 1)
    np.testing.assert_allclose(u[:, 0], [4 / 3, 1.0, 4 / 103])


# ---------------------------------------------------------------- data checks
@pytest.mark.parametrize("family, X, message", [
    (PoissonFamily(), [[1.0], [-2.0]], "non-negative integers.*negative.*-2"),
    (PoissonFamily(), [[1.0], [2.5]], "non-negative integers.*non-integer.*2.5"),
    (ExponentialFamily(), [[1.0], [-0.5]], "non-negative.*-0.5"),
    (ExponentialFamily(), [[0.0], [0.0]], "all 0"),
    (BernoulliFamily(), [[0.0, 1.0], [1.0, 2.0]], "0 or 1.*X\\[1, 1\\] = 2"),
])
def test_families_refuse_data_outside_their_support(family, X, message):
    with pytest.raises(ValueError, match=message):
        family.check_data(np.array(X))


def test_families_accept_data_in_their_support():
    assert PoissonFamily().check_data(np.array([[0.0], [7.0]])).shape == (2, 1)
    assert ExponentialFamily().check_data(np.array([[0.0], [0.3]])).shape == (2, 1)
    assert BernoulliFamily().check_data(np.array([[0.0, 1.0]])).shape == (1, 2)


# ------------------------------------------------------------------- sampling
@pytest.mark.parametrize("family, params, reference", [
    (PoissonFamily(), {"rates": np.array([[1.0], [6.5]])}, stats.poisson(6.5)),
    (ExponentialFamily(), {"rates": np.array([[1.0], [0.25]])}, stats.expon(scale=4.0)),
    (BernoulliFamily(), {"means": np.array([[0.5], [0.3]])}, stats.bernoulli(0.3)),
])
def test_samples_follow_the_component_distribution(family, params, reference):
    rng = np.random.default_rng(1)
    draws = family.sample(rng, params, 1, 20000)[:, 0]
    assert draws.mean() == pytest.approx(reference.mean(), rel=0.03)
    assert draws.var() == pytest.approx(reference.var(), rel=0.05)
    assert np.all(family.check_data(draws[:, np.newaxis]) == draws[:, np.newaxis])


def test_student_t_samples_pass_a_kolmogorov_smirnov_test():
    params = student_t.student_t_parameters(np.array([[2.0]]), np.array([[[0.25]]]),
                                            np.array([3.0]))
    draws = StudentTFamily().sample(np.random.default_rng(2), params, 0, 5000)[:, 0]
    assert stats.kstest(draws, stats.t(3, loc=2.0, scale=0.5).cdf).pvalue > 0.01


# ---------------------------------------------------------- parameter counts
def test_parameter_counts():
    assert PoissonFamily().n_parameters({"rates": np.ones((3, 1))}) == 3
    assert ExponentialFamily().n_parameters({"rates": np.ones((2, 4))}) == 8
    assert BernoulliFamily().n_parameters({"means": np.full((4, 64), 0.5)}) == 4 * 64
    t = student_t.student_t_parameters(np.zeros((2, 3)), np.array([np.eye(3)] * 2),
                                       np.array([4.0, 4.0]))
    assert StudentTFamily().n_parameters(t) == 2 * (3 + 6 + 1)
    t1 = student_t.student_t_parameters(np.zeros((2, 1)), np.ones((2, 1, 1)), np.ones(2))
    assert StudentTFamily().n_parameters(t1) == 2 * 3
    gaussian = GaussianFamily().maximise(np.random.default_rng(0).normal(size=(10, 2)),
                                         np.ones((10, 1)), None)
    assert GaussianFamily().n_parameters(gaussian) == 2 + 3
