"""emlib.uncertainty: resampling, simulation and bootstrap intervals.

References are independent of emlib: the maths of the bootstrap (the
analytic standard error of a mean, the 1 - 1/e share of distinct rows, the
coverage of an interval), scipy.stats for densities and distribution tests,
and scikit-learn's GaussianMixture for maximised log-likelihoods.
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import NotFittedError
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import emlib.uncertainty as uncertainty
from bootstrap_references import fitted, mixture_log_likelihood
from emlib import XDGMM, GaussianMixture, Mixture
from emlib.families import GaussianFamily
from emlib.uncertainty import (
    bootstrap_mixture,
    gaussian_parameters_1d,
    means_and_variances_1d,
    resample_indices,
    simulate_mixture,
    standard_deviations,
)



# --------------------------------------------------------------------------
# drawing data sets


def test_resample_indices_draw_with_replacement():
    rng = np.random.default_rng(0)
    indices = resample_indices(2000, 50, rng)
    assert indices.shape == (50, 2000)
    assert indices.min() >= 0 and indices.max() < 2000
    # A bootstrap sample of n rows contains about 1 - (1 - 1/n)^n ~ 1 - 1/e distinct rows.
    distinct = np.mean([np.unique(row).size / 2000 for row in indices])
    assert distinct == pytest.approx(1 - (1 - 1 / 2000) ** 2000, abs=0.01)


def test_simulate_mixture_follows_the_mixture_in_1d():
    rng = np.random.default_rng(1)
    weights, means, variances = np.array([0.3, 0.7]), np.array([[-2.0], [1.0]]), \
        np.array([0.25, 1.0])
    X, labels = simulate_mixture(weights, means, variances, "spherical", 4000, 2, rng)
    assert X.shape == (2, 4000, 1) and labels.shape == (2, 4000)

    def cdf(t):
        return weights @ stats.norm.cdf(t[None, :] if np.ndim(t) else t,
                                         loc=means[:, :1], scale=np.sqrt(variances)[:, None])

    for replicate in X[:, :, 0]:
        assert stats.kstest(replicate, lambda t: cdf(np.atleast_1d(t))).pvalue > 0.01
    share = labels.mean()
    assert share == pytest.approx(0.7, abs=3 * np.sqrt(0.21 / 8000))


def test_simulate_mixture_reproduces_full_covariances():
    rng = np.random.default_rng(2)
    means = np.array([[0.0, 0.0], [5.0, -1.0]])
    covariances = np.array([[[1.0, 0.6], [0.6, 2.0]], [[0.5, -0.2], [-0.2, 0.3]]])
    X, labels = simulate_mixture(np.array([0.5, 0.5]), means, covariances, "full", 20000, 1, rng)
    for k in range(2):
        members = X[0][labels[0] == k]
        np.testing.assert_allclose(members.mean(axis=0), means[k], atol=0.05)
        np.testing.assert_allclose(np.cov(members.T), covariances[k], atol=0.06)


def test_standard_deviations_of_every_covariance_type():
    full = np.array([[[4.0, 1.0], [1.0, 9.0]], [[1.0, 0.0], [0.0, 0.25]]])
    np.testing.assert_allclose(standard_deviations(full, "full", 2, 2), [[2, 3], [1, 0.5]])
    np.testing.assert_allclose(standard_deviations(full[0], "tied", 2, 2), [[2, 3], [2, 3]])
    np.testing.assert_allclose(standard_deviations(np.array([[4.0, 9.0]]), "diag", 1, 2),
                               [[2, 3]])
    np.testing.assert_allclose(standard_deviations(np.array([4.0, 1.0]), "spherical", 2, 2),
                               [[2, 2], [1, 1]])


# --------------------------------------------------------------------------
# confidence intervals


@pytest.mark.parametrize("method", ["nonparametric", "parametric"])
def test_single_gaussian_matches_the_analytic_intervals(method):
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, size=500)
    result = bootstrap_mixture(fitted(x, 1), x, 400, method=method, random_state=4)
    # The standard error of a mean is s / sqrt(n); of a standard deviation, about s / sqrt(2n).
    s = x.std()
    errors = result.standard_errors()
    assert errors["means"][0, 0] == pytest.approx(s / np.sqrt(500), rel=0.12)
    assert errors["standard_deviations"][0, 0] == pytest.approx(s / np.sqrt(1000), rel=0.2)
    lower, upper = result.confidence_intervals(0.95)["means"]
    half_width = 1.96 * s / np.sqrt(500)
    assert lower[0, 0] == pytest.approx(x.mean() - half_width, abs=0.2 * half_width)
    assert upper[0, 0] == pytest.approx(x.mean() + half_width, abs=0.2 * half_width)
    assert result.n_replicates == 400 and result.n_failed == 0
    np.testing.assert_allclose(result.replicates["weights"], 1.0)


def test_coverage_of_the_mean_is_about_nominal():
    """Over 40 seeded data sets, the 90% interval holds the true mean about 90% of the time."""
    rng = np.random.default_rng(5)
    hits = 0
    for repeat in range(40):
        x = rng.normal(-1.0, 2.0, size=80)
        result = bootstrap_mixture(fitted(x, 1), x, 100, random_state=rng)
        lower, upper = result.confidence_intervals(0.90)["means"]
        hits += lower[0, 0] <= -1.0 <= upper[0, 0]
    # Binomial(40, 0.9) lies in [31, 40] with probability > 0.99.
    assert 31 <= hits <= 40


def test_coverage_of_mixture_weights_is_about_nominal():
    """Two separated components: the 90% interval of the weight covers 0.3 about 90% of the time."""
    rng = np.random.default_rng(6)
    hits = 0
    for repeat in range(20):
        labels = rng.random(150) < 0.3
        x = np.where(labels, rng.normal(-3.0, 1.0, 150), rng.normal(3.0, 1.0, 150))
        result = bootstrap_mixture(fitted(x, 2), x, 60, random_state=rng)
        lower, upper = result.confidence_intervals(0.90)["weights"]
        hits += lower[0] <= 0.3 <= upper[0]
    assert 14 <= hits <= 20  # Binomial(20, 0.9) is >= 14 with probability > 0.99


def test_label_switching_is_undone(monkeypatch):
    """Refits that come back with their components renumbered still line up with the fit."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(-4, 1, 200), rng.normal(0, 0.5, 150), rng.normal(5, 1.5, 150)])
    model = fitted(x, 3)
    # 1-D refits run BFGS (uncertainty._refit_with_bfgs): renumber the components it returns.
    original_refit = uncertainty._refit_with_bfgs
    switches = iter(np.random.default_rng(8).permuted(np.tile(np.arange(3), (200, 1)), axis=1))
    family = GaussianFamily("full")

    def relabelled_refit(*args, **kwargs):
        weights, params, converged = original_refit(*args, **kwargs)
        order = next(switches)
        return weights[order], family.permute(params, order), converged

    monkeypatch.setattr(uncertainty, "_refit_with_bfgs", relabelled_refit)
    result = bootstrap_mixture(model, x, 60, random_state=9)
    # Every replicate's k-th mean is near the fit's k-th mean, far from the others.
    distance = np.abs(result.replicates["means"][:, :, 0] - model.means_[:, 0])
    assert distance.max() < 1.0
    ordered = np.diff(result.replicates["means"][:, :, 0], axis=1)
    assert np.all(ordered > 0)


