"""XD's fast pass: the T_ij factored entry by entry with closed forms, in blocks.

For d_obs <= 3 the EM loop's XD family runs
:func:`emlib.deconvolution.convolved_terms_by_entry` (closed-form Cholesky
recursions on whole (K, n) arrays, a block of samples at a time) and
:func:`emlib.deconvolution.xd_statistics_by_entry` (b_ij - mu_j and B_ij the
same way, summed). References, independent of that route: numpy.linalg
(cholesky, inv, solve, slogdet) on each T_ij built by hand, b_ij and B_ij from
linear solves, and emlib's plain form of the equations (``convolved_terms``,
``xd_expected_values`` and ``xd_statistics`` on (n, K, d, d) stacks), which
the fast route must reproduce.
"""

import numpy as np
import pytest

from emlib import deconvolution as dc
from emlib.gaussian import DegenerateComponentError
from test_xd_statistics import reference_expected_values, relative


def problem(d, d_obs=None, projection="none", n=257, K=3, seed=0, offset=0.0, scale=1.0):
    """Random XD inputs: full, correlated S_i; R_i none, shared or one per sample."""
    d_obs = d if d_obs is None else d_obs
    rng = np.random.default_rng(seed)
    means = offset + rng.normal(size=(K, d))
    factors = rng.normal(size=(K, d, d))
    covariances = scale * (factors @ np.swapaxes(factors, 1, 2) + 0.2 * np.eye(d))
    error_factors = rng.normal(size=(n, d_obs, d_obs)) * rng.uniform(0.05, 1.0, (n, 1, 1))
    S = scale * (error_factors @ np.swapaxes(error_factors, 1, 2))
    R = {"none": None,
         "shared": rng.normal(size=(1, d_obs, d)),
         "each": rng.normal(size=(n, d_obs, d))}[projection]
    X = offset + np.sqrt(scale) * 2.0 * rng.normal(size=(n, d_obs))
    resp = rng.dirichlet(np.ones(K), n) * rng.uniform(0.5, 2.0, (n, 1))
    return X, S, means, covariances, R, resp


def totals(S, covariances, R, n):
    """Every T_ij = R_i V_j R_i^T + S_i, shape (n, K, d_obs, d_obs), by plain matmul."""
    if R is None:
        return covariances[np.newaxis] + S[:, np.newaxis]
    R = np.broadcast_to(R, (n,) + R.shape[1:])[:, np.newaxis]
    return R @ covariances @ np.swapaxes(R, -1, -2) + S[:, np.newaxis]


CASES = [(1, None, "none"), (2, None, "none"), (3, None, "none"), (4, None, "none"),
         (2, None, "shared"), (3, 2, "shared"), (3, 2, "each"), (2, 2, "each"),
         (2, 1, "each"), (5, 3, "each")]
IDS = [f"d{d}-dobs{d_obs or d}-{how}" for d, d_obs, how in CASES]


# --------------------------------------------------------------------------
# the closed-form factor


@pytest.mark.parametrize("d", [1, 2, 3])
def test_closed_form_cholesky_is_the_stacked_recursion_and_lapacks_factor(d):
    rng = np.random.default_rng(d)
    factors = rng.normal(size=(40, 3, d, d))
    matrices = factors @ np.swapaxes(factors, -1, -2) + 1e-3 * np.eye(d)
    by_entry = np.moveaxis(matrices, (-2, -1), (0, 1))  # (d, d, 40, 3)
    lower, pivots = dc._cholesky_by_entry(by_entry)
    factor = np.zeros_like(matrices)
    for a in range(d):
        for b in range(a + 1):
            factor[..., a, b] = lower[a][b]
    # The same arithmetic as the stacked recursion: the same numbers, bit for bit.
    assert np.array_equal(factor, dc.cholesky_factors(matrices))
    np.testing.assert_allclose(factor, np.linalg.cholesky(matrices), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.log(pivots).sum(axis=0), np.linalg.slogdet(matrices)[1],
                               rtol=1e-12, atol=1e-12)


def test_closed_form_2x2_factor_is_the_textbook_formula():
    a, b, c = 4.0, 1.2, 0.9
    lower, pivots = dc._cholesky_by_entry(np.array([[[a], [b]], [[b], [c]]]))
    l00, l10 = np.sqrt(a), b / np.sqrt(a)
    assert lower[0][0][0] == l00 and lower[1][0][0] == l10
    assert lower[1][1][0] == pytest.approx(np.sqrt(c - l10**2), rel=1e-15)
    assert pivots[0][0] * pivots[1][0] == pytest.approx(a * c - b * b, rel=1e-14)  # det


