"""Figures for measurement errors (notebook 06): broadened and intrinsic widths,
the eq.-7 residual, error ellipses and extreme deconvolution in 2-D.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import EllipseCollection

from ..deconvolution import eq7_residual
from .components import (draw_covariance_ellipses, ellipse_axes, ellipse_legend_handles,
                         mixture_density_curves, points_2d)
from .style import DATA_STYLE, LINE_STYLES, PALETTE, label_plane_axes, new_axes

__all__ = ["plot_deconvolution", "plot_eq7_residual", "plot_error_ellipses",
           "plot_intrinsic_components"]


def plot_intrinsic_components(x, fits, *, ax=None, bins=40, x_range=None):
    """A histogram of 1-D data with the components alpha_j N(x | mu_j, sigma_j) of several fits.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The observed data.
    fits : dict
        ``{label: mixture}``, each mixture a fitted 1-D model or a tuple
        ``(weights, means, sigmas)``, sigmas being standard deviations. Each
        fit gets one colour and line style for all its components, so
        broadened and intrinsic widths can be compared.
    """
    ax = new_axes(ax, figsize=(7, 4))
    x = np.asarray(x, dtype=float)
    low, high = x_range if x_range is not None else (x.min() - 0.5, x.max() + 0.5)
    ax.hist(x, bins=bins, range=(low, high), density=True, label="observed data", **DATA_STYLE)
    grid = np.linspace(low, high, 600)
    for position, (label, fit) in enumerate(fits.items()):
        colour = PALETTE[position % len(PALETTE)]
        style = LINE_STYLES[position % len(LINE_STYLES)]
        for k, density in enumerate(mixture_density_curves(grid, fit)[1]):
            ax.plot(grid, density, color=colour, linestyle=style, linewidth=2,
                    label=label if k == 0 else None)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\alpha_j\,\mathcal{N}(x \mid \mu_j, \sigma_j)$  and data density")
    ax.legend(fontsize="small")
    return ax


def plot_eq7_residual(x, error_variances, responsibilities, mean, *, variance=None, ax=None,
                      variance_max=None, label=None, linear_range=1.0):
    """The corrected eq. 7 as a function of sigma_j^2: right side minus left side.

    Its zero is the sigma-update; where it is negative for every
    sigma_j^2 > 0 there is no positive root and the update is sigma_j = 0.
    ``variance`` (e.g. from :func:`emlib.deconvolution.solve_eq7_variance`)
    is marked if given. The vertical axis is linear within +-``linear_range``
    and logarithmic beyond (the residual grows steeply near sigma_j^2 = 0
    when some errors are small), so both signs stay visible.
    """
    ax = new_axes(ax)
    x, error_variances = np.asarray(x, float), np.asarray(error_variances, float)
    responsibilities = np.asarray(responsibilities, float)
    if variance_max is None:
        variance_max = max(4 * float(np.max(error_variances)),
                           2 * (variance if variance else 0.0), 1e-3)
    grid = np.linspace(0.0, variance_max, 400)
    values = eq7_residual(grid, x, error_variances, responsibilities, mean)
    ax.plot(grid, values, color=PALETTE[0], linewidth=2,
            label=label or "RHS $-$ LHS of eq. 7 (corrected)")
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_yscale("symlog", linthresh=linear_range)
    if variance is not None:
        ax.plot([variance], [0.0], marker="o", markersize=9, color=PALETTE[1],
                linestyle="none", label=rf"solution $\sigma_j^2$ = {variance:.3f}")
    ax.set_xlabel(r"trial intrinsic variance $\sigma_j^2$")
    ax.set_ylabel(r"$2\,\partial Q_j / \partial \sigma_j^2$")
    ax.legend(fontsize="small")
    return ax


def plot_error_ellipses(X, error_covariances, *, ax=None, n_std=1.0, color=None, title=None,
                        label="observed $x_i$ with 1$\\sigma$ errors"):
    """2-D data, each point with its own n-sigma error ellipse."""
    ax = new_axes(ax)
    X = points_2d(X)
    colour = color or PALETTE[0]
    error_covariances = np.asarray(error_covariances, dtype=float)
    if error_covariances.shape != (X.shape[0], 2, 2):
        raise ValueError(f"error_covariances must have shape ({X.shape[0]}, 2, 2), one 2 x 2 "
                         f"matrix per point of X; got {error_covariances.shape}.")
    semi_major, semi_minor, angles = ellipse_axes(error_covariances, n_std)
    ax.add_collection(EllipseCollection(2 * semi_major, 2 * semi_minor, angles, units="xy",
                                        offsets=X, offset_transform=ax.transData,
                                        facecolors="none", edgecolors=colour, linewidths=0.5,
                                        alpha=0.5))
    ax.scatter(X[:, 0], X[:, 1], s=4, color=colour, label=label)
    ax.autoscale_view()
    _finish_2d(ax, title)
    return ax


def _draw_components(ax, model):
    # The palette from its second colour: the first is the observed points' in panel 1.
    draw_covariance_ellipses(ax, model.means_, model.covariances_, first_colour=1)


def _finish_2d(ax, title=None):
    label_plane_axes(ax, title, fontsize="medium")


def plot_deconvolution(X, error_covariances, plain_model, xd_model, *, Y=None, n_samples=None,
                       axes=None):
    """Before and after: a plain Gaussian mixture fit versus extreme deconvolution.

    Panels: (1) the observed points with their error ellipses; (2) the plain
    fit's 1- and 2-sigma ellipses over the observed points; (3) XD's
    intrinsic ellipses over the true points ``Y`` (if given, else the data);
    (4) draws from the deconvolved model (``xd_model.sample``) next to ``Y``.

    Returns
    -------
    axes : ndarray of 4 Axes
    """
    X = points_2d(X)
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(10, 6.6), sharex=True, sharey=True,
                               layout="constrained")
    axes = np.asarray(axes).ravel()
    plot_error_ellipses(X, error_covariances, ax=axes[0],
                        title="observed data and their error ellipses")
    axes[1].scatter(X[:, 0], X[:, 1], s=4, color="#999999", label="observed $x_i$")
    _draw_components(axes[1], plain_model)
    _finish_2d(axes[1], "plain Gaussian mixture (errors ignored)")
    reference = X if Y is None else np.asarray(Y, dtype=float)
    name = "observed $x_i$" if Y is None else "true $y_i$"
    axes[2].scatter(reference[:, 0], reference[:, 1], s=4, color="#999999", label=name)
    _draw_components(axes[2], xd_model)
    _finish_2d(axes[2], "extreme deconvolution: intrinsic components")
    draws, _ = xd_model.sample(n_samples or X.shape[0])
    if Y is not None:
        axes[3].scatter(reference[:, 0], reference[:, 1], s=4, color="#999999", label=name)
    axes[3].scatter(draws[:, 0], draws[:, 1], s=4, color=PALETTE[2], marker="s",
                    label="draws from the XD model")
    _finish_2d(axes[3], "samples from the deconvolved model")
    ellipse_handles = ellipse_legend_handles((1, 2))
    for ax in axes[:3]:
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=handles + (ellipse_handles if ax is not axes[0] else []),
                  fontsize="small", loc="lower center")
    axes[3].legend(fontsize="small", loc="lower center", markerscale=2)
    return axes

