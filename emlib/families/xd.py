"""Gaussian components observed through measurement errors, for the EM loop.

Both families here fit the same model, a Gaussian mixture for the *true*
values y_i, observed as x_i = R_i y_i + epsilon_i with epsilon_i ~ N(0, S_i)
(see :mod:`emlib.deconvolution`). They differ only in the M-step:

- :class:`ExtremeDeconvolutionFamily`: XD's closed-form updates from
  b_ij and B_ij, in any dimension, with optional projections R_i;
- :class:`Eq7Family`: the text's route in 1-D, the precision-weighted mean
  update followed by eq. 7 (sign corrected) solved numerically for sigma_j^2.

Like every family they hold settings only. The data are a
:class:`~emlib.deconvolution.Measurements`: the x_i with their own S_i and
R_i, so one family object fits, scores and samples any data set.

Parameters (``params``) are ``means`` (K, d) and ``covariances`` (K, d, d),
the intrinsic mu_j and V_j; in 1-D ``covariances[j, 0, 0]`` is sigma_j^2.

Some components can be held fixed. Fixed means and covariances are simply
carried over by the M-step; fixed weights need the loop's weight update
(eq. 6) to be corrected, which :meth:`ExtremeDeconvolutionFamily.constrain_weights`
does.
"""

import numpy as np

# The unchecked kernels of the eq.-7 functions: XDGMM has validated the data once.
from ..deconvolution import (
    Measurements,
    _eq7_mean_update as eq7_mean_update,
    _log_convolved_densities_1d as log_convolved_densities_1d,
    _solve_eq7_variance as solve_eq7_variance,
    ENTRYWISE_MAX_D,
    TermsByEntry,
    convolved_terms,
    convolved_terms_by_entry,
    xd_covariances_from_statistics,
    xd_expected_values,
    xd_means_from_statistics,
    xd_statistics,
    xd_statistics_by_entry,
)
from ..gaussian import update_covariances, update_means
from ..likelihood import effective_counts
from .base import Family, check_setting


def _mask(values, n_components):
    return np.zeros(n_components, bool) if values is None else np.asarray(values, bool)


def _keep_fixed(new, old, fixed):
    """``new`` with the entries of the components marked in ``fixed`` taken from ``old``."""
    if fixed is None or not np.any(fixed):
        return new
    return np.where(np.reshape(fixed, (-1,) + (1,) * (new.ndim - 1)), old, new)


