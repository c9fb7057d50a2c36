"""Self-checks for notebook 05, the mixture as a classifier.

Each ``check_*`` function takes the student's answer (and the fitted model
and data it is about) and returns a :class:`~checks.core.Feedback`
that says "Correct!" or what is off, without printing the expected value.
The checks renumber the model's components by mean themselves, so they do
not depend on the order the fit gave them.
"""

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

from .core import Feedback, check_close

#: What a check says while the answer is still the notebook's placeholder.
PLACEHOLDER = "replace None with your answer."


def _sorted_1d(model):
    """Weights, means and standard deviations sorted by mean, and the sorting order."""
    means = np.asarray(model.means_, dtype=float).ravel()
    order = np.argsort(means, kind="stable")
    variances = np.broadcast_to(np.asarray(model.covariances_, dtype=float).ravel(), means.shape)
    return (np.asarray(model.weights_, dtype=float)[order], means[order],
            np.sqrt(variances)[order], order)


def _probabilities_sorted(model, x):
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    order = _sorted_1d(model)[3]
    return np.asarray(model.predict_proba(x))[:, order]


# ---------------------------------------------------------------- exercise 1
def check_accuracy(answer, model, x, labels):
    """Exercise 1: the fraction of points whose hard label is their true component.

    ``labels`` are the true components numbered in order of their means, as
    :func:`emlib.datasets.text_mixture` returns them.
    """
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    hard = _probabilities_sorted(model, x).argmax(axis=1)
    expected = float(np.mean(hard == np.asarray(labels)))
    return check_close(answer, expected, name="the accuracy", rtol=1e-9, atol=1e-9,
                       hint="Give a fraction between 0 and 1. Did you sort the components by "
                            "mean before comparing labels?")


# ---------------------------------------------------------------- exercise 2
def check_expected_accuracy(answer, model, x):
    """Exercise 2: the accuracy the model itself expects, the mean of max_j p(j | x_i)."""
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    expected = float(np.mean(_probabilities_sorted(model, x).max(axis=1)))
    return check_close(answer, expected, name="the expected accuracy", rtol=1e-9, atol=1e-9,
                       hint="Average, over the data, the probability of each point's most "
                            "probable class.")


# ---------------------------------------------------------------- exercise 3
def decision_boundary(model, left, right):
    """The x between the means of sorted components ``left`` and ``right`` where
    alpha_left N(x | left) = alpha_right N(x | right), i.e. p(left | x) = p(right | x).
    """
    weights, means, sigmas, _ = _sorted_1d(model)

    def log_ratio(x):
        return (np.log(weights[left]) + norm.logpdf(x, means[left], sigmas[left])
                - np.log(weights[right]) - norm.logpdf(x, means[right], sigmas[right]))

    return brentq(log_ratio, means[left], means[right], xtol=1e-12)


def check_decision_boundary(answer, model):
    """Exercise 3: where the hard label changes from the middle to the right component.

    Components numbered by mean; the answer is the x between the means of
    the two right-most components where their class probabilities are equal.
    """
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    n_components = len(np.ravel(model.weights_))
    expected = decision_boundary(model, n_components - 2, n_components - 1)
    return check_close(answer, expected, name="the boundary", rtol=0.0, atol=1e-4,
                       hint="Solve alpha_2 N(x | mu_2, sigma_2) = alpha_3 N(x | mu_3, sigma_3) "
                            "for x between mu_2 and mu_3 (e.g. with scipy.optimize.brentq on "
                            "the log of their ratio).")
