"""Exponential components, for waiting times: their log-density and M-step from eq. 3.

An exponential component with rate lambda_j (mean waiting time 1 / lambda_j)
has the density

    p_j(x | lambda_j) = lambda_j exp(-lambda_j x),       x >= 0.

With d features the waiting times are independent given the component, each
with its own rate.

The M-step, derived the way the text derives eqs. 4-5
------------------------------------------------------
With the responsibilities w_ij fixed, eq. 3 needs d ln p_j / d lambda_j:

    ln p_j(x_i) = ln lambda_j - lambda_j x_i,
    d ln p_j(x_i) / d lambda_j = 1 / lambda_j - x_i,

so sum_i w_ij (1 / lambda_j - x_i) = 0 gives

    lambda_j = sum_i w_ij / sum_i w_ij x_i,

the reciprocal of the responsibility-weighted mean waiting time.  The second
derivative, -sum_i w_ij / lambda_j^2, is negative: a maximum.
"""

import numpy as np

from ..gaussian import DegenerateComponentError
from .base import Family, as_data, check_entries


def log_exponential_densities(X, rates):
    """ln p_j(x_i | lambda_j) = sum_d [ln lambda_jd - lambda_jd x_id].

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Non-negative waiting times.
    rates : ndarray of shape (n_components, n_features)
        lambda_jd > 0.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    return np.log(rates).sum(axis=1) - X @ rates.T


def update_rates(X, responsibilities, counts):
    """lambda_j = N_j / sum_i w_ij x_i: eq. 3 set to zero for an exponential component.

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

    Raises
    ------
    DegenerateComponentError
        If a component's weighted mean waiting time is 0: its rate would be
        infinite (it sits on zeros only, and ln L has no maximum).
    """
    return rates_from_sums(responsibilities.T @ X, counts)


def rates_from_sums(weighted_sums, counts):
    """lambda_j = N_j / sum_i w_ij x_i from the sums (the form the EM loop uses).

    Raises :class:`DegenerateComponentError` as :func:`update_rates`.
    """
    mean_times = weighted_sums / counts[:, np.newaxis]  # eq. 4: weighted mean times
    if np.any(mean_times <= 0):
        component = int(np.argwhere(mean_times <= 0)[0, 0])
        raise DegenerateComponentError(
            f"Exponential component {component} has collapsed onto waiting times of 0: its "
            "rate would be infinite, so ln L has no maximum. Remove the exact zeros (or add "
            "a small offset), use fewer components, or try other starts (n_init > 1)."
        )
    return 1.0 / mean_times


def check_waiting_times(X, family_name="exponential"):
    """Return X if every entry is >= 0, else raise ValueError."""
    X = as_data(X)
    check_entries(X, X < 0, family_name,
                  "waiting times, so X must be non-negative (x >= 0)", "negative")
    if np.all(X == 0):
        raise ValueError(f"The {family_name} family cannot be fitted to data that are all 0.")
    return X


class ExponentialFamily(Family):
    """Exponential components: one rate per component and feature.

    Parameters are ``{"rates": ndarray of shape (n_components, n_features)}``;
    the mean waiting time of component j is ``1 / rates[j]``.
    """

    name = "exponential"

    def check_data(self, X):
        return check_waiting_times(X, self.name)

    def log_densities(self, X, params):
        return log_exponential_densities(X, params["rates"])

    def statistics(self, X, responsibilities, params, reuse=None):
        """sum_i w_ij x_i, the weighted total waiting time of each component."""
        return {"weighted_sums": responsibilities.T @ X}

    def parameters(self, statistics, counts, params):
        return {"rates": rates_from_sums(statistics["weighted_sums"], counts)}

    def sample(self, rng, params, component, n_samples):
        rates = params["rates"][component]
        return rng.exponential(1.0 / rates, size=(n_samples, rates.shape[0]))

    def parameter_shapes(self, n_components, n_features):
        """Shapes of the arrays in ``params`` (used to validate ``params_init``)."""
        return {"rates": (n_components, n_features)}

    def check_parameters(self, params):
        """Refuse non-positive starting rates; ``params`` has the right shapes already."""
        if np.any(params["rates"] <= 0):
            raise ValueError(
                f"params_init['rates'] must be > 0; got min {params['rates'].min():g}.")
        return {"rates": params["rates"]}
