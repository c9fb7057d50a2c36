"""What every fitted mixture shares: one fit, scores, labels, samples, criteria, an order.

:class:`MixtureEstimator` is the one base of :class:`~emlib.GaussianMixture`,
:class:`~emlib.Mixture` and :class:`~emlib.XDGMM`. Its ``_fit`` does, for all
of them: validate (the subclass's ``_prepare``), start, run the EM loop of
:mod:`emlib.em` from ``n_init`` starts, and record the result under
scikit-learn's names. Its inference methods are written once in terms of a
component family (:mod:`emlib.families`) and the fitted parameters.

A subclass supplies:

- ``_prepare(X, sample_weight, **keywords)``: validates the settings and the data
  and returns a :class:`FitPlan` (the family, the validated data, how to start);
- ``_store(weights, params, plan)``: keeps the fitted parameters;
- ``_family()`` and ``_params()``: the fitted family and parameters;
- ``_check_new_data(X, **side)``: validated data for predict and score.

Data given as a dask array are fitted chunk by chunk (:mod:`emlib.backends_dask`):
the start is computed from the rows in memory that :func:`start_sample` picks, and
every EM pass runs on the chunks.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from . import validation as check
from .em import e_step, fit_with_restarts
from .information_criteria import aic, bic, icl
from .likelihood import ZeroDensityError


def record_fit(estimator, result, n_features):
    """Store what the EM loop reports under scikit-learn's attribute names."""
    estimator.converged_ = result.converged
    estimator.n_iter_ = result.n_iter
    estimator.lower_bound_ = result.lower_bound
    estimator.lower_bounds_ = result.lower_bounds
    estimator.log_likelihoods_ = result.log_likelihoods
    estimator.n_features_in_ = n_features


def draw_samples(family, weights, params, n_samples, rng):
    """Draw from a mixture: component counts from a multinomial, then each component.

    Returns ``(X, labels)``, grouped by component as in scikit-learn.
    """
    counts = rng.multinomial(n_samples, weights)
    draws = [family.sample(rng, params, k, int(n)) for k, n in enumerate(counts)]
    return np.vstack(draws), np.repeat(np.arange(len(weights)), counts)


def e_step_on_new_data(family, X, weights, params, *, where, fix):
    """:func:`emlib.em.e_step` on data given to predict or score.

    A sample of density 0 under every component gets a message that says so
    and how to fix it (WHERE is inserted after "every component", with ``{i}``
    standing for the sample's index; FIX is the remedy).
    """
    try:
        return e_step(family, X, weights, params)
    except ZeroDensityError as error:
        if error.value != -np.inf:  # NaN or +inf: its own message says which
            raise
        i = error.row
        raise ZeroDensityError(
            f"X[{i}] lies so far from every component{where.format(i=i)} that its density is 0 "
            f"in floating point (ln p = {error.value}), so its class probabilities are "
            f"undefined. {fix} before fitting and predicting.", i, error.value) from None


@dataclass
class FitPlan:
    """What a subclass's ``_prepare`` hands to the one fit of :class:`MixtureEstimator`.

    Attributes
    ----------
    family : the component family to fit
    data : the validated data (an ndarray, or the family's data object)
    sample_weight : ndarray or None
    initialise : callable
        ``initialise(rng)`` returns a start ``(weights, params)``.
    n_init : int
    previous_lower_bound : float
        Where the stopping rule starts (a warm start's last value).
    n_features : int
        Recorded as ``n_features_in_``.
    extra : dict
        Anything the subclass's ``_store`` needs (e.g. the output dtype).
    """

    family: object
    data: object
    sample_weight: object
    initialise: Callable
    n_init: int
    n_features: int
    previous_lower_bound: float = -np.inf
    extra: dict = None


