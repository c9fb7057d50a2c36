"""Fast kernels behind :mod:`emlib.gaussian`: the E-step's log-densities and the M-step's sums.

They compute what :func:`emlib.gaussian.log_gaussian_densities_from_cholesky`
and :func:`emlib.gaussian.gaussian_statistics` document, for d >= 2 features
(the 1-D forms stay in :mod:`emlib.gaussian`), with fewer passes over the data
and less memory. ``tests/test_gaussian_kernels.py`` compares each with the
equations written out one component at a time, and with scipy and scikit-learn.
Three ideas:

1. Rows in blocks. The data are taken a block of rows at a time, so every
   temporary is the size of a block (about 512 kB), not N x d, and stays in the
   processor's cache between the operations on it.

2. One matrix product for all components, where the covariance type allows.
   With y = x - m for one reference point m (the mean of the means) and
   e_j = mu_j - m, the squared distance of a diag, spherical or tied component is

       |P^T (y - e_j)|^2 = |P^T y|^2 - 2 (P^T y) . (P^T e_j) + |P^T e_j|^2,

   a product of the block with a matrix of all components at once.
   scikit-learn does the same with m = 0, which loses every digit of a small
   spread far from the origin; with m among the data only the distances
   between components, in units of their widths, can cost digits (squared:
   separations of 10^4 widths leave the log-densities good to ~1e-8, enough
   for the responsibilities). Full covariances keep one product per component,
   of the block centred at that component's mean.

3. Each sample centred at its own component's previous mean, for the sums. The
   M-step's sums must be centred (see :func:`emlib.gaussian.gaussian_statistics`).
   Centring every sample i at the previous mean c_a of its most responsible
   component a (y_i = x_i - c_a) lets one product serve all components: since
   x_i - c_j = y_i - e_aj with e_aj = c_j - c_a,

       sum_i w_ij (x_i - c_j)^2 = sum_i w_ij y_i^2 - 2 sum_a e_aj h_aj + sum_a n_aj e_aj^2,

   where n_aj = sum_{i in a} w_ij and h_aj = sum_{i in a} w_ij y_i are sums over
   the samples of group a (K x K of them, a product per group). No digit is lost
   at the data's magnitude: every y_i and e_aj is a difference of nearby numbers
   (e_jj = 0: a component's own samples need no correction at all).
"""

import numpy as np

from .validation import largest_magnitude

#: Entries of one block-sized temporary: 512 kB, inside a core's L2 cache.
BLOCK_ENTRIES = 2**16
#: The grouped sums take blocks this many times larger: a product per group and block.
GROUPED_BLOCK_FACTOR = 2
#: Fewer rows than this make the matrix products inefficient.
MIN_BLOCK_ROWS = 256


