"""scan_models and sort_components, checked against scikit-learn's formulas.

Each fitted emlib model's parameters are copied into a scikit-learn
GaussianMixture, whose own score_samples, aic, bic and _n_parameters give
the reference values for the table.
"""

import numpy as np
import pytest
import sklearn.mixture

from emlib import GaussianMixture, ModelScan, scan_models

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def as_sklearn(model):
    """A scikit-learn GaussianMixture holding the fitted parameters of an emlib one."""
    reference = sklearn.mixture.GaussianMixture(model.n_components,
                                                covariance_type=model.covariance_type)
    reference._set_parameters((model.weights_, model.means_, model.covariances_,
                               model.precisions_cholesky_))
    return reference


@pytest.fixture(scope="module")
def scan():
    rng = np.random.default_rng(11)
    X = np.vstack([rng.normal([0.0, 0.0], 1.0, size=(150, 2)),
                   rng.normal([5.0, 1.0], 0.7, size=(100, 2)),
                   rng.normal([1.0, 6.0], 1.2, size=(120, 2))])
    return X, scan_models(X, n_components=range(1, 6), covariance_types=("full", "diag"),
                          n_init=2, random_state=0)


def test_table_matches_sklearn_formulas_on_each_model(scan):
    X, result = scan
    assert len(result.rows) == 10 and len(result.models) == 10
    for row in result.rows:
        model = result.models[(row["n_components"], row["covariance_type"])]
        assert model.n_components == row["n_components"]
        assert model.covariance_type == row["covariance_type"]
        reference = as_sklearn(model)
        log_l = reference.score_samples(X).sum()
        assert row["log_likelihood"] == pytest.approx(log_l, rel=1e-10)
        assert row["n_parameters"] == reference._n_parameters()
        assert row["aic"] == pytest.approx(reference.aic(X), rel=1e-10)
        assert row["bic"] == pytest.approx(reference.bic(X), rel=1e-10)
        # ICL = BIC + 2 x entropy of the most probable labels.
        entropy = -np.log(reference.predict_proba(X).max(axis=1)).sum()
        assert row["icl"] == pytest.approx(reference.bic(X) + 2 * entropy, rel=1e-10)
        assert row["converged"] == model.converged_
        # The model's own methods agree with the table.
        assert model.aic(X) == pytest.approx(row["aic"], rel=1e-12)
        assert model.bic(X) == pytest.approx(row["bic"], rel=1e-12)
        assert model.icl(X) == pytest.approx(row["icl"], rel=1e-12)


def test_best_and_best_by_pick_the_smallest_value(scan):
    _, result = scan
    for criterion in ("aic", "bic", "icl"):
        values = result.column(criterion)
        winner = result.rows[int(np.argmin(values))]
        assert result.best_by(criterion) == (winner["n_components"], winner["covariance_type"])
    assert result.best == result.best_by("bic")
    assert result.best_model is result.models[result.best]
    # The data hold three round clusters: BIC finds three components.
    assert result.best[0] == 3


def test_columns_and_printed_table(scan):
    _, result = scan
    np.testing.assert_array_equal(result.column("n_components", "diag"), [1, 2, 3, 4, 5])
    assert result.column("bic").shape == (10,)
    # ln L grows with the number of components (nested models, best of 2 starts).
    assert np.all(np.diff(result.column("log_likelihood", "full")) > 0)
    text = str(result)
    assert text.count("\n") == 11 and "<- best" in text
    assert f"M = {result.best[0]}" in text


def test_criterion_choice_and_bad_criterion():
    x = np.random.default_rng(0).normal(size=60)
    result = scan_models(x, n_components=[1, 2], criterion="aic", n_init=1, random_state=0)
    assert isinstance(result, ModelScan) and result.criterion == "aic"
    assert result.best == result.best_by("aic")
    with pytest.raises(ValueError, match="criterion.*'bic'.*got 'BIC'"):
        scan_models(x, n_components=[1], criterion="BIC")
    with pytest.raises(ValueError, match="criterion.*got 'likelihood'"):
        result.best_by("likelihood")


def test_scan_is_reproducible_and_passes_settings_on():
    x = np.random.default_rng(1).normal(size=80)
    first = scan_models(x, n_components=[2, 3], n_init=2, random_state=4, tol=1e-4,
                        reg_covar=1e-4, max_iter=500)
    second = scan_models(x, n_components=[2, 3], n_init=2, random_state=4, tol=1e-4,
                         reg_covar=1e-4, max_iter=500)
    np.testing.assert_array_equal(first.column("bic"), second.column("bic"))
    model = first.models[(2, "full")]
    assert (model.tol, model.reg_covar, model.max_iter, model.n_init) == (1e-4, 1e-4, 500, 2)


# ------------------------------------------------------------ ordering
@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sort_components_orders_by_mean_and_keeps_the_density(covariance_type, n_features,
                                                               clusters):
    X = clusters(n_features)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=2).fit(X)
    before = {name: np.copy(getattr(model, name))
              for name in ("weights_", "means_", "covariances_", "precisions_")}
    density, resp = model.score_samples(X), model.predict_proba(X)
    assert model.sort_components() is model
    order = np.lexsort(before["means_"].T[::-1])  # first coordinate, ties by the next
    assert not np.array_equal(order, np.arange(3)), "pick a seed whose fit is unsorted"
    np.testing.assert_array_equal(model.means_, before["means_"][order])
    assert np.all(np.diff(model.means_[:, 0]) > 0)
    np.testing.assert_array_equal(model.weights_, before["weights_"][order])
    if covariance_type == "tied":
        np.testing.assert_array_equal(model.covariances_, before["covariances_"])
    else:
        np.testing.assert_array_equal(model.covariances_, before["covariances_"][order])
        np.testing.assert_allclose(model.precisions_, before["precisions_"][order], rtol=1e-14)
    np.testing.assert_allclose(model.score_samples(X), density, rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), resp[:, order], rtol=1e-12, atol=1e-15)
    # Sorting twice changes nothing.
    means = model.means_.copy()
    np.testing.assert_array_equal(model.sort_components().means_, means)
