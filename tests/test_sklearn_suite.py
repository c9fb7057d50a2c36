"""scikit-learn's own GaussianMixture tests, run against emlib.GaussianMixture.

The tests are those of the installed scikit-learn wheel
(``sklearn/mixture/tests/test_gaussian_mixture.py`` and ``test_mixture.py``);
nothing of them is copied here. We import those modules, swap the
``GaussianMixture`` name they imported from scikit-learn for emlib's class, and
call each ``test_*`` function with its own ``pytest.mark.parametrize`` values
(and its ``filterwarnings``/``skipif`` marks), so a test added upstream is run
here too. scikit-learn's ``global_dtype`` fixture is run with both float32 and
float64, as scikit-learn does under ``SKLEARN_RUN_FLOAT32_TESTS=1``, and
``global_random_seed`` with its default seed, 42.

Then ``sklearn.utils.estimator_checks`` runs every generic estimator check on
``emlib.GaussianMixture()``.

A test that cannot apply to emlib (it calls a scikit-learn-private method or
patches a private function, or expects a behaviour emlib refuses on purpose) is listed in
``NOT_APPLICABLE`` with the reason; it is run anyway and must fail (strict
xfail), so a list entry that no longer fails is reported instead of hiding a
test that now passes. Tests of scikit-learn's private functions alone (they
never build a GaussianMixture) are listed in ``SKLEARN_FUNCTIONS_ONLY`` and
skipped. The array-API cases skip themselves unless an array-API library
(array-api-strict, torch...) is installed and SCIPY_ARRAY_API=1 is set.
"""

import importlib
import inspect
import itertools

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

import emlib

UPSTREAM = ("sklearn.mixture.tests.test_gaussian_mixture", "sklearn.mixture.tests.test_mixture")

# Reviewed: upstream tests that cannot apply to emlib, with the reason.
# Each must fail with emlib (strict xfail); a test that starts passing is reported.
# (emlib draws scikit-learn's start from the same random_state, tests/test_same_seed.py,
# so a test comparing seeded fits applies.)
NOT_APPLICABLE = {
    "test_gaussian_mixture_precisions_init":
        "calls the scikit-learn-private method GaussianMixture._set_parameters",
    "test_gaussian_mixture_all_init_does_not_estimate_gaussian_parameters":
        "patches the scikit-learn-private function _estimate_gaussian_parameters",
    "test_gaussian_mixture_setting_best_params":
        "its only start (n_init=1, reg_covar=0) collapses a component onto one point in the "
        "first M-step and scikit-learn returns that fit; emlib refuses a collapsed fit with "
        "an explanation rather than return it (with n_init > 1 such a start is dropped with "
        "a warning and the best of the others is kept)",
}

# Reviewed: upstream tests of scikit-learn's private functions only (they never build a
# GaussianMixture), so they say nothing about emlib and are skipped, not counted.
SKLEARN_FUNCTIONS_ONLY = {
    "test_suffstat_sk_full", "test_suffstat_sk_tied", "test_suffstat_sk_diag",
    "test_gaussian_suffstat_sk_spherical", "test_compute_log_det_cholesky",
    "test_gaussian_mixture_log_probabilities",
}

# Marks this runner understands; any other mark upstream fails collection loudly.
HANDLED_MARKS = {"parametrize", "filterwarnings", "skipif"}

# scikit-learn's conftest fixtures, with the values this runner gives them.
FIXTURE_VALUES = {
    "global_dtype": [np.float32, np.float64],  # as under SKLEARN_RUN_FLOAT32_TESTS=1
    "global_random_seed": [42],  # scikit-learn's default seed
}
PYTEST_FIXTURES = {"monkeypatch", "capsys"}


def _swap_value(value):
    """A parametrize value with scikit-learn's GaussianMixture swapped for emlib's.

    Returns None for another scikit-learn estimator (e.g. BayesianGaussianMixture):
    that case tests scikit-learn's own class, not the one swapped in.
    """
    if isinstance(value, SklearnGaussianMixture):
        return emlib.GaussianMixture(**value.get_params())
    if hasattr(value, "get_params") and hasattr(value, "fit"):
        return None
    return value


