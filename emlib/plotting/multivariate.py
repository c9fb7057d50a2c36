"""Figures for mixtures in two dimensions: covariance ellipses, classification,
uncertainty and the four covariance types side by side. (BIC and ICL against M
for several covariance types: :func:`emlib.plotting.plot_information_criteria`.)

A Gaussian's covariance Sigma is drawn as the ellipse of the points x with
Mahalanobis distance (x - mu)^T Sigma^-1 (x - mu) = n^2 ("the n-sigma
ellipse"): its axes point along the eigenvectors of Sigma and its semi-axes
are n sqrt(eigenvalue).

Components are drawn in a canonical order (sorted by mean, as
``GaussianMixture.sort_components`` does) unless ``sort=False``, so a
component's colour does not depend on how a fit happened to number it.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

from ..gaussian import full_covariances
from ..information_criteria import n_gaussian_mixture_parameters
from .style import PALETTE, new_axes

__all__ = ["ELLIPSE_LINE_STYLES", "classification_uncertainty", "covariance_ellipse",
           "ellipse_axes", "plot_classification", "plot_covariance_ellipses",
           "plot_covariance_types", "plot_mixture", "plot_model", "plot_points",
           "plot_uncertainty"]

#: Line style of the ellipse at each number of standard deviations.
ELLIPSE_LINE_STYLES = {1: "-", 2: "--", 3: ":"}
#: Marker of each covariance type or component, so figures read in greyscale too.
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


# ------------------------------------------------------------------ numbers
def ellipse_axes(covariance, n_std=1.0):
    """Semi-axes and tilt of the n-sigma ellipse of a 2 x 2 covariance.

    Returns
    -------
    semi_major, semi_minor : float
        n_std times the square roots of the larger and smaller eigenvalue.
    angle : float
        Angle of the major axis from the x1 axis, counter-clockwise, in
        degrees, in (-90, 90].
    """
    covariance = np.asarray(covariance, dtype=float)
    if covariance.shape != (2, 2):
        raise ValueError(f"covariance must be a 2 x 2 matrix; got shape {covariance.shape}.")
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    if eigenvalues[0] <= 0:
        raise ValueError("covariance must be positive definite; its smallest eigenvalue is "
                         f"{eigenvalues[0]:.3g}.")
    major = eigenvectors[:, 1]
    angle = np.degrees(np.arctan2(major[1], major[0]))
    angle = (angle + 90.0) % 180.0 - 90.0  # an axis has no direction: fold into [-90, 90)
    if angle == -90.0:
        angle = 90.0
    return (n_std * float(np.sqrt(eigenvalues[1])), n_std * float(np.sqrt(eigenvalues[0])),
            float(angle))


def covariance_ellipse(mean, covariance, n_std=1.0, **patch_kwargs):
    """A matplotlib ``Ellipse`` patch: the n-sigma contour of N(mean, covariance)."""
    semi_major, semi_minor, angle = ellipse_axes(covariance, n_std)
    patch_kwargs.setdefault("fill", False)
    return Ellipse(xy=np.asarray(mean, dtype=float), width=2 * semi_major,
                   height=2 * semi_minor, angle=angle, **patch_kwargs)


def classification_uncertainty(responsibilities):
    """1 - max_j p(j | x_i): 0 for a sure classification, up to 1 - 1/M.

    R's mclust calls this the uncertainty of each point's classification.
    """
    return 1.0 - np.asarray(responsibilities).max(axis=1)


# ------------------------------------------------------------------ helpers
def _check_2d(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2) for a 2-D plot; got {X.shape}.")
    return X


def _component_order(means, sort):
    """Component indices in drawing order: sorted by mean unless ``sort=False``."""
    means = np.asarray(means)
    return np.lexsort(means.T[::-1]) if sort else np.arange(len(means))


def _colour(position):
    return PALETTE[position % len(PALETTE)]


def _label_axes(ax, title=None):
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)


# ------------------------------------------------------------------ figures
def plot_covariance_ellipses(means, covariances, covariance_type="full", *, n_std=(1, 2),
                             ax=None, sort=True, mark_means=True, legend=True):
    """The 1- and 2-sigma ellipses (by default) of every component.

    Parameters
    ----------
    means : array-like of shape (n_components, 2)
    covariances : array-like in the shape of ``covariance_type``
    n_std : sequence of float
        Which n-sigma contours to draw; 1 is solid, 2 dashed, 3 dotted.
    sort : bool
        Colour the components in order of their means (True) or in the
        order given (False).
    """
    ax = new_axes(ax)
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or means.shape[1] != 2:
        raise ValueError(f"means must have shape (n_components, 2); got {means.shape}.")
    stack = full_covariances(covariances, covariance_type, means.shape[0], 2)
    for position, k in enumerate(_component_order(means, sort)):
        colour = _colour(position)
        for n in n_std:
            ax.add_patch(covariance_ellipse(means[k], stack[k], n, edgecolor=colour,
                                            linestyle=ELLIPSE_LINE_STYLES.get(n, "-."),
                                            linewidth=2.0 if n == 1 else 1.3))
        if mark_means:
            ax.plot(*means[k], marker="X", markersize=9, color=colour, markeredgecolor="black",
                    linestyle="none")
    if legend:
        handles = [Line2D([], [], color="black", linestyle=ELLIPSE_LINE_STYLES.get(n, "-."),
                          label=f"{n:g}$\\sigma$ ellipse") for n in n_std]
        if mark_means:
            handles.append(Line2D([], [], color="grey", marker="X", markeredgecolor="black",
                                  linestyle="none", label=r"mean $\mu_j$"))
        ax.legend(handles=handles, loc="best", fontsize="small")
    ax.autoscale_view()
    _label_axes(ax)
    return ax


def plot_points(X, labels=None, *, ax=None, title=None, label_name="component"):
    """A scatter of 2-D data, coloured (and marked) by ``labels`` if given."""
    ax = new_axes(ax)
    X = _check_2d(X)
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=8, color="#777777", alpha=0.6, label="data")
    else:
        labels = np.asarray(labels)
        for position, value in enumerate(np.unique(labels)):
            members = labels == value
            ax.scatter(X[members, 0], X[members, 1], s=10, color=_colour(position),
                       marker=MARKERS[position % len(MARKERS)], alpha=0.7,
                       label=f"{label_name} {value}")
    ax.legend(loc="best", fontsize="small", markerscale=1.5)
    _label_axes(ax, title)
    return ax


def plot_mixture(X, means, covariances, covariance_type="full", *, ax=None, n_std=(1, 2),
                 title=None, sort=True, legend=True):
    """Data in grey with the components' ellipses on top."""
    ax = new_axes(ax)
    X = _check_2d(X)
    ax.scatter(X[:, 0], X[:, 1], s=6, color="#999999", alpha=0.5, zorder=0)
    plot_covariance_ellipses(means, covariances, covariance_type, n_std=n_std, ax=ax,
                             sort=sort, legend=legend)
    _label_axes(ax, title)
    return ax


