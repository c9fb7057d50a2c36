"""emlib.Mixture: every family through the one EM loop.

References: EM written independently here with scipy.stats densities and
scipy.special.logsumexp; scipy.optimize on the same log-likelihood; finite
differences of ln L (computed with scipy.stats) at convergence; emlib's own
GaussianMixture only for the Gaussian family's equivalence (the issue's
requirement: the same iterates).
"""

import warnings

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp, softmax

from emlib import ConvergenceWarning, GaussianMixture, Mixture
from emlib.datasets import binary_digits
from emlib.families import GaussianFamily, PoissonFamily, StudentTFamily


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    # tol=0 runs are deliberate; their warning is tested once, explicitly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ------------------------------------------------------------------- data
def poisson_data(n=6000, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.choice(2, size=n, p=[0.6, 0.4])
    return rng.poisson(np.array([2.0, 9.0])[labels]).astype(float)


def exponential_data(n=6000, seed=1):
    rng = np.random.default_rng(seed)
    labels = rng.choice(2, size=n, p=[0.7, 0.3])
    return rng.exponential(np.array([1.0, 8.0])[labels])


BERNOULLI_TRUTH = np.array([[0.9, 0.8, 0.1, 0.2, 0.5, 0.9],
                            [0.1, 0.3, 0.9, 0.8, 0.5, 0.9]])


def bernoulli_data(n=6000, seed=2):
    rng = np.random.default_rng(seed)
    labels = rng.choice(2, size=n, p=[0.45, 0.55])
    return (rng.uniform(size=(n, 6)) < BERNOULLI_TRUTH[labels]).astype(float)


def student_t_data(n=3000, seed=3):
    rng = np.random.default_rng(seed)
    labels = rng.choice(2, size=n, p=[0.6, 0.4])
    centres, scales, dofs = np.array([0.0, 7.0]), np.array([1.0, 2.0]), np.array([3.0, 6.0])
    return centres[labels] + scales[labels] * rng.standard_t(dofs[labels])


# ------------------------------------------- an independent EM, with scipy.stats
def reference_component_log_pdfs(family, X, params):
    """(n, K) log-densities from scipy.stats (not emlib)."""
    if family == "poisson":
        return np.stack([stats.poisson.logpmf(X, r).sum(axis=1) for r in params["rates"]], 1)
    if family == "exponential":
        return np.stack([stats.expon.logpdf(X, scale=1 / r).sum(axis=1)
                         for r in params["rates"]], 1)
    if family == "bernoulli":
        return np.stack([stats.bernoulli.logpmf(X, m).sum(axis=1) for m in params["means"]], 1)
    raise ValueError(family)


def reference_em(family, X, weights, params, n_iter):
    """Plain EM from the formulas: eq. 2 with logsumexp, then the closed-form M-steps."""
    history = []
    for _ in range(n_iter + 1):
        joint = np.log(weights) + reference_component_log_pdfs(family, X, params)
        history.append(logsumexp(joint, axis=1).sum())
        if len(history) == n_iter + 1:
            break
        resp = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
        totals = resp.sum(axis=0)
        weights = totals / totals.sum()
        weighted_means = (resp.T @ X) / totals[:, None]
        if family == "poisson":
            params = {"rates": weighted_means}
        elif family == "exponential":
            params = {"rates": 1 / weighted_means}
        else:
            params = {"means": weighted_means}
    return weights, params, np.array(history)


START = {
    "poisson": (poisson_data, np.array([0.5, 0.5]), {"rates": np.array([[1.0], [4.0]])}),
    "exponential": (exponential_data, np.array([0.5, 0.5]), {"rates": np.array([[2.0], [0.5]])}),
    "bernoulli": (bernoulli_data, np.array([0.3, 0.7]),
                  {"means": np.array([[0.6, 0.5, 0.4, 0.5, 0.5, 0.6],
                                      [0.4, 0.5, 0.6, 0.5, 0.4, 0.5]])}),
}


@pytest.mark.parametrize("family", ["poisson", "exponential", "bernoulli"])
def test_iterates_agree_with_an_independent_implementation(family):
    make_data, weights, params = START[family]
    X = make_data(n=2000)
    X2 = X if X.ndim == 2 else X[:, None]
    model = Mixture(family, 2, tol=0.0, max_iter=25, weights_init=weights,
                    params_init=params).fit(X)
    ref_weights, ref_params, ref_history = reference_em(family, X2, weights, params, 25)
    np.testing.assert_allclose(model.weights_, ref_weights, rtol=1e-8)
    for name in ref_params:
        np.testing.assert_allclose(model.params_[name], ref_params[name], rtol=1e-8)
    np.testing.assert_allclose(model.log_likelihoods_, ref_history, rtol=1e-10)


@pytest.mark.parametrize("family", ["poisson", "exponential", "bernoulli"])
def test_maximum_agrees_with_scipy_optimize_on_the_same_likelihood(family):
    make_data, weights, params = START[family]
    X = make_data(n=1000)
    X2 = X if X.ndim == 2 else X[:, None]
    model = Mixture(family, 2, tol=1e-13, max_iter=5000, weights_init=weights,
                    params_init=params).fit(X)
    name = next(iter(params))

    # Unconstrained coordinates: weight logits; log rates or logit probabilities.
    def to_params(vector):
        raw = vector[2:].reshape(params[name].shape)
        values = np.exp(raw) if name == "rates" else 1 / (1 + np.exp(-raw))
        return softmax(vector[:2]), {name: values}

    def negative_log_likelihood(vector):
        w, p = to_params(vector)
        return -logsumexp(np.log(w) + reference_component_log_pdfs(family, X2, p), axis=1).sum()

    values = params[name]
    start = np.concatenate([np.log(weights),
                            (np.log(values) if name == "rates" else np.log(values / (1 - values)))
                            .ravel()])
    result = optimize.minimize(negative_log_likelihood, start, method="BFGS",
                               options={"gtol": 1e-9, "maxiter": 10000})
    best_weights, best_params = to_params(result.x)
    em_log_likelihood = model.log_likelihoods_[-1]
    assert em_log_likelihood == pytest.approx(-result.fun, rel=1e-8)
    assert em_log_likelihood >= -result.fun - 1e-8 * abs(result.fun)
    np.testing.assert_allclose(model.weights_, best_weights, rtol=1e-4)
    np.testing.assert_allclose(model.params_[name], best_params[name], rtol=1e-4)


# ---------------------------------------------------------------- recovery
def test_poisson_recovers_known_rates():
    model = Mixture("poisson", 2, random_state=0, tol=1e-8).fit(poisson_data(20000))
    model.sort_components()
    np.testing.assert_allclose(model.rates_[:, 0], [2.0, 9.0], rtol=0.03)
    np.testing.assert_allclose(model.weights_, [0.6, 0.4], atol=0.015)


def test_exponential_recovers_known_rates():
    model = Mixture("exponential", 2, random_state=0, tol=1e-8, max_iter=1000).fit(
        exponential_data(20000))
    model.sort_components()  # by rate: the slow (long waits) component first
    np.testing.assert_allclose(1 / model.rates_[:, 0], [8.0, 1.0], rtol=0.06)
    np.testing.assert_allclose(model.weights_, [0.3, 0.7], atol=0.03)


def test_bernoulli_recovers_known_probabilities():
    model = Mixture("bernoulli", 2, random_state=0, tol=1e-8).fit(bernoulli_data(20000))
    model.sort_components()  # by the first feature's probability
    np.testing.assert_allclose(model.means_, BERNOULLI_TRUTH[::-1], atol=0.02)
    np.testing.assert_allclose(model.weights_, [0.55, 0.45], atol=0.015)


def test_bernoulli_recovers_the_digit_prototypes():
    X, labels, prototypes = binary_digits(n_samples=1500, flip_probability=0.1)
    model = Mixture("bernoulli", 4, random_state=0, n_init=3).fit(X)
    truth = prototypes * 0.8 + 0.1
    # Match each learned prototype to the nearest true one: a permutation, within noise.
    match = np.argmin(((model.means_[:, None] - truth[None]) ** 2).sum(axis=2), axis=1)
    assert sorted(match) == [0, 1, 2, 3]
    assert np.abs(model.means_ - truth[match]).max() < 0.12
    assert np.mean(match[model.predict(X)] == labels) > 0.99


def test_student_t_recovers_known_parameters():
    model = Mixture("student_t", 2, random_state=0, tol=1e-8, max_iter=1000).fit(
        student_t_data(8000))
    assert model.converged_
    model.sort_components()
    np.testing.assert_allclose(model.means_[:, 0], [0.0, 7.0], atol=0.1)
    np.testing.assert_allclose(np.sqrt(model.scales_[:, 0, 0]), [1.0, 2.0], rtol=0.07)
    np.testing.assert_allclose(model.dofs_, [3.0, 6.0], rtol=0.4)
    np.testing.assert_allclose(model.weights_, [0.6, 0.4], atol=0.02)


def test_student_t_recovers_a_2d_scale_matrix():
    rng = np.random.default_rng(4)
    scale = np.array([[1.0, 0.6], [0.6, 0.8]])
    X = stats.multivariate_t([1.0, -1.0], scale, df=4).rvs(6000, random_state=rng)
    model = Mixture("student_t", 1, tol=1e-10, max_iter=1000).fit(X)
    np.testing.assert_allclose(model.means_[0], [1.0, -1.0], atol=0.05)
    np.testing.assert_allclose(model.scales_[0], scale, atol=0.07)
    assert model.dofs_[0] == pytest.approx(4.0, rel=0.2)


def test_student_t_is_not_dragged_by_outliers_but_a_gaussian_is():
    rng = np.random.default_rng(5)
    clusters = np.concatenate([rng.normal(0, 1, 600), rng.normal(6, 1, 400)])
    outliers = rng.uniform(20, 40, 60)  # all on one side, so they pull
    X = np.concatenate([clusters, outliers])
    t = Mixture("student_t", 2, random_state=0, n_init=3, max_iter=500).fit(X).sort_components()
    g = Mixture("gaussian", 2, random_state=0, n_init=3, max_iter=500).fit(X).sort_components()
    assert np.abs(t.means_[:, 0] - [0, 6]).max() < 0.2
    assert np.abs(g.means_[:, 0] - [0, 6]).max() > 1.0
    # A k-means start gives the outliers a component of their own; from there a
    # Student-t mixture, too, ends in a worse local maximum (hence its 'auto' start).
    trapped = Mixture("student_t", 2, init_params="kmeans", random_state=0, max_iter=500).fit(X)
    assert trapped.score(X) < t.score(X) - 0.1
    assert trapped.means_.max() > 20


# ------------------------------------------------- monotone ln L, gradient 0
FAMILY_DATA = {
    "poisson": lambda: poisson_data(1500),
    "exponential": lambda: exponential_data(1500),
    "bernoulli": lambda: bernoulli_data(1500),
    "student_t": lambda: student_t_data(1500),
    "gaussian": lambda: student_t_data(1500),
}


@pytest.mark.parametrize("family", sorted(FAMILY_DATA))
@pytest.mark.parametrize("init_params", ["random", "random_from_data"])
def test_log_likelihood_never_decreases(family, init_params):
    X = FAMILY_DATA[family]()
    model = Mixture(family, 3, tol=0.0, max_iter=60, init_params=init_params,
                    random_state=1).fit(X)
    history = model.log_likelihoods_
    assert len(history) == 61
    assert np.all(np.diff(history) >= -1e-10 * np.abs(history[1:]))
    assert history[-1] > history[0]


def reference_log_likelihood(family, X, weights, params):
    """Total ln L with scipy.stats component densities."""
    if family == "student_t":
        logs = np.stack([stats.multivariate_t(m, s, df=v).logpdf(X).reshape(len(X))
                         for m, s, v in zip(params["means"], params["scales"], params["dofs"])], 1)
    elif family == "gaussian":
        logs = np.stack([stats.multivariate_normal(m, c).logpdf(X).reshape(len(X))
                         for m, c in zip(params["means"], params["covariances"])], 1)
    else:
        logs = reference_component_log_pdfs(family, X, params)
    return logsumexp(np.log(weights) + logs, axis=1).sum()


def log_likelihood_gradient(family, X, weights, params, names):
    """Central differences of ln L in (weight logits, the named parameter arrays).

    Symmetric matrices are perturbed in (a, b) and (b, a) together.
    """
    def unpack(vector):
        w = softmax(vector[:len(weights)])
        p, start = dict(params), len(weights)
        for name in names:
            size = params[name].size
            values = vector[start:start + size].reshape(params[name].shape)
            if values.ndim == 3:
                values = 0.5 * (values + np.swapaxes(values, 1, 2))
            p[name], start = values, start + size
        return w, p

    point = np.concatenate([np.log(weights)] + [params[name].ravel() for name in names])
    gradient = np.empty_like(point)
    for i in range(len(point)):
        step = 1e-6 * max(1.0, abs(point[i]))
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        gradient[i] = (reference_log_likelihood(family, X, *unpack(up))
                       - reference_log_likelihood(family, X, *unpack(down))) / (2 * step)
    return gradient


GRADIENT_CASES = {
    "poisson": ("poisson", ["rates"]),
    "exponential": ("exponential", ["rates"]),
    "bernoulli": ("bernoulli", ["means"]),
    "student_t": (StudentTFamily(reg_covar=0.0), ["means", "scales", "dofs"]),
    "gaussian": (GaussianFamily(reg_covar=0.0), ["means", "covariances"]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_of_log_likelihood_vanishes_at_convergence(name):
    family, names = GRADIENT_CASES[name]
    X = FAMILY_DATA[name]()
    X2 = X if X.ndim == 2 else X[:, None]
    model = Mixture(family, 2, tol=1e-13, max_iter=5000, random_state=0).fit(X)
    assert model.converged_
    gradient = log_likelihood_gradient(name, X2, model.weights_, model.params_, names)
    assert np.max(np.abs(gradient)) / len(X) < 1e-6
    # ... whereas after two iterations it is clearly not zero (so the check can fail).
    early = Mixture(family, 2, tol=0.0, max_iter=2, random_state=0).fit(X)
    gradient = log_likelihood_gradient(name, X2, early.weights_, early.params_, names)
    assert np.max(np.abs(gradient)) / len(X) > 1e-4


def test_gradient_vanishes_for_a_2d_student_t_mixture():
    rng = np.random.default_rng(6)
    X = np.vstack([stats.multivariate_t([0, 0], [[1, 0.3], [0.3, 1]], df=3).rvs(700, rng),
                   stats.multivariate_t([5, 4], [[2, -0.5], [-0.5, 1]], df=8).rvs(500, rng)])
    model = Mixture(StudentTFamily(reg_covar=0.0), 2, tol=1e-13, max_iter=5000,
                    random_state=0).fit(X)
    gradient = log_likelihood_gradient("student_t", X, model.weights_, model.params_,
                                       ["means", "scales", "dofs"])
    assert np.max(np.abs(gradient)) / len(X) < 1e-6


# ------------------------------------------------------ the Gaussian family
# GaussianMixture's tied start from 'random_from_data' is scikit-learn's, not eq. 5
# (emlib.initialisation.scikit_learn_tied_start, tests/test_same_seed.py); the generic
# Mixture starts every family with eq. 5, so that one pair starts elsewhere on purpose.
@pytest.mark.parametrize("covariance_type, init_params", [
    (kind, init) for kind in ("full", "tied", "diag", "spherical")
    for init in ("kmeans", "random_from_data") if (kind, init) != ("tied", "random_from_data")])
def test_gaussian_family_gives_the_iterates_of_gaussian_mixture(covariance_type, init_params):
    X = np.vstack([student_t_data(600)[:, None] * [1, 0.5] + [0, 1],
                   np.random.default_rng(7).normal(3, 1, size=(300, 2))])
    weights = np.random.default_rng(8).integers(0, 3, len(X)).astype(float)
    family = GaussianFamily(covariance_type)
    ours = Mixture(family, 3, tol=0.0, max_iter=12, init_params=init_params, random_state=4,
                   n_init=2).fit(X, sample_weight=weights)
    theirs = GaussianMixture(3, covariance_type=covariance_type, tol=0.0, max_iter=12,
                             init_params=init_params, random_state=4, n_init=2).fit(
        X, sample_weight=weights)
    np.testing.assert_allclose(ours.log_likelihoods_, theirs.log_likelihoods_, rtol=1e-13)
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-12)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-12)
    assert ours.bic(X) == pytest.approx(theirs.bic(X), rel=1e-12)


# ------------------------------------------------- sample weights = copies
SAMPLE_WEIGHT_STARTS = {
    "poisson": {"rates": [1.0, 5.0]},
    "exponential": {"rates": [2.0, 0.3]},
    "bernoulli": {"means": np.full((2, 6), 0.5) + [[0.1], [-0.1]] * np.linspace(-1, 1, 6)},
    "student_t": {"means": [0.5, 5.0], "scales": [1.0, 4.0], "dofs": [5.0, 5.0]},
    "gaussian": {"means": [0.5, 5.0], "covariances": [1.0, 4.0]},
}


@pytest.mark.parametrize("family", sorted(SAMPLE_WEIGHT_STARTS))
def test_integer_sample_weights_act_like_copies(family):
    X = FAMILY_DATA[family]()[:400]
    counts = np.random.default_rng(9).integers(0, 4, len(X))
    settings = dict(tol=0.0, max_iter=30, weights_init=[0.5, 0.5],
                    params_init=SAMPLE_WEIGHT_STARTS[family])
    weighted = Mixture(family, 2, **settings).fit(X, sample_weight=counts)
    copied = Mixture(family, 2, **settings).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(weighted.log_likelihoods_, copied.log_likelihoods_, rtol=1e-10)
    np.testing.assert_allclose(weighted.weights_, copied.weights_, rtol=1e-9)
    for name, value in copied.params_.items():
        np.testing.assert_allclose(weighted.params_[name], value, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------ invalid input
@pytest.mark.parametrize("family, X, message", [
    ("poisson", [0, 1, -3], "non-negative integers"),
    ("poisson", [0, 1.5, 3], "non-integer"),
    ("exponential", [1.0, -0.1, 2.0], "non-negative"),
    ("bernoulli", [[0, 1], [1, 3]], "0 or 1"),
])
def test_fit_refuses_data_outside_the_family_support(family, X, message):
    with pytest.raises(ValueError, match=message):
        Mixture(family, 1).fit(X)


def test_scoring_refuses_data_outside_the_support():
    model = Mixture("poisson", 1).fit([0, 1, 2, 3])
    with pytest.raises(ValueError, match="non-integer"):
        model.score_samples([0.5])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"family": "gamma"}, ValueError, "family must be one of"),
    ({"family": 3}, TypeError, "family must be one of"),
    ({"n_components": 0}, ValueError, "n_components"),
    ({"init_params": "textbook"}, ValueError, "init_params"),
    ({"params_init": {"rate": [1.0]}}, ValueError, "keys \\['rates'\\]"),
    ({"params_init": {"rates": [[1.0, 2.0]]}}, ValueError, "shape \\(1, 1\\)"),
    ({"params_init": {"rates": [-1.0]}}, ValueError, ">= 0"),
])
def test_bad_arguments_are_refused(kwargs, error, message):
    settings = {"family": "poisson", "n_components": 1} | kwargs
    with pytest.raises(error, match=message):
        Mixture(**settings).fit([0, 1, 2])


