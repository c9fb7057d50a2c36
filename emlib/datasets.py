"""Seeded data sets used in the course."""

import numpy as np


def text_mixture():
    """The text's example: 1000 draws from N(-1, 1.5), N(0, 1) and N(3, 0.5).

    Built exactly as the text builds it (350, 500 and 150 points from
    ``RandomState(1)``, in that order), so its printed numbers can be
    checked. The second argument of each N is a standard deviation.

    Returns
    -------
    x : ndarray of shape (1000,)
    labels : ndarray of shape (1000,)
        The component (0, 1, 2) each point was drawn from.
    """
    rng = np.random.RandomState(seed=1)
    parts = [rng.normal(-1, 1.5, 350), rng.normal(0, 1, 500), rng.normal(3, 0.5, 150)]
    labels = np.repeat([0, 1, 2], [350, 500, 150])
    return np.concatenate(parts), labels


#: The true parameters of :func:`text_mixture` (weights, means, standard deviations).
TEXT_MIXTURE_TRUTH = {
    "weights": np.array([0.35, 0.50, 0.15]),
    "means": np.array([-1.0, 0.0, 3.0]),
    "sigmas": np.array([1.5, 1.0, 0.5]),
}
