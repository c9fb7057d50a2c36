"""emlib.uncertainty.observed_information_standard_errors: standard errors from the Hessian.

References are independent of the function's own route (logits, the exact
gradient, its finite differences, the delta method):

- one Gaussian: at the maximum the observed information is known in closed
  form, se(mu) = sigma / sqrt(N) and se(sigma) = sigma / sqrt(2N);
- two Gaussians: the maximum found by scipy.optimize on ln L in the natural
  parameters (alpha_1, mu_1, mu_2, sigma_1, sigma_2), alpha_2 = 1 - alpha_1,
  and the Hessian by second differences of *values* of
  emlib.likelihood.mixture_log_likelihood (eq. 1) there, inverted;
- the Jacobian of the change of variables against finite differences of
  emlib.direct_optimisation.unpack;
- the bootstrap, for a well-separated mixture, where ln L is close to quadratic.
"""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.exceptions import NotFittedError

from emlib import GaussianMixture
from emlib.direct_optimisation import pack, unpack
from emlib.likelihood import mixture_log_likelihood
from emlib.uncertainty import (
    bootstrap_mixture,
    natural_parameter_jacobian,
    observed_information_standard_errors,
)


def _fitted(x, n_components, **options):
    return GaussianMixture(n_components, n_init=3, tol=1e-8, max_iter=5000, random_state=0,
                           **options).fit(x).sort_components()


