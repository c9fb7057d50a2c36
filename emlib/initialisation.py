"""Where EM starts: the text's recipe and scikit-learn's four methods.

EM only climbs to a *local* maximum of ln L, so the start matters; that is why
estimators take ``n_init`` restarts.  Each function here returns starting
responsibilities (scikit-learn's methods, followed by one M-step) or starting
parameters directly (the text's recipe).

scikit-learn's four methods draw exactly what scikit-learn draws from the same
stream (its own ``KMeans`` and ``kmeans_plusplus`` do the clustering), so an
estimator seeded as scikit-learn seeds (see
:func:`emlib.validation.check_random_state`) starts where scikit-learn starts.
"""

import functools

import numpy as np

from .gaussian import update_covariances
from .likelihood import update_weights
from .validation import check_int, check_random_state, largest_magnitude


def _check_start_arguments(X, n_components, rng):
    """The arguments every start shares: at most one component per sample, a generator."""
    n_samples = np.shape(X)[0]
    check_int(n_components, "n_components", 1)
    if n_components > n_samples:
        raise ValueError(f"n_components={n_components} is larger than the number of samples "
                         f"({n_samples}); each component needs a sample to start from.")
    return check_random_state(rng, "rng")


def textbook_start(X, n_components, rng, covariance_type="full", sample_weight=None):
    """The text's recipe: equal weights, means drawn from the data, every sigma = the sample std.

    In d dimensions "the sample standard deviation" becomes the sample
    covariance of the data (its diagonal for ``diag``, its mean variance for
    ``spherical``), shared by every component.

    ``X`` may be 1-D, of shape (n_samples,): the means and variances then
    come back with shape (n_components,), as in the text.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features), or (n_components,) for 1-D X
    covariances : ndarray in the shape of ``covariance_type``, or variances for 1-D X
    """
    rng = _check_start_arguments(X, n_components, rng)
    weights = np.full(n_components, 1.0 / n_components)
    means = X[_draw_distinct(X, n_components, rng, sample_weight)]
    all_data = np.ones((X.shape[0], 1)) if sample_weight is None else sample_weight[:, None]
    total = all_data.sum(axis=0)
    centre = all_data.T @ X / total
    covariance = update_covariances(X, all_data, total, centre, covariance_type)
    if covariance_type == "tied":
        return weights, means, covariance
    return weights, means, np.repeat(covariance, n_components, axis=0)


def _draw_distinct(X, n_components, rng, sample_weight=None):
    """Indices of ``n_components`` samples drawn without replacement by ``rng``.

    Equal weights draw exactly as no weights do, so ``sample_weight=c * ones``
    starts where the unweighted fit starts.
    """
    uniform = sample_weight is None or np.all(sample_weight == sample_weight[0])
    probabilities = None if uniform else sample_weight / sample_weight.sum()
    return rng.choice(X.shape[0], size=n_components, replace=False, p=probabilities)


def _scikit_learn_draws(rng):
    """numpy's legacy RandomState methods on ``rng``'s own stream.

    scikit-learn draws its starts with RandomState's methods (``uniform``,
    ``choice``, and KMeans' own draws); calling the same methods on the same
    stream, in the same order, gives the same start.
    """
    return np.random.RandomState(rng.bit_generator)


def _one_hot(labels, n_samples, n_components, rows=None):
    resp = np.zeros((n_samples, n_components))
    rows = np.arange(n_samples) if rows is None else rows
    resp[rows, labels] = 1.0
    return resp


def random_responsibilities(X, n_components, rng, sample_weight=None):
    """``init_params='random'``: every w_ij uniform at random, rows normalised."""
    rng = _check_start_arguments(X, n_components, rng)
    resp = _scikit_learn_draws(rng).uniform(size=(X.shape[0], n_components))
    return resp / resp.sum(axis=1, keepdims=True)


def random_from_data_responsibilities(X, n_components, rng, sample_weight=None):
    """``'random_from_data'``: each component starts on one randomly drawn sample."""
    rng = _check_start_arguments(X, n_components, rng)
    rows = _draw_distinct(X, n_components, _scikit_learn_draws(rng), sample_weight)
    return _one_hot(np.arange(n_components), X.shape[0], n_components, rows)


def _safe_scale(X):
    """X times a power of two that keeps its squared distances inside float64's range.

    Seeding and k-means only compare distances, and a power-of-two factor is
    exact, so the seeds and labels are the same as without it; only data
    beyond about 1e77 (whose squares would overflow, making the k-means++
    probabilities NaN) or below 1e-77 (whose squares would underflow to 0)
    are rescaled, everything else is returned as it is.
    """
    largest = largest_magnitude(X)
    if largest == 0.0 or 2.0**-256 < largest < 2.0**256:
        return X
    return np.ldexp(X, -int(np.frexp(largest)[1]))


