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
from .multivariate import *  # noqa: E402,F401,F403  (notebook 07: ellipses, classification, uncertainty, covariance types)
from .densities import *  # noqa: E402,F401,F403  (notebooks 01-03: 1-D fits, p(j|x), ln L traces)
from .selection import *  # noqa: E402,F401,F403  (notebook 04: AIC/BIC/ICL against M)
from .classification import *  # noqa: E402,F401,F403  (notebook 05: class probabilities, three-panel figure)
from .deconvolution import *  # noqa: E402,F401,F403  (notebook 06: measurement errors, extreme deconvolution)
from .families import *  # noqa: E402,F401,F403  (notebook 08: counts, waiting times, binary images, outliers)
from .interactive import *  # noqa: E402,F401,F403  (notebook 09: EM path, one state or small multiples)
from .uncertainty import *  # noqa: E402,F401,F403  (notebook 04b: bootstrap intervals, LR null distributions)
