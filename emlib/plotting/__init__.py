"""Every figure the course shows, so notebook cells stay one line long.

Functions take data or a fitted model and an optional matplotlib ``ax``, and
return the axes (or figure) they drew on. Components are drawn in a canonical
order (sorted by mean), with the palette and line styles of
:mod:`emlib.plotting.style`, so colours never depend on the fit's labelling.
"""

from .style import (
    DATA_STYLE,
    LINE_STYLES,
    MIXTURE_STYLE,
    PALETTE,
    component_style,
    component_styles,
    new_axes,
)

__all__ = ["DATA_STYLE", "LINE_STYLES", "MIXTURE_STYLE", "PALETTE", "component_style",
           "component_styles", "new_axes"]

# Topic modules add their functions below (one import line each).
