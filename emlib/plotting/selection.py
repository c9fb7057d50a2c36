"""Figures for choosing the number of components: AIC, BIC and ICL against M.

The functions take the :class:`emlib.ModelScan` that :func:`emlib.scan_models`
returns. Every criterion is *smaller is better* (as in scikit-learn), and the
smallest value of each criterion is circled, so the chosen M can be read off
the figure.
"""

import numpy as np

from ..model_selection import CRITERIA
from .style import LINE_STYLES, MARKERS, PALETTE, new_axes

__all__ = ["CRITERION_NAMES", "plot_information_criteria", "plot_criterion_differences"]

#: How each criterion is written on axes and in legends.
CRITERION_NAMES = {"aic": "AIC", "bic": "BIC", "icl": "ICL"}


def _check_criteria(criteria):
    criteria = (criteria,) if isinstance(criteria, str) else tuple(criteria)
    if not criteria:
        raise ValueError("criteria must name at least one of 'aic', 'bic', 'icl'; got none.")
    for criterion in criteria:
        if criterion not in CRITERIA:
            raise ValueError(f"criteria must be among {CRITERIA}; got {criterion!r}.")
    return criteria


def _scan_covariance_types(scan, covariance_types):
    present = list(dict.fromkeys(row["covariance_type"] for row in scan.rows))
    if covariance_types is None:
        return present
    covariance_types = ((covariance_types,) if isinstance(covariance_types, str)
                        else tuple(covariance_types))
    for kind in covariance_types:
        if kind not in present:
            raise ValueError(f"covariance_types: the scan has no {kind!r} fits; it has {present}.")
    return list(covariance_types)


def _curve_style(criterion_index, type_index, several_types):
    """One criterion, one type: colour and line style by criterion.

    Several types: colour and marker by covariance type, line style by
    criterion, so both can be told apart without colour.
    """
    if several_types:
        return {"color": PALETTE[type_index % len(PALETTE)],
                "marker": MARKERS[type_index % len(MARKERS)],
                "linestyle": LINE_STYLES[criterion_index % len(LINE_STYLES)]}
    return {"color": PALETTE[criterion_index % len(PALETTE)],
            "marker": MARKERS[criterion_index % len(MARKERS)],
            "linestyle": LINE_STYLES[criterion_index % len(LINE_STYLES)]}


def plot_information_criteria(scan, criteria=("aic", "bic"), *, covariance_types=None, ax=None,
                              mark_best=True, title=None):
    """Information criteria against the number of components M.

    Parameters
    ----------
    scan : emlib.ModelScan
        From :func:`emlib.scan_models`.
    criteria : str or sequence of {'aic', 'bic', 'icl'}
    covariance_types : str or sequence of str, optional
        Which covariance types of the scan to draw (default: all of them).
        With one type the curves are coloured by criterion; with several,
        by covariance type, and the line style tells the criteria apart.
    ax : matplotlib Axes, optional
    mark_best : bool
        Circle the smallest value of each criterion (over the types drawn)
        and name its M in the legend.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    criteria = _check_criteria(criteria)
    kinds = _scan_covariance_types(scan, covariance_types)
    several = len(kinds) > 1
    ax = new_axes(ax)
    for c, criterion in enumerate(criteria):
        best = None
        for t, kind in enumerate(kinds):
            m_values = scan.column("n_components", kind)
            values = scan.column(criterion, kind)
            label = CRITERION_NAMES[criterion] + (f" ({kind})" if several else "")
            ax.plot(m_values, values, label=label, markersize=5,
                    **_curve_style(c, t, several))
            i = int(np.argmin(values))
            if best is None or values[i] < best[1]:
                best = (m_values[i], values[i], kind)
        if mark_best:
            where = f", {best[2]}" if several else ""
            ax.plot(best[0], best[1], linestyle="none", marker="o", markersize=14,
                    markerfacecolor="none", markeredgecolor="black", markeredgewidth=1.5,
                    label=f"smallest {CRITERION_NAMES[criterion]}: M = {best[0]}{where}")
    all_m = sorted(set(scan.column("n_components")))
    ax.set_xticks(all_m)
    ax.set_xlabel("number of components $M$")
    ax.set_ylabel("information criterion (smaller is better)")
    ax.legend(fontsize="small")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_criterion_differences(scan, criteria=("aic", "bic"), *, covariance_type=None, ax=None,
                               symlog=False, title=None):
    """Each criterion minus its smallest value, against M.

    The absolute values of AIC and BIC are large and close together; their
    differences from the best model show how decisively a criterion chooses
    (a difference of a few units is weak evidence, tens of units strong).

    Parameters
    ----------
    scan : emlib.ModelScan
    criteria : str or sequence of {'aic', 'bic', 'icl'}
    covariance_type : str, optional
        Needed only when the scan has several covariance types.
    ax : matplotlib Axes, optional
    symlog : bool
        A y axis that is linear from 0 to 1 and logarithmic above, so that
        differences of a few units and of hundreds both show.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    criteria = _check_criteria(criteria)
    kinds = _scan_covariance_types(scan, covariance_type)
    if len(kinds) != 1:
        raise ValueError(f"covariance_type: the scan has several covariance types {kinds}; "
                         "name the one to draw.")
    kind = kinds[0]
    ax = new_axes(ax)
    m_values = scan.column("n_components", kind)
    for c, criterion in enumerate(criteria):
        values = scan.column(criterion, kind)
        ax.plot(m_values, values - values.min(), label=f"{CRITERION_NAMES[criterion]} - min",
                markersize=5, **_curve_style(c, 0, False))
    ax.axhline(0.0, color="black", linewidth=0.8)
    if symlog:
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xticks(m_values)
    ax.set_xlabel("number of components $M$")
    ax.set_ylabel(r"$\Delta$ criterion (0 = chosen $M$)")
    ax.legend(fontsize="small")
    if title is not None:
        ax.set_title(title)
    return ax
