"""EM you can step through: a classroom control built with ipywidgets.

:func:`em_path` runs EM on 1-D data one E-step and M-step at a time (with
the loop's own step functions, :func:`emlib.em.e_step` and
:func:`emlib.em.m_step`) and keeps every intermediate mixture.
:class:`EMExplorer` shows that path: the instructor picks the number of
components M and the seed of the text's random start, then steps, slides or
plays through the iterations while the figure shows

- the histogram with the current mixture and its weighted components,
- the class-probability bands p(j | x) (eq. 2), and
- ln L so far, which EM never lets go down.

The figure is drawn with matplotlib and sent to the browser as a PNG image
widget, so it works in JupyterLab without any extra extension.  For printed
or static copies, :func:`emlib.plotting.plot_em_small_multiples` draws the
same path as small multiples.
"""

import io
from dataclasses import dataclass

import numpy as np

from . import validation as check
from .em import e_step, m_step
from .families.gaussian import GaussianFamily, gaussian_parameters
from .gaussian import DegenerateComponentError
from .initialisation import textbook_start


@dataclass
class EMPath:
    """Every mixture EM visited from one start, components in a fixed order.

    Components keep their labels along the path (EM never swaps them); they
    are numbered by the order of their *final* means.

    Attributes
    ----------
    weights, means, sigmas : ndarrays of shape (n_iter + 1, n_components)
        The mixture at the start (row 0) and after each iteration.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        ln L of each of those mixtures.
    n_components, seed : int
    stopped : str
        Empty, or why the path ended before ``max_iter`` (a collapsed component).
    """

    weights: np.ndarray
    means: np.ndarray
    sigmas: np.ndarray
    log_likelihoods: np.ndarray
    n_components: int
    seed: int
    stopped: str = ""

    @property
    def n_iter(self):
        """Number of EM iterations on the path (its last index)."""
        return len(self.log_likelihoods) - 1

    def mixture(self, iteration):
        """``(weights, means, sigmas)`` after ``iteration`` iterations (0 = the start)."""
        if not 0 <= iteration <= self.n_iter:
            raise ValueError(f"iteration must lie in [0, {self.n_iter}]; got {iteration}.")
        return self.weights[iteration], self.means[iteration], self.sigmas[iteration]


def em_path(x, n_components, seed=0, max_iter=50, reg_covar=1e-6):
    """Run ``max_iter`` EM iterations on 1-D data from the text's random start, keeping each.

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, 1)
    n_components : int
    seed : int
        Seeds the start: equal weights, every sigma the sample standard
        deviation, and means at ``n_components`` data points drawn at random
        (:func:`emlib.initialisation.textbook_start`).
    max_iter : int
        Iterations to run (no stopping rule: the whole path is kept).
    reg_covar : float
        Added to every variance in the M-step, as in :class:`emlib.GaussianMixture`.

    Returns
    -------
    EMPath
    """
    X = check.check_data(x, name="x")
    if X.shape[1] != 1:
        raise ValueError(f"x must hold one feature (shape (n_samples,)); got shape {X.shape}.")
    n_components = check.check_int(n_components, "n_components", 1)
    check.check_enough_samples(X.shape[0], n_components)
    seed = check.check_int(seed, "seed", 0)
    max_iter = check.check_int(max_iter, "max_iter", 0)
    family = GaussianFamily("full", check.check_float(reg_covar, "reg_covar", 0.0))

    weights, means, covariances = textbook_start(X, n_components, np.random.default_rng(seed))
    params = gaussian_parameters(means, covariances, "full")
    history, stopped = [], ""
    for iteration in range(max_iter + 1):
        log_density, responsibilities = e_step(family, X, weights, params)
        history.append((weights, params["means"][:, 0],
                        np.sqrt(params["covariances"][:, 0, 0]), log_density.sum()))
        if iteration == max_iter:
            break
        try:
            weights, params = m_step(family, X, responsibilities, params)
        except DegenerateComponentError:
            stopped = (f"a component collapsed onto a few points in iteration "
                       f"{iteration + 1} (ln L would grow without bound)")
            break
    weights, means, sigmas, log_likelihoods = (np.array(column) for column in zip(*history))
    order = np.argsort(means[-1], kind="stable")
    return EMPath(weights[:, order], means[:, order], sigmas[:, order], log_likelihoods,
                  n_components, seed, stopped)


