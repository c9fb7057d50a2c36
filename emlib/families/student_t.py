"""Student-t components, for data with outliers: log-density and an ECM M-step.

A d-dimensional Student-t component has a centre mu_j, a d x d scale matrix
Sigma_j and degrees of freedom nu_j > 0:

    ln p_j(x) = ln Gamma((nu_j + d) / 2) - ln Gamma(nu_j / 2) - (d / 2) ln(nu_j pi)
                - (1 / 2) ln det Sigma_j - ((nu_j + d) / 2) ln(1 + delta_j(x) / nu_j),

with delta_j(x) = (x - mu_j)^T Sigma_j^-1 (x - mu_j) the squared Mahalanobis
distance.  Its tails fall off as a power of delta, not as exp(-delta / 2), so a
far-away point costs a Student-t component little and pulls on it weakly.
As nu_j -> infinity it becomes the Gaussian N(mu_j, Sigma_j); for nu_j > 2
its covariance is Sigma_j nu_j / (nu_j - 2), so Sigma_j is *not* the covariance.

Why eq. 3 no longer gives an explicit M-step
--------------------------------------------
With the responsibilities w_ij fixed, eq. 3 for mu_j reads

    sum_i w_ij u_ij Sigma_j^-1 (x_i - mu_j) = 0,   u_ij = (nu_j + d) / (nu_j + delta_j(x_i)),

and u_ij itself depends on mu_j and Sigma_j: like eq. 7 of the text, the
condition is implicit.  It is solved as Liu & Rubin (1995) and Peel &
McLachlan (2000) do, by reading the t as a Gaussian whose precision is
scaled by a hidden factor, x | u ~ N(mu_j, Sigma_j / u) with
u ~ Gamma(nu_j / 2, rate nu_j / 2).  Given x_i, the expected factor is
exactly u_ij above.  Holding the w_ij *and* the u_ij at their current values
(this is the E-step for both hidden variables), the maximisation splits:

- centre (eq. 4 with weights w_ij u_ij):
  mu_j = sum_i w_ij u_ij x_i / sum_i w_ij u_ij;
- scale (eq. 5 with weights w_ij u_ij, but divided by N_j = sum_i w_ij):
  Sigma_j = sum_i w_ij u_ij (x_i - mu_j)(x_i - mu_j)^T / N_j;
- degrees of freedom: no closed form.  Setting the derivative to zero gives
  the 1-D equation solved in :func:`dof_equation`, which
  :func:`update_dofs` solves with :func:`scipy.optimize.brentq`, per component.

An outlier has a large delta, hence a small u_ij, hence little say in the
centre and scale: that is where the robustness comes from.  Because the
expected complete-data log-likelihood separates into the (mu, Sigma) part and
the nu part, these conditional maximisations together maximise it, so every
iteration still never decreases ln L (the "ECM" algorithm of Meng & Rubin).
"""

import numpy as np
from scipy.optimize import brentq
from scipy.special import digamma, gammaln

from .. import validation as check
from ..gaussian import (
    DegenerateComponentError,
    gaussian_statistics,
    log_det_cholesky,
    means_and_covariances_from_statistics,
    precision_cholesky,
    squared_distances_per_component,
    update_covariances,
    update_means,
)
from ..likelihood import effective_counts
from .base import Family, check_setting

#: Degrees of freedom are kept in this range.  At the top the t is a Gaussian
#: for every practical purpose; at the bottom it has no finite mean.
DOF_BOUNDS = (1e-2, 1e3)
#: Degrees of freedom of every component at the start.
DOF_INIT = 10.0


