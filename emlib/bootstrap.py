"""How sure is the fit? Bootstrap intervals and a bootstrap likelihood-ratio test.

Two questions a single maximum-likelihood fit cannot answer by itself:

1. *How precisely are the weights, means and widths determined?*  The
   bootstrap answers by refitting the mixture to many data sets that look
   like ours and reading the spread of the refitted parameters.  The data
   sets are either the sample resampled with replacement (*non-parametric*)
   or fresh draws from the fitted mixture (*parametric*).
2. *Does M + 1 components fit significantly better than M?*  The statistic
   is the likelihood ratio, LR = 2 (ln L_{M+1} - ln L_M).  Its textbook
   chi-square distribution does not apply to mixtures (under H0 the extra
   component's parameters are not identified and its weight sits on the
   boundary, alpha = 0), so its null distribution is simulated instead: draw
   data sets from the fitted M-component model, compute LR on each
   (McLachlan 1987; R's ``mclust::mclustBootstrapLRT`` and
   ``mixtools::boot.comp`` do the same).

Every refit starts from the fit to the original data (a *warm* start), which
makes it fast and keeps each refitted component near the one it came from.
Component labels are arbitrary, so before replicates are compared each
replicate's components are paired with the original fit's by
:func:`emlib.matching.match_components` (the pairing with the smallest total
distance between means), which undoes any relabelling.

Refits must reach the maximum of ln L.  With overlapping components ln L
has long flat ridges along which EM crawls, and a refit stopped by EM's
tolerance stays too close to its warm start, which makes intervals too
narrow.  So in 1-D the interval refits maximise ln L with BFGS (the
parametrisation of :mod:`emlib.direct_optimisation`), which converges in a
few dozen steps; in several dimensions they run the course's EM loop,
:func:`emlib.em.run_em`.

The LR test is valid only if the observed statistic and every simulated one
come from the same procedure, so one function, :func:`fit_nested_mixtures`,
fits them all (the course's EM loop, :func:`emlib.em.run_em`, one data set at
a time, the same starts and stopping rule).  Its M+1 fit starts from every
split of a component of its M fit; M + 1 nests M, so an M+1 fit that ends
below the M fit has stopped early on a ridge and climbs on with a stricter
tolerance.  Nothing is clipped: one that still ends clearly below is counted
as failed.  Each p-value comes with its Monte Carlo standard error and an
exact binomial interval for where it would settle with unlimited replicates.

All randomness comes from one generator (``random_state``), so results are
reproducible: the simulated data sets, and a seed for each one's k-means
starts, are drawn before any replicate is fitted, so ``n_jobs`` processes give
the same numbers as one.  Resampling and simulation are vectorised over
replicates.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.optimize import minimize
from scipy.stats import binomtest

from . import validation as check
from .em import m_step, run_em
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import DegenerateComponentError, full_covariances
from .gaussian_mixture import GaussianMixture
from .initialisation import kmeans_responsibilities
from .direct_optimisation import (negative_log_likelihood, negative_log_likelihood_gradient,
                                  pack, unpack)
from .matching import match_components

METHODS = ("nonparametric", "parametric")

# A refit fails when a component collapses (its covariance is singular) or
# ln L stops being finite; such replicates are counted and left out.
_REFIT_FAILURES = (DegenerateComponentError, FloatingPointError, np.linalg.LinAlgError)


def _map_replicates(function, items, n_jobs):
    """``[function(item) for item in items]``, in ``n_jobs`` processes when n_jobs > 1.

    Each replicate is fitted independently of the others (its data and, for
    the LR test, its own random seed are fixed before the fits start), so the
    results are the same for every ``n_jobs``; only the wall time changes.
    """
    if n_jobs == 1:
        return [function(item) for item in items]
    from joblib import Parallel, delayed  # installed with scikit-learn

    return Parallel(n_jobs=n_jobs)(delayed(function)(item) for item in items)


def _check_n_jobs(n_jobs):
    """n_jobs: a positive int, or -1 for every core (as in scikit-learn and joblib)."""
    if n_jobs == -1:
        return -1
    return check.check_int(n_jobs, "n_jobs (a positive int, or -1 for every core)", 1)


# --------------------------------------------------------------------------
# drawing bootstrap data sets


def resample_indices(n_samples, n_replicates, rng):
    """Row indices of non-parametric bootstrap samples.

    Each replicate draws ``n_samples`` rows uniformly *with replacement*, so a
    row can appear several times or not at all.

    Returns
    -------
    ndarray of shape (n_replicates, n_samples)
        ``X[indices[b]]`` is replicate b.
    """
    return rng.integers(0, n_samples, size=(n_replicates, n_samples))


def standard_deviations(covariances, covariance_type, n_components, n_features):
    """The width of each component along each axis: sqrt of its covariance's diagonal.

    In 1-D this is sigma_j, the quantity the text calls the width.

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    stack = full_covariances(covariances, covariance_type, n_components, n_features)
    return np.sqrt(np.diagonal(stack, axis1=1, axis2=2))


