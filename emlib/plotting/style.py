"""One look for every figure: a colour-blind-safe palette, line styles and labels.

The colours are Paul Tol's "bright" scheme, which stays distinguishable
under the common forms of colour blindness; every curve also gets its own
line style, so figures still read in greyscale print.
"""

import itertools

import matplotlib.pyplot as plt

__all__ = ["DATA_STYLE", "LINE_STYLES", "MIXTURE_STYLE", "PALETTE", "component_style",
           "component_styles", "new_axes"]

#: Paul Tol's bright palette (blue, red, green, yellow, cyan, purple, grey).
PALETTE = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
#: Line styles cycled alongside the colours.
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
#: Colour and style of the total mixture density, distinct from any component.
MIXTURE_STYLE = {"color": "black", "linestyle": "-", "linewidth": 2.0}
#: Fill for histograms of the data.
DATA_STYLE = {"color": "#BBBBBB", "edgecolor": "#777777", "alpha": 0.6}


def component_style(index):
    """Colour and line style of component ``index`` (0-based)."""
    return {"color": PALETTE[index % len(PALETTE)],
            "linestyle": LINE_STYLES[index % len(LINE_STYLES)]}


def component_styles(n_components):
    return [component_style(k) for k in range(n_components)]


def new_axes(ax=None, figsize=(6, 4)):
    """Return ``ax``, or a fresh axes on a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def style_cycle():
    """An iterator of (colour, line style) pairs for curves that are not components."""
    return itertools.cycle(zip(PALETTE, LINE_STYLES))