def squared_mahalanobis(X, means, precisions_cholesky):
    """delta_j(x_i) = (x_i - mu_j)^T Sigma_j^-1 (x_i - mu_j) for every sample and component.

    With P_j the Cholesky factor of Sigma_j^-1 (P_j P_j^T = Sigma_j^-1), this is
    the squared length of (x_i - mu_j)^T P_j.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    return squared_distances_per_component(X, means, precisions_cholesky, "full")


def log_student_t_densities(X, means, precisions_cholesky, dofs):
    """ln p_j(x_i) of a multivariate Student-t, for every sample and component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray of shape (n_components, n_features, n_features)
        P_j with P_j P_j^T = Sigma_j^-1 (see :func:`emlib.gaussian.precision_cholesky`).
    dofs : ndarray of shape (n_components,)

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    distances = squared_mahalanobis(X, means, precisions_cholesky)
    return log_student_t_densities_from_distances(distances, precisions_cholesky, dofs)


def log_student_t_densities_from_distances(distances, precisions_cholesky, dofs):
    """:func:`log_student_t_densities` given the squared Mahalanobis distances delta_ij."""
    n_features = precisions_cholesky.shape[1]
    # -(1/2) ln det Sigma_j = ln det P_j = sum of the log-diagonal of P_j
    log_det = log_det_cholesky(precisions_cholesky, "full", n_features)
    normalisation = (gammaln(0.5 * (dofs + n_features)) - gammaln(0.5 * dofs)
                     - 0.5 * n_features * np.log(dofs * np.pi) + log_det)
    return normalisation - 0.5 * (dofs + n_features) * np.log1p(distances / dofs)


def latent_scale_weights(distances, dofs, n_features):
    """u_ij = (nu_j + d) / (nu_j + delta_ij): the expected hidden precision factor.

    Close to 1 near the centre; small for an outlier, which therefore counts
    for little in :func:`update_centres` and :func:`update_scales`.
    """
    return (dofs + n_features) / (dofs + distances)


def update_centres(X, responsibilities, scale_weights):
    """mu_j = sum_i w_ij u_ij x_i / sum_i w_ij u_ij (eq. 4 with weights w_ij u_ij)."""
    weights = responsibilities * scale_weights
    return update_means(X, weights, weights.sum(axis=0))


def update_scales(X, responsibilities, scale_weights, counts, centres, reg_covar=0.0):
    """Sigma_j = sum_i w_ij u_ij (x_i - mu_j)(x_i - mu_j)^T / N_j (eq. 5 with weights w_ij u_ij).

    ``counts`` are N_j = sum_i w_ij (not sum_i w_ij u_ij); ``reg_covar`` is added
    to the diagonal, as for Gaussian covariances.
    """
    return update_covariances(X, responsibilities * scale_weights, counts, centres, "full",
                              reg_covar)


def dof_equation(dof, old_dof, mean_log_u_minus_u, n_features):
    """The equation whose root is the new nu_j (Peel & McLachlan 2000).

        ln(nu / 2) - psi(nu / 2) + 1 + c_j + psi((nu_old + d) / 2) - ln((nu_old + d) / 2) = 0,
        c_j = sum_i w_ij (ln u_ij - u_ij) / N_j,

    with psi the digamma function and u_ij computed at the current parameters.
    The left side is the derivative (times 2 / N_j) of the nu-part of the
    expected complete-data log-likelihood.  It falls from +infinity
    (nu -> 0) to a negative limit (nu -> infinity), so the root is unique.
    """
    half = 0.5 * (old_dof + n_features)
    return (np.log(0.5 * dof) - digamma(0.5 * dof) + 1.0 + mean_log_u_minus_u
            + digamma(half) - np.log(half))


def update_dofs(responsibilities, scale_weights, counts, old_dofs, n_features,
                bounds=DOF_BOUNDS):
    """New degrees of freedom: the root of :func:`dof_equation` for each component.

    Found with :func:`scipy.optimize.brentq` inside ``bounds``.  The
    equation's left side decreases in nu, so when it has no root inside the
    bounds the maximiser within them is the bound it points to.
    """
    mean_terms = (responsibilities * (np.log(scale_weights) - scale_weights)).sum(axis=0) / counts
    return dofs_from_mean_terms(mean_terms, old_dofs, n_features, bounds)


