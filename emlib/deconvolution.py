"""Measurement errors: intrinsic widths, the text's eq.-7 route and extreme deconvolution.

Each datum comes with its own Gaussian measurement error. Write the true
value of sample i as y_i, drawn from the mixture, and what was measured as

    x_i = R_i y_i + epsilon_i,        epsilon_i ~ N(0, S_i),

where S_i is the (known) error covariance of that sample and R_i a known
projection: the identity unless some coordinates are missing or only
combinations of them were measured. Convolving component j, N(y | mu_j, V_j),
with the error gives the density of what is observed:

    p(x_i | j) = N(x_i | R_i mu_j, T_ij),        T_ij = R_i V_j R_i^T + S_i.

In one dimension with R_i = 1 and S_i = e_i^2 this is the text's
N(x_i | mu_j, sigma_j^2 + e_i^2). The mu_j and V_j (sigma_j^2) are the
*intrinsic* parameters, the ones the errors have not broadened.

This module has three ways to deal with the errors:

- :func:`intrinsic_width`: the homoscedastic correction sigma*_j = (sigma_j^2 - e^2)^(1/2),
  applied after an ordinary fit;
- the text's route in 1-D: the precision-weighted mean update
  (:func:`eq7_mean_update`) and eq. 7 with its sign corrected, solved
  numerically for sigma_j^2 (:func:`solve_eq7_variance`);
- extreme deconvolution (XD; Bovy, Hogg & Roweis 2011, Annals of Applied
  Statistics 5, 1657): treat the true values y_i as missing data as well,
  so that their conditional means b_ij and covariances B_ij
  (:func:`xd_expected_values`) give closed-form M-steps in any dimension
  (:func:`xd_update_means`, :func:`xd_update_covariances`; the EM loop uses
  the same updates written as sums that add over chunks of the data,
  :func:`xd_statistics` and the ``*_from_statistics`` functions; for up to 3
  observed coordinates it computes them entry by entry with closed forms,
  :func:`convolved_terms_by_entry` and :func:`xd_statistics_by_entry`).

Everything here is a pure function on arrays, except :class:`Measurements`,
which bundles a data set's x_i, S_i and R_i; the component families in
:mod:`emlib.families.xd` hand them to the EM loop. The public functions
check their arrays (finite, matching shapes, variances >= 0), since students
call them directly; inside the EM loop the families call the unchecked
kernels (the leading-underscore twins), on data XDGMM has checked once.
"""

from collections import namedtuple

import functools
import numbers

import numpy as np
from scipy.optimize import brentq

from . import validation as check
from .gaussian import LOG_2PI, DegenerateComponentError

# An empty component's sum of weights is raised to this fraction of the total
# (never an absolute constant, which would swamp uniformly tiny sample weights),
# so it gives a finite (if meaningless) update rather than 0/0.
_TINY = 10 * np.finfo(np.float64).eps


def _guard_empty(sums):
    """``sums`` with entries below _TINY times their total raised to that floor.

    Components with a real share of the weight are untouched (bit for bit);
    the floor scales with the weights, so multiplying every sample weight by
    the same constant gives the same updates.
    """
    floor = _TINY * float(np.sum(sums)) + np.finfo(np.float64).tiny
    return np.maximum(sums, floor)


# --------------------------------------------------------------------------
# The data of a fit with measurement errors


class Measurements(namedtuple("Measurements", ["values", "error_covariances", "projection"])):
    """XD's data: the measured x_i with their error covariances S_i and projections R_i.

    What the XD families take as data: everything per sample travels here,
    never in the family (which holds settings only), so one family object
    serves every data set and every chunk of one.

    Like an array of samples, ``len(measurements)`` is the number of samples
    and ``measurements[start:stop]`` the samples start to stop
    (:meth:`rows`), which is how the EM backends cut data into chunks; the
    three arrays are read by name. :class:`emlib.XDGMM` builds it from X and
    Xerr after checking them; nothing is checked here, so arrays given by
    hand must already be valid.

    Attributes
    ----------
    values : ndarray of shape (n_samples, d_obs)
        x_i.
    error_covariances : ndarray of shape (n_samples, d_obs, d_obs)
        S_i.
    projection : ndarray of shape (n_samples, d_obs, d) or (1, d_obs, d), or None
        R_i; one matrix of shape (1, d_obs, d) is shared by every sample,
        None is the identity (d = d_obs).
    """

    __slots__ = ()

    @classmethod
    def _make(cls, iterable):
        # namedtuple's own _make checks len(), which here counts samples, not fields.
        fields = tuple(iterable)
        if tuple.__len__(fields) != 3:
            raise TypeError(f"Measurements takes 3 arrays; got {tuple.__len__(fields)}.")
        return tuple.__new__(cls, fields)

    @property
    def n_samples(self):
        """Number of samples n."""
        return self.values.shape[0]

    @property
    def n_features(self):
        """d, the number of true coordinates (d_obs without a projection)."""
        return self.values.shape[1] if self.projection is None else self.projection.shape[2]

    def __len__(self):
        return self.n_samples

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError(f"Measurements can be sliced into contiguous rows only; got "
                                 f"step {index.step}.")
            start, stop, _ = index.indices(self.n_samples)
            return self.rows(start, stop)
        return tuple.__getitem__(self, index)  # an int: the field, as in any tuple

    def __repr__(self):
        projection = "None" if self.projection is None else f"shape {self.projection.shape}"
        return (f"Measurements(values: shape {self.values.shape}, error_covariances: shape "
                f"{self.error_covariances.shape}, projection: {projection})")

    def rows(self, start, stop):
        """The samples ``start`` to ``stop`` (a shared projection is kept as it is)."""
        projection = self.projection
        if projection is not None and projection.shape[0] != 1:
            projection = projection[start:stop]
        return Measurements(self.values[start:stop], self.error_covariances[start:stop],
                            projection)

    def true_value_estimates(self):
        """Least-squares guesses of y_i from x_i = R_i y_i (x_i itself without a projection).

        Only for starting EM (k-means and the first means and covariances).
        """
        if self.projection is None:
            return self.values
        return (np.linalg.pinv(self.projection) @ self.values[:, :, np.newaxis])[..., 0]


# --------------------------------------------------------------------------
# Validation of the arrays the public functions take (the EM loop's families
# call the unchecked kernels, whose input XDGMM has validated once).


