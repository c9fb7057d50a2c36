"""Figures for non-Gaussian mixtures (notebook 08): counts, waiting times, binary images, outliers.

Each function takes data and fitted models (an :class:`emlib.Mixture`, and
optionally an :class:`emlib.GaussianMixture` to contrast with) and returns
what it drew on.  1-D components are drawn in the model's order (call
``sort_components()`` first), the ellipses of 2-D components sorted by mean,
with the colours and line styles of :mod:`emlib.plotting.style`.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from scipy import stats

from .components import (draw_covariance_ellipses, ellipse_legend_handles, mixture_density_curves,
                         mixture_parameters)
from .style import DATA_STYLE, MIXTURE_STYLE, PALETTE, component_style, new_axes

__all__ = ["gaussian_mixture_cdf", "gaussian_mixture_count_probabilities", "plot_binary_images",
           "plot_count_fit", "plot_outlier_fits", "plot_prototypes", "plot_waiting_time_fit"]

#: Style of a Gaussian mixture drawn for contrast: the colour of no component.
GAUSSIAN_CONTRAST_STYLE = {"color": PALETTE[5], "linestyle": "--", "linewidth": 2.0}


# ------------------------------------------------------------------ numbers
def gaussian_mixture_cdf(model, x):
    """P(X <= x) under a 1-D Gaussian mixture: sum_j alpha_j Phi((x - mu_j) / sigma_j).

    ``model`` is a fitted 1-D Gaussian mixture or ``(weights, means, sigmas)``.
    """
    weights, means, sigmas = mixture_parameters(model)
    return stats.norm.cdf(np.asarray(x, dtype=float)[:, None], means, sigmas) @ weights


def gaussian_mixture_count_probabilities(model, counts):
    """The probability a 1-D Gaussian mixture gives each integer count k.

    A density cannot be compared with a probability mass function directly;
    the fair comparison rounds the Gaussian's draws to the nearest integer, so
    count k gets P(k - 1/2 < x <= k + 1/2).  The mass below -1/2 goes to
    negative counts, which cannot occur.
    """
    counts = np.asarray(counts, dtype=float)
    return gaussian_mixture_cdf(model, counts + 0.5) - gaussian_mixture_cdf(model, counts - 0.5)


# ------------------------------------------------------------------ figures
def plot_count_fit(counts, mixture, *, gaussian=None, ax=None):
    """Observed count frequencies, a Poisson mixture's pmf and its weighted components.

    With ``gaussian`` (a fitted 1-D Gaussian mixture, or ``(weights, means,
    sigmas)``) its probability of each integer (see
    :func:`gaussian_mixture_count_probabilities`) is drawn too, extended to
    negative counts where it still puts probability.
    """
    ax = new_axes(ax, figsize=(7, 4))
    counts = np.asarray(counts).ravel()
    values = np.arange(0, int(counts.max()) + 4)
    frequencies = np.bincount(counts.astype(int), minlength=len(values)) / len(counts)
    ax.bar(values, frequencies[:len(values)], width=0.8, label="observed frequency",
           **DATA_STYLE)
    for k in range(mixture.n_components):
        rate = mixture.rates_[k, 0]
        ax.plot(values, mixture.weights_[k] * stats.poisson.pmf(values, rate), marker="o",
                markersize=3, label=rf"$\alpha_{k + 1}\,$Poisson($\lambda_{k + 1}$={rate:.2f})",
                **component_style(k))
    ax.plot(values, np.exp(mixture.score_samples(values)), marker="o", markersize=4,
            label="Poisson mixture", **MIXTURE_STYLE)
    if gaussian is not None:
        everywhere = np.arange(-4, values[-1] + 1)
        ax.plot(everywhere, gaussian_mixture_count_probabilities(gaussian, everywhere),
                marker="s", markersize=3, label="Gaussian mixture, rounded",
                **GAUSSIAN_CONTRAST_STYLE)
        ax.axvspan(-4.5, -0.5, color="#DDDDDD", zorder=0)
        ax.text(-2.5, ax.get_ylim()[1] * 0.9, "impossible\n(negative)", ha="center", va="top",
                fontsize="small")
    ax.set_xlabel("count $x$ (events per bin)")
    ax.set_ylabel("probability $P(x)$")
    ax.legend(fontsize="small")
    return ax


def plot_waiting_time_fit(times, mixture, *, gaussian=None, ax=None, bins=60):
    """Histogram of waiting times, an exponential mixture's density and its components.

    With ``gaussian`` its density is drawn too, including at negative times,
    where it puts probability that no waiting time can have.
    """
    ax = new_axes(ax, figsize=(7, 4))
    times = np.asarray(times).ravel()
    top = np.quantile(times, 0.99)
    ax.hist(times, bins=bins, range=(0, top), density=True, label="data", **DATA_STYLE)
    grid = np.linspace(0, top, 400)
    for k in range(mixture.n_components):
        rate = mixture.rates_[k, 0]
        ax.plot(grid, mixture.weights_[k] * stats.expon.pdf(grid, scale=1 / rate),
                label=rf"$\alpha_{k + 1}\,$Exp(mean {1 / rate:.2f})", **component_style(k))
    ax.plot(grid, np.exp(mixture.score_samples(grid)), label="exponential mixture",
            **MIXTURE_STYLE)
    if gaussian is not None:
        left = -0.25 * top
        everywhere = np.linspace(left, top, 500)
        total, parts = mixture_density_curves(everywhere, gaussian)
        ax.plot(everywhere, total, label=f"Gaussian mixture (M={len(parts)})",
                **GAUSSIAN_CONTRAST_STYLE)
        ax.axvspan(left, 0, color="#DDDDDD", zorder=0)
        ax.text(left / 2, 0.5 * ax.get_ylim()[1], "impossible\n($t<0$)", ha="center",
                fontsize="small")
        ax.set_xlim(left, top)
    ax.set_xlabel("waiting time $t$")
    ax.set_ylabel("density $p(t)$")
    ax.legend(fontsize="small")
    return ax


def plot_binary_images(images, shape=(8, 8), *, titles=None, n_columns=8, axes=None,
                       vmax=1.0):
    """Binary (or probability) images in a grid: 0 white, 1 black.

    Parameters
    ----------
    images : array-like of shape (n_images, shape[0] * shape[1])
    titles : list of str, optional
    axes : array of matplotlib axes, optional
        At least ``n_images`` of them; created if not given.

    Returns
    -------
    ndarray of axes
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 2 or images.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"images must have shape (n_images, {shape[0] * shape[1]}); "
                         f"got {images.shape}.")
    if axes is None:
        n_rows = int(np.ceil(len(images) / n_columns))
        _, axes = plt.subplots(n_rows, n_columns, figsize=(1.1 * n_columns, 1.25 * n_rows),
                               squeeze=False, layout="constrained")
    axes = np.asarray(axes).ravel()
    for index, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(images):
            ax.set_visible(False)
            continue
        ax.imshow(images[index].reshape(shape), cmap="Greys", vmin=0.0, vmax=vmax)
        if titles is not None:
            ax.set_title(titles[index], fontsize="small")
    return axes


