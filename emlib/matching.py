"""Matching the components of two fits (label switching).

The likelihood of a mixture does not change when its components are
renumbered, so two fits of the same data can find the same components under
different indices. To compare them, pair each component of one fit with a
component of the other so that the paired means are as close as possible in
total: an assignment problem, solved exactly by the Hungarian algorithm
(:func:`scipy.optimize.linear_sum_assignment`).
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from . import validation as check


def match_components(reference_means, means):
    """The permutation that lines the components of one fit up with another's.

    Parameters
    ----------
    reference_means : array-like of shape (n_components, n_features) or (n_components,)
        Means of the fit whose numbering is kept.
    means : array-like of the same shape
        Means of the fit to renumber.

    Returns
    -------
    order : ndarray of int, shape (n_components,)
        ``means[order]`` is matched to ``reference_means`` row by row: component
        ``order[j]`` of the second fit is component ``j`` of the reference.
        Among all n_components! permutations it minimises the sum of the
        Euclidean distances between paired means. Apply the same ``order`` to
        the weights and covariances (for ``covariance_type='tied'`` there is
        one covariance and nothing to reorder).
    """
    # A 1-D array (K,) is read as K one-dimensional means.
    reference_means = check.check_data(reference_means, name="reference_means")
    means = check.check_data(means, name="means")
    if means.shape != reference_means.shape:
        raise ValueError(
            f"means must have the same shape as reference_means, {reference_means.shape} "
            f"(the same number of components and features); got {means.shape}.")
    cost = cdist(reference_means, means)  # cost[j, k]: distance from reference j to k
    rows, order = linear_sum_assignment(cost)
    return order[np.argsort(rows)]  # rows come back sorted, but do not rely on it
