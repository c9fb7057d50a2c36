"""Inputs that used to give a plausible but wrong answer, checked against an independent reference.

Each test compares with something emlib did not compute: the maths (a fit
cannot depend on the unit of the sample weights; a power-of-two rescaling is
exact), scipy, or the same fit on data prepared another way.
"""

import pickle
import warnings

import numpy as np
import pytest
from scipy.special import softmax

from emlib import GaussianMixture, scan_models
from emlib import datasets
from emlib.initialisation import kmeans_labels, kmeans_plusplus_centres
from emlib.likelihood import ZeroDensityError, effective_counts, expectation, responsibilities
from emlib.validation import ScaleWarning, check_reg_covar_scale

RNG = np.random.default_rng(0)
CLUSTERS = np.vstack([RNG.normal(-3.0, 1.0, (120, 2)), RNG.normal(3.0, 0.7, (80, 2))])
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def fitted(X=CLUSTERS, sample_weight=None, **params):
    settings = {"n_components": 2, "random_state": 0, "tol": 1e-8, "max_iter": 500, **params}
    return GaussianMixture(**settings).fit(X, sample_weight=sample_weight)


def assert_same_fit(model, reference, rtol=1e-9):
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(model, name), getattr(reference, name), rtol=rtol,
                                   atol=1e-12, err_msg=name)
    assert model.n_iter_ == reference.n_iter_


# ------------------------------------------------ 1. sample weights: only ratios matter
@pytest.mark.parametrize("scale", [1e-300, 1e-20, 1.0, 1e20, 1e250])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "textbook"])
def test_uniform_sample_weights_of_any_size_give_the_unweighted_fit(
        scale, covariance_type, init_params):
    reference = fitted(covariance_type=covariance_type, init_params=init_params)
    model = fitted(sample_weight=np.full(len(CLUSTERS), scale),
                   covariance_type=covariance_type, init_params=init_params)
    assert_same_fit(model, reference)
    # The mean ln L per unit weight is the unweighted mean, whatever the unit.
    assert model.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-12)
    # The total ln L counts every sample `scale` times (to 1e-11: along a slow climb EM
    # carries the last-bit differences of the weighted sums a little further, up to 3e-12).
    np.testing.assert_allclose(model.log_likelihoods_, scale * reference.log_likelihoods_,
                               rtol=1e-11)


def test_huge_weights_on_huge_data_do_not_overflow():
    # 1e30 x (1e140)^2 overflows float64; only the ratios of the weights matter.
    reference = fitted(CLUSTERS * 1e140)
    model = fitted(CLUSTERS * 1e140, sample_weight=np.full(len(CLUSTERS), 1e30))
    assert_same_fit(model, reference)


def test_the_empty_component_constant_is_scikit_learns_for_unit_weights_and_scales():
    resp = np.c_[RNG.dirichlet(np.ones(2), size=40), np.zeros(40)]  # component 2 empty
    eps = np.finfo(np.float64).eps
    assert effective_counts(resp)[2] == pytest.approx(10 * eps, rel=1e-14)
    for scale in (1e-20, 1e20):
        np.testing.assert_allclose(effective_counts(resp * scale), scale * effective_counts(resp),
                                   rtol=1e-14)
    # An empty component with tiny weights: its N_j is the tiny constant, not 10 eps,
    # so the other components' counts are not swamped.
    empty = np.c_[np.full(40, 1e-20), np.zeros(40)]
    counts = effective_counts(empty)
    assert counts[0] == pytest.approx(40e-20, rel=1e-12) and 0 < counts[1] < 1e-32


def test_integer_weights_are_repeated_samples_at_any_unit():
    counts = RNG.integers(1, 4, len(CLUSTERS))
    repeated = fitted(np.repeat(CLUSTERS, counts, axis=0), init_params="textbook",
                      covariance_type="diag", random_state=None,
                      means_init=CLUSTERS[[0, -1]])
    for unit in (1e-20, 1e20):
        weighted = fitted(sample_weight=counts * unit, init_params="textbook",
                          covariance_type="diag", random_state=None,
                          means_init=CLUSTERS[[0, -1]])
        np.testing.assert_allclose(weighted.means_, repeated.means_, rtol=1e-9)
        np.testing.assert_allclose(weighted.covariances_, repeated.covariances_, rtol=1e-9)


