"""The interface every component family implements."""

import numpy as np


def check_entries(X, bad, family_name, requirement, kind):
    """Return X, or raise ValueError if the boolean mask BAD marks any entry of X.

    The message says what the family models (REQUIREMENT), how many entries of
    X are of the offending KIND, and where the first one is.
    """
    where = np.argwhere(bad)
    if where.size:
        row, column = where[0]
        raise ValueError(
            f"The {family_name} family models {requirement}; X has {len(where)} {kind} "
            f"value(s), the first X[{row}, {column}] = {X[row, column]:g}."
        )
    return X


class Family:
    """Base class for a family of mixture components.

    Subclasses implement :meth:`log_densities`, :meth:`maximise` and
    :meth:`sample`; the defaults of the others suit most families.
    """

    #: Name used in messages and by :class:`emlib.Mixture`.
    name = "family"

    def check_data(self, X):
        """Return X if it lies in the family's support, else raise ValueError."""
        return X

    def log_densities(self, X, params):
        raise NotImplementedError

    def maximise(self, X, responsibilities, params):
        raise NotImplementedError

    def constrain_weights(self, weights):
        """The weights after eq. 6; a family holding some weights fixed overrides this."""
        return weights

    def initialise(self, X, responsibilities, rng):
        """Starting parameters: one M-step from the starting responsibilities."""
        return self.maximise(X, responsibilities, None)

    def n_parameters(self, params):
        """Free numbers in the component parameters (not the weights).

        The default counts every entry of every array, which is right when
        each entry is free (rates, Bernoulli probabilities); families with
        constrained arrays (symmetric covariances) override it.
        """
        return sum(np.asarray(value).size for value in params.values())

    def sample(self, rng, params, component, n_samples):
        raise NotImplementedError

    def canonical_order(self, params):
        """A permutation that puts the components in a canonical order.

        The default sorts by the first parameter (e.g. the mean or rate);
        ties are broken by its later columns.
        """
        first = np.asarray(next(iter(params.values())))
        columns = first.reshape(len(first), -1)
        return np.lexsort(columns.T[::-1])

    def permute(self, params, order):
        """The same parameters with the components in ``order``."""
        return {name: np.asarray(value)[order] for name, value in params.items()}
