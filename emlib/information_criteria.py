"""Counting parameters, and the criteria that trade ln L against them: AIC, BIC, ICL.

All three are written so that *smaller is better*, as in scikit-learn.
"""

import numpy as np


def n_covariance_parameters(n_components, n_features, covariance_type):
    """Free numbers in the covariances of a Gaussian mixture.

    A symmetric d x d matrix has d (d + 1) / 2 of them; ``tied`` has one such
    matrix in all, ``diag`` d per component and ``spherical`` one per component.
    """
    symmetric = n_features * (n_features + 1) // 2
    return {
        "full": n_components * symmetric,
        "tied": symmetric,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]


def n_gaussian_mixture_parameters(n_components, n_features=1, covariance_type="full"):
    """Free parameters of a Gaussian mixture: weights, means and covariances.

    The weights contribute n_components - 1 (they sum to one). In 1-D the
    text's count 3M - 1 holds for ``full``, ``diag`` and ``spherical``;
    ``tied`` shares one variance, so it has 2M parameters.
    """
    return (n_components - 1 + n_components * n_features
            + n_covariance_parameters(n_components, n_features, covariance_type))


def aic(log_likelihood, n_parameters):
    """Akaike information criterion, AIC = -2 ln L + 2 k."""
    return -2.0 * log_likelihood + 2.0 * n_parameters


def bic(log_likelihood, n_parameters, n_samples):
    """Bayesian information criterion, BIC = -2 ln L + k ln N."""
    return -2.0 * log_likelihood + n_parameters * np.log(n_samples)


def classification_entropy(responsibilities, sample_weight=None):
    """-sum_i ln w_i,c(i), where c(i) is the most probable class of sample i.

    It is zero when every sample belongs to one class with certainty and
    grows as the classes overlap.
    """
    most_probable = responsibilities.max(axis=1)
    terms = -np.log(most_probable)
    return float(terms.sum() if sample_weight is None else sample_weight @ terms)


def icl(log_likelihood, n_parameters, n_samples, responsibilities, sample_weight=None):
    """Integrated completed likelihood, ICL = BIC + 2 x classification entropy.

    Biernacki, Celeux & Govaert (2000): BIC plus a penalty for classes that
    overlap, so ICL prefers well-separated clusters. The hard (most probable)
    labels are used, as in R's mclust.
    """
    return (bic(log_likelihood, n_parameters, n_samples)
            + 2.0 * classification_entropy(responsibilities, sample_weight))
