"""Figures for measurement errors (notebook 06): broadened and intrinsic widths,
the eq.-7 residual, error ellipses and extreme deconvolution in 2-D.
"""

import numpy as np
from matplotlib.collections import EllipseCollection
from matplotlib.lines import Line2D

from ..deconvolution import eq7_residual
from .multivariate import covariance_ellipse
from .style import DATA_STYLE, LINE_STYLES, PALETTE, new_axes

__all__ = ["plot_deconvolution", "plot_eq7_residual", "plot_error_ellipses",
           "plot_intrinsic_components"]


def _ellipse_shapes(covariances, n_std):
    """Full widths, heights and angles (degrees) of the n-sigma ellipses of 2 x 2 covariances."""
    eigenvalues, eigenvectors = np.linalg.eigh(covariances)  # ascending
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    angles = np.degrees(np.arctan2(eigenvectors[:, 1, 1], eigenvectors[:, 0, 1]))
    return 2 * n_std * np.sqrt(eigenvalues[:, 1]), 2 * n_std * np.sqrt(eigenvalues[:, 0]), angles


def plot_intrinsic_components(x, fits, *, ax=None, bins=40, x_range=None):
    """A histogram of 1-D data with the components alpha_j N(x | mu_j, sigma_j) of several fits.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The observed data.
    fits : dict
        ``{label: (weights, means, sigmas)}``, sigmas being standard
        deviations. Each fit gets one colour and line style for all its
        components, so broadened and intrinsic widths can be compared.
    """
    ax = new_axes(ax, figsize=(7, 4))
    x = np.asarray(x, dtype=float)
    low, high = x_range if x_range is not None else (x.min() - 0.5, x.max() + 0.5)
    ax.hist(x, bins=bins, range=(low, high), density=True, label="observed data", **DATA_STYLE)
    grid = np.linspace(low, high, 600)
    for position, (label, (weights, means, sigmas)) in enumerate(fits.items()):
        colour = PALETTE[position % len(PALETTE)]
        style = LINE_STYLES[position % len(LINE_STYLES)]
        for k, (weight, mean, sigma) in enumerate(zip(weights, means, sigmas)):
            density = weight * np.exp(-0.5 * ((grid - mean) / sigma) ** 2) / (
                sigma * np.sqrt(2 * np.pi))
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
    X = np.asarray(X, dtype=float)
    colour = color or PALETTE[0]
    widths, heights, angles = _ellipse_shapes(np.asarray(error_covariances, float), n_std)
    ax.add_collection(EllipseCollection(widths, heights, angles, units="xy", offsets=X,
                                        offset_transform=ax.transData, facecolors="none",
                                        edgecolors=colour, linewidths=0.5, alpha=0.5))
    ax.scatter(X[:, 0], X[:, 1], s=4, color=colour, label=label)
    ax.autoscale_view()
    _finish_2d(ax, title)
    return ax


def _draw_components(ax, means, covariances, n_std=(1, 2)):
    order = np.lexsort(np.asarray(means).T[::-1])
    for position, k in enumerate(order):
        for n in n_std:
            ax.add_patch(covariance_ellipse(means[k], covariances[k], n,
                                            edgecolor=PALETTE[(position + 1) % len(PALETTE)],
                                            linestyle="-" if n == 1 else "--",
                                            linewidth=2.0 if n == 1 else 1.2))


def _finish_2d(ax, title=None):
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title, fontsize="medium")


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
    import matplotlib.pyplot as plt

    X = np.asarray(X, dtype=float)
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(10, 6.6), sharex=True, sharey=True,
                               layout="constrained")
    axes = np.asarray(axes).ravel()
    plot_error_ellipses(X, error_covariances, ax=axes[0],
                        title="observed data and their error ellipses")
    axes[1].scatter(X[:, 0], X[:, 1], s=4, color="#999999", label="observed $x_i$")
    _draw_components(axes[1], plain_model.means_, plain_model.covariances_)
    _finish_2d(axes[1], "plain Gaussian mixture (errors ignored)")
    reference = X if Y is None else np.asarray(Y, dtype=float)
    name = "observed $x_i$" if Y is None else "true $y_i$"
    axes[2].scatter(reference[:, 0], reference[:, 1], s=4, color="#999999", label=name)
    _draw_components(axes[2], xd_model.means_, xd_model.covariances_)
    _finish_2d(axes[2], "extreme deconvolution: intrinsic components")
    draws, _ = xd_model.sample(n_samples or X.shape[0])
    if Y is not None:
        axes[3].scatter(reference[:, 0], reference[:, 1], s=4, color="#999999", label=name)
    axes[3].scatter(draws[:, 0], draws[:, 1], s=4, color=PALETTE[2], marker="s",
                    label="draws from the XD model")
    _finish_2d(axes[3], "samples from the deconvolved model")
    ellipse_handles = [Line2D([], [], color="black", linestyle="-", label=r"1$\sigma$ ellipse"),
                       Line2D([], [], color="black", linestyle="--", label=r"2$\sigma$ ellipse")]
    for ax in axes[:3]:
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=handles + (ellipse_handles if ax is not axes[0] else []),
                  fontsize="small", loc="lower center")
    axes[3].legend(fontsize="small", loc="lower center", markerscale=2)
    return axes

