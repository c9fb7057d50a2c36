"""emlib.matching: pairing the components of two fits (label switching)."""

import itertools

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib import GaussianMixture
from emlib.datasets import correlated_clusters
from emlib.matching import match_components


def total_distance(reference, means, order):
    return np.linalg.norm(reference - means[order], axis=1).sum()


@pytest.mark.parametrize("n_components", [2, 3, 5, 8])
def test_recovers_a_known_permutation(n_components):
    rng = np.random.default_rng(n_components)
    reference = rng.normal(scale=10.0, size=(n_components, 2))
    permutation = rng.permutation(n_components)
    # the second fit: the same components, renumbered and slightly moved
    means = np.empty_like(reference)
    means[permutation] = reference + rng.normal(scale=0.01, size=reference.shape)
    order = match_components(reference, means)
    np.testing.assert_array_equal(order, permutation)
    np.testing.assert_allclose(means[order], reference, atol=0.1)


def test_is_optimal_against_brute_force():
    # no structure at all: the answer must still be the best of all 6! orders
    rng = np.random.default_rng(0)
    for _ in range(20):
        reference, means = rng.normal(size=(2, 6, 3))
        order = match_components(reference, means)
        assert sorted(order) == list(range(6))
        best = min(total_distance(reference, means, list(p))
                   for p in itertools.permutations(range(6)))
        assert total_distance(reference, means, order) == pytest.approx(best, abs=1e-12)


def test_beats_greedy_nearest_neighbour():
    # Greedy pairing takes 0 -> 0.6 first and is left with 1 -> -1.5 (total 3.1);
    # the best pairing is 0 -> -1.5, 1 -> 0.6 (total 1.9).
    reference = np.array([[0.0, 0.0], [1.0, 0.0]])
    means = np.array([[0.6, 0.0], [-1.5, 0.0]])
    np.testing.assert_array_equal(match_components(reference, means), [1, 0])


def test_one_dimensional_means():
    np.testing.assert_array_equal(match_components([-1.0, 0.0, 3.0], [3.1, -0.9, 0.1]),
                                  [1, 2, 0])


def test_identity_when_already_aligned():
    means = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(match_components(means, means), np.arange(4))


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="means must have the same shape"):
        match_components(np.zeros((3, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="same shape"):
        match_components(np.zeros((3, 2)), np.zeros((3, 3)))


def test_nan_is_refused():
    with pytest.raises(ValueError, match="means contains NaN"):
        match_components(np.zeros((2, 2)), np.array([[0.0, np.nan], [1.0, 1.0]]))


def test_lines_up_emlib_with_scikit_learn():
    # scikit-learn numbers its components its own way; after matching, the
    # two fits of the same data must agree component by component.
    X, _ = correlated_clusters()
    ours = GaussianMixture(3, random_state=1, tol=1e-6, max_iter=300).fit(X)
    theirs = SklearnGaussianMixture(3, random_state=0, tol=1e-6, max_iter=300).fit(X)
    order = match_components(ours.means_, theirs.means_)
    assert not np.array_equal(order, np.arange(3))  # these two seeds number them differently
    np.testing.assert_allclose(theirs.means_[order], ours.means_, atol=1e-2)
    np.testing.assert_allclose(theirs.weights_[order], ours.weights_, atol=1e-2)
    np.testing.assert_allclose(theirs.covariances_[order], ours.covariances_, atol=1e-2)
