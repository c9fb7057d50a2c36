"""The data sets of notebook 07 are what their docstrings say."""

import numpy as np
import pytest

from emlib.datasets import CORRELATED_CLUSTERS_TRUTH, correlated_clusters, parallel_strips


def test_correlated_clusters_follow_their_truth():
    X, labels = correlated_clusters(n_samples=30_000, seed=0)
    truth = CORRELATED_CLUSTERS_TRUTH
    assert X.shape == (30_000, 2)
    np.testing.assert_allclose(np.bincount(labels) / len(labels), truth["weights"], atol=1e-3)
    for j in range(3):
        members = X[labels == j]
        np.testing.assert_allclose(members.mean(axis=0), truth["means"][j], atol=0.05)
        np.testing.assert_allclose(np.cov(members.T), truth["covariances"][j], atol=0.06)


def test_correlated_clusters_are_seeded():
    first, second = correlated_clusters(), correlated_clusters()
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.array_equal(first[0], correlated_clusters(seed=8)[0])


@pytest.mark.parametrize("angle", [0.0, 30.0, -50.0])
def test_parallel_strips_geometry(angle):
    X, labels = parallel_strips(n_per_strip=5000, seed=1, length=10.0, gap=1.0,
                                thickness=0.15, angle=angle)
    turn = np.radians(-angle)  # rotate back, by hand
    along = np.cos(turn) * X[:, 0] - np.sin(turn) * X[:, 1]
    across = np.sin(turn) * X[:, 0] + np.cos(turn) * X[:, 1]
    assert np.all(np.abs(along) <= 5.0)
    assert along.std() == pytest.approx(10.0 / np.sqrt(12), rel=0.03)  # uniform on [-5, 5]
    for strip, centre in ((0, -0.5), (1, 0.5)):
        assert across[labels == strip].mean() == pytest.approx(centre, abs=0.01)
        assert across[labels == strip].std() == pytest.approx(0.15, rel=0.05)
