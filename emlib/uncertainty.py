"""How precisely are the weights, means and widths determined? Bootstrap intervals.

A single maximum-likelihood fit gives one value of each parameter, not its
precision. The bootstrap reads the precision off the spread of the
parameters refitted to many data sets that look like ours: either the sample
resampled with replacement (*non-parametric*) or fresh draws from the fitted
mixture (*parametric*). :func:`bootstrap_mixture` does both and returns a
:class:`BootstrapResult` with standard errors and percentile intervals.

Every refit starts from the fit to the original data (a *warm* start), which
makes it fast and keeps each refitted component near the one it came from.
Component labels are arbitrary, so before replicates are compared each
replicate's components are paired with the original fit's by
:func:`emlib.matching.match_components` (the pairing with the smallest total
distance between means), which undoes any relabelling.

Refits must reach the maximum of ln L. With overlapping components ln L has
long flat ridges along which EM crawls, and a refit stopped by EM's tolerance
stays too close to its warm start, which makes intervals too narrow. So in
1-D the refits maximise ln L with BFGS (the parametrisation of
:mod:`emlib.direct_optimisation`); in several dimensions they run the
course's EM loop, :func:`emlib.em.run_em`.

The module also holds the bootstrap's building blocks that the
likelihood-ratio test (:mod:`emlib.likelihood_ratio_test`) uses too: drawing
data sets from a fitted mixture (:func:`simulate_mixture`), refitting
replicates in several processes (:func:`map_replicates`), one EM run that
reports a collapse as None (:func:`run_em_or_none`) and the conversions
between the EM loop's parameters and 1-D means and variances.

For 1-D data it also gives the classical shortcut the bootstrap is compared
with in notebook 04b: standard errors from the curvature of ln L at its
maximum, the observed information
(:func:`observed_information_standard_errors`).

All randomness comes from one generator (``random_state``); the data sets
are drawn, vectorised over replicates, before any is refitted, so ``n_jobs``
processes give the same numbers as one.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.optimize import minimize

from . import validation as check
from .direct_optimisation import (negative_log_likelihood, negative_log_likelihood_gradient,
                                  negative_log_likelihood_hessian, pack, unpack)
from .em import run_em
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import DegenerateComponentError, full_covariances
from .gaussian_mixture import GaussianMixture
from .matching import match_components

__all__ = ["BootstrapResult", "bootstrap_mixture", "natural_parameter_jacobian",
           "observed_information_standard_errors", "resample_indices", "simulate_mixture",
           "standard_deviations"]

METHODS = ("nonparametric", "parametric")

# A refit fails when a component collapses (its covariance is singular) or
# ln L stops being finite; such replicates are counted and left out.
REFIT_FAILURES = (DegenerateComponentError, FloatingPointError, np.linalg.LinAlgError)


# --------------------------------------------------------------------------
# building blocks shared with the likelihood-ratio test


def map_replicates(function, items, n_jobs):
    """``[function(item) for item in items]``, in ``n_jobs`` processes when n_jobs > 1.

    Each replicate is fitted independently of the others (its data and, for
    the LR test, its own random seed are fixed before the fits start), so the
    results are the same for every ``n_jobs``; only the wall time changes.
    """
    if n_jobs == 1:
        return [function(item) for item in items]
    from joblib import Parallel, delayed  # installed with scikit-learn

    return Parallel(n_jobs=n_jobs)(delayed(function)(item) for item in items)


def check_n_jobs(n_jobs):
    """n_jobs: a positive int, or -1 for every core (as in scikit-learn and joblib)."""
    if n_jobs == -1:
        return -1
    return check.check_int(n_jobs, "n_jobs (a positive int, or -1 for every core)", 1)


def run_em_or_none(family, data, weights, params, **options):
    """One run of the course's EM loop (:func:`emlib.em.run_em`); None if it failed.

    A replicate whose component collapses, or whose ln L stops being finite,
    is counted by the caller and left out, instead of ending the bootstrap.
    """
    try:
        return run_em(family, data, weights, params, **options)
    except REFIT_FAILURES:
        return None


def gaussian_parameters_1d(means, variances, covariance_type):
    """The EM loop's parameter dict of a 1-D mixture, from its means and variances (K,).

    With ``covariance_type='tied'`` the first variance is the shared one.
    """
    variances = np.asarray(variances, dtype=float)
    if covariance_type == "tied":  # one variance shared by every component
        covariances = variances[:1].reshape(1, 1)
    else:
        covariances = variances.reshape({"full": (-1, 1, 1), "diag": (-1, 1),
                                         "spherical": (-1,)}[covariance_type])
    return gaussian_parameters(np.asarray(means, dtype=float)[:, np.newaxis], covariances,
                               covariance_type)


def means_and_variances_1d(params, covariance_type):
    """The inverse of :func:`gaussian_parameters_1d`: means and variances, each of shape (K,)."""
    means = params["means"][:, 0]
    variances = full_covariances(params["covariances"], covariance_type, means.size, 1)[:, 0, 0]
    return means, variances


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


def _check_fitted_gaussian_mixture(model):
    """Refuse anything but a fitted :class:`emlib.GaussianMixture`, naming what was given."""
    if not isinstance(model, GaussianMixture):
        what = (f"the class {model.__name__} itself (create and fit an instance)"
                if isinstance(model, type) else type(model).__name__)
        extra = (" bootstrap_mixture refits Gaussian components only; fit an "
                 "emlib.GaussianMixture to the same data instead."
                 if hasattr(model, "fit") else "")
        raise TypeError(f"model must be a fitted emlib.GaussianMixture; got {what}.{extra}")
    check.check_is_fitted(model)


def _parameter_summary(weights, params, covariance_type):
    """The parameters a BootstrapResult reports: weights, means and standard deviations."""
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
        fit (see :func:`_refit_with_bfgs`), which converges where EM crawls.
    n_jobs : int, default=1
        Processes that refit the replicates (-1: one per core). The results
        do not depend on it.

    Returns
    -------
    BootstrapResult
    """
    _check_fitted_gaussian_mixture(model)
    weights = model.weights_
    params = gaussian_parameters(model.means_, model.covariances_, model.covariance_type)
    check.check_choice(method, "method", METHODS)
    n_replicates = check.check_int(n_replicates, "n_replicates", 2)
    tol = check.check_float(tol, "tol", 0.0)
    max_iter = check.check_int(max_iter, "max_iter", 1)
    n_jobs = check_n_jobs(n_jobs)
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
        refit = partial(_refit_with_bfgs, weights=weights, params=params,
                        covariance_type=model.covariance_type)
        fits = map_replicates(refit, datasets[:, :, 0], n_jobs)
    else:
        refit = partial(_refit_with_em, weights=weights, params=params, family=family, tol=tol,
                        max_iter=max_iter)
        fits = map_replicates(refit, datasets, n_jobs)
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
        summary = _parameter_summary(fit_weights[order], family.permute(fit_params, order),
                                     model.covariance_type)
        for name, value in summary.items():
            collected[name].append(value)
    replicates = {name: np.array(values) for name, values in collected.items()}
    return BootstrapResult(method, _parameter_summary(weights, params, model.covariance_type),
                           replicates, n_failed, n_unconverged)