def _vector(values, name, n_samples=None, non_negative=False):
    """``values`` as a finite 1-D float array (of length ``n_samples`` if given)."""
    vector = check.check_data(values, name=name, ensure_2d=False)
    if vector.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (one value per sample); got shape "
                         f"{vector.shape}.")
    if n_samples is not None and vector.shape[0] != n_samples:
        raise ValueError(f"{name} must have one entry per sample of x, shape ({n_samples},); "
                         f"got shape {vector.shape}.")
    if non_negative and np.any(vector < 0):
        i = int(np.argmin(vector))
        raise ValueError(f"{name} must be non-negative; got {name}[{i}] = {vector[i]:g}.")
    return vector


def _number(value, name):
    """``value`` as a finite float (a scalar or an array with one element)."""
    if isinstance(value, (bool, np.bool_)) or not (
            isinstance(value, numbers.Real)
            or (isinstance(value, np.ndarray) and value.size == 1
                and np.issubdtype(value.dtype, np.number) and not np.iscomplexobj(value))):
        raise TypeError(f"{name} must be a real number; got {check._describe(value)}.")
    number = float(np.reshape(value, ()))
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite; got {number}.")
    return number


def _eq7_inputs(x, error_variances, responsibilities, mean=None, responsibility_shape=1):
    """The per-sample arrays of the eq.-7 functions, checked; ``mean`` too if given."""
    x = _vector(x, "x")
    n_samples = x.shape[0]
    error_variances = _vector(error_variances, "error_variances", n_samples, non_negative=True)
    if responsibility_shape == 1:
        responsibilities = _vector(responsibilities, "responsibilities", n_samples,
                                   non_negative=True)
    else:
        responsibilities = check.check_data(responsibilities, name="responsibilities",
                                            ensure_2d=False)
        if responsibilities.ndim != 2 or responsibilities.shape[0] != n_samples:
            raise ValueError(
                f"responsibilities must have shape ({n_samples}, n_components), one row per "
                f"sample of x; got shape {responsibilities.shape}.")
        if np.any(responsibilities < 0):
            raise ValueError(f"responsibilities must be non-negative; got min "
                             f"{responsibilities.min():g}.")
    if mean is None:
        return x, error_variances, responsibilities
    return x, error_variances, responsibilities, _number(mean, "mean")


def _component_vectors(means, variances):
    """Per-component means and variances (1-D, the same length, variances >= 0)."""
    means = _vector(means, "means")
    variances = _vector(variances, "variances", non_negative=True)
    if variances.shape != means.shape:
        raise ValueError(f"means and variances must have one entry per component, the same "
                         f"shape; got {means.shape} and {variances.shape}.")
    return means, variances


def _xd_inputs(X, error_covariances, means, covariances, projection):
    """The arrays of the d-D functions, checked for finiteness and matching shapes."""
    X = check.check_data(X, name="X", ensure_2d=False)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, d_obs); got shape {X.shape}.")
    n_samples, n_observed = X.shape
    error_covariances = check.check_data(error_covariances, name="error_covariances",
                                         ensure_2d=False, any_ndim=True)
    if error_covariances.shape != (n_samples, n_observed, n_observed):
        raise ValueError(
            f"error_covariances must have shape ({n_samples}, {n_observed}, {n_observed}), one "
            f"covariance matrix S_i per sample of X; got shape {error_covariances.shape}.")
    means = check.check_data(means, name="means", ensure_2d=False, any_ndim=True)
    if means.ndim != 2:
        raise ValueError(f"means must have shape (n_components, d); got shape {means.shape}.")
    n_components, n_features = means.shape
    covariances = check.check_data(covariances, name="covariances", ensure_2d=False,
                                   any_ndim=True)
    if covariances.shape != (n_components, n_features, n_features):
        raise ValueError(f"covariances must have shape ({n_components}, {n_features}, "
                         f"{n_features}) to match means; got shape {covariances.shape}.")
    if projection is None:
        if n_features != n_observed:
            raise ValueError(f"Without a projection, means must have {n_observed} columns like "
                             f"X; got {n_features}.")
    else:
        projection = check.check_data(projection, name="projection", ensure_2d=False,
                                      any_ndim=True)
        if projection.ndim != 3 or projection.shape[0] not in (1, n_samples) \
                or projection.shape[1:] != (n_observed, n_features):
            raise ValueError(
                f"projection must have shape ({n_samples} or 1, {n_observed}, {n_features}) "
                f"(one R_i per sample of X, mapping the {n_features} true coordinates of means "
                f"to the {n_observed} of X); got shape {projection.shape}.")
    return X, error_covariances, means, covariances, projection


def _trial_variances(variance):
    variance = check.check_data(variance, name="variance", ensure_2d=False, any_ndim=True)
    if np.any(variance < 0):
        raise ValueError(f"variance (trial values of sigma_j^2) must be non-negative; got min "
                         f"{variance.min():g}.")
    return variance


# --------------------------------------------------------------------------
# The homoscedastic correction


def intrinsic_width(observed_width, error, *, unresolved="raise"):
    """sigma*_j = (sigma_j^2 - e^2)^(1/2): remove a common error e from fitted widths.

    The convolution of N(mu, sigma*^2) with an error N(0, e^2) is
    N(mu, sigma*^2 + e^2), so a width sigma_j fitted to data that all carry
    the same error e estimates (sigma*^2 + e^2)^(1/2); solving for sigma*
    gives the correction. It only works when every point has the same error.

    When the fitted width comes out *smaller* than e (sampling noise can do
    that when sigma* is small compared with e) there is no real square root:
    the data are narrower than the errors alone would make them, and the
    intrinsic width is not resolved.

    Parameters
    ----------
    observed_width : float or array-like
        Fitted standard deviations sigma_j (not variances).
    error : float or array-like
        The common measurement error e (a standard deviation), broadcast
        against ``observed_width``.
    unresolved : {'raise', 'zero'}
        What to do where sigma_j < e. ``'raise'``: a ValueError naming those
        entries. ``'zero'``: return 0 there, the value that maximises the
        likelihood of a single Gaussian under the constraint sigma* >= 0.

    Returns
    -------
    float or ndarray
        sigma*_j, with the shape of ``observed_width`` and ``error`` broadcast.
    """
    if unresolved not in ("raise", "zero"):
        raise ValueError(f"unresolved must be 'raise' or 'zero'; got {unresolved!r}.")
    widths = check.check_data(observed_width, name="observed_width", ensure_2d=False,
                              any_ndim=True)
    errors = check.check_data(error, name="error", ensure_2d=False, any_ndim=True)
    for name, values in (("observed_width", widths), ("error", errors)):
        if np.any(values < 0):
            raise ValueError(f"{name} must be finite and non-negative (a standard "
                             f"deviation); got min {values.min():g}.")
    try:
        np.broadcast_shapes(widths.shape, errors.shape)
    except ValueError:
        raise ValueError(f"observed_width and error must broadcast against each other; got "
                         f"shapes {widths.shape} and {errors.shape}.") from None
    excess = widths**2 - errors**2
    if np.any(excess < 0) and unresolved == "raise":
        bad = np.flatnonzero(excess < 0)
        raise ValueError(
            f"The fitted width is smaller than the measurement error at {bad.size} "
            f"entr{'y' if bad.size == 1 else 'ies'} (flat indices {bad.tolist()}): "
            "sigma_j^2 - e^2 < 0 has no real square root, so the intrinsic width is not "
            "resolved by these data. Pass unresolved='zero' to report 0 there, or model "
            "the errors in the fit (emlib.XDGMM)."
        )
    result = np.sqrt(np.maximum(excess, 0.0))
    return float(result) if result.ndim == 0 else result


