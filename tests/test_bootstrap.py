"""emlib.bootstrap: resampling, simulation, intervals and the bootstrap LR test.

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

import emlib.bootstrap as bootstrap
from emlib import GaussianMixture
from emlib.bootstrap import (
    bootstrap_lrt,
    bootstrap_mixture,
    bootstrap_p_value,
    likelihood_ratio_statistic,
    resample_indices,
    sequential_lrt,
    simulate_mixture,
    split_component_start,
    standard_deviations,
)
from emlib.families import GaussianFamily


def mixture_log_likelihood(x, weights, means, sigmas):
    """ln L of 1-D data under a Gaussian mixture, with scipy only."""
    densities = stats.norm.pdf(np.asarray(x)[:, None], loc=np.ravel(means),
                               scale=np.ravel(sigmas)) @ np.ravel(weights)
    return float(np.log(densities).sum())


def fitted(x, n_components, seed=0):
    return GaussianMixture(n_components, n_init=3, tol=1e-7, max_iter=5000,
                           random_state=seed).fit(x).sort_components()


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
    # 1-D refits run BFGS (bootstrap._refit_1d): renumber the components of what it returns.
    original_refit = bootstrap._refit_1d
    switches = iter(np.random.default_rng(8).permuted(np.tile(np.arange(3), (200, 1)), axis=1))
    family = GaussianFamily("full")

    def relabelled_refit(*args):
        fits = []
        for weights, params, converged in original_refit(*args):
            order = next(switches)
            fits.append((weights[order], family.permute(params, order), converged))
        return fits

    monkeypatch.setattr(bootstrap, "_refit_1d", relabelled_refit)
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


# --------------------------------------------------------------------------
# the likelihood-ratio test


def test_bootstrap_p_value_counts_the_observed_statistic_as_a_draw():
    assert bootstrap_p_value(5.0, [1.0, 2.0, 3.0]) == pytest.approx(1 / 4)
    assert bootstrap_p_value(2.0, [1.0, 2.0, 3.0]) == pytest.approx(3 / 4)
    assert bootstrap_p_value(0.0, np.ones(99)) == pytest.approx(1.0)


def test_statistic_is_twice_the_log_likelihood_gain():
    rng = np.random.default_rng(15)
    x = np.concatenate([rng.normal(-1, 1, 200), rng.normal(2.5, 0.6, 100)])
    result = bootstrap_lrt(x, 1, n_replicates=5, random_state=16)
    null = mixture_log_likelihood(x, *result.null_mixture)
    alternative = mixture_log_likelihood(x, *result.alternative_mixture)
    assert result.log_likelihood_null == pytest.approx(null, rel=1e-10)
    assert result.log_likelihood_alternative == pytest.approx(alternative, rel=1e-10)
    assert result.statistic == pytest.approx(2 * (alternative - null), rel=1e-8)
    assert likelihood_ratio_statistic(null, alternative) == pytest.approx(result.statistic)
    # The maximised ln L are as high as scikit-learn's best of 10 tightly converged starts.
    for m, value in ((1, null), (2, alternative)):
        reference = SklearnGaussianMixture(m, n_init=10, tol=1e-10, max_iter=5000,
                                           random_state=0).fit(x[:, None])
        assert value >= reference.score(x[:, None]) * x.size - 0.01


def test_every_lrt_fit_runs_the_course_em_loop(monkeypatch):
    """The LR test has no EM of its own: with run_em replaced, it cannot fit anything."""
    calls = []
    original_run_em = bootstrap.run_em

    def counted_run_em(family, X, weights, params, **kwargs):
        calls.append(X.shape)
        return original_run_em(family, X, weights, params, **kwargs)

    monkeypatch.setattr(bootstrap, "run_em", counted_run_em)
    x = np.random.default_rng(26).normal(size=120)
    result = bootstrap_lrt(x, 1, n_replicates=4, random_state=0)
    # the data and every replicate: one M fit, and at least one M + 1 fit each
    assert len(calls) >= 2 * 5 and all(shape == (120, 1) for shape in calls)
    assert result.null_statistics.size == 4

    def broken_run_em(*args, **kwargs):
        raise FloatingPointError("no EM")

    monkeypatch.setattr(bootstrap, "run_em", broken_run_em)
    with pytest.raises(RuntimeError, match="collapsed"):
        bootstrap_lrt(x, 1, n_replicates=4, random_state=0)


def test_tied_lrt_shares_one_width_and_reaches_the_maximum():
    rng = np.random.default_rng(31)
    x = np.concatenate([rng.normal(-2, 1, 150), rng.normal(2, 1, 150)])
    result = bootstrap_lrt(x, 2, n_replicates=5, covariance_type="tied", n_init_replicate=1,
                           random_state=32)
    for mixture in (result.null_mixture, result.alternative_mixture):
        np.testing.assert_allclose(mixture[2], mixture[2][0])  # one sigma for all components
    null = mixture_log_likelihood(x, *result.null_mixture)
    alternative = mixture_log_likelihood(x, *result.alternative_mixture)
    assert result.statistic == pytest.approx(2 * (alternative - null), rel=1e-8, abs=1e-8)
    for m, value in ((2, null), (3, alternative)):
        reference = SklearnGaussianMixture(m, covariance_type="tied", n_init=10, tol=1e-10,
                                           max_iter=5000, random_state=0).fit(x[:, None])
        assert value >= reference.score(x[:, None]) * x.size - 0.05
    assert result.null_statistics.size + result.n_failed == 5


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


def test_split_start_stays_close_to_the_smaller_fit():
    rng = np.random.default_rng(17)
    x = rng.normal(0, 1, 400)
    model = fitted(x, 2)
    variances = model.covariances_[:, 0, 0]
    smaller = mixture_log_likelihood(x, model.weights_, model.means_, np.sqrt(variances))
    for k in range(2):
        weights, means, split = split_component_start(model.weights_, model.means_[:, 0],
                                                      variances, k)
        assert weights.sum() == pytest.approx(1.0) and weights.shape == (3,)
        # the two halves keep the component's weight, mean and variance
        halves = [k, 2]
        mass = weights[halves].sum()
        centre = weights[halves] @ means[halves] / mass
        spread = weights[halves] @ (split[halves] + (means[halves] - centre) ** 2) / mass
        assert centre == pytest.approx(model.means_[k, 0])
        assert spread == pytest.approx(variances[k])
        start = mixture_log_likelihood(x, weights, means, np.sqrt(split))
        assert abs(start - smaller) < 0.05 * x.size


@pytest.mark.parametrize("seed", [18, 19, 20])
def test_p_value_is_not_tiny_when_the_null_holds(seed):
    x = np.random.default_rng(seed).normal(1.0, 2.0, size=200)
    result = bootstrap_lrt(x, 1, n_replicates=39, random_state=seed)
    assert result.p_value > 0.05
    assert result.null_statistics.size + result.n_failed == 39
    assert np.all(result.null_statistics > -1e-8)  # M + 1 never fits worse than M


def test_p_value_is_minimal_for_a_clear_extra_component():
    rng = np.random.default_rng(21)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])
    result = bootstrap_lrt(x, 1, n_replicates=19, random_state=22)
    assert result.p_value == pytest.approx(1 / 20)
    assert result.statistic > result.null_statistics.max()
    assert "H0: M = 1 against H1: M = 2" in str(result)


def test_sequential_lrt_runs_every_test_in_order():
    rng = np.random.default_rng(23)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])
    results = sequential_lrt(x, 3, n_replicates=9, random_state=24)
    assert [r.n_components for r in results] == [1, 2]
    # two clear components: 1 against 2 is rejected as strongly as 9 replicates allow
    assert results[0].p_value == pytest.approx(0.1)
    assert results[1].statistic < results[0].statistic
    assert 0.1 <= results[1].p_value <= 1.0 and results[1].null_statistics.size == 9


def test_lrt_validates_its_input():
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(ValueError, match="n_components"):
        bootstrap_lrt(x, 0)
    with pytest.raises(ValueError, match="covariance_type"):
        bootstrap_lrt(x, 1, covariance_type="round")
    with pytest.raises(ValueError, match="n_replicates"):
        bootstrap_lrt(x, 1, 0)


def test_duplicated_component_has_the_same_likelihood():
    rng = np.random.default_rng(25)
    x = np.concatenate([rng.normal(-2, 1, 200), rng.normal(2, 0.5, 100)])
    model = fitted(x, 2)
    sigmas = np.sqrt(model.covariances_[:, 0, 0])
    weights, means, variances = bootstrap.duplicate_component(
        model.weights_, model.means_[:, 0], sigmas ** 2)
    assert weights.shape == (3,) and weights.sum() == pytest.approx(1.0)
    assert mixture_log_likelihood(x, weights, means, np.sqrt(variances)) == \
        pytest.approx(mixture_log_likelihood(x, model.weights_, model.means_, sigmas), rel=1e-12)


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
