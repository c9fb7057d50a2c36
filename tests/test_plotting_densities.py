"""Tests of emlib.plotting.densities (and the curves of emlib.plotting.components it draws).

References: scipy.stats.norm for densities, scikit-learn's predict_proba for
class probabilities, numerical integration for areas.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib import GaussianMixture
from emlib.plotting import components, densities

MIXTURE = (np.array([0.2, 0.5, 0.3]), np.array([2.0, -1.0, 4.0]), np.array([0.8, 1.2, 0.5]))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return np.concatenate([rng.normal(-1, 1.2, 250), rng.normal(2, 0.8, 100),
                           rng.normal(4, 0.5, 150)])


def _labelled_lines(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_parameters_from_a_tuple_are_sorted_by_mean():
    weights, means, sigmas = components.mixture_parameters(MIXTURE)
    np.testing.assert_array_equal(means, [-1.0, 2.0, 4.0])
    np.testing.assert_array_equal(weights, [0.5, 0.2, 0.3])
    np.testing.assert_array_equal(sigmas, [1.2, 0.8, 0.5])


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("library", [GaussianMixture, SklearnGaussianMixture])
def test_parameters_from_fitted_models(library, covariance_type, data):
    model = library(3, covariance_type=covariance_type, random_state=0).fit(data[:, None])
    weights, means, sigmas = components.mixture_parameters(model)
    order = np.argsort(model.means_[:, 0])
    variances = np.broadcast_to(np.asarray(model.covariances_).ravel(), (3,))
    np.testing.assert_allclose(means, model.means_[order, 0])
    np.testing.assert_allclose(weights, model.weights_[order])
    np.testing.assert_allclose(sigmas, np.sqrt(variances[order]))


def test_parameters_refuse_a_two_dimensional_model_and_bad_tuples():
    two_d = GaussianMixture(2, random_state=0).fit(np.random.default_rng(1).normal(size=(50, 2)))
    with pytest.raises(ValueError, match="one feature"):
        components.mixture_parameters(two_d)
    with pytest.raises(ValueError, match="same length"):
        components.mixture_parameters(([0.5, 0.5], [0.0], [1.0, 1.0]))
    with pytest.raises(ValueError, match="positive"):
        components.mixture_parameters(([0.5, 0.5], [0.0, 1.0], [1.0, 0.0]))
    with pytest.raises(TypeError, match="tuple"):
        components.mixture_parameters("not a model")


def test_density_curves_match_scipy_and_integrate_to_the_weights():
    grid = np.linspace(-10, 12, 8001)
    total, parts = components.mixture_density_curves(grid, MIXTURE)
    weights, means, sigmas = components.mixture_parameters(MIXTURE)
    expected = np.array([w * stats.norm.pdf(grid, m, s) for w, m, s in zip(weights, means, sigmas)])
    np.testing.assert_allclose(parts, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(total, expected.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(np.trapezoid(parts, grid, axis=1), weights, rtol=1e-6)


def test_responsibility_curves_match_scikit_learn(data):
    model = SklearnGaussianMixture(3, random_state=0).fit(data[:, None])
    grid = np.linspace(-5, 7, 300)
    curves = components.responsibility_curves(grid, model)
    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(curves, model.predict_proba(grid[:, None])[:, order].T, atol=1e-10)
    np.testing.assert_allclose(curves.sum(axis=0), 1.0)


def test_mixture_fit_draws_mixture_components_and_truth(data):
    ax = densities.plot_mixture_fit(data, MIXTURE, truth=MIXTURE, bins=30)
    labels = [line.get_label() for line in _labelled_lines(ax)]
    assert len(labels) == 5  # truth, 3 components, mixture
    assert labels[0] == "true density" and labels[-1] == "mixture $p(x)$"
    assert sum(r"\mathcal{N}" in label for label in labels) == 3
    assert len(ax.patches) == 30  # the histogram's bars
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "density"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "data" in legend


def test_mixture_fit_without_components_or_legend_draws_only_the_mixture():
    ax = densities.plot_mixture_fit(model=MIXTURE, components=False, legend=False)
    assert [line.get_label() for line in _labelled_lines(ax)] == ["mixture $p(x)$"]
    assert ax.get_legend() is None


def test_mixture_fit_refuses_nothing_to_draw_and_mismatched_labels(data):
    with pytest.raises(ValueError, match="needs data"):
        densities.plot_mixture_fit()
    with pytest.raises(ValueError, match="labels"):
        densities.plot_mixture_fit(data, MIXTURE, labels=[0, 1])


def test_mixture_fit_stacks_the_histogram_by_label_on_a_given_axes(data):
    _, ax = plt.subplots()
    labels = np.repeat([0, 1, 2], [250, 100, 150])
    returned = densities.plot_mixture_fit(data, MIXTURE, ax=ax, labels=labels, bins=20)
    assert returned is ax
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert [name for name in legend if name.startswith("data of class")] == [
        "data of class 1", "data of class 2", "data of class 3"]
    assert len(ax.patches) == 3 * 20


def test_responsibilities_draw_one_curve_per_component_plus_sum_and_rug(data):
    grid = np.linspace(-6, 8, 200)
    ax = densities.plot_responsibilities(MIXTURE, grid=grid, data=data, show_sum=True)
    lines = _labelled_lines(ax)
    assert [line.get_label() for line in lines] == [
        r"$p(j=1 \mid x)$", r"$p(j=2 \mid x)$", r"$p(j=3 \mid x)$", r"$\sum_j p(j \mid x)$", "data"]
    curves = components.responsibility_curves(grid, MIXTURE)
    for line, curve in zip(lines[:3], curves):
        np.testing.assert_allclose(line.get_ydata(), curve)
    np.testing.assert_allclose(lines[3].get_ydata(), 1.0)
    assert len(lines[4].get_xdata()) == data.size


def test_traces_plot_ln_l_or_the_gap_on_a_log_axis():
    first, second = np.array([-10.0, -5.0, -3.0, -2.5]), np.array([-12.0, -4.0, -2.2])
    ax = densities.plot_log_likelihood_traces([first, second], labels=["a", "b"])
    lines = _labelled_lines(ax)
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(lines[0].get_ydata(), first)

    ax = densities.plot_log_likelihood_traces(first, maximum=-2.0, log_iterations=True)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [3.0, 1.0, 0.5])
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"


def test_traces_hide_non_positive_gaps_and_check_labels():
    ax = densities.plot_log_likelihood_traces(np.array([-3.0, -1.0, -1.0]), maximum=-1.0)
    assert np.isnan(ax.get_lines()[0].get_ydata()[1:]).all()
    with pytest.raises(ValueError, match="one entry per trace"):
        densities.plot_log_likelihood_traces([[-2.0, -1.0]], labels=["a", "b"])


def test_snapshots_draw_one_panel_per_model_with_a_shared_legend(data):
    four = (np.full(4, 0.25), np.array([-1.0, 1.0, 2.0, 4.0]), np.ones(4))
    models = [MIXTURE, MIXTURE, four]
    fig = densities.plot_fit_snapshots(data, models, titles=["a", "b", "c"], truth=MIXTURE,
                                       ncols=2)
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b", "c"]
    assert [len(_labelled_lines(ax)) for ax in visible] == [5, 5, 6]
    assert not fig.axes[3].get_visible()
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert sum(r"\mathcal{N}" in name for name in legend) == 4  # the union over all panels
    with pytest.raises(ValueError, match="titles"):
        densities.plot_fit_snapshots(data, models, titles=["only one"])


def test_profile_is_drawn_relative_to_the_maximum():
    values, log_likelihoods = np.array([-2.0, -1.0, 0.0]), np.array([-11.0, -10.0, -10.5])
    ax = densities.plot_log_likelihood_profile(values, log_likelihoods, truth=-1.5)
    profile = ax.get_lines()[0]
    np.testing.assert_allclose(profile.get_ydata(), [-1.0, 0.0, -0.5])
    labels = [line.get_label() for line in _labelled_lines(ax)]
    assert labels[1:] == ["0.5 below the maximum", "true value"]