def dofs_from_mean_terms(mean_terms, old_dofs, n_features, bounds=DOF_BOUNDS):
    """:func:`update_dofs` given c_j = sum_i w_ij (ln u_ij - u_ij) / N_j (sums, from chunks)."""
    dofs = np.empty_like(old_dofs, dtype=float)
    low, high = bounds
    for k, (old, term) in enumerate(zip(old_dofs, mean_terms)):
        arguments = (old, term, n_features)
        if dof_equation(high, *arguments) >= 0:
            dofs[k] = high  # the data look Gaussian: nu as large as allowed
        elif dof_equation(low, *arguments) <= 0:
            dofs[k] = low
        else:
            dofs[k] = brentq(dof_equation, low, high, args=arguments, xtol=1e-12, rtol=1e-14)
    return dofs


def student_t_parameters(centres, scales, dofs):
    """The parameter dict the EM loop passes around (Cholesky factors cached).

    Raises :class:`DegenerateComponentError` if a scale matrix is singular.
    """
    try:
        factors = precision_cholesky(scales, "full")
    except DegenerateComponentError:
        failed = [k for k, s in enumerate(scales) if np.linalg.eigvalsh(s)[0] <= 0]
        raise DegenerateComponentError(
            f"Student-t component {failed[0] if failed else 0} has collapsed: its scale matrix "
            "is no longer positive definite (it sits on a few identical points). Increase "
            "reg_covar, use fewer components or try other starts (n_init > 1)."
        ) from None
    return {"means": centres, "scales": scales, "dofs": dofs, "precisions_cholesky": factors}


