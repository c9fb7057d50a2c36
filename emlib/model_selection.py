"""Choosing the number of components (and the covariance type) with AIC, BIC or ICL."""

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import validation as check
from .gaussian_mixture import GaussianMixture
from .information_criteria import aic, bic, icl

CRITERIA = ("aic", "bic", "icl")
COLUMNS = ("n_components", "covariance_type", "log_likelihood", "n_parameters",
           "aic", "bic", "icl", "converged")


@dataclass
class ModelScan:
    """The result of :func:`scan_models`.

    Attributes
    ----------
    rows : list of dict
        One row per fitted model, with the keys in ``COLUMNS``.
    models : dict
        The fitted models, keyed by ``(n_components, covariance_type)``.
    criterion : str
        The criterion used to pick ``best_model``.
    """

    rows: list
    models: dict
    criterion: str
    best: tuple = field(init=False)

    def __post_init__(self):
        check.check_choice(self.criterion, "criterion", CRITERIA)
        if not self.rows:
            raise ValueError("ModelScan needs at least one row (one fitted model).")
        best_row = min(self.rows, key=lambda row: row[self.criterion])
        self.best = (best_row["n_components"], best_row["covariance_type"])

    @property
    def best_model(self):
        """The fitted model with the smallest value of ``criterion``."""
        return self.models[self.best]

    def column(self, name, covariance_type=None):
        """One column of the table as an array (optionally for one covariance type)."""
        check.check_choice(name, "name", COLUMNS)
        if covariance_type is not None:
            check.check_choice(covariance_type, "covariance_type", check.COVARIANCE_TYPES)
        return np.array([row[name] for row in self.rows
                         if covariance_type in (None, row["covariance_type"])])

    def best_by(self, criterion):
        """``(n_components, covariance_type)`` that minimises another criterion."""
        check.check_choice(criterion, "criterion", CRITERIA)
        row = min(self.rows, key=lambda r: r[criterion])
        return row["n_components"], row["covariance_type"]

    def __str__(self):
        header = (f"{'M':>3} {'covariance':>10} {'ln L':>11} {'k':>4} {'AIC':>11} "
                  f"{'BIC':>11} {'ICL':>11}  converged")
        lines = [header]
        for row in self.rows:
            mark = " <- best" if (row["n_components"], row["covariance_type"]) == self.best else ""
            lines.append(
                f"{row['n_components']:>3} {row['covariance_type']:>10} "
                f"{row['log_likelihood']:>11.2f} {row['n_parameters']:>4} {row['aic']:>11.2f} "
                f"{row['bic']:>11.2f} {row['icl']:>11.2f}  {str(row['converged']):>9}{mark}")
        lines.append(f"best by {self.criterion.upper()}: M = {self.best[0]}, "
                     f"covariance_type = {self.best[1]!r}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table
        printer.text(str(self))


def scan_models(X, n_components=range(1, 11), covariance_types=("full",), *,
                criterion="bic", n_init=5, random_state=None, sample_weight=None,
                **mixture_params):
    """Fit a Gaussian mixture for every number of components and covariance type.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    n_components : iterable of int
        The numbers of components to try, e.g. ``range(1, 6)`` or ``[2, 3]``.
        A bare int is refused (does 3 mean ``[3]`` or ``range(1, 4)``?).
    covariance_types : str or iterable of str
        The covariance types to try; a single string such as ``'full'``
        means that one type.
    criterion : {'aic', 'bic', 'icl'}
        Which criterion picks ``best_model``; the table has all three.
    n_init : int
        Restarts per model (EM finds local maxima; restarts guard against bad ones).
    random_state : None, int or generator
        Seeds every fit, so the whole scan is reproducible.
    sample_weight : array-like of shape (n_samples,), optional
        Frequency weights: a weight of 2 counts a sample twice, so the
        criteria use the total weight as the number of samples N.
    **mixture_params
        Passed to :class:`GaussianMixture` (e.g. ``tol``, ``max_iter``, ``reg_covar``).

    Returns
    -------
    ModelScan
    """
    check.check_choice(criterion, "criterion", CRITERIA)
    n_components = _check_n_components_list(n_components)
    covariance_types = _check_covariance_types(covariance_types)
    _check_mixture_params(mixture_params)
    X = check.check_data(X)
    if sample_weight is not None:
        sample_weight = check.check_sample_weight(sample_weight, X.shape[0])
    rng = check.check_random_state(random_state)
    rows, models = [], {}
    for covariance_type in covariance_types:
        for m in n_components:
            model = GaussianMixture(m, covariance_type=covariance_type, n_init=n_init,
                                    random_state=rng, **mixture_params)
            model.fit(X, sample_weight=sample_weight)
            log_density, resp = model._e_step(X)
            weights = np.ones(len(log_density)) if sample_weight is None else sample_weight
            n_samples, log_l = weights.sum(), float(weights @ log_density)
            k = model._n_parameters()
            rows.append({
                "n_components": m, "covariance_type": covariance_type,
                "log_likelihood": log_l, "n_parameters": k,
                "aic": aic(log_l, k), "bic": bic(log_l, k, n_samples),
                "icl": icl(log_l, k, n_samples, resp, weights),
                "converged": bool(model.converged_),
            })
            models[(m, covariance_type)] = model
    return ModelScan(rows, models, criterion)


def _check_n_components_list(n_components):
    """The numbers of components as a list of ints >= 1 (a generator is read once)."""
    if isinstance(n_components, (numbers.Integral, np.integer)) and not isinstance(
            n_components, (bool, np.bool_)):
        raise TypeError(
            f"n_components must be an iterable of ints, the numbers of components to try; got "
            f"the int {n_components}. Pass [{n_components}] for that one model, or "
            f"range(1, {n_components + 1}) for 1 to {n_components} components.")
    if isinstance(n_components, (str, bytes)) or not isinstance(n_components, Iterable):
        raise TypeError("n_components must be an iterable of ints such as range(1, 6); got "
                        f"{check._describe(n_components)}.")
    values = [check.check_int(m, f"n_components[{i}]", 1) for i, m in enumerate(n_components)]
    if not values:
        raise ValueError("n_components is empty; give at least one number of components to "
                         "try, e.g. range(1, 6).")
    if len(set(values)) < len(values):
        raise ValueError(f"n_components lists a value more than once: {values}.")
    return values


def _check_covariance_types(covariance_types):
    """The covariance types as a list; a single string is one type."""
    if isinstance(covariance_types, str):
        covariance_types = [covariance_types]
    if not isinstance(covariance_types, Iterable):
        raise TypeError("covariance_types must be a string or an iterable of strings such as "
                        f"('full', 'diag'); got {check._describe(covariance_types)}.")
    values = [check.check_choice(kind, f"covariance_types[{i}]", check.COVARIANCE_TYPES)
              for i, kind in enumerate(covariance_types)]
    if not values:
        raise ValueError("covariance_types is empty; give at least one, e.g. ('full',).")
    if len(set(values)) < len(values):
        raise ValueError(f"covariance_types lists a type more than once: {values}.")
    return values


def _check_mixture_params(mixture_params):
    """Refuse keyword arguments GaussianMixture does not take, naming the ones it does."""
    allowed = set(GaussianMixture().get_params()) - {"n_components", "covariance_type",
                                                      "n_init", "random_state"}
    unknown = sorted(set(mixture_params) - allowed)
    if unknown:
        raise TypeError(
            f"scan_models got unexpected keyword argument(s) {unknown}; besides its own "
            f"arguments it passes only GaussianMixture's to every fit: {sorted(allowed)}.")