# --------------------------------------------------------------------------
# the terms against numpy.linalg and the stacked form


def by_sample(array, n_leading):
    """A by-entry array (entries..., K, n) as (n, K, entries...)."""
    return np.moveaxis(array, (-1, -2), (0, 1)) if n_leading else array


@pytest.mark.parametrize("d, d_obs, how", CASES, ids=IDS)
@pytest.mark.parametrize("block", [None, 7])
def test_terms_by_entry_match_numpy_linalg_and_the_stacked_form(d, d_obs, how, block,
                                                                 monkeypatch):
    if block is not None:  # many blocks, the last one short
        monkeypatch.setattr(dc, "_BLOCK_ENTRIES", block)
    X, S, means, covariances, R, _ = problem(d, d_obs, how, seed=d)
    n, K = len(X), len(means)
    terms = dc.convolved_terms_by_entry(X, S, means, covariances, R)
    T = totals(S, covariances, R, n)
    R_each = None if R is None else np.broadcast_to(R, (n,) + R.shape[1:])
    predicted = means[np.newaxis] if R is None else np.einsum("nab,kb->nka", R_each, means)
    residuals = X[:, np.newaxis] - predicted
    whitening = np.linalg.inv(np.linalg.cholesky(T))
    log_densities = -0.5 * (X.shape[1] * np.log(2 * np.pi) + np.linalg.slogdet(T)[1]
                            + np.einsum("nka,nka->nk", residuals,
                                        np.linalg.solve(T, residuals[..., None])[..., 0]))
    assert terms.log_densities.shape == (n, K)
    assert relative(terms.log_densities, log_densities) < 1e-12
    assert relative(by_sample(terms.whitening, True), whitening) < 1e-12
    assert np.all(np.triu(by_sample(terms.whitening, True), 1) == 0)
    whitened = np.einsum("nkab,nkb->nka", whitening, residuals)
    assert relative(by_sample(terms.whitened, True), whitened) < 1e-12
    # The stacked form gives the same terms.
    stacked = dc.convolved_terms(X, S, means, covariances, R)
    assert relative(terms.log_densities, stacked[0]) < 1e-13
    assert relative(by_sample(terms.whitened, True), stacked[1]) < 1e-13
    assert relative(by_sample(terms.whitening, True), stacked[2]) < 1e-13


def test_log_determinant_survives_a_product_that_underflows():
    # det T = 1e-480 is below float64's range, each pivot (1e-160) is not.
    n, d = 5, 3
    X = np.zeros((n, d))
    S = 1e-160 * np.broadcast_to(np.eye(d), (n, d, d)).copy()
    means, covariances = np.zeros((1, d)), np.zeros((1, d, d))
    terms = dc.convolved_terms_by_entry(X, S, means, covariances)
    expected = -0.5 * (d * np.log(2 * np.pi) + np.linalg.slogdet(S)[1])
    np.testing.assert_allclose(terms.log_densities[:, 0], expected, rtol=1e-14)


# --------------------------------------------------------------------------
# the sums by entry against the plain form and linear solves


def plain_statistics(X, S, means, covariances, R, resp):
    b, B = dc.xd_expected_values(X, S, means, covariances, R)
    return dc.xd_statistics(resp, b, B, means)


def entrywise_statistics(X, S, means, covariances, R, resp):
    terms = dc.convolved_terms_by_entry(X, S, means, covariances, R)
    return dc.xd_statistics_by_entry(resp, terms, covariances, R)


def m_step(statistics, resp, means):
    counts = resp.sum(axis=0)
    new_means = dc.xd_means_from_statistics(statistics, counts, means)
    return new_means, dc.xd_covariances_from_statistics(statistics, counts, means, new_means)


@pytest.mark.parametrize("d, d_obs, how", CASES, ids=IDS)
@pytest.mark.parametrize("block", [None, 7])
def test_statistics_by_entry_equal_the_plain_form(d, d_obs, how, block, monkeypatch):
    if block is not None:
        monkeypatch.setattr(dc, "_BLOCK_ENTRIES", block)
    X, S, means, covariances, R, resp = problem(d, d_obs, how, seed=10 + d)
    ours = entrywise_statistics(X, S, means, covariances, R, resp)
    plain = plain_statistics(X, S, means, covariances, R, resp)
    b, B = reference_expected_values(X, S, means, covariances, R)
    deviations = b - means
    reference = {"sum_deviations": np.einsum("nk,nka->ka", resp, deviations),
                 "sum_squares": np.einsum("nk,nkab->kab", resp, deviations[..., :, None]
                                          * deviations[..., None, :] + B)}
    assert set(ours) == set(plain)
    for name in plain:
        assert ours[name].shape == plain[name].shape
        assert relative(ours[name], plain[name]) < 1e-12, name
        assert relative(ours[name], reference[name]) < 1e-11, name
    assert np.array_equal(ours["sum_squares"], np.swapaxes(ours["sum_squares"], 1, 2))


