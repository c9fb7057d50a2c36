"""``XDGMM``: a Gaussian mixture fitted to data with known measurement errors.

The class validates its input into :class:`~emlib.deconvolution.Measurements`
and fits them with the component family
(:class:`~emlib.families.xd.ExtremeDeconvolutionFamily`, or
:class:`~emlib.families.xd.Eq7Family` for the text's 1-D route) through the
one fit of :class:`~emlib.estimator.MixtureEstimator`, the EM loop every
mixture in the course uses; scores, labels, samples, criteria and the
canonical order come from that base too. The fitted ``means_`` and
``covariances_`` are *intrinsic*: the distribution of the true values, with
the errors taken out.

Compared with astroML's ``XDGMM`` it computes responsibilities in log space,
is vectorised over points and components, can regularise covariances, fix
chosen parameters, handle projections (missing or combined coordinates) and
sample weights, and ``sample`` honours ``random_state``.

For code written for astroML the class also answers to astroML's names
(``mu``, ``V``, ``alpha``, ``logL``, ``logprob_a``, ``fit(X, Xerr, R)``,
``sample(size=...)`` and its constructor arguments), as aliases of the
scikit-learn-style names; tests/test_astroml_suite.py runs astroML's own XD
tests against this class. One difference remains: a positional
``sample(n)`` keeps scikit-learn's ``(draws, labels)`` return, so astroML
code that wants the draws alone writes ``sample(size=n)``.
"""

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import NotFittedError

from . import validation as check
from .deconvolution import Measurements
from .estimator import FitPlan, MixtureEstimator, draw_samples
from .families.xd import Eq7Family, ExtremeDeconvolutionFamily
from .information_criteria import aic, bic, icl
from .initialisation import kmeans_responsibilities
from .likelihood import update_weights

METHODS = ("xd", "eq7")
# The fitted attributes and the names astroML gives them.
_ALIASES = (("weights_", "alpha"), ("means_", "mu"), ("covariances_", "V"))
_FIXED = ("fixed_weights", "fixed_means", "fixed_covariances")


