"""The EM loop, written once for every kind of mixture.

One iteration is a pass over the data and an M-step:

    pass (emlib.backends):  E-step, eq. 2 in logs -> w_ij and ln L
                            sums over samples: N_j = sum_i w_ij, and the family's
                            sufficient statistics (e.g. sum_i w_ij (x_i - c_j))
    M-step (here):          alpha_j = N_j / N (eq. 6), and the family's new
                            parameters from the sums (eqs. 4-5)

A *component family* (:mod:`emlib.families`) supplies what differs between
mixtures: its log-densities, its statistics, its parameters from them. Because
the M-step sees only sums, the pass can run on the data in memory, chunk by
chunk, or on dask; this loop does not change.

The stopping rule is scikit-learn's: stop when the mean per-sample
log-likelihood changes by less than ``tol`` between two iterations, so
``tol=0`` runs exactly ``max_iter`` iterations.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

from .gaussian import DegenerateComponentError
from .backends import Backend, InMemory, Sums, add_sums, chunk_sums, e_step_with_reuse  # noqa: F401 (the loop's pieces, also re-exported)
from .likelihood import counts_with_tiny, update_weights
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


def e_step(family, data, weights, params):
    """Per-sample ln p(x_i) and responsibilities w_ij (eqs. 1 and 2).

    Raises :class:`~emlib.likelihood.ZeroDensityError` for a sample of zero
    (or undefined) density under every component.
    """
    log_density, resp, _ = e_step_with_reuse(family, data, weights, params)
    return log_density, resp


def m_step_from_sums(family, sums, params):
    """New weights (eq. 6) and component parameters from the sums of the whole data."""
    counts = counts_with_tiny(sums.counts, sums.n_samples)
    weights = family.constrain_weights(counts / counts.sum())
    return weights, family.parameters(sums.statistics, counts, params)


def m_step(family, X, responsibilities, params, sample_weight=None):
    """New weights (eq. 6) and the family's new component parameters, in memory.

    Sample weights multiply the responsibilities, which is all it takes for
    an integer weight to act like that many copies of the sample.
    """
    if sample_weight is not None:
        responsibilities = responsibilities * sample_weight[:, np.newaxis]
    weights = family.constrain_weights(update_weights(responsibilities))
    return weights, family.maximise(X, responsibilities, params)


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
        Supplies the E-step terms, the statistics and the new parameters.
    X : ndarray of shape (n_samples, n_features), the family's data object, or a backend
        The data; a backend (:mod:`emlib.backends`) decides how its passes
        are computed (in memory, chunk by chunk, on dask). Data are wrapped
        in :class:`emlib.backends.InMemory`.
    weights, params : starting mixture weights and component parameters.
    sample_weight : ndarray of shape (n_samples,) or None
        With data in memory only (a backend carries its own).
    tol : float
        Stop when the mean per-sample ln L changes by less than this.
    max_iter : int
    previous_lower_bound : float
        Where the stopping rule starts from (used by warm starts).

    Returns
    -------
    EMResult
        With a backend that does not keep per-sample results (dask), its
        ``log_density`` and ``responsibilities`` are None.
    """
    backend = X if isinstance(X, Backend) else InMemory(X, sample_weight)
    total_weight = backend.total_weight
    history, lower_bounds = [], []
    lower_bound, converged, n_iter = previous_lower_bound, False, 0
    for n_iter in range(1, max_iter + 1):
        sums = backend.sums(family, weights, params, n_iter)
        history.append(sums.log_likelihood)
        _check_finite(history[-1], n_iter, backend.sample_weight)
        weights, params = m_step_from_sums(family, sums, params)
        change = history[-1] / total_weight - lower_bound
        lower_bound = history[-1] / total_weight
        lower_bounds.append(lower_bound)
        if verbose:
            print(f"  iteration {n_iter:4d}   mean ln L {lower_bound: .10f}   change {change: .3e}")
        if abs(change) < tol:
            converged = True
            break
    # One more E-step, so ln L and the responsibilities belong to the final parameters.
    sums, log_density, resp = backend.final(family, weights, params, n_iter)
    history.append(sums.log_likelihood)
    _check_finite(history[-1], n_iter, backend.sample_weight)
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