def test_intervals_and_table():
    rng = np.random.default_rng(10)
    x = np.concatenate([rng.normal(-3, 1, 300), rng.normal(2, 0.7, 200)])
    model = fitted(x, 2)
    result = bootstrap_mixture(model, x, 100, method="parametric", random_state=11)
    for name, (lower, upper) in result.confidence_intervals(0.8).items():
        assert np.all(lower <= upper)
        wide_lower, wide_upper = result.confidence_intervals(0.95)[name]
        assert np.all(wide_lower <= lower) and np.all(upper <= wide_upper)
    text = result.table(level=0.8)
    assert "parametric bootstrap, 100 replicates" in text
    assert "80% interval" in text and "sigma 2" in text


def test_bootstrap_is_reproducible():
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.normal(-3, 1, 100), rng.normal(2, 0.7, 100)])
    model = fitted(x, 2)
    first = bootstrap_mixture(model, x, 20, random_state=13)
    second = bootstrap_mixture(model, x, 20, random_state=13)
    other = bootstrap_mixture(model, x, 20, random_state=14)
    np.testing.assert_array_equal(first.replicates["means"], second.replicates["means"])
    assert not np.array_equal(first.replicates["means"], other.replicates["means"])


def test_bootstrap_validates_its_input():
    x = np.random.default_rng(0).normal(size=50)
    model = fitted(x, 1)
    with pytest.raises(ValueError, match="method"):
        bootstrap_mixture(model, x, method="jackknife")
    with pytest.raises(ValueError, match="n_replicates"):
        bootstrap_mixture(model, x, 1)
    with pytest.raises(NotFittedError):
        bootstrap_mixture(GaussianMixture(2), x)
    with pytest.raises(ValueError, match="feature"):
        bootstrap_mixture(model, np.ones((50, 2)))
    result = bootstrap_mixture(model, x, 5, random_state=0)
    with pytest.raises(ValueError, match="level"):
        result.confidence_intervals(1.5)



