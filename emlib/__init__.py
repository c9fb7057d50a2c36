"""emlib: maximum-likelihood Gaussian mixtures and the EM algorithm, written to be read.

The equations of the course live in small modules named after what they are:

- :mod:`emlib.likelihood`: the mixture density and ln L (eq. 1), class
  probabilities (eq. 2), the weight update (eq. 6);
- :mod:`emlib.gaussian`: Gaussian log-densities and the mean and covariance
  updates (eqs. 4-5);
- :mod:`emlib.initialisation`: where EM starts;
- :mod:`emlib.em`: the EM loop shared by every kind of mixture;
- :mod:`emlib.information_criteria`: parameter counts, AIC, BIC, ICL;
- :mod:`emlib.model_selection`: scanning the number of components.

:class:`GaussianMixture` puts them together with scikit-learn's interface.
"""

from .em import ConvergenceWarning
from .gaussian import DegenerateComponentError
from .gaussian_mixture import GaussianMixture
from .mixture import Mixture
from .model_selection import ModelScan, scan_models
from .xdgmm import XDGMM

__all__ = ["ConvergenceWarning", "DegenerateComponentError", "GaussianMixture", "Mixture",
           "ModelScan", "scan_models", "XDGMM"]
__version__ = "0.1.0"
