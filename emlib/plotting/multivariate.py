"""Figures for mixtures in two dimensions: covariance ellipses, classification,
uncertainty and the four covariance types side by side. (BIC and ICL against M
for several covariance types: :func:`emlib.plotting.plot_information_criteria`.)

Each covariance is drawn as its n-sigma ellipse
(:func:`emlib.plotting.components.ellipse_axes`). Components are drawn in a
canonical order (sorted by mean, as ``GaussianMixture.sort_components`` does)
unless ``sort=False``, so a component's colour does not depend on how a fit
happened to number it.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from ..gaussian import full_covariances
from ..information_criteria import n_gaussian_mixture_parameters
from .components import (classification_uncertainty, component_order, draw_covariance_ellipses,
                         ellipse_legend_handles, points_2d)
from .style import MARKERS, component_style, label_plane_axes, new_axes

__all__ = ["annotate_component_numbers", "plot_classification", "plot_covariance_ellipses",
           "plot_covariance_types", "plot_mixture", "plot_model", "plot_points",
           "plot_responsibility_colours", "plot_uncertainty"]


def _covariance_type(model):
    """How ``model.covariances_`` is laid out; XDGMM's are always full matrices."""
    if hasattr(model, "covariance_type"):
        return model.covariance_type
    return getattr(getattr(model, "family_", None), "covariance_type", "full")


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
    draw_covariance_ellipses(ax, means, stack, n_std=n_std, sort=sort, mark_means=mark_means)
    if legend:
        handles = ellipse_legend_handles(n_std, mean_label=r"mean $\mu_j$" if mark_means else None)
        ax.legend(handles=handles, loc="best", fontsize="small")
    ax.autoscale_view()
    label_plane_axes(ax)
    return ax


def plot_points(X, labels=None, *, ax=None, title=None, label_name="component"):
    """A scatter of 2-D data, coloured (and marked) by ``labels`` if given."""
    ax = new_axes(ax)
    X = points_2d(X)
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=8, color="#777777", alpha=0.6, label="data")
    else:
        labels = np.asarray(labels)
        for position, value in enumerate(np.unique(labels)):
            members = labels == value
            colour = component_style(position)["color"]
            ax.scatter(X[members, 0], X[members, 1], s=10, color=colour,
                       marker=MARKERS[position % len(MARKERS)], alpha=0.7,
                       label=f"{label_name} {value}")
    ax.legend(loc="best", fontsize="small", markerscale=1.5)
    label_plane_axes(ax, title)
    return ax


def plot_mixture(X, means, covariances, covariance_type="full", *, ax=None, n_std=(1, 2),
                 title=None, sort=True, legend=True):
    """Data in grey with the components' ellipses on top."""
    ax = new_axes(ax)
    X = points_2d(X)
    ax.scatter(X[:, 0], X[:, 1], s=6, color="#999999", alpha=0.5, zorder=0)
    plot_covariance_ellipses(means, covariances, covariance_type, n_std=n_std, ax=ax,
                             sort=sort, legend=legend)
    label_plane_axes(ax, title)
    return ax


def plot_model(X, model, *, ax=None, n_std=(1, 2), title=None, sort=True, legend=True):
    """:func:`plot_mixture` for a fitted 2-D ``GaussianMixture``, ``Mixture("gaussian")`` or
    ``XDGMM`` (whose ellipses are the intrinsic, deconvolved covariances)."""
    return plot_mixture(X, model.means_, model.covariances_, _covariance_type(model), ax=ax,
                        n_std=n_std, title=title, sort=sort, legend=legend)