class EMExplorer:
    """An ipywidgets control for stepping through EM on 1-D data.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    n_components : int
        M shown first.
    seed : int
        Seed of the first start.
    max_iter : int
        Length of each precomputed path.
    max_components : int
        Largest M the slider offers.
    bins : int
        Histogram bins.
    dpi : int
        Resolution of the image sent to the browser.

    Attributes
    ----------
    components, seed, iteration : ipywidgets sliders / text box
        The controls; changing any of them redraws the figure.
    play, step_forward, step_back : ipywidgets
        Play through the iterations, or step one at a time.
    image : ipywidgets.Image
        The current figure as PNG bytes.
    status : ipywidgets.HTML
        ln L and its change at the current iteration.
    figure : matplotlib Figure
    path : EMPath
        The path being shown.
    widget : ipywidgets.VBox
        Everything above, laid out; displaying the explorer displays it.
    """

    def __init__(self, x, *, n_components=3, seed=0, max_iter=50, max_components=6, bins=40,
                 dpi=80):
        try:
            import ipywidgets as widgets
        except ImportError as error:  # ipywidgets comes with the `course` extra
            raise ImportError("EMExplorer needs ipywidgets: pip install ipywidgets") from error
        from matplotlib.figure import Figure

        X = check.check_data(x, name="x")
        if X.shape[1] != 1:
            raise ValueError(f"x must hold one feature (shape (n_samples,)); got shape {X.shape}.")
        self.x = X[:, 0]
        self.max_iter = check.check_int(max_iter, "max_iter", 1)
        max_components = check.check_int(max_components, "max_components", 1)
        n_components = check.check_int(n_components, "n_components", 1)
        if n_components > max_components:
            raise ValueError(f"n_components must be at most max_components={max_components}; "
                             f"got {n_components}.")
        self.bins = check.check_int(bins, "bins", 1)
        self.dpi = check.check_int(dpi, "dpi", 10)
        self._paths = {}

        self.components = widgets.IntSlider(value=n_components, min=1, max=max_components,
                                            description="components M",
                                            style={"description_width": "initial"})
        self.seed = widgets.BoundedIntText(value=check.check_int(seed, "seed", 0), min=0,
                                           max=2**31 - 1, description="seed",
                                           layout=widgets.Layout(width="160px"))
        self.iteration = widgets.IntSlider(value=0, min=0, max=self.max_iter,
                                           description="iteration", continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=self.max_iter, interval=400,
                                 description="play")
        # The link runs in the browser, so playing works without the kernel's help.
        widgets.jslink((self.play, "value"), (self.iteration, "value"))
        self.step_back = widgets.Button(description="◀ step", tooltip="one iteration back",
                                        layout=widgets.Layout(width="80px"))
        self.step_forward = widgets.Button(description="step ▶", tooltip="one more iteration",
                                           layout=widgets.Layout(width="80px"))
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([
            widgets.HBox([self.components, self.seed]),
            widgets.HBox([self.play, self.step_back, self.iteration, self.step_forward]),
            self.status,
            self.image,
        ])

        # A fixed layout: constrained layout would double the drawing time of every step.
        self.figure = Figure(figsize=(11, 3.4))
        self.axes = self.figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1.0, 0.9]})
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.91, wspace=0.36)

        self.components.observe(self._new_path, names="value")
        self.seed.observe(self._new_path, names="value")
        self.iteration.observe(lambda change: self.update(), names="value")
        self.step_forward.on_click(lambda button: self.step(1))
        self.step_back.on_click(lambda button: self.step(-1))
        self._new_path()

    # ------------------------------------------------------------ the path
    def _path_for(self, n_components, seed):
        key = (n_components, seed)
        if key not in self._paths:
            self._paths[key] = em_path(self.x, n_components, seed, self.max_iter)
        return self._paths[key]

    def _new_path(self, change=None):
        self.path = self._path_for(self.components.value, self.seed.value)
        last = self.path.n_iter
        # Order matters: shrinking max first would fire a redraw with the old value.
        if self.iteration.value > last:
            self.iteration.value = last  # redraws
        self.iteration.max = self.play.max = last
        self.update()

    # ------------------------------------------------------------ stepping
    def show_iteration(self, iteration):
        """Show the mixture after ``iteration`` iterations (clipped to the path)."""
        iteration = int(np.clip(iteration, 0, self.path.n_iter))
        if iteration == self.iteration.value:
            self.update()
        else:
            self.iteration.value = iteration  # the observer redraws

    def step(self, by=1):
        """Move ``by`` iterations forward (negative: back)."""
        self.show_iteration(self.iteration.value + by)

    # ------------------------------------------------------------- drawing
    def update(self):
        """Redraw the figure and the status line for the current controls."""
        from .plotting.interactive import plot_em_state

        iteration = self.iteration.value
        for ax in self.axes:
            ax.clear()
        plot_em_state(self.x, self.path, iteration, axes=self.axes, bins=self.bins)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        self.image.value = buffer.getvalue()

        log_likelihoods = self.path.log_likelihoods
        text = (f"M = {self.path.n_components}, seed {self.path.seed}: iteration "
                f"<b>{iteration}</b> of {self.path.n_iter}, ln L = {log_likelihoods[iteration]:.2f}")
        if iteration > 0:
            text += f" (change {log_likelihoods[iteration] - log_likelihoods[iteration - 1]:+.3g})"
        if self.path.stopped:
            text += f"<br>The path stops early: {self.path.stopped}."
        self.status.value = text

    def _repr_mimebundle_(self, **kwargs):  # displaying the explorer displays its widget
        return self.widget._repr_mimebundle_(**kwargs)
