"""The interface every component family implements."""

import numbers

import numpy as np

from .. import validation as check
from ..likelihood import effective_counts


def as_data(X):
    """X as the finite 2-D float array the families work on (idempotent, no copy if it is one).

    Lets ``family.check_data`` be called on a list or a 1-D array too.
    """
    return check.check_data(X)


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


def check_setting(value, name, family_name, low, high=None, *, low_open=False,
                  high_open=False):
    """Return ``value`` as a finite float in the interval given, else raise naming the setting.

    ``high`` of None leaves the top unbounded; ``low_open``/``high_open``
    exclude the end point itself.
    """
    if high is None:
        interval = f"{'>' if low_open else '>='} {low:g}"
    else:
        interval = (f"in {'(' if low_open else '['}{low:g}, {high:g}"
                    f"{')' if high_open else ']'}")
    described = f"{family_name} family setting {name}"
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()  # a 0-d array, e.g. np.array(5.0), is a number too
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"The {described} must be a real number {interval}; got "
                        f"{value!r:.60} (type {type(value).__name__}).")
    number = float(value)
    below = low is not None and (number <= low if low_open else number < low)
    above = high is not None and (number >= high if high_open else number > high)
    if not np.isfinite(number) or below or above:
        raise ValueError(f"The {described} must be a finite number {interval}; got {value!r}.")
    return number


class Family:
    """Base class for a family of mixture components.

    A family holds settings only, never data: everything per sample
    (measurement errors, sample weights) travels with the data. Subclasses
    implement :meth:`log_densities` (the E-step's input), :meth:`statistics`
    (sums over the samples, weighted by the responsibilities, which add up
    over any split of the data), :meth:`parameters` (the M-step as a
    function of those sums) and :meth:`sample`; the defaults of the others
    suit most families.
    """

    #: The M-step is a function of sums that add over chunks of the data (see
    #: :mod:`emlib.backends`). A family whose M-step needs the data themselves
    #: (the text's eq.-7 route) sets this to False and runs in memory only.
    additive = True

    #: Name used in messages and by :class:`emlib.Mixture`.
    name = "family"

    def check_settings(self):
        """Refuse invalid constructor settings with a ValueError or TypeError; return self.

        The constructor calls it, and :class:`emlib.Mixture` calls it again
        before every fit (an attribute may have been changed since). Families
        without settings have nothing to check.
        """
        return self

    def check_data(self, X):
        """Return X if it lies in the family's support, else raise ValueError."""
        return X

    def _missing(self, method):
        return NotImplementedError(
            f"{type(self).__name__} does not implement {method}, which every family must "
            "provide (see emlib.families.base.Family); use one of emlib.families.FAMILIES or "
            "write that method.")

    def log_densities(self, X, params):
        """ln p_j(x_i | theta_j), shape (n_samples, n_components)."""
        raise self._missing("log_densities()")

    def e_step_terms(self, X, params):
        """The log-densities, and any per-sample quantity :meth:`statistics` reuses.

        Returns ``(log_densities, reuse)``; ``reuse`` is handed back to
        :meth:`statistics` of the same pass (never stored on the family). The
        default has nothing to reuse.
        """
        return self.log_densities(X, params), None

    def statistics(self, X, responsibilities, params, reuse=None):
        """Sufficient statistics: sums over the samples weighted by the responsibilities.

        Parameters
        ----------
        X : the data (or one chunk of them)
        responsibilities : ndarray of shape (n_samples, n_components)
            w_ij, with any sample weights already multiplied in.
        params : dict
            The parameters of the E-step that gave the responsibilities.
        reuse : object, optional
            What :meth:`e_step_terms` returned beside the log-densities.

        Returns
        -------
        dict of ndarray
            Sums over samples, so that the statistics of two chunks combine
            (:meth:`combine_statistics`) into those of both.
        """
        raise self._missing("statistics() and parameters() (or maximise())")

    def combine_statistics(self, first, second):
        """The statistics of two chunks together: entrywise sums."""
        return {name: first[name] + second[name] for name in first}

    def parameters(self, statistics, counts, params):
        """The M-step: new component parameters from the statistics of all the data.

        ``counts`` are the effective N_j (:func:`emlib.likelihood.counts_with_tiny`);
        ``params`` the parameters the statistics were computed at.
        """
        raise self._missing("parameters() (or maximise())")

    def maximise(self, X, responsibilities, params):
        """The M-step in memory: :meth:`parameters` of the statistics of all of X."""
        statistics = self.statistics(X, responsibilities, params)
        return self.parameters(statistics, effective_counts(responsibilities), params)

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
        raise self._missing("sample()")

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
