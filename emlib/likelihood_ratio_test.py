"""Does M + 1 components fit significantly better than M? The bootstrap likelihood-ratio test.

The statistic is the likelihood ratio, LR = 2 (ln L_{M+1} - ln L_M). Its
textbook chi-square distribution does not apply to mixtures (under H0 the
extra component's parameters are not identified and its weight sits on the
boundary, alpha = 0), so its null distribution is simulated instead: draw
data sets from the fitted M-component model and compute LR on each
(McLachlan 1987; R's ``mclust::mclustBootstrapLRT`` and
``mixtools::boot.comp`` do the same). :func:`bootstrap_lrt` runs one test,
:func:`sequential_lrt` the tests of 1 against 2, 2 against 3, ... components.

The test is valid only if the observed statistic and every simulated one
come from the same procedure, so one function, :func:`fit_nested_mixtures`,
fits them all (the course's EM loop, :func:`emlib.em.run_em`, one data set at
a time, the same starts and stopping rule). Its M+1 fit starts from every
split of a component of its M fit; M + 1 nests M, so an M+1 fit that ends
below the M fit has stopped early on a ridge and climbs on with a stricter
tolerance. Nothing is clipped: one that still ends clearly below is counted
as failed. Each p-value comes with its Monte Carlo standard error and an
exact binomial interval for where it would settle with unlimited replicates.

The test works on 1-D data. All randomness comes from one generator
(``random_state``): the simulated data sets, and a seed for each one's
k-means starts, are drawn before any replicate is fitted, so ``n_jobs``
processes give the same numbers as one. Drawing the data sets and refitting
them in parallel are the bootstrap's building blocks of
:mod:`emlib.uncertainty`.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.stats import binomtest

from . import validation as check
from .em import m_step
from .families.gaussian import GaussianFamily
from .initialisation import kmeans_responsibilities
from .uncertainty import (REFIT_FAILURES, check_n_jobs, gaussian_parameters_1d, map_replicates,
                          means_and_variances_1d, run_em_or_none, simulate_mixture)

__all__ = ["LR_TOLERANCE", "LikelihoodRatioTest", "MixtureFit1D", "NestedFits",
           "bootstrap_lrt", "bootstrap_p_value", "fit_nested_mixtures",
           "likelihood_ratio_statistic", "monte_carlo_standard_error", "sequential_lrt",
           "split_component_start", "split_component_width_start"]

# ln L_{M+1} may end this far below ln L_M (in units of ln L) where the extra
# component is not needed and the M+1 fit approaches the M fit along a flat
# ridge; that LR is 0 up to the optimiser's precision and is kept as it is.
LR_TOLERANCE = 1e-3


# --------------------------------------------------------------------------
# the statistic, its p-value and the p-value's Monte Carlo error


def likelihood_ratio_statistic(log_likelihood_null, log_likelihood_alternative):
    """LR = 2 (ln L_alternative - ln L_null), the likelihood-ratio statistic.

    For nested models fitted by maximum likelihood it is non-negative; large
    values speak against the null model.
    """
    return 2.0 * (log_likelihood_alternative - log_likelihood_null)


def bootstrap_p_value(statistic, null_statistics):
    """(1 + #{null statistics >= observed}) / (B + 1).

    Counting the observed data set as one more draw from the null keeps the
    p-value above zero and makes the test exact in level (Davison & Hinkley
    1997, section 4.2).
    """
    statistic = check.check_float(statistic, "statistic", -np.inf)
    null_statistics = check.check_data(null_statistics, "null_statistics", ensure_2d=False)
    if null_statistics.ndim != 1:
        raise ValueError("null_statistics must be a 1-D array of simulated statistics; got "
                         f"shape {null_statistics.shape}.")
    return (1.0 + np.count_nonzero(null_statistics >= statistic)) / (null_statistics.size + 1.0)


def monte_carlo_standard_error(p_value, n_replicates):
    """sqrt(p (1 - p) / B): how much a bootstrap p-value moves between random seeds.

    A bootstrap p-value is a share of B simulated statistics, so it carries
    binomial noise; a conclusion is safe only when p sits several of these
    standard errors away from the level of the test.
    """
    p_value = check.check_float(p_value, "p_value", 0.0)
    if p_value > 1.0:
        raise ValueError(f"p_value must lie in [0, 1]; got {p_value}.")
    n_replicates = check.check_int(n_replicates, "n_replicates", 1)
    return float(np.sqrt(p_value * (1.0 - p_value) / n_replicates))


# --------------------------------------------------------------------------
# starts of the M+1 fit from the M fit


def split_component_start(weights, means, variances, component, tied=False):
    """An M+1 start from an M-component 1-D fit: ``component`` split into two halves.

    The halves share the component's weight equally and sit half a standard
    deviation either side of its mean; their variance is reduced by that
    shift squared, so together they keep the component's mean and variance
    (with ``tied`` the shared variance is left as it is).  ln L at this start
    is therefore close to the M-component fit's.

    Parameters
    ----------
    weights, means, variances : ndarrays of shape (n_components,)
    component : int
    tied : bool
        Whether every component shares one variance.

    Returns
    -------
    weights, means, variances : ndarrays of shape (n_components + 1,)
    """
    shift = 0.5 * np.sqrt(variances[component])
    new_weights = np.append(weights, weights[component] / 2)
    new_weights[component] /= 2
    new_means = np.append(means, means[component] + shift)
    new_means[component] -= shift
    new_variances = np.append(variances, variances[component])
    if not tied:
        new_variances[[component, -1]] -= shift**2
    return new_weights, new_means, new_variances


def split_component_width_start(weights, means, variances, component):
    """An M+1 start from an M-component 1-D fit: ``component`` cut into a narrow and a wide half.

    Both halves keep the component's mean and half its weight; their
    variances are 1/2 and 3/2 of its variance, so together they keep its
    mean and variance.  Where a component's data are more peaked, with
    heavier tails, than a Gaussian, this is the direction in which a second
    component raises ln L; :func:`split_component_start` covers data flatter
    than a Gaussian.

    Parameters
    ----------
    weights, means, variances : ndarrays of shape (n_components,)
    component : int

    Returns
    -------
    weights, means, variances : ndarrays of shape (n_components + 1,)
    """
    new_weights = np.append(weights, weights[component] / 2)
    new_weights[component] /= 2
    new_variances = np.append(variances, 1.5 * variances[component])
    new_variances[component] *= 0.5
    return new_weights, np.append(means, means[component]), new_variances


# --------------------------------------------------------------------------
# the one fitting procedure of the test


@dataclass
class MixtureFit1D:
    """A maximised 1-D mixture: weights, means and variances (K,) and its ln L."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    log_likelihood: float

    @property
    def sigmas(self):
        """The standard deviations sigma_j, shape (K,)."""
        return np.sqrt(self.variances)


@dataclass
class NestedFits:
    """The M- and the (M+1)-component fits to one 1-D data set, by :func:`fit_nested_mixtures`.

    Attributes
    ----------
    null, alternative : MixtureFit1D
    """

    null: MixtureFit1D
    alternative: MixtureFit1D

    @property
    def statistic(self):
        """LR = 2 (ln L_{M+1} - ln L_M)."""
        return likelihood_ratio_statistic(self.null.log_likelihood,
                                          self.alternative.log_likelihood)


def _kmeans_starts(family, data, n_components, n_starts, rng):
    """``n_starts`` k-means starts (weights, params) for ``data`` of shape (n_samples, 1)."""
    starts = []
    for _ in range(n_starts):
        resp = kmeans_responsibilities(data, n_components, rng)
        try:
            starts.append(m_step(family, data, resp, None))
        except REFIT_FAILURES:  # a cluster too small to have a variance
            continue
    return starts


def _climb_to_maximum(family, data, start, options):
    """EM from ``start`` to EM's stopping rule; None if a component collapsed."""
    run = run_em_or_none(family, data, *start, **options)
    if run is None:
        return None
    means, variances = means_and_variances_1d(run.params, family.covariance_type)
    return MixtureFit1D(run.weights, means, variances, float(run.log_likelihoods[-1]))


def _climb_from_best_start(family, data, starts, options, short_iter):
    """Climb from the start that is highest after ``short_iter`` EM iterations.

    Most of a fit's cost is its slow final approach, so the losing starts
    are stopped early (the "short runs" strategy of Biernacki, Celeux &
    Govaert 2003); the winner is climbed to the maximum.  This is why the
    test does not use :class:`emlib.GaussianMixture`'s restarts, which run
    every start to convergence.
    """
    short_options = dict(options, max_iter=short_iter)
    short = [run for run in (run_em_or_none(family, data, *start, **short_options)
                             for start in starts) if run is not None]
    if not short:
        return None
    best = max(short, key=lambda run: run.log_likelihoods[-1])
    return _climb_to_maximum(family, data, (best.weights, best.params), options)


def _fit_nested_1d(family, data, n_components, n_init, rng, options, short_iter=5):
    """The one fitting procedure of the LR test, for the data and every replicate alike.

    M components: the best of ``n_init`` k-means starts.  M + 1: the best of
    every split of a component of that M fit (its mean split, and its width
    split, :func:`split_component_start` and
    :func:`split_component_width_start`) and ``n_init`` k-means starts.  Each
    fit climbs to the maximum with :func:`_climb_to_maximum`.

    A split start sits near ln L_M, and M + 1 nests M, so the M+1 fit has a
    maximum at or above ln L_M. Where EM's stopping rule still ends the best
    M+1 fit below ln L_M (it fires on the flat ridge a barely needed
    component creates), that fit climbs on with a 100 times stricter ``tol``
    and 3 times ``max_iter``; only if it then still ends more than
    ``LR_TOLERANCE`` below ln L_M is it given up as failed (None is returned).

    Returns
    -------
    NestedFits or None
        None where every start collapsed, or the M+1 fit failed.
    """
    null = _climb_from_best_start(
        family, data, _kmeans_starts(family, data, n_components, n_init, rng), options,
        short_iter)
    if null is None:
        return None
    tied = family.covariance_type == "tied"
    splits = [split_component_start(null.weights, null.means, null.variances, k, tied)
              for k in range(n_components)]
    if not tied:
        splits += [split_component_width_start(null.weights, null.means, null.variances, k)
                   for k in range(n_components)]
    split_starts = [(weights, gaussian_parameters_1d(means, variances, family.covariance_type))
                    for weights, means, variances in splits]
    starts = split_starts + _kmeans_starts(family, data, n_components + 1, n_init, rng)
    alternative = _climb_from_best_start(family, data, starts, options, short_iter)
    if alternative is not None and alternative.log_likelihood < null.log_likelihood:
        # M + 1 nests M, so a maximum at or above ln L_M exists: ending below it means
        # EM's stopping rule fired on a flat ridge. Climb on with a stricter rule.
        patient = dict(options, tol=options["tol"] * 1e-2, max_iter=options["max_iter"] * 3)
        start = (alternative.weights, gaussian_parameters_1d(
            alternative.means, alternative.variances, family.covariance_type))
        alternative = _climb_to_maximum(family, data, start, patient)
    if alternative is None or alternative.log_likelihood < null.log_likelihood - LR_TOLERANCE:
        return None
    return NestedFits(null, alternative)


def _check_fit_options(covariance_type, tol, max_iter, reg_covar):
    """Validate the fitting options shared by the LR-test functions: (family, EM options)."""
    check.check_choice(covariance_type, "covariance_type", check.COVARIANCE_TYPES)
    options = {"tol": check.check_float(tol, "tol", 0.0),
               "max_iter": check.check_int(max_iter, "max_iter", 1)}
    family = GaussianFamily(covariance_type, check.check_float(reg_covar, "reg_covar", 0.0))
    return family, options


def _check_data_1d(X, function):
    """``X`` as an array of shape (n_samples, 1), refusing more than one feature."""
    X = check.check_data(X)
    if X.shape[1] != 1:
        raise ValueError(f"{function} works on one feature (X of shape (n_samples,)); "
                         f"got X of shape {X.shape}.")
    return X


def _fit_observed_data(family, X, n_components, n_init, rng, options):
    """:func:`_fit_nested_1d` on the user's data, where a failure is an error, not a count."""
    fits = _fit_nested_1d(family, X, n_components, n_init, rng, options)
    if fits is None:
        raise RuntimeError(f"Fitting {n_components} or {n_components + 1} components to X "
                           "failed: every EM start collapsed, or no M+1 fit reached the M fit's "
                           "ln L. Try a larger reg_covar or more starts (n_init).")
    return fits


def fit_nested_mixtures(X, n_components, *, covariance_type="full", n_init=2, random_state=None,
                        tol=1e-6, max_iter=3000, reg_covar=1e-6):
    """Fit M and M + 1 components to 1-D data the way :func:`bootstrap_lrt` fits every data set.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)
    n_components : int
        M.
    covariance_type, n_init, random_state, tol, max_iter, reg_covar :
        As in :func:`bootstrap_lrt`.

    Returns
    -------
    NestedFits
    """
    n_components = check.check_int(n_components, "n_components", 1)
    n_init = check.check_int(n_init, "n_init", 1)
    family, options = _check_fit_options(covariance_type, tol, max_iter, reg_covar)
    X = _check_data_1d(X, "fit_nested_mixtures")
    check.check_enough_samples(X.shape[0], n_components + 1)
    rng = check.check_random_state(random_state)
    return _fit_observed_data(family, X, n_components, n_init, rng, options)


# --------------------------------------------------------------------------
# the test


@dataclass
class LikelihoodRatioTest:
    """The outcome of :func:`bootstrap_lrt`: H0 = M components, H1 = M + 1.

    Attributes
    ----------
    n_components : int
        M, the number of components under the null hypothesis.
    log_likelihood_null, log_likelihood_alternative : float
        Maximised ln L of the data with M and with M + 1 components.
    statistic : float
        LR = 2 (ln L_{M+1} - ln L_M) on the data.
    null_statistics : ndarray of shape (n_replicates - n_failed,)
        LR on each data set simulated from the fitted M-component model.
    p_value : float
    null_mixture, alternative_mixture : tuple of ndarrays
        ``(weights, means, sigmas)`` of the two fits to the data; the
        replicates were drawn from ``null_mixture``.
    n_failed : int
        Simulated data sets whose fits failed (left out and reported).
    """

    n_components: int
    log_likelihood_null: float
    log_likelihood_alternative: float
    statistic: float
    null_statistics: np.ndarray
    p_value: float
    null_mixture: tuple
    alternative_mixture: tuple
    n_failed: int

    @property
    def standard_error(self):
        """The Monte Carlo standard error of the p-value (:func:`monte_carlo_standard_error`)."""
        return monte_carlo_standard_error(self.p_value, self.null_statistics.size)

    def monte_carlo_interval(self, level=0.95):
        """Where the p-value would settle with unlimited replicates: an exact binomial interval.

        The simulated LR reach the observed one k times in B. With B -> infinity
        the p-value becomes the probability of that, and this is its
        Clopper-Pearson interval at ``level``. A conclusion at a test level
        that lies outside the interval does not hinge on the Monte Carlo error.

        Returns
        -------
        (low, high) : tuple of float
        """
        level = check.check_float(level, "level", 0.0)
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must lie strictly between 0 and 1; got {level}.")
        exceed = int(np.count_nonzero(self.null_statistics >= self.statistic))
        interval = binomtest(exceed, self.null_statistics.size).proportion_ci(level)
        return float(interval.low), float(interval.high)

    def __str__(self):
        m = self.n_components
        failed = f", {self.n_failed} failed" if self.n_failed else ""
        return (f"H0: M = {m} against H1: M = {m + 1}   LR = {self.statistic:.1f}   "
                f"bootstrap p = {self.p_value:.2f} +- {self.standard_error:.2f}  "
                f"({self.null_statistics.size} replicates{failed})")

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def _replicate_statistic(data_and_seed, family, n_components, n_init, options):
    """LR on one simulated data set, by the procedure used on the data; NaN if its fit failed."""
    data, seed = data_and_seed
    fits = _fit_nested_1d(family, data, n_components, n_init, np.random.default_rng(seed),
                          options)
    return np.nan if fits is None else fits.statistic


def bootstrap_lrt(X, n_components, n_replicates=99, *, covariance_type="full", n_init=2,
                  random_state=None, tol=1e-6, max_iter=3000, reg_covar=1e-6, n_jobs=1):
    """Parametric bootstrap likelihood-ratio test of M against M + 1 components (1-D data).

    1. Fit M and M + 1 components to X (:func:`fit_nested_mixtures`) and
       compute LR = 2 (ln L_{M+1} - ln L_M).
    2. Draw ``n_replicates`` data sets of the same size from the fitted
       M-component model (H0 true by construction) and fit each of them by
       exactly the same procedure: the same starts, EM and final climb.
    3. The p-value is the share of simulated LR at least as large as the
       observed one (:func:`bootstrap_p_value`); its Monte Carlo standard
       error is reported with it.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)
    n_components : int
        M, the number of components under H0.
    n_replicates : int
        Simulated data sets B (the smallest possible p-value is 1 / (B + 1)).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
        In 1-D only 'tied' (one shared variance) differs from the others.
    n_init : int
        k-means starts of every fit, on top of the split starts of M + 1.
    random_state : None, int or numpy Generator
    tol, max_iter, reg_covar :
        EM's options, the same for every fit.
    n_jobs : int, default=1
        Processes that fit the simulated data sets (-1: one per core). Each
        data set and its own seed for the k-means starts are drawn before the
        fits begin, so the result does not depend on ``n_jobs``.

    Returns
    -------
    LikelihoodRatioTest
    """
    n_components = check.check_int(n_components, "n_components", 1)
    n_replicates = check.check_int(n_replicates, "n_replicates", 1)
    n_init = check.check_int(n_init, "n_init", 1)
    n_jobs = check_n_jobs(n_jobs)
    family, options = _check_fit_options(covariance_type, tol, max_iter, reg_covar)
    X = _check_data_1d(X, "bootstrap_lrt")
    check.check_enough_samples(X.shape[0], n_components + 1)
    rng = check.check_random_state(random_state)

    observed = _fit_observed_data(family, X, n_components, n_init, rng, options)
    null = observed.null
    datasets, _ = simulate_mixture(null.weights, null.means[:, np.newaxis], null.variances,
                                   "spherical", X.shape[0], n_replicates, rng)
    seeds = rng.integers(0, 2**63, size=n_replicates)  # one k-means seed per data set
    replicate = partial(_replicate_statistic, family=family, n_components=n_components,
                        n_init=n_init, options=options)
    statistics = np.array(map_replicates(replicate, list(zip(datasets, seeds)), n_jobs))
    valid = np.isfinite(statistics)
    if not valid.any():
        raise RuntimeError(f"The fits of all {n_replicates} simulated data sets failed; try a "
                           "larger reg_covar or more starts (n_init).")
    statistics = statistics[valid]
    alternative = observed.alternative
    return LikelihoodRatioTest(
        n_components, null.log_likelihood, alternative.log_likelihood,
        float(observed.statistic), statistics,
        float(bootstrap_p_value(observed.statistic, statistics)),
        (null.weights, null.means, null.sigmas),
        (alternative.weights, alternative.means, alternative.sigmas),
        int(np.count_nonzero(~valid)))


def sequential_lrt(X, max_components, n_replicates=99, *, random_state=None, **options):
    """Bootstrap LR tests of M = 1 vs 2, 2 vs 3, ..., (max_components - 1) vs max_components.

    As in ``mclust::mclustBootstrapLRT``, every test is run (read them in
    order and stop at the first that does not reject).  One generator seeds
    all of them.

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)
    max_components : int
        The largest M + 1 tested (at least 2).
    n_replicates : int or sequence of int
        B for every test, or one B per test (spend them where p is near the
        level of the test).
    random_state : None, int or numpy Generator
    **options
        Passed to :func:`bootstrap_lrt`.

    Returns
    -------
    list of LikelihoodRatioTest
    """
    max_components = check.check_int(max_components, "max_components", 2)
    n_tests = max_components - 1
    if isinstance(n_replicates, (list, tuple, np.ndarray)):
        if len(n_replicates) != n_tests:
            raise ValueError(f"n_replicates must be one int, or one per test ({n_tests} for "
                             f"max_components={max_components}); got {len(n_replicates)} "
                             "values.")
        counts = list(n_replicates)
    else:
        counts = [n_replicates] * n_tests
    rng = check.check_random_state(random_state)
    return [bootstrap_lrt(X, m, count, random_state=rng, **options)
            for m, count in zip(range(1, max_components), counts)]
