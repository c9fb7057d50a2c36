"""Self-checks for notebook 01, the mixture likelihood.

Each check recomputes the expected value from the text's data set and
compares, without printing it.
"""

import numpy as np

from emlib.datasets import TEXT_MIXTURE_TRUTH, text_mixture
from emlib.likelihood import mixture_log_likelihood

from .core import Feedback, check_answer


def _as_number(answer):
    """``answer`` as a float, or None if it is not a single number."""
    try:
        value = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(value) if value.shape == () else None


def _truth():
    truth = TEXT_MIXTURE_TRUTH
    return truth["weights"], truth["means"], truth["sigmas"]


def check_log_likelihood_at_truth(answer):
    """Exercise 1: ln L of the text's 1000 points at the true parameters."""
    x, _ = text_mixture()
    weights, means, sigmas = _truth()
    expected = mixture_log_likelihood(x, weights, means, sigmas)
    with_variances = mixture_log_likelihood(x, weights, means, sigmas**2)
    feedback = check_answer(answer, expected, name="ln L at the true parameters",
                            hint="Sum ln p(x_i) over all 1000 points, with p from eq. 1.")
    value = _as_number(answer)
    if not feedback and value is not None and np.isclose(value, with_variances):
        return Feedback(False, "it looks like sigma_j^2 went where the standard deviation "
                               "sigma_j belongs (N(mu, sigma) takes sigma).")
    return feedback


def check_single_gaussian_maximum(answer):
    """Exercise 2: the largest ln L a single Gaussian (M = 1) reaches on the data."""
    x, _ = text_mixture()
    expected = mixture_log_likelihood(x, [1.0], [x.mean()], [x.std()])
    unbiased = mixture_log_likelihood(x, [1.0], [x.mean()], [x.std(ddof=1)])
    # The ddof=1 answer is only ~1e-3 lower (ln L is flat at its maximum), so compare tightly.
    feedback = check_answer(answer, expected, name="the M = 1 maximum of ln L", rtol=1e-9, atol=0,
                            hint="For one Gaussian the maximum sits at the sample mean and "
                                 "the maximum-likelihood standard deviation.")
    value = _as_number(answer)
    if not feedback and value is not None and np.isclose(value, unbiased, rtol=1e-9, atol=0):
        return Feedback(False, "close, but the maximum-likelihood sigma divides by N, "
                               "not N - 1 (numpy: ddof=0).")
    return feedback


def check_number_of_maxima(answer):
    """Exercise 3: how many points theta give the same largest ln L (for M = 3)."""
    feedback = check_answer(answer, 6, name="the number of equally high maxima",
                            hint="Relabel the components: which relabellings leave ln L "
                                 "unchanged, and how many are there?")
    if feedback:
        return Feedback(True, "every permutation of the three (alpha, mu, sigma) triples "
                              "gives the same ln L: 3! points, one maximum.")
    return feedback