def _two_gaussians(seed, n_samples=600):
    """Two partly overlapping Gaussians (weights 0.35 / 0.65, means 1.8 sigma apart)."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n_samples) < 0.35
    return np.where(labels, rng.normal(-1.0, 0.8, n_samples), rng.normal(1.0, 1.2, n_samples))


@pytest.mark.parametrize("seed", [0, 1])
def test_one_gaussian_matches_the_closed_form(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.5, 500)
    errors = observed_information_standard_errors(_fitted(x, 1), x)
    sigma = x.std()  # the maximum-likelihood width (divides by N)
    np.testing.assert_allclose(errors["means"], [[sigma / np.sqrt(x.size)]], rtol=1e-6)
    np.testing.assert_allclose(errors["standard_deviations"], [[sigma / np.sqrt(2 * x.size)]],
                               rtol=1e-6)
    np.testing.assert_allclose(errors["weights"], [0.0], atol=1e-12)  # one weight, fixed at 1


def _natural_log_likelihood(x, parameters):
    weight, mean_1, mean_2, sigma_1, sigma_2 = parameters
    return mixture_log_likelihood(x, [weight, 1.0 - weight], [mean_1, mean_2],
                                  [sigma_1, sigma_2])


def _second_differences(function, point, steps):
    """The Hessian of ``function`` at ``point`` from function values only (central, O(h^2))."""
    size = point.size
    hessian = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            e_i = np.eye(size)[i] * steps[i]
            e_j = np.eye(size)[j] * steps[j]
            hessian[i, j] = (function(point + e_i + e_j) - function(point + e_i - e_j)
                             - function(point - e_i + e_j) + function(point - e_i - e_j)
                             ) / (4 * steps[i] * steps[j])
    return hessian


@pytest.mark.parametrize("seed", [2, 3])
def test_two_gaussians_match_the_inverse_of_a_finite_difference_hessian(seed):
    x = _two_gaussians(seed)
    model = _fitted(x, 2)
    errors = observed_information_standard_errors(model, x)

    # The maximum in the natural parameters, by scipy.optimize from the EM fit.
    start = np.array([model.weights_[0], *model.means_[:, 0],
                      *np.sqrt(model.covariances_[:, 0, 0])])
    best = minimize(lambda p: -_natural_log_likelihood(x, p), start, method="Nelder-Mead",
                    options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000,
                             "maxfev": 40000})
    assert best.success
    steps = 1e-3 * np.maximum(np.abs(best.x), 0.1)
    information = -_second_differences(lambda p: _natural_log_likelihood(x, p), best.x, steps)
    reference = np.sqrt(np.diag(np.linalg.inv(information)))

    np.testing.assert_allclose(errors["weights"], [reference[0], reference[0]], rtol=1e-4)
    np.testing.assert_allclose(errors["means"][:, 0], reference[1:3], rtol=1e-4)
    np.testing.assert_allclose(errors["standard_deviations"][:, 0], reference[3:5], rtol=1e-4)


def test_the_jacobian_matches_finite_differences_of_unpack():
    theta = pack([0.2, 0.5, 0.3], [-1.0, 0.5, 2.0], [0.7, 1.3, 0.4])
    step = 1e-6
    columns = [(np.concatenate(unpack(theta + shift)) - np.concatenate(unpack(theta - shift)))
               / (2 * step) for shift in step * np.eye(theta.size)]
    np.testing.assert_allclose(natural_parameter_jacobian(theta), np.array(columns).T,
                               atol=1e-8)


def test_a_well_separated_mixture_agrees_with_the_bootstrap():
    # Far apart, each component is estimated almost as if alone: ln L is close to
    # quadratic, and the two routes to a standard error should agree to within the
    # bootstrap's own Monte Carlo error (about 1 / sqrt(2 B) = 7% for B = 100).
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(-4.0, 1.0, 300), rng.normal(4.0, 0.5, 500)])
    model = _fitted(x, 2)
    errors = observed_information_standard_errors(model, x)
    bootstrap = bootstrap_mixture(model, x, n_replicates=100, method="parametric",
                                  random_state=5).standard_errors()
    for name in ("weights", "means", "standard_deviations"):
        np.testing.assert_allclose(errors[name], bootstrap[name], rtol=0.25)
    # and the closed forms of a lone Gaussian nearly hold for each component
    sigmas = np.sqrt(model.covariances_[:, 0, 0])
    counts = model.weights_ * x.size
    np.testing.assert_allclose(errors["means"][:, 0], sigmas / np.sqrt(counts), rtol=1e-3)
    np.testing.assert_allclose(errors["weights"][0],
                               np.sqrt(model.weights_[0] * model.weights_[1] / x.size),
                               rtol=1e-3)


def test_an_early_stopped_fit_gets_the_errors_of_the_maximum():
    # The curvature is taken at the maximum, not where EM happened to stop.
    x = _two_gaussians(12)
    loose = GaussianMixture(2, tol=1e-2, random_state=0).fit(x).sort_components()
    tight = _fitted(x, 2)
    assert not np.allclose(loose.means_, tight.means_, rtol=1e-4)  # EM stopped short
    for name, errors in observed_information_standard_errors(loose, x).items():
        np.testing.assert_allclose(errors, observed_information_standard_errors(tight, x)[name],
                                   rtol=1e-6)


def test_the_model_is_left_unchanged():
    x = _two_gaussians(6)
    model = _fitted(x, 2)
    before = (model.weights_.copy(), model.means_.copy(), model.covariances_.copy())
    observed_information_standard_errors(model, x)
    for after, original in zip((model.weights_, model.means_, model.covariances_), before):
        np.testing.assert_array_equal(after, original)


# --------------------------------------------------------------------------
# bad input


def test_refuses_data_of_several_features():
    X = np.random.default_rng(7).normal(size=(200, 2))
    model = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X must have one feature.*got 2 features"):
        observed_information_standard_errors(model, X)


def test_refuses_a_tied_model():
    x = _two_gaussians(8)
    model = GaussianMixture(2, covariance_type="tied", random_state=0).fit(x)
    with pytest.raises(ValueError, match="covariance_type must not be 'tied'"):
        observed_information_standard_errors(model, x)


def test_refuses_an_unfitted_model_and_other_objects():
    x = _two_gaussians(9)
    with pytest.raises(NotFittedError):
        observed_information_standard_errors(GaussianMixture(2), x)
    with pytest.raises(TypeError, match="model must be a fitted emlib.GaussianMixture"):
        observed_information_standard_errors(GaussianMixture, x)


def test_refuses_data_of_the_wrong_width_and_non_finite_data():
    x = _two_gaussians(10)
    model = _fitted(x, 2)
    with pytest.raises(ValueError, match="feature"):
        observed_information_standard_errors(model, np.column_stack([x, x]))
    with pytest.raises(ValueError, match="X"):
        observed_information_standard_errors(model, np.append(x, np.nan))


def test_explains_a_fit_that_is_not_a_maximum():
    # Two components on data that hold one Gaussian: the maximum sits where the two
    # coincide, and there ln L is flat in the direction that trades weight between them.
    x = np.random.default_rng(11).normal(0.0, 1.0, 300)
    model = _fitted(x, 2)
    model.weights_ = np.array([0.5, 0.5])
    model.means_ = np.array([[x.mean()], [x.mean()]])
    model.covariances_ = np.full((2, 1, 1), x.var())
    with pytest.raises(ValueError, match="not at a maximum of ln L.*fit fewer components"):
        observed_information_standard_errors(model, x)
