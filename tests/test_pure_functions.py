"""emlib's equations, one function at a time, against independent references.

The references are scipy.stats densities, plain Python loops over samples
and components, hand counts, scikit-learn and numpy's own np.cov.
"""

import numpy as np
import pytest
import sklearn.mixture
from scipy import stats
from scipy.special import logsumexp
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from emlib.gaussian import (
    DegenerateComponentError,
    check_not_collapsed_at_scale,
    covariances_from_precision_cholesky,
    log_gaussian_densities,
    precision_cholesky,
    precision_cholesky_from_precisions,
    precisions_from_cholesky,
    sample_gaussian,
    update_covariances,
    update_means,
)
from emlib.information_criteria import (
    aic,
    bic,
    classification_entropy,
    icl,
    n_covariance_parameters,
    n_gaussian_mixture_parameters,
)
from emlib.initialisation import (
    RESPONSIBILITY_STARTS,
    kmeans_labels,
    kmeans_plusplus_centres,
    textbook_start,
)
from emlib.likelihood import (
    effective_counts,
    expectation,
    log_likelihood,
    log_mixture_density,
    log_sum_exp,
    log_weighted_densities,
    responsibilities,
    update_weights,
)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def random_covariances(covariance_type, n_components, n_features, rng):
    """Covariances in scikit-learn's shape for ``covariance_type``."""
    if covariance_type == "full":
        factors = rng.normal(size=(n_components, n_features, n_features))
        return factors @ np.swapaxes(factors, 1, 2) + 0.5 * np.eye(n_features)
    if covariance_type == "tied":
        factor = rng.normal(size=(n_features, n_features))
        return factor @ factor.T + 0.5 * np.eye(n_features)
    if covariance_type == "diag":
        return rng.uniform(0.3, 3.0, size=(n_components, n_features))
    return rng.uniform(0.3, 3.0, size=n_components)


def problem(covariance_type, n_features, n_components=3, n_samples=40, seed=0):
    """Random data, means, covariances (in their own shape and written out in full)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 2.0, size=(n_samples, n_features))
    means = rng.normal(0.0, 2.0, size=(n_components, n_features))
    covariances = random_covariances(covariance_type, n_components, n_features, rng)
    full = {
        "full": lambda c: c,
        "tied": lambda c: np.repeat(c[np.newaxis], n_components, axis=0),
        "diag": lambda c: np.array([np.diag(row) for row in c]),
        "spherical": lambda c: c[:, np.newaxis, np.newaxis] * np.eye(n_features),
    }[covariance_type](covariances)
    weights = rng.dirichlet(np.ones(n_components))
    return X, means, covariances, full, weights


def scipy_log_densities(X, means, full_covariances):
    return np.column_stack([
        stats.multivariate_normal.logpdf(X, mean, covariance).reshape(len(X))
        for mean, covariance in zip(means, full_covariances)])


# ------------------------------------------------------- Gaussian densities
@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_gaussian_densities_match_scipy(covariance_type, n_features):
    X, means, covariances, full, _ = problem(covariance_type, n_features)
    ours = log_gaussian_densities(X, means, covariances, covariance_type)
    assert ours.shape == (40, 3)
    np.testing.assert_allclose(ours, scipy_log_densities(X, means, full), rtol=1e-12)


def test_log_gaussian_densities_in_1d_match_scipy_norm():
    x = np.linspace(-20, 20, 101)
    means, variances = np.array([-1.0, 0.0, 3.0]), np.array([2.25, 1.0, 0.25])
    expected = np.column_stack([stats.norm.logpdf(x, m, np.sqrt(v))
                                for m, v in zip(means, variances)])
    for covariance_type, shape in [("full", (3, 1, 1)), ("diag", (3, 1)), ("spherical", (3,))]:
        ours = log_gaussian_densities(x[:, None], means[:, None], variances.reshape(shape),
                                      covariance_type)
        np.testing.assert_allclose(ours, expected, rtol=1e-13)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precision_factor_conversions(covariance_type):
    _, _, covariances, full, _ = problem(covariance_type, 3)
    factors = precision_cholesky(covariances, covariance_type)
    precisions = precisions_from_cholesky(factors, covariance_type)
    if covariance_type in ("full", "tied"):
        np.testing.assert_allclose(precisions, np.linalg.inv(covariances), rtol=1e-10)
        stack = factors.reshape(-1, 3, 3)
        np.testing.assert_allclose(stack @ np.swapaxes(stack, 1, 2),
                                   np.linalg.inv(covariances).reshape(-1, 3, 3), rtol=1e-10)
    else:
        np.testing.assert_allclose(precisions, 1.0 / covariances, rtol=1e-13)
    np.testing.assert_allclose(
        covariances_from_precision_cholesky(factors, covariance_type), covariances, rtol=1e-10)
    from_precisions = precision_cholesky_from_precisions(precisions, covariance_type)
    np.testing.assert_allclose(precisions_from_cholesky(from_precisions, covariance_type),
                               precisions, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_one_dimensional_shortcuts_give_lapacks_bits(covariance_type):
    """In 1-D the precision factor is 1/sigma and the smallest eigenvalue the variance
    itself: the shortcuts give exactly what LAPACK's Cholesky, inverse and eigvalsh give."""
    variances = np.random.default_rng(5).uniform(1e-3, 1e3, size=40)
    covariances = variances.reshape(-1, 1, 1) if covariance_type == "full" else variances[:1, None]
    stack = covariances.reshape(-1, 1, 1)
    lapack = np.swapaxes(np.linalg.inv(np.linalg.cholesky(stack)), 1, 2)
    ours = precision_cholesky(covariances, covariance_type).reshape(-1, 1, 1)
    assert np.array_equal(ours, lapack)
    # the collapse check reads the same smallest eigenvalue: a variance just above its floor
    # passes, one at the floor fails, as with eigvalsh
    assert np.array_equal(np.linalg.eigvalsh(stack)[:, 0], stack.reshape(-1))
    floor = (1000 * np.finfo(float).eps * 1.0) ** 2
    check_not_collapsed_at_scale(np.full_like(covariances, floor * 1.01), covariance_type, 1.0, 1.0)
    with pytest.raises(DegenerateComponentError, match="collapsed"):
        check_not_collapsed_at_scale(np.full_like(covariances, floor), covariance_type, 1.0, 1.0)
    with pytest.raises(DegenerateComponentError, match="component 0"):
        precision_cholesky(np.zeros_like(covariances), covariance_type)


