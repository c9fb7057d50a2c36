"""Figures for a 1-D mixture used as a classifier.

The class probabilities p(j | x) of eq. 2 are drawn as stacked bands whose
heights add up to one at every x; the uncertainty of the most probable class
is 1 - max_j p(j | x). :func:`plot_three_panels` puts the fit, the
information criteria and the class probabilities side by side.

The functions accept a fitted 1-D Gaussian mixture or a tuple ``(weights,
means, sigmas)``: the forms :func:`emlib.plotting.components.mixture_parameters`
accepts. Components are always drawn sorted by their means, with the colours
of :mod:`emlib.plotting.style`, so colours and numbers do not depend on the
order a fit happened to give them.
"""

import matplotlib.pyplot as plt
import numpy as np

from .components import (classification_uncertainty, default_grid, responsibility_curves,
                         values_1d)
from .densities import plot_mixture_fit
from .selection import plot_information_criteria
from .style import MIXTURE_STYLE, PALETTE, new_axes

__all__ = ["BAND_HATCHES", "class_probability_bands", "plot_class_probability_bands",
           "plot_class_uncertainty", "plot_confusion_matrix", "plot_three_panels"]

#: Hatching of each band, so the bands can be told apart in greyscale too.
BAND_HATCHES = [None, "//", "..", "xx", "\\\\", "oo", "++"]


# ------------------------------------------------------------------ numbers
def class_probability_bands(model, grid):
    """The stacked bands of the class-probability figure.

    Parameters
    ----------
    model : fitted 1-D Gaussian mixture, or (weights, means, sigmas)
    grid : array-like of shape (n_points,)

    Returns
    -------
    probabilities : ndarray of shape (n_points, n_components)
        p(j | x) at each grid point (eq. 2), components sorted by mean.
    lower, upper : ndarray of shape (n_components, n_points)
        Band j runs from ``lower[j]`` to ``upper[j]``: cumulative sums of the
        probabilities, so each band's height is p(j | x) and ``upper[-1]`` is 1.
    """
    grid = values_1d(grid, "grid")
    probabilities = responsibility_curves(grid, model).T
    upper = np.cumsum(probabilities, axis=1).T
    lower = np.vstack([np.zeros_like(grid), upper[:-1]])
    return probabilities, lower, upper


# ------------------------------------------------------------------ figures
def plot_class_probability_bands(model, grid=None, *, ax=None, label_bands=True,
                                 legend=False, title=None):
    """p(j | x) against x as stacked bands (eq. 2); the bands fill [0, 1].

    At each x the height of band j is the probability that a point there
    came from component j. Components are sorted by mean and coloured as in
    :func:`emlib.plotting.plot_mixture_fit`.

    Parameters
    ----------
    model : fitted 1-D Gaussian mixture
    grid : array-like, optional
        x values (default: 4 standard deviations beyond the outer components).
    label_bands : bool
        Write "j = 1", "j = 2", ... inside each band, in the middle of the
        stretch where it is widest.
    legend : bool
        Add a legend as well.

    Returns
    -------
    matplotlib Axes
    """
    grid = default_grid(model) if grid is None else values_1d(grid, "grid")
    ax = new_axes(ax)
    probabilities, lower, upper = class_probability_bands(model, grid)
    for j in range(probabilities.shape[1]):
        ax.fill_between(grid, lower[j], upper[j], facecolor=PALETTE[j % len(PALETTE)],
                        alpha=0.75, hatch=BAND_HATCHES[j % len(BAND_HATCHES)],
                        edgecolor="white", linewidth=0.0, label=f"$j$ = {j + 1}")
        if label_bands:
            # The middle of the stretch where the band is (nearly) at its widest, so the
            # label sits inside the band rather than on the edge of the axes.
            near_widest = np.flatnonzero(probabilities[:, j] >= probabilities[:, j].max() - 0.02)
            widest = int(near_widest[len(near_widest) // 2])
            ax.text(grid[widest], 0.5 * (lower[j, widest] + upper[j, widest]), f"$j$ = {j + 1}",
                    ha="center", va="center", fontsize="small",
                    bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8,
                          "linewidth": 0})
    ax.set_xlim(grid.min(), grid.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$p(j \mid x)$")
    if legend:
        ax.legend(fontsize="small", loc="upper left")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_class_uncertainty(model, grid=None, *, data=None, ax=None, title=None):
    """The uncertainty of the most probable class, 1 - max_j p(j | x), against x.

    A dotted line marks its largest possible value, 1 - 1/M (every class
    equally likely). With ``data``, a rug of ticks along the bottom shows
    where the data lie.

    Returns
    -------
    matplotlib Axes
    """
    grid = default_grid(model) if grid is None else values_1d(grid, "grid")
    ax = new_axes(ax)
    probabilities, _, _ = class_probability_bands(model, grid)
    n_components = probabilities.shape[1]
    ax.plot(grid, classification_uncertainty(probabilities), label=r"$1 - \max_j\, p(j \mid x)$",
            **MIXTURE_STYLE)
    ax.axhline(1.0 - 1.0 / n_components, color="#555555", linestyle=":",
               label=f"largest possible, $1 - 1/M$ ($M$ = {n_components})")
    if data is not None:
        data = values_1d(data, "data")
        ax.plot(data, np.full_like(data, 0.02), linestyle="none", marker="|", markersize=10,
                color=PALETTE[0], alpha=0.3, label="data")
    ax.set_xlim(grid.min(), grid.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("uncertainty of the hard label")
    ax.legend(fontsize="small", loc="upper right")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_confusion_matrix(matrix, *, ax=None, row_name="true component",
                          column_name="hard label", title=None):
    """A confusion matrix: entry (i, j) counts points of class i given label j.

    Every cell shows its count; the shading is proportional to the count
    (dark = many), in grey so that it reads without colour.

    Returns
    -------
    matplotlib Axes
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square; got shape {matrix.shape}.")
    ax = new_axes(ax, figsize=(4.8, 3.8))
    image = ax.imshow(matrix, cmap="Greys", vmin=0, vmax=max(matrix.max(), 1))
    threshold = 0.5 * matrix.max()
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, f"{count}", ha="center", va="center",
                color="white" if count > threshold else "black")
    ticks = np.arange(matrix.shape[0])
    ax.set_xticks(ticks, [str(t + 1) for t in ticks])
    ax.set_yticks(ticks, [str(t + 1) for t in ticks])
    ax.set_xlabel(column_name)
    ax.set_ylabel(row_name)
    ax.figure.colorbar(image, ax=ax, label="number of points")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_three_panels(x, model, scan, *, criteria=("aic", "bic"), bins=50, grid=None,
                      figsize=(14, 4.2)):
    """The text's three-panel figure, composed from the functions above.

    Left: the data, the mixture and its components
    (:func:`emlib.plotting.plot_mixture_fit`);
    middle: the information criteria against M
    (:func:`emlib.plotting.plot_information_criteria`); right: the class
    probabilities (:func:`plot_class_probability_bands`). Components are sorted
    by mean, so the left and right panels use the same colours.

    Returns
    -------
    figure, axes : matplotlib Figure and an array of its three Axes
    """
    x = values_1d(x, "x")
    figure, axes = plt.subplots(1, 3, figsize=figsize, layout="constrained")
    if grid is None:
        grid = np.linspace(x.min(), x.max(), 500)
    plot_mixture_fit(x, model, ax=axes[0], bins=bins, grid=grid)
    plot_information_criteria(scan, criteria, ax=axes[1])
    plot_class_probability_bands(model, grid, ax=axes[2])
    return figure, axes
