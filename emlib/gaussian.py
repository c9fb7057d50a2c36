"""Gaussian components: their log-densities and the M-step updates (eqs. 4-5).

Covariances are stored in scikit-learn's shapes, one per ``covariance_type``:

=============  ============================  ==================================
type           shape of ``covariances``      what it assumes
=============  ============================  ==================================
``full``       (K, d, d)                     each component its own matrix
``tied``       (d, d)                        one matrix shared by all components
``diag``       (K, d)                        axis-aligned ellipsoids
``spherical``  (K,)                          one variance per component
=============  ============================  ==================================

In one dimension (d = 1) all four hold one variance sigma_j^2 per component
(``tied``: one shared variance), and the formulas reduce to the text's.
"""

import numpy as np

from . import gaussian_kernels
from .validation import (COVARIANCE_TYPES, SKLEARN_COLLAPSE_WORDS, check_choice, check_int,
                         check_shape, covariance_shape, largest_magnitude)

LOG_2PI = np.log(2 * np.pi)


class DegenerateComponentError(ValueError):
    """A component's covariance is singular: it has collapsed onto a few points.

    Attributes
    ----------
    cause : str
        ``'collapse'`` (a component sits on a few points), ``'data_resolution'``
        (the data's own spread is below float64's resolution at its magnitude)
        or ``'reg_covar_resolution'`` (``reg_covar`` is too small to register at
        that magnitude).
    """

    def __init__(self, message, cause="collapse"):
        super().__init__(message)
        self.cause = cause


def _check_covariance_type(covariance_type):
    return check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)


def _check_update_shapes(X, responsibilities, counts, means=None):
    """The M-step's arrays must agree on n_samples, n_components and n_features."""
    n_samples = np.shape(X)[0]
    check_shape(responsibilities, (n_samples, None), "responsibilities",
                " (n_samples, n_components), one row per sample of X")
    n_components = np.shape(responsibilities)[1]
    check_shape(counts, (n_components,), "counts", ", one per column of responsibilities")
    if means is not None:
        expected = (n_components,) + np.shape(X)[1:]
        check_shape(means, expected, "means", ", one row per component and column per feature")


def _collapse_message(component):
    return (
        f"Gaussian component {component} (counting from 0) has collapsed: its covariance is "
        "no longer positive definite (a zero variance, up to rounding), which happens when a "
        "component sits on a few repeated or identical points. The likelihood then grows "
        "without bound (ln L -> +infinity), so there is no maximum to find. Fixes: set "
        "reg_covar to the smallest variance that is meaningful for your data (e.g. the square "
        "of its measurement resolution), use fewer components, try other starts (n_init > 1), "
        "or rescale/jitter the data." + SKLEARN_COLLAPSE_WORDS
    )


def resolution_floor(X):
    """(1000 eps max|x|)^2: the smallest variance float64 tells from zero for data like X."""
    return _floor_at(largest_magnitude(X))


def _floor_at(largest_magnitude):
    return (1e3 * np.finfo(np.float64).eps * largest_magnitude) ** 2


def _data_resolution_message(largest_magnitude, smallest_variance, floor):
    return (
        f"The data's spread is below float64's resolution at its magnitude: X has entries as "
        f"large as {largest_magnitude:.3g}, where float64 cannot tell variances below "
        f"{floor:.3g} from zero, and its narrowest feature has a standard deviation of only "
        f"{np.sqrt(smallest_variance):.3g}. Every variance EM computes is then rounding noise, "
        "whatever the start. This is not a problem of the start or of reg_covar: centre the "
        "data (subtract its mean) and rescale it (divide by its standard deviation) before "
        "fitting."
    )


def _reg_covar_resolution_message(component, largest_magnitude, floor, reg_covar):
    return (
        f"Gaussian component {component} (counting from 0) has collapsed onto a few points, "
        f"and reg_covar={reg_covar:g} cannot prevent it: X has entries as large as "
        f"{largest_magnitude:.3g}, where float64 cannot tell variances below {floor:.3g} from "
        "zero, so the reg_covar added to every variance does not register. Rescale the data "
        "(e.g. divide it by its standard deviation), which brings the default reg_covar back "
        f"into proportion, or set reg_covar well above {floor:.3g}."
    )


