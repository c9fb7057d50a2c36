"""The self-checks of notebook 07 accept right answers, reject wrong ones, and never leak."""

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

# The exercises' self-checks are course material in notebooks/checks/, not part of emlib.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from checks import nb07  # noqa: E402


def never_reveals(feedback, *numbers):
    text = repr(feedback)
    for number in numbers:
        shown = [f"{number:.2f}", f"{number:.3f}"]
        if float(number).is_integer():
            shown.append(str(int(number)))
        for form in shown:
            assert form not in text, f"{text!r} reveals {number}"


def counts_by_hand(m, d):
    """(M - 1) weights + M d means + covariance numbers, written out directly."""
    symmetric = d * (d + 1) // 2
    return {"spherical": m - 1 + m * d + m, "diag": m - 1 + m * d + m * d,
            "tied": m - 1 + m * d + symmetric, "full": m - 1 + m * d + m * symmetric}


def test_parameter_counts():
    right = counts_by_hand(nb07.COUNTING_N_COMPONENTS, nb07.COUNTING_N_FEATURES)
    assert nb07.check_parameter_counts(right)
    assert repr(nb07.check_parameter_counts(right)).startswith("Correct!")
    # common mistakes: forgetting that weights sum to one; d^2 numbers in a symmetric matrix
    for wrong in (dict(right, full=right["full"] + 1),
                  {kind: value + 1 for kind, value in right.items()},
                  dict(right, full=right["full"] + 4 * 3),
                  dict(right, tied=right["full"])):
        feedback = nb07.check_parameter_counts(wrong)
        assert not feedback and repr(feedback).startswith("Not yet:")
        never_reveals(feedback, *right.values())
    assert not nb07.check_parameter_counts(None)
    assert not nb07.check_parameter_counts({"full": right["full"]})


def test_ellipse():
    # independent route: the characteristic polynomial of a 2 x 2 matrix, and
    # tan(2 theta) = 2 s12 / (s11 - s22) for the tilt of the major axis
    (s11, s12), (_, s22) = nb07.ELLIPSE_COVARIANCE
    mean, half_gap = (s11 + s22) / 2, np.hypot((s11 - s22) / 2, s12)
    n = nb07.ELLIPSE_N_STD
    semi_major, semi_minor = n * np.sqrt(mean + half_gap), n * np.sqrt(mean - half_gap)
    angle = np.degrees(0.5 * np.arctan2(2 * s12, s11 - s22))
    assert nb07.check_ellipse(semi_major, semi_minor, angle)
    assert nb07.check_ellipse(semi_major, semi_minor, angle - 180.0)  # the same axis
    wrong = [(semi_major / n, semi_minor / n, angle),  # the 1-sigma ellipse
             (semi_major**2, semi_minor**2, angle),  # variances, not standard deviations
             (semi_minor, semi_major, angle),  # swapped
             (semi_major, semi_minor, angle + 90.0),  # the minor axis' direction
             (semi_major, semi_minor, np.radians(angle)),  # radians
             (None, None, None)]
    for answer in wrong:
        feedback = nb07.check_ellipse(*answer)
        assert not feedback and repr(feedback).startswith("Not yet:")
        never_reveals(feedback, semi_major, semi_minor, angle)


def test_matching():
    cost = np.linalg.norm(nb07.MEANS_FIT_A[:, None, :] - nb07.MEANS_FIT_B[None, :, :], axis=2)
    _, order = linear_sum_assignment(cost)
    assert nb07.check_matching(order)
    assert nb07.check_matching(list(order))
    # greedy nearest-neighbour pairing, in the order of fit A
    free, greedy = list(range(4)), []
    for row in cost:
        pick = min(free, key=lambda k: row[k])
        greedy.append(pick)
        free.remove(pick)
    assert list(greedy) != list(order)
    for wrong in (greedy, np.argsort(order), [0, 1, 2, 3], [0, 0, 1, 2], [0, 1, 2], None,
                  [0.0, 1.0, 2.0, 3.0]):
        feedback = nb07.check_matching(wrong)
        assert not feedback and repr(feedback).startswith("Not yet:")
        assert str(list(order)) not in repr(feedback)
