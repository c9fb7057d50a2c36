"""Figures of an EM path (:func:`emlib.interactive.em_path`): one state, or small multiples.

:func:`plot_em_state` draws what :class:`emlib.interactive.EMExplorer` shows
at one iteration; :func:`plot_em_small_multiples` draws several iterations
side by side, the static version of the same story for print and the website.
"""

import matplotlib.pyplot as plt
import numpy as np

from .classification import plot_class_probability_bands
from .densities import plot_mixture_fit
from .style import MIXTURE_STYLE, new_axes

__all__ = ["plot_em_log_likelihood", "plot_em_small_multiples", "plot_em_state"]


def _grid(x, path, n_points=400):
    """One x grid for every iteration, so the panels can be compared."""
    low, high = np.min(x), np.max(x)
    pad = 0.05 * (high - low)
    return np.linspace(low - pad, high + pad, n_points)


def plot_em_log_likelihood(path, iteration=None, *, ax=None, marks=()):
    """ln L against the iteration, up to ``iteration`` (default: the whole path).

    The axes' limits always cover the whole path, so the curve grows into a
    fixed frame as the iterations go by.  ``marks`` are iterations to circle
    (e.g. the panels of the small multiples).

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax)
    values = path.log_likelihoods
    last = path.n_iter if iteration is None else iteration
    steps = np.arange(last + 1)
    ax.plot(steps, values[:last + 1], marker="o", markersize=3, **MIXTURE_STYLE)
    for mark in marks:
        ax.plot(mark, values[mark], "o", markersize=8, markerfacecolor="none",
                markeredgecolor="#EE6677", markeredgewidth=1.5)
    span = values.max() - values.min()
    pad = 0.05 * span if span > 0 else 1.0
    ax.set_xlim(-0.5, path.n_iter + 0.5)
    ax.set_ylim(values.min() - pad, values.max() + pad)
    ax.set_xlabel("EM iteration")
    ax.set_ylabel(r"$\ln L$")
    return ax


def plot_em_state(x, path, iteration, *, axes=None, bins=40, grid=None):
    """Three panels for one iteration of an EM path.

    Left: histogram of ``x`` with the current mixture and its weighted
    components.  Middle: the class-probability bands p(j | x) (eq. 2).
    Right: ln L so far.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    path : EMPath
    iteration : int
    axes : sequence of three matplotlib Axes, optional
    bins : int
    grid : array-like, optional

    Returns
    -------
    the three Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained",
                               gridspec_kw={"width_ratios": [1.2, 1.0, 0.9]})
    x = np.asarray(x, dtype=float).ravel()
    grid = _grid(x, path) if grid is None else grid
    mixture = path.mixture(iteration)
    fit_ax, band_ax, trace_ax = axes
    plot_mixture_fit(x, mixture, ax=fit_ax, bins=bins, grid=grid, legend=True,
                     title=f"iteration {iteration}")
    fit_ax.legend(fontsize="x-small", loc="upper left")
    plot_class_probability_bands(mixture, grid, ax=band_ax, title="class probabilities")
    plot_em_log_likelihood(path, iteration, ax=trace_ax)
    trace_ax.set_title(rf"$\ln L$ = {path.log_likelihoods[iteration]:.1f}")
    return axes


def plot_em_small_multiples(x, path, iterations, *, bins=30, panel_size=(2.4, 1.9)):
    """Several iterations of an EM path side by side: the static form of the explorer.

    Top row: histogram and mixture at each chosen iteration; middle row: its
    class-probability bands; bottom: ln L over the whole path, with the chosen
    iterations circled.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    path : EMPath
    iterations : sequence of int
        Iterations to show, each in [0, path.n_iter].
    bins : int
    panel_size : (width, height) of one small panel in inches

    Returns
    -------
    matplotlib Figure
    """
    iterations = [int(i) for i in iterations]
    for i in iterations:
        if not 0 <= i <= path.n_iter:
            raise ValueError(f"iterations must lie in [0, {path.n_iter}]; got {i}.")
    x = np.asarray(x, dtype=float).ravel()
    n = len(iterations)
    width, height = panel_size
    # A fixed grid (no constrained layout): drawing stays fast with many panels.
    fig = plt.figure(figsize=(width * n + 1.6, 2 * height + 2.6))
    rows = fig.add_gridspec(3, n, height_ratios=[height, height, 1.9], left=0.06,
                            right=1 - 1.4 / (width * n + 1.6), bottom=0.08, top=0.95,
                            hspace=0.55, wspace=0.12)
    fit_axes = [fig.add_subplot(rows[0, k]) for k in range(n)]
    band_axes = [fig.add_subplot(rows[1, k]) for k in range(n)]
    grid = _grid(x, path)
    for k, i in enumerate(iterations):
        mixture = path.mixture(i)
        plot_mixture_fit(x, mixture, ax=fit_axes[k], bins=bins, grid=grid, legend=False,
                         title=f"iteration {i}")
        plot_class_probability_bands(mixture, grid, ax=band_axes[k], label_bands=False)
        if k:
            for ax in (fit_axes[k], band_axes[k]):
                ax.set_ylabel("")
                ax.tick_params(labelleft=False)
    top = max(ax.get_ylim()[1] for ax in fit_axes)
    for ax in fit_axes:
        ax.set_ylim(0, top)
    handles, names = fit_axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper right", bbox_to_anchor=(1.0, 0.95),
               fontsize="x-small")
    band_handles = [plt.Rectangle((0, 0), 1, 1, facecolor=patch.get_facecolor(),
                                  hatch=patch.get_hatch(), edgecolor="white")
                    for patch in band_axes[0].collections]
    fig.legend(band_handles, [f"$j$ = {j + 1}" for j in range(len(band_handles))],
               loc="center right", bbox_to_anchor=(1.0, 0.55), fontsize="x-small")
    trace_ax = fig.add_subplot(rows[2, :])
    plot_em_log_likelihood(path, ax=trace_ax, marks=iterations)
    trace_ax.set_title(rf"$\ln L$ over all {path.n_iter} iterations (circles: the panels above)",
                       fontsize="medium")
    return fig
