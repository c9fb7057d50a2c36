"""Every check on user input, with the message a student needs to fix it.

Validation happens once, at the public boundary (estimator constructors,
``fit``, ``predict``...).  The numerical kernels in the other modules trust
their array arguments, the way scikit-learn's do, but refuse an unknown
option string (``covariance_type``) rather than fall through to some branch.
"""

import numbers
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import NotFittedError

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def _describe(value):
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (type {type(value).__name__})"


def check_data(X, name="X", ensure_2d=True, any_ndim=False):
    """Return ``X`` as a finite float64 array of shape (n_samples, n_features).

    A 1-D array of shape (n,) is read as n samples of one feature, so the
    course's 1-D examples never need ``reshape(-1, 1)``.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be numeric array-like; got {_describe(X)}.")
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a scipy.sparse matrix ({type(X).__name__} of shape {X.shape}); "
            f"mixture models need dense data. Convert it with {name}.toarray() first."
        )
    try:
        array = np.asarray(X)
    except Exception as error:  # ragged lists and the like
        raise ValueError(
            f"{name} must be a rectangular numeric array; numpy could not convert it ({error})."
        ) from None
    if array.dtype == bool:
        array = array.astype(np.float64)
    if np.iscomplexobj(array):
        # A ValueError, as in scikit-learn: the values, not their type, are wrong.
        raise ValueError(
            f"{name} must contain real numbers; got complex data (an array of dtype "
            f"{array.dtype}). Complex data not supported: pass the real part, the "
            "modulus, or the real and imaginary parts as separate features."
        )
    if not np.issubdtype(array.dtype, np.number):
        if array.dtype == object:
            for index, value in np.ndenumerate(array):
                if value is None:
                    raise ValueError(
                        f"{name} contains a missing value: {name}{list(index)} = None; every "
                        "entry must be a real number."
                    )
                if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
                    # numpy's own words for a non-number, which code may match on.
                    numpy_words = "" if isinstance(value, (str, bytes)) else (
                        f" (float() argument must be a string or a real number, not "
                        f"'{type(value).__name__}'; strings are refused too.)")
                    raise TypeError(
                        f"{name} must contain real numbers only; got {name}{list(index)} = "
                        f"{_describe(value)}.{numpy_words}"
                    )
            array = array.astype(np.float64)
        elif array.dtype.kind in "US":
            raise TypeError(
                f"{name} must contain real numbers; got strings (an array of dtype {array.dtype})."
            )
        else:
            raise TypeError(
                f"{name} must contain real numbers; got an array of dtype {array.dtype}."
            )
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0 and not any_ndim:
        raise ValueError(f"{name} must be a 1-D or 2-D array of samples; got a scalar.")
    if array.ndim == 1 and ensure_2d:
        array = array[:, np.newaxis]
    if array.ndim > 2 and not any_ndim:
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_features); "
            f"got {array.ndim}-D with shape {array.shape}."
        )
    if array.size == 0:
        if array.ndim == 2 and array.shape[0] > 0:
            raise ValueError(
                f"{name} has no features (shape {array.shape}); it needs at least one column."
                + _sklearn_words(f"Found array with 0 feature(s) (shape={array.shape}) while "
                                 "a minimum of 1 is required"))
        raise ValueError(
            f"{name} is empty (shape {array.shape}); it needs at least one sample."
            + _sklearn_words(f"Found array with 0 sample(s) (shape={array.shape}) while a "
                             "minimum of 1 is required"))
    # A finite sum means every entry is finite (inf and NaN propagate), without an
    # n x d mask; only a non-finite sum (or one that overflowed) needs the entries.
    if not np.isfinite(array.sum()) and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in bad)
        advice = " Remove or impute those rows before fitting." if name == "X" else ""
        raise ValueError(
            f"{name} contains NaN or infinity: {name}{list(index)} = {array[index]}; every "
            f"value must be finite.{advice}"
        )
    return array


def output_dtype(X):
    """float32 for float32 input, else float64: the dtype scikit-learn gives results for X.

    emlib computes in float64 always (so float64 results do not change); only
    what it stores and returns for float32 data is cast back to float32.
    """
    return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64


def _is_sparse(X):
    """True for a scipy.sparse matrix or array, without importing scipy for the check."""
    module = type(X).__module__ or ""
    return module.startswith("scipy.sparse") and hasattr(X, "toarray")


def magnitude_limit(n_samples, n_features):
    """The largest |x| for which the M-step's sums of squares stay finite in float64.

    A covariance sums n_samples products of differences up to 2 max|x| over
    n_features coordinates, so n_samples * n_features * (2 max|x|)^2 must
    stay below float64's largest number (1.8e308); a further factor of 100
    leaves room for the E-step.  Capped at 1e150.
    """
    room = np.finfo(np.float64).max / (4.0 * 100.0 * max(n_samples, 1) * max(n_features, 1))
    return min(1e150, float(np.sqrt(room)))


def check_magnitude(X, name="X", limit=None):
    """Refuse data so large that sums of squared distances would overflow float64.

    ``limit`` defaults to :func:`magnitude_limit` for the shape of ``X``.
    """
    if limit is None:
        limit = magnitude_limit(*X.shape)
    largest = largest_magnitude(X)
    if largest > limit:
        raise ValueError(
            f"{name} has entries as large as {largest:.3g}; sums of squared distances between "
            f"such values overflow float64 (for {X.shape[0]} samples of {X.shape[1]} "
            f"feature(s), entries must stay below {limit:.1e}). Rescale the data, e.g. "
            f"divide it by its standard deviation."
        )
    return X


def largest_magnitude(X):
    """max |x| over all entries (0 for none), without an |x| temporary the size of X."""
    return float(max(np.max(X, initial=0.0), -np.min(X, initial=0.0)))


def column_variances(X, weights=None):
    """Each column's (weighted) variance about its (weighted) mean, a block of rows at a time.

    What ``np.average((X - centre) ** 2, axis=0, weights=weights)`` gives, without
    its two n x d temporaries (blocks of :func:`emlib.gaussian_kernels.row_blocks`).
    """
    from .gaussian_kernels import row_blocks  # here: emlib.gaussian_kernels imports this module

    centre = np.average(X, axis=0, weights=weights)
    total = np.zeros(X.shape[1])
    for rows in row_blocks(X.shape[0], X.shape[1]):
        squares = X[rows] - centre
        squares *= squares
        total += squares.sum(axis=0) if weights is None else weights[rows] @ squares
    return total / (X.shape[0] if weights is None else weights.sum())


class ScaleWarning(UserWarning):
    """A setting is out of proportion to the data, so the fit is likely not what was meant."""


#: reg_covar is flagged when it exceeds this fraction of the data's smallest variance.
REG_COVAR_WARNING_FRACTION = 0.01


def user_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first caller outside emlib.

    Counting the frames keeps the warning on the user's line whatever path
    (``fit``, ``fit_predict``, ``scan_models``...) led to it.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


def check_reg_covar_scale(X, reg_covar, name="reg_covar", sample_weight=None):
    """Warn (:class:`ScaleWarning`) if ``reg_covar`` is comparable to the data's own variance.

    ``reg_covar`` is added to every variance in every M-step. Meant as a small
    floor, it blurs and merges clusters once it reaches the spread of the data
    itself (e.g. data at the 1e-6 scale with the default 1e-6). The check
    compares it with the smallest variance of any feature of all the data
    together, and warns when ``reg_covar`` exceeds
    ``REG_COVAR_WARNING_FRACTION`` (1/100) of it. A constant feature (variance
    0 up to rounding) is left out: there ``reg_covar`` is what makes the fit
    possible, and no clusters can merge. Ordinary data sit many orders of
    magnitude above the threshold, so they never warn.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    reg_covar : float
    name : str
        The setting's name, for the message.
    sample_weight : ndarray of shape (n_samples,), optional

    Returns
    -------
    float or None
        The smallest non-zero feature variance (None if none was checked).
    """
    if reg_covar <= 0:
        return None
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        variances = column_variances(X, weights)
    from .gaussian import resolution_floor  # here: emlib.gaussian imports this module

    # Variances float64 cannot tell from zero at the data's magnitude: constant features.
    spread = variances[variances > resolution_floor(X)]
    if spread.size == 0:
        return None
    smallest = float(np.min(spread))
    if not smallest > reg_covar / REG_COVAR_WARNING_FRACTION:
        feature = int(np.flatnonzero(variances == smallest)[0])
        warnings.warn(
            f"{name}={reg_covar:g} is comparable to or larger than the variance of the data "
            f"itself (feature {feature} of X has variance {smallest:.3g}); it is added to every "
            f"variance in each M-step, so it will blur or merge the clusters. Rescale the data "
            f"(e.g. divide it by its standard deviation) or lower {name} (e.g. to "
            f"{1e-6 * smallest:.1e}, a millionth of that variance).",
            ScaleWarning, stacklevel=user_stacklevel())
    return smallest


def check_n_features(X, n_features, name="X", model="the model"):
    """Refuse data whose number of features differs from the fitted model's.

    ``model`` names the estimator (its class name) in scikit-learn's wording.
    """
    if X.shape[1] != n_features:
        hint = ""
        if X.shape[1] == 1 and X.shape[0] == n_features:
            hint = (f" A 1-D {name} is read as {X.shape[0]} samples of one feature. Reshape "
                    f"your data with {name}.reshape(1, -1) if it is one sample of "
                    f"{n_features} features.")
        raise ValueError(
            f"{name} has {X.shape[1]} feature(s) but the model was fitted on "
            f"{n_features} feature(s).{hint}"
            + _sklearn_words(f"{name} has {X.shape[1]} features, but {model} is expecting "
                             f"{n_features} features as input")
        )


def check_int(value, name, minimum):
    """Return ``value`` as an int that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {_describe(value)}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    return int(value)


