"""Gaussian components observed through measurement errors, for the EM loop.

Both families here fit the same model, a Gaussian mixture for the *true*
values y_i, observed as x_i = R_i y_i + epsilon_i with epsilon_i ~ N(0, S_i)
(see :mod:`emlib.deconvolution`). They differ only in the M-step:

- :class:`ExtremeDeconvolutionFamily`: XD's closed-form updates from
  b_ij and B_ij, in any dimension, with optional projections R_i;
- :class:`Eq7Family`: the text's route in 1-D, the precision-weighted mean
  update followed by eq. 7 (sign corrected) solved numerically for sigma_j^2.

Unlike the plain families, these hold per-sample information (the error
covariances S_i and projections R_i), so a family object is built for one
data set: ``log_densities(X, params)`` and ``maximise(X, ...)`` must be given
the X whose errors it holds. To score new data, build a new family.

Parameters (``params``) are ``means`` (K, d) and ``covariances`` (K, d, d),
the intrinsic mu_j and V_j; in 1-D ``covariances[j, 0, 0]`` is sigma_j^2.

Some components can be held fixed. Fixed means and covariances are simply
carried over by ``maximise``; fixed weights need the loop's weight update
(eq. 6) to be corrected, which :meth:`ExtremeDeconvolutionFamily.constrain_weights`
does (the EM loop calls it if a family has it).
"""

import numpy as np

# The unchecked kernels of the eq.-7 functions: XDGMM has validated the data once.
from ..deconvolution import (
    _eq7_mean_update as eq7_mean_update,
    _log_convolved_densities_1d as log_convolved_densities_1d,
    _solve_eq7_variance as solve_eq7_variance,
    convolved_terms,
    xd_expected_values,
    xd_update_covariances,
    xd_update_means,
)
from ..gaussian import update_covariances, update_means
from ..likelihood import effective_counts
from .base import Family, check_setting


def _mask(values, n_components):
    return np.zeros(n_components, bool) if values is None else np.asarray(values, bool)


class ExtremeDeconvolutionFamily(Family):
    """Extreme deconvolution (Bovy, Hogg & Roweis 2011) for one data set.

    Parameters
    ----------
    error_covariances : ndarray of shape (n_samples, d_obs, d_obs)
        S_i, each symmetric positive semi-definite.
    projection : ndarray of shape (n_samples, d_obs, d) or (1, d_obs, d), or None
        R_i (None: the identity).
    reg_covar : float
        Added to the diagonal of every V_j after each M-step.
    fixed_weights, fixed_means, fixed_covariances : bool array of shape (K,), optional
        Components whose weight, mean or covariance stays at its starting value.
    weight_values : ndarray of shape (K,), optional
        The values of the fixed weights (entries of free components are ignored).
    """

    name = "extreme deconvolution"

    def __init__(self, error_covariances, projection=None, reg_covar=0.0, *,
                 fixed_weights=None, fixed_means=None, fixed_covariances=None,
                 weight_values=None):
        self.error_covariances = error_covariances
        self.projection = projection
        self.reg_covar = reg_covar
        self.fixed_weights = fixed_weights
        self.fixed_means = fixed_means
        self.fixed_covariances = fixed_covariances
        self.weight_values = weight_values
        self._last_terms = None
        self.check_settings()

    def check_settings(self):
        check_setting(self.reg_covar, "reg_covar", self.name, 0.0)
        for name in ("error_covariances", "projection"):
            value = getattr(self, name)
            if value is not None and np.ndim(value) != 3:
                raise ValueError(f"The {self.name} family's {name} must be a 3-D array "
                                 f"(one matrix per sample); got shape {np.shape(value)}.")
        return self

    # ------------------------------------------------------------ E-step
    def log_densities(self, X, params):
        terms = convolved_terms(X, self.error_covariances, params["means"],
                                params["covariances"], self.projection)
        # The M-step that follows needs T_ij^-1 for the same params: keep it.
        self._last_terms = (params, terms)
        return terms[0]

    def _terms(self, X, params):
        if self._last_terms is not None and self._last_terms[0] is params:
            return self._last_terms[1]
        return convolved_terms(X, self.error_covariances, params["means"],
                               params["covariances"], self.projection)

    # ------------------------------------------------------------ M-step
    def maximise(self, X, responsibilities, params):
        means, covariances = params["means"], params["covariances"]
        expected_values, expected_covariances = xd_expected_values(
            X, self.error_covariances, means, covariances, self.projection,
            terms=self._terms(X, params))
        counts = effective_counts(responsibilities)
        new_means = self._keep_fixed(
            xd_update_means(responsibilities, expected_values, counts), means, self.fixed_means)
        new_covariances = xd_update_covariances(
            responsibilities, expected_values, expected_covariances, counts, new_means,
            self.reg_covar)
        new_covariances = self._keep_fixed(new_covariances, covariances, self.fixed_covariances)
        return {"means": new_means, "covariances": new_covariances}

    @staticmethod
    def _keep_fixed(new, old, fixed):
        if fixed is None or not np.any(fixed):
            return new
        return np.where(np.reshape(fixed, (-1,) + (1,) * (new.ndim - 1)), old, new)

    def constrain_weights(self, weights):
        """Eq. 6 under the constraint that the fixed weights keep their values.

        Maximising sum_j N_j ln alpha_j with some alpha_j fixed and the rest
        summing to 1 - (sum of the fixed ones) gives the free alpha_j
        proportional to N_j, i.e. eq. 6's values rescaled.
        """
        if self.fixed_weights is None or not np.any(self.fixed_weights):
            return weights
        fixed = np.asarray(self.fixed_weights, bool)
        constrained = np.array(weights, dtype=float)
        constrained[fixed] = self.weight_values[fixed]
        if np.any(~fixed):
            free_total = 1.0 - self.weight_values[fixed].sum()
            constrained[~fixed] *= free_total / constrained[~fixed].sum()
        return constrained

    # -------------------------------------------------------------- start
    def true_value_estimates(self, X):
        """Least-squares guesses of y_i from x_i = R_i y_i (X itself when R_i = 1).

        Used only to start EM (k-means and the first means and covariances).
        """
        if self.projection is None:
            return X
        return (np.linalg.pinv(self.projection) @ X[:, :, np.newaxis])[..., 0]

    def initialise(self, X, responsibilities, rng):
        """Weighted means and covariances of the starting classes, errors ignored.

        Like astroML's XDGMM this starts V_j broadened by the errors; EM then
        shrinks it.
        """
        estimates = self.true_value_estimates(X)
        counts = effective_counts(responsibilities)
        means = update_means(estimates, responsibilities, counts)
        covariances = update_covariances(estimates, responsibilities, counts, means, "full",
                                         self.reg_covar)
        return {"means": means, "covariances": covariances}

    # ------------------------------------------------------------- others
    def n_parameters(self, params):
        """Free numbers in the means and covariances (fixed ones not counted)."""
        n_components, n_features = params["means"].shape
        free_means = n_components - int(np.sum(_mask(self.fixed_means, n_components)))
        free_covariances = n_components - int(np.sum(_mask(self.fixed_covariances,
                                                           n_components)))
        return free_means * n_features + free_covariances * n_features * (n_features + 1) // 2

    def sample(self, rng, params, component, n_samples):
        """Draws of the *true* values y from component ``component``.

        The factor comes from an eigendecomposition rather than a Cholesky
        one, so a component that has shrunk to zero width (V_j singular) can
        still be sampled.
        """
        mean, covariance = params["means"][component], params["covariances"][component]
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        factor = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
        return mean + rng.standard_normal((n_samples, mean.shape[0])) @ factor.T

    def canonical_order(self, params):
        return np.lexsort(params["means"].T[::-1])


