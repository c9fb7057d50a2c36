"""emlib.interactive: the EM path and the ipywidgets explorer built on it.

The path is checked against the maths (ln L recomputed with scipy, EM's
monotone ln L, the text's start) and against scikit-learn (the same start
run to convergence); the explorer is driven through its controls, as an
instructor would, and must redraw its figure each time.
"""

import matplotlib
import numpy as np
import pytest
from scipy import stats
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib.datasets import text_mixture
from emlib.interactive import EMExplorer, em_path
from emlib.plotting.interactive import plot_em_small_multiples, plot_em_state

widgets = pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def x():
    return text_mixture()[0]


def log_likelihood(x, weights, means, sigmas):
    return np.log(stats.norm.pdf(x[:, None], means, sigmas) @ weights).sum()


# --------------------------------------------------------------------------
# the path


def test_path_log_likelihoods_are_those_of_its_mixtures(x):
    path = em_path(x, 3, seed=2, max_iter=30)
    assert path.n_iter == 30 and path.weights.shape == (31, 3)
    for t in (0, 1, 7, 30):
        assert path.log_likelihoods[t] == pytest.approx(
            log_likelihood(x, *path.mixture(t)), rel=1e-10)
    # EM never lowers ln L.
    assert np.all(np.diff(path.log_likelihoods) > -1e-9)
    np.testing.assert_allclose(path.weights.sum(axis=1), 1.0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_path_starts_with_the_text_recipe_and_ends_at_sklearns_fit(x):
    path = em_path(x, 3, seed=7, max_iter=400)
    weights, means, sigmas = path.mixture(0)
    np.testing.assert_allclose(weights, 1 / 3)
    np.testing.assert_allclose(sigmas, x.std())  # every sigma the sample standard deviation
    assert np.all(np.isin(means, x))  # means drawn from the data
    reference = SklearnGaussianMixture(
        3, weights_init=weights, means_init=means[:, None],
        precisions_init=(1 / sigmas**2)[:, None, None], tol=1e-12, max_iter=400,
        reg_covar=1e-6).fit(x[:, None])
    order = np.argsort(reference.means_[:, 0])
    final = path.mixture(path.n_iter)
    np.testing.assert_allclose(final[1], reference.means_[order, 0], atol=1e-4)
    np.testing.assert_allclose(final[2], np.sqrt(reference.covariances_[order, 0, 0]), atol=1e-4)
    # components are numbered by their final means
    assert np.all(np.diff(final[1]) > 0)


def test_path_is_reproducible_and_depends_on_the_seed(x):
    first, second = em_path(x, 2, seed=4, max_iter=5), em_path(x, 2, seed=4, max_iter=5)
    np.testing.assert_array_equal(first.means, second.means)
    assert not np.array_equal(first.means[0], em_path(x, 2, seed=5, max_iter=5).means[0])


def test_path_validates_its_input(x):
    with pytest.raises(ValueError, match="one feature"):
        em_path(np.ones((10, 2)), 2)
    with pytest.raises(ValueError, match="n_components"):
        em_path(x, 0)
    with pytest.raises(ValueError, match="iteration"):
        em_path(x, 2, max_iter=3).mixture(4)


# --------------------------------------------------------------------------
# the widget


def components_drawn(explorer):
    """Number of component curves in the left panel (dashed/dotted lines other than the mixture)."""
    lines = explorer.axes[0].get_lines()
    return sum(1 for line in lines if line.get_label().startswith(r"$\alpha"))


def test_explorer_builds_its_controls_and_figure(x):
    explorer = EMExplorer(x, n_components=3, seed=1, max_iter=20)
    assert isinstance(explorer.widget, widgets.VBox)
    for control in (explorer.components, explorer.seed, explorer.iteration, explorer.play,
                    explorer.step_forward, explorer.step_back, explorer.image):
        assert control in _descendants(explorer.widget)
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert components_drawn(explorer) == 3
    assert "iteration <b>0</b> of 20" in explorer.status.value
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def _descendants(box):
    found = []
    for child in box.children:
        found.append(child)
        if hasattr(child, "children"):
            found.extend(_descendants(child))
    return found


def test_changing_the_controls_redraws_the_figure(x):
    explorer = EMExplorer(x, n_components=2, seed=3, max_iter=15)
    first = explorer.image.value

    explorer.iteration.value = 5  # the slider, as a user moves it
    after_slider = explorer.image.value
    assert after_slider != first
    assert "iteration <b>5</b>" in explorer.status.value
    assert f"{explorer.path.log_likelihoods[5]:.2f}" in explorer.status.value

    explorer.step_forward.click()
    assert explorer.iteration.value == 6 and explorer.image.value != after_slider
    explorer.step_back.click()
    explorer.step_back.click()
    assert explorer.iteration.value == 4

    explorer.components.value = 4
    assert explorer.path.n_components == 4 and components_drawn(explorer) == 4
    assert "M = 4" in explorer.status.value

    before_seed = explorer.image.value
    explorer.seed.value = 11
    assert explorer.path.seed == 11 and explorer.image.value != before_seed


def test_show_iteration_clips_and_draws_the_right_state(x):
    explorer = EMExplorer(x, n_components=3, seed=2, max_iter=12)
    explorer.show_iteration(99)
    assert explorer.iteration.value == 12
    explorer.show_iteration(-3)
    assert explorer.iteration.value == 0
    explorer.show_iteration(8)
    # the ln L panel shows the trace up to iteration 8, no further
    trace = explorer.axes[2].get_lines()[0]
    np.testing.assert_allclose(trace.get_ydata(), explorer.path.log_likelihoods[:9])
    # the class-probability bands fill [0, 1]
    bands = explorer.axes[1].collections
    assert len(bands) == 3
    assert explorer.axes[1].get_ylim() == (0.0, 1.0)


def test_explorer_validates_its_input(x):
    with pytest.raises(ValueError, match="max_components"):
        EMExplorer(x, n_components=7, max_components=6)
    with pytest.raises(ValueError, match="one feature"):
        EMExplorer(np.ones((10, 2)))


# --------------------------------------------------------------------------
# the static figures


def test_small_multiples_show_each_chosen_iteration(x):
    path = em_path(x, 3, seed=2, max_iter=20)
    figure = plot_em_small_multiples(x, path, [0, 1, 5, 20])
    titles = [ax.get_title() for ax in figure.get_axes()]
    for t in (0, 1, 5, 20):
        assert f"iteration {t}" in titles
    with pytest.raises(ValueError, match="iterations"):
        plot_em_small_multiples(x, path, [0, 21])
    matplotlib.pyplot.close(figure)


def test_plot_em_state_labels_its_axes(x):
    path = em_path(x, 2, seed=0, max_iter=3)
    axes = plot_em_state(x, path, 2)
    assert axes[0].get_xlabel() == "$x$" and axes[2].get_ylabel() == r"$\ln L$"
    assert axes[2].get_title() == rf"$\ln L$ = {path.log_likelihoods[2]:.1f}"
    matplotlib.pyplot.close(axes[0].figure)
