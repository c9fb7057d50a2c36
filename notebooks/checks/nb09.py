"""Self-checks for notebook 09, stepping through EM.

The checks rebuild the EM path they are about from its arguments, so the
expected values come from the same start as the student's.
"""

import numpy as np

from emlib.gaussian import log_gaussian_densities
from emlib.interactive import em_path
from emlib.likelihood import effective_counts, responsibilities

from .core import Feedback, check_close


def check_stopping_iteration(answer, x, n_components, seed, max_iter, tol=1e-3):
    """Exercise 1: the first iteration whose change of the mean ln L per point is below ``tol``."""
    path = em_path(x, n_components, seed, max_iter)
    change = np.diff(path.log_likelihoods) / np.size(x)
    below = np.flatnonzero(np.abs(change) < tol)
    if below.size == 0:
        return Feedback(False, f"on this path the change never falls below {tol}; "
                               "run more iterations.")
    expected = int(below[0]) + 1  # change[t - 1] is the change made by iteration t
    if answer is None or not np.isscalar(answer):
        return Feedback(False, "the answer should be one whole number (an iteration).")
    return check_close(answer, expected, name="the iteration", rtol=0, atol=0.5,
                       hint="Iteration t changes ln L by log_likelihoods[t] - log_likelihoods[t-1]; "
                            "divide by the number of points and find the first t where its size "
                            "is below the tolerance.")


def check_effective_counts(answer, x, n_components, seed, max_iter, iteration):
    """Exercise 2: N_j = sum_i w_ij at ``iteration`` of the path (components in the path's order)."""
    path = em_path(x, n_components, seed, max_iter)
    weights, means, sigmas = path.mixture(iteration)
    points = np.asarray(x, dtype=float).reshape(-1, 1)
    log_densities = log_gaussian_densities(points, means[:, None], sigmas**2, "spherical")
    expected = effective_counts(responsibilities(log_densities, weights))
    return check_close(answer, expected, name="N_j", rtol=1e-6,
                       hint="Compute the responsibilities w_ij (eq. 2) of the mixture at that "
                            "iteration, then sum each column over the points.")
