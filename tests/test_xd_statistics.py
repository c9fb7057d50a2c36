"""XD's M-step as sums over the samples: the families hold no data, the sums add over chunks.

The XD families take their data as :class:`emlib.deconvolution.Measurements`
and compute the M-step from sums centred at the previous means, so that EM
can run chunk by chunk. References, independent of that route: XD's updates
written directly from the equations of Bovy, Hogg & Roweis (2011) with
numpy.linalg.solve (b_ij, B_ij, then the means and covariances about the new
means), the plain-form functions emlib keeps for them
(``xd_update_means``/``xd_update_covariances``), and the eq.-7 route written
with its public functions.
"""

import copy
import pickle

import numpy as np
import pytest
from scipy.special import logsumexp

import emlib
from emlib import deconvolution as dc
from emlib.families.xd import Eq7Family, ExtremeDeconvolutionFamily
from test_deconvolution import reference_log_densities

TINY_COUNT = 10 * np.finfo(np.float64).eps


# --------------------------------------------------------------------------
# independent references


def reference_expected_values(X, S, means, covariances, projection=None):
    """b_ij and B_ij by conditioning the joint Gaussian of (y_i, x_i), with linear solves."""
    n, d_obs = X.shape
    R = np.broadcast_to(np.eye(d_obs) if projection is None else projection,
                        (n, d_obs, means.shape[1]))
    b = np.empty((n, len(means), means.shape[1]))
    B = np.empty((n, len(means), means.shape[1], means.shape[1]))
    for j, (mean, cov) in enumerate(zip(means, covariances)):
        total = R @ cov @ np.swapaxes(R, 1, 2) + S
        gain = np.swapaxes(np.linalg.solve(total, R @ cov), 1, 2)  # V R^T T^-1
        b[:, j] = mean + (gain @ (X - R @ mean)[..., None])[..., 0]
        B[:, j] = cov - gain @ R @ cov
    return b, B


def reference_m_step(resp, b, B, counts, reg_covar, old_means, old_covariances,
                     fixed_means=None, fixed_covariances=None):
    """XD's updates about the new means, component by component."""
    K, d = old_means.shape
    means = np.array([resp[:, j] @ b[:, j] / counts[j] for j in range(K)])
    if fixed_means is not None:
        means[fixed_means] = old_means[fixed_means]
    covariances = np.empty((K, d, d))
    for j in range(K):
        deviations = b[:, j] - means[j]
        scatter = (resp[:, j] * deviations.T) @ deviations + np.tensordot(resp[:, j], B[:, j], 1)
        covariances[j] = scatter / counts[j] + reg_covar * np.eye(d)
    if fixed_covariances is not None:
        covariances[fixed_covariances] = old_covariances[fixed_covariances]
    return means, covariances


def counts_of(resp):
    counts = resp.sum(axis=0)
    return counts + TINY_COUNT * counts.sum() / resp.shape[0]


def constrained(weights, fixed, values):
    if fixed is None:
        return weights
    weights = weights.copy()
    weights[fixed] = values[fixed]
    weights[~fixed] *= (1 - values[fixed].sum()) / weights[~fixed].sum()
    return weights


def reference_xd_em(X, S, projection, weights, means, covariances, n_iter, *, sample_weight=None,
                    reg_covar=1e-6, fixed_weights=None, fixed_means=None,
                    fixed_covariances=None):
    """XD's EM written from the equations; returns the last parameters and ln L history."""
    history = []
    values = weights
    for _ in range(n_iter):
        terms = reference_log_densities(X, S, weights, means, covariances, projection)
        log_density = logsumexp(terms, axis=1)
        resp = np.exp(terms - log_density[:, None])
        history.append(log_density.sum() if sample_weight is None else sample_weight @ log_density)
        if sample_weight is not None:
            resp = resp * sample_weight[:, None]
        b, B = reference_expected_values(X, S, means, covariances, projection)
        counts = counts_of(resp)
        weights = constrained(counts / counts.sum(), fixed_weights, values)
        means, covariances = reference_m_step(resp, b, B, counts, reg_covar, means, covariances,
                                              fixed_means, fixed_covariances)
    return weights, means, covariances, np.array(history)


def family_em(family, data, weights, params, n_iter, sample_weight=None):
    """The EM loop of the family contract, in memory: e_step_terms, statistics, parameters."""
    history = []
    for _ in range(n_iter):
        log_densities, reuse = family.e_step_terms(data, params)
        terms = log_densities + np.log(weights)
        log_density = logsumexp(terms, axis=1)
        resp = np.exp(terms - log_density[:, None])
        history.append(log_density.sum() if sample_weight is None else sample_weight @ log_density)
        if sample_weight is not None:
            resp = resp * sample_weight[:, None]
        counts = counts_of(resp)
        weights = family.constrain_weights(counts / counts.sum())
        params = family.parameters(family.statistics(data, resp, params, reuse), counts, params)
    return weights, params, np.array(history)