class MixtureEstimator(DensityMixin, BaseEstimator):
    """Base class of :class:`~emlib.GaussianMixture`, :class:`~emlib.Mixture` and
    :class:`~emlib.XDGMM`."""

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the parameters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples,)
            Or a dask array, fitted chunk by chunk without being loaded
            (needs ``emlib[scale]``; see :mod:`emlib.backends_dask`).
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; an integer weight counts the sample that
            many times, a zero weight drops it. Only their ratios matter:
            ``c * sample_weight`` gives the same fit for any c > 0.

        If X is a data frame with string column names, they are kept as
        ``feature_names_in_`` and later data must have the same columns.
        """
        self._fit(X, sample_weight)
        check.record_feature_names(self, X)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return the most probable component of each sample."""
        result = self._fit(X, sample_weight)
        check.record_feature_names(self, X)
        if result.responsibilities is None:  # chunked data: labels are computed lazily
            return self.predict(X)
        return result.responsibilities.argmax(axis=1)

    def _fit(self, X, sample_weight=None, per_sample=None, **options):
        """Validate, start, run EM from n_init starts, record: the one fit of every mixture.

        ``per_sample`` holds arrays with one entry per sample besides X (XDGMM's
        ``Xerr`` and ``projection``), passed to ``_prepare`` as keywords with
        ``options``; a chunked backend cuts them like X.
        """
        per_sample = per_sample or {}
        chunked = _dask_backend(X, sample_weight, per_sample, verbose=self.verbose)
        if chunked is None:
            plan = self._prepare(X, sample_weight, **per_sample, **options)
            data = plan.data
        else:  # the start comes from rows in memory; every EM pass runs on the chunks
            sample, sample_weights, sample_side = chunked.start_sample(
                check.check_random_state(self.random_state))
            plan = self._prepare(sample, sample_weights, **sample_side, **options)
            if plan.extra and "weight_exponent" in plan.extra:
                # The passes on the chunks use the weights as given, not rescaled.
                plan.extra["weight_exponent"] = 0
            chunked.check_family(plan.family)
            data = chunked
        result = fit_with_restarts(
            plan.family, data, plan.initialise, n_init=plan.n_init,
            rng=check.check_random_state(self.random_state,
                                         legacy_seeding=self._seeds_as_scikit_learn()),
            sample_weight=None if chunked is not None else plan.sample_weight,
            tol=self.tol, max_iter=self.max_iter, verbose=self.verbose,
            previous_lower_bound=plan.previous_lower_bound)
        self._store(result, plan)
        record_fit(self, result, plan.n_features)
        return result

    def _seeds_as_scikit_learn(self):
        """Seed the starts as scikit-learn does, so its start methods draw its very start."""
        return True

    # ------------------------------------------------------------- inference
    def _e_step(self, X, **side):
        """ln p(x_i) and p(j | x_i) for new data, after checking it."""
        check.check_is_fitted(self)
        check.check_feature_names(self, X)
        chunked = _dask_backend(X, None, side)  # side: XDGMM's Xerr and projection
        if chunked is not None:
            return chunked.e_step(self._family(), self.weights_, self._params(),
                                  where=self._where, fix=self._fix,
                                  n_features=self.n_features_in_, model=type(self).__name__)
        data, dtype = self._check_new_data(X, **side)
        # Squares of huge coordinates overflow; that is reported below instead.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            log_density, resp = e_step_on_new_data(
                self._family(), data, self.weights_, self._params(), where=self._where,
                fix=self._fix)
        return log_density.astype(dtype, copy=False), resp.astype(dtype, copy=False)

    #: Inserted in the message for a sample of density 0 ("... from every component{where}").
    _where = " (or outside their support)"
    _fix = "Rescale the data (e.g. standardise it)"

    def _check_new_data(self, X):
        """Validated data for predict and score, and the dtype of the outputs."""
        family = self._family()
        dtype = check.output_dtype(X)
        X = family.check_data(check.check_data(X))
        check.check_n_features(X, self.n_features_in_, model=type(self).__name__)
        return X, dtype

    def score_samples(self, X):
        """ln p(x_i | theta) for each sample (eq. 1 in logs), shape (n_samples,)."""
        return self._e_step(X)[0]

    def score(self, X, y=None, sample_weight=None):
        """Mean ln p(x_i | theta) per sample (weighted by ``sample_weight``)."""
        log_density = self.score_samples(X)
        if sample_weight is None:
            return float(log_density.mean())
        weights = check.check_sample_weight(sample_weight, log_density.shape[0])
        return float(np.average(log_density, weights=weights))

    def predict_proba(self, X):
        """Class probabilities p(j | x_i) (eq. 2), shape (n_samples, n_components)."""
        return self._e_step(X)[1]

    def predict(self, X):
        """The most probable component of each sample."""
        return self.predict_proba(X).argmax(axis=1)

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        With an int ``random_state`` every call gives the same draws, as in
        scikit-learn.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            The component each sample was drawn from.
        """
        check.check_is_fitted(self)
        try:
            check.check_int(n_samples, "n_samples", 1)
        except ValueError as error:  # also in scikit-learn's words, which code may match on
            raise ValueError(f"{error} (Invalid value for 'n_samples': {n_samples}; at least "
                             "one sample must be drawn.)") from None
        return draw_samples(self._family(), self.weights_, self._params(), n_samples,
                            check.check_random_state(self.random_state))

    # ------------------------------------------------------ model selection
    def n_parameters(self):
        """Free parameters: the components', plus n_components - 1 weights."""
        check.check_is_fitted(self)
        return self._family().n_parameters(self._params()) + len(self.weights_) - 1

    def aic(self, X):
        """Akaike information criterion on X (smaller is better)."""
        return aic(float(self.score_samples(X).sum()), self.n_parameters())  # float: dask too

    def bic(self, X):
        """Bayesian information criterion on X (smaller is better)."""
        log_density = self.score_samples(X)
        return bic(float(log_density.sum()), self.n_parameters(), log_density.shape[0])

    def icl(self, X):
        """Integrated completed likelihood on X: BIC plus twice the classification entropy."""
        log_density, resp = self._e_step(X)
        return icl(float(log_density.sum()), self.n_parameters(), log_density.shape[0], resp)

    # ------------------------------------------------------------ ordering
    def sort_components(self):
        """Put the components in a canonical order (by mean, or the family's key), in place.

        Component indices are arbitrary (label switching); sorting gives a
        canonical order, so printed results and colours do not depend on it.
        Returns ``self``.
        """
        check.check_is_fitted(self)
        family, params = self._family(), self._params()
        order = family.canonical_order(params)
        self._set_params(self.weights_[order], family.permute(params, order))
        return self


def _dask_backend(X, sample_weight, per_sample, verbose=False):
    """A chunked backend for a dask array X (None for data in memory).

    dask is imported only when a dask array arrives, so ``import emlib``
    works without it.
    """
    if type(X).__module__.split(".")[0] != "dask":
        return None
    from .backends_dask import DaskArrays  # needs emlib[scale]

    return DaskArrays(X, sample_weight, **per_sample, verbose=bool(verbose))
