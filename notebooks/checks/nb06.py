"""Self-checks for notebook 06, measurement errors and extreme deconvolution.

Each ``check_*`` function takes the student's answer and returns a
:class:`~checks.core.Feedback` that says "Correct!" or what is off,
without printing the expected value.
"""

import numpy as np

from emlib.deconvolution import (
    eq7_mean_update,
    intrinsic_width,
    solve_eq7_variance,
    xd_expected_values,
)

from .core import Feedback, check_close

# ---------------------------------------------------------------- exercise 1
#: A width fitted to data that all carry the same error, and that error.
FITTED_WIDTH = 0.85
COMMON_ERROR = 0.40


def check_intrinsic_width(answer):
    """Exercise 1: the intrinsic width behind ``FITTED_WIDTH`` with error ``COMMON_ERROR``."""
    return check_close(answer, intrinsic_width(FITTED_WIDTH, COMMON_ERROR),
                       name="the intrinsic width", rtol=1e-4, atol=1e-6,
                       hint="Variances add under convolution, standard deviations do not: "
                            "subtract the squares, then take the square root.")


# ---------------------------------------------------------------- exercise 2
#: Eight measurements, their errors and their responsibilities for one component.
SMALL_X = np.array([1.2, 0.1, 2.9, 2.4, 0.5, 3.6, 1.9, 2.2])
SMALL_ERRORS = np.array([0.2, 0.9, 1.5, 0.3, 0.5, 2.0, 0.25, 0.7])
SMALL_RESPONSIBILITIES = np.array([0.9, 0.8, 0.6, 1.0, 0.95, 0.3, 1.0, 0.85])
#: The component's current intrinsic variance sigma_j^2.
SMALL_VARIANCE = 0.25


def _expected_mean():
    return eq7_mean_update(SMALL_X, SMALL_ERRORS**2, SMALL_RESPONSIBILITIES[:, np.newaxis],
                           np.array([SMALL_VARIANCE]))[0]


def check_precision_weighted_mean(answer):
    """Exercise 2: the mean update with errors for the ``SMALL_*`` data."""
    return check_close(answer, _expected_mean(), name="the mean", rtol=1e-6,
                       hint="Each point's weight is w_ij / (sigma_j^2 + e_i^2): the "
                            "responsibility times the precision of that point under the "
                            "component (use the variance sigma_j^2 and the squared errors).")


# ---------------------------------------------------------------- exercise 3
def check_eq7_variance(answer):
    """Exercise 3: eq. 7 (sign corrected) solved for sigma^2, at the mean of exercise 2."""
    expected = solve_eq7_variance(SMALL_X, SMALL_ERRORS**2, SMALL_RESPONSIBILITIES,
                                  _expected_mean()).variance
    feedback = check_close(answer, expected, name="sigma^2", rtol=1e-5,
                           hint="Solve sum_i w_i/(s + e_i^2) = sum_i w_i (x_i - mu)^2/(s + e_i^2)^2"
                                " for s (plus sign on the left), with mu from exercise 2 and "
                                "the squared errors; is your answer a variance, not a width?")
    if feedback:
        return Feedback(True, f"sigma^2 matches, so the intrinsic width is {np.sqrt(answer):.3f}.")
    return feedback


# ---------------------------------------------------------------- exercise 4
#: One 2-D measurement, its error covariance, and one component's mean and covariance.
POINT = np.array([1.0, 2.0])
POINT_ERROR_COVARIANCE = np.array([[0.5, 0.2], [0.2, 0.3]])
COMPONENT_MEAN = np.array([0.0, 1.0])
COMPONENT_COVARIANCE = np.array([[1.0, -0.4], [-0.4, 0.8]])


def check_conditional_moments(b, B):
    """Exercise 4: XD's b_ij and B_ij for ``POINT`` under the given component."""
    expected_b, expected_B = xd_expected_values(
        POINT[np.newaxis], POINT_ERROR_COVARIANCE[np.newaxis], COMPONENT_MEAN[np.newaxis],
        COMPONENT_COVARIANCE[np.newaxis])
    first = check_close(b, expected_b[0, 0], name="b", rtol=1e-6,
                        hint="b = mu + V T^-1 (x - mu) with T = V + S (R is the identity).")
    if not first:
        return first
    second = check_close(B, expected_B[0, 0], name="B", rtol=1e-6,
                         hint="B = V - V T^-1 V; it must be symmetric and smaller than V.")
    if not second:
        return second
    return Feedback(True, "b and B match: the true value is pulled from x towards the "
                          "component mean, and B is what is still unknown about it.")