def relative(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


# --------------------------------------------------------------------------
# data


def clusters_2d(n=300, seed=0, offset=0.0):
    """Three 2-D clusters, each point with its own full error covariance."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 1.0], [1.0, 3.5]])
    Y = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2)) * [0.8, 0.4]
    factors = rng.normal(size=(n, 2, 2)) * rng.uniform(0.05, 0.6, (n, 1, 1))
    S = factors @ np.swapaxes(factors, 1, 2)
    X = offset + Y + np.einsum("nij,nj->ni", factors, rng.standard_normal((n, 2)))
    return X, S, offset + centres


def hostile_2d(n=400, seed=1):
    """Data at 1e4 + O(1); half the points with errors 1e-6, half with errors 30."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 1.0], [1.0, 3.5]])
    Y = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2)) * [0.8, 0.4]
    sigma = np.where(rng.random(n) < 0.5, 1e-6, 30.0)
    X = 1e4 + Y + sigma[:, None] * rng.standard_normal((n, 2))
    S = sigma[:, None, None] ** 2 * np.eye(2)
    return X, S, 1e4 + centres


def one_m_step_inputs(X, S, centres, projection=None, seed=2):
    rng = np.random.default_rng(seed)
    K, d = centres.shape
    means = centres + 0.3 * rng.normal(size=(K, d))
    covariances = np.array([np.diag([0.6, 0.2]) + 0.05 * k for k in range(K)])
    resp = rng.dirichlet(np.ones(K), len(X)) * rng.uniform(0.5, 2.0, (len(X), 1))
    return dc.Measurements(X, S, projection), resp, {"means": means, "covariances": covariances}


# --------------------------------------------------------------------------
# Measurements


