"""Self-checks for notebook 04d, how many components the galaxy velocities need.

Each ``check_*`` function takes the student's answer and returns a
:class:`~checks.core.Feedback` that says "Correct!" or what is off,
without printing the expected value.
"""

import numpy as np

from .core import Feedback, check_close

#: The number of galaxies in the data set (Roeder 1990), N in BIC's penalty.
N_GALAXIES = 82


def check_bic_by_hand(bic_values, chosen_m, scan, covariance_type="tied"):
    """Exercise: BIC = -2 ln L + k ln N for every fit of one covariance type, and the M it picks.

    ``bic_values`` holds one BIC per row of ``scan`` with that covariance
    type, in the scan's order (M = 1, 2, ...); ``chosen_m`` is the M with
    the smallest of them. The expected values are computed here from the
    table's ln L and k, not read from the scan's BIC column.
    """
    rows = [row for row in scan.rows if row["covariance_type"] == covariance_type]
    if not rows:
        return Feedback(False, f"the scan has no {covariance_type!r} fits.")
    log_l = np.array([row["log_likelihood"] for row in rows])
    k = np.array([row["n_parameters"] for row in rows])
    expected = -2.0 * log_l + k * np.log(N_GALAXIES)
    feedback = check_close(bic_values, expected, name="bic_values", rtol=1e-9, atol=1e-6,
                           hint="BIC = -2 ln L + k ln N, with N the number of galaxies.")
    if not feedback:
        return feedback
    best = int(rows[int(np.argmin(expected))]["n_components"])
    if chosen_m is None:
        return Feedback(False, "the BIC values match; now set chosen_m to the M they pick.")
    if chosen_m != best:
        return Feedback(False, "the BIC values match, but chosen_m is not the M with the "
                               "smallest BIC (smaller is better).")
    return Feedback(True, "the BIC values and the chosen M match.")