@pytest.mark.parametrize("offset, scale", [(1e4, 1.0), (0.0, 1e-8), (0.0, 1e8)])
def test_statistics_by_entry_keep_their_digits_far_from_the_origin_and_at_any_scale(
        offset, scale):
    X, S, means, covariances, R, resp = problem(2, seed=20, offset=offset, scale=scale)
    # Half the points measured to 1e-6 of the spread, half with errors 30 times it.
    tiny = np.arange(len(X)) % 2 == 0
    S[tiny] *= 1e-12
    S[~tiny] *= 900.0
    ours = m_step(entrywise_statistics(X, S, means, covariances, None, resp), resp, means)
    b, B = reference_expected_values(X, S, means, covariances)
    reference = [np.einsum("nk,nka->ka", resp, b) / resp.sum(axis=0)[:, None]]
    deviations = b - reference[0]
    reference.append(np.einsum("nk,nkab->kab", resp, deviations[..., :, None]
                               * deviations[..., None, :] + B) / resp.sum(axis=0)[:, None, None])
    assert relative(ours[0], reference[0]) < 1e-12
    assert relative(ours[1], reference[1]) < 1e-11


def extended_precision_m_step_2d(X, S, means, covariances, resp):
    """XD's M-step in long double (64-bit mantissa), T^-1 by the 2 x 2 adjugate."""
    X, S, V, means, q = (np.asarray(a, dtype=np.longdouble)
                         for a in (X, S, covariances, means, resp))
    T = V[np.newaxis] + S[:, np.newaxis]
    adjugate = np.stack([np.stack([T[..., 1, 1], -T[..., 0, 1]], -1),
                         np.stack([-T[..., 1, 0], T[..., 0, 0]], -1)], -2)
    determinant = T[..., 0, 0] * T[..., 1, 1] - T[..., 0, 1] * T[..., 1, 0]
    inverse = adjugate / determinant[..., None, None]
    gain = np.einsum("kab,nkbc->nkac", V, inverse)  # V T^-1
    b = means + np.einsum("nkab,nkb->nka", gain, X[:, np.newaxis] - means)
    B = V - gain @ V
    counts = q.sum(axis=0)
    new_means = np.einsum("nk,nka->ka", q, b) / counts[:, None]
    deviations = b - new_means
    new_covariances = np.einsum("nk,nkab->kab", q, deviations[..., :, None]
                                * deviations[..., None, :] + B) / counts[:, None, None]
    return new_means.astype(float), new_covariances.astype(float)


def test_near_singular_convolved_covariances_keep_the_plain_forms_digits():
    if np.finfo(np.longdouble).eps > 1e-18:
        pytest.skip("long double is not extended precision here")
    # V_j and S_i both nearly singular along one direction: T_ij has condition ~1e10,
    # and some points lie far off that flat direction.
    rng = np.random.default_rng(30)
    n, direction = 200, np.array([1.0, 2.0]) / np.sqrt(5.0)
    flat = np.eye(2) - np.outer(direction, direction)  # rank 1, zero along `direction`
    covariances = np.array([flat + 1e-10 * np.eye(2), 2.0 * flat + 3e-10 * np.eye(2)])
    S = rng.uniform(0.1, 1.0, (n, 1, 1)) * flat + 1e-10 * np.eye(2)
    means = np.array([[0.0, 0.0], [1.0, -1.0]])
    X = rng.normal(size=(n, 1)) * (flat @ [1.0, 0.0]) / 0.8 + 1e-5 * rng.normal(size=(n, 2))
    resp = rng.dirichlet(np.ones(2), n)
    ours = m_step(entrywise_statistics(X, S, means, covariances, None, resp), resp, means)
    plain = m_step(plain_statistics(X, S, means, covariances, None, resp), resp, means)
    exact = extended_precision_m_step_2d(X, S, means, covariances, resp)
    # Both lose ~cond(T) eps of the digits; summing T^-1 first and multiplying by V
    # after would be off by a factor of 600.
    for k in range(2):
        assert relative(ours[k], exact[k]) < 5e-7
        assert relative(ours[k], exact[k]) < 3 * relative(plain[k], exact[k]) + 1e-12


# --------------------------------------------------------------------------
# collapse: the closed forms refuse where the stacked form refuses