class Eq7Family(ExtremeDeconvolutionFamily):
    """The text's route in 1-D: mean update, then eq. 7 solved for sigma_j^2.

    The M-step is two conditional maximisations of the expected
    complete-data ln L (eq. 3): first mu_j given the current sigma_j
    (:func:`~emlib.deconvolution.eq7_mean_update`, exact), then sigma_j^2
    given the new mu_j (:func:`~emlib.deconvolution.solve_eq7_variance`).
    Each step can only raise eq. 3, so ln L never decreases (an "ECM"
    algorithm, Meng & Rubin 1993). Components where eq. 7 has no positive
    root end at sigma_j = 0 (plus ``reg_covar``); the last M-step's verdict
    is kept in ``at_boundary``.

    Parameters are those of :class:`ExtremeDeconvolutionFamily`, without a
    projection; ``error_covariances`` has shape (n_samples, 1, 1).
    """

    name = "eq7"

    def __init__(self, error_covariances, reg_covar=0.0, *, fixed_weights=None,
                 fixed_means=None, fixed_covariances=None, weight_values=None):
        super().__init__(error_covariances, None, reg_covar, fixed_weights=fixed_weights,
                         fixed_means=fixed_means, fixed_covariances=fixed_covariances,
                         weight_values=weight_values)
        self.error_variances = error_covariances[:, 0, 0]
        self.at_boundary = None

    def log_densities(self, X, params):
        return log_convolved_densities_1d(X[:, 0], self.error_variances, params["means"][:, 0],
                                          params["covariances"][:, 0, 0])

    def maximise(self, X, responsibilities, params):
        x = X[:, 0]
        n_components = responsibilities.shape[1]
        variances = params["covariances"][:, 0, 0]
        means = eq7_mean_update(x, self.error_variances, responsibilities, variances)
        means = self._keep_fixed(means, params["means"][:, 0], self.fixed_means)
        fixed_covariances = _mask(self.fixed_covariances, n_components)
        new_variances = variances.copy()
        at_boundary = np.zeros(n_components, bool)
        for j in np.flatnonzero(~fixed_covariances):
            solution = solve_eq7_variance(x, self.error_variances, responsibilities[:, j],
                                          means[j])
            new_variances[j] = solution.variance + self.reg_covar
            at_boundary[j] = solution.at_boundary
        self.at_boundary = at_boundary
        return {"means": means[:, np.newaxis],
                "covariances": new_variances[:, np.newaxis, np.newaxis]}
