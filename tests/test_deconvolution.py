"""Measurement errors: the homoscedastic correction, the eq.-7 route and extreme deconvolution.

References used here, all independent of emlib's kernels: the algebra of
Gaussians (convolution, conditioning), scipy.stats densities,
scipy.optimize maximisations, finite-difference gradients of a log-likelihood
written here with numpy.linalg.solve/slogdet, and scikit-learn's
GaussianMixture for the zero-error limit.
"""

import warnings

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp, softmax
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import emlib
from emlib import deconvolution as dc
from emlib.em import ConvergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# --------------------------------------------------------------------------
# independent references


def reference_log_densities(X, S, weights, means, covariances, projection=None):
    """ln alpha_j + ln N(x_i | R_i mu_j, R_i V_j R_i^T + S_i), with LU solves (not Cholesky)."""
    n, d_obs = X.shape
    R = np.broadcast_to(np.eye(d_obs) if projection is None else projection,
                        (n, d_obs, means.shape[1]))
    out = np.empty((n, len(weights)))
    for j, (weight, mean, cov) in enumerate(zip(weights, means, covariances)):
        total = R @ cov @ np.swapaxes(R, 1, 2) + S
        residual = X - R @ mean
        _, log_det = np.linalg.slogdet(total)
        maha = np.einsum("ni,ni->n", residual, np.linalg.solve(total, residual[..., None])[..., 0])
        out[:, j] = np.log(weight) - 0.5 * (d_obs * np.log(2 * np.pi) + log_det + maha)
    return out


def reference_log_likelihood(X, S, weights, means, covariances, projection=None):
    return float(logsumexp(reference_log_densities(X, S, weights, means, covariances,
                                                   projection), axis=1).sum())


def unpack(theta, n_components, n_features):
    """Unconstrained parameters -> (weights, means, covariances): softmax and log-Cholesky."""
    k, d = n_components, n_features
    weights = softmax(theta[:k])
    means = theta[k:k + k * d].reshape(k, d)
    rows, cols = np.tril_indices(d)
    factors = np.zeros((k, d, d))
    factors[:, rows, cols] = theta[k + k * d:].reshape(k, -1)
    diagonal = np.arange(d)
    factors[:, diagonal, diagonal] = np.exp(factors[:, diagonal, diagonal])
    return weights, means, factors @ np.swapaxes(factors, 1, 2)


def pack(weights, means, covariances):
    d = means.shape[1]
    factors = np.linalg.cholesky(covariances)
    diagonal = np.arange(d)
    factors[:, diagonal, diagonal] = np.log(factors[:, diagonal, diagonal])
    rows, cols = np.tril_indices(d)
    return np.concatenate([np.log(weights), means.ravel(), factors[:, rows, cols].ravel()])


def numerical_gradient(function, theta, step=1e-6):
    gradient = np.empty_like(theta)
    for k in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        gradient[k] = (function(up) - function(down)) / (2 * step)
    return gradient


def heteroscedastic_1d(n=400, seed=0):
    """Two well-separated components, errors comparable with the widths."""
    rng = np.random.default_rng(seed)
    first = rng.random(n) < 0.4
    y = np.where(first, rng.normal(-2.0, 0.5, n), rng.normal(1.5, 0.8, n))
    errors = rng.uniform(0.2, 1.0, n)
    return y + errors * rng.standard_normal(n), errors


