"""Component families: what each kind of mixture component brings to the EM loop.

A family holds settings only, never data, and has these methods (see
:mod:`emlib.families.base`):

- ``check_data(X)``: refuse data outside the family's support;
- ``log_densities(X, params)``: ln p_j(x_i | theta_j), shape (n_samples, n_components);
  ``e_step_terms(X, params)`` returns them with any per-sample quantity the
  statistics reuse;
- ``statistics(X, responsibilities, params, reuse)``: sums over the samples,
  weighted by the responsibilities (they add up over chunks of the data);
- ``parameters(statistics, counts, params)``: the M-step from those sums
  (``maximise(X, responsibilities, params)`` does both in memory);
- ``initialise(X, responsibilities, rng)``: parameters from starting responsibilities;
- ``n_parameters(params)``: free parameters of the components (weights not included);
- ``sample(rng, params, component, n_samples)``: draws from one component.

``params`` is a dict of arrays whose first axis runs over components.
"""

from .base import Family
from .gaussian import GaussianFamily
from .bernoulli import BernoulliFamily
from .exponential import ExponentialFamily
from .poisson import PoissonFamily
from .student_t import StudentTFamily

#: The families :class:`emlib.Mixture` knows by name.
FAMILIES = {
    "gaussian": GaussianFamily,
    "poisson": PoissonFamily,
    "exponential": ExponentialFamily,
    "bernoulli": BernoulliFamily,
    "student_t": StudentTFamily,
}

__all__ = ["FAMILIES", "BernoulliFamily", "ExponentialFamily", "Family", "GaussianFamily",
           "PoissonFamily", "StudentTFamily"]
