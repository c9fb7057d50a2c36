"""``Mixture``: a mixture of any component family, fitted by the one EM loop.

The E-step (eq. 2, in logs), the weight update (eq. 6), the stopping rule and
the restarts live in :mod:`emlib.em`; a *family* (:mod:`emlib.families`)
brings its log-density and its M-step.  This class only validates the input,
picks the family, starts EM and exposes the result with scikit-learn's names.

>>> from emlib import Mixture
>>> model = Mixture("poisson", n_components=2, random_state=0).fit(counts)  # doctest: +SKIP
>>> model.rates_, model.weights_                                             # doctest: +SKIP
"""

import numpy as np

from . import validation as check
from .estimator import FitPlan, MixtureEstimator
from .families import FAMILIES, Family, GaussianFamily
from .families.gaussian import gaussian_parameters
from .initialisation import RESPONSIBILITY_STARTS, starting_responsibilities


class Mixture(MixtureEstimator):
    """A finite mixture of components from one family, fitted by maximum likelihood with EM.

    Parameters
    ----------
    family : {'gaussian', 'poisson', 'exponential', 'bernoulli', 'student_t'} or Family
        The kind of component.  A name uses the family's defaults (``'gaussian'``:
        full covariances, reg_covar=1e-6); pass an object such as
        ``GaussianFamily('diag')`` or ``StudentTFamily(reg_covar=0)`` to change them.
    n_components : int, default=1
        Number of components M.
    max_iter : int, default=100
        EM iterations per start.
    tol : float, default=1e-3
        Stop when the mean per-sample ln L changes by less than ``tol``;
        ``tol=0`` runs exactly ``max_iter`` iterations.
    n_init : int, default=1
        Number of starts; the one with the highest ln L is kept.
    init_params : {'auto', 'kmeans', 'k-means++', 'random', 'random_from_data'}, default='auto'
        Starting responsibilities, followed by the family's initialisation
        (one M-step for most families).  ``'auto'`` is the family's
        ``default_init`` if it has one, else ``'kmeans'``: Student-t mixtures
        start from ``'random'``, because k-means (a least-squares method) gives
        outliers a cluster of their own, and EM then stays in that trap.
    weights_init : array-like of shape (n_components,), optional
        Starting weights.
    params_init : dict, optional
        Starting component parameters, in the family's names and shapes
        (e.g. ``{"rates": [[1.0], [5.0]]}`` for two 1-D Poisson components;
        ``{"means", "covariances"}`` for Gaussians; ``{"means", "scales",
        "dofs"}`` for Student-t).  In 1-D a (n_components,) vector is accepted.
    random_state : None, int, numpy Generator or RandomState
    verbose : int, default=0
        Print ln L after every iteration when positive.

    Attributes
    ----------
    family_ : Family
        The family object used.
    weights_ : ndarray of shape (n_components,)
    params_ : dict of ndarray
        The component parameters, first axis = component.  Each entry is also
        an attribute with a trailing underscore: ``rates_`` (Poisson,
        exponential), ``means_`` (Gaussian, Bernoulli, Student-t),
        ``covariances_`` (Gaussian), ``scales_`` and ``dofs_`` (Student-t).
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean per-sample ln L from the last iteration's E-step of the best start.
    lower_bounds_ : list of float
    log_likelihoods_ : ndarray of shape (n_iter_ + 1,)
        Total ln L at the start and after every iteration of the best start.
    n_features_in_ : int
    """

    def __init__(self, family="gaussian", n_components=1, *, max_iter=100, tol=1e-3, n_init=1,
                 init_params="auto", weights_init=None, params_init=None, random_state=None,
                 verbose=0):
        self.family = family
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.params_init = params_init
        self.random_state = random_state
        self.verbose = verbose

    # ---------------------------------------------------------------- fitting
    def _prepare(self, X, sample_weight):
        """Validate the settings and the data; the family, the data and how to start."""
        family = self._check_parameters()
        X = family.check_data(check.check_magnitude(check.check_data(X)))
        sample_weight = None if sample_weight is None else check.check_sample_weight(
            sample_weight, X.shape[0])
        reg_covar = getattr(family, "reg_covar", None)
        if reg_covar is not None:
            check.check_reg_covar_scale(X, reg_covar, name=f"the {family.name} family's reg_covar",
                                        sample_weight=sample_weight)
        n_used = X.shape[0] if sample_weight is None else int(np.count_nonzero(sample_weight))
        check.check_enough_samples(n_used, self.n_components)
        weights_init, params_init = self._check_initial_values(family, X.shape[1])
        return FitPlan(
            family, X, sample_weight,
            lambda rng: self._start(family, X, sample_weight, rng, weights_init, params_init),
            self.n_init, X.shape[1])

    def _store(self, result, plan):
        self.family_ = plan.family
        self._set_params(result.weights, result.params)

    def _check_parameters(self):
        """Validate the constructor arguments; return the family object."""
        check.check_int(self.n_components, "n_components", 1)
        check.check_int(self.max_iter, "max_iter", 0)
        check.check_float(self.tol, "tol", 0.0)
        check.check_int(self.n_init, "n_init", 1)
        check.check_choice(self.init_params, "init_params",
                           ("auto",) + tuple(RESPONSIBILITY_STARTS))
        check.check_verbose(self.verbose, "verbose")
        return make_family(self.family)

    def _check_initial_values(self, family, n_features):
        weights = params = None
        if self.weights_init is not None:
            weights = check.check_weights(self.weights_init, self.n_components)
        if self.params_init is not None:
            params = check_params_init(family, self.params_init, self.n_components, n_features)
        return weights, params

    def _start(self, family, X, sample_weight, rng, weights_init, params_init):
        """Starting weights and parameters: the user's, else responsibilities + initialise."""
        if weights_init is not None and params_init is not None:
            return weights_init, params_init
        method = self.init_params
        if method == "auto":
            method = getattr(family, "default_init", "kmeans")
        weights, resp = starting_responsibilities(method, X, self.n_components, rng,
                                                  sample_weight)
        weights = family.constrain_weights(weights)
        params = family.initialise(X, resp, rng)
        return (weights if weights_init is None else weights_init,
                params if params_init is None else params_init)

    def _set_params(self, weights, params):
        # Remove the named attributes of a previous fit (maybe of another family).
        for name in getattr(self, "params_", {}):
            delattr(self, name + "_")
        self.weights_ = weights
        self.params_ = params
        for name, value in params.items():
            setattr(self, name + "_", value)

    def _family(self):
        return self.family_

    def _params(self):
        return self.params_