def simulate_mixture(weights, means, covariances, covariance_type, n_samples, n_replicates, rng):
    """Draw ``n_replicates`` data sets of ``n_samples`` points from a Gaussian mixture.

    The labels of all replicates are drawn in one call (each point picks
    component j with probability alpha_j); each point is then its
    component's mean plus correlated Gaussian noise L_j z with Sigma_j = L_j L_j^T.

    Returns
    -------
    X : ndarray of shape (n_replicates, n_samples, n_features)
    labels : ndarray of shape (n_replicates, n_samples)
    """
    means = np.asarray(means, dtype=float)
    n_components, n_features = means.shape
    factors = np.linalg.cholesky(
        full_covariances(covariances, covariance_type, n_components, n_features))
    labels = rng.choice(n_components, size=(n_replicates, n_samples), p=weights)
    noise = rng.standard_normal((n_replicates, n_samples, n_features))
    X = np.empty_like(noise)
    for k in range(n_components):
        members = labels == k
        X[members] = means[k] + noise[members] @ factors[k].T
    return X, labels


# --------------------------------------------------------------------------
# bootstrap confidence intervals


@dataclass
class BootstrapResult:
    """Refitted parameters of every bootstrap replicate, components matched.

    Attributes
    ----------
    method : {'nonparametric', 'parametric'}
    estimate : dict
        The original fit: ``weights`` (K,), ``means`` (K, d) and
        ``standard_deviations`` (K, d).
    replicates : dict
        The same names, each with a leading replicate axis (B, ...).
    n_failed : int
        Replicates whose refit collapsed and were left out.
    n_unconverged : int
        Replicates whose refit stopped before converging (kept).
    """

    method: str
    estimate: dict
    replicates: dict
    n_failed: int
    n_unconverged: int

    PARAMETERS = ("weights", "means", "standard_deviations")

    @property
    def n_replicates(self):
        """Replicates that were refitted successfully."""
        return len(self.replicates["weights"])

    def standard_errors(self):
        """The bootstrap standard error of each parameter: the spread of its replicates."""
        return {name: self.replicates[name].std(axis=0, ddof=1) for name in self.PARAMETERS}

    def confidence_intervals(self, level=0.95):
        """Percentile intervals: the (1 - level)/2 and (1 + level)/2 quantiles of the replicates.

        Returns
        -------
        dict
            For each parameter name, a pair ``(lower, upper)`` of arrays shaped
            like the parameter.
        """
        level = check.check_float(level, "level", 0.0)
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must lie strictly between 0 and 1; got {level}.")
        tail = (1.0 - level) / 2.0
        return {name: tuple(np.quantile(self.replicates[name], [tail, 1.0 - tail], axis=0))
                for name in self.PARAMETERS}

    def table(self, level=0.95, digits=3):
        """A printable table: estimate, standard error and interval of every parameter."""
        digits = check.check_int(digits, "digits", 0)
        intervals = self.confidence_intervals(level)
        errors = self.standard_errors()
        n_features = self.estimate["means"].shape[1]
        percent = f"{100 * level:g}%"
        lines = [f"{self.method} bootstrap, {self.n_replicates} replicates "
                 f"({self.n_failed} failed, {self.n_unconverged} not converged)",
                 f"{'parameter':<22} {'estimate':>9} {'std err':>9}   {percent} interval"]
        for name in self.PARAMETERS:
            estimate = self.estimate[name]
            for k in range(estimate.shape[0]):
                for axis in range(1 if name == "weights" else n_features):
                    where = (k,) if name == "weights" else (k, axis)
                    label = {"weights": "weight", "means": "mean",
                             "standard_deviations": "sigma"}[name]
                    label += f" {k + 1}" + (f", axis {axis + 1}" if n_features > 1 and
                                            name != "weights" else "")
                    lower, upper = intervals[name][0][where], intervals[name][1][where]
                    lines.append(f"{label:<22} {estimate[where]:>9.{digits}f} "
                                 f"{errors[name][where]:>9.{digits}f}   "
                                 f"[{lower:.{digits}f}, {upper:.{digits}f}]")
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table
        printer.text(str(self))


