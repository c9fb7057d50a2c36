"""``XDGMM``: a Gaussian mixture fitted to data with known measurement errors.

The class validates its input, builds the component family for the data
(:class:`~emlib.families.xd.ExtremeDeconvolutionFamily`, or
:class:`~emlib.families.xd.Eq7Family` for the text's 1-D route) and hands
the work to :func:`emlib.em.fit_with_restarts`, the EM loop every mixture in
the course uses. The fitted ``means_`` and ``covariances_`` are *intrinsic*:
the distribution of the true values, with the errors taken out.

Compared with astroML's ``XDGMM`` it computes responsibilities in log space,
is vectorised over points and components, can regularise covariances, fix
chosen parameters, handle projections (missing or combined coordinates) and
sample weights, and ``sample`` honours ``random_state``.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from . import validation as check
from .em import e_step, fit_with_restarts
from .estimator import draw_samples, record_fit
from .families.xd import Eq7Family, ExtremeDeconvolutionFamily
from .information_criteria import aic, bic
from .initialisation import kmeans_responsibilities
from .likelihood import update_weights

METHODS = ("xd", "eq7")


class XDGMM(DensityMixin, BaseEstimator):
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
        :class:`emlib.GaussianMixture`).
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
    """

    def __init__(self, n_components=1, *, max_iter=100, tol=1e-3, reg_covar=1e-6, n_init=1,
                 random_state=None, weights_init=None, means_init=None, covariances_init=None,
                 method="xd"):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.n_init = n_init
        self.random_state = random_state
        self.weights_init = weights_init
        self.means_init = means_init
        self.covariances_init = covariances_init
        self.method = method

    # ---------------------------------------------------------------- fitting
    def fit(self, X, Xerr, projection=None, sample_weight=None, fixed_weights=None,
            fixed_means=None, fixed_covariances=None):
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
        """
        self._check_parameters()
        X, errors, projection = _check_measurements(X, Xerr, projection)
        n_features = X.shape[1] if projection is None else projection.shape[2]
        if self.method == "eq7" and (n_features != 1 or projection is not None):
            raise ValueError(
                "method='eq7' is the text's 1-D route: it needs 1-D data without a projection; "
                f"got {n_features}-D data{' with a projection' if projection is not None else ''}. "
                "Use method='xd'.")
        sample_weight = None if sample_weight is None else check.check_sample_weight(
            sample_weight, X.shape[0])
        n_used = X.shape[0] if sample_weight is None else int(np.count_nonzero(sample_weight))
        check.check_enough_samples(n_used, self.n_components)
        initial = self._check_initial_values(n_features)
        fixed = {name: _check_fixed(value, name, self.n_components, initial[key], init_name)
                 for name, value, key, init_name in (
                     ("fixed_weights", fixed_weights, "weights", "weights_init"),
                     ("fixed_means", fixed_means, "means", "means_init"),
                     ("fixed_covariances", fixed_covariances, "covariances", "covariances_init"))}
        family = self._family(errors, projection, **fixed, weight_values=initial["weights"])
        result = fit_with_restarts(
            family, X, lambda rng: self._start(X, sample_weight, family, rng, initial),
            n_init=self.n_init, rng=check.check_random_state(self.random_state),
            sample_weight=sample_weight, tol=self.tol, max_iter=self.max_iter)
        self.weights_ = result.weights
        self.means_ = result.params["means"]
        self.covariances_ = result.params["covariances"]
        record_fit(self, result, X.shape[1])
        self._fixed = fixed
        smallest = np.linalg.eigvalsh(self.covariances_)[:, 0]
        self.at_boundary_ = smallest <= self.reg_covar * (1 + 1e-12)
        if self.method == "eq7" and np.any(self.at_boundary_):
            warnings.warn(
                f"Component(s) {np.flatnonzero(self.at_boundary_).tolist()} ended at zero "
                "intrinsic width: their points scatter about the mean less than their errors "
                "allow, eq. 7 has no positive root, and the likelihood is largest at "
                "sigma_j = 0. The width is not resolved by these data.",
                UserWarning, stacklevel=2)
        return self

    def _family(self, errors, projection, **fixed):
        if self.method == "eq7":
            return Eq7Family(errors, self.reg_covar, **fixed)
        return ExtremeDeconvolutionFamily(errors, projection, self.reg_covar, **fixed)

    def _check_parameters(self):
        check.check_int(self.n_components, "n_components", 1)
        check.check_int(self.max_iter, "max_iter", 0)
        check.check_float(self.tol, "tol", 0.0)
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

    def _start(self, X, sample_weight, family, rng, initial):
        """k-means on (estimates of) the true values, one M-step, then the user's values."""
        if any(value is None for value in initial.values()):
            resp = kmeans_responsibilities(family.true_value_estimates(X), self.n_components,
                                           rng, sample_weight)
            if sample_weight is not None:
                resp = resp * sample_weight[:, np.newaxis]
            weights, params = update_weights(resp), family.initialise(X, resp, rng)
        else:
            weights, params = None, {}
        weights = weights if initial["weights"] is None else initial["weights"]
        params = {name: params[name] if initial[name] is None else initial[name]
                  for name in ("means", "covariances")}
        return family.constrain_weights(weights), params

    # ------------------------------------------------------------- inference
    def _e_step(self, X, Xerr, projection):
        check.check_is_fitted(self)
        X, errors, projection = _check_measurements(X, Xerr, projection)
        check.check_n_features(X, self.n_features_in_)
        n_features = X.shape[1] if projection is None else projection.shape[2]
        if n_features != self.means_.shape[1]:
            raise ValueError(f"projection maps {n_features} true coordinates but the model "
                             f"has {self.means_.shape[1]}.")
        family = ExtremeDeconvolutionFamily(errors, projection)
        return e_step(family, X, self.weights_, self._params())

    def score_samples(self, X, Xerr, projection=None):
        """ln p(x_i) = ln sum_j alpha_j N(x_i | R_i mu_j, R_i V_j R_i^T + S_i), shape (n,)."""
        return self._e_step(X, Xerr, projection)[0]

    def score(self, X, Xerr, projection=None):
        """Mean ln p(x_i | theta) per sample."""
        return float(np.mean(self.score_samples(X, Xerr, projection)))

    def predict_proba(self, X, Xerr, projection=None):
        """p(j | x_i) (eq. 2 with the convolved components), shape (n_samples, K)."""
        return self._e_step(X, Xerr, projection)[1]

    def predict(self, X, Xerr, projection=None):
        """The most probable component of each sample."""
        return self.predict_proba(X, Xerr, projection).argmax(axis=1)

    def sample(self, n_samples=1):
        """Draw *true* values from the deconvolved mixture (no measurement error added).

        The draws depend only on ``random_state`` (an int gives the same
        draws on every call, as in scikit-learn).

        Returns
        -------
        Y : ndarray of shape (n_samples, d)
        labels : ndarray of shape (n_samples,)
        """
        check.check_is_fitted(self)
        check.check_int(n_samples, "n_samples", 1)
        return draw_samples(ExtremeDeconvolutionFamily(None), self.weights_, self._params(),
                            n_samples, check.check_random_state(self.random_state))

    def _params(self):
        return {"means": self.means_, "covariances": self.covariances_}

    # ------------------------------------------------------ model selection
    def _n_parameters(self):
        k, d = self.means_.shape
        family = ExtremeDeconvolutionFamily(None, fixed_means=self._fixed["fixed_means"],
                                            fixed_covariances=self._fixed["fixed_covariances"])
        fixed_weights = self._fixed["fixed_weights"]
        free_weights = k - (0 if fixed_weights is None else int(np.sum(fixed_weights)))
        # Free weights sum to 1 minus the fixed ones: one fewer free number.
        return family.n_parameters(self._params()) + max(free_weights - 1, 0)

    def aic(self, X, Xerr, projection=None):
        """Akaike information criterion on (X, Xerr) (smaller is better)."""
        return aic(self.score_samples(X, Xerr, projection).sum(), self._n_parameters())

    def bic(self, X, Xerr, projection=None):
        """Bayesian information criterion on (X, Xerr) (smaller is better)."""
        log_density = self.score_samples(X, Xerr, projection)
        return bic(log_density.sum(), self._n_parameters(), log_density.shape[0])

    # ------------------------------------------------------------ ordering
    def sort_components(self):
        """Reorder the components by their means (lexicographically in d-D), in place."""
        check.check_is_fitted(self)
        order = np.lexsort(self.means_.T[::-1])
        self.weights_ = self.weights_[order]
        self.means_ = self.means_[order]
        self.covariances_ = self.covariances_[order]
        self.at_boundary_ = self.at_boundary_[order]
        self._fixed = {name: None if mask is None else mask[order]
                       for name, mask in self._fixed.items()}
        return self


# --------------------------------------------------------------------------
# validation of the measurements


def _check_measurements(X, Xerr, projection):
    """X as (n, d_obs), the errors as covariances (n, d_obs, d_obs), R as (n or 1, d_obs, d)."""
    X = check.check_data(X)
    n_samples, n_observed = X.shape
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
        errors = errors[:, :, np.newaxis] * np.eye(n_observed) * errors[:, np.newaxis, :]
    else:
        if errors.shape != (n_samples, n_observed, n_observed):
            raise ValueError(
                f"Xerr as covariance matrices must have shape ({n_samples}, {n_observed}, "
                f"{n_observed}); got {errors.shape}.")
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
    return X, errors, projection


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