def check_not_collapsed(covariances, covariance_type, X, reg_covar=None):
    """Raise :class:`DegenerateComponentError` if some variance has shrunk to rounding noise.

    With ``reg_covar=0`` a component that sits on repeated points gets a
    variance of zero up to rounding (e.g. 5e-32 for points equal to 1.3).
    That is positive, so its Cholesky factor exists and ln L is finite, but
    the likelihood is unbounded there and the fit means nothing. A variance
    below (1000 eps max|x|)^2 cannot be told from zero at the data's precision.

    The message tells three causes apart: the data's own spread is below
    that resolution (rescale and centre the data); ``reg_covar`` (if given)
    is below it (rescale the data); or a component sits on a few points
    (reg_covar > 0, fewer components, other starts).
    """
    X = np.asarray(X)
    check_not_collapsed_at_scale(covariances, covariance_type, largest_magnitude(X),
                                 np.min(np.var(X.reshape(len(X), -1), axis=0)), reg_covar)


def check_not_collapsed_at_scale(covariances, covariance_type, largest_magnitude,
                                 smallest_variance, reg_covar=None):
    """:func:`check_not_collapsed` given the data's largest magnitude max|x| and the
    variance of its narrowest feature, the numbers it needs of X (sums, so they can come
    from chunks of the data).

    ``smallest_variance`` may also be a function of no arguments that returns it: it
    only tells the causes of a collapse apart, so it is computed only for one.
    """
    _check_covariance_type(covariance_type)
    floor = _floor_at(largest_magnitude)
    if covariance_type in ("full", "tied") and covariances.shape[-1] == 1:
        smallest = covariances.reshape(-1)  # a 1 x 1 matrix is its own eigenvalue
    elif covariance_type == "full":
        smallest = np.linalg.eigvalsh(covariances)[:, 0]
    elif covariance_type == "tied":
        smallest = np.linalg.eigvalsh(covariances)[:1]
    elif covariance_type == "diag":
        smallest = covariances.min(axis=1)
    else:
        smallest = covariances
    if (smallest <= floor).any():
        component = int(np.argmin(smallest))
        if callable(smallest_variance):
            smallest_variance = smallest_variance()
        if smallest_variance <= floor:
            raise DegenerateComponentError(
                _data_resolution_message(largest_magnitude, smallest_variance, floor),
                "data_resolution")
        if reg_covar is not None and 0 < reg_covar <= floor:
            raise DegenerateComponentError(
                _reg_covar_resolution_message(component, largest_magnitude, floor, reg_covar),
                "reg_covar_resolution")
        raise DegenerateComponentError(_collapse_message(component))


def precision_cholesky(covariances, covariance_type):
    """Cholesky factors of the precision matrices (inverse covariances).

    For ``full`` and ``tied`` this is the upper-triangular P with
    P P^T = Sigma^-1; for ``diag`` and ``spherical`` it is 1/sigma.
    Raises :class:`DegenerateComponentError` if a covariance is singular.
    """
    _check_covariance_type(covariance_type)
    if covariance_type in ("diag", "spherical"):
        if np.any(covariances <= 0):
            raise DegenerateComponentError(_collapse_message(int(np.argmin(
                covariances if covariances.ndim == 1 else covariances.min(axis=1)))))
        return 1.0 / np.sqrt(covariances)
    stack = covariances[np.newaxis] if covariance_type == "tied" else covariances
    if stack.shape[-1] == 1:  # 1-D: P = 1/sigma, what LAPACK computes, without its overhead
        if (stack <= 0).any():
            raise DegenerateComponentError(_collapse_message(int(np.flatnonzero(stack <= 0)[0])))
        factors = 1.0 / np.sqrt(stack)
        return factors[0] if covariance_type == "tied" else factors
    try:
        lower = np.linalg.cholesky(stack)  # Sigma_j = L_j L_j^T, all j at once
    except np.linalg.LinAlgError:
        failed = [k for k, matrix in enumerate(stack) if np.linalg.eigvalsh(matrix)[0] <= 0]
        raise DegenerateComponentError(_collapse_message(failed[0] if failed else 0)) from None
    factors = np.swapaxes(np.linalg.inv(lower), 1, 2)  # P_j = L_j^-T, so P_j P_j^T = Sigma_j^-1
    return factors[0] if covariance_type == "tied" else factors


