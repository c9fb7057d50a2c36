"""Self-checks of notebooks 01-03b accept right answers, reject wrong ones, and hide the answer.

Every expected answer here is computed independently, with numpy and
scipy.stats, not with the emlib functions the checks use.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import brentq

from emlib.datasets import TEXT_MIXTURE_TRUTH, text_mixture

# The exercises' self-checks are course material in notebooks/checks/, not part of emlib.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from checks import Feedback, nb01, nb02, nb03, nb03b  # noqa: E402

X_TEXT, LABELS = text_mixture()
WEIGHTS = TEXT_MIXTURE_TRUTH["weights"]
MEANS = TEXT_MIXTURE_TRUTH["means"]
SIGMAS = TEXT_MIXTURE_TRUTH["sigmas"]


def _mixture_log_likelihood(x, weights, means, sigmas):
    densities = np.column_stack([stats.norm.pdf(x, m, s) for m, s in zip(means, sigmas)])
    return float(np.log(densities @ weights).sum())


def _assert_hidden(feedback, expected):
    """A rejection must not print the expected value, in any common rounding."""
    assert isinstance(feedback, Feedback) and not feedback
    text = repr(feedback)
    assert text.startswith("Not yet: ")
    for value in np.atleast_1d(expected):
        for form in (f"{value:.2f}", f"{value:.3f}", f"{value:.4g}", repr(float(value))):
            assert form not in text


# ----------------------------------------------------------------- notebook 01
def test_nb01_log_likelihood_at_truth():
    expected = _mixture_log_likelihood(X_TEXT, WEIGHTS, MEANS, SIGMAS)
    assert nb01.check_log_likelihood_at_truth(expected)
    _assert_hidden(nb01.check_log_likelihood_at_truth(expected + 1.0), expected)
    with_variances = _mixture_log_likelihood(X_TEXT, WEIGHTS, MEANS, SIGMAS**2)
    feedback = nb01.check_log_likelihood_at_truth(with_variances)
    _assert_hidden(feedback, expected)
    assert "sigma_j^2" in feedback.message


def test_nb01_single_gaussian_maximum():
    expected = stats.norm.logpdf(X_TEXT, X_TEXT.mean(), X_TEXT.std()).sum()
    assert nb01.check_single_gaussian_maximum(expected)
    unbiased = stats.norm.logpdf(X_TEXT, X_TEXT.mean(), X_TEXT.std(ddof=1)).sum()
    feedback = nb01.check_single_gaussian_maximum(unbiased)
    _assert_hidden(feedback, expected)
    assert "N - 1" in feedback.message
    _assert_hidden(nb01.check_single_gaussian_maximum(expected - 0.5), expected)


def test_nb01_number_of_maxima():
    assert nb01.check_number_of_maxima(6)
    for wrong in (1, 3, 8):
        assert not nb01.check_number_of_maxima(wrong)


# ----------------------------------------------------------------- notebook 02
def test_nb02_known_label_sigmas():
    expected = np.array([np.sqrt(np.mean((X_TEXT[LABELS == k] - X_TEXT[LABELS == k].mean()) ** 2))
                         for k in range(3)])
    assert nb02.check_known_label_sigmas(expected)
    assert nb02.check_known_label_sigmas(list(expected))
    unbiased = np.array([X_TEXT[LABELS == k].std(ddof=1) for k in range(3)])
    feedback = nb02.check_known_label_sigmas(unbiased)
    _assert_hidden(feedback, expected)
    assert "ddof=1" in feedback.message
    _assert_hidden(nb02.check_known_label_sigmas(SIGMAS), expected)  # the truth is no estimate
    assert not nb02.check_known_label_sigmas(expected[:2])


def _bayes_at(point, weights=WEIGHTS):
    numerator = weights * stats.norm.pdf(point, MEANS, SIGMAS)
    return numerator / numerator.sum()


def test_nb02_class_probabilities_at_one():
    expected = _bayes_at(1.0)
    assert nb02.check_class_probabilities_at_one(expected)
    not_normalised = WEIGHTS * stats.norm.pdf(1.0, MEANS, SIGMAS)
    feedback = nb02.check_class_probabilities_at_one(not_normalised)
    _assert_hidden(feedback, expected)
    assert "add up to 1" in feedback.message
    feedback = nb02.check_class_probabilities_at_one(_bayes_at(1.0, weights=np.ones(3)))
    _assert_hidden(feedback, expected)
    assert "prior" in feedback.message
    _assert_hidden(nb02.check_class_probabilities_at_one(expected[::-1]), expected)


def test_nb02_equal_probability_point():
    expected = brentq(lambda point: _bayes_at(point)[1] - _bayes_at(point)[2], 0.0, 3.0)
    assert nb02.check_equal_probability_point(expected + 5e-5)
    _assert_hidden(nb02.check_equal_probability_point(expected + 1e-3), expected)
    _assert_hidden(nb02.check_equal_probability_point(1.5), expected)   # halfway between the means


def test_nb02_most_probable_class_far_right():
    expected = int(np.argmax(_bayes_at(8.0))) + 1
    assert expected == 1  # the broad component wins the far tail
    assert nb02.check_most_probable_class_far_right(1)
    assert nb02.check_most_probable_class_far_right(np.int64(1))
    for wrong in (2, 3, "1", 1.0, True):
        assert not nb02.check_most_probable_class_far_right(wrong)


# ----------------------------------------------------------------- notebook 03
def _first_iteration_by_hand():
    start = nb03.FIRST_ITERATION_START
    terms = np.column_stack([w * stats.norm.pdf(X_TEXT, m, s) for w, m, s in
                             zip(start["weights"], start["means"], start["sigmas"])])
    q = terms / terms.sum(axis=1, keepdims=True)
    counts = q.sum(axis=0)
    means = q.T @ X_TEXT / counts
    sigmas = np.sqrt(np.sum(q * (X_TEXT[:, None] - means) ** 2, axis=0) / counts)
    return q, counts, counts / X_TEXT.size, means, sigmas


def test_nb03_first_iteration():
    _, counts, _, means, _ = _first_iteration_by_hand()
    assert nb03.check_first_iteration(counts, means)
    feedback = nb03.check_first_iteration(counts / X_TEXT.size, means)   # weights, not counts
    _assert_hidden(feedback, counts)
    assert feedback.message.startswith("N_j")
    feedback = nb03.check_first_iteration(counts, means * counts)          # forgot to divide by N_j
    _assert_hidden(feedback, means)
    assert feedback.message.startswith("mu_j")


def test_nb03_first_iteration_accepts_columns_as_a_2d_fit_stores_them():
    _, counts, _, means, _ = _first_iteration_by_hand()
    assert nb03.check_first_iteration(counts[:, None], means[:, None])
    assert nb03.check_first_iteration(list(counts), list(means))
    _assert_hidden(nb03.check_first_iteration(counts, means[:, None] + 0.01), means)
    feedback = nb03.check_first_iteration(counts, means[None, :])          # a row is not a column
    assert not feedback and "shape" in feedback.message


def test_nb03_lower_bound():
    q, _, weights, means, sigmas = _first_iteration_by_hand()
    log_terms = np.column_stack([np.log(w) + stats.norm.logpdf(X_TEXT, m, s)
                                 for w, m, s in zip(weights, means, sigmas)])
    expected = np.sum(q * log_terms) - np.sum(q[q > 0] * np.log(q[q > 0]))
    assert nb03.check_lower_bound(expected)
    log_likelihood_new = _mixture_log_likelihood(X_TEXT, weights, means, sigmas)
    assert expected < log_likelihood_new   # the bound is strictly below ln L here
    _assert_hidden(nb03.check_lower_bound(log_likelihood_new), expected)


def _own_em_by_hand(n_iterations):
    """alpha_j, mu_j, sigma_j after n EM iterations from FIRST_ITERATION_START, with scipy.stats."""
    start = nb03.FIRST_ITERATION_START
    weights, means, sigmas = start["weights"], start["means"], start["sigmas"]
    for _ in range(n_iterations):
        terms = weights * stats.norm.pdf(X_TEXT[:, None], means, sigmas)
        q = terms / terms.sum(axis=1, keepdims=True)
        counts = q.sum(axis=0)
        weights, means = counts / X_TEXT.size, q.T @ X_TEXT / counts
        sigmas = np.sqrt(np.sum(q * (X_TEXT[:, None] - means) ** 2, axis=0) / counts)
    return weights, means, sigmas


def test_nb03_own_em():
    weights, means, sigmas = _own_em_by_hand(nb03.OWN_EM_ITERATIONS)
    assert nb03.check_own_em(weights, means, sigmas)
    assert nb03.check_own_em(weights[:, None], means[:, None], list(sigmas))   # columns, lists
    feedback = nb03.check_own_em(weights, means, sigmas**2)                   # variances, not sigmas
    _assert_hidden(feedback, sigmas)
    assert feedback.message.startswith("sigma_j")
    one_short = _own_em_by_hand(nb03.OWN_EM_ITERATIONS - 1)                   # one iteration short
    for got, expected in zip(one_short, (weights, means, sigmas)):
        assert np.abs(got - expected).max() > 1e-6   # far outside the check's 1e-8
    _assert_hidden(nb03.check_own_em(*one_short), means)
    order = np.array([1, 0, 2])                                               # components swapped
    _assert_hidden(nb03.check_own_em(weights[order], means[order], sigmas[order]), weights)


def test_nb03_own_em_placeholders_get_a_not_yet():
    for placeholder in (None, ..., "abc", float("nan")):
        feedback = nb03.check_own_em(placeholder, placeholder, placeholder)
        assert isinstance(feedback, Feedback) and repr(feedback).startswith("Not yet: ")


def test_nb03b_collapse_gain():
    setup = nb03b.COLLAPSE_SETUP
    x = np.concatenate([X_TEXT, np.full(setup["n_repeats"], setup["repeated_value"])])

    def log_likelihood(sigma_4):
        sigmas = np.append(setup["sigmas_first_three"], sigma_4)
        return _mixture_log_likelihood(x, setup["weights"], setup["means"], sigmas)

    expected = log_likelihood(1e-4) - log_likelihood(1e-3)
    assert nb03b.check_collapse_gain(expected)
    _assert_hidden(nb03b.check_collapse_gain(20 * np.log(10)), expected)   # the rough guess


# ----------------------------------------------------------------- every check
EVERY_CHECK = [nb01.check_log_likelihood_at_truth, nb01.check_single_gaussian_maximum,
               nb01.check_number_of_maxima, nb02.check_known_label_sigmas,
               nb02.check_class_probabilities_at_one, nb02.check_equal_probability_point,
               nb02.check_most_probable_class_far_right, nb03.check_lower_bound,
               nb03b.check_collapse_gain]


@pytest.mark.parametrize("check", EVERY_CHECK, ids=lambda check: check.__name__)
@pytest.mark.parametrize("placeholder", [None, ..., "abc", [1.0, "x"], float("nan")])
def test_placeholders_and_junk_get_a_not_yet_never_an_error(check, placeholder):
    feedback = check(placeholder)
    assert isinstance(feedback, Feedback) and not feedback
    assert repr(feedback).startswith("Not yet: ")


def test_first_iteration_placeholders_get_a_not_yet():
    assert repr(nb03.check_first_iteration(None, None)).startswith("Not yet: ")


# --- notebook 03's k-means limit; 03b's collapse demo and seed-35 run -------------------------


def test_nb03_em_with_shrinking_equal_variances_is_kmeans():
    # Notebook 03, section 9: EM for the means only, equal weights, every variance held at
    # sigma^2 = 0.01^2, from section 3's starting means, written here with numpy/scipy only,
    # against scikit-learn's Lloyd k-means from the same centres.
    from sklearn.cluster import KMeans

    from emlib.initialisation import textbook_start

    centres = textbook_start(X_TEXT, 3, np.random.default_rng(2))[1]
    kmeans = KMeans(3, init=centres[:, None], n_init=1, algorithm="lloyd", tol=0).fit(X_TEXT[:, None])
    means = centres
    for _ in range(2000):
        log_terms = stats.norm.logpdf(X_TEXT[:, None], means, 0.01)
        q = np.exp(log_terms - log_terms.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        new_means = q.T @ X_TEXT / q.sum(axis=0)
        if np.array_equal(new_means, means):
            break
        means = new_means
    second_largest = np.sort(q, axis=1)[:, -2]
    assert second_largest.max() < 1e-30                  # hard assignments, by a wide margin
    assert np.array_equal(q.argmax(axis=1), kmeans.labels_)
    assert np.allclose(means, kmeans.cluster_centers_[:, 0], rtol=0, atol=1e-10)
    # and k-means is not the maximum-likelihood fit: its right-hand mean is far from the peak at 3
    assert abs(np.sort(means)[2] - 3.08) > 0.3


def _log_weighted(x, weights, means, sigmas):
    """ln(alpha_j N(x_i | mu_j, sigma_j)), shape (N, M), with scipy.stats only."""
    return np.log(weights) + stats.norm.logpdf(x[:, None], means, sigmas)


def test_nb03b_collapse_crosses_the_floor_by_many_orders_of_magnitude():
    # The notebook's by-hand run: EM on the text's data plus 20 copies of 1.5, a fourth
    # component started near them, no reg_covar. Written here with numpy/scipy only.
    x = nb03b.collapse_data()
    assert np.array_equal(x, np.concatenate([X_TEXT, np.full(20, 1.5)]))
    weights = np.array([0.25, 0.55, 0.15, 0.05])
    means = np.array([-1.2, 0.03, 3.08, 1.5])
    variances = np.array([1.4, 1.07, 0.41, 0.3]) ** 2
    floor = (1e3 * np.finfo(float).eps * np.abs(x).max()) ** 2   # emlib's collapse rule
    history = [variances[3]]
    for _ in range(100):
        terms = _log_weighted(x, weights, means, np.sqrt(variances))
        resp = np.exp(terms - terms.max(axis=1, keepdims=True))
        resp /= resp.sum(axis=1, keepdims=True)
        counts = resp.sum(axis=0)
        weights, means = counts / x.size, resp.T @ x / counts
        variances = (resp * (x[:, None] - means) ** 2).sum(axis=0) / counts
        history.append(variances[3])
        if variances[3] <= floor:
            break
    assert history[-1] <= floor, "the fourth component never collapsed"
    # decisive on any CPU: far below the floor after the step, far above it before
    assert history[-1] < 1e-3 * floor
    assert history[-2] > 1e10 * floor


def test_nb03b_seed_35_stops_next_to_a_saddle_point():
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    from emlib import GaussianMixture

    def log_likelihood(theta):   # theta = (a_1..a_{M-1}, mu_1..mu_M, ln sigma_1..ln sigma_M)
        n = (theta.size + 1) // 3
        logits = np.append(theta[:n - 1], 0.0)
        weights = np.exp(logits - logsumexp(logits))
        return logsumexp(_log_weighted(X_TEXT, weights, theta[n - 1:2 * n - 1],
                                       np.exp(theta[2 * n - 1:])), axis=1).sum()

    # The two-component local maximum behind it: narrow left component, broad right one
    start = np.array([np.log(0.26 / 0.74), -0.44, 0.35, np.log(0.79), np.log(1.89)])
    two = minimize(lambda t: -log_likelihood(t), start, method="BFGS", options={"gtol": 1e-7}).x
    a, mu_1, mu_2, s_1, s_2 = two
    # Split the broad component into two identical halves: a stationary point for M = 3
    saddle = np.array([a + np.log(2), 0.0, mu_1, mu_2, mu_2, s_1, s_2, s_2])
    assert log_likelihood(saddle) == pytest.approx(log_likelihood(two), abs=1e-9)
    step, eye = 1e-3, np.eye(saddle.size)
    gradient = np.array([(log_likelihood(saddle + step * e) - log_likelihood(saddle - step * e))
                         / (2 * step) for e in eye])
    assert np.abs(gradient).max() < 1e-2
    hessian = np.array([[(log_likelihood(saddle + step * (e + f)) - log_likelihood(saddle + step * (e - f))
                          - log_likelihood(saddle - step * (e - f)) + log_likelihood(saddle - step * (e + f)))
                         / (4 * step**2) for f in eye] for e in eye])
    curvatures = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    assert np.sum(curvatures > 0.5) == 1      # one direction uphill: a saddle, not a maximum
    assert np.sum(np.abs(curvatures) < 0.1) == 1   # sharing weight between identical twins
    assert np.sum(curvatures < -1) == 6

    lingering = GaussianMixture(3, init_params="textbook", random_state=35, tol=1e-6,
                                max_iter=3000).fit(X_TEXT)
    assert 0 < log_likelihood(saddle) - lingering.log_likelihoods_[-1] < 0.05
