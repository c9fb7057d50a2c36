"""What the figures draw of a mixture: its 1-D curves and its covariance ellipses.

Every 1-D figure accepts its mixture in any of these forms, and
:func:`mixture_parameters` is the one place that turns them into arrays:

- a fitted model on one feature, with ``weights_``, ``means_`` and
  ``covariances_``: emlib's ``GaussianMixture`` (any ``covariance_type``),
  ``Mixture("gaussian")`` or ``XDGMM``, or scikit-learn's ``GaussianMixture``;
- a tuple ``(weights, means, sigmas)``, the sigmas being standard
  deviations (what :meth:`emlib.interactive.EMPath.mixture` returns).

The curves are sorted by mean, so a component's colour never depends on how a
fit numbered it. The densities come from :func:`emlib.gaussian.log_gaussian_densities`
and the class probabilities from :func:`emlib.likelihood.expectation`, so a
figure shows exactly what the fit computes.

A 2 x 2 covariance Sigma is drawn as its n-sigma ellipse, the points x with
Mahalanobis distance (x - mu)^T Sigma^-1 (x - mu) = n^2: its axes point along
the eigenvectors of Sigma, and its semi-axes are n sqrt(eigenvalue).
"""

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

from ..gaussian import log_gaussian_densities
from ..likelihood import expectation, log_weighted_densities
from .style import PALETTE

__all__ = ["ELLIPSE_LINE_STYLES", "classification_uncertainty", "covariance_ellipse",
           "default_grid", "draw_covariance_ellipses", "ellipse_axes", "ellipse_legend_handles",
           "mixture_density_curves", "mixture_parameters", "responsibility_curves"]

#: Line style of the n-sigma ellipse for n = 1, 2, 3 (other n: dash-dot).
ELLIPSE_LINE_STYLES = {1: "-", 2: "--", 3: ":"}


# ------------------------------------------------------ a 1-D mixture as curves
def _fitted_parameters(model):
    missing = [name for name in ("weights_", "means_", "covariances_")
               if not hasattr(model, name)]
    if missing:
        kind = getattr(model, "family", None)
        what = type(model).__name__ + (f"({kind!r})" if isinstance(kind, str) else "")
        raise TypeError(
            "model must be a fitted Gaussian mixture (weights_, means_ and covariances_) or a "
            f"tuple (weights, means, sigmas); got {what} without {', '.join(missing)}.")
    means = np.asarray(model.means_, dtype=float)
    if means.ndim != 2 or means.shape[1] != 1:
        raise ValueError("these plots are for 1-D mixtures (of one feature); the model's "
                         f"means_ have shape {means.shape}.")
    means = means[:, 0]
    # 'tied' has one variance shared by every component; broadcasting repeats it.
    variances = np.broadcast_to(np.asarray(model.covariances_, dtype=float).ravel(), means.shape)
    return np.asarray(model.weights_, dtype=float), means, np.sqrt(variances)


def _tuple_parameters(model):
    weights, means, sigmas = (np.asarray(part, dtype=float).ravel() for part in model)
    if not weights.shape == means.shape == sigmas.shape:
        raise ValueError("weights, means and sigmas must have the same length; got "
                         f"{weights.size}, {means.size} and {sigmas.size}.")
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(means))
            and np.all(np.isfinite(sigmas))):
        raise ValueError("weights, means and sigmas must be finite; they contain NaN or "
                         "infinity.")
    if np.any(sigmas <= 0) or np.any(weights < 0):
        raise ValueError("sigmas must be positive and weights non-negative; got sigmas "
                         f"{sigmas} and weights {weights}.")
    return weights, means, sigmas


def mixture_parameters(model):
    """(weights, means, sigmas) of a 1-D Gaussian mixture, sorted by mean.

    Parameters
    ----------
    model : fitted Gaussian mixture or tuple (weights, means, sigmas)
        See the module docstring for the forms accepted.

    Returns
    -------
    weights, means, sigmas : ndarrays of shape (n_components,)
        ``sigmas`` are standard deviations.
    """
    if isinstance(model, (tuple, list)) and len(model) == 3:
        weights, means, sigmas = _tuple_parameters(model)
    elif hasattr(model, "means_") or hasattr(model, "weights_"):
        weights, means, sigmas = _fitted_parameters(model)
    else:
        raise TypeError("model must be a fitted Gaussian mixture or a tuple (weights, means, "
                        f"sigmas); got {type(model).__name__}.")
    order = np.argsort(means, kind="stable")
    return weights[order], means[order], sigmas[order]