def test_student_t_params_init_is_validated():
    with pytest.raises(ValueError, match="positive definite"):
        Mixture("student_t", 1, params_init={"means": [0.0], "scales": [[[-1.0]]],
                                             "dofs": [3.0]}).fit([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="dofs"):
        Mixture("student_t", 1, params_init={"means": [0.0], "scales": [1.0],
                                             "dofs": [0.0]}).fit([0.0, 1.0, 2.0])


# ------------------------------------------------------------- the interface
def test_fitted_attributes_and_methods_fit_together():
    X = poisson_data(3000)
    model = Mixture("poisson", 3, random_state=0, n_init=2).fit(X)
    assert model.rates_ is model.params_["rates"]
    assert model.log_likelihoods_.shape == (model.n_iter_ + 1,)
    assert model.converged_
    log_density = model.score_samples(X)
    assert model.log_likelihoods_[-1] == pytest.approx(log_density.sum(), rel=1e-12)
    assert model.score(X) == pytest.approx(log_density.mean(), rel=1e-12)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    n_parameters = 3 + (3 - 1)  # one rate per component, plus the weights
    assert model.aic(X) == pytest.approx(-2 * log_density.sum() + 2 * n_parameters)
    assert model.bic(X) == pytest.approx(-2 * log_density.sum() + n_parameters * np.log(len(X)))


def test_parameter_counts_in_the_criteria():
    X = bernoulli_data(500)
    assert Mixture("bernoulli", 3, random_state=0).fit(X).n_parameters() == 3 * 6 + 2
    Y = np.random.default_rng(0).standard_t(5, size=(300, 2))
    assert Mixture("student_t", 2, random_state=0).fit(Y).n_parameters() == 2 * (2 + 3 + 1) + 1
    assert Mixture("exponential", 2, random_state=0).fit(exponential_data(300)) \
        .n_parameters() == 3


@pytest.mark.parametrize("family, support", [
    ("poisson", lambda s: np.all((s >= 0) & (s == np.round(s)))),
    ("exponential", lambda s: np.all(s >= 0)),
    ("bernoulli", lambda s: np.all((s == 0) | (s == 1))),
    ("student_t", lambda s: np.all(np.isfinite(s))),
])
def test_sample_draws_from_the_fitted_mixture(family, support):
    X = FAMILY_DATA[family]()
    model = Mixture(family, 2, random_state=0).fit(X)
    draws, labels = model.sample(4000)
    assert draws.shape == (4000, model.n_features_in_)
    assert support(draws)
    assert np.bincount(labels, minlength=2) / 4000 == pytest.approx(model.weights_, abs=0.03)
    # The fitted model explains its own draws about as well as the data.
    assert model.score(draws) == pytest.approx(model.score(X), abs=0.15)


def test_sort_components_permutes_every_parameter_together():
    model = Mixture("student_t", 2, random_state=0).fit(student_t_data(1000))
    before = {name: value.copy() for name, value in model.params_.items()}
    order = np.argsort(-model.means_[:, 0])  # force a swap, then sort back
    model._set_params(model.weights_[order], model.family_.permute(model.params_, order))
    model.sort_components()
    assert model.means_[0, 0] < model.means_[1, 0]
    same = np.argsort(before["means"][:, 0])
    for name, value in before.items():
        np.testing.assert_array_equal(model.params_[name], value[same])
        assert getattr(model, name + "_") is model.params_[name]


def test_family_objects_and_refits():
    model = Mixture(PoissonFamily(), 1).fit([1, 2, 3])
    assert model.family_.name == "poisson" and hasattr(model, "rates_")
    model.set_params(family="bernoulli").fit([[0, 1], [1, 1]])
    assert hasattr(model, "means_") and not hasattr(model, "rates_")


def test_max_iter_reached_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning):
            Mixture("poisson", 2, tol=0.0, max_iter=3, random_state=0).fit(poisson_data(500))


