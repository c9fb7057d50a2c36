"""Self-checks for notebook 04b, bootstrap uncertainty and the bootstrap LR test.

Each ``check_*`` function takes the student's answer and the bootstrap
result it is about, recomputes the expected value from that result, and
returns a :class:`~checks.core.Feedback` without revealing it.
"""

import numpy as np

from .core import check_close


def check_standard_error(answer, result, component=2):
    """Exercise 1: the bootstrap standard error of the weight of ``component`` (0-based)."""
    expected = np.std(result.replicates["weights"][:, component], ddof=1)
    return check_close(answer, expected, name="the standard error", rtol=1e-6,
                       hint="Take the standard deviation of that weight over the replicates "
                            "(result.replicates['weights'][:, j]), with ddof=1.")


def check_percentile_interval(answer, result, component=0, level=0.90):
    """Exercise 2: the percentile interval (lower, upper) of the mean of ``component``."""
    means = result.replicates["means"][:, component, 0]
    tail = (1.0 - level) / 2.0
    expected = np.quantile(means, [tail, 1.0 - tail])
    return check_close(answer, expected, name="the interval", rtol=1e-6,
                       hint=f"A {100 * level:g}% percentile interval runs from the "
                            f"{100 * tail:g}th to the {100 * (1 - tail):g}th percentile of the "
                            "replicates (np.quantile).")


def check_p_value(answer, test):
    """Exercise 3: the bootstrap p-value of a likelihood-ratio test, from its null statistics."""
    null = np.asarray(test.null_statistics)
    expected = (1.0 + np.count_nonzero(null >= test.statistic)) / (null.size + 1.0)
    return check_close(answer, expected, name="the p-value", rtol=1e-9,
                       hint="Count the simulated statistics at least as large as the observed "
                            "one, add one to that count and to the number of replicates, divide.")
