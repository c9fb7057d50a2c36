"""EM on dask arrays: the E-step and the sums of each chunk on dask's workers.

Everything the M-step needs (eqs. 4-6) is a sum over the samples
(:class:`emlib.backends.Sums`), so a pass of EM over a data set that no
machine holds is a map-reduce: each chunk of rows computes its E-step and
its sums where it lives (:func:`emlib.backends.chunk_sums`), the sums are
added in a tree (:func:`emlib.backends.add_sums`), and only the total, a
few numbers per component, comes back to the process that runs the loop.
Nothing of size n_samples is ever gathered.

The work runs on dask's current scheduler: the threaded one by default, or
a ``dask.distributed`` cluster when a ``Client`` is active. dask and
distributed are the optional extra ``emlib[scale]``; ``import emlib`` works
without them, and :func:`require_dask` says how to install them.

Where EM starts on dask data: the start is computed from a seeded random
subset of at most :data:`INIT_SAMPLE_ROWS` rows (every row, in order, when
the data have no more), drawn block by block in the same pass that checks
the data. So every ``init_params`` works unchanged, and on data of up to
that many rows a dask fit starts exactly where the numpy fit starts.
"""

import sys
import tracemalloc
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import validation as check
from .backends import Backend, add_sums, chunk_sums
from .em import e_step
from .likelihood import ZeroDensityError

#: At most this many rows, drawn at random, are used to start EM on a dask array.
INIT_SAMPLE_ROWS = 100_000

#: Sums of this many chunks are added in one task of the reduction tree.
SPLIT_EVERY = 8


# --------------------------------------------------------------------------
# dask is optional


def require_dask(purpose="work with dask arrays"):
    """Import and return ``dask.array``, or say how to install it.

    Parameters
    ----------
    purpose : str
        What needed dask, for the message (e.g. "fit a dask array").

    Raises
    ------
    ImportError
        If dask (with its array module) is not installed; the message gives
        the pip and conda commands.
    """
    try:
        import dask.array as dask_array
    except ImportError as error:
        raise ImportError(
            f"emlib needs dask to {purpose}, and it cannot be imported ({error}). dask and "
            "distributed are emlib's optional extra 'scale': install them with "
            "pip install \"emlib[scale]\" (in a clone of the course: pip install -e \".[scale]\"), "
            "or with conda: conda install -c conda-forge dask distributed."
        ) from error
    return dask_array


def is_dask_array(value):
    """True for a ``dask.array.Array``, without importing dask (a dask array means dask is loaded)."""
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(value, dask_array.Array)


# --------------------------------------------------------------------------
# measuring memory


@dataclass
class MemoryUse:
    """How much memory one call took in this process.

    Attributes
    ----------
    traced_peak : int
        Bytes: the peak of memory allocated through Python's allocators
        (numpy's arrays included) during the call, above what was allocated
        when it began (:mod:`tracemalloc`). Memory of other processes, such
        as dask.distributed workers, is not included.
    rss_high_water : int
        Bytes: the largest resident set size this process has ever had,
        read after the call (``resource.getrusage``).
    rss_growth : int
        Bytes by which the call raised that high-water mark: 0 if the call
        stayed below an earlier peak, so a lower bound of what it used.
    """

    traced_peak: int
    rss_high_water: int
    rss_growth: int