def test_binary_digits_dataset():
    X, labels, prototypes = binary_digits(n_samples=4000, flip_probability=0.15, seed=1)
    assert X.shape == (4000, 64) and set(np.unique(X)) == {0, 1}
    assert np.mean(X != prototypes[labels]) == pytest.approx(0.15, abs=0.005)
    assert np.bincount(labels) / 4000 == pytest.approx([0.3, 0.25, 0.25, 0.2], abs=0.02)


# ------------------------------------------- notebook 08's numbers and checks
def test_rounded_gaussian_count_probabilities_integrate_the_density():
    from scipy import integrate

    from emlib.plotting import gaussian_mixture_cdf, gaussian_mixture_count_probabilities

    model = GaussianMixture(2, random_state=0).fit(poisson_data(800))
    ks = np.arange(-3, 25)
    probabilities = gaussian_mixture_count_probabilities(model, ks)
    for k, p in zip(ks[::9], probabilities[::9]):
        sigmas = np.sqrt(model.covariances_.ravel())
        integral, _ = integrate.quad(
            lambda x: model.weights_ @ stats.norm.pdf(x, model.means_[:, 0], sigmas),
            k - 0.5, k + 0.5)
        assert p == pytest.approx(integral, rel=1e-7)
    everything = gaussian_mixture_count_probabilities(model, np.arange(-60, 80)).sum()
    assert everything == pytest.approx(1.0, abs=1e-12)
    negative = gaussian_mixture_count_probabilities(model, np.arange(-60, 0)).sum()
    assert gaussian_mixture_cdf(model, [-0.5])[0] == pytest.approx(negative, rel=1e-9)


