"""Every figure the course shows, so notebook cells stay one line long.

Functions take data or a fitted model and an optional matplotlib ``ax``, and
return the axes (or figure) they drew on. Components are drawn in a canonical
order (sorted by mean), with the palette and line styles of
:mod:`emlib.plotting.style`, so colours never depend on the fit's labelling.

The modules, by topic:

- :mod:`~emlib.plotting.style`: palette, line styles, markers, axes;
- :mod:`~emlib.plotting.components`: a fitted mixture as 1-D curves, a
  covariance as an ellipse (the numbers every figure draws);
- :mod:`~emlib.plotting.densities`: 1-D fits, class probabilities, ln L;
- :mod:`~emlib.plotting.classification`: a 1-D mixture as a classifier;
- :mod:`~emlib.plotting.selection`: AIC, BIC and ICL against M;
- :mod:`~emlib.plotting.uncertainty`: the bootstrap and the LR test;
- :mod:`~emlib.plotting.deconvolution`: measurement errors, extreme deconvolution;
- :mod:`~emlib.plotting.multivariate`: mixtures in two dimensions;
- :mod:`~emlib.plotting.families`: non-Gaussian mixtures;
- :mod:`~emlib.plotting.interactive`: an EM path, one state or small multiples.
"""

from .classification import (BAND_HATCHES, class_probability_bands, plot_class_probability_bands,
                             plot_class_uncertainty, plot_confusion_matrix, plot_three_panels)
from .components import (ELLIPSE_LINE_STYLES, classification_uncertainty, covariance_ellipse,
                         default_grid, draw_covariance_ellipses, ellipse_axes,
                         ellipse_legend_handles, mixture_density_curves, mixture_parameters,
                         responsibility_curves)
from .deconvolution import (plot_deconvolution, plot_eq7_residual, plot_error_ellipses,
                            plot_intrinsic_components)
from .densities import (plot_fit_snapshots, plot_log_likelihood_profile,
                        plot_log_likelihood_traces, plot_mixture_fit, plot_responsibilities)
from .families import (gaussian_mixture_cdf, gaussian_mixture_count_probabilities,
                       plot_binary_images, plot_count_fit, plot_outlier_fits, plot_prototypes,
                       plot_waiting_time_fit)
from .interactive import plot_em_log_likelihood, plot_em_small_multiples, plot_em_state
from .multivariate import (annotate_component_numbers, plot_classification,
                           plot_covariance_ellipses, plot_covariance_types, plot_mixture,
                           plot_model, plot_points, plot_responsibility_colours,
                           plot_uncertainty)
from .selection import CRITERION_NAMES, plot_criterion_differences, plot_information_criteria
from .style import (DATA_STYLE, LINE_STYLES, MARKERS, MIXTURE_STYLE, PALETTE, REFERENCE_STYLE,
                    component_style, label_plane_axes, new_axes)
from .uncertainty import (plot_bootstrap_intervals, plot_bootstrap_replicates,
                          plot_lrt_null_distributions)

__all__ = [
    # style
    "DATA_STYLE", "LINE_STYLES", "MARKERS", "MIXTURE_STYLE", "PALETTE", "REFERENCE_STYLE",
    "component_style", "label_plane_axes", "new_axes",
    # components: the numbers behind the curves and ellipses
    "ELLIPSE_LINE_STYLES", "classification_uncertainty", "covariance_ellipse", "default_grid",
    "draw_covariance_ellipses", "ellipse_axes", "ellipse_legend_handles", "mixture_density_curves",
    "mixture_parameters", "responsibility_curves",
    # 1-D figures
    "plot_fit_snapshots", "plot_log_likelihood_profile", "plot_log_likelihood_traces",
    "plot_mixture_fit", "plot_responsibilities",
    "BAND_HATCHES", "class_probability_bands", "plot_class_probability_bands",
    "plot_class_uncertainty", "plot_confusion_matrix", "plot_three_panels",
    "CRITERION_NAMES", "plot_criterion_differences", "plot_information_criteria",
    "plot_bootstrap_intervals", "plot_bootstrap_replicates", "plot_lrt_null_distributions",
    "plot_deconvolution", "plot_eq7_residual", "plot_error_ellipses", "plot_intrinsic_components",
    "plot_em_log_likelihood", "plot_em_small_multiples", "plot_em_state",
    # 2-D figures
    "annotate_component_numbers", "plot_classification", "plot_covariance_ellipses",
    "plot_covariance_types", "plot_mixture", "plot_model", "plot_points",
    "plot_responsibility_colours", "plot_uncertainty",
    # non-Gaussian families
    "gaussian_mixture_cdf", "gaussian_mixture_count_probabilities", "plot_binary_images",
    "plot_count_fit", "plot_outlier_fits", "plot_prototypes", "plot_waiting_time_fit",
]