# --------------------------------------------------------------------------
# The text's route in 1-D: the mean update and eq. 7


def log_convolved_densities_1d(x, error_variances, means, variances):
    """ln N(x_i | mu_j, sigma_j^2 + e_i^2): eq. 1's terms with measurement errors, in 1-D.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
    error_variances : ndarray of shape (n_samples,)
        e_i^2.
    means, variances : ndarray of shape (n_components,)
        Intrinsic mu_j and sigma_j^2.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    x = _vector(x, "x")
    error_variances = _vector(error_variances, "error_variances", x.shape[0], non_negative=True)
    means, variances = _component_vectors(means, variances)
    return _log_convolved_densities_1d(x, error_variances, means, variances)


def _log_convolved_densities_1d(x, error_variances, means, variances):
    total = error_variances[:, np.newaxis] + variances
    return -0.5 * (LOG_2PI + np.log(total) + (x[:, np.newaxis] - means) ** 2 / total)


def eq7_mean_update(x, error_variances, responsibilities, variances):
    """mu_j = sum_i [w_ij / (sigma_j^2 + e_i^2)] x_i / sum_i [w_ij / (sigma_j^2 + e_i^2)].

    The text's mean update with errors: each point counts with its
    responsibility times its precision under component j, so precise points
    pull harder. The weights contain sigma_j^2, so this is the best mean
    *given* the current sigma_j, not a closed form for both at once.

    Parameters
    ----------
    x, error_variances : ndarray of shape (n_samples,)
    responsibilities : ndarray of shape (n_samples, n_components)
        w_ij (sample weights already folded in).
    variances : ndarray of shape (n_components,)
        The current sigma_j^2.

    Returns
    -------
    ndarray of shape (n_components,)
    """
    x, error_variances, responsibilities = _eq7_inputs(x, error_variances, responsibilities,
                                                       responsibility_shape=2)
    variances = _vector(variances, "variances", non_negative=True)
    if variances.shape != responsibilities.shape[1:]:
        raise ValueError(f"variances must have one entry per column of responsibilities, "
                         f"shape {responsibilities.shape[1:]}; got shape {variances.shape}.")
    return _eq7_mean_update(x, error_variances, responsibilities, variances)


def _eq7_mean_update(x, error_variances, responsibilities, variances):
    precision_weights = responsibilities / (error_variances[:, np.newaxis] + variances)
    return x @ precision_weights / _guard_empty(precision_weights.sum(axis=0))


def eq7_residual(variance, x, error_variances, responsibilities, mean):
    """Right-hand side minus left-hand side of eq. 7 (sign corrected), at sigma_j^2 = ``variance``.

    Setting the derivative of ln L with respect to sigma_j^2 to zero gives

        sum_i w_ij / (sigma_j^2 + e_i^2) = sum_i w_ij (x_i - mu_j)^2 / (sigma_j^2 + e_i^2)^2,

    with a **plus** sign in the left denominator (the text prints a minus).
    This function returns the right side minus the left side, which is
    2 dQ/d(sigma_j^2) (see :func:`eq7_objective`): positive where a larger
    sigma_j would fit better, zero at the update. Both sums are combined
    into one, sum_i w_ij [(x_i - mu_j)^2 - sigma_j^2 - e_i^2] / (sigma_j^2 + e_i^2)^2,
    which avoids subtracting two large numbers.

    Parameters
    ----------
    variance : float or ndarray
        Trial values of sigma_j^2; the result has this shape.
    x, error_variances : ndarray of shape (n_samples,)
    responsibilities : ndarray of shape (n_samples,)
        w_ij for this one component.
    mean : float
        mu_j.
    """
    variance = _trial_variances(variance)
    x, error_variances, responsibilities, mean = _eq7_inputs(x, error_variances,
                                                             responsibilities, mean)
    return _eq7_residual(variance, x, error_variances, responsibilities, mean)


def _eq7_residual(variance, x, error_variances, responsibilities, mean):
    variance = np.asarray(variance, dtype=float)
    total = error_variances + variance[..., np.newaxis]
    return (responsibilities * ((x - mean) ** 2 - total) / total**2).sum(axis=-1)


def eq7_objective(variance, x, error_variances, responsibilities, mean):
    """Q_j(s) = -1/2 sum_i w_ij [ln(s + e_i^2) + (x_i - mu_j)^2 / (s + e_i^2)], s = sigma_j^2.

    The part of the expected complete-data log-likelihood (eq. 3) that
    depends on sigma_j^2 (constants dropped). The M-step maximises it;
    its derivative is half of :func:`eq7_residual`.
    """
    variance = _trial_variances(variance)
    x, error_variances, responsibilities, mean = _eq7_inputs(x, error_variances,
                                                             responsibilities, mean)
    return _eq7_objective(variance, x, error_variances, responsibilities, mean)


def _eq7_objective(variance, x, error_variances, responsibilities, mean):
    variance = np.asarray(variance, dtype=float)
    total = error_variances + variance[..., np.newaxis]
    with np.errstate(divide="ignore", invalid="ignore"):  # sigma = e = 0 gives -inf, not a crash
        terms = responsibilities * (np.log(total) + (x - mean) ** 2 / total)
    return -0.5 * terms.sum(axis=-1)


#: The result of :func:`solve_eq7_variance`.
Eq7Solution = namedtuple("Eq7Solution", ["variance", "at_boundary"])


def solve_eq7_variance(x, error_variances, responsibilities, mean, *, n_grid=64):
    """Solve eq. 7 (sign corrected) for the intrinsic variance sigma_j^2 >= 0.

    Where the roots can be: term i of :func:`eq7_residual`,
    w_ij (r_i^2 - e_i^2 - s) / (s + e_i^2)^2 with r_i = x_i - mu_j, is negative
    once s > r_i^2 - e_i^2. So every root lies in (0, s_max] with
    s_max = max_i (r_i^2 - e_i^2), over the points with w_ij > 0.

    - If s_max <= 0, every point lies closer to mu_j than its own error bar:
      the residual is negative for all sigma_j^2 > 0, so Q_j only falls as
      sigma_j grows and eq. 7 has **no positive root**. The maximum over
      sigma_j >= 0 is on the boundary, sigma_j^2 = 0 (the heteroscedastic
      form of the text's "sigma_j smaller than e" failure). We return 0 and
      say so with ``at_boundary=True``.
    - Otherwise the residual is evaluated on a logarithmic grid over
      (0, s_max]; every change of sign from + to - brackets a local maximum
      of Q_j, found with :func:`scipy.optimize.brentq`. With very unequal
      errors Q_j can have more than one (it need not be unimodal), so every
      bracketed root, and 0 if the residual is already negative at the
      bottom of the grid, is a candidate; the one with the largest Q_j wins.

    Parameters
    ----------
    x, error_variances : ndarray of shape (n_samples,)
    responsibilities : ndarray of shape (n_samples,)
        w_ij for this one component (sample weights folded in).
    mean : float
        mu_j, usually just updated by :func:`eq7_mean_update`.
    n_grid : int
        Grid points used to bracket the roots.

    Returns
    -------
    Eq7Solution
        ``variance`` (sigma_j^2) and ``at_boundary`` (True when the maximum
        is sigma_j = 0 because no positive root wins).

    Raises
    ------
    ValueError
        If an array holds NaN or infinity, negative error variances or
        responsibilities, or the lengths differ (a NaN would otherwise read as
        "no positive root").
    """
    x, error_variances, responsibilities, mean = _eq7_inputs(x, error_variances,
                                                             responsibilities, mean)
    check.check_int(n_grid, "n_grid", 2)
    return _solve_eq7_variance(x, error_variances, responsibilities, mean, n_grid)


def _solve_eq7_variance(x, error_variances, responsibilities, mean, n_grid=64):
    used = responsibilities > 0
    x, error_variances, weights = x[used], error_variances[used], responsibilities[used]
    if weights.size == 0:
        return Eq7Solution(0.0, True)
    upper = float(np.max((x - mean) ** 2 - error_variances))
    if upper <= 0:
        return Eq7Solution(0.0, True)

    def residual(variance):
        return float(_eq7_residual(variance, x, error_variances, weights, mean))

    grid = upper * np.geomspace(1e-12, 1.0, n_grid)
    with np.errstate(divide="ignore", invalid="ignore"):
        signs = _eq7_residual(grid, x, error_variances, weights, mean) > 0
    candidates = [] if signs[0] else [0.0]
    for k in np.flatnonzero(signs[:-1] & ~signs[1:]):
        # brentq needs opposite signs; a residual of exactly 0 at the top is itself the root.
        if residual(grid[k + 1]) == 0:
            candidates.append(float(grid[k + 1]))
        else:
            candidates.append(brentq(residual, grid[k], grid[k + 1],
                                     xtol=1e-15 * upper, rtol=4 * np.finfo(float).eps))
    if not candidates:  # the grid saw no sign change at all: Q_j rises up to s_max
        candidates.append(upper)
    values = _eq7_objective(np.array(candidates), x, error_variances, weights, mean)
    values = np.where(np.isnan(values), -np.inf, values)
    best = candidates[int(np.argmax(values))]
    return Eq7Solution(best, best == 0.0)


# --------------------------------------------------------------------------
# Extreme deconvolution (any dimension)


def convolved_covariances(covariances, error_covariances, projection=None):
    """T_ij = R_i V_j R_i^T + S_i: the covariance of x_i under component j.

    Parameters
    ----------
    covariances : ndarray of shape (n_components, d, d)
        Intrinsic V_j.
    error_covariances : ndarray of shape (n_samples, d_obs, d_obs)
        S_i.
    projection : ndarray of shape (n_samples, d_obs, d) or (1, d_obs, d), or None
        R_i (None: the identity, d_obs = d).

    Returns
    -------
    ndarray of shape (n_samples, n_components, d_obs, d_obs)
    """
    if projection is None:
        projected = covariances[np.newaxis]
    else:
        rows = projection[:, np.newaxis]  # (n or 1, 1, d_obs, d)
        projected = rows @ covariances @ np.swapaxes(rows, -1, -2)
    return projected + error_covariances[:, np.newaxis]


def cholesky_factors(matrices):
    """Lower-triangular L with L L^T = A, for every matrix A of a stack.

    The Cholesky-Banachiewicz recursion, looping over the d coordinates only
    and vectorised over the stack. XD needs one small matrix per point and
    component; for those numpy.linalg.cholesky, which calls LAPACK once per
    matrix, is several times slower. Raises numpy.linalg.LinAlgError if a
    matrix is not positive definite.

    Parameters
    ----------
    matrices : ndarray of shape (..., d, d)
    """
    n_features = matrices.shape[-1]
    lower = np.zeros_like(matrices)
    for j in range(n_features):
        pivot = matrices[..., j, j] - (lower[..., j, :j] ** 2).sum(axis=-1)
        if not np.all(pivot > 0):
            raise np.linalg.LinAlgError("a matrix is not positive definite")
        lower[..., j, j] = np.sqrt(pivot)
        for i in range(j + 1, n_features):
            inner = (lower[..., i, :j] * lower[..., j, :j]).sum(axis=-1)
            lower[..., i, j] = (matrices[..., i, j] - inner) / lower[..., j, j]
    return lower


def inverse_lower_triangular(lower):
    """L^-1 for a stack of lower-triangular L, by forward substitution (vectorised as above)."""
    n_features = lower.shape[-1]
    inverse = np.zeros_like(lower)
    for i in range(n_features):
        inverse[..., i, i] = 1.0 / lower[..., i, i]
        for j in range(i):
            inner = (lower[..., i, j:i] * inverse[..., j:i, j]).sum(axis=-1)
            inverse[..., i, j] = -inner / lower[..., i, i]
    return inverse


def _not_positive_definite(total):
    """The error to raise when some T_ij (any layout, e.g. a stack) has no Cholesky factor."""
    if not np.all(np.isfinite(total)):
        return ValueError(
            "A convolved covariance R_i V_j R_i^T + S_i contains NaN or infinity: the "
            "covariances, error covariances or projection are not finite (or too large "
            "for float64). Rescale the data or check those arrays.")
    return DegenerateComponentError(
        "A convolved covariance R_i V_j R_i^T + S_i is not positive definite: a "
        "component has collapsed onto points that have zero measurement error. Increase "
        "reg_covar, give those points a (small) error, or use fewer components.")


def convolved_terms(X, error_covariances, means, covariances, projection=None):
    """What XD's E- and M-step share, computed once for all points and components.

    With T_ij = L_ij L_ij^T (Cholesky), the whitening matrix W_ij = L_ij^-1
    turns the residual x_i - R_i mu_j into z_ij = W_ij (x_i - R_i mu_j), whose
    squared length is the Mahalanobis distance in ln N; and T_ij^-1 = W_ij^T W_ij.

    Returns
    -------
    log_densities : ndarray of shape (n_samples, n_components)
        ln N(x_i | R_i mu_j, T_ij).
    whitened_residuals : ndarray of shape (n_samples, n_components, d_obs)
        z_ij.
    whitening : ndarray of shape (n_samples, n_components, d_obs, d_obs)
        W_ij = L_ij^-1 (lower triangular).
    """
    total = convolved_covariances(covariances, error_covariances, projection)
    try:
        lower = cholesky_factors(total)
    except np.linalg.LinAlgError:
        raise _not_positive_definite(total) from None
    whitening = inverse_lower_triangular(lower)
    if projection is None:
        predicted = means[np.newaxis]
    else:
        predicted = np.einsum("nab,kb->nka", projection, means)
    residuals = X[:, np.newaxis, :] - predicted
    whitened = np.einsum("nkab,nkb->nka", whitening, residuals)
    log_det = 2.0 * np.log(np.diagonal(lower, axis1=-2, axis2=-1)).sum(axis=-1)
    squared = np.einsum("nka,nka->nk", whitened, whitened)
    log_densities = -0.5 * (X.shape[1] * LOG_2PI + log_det + squared)
    return log_densities, whitened, whitening


def log_convolved_densities(X, error_covariances, means, covariances, projection=None):
    """ln N(x_i | R_i mu_j, R_i V_j R_i^T + S_i) for every sample and component.

    The d-dimensional form of the text's N(x_i | mu_j, sigma_j^2 + e_i^2).

    Parameters
    ----------
    X : ndarray of shape (n_samples, d_obs)
    error_covariances : ndarray of shape (n_samples, d_obs, d_obs)
    means : ndarray of shape (n_components, d)
    covariances : ndarray of shape (n_components, d, d)
    projection : ndarray of shape (n_samples or 1, d_obs, d), or None

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    return convolved_terms(*_xd_inputs(X, error_covariances, means, covariances, projection))[0]


def xd_expected_values(X, error_covariances, means, covariances, projection=None, *,
                       terms=None):
    """XD's E-step: b_ij = E[y_i | x_i, j] and B_ij = Cov[y_i | x_i, j].

    Given that sample i came from component j, its true value y_i and the
    measurement x_i are jointly Gaussian, so conditioning on x_i gives

        b_ij = mu_j + V_j R_i^T T_ij^-1 (x_i - R_i mu_j),
        B_ij = V_j - V_j R_i^T T_ij^-1 R_i V_j.

    b_ij pulls the measurement towards the component (more so the larger
    the error compared with V_j); B_ij is what remains unknown about y_i.
    With zero errors and R_i = 1, b_ij = x_i and B_ij = 0.

    Parameters
    ----------
    X, error_covariances, means, covariances, projection
        As in :func:`log_convolved_densities`.
    terms : tuple, optional
        The output of :func:`convolved_terms` for the same arguments, if
        already computed.

    Returns
    -------
    expected_values : ndarray of shape (n_samples, n_components, d)
        b_ij.
    expected_covariances : ndarray of shape (n_samples, n_components, d, d)
        B_ij.
    """
    if terms is None:
        X, error_covariances, means, covariances, projection = _xd_inputs(
            X, error_covariances, means, covariances, projection)
        terms = convolved_terms(X, error_covariances, means, covariances, projection)
    _, whitened, whitening = terms
    # With T^-1 = W^T W and C_ij = V_j R_i^T W_ij^T: b = mu + C z and B = V - C C^T.
    if projection is None:
        cross = np.einsum("kab,nkcb->nkac", covariances, whitening, optimize=True)
    else:
        cross = np.einsum("kab,ncb,nkdc->nkad", covariances, projection, whitening,
                          optimize=True)
    cross = np.ascontiguousarray(cross)  # einsum may return a strided view: slow to reuse
    expected_values = means + np.einsum("nkab,nkb->nka", cross, whitened)
    expected_covariances = covariances - cross @ np.swapaxes(cross, -1, -2)
    return expected_values, expected_covariances


def xd_update_means(responsibilities, expected_values, counts):
    """mu_j = sum_i q_ij b_ij / N_j: XD's mean update (eq. 4 with x_i replaced by b_ij).

    Parameters
    ----------
    responsibilities : ndarray of shape (n_samples, n_components)
        q_ij (sample weights folded in).
    expected_values : ndarray of shape (n_samples, n_components, d)
        b_ij.
    counts : ndarray of shape (n_components,)
        N_j = sum_i q_ij.
    """
    return np.einsum("ij,ijk->jk", responsibilities, expected_values) / counts[:, np.newaxis]


def xd_update_covariances(responsibilities, expected_values, expected_covariances, counts,
                          means, reg_covar=0.0):
    """V_j = sum_i q_ij [(mu_j - b_ij)(mu_j - b_ij)^T + B_ij] / N_j: XD's covariance update.

    Eq. 5 with x_i replaced by b_ij, plus B_ij: the scatter of the
    best guesses b_ij alone would understate V_j by what is still uncertain
    about each y_i. ``reg_covar`` is then added to the diagonal (as in
    :class:`emlib.GaussianMixture`).

    Returns
    -------
    ndarray of shape (n_components, d, d)
    """
    deviations = expected_values - means  # (n, K, d)
    terms = deviations[..., :, np.newaxis] * deviations[..., np.newaxis, :] + expected_covariances
    # A plain (unoptimised) einsum: a C loop, no BLAS threads for these long, thin sums.
    covariances = np.einsum("ij,ijkl->jkl", responsibilities, terms) / counts[:, None, None]
    covariances = 0.5 * (covariances + np.swapaxes(covariances, 1, 2))  # exact symmetry
    return covariances + reg_covar * np.eye(means.shape[1])


def xd_statistics(responsibilities, expected_values, expected_covariances, shift):
    """The sums over samples that XD's M-step needs, centred at ``shift``.

    For a chunk of the data, with q_ij the responsibilities (sample weights
    multiplied in), b_ij and B_ij from :func:`xd_expected_values` and
    c_j = ``shift[j]`` any point fixed before the pass (the EM loop uses the
    previous means):

    - ``sum_deviations[j] = sum_i q_ij (b_ij - c_j)``,
    - ``sum_squares[j] = sum_i q_ij [(b_ij - c_j)(b_ij - c_j)^T + B_ij]``.

    Both add over any split of the samples, so XD can run chunk by chunk.
    Centring at c_j rather than at 0 keeps the second moments accurate for
    data far from the origin (the uncentred sum of b b^T would lose the
    digits of a spread that is small next to the mean).

    Parameters
    ----------
    responsibilities : ndarray of shape (n_samples, n_components)
    expected_values : ndarray of shape (n_samples, n_components, d)
    expected_covariances : ndarray of shape (n_samples, n_components, d, d)
    shift : ndarray of shape (n_components, d)

    Returns
    -------
    dict of ndarray
        ``sum_deviations`` of shape (n_components, d) and ``sum_squares`` of
        shape (n_components, d, d).
    """
    deviations = expected_values - shift  # (n, K, d)
    terms = deviations[..., :, np.newaxis] * deviations[..., np.newaxis, :] + expected_covariances
    # Plain (unoptimised) einsums: a C loop, no BLAS threads for these long, thin sums.
    return {"sum_deviations": np.einsum("ij,ijk->jk", responsibilities, deviations),
            "sum_squares": np.einsum("ij,ijkl->jkl", responsibilities, terms)}


def xd_means_from_statistics(statistics, counts, shift):
    """mu_j = c_j + delta_j, delta_j = sum_i q_ij (b_ij - c_j) / N_j: :func:`xd_update_means`.

    The same update as :func:`xd_update_means`, written with the sums of
    :func:`xd_statistics` centred at c_j = ``shift[j]``.

    Parameters
    ----------
    statistics : dict
        The output of :func:`xd_statistics` (summed over all the data).
    counts : ndarray of shape (n_components,)
        N_j = sum_i q_ij.
    shift : ndarray of shape (n_components, d)
        The c_j the statistics are centred at.

    Returns
    -------
    ndarray of shape (n_components, d)
    """
    return shift + statistics["sum_deviations"] / counts[:, np.newaxis]


def xd_covariances_from_statistics(statistics, counts, shift, means, reg_covar=0.0):
    """V_j from the sums of :func:`xd_statistics`: XD's :func:`xd_update_covariances`.

    The scatter about the new mean mu_j follows from the scatter about c_j
    (the parallel-axis rule): with delta_j = sum_deviations[j] / N_j and
    m_j = mu_j - c_j - delta_j,

        V_j = sum_squares[j] / N_j - delta_j delta_j^T + m_j m_j^T.

    When mu_j is the update of :func:`xd_means_from_statistics`, m_j = 0 and
    this is sum_i q_ij [(mu_j - b_ij)(mu_j - b_ij)^T + B_ij] / N_j; a mean
    held fixed keeps m_j. Then V_j is symmetrised and ``reg_covar`` added to
    its diagonal, as in :func:`xd_update_covariances`.

    Parameters
    ----------
    statistics, counts, shift
        As in :func:`xd_means_from_statistics`.
    means : ndarray of shape (n_components, d)
        The new means mu_j, about which the covariances are taken.
    reg_covar : float

    Returns
    -------
    ndarray of shape (n_components, d, d)
    """
    delta = statistics["sum_deviations"] / counts[:, np.newaxis]
    offset = means - shift - delta
    covariances = statistics["sum_squares"] / counts[:, np.newaxis, np.newaxis]
    covariances -= delta[:, :, np.newaxis] * delta[:, np.newaxis, :]
    covariances += offset[:, :, np.newaxis] * offset[:, np.newaxis, :]
    covariances = 0.5 * (covariances + np.swapaxes(covariances, 1, 2))  # exact symmetry
    return covariances + reg_covar * np.eye(means.shape[1])


# --------------------------------------------------------------------------
# XD's pass, fast: small T_ij factored entry by entry, in blocks of samples
#
# The functions above are XD's equations as written, on (n, K, d, d) stacks.
# For d_obs <= 3 the EM loop runs the same equations in the same order, but
# with every matrix entry held as one (K, n) array over components and
# samples: the Cholesky factor, its inverse, b_ij - mu_j and B_ij become a
# few closed-form lines of whole-array arithmetic (for d_obs = 2,
# l_00 = sqrt(a), l_10 = b / l_00, l_11 = sqrt(c - l_10^2)), with no
# per-matrix work. Each pass factors T_ij once (:func:`convolved_terms_by_entry`,
# the E-step) and the M-step's sums reuse the factors
# (:func:`xd_statistics_by_entry`). Both are tested against the stacked forms.

# The largest d_obs done entry by entry; above it, the family keeps the general
# stacked functions (the unrolled loops still win there, 7x at d_obs = 4 and 5x
# at 8 when measured, but the closed forms are meant for small matrices).
ENTRYWISE_MAX_D = 3
# Samples go in blocks of about this many (component, sample) pairs: each
# temporary (K, block) array is then ~48 KB, stays in the cache and is recycled
# by malloc from block to block. Over all n at once, faulting in fresh memory
# for the temporaries took half the time.
_BLOCK_ENTRIES = 6144


class TermsByEntry(namedtuple("TermsByEntry", ["log_densities", "whitened", "whitening"])):
    """The output of :func:`convolved_terms`, each matrix entry an array over (K, n).

    Attributes
    ----------
    log_densities : ndarray of shape (n_samples, n_components)
        ln N(x_i | R_i mu_j, T_ij): the transpose of a (K, n) array (so
        Fortran-ordered, which makes the E-step's sums over components
        run along n).
    whitened : ndarray of shape (d_obs, n_components, n_samples)
        z_ij = W_ij (x_i - R_i mu_j); ``whitened[a]`` is coordinate a.
    whitening : ndarray of shape (d_obs, d_obs, n_components, n_samples)
        W_ij = L_ij^-1 (lower triangular; the entries above the diagonal are 0).
    """

    __slots__ = ()


def _add_up(arrays):
    """The sum of a few arrays (0.0 for none), left to right as numpy's sum adds them."""
    arrays = list(arrays)
    return functools.reduce(np.add, arrays) if arrays else 0.0


def _blocks(n_samples, n_components):
    """Slices of consecutive samples, about _BLOCK_ENTRIES (component, sample) pairs each."""
    size = max(1, _BLOCK_ENTRIES // n_components)
    return [slice(start, start + size) for start in range(0, n_samples, size)]


def _cholesky_by_entry(total):
    """Cholesky factors L_ij of every T_ij, entry by entry.

    The Cholesky-Banachiewicz recursion of :func:`cholesky_factors`, the same
    arithmetic in the same order (so the same factor, bit for bit), unrolled
    over the entries of small matrices. For d = 2, T = [[a, b], [b, c]]:

        l_00 = sqrt(a),   l_10 = b / l_00,   l_11 = sqrt(c - l_10^2),

    and det T = l_00^2 l_11^2 = a c - b^2.

    Parameters
    ----------
    total : ndarray of shape (d, d, ...)
        T_ij by entry (only the lower triangle is read).

    Returns
    -------
    lower : list of lists
        ``lower[a][b]`` (b <= a) is entry (a, b) of L_ij.
    pivots : list
        ``pivots[a] = l_aa^2``, whose product is det T_ij.

    Raises
    ------
    numpy.linalg.LinAlgError
        If some T_ij is not positive definite (or not finite), exactly when
        :func:`cholesky_factors` raises.
    """
    n_features = total.shape[0]
    lower = [[None] * n_features for _ in range(n_features)]
    pivots = []
    for j in range(n_features):
        pivot = total[j, j] - _add_up(lower[j][k] ** 2 for k in range(j))
        if not np.all(pivot > 0):
            raise np.linalg.LinAlgError("a matrix is not positive definite")
        pivots.append(pivot)
        lower[j][j] = np.sqrt(pivot)
        for i in range(j + 1, n_features):
            inner = _add_up(lower[i][k] * lower[j][k] for k in range(j))
            lower[i][j] = (total[i, j] - inner) / lower[j][j]
    return lower, pivots


def _log_determinant(pivots):
    """ln det T = ln prod_a l_aa^2, summing the logs only where the product leaves float64.

    One log instead of d_obs: logs are the costliest step of the closed forms.
    """
    determinant = functools.reduce(np.multiply, pivots)
    if np.all((determinant >= np.finfo(np.float64).tiny) & (determinant < np.inf)):
        return np.log(determinant)
    return _add_up(np.log(pivot) for pivot in pivots)


def _projection_by_entry(projection, rows):
    """R_i of the samples ``rows`` as a contiguous (d_obs, d, n_block or 1) array, or None.

    With the samples last, like every other array by entry: einsum over
    (n, d_obs, d) as given would stride across n and run tens of times slower.
    """
    if projection is None:
        return None
    if projection.shape[0] != 1:
        projection = projection[rows]
    return np.ascontiguousarray(np.moveaxis(projection, 0, -1))


def _terms_of_block(X, error_covariances, means, covariances, projection, out):
    """:func:`convolved_terms_by_entry` of one block of samples, into ``out`` (a view of it).

    ``projection`` is :func:`_projection_by_entry` of the block, and
    ``out.log_densities`` the block's (K, n_block) part.
    """
    n_observed = X.shape[1]
    # T_ij = R_i V_j R_i^T + S_i and R_i mu_j, entry by entry.
    if projection is None:
        projected = np.moveaxis(covariances, 0, -1)[..., np.newaxis]  # (d, d, K, 1)
        predicted = means.T[:, :, np.newaxis]  # (d, K, 1)
    else:
        projected = np.einsum("acn,kcd,bdn->abkn", projection, covariances, projection)
        predicted = np.einsum("abn,kb->akn", projection, means)
    total = projected + np.moveaxis(error_covariances, 0, -1)[:, :, np.newaxis, :]
    try:
        lower, pivots = _cholesky_by_entry(total)
    except np.linalg.LinAlgError:
        raise _not_positive_definite(total) from None
    # W = L^-1 by forward substitution, as in inverse_lower_triangular.
    whitening = out.whitening
    for i in range(n_observed):
        np.divide(1.0, lower[i][i], out=whitening[i, i])
        for j in range(i):
            inner = _add_up(lower[i][k] * whitening[k, j] for k in range(j, i))
            np.divide(-inner, lower[i][i], out=whitening[i, j])
    # z = W (x - R mu); its squared length is the Mahalanobis distance.
    residuals = X.T[:, np.newaxis, :] - predicted
    for a in range(n_observed):
        out.whitened[a] = _add_up(whitening[a, b] * residuals[b] for b in range(a + 1))
    squared = _add_up(z**2 for z in out.whitened)
    out.log_densities[...] = -0.5 * (n_observed * LOG_2PI + _log_determinant(pivots) + squared)


def convolved_terms_by_entry(X, error_covariances, means, covariances, projection=None):
    """:func:`convolved_terms` for small d_obs: closed forms on whole arrays, by entry.

    The same quantities (ln N(x_i | R_i mu_j, T_ij), z_ij and W_ij = L_ij^-1)
    by the same recursions, but every entry of the small matrices is one
    (K, n) array, so each step is one numpy operation over all points and
    components (:func:`_cholesky_by_entry`); samples go in blocks, so the
    temporaries stay in the cache. Meant for d_obs <= ``ENTRYWISE_MAX_D``
    (it works for any d_obs). The arguments are not checked (the family
    calls this on data XDGMM has validated); they are those of
    :func:`log_convolved_densities`.

    Returns
    -------
    TermsByEntry

    Raises
    ------
    DegenerateComponentError
        If some T_ij is not positive definite (a collapsed component), as
        :func:`convolved_terms` does.
    ValueError
        If some T_ij is not finite. (Blocks are checked in turn: should the
        data have both a collapse and a non-finite T_ij, the first block
        with either decides which of the two is reported.)
    """
    (n_samples, n_observed), n_components = X.shape, means.shape[0]
    terms = TermsByEntry(np.empty((n_components, n_samples)),
                         np.empty((n_observed, n_components, n_samples)),
                         np.zeros((n_observed, n_observed, n_components, n_samples)))
    for rows in _blocks(n_samples, n_components):
        _terms_of_block(X[rows], error_covariances[rows], means, covariances,
                        _projection_by_entry(projection, rows),
                        TermsByEntry(*(part[..., rows] for part in terms)))
    return terms._replace(log_densities=terms.log_densities.T)


def xd_statistics_by_entry(responsibilities, terms, covariances, projection=None):
    """:func:`xd_expected_values` then :func:`xd_statistics` (shift = the means), by entry.

    The same equations in the same order, on the (K, n) arrays of
    :func:`convolved_terms_by_entry`, a block of samples at a time. With
    C_ij = V_j R_i^T W_ij^T,

        b_ij - mu_j = C_ij z_ij,        B_ij = V_j - C_ij C_ij^T,

    and the sums are those of :func:`xd_statistics` centred at c_j = mu_j:
    ``sum_deviations[j] = sum_i q_ij (b_ij - mu_j)`` and
    ``sum_squares[j] = sum_i q_ij [(b_ij - mu_j)(b_ij - mu_j)^T + B_ij]``.
    b_ij - mu_j comes straight from C_ij z_ij, not as a difference of b_ij and
    mu_j; T_ij^-1 is never formed (summed first and multiplied by V_j after,
    its rounding would cost cond(T_ij) times more digits).

    Parameters
    ----------
    responsibilities : ndarray of shape (n_samples, n_components)
        q_ij (sample weights folded in).
    terms : TermsByEntry
        From :func:`convolved_terms_by_entry` at the same data and parameters.
    covariances : ndarray of shape (n_components, d, d)
        V_j.
    projection : ndarray of shape (n_samples or 1, d_obs, d), or None
        R_i.

    Returns
    -------
    dict of ndarray
        ``sum_deviations`` of shape (n_components, d) and ``sum_squares`` of
        shape (n_components, d, d).
    """
    n_components, n_features = covariances.shape[:2]
    n_observed, _, n_samples = terms.whitened.shape
    by_component = responsibilities.T  # q_ij as (K, n), like the terms
    # V_j R_i^T by entry: (d, d_obs, K, 1), or (d, d_obs, K, n_block) for one R_i per sample.
    per_sample = projection is not None and projection.shape[0] != 1
    if projection is None:
        spread = np.moveaxis(covariances, 0, -1)[..., np.newaxis]
    elif not per_sample:
        spread = np.einsum("kac,bcn->abkn", covariances, _projection_by_entry(projection, None))
    intrinsic = np.moveaxis(covariances, 0, -1)[..., np.newaxis]  # V_j by entry
    sum_deviations = np.zeros((n_features, n_components))
    sum_squares = np.zeros((n_features, n_features, n_components))
    for rows in _blocks(n_samples, n_components):
        if per_sample:
            spread = np.einsum("kac,bcn->abkn", covariances,
                               _projection_by_entry(projection, rows))
        q = by_component[:, rows]
        z, whitening = terms.whitened[..., rows], terms.whitening[..., rows]
        # C = V R^T W^T, entry (a, b) = sum_c (V R^T)_ac W_bc over c <= b (W is lower).
        cross = [[_add_up(spread[a, c] * whitening[b, c] for c in range(b + 1))
                  for b in range(n_observed)] for a in range(n_features)]
        deviations = [_add_up(cross[a][b] * z[b] for b in range(n_observed))
                      for a in range(n_features)]
        for a in range(n_features):
            sum_deviations[a] += np.einsum("kn,kn->k", q, deviations[a])
            for b in range(a + 1):
                posterior = intrinsic[a, b] - _add_up(cross[a][e] * cross[b][e]
                                                      for e in range(n_observed))  # B_ij
                sum_squares[a, b] += np.einsum("kn,kn->k", q,
                                               deviations[a] * deviations[b] + posterior)
    for a in range(n_features):
        sum_squares[:a, a] = sum_squares[a, :a]  # the upper triangle mirrors the lower
    return {"sum_deviations": sum_deviations.T,
            "sum_squares": np.ascontiguousarray(np.moveaxis(sum_squares, -1, 0))}


# --------------------------------------------------------------------------
# Missing coordinates


def _float_array(values, name):
    """A float copy of ``values`` (NaN allowed), or a TypeError naming the argument."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array; got {check._describe(values)}.")
    try:
        return np.array(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a rectangular array of real numbers; numpy could not "
                        f"convert it ({error}).") from None


def missing_as_projection(X, error_covariances):
    """Turn missing coordinates (NaN in X) into zero rows of a projection R_i.

    A sample with coordinate k missing gets row k of R_i set to zero, the
    value 0 in place of NaN and error variance 1 / (2 pi) on that coordinate
    (uncorrelated with the others). That coordinate then contributes the
    factor N(0 | 0, 1/(2 pi)) = 1 to every component's density: nothing to
    ln L and nothing to any update, exactly as if the row had been deleted,
    while every sample keeps the same number of coordinates (so everything
    stays vectorised).

    Parameters
    ----------
    X : array-like of shape (n_samples, d), NaN where missing
    error_covariances : array-like of shape (n_samples, d, d)
        Entries in missing rows and columns are ignored.

    Returns
    -------
    X_filled : ndarray of shape (n_samples, d)
    error_covariances : ndarray of shape (n_samples, d, d)
    projection : ndarray of shape (n_samples, d, d)
    """
    X, covariances = _float_array(X, "X"), _float_array(error_covariances, "error_covariances")
    if X.ndim != 2 or covariances.shape != X.shape + (X.shape[1],):
        raise ValueError(
            "X must have shape (n_samples, d) and error_covariances (n_samples, d, d); got "
            f"{X.shape} and {covariances.shape}.")
    if np.any(np.isinf(X)):
        index = [int(i) for i in np.argwhere(np.isinf(X))[0]]
        raise ValueError(f"X contains infinity: X{index} = {X[tuple(index)]}; only NaN marks "
                         "a missing coordinate, every other value must be finite.")
    missing = np.isnan(X)
    observed = (~missing).astype(float)
    projection = observed[:, :, np.newaxis] * np.eye(X.shape[1])
    keep = observed[:, :, np.newaxis] * observed[:, np.newaxis, :]
    bad = (keep > 0) & ~np.isfinite(covariances)
    if np.any(bad):
        index = [int(i) for i in np.argwhere(bad)[0]]
        raise ValueError(
            f"error_covariances contains NaN or infinity for observed coordinates: "
            f"error_covariances{index} = {covariances[tuple(index)]}; entries of observed "
            "coordinates must be finite (only those of missing ones are ignored).")
    covariances = np.where(keep > 0, covariances, 0.0)
    covariances += (missing[:, :, np.newaxis] * np.eye(X.shape[1])) / (2 * np.pi)
    X[missing] = 0.0
    return X, covariances, projection