def precision_cholesky_from_precisions(precisions, covariance_type):
    """The same factors, computed from given precision matrices.

    The factor is upper-triangular, as :func:`precision_cholesky` gives (and
    scikit-learn stores): with J the matrix that reverses the order of the
    rows, J Lambda J = L L^T (lower L) gives P = J L J, upper, with P P^T = Lambda.
    """
    _check_covariance_type(covariance_type)
    if covariance_type in ("diag", "spherical"):
        return np.sqrt(precisions)
    stack = precisions[np.newaxis] if covariance_type == "tied" else precisions
    flipped = np.linalg.cholesky(stack[:, ::-1, ::-1])
    factors = np.ascontiguousarray(flipped[:, ::-1, ::-1])
    return factors[0] if covariance_type == "tied" else factors


def covariances_from_precision_cholesky(factors, covariance_type):
    """Invert :func:`precision_cholesky`."""
    _check_covariance_type(covariance_type)
    if covariance_type in ("diag", "spherical"):
        return 1.0 / factors**2
    stack = factors[np.newaxis] if covariance_type == "tied" else factors
    covariances = np.array([np.linalg.inv(f @ f.T) for f in stack])
    return covariances[0] if covariance_type == "tied" else covariances


def precisions_from_cholesky(factors, covariance_type):
    """Precision matrices Sigma^-1 = P P^T (or 1/sigma^2)."""
    _check_covariance_type(covariance_type)
    if covariance_type in ("diag", "spherical"):
        return factors**2
    if covariance_type == "tied":
        return factors @ factors.T
    return factors @ np.swapaxes(factors, 1, 2)


