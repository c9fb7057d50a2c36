"""Bernoulli components, for binary vectors: their log-pmf and M-step from eq. 3.

A component is a vector of d probabilities mu_j = (mu_j1, ..., mu_jd); a
binary vector x (pixels on/off, yes/no answers) has, with the features
independent given the component,

    p_j(x | mu_j) = prod_d mu_jd^x_d (1 - mu_jd)^(1 - x_d).

The mixture is *not* a product of independent features: the component label
couples them, which is what lets a mixture learn prototypes.

The M-step, derived the way the text derives eqs. 4-5
------------------------------------------------------
With the responsibilities w_ij fixed, eq. 3 needs

    ln p_j(x_i) = sum_d [x_id ln mu_jd + (1 - x_id) ln(1 - mu_jd)],
    d ln p_j(x_i) / d mu_jd = x_id / mu_jd - (1 - x_id) / (1 - mu_jd),

and sum_i w_ij [x_id / mu_jd - (1 - x_id) / (1 - mu_jd)] = 0 gives

    mu_jd = sum_i w_ij x_id / sum_i w_ij,

again the weighted mean of eq. 4: the share of component j's (weighted)
vectors that have feature d switched on.

Keeping the probabilities inside (0, 1)
---------------------------------------
If no vector of component j has feature d on, that formula gives mu_jd = 0,
and then ln p_j = -infinity for any later vector with that feature on.  So
the update is clipped to [epsilon, 1 - epsilon] (``min_probability``, 1e-10 by
default).  For each mu_jd the function maximised is concave, so the clipped
value is the exact maximiser over [epsilon, 1 - epsilon]: EM still never
decreases ln L, and when no probability reaches the clip nothing changes.
(A pseudo-count would instead maximise a different, penalised objective.)
"""

import numpy as np

from .base import Family, as_data, check_entries, check_setting

#: Default smallest probability a Bernoulli component may give a feature.
MIN_PROBABILITY = 1e-10


def log_bernoulli_densities(X, means):
    """ln p_j(x_i | mu_j) = sum_d [x_id ln mu_jd + (1 - x_id) ln(1 - mu_jd)].

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Entries 0 or 1.
    means : ndarray of shape (n_components, n_features)
        mu_jd, strictly inside (0, 1).

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    return X @ np.log(means).T + (1.0 - X) @ np.log1p(-means).T


def update_means(X, responsibilities, counts, min_probability=MIN_PROBABILITY):
    """mu_jd = sum_i w_ij x_id / N_j (eq. 3 set to zero), clipped to [eps, 1 - eps].

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    responsibilities : ndarray of shape (n_samples, n_components)
        w_ij (already multiplied by any sample weights).
    counts : ndarray of shape (n_components,)
        N_j = sum_i w_ij.
    min_probability : float
        epsilon; see the module docstring for why clipping keeps EM exact.

    Returns
    -------
    ndarray of shape (n_components, n_features)
    """
    return means_from_sums(responsibilities.T @ X, counts, min_probability)


def means_from_sums(weighted_sums, counts, min_probability=MIN_PROBABILITY):
    """mu_jd = sum_i w_ij x_id / N_j from the sums, clipped as in :func:`update_means`."""
    return np.clip(weighted_sums / counts[:, np.newaxis], min_probability, 1.0 - min_probability)


def check_binary(X, family_name="bernoulli"):
    """Return X if every entry is 0 or 1, else raise ValueError."""
    X = as_data(X)
    return check_entries(X, (X != 0) & (X != 1), family_name,
                         "binary vectors, so every entry of X must be 0 or 1 (or False/True)",
                         "other")


class BernoulliFamily(Family):
    """Bernoulli components: a probability per component and feature.

    Parameters
    ----------
    min_probability : float, default=1e-10
        Probabilities are kept in [min_probability, 1 - min_probability]; it
        must lie strictly between 0 (ln 0 = -infinity would end the fit) and
        0.5 (above it the interval is empty and every probability is forced).

    Parameters of a fit are ``{"means": ndarray of shape (n_components, n_features)}``:
    ``means[j, d]`` is the probability that feature d is 1 in component j
    (its mean), and reshaped as an image it is component j's prototype.
    """

    name = "bernoulli"

    def __init__(self, min_probability=MIN_PROBABILITY):
        self.min_probability = min_probability
        self.check_settings()

    def check_settings(self):
        check_setting(self.min_probability, "min_probability", self.name, 0.0, 0.5,
                      low_open=True, high_open=True)
        return self

    def check_data(self, X):
        return check_binary(X, self.name)

    def log_densities(self, X, params):
        return log_bernoulli_densities(X, params["means"])

    def statistics(self, X, responsibilities, params, reuse=None):
        """sum_i w_ij x_id: how often each feature is 1 in each component, weighted."""
        return {"weighted_sums": responsibilities.T @ X}

    def parameters(self, statistics, counts, params):
        return {"means": means_from_sums(statistics["weighted_sums"], counts,
                                         self.min_probability)}

    def sample(self, rng, params, component, n_samples):
        means = params["means"][component]
        return (rng.uniform(size=(n_samples, means.shape[0])) < means).astype(float)

    def parameter_shapes(self, n_components, n_features):
        """Shapes of the arrays in ``params`` (used to validate ``params_init``)."""
        return {"means": (n_components, n_features)}

    def check_parameters(self, params):
        """Refuse starting probabilities outside [0, 1]; clip them into the allowed range."""
        means = params["means"]
        if np.any(means < 0) or np.any(means > 1):
            raise ValueError(
                f"params_init['means'] must be probabilities in [0, 1]; got min {means.min():g}, "
                f"max {means.max():g}."
            )
        return {"means": np.clip(means, self.min_probability, 1.0 - self.min_probability)}
