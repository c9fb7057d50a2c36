"""Fixtures shared by the tests: seeded data, explicit EM starts, tidy figures."""

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Close every matplotlib figure a test opened, so memory does not pile up."""
    yield
    plt.close("all")


def _clusters(n_features, rng, sizes=(120, 100, 80)):
    """Three Gaussian clusters with different centres, scales and sizes."""
    centres = np.array([0.0, 4.0, -3.0])[:, np.newaxis] * np.linspace(1.0, 0.5, n_features)
    scales = (1.0, 0.6, 1.4)
    parts = [centre + scale * rng.standard_normal((size, n_features))
             for centre, scale, size in zip(centres, scales, sizes)]
    return np.vstack(parts)


def _start(covariance_type, n_components, n_features, rng):
    """A random but sensible start: (weights, means, precisions) in scikit-learn's shapes."""
    weights = rng.dirichlet(np.full(n_components, 5.0))
    means = rng.normal(0.0, 2.0, size=(n_components, n_features))
    if covariance_type == "full":
        factors = rng.normal(size=(n_components, n_features, n_features))
        precisions = factors @ np.swapaxes(factors, 1, 2) / n_features + np.eye(n_features)
    elif covariance_type == "tied":
        factor = rng.normal(size=(n_features, n_features))
        precisions = factor @ factor.T / n_features + np.eye(n_features)
    elif covariance_type == "diag":
        precisions = rng.uniform(0.3, 2.0, size=(n_components, n_features))
    else:
        precisions = rng.uniform(0.3, 2.0, size=n_components)
    return weights, means, precisions


@pytest.fixture
def clusters():
    """``clusters(n_features, seed)``: 300 samples from three Gaussian clusters."""
    return lambda n_features, seed=0: _clusters(n_features, np.random.default_rng(seed))


@pytest.fixture
def random_start():
    """``random_start(covariance_type, n_components, n_features, seed)``.

    Returns (weights, means, precisions) in scikit-learn's shapes.
    """
    return lambda covariance_type, n_components, n_features, seed=1: _start(
        covariance_type, n_components, n_features, np.random.default_rng(seed))


def _full_covariances(covariances, covariance_type, n_components, n_features):
    """Any covariance type written out as (n_components, n_features, n_features) matrices."""
    covariances = np.asarray(covariances, dtype=float)
    if covariance_type == "full":
        return covariances.reshape(n_components, n_features, n_features)
    if covariance_type == "tied":
        return np.repeat(covariances.reshape(1, n_features, n_features), n_components, axis=0)
    if covariance_type == "diag":
        return np.array([np.diag(row) for row in covariances.reshape(n_components, n_features)])
    return covariances.reshape(n_components, 1, 1) * np.eye(n_features)


@pytest.fixture
def full_covariances():
    """``full_covariances(covariances, covariance_type, n_components, n_features)``."""
    return _full_covariances
