"""Bad input to XDGMM, Mixture, the component families and emlib.deconvolution.

Two halves:

- every kind of bad input gets a ValueError or TypeError whose message names
  the argument, says what was expected and shows what was given (one table,
  ``BAD_INPUT``);
- the inputs that used to give a silently wrong answer, checked against an
  independent reference: the unweighted fit for uniformly scaled sample
  weights, the fit of rescaled data for data near float64's limits, and a
  log-likelihood written here with numpy.linalg (slogdet/solve) for
  projections that leave part of the model unmeasured.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
from scipy.special import logsumexp

import emlib
from emlib import XDGMM, ConvergenceWarning, Mixture
from emlib import deconvolution as dc
from emlib.families import (
    BernoulliFamily,
    ExponentialFamily,
    Family,
    GaussianFamily,
    PoissonFamily,
    StudentTFamily,
)
from emlib.families.xd import ExtremeDeconvolutionFamily
from emlib.validation import ScaleWarning

# Fits with tol=0 stop at max_iter on purpose; the warning itself is tested below.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X1 = np.r_[RNG.normal(-3.0, 1.0, 100), RNG.normal(3.0, 1.0, 100)]
E1 = np.full(200, 0.5)
X2 = RNG.normal(size=(200, 2)) + np.repeat([[0.0, 0.0], [4.0, 4.0]], 100, axis=0)
E2 = np.full((200, 2), 0.3)
COUNTS = np.r_[RNG.poisson(2.0, 100), RNG.poisson(9.0, 100)].astype(float)
TIMES = np.r_[RNG.exponential(1.0, 100), RNG.exponential(8.0, 100)]
BINARY = (X2 > 2).astype(float)
EYES = np.tile(np.eye(2), (200, 1, 1))


class Frame:
    """The part of a pandas DataFrame the library looks at: ``columns`` and ``__array__``."""

    def __init__(self, data, columns):
        self._data = np.asarray(data, dtype=float)
        self.columns = list(columns)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)


def xd_fit(X=X2, Xerr=E2, **kwargs):
    fit_kwargs = {k: kwargs.pop(k) for k in ("projection", "sample_weight") if k in kwargs}
    return XDGMM(**{"n_components": 1, "random_state": 0, **kwargs}).fit(X, Xerr, **fit_kwargs)


def mix_fit(family, X, **kwargs):
    sample_weight = kwargs.pop("sample_weight", None)
    return Mixture(family, **{"n_components": 2, "random_state": 0, **kwargs}).fit(
        X, sample_weight=sample_weight)


def changed_after_construction():
    family = StudentTFamily()
    family.dof_bounds = (10.0, 1.0)  # Mixture checks the settings again before fitting
    return mix_fit(family, X1)


def eq7(x=X1[:20], error_variances=E1[:20] ** 2, responsibilities=np.ones(20), mean=0.0,
        **kwargs):
    return dc.solve_eq7_variance(x, error_variances, responsibilities, mean, **kwargs)


def with_nan(values, index=3):
    values = np.array(values, dtype=float)
    values.flat[index] = np.nan
    return values


# (what happens, the exception, fragments its message must contain)
BAD_INPUT = [
    # --- family settings (item 2): name, what is expected, what was given
    pytest.param(lambda: StudentTFamily(dof_bounds=(10, 1)), ValueError,
                 ["dof_bounds", "low <= high", "(10, 1)"], id="t-dof_bounds-reversed"),
    pytest.param(lambda: StudentTFamily(dof_bounds=(1, 2, 3)), TypeError,
                 ["dof_bounds", "pair (low, high)", "(1, 2, 3)"], id="t-dof_bounds-three"),
    pytest.param(lambda: StudentTFamily(dof_bounds="ab"), TypeError,
                 ["dof_bounds", "pair", "'ab'"], id="t-dof_bounds-string"),
    pytest.param(lambda: StudentTFamily(dof_bounds=(0, 5)), ValueError,
                 ["dof_bounds[0]", "> 0", "got 0"], id="t-dof_bounds-zero"),
    pytest.param(lambda: StudentTFamily(dof_bounds=(1, np.inf)), ValueError,
                 ["dof_bounds[1]", "finite", "inf"], id="t-dof_bounds-infinite"),
    pytest.param(lambda: StudentTFamily(dof_init=0), ValueError,
                 ["dof_init", "[0.01, 1000]", "got 0"], id="t-dof_init-zero"),
    pytest.param(lambda: StudentTFamily(dof_init=-1.0), ValueError,
                 ["dof_init", "[0.01, 1000]", "-1.0"], id="t-dof_init-negative"),
    pytest.param(lambda: StudentTFamily(dof_init=np.nan), ValueError,
                 ["dof_init", "finite", "nan"], id="t-dof_init-nan"),
    pytest.param(lambda: StudentTFamily(dof_init=50.0, dof_bounds=(1, 20)), ValueError,
                 ["dof_init", "inside dof_bounds", "[1, 20]", "50.0"],
                 id="t-dof_init-outside-bounds"),
    pytest.param(lambda: StudentTFamily(reg_covar=-1), ValueError,
                 ["reg_covar", ">= 0", "-1"], id="t-reg_covar-negative"),
    pytest.param(lambda: StudentTFamily(reg_covar="1e-6"), TypeError,
                 ["reg_covar", "real number", "'1e-6'", "str"], id="t-reg_covar-string"),
    pytest.param(lambda: BernoulliFamily(min_probability=0.7), ValueError,
                 ["min_probability", "(0, 0.5)", "0.7"], id="bernoulli-min_probability-big"),
    pytest.param(lambda: BernoulliFamily(min_probability=0.5), ValueError,
                 ["min_probability", "(0, 0.5)", "0.5"], id="bernoulli-min_probability-half"),
    pytest.param(lambda: BernoulliFamily(min_probability=0), ValueError,
                 ["min_probability", "(0, 0.5)", "got 0"], id="bernoulli-min_probability-zero"),
    pytest.param(lambda: BernoulliFamily(min_probability=True), TypeError,
                 ["min_probability", "real number", "True", "bool"],
                 id="bernoulli-min_probability-bool"),
    pytest.param(lambda: ExtremeDeconvolutionFamily(reg_covar=-1.0), ValueError,
                 ["reg_covar", ">= 0", "-1.0"], id="xd-family-reg_covar"),
    pytest.param(lambda: GaussianFamily(reg_covar=-1), ValueError, ["reg_covar", ">= 0", "-1"],
                 id="gaussian-reg_covar-negative"),
    pytest.param(changed_after_construction, ValueError, ["dof_bounds", "low <= high"],
                 id="family-setting-changed-after-construction"),
    # --- Mixture's own arguments
    pytest.param(lambda: mix_fit("gauss", X1), ValueError,
                 ["family", "'poisson'", "'gauss'"], id="mixture-family-unknown"),
    pytest.param(lambda: mix_fit(3, X1), TypeError, ["family", "Family object", "3", "int"],
                 id="mixture-family-int"),
    pytest.param(lambda: mix_fit(PoissonFamily, COUNTS), TypeError,
                 ["family", "PoissonFamily()"], id="mixture-family-class"),
    pytest.param(lambda: mix_fit(Family(), X1), NotImplementedError,
                 ["Family", "maximise()"], id="mixture-family-base-class"),
    pytest.param(lambda: mix_fit("poisson", COUNTS, verbose="no"), TypeError,
                 ["verbose", "integer >= 0", "'no'"], id="mixture-verbose-string"),
    pytest.param(lambda: mix_fit("poisson", COUNTS, verbose=-1), ValueError,
                 ["verbose", "integer >= 0", "-1"], id="mixture-verbose-negative"),
    pytest.param(lambda: mix_fit("poisson", COUNTS, random_state=-1), ValueError,
                 ["random_state", "non-negative", "-1"], id="mixture-random_state-negative"),
    pytest.param(lambda: mix_fit("poisson", COUNTS, n_components=201), ValueError,
                 ["n_components=201", "(200)"], id="mixture-more-components-than-samples"),
    pytest.param(lambda: mix_fit("poisson", -COUNTS - 1), ValueError,
                 ["poisson", "non-negative integers", "negative", "X[0, 0] = -"],
                 id="poisson-negative-counts"),
    pytest.param(lambda: mix_fit("poisson", COUNTS + 0.5), ValueError,
                 ["poisson", "non-negative integers", "non-integer", "X[0, 0] = "],
                 id="poisson-non-integer-counts"),
    pytest.param(lambda: mix_fit("bernoulli", 2 * BINARY + 1), ValueError,
                 ["bernoulli", "0 or 1", "X[5, 1] = 3"], id="bernoulli-not-binary"),
    pytest.param(lambda: mix_fit("exponential", -TIMES), ValueError,
                 ["exponential", "non-negative", "negative"], id="exponential-negative"),
    pytest.param(lambda: PoissonFamily().check_data([1.0, np.nan]), ValueError,
                 ["X", "NaN", "X[1, 0] = nan"], id="family-check_data-nan"),
    pytest.param(lambda: mix_fit("gaussian", X1 * 1e160), ValueError,
                 ["X", "e+160", "Rescale"], id="mixture-gaussian-huge"),
    pytest.param(lambda: mix_fit("poisson", COUNTS * 1e160), ValueError,
                 ["X", "e+161", "Rescale"], id="mixture-poisson-huge"),
    pytest.param(lambda: mix_fit("student_t", X1 * 1e160), ValueError,
                 ["X", "e+160", "Rescale"], id="mixture-student_t-huge"),
    pytest.param(lambda: mix_fit("poisson", scipy.sparse.csr_matrix(COUNTS[:, None])),
                 TypeError, ["X", "sparse", "toarray()"], id="mixture-sparse"),
    pytest.param(lambda: mix_fit("poisson", COUNTS, params_init={"rate": [1.0, 2.0]}),
                 ValueError, ["params_init", "['rates']", "['rate']"],
                 id="mixture-params_init-keys"),
    # --- XDGMM
    pytest.param(lambda: xd_fit(X1 * 1e160, E1), ValueError, ["X", "e+160", "Rescale"],
                 id="xd-huge-X"),
    pytest.param(lambda: xd_fit(X1, np.full(200, 1e200)), ValueError,
                 ["Xerr", "1e+200", "Rescale"], id="xd-huge-Xerr-std"),
    pytest.param(lambda: xd_fit(X2, EYES * 1e302), ValueError,
                 ["Xerr", "covariance", "1e+302", "Rescale"], id="xd-huge-Xerr-covariances"),
    pytest.param(lambda: xd_fit(random_state=-1), ValueError,
                 ["random_state", "non-negative", "-1"], id="xd-random_state-negative"),
    pytest.param(lambda: xd_fit(n_components=201), ValueError,
                 ["n_components=201", "(200)"], id="xd-more-components-than-samples"),
    pytest.param(lambda: xd_fit(scipy.sparse.csr_matrix(X2)), TypeError,
                 ["X", "sparse", "toarray()"], id="xd-sparse"),
    pytest.param(lambda: xd_fit(method="XD"), ValueError, ["method", "'xd', 'eq7'", "'XD'"],
                 id="xd-method-unknown"),
    pytest.param(lambda: xd_fit(X2, with_nan(E2)), ValueError, ["Xerr", "NaN", "Xerr[1, 1]"],
                 id="xd-Xerr-nan"),
    pytest.param(lambda: xd_fit(X2, -E2), ValueError,
                 ["Xerr", "standard deviations", "negative", "-0.3"], id="xd-Xerr-negative"),
    pytest.param(lambda: xd_fit(X2, np.ones((200, 3))), ValueError,
                 ["Xerr", "(200, 2)", "(200, 3)"], id="xd-Xerr-shape"),
    pytest.param(lambda: xd_fit(X2, np.tile([[1.0, 0.5], [0.0, 1.0]], (200, 1, 1))), ValueError,
                 ["Xerr[0]", "symmetric"], id="xd-Xerr-asymmetric"),
    pytest.param(lambda: xd_fit(X2, np.tile([[1.0, 2.0], [2.0, 1.0]], (200, 1, 1))), ValueError,
                 ["Xerr[0]", "positive semi-definite", "-1"], id="xd-Xerr-indefinite"),
    pytest.param(lambda: xd_fit(X2, E2, projection=np.zeros((2, 2))), ValueError,
                 ["projection", "zero for every sample", "rank 2"], id="xd-projection-zero"),
    pytest.param(lambda: xd_fit(X2, E2, projection=[[1.0, 0.0], [0.0, 0.0]]), ValueError,
                 ["projection", "v = [0.0, 1.0]", "rank 2"], id="xd-projection-zero-column"),
    pytest.param(lambda: xd_fit(X2, E2, projection=np.ones((2, 2))), ValueError,
                 ["projection", "v = [", "dependent columns"], id="xd-projection-rank-one"),
    pytest.param(lambda: xd_fit(X2, E2, projection=np.ones((2, 3))), ValueError,
                 ["projection", "rank 3"], id="xd-projection-more-true-than-observed"),
    pytest.param(lambda: xd_fit(X2, np.zeros((200, 2)), projection=[[1.0, 0.0], [0.0, 0.0]]),
                 ValueError, ["Sample 0", "without noise", "w = [", "error variance"],
                 id="xd-projection-zero-row-without-noise"),
    pytest.param(lambda: xd_fit(X2, E2, projection=np.full((2, 2), np.nan)), ValueError,
                 ["projection", "NaN"], id="xd-projection-nan"),
    # --- emlib.deconvolution (item 3)
    pytest.param(lambda: eq7(x=with_nan(X1[:20])), ValueError, ["x", "NaN", "x[3] = nan"],
                 id="eq7-x-nan"),
    pytest.param(lambda: eq7(mean=np.nan), ValueError, ["mean", "finite", "nan"],
                 id="eq7-mean-nan"),
    pytest.param(lambda: eq7(mean="0"), TypeError, ["mean", "real number", "'0'"],
                 id="eq7-mean-string"),
    pytest.param(lambda: eq7(error_variances=np.full(20, np.inf)), ValueError,
                 ["error_variances", "infinity"], id="eq7-errors-infinite"),
    pytest.param(lambda: eq7(error_variances=-np.ones(20)), ValueError,
                 ["error_variances", "non-negative", "-1"], id="eq7-errors-negative"),
    pytest.param(lambda: eq7(responsibilities=-np.ones(20)), ValueError,
                 ["responsibilities", "non-negative", "-1"], id="eq7-responsibilities-negative"),
    pytest.param(lambda: eq7(responsibilities=with_nan(np.ones(20))), ValueError,
                 ["responsibilities", "NaN"], id="eq7-responsibilities-nan"),
    pytest.param(lambda: eq7(error_variances=np.ones(19)), ValueError,
                 ["error_variances", "(20,)", "(19,)"], id="eq7-length-mismatch"),
    pytest.param(lambda: eq7(x=np.ones((20, 2))), ValueError, ["x", "1-D", "(20, 2)"],
                 id="eq7-x-2d"),
    pytest.param(lambda: eq7(n_grid=1), ValueError, ["n_grid", ">= 2", "1"], id="eq7-n_grid"),
    pytest.param(lambda: dc.eq7_mean_update(with_nan(X1[:20]), E1[:20], np.ones((20, 2)),
                                            np.ones(2)),
                 ValueError, ["x", "NaN"], id="eq7_mean_update-nan"),
    pytest.param(lambda: dc.eq7_mean_update(X1[:20], E1[:20], np.ones(20), np.ones(1)),
                 ValueError, ["responsibilities", "(20, n_components)", "(20,)"],
                 id="eq7_mean_update-responsibilities-1d"),
    pytest.param(lambda: dc.eq7_mean_update(X1[:20], E1[:20], np.ones((20, 2)), np.ones(3)),
                 ValueError, ["variances", "(2,)", "(3,)"], id="eq7_mean_update-variances"),
    pytest.param(lambda: dc.eq7_residual(-1.0, X1[:20], E1[:20], np.ones(20), 0.0), ValueError,
                 ["variance", "non-negative", "-1"], id="eq7_residual-negative-variance"),
    pytest.param(lambda: dc.eq7_objective(np.nan, X1[:20], E1[:20], np.ones(20), 0.0),
                 ValueError, ["variance", "NaN"], id="eq7_objective-nan"),
    pytest.param(lambda: dc.log_convolved_densities_1d(X1, E1, [0.0, 1.0], [1.0, -1.0]),
                 ValueError, ["variances", "non-negative", "-1"],
                 id="log_convolved_densities_1d-negative-variance"),
    pytest.param(lambda: dc.log_convolved_densities_1d(X1, E1, [0.0, 1.0], [1.0]),
                 ValueError, ["means and variances", "(2,)", "(1,)"],
                 id="log_convolved_densities_1d-shapes"),
    pytest.param(lambda: dc.log_convolved_densities(X2, EYES[:10], np.zeros((1, 2)),
                                                    np.eye(2)[None]),
                 ValueError, ["error_covariances", "(200, 2, 2)", "(10, 2, 2)"],
                 id="log_convolved_densities-errors-shape"),
    pytest.param(lambda: dc.log_convolved_densities(X2, EYES, np.zeros((1, 2)), np.eye(3)[None]),
                 ValueError, ["covariances", "(1, 2, 2)", "(1, 3, 3)"],
                 id="log_convolved_densities-covariances-shape"),
    pytest.param(lambda: dc.xd_expected_values(with_nan(X2), EYES, np.zeros((1, 2)),
                                               np.eye(2)[None]),
                 ValueError, ["X", "NaN", "X[1, 1]"], id="xd_expected_values-nan"),
    pytest.param(lambda: dc.intrinsic_width("0.8", 0.5), TypeError,
                 ["observed_width", "'0.8'", "str"], id="intrinsic_width-string"),
    pytest.param(lambda: dc.intrinsic_width([1.0, 2.0], [0.5, 0.5, 0.5]), ValueError,
                 ["observed_width and error", "broadcast", "(2,)", "(3,)"],
                 id="intrinsic_width-shapes"),
    pytest.param(lambda: dc.missing_as_projection([[1.0, np.inf]], EYES[:1]), ValueError,
                 ["X", "infinity", "X[0, 1] = inf", "NaN marks a missing"],
                 id="missing_as_projection-infinity"),
    pytest.param(lambda: dc.missing_as_projection([[1.0, 2.0]], [[[np.nan, 0.0], [0.0, 1.0]]]),
                 ValueError, ["error_covariances", "observed", "[0, 0, 0] = nan"],
                 id="missing_as_projection-nan-error-of-observed"),
    pytest.param(lambda: dc.missing_as_projection("1 2", EYES[:1]), TypeError,
                 ["X", "'1 2'"], id="missing_as_projection-string"),
]


@pytest.mark.parametrize("action, exception, fragments", BAD_INPUT)
def test_bad_input_is_refused_with_a_message_naming_it(action, exception, fragments):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(exception) as caught:
            action()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_missing_coordinates_are_still_accepted_with_their_padding():
    # The padding of missing_as_projection (a zero row with error 1/(2 pi)) must pass the
    # projection checks, and a missing-value pattern in which every pair is seen fits.
    X_missing = X2.copy()
    X_missing[RNG.random(200) < 0.4, 1] = np.nan
    filled, errors, projection = dc.missing_as_projection(X_missing, EYES * 0.09)
    model = XDGMM(2, random_state=0).fit(filled, errors, projection=projection)
    assert np.all(np.isfinite(model.means_))
    # Scoring a sample that misses every coordinate is fine too: it carries no information.
    empty_row = dc.missing_as_projection([[np.nan, np.nan]], EYES[:1])
    assert model.score_samples(*empty_row[:2], projection=empty_row[2])[0] == pytest.approx(0.0)


def test_dof_bounds_may_be_equal_and_then_hold_the_degrees_of_freedom():
    # low == high is a legitimate setting (a fixed nu), not an error: every dof stays there.
    model = mix_fit(StudentTFamily(dof_init=4.0, dof_bounds=(4.0, 4.0)), X1)
    assert np.array_equal(model.dofs_, [4.0, 4.0])


# --------------------------------------------------------------------------
# Silent wrong answers, against independent references


def reference_log_likelihood(X, S, means, covariances, projection):
    """ln L of a one-component XD model, with numpy.linalg slogdet/solve (no emlib kernel)."""
    R = np.broadcast_to(projection, (X.shape[0],) + np.shape(projection)[-2:])
    total = R @ covariances @ np.swapaxes(R, 1, 2) + S
    residual = X - R @ means
    _, log_det = np.linalg.slogdet(total)
    squared = np.einsum("ni,ni->n", residual, np.linalg.solve(total, residual[..., None])[..., 0])
    return float(np.sum(-0.5 * (X.shape[1] * np.log(2 * np.pi) + log_det + squared)))


def test_a_zero_column_leaves_ln_L_flat_so_the_mean_there_is_refused():
    # The maths behind refusing it: moving the mean along the unmeasured direction leaves
    # ln L unchanged, so "the" estimate there was the start (0), not a fit.
    projection = np.array([[1.0, 0.0], [0.0, 0.0]])
    S = EYES * 0.09
    covariance = np.array([[1.0, 0.3], [0.3, 2.0]])
    base = reference_log_likelihood(X2, S, np.array([2.0, 0.0]), covariance, projection)
    moved = reference_log_likelihood(X2, S, np.array([2.0, 37.0]), covariance, projection)
    assert moved == pytest.approx(base, rel=1e-14)
    assert reference_log_likelihood(X2, S, np.array([2.5, 0.0]), covariance, projection) != \
        pytest.approx(base, rel=1e-6)
    with pytest.raises(ValueError, match=r"never measures the true-coordinate direction"):
        XDGMM(1).fit(X2, S, projection=projection)
    # With the means held fixed, only the covariances are fitted: V_11 is just as unmeasured.
    with pytest.raises(ValueError, match=r"never measure .*entries V\[0, 1\], V\[1, 1\]:"):
        XDGMM(1, means_init=[[2.0, 0.0]]).fit(X2, S, projection=projection, fixed_means=True)


def test_a_covariance_no_sample_measures_is_refused():
    # Half the samples see only coordinate 0, half only coordinate 1: the means are measured,
    # the covariance between the two coordinates is not (ln L does not depend on it).
    X_missing = X2.copy()
    X_missing[:100:2, 1] = np.nan
    X_missing[1::2, 0] = np.nan
    X_missing[100::2, 1] = np.nan
    filled, S, projection = dc.missing_as_projection(X_missing, EYES * 0.09)
    means = np.array([1.0, 2.0])
    lnl = [reference_log_likelihood(filled, S, means, np.array([[1.0, c], [c, 1.5]]), projection)
           for c in (-0.9, 0.0, 0.9)]
    assert lnl == pytest.approx([lnl[1]] * 3, rel=1e-14)
    with pytest.raises(ValueError, match=r"never measure .*entries V\[0, 1\]:"):
        XDGMM(1).fit(filled, S, projection=projection)
    # Held fixed, the covariances need not be measured: the means alone are fitted, and
    # each is then the precision-weighted mean of the samples that see its coordinate.
    fixed = np.array([[[1.0, 0.0], [0.0, 1.5]]])
    model = XDGMM(1, covariances_init=fixed, reg_covar=0, tol=1e-14, max_iter=1000).fit(
        filled, S, projection=projection, fixed_covariances=True)
    seen = ~np.isnan(X_missing)
    assert model.means_[0] == pytest.approx([X2[seen[:, 0], 0].mean(), X2[seen[:, 1], 1].mean()],
                                            rel=1e-6)


def test_solve_eq7_variance_on_valid_input_is_unchanged_and_nan_is_refused():
    # The reference: the maximiser of Q_j on a fine grid (the function solve maximises).
    x, error_variances = X1[:30], (0.2 + 0.1 * np.arange(30) / 30) ** 2
    mean = float(x.mean())
    grid = np.linspace(0.0, 20.0, 200001)
    best = grid[np.argmax(dc.eq7_objective(grid, x, error_variances, np.ones(30), mean))]
    solution = dc.solve_eq7_variance(x, error_variances, np.ones(30), mean)
    assert solution.variance == pytest.approx(best, abs=2e-4) and not solution.at_boundary
    with pytest.raises(ValueError, match="x contains NaN"):
        dc.solve_eq7_variance(with_nan(x), error_variances, np.ones(30), mean)


def test_eq7_mean_update_is_scale_free_in_the_responsibilities():
    # mu_j is a ratio of two sums over the same weights: scaling them by c changes nothing,
    # and an empty component gives 0 rather than 0/0.
    resp = np.column_stack([np.linspace(0.1, 1.0, 20), np.zeros(20)])
    x, errors = X1[:20], E1[:20] ** 2
    variances = np.array([0.3, 0.3])
    precision = resp[:, 0] / (errors + 0.3)
    reference = float(precision @ x / precision.sum())
    for scale in (1e-300, 1e-20, 1.0, 1e20, 1e300):
        means = dc.eq7_mean_update(x, errors, resp * scale, variances)
        assert means[0] == pytest.approx(reference, rel=1e-13)
        assert means[1] == 0.0


FAMILY_CASES = [
    pytest.param("poisson", COUNTS, ["rates"], id="poisson"),
    pytest.param("exponential", TIMES, ["rates"], id="exponential"),
    pytest.param("bernoulli", BINARY, ["means"], id="bernoulli"),
    pytest.param("student_t", X1, ["means", "scales", "dofs"], id="student_t"),
    pytest.param("gaussian", X2, ["means", "covariances"], id="gaussian"),
]


@pytest.mark.parametrize("scale", [1e-20, 1.0, 1e20])
@pytest.mark.parametrize("family, X, names", FAMILY_CASES)
def test_uniformly_scaled_sample_weights_give_the_unweighted_fit(family, X, names, scale):
    # Only the ratios of the weights matter (an integer weight repeats a sample), so
    # c * ones(n) is the unweighted fit for every c. An absolute constant added to the
    # counts broke this for tiny c (means near 0).
    reference = mix_fit(family, X, max_iter=30, tol=0)
    weighted = mix_fit(family, X, max_iter=30, tol=0, sample_weight=np.full(len(X), scale))
    assert weighted.weights_ == pytest.approx(reference.weights_, rel=1e-9)
    for name in names:
        assert weighted.params_[name] == pytest.approx(reference.params_[name], rel=1e-9)
    assert weighted.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-12)


@pytest.mark.parametrize("scale", [1e-20, 1.0, 1e20])
@pytest.mark.parametrize("method, X, Xerr", [("xd", X2, E2), ("eq7", X1, E1)])
def test_uniformly_scaled_sample_weights_give_the_unweighted_xd_fit(method, X, Xerr, scale):
    kwargs = {"n_components": 2, "method": method, "max_iter": 30, "tol": 0}
    reference = xd_fit(X, Xerr, **kwargs)
    weighted = xd_fit(X, Xerr, sample_weight=np.full(len(X), scale), **kwargs)
    for name in ("weights_", "means_", "covariances_"):
        assert getattr(weighted, name) == pytest.approx(getattr(reference, name), rel=1e-9)


@pytest.mark.parametrize("scale", [1e-100, 1e100])
def test_data_near_float64s_limits_fit_as_the_rescaled_data(scale):
    # Far below the overflow limit, data in other units give the same fit in those units:
    # the reference is the fit of the unscaled data, rescaled.
    kwargs = {"n_components": 2, "reg_covar": 0.0, "max_iter": 40, "tol": 0}
    reference = xd_fit(X2, E2, **kwargs)
    scaled = xd_fit(X2 * scale, E2 * scale, **kwargs)
    assert scaled.means_ == pytest.approx(reference.means_ * scale, rel=1e-9)
    assert scaled.covariances_ == pytest.approx(reference.covariances_ * scale**2, rel=1e-9)
    rates = mix_fit("exponential", TIMES, max_iter=40, tol=0).rates_
    assert mix_fit("exponential", TIMES * scale, max_iter=40, tol=0).rates_ == pytest.approx(
        rates / scale, rel=1e-9)


# --------------------------------------------------------------------------
# Warnings point at the user's line (item 6) and flag a reg_covar out of scale (item 7)


def _warning_from(action, category):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    matching = [w for w in caught if w.category is category]
    assert matching, f"no {category.__name__}; got {[str(w.message) for w in caught]}"
    return matching[0]


@pytest.mark.parametrize("action", [
    pytest.param(lambda: XDGMM(2, max_iter=1, random_state=0).fit(X1, E1), id="XDGMM.fit"),
    pytest.param(lambda: Mixture("poisson", 2, max_iter=1, random_state=0).fit(COUNTS),
                 id="Mixture.fit"),
    pytest.param(lambda: Mixture("poisson", 2, max_iter=1, random_state=0).fit_predict(COUNTS),
                 id="Mixture.fit_predict"),
    pytest.param(lambda: emlib.GaussianMixture(2, max_iter=1, random_state=0).fit(X2),
                 id="GaussianMixture.fit"),
])
def test_the_convergence_warning_points_at_the_callers_line(action):
    assert _warning_from(action, ConvergenceWarning).filename == __file__


def test_the_eq7_zero_width_warning_points_at_the_callers_line():
    # Points scattered far less than their errors: eq. 7 has no positive root.
    x = np.random.default_rng(5).normal(0.0, 0.01, 30)
    caught = _warning_from(lambda: XDGMM(1, method="eq7").fit(x, np.ones(30)), UserWarning)
    assert "zero intrinsic width" in str(caught.message) and caught.filename == __file__


@pytest.mark.parametrize("action", [
    pytest.param(lambda: xd_fit(X2 * 1e-6, E2 * 1e-6), id="XDGMM"),
    pytest.param(lambda: mix_fit("gaussian", X2 * 1e-6), id="Mixture-gaussian"),
    pytest.param(lambda: mix_fit("student_t", X1 * 1e-6), id="Mixture-student_t"),
])
def test_a_reg_covar_comparable_to_the_data_variance_warns(action):
    caught = _warning_from(action, ScaleWarning)
    assert "reg_covar=1e-06" in str(caught.message) and caught.filename == __file__


def test_ordinary_data_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xd_fit(X2, E2, n_components=2)
        mix_fit("student_t", X1)
        mix_fit("gaussian", X2)


def test_xdgmm_checks_the_column_names_of_a_data_frame():
    columns = ["a", "b"]
    model = XDGMM(2, random_state=0).fit(Frame(X2, columns), E2)
    assert list(model.feature_names_in_) == columns
    with pytest.warns(UserWarning, match="X has no feature names"):
        plain = model.score(X2, E2)
    assert model.score(Frame(X2, columns), E2) == pytest.approx(plain, rel=1e-15)
    with pytest.raises(ValueError, match=r"columns \['b', 'a'\].*another order"):
        model.score(Frame(X2[:, ::-1], columns[::-1]), E2)
    assert not hasattr(XDGMM(2, random_state=0).fit(X2, E2), "feature_names_in_")


def test_mixture_checks_the_column_names_of_a_data_frame():
    model = mix_fit("poisson", Frame(np.column_stack([COUNTS, COUNTS[::-1]]), ["x", "y"]))
    assert list(model.feature_names_in_) == ["x", "y"]
    with pytest.raises(ValueError, match=r"columns \['y', 'x'\].*another order"):
        model.predict(Frame(np.column_stack([COUNTS[::-1], COUNTS]), ["y", "x"]))
