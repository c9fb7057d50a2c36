"""The mixture likelihood (eq. 1), class probabilities (eq. 2) and weights (eq. 6).

Most of these functions do not care what the components are: they take the
matrix of per-component log-densities ``log_densities[i, j] = ln p_j(x_i |
theta_j)``, which a component family (Gaussian, Poisson, ...) computes, and the
mixture weights ``alpha_j``.  Everything is done with logarithms so that a
point far in the tail of every component still gets well-defined
probabilities.  The EM lower bound F(q, theta) (Jensen's inequality on eq. 1)
is here too, and, at the end, eq. 1 written for 1-D Gaussian components as
the text first writes it (used by notebooks 01-03 and direct optimisation).
"""

import numpy as np
from scipy.special import xlogy

from .gaussian import log_gaussian_densities
from .validation import check_shape

# Added to every effective count N_j (times the mean weight of a sample) so
# that an empty component gives a finite (if meaningless) update rather than
# 0/0; scikit-learn adds the same 10 eps for unit weights.
_TINY_COUNT = 10 * np.finfo(np.float64).eps


class ZeroDensityError(ValueError, FloatingPointError):
    """A sample's density is 0 (or not a number) under every component.

    Its class probabilities p(j | x_i) would be 0/0, so they are refused
    instead of returned as NaN.  A subclass of ``ValueError`` and of
    ``FloatingPointError`` (what the EM loop raised for it before).

    Attributes
    ----------
    row : int
        The first such sample.
    value : float
        ln(alpha_j p_j(x_i)) of its largest term (-inf, +inf or nan).
    """

    def __init__(self, message, row, value):
        super().__init__(message)
        self.row = row
        self.value = value

    def __reduce__(self):  # so that it crosses processes (dask.distributed workers)
        return type(self), (self.args[0], self.row, self.value)


def log_weighted_densities(log_densities, weights):
    """ln(alpha_j p_j(x_i)), the terms summed inside eq. 1.

    Parameters
    ----------
    log_densities : ndarray of shape (n_samples, n_components)
        ``ln p_j(x_i | theta_j)`` for every sample and component.
    weights : ndarray of shape (n_components,)
        Mixture weights ``alpha_j``.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    _check_terms(log_densities, weights)
    return _log_weighted_densities(log_densities, weights)


def _log_weighted_densities(log_densities, weights):
    """:func:`log_weighted_densities` without its checks."""
    with np.errstate(divide="ignore"):  # a zero weight is allowed: ln 0 = -inf
        return log_densities + np.log(weights)


def _check_terms(log_densities, weights):
    check_shape(log_densities, (None, None), "log_densities", " (n_samples, n_components)")
    check_shape(weights, (np.shape(log_densities)[1],), "weights",
                ", one per column of log_densities")
    if np.any(weights < 0):
        raise ValueError(f"weights must be non-negative (mixture weights); got {weights}.")


def log_sum_exp(values):
    """ln(sum_j exp(values[i, j])) for each row, without overflow or underflow.

    The largest term of each row is factored out first, so every exponential
    is at most 1 and at least one of them is exactly 1.
    """
    check_shape(values, (None, None), "values", " (n_samples, n_terms)")
    largest = values.max(axis=1)
    largest = np.where(np.isfinite(largest), largest, 0.0)
    total = np.exp(values - largest[:, np.newaxis]).sum(axis=1)
    with np.errstate(divide="ignore"):
        return largest + np.log(total)


def log_mixture_density(log_densities, weights):
    """ln p(x_i | theta) = ln sum_j alpha_j p_j(x_i | theta_j), eq. 1 (in logs).

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return log_sum_exp(log_weighted_densities(log_densities, weights))


def log_likelihood(log_densities, weights, sample_weight=None):
    """ln L = sum_i ln p(x_i | theta), the log of eq. 1 summed over the data.

    With ``sample_weight`` s_i, each term is counted s_i times (so an integer
    weight is the same as repeating the sample).
    """
    log_density = log_mixture_density(log_densities, weights)
    if sample_weight is None:
        return float(log_density.sum())
    check_shape(sample_weight, log_density.shape, "sample_weight", ", one per sample")
    return float(sample_weight @ log_density)


