"""emlib.plotting.multivariate: ellipse geometry, covariance expansion and the figures."""

import numpy as np
import pytest
from scipy.stats import chi2, multivariate_normal

from emlib import GaussianMixture
from emlib.datasets import correlated_clusters
from emlib.gaussian import full_covariances, log_gaussian_densities
from emlib.plotting import components
from emlib.plotting import multivariate as mv


def rotation(degrees):
    t = np.radians(degrees)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def covariance_from_axes(sigma_major, sigma_minor, degrees):
    """Sigma = R diag(a^2, b^2) R^T: a known eigen-decomposition, built by hand."""
    rot = rotation(degrees)
    return rot @ np.diag([sigma_major**2, sigma_minor**2]) @ rot.T


def patch_boundary(patch, n_points=50):
    """Points on a drawn Ellipse patch, in data coordinates."""
    t = np.linspace(0, 2 * np.pi, n_points, endpoint=False)
    unit_circle = np.column_stack([np.cos(t), np.sin(t)])
    return patch.get_patch_transform().transform(unit_circle)


# ------------------------------------------------------------ ellipse geometry
@pytest.mark.parametrize("degrees", [0.0, 30.0, 60.0, 89.0, -45.0, -10.0])
@pytest.mark.parametrize("n_std", [1.0, 2.0])
def test_ellipse_axes_of_a_known_covariance(degrees, n_std):
    cov = covariance_from_axes(2.0, 0.5, degrees)
    semi_major, semi_minor, angle = components.ellipse_axes(cov, n_std)
    assert semi_major == pytest.approx(2.0 * n_std)
    assert semi_minor == pytest.approx(0.5 * n_std)
    assert angle == pytest.approx(degrees)


def test_ellipse_angle_is_folded_into_minus_90_to_90():
    # an axis at 120 degrees is the same axis as at -60 degrees
    _, _, angle = components.ellipse_axes(covariance_from_axes(3.0, 1.0, 120.0))
    assert angle == pytest.approx(-60.0)
    _, _, angle = components.ellipse_axes(covariance_from_axes(3.0, 1.0, 90.0))
    assert angle == pytest.approx(90.0)


def test_ellipse_of_uncorrelated_covariance_is_axis_aligned():
    semi_major, semi_minor, angle = components.ellipse_axes(np.diag([1.0, 9.0]))
    assert (semi_major, semi_minor) == pytest.approx((3.0, 1.0))
    assert abs(angle) == pytest.approx(90.0)


@pytest.mark.parametrize("n_std", [1, 2])
def test_drawn_ellipse_is_the_mahalanobis_contour(n_std):
    # Independent of eigenvectors: every point on the drawn boundary must have
    # (x - mu)^T Sigma^-1 (x - mu) = n_std^2.
    mean = np.array([1.0, -2.0])
    cov = np.array([[2.5, 1.5], [1.5, 1.2]])
    points = patch_boundary(components.covariance_ellipse(mean, cov, n_std))
    centred = points - mean
    mahalanobis = np.einsum("ij,ij->i", centred, np.linalg.solve(cov, centred.T).T)
    np.testing.assert_allclose(mahalanobis, n_std**2, rtol=1e-9)


def test_one_sigma_ellipse_holds_39_percent_in_2d():
    # In d = 2 the n-sigma ellipse holds 1 - exp(-n^2/2) of the mass (chi^2 with 2 dof).
    rng = np.random.default_rng(1)
    cov = covariance_from_axes(1.5, 0.4, 25.0)
    draws = rng.multivariate_normal([0.0, 0.0], cov, 40_000)
    semi_major, semi_minor, angle = components.ellipse_axes(cov, 1.0)
    along = draws @ rotation(angle)  # coordinates along the ellipse's axes
    inside = (along[:, 0] / semi_major) ** 2 + (along[:, 1] / semi_minor) ** 2 <= 1
    assert inside.mean() == pytest.approx(chi2.cdf(1.0, df=2), abs=0.01)


def test_ellipse_axes_refuses_bad_matrices():
    with pytest.raises(ValueError, match="2 x 2"):
        components.ellipse_axes(np.eye(3))
    with pytest.raises(ValueError, match="positive semi-definite"):
        components.ellipse_axes(np.array([[1.0, 2.0], [2.0, 1.0]]))


# ------------------------------------------------------ covariance expansion
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_full_covariances_give_the_same_densities_as_scipy(covariance_type):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 2))
    means = rng.normal(size=(3, 2))
    covariances = {
        "full": np.array([covariance_from_axes(a, b, t)
                          for a, b, t in [(1.0, 0.3, 10), (2.0, 1.0, -40), (0.5, 0.4, 80)]]),
        "tied": covariance_from_axes(1.2, 0.6, 30),
        "diag": np.array([[1.0, 0.2], [0.5, 2.0], [0.3, 0.3]]),
        "spherical": np.array([0.5, 1.0, 2.0]),
    }[covariance_type]
    stack = full_covariances(covariances, covariance_type, 3, 2)
    assert stack.shape == (3, 2, 2)
    expected = np.column_stack([multivariate_normal(means[k], stack[k]).logpdf(X)
                                for k in range(3)])
    np.testing.assert_allclose(log_gaussian_densities(X, means, covariances, covariance_type),
                               expected, rtol=1e-10)


