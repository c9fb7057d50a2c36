"""Maximising the 1-D mixture ln L directly with a general-purpose optimiser.

This is the road the course does *not* take, kept small so that notebook 01
can show why: ln L (eq. 1) is a smooth function of the 3M - 1 free
parameters, so :func:`scipy.optimize.minimize` can climb it, but only after
the constraints are removed by a change of variables, and only to whichever
local maximum is uphill from the start.

The change of variables (all of it invertible):

- weights alpha_j > 0 with sum 1  <-  M - 1 free *logits* a_j through a
  softmax, alpha_j = exp(a_j) / sum_k exp(a_k), with the last logit pinned
  to a_M = 0 (otherwise adding a constant to every logit changes nothing);
- means mu_j  <-  themselves;
- standard deviations sigma_j > 0  <-  their logarithms ln sigma_j.

That gives exactly 3M - 1 unconstrained numbers ``theta`` =
[a_1 .. a_{M-1}, mu_1 .. mu_M, ln sigma_1 .. ln sigma_M].
"""

import numpy as np
from scipy.optimize import minimize

# Eq. 1 lives in emlib.likelihood: everything below climbs it.
from .likelihood import component_log_densities, expectation, mixture_log_likelihood


def _as_vector(values, name):
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {array.shape}.")
    return array


