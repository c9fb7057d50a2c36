"""Self-checks of notebooks 04 and 05: right answers pass, wrong ones fail without
the expected value appearing in the message, and placeholders never raise.

Expected values are computed here independently: from the formulas, from
scikit-learn's ``aic``/``bic``/``predict_proba``, or with scipy.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from emlib.datasets import TEXT_MIXTURE_TRUTH, text_mixture

# The exercises' self-checks are course material in notebooks/checks/, not part of emlib.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from checks import nb04, nb05  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return text_mixture()


@pytest.fixture(scope="module")
def model(data):
    # Tight tolerance so the model is a converged fit; components in sklearn's order.
    return SklearnGaussianMixture(3, tol=1e-8, max_iter=2000, random_state=2).fit(
        data[0].reshape(-1, 1))


def _assert_hidden(feedback, value):
    """The message of a rejected answer must not show the expected value."""
    assert not feedback
    text = repr(feedback)
    assert text.startswith("Not yet: ")
    for digits in (2, 3, 4, 6):
        assert f"{value:.{digits}f}" not in text


# ------------------------------------------------------------------ nb04
def test_bic_threshold():
    expected = 1.5 * np.log(1000)  # (k_3 - k_2) / 2 * ln N with k = 3M - 1
    assert nb04.check_bic_threshold(expected)
    assert repr(nb04.check_bic_threshold(expected)).startswith("Correct!")
    _assert_hidden(nb04.check_bic_threshold(3 * np.log(1000)), expected)
    _assert_hidden(nb04.check_bic_threshold(1.5), expected)
    assert not nb04.check_bic_threshold(None)


def test_aic_bic_against_scikit_learn(data, model):
    X = data[0].reshape(-1, 1)
    aic, bic = model.aic(X), model.bic(X)
    assert nb04.check_aic_bic(aic, bic, model, data[0])
    _assert_hidden(nb04.check_aic_bic(aic + 2, bic, model, data[0]), aic)
    # AIC right, BIC with the AIC penalty: wrong.
    feedback = nb04.check_aic_bic(aic, aic, model, data[0])
    _assert_hidden(feedback, bic)
    assert "BIC" in repr(feedback)
    assert not nb04.check_aic_bic(None, None, model, data[0])


def test_icl_is_bic_of_the_completed_likelihood(data, model):
    x = data[0]
    hard = model.predict(x.reshape(-1, 1))
    sigmas = np.sqrt(model.covariances_.ravel())
    # ICL = -2 ln L_c + k ln N with ln L_c = sum_i ln(alpha_c N(x_i | c)), c = hard label.
    completed = np.sum(np.log(model.weights_[hard])
                       + norm.logpdf(x, model.means_.ravel()[hard], sigmas[hard]))
    expected = -2 * completed + 8 * np.log(x.size)
    assert nb04.check_icl(expected, model, x)
    _assert_hidden(nb04.check_icl(model.bic(x.reshape(-1, 1)), model, x), expected)
    assert not nb04.check_icl("ICL", model, x)


def _sample_truth(n, seed):
    rng = np.random.default_rng(seed)
    truth = TEXT_MIXTURE_TRUTH
    component = rng.choice(3, size=n, p=truth["weights"])
    return rng.normal(truth["means"][component], truth["sigmas"][component])


def test_bic_choice_agrees_with_converged_scikit_learn_fits():
    x = _sample_truth(10_000, seed=2024).reshape(-1, 1)
    bics = [SklearnGaussianMixture(m, tol=1e-6, max_iter=1000, n_init=2, random_state=0)
            .fit(x).bic(x) for m in (1, 2, 3, 4)]
    right = int(np.argmin(bics)) + 1
    assert nb04.check_bic_choice(right, x)
    for wrong in {1, 2, 3, 4} - {right}:
        assert not nb04.check_bic_choice(wrong, x)
    assert not nb04.check_bic_choice(None, x)
    assert not nb04.check_bic_choice(2.5, x)
    assert not nb04.check_bic_choice(7, x)


def test_bic_choice_on_one_gaussian():
    x = np.random.default_rng(0).normal(size=1000)
    assert nb04.check_bic_choice(1, x)
    assert not nb04.check_bic_choice(3, x)


# ------------------------------------------------------------------ nb05
def _sorted_hard_labels(model, x):
    order = np.argsort(model.means_.ravel())
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[model.predict(x.reshape(-1, 1))]


def test_accuracy(data, model):
    x, labels = data
    expected = np.mean(_sorted_hard_labels(model, x) == labels)
    assert 0.5 < expected < 0.9  # overlapping components: far from perfect, far from chance
    assert nb05.check_accuracy(expected, model, x, labels)
    # Comparing the unsorted labels with the truth is the mistake the check hints at.
    unsorted = np.mean(model.predict(x.reshape(-1, 1)) == labels)
    assert unsorted != expected
    feedback = nb05.check_accuracy(unsorted, model, x, labels)
    _assert_hidden(feedback, expected)
    assert "sort" in repr(feedback)
    assert not nb05.check_accuracy(None, model, x, labels)


def test_expected_accuracy(data, model):
    x = data[0]
    expected = model.predict_proba(x.reshape(-1, 1)).max(axis=1).mean()
    assert nb05.check_expected_accuracy(expected, model, x)
    _assert_hidden(nb05.check_expected_accuracy(expected - 0.01, model, x), expected)


def test_decision_boundary_is_where_the_probabilities_cross(model):
    order = np.argsort(model.means_.ravel())
    middle, right = order[1], order[2]
    low, high = model.means_.ravel()[middle], model.means_.ravel()[right]

    def difference(x):
        p = model.predict_proba(np.array([[x]]))[0]
        return p[middle] - p[right]

    for _ in range(60):  # bisection on scikit-learn's own class probabilities
        centre = 0.5 * (low + high)
        if difference(centre) > 0:
            low = centre
        else:
            high = centre
    expected = 0.5 * (low + high)
    assert nb05.check_decision_boundary(expected, model)
    _assert_hidden(nb05.check_decision_boundary(expected + 0.01, model), expected)
    _assert_hidden(nb05.check_decision_boundary(np.sort(model.means_.ravel())[1:].mean(), model),
                   expected)
    assert not nb05.check_decision_boundary(None, model)


def test_placeholders_ask_for_an_answer_and_never_raise(data, model):
    x, labels = data
    placeholders = [
        nb04.check_bic_threshold(None),
        nb04.check_aic_bic(None, None, model, x),
        nb04.check_icl(None, model, x),
        nb04.check_bic_choice(None, x),
        nb05.check_accuracy(None, model, x, labels),
        nb05.check_expected_accuracy(None, model, x),
        nb05.check_decision_boundary(None, model),
    ]
    for feedback in placeholders:
        assert not feedback
        assert repr(feedback).startswith("Not yet: ") and "None" in repr(feedback)
    # Answers of the wrong kind are refused with a message, not an exception.
    assert not nb05.check_accuracy("most of them", model, x, labels)
    assert not nb05.check_decision_boundary([2.0, 2.5], model)
