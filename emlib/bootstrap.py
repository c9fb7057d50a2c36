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
:func:`emlib.em.run_em`.  The LR test needs no such care to be valid: the
observed and the simulated statistics come from the same procedure (EM fits
through :func:`emlib.em.run_em`, one data set at a time).

All randomness comes from one generator (``random_state``), so results are
reproducible.  Resampling and simulation are vectorised over replicates.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from . import validation as check
from .em import e_step, m_step, run_em
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import DegenerateComponentError, full_covariances
from .initialisation import kmeans_responsibilities
from .direct_optimisation import (negative_log_likelihood, negative_log_likelihood_gradient,
                                  pack, unpack)
from .matching import match_components

METHODS = ("nonparametric", "parametric")

# A refit fails when a component collapses (its covariance is singular) or
# ln L stops being finite; such replicates are counted and left out.
_REFIT_FAILURES = (DegenerateComponentError, FloatingPointError, np.linalg.LinAlgError)


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


def _fitted_parameters(model):
    """Weights and the EM loop's parameter dict of a fitted GaussianMixture."""
    check.check_is_fitted(model)
    params = gaussian_parameters(model.means_, model.covariances_, model.covariance_type)
    return model.weights_, params


def _summary(weights, params, covariance_type):
    n_components, n_features = params["means"].shape
    return {"weights": weights, "means": params["means"],
            "standard_deviations": standard_deviations(
                params["covariances"], covariance_type, n_components, n_features)}


def bootstrap_mixture(model, X, n_replicates=200, *, method="nonparametric", random_state=None,
                      tol=1e-6, max_iter=1000):
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

    Returns
    -------
    BootstrapResult
    """
    check.check_choice(method, "method", METHODS)
    n_replicates = check.check_int(n_replicates, "n_replicates", 2)
    tol = check.check_float(tol, "tol", 0.0)
    max_iter = check.check_int(max_iter, "max_iter", 1)
    X = check.check_data(X)
    weights, params = _fitted_parameters(model)
    check.check_n_features(X, model.n_features_in_)
    rng = check.check_random_state(random_state)
    family = GaussianFamily(model.covariance_type, model.reg_covar)

    if method == "nonparametric":
        datasets = X[resample_indices(X.shape[0], n_replicates, rng)]
    else:
        datasets, _ = simulate_mixture(weights, params["means"], params["covariances"],
                                       model.covariance_type, X.shape[0], n_replicates, rng)

    if X.shape[1] == 1 and model.covariance_type != "tied":
        fits = _refit_1d(datasets[:, :, 0], weights, params, model.covariance_type)
    else:
        fits = _refit_each(datasets, weights, params, family, tol, max_iter)
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


def _refit_1d(datasets, weights, params, covariance_type):
    """Maximise ln L on every 1-D replicate with BFGS, from the original fit.

    EM crawls along the flat ridges of ln L that overlapping components
    create (notebooks 03 and 09 show it): stopped by a tolerance, a refit that
    starts from the original fit stays too close to it, and the intervals
    come out too narrow.  A quasi-Newton method on the unconstrained
    parameters of :mod:`emlib.direct_optimisation` reaches the maximum in a
    few dozen steps instead.

    Returns
    -------
    list of (weights, params, converged), one per replicate
    """
    start = pack(weights, params["means"][:, 0], np.sqrt(
        np.asarray(params["covariances"], dtype=float).ravel()))
    fits = []
    for data in datasets:
        result = minimize(negative_log_likelihood, start, args=(data,),
                          jac=negative_log_likelihood_gradient, method="BFGS",
                          options={"gtol": 1e-6, "maxiter": 1000})
        if not np.isfinite(result.fun):
            fits.append(None)
            continue
        fit_weights, means, sigmas = unpack(result.x)
        # BFGS ends on "precision loss" when ln L is flat to rounding: that is converged too.
        converged = bool(result.success or np.max(np.abs(result.jac)) < 1e-3)
        fits.append((fit_weights, _parameters_1d(means, sigmas**2, covariance_type), converged))
    return fits


def _refit_each(datasets, weights, params, family, tol, max_iter):
    """Refit replicates one by one with the course's EM loop (data of several features)."""
    fits = []
    for data in datasets:
        try:
            result = run_em(family, data, weights, params, tol=tol, max_iter=max_iter)
        except _REFIT_FAILURES:
            fits.append(None)
            continue
        fits.append((result.weights, result.params, result.converged))
    return fits


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
    null_statistics = np.asarray(null_statistics, dtype=float)
    return (1.0 + np.count_nonzero(null_statistics >= statistic)) / (null_statistics.size + 1.0)


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


