"""pyproject.toml, environment.yml and requirements/lock.txt must agree.

- environment.yml lists the same packages as pyproject.toml's runtime
  dependencies plus its `dev` extra (names normalised, python and pip ignored);
- every direct dependency named in pyproject.toml is pinned in the lock;
- every package in environment.yml is pinned to exactly the lock's version.
"""

import re
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

# conda-forge name -> PyPI name, after normalisation
CONDA_TO_PYPI = {
    "astroml": "astroml",  # conda `astroml` is PyPI `astroML`
    "matplotlib-base": "matplotlib",  # matplotlib without the Qt GUI
}
IGNORED = {"python", "pip"}


# --------------------------------------------------------------------------
# helpers


def normalise(name):
    """PEP 503 normalisation: case-insensitive, runs of -_. are equivalent."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def split_requirement(spec):
    """'scikit-learn>=1.2' -> ('scikit-learn', '>=1.2'); also conda 'numpy==2.4.6'.

    Drops extras, environment markers and a conda channel prefix.
    """
    spec = spec.split(";", 1)[0].split("#", 1)[0].strip()
    spec = spec.split("::", 1)[-1]
    m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$", spec)
    if not m:
        raise ValueError("cannot read requirement %r" % spec)
    return m.group(1), m.group(3).strip()


def package_name(spec, conda=False):
    name = normalise(split_requirement(spec)[0])
    if conda:
        name = CONDA_TO_PYPI.get(name, name)
    return name


def exact_pin(version_spec):
    """'==1.2.3' (pip or conda) or '=1.2.3' (conda) -> '1.2.3'; else None."""
    m = re.fullmatch(r"==?\s*([^\s,<>=!~*]+)", version_spec)
    return m.group(1) if m else None


def compare_package_sets(a, b, a_label="a", b_label="b"):
    """Describe how two sets of package names differ; [] when they are equal."""
    problems = []
    for name in sorted(set(a) - set(b)):
        problems.append("%s is in %s but not in %s" % (name, a_label, b_label))
    for name in sorted(set(b) - set(a)):
        problems.append("%s is in %s but not in %s" % (name, b_label, a_label))
    return problems


# --------------------------------------------------------------------------
# the three files


def load_pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def pyproject_requirements():
    """{group: [requirement strings]} with group 'runtime' and one per extra."""
    project = load_pyproject()["project"]
    groups = {"runtime": list(project.get("dependencies", []))}
    groups.update(project.get("optional-dependencies", {}))
    return groups


def environment_specs():
    """{normalised PyPI name: conda version spec} from environment.yml."""
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the `pip:` section: only `-e .` expected
            continue
        name, version = split_requirement(dep)
        name = package_name(name, conda=True)
        if name not in IGNORED:
            specs[name] = version
    return specs


def environment_pip_section():
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        env = yaml.safe_load(f)
    for dep in env["dependencies"]:
        if isinstance(dep, dict) and "pip" in dep:
            return [line.split("#", 1)[0].strip() for line in dep["pip"]]
    return []


def lock_pins():
    """{normalised name: version} from requirements/lock.txt."""
    pins = {}
    for number, line in enumerate(
            (ROOT / "requirements" / "lock.txt").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert m, "lock.txt line %d is not `name==version`: %r" % (number, line)
        name = normalise(m.group(1))
        assert name not in pins, "lock.txt pins %s twice" % name
        pins[name] = m.group(2)
    return pins


# --------------------------------------------------------------------------
# the helpers can fail


def test_compare_package_sets_reports_differences():
    problems = compare_package_sets(
        {"numpy", "scipy", "astroml"}, {"numpy", "matplotlib", "astroml"},
        "pyproject.toml", "environment.yml")
    assert problems == [
        "scipy is in pyproject.toml but not in environment.yml",
        "matplotlib is in environment.yml but not in pyproject.toml",
    ]
    assert compare_package_sets({"numpy"}, {"numpy"}) == []


@pytest.mark.parametrize("spec, name, version", [
    ("numpy>=1.24", "numpy", ">=1.24"),
    ("scikit-learn==1.9.1", "scikit-learn", "==1.9.1"),
    ("astroML >= 1.0", "astroML", ">= 1.0"),
    ("conda-forge::pyyaml=6.0", "pyyaml", "=6.0"),
    ("tomli; python_version < '3.11'", "tomli", ""),
    ("ipywidgets[extra]>=8", "ipywidgets", ">=8"),
])
def test_split_requirement(spec, name, version):
    assert split_requirement(spec) == (name, version)


def test_names_are_normalised():
    assert package_name("astroML") == package_name("astroml", conda=True)
    assert package_name("scikit_learn") == package_name("Scikit-Learn")
    assert package_name("PyYAML") == package_name("pyyaml", conda=True)
    assert package_name("matplotlib-base", conda=True) == "matplotlib"
    assert package_name("numpy") != package_name("scipy")


def test_exact_pin():
    assert exact_pin("==1.2.3") == "1.2.3"
    assert exact_pin("=1.0.2.post1") == "1.0.2.post1"
    assert exact_pin(">=1.2") is None
    assert exact_pin("") is None
    assert exact_pin("=1.2.*") is None


# --------------------------------------------------------------------------
# the real files


def test_dev_extra_contains_course_extra():
    groups = pyproject_requirements()
    course = {package_name(r) for r in groups["course"]}
    dev = {package_name(r) for r in groups["dev"]}
    assert course <= dev, "dev lacks %s" % sorted(course - dev)


def test_dev_extra_contains_every_other_extra():
    """`pip install -e .[dev]` (what course.py setup runs) must install every extra."""
    groups = pyproject_requirements()
    dev = {package_name(r) for r in groups["dev"]}
    for group, requirements in groups.items():
        if group in ("runtime", "dev"):
            continue
        names = {package_name(r) for r in requirements}
        assert names <= dev, "dev lacks %s of the %r extra" % (sorted(names - dev), group)


def test_environment_lists_the_same_packages_as_pyproject():
    groups = pyproject_requirements()
    pyproject = {package_name(r) for r in groups["runtime"] + groups["dev"]}
    env = set(environment_specs())
    problems = compare_package_sets(pyproject, env, "pyproject.toml", "environment.yml")
    assert not problems, "\n".join(problems)


def test_environment_installs_emlib_editable():
    assert "-e ." in environment_pip_section()


def test_every_direct_dependency_is_pinned_in_lock():
    pins = lock_pins()
    missing = sorted(
        {package_name(r) for reqs in pyproject_requirements().values() for r in reqs}
        - set(pins))
    assert not missing, "not pinned in requirements/lock.txt: %s" % missing


def test_lock_leaves_out_emlib_and_the_packaging_tools():
    pins = lock_pins()
    for name in ("emlib", "pip", "setuptools", "wheel"):
        assert name not in pins, "%s must not be pinned in lock.txt" % name


def test_environment_pins_equal_the_lock():
    pins = lock_pins()
    problems = []
    for name, spec in sorted(environment_specs().items()):
        version = exact_pin(spec)
        if version is None:
            problems.append("%s is not pinned exactly in environment.yml (%r)" % (name, spec))
        elif name not in pins:
            problems.append("%s is pinned in environment.yml but not in lock.txt" % name)
        elif version != pins[name]:
            problems.append("%s: environment.yml has %s, lock.txt has %s"
                            % (name, version, pins[name]))
    assert not problems, "\n".join(problems)