def plot_prototypes(mixture, shape=(8, 8), *, truth=None):
    """A Bernoulli mixture's learned prototypes mu_j as grey-level images, with their weights.

    With ``truth`` (n_components, n_pixels) the true prototypes are shown in a
    second row, each under the learned one closest to it.

    Returns
    -------
    matplotlib Figure
    """
    n_components = mixture.n_components
    n_rows = 1 if truth is None else 2
    fig, axes = plt.subplots(n_rows, n_components, figsize=(1.6 * n_components, 1.8 * n_rows),
                             squeeze=False, layout="constrained")
    titles = [rf"$\mu_{k + 1}$, $\alpha$={w:.2f}" for k, w in enumerate(mixture.weights_)]
    plot_binary_images(mixture.means_, shape, titles=titles, axes=axes[0])
    if truth is not None:
        truth = np.asarray(truth, dtype=float)
        closest = np.argmin(((mixture.means_[:, None] - truth[None]) ** 2).sum(axis=2), axis=1)
        plot_binary_images(truth[closest], shape, titles=["truth"] * n_components,
                           axes=axes[1])
    fig.suptitle("Bernoulli mixture prototypes (pixel probabilities)", fontsize="medium")
    return fig


def _draw_fit(ax, X, means, matrices, title, outliers):
    ax.scatter(X[:, 0], X[:, 1], s=8, color="#999999", alpha=0.6, zorder=0)
    if outliers is not None:
        ax.scatter(X[outliers, 0], X[outliers, 1], s=22, marker="x", color="black",
                   label="outliers", zorder=1)
    draw_covariance_ellipses(ax, means, matrices, mark_means=True)
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("$x_1$")


def plot_outlier_fits(X, gaussian, student_t, *, outliers=None, truth_means=None):
    """The same 2-D data fitted by a Gaussian mixture (left) and a Student-t mixture (right).

    Ellipses are the points at Mahalanobis distance 1 (solid) and 2 (dashed)
    under each component's covariance (Gaussian) or scale matrix (Student-t).

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    gaussian : fitted Mixture('gaussian') or GaussianMixture (full covariances)
    student_t : fitted Mixture('student_t')
    outliers : boolean mask, optional
        Marks the outliers with crosses.
    truth_means : array-like of shape (n_clusters, 2), optional
        Drawn as open circles.

    Returns
    -------
    matplotlib Figure
    """
    X = np.asarray(X, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharex=True, sharey=True,
                             layout="constrained")
    _draw_fit(axes[0], X, gaussian.means_, gaussian.covariances_,
              f"Gaussian mixture, M={len(gaussian.weights_)}", outliers)
    _draw_fit(axes[1], X, student_t.means_, student_t.scales_,
              f"Student-t mixture, M={len(student_t.weights_)}", outliers)
    axes[0].set_ylabel("$x_2$")
    # Both panels show all the data at the same scale: 1 unit is as long on both axes.
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.05 * (high - low)
    axes[0].set_xlim(low[0] - margin[0], high[0] + margin[0])
    axes[0].set_ylim(low[1] - margin[1], high[1] + margin[1])
    for ax in axes:
        ax.set_aspect("equal", adjustable="box")
    handles = ellipse_legend_handles((1, 2), label="distance {n:g}", mean_label="centre")
    if outliers is not None:
        handles.append(Line2D([], [], color="black", marker="x", linestyle="none",
                              label="outliers"))
    if truth_means is not None:
        for ax in axes:
            ax.scatter(*np.asarray(truth_means, dtype=float).T, s=120, facecolors="none",
                       edgecolors="black", linewidths=1.5, zorder=3)
        handles.append(Line2D([], [], color="black", marker="o", markerfacecolor="none",
                              linestyle="none", label="true centre"))
    axes[1].legend(handles=handles, fontsize="small", loc="upper left")
    return fig