def kmeans_plusplus_centres(X, n_components, rng, sample_weight=None):
    """Indices of k-means++ seeds (Arthur & Vassilvitskii, 2007), by scikit-learn.

    The first seed is drawn at random; each next one with probability
    proportional to its squared distance from the nearest seed so far, so the
    seeds spread out over the data. scikit-learn's ``kmeans_plusplus`` does
    the drawing (the same draws as its ``GaussianMixture`` makes).
    """
    from sklearn.cluster import kmeans_plusplus

    rng = _check_start_arguments(X, n_components, rng)
    _, indices = kmeans_plusplus(_safe_scale(X), n_components, sample_weight=sample_weight,
                                 random_state=_scikit_learn_draws(rng))
    return indices


def kmeans_plusplus_responsibilities(X, n_components, rng, sample_weight=None):
    """``'k-means++'``: each component starts on one k-means++ seed."""
    rows = kmeans_plusplus_centres(X, n_components, rng, sample_weight)
    return _one_hot(np.arange(n_components), X.shape[0], n_components, rows)


#: Below this many samples k-means runs on one thread (see :func:`kmeans_labels`).
ONE_THREAD_BELOW = 10_000


def kmeans_labels(X, n_components, rng, sample_weight=None):
    """Lloyd's k-means from k-means++ seeds, by scikit-learn's KMeans: each sample's label.

    On fewer than :data:`ONE_THREAD_BELOW` samples it runs on one thread:
    waking OpenMP's threads at every Lloyd step costs more than the work
    there (measured: 2 ms on one thread against 10 to 60 ms on two, for 300
    points on a busy two-core machine). The threads only change the order in
    which the centres' sums are added, so the labels are the same but for a
    point that sits on a boundary to within rounding.
    """
    from sklearn.cluster import KMeans

    rng = _check_start_arguments(X, n_components, rng)
    kmeans = KMeans(n_clusters=n_components, n_init=1, random_state=_scikit_learn_draws(rng))
    X = _safe_scale(X)
    if X.shape[0] >= ONE_THREAD_BELOW:
        return kmeans.fit(X, sample_weight=sample_weight).labels_
    with _openmp_threads().limit(limits=1, user_api="openmp"):
        return kmeans.fit(X, sample_weight=sample_weight).labels_


@functools.cache
def _openmp_threads():
    """threadpoolctl's view of the loaded thread pools, made once (it scans every library)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def kmeans_responsibilities(X, n_components, rng, sample_weight=None):
    """``init_params='kmeans'``: hard responsibilities from a k-means clustering."""
    labels = kmeans_labels(X, n_components, rng, sample_weight)
    return _one_hot(labels, X.shape[0], n_components)


#: The responsibility-based methods, by their scikit-learn names.
RESPONSIBILITY_STARTS = {
    "kmeans": kmeans_responsibilities,
    "k-means++": kmeans_plusplus_responsibilities,
    "random": random_responsibilities,
    "random_from_data": random_from_data_responsibilities,
}


def scikit_learn_tied_start(X, counts, means, reg_covar, sample_weight=None):
    """The tied covariance scikit-learn starts 'k-means++' and 'random_from_data' from.

    scikit-learn computes a tied covariance as

        (sum_i x_i x_i^T - sum_j N_j mu_j mu_j^T) / sum_j N_j + reg_covar I,

    a shortcut for eq. 5 that holds only when every sample's responsibilities
    sum to 1. These two starts put each component on a single sample, so all
    other rows are 0 and the first sum still counts every sample: the start is
    not eq. 5's (which gives reg_covar I there) but much wider, and it depends
    on where the origin is. emlib reproduces it so that seeded scikit-learn
    code gives scikit-learn's fit; it is only a start (EM's first E-step
    replaces it), and eq. 5 is what every M-step computes.

    ``counts`` and ``means`` are the start's N_j (:func:`emlib.likelihood.effective_counts`,
    with scikit-learn's 10 eps) and mu_j (eq. 4). With sample weights s_i (which
    scikit-learn does not take) the first sum is sum_i s_i x_i x_i^T, so equal
    weights of any size give the unweighted start.
    """
    weighted = X if sample_weight is None else X * sample_weight[:, np.newaxis]
    covariance = weighted.T @ X - (counts * means.T) @ means
    covariance /= counts.sum()
    covariance.flat[::X.shape[1] + 1] += reg_covar
    return covariance


#: The starts that put each component on one sample (scikit-learn's tied start differs there).
SINGLE_SAMPLE_STARTS = ("k-means++", "random_from_data")


#: Every value ``init_params`` accepts.
INIT_METHODS = tuple(RESPONSIBILITY_STARTS) + ("textbook",)


def starting_responsibilities(method, X, n_components, rng, sample_weight=None):
    """Responsibilities from ``method`` (a key of :data:`RESPONSIBILITY_STARTS`) and the
    weights they give (eq. 6), sample weights multiplied in: the first half of every
    responsibility-based start. The family's ``initialise`` (one M-step) is the second.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    responsibilities : ndarray of shape (n_samples, n_components)
        With the sample weights multiplied in, ready for an M-step.
    """
    resp = RESPONSIBILITY_STARTS[method](X, n_components, rng, sample_weight)
    if sample_weight is not None:
        resp = resp * sample_weight[:, np.newaxis]
    return update_weights(resp), resp