def test_samples_with_negligible_weight_are_as_good_as_dropped():
    # The first cluster gets weights 1e-300 next to 1: the fit is that of the second
    # cluster alone, found here from the same starting means.
    second = CLUSTERS[120:]
    start = second[[0, 1]]
    alone = fitted(second, means_init=start, covariance_type="diag")
    weights = np.r_[np.full(120, 1e-300), np.ones(80)]
    model = fitted(sample_weight=weights, means_init=start, covariance_type="diag")
    np.testing.assert_allclose(model.means_, alone.means_, rtol=1e-7)
    np.testing.assert_allclose(model.covariances_, alone.covariances_, rtol=1e-7)


def test_scan_models_is_unchanged_by_the_unit_of_the_weights():
    reference = scan_models(CLUSTERS, range(1, 4), ("full", "diag"), n_init=1, random_state=0)
    for unit in (1e-20, 1e20):
        scan = scan_models(CLUSTERS, range(1, 4), ("full", "diag"), n_init=1, random_state=0,
                           sample_weight=np.full(len(CLUSTERS), unit))
        for key, model in scan.models.items():
            np.testing.assert_allclose(model.means_, reference.models[key].means_, rtol=1e-9)
        # Frequency weights: ln L is counted `unit` times per sample.
        np.testing.assert_allclose(scan.column("log_likelihood"),
                                   unit * reference.column("log_likelihood"), rtol=1e-9)


# ----------------------------------------------- 4. a row of zero densities is refused
def test_responsibilities_of_finite_rows_are_bayes_rule_and_a_zero_row_is_refused():
    log_densities = np.array([[-1.0, -2.0, -3.0], [-800.0, -801.0, -900.0]])
    weights = np.array([0.2, 0.3, 0.5])
    expected = softmax(log_densities + np.log(weights), axis=1)
    np.testing.assert_allclose(responsibilities(log_densities, weights), expected, rtol=1e-14)
    with_zero_row = np.vstack([log_densities, np.full(3, -np.inf)])
    for function in (responsibilities, lambda *a: expectation(*a)[1]):
        with pytest.raises(ZeroDensityError, match=r"Sample 2 has density 0 under every "
                                                   r"component.*0/0") as raised:
            function(with_zero_row, weights)
        assert raised.value.row == 2 and isinstance(raised.value, ValueError)
    with pytest.raises(ZeroDensityError, match="Sample 0 has a NaN term"):
        responsibilities(np.array([[0.0, np.nan, 0.0]]), weights)


def test_a_sample_beyond_float64_range_in_the_loop_gets_a_specific_message():
    # Starting variances of 1e-300 (normal numbers, so accepted): a sample 1e5 away
    # from both means is 1e155 standard deviations out, and its square overflows.
    x = np.r_[np.linspace(-1, 1, 20), 1e5 + np.linspace(-1, 1, 20)]
    model = GaussianMixture(2, means_init=[[0.0], [1.0]], covariances_init=[1e-300, 1e-300])
    with pytest.raises(ZeroDensityError) as raised:
        model.fit(x)
    message = str(raised.value)
    for fragment in ("ln L is not finite at iteration 1", "X[20] has density 0 under every "
                     "component", "overflows float64", "starting values", "Rescale the data"):
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert raised.value.row == 20
    assert isinstance(raised.value, FloatingPointError)  # what the loop raised before


# ------------------------------------------------ 5. reg_covar out of proportion warns
def test_data_at_the_reg_covar_scale_warn_and_rescaled_data_recover_the_clusters():
    tiny = CLUSTERS * 1e-6
    with pytest.warns(ScaleWarning, match=r"reg_covar=1e-06 is comparable to or larger than "
                                          r"the variance of the data.*Rescale the data") as record:
        merged = fitted(tiny)
    assert issubclass(ScaleWarning, UserWarning)
    assert record[0].filename == __file__  # points at the user's line
    # The warning is earned: the clusters merge, unlike on the rescaled data.
    separate = fitted(CLUSTERS)
    assert np.ptp(separate.means_[:, 0]) > 5
    assert np.ptp(merged.means_[:, 0]) * 1e6 < 1
    np.testing.assert_allclose(fitted(tiny, reg_covar=1e-18).means_ * 1e6, separate.means_,
                               rtol=1e-6)


@pytest.mark.parametrize("scale", [1e-2, 1.0, 1e3, 1e8])
def test_ordinary_data_never_warn(scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScaleWarning)
        fitted(CLUSTERS * scale)
        for data in (datasets.text_mixture(), datasets.correlated_clusters(),
                     datasets.parallel_strips()):
            X = data[0] if isinstance(data, tuple) else data
            check_reg_covar_scale(np.asarray(X, dtype=float).reshape(len(X), -1) * scale, 1e-6)


