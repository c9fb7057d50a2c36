"""Self-checks for notebook 08, non-Gaussian mixtures.

Each check recomputes the expected value from the formulas (not from the
emlib function the exercise is about) and compares, without printing it.
"""

import numpy as np

from .core import Feedback, check_answer


def _as_array(answer):
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------- exercise 1
def rayleigh_exercise_data():
    """Speeds x (shape (400,)) and responsibilities w (shape (400, 2)) for exercise 1.

    The speeds come from two Rayleigh components (scales 1 and 3); the
    responsibilities are those of a mixture part-way through EM.
    """
    rng = np.random.default_rng(808)
    x = np.concatenate([rng.rayleigh(1.0, 250), rng.rayleigh(3.0, 150)])
    closeness = np.column_stack([np.exp(-0.5 * (x / 1.2) ** 2) / 1.2**2,
                                 0.5 * np.exp(-0.5 * (x / 2.5) ** 2) / 2.5**2])
    return x, closeness / closeness.sum(axis=1, keepdims=True)


def check_rayleigh_scales(answer):
    """Exercise 1: the M-step for s_j^2 of Rayleigh components, shape (2,)."""
    x, resp = rayleigh_exercise_data()
    weighted_squares = resp.T @ x**2
    totals = resp.sum(axis=0)
    expected = weighted_squares / (2 * totals)
    feedback = check_answer(answer, expected, name="s_j^2",
                            hint="Differentiate ln p_j = ln x - 2 ln s_j - x^2 / (2 s_j^2) with "
                                 "respect to s_j, weight by w_ij, sum over i and set to zero.")
    value = _as_array(answer)
    if feedback or value is None or value.shape != expected.shape:
        return feedback
    if np.allclose(value, 2 * expected):
        return Feedback(False, "s_j^2 is twice too large: where does the 2 in x^2 / (2 s_j^2) go?")
    if np.allclose(value, np.sqrt(expected)):
        return Feedback(False, "that looks like s_j; the exercise asks for s_j^2.")
    return feedback


# ------------------------------------------------------------- exercise 2
def check_poisson_bic(answer, model, counts):
    """Exercise 2: BIC = -2 ln L + k ln N of the fitted Poisson mixture, by hand."""
    counts = np.asarray(counts, dtype=float).reshape(len(counts), -1)
    n_components, n_features = model.rates_.shape
    log_likelihood = float(model.score_samples(counts).sum())
    k = n_components * n_features + n_components - 1
    expected = -2 * log_likelihood + k * np.log(len(counts))
    feedback = check_answer(answer, expected, name="BIC", rtol=1e-9,
                            hint="Count the free parameters: the rates, and the weights, which "
                                 "must sum to one.")
    value = _as_array(answer)
    if feedback or value is None or value.shape != ():
        return feedback
    for wrong_k, why in ((k + 1, "the M weights sum to 1, so only M - 1 of them are free"),
                         (3 * n_components - 1, "3M - 1 counts Gaussians (mean and sigma per "
                                                "component); a Poisson component has one rate")):
        if np.isclose(value, -2 * log_likelihood + wrong_k * np.log(len(counts)), rtol=1e-9):
            return Feedback(False, f"the parameter count is off: {why}.")
    if np.isclose(value, -2 * log_likelihood + k * np.log10(len(counts)), rtol=1e-9):
        return Feedback(False, "use the natural logarithm ln N (np.log), not log10.")
    return feedback


# ------------------------------------------------------------- exercise 3
def check_scale_weight(answer, model, point):
    """Exercise 3: u = (nu + d) / (nu + delta) of one point in the heaviest-tailed component.

    That is the component with the smallest degrees of freedom nu; delta is
    the point's squared Mahalanobis distance from its centre, measured with
    its scale matrix.
    """
    point = np.asarray(point, dtype=float).ravel()
    n_features = point.shape[0]
    j = int(np.argmin(model.dofs_))
    mean, scale, dof = model.means_[j], model.scales_[j], model.dofs_[j]
    distance = (point - mean) @ np.linalg.solve(scale, point - mean)
    expected = (dof + n_features) / (dof + distance)
    feedback = check_answer(answer, expected, name="u",
                            hint="Use the component with the smaller nu; delta is (x - mu)^T "
                                 "Sigma^-1 (x - mu) with Sigma its scale matrix.")
    value = _as_array(answer)
    if feedback or value is None or value.shape != ():
        return feedback
    other = 1 - j if len(model.dofs_) == 2 else None
    if other is not None:
        o_mean, o_scale, o_dof = model.means_[other], model.scales_[other], model.dofs_[other]
        o_distance = (point - o_mean) @ np.linalg.solve(o_scale, point - o_mean)
        if np.isclose(value, (o_dof + n_features) / (o_dof + o_distance)):
            return Feedback(False, "that is u in the other component; take the one with the "
                                   "smaller nu (the heavy tails).")
    if np.isclose(value, (dof + n_features) / (dof + np.sum((point - mean) ** 2))):
        return Feedback(False, "that uses the Euclidean distance; delta must be measured in "
                               "units of the component's scale matrix (Mahalanobis).")
    if np.isclose(value, (dof + 1) / (dof + distance)):
        return Feedback(False, "the numerator is nu + d, with d the number of features.")
    return feedback