class XDGMM(MixtureEstimator):
    """Extreme deconvolution: a Gaussian mixture for the true values behind noisy data.

    Each sample x_i is modelled as x_i = R_i y_i + epsilon_i, with y_i drawn
    from a mixture of Gaussians N(mu_j, V_j) and epsilon_i ~ N(0, S_i) its
    known measurement error; the likelihood is eq. 1 with each component
    convolved with the sample's error, N(x_i | R_i mu_j, R_i V_j R_i^T + S_i).

    Parameters
    ----------
    n_components : int, default=1
    max_iter : int, default=100
        EM iterations per start.
    tol : float, default=1e-3
        Stop when the mean per-sample ln L changes by less than ``tol``;
        ``tol=0`` runs exactly ``max_iter`` iterations (as in
        :class:`emlib.GaussianMixture`). Not the same number as astroML's
        ``tol`` (default 1e-5), which bounds the change of the *total* ln L:
        astroML's ``tol=t`` corresponds to ``tol=t / n_samples`` here.
    verbose : int or bool, default=0
        Print the mean ln L after every EM iteration (astroML's argument;
        its output format differs).
    reg_covar : float, default=1e-6
        Added to the diagonal of every intrinsic covariance in each M-step.
        With ``reg_covar=0`` (and no projection) this is plain XD.
    n_init : int, default=1
        Number of starts (k-means on the data); the best fit is kept.
    random_state : None, int, numpy Generator or RandomState
        Controls the starts and :meth:`sample`.
    weights_init, means_init, covariances_init : array-like, optional
        Starting values, shapes (K,), (K, d), (K, d, d) (in 1-D, (K,) is
        accepted for means and variances). Required for the components held
        fixed in :meth:`fit`.
    method : {'xd', 'eq7'}, default='xd'
        ``'xd'``: Bovy, Hogg & Roweis's closed-form M-step, any dimension.
        ``'eq7'``: the text's route (1-D only): the precision-weighted mean
        update and eq. 7 (sign corrected) solved numerically for sigma_j^2.

    Attributes
    ----------
    weights_ : ndarray of shape (K,)
    means_ : ndarray of shape (K, d)
    covariances_ : ndarray of shape (K, d, d)
        Intrinsic covariances (in 1-D, variances sigma_j^2).
    converged_ : bool
    n_iter_ : int
    log_likelihoods_ : ndarray of shape (n_iter_ + 1,)
        Total ln L at the start and after every iteration of the best start.
    lower_bound_, lower_bounds_ : float, list of float
        Mean per-sample ln L after the last / every iteration (scikit-learn's names).
    at_boundary_ : ndarray of bool, shape (K,)
        Components whose intrinsic covariance is at zero width (its smallest
        eigenvalue at ``reg_covar``): for ``'eq7'`` these are the components
        where eq. 7 has no positive root; XD only approaches that boundary.
    n_features_in_ : int
        Number of observed coordinates.
    alpha, mu, V : ndarray
        Aliases of ``weights_``, ``means_`` and ``covariances_``, for code
        written for astroML (which may also assign them).

    Notes
    -----
    For code written for astroML: ``n_components, max_iter, tol, verbose,
    random_state`` may be given by position, in astroML's order; the other
    arguments are keyword-only. astroML starts EM from a short scikit-learn
    GaussianMixture run, this class from k-means, so fits from the same
    ``random_state`` are not draw-for-draw the same.
    """

    def __init__(self, n_components=1, max_iter=100, tol=1e-3, verbose=0, random_state=None,
                 *, reg_covar=1e-6, n_init=1, weights_init=None, means_init=None,
                 covariances_init=None, method="xd"):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.reg_covar = reg_covar
        self.n_init = n_init
        self.random_state = random_state
        self.weights_init = weights_init
        self.means_init = means_init
        self.covariances_init = covariances_init
        self.method = method

    # ---------------------------------------------------------------- fitting
    def fit(self, X, Xerr, projection=None, sample_weight=None, fixed_weights=None,
            fixed_means=None, fixed_covariances=None, *, R=None):
        """Estimate the intrinsic mixture by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, d_obs) or (n_samples,)
        Xerr : array-like
            The measurement errors, one of
            (n_samples,): standard deviations, 1-D data only;
            (n_samples, d_obs): standard deviations of each coordinate (uncorrelated);
            (n_samples, d_obs, d_obs): error covariance matrices (symmetric, positive
            semi-definite).
        projection : array-like of shape (d_obs, d) or (n_samples, d_obs, d), optional
            R_i in x_i = R_i y_i + noise: which combinations of the d true
            coordinates each sample measures (None: all of them, R_i = 1).
            For missing coordinates see :func:`emlib.deconvolution.missing_as_projection`.
        sample_weight : array-like of shape (n_samples,), optional
        fixed_weights, fixed_means, fixed_covariances : bool or array-like of bool (K,), optional
            Components whose weight / mean / covariance keeps its value from
            ``weights_init`` / ``means_init`` / ``covariances_init`` (True: all).
        R : array-like, optional
            Alias of ``projection``, for code written for astroML (whose
            ``fit(X, Xerr, R=None)`` names it so; a third positional argument
            is the projection either way).

        Raises
        ------
        ValueError
            For bad settings or arrays, and for a projection that leaves some
            true coordinate (or covariance) unmeasured by every sample: the
            data say nothing about it, and EM would silently return its start.

        If X is a data frame with string column names, they are kept as
        ``feature_names_in_`` and later data must have the same columns.
        """
        self._fit_measurements(X, Xerr, projection, sample_weight, fixed_weights, fixed_means,
                               fixed_covariances, R)
        return self

    def fit_predict(self, X, Xerr, projection=None, sample_weight=None, fixed_weights=None,
                    fixed_means=None, fixed_covariances=None, *, R=None):
        """Fit as :meth:`fit`, then return the most probable component of each sample."""
        result = self._fit_measurements(X, Xerr, projection, sample_weight, fixed_weights,
                                        fixed_means, fixed_covariances, R)
        if result.responsibilities is None:  # chunked data: labels are computed lazily
            return self.predict(X, Xerr, _projection_or_alias(projection, R))
        return result.responsibilities.argmax(axis=1)

    def _fit_measurements(self, X, Xerr, projection, sample_weight, fixed_weights, fixed_means,
                          fixed_covariances, R):  # noqa: N803 (astroML's name)
        projection = _projection_or_alias(projection, R)
        result = self._fit(X, sample_weight, per_sample={"Xerr": Xerr, "projection": projection},
                           fixed_weights=fixed_weights, fixed_means=fixed_means,
                           fixed_covariances=fixed_covariances)
        check.record_feature_names(self, X)
        return result

    def _prepare(self, X, sample_weight, Xerr, projection=None, fixed_weights=None,
                 fixed_means=None, fixed_covariances=None):
        """Validate the settings and the measurements; the family, the data and how to start."""
        self._check_parameters()
        data = _check_measurements(X, Xerr, projection)
        n_features = data.n_features
        if self.method == "eq7" and (n_features != 1 or data.projection is not None):
            raise ValueError(
                "method='eq7' is the text's 1-D route: it needs 1-D data without a projection; "
                f"got {n_features}-D data"
                f"{' with a projection' if data.projection is not None else ''}. Use method='xd'.")
        sample_weight = None if sample_weight is None else check.check_sample_weight(
            sample_weight, len(data))
        n_used = len(data) if sample_weight is None else int(np.count_nonzero(sample_weight))
        check.check_enough_samples(n_used, self.n_components)
        initial = self._check_initial_values(n_features)
        fixed = {name: _check_fixed(value, name, self.n_components, initial[key], init_name)
                 for name, value, key, init_name in (
                     ("fixed_weights", fixed_weights, "weights", "weights_init"),
                     ("fixed_means", fixed_means, "means", "means_init"),
                     ("fixed_covariances", fixed_covariances, "covariances", "covariances_init"))}
        if data.projection is not None:
            _check_projection_determines_parameters(
                data.projection, sample_weight,
                check_means=not _all_fixed(fixed["fixed_means"]),
                check_covariances=not _all_fixed(fixed["fixed_covariances"]))
        family_class = Eq7Family if self.method == "eq7" else ExtremeDeconvolutionFamily
        family = family_class(self.reg_covar, **fixed, weight_values=initial["weights"])
        data = family.check_data(data)
        # reg_covar competes with R V R^T + S: errors far larger than it leave it harmless.
        mean_error_variance = np.diagonal(data.error_covariances, axis1=1,
                                          axis2=2).mean(axis=0).min()
        if data.projection is not None or \
                self.reg_covar > check.REG_COVAR_WARNING_FRACTION * mean_error_variance:
            check.check_reg_covar_scale(data.true_value_estimates(), self.reg_covar,
                                        sample_weight=sample_weight)
        return FitPlan(family, data, sample_weight,
                       lambda rng: self._start(data, sample_weight, family, rng, initial),
                       self.n_init, data.values.shape[1], extra={"fixed": fixed})

    def _store(self, result, plan):
        self._fixed = plan.extra["fixed"]
        self._set_params(result.weights, result.params)
        if self.method == "eq7" and np.any(self.at_boundary_):
            warnings.warn(
                f"Component(s) {np.flatnonzero(self.at_boundary_).tolist()} ended at zero "
                "intrinsic width: their points scatter about the mean less than their errors "
                "allow, eq. 7 has no positive root, and the likelihood is largest at "
                "sigma_j = 0. The width is not resolved by these data.",
                UserWarning, stacklevel=check.user_stacklevel())

    def _check_parameters(self):
        check.check_int(self.n_components, "n_components", 1)
        check.check_int(self.max_iter, "max_iter", 0)
        check.check_float(self.tol, "tol", 0.0)
        check.check_verbose(self.verbose, "verbose")
        check.check_float(self.reg_covar, "reg_covar", 0.0)
        check.check_int(self.n_init, "n_init", 1)
        check.check_choice(self.method, "method", METHODS)

    def _check_initial_values(self, n_features):
        k = self.n_components
        initial = {"weights": None, "means": None, "covariances": None}
        if self.weights_init is not None:
            initial["weights"] = check.check_weights(self.weights_init, k)
        if self.means_init is not None:
            initial["means"] = check.check_means(self.means_init, k, n_features)
        if self.covariances_init is not None:
            initial["covariances"] = check.check_covariance_matrices(
                self.covariances_init, "full", k, n_features, "covariances_init")
        return initial

    def _start(self, data, sample_weight, family, rng, initial):
        """k-means on (estimates of) the true values, one M-step, then the user's values."""
        if any(value is None for value in initial.values()):
            resp = kmeans_responsibilities(data.true_value_estimates(), self.n_components,
                                           rng, sample_weight)
            if sample_weight is not None:
                resp = resp * sample_weight[:, np.newaxis]
            weights, params = update_weights(resp), family.initialise(data, resp, rng)
        else:
            weights, params = None, {}
        weights = weights if initial["weights"] is None else initial["weights"]
        params = {name: params[name] if initial[name] is None else initial[name]
                  for name in ("means", "covariances")}
        return family.constrain_weights(weights), params

    # ------------------------------------------------------------- inference
    #: Inserted in the message for a sample of density 0, and the remedy.
    _where = ", given its error Xerr[{i}],"
    _fix = "Rescale the data and errors (e.g. divide both by the data's standard deviation)"

    def _family(self):
        """The fitted model's family: XD (eq. 7's model is the same), its fixed components."""
        fixed = self.__dict__.get("_fixed") or {}
        return ExtremeDeconvolutionFamily(fixed_means=fixed.get("fixed_means"),
                                          fixed_covariances=fixed.get("fixed_covariances"))

    def _e_step(self, X, **side):
        self._params()  # first, so a model not (or partly) fitted gets XDGMM's own message
        return super()._e_step(X, **side)

    def _check_new_data(self, X, Xerr, projection=None):
        """Validated measurements for predict and score (outputs in float64)."""
        n_true = self._params()["means"].shape[1]
        data = _check_measurements(X, Xerr, projection)
        if hasattr(self, "n_features_in_"):
            check.check_n_features(data.values, self.n_features_in_)
        if data.projection is None and data.values.shape[1] != n_true:
            raise ValueError(
                f"X has {data.values.shape[1]} feature(s) but the model's components have "
                f"{n_true} coordinates; pass the projection that maps them to X's coordinates "
                f"(or data with {n_true} features).")
        if data.projection is not None and data.n_features != n_true:
            raise ValueError(f"projection maps {data.n_features} true coordinates but the "
                             f"model has {n_true}.")
        return data, np.float64

    def score_samples(self, X, Xerr, projection=None):
        """ln p(x_i) = ln sum_j alpha_j N(x_i | R_i mu_j, R_i V_j R_i^T + S_i), shape (n,)."""
        return self._e_step(X, Xerr=Xerr, projection=projection)[0]

    def score(self, X, Xerr, projection=None):
        """Mean ln p(x_i | theta) per sample."""
        return float(np.mean(self.score_samples(X, Xerr, projection)))

    def predict_proba(self, X, Xerr, projection=None):
        """p(j | x_i) (eq. 2 with the convolved components), shape (n_samples, K)."""
        return self._e_step(X, Xerr=Xerr, projection=projection)[1]

    def predict(self, X, Xerr, projection=None):
        """The most probable component of each sample."""
        return self.predict_proba(X, Xerr, projection).argmax(axis=1)

    def logprob_a(self, X, Xerr, projection=None):
        """ln(alpha_j N(x_i | R_i mu_j, R_i V_j R_i^T + S_i)) per sample and component.

        Alias-style method for code written for astroML (its ``logprob_a``):
        the terms of eq. 1 before they are summed over components, so
        ``logsumexp(logprob_a(X, Xerr), axis=1)`` is :meth:`score_samples`.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        check.check_feature_names(self, X)
        data, _ = self._check_new_data(X, Xerr, projection)
        with np.errstate(divide="ignore"):  # a weight of 0 gives ln 0 = -inf, as in astroML
            log_weights = np.log(self.weights_)
        return self._family().log_densities(data, self._params()) + log_weights

    def logL(self, X, Xerr, projection=None):  # noqa: N802 (astroML's name)
        """Total ln L = sum_i ln p(x_i) over the samples (eq. 1).

        Alias-style method for code written for astroML (its ``logL`` is this
        sum, not the mean that :meth:`score` returns).
        """
        return float(np.sum(logsumexp(self.logprob_a(X, Xerr, projection), axis=1)))

    def sample(self, n_samples=None, *, size=None, random_state=None):
        """Draw *true* values from the deconvolved mixture (no measurement error added).

        The draws depend only on ``random_state`` (an int gives the same
        draws on every call, as in scikit-learn).

        Parameters
        ----------
        n_samples : int, default=1
            scikit-learn's form: returns ``(Y, labels)``.
        size : int or tuple of int, optional
            astroML's form, for code written for astroML: ``sample(size=s)``
            returns only the draws, of shape ``s + (d,)``, as astroML does.
            (A positional ``sample(n)`` is scikit-learn's form.)
        random_state : None, int, numpy Generator or RandomState, optional
            Used instead of the estimator's ``random_state`` for this call
            (astroML's argument; astroML itself ignores it).

        Returns
        -------
        Y : ndarray of shape (n_samples, d)
        labels : ndarray of shape (n_samples,)
            Both grouped by component, as in scikit-learn. With ``size``,
            only the draws, reshaped to ``size + (d,)``.
        """
        params = self._params()
        if n_samples is not None and size is not None:
            raise ValueError("Give n_samples (scikit-learn's form, returns draws and labels) "
                             "or size (astroML's form, returns the draws only), not both; "
                             f"got n_samples={n_samples!r} and size={size!r}.")
        if size is None:
            n_samples = 1 if n_samples is None else check.check_int(n_samples, "n_samples", 1)
            shape = None
        else:
            shape = _check_size(size)
            n_samples = int(np.prod(shape))
        rng = check.check_random_state(self.random_state if random_state is None
                                       else random_state)
        draws, labels = draw_samples(self._family(), self.weights_, params, n_samples, rng)
        if shape is None:
            return draws, labels
        return draws.reshape(shape + (draws.shape[1],))

    # ------------------------------------------------------ the parameters
    def _params(self):
        """The component parameters, after checking that the mixture is complete.

        Parameters assigned by hand (through the astroML aliases) are checked
        against each other once, before their first use.
        """
        present = [hasattr(self, name) for name, _ in _ALIASES]
        if not any(present):
            raise NotFittedError("This XDGMM is not fitted yet; call fit(X, Xerr) before using "
                                 "it (or assign all of alpha, mu and V, as in astroML).")
        if not all(present):
            missing = ", ".join(f"{alias} ({name})"
                                for (name, alias), here in zip(_ALIASES, present) if not here)
            raise NotFittedError(f"This XDGMM has only some of its parameters: {missing} not "
                                 "set. Assign all of alpha, mu and V, or call fit(X, Xerr).")
        if self._parameters_set_by_hand():
            self._check_parameters_set_by_hand()
        return {"means": self.means_, "covariances": self.covariances_}

    def _set_params(self, weights, params):
        """Keep a fit (or a reordering of it); which components are at zero width follows."""
        self.weights_ = weights
        self.means_ = params["means"]
        self.covariances_ = params["covariances"]
        # Zero width: the smallest eigenvalue of V_j is reg_covar (what M-steps add to it).
        self.at_boundary_ = np.linalg.eigvalsh(self.covariances_)[:, 0] <= \
            self.reg_covar * (1 + 1e-12)
        self._set_by_hand = False

    def _parameters_set_by_hand(self):
        return self.__dict__.get("_set_by_hand", False)

    def _check_parameters_set_by_hand(self):
        weights = check.check_weights(self.weights_, np.shape(self.weights_)[0],
                                      "alpha (weights_)")
        n_components = weights.shape[0]
        n_features = np.shape(self.means_)[1] if np.ndim(self.means_) == 2 else 1
        means = check.check_means(self.means_, n_components, n_features, "mu (means_)")
        covariances = check.check_covariance_matrices(self.covariances_, "full", n_components,
                                                      n_features, "V (covariances_)")
        # No fit held anything fixed or reached a boundary for these values.
        self._fixed = dict.fromkeys(_FIXED)
        self._set_params(weights, {"means": means, "covariances": covariances})

    def _set_by_alias(self, name, value, alias, ndim):
        array = check.check_data(value, name=alias, ensure_2d=False, any_ndim=True)
        if array.ndim not in ndim:
            raise ValueError(f"{alias} must be a {' or '.join(f'{n}-D' for n in ndim)} array; "
                             f"got shape {array.shape}.")
        if name == "means_" and "means_" in self.__dict__:
            old_dimension = np.shape(self.means_)[1] if np.ndim(self.means_) == 2 else 1
            new_dimension = array.shape[1] if array.ndim == 2 else 1
            if new_dimension != old_dimension:
                # The fit's record of the data's columns no longer describes the model.
                self.__dict__.pop("n_features_in_", None)
                self.__dict__.pop("feature_names_in_", None)
        setattr(self, name, array)
        self._set_by_hand = True

    @property
    def alpha(self):
        """Alias of ``weights_``, for code written for astroML (assigning it sets ``weights_``)."""
        self._params()
        return self.weights_

    @alpha.setter
    def alpha(self, value):
        self._set_by_alias("weights_", value, "alpha", (1,))

    @property
    def mu(self):
        """Alias of ``means_``, for code written for astroML (assigning it sets ``means_``)."""
        self._params()
        return self.means_

    @mu.setter
    def mu(self, value):
        self._set_by_alias("means_", value, "mu", (1, 2))

    @property
    def V(self):  # noqa: N802 (astroML's name)
        """Alias of ``covariances_``, for code written for astroML (assigning it sets
        ``covariances_``)."""
        self._params()
        return self.covariances_

    @V.setter
    def V(self, value):  # noqa: N802
        self._set_by_alias("covariances_", value, "V", (1, 3))

    # ------------------------------------------------------ model selection
    def n_parameters(self):
        """Free parameters: the free means and covariances, plus the free weights less one.

        Fixed weights are not counted, and the free ones sum to 1 minus the
        fixed ones, so they bring one number fewer than there are of them.
        """
        params = self._params()
        fixed_weights = self._fixed["fixed_weights"]
        free_weights = len(self.weights_) - (0 if fixed_weights is None
                                             else int(np.sum(fixed_weights)))
        return self._family().n_parameters(params) + max(free_weights - 1, 0)

    _n_parameters = n_parameters  # the private name GaussianMixture also answers to

    def aic(self, X, Xerr, projection=None):
        """Akaike information criterion on (X, Xerr) (smaller is better)."""
        return aic(self.score_samples(X, Xerr, projection).sum(), self.n_parameters())

    def bic(self, X, Xerr, projection=None):
        """Bayesian information criterion on (X, Xerr) (smaller is better)."""
        log_density = self.score_samples(X, Xerr, projection)
        return bic(log_density.sum(), self.n_parameters(), log_density.shape[0])

    def icl(self, X, Xerr, projection=None):
        """Integrated completed likelihood on (X, Xerr): BIC plus twice the label entropy."""
        log_density, resp = self._e_step(X, Xerr=Xerr, projection=projection)
        return icl(log_density.sum(), self.n_parameters(), log_density.shape[0], resp)

    # ------------------------------------------------------------ ordering
    def sort_components(self):
        """Reorder the components by their means (lexicographically in d-D), in place.

        The base class reorders the parameters; the record of which
        components the fit held fixed is reordered with them.
        """
        order = self._family().canonical_order(self._params())
        self._fixed = {name: None if mask is None else mask[order]
                       for name, mask in self._fixed.items()}
        return super().sort_components()


# --------------------------------------------------------------------------
# validation of the measurements


def _projection_or_alias(projection, R):  # noqa: N803 (astroML's name)
    """``fit``'s projection, given either as ``projection`` or as astroML's ``R``."""
    if R is None:
        return projection
    if projection is not None:
        raise ValueError("projection and R are the same argument (R is astroML's name for "
                         "it); give one of them, not both.")
    return R


def _check_size(size):
    """astroML's ``size`` for :meth:`XDGMM.sample`: an int or a tuple of ints, each >= 1."""
    if isinstance(size, (tuple, list)):
        if len(size) == 0:
            raise ValueError("size must be an int >= 1 or a non-empty tuple of them; got ().")
        return tuple(check.check_int(value, "size", 1) for value in size)
    return (check.check_int(size, "size", 1),)


def _check_measurements(X, Xerr, projection):
    """Validated :class:`~emlib.deconvolution.Measurements`: X as (n, d_obs), the errors as
    covariances (n, d_obs, d_obs), R as (n or 1, d_obs, d) or None."""
    X = check.check_magnitude(check.check_data(X))
    n_samples, n_observed = X.shape
    limit = check.magnitude_limit(n_samples, n_observed)
    errors = check.check_data(Xerr, name="Xerr", ensure_2d=False, any_ndim=True)
    if errors.ndim == 0 or errors.shape[0] != n_samples or errors.ndim > 3:
        raise ValueError(
            f"Xerr must have shape ({n_samples},), ({n_samples}, {n_observed}) or "
            f"({n_samples}, {n_observed}, {n_observed}) to match X of shape {X.shape}; got "
            f"shape {errors.shape}.")
    if errors.ndim == 1 and n_observed != 1:
        raise ValueError(
            f"Xerr of shape ({n_samples},) (one standard deviation per sample) is for 1-D "
            f"data; X has {n_observed} features, so give ({n_samples}, {n_observed}) standard "
            f"deviations or ({n_samples}, {n_observed}, {n_observed}) covariance matrices.")
    if errors.ndim < 3:
        if errors.ndim == 1:
            errors = errors[:, np.newaxis]
        if errors.shape != (n_samples, n_observed):
            raise ValueError(f"Xerr must have shape ({n_samples}, {n_observed}) to match X; got "
                             f"shape {errors.shape}.")
        if np.any(errors < 0):
            index = tuple(int(i) for i in np.argwhere(errors < 0)[0])
            raise ValueError(
                f"Xerr holds standard deviations, which cannot be negative; got "
                f"Xerr{list(index)} = {errors[index]}.")
        check.check_magnitude(errors, "Xerr", limit)
        errors = errors[:, :, np.newaxis] * np.eye(n_observed) * errors[:, np.newaxis, :]
    else:
        if errors.shape != (n_samples, n_observed, n_observed):
            raise ValueError(
                f"Xerr as covariance matrices must have shape ({n_samples}, {n_observed}, "
                f"{n_observed}); got {errors.shape}.")
        largest = float(np.abs(errors).max())
        if largest > limit**2:
            raise ValueError(
                f"Xerr (covariance matrices) has entries as large as {largest:.3g}; such "
                f"variances overflow float64 in the M-step (for these data they must stay "
                f"below {limit**2:.1e}, the square of X's limit). Rescale X and the errors, "
                "e.g. divide X by its standard deviation and Xerr by its square.")
        _check_positive_semidefinite(errors)
    if projection is not None:
        projection = check.check_data(projection, name="projection", ensure_2d=False,
                                      any_ndim=True)
        if projection.ndim == 2:
            projection = projection[np.newaxis]
        if projection.ndim != 3 or projection.shape[0] not in (1, n_samples) \
                or projection.shape[1] != n_observed:
            raise ValueError(
                f"projection must have shape ({n_observed}, d) or ({n_samples}, {n_observed}, d) "
                f"to match X of shape {X.shape}; got {projection.shape}.")
        _check_noise_where_projection_is_blind(projection, errors)
    return Measurements(X, errors, projection)


def _check_noise_where_projection_is_blind(projection, errors):
    """Refuse a sample whose observed combination w^T x_i has no variance at all.

    If R_i^T w = 0 (a zero row of R_i, or dependent rows) the true values add
    nothing to w^T x_i; if also S_i w = 0, then R_i V R_i^T + S_i is singular
    for every V: x_i's density is degenerate under every component, whatever
    the fit. (With noise, such a combination is harmless: pure noise, it
    carries no information, which is how missing coordinates are handled.)
    """
    left, singular, _ = np.linalg.svd(projection)  # left: (m, d_obs, d_obs)
    n_observed = projection.shape[1]
    values = np.zeros(singular.shape[:1] + (n_observed,))
    values[:, :singular.shape[1]] = singular
    blind = values <= 1e-10 * values.max(axis=1, keepdims=True)  # (m, d_obs)
    if not blind.any():
        return
    # Projector onto the blind combinations, and S_i restricted to them.
    projector = np.einsum("mak,mk,mbk->mab", left, blind.astype(float), left)
    scale = np.linalg.eigvalsh(errors)[:, -1]
    scale = np.where(scale > 0, scale, 1.0)[:, np.newaxis, np.newaxis]
    restricted = projector @ errors @ projector + scale * (np.eye(n_observed) - projector)
    smallest = np.linalg.eigvalsh(restricted)[:, 0] / scale[:, 0, 0]
    if np.any(smallest <= 1e-12):
        i = int(np.argmax(smallest <= 1e-12))
        combination = np.linalg.eigh(restricted[i])[1][:, 0]
        r = i if projection.shape[0] > 1 else 0
        raise ValueError(
            f"Sample {i} is measured without noise along a combination of coordinates that "
            f"its projection does not see: projection[{r}]^T w = 0 and Xerr[{i}] w = 0 for "
            f"w = {np.round(combination, 3).tolist()} (e.g. a zero row of the projection with "
            "zero error). Then R_i V R_i^T + S_i is singular for every V and x_i has no "
            "density. Give that coordinate an error variance (missing_as_projection uses "
            "1 / (2 pi)) or drop it.")


def _all_fixed(mask):
    return mask is not None and bool(np.all(mask))


def _check_projection_determines_parameters(projection, sample_weight, *, check_means=True,
                                            check_covariances=True):
    """Refuse projections under which no sample measures some part of the means or covariances.

    mu_j enters the likelihood only through R_i mu_j, so a direction v with
    R_i v = 0 for every sample is not determined by the data: ln L is flat
    along it and EM returns the start's value there (``projection=0`` gives
    means of 0). That happens unless G = sum_i R_i^T R_i is non-singular.
    Likewise V_j enters only through R_i V_j R_i^T; a symmetric A with
    R_i A R_i^T = 0 for all i (e.g. the covariance of two coordinates that no
    sample observes together) is not determined unless sum_i G_i (x) G_i,
    G_i = R_i^T R_i, restricted to symmetric matrices, is non-singular.
    Samples with zero weight count for nothing.
    """
    if projection.shape[0] > 1 and sample_weight is not None:
        projection = projection[sample_weight > 0]
    n_features = projection.shape[2]
    grams = np.swapaxes(projection, 1, 2) @ projection  # G_i, (m, d, d)
    total = grams.sum(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(total)
    if check_means and eigenvalues[0] <= 1e-10 * max(eigenvalues[-1], 0.0):
        if eigenvalues[-1] <= 0:
            raise ValueError(
                "projection is zero for every sample: R_i y_i = 0, so the data say nothing "
                "about the true values y and every mean and covariance would stay at its "
                f"start. Give a projection of rank {n_features} (None for the identity).")
        direction = np.round(eigenvectors[:, 0], 3).tolist()
        raise ValueError(
            f"projection never measures the true-coordinate direction v = {direction}: "
            "R_i v = 0 for every sample (e.g. a zero column, or dependent columns), so the "
            "data say nothing about the means (and covariances) along it and EM would return "
            f"their starting values. The projections must have rank {n_features} together "
            "(sum_i R_i^T R_i non-singular); drop that coordinate or measure it.")
    if not check_covariances:
        return
    rows, columns = np.triu_indices(n_features)
    # The linear map V -> (R_i V R_i^T)_i on symmetric V, as its Gram matrix.
    kron = np.einsum("mab,mcd->acbd", grams, grams).reshape(n_features**2, n_features**2)
    basis = np.zeros((n_features**2, rows.size))
    basis[rows * n_features + columns, np.arange(rows.size)] = 1.0
    basis[columns * n_features + rows, np.arange(rows.size)] = 1.0
    eigenvalues, eigenvectors = np.linalg.eigh(basis.T @ kron @ basis)
    unmeasured = eigenvalues <= 1e-10 * max(eigenvalues[-1], 0.0)
    if np.any(unmeasured):
        involved = np.abs(eigenvectors[:, unmeasured]).max(axis=1) > 1e-8
        entries = ", ".join(f"V[{a}, {b}]" for a, b in zip(rows[involved], columns[involved]))
        raise ValueError(
            f"The projections never measure (some combination of) the intrinsic covariance "
            f"entries {entries}: R_i A R_i^T = 0 for every sample for a matrix A built from "
            "them (e.g. no sample observes two coordinates together, or one coordinate at "
            "all), so the data say nothing about them and EM would return their starting "
            "values. Some samples must measure them (or hold the covariances fixed with "
            "fixed_covariances).")


def _check_positive_semidefinite(matrices):
    scale = np.abs(matrices).max(axis=(1, 2)) + np.finfo(float).tiny
    asymmetry = np.abs(matrices - np.swapaxes(matrices, 1, 2)).max(axis=(1, 2)) / scale
    if np.any(asymmetry > 1e-10):
        i = int(np.argmax(asymmetry))
        raise ValueError(f"Xerr[{i}] must be a symmetric covariance matrix; it is not "
                         f"(Xerr[{i}] = {matrices[i].tolist()}).")
    smallest = np.linalg.eigvalsh(matrices)[:, 0] / scale
    if np.any(smallest < -1e-10):
        i = int(np.argmin(smallest))
        raise ValueError(
            f"Xerr[{i}] must be positive semi-definite (a covariance matrix); its smallest "
            f"eigenvalue is {np.linalg.eigvalsh(matrices[i])[0]:.3g}.")


def _check_fixed(value, name, n_components, initial, init_name):
    """A boolean mask of shape (K,), or None; the held values must have been given."""
    if value is None or value is False:
        return None
    mask = np.broadcast_to(np.asarray(value), (n_components,)) if np.ndim(value) == 0 \
        else np.asarray(value)
    if mask.dtype != bool or mask.shape != (n_components,):
        raise ValueError(f"{name} must be a bool or a bool array of shape ({n_components},); "
                         f"got {value!r}.")
    if not mask.any():
        return None
    if initial is None:
        raise ValueError(f"{name} holds some components at their starting values, so "
                         f"{init_name} must be given.")
    return mask.copy()
