"""Figures of notebooks 04-05: information criteria against M, class-probability bands,
the uncertainty of the hard label, the confusion matrix and the three-panel figure.

The references are independent of the plotting code: the criteria are
recomputed from ln L and k with the formulas, and the class probabilities
come from scikit-learn's ``predict_proba``.
"""

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib import scan_models
from emlib.datasets import text_mixture
from emlib.plotting import (
    class_probability_bands,
    plot_class_probability_bands,
    plot_class_uncertainty,
    plot_confusion_matrix,
    plot_criterion_differences,
    plot_information_criteria,
    plot_three_panels,
)


@pytest.fixture(scope="module")
def data():
    return text_mixture()[0]


@pytest.fixture(scope="module")
def scan(data):
    return scan_models(data, range(1, 6), n_init=1, random_state=0)


@pytest.fixture(scope="module")
def two_type_scan(data):
    return scan_models(data, range(1, 4), ("full", "tied"), n_init=1, random_state=0)


@pytest.fixture(scope="module")
def sklearn_model(data):
    # Fitted by scikit-learn, whose components come in an arbitrary order.
    return SklearnGaussianMixture(3, random_state=1).fit(data.reshape(-1, 1))


def _criterion_from_row(row, criterion, n_samples):
    k, log_l = row["n_parameters"], row["log_likelihood"]
    penalty = {"aic": 2.0 * k, "bic": k * np.log(n_samples)}[criterion]
    return -2.0 * log_l + penalty


def _lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


# ------------------------------------------------------ information criteria
def test_criteria_curves_are_the_formulas_and_the_minimum_is_circled(scan, data):
    ax = plot_information_criteria(scan, ("aic", "bic"))
    lines = _lines_by_label(ax)
    for criterion, name in (("aic", "AIC"), ("bic", "BIC")):
        expected = [_criterion_from_row(row, criterion, data.size) for row in scan.rows]
        np.testing.assert_allclose(lines[name].get_ydata(), expected, rtol=1e-12)
        np.testing.assert_array_equal(lines[name].get_xdata(), np.arange(1, 6))
        best_m = int(np.argmin(expected)) + 1
        marker = lines[f"smallest {name}: M = {best_m}"]
        assert marker.get_xdata()[0] == best_m
        assert marker.get_ydata()[0] == pytest.approx(min(expected))
        assert marker.get_markerfacecolor() == "none"
    assert "M" in ax.get_xlabel() and "criterion" in ax.get_ylabel()
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "AIC" in legend_texts and "BIC" in legend_texts
    # The two criteria are told apart by line style as well as colour.
    assert lines["AIC"].get_linestyle() != lines["BIC"].get_linestyle()


def test_several_covariance_types_get_one_curve_each(two_type_scan):
    ax = plot_information_criteria(two_type_scan, ("bic",), title="two types")
    lines = _lines_by_label(ax)
    assert {"BIC (full)", "BIC (tied)"} <= set(lines)
    assert lines["BIC (full)"].get_color() != lines["BIC (tied)"].get_color()
    for kind in ("full", "tied"):
        np.testing.assert_allclose(lines[f"BIC ({kind})"].get_ydata(),
                                   two_type_scan.column("bic", kind))
    best_m, best_kind = two_type_scan.best_by("bic")
    assert f"smallest BIC: M = {best_m}, {best_kind}" in lines
    assert ax.get_title() == "two types"


def test_only_the_requested_covariance_type_is_drawn(two_type_scan):
    ax = plot_information_criteria(two_type_scan, "aic", covariance_types="tied",
                                   mark_best=False)
    assert [line.get_label() for line in ax.get_lines()] == ["AIC"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), two_type_scan.column("aic", "tied"))


@pytest.mark.parametrize("kwargs, words", [
    ({"criteria": ("aic", "hqic")}, "hqic"),
    ({"criteria": ()}, "at least one"),
    ({"covariance_types": "diag"}, "diag"),
])
def test_bad_arguments_are_refused_with_their_name(scan, kwargs, words):
    with pytest.raises(ValueError, match=words):
        plot_information_criteria(scan, **kwargs)


def test_differences_are_zero_at_the_chosen_m(scan, two_type_scan):
    ax = plot_criterion_differences(scan, ("aic", "bic", "icl"))
    for line, criterion in zip(ax.get_lines(), ("aic", "bic", "icl")):
        values = scan.column(criterion)
        np.testing.assert_allclose(line.get_ydata(), values - values.min())
        assert line.get_xdata()[np.argmin(line.get_ydata())] == scan.best_by(criterion)[0]
    with pytest.raises(ValueError, match="several covariance types"):
        plot_criterion_differences(two_type_scan)
    ax = plot_criterion_differences(two_type_scan, "bic", covariance_type="tied", symlog=True)
    assert ax.get_yscale() == "symlog"
    values = two_type_scan.column("bic", "tied")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), values - values.min())