def check_float(value, name, minimum=0.0):
    """Return ``value`` as a finite float that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= {minimum}; got {_describe(value)}.")
    value = float(value)
    if not np.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}; got {value}.")
    return value


def check_shape(array, expected, name, meaning=""):
    """Refuse an array whose shape differs from ``expected`` (None in it matches any size).

    For the pure functions, which take arrays from each other: a mismatch gets
    this message instead of numpy's broadcasting or matmul error.
    """
    shape = np.shape(array)
    if len(shape) != len(expected) or any(
            want is not None and got != want for got, want in zip(shape, expected)):
        if all(n is None for n in expected):
            raise ValueError(f"{name} must be {len(expected)}-D{meaning}; got shape {shape}.")
        wanted = "(" + ", ".join("any" if n is None else str(n) for n in expected) + \
            ("," if len(expected) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {wanted}{meaning}; got shape {shape}.")
    return array


def check_bool(value, name):
    """Return ``value`` as a bool, refusing anything but a Python or numpy bool.

    ``bool('False')`` is True, so a string (or 0/1) is refused instead of
    being silently read as a truth value.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False (a bool); got {_describe(value)}.")


def check_verbose(value, name="verbose"):
    """A verbosity level: a bool or an int >= 0 (as scikit-learn accepts)."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return check_int(value, name, 0)


def check_choice(value, name, choices):
    """Refuse a string option that is not one of ``choices``."""
    if type(value) is str and value in choices:  # the common case, cheaply (kernels call this)
        return value
    # Compared one by one and by type, so an array or a list gets this message,
    # not numpy's "truth value of an array is ambiguous".
    if not any(isinstance(value, type(choice)) and value == choice for choice in choices):
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {_describe(value)}.")
    return value


def check_enough_samples(n_samples, n_components):
    if n_samples < n_components:
        raise ValueError(
            f"n_components={n_components} is larger than the number of samples "
            f"({n_samples}); a mixture needs at least one sample per component. "
            f"(Expected n_samples >= n_components but got n_components = {n_components}, "
            f"n_samples = {n_samples}.)"
        )


def check_distinct_points(X, n_components, sample_weight=None, reg_covar=0.0):
    """More components than distinct points (with positive weight): refused, or a warning.

    Some component then owns no point of its own: it is empty or a copy of
    another, and the fit is not identifiable. With ``reg_covar=0`` such a
    component's covariance is 0, so the fit is refused; with ``reg_covar > 0``
    every covariance stays positive and the fit is defined, as in
    scikit-learn, so it goes on with a :class:`ScaleWarning` that says so.
    """
    used = X if sample_weight is None else X[sample_weight > 0]
    if n_components <= 1 or np.unique(used[:, 0]).size >= n_components:
        return  # the first column alone already has enough distinct values
    n_distinct = np.unique(used, axis=0).shape[0]
    if n_distinct >= n_components:
        return
    problem = (f"n_components={n_components} is larger than the number of distinct points in X "
               f"({n_distinct}); each component needs points of its own, or it is empty or a "
               "copy of another, and the fit is not identifiable.")
    if reg_covar == 0:
        raise ValueError(
            f"{problem} With reg_covar=0 such a component has a zero covariance. Use at most "
            f"{n_distinct} component(s), or reg_covar > 0." + SKLEARN_COLLAPSE_WORDS)
    warnings.warn(f"{problem} reg_covar={reg_covar:g} keeps every covariance positive, so the "
                  f"fit goes on; at most {n_distinct} of its components can mean anything. Use "
                  f"at most {n_distinct} component(s).", ScaleWarning,
                  stacklevel=user_stacklevel())


def check_sample_weight(sample_weight, n_samples):
    """Return non-negative float weights of shape (n_samples,), ones if None."""
    if sample_weight is None:
        return np.ones(n_samples)
    weights = check_data(sample_weight, name="sample_weight", ensure_2d=False)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; "
            f"got shape {weights.shape}."
        )
    if np.any(weights < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got {weights.min()} at index "
            f"{int(np.argmin(weights))}."
        )
    with np.errstate(over="ignore"):  # an overflowing total is reported below
        total = float(weights.sum())
    if total <= 0:
        raise ValueError("sample_weight sums to zero; at least one sample needs a positive weight.")
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to more than float64 can hold (largest weight "
            f"{weights.max():.3g}); only the ratios of the weights matter, so divide them "
            "by their maximum."
        )
    return weights


def rescale_sample_weight(sample_weight):
    """Weights times a power of two that brings the largest near 1, and that power.

    Only the ratios of the weights matter, and a power-of-two factor is exact,
    so EM on the rescaled weights gives bit for bit the same fit, while sums
    such as sum_i s_i (x_i - mu)^2 cannot overflow for huge weights. Weights
    between 2^-64 and 2^64 are returned as they are.

    Returns
    -------
    weights : ndarray or None
    exponent : int
        ``sample_weight == weights * 2**exponent``; multiply a total ln L
        computed with ``weights`` by ``2**exponent`` to undo the rescaling.
    """
    if sample_weight is None:
        return None, 0
    largest = float(np.max(sample_weight))
    if 2.0**-64 <= largest <= 2.0**64:
        return sample_weight, 0
    exponent = int(np.frexp(largest)[1])
    return np.ldexp(sample_weight, -exponent), exponent


def _sklearn_words(text):
    """scikit-learn's wording of a message, which user code may match on, in brackets."""
    return f" ({text}.)"