def plot_model(X, model, *, ax=None, n_std=(1, 2), title=None, sort=True, legend=True):
    """:func:`plot_mixture` for a fitted ``GaussianMixture``."""
    return plot_mixture(X, model.means_, model.covariances_, model.covariance_type, ax=ax,
                        n_std=n_std, title=title, sort=sort, legend=legend)


def plot_classification(X, model, *, ax=None, uncertainty=False, n_std=(1,), title=None,
                        sort=True):
    """Points coloured by their most probable component (the hard label).

    With ``uncertainty=True`` each point's size and opacity grow with its
    uncertainty 1 - max_j p(j | x): sure points shrink to faint dots and the
    doubtful ones between components stand out, as in mclust's uncertainty plot.
    """
    ax = new_axes(ax)
    X = _check_2d(X)
    resp = model.predict_proba(X)
    hard = resp.argmax(axis=1)
    doubt = classification_uncertainty(resp)
    largest = 1.0 - 1.0 / resp.shape[1] if resp.shape[1] > 1 else 1.0
    scaled = doubt / largest  # 0 (sure) .. 1 (all components equally likely)
    handles = []
    for position, k in enumerate(_component_order(model.means_, sort)):
        members = hard == k
        colour, marker = _colour(position), MARKERS[position % len(MARKERS)]
        if uncertainty:
            ax.scatter(X[members, 0], X[members, 1], s=6 + 120 * scaled[members], color=colour,
                       alpha=0.3 + 0.7 * scaled[members], marker=marker, linewidths=0)
        else:
            ax.scatter(X[members, 0], X[members, 1], s=12, color=colour, marker=marker,
                       alpha=0.8)
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="none",
                              label=f"component {position}"))
    plot_covariance_ellipses(model.means_, model.covariances_, model.covariance_type,
                             n_std=n_std, ax=ax, sort=sort, mark_means=False, legend=False)
    if uncertainty:
        for value in (0.05, 0.2, 0.5):
            if value <= largest:
                handles.append(Line2D([], [], color="black", marker="o", linestyle="none",
                                      markersize=np.sqrt(6 + 120 * value / largest),
                                      alpha=0.3 + 0.7 * value / largest,
                                      label=f"uncertainty {value:g}"))
    ax.legend(handles=handles, loc="best", fontsize="small")
    _label_axes(ax, title)
    return ax


def plot_uncertainty(X, model, *, ax=None, n_std=(1,), title=None, sort=True):
    """:func:`plot_classification` with point size and opacity set by uncertainty."""
    return plot_classification(X, model, ax=ax, uncertainty=True, n_std=n_std, title=title,
                               sort=sort)


def plot_covariance_types(X, models, *, axes=None, n_std=(1, 2)):
    """One panel per fitted model (e.g. one per covariance type), side by side.

    Parameters
    ----------
    models : dict
        ``{title: fitted GaussianMixture}``, e.g. keyed by covariance type.
        Each panel's title adds the model's ln L and number of parameters k.

    Returns
    -------
    axes : ndarray of Axes
    """
    X = _check_2d(X)
    if axes is None:
        _, axes = plt.subplots(1, len(models), figsize=(3.3 * len(models), 3.6),
                               sharex=True, sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    for panel, (ax, (name, model)) in enumerate(zip(axes.flat, models.items())):
        log_l = float(model.score_samples(X).sum())
        k = n_gaussian_mixture_parameters(model.n_components, 2, model.covariance_type)
        title = f"{name}\nln L = {log_l:.1f}, k = {k}"
        plot_model(X, model, ax=ax, n_std=n_std, title=title, legend=panel == 0)
        if panel > 0:
            ax.set_ylabel("")
    return axes