def _axes(function):
    """One list of (label, kwargs) per parametrize mark or fixture of ``function``."""
    marks = getattr(function, "pytestmark", [])
    unknown = [mark.name for mark in marks if mark.name not in HANDLED_MARKS]
    if unknown:
        raise RuntimeError(f"{function.__name__} has marks {unknown} this runner does not "
                           "handle; review it and extend the runner or NOT_APPLICABLE.")
    axes, covered = [], set()
    for mark in marks:
        if mark.name != "parametrize":
            continue
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        covered.update(names)
        axis = []
        for value in mark.args[1]:
            values = value if len(names) > 1 else (value,)
            values = tuple(_swap_value(v) for v in values)
            if any(v is None for v in values):
                continue  # another scikit-learn class: not ours to test
            label = ",".join(f"{n}={getattr(v, '__name__', None) or v!r}"
                             for n, v in zip(names, values))
            axis.append((label, dict(zip(names, values))))
        axes.append(axis)
    for name in inspect.signature(function).parameters:
        if name in covered or name in PYTEST_FIXTURES:
            continue
        if name not in FIXTURE_VALUES:
            raise RuntimeError(f"{function.__name__} needs fixture {name!r}, which this "
                               "runner does not supply; review it and extend FIXTURE_VALUES.")
        axes.append([(f"{name}={getattr(v, '__name__', v)}", {name: v})
                     for v in FIXTURE_VALUES[name]])
    return axes


def _module_cases(module_name):
    module = importlib.import_module(module_name)
    for name, function in vars(module).items():
        if not (name.startswith("test_") and inspect.isfunction(function)):
            continue
        marks = [mark for mark in getattr(function, "pytestmark", [])
                 if mark.name in ("filterwarnings", "skipif")]
        for combination in itertools.product(*_axes(function)):
            label = ",".join(part[0] for part in combination)
            kwargs = {key: value for part in combination for key, value in part[1].items()}
            case = f"{name}[{label}]" if label else name
            yield case, module_name, name, kwargs, marks


def _cases():
    cases = [case for module in UPSTREAM for case in _module_cases(module)]
    params = []
    for case, module_name, name, kwargs, marks in cases:
        reason = NOT_APPLICABLE.get(name) or NOT_APPLICABLE.get(case)
        if name in SKLEARN_FUNCTIONS_ONLY:
            marks = marks + [pytest.mark.skip(reason="tests scikit-learn's private functions "
                                                     "only, never GaussianMixture")]
        elif reason:
            marks = marks + [pytest.mark.xfail(reason=reason, strict=True)]
        params.append(pytest.param(module_name, name, kwargs, marks=marks, id=case))
    return params


CASES = _cases()


def test_the_upstream_cases_are_found():
    # Guards against a runner that silently collects nothing, and against stale entries.
    names = {param.values[1] for param in CASES}
    ids = {param.id for param in CASES}
    assert len(CASES) > 50 and "test_gaussian_mixture_fit" in names
    stale = [entry for entry in NOT_APPLICABLE if entry not in names and entry not in ids]
    assert not stale, f"NOT_APPLICABLE names tests scikit-learn no longer has: {stale}"
    # Exactly the tests that never mention the class are set aside as scikit-learn's own,
    # so a new upstream test of that kind is reviewed before it is skipped.
    functions = {name: getattr(importlib.import_module(module), name)
                 for module, name, _ in (param.values for param in CASES)}
    never_build_it = {name for name, function in functions.items()
                      if "GaussianMixture" not in inspect.getsource(function)}
    assert never_build_it == SKLEARN_FUNCTIONS_ONLY


@pytest.mark.parametrize("module_name, name, kwargs", CASES)
def test_sklearn_mixture_test_passes_with_emlib(module_name, name, kwargs, request,
                                                monkeypatch):
    module = importlib.import_module(module_name)
    monkeypatch.setattr(module, "GaussianMixture", emlib.GaussianMixture)
    function = getattr(module, name)
    extra = {fixture: request.getfixturevalue(fixture)
             for fixture in inspect.signature(function).parameters
             if fixture in PYTEST_FIXTURES}
    state = np.random.get_state()  # some upstream tests seed numpy's global generator
    try:
        function(**kwargs, **extra)
    finally:
        np.random.set_state(state)


# ------------------------------------------------ scikit-learn's generic estimator checks
# Reviewed: the checks emlib fails on purpose, with the reason.
EXPECTED_FAILED_CHECKS = {
    "check_fit1d": "emlib accepts 1-D input on purpose: a 1-D X of shape (n,) is n samples of "
                   "one feature, so the course's 1-D examples need no reshape(-1, 1)",
}


def test_expected_failures_are_real_checks():
    # A renamed or removed upstream check must not leave a stale entry, and each listed
    # check must still fail (else it should be run as a plain test again).
    results = check_estimator(emlib.GaussianMixture(), on_fail=None,
                              expected_failed_checks=EXPECTED_FAILED_CHECKS)
    status = {result["check_name"]: result["status"] for result in results}
    assert {name: status.get(name) for name in EXPECTED_FAILED_CHECKS} == {
        name: "xfail" for name in EXPECTED_FAILED_CHECKS}
    assert sum(value == "passed" for value in status.values()) >= 40


@parametrize_with_checks([emlib.GaussianMixture()],
                         expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_check_passes_with_emlib(estimator, check):
    check(estimator)
