"""Self-checks for notebook 04, choosing the number of components.

Each ``check_*`` function takes the student's answer (and the fitted model or
data it is about) and returns a :class:`~checks.core.Feedback` that
says "Correct!" or what is off, without printing the expected value.
"""

import hashlib
import numbers
import warnings

import numpy as np

from emlib import ConvergenceWarning, GaussianMixture
from emlib.information_criteria import classification_entropy

from .core import Feedback, check_close

#: What a check says while the answer is still the notebook's placeholder.
PLACEHOLDER = "replace None with your answer."

# ---------------------------------------------------------------- exercise 1
#: Sample size and the two numbers of components compared in exercise 1.
THRESHOLD_N_SAMPLES = 1000
THRESHOLD_COMPONENTS = (2, 3)


def _n_parameters_1d(n_components):
    # M - 1 weights, M means, M variances: the text's 3M - 1.
    return 3 * n_components - 1


def check_bic_threshold(answer):
    """Exercise 1: how much larger ln L must be with M = 3 than with M = 2 for BIC to prefer 3.

    ``answer`` is the smallest gain in ln L (a positive number) at
    N = 1000 one-dimensional points.
    """
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    small, large = THRESHOLD_COMPONENTS
    extra = _n_parameters_1d(large) - _n_parameters_1d(small)
    expected = 0.5 * extra * np.log(THRESHOLD_N_SAMPLES)
    return check_close(answer, expected, name="the gain in ln L", rtol=1e-4,
                       hint="BIC prefers M = 3 when -2 ln L_3 + k_3 ln N < -2 ln L_2 + k_2 ln N; "
                            "solve for ln L_3 - ln L_2, with k = 3M - 1.")


# ---------------------------------------------------------------- exercise 2
def _criteria(model, x):
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    log_likelihood = float(np.sum(model.score_samples(x)))
    k = _n_parameters_1d(len(np.ravel(model.weights_)))
    n = x.shape[0]
    return {"log_likelihood": log_likelihood, "k": k, "n": n,
            "aic": -2.0 * log_likelihood + 2.0 * k,
            "bic": -2.0 * log_likelihood + k * np.log(n)}


def check_aic_bic(aic, bic, model, x):
    """Exercise 2: AIC and BIC of a fitted 1-D mixture, computed by hand."""
    if aic is None or bic is None:
        return Feedback(False, "replace None with your values of AIC and BIC.")
    expected = _criteria(model, x)
    hint = ("Use ln L = the sum of model.score_samples over the data, k = 3M - 1 and "
            "N = the number of points.")
    feedback_aic = check_close(aic, expected["aic"], name="AIC", rtol=1e-6, hint=hint)
    if not feedback_aic:
        return feedback_aic
    feedback_bic = check_close(bic, expected["bic"], name="BIC", rtol=1e-6,
                               hint="AIC is right; BIC replaces 2k by k ln N.")
    if not feedback_bic:
        return feedback_bic
    return Feedback(True, "AIC and BIC both match.")


# ---------------------------------------------------------------- exercise 3
def check_icl(answer, model, x):
    """Exercise 3: ICL of a fitted 1-D mixture: BIC plus twice the classification entropy."""
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    expected = _criteria(model, x)
    probabilities = model.predict_proba(np.asarray(x, dtype=float).reshape(-1, 1))
    icl = expected["bic"] + 2.0 * classification_entropy(probabilities)
    return check_close(answer, icl, name="ICL", rtol=1e-6,
                       hint="Start from BIC and add 2 x sum_i (-ln max_j p(j | x_i)).")


# ---------------------------------------------------------------- exercise 4
#: The numbers of components exercise 4 compares.
CHOICE_COMPONENTS = (1, 2, 3, 4)


#: The answer for each sample checked so far, keyed by a digest of its bytes,
#: so that checking a second answer on the same sample does not refit.
_BIC_CHOICES = {}


def _bic_choice(x):
    """The M in CHOICE_COMPONENTS with the smallest BIC, from fits run to convergence."""
    x = np.ascontiguousarray(x, dtype=float).reshape(-1, 1)
    key = hashlib.sha256(x.tobytes()).hexdigest()
    if key not in _BIC_CHOICES:
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for m in CHOICE_COMPONENTS:
                model = GaussianMixture(m, tol=1e-6, max_iter=1000, n_init=2,
                                        random_state=0).fit(x)
                values.append(model.bic(x))
        _BIC_CHOICES[key] = CHOICE_COMPONENTS[int(np.argmin(values))]
    return _BIC_CHOICES[key]


def check_bic_choice(answer, x):
    """Exercise 4: which M in 1..4 does BIC choose for the larger sample ``x``?

    The check fits M = 1, ..., 4 to ``x`` itself (about a second, once per
    sample), so it holds for whatever sample was drawn.
    """
    if answer is None:
        return Feedback(False, PLACEHOLDER)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return Feedback(False, "give the number of components as an integer, e.g. 2.")
    if answer not in CHOICE_COMPONENTS:
        return Feedback(False, f"the answer should be one of {CHOICE_COMPONENTS}.")
    if answer != _bic_choice(x):
        return Feedback(False, "BIC is not smallest at that M for these data. Fit each M to "
                               "convergence (tight tol, several n_init) and compare their BIC.")
    return Feedback(True, "that is the M with the smallest BIC.")