# ------------------------------------------------------ class probabilities
def test_bands_stack_to_one_and_their_heights_are_predict_proba(sklearn_model):
    grid = np.linspace(-6, 6, 301)
    probabilities, lower, upper = class_probability_bands(sklearn_model, grid)
    order = np.argsort(sklearn_model.means_.ravel())
    reference = sklearn_model.predict_proba(grid.reshape(-1, 1))[:, order]
    np.testing.assert_allclose(probabilities, reference, atol=1e-12)
    np.testing.assert_allclose(upper[-1], 1.0, atol=1e-12)
    np.testing.assert_allclose(lower[0], 0.0)
    np.testing.assert_allclose(upper - lower, reference.T, atol=1e-12)
    np.testing.assert_allclose(lower[1:], upper[:-1])


def test_bands_do_not_depend_on_the_fit_order(sklearn_model):
    weights = sklearn_model.weights_
    means = sklearn_model.means_.ravel()
    sigmas = np.sqrt(sklearn_model.covariances_.ravel())
    grid = np.linspace(-5, 5, 101)
    reversed_bands = class_probability_bands((weights[::-1], means[::-1], sigmas[::-1]), grid)
    for ours, theirs in zip(class_probability_bands(sklearn_model, grid), reversed_bands):
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_band_figure_draws_one_filled_band_per_component(sklearn_model):
    grid = np.linspace(-6, 6, 200)
    ax = plot_class_probability_bands(sklearn_model, grid, legend=True)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3
    assert ax.get_ylim() == (0.0, 1.0)
    assert [t.get_text() for t in ax.texts] == ["$j$ = 1", "$j$ = 2", "$j$ = 3"]
    # Band j is drawn in component j's colour, j = 1 for the smallest mean.
    colours = [tuple(np.round(b.get_facecolor()[0][:3], 3)) for b in bands]
    assert len(set(colours)) == 3
    assert "p(j" in ax.get_ylabel() and "x" in ax.get_xlabel()
    # Each band's label sits where that component is most probable.
    mean_order = np.sort(sklearn_model.means_.ravel())
    label_x = [t.get_position()[0] for t in ax.texts]
    assert label_x == sorted(label_x)
    assert label_x[2] == pytest.approx(mean_order[2], abs=1.5)


def test_band_figure_refuses_multivariate_models():
    X = np.random.default_rng(0).normal(size=(50, 2))
    model = SklearnGaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="1-D"):
        plot_class_probability_bands(model)


def test_uncertainty_curve_is_one_minus_the_largest_probability(sklearn_model, data):
    grid = np.linspace(-6, 6, 150)
    ax = plot_class_uncertainty(sklearn_model, grid, data=data)
    lines = ax.get_lines()
    reference = 1 - sklearn_model.predict_proba(grid.reshape(-1, 1)).max(axis=1)
    np.testing.assert_allclose(lines[0].get_ydata(), reference, atol=1e-12)
    assert lines[1].get_ydata()[0] == pytest.approx(1 - 1 / 3)
    np.testing.assert_array_equal(lines[2].get_xdata(), data)  # the rug
    assert np.all(lines[0].get_ydata() <= 1 - 1 / 3 + 1e-12)


def test_confusion_matrix_writes_every_count():
    matrix = np.array([[5, 1, 0], [2, 7, 0], [0, 3, 9]])
    ax = plot_confusion_matrix(matrix, title="counts")
    texts = {(t.get_position()[1], t.get_position()[0]): t.get_text() for t in ax.texts}
    for (i, j), count in np.ndenumerate(matrix):
        assert texts[(i, j)] == str(count)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert ax.get_xlabel() == "hard label" and ax.get_ylabel() == "true component"
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.ones((2, 3)))


def test_three_panel_figure(sklearn_model, scan, data):
    figure, axes = plot_three_panels(data, sklearn_model, scan)
    assert len(figure.axes) == 3
    left, middle, right = axes
    assert len(left.patches) > 0  # the histogram
    assert len(left.get_lines()) == 4  # three components and the mixture
    assert {"AIC", "BIC"} <= {line.get_label() for line in middle.get_lines()}
    assert len([c for c in right.collections if isinstance(c, PolyCollection)]) == 3
    # Left and right panels give component j the same colour.
    left_colours = [line.get_color() for line in left.get_lines()][:3]
    right_colours = [matplotlib.colors.to_hex(c.get_facecolor()[0], keep_alpha=False)
                     for c in right.collections if isinstance(c, PolyCollection)]
    assert [c.lower() for c in left_colours] == [c.lower() for c in right_colours]