def _check_model(model):
    """Refuse anything but a fitted :class:`emlib.GaussianMixture`, naming what was given."""
    if not isinstance(model, GaussianMixture):
        what = (f"the class {model.__name__} itself (create and fit an instance)"
                if isinstance(model, type) else type(model).__name__)
        extra = (" bootstrap_mixture refits Gaussian components only; fit an "
                 "emlib.GaussianMixture to the same data instead."
                 if hasattr(model, "fit") else "")
        raise TypeError(f"model must be a fitted emlib.GaussianMixture; got {what}.{extra}")
    check.check_is_fitted(model)


def _fitted_parameters(model):
    """Weights and the EM loop's parameter dict of a fitted GaussianMixture."""
    _check_model(model)
    params = gaussian_parameters(model.means_, model.covariances_, model.covariance_type)
    return model.weights_, params


def _summary(weights, params, covariance_type):
    n_components, n_features = params["means"].shape
    return {"weights": weights, "means": params["means"],
            "standard_deviations": standard_deviations(
                params["covariances"], covariance_type, n_components, n_features)}


def bootstrap_mixture(model, X, n_replicates=200, *, method="nonparametric", random_state=None,
                      tol=1e-6, max_iter=1000, n_jobs=1):
    """Bootstrap the weights, means and widths of a fitted Gaussian mixture.

    Parameters
    ----------
    model : fitted :class:`emlib.GaussianMixture`
        The fit to ``X``; every refit starts from it.
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        The data the model was fitted to.
    n_replicates : int
        Number of bootstrap data sets B.
    method : {'nonparametric', 'parametric'}
        Resample ``X`` with replacement, or draw new data sets of the same
        size from the fitted mixture.
    random_state : None, int or numpy Generator
    tol, max_iter :
        EM's stopping rule for each refit (see :func:`emlib.em.run_em`), used
        for data of several features and for ``covariance_type='tied'``.  In
        1-D otherwise each refit maximises ln L with BFGS from the original
        fit (see :func:`_refit_1d`), which converges where EM crawls.
    n_jobs : int, default=1
        Processes that refit the replicates (-1: one per core). The results
        do not depend on it.

    Returns
    -------
    BootstrapResult
    """
    weights, params = _fitted_parameters(model)
    check.check_choice(method, "method", METHODS)
    n_replicates = check.check_int(n_replicates, "n_replicates", 2)
    tol = check.check_float(tol, "tol", 0.0)
    max_iter = check.check_int(max_iter, "max_iter", 1)
    n_jobs = _check_n_jobs(n_jobs)
    X = check.check_data(X)
    check.check_n_features(X, model.n_features_in_)
    rng = check.check_random_state(random_state)
    family = GaussianFamily(model.covariance_type, model.reg_covar)

    if method == "nonparametric":
        datasets = X[resample_indices(X.shape[0], n_replicates, rng)]
    else:
        datasets, _ = simulate_mixture(weights, params["means"], params["covariances"],
                                       model.covariance_type, X.shape[0], n_replicates, rng)

    if X.shape[1] == 1 and model.covariance_type != "tied":
        refit = partial(_refit_1d, weights=weights, params=params,
                        covariance_type=model.covariance_type)
        fits = _map_replicates(refit, datasets[:, :, 0], n_jobs)
    else:
        refit = partial(_refit_em, weights=weights, params=params, family=family, tol=tol,
                        max_iter=max_iter)
        fits = _map_replicates(refit, datasets, n_jobs)
    n_failed = sum(fit is None for fit in fits)
    if n_failed > n_replicates // 2:
        raise RuntimeError(
            f"{n_failed} of {n_replicates} bootstrap refits collapsed; the fitted model is "
            "too close to degenerate for the bootstrap (try fewer components or a larger "
            "reg_covar).")
    collected = {name: [] for name in BootstrapResult.PARAMETERS}
    n_unconverged = 0
    for fit in fits:
        if fit is None:
            continue
        fit_weights, fit_params, converged = fit
        n_unconverged += not converged
        order = match_components(params["means"], fit_params["means"])
        summary = _summary(fit_weights[order], family.permute(fit_params, order),
                           model.covariance_type)
        for name, value in summary.items():
            collected[name].append(value)
    replicates = {name: np.array(values) for name, values in collected.items()}
    return BootstrapResult(method, _summary(weights, params, model.covariance_type),
                           replicates, n_failed, n_unconverged)


