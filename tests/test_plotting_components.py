"""emlib.plotting.components: the one adapter, density and ellipse every figure uses.

The merged helpers must give what the copies they replace gave, for every
kind of model the figures accept. The references are independent of emlib's
plotting code: scipy.stats.norm for densities and distribution functions,
Bayes' rule and scikit-learn's predict_proba for class probabilities,
numpy.linalg.eigvalsh and the Mahalanobis distance for ellipses.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import EllipseCollection
from scipy import integrate, stats
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib import XDGMM, GaussianMixture, Mixture, plotting
from emlib.gaussian import full_covariances
from emlib.plotting import components

KINDS_1D = ["emlib full", "emlib tied", "emlib diag", "emlib spherical", "scikit-learn",
            "Mixture('gaussian')", "XDGMM", "tuple"]
KINDS_2D = ["emlib full", "emlib tied", "emlib diag", "emlib spherical", "scikit-learn",
            "Mixture('gaussian')", "XDGMM"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(-2.0, 1.0, 250), rng.normal(1.5, 0.6, 150),
                           rng.normal(4.0, 0.8, 100)])


@pytest.fixture(scope="module")
def X2():
    rng = np.random.default_rng(4)
    return np.vstack([rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 0.8]], 150),
                      rng.multivariate_normal([4.0, 2.0], [[0.5, -0.2], [-0.2, 0.4]], 100)])


def _fit(kind, X, n_components):
    """A fitted model of the given kind (the tuple: weights, means, sigmas of a fixed mixture)."""
    if kind.startswith("emlib"):
        return GaussianMixture(n_components, covariance_type=kind.split()[1],
                               random_state=0).fit(X)
    if kind == "scikit-learn":
        return SklearnGaussianMixture(n_components, random_state=0).fit(X)
    if kind == "Mixture('gaussian')":
        return Mixture("gaussian", n_components, random_state=0).fit(X)
    if kind == "XDGMM":
        errors = np.broadcast_to(0.01 * np.eye(X.shape[1]), (X.shape[0],) + (X.shape[1],) * 2)
        return XDGMM(n_components, random_state=0).fit(X, errors)
    return (np.array([0.3, 0.5, 0.2]), np.array([1.5, -2.0, 4.0]), np.array([0.6, 1.0, 0.8]))


def _raw_parameters(model):
    """(weights, means, sigmas) read straight off the model, in its own order."""
    if isinstance(model, tuple):
        return model
    means = model.means_[:, 0]
    variances = np.asarray(model.covariances_).ravel() * np.ones_like(means)  # tied: one value
    return model.weights_, means, np.sqrt(variances)


def _scipy_components(grid, model):
    """alpha_j N(x | mu_j, sigma_j) by scipy, rows sorted by mean."""
    weights, means, sigmas = _raw_parameters(model)
    rows = [w * stats.norm.pdf(grid, m, s) for w, m, s in zip(weights, means, sigmas)]
    return np.array(rows)[np.argsort(means)]


@pytest.fixture(scope="module", params=KINDS_1D)
def model_1d(request, x):
    return _fit(request.param, x[:, np.newaxis], 3)


# -------------------------------------------------------------- the 1-D curves
def test_density_curves_match_scipy_for_every_kind_of_model(model_1d):
    grid = np.linspace(-7.0, 9.0, 801)
    total, parts = components.mixture_density_curves(grid, model_1d)
    expected = _scipy_components(grid, model_1d)
    np.testing.assert_allclose(parts, expected, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(total, expected.sum(axis=0), rtol=1e-10)
    if hasattr(model_1d, "score_samples") and not isinstance(model_1d, XDGMM):
        # The fit's own density (XDGMM's needs each point's error, so it is left out).
        np.testing.assert_allclose(total, np.exp(model_1d.score_samples(grid[:, None])),
                                   rtol=1e-8)


def test_responsibility_curves_follow_bayes_rule_for_every_kind_of_model(model_1d):
    grid = np.linspace(-7.0, 9.0, 401)
    curves = components.responsibility_curves(grid, model_1d)
    joint = _scipy_components(grid, model_1d)
    np.testing.assert_allclose(curves, joint / joint.sum(axis=0), rtol=1e-9, atol=1e-12)
    probabilities, lower, upper = plotting.class_probability_bands(model_1d, grid)
    np.testing.assert_allclose(probabilities, curves.T)
    np.testing.assert_allclose(upper[-1], 1.0)
    np.testing.assert_allclose(upper - lower, curves, atol=1e-12)  # heights of the stacked bands


def test_responsibility_curves_match_scikit_learn(x):
    model = SklearnGaussianMixture(3, random_state=0).fit(x[:, None])
    grid = np.linspace(-6.0, 7.0, 300)
    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(components.responsibility_curves(grid, model),
                               model.predict_proba(grid[:, None])[:, order].T, atol=1e-10)


def test_cdf_is_the_integral_of_the_density_and_counts_sum_to_one(model_1d):
    grid = np.linspace(-12.0, 14.0, 20001)
    total, _ = components.mixture_density_curves(grid, model_1d)
    cdf = plotting.gaussian_mixture_cdf(model_1d, grid)
    np.testing.assert_allclose(cdf, integrate.cumulative_trapezoid(total, grid, initial=0.0),
                               atol=1e-6)
    counts = np.arange(-30, 31)
    probabilities = plotting.gaussian_mixture_count_probabilities(model_1d, counts)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.all(probabilities >= 0)


def test_parameters_are_sorted_by_mean_and_sigmas_are_standard_deviations(model_1d):
    weights, means, sigmas = components.mixture_parameters(model_1d)
    raw_weights, raw_means, raw_sigmas = _raw_parameters(model_1d)
    order = np.argsort(raw_means)
    np.testing.assert_array_equal(means, np.asarray(raw_means)[order])
    np.testing.assert_array_equal(weights, np.asarray(raw_weights)[order])
    np.testing.assert_allclose(sigmas, np.asarray(raw_sigmas)[order])


def test_parameters_refuse_what_is_not_a_fitted_1d_gaussian_mixture(x):
    counts = np.random.default_rng(0).poisson(3.0, 100)[:, None]
    poisson = Mixture("poisson", 2, random_state=0).fit(counts)
    with pytest.raises(TypeError, match=r"Mixture\('poisson'\) without means_, covariances_"):
        components.mixture_parameters(poisson)
    student = Mixture("student_t", 2, random_state=0).fit(x[:, None])
    with pytest.raises(TypeError, match="without covariances_"):
        components.mixture_parameters(student)
    with pytest.raises(TypeError, match="fitted Gaussian mixture"):
        components.mixture_parameters(SklearnGaussianMixture(2))  # not fitted
    with pytest.raises(ValueError, match="finite"):
        components.mixture_parameters(([0.5, 0.5], [0.0, np.nan], [1.0, 1.0]))
    with pytest.raises(ValueError, match="grid must be finite"):
        components.mixture_density_curves([0.0, np.inf], ([1.0], [0.0], [1.0]))


def test_default_grid_covers_the_data_and_four_sigma():
    mixture = ([0.5, 0.5], [0.0, 10.0], [1.0, 2.0])
    grid = components.default_grid(mixture)
    assert (grid[0], grid[-1]) == pytest.approx((-4.0, 18.0))
    grid = components.default_grid(mixture, x=np.array([-9.0, 3.0]), n_points=11)
    assert (grid[0], grid[-1], grid.size) == pytest.approx((-9.0, 18.0, 11))


# ---------------------------------------------------------------- the ellipses
def _random_covariances(n, seed=5):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, 2, 2))
    return factors @ np.swapaxes(factors, 1, 2) + 0.05 * np.eye(2)


@pytest.mark.parametrize("n_std", [1.0, 2.5])
def test_ellipse_axes_of_a_stack_match_eigh(n_std):
    covariances = _random_covariances(40)
    semi_major, semi_minor, angles = components.ellipse_axes(covariances, n_std)
    eigenvalues = np.linalg.eigvalsh(covariances)  # ascending
    np.testing.assert_allclose((semi_major / n_std) ** 2, eigenvalues[:, 1], rtol=1e-10)
    np.testing.assert_allclose((semi_minor / n_std) ** 2, eigenvalues[:, 0], rtol=1e-10)
    # The major axis's direction is an eigenvector of the larger eigenvalue.
    directions = np.column_stack([np.cos(np.radians(angles)), np.sin(np.radians(angles))])
    images = np.einsum("nab,nb->na", covariances, directions)
    np.testing.assert_allclose(images, eigenvalues[:, 1:] * directions, atol=1e-9)
    assert np.all((angles > -90.0) & (angles <= 90.0))
    # A single matrix gives the same as its entry of the stack, as floats.
    single = components.ellipse_axes(covariances[7], n_std)
    assert all(isinstance(value, float) for value in single)
    assert single == pytest.approx((semi_major[7], semi_minor[7], angles[7]))


def test_ellipse_axes_of_a_singular_covariance_is_a_segment():
    semi_major, semi_minor, angle = components.ellipse_axes(np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert semi_major == pytest.approx(np.sqrt(2.0))
    assert semi_minor == pytest.approx(0.0, abs=1e-7)
    assert angle == pytest.approx(45.0)


def test_ellipse_axes_refuse_what_is_no_covariance():
    with pytest.raises(ValueError, match="positive semi-definite"):
        components.ellipse_axes(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]))
    with pytest.raises(ValueError, match="2 x 2"):
        components.ellipse_axes(np.ones((3, 2, 3)))
    with pytest.raises(ValueError, match="finite"):
        components.ellipse_axes(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_error_ellipses_are_those_of_each_points_covariance():
    covariances = _random_covariances(30, seed=6)
    X = np.random.default_rng(7).normal(size=(30, 2))
    ax = plotting.plot_error_ellipses(X, covariances, n_std=2.0)
    (collection,) = [c for c in ax.collections if isinstance(c, EllipseCollection)]
    eigenvalues = np.linalg.eigvalsh(covariances)
    np.testing.assert_allclose(collection.get_widths(), 2 * 2.0 * np.sqrt(eigenvalues[:, 1]))
    np.testing.assert_allclose(collection.get_heights(), 2 * 2.0 * np.sqrt(eigenvalues[:, 0]))
    np.testing.assert_allclose(collection.get_offsets(), X)
    with pytest.raises(ValueError, match=r"error_covariances must have shape \(30, 2, 2\)"):
        plotting.plot_error_ellipses(X, covariances[:5])


def _boundary(patch, n_points=40):
    t = np.linspace(0, 2 * np.pi, n_points, endpoint=False)
    return patch.get_patch_transform().transform(np.column_stack([np.cos(t), np.sin(t)]))


def test_drawn_ellipses_are_mahalanobis_contours_in_sorted_colours():
    means = np.array([[3.0, 0.0], [-1.0, 2.0], [-1.0, -2.0]])
    covariances = _random_covariances(3, seed=8)
    _, ax = plt.subplots()
    components.draw_covariance_ellipses(ax, means, covariances, n_std=(1, 2), first_colour=1,
                                        mark_means=True)
    assert len(ax.patches) == 6 and len(ax.lines) == 3
    for patch in ax.patches:
        k = int(np.argmin(np.linalg.norm(means - np.asarray(patch.center), axis=1)))
        centred = _boundary(patch) - means[k]
        distance2 = np.einsum("ij,ij->i", centred, np.linalg.solve(covariances[k], centred.T).T)
        n_std = 1 if patch.get_linestyle() == "-" else 2
        np.testing.assert_allclose(distance2, n_std**2, rtol=1e-9)
    # Drawing order is by mean, (-1, -2) first, and the palette starts at its second colour.
    centres = [tuple(patch.center) for patch in ax.patches[::2]]
    assert centres == [(-1.0, -2.0), (-1.0, 2.0), (3.0, 0.0)]
    colours = [patch.get_edgecolor() for patch in ax.patches[::2]]
    expected = [plt.matplotlib.colors.to_rgba(c) for c in plotting.PALETTE[1:4]]
    assert colours == expected
    with pytest.raises(ValueError, match=r"covariances must have shape \(3, 2, 2\)"):
        components.draw_covariance_ellipses(ax, means, covariances[:2])


# ------------------------------------------------ every figure, every kind of model
def test_every_1d_figure_draws_every_kind_of_model(model_1d, x):
    expected_total = _scipy_components(np.sort(x), model_1d).sum(axis=0)
    grid = np.sort(x)
    ax = plotting.plot_mixture_fit(x, model_1d, truth=model_1d, grid=grid)
    mixture_line = [line for line in ax.get_lines() if line.get_label() == "mixture $p(x)$"]
    np.testing.assert_allclose(mixture_line[0].get_ydata(), expected_total, rtol=1e-10)
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "density"
    ax = plotting.plot_responsibilities(model_1d, data=x)
    assert len(ax.get_lines()) == 3 + 1  # a curve per component and the rug
    ax = plotting.plot_class_probability_bands(model_1d)
    assert len(ax.collections) == 3
    ax = plotting.plot_class_uncertainty(model_1d, data=x)
    curve = ax.get_lines()[0]
    joint = _scipy_components(curve.get_xdata(), model_1d)
    np.testing.assert_allclose(curve.get_ydata(), 1 - joint.max(axis=0) / joint.sum(axis=0),
                               atol=1e-12)
    fig = plotting.plot_fit_snapshots(x, [model_1d, model_1d], titles=["a", "b"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    ax = plotting.plot_intrinsic_components(x, {"fit": model_1d})
    expected = _scipy_components(ax.get_lines()[0].get_xdata(), model_1d)
    np.testing.assert_allclose([line.get_ydata() for line in ax.get_lines()], expected,
                               rtol=1e-10, atol=1e-300)


def test_waiting_time_figure_contrasts_every_kind_of_gaussian_mixture(model_1d):
    times = np.random.default_rng(9).exponential(2.0, 300)
    exponential = Mixture("exponential", 2, random_state=0).fit(times[:, None])
    ax = plotting.plot_waiting_time_fit(times, exponential, gaussian=model_1d)
    (contrast,) = [line for line in ax.get_lines()
                   if line.get_label().startswith("Gaussian mixture")]
    expected = _scipy_components(contrast.get_xdata(), model_1d).sum(axis=0)
    np.testing.assert_allclose(contrast.get_ydata(), expected, rtol=1e-10)


@pytest.fixture(scope="module", params=KINDS_2D)
def model_2d(request, X2):
    return _fit(request.param, X2, 2)


def _full_covariances(model):
    covariance_type = getattr(model, "covariance_type", "full")
    return full_covariances(model.covariances_, covariance_type, 2, 2)


def test_every_2d_figure_draws_every_kind_of_model(model_2d, X2):
    ax = plotting.plot_model(X2, model_2d)
    assert len(ax.patches) == 4  # 1 and 2 sigma for each of 2 components
    stack = _full_covariances(model_2d)
    for patch in ax.patches:
        k = int(np.argmin(np.linalg.norm(model_2d.means_ - np.asarray(patch.center), axis=1)))
        centred = _boundary(patch) - model_2d.means_[k]
        distance2 = np.einsum("ij,ij->i", centred, np.linalg.solve(stack[k], centred.T).T)
        assert np.allclose(distance2, 1.0) or np.allclose(distance2, 4.0)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    if not isinstance(model_2d, XDGMM):  # XDGMM's ln L and class probabilities need the errors
        axes = plotting.plot_covariance_types(X2, {"a": model_2d, "b": model_2d})
        assert [len(ax.patches) for ax in axes] == [4, 4]
        ax = plotting.plot_uncertainty(X2, model_2d)
        assert sum(len(c.get_offsets()) for c in ax.collections) == X2.shape[0]


def test_outlier_and_deconvolution_figures_take_each_full_covariance_model(X2):
    student_t = Mixture("student_t", 2, random_state=0).fit(X2)
    errors = np.broadcast_to(0.05 * np.eye(2), (X2.shape[0], 2, 2))
    xd = XDGMM(2, random_state=0).fit(X2, errors)
    for gaussian in (GaussianMixture(2, random_state=0).fit(X2),
                     SklearnGaussianMixture(2, random_state=0).fit(X2),
                     Mixture("gaussian", 2, random_state=0).fit(X2)):
        fig = plotting.plot_outlier_fits(X2, gaussian, student_t)
        assert [len(ax.patches) for ax in fig.axes] == [4, 4]
        axes = plotting.plot_deconvolution(X2, errors, gaussian, xd, n_samples=50)
        assert [len(ax.patches) for ax in axes] == [0, 4, 4, 0]
        plt.close("all")
