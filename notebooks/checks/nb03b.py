"""Self-checks for notebook 03b, EM's convergence, restarts and failures.

The setup the exercise uses is defined here, so the statement in the notebook
and the check cannot drift apart.
"""

import numpy as np

from emlib.datasets import text_mixture
from emlib.likelihood import mixture_log_likelihood

from .core import check_answer

#: Exercise 1: the text's data plus 20 copies of x = 1.5, and a four-component
#: mixture whose fourth component sits on the repeated value.
COLLAPSE_SETUP = {
    "repeated_value": 1.5,
    "n_repeats": 20,
    "weights": np.array([0.25, 0.58, 0.14, 0.03]),
    "means": np.array([-1.2, 0.03, 3.08, 1.5]),
    "sigmas_first_three": np.array([1.4, 1.07, 0.41]),
}


def collapse_data():
    """The text's data with ``n_repeats`` copies of the repeated value appended."""
    x, _ = text_mixture()
    setup = COLLAPSE_SETUP
    return np.concatenate([x, np.full(setup["n_repeats"], setup["repeated_value"])])


def _collapse_log_likelihood(sigma):
    setup = COLLAPSE_SETUP
    sigmas = np.append(setup["sigmas_first_three"], sigma)
    return mixture_log_likelihood(collapse_data(), setup["weights"], setup["means"], sigmas)


def check_collapse_gain(answer):
    """Exercise 1: ln L(sigma_4 = 1e-4) - ln L(sigma_4 = 1e-3)."""
    expected = _collapse_log_likelihood(1e-4) - _collapse_log_likelihood(1e-3)
    return check_answer(answer, expected, name="the gain in ln L", rtol=1e-3,
                        hint="Evaluate ln L twice, with sigma_4 = 1e-3 and with 1e-4 "
                             "(all else as in COLLAPSE_SETUP), and subtract.")