def _refit_1d(data, weights, params, covariance_type):
    """Maximise ln L on one 1-D replicate with BFGS, from the original fit.

    EM crawls along the flat ridges of ln L that overlapping components
    create (notebooks 03 and 09 show it): stopped by a tolerance, a refit that
    starts from the original fit stays too close to it, and the intervals
    come out too narrow.  A quasi-Newton method on the unconstrained
    parameters of :mod:`emlib.direct_optimisation` reaches the maximum in a
    few dozen steps instead.

    Returns
    -------
    (weights, params, converged), or None if ln L stopped being finite
    """
    start = pack(weights, params["means"][:, 0], np.sqrt(
        np.asarray(params["covariances"], dtype=float).ravel()))
    result = minimize(negative_log_likelihood, start, args=(data,),
                      jac=negative_log_likelihood_gradient, method="BFGS",
                      options={"gtol": 1e-6, "maxiter": 1000})
    if not np.isfinite(result.fun):
        return None
    fit_weights, means, sigmas = unpack(result.x)
    # BFGS ends on "precision loss" when ln L is flat to rounding: that is converged too.
    converged = bool(result.success or np.max(np.abs(result.jac)) < 1e-3)
    return fit_weights, _parameters_1d(means, sigmas**2, covariance_type), converged


def _refit_em(data, weights, params, family, tol, max_iter):
    """Refit one replicate with the course's EM loop, from the original fit."""
    try:
        result = run_em(family, data, weights, params, tol=tol, max_iter=max_iter)
    except _REFIT_FAILURES:
        return None
    return result.weights, result.params, result.converged


# --------------------------------------------------------------------------
# the bootstrap likelihood-ratio test of M against M + 1 components


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

    Returns
    -------
    weights, means, variances : ndarrays of shape (n_components + 1,)
    """
    new_weights = np.append(weights, weights[component] / 2)
    new_weights[component] /= 2
    new_variances = np.append(variances, 1.5 * variances[component])
    new_variances[component] *= 0.5
    return new_weights, np.append(means, means[component]), new_variances


def _parameters_1d(means, variances, covariance_type):
    """The EM loop's parameter dict of a 1-D mixture, from its means and variances (K,)."""
    variances = np.asarray(variances, dtype=float)
    if covariance_type == "tied":  # one variance shared by every component
        covariances = variances[:1].reshape(1, 1)
    else:
        covariances = variances.reshape({"full": (-1, 1, 1), "diag": (-1, 1),
                                         "spherical": (-1,)}[covariance_type])
    return gaussian_parameters(np.asarray(means, dtype=float)[:, np.newaxis], covariances,
                               covariance_type)


