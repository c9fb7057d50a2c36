"""emlib.plotting: points coloured by their class probabilities, and a fit's own component numbers.

The reference colours are the palette's hex codes converted by matplotlib's
``to_rgb`` and blended here by hand; nothing is read back from emlib's
own computation.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from emlib.plotting import (PALETTE, annotate_component_numbers, plot_responsibility_colours)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def scatter_colours(ax):
    (points,) = ax.collections[:1]
    return np.asarray(points.get_facecolors())[:, :3]


def test_sure_points_take_their_component_colour_and_shared_points_a_blend():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 1.0]])
    resp = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    ax = plot_responsibility_colours(X, resp, legend=False)
    colours = scatter_colours(ax)
    blue, red, green = (np.array(to_rgb(PALETTE[j])) for j in range(3))
    np.testing.assert_allclose(colours[0], blue, atol=1e-12)
    np.testing.assert_allclose(colours[1], red, atol=1e-12)
    np.testing.assert_allclose(colours[2], (blue + red) / 2, atol=1e-12)
    np.testing.assert_allclose(colours[3], 0.2 * blue + 0.3 * red + 0.5 * green, atol=1e-12)


def test_ellipses_are_drawn_in_index_order_colours():
    X = np.zeros((3, 2))
    resp = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    # means given in decreasing order: index colours, not sorted ones
    means = np.array([[5.0, 0.0], [-5.0, 0.0]])
    covariances = np.array([np.eye(2), 0.5 * np.eye(2)])
    ax = plot_responsibility_colours(X, resp, means, covariances, n_std=(1,), legend=False)
    widths = {round(patch.width, 6): np.array(patch.get_edgecolor()[:3]) for patch in ax.patches}
    np.testing.assert_allclose(widths[2.0], to_rgb(PALETTE[0]), atol=1e-12)       # 2 x sigma 1
    np.testing.assert_allclose(widths[round(2 * np.sqrt(0.5), 6)], to_rgb(PALETTE[1]), atol=1e-12)


@pytest.mark.parametrize("resp, match", [
    (np.array([[0.5, 0.5]]), r"shape \(2, n_components\)"),
    (np.array([[0.5, 0.6], [1.0, 0.0]]), "rows summing to 1"),
    (np.array([[1.5, -0.5], [1.0, 0.0]]), "non-negative"),
    (np.array([[np.nan, 1.0], [1.0, 0.0]]), "non-negative"),
])
def test_bad_responsibilities_are_refused_with_a_clear_message(resp, match):
    with pytest.raises(ValueError, match=match):
        plot_responsibility_colours(np.zeros((2, 2)), resp)


def test_component_numbers_are_written_at_the_means_in_the_given_order():
    _, ax = plt.subplots()
    means = np.array([[3.0, 1.0], [-1.0, 4.0], [0.0, 0.0]])
    texts = annotate_component_numbers(ax, means)
    assert [text.get_text() for text in texts] == ["0", "1", "2"]
    np.testing.assert_allclose([text.get_position() for text in texts], means)


def test_component_numbers_need_2d_means():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"means must have shape \(n_components, 2\)"):
        annotate_component_numbers(ax, np.zeros(3))