def _refit_with_bfgs(data, weights, params, covariance_type):
    """Maximise ln L on one 1-D replicate with BFGS, from the original fit.

    Why not EM: overlapping components give ln L long, nearly flat ridges,
    and EM's steps along them shrink (notebooks 03 and 09 show it).  EM's
    stopping rule (a change of the mean ln L below ``tol``) then fires while
    the refit is still close to its warm start, so the replicates scatter
    too little and the intervals come out too narrow: on the text's data
    (notebook 04b, 100 non-parametric replicates) EM refits with tol=1e-6
    give a standard error of 0.41 for the first mean, BFGS refits 1.28.  A
    quasi-Newton method on the unconstrained parameters of
    :mod:`emlib.direct_optimisation` follows the ridge to the maximum in a
    few dozen steps.

    Returns
    -------
    (weights, params, converged), or None if ln L stopped being finite
    """
    means, variances = means_and_variances_1d(params, covariance_type)
    start = pack(weights, means, np.sqrt(variances))
    result = minimize(negative_log_likelihood, start, args=(data,),
                      jac=negative_log_likelihood_gradient, method="BFGS",
                      options={"gtol": 1e-6, "maxiter": 1000})
    if not np.isfinite(result.fun):
        return None
    fit_weights, fit_means, sigmas = unpack(result.x)
    # BFGS ends on "precision loss" when ln L is flat to rounding: that is converged too.
    converged = bool(result.success or np.max(np.abs(result.jac)) < 1e-3)
    return fit_weights, gaussian_parameters_1d(fit_means, sigmas**2, covariance_type), converged


