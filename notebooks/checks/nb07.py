"""Self-checks for notebook 07, mixtures in several dimensions.

Each ``check_*`` function takes the student's answer and returns a
:class:`~checks.core.Feedback` that says "Correct!" or what is off,
without printing the expected value.
"""

import itertools

import numpy as np

from emlib.information_criteria import n_gaussian_mixture_parameters
from emlib.validation import COVARIANCE_TYPES

from .core import Feedback, check_close

# ---------------------------------------------------------------- exercise 1
#: The mixture whose free parameters the student counts.
COUNTING_N_COMPONENTS = 4
COUNTING_N_FEATURES = 3


def check_parameter_counts(counts):
    """Exercise 1: free parameters of a 4-component mixture in 3-D, per covariance type.

    ``counts`` is a dict ``{"spherical": k, "diag": k, "tied": k, "full": k}``
    counting weights, means and covariances together.
    """
    if not isinstance(counts, dict) or set(counts) != set(COVARIANCE_TYPES):
        return Feedback(False, "give a dict with one count for each of the keys "
                               f"{', '.join(repr(t) for t in COVARIANCE_TYPES)}.")
    wrong = []
    for kind in COVARIANCE_TYPES:
        expected = n_gaussian_mixture_parameters(COUNTING_N_COMPONENTS, COUNTING_N_FEATURES, kind)
        if not check_close(counts[kind], expected):
            wrong.append(kind)
    if wrong:
        return Feedback(False, f"the count for {', '.join(repr(t) for t in wrong)} is off. "
                               "Count M - 1 weights (they sum to one), M d means, and for "
                               "the covariances: d(d + 1)/2 numbers in a symmetric d x d "
                               "matrix, d in a diagonal one, 1 in a multiple of the identity; "
                               "'tied' has one matrix for all M components.")
    return Feedback(True, "all four counts match.")


# ---------------------------------------------------------------- exercise 2
#: The covariance matrix whose ellipse the student describes.
ELLIPSE_COVARIANCE = np.array([[3.0, 1.2], [1.2, 1.5]])
#: Which n-sigma ellipse.
ELLIPSE_N_STD = 2


def _expected_ellipse():
    eigenvalues, eigenvectors = np.linalg.eigh(ELLIPSE_COVARIANCE)
    major = eigenvectors[:, 1]
    angle = np.degrees(np.arctan2(major[1], major[0]))
    semi = ELLIPSE_N_STD * np.sqrt(eigenvalues[::-1])
    return semi, angle


def _angle_gap(a, b):
    """Distance between two axis directions in degrees (an axis is the same after 180)."""
    gap = (a - b) % 180.0
    return min(gap, 180.0 - gap)


def check_ellipse(semi_major, semi_minor, angle_degrees):
    """Exercise 2: the semi-axes and tilt of the 2-sigma ellipse of ``ELLIPSE_COVARIANCE``.

    ``angle_degrees`` is the angle of the major axis from the x1 axis,
    counter-clockwise; any angle that names the same axis (plus or minus
    180 degrees) is accepted.
    """
    answers = {"semi_major": semi_major, "semi_minor": semi_minor, "angle_degrees": angle_degrees}
    for name, value in answers.items():
        try:
            answers[name] = float(value)
        except (TypeError, ValueError):
            return Feedback(False, f"{name} should be a number.")
        if not np.isfinite(answers[name]):
            return Feedback(False, f"{name} should be a finite number.")
    semi_major, semi_minor, angle_degrees = answers.values()
    semi, angle = _expected_ellipse()
    hint = ("The eigenvalues of Sigma are the variances along the ellipse's axes; "
            f"the {ELLIPSE_N_STD}-sigma semi-axes are {ELLIPSE_N_STD} x sqrt(eigenvalue).")
    if semi_minor > semi_major:
        return Feedback(False, "semi_minor is larger than semi_major; swap them?")
    for name, value, expected in (("semi_major", semi_major, semi[0]),
                                  ("semi_minor", semi_minor, semi[1])):
        feedback = check_close(value, expected, name=name, rtol=1e-3, atol=1e-3, hint=hint)
        if not feedback:
            return feedback
    if _angle_gap(angle_degrees, angle) > 0.1:
        return Feedback(False, "the semi-axes match but angle_degrees is off. Use the "
                               "eigenvector of the *largest* eigenvalue, np.arctan2(v[1], v[0]), "
                               "and convert radians to degrees.")
    return Feedback(True, "the semi-axes and the tilt match.")


# ---------------------------------------------------------------- exercise 3
#: Means of two fits of the same data, numbered differently (and not quite equal).
MEANS_FIT_A = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [-3.0, 4.0]])
MEANS_FIT_B = np.array([[5.1, 4.9], [-1.5, 0.1], [-3.1, 4.2], [0.6, -0.1]])


def _total_distance(order):
    return float(np.linalg.norm(MEANS_FIT_A - MEANS_FIT_B[list(order)], axis=1).sum())


def check_matching(order):
    """Exercise 3: ``order`` such that ``MEANS_FIT_B[order]`` lines up with ``MEANS_FIT_A``.

    Lining up means: the sum of the distances between paired means is as
    small as any permutation can make it. (Checked by trying all 4! orders,
    which is fine for 4 components but not for 20.)
    """
    n_components = len(MEANS_FIT_A)
    try:
        order = np.asarray(order)
    except (TypeError, ValueError):
        order = None
    if (order is None or order.shape != (n_components,)
            or not np.issubdtype(order.dtype, np.integer)):
        return Feedback(False, f"order should be an array of {n_components} integer indices.")
    if sorted(order.tolist()) != list(range(n_components)):
        return Feedback(False, f"order should be a permutation of 0..{n_components - 1}: each "
                               "component of fit B used exactly once.")
    best = min(_total_distance(p) for p in itertools.permutations(range(n_components)))
    if _total_distance(order) > best + 1e-9:
        return Feedback(False, "that pairing is not the closest one in total. Pairing each "
                               "mean with its nearest free neighbour, one after another, can "
                               "paint you into a corner; build the matrix of all distances "
                               "and give it to scipy.optimize.linear_sum_assignment.")
    return Feedback(True, "MEANS_FIT_B[order] lines up with MEANS_FIT_A.")