def responsibilities(log_densities, weights):
    """w_ij = p(j | x_i) = alpha_j p_j(x_i) / sum_k alpha_k p_k(x_i), eq. 2.

    Computed in log space: each row is shifted by its largest term before
    exponentiating, so the denominator is at least 1 and never 0/0.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        Each row is a probability vector.

    Raises
    ------
    ZeroDensityError
        If some row has no finite term: every alpha_j p_j(x_i) is 0 (all
        log-densities -inf, e.g. a point outside every component's support or
        so far away that its squared distance overflows), or a term is NaN or
        +inf.  p(j | x_i) is then 0/0, undefined, and no value would be
        honest, so the error names the row instead of returning NaN.
    """
    return expectation(log_densities, weights)[1]


def expectation(log_densities, weights):
    """The E-step: eq. 2 and the per-sample log of eq. 1 in one pass.

    Returns
    -------
    log_density : ndarray of shape (n_samples,)
        ln p(x_i | theta), whose sum is ln L.
    responsibilities : ndarray of shape (n_samples, n_components)
        w_ij = p(j | x_i).

    Raises
    ------
    ZeroDensityError
        As :func:`responsibilities`, for a row without a finite term.
    """
    _check_terms(log_densities, weights)
    return _expectation(log_densities, weights)


def _expectation(log_densities, weights):
    """:func:`expectation` without its checks, for the EM loop, whose weights and
    log-densities come from its own M-step."""
    terms = _log_weighted_densities(log_densities, weights)
    largest = terms.max(axis=1, keepdims=True)
    finite = np.isfinite(largest)
    if not finite.all():
        _refuse_row(terms, finite[:, 0])
    terms -= largest
    np.exp(terms, out=terms)  # now alpha_j p_j(x_i) / max_k(alpha_k p_k(x_i))
    total = terms.sum(axis=1, keepdims=True)
    terms /= total
    with np.errstate(divide="ignore"):
        log_density = (largest + np.log(total))[:, 0]
    return log_density, terms


def _refuse_row(terms, finite):
    row = int(np.argmin(finite))
    largest = float(np.max(terms[row]))
    if np.isnan(terms[row]).any():
        what = "a NaN term, so the component parameters or weights are not numbers"
        largest = float("nan")
    elif largest == np.inf:
        what = "an infinite density (+inf), e.g. a component of zero variance sitting on it"
    else:
        what = ("density 0 under every component (every ln(alpha_j p_j) is -inf): it lies "
                "outside every component's support or so far from all of them that its "
                "squared distance overflows float64")
    raise ZeroDensityError(
        f"Sample {row} has {what}; its class probabilities p(j | x_{row}) would be 0/0 "
        "(undefined), so none are returned.", row, largest)


def effective_counts(responsibilities):
    """N_j = sum_i w_ij, the effective number of samples in component j.

    (The text calls N "the number of data points in Gaussian j" after eq. 6;
    that is N_j.  N itself is the total number of samples.)

    A tiny constant, 10 eps times the mean weight of a sample, is added so
    that an empty component gives no 0/0. It scales with the weights
    (sample weights enter through the responsibilities), so multiplying
    every sample weight by the same number leaves the fit unchanged; with
    unit weights it is scikit-learn's 10 eps.
    """
    check_shape(responsibilities, (None, None), "responsibilities",
                " (n_samples, n_components)")
    return counts_with_tiny(responsibilities.sum(axis=0), responsibilities.shape[0])


def counts_with_tiny(counts, n_samples):
    """N_j plus the tiny count of :func:`effective_counts`, from the raw sums N_j.

    The form the EM loop uses: the raw N_j and the number of samples are
    sums over the data, so they can come from chunks.
    """
    total = counts.sum()
    mean_weight = total / n_samples if total > 0 else 1.0
    return counts + _TINY_COUNT * mean_weight


def update_weights(responsibilities):
    """alpha_j = N_j / N, eq. 6.

    With sample weights folded into the responsibilities, N is the total
    weight.
    """
    counts = effective_counts(responsibilities)
    return counts / counts.sum()


# --------------------------------------------------------------------------
# The EM lower bound