def _means_and_variances_1d(params, covariance_type):
    """The inverse of :func:`_parameters_1d`: means and variances, each of shape (K,)."""
    means = params["means"][:, 0]
    variances = full_covariances(params["covariances"], covariance_type, means.size, 1)[:, 0, 0]
    return means, variances


def _run(family, data, start, options):
    """One EM run of the course's loop from ``start``; None if a component collapsed."""
    try:
        return run_em(family, data, *start, **options)
    except _REFIT_FAILURES:
        return None


def _kmeans_starts(family, data, n_components, n_starts, rng):
    """``n_starts`` k-means starts (weights, params) for ``data`` of shape (n_samples, 1)."""
    starts = []
    for _ in range(n_starts):
        resp = kmeans_responsibilities(data, n_components, rng)
        try:
            starts.append(m_step(family, data, resp, None))
        except _REFIT_FAILURES:  # a cluster too small to have a variance
            continue
    return starts


@dataclass
class MixtureFit1D:
    """A maximised 1-D mixture: weights, means and variances (K,) and its ln L."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    log_likelihood: float


def _climb_1d(family, data, start, options):
    """EM from ``start`` to EM's stopping rule; None if a component collapsed."""
    run = _run(family, data, start, options)
    if run is None:
        return None
    means, variances = _means_and_variances_1d(run.params, family.covariance_type)
    return MixtureFit1D(run.weights, means, variances, float(run.log_likelihoods[-1]))


def _best_climb(family, data, starts, options, short_iter):
    """Climb from the start that is highest after ``short_iter`` EM iterations.

    Most of a fit's cost is its slow final approach, so the losing starts
    are stopped early (the "short runs" strategy of Biernacki, Celeux &
    Govaert 2003); the winner is climbed to the maximum.
    """
    short_options = dict(options, max_iter=short_iter)
    short = [run for run in (_run(family, data, start, short_options) for start in starts)
             if run is not None]
    if not short:
        return None
    best = max(short, key=lambda run: run.log_likelihoods[-1])
    return _climb_1d(family, data, (best.weights, best.params), options)


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


# ln L_{M+1} may end this far below ln L_M (in units of ln L) where the extra
# component is not needed and the M+1 fit approaches the M fit along a flat
# ridge; that LR is 0 up to the optimiser's precision and is kept as it is.
LR_TOLERANCE = 1e-3


