"""Self-checks for notebook 03, the EM algorithm.

The starting values the exercises use are defined here, so the statement in
the notebook and the check cannot drift apart.
"""

import warnings

import numpy as np

from emlib import ConvergenceWarning, GaussianMixture
from emlib.datasets import text_mixture
from emlib.gaussian import update_covariances, update_means
from emlib.likelihood import (component_log_densities, effective_counts, expectation,
                              lower_bound, update_weights)

from .core import Feedback, check_answer


#: Exercises 1, 2 and 3 start EM on the text's data from here.
FIRST_ITERATION_START = {
    "weights": np.array([1 / 3, 1 / 3, 1 / 3]),
    "means": np.array([-2.0, 0.0, 2.0]),
    "sigmas": np.array([1.0, 1.0, 1.0]),
}

#: Exercise 3: your own E- and M-steps run this many iterations from FIRST_ITERATION_START.
OWN_EM_ITERATIONS = 100


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


def _reference_em():
    """emlib.GaussianMixture from FIRST_ITERATION_START, exactly OWN_EM_ITERATIONS iterations."""
    x, _ = text_mixture()
    start = FIRST_ITERATION_START
    model = GaussianMixture(3, covariance_type="spherical", weights_init=start["weights"],
                            means_init=start["means"], covariances_init=start["sigmas"] ** 2,
                            tol=0, max_iter=OWN_EM_ITERATIONS, reg_covar=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # tol=0 never "converges", by design
        model.fit(x)
    return model.weights_, model.means_[:, 0], np.sqrt(model.covariances_)


def check_own_em(weights, means, sigmas):
    """Exercise 3: alpha_j, mu_j, sigma_j after OWN_EM_ITERATIONS of your own EM.

    Compared with emlib.GaussianMixture from the same start to 1e-8, component
    by component in the order of the start (no sorting). Each may be a flat
    array of 3 numbers or a (3, 1) column.
    """
    expected = dict(zip(("alpha_j", "mu_j", "sigma_j"), _reference_em()))
    answers = dict(zip(expected, (weights, means, sigmas)))
    hints = {
        "alpha_j": "Eq. 6: alpha_j = N_j / N, with N_j = sum_i w_ij from this iteration's E-step.",
        "mu_j": "Eq. 4, with the w_ij of this iteration's E-step; keep the components in the "
                "order of the start.",
        "sigma_j": "Eq. 5 gives sigma_j^2 around the *new* means; report its square root.",
    }
    for name, answer in answers.items():
        feedback = check_answer(_one_per_component(answer, 3), expected[name], name=name,
                                rtol=0, atol=1e-8,
                                hint=hints[name] + f" Did you run exactly {OWN_EM_ITERATIONS} "
                                     "iterations (E-step, then M-step, each time)?")
        if not feedback:
            return feedback
    return Feedback(True, "alpha_j, mu_j and sigma_j all match emlib.GaussianMixture to 1e-8.")