#: What scikit-learn says when a component's covariance is not positive definite.
SKLEARN_COLLAPSE_WORDS = _sklearn_words(
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease the "
    "number of components, increase reg_covar, or scale the input data")


def check_weights(weights, n_components, name="weights_init"):
    """Mixture weights: shape (n_components,), each in [0, 1], summing to 1."""
    weights = _check_array_shape(weights, (n_components,), name, "'weights'")
    if np.any(weights < 0) or np.any(weights > 1):
        # scikit-learn prints the smallest weight as "max value" and the largest as "min
        # value"; its words are kept as they are, since code may match on them.
        raise ValueError(
            f"{name} must lie in [0, 1]; got min {weights.min()}, max {weights.max()}."
            + _sklearn_words("scikit-learn's message, with max and min swapped: The "
                             "parameter 'weights' should be in the range [0, 1], but got "
                             f"max value {weights.min():.5f}, min value {weights.max():.5f}")
        )
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
        raise ValueError(
            f"{name} must sum to 1 (a probability vector); got sum {float(weights.sum())!r}."
            + _sklearn_words("The parameter 'weights' should be normalized, but got "
                             f"sum(weights) = {float(weights.sum()):.5f}"))
    return weights


def check_means(means, n_components, n_features, name="means_init"):
    means = np.asarray(means)
    if n_features == 1 and means.ndim == 1 and means.shape == (n_components,):
        means = means[:, np.newaxis]  # 1-D convenience: one mean per component
    return _check_array_shape(means, (n_components, n_features), name, "'means'")