def row_blocks(n_samples, width):
    """Slices of consecutive rows, each block of ``width`` columns about BLOCK_ENTRIES big."""
    rows = max(MIN_BLOCK_ROWS, BLOCK_ENTRIES // max(width, 1))
    return [slice(start, min(start + rows, n_samples)) for start in range(0, n_samples, rows)]


def block_buffer(blocks, n_columns):
    """An empty array with room for the largest of ``blocks``, to be reused by every block.

    A fresh block-sized temporary for every block can cost more than the
    arithmetic on it (the allocator may hand back new pages, each a page fault);
    ``buffer[:size(rows)]`` reuses the same memory.
    """
    return np.empty((size(blocks[0]) if blocks else 0, n_columns))


def size(rows):
    """The number of rows in the slice ``rows``."""
    return rows.stop - rows.start


# --------------------------------------------------------------------------
# E-step: squared Mahalanobis distances |P_j^T (x_i - mu_j)|^2


def squared_distances(X, means, factors, covariance_type):
    """|P_j^T (x_i - mu_j)|^2 for every sample and component, shape (n_samples, n_components).

    ``factors`` are the precision Cholesky factors in the shape of
    ``covariance_type`` (:func:`emlib.gaussian.precision_cholesky`). The
    result's columns are contiguous (see :func:`components_by_column`).
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    distances = components_by_column(n_samples, n_components)
    if covariance_type == "full":
        blocks = row_blocks(n_samples, n_features)
        buffers = block_buffer(blocks, n_features), block_buffer(blocks, n_features)
        for rows in blocks:
            _full_distances(X[rows], means, factors, distances[rows],
                            [buffer[:size(rows)] for buffer in buffers])
        return distances
    # One reference point for all components: y = x - m, e_j = mu_j - m.
    reference = means.mean(axis=0)
    offsets = means - reference
    # What every block shares is computed once: the matrix the block is multiplied
    # by, each component's constant term and, for diag and spherical, the precisions.
    if covariance_type == "tied":
        shifted = offsets @ factors  # f_j = P^T e_j
        scales, cross = factors, -2.0 * shifted.T
        constant = np.einsum("ij,ij->i", shifted, shifted)
        block_distances = _tied_distances
    else:
        scales = factors**2  # precisions
        if covariance_type == "diag":
            cross = -2.0 * (offsets * scales).T
            constant = np.einsum("jd,jd->j", offsets * offsets, scales)
            block_distances = _diag_distances
        else:
            cross = -2.0 * offsets.T
            constant = np.einsum("jd,jd->j", offsets, offsets)
            block_distances = _spherical_distances
    blocks = row_blocks(n_samples, n_features + n_components)
    buffer = block_buffer(blocks, n_features)
    for rows in blocks:
        centred = np.subtract(X[rows], reference, out=buffer[:size(rows)])
        distances[rows] = block_distances(centred, scales, cross, constant)
    return distances


def components_by_column(n_samples, n_components):
    """An empty (n_samples, n_components) array whose columns are contiguous.

    The E-step reduces over components for every sample; with each
    component's column contiguous in memory those reductions run several
    times faster than over short rows.
    """
    return np.empty((n_samples, n_components), order="F")


def _full_distances(block, means, factors, out, buffers):
    """Full covariances: one product per component, of the block centred at its mean.

    ``buffers`` are two block-sized arrays to compute in."""
    centred, z = buffers
    for k, (mean, factor) in enumerate(zip(means, factors)):
        np.matmul(np.subtract(block, mean, out=centred), factor, out=z)
        out[:, k] = np.einsum("ij,ij->i", z, z)


def _tied_distances(centred, factor, cross, constant):
    """|z - f_j|^2 = |z|^2 - 2 z.f_j + |f_j|^2 with z = P^T y and f_j = P^T e_j
    (``cross`` is -2 f_j as columns, ``constant`` the |f_j|^2)."""
    z = centred @ factor
    distances = z @ cross
    distances += np.einsum("ij,ij->i", z, z)[:, np.newaxis]
    distances += constant
    return distances


def _diag_distances(centred, precisions, cross, constant):
    """sum_d p_jd (y_d - e_jd)^2 = y^2 . p_j - 2 y . (p_j e_j) + e_j^2 . p_j
    (``cross`` is -2 p_j e_j as columns, ``constant`` the e_j^2 . p_j)."""
    distances = centred @ cross
    centred *= centred
    distances += centred @ precisions.T
    distances += constant
    return distances


def _spherical_distances(centred, precisions, cross, constant):
    """p_j (|y|^2 - 2 y . e_j + |e_j|^2) (``cross`` is -2 e_j as columns, ``constant``
    the |e_j|^2)."""
    distances = centred @ cross
    distances += np.einsum("ij,ij->i", centred, centred)[:, np.newaxis]
    distances += constant
    distances *= precisions
    return distances


# --------------------------------------------------------------------------
# M-step: the centred sums of eqs. 4-5


def centred_sums(X, responsibilities, shift, covariance_type):
    """``sum_deviations``, ``sum_squares`` and ``largest_magnitude`` of
    :func:`emlib.gaussian.gaussian_statistics`, in one pass over the rows.

    ``sum_squares`` has the shape the covariance type needs: (K, d, d) for
    full, (K, d) for diag and spherical, and (d, d) for tied, where it is the
    sum over components of the full matrices (all that eq. 5 needs for a
    shared covariance).
    """
    if covariance_type == "full":
        return _full_sums(X, responsibilities, shift)
    return _grouped_sums(X, responsibilities, shift, tied=covariance_type == "tied")


def _full_sums(X, responsibilities, shift):
    """Per component, sum_i w_ij (x_i - c_j)(x_i - c_j)^T as one product of the block
    with itself: scaled by sqrt(w_ij), the product is symmetric and BLAS does half the work."""
    n_samples, n_features = X.shape
    sum_deviations = np.zeros(shift.shape)
    sum_squares = np.zeros(shift.shape + (n_features,))
    largest = 0.0
    blocks = row_blocks(n_samples, n_features)
    buffer = block_buffer(blocks, n_features)
    for rows in blocks:
        block = X[rows]
        largest = max(largest, largest_magnitude(block))
        roots = np.sqrt(responsibilities[rows].T)  # a contiguous row per component
        for k, centre in enumerate(shift):
            scaled = np.subtract(block, centre, out=buffer[:size(rows)])
            scaled *= roots[k][:, np.newaxis]  # sqrt(w_ik) (x_i - c_k)
            sum_deviations[k] += roots[k] @ scaled
            sum_squares[k] += scaled.T @ scaled
    return sum_deviations, sum_squares, largest


def _grouped_sums(X, responsibilities, shift, tied):
    """Idea 3 of the module docstring: each sample centred at its own component's mean."""
    n_samples, n_features = X.shape
    n_components = shift.shape[0]
    counts = np.zeros((n_components, n_components))  # n_aj
    deviations = np.zeros((n_components, n_components, n_features))  # h_aj
    squares = np.zeros((n_features, n_features) if tied else shift.shape)
    largest = 0.0
    blocks = row_blocks(n_samples, (n_features + n_components) // GROUPED_BLOCK_FACTOR)
    y_buffer, weights_buffer = block_buffer(blocks, n_features), block_buffer(blocks, n_components)
    for rows in blocks:
        weights = responsibilities[rows]
        labels = weights.argmax(axis=1).astype(np.int16)  # small ints: a radix sort
        order = np.argsort(labels, kind="stable")  # the samples of each group together
        sizes = np.bincount(labels, minlength=n_components)
        # np.take copies whole rows: several times faster than X[rows][order]
        y = np.take(X[rows], order, axis=0, out=y_buffer[:size(rows)], mode="clip")
        weights = np.take(weights, order, axis=0, out=weights_buffer[:size(rows)], mode="clip")
        largest = max(largest, largest_magnitude(y))
        groups = np.flatnonzero(sizes)
        starts = (np.cumsum(sizes) - sizes)[groups]
        counts[groups] += np.add.reduceat(weights, starts, axis=0)
        for a, start, end in zip(groups.tolist(), starts.tolist(), (starts + sizes[groups]).tolist()):
            y[start:end] -= shift[a]  # y_i = x_i - c_a for the samples of group a
            deviations[a] += weights[start:end].T @ y[start:end]
        if tied:  # sum_j w_ij = the sample's weight: one symmetric product for all components
            y *= np.sqrt(weights.sum(axis=1))[:, np.newaxis]
            squares += y.T @ y
        else:
            y *= y
            squares += weights.T @ y
    # Back from the samples' own centres c_a to each component's c_j: x_i - c_j = y_i - e_aj.
    offsets = shift[np.newaxis, :, :] - shift[:, np.newaxis, :]  # e_aj = c_j - c_a
    sum_deviations = deviations.sum(axis=0) - np.einsum("aj,ajd->jd", counts, offsets)
    if not tied:
        sum_squares = (squares - 2.0 * np.einsum("ajd,ajd->jd", offsets, deviations)
                       + np.einsum("aj,ajd->jd", counts, offsets * offsets))
        return sum_deviations, sum_squares, largest
    offsets = offsets.reshape(-1, n_features)
    cross = offsets.T @ deviations.reshape(-1, n_features)
    spread = (counts.reshape(-1, 1) * offsets).T @ offsets
    return sum_deviations, squares - cross - cross.T + spread, largest