def _refit_with_em(data, weights, params, family, tol, max_iter):
    """Refit one replicate with the course's EM loop, from the original fit; None if it failed."""
    run = run_em_or_none(family, data, weights, params, tol=tol, max_iter=max_iter)
    if run is None:
        return None
    return run.weights, run.params, run.converged


# --------------------------------------------------------------------------
# standard errors from the curvature of ln L (the observed information)


def natural_parameter_jacobian(theta):
    """d(alpha, mu, sigma) / d theta for the packing of :mod:`emlib.direct_optimisation`.

    theta = [a_1 .. a_{M-1}, mu_1 .. mu_M, ln sigma_1 .. ln sigma_M], with the
    weights a softmax of the logits (a_M = 0). So

    - d alpha_j / d a_k       = alpha_j (delta_jk - alpha_k)   (k < M)
    - d mu_j / d mu_k         = delta_jk
    - d sigma_j / d ln sigma_k = sigma_j delta_jk

    Returns
    -------
    ndarray of shape (3M, 3M - 1)
        Rows in the order (alpha_1..alpha_M, mu_1..mu_M, sigma_1..sigma_M).
    """
    weights, _, sigmas = unpack(theta)
    n_components = weights.size
    jacobian = np.zeros((3 * n_components, 3 * n_components - 1))
    softmax = np.diag(weights) - np.outer(weights, weights)
    jacobian[:n_components, :n_components - 1] = softmax[:, :n_components - 1]
    jacobian[n_components:2 * n_components,
             n_components - 1:2 * n_components - 1] = np.eye(n_components)
    jacobian[2 * n_components:, 2 * n_components - 1:] = np.diag(sigmas)
    return jacobian


def _maximise_log_likelihood_1d(x, theta):
    """The maximum of ln L uphill from theta: BFGS, then Newton steps on the exact Hessian.

    BFGS alone stops where the gradient is small, which along a flat ridge
    (a small eigenvalue of the Hessian) can still be a few thousandths away
    from the maximum; the curvature there is noticeably different.  Newton
    steps from there converge quadratically.
    """
    result = minimize(negative_log_likelihood, theta, args=(x,),
                      jac=negative_log_likelihood_gradient, method="BFGS",
                      options={"gtol": 1e-8, "maxiter": 2000})
    theta = result.x
    for _ in range(5):
        gradient = negative_log_likelihood_gradient(theta, x)
        hessian = negative_log_likelihood_hessian(theta, x)
        if not np.all(np.isfinite(hessian)) or np.linalg.eigvalsh(hessian)[0] <= 0:
            break  # not (yet) in a bowl: leave it to the caller's check
        step = np.linalg.solve(hessian, gradient)
        theta = theta - step
        if gradient @ step < 1e-20:  # the possible gain in ln L, twice over, is negligible
            break
    return theta


