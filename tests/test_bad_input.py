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
    pytest.param(lambda: fit(X + 1j), TypeError, ["X", "complex128"], id="X-complex"),
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
    with pytest.raises(NotFittedError, match="not fitted yet; call fit") as raised:
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