def duplicate_component(weights, means, variances):
    """An M-component 1-D fit written as an M+1 mixture: its heaviest component cut in two.

    Both halves keep that component's mean and variance and get half its
    weight, so the density, and ln L, are exactly those of the M-component
    fit.  It shows that the best M+1 fit is never worse than the best M fit.

    Parameters
    ----------
    weights, means, variances : ndarrays of shape (n_components,)

    Returns
    -------
    weights, means, variances : ndarrays of shape (n_components + 1,)
    """
    heaviest = int(np.argmax(weights))
    new_weights = np.append(weights, weights[heaviest] / 2)
    new_weights[heaviest] /= 2
    return new_weights, np.append(means, means[heaviest]), np.append(variances, variances[heaviest])


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


def _best_fit(family, data, starts, options, short_iter=10):
    """The highest-ln-L EM fit over ``starts``, or None if every start collapsed.

    With several starts, each first runs ``short_iter`` iterations and only
    the best of them goes on to convergence (the "short runs" strategy of
    Biernacki, Celeux & Govaert 2003): most of the cost of a fit is its slow
    final approach, which the losing starts are spared.
    """
    if len(starts) > 1:
        short_options = dict(options, max_iter=min(short_iter, options["max_iter"]))
        short = [fit for fit in (_run(family, data, start, short_options) for start in starts)
                 if fit is not None]
        if not short:
            return None
        best = max(short, key=lambda fit: fit.log_likelihoods[-1])
        starts = [(best.weights, best.params)]
    return _run(family, data, starts[0], options)


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