def values_1d(values, name):
    """``values`` as a non-empty, finite 1-D float array (a column (n, 1) is accepted)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of x values; "
                         f"got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    return values


def points_2d(X, name="X"):
    """``X`` as a float array of shape (n_samples, 2), for a plot of the plane."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n_samples, 2) for a 2-D plot; got {X.shape}.")
    return X


def default_grid(model, x=None, n_points=600):
    """Where to draw a 1-D mixture: over the data ``x`` and every component to 4 sigma."""
    _, means, sigmas = mixture_parameters(model)
    low, high = np.min(means - 4 * sigmas), np.max(means + 4 * sigmas)
    if x is not None:
        low, high = min(low, np.min(x)), max(high, np.max(x))
    return np.linspace(low, high, n_points)


def _log_densities(grid, model):
    """ln N(x | mu_j, sigma_j) on the grid, shape (n_grid, n_components), and the weights."""
    weights, means, sigmas = mixture_parameters(model)
    grid = values_1d(grid, "grid")
    log_densities = log_gaussian_densities(grid[:, np.newaxis], means[:, np.newaxis],
                                           sigmas**2, "spherical")
    return log_densities, weights


def mixture_density_curves(grid, model):
    """The mixture density and its weighted components on ``grid``.

    Parameters
    ----------
    grid : array-like of shape (n_grid,)
    model : fitted Gaussian mixture or (weights, means, sigmas)

    Returns
    -------
    total : ndarray of shape (n_grid,)
        p(x) = sum_j alpha_j N(x | mu_j, sigma_j) (eq. 1).
    components : ndarray of shape (n_components, n_grid)
        alpha_j N(x | mu_j, sigma_j), sorted by mean; they add up to ``total``.
    """
    log_densities, weights = _log_densities(grid, model)
    components = np.exp(log_weighted_densities(log_densities, weights)).T
    return components.sum(axis=0), components


def responsibility_curves(grid, model):
    """p(j | x) (eq. 2) on ``grid``, shape (n_components, n_grid), sorted by mean."""
    log_densities, weights = _log_densities(grid, model)
    return expectation(log_densities, weights)[1].T


def classification_uncertainty(responsibilities):
    """1 - max_j p(j | x_i): 0 for a sure classification, up to 1 - 1/M.

    R's mclust calls this the uncertainty of each point's classification.
    """
    return 1.0 - np.asarray(responsibilities).max(axis=-1)


# ------------------------------------------------------ a covariance as an ellipse
def ellipse_axes(covariance, n_std=1.0):
    """Semi-axes and tilt of the n-sigma ellipse of a 2 x 2 covariance (or of a stack).

    Parameters
    ----------
    covariance : array-like of shape (2, 2) or (n, 2, 2)
        Symmetric positive semi-definite; a zero eigenvalue gives a flat
        ellipse (a line segment).
    n_std : float

    Returns
    -------
    semi_major, semi_minor : float, or ndarrays of shape (n,)
        n_std times the square roots of the larger and smaller eigenvalue.
    angle : float, or ndarray of shape (n,)
        Angle of the major axis from the x1 axis, counter-clockwise, in
        degrees, in (-90, 90].
    """
    covariance = np.asarray(covariance, dtype=float)
    if covariance.shape[-2:] != (2, 2) or covariance.ndim not in (2, 3):
        raise ValueError("covariance must be a 2 x 2 matrix or a stack of them; got shape "
                         f"{covariance.shape}.")
    if not np.all(np.isfinite(covariance)):
        raise ValueError("covariance must be finite; it contains NaN or infinity.")
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    # Rounding can make the zero eigenvalue of a singular matrix slightly negative.
    tolerance = 1e-12 * np.abs(eigenvalues).max(axis=-1)
    if np.any(eigenvalues[..., 0] < -tolerance):
        smallest = float(np.min(eigenvalues[..., 0]))
        raise ValueError("covariance must be positive semi-definite, as a covariance is; its "
                         f"smallest eigenvalue is {smallest:.3g}.")
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    major = eigenvectors[..., :, 1]
    angle = np.degrees(np.arctan2(major[..., 1], major[..., 0]))
    angle = (angle + 90.0) % 180.0 - 90.0  # an axis has no direction: fold into [-90, 90)
    angle = np.where(angle == -90.0, 90.0, angle)
    semi_major = n_std * np.sqrt(eigenvalues[..., 1])
    semi_minor = n_std * np.sqrt(eigenvalues[..., 0])
    if covariance.ndim == 2:
        return float(semi_major), float(semi_minor), float(angle)
    return semi_major, semi_minor, angle


