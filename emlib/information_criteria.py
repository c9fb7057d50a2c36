"""Counting parameters, and the criteria that trade ln L against them: AIC, BIC, ICL.

All three are written so that *smaller is better*, as in scikit-learn.
"""

import numbers

import numpy as np

from .validation import COVARIANCE_TYPES, check_choice, check_float, check_int


def _check_criterion_inputs(log_likelihood, n_parameters, n_samples=None):
    """A criterion of a NaN or infinite ln L would be meaningless: refuse it by name."""
    if isinstance(log_likelihood, bool) or not isinstance(log_likelihood, numbers.Real) or \
            not np.isfinite(log_likelihood):
        raise ValueError(f"log_likelihood must be a finite real number (ln L of a fit); got "
                         f"{log_likelihood!r}.")
    check_int(n_parameters, "n_parameters", 0)
    if n_samples is not None and not check_float(n_samples, "n_samples", 0.0) > 0:
        raise ValueError(f"n_samples must be positive (the number or total weight of the "
                         f"samples); got {n_samples}.")


def n_covariance_parameters(n_components, n_features, covariance_type):
    """Free numbers in the covariances of a Gaussian mixture.

    A symmetric d x d matrix has d (d + 1) / 2 of them; ``tied`` has one such
    matrix in all, ``diag`` d per component and ``spherical`` one per component.
    """
    check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)
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
    _check_criterion_inputs(log_likelihood, n_parameters)
    return -2.0 * log_likelihood + 2.0 * n_parameters


def bic(log_likelihood, n_parameters, n_samples):
    """Bayesian information criterion, BIC = -2 ln L + k ln N."""
    _check_criterion_inputs(log_likelihood, n_parameters, n_samples)
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
