"""Self-checks for notebook 02, hidden class labels.

Each check recomputes the expected value from the text's data set and its
true parameters, and compares without printing it.
"""

import numpy as np
from scipy.optimize import brentq

from emlib.datasets import TEXT_MIXTURE_TRUTH, text_mixture
from emlib.likelihood import component_log_densities, responsibilities

from .core import Feedback, check_answer


def _true_class_probabilities(points, use_weights=True):
    truth = TEXT_MIXTURE_TRUTH
    weights = truth["weights"] if use_weights else np.full(3, 1 / 3)
    log_densities = component_log_densities(np.atleast_1d(points), truth["means"],
                                            truth["sigmas"])
    return responsibilities(log_densities, weights)


def check_known_label_sigmas(answer):
    """Exercise 1: the maximum-likelihood sigma_j of each true class (array of 3)."""
    x, labels = text_mixture()
    expected = np.array([x[labels == k].std() for k in range(3)])
    unbiased = np.array([x[labels == k].std(ddof=1) for k in range(3)])
    feedback = check_answer(answer, expected, name="the three sigmas",
                            hint="Use only the points of class j for sigma_j, classes in "
                                 "the order 0, 1, 2.")
    try:
        same_as_unbiased = np.allclose(np.asarray(answer, dtype=float), unbiased,
                                       rtol=1e-9, atol=0)
    except (TypeError, ValueError):
        same_as_unbiased = False
    if not feedback and same_as_unbiased:
        return Feedback(False, "close, but these are the N_j - 1 (ddof=1) estimates; the "
                               "maximum-likelihood sigma divides by N_j.")
    return feedback


def check_class_probabilities_at_one(answer):
    """Exercise 2: p(j | x = 1) for j = 1, 2, 3 under the true parameters."""
    expected = _true_class_probabilities(1.0)[0]
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is not None and values.shape == (3,) and not np.isclose(values.sum(), 1.0):
        return Feedback(False, "the three probabilities should add up to 1 (eq. 2 divides "
                               "by the sum over all components k).")
    if values is not None and values.shape == (3,) and np.allclose(
            values, _true_class_probabilities(1.0, use_weights=False)[0], rtol=1e-6):
        return Feedback(False, "the prior p(j) = alpha_j is missing from eq. 2.")
    return check_answer(answer, expected, name="p(j | x = 1)",
                        hint="alpha_j N(1 | mu_j, sigma_j), divided by its sum over j.")


def equal_probability_point():
    """The x between 0 and 3 where classes 2 and 3 are equally probable."""
    def difference(point):
        probabilities = _true_class_probabilities(point)[0]
        return probabilities[1] - probabilities[2]

    return brentq(difference, 0.0, 3.0, xtol=1e-12)


def check_equal_probability_point(answer):
    """Exercise 3: where p(2 | x) = p(3 | x), between the means 0 and 3."""
    return check_answer(answer, equal_probability_point(), name="the crossing point",
                        rtol=0, atol=1e-4,
                        hint="Solve p(2 | x) = p(3 | x) numerically, e.g. with "
                             "scipy.optimize.brentq on [0, 3].")


def check_most_probable_class_far_right(answer):
    """Exercise 4: which class (1, 2 or 3) is most probable at x = 8."""
    expected = int(np.argmax(_true_class_probabilities(8.0)[0])) + 1
    if not isinstance(answer, (int, np.integer)) or isinstance(answer, bool):
        return Feedback(False, "answer with the class number 1, 2 or 3 (an int).")
    if answer == expected:
        return Feedback(True, "far out in a tail, the component whose tail falls off "
                              "slowest wins, however far its mean is.")
    return Feedback(False, "compare how fast each Gaussian's tail falls off: "
                           "ln N(x | mu, sigma) ~ -(x - mu)^2 / (2 sigma^2).")