def test_a_constant_feature_does_not_warn():
    X = np.c_[CLUSTERS, np.ones(len(CLUSTERS))]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScaleWarning)
        model = fitted(X)
    np.testing.assert_allclose(model.covariances_[:, 2, 2], 1e-6, rtol=1e-6)


# -------------------------------------------------- 7. k-means++ on huge or tiny data
@pytest.mark.parametrize("scale", [1e-200, 1e160, 1e300])
def test_kmeans_seeds_and_labels_do_not_depend_on_the_scale(scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        seeds = kmeans_plusplus_centres(CLUSTERS * scale, 4, np.random.default_rng(3))
        labels = kmeans_labels(CLUSTERS * scale, 2, np.random.default_rng(3))
    np.testing.assert_array_equal(seeds, kmeans_plusplus_centres(CLUSTERS, 4,
                                                                 np.random.default_rng(3)))
    np.testing.assert_array_equal(labels, kmeans_labels(CLUSTERS, 2, np.random.default_rng(3)))
    assert np.bincount(labels).tolist() == [120, 80] or np.bincount(labels).tolist() == [80, 120]


# -------------------------------------------------------- 10. symmetry tolerance
@pytest.mark.filterwarnings("ignore::emlib.ConvergenceWarning")
def test_symmetry_is_judged_relative_to_the_matrix():
    base = np.array([[2.0, 0.5], [0.5, 1.0]])
    rounding = np.array([[0.0, 1e-15], [0.0, 0.0]])  # a relative rounding error
    big = np.array([base * 1e12 + rounding * 1e12] * 2)
    model = fitted(CLUSTERS * 1e6, covariances_init=big, max_iter=1, tol=0)
    symmetric = fitted(CLUSTERS * 1e6, covariances_init=np.array([base * 1e12] * 2),
                       max_iter=1, tol=0)
    np.testing.assert_allclose(model.means_, symmetric.means_, rtol=1e-12)
    small = np.array([base * 1e-12 + np.array([[0.0, 0.4e-12], [0.0, 0.0]])] * 2)
    with pytest.raises(ValueError, match=r"covariances_init\[0\] must be symmetric"):
        fitted(CLUSTERS * 1e-6, covariances_init=small, reg_covar=0.0)


# -------------------------------------------------------------- 13. pickling
@pytest.mark.filterwarnings("ignore::emlib.ConvergenceWarning")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_a_pickled_model_predicts_bit_for_bit_the_same(covariance_type):
    model = fitted(covariance_type=covariance_type, n_components=3)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict_proba(CLUSTERS), model.predict_proba(CLUSTERS))
    np.testing.assert_array_equal(copy.score_samples(CLUSTERS), model.score_samples(CLUSTERS))
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        value = getattr(model, name)
        assert value.flags.c_contiguous and value.flags.owndata, name


# ------------------------------------------------------------- 2. weighted score
def test_weighted_score_is_the_weighted_mean_of_score_samples():
    model = fitted()
    weights = RNG.uniform(0, 3, len(CLUSTERS))
    expected = np.sum(weights * model.score_samples(CLUSTERS)) / np.sum(weights)
    assert model.score(CLUSTERS, sample_weight=weights) == pytest.approx(expected, rel=1e-13)
    assert model.score(CLUSTERS, sample_weight=weights * 1e-20) == pytest.approx(expected,
                                                                                rel=1e-13)


# ---------------------------------------------------------- 8. scan_models inputs
def test_a_single_covariance_type_string_is_one_type():
    as_string = scan_models(CLUSTERS, [1, 2], "diag", n_init=1, random_state=0)
    as_tuple = scan_models(CLUSTERS, [1, 2], ("diag",), n_init=1, random_state=0)
    assert [row["covariance_type"] for row in as_string.rows] == ["diag", "diag"]
    np.testing.assert_array_equal(as_string.column("bic"), as_tuple.column("bic"))


def test_a_generator_of_component_numbers_serves_every_covariance_type():
    scan = scan_models(CLUSTERS, (m for m in (1, 2)), ("full", "diag"), n_init=1,
                       random_state=0)
    assert sorted(scan.models) == [(1, "diag"), (1, "full"), (2, "diag"), (2, "full")]