def test_measurements_slice_into_rows_and_keep_a_shared_projection():
    X, S, _ = clusters_2d(n=10)
    each = np.random.default_rng(3).normal(size=(10, 2, 2))
    shared = each[:1]
    for projection in (None, shared, each):
        data = dc.Measurements(X, S, projection)
        assert len(data) == 10 and data.n_samples == 10 and data.n_features == 2
        part = data[3:7]
        assert isinstance(part, dc.Measurements) and len(part) == 4
        assert np.array_equal(part.values, X[3:7])
        assert np.array_equal(part.error_covariances, S[3:7])
        if projection is None:
            assert part.projection is None
        elif projection is shared:
            assert part.projection is shared  # one R for every sample: not sliced
        else:
            assert np.array_equal(part.projection, each[3:7])
        assert np.array_equal(data.rows(3, 7).values, part.values)
    # Still a named tuple: the fields by name and by position, unpacking, copies, pickles.
    data = dc.Measurements(X, S, each)
    values, errors, projection = data
    assert values is X and data[1] is S and data.projection is each
    assert data._replace(projection=None).projection is None
    for twin in (copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert isinstance(twin, dc.Measurements) and len(twin) == 10
        assert np.array_equal(twin.projection, each)
    with pytest.raises(ValueError, match="contiguous"):
        data[::2]


def test_true_value_estimates_invert_the_projection():
    rng = np.random.default_rng(4)
    Y = rng.normal(size=(20, 3))
    R = rng.normal(size=(20, 3, 3)) + 3 * np.eye(3)
    X = np.einsum("nij,nj->ni", R, Y)
    estimates = dc.Measurements(X, np.zeros((20, 3, 3)), R).true_value_estimates()
    assert np.allclose(estimates, Y, atol=1e-10)
    assert dc.Measurements(X, np.zeros((20, 3, 3)), None).true_value_estimates() is X


# --------------------------------------------------------------------------
# one M-step from sums equals XD's updates about the new means


@pytest.mark.parametrize("case", ["moderate", "hostile", "projected", "fixed"])
def test_m_step_from_sums_equals_the_updates_about_the_new_means(case):
    if case == "hostile":
        X, S, centres = hostile_2d()
    else:
        X, S, centres = clusters_2d(n=400, seed=5)
    projection = None
    if case == "projected":
        projection = np.eye(2) + 0.3 * np.random.default_rng(6).normal(size=(400, 2, 2))
    data, resp, params = one_m_step_inputs(X, S, centres, projection)
    fixed = {}
    if case == "fixed":
        fixed = dict(fixed_means=np.array([False, True, False]),
                     fixed_covariances=np.array([True, False, False]))
    family = ExtremeDeconvolutionFamily(1e-6, **fixed)
    counts = counts_of(resp)
    new = family.parameters(family.statistics(data, resp, params), counts, params)

    b, B = reference_expected_values(X, S, params["means"], params["covariances"], projection)
    means, covariances = reference_m_step(resp, b, B, counts, 1e-6, params["means"],
                                          params["covariances"], **fixed)
    assert relative(new["means"], means) < 1e-12
    assert relative(new["covariances"], covariances) < 1e-12
    assert np.array_equal(new["covariances"], np.swapaxes(new["covariances"], 1, 2))
    if fixed:
        assert np.array_equal(new["means"][1], params["means"][1])
        assert np.array_equal(new["covariances"][0], params["covariances"][0])
    else:
        # The plain form emlib keeps (the sums about the new means) agrees as well.
        b, B = dc.xd_expected_values(X, S, params["means"], params["covariances"], projection)
        plain_means = dc.xd_update_means(resp, b, counts)
        plain = dc.xd_update_covariances(resp, b, B, counts, plain_means, 1e-6)
        assert relative(new["means"], plain_means) < 1e-12
        assert relative(new["covariances"], plain) < 1e-12


def test_the_sums_add_over_any_split_of_the_samples():
    X, S, centres = hostile_2d(n=301)
    for projection in (None, np.array([[[1.0, 0.5], [0.0, 1.0]]]),
                       np.eye(2) + 0.2 * np.random.default_rng(7).normal(size=(301, 2, 2))):
        data, resp, params = one_m_step_inputs(X, S, centres, projection)
        family = ExtremeDeconvolutionFamily()
        whole = family.statistics(data, resp, params)
        chunks = [(0, 1), (1, 120), (120, 301)]
        parts = [family.statistics(data.rows(a, b), resp[a:b], params) for a, b in chunks]
        combined = family.combine_statistics(family.combine_statistics(parts[0], parts[1]),
                                             parts[2])
        assert set(combined) == {"sum_deviations", "sum_squares"}
        for name in combined:
            assert relative(combined[name], whole[name]) < 1e-12
        # The reused E-step terms give the same sums as computing them afresh.
        _, reuse = family.e_step_terms(data, params)
        again = family.statistics(data, resp, params, reuse)
        for name in whole:
            assert np.array_equal(again[name], whole[name])


# --------------------------------------------------------------------------
# EM with the families equals XD's EM written from the equations


@pytest.mark.parametrize("case", ["plain", "projected_weighted_fixed", "shared_projection"])
def test_em_with_the_family_follows_the_equations_to_1e12(case):
    X, S, centres = clusters_2d(n=300, seed=8)
    rng = np.random.default_rng(9)
    weights = np.array([0.3, 0.3, 0.4])
    means = centres + 0.5
    covariances = np.tile(np.eye(2), (3, 1, 1))
    projection, sample_weight, fixed = None, None, {}
    if case == "projected_weighted_fixed":
        projection = np.eye(2) + 0.3 * rng.normal(size=(300, 2, 2))
        sample_weight = rng.integers(1, 4, 300).astype(float)
        fixed = dict(fixed_weights=np.array([True, False, False]),
                     fixed_means=np.array([False, True, False]),
                     fixed_covariances=np.array([False, False, True]))
    elif case == "shared_projection":
        projection = np.array([[[1.0, 0.4], [-0.3, 1.0]]])
    family = ExtremeDeconvolutionFamily(1e-6, weight_values=weights, **fixed)
    data = family.check_data(dc.Measurements(X, S, projection))
    ours, params, history = family_em(family, data, family.constrain_weights(weights),
                                      {"means": means, "covariances": covariances}, 40,
                                      sample_weight)
    reference = reference_xd_em(X, S, projection, weights, means, covariances, 40,
                                sample_weight=sample_weight, **fixed)
    assert relative(ours, reference[0]) < 1e-12
    assert relative(params["means"], reference[1]) < 1e-12
    assert relative(params["covariances"], reference[2]) < 1e-12
    assert relative(history, reference[3]) < 1e-12
    assert np.all(np.diff(history) > -1e-10 * np.abs(history[1:]))  # EM climbs


def test_eq7_family_follows_the_text_route_written_with_the_public_functions():
    rng = np.random.default_rng(10)
    n = 300
    y = np.where(rng.random(n) < 0.4, rng.normal(-2.0, 0.5, n), rng.normal(1.5, 1.0, n))
    errors = rng.uniform(0.1, 1.0, n)
    x = y + errors * rng.standard_normal(n)
    sample_weight = rng.uniform(0.5, 2.0, n)
    weights, means, variances = np.array([0.5, 0.5]), np.array([-1.0, 1.0]), np.ones(2)
    family = Eq7Family(1e-6)
    data = family.check_data(dc.Measurements(x[:, None], errors[:, None, None] ** 2, None))
    ours, params, history = family_em(
        family, data, weights, {"means": means[:, None], "covariances": variances[:, None, None]},
        25, sample_weight)
    for _ in range(25):
        terms = dc.log_convolved_densities_1d(x, errors**2, means, variances) + np.log(weights)
        resp = np.exp(terms - logsumexp(terms, axis=1)[:, None]) * sample_weight[:, None]
        counts = counts_of(resp)
        weights = counts / counts.sum()
        means = dc.eq7_mean_update(x, errors**2, resp, variances)
        variances = np.array([dc.solve_eq7_variance(x, errors**2, resp[:, j], means[j]).variance
                              for j in range(2)]) + 1e-6
    assert relative(ours, weights) < 1e-12
    assert relative(params["means"][:, 0], means) < 1e-12
    assert relative(params["covariances"][:, 0, 0], variances) < 1e-12
    assert np.all(np.diff(history) > -1e-10 * np.abs(history[1:]))


# --------------------------------------------------------------------------
# the families hold settings only


def test_one_family_object_serves_any_data_set():
    family = ExtremeDeconvolutionFamily(1e-6)
    settings = dict(vars(family))
    first, second = clusters_2d(n=200, seed=11), clusters_2d(n=50, seed=12)
    start = {"means": first[2] + 0.5, "covariances": np.tile(np.eye(2), (3, 1, 1))}
    results = []
    for X, S, _ in (first, second, first):
        data = dc.Measurements(X, S, None)
        log_densities, _ = family.e_step_terms(data, start)
        resp = np.exp(log_densities - logsumexp(log_densities, axis=1)[:, None])
        results.append(family.maximise(data, resp, start))
        assert log_densities.shape == (len(X), 3)
    # Scoring another data set in between changes nothing: nothing of the data is kept.
    for name in ("means", "covariances"):
        assert np.array_equal(results[0][name], results[2][name])
    assert vars(family) == settings


def test_eq7_family_is_not_additive_and_says_what_to_use_instead():
    family = Eq7Family()
    assert family.additive is False and ExtremeDeconvolutionFamily.additive is True
    data = dc.Measurements(np.zeros((4, 1)), np.ones((4, 1, 1)), None)
    params = {"means": np.zeros((2, 1)), "covariances": np.ones((2, 1, 1))}
    statistics = family.statistics(data, np.full((4, 2), 0.5), params)
    with pytest.raises(ValueError, match="method='xd'"):
        family.combine_statistics(statistics, statistics)
    with pytest.raises(ValueError, match="1-D"):
        family.check_data(dc.Measurements(np.zeros((4, 2)), np.ones((4, 2, 2)), None))
    with pytest.raises(TypeError, match="Measurements"):
        ExtremeDeconvolutionFamily().check_data(np.zeros((4, 2)))


# --------------------------------------------------------------------------
# XDGMM on the one estimator base


def test_xdgmm_iterates_follow_the_equations_to_1e12():
    X, S, centres = clusters_2d(n=300, seed=13)
    rng = np.random.default_rng(14)
    projection = np.eye(2) + 0.3 * rng.normal(size=(300, 2, 2))
    sample_weight = rng.integers(1, 4, 300).astype(float)
    weights, means = np.array([0.3, 0.3, 0.4]), centres + 0.5
    covariances = np.tile(np.eye(2), (3, 1, 1))
    fixed = dict(fixed_weights=np.array([False, True, False]),
                 fixed_means=np.array([True, False, False]),
                 fixed_covariances=np.array([False, False, True]))
    model = emlib.XDGMM(3, tol=0, max_iter=30, reg_covar=1e-6, weights_init=weights,
                        means_init=means, covariances_init=covariances)
    with pytest.warns(emlib.ConvergenceWarning):
        model.fit(X, S, projection=projection, sample_weight=sample_weight, **fixed)
    reference = reference_xd_em(X, S, projection, weights, means, covariances, 30,
                                sample_weight=sample_weight, **fixed)
    assert relative(model.weights_, reference[0]) < 1e-12
    assert relative(model.means_, reference[1]) < 1e-12
    assert relative(model.covariances_, reference[2]) < 1e-12
    assert relative(model.log_likelihoods_[:-1], reference[3]) < 1e-12
    # Free numbers: 1 weight (two free, summing to 1 - 0.3), 2 x 2 means, 2 x 3 covariances.
    assert model.n_parameters() == 1 + 4 + 6


def test_sorting_reorders_the_parameters_and_the_record_of_fixed_components():
    X, S, centres = clusters_2d(n=300, seed=15)
    means = centres[::-1] + 0.2  # the last component has the smallest mean
    model = emlib.XDGMM(3, tol=1e-8, max_iter=300, means_init=means).fit(
        X, S, fixed_means=[False, False, True])
    before = (model.weights_.copy(), model.means_.copy(), model.covariances_.copy())
    order = np.lexsort(model.means_.T[::-1])
    assert order[0] == 2
    bic = model.bic(X, S)
    model.sort_components()
    assert np.array_equal(model.weights_, before[0][order])
    assert np.array_equal(model.means_, before[1][order])
    assert np.array_equal(model.covariances_, before[2][order])
    assert np.array_equal(model.means_[0], means[2])  # the held mean, now first
    assert model._family().fixed_means.tolist() == [True, False, False]
    assert model.bic(X, S) == pytest.approx(bic, rel=1e-12)


def test_fit_predict_and_icl_take_the_measurements():
    X, S, _ = clusters_2d(n=200, seed=16)
    model = emlib.XDGMM(3, random_state=0)
    labels = model.fit_predict(X, S)
    assert np.array_equal(labels, model.predict(X, S))
    terms = reference_log_densities(X, S, model.weights_, model.means_, model.covariances_)
    log_density = logsumexp(terms, axis=1)
    resp = np.exp(terms - log_density[:, None])
    entropy = -np.log(resp.max(axis=1)).sum()  # of the hard labels, as in mclust
    k = model.n_parameters()
    assert k == 2 + 3 * 2 + 3 * 3
    assert model.icl(X, S) == pytest.approx(
        -2 * log_density.sum() + k * np.log(200) + 2 * entropy, rel=1e-10)


def test_xd_runs_chunk_by_chunk_and_eq7_refuses_to():
    from emlib.backends import Chunked, InMemory
    from emlib.em import run_em

    X, S, centres = clusters_2d(n=301, seed=17)
    rng = np.random.default_rng(18)
    data = dc.Measurements(X, S, np.eye(2) + 0.2 * rng.normal(size=(301, 2, 2)))
    sample_weight = rng.uniform(0.5, 2.0, 301)
    start = (np.full(3, 1 / 3),
             {"means": centres + 0.5, "covariances": np.tile(np.eye(2), (3, 1, 1))})
    family = ExtremeDeconvolutionFamily(1e-6)
    whole = run_em(family, InMemory(data, sample_weight), *start, tol=0, max_iter=15)
    chunked = run_em(family, Chunked(data, sample_weight, chunk_rows=77), *start, tol=0,
                     max_iter=15)
    assert relative(chunked.weights, whole.weights) < 1e-12
    for name in ("means", "covariances"):
        assert relative(chunked.params[name], whole.params[name]) < 1e-12
    assert relative(chunked.log_likelihoods, whole.log_likelihoods) < 1e-12
    # Without sample weights the stopping rule divides by the number of samples, len(data).
    unweighted = run_em(family, InMemory(data), *start, tol=0, max_iter=2)
    assert unweighted.lower_bounds[-1] == pytest.approx(unweighted.log_likelihoods[1] / 301,
                                                        rel=1e-14)
    x = dc.Measurements(X[:, :1], S[:, :1, :1], None)
    one_d = (np.full(2, 0.5), {"means": np.array([[0.0], [3.0]]),
                               "covariances": np.ones((2, 1, 1))})
    with pytest.raises(ValueError, match="method='xd'"):
        run_em(Eq7Family(), Chunked(x, chunk_rows=100), *one_d, tol=0, max_iter=2)


def test_an_unfitted_or_partly_assigned_model_says_what_is_missing():
    from sklearn.exceptions import NotFittedError

    X, S, centres = clusters_2d(n=20, seed=19)
    model = emlib.XDGMM(3)
    for method in ("score_samples", "predict", "bic", "icl"):
        with pytest.raises(NotFittedError, match=r"call fit\(X, Xerr\)"):
            getattr(model, method)(X, S)
    model.mu = centres
    with pytest.raises(NotFittedError, match=r"alpha \(weights_\), V \(covariances_\) not set"):
        model.score_samples(X, S)
    with pytest.raises(NotFittedError, match="not set"):
        model.sort_components()