def covariance_shape(covariance_type, n_components, n_features):
    """The array shape scikit-learn uses for each covariance type."""
    check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


def check_covariance_matrices(matrices, covariance_type, n_components, n_features, name):
    """Covariances or precisions in scikit-learn's shape, each positive definite."""
    expected = covariance_shape(covariance_type, n_components, n_features)
    matrices = np.asarray(matrices)
    # 1-D convenience: a (K,) vector of variances also fills a (K, 1, 1) or (K, 1) slot.
    if n_features == 1 and matrices.shape == (n_components,) and expected != matrices.shape:
        matrices = matrices.reshape(expected)
    # scikit-learn names precisions_init by its type, e.g. 'full precision'.
    sklearn_name = f"'{covariance_type} precision'" if name == "precisions_init" else None
    matrices = _check_array_shape(matrices, expected, name, sklearn_name)
    if covariance_type in ("diag", "spherical"):
        if np.any(matrices <= 0):
            bad = tuple(int(i) for i in np.argwhere(matrices <= 0)[0])
            raise ValueError(
                f"{name} must be positive (covariance_type={covariance_type!r} holds variances "
                f"or their inverses); got {name}{list(bad)} = {matrices[bad]}."
                + (_sklearn_words(f"{sklearn_name} should be positive") if sklearn_name else "")
            )
        _check_invertible_in_float64(matrices.ravel(), name)
        return matrices
    stack = matrices[np.newaxis] if covariance_type == "tied" else matrices
    also = (_sklearn_words(f"{sklearn_name} should be symmetric, positive-definite")
            if sklearn_name else "")
    for k, matrix in enumerate(stack):
        # A tied covariance is one matrix, so it gets no index in the message.
        label = name if covariance_type == "tied" else f"{name}[{k}]"
        # Relative to the matrix's own size, so the test means the same at every scale.
        asymmetry = float(np.abs(matrix - matrix.T).max())
        size = float(np.abs(matrix).max())
        if asymmetry > 1e-10 * size:
            raise ValueError(
                f"{label} must be symmetric; it differs from its transpose by up to "
                f"{asymmetry:.3g}, relative to its largest entry {size:.3g} (at most 1e-10 "
                "of it is allowed, for rounding)." + also
            )
        eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
        if eigenvalues[0] <= 0:
            raise ValueError(
                f"{label} must be positive definite; its smallest eigenvalue is "
                f"{eigenvalues[0]:.3g}." + also
            )
        _check_invertible_in_float64(eigenvalues[[0, -1]], label)
    return matrices


