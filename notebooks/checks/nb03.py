"""Self-checks for notebook 03, the EM algorithm.

The starting values the exercises use are defined here, so the statement in
the notebook and the check cannot drift apart.
"""

import numpy as np

from emlib.datasets import text_mixture
from emlib.gaussian import update_covariances, update_means
from emlib.likelihood import (component_log_densities, effective_counts, expectation,
                              lower_bound, mixture_log_likelihood, update_weights)

from .core import Feedback, check_answer


#: Exercises 1 and 2 start EM on the text's data from here.
FIRST_ITERATION_START = {
    "weights": np.array([1 / 3, 1 / 3, 1 / 3]),
    "means": np.array([-2.0, 0.0, 2.0]),
    "sigmas": np.array([1.0, 1.0, 1.0]),
}

#: Exercise 3: the text's data plus 20 copies of x = 1.5, and a four-component
#: mixture whose fourth component sits on the repeated value.
COLLAPSE_SETUP = {
    "repeated_value": 1.5,
    "n_repeats": 20,
    "weights": np.array([0.25, 0.58, 0.14, 0.03]),
    "means": np.array([-1.2, 0.03, 3.08, 1.5]),
    "sigmas_first_three": np.array([1.4, 1.07, 0.41]),
}


def _first_iteration():
    """Responsibilities at the start, then N_j and the new parameters (eqs. 2, 4-6)."""
    x, _ = text_mixture()
    start = FIRST_ITERATION_START
    log_densities = component_log_densities(x, start["means"], start["sigmas"])
    _, resp = expectation(log_densities, start["weights"])
    counts = effective_counts(resp)
    means = update_means(x, resp, counts)                  # eq. 4, shape (3,)
    variances = update_covariances(x, resp, counts, means)  # eq. 5, sigma_j^2
    return x, resp, counts, update_weights(resp), means, np.sqrt(variances)


def _one_per_component(answer, n_components):
    """A (K, 1) column, as a 2-D fit stores its means, read as the flat (K,) array it holds."""
    try:
        column = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return answer  # not numbers: check_close says so
    return column[:, 0] if column.shape == (n_components, 1) else answer


def check_first_iteration(counts, means):
    """Exercise 1: N_j after the first E-step and mu_j after the first M-step.

    Each may be given as a flat array of 3 numbers or as a (3, 1) column.
    """
    _, _, expected_counts, _, expected_means, _ = _first_iteration()
    counts = _one_per_component(counts, expected_counts.size)
    means = _one_per_component(means, expected_means.size)
    feedback = check_answer(counts, expected_counts, name="N_j",
                            hint="N_j = sum_i w_ij, with w_ij from eq. 2 at the start.")
    if not feedback:
        return feedback
    feedback = check_answer(means, expected_means, name="mu_j",
                            hint="Eq. 4: a w_ij-weighted average of the x_i, divided by N_j.")
    if feedback:
        return Feedback(True, "N_j and mu_j both match.")
    return feedback


def check_lower_bound(answer):
    """Exercise 2: F(q_old, theta_new) after the first iteration."""
    x, resp, _, weights, means, sigmas = _first_iteration()
    expected = lower_bound(component_log_densities(x, means, sigmas), weights, resp)
    return check_answer(answer, expected, name="F(q_old, theta_new)",
                        hint="Keep w_ij from the start (q_old), put the updated alpha, mu, "
                             "sigma into the bracket, and remember 0 ln 0 = 0.")


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
    """Exercise 3: ln L(sigma_4 = 1e-4) - ln L(sigma_4 = 1e-3)."""
    expected = _collapse_log_likelihood(1e-4) - _collapse_log_likelihood(1e-3)
    return check_answer(answer, expected, name="the gain in ln L", rtol=1e-3,
                        hint="Evaluate ln L twice, with sigma_4 = 1e-3 and with 1e-4 "
                             "(all else as in COLLAPSE_SETUP), and subtract.")
