"""emlib: maximum-likelihood Gaussian mixtures and the EM algorithm, written to be read.

The equations of the course live in small modules named after what they are:

- :mod:`emlib.likelihood`: the mixture density and ln L (eq. 1), class
  probabilities (eq. 2), the weight update (eq. 6), the EM lower bound;
- :mod:`emlib.gaussian`: Gaussian log-densities and the mean and covariance
  updates (eqs. 4-5), also as sums over samples (sufficient statistics);
- :mod:`emlib.initialisation`: where EM starts;
- :mod:`emlib.em`: the EM loop shared by every kind of mixture, and
  :mod:`emlib.backends`: its pass over the data (in memory, in chunks; dask
  in :mod:`emlib.backends_dask`, with ``emlib[scale]``);
- :mod:`emlib.families`: what each kind of component brings to the loop;
- :mod:`emlib.information_criteria`: parameter counts, AIC, BIC, ICL;
- :mod:`emlib.model_selection`: scanning the number of components;
- :mod:`emlib.deconvolution`: measurement errors (eq. 7 and XD);
- :mod:`emlib.uncertainty` and :mod:`emlib.likelihood_ratio_test`: the bootstrap.

:class:`GaussianMixture`, :class:`Mixture` and :class:`XDGMM` put them
together with scikit-learn's interface, on one base (:mod:`emlib.estimator`).
"""

from .em import ConvergenceWarning
from .gaussian import DegenerateComponentError
from .likelihood import ZeroDensityError
from .validation import ScaleWarning
from .gaussian_mixture import GaussianMixture
from .mixture import Mixture
from .model_selection import ModelScan, scan_models
from .xdgmm import XDGMM

__all__ = ["ConvergenceWarning", "DegenerateComponentError", "GaussianMixture", "Mixture",
           "ModelScan", "ScaleWarning", "scan_models", "XDGMM", "ZeroDensityError"]
__version__ = "0.1.0"