def _check_invertible_in_float64(values, label):
    """Refuse positive values whose inverses overflow float64 or fall to subnormals.

    A covariance of 1e-320 is positive, but its precision is 1e320 = inf.
    """
    tiny = np.finfo(np.float64).tiny  # 2.2e-308, the smallest normal number
    values = np.asarray(values, dtype=float)
    if np.any(values < tiny) or np.any(values > 1 / tiny):
        bad = float(values[values < tiny][0] if np.any(values < tiny)
                    else values[values > 1 / tiny][0])
        raise ValueError(
            f"{label} has an eigenvalue (variance or inverse variance) of {bad:.3g}, "
            f"outside float64's normal range [{tiny:.1e}, {1 / tiny:.1e}], so its inverse "
            "is not a usable number. Rescale the data so its variances are of order 1, and "
            "give starting values on that scale."
        )


def _check_array_shape(values, shape, name, sklearn_name=None):
    array = check_data(values, name=name, ensure_2d=False, any_ndim=True)
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape}; got shape {array.shape}."
            + (_sklearn_words(f"The parameter {sklearn_name} should have the shape of {shape}, "
                              f"but got {array.shape}") if sklearn_name else ""))
    return array


def check_random_state(random_state, name="random_state", legacy_seeding=False):
    """Return a numpy Generator from None, an int >= 0, a Generator or a RandomState.

    With ``legacy_seeding=True``, None and an int seed the stream the way
    scikit-learn's ``check_random_state`` does: an int gives numpy's legacy
    ``RandomState(seed)`` stream and None numpy's global one (the one
    ``np.random.seed`` sets); an int of 2**32 or more, which scikit-learn
    refuses, seeds the same kind of generator (MT19937) through a SeedSequence.
    scikit-learn's four start methods draw from that stream, so the same
    ``random_state`` gives scikit-learn's very start.
    Otherwise an int seeds ``np.random.default_rng``, numpy's recommended
    generator.
    """
    if random_state is None or isinstance(random_state, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(random_state, (bool, np.bool_)):
            raise TypeError(f"{name} must be None, an int or a numpy random generator; "
                            f"got a bool ({random_state}).")
        if isinstance(random_state, numbers.Integral) and random_state < 0:
            raise ValueError(f"{name} must be None, a non-negative int seed or a numpy random "
                             f"generator; got {random_state}.")
        if legacy_seeding and random_state is None:
            return np.random.Generator(np.random.get_bit_generator())
        if legacy_seeding and isinstance(random_state, numbers.Integral):
            if random_state >= 2**32:  # beyond legacy seeding (scikit-learn refuses them)
                return np.random.Generator(np.random.MT19937(int(random_state)))
            return np.random.Generator(np.random.RandomState(int(random_state))._bit_generator)
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # Share the legacy generator's stream so seeding it still controls us.
        return np.random.Generator(random_state._bit_generator)
    raise TypeError(
        f"{name} must be None, an int, np.random.Generator or np.random.RandomState; "
        f"got {_describe(random_state)}."
    )


def check_is_fitted(estimator, attribute="weights_"):
    if not hasattr(estimator, attribute):
        # scikit-learn's wording, which code may match on, then what to do.
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator: fit(X) estimates the "
            "mixture that this method uses."
        )


