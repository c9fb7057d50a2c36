"""``GaussianMixture``: the equations of the text, packaged as a scikit-learn estimator.

The class only validates its input, picks a start and hands the work to
:func:`emlib.em.fit_with_restarts` with a :class:`~emlib.families.GaussianFamily`.
Its parameters, attributes and methods carry scikit-learn's names, so code
written for ``sklearn.mixture.GaussianMixture`` runs unchanged on it.
"""

import numpy as np

from . import validation as check
from .estimator import FitPlan, MixtureEstimator
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import (
    DegenerateComponentError,
    covariances_from_precision_cholesky,
    precision_cholesky_from_precisions,
    precisions_from_cholesky,
    update_means,
)
from .initialisation import (
    INIT_METHODS,
    SINGLE_SAMPLE_STARTS,
    scikit_learn_tied_start,
    starting_responsibilities,
    textbook_start,
)
from .likelihood import effective_counts


class GaussianMixture(MixtureEstimator):
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
        The other four are scikit-learn's: responsibilities, then eq. 5 for
        the covariances, except a tied start from 'k-means++' or
        'random_from_data', which is scikit-learn's own (not eq. 5; see
        :func:`emlib.initialisation.scikit_learn_tied_start`).
    weights_init, means_init : array-like, optional
        Starting weights (n_components,) and means (n_components, n_features).
    precisions_init, covariances_init : array-like, optional
        Starting precisions or covariances (give at most one), in the shape
        of ``covariance_type``.
    random_state : None, int >= 0, numpy Generator or RandomState
        Seeds the starts. With the four scikit-learn methods it seeds them as
        scikit-learn does (an int is numpy's legacy ``RandomState(seed)``,
        None numpy's global stream), so the same ``random_state`` gives
        scikit-learn's start and, from there, its fit. ``'textbook'`` draws
        from ``np.random.default_rng(random_state)``.
    warm_start : bool, default=False
        If True, each ``fit`` starts where the previous one ended. Must be a
        bool (``'False'`` is refused, not read as true).
    verbose : int or bool, default=0
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
    feature_names_in_ : ndarray of str
        The column names, when ``fit`` was given a data frame with string
        column names; later data frames must have the same columns.

    Warns
    -----
    emlib.validation.ScaleWarning
        At ``fit``, when ``reg_covar`` is at least 1/100 of the variance of
        some feature of the data (e.g. data at the 1e-6 scale): it would blur
        or merge the clusters.
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
    def _prepare(self, X, sample_weight):
        """Validate the settings and the data; the family, the data and how to start."""
        self._check_parameters()
        dtype = check.output_dtype(X)
        X = check.check_magnitude(check.check_data(X))
        sample_weight = None if sample_weight is None else check.check_sample_weight(
            sample_weight, X.shape[0])
        n_used = X.shape[0] if sample_weight is None else int(np.count_nonzero(sample_weight))
        check.check_enough_samples(n_used, self.n_components)
        check.check_distinct_points(X, self.n_components, sample_weight, self.reg_covar)
        check.check_reg_covar_scale(X, self.reg_covar, "reg_covar", sample_weight)
        # Huge or tiny weights are brought near 1 exactly (a power of two); ln L is scaled back.
        sample_weight, weight_exponent = check.rescale_sample_weight(sample_weight)
        family = GaussianFamily(self.covariance_type, self.reg_covar)
        extra = {"dtype": dtype, "weight_exponent": weight_exponent}
        if self.warm_start and hasattr(self, "converged_"):
            check.check_n_features(X, self.n_features_in_, model=type(self).__name__)
            self._check_warm_start_matches(X.shape[1])
            previous_fit = (self.weights_, self._params())
            return FitPlan(family, X, sample_weight, lambda rng: previous_fit, 1, X.shape[1],
                           self.lower_bound_, extra)
        given = self._check_initial_values(X.shape[1])
        return FitPlan(family, X, sample_weight,
                       lambda rng: self._start(X, sample_weight, family, rng, given),
                       self.n_init, X.shape[1], -np.inf, extra)

    def _store(self, result, plan):
        with np.errstate(over="ignore"):  # a total beyond float64 is -inf, its true size
            result.log_likelihoods = np.ldexp(result.log_likelihoods,
                                              plan.extra["weight_exponent"])
        # Computed in float64; stored in float32 for float32 data, as scikit-learn does.
        self._set_params(result.weights, result.params, plan.extra["dtype"])

    def _check_parameters(self):
        check.check_int(self.n_components, "n_components", 1)
        check.check_choice(self.covariance_type, "covariance_type", check.COVARIANCE_TYPES)
        check.check_float(self.tol, "tol", 0.0)
        check.check_float(self.reg_covar, "reg_covar", 0.0)
        check.check_int(self.max_iter, "max_iter", 0)
        check.check_int(self.n_init, "n_init", 1)
        check.check_choice(self.init_params, "init_params", INIT_METHODS)
        check.check_bool(self.warm_start, "warm_start")
        check.check_verbose(self.verbose, "verbose")
        check.check_int(self.verbose_interval, "verbose_interval", 1)
        check.check_random_state(self.random_state)
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
            return weights, gaussian_parameters(means, covariances, kind)
        weights, resp = starting_responsibilities(self.init_params, X, k, rng, sample_weight)
        if not need_covariances:
            return weights, {"means": update_means(X, resp, effective_counts(resp))}
        if kind == "tied" and self.init_params in SINGLE_SAMPLE_STARTS:
            counts = effective_counts(resp)
            means = update_means(X, resp, counts)
            covariance = scikit_learn_tied_start(X, counts, means, self.reg_covar, sample_weight)
            return weights, gaussian_parameters(means, covariance, kind)
        try:
            return weights, family.maximise(X, resp, None)
        except DegenerateComponentError as error:
            if error.cause != "collapse":
                raise  # the data's scale, not the start: that message says so
            raise DegenerateComponentError(
                f"The start from init_params={self.init_params!r} gives a component a zero "
                f"covariance (with reg_covar={self.reg_covar}), so it has collapsed before EM "
                "begins: 'k-means++' and 'random_from_data' start each component on a single "
                "sample, and any start can land a component on repeated or identical samples. "
                "Use reg_covar > 0 (the default is 1e-6), init_params='kmeans' or 'textbook', "
                "fewer components, or give precisions_init; or rescale/jitter the data."
                + check.SKLEARN_COLLAPSE_WORDS
            ) from None

    def _seeds_as_scikit_learn(self):
        # The text's recipe is the course's own: its seeds keep numpy's default_rng stream.
        return self.init_params != "textbook"

    def _params(self):
        return {"means": self.means_, "covariances": self.covariances_,
                "precisions_cholesky": self.precisions_cholesky_}

    def _set_params(self, weights, params, dtype=None):
        """Store the fit, in ``dtype`` (default: float32 if the means are, else float64)."""
        if dtype is None:
            dtype = np.float32 if np.asarray(params["means"]).dtype == np.float32 else np.float64

        # Owned, C-contiguous copies: a view (e.g. a transposed factor) would be
        # stored contiguous by pickle, and BLAS rounds the two layouts differently.
        def own(array):
            return np.array(array, dtype=dtype, order="C", copy=True)

        factors = np.array(params["precisions_cholesky"], dtype=np.float64, order="C")
        self.weights_ = own(weights)
        self.means_ = own(params["means"])
        self.covariances_ = own(params["covariances"])
        self.precisions_cholesky_ = own(factors)
        # From the float64 factors (C order, as before), then rounded once to dtype.
        self.precisions_ = own(precisions_from_cholesky(factors, self.covariance_type))

    def _family(self):
        return GaussianFamily(self.covariance_type, self.reg_covar)

    _n_parameters = MixtureEstimator.n_parameters  # scikit-learn's (private) name for it