def heteroscedastic_2d(n=400, seed=1, scale=0.4):
    """Three 2-D clusters, each point with its own full error covariance."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 4.0]])
    covariances = np.array([[[1.0, 0.5], [0.5, 0.6]], [[0.3, -0.1], [-0.1, 0.4]],
                            [[0.5, 0.0], [0.0, 0.2]]])
    labels = rng.choice(3, size=n, p=[0.4, 0.35, 0.25])
    Y = means[labels] + np.einsum("nij,nj->ni", np.linalg.cholesky(covariances)[labels],
                                  rng.standard_normal((n, 2)))
    factors = rng.normal(size=(n, 2, 2)) * rng.uniform(0.1, 1.0, (n, 1, 1)) * scale
    S = factors @ np.swapaxes(factors, 1, 2)
    X = Y + np.einsum("nij,nj->ni", factors, rng.standard_normal((n, 2)))
    return X, S


def converged(model_class=emlib.XDGMM, **kwargs):
    settings = dict(tol=1e-13, max_iter=5000, reg_covar=0.0, random_state=0)
    settings.update(kwargs)
    return model_class(**settings)


# --------------------------------------------------------------------------
# the homoscedastic correction


def test_intrinsic_width_undoes_the_convolution_of_two_gaussians():
    rng = np.random.default_rng(0)
    intrinsic, error = 0.7, 0.5
    x = rng.normal(0.0, intrinsic, 400_000) + rng.normal(0.0, error, 400_000)
    assert dc.intrinsic_width(x.std(), error) == pytest.approx(intrinsic, rel=5e-3)
    assert np.allclose(dc.intrinsic_width([0.5, 1.3], [0.3, 1.2]), [0.4, 0.5])


def test_intrinsic_width_refuses_or_clamps_an_unresolved_width():
    with pytest.raises(ValueError, match="smaller than the measurement error.*not resolved"):
        dc.intrinsic_width([1.0, 0.4], 0.5)
    assert np.array_equal(dc.intrinsic_width([1.0, 0.4], 0.5, unresolved="zero"),
                          [np.sqrt(0.75), 0.0])
    with pytest.raises(ValueError, match="unresolved"):
        dc.intrinsic_width(1.0, 0.5, unresolved="nan")
    with pytest.raises(ValueError, match="error must be finite and non-negative"):
        dc.intrinsic_width(1.0, -0.5)


def test_zero_is_the_constrained_maximum_when_the_data_are_narrower_than_the_error():
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 0.3, 50)
    error = 0.5
    assert x.std() < error

    def negative_log_likelihood(intrinsic):
        return -stats.norm.logpdf(x, x.mean(), np.hypot(intrinsic, error)).sum()

    best = optimize.minimize_scalar(negative_log_likelihood, bounds=(0.0, 2.0), method="bounded",
                                    options={"xatol": 1e-8})
    assert best.x == pytest.approx(dc.intrinsic_width(x.std(), error, unresolved="zero"),
                                   abs=1e-4)


# --------------------------------------------------------------------------
# the text's route: the mean update and eq. 7


def _mixture_log_likelihood_1d(x, errors, weights, means, variances):
    total = np.sqrt(variances[None, :] + errors[:, None] ** 2)
    return logsumexp(np.log(weights) + stats.norm.logpdf(x[:, None], means, total), axis=1).sum()


def test_eq7_with_a_plus_sign_is_the_derivative_of_ln_L_and_the_text_sign_is_not():
    # Fisher's identity: d ln L / d theta = d Q(theta | theta_old) / d theta at theta = theta_old,
    # so the corrected eq. 7 (RHS - LHS = 2 dQ/dsigma^2) must equal twice the derivative of ln L.
    x, errors = heteroscedastic_1d()
    weights, means, variances = np.array([0.5, 0.5]), np.array([-1.5, 1.0]), np.array([0.4, 1.1])
    resp = softmax(np.log(weights) + stats.norm.logpdf(
        x[:, None], means, np.sqrt(variances + errors[:, None] ** 2)), axis=1)
    for j in range(2):
        def log_l(variance, j=j):
            trial = variances.copy()
            trial[j] = variance
            return _mixture_log_likelihood_1d(x, errors, weights, means, trial)

        step = 1e-6
        derivative = (log_l(variances[j] + step) - log_l(variances[j] - step)) / (2 * step)
        corrected = dc.eq7_residual(variances[j], x, errors**2, resp[:, j], means[j])
        assert 0.5 * corrected == pytest.approx(derivative, rel=1e-6)
        total = variances[j] + errors**2
        as_printed = np.sum(resp[:, j] * (x - means[j]) ** 2 / total**2) - np.sum(
            resp[:, j] / (variances[j] - errors**2))
        assert abs(0.5 * as_printed - derivative) > 0.1 * abs(derivative) + 1.0


def test_eq7_mean_update_maximises_eq3_over_the_mean_given_sigma():
    x, errors = heteroscedastic_1d(seed=2)
    rng = np.random.default_rng(3)
    resp = rng.dirichlet([1.0, 1.0], size=x.size)
    variances = np.array([0.3, 0.9])
    means = dc.eq7_mean_update(x, errors**2, resp, variances)
    for j in range(2):
        def negative_q(mean, j=j):
            scale = np.sqrt(variances[j] + errors**2)
            return -(resp[:, j] * stats.norm.logpdf(x, mean, scale)).sum()

        best = optimize.minimize_scalar(negative_q, bracket=(-3, 3), tol=1e-12)
        assert means[j] == pytest.approx(best.x, abs=1e-7)


def test_solve_eq7_variance_maximises_eq3_over_sigma_squared():
    x, errors = heteroscedastic_1d(seed=4)
    rng = np.random.default_rng(5)
    resp = rng.dirichlet([2.0, 1.0], size=x.size)[:, 0]
    mean = float(np.average(x, weights=resp))
    solution = dc.solve_eq7_variance(x, errors**2, resp, mean)
    assert not solution.at_boundary

    def negative_q(variance):
        return -(resp * stats.norm.logpdf(x, mean, np.sqrt(variance + errors**2))).sum()

    best = optimize.minimize_scalar(negative_q, bounds=(0.0, 20.0), method="bounded",
                                    options={"xatol": 1e-12})
    assert solution.variance == pytest.approx(best.x, rel=1e-5)
    assert dc.eq7_residual(solution.variance, x, errors**2, resp, mean) == pytest.approx(
        0.0, abs=1e-9 * resp.sum())


def test_solve_eq7_variance_returns_zero_when_no_positive_root_exists():
    # Every point lies closer to the mean than its own error: Q falls for all sigma^2 > 0.
    rng = np.random.default_rng(6)
    errors = rng.uniform(0.5, 1.0, 60)
    x = rng.uniform(-0.4, 0.4, 60)
    resp = np.ones(60)
    solution = dc.solve_eq7_variance(x, errors**2, resp, 0.0)
    assert solution == (0.0, True)

    def q(variance):
        return (resp * stats.norm.logpdf(x, 0.0, np.sqrt(variance + errors**2))).sum()

    grid = np.linspace(0.0, 3.0, 301)
    assert np.all(np.diff([q(v) for v in grid]) < 0)


def test_solve_eq7_variance_finds_the_global_maximum_when_eq3_is_bimodal():
    # Many precise points near the mean and a few imprecise ones far away: Q has two maxima.
    x = np.concatenate([np.full(100, 1.0), np.full(20, 100.0)])
    errors = np.concatenate([np.full(100, 1e-3), np.full(20, 10.0)])
    resp = np.ones(x.size)
    grid = np.geomspace(1e-4, 2e4, 40_001)
    values = dc.eq7_objective(grid, x, errors**2, resp, 0.0)
    interior = (values[1:-1] > values[:-2]) & (values[1:-1] > values[2:])
    assert interior.sum() == 2  # the premise of this test
    solution = dc.solve_eq7_variance(x, errors**2, resp, 0.0)
    assert solution.variance == pytest.approx(grid[np.argmax(values)], rel=1e-3)
    assert dc.eq7_objective(solution.variance, x, errors**2, resp, 0.0) >= values.max()


# --------------------------------------------------------------------------
# XD's building blocks


def test_cholesky_and_triangular_inverse_match_numpy_on_a_stack():
    rng = np.random.default_rng(7)
    factors = rng.normal(size=(50, 3, 4, 4))
    matrices = factors @ np.swapaxes(factors, -1, -2) + 0.1 * np.eye(4)
    lower = dc.cholesky_factors(matrices)
    assert np.allclose(lower, np.linalg.cholesky(matrices), rtol=1e-12, atol=1e-12)
    assert np.allclose(dc.inverse_lower_triangular(lower), np.linalg.inv(lower), atol=1e-10)
    with pytest.raises(np.linalg.LinAlgError):
        dc.cholesky_factors(np.array([[[1.0, 2.0], [2.0, 1.0]]]))


@pytest.mark.parametrize("projected", [False, True])
def test_log_convolved_densities_match_scipy(projected):
    rng = np.random.default_rng(8)
    n, d = 30, 3
    d_obs = 2 if projected else 3
    means = rng.normal(size=(2, d))
    factors = rng.normal(size=(2, d, d))
    covariances = factors @ np.swapaxes(factors, 1, 2) + 0.1 * np.eye(d)
    error_factors = rng.normal(size=(n, d_obs, d_obs)) * 0.3
    S = error_factors @ np.swapaxes(error_factors, 1, 2)
    R = rng.normal(size=(n, d_obs, d)) if projected else None
    X = rng.normal(size=(n, d_obs))
    got = dc.log_convolved_densities(X, S, means, covariances, R)
    for i in range(n):
        Ri = np.eye(d) if R is None else R[i]
        for j in range(2):
            expected = stats.multivariate_normal.logpdf(
                X[i], Ri @ means[j], Ri @ covariances[j] @ Ri.T + S[i])
            assert got[i, j] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("projected", [False, True])
def test_xd_expected_values_are_the_conditional_moments_of_the_joint_gaussian(projected):
    rng = np.random.default_rng(9)
    n, d = 20, 3
    d_obs = 2 if projected else 3
    means = rng.normal(size=(2, d))
    factors = rng.normal(size=(2, d, d))
    covariances = factors @ np.swapaxes(factors, 1, 2) + 0.1 * np.eye(d)
    error_factors = rng.normal(size=(n, d_obs, d_obs)) * 0.5
    S = error_factors @ np.swapaxes(error_factors, 1, 2)
    R = rng.normal(size=(n, d_obs, d)) if projected else None
    X = rng.normal(size=(n, d_obs))
    b, B = dc.xd_expected_values(X, S, means, covariances, R)
    for i in range(n):
        Ri = np.eye(d) if R is None else R[i]
        for j in range(2):
            # (y, x) is jointly Gaussian: condition the first block on the second.
            cross = covariances[j] @ Ri.T
            total = Ri @ covariances[j] @ Ri.T + S[i]
            gain = np.linalg.solve(total, cross.T).T
            assert np.allclose(b[i, j], means[j] + gain @ (X[i] - Ri @ means[j]), atol=1e-10)
            assert np.allclose(B[i, j], covariances[j] - gain @ cross.T, atol=1e-10)


def test_missing_as_projection_drops_the_missing_coordinates_exactly():
    X, S = heteroscedastic_2d(n=60, seed=10)
    rng = np.random.default_rng(11)
    missing = rng.random(X.shape) < 0.3
    missing[:, 1] &= ~missing[:, 0]  # keep at least one coordinate per point
    X_missing = np.where(missing, np.nan, X)
    filled, S_filled, R = dc.missing_as_projection(X_missing, S)
    means = np.array([[0.0, 0.0], [2.0, 1.0]])
    covariances = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 0.9]]])
    got = dc.log_convolved_densities(filled, S_filled, means, covariances, R)
    for i in range(len(X)):
        seen = ~missing[i]
        for j in range(2):
            expected = stats.multivariate_normal.logpdf(
                X[i, seen], means[j, seen], (covariances[j] + S[i])[np.ix_(seen, seen)])
            assert got[i, j] == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------
# XDGMM: maxima, fixed points, monotonicity


def test_1d_eq7_route_and_xd_reach_the_maximum_found_by_scipy():
    x, errors = heteroscedastic_1d()
    start = dict(weights_init=[0.5, 0.5], means_init=[-1.0, 1.0], covariances_init=[1.0, 1.0])
    xd = converged(n_components=2, method="xd", **start).fit(x, errors)
    eq7 = converged(n_components=2, method="eq7", **start).fit(x, errors)
    assert xd.converged_ and eq7.converged_
    assert eq7.log_likelihoods_[-1] == pytest.approx(xd.log_likelihoods_[-1], rel=1e-8)

    def negative_log_likelihood(theta):
        return -_mixture_log_likelihood_1d(x, errors, softmax([0.0, theta[0]]), theta[1:3],
                                           np.exp(theta[3:]))

    best = optimize.minimize(negative_log_likelihood, [0.0, -1.0, 1.0, 0.0, 0.0],
                             method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000})
    best = optimize.minimize(negative_log_likelihood, best.x, method="BFGS",
                             options={"gtol": 1e-9})
    assert xd.log_likelihoods_[-1] == pytest.approx(-best.fun, rel=1e-8)
    for model in (xd, eq7):
        model.sort_components()
        assert np.allclose(model.means_.ravel(), np.sort(best.x[1:3]), atol=1e-4)
        assert np.allclose(model.covariances_.ravel(), np.exp(best.x[3:])[np.argsort(best.x[1:3])],
                           rtol=1e-3)


@pytest.mark.parametrize("method", ["xd", "eq7"])
def test_gradient_of_ln_L_vanishes_at_the_1d_fixed_point(method):
    x, errors = heteroscedastic_1d(seed=12)
    model = converged(n_components=2, method=method).fit(x, errors)
    theta = pack(model.weights_, model.means_, model.covariances_)
    S = (errors**2)[:, None, None]
    gradient = numerical_gradient(
        lambda t: reference_log_likelihood(x[:, None], S, *unpack(t, 2, 1)), theta)
    assert np.abs(gradient).max() < 1e-4


def test_gradient_of_ln_L_vanishes_at_the_xd_fixed_point_with_missing_coordinates():
    X, S = heteroscedastic_2d(n=300, seed=13)
    rng = np.random.default_rng(14)
    missing = np.zeros(X.shape, bool)
    missing[rng.random(len(X)) < 0.3, rng.integers(0, 2)] = True
    filled, S_filled, R = dc.missing_as_projection(np.where(missing, np.nan, X), S)
    model = converged(n_components=3).fit(filled, S_filled, projection=R)
    theta = pack(model.weights_, model.means_, model.covariances_)
    gradient = numerical_gradient(
        lambda t: reference_log_likelihood(filled, S_filled, *unpack(t, 3, 2), projection=R),
        theta)
    assert np.abs(gradient).max() < 1e-4
    # The padded coordinates contribute nothing: ln L is that of the observed coordinates alone.
    assert model.log_likelihoods_[-1] == pytest.approx(
        reference_log_likelihood(filled, S_filled, model.weights_, model.means_,
                                 model.covariances_, projection=R), rel=1e-12)


def test_ln_L_never_decreases():
    X, S = heteroscedastic_2d(n=300, seed=15)
    rng = np.random.default_rng(16)
    R = np.eye(2) + 0.3 * rng.normal(size=(300, 2, 2))
    weights = rng.integers(1, 4, 300).astype(float)
    xd = emlib.XDGMM(3, tol=0, max_iter=60, reg_covar=0, random_state=1).fit(
        X, S, projection=R, sample_weight=weights)
    x, errors = heteroscedastic_1d(seed=17)
    eq7 = emlib.XDGMM(3, method="eq7", tol=0, max_iter=60, reg_covar=0, random_state=1).fit(
        x, errors)
    for model in (xd, eq7):
        history = model.log_likelihoods_
        assert history.size == 61 and model.n_iter_ == 60
        assert np.all(np.diff(history) >= -1e-10 * np.abs(history[:-1]))
    # With sample weights ln L is the weighted sum of the per-point terms.
    per_point = logsumexp(reference_log_densities(X, S, xd.weights_, xd.means_,
                                                  xd.covariances_, R), axis=1)
    assert xd.log_likelihoods_[-1] == pytest.approx(weights @ per_point, rel=1e-12)


def test_zero_errors_give_the_iterates_of_a_gaussian_mixture():
    X, _ = heteroscedastic_2d(n=300, seed=18)
    rng = np.random.default_rng(19)
    weights = np.array([0.3, 0.3, 0.4])
    means = X[rng.choice(len(X), 3, replace=False)]
    covariances = np.array([np.eye(2)] * 3)
    for n_iter in (1, 4):
        xd = emlib.XDGMM(3, tol=0, max_iter=n_iter, reg_covar=1e-6, weights_init=weights,
                         means_init=means, covariances_init=covariances).fit(
            X, np.zeros_like(X))
        reference = SklearnGaussianMixture(3, tol=0, max_iter=n_iter, reg_covar=1e-6,
                                           weights_init=weights, means_init=means,
                                           precisions_init=np.linalg.inv(covariances)).fit(X)
        ours = emlib.GaussianMixture(3, tol=0, max_iter=n_iter, reg_covar=1e-6,
                                     weights_init=weights, means_init=means,
                                     covariances_init=covariances).fit(X)
        for other in (reference, ours):
            assert np.allclose(xd.weights_, other.weights_, rtol=1e-10, atol=1e-12)
            assert np.allclose(xd.means_, other.means_, rtol=1e-10, atol=1e-12)
            assert np.allclose(xd.covariances_, other.covariances_, rtol=1e-10, atol=1e-12)


def test_intrinsic_widths_are_recovered_where_a_plain_fit_is_biased():
    rng = np.random.default_rng(20)
    n = 20_000
    first = rng.random(n) < 0.5
    y = np.where(first, rng.normal(-3.0, 0.4, n), rng.normal(2.0, 1.0, n))
    errors = rng.uniform(0.2, 1.5, n)
    x = y + errors * rng.standard_normal(n)
    xd = emlib.XDGMM(2, tol=1e-6, max_iter=500, random_state=0).fit(x, errors).sort_components()
    plain = emlib.GaussianMixture(2, tol=1e-6, max_iter=500, random_state=0).fit(x)
    plain.sort_components()
    sigmas = np.sqrt(xd.covariances_.ravel())
    assert np.allclose(sigmas, [0.4, 1.0], rtol=0.05)
    assert np.all(np.sqrt(plain.covariances_.ravel()) > 1.3 * np.array([0.4, 1.0]))
    assert np.allclose(xd.means_.ravel(), [-3.0, 2.0], atol=0.05)


def test_full_intrinsic_covariances_are_recovered_in_2d():
    X, S = heteroscedastic_2d(n=20_000, seed=21, scale=0.8)
    model = emlib.XDGMM(3, tol=1e-6, max_iter=500, random_state=0).fit(X, S).sort_components()
    truth = np.array([[[1.0, 0.5], [0.5, 0.6]], [[0.5, 0.0], [0.0, 0.2]],
                      [[0.3, -0.1], [-0.1, 0.4]]])  # sorted by mean: (0,0), (1,4), (4,1)
    assert np.allclose(model.covariances_, truth, atol=0.06)
    plain = emlib.GaussianMixture(3, random_state=0).fit(X).sort_components()
    assert np.all(np.trace(plain.covariances_, axis1=1, axis2=2)
                  > np.trace(truth, axis1=1, axis2=2) + 0.2)


def test_fixed_parameters_stay_and_the_free_ones_maximise_ln_L():
    X, S = heteroscedastic_2d(n=300, seed=22)
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([[0.5, 0.5], [4.0, 1.0], [1.0, 4.0]])
    covariances = np.array([np.eye(2), 0.5 * np.eye(2), [[0.5, 0.1], [0.1, 0.3]]])
    model = converged(n_components=3, weights_init=weights, means_init=means,
                      covariances_init=covariances).fit(
        X, S, fixed_weights=[True, False, False], fixed_means=[False, True, False],
        fixed_covariances=[True, False, False])
    assert model.weights_[0] == 0.5 and np.array_equal(model.means_[1], means[1])
    assert np.array_equal(model.covariances_[0], covariances[0])
    assert np.all(np.diff(model.log_likelihoods_) >= -1e-9)

    def log_l(free):
        split = 0.5 * np.array([1.0, np.exp(free[0])]) / (1 + np.exp(free[0]))
        trial_weights = np.concatenate([[0.5], split])
        trial_means = np.array([free[1:3], means[1], free[3:5]])
        factor = np.array([[np.exp(free[5]), 0], [free[6], np.exp(free[7])]])
        factor3 = np.array([[np.exp(free[8]), 0], [free[9], np.exp(free[10])]])
        trial_covariances = np.array([covariances[0], factor @ factor.T, factor3 @ factor3.T])
        return reference_log_likelihood(X, S, trial_weights, trial_means, trial_covariances)

    chol1, chol2 = np.linalg.cholesky(model.covariances_[1]), np.linalg.cholesky(
        model.covariances_[2])
    free = np.array([np.log(model.weights_[2] / model.weights_[1]), *model.means_[0],
                     *model.means_[2], np.log(chol1[0, 0]), chol1[1, 0], np.log(chol1[1, 1]),
                     np.log(chol2[0, 0]), chol2[1, 0], np.log(chol2[1, 1])])
    assert log_l(free) == pytest.approx(model.log_likelihoods_[-1], rel=1e-12)
    assert np.abs(numerical_gradient(log_l, free)).max() < 1e-4
    # Free parameters counted: 1 weight, 2 means, 2 covariances.
    assert model.bic(X, S) == pytest.approx(
        -2 * model.log_likelihoods_[-1] + (1 + 4 + 6) * np.log(300), rel=1e-12)


def test_tol_zero_runs_exactly_max_iter_iterations():
    x, errors = heteroscedastic_1d(seed=23)
    with pytest.warns(ConvergenceWarning):
        model = emlib.XDGMM(2, tol=0, max_iter=7, random_state=0).fit(x, errors)
    assert model.n_iter_ == 7 and model.log_likelihoods_.shape == (8,)
    assert not model.converged_


# --------------------------------------------------------------------------
# XDGMM: inference, sampling, criteria


def test_scores_probabilities_and_criteria_match_the_reference():
    X, S = heteroscedastic_2d(n=200, seed=24)
    model = emlib.XDGMM(3, random_state=0).fit(X, S)
    terms = reference_log_densities(X, S, model.weights_, model.means_, model.covariances_)
    log_density = logsumexp(terms, axis=1)
    assert np.allclose(model.score_samples(X, S), log_density, rtol=1e-12)
    assert model.score(X, S) == pytest.approx(log_density.mean(), rel=1e-12)
    assert np.allclose(model.predict_proba(X, S), softmax(terms, axis=1), atol=1e-12)
    assert np.array_equal(model.predict(X, S), terms.argmax(axis=1))
    n_parameters = 2 + 3 * 2 + 3 * 3
    assert model.aic(X, S) == pytest.approx(-2 * log_density.sum() + 2 * n_parameters)
    assert model.bic(X, S) == pytest.approx(
        -2 * log_density.sum() + n_parameters * np.log(200))


def test_error_shapes_are_equivalent():
    X, _ = heteroscedastic_2d(n=100, seed=25)
    sigmas = np.random.default_rng(26).uniform(0.1, 0.5, X.shape)
    as_matrices = sigmas[:, :, None] * np.eye(2) * sigmas[:, None, :]
    model = emlib.XDGMM(2, random_state=0).fit(X, sigmas)
    assert np.allclose(model.score_samples(X, sigmas), model.score_samples(X, as_matrices))
    x = X[:, 0]
    model_1d = emlib.XDGMM(2, random_state=0).fit(x, sigmas[:, 0])
    assert np.allclose(model_1d.score_samples(x, sigmas[:, 0]),
                       model_1d.score_samples(x[:, None], sigmas[:, :1, None] ** 2))


def test_sample_draws_from_the_deconvolved_model_and_honours_random_state():
    X, S = heteroscedastic_2d(n=300, seed=27)
    first = emlib.XDGMM(3, random_state=5).fit(X, S)
    second = emlib.XDGMM(3, random_state=5).fit(X, S)
    draws, labels = first.sample(40_000)
    again, _ = second.sample(40_000)
    assert np.array_equal(draws, again)
    other = emlib.XDGMM(3, random_state=6).fit(X, S)
    assert not np.array_equal(other.sample(10)[0], draws[:10])
    mean = first.weights_ @ first.means_
    spread = sum(w * (c + np.outer(m - mean, m - mean))
                 for w, m, c in zip(first.weights_, first.means_, first.covariances_))
    assert np.allclose(draws.mean(axis=0), mean, atol=4 * np.sqrt(np.diag(spread) / 40_000))
    assert np.allclose(np.cov(draws.T), spread, atol=0.05)
    assert np.allclose(np.bincount(labels) / 40_000, first.weights_, atol=0.01)


def test_eq7_route_reports_a_zero_width_component():
    rng = np.random.default_rng(28)
    errors = rng.uniform(0.8, 1.2, 200)
    x = rng.normal(0.0, 0.5, 200)  # scatter well below the errors: sigma = 0 is the maximum
    with pytest.warns(UserWarning, match="zero intrinsic width"):
        model = emlib.XDGMM(1, method="eq7", reg_covar=0, tol=1e-10).fit(x, errors)
    assert model.at_boundary_.tolist() == [True] and model.covariances_[0, 0, 0] == 0.0
    # The boundary really is the maximum: ln L falls as sigma grows from 0.
    mean = model.means_[0, 0]
    log_l = [stats.norm.logpdf(x, mean, np.sqrt(v + errors**2)).sum() for v in (0, 1e-3, 1e-2)]
    assert log_l[0] > log_l[1] > log_l[2]


# --------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("Xerr, message", [
    (-np.ones(20), "cannot be negative"),
    (np.r_[np.nan, np.ones(19)], "NaN or infinity"),
    (np.ones(19), r"Xerr must have shape \(20,\)"),
    (np.ones((20, 2)), r"shape \(20, 1\)"),
    (np.ones((20, 1, 2)), r"\(20, 1, 1\)"),
    (-np.ones((20, 1, 1)), "positive semi-definite"),
])
def test_bad_errors_in_1d_are_refused(Xerr, message):
    x = np.linspace(0, 1, 20)
    with pytest.raises(ValueError, match=message):
        emlib.XDGMM(1).fit(x, Xerr)


def test_bad_error_matrices_and_projections_are_refused():
    X = np.random.default_rng(29).normal(size=(20, 2))
    asymmetric = np.tile([[1.0, 0.5], [0.0, 1.0]], (20, 1, 1))
    indefinite = np.tile([[1.0, 2.0], [2.0, 1.0]], (20, 1, 1))
    good = np.tile(np.eye(2), (20, 1, 1))
    with pytest.raises(ValueError, match="symmetric"):
        emlib.XDGMM(1).fit(X, asymmetric)
    with pytest.raises(ValueError, match="positive semi-definite.*-1"):
        emlib.XDGMM(1).fit(X, indefinite)
    with pytest.raises(ValueError, match="for 1-D data"):
        emlib.XDGMM(1).fit(X, np.ones(20))
    with pytest.raises(ValueError, match="projection must have shape"):
        emlib.XDGMM(1).fit(X, good, projection=np.ones((3, 2)))
    with pytest.raises(ValueError, match="method='eq7'.*1-D"):
        emlib.XDGMM(1, method="eq7").fit(X, good)
    with pytest.raises(ValueError, match="method must be one of"):
        emlib.XDGMM(1, method="bovy").fit(X, good)
    with pytest.raises(ValueError, match="means_init must be given"):
        emlib.XDGMM(2).fit(X, good, fixed_means=[True, False])
    with pytest.raises(ValueError, match="fixed_weights must be a bool"):
        emlib.XDGMM(2).fit(X, good, fixed_weights=[1, 0, 0])
    model = emlib.XDGMM(1).fit(X, good)
    with pytest.raises(ValueError, match="feature"):
        model.score_samples(X[:, :1], np.ones(20))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(model.score(X, good))