@pytest.mark.parametrize("d", [1, 2, 3])
def test_a_collapsed_component_on_an_exact_point_is_refused_as_by_the_stacked_form(d):
    rng = np.random.default_rng(40 + d)
    X = rng.normal(size=(50, d))
    S = np.broadcast_to(0.1 * np.eye(d), (50, d, d)).copy()
    S[17] = 0.0  # a point without error ...
    means = np.vstack([X[17], np.zeros(d)])
    covariances = np.stack([np.zeros((d, d)), np.eye(d)])  # ... and a component of zero width
    with pytest.raises(DegenerateComponentError) as stacked:
        dc.convolved_terms(X, S, means, covariances)
    with pytest.raises(DegenerateComponentError) as ours:
        dc.convolved_terms_by_entry(X, S, means, covariances)
    assert str(ours.value) == str(stacked.value) and ours.value.cause == "collapse"


@pytest.mark.parametrize("d", [2, 3])
def test_closed_forms_refuse_exactly_the_matrices_the_stacked_recursion_refuses(d):
    # Rank-deficient V_j + S_i rounded either side of singular: each must agree with
    # cholesky_factors, which the stacked form uses, matrix by matrix.
    rng = np.random.default_rng(50 + d)
    refusals = []
    for _ in range(200):
        vectors = rng.normal(size=(d - 1, d))
        S = (vectors.T @ vectors)[np.newaxis] * rng.uniform(0.1, 10.0)
        covariances = (vectors.T @ vectors * rng.uniform(0.1, 10.0))[np.newaxis]
        X, means = np.zeros((1, d)), np.zeros((1, d))
        try:
            dc.cholesky_factors(covariances[np.newaxis] + S[:, np.newaxis])
            refused = False
        except np.linalg.LinAlgError:
            refused = True
        if refused:
            with pytest.raises(DegenerateComponentError):
                dc.convolved_terms_by_entry(X, S, means, covariances)
        else:
            dc.convolved_terms_by_entry(X, S, means, covariances)
        refusals.append(refused)
    assert 20 < sum(refusals) < 180  # rounding falls on both sides often enough to test both


def test_non_finite_convolved_covariances_are_reported_as_such():
    X, S, means, covariances, _, _ = problem(2, seed=60)
    covariances[1, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity") as error:
        dc.convolved_terms_by_entry(X, S, means, covariances)
    assert not isinstance(error.value, DegenerateComponentError)


# --------------------------------------------------------------------------
# the family takes the entrywise route for small d_obs only


@pytest.mark.parametrize("d, d_obs, how", CASES, ids=IDS)
def test_the_family_factors_small_T_by_entry_and_gives_the_plain_forms_sums(d, d_obs, how):
    from emlib.families.xd import ExtremeDeconvolutionFamily

    X, S, means, covariances, R, resp = problem(d, d_obs, how, seed=70 + d)
    family = ExtremeDeconvolutionFamily()
    data = dc.Measurements(X, S, R)
    params = {"means": means, "covariances": covariances}
    log_densities, reuse = family.e_step_terms(data, params)
    assert isinstance(reuse, dc.TermsByEntry) == (X.shape[1] <= 3)
    stats = family.statistics(data, resp, params, reuse)
    plain = plain_statistics(X, S, means, covariances, R, resp)
    for name in plain:
        assert relative(stats[name], plain[name]) < 1e-12
    assert relative(log_densities, dc.log_convolved_densities(X, S, means, covariances, R)) \
        < 1e-13


@pytest.mark.parametrize("d", [1, 2, 3])
def test_xdgmm_collapsing_onto_error_free_duplicates_raises_the_stacked_forms_explanation(
        d, monkeypatch):
    import emlib
    import emlib.families.xd

    rng = np.random.default_rng(80 + d)
    X = np.vstack([np.zeros((5, d)), 50.0 + rng.normal(size=(100, d))])
    S = np.concatenate([np.zeros((5, d, d)), np.broadcast_to(0.1 * np.eye(d), (100, d, d))])
    start = dict(weights_init=[0.5, 0.5], means_init=[np.zeros(d), np.full(d, 50.0)],
                 covariances_init=[0.01 * np.eye(d), np.eye(d)])
    errors = []
    for limit in (3, 0):  # by entry, then the stacked functions
        monkeypatch.setattr(emlib.families.xd, "ENTRYWISE_MAX_D", limit)
        with pytest.raises(DegenerateComponentError) as error:
            emlib.XDGMM(2, reg_covar=0, tol=0, max_iter=20, **start).fit(X, S)
        errors.append(error.value)
    assert str(errors[0]) == str(errors[1])
    assert errors[0].cause == errors[1].cause == "collapse"
    assert "collapsed onto points that have zero measurement error" in str(errors[0])
