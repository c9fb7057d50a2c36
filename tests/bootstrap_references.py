"""References shared by the bootstrap tests (tests/test_uncertainty.py and
tests/test_likelihood_ratio_test.py): ln L with scipy alone, and a careful fit."""

import numpy as np
from scipy import stats

from emlib import GaussianMixture


def mixture_log_likelihood(x, weights, means, sigmas):
    """ln L of 1-D data under a Gaussian mixture, with scipy only."""
    densities = stats.norm.pdf(np.asarray(x)[:, None], loc=np.ravel(means),
                               scale=np.ravel(sigmas)) @ np.ravel(weights)
    return float(np.log(densities).sum())


def fitted(x, n_components, seed=0):
    """A tightly converged fit, best of 3 starts, components sorted by mean."""
    return GaussianMixture(n_components, n_init=3, tol=1e-7, max_iter=5000,
                           random_state=seed).fit(x).sort_components()
