"""One look for every figure: a colour-blind-safe palette, line styles, markers and labels.

The colours are Paul Tol's "bright" scheme, which stays distinguishable
under the common forms of colour blindness; every curve also gets its own
line style (and every point set its own marker), so figures still read in
greyscale print.

Importing this module also raises matplotlib's figure resolution to at least
:data:`FIGURE_DPI` (``figure.dpi``, which the inline backend of JupyterLab and
of the website uses for its PNGs, and ``savefig.dpi``): a reader who zooms in
or a screen magnifier sees sharp lines and labels. A higher setting made by
the user is left as it is.
"""

import matplotlib
import matplotlib.pyplot as plt

__all__ = ["DATA_STYLE", "FIGURE_DPI", "LINE_STYLES", "MARKERS", "MIXTURE_STYLE", "PALETTE",
           "REFERENCE_STYLE", "component_style", "label_plane_axes", "new_axes"]

#: The least resolution (dots per inch) of every figure, on screen and saved.
FIGURE_DPI = 150

#: Paul Tol's bright palette (blue, red, green, yellow, cyan, purple, grey).
PALETTE = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
#: Line styles cycled alongside the colours.
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
#: Markers cycled alongside the colours, for points and for curves with markers.
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
#: Colour and style of the total mixture density, distinct from any component.
MIXTURE_STYLE = {"color": "black", "linestyle": "-", "linewidth": 2.0}
#: How the true (or any reference) density is drawn: thin, grey, dotted.
REFERENCE_STYLE = {"color": "#555555", "linestyle": ":", "linewidth": 1.5}
#: Fill for histograms of the data.
DATA_STYLE = {"color": "#BBBBBB", "edgecolor": "#777777", "alpha": 0.6}


def component_style(index):
    """Colour and line style of component ``index`` (0-based)."""
    return {"color": PALETTE[index % len(PALETTE)],
            "linestyle": LINE_STYLES[index % len(LINE_STYLES)]}


def new_axes(ax=None, figsize=(6, 4)):
    """Return ``ax``, or a fresh axes on a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def label_plane_axes(ax, title=None, **title_options):
    """Label the axes of a 2-D data plot x1 and x2, at equal scale (circles stay round)."""
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title, **title_options)
    return ax


def _raise_figure_resolution(dpi=FIGURE_DPI):
    """Raise matplotlib's ``figure.dpi`` and ``savefig.dpi`` to at least ``dpi``.

    Only figures created afterwards are affected. ``savefig.dpi`` left at
    matplotlib's ``"figure"`` follows ``figure.dpi`` already and is kept.
    """
    if matplotlib.rcParams["figure.dpi"] < dpi:
        matplotlib.rcParams["figure.dpi"] = dpi
    saved = matplotlib.rcParams["savefig.dpi"]
    if saved != "figure" and saved < dpi:
        matplotlib.rcParams["savefig.dpi"] = dpi


_raise_figure_resolution()
