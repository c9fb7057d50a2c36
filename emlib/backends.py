"""Backends: how a pass of EM over the data is computed.

A pass is the E-step (eqs. 1-2) and the family's sufficient statistics,
summed over the samples (:class:`Sums`). Because everything the M-step needs
is a sum, the data can be cut into chunks anywhere: the sums of the chunks
add up to the sums of the whole (:func:`add_sums`). A backend only decides
where the chunks are and who adds them:

- :class:`InMemory`: the data are one numpy array (or a family's data object
  such as :class:`emlib.deconvolution.Measurements`), one chunk;
- :class:`Chunked`: numpy rows in chunks of a given size, e.g. a memory-mapped file;
- ``emlib.backends_dask.DaskArrays``: a dask array, chunk by chunk on dask's
  scheduler (threads or a ``dask.distributed`` cluster); needs ``emlib[scale]``.
"""

from dataclasses import dataclass

import numpy as np

from .likelihood import ZeroDensityError, _expectation


def e_step_with_reuse(family, data, weights, params):
    # Overflowing squares are reported by the ZeroDensityError, not a RuntimeWarning.
    with np.errstate(over="ignore"):
        log_densities, reuse = family.e_step_terms(data, params)
    log_density, resp = _expectation(log_densities, weights)
    return log_density, resp, reuse


def _explain_zero_density(error, weights, params, iteration, row):
    """The loop's message for a sample of zero density: what it means and how to fix it."""
    bad = [name for name, value in params.items()
           if not np.all(np.isfinite(np.asarray(value, dtype=float)))]
    if bad or not np.all(np.isfinite(weights)):
        cause = (f"the component parameters became non-finite ({', '.join(bad) or 'weights'} "
                 "contain inf or NaN), which means float64 overflowed in the M-step. "
                 "Rescale the data (e.g. standardise it) and check the starting values")
    elif np.isnan(error.value):
        cause = "its log-density is NaN. Check the starting values and the family's settings"
    elif error.value == np.inf:
        cause = ("its density is infinite: a component has zero width and sits on it. "
                 "Use reg_covar > 0 or fewer components, or another start (n_init > 1)")
    else:
        cause = (f"X[{row}] has density 0 under every component: it is outside the support "
                 "of every component, or so many component widths away from all of them "
                 "that its squared distance overflows float64 (data spanning a huge range "
                 "compared with the narrowest component). Rescale the data (e.g. "
                 "standardise it), check the family's settings (a probability or rate "
                 "of exactly 0 or 1 gives zero densities), or start elsewhere (n_init > 1)")
        if iteration == 1:
            cause += (". At the first iteration this is the start's doing: check the "
                      "starting values (e.g. covariances_init far smaller than the data's "
                      "spread)")
    return ZeroDensityError(f"ln L is not finite at iteration {iteration}: {cause}.",
                            row, error.value)


@dataclass
class Sums:
    """What one pass over (a chunk of) the data adds up: all the M-step needs.

    Every field is a sum over samples, so the sums of two chunks add up to
    the sums of both together (:func:`add_sums`), which is what lets EM run
    chunk by chunk or on many machines.

    Attributes
    ----------
    log_likelihood : float
        sum_i s_i ln p(x_i | theta), with s_i the sample weights (1 without).
    n_samples : int
        Rows in the chunk.
    counts : ndarray of shape (n_components,)
        sum_i s_i w_ij, the raw N_j of eq. 6.
    statistics : dict of ndarray
        The family's sufficient statistics (:meth:`Family.statistics`).
    """

    log_likelihood: float
    n_samples: int
    counts: np.ndarray
    statistics: dict


def chunk_sums(family, data, weights, params, sample_weight=None, *, iteration=0,
               first_row=0, keep=False):
    """E-step (eqs. 1-2) and sufficient statistics of one chunk of the data.

    Parameters
    ----------
    family : component family
    data : the chunk (an ndarray, or the family's data object, e.g. Measurements)
    weights, params : the current mixture weights and component parameters
    sample_weight : ndarray of shape (n_chunk,), optional
    iteration : int
        For the message of a sample of zero density.
    first_row : int
        The chunk's first row in the whole data, so a message names the global row.
    keep : bool
        Also return ln p(x_i) and w_ij of the chunk (in memory only).

    Returns
    -------
    Sums, or (Sums, log_density, responsibilities) with ``keep``
    """
    try:
        log_density, resp, reuse = e_step_with_reuse(family, data, weights, params)
    except ZeroDensityError as error:
        raise _explain_zero_density(error, weights, params, iteration,
                                    first_row + error.row) from None
    weighted = resp if sample_weight is None else resp * sample_weight[:, np.newaxis]
    sums = Sums(log_likelihood=_total(log_density, sample_weight),
                n_samples=log_density.shape[0], counts=weighted.sum(axis=0),
                statistics=family.statistics(data, weighted, params, reuse))
    return (sums, log_density, resp) if keep else sums


def add_sums(family, first, second):
    """The sums of two chunks together (eq. 4-6's sums over the union of their samples)."""
    return Sums(first.log_likelihood + second.log_likelihood,
                first.n_samples + second.n_samples, first.counts + second.counts,
                family.combine_statistics(first.statistics, second.statistics))


def _total(log_density, sample_weight):
    return float(log_density.sum() if sample_weight is None else sample_weight @ log_density)


class Backend:
    """Computes a pass of EM over some data (see the module docstring).

    Attributes
    ----------
    sample_weight : ndarray or None
        Kept for messages (the largest weight); may be lazy.
    total_weight : float
        Sum of the sample weights (n_samples without them): the stopping rule
        compares ln L per unit of weight.
    """

    sample_weight = None
    total_weight = 0.0

    def sums(self, family, weights, params, iteration):
        """The :class:`Sums` of the whole data at these parameters."""
        raise NotImplementedError

    def final(self, family, weights, params, iteration):
        """(Sums, log_density, responsibilities) at the final parameters.

        A backend that cannot hold per-sample arrays returns None for the last two.
        """
        return self.sums(family, weights, params, iteration), None, None


class InMemory(Backend):
    """All the data in memory: one chunk."""

    def __init__(self, data, sample_weight=None):
        self.data = data
        self.sample_weight = sample_weight
        self.total_weight = (len(data) if sample_weight is None else float(sample_weight.sum()))

    def sums(self, family, weights, params, iteration):
        return chunk_sums(family, self.data, weights, params, self.sample_weight,
                          iteration=iteration)

    def final(self, family, weights, params, iteration):
        return chunk_sums(family, self.data, weights, params, self.sample_weight,
                          iteration=iteration, keep=True)


class Chunked(Backend):
    """Numpy data (e.g. a ``np.memmap``) taken ``chunk_rows`` rows at a time.

    Only one chunk's E-step is in memory at once. The data object must
    support ``data[start:stop]`` (arrays do; so does
    :class:`emlib.deconvolution.Measurements`).
    """

    def __init__(self, data, sample_weight=None, *, chunk_rows=100_000):
        self.data = data
        self.sample_weight = sample_weight
        self.chunk_rows = int(chunk_rows)
        self.n_samples = len(data)
        self.total_weight = self.n_samples if sample_weight is None else float(sample_weight.sum())

    def sums(self, family, weights, params, iteration):
        total = None
        for start in range(0, self.n_samples, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n_samples)
            weight = None if self.sample_weight is None else self.sample_weight[start:stop]
            part = chunk_sums(family, self.data[start:stop], weights, params, weight,
                              iteration=iteration, first_row=start)
            total = part if total is None else add_sums(family, total, part)
        return total