def _rss_high_water():
    """ru_maxrss in bytes (Linux reports KiB, macOS bytes); 0 where there is none (Windows)."""
    try:
        import resource  # POSIX only
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def measure_memory(function, *args, **kwargs):
    """Call ``function(*args, **kwargs)`` and measure the memory it took in this process.

    Returns
    -------
    result
        What the function returned.
    memory : MemoryUse
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    high_water_before = _rss_high_water()
    start = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    try:
        result = function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    high_water = _rss_high_water()
    return result, MemoryUse(traced_peak=max(0, peak - start), rss_high_water=high_water,
                             rss_growth=max(0, high_water - high_water_before))


# --------------------------------------------------------------------------
# splitting the data into row blocks


def _row_chunks(array):
    """The row chunks of a dask array, refusing unknown ones with the fix."""
    chunks = array.chunks[0]
    if any(np.isnan(size) for size in chunks):
        raise ValueError(
            "X has chunks of unknown size (NaN in X.chunks, e.g. after boolean indexing); "
            "EM needs to know where each row is. Call X.compute_chunk_sizes() first.")
    return tuple(int(size) for size in chunks)


def _blocks(array, row_chunks):
    """``array`` cut into the given row chunks: a list of delayed blocks (or numpy slices).

    A dask array is rechunked to those rows and to one chunk along every
    other axis; a numpy array is sliced.
    """
    if is_dask_array(array):
        whole = array.rechunk((row_chunks,) + tuple(-1 for _ in array.shape[1:]))
        return list(whole.to_delayed().reshape(-1))
    array = np.asarray(array)
    starts = np.concatenate([[0], np.cumsum(row_chunks)]).astype(int)
    return [array[start:stop] for start, stop in zip(starts[:-1], starts[1:])]


# --------------------------------------------------------------------------
# one block, as the families see it


def _as_error_covariances(errors, n_observed):
    """Xerr as covariance matrices (n, d_obs, d_obs), as XDGMM's checks convert it."""
    if errors.ndim == 1:
        errors = errors[:, np.newaxis]
    if errors.ndim == 2:
        return errors[:, :, np.newaxis] * np.eye(n_observed) * errors[:, np.newaxis, :]
    return errors


def _block_data(values, errors=None, projection=None):
    """The data object of one block: the float array, or XD's Measurements."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    if errors is None:
        return values
    from .deconvolution import Measurements

    errors = _as_error_covariances(np.asarray(errors, dtype=np.float64), values.shape[1])
    if projection is not None:
        projection = np.asarray(projection, dtype=np.float64)
        if projection.ndim == 2:
            projection = projection[np.newaxis]
    return Measurements(values, errors, projection)


def _in_rows(error, first_row, rows):
    """The same kind of error, its message saying which rows of the dask array it is about."""
    if first_row == 0:
        return error
    return type(error)(
        f"{error} (Found in rows {first_row} to {first_row + rows - 1} of the dask array, which "
        f"is checked block by block: row numbers in this message count from row {first_row}.)")


def _check_measurements_block(values, errors, projection, first_row):
    """XDGMM's own checks of one block (errors' shapes, signs, positive semi-definiteness)."""
    from .xdgmm import _check_measurements

    try:
        _check_measurements(values, errors, projection)
    except (ValueError, TypeError) as error:
        raise _in_rows(error, first_row, len(values)) from None


@dataclass
class _ZeroDensity:
    """A ZeroDensityError of a block, as data: it crosses processes and sorts by row."""

    message: str
    row: int
    value: float


def _block_sums(family, weights, params, iteration, first_row, sample_weight, values, errors,
                projection):
    """:func:`emlib.backends.chunk_sums` of one block; a sample of zero density comes back as data."""
    data = _block_data(values, errors, projection)
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    try:
        return chunk_sums(family, data, weights, params, weight, iteration=iteration,
                          first_row=first_row)
    except ZeroDensityError as error:
        # The earliest bad row over all blocks is reported, as in memory.
        return _ZeroDensity(str(error), error.row, error.value)


def _add_block_sums(family, *parts):
    """The sums of several blocks, left to right (a fixed order: the same on every scheduler)."""
    failures = [part for part in parts if isinstance(part, _ZeroDensity)]
    if failures:
        return min(failures, key=lambda failure: failure.row)
    total = parts[0]
    for part in parts[1:]:
        total = add_sums(family, total, part)
    return total


def _first(mask):
    """Index tuple of the first True entry of ``mask``, or None."""
    if not mask.any():
        return None
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _nonfinite(field, first_row):
    """(global index, value) of the first non-finite entry of a block's field, or None."""
    if field is None:
        return None
    finite = np.isfinite(field)
    if finite.all():
        return None
    bad = _first(~finite)
    return (first_row + bad[0],) + bad[1:], float(field[bad])


