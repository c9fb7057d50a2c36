"""``GaussianMixture``: the equations of the text, packaged as a scikit-learn estimator.

The class only validates its input, picks a start and hands the work to
:func:`emlib.em.fit_with_restarts` with a :class:`~emlib.families.GaussianFamily`.
Its parameters, attributes and methods carry scikit-learn's names, so code
written for ``sklearn.mixture.GaussianMixture`` runs unchanged on it.
"""

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from . import validation as check
from .em import e_step, fit_with_restarts
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import (
    DegenerateComponentError,
    _collapse_message,
    covariances_from_precision_cholesky,
    precision_cholesky_from_precisions,
    precisions_from_cholesky,
    update_means,
)
from .information_criteria import aic, bic, icl, n_gaussian_mixture_parameters
from .initialisation import INIT_METHODS, RESPONSIBILITY_STARTS, textbook_start
from .likelihood import effective_counts, update_weights


class GaussianMixture(DensityMixin, BaseEstimator):
    """A mixture of Gaussians fitted by maximum likelihood with EM.

    Parameters
    ----------
    n_components : int, default=1
        Number of Gaussian components M.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Shape of the covariances (see :mod:`emlib.gaussian`).
    tol : float, default=1e-3
        Stop when the mean per-sample ln L changes by less than ``tol``
        between iterations; ``tol=0`` runs exactly ``max_iter`` iterations.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in each M-step.
    max_iter : int, default=100
        EM iterations per start.
    n_init : int, default=1
        Number of starts; the fit with the highest ln L is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', 'textbook'}
        How to start. ``'textbook'`` is the text's recipe: equal weights,
        means drawn from the data, every covariance the sample covariance.
    weights_init, means_init : array-like, optional
        Starting weights (n_components,) and means (n_components, n_features).
    precisions_init, covariances_init : array-like, optional
        Starting precisions or covariances (give at most one), in the shape
        of ``covariance_type``.
    random_state : None, int, numpy Generator or RandomState
    warm_start : bool, default=False
        If True, each ``fit`` starts where the previous one ended.
    verbose : int, default=0
        Print ln L after every iteration when positive.
    verbose_interval : int, default=10
        Accepted for compatibility with scikit-learn.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        In 1-D these are variances sigma^2, not standard deviations.
    precisions_, precisions_cholesky_ : ndarray
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean per-sample ln L from the last iteration's E-step of the best start.
    lower_bounds_ : list of float
        That value after every iteration of the best start.
    log_likelihoods_ : ndarray of shape (n_iter_ + 1,)
        The total ln L at the start and after every iteration of the best start.
    n_features_in_ : int
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, covariances_init=None,
                 random_state=None, warm_start=False, verbose=0, verbose_interval=10):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.covariances_init = covariances_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval

    # ---------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Estimate the parameters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples,)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; an integer weight counts the sample that
            many times, a zero weight drops it.
        """
        self._fit(X, sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return the most probable component of each sample."""
        return self._fit(X, sample_weight).responsibilities.argmax(axis=1)

    def _fit(self, X, sample_weight):
        self._check_parameters()
        X = check.check_magnitude(check.check_data(X))
        sample_weight = None if sample_weight is None else check.check_sample_weight(
            sample_weight, X.shape[0])
        n_used = X.shape[0] if sample_weight is None else int(np.count_nonzero(sample_weight))
        check.check_enough_samples(n_used, self.n_components)
        family = GaussianFamily(self.covariance_type, self.reg_covar)
        warm = self.warm_start and hasattr(self, "converged_")
        if warm:
            check.check_n_features(X, self.n_features_in_)
            self._check_warm_start_matches(X.shape[1])
            start = (self.weights_, self._params())
            initialise, n_init, previous = (lambda rng: start), 1, self.lower_bound_
        else:
            fixed = self._check_initial_values(X.shape[1])
            initialise = lambda rng: self._start(X, sample_weight, family, rng, fixed)  # noqa: E731
            n_init, previous = self.n_init, -np.inf
        result = fit_with_restarts(
            family, X, initialise, n_init=n_init, rng=check.check_random_state(self.random_state),
            sample_weight=sample_weight, tol=self.tol, max_iter=self.max_iter,
            verbose=self.verbose, previous_lower_bound=previous)
        _check_not_collapsed(result.params["covariances"], self.covariance_type, X)
        self._set_params(result.weights, result.params)
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self.lower_bound_ = result.lower_bound
        self.lower_bounds_ = result.lower_bounds
        self.log_likelihoods_ = result.log_likelihoods
        self.n_features_in_ = X.shape[1]
        return result

    def _check_parameters(self):
        check.check_int(self.n_components, "n_components", 1)
        check.check_choice(self.covariance_type, "covariance_type", check.COVARIANCE_TYPES)
        check.check_float(self.tol, "tol", 0.0)
        check.check_float(self.reg_covar, "reg_covar", 0.0)
        check.check_int(self.max_iter, "max_iter", 0)
        check.check_int(self.n_init, "n_init", 1)
        check.check_choice(self.init_params, "init_params", INIT_METHODS)
        if self.precisions_init is not None and self.covariances_init is not None:
            raise ValueError("Give precisions_init or covariances_init, not both.")

    def _check_warm_start_matches(self, n_features):
        """A warm start needs the previous fit to have today's shape."""
        expected = check.covariance_shape(self.covariance_type, self.n_components, n_features)
        if self.weights_.shape[0] != self.n_components or self.covariances_.shape != expected:
            raise ValueError(
                f"warm_start=True continues from the previous fit, which had "
                f"n_components={self.weights_.shape[0]} and covariances of shape "
                f"{self.covariances_.shape}, but n_components={self.n_components} and "
                f"covariance_type={self.covariance_type!r} need shape {expected}. "
                "Set warm_start=False to start afresh."
            )

    def _check_initial_values(self, n_features):
        """The user's starting values, validated (None where not given)."""
        k, kind = self.n_components, self.covariance_type
        fixed = {"weights": None, "means": None, "factors": None}
        if self.weights_init is not None:
            fixed["weights"] = check.check_weights(self.weights_init, k)
        if self.means_init is not None:
            fixed["means"] = check.check_means(self.means_init, k, n_features)
        if self.precisions_init is not None:
            precisions = check.check_covariance_matrices(
                self.precisions_init, kind, k, n_features, "precisions_init")
            fixed["factors"] = precision_cholesky_from_precisions(precisions, kind)
        if self.covariances_init is not None:
            covariances = check.check_covariance_matrices(
                self.covariances_init, kind, k, n_features, "covariances_init")
            fixed["factors"] = gaussian_parameters(
                np.zeros((k, n_features)), covariances, kind)["precisions_cholesky"]
        return fixed

    def _start(self, X, sample_weight, family, rng, fixed):
        """Starting weights and parameters: the chosen method, then the user's values."""
        kind = self.covariance_type
        weights, means, factors = fixed["weights"], fixed["means"], fixed["factors"]
        if any(value is None for value in fixed.values()):
            start_weights, params = self._method_start(X, sample_weight, family, rng,
                                                       need_covariances=factors is None)
            weights = start_weights if weights is None else weights
            means = params["means"] if means is None else means
            if factors is None:
                # Use the method's covariances as they are: rebuilding them from
                # the Cholesky factors loses accuracy when they are nearly singular.
                return weights, {"means": means, "covariances": params["covariances"],
                                 "precisions_cholesky": params["precisions_cholesky"]}
        covariances = covariances_from_precision_cholesky(factors, kind)
        return weights, {"means": means, "covariances": covariances,
                         "precisions_cholesky": factors}

    def _method_start(self, X, sample_weight, family, rng, need_covariances):
        """Weights and parameters from ``init_params`` (covariances only if needed)."""
        k, kind = self.n_components, self.covariance_type
        if self.init_params == "textbook":
            weights, means, covariances = textbook_start(X, k, rng, kind, sample_weight)
            if not need_covariances:
                return weights, {"means": means}
            compute = lambda: gaussian_parameters(means, covariances, kind)  # noqa: E731
        else:
            resp = RESPONSIBILITY_STARTS[self.init_params](X, k, rng, sample_weight)
            if sample_weight is not None:
                resp = resp * sample_weight[:, np.newaxis]
            weights = update_weights(resp)
            if not need_covariances:
                return weights, {"means": update_means(X, resp, effective_counts(resp))}
            compute = lambda: family.maximise(X, resp, None)  # noqa: E731
        try:
            params = compute()
            _check_not_collapsed(params["covariances"], kind, X)
        except DegenerateComponentError:
            raise DegenerateComponentError(
                f"The start from init_params={self.init_params!r} gives a component a zero "
                f"covariance (with reg_covar={self.reg_covar}): 'k-means++' and "
                "'random_from_data' start each component on a single sample, and any start "
                "can land a component on identical samples. Use reg_covar > 0 (the default "
                "is 1e-6), init_params='kmeans' or 'textbook', or give precisions_init."
            ) from None
        return weights, params

    def _params(self):
        return {"means": self.means_, "covariances": self.covariances_,
                "precisions_cholesky": self.precisions_cholesky_}

    def _set_params(self, weights, params):
        self.weights_ = weights
        self.means_ = params["means"]
        self.covariances_ = params["covariances"]
        self.precisions_cholesky_ = params["precisions_cholesky"]
        self.precisions_ = precisions_from_cholesky(self.precisions_cholesky_,
                                                    self.covariance_type)

    # ------------------------------------------------------------- inference
    def _e_step(self, X):
        check.check_is_fitted(self)
        X = check.check_data(X)
        check.check_n_features(X, self.n_features_in_)
        family = GaussianFamily(self.covariance_type, self.reg_covar)
        # Squares of huge coordinates overflow; we report that below instead of warning.
        with np.errstate(over="ignore", invalid="ignore"):
            log_density, resp = e_step(family, X, self.weights_, self._params())
        if not np.all(np.isfinite(log_density)):
            i = int(np.argmin(np.isfinite(log_density)))
            raise ValueError(
                f"X[{i}] lies so far from every component that its density is 0 in floating "
                f"point (ln p = {log_density[i]}), so its class probabilities are undefined. "
                "Rescale the data (e.g. standardise it) before fitting and predicting."
            )
        return log_density, resp

    def score_samples(self, X):
        """ln p(x_i | theta) for each sample, shape (n_samples,)."""
        return self._e_step(X)[0]

    def score(self, X, y=None, sample_weight=None):
        """Mean ln p(x_i | theta) per sample (weighted by ``sample_weight``)."""
        log_density = self.score_samples(X)
        return float(np.average(log_density, weights=sample_weight))

    def predict_proba(self, X):
        """Class probabilities p(j | x_i) (eq. 2), shape (n_samples, n_components)."""
        return self._e_step(X)[1]

    def predict(self, X):
        """The most probable component of each sample."""
        return self.predict_proba(X).argmax(axis=1)

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            The component each sample was drawn from.
        """
        check.check_is_fitted(self)
        check.check_int(n_samples, "n_samples", 1)
        rng = check.check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        family = GaussianFamily(self.covariance_type, self.reg_covar)
        draws = [family.sample(rng, self._params(), k, int(n)) for k, n in enumerate(counts)]
        labels = np.repeat(np.arange(self.n_components), counts)
        return np.vstack(draws), labels

    # ------------------------------------------------------ model selection
    def _n_parameters(self):
        return n_gaussian_mixture_parameters(self.n_components, self.n_features_in_,
                                             self.covariance_type)

    def aic(self, X):
        """Akaike information criterion on X (smaller is better)."""
        log_density = self.score_samples(X)
        return aic(log_density.sum(), self._n_parameters())

    def bic(self, X):
        """Bayesian information criterion on X (smaller is better)."""
        log_density = self.score_samples(X)
        return bic(log_density.sum(), self._n_parameters(), log_density.shape[0])

    def icl(self, X):
        """Integrated completed likelihood on X: BIC plus twice the classification entropy."""
        log_density, resp = self._e_step(X)
        return icl(log_density.sum(), self._n_parameters(), log_density.shape[0], resp)

    # ------------------------------------------------------------ ordering
    def sort_components(self):
        """Reorder the components by their means (lexicographically in d-D), in place.

        Component indices are arbitrary (label switching); sorting gives a
        canonical order, so printed results and colours do not depend on it.
        Returns ``self``.
        """
        check.check_is_fitted(self)
        family = GaussianFamily(self.covariance_type, self.reg_covar)
        order = family.canonical_order(self._params())
        self._set_params(self.weights_[order], family.permute(self._params(), order))
        return self


def _check_not_collapsed(covariances, covariance_type, X):
    """Refuse a fit in which some variance has shrunk to rounding noise.

    With ``reg_covar=0`` a component that sits on repeated points gets a
    variance of zero up to rounding (e.g. 5e-32 for points equal to 1.3).
    That is positive, so its Cholesky factor exists and ln L is finite, but
    the likelihood is unbounded there and the fit means nothing. A variance
    below (1000 eps max|x|)^2 cannot be told from zero at the data's precision.
    """
    floor = (1e3 * np.finfo(np.float64).eps * np.abs(X).max()) ** 2
    if covariance_type == "full":
        smallest = np.linalg.eigvalsh(covariances)[:, 0]
    elif covariance_type == "tied":
        smallest = np.linalg.eigvalsh(covariances)[:1]
    elif covariance_type == "diag":
        smallest = covariances.min(axis=1)
    else:
        smallest = covariances
    if np.any(smallest <= floor):
        raise DegenerateComponentError(_collapse_message(int(np.argmin(smallest))))
