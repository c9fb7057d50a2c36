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

# Each topic module lists its public functions in its own __all__.
from . import (classification, deconvolution, densities, families, interactive, multivariate,
               selection, style, uncertainty)
from .multivariate import *  # noqa: E402,F401,F403
from .densities import *  # noqa: E402,F401,F403
from .selection import *  # noqa: E402,F401,F403
from .classification import *  # noqa: E402,F401,F403
from .deconvolution import *  # noqa: E402,F401,F403
from .families import *  # noqa: E402,F401,F403
from .interactive import *  # noqa: E402,F401,F403
from .uncertainty import *  # noqa: E402,F401,F403

__all__ = sorted({name for module in (style, multivariate, densities, selection, classification,
                                      deconvolution, families, interactive, uncertainty)
                  for name in getattr(module, "__all__", [])})