def test_plotting_functions_draw():
    from emlib import plotting

    counts = poisson_data(500)
    poisson_fit = Mixture("poisson", 2, random_state=0).fit(counts)
    gaussian_fit = GaussianMixture(2, random_state=0).fit(counts)
    ax = plotting.plot_count_fit(counts, poisson_fit, gaussian=gaussian_fit)
    assert ax.get_xlabel().startswith("count")
    times = exponential_data(500)
    ax = plotting.plot_waiting_time_fit(times, Mixture("exponential", 2, random_state=0)
                                        .fit(times), gaussian=GaussianMixture(2).fit(times))
    assert ax.get_xlim()[0] < 0
    X, _, glyphs = binary_digits(n_samples=200)
    fig = plotting.plot_prototypes(Mixture("bernoulli", 4, random_state=0).fit(X), truth=glyphs)
    assert len(fig.axes) == 8
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_binary_images(X[:, :10])
    points = np.vstack([np.random.default_rng(0).normal(size=(100, 2)),
                        np.random.default_rng(1).normal(4, 1, size=(100, 2))])
    fig = plotting.plot_outlier_fits(points, Mixture("gaussian", 2, random_state=0).fit(points),
                                     Mixture("student_t", 2, random_state=0).fit(points))
    assert len(fig.axes) == 2