class ExtremeDeconvolutionFamily(Family):
    """Extreme deconvolution (Bovy, Hogg & Roweis 2011): Gaussians seen through errors.

    The data are :class:`~emlib.deconvolution.Measurements` (x_i, S_i, R_i).

    Parameters
    ----------
    reg_covar : float
        Added to the diagonal of every V_j after each M-step.
    fixed_weights, fixed_means, fixed_covariances : bool array of shape (K,), optional
        Components whose weight, mean or covariance stays at its starting value.
    weight_values : ndarray of shape (K,), optional
        The values of the fixed weights (entries of free components are ignored).
    """

    name = "extreme deconvolution"

    def __init__(self, reg_covar=0.0, *, fixed_weights=None, fixed_means=None,
                 fixed_covariances=None, weight_values=None):
        self.reg_covar = reg_covar
        self.fixed_weights = fixed_weights
        self.fixed_means = fixed_means
        self.fixed_covariances = fixed_covariances
        self.weight_values = weight_values
        self.check_settings()

    def check_settings(self):
        check_setting(self.reg_covar, "reg_covar", self.name, 0.0)
        if self.fixed_weights is not None and np.any(self.fixed_weights) \
                and self.weight_values is None:
            raise ValueError(f"The {self.name} family holds some weights fixed "
                             "(fixed_weights), so weight_values must be given.")
        return self

    def check_data(self, data):
        """Return ``data`` if it is a :class:`~emlib.deconvolution.Measurements`, else raise."""
        if not isinstance(data, Measurements):
            raise TypeError(
                f"The {self.name} family's data are emlib.deconvolution.Measurements (the "
                "values with their error covariances and projections); got "
                f"{type(data).__name__}. emlib.XDGMM builds them from X and Xerr.")
        return data

    # ------------------------------------------------------------ E-step
    def log_densities(self, data, params):
        return self.e_step_terms(data, params)[0]

    def e_step_terms(self, data, params):
        """ln N(x_i | R_i mu_j, T_ij), and the factors of T_ij the M-step reuses.

        The second item is the whole output of
        :func:`~emlib.deconvolution.convolved_terms` (z_ij and W_ij = L_ij^-1),
        which :meth:`statistics` needs for b_ij and B_ij at the same
        parameters; for d_obs <= 3 it is computed entry by entry with closed
        forms (:func:`~emlib.deconvolution.convolved_terms_by_entry`).
        """
        arguments = (data.values, data.error_covariances, params["means"],
                     params["covariances"], data.projection)
        if data.values.shape[1] <= ENTRYWISE_MAX_D:
            terms = convolved_terms_by_entry(*arguments)
        else:
            terms = convolved_terms(*arguments)
        return terms[0], terms

    # ------------------------------------------------------------ M-step
    def statistics(self, data, responsibilities, params, reuse=None):
        """XD's sums over the samples, centred at the E-step's means (:func:`xd_statistics`).

        ``reuse`` is what :meth:`e_step_terms` returned for the same ``data``
        and ``params``; without it the terms are computed again. Entry by
        entry (:func:`~emlib.deconvolution.xd_statistics_by_entry`) when
        they were.
        """
        means, covariances = params["means"], params["covariances"]
        if reuse is None:
            reuse = self.e_step_terms(data, params)[1]
        if isinstance(reuse, TermsByEntry):
            return xd_statistics_by_entry(responsibilities, reuse, covariances,
                                          data.projection)
        expected_values, expected_covariances = xd_expected_values(
            data.values, data.error_covariances, means, covariances, data.projection,
            terms=reuse)
        return xd_statistics(responsibilities, expected_values, expected_covariances, means)

    def parameters(self, statistics, counts, params):
        """XD's means and covariances from the sums; the fixed ones keep their values."""
        shift = params["means"]
        means = _keep_fixed(xd_means_from_statistics(statistics, counts, shift), shift,
                            self.fixed_means)
        covariances = xd_covariances_from_statistics(statistics, counts, shift, means,
                                                     self.reg_covar)
        covariances = _keep_fixed(covariances, params["covariances"], self.fixed_covariances)
        return {"means": means, "covariances": covariances}

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
    def initialise(self, data, responsibilities, rng):
        """Weighted means and covariances of the starting classes, errors ignored.

        Computed on least-squares estimates of the true values
        (:meth:`~emlib.deconvolution.Measurements.true_value_estimates`).
        Like astroML's XDGMM this starts V_j broadened by the errors; EM then
        shrinks it.
        """
        estimates = data.true_value_estimates()
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

    The data are :class:`~emlib.deconvolution.Measurements` of 1-D values
    without a projection (error covariances of shape (n_samples, 1, 1)).

    The M-step is two conditional maximisations of the expected
    complete-data ln L (eq. 3): first mu_j given the current sigma_j
    (:func:`~emlib.deconvolution.eq7_mean_update`, exact), then sigma_j^2
    given the new mu_j (:func:`~emlib.deconvolution.solve_eq7_variance`).
    Each step can only raise eq. 3, so ln L never decreases (an "ECM"
    algorithm, Meng & Rubin 1993). Components where eq. 7 has no positive
    root end at sigma_j = 0 (plus ``reg_covar``).

    Eq. 7 is not a function of a few fixed sums: its root is found over the
    data themselves at every M-step. So :meth:`statistics` returns the
    per-sample arrays of the one in-memory chunk (values, error variances,
    responsibilities) rather than sums, ``additive`` is False, and
    statistics of two chunks cannot be combined; for data in chunks use
    XD (``method='xd'``), which fits the same model.

    Parameters are those of :class:`ExtremeDeconvolutionFamily`.
    """

    name = "eq7"
    additive = False

    def check_data(self, data):
        """Return ``data`` if it holds 1-D measurements without a projection, else raise."""
        data = super().check_data(data)
        if data.values.shape[1] != 1 or data.projection is not None:
            raise ValueError(
                "The eq7 family is the text's 1-D route: its measurements must be 1-D without "
                f"a projection; got values of shape {data.values.shape}"
                f"{' with a projection' if data.projection is not None else ''}. Use the "
                "extreme deconvolution family (method='xd').")
        return data

    def log_densities(self, data, params):
        return log_convolved_densities_1d(data.values[:, 0], data.error_covariances[:, 0, 0],
                                          params["means"][:, 0], params["covariances"][:, 0, 0])

    def e_step_terms(self, data, params):
        return self.log_densities(data, params), None

    def statistics(self, data, responsibilities, params, reuse=None):
        """What eq. 7 needs, for one in-memory chunk: the per-sample arrays, not sums."""
        return {"values": data.values[:, 0], "error_variances": data.error_covariances[:, 0, 0],
                "responsibilities": responsibilities}

    def combine_statistics(self, first, second):
        raise ValueError(
            "The eq7 family's M-step solves eq. 7 over all the data at once, so it cannot be "
            "run chunk by chunk (its statistics are not sums). Fit the data in memory, or use "
            "method='xd', which fits the same model from sums.")

    def parameters(self, statistics, counts, params):
        """The precision-weighted means, then eq. 7's sigma_j^2 for each free component."""
        x, error_variances = statistics["values"], statistics["error_variances"]
        responsibilities = statistics["responsibilities"]
        variances = params["covariances"][:, 0, 0]
        means = eq7_mean_update(x, error_variances, responsibilities, variances)
        means = _keep_fixed(means, params["means"][:, 0], self.fixed_means)
        fixed_covariances = _mask(self.fixed_covariances, len(variances))
        new_variances = variances.copy()
        for j in np.flatnonzero(~fixed_covariances):
            solution = solve_eq7_variance(x, error_variances, responsibilities[:, j], means[j])
            new_variances[j] = solution.variance + self.reg_covar
        return {"means": means[:, np.newaxis],
                "covariances": new_variances[:, np.newaxis, np.newaxis]}