@pytest.mark.parametrize("covariance_type, singular", [
    ("full", np.array([np.eye(2), [[1.0, 1.0], [1.0, 1.0]]])),
    ("tied", np.zeros((2, 2))),
    ("diag", np.array([[1.0, 1.0], [0.0, 2.0]])),
    ("spherical", np.array([1.0, 0.0])),
])
def test_singular_covariance_raises_degenerate_component_error(covariance_type, singular):
    with pytest.raises(DegenerateComponentError, match="collapsed") as error:
        precision_cholesky(singular, covariance_type)
    assert isinstance(error.value, ValueError)
    assert "reg_covar" in str(error.value)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_sample_gaussian_has_the_right_moments(covariance_type):
    rng = np.random.default_rng(0)
    mean = np.array([1.0, -2.0])
    covariance = np.array([[2.0, 0.8], [0.8, 1.0]]) if covariance_type == "full" else \
        np.array([2.0, 0.5])
    draws = sample_gaussian(rng, mean, covariance, covariance_type, 50_000)
    assert draws.shape == (50_000, 2)
    full = covariance if covariance_type == "full" else np.diag(covariance)
    assert np.all(np.abs(draws.mean(axis=0) - mean) < 4 * np.sqrt(np.diag(full) / 50_000))
    np.testing.assert_allclose(np.cov(draws.T), full, atol=0.05)


# ------------------------------------------------------- M-step updates
def loop_means(X, resp):
    means = np.zeros((resp.shape[1], X.shape[1]))
    for k in range(resp.shape[1]):
        for i in range(X.shape[0]):
            means[k] += resp[i, k] * X[i]
        means[k] /= resp[:, k].sum()
    return means


def loop_covariances(X, resp, means):
    """Full weighted scatter matrices, one per component, by a double loop."""
    n_components, n_features = means.shape
    covariances = np.zeros((n_components, n_features, n_features))
    for k in range(n_components):
        for i in range(X.shape[0]):
            centred = X[i] - means[k]
            covariances[k] += resp[i, k] * np.outer(centred, centred)
        covariances[k] /= resp[:, k].sum()
    return covariances