def test_full_covariances_by_hand():
    np.testing.assert_array_equal(full_covariances([[1.0, 4.0]], "diag", 1, 2),
                                  [[[1.0, 0.0], [0.0, 4.0]]])
    np.testing.assert_array_equal(full_covariances([3.0, 5.0], "spherical", 2, 2),
                                  [np.eye(2) * 3.0, np.eye(2) * 5.0])
    with pytest.raises(ValueError, match="covariance_type"):
        full_covariances(np.eye(2), "round", 1, 2)


def test_classification_uncertainty():
    resp = np.array([[1.0, 0.0, 0.0], [0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(components.classification_uncertainty(resp), [0.0, 0.5, 2 / 3])


# ------------------------------------------------------------------- figures
@pytest.fixture(scope="module")
def data_and_model():
    X, _ = correlated_clusters()
    return X, GaussianMixture(3, n_init=2, random_state=0).fit(X)


def test_plot_covariance_ellipses_draws_each_component_at_each_level():
    means = np.array([[0.0, 0.0], [5.0, 1.0]])
    covariances = np.array([covariance_from_axes(2.0, 0.5, 30),
                            covariance_from_axes(1.0, 0.8, -70)])
    ax = mv.plot_covariance_ellipses(means, covariances, n_std=(1, 2))
    patches = ax.patches
    assert len(patches) == 4
    # each drawn ellipse is the right Mahalanobis contour of its own component
    for patch in patches:
        k = int(np.argmin(np.linalg.norm(means - np.asarray(patch.center), axis=1)))
        centred = patch_boundary(patch) - means[k]
        radius2 = np.einsum("ij,ij->i", centred, np.linalg.solve(covariances[k], centred.T).T)
        assert np.allclose(radius2, 1.0) or np.allclose(radius2, 4.0)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_plot_colours_do_not_depend_on_numbering():
    means = np.array([[0.0, 0.0], [5.0, 1.0]])
    covariances = np.array([0.5, 1.0])
    first = mv.plot_covariance_ellipses(means, covariances, "spherical", n_std=(1,))
    second = mv.plot_covariance_ellipses(means[::-1], covariances[::-1], "spherical",
                                         n_std=(1,))
    colour_at = {tuple(p.center): p.get_edgecolor() for p in first.patches}
    for patch in second.patches:
        assert patch.get_edgecolor() == colour_at[tuple(patch.center)]


def test_uncertainty_plot_makes_doubtful_points_bigger(data_and_model):
    X, model = data_and_model
    ax = mv.plot_uncertainty(X, model)
    doubt = components.classification_uncertainty(model.predict_proba(X))
    sizes, doubts = [], []
    hard = model.predict(X)
    for collection, k in zip(ax.collections, np.lexsort(model.means_.T[::-1])):
        sizes.append(collection.get_sizes())
        doubts.append(doubt[hard == k])
        offsets = collection.get_offsets()
        np.testing.assert_allclose(offsets, X[hard == k])  # every point of label k, once
    sizes, doubts = np.concatenate(sizes), np.concatenate(doubts)
    assert sizes.size == X.shape[0]
    order = np.argsort(doubts)
    assert np.all(np.diff(sizes[order]) >= 0)  # size grows with uncertainty
    assert sizes[order[-1]] > 3 * sizes[order[0]]


def test_plot_covariance_types_titles_show_parameter_counts(data_and_model):
    X, _ = data_and_model
    models = {kind: GaussianMixture(3, covariance_type=kind, random_state=0).fit(X)
              for kind in ("spherical", "diag", "tied", "full")}
    axes = mv.plot_covariance_types(X, models)
    # k = (M - 1) + M d + covariance numbers, with M = 3, d = 2, counted by hand
    expected_k = {"spherical": 2 + 6 + 3, "diag": 2 + 6 + 6, "tied": 2 + 6 + 3, "full": 2 + 6 + 9}
    for ax, kind in zip(axes, models):
        assert ax.get_title().startswith(kind)
        assert f"k = {expected_k[kind]}" in ax.get_title()
        assert len(ax.patches) == 6


def test_plots_refuse_data_that_is_not_2d():
    model = GaussianMixture(1).fit(np.random.default_rng(0).normal(size=(20, 3)))
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\)"):
        mv.plot_classification(np.zeros((20, 3)), model)