def observed_information_standard_errors(model, X):
    """Standard errors of a 1-D mixture's parameters from the curvature of ln L at its maximum.

    Near the maximum theta_hat, ln L is approximately quadratic, and the
    covariance of theta_hat is approximately the inverse of the *observed
    information*, the Hessian of -ln L there:

        Cov(theta_hat) ~ H^{-1},   H = -d^2 ln L / d theta d theta^T  at theta_hat.

    H is taken in the unconstrained parameters theta of
    :mod:`emlib.direct_optimisation` (by central differences of the exact
    gradient, :func:`emlib.direct_optimisation.negative_log_likelihood_hessian`)
    and carried to the weights, means and widths by the delta method,
    Cov(alpha, mu, sigma) ~ J H^{-1} J^T with J from
    :func:`natural_parameter_jacobian`.  The answer is only as good as the
    quadratic approximation: for a well-separated component it agrees with the
    bootstrap; where components overlap, ln L is far from quadratic and it
    need not.

    Parameters
    ----------
    model : fitted :class:`emlib.GaussianMixture`
        Fitted to ``X``, one feature, any covariance_type but 'tied'.  The
        Hessian is evaluated at the maximum of ln L reached from the model's
        parameters by BFGS and Newton steps (the model itself is not changed);
        this moves an EM fit by about EM's tolerance.
    X : array-like of shape (n_samples,) or (n_samples, 1)
        The data the model was fitted to.

    Returns
    -------
    dict
        ``weights`` (K,), ``means`` (K, 1) and ``standard_deviations`` (K, 1),
        shaped like :meth:`BootstrapResult.standard_errors`.  The weights sum
        to one, so their errors are linked (with K = 2 they are equal).

    Raises
    ------
    ValueError
        For data of several features, a tied model, or a fit where -ln L does
        not curve upwards in every direction (not a maximum, e.g. a component
        collapsing onto one point).
    """
    _check_fitted_gaussian_mixture(model)
    X = check.check_data(X)
    check.check_n_features(X, model.n_features_in_)
    if X.shape[1] != 1:
        raise ValueError(
            f"X must have one feature for observed-information standard errors; got "
            f"{X.shape[1]} features. Use bootstrap_mixture for data of several features.")
    if model.covariance_type == "tied":
        raise ValueError(
            "model.covariance_type must not be 'tied' (the widths here are free, one per "
            "component); got 'tied'. Refit with covariance_type='full', or use bootstrap_mixture.")
    x = X[:, 0]
    params = gaussian_parameters(model.means_, model.covariances_, model.covariance_type)
    means, variances = means_and_variances_1d(params, model.covariance_type)
    theta = _maximise_log_likelihood_1d(x, pack(model.weights_, means, np.sqrt(variances)))
    hessian = negative_log_likelihood_hessian(theta, x)
    eigenvalues = np.linalg.eigvalsh(hessian) if np.all(np.isfinite(hessian)) else [np.nan]
    # A flat direction counts as none: finite differences resolve about 1e-9 of the largest.
    if not eigenvalues[0] > 1e-9 * abs(eigenvalues[-1]):
        raise ValueError(
            "the fitted model is not at a maximum of ln L where it curves down in every "
            f"direction (smallest eigenvalue of the Hessian of -ln L: {eigenvalues[0]:.3g}), "
            "so it has no observed-information standard errors. A component may be collapsing "
            "or two may coincide: fit fewer components, or use bootstrap_mixture.")
    jacobian = natural_parameter_jacobian(theta)
    covariance = jacobian @ np.linalg.solve(hessian, jacobian.T)
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))  # a fixed weight (K=1) gives 0
    n_components = model.n_components
    return {"weights": errors[:n_components],
            "means": errors[n_components:2 * n_components, np.newaxis],
            "standard_deviations": errors[2 * n_components:, np.newaxis]}