def test_interval_refits_reach_the_maximum():
    """Each 1-D refit is a maximum of ln L: no better one within reach of scikit-learn's EM."""
    rng = np.random.default_rng(27)
    x = np.concatenate([rng.normal(-1, 1.5, 150), rng.normal(0, 1, 200), rng.normal(3, 0.5, 80)])
    model = fitted(x, 3)
    indices = resample_indices(x.size, 3, np.random.default_rng(28))
    result = bootstrap_mixture(model, x, 3, random_state=np.random.default_rng(28))
    for b in range(3):
        data = x[indices[b]]
        ours = mixture_log_likelihood(data, result.replicates["weights"][b],
                                      result.replicates["means"][b],
                                      result.replicates["standard_deviations"][b])
        reference = SklearnGaussianMixture(
            3, weights_init=model.weights_, means_init=model.means_,
            precisions_init=1 / model.covariances_, tol=1e-12, max_iter=20000).fit(data[:, None])
        assert ours >= reference.score(data[:, None]) * x.size - 1e-3


def test_bootstrap_in_two_dimensions_uses_the_em_loop():
    """With two features each refit runs run_em; the spread of a mean is about sigma/sqrt(N_j)."""
    rng = np.random.default_rng(29)
    X = np.vstack([rng.normal([0.0, 0.0], 1.0, size=(300, 2)),
                   rng.normal([6.0, 1.0], 0.5, size=(200, 2))])
    model = GaussianMixture(2, covariance_type="diag", n_init=2, random_state=0).fit(X)
    model.sort_components()
    result = bootstrap_mixture(model, X, 60, random_state=30)
    assert result.replicates["means"].shape == (60, 2, 2)
    errors = result.standard_errors()["means"]
    np.testing.assert_allclose(errors, [[1.0 / np.sqrt(300)] * 2, [0.5 / np.sqrt(200)] * 2],
                               rtol=0.35)
    # components stay matched: component 2 is always the one near (6, 1)
    assert np.all(result.replicates["means"][:, 1, 0] > 5)



# --------------------------------------------------------------------------
# hostile input: every message names the argument, what was expected and what was given


@pytest.mark.parametrize("model, given", [
    (Mixture(), "Mixture"), (XDGMM(), "XDGMM"), ("a model", "str"), (None, "NoneType"),
    (GaussianMixture, "the class GaussianMixture")])