def test_exercise_checks_of_notebook_08():
    import sys
    from pathlib import Path

    # The self-checks are course material in notebooks/checks/, not part of emlib.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
    from checks import nb08

    x, w = nb08.rayleigh_exercise_data()
    right = (w.T @ x**2) / (2 * w.sum(axis=0))
    assert nb08.check_rayleigh_scales(right).correct
    assert not nb08.check_rayleigh_scales(None).correct
    assert "twice" in nb08.check_rayleigh_scales(2 * right).message
    assert "s_j" in nb08.check_rayleigh_scales(np.sqrt(right)).message

    counts = poisson_data(500)
    model = Mixture("poisson", 2, random_state=0).fit(counts)
    log_l = model.score_samples(counts).sum()
    assert nb08.check_poisson_bic(-2 * log_l + 3 * np.log(500), model, counts).correct
    assert "count" in nb08.check_poisson_bic(-2 * log_l + 4 * np.log(500), model,
                                             counts).message
    assert "3M - 1" in nb08.check_poisson_bic(-2 * log_l + 5 * np.log(500), model,
                                              counts).message

    points = np.vstack([np.random.default_rng(0).standard_t(2, size=(300, 2)),
                        np.random.default_rng(1).normal(5, 1, size=(300, 2))])
    t = Mixture("student_t", 2, random_state=0).fit(points)
    j = np.argmin(t.dofs_)
    far = np.array([12.0, -9.0])
    delta = (far - t.means_[j]) @ np.linalg.inv(t.scales_[j]) @ (far - t.means_[j])
    assert nb08.check_scale_weight((t.dofs_[j] + 2) / (t.dofs_[j] + delta), t, far).correct
    euclid = np.sum((far - t.means_[j]) ** 2)
    assert "Euclidean" in nb08.check_scale_weight((t.dofs_[j] + 2) / (t.dofs_[j] + euclid), t,
                                                  far).message
