"""emlib.likelihood_ratio_test: the bootstrap likelihood-ratio test of M against M + 1 components.

References are independent of emlib: the binomial and beta distributions of
scipy.stats for the p-value's Monte Carlo error and interval, scipy.stats for
densities, and scikit-learn's GaussianMixture for maximised log-likelihoods.
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import emlib.likelihood_ratio_test as likelihood_ratio_test
import emlib.uncertainty as uncertainty
from bootstrap_references import fitted, mixture_log_likelihood
from emlib import GaussianMixture
from emlib.likelihood_ratio_test import (
    LR_TOLERANCE,
    bootstrap_lrt,
    bootstrap_p_value,
    fit_nested_mixtures,
    likelihood_ratio_statistic,
    monte_carlo_standard_error,
    sequential_lrt,
    split_component_start,
    split_component_width_start,
)



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
    # Every EM run goes through emlib.uncertainty.run_em_or_none, which calls run_em.
    assert not hasattr(likelihood_ratio_test, "run_em")
    calls = []
    original_run_em = uncertainty.run_em

    def counted_run_em(family, X, weights, params, **kwargs):
        calls.append(X.shape)
        return original_run_em(family, X, weights, params, **kwargs)

    monkeypatch.setattr(uncertainty, "run_em", counted_run_em)
    x = np.random.default_rng(26).normal(size=120)
    result = bootstrap_lrt(x, 1, n_replicates=4, random_state=0)
    # the data and every replicate: one M fit, and at least one M + 1 fit each
    assert len(calls) >= 2 * 5 and all(shape == (120, 1) for shape in calls)
    assert result.null_statistics.size == 4

    def broken_run_em(*args, **kwargs):
        raise FloatingPointError("no EM")

    monkeypatch.setattr(uncertainty, "run_em", broken_run_em)
    with pytest.raises(RuntimeError, match="collapsed"):
        bootstrap_lrt(x, 1, n_replicates=4, random_state=0)


def test_tied_lrt_shares_one_width_and_reaches_the_maximum():
    rng = np.random.default_rng(31)
    x = np.concatenate([rng.normal(-2, 1, 150), rng.normal(2, 1, 150)])
    result = bootstrap_lrt(x, 2, n_replicates=5, covariance_type="tied", random_state=32)
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
    # M + 1 nests M: no simulated LR is clipped, none below 0 by more than the tolerance
    assert np.all(result.null_statistics > -2 * LR_TOLERANCE)
    assert np.count_nonzero(result.null_statistics == 0.0) == 0


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


# --------------------------------------------------------------------------
# the LR test compares like with like


def test_width_split_keeps_the_component_mean_and_variance():
    weights, means, variances = np.array([0.4, 0.6]), np.array([-1.0, 2.0]), np.array([1.0, 4.0])
    new_weights, new_means, new_variances = split_component_width_start(weights, means,
                                                                        variances, 1)
    halves = [1, 2]
    assert new_weights.sum() == pytest.approx(1.0) and new_weights[halves].sum() == 0.6
    np.testing.assert_allclose(new_means[halves], 2.0)
    # equal halves: the mixture variance is the mean of the two variances
    assert new_variances[halves].mean() == pytest.approx(4.0)
    assert new_variances[1] != new_variances[2]


def test_monte_carlo_standard_error_is_the_binomial_one():
    for p, b in ((0.07, 199), (0.5, 99), (0.01, 999)):
        assert monte_carlo_standard_error(p, b) == pytest.approx(stats.binom(b, p).std() / b)
    # and it describes how bootstrap p-values scatter: 400 p-values from independent
    # uniform "null statistics" have the predicted spread
    rng = np.random.default_rng(40)
    p_values = [bootstrap_p_value(0.93, rng.random(199)) for _ in range(400)]
    assert np.std(p_values) == pytest.approx(monte_carlo_standard_error(0.07, 199), rel=0.15)


def test_data_and_replicates_are_fitted_by_one_procedure(monkeypatch):
    """The observed data set and every simulated one go through the same fitting call."""
    calls = []
    original = likelihood_ratio_test._fit_nested_1d

    def recording(family, data, n_components, n_init, rng, options, *args, **kwargs):
        calls.append((family.covariance_type, family.reg_covar, n_components, n_init,
                      tuple(sorted(options.items())), args, tuple(sorted(kwargs.items()))))
        return original(family, data, n_components, n_init, rng, options, *args, **kwargs)

    monkeypatch.setattr(likelihood_ratio_test, "_fit_nested_1d", recording)
    x = np.random.default_rng(41).normal(size=150)
    bootstrap_lrt(x, 1, n_replicates=6, n_init=3, random_state=0)
    assert len(calls) == 7 and len(set(calls)) == 1


def test_alternative_fit_never_ends_below_the_null_fit():
    """M + 1 nests M; over data with no extra component the M+1 fit still reaches ln L_M."""
    rng = np.random.default_rng(42)
    for _ in range(8):
        x = rng.normal(size=200)
        fits = fit_nested_mixtures(x, 1, random_state=rng)
        assert fits.alternative.log_likelihood >= fits.null.log_likelihood - LR_TOLERANCE
        assert fits.null.log_likelihood == pytest.approx(
            mixture_log_likelihood(x, fits.null.weights, fits.null.means,
                                   np.sqrt(fits.null.variances)), rel=1e-9)


def _sklearn_log_likelihood(data, n_components, seed):
    model = SklearnGaussianMixture(n_components, n_init=4, tol=1e-7, max_iter=5000,
                                   random_state=seed).fit(data[:, None])
    return model.score(data[:, None]) * data.size


@pytest.mark.slow
def test_null_distribution_matches_careful_independent_fits():
    """LR* of emlib's fitting procedure against scikit-learn's careful fits (4 starts, tol 1e-7).

    Both fit the same data sets drawn from a one-component null, with the same stopping
    rule.  The old procedure (split starts only, tol 1e-5, an M+1 fit that ended low
    clipped to LR = 0) gave about a fifth of exact zeros and too small a median.
    """
    rng = np.random.default_rng(43)
    n_replicates, n_samples = 40, 150
    datasets = rng.normal(0.5, 1.5, size=(n_replicates, n_samples))
    ours = np.array([fit_nested_mixtures(d, 1, random_state=rng, tol=1e-7,
                                         max_iter=5000).statistic for d in datasets])
    reference = np.array([2 * (_sklearn_log_likelihood(d, 2, b) - _sklearn_log_likelihood(d, 1, b))
                          for b, d in enumerate(datasets)])
    assert np.mean(np.abs(ours) < 1e-6) <= 0.05
    assert np.mean(np.abs(reference) < 1e-6) <= 0.05
    # the same data sets: medians agree well within their Monte Carlo error (about 0.3 here)
    assert np.median(ours) == pytest.approx(np.median(reference), abs=0.3)
    assert stats.ks_2samp(ours, reference).pvalue > 0.2


# --------------------------------------------------------------------------
# hostile input: every message names the argument, what was expected and what was given


@pytest.mark.parametrize("kwargs, error, words", [
    ({"n_components": 0}, ValueError, ["n_components", ">= 1", "got 0"]),
    ({"n_replicates": 0}, ValueError, ["n_replicates", ">= 1", "got 0"]),
    ({"n_replicates": 9.5}, TypeError, ["n_replicates", "integer", "9.5"]),
    ({"n_init": 0}, ValueError, ["n_init", ">= 1", "got 0"]),
    ({"tol": -1e-3}, ValueError, ["tol", ">= 0", "-0.001"]),
    ({"max_iter": "many"}, TypeError, ["max_iter", "integer", "'many'"]),
    ({"reg_covar": -1.0}, ValueError, ["reg_covar", ">= 0", "-1.0"]),
    ({"covariance_type": "round"}, ValueError, ["covariance_type", "'tied'", "'round'"]),
    ({"X": np.ones((50, 2))}, ValueError, ["one feature", "(50, 2)"]),
    ({"X": [1.0, np.nan, 2.0]}, ValueError, ["X", "NaN", "finite"]),
])
def test_lrt_hostile_arguments(kwargs, error, words):
    arguments = {"X": np.random.default_rng(0).normal(size=50), "n_components": 1,
                 "n_replicates": 3}
    arguments.update(kwargs)
    for function in (bootstrap_lrt, fit_nested_mixtures):
        if function is fit_nested_mixtures:
            arguments.pop("n_replicates", None)
            if "n_replicates" in kwargs:
                continue
        with pytest.raises(error) as info:
            function(**arguments)
        for word in words:
            assert word in str(info.value)


def test_sequential_lrt_and_p_value_hostile_arguments():
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(ValueError, match=r"max_components must be an integer >= 2; got 1"):
        sequential_lrt(x, 1)
    with pytest.raises(ValueError, match=r"n_replicates must be one int, or one per test \(2 "
                                         r"for max_components=3\); got 3 values"):
        sequential_lrt(x, 3, n_replicates=[9, 9, 9])
    with pytest.raises(TypeError, match="statistic must be a real number.*'big'"):
        bootstrap_p_value("big", [1.0, 2.0])
    with pytest.raises(ValueError, match=r"null_statistics must be a 1-D array.*\(2, 2\)"):
        bootstrap_p_value(1.0, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"p_value must lie in \[0, 1\]; got 1.5"):
        monte_carlo_standard_error(1.5, 99)


def _lr_test(statistic, null_statistics):
    null_statistics = np.asarray(null_statistics, dtype=float)
    return likelihood_ratio_test.LikelihoodRatioTest(
        1, 0.0, statistic / 2, statistic, null_statistics,
        bootstrap_p_value(statistic, null_statistics), None, None, 0)


@pytest.mark.parametrize("exceed, n_replicates", [(0, 79), (0, 19), (3, 99), (50, 99), (99, 99)])
def test_monte_carlo_interval_is_the_exact_binomial_one(exceed, n_replicates):
    """Clopper-Pearson from the beta quantiles: k successes in B draws."""
    null = np.r_[np.full(exceed, 5.0), np.full(n_replicates - exceed, 1.0)]
    low, high = _lr_test(3.0, null).monte_carlo_interval(0.95)
    expected_low = stats.beta.ppf(0.025, exceed, n_replicates - exceed + 1) if exceed else 0.0
    expected_high = (stats.beta.ppf(0.975, exceed + 1, n_replicates - exceed)
                     if exceed < n_replicates else 1.0)
    assert low == pytest.approx(expected_low, abs=1e-9)
    assert high == pytest.approx(expected_high, abs=1e-9)
    assert low <= exceed / n_replicates <= high


def test_seventy_nine_replicates_decide_at_five_percent_when_none_exceeds():
    """B = 79 is the fewest for which k = 0 puts the whole interval below 0.05."""
    assert _lr_test(3.0, np.ones(79)).monte_carlo_interval()[1] < 0.05
    assert _lr_test(3.0, np.ones(71)).monte_carlo_interval()[1] > 0.05


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_monte_carlo_interval_refuses_a_level_outside_zero_one(level):
    with pytest.raises(ValueError, match="level"):
        _lr_test(3.0, np.ones(9)).monte_carlo_interval(level)


def test_lrt_does_not_depend_on_n_jobs():
    """Data sets and seeds are drawn before the fits, so processes change nothing."""
    rng = np.random.default_rng(44)
    x = np.concatenate([rng.normal(-2, 1, 120), rng.normal(2, 0.8, 80)])
    serial = bootstrap_lrt(x, 1, n_replicates=6, random_state=5)
    parallel = bootstrap_lrt(x, 1, n_replicates=6, random_state=5, n_jobs=2)
    np.testing.assert_array_equal(serial.null_statistics, parallel.null_statistics)
    assert serial.statistic == parallel.statistic


@pytest.mark.parametrize("n_jobs, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                           ("2", TypeError)])
def test_n_jobs_is_checked(n_jobs, error):
    x = np.random.default_rng(0).normal(size=50)
    with pytest.raises(error) as info:
        bootstrap_lrt(x, 1, n_replicates=3, n_jobs=n_jobs)
    assert "n_jobs" in str(info.value) and str(n_jobs) in str(info.value)