def make_family(family):
    """A family object from a name in :data:`emlib.families.FAMILIES` or a Family."""
    if isinstance(family, Family):
        return family.check_settings()  # its attributes may have changed since it was built
    if isinstance(family, str):
        check.check_choice(family, "family", tuple(FAMILIES))
        return FAMILIES[family]()
    if isinstance(family, type) and issubclass(family, Family):
        raise TypeError(f"family must be a Family object, not the class itself; got "
                        f"{family.__name__}: write {family.__name__}() (with its settings).")
    raise TypeError(
        f"family must be one of {', '.join(repr(name) for name in FAMILIES)} or a Family "
        f"object (emlib.families); got {family!r:.60} (type {type(family).__name__})."
    )


def check_params_init(family, params, n_components, n_features):
    """Validate ``params_init`` for ``family``; return the full parameter dict.

    The arrays are checked for their shapes here; the family checks their
    ranges (rates > 0, probabilities in [0, 1] ...) and adds cached arrays.
    """
    if isinstance(family, GaussianFamily):
        shapes = {"means": (n_components, n_features),
                  "covariances": check.covariance_shape(family.covariance_type, n_components,
                                                        n_features)}
    elif hasattr(family, "parameter_shapes"):
        shapes = family.parameter_shapes(n_components, n_features)
    else:
        raise TypeError(f"The {family.name} family does not accept params_init.")
    if not isinstance(params, dict) or set(params) != set(shapes):
        raise ValueError(
            f"params_init for the {family.name} family must be a dict with the keys "
            f"{sorted(shapes)}; got {sorted(params) if isinstance(params, dict) else params!r:.80}."
        )
    arrays = {}
    for name, shape in shapes.items():
        values = check.check_data(params[name], name=f"params_init[{name!r}]", ensure_2d=False,
                                  any_ndim=True)
        if n_features == 1 and values.shape == (n_components,) and values.size == np.prod(shape):
            values = values.reshape(shape)  # 1-D convenience: one number per component
        if values.shape != shape:
            raise ValueError(f"params_init[{name!r}] must have shape {shape}; got {values.shape}.")
        arrays[name] = values
    if isinstance(family, GaussianFamily):
        covariances = check.check_covariance_matrices(
            arrays["covariances"], family.covariance_type, n_components, n_features,
            "params_init['covariances']")
        return gaussian_parameters(arrays["means"], covariances, family.covariance_type)
    return family.check_parameters(arrays)