class StudentTFamily(Family):
    """Multivariate Student-t components with full scale matrices, fitted by ECM.

    Parameters
    ----------
    reg_covar : float, default=1e-6
        Added to the diagonal of every scale matrix in each M-step.
    dof_init : float, default=10
        Degrees of freedom of every component at the start (inside ``dof_bounds``).
    dof_bounds : (float, float), default=(0.01, 1000)
        Range in which the degrees of freedom are searched: 0 < low <= high,
        both finite (low == high holds every nu_j at that value).

    Parameters of a fit: ``means`` (n_components, n_features), ``scales``
    (n_components, n_features, n_features), ``dofs`` (n_components,) and the
    cached ``precisions_cholesky``.  In 1-D ``scales[j, 0, 0]`` is s_j^2, the
    square of the scale s_j.
    """

    name = "student_t"
    #: How :class:`emlib.Mixture` starts by default: k-means gives outliers a
    #: cluster of their own, and a Student-t component that starts there stays.
    default_init = "random"

    def __init__(self, reg_covar=1e-6, dof_init=DOF_INIT, dof_bounds=DOF_BOUNDS):
        self.reg_covar = reg_covar
        self.dof_init = dof_init
        self.dof_bounds = dof_bounds
        self.check_settings()

    def check_settings(self):
        check_setting(self.reg_covar, "reg_covar", self.name, 0.0)
        bounds = self.dof_bounds
        if isinstance(bounds, (str, bytes)) or np.ndim(bounds) != 1 or len(bounds) != 2:
            raise TypeError(f"The {self.name} family setting dof_bounds must be a pair "
                            f"(low, high) with 0 < low <= high; got {bounds!r:.60}.")
        low = check_setting(bounds[0], "dof_bounds[0] (low)", self.name, 0.0, low_open=True)
        high = check_setting(bounds[1], "dof_bounds[1] (high)", self.name, 0.0, low_open=True)
        if low > high:
            raise ValueError(f"The {self.name} family setting dof_bounds must have low <= "
                             f"high; got dof_bounds={tuple(bounds)!r}.")
        check_setting(self.dof_init, "dof_init (inside dof_bounds)", self.name, low, high)
        return self

    def log_densities(self, X, params):
        return self.e_step_terms(X, params)[0]

    def e_step_terms(self, X, params):
        """The log-densities and the distances delta_ij, which the M-step's u_ij reuse."""
        distances = squared_mahalanobis(X, params["means"], params["precisions_cholesky"])
        return log_student_t_densities_from_distances(
            distances, params["precisions_cholesky"], params["dofs"]), distances

    def initialise(self, X, responsibilities, rng):
        """Weighted means and covariances of the starting classes (u_ij = 1), nu = dof_init."""
        counts = effective_counts(responsibilities)
        centres = update_means(X, responsibilities, counts)
        scales = update_covariances(X, responsibilities, counts, centres, "full", self.reg_covar)
        return student_t_parameters(centres, scales, np.full(len(counts), float(self.dof_init)))

    def statistics(self, X, responsibilities, params, reuse=None):
        """The ECM M-step's sums, with the hidden precision factors u_ij of this E-step.

        ``scaled_counts`` = sum_i w_ij u_ij; ``sum_deviations`` and ``sum_squares``
        as in :func:`emlib.gaussian.gaussian_statistics` with weights w_ij u_ij,
        centred at the previous centres; ``sum_log_u_minus_u`` = sum_i w_ij
        (ln u_ij - u_ij), for the degrees of freedom.
        """
        distances = reuse if reuse is not None else squared_mahalanobis(
            X, params["means"], params["precisions_cholesky"])
        scale_weights = latent_scale_weights(distances, params["dofs"], X.shape[1])
        weights = responsibilities * scale_weights
        sums = gaussian_statistics(X, weights, params["means"], "full")
        del sums["largest_magnitude"]  # Student-t scales have their own collapse check
        sums["scaled_counts"] = weights.sum(axis=0)
        sums["sum_log_u_minus_u"] = (
            responsibilities * (np.log(scale_weights) - scale_weights)).sum(axis=0)
        return sums

    def parameters(self, statistics, counts, params):
        scaled_counts = statistics["scaled_counts"]
        # eqs. 4-5 with weights w_ij u_ij give the centres and sum w u (x-mu)(x-mu)^T / sum w u
        centres, scatter, _ = means_and_covariances_from_statistics(
            statistics, scaled_counts, params["means"], "full")
        n_features = centres.shape[1]
        scales = scatter * (scaled_counts / counts)[:, np.newaxis, np.newaxis]
        scales += self.reg_covar * np.eye(n_features)
        dofs = dofs_from_mean_terms(statistics["sum_log_u_minus_u"] / counts, params["dofs"],
                                    n_features, self.dof_bounds)
        return student_t_parameters(centres, scales, dofs)

    def n_parameters(self, params):
        n_components, n_features = params["means"].shape
        return n_components * (n_features + n_features * (n_features + 1) // 2 + 1)

    def sample(self, rng, params, component, n_samples):
        mean, scale = params["means"][component], params["scales"][component]
        dof = params["dofs"][component]
        gaussian = rng.standard_normal((n_samples, mean.shape[0])) @ np.linalg.cholesky(scale).T
        precision_factor = rng.gamma(0.5 * dof, 2.0 / dof, size=(n_samples, 1))
        return mean + gaussian / np.sqrt(precision_factor)

    def canonical_order(self, params):
        return np.lexsort(params["means"].T[::-1])

    def parameter_shapes(self, n_components, n_features):
        """Shapes of the arrays in ``params`` (used to validate ``params_init``)."""
        return {"means": (n_components, n_features),
                "scales": (n_components, n_features, n_features),
                "dofs": (n_components,)}

    def check_parameters(self, params):
        """Refuse non-positive-definite scales or dofs outside the bounds; add the factors."""
        n_components, n_features = params["means"].shape
        scales = check.check_covariance_matrices(params["scales"], "full", n_components,
                                                 n_features, "params_init['scales']")
        low, high = self.dof_bounds
        if np.any(params["dofs"] < low) or np.any(params["dofs"] > high):
            raise ValueError(
                f"params_init['dofs'] must lie in [{low:g}, {high:g}]; got min "
                f"{params['dofs'].min():g}, max {params['dofs'].max():g}."
            )
        return student_t_parameters(params["means"], scales, params["dofs"])