def _fit_pair_1d(family, data, n_components, null_starts, n_init, rng, options):
    """Maximise ln L with M and with M + 1 components on one 1-D data set.

    The M fit is the best over ``null_starts`` and ``n_init`` k-means
    starts; the M+1 fit the best over every split of one component of the M
    fit and ``n_init`` k-means starts.  Where EM's tolerance stops that M+1
    fit just short of the M fit's ln L (when the data hold no extra
    component, ln L is flat), the M fit with a component cut in two
    (:func:`duplicate_component`), which reaches exactly ln L_M, is the M+1 fit.

    Returns
    -------
    null, alternative : tuples (weights, means, variances, log_likelihood), or None
        None where every start collapsed.
    """
    covariance_type = family.covariance_type
    null = _best_fit(family, data, null_starts + _kmeans_starts(
        family, data, n_components, n_init, rng), options)
    if null is None:
        return None, None
    means, variances = _means_and_variances_1d(null.params, covariance_type)
    null_fit = (null.weights, means, variances, null.log_likelihoods[-1])
    splits = [split_component_start(null.weights, means, variances, k,
                                    covariance_type == "tied") for k in range(n_components)]
    starts = [(weights, _parameters_1d(split_means, split_variances, covariance_type))
              for weights, split_means, split_variances in splits]
    alternative = _best_fit(family, data, starts + _kmeans_starts(
        family, data, n_components + 1, n_init, rng), options)
    if alternative is not None and alternative.log_likelihoods[-1] >= null_fit[3]:
        return null_fit, (alternative.weights,
                          *_means_and_variances_1d(alternative.params, covariance_type),
                          alternative.log_likelihoods[-1])
    weights, means, variances = duplicate_component(null.weights, means, variances)
    log_density, _ = e_step(family, data, weights,
                            _parameters_1d(means, variances, covariance_type))
    return null_fit, (weights, means, variances, float(log_density.sum()))


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
        Simulated data sets whose fits collapsed (left out).
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

    def __str__(self):
        m = self.n_components
        return (f"H0: M = {m} against H1: M = {m + 1}   LR = {self.statistic:.2f}   "
                f"bootstrap p = {self.p_value:.3f}  ({self.null_statistics.size} replicates)")

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def bootstrap_lrt(X, n_components, n_replicates=99, *, covariance_type="full", n_init=3,
                  n_init_replicate=0, random_state=None, tol=1e-5, max_iter=3000,
                  reg_covar=1e-6):
    """Parametric bootstrap likelihood-ratio test of M against M + 1 components (1-D data).

    1. Fit M and M + 1 components to X and compute LR = 2 (ln L_{M+1} - ln L_M).
    2. Draw ``n_replicates`` data sets of the same size from the fitted
       M-component model (H0 true by construction) and compute LR on each
       in the same way (every fit runs the course's EM loop,
       :func:`emlib.em.run_em`).
    3. The p-value is the share of simulated LR at least as large as the
       observed one (:func:`bootstrap_p_value`).

    Parameters
    ----------
    X : array-like of shape (n_samples,) or (n_samples, 1)
    n_components : int
        M, the number of components under H0.
    n_replicates : int
        Simulated data sets B (99 or 199 are usual; the smallest possible
        p-value is 1 / (B + 1)).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
        In 1-D only 'tied' (one shared variance) differs from the others.
    n_init : int
        k-means starts for each fit to X, on top of the split starts.
    n_init_replicate : int
        k-means starts for each fit to a simulated data set; their M fit
        also starts from the parameters they were drawn from.
    random_state : None, int or numpy Generator
    tol, max_iter, reg_covar : passed to every EM run.
        The test stays valid with a loose ``tol``, because the observed and
        the simulated statistics are computed by exactly the same procedure;
        a tighter one costs time and gains a little power.

    Returns
    -------
    LikelihoodRatioTest
    """
    n_components = check.check_int(n_components, "n_components", 1)
    n_replicates = check.check_int(n_replicates, "n_replicates", 1)
    n_init = check.check_int(n_init, "n_init", 1)
    n_init_replicate = check.check_int(n_init_replicate, "n_init_replicate", 0)
    check.check_choice(covariance_type, "covariance_type", check.COVARIANCE_TYPES)
    options = {"tol": check.check_float(tol, "tol", 0.0),
               "max_iter": check.check_int(max_iter, "max_iter", 1)}
    family = GaussianFamily(covariance_type, check.check_float(reg_covar, "reg_covar", 0.0))
    X = check.check_data(X)
    if X.shape[1] != 1:
        raise ValueError("bootstrap_lrt works on one feature (X of shape (n_samples,)); "
                         f"got X of shape {X.shape}.")
    check.check_enough_samples(X.shape[0], n_components + 1)
    rng = check.check_random_state(random_state)

    null, alternative = _fit_pair_1d(family, X, n_components, [], n_init, rng, options)
    if null is None:
        raise RuntimeError(f"Every EM start collapsed when fitting {n_components} or "
                           f"{n_components + 1} components to X; try a larger reg_covar.")
    observed = likelihood_ratio_statistic(null[3], alternative[3])

    weights, means, variances = null[:3]
    datasets, _ = simulate_mixture(weights, means[:, np.newaxis], variances, "spherical",
                                   X.shape[0], n_replicates, rng)
    # Each simulated data set's M fit also starts from the mixture it was drawn from.
    null_start = [(weights, _parameters_1d(means, variances, covariance_type))]
    statistics = np.full(n_replicates, np.nan)
    for b, data in enumerate(datasets):
        null_sim, alternative_sim = _fit_pair_1d(family, data, n_components, null_start,
                                                 n_init_replicate, rng, options)
        if null_sim is not None:
            statistics[b] = likelihood_ratio_statistic(null_sim[3], alternative_sim[3])
    valid = np.isfinite(statistics)
    statistics = statistics[valid]
    mixture = lambda fit: (fit[0], fit[1], np.sqrt(fit[2]))  # noqa: E731
    return LikelihoodRatioTest(
        n_components, float(null[3]), float(alternative[3]),
        float(observed), statistics, float(bootstrap_p_value(observed, statistics)),
        mixture(null), mixture(alternative), int(np.count_nonzero(~valid)))


def sequential_lrt(X, max_components, n_replicates=99, *, random_state=None, **options):
    """Bootstrap LR tests of M = 1 vs 2, 2 vs 3, ..., (max_components - 1) vs max_components.

    As in ``mclust::mclustBootstrapLRT``, every test is run (read them in
    order and stop at the first that does not reject).  One generator seeds
    all of them.

    Returns
    -------
    list of LikelihoodRatioTest
    """
    max_components = check.check_int(max_components, "max_components", 2)
    rng = check.check_random_state(random_state)
    return [bootstrap_lrt(X, m, n_replicates, random_state=rng, **options)
            for m in range(1, max_components)]