def feature_names(X):
    """The column names of a data frame (pandas, polars...) if they are all strings, else None.

    Duck-typed on a ``columns`` attribute, so pandas is never imported here.
    """
    if isinstance(X, np.ndarray):
        return None
    columns = getattr(X, "columns", None)
    if columns is None or callable(columns):
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0 or not all(isinstance(value, str) for value in names):
        return None
    return names


def record_feature_names(estimator, X):
    """At fit: keep ``feature_names_in_`` when X has string column names (as scikit-learn)."""
    names = feature_names(X)
    if names is not None:
        estimator.feature_names_in_ = names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_


def check_feature_names(estimator, X, name="X"):
    """After fit: refuse a data frame whose columns differ from the fitted ones.

    The columns are matched by name and order, as in scikit-learn; a plain
    array after fitting on a data frame (or the reverse) only warns, since
    its columns cannot be checked.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    names = feature_names(X)
    model = type(estimator).__name__
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(f"{name} has feature names, but this {model} was fitted without them; "
                      "its columns are used in the order given.", UserWarning,
                      stacklevel=user_stacklevel())
        return
    if names is None:
        warnings.warn(f"{name} has no feature names, but this {model} was fitted on columns "
                      f"{list(fitted)}; its columns are taken to be in that order.", UserWarning,
                      stacklevel=user_stacklevel())
        return
    if len(names) != len(fitted) or np.any(names != fitted):
        if set(names) == set(fitted):
            problem = "the same columns in another order"
        else:
            missing = [c for c in fitted if c not in set(names)]
            unexpected = [c for c in names if c not in set(fitted)]
            problem = f"missing {missing}, unexpected {unexpected}"
        raise ValueError(
            f"{name} has columns {list(names)} but this {model} was fitted on columns "
            f"{list(fitted)} ({problem}). Pass the columns the model was fitted on, in the same "
            f"order, e.g. {name}[{list(fitted)}]."
        )
