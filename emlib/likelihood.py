"""The mixture likelihood (eq. 1), class probabilities (eq. 2) and weights (eq. 6).

These functions do not care what the components are: they take the matrix of
per-component log-densities ``log_densities[i, j] = ln p_j(x_i | theta_j)``,
which a component family (Gaussian, Poisson, ...) computes, and the mixture
weights ``alpha_j``.  Everything is done with logarithms so that a point far
in the tail of every component still gets well-defined probabilities.
"""

import numpy as np

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
    check_shape(log_densities, (None, None), "log_densities", " (n_samples, n_components)")
    check_shape(weights, (np.shape(log_densities)[1],), "weights",
                ", one per column of log_densities")
    if np.any(weights < 0):
        raise ValueError(f"weights must be non-negative (mixture weights); got {weights}.")
    with np.errstate(divide="ignore"):  # a zero weight is allowed: ln 0 = -inf
        return log_densities + np.log(weights)


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
    terms = log_weighted_densities(log_densities, weights)
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
    counts = responsibilities.sum(axis=0)
    total = counts.sum()
    mean_weight = total / responsibilities.shape[0] if total > 0 else 1.0
    return counts + _TINY_COUNT * mean_weight


def update_weights(responsibilities):
    """alpha_j = N_j / N, eq. 6.

    With sample weights folded into the responsibilities, N is the total
    weight.
    """
    counts = effective_counts(responsibilities)
    return counts / counts.sum()