def _largest_magnitude(field):
    """max |x| without the copy np.abs would make."""
    return max(float(field.max()), -float(field.min()))


def _nonfinite_message(name, index, value):
    """:func:`emlib.validation.check_data`'s message for a non-finite entry."""
    advice = " Remove or impute those rows before fitting." if name == "X" else ""
    return (f"{name} contains NaN or infinity: {name}{list(index)} = {np.float64(value)}; every "
            f"value must be finite.{advice}")


def _block_report(sample_size, seed, block_index, first_row, sample_weight, values, errors,
                  projection, projection_per_sample):
    """What the checking pass learns from one block, and the block's share of the start sample.

    Returns a dict: ``rows``; the first non-finite entry of X, Xerr, the
    projection and the sample weights (global index and value); max |x| of
    X and of Xerr (standard deviations); the sample weights' smallest entry
    (with its global row), largest entry and sum; the error XDGMM's checks
    raise for the block; and ``sample``: X, Xerr, the projection and the
    weights of ``sample_size`` rows drawn without replacement by
    ``default_rng([seed, block_index])`` (every row, in order, if the block
    has no more).
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[:, np.newaxis] if values.ndim == 1 else values
    errors = None if errors is None else np.asarray(errors, dtype=np.float64)
    projection = None if projection is None else np.asarray(projection, dtype=np.float64)
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    rows = values.shape[0]
    report = {"rows": rows, "refused": None,
              "nonfinite": {"X": _nonfinite(values, first_row),
                            "Xerr": _nonfinite(errors, first_row),
                            "projection": _nonfinite(projection, first_row)
                            if projection_per_sample else None,
                            "sample_weight": _nonfinite(weight, first_row)}}
    finite = not any(report["nonfinite"].values())
    report["largest"] = _largest_magnitude(values) if finite and rows else 0.0
    report["largest_error"] = (_largest_magnitude(errors)
                               if finite and rows and errors is not None and errors.ndim < 3
                               else 0.0)
    if weight is not None and finite and rows:
        lowest = int(np.argmin(weight))
        with np.errstate(over="ignore"):  # an overflowing total is reported by the caller
            report["weight_sum"] = float(weight.sum())
        report["weight_min"] = (float(weight[lowest]), first_row + lowest)
        report["weight_max"] = float(weight.max())
    if finite and errors is not None:
        try:
            _check_measurements_block(values, errors, projection, first_row)
        except (ValueError, TypeError) as error:
            report["refused"] = (type(error), str(error))
    if sample_size >= rows:
        chosen = np.arange(rows)
    else:
        chosen = np.sort(np.random.default_rng([seed, block_index]).choice(
            rows, size=sample_size, replace=False))
    report["sample"] = (values[chosen], None if errors is None else errors[chosen],
                        projection[chosen] if projection_per_sample else None,
                        None if weight is None else weight[chosen])
    return report


def _family_report(family, first_row, values, errors, projection):
    """The error (kind, message) ``family.check_data`` raises for one block, or None."""
    try:
        family.check_data(_block_data(values, errors, projection))
    except (ValueError, TypeError) as error:
        error = _in_rows(error, first_row, len(values))
        return type(error), str(error)
    return None


def _block_e_step(family, weights, params, first_row, where, fix, dtype, values, errors,
                  projection, projection_per_sample):
    """ln p(x_i) and w_ij of one block of new data (for predict and score), after checking it."""
    data = _block_data(values, errors, projection)
    values = data if errors is None else data.values
    for name, field in (("X", values), ("Xerr", errors),
                        ("projection", projection if projection_per_sample else None)):
        bad = _nonfinite(None if field is None else np.asarray(field, dtype=float), first_row)
        if bad is not None:
            raise ValueError(_nonfinite_message(name, *bad))
    if errors is not None:
        _check_measurements_block(values, np.asarray(errors, dtype=float), projection, first_row)
    try:
        family.check_data(data)
    except (ValueError, TypeError) as error:
        raise _in_rows(error, first_row, len(values)) from None
    # Squares of huge coordinates overflow; that is reported below instead.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            log_density, resp = e_step(family, data, weights, params)
        except ZeroDensityError as error:
            i = first_row + error.row
            if error.value != -np.inf:  # NaN or +inf: its own message says which
                raise ZeroDensityError(str(error), i, error.value) from None
            # emlib.estimator.e_step_on_new_data's message, for the global row.
            raise ZeroDensityError(
                f"X[{i}] lies so far from every component{where.format(i=i)} that its density "
                f"is 0 in floating point (ln p = {error.value}), so its class probabilities "
                f"are undefined. {fix} before fitting and predicting.", i, error.value) from None
    return log_density.astype(dtype, copy=False), resp.astype(dtype, copy=False)


def _sample_sizes(row_chunks, total):
    """Rows of the start sample from each block: proportional to its size, ``total`` in all."""
    row_chunks = np.asarray(row_chunks)
    n_rows = int(row_chunks.sum())
    if total >= n_rows:
        return row_chunks
    exact = row_chunks * (total / n_rows)
    sizes = np.floor(exact).astype(int)
    # The rows left over go to the blocks with the largest remainders (ties: the earlier).
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:total - sizes.sum()]] += 1
    return sizes


class _Largest:
    """Stands in for an array in :func:`emlib.validation.check_magnitude`: a shape and max |x|.

    So the message for too large values is that function's own, for the
    shape of the whole dask array, without gathering it.
    """

    def __init__(self, largest, shape):
        self.largest, self.shape = largest, shape

    def __array__(self, dtype=None, copy=None):
        return np.array([self.largest], dtype=dtype)


# --------------------------------------------------------------------------
# the backend


def _active_client():
    """The dask.distributed Client that dask.compute would use, or None."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.default_client()
    except ValueError:
        return None


