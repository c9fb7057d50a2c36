"""Every kind of bad input gets an exception whose message names the argument and what was given.

Also: collapsing components, the convergence warning, unfitted models and
data far outside float64's comfortable range. Nothing may return NaN silently.
"""

import re
import warnings

import numpy as np
import pytest
import sklearn.exceptions
from sklearn.exceptions import NotFittedError

import emlib
from emlib import ConvergenceWarning, DegenerateComponentError, GaussianMixture
from emlib.validation import ScaleWarning

X = np.random.default_rng(0).normal(size=(50, 2))
X_NAN = X.copy()
X_NAN[5, 1] = np.nan
X_INF = X.copy()
X_INF[7, 0] = -np.inf
EYE2 = np.array([np.eye(2), np.eye(2)])


def fit(X_=X, sample_weight=None, **params):
    return GaussianMixture(**{"n_components": 2, "random_state": 0, **params}).fit(
        X_, sample_weight=sample_weight)


def object_array(rows):
    array = np.empty((len(rows), len(rows[0])), dtype=object)
    array[:] = rows
    return array


# (what happens, the exception, fragments its message must contain)
BAD_FITS = [
    # --- the data
    pytest.param(lambda: fit(X_NAN), ValueError, ["X", "NaN", "X[5, 1] = nan"], id="X-nan"),
    pytest.param(lambda: fit(X_INF), ValueError, ["X", "infinity", "X[7, 0] = -inf"], id="X-inf"),
    pytest.param(lambda: fit(np.empty((0, 2))), ValueError, ["X", "empty", "(0, 2)"],
                 id="X-empty"),
    pytest.param(lambda: fit([]), ValueError, ["X", "empty"], id="X-empty-list"),
    pytest.param(lambda: fit(np.empty((5, 0))), ValueError, ["X", "no features", "(5, 0)"],
                 id="X-no-features"),
    pytest.param(lambda: fit(np.zeros((4, 3, 2))), ValueError, ["X", "3-D", "(4, 3, 2)"],
                 id="X-3d"),
    pytest.param(lambda: fit(3.0), ValueError, ["X", "scalar"], id="X-scalar"),
    pytest.param(lambda: fit([["a", "b"], ["c", "d"]]), TypeError, ["X", "strings", "<U1"],
                 id="X-strings"),
    pytest.param(lambda: fit("1 2 3"), TypeError, ["X", "'1 2 3'", "str"], id="X-a-string"),
    pytest.param(lambda: fit(object_array([[1.0, 2.0], [3.0, "x"]])), TypeError,
                 ["X", "X[1, 1] = 'x'"], id="X-object-text"),
    pytest.param(lambda: fit(object_array([[1.0, None], [3.0, 4.0]])), ValueError,
                 ["X", "X[0, 1] = None", "missing"], id="X-object-none"),
    pytest.param(lambda: fit(X + 1j), ValueError, ["X", "complex128"], id="X-complex"),
    pytest.param(lambda: fit([[1.0, 2.0], [3.0]]), ValueError, ["X", "rectangular"],
                 id="X-ragged"),
    pytest.param(lambda: fit(X * 1e160), ValueError, ["X", "e+160", "Rescale"], id="X-huge"),
    # --- the settings
    pytest.param(lambda: fit(n_components=60), ValueError,
                 ["n_components=60", "number of samples (50)"], id="more-components-than-samples"),
    pytest.param(lambda: fit(n_components=3, sample_weight=np.r_[1.0, 1.0, np.zeros(48)]),
                 ValueError, ["n_components=3", "(2)"], id="more-components-than-weighted-samples"),
    pytest.param(lambda: fit(n_components=0), ValueError, ["n_components", "got 0"],
                 id="n_components-zero"),
    pytest.param(lambda: fit(n_components=2.0), TypeError, ["n_components", "2.0", "float"],
                 id="n_components-float"),
    pytest.param(lambda: fit(covariance_type="ful"), ValueError,
                 ["covariance_type", "'ful'", "'full', 'tied', 'diag', 'spherical'"],
                 id="covariance_type-unknown"),
    pytest.param(lambda: fit(covariance_type=None), ValueError, ["covariance_type", "None"],
                 id="covariance_type-none"),
    pytest.param(lambda: fit(tol=-1e-3), ValueError, ["tol", ">= 0", "-0.001"], id="tol-negative"),
    pytest.param(lambda: fit(tol="1e-3"), TypeError, ["tol", "'1e-3'", "str"], id="tol-string"),
    pytest.param(lambda: fit(tol=np.nan), ValueError, ["tol", "finite", "nan"], id="tol-nan"),
    pytest.param(lambda: fit(max_iter=-1), ValueError, ["max_iter", "got -1"],
                 id="max_iter-negative"),
    pytest.param(lambda: fit(max_iter=1.5), TypeError, ["max_iter", "integer", "1.5"],
                 id="max_iter-float"),
    pytest.param(lambda: fit(max_iter=True), TypeError, ["max_iter", "True", "bool"],
                 id="max_iter-bool"),
    pytest.param(lambda: fit(n_init=0), ValueError, ["n_init", ">= 1", "got 0"],
                 id="n_init-zero"),
    pytest.param(lambda: fit(n_init="3"), TypeError, ["n_init", "'3'"], id="n_init-string"),
    pytest.param(lambda: fit(reg_covar=-1e-6), ValueError, ["reg_covar", ">= 0", "-1e-06"],
                 id="reg_covar-negative"),
    pytest.param(lambda: fit(reg_covar=None), TypeError, ["reg_covar", "None"],
                 id="reg_covar-none"),
    pytest.param(lambda: fit(init_params="kmeans++"), ValueError,
                 ["init_params", "'kmeans++'", "'k-means++'", "'textbook'"],
                 id="init_params-unknown"),
    pytest.param(lambda: fit(random_state="seed"), TypeError, ["random_state", "'seed'"],
                 id="random_state-string"),
    # --- starting values
    pytest.param(lambda: fit(weights_init=[0.5, 0.6]), ValueError,
                 ["weights_init", "sum to 1", "1.1"], id="weights_init-sum"),
    pytest.param(lambda: fit(weights_init=[-0.5, 1.5]), ValueError,
                 ["weights_init", "[0, 1]", "-0.5"], id="weights_init-negative"),
    pytest.param(lambda: fit(weights_init=[0.2, 0.3, 0.5]), ValueError,
                 ["weights_init", "(2,)", "(3,)"], id="weights_init-shape"),
    pytest.param(lambda: fit(weights_init=[np.nan, 0.5]), ValueError,
                 ["weights_init", "weights_init[0] = nan"], id="weights_init-nan"),
    pytest.param(lambda: fit(means_init=np.zeros((3, 2))), ValueError,
                 ["means_init", "(2, 2)", "(3, 2)"], id="means_init-components"),
    pytest.param(lambda: fit(means_init=np.zeros((2, 3))), ValueError,
                 ["means_init", "(2, 2)", "(2, 3)"], id="means_init-features"),
    pytest.param(lambda: fit(means_init=[[0.0, np.inf], [1.0, 1.0]]), ValueError,
                 ["means_init", "inf"], id="means_init-inf"),
    pytest.param(lambda: fit(precisions_init=np.ones((2, 3, 3))), ValueError,
                 ["precisions_init", "(2, 2, 2)", "(2, 3, 3)"], id="precisions_init-shape"),
    pytest.param(lambda: fit(covariance_type="tied", precisions_init=EYE2), ValueError,
                 ["precisions_init", "(2, 2)", "(2, 2, 2)"], id="tied-precisions_init-shape"),
    pytest.param(lambda: fit(precisions_init=np.array([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])),
                 ValueError, ["precisions_init[1]", "positive definite", "-1"],
                 id="precisions_init-indefinite"),
    pytest.param(lambda: fit(precisions_init=np.array([np.eye(2), [[1.0, 0.5], [0.2, 1.0]]])),
                 ValueError, ["precisions_init[1]", "symmetric", "0.3"],
                 id="precisions_init-asymmetric"),
    pytest.param(lambda: fit(covariances_init=np.array([np.eye(2), -np.eye(2)])), ValueError,
                 ["covariances_init[1]", "positive definite", "-1"],
                 id="covariances_init-negative-definite"),
    pytest.param(lambda: fit(covariance_type="tied", covariances_init=np.zeros((2, 2))),
                 ValueError, ["covariances_init", "positive definite", "0"],
                 id="tied-covariances_init-singular"),
    pytest.param(lambda: fit(covariance_type="diag", covariances_init=[[1.0, 1.0], [1.0, 0.0]]),
                 ValueError, ["covariances_init", "positive", "covariances_init[1, 1] = 0.0"],
                 id="diag-covariances_init-zero"),
    pytest.param(lambda: fit(covariance_type="spherical", precisions_init=[1.0, -2.0]),
                 ValueError, ["precisions_init", "positive", "precisions_init[1] = -2.0"],
                 id="spherical-precisions_init-negative"),
    pytest.param(lambda: fit(precisions_init=EYE2, covariances_init=EYE2), ValueError,
                 ["precisions_init", "covariances_init", "not both"], id="both-inits"),
    # --- sample weights
    pytest.param(lambda: fit(sample_weight=np.r_[1.0, -1.0, np.ones(48)]), ValueError,
                 ["sample_weight", "non-negative", "-1.0", "index 1"], id="sample_weight-negative"),
    pytest.param(lambda: fit(sample_weight=np.ones(10)), ValueError,
                 ["sample_weight", "(50,)", "(10,)"], id="sample_weight-length"),
    pytest.param(lambda: fit(sample_weight=np.ones((50, 1))), ValueError,
                 ["sample_weight", "(50,)", "(50, 1)"], id="sample_weight-2d"),
    pytest.param(lambda: fit(sample_weight=np.r_[np.nan, np.ones(49)]), ValueError,
                 ["sample_weight", "sample_weight[0] = nan"], id="sample_weight-nan"),
    pytest.param(lambda: fit(sample_weight=np.zeros(50)), ValueError,
                 ["sample_weight", "sums to zero"], id="sample_weight-all-zero"),
    pytest.param(lambda: fit(sample_weight=["a"] * 50), TypeError, ["sample_weight", "strings"],
                 id="sample_weight-strings"),
]


