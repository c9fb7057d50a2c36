"""Figures of 1-D mixtures: densities over a histogram, class probabilities, ln L traces.

Every function takes the mixture as a fitted model on one feature or as a
tuple ``(weights, means, sigmas)`` of standard deviations (the forms
:func:`emlib.plotting.components.mixture_parameters` accepts), and draws its
components sorted by mean, so colours do not depend on the fit's labelling.
"""

import matplotlib.pyplot as plt
import numpy as np

from .components import default_grid, mixture_density_curves, responsibility_curves, values_1d
from .style import DATA_STYLE, MIXTURE_STYLE, REFERENCE_STYLE, component_style, new_axes

__all__ = ["plot_fit_snapshots", "plot_log_likelihood_profile", "plot_log_likelihood_traces",
           "plot_mixture_fit", "plot_responsibilities"]


def _component_label(k):
    j = k + 1
    return rf"$\alpha_{j}\,\mathcal{{N}}(x \mid \mu_{j}, \sigma_{j})$"


def plot_mixture_fit(x=None, model=None, *, ax=None, bins=50, components=True, truth=None,
                     labels=None, grid=None, legend=True, title=None):
    """Histogram of the data, the mixture density (eq. 1) and its weighted components.

    Parameters
    ----------
    x : array-like of shape (n_samples,), optional
        Data, drawn as a density-normalised histogram.
    model : fitted GaussianMixture or (weights, means, sigmas), optional
    ax : matplotlib Axes, optional
    bins : int
    components : bool
        Draw alpha_j N(x | mu_j, sigma_j) for every component.
    truth : fitted model or (weights, means, sigmas), optional
        A reference mixture (e.g. the true one), drawn dotted grey.
    labels : array-like of int, optional
        Class labels of ``x`` (0, 1, ...): the histogram is then stacked by
        class, each class in its component's colour.
    grid : array-like, optional
        Where to evaluate the curves (default: the data and +-4 sigma).
    legend : bool
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    reference = model if model is not None else truth
    if x is None and reference is None:
        raise ValueError("plot_mixture_fit needs data x, a model or a truth to draw; got none.")
    if x is not None:
        x = values_1d(x, "x")
    if labels is not None and (x is None or np.size(labels) != np.size(x)):
        raise ValueError("labels must give one class per sample of x.")
    ax = new_axes(ax)
    if grid is None:
        grid = default_grid(reference, x) if reference is not None else np.linspace(
            np.min(x), np.max(x), 600)
    if x is not None:
        if labels is None:
            ax.hist(x, bins=bins, density=True, label="data", **DATA_STYLE)
        else:
            labels = np.asarray(labels)
            classes = np.unique(labels)
            ax.hist([x[labels == c] for c in classes], bins=bins, density=True, stacked=True,
                    color=[component_style(int(c))["color"] for c in classes], alpha=0.45,
                    label=[f"data of class {int(c) + 1}" for c in classes])
    if truth is not None:
        ax.plot(grid, mixture_density_curves(grid, truth)[0], label="true density",
                **REFERENCE_STYLE)
    if model is not None:
        total, parts = mixture_density_curves(grid, model)
        if components:
            for k, part in enumerate(parts):
                ax.plot(grid, part, label=_component_label(k), linewidth=1.5,
                        **component_style(k))
        ax.plot(grid, total, label="mixture $p(x)$", **MIXTURE_STYLE)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small")
    return ax


def plot_responsibilities(model, *, grid=None, ax=None, data=None, show_sum=False,
                             legend=True, title=None):
    """p(j | x) (eq. 2) of every component as a function of x.

    Parameters
    ----------
    model : fitted GaussianMixture or (weights, means, sigmas)
    grid : array-like, optional
    ax : matplotlib Axes, optional
    data : array-like, optional
        Samples, drawn as a rug below the curves.
    show_sum : bool
        Also draw sum_j p(j | x), which must be 1 everywhere.
    legend : bool
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax)
    if grid is None:
        grid = default_grid(model, data)
    curves = responsibility_curves(grid, model)
    for k, curve in enumerate(curves):
        ax.plot(grid, curve, label=rf"$p(j={k + 1} \mid x)$", linewidth=2,
                **component_style(k))
    if show_sum:
        ax.plot(grid, curves.sum(axis=0), label=r"$\sum_j p(j \mid x)$", **MIXTURE_STYLE)
    if data is not None:
        data = values_1d(data, "data")
        ax.plot(data, np.full(data.shape, -0.04), "|", color="#777777", markersize=6,
                alpha=0.5, label="data")
    ax.set_ylim(-0.08, 1.08)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"class probability $p(j \mid x)$")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small")
    return ax


