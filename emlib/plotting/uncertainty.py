"""Figures of the bootstrap (notebook 04b): parameter intervals and LR null distributions.

They draw the results of :mod:`emlib.uncertainty` and :mod:`emlib.likelihood_ratio_test`: a
:class:`~emlib.uncertainty.BootstrapResult` (refitted parameters, components
matched to the original fit) and a
:class:`~emlib.likelihood_ratio_test.LikelihoodRatioTest` (the simulated null
distribution of LR = 2 (ln L_{M+1} - ln L_M)).
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from .style import LINE_STYLES, MARKERS, MIXTURE_STYLE, PALETTE, component_style, new_axes

__all__ = ["plot_bootstrap_intervals", "plot_bootstrap_replicates", "plot_lrt_null_distributions"]

_PARAMETER_NAMES = {"weights": r"weight $\alpha_j$", "means": r"mean $\mu_j$",
                    "standard_deviations": r"width $\sigma_j$"}


def _column(result, name):
    """The replicates of one parameter as (n_replicates, n_components), first axis only."""
    values = result.replicates[name]
    return values if values.ndim == 2 else values[:, :, 0]


def _estimate(result, name):
    values = result.estimate[name]
    return values if values.ndim == 1 else values[:, 0]


def plot_bootstrap_intervals(results, *, level=0.95, truth=None, labels=None):
    """Estimate and bootstrap interval of every weight, mean and width, method by method.

    One panel per parameter kind; in each, a row per component with one
    interval per bootstrap result (e.g. non-parametric and parametric),
    drawn in the result's colour and marker.

    Parameters
    ----------
    results : BootstrapResult or list of them
    level : float
        Coverage of the percentile intervals.
    truth : dict, optional
        True ``weights``, ``means`` and ``sigmas`` (1-D arrays, components in
        the fit's order), drawn as grey crosses.
    labels : list of str, optional
        One per result (default: each result's method).

    Returns
    -------
    matplotlib Figure
    """
    if not isinstance(results, (list, tuple)):
        results = [results]
    labels = [r.method for r in results] if labels is None else list(labels)
    if len(labels) != len(results):
        raise ValueError(f"labels must have one entry per result ({len(results)}); "
                         f"got {len(labels)}.")
    n_components = results[0].estimate["weights"].shape[0]
    fig, axes = plt.subplots(1, 3, figsize=(11, 0.6 + 0.75 * n_components * len(results)),
                             layout="constrained")
    truth_names = {"weights": "weights", "means": "means", "standard_deviations": "sigmas"}
    offsets = np.linspace(-0.2, 0.2, len(results)) if len(results) > 1 else [0.0]
    for ax, name in zip(axes, ("weights", "means", "standard_deviations")):
        for r, (result, label) in enumerate(zip(results, labels)):
            lower, upper = result.confidence_intervals(level)[name]
            lower = lower if lower.ndim == 1 else lower[:, 0]
            upper = upper if upper.ndim == 1 else upper[:, 0]
            estimate = _estimate(result, name)
            rows = np.arange(n_components) + offsets[r]
            colour = PALETTE[r % len(PALETTE)]
            ax.hlines(rows, lower, upper, color=colour, linestyle=LINE_STYLES[r % len(LINE_STYLES)],
                      linewidth=2.5, label=f"{label}: {100 * level:g}% interval")
            ax.plot(estimate, rows, MARKERS[r % len(MARKERS)], color=colour, markersize=6,
                    label=f"{label}: estimate" if r == 0 else None)
        if truth is not None:
            ax.plot(np.ravel(truth[truth_names[name]]), np.arange(n_components), "x",
                    color="#555555", markersize=9, markeredgewidth=2, label="true value")
        ax.set_yticks(np.arange(n_components),
                      [f"$j$ = {j + 1}" for j in range(n_components)])
        ax.set_ylim(n_components - 0.5, -0.5)
        ax.set_xlabel(_PARAMETER_NAMES[name])
        ax.grid(axis="x", alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4),
               fontsize="small")
    return fig


def plot_bootstrap_replicates(result, x_name="means", y_name="standard_deviations", *, ax=None,
                              title=None):
    """Scatter of two parameters over the replicates, one colour per matched component.

    With components matched, each component forms its own cloud; the
    clouds' shapes show how the two parameters' errors are correlated.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax, figsize=(5.5, 4))
    xs, ys = _column(result, x_name), _column(result, y_name)
    for k in range(xs.shape[1]):
        style = component_style(k)
        ax.plot(xs[:, k], ys[:, k], MARKERS[k % len(MARKERS)], color=style["color"],
                alpha=0.35, markersize=4, label=f"component {k + 1}")
        ax.plot(_estimate(result, x_name)[k], _estimate(result, y_name)[k], "*", color="black",
                markersize=12, label="fit to the data" if k == 0 else None)
    ax.set_xlabel(_PARAMETER_NAMES[x_name])
    ax.set_ylabel(_PARAMETER_NAMES[y_name])
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_lrt_null_distributions(tests, *, bins=25, chi2_df=None):
    """The simulated null distribution of LR for each test, with the observed LR.

    Parameters
    ----------
    tests : list of LikelihoodRatioTest
    bins : int
    chi2_df : int or list of int, optional
        If given, also draw the chi-square density with these degrees of
        freedom: what the textbook theory would use, were it valid.

    Returns
    -------
    matplotlib Figure
    """
    fig, axes = plt.subplots(1, len(tests), figsize=(3.8 * len(tests), 3.2), layout="constrained",
                             squeeze=False)
    dfs = [chi2_df] * len(tests) if np.ndim(chi2_df) == 0 else list(chi2_df)
    for ax, test, df in zip(axes[0], tests, dfs):
        null = test.null_statistics
        upper = max(np.quantile(null, 0.995), test.statistic) * 1.1 + 1e-9
        clipped = test.statistic > np.quantile(null, 0.995) * 3
        ax.hist(np.clip(null, 0, None), bins=bins, range=(0, upper if not clipped else
                                                           np.quantile(null, 0.995) * 1.2),
                density=True, color="#BBBBBB", edgecolor="#777777",
                label=f"simulated under $H_0$ ({null.size})")
        if df is not None:
            grid = np.linspace(1e-3, ax.get_xlim()[1], 300)
            ax.plot(grid, stats.chi2.pdf(grid, df), color=PALETTE[2], linestyle="--",
                    label=rf"$\chi^2_{{{df}}}$ density")
        if clipped:
            ax.annotate(f"observed LR = {test.statistic:.1f} →", xy=(0.97, 0.6),
                        xycoords="axes fraction", ha="right", color=MIXTURE_STYLE["color"])
        else:
            ax.axvline(test.statistic, label=f"observed LR = {test.statistic:.2f}",
                       **MIXTURE_STYLE)
        ax.set_title(f"M = {test.n_components} vs {test.n_components + 1}: "
                     f"p = {test.p_value:.2f}")
        ax.set_xlabel(r"LR = $2(\ln L_{M+1} - \ln L_M)$")
        ax.set_ylabel("density")
        ax.legend(fontsize="x-small")
    return fig