def plot_classification(X, model, *, ax=None, uncertainty=False, n_std=(1,), title=None,
                        sort=True):
    """Points coloured by their most probable component (the hard label).

    With ``uncertainty=True`` each point's size and opacity grow with its
    uncertainty 1 - max_j p(j | x): sure points shrink to faint dots and the
    doubtful ones between components stand out, as in mclust's uncertainty plot.
    """
    ax = new_axes(ax)
    X = points_2d(X)
    resp = model.predict_proba(X)
    hard = resp.argmax(axis=1)
    doubt = classification_uncertainty(resp)
    largest = 1.0 - 1.0 / resp.shape[1] if resp.shape[1] > 1 else 1.0
    scaled = doubt / largest  # 0 (sure) .. 1 (all components equally likely)
    handles = []
    for position, k in enumerate(component_order(model.means_, sort)):
        members = hard == k
        colour, marker = component_style(position)["color"], MARKERS[position % len(MARKERS)]
        if uncertainty:
            ax.scatter(X[members, 0], X[members, 1], s=6 + 120 * scaled[members], color=colour,
                       alpha=0.3 + 0.7 * scaled[members], marker=marker, linewidths=0)
        else:
            ax.scatter(X[members, 0], X[members, 1], s=12, color=colour, marker=marker,
                       alpha=0.8)
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="none",
                              label=f"component {position}"))
    plot_covariance_ellipses(model.means_, model.covariances_, _covariance_type(model),
                             n_std=n_std, ax=ax, sort=sort, mark_means=False, legend=False)
    if uncertainty:
        for value in (0.05, 0.2, 0.5):
            if value <= largest:
                handles.append(Line2D([], [], color="black", marker="o", linestyle="none",
                                      markersize=np.sqrt(6 + 120 * value / largest),
                                      alpha=0.3 + 0.7 * value / largest,
                                      label=f"uncertainty {value:g}"))
    ax.legend(handles=handles, loc="best", fontsize="small")
    label_plane_axes(ax, title)
    return ax


def plot_uncertainty(X, model, *, ax=None, n_std=(1,), title=None, sort=True):
    """:func:`plot_classification` with point size and opacity set by uncertainty."""
    return plot_classification(X, model, ax=ax, uncertainty=True, n_std=n_std, title=title,
                               sort=sort)


def plot_responsibility_colours(X, responsibilities, means=None, covariances=None, *, ax=None,
                                n_std=(1,), title=None, legend=True):
    """Points coloured by their class probabilities w_ij (eq. 2), as in Bishop's fig. 9.8.

    Point i gets the blend sum_j w_ij c_j of the components' colours c_j, so
    a point sure of component j shows j's colour and a point between two
    components shows a mixture of both. Component j is coloured by its
    index j (``component_style(j)``): order the components before the call
    if their colours must match another figure.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    responsibilities : array-like of shape (n_samples, n_components)
        Each row non-negative and summing to 1.
    means, covariances : array-like, optional
        ``(n_components, 2)`` and full ``(n_components, 2, 2)``: draw each
        component's ``n_std`` ellipses in its colour on top.
    """
    ax = new_axes(ax)
    X = points_2d(X)
    resp = np.asarray(responsibilities, dtype=float)
    if resp.ndim != 2 or resp.shape[0] != X.shape[0]:
        raise ValueError(f"responsibilities must have shape ({X.shape[0]}, n_components), one "
                         f"row per point of X; got {resp.shape}.")
    if (not np.all(np.isfinite(resp)) or np.any(resp < 0)
            or not np.allclose(resp.sum(axis=1), 1.0, atol=1e-6)):
        raise ValueError("responsibilities must be non-negative with rows summing to 1 (the "
                         "class probabilities of each point).")
    palette = np.array([to_rgb(component_style(j)["color"]) for j in range(resp.shape[1])])
    ax.scatter(X[:, 0], X[:, 1], s=12, c=np.clip(resp @ palette, 0.0, 1.0), linewidths=0)
    if means is not None:
        draw_covariance_ellipses(ax, means, covariances, n_std=n_std, sort=False,
                                 mark_means=True)
    if legend:
        handles = [Line2D([], [], color=component_style(j)["color"], marker="o",
                          linestyle="none", label=f"sure of component {j}")
                   for j in range(resp.shape[1])]
        ax.legend(handles=handles, loc="best", fontsize="small")
    label_plane_axes(ax, title)
    return ax


def annotate_component_numbers(ax, means):
    """Write each component's own index at its mean (to show how a fit numbered them)."""
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or means.shape[1] != 2:
        raise ValueError(f"means must have shape (n_components, 2); got {means.shape}.")
    return [ax.text(mean[0], mean[1], str(j), ha="center", va="center", fontsize="large",
                    fontweight="bold", bbox={"boxstyle": "circle", "facecolor": "white",
                                             "edgecolor": "black"})
            for j, mean in enumerate(means)]


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
    X = points_2d(X)
    if axes is None:
        _, axes = plt.subplots(1, len(models), figsize=(3.3 * len(models), 3.6),
                               sharex=True, sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    for panel, (ax, (name, model)) in enumerate(zip(axes.flat, models.items())):
        log_l = float(model.score_samples(X).sum())
        k = n_gaussian_mixture_parameters(model.n_components, 2, _covariance_type(model))
        title = f"{name}\nln L = {log_l:.1f}, k = {k}"
        plot_model(X, model, ax=ax, n_std=n_std, title=title, legend=panel == 0)
        if panel > 0:
            ax.set_ylabel("")
    return axes