def lower_bound(log_densities, weights, class_probabilities):
    """F(q, theta) = sum_ij q_ij ln(alpha_j p_j(x_i) / q_ij), the lower bound on ln L.

    The inequality behind EM (notebook 03, section 6): the logarithm is
    concave, so Jensen's inequality applied to the log of eq. 1 gives, for
    any class probabilities q_ij (every row non-negative and summing to 1),

        ln L(theta) >= F(q, theta),

    with equality when q_ij are the responsibilities w_ij of eq. 2 at theta.
    The E-step makes F touch ln L; the M-step (eqs. 4-6) maximises F over
    theta with q held fixed; so ln L never decreases. F is also called the
    evidence lower bound (ELBO) or the negative free energy. (It is not the
    ``lower_bound_`` attribute of a fitted model, which is, as in
    scikit-learn, the mean ln L per sample.)

    Parameters
    ----------
    log_densities : ndarray of shape (n_samples, n_components)
        ``ln p_j(x_i | theta_j)`` at the theta where F is evaluated.
    weights : ndarray of shape (n_components,)
        Mixture weights ``alpha_j`` at that theta.
    class_probabilities : array-like of shape (n_samples, n_components)
        The q_ij; often the responsibilities at another theta (the "old" one).
        An entry q_ij = 0 contributes 0 (the limit of q ln(a / q)), even where
        alpha_j p_j(x_i) = 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``class_probabilities`` has another shape than ``log_densities``,
        or a row that is not a probability vector (an entry negative or not
        finite, or a sum other than 1): F is then no bound on ln L.
    """
    terms = log_weighted_densities(log_densities, weights)
    q = np.asarray(class_probabilities, dtype=float)
    check_shape(q, terms.shape, "class_probabilities",
                ", the shape of log_densities (one row of q_ij per sample)")
    sums = q.sum(axis=1)
    not_probabilities = (~np.isfinite(q).all(axis=1) | (q < 0).any(axis=1)
                         | ~np.isclose(sums, 1.0, rtol=0, atol=1e-6))
    if not_probabilities.any():
        row = int(np.argmax(not_probabilities))
        raise ValueError(
            "class_probabilities must hold one probability vector per sample (entries "
            f">= 0, each row summing to 1); row {row} is {q[row]}, summing to {sums[row]}.")
    with np.errstate(invalid="ignore"):  # 0 * (-inf) where q_ij = 0 meets alpha_j p_j = 0
        weighted = np.where(q > 0, q * terms, 0.0)
    return float(weighted.sum() - xlogy(q, q).sum())


# --------------------------------------------------------------------------
# Eq. 1 for 1-D Gaussian components, in the text's (alpha, mu, sigma)


def component_log_densities(x, means, sigmas):
    """ln N(x_i | mu_j, sigma_j), the component densities of eq. 1, for 1-D data.

    A thin 1-D front end to :func:`emlib.gaussian.log_gaussian_densities`
    (one variance per component is its ``spherical`` layout) that takes the
    standard deviations sigma_j, as the text writes N(x | mu, sigma).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        A scalar or any shape is read as that many 1-D samples.
    means : array-like of shape (M,)
    sigmas : array-like of shape (M,)
        Positive standard deviations (not variances).

    Returns
    -------
    ndarray of shape (n_samples, M)
    """
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    means = np.asarray(means, dtype=float).reshape(-1, 1)
    variances = np.asarray(sigmas, dtype=float) ** 2
    return log_gaussian_densities(x, means, variances, "spherical")


def mixture_log_likelihood(x, weights, means, sigmas):
    """ln L = sum_i ln sum_j alpha_j N(x_i | mu_j, sigma_j), eq. 1, for 1-D data.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    weights : array-like of shape (M,)
        Non-negative. They are not required to sum to 1, so that a
        constrained optimiser may step slightly off the constraint.
    means : array-like of shape (M,)
    sigmas : array-like of shape (M,)
        Positive standard deviations.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a negative weight or a sigma that is not positive, rather than
        returning NaN: an optimiser that steps there should stop.
    """
    weights = np.asarray(weights, dtype=float)
    sigmas = np.asarray(sigmas, dtype=float)
    if np.any(weights < 0):
        raise ValueError(f"weights must be non-negative; got {weights}.")
    if np.any(sigmas <= 0):
        raise ValueError(f"sigmas must be positive standard deviations; got {sigmas}.")
    return log_likelihood(component_log_densities(x, means, sigmas), weights)