def compute(value, verbose=False):
    """``dask.compute`` of one value on the current scheduler, with a progress bar if ``verbose``.

    The bar is dask's own: ``dask.diagnostics.ProgressBar`` on the local
    schedulers (shown for passes longer than a second), ``distributed.progress``
    on a cluster.
    """
    import dask
    from threadpoolctl import threadpool_limits

    client = _active_client()
    if client is None:
        from dask.diagnostics import ProgressBar

        # dask's threads already use every core: BLAS threads on top only compete with
        # them (dask.distributed's workers set the same limit themselves).
        with threadpool_limits(limits=1, user_api="blas"):
            if not verbose:
                return dask.compute(value)[0]
            with ProgressBar(minimum=1.0):
                return dask.compute(value)[0]
    if not verbose:
        return dask.compute(value)[0]
    from distributed import progress

    future = client.compute(value)
    progress(future)
    return future.result()


def _check_array_kind(array, name):
    """check_data's refusal of non-numeric dtypes and of empty arrays, from the metadata alone."""
    check.check_data(np.zeros((1,) * max(array.ndim, 1), dtype=array.dtype), name=name,
                     ensure_2d=False, any_ndim=True)
    if array.ndim == 0 or (array.ndim == 1 and name == "X") or array.ndim == 2:
        if array.size == 0:
            check.check_data(np.empty(array.shape), name=name)