def test_bootstrap_mixture_refuses_what_is_not_a_gaussian_mixture(model, given):
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(TypeError, match="model must be a fitted emlib.GaussianMixture") as info:
        bootstrap_mixture(model, x)
    assert given in str(info.value)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"n_replicates": 1}, ValueError, ["n_replicates", ">= 2", "got 1"]),
    ({"n_replicates": 2.5}, TypeError, ["n_replicates", "integer", "2.5"]),
    ({"n_replicates": "100"}, TypeError, ["n_replicates", "integer", "'100'"]),
    ({"method": "jackknife"}, ValueError, ["method", "'parametric'", "'jackknife'"]),
    ({"tol": -1.0}, ValueError, ["tol", ">= 0", "-1.0"]),
    ({"tol": "small"}, TypeError, ["tol", "real number", "'small'"]),
    ({"max_iter": 0}, ValueError, ["max_iter", ">= 1", "got 0"]),
    ({"random_state": "seed"}, TypeError, ["random_state", "Generator", "'seed'"]),
])
def test_bootstrap_mixture_hostile_arguments(kwargs, error, words):
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(error) as info:
        bootstrap_mixture(fitted(x, 1), x, **kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda r: r.confidence_intervals(1.5), ValueError, ["level", "between 0 and 1", "1.5"]),
    (lambda r: r.confidence_intervals("95%"), TypeError, ["level", "real number", "'95%'"]),
    (lambda r: r.table(digits=-1), ValueError, ["digits", ">= 0", "-1"]),
])
def test_bootstrap_result_hostile_arguments(call, error, words):
    x = np.random.default_rng(0).normal(size=50)
    result = bootstrap_mixture(fitted(x, 1), x, 5, random_state=0)
    with pytest.raises(error) as info:
        call(result)
    for word in words:
        assert word in str(info.value)


def test_intervals_do_not_depend_on_n_jobs():
    """Data sets are drawn before the refits, so processes change nothing."""
    rng = np.random.default_rng(44)
    x = np.concatenate([rng.normal(-2, 1, 120), rng.normal(2, 0.8, 80)])
    model = fitted(x, 2)
    one = bootstrap_mixture(model, x, 8, random_state=6)
    two = bootstrap_mixture(model, x, 8, random_state=6, n_jobs=2)
    for name in one.replicates:
        np.testing.assert_array_equal(one.replicates[name], two.replicates[name])


@pytest.mark.parametrize("n_jobs, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                           ("2", TypeError)])
def test_n_jobs_is_checked(n_jobs, error):
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(error) as info:
        bootstrap_mixture(fitted(x, 1), x, 3, n_jobs=n_jobs)
    assert "n_jobs" in str(info.value) and str(n_jobs) in str(info.value)


# --------------------------------------------------------------------------
# the 1-D parameter conversions shared with the LR test


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_1d_parameters_have_the_shapes_and_precisions_of_their_type(covariance_type):
    means, variances = np.array([-1.0, 0.5, 3.0]), np.array([0.25, 4.0, 1.0])
    if covariance_type == "tied":
        variances = np.full(3, 0.25)
    params = gaussian_parameters_1d(means, variances, covariance_type)
    shape = {"full": (3, 1, 1), "tied": (1, 1), "diag": (3, 1), "spherical": (3,)}
    assert params["means"].shape == (3, 1) and params["covariances"].shape == shape[
        covariance_type]
    # in 1-D the Cholesky factor of a precision is 1 / sigma
    np.testing.assert_allclose(np.ravel(params["precisions_cholesky"]),
                               1 / np.sqrt(variances[:1] if covariance_type == "tied"
                                           else variances))
    back_means, back_variances = means_and_variances_1d(params, covariance_type)
    np.testing.assert_array_equal(back_means, means)
    np.testing.assert_array_equal(back_variances, variances)
