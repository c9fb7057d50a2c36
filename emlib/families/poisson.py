"""Poisson components, for counts: their log-pmf and the M-step that eq. 3 gives.

A Poisson component with rate lambda_j gives a count x the probability

    p_j(x | lambda_j) = lambda_j^x exp(-lambda_j) / x!,       x = 0, 1, 2, ...

With d features the counts are taken as independent given the component, so
the log-probabilities of the features add and each feature has its own rate.

The M-step, derived the way the text derives eqs. 4-5
------------------------------------------------------
Eq. 3 says the derivative of ln L with respect to a component parameter is
sum_i w_ij d ln p_j(x_i) / d theta_j, with the responsibilities w_ij held
fixed.  Here

    ln p_j(x_i) = x_i ln lambda_j - lambda_j - ln x_i!,
    d ln p_j(x_i) / d lambda_j = x_i / lambda_j - 1,

so setting eq. 3 to zero gives sum_i w_ij (x_i / lambda_j - 1) = 0, that is

    lambda_j = sum_i w_ij x_i / sum_i w_ij.

The rate is the responsibility-weighted mean count: the same formula as the
Gaussian mean update, eq. 4.  The second derivative, -sum_i w_ij x_i /
lambda_j^2, is negative, so this is a maximum.
"""

import numpy as np
from scipy.special import gammaln, xlogy

from ..gaussian import update_means
from .base import Family, as_data, check_entries


def log_poisson_densities(X, rates):
    """ln p_j(x_i | lambda_j) = sum_d [x_id ln lambda_jd - lambda_jd - ln x_id!].

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Non-negative integer counts (stored as floats).
    rates : ndarray of shape (n_components, n_features)
        lambda_jd >= 0.

    Returns
    -------
    ndarray of shape (n_samples, n_components)

    Notes
    -----
    ``xlogy`` makes 0 ln 0 = 0, so a component with rate 0 gives a zero
    count probability 1 (and any other count probability 0), as it should.
    """
    log_factorials = gammaln(X + 1.0).sum(axis=1)
    counts_times_log_rates = xlogy(X[:, np.newaxis, :], rates[np.newaxis, :, :]).sum(axis=2)
    return counts_times_log_rates - rates.sum(axis=1) - log_factorials[:, np.newaxis]


def update_rates(X, responsibilities, counts):
    """lambda_j = sum_i w_ij x_i / N_j: eq. 3 set to zero for a Poisson component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    responsibilities : ndarray of shape (n_samples, n_components)
        w_ij (already multiplied by any sample weights).
    counts : ndarray of shape (n_components,)
        N_j = sum_i w_ij.

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    # The Poisson rate is the mean, so its update is eq. 4's weighted mean.
    return update_means(X, responsibilities, counts)


def check_counts(X, family_name="poisson"):
    """Return X if every entry is a non-negative integer, else raise ValueError."""
    X = as_data(X)
    requirement = "counts, so X must hold non-negative integers"
    check_entries(X, X < 0, family_name, requirement, "negative")
    return check_entries(X, X != np.round(X), family_name, requirement, "non-integer")


class PoissonFamily(Family):
    """Poisson components: one rate per component and feature.

    Parameters are ``{"rates": ndarray of shape (n_components, n_features)}``.
    """

    name = "poisson"

    def check_data(self, X):
        return check_counts(X, self.name)

    def log_densities(self, X, params):
        return log_poisson_densities(X, params["rates"])

    def statistics(self, X, responsibilities, params, reuse=None):
        """sum_i w_ij x_i, the numerator of eq. 4 (a Poisson rate is a mean)."""
        return {"weighted_sums": responsibilities.T @ X}

    def parameters(self, statistics, counts, params):
        return {"rates": statistics["weighted_sums"] / counts[:, np.newaxis]}

    def sample(self, rng, params, component, n_samples):
        rates = params["rates"][component]
        return rng.poisson(rates, size=(n_samples, rates.shape[0])).astype(float)

    def parameter_shapes(self, n_components, n_features):
        """Shapes of the arrays in ``params`` (used to validate ``params_init``)."""
        return {"rates": (n_components, n_features)}

    def check_parameters(self, params):
        """Refuse negative starting rates; ``params`` has the right shapes already."""
        if np.any(params["rates"] < 0):
            raise ValueError(
                f"params_init['rates'] must be >= 0; got min {params['rates'].min():g}.")
        return {"rates": params["rates"]}
