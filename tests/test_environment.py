"""pyproject.toml, environment.yml and requirements/lock.txt must agree.

- every direct dependency named in pyproject.toml is pinned in the lock;
- environment.yml takes only Python and pip from conda, and its `pip:` section
  asks pip for exactly what `course.py setup` asks (the lock as constraints,
  emlib editable with the `dev` extra), so both routes install the locked set;
- replaying that `pip:` section the way conda does, in the environment the pip
  route built, finds nothing to install or change but emlib itself.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from course_script import load_course

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

# What conda itself may install; everything else comes from PyPI under the lock.
CONDA_PACKAGES = {"python", "pip"}


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


def package_name(spec):
    return normalise(split_requirement(spec)[0])


def load_pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def pyproject_requirements():
    """{group: [requirement strings]} with group 'runtime' and one per extra."""
    project = load_pyproject()["project"]
    groups = {"runtime": list(project.get("dependencies", []))}
    groups.update(project.get("optional-dependencies", {}))
    return groups


def load_environment():
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def environment_conda_specs():
    """{name: conda version spec} of the conda (not pip) packages in environment.yml."""
    specs = {}
    for dep in load_environment()["dependencies"]:
        if isinstance(dep, str):
            name, version = split_requirement(dep)
            specs[normalise(name)] = version
    return specs


def environment_pip_section():
    """The lines of environment.yml's `pip:` section, comments dropped."""
    for dep in load_environment()["dependencies"]:
        if isinstance(dep, dict) and "pip" in dep:
            return [line.split("#", 1)[0].strip() for line in dep["pip"]]
    return []


def course_pip_arguments():
    """The arguments `course.py setup` passes to `pip install`."""
    return list(load_course().PIP_INSTALL_ARGS)


def requirement_lines(arguments):
    """pip command-line arguments as requirements-file lines: ['-c', 'f'] -> ['-c f']."""
    lines, pending = [], None
    for argument in arguments:
        if pending is not None:
            lines.append(f"{pending} {argument}")
            pending = None
        elif argument in ("-c", "-r", "-e"):
            pending = argument
        else:
            lines.append(argument)
    assert pending is None, "an option without its value: %r" % arguments
    return lines


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
    assert package_name("astroML") == package_name("astroml")
    assert package_name("scikit_learn") == package_name("Scikit-Learn")
    assert package_name("PyYAML>=6") == package_name("pyyaml")
    assert package_name("numpy") != package_name("scipy")


def test_requirement_lines():
    assert requirement_lines(["-c", "lock.txt", "-e", ".[dev]"]) == ["-c lock.txt", "-e .[dev]"]
    assert requirement_lines(["numpy==2.0", "-r", "more.txt"]) == ["numpy==2.0", "-r more.txt"]
    with pytest.raises(AssertionError):
        requirement_lines(["-c"])


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


def test_environment_takes_only_python_and_pip_from_conda():
    specs = environment_conda_specs()
    assert set(specs) == CONDA_PACKAGES, (
        "environment.yml must take only python and pip from conda (every other package "
        "comes from PyPI under the lock); it lists %s" % sorted(specs))
    # The lock was resolved for CPython 3.11; conda must not pick another minor version.
    assert re.fullmatch(r"==?\s*3\.11(\.\*)?", specs["python"]), specs["python"]
    assert specs["pip"] == "", "pip is left to conda's newest (the lock leaves it out too)"


def test_environment_pip_section_is_the_pip_route():
    assert environment_pip_section() == requirement_lines(course_pip_arguments())
    assert "-c requirements/lock.txt" in environment_pip_section()


def test_replaying_the_conda_pip_step_installs_nothing_else(tmp_path):
    """Replay `conda env create`'s pip step in the environment the pip route made.

    conda writes the `pip:` lines to a temporary requirements file beside
    environment.yml and runs `pip install -U -r FILE` from that folder. Here the
    same happens offline as a dry run: if the conda route asked for anything the
    lock did not already give this environment, pip would report it (or fail to
    find it without an index).
    """
    requirements = ROOT / "condaenv.test-environment.requirements.txt"
    requirements.write_text("\n".join(environment_pip_section()) + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-U", "--dry-run", "--no-index",
             "--no-build-isolation", "--quiet", "--report", str(report),
             "-r", requirements.name],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        requirements.unlink()
    assert completed.returncode == 0, completed.stdout + completed.stderr
    would_install = sorted(item["metadata"]["name"] + "==" + item["metadata"]["version"]
                           for item in json.loads(report.read_text())["install"])
    assert [name.split("==")[0].lower() for name in would_install] == ["emlib"], would_install


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