def pack(weights, means, sigmas):
    """(alpha, mu, sigma) -> the unconstrained vector theta of length 3M - 1.

    Parameters
    ----------
    weights : array-like of shape (M,)
        Positive, summing to 1 (a zero weight has no finite logit).
    means : array-like of shape (M,)
    sigmas : array-like of shape (M,)
        Positive standard deviations.

    Returns
    -------
    theta : ndarray of shape (3M - 1,)
    """
    weights = _as_vector(weights, "weights")
    means = _as_vector(means, "means")
    sigmas = _as_vector(sigmas, "sigmas")
    if not weights.shape == means.shape == sigmas.shape:
        raise ValueError(
            "weights, means and sigmas must have the same length; got "
            f"{weights.size}, {means.size} and {sigmas.size}.")
    if np.any(weights <= 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must be positive and sum to 1; got {weights}.")
    if np.any(sigmas <= 0):
        raise ValueError(f"sigmas must be positive standard deviations; got {sigmas}.")
    logits = np.log(weights[:-1]) - np.log(weights[-1])  # so that a_M = 0
    return np.concatenate([logits, means, np.log(sigmas)])


def unpack(theta):
    """The unconstrained vector theta -> (weights, means, sigmas); inverts :func:`pack`."""
    theta = _as_vector(theta, "theta")
    if theta.size % 3 != 2:
        raise ValueError(
            f"theta must have 3M - 1 entries for some M >= 1; got {theta.size} entries.")
    n_components = (theta.size + 1) // 3
    logits = np.append(theta[:n_components - 1], 0.0)
    weights = np.exp(logits - logits.max())  # softmax, shifted so exp cannot overflow
    weights /= weights.sum()
    means = theta[n_components - 1:2 * n_components - 1]
    sigmas = np.exp(theta[2 * n_components - 1:])
    return weights, means.copy(), sigmas


def mixture_log_likelihood_gradient(x, weights, means, sigmas):
    """d ln L / d(alpha, mu, sigma) in the natural parameters, for 1-D data (eqs. 1 and 3).

    With p_i = sum_k alpha_k N(x_i | mu_k, sigma_k) and w_ij = alpha_j N_ij / p_i:

    - d ln L / d alpha_j = sum_i N_ij / p_i  (the weights are treated as free,
      so a constrained optimiser adds the constraint sum_j alpha_j = 1 itself)
    - d ln L / d mu_j    = sum_i w_ij (x_i - mu_j) / sigma_j^2
    - d ln L / d sigma_j = sum_i w_ij [(x_i - mu_j)^2 / sigma_j^2 - 1] / sigma_j

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    weights : array-like of shape (M,)
        Non-negative; a zero weight is allowed (its derivative is still finite).
    means : array-like of shape (M,)
    sigmas : array-like of shape (M,)
        Positive standard deviations.

    Returns
    -------
    ndarray of shape (3M,)
        The derivatives in the order (alpha_1..alpha_M, mu_1..mu_M, sigma_1..sigma_M).
    """
    x = np.asarray(x, dtype=float).ravel()
    weights = _as_vector(weights, "weights")
    means = _as_vector(means, "means")
    sigmas = _as_vector(sigmas, "sigmas")
    if np.any(weights < 0):
        raise ValueError(f"weights must be non-negative; got {weights}.")
    if np.any(sigmas <= 0):
        raise ValueError(f"sigmas must be positive standard deviations; got {sigmas}.")
    log_densities = component_log_densities(x, means, sigmas)
    log_density, resp = expectation(log_densities, weights)
    # N_ij / p_i computed in logs, so that a zero weight needs no division by alpha_j
    d_weights = np.exp(log_densities - log_density[:, np.newaxis]).sum(axis=0)
    standardised = (x[:, np.newaxis] - means) / sigmas
    d_means = (resp * standardised).sum(axis=0) / sigmas
    d_sigmas = (resp * (standardised**2 - 1.0)).sum(axis=0) / sigmas
    return np.concatenate([d_weights, d_means, d_sigmas])


def negative_log_likelihood(theta, x):
    """-ln L as a function of the unconstrained theta: what scipy.optimize minimises."""
    return -mixture_log_likelihood(x, *unpack(theta))


def negative_log_likelihood_gradient(theta, x):
    """d(-ln L)/d theta, from the responsibilities w_ij (eq. 3).

    With w_ij = p(j | x_i) and N_j = sum_i w_ij:

    - d ln L / d mu_j       = sum_i w_ij (x_i - mu_j) / sigma_j^2
    - d ln L / d ln sigma_j = sum_i w_ij [(x_i - mu_j)^2 / sigma_j^2 - 1]
    - d ln L / d a_j        = N_j - N alpha_j   (j < M)

    Setting them to zero gives back eqs. 4-6: the EM updates are the
    stationarity conditions with w_ij held fixed.
    """
    x = np.asarray(x, dtype=float).ravel()
    weights, means, sigmas = unpack(theta)
    _, resp = expectation(component_log_densities(x, means, sigmas), weights)
    standardised = (x[:, np.newaxis] - means) / sigmas  # (x_i - mu_j) / sigma_j
    counts = resp.sum(axis=0)
    d_logits = (counts - x.size * weights)[:-1]
    d_means = (resp * standardised).sum(axis=0) / sigmas
    d_log_sigmas = (resp * (standardised**2 - 1.0)).sum(axis=0)
    return -np.concatenate([d_logits, d_means, d_log_sigmas])


def negative_log_likelihood_hessian(theta, x, step=1e-5):
    """d^2(-ln L)/d theta^2, by central differences of the exact gradient.

    Its eigenvalues say how sharply ln L falls along each direction: all
    positive at a local maximum, and a small one along a flat ridge.

    Returns
    -------
    ndarray of shape (3M - 1, 3M - 1), symmetrised.
    """
    theta = _as_vector(theta, "theta")
    columns = []
    for shift in step * np.eye(theta.size):
        columns.append((negative_log_likelihood_gradient(theta + shift, x)
                        - negative_log_likelihood_gradient(theta - shift, x)) / (2 * step))
    hessian = np.array(columns)
    return (hessian + hessian.T) / 2


def profile_log_likelihood(x, theta, index, values):
    """ln L maximised over every parameter but one, which is held at each of ``values``.

    The flatter this curve, the less the data say about that parameter.
    Each maximisation is a BFGS run started from ``theta`` (ideally the
    overall maximum), with theta[index] held fixed.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    theta : array-like of shape (3M - 1,)
        The start, in the packed parametrisation (see :func:`pack`).
    index : int
        Which entry of theta to hold fixed (e.g. M - 1 for mu_1).
    values : array-like
        The values to hold it at.

    Returns
    -------
    log_likelihoods : ndarray of shape (len(values),)
    thetas : ndarray of shape (len(values), 3M - 1)
        The maximising parameters at each value.
    """
    x = np.asarray(x, dtype=float).ravel()
    theta = _as_vector(theta, "theta")
    if not 0 <= index < theta.size:
        raise ValueError(f"index must be between 0 and {theta.size - 1}; got {index}.")
    others = np.delete(theta, index)
    log_likelihoods, thetas = [], []
    for value in np.asarray(values, dtype=float):
        def objective(rest, value=value):
            return negative_log_likelihood(np.insert(rest, index, value), x)

        def gradient(rest, value=value):
            full = negative_log_likelihood_gradient(np.insert(rest, index, value), x)
            return np.delete(full, index)

        result = minimize(objective, others, jac=gradient, method="BFGS")
        log_likelihoods.append(-result.fun)
        thetas.append(np.insert(result.x, index, value))
    return np.array(log_likelihoods), np.array(thetas)