@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_updates_match_loops(covariance_type, n_features):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, n_features)) * [3.0, 1.0, 0.5][:n_features]
    resp = rng.dirichlet(np.ones(3), size=30)
    counts = resp.sum(axis=0)
    means = update_means(X, resp, counts)
    expected_means = loop_means(X, resp)
    np.testing.assert_allclose(means, expected_means, rtol=1e-12, atol=1e-14)
    scatter = loop_covariances(X, resp, expected_means)
    expected = {
        "full": scatter,
        "tied": (counts[:, None, None] * scatter).sum(axis=0) / counts.sum(),
        "diag": np.array([np.diag(s) for s in scatter]),
        "spherical": np.array([np.diag(s).mean() for s in scatter]),
    }[covariance_type]
    for reg_covar in (0.0, 0.1):
        ours = update_covariances(X, resp, counts, means, covariance_type, reg_covar)
        added = reg_covar * (np.eye(n_features) if covariance_type in ("full", "tied") else 1.0)
        np.testing.assert_allclose(ours, expected + added, rtol=1e-12, atol=1e-14)


def test_1d_variance_update_is_eq_5():
    """sigma_j^2 = sum_i w_ij (x_i - mu_j)^2 / N_j, with the weighted mean mu_j."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=25)
    resp = rng.dirichlet(np.ones(2), size=25)
    counts = resp.sum(axis=0)
    means = update_means(x[:, None], resp, counts)
    variances = update_covariances(x[:, None], resp, counts, means, "spherical")
    for j in range(2):
        mu = np.average(x, weights=resp[:, j])
        assert means[j, 0] == pytest.approx(mu, rel=1e-13)
        assert variances[j] == pytest.approx(np.average((x - mu) ** 2, weights=resp[:, j]),
                                             rel=1e-12)


def test_weight_update_and_effective_counts():
    resp = np.random.default_rng(2).dirichlet(np.ones(4), size=50)
    np.testing.assert_allclose(effective_counts(resp), resp.sum(axis=0), rtol=1e-13)
    weights = update_weights(resp)
    np.testing.assert_allclose(weights, resp.mean(axis=0), rtol=1e-13)
    assert weights.sum() == pytest.approx(1.0, abs=1e-15)


# ------------------------------------------------------ likelihood, E-step
def test_log_sum_exp_matches_scipy():
    values = np.array([[0.0, 1.0, 2.0], [1000.0, 1000.0, 999.0], [-1e4, -1e4 - 1, -np.inf],
                       [-np.inf, -np.inf, -np.inf], [-745.0, -800.0, -1000.0]])
    ours = log_sum_exp(values)
    reference = logsumexp(values, axis=1)
    finite = [0, 1, 2, 4]
    np.testing.assert_allclose(ours[finite], reference[finite], rtol=1e-14)
    assert ours[3] == reference[3] == -np.inf  # no component at all: ln 0


@pytest.mark.parametrize("n_features", [1, 2])
def test_mixture_log_likelihood_matches_a_direct_sum(n_features):
    X, means, covariances, full, weights = problem("full", n_features, seed=3)
    log_densities = log_gaussian_densities(X, means, covariances, "full")
    # Direct: sum_i ln sum_j alpha_j N(x_i | mu_j, Sigma_j) with scipy pdfs.
    densities = np.column_stack([stats.multivariate_normal.pdf(X, m, c).reshape(len(X))
                                 for m, c in zip(means, full)])
    per_sample = np.log(densities @ weights)
    np.testing.assert_allclose(log_weighted_densities(log_densities, weights),
                               np.log(densities * weights), rtol=1e-12)
    np.testing.assert_allclose(log_mixture_density(log_densities, weights), per_sample,
                               rtol=1e-12)
    assert log_likelihood(log_densities, weights) == pytest.approx(per_sample.sum(), rel=1e-12)
    sample_weight = np.random.default_rng(0).integers(0, 4, size=len(X)).astype(float)
    assert log_likelihood(log_densities, weights, sample_weight) == pytest.approx(
        np.sum(sample_weight * per_sample), rel=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_responsibilities_are_bayes_rule(covariance_type):
    X, means, covariances, full, weights = problem(covariance_type, 2, seed=5)
    log_densities = log_gaussian_densities(X, means, covariances, covariance_type)
    joint = np.column_stack([weights[k] * stats.multivariate_normal.pdf(X, means[k], full[k])
                             for k in range(3)])
    naive = joint / joint.sum(axis=1, keepdims=True)
    ours = responsibilities(log_densities, weights)
    np.testing.assert_allclose(ours, naive, rtol=1e-10, atol=1e-15)
    log_density, resp = expectation(log_densities, weights)
    np.testing.assert_allclose(resp, naive, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(log_density, np.log(joint.sum(axis=1)), rtol=1e-12)


def test_responsibilities_stay_probabilities_where_every_density_underflows():
    # Log-densities so low that exp() of each is 0: the naive rule gives 0/0.
    log_densities = np.array([[-2000.0, -2001.0, -2050.0], [-1e6, -1e6, -1e6 + 3.0]])
    weights = np.array([0.2, 0.5, 0.3])
    with np.errstate(all="raise"):
        log_density, resp = expectation(log_densities, weights)
    # Only differences within a row matter; taking them first is exact here.
    relative = log_densities - log_densities.max(axis=1, keepdims=True) + np.log(weights)
    expected = np.exp(relative - logsumexp(relative, axis=1, keepdims=True))
    # Adding ln(alpha) to -1e6 rounds at 1e-10: that much error is unavoidable.
    np.testing.assert_allclose(resp, expected, rtol=1e-9)
    np.testing.assert_allclose(log_density, logsumexp(log_densities + np.log(weights), axis=1),
                               rtol=1e-14)


def test_zero_weight_component_gets_zero_responsibility():
    log_densities = np.log(np.array([[0.2, 0.3], [0.1, 0.05]]))
    resp = responsibilities(log_densities, np.array([1.0, 0.0]))
    np.testing.assert_array_equal(resp, [[1.0, 0.0], [1.0, 0.0]])


# --------------------------------------------------- counting, AIC, BIC, ICL
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_parameter_counts_match_hand_counts_and_sklearn(covariance_type):
    for n_components in range(1, 6):
        # In 1-D: M - 1 weights, M means, and M variances (one if tied).
        variances = 1 if covariance_type == "tied" else n_components
        assert n_gaussian_mixture_parameters(n_components, 1, covariance_type) == \
            2 * n_components - 1 + variances
        if covariance_type != "tied":
            assert n_gaussian_mixture_parameters(n_components, 1, covariance_type) == \
                3 * n_components - 1
        for n_features in (1, 2, 3, 5):
            reference = sklearn.mixture.GaussianMixture(n_components,
                                                        covariance_type=covariance_type)
            reference.means_ = np.zeros((n_components, n_features))
            assert n_gaussian_mixture_parameters(n_components, n_features, covariance_type) \
                == reference._n_parameters()
    hand = {"full": 2 * 6, "tied": 6, "diag": 2 * 3, "spherical": 2}[covariance_type]
    assert n_covariance_parameters(2, 3, covariance_type) == hand


def test_aic_bic_formulas():
    log_l, k, n = -1234.5, 8, 1000
    assert aic(log_l, k) == pytest.approx(2 * 1234.5 + 2 * 8, rel=1e-15)
    assert bic(log_l, k, n) == pytest.approx(2 * 1234.5 + 8 * np.log(1000), rel=1e-15)


def test_icl_is_bic_plus_twice_the_map_entropy():
    resp = np.random.default_rng(6).dirichlet(np.ones(3), size=20)
    entropy = -sum(np.log(row[np.argmax(row)]) for row in resp)
    assert classification_entropy(resp) == pytest.approx(entropy, rel=1e-13)
    assert icl(-50.0, 5, 20, resp) == pytest.approx(bic(-50.0, 5, 20) + 2 * entropy, rel=1e-13)
    weights = np.arange(20) % 3
    assert classification_entropy(resp, weights) == pytest.approx(
        -np.sum(weights * np.log(resp.max(axis=1))), rel=1e-13)
    certain = np.eye(3)[[0, 1, 2, 1]]
    assert classification_entropy(certain) == 0.0


# ------------------------------------------------------------ starts
@pytest.mark.parametrize("n_features", [1, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_textbook_start(covariance_type, n_features):
    rng = np.random.default_rng(8)
    X = rng.normal(size=(50, n_features)) @ np.triu(np.ones((n_features, n_features)))
    weights, means, covariances = textbook_start(X, 4, np.random.default_rng(0),
                                                 covariance_type)
    np.testing.assert_array_equal(weights, np.full(4, 0.25))
    rows = [np.flatnonzero((X == mean).all(axis=1)) for mean in means]
    assert all(len(r) == 1 for r in rows) and len({int(r[0]) for r in rows}) == 4
    sample = np.atleast_2d(np.cov(X.T, bias=True))
    expected = {"full": np.repeat(sample[None], 4, axis=0), "tied": sample,
                "diag": np.repeat(np.diag(sample)[None], 4, axis=0),
                "spherical": np.full(4, np.diag(sample).mean())}[covariance_type]
    np.testing.assert_allclose(covariances, expected, rtol=1e-12)
    # Seeded: the same draw again.
    again = textbook_start(X, 4, np.random.default_rng(0), covariance_type)[1]
    np.testing.assert_array_equal(again, means)


def test_textbook_start_with_sample_weight():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(30, 2))
    sample_weight = rng.integers(0, 3, size=30).astype(float)
    for seed in range(5):
        _, means, covariance = textbook_start(X, 3, np.random.default_rng(seed), "tied",
                                              sample_weight)
        drawn = [int(np.flatnonzero((X == m).all(axis=1))[0]) for m in means]
        assert np.all(sample_weight[drawn] > 0)  # zero-weight samples are never drawn
    np.testing.assert_allclose(covariance, np.cov(X.T, aweights=sample_weight, bias=True),
                               rtol=1e-12)


@pytest.mark.parametrize("method", sorted(RESPONSIBILITY_STARTS))
def test_starting_responsibilities_are_probabilities(method):
    X = np.random.default_rng(10).normal(size=(40, 2))
    resp = RESPONSIBILITY_STARTS[method](X, 3, np.random.default_rng(0))
    assert resp.shape == (40, 3)
    assert np.all((resp >= 0) & (resp <= 1))
    totals = resp.sum(axis=1)
    if method in ("k-means++", "random_from_data"):
        # One seed sample per component; the other rows start unassigned.
        assert np.count_nonzero(totals) == 3
        np.testing.assert_array_equal(resp[totals > 0].sum(axis=0), np.ones(3))
    else:
        np.testing.assert_allclose(totals, 1.0, rtol=1e-14)


def test_kmeans_plusplus_seeds_are_distinct_and_kmeans_matches_sklearn(clusters):
    X = clusters(2)
    seeds = kmeans_plusplus_centres(X, 3, np.random.default_rng(0))
    assert len(set(seeds.tolist())) == 3
    labels = kmeans_labels(X, 3, np.random.default_rng(0))
    reference = KMeans(3, n_init=5, random_state=0).fit_predict(X)
    assert adjusted_rand_score(labels, reference) > 0.95


# ------------------------------------------- 1-D arrays, as the notebooks use them
def test_one_dimensional_arrays_follow_the_text_formulas():
    """x of shape (n,), means and variances of shape (K,): eqs. 1, 4 and 5 as written."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=300)
    means, variances, weights = np.array([-1.0, 0.5, 2.0]), np.array([0.5, 1.0, 2.0]), np.ones(3) / 3
    log_densities = log_gaussian_densities(x, means, variances)
    expected = stats.norm.logpdf(x[:, None], means, np.sqrt(variances))
    np.testing.assert_allclose(log_densities, expected, rtol=1e-12)

    resp = expected + np.log(weights)
    resp = np.exp(resp - np.logaddexp.reduce(resp, axis=1, keepdims=True))
    counts = resp.sum(axis=0)
    new_means = update_means(x, resp, counts)
    new_variances = update_covariances(x, resp, counts, new_means)
    loop_means = np.array([np.sum(resp[:, j] * x) / np.sum(resp[:, j]) for j in range(3)])
    loop_variances = np.array([np.sum(resp[:, j] * (x - loop_means[j]) ** 2) / np.sum(resp[:, j])
                               for j in range(3)])
    assert new_means.shape == (3,) and new_variances.shape == (3,)
    np.testing.assert_allclose(new_means, loop_means, rtol=1e-12)
    np.testing.assert_allclose(new_variances, loop_variances, rtol=1e-12)
    tied = update_covariances(x, resp, counts, new_means, "tied")
    np.testing.assert_allclose(tied, counts @ loop_variances / counts.sum(), rtol=1e-12)


def test_textbook_start_on_one_dimensional_data():
    """The text's recipe on x of shape (n,): M data points as means, every variance = var(x)."""
    x = np.random.default_rng(5).normal(2.0, 3.0, size=200)
    weights, means, variances = textbook_start(x, 4, np.random.default_rng(0))
    np.testing.assert_allclose(weights, np.full(4, 0.25))
    assert means.shape == (4,) and np.all(np.isin(means, x)) and len(set(means)) == 4
    np.testing.assert_allclose(variances, np.full(4, np.var(x)), rtol=1e-12)