@pytest.mark.parametrize("action, error, fragments", BAD_FITS)
def test_bad_fit_input_is_refused_with_a_clear_message(action, error, fragments):
    with pytest.raises(error) as raised:
        action()
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# ------------------------------------------------------ fitted models
FITTED = GaussianMixture(2, random_state=0).fit(X)
METHODS = ["predict", "predict_proba", "score_samples", "score", "aic", "bic", "icl"]


@pytest.mark.parametrize("method", METHODS)
def test_data_with_another_number_of_features_is_refused(method):
    for other in (np.zeros((4, 3)), np.zeros(4)):
        with pytest.raises(ValueError, match=re.escape(
                f"X has {1 if other.ndim == 1 else 3} feature(s) but the model was fitted "
                "on 2 feature(s)")):
            getattr(FITTED, method)(other)


@pytest.mark.parametrize("method", METHODS)
def test_bad_data_at_predict_time_is_refused(method):
    with pytest.raises(ValueError, match=re.escape("X[5, 1] = nan")):
        getattr(FITTED, method)(X_NAN)
    with pytest.raises(TypeError, match="strings"):
        getattr(FITTED, method)([["a", "b"]])


@pytest.mark.parametrize("method", METHODS)
def test_points_too_far_for_float64_raise_instead_of_nan(method):
    far = np.array([[0.0, 0.0], [1e200, -1e200]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning on the way
        with pytest.raises(ValueError, match=r"X\[1\] lies so far from every component"):
            getattr(FITTED, method)(far)


@pytest.mark.parametrize("method, args", [(name, (X,)) for name in METHODS]
                         + [("sample", (5,)), ("sort_components", ())])
def test_unfitted_model_raises_not_fitted_error(method, args):
    with pytest.raises(NotFittedError, match="not fitted yet. Call .fit.") as raised:
        getattr(GaussianMixture(2), method)(*args)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("n_samples, fragments", [
    (0, ["n_samples", "got 0"]), (2.5, ["n_samples", "2.5"])])
def test_bad_number_of_samples_to_draw(n_samples, fragments):
    with pytest.raises((ValueError, TypeError)) as raised:
        FITTED.sample(n_samples)
    assert all(fragment in str(raised.value) for fragment in fragments)


def test_warm_start_after_changing_the_shape_is_refused():
    model = GaussianMixture(2, warm_start=True, random_state=0).fit(X)
    model.set_params(n_components=3)
    with pytest.raises(ValueError, match="warm_start=True.*n_components=2.*n_components=3"):
        model.fit(X)


# ---------------------------------------------------- collapsed components
def repeated_points(value, n_features):
    """Well-spread data plus 30 copies of one point, which a component can sit on."""
    rng = np.random.default_rng(1)
    spread = np.vstack([rng.normal(10.0, 2.0, size=(100, n_features)),
                        rng.normal(-10.0, 2.0, size=(100, n_features))])
    return np.vstack([np.full((30, n_features), value), spread])


@pytest.mark.parametrize("value, n_features, covariance_type", [
    (0.0, 1, "full"), (1.3, 1, "full"), (1.3, 1, "spherical"), (1.3, 2, "full"),
    (1.3, 2, "diag"), (1.3, 2, "spherical")])
def test_collapse_onto_repeated_points_raises_and_default_reg_covar_fixes_it(
        value, n_features, covariance_type):
    data = repeated_points(value, n_features)
    params = dict(n_components=3, covariance_type=covariance_type, random_state=0,
                  max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(DegenerateComponentError) as raised:
            GaussianMixture(reg_covar=0.0, **params).fit(data)
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    for fragment in ("collapsed", "repeated", "reg_covar", "fewer components", "rescale"):
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # The same data with the default reg_covar: a proper fit, the copies in
    # one narrow component whose variance is reg_covar.
    model = GaussianMixture(**params).fit(data)
    assert model.converged_
    assert np.all(np.isfinite(model.covariances_)) and np.isfinite(model.lower_bound_)
    assert np.all(np.isfinite(model.predict_proba(data)))
    narrow = np.argmin(np.abs(model.means_ - value).sum(axis=1))
    np.testing.assert_allclose(model.means_[narrow], value, atol=1e-9)
    np.testing.assert_allclose(np.ravel(model.covariances_[narrow])[0], 1e-6, rtol=1e-6)


def test_fewer_distinct_points_than_components_warn_when_reg_covar_keeps_the_fit_defined():
    """With reg_covar > 0 the fit is defined (scikit-learn fits it too): a warning, and
    the surplus components are empty, so the mixture is the one of the distinct points."""
    X_ = np.repeat([[0.0, 0.0], [1.0, 1.0]], [6, 4], axis=0)
    with pytest.warns(ScaleWarning, match=r"distinct points in X \(2\).*at most 2 component"):
        model = fit(X_, n_components=4, reg_covar=1e-6)
    # The maths: the two points' shares, each point a component of variance reg_covar.
    heavy = np.argsort(model.weights_)[-2:]
    np.testing.assert_allclose(model.weights_[heavy], [0.4, 0.6], rtol=1e-9)
    np.testing.assert_allclose(np.sort(model.weights_)[:2], 0.0, atol=1e-9)
    np.testing.assert_allclose(model.means_[heavy], [[1.0, 1.0], [0.0, 0.0]], atol=1e-9)
    np.testing.assert_allclose(model.covariances_[heavy], [1e-6 * np.eye(2)] * 2, atol=1e-12)
    assert np.all(np.isfinite(model.score_samples(X_)))


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_single_sample_starts_need_reg_covar(init_params):
    with pytest.raises(DegenerateComponentError,
                       match=re.escape(f"init_params={init_params!r}") + ".*reg_covar > 0"):
        fit(reg_covar=0.0, init_params=init_params)
    assert np.isfinite(fit(init_params=init_params).lower_bound_)


# --------------------------------------------------------- convergence
def test_stopping_at_max_iter_warns():
    assert issubclass(ConvergenceWarning, sklearn.exceptions.ConvergenceWarning)
    assert emlib.ConvergenceWarning is ConvergenceWarning
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 .*tol=1e-10"):
        model = fit(max_iter=2, tol=1e-10)
    assert not model.converged_ and model.n_iter_ == 2
    # scikit-learn's filter silences ours too.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)
        fit(max_iter=2, tol=1e-10)


def test_converged_fit_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fit(max_iter=500, tol=1e-6)
    assert model.converged_ and model.n_iter_ < 500


# ======================================================================
# More kinds: settings, starting values at float64's edges, sample weights
# at score time, the family object, the pure functions, scan_models.
# ======================================================================
import scipy.sparse  # noqa: E402

from emlib import gaussian, information_criteria, initialisation, scan_models  # noqa: E402
from emlib.families import GaussianFamily  # noqa: E402
from emlib.validation import check_bool  # noqa: E402

TINY_COV = np.array([np.eye(2) * 1e-320] * 2)
ASYMMETRIC_SMALL = np.array([[[2e-12, 0.9e-12], [0.5e-12, 1e-12]]] * 2)


def score(sample_weight):
    return FITTED.score(X, sample_weight=sample_weight)


MORE_BAD_FITS = [
    # --- booleans, seeds, verbosity
    pytest.param(lambda: fit(warm_start="False"), TypeError,
                 ["warm_start", "True or False", "'False'", "str"], id="warm_start-string"),
    pytest.param(lambda: fit(warm_start=1), TypeError, ["warm_start", "bool", "1 (type int)"],
                 id="warm_start-int"),
    pytest.param(lambda: fit(random_state=-1), ValueError,
                 ["random_state", "non-negative", "got -1"], id="random_state-negative"),
    pytest.param(lambda: fit(random_state=True), TypeError, ["random_state", "bool", "True"],
                 id="random_state-bool"),
    pytest.param(lambda: fit(verbose="yes"), TypeError, ["verbose", "integer", "'yes'"],
                 id="verbose-string"),
    pytest.param(lambda: fit(verbose=-1), ValueError, ["verbose", ">= 0", "-1"],
                 id="verbose-negative"),
    pytest.param(lambda: fit(verbose_interval=0), ValueError, ["verbose_interval", ">= 1", "0"],
                 id="verbose_interval-zero"),
    pytest.param(lambda: fit(tol=np.inf), ValueError, ["tol", "finite", "inf"], id="tol-inf"),
    pytest.param(lambda: fit(reg_covar=np.nan), ValueError, ["reg_covar", "finite", "nan"],
                 id="reg_covar-nan"),
    pytest.param(lambda: fit(covariance_type=["full"]), ValueError,
                 ["covariance_type", "'full', 'tied'", "['full']"], id="covariance_type-list"),
    pytest.param(lambda: fit(covariance_type=np.array(["full"])), ValueError,
                 ["covariance_type", "array of shape (1,)"], id="covariance_type-array"),
    pytest.param(lambda: fit(init_params=["kmeans"]), ValueError,
                 ["init_params", "'kmeans'", "list"], id="init_params-list"),
    # --- starting values at the edges of float64
    pytest.param(lambda: fit(covariances_init=TINY_COV), ValueError,
                 ["covariances_init[0]", "1e-320", "normal range", "inverse"],
                 id="covariances_init-subnormal"),
    pytest.param(lambda: fit(precisions_init=TINY_COV), ValueError,
                 ["precisions_init[0]", "1e-320", "normal range"], id="precisions_init-subnormal"),
    pytest.param(lambda: fit(covariance_type="diag", covariances_init=np.full((2, 2), 1e-320)),
                 ValueError, ["covariances_init", "1e-320", "normal range"],
                 id="diag-covariances_init-subnormal"),
    pytest.param(lambda: fit(covariance_type="spherical", precisions_init=[1.0, 1e308]),
                 ValueError, ["precisions_init", "1e+308", "normal range"],
                 id="spherical-precisions_init-huge"),
    pytest.param(lambda: fit(X * 1e-6, covariances_init=ASYMMETRIC_SMALL, reg_covar=0.0),
                 ValueError,
                 ["covariances_init[0]", "symmetric", "4e-13", "relative"],
                 id="covariances_init-asymmetric-at-1e-12"),
    # --- the data
    pytest.param(lambda: fit(scipy.sparse.csr_matrix(X)), TypeError,
                 ["X", "scipy.sparse", "csr_matrix", "(50, 2)", "X.toarray()"], id="X-sparse"),
    pytest.param(lambda: fit(scipy.sparse.coo_array(X)), TypeError,
                 ["X", "scipy.sparse", "X.toarray()"], id="X-sparse-array"),
    pytest.param(lambda: fit(np.ones((10, 2)), reg_covar=0.0), ValueError,
                 ["n_components=2", "distinct points in X (1)", "reg_covar=0", "at most 1",
                  "ill-defined empirical covariance"], id="X-all-identical"),
    pytest.param(lambda: fit(np.repeat(np.eye(2), 10, axis=0), n_components=3, reg_covar=0.0),
                 ValueError, ["n_components=3", "distinct points in X (2)", "at most 2"],
                 id="fewer-distinct-points"),
    pytest.param(lambda: fit(X * 1e152), ValueError, ["X", "2.33e+152", "50 samples",
                                                      "Rescale"], id="X-sums-overflow"),
    pytest.param(lambda: fit(np.full((100000, 10), 8e149)),
                 ValueError, ["100000 samples of 10 feature(s)", "below 6.7e+149"],
                 id="X-sums-overflow-many-samples"),
    # --- sample weights
    pytest.param(lambda: fit(sample_weight=np.full(50, 1e307)), ValueError,
                 ["sample_weight", "sums to more than float64", "1e+307", "ratios"],
                 id="sample_weight-sum-overflows"),
    pytest.param(lambda: score([np.nan] + [1.0] * 49), ValueError,
                 ["sample_weight", "sample_weight[0] = nan"], id="score-sample_weight-nan"),
    pytest.param(lambda: score(-np.ones(50)), ValueError,
                 ["sample_weight", "non-negative", "-1.0"], id="score-sample_weight-negative"),
    pytest.param(lambda: score(np.ones(3)), ValueError, ["sample_weight", "(50,)", "(3,)"],
                 id="score-sample_weight-shape"),
    pytest.param(lambda: score(np.zeros(50)), ValueError, ["sample_weight", "sums to zero"],
                 id="score-sample_weight-zero"),
    pytest.param(lambda: score("a"), TypeError, ["sample_weight", "'a'"],
                 id="score-sample_weight-string"),
    # --- predicting one sample given as a 1-D array
    pytest.param(lambda: FITTED.predict(X[0]), ValueError,
                 ["X has 1 feature(s)", "fitted on 2", "X.reshape(1, -1)"], id="predict-1d-sample"),
    # --- the family object
    pytest.param(lambda: GaussianFamily(reg_covar=-1), ValueError, ["reg_covar", ">= 0", "-1"],
                 id="family-reg_covar-negative"),
    pytest.param(lambda: GaussianFamily(reg_covar="big"), TypeError, ["reg_covar", "'big'"],
                 id="family-reg_covar-string"),
    pytest.param(lambda: GaussianFamily("bogus"), ValueError,
                 ["covariance_type", "'full', 'tied', 'diag', 'spherical'", "'bogus'"],
                 id="family-covariance_type"),
    # --- information criteria
    pytest.param(lambda: information_criteria.aic(np.nan, 3), ValueError,
                 ["log_likelihood", "finite", "nan"], id="aic-nan"),
    pytest.param(lambda: information_criteria.bic(-10.0, 3, 0), ValueError,
                 ["n_samples", "positive", "0"], id="bic-no-samples"),
    pytest.param(lambda: information_criteria.aic(-10.0, -1), ValueError,
                 ["n_parameters", ">= 0", "-1"], id="aic-negative-parameters"),
    pytest.param(lambda: information_criteria.aic(-10.0, 2.5), TypeError,
                 ["n_parameters", "2.5"], id="aic-float-parameters"),
]

_RESP = np.full((50, 2), 0.5)
_COUNTS = _RESP.sum(axis=0)
#: Every public pure function that takes covariance_type, called with a bogus one.
BOGUS_TYPE_CALLS = {
    "update_covariances": lambda: gaussian.update_covariances(X, _RESP, _COUNTS, X[:2], "bogus"),
    "precision_cholesky": lambda: gaussian.precision_cholesky(EYE2, "bogus"),
    "precision_cholesky_from_precisions":
        lambda: gaussian.precision_cholesky_from_precisions(EYE2, "bogus"),
    "covariances_from_precision_cholesky":
        lambda: gaussian.covariances_from_precision_cholesky(EYE2, "bogus"),
    "precisions_from_cholesky": lambda: gaussian.precisions_from_cholesky(EYE2, "bogus"),
    "log_gaussian_densities": lambda: gaussian.log_gaussian_densities(X, X[:2], EYE2, "bogus"),
    "log_gaussian_densities_from_cholesky":
        lambda: gaussian.log_gaussian_densities_from_cholesky(X, X[:2], EYE2, "bogus"),
    "check_not_collapsed": lambda: gaussian.check_not_collapsed(EYE2, "bogus", X),
    "full_covariances": lambda: gaussian.full_covariances(EYE2, "bogus", 2, 2),
    "sample_gaussian": lambda: gaussian.sample_gaussian(np.random.default_rng(0), X[0],
                                                        np.eye(2), "bogus", 3),
    "n_covariance_parameters": lambda: information_criteria.n_covariance_parameters(2, 2, "bogus"),
    "n_gaussian_mixture_parameters":
        lambda: information_criteria.n_gaussian_mixture_parameters(2, 2, "bogus"),
    "textbook_start": lambda: initialisation.textbook_start(X, 2, np.random.default_rng(0),
                                                            "bogus"),
}

BAD_SCANS = [
    pytest.param(lambda: scan_models(X, []), ValueError, ["n_components", "empty", "range(1, 6)"],
                 id="scan-no-components"),
    pytest.param(lambda: scan_models(X, 3), TypeError,
                 ["n_components", "iterable", "the int 3", "[3]", "range(1, 4)"],
                 id="scan-int-components"),
    pytest.param(lambda: scan_models(X, "123"), TypeError, ["n_components", "'123'"],
                 id="scan-string-components"),
    pytest.param(lambda: scan_models(X, [0, 1]), ValueError, ["n_components[0]", ">= 1", "0"],
                 id="scan-zero-components"),
    pytest.param(lambda: scan_models(X, [1, 2.5]), TypeError, ["n_components[1]", "2.5"],
                 id="scan-float-components"),
    pytest.param(lambda: scan_models(X, [1, 2, 1]), ValueError,
                 ["n_components", "more than once", "[1, 2, 1]"], id="scan-repeated-components"),
    pytest.param(lambda: scan_models(X, [1], ["full", "bogus"]), ValueError,
                 ["covariance_types[1]", "'full', 'tied'", "'bogus'"], id="scan-bogus-type"),
    pytest.param(lambda: scan_models(X, [1], []), ValueError, ["covariance_types", "empty"],
                 id="scan-no-types"),
    pytest.param(lambda: scan_models(X, [1], ["diag", "diag"]), ValueError,
                 ["covariance_types", "more than once"], id="scan-repeated-types"),
    pytest.param(lambda: scan_models(X, [1], 5), TypeError, ["covariance_types", "5"],
                 id="scan-int-types"),
    pytest.param(lambda: scan_models(X, [1], covariance_type="diag"), TypeError,
                 ["unexpected keyword", "'covariance_type'", "reg_covar"], id="scan-unknown-kw"),
    pytest.param(lambda: scan_models(X, [1], criterion="aicc"), ValueError,
                 ["criterion", "'aic', 'bic', 'icl'", "'aicc'"], id="scan-criterion"),
    pytest.param(lambda: scan_models(X, [1], sample_weight=np.full(50, np.nan)), ValueError,
                 ["sample_weight", "nan"], id="scan-sample_weight-nan"),
    pytest.param(lambda: scan_models(X, [1], random_state=-3), ValueError,
                 ["random_state", "got -3"], id="scan-random_state"),
]


@pytest.mark.parametrize("action, error, fragments", MORE_BAD_FITS + BAD_SCANS)
def test_more_bad_input_is_refused_with_a_clear_message(action, error, fragments):
    test_bad_fit_input_is_refused_with_a_clear_message(action, error, fragments)


@pytest.mark.parametrize("function", list(BOGUS_TYPE_CALLS))
def test_every_pure_function_refuses_an_unknown_covariance_type(function):
    with pytest.raises(ValueError) as raised:
        BOGUS_TYPE_CALLS[function]()
    for fragment in ("covariance_type", "'full', 'tied', 'diag', 'spherical'", "'bogus'"):
        assert fragment in str(raised.value)


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (np.True_, True),
                                             (np.False_, False)])
def test_check_bool_accepts_python_and_numpy_bools(value, expected):
    assert check_bool(value, "flag") is expected


@pytest.mark.parametrize("value", ["False", "True", 0, 1, 1.0, None, np.array([True])])
def test_check_bool_refuses_everything_else(value):
    with pytest.raises(TypeError, match=r"flag must be True or False \(a bool\); got "):
        check_bool(value, "flag")


@pytest.mark.parametrize("params", [
    {"n_components": np.int64(2)}, {"max_iter": np.int32(50)}, {"n_init": np.uint8(2)},
    {"tol": np.float32(1e-3)}, {"reg_covar": 0}, {"random_state": np.int64(5)},
    {"warm_start": np.False_}, {"verbose": False}, {"random_state": 2**40}])
def test_numpy_scalars_and_equivalent_values_are_accepted(params):
    model = fit(**params)
    assert np.isfinite(model.lower_bound_)


@pytest.mark.parametrize("X_", [np.round(X * 10).astype(np.int64), X > 0, X.tolist()],
                         ids=["int", "bool", "list"])
def test_other_numeric_inputs_are_read_as_float64(X_):
    model = fit(np.asarray(X_) if not isinstance(X_, list) else X_)
    assert model.means_.dtype == np.float64
    np.testing.assert_array_equal(model.predict(X_), fit(np.asarray(X_, dtype=float)).predict(X_))


def test_float32_input_gives_float32_results_computed_in_float64():
    # As scikit-learn: float32 data give float32 attributes and outputs. emlib still
    # computes in float64, so they are the float64 fit of the same numbers, rounded.
    X32 = X.astype(np.float32)
    model, reference = fit(X32), fit(X32.astype(np.float64))
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(model, name).dtype == np.float32, name
        np.testing.assert_array_equal(getattr(model, name),
                                      getattr(reference, name).astype(np.float32))
    assert model.predict_proba(X32).dtype == np.float32
    assert model.score_samples(X32).dtype == np.float32
    assert model.score_samples(X32.astype(np.float64)).dtype == np.float64  # data's dtype
    np.testing.assert_array_equal(model.predict(X32), reference.predict(X32))


# ------------------------------------------------- collapse: the right culprit
def test_data_below_float64_resolution_are_blamed_not_the_start():
    # Spread 1e-4 around 1e10: float64 resolves only ~1e-6 there, so every variance is
    # rounding noise; neither the start nor reg_covar is the problem.
    data = 1e10 + 1e-4 * np.random.default_rng(0).normal(size=(200, 1))
    for init_params in ("kmeans", "k-means++"):
        with pytest.raises(DegenerateComponentError) as raised:
            fit(data, init_params=init_params, reg_covar=0.0)
        message = str(raised.value)
        assert raised.value.cause == "data_resolution"
        for fragment in ("spread is below float64's resolution", "1e+10", "not a problem of "
                         "the start", "centre the data"):
            assert fragment in message, f"{fragment!r} not in {message!r}"
        assert "init_params" not in message


def test_reg_covar_too_small_for_the_magnitude_is_named():
    with pytest.raises(DegenerateComponentError) as raised:
        fit(X * 1e130, init_params="k-means++")
    message = str(raised.value)
    assert raised.value.cause == "reg_covar_resolution"
    for fragment in ("reg_covar=1e-06 cannot prevent it", "2.33e+130", "Rescale the data"):
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # Rescaled, the same start is fine.
    assert np.isfinite(fit(X, init_params="k-means++").lower_bound_)


# ----------------------------------------------------------- feature names
class Frame:
    """The two things a data frame offers that matter here: column names and values."""

    def __init__(self, values, columns):
        self.values, self.columns = np.asarray(values), list(columns)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __len__(self):
        return len(self.values)


def frame_classes():
    classes = [Frame]
    try:
        import pandas
    except ImportError:
        return classes
    return classes + [lambda values, columns: pandas.DataFrame(values, columns=columns)]


@pytest.mark.parametrize("make", frame_classes())
def test_data_frame_columns_are_recorded_and_checked(make):
    model = fit(make(X, ["a", "b"]))
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b"])
    np.testing.assert_array_equal(model.predict(make(X, ["a", "b"])), fit(X).predict(X))
    with pytest.raises(ValueError) as raised:
        model.predict(make(X[:, ::-1], ["b", "a"]))
    for fragment in ("columns ['b', 'a']", "fitted on columns ['a', 'b']", "another order"):
        assert fragment in str(raised.value)
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['c'\]"):
        model.score(make(X, ["a", "c"]))
    with pytest.warns(UserWarning, match="has no feature names"):
        model.predict(X)
    # Refitting on a plain array forgets the names.
    assert not hasattr(fit(X), "feature_names_in_")
    model.fit(X)
    assert not hasattr(model, "feature_names_in_")


# ------------------------------------------------------ warnings point at the user
def test_the_convergence_warning_points_at_the_callers_line():
    with pytest.warns(ConvergenceWarning) as record:
        GaussianMixture(2, max_iter=1, tol=0, random_state=0).fit(X)
    assert record[0].filename == __file__
    with pytest.warns(ConvergenceWarning) as record:
        scan_models(X, [2], max_iter=1, tol=0, n_init=1, random_state=0)
    assert record[0].filename == __file__


# ------------------------------------------- the pure functions' array shapes
from emlib import likelihood  # noqa: E402

_LOGD = np.zeros((50, 3))
_W3 = np.full(3, 1 / 3)
BAD_PURE_CALLS = [
    pytest.param(lambda: likelihood.responsibilities(_LOGD, np.full(2, 0.5)), ValueError,
                 ["weights", "(3,)", "one per column of log_densities", "(2,)"],
                 id="responsibilities-weights-shape"),
    pytest.param(lambda: likelihood.responsibilities(np.zeros(3), _W3), ValueError,
                 ["log_densities", "2-D", "(3,)"], id="responsibilities-1d"),
    pytest.param(lambda: likelihood.responsibilities(_LOGD, np.array([-0.5, 1.0, 0.5])),
                 ValueError, ["weights", "non-negative", "-0.5"], id="responsibilities-negative"),
    pytest.param(lambda: likelihood.log_sum_exp(np.zeros(3)), ValueError,
                 ["values", "2-D", "(3,)"], id="log_sum_exp-1d"),
    pytest.param(lambda: likelihood.log_likelihood(_LOGD, _W3, np.ones(4)), ValueError,
                 ["sample_weight", "(50,)", "(4,)"], id="log_likelihood-sample_weight"),
    pytest.param(lambda: likelihood.effective_counts(np.ones(3)), ValueError,
                 ["responsibilities", "2-D", "(3,)"], id="effective_counts-1d"),
    pytest.param(lambda: gaussian.update_means(X, _RESP[:10], _COUNTS), ValueError,
                 ["responsibilities", "(50, any)", "one row per sample", "(10, 2)"],
                 id="update_means-rows"),
    pytest.param(lambda: gaussian.update_means(X, _RESP, np.ones(3)), ValueError,
                 ["counts", "(2,)", "(3,)"], id="update_means-counts"),
    pytest.param(lambda: gaussian.update_covariances(X, _RESP, _COUNTS, np.zeros((2, 3))),
                 ValueError, ["means", "(2, 2)", "(2, 3)"], id="update_covariances-means"),
    pytest.param(lambda: gaussian.log_gaussian_densities(X, np.zeros((2, 3)), EYE2),
                 ValueError, ["means", "(any, 2)", "as many features as X", "(2, 3)"],
                 id="log_gaussian_densities-features"),
    pytest.param(lambda: gaussian.log_gaussian_densities(X, np.zeros((3, 2)), EYE2),
                 ValueError, ["covariances", "(3, 2, 2)", "3 components", "(2, 2, 2)"],
                 id="log_gaussian_densities-components"),
    pytest.param(lambda: gaussian.sample_gaussian(np.random.default_rng(0), X[0], np.eye(2),
                                                  "full", -1), ValueError,
                 ["n_samples", ">= 0", "-1"], id="sample_gaussian-negative"),
    pytest.param(lambda: initialisation.kmeans_responsibilities(X, 60, np.random.default_rng(0)),
                 ValueError, ["n_components=60", "number of samples (50)"],
                 id="kmeans-more-components-than-samples"),
    pytest.param(lambda: initialisation.textbook_start(X, 0, np.random.default_rng(0)),
                 ValueError, ["n_components", ">= 1", "0"], id="textbook-zero-components"),
    pytest.param(lambda: initialisation.random_responsibilities(X, 2, "seed"), TypeError,
                 ["rng", "'seed'"], id="start-rng-string"),
]


@pytest.mark.parametrize("action, error, fragments", BAD_PURE_CALLS)
def test_pure_functions_refuse_mismatched_arrays_by_name(action, error, fragments):
    test_bad_fit_input_is_refused_with_a_clear_message(action, error, fragments)


# ------------------------------------------ n_init > 1: a collapsing start is dropped
def test_a_collapsing_start_is_dropped_and_the_best_other_kept():
    from emlib.em import CollapsedStartWarning, fit_with_restarts, run_em
    from emlib.families.gaussian import gaussian_parameters

    rng = np.random.default_rng(3)
    data = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(6, 1, (60, 2))])
    family = GaussianFamily("full", reg_covar=0.0)
    # A component on one sample with a tiny width takes that sample alone: variance 0.
    bad = (np.array([0.98, 0.02]), gaussian_parameters(
        np.array([data.mean(axis=0), data[0]]), np.array([np.eye(2), 1e-8 * np.eye(2)]), "full"))
    good = (np.array([0.5, 0.5]), gaussian_parameters(
        np.array([[0.0, 0.0], [6.0, 6.0]]), np.array([np.eye(2), np.eye(2)]), "full"))
    starts = iter([bad, good, bad])
    with pytest.warns(CollapsedStartWarning, match=r"2 of the n_init=3 starts \(number 1, 3\) "
                      r"were dropped.*best of the other 1 is kept.*has collapsed"):
        result = fit_with_restarts(family, data, lambda rng: next(starts), n_init=3)
    reference = run_em(family, data, *good)
    np.testing.assert_array_equal(result.params["covariances"], reference.params["covariances"])
    assert result.lower_bound == reference.lower_bound
    with pytest.raises(DegenerateComponentError, match="has collapsed"):
        run_em(family, data, *bad)  # the start really collapses on its own


def test_when_every_start_collapses_the_explanation_is_raised():
    # Three piles of identical points and three components: every start collapses.
    piles = np.repeat([0.0, 1.0, 2.0], 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dropped-start warning before the error
        with pytest.raises(DegenerateComponentError, match="zero covariance.*reg_covar > 0"):
            GaussianMixture(3, reg_covar=0, n_init=3, random_state=0).fit(piles)
