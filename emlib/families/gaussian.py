"""The Gaussian family, for the EM loop: eqs. 4-5 in all four covariance types."""

import numpy as np

from .. import validation as check
from ..gaussian import (
    _log_densities_from_cholesky,
    check_not_collapsed_at_scale,
    combine_gaussian_statistics,
    gaussian_statistics,
    means_and_covariances_from_statistics,
    pooled_variances,
    precision_cholesky,
    sample_gaussian,
    update_means,
)
from ..likelihood import effective_counts
from ..information_criteria import n_covariance_parameters
from .base import Family


def gaussian_parameters(means, covariances, covariance_type):
    """The parameter dict the loop passes around (the Cholesky factors are cached)."""
    return {
        "means": means,
        "covariances": covariances,
        "precisions_cholesky": precision_cholesky(covariances, covariance_type),
    }


class GaussianFamily(Family):
    """Gaussian components with one of scikit-learn's four covariance types.

    Parameters
    ----------
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
        Added to every variance in the M-step, so a component cannot collapse.
    """

    name = "gaussian"

    def __init__(self, covariance_type="full", reg_covar=1e-6):
        # A family is public, so it checks its own settings.
        self.covariance_type = check.check_choice(covariance_type, "covariance_type",
                                                  check.COVARIANCE_TYPES)
        self.reg_covar = check.check_float(reg_covar, "reg_covar", 0.0)

    def log_densities(self, X, params):
        return _log_densities_from_cholesky(
            X, params["means"], params["precisions_cholesky"], self.covariance_type)

    def statistics(self, X, responsibilities, params, reuse=None):
        """The sums of eqs. 4-5, centred at the previous means (see :func:`gaussian_statistics`)."""
        return gaussian_statistics(X, responsibilities, params["means"], self.covariance_type)

    def combine_statistics(self, first, second):
        return combine_gaussian_statistics(first, second)

    def parameters(self, statistics, counts, params):
        means, covariances, variances = means_and_covariances_from_statistics(
            statistics, counts, params["means"], self.covariance_type, self.reg_covar)
        check_not_collapsed_at_scale(
            covariances, self.covariance_type, statistics["largest_magnitude"],
            lambda: pooled_variances(counts, means, variances).min(), self.reg_covar)
        return gaussian_parameters(means, covariances, self.covariance_type)

    def maximise(self, X, responsibilities, params):
        """The M-step in memory; from a start (``params`` None) the sums are centred at
        eq. 4's means, so this is eqs. 4-5 exactly as written."""
        if params is None:
            params = {"means": update_means(X, responsibilities,
                                            effective_counts(responsibilities))}
        return super().maximise(X, responsibilities, params)

    def n_parameters(self, params):
        n_components, n_features = params["means"].shape
        return n_components * n_features + n_covariance_parameters(
            n_components, n_features, self.covariance_type)

    def sample(self, rng, params, component, n_samples):
        covariance = params["covariances"]
        if self.covariance_type != "tied":
            covariance = covariance[component]
        return sample_gaussian(rng, params["means"][component], covariance,
                               self.covariance_type, n_samples)

    def canonical_order(self, params):
        return np.lexsort(params["means"].T[::-1])

    def permute(self, params, order):
        if self.covariance_type != "tied":
            return super().permute(params, order)
        return dict(params, means=params["means"][order])
