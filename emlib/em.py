"""The EM loop, written once for every kind of mixture.

A *component family* supplies what differs between mixtures (its
log-density, its weighted M-step, its parameter count, how to draw from it);
this module supplies what they share: the E-step in log space (eq. 2), the
weight update (eq. 6), the stopping rule, the ln L history and restarts.

The stopping rule is scikit-learn's: stop when the mean per-sample
log-likelihood changes by less than ``tol`` between two iterations, so
``tol=0`` runs exactly ``max_iter`` iterations.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

from .gaussian import DegenerateComponentError
from .likelihood import ZeroDensityError, expectation, update_weights
from .validation import user_stacklevel


class CollapsedStartWarning(UserWarning):
    """Some of the ``n_init`` starts collapsed and were dropped; the best of the others is kept."""


class ConvergenceWarning(_SklearnConvergenceWarning):
    """EM stopped at ``max_iter`` before ln L settled.

    A subclass of scikit-learn's warning, so code that filters that one
    filters this one too.
    """


@dataclass
class EMResult:
    """Everything one run of EM produced.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    params : dict
        The family's component parameters (e.g. means and covariances).
    log_likelihoods : ndarray of shape (n_iter + 1,)
        ln L at the starting parameters and after each iteration.
    lower_bounds : list of float
        Mean per-sample ln L computed in each iteration's E-step, the values
        the stopping rule compares (scikit-learn's ``lower_bounds_``).
    converged : bool
    n_iter : int
    log_density : ndarray of shape (n_samples,)
        ln p(x_i | theta) at the final parameters.
    responsibilities : ndarray of shape (n_samples, n_components)
        w_ij at the final parameters.
    """

    weights: np.ndarray
    params: dict
    log_likelihoods: np.ndarray
    lower_bounds: list
    converged: bool
    n_iter: int
    log_density: np.ndarray
    responsibilities: np.ndarray

    @property
    def lower_bound(self):
        return self.lower_bounds[-1] if self.lower_bounds else -np.inf


def e_step(family, X, weights, params):
    """Per-sample ln p(x_i) and responsibilities w_ij (eqs. 1 and 2).

    Raises :class:`~emlib.likelihood.ZeroDensityError` for a sample of zero
    (or undefined) density under every component.
    """
    # Overflowing squares are reported by the ZeroDensityError, not a RuntimeWarning.
    with np.errstate(over="ignore"):
        log_densities = family.log_densities(X, params)
    return expectation(log_densities, weights)


def _loop_e_step(family, X, weights, params, iteration):
    """:func:`e_step` inside the loop: a sample of zero density gets an explanation and a fix."""
    try:
        return e_step(family, X, weights, params)
    except ZeroDensityError as error:
        i = error.row
        bad = [name for name, value in params.items()
               if not np.all(np.isfinite(np.asarray(value, dtype=float)))]
        if bad or not np.all(np.isfinite(weights)):
            cause = (f"the component parameters became non-finite ({', '.join(bad) or 'weights'} "
                     "contain inf or NaN), which means float64 overflowed in the M-step. "
                     "Rescale the data (e.g. standardise it) and check the starting values")
        elif np.isnan(error.value):
            cause = "its log-density is NaN. Check the starting values and the family's settings"
        elif error.value == np.inf:
            cause = ("its density is infinite: a component has zero width and sits on it. "
                     "Use reg_covar > 0 or fewer components, or another start (n_init > 1)")
        else:
            cause = (f"X[{i}] has density 0 under every component: it is outside the support "
                     "of every component, or so many component widths away from all of them "
                     "that its squared distance overflows float64 (data spanning a huge range "
                     "compared with the narrowest component). Rescale the data (e.g. "
                     "standardise it), check the family's settings (a probability or rate "
                     "of exactly 0 or 1 gives zero densities), or start elsewhere (n_init > 1)")
            if iteration == 1:
                cause += (". At the first iteration this is the start's doing: check the "
                          "starting values (e.g. covariances_init far smaller than the data's "
                          "spread)")
        raise ZeroDensityError(f"ln L is not finite at iteration {iteration}: {cause}.",
                               i, error.value) from None


def m_step(family, X, responsibilities, params, sample_weight=None):
    """New weights (eq. 6) and the family's new component parameters.

    Sample weights multiply the responsibilities, which is all it takes for
    an integer weight to act like that many copies of the sample.
    """
    if sample_weight is not None:
        responsibilities = responsibilities * sample_weight[:, np.newaxis]
    weights = family.constrain_weights(update_weights(responsibilities))
    return weights, family.maximise(X, responsibilities, params)


def _total(log_density, sample_weight):
    return float(log_density.sum() if sample_weight is None else sample_weight @ log_density)


def _check_finite(log_likelihood, iteration, sample_weight):
    """Every density is finite here (the E-step checked), so only the weighted sum can overflow."""
    if not np.isfinite(log_likelihood):
        largest = None if sample_weight is None else float(np.max(sample_weight))
        raise FloatingPointError(
            f"ln L became {log_likelihood} at iteration {iteration} although every sample's "
            "density is finite: the sum over samples overflowed float64"
            + (f" (the largest sample weight is {largest:.3g}; only the ratios of the weights "
               "matter, so divide them by their maximum)" if largest is not None else
               "; rescale the data (e.g. standardise it)") + "."
        )


def run_em(family, X, weights, params, *, sample_weight=None, tol=1e-3, max_iter=100,
           verbose=0, previous_lower_bound=-np.inf):
    """Iterate E- and M-steps from one start until ln L settles.

    Parameters
    ----------
    family : component family
        Supplies ``log_densities(X, params)`` and ``maximise(X, resp, params)``.
    X : ndarray of shape (n_samples, n_features)
    weights, params : starting mixture weights and component parameters.
    sample_weight : ndarray of shape (n_samples,) or None
    tol : float
        Stop when the mean per-sample ln L changes by less than this.
    max_iter : int
    previous_lower_bound : float
        Where the stopping rule starts from (used by warm starts).

    Returns
    -------
    EMResult
    """
    total_weight = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    history, lower_bounds = [], []
    lower_bound, converged, n_iter = previous_lower_bound, False, 0
    for n_iter in range(1, max_iter + 1):
        log_density, resp = _loop_e_step(family, X, weights, params, n_iter)
        history.append(_total(log_density, sample_weight))
        _check_finite(history[-1], n_iter, sample_weight)
        weights, params = m_step(family, X, resp, params, sample_weight)
        change = history[-1] / total_weight - lower_bound
        lower_bound = history[-1] / total_weight
        lower_bounds.append(lower_bound)
        if verbose:
            print(f"  iteration {n_iter:4d}   mean ln L {lower_bound: .10f}   change {change: .3e}")
        if abs(change) < tol:
            converged = True
            break
    # One more E-step, so ln L and the responsibilities belong to the final parameters.
    log_density, resp = _loop_e_step(family, X, weights, params, n_iter)
    history.append(_total(log_density, sample_weight))
    _check_finite(history[-1], n_iter, sample_weight)
    return EMResult(weights, params, np.array(history), lower_bounds, converged, n_iter,
                    log_density, resp)


def fit_with_restarts(family, X, initialise, *, n_init=1, rng=None, sample_weight=None,
                      tol=1e-3, max_iter=100, verbose=0, previous_lower_bound=-np.inf):
    """Run EM from ``n_init`` starts and keep the one with the highest ln L.

    ``initialise(rng)`` returns a start ``(weights, params)``.  Warns with
    :class:`ConvergenceWarning` if the best run stopped at ``max_iter``.
    """
    best, collapsed = None, []
    for start in range(n_init):
        if verbose:
            print(f"Start {start + 1} of {n_init}")
        try:
            weights, params = initialise(rng)
            result = run_em(family, X, weights, params, sample_weight=sample_weight, tol=tol,
                            max_iter=max_iter, verbose=verbose,
                            previous_lower_bound=previous_lower_bound)
        except DegenerateComponentError as error:
            # One start's collapse says nothing about the others; the data's scale would.
            if n_init == 1 or error.cause != "collapse":
                raise
            collapsed.append((start, error))
            continue
        # Compare starts as scikit-learn does, by the last stopping-rule value.
        if best is None or result.lower_bound > best.lower_bound:
            best = result
    if best is None:  # every start collapsed: the last one's explanation stands
        raise collapsed[-1][1]
    if collapsed:
        numbers = ", ".join(str(start + 1) for start, _ in collapsed)
        warnings.warn(
            f"{len(collapsed)} of the n_init={n_init} starts (number {numbers}) were dropped "
            f"because a component collapsed onto a few points; the best of the other "
            f"{n_init - len(collapsed)} is kept. {collapsed[0][1]}",
            CollapsedStartWarning, stacklevel=user_stacklevel())
    if not best.converged and max_iter > 0:
        warnings.warn(
            f"EM did not converge in max_iter={max_iter} iterations (the last change of the "
            f"mean ln L was still above tol={tol}). Increase max_iter, loosen tol, or check "
            "the data for repeated points or outliers. (In scikit-learn's words: Best "
            "performing initialization did not converge. Try different init parameters, or "
            "increase max_iter, tol, or check for degenerate data.)",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),  # the user's line, however fit was reached
        )
    return best