class DaskArrays(Backend):
    """EM's passes over dask arrays, block by block on dask's current scheduler.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features) or (n_samples,)
    sample_weight : dask.array.Array or ndarray of shape (n_samples,), optional
    Xerr : dask.array.Array or ndarray, optional
        XDGMM's measurement errors, in any shape XDGMM takes ((n,), (n, d_obs)
        standard deviations or (n, d_obs, d_obs) covariances); cut into the
        row chunks of X.
    projection : array of shape (d_obs, d), (1, d_obs, d) or (n_samples, d_obs, d), optional
        XDGMM's projections: a shared one is passed whole to every block.
    verbose : bool
        Show dask's progress bar during each pass.
    split_every : int
        Sums of this many blocks are added per task of the reduction tree.

    Notes
    -----
    Each pass builds one task per block (``chunk_sums`` of that block with
    its first row, so a message names the global row) and a tree of
    ``add_sums`` tasks; only the total comes back. The data are read (or,
    if generated lazily, generated) again at each pass and never gathered:
    the calling process holds a few blocks at a time on the threaded
    scheduler, none on a cluster.
    """

    def __init__(self, X, sample_weight=None, *, Xerr=None, projection=None, verbose=False,
                 split_every=SPLIT_EVERY):
        dask_array = require_dask("fit a dask array")
        X = X if is_dask_array(X) else dask_array.asarray(X)
        _check_array_kind(X, "X")
        if X.ndim == 1:
            X = X[:, np.newaxis]
        if X.ndim != 2:
            raise ValueError(f"X must be 1-D (n_samples,) or 2-D (n_samples, n_features); got "
                             f"{X.ndim}-D with shape {X.shape}.")
        self.row_chunks = _row_chunks(X)
        self.n_samples, self.n_observed = (int(size) for size in X.shape)
        self.first_rows = tuple(int(start) for start in
                                np.concatenate([[0], np.cumsum(self.row_chunks)[:-1]]))
        self.shape = (self.n_samples, self.n_observed)
        self.dtype = X.dtype
        self.value_blocks = _blocks(X, self.row_chunks)
        self.error_blocks = self._side(Xerr, "Xerr")
        self.projection_per_sample = (projection is not None and np.ndim(projection) == 3
                                      and np.shape(projection)[0] == self.n_samples
                                      and self.n_samples > 1)
        if projection is not None and not self.projection_per_sample:
            # One projection shared by every sample: small, so it goes to every block whole.
            projection = np.asarray(projection.compute() if is_dask_array(projection)
                                    else projection)
        self.projection_blocks = (self._side(projection, "projection")
                                  if self.projection_per_sample
                                  else [projection] * len(self.row_chunks))
        self.shared_projection = None if self.projection_per_sample else projection
        if Xerr is None and projection is not None:
            raise ValueError("A projection is for XDGMM's measurements: give Xerr with it.")
        if sample_weight is not None and tuple(np.shape(sample_weight)) != (self.n_samples,):
            raise ValueError(
                f"sample_weight must have shape ({self.n_samples},), one weight per sample; "
                f"got shape {tuple(np.shape(sample_weight))}.")
        self.sample_weight = sample_weight
        self.weight_blocks = (None if sample_weight is None
                              else _blocks(sample_weight, self.row_chunks))
        self._total_weight = None if sample_weight is not None else float(self.n_samples)
        self.split_every = check.check_int(split_every, "split_every", 2)
        self.verbose = bool(verbose)

    def _side(self, array, name):
        """A per-sample array besides X, cut like X (a list of None without one)."""
        if array is None:
            return [None] * len(self.row_chunks)
        if not is_dask_array(array):
            array = np.asarray(array)
        _check_array_kind(array, name)
        if array.ndim == 0 or array.shape[0] != self.n_samples:
            n, d = self.shape
            raise ValueError(
                f"{name} must have one entry per sample of X ({n} rows"
                + (f": shape ({n},), ({n}, {d}) or ({n}, {d}, {d})" if name == "Xerr" else "")
                + f"); got shape {tuple(array.shape)}.")
        return _blocks(array, self.row_chunks)

    def _block(self, block):
        """The arguments a block task takes: sample weight, X, Xerr and projection of the block."""
        weight = None if self.weight_blocks is None else self.weight_blocks[block]
        return (weight, self.value_blocks[block], self.error_blocks[block],
                self.projection_blocks[block])

    @property
    def total_weight(self):
        """Sum of the sample weights (n_samples without them)."""
        if self._total_weight is None:
            import dask.array as dask_array

            self._total_weight = float(compute(dask_array.asarray(self.sample_weight).sum()))
        return self._total_weight

    # ------------------------------------------------------------ one pass
    def _tree(self, parts, combine):
        """Add ``parts`` in groups of ``split_every``, level by level, to one."""
        while len(parts) > 1:
            parts = [combine(*parts[start:start + self.split_every])
                     for start in range(0, len(parts), self.split_every)]
        return parts[0]

    def sums(self, family, weights, params, iteration):
        """The :class:`~emlib.backends.Sums` of all the blocks, added on the scheduler."""
        from dask import delayed

        block_sums = delayed(_block_sums, pure=False)
        parts = [block_sums(family, weights, params, iteration, first_row, *self._block(block))
                 for block, first_row in enumerate(self.first_rows)]
        combine = delayed(partial(_add_block_sums, family), pure=False)
        total = compute(self._tree(parts, combine), self.verbose)
        if isinstance(total, _ZeroDensity):
            raise ZeroDensityError(total.message, total.row, total.value) from None
        return total

    def final(self, family, weights, params, iteration):
        """The sums at the final parameters; per-sample results stay with the data (None)."""
        return self.sums(family, weights, params, iteration), None, None

    # ------------------------------------------------- checks and the start
    def start_sample(self, rng):
        """Check every block in one pass and draw the rows EM starts from.

        Refuses non-finite values, values so large that sums of squares
        overflow float64 and invalid sample weights, with the messages of
        :mod:`emlib.validation` for the whole array (naming the global row),
        and whatever XDGMM's checks of its errors refuse in a block.

        The start sample is every row, in order, if the data have at most
        :data:`INIT_SAMPLE_ROWS` rows (then ``rng`` is not used and the start
        is exactly that of the same data in memory); otherwise
        ``INIT_SAMPLE_ROWS`` rows drawn without replacement, each block giving
        its share of them (in proportion to its rows) with the generator
        ``default_rng([seed, block])``, ``seed`` drawn from ``rng``, kept in
        row order.

        Returns
        -------
        X : ndarray of shape (n_start, n_features)
        sample_weight : ndarray of shape (n_start,) or None
        side : dict
            ``{"Xerr": ..., "projection": ...}`` of those rows for XDGMM, else {}.
        """
        from dask import delayed

        sample_rows = check.check_int(INIT_SAMPLE_ROWS, "INIT_SAMPLE_ROWS", 1)
        seed = 0 if self.n_samples <= sample_rows else int(rng.integers(2**63))
        sizes = _sample_sizes(self.row_chunks, sample_rows)
        report = delayed(_block_report, pure=False)
        reports = compute([report(int(size), seed, block, first_row, *self._block(block),
                                  self.projection_per_sample)
                           for block, (size, first_row)
                           in enumerate(zip(sizes, self.first_rows))], self.verbose)
        self._raise_for(reports)
        if self.sample_weight is not None:
            self._total_weight = float(sum(r["weight_sum"] for r in reports))
        values, errors, projection, weights = (list(pieces) for pieces in
                                               zip(*[r["sample"] for r in reports]))
        sample = np.concatenate(values)
        weights = None if self.sample_weight is None else np.concatenate(weights)
        if self.error_blocks[0] is None:
            return sample, weights, {}
        return sample, weights, {
            "Xerr": np.concatenate(errors),
            "projection": (np.concatenate(projection) if self.projection_per_sample
                           else self.shared_projection)}

    def _raise_for(self, reports):
        """Raise the error the in-memory checks would raise first, for the whole data."""
        for name in ("X", "Xerr", "projection"):
            bad = [r["nonfinite"][name] for r in reports if r["nonfinite"][name]]
            if bad:
                raise ValueError(_nonfinite_message(name, *bad[0]))
            if name == "X":
                check.check_magnitude(_Largest(max(r["largest"] for r in reports), self.shape))
        for r in reports:
            if r["refused"] is not None:
                kind, message = r["refused"]
                raise kind(message)
        largest_error = max(r["largest_error"] for r in reports)
        if largest_error:
            check.check_magnitude(_Largest(largest_error, self.shape), "Xerr",
                                  check.magnitude_limit(*self.shape))
        if self.sample_weight is None:
            return
        bad = [r["nonfinite"]["sample_weight"] for r in reports if r["nonfinite"]["sample_weight"]]
        if bad:
            raise ValueError(_nonfinite_message("sample_weight", *bad[0]))
        lowest, row = min(r["weight_min"] for r in reports if "weight_min" in r)
        if lowest < 0:
            raise ValueError(f"sample_weight must be non-negative; got {np.float64(lowest)} at "
                             f"index {row}.")
        with np.errstate(over="ignore"):
            total = float(np.sum([r["weight_sum"] for r in reports if "weight_sum" in r]))
        if total <= 0:
            raise ValueError("sample_weight sums to zero; at least one sample needs a positive "
                             "weight.")
        if not np.isfinite(total):
            largest = max(r["weight_max"] for r in reports if "weight_max" in r)
            raise ValueError(
                f"sample_weight sums to more than float64 can hold (largest weight "
                f"{largest:.3g}); only the ratios of the weights matter, so divide them by "
                "their maximum.")

    def check_family(self, family):
        """Refuse a family that cannot run chunk by chunk; check the data are in its support.

        A family whose M-step is not a function of sums (``additive`` False,
        XDGMM's method='eq7') is refused with the alternative. A family with
        its own ``check_data`` (e.g. Poisson: counts) checks every block, in
        one pass; its message names the block's rows.
        """
        from dask import delayed

        from .families.base import Family

        if not getattr(family, "additive", True):
            raise ValueError(
                f"The {family.name} family's M-step solves an equation over all the data at "
                "every iteration (the text's eq.-7 route), so it cannot run chunk by chunk on a "
                "dask array. Use method='xd' (extreme deconvolution, whose M-step needs only "
                "sums over the data), or fit X.compute() in memory.")
        if type(family).check_data is Family.check_data:
            return
        report = delayed(_family_report, pure=False)
        refusals = compute([report(family, first_row, *self._block(block)[1:])
                            for block, first_row in enumerate(self.first_rows)], self.verbose)
        for refusal in refusals:
            if refusal is not None:
                kind, message = refusal
                raise kind(message)

    # ----------------------------------------------------------- new data
    def e_step(self, family, weights, params, *, where=" (or outside their support)",
               fix="Rescale the data (e.g. standardise it)", n_features=None, model="the model"):
        """ln p(x_i) and w_ij of these data, as lazy dask arrays (for predict and score).

        Each block is checked as predict checks data in memory (finite, in
        the family's support; messages name the global row) when it is
        computed. float32 data give float32 results, as in memory.

        Returns
        -------
        log_density : dask.array.Array of shape (n_samples,)
        responsibilities : dask.array.Array of shape (n_samples, n_components)
        """
        import dask.array as dask_array
        from dask import delayed

        if n_features is not None:
            check.check_n_features(_Largest(0.0, self.shape), n_features, model=model)
        dtype = np.float32 if self.dtype == np.float32 else np.float64
        n_components = len(weights)
        task = delayed(_block_e_step, pure=False)
        log_densities, responsibilities = [], []
        for block, (rows, first_row) in enumerate(zip(self.row_chunks, self.first_rows)):
            both = task(family, weights, params, first_row, where, fix, dtype,
                        *self._block(block)[1:], self.projection_per_sample)
            log_densities.append(dask_array.from_delayed(both[0], (rows,), dtype=dtype))
            responsibilities.append(dask_array.from_delayed(both[1], (rows, n_components),
                                                            dtype=dtype))
        return dask_array.concatenate(log_densities), dask_array.concatenate(responsibilities)