def log_gaussian_densities(X, means, covariances, covariance_type="full"):
    """ln N(x_i | mu_j, Sigma_j) for every sample i and component j (the terms of eq. 1).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), or (n_samples,) for 1-D data
    means : ndarray of shape (n_components, n_features), or (n_components,) for 1-D data
    covariances : ndarray
        In the shape given by ``covariance_type`` (see the module docstring).
        For 1-D data of shape (n_samples,) they are the variances sigma_j^2,
        shape (n_components,), whatever ``covariance_type`` says.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    _check_covariance_type(covariance_type)
    if np.ndim(X) == 1:
        variances = np.broadcast_to(covariances, np.shape(means))
        if np.any(variances <= 0):
            raise DegenerateComponentError(_collapse_message(int(np.argmin(variances))))
        return _log_densities_1d(np.asarray(X), np.asarray(means), 1.0 / np.sqrt(variances))
    n_components, n_features = np.shape(means)[0], np.shape(X)[1]
    check_shape(means, (None, n_features), "means", " (n_components, n_features), as many "
                "features as X")
    expected = covariance_shape(covariance_type, n_components, n_features)
    check_shape(covariances, expected, "covariances",
                f" for covariance_type={covariance_type!r} and {n_components} components")
    factors = precision_cholesky(covariances, covariance_type)
    return log_gaussian_densities_from_cholesky(X, means, factors, covariance_type)


def log_gaussian_densities_from_cholesky(X, means, factors, covariance_type):
    """:func:`log_gaussian_densities` given the precision Cholesky factors.

    With z = P^T (x - mu), ln N = -d/2 ln(2 pi) + ln det P - |z|^2 / 2.
    :func:`squared_distances_per_component` computes |z|^2 as written, one
    component at a time; for d >= 2 the same numbers come from a faster kernel,
    :func:`emlib.gaussian_kernels.squared_distances`, tested against it.
    """
    _check_covariance_type(covariance_type)
    n_features = X.shape[1]
    n_components = means.shape[0]
    check_shape(means, (None, n_features), "means", " (n_components, n_features), as many "
                "features as X")
    expected = covariance_shape(covariance_type, n_components, n_features)
    check_shape(factors, expected, "precision factors",
                f" for covariance_type={covariance_type!r} and {n_components} components")
    return _log_densities_from_cholesky(X, means, factors, covariance_type)


def _log_densities_from_cholesky(X, means, factors, covariance_type):
    """:func:`log_gaussian_densities_from_cholesky` without its checks, for the EM loop,
    whose arrays come from its own M-step (the family checked ``covariance_type``)."""
    n_features = X.shape[1]
    n_components = means.shape[0]
    if n_features == 1:
        if covariance_type == "tied":
            factors = np.broadcast_to(factors, (n_components, 1, 1))
        return _log_densities_1d(X[:, 0], means[:, 0], factors.reshape(n_components))
    squared = gaussian_kernels.squared_distances(X, means, factors, covariance_type)
    squared *= -0.5
    squared += log_det_cholesky(factors, covariance_type, n_features) - 0.5 * n_features * LOG_2PI
    return squared


def log_det_cholesky(factors, covariance_type, n_features):
    """ln det P_j for each component (P upper triangular: the sum of ln of its diagonal)."""
    if covariance_type == "full":
        return np.log(np.diagonal(factors, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diagonal(factors)).sum()
    if covariance_type == "diag":
        return np.log(factors).sum(axis=1)
    return n_features * np.log(factors)


def squared_distances_per_component(X, means, factors, covariance_type):
    """|z_ij|^2 = |P_j^T (x_i - mu_j)|^2, one component at a time, as the equation reads.

    The plain form that the EM loop's kernel
    (:func:`emlib.gaussian_kernels.squared_distances`) is tested against.
    """
    n_components = means.shape[0]
    squared = np.empty((X.shape[0], n_components))
    for k in range(n_components):
        if covariance_type in ("full", "tied"):
            z = (X - means[k]) @ (factors if covariance_type == "tied" else factors[k])
        else:
            z = (X - means[k]) * factors[k]
        squared[:, k] = np.einsum("ij,ij->i", z, z)
    return squared


def _log_densities_1d(x, means, inverse_sigmas):
    """The 1-D case, broadcast over components: -ln(sigma sqrt(2 pi)) - z^2 / 2."""
    z = np.subtract.outer(means, x).T  # (mu_j - x_i), column by column
    z *= inverse_sigmas
    z *= z
    z *= -0.5
    z += np.log(inverse_sigmas) - 0.5 * LOG_2PI
    return z


def update_means(X, responsibilities, counts):
    """mu_j = sum_i w_ij x_i / N_j, eq. 4.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), or (n_samples,) for 1-D data
    responsibilities : ndarray of shape (n_samples, n_components)
    counts : ndarray of shape (n_components,)
        N_j = sum_i w_ij (see :func:`emlib.likelihood.effective_counts`).

    Returns
    -------
    ndarray of shape (n_components, n_features), or (n_components,) for 1-D X
    """
    _check_update_shapes(X, responsibilities, counts)
    weighted_sums = responsibilities.T @ X
    return weighted_sums / counts.reshape((-1,) + (1,) * (weighted_sums.ndim - 1))


def update_covariances(X, responsibilities, counts, means, covariance_type="full", reg_covar=0.0):
    """sigma_j^2 = sum_i w_ij (x_i - mu_j)^2 / N_j, eq. 5, and its d-D forms.

    ``full``: Sigma_j = sum_i w_ij (x_i - mu_j)(x_i - mu_j)^T / N_j.
    ``tied``: the N_j-weighted average of those matrices.
    ``diag``: their diagonals. ``spherical``: the mean of each diagonal.
    ``reg_covar`` is added to every variance afterwards, as in scikit-learn.

    For 1-D data ``X`` of shape (n_samples,) with means of shape
    (n_components,), it returns the variances sigma_j^2, shape (n_components,)
    (``tied``: their N_j-weighted average, one number).
    """
    _check_covariance_type(covariance_type)
    _check_update_shapes(X, responsibilities, counts, means)
    if np.ndim(X) == 1:
        variances = _update_variances_1d(X, responsibilities, counts, means)
        if covariance_type == "tied":
            variances = counts @ variances / counts.sum()
        return variances + reg_covar
    n_features = X.shape[1]
    if n_features == 1:
        variances = _update_variances_1d(X[:, 0], responsibilities, counts, means[:, 0])
        if covariance_type == "tied":
            variances = np.array([counts @ variances / counts.sum()])
        variances = variances + reg_covar
        shapes = {"full": (-1, 1, 1), "tied": (1, 1), "diag": (-1, 1), "spherical": (-1,)}
        return variances.reshape(shapes[covariance_type])
    if covariance_type in ("full", "tied"):
        full = np.empty((means.shape[0], n_features, n_features))
        for k, mean in enumerate(means):
            centred = X - mean
            full[k] = (responsibilities[:, k] * centred.T) @ centred / counts[k]
        if covariance_type == "tied":
            full = np.tensordot(counts, full, axes=1)[np.newaxis] / counts.sum()
        full += reg_covar * np.eye(n_features)
        return full[0] if covariance_type == "tied" else full
    diagonal = np.empty(means.shape)
    for k, mean in enumerate(means):
        centred = X - mean
        diagonal[k] = responsibilities[:, k] @ (centred * centred) / counts[k]
    if covariance_type == "spherical":
        diagonal = diagonal.mean(axis=1)
    return diagonal + reg_covar


def _update_variances_1d(x, responsibilities, counts, means):
    squared = np.subtract.outer(means, x).T
    squared *= squared
    return np.einsum("ij,ij->j", responsibilities, squared) / counts


def gaussian_statistics(X, responsibilities, shift, covariance_type="full"):
    """The sums over samples that eqs. 4-5 need, centred at ``shift``.

    For a chunk of the data X (rows x_i) and responsibilities w_ij (sample
    weights multiplied in):

    - ``sum_deviations[j] = sum_i w_ij (x_i - c_j)``,
    - ``sum_squares[j] = sum_i w_ij (x_i - c_j)(x_i - c_j)^T`` (full) or its
      diagonal (diag, spherical, and all types in 1-D); for tied (d >= 2), the
      sum of those matrices over j, shape (d, d), all that a shared covariance
      needs,
    - ``largest_magnitude = max_i |x_i|`` (for the collapse check),

    where c_j = ``shift[j]`` is any point fixed before the pass; the EM loop
    uses the previous means. Every entry adds over any split of the samples
    (the largest magnitude combines by max), which is what lets EM run on
    chunks. Centring at c_j rather than at 0 keeps the second moments
    accurate for data far from the origin: the uncentred sum of x x^T would
    lose every digit of a spread that is small next to the mean.

    :func:`centred_sums_per_component` writes the sums out one component at
    a time; for d >= 2 they come from :func:`emlib.gaussian_kernels.centred_sums`,
    which computes the same in fewer passes and is tested against it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    responsibilities : ndarray of shape (n_samples, n_components)
    shift : ndarray of shape (n_components, n_features)
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    dict of ndarray
    """
    _check_covariance_type(covariance_type)
    n_features = X.shape[1]
    # Both sums are taken of x_i - c_j, never of x_i alone: sum_i w_ij x_i - N_j c_j would
    # lose the digits of delta_j that the covariance needs.
    if n_features == 1:
        deviations = np.subtract.outer(X[:, 0], shift[:, 0])  # (n_samples, n_components)
        sum_deviations = np.einsum("ij,ij->j", responsibilities, deviations)[:, np.newaxis]
        deviations *= deviations
        sum_squares = np.einsum("ij,ij->j", responsibilities, deviations)[:, np.newaxis]
        largest = largest_magnitude(X)
    else:
        sum_deviations, sum_squares, largest = gaussian_kernels.centred_sums(
            X, responsibilities, shift, covariance_type)
    return {"sum_deviations": sum_deviations, "sum_squares": sum_squares,
            "largest_magnitude": largest}


def centred_sums_per_component(X, responsibilities, shift, covariance_type="full"):
    """``sum_deviations`` and ``sum_squares`` of :func:`gaussian_statistics`, as written.

    One component at a time: x_i - c_j for every sample, then the weighted
    sums. The plain form that :func:`emlib.gaussian_kernels.centred_sums`
    (what the EM loop uses for d >= 2) is tested against.
    """
    full = covariance_type in ("full", "tied")
    sum_deviations = np.empty(shift.shape)
    sum_squares = np.empty(shift.shape + ((X.shape[1],) if full else ()))
    for k, centre in enumerate(shift):
        centred = X - centre
        sum_deviations[k] = responsibilities[:, k] @ centred
        if full:
            sum_squares[k] = (responsibilities[:, k] * centred.T) @ centred
        else:
            sum_squares[k] = responsibilities[:, k] @ (centred * centred)
    if covariance_type == "tied":
        sum_squares = sum_squares.sum(axis=0)
    return sum_deviations, sum_squares


def combine_gaussian_statistics(first, second):
    """The statistics of two chunks together: sums add, the largest magnitude is the max."""
    return {"sum_deviations": first["sum_deviations"] + second["sum_deviations"],
            "sum_squares": first["sum_squares"] + second["sum_squares"],
            "largest_magnitude": max(first["largest_magnitude"], second["largest_magnitude"])}


def means_and_covariances_from_statistics(statistics, counts, shift, covariance_type="full",
                                          reg_covar=0.0):
    """Eqs. 4-5 from the sums of :func:`gaussian_statistics`.

    With delta_j = sum_deviations[j] / N_j, the new mean is
    mu_j = c_j + delta_j (eq. 4), and since sum_i w_ij (x_i - mu_j) = 0,
    Sigma_j = sum_squares[j] / N_j - delta_j delta_j^T (eq. 5): the scatter
    about c_j minus the part due to c_j not being the mean. Then tied, diag
    and spherical are formed as in :func:`update_covariances`, and
    ``reg_covar`` is added to every variance. For tied (d >= 2) the sums are
    already added over components, and the N_j-weighted average of the
    Sigma_j is (sum_squares - sum_j N_j delta_j delta_j^T) / N.

    Returns
    -------
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray in the shape of ``covariance_type``
    unregularised_variances : ndarray of shape (n_components, n_features)
        The diagonal of each Sigma_j before ``reg_covar`` (for the collapse check's
        message about the data's own spread); for tied, the shared diagonal in
        every row, which gives the same pooled variances.
    """
    _check_covariance_type(covariance_type)
    delta = statistics["sum_deviations"] / counts[:, np.newaxis]
    means = shift + delta
    sum_squares = statistics["sum_squares"]
    n_features = means.shape[1]
    if n_features > 1 and covariance_type == "tied":
        # sum_j N_j Sigma_j = sum_j sum_squares[j] - sum_j N_j delta_j delta_j^T
        tied = (sum_squares - (counts[:, np.newaxis] * delta).T @ delta) / counts.sum()
        # Each component's own diagonal is not summed; the shared one gives the
        # same pooled variance (law of total variance), all the check needs.
        variances = np.broadcast_to(np.diagonal(tied), means.shape).copy()
        return means, tied + reg_covar * np.eye(n_features), variances
    if sum_squares.ndim == 3:
        full = sum_squares / counts[:, np.newaxis, np.newaxis]
        full -= delta[:, :, np.newaxis] * delta[:, np.newaxis, :]
        variances = np.diagonal(full, axis1=1, axis2=2).copy()
        return means, full + reg_covar * np.eye(n_features), variances
    variances = sum_squares / counts[:, np.newaxis] - delta * delta
    if n_features == 1:
        shapes = {"full": (-1, 1, 1), "tied": (1, 1), "diag": (-1, 1), "spherical": (-1,)}
        combined = variances[:, 0]
        if covariance_type == "tied":
            combined = np.array([counts @ combined / counts.sum()])
        return means, (combined + reg_covar).reshape(shapes[covariance_type]), variances
    combined = variances.mean(axis=1) if covariance_type == "spherical" else variances
    return means, combined + reg_covar, variances


def pooled_variances(counts, means, variances):
    """Each feature's variance over all the data, from the components' (law of total variance).

    sum_j N_j [sigma_jd^2 + (mu_jd - m_d)^2] / N, with m the overall mean.
    """
    total = counts.sum()
    overall_mean = counts @ means / total
    return counts @ (variances + (means - overall_mean) ** 2) / total


def full_covariances(covariances, covariance_type, n_components, n_features):
    """Covariances of any type as a stack of full matrices, shape (n_components, d, d).

    ``tied`` repeats the one shared matrix, ``diag`` puts each row on a
    diagonal, ``spherical`` multiplies the identity by each variance.
    """
    _check_covariance_type(covariance_type)
    covariances = np.asarray(covariances, dtype=float)
    if covariance_type == "full":
        return covariances.reshape(n_components, n_features, n_features)
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return covariances.reshape(n_components, n_features, 1) * np.eye(n_features)
    if covariance_type == "spherical":
        return covariances.reshape(n_components, 1, 1) * np.eye(n_features)
    raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}.")


def sample_gaussian(rng, mean, covariance, covariance_type, n_samples):
    """Draw ``n_samples`` points from one component."""
    _check_covariance_type(covariance_type)
    check_int(n_samples, "n_samples", 0)
    n_features = mean.shape[0]
    if covariance_type in ("full", "tied"):
        lower = np.linalg.cholesky(covariance)
        return mean + rng.standard_normal((n_samples, n_features)) @ lower.T
    return mean + rng.standard_normal((n_samples, n_features)) * np.sqrt(covariance)