def covariance_ellipse(mean, covariance, n_std=1.0, **patch_kwargs):
    """A matplotlib ``Ellipse`` patch: the n-sigma contour of N(mean, covariance)."""
    semi_major, semi_minor, angle = ellipse_axes(covariance, n_std)
    patch_kwargs.setdefault("fill", False)
    return Ellipse(xy=np.asarray(mean, dtype=float), width=2 * semi_major,
                   height=2 * semi_minor, angle=angle, **patch_kwargs)


def component_order(means, sort=True):
    """Component indices in drawing order: by mean (lexicographically), or as given."""
    means = np.asarray(means)
    return np.lexsort(means.T[::-1]) if sort else np.arange(len(means))


def draw_covariance_ellipses(ax, means, covariances, *, n_std=(1, 2), sort=True, first_colour=0,
                             mark_means=False):
    """Draw the n-sigma ellipses of every component of a 2-D mixture on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
    means : array-like of shape (n_components, 2)
    covariances : array-like of shape (n_components, 2, 2)
        Full matrices (see :func:`emlib.gaussian.full_covariances` for the
        other covariance types).
    n_std : sequence of float
        The contours to draw; 1 is solid, 2 dashed, 3 dotted.
    sort : bool
        Colour the components in order of their means (True) or in the
        order given (False).
    first_colour : int
        Palette entry of the first component, so the ellipses can avoid a
        colour the figure uses for something else.
    mark_means : bool
        Mark each mean with a cross in its component's colour.
    """
    means = np.asarray(means, dtype=float)
    covariances = np.asarray(covariances, dtype=float)
    if means.ndim != 2 or means.shape[1] != 2:
        raise ValueError(f"means must have shape (n_components, 2); got {means.shape}.")
    if covariances.shape != (means.shape[0], 2, 2):
        raise ValueError(f"covariances must have shape ({means.shape[0]}, 2, 2), one full "
                         f"matrix per mean; got {covariances.shape}.")
    for position, k in enumerate(component_order(means, sort)):
        colour = PALETTE[(first_colour + position) % len(PALETTE)]
        for n in n_std:
            ax.add_patch(covariance_ellipse(means[k], covariances[k], n, edgecolor=colour,
                                            linestyle=ELLIPSE_LINE_STYLES.get(n, "-."),
                                            linewidth=2.0 if n == 1 else 1.3))
        if mark_means:
            ax.plot(*means[k], marker="X", markersize=9, color=colour, markeredgecolor="black",
                    linestyle="none")
    return ax


def ellipse_legend_handles(n_std=(1, 2), label="{n:g}$\\sigma$ ellipse", mean_label=None):
    """Legend entries, in black, for what :func:`draw_covariance_ellipses` draws.

    ``label`` is formatted with each ``n``; with ``mean_label`` an entry for
    the mean's cross is added.
    """
    handles = [Line2D([], [], color="black", linestyle=ELLIPSE_LINE_STYLES.get(n, "-."),
                      label=label.format(n=n)) for n in n_std]
    if mean_label is not None:
        handles.append(Line2D([], [], color="grey", marker="X", markeredgecolor="black",
                              linestyle="none", label=mean_label))
    return handles