def _fit_nested_1d(family, data, n_components, n_init, rng, options, short_iter=5):
    """The one fitting procedure of the LR test, for the data and every replicate alike.

    M components: the best of ``n_init`` k-means starts.  M + 1: the best of
    every split of a component of that M fit (its mean split, and its width
    split, :func:`split_component_start` and
    :func:`split_component_width_start`) and ``n_init`` k-means starts.  Each
    fit climbs to the maximum with :func:`_climb_1d`.

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
    null = _best_climb(family, data, _kmeans_starts(family, data, n_components, n_init, rng),
                       options, short_iter)
    if null is None:
        return None
    tied = family.covariance_type == "tied"
    splits = [split_component_start(null.weights, null.means, null.variances, k, tied)
              for k in range(n_components)]
    if not tied:
        splits += [split_component_width_start(null.weights, null.means, null.variances, k)
                   for k in range(n_components)]
    split_starts = [(weights, _parameters_1d(means, variances, family.covariance_type))
                    for weights, means, variances in splits]
    starts = split_starts + _kmeans_starts(family, data, n_components + 1, n_init, rng)
    alternative = _best_climb(family, data, starts, options, short_iter)
    if alternative is not None and alternative.log_likelihood < null.log_likelihood:
        # M + 1 nests M, so a maximum at or above ln L_M exists: ending below it means
        # EM's stopping rule fired on a flat ridge. Climb on with a stricter rule.
        patient = dict(options, tol=options["tol"] * 1e-2, max_iter=options["max_iter"] * 3)
        start = (alternative.weights,
                 _parameters_1d(alternative.means, alternative.variances, family.covariance_type))
        alternative = _climb_1d(family, data, start, patient)
    if alternative is None or alternative.log_likelihood < null.log_likelihood - LR_TOLERANCE:
        return None
    return NestedFits(null, alternative)


def _lrt_options(covariance_type, tol, max_iter, reg_covar):
    """Validate the fitting options shared by the LR-test functions."""
    check.check_choice(covariance_type, "covariance_type", check.COVARIANCE_TYPES)
    options = {"tol": check.check_float(tol, "tol", 0.0),
               "max_iter": check.check_int(max_iter, "max_iter", 1)}
    family = GaussianFamily(covariance_type, check.check_float(reg_covar, "reg_covar", 0.0))
    return family, options


def _check_data_1d(X, function):
    X = check.check_data(X)
    if X.shape[1] != 1:
        raise ValueError(f"{function} works on one feature (X of shape (n_samples,)); "
                         f"got X of shape {X.shape}.")
    return X


def _fit_observed(family, X, n_components, n_init, rng, options):
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
    family, options = _lrt_options(covariance_type, tol, max_iter, reg_covar)
    X = _check_data_1d(X, "fit_nested_mixtures")
    check.check_enough_samples(X.shape[0], n_components + 1)
    rng = check.check_random_state(random_state)
    return _fit_observed(family, X, n_components, n_init, rng, options)


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
    n_jobs = _check_n_jobs(n_jobs)
    family, options = _lrt_options(covariance_type, tol, max_iter, reg_covar)
    X = _check_data_1d(X, "bootstrap_lrt")
    check.check_enough_samples(X.shape[0], n_components + 1)
    rng = check.check_random_state(random_state)

    observed = _fit_observed(family, X, n_components, n_init, rng, options)
    null = observed.null
    datasets, _ = simulate_mixture(null.weights, null.means[:, np.newaxis], null.variances,
                                   "spherical", X.shape[0], n_replicates, rng)
    seeds = rng.integers(0, 2**63, size=n_replicates)  # one k-means seed per data set
    replicate = partial(_replicate_statistic, family=family, n_components=n_components,
                        n_init=n_init, options=options)
    statistics = np.array(_map_replicates(replicate, list(zip(datasets, seeds)), n_jobs))
    valid = np.isfinite(statistics)
    if not valid.any():
        raise RuntimeError(f"The fits of all {n_replicates} simulated data sets failed; try a "
                           "larger reg_covar or more starts (n_init).")
    statistics = statistics[valid]

    def mixture(fit):
        return fit.weights, fit.means, np.sqrt(fit.variances)

    return LikelihoodRatioTest(
        n_components, observed.null.log_likelihood, observed.alternative.log_likelihood,
        float(observed.statistic), statistics,
        float(bootstrap_p_value(observed.statistic, statistics)),
        mixture(observed.null), mixture(observed.alternative), int(np.count_nonzero(~valid)))


def sequential_lrt(X, max_components, n_replicates=99, *, random_state=None, **options):
    """Bootstrap LR tests of M = 1 vs 2, 2 vs 3, ..., (max_components - 1) vs max_components.

    As in ``mclust::mclustBootstrapLRT``, every test is run (read them in
    order and stop at the first that does not reject).  One generator seeds
    all of them.

    Parameters
    ----------
    n_replicates : int or sequence of int
        B for every test, or one B per test (spend them where p is near the
        level of the test).
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
