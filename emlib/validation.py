"""Every check on user input, with the message a student needs to fix it.

Validation happens once, at the public boundary (estimator constructors,
``fit``, ``predict``...).  The numerical kernels in the other modules trust
their arguments, the way scikit-learn's do.
"""

import numbers

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
    try:
        array = np.asarray(X)
    except Exception as error:  # ragged lists and the like
        raise ValueError(
            f"{name} must be a rectangular numeric array; numpy could not convert it ({error})."
        ) from None
    if array.dtype == bool:
        array = array.astype(np.float64)
    if not (np.issubdtype(array.dtype, np.number) and not np.iscomplexobj(array)):
        if array.dtype == object:
            for index, value in np.ndenumerate(array):
                if value is None:
                    raise ValueError(
                        f"{name} contains a missing value: {name}{list(index)} = None; every "
                        "entry must be a real number."
                    )
                if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Real):
                    raise TypeError(
                        f"{name} must contain real numbers only; got {name}{list(index)} = "
                        f"{_describe(value)}."
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
            )
        raise ValueError(f"{name} is empty (shape {array.shape}); it needs at least one sample.")
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in bad)
        advice = " Remove or impute those rows before fitting." if name == "X" else ""
        raise ValueError(
            f"{name} contains NaN or infinity: {name}{list(index)} = {array[index]}; every "
            f"value must be finite.{advice}"
        )
    return array


def check_magnitude(X, name="X", limit=1e150):
    """Refuse data so large that squared distances would overflow float64 (about 1.8e308)."""
    largest = float(np.abs(X).max())
    if largest > limit:
        raise ValueError(
            f"{name} has entries as large as {largest:.3g}; squared distances between such "
            f"values overflow float64 (entries must stay below {limit:.0e}). Rescale the data, "
            "e.g. divide it by its standard deviation."
        )
    return X


def check_n_features(X, n_features, name="X"):
    """Refuse data whose number of features differs from the fitted model's."""
    if X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} feature(s) but the model was fitted on "
            f"{n_features} feature(s)."
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


def check_choice(value, name, choices):
    """Refuse a string option that is not one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {_describe(value)}.")
    return value


def check_enough_samples(n_samples, n_components):
    if n_samples < n_components:
        raise ValueError(
            f"n_components={n_components} is larger than the number of samples "
            f"({n_samples}); a mixture needs at least one sample per component."
        )


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
    if weights.sum() <= 0:
        raise ValueError("sample_weight sums to zero; at least one sample needs a positive weight.")
    return weights


def check_weights(weights, n_components, name="weights_init"):
    """Mixture weights: shape (n_components,), each in [0, 1], summing to 1."""
    weights = _check_array_shape(weights, (n_components,), name)
    if np.any(weights < 0) or np.any(weights > 1):
        raise ValueError(
            f"{name} must lie in [0, 1]; got min {weights.min()}, max {weights.max()}."
        )
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
        raise ValueError(
            f"{name} must sum to 1 (a probability vector); got sum {float(weights.sum())!r}.")
    return weights


def check_means(means, n_components, n_features, name="means_init"):
    means = np.asarray(means)
    if n_features == 1 and means.ndim == 1 and means.shape == (n_components,):
        means = means[:, np.newaxis]  # 1-D convenience: one mean per component
    return _check_array_shape(means, (n_components, n_features), name)


def covariance_shape(covariance_type, n_components, n_features):
    """The array shape scikit-learn uses for each covariance type."""
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
    matrices = _check_array_shape(matrices, expected, name)
    if covariance_type in ("diag", "spherical"):
        if np.any(matrices <= 0):
            bad = tuple(int(i) for i in np.argwhere(matrices <= 0)[0])
            raise ValueError(
                f"{name} must be positive (covariance_type={covariance_type!r} holds variances "
                f"or their inverses); got {name}{list(bad)} = {matrices[bad]}."
            )
        return matrices
    stack = matrices[np.newaxis] if covariance_type == "tied" else matrices
    for k, matrix in enumerate(stack):
        # A tied covariance is one matrix, so it gets no index in the message.
        label = name if covariance_type == "tied" else f"{name}[{k}]"
        if not np.allclose(matrix, matrix.T, rtol=1e-10, atol=1e-12):
            raise ValueError(
                f"{label} must be symmetric; it differs from its transpose by up to "
                f"{np.abs(matrix - matrix.T).max():.3g}."
            )
        smallest = np.linalg.eigvalsh(matrix)[0]
        if smallest <= 0:
            raise ValueError(
                f"{label} must be positive definite; its smallest eigenvalue is {smallest:.3g}."
            )
    return matrices


def _check_array_shape(values, shape, name):
    array = check_data(values, name=name, ensure_2d=False, any_ndim=True)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got shape {array.shape}.")
    return array


def check_random_state(random_state):
    """Return a numpy Generator from None, an int, a Generator or a RandomState."""
    if random_state is None or isinstance(random_state, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(random_state, bool):
            raise TypeError("random_state must be None, an int or a numpy random generator; got a bool.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # Share the legacy generator's stream so seeding it still controls us.
        return np.random.Generator(random_state._bit_generator)
    raise TypeError(
        f"random_state must be None, an int, np.random.Generator or np.random.RandomState; "
        f"got {_describe(random_state)}."
    )


def check_is_fitted(estimator, attribute="weights_"):
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} is not fitted yet; call fit(X) before using it."
        )