def plot_log_likelihood_traces(traces, *, labels=None, ax=None, maximum=None,
                               log_iterations=False, title=None):
    """ln L after every EM iteration, for one or several runs.

    Parameters
    ----------
    traces : array-like of shape (n_iter + 1,), or a list of them
        ln L at the start (iteration 0) and after each iteration, e.g.
        ``GaussianMixture.log_likelihoods_``.
    labels : list of str, optional
        One per trace.
    ax : matplotlib Axes, optional
    maximum : float, optional
        If given, plot the gap ln L_max - ln L on a logarithmic axis instead,
        which shows how fast the runs approach that maximum.
    log_iterations : bool
        Logarithmic iteration axis (iteration 0 is then left out).
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax)
    if np.ndim(traces[0]) == 0:  # a single trace
        traces = [traces]
    if labels is not None and len(labels) != len(traces):
        raise ValueError(f"labels must have one entry per trace ({len(traces)}); "
                         f"got {len(labels)}.")
    for k, trace in enumerate(traces):
        trace = np.asarray(trace, dtype=float)
        values = trace if maximum is None else maximum - trace
        if maximum is not None:
            values = np.where(values > 0, values, np.nan)  # a log axis cannot show <= 0
        iterations = np.arange(trace.size)
        if log_iterations:
            iterations, values = iterations[1:], values[1:]
        ax.plot(iterations, values, label=None if labels is None else labels[k],
                linewidth=1.5, **component_style(k))
    if maximum is not None:
        ax.set_yscale("log")
        ax.set_ylabel(r"$\ln L_{\max} - \ln L$")
    else:
        ax.set_ylabel(r"$\ln L$")
    if log_iterations:
        ax.set_xscale("log")
    ax.set_xlabel("EM iteration")
    if title:
        ax.set_title(title)
    if labels is not None:
        ax.legend(fontsize="small")
    return ax


def plot_fit_snapshots(x, models, *, titles=None, truth=None, ncols=3, bins=40,
                       panel_size=(3.3, 2.5)):
    """Small multiples: the same data under several mixtures (e.g. EM iterations).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    models : list of fitted models or (weights, means, sigmas) tuples
    titles : list of str, optional
    truth : model or (weights, means, sigmas), optional
        Drawn dotted grey in every panel.
    ncols : int
    bins : int
    panel_size : (width, height) of one panel in inches

    Returns
    -------
    matplotlib Figure
    """
    if titles is not None and len(titles) != len(models):
        raise ValueError(f"titles must have one entry per model ({len(models)}); "
                         f"got {len(titles)}.")
    nrows = -(-len(models) // ncols)
    ncols = min(ncols, len(models))
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                             figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             layout="constrained")
    grid = np.linspace(np.min(x), np.max(x), 400)
    for k, ax in enumerate(axes.flat):
        if k >= len(models):
            ax.set_visible(False)
            continue
        plot_mixture_fit(x, models[k], ax=ax, bins=bins, truth=truth, grid=grid,
                         legend=False, title=None if titles is None else titles[k])
        if k % ncols:
            ax.set_ylabel("")
        if k < len(models) - ncols:
            ax.set_xlabel("")
        else:  # the lowest visible panel of its column shows the x ticks
            ax.xaxis.set_tick_params(labelbottom=True)
    legend = {}  # every label once, from whichever panel drew it first
    for ax in axes.flat[:len(models)]:
        for handle, name in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(name, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center",
               ncols=min(len(legend), 4), fontsize="small")
    return fig


def plot_log_likelihood_profile(values, log_likelihoods, *, maximum=None, ax=None,
                                xlabel="parameter", truth=None, drop=0.5, title=None):
    """A profile of ln L: its maximum over the other parameters, against one parameter.

    Parameters
    ----------
    values : array-like
        The values the chosen parameter was held at.
    log_likelihoods : array-like
        The maximum of ln L over all other parameters at each value.
    maximum : float, optional
        The overall maximum; the curve is drawn relative to it (default: the
        largest of ``log_likelihoods``).
    ax : matplotlib Axes, optional
    xlabel : str
    truth : float, optional
        The true value of the parameter, marked by a vertical line.
    drop : float or None
        Draw a horizontal line this far below the maximum (1/2 marks the
        usual approximate 68% likelihood interval).
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax)
    log_likelihoods = np.asarray(log_likelihoods, dtype=float)
    maximum = np.max(log_likelihoods) if maximum is None else maximum
    ax.plot(values, log_likelihoods - maximum, marker="o", markersize=3,
            label=r"profile $\ln L - \ln L_{\max}$", **MIXTURE_STYLE)
    if drop is not None:
        ax.axhline(-drop, label=f"{drop:g} below the maximum", **component_style(1))
    if truth is not None:
        ax.axvline(truth, label="true value", **REFERENCE_STYLE)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\ln L - \ln L_{\max}$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
